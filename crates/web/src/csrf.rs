//! Protection against cross-site request forgery, for every request that
//! changes something.
//!
//! Every route that takes a POST is declared with [`post`] (instead of
//! axum's), which puts the middleware [`guard`] before its handler (a
//! test fails on any other way of declaring one): the request must be an
//! HTML form
//! (`application/x-www-form-urlencoded`, at most [`crate::MAX_BODY`]
//! bytes) whose field [`FIELD`] holds a valid token, or it is refused with
//! 403 (a page, or JSON under `/api/`) before any handler runs. A valid
//! token is
//!
//! - the session's own anti-forgery token (the store keeps it with the
//!   session, made at sign-in), for a signed-in visitor;
//! - for forms shown before sign-in (sign-in, sign-up), the HMAC-SHA-256,
//!   under a key the server draws at start, of the random value of the
//!   pre-session cookie [`crate::session::PRE_COOKIE`] (`HttpOnly`,
//!   `SameSite=Lax`), set by the page that shows the form: another site
//!   can neither read the cookie nor compute the token (a signed double
//!   submit, OWASP's recommendation); nothing is stored.
//!
//! Tokens are compared in constant time. A handler reads the form with the
//! [`Form`] extractor, which never sees the token. A new form gets all
//! this by putting [`FormToken::value`] in a hidden field named
//! [`FIELD`] and its route being declared with [`post`]. A method a
//! route does not take is still 405.

use crate::error::{Audience, Error};
use crate::i18n::lang_of_head;
use crate::session::{set_cookie, Viewer, PRE_COOKIE};
use crate::state::AppState;
use crate::MAX_BODY;
use archipel_accounts::token::{mac, same};
use archipel_accounts::Token;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The name of the hidden field holding the token.
pub const FIELD: &str = "csrf";

/// A route taking POST, its handler behind [`guard`].
pub fn post<H, T>(handler: H) -> axum::routing::MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    axum::routing::post(handler).route_layer(axum::middleware::from_fn(guard))
}

/// The token of a form shown before sign-in, for the pre-session cookie
/// value `pre`.
pub(crate) fn pre_token(state: &AppState, pre: &Token) -> String {
    mac(
        state.csrf_key.as_str().as_bytes(),
        &format!("pre:{}", pre.as_str()),
    )
}

/// The browser's pre-session token, and the cookie to set when it has
/// none yet (a new one).
pub fn browser(state: &AppState, viewer: &Viewer) -> Result<(Token, Option<HeaderValue>), Error> {
    if let Some(pre) = &viewer.pre {
        return Ok((pre.clone(), None));
    }
    let pre = Token::generate().map_err(|e| Error::internal_from(&e))?;
    let cookie = set_cookie(
        PRE_COOKIE,
        pre.as_str(),
        None,
        state.config.secure_cookies(),
    );
    Ok((pre, Some(cookie)))
}

/// What a form needs: the token for its hidden field, and the cookie to
/// set with the page when the browser has none yet.
pub struct FormToken {
    pub value: String,
    pub cookie: Option<HeaderValue>,
}

impl FormToken {
    /// The token for a form shown to `viewer`: its session's when signed
    /// in, else the pre-session one (with a new cookie if needed).
    pub fn for_viewer(state: &AppState, viewer: &Viewer) -> Result<FormToken, Error> {
        if let Some(s) = &viewer.session {
            return Ok(FormToken {
                value: s.csrf.clone(),
                cookie: None,
            });
        }
        let (pre, cookie) = browser(state, viewer)?;
        Ok(FormToken {
            value: pre_token(state, &pre),
            cookie,
        })
    }

    /// Adds the cookie, if any, to a response.
    pub fn set_on(&self, res: &mut Response) {
        if let Some(c) = &self.cookie {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
        }
    }
}

/// Whether `token` is valid for `viewer`: its session's token, or the
/// pre-session token of its browser (a form shown before sign-in and
/// sent after it, from another tab, is still this browser's).
fn valid(viewer: &Viewer, token: &str) -> bool {
    let by_session = viewer
        .session
        .as_ref()
        .is_some_and(|s| same(token, &s.csrf));
    let by_pre = viewer.pre_csrf.as_deref().is_some_and(|p| same(token, p));
    by_session || by_pre
}

/// The form's fields, as pairs (names and values decoded).
fn pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    crate::cache::form_pairs(std::str::from_utf8(body).unwrap_or(""))
}

/// Refuses, before the handler, a request that carries no valid token
/// (see the module's documentation).
pub async fn guard(req: Request, next: Next) -> Response {
    let lang = lang_of_head(req.uri(), req.headers());
    let api = req.uri().path().starts_with("/api/");
    let refuse = |e: Error| {
        let mut e = e.in_lang(lang);
        if api {
            e.audience = Audience::Api;
        }
        e.into_response()
    };
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim() == "application/x-www-form-urlencoded")
        });
    let viewer = req
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_else(Viewer::anonymous);
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return refuse(Error::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body larger than {MAX_BODY} bytes"),
            ))
        }
    };
    let token = if form {
        pairs(&bytes).find(|(k, _)| k == FIELD).map(|(_, v)| v)
    } else {
        None
    };
    if !token.is_some_and(|t| valid(&viewer, &t)) {
        return refuse(Error::forbidden(
            crate::i18n::Tr::new(lang).s("csrf.refused"),
        ));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A form's fields read into `T` (string fields; the token left out). A
/// field given twice counts once, the first time. Malformed: 400.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Error;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of_head(req.uri(), req.headers());
        let bytes: Bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|e| Error::bad_request(format!("form: {e}")).in_lang(lang))?;
        let mut map = serde_json::Map::new();
        for (k, v) in pairs(&bytes) {
            if k != FIELD && !map.contains_key(&k) {
                map.insert(k, serde_json::Value::String(v));
            }
        }
        serde_json::from_value(serde_json::Value::Object(map))
            .map(Form)
            .map_err(|e| Error::bad_request(format!("form: {e}")).in_lang(lang))
    }
}

/// A form's fields as (name, value) pairs in their order, every
/// occurrence kept (a multiple choice sends a name once per choice); the
/// token left out.
pub struct FormPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = Error;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of_head(req.uri(), req.headers());
        let bytes: Bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|e| Error::bad_request(format!("form: {e}")).in_lang(lang))?;
        Ok(FormPairs(
            pairs(&bytes).filter(|(k, _)| k != FIELD).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    /// Every POST route goes through [`super::post`]: no source but this
    /// one names axum's own.
    #[test]
    fn every_post_route_is_guarded() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).expect("source folder").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, found);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("csrf.rs") {
                    let text = std::fs::read_to_string(&p).expect("source");
                    for (i, line) in text.lines().enumerate() {
                        let l = line.replace(' ', "");
                        let names_axums = l.contains("routing::post")
                            || (l.contains("routing::{") && l.contains("post"))
                            || l.contains(".post(")
                            || l.contains("on(MethodFilter::POST");
                        if names_axums {
                            found.push(format!("{}:{}: {line}", p.display(), i + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "POST routes not declared with csrf::post:\n{}",
            found.join("\n")
        );
    }
}
