//! The manual-evidence file: what no repository holds (terms of use, data
//! licence, brand charter, budget…), entered by hand with a link.
//!
//! The file is `archipel-evidence.toml` at the root of the assessed folder
//! (or its HEAD tree), or the file given with `--evidence`. Each entry is a
//! TOML table named after its key (the keys the grids read, see
//! `docs/assess-grids.md`):
//!
//! ```toml
//! [usage.terms_of_use]
//! status = "met"                      # met | not_met | not_applicable
//! url = "https://example.org/cgu"     # required when status is met
//! note = "Plain-language terms; no condition beyond running the service."
//! checked = 2025-03-01                # when someone looked (optional)
//! by = "Service du numérique, Ville d'Exemple"   # who looked (optional)
//!
//! [data.license]                      # an entry can give a licence:
//! license = "ODbL-1.0"                # grids then test it (open? share-alike?)
//! url = "https://www.data.gouv.fr/fr/datasets/example/"
//! ```
//!
//! `status` may be left out when `url` is given (it is then `met`) or when
//! `license` is given (the grid decides from the licence). A `met` entry
//! without a link counts as unknown: a claim without a link is no evidence.
//!
//! ```
//! use archipel_assess::evidence::{EvidenceFile, ManualStatus};
//! let f = EvidenceFile::parse("archipel-evidence.toml", r#"
//! [usage.terms_of_use]
//! url = "https://example.org/cgu"
//! [usage.sla]
//! status = "not_applicable"
//! note = "No hosted service: the software is installed by each user."
//! "#)?;
//! assert_eq!(f.get("usage.terms_of_use").unwrap().status, Some(ManualStatus::Met));
//! assert_eq!(f.entries.len(), 2);
//! # Ok::<(), archipel_assess::evidence::EvidenceError>(())
//! ```

use crate::grid::is_manual_key;
use serde::Serialize;

/// File name looked for beside the repository.
pub const EVIDENCE_FILE_NAME: &str = "archipel-evidence.toml";

/// What an entry says about its constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualStatus {
    /// The evidence exists (see the link).
    Met,
    /// Someone looked: it does not exist or does not qualify.
    NotMet,
    /// The constraint does not apply to this commons.
    NotApplicable,
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its key (`usage.terms_of_use`).
    pub key: String,
    /// Its status, when given or implied by a link.
    pub status: Option<ManualStatus>,
    /// The link (web address or path in the repository).
    pub url: Option<String>,
    /// A licence, as an SPDX expression.
    pub license: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// When it was checked.
    pub checked: Option<String>,
    /// Who checked.
    pub by: Option<String>,
    /// 1-based line of its header, 0 when unknown.
    #[serde(skip)]
    pub line: usize,
}

/// A problem in the evidence file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {item}: {reason}")]
pub struct EvidenceError {
    /// The file.
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// The entry or key.
    pub item: String,
    /// Why.
    pub reason: String,
}

/// A parsed evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EvidenceFile {
    /// Where it was read from.
    pub path: String,
    /// Its entries, in key order.
    pub entries: Vec<Entry>,
}

const FIELDS: &[&str] = &["status", "url", "license", "note", "checked", "by"];

