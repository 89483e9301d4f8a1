//! Archipel's own formats for public action records (`archipel import
//! actions`, `archipel export actions`): applications to calls, hardware
//! lent or given, hosting, trainings and events, dedicated posts — and, in
//! JSON, calls and grants too (those have their national CSV formats,
//! [`crate::dispositif`] and [`crate::scdl`]).
//!
//! **JSON**: `{"format": "archipel-actions", "version": 1, "records":
//! [...]}`, each record in the JSON form of [`Action`] (`"type":
//! "event"`…). An item without `provenance` gets the import's (source,
//! this file and line, now); an item with one keeps it, so an export
//! imports back to the same records.
//!
//! **CSV**: one file for every kind, a `type` column saying which; each
//! kind fills its own columns (a cell of another kind's column must be
//! empty). Amounts are in euros (`amount_asked`, `value`: `1500.50`, see
//! [`parse_euros`]), dates `YYYY-MM-DD` (a date written DD/MM/YYYY is
//! named with what to write), times `HH:MM` (Europe/Paris), lists of
//! commons separated by `|`, attendance by actor kind or typology as
//! `association=6|local_government=9`. Provenance columns come last and
//! may be left out. Cells a spreadsheet would run as formulas are written
//! with a quote before them ([`crate::spreadsheet`]), which the import
//! removes.
//!
//! Both are read whole: a file of public action is small next to the
//! registry. Every record is checked with `Content::check_action` (values,
//! vocabularies); problems are `FILE:LINE: field: reason`, the field being
//! the CSV column or the JSON path. Whether what is referred to exists is
//! the caller's business (it knows the registry).

use crate::read::{json_items, json_text, line_at, record_too_large};
use crate::{csv_reader, each_record_raw, ExportError, ImportContext, Parsed, Problem};
use archipel_domain::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The format's name: default source, batch log, JSON `format`.
pub const FORMAT: &str = "archipel-actions";
pub const VERSION: u32 = 1;

/// The kinds the CSV form holds.
pub const CSV_KINDS: [ActionKind; 5] = [
    ActionKind::Application,
    ActionKind::Hardware,
    ActionKind::Hosting,
    ActionKind::Event,
    ActionKind::Post,
];

/// What [`parse`] found: problems and rejects as every parser reports
/// them (`parsed.entities` stays empty), and the valid records with their
/// lines, in file order.
pub struct ActionsParsed {
    pub parsed: Parsed,
    pub actions: Vec<(u64, Action)>,
    /// Each record of `actions` as the file wrote it (a JSON item, a CSV
    /// row with its line break), for the rejects file should a later
    /// check set it aside.
    pub sources: Vec<Vec<u8>>,
}

/// Reads a file in either form: JSON when its first character (after a
/// byte order mark and blanks) is `{`, CSV otherwise.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> ActionsParsed {
    let first = crate::strip_bom(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        parse_json(bytes, ctx)
    } else {
        parse_csv(bytes, ctx)
    }
}

/// Checks a record and keeps it when nothing is wrong; `field` turns a
/// field of its JSON form into the name the file uses.
#[allow(clippy::too_many_arguments)]
fn accept(
    parsed: &mut Parsed,
    actions: &mut Vec<(u64, Action)>,
    sources: &mut Vec<Vec<u8>>,
    source: &[u8],
    ctx: &ImportContext<'_>,
    line: u64,
    a: Action,
    seen: &mut HashSet<ActionId>,
    field: impl Fn(&str) -> String,
) {
    let before = parsed.problems.len();
    for (f, r) in ctx.content.check_action(&a) {
        parsed.problems.push(ctx.problem(line, &field(&f), r));
    }
    if !seen.insert(a.id().clone()) {
        parsed.problems.push(ctx.problem(
            line,
            &field("id"),
            format!("`{}` appears twice in the file", a.id()),
        ));
    }
    if parsed.problems.len() == before {
        actions.push((line, a));
        sources.push(source.to_vec());
    }
}

