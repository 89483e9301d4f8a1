//! Opening registry files, on real files: nothing is written to a file
//! before it is known to be Archipel's, reading never writes, and two
//! writers wait for each other.

use archipel_domain::*;
use archipel_store::{Store, StoreError, APP_ID};
use archipel_testkit::records;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn actor(local: &str) -> Entity {
    Entity::Actor(Actor {
        kind: Some("library".into()),
        ..records::actor(local, &format!("Médiathèque {local}"))
    })
}

/// A file's size, a digest of its bytes, its change time, and the names
/// of the files beside it.
#[derive(Debug, PartialEq)]
struct Snapshot {
    size: usize,
    digest: u64,
    modified: SystemTime,
    folder: Vec<String>,
}

/// [`snapshot`] of a registry read through a read-only connection, which
/// leaves SQLite's `-wal` and `-shm` files beside it (it may not remove
/// them): the log must be empty, and the rest as it was.
fn read_snapshot(path: &Path) -> Snapshot {
    let mut s = snapshot(path);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let wal = format!("{name}-wal");
    if s.folder.contains(&wal) {
        assert_eq!(
            std::fs::metadata(path.with_file_name(&wal)).unwrap().len(),
            0
        );
    }
    s.folder
        .retain(|f| *f != wal && *f != format!("{name}-shm"));
    s
}

fn snapshot(path: &Path) -> Snapshot {
    let mut folder: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folder.sort();
    let bytes = std::fs::read(path).unwrap();
    Snapshot {
        size: bytes.len(),
        digest: {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            h.finish()
        },
        modified: std::fs::metadata(path).unwrap().modified().unwrap(),
        folder,
    }
}

/// Another program's SQLite file: a table, a row, its own journal mode.
fn foreign(dir: &Path, name: &str, setup: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(setup).unwrap();
    drop(conn);
    path
}

/// A registry with `n` actors, closed.
fn registry(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("registry.db");
    let mut store = Store::open(&path).unwrap();
    store
        .write("test", "manual", None, |w| {
            (0..n).try_for_each(|i| w.upsert(&actor(&i.to_string())).map(drop))
        })
        .unwrap();
    drop(store);
    path
}

fn pragma(path: &Path, name: &str) -> i64 {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

/// Opening another program's file, for writing or for reading, is refused
/// with a short message and leaves the file and its folder as they were:
/// no tables added, no switch to WAL, no journal left.
#[test]
fn another_programs_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        foreign(
            dir.path(),
            "notes.db",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO notes (body) VALUES ('bonjour');",
        ),
        // In WAL mode of its own.
        foreign(
            dir.path(),
            "wal.db",
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
        ),
        // Another program's application id, and nothing else.
        foreign(dir.path(), "app.db", "PRAGMA application_id = 305419896;"),
        // A version set by another program, no table.
        foreign(dir.path(), "version.db", "PRAGMA user_version = 3;"),
        // A table whose name Archipel uses: refused before any migration
        // runs, so no SQL is printed.
        foreign(
            dir.path(),
            "clash.db",
            "CREATE TABLE entity (id TEXT PRIMARY KEY, payload BLOB);
             INSERT INTO entity VALUES ('a', x'00');",
        ),
    ];
    let text = dir.path().join("text.db");
    std::fs::write(&text, "id,name\n1,Not a database at all, just some text\n").unwrap();
    for path in cases.iter().chain([&text]) {
        let before = snapshot(path);
        for err in [
            Store::open(path).err(),
            Store::open_existing(path).err(),
            Store::open_read_only(path).err(),
        ] {
            let err = err.unwrap_or_else(|| panic!("{}: opened", path.display()));
            let message = err.to_string();
            assert!(
                matches!(err, StoreError::NotRegistry { .. }),
                "{}: {message}",
                path.display()
            );
            assert!(message.contains("not an Archipel registry"), "{message}");
            assert!(message.len() < 240, "{message}");
            assert!(!message.contains("CREATE"), "{message}");
            assert_eq!(snapshot(path), before, "{}: {message}", path.display());
        }
    }
}

/// A registry written by a newer Archipel is refused, for reading and for
/// writing, and its header is not changed.
#[test]
fn a_newer_registry_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 3);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    // Also in another journal mode than WAL: opening must not switch it.
    let delete_mode = dir.path().join("delete.db");
    std::fs::copy(&path, &delete_mode).unwrap();
    rusqlite::Connection::open(&delete_mode)
        .unwrap()
        .execute_batch("PRAGMA journal_mode = DELETE")
        .unwrap();
    for path in [&path, &delete_mode] {
        let before = snapshot(path);
        for err in [Store::open(path).err(), Store::open_read_only(path).err()] {
            let err = err.expect("opened");
            assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
            assert!(err.to_string().contains("newer"), "{err}");
            assert_eq!(snapshot(path), before);
        }
    }
}

