//! The store on real temporary SQLite files.

use archipel_domain::*;
use archipel_store::{Outcome, SearchQuery, Store, StoreError};
use archipel_testkit::records::{self, id, t0};
use chrono::{TimeZone, Utc};

/// A library with a location, described by `desc`.
fn actor(local: &str, name: &str, desc: Option<&str>) -> Entity {
    Entity::Actor(Actor {
        kind: Some("library".into()),
        typology: vec!["opportunity_space_organiser".into()],
        description: desc.map(Into::into),
        location: Some(GeoPoint {
            lat: 48.39,
            lon: -4.48,
        }),
        ..records::actor(local, name)
    })
}

fn commons(local: &str, name: &str) -> Entity {
    Entity::Commons(Commons {
        id: id(EntityKind::Commons, local),
        name: name.into(),
        kind: "software".into(),
        description: Some("Système de gestion de bibliothèque".into()),
        repository_url: None,
        website_url: None,
        license: Some("GPL-3.0-or-later".into()),
        publiccode: None,
        categories: vec!["library".into()],
        identifiers: Identifiers::default(),
        details: Default::default(),
        provenance: Provenance::new("test", t0()),
    })
}

fn uses(a: &Entity, c: &Entity) -> Entity {
    let rid = Relation::derive_id("test", a.id(), "uses", c.id(), None).unwrap();
    Entity::Relation(Relation {
        id: rid,
        subject: a.id().clone(),
        kind: "uses".into(),
        object: c.id().clone(),
        role: None,
        since: Some(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
        until: None,
        note: None,
        provenance: Provenance::new("test", t0()),
    })
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

#[test]
fn migrations_and_wal() {
    let (dir, store) = open();
    assert_eq!(store.schema_version().unwrap(), 11);
    drop(store);
    // Reopening applies nothing new and keeps the version.
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    assert_eq!(store.schema_version().unwrap(), 11);
    assert!(dir.path().join("t.db-wal").exists() || dir.path().join("t.db").exists());
}

/// The kind column accepts the four kinds and nothing else, and checking
/// it costs no temporary B-tree per row written (an `IN (…)` list of more
/// than two values does: SQLite builds one at every execution, which was
/// a seventh of an import's writing).
#[test]
fn kind_check_is_cheap_and_still_checks() {
    let (dir, store) = open();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    let insert = "INSERT INTO entity (id, kind, name, subkind, territory, owner, lat, lon,
                  source, created_at, updated_at, data, search)
                  VALUES (?1, ?2, 'n', NULL, NULL, NULL, NULL, NULL, 's', 't', 't', '{}', '')
                  ON CONFLICT(id) DO NOTHING";
    let opcodes: Vec<String> = conn
        .prepare(&format!("EXPLAIN {insert}"))
        .unwrap()
        .query_map(["place:t:x", "place"], |r| r.get(1))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(opcodes.iter().any(|o| o == "Halt"), "{opcodes:?}");
    assert!(!opcodes.iter().any(|o| o == "OpenEphemeral"), "{opcodes:?}");
    for kind in ["territory", "actor", "place", "commons"] {
        conn.execute(insert, [format!("{kind}:t:x"), kind.to_string()])
            .unwrap();
    }
    let err = conn
        .execute(insert, ["relation:t:x", "relation"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("CHECK constraint failed"), "{err}");
}

#[test]
fn round_trip_and_idempotent_upsert() {
    let (_d, mut store) = open();
    let a = actor(
        "bib",
        "Médiathèque des Capucins",
        Some("Lieu de lecture publique"),
    );
    let c = commons("koha", "Koha");
    let r = uses(&a, &c);
    let (_, s) = store
        .write("test", "manual", None, |w| {
            w.upsert(&r)?; // order within a batch does not matter
            w.upsert(&a)?;
            w.upsert(&c)
        })
        .unwrap();
    assert_eq!(s.inserted, 3);
    assert_eq!(store.get(a.id()).unwrap().as_ref(), Some(&a));
    assert_eq!(store.get(r.id()).unwrap().as_ref(), Some(&r));
    assert_eq!(store.relations_of(c.id()).unwrap().len(), 1);

    // Same facts again: nothing changes, not even the change time.
    let mut again = a.clone();
    again.provenance_mut().updated_at = Utc::now();
    let (o, s) = store
        .write("test", "manual", None, |w| w.upsert(&again))
        .unwrap();
    assert_eq!(o, Outcome::Unchanged);
    assert_eq!(s.unchanged, 1);
    assert_eq!(store.get(a.id()).unwrap().as_ref(), Some(&a));

    // Different facts: updated, creation time kept.
    let mut changed = actor("bib", "Médiathèque des Capucins", Some("Nouveau texte"));
    let later = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    changed.provenance_mut().created_at = later;
    changed.provenance_mut().updated_at = later;
    let (o, _) = store
        .write("test", "manual", None, |w| w.upsert(&changed))
        .unwrap();
    assert_eq!(o, Outcome::Updated);
    let got = store.get(a.id()).unwrap().unwrap();
    assert_eq!(got.provenance().created_at, t0());
    assert_eq!(got.provenance().updated_at, later);
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 1);
    // The search index follows the update.
    assert_eq!(
        store.search(&SearchQuery::text("nouveau")).unwrap().total,
        1
    );
    assert_eq!(
        store.search(&SearchQuery::text("lecture")).unwrap().total,
        0
    );
    fts_consistent(store.path());

    // Removing takes the record out of the index too.
    store
        .write("test", "manual", None, |w| w.remove(c.id()))
        .unwrap();
    assert_eq!(store.search(&SearchQuery::text("koha")).unwrap().total, 0);
    fts_consistent(store.path());
}

/// Every kind of record, with and without its optional links, reads back
/// exactly as written, though its row's `data` leaves out what the
/// columns hold.
#[test]
fn records_read_back_whole_from_columns_and_data() {
    let (dir, mut store) = open();
    let prov = |line| {
        let mut p = Provenance::new("test", t0());
        p.file = Some("lieux.csv".into());
        p.line = Some(line);
        p.source_date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1);
        p.updated_at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
            + chrono::Duration::milliseconds(250);
        p
    };
    let region = Entity::Territory(Territory {
        id: id(EntityKind::Territory, "53"),
        name: "Bretagne".into(),
        level: "region".into(),
        code: "53".into(),
        parent: None,
        fictional: false,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: prov(2),
    });
    let commune = Entity::Territory(Territory {
        id: id(EntityKind::Territory, "29019"),
        name: "Brest".into(),
        level: "commune".into(),
        code: "29019".into(),
        parent: Some(region.id().clone()),
        fictional: true,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: prov(3),
    });
    let mut runner = actor("asso", "Les \"Petits\" Débrouillards", Some("Ateliers"));
    if let Entity::Actor(a) = &mut runner {
        a.territory = Some(commune.id().clone());
        a.provenance = prov(4);
    }
    let bare = actor("bare", "Sans lieu", None);
    let place = Entity::Place(Place {
        id: id(EntityKind::Place, "p1"),
        name: "Fablab des Capucins".into(),
        actor: Some(runner.id().clone()),
        description: Some("Découpe laser, impression 3D".into()),
        address: Address {
            street: Some("25 rue de Pontaniou".into()),
            complement: None,
            postcode: Some("29200".into()),
            city: Some("Brest".into()),
        },
        insee_code: Some("29019".into()),
        location: Some(GeoPoint {
            lat: 48.383_333_333_333_33,
            lon: -4.500_000_000_000_1,
        }),
        territory: Some(commune.id().clone()),
        phone: None,
        emails: vec!["contact@example.org".into()],
        websites: vec![],
        details: [("horaires".to_string(), "Mo-Fr 10:00-18:00".to_string())]
            .into_iter()
            .collect(),
        provenance: prov(5),
    });
    let unplaced = Entity::Place(Place {
        id: id(EntityKind::Place, "p2"),
        name: "Lieu sans rien".into(),
        actor: None,
        description: None,
        address: Address::default(),
        insee_code: None,
        location: None,
        territory: None,
        phone: None,
        emails: vec![],
        websites: vec![],
        details: Default::default(),
        provenance: Provenance::new("test", t0()),
    });
    let koha = commons("koha", "Koha");
    let all = [region, commune, runner, bare, place, unplaced, koha];
    store
        .write("test", "manual", None, |w| {
            for e in &all {
                w.upsert(e)?;
            }
            Ok(())
        })
        .unwrap();
    for e in &all {
        assert_eq!(store.get(e.id()).unwrap().as_ref(), Some(e), "{}", e.id());
    }
    let listed = store.list(EntityKind::Place).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|p| all.contains(p)));
    let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    let data: String = conn
        .query_row(
            "SELECT data FROM entity WHERE id = 'place:test:p1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for held in [
        "Fablab des Capucins",
        "place:test:p1",
        "actor:test:asso",
        "48.38",
        "created_at",
    ] {
        assert!(!data.contains(held), "{held} in {data}");
    }
    assert!(
        data.contains("Découpe laser") && data.contains("lieux.csv"),
        "{data}"
    );
}

