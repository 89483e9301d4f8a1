//! Licence data kept as files under `content/licenses/` and compiled in:
//! the CRPA D323-2-1 list, copyleft strengths, and licence name aliases.
//! Each file is parsed and checked against the SPDX licence list.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use archipel_content::embedded::{LICENCES_ALIASES, LICENCES_COPYLEFT, LICENCES_CRPA};
const CRPA_TOML: &str = LICENCES_CRPA.1;
const COPYLEFT_TOML: &str = LICENCES_COPYLEFT.1;
const ALIASES_TOML: &str = LICENCES_ALIASES.1;

/// A problem in one of the licence data files.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file is not valid TOML or does not have the expected shape.
    #[error("{file}: {message}")]
    Parse {
        /// Data file name.
        file: &'static str,
        /// What went wrong.
        message: String,
    },
    /// An id is not on the SPDX licence list (or is deprecated there).
    #[error("{file}: `{id}` is not a current SPDX licence id")]
    UnknownId {
        /// Data file name.
        file: &'static str,
        /// The offending id.
        id: String,
    },
    /// An id is listed twice.
    #[error("{file}: `{id}` is listed more than once")]
    Duplicate {
        /// Data file name.
        file: &'static str,
        /// The offending id.
        id: String,
    },
}

/// Where the CRPA list comes from.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CrpaSource {
    /// The article.
    pub title: String,
    /// The decree that created it.
    pub created_by: String,
    /// Decrees that changed it.
    #[serde(default)]
    pub amended_by: Vec<String>,
    /// Page listing the versions in force.
    pub versions: String,
}

/// Whether a CRPA licence is for data or for software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CrpaScope {
    /// Public information that is not software.
    Data,
    /// Software.
    Software,
}

/// The two kinds the article names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CrpaKind {
    /// "Licences dites permissives".
    Permissive,
    /// "Licences avec obligation de réciprocité".
    Reciprocal,
}

/// One licence family named by article D323-2-1.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CrpaFamily {
    /// The family as the article names it.
    pub name: String,
    /// Data or software.
    pub scope: CrpaScope,
    /// Permissive or reciprocal.
    pub kind: CrpaKind,
    /// SPDX ids of the versions in force.
    pub spdx: Vec<String>,
    /// SPDX ids of earlier versions of the family.
    #[serde(default)]
    pub older: Vec<String>,
}

/// The list of licences of article D323-2-1 of the CRPA.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CrpaList {
    /// Where it comes from.
    pub source: CrpaSource,
    /// The families.
    pub family: Vec<CrpaFamily>,
}

/// Copyleft (share-alike) strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Copyleft {
    /// Permissive.
    None,
    /// File- or library-level.
    Weak,
    /// The whole derived work, when distributed.
    Strong,
    /// Strong, and network use counts as distribution.
    Network,
}

