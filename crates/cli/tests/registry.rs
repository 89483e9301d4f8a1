//! The registry commands end to end: the real binary on real temporary
//! SQLite files.

mod common;
use archipel_testkit::mediation::{row as mediation_row, HEADER};
use common::{command, ok, run, stderr, write};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn export_json(db: &Path) -> String {
    ok(db, &["export", "json"])
}

/// Rows of a CSV as column → value maps.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A demonstration registry in a temporary folder, and its JSON export.
fn demo_registry() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let before = export_json(&db);
    (dir, db, before)
}

/// A valid médiation file of `rows` rows, large enough to stream in chunks.
fn big_mediation_file(dir: &Path, rows: usize) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for i in 0..rows {
        text.push_str(&mediation_row(i));
    }
    write(dir, "big.csv", &text)
}

/// `archipel import mediation FILE --skip-invalid --json`: its summary.
fn import_skipping_invalid(db: &Path, file: &Path) -> serde_json::Value {
    let args = [
        "import",
        "mediation",
        file.to_str().unwrap(),
        "--skip-invalid",
        "--json",
    ];
    serde_json::from_str(&ok(db, &args)).unwrap()
}

#[test]
fn mediation_example_round_trips_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let src = archipel_testkit::testdata("mediation/lieux-mediation-numerique.exemple-valide.csv");
    ok(&db, &["import", "mediation", src.to_str().unwrap()]);
    let exported = ok(&db, &["export", "mediation"]);
    let original = std::fs::read_to_string(&src).unwrap();
    let (a, b) = (csv_rows(&original), csv_rows(&exported));
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(ra.len(), 32, "the example has the schema's 32 columns");
        for (k, va) in ra {
            let vb = rb
                .get(k)
                .unwrap_or_else(|| panic!("column {k} missing in export"));
            if k == "latitude" || k == "longitude" {
                let (x, y): (f64, f64) = (va.parse().unwrap(), vb.parse().unwrap());
                assert_eq!(x, y, "{k}");
            } else {
                assert_eq!(va, vb, "column {k}");
            }
        }
    }
}

#[test]
fn json_export_import_export_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let db1 = dir.path().join("one.db");
    ok(&db1, &["demo"]);
    let sill = archipel_testkit::testdata("sill/sill-2022.json");
    ok(&db1, &["import", "sill", sill.to_str().unwrap()]);
    let first = export_json(&db1);
    let file = write(dir.path(), "dump.json", &first);
    let db2 = dir.path().join("two.db");
    ok(&db2, &["init"]);
    ok(&db2, &["import", "json", file.to_str().unwrap()]);
    assert_eq!(export_json(&db2), first);
}

#[test]
fn csv_export_import_gives_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let db1 = dir.path().join("one.db");
    ok(&db1, &["demo"]);
    let out = dir.path().join("csv");
    ok(&db1, &["export", "csv", "-o", out.to_str().unwrap()]);
    let db2 = dir.path().join("two.db");
    for kind in ["territory", "actor", "place", "commons", "relation"] {
        let f = out.join(format!("{kind}.csv"));
        ok(&db2, &["import", "csv", f.to_str().unwrap()]);
    }
    assert_eq!(export_json(&db2), export_json(&db1));
}

#[test]
fn invalid_row_rejects_the_whole_file_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let before = export_json(&db);
    // Line 2 valid; line 3 has a bad postcode; line 4 spans two lines
    // (quoted newline) and is valid; line 6 has a latitude out of range.
    let text = format!(
        "{HEADER}\n{}{}{}{}",
        mediation_row(1),
        mediation_row(2).replace(",29200,", ",2920,"),
        mediation_row(3).replace("Accès libre, ateliers", "Accès libre\nateliers"),
        mediation_row(4).replace("48.39004", "148.39004"),
    );
    let f = write(dir.path(), "lieux.csv", &text);
    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = f.display().to_string();
    assert!(
        err.contains(&format!("{name}:3: code_postal: `2920`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:6: latitude: latitude 148.39004")),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(export_json(&db), before, "the database must be unchanged");

    // With --skip-invalid the two valid rows land and the two others are set aside.
    let summary = import_skipping_invalid(&db, &f);
    assert_eq!(summary["rejected"], 2);
    let rejects = std::fs::read_to_string(dir.path().join("lieux.csv.rejects.csv")).unwrap();
    let rows = csv_rows(&rejects);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "lieu-2");
    assert_eq!(rows[1]["id"], "lieu-4");
    let shown = ok(&db, &["show", "place:mediation:lieu-3", "--json"]);
    assert!(shown.contains("Accès libre\\nateliers"), "{shown}");
    assert!(run(&db, &["show", "place:mediation:lieu-2"]).status.code() == Some(1));
}

