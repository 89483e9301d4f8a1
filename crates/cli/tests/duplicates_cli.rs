//! `archipel duplicates` end to end on a temporary registry: the list
//! (text and JSON, with why), `--apply-sure`, `merge`, `separate`,
//! `undo`, `merges`, an absorbed id leading to the kept record in
//! `archipel show`, and errors that name the unknown id.

mod common;
use common::{json, ok, run, stderr, write};
use std::path::Path;

const PROV_A: &str = r#""provenance": {"source": "alpha", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}"#;
const PROV_B: &str = r#""provenance": {"source": "beta", "created_at": "2026-02-01T00:00:00Z", "updated_at": "2026-02-01T00:00:00Z"}"#;

/// Two sources: one association known to both by its SIRET, a café by
/// its name and place only, a software by its Wikidata item, a relation
/// on the absorbed association.
fn registry(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("a.db");
    let doc = format!(
        r#"{{"format": "archipel", "version": 1, "records": [
  {{"type": "actor", "id": "actor:alpha:asso", "name": "Fablab des Capucins", "nature": "organisation",
    "identifiers": {{"siret": "43493312300029"}}, {PROV_A}}},
  {{"type": "actor", "id": "actor:beta:asso", "name": "FABLAB DES CAPUCINS", "nature": "organisation",
    "identifiers": {{"siret": "43493312300029"}}, "website": "https://fablab.example", {PROV_B}}},
  {{"type": "actor", "id": "actor:alpha:cafe", "name": "Café de la Gare", "nature": "organisation",
    "location": {{"lat": 48.39, "lon": -4.49}}, {PROV_A}}},
  {{"type": "actor", "id": "actor:beta:cafe", "name": "Cafe de la gare", "nature": "organisation",
    "location": {{"lat": 48.391, "lon": -4.49}}, {PROV_B}}},
  {{"type": "commons", "id": "commons:alpha:zip", "name": "7-Zip", "kind": "software",
    "identifiers": {{"wikidata": "Q215051"}}, {PROV_A}}},
  {{"type": "commons", "id": "commons:beta:zip", "name": "7zip", "kind": "software",
    "identifiers": {{"wikidata": "Q215051"}}, {PROV_B}}},
  {{"type": "relation", "id": "relation:beta:1", "subject": "actor:beta:asso", "kind": "uses",
    "object": "commons:beta:zip", {PROV_B}}}
]}}"#
    );
    let file = write(dir, "two.json", &doc);
    ok(&db, &["import", "json", file.to_str().unwrap()]);
    db
}

fn export(db: &Path) -> String {
    ok(db, &["export", "json"])
}

