//! Who is asking: the session cookie, the account behind it, the client's
//! address.
//!
//! A session is an opaque random id (`archipel_accounts::Token`, 256
//! bits) in the cookie [`SESSION_COOKIE`] (`HttpOnly`, `SameSite=Lax`,
//! `Path=/`, `Secure` when the public URL is https or the setting says
//! so); the registry keeps only its SHA-256 (`archipel-store`'s session
//! table). The middleware [`resolve`] runs before every handler: it looks
//! the session up, checks that it is live (the store's expiry and the
//! configured idle and absolute lifetimes) and that its account exists and
//! is not disabled, and puts a [`Viewer`] in the request, which handlers
//! take as an extractor. A session that is not live is forgotten and its
//! cookie cleared (the sessions ended by then are removed from the
//! registry, after the answer). Its use is written back at most once a minute
//! ([`TOUCH_EVERY`]), after the answer, so pages never wait for a write
//! and the answer cache is not dropped at every request.
//!
//! Answers to signed-in visitors are never kept by the answer cache
//! (their header names the account) and are sent `Cache-Control:
//! private, no-store`.

use crate::state::AppState;
use crate::Error;
use archipel_accounts::Token;
use archipel_store::accounts::{Account, Audit, NewSession};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use std::convert::Infallible;
use std::net::SocketAddr;

/// The session cookie.
pub const SESSION_COOKIE: &str = "archipel_session";
/// The cookie binding forms shown before sign-in to this browser (see
/// [`crate::csrf`]) and a sign-in through a provider to the browser that
/// started it.
pub const PRE_COOKIE: &str = "archipel_pre";
/// A session's use is written back when it was last written this long ago.
pub const TOUCH_EVERY: i64 = 60;

/// The open session of a request.
#[derive(Debug, Clone)]
pub struct OpenSession {
    /// SHA-256 of the session id (the store's key).
    pub digest: String,
    /// Its anti-forgery token.
    pub csrf: String,
    /// The provider signed in through, with its id_token (for sign-out).
    pub provider: Option<String>,
    pub id_token: Option<String>,
}

/// Who is asking: an account with its session, or nobody.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// `false` when the request was not looked at (error pages made
    /// outside the middleware): the header then shows no account box.
    pub known: bool,
    pub account: Option<Account>,
    pub session: Option<OpenSession>,
    /// The pre-session cookie's token, when the browser has one.
    pub pre: Option<Token>,
    /// The anti-forgery token of forms shown before sign-in to this
    /// browser (`crate::csrf`), when it has a pre-session cookie.
    pub pre_csrf: Option<String>,
    /// The client's address (see [`client_address`]).
    pub address: String,
}

impl Viewer {
    /// A request nobody looked at (error pages).
    pub fn unknown() -> Viewer {
        Viewer::default()
    }

    /// An anonymous visitor (tests and requests without the middleware).
    pub fn anonymous() -> Viewer {
        Viewer {
            known: true,
            ..Viewer::default()
        }
    }

    pub fn signed_in(&self) -> bool {
        self.account.is_some()
    }

    /// The account's role (visitor when nobody is signed in).
    pub fn role(&self) -> archipel_accounts::Role {
        self.account
            .as_ref()
            .and_then(|a| archipel_accounts::Role::parse(&a.role))
            .unwrap_or(archipel_accounts::Role::Visitor)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_else(Viewer::anonymous))
    }
}

/// The value of the cookie `name` in the request's headers, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure`
/// when `secure`; `max_age` in seconds (`Some(0)` removes the cookie;
/// `None`: until the browser closes).
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(s) = max_age {
        c.push_str(&format!("; Max-Age={s}"));
    }
    // Names and values are ours (tokens in base64url).
    HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static("x=; Max-Age=0"))
}

