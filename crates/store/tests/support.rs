//! Public action records in the registry: written in the entities' batch,
//! references checked, unchanged facts left alone, read by kind, giver and
//! year.

use archipel_domain::*;
use archipel_store::{ActionQuery, Outcome, Store, StoreError};
use chrono::{NaiveDate, TimeZone, Utc};

fn actor(local: &str, siret: &str) -> Entity {
    Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, "t", local).unwrap(),
        name: local.into(),
        nature: Nature::Organisation,
        kind: None,
        typology: vec![],
        description: None,
        identifiers: Identifiers {
            siret: Some(siret.into()),
            ..Identifiers::default()
        },
        website: None,
        email: None,
        territory: None,
        location: None,
        provenance: Provenance::new("t", Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
    })
}

fn grant(local: &str, day: &str, beneficiary: &str, cents: i64) -> Action {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    Action::Grant(Grant {
        id: ActionId::new(ActionKind::Grant, "t", local).unwrap(),
        giver_name: "Ville".into(),
        giver_siret: "21290019700006".into(),
        giver: EntityId::new(EntityKind::Actor, "t", "town").unwrap(),
        date: d(day),
        decision_reference: None,
        beneficiary_name: "B".into(),
        beneficiary_siret: None,
        beneficiary_rna: None,
        beneficiary: EntityId::new(EntityKind::Actor, "t", beneficiary).unwrap(),
        purpose: "Objet".into(),
        amount_cents: cents,
        nature: "aide en numéraire".into(),
        payment_terms: "unique".into(),
        payment_from: d(day),
        payment_until: None,
        rae_id: None,
        eu_notified: false,
        share: Share::parse("1").unwrap(),
        scheme: None,
        call: None,
        commons: vec![],
        territory: None,
        provenance: Provenance::new("t", Utc::now()),
    })
}

#[test]
fn grants_are_written_with_their_actors_and_read_by_giver_and_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    let (outcomes, summary) = store
        .write("t", "test", None, |w| {
            w.upsert(&actor("town", "21290019700006"))?;
            w.upsert(&actor("b", "81234567800005"))?;
            assert_eq!(
                w.actors_by_identifier("siret")?
                    .get("81234567800005")
                    .map(EntityId::as_str),
                Some("actor:t:b")
            );
            Ok(vec![
                w.upsert_action(&grant("1", "2025-02-01", "b", 100))?,
                w.upsert_action(&grant("2", "2024-12-31", "b", 250))?,
            ])
        })
        .unwrap();
    assert_eq!(outcomes, [Outcome::Inserted, Outcome::Inserted]);
    assert_eq!(summary.inserted, 4);
    let q = |year| ActionQuery {
        kind: Some(ActionKind::Grant),
        giver_siret: Some("21290019700006".into()),
        year: Some(year),
        territory: None,
    };
    let in_2025 = store.actions(&q(2025)).unwrap();
    assert_eq!(in_2025.len(), 1);
    assert_eq!(in_2025[0].amount_cents(), Some(100));
    assert_eq!(store.actions(&q(2024)).unwrap().len(), 1);
    assert_eq!(store.actions(&ActionQuery::default()).unwrap().len(), 2);
    let other = ActionQuery {
        giver_siret: Some("81234567800005".into()),
        ..ActionQuery::default()
    };
    assert!(store.actions(&other).unwrap().is_empty());

    // The same facts again: untouched, creation time kept on a change.
    let id = in_2025[0].id().clone();
    let created = store.action(&id).unwrap().unwrap().provenance().created_at;
    let (again, _) = store
        .write("t", "test", None, |w| {
            Ok(vec![
                w.upsert_action(&grant("1", "2025-02-01", "b", 100))?,
                w.upsert_action(&grant("2", "2024-12-31", "b", 300))?,
            ])
        })
        .unwrap();
    assert_eq!(again, [Outcome::Unchanged, Outcome::Updated]);
    assert_eq!(
        store.action(&id).unwrap().unwrap().provenance().created_at,
        created
    );
}

#[test]
fn a_grant_pointing_at_a_missing_actor_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    let err = store
        .write("t", "test", None, |w| {
            w.upsert(&actor("town", "21290019700006"))?;
            w.upsert_action(&grant("1", "2025-02-01", "nobody", 100))
        })
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Dangling {
                field: "beneficiary",
                ..
            }
        ),
        "{err}"
    );
    assert!(store.actions(&ActionQuery::default()).unwrap().is_empty());
    assert_eq!(store.count(EntityKind::Actor).unwrap(), 0);
}

