//! The public action kinds after grants and calls — applications,
//! hardware, hosting, events, posts — in a real registry: written and read
//! back whole, what they point at checked, a removal or a merge of what
//! they point at handled, the 0009 → 0010 migration keeping what was
//! there, and the territory's figures.

use archipel_domain::*;
use archipel_store::accounts::Audit;
use archipel_store::{
    ActionQuery, Change, MergeRequest, ScopeQuery, Store, StoreError, SupportFigures,
};
use chrono::{TimeZone, Utc};
use serde_json::json;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn prov() -> serde_json::Value {
    json!({"source": "t", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
}

fn entity(mut v: serde_json::Value) -> Entity {
    v["provenance"] = prov();
    serde_json::from_value(v).unwrap()
}

fn action(mut v: serde_json::Value) -> Action {
    v["provenance"] = prov();
    let a: Action = serde_json::from_value(v).unwrap();
    assert_eq!(action_problems(&a), vec![], "{}", a.id());
    a
}

fn entities() -> Vec<Entity> {
    vec![
        entity(
            json!({"type": "territory", "id": "territory:t:metro", "name": "Métropole",
                      "level": "epci", "code": "242900314"}),
        ),
        entity(
            json!({"type": "territory", "id": "territory:t:ailleurs", "name": "Ailleurs",
                      "level": "epci", "code": "200000000"}),
        ),
        entity(
            json!({"type": "actor", "id": "actor:t:metro", "name": "Métropole", "nature": "organisation",
                      "kind": "local_government", "territory": "territory:t:metro",
                      "identifiers": {"siret": "21290019700006"}}),
        ),
        entity(
            json!({"type": "actor", "id": "actor:t:asso", "name": "Asso", "nature": "organisation",
                      "kind": "association", "territory": "territory:t:metro"}),
        ),
        entity(
            json!({"type": "actor", "id": "actor:t:newbie", "name": "Nouvelle", "nature": "organisation",
                      "kind": "association", "territory": "territory:t:metro"}),
        ),
        entity(
            json!({"type": "actor", "id": "actor:t:far", "name": "Lointaine", "nature": "organisation",
                      "territory": "territory:t:ailleurs"}),
        ),
        entity(
            json!({"type": "place", "id": "place:t:fablab", "name": "Fablab",
                      "territory": "territory:t:metro"}),
        ),
        entity(
            json!({"type": "place", "id": "place:t:fablab2", "name": "Fablab (doublon)",
                      "territory": "territory:t:metro"}),
        ),
        entity(
            json!({"type": "commons", "id": "commons:t:osm", "name": "OpenStreetMap", "kind": "dataset"}),
        ),
        entity(
            json!({"type": "commons", "id": "commons:t:nc", "name": "Nextcloud", "kind": "software"}),
        ),
    ]
}

fn actions() -> Vec<Action> {
    vec![
        action(
            json!({"type": "call", "id": "call:t:2022", "name": "Soutenir les communs",
                      "giver_name": "Métropole", "giver_siren": "212900197", "giver": "actor:t:metro",
                      "opens": "2022-01-10", "non_competitive": true}),
        ),
        action(
            json!({"type": "grant", "id": "grant:t:old", "giver_name": "Métropole",
                      "giver_siret": "21290019700006", "giver": "actor:t:metro", "date": "2021-05-01",
                      "beneficiary_name": "Asso", "beneficiary": "actor:t:asso", "purpose": "Ateliers",
                      "amount_cents": 300000, "nature": "aide en numéraire", "payment_terms": "unique",
                      "payment_from": "2021-05-01", "eu_notified": false, "share": "1"}),
        ),
        action(
            json!({"type": "application", "id": "application:t:a1", "call": "call:t:2022",
                      "applicant": "actor:t:asso", "applicant_name": "Asso", "purpose": "Cartoparties",
                      "commons": ["commons:t:osm"], "amount_asked_cents": 500000, "status": "accepted",
                      "submitted": "2022-02-01", "decided": "2022-03-15"}),
        ),
        action(
            json!({"type": "application", "id": "application:t:a2", "call": "call:t:2022",
                      "applicant": "actor:t:newbie", "applicant_name": "Nouvelle", "purpose": "Wiki",
                      "status": "refused", "submitted": "2022-02-03", "decided": "2022-03-15"}),
        ),
        action(
            json!({"type": "hardware", "id": "hardware:t:pc", "items": "Portables reconditionnés",
                      "quantity": 12, "transfer": "loan", "giver": "actor:t:metro",
                      "recipient": "actor:t:asso", "place": "place:t:fablab", "from": "2023-01-10",
                      "until": "2023-06-30", "returned": true, "value_cents": 360000}),
        ),
        action(
            json!({"type": "hardware", "id": "hardware:t:printer", "items": "Imprimante 3D",
                      "quantity": 2, "transfer": "loan", "giver": "actor:t:metro",
                      "recipient": "actor:t:newbie", "from": "2024-09-01"}),
        ),
        action(
            json!({"type": "hardware", "id": "hardware:t:screens", "items": "Écrans",
                      "quantity": 5, "transfer": "gift", "giver": "actor:t:metro",
                      "recipient": "actor:t:asso", "from": "2024-02-01"}),
        ),
        action(
            json!({"type": "hosting", "id": "hosting:t:nc", "what": "Nextcloud de l'asso",
                      "commons": ["commons:t:nc"], "host": "actor:t:metro", "hosted_for": "actor:t:asso",
                      "infrastructure": "Serveurs municipaux", "since": "2023-04-01"}),
        ),
        action(
            json!({"type": "hosting", "id": "hosting:t:ended", "what": "Ancien wiki",
                      "commons": ["commons:t:osm"], "host": "actor:t:metro",
                      "since": "2015-01-01", "until": "2019-12-31"}),
        ),
        action(
            json!({"type": "event", "id": "event:t:training", "name": "Contribuer à OSM",
                      "category": "training", "organiser": "actor:t:asso", "place": "place:t:fablab",
                      "starts": "2024-03-14", "start_time": "09:30:00", "end_time": "17:00:00",
                      "capacity": 15, "commons": ["commons:t:osm"],
                      "attendance": {"total": 12, "by_actor_kind": {"local_government": 5, "association": 7},
                                     "by_typology": {"public_agent": 5}, "public_agents": 5}}),
        ),
        action(
            json!({"type": "event", "id": "event:t:meetup", "name": "Rencontre du réseau",
                      "category": "meetup", "organiser": "actor:t:metro", "location": "Salle des fêtes",
                      "starts": "2024-06-20", "attendance": {"total": 30}}),
        ),
        action(
            json!({"type": "event", "id": "event:t:far", "name": "Ailleurs",
                      "category": "training", "organiser": "actor:t:far", "starts": "2024-06-20",
                      "attendance": {"total": 99, "public_agents": 50}}),
        ),
        action(
            json!({"type": "post", "id": "post:t:coord", "role": "Coordinatrice du réseau",
                      "employer": "actor:t:metro", "fte": "0.8", "since": "2023-09-01"}),
        ),
        action(
            json!({"type": "post", "id": "post:t:asso", "role": "Animateur", "employer": "actor:t:asso",
                      "fte": "0.5", "since": "2024-01-01", "funder": "actor:t:metro",
                      "funding": "Convention pluriannuelle"}),
        ),
        action(
            json!({"type": "post", "id": "post:t:ended", "role": "Stagiaire", "employer": "actor:t:metro",
                      "fte": "1", "since": "2019-01-01", "until": "2019-06-30"}),
        ),
    ]
}

fn registry(dir: &std::path::Path) -> Store {
    let mut store = Store::open(&dir.join("a.db")).unwrap();
    store
        .write("t", "test", None, |w| {
            for e in entities() {
                w.upsert(&e)?;
            }
            for a in actions() {
                w.upsert_action(&a)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn every_kind_is_written_and_read_back_whole_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let store = registry(dir.path());
    for a in actions() {
        assert_eq!(
            store.action(a.id()).unwrap().as_ref(),
            Some(&a),
            "{}",
            a.id()
        );
    }
    let of = |kind, year| {
        store
            .actions(&ActionQuery {
                kind: Some(kind),
                giver_siret: None,
                year,
                territory: None,
            })
            .unwrap()
            .len()
    };
    assert_eq!(of(ActionKind::Application, None), 2);
    assert_eq!(of(ActionKind::Hardware, None), 3);
    assert_eq!(of(ActionKind::Hardware, Some(2024)), 2);
    assert_eq!(of(ActionKind::Hosting, None), 2);
    assert_eq!(of(ActionKind::Event, Some(2024)), 3);
    assert_eq!(of(ActionKind::Post, Some(2019)), 1);
    assert_eq!(store.actions(&ActionQuery::default()).unwrap().len(), 15);

    // Calls with their applications and outcomes; the newcomer is a
    // first-timer, the association that had a grant in 2021 is not.
    let calls = store
        .calls_with_applications(&ActionQuery::default())
        .unwrap();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(
        (c.accepted, c.refused, c.pending, c.first_time),
        (1, 1, 0, 1)
    );
    assert_eq!(c.asked_cents, 500_000);
    let flags: Vec<(&str, bool)> = c
        .applications
        .iter()
        .map(|o| (o.application.id.as_str(), o.first_time))
        .collect();
    assert_eq!(
        flags,
        [("application:t:a1", false), ("application:t:a2", true)]
    );
}

#[test]
fn what_the_new_kinds_point_at_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    let all = actions();
    let event = all
        .iter()
        .find(|a| a.id().as_str() == "event:t:training")
        .unwrap();
    let err = store
        .write("t", "test", None, |w| {
            for e in entities() {
                if e.id().as_str() != "place:t:fablab" {
                    w.upsert(&e)?;
                }
            }
            w.upsert_action(event)
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Dangling { field: "place", id, .. } if id == "event:t:training"),
        "{err}"
    );
    let application = all
        .iter()
        .find(|a| a.id().as_str() == "application:t:a2")
        .unwrap();
    let err = store
        .write("t", "test", None, |w| {
            for e in entities() {
                w.upsert(&e)?;
            }
            w.upsert_action(application)
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Dangling { field: "call", .. }),
        "{err}"
    );
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 0);
    assert!(store.actions(&ActionQuery::default()).unwrap().is_empty());
}

#[test]
fn removing_what_an_event_or_a_post_points_at_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = registry(dir.path());
    let place = EntityId::parse("place:t:fablab2").unwrap();
    // A place nothing points at goes.
    store
        .write("t", "test", None, |w| w.remove(&place))
        .unwrap();
    for (target, field) in [
        ("place:t:fablab", "place"),
        ("actor:t:newbie", "applicant"),
        ("commons:t:nc", "commons"),
    ] {
        let id = EntityId::parse(target).unwrap();
        let err = store
            .write("t", "test", None, |w| w.remove(&id))
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Dangling { field: f, .. } if *f == field),
            "{target}: {err}"
        );
        assert!(store.get(&id).unwrap().is_some());
    }
}

