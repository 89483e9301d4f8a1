//! Histories of records on real temporary registries: an import that
//! creates records writes no version row, an update or a removal keeps
//! the state it replaces, a restore is a new version, and the chain reads
//! back with who made each version.

use archipel_domain::*;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::{Change, Outcome, Restored, Store};
use archipel_testkit::records::{self, id, t0};
use chrono::Duration;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("h.db")).unwrap();
    (dir, store)
}

fn actor(name: &str) -> Entity {
    Entity::Actor(records::actor("a", name))
}

fn versions_kept(store: &Store) -> i64 {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.query_row("SELECT count(*) FROM version", [], |r| r.get(0))
        .unwrap()
}

fn names(store: &Store, id: &EntityId) -> Vec<Option<String>> {
    store
        .history(id)
        .unwrap()
        .iter()
        .map(|v| v.state.as_ref().map(|e| e.name().to_string()))
        .collect()
}

#[test]
fn an_import_that_creates_writes_no_version_and_an_update_keeps_the_state_it_replaces() {
    let (_d, mut store) = open();
    let a = actor("Première");
    store
        .write("test", "json", Some("un.json"), |w| {
            w.upsert(&a)?;
            w.upsert(&Entity::Actor(records::actor("b", "Autre")))
        })
        .unwrap();
    assert_eq!(versions_kept(&store), 0, "a creation writes no version row");
    let h = store.history(a.id()).unwrap();
    assert_eq!(h.len(), 1);
    let by = h[0].by.as_ref().expect("the batch that made it");
    assert_eq!(
        (by.action.as_str(), by.source.as_str(), by.file.as_deref()),
        ("import", "test", Some("un.json"))
    );
    assert_eq!(by.account, None);

    // The same facts again: nothing kept.
    store
        .write("test", "json", Some("un.json"), |w| w.upsert(&a))
        .unwrap();
    assert_eq!(versions_kept(&store), 0);

    let Entity::Actor(mut changed) = a.clone() else {
        unreachable!()
    };
    changed.name = "Deuxième".into();
    let (outcome, _) = store
        .write("test", "json", Some("deux.json"), |w| {
            w.upsert(&Entity::Actor(changed))
        })
        .unwrap();
    assert_eq!(outcome, Outcome::Updated);
    assert_eq!(versions_kept(&store), 1);
    let h = store.history(a.id()).unwrap();
    assert_eq!(
        names(&store, a.id()),
        [Some("Première".to_string()), Some("Deuxième".to_string())]
    );
    assert_eq!(h[1].number, 2);
    assert_eq!(h[1].by.as_ref().unwrap().file.as_deref(), Some("deux.json"));
    assert_ne!(h[0].by.as_ref().unwrap().id, h[1].by.as_ref().unwrap().id);
    // The other record has only its creation.
    assert_eq!(store.history(&id(EntityKind::Actor, "b")).unwrap().len(), 1);
    assert!(store
        .history(&id(EntityKind::Actor, "nobody"))
        .unwrap()
        .is_empty());
}

#[test]
fn a_removal_is_a_version_and_the_history_stays_readable() {
    let (_d, mut store) = open();
    let a = actor("Association");
    let c = Entity::Commons(Commons {
        id: id(EntityKind::Commons, "c"),
        name: "Logiciel".into(),
        kind: "software".into(),
        description: None,
        repository_url: None,
        website_url: None,
        license: None,
        publiccode: None,
        categories: vec![],
        identifiers: Identifiers::default(),
        details: Default::default(),
        provenance: Provenance::new("test", t0()),
    });
    let r = Entity::Relation(Relation {
        id: Relation::derive_id("test", a.id(), "uses", c.id(), None).unwrap(),
        subject: a.id().clone(),
        kind: "uses".into(),
        object: c.id().clone(),
        role: None,
        since: None,
        until: None,
        note: None,
        provenance: Provenance::new("test", t0()),
    });
    store
        .write("test", "json", None, |w| {
            w.upsert(&a)?;
            w.upsert(&c)?;
            w.upsert(&r)
        })
        .unwrap();
    store
        .write("test", "json", None, |w| w.remove(a.id()))
        .unwrap();
    assert_eq!(store.get(a.id()).unwrap(), None);
    let h = store.history(a.id()).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].state, None, "the removal is a version");
    assert_eq!(h[0].state.as_ref(), Some(&a));
    // The relation went with it, and its history says so too.
    let hr = store.history(r.id()).unwrap();
    assert_eq!(hr.len(), 2);
    assert_eq!(hr[1].state, None);
    assert_eq!(hr[1].by, h[1].by);
    assert_eq!(store.last_state(a.id()).unwrap().as_ref(), Some(&a));

    // Made again by a later import: removed in between, and made again.
    store.write("test", "json", None, |w| w.upsert(&a)).unwrap();
    assert_eq!(
        names(&store, a.id()),
        [
            Some("Association".to_string()),
            None,
            Some("Association".to_string())
        ]
    );
}

