use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of record the registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Territory,
    Actor,
    Place,
    Commons,
    Relation,
}

impl EntityKind {
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Territory,
        EntityKind::Actor,
        EntityKind::Place,
        EntityKind::Commons,
        EntityKind::Relation,
    ];

    /// The prefix used in identifiers and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Territory => "territory",
            EntityKind::Actor => "actor",
            EntityKind::Place => "place",
            EntityKind::Commons => "commons",
            EntityKind::Relation => "relation",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "territory" | "territories" => Ok(EntityKind::Territory),
            "actor" | "actors" => Ok(EntityKind::Actor),
            "place" | "places" => Ok(EntityKind::Place),
            "commons" => Ok(EntityKind::Commons),
            "relation" | "relations" => Ok(EntityKind::Relation),
            other => Err(IdError::UnknownKind(other.to_string())),
        }
    }
}

/// A stable identifier: `KIND:SOURCE:LOCAL`.
///
/// `SOURCE` names the data set a record came from (`mediation`, `sill`,
/// `demo`, or a name given at import) and `LOCAL` the identifier the
/// source itself uses. Importing the same source again therefore reaches
/// the same records instead of duplicating them. Identifiers are plain
/// ASCII-friendly strings so they read well in URLs and on a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct EntityId(String);

/// Written as its string, without the copy `serde(into)` would make.
impl Serialize for EntityId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "unknown entity kind {} (expected territory, actor, place, commons or relation)",
        crate::echo(.0)
    )]
    UnknownKind(String),
    #[error("identifier {} is not of the form KIND:SOURCE:LOCAL", crate::echo(.0))]
    Malformed(String),
    #[error(
        "identifier part {} is empty or contains whitespace, a control or an invisible character",
        crate::echo(.0)
    )]
    BadPart(String),
}

fn part_ok(p: &str) -> bool {
    let ascii_ok = |b: u8| b > b' ' && b != 0x7F;
    !p.is_empty()
        && (p.bytes().all(ascii_ok)
            || !p
                .chars()
                .any(|c| c.is_whitespace() || crate::text::hidden(c)))
}

impl EntityId {
    pub fn new(kind: EntityKind, source: &str, local: &str) -> Result<Self, IdError> {
        if !part_ok(source) || source.contains(':') {
            return Err(IdError::BadPart(source.to_string()));
        }
        if !part_ok(local) {
            return Err(IdError::BadPart(local.to_string()));
        }
        let kind = kind.as_str();
        let mut id = String::with_capacity(kind.len() + source.len() + local.len() + 2);
        for part in [kind, ":", source, ":", local] {
            id.push_str(part);
        }
        Ok(EntityId(id))
    }

    /// Parses an identifier written as `KIND:SOURCE:LOCAL`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut it = s.splitn(3, ':');
        let (Some(k), Some(src), Some(local)) = (it.next(), it.next(), it.next()) else {
            return Err(IdError::Malformed(s.to_string()));
        };
        let kind: EntityKind = k.parse()?;
        EntityId::new(kind, src, local)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> EntityKind {
        // Constructed only through `new`, so the prefix is always valid.
        let prefix = self.0.split(':').next().unwrap_or("");
        prefix.parse().unwrap_or(EntityKind::Relation)
    }

    /// The source part of the identifier.
    pub fn source(&self) -> &str {
        self.0.split(':').nth(1).unwrap_or("")
    }

    /// The local part of the identifier (may itself contain `:`).
    pub fn local(&self) -> &str {
        self.0.splitn(3, ':').nth(2).unwrap_or("")
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EntityId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EntityId::parse(&s)
    }
}

impl From<EntityId> for String {
    fn from(id: EntityId) -> String {
        id.0
    }
}

impl FromStr for EntityId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityId::parse(s)
    }
}

/// Turns free text into an identifier part: lower case ASCII letters, digits
/// and dashes ("Médiathèque Jean-Macé" → "mediatheque-jean-mace").
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in crate::fold_accents(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        let id = EntityId::parse("commons:sill:42").unwrap();
        assert_eq!(id.kind(), EntityKind::Commons);
        assert_eq!(id.source(), "sill");
        assert_eq!(id.local(), "42");
        let id = EntityId::parse("territory:insee:commune:69123").unwrap();
        assert_eq!(id.local(), "commune:69123");
        assert!(EntityId::parse("commons:sill").is_err());
        assert!(EntityId::parse("thing:sill:1").is_err());
        assert!(EntityId::parse("actor:a b:1").is_err());
        assert!(EntityId::parse("actor:src:").is_err());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Médiathèque Jean-Macé"), "mediatheque-jean-mace");
        assert_eq!(slug("  L'Œuvre  d'art "), "l-oeuvre-d-art");
        assert_eq!(slug("!!!"), "");
    }
}
