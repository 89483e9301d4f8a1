//! Starting a write transaction, and saying who holds the registry when it
//! cannot start.
//!
//! Every write transaction begins with `BEGIN IMMEDIATE`: it takes the
//! write lock at once, so SQLite's busy timeout applies while another
//! process writes. (A deferred transaction that read first and then tries
//! to write is refused at once when another writer committed meanwhile,
//! whatever the timeout: the 0.1 s "database is locked" of two imports.)
//!
//! While it holds the lock, a writer leaves a note beside the registry
//! (`FILE-writer`: process id, start time, what it is doing); a writer that
//! gave up waiting reads it to say who is writing and since when. The note
//! is removed before the transaction ends; one left by a killed process
//! names a process that no longer runs and is not believed.

use crate::{Result, StoreError};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The note of the writer holding the registry; removed on drop.
pub(crate) struct Note {
    path: Option<PathBuf>,
}

impl Drop for Note {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn note_path(db: &Path) -> PathBuf {
    crate::open::sidecar(db, "-writer")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Begins a write transaction on `conn` (the registry at `db`), waiting up
/// to the busy timeout for another writer; `what` says what this one does
/// ("import (mediation, lieux.csv)"), for the others' messages.
pub(crate) fn begin<'c>(
    conn: &'c Connection,
    db: &Path,
    what: &str,
) -> Result<(Note, Transaction<'c>)> {
    let started = Instant::now();
    let tx = match Transaction::new_unchecked(conn, TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) if is_busy(&e) => {
            return Err(StoreError::Busy {
                path: db.to_path_buf(),
                holder: holder(db),
                waited: started.elapsed(),
            })
        }
        Err(e) => return Err(e.into()),
    };
    let path = note_path(db);
    let text = format!(
        "{}\n{}\n{}\n",
        std::process::id(),
        now_secs(),
        one_line(what)
    );
    let note = Note {
        path: std::fs::write(&path, text).ok().map(|()| path),
    };
    Ok((note, tx))
}

/// Whether an SQLite error says another connection holds the lock.
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Who holds the registry at `db`, from its writer's note.
fn holder(db: &Path) -> String {
    let unknown = "another program is writing to it".to_string();
    let Ok(text) = std::fs::read_to_string(note_path(db)) else {
        return unknown;
    };
    let mut lines = text.lines();
    let (Some(pid), Some(since), Some(what)) = (
        lines.next().and_then(|l| l.parse::<u32>().ok()),
        lines.next().and_then(|l| l.parse::<u64>().ok()),
        lines.next(),
    ) else {
        return unknown;
    };
    if !running(pid) {
        return unknown;
    }
    let for_ = Duration::from_secs(now_secs().saturating_sub(since));
    format!(
        "another {what} has been writing to it for {} (process {pid})",
        duration(for_)
    )
}

/// Whether process `pid` runs, where the system says (Linux's `/proc`);
/// elsewhere it is assumed to.
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// "42 s", "3 min 5 s", "1 h 2 min".
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_plainly() {
        use std::time::Duration;
        assert_eq!(super::duration(Duration::from_secs(42)), "42 s");
        assert_eq!(super::duration(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(super::duration(Duration::from_secs(3720)), "1 h 2 min");
    }
}
