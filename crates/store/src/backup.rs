//! Backups of a registry that is in use, and their restoration.
//!
//! [`backup`] copies the registry with SQLite's online backup API through
//! a read-only connection: the copy is the registry as one transaction left
//! it, never a mix, even while a server reads and an import writes (when the
//! registry changes under it, SQLite starts the copy again; after a few
//! restarts the rest is copied in one step, inside one read transaction).
//! The copy goes to a temporary file beside the destination, is checked
//! (`PRAGMA integrity_check`), made a plain single file (rollback journal
//! mode, nothing beside it) and only then renamed into place.
//!
//! [`restore`] checks a backup ([`check`]), copies it beside the registry
//! and renames it over the registry, keeping the registry it replaces as
//! `NAME.before-restore`. It refuses while any other connection has the
//! registry open: a server or an import holding the old file would go on
//! with it, or mix its write-ahead log into the new one.

use crate::migrate;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What can go wrong in a backup or a restoration.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing this file failed; the system's error is the
    /// source (and printed after the path by whoever prints the chain).
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The database engine failed on this file; its error is the source
    /// (a [`Cause`](crate::Cause): no engine type crosses the API).
    #[error("{path}")]
    Database {
        path: PathBuf,
        #[source]
        source: crate::Cause,
    },
    #[error("{path}: no such file")]
    Missing { path: PathBuf },
    #[error("{path}: not an Archipel registry: {reason}")]
    NotRegistry { path: PathBuf, reason: String },
    #[error("{path}: damaged: {report}")]
    Damaged { path: PathBuf, report: String },
    #[error("{path}: schema version {found} is newer than this program knows ({known}); restore it with the version of archipel that wrote it, or a newer one")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: the registry is in use by another program (a server, an import…); stop it (systemctl stop archipel) and restore again")]
    InUse { path: PathBuf },
    #[error("{path}: this is the registry itself; give another file")]
    SameFile { path: PathBuf },
    #[error("{path}: the registry kept changing or stayed locked for {seconds} s; try again when imports are done")]
    Busy { path: PathBuf, seconds: u64 },
}

type Result<T> = std::result::Result<T, BackupError>;

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError::Database {
        path: path.to_path_buf(),
        source: crate::error::engine(e),
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Pages copied per step (with 16 KiB pages, 16 MiB): a step holds a
/// read lock on the registry, so writers never wait long.
const PAGES_PER_STEP: i32 = 1024;
/// Restarts (the registry changed under the copy) after which the rest is
/// copied in one step.
const RESTARTS_BEFORE_ONE_STEP: u32 = 3;
/// How long a registry locked by a writer is waited for.
const LOCK_WAIT: Duration = Duration::from_secs(600);

/// How far a copy has gone, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Pages copied so far.
    pub copied: u64,
    /// Pages of the registry.
    pub total: u64,
}

/// What a backup or a restoration copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Pages and their size in bytes.
    pub pages: u64,
    pub page_size: u64,
    /// Schema version of the copy (`PRAGMA user_version`).
    pub schema_version: i64,
    /// Times the registry changed during the copy and it started again.
    pub restarts: u32,
}

impl Copied {
    /// Size of the copy in bytes.
    pub fn bytes(&self) -> u64 {
        self.pages * self.page_size
    }
}

/// A checked backup: what [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub schema_version: i64,
    /// Records (entities and relations).
    pub records: u64,
}

/// Copies the registry at `registry` into `dest` while other programs use
/// it (see the module documentation). `dest` is replaced only once the
/// copy is complete and checked.
pub fn backup(registry: &Path, dest: &Path, mut progress: impl FnMut(Progress)) -> Result<Copied> {
    if !registry.is_file() {
        return Err(BackupError::Missing {
            path: registry.to_path_buf(),
        });
    }
    if same_file(registry, dest) {
        return Err(BackupError::SameFile {
            path: dest.to_path_buf(),
        });
    }
    let source = open_read_only(registry)?;
    source
        .busy_timeout(Duration::from_secs(5))
        .map_err(sql(registry))?;
    copy_beside(&source, registry, dest, &mut progress)
}