/// The field a serde error names (`missing field `organiser``), if any.
fn serde_field(msg: &str) -> &str {
    msg.split('`')
        .nth(1)
        .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or("")
}

// ---------------------------------------------------------------- JSON

#[derive(Deserialize)]
struct Doc<'a> {
    format: String,
    version: u32,
    #[serde(borrow)]
    records: &'a RawValue,
}

/// Reads the JSON form.
pub fn parse_json(bytes: &[u8], ctx: &ImportContext<'_>) -> ActionsParsed {
    let mut out = ActionsParsed {
        parsed: Parsed::new("json", None),
        actions: Vec::new(),
        sources: Vec::new(),
    };
    let Some(text) = json_text(bytes, ctx, &mut out.parsed) else {
        return out;
    };
    let doc: Doc<'_> = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            out.parsed.stop(ctx.problem(
                e.line() as u64,
                "",
                format!("not an {FORMAT} JSON document: {e}"),
            ));
            return out;
        }
    };
    if doc.format != FORMAT || doc.version != VERSION {
        out.parsed.stop(ctx.problem(
            1,
            "format",
            format!(
                "expected format \"{FORMAT}\" version {VERSION}, found {} version {}",
                echo(&doc.format),
                doc.version
            ),
        ));
        return out;
    }
    let start = doc.records.get().as_ptr() as usize - text.as_ptr() as usize;
    let first_line = line_at(text.as_bytes(), start) - 1;
    let items = match json_items(doc.records.get(), ctx) {
        Ok(i) => i,
        Err(mut p) => {
            p.line += first_line;
            out.parsed.stop(p);
            return out;
        }
    };
    let mut seen = HashSet::new();
    for (line, raw) in items {
        let line = line + first_line;
        out.parsed.records += 1;
        let before = out.parsed.problems.len();
        if let Some(reason) = record_too_large(raw.get().len()) {
            out.parsed.problems.push(ctx.problem(line, "", reason));
        } else {
            match json_action(raw.get(), line, ctx) {
                Ok(a) => accept(
                    &mut out.parsed,
                    &mut out.actions,
                    &mut out.sources,
                    raw.get().as_bytes(),
                    ctx,
                    line,
                    a,
                    &mut seen,
                    str::to_string,
                ),
                Err(p) => out.parsed.problems.push(p),
            }
        }
        if out.parsed.problems.len() > before {
            out.parsed.rejected += 1;
            out.parsed
                .rejects
                .records
                .push(raw.get().as_bytes().to_vec());
        }
    }
    out
}

fn json_action(raw: &str, line: u64, ctx: &ImportContext<'_>) -> Result<Action, Problem> {
    let mut v: Map<String, Value> = serde_json::from_str(raw)
        .map_err(|e| ctx.problem(line, "", format!("not a JSON object: {e}")))?;
    if !v.contains_key("provenance") {
        let p = serde_json::to_value(ctx.provenance(line))
            .map_err(|e| ctx.problem(line, "provenance", e.to_string()))?;
        v.insert("provenance".into(), p);
    }
    serde_json::from_value::<Action>(Value::Object(v)).map_err(|e| {
        let msg = e.to_string();
        let field = serde_field(&msg).to_string();
        ctx.problem(line, &field, msg)
    })
}

/// Writes the JSON form one record at a time: Archipel JSON's writer under
/// this format's name.
pub struct JsonWriter;

impl JsonWriter {
    pub fn begin(out: &mut dyn std::io::Write) -> Result<crate::native::Writer<'_>, ExportError> {
        crate::native::Writer::begin_as(out, FORMAT, VERSION)
    }
}

// ----------------------------------------------------------------- CSV

