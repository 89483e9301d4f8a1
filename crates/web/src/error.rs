//! The one error type of the web layer, and how it is shown: an HTML page
//! for pages, a JSON body for the API.

use crate::i18n::Tr;
use archipel_content::Lang;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Whether the error goes to a person (HTML) or a program (JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    #[default]
    Page,
    Api,
}

/// Something a handler could not do, with the status it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {message}")]
pub struct Error {
    pub status: StatusCode,
    pub message: String,
    pub audience: Audience,
    pub lang: Lang,
    /// Seconds to wait before trying again (a 429's `Retry-After`).
    pub retry_after: Option<u64>,
}

impl Error {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            audience: Audience::Page,
            lang: Lang::Fr,
            retry_after: None,
        }
    }
    /// A request refused: no valid anti-forgery token, a role too low.
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(StatusCode::FORBIDDEN, message)
    }
    /// Too many attempts: try again in `seconds` (429, `Retry-After`).
    pub fn too_many(message: impl Into<String>, seconds: u64) -> Error {
        let mut e = Error::new(StatusCode::TOO_MANY_REQUESTS, message);
        e.retry_after = Some(seconds.max(1));
        e
    }
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(StatusCode::NOT_FOUND, message)
    }
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    /// An internal error from `e`, its sources included (for the log).
    pub fn internal_from(e: &dyn std::error::Error) -> Error {
        Error::internal(archipel_domain::error_chain(e))
    }
    /// The same error, shown as JSON.
    pub fn api(mut self) -> Error {
        self.audience = Audience::Api;
        self
    }
    /// The same error, shown in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Error {
        self.lang = lang;
        self
    }
}

impl From<archipel_store::StoreError> for Error {
    fn from(e: archipel_store::StoreError) -> Error {
        match &e {
            archipel_store::StoreError::Busy { .. } => Error::busy(&e),
            _ => Error::internal_from(&e),
        }
    }
}

impl Error {
    /// The registry is held by another writer (an import) longer than a
    /// write waits: nothing was written, try again shortly (503,
    /// `Retry-After`).
    pub fn busy(e: &archipel_store::StoreError) -> Error {
        let holder = match e {
            archipel_store::StoreError::Busy { holder, .. } => holder.as_str(),
            _ => "another writer",
        };
        // The registry's path stays in the server's log.
        tracing::warn!("{e}");
        let mut out = Error::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the registry is busy ({holder}): nothing was written; try again in a moment"),
        );
        out.retry_after = Some(BUSY_RETRY);
        out
    }

    /// The error for a failed contribution or decision that is not the
    /// visitor's to fix: busy (503) or internal (500).
    pub fn of_contribution(e: &archipel_jobs::contribute::ContributionError) -> Error {
        use archipel_jobs::contribute::ContributionError as C;
        use archipel_store::proposals::ProposalError as P;
        use archipel_store::StoreError as S;
        match e {
            C::Store(s @ S::Busy { .. }) | C::Proposal(P::Store(s @ S::Busy { .. })) => {
                Error::busy(s)
            }
            _ => Error::internal_from(e),
        }
    }
}

/// Seconds a writer told the registry is busy waits before trying again.
const BUSY_RETRY: u64 = 5;

impl From<archipel_store::accounts::AccountError> for Error {
    fn from(e: archipel_store::accounts::AccountError) -> Error {
        Error::internal_from(&e)
    }
}

impl From<archipel_store::proposals::ProposalError> for Error {
    fn from(e: archipel_store::proposals::ProposalError) -> Error {
        match e {
            archipel_store::proposals::ProposalError::Store(s) => s.into(),
            other => Error::internal_from(&other),
        }
    }
}

impl From<askama::Error> for Error {
    fn from(e: askama::Error) -> Error {
        Error::internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: crate::views::Layout,
    t: Tr,
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), error = %self.message, "request failed");
        }
        let retry_after = self
            .retry_after
            .map(|s| (header::RETRY_AFTER, axum::http::HeaderValue::from(s)));
        let mut res = self.response();
        if let Some((name, value)) = retry_after {
            res.headers_mut().insert(name, value);
        }
        res
    }
}

impl Error {
    fn response(self) -> Response {
        // Internal details stay in the log.
        let shown =
            if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE {
                "internal error".to_string()
            } else {
                self.message.clone()
            };
        match self.audience {
            Audience::Api => {
                let body = serde_json::json!({
                    "error": shown,
                    "status": self.status.as_u16(),
                });
                (self.status, axum::Json(body)).into_response()
            }
            Audience::Page => {
                let t = Tr::new(self.lang);
                let title = match self.status {
                    StatusCode::NOT_FOUND => t.s("error.not_found"),
                    StatusCode::BAD_REQUEST => t.s("error.bad_request"),
                    StatusCode::FORBIDDEN => t.s("error.forbidden"),
                    StatusCode::TOO_MANY_REQUESTS => t.s("error.too_many"),
                    StatusCode::SERVICE_UNAVAILABLE => t.s("error.busy"),
                    s if s.is_server_error() => t.s("error.internal"),
                    _ => t.s("error.other"),
                };
                let page = ErrorPage {
                    page: crate::views::Layout::new(
                        t,
                        &crate::session::Viewer::unknown(),
                        title,
                        "",
                        None,
                    ),
                    t,
                    status: self.status.as_u16(),
                    title,
                    message: &shown,
                };
                match page.render() {
                    Ok(html) => (
                        self.status,
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        html,
                    )
                        .into_response(),
                    Err(_) => (self.status, shown).into_response(),
                }
            }
        }
    }
}
