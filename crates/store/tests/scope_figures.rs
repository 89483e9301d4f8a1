//! A territory's figures (`Store::scope_stats`) counted from the records
//! written, whichever way the store reads the relations: through the
//! subject and object indexes for a scope small against the registry, in
//! one pass over the table for a large one. The registry at today's date
//! (`Store::registry_at`, the series' path) gives the same figures.

use archipel_domain::Entity;
use archipel_store::{LinkGroup, ScopeQuery, ScopeStats, Store};
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const PROV: &str = "2024-01-01T00:00:00Z";

fn entity(v: Value) -> Entity {
    serde_json::from_value(v).unwrap()
}

fn prov() -> Value {
    json!({"source": "test", "created_at": PROV, "updated_at": PROV})
}

/// A relation as the test wrote it.
struct Rel {
    subject: String,
    kind: &'static str,
    object: String,
    ended: bool,
}

fn groups() -> Vec<LinkGroup> {
    let g = |name: &str, kinds: &[&str]| LinkGroup {
        name: name.into(),
        relations: kinds.iter().map(|k| k.to_string()).collect(),
    };
    vec![
        g("used", &["uses"]),
        g("contributed", &["contributes_to", "maintains"]),
        g("funded", &["funds"]),
        g("nothing", &[]),
    ]
}

fn query(territory: &str) -> ScopeQuery {
    ScopeQuery {
        territory: territory.parse().unwrap(),
        commons: None,
        actor_groups: Vec::new(),
        link_groups: groups(),
        support_relations: Vec::new(),
        association_kinds: Vec::new(),
    }
}

/// Relations, relations by type, and per group (relations, commons,
/// organisations).
type Figures = (u64, BTreeMap<String, u64>, Vec<(u64, u64, u64)>);

/// The figures counted here from what was written: the live relations
/// touching the scope's actors (and its territory), by type; per group,
/// the relations of its types from an actor in scope to a commons, their
/// distinct commons and distinct subjects that are not persons.
fn expected(territory: &str, actors: &BTreeMap<String, bool>, rels: &[Rel]) -> Figures {
    let scoped = |id: &str| id == territory || actors.contains_key(id);
    let live: Vec<&Rel> = rels.iter().filter(|r| !r.ended).collect();
    let mut kinds = BTreeMap::new();
    let mut total = 0;
    for r in &live {
        if scoped(&r.subject) || scoped(&r.object) {
            total += 1;
            *kinds.entry(r.kind.to_string()).or_insert(0) += 1;
        }
    }
    let per_group = groups()
        .iter()
        .map(|g| {
            let mut n = 0;
            let mut commons = BTreeSet::new();
            let mut organisations = BTreeSet::new();
            for r in &live {
                if g.relations.iter().any(|k| k == r.kind)
                    && actors.contains_key(&r.subject)
                    && r.object.starts_with("commons:")
                {
                    n += 1;
                    commons.insert(r.object.clone());
                    if !actors[&r.subject] {
                        organisations.insert(r.subject.clone());
                    }
                }
            }
            (n, commons.len() as u64, organisations.len() as u64)
        })
        .collect();
    (total, kinds, per_group)
}

fn check(stats: &ScopeStats, want: &Figures) {
    assert_eq!(stats.relations, want.0);
    let kinds: BTreeMap<String, u64> = stats
        .relation_kinds
        .iter()
        .map(|c| (c.key.clone(), c.count))
        .collect();
    assert_eq!(kinds, want.1);
    let groups: Vec<(u64, u64, u64)> = stats
        .link_groups
        .iter()
        .map(|g| (g.relations, g.commons, g.organisations))
        .collect();
    assert_eq!(groups, want.2);
}

#[test]
fn a_small_scope_and_a_large_one_are_counted_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    let mut records = Vec::new();
    for t in ["small", "large"] {
        records.push(entity(
            json!({"type": "territory", "id": format!("territory:test:{t}"),
            "name": t, "level": "commune", "code": t, "fictional": true, "provenance": prov()}),
        ));
    }
    // Actor id → is a person.
    let mut small = BTreeMap::new();
    let mut large = BTreeMap::new();
    let actor = |local: &str, on: &str, person: bool| {
        entity(
            json!({"type": "actor", "id": format!("actor:test:{local}"), "name": local,
            "nature": if person { "person" } else { "organisation" },
            "territory": format!("territory:test:{on}"), "provenance": prov()}),
        )
    };
    records.push(actor("s0", "small", false));
    small.insert("actor:test:s0".to_string(), false);
    records.push(actor("s1", "small", true));
    small.insert("actor:test:s1".to_string(), true);
    let big = 60;
    for i in 0..big {
        let person = i % 7 == 0;
        records.push(actor(&format!("l{i}"), "large", person));
        large.insert(format!("actor:test:l{i}"), person);
    }
    for c in 0..4 {
        records.push(entity(
            json!({"type": "commons", "id": format!("commons:test:c{c}"),
            "name": format!("c{c}"), "kind": "software", "provenance": prov()}),
        ));
    }
    let mut rels = Vec::new();
    let mut rel = |subject: String, kind: &'static str, object: String, ended: bool| {
        rels.push(Rel {
            subject,
            kind,
            object,
            ended,
        });
    };
    let l = |i: usize| format!("actor:test:l{}", i % big);
    let c = |i: usize| format!("commons:test:c{}", i % 4);
    for i in 0..big {
        rel(l(i), "partner_of", l(i + 1), i % 11 == 0);
        rel(l(i), "uses", c(i), i % 13 == 0);
        if i % 2 == 0 {
            rel(l(i), "maintains", c(i + 1), false);
        }
        if i % 3 == 0 {
            rel(l(i), "contributes_to", c(i + 2), false);
        }
    }
    let s = |i: usize| format!("actor:test:s{i}");
    rel(s(0), "uses", c(0), false);
    rel(s(0), "uses", c(1), true);
    rel(s(0), "partner_of", l(3), false);
    rel(l(5), "partner_of", s(1), false);
    rel(s(1), "maintains", c(2), false);
    rel(s(1), "uses", c(2), false);
    rel(s(0), "located_in", "territory:test:small".into(), false);
    rel(c(3), "uses", c(2), false);
    for (i, r) in rels.iter().enumerate() {
        let mut v = json!({"type": "relation", "id": format!("relation:test:r{i}"),
            "subject": r.subject, "kind": r.kind, "object": r.object, "provenance": prov()});
        if r.ended {
            v["until"] = json!("2020-01-01");
        }
        records.push(entity(v));
    }
    // The small scope (3 records) is read through the indexes, the large
    // one (61) in one pass.
    assert!(
        3 * 50 < rels.len() && rels.len() < 61 * 50,
        "{}",
        rels.len()
    );
    store
        .write("t", "test", None, |w| {
            for r in &records {
                w.upsert(r)?;
            }
            Ok(())
        })
        .unwrap();

    let today: NaiveDate = Utc::now().date_naive();
    let now = store.registry_at(today).unwrap();
    for (t, actors) in [
        ("territory:test:small", &small),
        ("territory:test:large", &large),
    ] {
        let want = expected(t, actors, &rels);
        assert!(want.0 > 0 && want.2.iter().any(|g| g.0 > 0), "{t}");
        let stats = store.scope_stats(&query(t)).unwrap().unwrap();
        check(&stats, &want);
        let at = now.scope_stats(&query(t)).unwrap();
        check(&at, &want);
        assert_eq!(stats.actors, actors.len() as u64, "{t}");
    }
}
