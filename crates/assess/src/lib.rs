//! Qualify a digital commons from its repository.
//!
//! [`assess`] takes a target — a work tree (or a folder inside one), a bare
//! repository, a plain folder, or an `https://` URL cloned into a cache —
//! and gathers the evidence a territory needs before it funds, adopts or
//! contributes:
//!
//! - the **licence** (crate `archipel-license`): SPDX id, confidence,
//!   evidence, what metadata declares (publiccode.yml `legal.license`,
//!   manifests) and whether it agrees, free and share-alike status;
//! - **publiccode.yml** (crate `archipel-publiccode`): present, valid;
//! - **documents**: README, CONTRIBUTING, GOVERNANCE, CODE_OF_CONDUCT,
//!   SECURITY, CHANGELOG, AUTHORS, roadmap, installation and deployment
//!   documents, in the usual places and French names, or as README sections;
//! - the **history** (crate `archipel-history`, gitoxide): commits, authors
//!   after `.mailmap`, contributor absence factor, organisations and their
//!   kinds, elephant factor, activity — walked on its own thread while the
//!   rest is read.
//!
//! It then evaluates a **grid** kept as data (`content/grids/`: the white
//! paper « Construire des communs numériques » by default, the Standard for
//! Public Code, the DPG Standard) — each constraint met, not met, unknown or
//! not applicable, with why — reads the **manual evidence** that no
//! repository holds ([`evidence`]), and places the commons on a
//! **spectrum** of named stages. [`render`] prints the result as text (for
//! a terminal and a non-developer, French by default), Markdown or a
//! self-contained HTML page; the [`Assessment`] itself serialises to the
//! stable JSON documented in `docs/assess-json.md`.
//!
//! ```
//! use archipel_assess::{assess, render, Format, Lang, Options};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("README.md"), "# Démo\n\n## Installation\n\n`make`\n")?;
//! std::fs::write(dir.path().join("CONTRIBUTING.md"), "Proposez vos modifications par merge request.\n")?;
//! std::fs::write(dir.path().join("LICENSE"), "SPDX-License-Identifier: EUPL-1.2\n\nLicensed under the EUPL-1.2.\n")?;
//!
//! let now = chrono::DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z")?.to_utc();
//! let options = Options::new(now)?;
//! let a = assess(dir.path().to_str().unwrap(), &options)?;
//! assert!(a.documents.readme && a.documents.contributing && a.documents.install);
//! assert!(a.history.is_none()); // a plain folder has no history
//! let licence = a.grid.iter().find(|c| c.id == "code_source.licence_libre").unwrap();
//! println!("{:?} {}", licence.status, licence.why);
//! println!("{}", a.spectrum.stage.label.fr);
//!
//! let text = render(&a, Format::Text, Lang::Fr);
//! assert!(text.contains("Licence"));
//! let json = serde_json::to_value(&a)?;
//! assert_eq!(json["documents"]["readme"], true);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod docs;
mod evaluate;
pub mod evidence;
mod gather;
pub mod grid;
pub mod keys;
mod licence;
mod render;
mod report;
pub mod ui;

/// Re-exported: the affiliation table and clone limits of [`Options`].
pub use archipel_history::{Affiliations, CloneOptions};
pub use docs::{Documents, Practices};
pub use evaluate::{evaluate, spectrum};
pub use evidence::{EvidenceError, EvidenceFile};
pub use grid::{Grid, GridError, Grids, Lang, Text, DEFAULT_GRID};
pub use licence::{DeclaredLicence, LicenceFacts, LicenceSection};
pub use render::{render, Format};
pub use report::*;

use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// What can stop an assessment. Anything short of these becomes a note
/// or a finding in the report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target cannot be assessed (missing, not a folder, refused URL…).
    #[error("{0}")]
    Target(String),
    /// Opening or cloning the repository failed.
    #[error(transparent)]
    Repository(#[from] archipel_history::Error),
    /// A grid file is invalid.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The requested grid does not exist.
    #[error("unknown grid `{name}` (available: {available})")]
    UnknownGrid {
        /// The name asked for.
        name: String,
        /// The ids of the known grids.
        available: String,
    },
    /// The evidence file is invalid.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// Reading or writing a file failed (the system's error is the
    /// source).
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The licence could not be detected (a file could not be read).
    #[error(transparent)]
    License(#[from] archipel_license::DetectError),
}

/// How to assess.
#[derive(Debug, Clone)]
pub struct Options {
    /// Reference date: activity windows count back from it. The command
    /// passes the current time; tests pass a fixed date.
    pub now: DateTime<Utc>,
    /// Only count history from this date on.
    pub since: Option<DateTime<Utc>>,
    /// Id of the grid to evaluate.
    pub grid: String,
    /// The grids known.
    pub grids: Grids,
    /// An evidence file to read instead of `archipel-evidence.toml` at the
    /// root of the target.
    pub evidence: Option<PathBuf>,
    /// E-mail domain → organisation table.
    pub affiliations: archipel_history::Affiliations,
    /// Where `https://` URLs are cloned.
    pub cache_dir: PathBuf,
    /// Size and time limits of a clone.
    pub clone: archipel_history::CloneOptions,
}

impl Options {
    /// Built-in grids and affiliation table, the default grid, the default
    /// cache folder ([`default_cache_dir`]), default clone limits.
    pub fn new(now: DateTime<Utc>) -> Result<Options, Error> {
        Ok(Options {
            now,
            since: None,
            grid: DEFAULT_GRID.to_string(),
            grids: Grids::builtin()?,
            evidence: None,
            affiliations: archipel_history::Affiliations::builtin()?,
            cache_dir: default_cache_dir(),
            clone: archipel_history::CloneOptions::default(),
        })
    }
}

/// `$ARCHIPEL_CACHE/repos`, else `$XDG_CACHE_HOME/archipel/repos`, else
/// `~/.cache/archipel/repos`, else a folder in the system's temporary folder.
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env("ARCHIPEL_CACHE") {
        return p.join("repos");
    }
    if let Some(p) = env("XDG_CACHE_HOME") {
        return p.join("archipel").join("repos");
    }
    if let Some(p) = env("HOME") {
        return p.join(".cache").join("archipel").join("repos");
    }
    std::env::temp_dir().join("archipel-cache").join("repos")
}