/// FTS5's own check that its index says what the `entity` table says.
fn fts_consistent(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("INSERT INTO entity_fts (entity_fts, rank) VALUES ('integrity-check', 1)")
        .unwrap();
}

/// A registry made by an earlier version (schema 2: FTS5 kept its own copy
/// of the searched text, `data` held the whole record) is brought up to
/// date on opening: the text moves to the `entity` table, the index is
/// rebuilt, search still finds words that were only in that copy, and the
/// record reads back the same from its slimmer row.
#[test]
fn schema_2_registry_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_registry.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../migrations/0002_assessment.sql"))
            .unwrap();
        conn.execute_batch("PRAGMA user_version = 2").unwrap();
        let a = actor("bib", "Médiathèque des Capucins", Some("Lecture publique"));
        conn.execute(
            "INSERT INTO entity (rowid, id, kind, name, subkind, lat, lon, source, created_at, updated_at, data)
             VALUES (7, ?1, 'actor', ?2, 'library', 48.39, -4.48, 'test', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', ?3)",
            rusqlite::params![
                a.id().as_str(),
                a.name(),
                serde_json::to_string(&a).unwrap()
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO entity_fts (rowid, name, body) VALUES (7, ?1, 'Lecture publique')",
            [a.name()],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 11);
    fts_consistent(&path);
    let a = actor("bib", "Médiathèque des Capucins", Some("Lecture publique"));
    assert_eq!(store.get(a.id()).unwrap(), Some(a.clone()));
    let data: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT data FROM entity WHERE rowid = 7", [], |r| r.get(0))
        .unwrap();
    assert!(
        !data.contains("Capucins") && !data.contains("actor:test:bib"),
        "{data}"
    );
    let hits = store.search(&SearchQuery::text("lecture")).unwrap();
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].id, "actor:test:bib");
    // The migrated record can be changed and searched as any other.
    let changed = actor(
        "bib",
        "Médiathèque des Capucins",
        Some("Ateliers numériques"),
    );
    store
        .write("test", "manual", None, |w| w.upsert(&changed))
        .unwrap();
    assert_eq!(
        store.search(&SearchQuery::text("lecture")).unwrap().total,
        0
    );
    assert_eq!(
        store.search(&SearchQuery::text("ateliers")).unwrap().total,
        1
    );
    fts_consistent(&path);
}

