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

/// How the features of a GeoJSON file (a GoGoCarto export, a uMap
/// layer…) become records: a TOML file given with `--mapping`, naming
/// the property that holds each field (a dotted path reaches into an
/// object: `address.postalCode`) and translating the source's kinds and
/// categories into Archipel's vocabularies.
///
/// ```toml
/// id = "id"                     # required: the stable id
/// name = "name"                 # required
/// description = "description"
/// website = "website"
/// email = "email"
/// phone = "telephone"
/// street = "address.streetAddress"
/// postcode = "address.postalCode"
/// city = "address.addressLocality"
/// kind = "categories"           # its value(s) looked up in [kinds]
/// category = "categories"       # its value(s) looked up in [typology]
/// default_kind = "association"  # when no value of `kind` is in [kinds]
/// date = "updatedAt"            # the source's date of the facts (provenance)
///
/// [kinds]                       # source value → actor_kinds key
/// "Tiers-lieu" = "tiers_lieu"
/// [typology]                    # source value → typology key
/// "Fablab" = "fablab"
/// ```
///
/// Each feature with a point becomes an actor `actor:SOURCE:ID` (name,
/// kind, typology, description, website, e-mail, location) and, when an
/// address is mapped, the place `place:SOURCE:ID` it runs (name,
/// address, location, phone, website, e-mail), as the médiation import
/// does. Values not listed in `[kinds]`/`[typology]` are kept in the
/// place's `details` (`categories`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub default_kind: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub typology: std::collections::BTreeMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file and checks its vocabulary keys; errors are
    /// `FILE:LINE: key: reason`.
    pub fn parse(
        text: &str,
        file: &str,
        content: &archipel_content::Content,
    ) -> Result<Mapping, Vec<String>> {
        let line_of = |offset: usize| crate::read::line_at(text.as_bytes(), offset);
        let m: Mapping = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(s.start));
            vec![format!(
                "{file}:{line}: {}",
                printable(e.message().trim(), 300)
            )]
        })?;
        let mut errors = Vec::new();
        let find = |needle: &str| text.find(&format!("\"{needle}\"")).map_or(1, &line_of);
        let mut check = |vocab: &str, table: &str, key: &str, value: &str| {
            if !content.has_term(vocab, value) {
                errors.push(format!(
                    "{file}:{}: {table}.{}: {} is not a key of the {vocab} vocabulary",
                    find(value),
                    printable(key, 60),
                    echo(value)
                ));
            }
        };
        for (k, v) in &m.kinds {
            check("actor_kinds", "kinds", k, v);
        }
        for (k, v) in &m.typology {
            check("typology", "typology", k, v);
        }
        if let Some(d) = &m.default_kind {
            check("actor_kinds", "default_kind", "", d);
        }
        if errors.is_empty() {
            Ok(m)
        } else {
            Err(errors)
        }
    }

    fn has_address(&self) -> bool {
        self.street.is_some() || self.postcode.is_some() || self.city.is_some()
    }
}

/// The value at a dotted path of a feature's properties.
fn at_path<'v>(props: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(props, |v, k| v.get(k))
}

/// The texts of a value: a string, a number, or an array of them
/// (GoGoCarto writes categories as an array of names).
fn texts(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.trim().to_string()],
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Array(a)) => a.iter().flat_map(|x| texts(Some(x))).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

/// Reads a GeoJSON FeatureCollection of points through `mapping`.
pub fn parse_to(
    bytes: &[u8],
    ctx: &crate::ImportContext<'_>,
    mapping: &Mapping,
    sink: Option<crate::Sink>,
) -> crate::Parsed {
    use serde_json::value::RawValue;
    let mut parsed = crate::Parsed::new("json", sink);
    let Some(text) = crate::read::json_text(bytes, ctx, &mut parsed) else {
        return parsed.finish();
    };
    #[derive(serde::Deserialize)]
    struct Collection<'a> {
        #[serde(rename = "type")]
        kind: String,
        #[serde(borrow)]
        features: Vec<&'a RawValue>,
    }
    let doc = match serde_json::from_str::<Collection<'_>>(text) {
        Ok(d) if d.kind == "FeatureCollection" => d,
        Ok(_) => {
            parsed.stop(ctx.problem(1, "type", "expected a GeoJSON FeatureCollection"));
            return parsed.finish();
        }
        Err(e) => {
            parsed.stop(ctx.problem(
                e.line() as u64,
                "",
                format!("not a GeoJSON FeatureCollection: {e}"),
            ));
            return parsed.finish();
        }
    };
    let base = text.as_ptr() as usize;
    let mut lines = crate::read::Lines::new(text.as_bytes());
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in doc.features.iter().enumerate() {
        parsed.records += 1;
        let line = lines.at((raw.get().as_ptr() as usize).saturating_sub(base));
        let before = parsed.problems.len();
        let path = format!("features[{i}]");
        if let Some(r) = crate::read::record_too_large(raw.get().len()) {
            parsed.problems.push(ctx.problem(line, &path, r));
        } else {
            match feature_records(raw.get(), &path, line, ctx, mapping) {
                Ok(records) => {
                    let mut problems = Vec::new();
                    for e in &records {
                        problems.extend(crate::entity_problems(ctx, line, e));
                        if !seen.insert(e.id().clone()) {
                            problems.push(ctx.problem(
                                line,
                                &format!("{path}.properties.{}", mapping.id),
                                format!("`{}` appears twice in the file", e.id()),
                            ));
                        }
                    }
                    if problems.is_empty() {
                        records.into_iter().for_each(|e| parsed.accept(e));
                    } else {
                        parsed.problems.extend(problems);
                    }
                }
                Err(p) => parsed.problems.extend(p),
            }
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(raw.get().as_bytes().to_vec());
        }
    }
    parsed.finish()
}

