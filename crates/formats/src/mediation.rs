//! The national schema "lieux de médiation numérique" (schema.data.gouv.fr,
//! CSV, 32 columns, `|` between the items of a list).
//!
//! Each row becomes a [`Place`] and the [`Actor`] that runs it. The actor is
//! identified by the row's `pivot` (SIRET, RNA or RIDET), so that several
//! places run by one organisation (the libraries of a city) point at one
//! actor. Both are attached to the row's commune: the official commune
//! when the registry holds the official divisions
//! (`ImportContext::communes`: by INSEE code, else postcode and city name),
//! else the commune of the row's INSEE code, which becomes a territory
//! when the registry does not know it yet. Columns without a place in the common model are kept
//! verbatim in the place's `details`, so that [`export`] gives back every
//! field of an imported file.
//!
//! Validation follows the schema file itself (`content/schemas/`): required
//! fields, patterns, enumerated lists, dates, lengths, uniqueness of `id`,
//! plus coordinates in range and given together, the text rule on every
//! cell (one line, except the descriptions and the columns kept in
//! `details`), and the link and address rules on the columns that hold
//! them ([`LINKS`], [`ADDRESSES`]).

use crate::table_schema::{TableSchema, UniqueTracker};
use crate::{column_index, csv_reader, each_record, ExportError, ImportContext, Parsed};
use archipel_domain::*;
use rustc_hash::{FxHashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The schema as published, kept under `content/schemas/`.
pub const SCHEMA_JSON: &str = archipel_content::embedded::MEDIATION_SCHEMA.1;

fn schema() -> &'static TableSchema {
    static SCHEMA: OnceLock<TableSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| match TableSchema::from_json(SCHEMA_JSON) {
        Ok(s) => s,
        // The file is part of the binary and tested; failing here is a build defect.
        Err(e) => panic!("embedded médiation schema is invalid: {e}"),
    })
}

/// The schema's column names, in order.
pub fn columns() -> Vec<&'static str> {
    schema().names()
}

/// Columns mapped onto the common model rather than kept in `details`.
const CORE: &[&str] = &[
    "id",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "telephone",
    "courriels",
    "site_web",
    "presentation_resume",
];

/// Columns of links (`http(s)://…`, `|`-separated where several are
/// allowed). The published schema says so in their descriptions but
/// declares no `format`.
pub const LINKS: &[&str] = &["site_web", "fiche_acces_libre", "prise_rdv"];

/// Columns of e-mail addresses (`|`-separated), as [`LINKS`].
pub const ADDRESSES: &[&str] = &["courriels"];

/// Core columns that may hold several lines; the others hold one, and the
/// columns kept in `details` may hold several.
const BLOCKS: &[&str] = &["presentation_resume"];

/// The rules a column's cells follow besides the schema file's: the text
/// rule of their kind, and for links and addresses, that rule on each item.
struct CellRule {
    text: TextKind,
    items: Option<Check>,
}

impl CellRule {
    fn of(name: &str, core: bool) -> CellRule {
        let items: Option<Check> = if LINKS.contains(&name) {
            Some(check_url)
        } else if ADDRESSES.contains(&name) {
            Some(check_email)
        } else {
            None
        };
        let text = if core && !BLOCKS.contains(&name) {
            TextKind::Line
        } else {
            TextKind::Block
        };
        CellRule { text, items }
    }

    fn check(&self, v: &str) -> Result<(), String> {
        check_text(v, self.text)?;
        if let Some(check) = self.items {
            v.split('|')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .try_for_each(check)?;
        }
        Ok(())
    }
}

/// Problems with a place's `details` kept from a médiation file, wherever
/// the record comes from: the columns [`LINKS`] and [`ADDRESSES`] go out
/// again as links and addresses in a médiation export.
pub fn details_problems(details: &BTreeMap<String, String>) -> Vec<(String, String)> {
    details
        .iter()
        .filter_map(|(k, v)| {
            let rule = CellRule::of(k, false);
            // The text rule itself is the record check's (every detail).
            rule.items?;
            check_text(v, rule.text).ok()?;
            rule.check(v).err().map(|r| (format!("details.{k}"), r))
        })
        .collect()
}

fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The territory id of a commune by INSEE code (the official commune's:
/// `territory:insee:commune:29019`).
pub fn commune_id(code: &str) -> Result<EntityId, IdError> {
    crate::territories::territory_id("commune", code)
}

/// Reads a médiation CSV file.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

const EXTENSION: &str = "csv";

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    run(bytes, ctx, Parsed::new(EXTENSION, sink)).finish()
}

fn run(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let schema = schema();
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let at = file.header_line;
    // Column index of each schema field present in the file.
    let index = column_index(
        &headers,
        &schema.names(),
        |j| schema.fields[j].required,
        "unknown column (not in the schema \"lieux de médiation numérique\")",
        at,
        ctx,
        &mut parsed,
    );
    if parsed.stopped {
        return parsed;
    }

    let mut unique = UniqueTracker::new(schema.fields.len());
    let mut seen: HashSet<EntityId> = HashSet::default();
    let position: FxHashMap<&str, usize> = schema
        .fields
        .iter()
        .enumerate()
        .map(|(j, f)| (f.name.as_str(), j))
        .collect();
    let core: Vec<bool> = schema
        .fields
        .iter()
        .map(|f| CORE.contains(&f.name.as_str()))
        .collect();
    let rules: Vec<CellRule> = schema
        .fields
        .iter()
        .zip(&core)
        .map(|(f, &core)| CellRule::of(&f.name, core))
        .collect();
    each_record(&mut file, ctx, &mut parsed, |record, line, parsed| {
        let before = parsed.problems.len();
        if record.len() != headers.len() {
            parsed.problems.push(ctx.problem(
                line,
                "",
                format!("{} fields, the header has {}", record.len(), headers.len()),
            ));
        }
        let mut values: Vec<&str> = Vec::with_capacity(schema.fields.len());
        for (j, f) in schema.fields.iter().enumerate() {
            let v = index[j].and_then(|i| record.get(i)).unwrap_or("").trim();
            if let Err(reason) = rules[j].check(v).and_then(|()| f.check(v)) {
                parsed.problems.push(ctx.problem(line, &f.name, reason));
            } else if f.unique && !v.is_empty() && !unique.insert(j, v) {
                parsed.problems.push(ctx.problem(
                    line,
                    &f.name,
                    format!("{} is used by an earlier row; it must be unique", echo(v)),
                ));
            }
            values.push(v);
        }
        if parsed.problems.len() > before {
            return;
        }
        let row = Row {
            values: &values,
            position: &position,
            core: &core,
            fields: &schema.fields,
        };
        match build(&row, line, ctx, &seen) {
            Ok(entities) => {
                // Every value of these records is a cell checked above
                // with the domain's rules: only their keys are left.
                for e in &entities {
                    let found = ctx.content.check_vocabulary(e);
                    parsed
                        .problems
                        .extend(found.into_iter().map(|(f, r)| ctx.problem(line, &f, r)));
                }
                if parsed.problems.len() == before {
                    for e in entities {
                        // A place's id is unique in the file (a schema
                        // constraint, checked above); communes and actors
                        // come back row after row and are kept once.
                        if matches!(e, Entity::Place(_)) || seen.insert(e.id().clone()) {
                            parsed.accept(e);
                        }
                    }
                }
            }
            Err(p) => parsed.problems.extend(p),
        }
    });
    parsed
}

/// A row's checked values, by column position.
struct Row<'r> {
    values: &'r [&'r str],
    position: &'r FxHashMap<&'r str, usize>,
    /// Whether each column maps onto the common model (else: `details`).
    core: &'r [bool],
    fields: &'r [crate::table_schema::Field],
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.position
            .get(column)
            .and_then(|&j| self.values.get(j))
            .copied()
            .unwrap_or("")
    }
}

