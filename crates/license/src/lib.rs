//! Licence detection for Archipel.
//!
//! [`detect`] tells the licence of a folder (a work tree or any folder) as
//! an SPDX expression, with a confidence and the evidence behind it:
//!
//! 1. **Licence files** at the root (`LICENSE`, `LICENCE`, `COPYING`,
//!    `UNLICENSE`, `COPYRIGHT`, `PATENTS`, with any extension or suffix such
//!    as `LICENSE-MIT`, `COPYING.LESSER`) and the REUSE `LICENSES/` folder.
//!    Each text is normalised after the SPDX matching guidelines and
//!    compared with every licence text of the SPDX list (Sørensen–Dice
//!    similarity of word bigrams, see [`matcher`]). A short file that
//!    matches no text but names a licence ("Licensed under the Apache
//!    License, Version 2.0") counts as naming it. A file holding only a
//!    copyright notice is no licence.
//! 2. Without licence files: **package manifests** (Cargo.toml,
//!    package.json, composer.json, pyproject.toml, setup.py, setup.cfg,
//!    pom.xml, *.gemspec), then **SPDX-License-Identifier headers**, then
//!    the **README** (a licence section holding a licence text or naming
//!    one).
//!
//! The answer is [`NONE`] when nothing states a licence and
//! [`NOASSERTION`] when a licence file matches no known licence closely
//! enough (a modified licence, a licence plus extra clauses), or when
//! licence files hold different licences and nothing says how they combine.
//!
//! Manifests are also returned as [`Declared`] entries so that a caller
//! can compare what metadata declares with what the files say
//! ([`Detection::disagreements`]). [`facts`] gives what is known about a
//! licence: OSI and FSF flags from the SPDX list, standing on the French
//! list of article D323-2-1 of the CRPA, copyleft strength (the last two
//! kept as data under `content/licenses/`).
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("LICENSE"), "Copyright (c) 2024 Ville de Brest\n\n\
//! Permission is hereby granted, free of charge, to any person obtaining a copy of this \
//! software and associated documentation files (the \"Software\"), to deal in the Software \
//! without restriction, including without limitation the rights to use, copy, modify, merge, \
//! publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons \
//! to whom the Software is furnished to do so, subject to the following conditions:\n\n\
//! The above copyright notice and this permission notice shall be included in all copies or \
//! substantial portions of the Software.\n\n\
//! THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, \
//! INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR \
//! PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE \
//! FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR \
//! OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER \
//! DEALINGS IN THE SOFTWARE.\n")?;
//! std::fs::write(dir.path().join("package.json"), r#"{"license": "Apache-2.0"}"#)?;
//!
//! let d = archipel_license::detect(dir.path())?;
//! assert_eq!(d.spdx, "MIT");
//! assert!(d.confidence > 0.95);
//! assert_eq!(d.evidence[0].file, "LICENSE");
//! assert_eq!(d.declared[0].spdx, "Apache-2.0");
//! assert_eq!(d.disagreements().len(), 1); // package.json says otherwise
//!
//! let mit = archipel_license::facts("MIT").unwrap();
//! assert!(mit.osi_approved && mit.is_free());
//! assert_eq!(mit.crpa, archipel_license::CrpaStatus::Listed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod data;
mod detect;
mod facts;
mod files;
mod headers;
mod manifests;
pub mod matcher;
mod names;
pub mod normalize;
mod readme;
pub mod report;

pub use data::{
    licence_data, Copyleft, CrpaFamily, CrpaKind, CrpaList, CrpaScope, CrpaSource, DataError,
    LicenceData,
};
pub use facts::{expression_facts, facts, CrpaStatus, LicenseFacts};
pub use files::is_license_file_name;
pub use manifests::Declared;
pub use names::{canonical_expression, declared_expression, id_from_name, licence_bases};

use serde::Serialize;
use std::path::{Path, PathBuf};

/// The answer when nothing states a licence.
pub const NONE: &str = "NONE";
/// The answer when a licence exists but is no known one (or several
/// licences combine in an unknown way).
pub const NOASSERTION: &str = "NOASSERTION";

