//! Contributions on public action records (calls, grants, applications,
//! hardware, hosting, events, posts): proposals to create, edit or report
//! one, and their moderation — what [`crate::contribute`] does for the
//! registry's entities, with the same proposals table, the same queue and
//! the same rules.
//!
//! A proposed record passes the checks an import of `archipel-actions`
//! applies ([`check`]: the domain's value rules, the vocabularies, and
//! that every actor, commons, territory and call it points at exists),
//! each problem named by its field. Nothing public changes until a
//! moderator accepts ([`accept`]); the store writes the record, keeps the
//! state it replaces in the record's history, marks the proposal and
//! audits the decision in one transaction. A referent of the actor that
//! gives (a grant's attribuant, an event's organiser, a post's employer…)
//! has their edits applied at once, marked `referent` in the history.
//! Refusing and withdrawing are [`crate::contribute::refuse`] and
//! [`crate::contribute::withdraw`], which apply to any proposal.

use crate::contribute::{
    check_comment, who, ContributionError, FieldError, Policy, Proposer, Report, Submitted,
    WEB_SOURCE,
};
use crate::Decider;
use archipel_content::Content;
use archipel_domain::{diff_records, Action, ActionId, Entity, EntityId, FieldChange, Provenance};
use archipel_store::accounts::Audit;
use archipel_store::proposals::{Applied, NewActionProposal, Proposal, ProposalError};
use archipel_store::{Change, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What is proposed about a public action record.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposed {
    /// A new record, or a new version of an existing one: the whole
    /// record (its provenance is set here).
    Record(Box<Action>),
    /// A report on a record.
    Report { record: ActionId, report: Report },
}

/// A contribution on a public action record.
#[derive(Debug, Clone)]
pub struct Submission {
    pub proposed: Proposed,
    /// The version of the record the proposer saw (`None`: the current
    /// one, or a creation).
    pub base: Option<u32>,
    pub comment: Option<String>,
    pub proposer: Proposer,
    pub at: DateTime<Utc>,
}

/// Checks a public action record the way `archipel import actions` does:
/// the domain's rules for every value, the vocabularies, and that every
/// record it points at exists. Returns each problem with its field; empty
/// when the record may be written.
pub fn check(store: &Store, content: &Content, a: &Action) -> Result<Vec<FieldError>, StoreError> {
    let mut found = content.check_action(a);
    for (field, target) in a.references() {
        if store.get(target)?.is_none() {
            found.push((
                field.to_string(),
                format!("{target} is not in the registry"),
            ));
        }
    }
    for (field, target) in a.action_references() {
        if target != a.id() && store.action(target)?.is_none() {
            found.push((
                field.to_string(),
                format!("{target} is not in the registry"),
            ));
        }
    }
    let mut out: Vec<FieldError> = Vec::new();
    for (field, reason) in found {
        let err = FieldError { field, reason };
        if !out.contains(&err) {
            out.push(err);
        }
    }
    Ok(out)
}

/// `a` as a contribution writes it: its provenance says it came from the
/// web at `at` (the store keeps the record's creation time).
fn contributed(mut a: Action, at: DateTime<Utc>) -> Action {
    *a.provenance_mut() = Provenance::new(WEB_SOURCE, at);
    a
}

/// The territory a record is filed under in the moderation queue: its
/// own, else its giver's.
fn territory_of(store: &Store, a: &Action) -> Result<Option<EntityId>, StoreError> {
    if let Some(t) = a.territory() {
        return Ok(Some(t.clone()));
    }
    Ok(
        match a.giver().map(|g| store.get(g)).transpose()?.flatten() {
            Some(Entity::Actor(x)) => x.territory,
            Some(Entity::Place(x)) => x.territory,
            _ => None,
        },
    )
}

/// The number of a record's current version (`None`: it has none).
fn current_version(store: &Store, id: &ActionId) -> Result<Option<u32>, StoreError> {
    Ok(store.action_history(id)?.last().map(|v| v.number))
}

/// Whether `account` is a referent of the actor giving, as the record is
/// now and as proposed (a referent may not hand a record to another
/// giver without a moderator).
fn by_referent(
    store: &Store,
    account: i64,
    current: Option<&Action>,
    proposed: &Action,
) -> Result<bool, StoreError> {
    let Some(current) = current else {
        return Ok(false);
    };
    let theirs = store.referent_of(account)?;
    let covered = |a: &Action| {
        a.giver()
            .is_some_and(|g| theirs.iter().any(|t| t == g.as_str()))
    };
    Ok(covered(current) && covered(proposed))
}

/// Files a contribution on a public action record: checks it, then keeps
/// it as a pending proposal, or applies it at once when it is an edit by
/// a referent of the actor giving.
pub fn submit(
    store: &mut Store,
    content: &Content,
    policy: Policy,
    s: Submission,
) -> Result<Submitted, ContributionError> {
    let (account, email) = who(policy, &s.proposer)?;
    let comment = s.comment.as_deref();
    check_comment(comment)?;
    let audit = Audit::new(s.at, account, serde_json::Value::Null);
    match s.proposed {
        Proposed::Report { record, report } => {
            let Some(current) = store.action(&record)? else {
                return Err(ContributionError::NoSuchRecord(record.to_string()));
            };
            let base = current_version(store, &record)?;
            let territory = territory_of(store, &current)?;
            let p = NewActionProposal {
                action: "report",
                report: Some(report.as_str()),
                record: &record,
                territory: territory.as_ref(),
                base: s.base.or(base),
                base_state: Some(&current),
                proposed: None,
                comment,
                account,
                email,
                at: s.at,
            };
            Ok(Submitted::Pending(store.add_action_proposal(&p, &audit)?))
        }
        Proposed::Record(a) => {
            let a = contributed(*a, s.at);
            let problems = check(store, content, &a)?;
            if !problems.is_empty() {
                return Err(ContributionError::Invalid(problems));
            }
            let id = a.id().clone();
            let current = store.action(&id)?;
            let base = match &current {
                Some(_) => s.base.or(current_version(store, &id)?),
                None => None,
            };
            let base_state = match (base, &current) {
                (Some(n), Some(_)) => store
                    .action_history(&id)?
                    .into_iter()
                    .find(|v| v.number == n)
                    .and_then(|v| v.state),
                _ => None,
            };
            let territory = territory_of(store, &a)?;
            let p = NewActionProposal {
                action: if current.is_some() { "edit" } else { "create" },
                report: None,
                record: &id,
                territory: territory.as_ref(),
                base,
                base_state: base_state.as_ref(),
                proposed: Some(&a),
                comment,
                account,
                email,
                at: s.at,
            };
            if let Some(acc) = account {
                if by_referent(store, acc, current.as_ref(), &a)? {
                    let change = Change {
                        source: WEB_SOURCE,
                        format: "web",
                        file: None,
                        action: "referent",
                        account,
                        note: None,
                        at: s.at,
                    };
                    let (proposal, applied) =
                        store.apply_action_proposal(&p, &a, &change, &audit)?;
                    return Ok(Submitted::Applied {
                        proposal,
                        batch: applied.batch,
                    });
                }
            }
            Ok(Submitted::Pending(store.add_action_proposal(&p, &audit)?))
        }
    }
}

/// A proposal on a public action record as a moderator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub proposal: Proposal,
    /// The record as it is now (`None`: it does not exist yet).
    pub current: Option<Action>,
    /// Its version now.
    pub current_version: Option<u32>,
    /// The record changed since the proposer saw it: `changes` are
    /// against the current version, `changed_since` says what changed
    /// meanwhile.
    pub stale: bool,
    /// What accepting would change, field by field (empty for a report).
    pub changes: Vec<FieldChange>,
    pub changed_since: Vec<FieldChange>,
    /// What the proposed record breaks now (a record it points at may
    /// have gone, a vocabulary changed).
    pub problems: Vec<FieldError>,
}

