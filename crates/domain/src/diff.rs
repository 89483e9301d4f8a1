//! Comparing records: what changed between two versions of a record,
//! field by field ([`diff`]), and whether two records are likely the same
//! thing entered twice ([`likely_duplicate`]).

use crate::{fold_accents, Entity, GeoPoint};
use serde::Serialize;
use serde_json::{Map, Value};

/// One field that differs between two versions of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field as a path in the record's JSON form: `name`,
    /// `address.street`, `identifiers.siret`, `details.horaires`,
    /// `provenance.source`. Lists and `location` are one field each.
    pub field: String,
    /// Its value before (`None`: it had none, or the record did not exist).
    pub before: Option<Value>,
    /// Its value after (`None`: it has none, or the record was removed).
    pub after: Option<Value>,
}

/// Members of `provenance` that change with every write without the
/// facts changing: left out of differences.
const BOOKKEEPING: [&str; 4] = ["created_at", "updated_at", "file", "line"];

/// A record's fields, flattened one level (`address.street`), in the
/// order of its JSON form.
fn fields<T: Serialize>(e: &T) -> Vec<(String, Value)> {
    let Ok(Value::Object(map)) = serde_json::to_value(e) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        match (k.as_str(), v) {
            ("type", _) => {}
            ("location", v) => out.push((k, v)),
            (_, Value::Object(inner)) => flatten_into(&mut out, &k, inner),
            (_, v) => out.push((k, v)),
        }
    }
    out
}

fn flatten_into(out: &mut Vec<(String, Value)>, prefix: &str, inner: Map<String, Value>) {
    for (k2, v2) in inner {
        if prefix == "provenance" && BOOKKEEPING.contains(&k2.as_str()) {
            continue;
        }
        out.push((format!("{prefix}.{k2}"), v2));
    }
}

/// What differs between two versions of a record, field by field, in the
/// order of the record's fields (`before`'s, then those only `after`
/// has). `None` stands for a record that did not exist (a creation) or
/// no longer does (a removal). When and from which line a record was
/// written are not facts and are not compared.
pub fn diff(before: Option<&Entity>, after: Option<&Entity>) -> Vec<FieldChange> {
    diff_records(before, after)
}

/// [`diff`] for any record with a JSON form whose members are its fields
/// (a public action record: `type` is left out, objects are flattened one
/// level, `provenance`'s bookkeeping is not compared).
pub fn diff_records<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Vec<FieldChange> {
    let a = before.map(fields).unwrap_or_default();
    let b = after.map(fields).unwrap_or_default();
    let mut out = Vec::new();
    for (k, va) in &a {
        let vb = b.iter().find(|(kb, _)| kb == k).map(|(_, v)| v);
        if vb != Some(va) {
            out.push(FieldChange {
                field: k.clone(),
                before: Some(va.clone()),
                after: vb.cloned(),
            });
        }
    }
    for (k, vb) in &b {
        if !a.iter().any(|(ka, _)| ka == k) {
            out.push(FieldChange {
                field: k.clone(),
                before: None,
                after: Some(vb.clone()),
            });
        }
    }
    out
}

