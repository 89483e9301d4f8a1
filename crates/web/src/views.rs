//! Pieces shared by pages: the layout, links to records, labels.

use crate::assets;
use crate::i18n::Tr;
use crate::params::{encode, query_string};
use archipel_content::{Content, Lang};
use archipel_domain::EntityKind;

tokio::task_local! {
    /// The declared conformance the footer of every page states, set
    /// for each request by the outermost layer (`http::publisher`), so
    /// that pages rendered where no state is at hand (error pages) say
    /// it too.
    pub static CONFORMANCE: crate::Conformance;
}

fn conformance() -> crate::Conformance {
    CONFORMANCE.try_with(|c| *c).unwrap_or_default()
}

/// What the layout template needs.
pub struct Layout {
    pub t: Tr,
    pub title: String,
    /// Which navigation entry is current (`home`, `map`, `search`, a kind).
    pub nav: &'static str,
    /// The URL of the same page in the other language.
    pub switch_url: String,
    pub css: String,
    /// The script that folds the navigation on phones (every page).
    pub nav_js: String,
    pub leaflet_css: Vec<String>,
    pub scripts: Vec<String>,
    /// The search box's current text.
    pub q: String,
    /// The header's account box.
    pub account: AccountBox,
    /// Other forms of the page (`<link rel="alternate">` in its head),
    /// besides the feed of changes every page links to.
    pub alternates: Vec<Alternate>,
}

/// A `<link rel="alternate">`: the same content in another format.
pub struct Alternate {
    /// Its media type.
    pub kind: &'static str,
    pub href: String,
    pub title: &'static str,
}

/// What the header says about the visitor.
pub enum AccountBox {
    /// Nothing (error pages, made without looking at the request).
    Hidden,
    /// A link to the sign-in page, coming back here.
    SignIn { href: String },
    /// The account's name (a link to its page) and a sign-out button.
    SignedIn { name: String, csrf: String },
}

impl AccountBox {
    pub fn of(viewer: &crate::session::Viewer, next: &str) -> AccountBox {
        match (&viewer.account, &viewer.session) {
            (Some(a), Some(s)) => AccountBox::SignedIn {
                name: a.display_name.clone(),
                csrf: s.csrf.clone(),
            },
            _ if viewer.known => AccountBox::SignIn {
                href: format!("/connexion{}", query_string(&[("next", next.to_string())])),
            },
            _ => AccountBox::Hidden,
        }
    }
}

