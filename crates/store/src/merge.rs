//! Merging two records that are one real-world thing, undoing a merge,
//! and remembering pairs a person said are distinct (migration 0008).
//!
//! A merge is one batch (action `merge`, note `merge:ID`): the absorbed
//! record's relations, the places it runs and its referents (accounts
//! that speak for it) go to the kept record,
//! the kept record takes the state the caller made of both (what it
//! lacked, filled from the absorbed one), and the absorbed record is
//! removed. Every state the batch replaced is a `version` row replaced by
//! that batch — the ordinary history — and the `merge` row keeps the
//! absorbed record whole with its provenance. While the merge stands the
//! absorbed id resolves to the kept one ([`Store::resolve`]).
//!
//! Undoing writes those replaced states back, in one batch (action
//! `unmerge`), only when every record the merge wrote is still as the
//! merge left it: a later change to one of them would otherwise be lost
//! or mixed up, and the undo is refused naming it. Both write an audit
//! entry (`record.merge`, `record.unmerge`) in the same transaction.

use crate::accounts::{audit, stamp, Audit};
use crate::codec;
use crate::write::{Change, Writer};
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, Entity, EntityId, EntityKind};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::HashSet;

/// Why a merge or its undo was refused, or the registry's error.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}: no such record")]
    NoSuchRecord(String),
    #[error("{0}: a record cannot be merged with itself")]
    SameRecord(String),
    #[error(
        "{kept} is a {kept_kind} and {absorbed} a {absorbed_kind}: only records of one kind merge"
    )]
    KindsDiffer {
        kept: String,
        kept_kind: &'static str,
        absorbed: String,
        absorbed_kind: &'static str,
    },
    #[error("{0}: only actors, places and commons are merged")]
    NotMergeable(String),
    #[error("the merged record is {given}, not the kept record {kept}")]
    WrongMerged { kept: String, given: String },
    #[error("merge {0}: no such merge")]
    NoSuchMerge(i64),
    #[error("merge {0} was already undone")]
    AlreadyUndone(i64),
    #[error(
        "merge {merge} cannot be undone exactly: {record} changed after it ({what}); \
         undo the later change first"
    )]
    ChangedSince {
        merge: i64,
        record: String,
        what: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a caller asks a merge to do.
#[derive(Debug, Clone)]
pub struct MergeRequest<'a> {
    pub kept: &'a EntityId,
    pub absorbed: &'a EntityId,
    /// The kept record as the merge leaves it (its id is `kept`).
    pub merged: &'a Entity,
    /// `sure` (shared register identifier) or `review` (a person's
    /// decision).
    pub how: &'a str,
    /// The keys that matched (`siret`, `name`, `nearby`…).
    pub why: &'a [String],
}

/// A merge as the log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeInfo {
    pub id: i64,
    pub kept: String,
    pub absorbed: String,
    /// The absorbed record as it was, with its provenance.
    pub absorbed_state: Entity,
    pub how: String,
    pub why: Vec<String>,
    /// The batch that merged.
    pub batch: i64,
    pub account: Option<i64>,
    pub at: String,
    /// The batch that undid it, if it was.
    pub undone_by: Option<i64>,
    pub undone_at: Option<String>,
}

/// What a merge moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    pub merge: i64,
    pub batch: i64,
    /// Relations that now point at the kept record.
    pub relations_moved: u64,
    /// Relations between the two records, removed: they would have tied
    /// the kept record to itself (their states are kept for the undo).
    pub relations_removed: u64,
    /// Places whose operator is now the kept record.
    pub places_moved: u64,
    /// Accounts now referents of the kept actor.
    pub referents_moved: u64,
    /// Public action records (grants, calls) that now point at the kept
    /// record.
    pub actions_moved: u64,
}

/// A referent of the absorbed actor, as the merge moved it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct MovedReferent {
    account: i64,
    created_by: Option<i64>,
    created_at: String,
    /// Not already a referent of the kept actor: the undo removes it there.
    added: bool,
}

