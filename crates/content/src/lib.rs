//! Archipel's knowledge files: vocabularies, mappings and the
//! demonstration territory.
//!
//! Knowledge is kept as data, not code: TOML files under `content/` at the
//! root of the repository. They are compiled into the binary (so it works
//! anywhere) and may also be read from a directory at run time, which lets
//! a territory adjust a vocabulary or its demonstration data without
//! recompiling. Either way every file is validated when loaded, and a
//! problem names the file, the line, the item and the reason:
//!
//! ```text
//! content/vocabularies/actor_kinds.toml:113: term "fablab": missing English label
//! ```
//!
//! - `vocabularies/*.toml`: keys with French and English labels (actor
//!   kinds, the study's typology, relation types, governance roles,
//!   territory levels, commons kinds); each credits its source.
//! - `mappings/mediation-typologie.toml`: the structure typology codes of the
//!   national « lieux de médiation numérique » schema → actor kinds.
//! - `demo/*.toml`: a fictional metropole with its actors, places, commons
//!   and relations.
//! - `pitch/*.toml` and `ui/pitch.toml`: the argument sheets' personas,
//!   objections, arguments, sources and indicators ([`pitch`]).
//!
//! ```
//! use archipel_content::{Content, Lang};
//!
//! let content = Content::embedded()?;
//! assert_eq!(content.label("actor_kinds", "fablab", Lang::Fr), "Fablab");
//! assert_eq!(content.label("actor_kinds", "no_such_kind", Lang::Fr), "no_such_kind");
//! assert!(content.has_term("governance_roles", "garant"));
//!
//! let funds = content.relation_type("funds").expect("a relation type");
//! assert_eq!(funds.inverse_label(Lang::Fr), "est financé par");
//!
//! let ccas = content.mediation_typology("CCAS").expect("a known code");
//! assert_eq!(ccas.actor_kind, "public_body");
//!
//! let now = chrono::Utc::now();
//! let demo = content.demo_entities(now)?;
//! assert!(demo.iter().all(|e| &*e.provenance().source == "demo"));
//! # Ok::<(), archipel_content::ContentError>(())
//! ```

mod affiliations;
mod demo;
mod demo_support;
pub mod embedded;
mod error;
mod files;
mod mapping;
pub mod pitch;
mod reader;
mod ui;
mod vocab;

pub use demo::DEMO_SOURCE;
pub use error::ContentError;
pub use mapping::TypologyMapping;
pub use ui::UiStrings;
pub use vocab::{RelationType, Term, Vocabulary};

use archipel_domain::{Entity, Nature};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// A display language. French first. Serialised as `fr` or `en`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

/// A text in French and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

impl Lang {
    /// `fr` or `en` (also accepts `fr-FR`, `en_GB`…).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "fr" || s.starts_with("fr-") || s.starts_with("fr_") {
            Some(Lang::Fr)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The other language (for a language switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// A count with the language's thousands separator: a narrow no-break
    /// space in French (`1 234`), a comma in English (`1,234`).
    pub fn number(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Lang::Fr => "\u{202f}",
            Lang::En => ",",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }
}

/// The loaded and validated content.
#[derive(Debug, Clone)]
pub struct Content {
    vocabularies: BTreeMap<String, Vocabulary>,
    relation_types: BTreeMap<String, RelationType>,
    mediation: mapping::MediationMapping,
    demo: Vec<demo::DemoRecord>,
    demo_actions: Vec<archipel_domain::Action>,
    pitch: pitch::Pitch,
}

impl Content {
    /// The content compiled into the binary.
    pub fn embedded() -> Result<Content, ContentError> {
        Content::from_files(files::embedded())
    }

    /// The content read from `dir` (a directory laid out like `content/`:
    /// `vocabularies/`, `mappings/`, `demo/`). A file missing from `dir` is
    /// taken from the embedded copy; extra `*.toml` files under
    /// `vocabularies/` and `demo/` are loaded as further vocabularies and
    /// demonstration records.
    pub fn load_dir(dir: &Path) -> Result<Content, ContentError> {
        Content::from_files(files::from_dir(dir)?)
    }