#[test]
fn a_restore_is_a_new_version_with_its_audit_entry() {
    let (_d, mut store) = open();
    let by = Audit::new(t0(), None, serde_json::Value::Null);
    let admin = store
        .create_account(
            &NewAccount {
                email: Some("modo@exemple.fr"),
                password_hash: None,
                display_name: "Modératrice",
                role: "moderator",
            },
            &by,
        )
        .unwrap();
    let a = actor("Un");
    store.write("test", "json", None, |w| w.upsert(&a)).unwrap();
    let Entity::Actor(mut two) = a.clone() else {
        unreachable!()
    };
    two.name = "Deux".into();
    store
        .write("test", "json", None, |w| w.upsert(&Entity::Actor(two)))
        .unwrap();
    let at = t0() + Duration::days(3);
    let change = Change {
        source: "web",
        format: "web",
        file: None,
        action: "restore",
        account: Some(admin),
        note: Some("restore:1".into()),
        at,
    };
    let audit = Audit::new(at, Some(admin), serde_json::Value::Null);
    assert_eq!(
        store.restore(a.id(), 1, &change, &audit).unwrap(),
        Restored::Written
    );
    let h = store.history(a.id()).unwrap();
    assert_eq!(
        names(&store, a.id()),
        [
            Some("Un".to_string()),
            Some("Deux".to_string()),
            Some("Un".to_string())
        ]
    );
    let by = h[2].by.as_ref().unwrap();
    assert_eq!(by.action, "restore");
    assert_eq!(by.account, Some(admin));
    assert_eq!(by.account_name.as_deref(), Some("Modératrice"));
    let current = store.get(a.id()).unwrap().unwrap();
    assert_eq!(current.provenance().updated_at, at);
    assert_eq!(current.provenance().created_at, t0(), "creation time kept");
    let log = store.audit_log(10, None).unwrap();
    assert_eq!(log[0].action, "record.restore");
    assert_eq!(log[0].target.as_deref(), Some(a.id().as_str()));
    assert_eq!(log[0].detail["version"], 1);

    // Restoring what is current already writes nothing; an unknown
    // version is said to be so.
    assert_eq!(
        store.restore(a.id(), 3, &change, &audit).unwrap(),
        Restored::Unchanged
    );
    assert_eq!(
        store.restore(a.id(), 9, &change, &audit).unwrap(),
        Restored::NoSuchVersion
    );
    assert_eq!(store.history(a.id()).unwrap().len(), 3);
    // The latest changes list it, newest first, with the record.
    let recent = store.recent_batches(2).unwrap();
    assert_eq!(recent[0].action, "restore");
    assert_eq!(
        recent[0].records.as_deref(),
        Some(&[a.id().to_string()][..])
    );
}

/// A batch keeps the states between batches: a record it changes twice
/// gets one version, the state before the batch; a bulk load (secondary
/// indexes rebuilt, foreign keys off) keeps versions like any batch.
#[test]
fn a_batch_keeps_the_state_before_it_once_even_in_a_bulk_load() {
    let (_d, mut store) = open();
    let a = actor("Un");
    store.write("test", "json", None, |w| w.upsert(&a)).unwrap();
    let rename = |name: &str| {
        let Entity::Actor(mut x) = a.clone() else {
            unreachable!()
        };
        x.name = name.into();
        Entity::Actor(x)
    };
    store
        .write("test", "json", None, |w| {
            w.upsert(&rename("Deux"))?;
            w.upsert(&rename("Trois"))
        })
        .unwrap();
    assert_eq!(versions_kept(&store), 1);
    assert_eq!(
        names(&store, a.id()),
        [Some("Un".to_string()), Some("Trois".to_string())]
    );
    // A bulk load: more records expected than stored.
    store
        .write_bulk("test", "json", None, 20_000, |w| {
            w.upsert(&rename("Quatre"))?;
            for i in 0..50 {
                w.upsert(&Entity::Actor(records::actor(&format!("n{i}"), "Nouveau")))?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        names(&store, a.id()),
        [
            Some("Un".to_string()),
            Some("Trois".to_string()),
            Some("Quatre".to_string())
        ]
    );
    assert_eq!(versions_kept(&store), 2, "the new records cost no row");
}
