//! The circle of regulars' share of the scope's grants and events, on a
//! real temporary registry: a triangle of actors with a place they run and
//! fund (the innermost core, k = 2), a partner hanging on one of them
//! (k = 1) with commons and actors hanging on it, grants and events in
//! and out of scope. Also the commons that actors of different kinds
//! share.

use archipel_content::Content;
use archipel_domain::Action;
use archipel_formats::ImportContext;
use archipel_jobs::import::{self, Format, ImportRequest};
use archipel_network::{Network, Options};
use archipel_store::Store;
use chrono::NaiveDate;
use serde_json::{json, Value};

const SCOPE: &str = "territory:regtest:epci:1";

fn provenance() -> Value {
    json!({
        "source": "regtest",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z"
    })
}

fn territory(id: &str, code: &str, level: &str, parent: Option<&str>) -> Value {
    let mut t = json!({
        "type": "territory", "id": id, "name": format!("Territoire {code}"),
        "level": level, "code": code, "fictional": true, "provenance": provenance()
    });
    if let Some(p) = parent {
        t["parent"] = json!(p);
    }
    t
}

fn actor(local: &str, kind: &str, territory: &str) -> Value {
    json!({
        "type": "actor", "id": format!("actor:regtest:{local}"),
        "name": format!("Acteur {local}"), "nature": "organisation", "kind": kind,
        "territory": territory, "provenance": provenance()
    })
}

fn relation(local: &str, kind: &str, subject: &str, object: &str) -> Value {
    json!({
        "type": "relation", "id": format!("relation:regtest:{local}"), "kind": kind,
        "subject": subject, "object": object, "provenance": provenance()
    })
}

fn records() -> Value {
    let t = "territory:regtest:commune:1";
    let elsewhere = "territory:regtest:commune:9";
    let a = |x: &str| format!("actor:regtest:{x}");
    let records = vec![
        territory(SCOPE, "960000098", "epci", None),
        territory(t, "96801", "commune", Some(SCOPE)),
        territory(elsewhere, "96809", "commune", None),
        actor("a", "association", t),
        actor("b", "company", t),
        actor("c", "local_government", t),
        actor("d", "association", t),
        actor("e", "company", t),
        actor("f", "association", t),
        json!({
            "type": "actor", "id": "actor:regtest:g", "name": "Une personne",
            "nature": "person", "kind": "person", "territory": t,
            "provenance": provenance()
        }),
        actor("x", "association", elsewhere),
        json!({
            "type": "place", "id": "place:regtest:p", "name": "Lieu p",
            "territory": t, "actor": a("a"), "provenance": provenance()
        }),
        json!({
            "type": "commons", "id": "commons:regtest:k", "name": "Commun k",
            "kind": "software", "provenance": provenance()
        }),
        json!({
            "type": "commons", "id": "commons:regtest:m", "name": "Commun m",
            "kind": "software", "provenance": provenance()
        }),
        relation("ab", "partner_of", &a("a"), &a("b")),
        relation("bc", "partner_of", &a("b"), &a("c")),
        relation("ca", "partner_of", &a("c"), &a("a")),
        relation("bp", "funds", &a("b"), "place:regtest:p"),
        relation("da", "partner_of", &a("d"), &a("a")),
        // Commons k: an association and a company; m: two associations
        // (outside the core: e and f hang on one commons each).
        relation("dk", "maintains", &a("d"), "commons:regtest:k"),
        relation("ek", "uses", &a("e"), "commons:regtest:k"),
        relation("dm", "uses", &a("d"), "commons:regtest:m"),
        relation("fm", "contributes_to", &a("f"), "commons:regtest:m"),
        // A person is no organisation: m stays unshared.
        relation("gm", "contributes_to", &a("g"), "commons:regtest:m"),
    ];
    json!({"format": "archipel", "version": 1, "records": records})
}

fn grant(local: &str, beneficiary: &str, cents: i64, territory: &str) -> Value {
    json!({
        "type": "grant", "id": format!("grant:regtest:{local}"),
        "giver_name": "Acteur c", "giver_siret": "96000000800016",
        "giver": "actor:regtest:c", "date": "2024-03-01",
        "beneficiary_name": beneficiary, "beneficiary": format!("actor:regtest:{beneficiary}"),
        "purpose": "Fonctionnement", "amount_cents": cents, "nature": "aide en numéraire",
        "payment_terms": "unique", "payment_from": "2024-03-15", "eu_notified": false,
        "share": "1", "territory": territory, "provenance": provenance()
    })
}

fn event(local: &str, organiser: &str, place: Option<&str>, people: Option<u32>) -> Value {
    let mut e = json!({
        "type": "event", "id": format!("event:regtest:{local}"), "name": format!("Rencontre {local}"),
        "category": "meetup", "organiser": format!("actor:regtest:{organiser}"),
        "starts": "2024-05-02", "provenance": provenance()
    });
    if let Some(p) = place {
        e["place"] = json!(p);
    }
    if let Some(n) = people {
        e["attendance"] = json!({"total": n});
    }
    e
}