#[derive(Debug, Deserialize)]
struct CopyleftFile {
    none: Vec<String>,
    weak: Vec<String>,
    strong: Vec<String>,
    network: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct AliasesFile {
    names: BTreeMap<String, String>,
}

/// All licence data, parsed and checked.
#[derive(Debug)]
pub struct LicenceData {
    /// CRPA D323-2-1 list.
    pub crpa: CrpaList,
    /// Copyleft strength by SPDX id.
    pub copyleft: BTreeMap<String, Copyleft>,
    /// Licence names people write, to SPDX ids.
    pub aliases: Vec<(String, &'static str)>,
}

fn current_id(file: &'static str, id: &str) -> Result<&'static str, DataError> {
    match spdx::license_id(id) {
        Some(l) if !l.is_deprecated() && l.name == id => Ok(l.name),
        _ => Err(DataError::UnknownId {
            file,
            id: id.to_string(),
        }),
    }
}

impl LicenceData {
    /// Parses and checks the data files compiled into the crate.
    pub fn load() -> Result<Self, DataError> {
        Self::from_sources(CRPA_TOML, COPYLEFT_TOML, ALIASES_TOML)
    }

    /// Parses and checks licence data given as TOML texts (the three files
    /// of `content/licenses/`).
    pub fn from_sources(crpa: &str, copyleft: &str, aliases: &str) -> Result<Self, DataError> {
        const CRPA: &str = "crpa-d323-2-1.toml";
        const COPYLEFT: &str = "copyleft.toml";
        const ALIASES: &str = "aliases.toml";
        let crpa: CrpaList = toml::from_str(crpa).map_err(|e| DataError::Parse {
            file: CRPA,
            message: e.to_string(),
        })?;
        let mut seen = HashSet::new();
        for fam in &crpa.family {
            for id in fam.spdx.iter().chain(&fam.older) {
                current_id(CRPA, id)?;
                if !seen.insert(id.clone()) {
                    return Err(DataError::Duplicate {
                        file: CRPA,
                        id: id.clone(),
                    });
                }
            }
            if fam.spdx.is_empty() {
                return Err(DataError::Parse {
                    file: CRPA,
                    message: format!("family `{}` lists no SPDX id", fam.name),
                });
            }
        }

        let cl: CopyleftFile = toml::from_str(copyleft).map_err(|e| DataError::Parse {
            file: COPYLEFT,
            message: e.to_string(),
        })?;
        let mut strengths = BTreeMap::new();
        for (ids, strength) in [
            (&cl.none, Copyleft::None),
            (&cl.weak, Copyleft::Weak),
            (&cl.strong, Copyleft::Strong),
            (&cl.network, Copyleft::Network),
        ] {
            for id in ids {
                current_id(COPYLEFT, id)?;
                if strengths.insert(id.clone(), strength).is_some() {
                    return Err(DataError::Duplicate {
                        file: COPYLEFT,
                        id: id.clone(),
                    });
                }
            }
        }

        let al: AliasesFile = toml::from_str(aliases).map_err(|e| DataError::Parse {
            file: ALIASES,
            message: e.to_string(),
        })?;
        let mut alias_list = Vec::new();
        for (name, id) in al.names {
            let id = current_id(ALIASES, &id)?;
            alias_list.push((name, id));
        }
        Ok(LicenceData {
            crpa,
            copyleft: strengths,
            aliases: alias_list,
        })
    }
}

/// The compiled-in licence data.
///
/// # Panics
///
/// Only if the data files under `content/licenses/` are invalid, which
/// the crate's tests rule out (they load the same compiled-in files).
pub fn licence_data() -> &'static LicenceData {
    static DATA: OnceLock<LicenceData> = OnceLock::new();
    DATA.get_or_init(|| match LicenceData::load() {
        Ok(d) => d,
        Err(e) => panic!("invalid licence data compiled into archipel-license: {e}"),
    })
}

pub(crate) fn aliases() -> impl Iterator<Item = (&'static str, &'static str)> {
    licence_data()
        .aliases
        .iter()
        .map(|(n, id)| (n.as_str(), *id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_data_is_valid() {
        let d = LicenceData::load().expect("valid data");
        assert!(d
            .crpa
            .family
            .iter()
            .any(|f| f.spdx.iter().any(|s| s == "etalab-2.0")));
        assert!(d
            .crpa
            .family
            .iter()
            .any(|f| f.spdx.iter().any(|s| s == "EUPL-1.2")));
        assert_eq!(d.copyleft.get("AGPL-3.0-only"), Some(&Copyleft::Network));
        assert!(!d.aliases.is_empty());
    }

    #[test]
    fn unknown_ids_are_rejected() {
        let crpa = "[source]\ntitle='t'\ncreated_by='d'\nversions='v'\n[[family]]\nname='x'\nscope='software'\nkind='permissive'\nspdx=['NotALicence']\n";
        let err = LicenceData::from_sources(crpa, COPYLEFT_TOML, ALIASES_TOML).err();
        assert!(matches!(err, Some(DataError::UnknownId { .. })), "{err:?}");
    }

    #[test]
    fn duplicates_are_rejected() {
        let cl = "none=['MIT']\nweak=['MIT']\nstrong=[]\nnetwork=[]\n";
        let err = LicenceData::from_sources(CRPA_TOML, cl, ALIASES_TOML).err();
        assert!(matches!(err, Some(DataError::Duplicate { .. })), "{err:?}");
    }
}
