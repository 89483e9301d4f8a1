//! The Comptoir du Libre (ADULLACT) export, version 1: one JSON object
//! `{date_of_export, number_of_software, softwares: [...]}`.
//!
//! Each software becomes a software [`Commons`] `commons:SOURCE:ID`
//! (SOURCE defaults to `comptoir`): name, licence normalised to SPDX
//! ([`crate::licence::normalise_any`]; the Comptoir's own text kept in
//! `details` when it differs), website, repository, keywords as
//! categories, and the Comptoir, Wikidata and SILL ids in `identifiers`.
//! Users and providers are both accounts of the Comptoir (`/users/ID`):
//! one id space, so one actor `actor:SOURCE:user-ID` per account, whether
//! it uses a software, provides services for another, or both. A user
//! gets a `uses` relation to the software, a provider a
//! `provides_services` relation.
//!
//! The export's quirk: an absent external resource (`wikidata`, `sill`,
//! `wikipedia`, `cnll`, `framalibre`) is written `[]`, an empty array,
//! not `null`; both mean "none". Any other array there is an error.
//!
//! Problems are located by line and by the JSON path of the value
//! (`softwares[3].external_resources.wikidata.id`).

use crate::read::{json_text, record_too_large, Lines};
use crate::{entity_problems, ImportContext, Parsed, Problem};
use archipel_domain::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Reads a Comptoir du Libre export.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(default)]
    date_of_export: Option<Value>,
    #[serde(borrow)]
    softwares: Vec<&'a RawValue>,
}

/// Like [`parse`], sending valid records to `sink` as they are read.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    let mut parsed = Parsed::new("json", sink);
    let Some(text) = json_text(bytes, ctx, &mut parsed) else {
        return parsed.finish();
    };
    let doc: Doc<'_> = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            parsed.stop(ctx.problem(
                e.line() as u64,
                "",
                format!("not a Comptoir du Libre export (an object with a `softwares` array): {e}"),
            ));
            return parsed.finish();
        }
    };
    let export_date = match &doc.date_of_export {
        Some(Value::String(s)) => date_prefix(s),
        _ => None,
    };
    let base = text.as_ptr() as usize;
    let mut lines = Lines::new(text.as_bytes());
    let mut line_of = |raw: &RawValue| lines.at((raw.get().as_ptr() as usize).saturating_sub(base));
    // Actors already sent, by id: an account appears under many softwares.
    let mut actors: HashMap<EntityId, ()> = HashMap::new();
    for (index, raw) in doc.softwares.iter().enumerate() {
        parsed.records += 1;
        let line = line_of(raw);
        let before = parsed.problems.len();
        let path = format!("softwares[{index}]");
        if let Some(reason) = record_too_large(raw.get().len()) {
            parsed.problems.push(ctx.problem(line, &path, reason));
        } else {
            let mut people_lines = Vec::new();
            if let Ok(obj) = serde_json::from_str::<HashMap<&str, &RawValue>>(raw.get()) {
                for list in ["users", "providers"] {
                    let items = obj
                        .get(list)
                        .and_then(|r| serde_json::from_str::<Vec<&RawValue>>(r.get()).ok())
                        .unwrap_or_default();
                    people_lines.push(
                        items
                            .iter()
                            .map(|r| line_within(raw, line, r))
                            .collect::<Vec<_>>(),
                    );
                }
            }
            let records = software(raw, &path, line, &people_lines, export_date, ctx);
            match records {
                Ok(records) => {
                    let mut problems = Vec::new();
                    for (l, e) in &records {
                        problems.extend(entity_problems(ctx, *l, e));
                    }
                    if problems.is_empty() {
                        for (_, e) in records {
                            if matches!(e, Entity::Actor(_)) {
                                if actors.contains_key(e.id()) {
                                    continue;
                                }
                                actors.insert(e.id().clone(), ());
                            }
                            parsed.accept(e);
                        }
                    } else {
                        parsed.problems.extend(problems);
                    }
                }
                Err(problems) => parsed.problems.extend(problems),
            }
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(raw.get().as_bytes().to_vec());
        }
    }
    parsed.finish()
}