/// Moves the absorbed actor's referents to the kept actor.
fn move_referents(w: &Writer<'_>, kept: &str, absorbed: &str) -> Result<Vec<MovedReferent>> {
    let rows: Vec<(i64, Option<i64>, String)> = w
        .tx()
        .prepare_cached(
            "SELECT account, created_by, created_at FROM referent WHERE actor = ?1 ORDER BY account",
        )?
        .query_map([absorbed], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved = Vec::new();
    for (account, created_by, created_at) in rows {
        let n = w
            .tx()
            .prepare_cached(
                "INSERT INTO referent (account, actor, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?
            .execute(params![account, kept, created_by, created_at])?;
        moved.push(MovedReferent {
            account,
            created_by,
            created_at,
            added: n > 0,
        });
    }
    w.tx()
        .prepare_cached("DELETE FROM referent WHERE actor = ?1")?
        .execute([absorbed])?;
    Ok(moved)
}

/// Makes the public action records that point at the absorbed record
/// (giver, beneficiary, territory, a commons supported) point at the kept
/// one; returns their states before, for the undo.
fn move_actions(
    w: &mut Writer<'_>,
    kept: &EntityId,
    absorbed: &EntityId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Action>> {
    // `instr` narrows the rows; the decoded record says exactly.
    let rows: Vec<(String, String)> = w
        .tx()
        .prepare_cached("SELECT id, data FROM action WHERE instr(data, ?1) > 0 ORDER BY id")?
        .query_map([absorbed.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut before = Vec::new();
    for (id, data) in rows {
        let old: Action = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
            id: id.clone(),
            source: e.into(),
        })?;
        let mut new = old.clone();
        if new.repoint(absorbed, kept) {
            new.provenance_mut().updated_at = at;
            w.upsert_action(&new)?;
            before.push(old);
        }
    }
    Ok(before)
}

/// Writes back the public action records a merge moved, after checking
/// that each still says what the merge left.
fn restore_actions(w: &mut Writer<'_>, row: &MergeRow) -> std::result::Result<(), MergeError> {
    let before: Vec<Action> = serde_json::from_str(&row.actions)
        .map_err(|e| StoreError::database_because("reading a merge's public action records", e))?;
    let (Ok(kept), Ok(absorbed)) = (EntityId::parse(&row.kept), EntityId::parse(&row.absorbed))
    else {
        return Err(StoreError::database(format!("merge {}: unreadable ids", row.id)).into());
    };
    for old in &before {
        let id = old.id().as_str();
        let data: Option<String> = w
            .tx()
            .prepare_cached("SELECT data FROM action WHERE id = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
            .map_err(StoreError::from)?;
        let mut left = old.clone();
        left.repoint(&absorbed, &kept);
        let now: Option<Action> = data.and_then(|d| serde_json::from_str(&d).ok());
        match now {
            Some(now) if now.same_facts(&left) => {}
            Some(_) => {
                return Err(MergeError::ChangedSince {
                    merge: row.id,
                    record: id.to_string(),
                    what: "changed since".to_string(),
                })
            }
            None => {
                return Err(MergeError::ChangedSince {
                    merge: row.id,
                    record: id.to_string(),
                    what: "it was removed".to_string(),
                })
            }
        }
        w.upsert_action(old)?;
    }
    Ok(())
}

/// Puts the referents a merge moved back on the absorbed actor.
fn restore_referents(w: &Writer<'_>, kept: &str, absorbed: &str, json: &str) -> Result<()> {
    let moved: Vec<MovedReferent> = serde_json::from_str(json)
        .map_err(|e| StoreError::database_because("reading a merge's referents", e))?;
    for m in moved {
        if m.added {
            w.tx()
                .prepare_cached("DELETE FROM referent WHERE account = ?1 AND actor = ?2")?
                .execute(params![m.account, kept])?;
        }
        w.tx()
            .prepare_cached(
                "INSERT INTO referent (account, actor, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?
            .execute(params![m.account, absorbed, m.created_by, m.created_at])?;
    }
    Ok(())
}

/// What an undo wrote back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmerged {
    pub merge: i64,
    pub batch: i64,
    /// Records and relations written back as they were.
    pub restored: u64,
}

/// Most merges an id is followed through by [`Store::resolve`].
const RESOLVE_HOPS: usize = 64;

const MERGE_COLUMNS: &str = "id, kept, absorbed, absorbed_state, how, why, batch, account, at, \
     undone_by, undone_at, referents, actions";

fn merge_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MergeRow> {
    Ok(MergeRow {
        id: r.get(0)?,
        kept: r.get(1)?,
        absorbed: r.get(2)?,
        absorbed_state: r.get(3)?,
        how: r.get(4)?,
        why: r.get(5)?,
        batch: r.get(6)?,
        account: r.get(7)?,
        at: r.get(8)?,
        undone_by: r.get(9)?,
        undone_at: r.get(10)?,
        referents: r.get(11)?,
        actions: r.get(12)?,
    })
}

struct MergeRow {
    id: i64,
    kept: String,
    absorbed: String,
    absorbed_state: String,
    how: String,
    why: String,
    batch: i64,
    account: Option<i64>,
    at: String,
    undone_by: Option<i64>,
    undone_at: Option<String>,
    referents: String,
    actions: String,
}

impl MergeRow {
    fn info(self) -> Result<MergeInfo> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            id: format!("merge {}", self.id),
            source: Box::new(e),
        };
        Ok(MergeInfo {
            absorbed_state: codec::decode(&self.absorbed, &self.absorbed_state)?,
            why: serde_json::from_str(&self.why).map_err(corrupt)?,
            id: self.id,
            kept: self.kept,
            absorbed: self.absorbed,
            how: self.how,
            batch: self.batch,
            account: self.account,
            at: self.at,
            undone_by: self.undone_by,
            undone_at: self.undone_at,
        })
    }
}

/// A record's current state in this transaction and the batch that
/// wrote it.
fn current(tx: &Transaction<'_>, id: &str) -> Result<Option<(Entity, Option<i64>)>> {
    if id.starts_with("relation:") {
        let row: Option<(String, Option<i64>)> = tx
            .prepare_cached("SELECT data, batch FROM relation WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        return row
            .map(|(data, batch)| Ok((codec::decode(id, &data)?, batch)))
            .transpose();
    }
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT e.batch, {} FROM entity e WHERE e.id = ?1",
        codec::ENTITY_COLUMNS
    ))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some((codec::entity_from_row(r, 1)?, r.get(0)?))),
        None => Ok(None),
    }
}

