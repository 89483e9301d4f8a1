//! Downloads of what a page shows, as it is filtered: a list
//! (`/api/v1/lists/actors.csv?kind=association`), a search
//! (`/api/v1/search.csv?q=…`, `.geojson`) and the map
//! (`/api/v1/places.csv?…`; its GeoJSON is `/api/v1/places.geojson`).
//!
//! Each is at most [`MAX_ROWS`] records, one row per record: kind, id,
//! name, sub-kind and its label, coordinates, last change and page. CSV
//! cells a spreadsheet would run as formulas are neutralised by
//! `archipel_formats::spreadsheet` (as every CSV export of Archipel);
//! the GeoJSON holds the records that have coordinates. The whole
//! registry, lossless, is in the exports (`/data`).

use crate::error::Error;
use crate::figures;
use crate::i18n::PageLang;
use crate::pages::map::MapParams;
use crate::pages::records::{kind_of_path, ListParams};
use crate::pages::search::SearchParams;
use crate::params::{ApiParams, Paging};
use crate::state::AppState;
use crate::views::{record_url, subkind_label};
use archipel_content::Lang;
use archipel_domain::Entity;
use archipel_store::{BboxQuery, ListQuery, Summary};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The most records a download holds.
pub const MAX_ROWS: usize = 50_000;

/// One row of a download.
struct Row {
    id: String,
    kind: String,
    name: String,
    subkind: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    updated: String,
}

impl From<Summary> for Row {
    fn from(s: Summary) -> Row {
        Row {
            id: s.id,
            kind: s.kind,
            name: s.name,
            subkind: s.subkind,
            lat: s.lat,
            lon: s.lon,
            updated: s.updated_at,
        }
    }
}

fn row_of(e: &Entity) -> Row {
    let (subkind, at) = match e {
        Entity::Actor(a) => (a.kind.clone(), a.location.as_ref()),
        Entity::Place(p) => (p.details.get("typologie").cloned(), p.location.as_ref()),
        Entity::Commons(c) => (Some(c.kind.clone()), None),
        Entity::Territory(t) => (Some(t.level.clone()), None),
        Entity::Relation(_) => (None, None),
    };
    Row {
        id: e.id().to_string(),
        kind: e.kind().as_str().to_string(),
        name: e.name().to_string(),
        subkind,
        lat: at.map(|p| p.lat),
        lon: at.map(|p| p.lon),
        updated: e.provenance().updated_at.to_rfc3339(),
    }
}

/// The format asked for by the file name's extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
}

fn split_file(file: &str) -> Option<(&str, Format)> {
    if let Some(stem) = file.strip_suffix(".csv") {
        Some((stem, Format::Csv))
    } else {
        file.strip_suffix(".geojson")
            .map(|stem| (stem, Format::GeoJson))
    }
}

fn answer(
    state: &AppState,
    lang: Lang,
    rows: Vec<Row>,
    format: Format,
    name: &str,
) -> Result<Response, Error> {
    let label = |r: &Row| {
        r.subkind
            .as_deref()
            .map(|k| subkind_label(&state.content, &r.kind, k, lang))
    };
    let (mime, bytes, ext) = match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let fail = |e: csv::Error| Error::internal(e.to_string()).api();
            w.write_record([
                "kind",
                "id",
                "name",
                "subkind",
                "subkind_label",
                "latitude",
                "longitude",
                "updated",
                "page",
            ])
            .map_err(fail)?;
            for r in &rows {
                let lat = r.lat.map(|v| v.to_string()).unwrap_or_default();
                let lon = r.lon.map(|v| v.to_string()).unwrap_or_default();
                let cells = [
                    r.kind.clone(),
                    r.id.clone(),
                    r.name.clone(),
                    r.subkind.clone().unwrap_or_default(),
                    label(r).unwrap_or_default(),
                    lat,
                    lon,
                    r.updated.clone(),
                    record_url(&r.id),
                ];
                w.write_record(
                    cells
                        .iter()
                        .map(|c| archipel_formats::spreadsheet::neutralise(c).into_owned()),
                )
                .map_err(fail)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| Error::internal(e.to_string()).api())?;
            ("text/csv; charset=utf-8", bytes, "csv")
        }
        Format::GeoJson => {
            let features: Vec<_> = rows
                .iter()
                .filter_map(|r| {
                    let (lat, lon) = (r.lat?, r.lon?);
                    Some(json!({
                        "type": "Feature",
                        "id": r.id,
                        "geometry": { "type": "Point", "coordinates": [lon, lat] },
                        "properties": {
                            "id": r.id, "kind": r.kind, "name": r.name,
                            "subkind": r.subkind, "label": label(r),
                            "updated": r.updated, "url": record_url(&r.id),
                        }
                    }))
                })
                .collect();
            let body = json!({ "type": "FeatureCollection", "features": features });
            let bytes =
                serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()).api())?;
            ("application/geo+json", bytes, "geojson")
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"archipel-{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `/api/v1/lists/{kind}.csv|geojson`: a list page's records, with its
/// filters and order.
pub async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(file): Path<String>,
    ApiParams(p): ApiParams<ListParams>,
) -> Result<Response, Error> {
    let missing = || Error::not_found(format!("no download `{file}`")).api();
    let (seg, format) = split_file(&file).ok_or_else(missing)?;
    let kind = kind_of_path(seg).ok_or_else(missing)?;
    let filter = p
        .filter
        .to_filter(&state.content, Some(kind))
        .map_err(Error::api)?;
    let q = ListQuery {
        filter,
        sort: p.sort.unwrap_or_default().store(),
        limit: MAX_ROWS,
        offset: 0,
    };
    let st = state.clone();
    let page = state
        .pool
        .read(move |s| figures::list_page(&st, s, &q))
        .await
        .map_err(Error::api)?;
    let rows = page.items.iter().map(row_of).collect();
    answer(&state, lang, rows, format, seg)
}

/// `/api/v1/search.csv` and `/api/v1/search.geojson`: a search's
/// matches, with its filters, in its order.
pub async fn search_csv(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ApiParams(p): ApiParams<SearchParams>,
) -> Result<Response, Error> {
    search(state, lang, p, Format::Csv).await
}

pub async fn search_geojson(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ApiParams(p): ApiParams<SearchParams>,
) -> Result<Response, Error> {
    search(state, lang, p, Format::GeoJson).await
}

async fn search(
    state: AppState,
    lang: Lang,
    p: SearchParams,
    format: Format,
) -> Result<Response, Error> {
    let mut q = p
        .to_query(&state, Paging::new(None, None, 1).map_err(Error::api)?)
        .map_err(Error::api)?;
    q.limit = MAX_ROWS;
    q.offset = 0;
    let st = state.clone();
    let page = state
        .pool
        .read(move |s| figures::search_page(&st, s, &q))
        .await
        .map_err(Error::api)?;
    let rows = page.items.into_iter().map(Row::from).collect();
    answer(&state, lang, rows, format, "search")
}

/// `/api/v1/places.csv`: what the map shows, with the map's filters.
pub async fn map(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ApiParams(p): ApiParams<MapParams>,
) -> Result<Response, Error> {
    let q = BboxQuery {
        bbox: None,
        kinds: p.kinds().map_err(Error::api)?,
        filter: p.to_filter(&state).map_err(Error::api)?,
        limit: MAX_ROWS,
    };
    let page = state
        .pool
        .read(move |s| Ok(s.in_bbox(&q)?))
        .await
        .map_err(Error::api)?;
    let rows = page.items.into_iter().map(Row::from).collect();
    answer(&state, lang, rows, Format::Csv, "map")
}
