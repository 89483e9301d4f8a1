//! The open data API under `/api/v1/`: JSON records, search, GeoJSON,
//! exports, the DCAT catalogue and the OpenAPI description. Read-only;
//! CORS open for GET.

pub mod catalog;
pub mod downloads;
pub mod exports;
pub mod geo;
pub mod meta;
pub mod records;
pub mod search;

use crate::params::refuse_unknown;
use crate::state::AppState;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

pub fn routes() -> Router<AppState> {
    // Routes that take no parameter (but `lang`) refuse any other, as
    // those with parameters do through `ApiParams`.
    let without_params = Router::new()
        .route("/", get(meta::index))
        .route("/openapi.json", get(meta::openapi))
        .route("/stats", get(meta::stats))
        .route("/catalog.jsonld", get(catalog::catalog))
        .route("/exports/{file}", get(exports::download))
        .route("/{kind}/{id}", get(records::get))
        .route("/{kind}/{id}/relations", get(records::relations))
        .route("/history/{id}", get(crate::pages::history::api))
        .route_layer(axum::middleware::from_fn(no_params));
    Router::new()
        .route("/search", get(search::search))
        .route("/places.geojson", get(geo::places))
        .route("/places.csv", get(downloads::map))
        .route("/lists/{file}", get(downloads::list))
        .route("/search.csv", get(downloads::search_csv))
        .route("/search.geojson", get(downloads::search_geojson))
        .route("/{kind}", get(records::list))
        .merge(without_params)
        .fallback(meta::not_found)
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .allow_headers(Any),
        )
}

/// Refuses any query parameter but `lang` (400, JSON).
async fn no_params(req: Request, next: Next) -> Response {
    match refuse_unknown(req.uri().query(), &[]) {
        Ok(()) => next.run(req).await,
        Err(e) => e.api().into_response(),
    }
}