/// The state `batch` wrote of a record: kept in `version` when a later
/// batch replaced it, else the current one if `batch` wrote it.
fn left_by(tx: &Transaction<'_>, id: &str, batch: i64) -> Result<Option<Entity>> {
    let kept: Option<String> = tx
        .prepare_cached(
            "SELECT state FROM version WHERE record = ?1 AND batch = ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(params![id, batch], |r| r.get(0))
        .optional()?;
    if let Some(state) = kept {
        return Ok(Some(codec::decode(id, &state)?));
    }
    Ok(current(tx, id)?
        .filter(|(_, b)| *b == Some(batch))
        .map(|(e, _)| e))
}

fn ids(tx: &Transaction<'_>, sql: &str, id: &str) -> Result<Vec<String>> {
    let out = tx
        .prepare_cached(sql)?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(out)
}

fn log_merge(
    w: &Writer<'_>,
    req: &MergeRequest<'_>,
    absorbed_state: &Entity,
    referents: &[MovedReferent],
    actions: &[Action],
    change: &Change<'_>,
) -> Result<i64> {
    let why = serde_json::to_string(req.why)
        .map_err(|e| StoreError::database_because("writing a merge's reasons", e))?;
    let referents = serde_json::to_string(referents)
        .map_err(|e| StoreError::database_because("writing a merge's referents", e))?;
    let actions = serde_json::to_string(actions)
        .map_err(|e| StoreError::database_because("writing a merge's public action records", e))?;
    w.tx()
        .prepare_cached(
            "INSERT INTO merge (kept, absorbed, absorbed_state, how, why, batch, account, at,
             referents, actions)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            req.kept.as_str(),
            req.absorbed.as_str(),
            codec::full_json(absorbed_state)?,
            req.how,
            why,
            w.batch(),
            change.account,
            stamp(change.at),
            referents,
            actions,
        ])?;
    Ok(w.tx().last_insert_rowid())
}

