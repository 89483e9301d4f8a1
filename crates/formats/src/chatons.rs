//! ChatonsInfos: the `.properties` files in which the CHATONS collective's
//! hosts describe themselves — a federation file lists organisations, an
//! organisation file lists its services, through `subs.ID = URL` lines.
//!
//! Read from a file or from a folder (the command line walks it and hands
//! the files over as one [`bundle`]). Each organisation becomes an actor
//! of kind `chatons_host`, `actor:SOURCE:SLUG` (SLUG from the file's name,
//! which is what a `subs.` line points at); a federation an actor of kind
//! `network` that the organisations it lists are `member_of`. Each
//! service gives the commons of its software (`software.name`, licence
//! normalised to SPDX, `software.source.url`, `software.website`),
//! `commons:SOURCE:software-SLUG` — one per software name, however many
//! hosts run it — and a `hosts` relation from the organisation to it,
//! dated by `service.startdate`/`service.enddate`, whose note says the
//! service's name, address, status (`service.status.level`: ON,
//! MAINTENANCE, DOWN, OFF, DRAFT, and the OK real files write) and
//! registration. A service belongs to the organisation whose `subs.`
//! line names its file; with no such line, to the only organisation of
//! the files read.
//!
//! Files: UTF-8 (Java's `\uXXXX` escapes are read too), `key = value` or
//! `key: value`, `#`/`!` comments, a trailing `\` continues a line. Dates
//! are ISO (`2021-03-20`, or a date-time) or French (`20/03/2021`).
//! The command line also walks the files from a URL (`subs` lists what a
//! file points at), bundling what it fetched.

use crate::read::record_too_large;
use crate::{ImportContext, Parsed, Problem};
use archipel_domain::*;
use std::collections::{BTreeMap, HashMap};

/// First line of a bundle of files (see [`bundle`]).
const MAGIC: &[u8] = b"#archipel-chatonsinfos-bundle 1\n";

