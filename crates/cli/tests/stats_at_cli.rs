//! `archipel stats --territory X --at DATE`: a figure at a past date equals
//! the same figure on a registry built only from what existed on that
//! date. Two real registries: the full one, written by changes made on
//! different days (imports, updates, removals, dated relations, grants
//! and a call), and one holding only the states that counted on the day.
//! Also `--series` and `compare`.

mod common;
use archipel_domain::{Action, Entity, EntityId};
use archipel_store::{Change, Store};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{json, ok, run, stderr};
use serde_json::{json, Value};
use std::path::Path;

const D: &str = "2020-06-30";

fn at(day: &str) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap())
}

fn prov(day: &str) -> Value {
    let t = at(day).to_rfc3339();
    json!({"source": "test", "created_at": t, "updated_at": t})
}

fn territory(local: &str, level: &str, code: &str, parent: Option<&str>, name: &str) -> Value {
    let mut v = json!({"type": "territory", "id": format!("territory:test:{local}"),
        "name": name, "level": level, "code": code, "population": 20000,
        "provenance": prov("2018-01-10")});
    if let Some(p) = parent {
        v["parent"] = json!(format!("territory:test:{p}"));
    }
    v
}

fn actor(local: &str, kind: &str, on: &str, day: &str) -> Value {
    let mut v = json!({"type": "actor", "id": format!("actor:test:{local}"),
        "name": format!("Acteur {local}"), "nature": "organisation", "kind": kind,
        "typology": ["public_agent"], "territory": format!("territory:test:{on}"),
        "provenance": prov(day)});
    if kind == "person" {
        v["nature"] = json!("person");
        v["typology"] = json!(["citizen_user"]);
    }
    v
}

fn commons(local: &str, day: &str) -> Value {
    json!({"type": "commons", "id": format!("commons:test:{local}"),
        "name": format!("Commun {local}"), "kind": "software", "provenance": prov(day)})
}

fn relation(
    local: &str,
    subject: &str,
    kind: &str,
    object: &str,
    since: Option<&str>,
    until: Option<&str>,
    day: &str,
) -> Value {
    let mut v = json!({"type": "relation", "id": format!("relation:test:{local}"),
        "subject": subject, "kind": kind, "object": object, "provenance": prov(day)});
    if let Some(s) = since {
        v["since"] = json!(s);
    }
    if let Some(u) = until {
        v["until"] = json!(u);
    }
    v
}

fn grant(local: &str, date: &str, to: &str, commons: &[&str], euros: i64, day: &str) -> Value {
    json!({"type": "grant", "id": format!("grant:test:{local}"),
        "giver_name": "Métropole Test", "giver_siret": "96000000800016",
        "giver": "actor:test:metropole", "date": date,
        "beneficiary_name": "Bénéficiaire", "beneficiary": to, "purpose": "Soutien",
        "amount_cents": euros * 100, "nature": "aide en numéraire",
        "payment_terms": "unique", "payment_from": date, "eu_notified": false,
        "share": "1", "commons": commons, "provenance": prov(day)})
}

fn call(day: &str) -> Value {
    json!({"type": "call", "id": "call:test:communs", "name": "Soutenir les communs",
        "giver_name": "Métropole Test", "giver_siren": "960000008",
        "giver": "actor:test:metropole", "opens": "2020-01-15",
        "non_competitive": true, "territory": "territory:test:epci",
        "provenance": prov(day)})
}

