//! History read on the web: `/{kind}/{id}/historique` (a record's
//! versions, newest first, each with what changed field by field),
//! `GET /api/v1/history/{id}` (the same as JSON: `at`, `by`, `source`,
//! `changes`…) and `/changements.atom`, the registry's latest changes as
//! an Atom feed. Everything is read through `archipel-jobs`' `history`
//! module, as `archipel history` does; registry text is escaped by the
//! templates (HTML) and by [`xml`] (the feed).

use super::records::record_path;
use super::render;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::state::AppState;
use crate::views::{day, kind_label, record_url, source_name, Layout};
use archipel_domain::{EntityId, FieldChange};
use archipel_jobs::history::{self, RecentChange, VersionView};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A version as the history page shows it.
pub struct VersionRow {
    pub number: u32,
    pub at: String,
    pub date: String,
    pub who: String,
    pub how: &'static str,
    pub source: String,
    pub removed: bool,
    pub changes: Vec<ChangeRow>,
}

pub struct ChangeRow {
    /// The field's name in the forms, in the page's language (empty when
    /// no form shows it).
    pub label: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    page: Layout,
    t: Tr,
    name: String,
    record_href: String,
    api_url: String,
    versions: Vec<VersionRow>,
    /// Where a moderator posts a restore (empty for anyone else).
    restore_action: String,
    csrf: String,
}

/// A value of a difference as text: strings as they are, lists and
/// points as JSON, nothing as an empty string.
fn shown(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// What made a version, in the interface's language.
pub fn action_label(t: Tr, action: &str) -> &'static str {
    match action {
        "import" => t.s("history.action_import"),
        "demo" => t.s("history.action_demo"),
        "proposal" => t.s("history.action_proposal"),
        "referent" => t.s("history.action_referent"),
        "restore" => t.s("history.action_restore"),
        "merge" => t.s("history.action_merge"),
        "unmerge" => t.s("history.action_unmerge"),
        _ => t.s("history.action_unknown"),
    }
}

fn rows(
    content: &archipel_content::Content,
    t: Tr,
    kind: archipel_domain::EntityKind,
    versions: &[VersionView],
) -> Vec<VersionRow> {
    rows_with(t, versions, |changes| {
        labelled_rows(content, t, kind, changes)
    })
}

/// Versions as the history page shows them, each difference labelled by
/// `label`.
pub(super) fn rows_with(
    t: Tr,
    versions: &[VersionView],
    label: impl Fn(&[FieldChange]) -> Vec<ChangeRow>,
) -> Vec<VersionRow> {
    versions
        .iter()
        .map(|v| VersionRow {
            number: v.version,
            at: v.at.clone(),
            date: day(&v.at),
            who: v.by.clone().unwrap_or_default(),
            how: action_label(t, &v.action),
            source: match &v.file {
                Some(f) => format!("{} ({f})", source_name(&v.source, t.lang)),
                None => source_name(&v.source, t.lang),
            },
            removed: v.removed,
            changes: label(&v.changes),
        })
        .collect()
}

