//! The HTTP client of the relying party: reqwest (blocking) with rustls
//! and ring, the TLS stack the rest of Archipel uses. Every call has a
//! time limit, follows no redirect (an answer that moves is an error: a
//! provider's endpoints are the ones its discovery document names), and
//! reads at most [`Http::max_body`] bytes of the answer.

use openidconnect::{HttpRequest, HttpResponse};
use std::io::Read;
use std::time::Duration;

/// Default time limit of one call (connection, request and answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default size limit of one answer.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Client(#[from] reqwest::Error),
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    #[error("reading the answer: {0}")]
    Read(#[from] std::io::Error),
    #[error("building the answer: {0}")]
    Build(#[from] openidconnect::http::Error),
}

/// A bounded HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
    max_body: usize,
}

impl Http {
    /// A client whose calls last at most `timeout` and read at most
    /// `max_body` bytes. Must not be called from inside an asynchronous
    /// runtime's worker (reqwest's blocking client runs its own): the web
    /// server calls it on a blocking thread.
    pub fn new(timeout: Duration, max_body: usize) -> Result<Http, HttpError> {
        // reqwest is built without a cryptography provider of its own:
        // ring is installed as the process's default, once (as
        // archipel-history does for its clones).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("archipel/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Http { client, max_body })
    }

    /// The size limit of one answer.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Sends `request` and reads the answer (any status).
    pub fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let request = reqwest::blocking::Request::try_from(request)?;
        let response = self.client.execute(request)?;
        let status = response.status();
        let headers = response.headers().clone();
        let limit = u64::try_from(self.max_body).unwrap_or(u64::MAX);
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(HttpError::TooLarge(self.max_body));
        }
        let mut body = Vec::new();
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut body)?;
        if body.len() > self.max_body {
            return Err(HttpError::TooLarge(self.max_body));
        }
        let mut out = openidconnect::http::Response::builder().status(status);
        if let Some(h) = out.headers_mut() {
            *h = headers;
        }
        Ok(out.body(body)?)
    }
}
