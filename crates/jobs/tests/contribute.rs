//! Proposals and their moderation on real temporary registries holding
//! the demonstration territory: nothing public changes before a
//! moderator accepts, a decision is kept with its message, the
//! difference is against the current version, invalid fields are named,
//! duplicates flagged, a referent's edit goes live marked as such.

use archipel_content::Content;
use archipel_domain::*;
use archipel_jobs::contribute::{
    self, ContributionError, Policy, Proposed, Proposer, ReferentError, Report, Submission,
    Submitted,
};
use archipel_jobs::Decider;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::proposals::ProposalQuery;
use archipel_store::Store;
use archipel_testkit::records::t0;
use chrono::{DateTime, Duration, Utc};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    content: Content,
    contributor: i64,
    moderator: i64,
}

fn account(store: &mut Store, email: &str, name: &str, role: &str) -> i64 {
    store
        .create_account(
            &NewAccount {
                email: Some(email),
                password_hash: None,
                display_name: name,
                role,
            },
            &Audit::new(t0(), None, serde_json::Value::Null),
        )
        .unwrap()
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("registry.db")).unwrap();
    let content = Content::embedded().unwrap();
    archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
    let contributor = account(
        &mut store,
        "contrib@exemple.fr",
        "Camille <b>",
        "contributor",
    );
    let moderator = account(&mut store, "modo@exemple.fr", "Dominique", "moderator");
    World {
        _dir: dir,
        store,
        content,
        contributor,
        moderator,
    }
}

fn eid(s: &str) -> EntityId {
    EntityId::parse(s).unwrap()
}

fn actor(w: &World, id: &str) -> Actor {
    match w.store.get(&eid(id)).unwrap() {
        Some(Entity::Actor(a)) => a,
        other => panic!("{id}: {other:?}"),
    }
}

fn at(days: i64) -> DateTime<Utc> {
    t0() + Duration::days(days)
}

impl World {
    fn submit(
        &mut self,
        e: Entity,
        who: Proposer,
        when: DateTime<Utc>,
    ) -> Result<Submitted, ContributionError> {
        contribute::submit(
            &mut self.store,
            &self.content,
            Policy::default(),
            Submission {
                proposed: Proposed::Record(Box::new(e)),
                base: None,
                comment: Some("Vu sur place".into()),
                proposer: who,
                at: when,
            },
        )
    }

    fn propose(&mut self, e: Entity) -> i64 {
        match self.submit(e, Proposer::Account(self.contributor), at(1)) {
            Ok(Submitted::Pending(id)) => id,
            other => panic!("{other:?}"),
        }
    }

    fn moderator(&self) -> Decider<'static> {
        Decider {
            account: Some(self.moderator),
            via: "web",
            at: at(2),
        }
    }
}

const VILLE: &str = "actor:demo:ville-villecommune";

#[test]
fn a_proposal_changes_nothing_until_a_moderator_accepts_it() {
    let mut w = world();
    let before = actor(&w, VILLE);
    let mut edit = before.clone();
    edit.name = "Ville de Villecommune <script>alert(1)</script>".into();
    let p = w.propose(Entity::Actor(edit));
    assert_eq!(actor(&w, VILLE), before, "nothing public changed");
    let versions_before = w.store.history(&eid(VILLE)).unwrap().len();

    let review = contribute::review(&w.store, &w.content, p)
        .unwrap()
        .unwrap();
    assert!(!review.stale);
    assert_eq!(review.proposal.status, "pending");
    assert_eq!(review.proposal.action, "edit");
    let fields: Vec<&str> = review.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["name", "provenance.source"]);

    let by = w.moderator();
    contribute::accept(&mut w.store, &w.content, p, None, Some("Merci"), &by).unwrap();
    let now = actor(&w, VILLE);
    assert_eq!(now.name, "Ville de Villecommune <script>alert(1)</script>");
    assert_eq!(now.provenance.source.as_ref(), "web");
    assert_eq!(now.provenance.created_at, before.provenance.created_at);
    let h = archipel_jobs::history::versions(&w.store, &eid(VILLE)).unwrap();
    assert_eq!(h.len(), versions_before + 1);
    assert_eq!(h[0].action, "proposal");
    assert_eq!(h[0].by.as_deref(), Some("Dominique"));
    assert!(h[0].changes.iter().any(|c| c.field == "name"));
    let kept = w.store.proposal(p).unwrap().unwrap();
    assert_eq!(kept.status, "accepted");
    assert_eq!(kept.decided_by, Some(w.moderator));
    assert_eq!(kept.batch, h[0].batch);
    let log = w.store.audit_log(5, None).unwrap();
    assert_eq!(log[0].action, "proposal.accept");
    assert_eq!(log[0].detail["proposal"], p);
    // A decision is taken once.
    let again = contribute::accept(&mut w.store, &w.content, p, None, None, &by);
    assert!(
        matches!(again, Err(ContributionError::Proposal(_))),
        "{again:?}"
    );
}