enum Op {
    Put(Value),
    Act(Value),
    Remove(&'static str),
}

/// Writes `ops` as one change made on `day`.
fn change(store: &mut Store, day: &str, ops: Vec<Op>) {
    let change = Change {
        at: at(day),
        ..Change::import("test", "json", None)
    };
    store
        .write_change(&change, 0, |w| -> archipel_store::Result<()> {
            for op in ops {
                match op {
                    Op::Put(v) => {
                        let e: Entity = serde_json::from_value(v).expect("a record");
                        w.upsert(&e)?;
                    }
                    Op::Act(v) => {
                        let a: Action = serde_json::from_value(v).expect("an action");
                        w.upsert_action(&a)?;
                    }
                    Op::Remove(id) => {
                        w.remove(&id.parse::<EntityId>().expect("an id"))?;
                    }
                }
            }
            Ok(())
        })
        .expect("write");
}

fn territories() -> Vec<Op> {
    vec![
        Op::Put(territory("region", "region", "96", None, "Région Test")),
        Op::Put(territory(
            "epci",
            "epci",
            "960000008",
            Some("region"),
            "Métropole Test",
        )),
        Op::Put(territory(
            "c1",
            "commune",
            "96001",
            Some("epci"),
            "Commune Un",
        )),
        Op::Put(territory(
            "c2",
            "commune",
            "96002",
            Some("epci"),
            "Commune Deux",
        )),
        Op::Put(territory(
            "other",
            "epci",
            "960000016",
            Some("region"),
            "Plateau Test",
        )),
    ]
}

/// The full registry: what happened from 2018 to 2023.
fn full(path: &Path) {
    let mut s = Store::open(path).unwrap();
    let mut first = territories();
    first.extend([
        Op::Put(actor("metropole", "local_government", "epci", "2018-01-10")),
        Op::Put(actor("a1", "association", "c1", "2018-01-10")),
        Op::Put(actor("a2", "company", "c1", "2018-01-10")),
        Op::Put(actor("a3", "person", "c2", "2018-01-10")),
        Op::Put(actor("a5", "company", "c1", "2018-01-10")),
        Op::Put(commons("k1", "2018-01-10")),
        Op::Put(commons("k2", "2018-01-10")),
        Op::Put(commons("k3", "2018-01-10")),
        Op::Put(
            json!({"type": "place", "id": "place:test:p1", "name": "Lieu Un",
            "actor": "actor:test:a1", "territory": "territory:test:c1",
            "provenance": prov("2018-01-10")}),
        ),
        Op::Put(relation(
            "r1",
            "actor:test:a1",
            "maintains",
            "commons:test:k1",
            Some("2018-02-01"),
            None,
            "2018-01-10",
        )),
        Op::Put(relation(
            "r2",
            "actor:test:a2",
            "uses",
            "commons:test:k1",
            None,
            None,
            "2018-01-10",
        )),
        // Begins after the day: not counted on it.
        Op::Put(relation(
            "r5",
            "actor:test:a2",
            "maintains",
            "commons:test:k2",
            Some("2021-01-01"),
            None,
            "2018-01-10",
        )),
        Op::Put(relation(
            "r6",
            "actor:test:a5",
            "uses",
            "commons:test:k3",
            None,
            None,
            "2018-01-10",
        )),
    ]);
    change(&mut s, "2018-01-10", first);
    // Removed before the day.
    change(
        &mut s,
        "2019-09-01",
        vec![Op::Remove("actor:test:a5"), Op::Remove("commons:test:k3")],
    );
    change(
        &mut s,
        "2020-03-05",
        vec![
            // An update: kind and territory change.
            Op::Put(actor("a2", "association", "c2", "2020-03-05")),
            // Entered after the time it is known from (a dated relation).
            Op::Put(actor("a4", "association", "c2", "2020-03-05")),
            Op::Put(relation(
                "r3",
                "actor:test:a4",
                "contributes_to",
                "commons:test:k2",
                Some("2016-05-01"),
                None,
                "2020-03-05",
            )),
            // Ended before the day.
            Op::Put(relation(
                "r4",
                "actor:test:a3",
                "member_of",
                "actor:test:a1",
                Some("2019-01-01"),
                Some("2019-12-31"),
                "2020-03-05",
            )),
            Op::Act(call("2020-03-05")),
            Op::Act(grant(
                "g1",
                "2019-05-01",
                "actor:test:a1",
                &["commons:test:k1"],
                8000,
                "2020-03-05",
            )),
            Op::Act(grant(
                "g3",
                "2020-04-01",
                "actor:test:a4",
                &[],
                3000,
                "2020-03-05",
            )),
            // Decided after the day.
            Op::Act(grant(
                "g2",
                "2021-02-01",
                "actor:test:a4",
                &[],
                5000,
                "2020-03-05",
            )),
        ],
    );
    // Removed after the day: counted on it.
    change(&mut s, "2021-01-20", vec![Op::Remove("actor:test:a3")]);
    let mut renamed = territory(
        "epci",
        "epci",
        "960000008",
        Some("region"),
        "Métropole Test (renommée)",
    );
    renamed["provenance"] = prov("2022-06-01");
    change(
        &mut s,
        "2022-06-01",
        vec![
            Op::Put(renamed),
            Op::Put(
                json!({"type": "actor", "id": "actor:test:a1", "name": "Acteur a1",
                "nature": "organisation", "kind": "association",
                "typology": ["public_agent", "citizen_user"],
                "territory": "territory:test:c1", "provenance": prov("2022-06-01")}),
            ),
            Op::Put(actor("a6", "company", "c1", "2022-06-01")),
            Op::Put(relation(
                "r7",
                "actor:test:a6",
                "uses",
                "commons:test:k1",
                Some("2023-01-01"),
                None,
                "2022-06-01",
            )),
            Op::Put(actor("a7", "company", "c2", "2022-06-01")),
        ],
    );
}

/// Only what counted on 30 June 2020, in its state of that day.
fn reduced(path: &Path) {
    let mut s = Store::open(path).unwrap();
    let mut ops = territories();
    ops.extend([
        Op::Put(actor("metropole", "local_government", "epci", "2018-01-10")),
        Op::Put(actor("a1", "association", "c1", "2018-01-10")),
        Op::Put(actor("a2", "association", "c2", "2020-03-05")),
        Op::Put(actor("a3", "person", "c2", "2018-01-10")),
        Op::Put(actor("a4", "association", "c2", "2020-03-05")),
        Op::Put(commons("k1", "2018-01-10")),
        Op::Put(commons("k2", "2018-01-10")),
        Op::Put(
            json!({"type": "place", "id": "place:test:p1", "name": "Lieu Un",
            "actor": "actor:test:a1", "territory": "territory:test:c1",
            "provenance": prov("2018-01-10")}),
        ),
        Op::Put(relation(
            "r1",
            "actor:test:a1",
            "maintains",
            "commons:test:k1",
            Some("2018-02-01"),
            None,
            "2018-01-10",
        )),
        Op::Put(relation(
            "r2",
            "actor:test:a2",
            "uses",
            "commons:test:k1",
            None,
            None,
            "2018-01-10",
        )),
        Op::Put(relation(
            "r3",
            "actor:test:a4",
            "contributes_to",
            "commons:test:k2",
            Some("2016-05-01"),
            None,
            "2020-03-05",
        )),
        Op::Act(call("2020-03-05")),
        Op::Act(grant(
            "g1",
            "2019-05-01",
            "actor:test:a1",
            &["commons:test:k1"],
            8000,
            "2020-03-05",
        )),
        Op::Act(grant(
            "g3",
            "2020-04-01",
            "actor:test:a4",
            &[],
            3000,
            "2020-03-05",
        )),
    ]);
    change(&mut s, D, ops);
}

#[test]
fn a_figure_at_a_past_date_is_the_figure_of_the_registry_of_that_date() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("full.db"), dir.path().join("then.db"));
    full(&a);
    reduced(&b);
    for key in ["960000008", "region:96", "96001"] {
        let past = json(&a, &["stats", "--territory", key, "--at", D, "--json"]);
        let then = json(&b, &["stats", "--territory", key, "--json"]);
        assert_eq!(past, then, "{key}");
        // And the reduced registry says the same of itself on that day.
        let again = json(&b, &["stats", "--territory", key, "--at", D, "--json"]);
        assert_eq!(again, then, "{key}");
    }
    // The figures are those of that day, not today's.
    let past = json(
        &a,
        &["stats", "--territory", "960000008", "--at", D, "--json"],
    );
    let now = json(&a, &["stats", "--territory", "960000008", "--json"]);
    assert_eq!(past["territory"]["name"], "Métropole Test");
    assert_eq!(now["territory"]["name"], "Métropole Test (renommée)");
    assert_eq!(past["actors"], 5, "{past:#}");
    assert_eq!(now["actors"], 6, "{now:#}");
    assert_eq!(past["relations"], 3, "{past:#}");
    assert_eq!(past["support"]["grants"], 2, "{past:#}");
    assert_eq!(past["support"]["calls"], 1, "{past:#}");
    assert_eq!(now["support"]["grants"], 3, "{now:#}");
    // A dated relation is evidence its actor existed before it entered the
    // registry: a4, imported in 2020, counts in 2017 with its relation.
    let early = json(
        &a,
        &[
            "stats",
            "--territory",
            "96002",
            "--at",
            "2017-06-30",
            "--json",
        ],
    );
    assert_eq!(early["actors"], 1, "{early:#}");
    assert_eq!(early["relations"], 1, "{early:#}");
    // Before anything was known of them, the territories are there, empty.
    let before = json(
        &a,
        &[
            "stats",
            "--territory",
            "960000008",
            "--at",
            "2010-01-01",
            "--json",
        ],
    );
    assert_eq!(before["territories"], 3);
    assert_eq!(before["actors"], 0);
}