#[test]
fn a_merge_of_places_moves_the_events_and_loans_and_its_undo_puts_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = registry(dir.path());
    let kept = EntityId::parse("place:t:fablab2").unwrap();
    let absorbed = EntityId::parse("place:t:fablab").unwrap();
    let training = ActionId::parse("event:t:training").unwrap();
    let pc = ActionId::parse("hardware:t:pc").unwrap();
    let before = (
        store.action(&training).unwrap().unwrap(),
        store.action(&pc).unwrap().unwrap(),
    );
    let merged = store.get(&kept).unwrap().unwrap();
    let change = |action| Change {
        source: "cli",
        format: "cli",
        file: None,
        action,
        account: None,
        note: None,
        at: t0(),
    };
    let why = vec!["name".to_string()];
    let m = store
        .merge(
            &MergeRequest {
                kept: &kept,
                absorbed: &absorbed,
                merged: &merged,
                how: "sure",
                why: &why,
            },
            &change("merge"),
            &Audit::new(t0(), None, serde_json::Value::Null),
        )
        .unwrap();
    assert_eq!(m.actions_moved, 2);
    for id in [&training, &pc] {
        let a = store.action(id).unwrap().unwrap();
        assert!(
            a.references()
                .iter()
                .any(|(f, x)| *f == "place" && **x == kept),
            "{id}"
        );
    }
    store
        .undo_merge(
            m.merge,
            &change("unmerge"),
            &Audit::new(t0(), None, serde_json::Value::Null),
        )
        .unwrap();
    assert_eq!(
        (
            store.action(&training).unwrap().unwrap(),
            store.action(&pc).unwrap().unwrap()
        ),
        before
    );
}

