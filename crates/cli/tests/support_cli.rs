//! `archipel import scdl-subventions`, `archipel export scdl-subventions`
//! and `archipel support list|show` end to end on temporary registries,
//! with the made-up samples of `testdata/scdl/`.

mod common;
use common::{json, ok, run, stderr, write};
use std::path::Path;

const TOWN: &str = "21290019700006";

fn sample(name: &str) -> String {
    archipel_testkit::testdata(&format!("scdl/{name}"))
        .to_str()
        .expect("path")
        .to_string()
}

/// The cells of a CSV file (a byte order mark left out), header first.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.expect("csv").iter().map(str::to_string).collect())
        .collect()
}

fn records(db: &Path) -> Vec<serde_json::Value> {
    json(db, &["support", "list", "--json"])["records"]
        .as_array()
        .expect("records")
        .clone()
}

#[test]
fn import_then_export_gives_the_file_back_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let file = sample("subventions-crlf-bom.csv");
    let out = json(&db, &["import", "scdl-subventions", &file, "--json"]);
    assert_eq!(out["records"], 5);
    assert_eq!(out["inserted"], 5);
    // The town, three beneficiaries with a SIRET, one with an RNA only.
    assert_eq!(out["actors_created"], 5);
    let list = json(&db, &["support", "list", "--json"]);
    assert_eq!(list["records"].as_array().unwrap().len(), 5);
    // What the beneficiaries receive, summed in cents: 12000 + 2 × half
    // of 8500.50 + 2400 + 3000 euros.
    assert_eq!(list["totals"]["grant"]["granted_cents"], 2_590_050);

    // The export of 2025: the file's 2025 rows, cell for cell.
    let exported = dir.path().join("2025.csv");
    ok(
        &db,
        &[
            "export",
            "scdl-subventions",
            "--attribuant",
            TOWN,
            "--year",
            "2025",
            "-o",
            exported.to_str().unwrap(),
        ],
    );
    let input = cells(&std::fs::read(&file).unwrap());
    let mut want: Vec<Vec<String>> = input[1..]
        .iter()
        .filter(|r| r[2].starts_with("2025-"))
        .cloned()
        .collect();
    let got = cells(&std::fs::read(&exported).unwrap());
    assert_eq!(got[0], input[0], "header");
    let mut rows = got[1..].to_vec();
    want.sort();
    rows.sort();
    assert_eq!(rows, want);
    assert_eq!(rows.len(), 4);
    // The same on standard output; another year, another attribuant.
    let stdout = common::ok_bytes(
        &db,
        &[
            "export",
            "scdl-subventions",
            "--attribuant",
            TOWN,
            "--year",
            "2024",
        ],
    );
    assert_eq!(cells(&stdout).len(), 2);
    let other = run(
        &db,
        &[
            "export",
            "scdl-subventions",
            "--attribuant",
            "81234567800005",
            "--year",
            "2025",
        ],
    );
    assert!(other.status.success());
    assert_eq!(cells(&other.stdout).len(), 1, "header only");
    assert!(stderr(&other).contains("no grant of 81234567800005 dated 2025"));
    // Missing options, a bad SIRET.
    let bad = run(&db, &["export", "scdl-subventions", "--year", "2025"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(
        &db,
        &[
            "export",
            "scdl-subventions",
            "--attribuant",
            "123",
            "--year",
            "2025",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));

    // Importing again changes nothing.
    let again = json(&db, &["import", "scdl-subventions", &file, "--json"]);
    assert_eq!(again["unchanged"], 5);
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["actors_created"], 0);
    assert_eq!(again["actors_matched"], 5);
}