/// Says in the batch log what the batch carried out.
fn set_note(w: &Writer<'_>, note: &str) -> Result<()> {
    w.tx()
        .prepare_cached("UPDATE batch SET note = ?2 WHERE rowid = ?1")?
        .execute(params![w.batch(), note])?;
    Ok(())
}

fn read_merge(tx: &Transaction<'_>, id: i64) -> Result<Option<MergeRow>> {
    Ok(tx
        .prepare_cached(&format!("SELECT {MERGE_COLUMNS} FROM merge WHERE id = ?1"))?
        .query_row([id], merge_row)
        .optional()?)
}

/// The states `batch` replaced, each record's first, in the order it
/// replaced them.
fn replaced_by(tx: &Transaction<'_>, batch: i64) -> Result<Vec<(String, Entity)>> {
    let rows: Vec<(String, String)> = tx
        .prepare_cached("SELECT record, state FROM version WHERE replaced_by = ?1 ORDER BY id")?
        .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut seen = HashSet::new();
    let mut states = Vec::new();
    for (record, state) in rows {
        if seen.insert(record.clone()) {
            let e = codec::decode(&record, &state)?;
            states.push((record, e));
        }
    }
    Ok(states)
}

fn mark_undone(w: &Writer<'_>, id: i64, at: &str) -> Result<()> {
    w.tx()
        .prepare_cached("UPDATE merge SET undone_by = ?2, undone_at = ?3 WHERE id = ?1")?
        .execute(params![id, w.batch(), at])?;
    Ok(())
}

fn merge_once(
    w: &mut Writer<'_>,
    req: &MergeRequest<'_>,
    change: &Change<'_>,
    by: &Audit,
) -> std::result::Result<Merged, MergeError> {
    let (kept, absorbed) = (req.kept.as_str(), req.absorbed.as_str());
    if kept == absorbed {
        return Err(MergeError::SameRecord(kept.into()));
    }
    if req.merged.id() != req.kept {
        return Err(MergeError::WrongMerged {
            kept: kept.into(),
            given: req.merged.id().to_string(),
        });
    }
    for id in [req.kept, req.absorbed] {
        if !matches!(
            id.kind(),
            EntityKind::Actor | EntityKind::Place | EntityKind::Commons
        ) {
            return Err(MergeError::NotMergeable(id.to_string()));
        }
    }
    if req.kept.kind() != req.absorbed.kind() {
        return Err(MergeError::KindsDiffer {
            kept: kept.into(),
            kept_kind: req.kept.kind().as_str(),
            absorbed: absorbed.into(),
            absorbed_kind: req.absorbed.kind().as_str(),
        });
    }
    if current(w.tx(), kept)?.is_none() {
        return Err(MergeError::NoSuchRecord(kept.into()));
    }
    let Some((absorbed_state, _)) = current(w.tx(), absorbed)? else {
        return Err(MergeError::NoSuchRecord(absorbed.into()));
    };
    // The relations that touch the absorbed record, then the places it
    // runs, now point at the kept one; they keep their ids.
    let mut relations_moved = 0;
    let mut relations_removed = 0;
    let rels = ids(
        w.tx(),
        "SELECT id FROM relation WHERE subject = ?1 OR object = ?1 ORDER BY id",
        absorbed,
    )?;
    for rid in rels {
        let Some((Entity::Relation(mut r), _)) = current(w.tx(), &rid)? else {
            continue;
        };
        if r.subject == *req.absorbed {
            r.subject = req.kept.clone();
        }
        if r.object == *req.absorbed {
            r.object = req.kept.clone();
        }
        if r.subject == r.object {
            // A relation between the two records says nothing of one.
            w.remove(&r.id)?;
            relations_removed += 1;
            continue;
        }
        r.provenance.updated_at = change.at;
        w.upsert(&Entity::Relation(r))?;
        relations_moved += 1;
    }
    let mut places_moved = 0;
    let places = ids(
        w.tx(),
        "SELECT id FROM entity WHERE owner = ?1 AND kind = 'place' ORDER BY id",
        absorbed,
    )?;
    for pid in places {
        let Some((Entity::Place(mut p), _)) = current(w.tx(), &pid)? else {
            continue;
        };
        p.actor = Some(req.kept.clone());
        p.provenance.updated_at = change.at;
        w.upsert(&Entity::Place(p))?;
        places_moved += 1;
    }
    let referents = move_referents(w, kept, absorbed)?;
    let actions = move_actions(w, req.kept, req.absorbed, change.at)?;
    w.upsert(req.merged)?;
    w.remove(req.absorbed)?;
    let id = log_merge(w, req, &absorbed_state, &referents, &actions, change)?;
    set_note(w, &format!("merge:{id}"))?;
    audit(
        w.tx(),
        by,
        "record.merge",
        Some(kept),
        serde_json::json!({
            "merge": id, "absorbed": absorbed, "how": req.how, "why": req.why,
            "batch": w.batch(), "relations_moved": relations_moved,
            "relations_removed": relations_removed,
            "places_moved": places_moved, "referents_moved": referents.len(),
            "actions_moved": actions.len(),
        }),
    )?;
    Ok(Merged {
        merge: id,
        batch: w.batch(),
        relations_moved,
        relations_removed,
        places_moved,
        referents_moved: referents.len() as u64,
        actions_moved: actions.len() as u64,
    })
}

