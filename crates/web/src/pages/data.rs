//! `/data`: the open data downloads and the API, for people.

use super::render;
use crate::api::exports::DOWNLOADS;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::session::Viewer;
use crate::views::Layout;
use askama::Template;
use axum::http::Uri;
use axum::response::Response;

pub struct Download {
    pub href: String,
    pub name: &'static str,
    pub format: &'static str,
    pub what: &'static str,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    page: Layout,
    t: Tr,
    downloads: Vec<Download>,
}

pub async fn page(PageLang(lang): PageLang, viewer: Viewer, uri: Uri) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let downloads = DOWNLOADS
        .iter()
        .map(|d| Download {
            href: format!("/api/v1/exports/{}", d.file),
            name: d.file,
            format: d.format,
            what: t.s(d.what_key),
        })
        .collect();
    let page = DataPage {
        page: Layout::new(
            t,
            &viewer,
            t.s("data.title"),
            &super::here(&uri),
            Some("data"),
        ),
        t,
        downloads,
    };
    render(&page)
}