/// The line of `inner`, a value inside `outer` (which starts on `line`).
pub(crate) fn line_within(outer: &RawValue, line: u64, inner: &RawValue) -> u64 {
    let start = outer.get().as_ptr() as usize;
    let at = (inner.get().as_ptr() as usize).saturating_sub(start);
    let text = outer.get().as_bytes();
    line + Lines::new(text).at(at.min(text.len())) - 1
}

/// `2023-04-05T10:00:00+00:00` → its date.
pub(crate) fn date_prefix(s: &str) -> Option<chrono::NaiveDate> {
    s.get(..10).and_then(|d| parse_date(d).ok())
}

/// Reading typed values out of a JSON object, reporting each problem at
/// the value's path.
pub(crate) struct Obj<'o, 'c> {
    pub map: &'o Map<String, Value>,
    pub path: String,
    pub line: u64,
    pub ctx: &'o ImportContext<'c>,
    pub problems: Vec<Problem>,
}

impl<'o, 'c> Obj<'o, 'c> {
    pub fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    pub fn bad(&mut self, key: &str, reason: impl Into<String>) {
        let p = self.ctx.problem(self.line, &self.at(key), reason);
        self.problems.push(p);
    }

    /// A text value (strings; numbers written as text), checked with the
    /// text rule; `None` when absent, null or empty.
    pub fn text(&mut self, key: &str, kind: TextKind) -> Option<String> {
        let s = match self.map.get(key) {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                self.bad(key, format!("expected text, found {}", json_kind(other)));
                return None;
            }
        };
        if let Err(r) = check_text(&s, kind) {
            self.bad(key, r);
            return None;
        }
        (!s.is_empty()).then_some(s)
    }

    /// A link checked with the domain's rule for links (or repositories).
    pub fn url(&mut self, key: &str, repository: bool) -> Option<String> {
        let s = self.text(key, TextKind::Line)?;
        let checked = if repository {
            check_repository_url(&s)
        } else {
            check_url(&s)
        };
        match checked {
            Ok(()) => Some(s),
            Err(r) => {
                self.bad(key, r);
                None
            }
        }
    }

    /// A nested object; `[]` (the Comptoir's way of writing "none"), null
    /// or absence give `None`.
    pub fn object(&mut self, key: &str) -> Option<&'o Map<String, Value>> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.is_empty() => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                self.bad(
                    key,
                    format!("expected an object or [], found {}", json_kind(other)),
                );
                None
            }
        }
    }

    pub fn child<'p>(&self, key: &str, map: &'p Map<String, Value>) -> Obj<'p, 'c>
    where
        'o: 'p,
    {
        Obj {
            map,
            path: self.at(key),
            line: self.line,
            ctx: self.ctx,
            problems: Vec::new(),
        }
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An id as the Comptoir writes it: a non-negative integer (or its text).
fn comptoir_id(o: &mut Obj<'_, '_>, key: &str) -> Option<String> {
    let id = match o.map.get(key) {
        Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.clone()
        }
        None | Some(Value::Null) => {
            o.bad(key, "required value is missing");
            return None;
        }
        Some(other) => {
            o.bad(
                key,
                format!(
                    "expected a whole number, found {}",
                    match other {
                        Value::String(s) => echo(s),
                        v => json_kind(v).to_string(),
                    }
                ),
            );
            return None;
        }
    };
    Some(id)
}

/// The actor kind of a Comptoir account type. `Administration` covers
/// communes as well as ministries: no kind is guessed for it.
fn actor_kind(t: &str) -> (Option<&'static str>, Nature) {
    match t {
        "Company" => (Some("company"), Nature::Organisation),
        "Association" => (Some("association"), Nature::Organisation),
        "Person" => (Some("person"), Nature::Person),
        _ => (None, Nature::Organisation),
    }
}

type Records = Vec<(u64, Entity)>;

