//! Proposals (pending versions of records), their moderation, and the
//! referents whose edits need none (migration 0007).
//!
//! What a proposal may say is decided before it gets here (the record is
//! checked by `archipel-jobs` with the same checks as an import); the
//! store keeps proposals and carries out decisions. A decision is one
//! transaction begun with `BEGIN IMMEDIATE`: the record written (its
//! history kept by the writer), the proposal's status and the audit entry
//! — all of it or nothing, whatever kills the process.

use crate::accounts::{audit, stamp, Audit};
use crate::codec;
use crate::write::{Change, Outcome};
use crate::{Store, StoreError};
use archipel_domain::{Entity, EntityId, EntityKind};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// Why a proposal operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no proposal {0}")]
    NoSuchProposal(i64),
    #[error("proposal {id} is {status} already")]
    Decided { id: i64, status: String },
    #[error("proposal {id}: its record is {record}, not {given}")]
    OtherRecord {
        id: i64,
        record: String,
        given: String,
    },
}

impl From<rusqlite::Error> for ProposalError {
    fn from(e: rusqlite::Error) -> Self {
        ProposalError::Store(e.into())
    }
}

type Result<T> = std::result::Result<T, ProposalError>;

/// A proposal to add.
#[derive(Debug, Clone, Copy)]
pub struct NewProposal<'a> {
    /// `create`, `edit` or `report`.
    pub action: &'a str,
    /// For a report: `wrong`, `duplicate` or `closed`.
    pub report: Option<&'a str>,
    /// The record it is about (for a creation, the id it will have).
    pub record: &'a EntityId,
    /// The record's territory, for the moderation queue's filter.
    pub territory: Option<&'a EntityId>,
    /// The version of the record the proposer saw, and its state.
    pub base: Option<u32>,
    pub base_state: Option<&'a Entity>,
    /// The whole record proposed (none for a report).
    pub proposed: Option<&'a Entity>,
    /// What the proposer says about it.
    pub comment: Option<&'a str>,
    pub account: Option<i64>,
    /// An anonymous proposer's e-mail address.
    pub email: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// A proposal as kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub action: String,
    pub report: Option<String>,
    pub kind: String,
    pub record: String,
    pub territory: Option<String>,
    pub base: Option<u32>,
    pub base_state: Option<Entity>,
    pub proposed: Option<Entity>,
    pub comment: Option<String>,
    pub account: Option<i64>,
    pub email: Option<String>,
    /// `pending`, `accepted`, `refused` or `withdrawn`.
    pub status: String,
    pub created_at: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    /// The moderator's message to the proposer.
    pub message: Option<String>,
    /// The batch that applied it.
    pub batch: Option<i64>,
}

const PROPOSAL_COLUMNS: &str = "id, action, report, kind, record, territory, base, base_state, \
     proposed, comment, account, email, status, created_at, decided_by, decided_at, message, batch";

type RawProposal = (Proposal, Option<String>, Option<String>);

fn proposal_row(r: &Row<'_>) -> rusqlite::Result<RawProposal> {
    Ok((
        Proposal {
            id: r.get(0)?,
            action: r.get(1)?,
            report: r.get(2)?,
            kind: r.get(3)?,
            record: r.get(4)?,
            territory: r.get(5)?,
            base: r.get(6)?,
            base_state: None,
            proposed: None,
            comment: r.get(9)?,
            account: r.get(10)?,
            email: r.get(11)?,
            status: r.get(12)?,
            created_at: r.get(13)?,
            decided_by: r.get(14)?,
            decided_at: r.get(15)?,
            message: r.get(16)?,
            batch: r.get(17)?,
        },
        r.get(7)?,
        r.get(8)?,
    ))
}

fn decode_proposal((mut p, base, proposed): RawProposal) -> Result<Proposal> {
    let what = format!("proposal {}", p.id);
    let read = |text: Option<String>| -> Result<Option<Entity>> {
        Ok(text.map(|t| codec::decode(&what, &t)).transpose()?)
    };
    p.base_state = read(base)?;
    p.proposed = read(proposed)?;
    Ok(p)
}

/// Which proposals to list.
#[derive(Debug, Clone, Default)]
pub struct ProposalQuery {
    /// `pending`… (`None`: any).
    pub status: Option<String>,
    pub kind: Option<EntityKind>,
    /// Proposals on this territory or any below it.
    pub territory: Option<EntityId>,
    /// Made before this time (older proposals).
    pub before: Option<DateTime<Utc>>,
    /// Made at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Made by this account.
    pub account: Option<i64>,
    /// About this record.
    pub record: Option<EntityId>,
    /// At most this many (0: 100).
    pub limit: usize,
}

