//! Histories of records, read from the undo log of migration 0007.
//!
//! A record's current state is its row (`entity` or `relation`), which
//! names the batch that wrote it; every state a batch replaced or removed
//! is a row of `version`, naming the batch that wrote it and the one that
//! replaced it. A record's history is therefore the chain of its `version`
//! rows followed by its current row. Where a state's replacing batch is
//! not the batch that wrote the next state, the record was removed in
//! between (by the replacing batch) and made again later: the chain shows
//! that removal as a version with no state. An import that creates
//! records writes no `version` row: their first version is their row.

use crate::accounts::{audit, Audit};
use crate::codec;
use crate::write::{Change, Writer};
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, ActionId, Entity, EntityId, EntityKind};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

/// A batch of changes as histories show it: when, by whom, how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchInfo {
    pub id: i64,
    /// When it was made (RFC 3339, UTC).
    pub at: String,
    /// `import`, `demo`, `proposal`, `referent`, `restore`.
    pub action: String,
    /// The data set (`mediation`…) or `web`.
    pub source: String,
    pub format: String,
    pub file: Option<String>,
    /// The account that made it (`None`: an import or the command line).
    pub account: Option<i64>,
    /// That account's display name.
    pub account_name: Option<String>,
    /// What it carried out (`proposal:12`, `restore:3`).
    pub note: Option<String>,
    pub inserted: u64,
    pub updated: u64,
    pub removed: u64,
    /// The records it changed, when they are few (not an import's).
    pub records: Option<Vec<String>>,
}

const BATCH_COLUMNS: &str = "b.rowid, b.started_at, b.action, b.source, b.format, b.file, \
     b.account, a.display_name, b.note, b.inserted, b.updated, b.removed, b.records";

fn batch_row(r: &Row<'_>) -> rusqlite::Result<(BatchInfo, Option<String>)> {
    let count =
        |i: usize| -> rusqlite::Result<u64> { Ok(u64::try_from(r.get::<_, i64>(i)?).unwrap_or(0)) };
    Ok((
        BatchInfo {
            id: r.get(0)?,
            at: r.get(1)?,
            action: r.get(2)?,
            source: r.get(3)?,
            format: r.get(4)?,
            file: r.get(5)?,
            account: r.get(6)?,
            account_name: r.get(7)?,
            note: r.get(8)?,
            inserted: count(9)?,
            updated: count(10)?,
            removed: count(11)?,
            records: None,
        },
        r.get(12)?,
    ))
}

fn with_records((mut b, records): (BatchInfo, Option<String>)) -> Result<BatchInfo> {
    if let Some(text) = records {
        b.records = Some(
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                id: format!("batch {}", b.id),
                source: Box::new(e),
            })?,
        );
    }
    Ok(b)
}

/// One version of a record (an entity, or a public action record:
/// `Version<Action>`): a state and the change that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Version<T = Entity> {
    /// 1 for the first version, then in order.
    pub number: u32,
    /// The record as this version left it; `None`: it was removed.
    pub state: Option<T>,
    /// The change that made this version; `None` when unknown (a record
    /// written before the registry kept histories).
    pub by: Option<BatchInfo>,
}

/// What [`Store::restore`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    /// The record has no such version.
    NoSuchVersion,
    /// That version says what the current one does: nothing was written.
    Unchanged,
    /// The version is now the current one (a new version).
    Written,
}

/// The chain of (state, batch that wrote it) from `version` rows
/// (state, written by, replaced by) and the current row, oldest first.
fn chain<T>(
    rows: Vec<(T, Option<i64>, i64)>,
    current: Option<(T, Option<i64>)>,
) -> Vec<(Option<T>, Option<i64>)> {
    let mut out: Vec<(Option<T>, Option<i64>)> = Vec::with_capacity(rows.len() + 1);
    let mut replaced_by: Option<i64> = None;
    let gap = |out: &mut Vec<_>, replaced_by: Option<i64>, next: Option<i64>| {
        // The state before was replaced by a batch that did not write the
        // next one: that batch removed the record.
        if let Some(rb) = replaced_by {
            if next != Some(rb) {
                out.push((None, Some(rb)));
            }
        }
    };
    for (state, written_by, rb) in rows {
        gap(&mut out, replaced_by, written_by);
        out.push((Some(state), written_by));
        replaced_by = Some(rb);
    }
    match current {
        Some((state, written_by)) => {
            gap(&mut out, replaced_by, written_by);
            out.push((Some(state), written_by));
        }
        None => {
            if let Some(rb) = replaced_by {
                out.push((None, Some(rb)));
            }
        }
    }
    out
}

