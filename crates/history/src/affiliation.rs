//! The affiliation table: e-mail domain → organisation and kind.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The table shipped with Archipel (`content/affiliations/domains.toml`).
pub const BUILTIN_TABLE: &str = archipel_content::embedded::AFFILIATIONS.1;

/// The kind of actor behind an organisation: a key of the registry's
/// `actor_kinds` vocabulary (`local_government`, `university`…), or
/// `unknown` for a domain the table does not know. This crate takes the
/// keys as they come; `archipel-content` checks those of the shipped table
/// against the vocabulary, and the command line those of a table given to
/// it, so that a kind is never spelt two ways.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorKind(String);

impl ActorKind {
    /// The key of a domain the table does not know.
    pub const UNKNOWN: &'static str = "unknown";

    /// The kind with this vocabulary key.
    pub fn new(key: impl Into<String>) -> ActorKind {
        ActorKind(key.into())
    }

    /// The kind of a domain the table does not know.
    pub fn unknown() -> ActorKind {
        ActorKind(Self::UNKNOWN.to_string())
    }

    /// Whether this is the kind of unknown domains.
    pub fn is_unknown(&self) -> bool {
        self.0 == Self::UNKNOWN
    }

    /// The vocabulary key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an e-mail address says about its author's organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affiliation {
    /// Webmail, noreply or placeholder address, or no usable domain.
    Unaffiliated,
    /// An organisation: from the table, or named after an unknown domain.
    Organization {
        /// Display name (the table's, or the domain).
        name: String,
        /// Its kind ([`ActorKind::unknown()`] for unknown domains).
        kind: ActorKind,
    },
}

#[derive(Debug, Clone)]
enum Target {
    Unaffiliated,
    Organization(usize),
    Suffix(ActorKind),
}

