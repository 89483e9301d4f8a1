//! Which files make up the content, and where their text comes from.

use crate::ContentError;
use std::path::Path;

/// A content file: its name relative to the content directory, the name
/// shown in messages, and its text.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Relative name, always with `/`: `vocabularies/actor_kinds.toml`.
    pub rel: String,
    /// Name shown in errors: `content/vocabularies/actor_kinds.toml` when
    /// embedded, the path on disk otherwise.
    pub shown: String,
    pub text: String,
}

impl SourceFile {
    /// The stable name recorded in provenance: `content/` + relative name.
    pub fn logical(&self) -> String {
        format!("content/{}", self.rel)
    }
}

macro_rules! embed {
    ($($rel:literal),* $(,)?) => {
        &[$(($rel, include_str!(concat!("../../../content/", $rel)))),*]
    };
}

/// The files compiled into the binary, in loading order.
pub(crate) const EMBEDDED: &[(&str, &str)] = embed!(
    "vocabularies/commons_kinds.toml",
    "vocabularies/actor_kinds.toml",
    "vocabularies/typology_families.toml",
    "vocabularies/typology.toml",
    "vocabularies/relation_types.toml",
    "vocabularies/governance_roles.toml",
    "vocabularies/territory_levels.toml",
    "vocabularies/event_categories.toml",
    "mappings/mediation-typologie.toml",
    "demo/territories.toml",
    "demo/actors.toml",
    "demo/places.toml",
    "demo/commons.toml",
    "demo/relations.toml",
    "demo/support.toml",
    "pitch/sources.toml",
    "pitch/personas.toml",
    "pitch/objections.toml",
    "pitch/arguments.toml",
    "ui/pitch.toml",
    "affiliations/domains.toml",
);

pub(crate) fn embedded() -> Vec<SourceFile> {
    EMBEDDED
        .iter()
        .map(|(rel, text)| SourceFile {
            rel: (*rel).to_string(),
            shown: format!("content/{rel}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Reads the content files from `dir`. Each known file is read from `dir`
/// when present there, and taken from the embedded copy otherwise, so a
/// directory may override only some files. Extra `*.toml` files under
/// `dir/vocabularies/` and `dir/demo/` are loaded too (a territory's own
/// vocabularies, more demonstration records).
pub(crate) fn from_dir(dir: &Path) -> Result<Vec<SourceFile>, ContentError> {
    let shown_dir = dir.display().to_string();
    if !dir.is_dir() {
        return Err(ContentError::new(
            shown_dir,
            None,
            "",
            "not a directory (expected a content directory holding vocabularies/, mappings/, demo/)",
        ));
    }
    let mut out = Vec::new();
    for (rel, text) in EMBEDDED {
        let path = dir.join(rel);
        if path.exists() {
            out.push(read(&path, rel)?);
        } else {
            out.push(SourceFile {
                rel: (*rel).to_string(),
                shown: format!("content/{rel}"),
                text: (*text).to_string(),
            });
        }
    }
    for sub in ["vocabularies", "demo"] {
        let folder = dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut extra: Vec<String> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{sub}/{name}");
            if name.ends_with(".toml") && !EMBEDDED.iter().any(|(r, _)| *r == rel) {
                extra.push(rel);
            }
        }
        extra.sort();
        for rel in extra {
            out.push(read(&dir.join(&rel), &rel)?);
        }
    }
    Ok(out)
}

fn read(path: &Path, rel: &str) -> Result<SourceFile, ContentError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(SourceFile {
            rel: rel.to_string(),
            shown,
            text,
        }),
        Err(e) => Err(ContentError::new(
            shown,
            None,
            "",
            format!("cannot read: {e}"),
        )),
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    let upto = text.get(..end).unwrap_or(text);
    upto.bytes().filter(|b| *b == b'\n').count() as u64 + 1
}