/// How a cell is read and written.
#[derive(Clone, Copy, PartialEq)]
enum Cell {
    /// One line of text.
    Text,
    /// Text that may span lines.
    Block,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM` or `HH:MM:SS`, kept as `HH:MM:SS`.
    Time,
    /// A whole number from 0 (`u32`).
    Count,
    /// Euros written with `.` before the cents, kept as cents.
    Euros,
    Bool,
    /// A registry record's id.
    Entity,
    /// Registry records' ids separated by `|`.
    Entities,
    /// A public action record's id.
    Action,
    /// `key=n|key=n`.
    Counts,
    /// One of a list of words.
    Choice(&'static [&'static str]),
    /// A full-time equivalent.
    Fte,
    /// A provenance time (RFC 3339).
    Timestamp,
    /// A provenance line.
    Line,
}

use ActionKind::{Application as APP, Event as EVT, Hardware as HW, Hosting as HOST, Post as POST};

const ALL: &[ActionKind] = &[APP, HW, HOST, EVT, POST];

struct Col {
    name: &'static str,
    /// The field in the record's JSON form.
    path: &'static [&'static str],
    cell: Cell,
    /// Kinds that have it.
    kinds: &'static [ActionKind],
    /// Kinds that must fill it.
    required: &'static [ActionKind],
}

const fn col(
    name: &'static str,
    path: &'static [&'static str],
    cell: Cell,
    kinds: &'static [ActionKind],
    required: &'static [ActionKind],
) -> Col {
    Col {
        name,
        path,
        cell,
        kinds,
        required,
    }
}

/// The columns, in the order an export writes them.
const COLUMNS: &[Col] = &[
    col("type", &["type"], Cell::Text, ALL, ALL),
    col("id", &["id"], Cell::Action, ALL, ALL),
    col("territory", &["territory"], Cell::Entity, ALL, &[]),
    // Applications.
    col("call", &["call"], Cell::Action, &[APP], &[APP]),
    col("applicant", &["applicant"], Cell::Entity, &[APP], &[APP]),
    col(
        "applicant_name",
        &["applicant_name"],
        Cell::Text,
        &[APP],
        &[APP],
    ),
    col("purpose", &["purpose"], Cell::Text, &[APP], &[APP]),
    col(
        "status",
        &["status"],
        Cell::Choice(&["submitted", "accepted", "refused", "withdrawn"]),
        &[APP],
        &[APP],
    ),
    col(
        "amount_asked",
        &["amount_asked_cents"],
        Cell::Euros,
        &[APP],
        &[],
    ),
    col("submitted", &["submitted"], Cell::Date, &[APP], &[APP]),
    col("decided", &["decided"], Cell::Date, &[APP], &[]),
    col("grant", &["grant"], Cell::Action, &[APP], &[]),
    // Hardware.
    col("items", &["items"], Cell::Text, &[HW], &[HW]),
    col("quantity", &["quantity"], Cell::Count, &[HW], &[HW]),
    col(
        "transfer",
        &["transfer"],
        Cell::Choice(&["loan", "gift"]),
        &[HW],
        &[HW],
    ),
    col("giver", &["giver"], Cell::Entity, &[HW], &[HW]),
    col("recipient", &["recipient"], Cell::Entity, &[HW], &[HW]),
    col("from", &["from"], Cell::Date, &[HW], &[HW]),
    col("returned", &["returned"], Cell::Bool, &[HW], &[]),
    col("value", &["value_cents"], Cell::Euros, &[HW], &[]),
    // Hosting.
    col("what", &["what"], Cell::Text, &[HOST], &[HOST]),
    col("host", &["host"], Cell::Entity, &[HOST], &[HOST]),
    col("hosted_for", &["hosted_for"], Cell::Entity, &[HOST], &[]),
    col(
        "infrastructure",
        &["infrastructure"],
        Cell::Text,
        &[HOST],
        &[],
    ),
    // Events.
    col("name", &["name"], Cell::Text, &[EVT], &[EVT]),
    col("category", &["category"], Cell::Text, &[EVT], &[EVT]),
    col("description", &["description"], Cell::Block, &[EVT], &[]),
    col("organiser", &["organiser"], Cell::Entity, &[EVT], &[EVT]),
    col("location", &["location"], Cell::Text, &[EVT], &[]),
    col("starts", &["starts"], Cell::Date, &[EVT], &[EVT]),
    col("start_time", &["start_time"], Cell::Time, &[EVT], &[]),
    col("ends", &["ends"], Cell::Date, &[EVT], &[]),
    col("end_time", &["end_time"], Cell::Time, &[EVT], &[]),
    col("audience", &["audience"], Cell::Text, &[EVT], &[]),
    col("capacity", &["capacity"], Cell::Count, &[EVT], &[]),
    col("url", &["url"], Cell::Text, &[EVT], &[]),
    col(
        "attendance_total",
        &["attendance", "total"],
        Cell::Count,
        &[EVT],
        &[],
    ),
    col(
        "attendance_by_actor_kind",
        &["attendance", "by_actor_kind"],
        Cell::Counts,
        &[EVT],
        &[],
    ),
    col(
        "attendance_by_typology",
        &["attendance", "by_typology"],
        Cell::Counts,
        &[EVT],
        &[],
    ),
    col(
        "attendance_public_agents",
        &["attendance", "public_agents"],
        Cell::Count,
        &[EVT],
        &[],
    ),
    // Posts.
    col("role", &["role"], Cell::Text, &[POST], &[POST]),
    col("employer", &["employer"], Cell::Entity, &[POST], &[POST]),
    col("fte", &["fte"], Cell::Fte, &[POST], &[POST]),
    col("funding", &["funding"], Cell::Block, &[POST], &[]),
    col("funder", &["funder"], Cell::Entity, &[POST], &[]),
    // Shared.
    col("place", &["place"], Cell::Entity, &[HW, EVT], &[]),
    col("since", &["since"], Cell::Date, &[HOST, POST], &[POST]),
    col("until", &["until"], Cell::Date, &[HW, HOST, POST], &[]),
    col(
        "commons",
        &["commons"],
        Cell::Entities,
        &[APP, HOST, EVT],
        &[],
    ),
    // Provenance.
    col("source", &["provenance", "source"], Cell::Text, ALL, &[]),
    col("file", &["provenance", "file"], Cell::Text, ALL, &[]),
    col("line", &["provenance", "line"], Cell::Line, ALL, &[]),
    col(
        "source_date",
        &["provenance", "source_date"],
        Cell::Date,
        ALL,
        &[],
    ),
    col(
        "created_at",
        &["provenance", "created_at"],
        Cell::Timestamp,
        ALL,
        &[],
    ),
    col(
        "updated_at",
        &["provenance", "updated_at"],
        Cell::Timestamp,
        ALL,
        &[],
    ),
];

/// The CSV header.
pub fn csv_columns() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// The column holding the field `path` of a record's JSON form (as the
/// checks name fields: `attendance.by_typology.academic` is the column
/// `attendance_by_typology`, `amount_asked_cents` the column
/// `amount_asked`).
fn column_of(path: &str) -> String {
    COLUMNS
        .iter()
        .find(|c| {
            let p = c.path.join(".");
            p == path
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .map_or_else(|| path.to_string(), |c| c.name.to_string())
}

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
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

/// A cell's text as an export writes it (before neutralisation).
fn cell_text(v: Option<&Value>, cell: Cell) -> String {
    match (v, cell) {
        (None | Some(Value::Null), _) => String::new(),
        (Some(Value::Number(n)), Cell::Euros) => n.as_i64().map(format_euros).unwrap_or_default(),
        (Some(Value::Array(items)), _) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        (Some(Value::Object(m)), _) => m
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect::<Vec<_>>()
            .join("|"),
        (Some(Value::Bool(b)), _) => if *b { "true" } else { "" }.to_string(),
        (Some(Value::String(s)), Cell::Time) => s.strip_suffix(":00").unwrap_or(s).to_string(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(x), _) => x.to_string(),
    }
}

fn count(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .map_err(|_| format!("{} is not a whole number (digits only)", echo(text)))
}

fn date(text: &str) -> Result<Value, String> {
    if let Some(fixed) = crate::scdl::french_date(text) {
        return Err(format!(
            "{} is written DD/MM/YYYY; write dates as YYYY-MM-DD: {}",
            echo(text),
            echo(&fixed)
        ));
    }
    parse_date(text).map(|d| Value::String(d.to_string()))
}

/// A cell's value in the record's JSON form (`None`: empty).
fn cell_value(text: &str, cell: Cell) -> Result<Option<Value>, String> {
    let text = crate::spreadsheet::restore(text);
    if text.is_empty() {
        return Ok(None);
    }
    let kind = if cell == Cell::Block {
        TextKind::Block
    } else {
        TextKind::Line
    };
    check_text(text, kind)?;
    let s = |t: &str| Value::String(t.to_string());
    Ok(Some(match cell {
        Cell::Text | Cell::Block => s(text),
        Cell::Date => date(text)?,
        Cell::Time => {
            let t = chrono::NaiveTime::parse_from_str(text, "%H:%M")
                .or_else(|_| chrono::NaiveTime::parse_from_str(text, "%H:%M:%S"))
                .map_err(|_| format!("{} is not a time of the form HH:MM", echo(text)))?;
            s(&t.format("%H:%M:%S").to_string())
        }
        Cell::Count => Value::from(count(text)?),
        Cell::Line => Value::from(
            text.parse::<u64>()
                .map_err(|_| format!("{} is not a whole number", echo(text)))?,
        ),
        Cell::Euros => Value::from(parse_euros(text)?),
        Cell::Bool => match text {
            "true" | "1" | "yes" | "oui" => Value::Bool(true),
            "false" | "0" | "no" | "non" => Value::Bool(false),
            _ => return Err(format!("{} is not true or false", echo(text))),
        },
        Cell::Entity => {
            EntityId::parse(text).map_err(|e| e.to_string())?;
            s(text)
        }
        Cell::Entities => {
            let mut ids = Vec::new();
            for part in text.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                EntityId::parse(part).map_err(|e| e.to_string())?;
                ids.push(s(part));
            }
            Value::Array(ids)
        }
        Cell::Action => {
            ActionId::parse(text).map_err(|e| format!("{e} (an id such as call:SOURCE:LOCAL)"))?;
            s(text)
        }
        Cell::Counts => {
            let mut m = Map::new();
            for part in text.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                let Some((k, n)) = part.split_once('=') else {
                    return Err(format!(
                        "{} is not key=number (such as association=6|local_government=9)",
                        echo(part)
                    ));
                };
                let k = k.trim();
                if m.contains_key(k) {
                    return Err(format!("{} is given twice", echo(k)));
                }
                m.insert(k.to_string(), Value::from(count(n.trim())?));
            }
            Value::Object(m)
        }
        Cell::Choice(words) => {
            if !words.contains(&text) {
                return Err(format!("{} is not one of {}", echo(text), words.join(", ")));
            }
            s(text)
        }
        Cell::Fte => {
            Fte::parse(text)?;
            s(text)
        }
        Cell::Timestamp => {
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| format!("{} is not an RFC 3339 time", echo(text)))?;
            s(text)
        }
    }))
}

/// Reads the CSV form.
pub fn parse_csv(bytes: &[u8], ctx: &ImportContext<'_>) -> ActionsParsed {
    let mut out = ActionsParsed {
        parsed: Parsed::new("csv", None),
        actions: Vec::new(),
        sources: Vec::new(),
    };
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut out.parsed) else {
        return out;
    };
    let names = csv_columns();
    let index = crate::column_index(
        &headers,
        &names,
        |j| j < 2,
        "unknown column (see `archipel export actions --format csv` for the columns)",
        file.header_line,
        ctx,
        &mut out.parsed,
    );
    if out.parsed.stopped {
        return out;
    }
    let mut seen = HashSet::new();
    let mut actions = Vec::new();
    let mut sources = Vec::new();
    each_record_raw(
        &mut file,
        ctx,
        &mut out.parsed,
        |record, line, raw, parsed| {
            if record.len() != headers.len() {
                parsed.problems.push(ctx.problem(
                    line,
                    "",
                    format!("{} fields, the header has {}", record.len(), headers.len()),
                ));
                return;
            }
            match csv_action(record, &index, line, ctx) {
                Ok(a) => accept(
                    parsed,
                    &mut actions,
                    &mut sources,
                    raw,
                    ctx,
                    line,
                    a,
                    &mut seen,
                    column_of,
                ),
                Err(p) => parsed.problems.extend(p),
            }
        },
    );
    out.actions = actions;
    out.sources = sources;
    out
}

fn csv_action(
    record: &csv::StringRecord,
    index: &[Option<usize>],
    line: u64,
    ctx: &ImportContext<'_>,
) -> Result<Action, Vec<Problem>> {
    let cellv = |j: usize| index[j].and_then(|i| record.get(i)).unwrap_or("").trim();
    let raw_type = cellv(0);
    let kind = match ActionKind::parse(raw_type) {
        Some(k) if k.as_str() == raw_type && CSV_KINDS.contains(&k) => k,
        Some(ActionKind::Call | ActionKind::Grant) => {
            return Err(vec![ctx.problem(
                line,
                "type",
                format!(
                    "{} records have their own CSV formats (dispositifs for calls, \
                     scdl-subventions for grants) or the JSON form of this one",
                    echo(raw_type)
                ),
            )])
        }
        _ => {
            let kinds: Vec<&str> = CSV_KINDS.iter().map(|k| k.as_str()).collect();
            return Err(vec![ctx.problem(
                line,
                "type",
                format!("{} is not one of {}", echo(raw_type), kinds.join(", ")),
            )]);
        }
    };
    let mut problems = Vec::new();
    let mut obj = Map::new();
    obj.insert("type".into(), Value::String(kind.as_str().into()));
    for (j, c) in COLUMNS.iter().enumerate().skip(1) {
        let text = cellv(j);
        if text.is_empty() {
            if c.required.contains(&kind) {
                problems.push(ctx.problem(line, c.name, format!("required when `type` is {kind}")));
            }
            continue;
        }
        if !c.kinds.contains(&kind) {
            problems.push(ctx.problem(
                line,
                c.name,
                format!("`type` {kind} has no such field; leave it empty"),
            ));
            continue;
        }
        match cell_value(text, c.cell) {
            Ok(Some(v)) => set(&mut obj, c.path, v),
            Ok(None) => {}
            Err(r) => problems.push(ctx.problem(line, c.name, r)),
        }
    }
    if let Some(Value::Object(a)) = obj.get("attendance") {
        if !a.contains_key("total") {
            problems.push(ctx.problem(
                line,
                "attendance_total",
                "required when other attendance columns are filled",
            ));
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
    serde_json::from_value::<Action>(Value::Object(obj)).map_err(|e| {
        let msg = e.to_string();
        vec![ctx.problem(line, &column_of(serde_field(&msg)), msg)]
    })
}

/// Writes the CSV form one record at a time ([`CsvWriter::begin`],
/// [`CsvWriter::record`], [`CsvWriter::finish`]); calls and grants are
/// skipped (they have their own CSV formats). Cells a spreadsheet would
/// run as formulas get a quote before them, which the import removes.
pub struct CsvWriter<'w> {
    csv: csv::Writer<&'w mut dyn std::io::Write>,
}

impl<'w> CsvWriter<'w> {
    pub fn begin(out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(csv_columns())?;
        Ok(CsvWriter { csv })
    }

    /// Writes `a`; says whether it did (not for calls and grants).
    pub fn record(&mut self, a: &Action) -> Result<bool, ExportError> {
        if !CSV_KINDS.contains(&a.variant_kind()) {
            return Ok(false);
        }
        let v = serde_json::to_value(a)?;
        for c in COLUMNS {
            let text = cell_text(get(&v, c.path), c.cell);
            self.csv
                .write_field(crate::spreadsheet::neutralise(&text).as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(true)
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.csv.flush()?;
        Ok(())
    }
}
