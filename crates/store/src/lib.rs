//! Archipel's persistence: the registry kept in an embedded SQLite file.
//!
//! Callers see records of [`archipel_domain`] and plain result structs;
//! no SQL or database type crosses this API, so that another backend
//! (PostgreSQL for large deployments) can be added behind it without
//! touching them.
//!
//! * A registry file carries the application id [`APP_ID`] and is checked
//!   before anything is written to it: [`Store::open`] creates or upgrades
//!   only an empty file or Archipel's own (WAL mode, foreign keys on,
//!   versioned migrations), and refuses any other untouched;
//!   [`Store::open_read_only`] reads through a read-only connection and
//!   never changes the file.
//! * Write transactions start with `BEGIN IMMEDIATE`: a second writer waits
//!   for the first (up to 10 s) and then says who holds the registry.
//! * Every write goes through [`Store::write`], one transaction: either all
//!   of it lands or none of it does, even if the process is killed midway.
//! * Full-text search folds case and accents ("mediatheque" finds
//!   "Médiathèque").
//!
//! ```
//! use archipel_domain::*;
//! use archipel_store::Store;
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(&dir.path().join("a.db")).unwrap();
//! let now = chrono::Utc::now();
//! let actor = Actor {
//!     id: EntityId::new(EntityKind::Actor, "doc", "1").unwrap(),
//!     name: "Médiathèque des Capucins".into(),
//!     nature: Nature::Organisation,
//!     kind: Some("library".into()),
//!     typology: vec![],
//!     description: None,
//!     identifiers: Identifiers::default(),
//!     website: None,
//!     email: None,
//!     territory: None,
//!     location: None,
//!     provenance: Provenance::new("doc", now),
//! };
//! store.write("doc", "manual", None, |w| w.upsert(&Entity::Actor(actor))).unwrap();
//! let hits = store.search(&archipel_store::SearchQuery::text("mediatheque capucins")).unwrap();
//! assert_eq!(hits.total, 1);
//! ```

pub mod accounts;
mod asof;
mod assessment;
pub mod backup;
mod busy;
mod codec;
mod error;
mod history;
mod index;
pub mod merge;
mod migrate;
mod network;
mod open;
pub mod proposals;
mod query;
mod read;
mod scope;
mod search;
mod support;
mod write;

pub use asof::{
    action_days, parse_end, parse_start, period_ends, AsOf, EntityFacts, Period, RelationFacts,
    Timeline, MAX_POINTS,
};
pub use assessment::{NewAssessment, SavedAssessment};
pub use error::{Cause, StoreError};
pub use history::{BatchInfo, Restored, Version};
pub use merge::{MergeError, MergeInfo, MergeRequest, Merged, Unmerged};
pub use network::{NetEvent, NetGrant, NetItem, NetLink, NetNode};
pub use open::APP_ID;
pub use query::{
    BboxQuery, FacetedQuery, Facets, Filter, ListQuery, NameOrder, Page, Sort, Summary,
};
pub use read::{Count, Stats};
pub use scope::{
    ActorGroup, GroupCount, LinkCount, LinkGroup, ScopeQuery, ScopeStats, SupportFigures,
};
pub use search::{SearchHit, SearchQuery, SearchResults};
pub use support::{ActionQuery, ApplicationOutcome, CallApplications};
pub use write::{prepare, Change, Outcome, Prepared, WriteSummary, Writer};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open registry.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened with [`Store::open_read_only`]: writes are refused.
    read_only: bool,
    /// The in-memory search index this connection last used (see `index`).
    index: std::cell::RefCell<Option<std::sync::Arc<index::Index>>>,
    /// The words whose matches `temp.search_match` holds, the stamp of
    /// the index they were found in, and how many there are (see
    /// `query::load_matches`).
    loaded_matches: std::cell::RefCell<Option<(query::MatchesKey, usize)>>,
}

impl Store {
    fn with(conn: Connection, path: &Path, read_only: bool) -> Store {
        Store {
            conn,
            path: path.to_path_buf(),
            read_only,
            index: Default::default(),
            loaded_matches: Default::default(),
        }
    }

    /// The file this registry lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`) that writes
    /// no records (accounts, proposals), committed if `f` succeeds.
    pub(crate) fn write_plain<T, E: From<StoreError>>(
        &mut self,
        what: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            }
            .into());
        }
        let (note, tx) = busy::begin(&self.conn, &self.path, what)?;
        let out = f(&tx)?;
        drop(note);
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// The schema version after migrations.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}