impl Store {
    /// Merges `req.absorbed` into `req.kept` in one transaction (see the
    /// module). `change.action` should be `merge`.
    pub fn merge(
        &mut self,
        req: &MergeRequest<'_>,
        change: &Change<'_>,
        by: &Audit,
    ) -> std::result::Result<Merged, MergeError> {
        let (m, _) = self.write_change(change, 0, |w| merge_once(w, req, change, by))?;
        Ok(m)
    }

    /// Undoes merge `id` exactly: the records and relations it changed
    /// and the record it absorbed are written back as they were, in one
    /// transaction, and the merge is marked undone. `change.action`
    /// should be `unmerge`.
    pub fn undo_merge(
        &mut self,
        id: i64,
        change: &Change<'_>,
        by: &Audit,
    ) -> std::result::Result<Unmerged, MergeError> {
        let (u, _) = self.write_change(change, 0, |w| -> std::result::Result<_, MergeError> {
            let row = read_merge(w.tx(), id)?.ok_or(MergeError::NoSuchMerge(id))?;
            if row.undone_by.is_some() {
                return Err(MergeError::AlreadyUndone(id));
            }
            // The states the merge replaced, in the order it replaced them.
            let mut states = replaced_by(w.tx(), row.batch)?;
            // Every record the merge wrote or removed still says what the
            // merge left (a later change undone since is no change).
            for (record, _) in &states {
                let now = current(w.tx(), record)?;
                let changed = match (&now, record == &row.absorbed) {
                    (None, true) => None,
                    (Some(_), true) => Some("it exists again".to_string()),
                    (Some((state, b)), false) => match left_by(w.tx(), record, row.batch)? {
                        Some(left) if left.same_facts(state) => None,
                        _ => Some(match b {
                            Some(b) => format!("written by batch {b}"),
                            None => "written since".to_string(),
                        }),
                    },
                    // Removed by the merge itself (a relation between the
                    // two records) and still gone: as the merge left it.
                    (None, false) => {
                        left_by(w.tx(), record, row.batch)?.map(|_| "it was removed".to_string())
                    }
                };
                if let Some(what) = changed {
                    return Err(MergeError::ChangedSince {
                        merge: id,
                        record: record.clone(),
                        what,
                    });
                }
            }
            // The absorbed record first, so that what points back at it
            // finds it.
            states.sort_by_key(|(r, _)| r != &row.absorbed);
            let mut restored = 0;
            for (_, state) in &states {
                w.upsert(state)?;
                restored += 1;
            }
            restore_referents(w, &row.kept, &row.absorbed, &row.referents)?;
            restore_actions(w, &row)?;
            mark_undone(w, id, &stamp(change.at))?;
            set_note(w, &format!("unmerge:{id}"))?;
            audit(
                w.tx(),
                by,
                "record.unmerge",
                Some(&row.kept),
                serde_json::json!({"merge": id, "absorbed": row.absorbed, "batch": w.batch()}),
            )?;
            Ok(Unmerged {
                merge: id,
                batch: w.batch(),
                restored,
            })
        })?;
        Ok(u)
    }

