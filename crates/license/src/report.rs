//! The text report of a detection, in French or English, with strings
//! kept as data (`content/ui/license.toml`).

use crate::{CrpaStatus, Detection, NOASSERTION, NONE};
use archipel_content::{Lang, UiStrings};
use std::sync::OnceLock;

fn ui() -> &'static UiStrings {
    static UI: OnceLock<UiStrings> = OnceLock::new();
    UI.get_or_init(|| {
        let (name, text) = archipel_content::embedded::LICENSE_UI;
        UiStrings::parse(&format!("content/{name}"), text).unwrap_or_default()
    })
}

/// A serde enum's name (`license-text`), the key of its label.
fn key_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The detection as lines for a terminal: the licence, the evidence, what
/// metadata declares (and where it disagrees), the facts of each licence.
pub fn text(d: &Detection, lang: Lang) -> String {
    let ui = ui();
    let t = |key: &str| ui.get(key, lang).to_string();
    let yes_no = |b: bool| t(if b { "yes" } else { "no" });
    let mut s = String::new();
    let what = match d.spdx.as_str() {
        NONE => t("none"),
        NOASSERTION => t("noassertion"),
        other => {
            let names: Vec<String> = d.facts().into_iter().map(|f| f.name).collect();
            if names.is_empty() {
                other.to_string()
            } else {
                names.join(" / ")
            }
        }
    };
    let confidence = format!("{:.2}", d.confidence);
    s.push_str(&ui.fmt(
        "headline",
        lang,
        &[
            ("spdx", &d.spdx),
            ("what", &what),
            ("confidence", &confidence),
        ],
    ));
    s.push('\n');
    if !d.evidence.is_empty() {
        s.push_str(&t("evidence"));
        s.push('\n');
        for e in &d.evidence {
            let method = t(&format!("method.{}", key_of(&e.method)));
            s.push_str(&format!(
                "  {} — {method} — {} ({:.3})",
                e.file, e.spdx, e.score
            ));
            if let Some(n) = &e.note {
                s.push_str(&format!(" — {n}"));
            }
            s.push('\n');
        }
    }
    let disagree = d.disagreements();
    if !d.declared.is_empty() {
        s.push_str(&t("declared"));
        s.push('\n');
        for decl in &d.declared {
            let mark = if disagree.iter().any(|x| std::ptr::eq(*x, decl)) {
                format!("  {}", t("disagrees"))
            } else {
                String::new()
            };
            s.push_str(&format!("  {}: {}{mark}\n", decl.source, decl.spdx));
        }
    }
    for f in d.facts() {
        let crpa = match f.crpa {
            CrpaStatus::Listed => yes_no(true),
            CrpaStatus::OlderVersion => t("crpa_older"),
            CrpaStatus::NotListed => yes_no(false),
        };
        let copyleft = match &f.copyleft {
            None => t("copyleft.unknown"),
            Some(c) => t(&format!("copyleft.{}", key_of(c))),
        };
        s.push_str(&ui.fmt(
            "facts",
            lang,
            &[
                ("spdx", &f.spdx),
                ("osi", &yes_no(f.osi_approved)),
                ("fsf", &yes_no(f.fsf_libre)),
                ("crpa", &crpa),
                ("copyleft", &copyleft),
            ],
        ));
        s.push('\n');
    }
    for n in &d.notes {
        s.push_str(&ui.fmt("note", lang, &[("note", n)]));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Copyleft, Method};

    #[test]
    fn the_strings_file_is_valid_and_names_every_method_and_strength() {
        let (name, text) = archipel_content::embedded::LICENSE_UI;
        let ui = UiStrings::parse(name, text).unwrap();
        let methods = [
            Method::LicenseText,
            Method::LicenseReference,
            Method::ReuseFileName,
            Method::CopyrightNotice,
            Method::Manifest,
            Method::SpdxHeader,
            Method::ReadmeText,
            Method::ReadmeReference,
        ];
        for m in methods {
            assert!(ui.has(&format!("method.{}", key_of(&m))), "{m:?}");
        }
        for c in [
            Copyleft::None,
            Copyleft::Weak,
            Copyleft::Strong,
            Copyleft::Network,
        ] {
            assert!(ui.has(&format!("copyleft.{}", key_of(&c))), "{c:?}");
        }
    }
}
