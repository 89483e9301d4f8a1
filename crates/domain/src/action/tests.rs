//! Unit tests of the public action records.

use super::*;

#[test]
fn euros_are_read_as_exact_cents() {
    assert_eq!(parse_euros("15000"), Ok(1_500_000));
    assert_eq!(parse_euros("15000.5"), Ok(1_500_050));
    assert_eq!(parse_euros("0.07"), Ok(7));
    let e = parse_euros("1500,50").unwrap_err();
    assert!(
        e.contains("decimal comma") && e.contains("`1500.50`"),
        "{e}"
    );
    assert!(parse_euros("1 500").unwrap_err().contains("thousands"));
    assert!(parse_euros("1.005").unwrap_err().contains("two decimals"));
    assert!(parse_euros("-3").is_err());
    assert!(parse_euros("3.").is_err());
    assert!(parse_euros("99999999999999").is_err());
    assert_eq!(format_euros(1_500_000), "15000");
    assert_eq!(format_euros(1_500_050), "15000.50");
    assert_eq!(format_euros(7), "0.07");
}

#[test]
fn shares_are_kept_exactly_and_bounded() {
    for ok in ["1", "1.0", "0.5", "0.01", "0.333333", "0.10"] {
        assert_eq!(Share::parse(ok).map(|s| s.0), Ok(ok.to_string()), "{ok}");
    }
    for bad in [
        "0", "0.009", "1.5", "2", "0,5", "50", ".5", "0.5.", "-0.5", "1.",
    ] {
        assert!(Share::parse(bad).is_err(), "{bad}");
    }
    let third = Share::parse("0.333333").unwrap();
    assert_eq!(third.of(300_000), 100_000);
    assert_eq!(Share::parse("0.5").unwrap().of(1001), 501);
}

#[test]
fn action_ids_follow_the_entity_id_rule() {
    let id = ActionId::new(ActionKind::Grant, "scdl", "2025-001").unwrap();
    assert_eq!(id.as_str(), "grant:scdl:2025-001");
    assert_eq!(id.kind(), ActionKind::Grant);
    assert_eq!(id.local(), "2025-001");
    assert_eq!(ActionId::parse("grant:scdl:2025-001"), Ok(id));
    assert!(ActionId::parse("actor:x:y").is_err());
    assert!(ActionId::parse("grants:x:y").is_err());
    assert!(ActionId::new(ActionKind::Call, "a b", "y").is_err());
}

