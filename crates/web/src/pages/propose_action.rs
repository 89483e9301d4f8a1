//! Proposing public action on the web: `/soutiens/proposer/{kind}` (a new
//! call, grant, application, hardware loan or gift, hosting, event or
//! post), `/soutiens/{id}/proposer` (a new version of one), and the
//! record's history, `/soutiens/{id}/historique` (with the moderators'
//! restore).
//!
//! The forms are the registry's contribution forms (`propose.html`, the
//! same checks, rate limit and moderation queue); their fields are
//! `action_form`'s. Records are filed by `archipel-jobs`'
//! `contribute_action` through the writing connection.

use super::history::ChangeRow;
use super::propose::{
    access, after, dom_id, limited, owns, problem_list, proposer, read_report, reason_in,
    render_form, report_page, report_problems, split, Access, FieldView, Fieldset, FormFrame,
    FormState, Problem, ReportSent, Reported,
};
use super::support::action_url;
use super::{render, Opt};
use crate::action_form::{self, Field, Input};
use crate::csrf::FormPairs;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::record_form::Values;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::Layout;
use archipel_domain::{Action, ActionId, ActionKind, EntityKind};
use archipel_jobs::contribute::{ContributionError, FieldError, Policy, Submitted};
use archipel_jobs::contribute_action::{self, Proposed, Submission};
use archipel_jobs::history;
use archipel_store::ActionQuery;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

/// A kind's segment in `/soutiens/proposer/{kind}`.
pub fn kind_segment(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Call => "calls",
        ActionKind::Grant => "grants",
        ActionKind::Application => "applications",
        ActionKind::Hardware => "hardware",
        ActionKind::Hosting => "hostings",
        ActionKind::Event => "events",
        ActionKind::Post => "posts",
    }
}

fn kind_of_segment(seg: &str) -> Option<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .find(|k| kind_segment(*k) == seg)
}

/// A kind's name, one record (`Subvention`).
pub fn kind_one(t: Tr, kind: ActionKind) -> &'static str {
    t.s(super::support_item::kind_one(kind))
}

/// The calls for projects a form offers (when there are few enough to
/// choose from), by name.
async fn calls(state: &AppState) -> Result<Option<Vec<(String, String)>>, Error> {
    state
        .pool
        .read(|s| {
            let calls = s.actions(&ActionQuery {
                kind: Some(ActionKind::Call),
                ..Default::default()
            })?;
            if calls.len() > 300 {
                return Ok(None);
            }
            let mut v: Vec<(String, String)> = calls
                .iter()
                .map(|c| (c.id().to_string(), c.name().to_string()))
                .collect();
            v.sort_by_key(|a| a.1.to_lowercase());
            Ok(Some(v))
        })
        .await
}

fn hint(t: Tr, f: &Field) -> &'static str {
    match (f.input, f.name) {
        (Input::Euros, _) => t.s("propose_action.euros_hint"),
        (Input::Record, _) => t.s("propose.record_hint"),
        (Input::Records, _) => t.s("propose_action.records_hint"),
        (Input::Date, _) => t.s("propose.date_hint"),
        (Input::Call, _) => t.s("propose_action.call_hint"),
        (_, "share") => t.s("propose_action.share_hint"),
        (_, "fte") => t.s("propose_action.fte_hint"),
        _ => "",
    }
}

