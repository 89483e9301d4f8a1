//! The knowledge base of the argument sheets (`content/pitch/`) and the
//! sheet's own strings and indicator definitions (`content/ui/pitch.toml`).
//!
//! - `sources.toml`: `[[source]]` — the works every item credits;
//! - `personas.toml`: `[[persona]]` — who the listener is, the registers
//!   that reach them (best first) and the objections they raise (in order);
//! - `objections.toml`: `[[objection]]` — what they say, and the arguments
//!   that answer it (best first);
//! - `arguments.toml`: `[[argument]]` — what to answer, in a register
//!   (political, technical, economic), with the registry indicators that
//!   back it.
//!
//! Items are read with unknown keys refused; ids match `^[a-z][a-z0-9-]*$`
//! and are unique per file. Every reference must resolve, no objection may
//! go unanswered, and every objection and argument must be reachable from
//! a persona (an orphan is nearly always a misspelt id on the other side,
//! and would never reach a sheet). Sources nobody cites are allowed: the
//! file doubles as a bibliography.
//!
//! Indicators are owned by the code ([`Indicator`]): each needs a function
//! that computes it. Their labels, and which vocabulary keys the counting
//! ones count (public actor kinds, relation types), are data in
//! `content/ui/pitch.toml`, checked against the vocabularies.

use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::vocab::Vocabulary;
use crate::{ContentError, Lang};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// How an argument speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    /// To elected officials and the public: general interest, visibility.
    Political,
    /// To technicians and IT directors: quality, control, interoperability.
    Technical,
    /// Costs, pooling, value, funding.
    Economic,
}

impl Register {
    /// Every register, in the order of the documentation.
    pub const ALL: [Register; 3] = [Register::Political, Register::Technical, Register::Economic];

    /// `political`, `technical` or `economic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Register::Political => "political",
            Register::Technical => "technical",
            Register::Economic => "economic",
        }
    }

    /// Parses the key (also the French names: `politique`, `technique`,
    /// `economique`/`économique`).
    pub fn parse(s: &str) -> Option<Register> {
        match s.trim().to_lowercase().as_str() {
            "political" | "politique" => Some(Register::Political),
            "technical" | "technique" => Some(Register::Technical),
            "economic" | "economique" | "économique" => Some(Register::Economic),
            _ => None,
        }
    }
}

macro_rules! indicators {
    ($($variant:ident = $key:literal),* $(,)?) => {
        /// A figure of the registry that an argument can lean on. The code
        /// owns this list: each indicator is computed by `archipel-pitch`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Indicator { $($variant),* }

        impl Indicator {
            /// Every indicator, in the order sheets show them.
            pub const ALL: &'static [Indicator] = &[$(Indicator::$variant),*];

            /// The key (`actors_total`).
            pub fn as_str(self) -> &'static str {
                match self { $(Indicator::$variant => $key),* }
            }

            /// The indicator with this key.
            pub fn parse(s: &str) -> Option<Indicator> {
                match s { $($key => Some(Indicator::$variant),)* _ => None }
            }
        }
    };
}

indicators! {
    ActorsTotal = "actors_total",
    ActorsByKind = "actors_by_kind",
    PublicActors = "public_actors",
    PlacesTotal = "places_total",
    CommonsUsed = "commons_used",
    CommonsMaintained = "commons_maintained",
    CommonsFunded = "commons_funded",
    RelationsTotal = "relations_total",
    GovernanceRoles = "governance_roles",
    CommonsUsers = "commons_users",
    CommonsContributors = "commons_contributors",
    CommonsLicence = "commons_licence",
    ContributorDiversity = "contributor_diversity",
}

/// What a relation-based indicator counts among the relations of its types
/// that go from the territory's actors to commons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Distinct commons at the end of such relations.
    Commons,
    /// Distinct organisations (actors that are no person) holding one.
    Organisations,
    /// The relations themselves.
    Relations,
}

impl Indicator {
    /// Whether the indicator counts relations of given types (and so needs
    /// `relations` and `count` in its definition).
    pub fn counts_relations(self) -> bool {
        matches!(
            self,
            Indicator::CommonsUsed
                | Indicator::CommonsMaintained
                | Indicator::CommonsFunded
                | Indicator::GovernanceRoles
                | Indicator::CommonsUsers
                | Indicator::CommonsContributors
        )
    }

