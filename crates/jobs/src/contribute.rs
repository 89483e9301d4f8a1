//! Contributions: proposals to create, edit or report a record of any
//! kind, their moderation, and referents, as plain functions the web
//! forms and `archipel proposals` call.
//!
//! A proposed record passes the checks an import applies ([`check`]:
//! the domain's value rules, identifiers, coordinates, vocabularies, and
//! that what it points at exists), each problem named by its field.
//! Nothing public changes until a moderator accepts ([`accept`]); the
//! store carries out a decision in one transaction (record, history,
//! proposal status, audit entry). A referent's edits to their actor and
//! its places are applied at once ([`submit`] returns
//! [`Submitted::Applied`]) and marked `referent` in the history.

use archipel_content::Content;
use archipel_domain::{
    diff, likely_duplicate, Duplicate, Entity, EntityId, EntityKind, FieldChange, Provenance,
};
use archipel_store::accounts::Audit;
use archipel_store::proposals::{Applied, NewProposal, Proposal, ProposalError};
use archipel_store::{Change, SearchQuery, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use crate::Decider;

/// The source a contributed record's provenance names.
pub const WEB_SOURCE: &str = "web";

/// A problem with one field of a proposed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field as a path in the record's JSON form (`identifiers.siret`).
    pub field: String,
    pub reason: String,
}

