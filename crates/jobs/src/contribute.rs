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
    /// The record was merged into another since the proposal was made:
    /// accepting would bring it back beside the record that absorbed it.
    #[error("{record} was merged into {into} since; propose the change on {into}")]
    Merged { record: String, into: String },
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
    check_with(store, content, e, &[])
}

/// [`check`], counting the records of `along` (proposed together with
/// `e`) as existing.
fn check_with(
    store: &Store,
    content: &Content,
    e: &Entity,
    along: &[&EntityId],
) -> Result<Vec<FieldError>, StoreError> {
    let mut found: Vec<(String, String)> = content.check_entity(e);
    found.extend(archipel_formats::native::record_problems(e));
    for (field, target) in e.references() {
        if !along.contains(&target) && store.get(target)?.is_none() {
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

/// The account or the e-mail address of a proposer, as the policy
/// allows.
pub(crate) fn who(
    policy: Policy,
    p: &Proposer,
) -> Result<(Option<i64>, Option<&str>), ContributionError> {
    match p {
        Proposer::Account(a) => Ok((Some(*a), None)),
        Proposer::Anonymous(_) if !policy.anonymous => Err(ContributionError::AnonymousNotAllowed),
        Proposer::Anonymous(m) => match archipel_domain::check_email(m) {
            Err(reason) => Err(ContributionError::Invalid(vec![FieldError {
                field: "email".into(),
                reason,
            }])),
            Ok(()) => Ok((None, Some(m.as_str()))),
        },
    }
}

pub(crate) fn check_comment(comment: Option<&str>) -> Result<(), ContributionError> {
    if let Some(c) = comment {
        if let Err(reason) = archipel_domain::check_text(c, archipel_domain::TextKind::Block) {
            return Err(ContributionError::Invalid(vec![FieldError {
                field: "comment".into(),
                reason,
            }]));
        }
    }
    Ok(())
}

/// Files new records proposed together (an actor with its place), all
/// pending, in one transaction: each is checked with the others counted
/// as existing, and a moderator accepts or refuses them together. The
/// problems of the records after the first name their field after the
/// record's kind (`place.address.city`). With nothing in `more`, this is
/// [`submit`].
pub fn submit_together(
    store: &mut Store,
    content: &Content,
    policy: Policy,
    s: Submission,
    more: Vec<Entity>,
) -> Result<Vec<Submitted>, ContributionError> {
    if more.is_empty() {
        return Ok(vec![submit(store, content, policy, s)?]);
    }
    let Proposed::Record(first) = s.proposed else {
        return Err(ContributionError::Invalid(vec![FieldError {
            field: "record".into(),
            reason: "only new records can be proposed together".into(),
        }]));
    };
    let (account, email) = who(policy, &s.proposer)?;
    let comment = s.comment.as_deref();
    check_comment(comment)?;
    let records: Vec<Entity> = std::iter::once(*first)
        .chain(more)
        .map(|e| contributed(e, s.at))
        .collect();
    let ids: Vec<&EntityId> = records.iter().map(|e| e.id()).collect();
    let mut problems = Vec::new();
    for (i, e) in records.iter().enumerate() {
        if store.get(e.id())?.is_some() {
            problems.push(FieldError {
                field: "id".into(),
                reason: format!("{} exists already", e.id()),
            });
        }
        for mut p in check_with(store, content, e, &ids)? {
            if i > 0 {
                p.field = format!("{}.{}", e.kind(), p.field);
            }
            problems.push(p);
        }
    }
    if !problems.is_empty() {
        return Err(ContributionError::Invalid(problems));
    }
    let mut territories = Vec::with_capacity(records.len());
    for e in &records {
        territories.push(territory_of(store, e)?);
    }
    let new: Vec<NewProposal<'_>> = records
        .iter()
        .zip(&territories)
        .map(|(e, t)| NewProposal {
            action: "create",
            report: None,
            record: e.id(),
            territory: t.as_ref(),
            base: None,
            base_state: None,
            proposed: Some(e),
            comment,
            account,
            email,
            at: s.at,
        })
        .collect();
    let audit = Audit::new(s.at, account, serde_json::Value::Null);
    Ok(store
        .add_proposals(&new, &audit)?
        .into_iter()
        .map(Submitted::Pending)
        .collect())
}

/// Files a contribution: checks it, then keeps it as a pending proposal,
/// or applies it at once when it is a referent's edit.
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
    /// Proposals made together with this one (an actor's place), decided
    /// with it.
    pub companions: Vec<Proposal>,
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
    let companions = companions(store, &p)?;
    let along: Vec<&EntityId> = companions
        .iter()
        .filter_map(|c| c.proposed.as_ref().map(|e| e.id()))
        .collect();
    let problems = match &p.proposed {
        Some(e) => check_with(store, content, e, &along)?,
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
        companions,
    }))
}

