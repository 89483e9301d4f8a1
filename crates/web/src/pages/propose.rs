//! Proposals on the web: a form per kind of record to propose a new one
//! (`/proposer/{kind}`), "propose a correction" on a record's page
//! (`/{kind}/{id}/proposer`) and "report a problem"
//! (`/{kind}/{id}/signaler`).
//!
//! A contributor (or anyone, giving an e-mail address, when
//! `sign_in.anonymous_proposals` allows it) sends the form; the record is
//! made by [`crate::record_form`] and filed by `archipel-jobs`'
//! `contribute` module through the server's one writing connection, with
//! the same checks as an import. Each problem is shown next to its field
//! and listed at the top; nothing public changes until a moderator
//! accepts, except a referent's edit of their own actor, applied at once.
//! Territories are proposed by administrators only.

use super::account::to_sign_in;
use super::records::record_path;
use super::render;
use super::signin::see_other;
use super::Opt;
use crate::csrf::{FormPairs, FormToken};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::record_form::{self, Field, Input, Values};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{kind_label, kind_path, record_url, Layout};
use archipel_domain::{Entity, EntityId, EntityKind};
use archipel_jobs::contribute::{
    self, ContributionError, FieldError, Policy, Proposed, Proposer, Report, Submission, Submitted,
};
use archipel_store::proposals::ProposalQuery;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

/// Territories offered as a list; beyond this many, the field takes an
/// identifier.
const TERRITORY_CHOICES: u64 = 300;

/// A field as the form template shows it.
pub struct FieldView {
    pub name: String,
    /// Its HTML id (`f-identifiers-siret`).
    pub id: String,
    pub label: String,
    /// `line`, `block`, `url`, `email`, `number`, `date`, `select`,
    /// `checks` or `lines`.
    pub input: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<Opt>,
    pub hint: &'static str,
    pub error: Option<String>,
    /// The ids of its hint and error (`aria-describedby`).
    pub described: String,
}

/// A group of fields.
pub struct Fieldset {
    pub legend: &'static str,
    pub hint: &'static str,
    pub fields: Vec<FieldView>,
}

/// A problem listed at the top of the form, linking to its field.
pub struct Problem {
    pub href: String,
    pub label: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "propose.html")]
struct ProposePage {
    page: Layout,
    t: Tr,
    title: String,
    lead: &'static str,
    action: String,
    csrf: String,
    base: String,
    record_href: String,
    fieldsets: Vec<Fieldset>,
    problems: Vec<Problem>,
    comment: String,
    comment_error: Option<String>,
    anonymous: bool,
    email: String,
    email_error: Option<String>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Layout,
    t: Tr,
    name: String,
    record_href: String,
    action: String,
    csrf: String,
    reasons: Vec<Opt>,
    comment: String,
    problems: Vec<Problem>,
    anonymous: bool,
    email: String,
}

#[derive(Template)]
#[template(path = "proposed.html")]
struct ProposedPage {
    page: Layout,
    t: Tr,
    message: &'static str,
    record_href: String,
}

/// Who is proposing, once allowed.
pub(super) enum Access {
    Account(i64),
    /// Without an account (the configuration allows it).
    Anonymous,
}

/// Whether `viewer` may propose records of `kind`; the answer to give
/// otherwise (sign in first, or 403).
pub(super) fn access(
    state: &AppState,
    viewer: &Viewer,
    kind: EntityKind,
    here: &str,
    t: Tr,
) -> Result<Access, Box<Response>> {
    let role = viewer.role();
    match &viewer.account {
        Some(_) if kind == EntityKind::Territory && !role.can_administer() => Err(refusal(
            Error::forbidden(t.s("propose.territory_admins")),
            t,
        )),
        Some(a) if role.can_propose() => Ok(Access::Account(a.id)),
        Some(_) => Err(refusal(Error::forbidden(t.s("propose.not_allowed")), t)),
        None if state.config.sign_in.anonymous_proposals && kind != EntityKind::Territory => {
            Ok(Access::Anonymous)
        }
        None => Err(Box::new(to_sign_in(here))),
    }
}