/// Packs several files (name, bytes) into one byte string for
/// [`parse_to`]: each file as `LENGTH NAME\n` and its bytes.
pub fn bundle(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    for (name, bytes) in files {
        out.extend_from_slice(format!("{} {}\n", bytes.len(), name.replace('\n', " ")).as_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

fn unbundle<'b>(bytes: &'b [u8], file: &str) -> Result<Vec<(String, &'b [u8])>, String> {
    let Some(mut rest) = bytes.strip_prefix(MAGIC) else {
        return Ok(vec![(file.to_string(), bytes)]);
    };
    let mut out = Vec::new();
    while !rest.is_empty() {
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("damaged bundle: a header has no end")?;
        let header = std::str::from_utf8(&rest[..nl]).map_err(|_| "damaged bundle header")?;
        let (len, name) = header.split_once(' ').ok_or("damaged bundle header")?;
        let len: usize = len.parse().map_err(|_| "damaged bundle header")?;
        let body = rest
            .get(nl + 1..nl + 1 + len)
            .ok_or("damaged bundle: a file is cut")?;
        out.push((name.to_string(), body));
        rest = &rest[nl + 1 + len..];
    }
    Ok(out)
}

/// One `key = value` line.
struct Prop {
    value: String,
    line: u64,
}

/// A file read: its properties by key (the last one wins, as Java's).
struct File {
    name: String,
    props: BTreeMap<String, Prop>,
    problems: Vec<Problem>,
    bytes: Vec<u8>,
}

impl File {
    fn get(&self, key: &str) -> Option<&str> {
        self.props
            .get(key)
            .map(|p| p.value.as_str())
            .filter(|v| !v.is_empty())
    }
    fn line(&self, key: &str) -> u64 {
        self.props.get(key).map_or(1, |p| p.line)
    }
    fn problem(&mut self, key: &str, reason: impl Into<String>) {
        let line = self.line(key);
        self.problems.push(Problem {
            file: printable(&self.name, 300),
            line,
            field: printable(key, 60),
            reason: printable(&reason.into(), 600),
        });
    }
    fn class(&self) -> String {
        self.get("file.class")
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
    fn stem(&self) -> String {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        base.strip_suffix(".properties").unwrap_or(base).to_string()
    }
}

/// The child files a ChatonsInfos file lists (`subs.ID = URL` lines, in
/// the file's key order), with the line of each: what a walk over URLs
/// fetches next.
pub fn subs(name: &str, bytes: &[u8]) -> Vec<(u64, String)> {
    read_file(name, bytes)
        .props
        .into_iter()
        .filter(|(k, p)| k.starts_with("subs.") && !p.value.trim().is_empty())
        .map(|(_, p)| (p.line, p.value.trim().to_string()))
        .collect()
}

/// Reads the `.properties` text of one file.
fn read_file(name: &str, bytes: &[u8]) -> File {
    let mut f = File {
        name: name.to_string(),
        props: BTreeMap::new(),
        problems: Vec::new(),
        bytes: bytes.to_vec(),
    };
    let p = |line: u64, field: &str, reason: String| Problem {
        file: printable(name, 300),
        line,
        field: printable(field, 60),
        reason: printable(&reason, 600),
    };
    if let Some(r) = record_too_large(bytes.len()) {
        f.problems.push(p(0, "", r));
        return f;
    }
    let bytes = crate::strip_bom(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = crate::read::line_at(bytes, e.valid_up_to());
            f.problems.push(p(
                line,
                "",
                "not UTF-8 text; convert the file (iconv -f latin1 -t utf-8)".into(),
            ));
            return f;
        }
    };
    let raw_lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    while i < raw_lines.len() {
        let start = i as u64 + 1;
        let mut logical = raw_lines[i].trim_end_matches('\r').trim_start().to_string();
        i += 1;
        if logical.starts_with('#') || logical.starts_with('!') || logical.is_empty() {
            continue;
        }
        // A line ending with an odd number of backslashes continues.
        while logical.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
            && i < raw_lines.len()
        {
            logical.pop();
            logical.push_str(raw_lines[i].trim_end_matches('\r').trim_start());
            i += 1;
        }
        let (key, value) = split_property(&logical);
        let (key, value) = match (unescape(&key), unescape(&value)) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(r), _) | (_, Err(r)) => {
                f.problems.push(p(start, &key, r));
                continue;
            }
        };
        let kind = if key.ends_with("description") {
            TextKind::Block
        } else {
            TextKind::Line
        };
        if let Err(r) = check_text(value.trim(), kind) {
            f.problems.push(p(start, &key, r));
            continue;
        }
        if let Err(r) = check_text(&key, TextKind::Line) {
            f.problems.push(p(start, &key, r));
            continue;
        }
        f.props.insert(
            key,
            Prop {
                value: value.trim().to_string(),
                line: start,
            },
        );
    }
    f
}

/// Splits at the first unescaped `=`, `:` or blank.
fn split_property(line: &str) -> (String, String) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' | ' ' | '\t' => {
                let key = line[..i].to_string();
                let mut rest = line[i..].trim_start();
                if c.is_whitespace() {
                    if let Some(r) = rest.strip_prefix(['=', ':']) {
                        rest = r;
                    }
                } else {
                    rest = &rest[1..];
                }
                return (key, rest.trim_start().to_string());
            }
            _ => {}
        }
    }
    (line.to_string(), String::new())
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = it.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("\\u{} is not a character escape", echo(&hex)))?;
                out.push(c);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// A date as the files write it: ISO (a date-time's date) or `DD/MM/YYYY`.
fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    if let Some(d) = s.get(..10).and_then(|d| parse_date(d).ok()) {
        return Ok(d);
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%d/%m/%Y")
        .map_err(|_| format!("{} is not a date (YYYY-MM-DD or DD/MM/YYYY)", echo(s)))
}