    /// Whether the indicator counts actors of given kinds.
    pub fn counts_actor_kinds(self) -> bool {
        self == Indicator::PublicActors
    }
}

/// An indicator's labels and, for the counting ones, what it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDef {
    pub indicator: Indicator,
    pub fr: String,
    pub en: String,
    /// Brief forms, after a number (« 17 communs utilisés »).
    pub short_fr: String,
    pub short_en: String,
    /// Actor kinds counted (`public_actors`).
    pub actor_kinds: Vec<String>,
    /// Relation types counted (relation-based indicators).
    pub relations: Vec<String>,
    /// What is counted among those relations.
    pub measure: Option<Measure>,
}

impl IndicatorDef {
    pub fn label(&self, lang: Lang) -> &str {
        pick(lang, &self.fr, &self.en)
    }
    pub fn short(&self, lang: Lang) -> &str {
        pick(lang, &self.short_fr, &self.short_en)
    }
}

/// A work the knowledge base draws on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    /// Year of the work; `None` for an undated one (a web page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
    #[serde(skip)]
    pub line: Option<u64>,
}

impl Source {
    /// Title (year), the way a sheet credits it; `undated` stands for a
    /// missing year (« s. d. », "n.d.").
    pub fn credit(&self, undated: &str) -> String {
        match self.year {
            Some(y) => format!("{} ({y})", self.title),
            None => format!("{} ({undated})", self.title),
        }
    }
}

/// Someone a sheet is written for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persona {
    pub id: String,
    pub name_fr: String,
    pub name_en: String,
    pub profile_fr: String,
    pub profile_en: String,
    /// Registers that reach this person, best first.
    pub registers: Vec<Register>,
    /// Objections they are likely to raise, in the order to prepare them.
    pub objections: Vec<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    #[serde(skip)]
    pub line: Option<u64>,
}

impl Persona {
    pub fn name(&self, lang: Lang) -> &str {
        pick(lang, &self.name_fr, &self.name_en)
    }
    pub fn profile(&self, lang: Lang) -> &str {
        pick(lang, &self.profile_fr, &self.profile_en)
    }
    /// The register to use when none is asked for: the first listed.
    pub fn default_register(&self) -> Register {
        self.registers
            .first()
            .copied()
            .unwrap_or(Register::Political)
    }
}

/// What a listener may say against digital commons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objection {
    pub id: String,
    pub text_fr: String,
    pub text_en: String,
    /// Arguments that answer it, best first (at least one).
    pub answers: Vec<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    #[serde(skip)]
    pub line: Option<u64>,
}

impl Objection {
    pub fn text(&self, lang: Lang) -> &str {
        pick(lang, &self.text_fr, &self.text_en)
    }
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Argument {
    pub id: String,
    pub register: Register,
    pub text_fr: String,
    pub text_en: String,
    /// Registry figures that back it.
    pub indicators: Vec<Indicator>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    #[serde(skip)]
    pub line: Option<u64>,
}

impl Argument {
    pub fn text(&self, lang: Lang) -> &str {
        pick(lang, &self.text_fr, &self.text_en)
    }
}

fn pick<'a>(lang: Lang, fr: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The loaded and validated knowledge base of the argument sheets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pitch {
    pub sources: Vec<Source>,
    pub personas: Vec<Persona>,
    pub objections: Vec<Objection>,
    pub arguments: Vec<Argument>,
    /// Indicator definitions, in [`Indicator::ALL`] order.
    pub indicators: Vec<IndicatorDef>,
    /// The sheet's headings and phrases, by key: (French, English).
    pub texts: BTreeMap<String, (String, String)>,
}