/// A place's `id` must be unique in the file (a schema constraint): a
/// second row with the same id is an error at its line, not a silent
/// update of the first, and with --skip-invalid it is the one set aside.
#[test]
fn repeated_place_id_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let text = format!(
        "{HEADER}\n{}{}{}",
        mediation_row(1),
        mediation_row(2),
        mediation_row(3).replacen("lieu-3,", "lieu-1,", 1),
    );
    let f = write(dir.path(), "lieux.csv", &text);
    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = f.display().to_string();
    assert!(
        err.contains(&format!("{name}:4: id: `lieu-1` is used by an earlier row")),
        "{err}"
    );
    let out = ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(out.contains("1 rejected"), "{out}");
    let shown = ok(&db, &["show", "place:mediation:lieu-1", "--json"]);
    assert!(shown.contains("1 rue de Siam"), "{shown}");
    assert!(!shown.contains("3 rue de Siam"), "{shown}");
}

#[test]
fn missing_columns_and_unknown_values_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let f = write(dir.path(), "x.csv", "id,nom,colonne_inconnue\na,b,c\n");
    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":1: colonne_inconnue: unknown column"),
        "{err}"
    );
    assert!(
        err.contains(":1: pivot: required column is missing"),
        "{err}"
    );
    let text = format!(
        "{HEADER},services\n{}",
        mediation_row(1).trim_end().to_string() + ",Jardinage\n"
    );
    let f = write(dir.path(), "y.csv", &text);
    let err =
        String::from_utf8_lossy(&run(&db, &["import", "mediation", f.to_str().unwrap()]).stderr)
            .into_owned();
    assert!(
        err.contains(":2: services: `Jardinage` is not an allowed value"),
        "{err}"
    );
}

