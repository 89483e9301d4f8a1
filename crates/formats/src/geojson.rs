//! GeoJSON (RFC 7946): places and actors that have coordinates, as points.

use crate::ExportError;
use archipel_domain::*;
use serde_json::{json, Value};

/// Properties common to map features.
fn feature(e: &Entity, p: GeoPoint, props: Value) -> Value {
    let mut properties = json!({
        "id": e.id().as_str(),
        "type": e.kind().as_str(),
        "name": e.name(),
        "source": e.provenance().source,
    });
    if let (Value::Object(dst), Value::Object(src)) = (&mut properties, props) {
        for (k, v) in src {
            if !v.is_null() {
                dst.insert(k, v);
            }
        }
    }
    json!({
        "type": "Feature",
        "id": e.id().as_str(),
        // GeoJSON wants longitude first.
        "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
        "properties": properties,
    })
}

/// The feature for a record, when it has coordinates.
pub fn to_feature(e: &Entity) -> Option<Value> {
    match e {
        Entity::Place(pl) => pl.location.map(|p| {
            feature(
                e,
                p,
                json!({
                    "actor": pl.actor.as_ref().map(|a| a.as_str()),
                    "territory": pl.territory.as_ref().map(|t| t.as_str()),
                    "address": Some(pl.address.one_line()).filter(|s| !s.is_empty()),
                    "typologie": pl.details.get("typologie"),
                }),
            )
        }),
        Entity::Actor(a) => a.location.map(|p| {
            feature(
                e,
                p,
                json!({
                    "kind": a.kind,
                    "typology": if a.typology.is_empty() { Value::Null } else { json!(a.typology) },
                    "territory": a.territory.as_ref().map(|t| t.as_str()),
                }),
            )
        }),
        _ => None,
    }
}

/// Writes a FeatureCollection of the records that have coordinates.
pub fn export(entities: &[Entity], out: &mut dyn std::io::Write) -> Result<(), ExportError> {
    let features: Vec<Value> = entities.iter().filter_map(to_feature).collect();
    let fc = json!({ "type": "FeatureCollection", "features": features });
    serde_json::to_writer(&mut *out, &fc)?;
    writeln!(out)?;
    Ok(())
}