/// Assesses `target` (a path or an `https://` URL). See the crate
/// documentation.
pub fn assess(target: &str, options: &Options) -> Result<Assessment, Error> {
    let grid = options
        .grids
        .get(&options.grid)
        .ok_or_else(|| Error::UnknownGrid {
            name: options.grid.clone(),
            available: options
                .grids
                .all()
                .iter()
                .map(|g| g.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let resolved = gather::resolve(target, options)?;
    let repo_path = resolved.repo.as_ref().map(|r| r.path().to_path_buf());

    // The history walk is the long part: run it beside the file reading.
    let (files, history) = std::thread::scope(|s| {
        let walker = repo_path
            .as_deref()
            .map(|p| s.spawn(move || gather::history(p, options)));
        let files = gather::files(&resolved, options);
        let history = walker.map(|h| match h.join() {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err("the history walk stopped unexpectedly".to_string()),
        });
        (files, history)
    });
    let files = files?;
    let mut notes = files.notes.clone();
    let history = match history {
        None => {
            notes.push(Note::new(
                "no_repository",
                "The target is no git repository: the history (authors, organisations, activity) is not known.",
            ));
            None
        }
        Some(Ok(h)) => Some(h),
        Some(Err(e)) => {
            notes.push(Note::new(
                "history_failed",
                format!("The history could not be read: {e}"),
            ));
            None
        }
    };
    if let Some(h) = &history {
        notes.extend(h.notes.iter().map(|n| Note::new(&n.id, n.message.clone())));
    }

    let facts = gather::facts(&files, history.as_ref(), &resolved.target.kind);
    let mut findings = gather::findings(&files, history.as_ref());
    let results = evaluate(grid, &facts, files.evidence.as_ref());
    let spectrum = spectrum(grid, &results);

    let evidence_file = files.evidence.as_ref().map(|f| {
        let known = options.grids.manual_keys();
        let keys: Vec<String> = f.entries.iter().map(|e| e.key.clone()).collect();
        let unused: Vec<String> = keys
            .iter()
            .filter(|k| !known.contains(*k))
            .cloned()
            .collect();
        for k in &unused {
            findings.push(Finding::new(
                "evidence.unused_key",
                Severity::Warning,
                format!("{}: no grid reads [{k}] (a typo?)", f.path),
                &[("key", k.clone()), ("file", f.path.clone())],
            ));
        }
        EvidenceFileRef {
            path: f.path.clone(),
            keys,
            unused,
        }
    });
    for r in &results {
        for e in &r.evidence {
            if e.reason == "manual_without_link"
                && !findings
                    .iter()
                    .any(|f| f.id == "evidence.no_link" && f.params.get("key") == Some(&e.key))
            {
                findings.push(Finding::new(
                    "evidence.no_link",
                    Severity::Warning,
                    format!("[{}] says met but gives no link: add url = \"…\"", e.key),
                    &[("key", e.key.clone())],
                ));
            }
        }
    }
    findings.sort_by_key(|f| f.severity);

    Ok(Assessment {
        schema: SCHEMA,
        archipel_version: env!("CARGO_PKG_VERSION"),
        target: resolved.target,
        assessed_at: options.now,
        since: options.since,
        license: files.license,
        publiccode: files.publiccode,
        documents: files.documents,
        repository: files.practices,
        history,
        grid_info: GridRef {
            id: grid.id.clone(),
            title: grid.title.clone(),
            credit: format!(
                "{} — {}, {} ({})",
                grid.credit.work, grid.credit.authors, grid.credit.version, grid.credit.license
            ),
            levels: grid.levels.clone(),
        },
        grid: results,
        spectrum,
        evidence_file,
        findings,
        notes,
        facts,
    })
}
