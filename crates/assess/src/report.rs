//! The assessment, as plain serialisable data. Its JSON form is documented
//! in `docs/assess-json.md`; field names are stable within a
//! [`SCHEMA`] version.

use crate::docs::{Documents, Practices};
use crate::grid::{Origin, Text};
use crate::licence::LicenceSection;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Identifier of the JSON format; bumped on any incompatible change.
pub const SCHEMA: &str = "archipel-assess/1";

/// What was assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A git work tree (or a folder inside one).
    WorkTree,
    /// A bare repository.
    Bare,
    /// An `https://` URL, cloned (bare) into the cache.
    Url,
    /// A folder that is no git repository (no history).
    Folder,
}

/// The assessed target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// As given.
    pub input: String,
    /// Its kind.
    pub kind: TargetKind,
    /// The folder read (the clone's folder for a URL).
    pub path: String,
    /// The commit HEAD points to, when there is one.
    pub head: Option<String>,
    /// For a URL: whether an earlier clone was reused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_cache: Option<bool>,
}

/// One publiccode.yml finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PubliccodeFinding {
    /// `error` or `warning`.
    pub severity: String,
    /// Key path.
    pub key: String,
    /// Line (0: none).
    pub line: usize,
    /// Message, in English.
    pub message: String,
}

/// The publiccode.yml section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PubliccodeSection {
    /// A publiccode.yml (or .yaml) sits at the root.
    pub present: bool,
    /// It has no error (false when absent).
    pub valid: bool,
    /// Its path.
    pub file: Option<String>,
    /// Errors found by the validator.
    pub errors: usize,
    /// Warnings found by the validator.
    pub warnings: usize,
    /// The first findings (at most 20).
    pub findings: Vec<PubliccodeFinding>,
    /// `name`.
    pub name: Option<String>,
    /// `legal.license`.
    pub license: Option<String>,
    /// `legal.mainCopyrightOwner`.
    pub main_copyright_owner: Option<String>,
    /// `maintenance.type`.
    pub maintenance: Option<String>,
    /// `roadmap`.
    pub roadmap: Option<String>,
    /// `developmentStatus`.
    pub development_status: Option<String>,
    /// `usedBy`.
    pub used_by: Vec<String>,
    /// Documentation links (`description.*.documentation`).
    pub documentation: Vec<String>,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks the qualification as a commons.
    Error,
    /// Weakens it.
    Warning,
    /// Worth knowing.
    Info,
}

/// Something the assessor should know: a disagreement, a risk, a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable id (`license.mismatch`…), see `docs/assess-json.md`.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// English explanation.
    pub message: String,
    /// Values the message uses (for translated reports).
    pub params: BTreeMap<String, String>,
}

impl Finding {
    pub(crate) fn new(
        id: &str,
        severity: Severity,
        message: String,
        params: &[(&str, String)],
    ) -> Self {
        Finding {
            id: id.to_string(),
            severity,
            message,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }
}

/// A caveat about the assessment (missing objects, partial reading…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Stable id.
    pub id: String,
    /// English explanation.
    pub message: String,
}

impl Note {
    pub(crate) fn new(id: &str, message: impl Into<String>) -> Self {
        Note {
            id: id.to_string(),
            message: message.into(),
        }
    }
}

/// Result of a constraint or of one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Satisfied.
    Met,
    /// Not satisfied.
    NotMet,
    /// Not known (evidence missing or unreadable).
    Unknown,
    /// Does not apply to this commons (said by hand).
    NotApplicable,
}

impl Status {
    /// The snake_case key.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// One piece of evidence examined for a constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceResult {
    /// `auto` or `manual`.
    pub kind: &'static str,
    /// The key.
    pub key: String,
    /// The check as written in the grid (`history.elephant_factor>=2`).
    pub check: String,
    /// Its result.
    pub status: Status,
    /// The value found (a boolean, a number, a licence), if any.
    pub value: Option<serde_json::Value>,
    /// For manual evidence: the link given.
    pub url: Option<String>,
    /// For manual evidence: the note given.
    pub note: Option<String>,
    /// Stable code of the reason (`auto_true`, `manual_missing`…).
    pub reason: &'static str,
    /// English explanation.
    pub message: String,
}