#[test]
fn beneficiaries_are_the_registry_actors_with_their_siret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let registry = write(
        dir.path(),
        "actors.json",
        r#"{"format": "archipel", "version": 1, "records": [
            {"type": "territory", "id": "territory:manual:commune:29999", "name": "Port-Lannec",
             "level": "commune", "code": "29999",
             "provenance": {"source": "manual", "created_at": "2026-01-01T00:00:00Z",
                            "updated_at": "2026-01-01T00:00:00Z"}},
            {"type": "actor", "id": "actor:manual:town", "name": "Port-Lannec",
             "nature": "organisation", "kind": "local_government",
             "identifiers": {"siret": "21290019700006"},
             "territory": "territory:manual:commune:29999",
             "provenance": {"source": "manual", "created_at": "2026-01-01T00:00:00Z",
                            "updated_at": "2026-01-01T00:00:00Z"}},
            {"type": "actor", "id": "actor:manual:libre-ouest", "name": "Libre Ouest",
             "nature": "organisation", "kind": "association",
             "identifiers": {"siret": "81234567800005"},
             "provenance": {"source": "manual", "created_at": "2026-01-01T00:00:00Z",
                            "updated_at": "2026-01-01T00:00:00Z"}}]}"#,
    );
    ok(&db, &["import", "json", registry.to_str().unwrap()]);
    let out = json(
        &db,
        &[
            "import",
            "scdl-subventions",
            &sample("subventions-valid.csv"),
            "--json",
        ],
    );
    assert_eq!(out["actors_matched"], 2);
    assert_eq!(out["actors_created"], 3);
    // Every grant is the town's, on its territory.
    for g in records(&db) {
        assert_eq!(g["giver"], "actor:manual:town");
        assert_eq!(g["territory"], "territory:manual:commune:29999");
    }
    let grants: Vec<_> = records(&db)
        .into_iter()
        .filter(|g| g["beneficiary_siret"] == "81234567800005")
        .collect();
    assert_eq!(grants.len(), 2);
    for g in &grants {
        assert_eq!(g["beneficiary"], "actor:manual:libre-ouest");
    }
    // The registry's actor is left as it was.
    let actor = json(&db, &["show", "actor:manual:libre-ouest", "--json"]);
    assert_eq!(actor["record"]["name"], "Libre Ouest");
    // `support show` names what a grant points at and where it came from.
    let id = grants[0]["id"].as_str().unwrap();
    let text = ok(&db, &["support", "show", id]);
    assert!(
        text.contains("→ beneficiary: Libre Ouest (actor:manual:libre-ouest)"),
        "{text}"
    );
    assert!(
        text.contains("→ giver: Port-Lannec (actor:manual:town)"),
        "{text}"
    );
    assert!(
        text.contains("→ territory: Port-Lannec (territory:manual:commune:29999)"),
        "{text}"
    );
    assert!(text.contains("subventions-valid.csv:"), "{text}");
    let shown = json(&db, &["support", "show", id, "--json"]);
    assert_eq!(shown["record"]["type"], "grant");
    assert_eq!(shown["record"]["share"], "1");
    let missing = run(&db, &["support", "show", "grant:x:nothing"]);
    assert_eq!(missing.status.code(), Some(1));
    let malformed = run(&db, &["support", "show", "actor:x:y"]);
    assert_eq!(malformed.status.code(), Some(2));
    let text = ok(&db, &["support", "list", "--year", "2024"]);
    assert!(text.contains("1 grant(s), 3000 € granted"), "{text}");
}