#[test]
fn a_refusal_keeps_its_message_and_changes_nothing() {
    let mut w = world();
    let before = actor(&w, VILLE);
    let mut edit = before.clone();
    edit.website = Some("https://autre.demo.invalid".into());
    let p = w.propose(Entity::Actor(edit));
    let by = w.moderator();
    contribute::refuse(&mut w.store, p, "Le site officiel est le bon.", &by).unwrap();
    assert_eq!(actor(&w, VILLE), before);
    let mine = w
        .store
        .proposals(&ProposalQuery {
            account: Some(w.contributor),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, "refused");
    assert_eq!(
        mine[0].message.as_deref(),
        Some("Le site officiel est le bon.")
    );
    assert_eq!(
        w.store.audit_log(1, None).unwrap()[0].action,
        "proposal.refuse"
    );
}

#[test]
fn edit_then_accept_writes_the_moderators_version() {
    let mut w = world();
    let mut edit = actor(&w, VILLE);
    edit.name = "Ville de Villecomune".into();
    let p = w.propose(Entity::Actor(edit.clone()));
    edit.name = "Ville de Villecommune (nouvelle)".into();
    let by = w.moderator();
    contribute::accept(
        &mut w.store,
        &w.content,
        p,
        Some(Entity::Actor(edit)),
        None,
        &by,
    )
    .unwrap();
    assert_eq!(actor(&w, VILLE).name, "Ville de Villecommune (nouvelle)");
    assert_eq!(
        w.store.audit_log(1, None).unwrap()[0].detail["edited"],
        true
    );
    // The moderator's edit is checked like a proposal.
    let mut bad = actor(&w, VILLE);
    bad.name = "Autre".into();
    let p2 = w.propose(Entity::Actor(bad.clone()));
    bad.website = Some("javascript:alert(1)".into());
    let err = contribute::accept(
        &mut w.store,
        &w.content,
        p2,
        Some(Entity::Actor(bad)),
        None,
        &by,
    )
    .unwrap_err();
    match err {
        ContributionError::Invalid(fields) => assert_eq!(fields[0].field, "website"),
        other => panic!("{other}"),
    }
    assert_eq!(w.store.proposal(p2).unwrap().unwrap().status, "pending");
}

#[test]
fn a_proposal_against_a_record_an_import_changed_shows_the_difference_with_the_current_version() {
    let mut w = world();
    let mut edit = actor(&w, VILLE);
    edit.name = "Ville de Villecommune (mairie)".into();
    let p = w.propose(Entity::Actor(edit));
    // An import changes the description meanwhile.
    let mut imported = actor(&w, VILLE);
    imported.description = Some("Nouvelle description venue de l'import".into());
    w.store
        .write("demo", "json", Some("maj.json"), |x| {
            x.upsert(&Entity::Actor(imported))
        })
        .unwrap();
    let review = contribute::review(&w.store, &w.content, p)
        .unwrap()
        .unwrap();
    assert!(review.stale, "the base version is not the current one");
    let since: Vec<&str> = review
        .changed_since
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(since, ["description"]);
    let fields: Vec<&str> = review.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"description"),
        "{fields:?}"
    );
    let d = review
        .changes
        .iter()
        .find(|c| c.field == "description")
        .unwrap();
    assert_eq!(
        d.before.as_ref().and_then(|v| v.as_str()),
        Some("Nouvelle description venue de l'import")
    );
}

