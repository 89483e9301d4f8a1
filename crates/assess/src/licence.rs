//! The licence section: detection (crate `archipel-license`), declared
//! licences (publiccode.yml, manifests), free and share-alike status.

use crate::keys::Fact;
use archipel_license::{Copyleft, Detection, LicenseFacts, NOASSERTION, NONE};
use serde::Serialize;

/// A licence declared by metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredLicence {
    /// Where (`publiccode.yml (legal.license)`, `package.json`…).
    pub source: String,
    /// As written.
    pub raw: String,
    /// As an SPDX expression, or `NOASSERTION`.
    pub spdx: String,
    /// Whether it names the detected licences (`None` when nothing was
    /// detected to compare with).
    pub agrees: Option<bool>,
}

/// Facts about one licence, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceFacts {
    /// SPDX id.
    pub spdx: String,
    /// Full name.
    pub name: String,
    /// OSI-approved.
    pub osi: bool,
    /// FSF free.
    pub fsf: bool,
    /// On the CRPA D323-2-1 list: `listed`, `older-version`, `not-listed`.
    pub crpa: archipel_license::CrpaStatus,
    /// Copyleft strength: `none`, `weak`, `strong`, `network`, or null when unknown.
    pub copyleft: Option<Copyleft>,
}

impl From<&LicenseFacts> for LicenceFacts {
    fn from(f: &LicenseFacts) -> Self {
        LicenceFacts {
            spdx: f.spdx.clone(),
            name: f.name.clone(),
            osi: f.osi_approved,
            fsf: f.fsf_libre,
            crpa: f.crpa,
            copyleft: f.copyleft,
        }
    }
}

/// The licence of the assessed repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceSection {
    /// SPDX expression, `NONE` or `NOASSERTION`.
    pub spdx: String,
    /// Confidence of the detection, 0 to 1.
    pub confidence: f64,
    /// Free licence (null when the licence is not recognised).
    pub free: Option<bool>,
    /// Share-alike (null when not known).
    pub share_alike: Option<bool>,
    /// Facts about each licence of the expression.
    pub licences: Vec<LicenceFacts>,
    /// What the detector looked at (file, method, spdx, score, note).
    pub evidence: Vec<archipel_license::Evidence>,
    /// What metadata declares.
    pub declared: Vec<DeclaredLicence>,
    /// The detector's notes.
    pub notes: Vec<String>,
}

fn parse(expr: &str) -> Option<spdx::Expression> {
    spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX).ok()
}

fn req_facts(req: &spdx::LicenseReq) -> Option<LicenseFacts> {
    match &req.license {
        spdx::LicenseItem::Spdx { id, .. } => archipel_license::facts(id.name),
        spdx::LicenseItem::Other(_) => None,
    }
}

/// Whether the expression can be used under free licences only.
pub(crate) fn expression_free(expr: &str) -> Fact {
    if expr == NONE {
        return Fact::Bool(false);
    }
    if expr == NOASSERTION {
        return Fact::Unknown("licence_unrecognised");
    }
    match parse(expr) {
        Some(e) => Fact::Bool(e.evaluate(|r| req_facts(r).is_some_and(|f| f.is_free()))),
        None => Fact::Unknown("licence_unrecognised"),
    }
}

/// Whether every way of using the expression keeps a copyleft of at
/// least `min` strength.
pub(crate) fn expression_copyleft(expr: &str, min: Copyleft) -> Fact {
    if expr == NONE {
        return Fact::Bool(false);
    }
    if expr == NOASSERTION {
        return Fact::Unknown("licence_unrecognised");
    }
    let Some(e) = parse(expr) else {
        return Fact::Unknown("licence_unrecognised");
    };
    // Can it be used under licences known to be weaker? Then no guarantee.
    let escape_known = e.evaluate(|r| {
        req_facts(r)
            .and_then(|f| f.copyleft)
            .is_some_and(|c| c < min)
    });
    if escape_known {
        return Fact::Bool(false);
    }
    // Could it be, were the unknown strengths weaker?
    let escape_maybe = e.evaluate(|r| {
        req_facts(r)
            .and_then(|f| f.copyleft)
            .is_none_or(|c| c < min)
    });
    if escape_maybe {
        Fact::Unknown("copyleft_unknown")
    } else {
        Fact::Bool(true)
    }
}

/// Whether the expression can be used under licences with a flag.
pub(crate) fn expression_flag(expr: &str, flag: fn(&LicenseFacts) -> bool) -> Fact {
    if expr == NONE {
        return Fact::Bool(false);
    }
    if expr == NOASSERTION {
        return Fact::Unknown("licence_unrecognised");
    }
    match parse(expr) {
        Some(e) => Fact::Bool(e.evaluate(|r| req_facts(r).is_some_and(|f| flag(&f)))),
        None => Fact::Unknown("licence_unrecognised"),
    }
}

fn as_bool(f: &Fact) -> Option<bool> {
    match f {
        Fact::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Builds the section from a detection and the publiccode.yml licence.
pub(crate) fn section(d: Detection, publiccode_license: Option<&str>) -> LicenceSection {
    let detected = d.spdx.clone();
    let comparable = detected != NONE && detected != NOASSERTION;
    let mut declared: Vec<DeclaredLicence> = Vec::new();
    if let Some(raw) = publiccode_license {
        let spdx =
            archipel_license::declared_expression(raw).unwrap_or_else(|| NOASSERTION.to_string());
        declared.push(DeclaredLicence {
            source: "publiccode.yml (legal.license)".into(),
            raw: raw.to_string(),
            spdx,
            agrees: None,
        });
    }
    for m in &d.declared {
        declared.push(DeclaredLicence {
            source: m.source.clone(),
            raw: m.raw.clone(),
            spdx: m.spdx.clone(),
            agrees: None,
        });
    }
    for dl in &mut declared {
        if comparable {
            dl.agrees = Some(archipel_license::same_licences(&dl.spdx, &detected));
        }
    }
    let licences = if comparable {
        archipel_license::expression_facts(&detected)
            .iter()
            .map(LicenceFacts::from)
            .collect()
    } else {
        Vec::new()
    };
    LicenceSection {
        free: as_bool(&expression_free(&detected)),
        share_alike: as_bool(&expression_copyleft(&detected, Copyleft::Weak)),
        spdx: detected,
        confidence: d.confidence,
        licences,
        evidence: d.evidence,
        declared,
        notes: d.notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        assert_eq!(expression_free("MIT"), Fact::Bool(true));
        assert_eq!(expression_free("NONE"), Fact::Bool(false));
        assert_eq!(
            expression_free("NOASSERTION"),
            Fact::Unknown("licence_unrecognised")
        );
        assert_eq!(
            expression_free("MIT OR LicenseRef-Proprietary"),
            Fact::Bool(true)
        );
        assert_eq!(
            expression_free("MIT AND LicenseRef-Proprietary"),
            Fact::Bool(false)
        );
        assert_eq!(
            expression_copyleft("AGPL-3.0-or-later", Copyleft::Network),
            Fact::Bool(true)
        );
        assert_eq!(
            expression_copyleft("MIT OR GPL-3.0-only", Copyleft::Weak),
            Fact::Bool(false)
        );
        assert_eq!(
            expression_copyleft("MIT AND GPL-3.0-only", Copyleft::Weak),
            Fact::Bool(true)
        );
        assert_eq!(
            expression_copyleft("MPL-2.0", Copyleft::Strong),
            Fact::Bool(false)
        );
        assert_eq!(
            expression_flag("EUPL-1.2", |f| f.osi_approved),
            Fact::Bool(true)
        );
    }
}