#[test]
fn reimport_does_not_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let text: String = std::iter::once(format!("{HEADER}\n"))
        .chain((1..=30).map(mediation_row))
        .collect();
    let f = write(dir.path(), "lieux.csv", &text);
    let first: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    // 30 places, 3 operators (three SIRETs), 1 commune.
    assert_eq!(first["inserted"], 34);
    let dump = export_json(&db);
    let second: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(second["inserted"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(export_json(&db), dump);
    let stats: serde_json::Value = serde_json::from_str(&ok(&db, &["stats", "--json"])).unwrap();
    let count = |k: &str| {
        stats["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == k)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("place"), 30);
    assert_eq!(count("actor"), 3);
}

#[test]
fn search_with_and_without_accents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let text = format!("{HEADER}\n{}", mediation_row(7));
    let f = write(dir.path(), "lieux.csv", &text);
    ok(&db, &["import", "mediation", f.to_str().unwrap()]);
    for q in ["mediatheque", "Médiathèque", "MEDIATHEQUE", "médiath"] {
        let out: serde_json::Value =
            serde_json::from_str(&ok(&db, &["search", q, "--kind", "place", "--json"])).unwrap();
        assert_eq!(out["total"], 1, "{q}");
        assert_eq!(out["hits"][0]["id"], "place:mediation:lieu-7");
    }
    let out: serde_json::Value =
        serde_json::from_str(&ok(&db, &["search", "bibliotheque inexistante", "--json"])).unwrap();
    assert_eq!(out["total"], 0);
}

#[test]
fn sill_json_and_csv_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let json = archipel_testkit::testdata("sill/sill-2022.json");
    let out: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["import", "sill", json.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(out["inserted"], 240);
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&db, &["show", "commons:sill:1", "--json"])).unwrap();
    assert_eq!(shown["record"]["name"], "7zip");
    assert_eq!(shown["record"]["license"], "LGPL-2.0-only");
    assert_eq!(shown["record"]["identifiers"]["comptoir_du_libre"], "72");
    assert_eq!(
        shown["record"]["details"]["function"],
        "Compression de fichier"
    );
    let csv = archipel_testkit::testdata("sill/sill-2022.csv");
    let out: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["import", "sill", csv.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(out["records"], 232);
    assert_eq!(
        out["inserted"], 0,
        "the CSV reaches the same records as the JSON"
    );
}

#[test]
fn json_import_reports_lines_and_dangling_references() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let doc = r#"{
  "format": "archipel",
  "version": 1,
  "records": [
    {"type":"actor","id":"actor:t:a","name":"A","nature":"organisation","kind":"association","provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}},
    {"type":"actor","id":"actor:t:b","name":"B","nature":"organisation","kind":"licorne","provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}
  ]
}
"#;
    let f = write(dir.path(), "d.json", doc);
    let out = run(&db, &["import", "json", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("d.json:6: kind:"), "{err}");

    let doc = doc.replace("licorne", "company").replace(
        "\"kind\":\"association\"",
        "\"kind\":\"association\",\"territory\":\"territory:t:nowhere\"",
    );
    let f = write(dir.path(), "e.json", &doc);
    let out = run(&db, &["import", "json", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("territory:t:nowhere"), "{err}");
}

/// Killing the process in the middle of an import leaves the database as
/// it was: the import is one transaction, and SQLite's journal undoes it.
#[test]
fn killed_import_leaves_the_database_unchanged() {
    let (dir, db, before) = demo_registry();
    let f = big_mediation_file(dir.path(), 60_000);
    let wal = dir.path().join("a.db-wal");
    let journal = dir.path().join("a.db-journal");
    let len = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal_before = len(&wal);
    let db_before = len(&db);
    let mut child = command(&db, &["import", "mediation", f.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing its pages into the file (a bulk
    // load goes through a rollback journal: new pages land in the file
    // while the journal exists) or into the WAL, then kill it without
    // warning.
    let mut writing = false;
    for _ in 0..6000 {
        let into_file = journal.exists() && len(&db) > db_before + 512 * 1024;
        if into_file || len(&wal) > wal_before + 512 * 1024 {
            writing = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(writing, "the import should have been caught while writing");
    assert!(
        !status.success(),
        "the import must have been killed, not finished"
    );
    assert_eq!(export_json(&db), before);
    // And the registry still works: the same import now goes through.
    let out: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(out["records"], 60_000);
}

/// When the writer cannot write (here another program holds the write
/// lock past the wait), the import stops with an error and the database is
/// unchanged; the threads reading and encoding the file must not wait
/// forever for a writer that has gone.
#[test]
fn import_that_cannot_write_fails_instead_of_hanging() {
    let (dir, db, before) = demo_registry();
    let f = big_mediation_file(dir.path(), 60_000);
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut child = command(&db, &["import", "mediation", f.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The import waits ten seconds for the lock, then gives up.
    let mut status = None;
    for _ in 0..1200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let Some(status) = status else {
        child.kill().unwrap();
        panic!("the import hung instead of failing");
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("the registry is busy"), "{err}");
    // How long it waited: the ten seconds, or a little more on a busy machine.
    let waited: u64 = err
        .split("waited ")
        .nth(1)
        .and_then(|w| w.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(waited >= 10, "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(export_json(&db), before);
}

#[test]
fn geojson_has_places_with_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let text = format!("{HEADER}\n{}{}", mediation_row(1), mediation_row(2));
    let f = write(dir.path(), "lieux.csv", &text);
    ok(&db, &["import", "mediation", f.to_str().unwrap()]);
    let gj: serde_json::Value = serde_json::from_str(&ok(&db, &["export", "geojson"])).unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    let feats = gj["features"].as_array().unwrap();
    // Two places and their two operators (actors located at their place).
    assert_eq!(feats.len(), 4);
    let place = feats
        .iter()
        .find(|f| f["id"] == "place:mediation:lieu-1")
        .unwrap();
    assert_eq!(place["geometry"]["coordinates"][0], -4.48001);
    assert_eq!(place["geometry"]["coordinates"][1], 48.39001);
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = run(&db, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("archipel init"));
    let out = run(&db, &["import", "mediation", "/nonexistent.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.csv: cannot read"));
    assert_eq!(run(&db, &["import", "nope", "x"]).status.code(), Some(2));
    ok(&db, &["init"]);
    assert_eq!(run(&db, &["show", "nonsense"]).status.code(), Some(2));
}

/// Records are written while the file is still being read; an invalid row
/// near the end must still leave the registry untouched.
#[test]
fn late_invalid_row_rolls_back_what_was_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let before = export_json(&db);
    let mut text = format!("{HEADER}\n");
    for i in 0..5000 {
        text.push_str(&mediation_row(i));
    }
    text.push_str(&mediation_row(5000).replace("2024-03-0", "2024-13-0"));
    let f = write(dir.path(), "lieux.csv", &text);
    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:5002: date_maj:", f.display())),
        "{err}"
    );
    assert_eq!(export_json(&db), before);
}

/// A reader that stops early (`archipel export json | head`) ends the
/// command quietly, without a panic message.
#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let mut child = command(&db, &["export", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe's read end is dropped here, before the export is done.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.trim().is_empty(), "nothing on stderr: {err}");
}

/// The stored provenance line of a record.
fn stored_line(db: &Path, id: &str) -> u64 {
    let shown: serde_json::Value = serde_json::from_str(&ok(db, &["show", id, "--json"])).unwrap();
    shown["record"]["provenance"]["line"]
        .as_u64()
        .unwrap_or_else(|| panic!("no line in {shown}"))
}

/// A row that is not UTF-8 (a Latin-1 `é` in row 501 of 1,000) is set
/// aside on its line with its bytes as they were, and the 499 rows after
/// it are imported; without --skip-invalid nothing is, and the message
/// says how to convert the file.
#[test]
fn a_row_not_in_utf8_is_set_aside_and_the_rows_after_it_are_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut bytes = format!("{HEADER}\n").into_bytes();
    let mut latin1_row = Vec::new();
    for i in 0..1000 {
        let mut row = mediation_row(i).into_bytes();
        if i == 500 {
            // "Médiathèque" with its é in Latin-1 (one byte, 0xE9).
            let at = row.windows(2).position(|w| w == "é".as_bytes()).unwrap();
            row.splice(at..at + 2, [0xE9]);
            latin1_row = row.clone();
        }
        bytes.extend_from_slice(&row);
    }
    let f = dir.path().join("lieux.csv");
    std::fs::write(&f, &bytes).unwrap();
    let name = f.display().to_string();

    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{name}:502: nom: not UTF-8 text (byte 0xE9 after `M`)"
        )),
        "{err}"
    );
    assert!(
        err.contains("iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv"),
        "{err}"
    );
    assert!(
        err.contains("1 of 1000 record(s); nothing was imported"),
        "{err}"
    );

    let summary = import_skipping_invalid(&db, &f);
    assert_eq!(summary["records"], 1000);
    assert_eq!(summary["rejected"], 1);
    // 999 places, 3 operators, 1 commune.
    assert_eq!(summary["inserted"], 1003);
    assert_eq!(stored_line(&db, "place:mediation:lieu-999"), 1001);
    let rejects = std::fs::read(dir.path().join("lieux.csv.rejects.csv")).unwrap();
    let mut expected = format!("{HEADER}\n").into_bytes();
    expected.extend_from_slice(&latin1_row);
    assert_eq!(rejects, expected, "the rejected row, byte for byte");
}

/// Lines in messages and in the stored provenance are the editor's, with
/// CRLF line ends (most French open data), lone CRs, and a quoted field
/// over two lines.
#[test]
fn lines_are_right_with_crlf_and_cr_line_ends() {
    for nl in ["\r\n", "\r"] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let rows = [
            mediation_row(1),
            mediation_row(2).replace("Accès libre, ateliers", "Accès libre{NL}ateliers"),
            mediation_row(3).replace(",29200,", ",2920,"),
            mediation_row(4),
        ];
        let text: String = std::iter::once(format!("{HEADER}\n"))
            .chain(rows)
            .collect::<String>()
            .replace('\n', nl)
            .replace("{NL}", nl);
        let f = write(dir.path(), "lieux.csv", &text);
        let name = f.display().to_string();
        let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{name}:5: code_postal: `2920`")),
            "{nl:?}: {err}"
        );
        ok(
            &db,
            &["import", "mediation", f.to_str().unwrap(), "--skip-invalid"],
        );
        assert_eq!(stored_line(&db, "place:mediation:lieu-1"), 2, "{nl:?}");
        assert_eq!(stored_line(&db, "place:mediation:lieu-2"), 3, "{nl:?}");
        assert_eq!(stored_line(&db, "place:mediation:lieu-4"), 6, "{nl:?}");
    }
}

/// An input that does not end, a file over the size limit and a field
/// over its own are refused with a message that says so.
#[test]
fn oversized_input_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let out = run(
        &db,
        &["import", "mediation", "/dev/zero", "--max-size", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("/dev/zero: larger than the limit of 1 MiB for an import"),
        "{}",
        stderr(&out)
    );
    let big = write(dir.path(), "big.csv", &"x".repeat(2 * 1024 * 1024));
    let out = run(
        &db,
        &[
            "import",
            "mediation",
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

    let header = format!("{HEADER},presentation_detail");
    let row = |i: usize, detail: &str| format!("{},{detail}\n", mediation_row(i).trim_end());
    let text = format!(
        "{header}\n{}{}{}",
        row(1, &"x".repeat(2_000_000)),
        row(2, &"y".repeat(100_000)),
        row(3, "court"),
    );
    let f = write(dir.path(), "lieux.csv", &text);
    let name = f.display().to_string();
    let out = ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(
        out.contains("3 record(s) read") && out.contains("2 rejected"),
        "{out}"
    );
    let err = stderr(&run(&db, &["import", "mediation", f.to_str().unwrap()]));
    assert!(
        err.contains(&format!(
            "{name}:2: presentation_detail: 2000000 bytes in this field; the record takes"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:3: presentation_detail: 100000 bytes of text, at most 65536 allowed here"
        )),
        "{err}"
    );
    assert!(ok(&db, &["show", "place:mediation:lieu-3", "--json"]).contains("court"));
}

/// Control characters are refused in names in every format, and never
/// echoed raw.
#[test]
fn control_characters_are_refused_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let prov = r#""provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
    let cases: [(&str, &str, String, &str); 5] = [
        (
            "mediation",
            "m.csv",
            format!("{HEADER}\n{}", mediation_row(1).replace("Médiathèque", "Evil\u{1b}]0;x\u{7}")),
            ":2: nom: control character U+001B (ESC) at character 5",
        ),
        (
            "mediation",
            "tab.csv",
            format!("{HEADER}\n{}", mediation_row(1).replace("Médiathèque", "A\tB")),
            ":2: nom: U+0009 (TAB) at character 2: this field is a single line",
        ),
        (
            "sill",
            "s.json",
            "[\n{\"id\": \"1\", \"i\": \"7zip\\u0007\"}\n]".to_string(),
            ":2: [0].i: control character U+0007 (BEL) at character 5",
        ),
        (
            "json",
            "n.json",
            format!(
                "{{\"format\": \"archipel\", \"version\": 1, \"records\": [\n\
                 {{\"type\":\"actor\",\"id\":\"actor:t:a\",\"name\":\"A\\u0000\",\"nature\":\"organisation\",{prov}}}\n]}}"
            ),
            ":2: name: control character U+0000 (NUL) at character 2",
        ),
        (
            "csv",
            "c.csv",
            "id,name,nature\nactor:t:a,A\u{1b}[2J,organisation\n".to_string(),
            ":2: name: control character U+001B (ESC) at character 2",
        ),
    ];
    for (format, file, text, expected) in cases {
        let f = write(dir.path(), file, &text);
        let out = run(&db, &["import", format, f.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{file}{expected}")), "{file}: {err}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{7}'),
            "{file}: raw control in {err:?}"
        );
    }
}

/// A file name that cannot be shown as provenance (it would be printed
/// and shown on record pages with each record) is refused, escaped.
#[test]
fn a_file_name_with_control_characters_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let f = write(
        dir.path(),
        "lieux\u{1b}[2J.csv",
        &format!("{HEADER}\n{}", mediation_row(1)),
    );
    let out = run(&db, &["import", "mediation", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("lieux\\u{1b}[2J.csv`: this file name cannot be recorded"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// One rule for links (http/https with a host) and one for e-mail
/// addresses, in every format and every field of that type, details
/// included.
#[test]
fn links_and_addresses_follow_one_rule_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let f = write(
        dir.path(),
        "c.csv",
        "id,name,kind,repository_url,website_url\n\
         commons:t:c,C,software,javascript:alert(1),javascript://x.fr/%0Aalert(1)\n",
    );
    let err = stderr(&run(&db, &["import", "csv", f.to_str().unwrap()]));
    assert!(
        err.contains("c.csv:2: repository_url: `javascript:alert(1)` is not a repository URL"),
        "{err}"
    );
    assert!(
        err.contains("c.csv:2: website_url: `javascript://x.fr/%0Aalert(1)` is not an http(s) URL"),
        "{err}"
    );

    let header = format!("{HEADER},courriels,fiche_acces_libre,prise_rdv");
    let text = format!(
        "{header}\n{},\"\"\"><script>alert(1)</script>@x.fr\",javascript:alert(1),data:text/html;base64,PHNjcmlwdD4=\n",
        mediation_row(1).trim_end()
    );
    let f = write(dir.path(), "m.csv", &text);
    let err = stderr(&run(&db, &["import", "mediation", f.to_str().unwrap()]));
    for field in ["courriels", "fiche_acces_libre", "prise_rdv"] {
        assert!(
            err.contains(&format!("m.csv:2: {field}: `")),
            "{field}: {err}"
        );
    }
    assert!(err.contains("is not an e-mail address"), "{err}");

    let prov = r#""provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
    let doc = format!(
        "{{\"format\": \"archipel\", \"version\": 1, \"records\": [\n\
         {{\"type\":\"place\",\"id\":\"place:t:p\",\"name\":\"P\",\"details\":{{\"prise_rdv\":\"javascript:alert(1)\"}},{prov}}}\n]}}"
    );
    let f = write(dir.path(), "p.json", &doc);
    let err = stderr(&run(&db, &["import", "json", f.to_str().unwrap()]));
    assert!(
        err.contains("p.json:2: details.prise_rdv: `javascript:alert(1)` is not an http(s) URL"),
        "{err}"
    );
}

/// An unpaired bidirectional control in a name is refused; a closed pair
/// (right-to-left text set in a left-to-right name) is kept.
#[test]
fn unpaired_bidirectional_controls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let text = format!(
        "{HEADER}\n{}{}",
        mediation_row(1).replace("Médiathèque", "Facture\u{202E}fdp.exe"),
        mediation_row(2).replace("Médiathèque", "Centre \u{2067}שלום\u{2069}"),
    );
    let f = write(dir.path(), "lieux.csv", &text);
    let err = stderr(&run(&db, &["import", "mediation", f.to_str().unwrap()]));
    assert!(
        err.contains("lieux.csv:2: nom: unpaired bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) at character 8"),
        "{err}"
    );
    assert!(!err.contains(":3:"), "{err}");
    assert!(!err.contains('\u{202E}'), "{err:?}");
    ok(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--skip-invalid"],
    );
    let shown = ok(&db, &["show", "place:mediation:lieu-2", "--json"]);
    assert!(shown.contains("Centre \u{2067}שלום\u{2069}"), "{shown}");
}

/// Problems of the file itself are said once, with what to do, and the
/// summary does not count them as records.
#[test]
fn problems_of_the_file_itself_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let semicolons = format!(
        "{}\n{}",
        HEADER.replace(',', ";"),
        mediation_row(1).replace(',', ";")
    );
    let f = write(dir.path(), "pv.csv", &semicolons);
    let out = run(
        &db,
        &["import", "mediation", f.to_str().unwrap(), "--skip-invalid"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("pv.csv:1: the header is a single column: the separator looks like `;`"),
        "{err}"
    );
    assert!(
        !err.contains("code_postal"),
        "the header is not echoed: {err}"
    );
    assert!(
        lines[1].ends_with(
            "pv.csv: 1 problem(s) with the file itself, before any record; nothing was imported"
        ),
        "{err}"
    );

    for empty in ["", "\r\n"] {
        let f = write(dir.path(), "vide.csv", empty);
        let err = stderr(&run(&db, &["import", "mediation", f.to_str().unwrap()]));
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(lines[0].ends_with("vide.csv: the file is empty"), "{err}");
    }
    let f = write(dir.path(), "x.csv", "id,nom\n");
    let err = stderr(&run(&db, &["import", "mediation", f.to_str().unwrap()]));
    assert!(
        err.contains("5 problem(s) with the file itself, before any record"),
        "{err}"
    );
    assert!(!err.contains("of 0 record(s)"), "{err}");
}
