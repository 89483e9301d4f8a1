//! The import job on real temporary registries: it decides once whether
//! anything may be written — an invalid file writes nothing, invalid
//! records set aside write the valid ones and come back byte for byte, a
//! writer that fails writes nothing and stops the threads feeding it.

use archipel_content::Content;
use archipel_domain::{EntityId, EntityKind};
use archipel_formats::ImportContext;
use archipel_jobs::export::{self, Export};
use archipel_jobs::import::{self, Format, ImportError, ImportReport, ImportRequest};
use archipel_store::{Store, StoreError};

use archipel_testkit::mediation::{row, HEADER};

/// A médiation file of the rows `rows`.
fn file(rows: impl IntoIterator<Item = String>) -> Vec<u8> {
    std::iter::once(format!("{HEADER}\n"))
        .chain(rows)
        .collect::<String>()
        .into_bytes()
}

/// A registry holding the demonstration territory.
fn registry() -> (tempfile::TempDir, Store, Content) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("registry.db")).unwrap();
    let content = Content::embedded().unwrap();
    let mut calls = 0;
    let summary = archipel_jobs::demo::load(&mut store, &content, &mut |_| calls += 1).unwrap();
    assert!(summary.inserted > 0);
    assert_eq!(
        calls as u64,
        summary.records(),
        "one progress call a record"
    );
    (dir, store, content)
}

/// The whole registry, as Archipel JSON.
fn dump(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    export::write(store, Export::Json, &mut out).unwrap();
    out
}

fn import(
    store: &mut Store,
    content: &Content,
    format: Format,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<ImportReport, ImportError> {
    let request = ImportRequest {
        format,
        bytes,
        context: ImportContext::new("lieux.csv", format.name(), content),
        skip_invalid,
        mapping: None,
    };
    import::run(store, request, &mut |_| {})
}

fn place(i: usize) -> EntityId {
    EntityId::new(EntityKind::Place, "mediation", &format!("lieu-{i}")).unwrap()
}

/// One invalid record, even the last of a file long enough for records to
/// have been written before the parser reached it: nothing is written, and
/// the report says why.
#[test]
fn an_invalid_file_writes_nothing() {
    let (_dir, mut store, content) = registry();
    let before = dump(&store);
    let bytes = file(
        (0..5000)
            .map(row)
            .chain([row(5000).replace(",29200,", ",2920,")]),
    );
    let report = import(&mut store, &content, Format::Mediation, &bytes, false).unwrap();
    assert!(report.written.is_none());
    assert!(!report.stopped);
    assert_eq!((report.records, report.rejected), (5001, 1));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0]
            .to_string()
            .starts_with("lieux.csv:5002: code_postal: `2920`"),
        "{:?}",
        report.problems
    );
    assert!(dump(&store) == before, "the registry must be unchanged");
    assert!(store.get(&place(0)).unwrap().is_none());
}

/// A file that cannot be used at all, or in which no record is valid,
/// writes nothing even when invalid records may be set aside.
#[test]
fn skip_invalid_never_writes_an_unusable_file() {
    let (_dir, mut store, content) = registry();
    let before = dump(&store);
    let semicolons = format!("{}\n{}", HEADER.replace(',', ";"), row(1).replace(',', ";"));
    let report = import(
        &mut store,
        &content,
        Format::Mediation,
        semicolons.as_bytes(),
        true,
    )
    .unwrap();
    assert!(report.stopped && report.written.is_none());
    let none_valid = file([row(1).replace(",29200,", ",2920,")]);
    let report = import(&mut store, &content, Format::Mediation, &none_valid, true).unwrap();
    assert!(!report.stopped);
    assert!(report.written.is_none());
    assert_eq!(report.valid(), 0);
    assert!(dump(&store) == before, "the registry must be unchanged");
}

/// With `skip_invalid`, the valid records are written and the invalid
/// ones come back as the file wrote them — header and line breaks
/// (CRLF here, and a quoted line break inside a field) included.
#[test]
fn skip_invalid_writes_the_valid_records_and_returns_the_others_byte_for_byte() {
    let (_dir, mut store, content) = registry();
    let count = |store: &Store| -> u64 {
        store
            .stats()
            .unwrap()
            .entities
            .iter()
            .map(|c| c.count)
            .sum()
    };
    let before = count(&store);
    let bad2 = row(2)
        .replace(",29200,", ",2920,")
        .replace("Accès libre, ateliers", "Accès libre\r\nateliers");
    let bad4 = row(4).replace("48.39004", "148.39004");
    let crlf = |s: String| s.replace('\n', "\r\n");
    let header = format!("{HEADER}\r\n");
    let bytes: Vec<u8> = [
        header.clone(),
        crlf(row(1)),
        bad2.replace("\"\n", "\"\r\n"),
        crlf(row(3)),
        crlf(bad4.clone()),
        crlf(row(5)),
    ]
    .concat()
    .into_bytes();
    let report = import(&mut store, &content, Format::Mediation, &bytes, true).unwrap();
    let written = report.written.expect("the valid records are written");
    assert_eq!((report.records, report.rejected), (5, 2));
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert_eq!(report.rejects.extension, "csv");
    let expected = [header, bad2.replace("\"\n", "\"\r\n"), crlf(bad4)].concat();
    assert_eq!(
        String::from_utf8(report.rejects.to_bytes()).unwrap(),
        expected
    );
    for i in [1, 3, 5] {
        assert!(store.get(&place(i)).unwrap().is_some(), "lieu-{i}");
    }
    for i in [2, 4] {
        assert!(store.get(&place(i)).unwrap().is_none(), "lieu-{i}");
    }
    assert_eq!(written.updated, 0);
    assert_eq!(count(&store), before + written.inserted);
    // Again: the same records, unchanged (the commune, which the médiation
    // file only creates, included).
    let again = import(&mut store, &content, Format::Mediation, &bytes, true).unwrap();
    let again = again.written.unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
    assert_eq!(again.unchanged, written.records());
}

