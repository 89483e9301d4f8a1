//! One CSV file per entity kind, for spreadsheets.
//!
//! Each kind has a fixed list of columns, each bound to a field of the
//! record (a path in its JSON form) and a cell type: text, a `|`-separated
//! list, a number, a boolean, or JSON for open-ended maps. Provenance
//! columns come last; when a hand-made file leaves them out, the import
//! fills them in (source given at import, this file and line, now).
//! An exported file imports back to the same records.

use crate::{accept_checked, csv_reader, each_record, ExportError, ImportContext, Parsed};
use archipel_domain::*;
use serde_json::{Map, Value};

#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Text,
    List,
    Number,
    Integer,
    Bool,
    Json,
}

struct Col {
    name: &'static str,
    path: &'static [&'static str],
    cell: Cell,
}

const fn col(name: &'static str, path: &'static [&'static str], cell: Cell) -> Col {
    Col { name, path, cell }
}

const PROVENANCE: &[Col] = &[
    col("source", &["provenance", "source"], Cell::Text),
    col("file", &["provenance", "file"], Cell::Text),
    col("line", &["provenance", "line"], Cell::Integer),
    col("source_date", &["provenance", "source_date"], Cell::Text),
    col("created_at", &["provenance", "created_at"], Cell::Text),
    col("updated_at", &["provenance", "updated_at"], Cell::Text),
];

const TERRITORY: &[Col] = &[
    col("id", &["id"], Cell::Text),
    col("name", &["name"], Cell::Text),
    col("level", &["level"], Cell::Text),
    col("code", &["code"], Cell::Text),
    col("parent", &["parent"], Cell::Text),
    col("department", &["department"], Cell::Text),
    col("population", &["population"], Cell::Integer),
    col("postcodes", &["postcodes"], Cell::List),
    col("fictional", &["fictional"], Cell::Bool),
];

const ACTOR: &[Col] = &[
    col("id", &["id"], Cell::Text),
    col("name", &["name"], Cell::Text),
    col("nature", &["nature"], Cell::Text),
    col("kind", &["kind"], Cell::Text),
    col("typology", &["typology"], Cell::List),
    col("description", &["description"], Cell::Text),
    col("siret", &["identifiers", "siret"], Cell::Text),
    col("siren", &["identifiers", "siren"], Cell::Text),
    col("rna", &["identifiers", "rna"], Cell::Text),
    col("other_id", &["identifiers", "other"], Cell::Text),
    col("wikidata", &["identifiers", "wikidata"], Cell::Text),
    col("website", &["website"], Cell::Text),
    col("email", &["email"], Cell::Text),
    col("territory", &["territory"], Cell::Text),
    col("lat", &["location", "lat"], Cell::Number),
    col("lon", &["location", "lon"], Cell::Number),
];

const PLACE: &[Col] = &[
    col("id", &["id"], Cell::Text),
    col("name", &["name"], Cell::Text),
    col("actor", &["actor"], Cell::Text),
    col("description", &["description"], Cell::Text),
    col("street", &["address", "street"], Cell::Text),
    col("complement", &["address", "complement"], Cell::Text),
    col("postcode", &["address", "postcode"], Cell::Text),
    col("city", &["address", "city"], Cell::Text),
    col("insee_code", &["insee_code"], Cell::Text),
    col("lat", &["location", "lat"], Cell::Number),
    col("lon", &["location", "lon"], Cell::Number),
    col("territory", &["territory"], Cell::Text),
    col("phone", &["phone"], Cell::Text),
    col("emails", &["emails"], Cell::List),
    col("websites", &["websites"], Cell::List),
    col("details", &["details"], Cell::Json),
];

const COMMONS: &[Col] = &[
    col("id", &["id"], Cell::Text),
    col("name", &["name"], Cell::Text),
    col("kind", &["kind"], Cell::Text),
    col("description", &["description"], Cell::Text),
    col("repository_url", &["repository_url"], Cell::Text),
    col("website_url", &["website_url"], Cell::Text),
    col("license", &["license"], Cell::Text),
    col("categories", &["categories"], Cell::List),
    col("wikidata", &["identifiers", "wikidata"], Cell::Text),
    col(
        "comptoir_du_libre",
        &["identifiers", "comptoir_du_libre"],
        Cell::Text,
    ),
    col("sill", &["identifiers", "sill"], Cell::Text),
    col("details", &["details"], Cell::Json),
    col("publiccode", &["publiccode"], Cell::Text),
];

const RELATION: &[Col] = &[
    col("id", &["id"], Cell::Text),
    col("subject", &["subject"], Cell::Text),
    col("kind", &["kind"], Cell::Text),
    col("object", &["object"], Cell::Text),
    col("role", &["role"], Cell::Text),
    col("since", &["since"], Cell::Text),
    col("until", &["until"], Cell::Text),
    col("note", &["note"], Cell::Text),
];

fn columns(kind: EntityKind) -> impl Iterator<Item = &'static Col> {
    let own = match kind {
        EntityKind::Territory => TERRITORY,
        EntityKind::Actor => ACTOR,
        EntityKind::Place => PLACE,
        EntityKind::Commons => COMMONS,
        EntityKind::Relation => RELATION,
    };
    own.iter().chain(PROVENANCE.iter())
}

