//! `/compte`: the signed-in visitor's account — name, e-mail address,
//! role, and the identities of the providers it signs in through.

use super::render;
use super::signin::see_other;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::query_string;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{day, Layout};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

pub struct IdentityRow {
    pub issuer: String,
    pub organisation: String,
    pub siret: String,
    pub last_seen: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Layout,
    t: Tr,
    name: String,
    email: String,
    role: &'static str,
    role_description: &'static str,
    since: String,
    identities: Vec<IdentityRow>,
    admin: bool,
}

/// A redirect to the sign-in page, coming back to `here`.
pub fn to_sign_in(here: &str) -> Response {
    see_other(&format!(
        "/connexion{}",
        query_string(&[("next", here.to_string())])
    ))
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(account) = viewer.account.clone() else {
        return Ok(to_sign_in("/compte"));
    };
    let id = account.id;
    let identities = state.pool.read(move |s| Ok(s.identities(id)?)).await?;
    let claim = |c: &serde_json::Value, k: &str| {
        c.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let role = viewer.role();
    let page = AccountPage {
        page: Layout::new(t, &viewer, t.s("account.title"), "/compte", None),
        t,
        name: account.display_name.clone(),
        email: account
            .email
            .clone()
            .unwrap_or_else(|| t.s("account.none").to_string()),
        role: role.label(lang),
        role_description: role.description(lang),
        since: day(&account.created_at),
        identities: identities
            .iter()
            .map(|i| IdentityRow {
                issuer: i.issuer.clone(),
                organisation: claim(&i.claims, "organization_label"),
                siret: claim(&i.claims, "siret"),
                last_seen: day(&i.last_seen),
            })
            .collect(),
        admin: role.can_administer(),
    };
    render(&page)
}
