//! Layers every response goes through: request size limits, security
//! headers, caching headers and ETags.

use crate::error::Error;
use crate::i18n::lang_of_head;
use crate::state::AppState;
use crate::{MAX_BODY, MAX_HEADERS, MAX_URI};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::hash::{Hash, Hasher};
use std::time::Duration;

/// How long a request may take to produce its answer's head.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Whether a request is for the API (JSON errors) or a page (HTML errors).
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Refuses request targets longer than [`MAX_URI`] (414), header
/// sections larger than [`MAX_HEADERS`] (431) and bodies announced larger
/// than [`MAX_BODY`] (413), before any handler runs, and
/// answers 408 when the answer is not ready within [`TIMEOUT`]. (Bodies
/// without a length are cut by the body limit layer.)
pub async fn limits(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let lang = lang_of_request(&req);
    let refuse = |e: Error| {
        let e = e.in_lang(lang);
        if api { e.api() } else { e }.into_response()
    };
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
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADERS {
        return refuse(Error::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request headers larger than {MAX_HEADERS} bytes"),
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
    match tokio::time::timeout(TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => refuse(Error::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("no answer within {} s", TIMEOUT.as_secs()),
        )),
    }
}

fn lang_of_request(req: &Request) -> archipel_content::Lang {
    lang_of_head(req.uri(), req.headers())
}

/// Runs the request with the publisher's declared conformance at hand
/// (`views::CONFORMANCE`), for every page's footer.
pub async fn publisher(State(state): State<AppState>, req: Request, next: Next) -> Response {
    crate::views::CONFORMANCE
        .scope(state.config.publisher.conformance, next.run(req))
        .await
}

/// Largest error body read to reuse its message.
const MAX_ERROR_BODY: usize = 1024;

/// Every error answer in the shape its audience reads: a JSON body
/// `{"error", "status"}` under `/api/`, the HTML error page elsewhere.
/// Our handlers already answer so; this catches what the framework
/// answers by itself — extractor rejections (a path segment that is not
/// UTF-8, `%FF`), 405 for another method than GET, and anything else —
/// keeping its status and headers (`Allow` on a 405).
pub async fn errors(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let lang = lang_of_request(&req);
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let shaped = if api {
        ct.starts_with("application/json")
    } else {
        ct.starts_with("text/html")
    };
    if shaped || method == Method::HEAD {
        return res;
    }
    let plain =
        ct.starts_with("text/plain") && !res.headers().contains_key(header::CONTENT_ENCODING);
    let (mut parts, body) = res.into_parts();
    let said = if plain {
        axum::body::to_bytes(body, MAX_ERROR_BODY)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .filter(|s| !s.is_empty())
    } else {
        None
    };
    let message = match (status, said) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => {
            format!("method {method} is not allowed here")
        }
        (_, Some(s)) => s,
        (s, None) => s.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let e = Error::new(status, message).in_lang(lang);
    let shown = if api { e.api() } else { e }.into_response();
    let (new, body) = shown.into_parts();
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
        parts.headers.remove(&name);
        if let Some(v) = new.headers.get(&name) {
            parts.headers.insert(name, v.clone());
        }
    }
    Response::from_parts(parts, body)
}

/// A body read into memory when it is small, or left to stream.
pub enum Buffered {
    /// The whole body, at most the limit asked.
    Whole(Bytes),
    /// A body larger than the limit, or of a size not known in advance (an
    /// export written as it is sent), untouched.
    Streamed(Body),
}

/// The one rule for holding an answer in memory (to keep it in the answer
/// cache, to hash it into an ETag): a body whose size is known and at most
/// `limit` is read whole; any other — larger, or streamed without a known
/// size — is passed on as it comes, never read whole.
pub async fn buffer_up_to(body: Body, limit: usize) -> Result<Buffered, axum::Error> {
    match http_body::Body::size_hint(&body).exact() {
        Some(n) if n <= limit as u64 => {
            Ok(Buffered::Whole(axum::body::to_bytes(body, limit).await?))
        }
        _ => Ok(Buffered::Streamed(body)),
    }
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
    // A sign-out through a provider is a form whose answer redirects to
    // the provider's end-session endpoint: browsers check form-action on
    // the redirect too.
    let providers: String = state
        .config
        .sign_in
        .providers
        .iter()
        .filter_map(|p| url_origin(&p.issuer))
        .map(|o| format!(" {o}"))
        .collect();
    let ancestors = if embed {
        state.config.frame_ancestors.as_str()
    } else {
        "'none'"
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; \
         connect-src 'self'; font-src 'self'; form-action 'self'{providers}; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// `scheme://host[:port]` of an URL, for a CSP source.
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let ok = (scheme == "https" || scheme == "http")
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| format!("{scheme}://{host}"))
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

/// Answers larger than this get no ETag (they stream rather than being
/// read whole to compute one).
pub const MAX_ETAG_BODY: usize = crate::cache::MAX_ENTRY;

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
        // Both are kept by browsers and proxies but asked again each time
        // (a 304 from the answer's validator when nothing changed): the
        // registry changes under contributions, and a decision shows at
        // once — to the moderator who made it as to everyone.
        let cc = if api { "public, no-cache" } else { "no-cache" };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    }
    if !api && !path.starts_with("/assets/") {
        // Pages depend on the language cookie.
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Cookie"));
    }
    let (mut parts, body) = res.into_parts();
    // An answer that comes with its validator (assets, the answer cache, a
    // streamed export) is not read; others get one from their bytes when
    // [`buffer_up_to`] holds them, and the rest stream without.
    let (etag, body) = match parts.headers.get(header::ETAG) {
        Some(v) => (v.to_str().unwrap_or_default().to_string(), body),
        None => match buffer_up_to(body, MAX_ETAG_BODY).await {
            Ok(Buffered::Whole(bytes)) => (etag_of(&bytes), Body::from(bytes)),
            Ok(Buffered::Streamed(body)) => return Response::from_parts(parts, body),
            Err(e) => return Error::internal(format!("reading response: {e}")).into_response(),
        },
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
    Response::from_parts(parts, body)
}
