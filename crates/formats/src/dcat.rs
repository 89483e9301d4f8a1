//! DCAT catalogues in JSON-LD, as data.gouv.fr and other udata portals
//! publish them (`/api/1/site/catalog.jsonld`, `/organizations/ID/catalog`)
//! and as other portals write them.
//!
//! Forms read: udata's (rdflib compacted with udata's context: an
//! `@graph` array, `@vocab` DCAT, aliases such as `title`, `publisher`,
//! `license`, `view`), prefixed names (`dct:title`), expanded JSON-LD
//! (full IRIs, values as `[{"@value": …}]`), a top-level array of nodes,
//! and nodes embedded in others (a catalogue's `dataset` list). Terms are
//! expanded through the document's own `@context` when it is an object
//! (prefixes, aliases, `@vocab`), and through udata's and the usual
//! prefixes otherwise; no remote context is fetched.
//!
//! Each `dcat:Dataset` becomes a [`Commons`] of kind `dataset` with the id
//! `commons:SOURCE:IDENTIFIER`, where IDENTIFIER is its `dct:identifier`
//! (the id data.gouv.fr matches harvests on; the node's `@id` when it has
//! none). Its `dct:publisher` (a `foaf:Organization`, by reference or
//! embedded) becomes an actor `actor:SOURCE:LOCAL` (LOCAL: the last segment
//! of the publisher's IRI, or its name as a slug for a blank node) with a
//! `publishes` relation. The licence is the dataset's `dct:license`, else
//! its distributions' (`dct:license`, then the `dct:rights` text, which is
//! where udata writes it), normalised to SPDX
//! ([`crate::licence::normalise_any`]: Licence Ouverte 2.0 → `etalab-2.0`,
//! ODbL → `ODbL-1.0`…), the declared text kept in `details` otherwise.
//! The pagination node (`hydra:PartialCollectionView`) and the catalogue
//! itself are not records: a paginated catalogue is imported page by page.

use crate::comptoir::{date_prefix, line_within};
use crate::read::{json_text, record_too_large, Lines};
use crate::{entity_problems, ImportContext, Parsed, Problem};
use archipel_domain::*;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";

/// Prefixes known without a context (udata's, and `dcterms`).
const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dct", DCT),
    ("dcterms", DCT),
    ("foaf", FOAF),
    ("rdfs", RDFS),
    ("skos", SKOS),
    ("vcard", VCARD),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("schema", "http://schema.org/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// udata's aliases (its JSON-LD `CONTEXT`), used when the document has
/// no context object of its own.
const UDATA_ALIASES: &[(&str, &str)] = &[
    ("dataset", "dcat:dataset"),
    ("distribution", "dcat:distribution"),
    ("title", "dct:title"),
    ("description", "dct:description"),
    ("issued", "dct:issued"),
    ("modified", "dct:modified"),
    ("license", "dct:license"),
    ("rights", "dct:rights"),
    ("identifier", "dct:identifier"),
    ("homepage", "foaf:homepage"),
    ("publisher", "dct:publisher"),
    ("name", "foaf:name"),
    ("label", "rdfs:label"),
    ("fn", "vcard:fn"),
];

/// Expands the terms of a document: its prefixes, aliases and `@vocab`.
struct Terms {
    prefixes: HashMap<String, String>,
    aliases: HashMap<String, String>,
    vocab: Option<String>,
}

impl Terms {
    fn new(context: Option<&Value>) -> Terms {
        let mut t = Terms {
            prefixes: PREFIXES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            aliases: HashMap::new(),
            vocab: Some(DCAT.to_string()),
        };
        let contexts: Vec<&Map<String, Value>> = match context {
            Some(Value::Object(m)) => vec![m],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        };
        if contexts.is_empty() {
            for (k, v) in UDATA_ALIASES {
                t.aliases.insert(k.to_string(), v.to_string());
            }
            return t;
        }
        t.vocab = None;
        for m in contexts {
            for (k, v) in m {
                let target = match v {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => match o.get("@id") {
                        Some(Value::String(s)) => s.clone(),
                        _ => continue,
                    },
                    _ => continue,
                };
                if k == "@vocab" {
                    t.vocab = Some(target);
                } else if target.ends_with('#') || target.ends_with('/') {
                    t.prefixes.insert(k.clone(), target);
                } else {
                    t.aliases.insert(k.clone(), target);
                }
            }
        }
        t
    }

    /// The full IRI of a term or key.
    fn expand(&self, term: &str) -> String {
        if let Some(a) = self.aliases.get(term) {
            return self.expand_iri(a);
        }
        self.expand_iri(term)
    }

    fn expand_iri(&self, term: &str) -> String {
        if term.starts_with("http://") || term.starts_with("https://") || term.starts_with('@') {
            return term.to_string();
        }
        if let Some((prefix, local)) = term.split_once(':') {
            if let Some(base) = self.prefixes.get(prefix) {
                return format!("{base}{local}");
            }
            return term.to_string();
        }
        match &self.vocab {
            Some(v) => format!("{v}{term}"),
            None => term.to_string(),
        }
    }
}

/// A node of the graph with what it needs to be read and reported.
struct Node<'v> {
    map: &'v Map<String, Value>,
    path: String,
    line: u64,
}

