//! `/api/v1/places.geojson`: places and actors with coordinates as a
//! GeoJSON FeatureCollection, filtered by bounding box and the map filters.

use crate::error::Error;
use crate::i18n::PageLang;
use crate::pages::map::MapParams;
use crate::params::{bbox, ApiParams};
use crate::state::AppState;
use crate::views::{record_url, subkind_label};
use archipel_store::BboxQuery;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Features returned when no `limit` is given, and the most one may ask.
pub const DEFAULT_LIMIT: usize = 10_000;
pub const MAX_LIMIT: usize = 50_000;

#[derive(Default, Deserialize, Serialize)]
pub struct GeoParams {
    #[serde(default)]
    bbox: Option<String>,
    #[serde(default)]
    limit: Option<String>,
    #[serde(flatten)]
    map: MapParams,
}

#[derive(Serialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct Props {
    id: String,
    kind: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subkind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    url: String,
}

#[derive(Serialize)]
struct Feature {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: Geometry,
    properties: Props,
}

#[derive(Serialize)]
struct Collection {
    #[serde(rename = "type")]
    kind: &'static str,
    /// Matching records in all (may exceed the features returned).
    total: u64,
    truncated: bool,
    features: Vec<Feature>,
}

pub async fn places(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ApiParams(g): ApiParams<GeoParams>,
) -> Result<Response, Error> {
    let limit = crate::params::number::<usize>("limit", &g.limit)
        .map_err(Error::api)?
        .unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(Error::bad_request(format!("`limit` must be at most {MAX_LIMIT}")).api());
    }
    let bbox = match g.bbox.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(b) => Some(bbox(b).map_err(Error::api)?),
        None => None,
    };
    let q = BboxQuery {
        bbox,
        kinds: g.map.kinds().map_err(Error::api)?,
        filter: g.map.to_filter(&state).map_err(Error::api)?,
        limit,
    };
    // Made a few at a time when many large boxes are asked at once: about
    // 1 KiB a feature while the answer is made (see `inflight`).
    let _making = state.in_flight.making(limit.saturating_mul(1024)).await;
    let page = state
        .pool
        .read(move |s| Ok(s.in_bbox(&q)?))
        .await
        .map_err(Error::api)?;
    let content = state.content.clone();
    let features: Vec<Feature> = page
        .items
        .into_iter()
        .filter_map(|s| {
            let (lat, lon) = (s.lat?, s.lon?);
            let label = s
                .subkind
                .as_deref()
                .map(|k| subkind_label(&content, &s.kind, k, lang));
            Some(Feature {
                kind: "Feature",
                id: s.id.clone(),
                geometry: Geometry {
                    kind: "Point",
                    coordinates: [lon, lat],
                },
                properties: Props {
                    url: record_url(&s.id),
                    id: s.id,
                    kind: s.kind,
                    name: s.name,
                    subkind: s.subkind,
                    label,
                },
            })
        })
        .collect();
    let body = Collection {
        kind: "FeatureCollection",
        total: page.total,
        truncated: page.total > features.len() as u64,
        features,
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()).api())?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], bytes).into_response())
}
