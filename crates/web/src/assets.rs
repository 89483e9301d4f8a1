//! Static assets compiled into the binary: our CSS and script, Leaflet and
//! Leaflet.markercluster, and world-atlas's Natural Earth countries (the
//! map's base when no tile server is configured), vendored from npm with
//! their licences.
//!
//! Pages link them as `/assets/PATH?v=VERSION`; a request carrying the
//! current version may be cached for a year, others are revalidated with
//! the ETag.

use crate::http::etag_of;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::LazyLock;

macro_rules! embed {
    ($($path:literal => $mime:literal),* $(,)?) => {
        &[$(($path, $mime, include_bytes!(concat!("../assets/", $path)) as &[u8])),*]
    };
}

const FILES: &[(&str, &str, &[u8])] = embed!(
    "app.css" => "text/css; charset=utf-8",
    "app.js" => "text/javascript; charset=utf-8",
    "nav.js" => "text/javascript; charset=utf-8",
    "favicon.svg" => "image/svg+xml",
    "vendor/leaflet/leaflet.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.css" => "text/css; charset=utf-8",
    "vendor/leaflet/LICENSE" => "text/plain; charset=utf-8",
    "vendor/leaflet/images/layers.png" => "image/png",
    "vendor/leaflet/images/layers-2x.png" => "image/png",
    "vendor/leaflet/images/marker-icon.png" => "image/png",
    "vendor/leaflet/images/marker-icon-2x.png" => "image/png",
    "vendor/leaflet/images/marker-shadow.png" => "image/png",
    "vendor/leaflet.markercluster/leaflet.markercluster.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet.markercluster/MarkerCluster.css" => "text/css; charset=utf-8",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css" => "text/css; charset=utf-8",
    "vendor/leaflet.markercluster/MIT-LICENCE.txt" => "text/plain; charset=utf-8",
    "vendor/world-atlas/countries-50m.json" => "application/json",
    "vendor/world-atlas/LICENSE" => "text/plain; charset=utf-8",
    "vendor/README.md" => "text/plain; charset=utf-8",
);

pub struct Asset {
    pub mime: &'static str,
    pub bytes: &'static [u8],
    pub etag: String,
    /// Short version for cache-busting URLs.
    pub version: String,
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(path, mime, bytes)| {
            let etag = etag_of(bytes);
            let version = etag
                .trim_start_matches("W/\"")
                .chars()
                .take(10)
                .collect::<String>();
            (
                *path,
                Asset {
                    mime,
                    bytes,
                    etag,
                    version,
                },
            )
        })
        .collect()
});

/// The URL of an asset, with its version.
pub fn url(path: &str) -> String {
    match ASSETS.get(path) {
        Some(a) => format!("/assets/{path}?v={}", a.version),
        None => format!("/assets/{path}"),
    }
}

fn respond(a: &Asset, immutable: bool) -> Response {
    let cc = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, a.mime), (header::CACHE_CONTROL, cc)],
        a.bytes,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&a.etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

pub async fn serve(Path(path): Path<String>, RawQuery(q): RawQuery) -> Response {
    match ASSETS.get(path.as_str()) {
        Some(a) => {
            let immutable = q.is_some_and(|q| q == format!("v={}", a.version));
            respond(a, immutable)
        }
        None => crate::Error::not_found(format!("no asset {path}")).into_response(),
    }
}

pub async fn favicon() -> Response {
    match ASSETS.get("favicon.svg") {
        Some(a) => respond(a, false),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/assets/outlines.json`: the finer outlines the operator provides
/// (`Config::outlines`), read at start; cached like the other assets (a
/// year with the current `?v=`, else revalidated with the ETag), 404 when
/// none is configured.
pub async fn outlines(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let Some(o) = &state.config.outlines else {
        return crate::Error::not_found("no outlines are configured (tiles.outlines)")
            .into_response();
    };
    let immutable = q.is_some_and(|q| q == format!("v={}", o.version));
    let cc = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mime = if o.kind == "Topology" {
        "application/json"
    } else {
        "application/geo+json"
    };
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cc)],
        o.bytes.clone(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&o.etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}
