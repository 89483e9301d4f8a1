//! Server-rendered pages, one module per resource.

mod account;
mod admin;
mod audit;
mod compare;
pub mod dashboard;
mod data;
mod duplicates;
pub mod history;
mod home;
mod lang;
mod legal;
pub mod map;
mod moderation;
mod oidc;
mod pitch;
mod propose;
mod propose_action;
pub mod records;
mod relations;
pub mod search;
mod signin;
mod signup;
mod support;
mod support_feed;
mod support_item;

use crate::csrf::post;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{names_of, query_string};
use crate::state::AppState;
use askama::Template;
use axum::http::{header, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::LazyLock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/map", get(map::page))
        .route("/embed/map", get(map::embed))
        .route("/search", get(search::page))
        .route("/data", get(data::page))
        .route("/argumentaires", get(pitch::page))
        .route("/argumentaires/{file}", get(pitch::download))
        .route("/lang/{lang}", get(lang::switch))
        .route("/changements.atom", get(history::feed))
        .route("/connexion", post(signin::submit).merge(get(signin::page)))
        .route("/connexion/oidc/{name}", get(oidc::start))
        .route("/connexion/oidc/{name}/retour", get(oidc::finish))
        .route("/deconnexion", post(signin::sign_out))
        .route("/deconnexion/fin", get(signin::signed_out))
        .route(
            "/inscription",
            post(signup::submit).merge(get(signup::page)),
        )
        .route("/compte", get(account::page))
        .route("/compte/propositions/{id}/retirer", post(account::withdraw))
        .route(
            "/proposer/{kind}",
            post(propose::new_submit).merge(get(propose::new_page)),
        )
        .route("/moderation", get(moderation::queue))
        .route("/moderation/doublons", get(duplicates::page))
        .route("/moderation/doublons/fusionner", post(duplicates::merge))
        .route("/moderation/doublons/distincts", post(duplicates::separate))
        .route("/moderation/{id}", get(moderation::item))
        .route("/moderation/{id}/accepter", post(moderation::accept))
        .route("/moderation/{id}/refuser", post(moderation::refuse))
        .route(
            "/moderation/{id}/modifier",
            post(moderation::edit_accept).merge(get(moderation::edit)),
        )
        .route("/admin/journal", get(audit::page))
        .route("/admin/journal.csv", get(audit::export))
        .route("/admin/comptes", get(admin::page))
        .route("/admin/comptes/{id}/role", post(admin::role))
        .route("/admin/comptes/{id}/desactiver", post(admin::disable))
        .route("/relations", get(relations::page))
        .route("/comparer", get(compare::page))
        .route("/soutiens", get(support::page))
        .route("/soutiens.csv", get(support::csv))
        .route("/soutiens/evenements.ics", get(support_feed::feed))
        .route(
            "/soutiens/proposer/{kind}",
            post(propose_action::new_submit).merge(get(propose_action::new_page)),
        )
        .route("/soutiens/{id}", get(support_item::show))
        .route(
            "/soutiens/{id}/proposer",
            post(propose_action::edit_submit).merge(get(propose_action::edit_page)),
        )
        .route(
            "/soutiens/{id}/signaler",
            post(propose_action::report_submit).merge(get(propose_action::report_form)),
        )
        .route(
            "/soutiens/{id}/historique",
            get(propose_action::history_page),
        )
        .route(
            "/soutiens/{id}/historique/restaurer",
            post(propose_action::restore),
        )
        .route("/accessibilite", get(legal::accessibility))
        .route("/mentions-legales", get(legal::notice))
        .route("/confidentialite", get(legal::privacy))
        .route("/{kind}", get(records::list))
        .route("/{kind}/{id}", get(records::show))
        .route("/{kind}/{id}/historique", get(history::page))
        .route("/{kind}/{id}/tableau-de-bord", get(dashboard::page))
        .route("/{kind}/{id}/tableau-de-bord/{file}", get(dashboard::file))
        .route("/{kind}/{id}/historique/restaurer", post(history::restore))
        .route(
            "/{kind}/{id}/proposer",
            post(propose::edit_submit).merge(get(propose::edit_page)),
        )
        .route(
            "/{kind}/{id}/signaler",
            post(propose::report_submit).merge(get(propose::report_form)),
        )
}

/// Renders a template as an HTML response.
pub fn render(t: &impl Template) -> Result<Response, Error> {
    let html = t.render()?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(html),
    )
        .into_response())
}

