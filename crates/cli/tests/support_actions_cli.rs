//! `archipel import actions` and `archipel export actions|actions-csv`
//! end to end: the demonstration's public action exported and imported
//! back into a registry holding only its records (JSON and CSV, record
//! for record), bad cells named `FILE:LINE: field: reason` with nothing
//! written, `--skip-invalid`, and formula neutralisation.

mod common;
use common::{json, ok, run, stderr, write};
use std::path::{Path, PathBuf};

fn records(db: &Path) -> Vec<serde_json::Value> {
    json(db, &["support", "list", "--json"])["records"]
        .as_array()
        .expect("records")
        .clone()
}

/// A registry with the demonstration's records and no public action.
fn bare_demo(dir: &Path, name: &str) -> PathBuf {
    let overlay = dir.join(format!("{name}-overlay"));
    std::fs::create_dir_all(overlay.join("demo")).unwrap();
    write(&overlay.join("demo"), "support.toml", "# nothing\n");
    let db = dir.join(format!("{name}.db"));
    ok(&db, &["--content", overlay.to_str().unwrap(), "demo"]);
    assert!(records(&db).is_empty());
    db
}

#[test]
fn the_demonstrations_public_action_goes_out_and_back_in_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    ok(&a, &["demo"]);
    let want = records(&a);
    assert_eq!(want.len(), 37);
    let all = dir.path().join("all.json");
    ok(&a, &["export", "actions", "-o", all.to_str().unwrap()]);

    // JSON: every kind, provenance kept; exported again, the same bytes.
    let b = bare_demo(dir.path(), "b");
    let out = json(&b, &["import", "actions", all.to_str().unwrap(), "--json"]);
    assert_eq!(out["inserted"], 37, "{out}");
    assert_eq!(records(&b), want);
    let again = dir.path().join("again.json");
    ok(&b, &["export", "actions", "-o", again.to_str().unwrap()]);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&all).unwrap());

    // CSV: the kinds it holds (calls and grants come in JSON first, as
    // applications point at them), cell for cell back to the same records.
    let csv = dir.path().join("all.csv");
    ok(&a, &["export", "actions-csv", "-o", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 1 + 12 + 4 + 2 + 6 + 1, "{text}");
    assert!(text.starts_with("type,id,territory,call,"), "{text}");
    let c = bare_demo(dir.path(), "c");
    for kind in ["call", "grant"] {
        let part = dir.path().join(format!("{kind}.json"));
        ok(
            &a,
            &[
                "export",
                "actions",
                "--kind",
                kind,
                "-o",
                part.to_str().unwrap(),
            ],
        );
        ok(&c, &["import", "actions", part.to_str().unwrap()]);
    }
    let out = json(&c, &["import", "actions", csv.to_str().unwrap(), "--json"]);
    assert_eq!(out["inserted"], 25, "{out}");
    assert_eq!(records(&c), want);
    // Filters: a kind and a year.
    let events = ok(
        &a,
        &["export", "actions-csv", "--kind", "event", "--year", "2024"],
    );
    assert_eq!(events.lines().count(), 1 + 3, "{events}");
}

const HEADER: &str = "type,id,territory,call,applicant,applicant_name,purpose,status,\
amount_asked,submitted,decided,items,quantity,transfer,giver,recipient,from,returned,\
name,category,organiser,starts,start_time,attendance_total,attendance_by_actor_kind,place";

