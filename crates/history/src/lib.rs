//! Repository history analysis for Archipel's commons qualification.
//!
//! Opens a work tree or a bare repository ([`Repo::open`]), or clones an
//! `https://` URL into a cache folder ([`clone_https`]); walks the history
//! reachable from `HEAD` with gitoxide and reports, as plain serialisable data
//! ([`History`]): commits, merge and non-merge commits, first and last dates,
//! authors after `.mailmap` and identity merging, activity windows, tags, the
//! contributor absence factor and the elephant factor (CHAOSS), the
//! organisations behind the authors from their e-mail domains through an
//! editable table ([`Affiliations`], `content/affiliations/domains.toml`) and
//! the diversity of their kinds. Missing objects (shallow or partial
//! snapshots) become [notes](Note), never errors.
//!
//! It also lists and reads the files of `HEAD`'s tree
//! ([`Repo::head_paths`], [`Repo::read_head_file`]), so that documents can be
//! found in a bare repository.
//!
//! ```no_run
//! use archipel_history::{Affiliations, HistoryOptions, Repo};
//!
//! let repo = Repo::open(std::path::Path::new("."))?;
//! let table = Affiliations::builtin()?;
//! let history = repo.history(&HistoryOptions::at(chrono::Utc::now()), &table);
//! println!(
//!     "{} commits, {} authors, CAF {}, elephant factor {}",
//!     history.commits, history.authors,
//!     history.contributor_absence_factor, history.elephant_factor,
//! );
//! for org in &history.organizations {
//!     println!("{} ({}): {} commits", org.name, org.kind, org.commits);
//! }
//! let readme = repo.read_head_file("README.md", archipel_history::DEFAULT_MAX_FILE_BYTES)?;
//! # let _ = readme;
//! # Ok::<(), archipel_history::Error>(())
//! ```

#![warn(missing_docs)]

mod affiliation;
mod clone;
mod model;
mod repo;
mod scan;
mod stats;
mod walk;

use std::path::PathBuf;

pub use affiliation::{ActorKind, Affiliation, Affiliations, BUILTIN_TABLE};
pub use clone::{clone_https, validate_clone_url, CloneOptions, CloneUrl, Cloned};
pub use model::{
    AuthorShare, History, KindShare, Note, Organization, Tag, Tags, Unaffiliated, Window,
};
pub use repo::{HistoryOptions, Repo, DEFAULT_MAX_FILE_BYTES, DEFAULT_PACK_SCAN_AFTER};
pub use stats::half_factor;

/// What can go wrong. The history analysis itself never fails; these come
/// from opening, cloning, reading files and loading the affiliation table.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path holds no repository that could be opened.
    #[error("cannot open a git repository at {path}: {message}")]
    Open {
        /// The path given.
        path: PathBuf,
        /// gitoxide's explanation.
        message: String,
    },
    /// The URL is not an acceptable `https://` URL.
    #[error("refused URL {0}")]
    InvalidUrl(String),
    /// The clone failed.
    #[error("clone failed: {0}")]
    Clone(String),
    /// The clone went beyond its size or time limit.
    #[error("clone stopped: {0}")]
    CloneLimit(String),
    /// The affiliation table is malformed.
    #[error("affiliation table: {0}")]
    Affiliations(String),
    /// An object the repository names is not in its object database.
    #[error("missing object {0}")]
    MissingObject(String),
    /// A file is larger than the limit given.
    #[error("{path} is {size} bytes, more than allowed")]
    TooLarge {
        /// Its path.
        path: String,
        /// Its size.
        size: u64,
    },
    /// The object database could not be read.
    #[error("cannot read the repository: {0}")]
    Read(String),
}