/// A proposal on a public action record with its difference against the
/// current version and its problems; `None` when there is no such
/// proposal or it is about an entity.
pub fn review(
    store: &Store,
    content: &Content,
    id: i64,
) -> Result<Option<Review>, ContributionError> {
    let Some(p) = store.proposal(id)? else {
        return Ok(None);
    };
    if !p.is_about_action() {
        return Ok(None);
    }
    let record = ActionId::parse(&p.record)
        .map_err(|_| ContributionError::NoSuchRecord(archipel_domain::echo(&p.record)))?;
    let current = store.action(&record)?;
    let current_version = match &current {
        Some(_) => current_version(store, &record)?,
        None => None,
    };
    let stale = current_version != p.base;
    let changes = match &p.proposed_action {
        Some(a) => diff_records(current.as_ref(), Some(a)),
        None => Vec::new(),
    };
    let changed_since = if stale {
        diff_records(p.base_action.as_ref(), current.as_ref())
    } else {
        Vec::new()
    };
    let problems = match &p.proposed_action {
        Some(a) => check(store, content, a)?,
        None => Vec::new(),
    };
    Ok(Some(Review {
        proposal: p,
        current,
        current_version,
        stale,
        changes,
        changed_since,
        problems,
    }))
}

/// Accepts a pending proposal on a public action record as `by` says (a
/// moderator: the caller checked the role): writes the record proposed,
/// or `edited` (the moderator's edit of it, checked like any proposal),
/// keeps the state it replaces, marks the proposal accepted and audits it
/// — one transaction. A report is accepted without writing unless
/// `edited` is given.
pub fn accept(
    store: &mut Store,
    content: &Content,
    id: i64,
    edited: Option<Action>,
    message: Option<&str>,
    by: &Decider<'_>,
) -> Result<Applied, ContributionError> {
    let Some(p) = store.proposal(id)? else {
        return Err(ProposalError::NoSuchProposal(id).into());
    };
    let record = edited.or(p.proposed_action).map(|a| contributed(a, by.at));
    if let Some(a) = &record {
        let problems = check(store, content, a)?;
        if !problems.is_empty() {
            return Err(ContributionError::Invalid(problems));
        }
    }
    let change = Change {
        source: WEB_SOURCE,
        format: by.via,
        file: None,
        action: "proposal",
        account: by.account,
        note: Some(format!("proposal:{id}")),
        at: by.at,
    };
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    Ok(store.accept_action_proposal(id, record.as_ref(), message, &change, &audit)?)
}
