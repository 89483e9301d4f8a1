//! The demonstration territory: records read from `content/demo/*.toml`.

use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::reader::{Fields, RawFile};
use crate::{Content, ContentError};
use archipel_domain::{
    check_identifiers, check_insee_commune, check_point, check_postcode, check_siren, Actor,
    Address, Commons, Entity, EntityId, EntityKind, Identifiers, Nature, Place, Provenance,
    Relation, Territory,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use toml::{Spanned, Table};

/// The provenance source of every demonstration record.
pub const DEMO_SOURCE: &str = "demo";

/// A demonstration record and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct DemoRecord {
    pub entity: Entity,
    /// File name shown in messages.
    pub shown: String,
    pub line: Option<u64>,
}

fn item_name(kind: EntityKind, id: &str, index: usize) -> String {
    if id.is_empty() {
        format!("{kind} #{}", index + 1)
    } else {
        format!("{kind} \"{id}\"")
    }
}

/// Reads an identifier field and checks its kind.
fn read_id(
    f: &mut Fields<'_>,
    key: &str,
    expected: &[EntityKind],
    problems: &mut Vec<(String, String)>,
) -> Option<EntityId> {
    let s = f.str(key)?;
    match EntityId::parse(&s) {
        Ok(id) if expected.contains(&id.kind()) => Some(id),
        Ok(id) => {
            let names: Vec<&str> = expected.iter().map(|k| k.as_str()).collect();
            problems.push((
                key.to_string(),
                format!("`{id}` is a {}, expected {}", id.kind(), names.join(" or ")),
            ));
            None
        }
        Err(e) => {
            problems.push((key.to_string(), e.to_string()));
            None
        }
    }
}

fn read_identifiers(f: &mut Fields<'_>, problems: &mut Vec<(String, String)>) -> Identifiers {
    let mut ids = Identifiers::default();
    let Some(t) = f.table("identifiers") else {
        return ids;
    };
    let mut g = Fields::new(t);
    ids.siret = g.str("siret");
    ids.siren = g.str("siren");
    ids.rna = g.str("rna");
    ids.other = g.str("other");
    ids.wikidata = g.str("wikidata");
    ids.comptoir_du_libre = g.str("comptoir_du_libre");
    ids.sill = g.str("sill");
    g.finish_strict();
    for (k, r) in g.problems {
        problems.push((format!("identifiers.{k}"), r));
    }
    ids
}

fn read_address(f: &mut Fields<'_>, problems: &mut Vec<(String, String)>) -> Address {
    let mut a = Address::default();
    let Some(t) = f.table("address") else {
        return a;
    };
    let mut g = Fields::new(t);
    a.street = g.str("street");
    a.complement = g.str("complement");
    a.postcode = g.str("postcode");
    a.city = g.str("city");
    g.finish_strict();
    for (k, r) in g.problems {
        problems.push((format!("address.{k}"), r));
    }
    a
}