/// The pending proposals made together with `p` (by
/// [`submit_together`]): new records from the same proposer at the same
/// moment, pointing at `p`'s record or pointed at by it.
pub fn companions(store: &Store, p: &Proposal) -> Result<Vec<Proposal>, ProposalError> {
    if p.action != "create" {
        return Ok(Vec::new());
    }
    let Ok(at) = DateTime::parse_from_rfc3339(&p.created_at) else {
        return Ok(Vec::new());
    };
    let at = at.with_timezone(&Utc);
    let q = archipel_store::proposals::ProposalQuery {
        status: Some("pending".into()),
        account: p.account,
        since: Some(at),
        before: Some(at + chrono::Duration::seconds(1)),
        limit: 1000,
        ..Default::default()
    };
    let points_at = |from: &Proposal, to: &Proposal| {
        from.proposed
            .as_ref()
            .is_some_and(|e| e.references().iter().any(|(_, r)| r.as_str() == to.record))
    };
    Ok(store
        .proposals(&q)?
        .into_iter()
        .filter(|c| {
            c.id != p.id
                && c.action == "create"
                && c.account == p.account
                && c.email == p.email
                && (points_at(c, p) || points_at(p, c))
        })
        .collect())
}

/// Where a record goes among records written together: those pointed at
/// first.
fn write_rank(kind: &str) -> u8 {
    match kind {
        "territory" => 0,
        "actor" => 1,
        "commons" => 2,
        "place" => 3,
        _ => 4,
    }
}

/// Accepts a pending proposal as `by` says (a moderator: the caller
/// checked the role; a proposal about a public action record is accepted
/// by [`crate::contribute_action::accept`]): writes the record
/// proposed, or `edited` (the moderator's edit of it, checked like any
/// proposal), keeps the version, marks the proposal accepted and audits
/// it — one transaction. A report is accepted without writing unless
/// `edited` is given. The proposals made together with it
/// ([`companions`]) are accepted with it, in the same transaction.
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
    if p.action != "create" && !p.is_about_action() {
        if let Ok(record) = EntityId::parse(&p.record) {
            if store.get(&record)?.is_none() {
                if let Some(into) = store.resolve(&record)?.filter(|k| *k != record) {
                    return Err(ContributionError::Merged {
                        record: record.to_string(),
                        into: into.to_string(),
                    });
                }
            }
        }
    }
    if p.is_about_action() {
        // A public action record's proposal, accepted as it was made (an
        // edited action record goes through `contribute_action::accept`).
        if edited.is_some() {
            return Err(ProposalError::OtherKind { id, kind: p.kind }.into());
        }
        return crate::contribute_action::accept(store, content, id, None, message, by);
    }
    let companions = if p.status == "pending" {
        companions(store, &p)?
    } else {
        Vec::new()
    };
    let mut group: Vec<(i64, String, Option<Entity>)> =
        vec![(id, p.kind.clone(), edited.or(p.proposed))];
    group.extend(
        companions
            .into_iter()
            .map(|c| (c.id, c.kind.clone(), c.proposed)),
    );
    group.sort_by_key(|(_, kind, _)| write_rank(kind));
    let mut records: Vec<(i64, Option<Entity>)> = Vec::with_capacity(group.len());
    for (pid, _, e) in group {
        records.push((pid, e.map(|e| contributed(e, at))));
    }
    let along: Vec<&EntityId> = records
        .iter()
        .filter_map(|(_, e)| e.as_ref().map(|e| e.id()))
        .collect();
    let mut problems = Vec::new();
    for (_, e) in &records {
        if let Some(e) = e {
            problems.extend(check_with(store, content, e, &along)?);
        }
    }
    if !problems.is_empty() {
        return Err(ContributionError::Invalid(problems));
    }
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
    let items: Vec<(i64, Option<&Entity>)> =
        records.iter().map(|(pid, e)| (*pid, e.as_ref())).collect();
    Ok(store.accept_proposals(&items, message, &change, &audit)?)
}

/// Refuses a pending proposal, and those made together with it, with a
/// message the proposer sees.
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
    let mut ids = vec![id];
    if let Some(p) = store.proposal(id)? {
        if p.status == "pending" {
            ids.extend(companions(store, &p)?.iter().map(|c| c.id));
        }
    }
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    Ok(store.refuse_proposals(&ids, message, &audit)?)
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
