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

/// Writes a FeatureCollection one record at a time ([`Writer::begin`],
/// [`Writer::record`], [`Writer::finish`]); records without coordinates
/// are left out.
pub struct Writer<'w> {
    out: &'w mut dyn std::io::Write,
    written: u64,
}

impl<'w> Writer<'w> {
    pub fn begin(out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        Ok(Writer { out, written: 0 })
    }

    pub fn record(&mut self, e: &Entity) -> Result<(), ExportError> {
        let Some(f) = to_feature(e) else {
            return Ok(());
        };
        if self.written > 0 {
            self.out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *self.out, &f)?;
        self.written += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<(), ExportError> {
        self.out.write_all(b"]}\n")?;
        Ok(())
    }
}

/// Writes a FeatureCollection of the records that have coordinates.
pub fn export(entities: &[Entity], out: &mut dyn std::io::Write) -> Result<(), ExportError> {
    let mut w = Writer::begin(out)?;
    entities.iter().try_for_each(|e| w.record(e))?;
    w.finish()
}
