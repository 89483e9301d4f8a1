//! Interface strings in French and English, kept as data under
//! `content/ui/`: `key = { fr = "…", en = "…" }` under tables that prefix
//! the key (`[nav]` + `home` → `nav.home`). `{name}` placeholders are
//! replaced by [`UiStrings::fmt`]. The web pages (`ui/strings.toml`) and
//! the assessment reports (`ui/assess.toml`) read their strings through
//! this one type.
//!
//! ```
//! use archipel_content::{Lang, UiStrings};
//! let ui = UiStrings::parse("x.toml", "[status]\nmet = { fr = \"satisfait\", en = \"met\" }")?;
//! assert_eq!(ui.get("status.met", Lang::Fr), "satisfait");
//! assert_eq!(ui.get("status.nope", Lang::En), "status.nope");
//! # Ok::<(), archipel_content::ContentError>(())
//! ```

use crate::{ContentError, Lang, Text};
use std::collections::BTreeMap;

/// A table of interface strings by dotted key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UiStrings {
    map: BTreeMap<String, Text>,
}

impl UiStrings {
    /// Parses a strings file; every entry must have both languages and
    /// nothing else. `file` names the file in errors.
    pub fn parse(file: &str, text: &str) -> Result<UiStrings, ContentError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| crate::files::line_of(text, s.start));
            ContentError::new(file, line, "", e.message().to_string())
        })?;
        let mut map = BTreeMap::new();
        let mut problems = Vec::new();
        flatten(file, "", &table, &mut map, &mut problems);
        match ContentError::from_list(problems) {
            None => Ok(UiStrings { map }),
            Some(e) => Err(e),
        }
    }

    /// The string `key` in `lang`; the key itself when missing, so that a
    /// gap shows instead of breaking a page (tests check none is missing).
    pub fn get<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.map.get(key).map(|t| t.get(lang)).unwrap_or(key)
    }

    /// Whether the table has the key.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The string with `{name}` placeholders replaced.
    pub fn fmt(&self, key: &str, lang: Lang, params: &[(&str, &str)]) -> String {
        let mut s = self.get(key, lang).to_string();
        for (k, v) in params {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// Every entry, by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Text)> {
        self.map.iter().map(|(k, t)| (k.as_str(), t))
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

fn flatten(
    file: &str,
    prefix: &str,
    t: &toml::Table,
    out: &mut BTreeMap<String, Text>,
    problems: &mut Vec<ContentError>,
) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let mut problem = |reason: &str| problems.push(ContentError::new(file, None, &key, reason));
        let toml::Value::Table(sub) = v else {
            problem("expected { fr = \"…\", en = \"…\" } or a table");
            continue;
        };
        if !(sub.contains_key("fr") || sub.contains_key("en")) {
            flatten(file, &key, sub, out, problems);
            continue;
        }
        let text = |l: &str| match sub.get(l) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        };
        match (text("fr"), text("en")) {
            (None, _) => problem("missing French text"),
            (_, None) => problem("missing English text"),
            _ if sub.len() != 2 => problem("only `fr` and `en` are allowed"),
            (Some(fr), Some(en)) => {
                out.insert(key, Text { fr, en });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_tables_give_dotted_keys_and_placeholders_are_filled() {
        let ui = UiStrings::parse(
            "t.toml",
            "[a.b]\nc = { fr = \"{n} fois\", en = \"{n} times\" }\n",
        )
        .unwrap();
        assert_eq!(ui.fmt("a.b.c", Lang::En, &[("n", "3")]), "3 times");
        assert!(ui.has("a.b.c"));
        assert_eq!(ui.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let err = UiStrings::parse(
            "t.toml",
            "a = { fr = \"x\" }\nb = { fr = \"x\", en = \"y\", de = \"z\" }\nc = 3\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("t.toml: a: missing English text"), "{text}");
        assert!(text.contains("t.toml: b: only `fr` and `en`"), "{text}");
        assert!(text.contains("t.toml: c: expected"), "{text}");
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err =
            UiStrings::parse("t.toml", "a = { fr = \"x\", en = \"y\" }\nb = {\n").unwrap_err();
        assert_eq!(err.file, "t.toml");
        assert_eq!(err.line, Some(2));
    }
}