/// Checks that `path` is an Archipel registry this program can restore:
/// SQLite's `integrity_check` and `foreign_key_check` find nothing, the
/// registry's tables are there and its schema is not newer than this
/// program's.
pub fn check(path: &Path) -> Result<BackupInfo> {
    if !path.is_file() {
        return Err(BackupError::Missing {
            path: path.to_path_buf(),
        });
    }
    let conn = open_read_only(path)?;
    check_open(&conn, path)
}

fn check_open(conn: &Connection, path: &Path) -> Result<BackupInfo> {
    let not_registry = |reason: String| BackupError::NotRegistry {
        path: path.to_path_buf(),
        reason,
    };
    // Reading the schema is the first thing that fails on a file that is
    // not a database at all.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| not_registry(e.to_string()))?;
    for needed in ["entity", "relation", "batch"] {
        if !tables.iter().any(|t| t == needed) {
            return Err(not_registry(format!("no table `{needed}`")));
        }
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql(path))?;
    let known = migrate::known();
    if version > known {
        return Err(BackupError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    if version < 1 {
        return Err(not_registry("schema version 0".into()));
    }
    let report: Vec<String> = conn
        .prepare("PRAGMA integrity_check(20)")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(sql(path))?;
    if report != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            report: report.join("; "),
        });
    }
    let dangling: Option<(String, i64)> = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut s| {
            let mut rows = s.query([])?;
            match rows.next()? {
                Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
                None => Ok(None),
            }
        })
        .map_err(sql(path))?;
    if let Some((table, rowid)) = dangling {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            report: format!("row {rowid} of table {table} points at a record that does not exist"),
        });
    }
    let records: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM entity) + (SELECT count(*) FROM relation)",
            [],
            |r| r.get(0),
        )
        .map_err(sql(path))?;
    Ok(BackupInfo {
        schema_version: version,
        records: records as u64,
    })
}

/// Replaces the registry at `registry` with the backup at `backup`, after
/// [`check`]ing it. Refuses while another connection has the registry
/// open. The replaced registry is kept as `NAME.before-restore` (a
/// previous one of that name is replaced). The restored registry is
/// brought up to date the next time it is opened.
pub fn restore(
    backup: &Path,
    registry: &Path,
    mut progress: impl FnMut(Progress),
) -> Result<(BackupInfo, Copied)> {
    let info = check(backup)?;
    if same_file(backup, registry) {
        return Err(BackupError::SameFile {
            path: backup.to_path_buf(),
        });
    }
    // Hold the registry (if there is one) so that nobody else can open it
    // while it is replaced: leaving the write-ahead log is only possible
    // when no other connection has the file open, and an exclusive lock in
    // rollback-journal mode keeps readers out too.
    let held = if registry.exists() {
        Some(hold(registry)?)
    } else {
        None
    };
    let source = open_read_only(backup)?;
    let copied = copy_to_temp(&source, backup, registry, &mut progress)?;
    let (tmp, copied) = copied;
    let kept = kept_path(registry);
    let replaced = (|| {
        if held.is_some() {
            match std::fs::remove_file(&kept) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&kept)(e)),
            }
            std::fs::hard_link(registry, &kept).map_err(io(&kept))?;
        }
        std::fs::rename(&tmp, registry).map_err(io(registry))?;
        sync_dir(registry)
    })();
    if replaced.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    drop(held);
    replaced?;
    // The old registry's shared-memory index would describe the old file.
    let _ = std::fs::remove_file(side_file(registry, "-shm"));
    Ok((info, copied))
}

/// Where [`restore`] keeps the registry it replaces.
pub fn kept_path(registry: &Path) -> PathBuf {
    side_file(registry, ".before-restore")
}

/// Takes the registry for ourselves: out of WAL (possible only when no
/// other connection has it open), then an exclusive lock.
fn hold(registry: &Path) -> Result<Connection> {
    let conn = crate::error::connect(
        registry,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql(registry))?;
    conn.busy_timeout(Duration::from_millis(500))
        .map_err(sql(registry))?;
    let mode: rusqlite::Result<String> =
        conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0));
    match mode.as_deref() {
        Ok("delete") => {}
        Ok(_) => {
            return Err(BackupError::InUse {
                path: registry.to_path_buf(),
            })
        }
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            return Err(BackupError::InUse {
                path: registry.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(BackupError::NotRegistry {
                path: registry.to_path_buf(),
                reason: format!("{e} (move the file away, then restore)"),
            })
        }
    }
    conn.execute_batch("BEGIN EXCLUSIVE")
        .map_err(|_| BackupError::InUse {
            path: registry.to_path_buf(),
        })?;
    Ok(conn)
}

