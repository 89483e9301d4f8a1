//! Backups and restoration on real temporary SQLite files: the copy holds
//! the registry's records, a backup is checked before it replaces
//! anything, and a registry in use is never replaced.

use archipel_domain::*;
use archipel_store::backup::{self, BackupError};
use archipel_store::Store;
use archipel_testkit::records;
use std::path::Path;

fn actor(local: &str) -> Entity {
    Entity::Actor(Actor {
        description: Some("Ateliers numériques".into()),
        ..records::actor(local, &format!("Association {local}"))
    })
}

fn registry(path: &Path, n: usize) -> Store {
    let mut store = Store::open(path).unwrap();
    store
        .write("test", "manual", None, |w| {
            for i in 0..n {
                w.upsert(&actor(&i.to_string()))?;
            }
            Ok(())
        })
        .unwrap();
    store
}

fn records(path: &Path) -> Vec<Entity> {
    Store::open_existing(path).unwrap().all().unwrap()
}

#[test]
fn backup_is_a_checked_single_file_with_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // The registry stays open (WAL, as a server holds it) during the backup.
    let _open = registry(&db, 300);
    let out = dir.path().join("copy.db");
    let mut seen = Vec::new();
    let copied = backup::backup(&db, &out, |p| seen.push(p)).unwrap();
    assert_eq!(copied.schema_version, _open.schema_version().unwrap());
    assert_eq!(seen.last().map(|p| p.copied), Some(copied.pages));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), copied.bytes());
    // A single file: nothing beside it, nothing left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("copy") || n.contains("partial"))
        .collect();
    names.sort();
    assert_eq!(names, ["copy.db"]);
    let info = backup::check(&out).unwrap();
    assert_eq!(info.records, 300);
    assert_eq!(records(&out), records(&db));
    // A second backup replaces the first.
    backup::backup(&db, &out, |_| {}).unwrap();
    assert_eq!(backup::check(&out).unwrap().records, 300);
}

#[test]
fn backup_refuses_the_registry_itself_and_a_missing_registry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(registry(&db, 3));
    let err = backup::backup(&db, &dir.path().join("./a.db"), |_| {}).unwrap_err();
    assert!(matches!(err, BackupError::SameFile { .. }), "{err}");
    assert_eq!(records(&db).len(), 3);
    let err = backup::backup(
        &dir.path().join("none.db"),
        &dir.path().join("b.db"),
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, BackupError::Missing { .. }), "{err}");
    assert!(!dir.path().join("b.db").exists());
}

#[test]
fn restore_replaces_the_registry_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(registry(&db, 10));
    let saved = dir.path().join("saved.db");
    backup::backup(&db, &saved, |_| {}).unwrap();
    let at_backup = records(&db);
    // The registry changes after the backup.
    drop(registry(&db, 25));
    let after = records(&db);
    assert_ne!(after, at_backup);
    let (info, _) = backup::restore(&saved, &db, |_| {}).unwrap();
    assert_eq!(info.records, 10);
    assert_eq!(records(&db), at_backup);
    assert_eq!(records(&backup::kept_path(&db)), after);
    // Onto a path with no registry yet.
    let fresh = dir.path().join("fresh.db");
    backup::restore(&saved, &fresh, |_| {}).unwrap();
    assert_eq!(records(&fresh), at_backup);
    assert!(!backup::kept_path(&fresh).exists());
}

#[test]
fn restore_refuses_a_registry_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(registry(&db, 10));
    let saved = dir.path().join("saved.db");
    backup::backup(&db, &saved, |_| {}).unwrap();
    drop(registry(&db, 20));
    // Another connection has the registry open, as a server would.
    let server = Store::open(&db).unwrap();
    let err = backup::restore(&saved, &db, |_| {}).unwrap_err();
    assert!(matches!(err, BackupError::InUse { .. }), "{err}");
    assert!(err.to_string().contains("in use"), "{err}");
    assert_eq!(server.all().unwrap().len(), 20);
    assert!(!backup::kept_path(&db).exists());
    drop(server);
    assert_eq!(records(&db).len(), 20);
    backup::restore(&saved, &db, |_| {}).unwrap();
    assert_eq!(records(&db).len(), 10);
}

#[test]
fn check_refuses_what_is_not_a_restorable_registry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(registry(&db, 50));
    let target = dir.path().join("target.db");
    drop(registry(&target, 5));
    let refused = |file: &Path| {
        let err = backup::restore(file, &target, |_| {}).unwrap_err();
        // Nothing was touched.
        assert_eq!(records(&target).len(), 5);
        assert!(!backup::kept_path(&target).exists());
        err
    };

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, but long enough to look like one\n".repeat(100),
    )
    .unwrap();
    let err = refused(&text);
    assert!(matches!(err, BackupError::NotRegistry { .. }), "{err}");

    let other = dir.path().join("other.db");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(c);
    let err = refused(&other);
    assert!(err.to_string().contains("no table `entity`"), "{err}");

    let newer = dir.path().join("newer.db");
    backup::backup(&db, &newer, |_| {}).unwrap();
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.pragma_update(None, "user_version", 999).unwrap();
    drop(c);
    let err = refused(&newer);
    assert!(
        matches!(err, BackupError::TooNew { found: 999, .. }),
        "{err}"
    );

    // A page of the entity table overwritten.
    let damaged = dir.path().join("damaged.db");
    backup::backup(&db, &damaged, |_| {}).unwrap();
    let c = rusqlite::Connection::open(&damaged).unwrap();
    let (page_size, root): (i64, i64) = (
        c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
        c.query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'entity'",
            [],
            |r| r.get(0),
        )
        .unwrap(),
    );
    drop(c);
    let mut bytes = std::fs::read(&damaged).unwrap();
    let at = ((root - 1) * page_size) as usize;
    for b in &mut bytes[at + 8..at + 200] {
        *b = 0xA5;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let err = refused(&damaged);
    assert!(matches!(err, BackupError::Damaged { .. }), "{err}");

    let err = refused(&dir.path().join("missing.db"));
    assert!(matches!(err, BackupError::Missing { .. }), "{err}");
}
