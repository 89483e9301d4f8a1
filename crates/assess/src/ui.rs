//! Interface strings of the reports, in French and English, kept as data
//! (`content/ui/assess.toml`, read through [`archipel_content::UiStrings`]):
//! `key = { fr = "…", en = "…" }` under tables that prefix the key
//! (`[finding]` + `license.none` → `finding.license.none`).
//!
//! ```
//! use archipel_assess::{ui, Lang};
//! let ui = ui::builtin();
//! assert_eq!(ui.get("status.met", Lang::Fr), "satisfait");
//! assert_eq!(ui.fmt("summary.stage", Lang::En, &[("stage", "Open code"), ("rank", "2"), ("of", "6")]),
//!            "Stage reached: Open code (2 of 6)");
//! ```

use archipel_content::UiStrings;
use std::sync::OnceLock;

/// The built-in strings. Should the file be invalid (a test rules it out),
/// the table is empty and keys show instead of texts.
pub fn builtin() -> &'static UiStrings {
    static UI: OnceLock<UiStrings> = OnceLock::new();
    UI.get_or_init(|| {
        let (name, text) = archipel_content::embedded::ASSESS_UI;
        UiStrings::parse(&format!("content/{name}"), text).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_builtin_strings_are_valid() {
        let (name, text) = archipel_content::embedded::ASSESS_UI;
        let ui = archipel_content::UiStrings::parse(name, text).unwrap();
        assert!(ui.len() > 50);
    }
}
