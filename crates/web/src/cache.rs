//! An in-memory cache of answers (the API's and the registry's pages). A
//! public registry is read far more often than written, and the same searches, map boxes and pages come
//! back (facet links, embedded maps, the home page). Writes come from
//! other processes (`archipel import`…), so validity is checked against
//! the registry file itself: its size and change time, and those of its
//! write-ahead log ([`Cache::revision`]). Any write changes them, and the
//! first answer kept after it drops everything kept before.
//!
//! Memory is bounded by a byte budget (`Config::cache_bytes`): when an
//! answer does not fit, the answers used least recently leave. An answer
//! larger than an eighth of the budget (at most [`MAX_ENTRY`]), or
//! streamed without a known size (an export), is not kept; it passes
//! through without being held whole.
//!
//! Keys are canonical: the path, the language, and the query parameters
//! sorted by name, decoded and encoded again (`?b=2&a=1` and `?a=1&b=2`
//! share an entry; `lang` is part of the language). The API refuses
//! parameters it does not know (400) before anything is kept, so junk
//! parameters cannot multiply entries.

use crate::http::{buffer_up_to, etag_of, Buffered};
use crate::i18n::lang_of;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Answers larger than this are never kept.
pub const MAX_ENTRY: usize = 4 * 1024 * 1024;

/// Bytes counted for an entry besides its key, headers and body.
const OVERHEAD: usize = 256;

/// The registry's state on disk: (size, change time) of the file and of
/// its write-ahead log.
pub type Revision = [(u64, Option<SystemTime>); 2];

struct Entry {
    headers: HeaderMap,
    body: Bytes,
    cost: usize,
    used: u64,
}

#[derive(Default)]
struct Inner {
    /// The revision every entry was made at.
    revision: Option<Revision>,
    entries: HashMap<String, Entry>,
    /// Sum of the entries' costs.
    bytes: usize,
    /// A counter ordering uses, for eviction.
    clock: u64,
    /// Figures computed from the whole registry (facet counts of every
    /// record, the number of points on the map), by name: a fixed, small
    /// set, dropped with the entries when the registry changes.
    figures: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
    /// Figures of one record (a territory's dashboard) by name and key,
    /// most recently used last: at most [`MAX_KEYED`], the least recently
    /// used leaving first (each may be large: a territory's whole network).
    keyed: Vec<(&'static str, String, Arc<dyn Any + Send + Sync>)>,
}

/// Most figures of single records kept at once.
pub const MAX_KEYED: usize = 4;

pub struct Cache {
    db: PathBuf,
    budget: usize,
    inner: Mutex<Inner>,
    /// Keys being answered now, each with a lock its requests queue on.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The right to answer a key the cache does not hold: while one request
/// holds it, the others for that key wait, then find the answer kept
/// (64 clients opening the same page after an import make one query, not
/// 64).
pub struct Flight<'a> {
    cache: &'a Cache,
    key: String,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        drop(self.held.take());
        let mut flights = match self.cache.flights.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Only the map's reference left: nobody waits, the key can go.
        // (Waiters take theirs under the map's lock.)
        if flights
            .get(&self.key)
            .is_some_and(|l| Arc::strong_count(l) == 1)
        {
            flights.remove(&self.key);
        }
    }
}

