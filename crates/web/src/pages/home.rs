//! `/`: the territory at a glance.

use super::{render, MapView};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{day, kind_label, kind_path, kinds_label, record_url, Layout};
use archipel_domain::EntityKind;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

pub struct CountCard {
    pub href: String,
    pub number: String,
    pub label: &'static str,
}

/// One of the latest changes, from the histories.
pub struct Recent {
    /// The record's history; empty for an import's summary.
    pub href: String,
    pub name: String,
    /// The record's kind; empty for an import's summary.
    pub kind: &'static str,
    /// What made the change.
    pub how: &'static str,
    pub date: String,
}

pub struct KindCount {
    pub href: String,
    pub label: String,
    pub number: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Layout,
    t: Tr,
    counts: Vec<CountCard>,
    map: MapView,
    recent: Vec<Recent>,
    actor_kinds: Vec<KindCount>,
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let st = state.clone();
    let (counts, recent, kinds) = state
        .pool
        .read(move |s| {
            let (counts, kinds) = crate::figures::home_counts(&st, s)?;
            let recent = archipel_jobs::history::recent_changes(s, 8)?;
            Ok((counts, recent, kinds))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let cards = [
        EntityKind::Commons,
        EntityKind::Actor,
        EntityKind::Place,
        EntityKind::Territory,
    ]
    .iter()
    .map(|k| CountCard {
        href: format!("/{}", kind_path(*k)),
        number: t.number(
            counts
                .iter()
                .find(|c| c.key == k.as_str())
                .map(|c| c.count)
                .unwrap_or(0),
        ),
        label: kinds_label(t, *k),
    })
    .chain(
        counts
            .iter()
            .filter(|c| c.key == "relation")
            .map(|c| CountCard {
                href: "/relations".into(),
                number: t.number(c.count),
                label: kinds_label(t, EntityKind::Relation),
            }),
    )
    .collect();
    let recent = recent
        .iter()
        .map(|c| Recent {
            href: match &c.record {
                Some(r) => format!("{}/historique", record_url(&r.id)),
                None => String::new(),
            },
            name: super::history::change_title(t, c),
            kind: c
                .record
                .as_ref()
                .map_or("", |r| kind_label(t, r.kind.as_str())),
            how: super::history::action_label(t, &c.batch.action),
            date: day(&c.batch.at),
        })
        .collect();
    let actor_kinds = kinds
        .iter()
        .filter(|c| c.key != "unset")
        .take(8)
        .map(|c| KindCount {
            href: format!("/actors?kind={}", crate::params::encode(&c.key)),
            label: state.content.label("actor_kinds", &c.key, lang),
            number: t.number(c.count),
        })
        .collect();
    let page = Home {
        page: Layout::new(
            t,
            &viewer,
            t.s("home.title"),
            &super::here(&uri),
            Some("home"),
        )
        .with_map(),
        t,
        counts: cards,
        map: MapView::new(&state, t, "", "/places".into()),
        recent,
        actor_kinds,
    };
    render(&page)
}
