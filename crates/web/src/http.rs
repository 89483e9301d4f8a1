//! Layers every response goes through: request size limits, security
//! headers, caching headers and ETags.

use crate::error::Error;
use crate::state::AppState;
use crate::{MAX_BODY, MAX_URI};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::hash::{Hash, Hasher};

/// Refuses request targets longer than [`MAX_URI`] (414) and bodies
/// announced larger than [`MAX_BODY`] (413), before any handler runs.
/// (Bodies without a length are cut by the body limit layer.)
pub async fn limits(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let refuse = |e: Error| if api { e.api() } else { e }.into_response();
    let target_len = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().len())
        .unwrap_or(0);
    if target_len > MAX_URI {
        return refuse(Error::new(
            StatusCode::URI_TOO_LONG,
            format!("request target longer than {MAX_URI} bytes"),
        ));
    }
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        return refuse(Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {MAX_BODY} bytes"),
        ));
    }
    next.run(req).await
}

/// The Content-Security-Policy: scripts and styles from this server only
/// (no inline script), map tiles from the configured tile server.
pub fn csp(state: &AppState, embed: bool) -> String {
    let tiles = state
        .config
        .tiles
        .as_ref()
        .and_then(|t| t.origin())
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let ancestors = if embed {
        state.config.frame_ancestors.as_str()
    } else {
        "'none'"
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; \
         connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// A weak validator for a body.
pub fn etag_of(bytes: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("W/\"{:016x}{:08x}\"", h.finish(), bytes.len())
}

pub(crate) fn matches(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(v) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    v.split(',').any(|t| {
        let t = t.trim();
        t == "*" || t == etag || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
    })
}

/// Security headers on every response; caching headers and ETag (with
/// 304 answers to `If-None-Match`) on successful GETs.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD);
    let inm = req.headers().get(header::IF_NONE_MATCH).cloned();
    let embed = path.starts_with("/embed/");
    let mut res = next.run(req).await;

    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp(&state, embed)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if !embed {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(), camera=(), microphone=()"),
    );

    if !cacheable || res.status() != StatusCode::OK || path.starts_with("/files/") {
        return res;
    }
    let api = path.starts_with("/api/");
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        let cc = if api {
            "public, max-age=60"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    }
    if !api && !path.starts_with("/assets/") {
        // Pages depend on the language cookie.
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Cookie"));
    }
    // An answer that carries its own validator (a streamed export) is
    // passed on as it comes, not read whole to make one.
    if let Some(etag) = res.headers().get(header::ETAG) {
        if matches(inm.as_ref(), etag.to_str().unwrap_or_default()) {
            let (mut parts, _) = res.into_parts();
            parts.status = StatusCode::NOT_MODIFIED;
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.remove(header::CONTENT_TYPE);
            return Response::from_parts(parts, Body::empty());
        }
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return Error::internal(format!("reading response: {e}")).into_response(),
    };
    let etag = match parts.headers.get(header::ETAG) {
        Some(v) => v.to_str().unwrap_or_default().to_string(),
        None => etag_of(&bytes),
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, v);
    }
    if matches(inm.as_ref(), &etag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}
