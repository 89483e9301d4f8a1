//! A small pool of read-only registry connections. SQLite reads run on
//! blocking threads, each on its own connection, so several requests read
//! at once (the file is in WAL mode: readers never wait for a writer). The
//! connections are opened read-only: they never change the file (what
//! the server writes goes through `crate::writer`).
//!
//! Long answers (the exports) are streamed: [`Pool::stream`] runs their
//! writer on a blocking thread of its own with a connection of its own,
//! and hands what it writes to the response in chunks through a bounded
//! channel, so that an export costs a few chunks of memory however large
//! the registry, and a slow download never holds a connection the pages
//! need.

use crate::Error;
use archipel_store::Store;
use axum::body::{Body, Bytes};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::{mpsc, Semaphore};

pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
    /// Streamed answers being written at once.
    streams: Arc<Semaphore>,
}

/// Size of the chunks a streamed answer is sent in.
const CHUNK: usize = 64 * 1024;
/// Chunks written ahead of the client.
const CHUNKS_AHEAD: usize = 4;
/// Long jobs (streamed answers, exports written to the spool) run at
/// once; more wait their turn.
const STREAMS: usize = 2;

impl Pool {
    /// Opens `size` connections to the registry at `path` (at least one).
    pub fn open(path: PathBuf, size: usize) -> Result<Pool, Error> {
        let size = size.max(1);
        let mut idle = Vec::with_capacity(size);
        for _ in 0..size {
            idle.push(Store::open_read_only(&path)?);
        }
        Ok(Pool {
            path,
            idle: Mutex::new(idle),
            permits: Semaphore::new(size),
            streams: Arc::new(Semaphore::new(STREAMS)),
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
            None => Ok(Store::open_read_only(&self.path)?),
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

    /// Runs `f` on a blocking thread with a read-only connection of its
    /// own, as one of the long jobs (streamed answers, exports written to
    /// the spool) that run at once; more wait their turn. The pages'
    /// connections stay free.
    pub async fn alone<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    {
        let _permit = self
            .streams
            .acquire()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || f(&Store::open_read_only(&path)?))
            .await
            .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }

    /// A response body made of what `f` writes, streamed: `f` runs on a
    /// blocking thread with a read-only connection of its own, and waits
    /// when it is more than a few chunks ahead of the client (it stops
    /// with an error when the client goes away). An error before the first
    /// chunk is returned as the error of the request; one after it ends
    /// the body early, which the client sees as an incomplete transfer.
    pub async fn stream<F>(&self, f: F) -> Result<Body, Error>
    where
        F: FnOnce(&Store, &mut dyn std::io::Write) -> Result<(), Error> + Send + 'static,
    {
        let permit = self
            .streams
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let path = self.path.clone();
        let (tx, mut rx) = mpsc::channel(CHUNKS_AHEAD);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut out = ChannelWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            };
            let written = Store::open_read_only(&path)
                .map_err(Error::from)
                .and_then(|store| f(&store, &mut out))
                .and_then(|()| out.send().map_err(|e| Error::internal(e.to_string())));
            if let Err(e) = written {
                if out.tx.is_closed() {
                    tracing::debug!("streamed answer abandoned by the client");
                } else {
                    tracing::warn!(error = %e.message, "streamed answer failed");
                    let _ = out.tx.blocking_send(Err(std::io::Error::other(e.message)));
                }
            }
        });
        match rx.recv().await {
            None => Ok(Body::empty()),
            Some(Err(e)) => Err(Error::internal(e.to_string())),
            Some(Ok(first)) => Ok(Body::new(Streamed {
                first: Some(first),
                rx,
            })),
        }
    }
}

/// Sends what is written, in chunks of [`CHUNK`] bytes, into a channel.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    /// Sends what is buffered (at the end: the rest).
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Nothing: a writer flushes when it is dropped, even after a failure,
    /// and what it wrote must not go out before the answer is known to
    /// have started well. The rest is sent by `finish`.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The body of a streamed answer: its first chunk, then the channel's.
struct Streamed {
    first: Option<Bytes>,
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
}

impl axum::body::HttpBody for Streamed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(first))));
        }
        self.rx
            .poll_recv(cx)
            .map(|next| next.map(|r| r.map(http_body::Frame::data)))
    }
}