fn header_line(text: &str, key: &str) -> usize {
    let want = format!("[{key}]");
    text.lines()
        .position(|l| {
            let l = l.trim();
            l == want || (l.starts_with(&want) && l[want.len()..].trim_start().starts_with('#'))
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}

impl EvidenceFile {
    /// Parses the text of an evidence file; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<EvidenceFile, EvidenceError> {
        let err = |line: usize, item: &str, reason: String| EvidenceError {
            file: path.to_string(),
            line,
            item: item.to_string(),
            reason,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    text.as_bytes()[..s.start.min(text.len())]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1
                })
                .unwrap_or(0);
            err(line, "file", e.message().to_string())
        })?;
        let mut entries = Vec::new();
        let mut stack: Vec<(String, &toml::Table)> = vec![(String::new(), &table)];
        while let Some((prefix, t)) = stack.pop() {
            // `[data.license]` makes `license` a table of `data`: only a
            // field holding a value marks an entry.
            let is_entry = t
                .iter()
                .any(|(k, v)| FIELDS.contains(&k.as_str()) && !v.is_table());
            if is_entry {
                let line = header_line(text, &prefix);
                let mut e = entry(&prefix, t).map_err(|(item, r)| err(line, &item, r))?;
                e.line = line;
                entries.push(e);
                continue;
            }
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    toml::Value::Table(sub) => stack.push((key, sub)),
                    _ => {
                        return Err(err(
                            header_line(text, &prefix),
                            &key,
                            "expected an entry table such as [usage.terms_of_use] with status, url, license, note, checked, by"
                                .into(),
                        ))
                    }
                }
            }
        }
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(EvidenceFile {
            path: path.to_string(),
            entries,
        })
    }

    /// Reads and parses a file.
    pub fn read(path: &std::path::Path) -> Result<EvidenceFile, EvidenceError> {
        let text = std::fs::read_to_string(path).map_err(|e| EvidenceError {
            file: path.display().to_string(),
            line: 0,
            item: "file".into(),
            reason: e.to_string(),
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// The entry with this key.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

fn string_field(t: &toml::Table, name: &str) -> Result<Option<String>, String> {
    match t.get(name) {
        None => Ok(None),
        Some(toml::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(toml::Value::Datetime(d)) if name == "checked" => Ok(Some(d.to_string())),
        Some(_) => Err(format!("`{name}` must be a string")),
    }
}

fn entry(key: &str, t: &toml::Table) -> Result<Entry, (String, String)> {
    let fail = |r: String| (key.to_string(), r);
    if !is_manual_key(key) {
        return Err(fail(
            "an entry key is `section.name` in lower case (letters, digits, _), as [usage.terms_of_use]".into(),
        ));
    }
    for k in t.keys() {
        if !FIELDS.contains(&k.as_str()) {
            return Err(fail(format!(
                "unknown field `{k}` (expected one of {})",
                FIELDS.join(", ")
            )));
        }
    }
    let status = match string_field(t, "status").map_err(fail)?.as_deref() {
        None => None,
        Some("met") => Some(ManualStatus::Met),
        Some("not_met") => Some(ManualStatus::NotMet),
        Some("not_applicable") => Some(ManualStatus::NotApplicable),
        Some(other) => {
            return Err(fail(format!(
                "status `{other}`: expected met, not_met or not_applicable"
            )));
        }
    };
    let url = string_field(t, "url").map_err(fail)?;
    if let Some(u) = &url {
        let lower = u.to_ascii_lowercase();
        if lower.contains("://") && !(lower.starts_with("https://") || lower.starts_with("http://"))
        {
            return Err(fail(format!(
                "url `{u}`: only http(s) addresses or paths in the repository"
            )));
        }
        if u.chars().any(char::is_whitespace) {
            return Err(fail(format!("url `{u}` holds spaces")));
        }
    }
    let license = match string_field(t, "license").map_err(fail)? {
        None => None,
        Some(raw) => Some(archipel_license::declared_expression(&raw).ok_or_else(|| {
            fail(format!(
                "license `{raw}` is no SPDX licence id or expression"
            ))
        })?),
    };
    let status = match (status, &url, &license) {
        (Some(s), _, _) => Some(s),
        (None, _, Some(_)) => None,
        (None, Some(_), None) => Some(ManualStatus::Met),
        (None, None, None) => {
            return Err(fail(
                "say `status` (met, not_met, not_applicable), or give `url` or `license`".into(),
            ));
        }
    };
    Ok(Entry {
        key: key.to_string(),
        status,
        url,
        license,
        note: string_field(t, "note").map_err(fail)?,
        checked: string_field(t, "checked").map_err(fail)?,
        by: string_field(t, "by").map_err(fail)?,
        line: 0,
    })
}