/// A writer that fails when it commits (a record points at one that is
/// not in the registry): an error naming why, the parser's problems kept,
/// nothing written.
#[test]
fn a_writer_failing_at_commit_is_an_error_and_writes_nothing() {
    let (_dir, mut store, content) = registry();
    let before = dump(&store);
    let doc = r#"{
  "format": "archipel",
  "version": 1,
  "records": [
    {"type":"actor","id":"actor:t:a","name":"A","nature":"organisation","kind":"association","territory":"territory:t:nowhere","provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}},
    {"type":"actor","id":"actor:t:b","name":"B","nature":"organisation","kind":"licorne","provenance":{"source":"t","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}
  ]
}
"#;
    let err = import(&mut store, &content, Format::Json, doc.as_bytes(), true).unwrap_err();
    let ImportError::Write {
        problems, source, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(
        matches!(source, StoreError::Dangling { target, .. } if target == "territory:t:nowhere"),
        "{source:?}"
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].to_string().contains(":6: kind:"),
        "{problems:?}"
    );
    assert!(dump(&store) == before, "the registry must be unchanged");
}

/// A writer that fails on the first records of a file larger than the
/// queues between the threads can hold: the import returns the error
/// instead of waiting for ever on a writer that has gone, and writes
/// nothing.
#[test]
fn a_writer_failing_midway_stops_the_import_and_writes_nothing() {
    let (dir, mut store, content) = registry();
    let small = file((0..10).map(row));
    let report = import(&mut store, &content, Format::Mediation, &small, false).unwrap();
    assert!(report.written.is_some());
    drop(store);
    // The stored row of lieu-1 is made unreadable: updating it fails.
    rusqlite::Connection::open(dir.path().join("registry.db"))
        .unwrap()
        .execute(
            "UPDATE entity SET data = '{' WHERE id = 'place:mediation:lieu-1'",
            [],
        )
        .unwrap();
    let mut store = Store::open(&dir.path().join("registry.db")).unwrap();
    let stats = |s: &Store| format!("{:?}", s.stats().unwrap().entities);
    let before = stats(&store);
    let big = file((0..40_000).map(row));
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let result = import(&mut store, &content, Format::Mediation, &big, false);
        let _ = tx.send(result.map(|_| ()));
        store
    });
    // Ten minutes is far beyond the few seconds it takes: only a hang
    // gets there.
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(600))
        .expect("the import hung instead of failing");
    let store = worker.join().unwrap();
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ImportError::Write { source: StoreError::Corrupt { id, .. }, .. } if id == "place:mediation:lieu-1"),
        "{err:?}"
    );
    // Said as a chain, each cause once: the import, the record, the JSON
    // parser's reason (kept as the source of the source).
    let shown = archipel_domain::error_chain(&err);
    for part in [
        "nothing was imported",
        "stored data is unreadable",
        "EOF while parsing",
    ] {
        assert_eq!(shown.matches(part).count(), 1, "{part}: {shown}");
    }
    assert_eq!(stats(&store), before);
    assert!(store.get(&place(20_000)).unwrap().is_none());
}

/// A file name that cannot be recorded as provenance, or a source name
/// that cannot be part of an identifier, is refused before anything is
/// read or written.
#[test]
fn names_are_checked_first() {
    let (_dir, mut store, content) = registry();
    let before = dump(&store);
    let bytes = file([row(1)]);
    for (name, source) in [("lieux\u{1b}[2J.csv", "mediation"), ("lieux.csv", "a b")] {
        let request = ImportRequest {
            format: Format::Mediation,
            bytes: &bytes,
            context: ImportContext::new(name, source, &content),
            skip_invalid: false,
            mapping: None,
        };
        assert!(import::check(&request.context).is_err());
        let err = import::run(&mut store, request, &mut |_| {}).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::FileName { .. } | ImportError::Source { .. }
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
    }
    assert!(dump(&store) == before);
}
