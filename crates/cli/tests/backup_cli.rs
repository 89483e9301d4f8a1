//! `archipel backup` and `archipel restore` end to end: backups taken
//! while a server reads and an import writes are each the registry as it
//! was before the import or after it, never a mix; a registry in use is
//! not replaced.
//!
//! No assertion depends on timing: an import is one transaction, so the
//! registry has exactly two states while it runs, and every backup must be
//! one of them, however the processes interleave.

mod common;
use archipel_testkit::Server;
use common::{command, ok, run};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// An Archipel JSON file of `n` associations, one batch for `import json`.
fn actors_file(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("{\"format\":\"archipel\",\"version\":1,\"records\":[\n");
    for i in 0..n {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "{{\"type\":\"actor\",\"id\":\"actor:essai:{i}\",\"name\":\"Association n°{i}\",\
             \"nature\":\"organisation\",\"kind\":\"association\",\"typology\":[],\
             \"description\":\"Ateliers numériques, quartier {q}\",\
             \"territory\":\"territory:demo:commune:96001\",\
             \"provenance\":{{\"source\":\"essai\",\"created_at\":\"2026-01-02T03:04:05Z\",\
             \"updated_at\":\"2026-01-02T03:04:05Z\"}}}}",
            q = i % 97
        ));
    }
    text.push_str("\n]}\n");
    let path = dir.join("actors.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// A server on the registry, on a port the system chose.
fn server(db: &Path) -> Server {
    Server::start(command(
        db,
        &["serve", "--addr", "127.0.0.1:0", "--tiles", "none"],
    ))
}

#[test]
fn backups_during_an_import_are_before_or_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let import = actors_file(dir.path(), 20_000);
    let before = ok(&db, &["export", "json"]);

    let server = Arc::new(server(&db));
    // Page reads for as long as the backups run.
    let stop = Arc::new(AtomicBool::new(false));
    let pages_read = Arc::new(AtomicUsize::new(0));
    let (first_tx, first_rx) = std::sync::mpsc::channel();
    let reader = {
        let (server, stop, pages_read) = (server.clone(), stop.clone(), pages_read.clone());
        std::thread::spawn(move || {
            let mut first = Some(first_tx);
            let paths = ["/", "/search?q=association", "/api/v1/stats", "/actors"];
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let answer = server.get(paths[i % paths.len()]);
                assert!(
                    answer.starts_with("HTTP/1.1 200"),
                    "{}",
                    &answer[..answer.len().min(300)]
                );
                pages_read.fetch_add(1, Ordering::SeqCst);
                if let Some(tx) = first.take() {
                    let _ = tx.send(());
                }
                i += 1;
            }
        })
    };
    first_rx.recv().expect("a first page was read");

    let mut importing = command(&db, &["import", "json", import.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut backups = Vec::new();
    loop {
        let out = dir.path().join(format!("backup-{}.db", backups.len()));
        ok(&db, &["backup", out.to_str().unwrap()]);
        backups.push(out);
        if importing.try_wait().unwrap().is_some() || backups.len() >= 40 {
            break;
        }
    }
    let status = importing.wait().unwrap();
    let mut err = String::new();
    importing
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "import failed: {err}");
    // And one taken once the import is done.
    let last = dir.path().join("backup-last.db");
    ok(&db, &["backup", last.to_str().unwrap()]);
    backups.push(last);
    stop.store(true, Ordering::SeqCst);
    reader.join().expect("page reads all answered 200");
    assert!(pages_read.load(Ordering::SeqCst) > 0);

    let after = ok(&db, &["export", "json"]);
    assert_ne!(before, after);
    assert!(after.contains("actor:essai:19999"));

    // Each backup, restored and exported, is one of the two states.
    let mut states = Vec::new();
    for (i, b) in backups.iter().enumerate() {
        let restored = dir.path().join(format!("restored-{i}.db"));
        ok(&restored, &["restore", b.to_str().unwrap()]);
        let export = ok(&restored, &["export", "json"]);
        let state = if export == before {
            "before"
        } else if export == after {
            "after"
        } else {
            panic!(
                "backup {} is neither before nor after the import",
                b.display()
            );
        };
        states.push(state);
    }
    assert_eq!(states.last(), Some(&"after"));

    // The served registry is in use: restoring over it is refused and
    // changes nothing.
    let refused = run(&db, &["restore", backups[0].to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("in use") && message.contains("stop it"),
        "{message}"
    );
    assert_eq!(ok(&db, &["export", "json"]), after);

    // Stopped, it is replaced; the registry it replaced is kept.
    let server = Arc::into_inner(server).expect("the reader is done");
    drop(server);
    let first_state = ok(&dir.path().join("restored-0.db"), &["export", "json"]);
    ok(&db, &["restore", backups[0].to_str().unwrap()]);
    assert_eq!(ok(&db, &["export", "json"]), first_state);
    let kept = dir.path().join("a.db.before-restore");
    assert_eq!(ok(&kept, &["export", "json"]), after);
}

#[test]
fn backup_and_restore_refuse_what_they_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // No registry to back up.
    let out = run(&db, &["backup", dir.path().join("b.db").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    ok(&db, &["init"]);
    // Onto itself.
    let out = run(&db, &["backup", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the registry itself"));
    // Not a registry.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "bonjour\n".repeat(200)).unwrap();
    let out = run(&db, &["restore", text.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.txt: not an Archipel registry"), "{err}");
    // Quiet when the output is not a terminal.
    let out = run(&db, &["backup", dir.path().join("b.db").to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!((out.stdout.len(), out.stderr.len()), (0, 0));
}

/// An error is printed with its causes, each once: the path, then what
/// the system said (not the system's message twice, which an error that
/// both shows its source and returns it from `source()` gives).
#[test]
fn an_error_prints_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let out = run(
        &db,
        &["backup", dir.path().join("no/b.db").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let cause = std::io::Error::from_raw_os_error(2).to_string();
    assert_eq!(err.matches(&cause).count(), 1, "{err}");
    assert!(err.contains("no/"), "the path is named: {err}");
    // SQLite cannot open the registry: its file is named once (rusqlite
    // adds it to SQLite's message, which the store's error names too).
    let db = dir.path().join("no").join("registry.db");
    let out = run(&db, &["init"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("registry.db").count(), 1, "{err}");
    assert_eq!(err.matches("unable to open").count(), 1, "{err}");
}
