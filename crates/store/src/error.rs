//! The store's errors. A failure of the database engine or of the system
//! is kept whole as the error's [`source`](std::error::Error::source), typed
//! as [`Cause`] (`dyn Error`), so that no type of the engine crosses the
//! API: the store stays backend-neutral. The message of a variant says
//! what the store was doing; the cause says why it failed, and is printed
//! after it by whoever prints the chain (`archipel` prints `{:#}`).

use std::error::Error;
use std::fmt;
use std::path::PathBuf;

/// The cause of a store error: the database engine's error (its message
/// without the SQL text), a file's [`std::io::Error`], or a JSON error.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The registry file could not be opened or read: `context` says
    /// which step, `source` why when the engine or the system said so.
    #[error("{path}: {context}", path = path.display())]
    Open {
        path: PathBuf,
        context: String,
        #[source]
        source: Option<Cause>,
    },
    /// The database failed (`source`) or refused what it was given;
    /// `context` says what it was doing, when more than a plain query.
    #[error("database{}", colon(context))]
    Database {
        context: String,
        #[source]
        source: Option<Cause>,
    },
    #[error("record {id}: stored data is unreadable")]
    Corrupt {
        id: String,
        #[source]
        source: Cause,
    },
    #[error("record {id}: {field} points at {target}, which is not in the registry")]
    Dangling {
        id: String,
        field: &'static str,
        target: String,
    },
    #[error("{path}: not an Archipel registry: {reason}; it was left untouched (give another file with --db)", path = path.display())]
    NotRegistry { path: PathBuf, reason: String },
    #[error("{path}: registry schema version {found} is newer than this program knows ({known}); it was left untouched (upgrade archipel)", path = path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: registry schema version {found} is older than this program's ({known}); bring it up to date with `archipel init --db {path}` (commands that only read never change the file)", path = path.display())]
    TooOld {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: opened read-only, cannot write", path = path.display())]
    ReadOnly { path: PathBuf },
    #[error("{path}: the registry is busy: {holder}; waited {waited} s, try again when it is done", path = path.display(), waited = waited.as_secs())]
    Busy {
        path: PathBuf,
        /// Who holds the registry, as far as is known ("another import
        /// (mediation, lieux.csv) has been writing to it for 42 s").
        holder: String,
        waited: std::time::Duration,
    },
}

fn colon(context: &str) -> String {
    if context.is_empty() {
        String::new()
    } else {
        format!(": {context}")
    }
}

impl StoreError {
    /// A database error with no cause beyond what `context` says.
    pub fn database(context: impl Into<String>) -> StoreError {
        StoreError::Database {
            context: context.into(),
            source: None,
        }
    }

    /// A database error: `context` says what was being done, `source` why
    /// it failed.
    pub fn database_because(context: impl Into<String>, source: impl Into<Cause>) -> StoreError {
        StoreError::Database {
            context: context.into(),
            source: Some(source.into()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database {
            context: String::new(),
            source: Some(engine(e)),
        }
    }
}

/// The engine's error as a [`Cause`].
pub(crate) fn engine(e: rusqlite::Error) -> Cause {
    Box::new(Engine(e))
}

/// Opens a connection to `target` (a path or a `file:` URI). When SQLite
/// cannot open it, rusqlite adds the target to SQLite's message ("unable
/// to open database file: /srv/a.db"); the store's errors name the file
/// themselves, so the copy is taken off and the chain says it once.
pub(crate) fn connect(
    target: impl AsRef<std::path::Path>,
    flags: rusqlite::OpenFlags,
) -> rusqlite::Result<rusqlite::Connection> {
    let target = target.as_ref();
    rusqlite::Connection::open_with_flags(target, flags).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(code, Some(msg)) => {
            let suffix = format!(": {}", target.to_string_lossy());
            let msg = match msg.strip_suffix(&suffix) {
                Some(m) => m.to_string(),
                None => msg,
            };
            rusqlite::Error::SqliteFailure(code, Some(msg))
        }
        other => other,
    })
}

/// An error of SQLite, kept whole (its `Debug` shows codes and all) but
/// displayed without the SQL text rusqlite adds to some of them (a
/// migration's is several pages long).
struct Engine(rusqlite::Error);

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            rusqlite::Error::SqlInputError { msg, .. } => f.write_str(msg),
            rusqlite::Error::SqliteFailure(_, Some(msg)) => f.write_str(msg),
            other => other.fmt(f),
        }
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The chain ends here: rusqlite's own source of an SQLite failure is the
/// same failure as a code ("Error code 8: …"), which would repeat it.
impl Error for Engine {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_error_is_kept_as_the_source_without_its_sql() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let e = conn
            .execute_batch("CREATE TABLE t (a); SELEC nonsense")
            .unwrap_err();
        let err = StoreError::from(e);
        assert_eq!(err.to_string(), "database");
        let source = err.source().expect("the engine's error is kept");
        let text = source.to_string();
        assert!(text.contains("syntax error"), "{text}");
        assert!(
            !text.contains("CREATE TABLE"),
            "the SQL is left out: {text}"
        );
        // The engine's codes are still there for a log.
        assert!(
            format!("{source:?}").contains("SqlInputError"),
            "{source:?}"
        );
    }
}