/// New registries carry Archipel's application id. One made before it
/// (id 0, a schema version, Archipel's tables) is read as it is and
/// stamped at its first write opening.
#[test]
fn registries_are_stamped_and_older_ones_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 2);
    assert_eq!(pragma(&path, "application_id"), i64::from(APP_ID));
    assert_eq!(APP_ID.to_be_bytes(), *b"ARCH");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA application_id = 0")
        .unwrap();
    let before = snapshot(&path);
    let store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 2);
    drop(store);
    assert_eq!(read_snapshot(&path), before);
    assert_eq!(pragma(&path, "application_id"), 0);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 2);
    drop(store);
    assert_eq!(pragma(&path, "application_id"), i64::from(APP_ID));
    // An empty file (made by `touch`) becomes a registry when opened for
    // writing; for reading it is refused as empty.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let err = Store::open_read_only(&empty).err().expect("opened");
    assert!(err.to_string().contains("archipel init"), "{err}");
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
    Store::open(&empty).unwrap();
    assert_eq!(pragma(&empty, "application_id"), i64::from(APP_ID));
}

/// Reading opens the file read-only: the records, counts and searches are
/// there, writes are refused, and the file does not change — not even a
/// registry whose schema is older than the program, which it asks to
/// upgrade with `archipel init` instead of migrating.
#[test]
fn reading_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 5);
    let before = snapshot(&path);
    let mut store = Store::open_read_only(&path).unwrap();
    assert!(store.is_read_only());
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 5);
    let hits = store
        .search(&archipel_store::SearchQuery::text("mediatheque 3"))
        .unwrap();
    assert_eq!(hits.total, 1);
    let page = store
        .search_page(&archipel_store::FacetedQuery {
            text: "mediatheque".into(),
            filter: archipel_store::Filter {
                kind: Some(EntityKind::Actor),
                subkind: Some("library".into()),
                ..Default::default()
            },
            limit: 10,
            offset: 0,
        })
        .unwrap();
    assert_eq!(page.total, 5);
    let err = store
        .write("test", "manual", None, |w| w.upsert(&actor("x")))
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
    drop(store);
    assert_eq!(read_snapshot(&path), before);

    // Schema 2, as an earlier version left it.
    let old = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_registry.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../migrations/0002_assessment.sql"))
            .unwrap();
        conn.execute_batch("PRAGMA user_version = 2").unwrap();
    }
    let before = snapshot(&old);
    let err = Store::open_read_only(&old).err().expect("opened");
    assert!(matches!(err, StoreError::TooOld { found: 2, .. }), "{err}");
    assert!(err.to_string().contains("archipel init"), "{err}");
    assert_eq!(snapshot(&old), before);
    assert_eq!(Store::open(&old).unwrap().schema_version().unwrap(), 11);
}

/// A second writer waits for the first instead of failing at once: with
/// the first holding the registry in the middle of a bulk load (which
/// reads before it writes), the second's batch lands after it. Meanwhile
/// a reader reads what was there before.
#[test]
fn two_writers_both_land_and_a_reader_reads_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 1);
    let (inside_tx, inside_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let big: Vec<Entity> = (0..10_000).map(|i| actor(&format!("a{i}"))).collect();
    let first = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            store
                .write_bulk("test", "manual", Some("a.csv"), big.len(), |w| {
                    for r in &big[..5_000] {
                        w.upsert(r)?;
                    }
                    inside_tx.send(()).unwrap();
                    go_rx.recv().unwrap();
                    for r in &big[5_000..] {
                        w.upsert(r)?;
                    }
                    Ok(())
                })
                .map(|(_, s)| s.inserted)
        })
    };
    inside_rx.recv().unwrap();
    // The reader, while the first writer is inside its batch: the registry
    // as it was, consistent.
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 1);
    let second = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            let more: Vec<Entity> = (0..12_000).map(|i| actor(&format!("b{i}"))).collect();
            store
                .write_bulk("test", "manual", Some("b.csv"), more.len(), |w| {
                    more.iter().try_for_each(|r| w.upsert(r).map(drop))
                })
                .map(|(_, s)| s.inserted)
        })
    };
    // Let the second start waiting, then let the first finish. (Should
    // the second not have started yet, it simply begins after.)
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 1);
    go_tx.send(()).unwrap();
    assert_eq!(first.join().unwrap().unwrap(), 10_000);
    assert_eq!(second.join().unwrap().unwrap(), 12_000);
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 22_001);
}