/// A name as duplicates are compared: accents folded, lower case, words
/// of letters and digits separated by one space ("Médiathèque  des
/// Capucins!" → "mediatheque des capucins").
pub fn normalised_name(name: &str) -> String {
    let folded = fold_accents(name).to_lowercase();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The register identifiers a record has that identify it alone (SIRET,
/// RNA, Wikidata item), as (field, value).
pub fn identifier_keys(e: &Entity) -> Vec<(&'static str, &str)> {
    let ids = match e {
        Entity::Actor(a) => &a.identifiers,
        Entity::Commons(c) => &c.identifiers,
        _ => return Vec::new(),
    };
    [
        ("siret", &ids.siret),
        ("rna", &ids.rna),
        ("wikidata", &ids.wikidata),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect()
}

/// Why two records are likely the same thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplicate {
    /// They share this register identifier (`siret`, `rna`, `wikidata`).
    Identifier(&'static str),
    /// Their names are the same once normalised and they are in the same
    /// place: the same territory or commune, or within a kilometre.
    NameNearby,
}

/// Distance under which two records with the same name are "near", in
/// metres.
const NEAR_METRES: f64 = 1000.0;

fn location(e: &Entity) -> Option<GeoPoint> {
    match e {
        Entity::Actor(a) => a.location,
        Entity::Place(p) => p.location,
        _ => None,
    }
}

fn territory(e: &Entity) -> Option<&str> {
    match e {
        Entity::Actor(a) => a.territory.as_ref().map(|t| t.as_str()),
        Entity::Place(p) => p.territory.as_ref().map(|t| t.as_str()),
        Entity::Territory(t) => t.parent.as_ref().map(|t| t.as_str()),
        _ => None,
    }
}

/// Great-circle distance in metres (haversine, mean Earth radius).
fn metres(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().min(1.0).asin()
}

/// Whether `b` is likely the same thing as `a` entered twice, and why:
/// two different records of the same kind sharing a register identifier,
/// or with the same normalised name in the same place. Commons, which
/// have no place, need the same name only.
pub fn likely_duplicate(a: &Entity, b: &Entity) -> Option<Duplicate> {
    if a.id() == b.id() || a.kind() != b.kind() {
        return None;
    }
    let keys_b = identifier_keys(b);
    for (k, v) in identifier_keys(a) {
        if keys_b.contains(&(k, v)) {
            return Some(Duplicate::Identifier(k));
        }
    }
    let name = normalised_name(a.name());
    if name.is_empty() || name != normalised_name(b.name()) {
        return None;
    }
    let near = match (a, b) {
        (Entity::Commons(_), Entity::Commons(_)) => true,
        _ => {
            let same_territory =
                matches!((territory(a), territory(b)), (Some(x), Some(y)) if x == y);
            let close = matches!((location(a), location(b)), (Some(x), Some(y)) if metres(x, y) <= NEAR_METRES);
            same_territory || close
        }
    };
    near.then_some(Duplicate::NameNearby)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, EntityId, EntityKind, Identifiers, Nature, Provenance};

    fn actor(local: &str, name: &str) -> Actor {
        Actor {
            id: EntityId::new(EntityKind::Actor, "t", local).unwrap(),
            name: name.into(),
            nature: Nature::Organisation,
            kind: None,
            typology: vec![],
            description: None,
            identifiers: Identifiers::default(),
            website: None,
            email: None,
            territory: None,
            location: None,
            provenance: Provenance::new("t", chrono::DateTime::UNIX_EPOCH),
        }
    }

    #[test]
    fn differences_are_field_by_field_and_leave_bookkeeping_out() {
        let a = actor("a", "Médiathèque");
        let mut b = a.clone();
        b.name = "Médiathèque <b>".into();
        b.identifiers.siret = Some("43493312300029".into());
        b.provenance.updated_at = chrono::Utc::now();
        b.provenance.file = Some("x.csv".into());
        let (a, b) = (Entity::Actor(a), Entity::Actor(b));
        let d = diff(Some(&a), Some(&b));
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "identifiers.siret"]);
        assert_eq!(d[0].before, Some(Value::String("Médiathèque".into())));
        assert_eq!(d[1].before, None);
        assert!(diff(Some(&a), Some(&a)).is_empty());
        // A creation lists every field, a removal too.
        let created = diff(None, Some(&a));
        assert!(created.iter().all(|c| c.before.is_none()));
        assert!(created.iter().any(|c| c.field == "id"));
        assert!(created.iter().any(|c| c.field == "provenance.source"));
        assert!(!created.iter().any(|c| c.field == "provenance.created_at"));
        assert_eq!(diff(Some(&a), None).len(), created.len());
    }

    #[test]
    fn duplicates_by_identifier_or_name_nearby() {
        let mut a = actor("a", "Médiathèque des Capucins");
        let mut b = actor("b", "MEDIATHEQUE des capucins !");
        assert_eq!(normalised_name(&b.name), "mediatheque des capucins");
        // Same name, nowhere in particular: not enough.
        assert_eq!(
            likely_duplicate(&Entity::Actor(a.clone()), &Entity::Actor(b.clone())),
            None
        );
        a.location = Some(GeoPoint {
            lat: 48.39,
            lon: -4.49,
        });
        b.location = Some(GeoPoint {
            lat: 48.395,
            lon: -4.49,
        });
        assert_eq!(
            likely_duplicate(&Entity::Actor(a.clone()), &Entity::Actor(b.clone())),
            Some(Duplicate::NameNearby)
        );
        b.location = Some(GeoPoint {
            lat: 48.50,
            lon: -4.49,
        });
        assert_eq!(
            likely_duplicate(&Entity::Actor(a.clone()), &Entity::Actor(b.clone())),
            None
        );
        b.name = "Autre".into();
        a.identifiers.siret = Some("43493312300029".into());
        b.identifiers.siret = Some("43493312300029".into());
        assert_eq!(
            likely_duplicate(&Entity::Actor(a.clone()), &Entity::Actor(b)),
            Some(Duplicate::Identifier("siret"))
        );
        // A record is not its own duplicate.
        assert_eq!(
            likely_duplicate(&Entity::Actor(a.clone()), &Entity::Actor(a)),
            None
        );
    }
}
