//! Versioned migrations, applied in order inside one transaction each.
//! The schema version is SQLite's `user_version`; the transaction that
//! applies the first one (or the first write opening of a registry made
//! before the application id) also stamps the file with [`APP_ID`].

use crate::error::engine;
use crate::open::{inspect, Found, APP_ID};
use crate::{busy, Result, StoreError};
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a
/// migration that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_registry.sql"),
    include_str!("../migrations/0002_assessment.sql"),
    include_str!("../migrations/0003_search_column.sql"),
    include_str!("../migrations/0004_data_without_columns.sql"),
    include_str!("../migrations/0005_kind_check_without_in_list.sql"),
    include_str!("../migrations/0006_accounts.sql"),
    include_str!("../migrations/0007_history.sql"),
    include_str!("../migrations/0008_duplicates.sql"),
    include_str!("../migrations/0009_public_action.sql"),
    include_str!("../migrations/0010_more_action_kinds.sql"),
    include_str!("../migrations/0011_action_history.sql"),
];

/// The schema version this program writes and reads.
pub(crate) fn known() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the registry behind `conn` (already checked by `inspect`) up to
/// date and stamps it, if it needs either.
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    if inspect(conn, path)?
        == (Found::Registry {
            version: known(),
            stamped: true,
        })
    {
        return Ok(());
    }
    // A migration may rebuild a table (SQLite changes a constraint no
    // other way). SQLite's procedure for that: foreign keys off while it
    // runs (the setting only changes outside a transaction), and a
    // foreign key check before the change commits.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply_steps(conn, path);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    applied
}

fn apply_steps(conn: &Connection, path: &Path) -> Result<()> {
    loop {
        let (note, tx) = busy::begin(conn, path, "upgrade of the registry")?;
        // Another process may have created or upgraded the file since it
        // was checked: look again, now that no one else can write.
        let (version, stamped) = match inspect(&tx, path)? {
            Found::Empty => (0, false),
            Found::Registry { version, stamped } => (version, stamped),
        };
        if !stamped {
            tx.pragma_update(None, "application_id", APP_ID)?;
        }
        let Some(sql) = MIGRATIONS.get(version as usize) else {
            drop(note);
            tx.commit()?;
            return Ok(());
        };
        let step = version + 1;
        let failed = |e: rusqlite::Error| {
            StoreError::database_because(format!("migration {step} failed"), engine(e))
        };
        tx.execute_batch(sql).map_err(failed)?;
        let dangling: Option<(String, i64)> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((table, rowid)) = dangling {
            return Err(StoreError::database(format!(
                "migration {step}: row {rowid} of table {table} points at a record that does not exist"
            )));
        }
        tx.pragma_update(None, "user_version", step)?;
        drop(note);
        tx.commit()?;
    }
}
