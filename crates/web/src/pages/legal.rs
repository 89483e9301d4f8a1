//! The pages a French public site must carry, filled from the
//! configuration's `[publisher]` section: `/accessibilite` (the RGAA
//! accessibility statement), `/mentions-legales` (legal notice) and
//! `/confidentialite` (privacy). Their wording is in
//! `content/ui/strings.toml` (`[legal]`).

use super::render;
use crate::config::{Conformance, Publisher};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

/// What the three pages show.
struct Facts {
    /// Each publisher field, or "not given".
    name: String,
    address: String,
    director: String,
    contact: String,
    host: String,
    statement_date: String,
    conformance: Conformance,
    public_url: String,
    data_licence: String,
    /// The tile server visitors' browsers ask, when one is configured.
    tiles_origin: Option<String>,
}

impl Facts {
    fn new(state: &AppState, t: Tr) -> Facts {
        let c = &state.config;
        let p: &Publisher = &c.publisher;
        let or = |s: &str| {
            if s.trim().is_empty() {
                t.s("legal.not_given").to_string()
            } else {
                s.to_string()
            }
        };
        Facts {
            name: or(&p.name),
            address: or(&p.address),
            director: or(&p.director),
            contact: or(&p.contact),
            host: or(&p.host),
            statement_date: or(&p.statement_date),
            conformance: p.conformance,
            public_url: c.public_url.clone(),
            data_licence: c.data_licence.clone(),
            tiles_origin: c.tiles.as_ref().and_then(|t| t.origin()),
        }
    }

    /// "partiellement conforme", in the page's language.
    fn status(&self, t: Tr) -> &'static str {
        match self.conformance {
            Conformance::Full => t.s("legal.status_full"),
            Conformance::Partial => t.s("legal.status_partial"),
            Conformance::None => t.s("legal.status_none"),
        }
    }
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    page: Layout,
    t: Tr,
    f: Facts,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "legal_notice.html")]
struct NoticePage {
    page: Layout,
    t: Tr,
    f: Facts,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    page: Layout,
    t: Tr,
    f: Facts,
}

pub async fn accessibility(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let f = Facts::new(&state, t);
    render(&AccessibilityPage {
        page: Layout::new(
            t,
            &viewer,
            t.s("legal.a11y_title"),
            &super::here(&uri),
            None,
        ),
        t,
        status: f.status(t),
        f,
    })
}

pub async fn notice(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    render(&NoticePage {
        page: Layout::new(
            t,
            &viewer,
            t.s("legal.notice_title"),
            &super::here(&uri),
            None,
        ),
        t,
        f: Facts::new(&state, t),
    })
}

pub async fn privacy(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    render(&PrivacyPage {
        page: Layout::new(
            t,
            &viewer,
            t.s("legal.privacy_title"),
            &super::here(&uri),
            None,
        ),
        t,
        f: Facts::new(&state, t),
    })
}
