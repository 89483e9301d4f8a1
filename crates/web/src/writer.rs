//! The server's one connection that writes: accounts, sessions and their
//! audit entries (and, later, proposals and moderation decisions).
//!
//! Pages and the API read through the read-only [`crate::pool`]; what
//! changes the registry goes through here, one write at a time, on a
//! blocking thread, each an `archipel-store` function that is one
//! `BEGIN IMMEDIATE` transaction. The connection is opened at the first
//! write (a server nobody signs in to never opens the registry for
//! writing); `archipel serve` has brought the registry's schema up to date
//! at start, so opening it migrates nothing. An import running meanwhile
//! makes a write wait for it (the store's busy timeout), never fail at
//! once.

use crate::Error;
use archipel_store::Store;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct Writer {
    path: PathBuf,
    store: Arc<Mutex<Option<Store>>>,
}

impl Writer {
    pub fn new(path: PathBuf) -> Writer {
        Writer {
            path,
            store: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `f` with the writing connection on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, Error> + Send + 'static,
    {
        let store = self.store.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            if guard.is_none() {
                *guard = Some(Store::open_existing(&path)?);
            }
            match guard.as_mut() {
                Some(s) => f(s),
                None => Err(Error::internal("no connection to write with")),
            }
        })
        .await
        .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }
}