/// The client's address: with `client_address_header` set (the server
/// behind a reverse proxy that writes it), the last address in that
/// header (the one the proxy saw: what a client sends in it comes
/// before); otherwise, or when that header holds no address, the
/// connection's. `unknown` when neither is known (requests made in
/// tests without a connection).
pub fn client_address(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if let Some(name) = &state.config.sign_in.client_address_header {
        let last = headers
            .get_all(name)
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        if let Some(ip) = last {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string())
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Looks up the session of the request and answers with a [`Viewer`] in
/// its extensions; see the module's documentation.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let now = state.config.sign_in.clock.now();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let mut viewer = Viewer {
        known: true,
        address: client_address(&state, req.headers(), peer),
        pre: cookie(req.headers(), PRE_COOKIE).and_then(Token::parse),
        ..Viewer::default()
    };
    viewer.pre_csrf = viewer
        .pre
        .as_ref()
        .map(|p| crate::csrf::pre_token(&state, p));
    let given = cookie(req.headers(), SESSION_COOKIE).map(Token::parse);
    let mut stale = given.is_some();
    if let Some(Some(id)) = given {
        let digest = id.digest();
        let d = digest.clone();
        let found = state
            .pool
            .read(move |s| {
                let Some(session) = s.session(&d)? else {
                    return Ok(None);
                };
                Ok(s.account(session.account)?.map(|a| (session, a)))
            })
            .await;
        let found = match found {
            Ok(f) => f,
            Err(e) => return e.into_response(),
        };
        let policy = state.config.sign_in.session;
        if let Some((session, account)) = found {
            let times = (
                parse_time(&session.created_at),
                parse_time(&session.last_seen),
                parse_time(&session.expires_at),
            );
            if let (Some(created), Some(last), Some(expires)) = times {
                let live = !account.disabled && now < expires && policy.is_live(created, last, now);
                if live {
                    stale = false;
                    if now - last >= Duration::seconds(TOUCH_EVERY) {
                        let until = policy.expires(created, now);
                        let d = digest.clone();
                        let writer = state.writer.clone();
                        tokio::spawn(async move {
                            if let Err(e) = writer
                                .write(move |s| Ok(s.touch_session(&d, now, until)?))
                                .await
                            {
                                tracing::warn!(error = %e.message, "a session's use not written");
                            }
                        });
                    }
                    viewer.account = Some(account);
                    viewer.session = Some(OpenSession {
                        digest,
                        csrf: session.csrf,
                        provider: session.provider,
                        id_token: session.id_token,
                    });
                } else {
                    // Ended: it and the others ended by now leave the
                    // registry (after the answer).
                    let writer = state.writer.clone();
                    tokio::spawn(async move {
                        if let Err(e) = writer.write(move |s| Ok(s.purge_sessions(now)?)).await {
                            tracing::warn!(error = %e.message, "ended sessions not removed");
                        }
                    });
                }
            }
        }
    }
    let signed_in = viewer.signed_in();
    req.extensions_mut().insert(viewer);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if signed_in {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    let sets_session = h
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(SESSION_COOKIE.as_bytes()));
    if stale && !sets_session {
        h.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies()),
        );
    }
    res
}

/// Opens a session for `account` (the account was checked by the
/// caller): a new id and anti-forgery token, the previous session of the
/// request closed (the id changes at every sign-in). Returns the
/// `Set-Cookie` header carrying the new id.
pub async fn open(
    state: &AppState,
    viewer: &Viewer,
    account: i64,
    provider: Option<(String, String)>,
) -> Result<HeaderValue, Error> {
    let now = state.config.sign_in.clock.now();
    let policy = state.config.sign_in.session;
    let id = Token::generate().map_err(|e| Error::internal_from(&e))?;
    let csrf = Token::generate().map_err(|e| Error::internal_from(&e))?;
    let digest = id.digest();
    let previous = viewer.session.as_ref().map(|s| s.digest.clone());
    let expires = policy.expires(now, now);
    state
        .writer
        .write(move |s| {
            if let Some(old) = previous {
                s.close_session(
                    &old,
                    &Audit::new(now, Some(account), serde_json::Value::Null),
                )?;
            }
            let (provider, id_token) = match &provider {
                Some((p, t)) => (Some(p.as_str()), Some(t.as_str())),
                None => (None, None),
            };
            s.open_session(
                &NewSession {
                    digest: &digest,
                    account,
                    expires_at: expires,
                    csrf: csrf.as_str(),
                    provider,
                    id_token,
                },
                &Audit::new(now, Some(account), serde_json::Value::Null),
            )?;
            Ok(())
        })
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        id.as_str(),
        Some(policy.absolute.num_seconds()),
        state.config.secure_cookies(),
    ))
}

/// Closes the request's session (sign-out); returns the `Set-Cookie`
/// header that removes its cookie.
pub async fn close(state: &AppState, viewer: &Viewer) -> Result<HeaderValue, Error> {
    if let (Some(session), Some(account)) = (&viewer.session, &viewer.account) {
        let now = state.config.sign_in.clock.now();
        let digest = session.digest.clone();
        let id = account.id;
        state
            .writer
            .write(move |s| {
                s.close_session(&digest, &Audit::new(now, Some(id), serde_json::Value::Null))?;
                Ok(())
            })
            .await?;
    }
    Ok(set_cookie(
        SESSION_COOKIE,
        "",
        Some(0),
        state.config.secure_cookies(),
    ))
}
