//! Vocabularies: lists of keys with French and English labels.

use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::reader::{Fields, RawFile};
use crate::Lang;
use archipel_domain::EntityKind;
use std::collections::{BTreeMap, BTreeSet};

/// One entry of a vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Stable key stored in the data (`fablab`, `maintains`).
    pub key: String,
    /// French label.
    pub fr: String,
    /// English label.
    pub en: String,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    /// Per-vocabulary fields declared in the file's `extras` header
    /// (`family` for the typology, `rank` and `parent` for territory levels…).
    pub extra: BTreeMap<String, toml::Value>,
    /// Line of the term in its file.
    pub line: Option<u64>,
}

impl Term {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The description in `lang`, if written.
    pub fn description(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Fr => self.description_fr.as_deref(),
            Lang::En => self.description_en.as_deref(),
        }
    }

    /// An extra field holding a string.
    pub fn extra_str(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(|v| v.as_str())
    }

    /// An extra field holding an integer.
    pub fn extra_int(&self, name: &str) -> Option<i64> {
        self.extra.get(name).and_then(|v| v.as_integer())
    }
}

/// A named list of terms, with the source it credits.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    /// Name used in code and data (`actor_kinds`).
    pub name: String,
    /// Where the knowledge comes from (study, white paper, data·inclusion…).
    pub source: String,
    pub terms: Vec<Term>,
    /// Content file it was read from (`content/vocabularies/actor_kinds.toml`).
    pub file: String,
}

impl Vocabulary {
    /// The term with `key`.
    pub fn term(&self, key: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.key == key)
    }

    /// The keys, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|t| t.key.as_str())
    }
}

/// A relation type, with what a page needs to show it from either end and
/// which kinds of record it may link.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationType {
    pub key: String,
    /// Label read from the subject: « La Fabrique *forme* le collège ».
    pub fr: String,
    pub en: String,
    /// Label read from the object: « le collège *est formé par* La Fabrique ».
    pub inverse_fr: String,
    pub inverse_en: String,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    /// Kinds of record allowed as subject.
    pub subject_kinds: Vec<EntityKind>,
    /// Kinds of record allowed as object.
    pub object_kinds: Vec<EntityKind>,
    /// Whether the direction carries no meaning (`partner_of`).
    pub symmetric: bool,
    /// For relations that need a role (`governance_role`): the vocabulary
    /// the role key belongs to.
    pub role_vocabulary: Option<String>,
}

impl RelationType {
    /// Label seen from the subject.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// Label seen from the object.
    pub fn inverse_label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.inverse_fr,
            Lang::En => &self.inverse_en,
        }
    }

    /// Whether a relation of this type may link `subject` to `object`.
    pub fn allows(&self, subject: EntityKind, object: EntityKind) -> bool {
        self.subject_kinds.contains(&subject) && self.object_kinds.contains(&object)
    }
}

/// Vocabularies Archipel cannot work without.
pub(crate) const REQUIRED: &[&str] = &[
    "commons_kinds",
    "actor_kinds",
    "typology_families",
    "typology",
    "relation_types",
    "governance_roles",
    "territory_levels",
    "event_categories",
];

const TERM_FIELDS: &[&str] = &["key", "fr", "en", "description_fr", "description_en"];

fn key_ok(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && k.as_bytes()[0].is_ascii_lowercase()
}