fn parse_item(
    kind: EntityKind,
    table: &Table,
    provenance: Provenance,
) -> (String, Option<Entity>, Vec<(String, String)>) {
    let mut f = Fields::new(table);
    let mut extra: Vec<(String, String)> = Vec::new();
    let raw_id = f.str("id").unwrap_or_default();
    let id = if kind == EntityKind::Relation && raw_id.is_empty() {
        None
    } else if raw_id.is_empty() {
        extra.push(("id".into(), "missing id".into()));
        None
    } else {
        match EntityId::parse(&raw_id) {
            Ok(id) if id.kind() == kind => Some(id),
            Ok(id) => {
                extra.push((
                    "id".into(),
                    format!("`{id}` is a {} identifier in a [[{kind}]] item", id.kind()),
                ));
                None
            }
            Err(e) => {
                extra.push(("id".into(), e.to_string()));
                None
            }
        }
    };
    let entity = match kind {
        EntityKind::Territory => {
            let name = f.req_str("name", "name");
            let level = f.req_str("level", "level");
            let code = f.req_str("code", "code");
            let parent = read_id(&mut f, "parent", &[EntityKind::Territory], &mut extra);
            let fictional = f.bool("fictional").unwrap_or(false);
            let population = f.count("population");
            id.map(|id| {
                Entity::Territory(Territory {
                    id,
                    name,
                    level,
                    code,
                    parent,
                    fictional,
                    department: None,
                    population,
                    postcodes: Vec::new(),
                    provenance,
                })
            })
        }
        EntityKind::Actor => {
            let name = f.req_str("name", "name");
            let nature = match f.str("nature") {
                None => Nature::Organisation,
                Some(n) => Nature::parse(&n).unwrap_or_else(|| {
                    extra.push((
                        "nature".into(),
                        format!("`{n}` is neither organisation nor person"),
                    ));
                    Nature::Organisation
                }),
            };
            let kind_key = f.str("kind");
            let typology = f.str_list("typology");
            let description = f.str("description");
            let identifiers = read_identifiers(&mut f, &mut extra);
            let website = f.str("website");
            let email = f.str("email");
            let territory = read_id(&mut f, "territory", &[EntityKind::Territory], &mut extra);
            let location = f.point("location");
            id.map(|id| {
                Entity::Actor(Actor {
                    id,
                    name,
                    nature,
                    kind: kind_key,
                    typology,
                    description,
                    identifiers,
                    website,
                    email,
                    territory,
                    location,
                    provenance,
                })
            })
        }
        EntityKind::Place => {
            let name = f.req_str("name", "name");
            let actor = read_id(&mut f, "actor", &[EntityKind::Actor], &mut extra);
            let description = f.str("description");
            let address = read_address(&mut f, &mut extra);
            let insee_code = f.str("insee_code");
            let location = f.point("location");
            let territory = read_id(&mut f, "territory", &[EntityKind::Territory], &mut extra);
            let phone = f.str("phone");
            let emails = f.str_list("emails");
            let websites = f.str_list("websites");
            let details = f.str_map("details");
            id.map(|id| {
                Entity::Place(Place {
                    id,
                    name,
                    actor,
                    description,
                    address,
                    insee_code,
                    location,
                    territory,
                    phone,
                    emails,
                    websites,
                    details,
                    provenance,
                })
            })
        }
        EntityKind::Commons => {
            let name = f.req_str("name", "name");
            let kind_key = f.req_str("kind", "kind");
            let description = f.str("description");
            let repository_url = f.str("repository_url");
            let website_url = f.str("website_url");
            let license = f.str("license");
            let publiccode = f.str("publiccode");
            let categories = f.str_list("categories");
            let identifiers = read_identifiers(&mut f, &mut extra);
            let details = f.str_map("details");
            id.map(|id| {
                Entity::Commons(Commons {
                    id,
                    name,
                    kind: kind_key,
                    description,
                    repository_url,
                    website_url,
                    license,
                    publiccode,
                    categories,
                    identifiers,
                    details,
                    provenance,
                })
            })
        }
        EntityKind::Relation => {
            let all = [
                EntityKind::Territory,
                EntityKind::Actor,
                EntityKind::Place,
                EntityKind::Commons,
            ];
            let subject = read_id(&mut f, "subject", &all, &mut extra);
            let rkind = f.req_str("kind", "kind");
            let object = read_id(&mut f, "object", &all, &mut extra);
            let role = f.str("role");
            let since = f.date("since");
            let until = f.date("until");
            let note = f.str("note");
            if !f.problems.iter().any(|(k, _)| k == "subject")
                && !extra.iter().any(|(k, _)| k == "subject")
                && subject.is_none()
            {
                extra.push(("subject".into(), "missing subject".into()));
            }
            if !f.problems.iter().any(|(k, _)| k == "object")
                && !extra.iter().any(|(k, _)| k == "object")
                && object.is_none()
            {
                extra.push(("object".into(), "missing object".into()));
            }
            match (subject, object) {
                (Some(subject), Some(object)) => {
                    let id = match id {
                        Some(id) => Ok(id),
                        None => Relation::derive_id(
                            DEMO_SOURCE,
                            &subject,
                            &rkind,
                            &object,
                            role.as_deref(),
                        ),
                    };
                    match id {
                        Ok(id) => Some(Entity::Relation(Relation {
                            id,
                            subject,
                            kind: rkind,
                            object,
                            role,
                            since,
                            until,
                            note,
                            provenance,
                        })),
                        Err(e) => {
                            extra.push(("id".into(), e.to_string()));
                            None
                        }
                    }
                }
                _ => None,
            }
        }
    };
    f.finish_strict();
    let mut problems = f.problems;
    problems.extend(extra);
    let name = match &entity {
        Some(Entity::Relation(r)) => format!("relation \"{} {} {}\"", r.subject, r.kind, r.object),
        _ => raw_id,
    };
    (name, entity, problems)
}

/// Reads the records of one demonstration file.
pub(crate) fn read_demo_file(
    file: &SourceFile,
    raw: &RawFile,
    p: &mut Problems<'_>,
    out: &mut Vec<DemoRecord>,
) {
    if !raw.term.is_empty() || !raw.code.is_empty() {
        p.push(
            None,
            "",
            "a demonstration file holds [[territory]], [[actor]], [[place]], [[commons]] or [[relation]] items",
        );
    }
    let arrays: [(EntityKind, &Vec<Spanned<Table>>); 5] = [
        (EntityKind::Territory, &raw.territory),
        (EntityKind::Actor, &raw.actor),
        (EntityKind::Place, &raw.place),
        (EntityKind::Commons, &raw.commons),
        (EntityKind::Relation, &raw.relation),
    ];
    for (kind, items) in arrays {
        for (i, spanned) in items.iter().enumerate() {
            let line = line_of(&file.text, spanned.span().start);
            let prov =
                Provenance::new(DEMO_SOURCE, DateTime::<Utc>::UNIX_EPOCH).at(file.logical(), line);
            let (name, entity, problems) = parse_item(kind, spanned.get_ref(), prov);
            let item = if name.starts_with("relation \"") {
                name
            } else {
                item_name(kind, &name, i)
            };
            for (field, reason) in problems {
                p.push(Some(line), &item, format!("{field}: {reason}"));
            }
            if let Some(entity) = entity {
                out.push(DemoRecord {
                    entity,
                    shown: file.shown.clone(),
                    line: Some(line),
                });
            }
        }
    }
}

