//! `/connexion`: signing in with an e-mail address and a password (and
//! the buttons of the OpenID Connect providers, `super::oidc`);
//! `/deconnexion`: signing out.
//!
//! The answer to a refused sign-in is the same whether the address is
//! known or not, with or without a password, disabled or not, and takes
//! about as long (`password::verify_unknown` does the hashing work for
//! an unknown account). Wrong passwords are counted per address given and
//! per client address (`crate::throttle::Limits`); past the limit the
//! page answers 429 with `Retry-After` without checking the password.

use super::render;
use crate::csrf::{Form, FormToken};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::session::{self, Viewer};
use crate::state::AppState;
use crate::views::Layout;
use archipel_accounts::password;
use archipel_store::accounts::Audit;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// A provider's button.
pub struct ProviderButton {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    page: Layout,
    t: Tr,
    csrf: String,
    next: String,
    email: String,
    /// A message about the whole form (refused, limited, provider failed).
    alert: Option<&'static str>,
    email_error: Option<&'static str>,
    password_error: Option<&'static str>,
    providers: Vec<ProviderButton>,
    signup: bool,
}

#[derive(Deserialize, Default)]
pub struct NextParam {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// What the sign-in page shows besides the form's fields.
#[derive(Default)]
pub struct Shown {
    pub email: String,
    pub alert: Option<&'static str>,
    pub email_error: Option<&'static str>,
    pub password_error: Option<&'static str>,
}

/// The sign-in page with `shown`, answered with `status`.
pub fn page_with(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    next: Option<&str>,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, Error> {
    let token = FormToken::for_viewer(state, viewer)?;
    let next = next
        .filter(|n| n.starts_with('/'))
        .unwrap_or("/")
        .to_string();
    let here = format!(
        "/connexion{}",
        crate::params::query_string(&[("next", next.clone())])
    );
    let providers = state
        .providers
        .configs()
        .map(|p| ProviderButton {
            href: format!(
                "/connexion/oidc/{}{}",
                p.name,
                crate::params::query_string(&[("next", next.clone())])
            ),
            label: p.label.clone(),
        })
        .collect();
    let page = SignInPage {
        page: Layout::new(t, viewer, t.s("signin.title"), &here, None),
        t,
        csrf: token.value.clone(),
        next,
        email: shown.email,
        alert: shown.alert,
        email_error: shown.email_error,
        password_error: shown.password_error,
        providers,
        signup: state.config.sign_in.signup != archipel_accounts::Signup::Closed,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    token.set_on(&mut res);
    Ok(res)
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<NextParam>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    page_with(
        &state,
        &viewer,
        t,
        q.next.as_deref(),
        Shown::default(),
        StatusCode::OK,
    )
}

/// A 303 to `location` (a local path, already made safe).
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let v = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    res.headers_mut().insert(header::LOCATION, v);
    res
}

/// Signed in: a 303 to `next` (a local path only) with the session cookie.
pub fn signed_in(cookie: HeaderValue, next: Option<&str>) -> Response {
    let mut res = see_other(&super::lang::safe_next(next));
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res
}

pub async fn submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Form(f): Form<SignInForm>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let now = state.config.sign_in.clock.now();
    let next = f.next.as_deref();
    let shown = |alert, email_error, password_error| Shown {
        email: f.email.chars().take(320).collect(),
        alert,
        email_error,
        password_error,
    };
    if f.email.trim().is_empty() || f.password.is_empty() {
        let required = Some(t.s("signin.required"));
        let s = shown(
            None,
            required.filter(|_| f.email.trim().is_empty()),
            required.filter(|_| f.password.is_empty()),
        );
        return page_with(&state, &viewer, t, next, s, StatusCode::BAD_REQUEST);
    }
    // The key of the address given, normalised when it is an address at
    // all (the same answer otherwise).
    let email = archipel_accounts::normalise_email(&f.email)
        .unwrap_or_else(|_| f.email.trim().to_lowercase());
    let email_key = format!("email:{email}");
    let address_key = format!("address:{}", viewer.address);
    let limits = &state.limits;
    let limited = limits
        .sign_in_email
        .check(&email_key, now)
        .and(limits.sign_in_address.check(&address_key, now));
    if let Err(l) = limited {
        let s = shown(Some(t.s("signin.limited")), None, None);
        let mut res = page_with(&state, &viewer, t, next, s, StatusCode::TOO_MANY_REQUESTS)?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(l.retry_after));
        return Ok(res);
    }
    let e = email.clone();
    let account = state
        .pool
        .read(move |s| Ok(s.account_by_email(&e)?))
        .await?;
    let password = f.password.clone();
    let (stored, disabled, id) = match &account {
        Some(a) => (a.password_hash.clone(), a.disabled, Some(a.id)),
        None => (None, false, None),
    };
    let matches = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => password::verify(&password, &hash),
        None => password::verify_unknown(&password),
    })
    .await
    .map_err(|e| Error::internal(format!("password check failed: {e}")))?;
    match id {
        Some(id) if matches && !disabled => {
            limits.sign_in_email.clear(&email_key);
            let cookie = session::open(&state, &viewer, id, None).await?;
            Ok(signed_in(cookie, next))
        }
        _ => {
            // Counted in both; a full limiter refuses the next attempt.
            let _ = limits.sign_in_email.hit(&email_key, now);
            let _ = limits.sign_in_address.hit(&address_key, now);
            if let Some(id) = id {
                state
                    .writer
                    .write(move |s| {
                        s.append_audit(
                            "sign_in.refused",
                            Some(&format!("account:{id}")),
                            &Audit::new(now, None, serde_json::Value::Null),
                        )?;
                        Ok(())
                    })
                    .await?;
            }
            let s = shown(Some(t.s("signin.refused")), None, None);
            page_with(&state, &viewer, t, next, s, StatusCode::UNAUTHORIZED)
        }
    }
}

/// `POST /deconnexion`: closes the session; a session opened through a
/// provider goes on to the provider's end-session endpoint (with
/// `id_token_hint`), which sends the browser back to the configured
/// `post_logout_redirect_url`.
pub async fn sign_out(State(state): State<AppState>, viewer: Viewer) -> Result<Response, Error> {
    let cookie = session::close(&state, &viewer).await?;
    let mut location = "/".to_string();
    if let Some(s) = &viewer.session {
        if let (Some(name), Some(id_token)) = (&s.provider, &s.id_token) {
            match state.providers.get(name).await {
                Ok(Some(p)) => {
                    let st = archipel_accounts::Token::generate()
                        .map_err(|e| Error::internal_from(&e))?;
                    if let Some(url) = p.logout_url(id_token, st.as_str()) {
                        location = url.to_string();
                    }
                }
                Ok(None) => {}
                // Signed out here; the provider's session stays.
                Err(e) => tracing::warn!(error = %e.message, "provider sign-out skipped"),
            }
        }
    }
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

/// `/deconnexion/fin`: where a provider sends the browser back after
/// signing out.
pub async fn signed_out() -> Response {
    see_other("/")
}