#[test]
fn list_apply_sure_merge_separate_undo() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry(dir.path());
    let before = export(&db);

    // The list says why.
    let found = json(&db, &["duplicates", "--json"]);
    let sure = found["sure"].as_array().unwrap();
    assert_eq!(sure.len(), 2, "{found}");
    assert_eq!(sure[0]["a"], "actor:alpha:asso");
    assert_eq!(sure[0]["b"], "actor:beta:asso");
    assert_eq!(sure[0]["keys"][0], "siret");
    assert_eq!(sure[1]["keys"][0], "wikidata");
    let review = found["review"].as_array().unwrap();
    assert_eq!(review.len(), 1, "{found}");
    assert_eq!(review[0]["a"], "actor:alpha:cafe");
    assert_eq!(review[0]["keys"][0], "name");
    assert!(review[0]["distance_m"].as_f64().unwrap() < 200.0);
    let text = ok(&db, &["duplicates"]);
    assert!(text.contains("sure    actor actor:alpha:asso"), "{text}");
    assert!(text.contains("2 sure, 1 to review"), "{text}");
    // Listing wrote nothing.
    assert_eq!(export(&db), before);

    // The sure pairs merged; the café is left for a person.
    let applied = json(&db, &["duplicates", "--apply-sure", "--json"]);
    assert_eq!(applied.as_array().unwrap().len(), 2, "{applied}");
    let found = json(&db, &["duplicates", "--json"]);
    assert!(found["sure"].as_array().unwrap().is_empty());
    assert_eq!(found["review"].as_array().unwrap().len(), 1);
    // The absorbed id leads to the kept record, which has its relation.
    let shown = run(&db, &["show", "actor:beta:asso", "--json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let v: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(v["record"]["id"], "actor:alpha:asso");
    assert_eq!(v["record"]["website"], "https://fablab.example");
    assert_eq!(v["relations"][0]["subject"], "actor:alpha:asso");
    assert_eq!(v["relations"][0]["object"], "commons:alpha:zip");
    let merges = json(&db, &["duplicates", "merges", "--json"]);
    assert_eq!(merges.as_array().unwrap().len(), 2);

    // Separate the café pair: not proposed again.
    let out = ok(
        &db,
        &[
            "duplicates",
            "separate",
            "actor:alpha:cafe",
            "actor:beta:cafe",
        ],
    );
    assert!(out.contains("distinct"), "{out}");
    let found = json(&db, &["duplicates", "--json"]);
    assert!(found["review"].as_array().unwrap().is_empty(), "{found}");

    // Merge by hand, then undo everything: the registry as it was.
    let out = ok(
        &db,
        &["duplicates", "merge", "actor:alpha:cafe", "actor:beta:cafe"],
    );
    assert!(out.contains("merge 3:"), "{out}");
    for id in ["3", "2", "1"] {
        let out = ok(&db, &["duplicates", "undo", id]);
        assert!(out.contains("undone"), "{out}");
    }
    assert_eq!(export(&db), before);
    let merges = json(&db, &["duplicates", "merges", "--json"]);
    assert!(merges
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["undone_by"].is_i64()));
}

#[test]
fn unknown_ids_and_refusals_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "duplicates",
                "merge",
                "actor:alpha:asso",
                "actor:beta:nobody",
            ],
            "archipel: error: actor:beta:nobody: no such record",
        ),
        (
            &[
                "duplicates",
                "separate",
                "actor:alpha:nobody",
                "actor:beta:cafe",
            ],
            "archipel: error: actor:alpha:nobody: no such record",
        ),
        (
            &["duplicates", "undo", "42"],
            "archipel: error: merge 42: no such merge",
        ),
        (
            &[
                "duplicates",
                "merge",
                "actor:alpha:asso",
                "commons:alpha:zip",
            ],
            "only records of one kind merge",
        ),
        (
            &[
                "duplicates",
                "merge",
                "actor:alpha:asso",
                "actor:alpha:asso",
            ],
            "cannot be merged with itself",
        ),
        (
            &["duplicates", "merge", "nonsense", "actor:alpha:asso"],
            "archipel: error: A: ",
        ),
        (
            &[
                "duplicates",
                "merge",
                "actor:alpha:asso",
                "actor:beta:asso",
                "--by",
                "x@y.fr",
            ],
            "--by: no account with the address x@y.fr",
        ),
    ];
    for (args, expected) in cases {
        let out = run(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // An absorbed id says where it went; an undone merge cannot be undone
    // again.
    ok(
        &db,
        &["duplicates", "merge", "actor:alpha:asso", "actor:beta:asso"],
    );
    let out = run(
        &db,
        &["duplicates", "merge", "actor:alpha:cafe", "actor:beta:asso"],
    );
    assert!(
        stderr(&out).contains("actor:beta:asso: merged into actor:alpha:asso"),
        "{}",
        stderr(&out)
    );
    ok(&db, &["duplicates", "undo", "1"]);
    let out = run(&db, &["duplicates", "undo", "1"]);
    assert!(
        stderr(&out).contains("archipel: error: merge 1 was already undone"),
        "{}",
        stderr(&out)
    );
    // A distance that is not one is a usage error.
    let out = run(&db, &["duplicates", "--within", "-3"]);
    assert_eq!(out.status.code(), Some(2));
}
