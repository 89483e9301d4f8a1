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
use archipel_domain::{Action, ActionId, ActionKind, Entity, EntityId, EntityKind};
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
    #[error("proposal {id} is about a {kind} record, which this decision does not apply to")]
    OtherKind { id: i64, kind: String },
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

/// A proposal about a public action record (`archipel_domain::Action`:
/// a call, a grant, an event…) to add: the same as [`NewProposal`], with
/// an action record where that has an entity.
#[derive(Debug, Clone, Copy)]
pub struct NewActionProposal<'a> {
    /// `create`, `edit` or `report`.
    pub action: &'a str,
    pub report: Option<&'a str>,
    pub record: &'a ActionId,
    pub territory: Option<&'a EntityId>,
    pub base: Option<u32>,
    pub base_state: Option<&'a Action>,
    pub proposed: Option<&'a Action>,
    pub comment: Option<&'a str>,
    pub account: Option<i64>,
    pub email: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// A proposal as kept. One about a public action record (its `kind` is
/// an action kind: `grant`, `event`…) carries its records in
/// `base_action` and `proposed_action`, and none in `base_state` and
/// `proposed`.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_action: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_action: Option<Action>,
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
            base_action: None,
            proposed_action: None,
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
    if p.is_about_action() {
        let read = |text: Option<String>| -> Result<Option<Action>> {
            text.map(|t| {
                serde_json::from_str(&t).map_err(|e| {
                    ProposalError::Store(StoreError::Corrupt {
                        id: what.clone(),
                        source: Box::new(e),
                    })
                })
            })
            .transpose()
        };
        p.base_action = read(base)?;
        p.proposed_action = read(proposed)?;
        return Ok(p);
    }
    let read = |text: Option<String>| -> Result<Option<Entity>> {
        Ok(text.map(|t| codec::decode(&what, &t)).transpose()?)
    };
    p.base_state = read(base)?;
    p.proposed = read(proposed)?;
    Ok(p)
}

/// Whether a proposal's `kind` names a kind of public action record.
fn action_kind(kind: &str) -> bool {
    ActionKind::ALL.iter().any(|k| k.as_str() == kind)
}

impl Proposal {
    /// Whether it is about a public action record (not an entity).
    pub fn is_about_action(&self) -> bool {
        action_kind(&self.kind)
    }

    /// The name of the record it is about: the proposed one's, else the
    /// one the proposer saw.
    pub fn record_name(&self) -> Option<&str> {
        self.proposed
            .as_ref()
            .or(self.base_state.as_ref())
            .map(Entity::name)
            .or_else(|| {
                self.proposed_action
                    .as_ref()
                    .or(self.base_action.as_ref())
                    .map(Action::name)
            })
    }
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
    insert_row(
        tx,
        p.record.kind().as_str(),
        p.record.as_str(),
        &ProposalRow {
            action: p.action,
            report: p.report,
            territory: p.territory,
            base: p.base,
            base_state: json(p.base_state)?,
            proposed: json(p.proposed)?,
            comment: p.comment,
            account: p.account,
            email: p.email,
            at: p.at,
        },
    )
}

fn action_json(a: Option<&Action>) -> std::result::Result<Option<String>, StoreError> {
    a.map(|a| {
        serde_json::to_string(a).map_err(|e| StoreError::database_because("encoding a record", e))
    })
    .transpose()
}

fn insert_action(tx: &rusqlite::Transaction<'_>, p: &NewActionProposal<'_>) -> Result<i64> {
    insert_row(
        tx,
        p.record.kind().as_str(),
        p.record.as_str(),
        &ProposalRow {
            action: p.action,
            report: p.report,
            territory: p.territory,
            base: p.base,
            base_state: action_json(p.base_state)?,
            proposed: action_json(p.proposed)?,
            comment: p.comment,
            account: p.account,
            email: p.email,
            at: p.at,
        },
    )
}

/// A proposal's columns, its records already encoded.
struct ProposalRow<'a> {
    action: &'a str,
    report: Option<&'a str>,
    territory: Option<&'a EntityId>,
    base: Option<u32>,
    base_state: Option<String>,
    proposed: Option<String>,
    comment: Option<&'a str>,
    account: Option<i64>,
    email: Option<&'a str>,
    at: DateTime<Utc>,
}