#[test]
fn dangling_reference_rejects_the_whole_batch() {
    let (_d, mut store) = open();
    let a = actor("a", "Fablab", None);
    let c = commons("c", "Koha");
    let r = uses(&a, &c);
    let err = store
        .write("test", "manual", None, |w| {
            w.upsert(&a)?;
            w.upsert(&r)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Dangling { .. }), "{err}");
    assert!(err.to_string().contains("commons:test:c"), "{err}");
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 0);
}

/// Removing a record that others still point at rejects the batch and
/// says which record and field, in an ordinary batch and in a bulk load
/// (which runs without SQLite's foreign keys and relies on this check).
/// Removing the records that point at it too is fine.
#[test]
fn removing_a_record_still_pointed_at_rejects_the_batch() {
    let (_d, mut store) = open();
    let region = Entity::Territory(Territory {
        id: id(EntityKind::Territory, "53"),
        name: "Bretagne".into(),
        level: "region".into(),
        code: "53".into(),
        parent: None,
        fictional: false,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: Provenance::new("test", t0()),
    });
    let mut commune = region.clone();
    if let Entity::Territory(t) = &mut commune {
        t.id = id(EntityKind::Territory, "29019");
        t.level = "commune".into();
        t.parent = Some(region.id().clone());
    }
    let runner = actor("asso", "Petits Débrouillards", None);
    let place = Entity::Place(Place {
        id: id(EntityKind::Place, "p1"),
        name: "Fablab".into(),
        actor: Some(runner.id().clone()),
        description: None,
        address: Address::default(),
        insee_code: None,
        location: None,
        territory: None,
        phone: None,
        emails: vec![],
        websites: vec![],
        details: Default::default(),
        provenance: Provenance::new("test", t0()),
    });
    let koha = commons("koha", "Koha");
    let all = [&region, &commune, &runner, &place, &koha];
    store
        .write("test", "manual", None, |w| {
            all.iter().try_for_each(|e| w.upsert(e).map(drop))
        })
        .unwrap();
    let before = |store: &Store| {
        all.iter()
            .map(|e| store.get(e.id()).unwrap())
            .collect::<Vec<_>>()
    };
    let kept = before(&store);
    // expected: 0 is an ordinary batch, 10,000 a bulk load.
    for expected in [0, 10_000] {
        let remove = |store: &mut Store, ids: &[&EntityId]| {
            store.write_bulk("test", "manual", None, expected, |w| {
                ids.iter().try_for_each(|i| w.remove(i).map(drop))
            })
        };
        let err = remove(&mut store, &[runner.id()]).unwrap_err();
        assert!(
            matches!(&err, StoreError::Dangling { id, field: "actor", target }
                if id == "place:test:p1" && target == "actor:test:asso"),
            "{err}"
        );
        let err = remove(&mut store, &[region.id()]).unwrap_err();
        assert!(
            matches!(&err, StoreError::Dangling { id, field: "parent", .. }
                if id == "territory:test:29019"),
            "{err}"
        );
        // A relation written after its object was removed.
        let err = store
            .write_bulk("test", "manual", None, expected, |w| {
                w.remove(koha.id())?;
                w.upsert(&uses(&runner, &koha))
            })
            .unwrap_err();
        assert!(
            matches!(
                &err,
                StoreError::Dangling {
                    field: "object",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(before(&store), kept, "nothing was written");
    }
    store
        .write_bulk("test", "manual", None, 10_000, |w| {
            w.remove(place.id())?;
            w.remove(runner.id())
        })
        .unwrap();
    assert_eq!(store.get(runner.id()).unwrap(), None);
    let err = store
        .write("test", "manual", None, |w| w.remove(region.id()))
        .unwrap_err();
    assert!(matches!(err, StoreError::Dangling { .. }), "{err}");
}

#[test]
fn failure_inside_a_batch_writes_nothing() {
    let (_d, mut store) = open();
    let res: Result<((), _), _> = store.write("test", "manual", None, |w| {
        w.upsert(&actor("a", "Un", None))?;
        w.upsert(&actor("b", "Deux", None))?;
        Err(StoreError::database("stop"))
    });
    assert!(res.is_err());
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 0);
    assert_eq!(store.search(&SearchQuery::text("un")).unwrap().total, 0);
}

#[test]
fn search_folds_accents_and_case() {
    let (_d, mut store) = open();
    store
        .write("test", "manual", None, |w| {
            w.upsert(&actor("a", "Médiathèque François-Mitterrand", None))?;
            w.upsert(&actor(
                "b",
                "Espace Public Numérique",
                Some("Ateliers à la médiathèque"),
            ))?;
            w.upsert(&commons("c", "Koha"))
        })
        .unwrap();
    for q in [
        "mediatheque",
        "MÉDIATHÈQUE",
        "Médiathèque",
        "mediath",
        "francois mitterrand",
    ] {
        let r = store.search(&SearchQuery::text(q)).unwrap();
        assert!(r.total >= 1, "{q}");
        assert_eq!(r.hits[0].id, "actor:test:a", "{q}: name match ranks first");
    }
    let r = store.search(&SearchQuery::text("mediatheque")).unwrap();
    assert_eq!(r.total, 2);
    assert!(r.hits[1]
        .excerpt
        .as_deref()
        .unwrap_or("")
        .contains("médiathèque"));
    let mut q = SearchQuery::text("bibliotheque");
    assert_eq!(store.search(&q).unwrap().total, 1);
    q.kind = Some(EntityKind::Actor);
    assert_eq!(store.search(&q).unwrap().total, 0);
    // FTS syntax in user input is inert.
    assert_eq!(
        store.search(&SearchQuery::text("\"NEAR(")).unwrap().total,
        0
    );
}

#[test]
fn stats_count_by_kind_and_typology() {
    let (_d, mut store) = open();
    let a = actor("a", "A", None);
    let c = commons("c", "C");
    let r = uses(&a, &c);
    store
        .write("test", "manual", None, |w| {
            w.upsert(&a)?;
            w.upsert(&actor("b", "B", None))?;
            w.upsert(&c)?;
            w.upsert(&r)
        })
        .unwrap();
    let s = store.stats().unwrap();
    let get = |v: &Vec<archipel_store::Count>, k: &str| {
        v.iter().find(|c| c.key == k).map(|c| c.count).unwrap_or(0)
    };
    assert_eq!(get(&s.entities, "actor"), 2);
    assert_eq!(get(&s.entities, "commons"), 1);
    assert_eq!(get(&s.entities, "relation"), 1);
    assert_eq!(get(&s.actor_kinds, "library"), 2);
    assert_eq!(get(&s.typology, "opportunity_space_organiser"), 2);
    assert_eq!(get(&s.relation_kinds, "uses"), 1);
}

/// A bulk load stays in the write-ahead log, alone or with a reader open:
/// everything lands, no rollback journal is made, and the file stays in
/// WAL mode (a reader can read while a later import writes).
#[test]
fn bulk_loads_with_and_without_other_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let batch = |prefix: &str| -> Vec<Entity> {
        (0..10_000)
            .map(|i| actor(&format!("{prefix}{i}"), &format!("Lieu {prefix} {i}"), None))
            .collect()
    };
    let load = |store: &mut Store, records: &[Entity]| {
        store
            .write_bulk("test", "manual", None, records.len(), |w| {
                for r in records {
                    w.upsert(r)?;
                }
                Ok(())
            })
            .unwrap()
    };
    // Alone.
    let mut store = Store::open(&path).unwrap();
    let (_, s) = load(&mut store, &batch("a"));
    assert_eq!(s.inserted, 10_000);
    let journal_mode = || -> String {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(journal_mode(), "wal");
    assert!(!dir.path().join("bulk.db-journal").exists());
    // With a reader holding the file.
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 10_000);
    let mut more = batch("b");
    more.extend(batch("c"));
    let (_, s) = load(&mut store, &more);
    assert_eq!(s.inserted, 20_000);
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 30_000);
    assert_eq!(
        reader
            .search(&SearchQuery::text("lieu c 9999"))
            .unwrap()
            .total,
        1
    );
    // Back in WAL mode: a write while the reader is open does not wait for it.
    store
        .write("test", "manual", None, |w| {
            w.upsert(&actor("z", "Dernier", None))
        })
        .unwrap();
    assert_eq!(reader.count(EntityKind::Actor).unwrap(), 30_001);
    assert_eq!(journal_mode(), "wal");
    fts_consistent(&path);
}

