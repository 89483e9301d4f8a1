//! Archipel's persistence: the registry kept in an embedded SQLite file.
//!
//! Callers see records of [`archipel_domain`] and plain result structs;
//! no SQL or database type crosses this API, so that another backend
//! (PostgreSQL for large deployments) can be added behind it without
//! touching them.
//!
//! * The file is opened in WAL mode with foreign keys on; versioned
//!   migrations are applied automatically when it is opened.
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

mod assessment;
mod codec;
mod index;
mod migrate;
mod query;
mod read;
mod scope;
mod search;
mod write;

pub use assessment::{NewAssessment, SavedAssessment};
pub use query::{
    BboxQuery, FacetedQuery, Facets, Filter, ListQuery, NameOrder, Page, Sort, Summary,
};
pub use read::{Count, Stats};
pub use scope::{ActorGroup, GroupCount, LinkCount, LinkGroup, ScopeQuery, ScopeStats};
pub use search::{SearchHit, SearchQuery, SearchResults};
pub use write::{prepare, Outcome, Prepared, WriteSummary, Writer};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("database: {0}")]
    Database(String),
    #[error("record {id}: stored data is unreadable: {message}")]
    Corrupt { id: String, message: String },
    #[error("record {id}: {field} points at {target}, which is not in the registry")]
    Dangling {
        id: String,
        field: &'static str,
        target: String,
    },
    #[error("database schema version {found} is newer than this program knows ({known}); upgrade archipel")]
    TooNew { found: i64, known: i64 },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Page size of new registry files, in bytes.
const PAGE_SIZE: i64 = 16 * 1024;

/// An open registry.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The in-memory search index this connection last used (see `index`).
    index: std::cell::RefCell<Option<std::sync::Arc<index::Index>>>,
    /// The words whose matches `temp.search_match` holds, the stamp of
    /// the index they were found in, and how many there are (see
    /// `query::load_matches`).
    loaded_matches: std::cell::RefCell<Option<(query::MatchesKey, usize)>>,
}

impl Store {
    /// Opens the registry at `path`, creating the file if needed, and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::setup(conn, path)
    }

    /// Opens an existing registry; fails if there is no file at `path`.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                message: "no such file (create it with `archipel init` or `archipel demo`)".into(),
            });
        }
        Self::open(path)
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store> {
        // A new file gets 16 KiB pages (SQLite's default is 4 KiB): records
        // are about a kilobyte, so fewer pages split and an import writes
        // about a fifth faster. The size can only be chosen before the first
        // table exists; older files keep theirs.
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if tables == 0 {
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Reads go through a memory map of the file rather than a copy per
        // page into each connection's cache: searches read many index pages.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate::apply(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            index: Default::default(),
            loaded_matches: Default::default(),
        })
    }

    /// The file this registry lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version after migrations.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}
