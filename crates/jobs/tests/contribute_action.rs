//! Contributions on public action records (calls, grants, hardware,
//! events…) on real temporary registries holding the demonstration
//! territory: a proposal changes nothing until a moderator accepts it, the
//! record's history keeps every version (and a restore), problems are
//! named by field, a referent of the giving actor is applied at once, and
//! the entities' decision path refuses a proposal it cannot apply.

use archipel_content::Content;
use archipel_domain::*;
use archipel_jobs::contribute::{self, ContributionError, Policy, Proposer, Submitted};
use archipel_jobs::contribute_action::{self, Proposed, Submission};
use archipel_jobs::Decider;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::proposals::{ProposalError, ProposalQuery};
use archipel_store::{ActionQuery, Store};
use archipel_testkit::records::t0;
use chrono::{DateTime, Duration, Utc};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    content: Content,
    contributor: i64,
    moderator: i64,
}

fn account(store: &mut Store, email: &str, role: &str) -> i64 {
    store
        .create_account(
            &NewAccount {
                email: Some(email),
                password_hash: None,
                display_name: email,
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
    let contributor = account(&mut store, "contrib@exemple.fr", "contributor");
    let moderator = account(&mut store, "modo@exemple.fr", "moderator");
    World {
        _dir: dir,
        store,
        content,
        contributor,
        moderator,
    }
}

fn at(days: i64) -> DateTime<Utc> {
    t0() + Duration::days(days)
}

impl World {
    fn first(&self, kind: ActionKind) -> Action {
        self.store
            .actions(&ActionQuery {
                kind: Some(kind),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("the demonstration has a {kind}"))
    }

    fn submit(&mut self, a: Action, who: i64) -> Result<Submitted, ContributionError> {
        contribute_action::submit(
            &mut self.store,
            &self.content,
            Policy::default(),
            Submission {
                proposed: Proposed::Record(Box::new(a)),
                base: None,
                comment: Some("Chiffre du bilan annuel".into()),
                proposer: Proposer::Account(who),
                at: at(1),
            },
        )
    }
}

fn moderator(account: i64, days: i64) -> Decider<'static> {
    Decider {
        account: Some(account),
        via: "web",
        at: at(days),
    }
}

fn grant_of(a: &Action) -> Grant {
    match a {
        Action::Grant(g) => g.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edited_grant_waits_for_a_moderator_and_its_history_keeps_every_version() {
    let mut w = world();
    let before = w.first(ActionKind::Grant);
    let mut g = grant_of(&before);
    let old_amount = g.amount_cents;
    g.amount_cents = old_amount + 123_456;
    let id = match w.submit(Action::Grant(g.clone()), w.contributor).unwrap() {
        Submitted::Pending(id) => id,
        other => panic!("{other:?}"),
    };
    // Nothing public changed.
    let now = grant_of(&w.store.action(before.id()).unwrap().unwrap());
    assert_eq!(now.amount_cents, old_amount);
    assert_eq!(w.store.action_history(before.id()).unwrap().len(), 1);

    // The moderator sees the difference, against version 1.
    let r = contribute_action::review(&w.store, &w.content, id)
        .unwrap()
        .unwrap();
    assert_eq!(r.proposal.kind, "grant");
    assert_eq!(r.proposal.base, Some(1));
    assert!(!r.stale && r.problems.is_empty(), "{r:?}");
    let change = r
        .changes
        .iter()
        .find(|c| c.field == "amount_cents")
        .expect("the amount changes");
    assert_eq!(change.before, Some(serde_json::json!(old_amount)));
    assert_eq!(change.after, Some(serde_json::json!(old_amount + 123_456)));
    // The queue holds it, filed under the grant's territory.
    let queue = w
        .store
        .proposals(&ProposalQuery {
            status: Some("pending".into()),
            territory: before.territory().cloned(),
            ..Default::default()
        })
        .unwrap();
    assert!(queue.iter().any(|p| p.id == id), "{queue:?}");

    // The store's entity path refuses it rather than misread it.
    let err = w
        .store
        .accept_proposal(
            id,
            None,
            None,
            &archipel_store::Change {
                source: "web",
                format: "web",
                file: None,
                action: "proposal",
                account: Some(w.moderator),
                note: None,
                at: at(2),
            },
            &Audit::new(at(2), Some(w.moderator), serde_json::Value::Null),
        )
        .unwrap_err();
    assert!(matches!(err, ProposalError::OtherKind { .. }), "{err}");

    contribute_action::accept(
        &mut w.store,
        &w.content,
        id,
        None,
        Some("Merci"),
        &moderator(w.moderator, 2),
    )
    .unwrap();
    let now = grant_of(&w.store.action(before.id()).unwrap().unwrap());
    assert_eq!(now.amount_cents, old_amount + 123_456);
    let p = w.store.proposal(id).unwrap().unwrap();
    assert_eq!(p.status, "accepted");
    assert_eq!(p.message.as_deref(), Some("Merci"));

    // Two versions, the newest by the proposal, with its difference.
    let h = archipel_jobs::history::action_versions(&w.store, before.id()).unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[0].action, "proposal");
    assert_eq!(h[0].by.as_deref(), Some("modo@exemple.fr"));
    assert!(h[0].changes.iter().any(|c| c.field == "amount_cents"));
    // The first version is the demonstration's, unchanged.
    let states = w.store.action_history(before.id()).unwrap();
    assert!(states[0].state.as_ref().unwrap().same_facts(&before));

    // A moderator restores version 1: a third version, the old amount.
    archipel_jobs::history::restore_action(
        &mut w.store,
        before.id(),
        1,
        &moderator(w.moderator, 3),
    )
    .unwrap();
    let now = grant_of(&w.store.action(before.id()).unwrap().unwrap());
    assert_eq!(now.amount_cents, old_amount);
    let h = archipel_jobs::history::action_versions(&w.store, before.id()).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].action, "restore");
}

#[test]
fn a_new_event_is_proposed_then_accepted_and_a_dangling_organiser_is_named() {
    let mut w = world();
    let Action::Event(mut e) = w.first(ActionKind::Event) else {
        panic!()
    };
    e.id = ActionId::new(ActionKind::Event, "web", "atelier-cartographie").unwrap();
    e.name = "Atelier de cartographie libre".into();
    let organiser = e.organiser.clone();
    e.organiser = EntityId::parse("actor:demo:personne-inconnue").unwrap();
    let err = w
        .submit(Action::Event(e.clone()), w.contributor)
        .unwrap_err();
    let ContributionError::Invalid(problems) = err else {
        panic!("{err}")
    };
    assert!(
        problems.iter().any(|p| p.field == "organiser"),
        "{problems:?}"
    );
    assert!(w
        .store
        .proposals(&ProposalQuery::default())
        .unwrap()
        .is_empty());

    e.organiser = organiser;
    let id = match w.submit(Action::Event(e.clone()), w.contributor).unwrap() {
        Submitted::Pending(id) => id,
        other => panic!("{other:?}"),
    };
    assert!(w.store.action(&e.id).unwrap().is_none());
    let r = contribute_action::review(&w.store, &w.content, id)
        .unwrap()
        .unwrap();
    assert_eq!(r.proposal.action, "create");
    assert!(r.current.is_none());
    assert!(r.changes.iter().any(|c| c.field == "name"));
    // The registry's decision path accepts it too (the command line's).
    contribute::accept(
        &mut w.store,
        &w.content,
        id,
        None,
        None,
        &moderator(w.moderator, 2),
    )
    .unwrap();
    let Some(Action::Event(now)) = w.store.action(&e.id).unwrap() else {
        panic!("the event is written")
    };
    assert_eq!(now.name, "Atelier de cartographie libre");
    assert_eq!(&*now.provenance.source, "web");
    assert_eq!(
        archipel_jobs::history::action_versions(&w.store, &e.id)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_referent_of_the_giving_actor_is_applied_at_once_and_a_refusal_changes_nothing() {
    let mut w = world();
    let hw = w.first(ActionKind::Hardware);
    let Action::Hardware(mut h) = hw.clone() else {
        panic!()
    };
    let agent = account(&mut w.store, "agent@ville.fr", "contributor");
    w.store
        .add_referent(
            agent,
            &h.giver,
            &Audit::new(at(0), Some(w.moderator), serde_json::Value::Null),
        )
        .unwrap();
    h.returned = !h.returned;
    let done = w.submit(Action::Hardware(h.clone()), agent).unwrap();
    assert!(matches!(done, Submitted::Applied { .. }), "{done:?}");
    let Some(Action::Hardware(now)) = w.store.action(&h.id).unwrap() else {
        panic!()
    };
    assert_eq!(now.returned, h.returned);
    let versions = archipel_jobs::history::action_versions(&w.store, &h.id).unwrap();
    assert_eq!(versions[0].action, "referent");

    // Someone else's proposal waits, and a refusal leaves the record.
    h.quantity += 5;
    let id = match w
        .submit(Action::Hardware(h.clone()), w.contributor)
        .unwrap()
    {
        Submitted::Pending(id) => id,
        other => panic!("{other:?}"),
    };
    contribute::refuse(
        &mut w.store,
        id,
        "Pas de justificatif",
        &moderator(w.moderator, 2),
    )
    .unwrap();
    let Some(Action::Hardware(still)) = w.store.action(&h.id).unwrap() else {
        panic!()
    };
    assert_eq!(still.quantity, now.quantity);
    assert_eq!(w.store.proposal(id).unwrap().unwrap().status, "refused");
}

#[test]
fn a_reimport_keeps_the_replaced_state_but_one_batch_writing_twice_keeps_none() {
    let mut w = world();
    let a = w.first(ActionKind::Post);
    let Action::Post(mut p) = a.clone() else {
        panic!()
    };
    p.funding = Some("Budget annexe".into());
    let changed = Action::Post(p.clone());
    w.store
        .write("test", "json", None, |x| x.upsert_action(&changed))
        .unwrap();
    assert_eq!(w.store.action_history(a.id()).unwrap().len(), 2);
    // One batch writing the record twice keeps only what was there before.
    p.funding = Some("Fonds propres".into());
    let again = Action::Post(p.clone());
    p.funding = Some("Mécénat".into());
    let last = Action::Post(p);
    w.store
        .write("test", "json", None, |x| {
            x.upsert_action(&again)?;
            x.upsert_action(&last)
        })
        .unwrap();
    let h = w.store.action_history(a.id()).unwrap();
    assert_eq!(h.len(), 3, "{h:?}");
    assert!(h[2].state.as_ref().unwrap().same_facts(&last));
    assert!(h[1].state.as_ref().unwrap().same_facts(&changed));
}
