use crate::{EntityId, EntityKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a record came from and when it changed.
///
/// Every record in the registry carries one. `source` names the data set
/// (`mediation`, `sill`, `demo`, `manual`, or a name given at import);
/// `file` and `line` point at the row it was read from, when it was read
/// from a file; `source_date` is the date the source itself gives for the
/// fact (the médiation schema's `date_maj`, for instance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub source: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Provenance {
    /// A provenance for a record made now from `source`.
    pub fn new(source: impl Into<Arc<str>>, now: DateTime<Utc>) -> Self {
        Provenance {
            source: source.into(),
            file: None,
            line: None,
            source_date: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn at(mut self, file: impl Into<Arc<str>>, line: u64) -> Self {
        self.file = Some(file.into());
        self.line = Some(line);
        self
    }
}

/// A point in WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Identifiers a record has in other registries. Each is optional; the
/// syntax of each is checked by [`crate::check_identifiers`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifiers {
    /// SIRET: 14 digits, an establishment in the SIRENE register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siret: Option<String>,
    /// SIREN: 9 digits, a legal unit in the SIRENE register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siren: Option<String>,
    /// RNA: `W` and 9 digits, the national register of associations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rna: Option<String>,
    /// Any other national register number (RIDET in New Caledonia…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// Wikidata item (`Q` and digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// Comptoir du Libre (ADULLACT) software id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comptoir_du_libre: Option<String>,
    /// SILL (socle interministériel de logiciels libres) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sill: Option<String>,
}

impl Identifiers {
    pub fn is_empty(&self) -> bool {
        *self == Identifiers::default()
    }

    /// Pairs of (name, value) for the identifiers that are set.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut v = Vec::new();
        for (k, val) in [
            ("siret", &self.siret),
            ("siren", &self.siren),
            ("rna", &self.rna),
            ("other", &self.other),
            ("wikidata", &self.wikidata),
            ("comptoir_du_libre", &self.comptoir_du_libre),
            ("sill", &self.sill),
        ] {
            if let Some(x) = val {
                v.push((k, x.as_str()));
            }
        }
        v
    }
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

impl Address {
    pub fn one_line(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for p in [&self.street, &self.complement, &self.postcode, &self.city]
            .into_iter()
            .flatten()
        {
            parts.push(p);
        }
        parts.join(", ")
    }
}

/// A level of the French administrative hierarchy (key of the
/// `territory_levels` vocabulary: `commune`, `epci`, `departement`,
/// `region`, `pays`).
pub type LevelKey = String;

/// A territory: a commune, an EPCI, a department, a region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    pub id: EntityId,
    pub name: String,
    /// Key of the `territory_levels` vocabulary.
    pub level: LevelKey,
    /// INSEE code (commune, department, region) or SIREN (EPCI).
    pub code: String,
    /// The territory one level up (commune → EPCI → department → region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<EntityId>,
    /// The department a commune lies in when its parent is not that
    /// department (its EPCI, which may span several departments): the
    /// second way up, which figures of a department or a region follow
    /// (`store::scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<EntityId>,
    /// Population (INSEE's municipal population; for a department or a
    /// region, the sum of its communes').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// A commune's postcodes (La Poste), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postcodes: Vec<String>,
    /// True for the fictional demonstration territory and anything made up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fictional: bool,
    pub provenance: Provenance,
}

/// Whether an actor is an organisation or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    #[default]
    Organisation,
    Person,
}

impl Nature {
    pub fn as_str(self) -> &'static str {
        match self {
            Nature::Organisation => "organisation",
            Nature::Person => "person",
        }
    }
    pub fn parse(s: &str) -> Option<Nature> {
        match s {
            "organisation" | "organization" => Some(Nature::Organisation),
            "person" => Some(Nature::Person),
            _ => None,
        }
    }
}

/// An organisation or a person taking part in the ecosystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: EntityId,
    pub name: String,
    pub nature: Nature,
    /// Key of the `actor_kinds` vocabulary (association, local_government…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Keys of the `typology` vocabulary (the study's four families).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typology: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Identifiers::is_empty")]
    pub identifiers: Identifiers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    pub provenance: Provenance,
}

/// A physical place: a tiers-lieu, a library, a fablab, a town hall…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: EntityId,
    pub name: String,
    /// The actor that runs the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub address: Address,
    /// INSEE code of the commune the place is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insee_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// Fields a source schema defines beyond the common ones, kept as the
    /// source wrote them (opening hours, services, publics…), so that an
    /// export in that schema gives back what was imported.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    pub provenance: Provenance,
}

