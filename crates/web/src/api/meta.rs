//! `/health`, `/api/v1/` (index), `/api/v1/stats`, `/api/v1/openapi.json`.

use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The OpenAPI description, kept as a file beside the code.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /health`, for monitoring: a connection of the pool reads the
/// registry's schema version (its first page, whatever the registry's
/// size). Counting the records here cost about 3 ms per probe on 100,000
/// records, growing with the registry; `/api/v1/stats` has the figures.
/// It also says what the answer cache holds against its budget (bytes
/// as counted against it, and entries), and what answers too large to
/// keep hold while they are sent, against theirs.
pub async fn health(State(state): State<AppState>) -> Response {
    let r = state.pool.read(|s| Ok(s.schema_version()?)).await;
    let (held, entries) = state.cache.held();
    match r {
        Ok(version) => Json(json!({
            "status": "ok",
            "schema_version": version,
            "cache": {
                "budget_bytes": state.config.cache_bytes,
                "held_bytes": held,
                "entries": entries,
            },
            "answers_in_flight": {
                "budget_bytes": state.in_flight.budget(),
                "held_bytes": state.in_flight.held(),
            },
        }))
        .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.message })),
        )
            .into_response(),
    }
}

pub async fn index() -> Json<serde_json::Value> {
    Json(json!({
        "name": "Archipel open data API",
        "version": "v1",
        "openapi": "/api/v1/openapi.json",
        "catalog": "/api/v1/catalog.jsonld",
        "resources": {
            "commons": "/api/v1/commons",
            "actors": "/api/v1/actors",
            "places": "/api/v1/places",
            "territories": "/api/v1/territories",
            "relations": "/api/v1/relations",
            "search": "/api/v1/search?q=",
            "places_geojson": "/api/v1/places.geojson?bbox=west,south,east,north",
            "stats": "/api/v1/stats",
            "exports": crate::api::exports::DOWNLOADS.iter().map(|d| format!("/api/v1/exports/{}", d.file)).collect::<Vec<_>>(),
        }
    }))
}

pub async fn stats(State(state): State<AppState>) -> Result<Response, Error> {
    let stats = state
        .pool
        .read(|s| Ok(s.stats()?))
        .await
        .map_err(Error::api)?;
    Ok(Json(stats).into_response())
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn not_found(uri: Uri) -> Error {
    Error::not_found(format!("no API resource at {}", uri.path())).api()
}