fn describe(e: &Entity) -> String {
    match e {
        Entity::Relation(r) => format!("relation \"{} {} {}\"", r.subject, r.kind, r.object),
        other => format!("{} \"{}\"", other.kind(), other.id()),
    }
}

/// Checks the demonstration records as a whole: identifiers unique,
/// references resolved, vocabulary keys known, values well formed.
pub(crate) fn validate(content: &Content, records: &[DemoRecord], list: &mut Vec<ContentError>) {
    let mut by_id: BTreeMap<&EntityId, &DemoRecord> = BTreeMap::new();
    for r in records {
        if let Some(first) = by_id.get(r.entity.id()) {
            list.push(ContentError::new(
                &r.shown,
                r.line,
                describe(&r.entity),
                format!(
                    "duplicate identifier (first defined in {}{})",
                    first.shown,
                    first.line.map(|l| format!(":{l}")).unwrap_or_default()
                ),
            ));
        } else {
            by_id.insert(r.entity.id(), r);
        }
    }
    for r in records {
        let mut bad: Vec<(String, String)> = content.check_entity(&r.entity);
        let mut reference = |field: &str, id: &EntityId| {
            if !by_id.contains_key(id) {
                bad.push((
                    field.to_string(),
                    format!("`{id}` is not a record of the demonstration"),
                ));
            }
        };
        match &r.entity {
            Entity::Territory(t) => {
                if let Some(p) = &t.parent {
                    reference("parent", p);
                }
            }
            Entity::Actor(a) => {
                if let Some(t) = &a.territory {
                    reference("territory", t);
                }
            }
            Entity::Place(pl) => {
                if let Some(a) = &pl.actor {
                    reference("actor", a);
                }
                if let Some(t) = &pl.territory {
                    reference("territory", t);
                }
            }
            Entity::Commons(_) => {}
            Entity::Relation(rel) => {
                reference("subject", &rel.subject);
                reference("object", &rel.object);
            }
        }
        check_values(&r.entity, &by_id, content, &mut bad);
        for (field, reason) in bad {
            list.push(ContentError::new(
                &r.shown,
                r.line,
                describe(&r.entity),
                format!("{field}: {reason}"),
            ));
        }
    }
}

fn check_values(
    e: &Entity,
    by_id: &BTreeMap<&EntityId, &DemoRecord>,
    content: &Content,
    bad: &mut Vec<(String, String)>,
) {
    let mut push = |field: &str, r: Result<(), String>| {
        if let Err(reason) = r {
            bad.push((field.to_string(), reason));
        }
    };
    match e {
        Entity::Territory(t) => {
            if !t.fictional {
                push(
                    "fictional",
                    Err("demonstration territories must be marked `fictional = true`".into()),
                );
            }
            match t.level.as_str() {
                "commune" => push("code", check_insee_commune(&t.code)),
                "epci" => push("code", check_siren(&t.code)),
                _ => {}
            }
            let expected_parent = content
                .vocabulary("territory_levels")
                .and_then(|v| v.term(&t.level))
                .and_then(|term| term.extra_str("parent"));
            if let Some(p) = &t.parent {
                if let Some(Entity::Territory(pt)) = by_id.get(p).map(|r| &r.entity) {
                    if let Some(exp) = expected_parent {
                        if pt.level != exp {
                            push(
                                "parent",
                                Err(format!(
                                    "a {} belongs to a {exp}, but `{p}` is a {}",
                                    t.level, pt.level
                                )),
                            );
                        }
                    }
                }
            }
        }
        Entity::Actor(a) => {
            for (field, reason) in check_identifiers(&a.identifiers) {
                push(&format!("identifiers.{field}"), Err(reason));
            }
            if let Some(p) = a.location {
                push("location", check_point(p));
            }
        }
        Entity::Place(p) => {
            if let Some(pt) = p.location {
                push("location", check_point(pt));
            }
            if let Some(pc) = &p.address.postcode {
                push("address.postcode", check_postcode(pc));
            }
            if let Some(code) = &p.insee_code {
                push("insee_code", check_insee_commune(code));
                if let Some(t) = &p.territory {
                    if let Some(Entity::Territory(tt)) = by_id.get(t).map(|r| &r.entity) {
                        if tt.level == "commune" && &tt.code != code {
                            push(
                                "insee_code",
                                Err(format!(
                                    "`{code}` differs from the code of its territory `{}` ({})",
                                    tt.id, tt.code
                                )),
                            );
                        }
                    }
                }
            }
        }
        Entity::Commons(c) => {
            for (field, reason) in check_identifiers(&c.identifiers) {
                push(&format!("identifiers.{field}"), Err(reason));
            }
        }
        Entity::Relation(_) => {}
    }
}
