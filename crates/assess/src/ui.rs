//! Interface strings of the reports, in French and English, kept as data
//! (`content/ui/assess.toml`): `key = { fr = "…", en = "…" }` under
//! tables that prefix the key (`[finding]` + `license.none` →
//! `finding.license.none`). `{name}` placeholders are replaced by values.
//!
//! ```
//! use archipel_assess::{ui::Ui, Lang};
//! let ui = Ui::builtin();
//! assert_eq!(ui.get("status.met", Lang::Fr), "satisfait");
//! assert_eq!(ui.fmt("summary.stage", Lang::En, &[("stage", "Open code"), ("rank", "2"), ("of", "6")]),
//!            "Stage reached: Open code (2 of 6)");
//! ```

use crate::grid::{Lang, Text};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The strings shipped with Archipel.
pub const BUILTIN_UI: &str = include_str!("../../../content/ui/assess.toml");

/// A table of interface strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ui {
    map: BTreeMap<String, Text>,
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, Text>) -> Result<(), String> {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let toml::Value::Table(sub) = v else {
            return Err(format!(
                "{key}: expected {{ fr = \"…\", en = \"…\" }} or a table"
            ));
        };
        let is_leaf = sub.contains_key("fr") || sub.contains_key("en");
        if is_leaf {
            let get = |l: &str| match sub.get(l) {
                Some(toml::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(format!("{key}: missing `{l}` text")),
            };
            if sub.len() != 2 {
                return Err(format!("{key}: only `fr` and `en` are allowed"));
            }
            let text = Text {
                fr: get("fr")?,
                en: get("en")?,
            };
            out.insert(key, text);
        } else {
            flatten(&key, sub, out)?;
        }
    }
    Ok(())
}

impl Ui {
    /// Parses a strings file.
    pub fn parse(text: &str) -> Result<Ui, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut map = BTreeMap::new();
        flatten("", &table, &mut map)?;
        Ok(Ui { map })
    }

    /// The built-in strings. Should the file be invalid (the tests rule it
    /// out), the table is empty and keys show instead of texts.
    pub fn builtin() -> &'static Ui {
        static UI: OnceLock<Ui> = OnceLock::new();
        UI.get_or_init(|| Ui::parse(BUILTIN_UI).unwrap_or_default())
    }

    /// The string, or the key itself when it is missing.
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

    /// All keys.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