/// A digital commons: software, a dataset, content or a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commons {
    pub id: EntityId,
    pub name: String,
    /// Key of the `commons_kinds` vocabulary.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// SPDX licence expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The publiccode.yml text, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publiccode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Identifiers::is_empty")]
    pub identifiers: Identifiers,
    /// Source-specific fields kept as written (SILL status, versions…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    pub provenance: Provenance,
}

/// A typed, dated link between two records: an actor *uses* a commons,
/// *maintains* it, *funds* it, holds a *governance role* in it…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub id: EntityId,
    pub subject: EntityId,
    /// Key of the `relation_types` vocabulary.
    pub kind: String,
    pub object: EntityId,
    /// For `governance_role`: key of the `governance_roles` vocabulary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub provenance: Provenance,
}

impl Relation {
    /// A relation identifier derived from what the relation says, so that
    /// the same fact from the same source always gets the same id.
    pub fn derive_id(
        source: &str,
        subject: &EntityId,
        kind: &str,
        object: &EntityId,
        role: Option<&str>,
    ) -> Result<EntityId, crate::IdError> {
        let key = format!(
            "{}|{}|{}|{}",
            subject,
            kind,
            object,
            role.unwrap_or_default()
        );
        EntityId::new(
            EntityKind::Relation,
            source,
            &format!("{:016x}", fnv1a64(key.as_bytes())),
        )
    }

    /// Whether the relation holds on `day` (open ends count as holding).
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= day) && self.until.is_none_or(|u| day <= u)
    }
}

/// FNV-1a, 64 bits: small, stable across versions and platforms.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Any record of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entity {
    Territory(Territory),
    Actor(Actor),
    Place(Place),
    Commons(Commons),
    Relation(Relation),
}

impl Entity {
    pub fn id(&self) -> &EntityId {
        match self {
            Entity::Territory(x) => &x.id,
            Entity::Actor(x) => &x.id,
            Entity::Place(x) => &x.id,
            Entity::Commons(x) => &x.id,
            Entity::Relation(x) => &x.id,
        }
    }

    pub fn kind(&self) -> EntityKind {
        self.id().kind()
    }

    /// A human name: the record's name, or for a relation its type.
    pub fn name(&self) -> &str {
        match self {
            Entity::Territory(x) => &x.name,
            Entity::Actor(x) => &x.name,
            Entity::Place(x) => &x.name,
            Entity::Commons(x) => &x.name,
            Entity::Relation(x) => &x.kind,
        }
    }

    pub fn provenance(&self) -> &Provenance {
        match self {
            Entity::Territory(x) => &x.provenance,
            Entity::Actor(x) => &x.provenance,
            Entity::Place(x) => &x.provenance,
            Entity::Commons(x) => &x.provenance,
            Entity::Relation(x) => &x.provenance,
        }
    }

    pub fn provenance_mut(&mut self) -> &mut Provenance {
        match self {
            Entity::Territory(x) => &mut x.provenance,
            Entity::Actor(x) => &mut x.provenance,
            Entity::Place(x) => &mut x.provenance,
            Entity::Commons(x) => &mut x.provenance,
            Entity::Relation(x) => &mut x.provenance,
        }
    }

    /// The description searched by full-text search, if any.
    pub fn description(&self) -> Option<&str> {
        match self {
            Entity::Actor(x) => x.description.as_deref(),
            Entity::Place(x) => x.description.as_deref(),
            Entity::Commons(x) => x.description.as_deref(),
            Entity::Territory(_) | Entity::Relation(_) => None,
        }
    }

    /// Whether two records say the same thing, ignoring when they were
    /// recorded and where they were read from. An import uses this to leave
    /// unchanged records untouched.
    pub fn same_facts(&self, other: &Entity) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        for e in [&mut a, &mut b] {
            let p = e.provenance_mut();
            p.created_at = DateTime::<Utc>::UNIX_EPOCH;
            p.updated_at = DateTime::<Utc>::UNIX_EPOCH;
            p.file = None;
            p.line = None;
        }
        a == b
    }

    /// Identifiers of other records this one points at, with the field
    /// that names each (territory, parent, operator as `actor`, relation
    /// ends). The store checks they exist.
    pub fn references(&self) -> Vec<(&'static str, &EntityId)> {
        let (a, b) = match self {
            Entity::Territory(t) => (
                t.parent.as_ref().map(|x| ("parent", x)),
                t.department.as_ref().map(|x| ("department", x)),
            ),
            Entity::Actor(a) => (a.territory.as_ref().map(|x| ("territory", x)), None),
            Entity::Place(p) => (
                p.actor.as_ref().map(|x| ("actor", x)),
                p.territory.as_ref().map(|x| ("territory", x)),
            ),
            Entity::Commons(_) => (None, None),
            Entity::Relation(r) => (Some(("subject", &r.subject)), Some(("object", &r.object))),
        };
        a.into_iter().chain(b).collect()
    }
}
