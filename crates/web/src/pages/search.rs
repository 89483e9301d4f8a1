//! `/search`: full-text search with facets (kind, actor kind, commons kind,
//! typology, territory, licence). Plain links and a form: no script.

use super::render;
use crate::error::Error;
use crate::figures;
use crate::i18n::{PageLang, Tr};
use crate::params::{nonempty, query_string, set_pairs, Paging, Params};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{kind_label, record_url, subkind_label, Layout, Link, Pager};
use archipel_domain::EntityKind;
use archipel_store::{FacetedQuery, Facets, Filter, Page, SearchQuery, Summary};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// Search parameters, as in URLs (shared with `/api/v1/search`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: Option<String>,
    /// Entity kind: territory, actor, place, commons.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub actor_kind: Option<String>,
    #[serde(default)]
    pub commons_kind: Option<String>,
    #[serde(default)]
    pub typology: Option<String>,
    #[serde(default)]
    pub territory: Option<String>,
    #[serde(default)]
    pub licence: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

/// Longest search text accepted.
pub const MAX_Q: usize = 200;

impl SearchParams {
    /// The store query, checked.
    pub fn to_query(&self, state: &AppState, paging: Paging) -> Result<FacetedQuery, Error> {
        let text = nonempty(&self.q).unwrap_or("").to_string();
        if text.chars().count() > MAX_Q {
            return Err(Error::bad_request(format!(
                "`q` is longer than {MAX_Q} characters"
            )));
        }
        if !text.is_empty() && !SearchQuery::has_words(&text) {
            // Searching it would list every record as if nothing were typed.
            return Err(Error::bad_request(format!(
                "`q`: `{text}` holds no word to search for (letters or digits)"
            )));
        }
        let mut filter = Filter::default();
        if let Some(k) = nonempty(&self.kind) {
            let kind: EntityKind = k
                .parse()
                .map_err(|e| Error::bad_request(format!("`type`: {e}")))?;
            if kind == EntityKind::Relation {
                return Err(Error::bad_request(
                    "`type`: relations are not searched; see a record's page",
                ));
            }
            filter.kind = Some(kind);
        }
        let c = &state.content;
        if let Some(k) = nonempty(&self.actor_kind) {
            filter.subkind = Some(crate::params::vocab_param(
                c,
                "actor_kind",
                "actor_kinds",
                k,
            )?);
            filter.kind = Some(EntityKind::Actor);
        } else if let Some(k) = nonempty(&self.commons_kind) {
            filter.subkind = Some(crate::params::vocab_param(
                c,
                "commons_kind",
                "commons_kinds",
                k,
            )?);
            filter.kind = Some(EntityKind::Commons);
        }
        if let Some(t) = nonempty(&self.typology) {
            filter.typology = Some(crate::params::vocab_param(c, "typology", "typology", t)?);
        }
        if let Some(t) = nonempty(&self.territory) {
            filter.territory = Some(crate::params::id_param(
                "territory",
                t,
                Some(EntityKind::Territory),
            )?);
        }
        if let Some(l) = nonempty(&self.licence) {
            filter.licence = Some(l.to_string());
        }
        Ok(FacetedQuery {
            text,
            filter,
            limit: paging.limit(),
            offset: paging.offset(),
        })
    }

    /// Set parameters (without paging), for links.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        set_pairs([
            ("q", &self.q),
            ("type", &self.kind),
            ("actor_kind", &self.actor_kind),
            ("commons_kind", &self.commons_kind),
            ("typology", &self.typology),
            ("territory", &self.territory),
            ("licence", &self.licence),
        ])
    }
}

pub struct Hit {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub sub: String,
    pub excerpt: Option<String>,
}

pub struct FacetValue {
    pub label: String,
    pub count: String,
    pub href: String,
    pub selected: bool,
}

