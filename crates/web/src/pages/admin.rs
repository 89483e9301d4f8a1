//! `/admin/comptes`: administrators list the accounts, change a role,
//! disable an account (which closes its sessions). Each change is a POST
//! (with the anti-forgery token, checked by `crate::csrf`) written with
//! its audit entry, the administrator as its actor, by the store. An
//! administrator does not change their own role or disable themselves
//! here (the command line can), so that the last one cannot lock everyone
//! out by a slip.

use super::account::to_sign_in;
use super::render;
use super::signin::see_other;
use crate::csrf::Form;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::Layout;
use archipel_accounts::Role;
use archipel_store::accounts::{AccountError, Audit};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

pub struct RoleOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: Vec<RoleOption>,
    pub role: &'static str,
    pub disabled: bool,
    pub yourself: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AdminPage {
    page: Layout,
    t: Tr,
    csrf: String,
    done: Option<&'static str>,
    rows: Vec<AccountRow>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    fait: Option<String>,
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The administrator asking, or the answer for anyone else: to the
/// sign-in page when nobody is signed in, 403 otherwise.
fn admin(viewer: &Viewer, t: Tr) -> Result<Result<i64, Response>, Error> {
    match &viewer.account {
        None => Ok(Err(to_sign_in("/admin/comptes"))),
        Some(a) if viewer.role().can_administer() => Ok(Ok(a.id)),
        Some(_) => Err(Error::forbidden(t.s("admin.forbidden")).in_lang(t.lang)),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<Done>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let me = match admin(&viewer, t)? {
        Ok(id) => id,
        Err(res) => return Ok(res),
    };
    let accounts = state.pool.read(|s| Ok(s.accounts()?)).await?;
    let rows = accounts
        .into_iter()
        .map(|a| {
            let role = Role::parse(&a.role).unwrap_or(Role::Visitor);
            AccountRow {
                id: a.id,
                name: a.display_name,
                email: a.email.unwrap_or_default(),
                roles: Role::ALL
                    .iter()
                    .map(|r| RoleOption {
                        key: r.key(),
                        label: r.label(lang),
                        selected: *r == role,
                    })
                    .collect(),
                role: role.label(lang),
                disabled: a.disabled,
                yourself: a.id == me,
            }
        })
        .collect();
    let done = match q.fait.as_deref() {
        Some("role") => Some(t.s("admin.done_role")),
        Some("desactive") => Some(t.s("admin.done_disable")),
        _ => None,
    };
    let page = AdminPage {
        page: Layout::new(t, &viewer, t.s("admin.title"), "/admin/comptes", None),
        t,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
        done,
        rows,
    };
    render(&page)
}

/// The administrator changing account `id`: not their own (see the
/// module's documentation).
fn admin_on(viewer: &Viewer, t: Tr, id: i64) -> Result<Result<i64, Response>, Error> {
    let me = admin(viewer, t)?;
    if me.as_ref().is_ok_and(|me| *me == id) {
        return Err(Error::forbidden(t.s("admin.not_yourself")).in_lang(t.lang));
    }
    Ok(me)
}

/// What a change refused by the store is told.
fn refused(e: AccountError, t: Tr) -> Error {
    match e {
        AccountError::NoSuchAccount(_) => Error::not_found(t.s("admin.no_account")),
        AccountError::NoSuchRole(_) => Error::bad_request(t.s("admin.bad_role")),
        e => e.into(),
    }
    .in_lang(t.lang)
}

pub async fn role(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let me = match admin_on(&viewer, t, id)? {
        Ok(me) => me,
        Err(res) => return Ok(res),
    };
    let Some(role) = Role::parse(&f.role) else {
        return Err(Error::bad_request(t.s("admin.bad_role")).in_lang(lang));
    };
    let now = state.config.sign_in.clock.now();
    state
        .writer
        .write(move |s| {
            Ok(s.set_role(
                id,
                role.key(),
                &Audit::new(now, Some(me), serde_json::Value::Null),
            )
            .map_err(|e| refused(e, t)))
        })
        .await??;
    Ok(see_other("/admin/comptes?fait=role"))
}

pub async fn disable(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let me = match admin_on(&viewer, t, id)? {
        Ok(me) => me,
        Err(res) => return Ok(res),
    };
    let now = state.config.sign_in.clock.now();
    state
        .writer
        .write(move |s| {
            Ok(
                s.disable_account(id, &Audit::new(now, Some(me), serde_json::Value::Null))
                    .map(|_| ())
                    .map_err(|e| refused(e, t)),
            )
        })
        .await??;
    Ok(see_other("/admin/comptes?fait=desactive"))
}
