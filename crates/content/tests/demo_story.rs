//! The demonstration tells a story an elected official recognises: a
//! structured local network, a few bridges between islands, one person
//! whose departure would cut the administration off from the commoners,
//! and a circle of regulars. These tests keep the data telling it.
//!
//! The network is the one of actors and places (commons and territories
//! left out), linked by the relations active on a given day and by each
//! place's operator.

use archipel_content::Content;
use archipel_domain::{Entity, EntityKind};
use chrono::{NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

fn entities() -> Vec<Entity> {
    let content = Content::embedded().unwrap_or_else(|e| panic!("{e}"));
    content.demo_entities(Utc::now()).expect("demo")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Undirected adjacency between actors and places on `on`.
fn network(es: &[Entity], on: NaiveDate) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    fn link(g: &mut BTreeMap<String, BTreeSet<String>>, a: &str, b: &str) {
        g.entry(a.to_string()).or_default().insert(b.to_string());
        g.entry(b.to_string()).or_default().insert(a.to_string());
    }
    let node = |k: EntityKind| matches!(k, EntityKind::Actor | EntityKind::Place);
    for e in es {
        match e {
            Entity::Actor(a) => {
                g.entry(a.id.to_string()).or_default();
            }
            Entity::Place(p) => {
                if let Some(op) = &p.actor {
                    link(&mut g, p.id.as_str(), op.as_str());
                }
            }
            Entity::Relation(r)
                if r.active_on(on) && node(r.subject.kind()) && node(r.object.kind()) =>
            {
                link(&mut g, r.subject.as_str(), r.object.as_str());
            }
            _ => {}
        }
    }
    g
}

fn reachable(
    g: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    without: &str,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(n) = todo.pop() {
        if n == without || !seen.insert(n.clone()) {
            continue;
        }
        for m in g.get(&n).into_iter().flatten() {
            todo.push(m.clone());
        }
    }
    seen
}

const SOLENE: &str = "actor:demo:solene-marchetti";
const METROPOLE: &str = "actor:demo:metropole";
const LIBRE: &str = "actor:demo:libre-en-villecommune";

#[test]
fn today_everyone_is_connected() {
    let es = entities();
    let g = network(&es, day("2026-06-01"));
    let all = reachable(&g, METROPOLE, "");
    let missing: Vec<&String> = g.keys().filter(|k| !all.contains(*k)).collect();
    assert!(missing.is_empty(), "not connected: {missing:?}");
}

#[test]
fn the_reform_entrepreneur_is_the_only_bridge_today() {
    let es = entities();
    let g = network(&es, day("2026-06-01"));
    assert!(!reachable(&g, METROPOLE, SOLENE).contains(LIBRE));
    for other in g.keys() {
        if other != SOLENE && other != METROPOLE && other != LIBRE {
            assert!(
                reachable(&g, METROPOLE, other).contains(LIBRE),
                "removing {other} should not cut the network"
            );
        }
    }
}

#[test]
fn in_2020_the_network_did_not_hang_on_one_person() {
    let es = entities();
    let g = network(&es, day("2020-06-01"));
    assert!(reachable(&g, METROPOLE, SOLENE).contains(LIBRE));
}

#[test]
fn the_academic_island_hangs_on_one_doctoral_student() {
    let es = entities();
    let g = network(&es, day("2026-06-01"));
    let lucas = "actor:demo:lucas-meyer";
    assert!(reachable(&g, "actor:demo:lab-lis", "").contains(LIBRE));
    assert!(!reachable(&g, "actor:demo:lab-lis", lucas).contains(LIBRE));
}

#[test]
fn the_plateau_is_an_island_with_a_few_bridges() {
    let es = entities();
    let g = network(&es, day("2026-06-01"));
    let plateau = reachable(&g, "actor:demo:cc-plateau", "");
    assert!(plateau.contains(LIBRE));
    // No single organisation or person cuts the Plateau off.
    for other in g.keys() {
        if other != "actor:demo:cc-plateau" && other != LIBRE {
            assert!(
                reachable(&g, "actor:demo:cc-plateau", other).contains(LIBRE),
                "removing {other} cuts the Plateau off"
            );
        }
    }
}

#[test]
fn a_circle_of_regulars_holds_the_associations() {
    let es = entities();
    let today = day("2026-06-01");
    let mut memberships: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &es {
        if let Entity::Relation(r) = e {
            if r.kind == "member_of" && r.active_on(today) {
                *memberships.entry(r.subject.as_str()).or_default() += 1;
            }
        }
    }
    let regulars: Vec<&str> = memberships
        .iter()
        .filter(|(id, n)| id.starts_with("actor:demo:") && **n >= 4)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(regulars.len(), 4, "{regulars:?}");
}
