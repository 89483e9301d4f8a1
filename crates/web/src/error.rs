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
        Error::internal_from(&e)
    }
}

impl From<archipel_store::accounts::AccountError> for Error {
    fn from(e: archipel_store::accounts::AccountError) -> Error {
        Error::internal_from(&e)
    }
}

impl From<archipel_store::proposals::ProposalError> for Error {
    fn from(e: archipel_store::proposals::ProposalError) -> Error {
        Error::internal_from(&e)
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
        let shown = if self.status.is_server_error() {
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