/// An affiliation table, loaded from TOML (see `content/affiliations/domains.toml`
/// for the format).
///
/// ```
/// use archipel_history::{Affiliation, Affiliations, ActorKind};
/// let table = Affiliations::from_toml_str(r#"
///     [unaffiliated]
///     domains = ["gmail.com"]
///     [[organization]]
///     name = "Ville de Grenoble"
///     kind = "local_government"
///     domains = ["grenoble.fr"]
/// "#).unwrap();
/// assert_eq!(table.classify_email("Ana@Mail.Grenoble.fr"), Affiliation::Organization {
///     name: "Ville de Grenoble".into(), kind: ActorKind::new("local_government") });
/// assert_eq!(table.classify_email("bob@gmail.com"), Affiliation::Unaffiliated);
/// assert_eq!(table.classify_email("eve@dev.acme.co.uk"), Affiliation::Organization {
///     name: "acme.co.uk".into(), kind: ActorKind::unknown() });
/// ```
#[derive(Debug, Clone, Default)]
pub struct Affiliations {
    by_domain: HashMap<String, Target>,
    organizations: Vec<(String, ActorKind)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    unaffiliated: Option<UnaffiliatedFile>,
    #[serde(default, rename = "organization")]
    organizations: Vec<OrganizationFile>,
    #[serde(default, rename = "suffix")]
    suffixes: Vec<SuffixFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnaffiliatedFile {
    domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationFile {
    name: String,
    kind: ActorKind,
    domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuffixFile {
    suffix: String,
    kind: ActorKind,
}

impl Affiliations {
    /// The table shipped with Archipel ([`BUILTIN_TABLE`]).
    pub fn builtin() -> Result<Self, Error> {
        Self::from_toml_str(BUILTIN_TABLE)
    }

    /// Reads a table from a TOML file.
    pub fn from_path(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        Self::from_toml_str(&text).map_err(|e| match e {
            Error::Affiliations(m) => Error::Affiliations(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses a table. A domain listed twice, an empty name or a malformed
    /// domain is an error, so that editing mistakes show.
    pub fn from_toml_str(text: &str) -> Result<Self, Error> {
        let file: TableFile =
            toml::from_str(text).map_err(|e| Error::Affiliations(e.to_string()))?;
        let mut table = Affiliations::default();
        if let Some(u) = file.unaffiliated {
            for d in u.domains {
                table.insert(&d, Target::Unaffiliated)?;
            }
        }
        let key_like = |k: &ActorKind| {
            let ok = !k.0.is_empty()
                && k.0
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if ok {
                Ok(())
            } else {
                Err(Error::Affiliations(format!(
                    "kind `{}`: a vocabulary key is lowercase letters, digits and `_`",
                    k.0.escape_debug()
                )))
            }
        };
        for s in file.suffixes {
            key_like(&s.kind)?;
            table.insert(&s.suffix, Target::Suffix(s.kind))?;
        }
        for o in file.organizations {
            let name = o.name.trim().to_string();
            if name.is_empty() {
                return Err(Error::Affiliations(
                    "an organization has an empty name".into(),
                ));
            }
            key_like(&o.kind)?;
            if o.kind.is_unknown() {
                return Err(Error::Affiliations(format!("organization `{name}`: kind `unknown` is reserved for domains the table does not know")));
            }
            let index = table.organizations.len();
            table.organizations.push((name, o.kind));
            for d in o.domains {
                table.insert(&d, Target::Organization(index))?;
            }
        }
        Ok(table)
    }

    fn insert(&mut self, domain: &str, target: Target) -> Result<(), Error> {
        let d = normalize_domain(domain)
            .ok_or_else(|| Error::Affiliations(format!("`{domain}` is not a domain name")))?;
        if self.by_domain.insert(d.clone(), target).is_some() {
            return Err(Error::Affiliations(format!("domain `{d}` is listed twice")));
        }
        Ok(())
    }

    /// Every actor kind the table names (each once, sorted): for checking
    /// them against the `actor_kinds` vocabulary.
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self
            .organizations
            .iter()
            .map(|(_, k)| k.as_str())
            .chain(self.by_domain.values().filter_map(|t| match t {
                Target::Suffix(k) => Some(k.as_str()),
                _ => None,
            }))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// Number of domains and suffixes the table knows.
    pub fn len(&self) -> usize {
        self.by_domain.len()
    }

    /// True when the table knows no domain.
    pub fn is_empty(&self) -> bool {
        self.by_domain.is_empty()
    }

    /// Classifies an e-mail address by its domain (the part after the last `@`).
    pub fn classify_email(&self, email: &str) -> Affiliation {
        match email.rsplit_once('@') {
            Some((_, domain)) => self.classify_domain(domain),
            None => Affiliation::Unaffiliated,
        }
    }

    /// Classifies a domain: the most specific table entry among the domain
    /// and its parents; else an organisation of kind unknown named after the
    /// domain's registrable part. Domains without a dot, or under `.local`,
    /// `.localdomain`, `.lan`, `.internal`, `.invalid`, count as unaffiliated.
    pub fn classify_domain(&self, domain: &str) -> Affiliation {
        let Some(domain) = normalize_domain(domain) else {
            return Affiliation::Unaffiliated;
        };
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Affiliation::Unaffiliated;
        }
        if let Some(last) = labels.last() {
            if matches!(
                *last,
                "local" | "localdomain" | "lan" | "internal" | "invalid" | "home"
            ) {
                return Affiliation::Unaffiliated;
            }
        }
        for start in 0..labels.len() {
            let candidate = labels[start..].join(".");
            match self.by_domain.get(&candidate) {
                None => continue,
                Some(Target::Unaffiliated) => return Affiliation::Unaffiliated,
                Some(Target::Organization(i)) => {
                    let (name, kind) = &self.organizations[*i];
                    return Affiliation::Organization {
                        name: name.clone(),
                        kind: kind.clone(),
                    };
                }
                Some(Target::Suffix(kind)) => {
                    let from = start.saturating_sub(1);
                    return Affiliation::Organization {
                        name: labels[from..].join("."),
                        kind: kind.clone(),
                    };
                }
            }
        }
        Affiliation::Organization {
            name: registrable_domain(&labels),
            kind: ActorKind::unknown(),
        }
    }
}

/// Lower-cases and trims a domain; `None` when it holds characters no domain has.
fn normalize_domain(domain: &str) -> Option<String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty()
        || d.starts_with('.')
        || d.contains("..")
        || !d
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b >= 0x80)
    {
        return None;
    }
    Some(d)
}

/// Second-level labels under which names are registered (`example.co.uk`).
const GENERIC_SECOND_LEVEL: &[&str] = &[
    "co", "com", "org", "net", "ac", "gov", "gouv", "edu", "asso", "nom", "ne", "or", "go", "gv",
    "gob", "mil", "ltd", "plc", "sch", "nhs", "tm",
];

/// The part of a domain under which an organisation registered it, without a
/// public-suffix list: the last two labels, or three when the second-to-last
/// is a generic second level (`co.uk`, `com.au`, `gouv.fr`…).
fn registrable_domain(labels: &[&str]) -> String {
    let n = labels.len();
    let take =
        if n >= 3 && labels[n - 1].len() == 2 && GENERIC_SECOND_LEVEL.contains(&labels[n - 2]) {
            3
        } else {
            2
        };
    labels[n.saturating_sub(take)..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses() {
        let t = Affiliations::builtin().expect("builtin table");
        assert!(t.len() > 50);
        assert_eq!(t.classify_email("x@gmail.com"), Affiliation::Unaffiliated);
        assert_eq!(
            t.classify_email("123+bot@users.noreply.github.com"),
            Affiliation::Unaffiliated
        );
        assert_eq!(
            t.classify_email("a@sg.interieur.gouv.fr"),
            Affiliation::Organization {
                name: "interieur.gouv.fr".into(),
                kind: ActorKind::new("public_body")
            }
        );
        // An explicit entry beats the suffix rule.
        assert_eq!(
            t.classify_email("a@beta.gouv.fr"),
            Affiliation::Organization {
                name: "DINUM".into(),
                kind: ActorKind::new("public_body")
            }
        );
    }

    #[test]
    fn unknown_and_odd_domains() {
        let t = Affiliations::default();
        let org = |n: &str| Affiliation::Organization {
            name: n.into(),
            kind: ActorKind::unknown(),
        };
        assert_eq!(t.classify_email("a@Dev.Example.COM"), org("example.com"));
        assert_eq!(t.classify_email("a@x.acme.co.uk"), org("acme.co.uk"));
        assert_eq!(t.classify_email("a@acme.co.uk"), org("acme.co.uk"));
        assert_eq!(t.classify_email("a@co.uk"), org("co.uk"));
        assert_eq!(
            t.classify_email("root@localhost"),
            Affiliation::Unaffiliated
        );
        assert_eq!(
            t.classify_email("me@laptop.(none)"),
            Affiliation::Unaffiliated
        );
        assert_eq!(t.classify_email("me@box.local"), Affiliation::Unaffiliated);
        assert_eq!(t.classify_email("no-address"), Affiliation::Unaffiliated);
        assert_eq!(t.classify_email(""), Affiliation::Unaffiliated);
    }

    #[test]
    fn table_errors() {
        let dup = "[unaffiliated]\ndomains = [\"a.org\", \"A.org\"]";
        assert!(Affiliations::from_toml_str(dup).is_err());
        // A kind must be spelt as a vocabulary key; whether the vocabulary
        // has it is archipel-content's check.
        let bad_kind =
            "[[organization]]\nname = \"X\"\nkind = \"Local government\"\ndomains = [\"x.org\"]";
        assert!(Affiliations::from_toml_str(bad_kind).is_err());
        let other_kind = "[[organization]]\nname = \"X\"\nkind = \"nope\"\ndomains = [\"x.org\"]";
        let t = Affiliations::from_toml_str(other_kind).unwrap();
        assert_eq!(t.kinds(), ["nope"]);
        let bad_domain = "[[organization]]\nname = \"X\"\nkind = \"company\"\ndomains = [\"x y\"]";
        assert!(Affiliations::from_toml_str(bad_domain).is_err());
        let unknown = "[[organization]]\nname = \"X\"\nkind = \"unknown\"\ndomains = [\"x.org\"]";
        assert!(Affiliations::from_toml_str(unknown).is_err());
    }
}