/// Reads one vocabulary file; problems go to `p`.
pub(crate) fn read_vocabulary(
    file: &SourceFile,
    raw: &RawFile,
    p: &mut Problems<'_>,
) -> Option<Vocabulary> {
    let stem = file
        .rel
        .rsplit('/')
        .next()
        .unwrap_or(&file.rel)
        .trim_end_matches(".toml")
        .to_string();
    let others: Vec<&str> = raw
        .arrays_used()
        .into_iter()
        .filter(|a| *a != "term")
        .collect();
    if !others.is_empty() {
        p.push(
            None,
            "",
            format!(
                "a vocabulary holds [[term]] items only, found [[{}]]",
                others.join("]], [[")
            ),
        );
    }
    let name = match &raw.name {
        Some(n) if n == &stem => n.clone(),
        Some(n) => {
            p.push(
                None,
                "",
                format!("vocabulary name `{n}` differs from the file name `{stem}`"),
            );
            n.clone()
        }
        None => {
            p.push(None, "", "missing `name`");
            stem
        }
    };
    let source = match &raw.source {
        Some(s) if !s.trim().is_empty() => s.clone(),
        _ => {
            p.push(
                None,
                "",
                "missing `source` (every vocabulary credits its source)",
            );
            String::new()
        }
    };
    if raw.term.is_empty() {
        p.push(None, "", "vocabulary has no [[term]]");
    }
    let extras: Vec<String> = raw.extras.clone().unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut terms = Vec::new();
    for (i, spanned) in raw.term.iter().enumerate() {
        let line = Some(line_of(&file.text, spanned.span().start));
        let mut f = Fields::new(spanned.get_ref());
        let key = f.str("key").unwrap_or_default();
        let item = if key.is_empty() {
            format!("term #{}", i + 1)
        } else {
            format!("term \"{key}\"")
        };
        if key.is_empty() {
            p.push(line, &item, "missing key");
        } else if !key_ok(&key) {
            p.push(
                line,
                &item,
                "key must be lower-case ASCII letters, digits and `_`, starting with a letter",
            );
        } else if !seen.insert(key.clone()) {
            p.push(line, &item, "duplicate key");
        }
        let fr = f.req_str("fr", "French label");
        let en = f.req_str("en", "English label");
        let description_fr = f.str("description_fr");
        let description_en = f.str("description_en");
        let mut extra = BTreeMap::new();
        for x in &extras {
            if let Some(v) = f.value(x) {
                extra.insert(x.clone(), v.clone());
            }
        }
        for k in f.unknown(TERM_FIELDS) {
            let hint = if extras.is_empty() {
                String::new()
            } else {
                format!(" (this vocabulary's extra fields: {})", extras.join(", "))
            };
            p.push(line, &item, format!("unknown field `{k}`{hint}"));
        }
        for (field, reason) in f.problems {
            // "missing French label" reads better without the field name.
            if reason.starts_with("missing ") {
                p.push(line, &item, reason);
            } else {
                p.push(line, &item, format!("{field}: {reason}"));
            }
        }
        terms.push(Term {
            key,
            fr,
            en,
            description_fr,
            description_en,
            extra,
            line,
        });
    }
    Some(Vocabulary {
        name,
        source,
        terms,
        file: file.shown.clone(),
    })
}