fn feature_records(
    raw: &str,
    path: &str,
    line: u64,
    ctx: &crate::ImportContext<'_>,
    m: &Mapping,
) -> Result<Vec<Entity>, Vec<crate::Problem>> {
    let f: Value = serde_json::from_str(raw)
        .map_err(|e| vec![ctx.problem(line, path, format!("not a JSON object: {e}"))])?;
    let mut problems = Vec::new();
    let props = f.get("properties").cloned().unwrap_or(Value::Null);
    let key = |k: &str| format!("{path}.properties.{k}");
    let one = |prop: &Option<String>,
               kind: TextKind,
               problems: &mut Vec<crate::Problem>|
     -> Option<String> {
        let p = prop.as_deref()?;
        let v = texts(at_path(&props, p)).into_iter().next()?;
        match check_text(&v, kind) {
            Ok(()) => Some(v),
            Err(r) => {
                problems.push(ctx.problem(line, &key(p), r));
                None
            }
        }
    };
    let id = one(&Some(m.id.clone()), TextKind::Line, &mut problems);
    let name = one(&Some(m.name.clone()), TextKind::Line, &mut problems);
    for (v, k) in [(&id, &m.id), (&name, &m.name)] {
        if v.is_none() && problems.is_empty() {
            problems.push(ctx.problem(line, &key(k), "required value is missing"));
        }
    }
    let description = one(&m.description, TextKind::Block, &mut problems);
    let website = one(&m.website, TextKind::Line, &mut problems);
    let email = one(&m.email, TextKind::Line, &mut problems);
    let phone = one(&m.phone, TextKind::Line, &mut problems);
    let street = one(&m.street, TextKind::Line, &mut problems);
    let postcode = one(&m.postcode, TextKind::Line, &mut problems);
    let city = one(&m.city, TextKind::Line, &mut problems);
    // GeoJSON: [longitude, latitude].
    let point = match f.get("geometry") {
        Some(g) if g.get("type").and_then(Value::as_str) == Some("Point") => {
            match g
                .get("coordinates")
                .and_then(Value::as_array)
                .map(|c| c.as_slice())
            {
                Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
                    (Some(lon), Some(lat)) => Some(GeoPoint { lat, lon }),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    };
    if point.is_none() {
        problems.push(ctx.problem(
            line,
            &format!("{path}.geometry"),
            "expected a Point with [longitude, latitude]",
        ));
    }
    let mut kind = None;
    if let Some(p) = &m.kind {
        kind = texts(at_path(&props, p))
            .iter()
            .find_map(|v| m.kinds.get(v).cloned());
    }
    let kind = kind.or_else(|| m.default_kind.clone());
    let mut typology = Vec::new();
    let mut other = Vec::new();
    if let Some(p) = &m.category {
        for v in texts(at_path(&props, p)) {
            match m.typology.get(&v) {
                Some(t) if !typology.contains(t) => typology.push(t.clone()),
                Some(_) => {}
                None if m.kinds.contains_key(&v) => {}
                None => other.push(v),
            }
        }
    }
    let (Some(id), Some(name), Some(point), true) = (id, name, point, problems.is_empty()) else {
        return Err(problems);
    };
    let (Ok(aid), Ok(pid)) = (
        EntityId::new(EntityKind::Actor, &ctx.source, &id),
        EntityId::new(EntityKind::Place, &ctx.source, &id),
    ) else {
        return Err(vec![ctx.problem(
            line,
            &key(&m.id),
            format!("{} cannot be an identifier", echo(&id)),
        )]);
    };
    let mut provenance = ctx.provenance(line);
    provenance.source_date = m
        .date
        .as_deref()
        .and_then(|p| texts(at_path(&props, p)).into_iter().next())
        .and_then(|d| crate::comptoir::date_prefix(&d));
    let mut out = vec![Entity::Actor(Actor {
        id: aid.clone(),
        name: name.clone(),
        nature: if kind.as_deref() == Some("person") {
            Nature::Person
        } else {
            Nature::Organisation
        },
        kind,
        typology,
        description,
        identifiers: Identifiers::default(),
        website: website.clone(),
        email: email.clone(),
        territory: None,
        location: Some(point),
        provenance: provenance.clone(),
    })];
    if m.has_address() {
        let mut details = std::collections::BTreeMap::new();
        if !other.is_empty() {
            details.insert("categories".to_string(), other.join(";"));
        }
        out.push(Entity::Place(Place {
            id: pid,
            name,
            actor: Some(aid),
            description: None,
            address: Address {
                street,
                complement: None,
                postcode,
                city,
            },
            insee_code: None,
            location: Some(point),
            territory: None,
            phone,
            emails: email.into_iter().collect(),
            websites: website.into_iter().collect(),
            details,
            provenance,
        }));
    }
    Ok(out)
}