/// A registry at schema 9 (grants and calls only) is upgraded to 10: its
/// rows stay with their rowids, the indexes are back, the new kinds can
/// be written, and the check still refuses what is no kind.
#[test]
fn migration_0010_keeps_the_public_action_of_0009() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            include_str!("../migrations/0001_registry.sql"),
            include_str!("../migrations/0002_assessment.sql"),
            include_str!("../migrations/0003_search_column.sql"),
            include_str!("../migrations/0004_data_without_columns.sql"),
            include_str!("../migrations/0005_kind_check_without_in_list.sql"),
            include_str!("../migrations/0006_accounts.sql"),
            include_str!("../migrations/0007_history.sql"),
            include_str!("../migrations/0008_duplicates.sql"),
            include_str!("../migrations/0009_public_action.sql"),
        ] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch("PRAGMA user_version = 9").unwrap();
        let refused = conn.execute(
            "INSERT INTO action (id, kind, name, source, created_at, updated_at, data)
             VALUES ('event:t:x', 'event', 'x', 't', 'a', 'a', '{}')",
            [],
        );
        assert!(refused.is_err(), "schema 9 takes no event");
        let call = actions().into_iter().next().unwrap();
        conn.execute(
            "INSERT INTO action (rowid, id, kind, name, day, source, created_at, updated_at, data)
             VALUES (7, ?1, 'call', ?2, '2022-01-10', 't', '2026-01-01T00:00:00Z',
                     '2026-01-01T00:00:00Z', ?3)",
            rusqlite::params![
                call.id().as_str(),
                call.name(),
                serde_json::to_string(&call).unwrap()
            ],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 11);
    let call = actions().into_iter().next().unwrap();
    assert_eq!(store.action(call.id()).unwrap(), Some(call));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rowid: i64 = conn
        .query_row("SELECT rowid FROM action WHERE kind = 'call'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rowid, 7);
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'action'
             AND name LIKE 'action_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 5);
    let refused = conn.execute(
        "INSERT INTO action (id, kind, name, source, created_at, updated_at, data)
         VALUES ('x:t:x', 'bogus', 'x', 't', 'a', 'a', '{}')",
        [],
    );
    assert!(refused.is_err());
    drop(conn);
    let mut store = Store::open(&path).unwrap();
    store
        .write("t", "test", None, |w| {
            for e in entities() {
                w.upsert(&e)?;
            }
            for a in actions() {
                w.upsert_action(&a)?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(store.actions(&ActionQuery::default()).unwrap().len(), 15);
}

#[test]
fn the_territory_figures_count_every_kind_in_scope() {
    let dir = tempfile::tempdir().unwrap();
    let store = registry(dir.path());
    let stats = store
        .scope_stats(&ScopeQuery {
            territory: EntityId::parse("territory:t:metro").unwrap(),
            commons: None,
            actor_groups: vec![],
            link_groups: vec![],
            support_relations: vec![],
            association_kinds: vec!["association".into()],
        })
        .unwrap()
        .unwrap();
    let f = &stats.support;
    // Computed from the records: what is in the metropole's scope (the
    // event organised by an actor elsewhere is not).
    let mine: Vec<Action> = actions()
        .into_iter()
        .filter(|a| a.id().as_str() != "event:t:far")
        .collect();
    let loans = || {
        mine.iter().filter_map(|a| match a {
            Action::Hardware(h) if h.transfer == Transfer::Loan => Some(h),
            _ => None,
        })
    };
    let expected = SupportFigures {
        grants: 1,
        granted_cents: 300_000,
        associations_granted_cents: 300_000,
        associations_share_percent: Some(100),
        calls: 1,
        non_competitive_calls: 1,
        applications: 2,
        applications_accepted: 1,
        first_time_applicants: 1,
        trainings: 1,
        training_attendees: 12,
        agents_trained: 5,
        events: 1,
        event_attendees: 30,
        hardware_lent: loans().map(|h| u64::from(h.quantity)).sum(),
        hardware_out: loans()
            .filter(|h| !h.returned)
            .map(|h| u64::from(h.quantity))
            .sum(),
        hardware_given: 5,
        commons_hosted: 1,
        posts: 2,
        posts_fte: Some("1.3".into()),
        ..SupportFigures::default()
    };
    assert_eq!(f, &expected);
    assert_eq!((f.hardware_lent, f.hardware_out), (14, 2));
}