/// The records a valid row makes: its commune and its actor unless `seen`
/// (made by an earlier row), and its place.
fn build(
    v: &Row<'_>,
    line: u64,
    ctx: &ImportContext<'_>,
    seen: &HashSet<EntityId>,
) -> Result<Vec<Entity>, Vec<crate::Problem>> {
    let get = |k: &str| v.get(k);
    let mut problems = Vec::new();
    let place_id = EntityId::new(EntityKind::Place, &ctx.source, get("id"))
        .map_err(|e| vec![ctx.problem(line, "id", e.to_string())])?;
    let actor_id = EntityId::new(EntityKind::Actor, &ctx.source, get("pivot"))
        .map_err(|e| vec![ctx.problem(line, "pivot", e.to_string())])?;

    let location = match (get("latitude"), get("longitude")) {
        ("", "") => None,
        ("", _) => {
            problems.push(ctx.problem(line, "latitude", "longitude is given without latitude"));
            None
        }
        (_, "") => {
            problems.push(ctx.problem(line, "longitude", "latitude is given without longitude"));
            None
        }
        (la, lo) => match (parse_coordinate(la), parse_coordinate(lo)) {
            (Ok(lat), Ok(lon)) => {
                let p = GeoPoint { lat, lon };
                match check_point(p) {
                    Ok(()) => Some(p),
                    Err(reason) => {
                        let field = if reason.starts_with("longitude") {
                            "longitude"
                        } else {
                            "latitude"
                        };
                        problems.push(ctx.problem(line, field, reason));
                        None
                    }
                }
            }
            (Err(r), _) => {
                problems.push(ctx.problem(line, "latitude", r));
                None
            }
            (_, Err(r)) => {
                problems.push(ctx.problem(line, "longitude", r));
                None
            }
        },
    };
    // Checked with the other cells.
    let emails = split_list(get("courriels"));
    let websites = split_list(get("site_web"));
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut provenance = ctx.provenance(line);
    provenance.source_date = parse_date(get("date_maj")).ok();
    let official = ctx.communes.as_ref().and_then(|c| {
        c.resolve(
            opt(get("code_insee")).as_deref(),
            opt(get("code_postal")).as_deref(),
            opt(get("commune")).as_deref(),
        )
    });
    let territory = match (&official, opt(get("code_insee"))) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(code)) => Some(
            commune_id(&code).map_err(|e| vec![ctx.problem(line, "code_insee", e.to_string())])?,
        ),
        (None, None) => None,
    };

    // Collected in one go: the map is built from the sorted pairs instead
    // of by one insertion per column.
    let details: BTreeMap<String, String> = v
        .fields
        .iter()
        .zip(v.values)
        .zip(v.core)
        .filter(|((_, val), core)| !**core && !val.is_empty())
        .map(|((f, val), _)| (f.name.clone(), (*val).to_string()))
        .collect();

    let mut out = Vec::with_capacity(3);
    if let (Some(tid), Some(code), None) = (&territory, opt(get("code_insee")), &official) {
        if !seen.contains(tid) {
            out.push(Entity::Territory(Territory {
                id: tid.clone(),
                name: get("commune").to_string(),
                level: "commune".into(),
                code,
                parent: None,
                fictional: false,
                department: None,
                population: None,
                postcodes: Vec::new(),
                provenance: provenance.clone(),
            }));
        }
    }
    if !seen.contains(&actor_id) {
        let codes = split_list(get("typologie"));
        let mapping = codes.iter().find_map(|c| ctx.content.mediation_typology(c));
        out.push(Entity::Actor(Actor {
            id: actor_id.clone(),
            name: get("nom").to_string(),
            nature: Nature::Organisation,
            kind: mapping.map(|m| m.actor_kind.clone()),
            typology: mapping
                .and_then(|m| m.typology.clone())
                .into_iter()
                .collect(),
            description: None,
            identifiers: classify_register_number(get("pivot")),
            website: websites.first().cloned(),
            email: emails.first().cloned(),
            territory: territory.clone(),
            location,
            provenance: provenance.clone(),
        }));
    }
    out.push(Entity::Place(Place {
        id: place_id,
        name: get("nom").to_string(),
        actor: Some(actor_id),
        description: opt(get("presentation_resume")),
        address: Address {
            street: opt(get("adresse")),
            complement: opt(get("complement_adresse")),
            postcode: opt(get("code_postal")),
            city: opt(get("commune")),
        },
        insee_code: opt(get("code_insee")),
        location,
        territory,
        phone: opt(get("telephone")),
        emails,
        websites,
        details,
        provenance,
    }));
    Ok(out)
}