impl Store {
    /// A batch of changes.
    pub fn batch_info(&self, id: i64) -> Result<Option<BatchInfo>> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {BATCH_COLUMNS} FROM batch b LEFT JOIN account a ON a.id = b.account
                 WHERE b.rowid = ?1"
            ))?
            .query_row([id], batch_row)
            .optional()?;
        row.map(with_records).transpose()
    }

    /// The latest batches that changed something, newest first.
    pub fn recent_batches(&self, limit: usize) -> Result<Vec<BatchInfo>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batch b LEFT JOIN account a ON a.id = b.account
             WHERE b.inserted + b.updated + b.removed > 0
             ORDER BY b.rowid DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], batch_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(with_records(row?)?);
        }
        Ok(out)
    }

    /// The last known state of a record: its current one, or the last
    /// kept in its history when it was removed.
    pub fn last_state(&self, id: &EntityId) -> Result<Option<Entity>> {
        if let Some(e) = self.get(id)? {
            return Ok(Some(e));
        }
        let row: Option<String> = self
            .conn
            .prepare_cached("SELECT state FROM version WHERE record = ?1 ORDER BY id DESC LIMIT 1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        row.map(|s| codec::decode(id.as_str(), &s)).transpose()
    }

    /// Every version of a record, oldest first; empty when the registry
    /// never held it.
    pub fn history(&self, id: &EntityId) -> Result<Vec<Version>> {
        self.in_snapshot(|s| s.history_now(id))
    }

    fn history_now(&self, id: &EntityId) -> Result<Vec<Version>> {
        self.versions(read_chain(&self.conn, id)?)
    }

    /// Every version of a public action record, oldest first; empty when
    /// the registry never held it.
    pub fn action_history(&self, id: &ActionId) -> Result<Vec<Version<Action>>> {
        self.in_snapshot(|s| s.versions(read_action_chain(&s.conn, id)?))
    }

    /// A chain of states with the details of the batches that made them.
    fn versions<T>(&self, chain: Vec<(Option<T>, Option<i64>)>) -> Result<Vec<Version<T>>> {
        let mut batches: Vec<(i64, BatchInfo)> = Vec::new();
        let mut out = Vec::new();
        for (i, (state, batch)) in chain.into_iter().enumerate() {
            let by = match batch {
                Some(b) => match batches.iter().find(|(k, _)| *k == b) {
                    Some((_, info)) => Some(info.clone()),
                    None => {
                        let info = self.batch_info(b)?;
                        if let Some(info) = &info {
                            batches.push((b, info.clone()));
                        }
                        info
                    }
                },
                None => None,
            };
            out.push(Version {
                number: number(i),
                state,
                by,
            });
        }
        Ok(out)
    }

    /// Makes version `number` of a record its current one again, as a new
    /// version written by `change` (its action should be `restore`), with
    /// its audit entry (`record.restore`) in the same transaction. A
    /// version with no state (a removal) removes the record. The restored
    /// record keeps its creation time and takes `change.at` as its change
    /// time.
    pub fn restore(
        &mut self,
        id: &EntityId,
        number: u32,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<Restored> {
        let (restored, _) = self.write_change(change, 0, |w| -> Result<Restored> {
            let versions = w.store_history(id)?;
            let Some(v) = versions.iter().find(|v| v.number == number) else {
                return Ok(Restored::NoSuchVersion);
            };
            let current = versions.last().and_then(|v| v.state.as_ref());
            let written = match (&v.state, current) {
                (None, None) => false,
                (None, Some(_)) => w.remove(id)?,
                (Some(state), Some(now)) if state.same_facts(now) => false,
                (Some(state), _) => {
                    let mut rec = state.clone();
                    rec.provenance_mut().updated_at = change.at;
                    w.upsert(&rec)?;
                    true
                }
            };
            if !written {
                return Ok(Restored::Unchanged);
            }
            audit(
                w.tx(),
                by,
                "record.restore",
                Some(id.as_str()),
                serde_json::json!({"version": number, "batch": w.batch()}),
            )?;
            Ok(Restored::Written)
        })?;
        Ok(restored)
    }
}

impl Store {
    /// Makes version `number` of a public action record its current one
    /// again, as [`Store::restore`] does for an entity (audit entry
    /// `record.restore` in the same transaction).
    pub fn restore_action(
        &mut self,
        id: &ActionId,
        number: u32,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<Restored> {
        let (restored, _) = self.write_change(change, 0, |w| -> Result<Restored> {
            let chain = read_action_chain(w.tx(), id)?;
            let Some((Some(state), _)) = chain.get((number as usize).wrapping_sub(1)) else {
                return Ok(Restored::NoSuchVersion);
            };
            let current = chain.last().and_then(|(s, _)| s.as_ref());
            if current.is_some_and(|now| state.same_facts(now)) {
                return Ok(Restored::Unchanged);
            }
            let mut rec = state.clone();
            rec.provenance_mut().updated_at = change.at;
            w.upsert_action(&rec)?;
            audit(
                w.tx(),
                by,
                "record.restore",
                Some(id.as_str()),
                serde_json::json!({"version": number, "batch": w.batch()}),
            )?;
            Ok(Restored::Written)
        })?;
        Ok(restored)
    }
}

fn number(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// A record's chain of states (see [`chain`]) as `conn` sees it.
fn read_chain(conn: &Connection, id: &EntityId) -> Result<Vec<(Option<Entity>, Option<i64>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, batch, replaced_by FROM version WHERE record = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id.as_str()])?;
    let mut kept = Vec::new();
    while let Some(r) = rows.next()? {
        let state: String = r.get(0)?;
        kept.push((codec::decode(id.as_str(), &state)?, r.get(1)?, r.get(2)?));
    }
    let current = if id.kind() == EntityKind::Relation {
        let row: Option<(String, Option<i64>)> = conn
            .prepare_cached("SELECT data, batch FROM relation WHERE id = ?1")?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(data, batch)| Ok::<_, StoreError>((codec::decode(id.as_str(), &data)?, batch)))
            .transpose()?
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT e.batch, {} FROM entity e WHERE e.id = ?1",
            codec::ENTITY_COLUMNS
        ))?;
        let mut rows = stmt.query([id.as_str()])?;
        match rows.next()? {
            Some(r) => Some((codec::entity_from_row(r, 1)?, r.get(0)?)),
            None => None,
        }
    };
    Ok(chain(kept, current))
}

