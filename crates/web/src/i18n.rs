//! Interface strings (French and English) and the visitor's language.
//!
//! The strings are data: `content/ui/strings.toml`, compiled into the
//! binary. Each entry is a table `{ fr = "…", en = "…" }`; nested tables
//! give dotted keys (`nav.home`). Labels of vocabulary terms (actor kinds,
//! relation types…) come from the content vocabularies, not from here.

use archipel_content::{Lang, UiStrings};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::sync::LazyLock;

/// The strings compiled into the binary (`content/ui/strings.toml`,
/// checked by a test). Should the file be invalid, the table is empty and
/// keys show instead of texts.
pub static UI_STRINGS: LazyLock<UiStrings> = LazyLock::new(|| {
    let (name, text) = archipel_content::embedded::WEB_UI;
    UiStrings::parse(&format!("content/{name}"), text).unwrap_or_default()
});

/// A translator for one language, handed to templates as `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }
    /// The interface string `key`.
    pub fn s(&self, key: &'static str) -> &'static str {
        UI_STRINGS.get(key, self.lang)
    }
    /// `fr` or `en`.
    pub fn code(&self) -> &'static str {
        self.lang.as_str()
    }
    /// The other language (for the switch).
    pub fn other(&self) -> Lang {
        self.lang.other()
    }
    /// A count with its noun, choosing singular or plural string.
    pub fn count(&self, n: u64, one: &'static str, many: &'static str) -> String {
        let noun = if n <= 1 { self.s(one) } else { self.s(many) };
        format!("{} {noun}", self.number(n))
    }
    /// A number with the thousands separator of the language.
    pub fn number(&self, n: u64) -> String {
        self.lang.number(n)
    }
}

/// The visitor's language: `?lang=` when given, else the `lang` cookie the
/// switch sets, else French.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLang(pub Lang);

pub fn lang_of(parts: &Parts) -> Lang {
    lang_of_head(&parts.uri, &parts.headers)
}

/// [`lang_of`] from a request's target and headers.
pub fn lang_of_head(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
    if let Some(q) = uri.query() {
        for pair in q.split('&') {
            if let Some(v) = pair.strip_prefix("lang=") {
                if let Some(l) = Lang::parse(v) {
                    return l;
                }
            }
        }
    }
    for value in headers.get_all(axum::http::header::COOKIE) {
        let Ok(s) = value.to_str() else { continue };
        for c in s.split(';') {
            if let Some(v) = c.trim().strip_prefix("lang=") {
                if let Some(l) = Lang::parse(v) {
                    return l;
                }
            }
        }
    }
    Lang::Fr
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(lang_of(parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_strings_parse_with_both_languages() {
        let (name, text) = archipel_content::embedded::WEB_UI;
        let s = UiStrings::parse(name, text).expect("valid strings file");
        assert!(s.len() > 50);
    }

    /// The keys of `s("…")` calls in a text (dotted keys only), and of
    /// `push("…", …)` (the fields of a public action record's page).
    fn keys_used(text: &str) -> Vec<String> {
        text.split("s(\"")
            .skip(1)
            .chain(text.split("push(\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|k| {
                k.contains('.')
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let (name, text) = archipel_content::embedded::WEB_UI;
        let s = UiStrings::parse(name, text).expect("valid strings file");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut used = 0;
        for dir in ["templates", "src", "src/pages", "src/api"] {
            for e in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                let path = e.path();
                if !path.is_file() || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                for key in keys_used(&text) {
                    used += 1;
                    if !s.has(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(used > 100, "the scan found the calls");
        assert!(
            missing.is_empty(),
            "missing strings:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(Tr::new(Lang::En).number(1234567), "1,234,567");
        assert_eq!(Tr::new(Lang::Fr).number(999), "999");
        assert_eq!(Tr::new(Lang::Fr).number(1000), "1\u{202f}000");
    }
}
