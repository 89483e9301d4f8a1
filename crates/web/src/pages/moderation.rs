//! `/moderation`: the queue of pending proposals, filtered by kind,
//! territory and age, and each proposal's page (`/moderation/{id}`): the
//! difference with the current version field by field, what changed since
//! the proposer looked, likely duplicates, the records proposed with it;
//! accept (with an optional message), refuse (with a message the proposer
//! sees), or edit then accept (`/moderation/{id}/modifier`).
//!
//! Moderators and administrators only. Decisions are made by
//! `archipel-jobs`' `contribute` module through the writing connection,
//! each one transaction (record, history, proposal, audit).

use super::account::to_sign_in;
use super::history::{labelled_rows, ChangeRow};
use super::records::kind_of_path;
use super::render;
use super::signin::see_other;
use super::Opt;
use crate::csrf::{Form, FormPairs};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{query_string, Params};
use crate::record_form::{self, Values};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{day, kind_label, kind_path, record_url, Layout};
use archipel_domain::{EntityId, EntityKind};
use archipel_jobs::contribute::{self, ContributionError, FieldError, Review};
use archipel_jobs::contribute_action;
use archipel_jobs::Decider;
use archipel_store::proposals::{Proposal, ProposalQuery};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Proposals a queue page shows at most.
const QUEUE: usize = 100;

/// A proposal in the queue.
pub struct QueueRow {
    pub id: i64,
    pub href: String,
    pub at: String,
    pub date: String,
    pub kind: &'static str,
    pub action: &'static str,
    pub name: String,
    pub proposer: String,
    pub flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    page: Layout,
    t: Tr,
    kinds: Vec<Opt>,
    territories: Vec<Opt>,
    ages: Vec<Opt>,
    rows: Vec<QueueRow>,
    count: String,
    notice: Option<String>,
}

pub struct Link {
    pub href: String,
    pub text: String,
    pub why: String,
}

#[derive(Template)]
#[template(path = "moderation_item.html")]
struct ItemPage {
    page: Layout,
    t: Tr,
    id: i64,
    title: String,
    status: String,
    pending: bool,
    action: &'static str,
    report: &'static str,
    record_href: String,
    history_href: String,
    proposer: String,
    date: String,
    at: String,
    comment: String,
    stale: bool,
    changes: Vec<ChangeRow>,
    changed_since: Vec<ChangeRow>,
    duplicates: Vec<Link>,
    companions: Vec<Link>,
    problems: Vec<String>,
    message: String,
    csrf: String,
    alert: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    kind: Option<String>,
    territory: Option<String>,
    /// Older than this many days.
    age: Option<String>,
    /// The proposal just accepted or refused (a notice says so).
    accepted: Option<String>,
    refused: Option<String>,
}

/// The moderator signed in, or the answer to give instead.
pub(super) fn moderator(viewer: &Viewer, here: &str, t: Tr) -> Result<i64, Box<Response>> {
    use axum::response::IntoResponse;
    match &viewer.account {
        None => Err(Box::new(to_sign_in(here))),
        Some(_) if !viewer.role().can_moderate() => Err(Box::new(
            Error::forbidden(t.s("moderation.not_allowed"))
                .in_lang(t.lang)
                .into_response(),
        )),
        Some(a) => Ok(a.id),
    }
}

fn action_label(t: Tr, action: &str) -> &'static str {
    match action {
        "create" => t.s("moderation.action_create"),
        "edit" => t.s("moderation.action_edit"),
        _ => t.s("moderation.action_report"),
    }
}

fn report_label(t: Tr, report: Option<&str>) -> &'static str {
    match report {
        Some("wrong") => t.s("report.wrong"),
        Some("duplicate") => t.s("report.duplicate"),
        Some("closed") => t.s("report.closed"),
        _ => "",
    }
}

fn status_label(t: Tr, status: &str) -> &'static str {
    match status {
        "pending" => t.s("moderation.status_pending"),
        "accepted" => t.s("moderation.status_accepted"),
        "refused" => t.s("moderation.status_refused"),
        _ => t.s("moderation.status_withdrawn"),
    }
}