/// When the other writer holds the registry longer than the wait, the
/// message says the registry is busy, who writes it and since when, and
/// how long was waited; nothing is written.
#[test]
fn a_busy_registry_says_who_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 1);
    let (inside_tx, inside_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            store
                .write("mediation", "mediation", Some("lieux.csv"), |w| {
                    w.upsert(&actor("held"))?;
                    inside_tx.send(()).unwrap();
                    go_rx.recv().unwrap();
                    Ok(())
                })
                .unwrap();
        })
    };
    inside_rx.recv().unwrap();
    let mut store = Store::open(&path).unwrap();
    store.set_busy_timeout(Duration::from_millis(200)).unwrap();
    let err = store
        .write("test", "manual", None, |w| w.upsert(&actor("late")))
        .unwrap_err();
    go_tx.send(()).unwrap();
    holder.join().unwrap();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Busy { .. }), "{message}");
    assert!(message.contains("the registry is busy"), "{message}");
    assert!(
        message.contains("another import (mediation, lieux.csv) has been writing to it for"),
        "{message}"
    );
    assert!(message.contains("; waited "), "{message}");
    let id = EntityId::new(EntityKind::Actor, "test", "late").unwrap();
    assert_eq!(store.get(&id).unwrap(), None);
    // The note is gone with the transaction.
    assert!(!dir.path().join("registry.db-writer").exists());
}

/// An SQLite failure keeps SQLite's error as the error's source: the
/// message says what the store was doing and names the file, the source
/// why, once each (rusqlite adds the file's name to SQLite's message when
/// a file cannot be opened; the chain names it once).
#[test]
fn an_sqlite_failure_keeps_its_source() {
    use std::error::Error;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("a.db");
    let err = Store::open(&path).err().expect("no folder, no registry");
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    let source = err.source().expect("SQLite's error is kept").to_string();
    assert!(source.contains("unable to open"), "{source}");
    let shown = error_chain(&err);
    let name = path.display().to_string();
    assert_eq!(shown.matches(&name).count(), 1, "{shown}");
    assert_eq!(shown.matches("unable to open").count(), 1, "{shown}");
}

/// A migration that fails on a table already there (a clash) keeps
/// SQLite's error as its source, says which migration failed, and prints
/// neither the error twice nor the migration's SQL.
#[test]
fn a_failed_migration_keeps_its_source_once() {
    use std::error::Error;
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 1);
    // Back to version 4 with a table migration 5 creates.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 4; CREATE TABLE entity_new (x);")
        .unwrap();
    drop(conn);
    let err = Store::open(&path).err().expect("the migration fails");
    assert!(matches!(err, StoreError::Database { .. }), "{err:?}");
    let source = err.source().expect("SQLite's error is kept");
    assert!(
        format!("{source:?}").contains("extended_code"),
        "the engine's error, whole: {source:?}"
    );
    let shown = error_chain(&err);
    assert!(shown.contains("migration 5 failed"), "{shown}");
    assert_eq!(shown.matches("already exists").count(), 1, "{shown}");
    assert!(!shown.contains("CREATE TABLE"), "no SQL: {shown}");
    // Nothing was changed: the version is still 4.
    assert_eq!(pragma(&path, "user_version"), 4);
}

/// A registry whose pages are damaged: reading fails with SQLite's
/// diagnosis as the source, said once.
#[test]
fn a_corrupt_registry_keeps_its_source_once() {
    use std::error::Error;
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), 200);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = pragma(&path, "page_size") as usize;
    assert!(bytes.len() > 2 * page, "{} bytes", bytes.len());
    // Every page but the first (the schema) becomes garbage.
    for (i, b) in bytes[page..].iter_mut().enumerate() {
        *b = (i * 7 + 13) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open_read_only(&path)
        .and_then(|s| s.count(EntityKind::Actor))
        .expect_err("a damaged registry cannot be read");
    assert!(err.source().is_some(), "SQLite's error is kept: {err:?}");
    let shown = error_chain(&err);
    assert_eq!(shown.matches("malformed").count(), 1, "{shown}");
}
