//! How long a session lives.
//!
//! A session ends at whichever comes first: [`SessionPolicy::idle`] after
//! it was last used, or [`SessionPolicy::absolute`] after sign-in. The
//! defaults are those OWASP ASVS 4 (3.3.2, level 2) and NIST SP 800-63B
//! give for a second assurance level: 30 minutes idle, 12 hours in all.
//! Both are settings (`[sign_in]` in the configuration file). Every
//! function takes the time as an argument: the callers say what "now" is.

use chrono::{DateTime, Duration, Utc};

/// Idle and absolute lifetimes of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends a session this long after it was last used.
    pub idle: Duration,
    /// Ends a session this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// When a session created at `created` and last used at `last_seen`
    /// ends.
    pub fn expires(&self, created: DateTime<Utc>, last_seen: DateTime<Utc>) -> DateTime<Utc> {
        (last_seen + self.idle).min(created + self.absolute)
    }

    /// Whether that session is still open at `now`.
    pub fn is_live(
        &self,
        created: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now < self.expires(created, last_seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_or_absolute_whichever_first() {
        let p = SessionPolicy::default();
        let t0 = DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let m = Duration::minutes;
        assert_eq!(p.expires(t0, t0), t0 + m(30));
        assert!(p.is_live(t0, t0, t0 + m(29)));
        assert!(!p.is_live(t0, t0, t0 + m(30)));
        // Used every 20 minutes: still open after 11 h 40, closed at 12 h.
        let last = t0 + m(11 * 60 + 40);
        assert!(p.is_live(t0, last, t0 + m(11 * 60 + 59)));
        assert!(!p.is_live(t0, last, t0 + m(12 * 60)));
        assert_eq!(p.expires(t0, last), t0 + Duration::hours(12));
    }
}