/// Checks that hold across vocabularies (a typology's family exists, a
/// level's parent exists…) and builds the relation types.
pub(crate) fn cross_check(
    vocabs: &BTreeMap<String, Vocabulary>,
    list: &mut Vec<crate::ContentError>,
) -> BTreeMap<String, RelationType> {
    let term_line = |t: &Term| t.line;
    // typology → typology_families
    if let (Some(typ), Some(fam)) = (vocabs.get("typology"), vocabs.get("typology_families")) {
        let mut p = Problems {
            file: &typ.file,
            list,
        };
        for t in &typ.terms {
            match t.extra_str("family") {
                Some(f) if fam.term(f).is_some() => {}
                Some(f) => p.push(
                    term_line(t),
                    format!("term \"{}\"", t.key),
                    format!("family `{f}` is not a key of typology_families"),
                ),
                None => p.push(
                    term_line(t),
                    format!("term \"{}\"", t.key),
                    "missing family (a key of typology_families)",
                ),
            }
        }
    }
    // territory levels: rank and parent
    if let Some(levels) = vocabs.get("territory_levels") {
        let mut p = Problems {
            file: &levels.file,
            list,
        };
        for t in &levels.terms {
            let item = format!("term \"{}\"", t.key);
            let Some(rank) = t.extra_int("rank") else {
                p.push(term_line(t), &item, "missing integer rank");
                continue;
            };
            if let Some(parent) = t.extra_str("parent") {
                match levels.term(parent) {
                    None => p.push(
                        term_line(t),
                        &item,
                        format!("parent `{parent}` is not a territory level"),
                    ),
                    Some(pt) => {
                        if pt.extra_int("rank").is_some_and(|r| r <= rank) {
                            p.push(
                                term_line(t),
                                &item,
                                format!("parent `{parent}` must have a higher rank"),
                            );
                        }
                    }
                }
            }
        }
    }
    // actor kinds: nature
    if let Some(kinds) = vocabs.get("actor_kinds") {
        let mut p = Problems {
            file: &kinds.file,
            list,
        };
        for t in &kinds.terms {
            if let Some(n) = t.extra.get("nature") {
                let ok = n
                    .as_str()
                    .and_then(archipel_domain::Nature::parse)
                    .is_some();
                if !ok {
                    p.push(
                        term_line(t),
                        format!("term \"{}\"", t.key),
                        "nature must be \"organisation\" or \"person\"",
                    );
                }
            }
        }
    }
    // relation types
    let mut out = BTreeMap::new();
    if let Some(rel) = vocabs.get("relation_types") {
        let mut p = Problems {
            file: &rel.file,
            list,
        };
        for t in &rel.terms {
            let item = format!("term \"{}\"", t.key);
            let line = term_line(t);
            let inverse_fr = t.extra_str("inverse_fr").unwrap_or_default().to_string();
            let inverse_en = t.extra_str("inverse_en").unwrap_or_default().to_string();
            if inverse_fr.trim().is_empty() {
                p.push(line, &item, "missing French inverse label (inverse_fr)");
            }
            if inverse_en.trim().is_empty() {
                p.push(line, &item, "missing English inverse label (inverse_en)");
            }
            let mut kinds = |field: &str| -> Vec<EntityKind> {
                let mut v = Vec::new();
                match t.extra.get(field).and_then(|x| x.as_array()) {
                    None => p.push(
                        line,
                        &item,
                        format!("missing {field} (a list of territory, actor, place, commons)"),
                    ),
                    Some(arr) => {
                        for x in arr {
                            match x.as_str().map(str::parse::<EntityKind>) {
                                Some(Ok(k)) if k != EntityKind::Relation => v.push(k),
                                _ => p.push(
                                    line,
                                    &item,
                                    format!(
                                        "{field}: `{x}` is not territory, actor, place or commons"
                                    ),
                                ),
                            }
                        }
                        if arr.is_empty() {
                            p.push(line, &item, format!("{field} is empty"));
                        }
                    }
                }
                v
            };
            let subject_kinds = kinds("subject_kinds");
            let object_kinds = kinds("object_kinds");
            let symmetric = match t.extra.get("symmetric") {
                None => false,
                Some(v) => v.as_bool().unwrap_or_else(|| {
                    p.push(line, &item, "symmetric must be true or false");
                    false
                }),
            };
            let role_vocabulary = t.extra_str("role_vocabulary").map(str::to_string);
            if let Some(rv) = &role_vocabulary {
                if !vocabs.contains_key(rv) {
                    p.push(
                        line,
                        &item,
                        format!("role_vocabulary `{rv}` is not a loaded vocabulary"),
                    );
                }
            }
            out.insert(
                t.key.clone(),
                RelationType {
                    key: t.key.clone(),
                    fr: t.fr.clone(),
                    en: t.en.clone(),
                    inverse_fr,
                    inverse_en,
                    description_fr: t.description_fr.clone(),
                    description_en: t.description_en.clone(),
                    subject_kinds,
                    object_kinds,
                    symmetric,
                    role_vocabulary,
                },
            );
        }
    }
    out
}