/// Each quirk is named `FILE:LINE: field: reason`, and nothing is written;
/// `--skip-invalid` writes the valid rows and sets the others aside.
#[test]
fn quirks_are_named_with_their_line_and_nothing_is_written() {
    let cases = [
        ("subventions-decimal-comma.csv", ":3: montant: `8500,50` uses a decimal comma; write the amount with a point, such as `8500.50`"),
        ("subventions-french-date.csv", ":4: dateConvention: `14/03/2025` is written DD/MM/YYYY; write dates as YYYY-MM-DD: `2025-03-14`"),
        ("subventions-control-char.csv", ":2: objet: "),
    ];
    for (name, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let file = sample(name);
        let out = run(&db, &["import", "scdl-subventions", &file]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{file}{want}")), "{name}: {err}");
        assert!(
            err.contains("nothing was imported (--skip-invalid would import the 4 valid ones)"),
            "{err}"
        );
        assert!(records(&db).is_empty(), "{name}");
        let stats = json(&db, &["stats", "--json"]);
        assert_eq!(stats["entities"][1]["key"], "actor");
        assert_eq!(
            stats["entities"][1]["count"], 0,
            "{name}: no actor written either"
        );

        let rejects = dir.path().join("rejects.csv");
        let out = json(
            &db,
            &[
                "import",
                "scdl-subventions",
                &file,
                "--skip-invalid",
                "--rejects",
                rejects.to_str().unwrap(),
                "--json",
            ],
        );
        assert_eq!(out["inserted"], 4, "{name}");
        assert_eq!(out["rejected"], 1, "{name}");
        assert_eq!(records(&db).len(), 4, "{name}");
        let set_aside = cells(&std::fs::read(&rejects).unwrap());
        assert_eq!(set_aside.len(), 2, "{name}: header and the row");
    }
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let big = dir.path().join("big.csv");
    let header = std::fs::read(sample("subventions-valid.csv")).unwrap();
    let mut bytes = header.clone();
    while bytes.len() <= 1024 * 1024 {
        bytes.extend_from_slice(&header[header.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    }
    std::fs::write(&big, &bytes).unwrap();
    let out = run(
        &db,
        &[
            "import",
            "scdl-subventions",
            big.to_str().unwrap(),
            "--max-size",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("larger than the limit of 1 MiB"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &db,
        &["import", "scdl-subventions", "/nonexistent/file.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/file.csv: cannot read"));
}

#[test]
fn calls_are_imported_and_grants_point_at_the_call_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = json(
        &db,
        &[
            "import",
            "scdl-subventions",
            &sample("subventions-valid.csv"),
            "--json",
        ],
    );
    assert_eq!(out["inserted"], 5);
    let out = json(
        &db,
        &[
            "import",
            "dispositifs",
            &sample("dispositifs.csv"),
            "--json",
        ],
    );
    assert_eq!(out["format"], "dispositifs");
    assert_eq!(out["inserted"], 2);
    // The town, made by the grants' import, runs both calls (its SIREN).
    assert_eq!(out["actors_matched"], 1);
    let calls = json(&db, &["support", "list", "--kind", "call", "--json"]);
    let calls = calls["records"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["id"], "call:dispositifs:AAP-COMMUNS-2025");
    assert_eq!(calls[0]["non_competitive"], true);
    assert_eq!(calls[0]["budget_cents"], 6_000_000);
    assert_eq!(calls[0]["giver"], "actor:scdl-subventions:21290019700006");
    assert_eq!(calls[0]["eligible"][1], "Entreprises privées");
    assert_eq!(
        calls[0]["details"]["thematique_aide"],
        "Numérique > Communs numériques"
    );
    assert_eq!(calls[1]["non_competitive"], false);
    assert_eq!(calls[1]["budget_cents"], 2_500_050);
    // Grants imported after their call point at it.
    let again = json(
        &db,
        &[
            "import",
            "scdl-subventions",
            &sample("subventions-valid.csv"),
            "--json",
        ],
    );
    assert_eq!(again["updated"], 3, "the three grants of AAP-COMMUNS-2025");
    let linked: Vec<_> = records(&db)
        .into_iter()
        .filter(|r| r["call"] == "call:dispositifs:AAP-COMMUNS-2025")
        .collect();
    assert_eq!(linked.len(), 3);
    let text = ok(&db, &["support", "list"]);
    assert!(
        text.contains("Soutenir les communs numériques du territoire (non-competitive)"),
        "{text}"
    );

    // A date written DD/MM/YYYY is named with its line; nothing written.
    let bad = std::fs::read_to_string(sample("dispositifs.csv"))
        .unwrap()
        .replace("2025-05-01", "01/05/2025")
        .replace("AAP-", "AAP2-");
    let file = write(dir.path(), "bad.csv", &bad);
    let out = run(&db, &["import", "dispositifs", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "bad.csv:3: date_ouverture: `01/05/2025` is not a date of the form YYYY-MM-DD"
        ),
        "{err}"
    );
    assert_eq!(
        json(&db, &["support", "list", "--kind", "call", "--json"])["records"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