/// The header of the CSV file for `kind`.
pub fn header(kind: EntityKind) -> Vec<&'static str> {
    columns(kind).map(|c| c.name).collect()
}

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, k| cur.get(k))
}

fn cell_text(v: Option<&Value>, cell: Cell) -> String {
    match (v, cell) {
        (None | Some(Value::Null), _) => String::new(),
        (Some(Value::Array(items)), Cell::List) => items
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        (Some(Value::Object(m)), Cell::Json) if m.is_empty() => String::new(),
        (Some(x), Cell::Json) => x.to_string(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(Value::Bool(b)), _) => {
            if *b {
                "true".into()
            } else {
                String::new()
            }
        }
        (Some(x), _) => x.to_string(),
    }
}

/// Writes the records of one kind as CSV, one at a time
/// ([`Writer::begin`], [`Writer::record`], [`Writer::finish`]); records of
/// other kinds are skipped. Cells a spreadsheet would run as formulas get
/// a quote before them ([`crate::spreadsheet`]), which the import removes.
pub struct Writer<'w> {
    kind: EntityKind,
    csv: csv::Writer<&'w mut dyn std::io::Write>,
}

impl<'w> Writer<'w> {
    pub fn begin(kind: EntityKind, out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(header(kind))?;
        Ok(Writer { kind, csv })
    }

