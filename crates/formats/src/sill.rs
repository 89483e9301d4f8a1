//! The SILL (socle interministériel de logiciels libres), the catalogue of
//! free software recommended to French administrations, in its 2022 JSON
//! form (abbreviated keys) or CSV form. Each entry becomes a software
//! [`Commons`] with the id `commons:SOURCE:SILL_ID` (SOURCE defaults to
//! `sill`), so the JSON and the CSV of one catalogue reach the same records.
//!
//! JSON keys: `id`, `i` name, `f` function, `fr-desc`/`en-desc`, `l` licence,
//! `co` Comptoir du Libre id, `website`, `sources` repository, `se` sector,
//! `c` component, `g` group, `st` status (R recommended, O observed,
//! FR being withdrawn), `y` years listed, `v-`/`v+` versions, `u` usage
//! context, `su` support, `p` parent. The licence is normalised to SPDX
//! ([`crate::licence`]); the catalogue's own text is kept in `details`.

use crate::{csv_reader, each_record, strip_bom, vocabulary_problems, ImportContext, Parsed};
use archipel_domain::*;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Reads a SILL file, JSON or CSV (decided by its first character).
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    let bytes = strip_bom(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') | Some(b'{') => parse_json(bytes, ctx, Parsed::new("json", sink)).finish(),
        _ => parse_csv(bytes, ctx, Parsed::new("csv", sink)).finish(),
    }
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &[u8], offset: usize) -> u64 {
    1 + text[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// Splits a JSON array into its items with the line each starts on.
pub(crate) fn json_items<'a>(
    text: &'a str,
    ctx: &ImportContext<'_>,
) -> Result<Vec<(u64, &'a RawValue)>, crate::Problem> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        ctx.problem(
            e.line() as u64,
            "",
            format!("not a JSON array of objects: {e}"),
        )
    })?;
    let base = text.as_ptr() as usize;
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(items.len());
    let mut last = 0usize;
    let mut line = 1u64;
    for it in items {
        let off = (it.get().as_ptr() as usize)
            .saturating_sub(base)
            .min(bytes.len());
        line += bytes[last..off].iter().filter(|&&b| b == b'\n').count() as u64;
        last = off;
        out.push((line, it));
    }
    Ok(out)
}

fn parse_json(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = line_at(bytes, e.valid_up_to());
            parsed
                .problems
                .push(ctx.problem(line, "", "the file is not UTF-8 text"));
            return parsed;
        }
    };
    let items = match json_items(text, ctx) {
        Ok(i) => i,
        Err(p) => {
            parsed.problems.push(p);
            return parsed;
        }
    };
    for (index, (line, raw)) in items.into_iter().enumerate() {
        parsed.records += 1;
        let before = parsed.problems.len();
        match serde_json::from_str::<Map<String, Value>>(raw.get()) {
            Ok(obj) => {
                let field = |k: &str| -> String {
                    match obj.get(k) {
                        Some(Value::String(s)) => s.trim().to_string(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => String::new(),
                    }
                };
                let entry = Entry {
                    id: field("id"),
                    name: field("i"),
                    function: field("f"),
                    description: first_nonempty(&[field("fr-desc"), field("f")]),
                    licence: field("l"),
                    comptoir: field("co"),
                    wikidata: String::new(),
                    website: field("website"),
                    repository: field("sources"),
                    categories: vec![field("se"), field("c")],
                    details: [
                        ("function", field("f")),
                        ("description_en", field("en-desc")),
                        ("years", field("y")),
                        ("status", field("st")),
                        ("group", field("g")),
                        ("version_min", field("v-")),
                        ("version_max", field("v+")),
                        ("usage_context", field("u")),
                        ("support", field("su")),
                        ("parent", field("p")),
                    ],
                };
                build(entry, line, Some(index), ctx, &mut parsed);
            }
            Err(e) => parsed.problems.push(ctx.problem(
                line,
                &format!("[{index}]"),
                format!("not a JSON object: {e}"),
            )),
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(raw.get().to_string());
        }
    }
    parsed
}

fn first_nonempty(v: &[String]) -> String {
    v.iter()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_default()
}