/// How a piece of evidence was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// A licence file's text compared with the SPDX licence texts.
    LicenseText,
    /// A short licence file naming a licence.
    LicenseReference,
    /// A file of the REUSE `LICENSES/` folder, known by its name (its
    /// text matching nothing closely enough).
    ReuseFileName,
    /// A file holding only a copyright notice (no licence).
    CopyrightNotice,
    /// A package manifest field.
    Manifest,
    /// `SPDX-License-Identifier:` headers.
    SpdxHeader,
    /// A README licence section holding a licence text.
    ReadmeText,
    /// A README naming a licence.
    ReadmeReference,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The file, relative to the folder (`/`-separated).
    pub file: String,
    /// How it was read.
    pub method: Method,
    /// What it says: an SPDX expression, [`NONE`] or [`NOASSERTION`].
    pub spdx: String,
    /// How strongly: the text similarity for texts, the share of files
    /// for headers, a fixed weight for names and manifests; 0 to 1.
    pub score: f64,
    /// Anything worth knowing (closest licence of an unknown text…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Evidence {
    fn new(file: &str, method: Method, spdx: &str, score: f64, note: Option<String>) -> Self {
        Evidence {
            file: file.to_string(),
            method,
            spdx: spdx.to_string(),
            score: round3(score),
            note,
        }
    }
}

/// The licence of a folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// SPDX expression, [`NONE`] or [`NOASSERTION`].
    pub spdx: String,
    /// How sure the detector is of `spdx`, 0 to 1.
    pub confidence: f64,
    /// Everything looked at that says something, licence files first.
    pub evidence: Vec<Evidence>,
    /// Licences declared by package manifests.
    pub declared: Vec<Declared>,
    /// How the answer was reached, and anything odd met on the way.
    pub notes: Vec<String>,
}

impl Detection {
    fn new(
        spdx: String,
        confidence: f64,
        evidence: Vec<Evidence>,
        declared: Vec<Declared>,
        notes: Vec<String>,
    ) -> Self {
        Detection {
            spdx,
            confidence: round3(confidence),
            evidence,
            declared,
            notes,
        }
    }

    /// Facts about each licence of the detected expression.
    pub fn facts(&self) -> Vec<LicenseFacts> {
        expression_facts(&self.spdx)
    }

    /// Declarations that name other licences than the detected ones
    /// (`-only`/`-or-later` variants count as the same licence). A
    /// declaration that is no SPDX expression disagrees with any licence;
    /// none disagree with a [`NONE`] or [`NOASSERTION`] detection.
    pub fn disagreements(&self) -> Vec<&Declared> {
        if self.spdx == NONE || self.spdx == NOASSERTION {
            return Vec::new();
        }
        self.declared
            .iter()
            .filter(|d| !same_licences(&d.spdx, &self.spdx))
            .collect()
    }
}

/// Whether two SPDX expressions name the same licences, `-only` and
/// `-or-later` variants counting as one.
///
/// ```
/// assert!(archipel_license::same_licences("GPL-3.0-or-later", "GPL-3.0-only"));
/// assert!(archipel_license::same_licences("MIT OR Apache-2.0", "Apache-2.0 OR MIT"));
/// assert!(!archipel_license::same_licences("MIT", "Apache-2.0"));
/// ```
pub fn same_licences(a: &str, b: &str) -> bool {
    let (x, y) = (licence_bases(a), licence_bases(b));
    !x.is_empty() && x == y
}

/// Why a folder could not be examined.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The path is not a folder.
    #[error("{0}: not a folder")]
    NotADirectory(PathBuf),
    /// The path cannot be read.
    #[error("cannot read {path}")]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

/// Detects the licence of the folder `root` (see the crate documentation
/// for the method). Fails only when `root` is no readable folder; files
/// that cannot be read are skipped and named in [`Detection::notes`].
pub fn detect(root: &Path) -> Result<Detection, DetectError> {
    detect::detect(root)
}