impl Pitch {
    pub fn persona(&self, id: &str) -> Option<&Persona> {
        self.personas.iter().find(|p| p.id == id)
    }
    pub fn objection(&self, id: &str) -> Option<&Objection> {
        self.objections.iter().find(|o| o.id == id)
    }
    pub fn argument(&self, id: &str) -> Option<&Argument> {
        self.arguments.iter().find(|a| a.id == id)
    }
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
    pub fn indicator(&self, i: Indicator) -> Option<&IndicatorDef> {
        self.indicators.iter().find(|d| d.indicator == i)
    }
    /// The label of an indicator (its key when undefined).
    pub fn indicator_label(&self, i: Indicator, lang: Lang) -> &str {
        self.indicator(i)
            .map(|d| d.label(lang))
            .unwrap_or(i.as_str())
    }
    /// A heading or phrase of the sheet (the key itself when missing, so a
    /// gap shows instead of breaking a sheet; a test checks none is).
    pub fn text<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        match self.texts.get(key) {
            Some((fr, en)) => pick(lang, fr, en),
            None => key,
        }
    }
}

/// The files of the knowledge base, relative to the content directory.
pub(crate) const FILES: &[&str] = &[
    "pitch/sources.toml",
    "pitch/personas.toml",
    "pitch/objections.toml",
    "pitch/arguments.toml",
    "ui/pitch.toml",
];