    fn from_files(sources: Vec<files::SourceFile>) -> Result<Content, ContentError> {
        let mut problems: Vec<ContentError> = Vec::new();
        let mut parsed = Vec::new();
        for f in &sources {
            if pitch::FILES.contains(&f.rel.as_str())
                || f.rel == affiliations::FILE
                || f.rel == demo_support::FILE
            {
                continue; // read in their own formats below
            }
            match reader::parse(f) {
                Ok(raw) => parsed.push((f, raw)),
                Err(e) => problems.push(e),
            }
        }

        // 1. Vocabularies.
        let mut vocabularies = BTreeMap::new();
        for (f, raw) in &parsed {
            if !f.rel.starts_with("vocabularies/") {
                continue;
            }
            let mut p = error::Problems {
                file: &f.shown,
                list: &mut problems,
            };
            if let Some(v) = vocab::read_vocabulary(f, raw, &mut p) {
                if vocabularies.contains_key(&v.name) {
                    p.push(
                        None,
                        "",
                        format!("vocabulary `{}` is defined twice", v.name),
                    );
                } else {
                    vocabularies.insert(v.name.clone(), v);
                }
            }
        }
        for name in vocab::REQUIRED {
            if !vocabularies.contains_key(*name) {
                problems.push(ContentError::new(
                    format!("content/vocabularies/{name}.toml"),
                    None,
                    "",
                    "required vocabulary is missing",
                ));
            }
        }
        let relation_types = vocab::cross_check(&vocabularies, &mut problems);

        // 2. Mappings.
        let mut mediation = mapping::MediationMapping::default();
        for (f, raw) in &parsed {
            if f.rel == "mappings/mediation-typologie.toml" {
                let mut p = error::Problems {
                    file: &f.shown,
                    list: &mut problems,
                };
                mediation = mapping::read_mapping(f, raw, &vocabularies, &mut p);
            }
        }

        // 3. Demonstration records.
        let mut records = Vec::new();
        for (f, raw) in &parsed {
            if !f.rel.starts_with("demo/") {
                continue;
            }
            let mut p = error::Problems {
                file: &f.shown,
                list: &mut problems,
            };
            demo::read_demo_file(f, raw, &mut p, &mut records);
        }
        let mut demo_actions = Vec::new();
        for f in sources.iter().filter(|f| f.rel == demo_support::FILE) {
            let mut p = error::Problems {
                file: &f.shown,
                list: &mut problems,
            };
            let actions = demo_support::read(f, &mut p);
            let ids: std::collections::BTreeSet<String> = records
                .iter()
                .map(|r| r.entity.id().as_str().to_string())
                .collect();
            demo_support::check_links(&actions, &ids, &vocabularies, &mut p);
            demo_actions.extend(actions);
        }
        // 4. The argument sheets' knowledge base.
        let pitch = pitch::read(&sources, &vocabularies, &mut problems);
        // 5. The affiliation table's actor kinds.
        for f in sources.iter().filter(|f| f.rel == affiliations::FILE) {
            affiliations::check(f, &vocabularies, &mut problems);
        }

        let mut content = Content {
            vocabularies,
            relation_types,
            mediation,
            demo: Vec::new(),
            demo_actions,
            pitch,
        };
        demo::validate(&content, &records, &mut problems);
        content.demo = records;

        match ContentError::from_list(problems) {
            Some(e) => Err(e),
            None => Ok(content),
        }
    }

    /// The knowledge base of the argument sheets: personas, objections,
    /// arguments, sources, indicator labels (see [`pitch`]).
    pub fn pitch(&self) -> &pitch::Pitch {
        &self.pitch
    }

    /// The vocabulary called `name` (`actor_kinds`, `typology`…).
    pub fn vocabulary(&self, name: &str) -> Option<&Vocabulary> {
        self.vocabularies.get(name)
    }

    /// All vocabularies, by name.
    pub fn vocabularies(&self) -> impl Iterator<Item = &Vocabulary> {
        self.vocabularies.values()
    }

    /// Whether `key` is a term of `vocabulary`.
    pub fn has_term(&self, vocabulary: &str, key: &str) -> bool {
        self.term(vocabulary, key).is_some()
    }

    /// The term `key` of `vocabulary`.
    pub fn term(&self, vocabulary: &str, key: &str) -> Option<&Term> {
        self.vocabularies.get(vocabulary)?.term(key)
    }

