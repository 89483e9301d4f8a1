//! Versioned migrations, applied in order inside one transaction each.
//! The schema version is SQLite's `user_version`.

use crate::{Result, StoreError};
use rusqlite::Connection;

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a
/// migration that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_registry.sql"),
    include_str!("../migrations/0002_assessment.sql"),
    include_str!("../migrations/0003_search_column.sql"),
    include_str!("../migrations/0004_data_without_columns.sql"),
];

pub fn apply(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
