//! A byte budget for the answers being sent.
//!
//! An answer the cache keeps costs its bytes once, whoever reads it. An
//! answer too large to keep (a map box of 50,000 features, 14 MB) is made
//! for each request and stays in memory until the client has read it: a
//! hundred clients that ask and never read would hold gigabytes. Large
//! answers take a [`Ticket`] for their bytes from this budget and hand it
//! to their body, which gives it back when it has been sent or dropped
//! (the client left). When the budget is spent the request is answered
//! 503 with `Retry-After` at once, and nothing more is held. Answers the
//! cache keeps count too while they are sent (one a client still reads
//! may have left the cache since): the budget overcounts shared answers,
//! never undercounts.

use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget is counted in KiB (a semaphore counts permits as `u32`).
const UNIT: usize = 1024;

/// Seconds a client is asked to wait when the budget is spent.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The budget when none is configured: four times the answer cache's,
/// and never less than this.
pub const MIN_BUDGET: usize = 32 * 1024 * 1024;

/// Bytes of answers being sent that nothing else holds.
pub struct InFlight {
    units: Arc<Semaphore>,
    /// The same budget for answers being made (see [`InFlight::making`]).
    making: Arc<Semaphore>,
    budget: usize,
}

/// The budget for a server whose answer cache holds `cache_bytes`.
pub fn default_budget(cache_bytes: usize) -> usize {
    cache_bytes.saturating_mul(4).max(MIN_BUDGET)
}

impl InFlight {
    pub fn new(budget: usize) -> InFlight {
        let units = (budget / UNIT).clamp(1, Semaphore::MAX_PERMITS);
        InFlight {
            units: Arc::new(Semaphore::new(units)),
            making: Arc::new(Semaphore::new(units)),
            budget,
        }
    }

    /// The budget, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Bytes held now by answers being sent.
    pub fn held(&self) -> usize {
        let total = (self.budget / UNIT).clamp(1, Semaphore::MAX_PERMITS);
        total.saturating_sub(self.units.available_permits()) * UNIT
    }

    /// `bytes` of the budget of answers being made, waited for: a handler
    /// about to make an answer of up to `bytes` (a map box of many
    /// features costs about 1 KiB a feature while it is made) holds this
    /// until it returns, so that many such requests at once are made a
    /// few at a time rather than all together. More than the whole budget
    /// waits for the whole budget. `None` only if the budget was closed.
    pub async fn making(&self, bytes: usize) -> Option<Ticket> {
        let total = (self.budget / UNIT).clamp(1, Semaphore::MAX_PERMITS);
        let units = bytes.div_ceil(UNIT).clamp(1, total);
        let units = u32::try_from(units).ok()?;
        self.making
            .clone()
            .acquire_many_owned(units)
            .await
            .ok()
            .map(Ticket)
    }

    /// `bytes` of the budget, or `None` when that much is not left (never
    /// waits: a request is better refused than queued behind clients that
    /// do not read).
    pub fn take(&self, bytes: usize) -> Option<Ticket> {
        let units = u32::try_from(bytes.div_ceil(UNIT).max(1)).ok()?;
        self.units
            .clone()
            .try_acquire_many_owned(units)
            .ok()
            .map(Ticket)
    }
}

/// Answers smaller than this are not counted: the system's socket
/// buffers take them whole, whether the client reads or not.
pub const COUNTED_FROM: u64 = 64 * 1024;

/// The middleware: an answer of a known size of at least
/// [`COUNTED_FROM`] bytes holds its share of the budget until it has been
/// sent (or the client left); when the budget is spent, a 503 with
/// `Retry-After` goes instead, and the answer is dropped at once. The
/// server's own files (`/assets/`) are not counted: they are not made per
/// request. Streamed answers (exports) hold a few chunks at a time and are
/// not counted either.
pub async fn hold(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let own_file = req.uri().path().starts_with("/assets/");
    let res = next.run(req).await;
    let size = http_body::Body::size_hint(res.body()).exact();
    let Some(size) = size.filter(|n| *n >= COUNTED_FROM && !own_file) else {
        return res;
    };
    let Some(ticket) = usize::try_from(size)
        .ok()
        .and_then(|n| state.in_flight.take(n))
    else {
        return busy(api);
    };
    let (parts, body) = res.into_parts();
    Response::from_parts(
        parts,
        Body::new(Held {
            body,
            pending: Bytes::new(),
            _ticket: ticket,
        }),
    )
}

/// The 503 answer of a spent budget.
fn busy(api: bool) -> Response {
    let e = crate::Error::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is sending as many large answers as it can hold; try again shortly",
    );
    let mut res = if api { e.api() } else { e }.into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    res
}

/// A share of the budget; given back when dropped.
pub struct Ticket(#[allow(dead_code)] OwnedSemaphorePermit);

/// Bytes handed to the server at a time: the HTTP library writes what it
/// is given before asking for more, so the answer stays here (and counted)
/// until the client has read all but its last chunk.
const CHUNK: usize = 64 * 1024;

/// A body that holds its ticket for as long as it exists, and gives its
/// bytes out a chunk at a time.
struct Held {
    body: Body,
    /// What the inner body gave and is not yet handed out.
    pending: Bytes,
    _ticket: Ticket,
}

impl http_body::Body for Held {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        loop {
            if !self.pending.is_empty() {
                let n = self.pending.len().min(CHUNK);
                let chunk = self.pending.split_to(n);
                return Poll::Ready(Some(Ok(Frame::data(chunk))));
            }
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => self.pending = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.body.size_hint();
        let pending = self.pending.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + pending);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + pending);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_given_back_when_dropped() {
        let budget = InFlight::new(10 * UNIT);
        let a = budget.take(6 * UNIT).expect("within the budget");
        assert_eq!(budget.held(), 6 * UNIT);
        assert!(budget.take(5 * UNIT).is_none(), "over the budget");
        let b = budget.take(4 * UNIT).expect("what is left");
        drop(a);
        assert_eq!(budget.held(), 4 * UNIT);
        assert!(budget.take(6 * UNIT).is_some());
        drop(b);
        assert_eq!(budget.held(), 0);
        // A single byte still costs a unit; more than the whole budget is
        // refused rather than waited for.
        assert!(budget.take(1).is_some());
        assert!(budget.take(11 * UNIT).is_none());
    }

    #[tokio::test]
    async fn answers_being_made_wait_for_their_share() {
        let budget = Arc::new(InFlight::new(10 * UNIT));
        let first = budget.making(8 * UNIT).await.expect("room");
        let waiting = {
            let budget = budget.clone();
            tokio::spawn(async move { budget.making(4 * UNIT).await.is_some() })
        };
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!waiting.is_finished(), "made only when there is room");
        // Answers being sent draw from their own budget meanwhile.
        assert!(budget.take(10 * UNIT).is_some());
        drop(first);
        assert!(waiting.await.unwrap());
        // More than the whole budget waits for all of it, not forever.
        assert!(budget.making(50 * UNIT).await.is_some());
    }
}