fn prov() -> Provenance {
    Provenance::new("test", chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
}

fn eid(s: &str) -> EntityId {
    EntityId::parse(s).unwrap()
}

fn aid(s: &str) -> ActionId {
    ActionId::parse(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn call(id: &str, siren: &str) -> Action {
    Action::Call(Call {
        id: aid(id),
        name: "Soutenir les communs".into(),
        giver_name: "Métropole".into(),
        giver_siren: siren.into(),
        giver: None,
        description: None,
        eligible: vec![],
        eligibility: None,
        budget_cents: None,
        opens: Some(day("2022-01-10")),
        closes: None,
        call_for_projects: true,
        non_competitive: true,
        url: None,
        territory: None,
        details: BTreeMap::new(),
        provenance: prov(),
    })
}

fn application(id: &str, call: &str, applicant: &str, submitted: &str) -> Application {
    Application {
        id: aid(id),
        call: aid(call),
        applicant: eid(applicant),
        applicant_name: "Asso".into(),
        purpose: "Ateliers".into(),
        commons: vec![eid("commons:t:osm")],
        amount_asked_cents: Some(500_000),
        status: ApplicationStatus::Submitted,
        submitted: day(submitted),
        decided: None,
        grant: None,
        territory: Some(eid("territory:t:metropole")),
        provenance: prov(),
    }
}

fn grant(id: &str, siret: &str, beneficiary: &str, date: &str) -> Action {
    Action::Grant(Grant {
        id: aid(id),
        giver_name: "Métropole".into(),
        giver_siret: siret.into(),
        giver: eid("actor:t:metropole"),
        date: day(date),
        decision_reference: None,
        beneficiary_name: "Asso".into(),
        beneficiary_siret: None,
        beneficiary_rna: None,
        beneficiary: eid(beneficiary),
        purpose: "Fonctionnement".into(),
        amount_cents: 100_000,
        nature: "aide en numéraire".into(),
        payment_terms: "unique".into(),
        payment_from: day(date),
        payment_until: None,
        rae_id: None,
        eu_notified: false,
        share: Share::parse("1").unwrap(),
        scheme: None,
        call: None,
        commons: vec![],
        territory: None,
        provenance: prov(),
    })
}

fn event() -> Event {
    Event {
        id: aid("event:t:formation-1"),
        name: "Contribuer à OpenStreetMap".into(),
        category: "training".into(),
        description: Some("Une journée\npour cartographier".into()),
        organiser: eid("actor:t:asso"),
        place: Some(eid("place:t:tiers-lieu")),
        location: None,
        starts: day("2024-03-14"),
        start_time: Some("09:30:00".parse().unwrap()),
        ends: None,
        end_time: Some("17:00:00".parse().unwrap()),
        audience: Some("Agents et associations".into()),
        capacity: Some(20),
        url: Some("https://example.org/formation".into()),
        commons: vec![eid("commons:t:osm")],
        attendance: Some(Attendance {
            total: 18,
            by_actor_kind: [
                ("association".to_string(), 6),
                ("local_government".into(), 9),
            ]
            .into(),
            by_typology: [("public_agent".to_string(), 9)].into(),
            public_agents: None,
        }),
        territory: None,
        provenance: prov(),
    }
}

fn fields(a: &Action) -> Vec<String> {
    action_problems(a).into_iter().map(|(f, _)| f).collect()
}

#[test]
fn new_kinds_have_ids_names_days_and_references() {
    for k in ActionKind::ALL {
        assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        let id = ActionId::new(k, "src", "x").unwrap();
        assert_eq!(id.kind(), k, "{id}");
        assert_eq!(ActionId::parse(id.as_str()), Ok(id));
    }
    assert_eq!(ActionKind::parse("events"), Some(ActionKind::Event));
    assert!(ActionId::parse("events:a:b").is_err());

    let a = Action::Application(application(
        "application:t:1",
        "call:t:2022",
        "actor:t:asso",
        "2022-02-01",
    ));
    assert_eq!(a.kind(), ActionKind::Application);
    assert_eq!(a.name(), "Ateliers");
    assert_eq!(a.day(), Some(day("2022-02-01")));
    assert_eq!(a.amount_cents(), Some(500_000));
    assert_eq!(a.beneficiary(), Some(&eid("actor:t:asso")));
    assert_eq!(a.call(), Some(&aid("call:t:2022")));
    let refs: Vec<_> = a.references().into_iter().map(|(f, _)| f).collect();
    assert_eq!(refs, ["territory", "applicant", "commons"]);
    let arefs: Vec<_> = a.action_references().into_iter().map(|(f, _)| f).collect();
    assert_eq!(arefs, ["call"]);
    assert!(fields(&a).is_empty(), "{:?}", action_problems(&a));

    let e = Action::Event(event());
    let refs: Vec<_> = e.references().into_iter().map(|(f, _)| f).collect();
    assert_eq!(refs, ["organiser", "place", "commons"]);
    assert_eq!(e.giver(), Some(&eid("actor:t:asso")));
    assert!(fields(&e).is_empty(), "{:?}", action_problems(&e));
}

#[test]
fn the_json_form_of_the_new_kinds_round_trips() {
    let e = Action::Event(event());
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["type"], "event");
    assert_eq!(json["start_time"], "09:30:00");
    assert_eq!(json["attendance"]["by_actor_kind"]["association"], 6);
    assert_eq!(serde_json::from_value::<Action>(json).unwrap(), e);

    let p = Action::Post(Post {
        id: aid("post:t:coord"),
        role: "Coordinatrice du réseau des communs".into(),
        employer: eid("actor:t:metropole"),
        fte: Fte::parse("0.8").unwrap(),
        since: day("2023-09-01"),
        until: None,
        funding: Some("Budget de fonctionnement".into()),
        funder: None,
        territory: None,
        provenance: prov(),
    });
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["fte"], "0.8");
    assert_eq!(serde_json::from_value::<Action>(json).unwrap(), p);
    let mut bad = serde_json::to_value(&p).unwrap();
    bad["fte"] = "0".into();
    assert!(serde_json::from_value::<Action>(bad).is_err());
}

#[test]
fn the_new_kinds_are_checked() {
    let mut x = application("application:t:1", "grant:t:2022", "place:t:p", "2022-02-01");
    x.status = ApplicationStatus::Refused;
    x.decided = Some(day("2022-01-01"));
    x.grant = Some(aid("grant:t:g"));
    x.amount_asked_cents = Some(-1);
    x.purpose = "a\u{7}b".into();
    let mut f = fields(&Action::Application(x));
    f.sort();
    assert_eq!(
        f,
        [
            "amount_asked_cents",
            "applicant",
            "call",
            "decided",
            "grant",
            "purpose"
        ]
    );

    let mut e = event();
    e.ends = Some(day("2024-03-13"));
    e.url = Some("javascript:alert(1)".into());
    e.capacity = Some(0);
    e.organiser = eid("commons:t:osm");
    let a = e.attendance.as_mut().unwrap();
    a.by_actor_kind.insert("company".into(), 10);
    a.by_typology.insert("academic".into(), 19);
    a.public_agents = Some(40);
    let mut f = fields(&Action::Event(e));
    f.sort();
    assert_eq!(
        f,
        [
            "attendance.by_actor_kind",
            "attendance.by_typology.academic",
            "attendance.public_agents",
            "capacity",
            "ends",
            "organiser",
            "url"
        ]
    );

    let mut e = event();
    e.start_time = Some("18:00:00".parse().unwrap());
    assert_eq!(fields(&Action::Event(e)), ["end_time"]);

    let h = Action::Hardware(Hardware {
        id: aid("hardware:t:pc"),
        items: "Ordinateurs portables".into(),
        quantity: 0,
        transfer: Transfer::Gift,
        giver: eid("actor:t:metropole"),
        recipient: eid("actor:t:asso"),
        place: Some(eid("actor:t:asso")),
        from: day("2024-01-10"),
        until: Some(day("2023-01-01")),
        returned: true,
        value_cents: None,
        territory: Some(eid("actor:t:metropole")),
        provenance: prov(),
    });
    let mut f = fields(&h);
    f.sort();
    assert_eq!(f, ["place", "quantity", "returned", "territory", "until"]);
}

#[test]
fn fte_is_exact() {
    for ok in ["1", "0.5", "0.125", "2.5", "10"] {
        assert_eq!(
            Fte::parse(ok).map(|f| f.as_str().to_string()),
            Ok(ok.to_string())
        );
    }
    for bad in ["0", "0.0", "-1", "0,5", ".5", "1.", "0.0001", "1000", "a"] {
        assert!(Fte::parse(bad).is_err(), "{bad}");
    }
    let total: u64 = ["0.8", "0.2", "0.125"]
        .iter()
        .map(|s| Fte::parse(s).unwrap().thousandths())
        .sum();
    assert_eq!(format_fte(total), "1.125");
    assert_eq!(format_fte(2000), "2");
    assert_eq!(format_fte(500), "0.5");
}

#[test]
fn a_merge_repoints_every_slot_of_the_new_kinds() {
    let mut e = Action::Event(event());
    if let Action::Event(x) = &mut e {
        x.commons.push(eid("commons:t:osm2"));
    }
    assert!(e.repoint(&eid("commons:t:osm2"), &eid("commons:t:osm")));
    assert_eq!(e.commons(), [eid("commons:t:osm")]);
    assert!(e.repoint(&eid("place:t:tiers-lieu"), &eid("place:t:autre")));
    assert!(e
        .references()
        .iter()
        .any(|(f, x)| *f == "place" && x.as_str() == "place:t:autre"));
    assert!(!e.repoint(&eid("actor:t:nobody"), &eid("actor:t:asso")));
}

#[test]
fn first_timers_have_no_earlier_application_or_grant_from_the_same_body() {
    let siren = "123456789";
    let siret = "12345678900011";
    let mut actions = vec![
        call("call:t:2022", siren),
        call("call:t:2024", siren),
        call("call:t:other", "987654321"),
        // A regular: a grant in 2021, before any call.
        grant("grant:t:old", siret, "actor:t:regular", "2021-06-01"),
    ];
    let mut push = |id: &str, c: &str, who: &str, d: &str| {
        actions.push(Action::Application(application(id, c, who, d)));
    };
    push(
        "application:t:a1",
        "call:t:2022",
        "actor:t:new",
        "2022-02-01",
    );
    push(
        "application:t:a2",
        "call:t:2024",
        "actor:t:new",
        "2024-02-01",
    );
    push(
        "application:t:a3",
        "call:t:2022",
        "actor:t:regular",
        "2022-02-03",
    );
    // Same day, two applications of one newcomer: the smaller id is first.
    push(
        "application:t:b2",
        "call:t:2024",
        "actor:t:twice",
        "2024-03-01",
    );
    push(
        "application:t:b1",
        "call:t:2024",
        "actor:t:twice",
        "2024-03-01",
    );
    // Another body's call: a first contact with that body.
    push(
        "application:t:c1",
        "call:t:other",
        "actor:t:regular",
        "2024-01-01",
    );
    // A call not in the list.
    push("application:t:d1", "call:t:gone", "actor:t:x", "2024-01-01");
    let first: Vec<String> = first_time_applications(&actions)
        .into_iter()
        .map(|i| i.to_string())
        .collect();
    assert_eq!(
        first,
        ["application:t:a1", "application:t:b1", "application:t:c1"]
    );
}