/// A public action record's chain of states as `conn` sees it (records
/// of the `action` table are never removed: the chain ends with its row).
fn read_action_chain(
    conn: &Connection,
    id: &ActionId,
) -> Result<Vec<(Option<Action>, Option<i64>)>> {
    let decode = |state: &str| -> Result<Action> {
        serde_json::from_str(state).map_err(|e| StoreError::Corrupt {
            id: id.to_string(),
            source: Box::new(e),
        })
    };
    let mut stmt = conn.prepare_cached(
        "SELECT state, batch, replaced_by FROM action_version WHERE record = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id.as_str()])?;
    let mut kept = Vec::new();
    while let Some(r) = rows.next()? {
        let state: String = r.get(0)?;
        kept.push((decode(&state)?, r.get(1)?, r.get(2)?));
    }
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT data, batch FROM action WHERE id = ?1")?
        .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let current = row
        .map(|(d, b)| Ok::<_, StoreError>((decode(&d)?, b)))
        .transpose()?;
    Ok(chain(kept, current))
}

impl Writer<'_> {
    /// A record's history as this transaction sees it (with no batch
    /// details).
    pub(crate) fn store_history(&self, id: &EntityId) -> Result<Vec<Version>> {
        Ok(read_chain(self.tx(), id)?
            .into_iter()
            .enumerate()
            .map(|(i, (state, _))| Version {
                number: number(i),
                state,
                by: None,
            })
            .collect())
    }
}