#[test]
fn a_series_reads_the_registry_once_and_gives_every_period_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    full(&db);
    let series = json(
        &db,
        &[
            "stats",
            "--territory",
            "960000008",
            "--series",
            "yearly",
            "--from",
            "2018",
            "--to",
            "2023",
            "--json",
        ],
    );
    let points = series.as_array().expect("a list");
    let days: Vec<&str> = points.iter().map(|p| p["at"].as_str().unwrap()).collect();
    assert_eq!(
        days,
        [
            "2018-12-31",
            "2019-12-31",
            "2020-12-31",
            "2021-12-31",
            "2022-12-31",
            "2023-12-31"
        ]
    );
    // Each point is the figures of `--at` that day.
    for p in points {
        let day = p["at"].as_str().unwrap();
        let one = json(
            &db,
            &["stats", "--territory", "960000008", "--at", day, "--json"],
        );
        assert_eq!(p["stats"], one, "{day}");
    }
    let actors: Vec<i64> = points
        .iter()
        .map(|p| p["stats"]["actors"].as_i64().unwrap())
        .collect();
    // a5 removed in 2019, a3 in 2021; a6 and a7 entered in 2022.
    assert_eq!(actors, [6, 5, 5, 4, 6, 6]);

    let monthly = json(
        &db,
        &[
            "stats",
            "--territory",
            "960000008",
            "--series",
            "monthly",
            "--from",
            "2020-01",
            "--to",
            "2020-03",
            "--json",
        ],
    );
    let days: Vec<&str> = monthly
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["at"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2020-01-31", "2020-02-29", "2020-03-31"]);

    let text = ok(
        &db,
        &[
            "stats",
            "--territory",
            "960000008",
            "--series",
            "yearly",
            "--from",
            "2018",
            "--to",
            "2019",
        ],
    );
    let header = text.lines().nth(1).unwrap_or_default();
    assert!(
        header.contains("2018-12-31") && header.contains("2019-12-31"),
        "{text}"
    );
    let actors = text
        .lines()
        .find(|l| l.starts_with("actors "))
        .unwrap_or_default();
    assert_eq!(
        actors.split_whitespace().collect::<Vec<_>>(),
        ["actors", "6", "5"],
        "{text}"
    );

    for (args, says) in [
        (
            vec!["--series", "weekly", "--from", "2019"],
            "--series: expected yearly or monthly",
        ),
        (
            vec!["--series", "yearly", "--from", "19"],
            "--from: expected YYYY",
        ),
        (
            vec!["--series", "yearly", "--from", "2020", "--to", "2019"],
            "before it starts",
        ),
        (
            vec!["--at", "30/06/2020"],
            "--at: expected a day as YYYY-MM-DD",
        ),
    ] {
        let mut all = vec!["stats", "--territory", "960000008"];
        all.extend(args);
        let out = run(&db, &all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(stderr(&out).contains(says), "{all:?}: {}", stderr(&out));
    }
}

#[test]
fn compare_puts_two_territories_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    full(&db);
    let c = json(&db, &["compare", "96001", "96002", "--at", D, "--json"]);
    assert_eq!(c["at"], D);
    assert_eq!(c["a"]["stats"]["code"], "96001");
    assert_eq!(c["b"]["stats"]["code"], "96002");
    assert_eq!(c["a"]["population"], 20000);
    let row = |k: &str| {
        c["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("{k}: {c:#}"))
    };
    // On the day: a1 on c1; a2 (moved), a3, a4 on c2.
    let actors = row("actors");
    assert_eq!(
        (actors["a"].as_i64(), actors["b"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(actors["a_per_10000"], 0.5);
    assert_eq!(actors["b_per_10000"], 1.5);
    assert_eq!(row("actor_kinds.person")["b"], 1);
    assert_eq!(row("actor_kinds.person")["a"], 0);
    // Today: a3 removed, a6 added on c1, a7 on c2.
    let today = json(&db, &["compare", "96001", "96002", "--json"]);
    assert!(today.get("at").is_none());
    let actors = today["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "actors")
        .cloned()
        .unwrap();
    assert_eq!(
        (actors["a"].as_i64(), actors["b"].as_i64()),
        (Some(2), Some(3))
    );

    // The network figures are those of `archipel network`.
    for (side, code) in [("a", "96001"), ("b", "96002")] {
        let n = json(&db, &["network", "--territory", code, "--json"]);
        let f = &today[side]["network"];
        assert_eq!(f["components"], n["counts"]["components"], "{code}");
        assert_eq!(
            f["isolated_actors"].as_u64(),
            n["isolated_actors"].as_array().map(|a| a.len() as u64),
            "{code}"
        );
        assert_eq!(
            f["articulation_points"].as_u64(),
            n["articulation_points"].as_array().map(|a| a.len() as u64),
            "{code}"
        );
        assert_eq!(f["max_core"], n["regulars"]["max_core"], "{code}");
        assert_eq!(
            f["core_relations_touching_share"], n["regulars"]["relations_touching_share"],
            "{code}"
        );
    }
    // c1 today: a1 and a6 use or maintain k1, a1 runs p1: one island.
    assert_eq!(today["a"]["network"]["components"], 1, "{today:#}");
    // On the day, those of `archipel network --at`.
    for (side, code) in [("a", "96001"), ("b", "96002")] {
        let n = json(&db, &["network", "--territory", code, "--at", D, "--json"]);
        let f = &c[side]["network"];
        assert_eq!(f["components"], n["counts"]["components"], "{code}");
        assert_eq!(
            f["articulation_points"].as_u64(),
            n["articulation_points"].as_array().map(|a| a.len() as u64),
            "{code}"
        );
    }

    let text = ok(&db, &["compare", "96001", "96002", "--at", D]);
    assert!(text.contains("network: articulation points"), "{text}");
    assert!(text.contains("A: Commune Un (96001)"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("actors "))
        .unwrap_or_default();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["actors", "1", "3", "0.5", "1.5"],
        "{text}"
    );
    let out = run(&db, &["compare", "96001", "99999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown territory"),
        "{}",
        stderr(&out)
    );
}