#[test]
fn an_invalid_siret_is_refused_with_its_field_named() {
    let mut w = world();
    let mut a = archipel_testkit::records::actor("nouveau", "Nouvelle association");
    a.identifiers.siret = Some("12345678901234".into());
    a.territory = Some(eid("territory:demo:commune:96001"));
    let err = w
        .submit(
            Entity::Actor(a.clone()),
            Proposer::Account(w.contributor),
            at(1),
        )
        .unwrap_err();
    match &err {
        ContributionError::Invalid(fields) => {
            assert_eq!(fields.len(), 1, "{fields:?}");
            assert_eq!(fields[0].field, "identifiers.siret");
            assert!(
                fields[0].reason.contains("check digit"),
                "{}",
                fields[0].reason
            );
        }
        other => panic!("{other}"),
    }
    // A record it points at must exist; a kind must be in its vocabulary.
    a.identifiers.siret = None;
    a.territory = Some(eid("territory:demo:commune:00000"));
    a.kind = Some("dragon".into());
    match w.submit(Entity::Actor(a), Proposer::Account(w.contributor), at(1)) {
        Err(ContributionError::Invalid(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(names, ["kind", "territory"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(w
        .store
        .proposals(&ProposalQuery::default())
        .unwrap()
        .is_empty());
}

#[test]
fn likely_duplicates_are_flagged() {
    let mut w = world();
    let mut known = archipel_testkit::records::actor("connu", "Les Petits Débrouillards");
    known.identifiers.siret = Some("43493312300029".into());
    known.location = Some(GeoPoint {
        lat: 45.68,
        lon: 2.05,
    });
    w.store
        .write("test", "json", None, |x| {
            x.upsert(&Entity::Actor(known.clone()))
        })
        .unwrap();
    let mut same_siret = archipel_testkit::records::actor("autre", "Autre nom");
    same_siret.identifiers.siret = Some("43493312300029".into());
    let p = w.propose(Entity::Actor(same_siret));
    let mut same_name = archipel_testkit::records::actor("encore", "LES PETITS DEBROUILLARDS");
    same_name.location = Some(GeoPoint {
        lat: 45.681,
        lon: 2.051,
    });
    let q = w.propose(Entity::Actor(same_name));
    let mut elsewhere = archipel_testkit::records::actor("loin", "Les petits débrouillards");
    elsewhere.location = Some(GeoPoint {
        lat: 48.0,
        lon: -4.0,
    });
    let r = w.propose(Entity::Actor(elsewhere));
    let dup = |id| {
        contribute::review(&w.store, &w.content, id)
            .unwrap()
            .unwrap()
            .duplicates
    };
    let d = dup(p);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].id, known.id.to_string());
    assert_eq!(d[0].why, Duplicate::Identifier("siret"));
    assert_eq!(dup(q)[0].why, Duplicate::NameNearby);
    assert!(dup(r).is_empty(), "same name far away");
}

#[test]
fn a_referents_edit_is_applied_at_once_and_marked() {
    let mut w = world();
    let mut org = archipel_testkit::records::actor("asso", "Association du numérique");
    org.identifiers.siret = Some("43493312300029".into());
    w.store
        .write("test", "json", None, |x| {
            x.upsert(&Entity::Actor(org.clone()))
        })
        .unwrap();
    let agent = w
        .store
        .record_identity(
            "https://proconnect.example",
            "sub-1",
            &serde_json::json!({"siret": "43493312300029", "email": "agent@asso.fr"}),
            &NewAccount {
                email: Some("agent@asso.fr"),
                password_hash: None,
                display_name: "Agent",
                role: "contributor",
            },
            &Audit::new(t0(), None, serde_json::Value::Null),
        )
        .unwrap()
        .0;
    // Only an account whose identity carries the actor's SIRET.
    let err = contribute::make_referent(
        &mut w.store,
        w.contributor,
        &org.id,
        Some(w.moderator),
        at(1),
    )
    .unwrap_err();
    assert!(matches!(err, ReferentError::OtherSiret { .. }), "{err}");
    contribute::make_referent(&mut w.store, agent, &org.id, Some(w.moderator), at(1)).unwrap();

    let mut edit = org.clone();
    edit.description = Some("Ateliers tous les mercredis".into());
    let done = w
        .submit(Entity::Actor(edit), Proposer::Account(agent), at(3))
        .unwrap();
    assert!(matches!(done, Submitted::Applied { .. }), "{done:?}");
    let Some(Entity::Actor(now)) = w.store.get(&org.id).unwrap() else {
        panic!()
    };
    assert_eq!(
        now.description.as_deref(),
        Some("Ateliers tous les mercredis")
    );
    let h = archipel_jobs::history::versions(&w.store, &org.id).unwrap();
    assert_eq!(h[0].action, "referent");
    assert_eq!(h[0].by.as_deref(), Some("Agent"));
    // Another actor's record is not theirs: it waits for a moderator.
    let mut other = actor(&w, VILLE);
    other.name = "Ville".into();
    let pending = w
        .submit(Entity::Actor(other), Proposer::Account(agent), at(3))
        .unwrap();
    assert!(matches!(pending, Submitted::Pending(_)));
}

#[test]
fn the_queue_filters_by_kind_territory_and_age_and_anonymous_proposals_need_the_setting() {
    let mut w = world();
    let place = match w
        .store
        .get(&eid("place:demo:mediatheque-lucioles"))
        .unwrap()
    {
        Some(Entity::Place(p)) => p,
        other => panic!("{other:?}"),
    };
    let mut p1 = place.clone();
    p1.phone = Some("01 02 03 04 05".into());
    let in_96001 = w.propose(Entity::Place(p1));
    let mut a = actor(&w, "actor:demo:ville-port-partage");
    a.description = Some("Commune littorale".into());
    let in_96002 = match w
        .submit(Entity::Actor(a), Proposer::Account(w.contributor), at(5))
        .unwrap()
    {
        Submitted::Pending(id) => id,
        other => panic!("{other:?}"),
    };
    let report = contribute::submit(
        &mut w.store,
        &w.content,
        Policy::default(),
        Submission {
            proposed: Proposed::Report {
                record: eid("commons:sill:234"),
                report: Report::Wrong,
            },
            base: None,
            comment: Some("La licence a changé".into()),
            proposer: Proposer::Account(w.contributor),
            at: at(6),
        },
    )
    .unwrap();
    let Submitted::Pending(report) = report else {
        panic!()
    };
    let ids = |q: ProposalQuery| -> Vec<i64> {
        w.store
            .proposals(&q)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect()
    };
    let all = ids(ProposalQuery {
        status: Some("pending".into()),
        ..Default::default()
    });
    assert_eq!(all, [in_96001, in_96002, report], "oldest first");
    let under_epci = ids(ProposalQuery {
        territory: Some(eid("territory:demo:epci:960000008")),
        ..Default::default()
    });
    assert_eq!(under_epci, [in_96001, in_96002], "everything below it");
    let commune = ids(ProposalQuery {
        territory: Some(eid("territory:demo:commune:96001")),
        ..Default::default()
    });
    assert_eq!(commune, [in_96001]);
    let commons = ids(ProposalQuery {
        kind: Some(EntityKind::Commons),
        ..Default::default()
    });
    assert_eq!(commons, [report]);
    let older = ids(ProposalQuery {
        before: Some(at(4)),
        ..Default::default()
    });
    assert_eq!(older, [in_96001]);
    let newer = ids(ProposalQuery {
        since: Some(at(5)),
        ..Default::default()
    });
    assert_eq!(newer, [in_96002, report]);
    let r = w.store.proposal(report).unwrap().unwrap();
    assert_eq!(
        (r.action.as_str(), r.report.as_deref()),
        ("report", Some("wrong"))
    );

    // Anonymous proposals: refused unless the configuration allows them.
    let mut anon = place.clone();
    anon.phone = Some("09 09 09 09 09".into());
    let who = Proposer::Anonymous("passant@exemple.fr".into());
    let refused = w.submit(Entity::Place(anon.clone()), who.clone(), at(7));
    assert!(
        matches!(refused, Err(ContributionError::AnonymousNotAllowed)),
        "{refused:?}"
    );
    let allowed = contribute::submit(
        &mut w.store,
        &w.content,
        Policy { anonymous: true },
        Submission {
            proposed: Proposed::Record(Box::new(Entity::Place(anon))),
            base: None,
            comment: None,
            proposer: who,
            at: at(7),
        },
    )
    .unwrap();
    let Submitted::Pending(id) = allowed else {
        panic!()
    };
    let kept = w.store.proposal(id).unwrap().unwrap();
    assert_eq!(kept.email.as_deref(), Some("passant@exemple.fr"));
    assert_eq!(kept.account, None);
}

#[test]
fn a_relation_is_proposed_and_accepted_like_any_record() {
    let mut w = world();
    let subject = eid(VILLE);
    let object = eid("commons:sill:211");
    let r = Relation {
        id: Relation::derive_id("web", &subject, "uses", &object, None).unwrap(),
        subject,
        kind: "uses".into(),
        object,
        role: None,
        since: Some(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
        until: None,
        note: None,
        provenance: Provenance::new("web", t0()),
    };
    let p = w.propose(Entity::Relation(r.clone()));
    assert_eq!(w.store.get(&r.id).unwrap(), None);
    let review = contribute::review(&w.store, &w.content, p)
        .unwrap()
        .unwrap();
    assert_eq!(review.proposal.action, "create");
    assert_eq!(
        review.proposal.territory.as_deref(),
        Some("territory:demo:commune:96001"),
        "filed under its subject's territory"
    );
    let by = w.moderator();
    contribute::accept(&mut w.store, &w.content, p, None, None, &by).unwrap();
    assert!(w.store.get(&r.id).unwrap().is_some());
    let h = archipel_jobs::history::versions(&w.store, &r.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "proposal");
}

/// A record written before the registry kept histories (no batch on its
/// row, as migration 0007 leaves them) starts with a version whose change
/// is unknown, dated and sourced by its provenance; a later change is
/// kept after it.
#[test]
fn records_from_before_history_start_with_an_unknown_version() {
    let mut w = world();
    let conn = rusqlite::Connection::open(w.store.path()).unwrap();
    conn.execute("UPDATE entity SET batch = NULL WHERE id = ?1", [VILLE])
        .unwrap();
    drop(conn);
    let h = archipel_jobs::history::versions(&w.store, &eid(VILLE)).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "unknown");
    assert_eq!(h[0].source, "demo");
    assert_eq!(h[0].batch, None);
    let mut edit = actor(&w, VILLE);
    edit.name = "Ville renommée".into();
    let p = w.propose(Entity::Actor(edit));
    let by = w.moderator();
    contribute::accept(&mut w.store, &w.content, p, None, None, &by).unwrap();
    let h = archipel_jobs::history::versions(&w.store, &eid(VILLE)).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0].action.as_str(), h[1].action.as_str()),
        ("proposal", "unknown")
    );
    assert!(h[0].changes.iter().any(|c| c.field == "name"));
    // Restoring the first version brings the old name back, as version 3.
    let by = Decider {
        at: at(4),
        ..w.moderator()
    };
    archipel_jobs::history::restore(&mut w.store, &eid(VILLE), 1, &by).unwrap();
    assert_ne!(actor(&w, VILLE).name, "Ville renommée");
    let h = archipel_jobs::history::versions(&w.store, &eid(VILLE)).unwrap();
    assert_eq!((h.len(), h[0].action.as_str()), (3, "restore"));
}

