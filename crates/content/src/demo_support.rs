//! The demonstration territory's public action read from
//! `content/demo/support.toml`, in the JSON form of
//! [`archipel_domain::Action`] written as TOML (`[[call]]`, `[[grant]]`,
//! `[[application]]`, `[[hardware]]`, `[[hosting]]`, `[[event]]`,
//! `[[post]]`; dates as quoted `YYYY-MM-DD` strings, times as `HH:MM:SS`,
//! amounts in cents). Each record is checked like an imported one
//! ([`archipel_domain::action_problems`] and the vocabularies), and
//! everything it points at must be a demonstration record.

use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::Vocabulary;
use crate::DEMO_SOURCE;
use archipel_domain::{Action, ActionId, Provenance};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// The file, relative to the content directory.
pub(crate) const FILE: &str = "demo/support.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    call: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    grant: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    application: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    hardware: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    hosting: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    event: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    post: Vec<Spanned<toml::Table>>,
}

/// Reads the file; problems name the file, line and record. Calls come
/// first, then grants, then applications, so that what a record points at
/// is written before it.
pub(crate) fn read(f: &SourceFile, p: &mut Problems<'_>) -> Vec<Action> {
    let raw: Raw = match toml::from_str(&f.text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(&f.text, s.start));
            p.push(line, "", e.message().to_string());
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let kinds = [
        ("call", raw.call),
        ("grant", raw.grant),
        ("application", raw.application),
        ("hardware", raw.hardware),
        ("hosting", raw.hosting),
        ("event", raw.event),
        ("post", raw.post),
    ];
    for (kind, items) in kinds {
        for (i, spanned) in items.into_iter().enumerate() {
            let line = line_of(&f.text, spanned.span().start);
            let mut table = spanned.into_inner();
            let item = match table.get("id").and_then(|v| v.as_str()) {
                Some(id) => format!("{kind} \"{id}\""),
                None => format!("{kind} #{}", i + 1),
            };
            let prov =
                Provenance::new(DEMO_SOURCE, DateTime::<Utc>::UNIX_EPOCH).at(f.logical(), line);
            let prov = match toml::Value::try_from(&prov) {
                Ok(v) => v,
                Err(e) => {
                    p.push(Some(line), &item, e.to_string());
                    continue;
                }
            };
            if table.contains_key("type") || table.contains_key("provenance") {
                p.push(
                    Some(line),
                    &item,
                    "`type` and `provenance` are set by the loader",
                );
                continue;
            }
            table.insert("type".into(), toml::Value::String(kind.into()));
            table.insert("provenance".into(), prov);
            match toml::Value::Table(table).try_into::<Action>() {
                Ok(a) => {
                    for (field, reason) in archipel_domain::action_problems(&a) {
                        p.push(Some(line), &item, format!("{field}: {reason}"));
                    }
                    out.push(a);
                }
                Err(e) => p.push(Some(line), &item, e.message().to_string()),
            }
        }
    }
    out
}

/// Checks that every record a demonstration action points at is a
/// demonstration record (`entities`), that a grant's or an application's
/// call (and an application's grant) is a demonstration record, that
/// vocabulary keys are known, and that no id is used twice.
pub(crate) fn check_links(
    actions: &[Action],
    entities: &BTreeSet<String>,
    vocabularies: &BTreeMap<String, Vocabulary>,
    p: &mut Problems<'_>,
) {
    let mut seen: BTreeSet<&ActionId> = BTreeSet::new();
    for a in actions {
        let line = a.provenance().line;
        let item = format!("{} \"{}\"", a.kind(), a.id());
        if !seen.insert(a.id()) {
            p.push(line, &item, "this id is used twice");
        }
        for (field, target) in a.references() {
            if !entities.contains(target.as_str()) {
                p.push(
                    line,
                    &item,
                    format!("{field}: `{target}` is not a demonstration record"),
                );
            }
        }
        for (field, target) in a.action_references() {
            if !actions.iter().any(|c| c.id() == target) {
                p.push(
                    line,
                    &item,
                    format!("{field}: `{target}` is not a demonstration {field}"),
                );
            }
        }
        for (field, reason) in crate::action_vocabulary(vocabularies, a) {
            p.push(line, &item, format!("{field}: {reason}"));
        }
    }
}
