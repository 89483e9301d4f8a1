//! Opening a registry file: what is in it is checked before anything is
//! written to it.
//!
//! * An Archipel registry carries SQLite's `application_id` [`APP_ID`]
//!   (ASCII "ARCH"). Files made before it was stamped have an id of 0, a
//!   `user_version` above 0 and Archipel's tables: they are recognised and
//!   stamped at their next write opening.
//! * A write opening ([`Store::open`]) creates or upgrades only a file that
//!   is empty or Archipel's. Nothing that writes (journal mode, page size,
//!   migrations, the stamp) runs before the check: another program's file,
//!   or one from a newer Archipel, is refused and left byte for byte as it
//!   was.
//! * A read opening ([`Store::open_read_only`]) goes through a read-only
//!   SQLite connection and never migrates: a registry whose schema is older
//!   than the program is refused with the command that upgrades it
//!   (`archipel init`), since reading an older layout with today's code
//!   would misread it. A registry in a folder the reader cannot write (no
//!   `-shm` file can be made beside it) is read as an immutable file when
//!   no write-ahead log is pending beside it.

use crate::error::{connect, engine};
use crate::{migrate, Result, Store, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// `PRAGMA application_id` of an Archipel registry: ASCII "ARCH".
pub const APP_ID: i32 = i32::from_be_bytes(*b"ARCH");

/// Tables every Archipel registry has had since its first schema: with a
/// `user_version` above 0 they mark a registry made before the stamp.
const OWN_TABLES: &[&str] = &["entity", "relation", "batch"];

/// How long a command waits for another one writing to the registry.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page size of new registry files, in bytes.
const PAGE_SIZE: i64 = 16 * 1024;

/// What a file turned out to hold.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// No table, no version, no application id: a new or blank file.
    Empty,
    /// An Archipel registry at this schema version; `stamped` is false for
    /// one made before the application id.
    Registry { version: i64, stamped: bool },
}

/// Reads the application id, schema version and tables of the file behind
/// `conn` (nothing is written) and says whether it is a registry, blank,
/// or something Archipel must not touch.
pub(crate) fn inspect(conn: &Connection, path: &Path) -> Result<Found> {
    let not_ours = |reason: String| StoreError::NotRegistry {
        path: path.to_path_buf(),
        reason,
    };
    let read = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            not_ours("it is not an SQLite database".to_string())
        }
        _ => StoreError::Open {
            path: path.to_path_buf(),
            context: "cannot read".into(),
            source: Some(engine(e)),
        },
    };
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(read)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(read)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(read)?;
    let known = migrate::known();
    let check_version = |version: i64, stamped: bool| {
        if version > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known,
            });
        }
        Ok(Found::Registry { version, stamped })
    };
    if app == APP_ID {
        return check_version(version, true);
    }
    if app != 0 {
        return Err(not_ours(format!(
            "its application id is {:#010x}, another program's",
            app as u32
        )));
    }
    if tables.is_empty() && version == 0 {
        return Ok(Found::Empty);
    }
    let own = OWN_TABLES.iter().all(|t| tables.iter().any(|n| n == t));
    if own && version > 0 {
        return check_version(version, false);
    }
    if tables.is_empty() {
        return Err(not_ours(format!(
            "another program set its version ({version}) and it has no table of Archipel"
        )));
    }
    const SHOWN: usize = 5;
    let mut list = tables
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if tables.len() > SHOWN {
        list.push_str(&format!(" and {} more", tables.len() - SHOWN));
    }
    Err(not_ours(format!(
        "it holds another program's tables ({list})"
    )))
}

fn opening(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        context: "cannot open".into(),
        source: Some(engine(e)),
    }
}

/// Connection settings that write nothing to the file.
fn settle(conn: &Connection, path: &Path) -> Result<()> {
    let set = || -> rusqlite::Result<()> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Reads go through a memory map of the file rather than a copy per
        // page into each connection's cache: searches read many index
        // pages.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(())
    };
    set().map_err(|e| opening(path, e))
}