/// A duplicates merge moves the grants of the absorbed actor (as giver
/// or beneficiary) onto the kept one in its transaction, and its undo
/// puts them back exactly; an undo refused when a grant changed since.
#[test]
fn a_merge_moves_the_grants_of_the_absorbed_actor_and_its_undo_puts_them_back() {
    use archipel_store::accounts::Audit;
    use archipel_store::{Change, MergeError, MergeRequest};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    store
        .write("t", "test", None, |w| {
            w.upsert(&actor("town", "21290019700006"))?;
            w.upsert(&actor("b", "81234567800005"))?;
            w.upsert(&actor("b2", "81234567800005"))?;
            w.upsert_action(&grant("1", "2025-02-01", "b2", 100))?;
            w.upsert_action(&grant("2", "2025-03-01", "b", 200))
        })
        .unwrap();
    let kept = EntityId::parse("actor:t:b").unwrap();
    let absorbed = EntityId::parse("actor:t:b2").unwrap();
    let g1 = ActionId::parse("grant:t:1").unwrap();
    let before = store.action(&g1).unwrap().unwrap();
    let merged = store.get(&kept).unwrap().unwrap();
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let change = |action| Change {
        source: "cli",
        format: "cli",
        file: None,
        action,
        account: None,
        note: None,
        at,
    };
    let why = vec!["siret".to_string()];
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
            &Audit::new(at, None, serde_json::Value::Null),
        )
        .unwrap();
    assert_eq!(m.actions_moved, 1);
    assert!(store.get(&absorbed).unwrap().is_none());
    let moved = store.action(&g1).unwrap().unwrap();
    assert_eq!(moved.beneficiary(), Some(&kept));
    assert_eq!(
        store
            .action(&ActionId::parse("grant:t:2").unwrap())
            .unwrap()
            .unwrap()
            .beneficiary(),
        Some(&kept)
    );

    store
        .undo_merge(
            m.merge,
            &change("unmerge"),
            &Audit::new(at, None, serde_json::Value::Null),
        )
        .unwrap();
    assert!(store.get(&absorbed).unwrap().is_some());
    assert_eq!(store.action(&g1).unwrap().unwrap(), before);

    // Merged again, then the grant corrected by a later import: the undo
    // is refused, naming the grant, and changes nothing.
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
            &Audit::new(at, None, serde_json::Value::Null),
        )
        .unwrap();
    let mut corrected = store.action(&g1).unwrap().unwrap();
    if let Action::Grant(g) = &mut corrected {
        g.amount_cents = 150;
    }
    store
        .write("t", "test", None, |w| w.upsert_action(&corrected))
        .unwrap();
    let err = store
        .undo_merge(
            m.merge,
            &change("unmerge"),
            &Audit::new(at, None, serde_json::Value::Null),
        )
        .unwrap_err();
    assert!(
        matches!(&err, MergeError::ChangedSince { record, .. } if record == "grant:t:1"),
        "{err}"
    );
    assert!(store.get(&absorbed).unwrap().is_none());
    assert_eq!(
        store.action(&g1).unwrap().unwrap().amount_cents(),
        Some(150)
    );
}

fn territory(local: &str, level: &str, parent: Option<&str>) -> Entity {
    Entity::Territory(Territory {
        id: EntityId::new(EntityKind::Territory, "t", local).unwrap(),
        name: local.into(),
        level: level.into(),
        code: local.into(),
        parent: parent.map(|p| EntityId::new(EntityKind::Territory, "t", p).unwrap()),
        fictional: true,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: Provenance::new("t", Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
    })
}

#[test]
fn a_territory_s_records_are_its_own_and_its_giver_s_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    let tid = |l: &str| EntityId::new(EntityKind::Territory, "t", l).unwrap();
    store
        .write("t", "test", None, |w| {
            w.upsert(&territory("dep", "department", None))?;
            w.upsert(&territory("town", "commune", Some("dep")))?;
            w.upsert(&territory("other", "commune", None))?;
            // The giver lies in the town.
            let mut town = actor("town", "21290019700006");
            if let Entity::Actor(a) = &mut town {
                a.territory = Some(tid("town"));
            }
            w.upsert(&town)?;
            w.upsert(&actor("b", "81234567800005"))?;
            // Its giver's territory.
            w.upsert_action(&grant("1", "2025-02-01", "b", 100))?;
            // Its own territory, elsewhere, wins over its giver's.
            let mut g = grant("2", "2025-03-01", "b", 200);
            if let Action::Grant(g) = &mut g {
                g.territory = Some(tid("other"));
            }
            w.upsert_action(&g)?;
            Ok(())
        })
        .unwrap();
    let ids = |t: &str| -> Vec<String> {
        store
            .actions(&ActionQuery {
                territory: Some(tid(t)),
                ..ActionQuery::default()
            })
            .unwrap()
            .iter()
            .map(|a| a.id().local().to_string())
            .collect()
    };
    assert_eq!(ids("dep"), ["1"]);
    assert_eq!(ids("town"), ["1"]);
    assert_eq!(ids("other"), ["2"]);
    assert_eq!(store.actions(&ActionQuery::default()).unwrap().len(), 2);
    // The same rule as the territory's figures.
    let figures = |t: &str| {
        store
            .scope_stats(&archipel_store::ScopeQuery {
                territory: tid(t),
                commons: None,
                actor_groups: Vec::new(),
                link_groups: Vec::new(),
                support_relations: Vec::new(),
                association_kinds: Vec::new(),
            })
            .unwrap()
            .unwrap()
            .support
    };
    assert_eq!(figures("dep").grants, 1);
    assert_eq!(figures("dep").granted_cents, 100);
    assert_eq!(figures("other").granted_cents, 200);
}
