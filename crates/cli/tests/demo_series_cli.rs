//! The demonstration territory over time, as `stats --series` and the
//! registry at a date (`Store::timeline`) show it: a reform entrepreneur
//! at the centre from 2015, a closed circle of regulars by 2019, and
//! newcomers after the non-competitive call of 2022.

mod common;
use archipel_domain::EntityKind;
use archipel_store::{AsOf, EntityFacts, Store};
use chrono::NaiveDate;
use common::{json, ok};
use std::collections::{HashMap, VecDeque};

const SOLENE: &str = "actor:demo:solene-marchetti";

fn year_end(y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, 12, 31).unwrap()
}

/// Betweenness of every node (Brandes, unweighted, undirected; not
/// normalised: only the order matters here) of the network of actors,
/// places and commons on the day: relations between them and each
/// place's operator.
fn betweenness(r: &AsOf) -> HashMap<String, f64> {
    let node = |id: &str| {
        r.entity(id)
            .is_some_and(|e| e.kind != EntityKind::Territory)
    };
    let mut owned: HashMap<String, Vec<String>> = HashMap::new();
    let mut link = |a: &str, b: &str| {
        owned.entry(a.to_string()).or_default().push(b.to_string());
        owned.entry(b.to_string()).or_default().push(a.to_string());
    };
    for x in &r.relations {
        if node(&x.subject) && node(&x.object) {
            link(&x.subject, &x.object);
        }
    }
    for e in r.entities() {
        if e.kind == EntityKind::Place {
            if let Some(op) = e.owner.as_deref().filter(|op| node(op)) {
                link(&e.id, op);
            }
        }
    }
    let mut adj: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in &owned {
        let mut v: Vec<&str> = v.iter().map(String::as_str).collect();
        v.sort_unstable();
        v.dedup();
        adj.insert(k, v);
    }
    let mut c: HashMap<&str, f64> = adj.keys().map(|k| (*k, 0.0)).collect();
    for s in adj.keys() {
        let mut stack = Vec::new();
        let mut preds: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut sigma: HashMap<&str, f64> = HashMap::from([(*s, 1.0)]);
        let mut dist: HashMap<&str, usize> = HashMap::from([(*s, 0)]);
        let mut q = VecDeque::from([*s]);
        while let Some(v) = q.pop_front() {
            stack.push(v);
            for w in &adj[v] {
                if !dist.contains_key(w) {
                    dist.insert(w, dist[v] + 1);
                    q.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    *sigma.entry(w).or_default() += sigma[v];
                    preds.entry(w).or_default().push(v);
                }
            }
        }
        let mut delta: HashMap<&str, f64> = HashMap::new();
        while let Some(w) = stack.pop() {
            for v in preds.get(w).into_iter().flatten() {
                let d = sigma[v] / sigma[w] * (1.0 + delta.get(w).copied().unwrap_or(0.0));
                *delta.entry(v).or_default() += d;
            }
            if w != *s {
                *c.get_mut(w).unwrap() += delta.get(w).copied().unwrap_or(0.0);
            }
        }
    }
    c.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn person(e: &EntityFacts) -> bool {
    e.person
}

#[test]
fn the_demonstration_tells_its_story_over_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);

    // Newcomers after the non-competitive call: the Métropole's actors
    // grow more in 2022–2023 than in any two years before.
    let series = json(
        &db,
        &[
            "stats",
            "--territory",
            "960000008",
            "--series",
            "yearly",
            "--from",
            "2014",
            "--to",
            "2025",
            "--json",
        ],
    );
    let actors: Vec<i64> = series
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stats"]["actors"].as_i64().unwrap())
        .collect();
    assert_eq!(actors.len(), 12);
    let newcomers = |y: i32| {
        let i = usize::try_from(y - 2014).unwrap();
        actors[i] - actors[i - 1]
    };
    let after_call = newcomers(2022) + newcomers(2023);
    for y in 2015..2021 {
        assert!(
            after_call > newcomers(y) + newcomers(y + 1),
            "{after_call} newcomers in 2022–2023, {} in {y}–{}: {actors:?}",
            newcomers(y) + newcomers(y + 1),
            y + 1
        );
    }

    let store = Store::open_read_only(&db).unwrap();
    let timeline = store.timeline().unwrap();
    // The reform entrepreneur: from 2015, the most central person.
    for y in 2015..=2025 {
        let r = timeline.at(year_end(y));
        let b = betweenness(&r);
        let (top, _) = b
            .iter()
            .filter(|(id, _)| r.entity(id).is_some_and(person))
            .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .unwrap();
        assert_eq!(top, SOLENE, "{y}");
    }

    // The circle of regulars: by 2019 four people hold more than two
    // thirds of the people's memberships; the newcomers dilute it later.
    let regulars_share = |y: i32| {
        let r = timeline.at(year_end(y));
        let mut by: HashMap<&str, usize> = HashMap::new();
        for x in &r.relations {
            if x.kind == "member_of" && r.entity(&x.subject).is_some_and(person) {
                *by.entry(&*x.subject).or_default() += 1;
            }
        }
        let mut counts: Vec<usize> = by.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top: usize = counts.iter().take(4).sum();
        top as f64 / counts.iter().sum::<usize>() as f64
    };
    assert!(regulars_share(2019) > 2.0 / 3.0, "{}", regulars_share(2019));
    assert!(regulars_share(2023) < regulars_share(2019));
}