impl Store {
    /// Opens the registry at `path` for writing: creates it if there is no
    /// file, checks that the file is empty or Archipel's (refusing it
    /// untouched otherwise), and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let found = if path.exists() {
            precheck(path)?
        } else {
            Found::Empty
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = connect(path, flags).map_err(|e| opening(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| opening(path, e))?;
        // SQLite falls back to reading a file it may not write.
        if conn
            .is_readonly(rusqlite::DatabaseName::Main)
            .unwrap_or(false)
        {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                context: "the file cannot be written (read-only file or folder); \
                          commands that only read it still work"
                    .into(),
                source: None,
            });
        }
        if found == Found::Empty {
            // A new file gets 16 KiB pages (SQLite's default is 4 KiB):
            // records are about a kilobyte, so fewer pages split and an
            // import writes about a fifth faster. The size can only be
            // chosen before the first table exists; older files keep
            // theirs.
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        }
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        settle(&conn, path)?;
        // Checks the file again inside its transaction: another process
        // may have written to it since.
        migrate::apply(&mut conn, path)?;
        Ok(Store::with(conn, path, false))
    }

    /// [`Store::open`] for a registry that must already exist.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(missing(path));
        }
        Self::open(path)
    }

    /// Opens an existing registry for reading only: SQLite's read-only
    /// mode, nothing written to the file (no journal mode, no migration).
    /// Another program's file, a blank one, and a registry of another
    /// schema version than this program's are refused.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(missing(path));
        }
        match precheck(path)? {
            Found::Empty => {
                return Err(StoreError::NotRegistry {
                    path: path.to_path_buf(),
                    reason: "it is empty (create a registry with `archipel init`)".into(),
                })
            }
            Found::Registry { version, .. } if version < migrate::known() => {
                return Err(StoreError::TooOld {
                    path: path.to_path_buf(),
                    found: version,
                    known: migrate::known(),
                })
            }
            Found::Registry { .. } => {}
        }
        let conn = match read_only(path, false) {
            Ok(c) => c,
            // A registry in write-ahead-log mode needs a `-shm` file beside
            // it, which a reader cannot make in a folder it may not write.
            // With no log pending beside it, the file says everything and
            // is read as immutable.
            Err(e) if cannot_share(&e) && !sidecar(path, "-wal").exists() => read_only(path, true)
                .map_err(|e2| StoreError::Open {
                    path: path.to_path_buf(),
                    context: format!("cannot open ({}), nor read as an immutable file", engine(e)),
                    source: Some(engine(e2)),
                })?,
            Err(e) => return Err(opening(path, e)),
        };
        Ok(Store::with(conn, path, true))
    }

    /// How long a write waits for another writer before it gives up with
    /// [`StoreError::Busy`] (10 s unless set).
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn.busy_timeout(wait)?;
        Ok(())
    }

    /// Whether this registry was opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

/// What the file at `path` holds, read through a read-only connection
/// that leaves nothing behind: an immutable one (no lock, no `-shm` or
/// `-wal` file made beside it) when no write-ahead log is there, since the
/// file then says everything; a plain read-only one otherwise (it reads
/// the log without ever writing it back to the file, as closing a
/// writable connection would).
fn precheck(path: &Path) -> Result<Found> {
    let size = std::fs::metadata(path)
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            context: "cannot read".into(),
            source: Some(e.into()),
        })?
        .len();
    if size == 0 {
        return Ok(Found::Empty);
    }
    let immutable = !sidecar(path, "-wal").exists();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        connect(uri(path, "immutable=1"), flags | OpenFlags::SQLITE_OPEN_URI)
    } else {
        connect(path, flags)
    }
    .map_err(|e| opening(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| opening(path, e))?;
    inspect(&conn, path)
}

fn missing(path: &Path) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        context: "no such file (create it with `archipel init` or `archipel demo`)".into(),
        source: None,
    }
}

/// The file SQLite keeps beside `path` with this suffix (`-wal`, `-shm`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// A read-only connection to `path`, checked by reading its header;
/// `immutable`: told that nobody changes the file (no locks, no `-shm`).
fn read_only(path: &Path, immutable: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        connect(uri(path, "immutable=1"), flags | OpenFlags::SQLITE_OPEN_URI)?
    } else {
        connect(path, flags)?
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    // The first read opens the write-ahead log and its index, which is
    // where a read-only folder shows.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

/// Whether opening failed for want of a `-shm` file a reader could use.
fn cannot_share(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

/// `file:` URI of `path` with a query, every byte but unreserved ones and
/// `/` percent-encoded.
fn uri(path: &Path, query: &str) -> String {
    use std::fmt::Write;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for b in absolute.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(*b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out.push('?');
    out.push_str(query);
    out
}
