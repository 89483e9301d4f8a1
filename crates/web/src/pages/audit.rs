//! `/admin/journal`: the audit log (sign-ins, account and role changes,
//! proposals and moderation decisions, restores), newest first, a page at
//! a time, for administrators; `/admin/journal.csv` exports it whole (at
//! most [`MAX_EXPORT`] entries), each cell written safe for spreadsheets.

use super::account::to_sign_in;
use super::render;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{query_string, Params};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{day, record_url, Layout};
use archipel_store::accounts::AuditEntry;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

/// Entries a page shows.
const PAGE: usize = 100;
/// Entries an export holds at most (the newest).
pub const MAX_EXPORT: usize = 200_000;

pub struct EntryRow {
    pub at: String,
    pub date: String,
    pub who: String,
    pub action: String,
    pub target: String,
    pub target_href: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Layout,
    t: Tr,
    rows: Vec<EntryRow>,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    /// Entries before this one (the next page).
    before: Option<String>,
}

/// The administrator signed in, or the answer to give instead.
fn admin(viewer: &Viewer, here: &str, t: Tr) -> Result<(), Box<Response>> {
    match &viewer.account {
        None => Err(Box::new(to_sign_in(here))),
        Some(_) if !viewer.role().can_administer() => Err(Box::new(
            Error::forbidden(t.s("audit.not_allowed"))
                .in_lang(t.lang)
                .into_response(),
        )),
        Some(_) => Ok(()),
    }
}

/// Entries with the names of the accounts that made them.
async fn entries(
    state: &AppState,
    limit: usize,
    before: Option<i64>,
) -> Result<(Vec<AuditEntry>, HashMap<i64, String>), Error> {
    state
        .pool
        .read(move |s| {
            let entries = s.audit_log(limit, before)?;
            let names = s
                .accounts()?
                .into_iter()
                .map(|a| {
                    let name = match &a.email {
                        Some(m) => format!("{} <{m}>", a.display_name),
                        None => a.display_name,
                    };
                    (a.id, name)
                })
                .collect();
            Ok((entries, names))
        })
        .await
}

fn who(names: &HashMap<i64, String>, actor: Option<i64>) -> String {
    match actor {
        Some(a) => names.get(&a).cloned().unwrap_or_else(|| format!("#{a}")),
        None => String::new(),
    }
}

/// A record's page when the target is a record's id.
fn target_href(target: &str) -> String {
    match archipel_domain::EntityId::parse(target) {
        Ok(id) if id.kind() != archipel_domain::EntityKind::Relation => record_url(id.as_str()),
        _ => String::new(),
    }
}

/// `GET /admin/journal`.
pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<AuditParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    if let Err(r) = admin(&viewer, "/admin/journal", t) {
        return Ok(*r);
    }
    let before = q.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let (list, names) = entries(&state, PAGE, before).await?;
    let next = match list.last() {
        Some(last) if list.len() == PAGE => format!(
            "/admin/journal{}",
            query_string(&[("before", last.id.to_string())])
        ),
        _ => String::new(),
    };
    let rows = list
        .into_iter()
        .map(|e| {
            let target = e.target.clone().unwrap_or_default();
            EntryRow {
                date: format!("{} {}", day(&e.at), e.at.get(11..16).unwrap_or_default()),
                at: e.at,
                who: who(&names, e.actor),
                action: e.action,
                target_href: target_href(&target),
                target,
                detail: if e.detail.is_null() {
                    String::new()
                } else {
                    e.detail.to_string()
                },
            }
        })
        .collect();
    let page = AuditPage {
        page: Layout::new(t, &viewer, t.s("audit.title"), "/admin/journal", None),
        t,
        rows,
        next,
    };
    render(&page)
}

/// One CSV line, cells quoted and safe for spreadsheets.
fn csv_line(cells: &[&str]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = archipel_formats::spreadsheet::neutralise(c);
        out.push('"');
        out.push_str(&c.replace('"', "\"\""));
        out.push('"');
    }
    out.push_str("\r\n");
    out
}

/// `GET /admin/journal.csv`.
pub async fn export(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    if let Err(r) = admin(&viewer, "/admin/journal", t) {
        return Ok(*r);
    }
    let (list, names) = entries(&state, MAX_EXPORT, None).await?;
    let mut out = csv_line(&["id", "at", "account", "by", "action", "target", "detail"]);
    for e in &list {
        let detail = if e.detail.is_null() {
            String::new()
        } else {
            e.detail.to_string()
        };
        let account = e.actor.map(|a| a.to_string()).unwrap_or_default();
        out.push_str(&csv_line(&[
            &e.id.to_string(),
            &e.at,
            &account,
            &who(&names, e.actor),
            &e.action,
            e.target.as_deref().unwrap_or_default(),
            &detail,
        ]));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"archipel-journal.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response())
}