impl Cache {
    /// A cache of at most `budget` bytes for the registry at `db` (0 keeps
    /// nothing).
    pub fn new(db: PathBuf, budget: usize) -> Cache {
        Cache {
            db,
            budget,
            inner: Mutex::new(Inner::default()),
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until no other request is answering `key`, then holds it
    /// (see [`Flight`]); drop the result once the answer is kept.
    pub async fn take_flight(&self, key: &str) -> Flight<'_> {
        // Made first so that, cancelled while waiting, it is dropped last
        // and removes the key if nobody else wants it.
        let mut flight = Flight {
            cache: self,
            key: key.to_string(),
            held: None,
        };
        let lock = {
            let mut flights = match self.flights.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            flights
                .entry(key.to_string())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        flight.held = Some(lock.lock_owned().await);
        flight
    }

    /// Whether anything is ever kept.
    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The largest answer kept.
    pub fn max_entry(&self) -> usize {
        MAX_ENTRY.min(self.budget / 8)
    }

    /// The registry's state on disk now.
    pub fn revision(&self) -> Revision {
        let stat = |p: &std::path::Path| match std::fs::metadata(p) {
            Ok(m) => (m.len(), m.modified().ok()),
            Err(_) => (0, None),
        };
        let mut wal = self.db.clone().into_os_string();
        wal.push("-wal");
        [stat(&self.db), stat(std::path::Path::new(&wal))]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            // A panic while holding the lock leaves a consistent map.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The answer kept under `key` at revision `rev`.
    pub fn get(&self, key: &str, rev: &Revision) -> Option<(HeaderMap, Bytes)> {
        let mut inner = self.lock();
        if inner.revision.as_ref() != Some(rev) {
            return None;
        }
        inner.clock += 1;
        let now = inner.clock;
        let e = inner.entries.get_mut(key)?;
        e.used = now;
        Some((e.headers.clone(), e.body.clone()))
    }

    /// Keeps an answer made at revision `rev`, if it fits.
    pub fn put(&self, key: String, rev: Revision, headers: HeaderMap, body: Bytes) {
        if body.len() > self.max_entry() {
            return;
        }
        let header_bytes: usize = headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len())
            .sum();
        let cost = OVERHEAD + key.len() + header_bytes + body.len();
        let mut inner = self.lock();
        renew(&mut inner, rev);
        if let Some(old) = inner.entries.remove(&key) {
            inner.bytes -= old.cost;
        }
        if inner.bytes + cost > self.budget {
            evict(&mut inner, self.budget.saturating_sub(cost) / 8 * 7);
        }
        inner.clock += 1;
        let used = inner.clock;
        inner.bytes += cost;
        inner.entries.insert(
            key,
            Entry {
                headers,
                body,
                cost,
                used,
            },
        );
    }

    /// The figure `name` computed at revision `rev`, or computes it with
    /// `compute` (on the caller's thread) and keeps it. Only for figures of
    /// the whole registry, whose names are fixed in code: each is computed
    /// once per change of the registry however many pages show it.
    pub fn figure<T, E>(
        &self,
        name: &'static str,
        rev: &Revision,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
    {
        if self.enabled() {
            let inner = self.lock();
            if inner.revision.as_ref() == Some(rev) {
                if let Some(v) = inner.figures.get(name).and_then(|v| v.downcast_ref::<T>()) {
                    return Ok(v.clone());
                }
            }
        }
        let value = compute()?;
        if self.enabled() {
            let mut inner = self.lock();
            renew(&mut inner, *rev);
            inner.figures.insert(name, Arc::new(value.clone()));
        }
        Ok(value)
    }

    /// The figure `name` of the record `key` computed at revision `rev`,
    /// or computes it with `compute` (on the caller's thread) and keeps
    /// it; at most [`MAX_KEYED`] such figures are kept. Shared, not
    /// copied: a territory's network may be large.
    pub fn figure_of<T, E>(
        &self,
        name: &'static str,
        key: &str,
        rev: &Revision,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
    {
        if self.enabled() {
            let mut inner = self.lock();
            if inner.revision.as_ref() == Some(rev) {
                if let Some(i) = inner
                    .keyed
                    .iter()
                    .position(|(n, k, _)| *n == name && k == key)
                {
                    let entry = inner.keyed.remove(i);
                    let found = entry.2.clone().downcast::<T>().ok();
                    inner.keyed.push(entry);
                    if let Some(v) = found {
                        return Ok(v);
                    }
                }
            }
        }
        let value = Arc::new(compute()?);
        if self.enabled() {
            let mut inner = self.lock();
            renew(&mut inner, *rev);
            inner.keyed.retain(|(n, k, _)| !(*n == name && k == key));
            if inner.keyed.len() >= MAX_KEYED {
                inner.keyed.remove(0);
            }
            let shared: Arc<dyn Any + Send + Sync> = value.clone();
            inner.keyed.push((name, key.to_string(), shared));
        }
        Ok(value)
    }

    /// Bytes (as counted against the budget) and entries held now.
    pub fn held(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.bytes, inner.entries.len())
    }
}

/// Makes `rev` the revision of what is kept, dropping everything kept at
/// another (made before a write, none of it is valid any more).
fn renew(inner: &mut Inner, rev: Revision) {
    if inner.revision.as_ref() != Some(&rev) {
        inner.entries.clear();
        inner.figures.clear();
        inner.keyed.clear();
        inner.bytes = 0;
        inner.revision = Some(rev);
    }
}

/// Removes the entries used least recently until at most `target` bytes
/// are held (one sort for many removals: eviction leaves room for several
/// answers at once).
fn evict(inner: &mut Inner, target: usize) {
    let mut by_use: Vec<(u64, usize, String)> = inner
        .entries
        .iter()
        .map(|(k, e)| (e.used, e.cost, k.clone()))
        .collect();
    by_use.sort_unstable_by_key(|(used, _, _)| *used);
    for (_, cost, key) in by_use {
        if inner.bytes <= target {
            break;
        }
        inner.entries.remove(&key);
        inner.bytes -= cost;
    }
}

/// The canonical form of a query string: pairs decoded, those `keep`
/// takes sorted by name (then value), `lang` left out, encoded again.
pub fn canonical_query(query: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut pairs: Vec<(String, String)> = form_pairs(query)
        .filter(|(k, _)| k != "lang" && keep(k))
        .collect();
    pairs.sort();
    let mut out = String::new();
    for (k, v) in pairs {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.extend(percent_encoding::utf8_percent_encode(&k, KEY_SET));
        out.push('=');
        out.extend(percent_encoding::utf8_percent_encode(&v, KEY_SET));
    }
    out
}

/// Characters encoded in a canonical key.
const KEY_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b':')
    .remove(b',');

/// The decoded `name=value` pairs of a query string (`+` is a space).
pub fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        (decode(k), decode(v))
    })
}

