//! Versioned migrations, applied in order inside one transaction each.
//! The schema version is SQLite's `user_version`.

use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension};

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a
/// migration that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_registry.sql"),
    include_str!("../migrations/0002_assessment.sql"),
    include_str!("../migrations/0003_search_column.sql"),
    include_str!("../migrations/0004_data_without_columns.sql"),
    include_str!("../migrations/0005_kind_check_without_in_list.sql"),
];

/// The schema version this program brings registries to.
pub(crate) fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn apply(conn: &mut Connection) -> Result<()> {
    let known = known_version();
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    if current == known {
        return Ok(());
    }
    // A migration may rebuild a table (SQLite changes a constraint no
    // other way). SQLite's procedure for that: foreign keys off while it
    // runs (the setting only changes outside a transaction), and a
    // foreign key check before the change commits.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply_from(conn, current);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    applied
}

fn apply_from(conn: &mut Connection, current: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let dangling: Option<(String, i64)> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((table, rowid)) = dangling {
            return Err(StoreError::Database(format!(
                "migration {}: row {rowid} of table {table} points at a record that does not exist",
                i + 1
            )));
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
