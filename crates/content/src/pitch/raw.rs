//! The knowledge base's files as written, read with serde (unknown keys
//! refused, items with their line).

use super::{Measure, Register};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

// ---- Raw forms, as written in the files -------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourcesFile {
    #[serde(default)]
    pub(super) source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) year: Option<i64>,
    pub(super) url: Option<String>,
    pub(super) licence: Option<String>,
    pub(super) note_fr: Option<String>,
    pub(super) note_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonasFile {
    #[serde(default)]
    pub(super) persona: Vec<Spanned<RawPersona>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPersona {
    pub(super) id: String,
    pub(super) name_fr: String,
    pub(super) name_en: String,
    pub(super) profile_fr: String,
    pub(super) profile_en: String,
    pub(super) registers: Vec<Register>,
    pub(super) objections: Vec<String>,
    pub(super) source: String,
    pub(super) locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObjectionsFile {
    #[serde(default)]
    pub(super) objection: Vec<Spanned<RawObjection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawObjection {
    pub(super) id: String,
    pub(super) text_fr: String,
    pub(super) text_en: String,
    pub(super) answers: Vec<String>,
    pub(super) source: String,
    pub(super) locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ArgumentsFile {
    #[serde(default)]
    pub(super) argument: Vec<Spanned<RawArgument>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawArgument {
    pub(super) id: String,
    pub(super) register: Register,
    pub(super) text_fr: String,
    pub(super) text_en: String,
    #[serde(default)]
    pub(super) indicators: Vec<String>,
    pub(super) source: String,
    pub(super) locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UiFile {
    #[serde(default)]
    pub(super) indicator: BTreeMap<String, Spanned<RawIndicator>>,
    #[serde(default)]
    pub(super) text: BTreeMap<String, Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndicator {
    pub(super) fr: String,
    pub(super) en: String,
    pub(super) short_fr: String,
    pub(super) short_en: String,
    #[serde(default)]
    pub(super) actor_kinds: Vec<String>,
    #[serde(default)]
    pub(super) relations: Vec<String>,
    pub(super) count: Option<Measure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawText {
    pub(super) fr: String,
    pub(super) en: String,
}
