//! A small pool of registry connections. SQLite reads run on blocking
//! threads, each on its own connection, so several requests read at once
//! (the file is in WAL mode: readers never wait for a writer).

use crate::Error;
use archipel_store::Store;
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::sync::Semaphore;

pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
}

impl Pool {
    /// Opens `size` connections to the registry at `path` (at least one).
    pub fn open(path: PathBuf, size: usize) -> Result<Pool, Error> {
        let size = size.max(1);
        let mut idle = Vec::with_capacity(size);
        for _ in 0..size {
            idle.push(Store::open(&path)?);
        }
        Ok(Pool {
            path,
            idle: Mutex::new(idle),
            permits: Semaphore::new(size),
        })
    }

    fn take(&self) -> Result<Store, Error> {
        let popped = match self.idle.lock() {
            Ok(mut v) => v.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        };
        match popped {
            Some(s) => Ok(s),
            // A connection was lost to a panic: open a fresh one.
            None => Ok(Store::open(&self.path)?),
        }
    }

    fn give_back(&self, store: Store) {
        match self.idle.lock() {
            Ok(mut v) => v.push(store),
            Err(poisoned) => poisoned.into_inner().push(store),
        }
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let store = self.take()?;
        let (store, result) = tokio::task::spawn_blocking(move || {
            let r = f(&store);
            (store, r)
        })
        .await
        .map_err(|e| Error::internal(format!("database task failed: {e}")))?;
        self.give_back(store);
        result
    }
}