/// Why a contribution or a decision could not be made. Nothing was
/// written.
#[derive(Debug, thiserror::Error)]
pub enum ContributionError {
    /// The record proposed breaks these rules, field by field.
    #[error("the record is invalid: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.reason)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("proposals without an account are not accepted here")]
    AnonymousNotAllowed,
    #[error("{0}: no such record")]
    NoSuchRecord(String),
    #[error("proposal {0} was made by another account")]
    NotYours(i64),
    #[error(transparent)]
    Proposal(#[from] ProposalError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a report says is wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    /// Something in it is wrong.
    Wrong,
    /// It is the same as another record.
    Duplicate,
    /// It no longer exists (a place closed, an organisation dissolved).
    Closed,
}

impl Report {
    pub fn as_str(self) -> &'static str {
        match self {
            Report::Wrong => "wrong",
            Report::Duplicate => "duplicate",
            Report::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Report> {
        [Report::Wrong, Report::Duplicate, Report::Closed]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposer {
    Account(i64),
    /// Someone without an account, giving an e-mail address (only when
    /// the configuration allows it).
    Anonymous(String),
}

/// What is proposed.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposed {
    /// A new record, or a new version of an existing one: the whole
    /// record (its provenance is set here).
    Record(Box<Entity>),
    /// A report on a record.
    Report { record: EntityId, report: Report },
}

/// A contribution.
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

/// What the configuration allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// Proposals with an e-mail address and no account (off by default).
    pub anonymous: bool,
}

/// What became of a contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Waiting for a moderator.
    Pending(i64),
    /// A referent's edit, applied at once.
    Applied { proposal: i64, batch: i64 },
}

/// Checks a record the way an import does: the domain's rules for every
/// value, identifiers (SIRET and SIREN check digits, RNA, Wikidata),
/// coordinates, vocabularies, and that every record it points at exists.
/// Returns each problem with its field; empty when the record may be
/// written.
pub fn check(store: &Store, content: &Content, e: &Entity) -> Result<Vec<FieldError>, StoreError> {
    let mut found: Vec<(String, String)> = content.check_entity(e);
    found.extend(archipel_formats::native::record_problems(e));
    for (field, target) in e.references() {
        if store.get(target)?.is_none() {
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

/// `e` as a contribution writes it: its provenance says it came from the
/// web at `at` (the store keeps the record's creation time).
fn contributed(mut e: Entity, at: DateTime<Utc>) -> Entity {
    *e.provenance_mut() = Provenance::new(WEB_SOURCE, at);
    e
}

/// The territory a proposal is filed under in the moderation queue.
fn territory_of(store: &Store, e: &Entity) -> Result<Option<EntityId>, StoreError> {
    Ok(match e {
        Entity::Actor(a) => a.territory.clone(),
        Entity::Place(p) => p.territory.clone(),
        Entity::Territory(t) => Some(t.id.clone()),
        Entity::Commons(_) => None,
        Entity::Relation(r) => match store.get(&r.subject)? {
            Some(s) if !matches!(s, Entity::Relation(_)) => territory_of(store, &s)?,
            _ => None,
        },
    })
}

/// The actor a record is covered by for its referents: an actor itself,
/// a place's operator.
fn referent_actor(e: &Entity) -> Option<&EntityId> {
    match e {
        Entity::Actor(a) => Some(&a.id),
        Entity::Place(p) => p.actor.as_ref(),
        _ => None,
    }
}

/// Whether `account` is a referent for `record` as it is now and as
/// proposed: an edit of their actor or of one of its places (which stays
/// theirs).
fn by_referent(
    store: &Store,
    account: i64,
    current: Option<&Entity>,
    proposed: &Entity,
) -> Result<bool, StoreError> {
    let Some(current) = current else {
        return Ok(false);
    };
    let theirs = store.referent_of(account)?;
    let covered =
        |e: &Entity| referent_actor(e).is_some_and(|a| theirs.iter().any(|t| t == a.as_str()));
    Ok(covered(current) && covered(proposed))
}

/// Files a contribution: checks it, then keeps it as a pending proposal,
/// or applies it at once when it is a referent's edit.
pub fn submit(
    store: &mut Store,
    content: &Content,
    policy: Policy,
    s: Submission,
) -> Result<Submitted, ContributionError> {
    let (account, email) = match &s.proposer {
        Proposer::Account(a) => (Some(*a), None),
        Proposer::Anonymous(_) if !policy.anonymous => {
            return Err(ContributionError::AnonymousNotAllowed)
        }
        Proposer::Anonymous(m) => {
            if let Err(reason) = archipel_domain::check_email(m) {
                return Err(ContributionError::Invalid(vec![FieldError {
                    field: "email".into(),
                    reason,
                }]));
            }
            (None, Some(m.as_str()))
        }
    };
    let comment = s.comment.as_deref();
    if let Some(c) = comment {
        if let Err(reason) = archipel_domain::check_text(c, archipel_domain::TextKind::Block) {
            return Err(ContributionError::Invalid(vec![FieldError {
                field: "comment".into(),
                reason,
            }]));
        }
    }
    let audit = Audit::new(s.at, account, serde_json::Value::Null);
    match s.proposed {
        Proposed::Report { record, report } => {
            let Some(current) = store.get(&record)? else {
                return Err(ContributionError::NoSuchRecord(record.to_string()));
            };
            let base = current_version(store, &record)?;
            let territory = territory_of(store, &current)?;
            let p = NewProposal {
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
            Ok(Submitted::Pending(store.add_proposal(&p, &audit)?))
        }
        Proposed::Record(e) => {
            let e = contributed(*e, s.at);
            let problems = check(store, content, &e)?;
            if !problems.is_empty() {
                return Err(ContributionError::Invalid(problems));
            }
            let id = e.id().clone();
            let current = store.get(&id)?;
            let base = match &current {
                Some(_) => s.base.or(current_version(store, &id)?),
                None => None,
            };
            // The state the proposer saw: the base version's.
            let base_state = match (base, &current) {
                (Some(n), Some(_)) => store
                    .history(&id)?
                    .into_iter()
                    .find(|v| v.number == n)
                    .and_then(|v| v.state),
                _ => None,
            };
            let territory = territory_of(store, &e)?;
            let p = NewProposal {
                action: if current.is_some() { "edit" } else { "create" },
                report: None,
                record: &id,
                territory: territory.as_ref(),
                base,
                base_state: base_state.as_ref(),
                proposed: Some(&e),
                comment,
                account,
                email,
                at: s.at,
            };
            if let Some(a) = account {
                if by_referent(store, a, current.as_ref(), &e)? {
                    let change = Change {
                        source: WEB_SOURCE,
                        format: "web",
                        file: None,
                        action: "referent",
                        account,
                        note: None,
                        at: s.at,
                    };
                    let (proposal, applied) = store.apply_proposal(&p, &e, &change, &audit)?;
                    return Ok(Submitted::Applied {
                        proposal,
                        batch: applied.batch,
                    });
                }
            }
            Ok(Submitted::Pending(store.add_proposal(&p, &audit)?))
        }
    }
}

/// The number of a record's current version (`None`: it has none).
fn current_version(store: &Store, id: &EntityId) -> Result<Option<u32>, StoreError> {
    Ok(store.history(id)?.last().map(|v| v.number))
}

/// A record another one likely duplicates, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateOf {
    pub id: String,
    pub name: String,
    pub why: Duplicate,
}

/// Most candidates a search brings for a duplicate check.
const CANDIDATES: usize = 50;

/// Records of the registry `e` likely duplicates (the same SIRET, RNA or
/// Wikidata item, or the same name in the same place), found through the
/// search index (identifiers and names are searched words).
pub fn duplicates(store: &Store, e: &Entity) -> Result<Vec<DuplicateOf>, StoreError> {
    let mut queries: Vec<String> = archipel_domain::identifier_keys(e)
        .into_iter()
        .map(|(_, v)| v.to_string())
        .collect();
    queries.push(archipel_domain::normalised_name(e.name()));
    let mut out: Vec<DuplicateOf> = Vec::new();
    for text in queries {
        if !SearchQuery::has_words(&text) || e.kind() == EntityKind::Relation {
            continue;
        }
        let q = SearchQuery {
            kind: Some(e.kind()),
            limit: CANDIDATES,
            ..SearchQuery::text(text)
        };
        for hit in store.search(&q)?.hits {
            if out.iter().any(|d| d.id == hit.id) {
                continue;
            }
            let Ok(id) = EntityId::parse(&hit.id) else {
                continue;
            };
            let Some(other) = store.get(&id)? else {
                continue;
            };
            if let Some(why) = likely_duplicate(e, &other) {
                out.push(DuplicateOf {
                    id: hit.id,
                    name: other.name().to_string(),
                    why,
                });
            }
        }
    }
    Ok(out)
}

/// A proposal as a moderator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub proposal: Proposal,
    /// The record as it is now (`None`: it does not exist).
    pub current: Option<Entity>,
    /// Its version now.
    pub current_version: Option<u32>,
    /// The record changed since the proposer saw it (an import or another
    /// decision): `changes` are against the current version, and
    /// `changed_since` says what changed meanwhile.
    pub stale: bool,
    /// What accepting would change, field by field, against the current
    /// version (empty for a report).
    pub changes: Vec<FieldChange>,
    /// What changed between the version the proposer saw and the current
    /// one.
    pub changed_since: Vec<FieldChange>,
    /// Records the proposed one likely duplicates.
    pub duplicates: Vec<DuplicateOf>,
    /// What the proposed record breaks now (vocabularies may have changed
    /// since it was made, or a record it points at been removed).
    pub problems: Vec<FieldError>,
}

/// A proposal with its difference against the current version, the
/// base-version mismatch, likely duplicates and problems.
pub fn review(
    store: &Store,
    content: &Content,
    id: i64,
) -> Result<Option<Review>, ContributionError> {
    let Some(p) = store.proposal(id)? else {
        return Ok(None);
    };
    let record = EntityId::parse(&p.record)
        .map_err(|_| ContributionError::NoSuchRecord(archipel_domain::echo(&p.record)))?;
    let current = store.get(&record)?;
    let current_version = match &current {
        Some(_) => current_version(store, &record)?,
        None => None,
    };
    let stale = current_version != p.base;
    let changes = match &p.proposed {
        Some(e) => diff(current.as_ref(), Some(e)),
        None => Vec::new(),
    };
    let changed_since = if stale {
        diff(p.base_state.as_ref(), current.as_ref())
    } else {
        Vec::new()
    };
    let subject = p.proposed.as_ref().or(current.as_ref());
    let duplicates = match subject {
        Some(e) => duplicates(store, e)?,
        None => Vec::new(),
    };
    let problems = match &p.proposed {
        Some(e) => check(store, content, e)?,
        None => Vec::new(),
    };
    Ok(Some(Review {
        proposal: p,
        current,
        current_version,
        stale,
        changes,
        changed_since,
        duplicates,
        problems,
    }))
}

/// Accepts a pending proposal as `by` says (a moderator: the caller
/// checked the role): writes the record
/// proposed, or `edited` (the moderator's edit of it, checked like any
/// proposal), keeps the version, marks the proposal accepted and audits
/// it — one transaction. A report is accepted without writing unless
/// `edited` is given.
pub fn accept(
    store: &mut Store,
    content: &Content,
    id: i64,
    edited: Option<Entity>,
    message: Option<&str>,
    by: &Decider<'_>,
) -> Result<Applied, ContributionError> {
    let (account, via, at) = (by.account, by.via, by.at);
    let Some(p) = store.proposal(id)? else {
        return Err(ProposalError::NoSuchProposal(id).into());
    };
    let record = match edited.or(p.proposed) {
        Some(e) => {
            let e = contributed(e, at);
            let problems = check(store, content, &e)?;
            if !problems.is_empty() {
                return Err(ContributionError::Invalid(problems));
            }
            Some(e)
        }
        None => None,
    };
    let note = format!("proposal:{id}");
    let change = Change {
        source: WEB_SOURCE,
        format: via,
        file: None,
        action: "proposal",
        account,
        note: Some(note),
        at,
    };
    let audit = Audit::new(at, account, serde_json::Value::Null);
    Ok(store.accept_proposal(id, record.as_ref(), message, &change, &audit)?)
}

/// Refuses a pending proposal with a message the proposer sees.
pub fn refuse(
    store: &mut Store,
    id: i64,
    message: &str,
    by: &Decider<'_>,
) -> Result<(), ContributionError> {
    if let Err(reason) = archipel_domain::check_text(message, archipel_domain::TextKind::Block) {
        return Err(ContributionError::Invalid(vec![FieldError {
            field: "message".into(),
            reason,
        }]));
    }
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    Ok(store.refuse_proposal(id, message, &audit)?)
}

/// The proposer (`account`) withdraws their pending proposal at `at`.
pub fn withdraw(
    store: &mut Store,
    id: i64,
    account: i64,
    at: DateTime<Utc>,
) -> Result<(), ContributionError> {
    let Some(p) = store.proposal(id)? else {
        return Err(ProposalError::NoSuchProposal(id).into());
    };
    if p.account != Some(account) {
        return Err(ContributionError::NotYours(id));
    }
    let audit = Audit::new(at, Some(account), serde_json::Value::Null);
    Ok(store.withdraw_proposal(id, &audit)?)
}

/// Why an account cannot be made an actor's referent.
#[derive(Debug, thiserror::Error)]
pub enum ReferentError {
    #[error("{0}: no such actor")]
    NoSuchActor(String),
    #[error("{0} has no SIRET")]
    NoSiret(String),
    #[error("account {account} has no identity whose SIRET is {siret}")]
    OtherSiret { account: i64, siret: String },
    #[error(transparent)]
    Proposal(#[from] ProposalError),
    #[error(transparent)]
    Account(#[from] archipel_store::accounts::AccountError),
}

/// Makes `account` a referent of `actor`, when one of the account's
/// OpenID Connect identities carries the actor's SIRET (`siret` claim);
/// `by` is the moderator or administrator deciding it.
pub fn make_referent(
    store: &mut Store,
    account: i64,
    actor: &EntityId,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), ReferentError> {
    let siret = match store.get(actor).map_err(ProposalError::from)? {
        Some(Entity::Actor(a)) => a
            .identifiers
            .siret
            .ok_or_else(|| ReferentError::NoSiret(actor.to_string()))?,
        _ => return Err(ReferentError::NoSuchActor(actor.to_string())),
    };
    let matches = store
        .identities(account)?
        .iter()
        .any(|i| i.claims.get("siret").and_then(|s| s.as_str()) == Some(siret.as_str()));
    if !matches {
        return Err(ReferentError::OtherSiret { account, siret });
    }
    let audit = Audit::new(at, by, serde_json::Value::Null);
    store.add_referent(account, actor, &audit)?;
    Ok(())
}
