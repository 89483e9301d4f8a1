//! `/relations`: every relation of the registry, a page at a time (the
//! home page's "Relations" figure leads here), with who relates to whom.

use super::render;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{Paging, Params};
use crate::state::AppState;
use crate::views::{kind_label, record_url, Layout, Link, Pager};
use archipel_domain::Entity;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RelationsParams {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

pub struct Row {
    pub subject: Link,
    pub subject_kind: &'static str,
    pub label: String,
    pub object: Link,
    pub object_kind: &'static str,
    pub source: String,
}

#[derive(Template)]
#[template(path = "relations.html")]
struct RelationsPage {
    page: Layout,
    t: Tr,
    summary: String,
    total: u64,
    rows: Vec<Row>,
    pager: Pager,
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    uri: Uri,
    Params(p): Params<RelationsParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let paging = Paging::parse(&p.page, &p.per_page, 50).map_err(|e| e.in_lang(lang))?;
    let (page, names) = state
        .pool
        .read(move |s| {
            let page = s.relations_page(paging.limit(), paging.offset())?;
            let ids: Vec<&str> = page
                .items
                .iter()
                .filter_map(|e| match e {
                    Entity::Relation(r) => Some([r.subject.as_str(), r.object.as_str()]),
                    _ => None,
                })
                .flatten()
                .collect();
            let names = s.summaries(&ids)?;
            Ok((page, names))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let link = |id: &str| match names.get(id) {
        Some(s) => Link::new(record_url(&s.id), s.name.clone()),
        None => Link::text(id),
    };
    let rows = page
        .items
        .iter()
        .filter_map(|e| match e {
            Entity::Relation(r) => Some(Row {
                subject: link(r.subject.as_str()),
                subject_kind: kind_label(t, r.subject.kind().as_str()),
                label: state
                    .content
                    .relation_type(&r.kind)
                    .map(|rt| rt.label(lang).to_string())
                    .unwrap_or_else(|| r.kind.clone()),
                object: link(r.object.as_str()),
                object_kind: kind_label(t, r.object.kind().as_str()),
                source: crate::views::source_name(&r.provenance.source, lang),
            }),
            _ => None,
        })
        .collect();
    let render_page = RelationsPage {
        page: Layout::new(
            t,
            &viewer,
            t.s("kinds.relation"),
            &super::here(&uri),
            Some("relations"),
        ),
        t,
        summary: t.count(page.total, "list.record", "list.records"),
        total: page.total,
        rows,
        pager: Pager::new("/relations", &[], paging.page, paging.pages(page.total)),
    };
    render(&render_page)
}
