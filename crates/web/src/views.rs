//! Pieces shared by pages: the layout, links to records, labels.

use crate::assets;
use crate::i18n::Tr;
use crate::params::{encode, query_string};
use archipel_content::{Content, Lang};
use archipel_domain::EntityKind;

/// What the layout template needs.
pub struct Layout {
    pub t: Tr,
    pub title: String,
    /// Which navigation entry is current (`home`, `map`, `search`, a kind).
    pub nav: &'static str,
    /// The URL of the same page in the other language.
    pub switch_url: String,
    pub css: String,
    pub leaflet_css: Vec<String>,
    pub scripts: Vec<String>,
    /// The search box's current text.
    pub q: String,
}

impl Layout {
    /// `here` is the current path and query (for the language switch).
    pub fn new(t: Tr, title: &str, here: &str, nav: Option<&'static str>) -> Layout {
        let next = if here.is_empty() { "/" } else { here };
        Layout {
            t,
            title: title.to_string(),
            nav: nav.unwrap_or(""),
            switch_url: format!(
                "/lang/{}{}",
                t.other().as_str(),
                query_string(&[("next", next.to_string())])
            ),
            css: assets::url("app.css"),
            leaflet_css: Vec::new(),
            scripts: Vec::new(),
            q: String::new(),
        }
    }

    /// Adds Leaflet, the clustering plugin and our map script.
    pub fn with_map(mut self) -> Layout {
        self.leaflet_css = vec![
            assets::url("vendor/leaflet/leaflet.css"),
            assets::url("vendor/leaflet.markercluster/MarkerCluster.css"),
            assets::url("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
        ];
        self.scripts = vec![
            assets::url("vendor/leaflet/leaflet.js"),
            assets::url("vendor/leaflet.markercluster/leaflet.markercluster.js"),
            assets::url("app.js"),
        ];
        self
    }

    pub fn nav_current(&self, key: &str) -> &'static str {
        if self.nav == key {
            "page"
        } else {
            "false"
        }
    }
}

/// The path segment of a kind's pages.
pub fn kind_path(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Territory => "territories",
        EntityKind::Actor => "actors",
        EntityKind::Place => "places",
        EntityKind::Commons => "commons",
        EntityKind::Relation => "relations",
    }
}

/// The page of a record, from its id (`/actors/actor:demo:x`).
pub fn record_url(id: &str) -> String {
    let kind = id
        .split(':')
        .next()
        .and_then(|k| k.parse::<EntityKind>().ok())
        .unwrap_or(EntityKind::Relation);
    format!("/{}/{}", kind_path(kind), encode(id))
}

/// A kind's name in the interface, singular.
pub fn kind_label(t: Tr, kind: &str) -> &'static str {
    match kind {
        "territory" => t.s("kind.territory"),
        "actor" => t.s("kind.actor"),
        "place" => t.s("kind.place"),
        "commons" => t.s("kind.commons"),
        _ => t.s("kind.relation"),
    }
}

/// A kind's name in the interface, plural.
pub fn kinds_label(t: Tr, kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Territory => t.s("kinds.territory"),
        EntityKind::Actor => t.s("kinds.actor"),
        EntityKind::Place => t.s("kinds.place"),
        EntityKind::Commons => t.s("kinds.commons"),
        EntityKind::Relation => t.s("kinds.relation"),
    }
}

/// The label of a record's sub-kind (actor kind, commons kind, level).
pub fn subkind_label(content: &Content, kind: &str, subkind: &str, lang: Lang) -> String {
    let vocab = match kind {
        "actor" => "actor_kinds",
        "commons" => "commons_kinds",
        "territory" => "territory_levels",
        _ => return subkind.to_string(),
    };
    content.label(vocab, subkind, lang)
}

/// A link, or plain text when `href` is empty.
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    pub fn new(href: impl Into<String>, text: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            text: text.into(),
        }
    }
    pub fn text(text: impl Into<String>) -> Link {
        Link::new("", text)
    }
}

/// Pagination links.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the path, `pairs` the other parameters to keep.
    pub fn new(base: &str, pairs: &[(&'static str, String)], page: u32, pages: u32) -> Pager {
        let link = |p: u32| {
            let mut v: Vec<(&str, String)> = pairs.to_vec();
            if p > 1 {
                v.push(("page", p.to_string()));
            }
            format!("{base}{}", query_string(&v))
        };
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// A date-time stored as RFC 3339, shown as a day.
pub fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}