/// The cache key of a request: language, path, canonical query of the
/// parameters `keep` takes.
pub fn key_of(parts: &axum::http::request::Parts, keep: impl Fn(&str) -> bool) -> String {
    format!(
        "{}|{}{}",
        lang_of(parts).as_str(),
        parts.uri.path(),
        canonical_query(parts.uri.query().unwrap_or(""), keep)
    )
}

/// Answers `GET` for the API and the registry's pages from the cache
/// when the registry has not changed since; keeps successful answers
/// small enough otherwise. API keys hold every parameter (the API refuses
/// those it does not know); page keys only those pages read (they ignore
/// the others), so tracking tags share the page's entry. Pages asked for
/// by a signed-in visitor pass by the cache (their header names the
/// account).
pub async fn answers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = &state.cache;
    let path = req.uri().path();
    let api = path.starts_with("/api/v1/");
    // A signed-in visitor's pages name the account: never kept, never
    // taken from the cache.
    let signed_in = req
        .extensions()
        .get::<crate::session::Viewer>()
        .is_some_and(|v| v.signed_in());
    if !cache.enabled()
        || req.method() != Method::GET
        || !(api || crate::pages::cached_page(path))
        || (signed_in && !api)
    {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let key = if api {
        key_of(&parts, |_| true)
    } else {
        key_of(&parts, crate::pages::is_page_param)
    };
    let hit = |rev: &Revision| {
        cache.get(&key, rev).map(|(headers, body)| {
            let mut res = Response::new(Body::from(body));
            *res.headers_mut() = headers;
            res
        })
    };
    if let Some(res) = hit(&cache.revision()) {
        return res;
    }
    // One request answers; the others for the same key wait for it and
    // are answered from what it kept.
    let _flight = cache.take_flight(&key).await;
    let rev = cache.revision();
    if let Some(res) = hit(&rev) {
        return res;
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    // Kept only if held whole (see `buffer_up_to`): a large or streamed
    // answer (an export) passes through.
    let (mut parts, body) = res.into_parts();
    match buffer_up_to(body, cache.max_entry()).await {
        Ok(Buffered::Whole(bytes)) => {
            if let Ok(v) = HeaderValue::from_str(&etag_of(&bytes)) {
                parts.headers.insert(header::ETAG, v);
            }
            cache.put(key, rev, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Ok(Buffered::Streamed(body)) => Response::from_parts(parts, body),
        Err(e) => {
            let e = crate::Error::internal(format!("reading response: {e}"));
            if api { e.api() } else { e }.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_request_answers_a_key_at_a_time() {
        let cache = Arc::new(Cache::new(PathBuf::from("/nonexistent"), 1 << 20));
        let first = cache.take_flight("k").await;
        let c = cache.clone();
        let waiter = tokio::spawn(async move {
            let _f = c.take_flight("k").await;
        });
        // Another key is not held up.
        drop(cache.take_flight("other").await);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "waits while the key is answered");
        drop(first);
        waiter.await.unwrap();
        assert!(
            cache.flights.lock().unwrap().is_empty(),
            "no key left behind"
        );
    }

    fn rev(n: u64) -> Revision {
        [(n, None), (0, None)]
    }

    #[test]
    fn keys_ignore_order_and_language_parameter() {
        let all = |q: &str| canonical_query(q, |_| true);
        assert_eq!(all("b=2&a=1"), all("a=1&b=2"));
        assert_eq!(all("q=a+b&lang=en"), "?q=a%20b");
        assert_eq!(all("q=a%20b"), "?q=a%20b");
        assert_eq!(all(""), "");
        assert_ne!(all("a=1"), all("a=2"));
        assert_eq!(all("bbox=1,2,3,4&q=%C3%A9"), "?bbox=1,2,3,4&q=%C3%A9");
        assert_eq!(canonical_query("utm=x&q=a", |k| k == "q"), "?q=a");
    }

    #[test]
    fn the_budget_holds_and_the_least_used_leave() {
        let cache = Cache::new(PathBuf::from("/nonexistent"), 64 * 1024);
        let body = Bytes::from(vec![b'x'; 4000]);
        for i in 0..100 {
            cache.put(format!("k{i}"), rev(1), HeaderMap::new(), body.clone());
            let (bytes, _) = cache.held();
            assert!(bytes <= 64 * 1024, "{bytes} after {i}");
        }
        let (_, n) = cache.held();
        assert!(n >= 10, "kept {n}: eviction does not empty the cache");
        // The newest are kept, the oldest left.
        assert!(cache.get("k99", &rev(1)).is_some());
        assert!(cache.get("k0", &rev(1)).is_none());
        // A key used recently stays when others come.
        let (_, n) = cache.held();
        let oldest_kept = (0..100)
            .find(|i| {
                cache
                    .inner
                    .lock()
                    .unwrap()
                    .entries
                    .contains_key(&format!("k{i}"))
            })
            .unwrap();
        assert!(cache.get(&format!("k{oldest_kept}"), &rev(1)).is_some());
        for i in 100..100 + n / 2 {
            cache.put(format!("k{i}"), rev(1), HeaderMap::new(), body.clone());
        }
        assert!(cache.get(&format!("k{oldest_kept}"), &rev(1)).is_some());
    }

    #[test]
    fn figures_of_records_are_kept_per_key_and_revision_and_bounded() {
        let cache = Cache::new(PathBuf::from("/nonexistent"), 64 * 1024);
        let runs = std::cell::Cell::new(0);
        let get = |key: &str, r: u64| -> String {
            cache
                .figure_of("f", key, &rev(r), || {
                    runs.set(runs.get() + 1);
                    Ok::<_, ()>(format!("{key}@{r}"))
                })
                .unwrap()
                .to_string()
        };
        assert_eq!(get("a", 1), "a@1");
        assert_eq!(get("a", 1), "a@1");
        assert_eq!(runs.get(), 1, "computed once");
        assert_eq!(get("b", 1), "b@1");
        assert_eq!(runs.get(), 2);
        assert_eq!(get("a", 2), "a@2", "a new revision computes again");
        assert_eq!(runs.get(), 3);
        for k in 0..MAX_KEYED + 2 {
            get(&format!("k{k}"), 2);
        }
        assert_eq!(cache.lock().keyed.len(), MAX_KEYED);
        let before = runs.get();
        get(&format!("k{}", MAX_KEYED + 1), 2);
        assert_eq!(runs.get(), before, "the newest kept");
        get("a", 2);
        assert_eq!(runs.get(), before + 1, "the oldest left");
    }

    #[test]
    fn large_answers_and_other_revisions_are_not_served() {
        let cache = Cache::new(PathBuf::from("/nonexistent"), 64 * 1024);
        cache.put(
            "big".into(),
            rev(1),
            HeaderMap::new(),
            Bytes::from(vec![0; 9000]),
        );
        assert!(
            cache.get("big", &rev(1)).is_none(),
            "over an eighth of the budget"
        );
        cache.put(
            "a".into(),
            rev(1),
            HeaderMap::new(),
            Bytes::from_static(b"a"),
        );
        assert!(cache.get("a", &rev(1)).is_some());
        assert!(cache.get("a", &rev(2)).is_none());
        cache.put(
            "b".into(),
            rev(2),
            HeaderMap::new(),
            Bytes::from_static(b"b"),
        );
        assert_eq!(cache.held().1, 1, "entries of the old revision dropped");
        let off = Cache::new(PathBuf::from("/nonexistent"), 0);
        off.put(
            "a".into(),
            rev(1),
            HeaderMap::new(),
            Bytes::from_static(b"a"),
        );
        assert!(off.get("a", &rev(1)).is_none());
    }
}