struct Entry {
    id: String,
    name: String,
    function: String,
    description: String,
    licence: String,
    comptoir: String,
    wikidata: String,
    website: String,
    repository: String,
    categories: Vec<String>,
    details: [(&'static str, String); 10],
}

/// `item` is the index of a JSON array item (fields are then reported as
/// `[INDEX].key`, since a catalogue may be written on a single line).
fn build(e: Entry, line: u64, item: Option<usize>, ctx: &ImportContext<'_>, parsed: &mut Parsed) {
    let at = |k: &str| match item {
        Some(i) => format!("[{i}].{k}"),
        None => k.to_string(),
    };
    let (id_key, name_key) = if item.is_some() {
        ("id", "i")
    } else {
        ("ID", "nom")
    };
    let mut problems = Vec::new();
    if e.name.is_empty() {
        problems.push(ctx.problem(line, &at(name_key), "required value is missing"));
    }
    let id = match EntityId::new(EntityKind::Commons, &ctx.source, &e.id) {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(ctx.problem(
                line,
                &at(id_key),
                format!("`{}` is not a usable SILL id", e.id),
            ));
            None
        }
    };
    if !e.wikidata.is_empty() {
        if let Err(r) = check_wikidata(&e.wikidata) {
            problems.push(ctx.problem(line, &at("wikidata"), r));
        }
    }
    if !e.website.is_empty() {
        if let Err(r) = check_url(&e.website) {
            problems.push(ctx.problem(line, &at("website"), r));
        }
    }
    if !e.repository.is_empty() {
        if let Err(r) = check_repository_url(&e.repository) {
            problems.push(ctx.problem(line, &at("sources"), r));
        }
    }
    let Some(id) = id.filter(|_| problems.is_empty()) else {
        parsed.problems.extend(problems);
        return;
    };
    let mut details: BTreeMap<String, String> = e
        .details
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let license = crate::licence::normalise(&e.licence);
    if !e.licence.is_empty() && license.as_deref() != Some(e.licence.as_str()) {
        details.insert("licence_declared".into(), e.licence.clone());
    }
    let mut categories: Vec<String> = Vec::new();
    for c in e.categories {
        if !c.is_empty() && !categories.contains(&c) {
            categories.push(c);
        }
    }
    let _ = e.function;
    let commons = Entity::Commons(Commons {
        id,
        name: e.name,
        kind: "software".into(),
        description: (!e.description.is_empty()).then_some(e.description),
        repository_url: (!e.repository.is_empty()).then_some(e.repository),
        website_url: (!e.website.is_empty()).then_some(e.website),
        license,
        publiccode: None,
        categories,
        identifiers: Identifiers {
            sill: Some(e.id),
            comptoir_du_libre: (!e.comptoir.is_empty()).then_some(e.comptoir),
            wikidata: (!e.wikidata.is_empty()).then_some(e.wikidata),
            ..Identifiers::default()
        },
        details,
        provenance: ctx.provenance(line),
    });
    let vp = vocabulary_problems(ctx, line, &commons);
    if vp.is_empty() {
        parsed.accept(commons);
    } else {
        parsed.problems.extend(vp);
    }
}

fn parse_csv(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let Some((mut rdr, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for required in ["ID", "nom"] {
        if col(required).is_none() {
            parsed
                .problems
                .push(ctx.problem(1, required, "required column is missing"));
        }
    }
    if !parsed.problems.is_empty() {
        return parsed;
    }
    let idx: BTreeMap<&str, Option<usize>> = [
        "ID",
        "nom",
        "fonction",
        "annees",
        "statut",
        "parent",
        "support",
        "wikidata",
        "comptoir-du-libre",
        "licence",
        "secteur",
        "composant",
        "contexte-usage",
        "groupe",
        "version_min",
        "version_max",
    ]
    .into_iter()
    .map(|k| (k, col(k)))
    .collect();
    each_record(&mut rdr, ctx, &mut parsed, |record, line, parsed| {
        let f = |k: &str| -> String {
            idx.get(k)
                .copied()
                .flatten()
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let entry = Entry {
            id: f("ID"),
            name: f("nom"),
            function: f("fonction"),
            description: f("fonction"),
            licence: f("licence"),
            comptoir: f("comptoir-du-libre"),
            // Catalogues sometimes write `q123`; Wikidata ids are `Q123`.
            wikidata: f("wikidata").to_uppercase(),
            website: String::new(),
            repository: String::new(),
            categories: vec![f("secteur"), f("composant")],
            details: [
                ("function", f("fonction")),
                ("description_en", String::new()),
                ("years", f("annees")),
                ("status", f("statut")),
                ("group", f("groupe")),
                ("version_min", f("version_min")),
                ("version_max", f("version_max")),
                ("usage_context", f("contexte-usage")),
                ("support", f("support")),
                ("parent", f("parent")),
            ],
        };
        build(entry, line, None, ctx, parsed);
    });
    parsed
}
