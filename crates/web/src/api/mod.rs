//! The open data API under `/api/v1/`: JSON records, search, GeoJSON,
//! exports, the DCAT catalogue and the OpenAPI description. Read-only;
//! CORS open for GET.

pub mod catalog;
pub mod exports;
pub mod geo;
pub mod meta;
pub mod records;
pub mod search;

use crate::state::AppState;
use axum::http::Method;
use axum::routing::get;
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(meta::index))
        .route("/openapi.json", get(meta::openapi))
        .route("/stats", get(meta::stats))
        .route("/search", get(search::search))
        .route("/places.geojson", get(geo::places))
        .route("/catalog.jsonld", get(catalog::catalog))
        .route("/exports/{file}", get(exports::download))
        .route("/{kind}", get(records::list))
        .route("/{kind}/{id}", get(records::get))
        .route("/{kind}/{id}/relations", get(records::relations))
        .fallback(meta::not_found)
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .allow_headers(Any),
        )
}