/// The 404 page for any path no route takes.
pub async fn not_found(PageLang(lang): PageLang, uri: Uri) -> Response {
    let e = Error::not_found(format!("no page at {}", uri.path())).in_lang(lang);
    if uri.path().starts_with("/api/") {
        e.api().into_response()
    } else {
        e.into_response()
    }
}

/// The current path and query, without `lang` (for the language switch):
/// only parameters pages read, in their canonical order.
pub fn here(uri: &Uri) -> String {
    let pairs: Vec<(&str, String)> = crate::cache::form_pairs(uri.query().unwrap_or(""))
        .filter_map(|(k, v)| {
            // Names from the static list, so the pairs can borrow 'static.
            PAGE_PARAMS
                .iter()
                .find(|n| **n == k)
                .map(|n| (n.as_str(), v))
        })
        .collect();
    format!("{}{}", uri.path(), query_string(&pairs))
}

/// Every parameter a page reads (`lang` apart), from the pages' parameter
/// structs: what a page's cache key and its language switch keep.
static PAGE_PARAMS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v = names_of::<search::SearchParams>();
    v.extend(names_of::<map::MapParams>());
    v.extend(names_of::<records::ListParams>());
    v.extend(names_of::<pitch::PitchParams>());
    v.extend(names_of::<relations::RelationsParams>());
    v.extend(names_of::<support::SupportParams>());
    v.extend(names_of::<compare::CompareParams>());
    v.extend(names_of::<dashboard::DashParams>());
    v.sort();
    v.dedup();
    v
});

/// Whether pages read a parameter of this name.
pub fn is_page_param(name: &str) -> bool {
    PAGE_PARAMS.iter().any(|n| n == name)
}

/// Whether the answer at `path` may be kept in the answer cache: the
/// pages that show the registry (not the argument sheets, the language
/// switch or anything that is not a page).
pub fn cached_page(path: &str) -> bool {
    match path {
        "/" | "/map" | "/embed/map" | "/search" | "/data" | "/relations" | "/soutiens"
        | "/comparer" => true,
        p if p.starts_with("/soutiens/") => true,
        p => p
            .strip_prefix('/')
            .and_then(|rest| rest.split('/').next())
            .and_then(records::kind_of_path)
            .is_some(),
    }
}

/// The map block of a page.
pub struct MapView {
    pub dom_id: &'static str,
    pub src: String,
    pub tiles: String,
    pub attribution: String,
    /// The base map Archipel serves (countries' outlines, TopoJSON) when
    /// no tile server is configured; empty otherwise.
    pub base: String,
    /// The finer outlines the operator provides, drawn over the base
    /// (`/assets/outlines.json?v=…`); empty when none, or with tiles.
    pub outlines: String,
    pub fit: &'static str,
    /// Whether the map keeps its position and zoom in the address
    /// (`#map=ZOOM/LAT/LON`): the map page and the embedded map.
    pub hash: bool,
    pub list_url: String,
}

impl MapView {
    pub fn new(state: &AppState, t: Tr, query: &str, list_url: String) -> MapView {
        let sep = if query.is_empty() { "?" } else { "&" };
        let (tiles, attribution) = match &state.config.tiles {
            Some(tl) => (tl.url.clone(), tl.attribution.clone()),
            None => (String::new(), String::new()),
        };
        MapView {
            dom_id: "map",
            src: format!("/api/v1/places.geojson{query}{sep}lang={}", t.code()),
            tiles,
            base: if state.config.tiles.is_none() {
                crate::assets::url("vendor/world-atlas/countries-50m.json")
            } else {
                String::new()
            },
            outlines: match (&state.config.tiles, &state.config.outlines) {
                (None, Some(o)) => o.url(),
                _ => String::new(),
            },
            attribution,
            fit: "auto",
            hash: false,
            list_url,
        }
    }
}

/// A `<select>` of the filter form.
pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Opt>,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter form of lists and the map.
pub struct FilterForm {
    pub action: String,
    pub selects: Vec<Select>,
    pub hidden: Vec<(String, String)>,
}

/// Options from a vocabulary, labelled in the page's language.
pub fn vocab_options(state: &AppState, t: Tr, vocab: &str, current: Option<&str>) -> Vec<Opt> {
    let Some(v) = state.content.vocabulary(vocab) else {
        return Vec::new();
    };
    let mut out: Vec<Opt> = v
        .keys()
        .map(|k| Opt {
            value: k.to_string(),
            label: state.content.label(vocab, k, t.lang),
            selected: current == Some(k),
        })
        .collect();
    out.sort_by_key(|a| a.label.to_lowercase());
    out
}
