//! The automatic evidence keys: the facts the engine computes from a
//! repository, which grid files may test (`license.free`,
//! `history.elephant_factor>=2`…).
//!
//! The list is code, not data: a key exists because the engine knows how
//! to compute it. Grid files are checked against it when they load.

use serde::Serialize;
use std::collections::BTreeMap;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    /// Yes or no; tested as `key`.
    Bool,
    /// A whole number; tested as `key>=N` (or `>`, `<=`, `<`, `==`, `!=`).
    Count,
    /// A number between 0 and 1; tested like a count.
    Ratio,
}

/// One automatic key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AutoKey {
    /// The key, `section.name`.
    pub key: &'static str,
    /// What it holds.
    #[serde(rename = "type")]
    pub kind: KeyType,
    /// What it means, in English.
    pub doc: &'static str,
}

macro_rules! keys {
    ($( $key:literal : $kind:ident = $doc:literal ),* $(,)?) => {
        /// Every automatic key, in documentation order.
        pub const AUTO_KEYS: &[AutoKey] = &[ $( AutoKey { key: $key, kind: KeyType::$kind, doc: $doc } ),* ];
    };
}

keys! {
    "license.detected": Bool = "A licence was identified (the detected id is neither NONE nor NOASSERTION).",
    "license.file": Bool = "The repository holds a licence file (LICENSE, COPYING…, or a LICENSES/ folder).",
    "license.free": Bool = "The detected licence is free: OSI-approved, FSF free, or a version in force on the CRPA D323-2-1 list (for an expression, the expression is satisfiable with free licences only).",
    "license.osi": Bool = "The detected licence is OSI-approved (every licence needed by the expression).",
    "license.fsf": Bool = "The detected licence is free for the FSF (every licence needed by the expression).",
    "license.crpa": Bool = "The detected licence is on the CRPA D323-2-1 list (versions in force).",
    "license.share_alike": Bool = "The detected licence has a share-alike (copyleft) clause, weak or stronger.",
    "license.strong_copyleft": Bool = "The detected licence has a strong or network copyleft clause (derived works as a whole).",
    "license.network_copyleft": Bool = "The detected licence counts use over a network as distribution (AGPL, EUPL…).",
    "license.declared": Bool = "Metadata (publiccode.yml, package manifests) declares a licence.",
    "license.consistent": Bool = "Every licence declared by metadata agrees with the detected one (true when nothing is declared).",
    "publiccode.present": Bool = "A publiccode.yml (or .yaml) file sits at the root.",
    "publiccode.valid": Bool = "The publiccode.yml file has no error (warnings allowed); false when there is none.",
    "publiccode.copyright_owner": Bool = "publiccode.yml names the main copyright owner (legal.mainCopyrightOwner).",
    "publiccode.roadmap": Bool = "publiccode.yml gives a roadmap link.",
    "publiccode.maintained": Bool = "publiccode.yml says the software is maintained (maintenance.type internal, contract or community).",
    "publiccode.documentation": Bool = "publiccode.yml links to user documentation (description.*.documentation).",
    "publiccode.development_status": Bool = "publiccode.yml states the development status (developmentStatus: concept, development, beta, stable, obsolete).",
    "publiccode.used_by": Count = "Organisations that publiccode.yml lists as users (usedBy).",
    "documents.readme": Bool = "A README (README, LISEZMOI…).",
    "documents.contributing": Bool = "Contribution guidelines (CONTRIBUTING, CONTRIBUER…, or a README section).",
    "documents.governance": Bool = "A governance document (GOVERNANCE, GOUVERNANCE…, or a README section).",
    "documents.code_of_conduct": Bool = "A code of conduct (CODE_OF_CONDUCT, CODE_DE_CONDUITE…).",
    "documents.security": Bool = "A security policy (SECURITY, SECURITE…, or a README section).",
    "documents.changelog": Bool = "A changelog or release notes (CHANGELOG, CHANGES, NEWS, RELEASE_NOTES…).",
    "documents.authors": Bool = "A list of authors or contributors (AUTHORS, CONTRIBUTORS, AUTEURS, CREDITS…).",
    "documents.maintainers": Bool = "A list of maintainers (MAINTAINERS, CODEOWNERS…).",
    "documents.roadmap": Bool = "A roadmap (ROADMAP, FEUILLE_DE_ROUTE…, or a README section), or a roadmap link in publiccode.yml.",
    "documents.install": Bool = "Installation or operations documentation (INSTALL, docs/installation…, or a README section).",
    "documents.deployment": Bool = "Deployment described as code (Dockerfile, compose file, Ansible, Helm chart, Terraform, Nix…).",
    "documents.trademark": Bool = "A trademark or brand policy (TRADEMARKS, MARQUE…).",
    "documents.documentation": Bool = "A documentation folder (docs/, doc/, documentation/) or a documentation link in publiccode.yml.",
    "repository.public": Bool = "The code is publicly accessible: the target was cloned anonymously from an https:// URL (unknown for local targets).",
    "repository.version_control": Bool = "The target is a git repository whose history could be read.",
    "repository.ci": Bool = "Continuous integration is configured (.github/workflows, .gitlab-ci.yml, Jenkinsfile…).",
    "repository.tests": Bool = "The repository holds automated tests (tests/, test/, spec/ folders or test files).",
    "repository.style": Bool = "A coding style is configured (.editorconfig, rustfmt, prettier, eslint, black, checkstyle…).",
    "history.commits": Count = "Commits reachable from HEAD (in the period when --since is given).",
    "history.non_merge_commits": Count = "Non-merge commits.",
    "history.merge_commits": Count = "Merge commits (integrations of branches, often of contributions).",
    "history.authors": Count = "Distinct authors after .mailmap and identity merging.",
    "history.contributor_absence_factor": Count = "Fewest authors who make 50% of the non-merge commits (CHAOSS).",
    "history.elephant_factor": Count = "Fewest organisations that make 50% of the affiliated non-merge commits (CHAOSS).",
    "history.organizations": Count = "Organisations behind the non-merge commits (from e-mail domains).",
    "history.distinct_actor_kinds": Count = "Distinct known kinds of actors among those organisations.",
    "history.actor_kind_diversity": Ratio = "Gini-Simpson diversity of the affiliated commits over actor kinds.",
    "history.commits_last_90_days": Count = "Commits in the 90 days before the assessment date.",
    "history.commits_last_365_days": Count = "Commits in the 365 days before the assessment date.",
    "history.authors_last_365_days": Count = "Authors in the 365 days before the assessment date.",
    "history.contributor_absence_factor_last_365_days": Count = "Contributor absence factor over the last 365 days.",
    "history.elephant_factor_last_365_days": Count = "Elephant factor over the last 365 days.",
    "history.tags": Count = "Tags (releases).",
    "history.tags_last_365_days": Count = "Tags dated within the last 365 days.",
}

