//! `/map`: places and actors on a map with filters; `/embed/map`: the same
//! map alone, for an iframe on another site.

use super::{render, vocab_options, FilterForm, MapView, Opt, Select};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{query_string, FilterParams, Params};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::Layout;
use archipel_domain::EntityKind;
use archipel_store::{BboxQuery, Filter, ListQuery, Sort};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// Map filters, as in URLs (shared with `/api/v1/places.geojson`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MapParams {
    /// `place`, `actor`, or both when absent.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub filter: FilterParams,
}

impl MapParams {
    /// The kinds asked for.
    pub fn kinds(&self) -> Result<Vec<EntityKind>, Error> {
        match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(vec![EntityKind::Place, EntityKind::Actor]),
            Some(list) => list
                .split(',')
                .map(|k| match k.trim() {
                    "place" => Ok(EntityKind::Place),
                    "actor" => Ok(EntityKind::Actor),
                    other => Err(Error::bad_request(format!(
                        "`type`: `{other}` is not `place` or `actor`"
                    ))),
                })
                .collect(),
        }
    }

    /// The store filter (`kind` is an actor kind here).
    pub fn to_filter(&self, state: &AppState) -> Result<Filter, Error> {
        let mut f = self
            .filter
            .to_filter(&state.content, Some(EntityKind::Actor))?;
        f.kind = None;
        Ok(f)
    }

    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(k) = self.kind.as_deref().filter(|s| !s.trim().is_empty()) {
            v.push(("type", k.to_string()));
        }
        v.extend(self.filter.pairs());
        v
    }
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    page: Layout,
    t: Tr,
    form: FilterForm,
    map: MapView,
    summary: String,
    embed_url: String,
    /// The `<iframe>` to copy (the map's position is added by the script).
    embed_code: String,
    downloads: Vec<crate::views::Link>,
}

#[derive(Template)]
#[template(path = "embed_map.html")]
struct EmbedPage {
    page: Layout,
    t: Tr,
    map: MapView,
    full_url: String,
}

/// Checks the parameters and counts what the map will show. The count of
/// every point (the map as first opened) is a figure of the registry,
/// counted once per change of it.
async fn check(state: &AppState, p: &MapParams) -> Result<u64, Error> {
    let q = BboxQuery {
        bbox: None,
        kinds: p.kinds()?,
        filter: p.to_filter(state)?,
        limit: 0,
    };
    let everything = q.filter == Filter::default() && q.kinds == MapParams::default().kinds()?;
    let st = state.clone();
    state
        .pool
        .read(move |s| {
            if everything {
                crate::figures::map_points(&st, || Ok(s.in_bbox(&q)?.total))
            } else {
                Ok(s.in_bbox(&q)?.total)
            }
        })
        .await
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    Params(p): Params<MapParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let total = check(&state, &p).await.map_err(|e| e.in_lang(lang))?;
    // Choices for the territory and commons filters.
    let (territories, commons) = state
        .pool
        .read(|s| {
            let list = |k| {
                s.list_page(&ListQuery {
                    filter: Filter {
                        kind: Some(k),
                        ..Filter::default()
                    },
                    sort: Sort::Name,
                    limit: 500,
                    offset: 0,
                })
            };
            Ok((list(EntityKind::Territory)?, list(EntityKind::Commons)?))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let current = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let opts = |page: archipel_store::Page<archipel_domain::Entity>, cur: Option<String>| {
        page.items
            .iter()
            .map(|e| Opt {
                value: e.id().to_string(),
                label: e.name().to_string(),
                selected: cur.as_deref() == Some(e.id().as_str()),
            })
            .collect::<Vec<_>>()
    };
    let type_cur = current(&p.kind);
    let form = FilterForm {
        action: "/map".into(),
        selects: vec![
            Select {
                name: "type",
                label: t.s("filters.type"),
                options: vec![
                    Opt {
                        value: "place".into(),
                        label: t.s("kinds.place").into(),
                        selected: type_cur.as_deref() == Some("place"),
                    },
                    Opt {
                        value: "actor".into(),
                        label: t.s("kinds.actor").into(),
                        selected: type_cur.as_deref() == Some("actor"),
                    },
                ],
            },
            Select {
                name: "kind",
                label: t.s("filters.actor_kind"),
                options: vocab_options(&state, t, "actor_kinds", p.filter.kind.as_deref()),
            },
            Select {
                name: "typology",
                label: t.s("filters.typology"),
                options: vocab_options(&state, t, "typology", p.filter.typology.as_deref()),
            },
            Select {
                name: "territory",
                label: t.s("filters.territory"),
                options: opts(territories, current(&p.filter.territory)),
            },
            Select {
                name: "commons",
                label: t.s("filters.commons"),
                options: opts(commons, current(&p.filter.commons)),
            },
        ],
        hidden: Vec::new(),
    };
    let qs = query_string(&p.pairs());
    let mut map = MapView::new(
        &state,
        t,
        &qs,
        format!("/places{}", query_string(&p.filter.pairs())),
    );
    map.hash = true;
    let embed_url = format!("/embed/map{qs}");
    let embed_code = format!(
        "<iframe src=\"{}{embed_url}\" title=\"{}\" width=\"100%\" height=\"480\" loading=\"lazy\" style=\"border:0\"></iframe>",
        state.config.public_url,
        t.s("map.label")
    );
    let page = MapPage {
        page: Layout::new(
            t,
            &viewer,
            t.s("map.title"),
            &super::here(&uri),
            Some("map"),
        )
        .with_map(),
        t,
        form,
        map,
        summary: t.count(total, "map.point", "map.points"),
        embed_url,
        embed_code,
        downloads: crate::views::downloads("/api/v1/places", &p.pairs()),
    };
    render(&page)
}

pub async fn embed(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    Params(p): Params<MapParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    check(&state, &p).await.map_err(|e| e.in_lang(lang))?;
    let qs = query_string(&p.pairs());
    let mut map = MapView::new(
        &state,
        t,
        &qs,
        format!("/places{}", query_string(&p.filter.pairs())),
    );
    map.dom_id = "embed-map";
    map.hash = true;
    let page = EmbedPage {
        page: Layout::new(t, &viewer, t.s("map.title"), &super::here(&uri), None).with_map(),
        t,
        map,
        full_url: format!("/map{qs}"),
    };
    render(&page)
}