/// A difference of a record of `kind` for people: each field named as the
/// forms name it, vocabulary keys as their labels (`association` →
/// "Association"), in the page's language.
pub fn labelled_rows(
    content: &archipel_content::Content,
    t: Tr,
    kind: archipel_domain::EntityKind,
    changes: &[FieldChange],
) -> Vec<ChangeRow> {
    use crate::record_form::{field_at, Input};
    let value = |input: Option<Input>, v: &Option<serde_json::Value>| -> String {
        let term = |vocab: &str, key: &str| content.label(vocab, key, t.lang);
        match (input, v) {
            (Some(Input::Vocab(vocab)), Some(serde_json::Value::String(k))) => term(vocab, k),
            (Some(Input::Many(vocab)), Some(serde_json::Value::Array(keys))) => keys
                .iter()
                .map(|k| match k {
                    serde_json::Value::String(k) => term(vocab, k),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            (Some(Input::Nature), Some(serde_json::Value::String(n))) => match n.as_str() {
                "person" => t.s("field.nature_person").to_string(),
                _ => t.s("field.nature_organisation").to_string(),
            },
            (Some(Input::Lines), Some(serde_json::Value::Array(items))) => items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => shown(v),
        }
    };
    changes
        .iter()
        .map(|c| {
            let f = field_at(kind, &c.field);
            let input = f.map(|f| f.input);
            ChangeRow {
                label: f.map(|f| t.s(f.label).to_string()).unwrap_or_default(),
                field: c.field.clone(),
                before: value(input, &c.before),
                after: value(input, &c.after),
            }
        })
        .collect()
}

/// `/{kind}/{id}/historique`.
pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let missing = || Error::not_found(format!("no record `{raw_id}` here")).in_lang(lang);
    let (_, id) = record_path(&seg, &raw_id, lang)?;
    let lid = id.clone();
    let (versions, name) = state
        .pool
        .read(move |s| {
            let versions = history::versions(s, &lid)?;
            let name = s.last_state(&lid)?.map(|e| e.name().to_string());
            Ok((versions, name))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let Some(name) = name.filter(|_| !versions.is_empty()) else {
        return Err(missing());
    };
    let title = format!("{} · {}", t.s("history.title"), name);
    let moderator = viewer.role().can_moderate();
    let page = HistoryPage {
        page: Layout::new(t, &viewer, &title, &super::here(&uri), None),
        t,
        name,
        record_href: record_url(id.as_str()),
        api_url: format!("/api/v1/history/{}", crate::params::encode(id.as_str())),
        versions: rows(&state.content, t, id.kind(), &versions),
        restore_action: if moderator {
            format!("{}/historique/restaurer", record_url(id.as_str()))
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

#[derive(serde::Deserialize)]
pub struct RestoreForm {
    pub(super) version: String,
}

/// `POST /{kind}/{id}/historique/restaurer`: a moderator makes an older
/// version the current one again (the restore is itself a version).
pub async fn restore(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
    crate::csrf::Form(f): crate::csrf::Form<RestoreForm>,
) -> Result<Response, Error> {
    let (_, id) = record_path(&seg, &raw_id, lang)?;
    let here = format!("{}/historique", record_url(id.as_str()));
    restore_version(
        &state,
        lang,
        &viewer,
        here,
        &f.version,
        move |s, number, by| match history::restore(s, &id, number, by)? {
            archipel_store::Restored::NoSuchVersion => {
                Err(Error::not_found(format!("{id} has no version {number}")))
            }
            _ => Ok(()),
        },
    )
    .await
}

/// A moderator's restore of the record whose history is at `here`:
/// signed in, allowed, a version number, then `restore` through the
/// writing connection; back to the history.
pub(super) async fn restore_version(
    state: &AppState,
    lang: archipel_content::Lang,
    viewer: &crate::session::Viewer,
    here: String,
    version: &str,
    restore: impl FnOnce(&mut archipel_store::Store, u32, &archipel_jobs::Decider<'_>) -> Result<(), Error>
        + Send
        + 'static,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(account) = viewer.account.as_ref().map(|a| a.id) else {
        return Ok(super::account::to_sign_in(&here));
    };
    if !viewer.role().can_moderate() {
        return Err(Error::forbidden(t.s("moderation.not_allowed")).in_lang(lang));
    }
    let Ok(number) = version.trim().parse::<u32>() else {
        return Err(Error::bad_request(t.s("history.no_version")).in_lang(lang));
    };
    let at = state.config.sign_in.clock.now();
    state
        .writer
        .write(move |s| {
            let by = archipel_jobs::Decider {
                account: Some(account),
                via: "web",
                at,
            };
            restore(s, number, &by)
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    Ok(super::signin::see_other(&format!("{here}#versions")))
}

/// `GET /api/v1/history/{id}`: the versions of a record, newest first.
pub async fn api(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, Error> {
    let missing = || Error::not_found(format!("no record `{raw_id}`")).api();
    let id = EntityId::parse(&raw_id).map_err(|_| missing())?;
    let versions = state
        .pool
        .read(move |s| Ok(history::versions(s, &id)?))
        .await
        .map_err(Error::api)?;
    if versions.is_empty() {
        return Err(missing());
    }
    Ok(Json(versions).into_response())
}

/// Text made safe inside XML: markup characters escaped, and characters
/// XML 1.0 does not allow dropped.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// How many changes the home page and the feed show.
pub const RECENT: usize = 20;

/// One line about a recent change: the record's name, or what an import
/// did.
pub fn change_title(t: Tr, c: &RecentChange) -> String {
    match &c.record {
        Some(r) => r.name.clone(),
        None => {
            let b = &c.batch;
            let what = match &b.file {
                Some(f) => format!(
                    "{} {} ({f})",
                    action_label(t, &b.action),
                    source_name(&b.source, t.lang)
                ),
                None => format!(
                    "{} {}",
                    action_label(t, &b.action),
                    source_name(&b.source, t.lang)
                ),
            };
            format!(
                "{what} : {} {}, {} {}, {} {}",
                t.number(b.inserted),
                t.s("history.inserted"),
                t.number(b.updated),
                t.s("history.updated"),
                t.number(b.removed),
                t.s("history.removed_n")
            )
        }
    }
}

/// `/changements.atom`: the latest changes as an Atom feed.
pub async fn feed(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let changes = state
        .pool
        .read(|s| Ok(history::recent_changes(s, RECENT)?))
        .await
        .map_err(|e| e.in_lang(lang))?;
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let updated = changes
        .first()
        .map(|c| c.batch.at.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n<title>{title}</title>\n<id>{base}/changements.atom</id>\n<updated>{updated}</updated>\n<link rel=\"self\" href=\"{base}/changements.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}/\"/>\n<generator>Archipel</generator>\n",
        lang = t.code(),
        title = xml(t.s("history.feed_title")),
        base = xml(&base),
        updated = xml(&updated),
    );
    for c in &changes {
        let b = &c.batch;
        let (href, id) = match &c.record {
            Some(r) => {
                let page = format!("{base}{}/historique", record_url(&r.id));
                (page.clone(), format!("{page}#batch-{}", b.id))
            }
            None => (format!("{base}/"), format!("{base}/#batch-{}", b.id)),
        };
        let kind = c
            .record
            .as_ref()
            .map(|r| format!("{} · ", kind_label(t, r.kind.as_str())))
            .unwrap_or_default();
        let who = b.account_name.clone().unwrap_or_else(|| b.source.clone());
        let summary = format!(
            "{kind}{}{}",
            action_label(t, &b.action),
            if c.record.as_ref().is_some_and(|r| r.removed) {
                format!(" · {}", t.s("history.removed"))
            } else {
                String::new()
            }
        );
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<link href=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
            xml(&change_title(t, c)),
            xml(&id),
            xml(&b.at),
            xml(&who),
            xml(&href),
            xml(&summary)
        ));
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}
