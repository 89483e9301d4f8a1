//! `/inscription`: creating an account, as the `sign_in.signup` setting
//! says — open (anyone, as a contributor), by invitation (the link's
//! `invitation` token; the account gets the invitation's role), or closed
//! (the page says so and the form is refused).
//!
//! Sign-up attempts are limited per client address. Archipel sends no
//! e-mail, so an address already taken is said as such (next to its
//! field): the limit is what keeps this from being used to list accounts.

use super::render;
use super::signin::signed_in;
use crate::csrf::{Form, FormToken};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::session::{self, Viewer};
use crate::state::AppState;
use crate::views::Layout;
use archipel_accounts::{password, Signup, Token};
use archipel_store::accounts::{AccountError, Audit, NewAccount};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

/// The longest display name.
const MAX_NAME: usize = 200;

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    page: Layout,
    t: Tr,
    /// Why there is no form (closed, invitation needed or invalid).
    closed: Option<&'static str>,
    csrf: String,
    invitation: String,
    name: String,
    email: String,
    alert: Option<&'static str>,
    name_error: Option<&'static str>,
    email_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct SignUpParams {
    invitation: Option<String>,
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    invitation: Option<String>,
}

#[derive(Default)]
struct Shown {
    closed: Option<&'static str>,
    name: String,
    email: String,
    alert: Option<&'static str>,
    name_error: Option<&'static str>,
    email_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

fn page_with(
    state: &AppState,
    viewer: &Viewer,
    t: Tr,
    invitation: &str,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, Error> {
    let token = FormToken::for_viewer(state, viewer)?;
    let page = SignUpPage {
        page: Layout::new(t, viewer, t.s("signup.title"), "/inscription", None),
        t,
        closed: shown.closed,
        csrf: token.value.clone(),
        invitation: invitation.to_string(),
        name: shown.name,
        email: shown.email,
        alert: shown.alert,
        name_error: shown.name_error,
        email_error: shown.email_error,
        password_error: shown.password_error,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    token.set_on(&mut res);
    Ok(res)
}

/// Whether the invitation `token` can be used now; its e-mail address
/// when it is for one. `None`: no such invitation, used or expired.
async fn invitation(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<(String, Option<String>)>, Error> {
    let Some(t) = token.and_then(Token::parse) else {
        return Ok(None);
    };
    let digest = t.digest();
    let now = archipel_store::accounts::stamp(state.config.sign_in.clock.now());
    let found = state.pool.read(move |s| Ok(s.invitation(&digest)?)).await?;
    Ok(found
        .filter(|i| i.used_at.is_none() && i.expires_at > now)
        .map(|i| (t.as_str().to_string(), i.email)))
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<SignUpParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let mut shown = Shown::default();
    let mut token = String::new();
    match state.config.sign_in.signup {
        Signup::Closed => shown.closed = Some(t.s("signup.closed")),
        Signup::Open => {}
        Signup::Invitation => match (
            &q.invitation,
            invitation(&state, q.invitation.as_deref()).await?,
        ) {
            (None, _) => shown.closed = Some(t.s("signup.invitation_needed")),
            (Some(_), None) => shown.closed = Some(t.s("signup.invitation_invalid")),
            (Some(_), Some((tok, email))) => {
                token = tok;
                shown.email = email.unwrap_or_default();
            }
        },
    }
    page_with(&state, &viewer, t, &token, shown, StatusCode::OK)
}

pub async fn submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Form(f): Form<SignUpForm>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let now = state.config.sign_in.clock.now();
    let mode = state.config.sign_in.signup;
    if mode == Signup::Closed {
        return Err(Error::forbidden(t.s("signup.closed")).in_lang(lang));
    }
    let invitation_token = f.invitation.clone().unwrap_or_default();
    let mut shown = Shown {
        name: f.name.chars().take(MAX_NAME * 2).collect(),
        email: f.email.chars().take(320).collect(),
        ..Shown::default()
    };
    if let Err(l) = state
        .limits
        .sign_up_address
        .hit(&format!("address:{}", viewer.address), now)
    {
        shown.alert = Some(t.s("signup.limited"));
        let mut res = page_with(
            &state,
            &viewer,
            t,
            &invitation_token,
            shown,
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(l.retry_after));
        return Ok(res);
    }
    let invited = match mode {
        Signup::Invitation => match invitation(&state, f.invitation.as_deref()).await? {
            Some(i) => Some(i),
            None => {
                shown.closed = Some(t.s("signup.invitation_invalid"));
                return page_with(&state, &viewer, t, "", shown, StatusCode::FORBIDDEN);
            }
        },
        _ => None,
    };
    let name = f.name.trim().to_string();
    if name.is_empty()
        || name.chars().count() > MAX_NAME
        || archipel_domain::check_text(&name, archipel_domain::TextKind::Line).is_err()
    {
        shown.name_error = Some(t.s("signup.name_invalid"));
    }
    let email = archipel_accounts::normalise_email(&f.email).ok();
    match &email {
        None => shown.email_error = Some(t.s("signup.email_invalid")),
        Some(e) => {
            if let Some((_, Some(for_email))) = &invited {
                if for_email != e {
                    shown.email_error = Some(t.s("signup.invitation_email"));
                }
            }
        }
    }
    if let Err(p) = password::check(&f.password, email.as_deref()) {
        shown.password_error = Some(password_problem(t, &p));
    }
    let email = match email {
        Some(e)
            if shown.name_error.is_none()
                && shown.email_error.is_none()
                && shown.password_error.is_none() =>
        {
            e
        }
        _ => {
            return page_with(
                &state,
                &viewer,
                t,
                &invitation_token,
                shown,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let pw = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))?
        .map_err(|e| Error::internal_from(&e))?;
    let (e, n) = (email.clone(), name.clone());
    let invitation_digest = invited
        .as_ref()
        .and_then(|(tok, _)| Token::parse(tok))
        .map(|t| t.digest());
    let created = state
        .writer
        .write(move |s| {
            let new = NewAccount {
                email: Some(&e),
                password_hash: Some(&hash),
                display_name: &n,
                role: archipel_accounts::Role::Contributor.key(),
            };
            let audit = Audit::new(now, None, serde_json::Value::Null);
            let r = match &invitation_digest {
                Some(d) => s.accept_invitation(d, &new, &audit),
                None => s.create_account(&new, &audit).map(Some),
            };
            match r {
                Ok(Some(id)) => Ok(Outcome::Created(id)),
                Ok(None) => Ok(Outcome::InvitationInvalid),
                Err(AccountError::EmailTaken(_)) => Ok(Outcome::EmailTaken),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    match created {
        Outcome::Created(id) => {
            let cookie = session::open(&state, &viewer, id, None).await?;
            Ok(signed_in(cookie, Some("/compte")))
        }
        Outcome::EmailTaken => {
            shown.email_error = Some(t.s("signup.email_taken"));
            page_with(
                &state,
                &viewer,
                t,
                &invitation_token,
                shown,
                StatusCode::CONFLICT,
            )
        }
        Outcome::InvitationInvalid => {
            shown.closed = Some(t.s("signup.invitation_invalid"));
            page_with(&state, &viewer, t, "", shown, StatusCode::FORBIDDEN)
        }
    }
}

/// What became of a sign-up.
enum Outcome {
    Created(i64),
    EmailTaken,
    /// The invitation was used or expired meanwhile.
    InvitationInvalid,
}

/// What a refused password is told, in the page's language.
fn password_problem(t: Tr, p: &password::PasswordProblem) -> &'static str {
    match p.key() {
        "too_short" => t.s("password.too_short"),
        "too_long" => t.s("password.too_long"),
        "control" => t.s("password.control"),
        "common" => t.s("password.common"),
        "repeated" => t.s("password.repeated"),
        "sequence" => t.s("password.sequence"),
        _ => t.s("password.contains_email"),
    }
}