/// The key's entry, if the engine knows it.
///
/// ```
/// use archipel_assess::keys::{auto_key, KeyType};
/// assert_eq!(auto_key("history.elephant_factor").map(|k| k.kind), Some(KeyType::Count));
/// assert!(auto_key("history.elephants").is_none());
/// ```
pub fn auto_key(key: &str) -> Option<&'static AutoKey> {
    AUTO_KEYS.iter().find(|k| k.key == key)
}

/// The value of an automatic key for one repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Fact {
    /// Yes or no.
    Bool(bool),
    /// A count or a ratio.
    Number(f64),
    /// Not known, with the reason's stable code (`no_history`,
    /// `licence_unrecognised`…).
    Unknown(&'static str),
}

/// Every automatic key's value, computed once per assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts(pub BTreeMap<&'static str, Fact>);

impl Facts {
    /// Sets a key. Keys must be in [`AUTO_KEYS`] (checked in debug builds).
    pub fn set(&mut self, key: &'static str, fact: Fact) {
        debug_assert!(auto_key(key).is_some(), "unknown key {key}");
        self.0.insert(key, fact);
    }

    /// The value of a key; [`Fact::Unknown`] with `not_computed` if it was
    /// never set.
    pub fn get(&self, key: &str) -> Fact {
        self.0
            .get(key)
            .cloned()
            .unwrap_or(Fact::Unknown("not_computed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_documented() {
        let doc = include_str!("../../../docs/assess-grids.md");
        for k in AUTO_KEYS {
            assert!(
                doc.contains(&format!("| `{}` |", k.key)),
                "docs/assess-grids.md lacks {}",
                k.key
            );
        }
        let mut keys: Vec<&str> = AUTO_KEYS.iter().map(|k| k.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), AUTO_KEYS.len(), "duplicate key");
    }

    #[test]
    fn every_key_has_labels() {
        let ui = crate::ui::builtin();
        for k in AUTO_KEYS {
            assert!(
                ui.has(&format!("key.{}", k.key)),
                "content/ui/assess.toml lacks key.{}",
                k.key
            );
        }
    }
}
