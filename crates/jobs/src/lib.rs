//! The jobs that move records in and out of the registry — import a file,
//! export the registry, build the demonstration territory — as plain
//! functions that the command line and the web server both call.
//!
//! A job puts the libraries together: the parsers and writers of
//! `archipel-formats`, the registry of `archipel-store`, the knowledge of
//! `archipel-content`. It parses nothing itself, writes no SQL and prints
//! nothing: it returns what happened ([`import::ImportReport`], a
//! [`archipel_store::WriteSummary`]) or an error with its sources, and the
//! caller says it in its own way (a terminal, a JSON summary, an HTTP
//! answer). Long jobs report their progress through a callback taking a
//! [`Progress`].
//!
//! - [`import::run`]: a file into the registry, all of it or nothing
//!   (unless invalid records may be set aside), decided in one place;
//! - [`export::write`], [`export::write_file`]: the registry in one of the
//!   formats the field uses, streamed, a file written whole or not at all;
//! - [`demo::load`]: the fictional demonstration territory;
//! - [`contribute`]: proposals on any kind of record, their moderation
//!   and referents; [`history`]: records' versions, the latest changes
//!   and restoring a version; [`duplicates`]: one record per real-world
//!   thing (candidates, merges and their undoing, separations).
//! - `harvest::run` (feature `harvest`): publiccode.yml files of a list
//!   of repositories.

pub mod catalogue_link;
pub mod contribute;
pub mod contribute_action;
pub mod demo;
pub mod duplicates;
pub mod export;
#[cfg(feature = "harvest")]
pub mod harvest;
pub mod history;
pub mod import;
pub mod support;
pub mod territories;

/// Who carries out a decision (accepting or refusing a proposal,
/// restoring a version), through what and when.
#[derive(Debug, Clone, Copy)]
pub struct Decider<'a> {
    /// The moderator's account; `None`: the command line with no account.
    pub account: Option<i64>,
    /// `web` or `cli`: the format the batch log records.
    pub via: &'a str,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// How far a long job has gone, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Records done so far.
    pub done: u64,
    /// Records expected in all (an estimate for an import, counted before
    /// the file is parsed: `done` may end below or above it).
    pub total: u64,
}