/// An error page in the page's language.
pub(super) fn refusal(e: Error, t: Tr) -> Box<Response> {
    use axum::response::IntoResponse;
    Box::new(e.in_lang(t.lang).into_response())
}

/// The kind a `/proposer/{seg}` path names.
fn kind_of_segment(seg: &str) -> Option<EntityKind> {
    EntityKind::ALL.into_iter().find(|k| kind_path(*k) == seg)
}

/// The HTML id of a field.
pub(super) fn dom_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

/// A field's hint, if its label has one (`field.siret` →
/// `field.siret_hint`).
fn hint_of(t: Tr, f: &Field) -> &'static str {
    match f.input {
        Input::Lines => t.s("propose.lines_hint"),
        Input::Record => t.s("propose.record_hint"),
        Input::Coordinate => t.s("propose.coordinate_hint"),
        Input::Date => t.s("propose.date_hint"),
        _ => match f.name {
            "identifiers.siret" => t.s("propose.siret_hint"),
            "identifiers.wikidata" => t.s("propose.wikidata_hint"),
            _ => "",
        },
    }
}

/// What the form needs from the registry: the territories to choose from
/// (when few enough).
struct Choices {
    territories: Option<Vec<(String, String)>>,
}

async fn choices(state: &AppState) -> Result<Choices, Error> {
    state
        .pool
        .read(|s| {
            let territories = if s.count(EntityKind::Territory)? <= TERRITORY_CHOICES {
                let mut v: Vec<(String, String)> = s
                    .list(EntityKind::Territory)?
                    .into_iter()
                    .map(|e| (e.id().to_string(), e.name().to_string()))
                    .collect();
                v.sort_by_key(|a| a.1.to_lowercase());
                Some(v)
            } else {
                None
            };
            Ok(Choices { territories })
        })
        .await
}

/// The view of a field with its value and problems.
fn field_view(
    state: &AppState,
    t: Tr,
    f: &Field,
    v: &Values,
    errors: &[FieldError],
    choices: &Choices,
) -> FieldView {
    let value = v.shown(f.name);
    let chosen = v.many(f.name);
    let (input, options) = match f.input {
        Input::Line => ("line", Vec::new()),
        Input::Block => ("block", Vec::new()),
        Input::Url => ("url", Vec::new()),
        Input::Email => ("email", Vec::new()),
        Input::Coordinate => ("number", Vec::new()),
        Input::Date => ("date", Vec::new()),
        Input::Lines => ("lines", Vec::new()),
        Input::Record => ("line", Vec::new()),
        Input::Vocab(vocab) => (
            "select",
            super::vocab_options(state, t, vocab, v.one(f.name)),
        ),
        Input::Many(vocab) => (
            "checks",
            super::vocab_options(state, t, vocab, None)
                .into_iter()
                .map(|mut o| {
                    o.selected = chosen.contains(&o.value);
                    o
                })
                .collect(),
        ),
        Input::Nature => (
            "select",
            ["organisation", "person"]
                .into_iter()
                .map(|n| Opt {
                    value: n.to_string(),
                    label: match n {
                        "person" => t.s("field.nature_person"),
                        _ => t.s("field.nature_organisation"),
                    }
                    .to_string(),
                    selected: v.one(f.name) == Some(n),
                })
                .collect(),
        ),
        Input::Territory => match &choices.territories {
            Some(list) => (
                "select",
                list.iter()
                    .map(|(id, name)| Opt {
                        value: id.clone(),
                        label: name.clone(),
                        selected: v.one(f.name) == Some(id.as_str()),
                    })
                    .collect(),
            ),
            None => ("line", Vec::new()),
        },
    };
    let error = errors
        .iter()
        .filter(|e| owns(f.name, &e.field))
        .map(|e| reason_in(t, &e.reason))
        .collect::<Vec<_>>();
    let id = dom_id(f.name);
    let hint = if matches!(f.input, Input::Territory) && choices.territories.is_none() {
        t.s("propose.record_hint")
    } else {
        hint_of(t, f)
    };
    let error = (!error.is_empty()).then(|| error.join(" "));
    let mut described: Vec<String> = Vec::new();
    if !hint.is_empty() {
        described.push(format!("{id}-hint"));
    }
    if error.is_some() {
        described.push(format!("{id}-error"));
    }
    FieldView {
        name: f.name.to_string(),
        described: described.join(" "),
        id,
        label: t.s(f.label).to_string(),
        input,
        required: f.required,
        value,
        options,
        hint,
        error,
    }
}