/// One constraint of the grid, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintResult {
    /// Constraint id.
    pub id: String,
    /// Constituent key.
    pub constituent: String,
    /// Level key.
    pub level: String,
    /// Who wrote the constraint.
    pub origin: Origin,
    /// Short name.
    pub title: Text,
    /// Result.
    pub status: Status,
    /// Why, in English (for `unknown`: what is missing).
    pub why: String,
    /// The evidence examined, leaves of the check tree in order.
    pub evidence: Vec<EvidenceResult>,
}

/// Counts of constraint results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Met.
    pub met: usize,
    /// Not met.
    pub not_met: usize,
    /// Unknown.
    pub unknown: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// All.
    pub total: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, s: Status) {
        self.total += 1;
        match s {
            Status::Met => self.met += 1,
            Status::NotMet => self.not_met += 1,
            Status::Unknown => self.unknown += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }

    /// Applicable constraints (all but not applicable ones).
    pub fn applicable(&self) -> usize {
        self.total - self.not_applicable
    }

    /// Share of the applicable constraints that are met (1 when none applies).
    pub fn share(&self) -> f64 {
        match self.applicable() {
            0 => 1.0,
            n => round3(self.met as f64 / n as f64),
        }
    }
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A stage of the spectrum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRef {
    /// Stage key.
    pub key: String,
    /// Name.
    pub label: Text,
    /// Position, 1 for the lowest.
    pub rank: usize,
    /// Number of stages.
    pub of: usize,
}

/// One level's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelScore {
    /// Level key.
    pub level: String,
    /// Counts.
    pub counts: Counts,
    /// Share of applicable constraints met.
    pub share: f64,
}

/// One constituent's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstituentScore {
    /// Constituent key.
    pub key: String,
    /// Name.
    pub label: Text,
    /// The highest level whose constraints (and those of the levels
    /// below) are all met or not applicable; null when the first is not.
    pub reached: Option<String>,
    /// Counts.
    pub counts: Counts,
    /// Share of applicable constraints met.
    pub score: f64,
}

/// Where the commons stands: a stage, not a yes/no.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spectrum {
    /// The stage reached with the evidence at hand.
    pub stage: StageRef,
    /// The stage it would reach if every unknown were met.
    pub potential: StageRef,
    /// Share of applicable constraints met.
    pub score: f64,
    /// Counts over the whole grid.
    pub counts: Counts,
    /// By level.
    pub levels: Vec<LevelScore>,
    /// By constituent.
    pub constituents: Vec<ConstituentScore>,
}

/// The grid used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridRef {
    /// Id.
    pub id: String,
    /// Name.
    pub title: Text,
    /// Credit line: work, authors, version, licence.
    pub credit: String,
    /// Its levels, from the most basic.
    pub levels: Vec<crate::grid::Level>,
}

/// The manual-evidence file used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceFileRef {
    /// Where it was read.
    pub path: String,
    /// Its keys.
    pub keys: Vec<String>,
    /// Keys no known grid reads (typos?).
    pub unused: Vec<String>,
}

/// A whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The Archipel version that made it.
    pub archipel_version: &'static str,
    /// What was assessed.
    pub target: Target,
    /// Reference date (activity windows are counted back from it).
    pub assessed_at: DateTime<Utc>,
    /// Lower bound of the history analysed, when given.
    pub since: Option<DateTime<Utc>>,
    /// Licence.
    pub license: LicenceSection,
    /// publiccode.yml.
    pub publiccode: PubliccodeSection,
    /// Documents.
    pub documents: Documents,
    /// Engineering practices.
    pub repository: Practices,
    /// History; null for a folder that is no repository.
    pub history: Option<archipel_history::History>,
    /// The grid used.
    pub grid_info: GridRef,
    /// Each constraint of the grid.
    pub grid: Vec<ConstraintResult>,
    /// Place on the spectrum.
    pub spectrum: Spectrum,
    /// The manual-evidence file, if one was read.
    pub evidence_file: Option<EvidenceFileRef>,
    /// Disagreements, risks and gaps.
    pub findings: Vec<Finding>,
    /// Caveats.
    pub notes: Vec<Note>,
    /// Every automatic key's value (what the grid was evaluated on).
    pub facts: crate::keys::Facts,
}