    /// The label of `key` in `lang`, or the key itself when the vocabulary
    /// or the term is unknown (so a page never shows an empty label).
    pub fn label(&self, vocabulary: &str, key: &str, lang: Lang) -> String {
        match self.term(vocabulary, key) {
            Some(t) => t.label(lang).to_string(),
            None => key.to_string(),
        }
    }

    /// The relation type `key`, with its inverse labels and allowed kinds.
    pub fn relation_type(&self, key: &str) -> Option<&RelationType> {
        self.relation_types.get(key)
    }

    /// All relation types, by key.
    pub fn relation_types(&self) -> impl Iterator<Item = &RelationType> {
        self.relation_types.values()
    }

    /// What a `typologie` code of the médiation numérique schema means:
    /// actor kind and, when implied, typology and family. Codes are matched
    /// exactly first, then ignoring case and surrounding spaces.
    pub fn mediation_typology(&self, code: &str) -> Option<&TypologyMapping> {
        if let Some(m) = self.mediation.by_code.get(code) {
            return Some(m);
        }
        let wanted = code.trim();
        self.mediation
            .by_code
            .values()
            .find(|m| m.code.eq_ignore_ascii_case(wanted))
    }

    /// All mapped codes, sorted by code.
    pub fn mediation_typologies(&self) -> impl Iterator<Item = &TypologyMapping> {
        self.mediation.by_code.values()
    }

    /// Where the médiation typology mapping comes from.
    pub fn mediation_source(&self) -> &str {
        &self.mediation.source
    }

    /// Every demonstration record, stamped as created and updated at `now`.
    /// Provenance: source `demo`, file `content/demo/<file>.toml`, line of
    /// the item. The records were validated when the content was loaded.
    pub fn demo_entities(&self, now: DateTime<Utc>) -> Result<Vec<Entity>, ContentError> {
        let mut out = Vec::with_capacity(self.demo.len());
        for r in &self.demo {
            let mut e = r.entity.clone();
            let p = e.provenance_mut();
            p.created_at = now;
            p.updated_at = now;
            out.push(e);
        }
        Ok(out)
    }

    /// The demonstration territory's public action (calls first, then
    /// grants, in file order), stamped as created and updated at `now`;
    /// provenance as for [`Content::demo_entities`]. Validated when the
    /// content was loaded.
    pub fn demo_actions(&self, now: DateTime<Utc>) -> Vec<archipel_domain::Action> {
        let mut out = self.demo_actions.clone();
        for a in &mut out {
            let p = a.provenance_mut();
            p.created_at = now;
            p.updated_at = now;
        }
        out
    }

    /// Checks an entity before it enters the registry: every value against
    /// the rule for its type (`archipel_domain::value_problems`: text
    /// without control characters or unpaired bidirectional controls,
    /// links, e-mail addresses), then its vocabulary keys
    /// ([`Content::check_vocabulary`]). Returns `(field, reason)` pairs;
    /// empty when all is well.
    pub fn check_entity(&self, e: &Entity) -> Vec<(String, String)> {
        let mut out = archipel_domain::value_problems(e);
        out.extend(self.check_vocabulary(e));
        out
    }