/// Whether a problem reported on `path` belongs next to the field
/// `name`: the same path, or the field of a point (`location` →
/// `location.lat`), or a list item (`emails`).
pub(super) fn owns(name: &str, path: &str) -> bool {
    name == path
        || (name.ends_with(".lat") && name.strip_suffix(".lat") == Some(path))
        || (name.starts_with(path)
            && name[path.len()..].starts_with('.')
            && !name.ends_with(".lon"))
}

/// A reason from the checks, in the page's language where we say it
/// ourselves (the most common); the checks' own words otherwise.
pub(super) fn reason_in(t: Tr, reason: &str) -> String {
    match reason {
        "required value is missing" => t.s("propose.required").to_string(),
        other => other.to_string(),
    }
}

/// The problems listed above the form, in the order of the fields (those
/// no field shows last, named by their path).
pub(super) fn problem_list(t: Tr, sets: &[Fieldset], errors: &[FieldError]) -> Vec<Problem> {
    let mut out = Vec::new();
    for f in sets.iter().flat_map(|s| &s.fields) {
        if let Some(e) = &f.error {
            out.push(Problem {
                href: format!("#{}", f.id),
                label: f.label.clone(),
                reason: e.clone(),
            });
        }
    }
    for e in errors {
        let shown = sets
            .iter()
            .flat_map(|s| &s.fields)
            .any(|f| owns(&f.name, &e.field));
        if !shown && e.field != "comment" && e.field != "proposer_email" {
            out.push(Problem {
                href: "#proposal-form".into(),
                label: e.field.clone(),
                reason: reason_in(t, &e.reason),
            });
        }
    }
    out
}

/// The fieldsets of a kind's form filled with `values`, and the
/// problems listed above it.
pub async fn fieldsets(
    state: &AppState,
    t: Tr,
    kind: EntityKind,
    values: &Values,
    errors: &[FieldError],
) -> Result<(Vec<Fieldset>, Vec<Problem>), Error> {
    fieldsets_with(state, t, kind, false, values, errors).await
}

async fn fieldsets_with(
    state: &AppState,
    t: Tr,
    kind: EntityKind,
    with_place: bool,
    values: &Values,
    errors: &[FieldError],
) -> Result<(Vec<Fieldset>, Vec<Problem>), Error> {
    let choices = choices(state).await?;
    let view = |f: &Field| field_view(state, t, f, values, errors, &choices);
    let mut sets = vec![Fieldset {
        legend: kind_label(t, kind.as_str()),
        hint: "",
        fields: record_form::fields(kind).iter().map(view).collect(),
    }];
    if with_place {
        sets.push(Fieldset {
            legend: t.s("propose.place_legend"),
            hint: t.s("propose.place_hint"),
            fields: record_form::actor_place_fields().iter().map(view).collect(),
        });
    }
    let problems = problem_list(t, &sets, errors);
    Ok((sets, problems))
}

