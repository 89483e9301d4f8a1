//! Public action entered through the contribution forms, over HTTP on a
//! real temporary registry holding the demonstration territory: a grant
//! proposed with a form (an amount with a decimal comma refused next to
//! its field, nothing kept), public only once a moderator accepts it; an
//! event's correction edited by the moderator, then restored from the
//! record's history; hostile text inert on every page it reaches.

use archipel_domain::{Action, ActionId, ActionKind};
use archipel_store::ActionQuery;
use axum::http::StatusCode;

mod common;

use common::web::*;

const EVIL: &str = "<script>alert('x')</script>";

fn first(f: &Fixture, kind: ActionKind) -> Action {
    f.store()
        .actions(&ActionQuery {
            kind: Some(kind),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the demonstration has a {kind}"))
}

#[tokio::test]
async fn a_grant_proposed_with_the_form_is_public_only_once_accepted() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let Action::Grant(model) = first(&f, ActionKind::Grant) else {
        panic!()
    };
    // The support page offers the forms.
    let support = camille.get(&f.app, "/soutiens").await;
    assert!(support.body.contains("/soutiens/proposer/grants"));
    let form = camille.get(&f.app, "/soutiens/proposer/grants").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for field in [
        "amount_cents",
        "share",
        "beneficiary",
        "payment_terms",
        "eu_notified",
    ] {
        assert!(
            form.body.contains(&format!("name=\"{field}\"")),
            "{field} missing from the form"
        );
    }
    let purpose = format!("Traduction des guides {EVIL}");
    let giver = model.giver.to_string();
    let beneficiary = model.beneficiary.to_string();
    let fields = |amount: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("purpose", purpose.clone()),
            ("giver_name", model.giver_name.clone()),
            ("giver_siret", model.giver_siret.clone()),
            ("giver", giver.clone()),
            ("date", "2026-03-12".into()),
            ("beneficiary_name", model.beneficiary_name.clone()),
            ("beneficiary", beneficiary.clone()),
            ("amount_cents", amount.into()),
            ("share", "1".into()),
            ("nature", "aide en numéraire".into()),
            ("payment_terms", "unique".into()),
            ("payment_from", "2026-04-01".into()),
            ("comment", "Délibération du 12 mars".into()),
        ]
    };
    // A decimal comma: refused next to its field, nothing kept.
    let sent = fields("1500,50");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = send_form(&mut camille, &f.app, "/soutiens/proposer/grants", &pairs).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-amount_cents-error\""), "{}", r.body);
    assert!(r.body.contains("1500.50"), "the error says what to write");
    assert!(!r.body.contains(EVIL), "the purpose is shown escaped");
    assert!(f.store().proposals(&Default::default()).unwrap().is_empty());

    let sent = fields("1500.50");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = send_form(&mut camille, &f.app, "/soutiens/proposer/grants", &pairs).await;
    let n = proposal_of(&r);
    let p = f.store().proposal(n).unwrap().unwrap();
    assert_eq!(p.kind, "grant");
    let id = ActionId::parse(&p.record).unwrap();
    assert!(
        f.store().action(&id).unwrap().is_none(),
        "nothing public yet"
    );
    let page = camille.get(&f.app, &format!("/soutiens/{id}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let account = camille
        .get(&f.app, &format!("/compte?proposition={n}"))
        .await;
    assert!(
        account.body.contains("Traduction des guides"),
        "{}",
        account.body
    );
    assert!(account.body.contains("En attente"));

    // The moderator's queue and the proposal's page.
    let queue = dominique.get(&f.app, "/moderation").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Subvention"), "{}", queue.body);
    assert!(!queue.body.contains(EVIL));
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert_eq!(item.status, StatusCode::OK, "{}", item.body);
    assert!(
        item.body.contains("<code>amount_cents</code>"),
        "{}",
        item.body
    );
    assert!(item.body.contains("150050"));
    assert!(!item.body.contains(EVIL));
    let csrf = item.csrf();
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf), ("message", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let Some(Action::Grant(g)) = f.store().action(&id).unwrap() else {
        panic!("the grant is written")
    };
    assert_eq!(g.amount_cents, 150_050);
    assert_eq!(g.purpose, purpose);
    let page = camille.get(&f.app, &format!("/soutiens/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(EVIL));
    assert!(
        page.body.contains("/historique"),
        "the page links its history"
    );
    let account = camille.get(&f.app, "/compte").await;
    assert!(
        account.body.contains("href=\"/soutiens/grant%3Aweb%3A")
            || account.body.contains("href=\"/soutiens/grant:web:"),
        "the accepted proposal links its record: {}",
        account.body
    );
    let history = camille
        .get(&f.app, &format!("/soutiens/{id}/historique"))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert!(history.body.contains("Dominique"), "{}", history.body);
    assert!(!history.body.contains(EVIL));
}

#[tokio::test]
async fn an_event_correction_is_edited_by_the_moderator_then_restored() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let Action::Event(e) = first(&f, ActionKind::Event) else {
        panic!()
    };
    let path = format!("/soutiens/{}/proposer", e.id);
    let form = camille.get(&f.app, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form
        .body
        .contains("name=\"attendance.by_actor_kind.association\""));
    // The form as shown (its values), with the attendance changed.
    let shown = archipel_web::action_form::values_of(&Action::Event(e.clone()));
    let mut pairs: Vec<(String, String)> = shown
        .0
        .iter()
        .filter(|(k, _)| !k.starts_with("attendance."))
        .cloned()
        .collect();
    pairs.push(("attendance.total".into(), "41".into()));
    pairs.push(("attendance.by_actor_kind.association".into(), "12".into()));
    pairs.push(("attendance.by_actor_kind.company".into(), "3".into()));
    let csrf = form.csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    all.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let r = camille.post(&f.app, &path, &all).await;
    let n = proposal_of(&r);
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert!(
        item.body.contains("<code>attendance.total</code>"),
        "{}",
        item.body
    );
    // Edit, then accept: the moderator's count is written.
    let edit = dominique
        .get(&f.app, &format!("/moderation/{n}/modifier"))
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert!(edit.body.contains("value=\"41\""), "{}", edit.body);
    let csrf = edit.csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    for (k, v) in &pairs {
        all.push((
            k.as_str(),
            if k == "attendance.total" {
                "40"
            } else {
                v.as_str()
            },
        ));
    }
    let r = dominique
        .post(&f.app, &format!("/moderation/{n}/modifier"), &all)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let Some(Action::Event(now)) = f.store().action(&e.id).unwrap() else {
        panic!()
    };
    let at = now.attendance.clone().expect("attendance");
    assert_eq!(at.total, 40);
    assert_eq!(at.by_actor_kind.get("association"), Some(&12));
    assert_eq!(at.by_actor_kind.get("company"), Some(&3));

    // Restore the first version from the record's history.
    let history_path = format!("/soutiens/{}/historique", e.id);
    let history = dominique.get(&f.app, &history_path).await;
    assert!(
        history.body.contains("Rétablir la version 1"),
        "{}",
        history.body
    );
    let csrf = history.csrf();
    let theirs = camille.get(&f.app, "/compte").await.csrf();
    let r = camille
        .post(
            &f.app,
            &format!("{history_path}/restaurer"),
            &[("csrf", &theirs), ("version", "1")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a contributor cannot restore"
    );
    let r = dominique
        .post(
            &f.app,
            &format!("{history_path}/restaurer"),
            &[("csrf", &csrf), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let Some(Action::Event(back)) = f.store().action(&e.id).unwrap() else {
        panic!()
    };
    assert_eq!(back.attendance, e.attendance);
    let versions = archipel_jobs::history::action_versions(&f.store(), &e.id).unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0].action, "restore");
}

#[tokio::test]
async fn a_report_on_a_hosting_reaches_the_moderators_and_changes_nothing() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let h = first(&f, ActionKind::Hosting);
    let page = camille.get(&f.app, &format!("/soutiens/{}", h.id())).await;
    assert!(page.body.contains("/signaler\""), "{}", page.body);
    let path = format!("/soutiens/{}/signaler", h.id());
    // No reason: said above the form, nothing kept.
    let r = send_form(&mut camille, &f.app, &path, &[("comment", "Fermé")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(f.store().proposals(&Default::default()).unwrap().is_empty());
    let r = send_form(
        &mut camille,
        &f.app,
        &path,
        &[("reason", "closed"), ("comment", EVIL)],
    )
    .await;
    let n = proposal_of(&r);
    let p = f.store().proposal(n).unwrap().unwrap();
    assert_eq!((p.kind.as_str(), p.action.as_str()), ("hosting", "report"));
    assert_eq!(p.report.as_deref(), Some("closed"));
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert_eq!(item.status, StatusCode::OK, "{}", item.body);
    assert!(!item.body.contains(EVIL));
    let csrf = item.csrf();
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf), ("message", "Noté")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(f.store().action(h.id()).unwrap().as_ref(), Some(&h));
    assert_eq!(f.store().proposal(n).unwrap().unwrap().status, "accepted");
}

#[tokio::test]
async fn visitors_are_sent_to_sign_in_and_unknown_kinds_are_not_found() {
    let f = demo_fixture_with(|_| {});
    let mut visitor = Browser::default();
    let r = visitor.get(&f.app, "/soutiens/proposer/grants").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/connexion"), "{}", r.location());
    let r = visitor.get(&f.app, "/soutiens/proposer/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = visitor
        .get(&f.app, "/soutiens/grant:demo:nothing-here/historique")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
