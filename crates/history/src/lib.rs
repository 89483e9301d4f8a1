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

/// The cause of an [`Error`]: gitoxide's or the system's error, kept
/// whole for [`source`](std::error::Error::source).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong. The history analysis itself never fails; these come
/// from opening, cloning, reading files and loading the affiliation table.
/// A variant's message says what was being done; its source, when there is
/// one, says why it failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path holds no repository that could be opened.
    #[error("cannot open a git repository at {}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// gitoxide's explanation.
        #[source]
        source: Cause,
    },
    /// Reading or writing a file or folder failed.
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
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
    /// The object database could not be read: `what` was being read.
    #[error("cannot read the repository: {what}")]
    Read {
        /// What was being read ("commit 1a2b…", "tree 3c4d…").
        what: String,
        /// gitoxide's error, when it gave one.
        #[source]
        source: Option<Cause>,
    },
}

impl Error {
    /// An [`Error::Io`] on `path`.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An [`Error::Read`] of `what`, caused by `source`.
    pub(crate) fn read(what: impl Into<String>, source: impl Into<Cause>) -> Error {
        Error::Read {
            what: what.into(),
            source: Some(source.into()),
        }
    }
}