#[allow(clippy::too_many_arguments)]
fn view(
    t: Tr,
    name: String,
    label: String,
    (input, options): (&'static str, Vec<Opt>),
    required: bool,
    hint: &'static str,
    v: &Values,
    errors: &[FieldError],
) -> FieldView {
    let error: Vec<String> = errors
        .iter()
        .filter(|e| owns(&name, &e.field))
        .map(|e| reason_in(t, &e.reason))
        .collect();
    let error = (!error.is_empty()).then(|| error.join(" "));
    let id = dom_id(&name);
    let mut described = Vec::new();
    if !hint.is_empty() {
        described.push(format!("{id}-hint"));
    }
    if error.is_some() {
        described.push(format!("{id}-error"));
    }
    FieldView {
        value: v.shown(&name),
        name,
        described: described.join(" "),
        id,
        label,
        input,
        required,
        options,
        hint,
        error,
    }
}

/// The fieldsets of a kind's form filled with `values` (a tally is a
/// fieldset of its own), and the problems listed above it.
pub(super) async fn fieldsets(
    state: &AppState,
    t: Tr,
    kind: ActionKind,
    values: &Values,
    errors: &[FieldError],
) -> Result<(Vec<Fieldset>, Vec<Problem>), Error> {
    let calls = if action_form::fields(kind)
        .iter()
        .any(|f| f.input == Input::Call)
    {
        calls(state).await?
    } else {
        None
    };
    let mut main = Vec::new();
    let mut more = Vec::new();
    for f in action_form::fields(kind) {
        let current = values.one(f.name);
        let shape = match f.input {
            Input::Line | Input::Record => ("line", Vec::new()),
            Input::Block => ("block", Vec::new()),
            Input::Url => ("url", Vec::new()),
            Input::Date => ("date", Vec::new()),
            Input::Euros | Input::Count => ("number", Vec::new()),
            Input::Records => ("lines", Vec::new()),
            Input::Check => (
                "checks",
                vec![Opt {
                    value: "true".into(),
                    label: t.s("support.yes").into(),
                    selected: current.is_some(),
                }],
            ),
            Input::Choice(options) => (
                "select",
                options
                    .iter()
                    .map(|(value, label)| Opt {
                        value: value.to_string(),
                        label: t.s(label).into(),
                        selected: current == Some(*value),
                    })
                    .collect(),
            ),
            Input::Vocab(vocab) => ("select", super::vocab_options(state, t, vocab, current)),
            Input::Call => match &calls {
                Some(list) => (
                    "select",
                    list.iter()
                        .map(|(id, name)| Opt {
                            value: id.clone(),
                            label: name.clone(),
                            selected: current == Some(id.as_str()),
                        })
                        .collect(),
                ),
                None => ("line", Vec::new()),
            },
            Input::Tally(vocab) => {
                let fields = super::vocab_options(state, t, vocab, None)
                    .into_iter()
                    .map(|o| {
                        view(
                            t,
                            format!("{}.{}", f.name, o.value),
                            o.label,
                            ("number", Vec::new()),
                            false,
                            "",
                            values,
                            errors,
                        )
                    })
                    .collect();
                more.push(Fieldset {
                    legend: t.s(f.label),
                    hint: t.s("propose_action.tally_hint"),
                    fields,
                });
                continue;
            }
        };
        let hint = match (f.input, &calls) {
            (Input::Call, Some(_)) => "",
            _ => hint(t, f),
        };
        main.push(view(
            t,
            f.name.to_string(),
            t.s(f.label).to_string(),
            shape,
            f.required,
            hint,
            values,
            errors,
        ));
    }
    let mut sets = vec![Fieldset {
        legend: kind_one(t, kind),
        hint: "",
        fields: main,
    }];
    sets.extend(more);
    let problems = problem_list(t, &sets, errors);
    Ok((sets, problems))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    kind: ActionKind,
    editing: Option<(&Action, Option<u32>)>,
    here: &str,
    anonymous: bool,
    shown: FormState,
    status: StatusCode,
) -> Result<Response, Error> {
    let sets = fieldsets(state, t, kind, &shown.values, &shown.errors).await?;
    let (title, record_href, base) = match editing {
        Some((a, base)) => (
            format!("{} : {}", t.s("propose.edit_title"), a.name()),
            action_url(a.id()),
            base.map(|b| b.to_string()).unwrap_or_default(),
        ),
        None => (
            format!("{} : {}", t.s("propose.new_title"), kind_one(t, kind)),
            String::new(),
            String::new(),
        ),
    };
    let frame = FormFrame {
        title,
        here,
        base,
        record_href,
        anonymous,
    };
    render_form(state, viewer, t, frame, sets, shown, status)
}

/// The keys of a vocabulary, for the tallies' fields.
pub(super) fn vocab_keys(state: &AppState) -> impl Fn(&str) -> Vec<String> + '_ {
    |vocab| {
        state
            .content
            .vocabulary(vocab)
            .map(|v| v.keys().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// What became of a form sent.
enum Sent {
    Done(Submitted),
    Invalid(Vec<FieldError>),
}

async fn file(state: &AppState, sub: Submission) -> Result<Sent, Error> {
    let content = state.content.clone();
    let policy = Policy {
        anonymous: state.config.sign_in.anonymous_proposals,
    };
    state
        .writer
        .write(
            move |s| match contribute_action::submit(s, &content, policy, sub) {
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

/// `GET /soutiens/proposer/{kind}`.
pub async fn new_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(seg): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(kind) = kind_of_segment(&seg) else {
        return Err(Error::not_found(format!("no page at /soutiens/proposer/{seg}")).in_lang(lang));
    };
    let here = format!("/soutiens/proposer/{seg}");
    let access = match access(&state, &viewer, EntityKind::Actor, &here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    let shown = FormState {
        values: Values::default(),
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

/// `POST /soutiens/proposer/{kind}`.
pub async fn new_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(seg): Path<String>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(kind) = kind_of_segment(&seg) else {
        return Err(Error::not_found(format!("no page at /soutiens/proposer/{seg}")).in_lang(lang));
    };
    let here = format!("/soutiens/proposer/{seg}");
    submit(&state, &viewer, t, kind, None, &here, pairs).await
}

/// Files what a form sent: a new record (`editing` is `None`) or a new
/// version of `editing`.
async fn submit(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    kind: ActionKind,
    editing: Option<(Action, Option<u32>)>,
    here: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, Error> {
    let access = match access(state, viewer, EntityKind::Actor, here, t) {
        Ok(a) => a,
        Err(res) => return Ok(*res),
    };
    if let Some(res) = limited(state, viewer, t) {
        return Ok(res);
    }
    let anonymous = matches!(access, Access::Anonymous);
    let (values, comment, email, base) = split(pairs);
    let at = state.config.sign_in.clock.now();
    let id = match &editing {
        Some((a, _)) => a.id().clone(),
        None => {
            let name = action_form::fields(kind)
                .first()
                .and_then(|f| values.one(f.name))
                .unwrap_or_default()
                .to_string();
            let found = state
                .pool
                .read(move |s| {
                    let taken = |i: &ActionId| {
                        s.action(i).ok().flatten().is_some()
                            || s.pending_proposal_for(i.as_str()).unwrap_or(true)
                    };
                    Ok(action_form::new_id(kind, &name, taken))
                })
                .await?;
            let Some(id) = found else {
                return Err(Error::internal("no identifier left for this name").in_lang(t.lang));
            };
            id
        }
    };
    let current = editing.as_ref().map(|(a, _)| a);
    let built = action_form::build(kind, &id, current, &values, vocab_keys(state), at);
    let mut errors = match &built {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    if anonymous && archipel_domain::check_email(&email).is_err() {
        errors.push(FieldError {
            field: "proposer_email".into(),
            reason: t.s("propose.email_needed").into(),
        });
    }
    let shown = |values: Values, errors: Vec<FieldError>| FormState {
        values,
        errors,
        comment: comment.clone(),
        email: email.clone(),
    };
    let editing_view = editing.as_ref().map(|(a, b)| (a, base.or(*b)));
    let record = match built {
        Ok(r) if errors.is_empty() => r,
        _ => {
            return form_page(
                state,
                viewer,
                t,
                kind,
                editing_view,
                here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let sub = Submission {
        proposed: Proposed::Record(Box::new(record)),
        base: editing.as_ref().and_then(|(_, b)| base.or(*b)),
        comment: super::propose::optional(&comment),
        proposer: proposer(&access, &email),
        at,
    };
    match file(state, sub).await? {
        Sent::Done(done) => after(viewer, t, &[done], &action_url(&id)),
        Sent::Invalid(errors) => {
            form_page(
                state,
                viewer,
                t,
                kind,
                editing_view,
                here,
                anonymous,
                shown(values, errors),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// The record at `/soutiens/{id}` and its current version number.
async fn current(
    state: &AppState,
    raw: &str,
    lang: archipel_content::Lang,
) -> Result<(Action, Option<u32>), Error> {
    let missing = || {
        Error::not_found(format!(
            "no public action record `{}` here",
            archipel_domain::echo(raw)
        ))
        .in_lang(lang)
    };
    let id = ActionId::parse(raw).map_err(|_| missing())?;
    let found = state
        .pool
        .read(move |s| {
            let a = s.action(&id)?;
            let v = s.action_history(&id)?.last().map(|v| v.number);
            Ok(a.map(|a| (a, v)))
        })
        .await?;
    found.ok_or_else(missing)
}

/// `GET /soutiens/{id}/proposer`.
pub async fn edit_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (a, version) = current(&state, &raw, lang).await?;
    let here = format!("{}/proposer", action_url(a.id()));
    let access = match access(&state, &viewer, EntityKind::Actor, &here, t) {
        Ok(x) => x,
        Err(res) => return Ok(*res),
    };
    let shown = FormState {
        values: action_form::values_of(&a),
        errors: Vec::new(),
        comment: String::new(),
        email: String::new(),
    };
    form_page(
        &state,
        &viewer,
        t,
        a.kind(),
        Some((&a, version)),
        &here,
        matches!(access, Access::Anonymous),
        shown,
        StatusCode::OK,
    )
    .await
}

/// `POST /soutiens/{id}/proposer`.
pub async fn edit_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (a, version) = current(&state, &raw, lang).await?;
    let here = format!("{}/proposer", action_url(a.id()));
    let kind = a.kind();
    submit(&state, &viewer, t, kind, Some((a, version)), &here, pairs).await
}

fn reported(a: &Action) -> Reported<'_> {
    Reported {
        name: a.name(),
        href: action_url(a.id()),
    }
}

/// `GET /soutiens/{id}/signaler`: "report a problem" with a record.
pub async fn report_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (a, _) = current(&state, &raw, lang).await?;
    let here = format!("{}/signaler", action_url(a.id()));
    let access = match access(&state, &viewer, EntityKind::Actor, &here, t) {
        Ok(x) => x,
        Err(res) => return Ok(*res),
    };
    let anonymous = matches!(access, Access::Anonymous);
    report_page(
        &state,
        &viewer,
        t,
        reported(&a),
        anonymous,
        None,
        String::new(),
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
}

/// `POST /soutiens/{id}/signaler`.
pub async fn report_submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
    FormPairs(pairs): FormPairs,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (a, version) = current(&state, &raw, lang).await?;
    let here = format!("{}/signaler", action_url(a.id()));
    let access = match access(&state, &viewer, EntityKind::Actor, &here, t) {
        Ok(x) => x,
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
    let problems = match report.filter(|_| problems.is_empty()) {
        Some(report) => {
            let sub = Submission {
                proposed: Proposed::Report {
                    record: a.id().clone(),
                    report,
                },
                base: version,
                comment: super::propose::optional(&comment),
                proposer: proposer(&access, &email),
                at: state.config.sign_in.clock.now(),
            };
            match file(&state, sub).await? {
                Sent::Done(done) => return after(&viewer, t, &[done], &action_url(a.id())),
                Sent::Invalid(errors) => report_problems(errors),
            }
        }
        None => problems,
    };
    report_page(
        &state,
        &viewer,
        t,
        reported(&a),
        anonymous,
        chosen.as_deref(),
        comment,
        email,
        problems,
        StatusCode::BAD_REQUEST,
    )
}

/// A difference of a public action record for people: each field named
/// as its form names it.
pub fn labelled_rows(
    t: Tr,
    kind: ActionKind,
    changes: &[archipel_domain::FieldChange],
) -> Vec<ChangeRow> {
    let shown = |v: &Option<serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    changes
        .iter()
        .map(|c| ChangeRow {
            label: action_form::field_at(kind, &c.field)
                .map(|f| t.s(f.label).to_string())
                .unwrap_or_default(),
            field: c.field.clone(),
            before: shown(&c.before),
            after: shown(&c.after),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    page: Layout,
    t: Tr,
    name: String,
    record_href: String,
    api_url: String,
    versions: Vec<super::history::VersionRow>,
    restore_action: String,
    csrf: String,
}

/// `GET /soutiens/{id}/historique`: the record's versions, newest first.
pub async fn history_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let (a, _) = current(&state, &raw, lang).await?;
    let id = a.id().clone();
    let lid = id.clone();
    let versions = state
        .pool
        .read(move |s| Ok(history::action_versions(s, &lid)?))
        .await
        .map_err(|e| e.in_lang(lang))?;
    let title = format!("{} · {}", t.s("history.title"), a.name());
    let record_href = action_url(&id);
    let here = format!("{record_href}/historique");
    let rows =
        super::history::rows_with(t, &versions, |changes| labelled_rows(t, a.kind(), changes));
    let page = HistoryPage {
        page: Layout::new(t, &viewer, &title, &here, None),
        t,
        name: a.name().to_string(),
        // No history API for public action records yet.
        api_url: String::new(),
        record_href,
        versions: rows,
        restore_action: if viewer.role().can_moderate() {
            format!("{here}/restaurer")
        } else {
            String::new()
        },
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
    };
    render(&page)
}

/// `POST /soutiens/{id}/historique/restaurer`: a moderator makes an older
/// version the current one again.
pub async fn restore(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(raw): Path<String>,
    crate::csrf::Form(f): crate::csrf::Form<super::history::RestoreForm>,
) -> Result<Response, Error> {
    let (a, _) = current(&state, &raw, lang).await?;
    let id = a.id().clone();
    let here = format!("{}/historique", action_url(&id));
    super::history::restore_version(
        &state,
        lang,
        &viewer,
        here,
        &f.version,
        move |s, number, by| match history::restore_action(s, &id, number, by)? {
            archipel_store::Restored::NoSuchVersion => {
                Err(Error::not_found(format!("{id} has no version {number}")))
            }
            _ => Ok(()),
        },
    )
    .await
}