/// Who made a proposal, as a moderator sees it.
fn proposer_name(s: &archipel_store::Store, p: &Proposal) -> Result<String, Error> {
    Ok(match (p.account, &p.email) {
        (Some(a), _) => match s.account(a)? {
            Some(acc) => match &acc.email {
                Some(m) => format!("{} <{m}>", acc.display_name),
                None => acc.display_name,
            },
            None => format!("#{a}"),
        },
        (None, Some(m)) => m.clone(),
        (None, None) => String::new(),
    })
}

/// A proposal as a moderator sees it: about an entity or about a public
/// action record.
enum Reviewed {
    Entity(Box<Review>),
    Action(Box<contribute_action::Review>),
}

impl Reviewed {
    fn proposal(&self) -> &Proposal {
        match self {
            Reviewed::Entity(r) => &r.proposal,
            Reviewed::Action(r) => &r.proposal,
        }
    }
    fn has_duplicates(&self) -> bool {
        matches!(self, Reviewed::Entity(r) if !r.duplicates.is_empty())
    }
    fn stale(&self) -> bool {
        match self {
            Reviewed::Entity(r) => r.stale,
            Reviewed::Action(r) => r.stale,
        }
    }
    fn has_problems(&self) -> bool {
        match self {
            Reviewed::Entity(r) => !r.problems.is_empty(),
            Reviewed::Action(r) => !r.problems.is_empty(),
        }
    }
    fn name(&self) -> String {
        match self {
            Reviewed::Entity(r) => name_of(r),
            Reviewed::Action(r) => r
                .proposal
                .proposed_action
                .as_ref()
                .or(r.current.as_ref())
                .map(|a| a.name().to_string())
                .unwrap_or_else(|| r.proposal.record.clone()),
        }
    }
}

/// The review of proposal `id`, whatever it is about.
fn reviewed(
    s: &archipel_store::Store,
    content: &archipel_content::Content,
    id: i64,
) -> Result<Option<Reviewed>, Error> {
    let about_action = match s.proposal(id).map_err(|e| Error::internal_from(&e))? {
        Some(p) => p.is_about_action(),
        None => return Ok(None),
    };
    Ok(if about_action {
        contribute_action::review(s, content, id)
            .map_err(|e| Error::internal_from(&e))?
            .map(|r| Reviewed::Action(Box::new(r)))
    } else {
        contribute::review(s, content, id)
            .map_err(|e| Error::internal_from(&e))?
            .map(|r| Reviewed::Entity(Box::new(r)))
    })
}

/// The name a proposal is about: the record proposed, or the current one.
fn name_of(r: &Review) -> String {
    r.proposal
        .proposed
        .as_ref()
        .or(r.current.as_ref())
        .map(|e| e.name().to_string())
        .unwrap_or_else(|| r.proposal.record.clone())
}

