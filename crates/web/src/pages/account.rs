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
    moderator: bool,
    proposals: Vec<ProposalRow>,
    notice: Option<String>,
    csrf: String,
}

/// One of the account's proposals.
pub struct ProposalRow {
    pub id: i64,
    pub at: String,
    pub date: String,
    pub what: String,
    pub name: String,
    /// The record's page, when it exists.
    pub href: String,
    pub status: &'static str,
    pub pending: bool,
    pub message: String,
}

#[derive(serde::Deserialize, Default)]
pub struct AccountParams {
    /// The proposal just sent (a notice says so).
    proposition: Option<String>,
}

/// Proposals the account page lists, newest first.
const MY_PROPOSALS: usize = 200;

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
    crate::params::Params(q): crate::params::Params<AccountParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(account) = viewer.account.clone() else {
        return Ok(to_sign_in("/compte"));
    };
    let id = account.id;
    let (identities, mut proposals) = state
        .pool
        .read(move |s| {
            let q = archipel_store::proposals::ProposalQuery {
                account: Some(id),
                limit: MY_PROPOSALS,
                ..Default::default()
            };
            Ok((s.identities(id)?, s.proposals(&q)?))
        })
        .await?;
    proposals.reverse();
    let sent = q.proposition.as_deref().and_then(|n| n.parse::<i64>().ok());
    let notice = sent
        .filter(|n| proposals.iter().any(|p| p.id == *n))
        .map(|n| format!("{} {n}", t.s("account.proposal_sent")));
    let proposals: Vec<ProposalRow> = proposals
        .into_iter()
        .map(|p| ProposalRow {
            id: p.id,
            date: day(&p.created_at),
            at: p.created_at.clone(),
            what: format!(
                "{} · {}",
                match p.action.as_str() {
                    "create" => t.s("moderation.action_create"),
                    "edit" => t.s("moderation.action_edit"),
                    _ => t.s("moderation.action_report"),
                },
                crate::views::kind_label(t, &p.kind)
            ),
            name: p
                .record_name()
                .map(str::to_string)
                .unwrap_or_else(|| p.record.clone()),
            href: match (
                p.action != "create" || p.status == "accepted",
                p.is_about_action(),
            ) {
                (false, _) => String::new(),
                (true, false) => crate::views::record_url(&p.record),
                (true, true) => archipel_domain::ActionId::parse(&p.record)
                    .map(|id| super::support::action_url(&id))
                    .unwrap_or_default(),
            },
            status: match p.status.as_str() {
                "pending" => t.s("moderation.status_pending"),
                "accepted" => t.s("moderation.status_accepted"),
                "refused" => t.s("moderation.status_refused"),
                _ => t.s("moderation.status_withdrawn"),
            },
            pending: p.status == "pending",
            message: p.message.clone().unwrap_or_default(),
        })
        .collect();
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
        moderator: role.can_moderate(),
        proposals,
        notice,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
    };
    render(&page)
}

/// `POST /compte/propositions/{id}/retirer`: the proposer withdraws a
/// pending proposal of theirs.
pub async fn withdraw(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(account) = viewer.account.as_ref().map(|a| a.id) else {
        return Ok(to_sign_in("/compte"));
    };
    let Ok(id) = raw.parse::<i64>() else {
        return Err(Error::not_found(format!("no proposal {raw}")).in_lang(lang));
    };
    let at = state.config.sign_in.clock.now();
    let done = state
        .writer
        .write(move |s| Ok(archipel_jobs::contribute::withdraw(s, id, account, at)))
        .await?;
    match done {
        Ok(()) => Ok(super::signin::see_other("/compte#propositions")),
        Err(archipel_jobs::contribute::ContributionError::NotYours(_)) => {
            Err(Error::forbidden(t.s("account.not_yours")).in_lang(lang))
        }
        Err(archipel_jobs::contribute::ContributionError::Proposal(
            archipel_store::proposals::ProposalError::NoSuchProposal(_),
        )) => Err(Error::not_found(format!("no proposal {id}")).in_lang(lang)),
        Err(archipel_jobs::contribute::ContributionError::Proposal(
            archipel_store::proposals::ProposalError::Decided { .. },
        )) => Err(
            Error::new(axum::http::StatusCode::CONFLICT, t.s("moderation.decided")).in_lang(lang),
        ),
        Err(e) => Err(Error::of_contribution(&e).in_lang(lang)),
    }
}
