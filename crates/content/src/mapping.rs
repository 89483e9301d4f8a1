//! The médiation numérique `typologie` codes → Archipel actor kinds.

use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::reader::{Fields, RawFile};
use crate::{Lang, Vocabulary};
use std::collections::BTreeMap;

/// What a structure typology code of the national « lieux de médiation
/// numérique » schema (the data·inclusion list) means in Archipel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypologyMapping {
    /// The code as written in the `typologie` column (`CCAS`, `TIERS_LIEUX`).
    pub code: String,
    /// The official French label of the code.
    pub fr: String,
    /// An English label.
    pub en: String,
    /// Key of the `actor_kinds` vocabulary.
    pub actor_kind: String,
    /// Key of the `typology` vocabulary, when the code implies one.
    pub typology: Option<String>,
    /// Key of the `typology_families` vocabulary (the family of `typology`).
    pub family: Option<String>,
    /// The code was withdrawn from the official list (kept to read old files).
    pub legacy: bool,
    /// For a spelling outside the official list: the official code.
    pub alias_of: Option<String>,
    pub note: Option<String>,
    /// Line of the entry in the mapping file.
    pub line: Option<u64>,
}

impl TypologyMapping {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// The mapping file: its source credit and its entries by code.
#[derive(Debug, Clone, Default)]
pub(crate) struct MediationMapping {
    pub source: String,
    pub by_code: BTreeMap<String, TypologyMapping>,
}

const FIELDS: &[&str] = &[
    "code",
    "fr",
    "en",
    "actor_kind",
    "typology",
    "legacy",
    "alias_of",
    "note",
];

pub(crate) fn read_mapping(
    file: &SourceFile,
    raw: &RawFile,
    vocabs: &BTreeMap<String, Vocabulary>,
    p: &mut Problems<'_>,
) -> MediationMapping {
    let mut out = MediationMapping::default();
    let others: Vec<&str> = raw
        .arrays_used()
        .into_iter()
        .filter(|a| *a != "code")
        .collect();
    if !others.is_empty() {
        p.push(
            None,
            "",
            format!(
                "a mapping holds [[code]] items only, found [[{}]]",
                others.join("]], [[")
            ),
        );
    }
    match &raw.source {
        Some(s) if !s.trim().is_empty() => out.source = s.clone(),
        _ => p.push(
            None,
            "",
            "missing `source` (the mapping credits its source)",
        ),
    }
    let kinds = vocabs.get("actor_kinds");
    let typology = vocabs.get("typology");
    for (i, spanned) in raw.code.iter().enumerate() {
        let line = Some(line_of(&file.text, spanned.span().start));
        let mut f = Fields::new(spanned.get_ref());
        let code = f.str("code").unwrap_or_default();
        let item = if code.is_empty() {
            format!("code #{}", i + 1)
        } else {
            format!("code \"{code}\"")
        };
        if code.is_empty() {
            p.push(line, &item, "missing code");
        }
        let fr = f.req_str("fr", "French label");
        let en = f.req_str("en", "English label");
        let actor_kind = f.req_str("actor_kind", "actor_kind");
        let typ = f.str("typology");
        let legacy = f.bool("legacy").unwrap_or(false);
        let alias_of = f.str("alias_of");
        let note = f.str("note");
        for k in f.unknown(FIELDS) {
            p.push(line, &item, format!("unknown field `{k}`"));
        }
        for (field, reason) in std::mem::take(&mut f.problems) {
            if reason.starts_with("missing ") {
                p.push(line, &item, reason);
            } else {
                p.push(line, &item, format!("{field}: {reason}"));
            }
        }
        if !actor_kind.is_empty() && kinds.is_some_and(|v| v.term(&actor_kind).is_none()) {
            p.push(
                line,
                &item,
                format!("actor_kind `{actor_kind}` is not a key of actor_kinds"),
            );
        }
        let mut family = None;
        if let Some(t) = &typ {
            match typology.and_then(|v| v.term(t)) {
                Some(term) => family = term.extra_str("family").map(str::to_string),
                None => p.push(
                    line,
                    &item,
                    format!("typology `{t}` is not a key of typology"),
                ),
            }
        }
        if out.by_code.contains_key(&code) {
            p.push(line, &item, "duplicate code");
        }
        out.by_code.insert(
            code.clone(),
            TypologyMapping {
                code,
                fr,
                en,
                actor_kind,
                typology: typ,
                family,
                legacy,
                alias_of,
                note,
                line,
            },
        );
    }
    // An alias must point at an official code of the same file.
    let codes: Vec<(String, Option<String>, Option<u64>)> = out
        .by_code
        .values()
        .map(|m| (m.code.clone(), m.alias_of.clone(), m.line))
        .collect();
    for (code, alias, line) in codes {
        if let Some(a) = alias {
            let ok = out.by_code.get(&a).is_some_and(|m| m.alias_of.is_none());
            if !ok {
                p.push(
                    line,
                    format!("code \"{code}\""),
                    format!("alias_of `{a}` is not an official code of this file"),
                );
            }
        }
    }
    out
}
