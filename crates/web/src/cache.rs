//! An in-memory cache of API answers. A public registry is read far more
//! often than written, and the same searches and map boxes come back
//! (facet links, embedded maps). Writes come from other processes
//! (`archipel import`…), so validity is checked against the registry
//! file itself: its size and change time, and those of its write-ahead
//! log. Any write changes them and empties the cache.

use crate::http::etag_of;
use crate::i18n::lang_of;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

/// Bodies larger than this are not kept.
pub const MAX_ENTRY: usize = 4 * 1024 * 1024;

type Revision = [(u64, Option<SystemTime>); 2];

struct Entry {
    revision: Revision,
    headers: HeaderMap,
    body: Bytes,
}

pub struct Cache {
    db: PathBuf,
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Cache {
    pub fn new(db: PathBuf, capacity: usize) -> Cache {
        Cache {
            db,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The registry's state on disk: (size, change time) of the file and
    /// of its write-ahead log.
    fn revision(&self) -> Revision {
        let stat = |p: &std::path::Path| match std::fs::metadata(p) {
            Ok(m) => (m.len(), m.modified().ok()),
            Err(_) => (0, None),
        };
        let mut wal = self.db.clone().into_os_string();
        wal.push("-wal");
        [stat(&self.db), stat(std::path::Path::new(&wal))]
    }

    fn get(&self, key: &str, rev: &Revision) -> Option<(HeaderMap, Bytes)> {
        let map = self.entries.lock().ok()?;
        let e = map.get(key)?;
        (e.revision == *rev).then(|| (e.headers.clone(), e.body.clone()))
    }

    fn put(&self, key: String, revision: Revision, headers: HeaderMap, body: Bytes) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(
                key,
                Entry {
                    revision,
                    headers,
                    body,
                },
            );
        }
    }
}

/// Answers `GET /api/v1/…` from the cache when the registry has not
/// changed since; keeps successful answers otherwise.
pub async fn api_cache(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = &state.cache;
    let path = req.uri().path();
    if cache.capacity == 0 || req.method() != Method::GET || !path.starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let key = format!(
        "{}|{}",
        lang_of(&parts).as_str(),
        parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("")
    );
    let rev = cache.revision();
    if let Some((headers, body)) = cache.get(&key, &rev) {
        let mut res = Response::new(Body::from(body));
        *res.headers_mut() = headers;
        return res;
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    // A streamed answer (an export) is not kept: it would have to be read
    // whole, which streaming is there to avoid.
    if axum::body::HttpBody::size_hint(res.body())
        .exact()
        .is_none()
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if bytes.len() <= MAX_ENTRY {
        if let Ok(v) = HeaderValue::from_str(&etag_of(&bytes)) {
            parts.headers.insert(header::ETAG, v);
        }
        cache.put(key, rev, parts.headers.clone(), bytes.clone());
    }
    Response::from_parts(parts, Body::from(bytes))
}