/// Copies through a temporary file beside `dest`, then renames it onto
/// `dest`.
fn copy_beside(
    source: &Connection,
    source_path: &Path,
    dest: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<Copied> {
    let (tmp, copied) = copy_to_temp(source, source_path, dest, progress)?;
    let renamed = std::fs::rename(&tmp, dest)
        .map_err(io(dest))
        .and_then(|()| sync_dir(dest));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed.map(|()| copied)
}

/// Copies `source` into a new temporary file beside `dest` (same folder,
/// so that renaming it is atomic), checked and synced; returns its path.
/// Nothing is left behind on failure.
fn copy_to_temp(
    source: &Connection,
    source_path: &Path,
    dest: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<(PathBuf, Copied)> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "archipel.db".into());
    let tmp = dest.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    // A leftover of a killed run of this very process id.
    let _ = std::fs::remove_file(&tmp);
    let result = copy_into(source, source_path, &tmp, progress);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(side_file(&tmp, "-journal"));
    }
    result.map(|copied| (tmp, copied))
}

fn copy_into(
    source: &Connection,
    source_path: &Path,
    tmp: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<Copied> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(io(tmp))?;
    let mut dest = crate::error::connect(tmp, OpenFlags::default()).map_err(sql(tmp))?;
    let restarts = {
        let backup = Backup::new(source, &mut dest).map_err(sql(source_path))?;
        run(&backup, source_path, progress)?
    };
    // A single file, in rollback-journal mode: copying it alone is enough.
    let mode: String = dest
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(sql(tmp))?;
    if mode != "delete" {
        return Err(BackupError::NotRegistry {
            path: tmp.to_path_buf(),
            reason: format!("journal mode stays `{mode}`"),
        });
    }
    let info = check_open(&dest, tmp)?;
    let page_size: i64 = dest
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .map_err(sql(tmp))?;
    let pages: i64 = dest
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .map_err(sql(tmp))?;
    dest.close().map_err(|(_, e)| sql(tmp)(e))?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io(tmp))?;
    Ok(Copied {
        pages: pages as u64,
        page_size: page_size as u64,
        schema_version: info.schema_version,
        restarts,
    })
}

/// Runs a backup to its end; returns how many times it restarted.
fn run(
    backup: &Backup<'_, '_>,
    source_path: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<u32> {
    let started = Instant::now();
    let mut restarts = 0;
    let mut last_remaining = i64::MAX;
    loop {
        let pages = if restarts >= RESTARTS_BEFORE_ONE_STEP {
            -1
        } else {
            PAGES_PER_STEP
        };
        let step = backup.step(pages).map_err(sql(source_path))?;
        let p = backup.progress();
        let (remaining, total) = (i64::from(p.remaining), i64::from(p.pagecount));
        match step {
            StepResult::Done => {
                progress(Progress {
                    copied: total as u64,
                    total: total as u64,
                });
                return Ok(restarts);
            }
            StepResult::More => {
                if remaining > last_remaining {
                    restarts += 1;
                }
                last_remaining = remaining;
                progress(Progress {
                    copied: (total - remaining).max(0) as u64,
                    total: total as u64,
                });
            }
            // A writer holds the registry (a bulk import in rollback-journal
            // mode locks readers out while it writes its pages).
            StepResult::Busy | StepResult::Locked => {
                if started.elapsed() > LOCK_WAIT {
                    return Err(BackupError::Busy {
                        path: source_path.to_path_buf(),
                        seconds: LOCK_WAIT.as_secs(),
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// A read-only connection: a backup never changes what it copies.
fn open_read_only(path: &Path) -> Result<Connection> {
    crate::error::connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql(path))
}

/// `path` with `suffix` added to its file name.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Makes a rename in `path`'s folder durable.
fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}