/// Whether a record from this format should only be created when absent
/// (communes named after a row must not overwrite a richer record).
pub fn create_only(e: &Entity) -> bool {
    matches!(e, Entity::Territory(_))
}

fn fmt_coord(x: f64) -> String {
    format!("{x}")
}

/// Writes places as a médiation CSV with the schema's 32 columns, one at a
/// time ([`Writer::begin`], [`Writer::place`], [`Writer::finish`]). Places
/// read from a médiation file give back their fields; other places give
/// what the common model knows of them, and their operator's identifier
/// for `pivot`. Cells a spreadsheet would run as formulas get a quote
/// before them ([`crate::spreadsheet`]); in a field with a maximum length,
/// such a cell gives up its last characters if the quote would not fit, so
/// that the file keeps to the schema.
pub struct Writer<'w> {
    csv: csv::Writer<&'w mut dyn std::io::Write>,
}

impl<'w> Writer<'w> {
    pub fn begin(out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        let mut csv = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        csv.write_record(columns())?;
        Ok(Writer { csv })
    }

    /// Writes `p`, run by `actor` (the record its `actor` names).
    pub fn place(&mut self, p: &Place, actor: Option<&Actor>) -> Result<(), ExportError> {
        for field in &schema().fields {
            let val = match field.name.as_str() {
                "id" => p.id.local().to_string(),
                "nom" => p.name.clone(),
                "commune" => p.address.city.clone().unwrap_or_default(),
                "code_postal" => p.address.postcode.clone().unwrap_or_default(),
                "code_insee" => p.insee_code.clone().unwrap_or_default(),
                "adresse" => p.address.street.clone().unwrap_or_default(),
                "complement_adresse" => p.address.complement.clone().unwrap_or_default(),
                "latitude" => p.location.map(|l| fmt_coord(l.lat)).unwrap_or_default(),
                "longitude" => p.location.map(|l| fmt_coord(l.lon)).unwrap_or_default(),
                "telephone" => p.phone.clone().unwrap_or_default(),
                "courriels" => p.emails.join("|"),
                "site_web" => p.websites.join("|"),
                "presentation_resume" => p.description.clone().unwrap_or_default(),
                other => match p.details.get(other) {
                    Some(v) => v.clone(),
                    None => fallback(other, p, actor),
                },
            };
            let mut cell = crate::spreadsheet::neutralise(&val).into_owned();
            while cell.len() > val.len() && field.check(&cell).is_err() && field.check(&val).is_ok()
            {
                cell.pop();
            }
            self.csv.write_field(cell.as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.csv.flush()?;
        Ok(())
    }
}

/// Values for places that did not come from a médiation file.
fn fallback(col: &str, p: &Place, actor: Option<&Actor>) -> String {
    match col {
        "pivot" => actor
            .and_then(|a| {
                let i = &a.identifiers;
                i.siret
                    .clone()
                    .or_else(|| i.rna.clone())
                    .or_else(|| i.siren.clone())
                    .or_else(|| i.other.clone())
            })
            .unwrap_or_default(),
        "date_maj" => p
            .provenance
            .source_date
            .unwrap_or_else(|| p.provenance.updated_at.date_naive())
            .to_string(),
        "source" => p.provenance.source.to_string(),
        _ => String::new(),
    }
}
