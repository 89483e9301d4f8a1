//! What the server keeps in memory about visitors, bounded: maps whose
//! entries expire ([`Expiring`]: OpenID Connect sign-ins under way, rate
//! limit counters) and rate limits ([`Limiter`], [`Limits`]).
//!
//! Nothing here is written to the registry: a restart forgets the
//! counters and the sign-ins under way (the visitor starts again). Every
//! map has a ceiling on its entries; when it is full, expired entries are
//! dropped, and if none has expired a new key is refused (the caller
//! answers 429 or asks to start again) rather than pushing out a live one,
//! so that flooding the map cannot reset someone else's counter.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// A map whose entries end at a time of their own, with at most `cap`
/// entries.
#[derive(Debug)]
pub struct Expiring<V> {
    cap: usize,
    entries: HashMap<String, (DateTime<Utc>, V)>,
}

/// The map is full of live entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl<V> Expiring<V> {
    pub fn new(cap: usize) -> Expiring<V> {
        Expiring {
            cap: cap.max(1),
            entries: HashMap::new(),
        }
    }

    /// The live entry at `key`, if any.
    pub fn get_mut(&mut self, key: &str, now: DateTime<Utc>) -> Option<&mut V> {
        match self.entries.get_mut(key) {
            Some((until, v)) if now < *until => Some(v),
            _ => None,
        }
    }

    /// Takes the live entry at `key` out of the map.
    pub fn take(&mut self, key: &str, now: DateTime<Utc>) -> Option<V> {
        match self.entries.remove(key) {
            Some((until, v)) if now < until => Some(v),
            _ => None,
        }
    }

    /// Puts `value` at `key` until `until` (replacing what was there).
    pub fn insert(
        &mut self,
        key: String,
        value: V,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), Full> {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.cap {
            self.entries.retain(|_, (u, _)| now < *u);
            if self.entries.len() >= self.cap {
                return Err(Full);
            }
        }
        self.entries.insert(key, (until, value));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// At most `limit` events per key in a window of `window` that starts at
/// the key's first event (a fixed window per key).
#[derive(Debug)]
pub struct Limiter {
    limit: u32,
    window: Duration,
    counts: Mutex<Expiring<u32>>,
}

/// Refused: try again in `retry_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: u64,
}

/// Keys a limiter keeps at most.
const MAX_KEYS: usize = 100_000;

impl Limiter {
    pub fn new(limit: u32, window: Duration) -> Limiter {
        Limiter {
            limit,
            window,
            counts: Mutex::new(Expiring::new(MAX_KEYS)),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Expiring<u32>) -> T) -> T {
        let mut m = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut m)
    }

    /// When the window of `key` ends, if it is open.
    fn window_end(m: &Expiring<u32>, key: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        m.entries
            .get(key)
            .filter(|(until, _)| now < *until)
            .map(|(u, _)| *u)
    }

    fn refusal(&self, until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Limited {
        let end = until.unwrap_or(now + self.window);
        let secs = (end - now).num_seconds() + 1;
        Limited {
            retry_after: u64::try_from(secs).unwrap_or(1).max(1),
        }
    }

    /// Whether `key` may act now (its count is below the limit), without
    /// counting.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), Limited> {
        self.with(|m| {
            let until = Self::window_end(m, key, now);
            match m.get_mut(key, now) {
                Some(n) if *n >= self.limit => Err(self.refusal(until, now)),
                _ => Ok(()),
            }
        })
    }

    /// Counts an event of `key`; refused when its count had reached the
    /// limit (or when the limiter is full of live keys).
    pub fn hit(&self, key: &str, now: DateTime<Utc>) -> Result<(), Limited> {
        self.with(|m| {
            let until = Self::window_end(m, key, now);
            if let Some(n) = m.get_mut(key, now) {
                if *n >= self.limit {
                    return Err(self.refusal(until, now));
                }
                *n += 1;
                return Ok(());
            }
            m.insert(key.to_string(), 1, now + self.window, now)
                .map_err(|Full| {
                    tracing::warn!("rate limiter full of live keys: a new key is refused");
                    self.refusal(None, now)
                })
        })
    }

    /// Forgets `key` (a successful sign-in clears its failures).
    pub fn clear(&self, key: &str) {
        self.with(|m| m.entries.remove(key));
    }
}

/// The rate limits of the server. A new kind of request that must be
/// limited (proposals, reports) gets a field here and calls
/// [`Limiter::hit`] with the client's address or its account.
#[derive(Debug)]
pub struct Limits {
    /// Wrong passwords per e-mail address: 20 in 15 minutes.
    pub sign_in_email: Limiter,
    /// Wrong passwords per client address: 100 in 15 minutes.
    pub sign_in_address: Limiter,
    /// Sign-up attempts per client address: 10 an hour.
    pub sign_up_address: Limiter,
    /// Sign-ins through a provider started per client address: 30 in 15
    /// minutes.
    pub oidc_address: Limiter,
    /// Proposals and reports per account (or client address without
    /// one): 60 an hour.
    pub proposals: Limiter,
}

impl Default for Limits {
    fn default() -> Limits {
        let quarter = Duration::minutes(15);
        Limits {
            sign_in_email: Limiter::new(20, quarter),
            sign_in_address: Limiter::new(100, quarter),
            sign_up_address: Limiter::new(10, Duration::hours(1)),
            oidc_address: Limiter::new(30, quarter),
            proposals: Limiter::new(60, Duration::hours(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_limiter_counts_per_key_in_its_window() {
        let l = Limiter::new(3, Duration::minutes(10));
        let t = t0();
        for _ in 0..3 {
            l.hit("a", t).unwrap();
        }
        assert_eq!(l.check("a", t), Err(Limited { retry_after: 601 }));
        assert_eq!(
            l.hit("a", t + Duration::minutes(4)),
            Err(Limited { retry_after: 361 })
        );
        assert!(l.check("b", t).is_ok());
        // The window ends ten minutes after the first event.
        assert!(l.hit("a", t + Duration::minutes(10)).is_ok());
        l.clear("a");
        assert!(l.check("a", t + Duration::minutes(10)).is_ok());
    }

    #[test]
    fn a_full_map_drops_expired_entries_and_refuses_new_keys() {
        let mut m: Expiring<u32> = Expiring::new(2);
        let t = t0();
        let later = t + Duration::minutes(1);
        m.insert("a".into(), 1, later, t).unwrap();
        m.insert("b".into(), 2, t + Duration::hours(1), t).unwrap();
        assert_eq!(m.insert("c".into(), 3, later, t), Err(Full));
        // Replacing a key is always possible.
        m.insert("a".into(), 4, later, t).unwrap();
        // Once "a" expired, "c" takes its room.
        m.insert("c".into(), 3, t + Duration::hours(1), later)
            .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.take("a", later), None);
        assert_eq!(m.take("c", later), Some(3));
        assert_eq!(m.take("c", later), None);
        assert_eq!(m.get_mut("b", t + Duration::hours(2)), None);
    }
}
