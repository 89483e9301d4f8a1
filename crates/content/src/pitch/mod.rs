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

use crate::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod raw;
mod read;
pub(crate) use read::read;

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
    SupportCommons = "support_commons",
    SupportAssociations = "support_associations",
    NonCompetitiveCalls = "non_competitive_calls",
    FirstTimeApplicants = "first_time_applicants",
    Trainings = "trainings",
    AgentsTrained = "agents_trained",
    Events = "events",
    HardwareLent = "hardware_lent",
    CommonsHosted = "commons_hosted",
    DedicatedPosts = "dedicated_posts",
    SharedCommons = "shared_commons",
    Islands = "islands",
    CentralPerson = "central_person",
    InnerCore = "inner_core",
    Newcomers = "newcomers",
    KindDiversity = "kind_diversity",
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

    /// Whether the indicator's definition names actor kinds: those it
    /// counts, or (`support_associations`) the kinds of beneficiary that
    /// are associations.
    pub fn takes_actor_kinds(self) -> bool {
        self.counts_actor_kinds() || self == Indicator::SupportAssociations
    }

    /// Whether the indicator is a figure of the territory's network
    /// (`archipel-network`, as `archipel network` and the dashboard give
    /// it) rather than a count of records.
    pub fn from_network(self) -> bool {
        matches!(
            self,
            Indicator::SharedCommons
                | Indicator::Islands
                | Indicator::CentralPerson
                | Indicator::InnerCore
                | Indicator::Newcomers
                | Indicator::KindDiversity
        )
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
    /// Actor kinds counted (`public_actors`), or taken for associations
    /// (`support_associations`).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_round_trips() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.as_str()), Some(*i));
        }
        assert_eq!(Indicator::ALL.len(), 29);
    }
}