    /// A merge from the log.
    pub fn merge_info(&self, id: i64) -> Result<Option<MergeInfo>> {
        let row = self
            .conn
            .prepare_cached(&format!("SELECT {MERGE_COLUMNS} FROM merge WHERE id = ?1"))?
            .query_row([id], merge_row)
            .optional()?;
        row.map(MergeRow::info).transpose()
    }

    /// Every merge, oldest first (`standing`: only those not undone).
    pub fn merges(&self, standing: bool) -> Result<Vec<MergeInfo>> {
        let sql = format!(
            "SELECT {MERGE_COLUMNS} FROM merge {} ORDER BY id",
            if standing {
                "WHERE undone_by IS NULL"
            } else {
                ""
            }
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], merge_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?.info()?);
        }
        Ok(out)
    }

    /// The standing merges into `kept`: the records it absorbed, each as
    /// it was with its provenance.
    pub fn absorbed_into(&self, kept: &EntityId) -> Result<Vec<MergeInfo>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MERGE_COLUMNS} FROM merge WHERE kept = ?1 AND undone_by IS NULL ORDER BY id"
        ))?;
        let rows = stmt.query_map([kept.as_str()], merge_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?.info()?);
        }
        Ok(out)
    }

    /// The record an id names now: itself when it exists, else the
    /// record a standing merge absorbed it into (followed through later
    /// merges); `None` when neither.
    pub fn resolve(&self, id: &EntityId) -> Result<Option<EntityId>> {
        let mut at = id.clone();
        for _ in 0..RESOLVE_HOPS {
            if self.get(&at)?.is_some() {
                return Ok(Some(at));
            }
            let next: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT kept FROM merge WHERE absorbed = ?1 AND undone_by IS NULL
                     ORDER BY id DESC LIMIT 1",
                )?
                .query_row([at.as_str()], |r| r.get(0))
                .optional()?;
            match next.map(|k| EntityId::parse(&k)) {
                Some(Ok(k)) => at = k,
                Some(Err(e)) => {
                    return Err(StoreError::Corrupt {
                        id: format!("merge of {at}"),
                        source: Box::new(e),
                    })
                }
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Records that two records are distinct things, never to be proposed
    /// as duplicates again; with its audit entry (`record.separate`).
    /// False when it was known already.
    pub fn separate(&mut self, a: &EntityId, b: &EntityId, by: &Audit) -> Result<bool> {
        let (x, y) = ordered(a.as_str(), b.as_str());
        self.write_plain("separation of two records", |tx| -> Result<bool> {
            let n = tx
                .prepare_cached(
                    "INSERT INTO distinct_pair (a, b, account, at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![x, y, by.actor, stamp(by.at)])?;
            if n > 0 {
                audit(
                    tx,
                    by,
                    "record.separate",
                    Some(x),
                    serde_json::json!({"other": y}),
                )?;
            }
            Ok(n > 0)
        })
    }

    /// Every pair said distinct, each as (smaller id, larger id).
    pub fn separated(&self) -> Result<HashSet<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT a, b FROM distinct_pair")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A pair in the order `distinct_pair` keeps it.
pub fn ordered<'s>(a: &'s str, b: &'s str) -> (&'s str, &'s str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}
