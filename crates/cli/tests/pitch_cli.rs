//! `archipel pitch` and `archipel stats --territory` end to end, on a real
//! temporary registry holding the demonstration territory: the figures a
//! sheet quotes are those `stats --territory` reports, zero figures are
//! left out, the JSON has its documented shape, usage errors exit 2, and a
//! saved assessment reaches the sheet.

mod common;
use common::{git, json, ok, ok_bytes, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("registry.db");
    ok(&db, &["demo", "--json"]);
    (dir, db)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// What `stats --territory` says each indicator is.
fn expected(stats: &Value, indicator: &str) -> Option<Value> {
    let group = |list: &str| {
        stats[list]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["name"] == indicator)
            .cloned()
    };
    let n = match indicator {
        "actors_total" => u(&stats["actors"]),
        "places_total" => u(&stats["places"]),
        "relations_total" => u(&stats["relations"]),
        "public_actors" => u(&group("actor_groups")?["actors"]),
        "commons_used" | "commons_maintained" | "commons_funded" => {
            u(&group("link_groups")?["commons"])
        }
        "commons_users" | "commons_contributors" => u(&group("link_groups")?["organisations"]),
        "governance_roles" => u(&group("link_groups")?["relations"]),
        "actors_by_kind" => {
            let mut m = serde_json::Map::new();
            for c in stats["actor_kinds"].as_array().expect("kinds") {
                if c["key"] != "unset" && u(&c["count"]) > 0 {
                    m.insert(
                        c["key"].as_str().expect("key").to_string(),
                        c["count"].clone(),
                    );
                }
            }
            return (!m.is_empty()).then_some(Value::Object(m));
        }
        _ => return None,
    };
    (n > 0).then_some(Value::from(n))
}

const COUNTED: &[&str] = &[
    "actors_total",
    "actors_by_kind",
    "public_actors",
    "places_total",
    "commons_used",
    "commons_maintained",
    "commons_funded",
    "relations_total",
    "governance_roles",
    "commons_users",
    "commons_contributors",
];

fn check_figures(db: &Path, territory: &str, commons: Option<&str>) -> (Value, Value) {
    let mut sargs = vec!["stats", "--territory", territory, "--json"];
    let mut pargs = vec![
        "pitch",
        "--audience",
        "elu",
        "--territory",
        territory,
        "--json",
    ];
    if let Some(c) = commons {
        sargs.extend(["--commons", c]);
        pargs.extend(["--commons", c]);
    }
    let stats = json(db, &sargs);
    let sheet = json(db, &pargs);
    let evidence = sheet["evidence"].as_array().expect("evidence");
    for ind in COUNTED {
        let got = evidence
            .iter()
            .find(|e| e["indicator"] == *ind)
            .map(|e| e["value"].clone());
        assert_eq!(got, expected(&stats, ind), "{territory} {commons:?}: {ind}");
    }
    for e in evidence {
        assert_ne!(e["value"], Value::from(0), "a zero figure is shown: {e}");
        assert!(e["label"].as_str().is_some_and(|l| !l.is_empty()), "{e}");
    }
    (stats, sheet)
}