/// The outcome of an accepted proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The batch that applied it (its versions name it).
    pub batch: i64,
    /// What was written (`None`: a report accepted without a record).
    pub outcome: Option<Outcome>,
}

fn json(e: Option<&Entity>) -> std::result::Result<Option<String>, StoreError> {
    e.map(codec::full_json).transpose()
}

fn insert(tx: &rusqlite::Transaction<'_>, p: &NewProposal<'_>) -> Result<i64> {
    tx.execute(
        "INSERT INTO proposal (action, report, kind, record, territory, base, base_state,
         proposed, comment, account, email, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            p.action,
            p.report,
            p.record.kind().as_str(),
            p.record.as_str(),
            p.territory.map(|t| t.as_str()),
            p.base,
            json(p.base_state)?,
            json(p.proposed)?,
            p.comment,
            p.account,
            p.email,
            stamp(p.at)
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Adds a pending proposal; returns its id. Audited as
    /// `proposal.create`.
    pub fn add_proposal(&mut self, p: &NewProposal<'_>, by: &Audit) -> Result<i64> {
        let ids = self.add_proposals(std::slice::from_ref(p), by)?;
        ids.first().copied().ok_or(ProposalError::NoSuchProposal(0))
    }

    /// Adds proposals made together (an actor with its place), all or
    /// none; returns their ids in order. Each is audited as
    /// `proposal.create`.
    pub fn add_proposals(&mut self, ps: &[NewProposal<'_>], by: &Audit) -> Result<Vec<i64>> {
        self.write_plain("proposal", |tx| {
            let mut ids = Vec::with_capacity(ps.len());
            for p in ps {
                let id = insert(tx, p)?;
                audit(
                    tx,
                    by,
                    "proposal.create",
                    Some(p.record.as_str()),
                    serde_json::json!({"proposal": id, "action": p.action, "report": p.report}),
                )?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    /// A proposal.
    pub fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PROPOSAL_COLUMNS} FROM proposal WHERE id = ?1"
            ))?
            .query_row([id], proposal_row)
            .optional()?;
        row.map(decode_proposal).transpose()
    }

    /// Proposals as `q` says, oldest first.
    pub fn proposals(&self, q: &ProposalQuery) -> Result<Vec<Proposal>> {
        let limit = if q.limit == 0 { 100 } else { q.limit };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposal
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2)
               AND (?3 IS NULL OR territory IN ({} SELECT id FROM tree))
               AND (?4 IS NULL OR created_at < ?4) AND (?5 IS NULL OR created_at >= ?5)
               AND (?6 IS NULL OR account = ?6) AND (?7 IS NULL OR record = ?7)
             ORDER BY created_at, id LIMIT ?8",
            crate::scope::tree("?3")
        ))?;
        let rows = stmt.query_map(
            params![
                q.status,
                q.kind.map(|k| k.as_str()),
                q.territory.as_ref().map(|t| t.as_str()),
                q.before.map(stamp),
                q.since.map(stamp),
                q.account,
                q.record.as_ref().map(|r| r.as_str()),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            proposal_row,
        )?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode_proposal(row?)?);
        }
        Ok(out)
    }

    /// Accepts a pending proposal: writes `record` (the proposed one, or
    /// the moderator's edit of it; `None` for a report that changes
    /// nothing) as `change` (action `proposal`), marks the proposal
    /// accepted with the batch that applied it and `message`, and adds the
    /// audit entry `proposal.accept` — one transaction.
    pub fn accept_proposal(
        &mut self,
        id: i64,
        record: Option<&Entity>,
        message: Option<&str>,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<Applied> {
        self.accept_proposals(&[(id, record)], message, change, by)
    }

    /// Accepts proposals made together, in the order given (a record
    /// before those that point at it), as [`Store::accept_proposal`]
    /// does for one — all in one transaction and one batch. The outcome
    /// is the first proposal's.
    pub fn accept_proposals(
        &mut self,
        items: &[(i64, Option<&Entity>)],
        message: Option<&str>,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<Applied> {
        let (applied, _) = self.write_change(change, 0, |w| -> Result<Applied> {
            let mut first: Option<Option<Outcome>> = None;
            for &(id, record) in items {
                let (target, proposed) = pending(w.tx(), id)?;
                if let Some(r) = record {
                    if r.id().as_str() != target {
                        return Err(ProposalError::OtherRecord {
                            id,
                            record: target,
                            given: r.id().to_string(),
                        });
                    }
                }
                let outcome = record.map(|r| w.upsert(r)).transpose()?;
                let proposed = proposed.map(|t| codec::decode(&target, &t)).transpose()?;
                let edited = match (record, &proposed) {
                    (Some(r), Some(p)) => !r.same_facts(p),
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                decide(w.tx(), id, "accepted", message, by, Some(w.batch()))?;
                audit(
                    w.tx(),
                    by,
                    "proposal.accept",
                    Some(&target),
                    serde_json::json!({"proposal": id, "batch": w.batch(), "edited": edited}),
                )?;
                first.get_or_insert(outcome);
            }
            Ok(Applied {
                batch: w.batch(),
                outcome: first.flatten(),
            })
        })?;
        Ok(applied)
    }

    /// Refuses a pending proposal with a message the proposer sees.
    /// Audited as `proposal.refuse`.
    pub fn refuse_proposal(&mut self, id: i64, message: &str, by: &Audit) -> Result<()> {
        self.refuse_proposals(&[id], message, by)
    }

    /// Refuses proposals made together with one message — all or none.
    pub fn refuse_proposals(&mut self, ids: &[i64], message: &str, by: &Audit) -> Result<()> {
        self.write_plain("refusal of a proposal", |tx| {
            for &id in ids {
                let (target, _) = pending(tx, id)?;
                decide(tx, id, "refused", Some(message), by, None)?;
                audit(
                    tx,
                    by,
                    "proposal.refuse",
                    Some(&target),
                    serde_json::json!({"proposal": id}),
                )?;
            }
            Ok(())
        })
    }

    /// The proposer withdraws a pending proposal. Audited as
    /// `proposal.withdraw`.
    pub fn withdraw_proposal(&mut self, id: i64, by: &Audit) -> Result<()> {
        self.write_plain("withdrawal of a proposal", |tx| {
            let (target, _) = pending(tx, id)?;
            decide(tx, id, "withdrawn", None, by, None)?;
            audit(
                tx,
                by,
                "proposal.withdraw",
                Some(&target),
                serde_json::json!({"proposal": id}),
            )?;
            Ok(())
        })
    }

    /// A referent's edit, applied at once: the proposal is kept as
    /// accepted by its own author, the record written as `change` (action
    /// `referent`), audited as `proposal.referent` — one transaction.
    /// Returns the proposal's id and what was applied.
    pub fn apply_proposal(
        &mut self,
        p: &NewProposal<'_>,
        record: &Entity,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<(i64, Applied)> {
        let (out, _) = self.write_change(change, 0, |w| -> Result<(i64, Applied)> {
            let id = insert(w.tx(), p)?;
            let outcome = w.upsert(record)?;
            decide(w.tx(), id, "accepted", None, by, Some(w.batch()))?;
            audit(
                w.tx(),
                by,
                "proposal.referent",
                Some(p.record.as_str()),
                serde_json::json!({"proposal": id, "batch": w.batch()}),
            )?;
            Ok((
                id,
                Applied {
                    batch: w.batch(),
                    outcome: Some(outcome),
                },
            ))
        })?;
        Ok(out)
    }

    /// Makes `account` a referent of the actor `actor` (the caller checked
    /// that they may be). Audited as `referent.add`.
    pub fn add_referent(&mut self, account: i64, actor: &EntityId, by: &Audit) -> Result<()> {
        self.write_plain("addition of a referent", |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO referent (account, actor, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![account, actor.as_str(), by.actor, stamp(by.at)],
            )?;
            audit(
                tx,
                by,
                "referent.add",
                Some(actor.as_str()),
                serde_json::json!({"account": account}),
            )?;
            Ok(())
        })
    }

    /// The actors `account` is a referent of.
    pub fn referent_of(&self, account: i64) -> crate::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT actor FROM referent WHERE account = ?1 ORDER BY actor")?;
        let rows = stmt.query_map([account], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The record of proposal `id` and the JSON of the record proposed, if
/// it is pending.
fn pending(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<(String, Option<String>)> {
    let row: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT status, record, proposed FROM proposal WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Err(ProposalError::NoSuchProposal(id)),
        Some((status, _, _)) if status != "pending" => Err(ProposalError::Decided { id, status }),
        Some((_, record, proposed)) => Ok((record, proposed)),
    }
}

fn decide(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    status: &str,
    message: Option<&str>,
    by: &Audit,
    batch: Option<i64>,
) -> Result<()> {
    tx.execute(
        "UPDATE proposal SET status = ?2, decided_by = ?3, decided_at = ?4, message = ?5,
         batch = ?6 WHERE id = ?1",
        params![id, status, by.actor, stamp(by.at), message, batch],
    )?;
    Ok(())
}
