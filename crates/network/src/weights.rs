//! Weights of relation types (`content/network/weights.toml`) for the
//! weighted variant of the network.

use crate::NetworkError;
use archipel_content::Content;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A weight per relation type, and the weight of the types not listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub default: f64,
    pub by_type: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default: f64,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

impl Weights {
    /// Every relation weighs 1.
    pub fn uniform() -> Weights {
        Weights {
            default: 1.0,
            by_type: BTreeMap::new(),
        }
    }

    /// The weight of a relation of type `kind`.
    pub fn of(&self, kind: &str) -> f64 {
        self.by_type.get(kind).copied().unwrap_or(self.default)
    }

    /// The weights of the embedded content, checked against `content`'s
    /// relation types.
    pub fn embedded(content: &Content) -> Result<Weights, NetworkError> {
        let (rel, text) = archipel_content::embedded::NETWORK_WEIGHTS;
        Weights::parse(&format!("content/{rel}"), text, content)
    }

    /// Reads a weights file: every key a relation type, every weight a
    /// finite number from 0 to 100.
    pub fn parse(file: &str, text: &str, content: &Content) -> Result<Weights, NetworkError> {
        let bad = |line: usize, field: &str, reason: String| NetworkError::Weights {
            at: format!("{file}:{line}"),
            field: field.to_string(),
            reason,
        };
        let line_of = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key) && l.contains('='))
                .map_or(1, |i| i + 1)
        };
        let f: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            });
            bad(line, "", e.message().to_string())
        })?;
        let check = |key: &str, w: f64| {
            if !w.is_finite() || !(0.0..=100.0).contains(&w) {
                return Err(bad(
                    line_of(key),
                    key,
                    format!("expected a number from 0 to 100, found {w}"),
                ));
            }
            Ok(())
        };
        check("default", f.default)?;
        for (k, w) in &f.weights {
            if content.relation_type(k).is_none() {
                return Err(bad(
                    line_of(k),
                    &format!("weights.{k}"),
                    "not a key of the relation_types vocabulary".to_string(),
                ));
            }
            check(k, *w)?;
        }
        Ok(Weights {
            default: f.default,
            by_type: f.weights,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_weights_load_and_a_wrong_key_is_refused_where_it_is() {
        let content = Content::embedded().unwrap();
        let w = Weights::embedded(&content).unwrap();
        assert_eq!(w.of("maintains"), 3.0);
        assert_eq!(w.of("no_such_type"), w.default);

        let text = "default = 1.0\n\n[weights]\nuses = 1.0\nmaintian = 2.0\n";
        let e = Weights::parse("w.toml", text, &content).unwrap_err();
        assert_eq!(
            e.to_string(),
            "w.toml:5: weights.maintian: not a key of the relation_types vocabulary"
        );
        let e = Weights::parse("w.toml", "default = -1.0\n", &content).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("w.toml:1: default: expected a number"),
            "{e}"
        );
        let e = Weights::parse("w.toml", "default = 1.0\nother = 2\n", &content).unwrap_err();
        assert!(e.to_string().starts_with("w.toml:"), "{e}");
    }
}