#[test]
fn evidence_matches_stats_territory_and_leaves_zeros_out() {
    let (_d, db) = demo();
    // The metropole: many figures.
    let (stats, sheet) = check_figures(&db, "960000008", None);
    assert!(u(&stats["actors"]) > 10 && u(&stats["territories"]) > 1);
    assert!(sheet["evidence"].as_array().expect("evidence").len() >= 8);
    // The region includes everything below it.
    let (region, _) = check_figures(&db, "region:96", None);
    assert!(u(&region["actors"]) >= u(&stats["actors"]));
    assert!(u(&region["territories"]) > u(&stats["territories"]));
    // A small commune: some figures are zero and so absent.
    let (small, sheet) = check_figures(&db, "96101", None);
    let absent: Vec<&&str> = COUNTED
        .iter()
        .filter(|i| expected(&small, i).is_none())
        .collect();
    assert!(
        !absent.is_empty(),
        "some figure is zero on a small commune: {small}"
    );
    for i in absent {
        assert!(
            !sheet["evidence"]
                .as_array()
                .expect("evidence")
                .iter()
                .any(|e| e["indicator"] == **i),
            "{i} is zero but shown"
        );
    }
    // Scoped to one commons: its users and contributors on the territory.
    let (one, sheet) = check_figures(&db, "960000008", Some("commons:sill:234"));
    assert_eq!(one["commons"], "commons:sill:234");
    let lic = sheet["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["indicator"] == "commons_licence");
    assert_eq!(
        lic.map(|e| e["value"].clone()),
        Some(Value::from("AGPL-3.0-only"))
    );
}

#[test]
fn json_has_the_documented_shape() {
    let (_d, db) = demo();
    let v = json(&db, &["pitch", "--audience", "technicien-dsi", "--json"]);
    assert_eq!(v["audience"], "technicien-dsi");
    assert_eq!(v["register"], "technical");
    let objections = v["objections"].as_array().expect("objections");
    assert!(!objections.is_empty());
    let arguments = v["arguments"].as_array().expect("arguments");
    for o in objections {
        assert!(o["id"].is_string() && o["text"].is_string());
        let answers = o["answers"].as_array().expect("answers");
        assert!(!answers.is_empty() && answers.len() <= 2);
        for a in answers {
            assert!(
                arguments.iter().any(|x| x["id"] == *a),
                "answer {a} is listed"
            );
        }
    }
    for a in arguments {
        for k in ["id", "register", "text", "source"] {
            assert!(a[k].is_string(), "argument.{k}: {a}");
        }
    }
    for e in v["evidence"].as_array().expect("evidence") {
        for k in ["indicator", "label", "value"] {
            assert!(!e[k].is_null(), "evidence.{k}: {e}");
        }
    }
    // `--format json` is the same, and English works.
    let same = json(
        &db,
        &["pitch", "--audience", "technicien-dsi", "--format", "json"],
    );
    assert_eq!(same["objections"], v["objections"]);
    let en = json(
        &db,
        &[
            "pitch",
            "--audience",
            "technicien-dsi",
            "--json",
            "--lang",
            "en",
        ],
    );
    assert_ne!(en["objections"][0]["text"], v["objections"][0]["text"]);
    // A register the persona has little of still answers every objection.
    let eco = json(
        &db,
        &[
            "pitch",
            "--audience",
            "elu",
            "--register",
            "technical",
            "--json",
        ],
    );
    assert_eq!(eco["register"], "technical");
    for o in eco["objections"].as_array().expect("objections") {
        assert!(!o["answers"].as_array().expect("answers").is_empty());
    }
    // The list.
    let list = json(&db, &["pitch", "--list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(7));
    assert!(ok(&db, &["pitch", "--list"]).contains("agent-territorial"));
}

#[test]
fn formats() {
    let (dir, db) = demo();
    let text = String::from_utf8(ok_bytes(&db, &["pitch", "--audience", "elu"])).expect("utf-8");
    assert!(
        text.contains("Qui est en face") && text.contains("Sources"),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l.chars().count() <= 80),
        "wrapped:\n{text}"
    );
    let md = String::from_utf8(ok_bytes(
        &db,
        &["pitch", "--audience", "elu", "--format", "markdown"],
    ))
    .expect("utf-8");
    assert!(md.starts_with("# ") && md.contains("\n## "), "{md}");
    let out = dir.path().join("fiche.html");
    ok(
        &db,
        &[
            "pitch",
            "--audience",
            "elu",
            "--format",
            "html",
            "-o",
            out.to_str().expect("path"),
        ],
    );
    let html = std::fs::read_to_string(&out).expect("html written");
    assert!(
        html.starts_with("<!doctype html>")
            && html.contains("<style>")
            && html.contains("lang=\"fr\"")
    );
    // A PDF goes to standard output when it is no terminal (here, a pipe).
    let pdf = ok_bytes(
        &db,
        &["pitch", "--audience", "association", "--format", "pdf"],
    );
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn usage_errors_exit_2_and_list_what_is_valid() {
    let (_d, db) = demo();
    let cases: &[(&[&str], &str)] = &[
        (&["pitch", "--audience", "maire"], "technicien-dsi"),
        (&["pitch"], "--audience"),
        (
            &["pitch", "--audience", "elu", "--territory", "75056"],
            "960000008",
        ),
        (
            &["pitch", "--audience", "elu", "--territory", "96"],
            "region:96",
        ),
        (
            &["pitch", "--audience", "elu", "--register", "poetic"],
            "political",
        ),
        (
            &["pitch", "--audience", "elu", "--commons", "commons:nope:1"],
            "unknown commons",
        ),
        (
            &["pitch", "--audience", "elu", "--commons", "not an id"],
            "commons id",
        ),
        (&["stats", "--territory", "75056"], "960000008"),
    ];
    for (args, needle) in cases {
        let out = run(&db, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {needle:?} in\n{err}");
    }
    // Several top-level territories: one must be named.
    let dir = tempfile::tempdir().expect("tempdir");
    let db2 = dir.path().join("two.db");
    ok(&db2, &["demo"]);
    let extra = dir.path().join("t.json");
    std::fs::write(
        &extra,
        r#"{"format":"archipel","version":1,"records":[
{"type":"territory","id":"territory:test:region:97","name":"Autre région","level":"region","code":"97","provenance":{"source":"test","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}]}"#,
    )
    .expect("write");
    ok(&db2, &["import", "json", extra.to_str().expect("path")]);
    let out = run(&db2, &["pitch", "--audience", "elu"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--territory") && err.contains("region:96") && err.contains("Autre région"),
        "{err}"
    );
}

#[test]
fn a_saved_assessment_reaches_the_sheet() {
    let (dir, db) = demo();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    std::fs::write(repo.join("LICENSE"), "SPDX-License-Identifier: EUPL-1.2\n").expect("write");
    std::fs::write(repo.join("README.md"), "# Outil\n").expect("write");
    git(
        &repo,
        ("Ana", "ana@exemple.fr"),
        &["init", "-q", "-b", "main"],
    );
    git(&repo, ("Ana", "ana@exemple.fr"), &["add", "-A"]);
    git(
        &repo,
        ("Ana", "ana@exemple.fr"),
        &["commit", "-q", "-m", "first"],
    );
    std::fs::write(repo.join("a.txt"), "a\n").expect("write");
    git(&repo, ("Bob", "bob@autre.org"), &["add", "-A"]);
    git(
        &repo,
        ("Bob", "bob@autre.org"),
        &["commit", "-q", "-m", "second"],
    );
    let target = repo.to_str().expect("path");

    let assess = |commons: &str| {
        run(
            &db,
            &[
                "assess",
                target,
                "--now",
                "2024-06-01",
                "--json",
                "--save",
                commons,
            ],
        )
    };
    // An unknown commons is a usage error, and nothing is saved.
    assert_eq!(assess("commons:demo:nope").status.code(), Some(2));
    let saved = assess("commons:sill:234");
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let sheet = json(
        &db,
        &[
            "pitch",
            "--audience",
            "elu",
            "--commons",
            "commons:sill:234",
            "--json",
        ],
    );
    let ev = sheet["evidence"].as_array().expect("evidence");
    let find = |i: &str| ev.iter().find(|e| e["indicator"] == i).cloned();
    // The assessment's licence wins over the record's.
    assert_eq!(
        find("commons_licence").map(|e| e["value"].clone()),
        Some(Value::from("EUPL-1.2"))
    );
    let div = find("contributor_diversity").expect("contributor diversity");
    assert_eq!(div["value"]["contributors"], 2, "{div}");
    let sources = sheet["sources"].as_array().expect("sources");
    assert!(
        sources.iter().any(|s| s["id"] == "assessment"),
        "{sources:?}"
    );
    assert_eq!(sheet["commons"]["id"], "commons:sill:234");
}

/// Within 1e-12 (betweenness may differ in its last bits between runs).
fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12,
        _ => a == b,
    }
}

#[test]
fn network_figures_are_those_of_archipel_network_json() {
    let (_d, db) = demo();
    let mut seen = std::collections::BTreeSet::new();
    for territory in ["960000008", "region:96", "96101"] {
        let net = json(&db, &["network", "--territory", territory, "--json"]);
        let relations = u(&net["counts"]["relations"]);
        let components = net["components"].as_array().expect("components");
        let nodes = u(&net["counts"]["nodes"]);
        let islands = components.iter().filter(|c| u(&c["size"]) > 1).count() as u64;
        let some = relations > 0;
        let r = &net["regulars"];
        for (audience, register) in [
            ("elu", "political"),
            ("association", "political"),
            ("agent-territorial", "political"),
            ("influenceur", "political"),
            ("directeur-innovation", "economic"),
        ] {
            let sheet = json(
                &db,
                &[
                    "pitch",
                    "--audience",
                    audience,
                    "--register",
                    register,
                    "--territory",
                    territory,
                    "--json",
                ],
            );
            let year: i64 = sheet["date"].as_str().expect("date")[..4]
                .parse()
                .expect("year");
            let at = format!("{territory} {audience}");
            // Each figure quoted is the network's (and only quoted when
            // the network has relations).
            for e in sheet["evidence"].as_array().expect("evidence") {
                let key = e["indicator"].as_str().expect("indicator");
                let v = &e["value"];
                match key {
                    "islands" => {
                        let largest = u(&components[0]["size"]);
                        let isolated = net["isolated_actors"].as_array().expect("isolated");
                        assert_eq!(u(&v["islands"]), islands, "{at}");
                        assert_eq!(u(&v["largest"]), largest, "{at}");
                        assert_eq!(u(&v["nodes"]), nodes, "{at}");
                        assert_eq!(u(&v["isolated_actors"]), isolated.len() as u64, "{at}");
                        let share = Value::from(largest as f64 / nodes as f64);
                        assert!(close(&v["largest_share"], &share), "{at}");
                    }
                    "shared_commons" => assert_eq!(*v, net["shared_commons"], "{at}"),
                    "central_person" => {
                        let d = &net["dependence"];
                        assert!(close(
                            &v["shortest_paths_share"],
                            &d["shortest_paths_share"]
                        ));
                        assert!(close(&v["relations_share"], &d["relations_share"]));
                    }
                    "inner_core" => {
                        assert_eq!(v["max_core"], r["max_core"]);
                        assert_eq!(
                            u(&v["members"]),
                            r["core"].as_array().expect("core").len() as u64
                        );
                        assert!(close(
                            &v["relations_within_share"],
                            &r["relations_within_share"]
                        ));
                        assert!(close(&v["grants_cents_share"], &r["grants"]["cents_share"]));
                        assert!(close(
                            &v["attendees_share"],
                            &r["events"]["attendees_share"]
                        ));
                    }
                    "newcomers" => {
                        let n: u64 = net["newcomers"]
                            .as_array()
                            .expect("newcomers")
                            .iter()
                            .filter(|y| {
                                let y = y["year"].as_i64().expect("year");
                                y >= year - 3 && y < year
                            })
                            .map(|y| u(&y["actors"]))
                            .sum();
                        assert_eq!(v["actors"], Value::from(n), "{at}");
                    }
                    "kind_diversity" => {
                        assert!(close(v, &net["diversity"]["kind_diversity"]), "{at}")
                    }
                    _ => continue,
                }
                assert!(some, "{at}: {key} quoted with no relation");
                seen.insert(key.to_string());
            }
        }
    }
    for i in [
        "islands",
        "shared_commons",
        "kind_diversity",
        "central_person",
    ] {
        assert!(seen.contains(i), "{i} on no sheet of the demonstration");
    }
}