impl Layout {
    /// `here` is the current path and query (for the language switch and
    /// the way back after sign-in).
    pub fn new(
        t: Tr,
        viewer: &crate::session::Viewer,
        title: &str,
        here: &str,
        nav: Option<&'static str>,
    ) -> Layout {
        let next = if here.is_empty() { "/" } else { here };
        Layout {
            account: AccountBox::of(viewer, next),
            t,
            title: title.to_string(),
            nav: nav.unwrap_or(""),
            switch_url: format!(
                "/lang/{}{}",
                t.other().as_str(),
                query_string(&[("next", next.to_string())])
            ),
            css: assets::url("app.css"),
            nav_js: assets::url("nav.js"),
            leaflet_css: Vec::new(),
            scripts: Vec::new(),
            q: String::new(),
            alternates: Vec::new(),
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

    /// The footer's line "Accessibilité : partiellement conforme".
    pub fn conformance_line(&self) -> &'static str {
        match conformance() {
            crate::Conformance::Full => self.t.s("legal.footer_full"),
            crate::Conformance::Partial => self.t.s("legal.footer_partial"),
            crate::Conformance::None => self.t.s("legal.footer_none"),
        }
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
        "call" => t.s("support.kind_one_call"),
        "grant" => t.s("support.kind_one_grant"),
        "application" => t.s("support.kind_one_application"),
        "hardware" => t.s("support.kind_one_hardware"),
        "hosting" => t.s("support.kind_one_hosting"),
        "event" => t.s("support.kind_one_event"),
        "post" => t.s("support.kind_one_post"),
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

/// The CSV and GeoJSON download links of what a page shows:
/// `{base}.csv{query}`, `{base}.geojson{query}` (`/api/v1/…`).
pub fn downloads(base: &str, pairs: &[(&'static str, String)]) -> Vec<Link> {
    let q = query_string(pairs);
    vec![
        Link::new(format!("{base}.csv{q}"), "CSV"),
        Link::new(format!("{base}.geojson{q}"), "GeoJSON"),
    ]
}

/// A source's name for people: `sources.KEY` of the interface strings
/// when there is one (the demonstration, the SILL, the médiation schema,
/// Archipel's own files when no source was named at import, and `web`,
/// the contributions made on the site), else the name the source was
/// given (`archipel import … --source NAME`), as given.
pub fn source_name(key: &str, lang: Lang) -> String {
    let k = format!("sources.{key}");
    if crate::i18n::UI_STRINGS.has(&k) {
        crate::i18n::UI_STRINGS.get(&k, lang).to_string()
    } else {
        key.to_string()
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

/// An amount in euro cents as the language writes it: `12 000,50 €`
/// (narrow no-break spaces) in French, `€12,000.50` in English; whole
/// euros without decimals.
pub fn euros(lang: Lang, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let whole = lang.number(c / 100);
    let frac = c % 100;
    match (lang, frac) {
        (Lang::Fr, 0) => format!("{sign}{whole}\u{a0}€"),
        (Lang::Fr, f) => format!("{sign}{whole},{f:02}\u{a0}€"),
        (Lang::En, 0) => format!("{sign}€{whole}"),
        (Lang::En, f) => format!("{sign}€{whole}.{f:02}"),
    }
}

/// A date-time stored as RFC 3339, shown as a day.
pub fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}

/// Text from the registry made safe to show where markup cannot isolate
/// it (a `<title>`, SVG text, an `<option>`, a sentence built in code):
/// its directional controls balanced — stray closers dropped, open
/// embeddings and isolates closed — and the whole between FIRST STRONG
/// ISOLATE and POP DIRECTIONAL ISOLATE, so that a U+202E in a name cannot
/// reverse the text around it. In HTML, user text goes in a `<bdi>` or an
/// element with `dir="auto"` instead.
pub fn isolate(s: &str) -> String {
    const PDF: char = '\u{202C}';
    const FSI: char = '\u{2068}';
    const PDI: char = '\u{2069}';
    #[derive(PartialEq)]
    enum Open {
        Embedding,
        Isolate,
    }
    let mut out = String::with_capacity(s.len() + 8);
    out.push(FSI);
    let mut open: Vec<Open> = Vec::new();
    for c in s.chars() {
        match c {
            // LRE, RLE, LRO, RLO
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => {
                open.push(Open::Embedding);
                out.push(c);
            }
            // A PDF closes an embedding opened in the same isolate only.
            PDF => {
                if open.last() == Some(&Open::Embedding) {
                    open.pop();
                    out.push(c);
                }
            }
            // LRI, RLI, FSI
            '\u{2066}'..='\u{2068}' => {
                open.push(Open::Isolate);
                out.push(c);
            }
            // A PDI closes the innermost isolate and what was opened in it.
            PDI => {
                if let Some(at) = open.iter().rposition(|o| *o == Open::Isolate) {
                    open.truncate(at);
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    for o in open.iter().rev() {
        out.push(if *o == Open::Isolate { PDI } else { PDF });
    }
    out.push(PDI);
    out
}

#[cfg(test)]
mod tests {
    use super::{euros, isolate};
    use archipel_content::Lang;

    #[test]
    fn euros_are_written_the_way_of_each_language() {
        assert_eq!(euros(Lang::Fr, 1_200_050), "12\u{202f}000,50\u{a0}€");
        assert_eq!(euros(Lang::Fr, 300_000), "3\u{202f}000\u{a0}€");
        assert_eq!(euros(Lang::Fr, 5), "0,05\u{a0}€");
        assert_eq!(euros(Lang::En, 1_200_050), "€12,000.50");
        assert_eq!(euros(Lang::En, 0), "€0");
        assert_eq!(euros(Lang::En, -150), "-€1.50");
    }

    #[test]
    fn isolated_text_cannot_leak_its_direction() {
        assert_eq!(isolate("Médiathèque"), "\u{2068}Médiathèque\u{2069}");
        // An override left open is closed inside the isolate.
        assert_eq!(
            isolate("abc\u{202E}fed"),
            "\u{2068}abc\u{202E}fed\u{202C}\u{2069}"
        );
        // An isolate left open is closed before ours.
        assert_eq!(isolate("\u{2066}x"), "\u{2068}\u{2066}x\u{2069}\u{2069}");
        // Stray closers cannot close ours early.
        assert_eq!(isolate("a\u{2069}\u{202C}b"), "\u{2068}ab\u{2069}");
        // Paired controls stay as they are.
        assert_eq!(
            isolate("\u{2067}x\u{202B}y\u{202C}\u{2069}"),
            "\u{2068}\u{2067}x\u{202B}y\u{202C}\u{2069}\u{2069}"
        );
        // A PDI closes the embeddings opened in its isolate.
        assert_eq!(
            isolate("\u{2066}\u{202E}x\u{2069}\u{202C}"),
            "\u{2068}\u{2066}\u{202E}x\u{2069}\u{2069}"
        );
    }
}
