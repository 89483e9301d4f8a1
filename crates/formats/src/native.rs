//! Archipel's own JSON: every record with its provenance, lossless.
//!
//! ```json
//! { "format": "archipel", "version": 1, "records": [ { "type": "actor", "id": "actor:demo:x", … } ] }
//! ```
//!
//! Records are written kind by kind (territories, actors, places, commons,
//! relations), each kind sorted by id, so that export → import into an
//! empty registry → export gives the same bytes. Import keeps ids,
//! provenance and change times as written.

use crate::read::{json_items, json_text, line_at, record_too_large};
use crate::{accept_checked, ExportError, ImportContext, Parsed};
use archipel_domain::*;
use serde::Deserialize;
use serde_json::value::RawValue;

pub const FORMAT: &str = "archipel";
pub const VERSION: u32 = 1;

#[derive(Deserialize)]
struct Doc<'a> {
    format: String,
    version: u32,
    #[serde(borrow)]
    records: &'a RawValue,
}

/// Writes an Archipel JSON document one record at a time: [`Writer::begin`],
/// [`Writer::record`] for each record in export order, [`Writer::finish`].
pub struct Writer<'w> {
    out: &'w mut dyn std::io::Write,
    written: u64,
}

impl<'w> Writer<'w> {
    pub fn begin(out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        Writer::begin_as(out, FORMAT, VERSION)
    }

    /// The same document shape under another format name (the public
    /// action records' `archipel-actions`).
    pub fn begin_as(
        out: &'w mut dyn std::io::Write,
        format: &str,
        version: u32,
    ) -> Result<Self, ExportError> {
        writeln!(out, "{{")?;
        writeln!(out, "  \"format\": \"{format}\",")?;
        writeln!(out, "  \"version\": {version},")?;
        write!(out, "  \"records\": [")?;
        Ok(Writer { out, written: 0 })
    }

    /// Writes one record (an entity, or any record's JSON form).
    pub fn record(&mut self, e: &impl serde::Serialize) -> Result<(), ExportError> {
        self.out.write_all(if self.written == 0 {
            b"\n    "
        } else {
            b",\n    "
        })?;
        serde_json::to_writer(&mut *self.out, e)?;
        self.written += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<(), ExportError> {
        if self.written > 0 {
            writeln!(self.out)?;
            write!(self.out, "  ")?;
        }
        writeln!(self.out, "]")?;
        writeln!(self.out, "}}")?;
        Ok(())
    }
}

/// Writes `entities` (already in export order) as an Archipel JSON document.
pub fn export(entities: &[Entity], out: &mut dyn std::io::Write) -> Result<(), ExportError> {
    let mut w = Writer::begin(out)?;
    entities.iter().try_for_each(|e| w.record(e))?;
    w.finish()
}

/// Checks that do not depend on vocabularies: identifier syntax,
/// coordinates, the kind in the id matching the record's type.
pub fn record_problems(e: &Entity) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let ids = match e {
        Entity::Actor(a) => Some(&a.identifiers),
        Entity::Commons(c) => Some(&c.identifiers),
        _ => None,
    };
    if let Some(ids) = ids {
        for (f, r) in check_identifiers(ids) {
            out.push((format!("identifiers.{f}"), r));
        }
    }
    let loc = match e {
        Entity::Actor(a) => a.location,
        Entity::Place(p) => p.location,
        _ => None,
    };
    if let Some(p) = loc {
        if let Err(r) = check_point(p) {
            out.push(("location".into(), r));
        }
    }
    if let Entity::Relation(r) = e {
        if let (Some(s), Some(u)) = (r.since, r.until) {
            if u < s {
                out.push(("until".into(), format!("{u} is before since ({s})")));
            }
        }
    }
    if e.name().trim().is_empty() {
        out.push(("name".into(), "required value is missing".into()));
    }
    out
}

/// Reads an Archipel JSON document.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

const EXTENSION: &str = "json";

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    run(bytes, ctx, Parsed::new(EXTENSION, sink)).finish()
}

fn run(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let Some(text) = json_text(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let doc: Doc<'_> = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            parsed.stop(ctx.problem(
                e.line() as u64,
                "",
                format!("not an Archipel JSON document: {e}"),
            ));
            return parsed;
        }
    };
    if doc.format != FORMAT || doc.version != VERSION {
        parsed.stop(ctx.problem(
            1,
            "format",
            format!(
                "expected format \"{FORMAT}\" version {VERSION}, found {} version {}",
                archipel_domain::echo(&doc.format),
                doc.version
            ),
        ));
        return parsed;
    }
    // Line numbers are counted in the whole text: find where the records start.
    let start = doc.records.get().as_ptr() as usize - text.as_ptr() as usize;
    let first_line = line_at(text.as_bytes(), start) - 1;
    let items = match json_items(doc.records.get(), ctx) {
        Ok(i) => i,
        Err(mut p) => {
            p.line += first_line;
            parsed.stop(p);
            return parsed;
        }
    };
    let mut seen = std::collections::HashSet::new();
    for (line, raw) in items {
        let line = line + first_line;
        parsed.records += 1;
        let before = parsed.problems.len();
        if let Some(reason) = record_too_large(raw.get().len()) {
            parsed.problems.push(ctx.problem(line, "", reason));
        } else {
            match serde_json::from_str::<Entity>(raw.get()) {
                Ok(e) => accept_checked(&mut parsed, ctx, line, e, &mut seen, str::to_string),
                Err(e) => parsed.problems.push(ctx.problem(line, "", e.to_string())),
            }
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(raw.get().as_bytes().to_vec());
        }
    }
    parsed
}