/// `GET /moderation`.
pub async fn queue(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<QueueParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    if let Err(r) = moderator(&viewer, "/moderation", t) {
        return Ok(*r);
    }
    let kind = q.kind.as_deref().and_then(|k| {
        kind_of_path(k).or_else(|| (k == "relations").then_some(EntityKind::Relation))
    });
    let territory = q
        .territory
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| EntityId::parse(s).ok());
    let age: Option<i64> = q
        .age
        .as_deref()
        .and_then(|a| a.parse().ok())
        .filter(|d| [1, 7, 30].contains(d));
    let now = state.config.sign_in.clock.now();
    let content = state.content.clone();
    let query = ProposalQuery {
        status: Some("pending".into()),
        kind,
        territory: territory.clone(),
        before: age.map(|d| now - chrono::Duration::days(d)),
        limit: QUEUE,
        ..Default::default()
    };
    let (rows, territories) = state
        .pool
        .read(move |s| {
            let mut rows = Vec::new();
            for p in s.proposals(&query)? {
                let Some(r) = reviewed(s, &content, p.id)? else {
                    continue;
                };
                let mut flags = Vec::new();
                if r.has_duplicates() {
                    flags.push("duplicate");
                }
                if r.stale() {
                    flags.push("stale");
                }
                if r.has_problems() {
                    flags.push("problems");
                }
                let proposer = proposer_name(s, r.proposal())?;
                rows.push((r, proposer, flags));
            }
            let mut territories: Vec<(String, String)> = if s.count(EntityKind::Territory)? <= 300 {
                s.list(EntityKind::Territory)?
                    .into_iter()
                    .map(|e| (e.id().to_string(), e.name().to_string()))
                    .collect()
            } else {
                Vec::new()
            };
            territories.sort_by_key(|a| a.1.to_lowercase());
            Ok((rows, territories))
        })
        .await?;
    let flag_label = |f: &str| match f {
        "duplicate" => t.s("moderation.flag_duplicate"),
        "stale" => t.s("moderation.flag_stale"),
        _ => t.s("moderation.flag_problems"),
    };
    let rows: Vec<QueueRow> = rows
        .into_iter()
        .map(|(r, proposer, flags)| QueueRow {
            id: r.proposal().id,
            href: format!("/moderation/{}", r.proposal().id),
            at: r.proposal().created_at.clone(),
            date: day(&r.proposal().created_at),
            kind: kind_label(t, &r.proposal().kind),
            action: action_label(t, &r.proposal().action),
            name: r.name(),
            proposer,
            flags: flags.into_iter().map(flag_label).collect(),
        })
        .collect();
    let mut kinds = vec![Opt {
        value: String::new(),
        label: t.s("moderation.any_kind").into(),
        selected: kind.is_none(),
    }];
    kinds.extend(EntityKind::ALL.into_iter().map(|k| Opt {
        value: kind_path(k).into(),
        label: kind_label(t, k.as_str()).into(),
        selected: kind == Some(k),
    }));
    let mut territory_opts = vec![Opt {
        value: String::new(),
        label: t.s("moderation.any_territory").into(),
        selected: territory.is_none(),
    }];
    territory_opts.extend(territories.into_iter().map(|(id, name)| Opt {
        selected: territory.as_ref().is_some_and(|t| t.as_str() == id),
        value: id,
        label: name,
    }));
    let ages = [
        (None, "moderation.any_age"),
        (Some(1), "moderation.age_1"),
        (Some(7), "moderation.age_7"),
        (Some(30), "moderation.age_30"),
    ]
    .into_iter()
    .map(|(d, key)| Opt {
        value: d.map(|d: i64| d.to_string()).unwrap_or_default(),
        label: t.s(key).into(),
        selected: age == d,
    })
    .collect();
    let count = t.count(rows.len() as u64, "moderation.one", "moderation.many");
    let here = format!(
        "/moderation{}",
        query_string(&[
            ("kind", q.kind.clone().unwrap_or_default()),
            ("territory", q.territory.clone().unwrap_or_default()),
            ("age", q.age.clone().unwrap_or_default()),
        ])
    );
    let number = |v: &Option<String>| v.as_deref().and_then(|n| n.parse::<i64>().ok());
    let notice = match (number(&q.accepted), number(&q.refused)) {
        (Some(n), _) => Some(format!("{} {n}", t.s("moderation.accepted_notice"))),
        (None, Some(n)) => Some(format!("{} {n}", t.s("moderation.refused_notice"))),
        _ => None,
    };
    let page = QueuePage {
        page: Layout::new(t, &viewer, t.s("moderation.title"), &here, None),
        t,
        kinds,
        territories: territory_opts,
        ages,
        rows,
        count,
        notice,
    };
    render(&page)
}

/// A problem of a record as one line.
fn problem_line(e: &FieldError) -> String {
    format!("{}: {}", e.field, e.reason)
}