/// A place run by `actor`, in the demonstration's first commune.
fn place_of(actor: &EntityId, local: &str) -> Place {
    Place {
        id: EntityId::new(EntityKind::Place, "web", local).unwrap(),
        name: "Atelier".into(),
        actor: Some(actor.clone()),
        description: None,
        address: Address {
            city: Some("Villecommune".into()),
            ..Address::default()
        },
        insee_code: None,
        location: Some(GeoPoint {
            lat: 45.68,
            lon: 2.05,
        }),
        territory: None,
        phone: None,
        emails: vec![],
        websites: vec![],
        details: Default::default(),
        provenance: Provenance::new("web", t0()),
    }
}

#[test]
fn records_proposed_together_are_decided_together_in_one_transaction() {
    let mut w = world();
    let a = Actor {
        id: EntityId::new(EntityKind::Actor, "web", "atelier").unwrap(),
        ..archipel_testkit::records::actor("x", "L'Atelier")
    };
    let p = place_of(&a.id, "atelier");
    let submit = |w: &mut World, a: &Actor, p: Place| {
        contribute::submit_together(
            &mut w.store,
            &w.content,
            Policy::default(),
            Submission {
                proposed: Proposed::Record(Box::new(Entity::Actor(a.clone()))),
                base: None,
                comment: None,
                proposer: Proposer::Account(w.contributor),
                at: at(1),
            },
            vec![Entity::Place(p)],
        )
    };
    // The place alone would point at an actor the registry lacks.
    let alone = w.submit(
        Entity::Place(place_of(&a.id, "seul")),
        Proposer::Account(w.contributor),
        at(1),
    );
    assert!(
        matches!(alone, Err(ContributionError::Invalid(ref v)) if v.iter().any(|e| e.field == "actor"))
    );
    // A problem of the place is named after it.
    let mut bad = place_of(&a.id, "atelier");
    bad.location = Some(GeoPoint {
        lat: 95.0,
        lon: 2.0,
    });
    match submit(&mut w, &a, bad) {
        Err(ContributionError::Invalid(v)) => {
            assert!(v.iter().any(|e| e.field == "place.location"), "{v:?}")
        }
        other => panic!("{other:?}"),
    }
    let done = submit(&mut w, &a, p).unwrap();
    let ids: Vec<i64> = done
        .iter()
        .map(|s| match s {
            Submitted::Pending(id) => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids.len(), 2);
    let review = contribute::review(&w.store, &w.content, ids[0])
        .unwrap()
        .unwrap();
    assert_eq!(review.companions.len(), 1);
    assert!(review.problems.is_empty(), "{:?}", review.problems);
    // Accepting the place accepts its actor first, in one batch.
    let by = w.moderator();
    let applied = contribute::accept(&mut w.store, &w.content, ids[1], None, None, &by).unwrap();
    assert!(w.store.get(&a.id).unwrap().is_some());
    assert!(w.store.get(&eid("place:web:atelier")).unwrap().is_some());
    for id in &ids {
        let p = w.store.proposal(*id).unwrap().unwrap();
        assert_eq!(p.status, "accepted");
        assert_eq!(p.batch, Some(applied.batch));
    }
    // Refusing one refuses the other.
    let b = Actor {
        id: EntityId::new(EntityKind::Actor, "web", "autre").unwrap(),
        ..archipel_testkit::records::actor("y", "Autre")
    };
    let done = submit(&mut w, &b, place_of(&b.id, "autre")).unwrap();
    let Submitted::Pending(first) = done[0] else {
        panic!("{done:?}")
    };
    contribute::refuse(&mut w.store, first, "Inconnu ici.", &by).unwrap();
    let refused = w
        .store
        .proposals(&ProposalQuery {
            status: Some("refused".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(refused.len(), 2);
    assert!(w.store.get(&b.id).unwrap().is_none());
}

#[test]
fn a_proposal_on_a_record_merged_since_is_refused_naming_the_record_kept() {
    let mut w = world();
    let kept = eid(VILLE);
    let absorbed = eid("actor:demo:ville-port-partage");
    let mut edit = actor(&w, absorbed.as_str());
    edit.description = Some("Mairie annexe".into());
    let n = w.propose(Entity::Actor(edit));
    let by = w.moderator();
    archipel_jobs::duplicates::merge(&mut w.store, &kept, &absorbed, "review", &[], &by).unwrap();
    let err = contribute::accept(&mut w.store, &w.content, n, None, None, &by).unwrap_err();
    match &err {
        ContributionError::Merged { record, into } => {
            assert_eq!((record.as_str(), into.as_str()), (absorbed.as_str(), VILLE));
        }
        other => panic!("{other}"),
    }
    assert!(
        w.store.get(&absorbed).unwrap().is_none(),
        "not brought back"
    );
    assert_eq!(w.store.proposal(n).unwrap().unwrap().status, "pending");
}
