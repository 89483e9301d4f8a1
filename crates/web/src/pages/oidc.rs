//! `/connexion/oidc/{name}` and `/connexion/oidc/{name}/retour`: signing
//! in through an OpenID Connect provider (ProConnect for public agents).
//!
//! `archipel-accounts` does the protocol (PKCE, `state` and `nonce` of 43
//! characters, the id_token's and userinfo's checks); this module keeps
//! the sign-in under way (`crate::providers`, in memory, bound to the
//! browser), then finds or creates the account of the identity (issuer,
//! `sub`) with its claims, and opens a session that remembers the
//! provider and its id_token for the sign-out.
//!
//! An identity seen for the first time gets an account with the
//! contributor role, whatever the sign-up setting: a configured provider
//! vouches for its users. When its e-mail address is already an
//! account's, nothing is created and the visitor is asked to sign in with
//! that account's password (linking the two is the account owner's
//! decision).

use super::signin::{page_with, see_other, signed_in, NextParam, Shown};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::providers::PendingLogin;
use crate::session::{self, Viewer};
use crate::state::AppState;
use archipel_accounts::oidc::{AgentClaims, Callback};
use archipel_accounts::token::same;
use archipel_store::accounts::{AccountError, Audit, NewAccount};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;

/// The longest display name made from a provider's claims.
const MAX_NAME: usize = 200;

/// The name an account made from `claims` is shown with.
fn display_name(claims: &AgentClaims, fallback: &str) -> String {
    let full = [claims.given_name.as_deref(), claims.usual_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if !full.trim().is_empty() {
        full
    } else if let Some(e) = &claims.email {
        e.clone()
    } else {
        fallback.to_string()
    };
    name.chars().take(MAX_NAME).collect()
}

pub async fn start(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(name): Path<String>,
    Params(q): Params<NextParam>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let now = state.config.sign_in.clock.now();
    if let Err(l) = state
        .limits
        .oidc_address
        .hit(&format!("address:{}", viewer.address), now)
    {
        return Err(Error::too_many(t.s("signin.limited"), l.retry_after).in_lang(lang));
    }
    let Some(provider) = state.providers.get(&name).await? else {
        return Err(Error::not_found(t.s("signin.no_provider")).in_lang(lang));
    };
    let (url, pending) = provider.begin().map_err(|e| Error::internal_from(&e))?;
    // The browser is known by its pre-session cookie (made now if needed).
    let (browser, cookie) = crate::csrf::browser(&state, &viewer)?;
    let next = q.next.filter(|n| n.starts_with('/')).unwrap_or("/".into());
    let login = PendingLogin {
        pending,
        browser: browser.as_str().to_string(),
        next,
    };
    if state.providers.keep(login, now).is_err() {
        return Err(Error::too_many(t.s("signin.limited"), 60).in_lang(lang));
    }
    let mut res = see_other(url.as_str());
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

pub async fn finish(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(name): Path<String>,
    Params(callback): Params<Callback>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let now = state.config.sign_in.clock.now();
    let alert = |key: &'static str, status: StatusCode| {
        let shown = Shown {
            alert: Some(t.s(key)),
            ..Shown::default()
        };
        page_with(&state, &viewer, t, None, shown, status)
    };
    let login = callback
        .state
        .as_deref()
        .and_then(|s| state.providers.take(s, now));
    let browser_ok = |l: &PendingLogin| {
        l.pending.provider == name
            && viewer
                .pre
                .as_ref()
                .is_some_and(|p| same(p.as_str(), &l.browser))
    };
    let Some(login) = login.filter(browser_ok) else {
        return alert("signin.provider_expired", StatusCode::BAD_REQUEST);
    };
    let Some(provider) = state.providers.get(&name).await? else {
        return Err(Error::not_found(t.s("signin.no_provider")).in_lang(lang));
    };
    let p = provider.clone();
    let pending = login.pending;
    let done = tokio::task::spawn_blocking(move || p.finish(&pending, &callback))
        .await
        .map_err(|e| Error::internal(format!("sign-in task failed: {e}")))?;
    let done = match done {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(
                provider = %name,
                error = %archipel_domain::error_chain(&e),
                "sign-in through a provider refused"
            );
            return alert("signin.provider_failed", StatusCode::BAD_REQUEST);
        }
    };
    for note in &done.notes {
        tracing::info!(provider = %name, note = %note, "a claim was dropped");
    }
    let email = done
        .claims
        .email
        .as_deref()
        .and_then(|e| archipel_accounts::normalise_email(e).ok());
    let display = display_name(&done.claims, &provider.config().label);
    let claims =
        serde_json::to_value(&done.claims).map_err(|e| Error::internal(format!("claims: {e}")))?;
    let (issuer, sub) = (done.issuer.clone(), done.sub.clone());
    let recorded = state
        .writer
        .write(move |s| {
            let new = NewAccount {
                email: email.as_deref(),
                password_hash: None,
                display_name: &display,
                role: archipel_accounts::Role::Contributor.key(),
            };
            let audit = Audit::new(now, None, serde_json::Value::Null);
            match s.record_identity(&issuer, &sub, &claims, &new, &audit) {
                Ok((id, _)) => Ok(Some(s.account(id)?)),
                Err(AccountError::EmailTaken(_)) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    let account = match recorded {
        None => return alert("signin.email_taken", StatusCode::CONFLICT),
        Some(None) => return Err(Error::internal("the account just recorded is missing")),
        Some(Some(a)) => a,
    };
    if account.disabled {
        return alert("signin.refused", StatusCode::FORBIDDEN);
    }
    let cookie = session::open(
        &state,
        &viewer,
        account.id,
        Some((name.clone(), done.id_token)),
    )
    .await?;
    Ok(signed_in(cookie, Some(&login.next)))
}