/// Everything a form page is made of, but the page's frame.
pub(super) struct FormState {
    pub(super) values: Values,
    pub(super) errors: Vec<FieldError>,
    pub(super) comment: String,
    pub(super) email: String,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    kind: EntityKind,
    editing: Option<(&Entity, Option<u32>)>,
    here: &str,
    anonymous: bool,
    shown: FormState,
    status: StatusCode,
) -> Result<Response, Error> {
    let (fieldsets, problems) = fieldsets_with(
        state,
        t,
        kind,
        kind == EntityKind::Actor && editing.is_none(),
        &shown.values,
        &shown.errors,
    )
    .await?;
    let (title, record_href, base) = match editing {
        Some((e, base)) => (
            format!("{} : {}", t.s("propose.edit_title"), e.name()),
            record_url(e.id().as_str()),
            base.map(|b| b.to_string()).unwrap_or_default(),
        ),
        None => (
            format!(
                "{} : {}",
                t.s("propose.new_title"),
                kind_label(t, kind.as_str())
            ),
            String::new(),
            String::new(),
        ),
    };
    render_form(
        state,
        viewer,
        t,
        FormFrame {
            title,
            here,
            base,
            record_href,
            anonymous,
        },
        (fieldsets, problems),
        shown,
        status,
    )
}

/// What frames a form: its title, address, the version it edits, the
/// record it is about.
pub(super) struct FormFrame<'a> {
    pub(super) title: String,
    pub(super) here: &'a str,
    pub(super) base: String,
    pub(super) record_href: String,
    pub(super) anonymous: bool,
}

/// A contribution form's page (any kind of record), with a new form
/// token.
pub(super) fn render_form(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    frame: FormFrame<'_>,
    (fieldsets, problems): (Vec<Fieldset>, Vec<Problem>),
    shown: FormState,
    status: StatusCode,
) -> Result<Response, Error> {
    let pick = |name: &str| {
        shown
            .errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| reason_in(t, &e.reason))
    };
    let token = FormToken::for_viewer(state, viewer)?;
    let page = ProposePage {
        page: Layout::new(t, viewer, &frame.title, frame.here, None),
        t,
        title: frame.title,
        lead: if frame.anonymous {
            t.s("propose.lead_anonymous")
        } else {
            t.s("propose.lead")
        },
        action: frame.here.to_string(),
        csrf: token.value.clone(),
        base: frame.base,
        record_href: frame.record_href,
        fieldsets,
        problems,
        comment_error: pick("comment"),
        email_error: pick("proposer_email"),
        comment: shown.comment,
        anonymous: frame.anonymous,
        email: shown.email,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    token.set_on(&mut res);
    Ok(res)
}

/// What a new record's form may be opened with: the actor of a place, the
/// ends of a relation.
#[derive(Debug, Default, Deserialize)]
pub struct Prefill {
    actor: Option<String>,
    subject: Option<String>,
    object: Option<String>,
}

/// `GET /proposer/{kind}`.
pub async fn new_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(seg): Path<String>,
    Params(q): Params<Prefill>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(kind) = kind_of_segment(&seg) else {
        return Err(Error::not_found(format!("no page at /proposer/{seg}")).in_lang(lang));
    };
    let here = format!("/proposer/{seg}");
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    let mut values = Values::default();
    for (name, v) in [
        ("actor", &q.actor),
        ("subject", &q.subject),
        ("object", &q.object),
    ] {
        if let Some(v) = v.as_deref().filter(|v| EntityId::parse(v).is_ok()) {
            values.0.push((name.to_string(), v.to_string()));
        }
    }
    if kind == EntityKind::Actor {
        values.0.push(("nature".into(), "organisation".into()));
    }
    let shown = FormState {
        values,
        errors: Vec::new(),
        comment: String::new(),
        email: String::new(),
    };
    let anonymous = matches!(access, Access::Anonymous);
    form_page(
        &state,
        &viewer,
        t,
        kind,
        None,
        &here,
        anonymous,
        shown,
        StatusCode::OK,
    )
    .await
}