async fn item_page(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    id: i64,
    message: String,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, Error> {
    let content = state.content.clone();
    let found = state
        .pool
        .read(move |s| {
            let Some(r) = reviewed(s, &content, id)? else {
                return Ok(None);
            };
            let proposer = proposer_name(s, r.proposal())?;
            Ok(Some((r, proposer)))
        })
        .await?;
    let Some((r, proposer)) = found else {
        return Err(Error::not_found(format!("no proposal {id}")).in_lang(t.lang));
    };
    let r = match r {
        Reviewed::Entity(r) => *r,
        Reviewed::Action(r) => {
            return action_item_page(viewer, t, *r, proposer, message, alert, status);
        }
    };
    let p = &r.proposal;
    let record_kind = EntityId::parse(&p.record)
        .map(|id| id.kind())
        .unwrap_or(EntityKind::Relation);
    let title = format!("{} {} : {}", t.s("moderation.proposal"), p.id, name_of(&r));
    let link = |pid: &str, name: &str, why: String| Link {
        href: record_url(pid),
        text: name.to_string(),
        why,
    };
    let page = ItemPage {
        page: Layout::new(t, viewer, &title, &format!("/moderation/{id}"), None),
        t,
        id,
        title,
        status: status_label(t, &p.status).to_string(),
        pending: p.status == "pending",
        action: action_label(t, &p.action),
        report: report_label(t, p.report.as_deref()),
        record_href: if r.current.is_some() {
            record_url(&p.record)
        } else {
            String::new()
        },
        history_href: if r.current.is_some() {
            format!("{}/historique", record_url(&p.record))
        } else {
            String::new()
        },
        proposer,
        date: day(&p.created_at),
        at: p.created_at.clone(),
        comment: p.comment.clone().unwrap_or_default(),
        stale: r.stale && r.current.is_some(),
        changes: labelled_rows(&state.content, t, record_kind, &r.changes),
        changed_since: labelled_rows(&state.content, t, record_kind, &r.changed_since),
        duplicates: r
            .duplicates
            .iter()
            .map(|d| {
                link(
                    &d.id,
                    &d.name,
                    serde_json::to_value(&d.why)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        companions: r
            .companions
            .iter()
            .map(|c| Link {
                href: format!("/moderation/{}", c.id),
                text: c
                    .proposed
                    .as_ref()
                    .map(|e| e.name().to_string())
                    .unwrap_or_else(|| c.record.clone()),
                why: kind_label(t, &c.kind).to_string(),
            })
            .collect(),
        problems: r.problems.iter().map(problem_line).collect(),
        message,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
        alert,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The page of a proposal about a public action record.
fn action_item_page(
    viewer: &Viewer,
    t: Tr,
    r: contribute_action::Review,
    proposer: String,
    message: String,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, Error> {
    let p = &r.proposal;
    let id = p.id;
    let name = Reviewed::Action(Box::new(r.clone())).name();
    let title = format!("{} {} : {}", t.s("moderation.proposal"), p.id, name);
    let kind = archipel_domain::ActionId::parse(&p.record)
        .map(|i| i.kind())
        .unwrap_or(archipel_domain::ActionKind::Grant);
    let href = archipel_domain::ActionId::parse(&p.record)
        .map(|i| super::support::action_url(&i))
        .unwrap_or_default();
    let page = ItemPage {
        page: Layout::new(t, viewer, &title, &format!("/moderation/{id}"), None),
        t,
        id,
        title,
        status: status_label(t, &p.status).to_string(),
        pending: p.status == "pending",
        action: action_label(t, &p.action),
        report: report_label(t, p.report.as_deref()),
        record_href: if r.current.is_some() {
            href.clone()
        } else {
            String::new()
        },
        history_href: if r.current.is_some() {
            format!("{href}/historique")
        } else {
            String::new()
        },
        proposer,
        date: day(&p.created_at),
        at: p.created_at.clone(),
        comment: p.comment.clone().unwrap_or_default(),
        stale: r.stale && r.current.is_some(),
        changes: super::propose_action::labelled_rows(t, kind, &r.changes),
        changed_since: super::propose_action::labelled_rows(t, kind, &r.changed_since),
        duplicates: Vec::new(),
        companions: Vec::new(),
        problems: r.problems.iter().map(problem_line).collect(),
        message,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
        alert,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /moderation/{id}`.
pub async fn item(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Ok(id) = id.parse::<i64>() else {
        return Err(Error::not_found(format!("no proposal {id}")).in_lang(lang));
    };
    if let Err(r) = moderator(&viewer, &format!("/moderation/{id}"), t) {
        return Ok(*r);
    }
    item_page(&state, &viewer, t, id, String::new(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    message: String,
}

/// What a refused decision says to the moderator.
fn decision_problem(t: Tr, e: &ContributionError) -> Option<String> {
    match e {
        ContributionError::Invalid(v) => Some(format!(
            "{} {}",
            t.s("moderation.invalid"),
            v.iter().map(problem_line).collect::<Vec<_>>().join("; ")
        )),
        ContributionError::Proposal(archipel_store::proposals::ProposalError::Decided {
            ..
        }) => Some(t.s("moderation.decided").to_string()),
        ContributionError::Merged { into, .. } => {
            Some(format!("{} {into}", t.s("moderation.merged")))
        }
        _ => None,
    }
}

/// `POST /moderation/{id}/accepter` and `/refuser`.
async fn decide(
    state: AppState,
    lang: archipel_content::Lang,
    viewer: Viewer,
    raw: String,
    message: String,
    accept: bool,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Ok(id) = raw.parse::<i64>() else {
        return Err(Error::not_found(format!("no proposal {raw}")).in_lang(lang));
    };
    let account = match moderator(&viewer, &format!("/moderation/{id}"), t) {
        Ok(a) => a,
        Err(r) => return Ok(*r),
    };
    let message = message.trim().to_string();
    if !accept && message.is_empty() {
        let alert = Some(t.s("moderation.message_needed").to_string());
        return item_page(
            &state,
            &viewer,
            t,
            id,
            message,
            alert,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let at = state.config.sign_in.clock.now();
    let content = state.content.clone();
    let msg = message.clone();
    let outcome = state
        .writer
        .write(move |s| {
            let by = Decider {
                account: Some(account),
                via: "web",
                at,
            };
            let m = (!msg.is_empty()).then_some(msg.as_str());
            Ok(if accept {
                contribute::accept(s, &content, id, None, m, &by).map(|_| ())
            } else {
                contribute::refuse(s, id, &msg, &by)
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/moderation{}",
            decided_query(id, accept)
        ))),
        Err(e) => match decision_problem(t, &e) {
            Some(alert) => {
                item_page(
                    &state,
                    &viewer,
                    t,
                    id,
                    message,
                    Some(alert),
                    StatusCode::CONFLICT,
                )
                .await
            }
            None => Err(Error::of_contribution(&e).in_lang(lang)),
        },
    }
}

/// The queue's address after a decision, saying which.
fn decided_query(id: i64, accepted: bool) -> String {
    query_string(&[(
        if accepted { "accepted" } else { "refused" },
        id.to_string(),
    )])
}

pub async fn accept(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, Error> {
    decide(state, lang, viewer, id, f.message, true).await
}

pub async fn refuse(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, Error> {
    decide(state, lang, viewer, id, f.message, false).await
}

#[derive(Template)]
#[template(path = "moderation_edit.html")]
struct EditPage {
    page: Layout,
    t: Tr,
    id: i64,
    title: String,
    action: String,
    csrf: String,
    fieldsets: Vec<super::propose::Fieldset>,
    problems: Vec<super::propose::Problem>,
    message: String,
}

/// The form of a proposal's record, for a moderator to edit before
/// accepting.
/// A moderator's edit of a proposal's record.
enum Edit {
    Entity(Box<archipel_domain::Entity>),
    Action(Box<archipel_domain::Action>),
}

/// What the edit form shows again after a refused save.
struct Edited {
    values: Values,
    errors: Vec<FieldError>,
    message: String,
}

async fn edit_form(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    id: i64,
    again: Option<Edited>,
    status: StatusCode,
) -> Result<Response, Error> {
    let (values, errors, message) = match again {
        Some(e) => (Some(e.values), e.errors, e.message),
        None => (None, Vec::new(), String::new()),
    };
    let found = state.pool.read(move |s| Ok(s.proposal(id)?)).await?;
    let Some(p) = found else {
        return Err(Error::not_found(format!("no proposal {id}")).in_lang(t.lang));
    };
    let (name, (fieldsets, problems)) = match (&p.proposed, &p.proposed_action) {
        (Some(record), _) => {
            let values = values.unwrap_or_else(|| record_form::values_of(record));
            (
                record.name().to_string(),
                super::propose::fieldsets(state, t, record.kind(), &values, &errors).await?,
            )
        }
        (None, Some(a)) => {
            let values = values.unwrap_or_else(|| crate::action_form::values_of(a));
            (
                a.name().to_string(),
                super::propose_action::fieldsets(state, t, a.kind(), &values, &errors).await?,
            )
        }
        (None, None) => {
            return Err(Error::not_found(t.s("moderation.nothing_to_edit")).in_lang(t.lang));
        }
    };
    let title = format!("{} {} : {}", t.s("moderation.edit_title"), id, name);
    let action = format!("/moderation/{id}/modifier");
    let page = EditPage {
        page: Layout::new(t, viewer, &title, &action, None),
        t,
        id,
        title,
        action,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
        fieldsets,
        problems,
        message,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /moderation/{id}/modifier`.
pub async fn edit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Ok(id) = raw.parse::<i64>() else {
        return Err(Error::not_found(format!("no proposal {raw}")).in_lang(lang));
    };
    if let Err(r) = moderator(&viewer, &format!("/moderation/{id}/modifier"), t) {
        return Ok(*r);
    }
    edit_form(&state, &viewer, t, id, None, StatusCode::OK).await
}

/// `POST /moderation/{id}/modifier`: the moderator's version of the
/// record, accepted at once.
pub async fn edit_accept(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Ok(id) = raw.parse::<i64>() else {
        return Err(Error::not_found(format!("no proposal {raw}")).in_lang(lang));
    };
    let account = match moderator(&viewer, &format!("/moderation/{id}/modifier"), t) {
        Ok(a) => a,
        Err(r) => return Ok(*r),
    };
    let mut message = String::new();
    let values = Values(
        pairs
            .into_iter()
            .filter(|(k, v)| {
                if k == "message" {
                    message = v.trim().to_string();
                    false
                } else {
                    true
                }
            })
            .collect(),
    );
    let found = state.pool.read(move |s| Ok(s.proposal(id)?)).await?;
    let at = state.config.sign_in.clock.now();
    let built = match found {
        Some(Proposal {
            proposed: Some(record),
            ..
        }) => record_form::build(
            record.kind(),
            record.id().clone(),
            Some(&record),
            &values,
            at,
        )
        .map(|e| Edit::Entity(Box::new(e))),
        Some(Proposal {
            proposed_action: Some(a),
            ..
        }) => {
            let keys = super::propose_action::vocab_keys(&state);
            crate::action_form::build(a.kind(), a.id(), Some(&a), &values, keys, at)
                .map(|a| Edit::Action(Box::new(a)))
        }
        _ => return Err(Error::not_found(format!("no proposal {id}")).in_lang(lang)),
    };
    let edited = match built {
        Ok(e) => e,
        Err(errors) => {
            let again = Edited {
                values,
                errors,
                message,
            };
            return edit_form(&state, &viewer, t, id, Some(again), StatusCode::BAD_REQUEST).await;
        }
    };
    let content = state.content.clone();
    let msg = message.clone();
    let outcome = state
        .writer
        .write(move |s| {
            let by = Decider {
                account: Some(account),
                via: "web",
                at,
            };
            let m = (!msg.is_empty()).then_some(msg.as_str());
            Ok(match edited {
                Edit::Entity(e) => contribute::accept(s, &content, id, Some(*e), m, &by),
                Edit::Action(a) => contribute_action::accept(s, &content, id, Some(*a), m, &by),
            }
            .map(|_| ()))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/moderation{}",
            decided_query(id, true)
        ))),
        Err(ContributionError::Invalid(errors)) => {
            let again = Edited {
                values,
                errors,
                message,
            };
            edit_form(&state, &viewer, t, id, Some(again), StatusCode::BAD_REQUEST).await
        }
        Err(e) => match decision_problem(t, &e) {
            Some(alert) => {
                item_page(
                    &state,
                    &viewer,
                    t,
                    id,
                    message,
                    Some(alert),
                    StatusCode::CONFLICT,
                )
                .await
            }
            None => Err(Error::of_contribution(&e).in_lang(lang)),
        },
    }
}