    /// Checks the vocabulary keys an entity uses: actor kind and typology,
    /// commons kind, territory level, relation type, allowed subject and
    /// object kinds for that type, governance role. Only for a caller that
    /// has applied the value rules already (an importer that checked each
    /// cell the record is made of); otherwise use [`Content::check_entity`].
    pub fn check_vocabulary(&self, e: &Entity) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let unknown = |out: &mut Vec<(String, String)>, field: &str, vocab: &str, key: &str| {
            if !self.has_term(vocab, key) {
                out.push((
                    field.to_string(),
                    format!(
                        "{} is not a key of the {vocab} vocabulary",
                        archipel_domain::echo(key)
                    ),
                ));
            }
        };
        match e {
            Entity::Territory(t) => unknown(&mut out, "level", "territory_levels", &t.level),
            Entity::Actor(a) => {
                if let Some(k) = &a.kind {
                    unknown(&mut out, "kind", "actor_kinds", k);
                    let kind_nature = self
                        .term("actor_kinds", k)
                        .and_then(|t| t.extra_str("nature"))
                        .and_then(Nature::parse)
                        .unwrap_or(Nature::Organisation);
                    if self.has_term("actor_kinds", k) && kind_nature != a.nature {
                        out.push((
                            "kind".to_string(),
                            format!(
                                "kind `{k}` is for {}s, but the actor is a {}",
                                kind_nature.as_str(),
                                a.nature.as_str()
                            ),
                        ));
                    }
                }
                for t in &a.typology {
                    unknown(&mut out, "typology", "typology", t);
                }
            }
            Entity::Place(_) => {}
            Entity::Commons(c) => unknown(&mut out, "kind", "commons_kinds", &c.kind),
            Entity::Relation(r) => match self.relation_type(&r.kind) {
                None => out.push((
                    "kind".to_string(),
                    format!(
                        "{} is not a key of the relation_types vocabulary",
                        archipel_domain::echo(&r.kind)
                    ),
                )),
                Some(rt) => {
                    let (s, o) = (r.subject.kind(), r.object.kind());
                    if !rt.subject_kinds.contains(&s) {
                        out.push((
                            "subject".to_string(),
                            format!(
                                "a `{}` relation cannot start from a {s} (allowed: {})",
                                r.kind,
                                join_kinds(&rt.subject_kinds)
                            ),
                        ));
                    }
                    if !rt.object_kinds.contains(&o) {
                        out.push((
                            "object".to_string(),
                            format!(
                                "a `{}` relation cannot point at a {o} (allowed: {})",
                                r.kind,
                                join_kinds(&rt.object_kinds)
                            ),
                        ));
                    }
                    match (&rt.role_vocabulary, &r.role) {
                        (Some(v), Some(role)) => unknown(&mut out, "role", v, role),
                        (Some(v), None) => out.push((
                            "role".to_string(),
                            format!("a `{}` relation needs a role (a key of {v})", r.kind),
                        )),
                        (None, Some(role)) => out.push((
                            "role".to_string(),
                            format!(
                                "a `{}` relation takes no role (found {})",
                                r.kind,
                                archipel_domain::echo(role)
                            ),
                        )),
                        (None, None) => {}
                    }
                    if let (Some(since), Some(until)) = (r.since, r.until) {
                        if until < since {
                            out.push((
                                "until".to_string(),
                                format!("{until} is before since ({since})"),
                            ));
                        }
                    }
                    if r.subject == r.object {
                        out.push((
                            "object".to_string(),
                            "a relation cannot link a record to itself".to_string(),
                        ));
                    }
                }
            },
        }
        out
    }

    /// Checks a public action record before it enters the registry: its
    /// values (`archipel_domain::action_problems`), then its vocabulary
    /// keys — an event's category (`event_categories`) and the actor
    /// kinds (`actor_kinds`) and typology keys (`typology`) of its
    /// attendance. Returns `(field, reason)` pairs.
    pub fn check_action(&self, a: &archipel_domain::Action) -> Vec<(String, String)> {
        let mut out = archipel_domain::action_problems(a);
        out.extend(action_vocabulary(&self.vocabularies, a));
        out
    }
}

/// The vocabulary keys a public action record uses that `vocabularies`
/// does not hold (see [`Content::check_action`]).
pub(crate) fn action_vocabulary(
    vocabularies: &BTreeMap<String, Vocabulary>,
    a: &archipel_domain::Action,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let archipel_domain::Action::Event(e) = a {
        let mut unknown = |field: String, vocab: &str, key: &str| {
            if vocabularies.get(vocab).and_then(|v| v.term(key)).is_none() {
                out.push((
                    field,
                    format!(
                        "{} is not a key of the {vocab} vocabulary",
                        archipel_domain::echo(key)
                    ),
                ));
            }
        };
        unknown("category".into(), "event_categories", &e.category);
        if let Some(at) = &e.attendance {
            for k in at.by_actor_kind.keys() {
                unknown(format!("attendance.by_actor_kind.{k}"), "actor_kinds", k);
            }
            for k in at.by_typology.keys() {
                unknown(format!("attendance.by_typology.{k}"), "typology", k);
            }
        }
    }
    out
}

fn join_kinds(kinds: &[archipel_domain::EntityKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