/// What the checks of an import find in a record a form could only
/// partly read (and in the records proposed with it, their fields named
/// after their kind), so that every problem is said at once. Problems of
/// the fields that could not be read are left to [`record_form::build`].
async fn other_problems(
    state: &AppState,
    record: Option<&Entity>,
    more: &[Entity],
) -> Result<Vec<FieldError>, Error> {
    let Some(record) = record.cloned() else {
        return Ok(Vec::new());
    };
    let more = more.to_vec();
    let content = state.content.clone();
    state
        .pool
        .read(move |s| {
            let mut out = Vec::new();
            // Records proposed together point at one another: only
            // their own fields are looked at here.
            for p in contribute::check(s, &content, &record)? {
                if !p.reason.ends_with("is not in the registry") {
                    out.push(p);
                }
            }
            for m in &more {
                for mut p in contribute::check(s, &content, m)? {
                    if !p.reason.ends_with("is not in the registry") {
                        p.field = format!("{}.{}", m.kind(), p.field);
                        out.push(p);
                    }
                }
            }
            Ok(out)
        })
        .await
}

/// Adds to `errors` the problems of fields it says nothing about yet.
pub(super) fn merge(errors: &mut Vec<FieldError>, more: Vec<FieldError>) {
    for e in more {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
}

/// The comment and e-mail address sent with a form, and the values
/// without them.
pub(super) fn split(pairs: Vec<(String, String)>) -> (Values, String, String, Option<u32>) {
    let mut values = Vec::new();
    let (mut comment, mut email, mut base) = (String::new(), String::new(), None);
    for (k, v) in pairs {
        match k.as_str() {
            "comment" => comment = v,
            "proposer_email" => email = v.trim().to_string(),
            "base" => base = v.trim().parse().ok(),
            _ => values.push((k, v)),
        }
    }
    (Values(values), comment, email, base)
}

/// A proposal counted against the rate limit of its proposer (account or
/// client address); the 429 to answer beyond it.
pub(super) fn limited(state: &AppState, viewer: &Viewer, t: Tr) -> Option<Response> {
    let now = state.config.sign_in.clock.now();
    let key = match &viewer.account {
        Some(a) => format!("account:{}", a.id),
        None => format!("address:{}", viewer.address),
    };
    match state.limits.proposals.hit(&key, now) {
        Ok(()) => None,
        Err(l) => {
            use axum::response::IntoResponse;
            let mut res = Error::too_many(t.s("propose.limited"), l.retry_after)
                .in_lang(t.lang)
                .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(l.retry_after));
            Some(res)
        }
    }
}

/// The proposer, from the access and the e-mail address given.
pub(super) fn proposer(access: &Access, email: &str) -> Proposer {
    match access {
        Access::Account(id) => Proposer::Account(*id),
        Access::Anonymous => Proposer::Anonymous(email.to_string()),
    }
}

pub(super) fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// What became of a form sent.
enum Sent {
    Done(Vec<Submitted>),
    Invalid(Vec<FieldError>),
}

/// Files what a form made, turning invalid records into problems to show.
async fn file(state: &AppState, sub: Submission, more: Vec<Entity>) -> Result<Sent, Error> {
    let content = state.content.clone();
    let policy = Policy {
        anonymous: state.config.sign_in.anonymous_proposals,
    };
    state
        .writer
        .write(
            move |s| match contribute::submit_together(s, &content, policy, sub, more) {
                Ok(done) => Ok(Sent::Done(done)),
                Err(ContributionError::Invalid(v)) => Ok(Sent::Invalid(v)),
                Err(ContributionError::AnonymousNotAllowed) => Err(Error::forbidden(
                    "proposals without an account are not accepted here",
                )),
                Err(e) => Err(Error::of_contribution(&e)),
            },
        )
        .await
}

/// Where a proposer goes once a form is filed: their account's list, or
/// (without an account) a page saying so; a referent's edit to the
/// record.
pub(super) fn after(
    viewer: &Viewer,
    t: Tr,
    done: &[Submitted],
    record_href: &str,
) -> Result<Response, Error> {
    match done.first() {
        Some(Submitted::Applied { .. }) => Ok(see_other(record_href)),
        Some(Submitted::Pending(id)) if viewer.signed_in() => {
            Ok(see_other(&format!("/compte?proposition={id}#propositions")))
        }
        _ => {
            let page = ProposedPage {
                page: Layout::new(t, viewer, t.s("propose.sent_title"), "/", None),
                t,
                message: t.s("propose.sent_anonymous"),
                record_href: String::new(),
            };
            render(&page)
        }
    }
}