fn insert_row(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    record: &str,
    p: &ProposalRow<'_>,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO proposal (action, report, kind, record, territory, base, base_state,
         proposed, comment, account, email, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            p.action,
            p.report,
            kind,
            record,
            p.territory.map(|t| t.as_str()),
            p.base,
            p.base_state,
            p.proposed,
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

    /// Whether a pending proposal is about the record with this id (an
    /// entity's or a public action record's).
    pub fn pending_proposal_for(&self, record: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM proposal WHERE record = ?1 AND status = 'pending' LIMIT 1",
            )?
            .query_row([record], |_| Ok(()))
            .optional()?
            .is_some())
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
                let (_, target, _) = pending_kind(tx, id)?;
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
            let (_, target, _) = pending_kind(tx, id)?;
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

    /// Adds a pending proposal about a public action record; returns its
    /// id. Audited as `proposal.create`.
    pub fn add_action_proposal(&mut self, p: &NewActionProposal<'_>, by: &Audit) -> Result<i64> {
        self.write_plain("proposal", |tx| {
            let id = insert_action(tx, p)?;
            audit(
                tx,
                by,
                "proposal.create",
                Some(p.record.as_str()),
                serde_json::json!({"proposal": id, "action": p.action, "report": p.report}),
            )?;
            Ok(id)
        })
    }

    /// Accepts a pending proposal about a public action record, as
    /// [`Store::accept_proposal`] does for an entity: writes `record` (the
    /// proposed one or the moderator's edit of it; `None` for a report),
    /// its replaced state kept in its history, the proposal marked
    /// accepted and `proposal.accept` audited — one transaction.
    pub fn accept_action_proposal(
        &mut self,
        id: i64,
        record: Option<&Action>,
        message: Option<&str>,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<Applied> {
        let (applied, _) = self.write_change(change, 0, |w| -> Result<Applied> {
            let (kind, target, proposed) = pending_kind(w.tx(), id)?;
            if !action_kind(&kind) {
                return Err(ProposalError::OtherKind { id, kind });
            }
            if let Some(r) = record {
                if r.id().as_str() != target {
                    return Err(ProposalError::OtherRecord {
                        id,
                        record: target,
                        given: r.id().to_string(),
                    });
                }
            }
            let outcome = record.map(|r| w.upsert_action(r)).transpose()?;
            let proposed: Option<Action> = proposed
                .map(|t| {
                    serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                        id: format!("proposal {id}"),
                        source: Box::new(e),
                    })
                })
                .transpose()?;
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
            Ok(Applied {
                batch: w.batch(),
                outcome,
            })
        })?;
        Ok(applied)
    }

    /// A referent's proposal about a public action record, applied at
    /// once, as [`Store::apply_proposal`] does for an entity.
    pub fn apply_action_proposal(
        &mut self,
        p: &NewActionProposal<'_>,
        record: &Action,
        change: &Change<'_>,
        by: &Audit,
    ) -> Result<(i64, Applied)> {
        let (out, _) = self.write_change(change, 0, |w| -> Result<(i64, Applied)> {
            let id = insert_action(w.tx(), p)?;
            let outcome = w.upsert_action(record)?;
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
    let (kind, record, proposed) = pending_kind(tx, id)?;
    if action_kind(&kind) {
        return Err(ProposalError::OtherKind { id, kind });
    }
    Ok((record, proposed))
}

/// The kind, record and proposed JSON of proposal `id`, if it is
/// pending (any kind).
fn pending_kind(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
) -> Result<(String, String, Option<String>)> {
    let row: Option<(String, String, String, Option<String>)> = tx
        .query_row(
            "SELECT status, kind, record, proposed FROM proposal WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match row {
        None => Err(ProposalError::NoSuchProposal(id)),
        Some((status, ..)) if status != "pending" => Err(ProposalError::Decided { id, status }),
        Some((_, kind, record, proposed)) => Ok((kind, record, proposed)),
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