// ---- Raw forms, as written in the files -------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    title: String,
    year: Option<i64>,
    url: Option<String>,
    licence: Option<String>,
    note_fr: Option<String>,
    note_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonasFile {
    #[serde(default)]
    persona: Vec<Spanned<RawPersona>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPersona {
    id: String,
    name_fr: String,
    name_en: String,
    profile_fr: String,
    profile_en: String,
    registers: Vec<Register>,
    objections: Vec<String>,
    source: String,
    locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectionsFile {
    #[serde(default)]
    objection: Vec<Spanned<RawObjection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjection {
    id: String,
    text_fr: String,
    text_en: String,
    answers: Vec<String>,
    source: String,
    locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArgumentsFile {
    #[serde(default)]
    argument: Vec<Spanned<RawArgument>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArgument {
    id: String,
    register: Register,
    text_fr: String,
    text_en: String,
    #[serde(default)]
    indicators: Vec<String>,
    source: String,
    locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UiFile {
    #[serde(default)]
    indicator: BTreeMap<String, Spanned<RawIndicator>>,
    #[serde(default)]
    text: BTreeMap<String, Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    fr: String,
    en: String,
    short_fr: String,
    short_en: String,
    #[serde(default)]
    actor_kinds: Vec<String>,
    #[serde(default)]
    relations: Vec<String>,
    count: Option<Measure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    fr: String,
    en: String,
}

// ---- Reading ------------------------------------------------------------

/// The item around byte `offset`: the nearest `[[array]]` header above it
/// and the `id` written under that header, as `persona "elu"`.
fn item_at(text: &str, offset: usize) -> String {
    // Two bytes on, so that an offset at a header's `[[` finds that header.
    let upto = text.get(..(offset + 2).min(text.len())).unwrap_or(text);
    let Some(start) = upto
        .rfind("\n[[")
        .map(|i| i + 1)
        .or_else(|| upto.starts_with("[[").then_some(0))
    else {
        return String::new();
    };
    let block = &text[start..];
    let kind = block
        .get(2..)
        .and_then(|b| b.split("]]").next())
        .unwrap_or("")
        .trim();
    let end = block[2..].find("\n[").map(|i| i + 2).unwrap_or(block.len());
    let id = block[..end].lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "id").then(|| v.trim().trim_matches('"').to_string())
    });
    match id {
        Some(id) => format!("{kind} \"{id}\""),
        None => kind.to_string(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    f: &SourceFile,
    problems: &mut Vec<ContentError>,
) -> Option<T> {
    match toml::from_str::<T>(&f.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let (line, item) = match e.span() {
                Some(s) => (Some(line_of(&f.text, s.start)), item_at(&f.text, s.start)),
                None => (None, String::new()),
            };
            problems.push(ContentError::new(
                &f.shown,
                line,
                item,
                format!("not valid: {}", e.message().trim()),
            ));
            None
        }
    }
}

fn id_ok(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks the id's syntax and uniqueness in its file.
fn check_id(
    p: &mut Problems<'_>,
    seen: &mut BTreeSet<String>,
    what: &str,
    id: &str,
    line: Option<u64>,
) {
    if !id_ok(id) {
        p.push(
            line,
            format!("{what} \"{id}\""),
            "id must match ^[a-z][a-z0-9-]*$",
        );
    }
    if !seen.insert(id.to_string()) {
        p.push(
            line,
            format!("{what} \"{id}\""),
            "id is used twice in this file",
        );
    }
}

fn require_text(p: &mut Problems<'_>, item: &str, line: Option<u64>, field: &str, value: &str) {
    if value.trim().is_empty() {
        p.push(line, item, format!("{field} is empty"));
    }
}

/// Reads `rel` as `T`: `None` when the file is absent (reported by the
/// caller) or invalid (reported here, and noted in `broken`).
fn load<'f, T: serde::de::DeserializeOwned>(
    files: &'f [SourceFile],
    rel: &'static str,
    problems: &mut Vec<ContentError>,
    broken: &mut BTreeSet<&'static str>,
) -> Option<(&'f SourceFile, T)> {
    let f = files.iter().find(|f| f.rel == rel)?;
    match parse::<T>(f, problems) {
        Some(v) => Some((f, v)),
        None => {
            broken.insert(rel);
            None
        }
    }
}

/// Reads and cross-checks the knowledge base. `files` holds every content
/// file; those of [`FILES`] are read here. Problems go to `problems`.
pub(crate) fn read(
    files: &[SourceFile],
    vocabularies: &BTreeMap<String, Vocabulary>,
    problems: &mut Vec<ContentError>,
) -> Pitch {
    let mut pitch = Pitch::default();
    let find = |rel: &str| files.iter().find(|f| f.rel == rel);
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    for rel in FILES {
        match find(rel) {
            Some(f) => {
                shown.insert(rel, f.shown.clone());
            }
            None => problems.push(ContentError::new(
                format!("content/{rel}"),
                None,
                "",
                "required file is missing",
            )),
        }
    }
    let name = |rel: &str| {
        shown
            .get(rel)
            .cloned()
            .unwrap_or_else(|| format!("content/{rel}"))
    };
    // Files that could not be read: references into them are not checked
    // (every one would fail, hiding the real problem).
    let mut broken: BTreeSet<&str> = BTreeSet::new();

    // Sources.
    if let Some((f, raw)) = load::<SourcesFile>(files, "pitch/sources.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for s in raw.source {
            let line = Some(line_of(&f.text, s.span().start));
            let s = s.into_inner();
            check_id(&mut p, &mut seen, "source", &s.id, line);
            let item = format!("source \"{}\"", s.id);
            require_text(&mut p, &item, line, "title", &s.title);
            pitch.sources.push(Source {
                id: s.id,
                title: s.title,
                year: s.year,
                url: s.url,
                licence: s.licence,
                note_fr: s.note_fr,
                note_en: s.note_en,
                line,
            });
        }
    }

    // Personas.
    if let Some((f, raw)) =
        load::<PersonasFile>(files, "pitch/personas.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.persona {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "persona", &r.id, line);
            let item = format!("persona \"{}\"", r.id);
            for (field, v) in [
                ("name_fr", &r.name_fr),
                ("name_en", &r.name_en),
                ("profile_fr", &r.profile_fr),
                ("profile_en", &r.profile_en),
            ] {
                require_text(&mut p, &item, line, field, v);
            }
            if r.registers.is_empty() {
                p.push(
                    line,
                    &item,
                    "registers is empty (list at least one, best first)",
                );
            }
            let mut regs = BTreeSet::new();
            for g in &r.registers {
                if !regs.insert(*g) {
                    p.push(
                        line,
                        &item,
                        format!("register `{}` is listed twice", g.as_str()),
                    );
                }
            }
            if r.objections.is_empty() {
                p.push(line, &item, "objections is empty");
            }
            pitch.personas.push(Persona {
                id: r.id,
                name_fr: r.name_fr,
                name_en: r.name_en,
                profile_fr: r.profile_fr,
                profile_en: r.profile_en,
                registers: r.registers,
                objections: r.objections,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Objections.
    if let Some((f, raw)) =
        load::<ObjectionsFile>(files, "pitch/objections.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.objection {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "objection", &r.id, line);
            let item = format!("objection \"{}\"", r.id);
            require_text(&mut p, &item, line, "text_fr", &r.text_fr);
            require_text(&mut p, &item, line, "text_en", &r.text_en);
            if r.answers.is_empty() {
                p.push(
                    line,
                    &item,
                    "no answer: list at least one argument in `answers`",
                );
            }
            pitch.objections.push(Objection {
                id: r.id,
                text_fr: r.text_fr,
                text_en: r.text_en,
                answers: r.answers,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Arguments.
    if let Some((f, raw)) =
        load::<ArgumentsFile>(files, "pitch/arguments.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.argument {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "argument", &r.id, line);
            let item = format!("argument \"{}\"", r.id);
            require_text(&mut p, &item, line, "text_fr", &r.text_fr);
            require_text(&mut p, &item, line, "text_en", &r.text_en);
            let mut indicators = Vec::new();
            for key in &r.indicators {
                match Indicator::parse(key) {
                    Some(i) => indicators.push(i),
                    None => p.push(
                        line,
                        &item,
                        format!(
                            "unknown indicator `{key}` (known: {})",
                            Indicator::ALL
                                .iter()
                                .map(|i| i.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
            pitch.arguments.push(Argument {
                id: r.id,
                register: r.register,
                text_fr: r.text_fr,
                text_en: r.text_en,
                indicators,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Indicators and texts.
    if let Some(f) = find("ui/pitch.toml") {
        if let Some(raw) = parse::<UiFile>(f, problems) {
            let mut p = Problems {
                file: &f.shown,
                list: problems,
            };
            read_ui(raw, f, vocabularies, &mut p, &mut pitch);
        }
    }

    if broken.is_empty() {
        cross_check(&pitch, &name, problems);
    }
    pitch
}

fn read_ui(
    raw: UiFile,
    f: &SourceFile,
    vocabularies: &BTreeMap<String, Vocabulary>,
    p: &mut Problems<'_>,
    pitch: &mut Pitch,
) {
    let has = |vocab: &str, key: &str| {
        vocabularies
            .get(vocab)
            .is_some_and(|v| v.term(key).is_some())
    };
    for key in raw.indicator.keys() {
        if Indicator::parse(key).is_none() {
            let line = raw
                .indicator
                .get(key)
                .map(|s| line_of(&f.text, s.span().start));
            p.push(
                line,
                format!("indicator \"{key}\""),
                "unknown indicator (the list is owned by the code: archipel_content::pitch::Indicator)",
            );
        }
    }
    for &i in Indicator::ALL {
        let item = format!("indicator \"{}\"", i.as_str());
        let Some(spanned) = raw.indicator.get(i.as_str()) else {
            p.push(
                None,
                &item,
                "missing: every indicator needs French and English labels",
            );
            continue;
        };
        let line = Some(line_of(&f.text, spanned.span().start));
        let d = spanned.get_ref();
        require_text(p, &item, line, "fr", &d.fr);
        require_text(p, &item, line, "en", &d.en);
        require_text(p, &item, line, "short_fr", &d.short_fr);
        require_text(p, &item, line, "short_en", &d.short_en);
        if i.counts_actor_kinds() {
            if d.actor_kinds.is_empty() {
                p.push(
                    line,
                    &item,
                    "needs `actor_kinds` (the actor kinds it counts)",
                );
            }
            for k in &d.actor_kinds {
                if !has("actor_kinds", k) {
                    p.push(
                        line,
                        &item,
                        format!("`{k}` is not a key of the actor_kinds vocabulary"),
                    );
                }
            }
        } else if !d.actor_kinds.is_empty() {
            p.push(line, &item, "takes no `actor_kinds`");
        }
        if i.counts_relations() {
            if d.relations.is_empty() || d.count.is_none() {
                p.push(
                    line,
                    &item,
                    "needs `relations` (relation types from an actor to a commons) and `count` (commons, organisations or relations)",
                );
            }
            for k in &d.relations {
                if !has("relation_types", k) {
                    p.push(
                        line,
                        &item,
                        format!("`{k}` is not a key of the relation_types vocabulary"),
                    );
                }
            }
        } else if !d.relations.is_empty() || d.count.is_some() {
            p.push(line, &item, "takes no `relations` nor `count`");
        }
        pitch.indicators.push(IndicatorDef {
            indicator: i,
            fr: d.fr.clone(),
            en: d.en.clone(),
            short_fr: d.short_fr.clone(),
            short_en: d.short_en.clone(),
            actor_kinds: d.actor_kinds.clone(),
            relations: d.relations.clone(),
            measure: d.count,
        });
    }
    for (key, t) in raw.text {
        let line = Some(line_of(&f.text, t.span().start));
        let t = t.into_inner();
        let item = format!("text \"{key}\"");
        require_text(p, &item, line, "fr", &t.fr);
        require_text(p, &item, line, "en", &t.en);
        pitch.texts.insert(key, (t.fr, t.en));
    }
}

/// References between files: persona → objections, objection → arguments,
/// anything → source; and reachability of objections and arguments.
fn cross_check(pitch: &Pitch, name: &dyn Fn(&str) -> String, problems: &mut Vec<ContentError>) {
    let sources: BTreeSet<&str> = pitch.sources.iter().map(|s| s.id.as_str()).collect();
    let objections: BTreeSet<&str> = pitch.objections.iter().map(|o| o.id.as_str()).collect();
    let arguments: BTreeSet<&str> = pitch.arguments.iter().map(|a| a.id.as_str()).collect();
    let mut push = |file: &str, line: Option<u64>, item: String, reason: String| {
        problems.push(ContentError::new(name(file), line, item, reason));
    };
    let source_ok = |s: &str| sources.contains(s);

    let mut raised: BTreeSet<&str> = BTreeSet::new();
    for pe in &pitch.personas {
        let item = format!("persona \"{}\"", pe.id);
        for o in &pe.objections {
            if objections.contains(o.as_str()) {
                raised.insert(o);
            } else {
                push(
                    "pitch/personas.toml",
                    pe.line,
                    item.clone(),
                    format!("objection `{o}` is not in objections.toml"),
                );
            }
        }
        if !source_ok(&pe.source) {
            push(
                "pitch/personas.toml",
                pe.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", pe.source),
            );
        }
    }
    let mut answered: BTreeSet<&str> = BTreeSet::new();
    for o in &pitch.objections {
        let item = format!("objection \"{}\"", o.id);
        for a in &o.answers {
            if arguments.contains(a.as_str()) {
                answered.insert(a);
            } else {
                push(
                    "pitch/objections.toml",
                    o.line,
                    item.clone(),
                    format!("argument `{a}` is not in arguments.toml"),
                );
            }
        }
        if !source_ok(&o.source) {
            push(
                "pitch/objections.toml",
                o.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", o.source),
            );
        }
        if !raised.contains(o.id.as_str()) && !pitch.personas.is_empty() {
            push("pitch/objections.toml", o.line, item, "no persona raises this objection (add it to a persona's `objections`, or remove it)".into());
        }
    }
    for a in &pitch.arguments {
        let item = format!("argument \"{}\"", a.id);
        if !source_ok(&a.source) {
            push(
                "pitch/arguments.toml",
                a.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", a.source),
            );
        }
        if !answered.contains(a.id.as_str()) && !pitch.objections.is_empty() {
            push(
                "pitch/arguments.toml",
                a.line,
                item,
                "no objection lists this argument in its `answers` (add it, or remove it)".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_at_names_the_enclosing_item() {
        let text =
            "# c\n[[persona]]\nid = \"elu\"\nname_fr = \"x\"\nbad = 1\n\n[[persona]]\nid = \"b\"\n";
        let at = text.find("bad").unwrap();
        assert_eq!(item_at(text, at), "persona \"elu\"");
        assert_eq!(item_at(text, 2), "");
    }

    #[test]
    fn ids() {
        assert!(id_ok("elu"));
        assert!(id_ok("technicien-dsi2"));
        assert!(!id_ok("Elu"));
        assert!(!id_ok("2a"));
        assert!(!id_ok("a_b"));
        assert!(!id_ok(""));
    }

    #[test]
    fn every_indicator_round_trips() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.as_str()), Some(*i));
        }
        assert_eq!(Indicator::ALL.len(), 13);
    }
}