/// `POST /proposer/{kind}`.
pub async fn new_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(seg): Path<String>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(kind) = kind_of_segment(&seg) else {
        return Err(Error::not_found(format!("no page at /proposer/{seg}")).in_lang(lang));
    };
    let here = format!("/proposer/{seg}");
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    if let Some(res) = limited(&state, &viewer, t) {
        return Ok(res);
    }
    let anonymous = matches!(access, Access::Anonymous);
    let (values, comment, email, _) = split(pairs);
    let at = state.config.sign_in.clock.now();
    // New ids from the names, unused by any record or pending proposal.
    let (name, place_name) = (
        values.one("name").unwrap_or_default().to_string(),
        values
            .one("place.name")
            .or(values.one("name"))
            .unwrap_or_default()
            .to_string(),
    );
    let (id, place_id) = state
        .pool
        .read(move |s| {
            let taken = |i: &EntityId| {
                s.get(i).ok().flatten().is_some()
                    || s.proposals(&ProposalQuery {
                        record: Some(i.clone()),
                        status: Some("pending".into()),
                        limit: 1,
                        ..Default::default()
                    })
                    .map(|v| !v.is_empty())
                    .unwrap_or(true)
            };
            let id = record_form::new_id(kind, &name, taken);
            let place_id = record_form::new_id(EntityKind::Place, &place_name, taken);
            Ok((id, place_id))
        })
        .await?;
    let (Some(id), Some(place_id)) = (id, place_id) else {
        return Err(Error::internal("no identifier left for this name").in_lang(lang));
    };
    let (record, mut errors) = record_form::build_partly(kind, id.clone(), None, &values, at);
    let mut more = Vec::new();
    if let (EntityKind::Actor, Some(actor)) = (kind, &record) {
        match record_form::actor_place(actor, place_id, &values, at) {
            Some(Ok(p)) => more.push(p),
            Some(Err(v)) => errors.extend(v),
            None => {}
        }
    }
    if anonymous && archipel_domain::check_email(&email).is_err() {
        errors.push(FieldError {
            field: "proposer_email".into(),
            reason: t.s("propose.email_needed").into(),
        });
    }
    if !errors.is_empty() {
        let more_errors = other_problems(&state, record.as_ref(), &more).await?;
        merge(&mut errors, more_errors);
    }
    let shown = |values: Values, errors: Vec<FieldError>| FormState {
        values,
        errors,
        comment: comment.clone(),
        email: email.clone(),
    };
    let record = match record {
        Some(r) if errors.is_empty() => r,
        _ => {
            return form_page(
                &state,
                &viewer,
                t,
                kind,
                None,
                &here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let record_id = record.id().clone();
    let sub = Submission {
        proposed: Proposed::Record(Box::new(record)),
        base: None,
        comment: optional(&comment),
        proposer: proposer(&access, &email),
        at,
    };
    match file(&state, sub, more).await? {
        Sent::Done(done) => after(&viewer, t, &done, &record_url(record_id.as_str())),
        Sent::Invalid(errors) => {
            form_page(
                &state,
                &viewer,
                t,
                kind,
                None,
                &here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// The record a path names and its current version, or 404.
async fn current(
    state: &AppState,
    seg: &str,
    raw_id: &str,
    lang: archipel_content::Lang,
) -> Result<(EntityKind, Entity, Option<u32>), Error> {
    let (kind, id) = record_path(seg, raw_id, lang)?;
    let lid = id.clone();
    let found = state
        .pool
        .read(move |s| {
            let e = s.get(&lid)?;
            let v = s.history(&lid)?.last().map(|v| v.number);
            Ok(e.map(|e| (e, v)))
        })
        .await?;
    match found {
        Some((e, v)) => Ok((kind, e, v)),
        None => Err(Error::not_found(format!("no record `{raw_id}` here")).in_lang(lang)),
    }
}

/// `GET /{kind}/{id}/proposer`: "propose a correction".
pub async fn edit_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (kind, e, version) = current(&state, &seg, &raw_id, lang).await?;
    let here = format!("{}/proposer", record_url(e.id().as_str()));
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    let shown = FormState {
        values: record_form::values_of(&e),
        errors: Vec::new(),
        comment: String::new(),
        email: String::new(),
    };
    let anonymous = matches!(access, Access::Anonymous);
    form_page(
        &state,
        &viewer,
        t,
        kind,
        Some((&e, version)),
        &here,
        anonymous,
        shown,
        StatusCode::OK,
    )
    .await
}

/// `POST /{kind}/{id}/proposer`.
pub async fn edit_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (kind, e, version) = current(&state, &seg, &raw_id, lang).await?;
    let here = format!("{}/proposer", record_url(e.id().as_str()));
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    if let Some(res) = limited(&state, &viewer, t) {
        return Ok(res);
    }
    let anonymous = matches!(access, Access::Anonymous);
    let (values, comment, email, base) = split(pairs);
    let at = state.config.sign_in.clock.now();
    let (record, mut errors) =
        record_form::build_partly(kind, e.id().clone(), Some(&e), &values, at);
    if anonymous && archipel_domain::check_email(&email).is_err() {
        errors.push(FieldError {
            field: "proposer_email".into(),
            reason: t.s("propose.email_needed").into(),
        });
    }
    if !errors.is_empty() {
        let more_errors = other_problems(&state, record.as_ref(), &[]).await?;
        merge(&mut errors, more_errors);
    }
    let shown = |values: Values, errors: Vec<FieldError>| FormState {
        values,
        errors,
        comment: comment.clone(),
        email: email.clone(),
    };
    let base = base.or(version);
    let record = match record {
        Some(r) if errors.is_empty() => r,
        _ => {
            return form_page(
                &state,
                &viewer,
                t,
                kind,
                Some((&e, base)),
                &here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    if record.same_facts(&e) {
        let errors = vec![FieldError {
            field: "record".into(),
            reason: t.s("propose.nothing_changed").into(),
        }];
        return form_page(
            &state,
            &viewer,
            t,
            kind,
            Some((&e, base)),
            &here,
            anonymous,
            shown(values, errors),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let sub = Submission {
        proposed: Proposed::Record(Box::new(record)),
        base,
        comment: optional(&comment),
        proposer: proposer(&access, &email),
        at,
    };
    match file(&state, sub, Vec::new()).await? {
        Sent::Done(done) => after(&viewer, t, &done, &record_url(e.id().as_str())),
        Sent::Invalid(errors) => {
            form_page(
                &state,
                &viewer,
                t,
                kind,
                Some((&e, base)),
                &here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// The reasons a report may give.
fn reason_options(t: Tr, chosen: Option<&str>) -> Vec<Opt> {
    [Report::Wrong, Report::Duplicate, Report::Closed]
        .into_iter()
        .map(|r| Opt {
            value: r.as_str().to_string(),
            label: match r {
                Report::Wrong => t.s("report.wrong"),
                Report::Duplicate => t.s("report.duplicate"),
                Report::Closed => t.s("report.closed"),
            }
            .to_string(),
            selected: chosen == Some(r.as_str()),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
/// A record as the report form names it: its name and its page.
pub(super) struct Reported<'a> {
    pub(super) name: &'a str,
    pub(super) href: String,
}

impl<'a> From<&'a Entity> for Reported<'a> {
    fn from(e: &'a Entity) -> Self {
        Reported {
            name: e.name(),
            href: record_url(e.id().as_str()),
        }
    }
}

/// What a report form sent, read: the reason (when one of the list), the
/// reason as chosen, and the problems to show above the form.
pub(super) struct ReportSent {
    pub(super) report: Option<Report>,
    pub(super) chosen: Option<String>,
    pub(super) problems: Vec<Problem>,
    pub(super) comment: String,
    pub(super) email: String,
}

/// Reads a report form (any kind of record).
pub(super) fn read_report(t: Tr, anonymous: bool, pairs: Vec<(String, String)>) -> ReportSent {
    let (values, comment, email, _) = split(pairs);
    let chosen = values.one("reason").map(str::to_string);
    let mut problems = Vec::new();
    let report = chosen.as_deref().and_then(Report::parse);
    if report.is_none() {
        problems.push(Problem {
            href: "#f-reason-wrong".into(),
            label: t.s("report.reason").into(),
            reason: t.s("report.reason_needed").into(),
        });
    }
    if anonymous && archipel_domain::check_email(&email).is_err() {
        problems.push(Problem {
            href: "#f-proposer-email".into(),
            label: t.s("propose.email").into(),
            reason: t.s("propose.email_needed").into(),
        });
    }
    ReportSent {
        report,
        chosen,
        problems,
        comment,
        email,
    }
}

/// The problems a refused report shows, next to the comment.
pub(super) fn report_problems(errors: Vec<FieldError>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem {
            href: "#f-comment".into(),
            label: e.field,
            reason: e.reason,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn report_page(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    e: Reported<'_>,
    anonymous: bool,
    chosen: Option<&str>,
    comment: String,
    email: String,
    problems: Vec<Problem>,
    status: StatusCode,
) -> Result<Response, Error> {
    let here = format!("{}/signaler", e.href);
    let token = FormToken::for_viewer(state, viewer)?;
    let page = ReportPage {
        page: Layout::new(t, viewer, t.s("report.title"), &here, None),
        t,
        name: e.name.to_string(),
        record_href: e.href,
        action: here.clone(),
        csrf: token.value.clone(),
        reasons: reason_options(t, chosen),
        comment,
        problems,
        anonymous,
        email,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    token.set_on(&mut res);
    Ok(res)
}

/// `GET /{kind}/{id}/signaler`: "report a problem".
pub async fn report_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (kind, e, _) = current(&state, &seg, &raw_id, lang).await?;
    let here = format!("{}/signaler", record_url(e.id().as_str()));
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    let anonymous = matches!(access, Access::Anonymous);
    report_page(
        &state,
        &viewer,
        t,
        (&e).into(),
        anonymous,
        None,
        String::new(),
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
}

/// `POST /{kind}/{id}/signaler`.
pub async fn report_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (kind, e, version) = current(&state, &seg, &raw_id, lang).await?;
    let here = format!("{}/signaler", record_url(e.id().as_str()));
    let access = match access(&state, &viewer, kind, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    if let Some(res) = limited(&state, &viewer, t) {
        return Ok(res);
    }
    let anonymous = matches!(access, Access::Anonymous);
    let ReportSent {
        report,
        chosen,
        problems,
        comment,
        email,
    } = read_report(t, anonymous, pairs);
    let Some(report) = report.filter(|_| problems.is_empty()) else {
        return report_page(
            &state,
            &viewer,
            t,
            (&e).into(),
            anonymous,
            chosen.as_deref(),
            comment,
            email,
            problems,
            StatusCode::BAD_REQUEST,
        );
    };
    let sub = Submission {
        proposed: Proposed::Report {
            record: e.id().clone(),
            report,
        },
        base: version,
        comment: optional(&comment),
        proposer: proposer(&access, &email),
        at: state.config.sign_in.clock.now(),
    };
    match file(&state, sub, Vec::new()).await? {
        Sent::Done(done) => after(&viewer, t, &done, &record_url(e.id().as_str())),
        Sent::Invalid(errors) => {
            let problems = report_problems(errors);
            report_page(
                &state,
                &viewer,
                t,
                (&e).into(),
                anonymous,
                chosen.as_deref(),
                comment,
                email,
                problems,
                StatusCode::BAD_REQUEST,
            )
        }
    }
}