/// Status levels of `service.status.level`.
const STATUS: &[&str] = &["ON", "OK", "MAINTENANCE", "DOWN", "OFF", "DRAFT"];

/// Reads a ChatonsInfos file, or a [`bundle`] of them.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> Parsed {
    parse_to(bytes, ctx, None)
}

/// Like [`parse`], sending valid records to `sink`.
pub fn parse_to(bytes: &[u8], ctx: &ImportContext<'_>, sink: Option<crate::Sink>) -> Parsed {
    let mut parsed = Parsed::new("properties", sink);
    let files = match unbundle(bytes, &ctx.file) {
        Ok(f) => f,
        Err(r) => {
            parsed.stop(ctx.problem(0, "", r));
            return parsed.finish();
        }
    };
    let mut files: Vec<File> = files.iter().map(|(n, b)| read_file(n, b)).collect();
    for f in &mut files {
        if f.problems.is_empty() {
            match f.class().as_str() {
                "federation" | "organization" | "organisation" | "service" | "device" => {}
                "" => f.problem(
                    "file.class",
                    "required value is missing (federation, organization or service)",
                ),
                other => {
                    let other = other.to_string();
                    f.problem(
                        "file.class",
                        format!(
                            "{} is not federation, organization, service or device",
                            echo(&other)
                        ),
                    )
                }
            }
        }
    }
    // Who lists whom: the last segment of each `subs.` URL → the listing file.
    let mut listed_by: HashMap<String, usize> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        for (k, p) in &f.props {
            if k.starts_with("subs.") {
                let seg = p
                    .value
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                let seg = seg.strip_suffix(".properties").unwrap_or(seg);
                if !seg.is_empty() {
                    listed_by.insert(seg.to_string(), i);
                }
            }
        }
    }
    let orgs: Vec<usize> = (0..files.len())
        .filter(|&i| matches!(files[i].class().as_str(), "organization" | "organisation"))
        .collect();
    let mut actor_ids: HashMap<usize, EntityId> = HashMap::new();
    let mut entities: Vec<(usize, Entity)> = Vec::new();
    // Federations and organisations first.
    for (i, f) in files.iter_mut().enumerate() {
        let class = f.class();
        let is_fed = class == "federation";
        let is_org = class == "organization" || class == "organisation";
        if !(is_fed || is_org) || !f.problems.is_empty() {
            continue;
        }
        let prefix = if is_fed { "federation" } else { "organization" };
        let name_key = format!("{prefix}.name");
        let Some(name) = f.get(&name_key).map(str::to_string) else {
            f.problem(&name_key, "required value is missing");
            continue;
        };
        let local = if is_fed {
            format!("federation-{}", slug(&name))
        } else {
            slug(&f.stem())
        };
        let Ok(id) = EntityId::new(EntityKind::Actor, &ctx.source, &local) else {
            f.problem(&name_key, "no identifier can be made from the file name");
            continue;
        };
        let website = f.get(&format!("{prefix}.website")).map(str::to_string);
        if let Some(w) = &website {
            if let Err(r) = check_url(w) {
                f.problem(&format!("{prefix}.website"), r);
            }
        }
        let email = f
            .get(&format!("{prefix}.contact.email"))
            .map(str::to_string);
        if let Some(e) = &email {
            if let Err(r) = check_email(e) {
                f.problem(&format!("{prefix}.contact.email"), r);
            }
        }
        let mut provenance = ctx
            .provenance(f.line(&name_key))
            .at(f.name.clone(), f.line(&name_key));
        provenance.source_date = f.get("file.datetime").and_then(|d| date(d).ok());
        let actor = Actor {
            id: id.clone(),
            name,
            nature: Nature::Organisation,
            kind: Some(if is_fed { "network" } else { "chatons_host" }.into()),
            typology: Vec::new(),
            description: f.get(&format!("{prefix}.description")).map(str::to_string),
            identifiers: Identifiers::default(),
            website,
            email,
            territory: None,
            location: None,
            provenance,
        };
        if f.problems.is_empty() {
            actor_ids.insert(i, id);
            entities.push((i, Entity::Actor(actor)));
        }
    }
    // Organisations listed by a federation are its members.
    for (&i, id) in &actor_ids {
        let f = &files[i];
        if f.class() == "federation" {
            continue;
        }
        let Some(&by) = listed_by.get(&f.stem()) else {
            continue;
        };
        let Some(fed) = actor_ids
            .get(&by)
            .filter(|_| files[by].class() == "federation")
        else {
            continue;
        };
        if let Ok(rid) = Relation::derive_id(&ctx.source, id, "member_of", fed, None) {
            let line = f.line("organization.name");
            entities.push((
                i,
                Entity::Relation(Relation {
                    id: rid,
                    subject: id.clone(),
                    kind: "member_of".into(),
                    object: fed.clone(),
                    role: None,
                    since: None,
                    until: None,
                    note: None,
                    provenance: ctx.provenance(line).at(f.name.clone(), line),
                }),
            ));
        }
    }
    // Services.
    let org_names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let mut software: HashMap<EntityId, ()> = HashMap::new();
    let mut hosts: BTreeMap<EntityId, usize> = BTreeMap::new();
    for (i, f) in files.iter_mut().enumerate() {
        if f.class() != "service" || !f.problems.is_empty() {
            continue;
        }
        let stem = f.stem();
        let org = listed_by
            .get(&stem)
            .copied()
            .filter(|o| orgs.contains(o))
            .or_else(|| (orgs.len() == 1).then(|| orgs[0]));
        let org_id = org.and_then(|o| actor_ids.get(&o)).cloned();
        let Some(org_id) = org_id else {
            let reason = match org {
                Some(o) => format!(
                    "the organisation file that lists this service ({}) has problems",
                    org_names[o]
                ),
                None => {
                    "no organisation file lists this service (subs.… = …/FILE.properties)".into()
                }
            };
            f.problem("file.class", reason);
            continue;
        };
        let Some(sw) = f.get("software.name").map(str::to_string) else {
            f.problem("software.name", "required value is missing");
            continue;
        };
        let service = f.get("service.name").unwrap_or(&sw).to_string();
        let mut urls = Vec::new();
        for key in ["software.website", "software.source.url", "service.website"] {
            let v = f.get(key).map(str::to_string);
            if let Some(u) = &v {
                let ok = if key == "software.source.url" {
                    check_repository_url(u)
                } else {
                    check_url(u)
                };
                if let Err(r) = ok {
                    f.problem(key, r);
                }
            }
            urls.push(v);
        }
        let status = f
            .get("service.status.level")
            .map(|s| s.to_ascii_uppercase());
        if let Some(s) = &status {
            if !STATUS.contains(&s.as_str()) {
                let s = s.clone();
                f.problem(
                    "service.status.level",
                    format!("{} is not one of {}", echo(&s), STATUS.join(", ")),
                );
            }
        }
        let mut dates = [None, None];
        for (d, key) in ["service.startdate", "service.enddate"].iter().enumerate() {
            if let Some(v) = f.get(key).map(str::to_string) {
                match date(&v) {
                    Ok(x) => dates[d] = Some(x),
                    Err(r) => f.problem(key, r),
                }
            }
        }
        let licence = f
            .get("software.license.name")
            .or_else(|| f.get("software.license.url"))
            .map(str::to_string);
        let Ok(cid) = EntityId::new(
            EntityKind::Commons,
            &ctx.source,
            &format!("software-{}", slug(&sw)),
        ) else {
            f.problem("software.name", "no identifier can be made from this name");
            continue;
        };
        if !f.problems.is_empty() {
            continue;
        }
        let line = f.line("software.name");
        let mut provenance = ctx.provenance(line).at(f.name.clone(), line);
        provenance.source_date = f.get("file.datetime").and_then(|d| date(d).ok());
        if software.insert(cid.clone(), ()).is_none() {
            let license = licence.as_deref().and_then(crate::licence::normalise_any);
            let mut details = BTreeMap::new();
            if let Some(l) = &licence {
                if license.as_deref() != Some(l.as_str()) {
                    details.insert("licence_declared".to_string(), l.clone());
                }
            }
            entities.push((
                i,
                Entity::Commons(Commons {
                    id: cid.clone(),
                    name: sw.clone(),
                    kind: "software".into(),
                    description: None,
                    repository_url: urls[1].clone(),
                    website_url: urls[0].clone(),
                    license,
                    publiccode: None,
                    categories: Vec::new(),
                    identifiers: Identifiers::default(),
                    details,
                    provenance: provenance.clone(),
                }),
            ));
        }
        let mut note = service.clone();
        if let Some(u) = &urls[2] {
            note.push_str(&format!(" ({u})"));
        }
        if let Some(s) = &status {
            note.push_str(&format!(": status {s}"));
            if let Some(d) = f.get("service.status.description") {
                note.push_str(&format!(" ({d})"));
            }
        }
        if let Some(r) = f.get("service.registration") {
            note.push_str(&format!("; registration {r}"));
        }
        let Ok(rid) = Relation::derive_id(&ctx.source, &org_id, "hosts", &cid, None) else {
            continue;
        };
        // A host running the software twice: one relation, both notes.
        if let Some(&k) = hosts.get(&rid) {
            if let Entity::Relation(r) = &mut entities[k].1 {
                let joined = format!("{}; {note}", r.note.as_deref().unwrap_or(""));
                r.note = Some(joined);
                r.since = r.since.min(dates[0]).or(r.since).or(dates[0]);
                r.until = None;
            }
            continue;
        }
        hosts.insert(rid.clone(), entities.len());
        entities.push((
            i,
            Entity::Relation(Relation {
                id: rid,
                subject: org_id,
                kind: "hosts".into(),
                object: cid,
                role: None,
                since: dates[0],
                until: dates[1],
                note: Some(note),
                provenance,
            }),
        ));
    }
    // Records checked, then sent file by file.
    for (i, e) in &entities {
        let f = &files[*i];
        let line = e.provenance().line.unwrap_or(1);
        let found: Vec<Problem> = ctx
            .content
            .check_entity(e)
            .into_iter()
            .map(|(field, reason)| Problem {
                file: printable(&f.name, 300),
                line,
                field: printable(&field, 60),
                reason: printable(&reason, 600),
            })
            .collect();
        files[*i].problems.extend(found);
    }
    for f in &files {
        if f.class() == "device" && f.problems.is_empty() {
            continue;
        }
        parsed.records += 1;
        if !f.problems.is_empty() {
            parsed.rejected += 1;
            parsed.problems.extend(f.problems.iter().cloned());
            parsed.rejects.records.push(f.bytes.clone());
        }
    }
    let bad: Vec<bool> = files.iter().map(|f| !f.problems.is_empty()).collect();
    // The file each record comes from: a relation to a record of a
    // rejected file goes with it.
    let made_by: HashMap<EntityId, usize> = entities
        .iter()
        .filter(|(_, e)| !matches!(e, Entity::Relation(_)))
        .map(|(i, e)| (e.id().clone(), *i))
        .collect();
    let rejected = |id: &EntityId| made_by.get(id).is_some_and(|&i| bad[i]);
    for (i, e) in entities {
        let refs_bad = match &e {
            Entity::Relation(r) => rejected(&r.subject) || rejected(&r.object),
            _ => false,
        };
        if !bad[i] && !refs_bad {
            parsed.accept(e);
        }
    }
    if parsed.records == 0 {
        parsed.stop(ctx.problem(0, "", "no ChatonsInfos file (.properties) to read"));
    }
    parsed.finish()
}