/// A large batch adds its new records to the full-text index in steps
/// along the way; updates and removals of records indexed before, in the
/// middle of it, leave the index saying exactly what the table says.
#[test]
fn full_text_index_follows_a_large_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("steps.db");
    let mut store = Store::open(&path).unwrap();
    let old = |i: usize, desc: &str| actor(&format!("old{i}"), &format!("Ancien {i}"), Some(desc));
    store
        .write("test", "manual", None, |w| {
            (0..100).try_for_each(|i| w.upsert(&old(i, "Lecture publique")).map(drop))
        })
        .unwrap();
    let new = |i: usize| actor(&format!("new{i}"), &format!("Tiers-lieu {i}"), None);
    let (_, s) = store
        .write_bulk("test", "manual", None, 20_000, |w| {
            (0..9_000).try_for_each(|i| w.upsert(&new(i)).map(drop))?;
            (0..50).try_for_each(|i| w.upsert(&old(i, "Atelier numérique")).map(drop))?;
            (9_000..18_000).try_for_each(|i| w.upsert(&new(i)).map(drop))?;
            w.remove(old(99, "").id()).map(drop)
        })
        .unwrap();
    assert_eq!((s.inserted, s.updated), (18_000, 50));
    fts_consistent(&path);
    let total = |q: &str| store.search(&SearchQuery::text(q)).unwrap().total;
    assert_eq!(total("lecture"), 49);
    assert_eq!(total("atelier numerique"), 50);
    assert_eq!(total("tiers lieu"), 18_000);
    assert_eq!(total("tiers lieu 17999"), 1);
}
