//! What is known about a licence: SPDX flags (OSI approval, FSF free
//! licence), the French CRPA D323-2-1 list, copyleft strength.

use crate::data::{licence_data, Copyleft, CrpaKind, CrpaScope};
use serde::Serialize;

/// Standing of a licence on the list of article D323-2-1 of the CRPA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrpaStatus {
    /// A version in force of a listed family.
    Listed,
    /// An earlier version of a listed family: named by the article's
    /// wording, absent from the versions the administration publishes.
    OlderVersion,
    /// Not on the list.
    NotListed,
}

/// Facts about one licence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenseFacts {
    /// SPDX id.
    pub spdx: String,
    /// Full name from the SPDX list.
    pub name: String,
    /// Approved by the Open Source Initiative (SPDX flag).
    pub osi_approved: bool,
    /// Free licence for the Free Software Foundation (SPDX flag).
    pub fsf_libre: bool,
    /// Deprecated id on the SPDX list.
    pub deprecated: bool,
    /// Standing on the CRPA D323-2-1 list.
    pub crpa: CrpaStatus,
    /// The CRPA family it belongs to, if any.
    pub crpa_family: Option<String>,
    /// Data or software licence, for the CRPA list.
    pub crpa_scope: Option<CrpaScope>,
    /// Permissive or reciprocal, for the CRPA list.
    pub crpa_kind: Option<CrpaKind>,
    /// Copyleft strength, when the data knows it.
    pub copyleft: Option<Copyleft>,
}

impl LicenseFacts {
    /// A free licence by at least one authority: OSI, FSF, or a version in
    /// force on the CRPA list.
    pub fn is_free(&self) -> bool {
        self.osi_approved || self.fsf_libre || self.crpa == CrpaStatus::Listed
    }

    /// Whether the licence has a share-alike clause (weak or stronger).
    pub fn is_copyleft(&self) -> Option<bool> {
        self.copyleft.map(|c| c != Copyleft::None)
    }
}

/// Facts about one SPDX licence id (`None` for ids not on the SPDX list).
///
/// ```
/// let f = archipel_license::facts("EUPL-1.2").unwrap();
/// assert!(f.osi_approved && f.fsf_libre);
/// assert_eq!(f.crpa, archipel_license::CrpaStatus::Listed);
/// assert_eq!(f.copyleft, Some(archipel_license::Copyleft::Network));
/// ```
pub fn facts(id: &str) -> Option<LicenseFacts> {
    if id == crate::NONE || id == crate::NOASSERTION {
        return None;
    }
    let lic = spdx::license_id(id)?;
    let data = licence_data();
    let mut crpa = CrpaStatus::NotListed;
    let mut family = None;
    for fam in &data.crpa.family {
        if fam.spdx.iter().any(|s| s == lic.name) {
            crpa = CrpaStatus::Listed;
        } else if fam.older.iter().any(|s| s == lic.name) {
            crpa = CrpaStatus::OlderVersion;
        } else {
            continue;
        }
        family = Some(fam);
        break;
    }
    let copyleft = data.copyleft.get(lic.name).copied().or_else(|| {
        // Deprecated GNU ids (`GPL-3.0`) share the strength of `-only`.
        data.copyleft.get(&format!("{}-only", lic.name)).copied()
    });
    Some(LicenseFacts {
        spdx: lic.name.to_string(),
        name: lic.full_name.to_string(),
        osi_approved: lic.is_osi_approved(),
        fsf_libre: lic.is_fsf_free_libre(),
        deprecated: lic.is_deprecated(),
        crpa,
        crpa_family: family.map(|f| f.name.clone()),
        crpa_scope: family.map(|f| f.scope),
        crpa_kind: family.map(|f| f.kind),
        copyleft,
    })
}

/// Facts about each SPDX licence of an expression (`MIT OR Apache-2.0`),
/// in order, each once. `LicenseRef-` and unknown ids are skipped.
pub fn expression_facts(expr: &str) -> Vec<LicenseFacts> {
    let Ok(e) = spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) else {
        return Vec::new();
    };
    let mut out: Vec<LicenseFacts> = Vec::new();
    for r in e.requirements() {
        if let spdx::LicenseItem::Spdx { id, .. } = &r.req.license {
            if out.iter().any(|f| f.spdx == id.name) {
                continue;
            }
            if let Some(f) = facts(id.name) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_lists() {
        let mit = facts("MIT").expect("MIT");
        assert!(mit.osi_approved && mit.fsf_libre && mit.is_free());
        assert_eq!(mit.crpa, CrpaStatus::Listed);
        assert_eq!(mit.copyleft, Some(Copyleft::None));

        let etalab = facts("etalab-2.0").expect("etalab");
        assert_eq!(etalab.crpa, CrpaStatus::Listed);
        assert_eq!(etalab.crpa_scope, Some(CrpaScope::Data));

        let gpl2 = facts("GPL-2.0-only").expect("GPL-2.0");
        assert_eq!(gpl2.crpa, CrpaStatus::OlderVersion);
        assert_eq!(gpl2.copyleft, Some(Copyleft::Strong));

        let cecill_c = facts("CECILL-C").expect("CeCILL-C");
        assert_eq!(cecill_c.crpa_kind, Some(CrpaKind::Reciprocal));
        assert_eq!(cecill_c.copyleft, Some(Copyleft::Weak));

        let nc = facts("CC-BY-NC-4.0").expect("CC-BY-NC");
        assert!(!nc.is_free());
        assert_eq!(nc.crpa, CrpaStatus::NotListed);
        assert!(facts("NotALicence").is_none());
        assert!(facts("NOASSERTION").is_none());
        assert!(expression_facts("NONE").is_empty());
    }

    #[test]
    fn expressions_list_each_licence() {
        let f = expression_facts("MIT OR Apache-2.0 OR MIT");
        let ids: Vec<&str> = f.iter().map(|f| f.spdx.as_str()).collect();
        assert_eq!(ids, ["MIT", "Apache-2.0"]);
    }
}
