//! The OpenID Connect providers of the configuration, and the sign-ins
//! through them under way.
//!
//! A provider is discovered (its metadata and keys fetched, its client
//! secret read) at its first use, on a blocking thread, and kept; a
//! failed discovery is tried again at the next use. Between the redirect
//! to the provider and the browser's return, what the relying party must
//! keep (`state`, `nonce`, the PKCE verifier) stays here, in memory, keyed
//! by `state`: at most [`MAX_PENDING`] sign-ins at once, each for
//! [`PENDING_MINUTES`] minutes and usable once, bound to the browser that
//! started it by its pre-session cookie (so that a link carrying someone
//! else's code cannot sign a visitor in as someone else).

use crate::throttle::{Expiring, Full};
use crate::Error;
use archipel_accounts::oidc::{Pending, Provider, ProviderConfig};
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// Sign-ins through a provider under way at once.
pub const MAX_PENDING: usize = 10_000;
/// How long a sign-in through a provider may take.
pub const PENDING_MINUTES: i64 = 10;

/// A sign-in through a provider under way.
#[derive(Debug)]
pub struct PendingLogin {
    pub pending: Pending,
    /// The pre-session cookie of the browser that started it.
    pub browser: String,
    /// Where to go once signed in (a local path, already checked).
    pub next: String,
}

struct Slot {
    config: ProviderConfig,
    found: tokio::sync::Mutex<Option<Arc<Provider>>>,
}

pub struct Providers {
    slots: Vec<Slot>,
    pending: Mutex<Expiring<PendingLogin>>,
}

impl Providers {
    pub fn new(configs: &[ProviderConfig]) -> Providers {
        Providers {
            slots: configs
                .iter()
                .map(|c| Slot {
                    config: c.clone(),
                    found: tokio::sync::Mutex::new(None),
                })
                .collect(),
            pending: Mutex::new(Expiring::new(MAX_PENDING)),
        }
    }

    /// The configured providers, in the configuration's order.
    pub fn configs(&self) -> impl Iterator<Item = &ProviderConfig> {
        self.slots.iter().map(|s| &s.config)
    }

    /// The provider named `name`, discovered; `None` when no provider
    /// has that name.
    pub async fn get(&self, name: &str) -> Result<Option<Arc<Provider>>, Error> {
        let Some(slot) = self.slots.iter().find(|s| s.config.name == name) else {
            return Ok(None);
        };
        let mut found = slot.found.lock().await;
        if let Some(p) = found.as_ref() {
            return Ok(Some(p.clone()));
        }
        let config = slot.config.clone();
        let p = tokio::task::spawn_blocking(move || Provider::discover(config))
            .await
            .map_err(|e| Error::internal(format!("discovery task failed: {e}")))?
            .map_err(|e| Error::internal_from(&e))?;
        let p = Arc::new(p);
        *found = Some(p.clone());
        Ok(Some(p))
    }

    /// Keeps a sign-in under way until the browser comes back.
    pub fn keep(&self, login: PendingLogin, now: DateTime<Utc>) -> Result<(), Full> {
        let mut m = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let key = login.pending.state.clone();
        m.insert(key, login, now + Duration::minutes(PENDING_MINUTES), now)
    }

    /// Takes the sign-in under way whose `state` this is (once).
    pub fn take(&self, state: &str, now: DateTime<Utc>) -> Option<PendingLogin> {
        let mut m = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        m.take(state, now)
    }
}