#[test]
fn bad_cells_are_named_with_their_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = bare_demo(dir.path(), "a");
    ok(
        &db,
        &[
            "import",
            "actions",
            write_call(dir.path()).to_str().unwrap(),
        ],
    );
    let before = records(&db);
    // A byte order mark and CRLF line ends, as spreadsheets write them.
    let rows = [
        HEADER,
        // 2: good.
        "application,application:t:ok,,call:t:c,actor:demo:la-coursive,La Coursive,Ateliers,submitted,1500.50,2024-03-01,,,,,,,,,,,,,,,,",
        // 3: a date written DD/MM/YYYY and an amount with a decimal comma.
        "application,application:t:dates,,call:t:c,actor:demo:la-coursive,La Coursive,Ateliers,submitted,\"1500,50\",01/03/2024,,,,,,,,,,,,,,,,",
        // 4: a control character in a name; a loan handed over by no one.
        "hardware,hardware:t:pc,,,,,,,,,,\"Portables\u{7}\",3,loan,,actor:demo:la-coursive,2024-01-01,,,,,,,,,",
        // 5: a field of another kind, an unknown category.
        "event,event:t:e,,call:t:c,,,,,,,,,,,,,,,Rencontre,party,actor:demo:metropole,2024-05-01,25:00,,,",
        // 6: attendance that does not add up; a place that is an actor.
        "event,event:t:f,,,,,,,,,,,,,,,,,Rencontre,meetup,actor:demo:metropole,2024-05-01,18:00,3,association=5,actor:demo:la-coursive",
        // 7: an applicant the registry does not hold.
        "application,application:t:ghost,,call:t:c,actor:demo:nobody,Personne,Rien,submitted,,2024-03-01,,,,,,,,,,,,,,,,",
        // 8: not a kind of this file.
        "grant,grant:t:g,,,,,,,,,,,,,,,,,,,,,,,,",
    ];
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(rows.join("\r\n").as_bytes());
    bytes.extend_from_slice(b"\r\n");
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, &bytes).unwrap();
    let shown = file.to_str().unwrap();
    let out = run(&db, &["import", "actions", shown]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (line, field, says) in [
        (3, "amount_asked", "decimal comma"),
        (3, "submitted", "write dates as YYYY-MM-DD: `2024-03-01`"),
        (4, "items", "control"),
        (4, "giver", "required when `type` is hardware"),
        (5, "call", "`type` event has no such field"),
        (5, "start_time", "not a time"),
        (6, "attendance_by_actor_kind", "more than the 3 in all"),
        (6, "place", "not a place record"),
        (7, "applicant", "no record `actor:demo:nobody`"),
        (8, "type", "scdl-subventions"),
    ] {
        let want = format!("{shown}:{line}: {field}: ");
        assert!(
            err.lines()
                .any(|l| l.starts_with(&want) && l.contains(says)),
            "{want}…{says}\n{err}"
        );
    }
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(records(&db), before);

    // The category is checked against the vocabulary once the rest is
    // right.
    let fixed = dir.path().join("category.csv");
    std::fs::write(
        &fixed,
        format!(
            "{HEADER}\nevent,event:t:e,,,,,,,,,,,,,,,,,Rencontre,party,actor:demo:metropole,2024-05-01,,,,\n"
        ),
    )
    .unwrap();
    let out = run(&db, &["import", "actions", fixed.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}:2: category: `party` is not a key of the event_categories vocabulary",
            fixed.display()
        )),
        "{err}"
    );

    // With --skip-invalid the good row goes in, the others are set aside.
    let out = run(
        &db,
        &["import", "actions", shown, "--skip-invalid", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inserted"], 1, "{report}");
    assert_eq!(report["rejected"], 6, "{report}");
    let ok_row = records(&db)
        .into_iter()
        .find(|r| r["id"] == "application:t:ok")
        .expect("imported");
    assert_eq!(ok_row["amount_asked_cents"], 150_050);
    // On the call's territory, the giver's.
    assert_eq!(ok_row["territory"], "territory:demo:epci:960000008");
    let rejects = std::fs::read_to_string(format!("{shown}.rejects.csv")).unwrap();
    assert!(rejects.contains("application:t:dates"), "{rejects}");
    // Every row set aside is there, as the file wrote it — the one whose
    // applicant the registry does not hold too —, under the header.
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 1 + 6, "{rejects}");
    assert!(lines[0].starts_with("type,"), "{rejects}");
    assert!(rejects.contains(rows[6]), "{rejects}");
    assert!(!rejects.contains("application:t:ok"), "{rejects}");
}

fn write_call(dir: &Path) -> PathBuf {
    write(
        dir,
        "call.json",
        r#"{"format": "archipel-actions", "version": 1, "records": [
  {"type": "call", "id": "call:t:c", "name": "Appel", "giver_name": "Métropole",
   "giver_siren": "960000008", "giver": "actor:demo:metropole", "opens": "2024-01-15"}
]}"#,
    )
}

#[test]
fn cells_a_spreadsheet_would_run_are_neutralised_and_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = bare_demo(dir.path(), "a");
    let file = write(
        dir.path(),
        "post.json",
        r#"{"format": "archipel-actions", "version": 1, "records": [
  {"type": "post", "id": "post:t:p", "role": "=HYPERLINK(\"http://x.invalid\")",
   "employer": "actor:demo:metropole", "fte": "0.5", "since": "2024-01-01",
   "funding": "-1+1"}
]}"#,
    );
    ok(&db, &["import", "actions", file.to_str().unwrap()]);
    let csv = ok(&db, &["export", "actions-csv"]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x.invalid\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'-1+1,"), "{csv}");
    let back = dir.path().join("back.csv");
    std::fs::write(&back, &csv).unwrap();
    let other = bare_demo(dir.path(), "b");
    ok(&other, &["import", "actions", back.to_str().unwrap()]);
    let r = &records(&other)[0];
    assert_eq!(r["role"], "=HYPERLINK(\"http://x.invalid\")");
    assert_eq!(r["funding"], "-1+1");
    assert_eq!(r["territory"], "territory:demo:epci:960000008");
}