pub struct FacetView {
    pub title: &'static str,
    pub values: Vec<FacetValue>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Layout,
    t: Tr,
    q: String,
    keep: Vec<(&'static str, String)>,
    total: u64,
    summary: String,
    /// The text typed holds no word to search for.
    no_words: bool,
    hits: Vec<Hit>,
    facets: Vec<FacetView>,
    active: Vec<Link>,
    pager: Pager,
    downloads: Vec<Link>,
}

pub fn hit_view(state: &AppState, t: Tr, h: &Summary) -> Hit {
    Hit {
        href: record_url(&h.id),
        name: h.name.clone(),
        kind: kind_label(t, &h.kind),
        sub: h
            .subkind
            .as_deref()
            .map(|s| subkind_label(&state.content, &h.kind, s, t.lang))
            .unwrap_or_default(),
        excerpt: h.excerpt.clone(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    Params(p): Params<SearchParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let paging = Paging::parse(&p.page, &p.per_page, 20).map_err(|e| e.in_lang(lang))?;
    let text = nonempty(&p.q).unwrap_or("").to_string();
    // Words typed but none to search for (`!!!`): say so, rather than an
    // error page or every record.
    let no_words = !text.is_empty() && !SearchQuery::has_words(&text);
    let mut checked = p.clone();
    if no_words {
        checked.q = None;
    }
    let q = checked
        .to_query(&state, paging)
        .map_err(|e| e.in_lang(lang))?;
    let (results, facets): (Page<Summary>, Facets) = if no_words {
        (Page::empty(), Facets::default())
    } else {
        let st = state.clone();
        state
            .pool
            .read(move |s| {
                Ok((
                    figures::search_page(&st, s, &q)?,
                    figures::facets(&st, s, &q, 12)?,
                ))
            })
            .await
            .map_err(|e| e.in_lang(lang))?
    };

    let pairs = p.pairs();
    // A link with `name` set to `value` (or removed when `None`), page reset.
    let with = |name: &'static str, value: Option<&str>| {
        let mut v: Vec<(&str, String)> =
            pairs.iter().filter(|(k, _)| *k != name).cloned().collect();
        if name == "type" {
            v.retain(|(k, _)| *k != "actor_kind" && *k != "commons_kind");
        }
        if let Some(x) = value {
            v.push((name, x.to_string()));
        }
        format!("/search{}", query_string(&v))
    };
    let current = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    };
    let facet = |title: &'static str,
                 name: &'static str,
                 counts: &[archipel_store::Count],
                 label: &dyn Fn(&str) -> String| FacetView {
        title,
        values: counts
            .iter()
            .map(|c| FacetValue {
                label: label(&c.key),
                count: t.number(c.count),
                href: with(name, Some(&c.key)),
                selected: current(name) == Some(c.key.as_str()),
            })
            .collect(),
    };
    let content = &state.content;
    let tnames: std::collections::HashMap<&str, &str> = facets
        .territory_names
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let facet_views = vec![
        facet(t.s("search.facet_type"), "type", &facets.kind, &|k| {
            kind_label(t, k).to_string()
        }),
        facet(
            t.s("filters.actor_kind"),
            "actor_kind",
            &facets.actor_kind,
            &|k| content.label("actor_kinds", k, lang),
        ),
        facet(
            t.s("filters.typology"),
            "typology",
            &facets.typology,
            &|k| content.label("typology", k, lang),
        ),
        facet(
            t.s("filters.commons_kind"),
            "commons_kind",
            &facets.commons_kind,
            &|k| content.label("commons_kinds", k, lang),
        ),
        facet(
            t.s("filters.territory"),
            "territory",
            &facets.territory,
            &|k| {
                tnames
                    .get(k)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| k.to_string())
            },
        ),
        facet(t.s("filters.licence"), "licence", &facets.licence, &|k| {
            k.to_string()
        }),
    ];
    let active = pairs
        .iter()
        .filter(|(k, _)| *k != "q")
        .map(|(k, v)| {
            let shown = match *k {
                "type" => kind_label(t, v).to_string(),
                "actor_kind" => content.label("actor_kinds", v, lang),
                "commons_kind" => content.label("commons_kinds", v, lang),
                "typology" => content.label("typology", v, lang),
                "territory" => tnames
                    .get(v.as_str())
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| v.clone()),
                _ => v.clone(),
            };
            Link::new(with(k, None), shown)
        })
        .collect();
    let summary = if no_words {
        t.s("search.no_words").to_string()
    } else if text.is_empty() {
        t.count(results.total, "search.result", "search.results")
    } else {
        format!(
            "{} {} « {} »",
            t.count(results.total, "search.result", "search.results"),
            t.s("search.for"),
            crate::views::isolate(&text)
        )
    };
    let mut layout = Layout::new(
        t,
        &viewer,
        t.s("search.title"),
        &super::here(&uri),
        Some("search"),
    );
    layout.q = text.clone();
    let keep: Vec<(&'static str, String)> =
        pairs.iter().filter(|(k, _)| *k != "q").cloned().collect();
    let page = SearchPage {
        page: layout,
        t,
        q: text,
        keep,
        total: results.total,
        summary,
        no_words,
        hits: results
            .items
            .iter()
            .map(|h| hit_view(&state, t, h))
            .collect(),
        facets: facet_views,
        active,
        pager: Pager::new("/search", &pairs, paging.page, paging.pages(results.total)),
        downloads: crate::views::downloads("/api/v1/search", &pairs),
    };
    render(&page)
}