/// Reads a DCAT catalogue in JSON-LD.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    let mut parsed = Parsed::new("json", sink);
    let Some(text) = json_text(bytes, ctx, &mut parsed) else {
        return parsed.finish();
    };
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            parsed.stop(ctx.problem(e.line() as u64, "", format!("not JSON-LD: {e}")));
            return parsed.finish();
        }
    };
    // The top-level items with their lines: `@graph`'s, or the array's.
    let raw_items: Vec<&RawValue> = match &doc {
        Value::Array(_) => serde_json::from_str(text).unwrap_or_default(),
        Value::Object(m) if m.contains_key("@graph") => {
            #[derive(serde::Deserialize)]
            struct Top<'a> {
                #[serde(rename = "@graph", borrow)]
                graph: Vec<&'a RawValue>,
            }
            match serde_json::from_str::<Top<'_>>(text) {
                Ok(t) => t.graph,
                Err(e) => {
                    parsed.stop(ctx.problem(
                        e.line() as u64,
                        "@graph",
                        format!("expected an array of nodes: {e}"),
                    ));
                    return parsed.finish();
                }
            }
        }
        Value::Object(_) => Vec::new(),
        _ => {
            parsed.stop(ctx.problem(1, "", "not JSON-LD: expected an object or an array"));
            return parsed.finish();
        }
    };
    let terms = Terms::new(doc.get("@context"));
    let base = text.as_ptr() as usize;
    let mut lines = Lines::new(text.as_bytes());
    let (tops, prefix): (Vec<&Value>, &str) = match &doc {
        Value::Array(a) => (a.iter().collect(), ""),
        Value::Object(m) => match m.get("@graph") {
            Some(Value::Array(g)) => (g.iter().collect(), "@graph"),
            _ => (vec![&doc], ""),
        },
        _ => (Vec::new(), ""),
    };
    let mut nodes: Vec<Node<'_>> = Vec::new();
    for (i, v) in tops.iter().enumerate() {
        let line = match raw_items.get(i) {
            Some(r) => lines.at((r.get().as_ptr() as usize).saturating_sub(base)),
            None => 1,
        };
        if let Some(r) = raw_items.get(i) {
            if let Some(reason) = record_too_large(r.get().len()) {
                parsed
                    .problems
                    .push(ctx.problem(line, &format!("{prefix}[{i}]"), reason));
                parsed.records += 1;
                parsed.rejected += 1;
                parsed.rejects.records.push(r.get().as_bytes().to_vec());
                continue;
            }
        }
        let path = if prefix.is_empty() && raw_items.is_empty() {
            String::new()
        } else {
            format!("{prefix}[{i}]")
        };
        collect(v, path, line, &mut nodes);
    }
    let _ = line_within;
    let by_id: HashMap<&str, &Node<'_>> = nodes
        .iter()
        .filter_map(|n| match n.map.get("@id") {
            Some(Value::String(id)) => Some((id.as_str(), n)),
            _ => None,
        })
        .collect();
    let mut actors: HashSet<EntityId> = HashSet::new();
    let mut seen: HashSet<EntityId> = HashSet::new();
    for node in &nodes {
        if !has_type(node.map, &terms, &format!("{DCAT}Dataset")) {
            continue;
        }
        parsed.records += 1;
        let before = parsed.problems.len();
        match dataset(node, &terms, &by_id, ctx) {
            Ok(records) => {
                let mut problems: Vec<Problem> = Vec::new();
                for e in &records {
                    problems.extend(entity_problems(ctx, node.line, e));
                }
                if let Some(Entity::Commons(c)) = records.first() {
                    if !seen.insert(c.id.clone()) {
                        problems.push(ctx.problem(
                            node.line,
                            &field(&node.path, "identifier"),
                            format!("`{}` appears twice in the file", c.id),
                        ));
                    }
                }
                if problems.is_empty() {
                    for e in records {
                        if matches!(e, Entity::Actor(_)) && !actors.insert(e.id().clone()) {
                            continue;
                        }
                        parsed.accept(e);
                    }
                } else {
                    parsed.problems.extend(problems);
                }
            }
            Err(problems) => parsed.problems.extend(problems),
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed
                .rejects
                .records
                .push(serde_json::to_vec(node.map).unwrap_or_default());
        }
    }
    if parsed.records == 0 && parsed.problems.is_empty() {
        parsed.stop(ctx.problem(0, "", "no dcat:Dataset node in this document"));
    }
    parsed.finish()
}