fn registry(actions: &[Value]) -> (tempfile::TempDir, Store, Content) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("registry.db")).unwrap();
    let content = Content::embedded().unwrap();
    let bytes = serde_json::to_vec(&records()).unwrap();
    let report = import::run(
        &mut store,
        ImportRequest {
            format: Format::Json,
            bytes: &bytes,
            context: ImportContext::new("regtest.json".to_string(), "regtest", &content),
            skip_invalid: false,
            mapping: None,
        },
        &mut |_| {},
    )
    .unwrap();
    assert!(
        report.problems.is_empty() && report.written.is_some(),
        "{:?}",
        report.problems
    );
    let actions: Vec<Action> = actions
        .iter()
        .map(|a| serde_json::from_value(a.clone()).unwrap_or_else(|e| panic!("{e}: {a}")))
        .collect();
    store
        .write("test", "test", None, |w| {
            for a in &actions {
                w.upsert_action(a)?;
            }
            Ok(())
        })
        .unwrap();
    (dir, store, content)
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn live(store: &Store, content: &Content) -> Network {
    archipel_network::run(
        store,
        content,
        &SCOPE.parse().unwrap(),
        today(),
        &Options::default(),
    )
    .unwrap()
    .expect("the territory exists")
}

fn at_today(store: &Store, content: &Content) -> Network {
    archipel_network::run_at(
        store,
        content,
        &SCOPE.parse().unwrap(),
        today(),
        &Options::default(),
    )
    .unwrap()
    .expect("the territory exists")
}

#[test]
fn the_innermost_core_holds_its_share_of_grants_and_events() {
    let (_d, store, content) = registry(&[
        grant("to-a", "a", 300_000, SCOPE),
        grant("to-d", "d", 100_000, SCOPE),
        // Another territory's grant: not the scope's.
        grant("to-x", "x", 900_000, "territory:regtest:commune:9"),
        // At the core's place, organised by d (outside the core).
        event("at-p", "d", Some("place:regtest:p"), Some(20)),
        // Organised by a core member.
        event("by-a", "a", None, Some(30)),
        // Neither.
        event("by-d", "d", None, Some(10)),
        event("by-d-uncounted", "d", None, None),
        // Organised on another territory: not the scope's.
        event("by-x", "x", None, Some(500)),
    ]);
    for n in [live(&store, &content), at_today(&store, &content)] {
        let r = &n.regulars;
        assert_eq!(r.max_core, 2, "{:?}", n.core_number);
        let mut core = r.core.clone();
        core.sort();
        assert_eq!(
            core,
            [
                "actor:regtest:a",
                "actor:regtest:b",
                "actor:regtest:c",
                "place:regtest:p"
            ]
        );
        let g = r.grants.as_ref().expect("grants");
        assert_eq!((g.grants, g.to_core), (2, 1));
        assert_eq!((g.cents, g.cents_to_core), (400_000, 300_000));
        assert!((g.share - 0.5).abs() < 1e-12);
        assert!((g.cents_share.unwrap() - 0.75).abs() < 1e-12);
        let e = r.events.as_ref().expect("events");
        assert_eq!((e.events, e.to_core), (4, 2), "{e:?}");
        assert_eq!((e.attendees, e.attendees_to_core), (60, 50));
        assert!((e.share - 0.5).abs() < 1e-12);
        assert!((e.attendees_share.unwrap() - 50.0 / 60.0).abs() < 1e-12);

        // The JSON keeps its keys and adds the events' under `regulars`.
        let v = serde_json::to_value(&n).unwrap();
        for k in [
            "components",
            "articulation_points",
            "bridges",
            "betweenness",
            "core_number",
        ] {
            assert!(!v[k].is_null(), "{k}");
        }
        assert_eq!(v["regulars"]["events"]["to_core"], 2);
        assert_eq!(v["regulars"]["events"]["attendees_to_core"], 50);
        assert_eq!(v["regulars"]["grants"]["cents_to_core"], 300_000);

        // Commons k is shared by an association and a company; m only by
        // associations (and a person, who is no organisation).
        let s = &n.shared_commons;
        assert_eq!(s.commons, 1, "{s:?}");
        assert_eq!(s.actors, 2);
        assert_eq!(s.actor_kinds.get("association"), Some(&1));
        assert_eq!(s.actor_kinds.get("company"), Some(&1));
        assert_eq!(v["shared_commons"]["commons"], 1);
    }
}

#[test]
fn without_grants_or_events_there_is_no_share() {
    let (_d, store, content) = registry(&[]);
    let n = live(&store, &content);
    assert!(n.regulars.grants.is_none());
    assert!(n.regulars.events.is_none());
    let v = serde_json::to_value(&n).unwrap();
    assert!(v["regulars"].get("events").is_none());
    // Events without any attendance: a share of events, none of people.
    let (_d, store, content) = registry(&[event("quiet", "a", None, None)]);
    let e = live(&store, &content).regulars.events.expect("events");
    assert_eq!((e.events, e.to_core, e.attendees), (1, 1, 0));
    assert_eq!(e.attendees_share, None);
}
