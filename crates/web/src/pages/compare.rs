//! `/comparer?a=CODE&b=CODE`: two territories side by side — the same
//! figures as their dashboards (`archipel compare`'s), per 10,000
//! inhabitants where the population is known, their evolution on shared
//! charts, and their networks' figures. A GET form picks the two.
//!
//! The parameters are hostile until checked: at most [`MAX_KEY`]
//! characters, no control character; a territory the registry does not
//! know is a 404 that says so and lists what it knows.

use super::dashboard::{self, FigureRow, Figures};
use super::pitch::{territory_groups, Group};
use super::render;
use crate::charts::{self, Figure};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{isolate, record_url, Layout};
use archipel_content::Lang;
use archipel_domain::EntityId;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Longest territory key accepted.
pub const MAX_KEY: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CompareParams {
    #[serde(default)]
    pub a: Option<String>,
    #[serde(default)]
    pub b: Option<String>,
}

/// A parameter: empty or absent is none; too long or with a control
/// character is a 400.
fn key_of(name: &str, v: &Option<String>, lang: Lang) -> Result<Option<String>, Error> {
    let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_KEY || v.chars().any(char::is_control) {
        return Err(Error::bad_request(format!(
            "`{name}`: a territory's INSEE code, SIREN, `level:code` or id (at most {MAX_KEY} characters, no control character), not {}",
            archipel_domain::echo(v)
        ))
        .in_lang(lang));
    }
    Ok(Some(v.to_string()))
}

/// One side's column header and links.
pub struct SideView {
    pub name: String,
    pub dashboard: String,
    pub record: String,
    pub population: String,
}

/// A line of the side-by-side table.
pub struct Line {
    pub label: String,
    pub a: String,
    pub b: String,
    pub a_10k: String,
    pub b_10k: String,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    page: Layout,
    t: Tr,
    /// The two selects: name, label, options.
    selects: Vec<(&'static str, &'static str, Vec<Group>)>,
    sides: Option<(SideView, SideView)>,
    per_10k: bool,
    lines: Vec<Line>,
    evolution: Vec<(String, Figure)>,
}

fn side(t: Tr, f: &Figures) -> SideView {
    SideView {
        name: f.name.clone(),
        dashboard: dashboard::url(f.id.as_str()),
        record: record_url(f.id.as_str()),
        population: f.population.map(|p| t.number(p)).unwrap_or_default(),
    }
}

/// The rows of both sides, matched by key (A's order, then B's others).
fn lines(t: Tr, a: &[FigureRow], b: &[FigureRow]) -> Vec<Line> {
    let mut keys: Vec<(&str, &str)> = a
        .iter()
        .map(|r| (r.key.as_str(), r.label.as_str()))
        .collect();
    for r in b {
        if !keys.iter().any(|(k, _)| *k == r.key) {
            keys.push((r.key.as_str(), r.label.as_str()));
        }
    }
    let cell = |rows: &[FigureRow], k: &str| -> (String, String) {
        match rows.iter().find(|r| r.key == k) {
            Some(r) => (
                charts::number(t.lang, r.value),
                r.per_10k
                    .map(|v| charts::number(t.lang, v))
                    .unwrap_or_default(),
            ),
            None => ("0".into(), String::new()),
        }
    };
    keys.into_iter()
        .map(|(k, label)| {
            let (a, a_10k) = cell(a, k);
            let (b, b_10k) = cell(b, k);
            Line {
                label: label.to_string(),
                a,
                b,
                a_10k,
                b_10k,
            }
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    crate::params::Params(p): crate::params::Params<CompareParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let a = key_of("a", &p.a, lang)?;
    let b = key_of("b", &p.b, lang)?;
    let st = state.clone();
    let content = state.content.clone();
    type Found = (
        Option<Arc<Figures>>,
        Option<Arc<Figures>>,
        Vec<Group>,
        Vec<Group>,
    );
    let (fa, fb, groups_a, groups_b): Found = state
        .pool
        .read(move |s| {
            let resolve = |key: &Option<String>| -> Result<Option<EntityId>, Error> {
                key.as_deref()
                    .map(|k| {
                        archipel_pitch::resolve_territory(s, Some(k))
                            .map_err(|e| super::pitch::sheet_error(e, lang))
                    })
                    .transpose()
            };
            let (ia, ib) = (resolve(&a)?, resolve(&b)?);
            let figures = |id: &Option<EntityId>| -> Result<Option<Arc<Figures>>, Error> {
                match id {
                    Some(id) => Ok(Some(dashboard::figures_of(&st, s, id)?.ok_or_else(
                        || Error::not_found(format!("no territory `{id}`")).in_lang(lang),
                    )?)),
                    None => Ok(None),
                }
            };
            let (fa, fb) = match (&ia, &ib) {
                (Some(_), Some(_)) => (figures(&ia)?, figures(&ib)?),
                _ => (None, None),
            };
            let ga = territory_groups(s, &content, t, ia.as_ref().map(|i| i.as_str()))?;
            let gb = territory_groups(s, &content, t, ib.as_ref().map(|i| i.as_str()))?;
            Ok((fa, fb, ga, gb))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let (title, sides, lines_v, evolution, per_10k) = match (&fa, &fb) {
        (Some(fa), Some(fb)) => {
            let rows_a = dashboard::figure_rows(
                &state.content,
                t,
                &fa.stats,
                Some(&fa.network),
                fa.population,
            );
            let rows_b = dashboard::figure_rows(
                &state.content,
                t,
                &fb.stats,
                Some(&fb.network),
                fb.population,
            );
            (
                format!(
                    "{} · {} / {}",
                    t.s("compare.title"),
                    isolate(&fa.name),
                    isolate(&fb.name)
                ),
                Some((side(t, fa), side(t, fb))),
                lines(t, &rows_a, &rows_b),
                dashboard::evolution(
                    t,
                    &[
                        (fa.name.as_str(), &fa.series),
                        (fb.name.as_str(), &fb.series),
                    ],
                    "cmp-evo",
                ),
                fa.population.is_some() || fb.population.is_some(),
            )
        }
        _ => (
            t.s("compare.title").to_string(),
            None,
            Vec::new(),
            Vec::new(),
            false,
        ),
    };
    let page = ComparePage {
        page: Layout::new(t, &viewer, &title, &super::here(&uri), Some("territories")),
        t,
        selects: vec![
            ("a", t.s("compare.first"), groups_a),
            ("b", t.s("compare.second"), groups_b),
        ],
        sides,
        per_10k,
        lines: lines_v,
        evolution,
    };
    render(&page)
}