fn field(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Collects `v` and the nodes embedded in it (objects with an `@id` or a
/// `@type`).
fn collect<'v>(v: &'v Value, path: String, line: u64, out: &mut Vec<Node<'v>>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("@id") || m.contains_key("@type") || out.is_empty() {
                out.push(Node {
                    map: m,
                    path: path.clone(),
                    line,
                });
            }
            for (k, child) in m {
                if k.starts_with('@') && k != "@graph" {
                    continue;
                }
                collect_nested(child, field(&path, k), line, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect(x, format!("{path}[{i}]"), line, out);
            }
        }
        _ => {}
    }
}

fn collect_nested<'v>(v: &'v Value, path: String, line: u64, out: &mut Vec<Node<'v>>) {
    match v {
        Value::Object(m) if m.contains_key("@id") || m.contains_key("@type") => {
            collect(v, path, line, out)
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_nested(x, format!("{path}[{i}]"), line, out);
            }
        }
        _ => {}
    }
}

fn has_type(m: &Map<String, Value>, terms: &Terms, iri: &str) -> bool {
    let t = m.get("@type").or_else(|| m.get("type"));
    let check = |v: &Value| v.as_str().is_some_and(|s| terms.expand_iri(s) == iri);
    match t {
        Some(Value::Array(a)) => a.iter().any(check),
        Some(v) => check(v),
        None => false,
    }
}

/// The values of property `iri` on a node, whatever key names it.
fn values<'v>(m: &'v Map<String, Value>, terms: &Terms, iri: &str) -> Vec<&'v Value> {
    let mut out = Vec::new();
    for (k, v) in m {
        if k.starts_with('@') || terms.expand(k) != iri {
            continue;
        }
        match v {
            Value::Array(a) => out.extend(a.iter()),
            v => out.push(v),
        }
    }
    out
}

/// The key naming property `iri` on a node (for messages).
fn key_of(m: &Map<String, Value>, terms: &Terms, iri: &str) -> String {
    m.keys()
        .find(|k| !k.starts_with('@') && terms.expand(k) == iri)
        .cloned()
        .unwrap_or_else(|| iri.to_string())
}

/// A literal's text: a string, a number, or `{"@value": …}`; French first
/// when several languages are given.
fn literal(vals: &[&Value]) -> Option<String> {
    let text = |v: &Value| -> Option<(String, Option<String>)> {
        match v {
            Value::String(s) => Some((s.clone(), None)),
            Value::Number(n) => Some((n.to_string(), None)),
            Value::Object(o) => {
                let s = match o.get("@value")? {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((
                    s,
                    o.get("@language")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                ))
            }
            _ => None,
        }
    };
    let all: Vec<(String, Option<String>)> = vals.iter().filter_map(|v| text(v)).collect();
    all.iter()
        .find(|(_, l)| l.as_deref().is_some_and(|l| l.starts_with("fr")))
        .or_else(|| all.iter().find(|(_, l)| l.is_none()))
        .or_else(|| all.first())
        .map(|(s, _)| s.trim().to_string())
}

/// An IRI value: `{"@id": …}` or a plain string.
fn iri(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o
            .get("@id")
            .and_then(Value::as_str)
            .or_else(|| o.get("@value").and_then(Value::as_str)),
        _ => None,
    }
}

/// A node given by reference (`{"@id": …}` or its IRI) or embedded.
fn resolve<'v>(v: &'v Value, by_id: &HashMap<&str, &Node<'v>>) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(o) if o.len() > 1 || !o.contains_key("@id") => Some(o),
        _ => iri(v).and_then(|i| by_id.get(i)).map(|n| n.map),
    }
}