/// The records of one software: the commons, its users and providers,
/// and the relations. `people_lines` gives the line of each user and
/// provider (for messages and provenance).
fn software(
    raw: &RawValue,
    path: &str,
    line: u64,
    people_lines: &[Vec<u64>],
    export_date: Option<chrono::NaiveDate>,
    ctx: &ImportContext<'_>,
) -> Result<Records, Vec<Problem>> {
    let map: Map<String, Value> = match serde_json::from_str(raw.get()) {
        Ok(m) => m,
        Err(e) => {
            return Err(vec![ctx.problem(
                line,
                path,
                format!("not a JSON object: {e}"),
            )])
        }
    };
    let mut o = Obj {
        map: &map,
        path: path.to_string(),
        line,
        ctx,
        problems: Vec::new(),
    };
    let id = comptoir_id(&mut o, "id");
    let name = o.text("name", TextKind::Line);
    if name.is_none() && !o.problems.iter().any(|p| p.field == o.at("name")) {
        o.bad("name", "required value is missing");
    }
    let url = o.url("url", false);
    let licence = o.text("licence", TextKind::Line);
    let logo = o.url("logoUrl", false);
    let created = o.text("created", TextKind::Line);
    let modified = o.text("modified", TextKind::Line);
    let mut categories: Vec<String> = Vec::new();
    match map.get("keywords") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, k) in items.iter().enumerate() {
                match k {
                    Value::String(s) => match check_text(s.trim(), TextKind::Line) {
                        Ok(()) if !s.trim().is_empty() => {
                            let s = s.trim().to_string();
                            if !categories.contains(&s) {
                                categories.push(s);
                            }
                        }
                        Ok(()) => {}
                        Err(r) => o.bad(&format!("keywords[{i}]"), r),
                    },
                    other => o.bad(
                        &format!("keywords[{i}]"),
                        format!("expected text, found {}", json_kind(other)),
                    ),
                }
            }
        }
        Some(other) => o.bad(
            "keywords",
            format!("expected an array, found {}", json_kind(other)),
        ),
    }
    let mut details: BTreeMap<String, String> = BTreeMap::new();
    let mut identifiers = Identifiers::default();
    let (mut website, mut repository) = (None, None);
    if let Some(ext) = o.object("external_resources") {
        let mut x = o.child("external_resources", ext);
        website = x.url("website", false);
        repository = x.url("repository", true);
        if let Some(w) = x.object("wikidata") {
            let mut wd = x.child("wikidata", w);
            if let Some(q) = wd.text("id", TextKind::Line) {
                let q = q.to_uppercase();
                match check_wikidata(&q) {
                    Ok(()) => identifiers.wikidata = Some(q),
                    Err(r) => wd.bad("id", r),
                }
            }
            x.problems.append(&mut wd.problems);
        }
        if let Some(s) = x.object("sill") {
            let mut sill = x.child("sill", s);
            identifiers.sill = comptoir_id(&mut sill, "id");
            if let Some(u) = sill.url("url", false) {
                details.insert("sill_url".into(), u);
            }
            x.problems.append(&mut sill.problems);
        }
        if let Some(w) = x.object("wikipedia") {
            let mut wp = x.child("wikipedia", w);
            if let Some(u) = wp.url("url", false) {
                details.insert("wikipedia_url".into(), u);
            }
            x.problems.append(&mut wp.problems);
        }
        if let Some(c) = x.object("cnll") {
            let mut cn = x.child("cnll", c);
            if let Some(u) = cn.url("url", false) {
                details.insert("cnll_url".into(), u);
            }
            x.problems.append(&mut cn.problems);
        }
        if let Some(f) = x.object("framalibre") {
            let mut fr = x.child("framalibre", f);
            if let Some(u) = fr.url("url", false) {
                details.insert("framalibre_url".into(), u);
            }
            x.problems.append(&mut fr.problems);
        }
        o.problems.append(&mut x.problems);
    }
    let commons_id = id.as_ref().and_then(|id| {
        EntityId::new(EntityKind::Commons, &ctx.source, id)
            .map_err(|_| ())
            .ok()
    });
    // Users and providers.
    let mut people: Vec<(u64, Actor, &'static str)> = Vec::new();
    for (li, (list, relation)) in [("users", "uses"), ("providers", "provides_services")]
        .into_iter()
        .enumerate()
    {
        let items = match map.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items,
            Some(other) => {
                o.bad(
                    list,
                    format!("expected an array, found {}", json_kind(other)),
                );
                continue;
            }
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{list}[{i}]");
            let pline = people_lines
                .get(li)
                .and_then(|l| l.get(i))
                .copied()
                .unwrap_or(line);
            let Value::Object(pm) = item else {
                o.bad(
                    &at,
                    format!("expected an object, found {}", json_kind(item)),
                );
                continue;
            };
            let mut p = Obj {
                map: pm,
                path: o.at(&at),
                line: pline,
                ctx,
                problems: Vec::new(),
            };
            let pid = comptoir_id(&mut p, "id");
            let pname = p.text("name", TextKind::Line);
            if pname.is_none() && !p.problems.iter().any(|x| x.field == p.at("name")) {
                p.bad("name", "required value is missing");
            }
            let kind = p.text("type", TextKind::Line).unwrap_or_default();
            let mut site = None;
            if let Some(ext) = p.object("external_resources") {
                let mut x = p.child("external_resources", ext);
                site = x.url("website", false);
                p.problems.append(&mut x.problems);
            }
            let _ = p.url("url", false);
            let ok = p.problems.is_empty();
            o.problems.append(&mut p.problems);
            let (Some(pid), Some(pname), true) = (pid, pname, ok) else {
                continue;
            };
            let Ok(aid) = EntityId::new(EntityKind::Actor, &ctx.source, &format!("user-{pid}"))
            else {
                continue;
            };
            let (kind, nature) = actor_kind(&kind);
            let mut provenance = ctx.provenance(pline);
            provenance.source_date = export_date;
            people.push((
                pline,
                Actor {
                    id: aid,
                    name: pname,
                    nature,
                    kind: kind.map(str::to_string),
                    typology: Vec::new(),
                    description: None,
                    identifiers: Identifiers::default(),
                    website: site,
                    email: None,
                    territory: None,
                    location: None,
                    provenance,
                },
                relation,
            ));
        }
    }
    let (Some(commons_id), Some(name), true) = (commons_id, name, o.problems.is_empty()) else {
        if o.problems.is_empty() {
            o.bad("id", "not a usable Comptoir id");
        }
        return Err(o.problems);
    };
    identifiers.comptoir_du_libre = id;
    let license = licence.as_deref().and_then(crate::licence::normalise_any);
    if let Some(l) = &licence {
        if license.as_deref() != Some(l.as_str()) {
            details.insert("licence_declared".into(), l.clone());
        }
    }
    for (k, v) in [
        ("comptoir_url", url),
        ("logo_url", logo),
        ("created", created),
        ("modified", modified),
    ] {
        if let Some(v) = v {
            details.insert(k.into(), v);
        }
    }
    let mut provenance = ctx.provenance(line);
    provenance.source_date = details
        .get("modified")
        .and_then(|m| date_prefix(m))
        .or(export_date);
    let commons = Commons {
        id: commons_id.clone(),
        name,
        kind: "software".into(),
        description: None,
        repository_url: repository,
        website_url: website,
        license,
        publiccode: None,
        categories,
        identifiers,
        details,
        provenance,
    };
    let mut out: Records = vec![(line, Entity::Commons(commons))];
    for (pline, actor, relation) in people {
        let rel_id = Relation::derive_id(&ctx.source, &actor.id, relation, &commons_id, None)
            .map_err(|e| vec![ctx.problem(pline, path, e.to_string())])?;
        let mut provenance = ctx.provenance(pline);
        provenance.source_date = export_date;
        out.push((
            pline,
            Entity::Relation(Relation {
                id: rel_id,
                subject: actor.id.clone(),
                kind: relation.into(),
                object: commons_id.clone(),
                role: None,
                since: None,
                until: None,
                note: None,
                provenance,
            }),
        ));
        out.push((pline, Entity::Actor(actor)));
    }
    Ok(out)
}
