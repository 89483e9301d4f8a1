//! The affiliation table (`affiliations/domains.toml`: e-mail domain →
//! organisation and actor kind) is parsed by `archipel-history`; here its
//! actor kinds are checked against the `actor_kinds` vocabulary, so that a
//! kind the registry does not know never reaches an assessment.

use crate::files::{line_of, SourceFile};
use crate::{ContentError, Vocabulary};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The file, relative to the content folder.
pub(crate) const FILE: &str = "affiliations/domains.toml";

#[derive(Deserialize)]
struct Table {
    #[serde(default)]
    organization: Vec<Entry>,
    #[serde(default)]
    suffix: Vec<Entry>,
}

/// An organisation or a suffix: only its kind matters here (the rest is
/// checked by `archipel-history`).
#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    suffix: Option<String>,
    kind: toml::Spanned<String>,
}

/// Checks every `kind` of the table against `actor_kinds`.
pub(crate) fn check(
    f: &SourceFile,
    vocabularies: &BTreeMap<String, Vocabulary>,
    problems: &mut Vec<ContentError>,
) {
    let table: Table = match toml::from_str(&f.text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of(&f.text, s.start));
            problems.push(ContentError::new(&f.shown, line, "", e.message()));
            return;
        }
    };
    let Some(kinds) = vocabularies.get("actor_kinds") else {
        return; // reported as a missing vocabulary
    };
    for e in table.organization.iter().chain(&table.suffix) {
        let kind = e.kind.get_ref();
        if kinds.term(kind).is_none() {
            let item = match (&e.name, &e.suffix) {
                (Some(n), _) => format!("organization \"{n}\""),
                (_, Some(s)) => format!("suffix \"{s}\""),
                _ => String::new(),
            };
            problems.push(ContentError::new(
                &f.shown,
                Some(line_of(&f.text, e.kind.span().start)),
                item,
                format!("kind `{kind}` is not a key of the actor_kinds vocabulary"),
            ));
        }
    }
}