fn dataset<'v>(
    node: &Node<'v>,
    terms: &Terms,
    by_id: &HashMap<&str, &Node<'v>>,
    ctx: &ImportContext<'_>,
) -> Result<Vec<Entity>, Vec<Problem>> {
    let m = node.map;
    let mut problems = Vec::new();
    let at = |iri: &str| field(&node.path, &key_of(m, terms, iri));
    let text = |iri: &str, kind: TextKind, problems: &mut Vec<Problem>| -> Option<String> {
        let s = literal(&values(m, terms, iri))?;
        match check_text(&s, kind) {
            Ok(()) => (!s.is_empty()).then_some(s),
            Err(r) => {
                problems.push(ctx.problem(node.line, &at(iri), r));
                None
            }
        }
    };
    let node_id = m.get("@id").and_then(Value::as_str);
    let identifier = text(&format!("{DCT}identifier"), TextKind::Line, &mut problems)
        .or_else(|| node_id.filter(|i| !i.starts_with("_:")).map(str::to_string));
    let title = text(&format!("{DCT}title"), TextKind::Line, &mut problems);
    let description = text(&format!("{DCT}description"), TextKind::Block, &mut problems);
    let modified = text(&format!("{DCT}modified"), TextKind::Line, &mut problems);
    let issued = text(&format!("{DCT}issued"), TextKind::Line, &mut problems);
    if title.is_none() && problems.is_empty() {
        problems.push(ctx.problem(
            node.line,
            &field(&node.path, "title"),
            "required value is missing (dct:title)",
        ));
    }
    let id = match &identifier {
        None => {
            problems.push(ctx.problem(
                node.line,
                &field(&node.path, "identifier"),
                "required value is missing (dct:identifier, or an @id that is not a blank node)",
            ));
            None
        }
        Some(i) => match EntityId::new(EntityKind::Commons, &ctx.source, i) {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push(ctx.problem(
                    node.line,
                    &at(&format!("{DCT}identifier")),
                    format!(
                        "{} cannot be an identifier (spaces or invisible characters)",
                        echo(i)
                    ),
                ));
                None
            }
        },
    };
    let landing = values(m, terms, &format!("{DCAT}landingPage"))
        .into_iter()
        .find_map(iri)
        .map(|s| s.trim().to_string())
        .or_else(|| {
            node_id
                .filter(|i| i.starts_with("https://") || i.starts_with("http://"))
                .map(str::to_string)
        });
    let landing = match landing {
        Some(u) => match check_url(&u) {
            Ok(()) => Some(u),
            Err(r) => {
                problems.push(ctx.problem(node.line, &at(&format!("{DCAT}landingPage")), r));
                None
            }
        },
        None => None,
    };
    let mut categories: Vec<String> = Vec::new();
    for prop in [format!("{DCAT}keyword"), format!("{DCAT}theme")] {
        for v in values(m, terms, &prop) {
            let Some(s) = literal(&[v]).filter(|_| v.get("@id").is_none()) else {
                continue;
            };
            if s.starts_with("http://") || s.starts_with("https://") {
                continue;
            }
            match check_text(&s, TextKind::Line) {
                Ok(()) if !s.is_empty() && !categories.contains(&s) => categories.push(s),
                Ok(()) => {}
                Err(r) => problems.push(ctx.problem(node.line, &at(&prop), r)),
            }
        }
    }
    // Licence: the dataset's, else its distributions'.
    let resolve = |v: &'v Value| resolve(v, by_id);
    let licence_of = |mm: &'v Map<String, Value>| -> Option<String> {
        for v in values(mm, terms, &format!("{DCT}license")) {
            if let Some(node) = resolve(v).filter(|o| o.len() > 1) {
                if let Some(t) = literal(&values(node, terms, &format!("{DCT}title")))
                    .or_else(|| literal(&values(node, terms, &format!("{RDFS}label"))))
                {
                    return Some(t);
                }
            }
            if let Some(s) = iri(v) {
                return Some(s.trim().to_string());
            }
        }
        literal(&values(mm, terms, &format!("{DCT}rights")))
    };
    let mut declared = licence_of(m);
    if declared.is_none() {
        for d in values(m, terms, &format!("{DCAT}distribution")) {
            if let Some(dm) = resolve(d) {
                declared = licence_of(dm);
                if declared.is_some() {
                    break;
                }
            }
        }
    }
    if let Some(d) = &declared {
        if let Err(r) = check_text(d, TextKind::Line) {
            problems.push(ctx.problem(node.line, &at(&format!("{DCT}license")), r));
        }
    }
    // Publisher.
    let mut publisher: Option<Actor> = None;
    if let Some(pv) = values(m, terms, &format!("{DCT}publisher"))
        .into_iter()
        .next()
    {
        let pid = iri(pv)
            .filter(|_| !matches!(pv, Value::Object(o) if o.len() > 1 && !o.contains_key("@id")));
        let pm = resolve(pv);
        let name = pm.and_then(|pm| {
            literal(&values(pm, terms, &format!("{FOAF}name")))
                .or_else(|| literal(&values(pm, terms, &format!("{VCARD}fn"))))
                .or_else(|| literal(&values(pm, terms, &format!("{RDFS}label"))))
                .or_else(|| literal(&values(pm, terms, &format!("{SKOS}prefLabel"))))
        });
        let pkey = field(&node.path, &key_of(m, terms, &format!("{DCT}publisher")));
        match name {
            None => problems.push(ctx.problem(
                node.line,
                &pkey,
                format!(
                    "the publisher {} has no name (foaf:name) in this document",
                    echo(pid.unwrap_or("(blank node)"))
                ),
            )),
            Some(name) => {
                if let Err(r) = check_text(&name, TextKind::Line) {
                    problems.push(ctx.problem(node.line, &format!("{pkey}.name"), r));
                }
                let homepage = pm
                    .and_then(|pm| {
                        values(pm, terms, &format!("{FOAF}homepage"))
                            .into_iter()
                            .find_map(iri)
                    })
                    .map(|s| s.trim().to_string())
                    .filter(|u| check_url(u).is_ok());
                let local = pid
                    .filter(|i| !i.starts_with("_:"))
                    .and_then(|i| i.trim_end_matches('/').rsplit('/').next())
                    .map(str::to_string)
                    .filter(|s| !s.is_empty() && !s.contains(':'))
                    .unwrap_or_else(|| slug(&name));
                match EntityId::new(EntityKind::Actor, &ctx.source, &local) {
                    Ok(aid) => {
                        let mut provenance = ctx.provenance(node.line);
                        provenance.source_date = modified.as_deref().and_then(date_prefix);
                        publisher = Some(Actor {
                            id: aid,
                            name,
                            nature: Nature::Organisation,
                            kind: None,
                            typology: Vec::new(),
                            description: None,
                            identifiers: Identifiers::default(),
                            website: homepage.or_else(|| {
                                pid.filter(|i| i.starts_with("https://") && check_url(i).is_ok())
                                    .map(str::to_string)
                            }),
                            email: None,
                            territory: None,
                            location: None,
                            provenance,
                        });
                    }
                    Err(e) => problems.push(ctx.problem(node.line, &pkey, e.to_string())),
                }
            }
        }
    }
    let (Some(id), Some(title), true) = (id, title, problems.is_empty()) else {
        return Err(problems);
    };
    let mut details = BTreeMap::new();
    let license = declared.as_deref().and_then(crate::licence::normalise_any);
    if let Some(d) = &declared {
        if license.as_deref() != Some(d.as_str()) {
            details.insert("licence_declared".to_string(), d.clone());
        }
    }
    if let Some(i) = node_id {
        if !i.starts_with("_:") && check_text(i, TextKind::Line).is_ok() {
            details.insert("dcat_uri".to_string(), i.to_string());
        }
    }
    if let Some(f) = values(m, terms, &format!("{DCT}accrualPeriodicity"))
        .into_iter()
        .find_map(iri)
        .filter(|f| check_text(f, TextKind::Line).is_ok())
    {
        details.insert("frequency".to_string(), f.to_string());
    }
    for (k, v) in [("modified", &modified), ("issued", &issued)] {
        if let Some(v) = v {
            details.insert(k.to_string(), v.clone());
        }
    }
    let mut provenance = ctx.provenance(node.line);
    provenance.source_date = modified.as_deref().and_then(date_prefix);
    let commons = Commons {
        id: id.clone(),
        name: title,
        kind: "dataset".into(),
        description,
        repository_url: None,
        website_url: landing,
        license,
        publiccode: None,
        categories,
        identifiers: Identifiers::default(),
        details,
        provenance: provenance.clone(),
    };
    let mut out = vec![Entity::Commons(commons)];
    if let Some(a) = publisher {
        let rid = Relation::derive_id(&ctx.source, &a.id, "publishes", &id, None)
            .map_err(|e| vec![ctx.problem(node.line, &node.path, e.to_string())])?;
        out.push(Entity::Relation(Relation {
            id: rid,
            subject: a.id.clone(),
            kind: "publishes".into(),
            object: id,
            role: None,
            since: None,
            until: None,
            note: None,
            provenance,
        }));
        out.push(Entity::Actor(a));
    }
    Ok(out)
}
