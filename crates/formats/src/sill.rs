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

use crate::read::{json_items, json_text, record_too_large};
use crate::{csv_reader, each_record, entity_problems, strip_bom, ImportContext, Parsed};
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

/// Keys of a JSON entry, and whether each holds one line (names, codes,
/// links, categories) or may hold several (descriptions, details).
const JSON_KEYS: &[(&str, TextKind)] = &[
    ("id", TextKind::Line),
    ("i", TextKind::Line),
    ("f", TextKind::Block),
    ("fr-desc", TextKind::Block),
    ("en-desc", TextKind::Block),
    ("l", TextKind::Line),
    ("co", TextKind::Line),
    ("website", TextKind::Line),
    ("sources", TextKind::Line),
    ("se", TextKind::Line),
    ("c", TextKind::Line),
    ("y", TextKind::Block),
    ("st", TextKind::Block),
    ("g", TextKind::Block),
    ("v-", TextKind::Block),
    ("v+", TextKind::Block),
    ("u", TextKind::Block),
    ("su", TextKind::Block),
    ("p", TextKind::Block),
];

/// Columns of the CSV form, as [`JSON_KEYS`].
const CSV_COLUMNS: &[(&str, TextKind)] = &[
    ("ID", TextKind::Line),
    ("nom", TextKind::Line),
    ("fonction", TextKind::Block),
    ("annees", TextKind::Block),
    ("statut", TextKind::Block),
    ("parent", TextKind::Block),
    ("support", TextKind::Block),
    ("wikidata", TextKind::Line),
    ("comptoir-du-libre", TextKind::Line),
    ("licence", TextKind::Line),
    ("secteur", TextKind::Line),
    ("composant", TextKind::Line),
    ("contexte-usage", TextKind::Block),
    ("groupe", TextKind::Block),
    ("version_min", TextKind::Block),
    ("version_max", TextKind::Block),
];

/// Problems of an entry's text values with the text rule, each reported
/// at the key it was read from (`key` gives the key as shown).
fn text_problems(
    ctx: &ImportContext<'_>,
    line: u64,
    keys: &[(&str, TextKind)],
    value: impl Fn(&str) -> String,
    key: impl Fn(&str) -> String,
) -> Vec<crate::Problem> {
    keys.iter()
        .filter_map(|&(k, kind)| {
            check_text(&value(k), kind)
                .err()
                .map(|r| ctx.problem(line, &key(k), r))
        })
        .collect()
}

fn parse_json(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let Some(text) = json_text(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let items = match json_items(text, ctx) {
        Ok(i) => i,
        Err(p) => {
            parsed.stop(p);
            return parsed;
        }
    };
    for (index, (line, raw)) in items.into_iter().enumerate() {
        parsed.records += 1;
        let before = parsed.problems.len();
        if let Some(reason) = record_too_large(raw.get().len()) {
            parsed
                .problems
                .push(ctx.problem(line, &format!("[{index}]"), reason));
        } else {
            json_entry(raw, index, line, ctx, &mut parsed);
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(raw.get().as_bytes().to_vec());
        }
    }
    parsed
}

/// Reads item `index` of a JSON catalogue, on `line`.
fn json_entry(
    raw: &RawValue,
    index: usize,
    line: u64,
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
) {
    match serde_json::from_str::<Map<String, Value>>(raw.get()) {
        Ok(obj) => {
            let field = |k: &str| -> String {
                match obj.get(k) {
                    Some(Value::String(s)) => s.trim().to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                }
            };
            let bad = text_problems(ctx, line, JSON_KEYS, field, |k| format!("[{index}].{k}"));
            if !bad.is_empty() {
                parsed.problems.extend(bad);
                return;
            }
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
            build(entry, line, Some(index), ctx, parsed);
        }
        Err(e) => parsed.problems.push(ctx.problem(
            line,
            &format!("[{index}]"),
            format!("not a JSON object: {e}"),
        )),
    }
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
                format!("{} is not a usable SILL id", echo(&e.id)),
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
    let vp = entity_problems(ctx, line, &commons);
    if vp.is_empty() {
        parsed.accept(commons);
    } else {
        parsed.problems.extend(vp);
    }
}

fn parse_csv(bytes: &[u8], ctx: &ImportContext<'_>, mut parsed: Parsed) -> Parsed {
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return parsed;
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for required in ["ID", "nom"] {
        if col(required).is_none() {
            parsed.stop(ctx.problem(file.header_line, required, "required column is missing"));
        }
    }
    if parsed.stopped {
        return parsed;
    }
    let idx: BTreeMap<&str, Option<usize>> =
        CSV_COLUMNS.iter().map(|&(k, _)| (k, col(k))).collect();
    each_record(&mut file, ctx, &mut parsed, |record, line, parsed| {
        let f = |k: &str| -> String {
            idx.get(k)
                .copied()
                .flatten()
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let bad = text_problems(ctx, line, CSV_COLUMNS, f, str::to_string);
        if !bad.is_empty() {
            return parsed.problems.extend(bad);
        }
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