    pub fn record(&mut self, e: &Entity) -> Result<(), ExportError> {
        if e.kind() != self.kind {
            return Ok(());
        }
        let v = serde_json::to_value(e)?;
        for c in columns(self.kind) {
            let text = cell_text(get(&v, c.path), c.cell);
            self.csv
                .write_field(crate::spreadsheet::neutralise(&text).as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.csv.flush()?;
        Ok(())
    }
}

/// Writes records of one kind (others are skipped) as CSV.
pub fn export(
    kind: EntityKind,
    entities: &[Entity],
    out: &mut dyn std::io::Write,
) -> Result<(), ExportError> {
    let mut w = Writer::begin(kind, out)?;
    entities.iter().try_for_each(|e| w.record(e))?;
    w.finish()
}

fn set(root: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for p in parents {
        let next = cur
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(m) = next else { return };
        cur = m;
    }
    cur.insert((*last).to_string(), value);
}

fn cell_value(text: &str, cell: Cell) -> Result<Option<Value>, String> {
    let text = crate::spreadsheet::restore(text);
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(match cell {
        Cell::Text => Value::String(text.to_string()),
        Cell::List => Value::Array(
            text.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        Cell::Number => {
            let x = parse_coordinate(text)?;
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` is not a number"))?
        }
        Cell::Integer => Value::Number(
            text.parse::<u64>()
                .map_err(|_| format!("`{text}` is not a whole number"))?
                .into(),
        ),
        Cell::Bool => match text {
            "true" | "1" | "yes" | "oui" => Value::Bool(true),
            "false" | "0" | "no" | "non" => Value::Bool(false),
            _ => return Err(format!("`{text}` is not true or false")),
        },
        Cell::Json => serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?,
    }))
}

/// Reads a CSV file of one entity kind; the kind is read from the prefix
/// of the first row's `id`.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

const EXTENSION: &str = "csv";

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    run(bytes, ctx, Parsed::new(EXTENSION, sink)).finish()
}

fn run(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let Some(id_col) = headers.iter().position(|h| h.trim() == "id") else {
        parsed.stop(ctx.problem(file.header_line, "id", "required column is missing"));
        return parsed;
    };
    let mut kind: Option<EntityKind> = None;
    let mut seen = std::collections::HashSet::new();
    each_record(&mut file, ctx, &mut parsed, |record, line, parsed| {
        let raw_id = record.get(id_col).unwrap_or("").trim();
        let id = match EntityId::parse(raw_id) {
            Ok(id) => id,
            Err(e) => return parsed.problems.push(ctx.problem(line, "id", e.to_string())),
        };
        let k = *kind.get_or_insert(id.kind());
        if id.kind() != k {
            let reason = format!("a {} in a file of {}s", id.kind(), k);
            return parsed.problems.push(ctx.problem(line, "id", reason));
        }
        match row_entity(k, &headers, record, line, ctx) {
            Ok(e) => accept_checked(parsed, ctx, line, e, &mut seen, |f| column_of(k, f)),
            Err(p) => parsed.problems.extend(p),
        }
    });
    parsed
}

/// The column of a `kind` file that holds the record's field `path` (a
/// path of its JSON form, as checks name fields: `address.street` is the
/// column `street`, `details.horaires` the column `details`).
fn column_of(kind: EntityKind, path: &str) -> String {
    columns(kind)
        .find(|c| {
            let p = c.path.join(".");
            p == path
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
                || p.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .map_or_else(|| path.to_string(), |c| c.name.to_string())
}

fn row_entity(
    kind: EntityKind,
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
    line: u64,
    ctx: &ImportContext<'_>,
) -> Result<Entity, Vec<crate::Problem>> {
    let mut problems = Vec::new();
    let mut obj = Map::new();
    obj.insert("type".into(), Value::String(kind.as_str().into()));
    let cols: Vec<&Col> = columns(kind).collect();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        let Some(c) = cols.iter().find(|c| c.name == h) else {
            problems.push(ctx.problem(line, h, format!("unknown column for a {kind}")));
            continue;
        };
        match cell_value(record.get(i).unwrap_or("").trim(), c.cell) {
            Ok(Some(v)) => set(&mut obj, c.path, v),
            Ok(None) => {}
            Err(r) => problems.push(ctx.problem(line, h, r)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Provenance the file did not give.
    let fill = ctx.provenance(line);
    let prov = obj
        .entry("provenance")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(p) = prov {
        let now = Value::String(crate::ts(&fill.created_at));
        p.entry("source")
            .or_insert(Value::String(fill.source.to_string()));
        if !p.contains_key("created_at") {
            p.insert("file".into(), Value::String(ctx.file.to_string()));
            p.insert("line".into(), Value::Number(line.into()));
        }
        p.entry("created_at").or_insert(now.clone());
        p.entry("updated_at").or_insert(now);
    }
    serde_json::from_value::<Entity>(Value::Object(obj)).map_err(|e| {
        let msg = e.to_string();
        let field = msg
            .split('`')
            .nth(1)
            .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or("")
            .to_string();
        vec![ctx.problem(line, &field, msg)]
    })
}
