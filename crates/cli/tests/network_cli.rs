//! `archipel network --territory CODE [--json]`: the keys kept stable for
//! outside checks (`components`, `articulation_points`, `bridges`,
//! `betweenness`, `core_number`) equal networkx's on a stored graph
//! (testdata/network, made by its make.py), the text summary, and the
//! usage errors.

mod common;
use common::{json, ok, run, stderr};
use std::path::PathBuf;

fn testdata(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/network")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn the_stable_keys_equal_networkx() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // The rings graph has no dated relation: the same network whatever
    // the day the test runs.
    ok(&db, &["import", "json", &testdata("rings.json")]);
    let x: serde_json::Value =
        serde_json::from_slice(&std::fs::read(testdata("rings.expected.json")).unwrap()).unwrap();
    // The territory as `stats --territory` takes it: its SIREN.
    let n = json(&db, &["network", "--territory", "960000099", "--json"]);
    let components: Vec<&serde_json::Value> = n["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["nodes"])
        .collect();
    let expected: Vec<&serde_json::Value> = x["components"].as_array().unwrap().iter().collect();
    assert_eq!(components, expected);
    assert_eq!(n["articulation_points"], x["articulation_points"]);
    assert_eq!(n["bridges"], x["bridges"]);
    assert_eq!(n["core_number"], x["core_number"]);
    let ours = n["betweenness"].as_object().unwrap();
    let theirs = x["betweenness"].as_object().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for (k, v) in theirs {
        let d = (ours[k].as_f64().unwrap() - v.as_f64().unwrap()).abs();
        assert!(d < 1e-9, "{k}: {d}");
    }
    assert_eq!(n["betweenness_method"]["method"], "exact");

    // Sampled above a size: the sources are listed, and the bound stated.
    let s = json(
        &db,
        &[
            "network",
            "--territory",
            "960000099",
            "--json",
            "--exact-up-to",
            "5",
            "--samples",
            "4",
            "--seed",
            "7",
        ],
    );
    assert_eq!(s["betweenness_method"]["method"], "sampled");
    assert_eq!(
        s["betweenness_method"]["sampled"].as_array().unwrap().len(),
        4
    );
    assert!(s["betweenness_method"]["error_bound"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_summary_of_the_demonstration() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let text = ok(&db, &["network", "--territory", "region:96"]);
    for part in [
        "Network of Région de Démonstration (fictive) on ",
        "Islands: 1 components",
        "Articulation points: ",
        "Key people (betweenness, exact; degree)",
        "Most central person: ",
        "Circle of regulars: innermost core k = ",
        "grants to its members",
        "Newcomers per year: ",
        "Diversity (Gini–Simpson): ",
    ] {
        assert!(text.contains(part), "{part} in\n{text}");
    }
}

#[test]
fn an_unknown_or_ambiguous_territory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    for (key, says) in [("99999", "unknown territory"), ("96", "ambiguous")] {
        let out = run(&db, &["network", "--territory", key, "--json"]);
        assert_eq!(out.status.code(), Some(2), "{key}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let out = run(
        &db,
        &["network", "--territory", "region:96", "--samples", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// `--at DATE`: the network of the registry on that day (the rule of
/// `stats --at`): today it is today's network; on the demonstration, the
/// network grows and the newcomers of the 2022 call appear only after it.
#[test]
fn the_network_at_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["import", "json", &testdata("rings.json")]);
    let today = chrono::Utc::now().date_naive().to_string();
    let now = json(&db, &["network", "--territory", "960000099", "--json"]);
    let at = json(
        &db,
        &[
            "network",
            "--territory",
            "960000099",
            "--json",
            "--at",
            &today,
        ],
    );
    for key in [
        "components",
        "articulation_points",
        "bridges",
        "betweenness",
        "core_number",
    ] {
        assert_eq!(now[key], at[key], "{key}");
    }

    let demo = dir.path().join("demo.db");
    ok(&demo, &["demo"]);
    let at = |day: &str| {
        json(
            &demo,
            &["network", "--territory", "region:96", "--json", "--at", day],
        )
    };
    let (early, late) = (at("2014-12-31"), at("2024-12-31"));
    let nodes = |n: &serde_json::Value| n["counts"]["nodes"].as_u64().unwrap();
    assert!(
        nodes(&early) < nodes(&late),
        "{} {}",
        nodes(&early),
        nodes(&late)
    );
    let in_2022 = |n: &serde_json::Value| {
        n["newcomers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2022)
            .map_or(0, |y| y["actors"].as_u64().unwrap())
    };
    assert_eq!(in_2022(&early), 0);
    assert!(in_2022(&late) > 0);
    let out = run(
        &demo,
        &["network", "--territory", "region:96", "--at", "2024-13-01"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_circle_of_regulars_share_of_grants_and_events_is_compared() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(&db, &["demo"]);
    let c = json(&db, &["compare", "960000008", "960000016", "--json"]);
    for (side, code) in [("a", "960000008"), ("b", "960000016")] {
        let n = json(&db, &["network", "--territory", code, "--json"]);
        let f = &c[side]["network"];
        let r = &n["regulars"];
        for (key, value) in [
            ("core_grants_share", &r["grants"]["share"]),
            ("core_granted_share", &r["grants"]["cents_share"]),
            ("core_events_share", &r["events"]["share"]),
            ("core_attendees_share", &r["events"]["attendees_share"]),
        ] {
            // Absent on both sides, or the same share (to 1e-12).
            match (f.get(key), value.as_f64()) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    assert!((x.as_f64().unwrap() - y).abs() < 1e-12, "{code} {key}")
                }
                (x, y) => panic!("{code} {key}: {x:?} vs {y:?}"),
            }
        }
    }
    // The demonstration metropole has grants and events.
    assert!(c["a"]["network"]["core_events_share"].is_number(), "{c:#}");
    assert!(c["a"]["network"]["core_granted_share"].is_number());
    let n = json(&db, &["network", "--territory", "960000008", "--json"]);
    let e = &n["regulars"]["events"];
    assert!(e["events"].as_u64().unwrap() >= e["to_core"].as_u64().unwrap());
    // The summary says it.
    let text = ok(&db, &["network", "--territory", "960000008"]);
    assert!(text.contains("events organised by its members"), "{text}");
    let text = ok(&db, &["compare", "960000008", "960000016"]);
    assert!(text.contains("core events share"), "{text}");
}
