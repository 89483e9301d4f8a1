//! Contributions over HTTP on a real temporary registry holding the
//! demonstration territory: proposal forms (errors next to their field,
//! nothing public before a decision), the moderation queue and its
//! decisions, the proposer's account page, restores, referents, reports,
//! anonymous proposals, rate limits, the audit log and its export — and
//! hostile text inert on every page it reaches.

use archipel_domain::EntityId;
use archipel_store::accounts::{Audit, NewAccount};
use axum::http::StatusCode;

mod common;

use common::web::*;

const EVIL: &str = "<script>alert('x')</script>";

fn get_record(f: &Fixture, id: &str) -> Option<archipel_domain::Entity> {
    f.store().get(&EntityId::parse(id).unwrap()).unwrap()
}

/// The text of the element with this id (its inner HTML, up to its
/// closing tag).
fn element<'a>(body: &'a str, id: &str) -> Option<&'a str> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let rest = &body[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(&rest[start..start + end])
}

#[tokio::test]
async fn an_actor_with_its_place_goes_public_only_once_a_moderator_accepts() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let form = camille.get(&f.app, "/proposer/actors").await;
    assert_eq!(form.status, StatusCode::OK);
    for field in [
        "name=\"name\"",
        "name=\"identifiers.siret\"",
        "name=\"typology\"",
        "name=\"place.address.city\"",
        "name=\"place.location.lat\"",
    ] {
        assert!(form.body.contains(field), "{field} missing from the form");
    }
    let r = send_form(
        &mut camille,
        &f.app,
        "/proposer/actors",
        &[
            ("name", "La Ressourcerie Numérique"),
            ("nature", "organisation"),
            ("kind", "association"),
            ("typology", "contributor"),
            ("description", "Réemploi d'ordinateurs et ateliers."),
            ("territory", "territory:demo:commune:96001"),
            ("place.address.street", "3 rue des Lilas"),
            ("place.address.postcode", "96100"),
            ("place.address.city", "Villecommune"),
            ("place.location.lat", "45.6811"),
            ("place.location.lon", "2.0501"),
            ("comment", "Vu à la fête des associations."),
        ],
    )
    .await;
    let n = proposal_of(&r);
    // Nothing public yet: no record, no page, no search hit.
    let actor = "actor:web:la-ressourcerie-numerique";
    assert!(get_record(&f, actor).is_none());
    let page = camille.get(&f.app, &format!("/actors/{actor}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let search = camille.get(&f.app, "/search?q=ressourcerie").await;
    assert!(!search.body.contains("La Ressourcerie Numérique"));
    // The proposer sees it waiting.
    let account = camille
        .get(&f.app, &format!("/compte?proposition={n}"))
        .await;
    assert!(account.body.contains("La Ressourcerie Numérique"));
    assert!(account.body.contains("En attente"), "{}", account.body);
    // A contributor cannot moderate.
    let queue = camille.get(&f.app, "/moderation").await;
    assert_eq!(queue.status, StatusCode::FORBIDDEN);
    // The moderator sees both, proposed together, field by field.
    let queue = dominique.get(&f.app, "/moderation").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("La Ressourcerie Numérique"));
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert!(item.body.contains("Vu à la fête des associations."));
    assert!(item.body.contains("<code>name</code>"), "{}", item.body);
    assert!(
        item.body.contains("Proposé avec"),
        "the place is not shown as its companion"
    );
    let csrf = item.csrf();
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf), ("message", "Merci !")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Both are public: the actor's page, its place on the map, search.
    let Some(archipel_domain::Entity::Actor(a)) = get_record(&f, actor) else {
        panic!("the actor was not written");
    };
    assert_eq!(a.provenance.source.as_ref(), "web");
    let places = f
        .store()
        .list(archipel_domain::EntityKind::Place)
        .unwrap()
        .into_iter()
        .filter(|p| matches!(p, archipel_domain::Entity::Place(p) if p.actor.as_ref().map(|a| a.as_str()) == Some(actor)))
        .count();
    assert_eq!(places, 1, "the place was not accepted with its actor");
    let page = camille.get(&f.app, &format!("/actors/{actor}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let geo = camille
        .get(
            &f.app,
            "/api/v1/places.geojson?territory=territory:demo:commune:96001",
        )
        .await;
    assert!(
        geo.body.contains("La Ressourcerie Numérique"),
        "{}",
        geo.body
    );
    let search = camille.get(&f.app, "/search?q=ressourcerie").await;
    assert!(search.body.contains("La Ressourcerie Numérique"));
    let account = camille.get(&f.app, "/compte").await;
    assert!(account.body.contains("Acceptée") && account.body.contains("Merci !"));
    // Its history names the decision.
    let history = camille
        .get(&f.app, &format!("/api/v1/history/{actor}"))
        .await;
    assert!(history.body.contains("proposal"), "{}", history.body);
}

#[tokio::test]
async fn an_invalid_siret_is_refused_next_to_its_field_and_nothing_is_kept() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, _) = two_people(&f).await;
    let r = send_form(
        &mut camille,
        &f.app,
        "/proposer/actors",
        &[
            ("name", "Coop des Communs"),
            ("nature", "organisation"),
            ("identifiers.siret", "123 456 789 00010"),
            ("location.lat", "quarante"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let siret = element(&r.body, "f-identifiers.siret-error")
        .or_else(|| element(&r.body, "f-identifiers-siret-error"))
        .expect("no error next to the SIRET field");
    assert!(siret.contains("SIRET"), "{siret}");
    assert!(
        element(&r.body, "f-location-lat-error").is_some(),
        "{}",
        r.body
    );
    // The form keeps what was typed, and the summary links to the field.
    assert!(r.body.contains("value=\"Coop des Communs\""));
    assert!(r.body.contains("href=\"#f-identifiers-siret\""));
    assert!(r.body.contains("aria-invalid=\"true\""));
    let kept = f
        .store()
        .proposals(&archipel_store::proposals::ProposalQuery::default())
        .unwrap();
    assert!(kept.is_empty(), "an invalid proposal was kept");
}

#[tokio::test]
async fn a_refusal_shows_its_message_to_the_proposer() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let n = proposal_of(
        &send_form(
            &mut camille,
            &f.app,
            "/proposer/commons",
            &[("name", "Un commun douteux"), ("kind", "software")],
        )
        .await,
    );
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    let csrf = item.csrf();
    // Refusing needs a message.
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/refuser"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/refuser"),
            &[
                ("csrf", &csrf),
                ("message", "Pas un commun : aucune licence libre."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let account = camille.get(&f.app, "/compte").await;
    assert!(account.body.contains("Refusée"));
    assert!(account
        .body
        .contains("Pas un commun : aucune licence libre."));
    assert!(get_record(&f, "commons:web:un-commun-douteux").is_none());
    // Deciding twice says it was decided.
    let again = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_correction_is_shown_as_a_difference_edited_accepted_then_restored() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let actor = "actor:demo:ville-villecommune";
    let record = camille.get(&f.app, &format!("/actors/{actor}")).await;
    assert!(
        record
            .body
            .contains(&format!("/actors/{}/proposer", actor.replace(':', "%3A")))
            || record.body.contains(&format!("/actors/{actor}/proposer"))
    );
    let form = camille
        .get(&f.app, &format!("/actors/{actor}/proposer"))
        .await;
    assert!(form
        .body
        .contains("value=\"Ville de Villecommune (fictive)\""));
    let csrf = form.csrf();
    // The form as shown, with the website changed.
    let r = camille
        .post(
            &f.app,
            &format!("/actors/{actor}/proposer"),
            &[
                ("csrf", &csrf),
                ("name", "Ville de Villecommune (fictive)"),
                ("nature", "organisation"),
                ("kind", "local_government"),
                ("typology", "public_agent"),
                ("website", "https://www.villecommune.demo.invalid"),
                ("territory", "territory:demo:commune:96001"),
                ("location.lat", "45.6815"),
                ("location.lon", "2.0489"),
            ],
        )
        .await;
    let n = proposal_of(&r);
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert!(item.body.contains("<code>website</code>"), "{}", item.body);
    assert!(item.body.contains("https://www.villecommune.demo.invalid"));
    // Fields left as they were are not in the difference.
    assert!(!item.body.contains("<code>name</code>"));
    // Edit, then accept: the moderator's version is written.
    let edit = dominique
        .get(&f.app, &format!("/moderation/{n}/modifier"))
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    let csrf = edit.csrf();
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/modifier"),
            &[
                ("csrf", &csrf),
                ("name", "Ville de Villecommune (fictive)"),
                ("nature", "organisation"),
                ("kind", "local_government"),
                ("typology", "public_agent"),
                ("website", "https://mairie.villecommune.demo.invalid"),
                ("territory", "territory:demo:commune:96001"),
                ("location.lat", "45.6815"),
                ("location.lon", "2.0489"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let Some(archipel_domain::Entity::Actor(a)) = get_record(&f, actor) else {
        panic!("no actor");
    };
    assert_eq!(
        a.website.as_deref(),
        Some("https://mairie.villecommune.demo.invalid")
    );
    // Restore the first version: the old website is back, as a new version.
    let history = dominique
        .get(&f.app, &format!("/actors/{actor}/historique"))
        .await;
    assert!(
        history.body.contains("Rétablir la version 1"),
        "{}",
        history.body
    );
    let csrf = history.csrf();
    // A contributor cannot restore.
    let theirs = camille.get(&f.app, "/compte").await.csrf();
    let r = camille
        .post(
            &f.app,
            &format!("/actors/{actor}/historique/restaurer"),
            &[("csrf", &theirs), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = dominique
        .post(
            &f.app,
            &format!("/actors/{actor}/historique/restaurer"),
            &[("csrf", &csrf), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let Some(archipel_domain::Entity::Actor(a)) = get_record(&f, actor) else {
        panic!("no actor");
    };
    assert_eq!(
        a.website.as_deref(),
        Some("https://villecommune.demo.invalid")
    );
    let versions =
        archipel_jobs::history::versions(&f.store(), &EntityId::parse(actor).unwrap()).unwrap();
    assert_eq!(versions.len(), 3, "a restore is a version of its own");
    assert_eq!(versions[0].action, "restore");
}

#[tokio::test]
async fn a_referents_edit_goes_live_and_is_marked() {
    let f = demo_fixture_with(|_| {});
    let actor = EntityId::parse("actor:demo:ville-villecommune").unwrap();
    // The actor has a SIRET; the agent's identity carries the same.
    let siret = "21960001700012";
    let mut store = f.store();
    let mut e = store.get(&actor).unwrap().unwrap();
    if let archipel_domain::Entity::Actor(a) = &mut e {
        a.identifiers.siret = Some(siret.into());
    }
    store.write("test", "json", None, |w| w.upsert(&e)).unwrap();
    let audit = Audit::new(t0(), None, serde_json::Value::Null);
    let hash = archipel_accounts::password::hash(PASSWORD).unwrap();
    let (agent, _) = store
        .record_identity(
            "https://proconnect.example",
            "sub-1",
            &serde_json::json!({"siret": siret, "organization_label": "Ville"}),
            &NewAccount {
                email: Some("agent@villecommune.demo.invalid"),
                password_hash: Some(&hash),
                display_name: "Agent",
                role: "contributor",
            },
            &audit,
        )
        .unwrap();
    archipel_jobs::contribute::make_referent(&mut store, agent, &actor, None, t0()).unwrap();
    drop(store);
    let mut b = Browser::default();
    b.sign_in(
        &f.app,
        "agent@villecommune.demo.invalid",
        PASSWORD,
        "/compte",
    )
    .await;
    let path = format!("/actors/{actor}/proposer");
    let r = send_form(
        &mut b,
        &f.app,
        &path,
        &[
            ("name", "Ville de Villecommune (fictive)"),
            ("nature", "organisation"),
            ("kind", "local_government"),
            ("typology", "public_agent"),
            ("identifiers.siret", siret),
            ("website", "https://agents.villecommune.demo.invalid"),
            ("territory", "territory:demo:commune:96001"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().starts_with("/actors/") && r.location().ends_with("ville-villecommune"),
        "a referent goes to the record, not to the queue: {}",
        r.location()
    );
    let Some(archipel_domain::Entity::Actor(a)) = f.store().get(&actor).unwrap() else {
        panic!("no actor");
    };
    assert_eq!(
        a.website.as_deref(),
        Some("https://agents.villecommune.demo.invalid")
    );
    let versions = archipel_jobs::history::versions(&f.store(), &actor).unwrap();
    assert_eq!(versions[0].action, "referent");
}

#[tokio::test]
async fn reports_and_anonymous_proposals_follow_the_configuration() {
    // Off by default: a visitor is sent to sign in.
    let f = demo_fixture_with(|_| {});
    let mut visitor = Browser::default();
    let r = visitor.get(&f.app, "/proposer/actors").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/connexion?next="));
    let place = f.store().list(archipel_domain::EntityKind::Place).unwrap()[0]
        .id()
        .to_string();
    let r = visitor
        .get(&f.app, &format!("/places/{place}/signaler"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // On: the form asks for an e-mail address and files the proposal.
    let f = demo_fixture_with(|c| c.sign_in.anonymous_proposals = true);
    let first = f.store().list(archipel_domain::EntityKind::Place).unwrap();
    let place = first[0].id().to_string();
    let mut visitor = Browser::default();
    let path = format!("/places/{place}/signaler");
    let r = send_form(&mut visitor, &f.app, &path, &[("reason", "closed")]).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an e-mail address is needed"
    );
    let r = send_form(
        &mut visitor,
        &f.app,
        &path,
        &[
            ("reason", "closed"),
            ("proposer_email", "voisin@exemple.fr"),
            ("comment", "Fermé depuis mars."),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let kept = f
        .store()
        .proposals(&archipel_store::proposals::ProposalQuery::default())
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].email.as_deref(), Some("voisin@exemple.fr"));
    assert_eq!(kept[0].report.as_deref(), Some("closed"));
    // Territories stay for administrators.
    let r = visitor.get(&f.app, "/proposer/territories").await;
    assert_ne!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn proposals_are_rate_limited_per_account_with_retry_after() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, _) = two_people(&f).await;
    let csrf = camille.get(&f.app, "/proposer/commons").await.csrf();
    let mut last = None;
    for _ in 0..61 {
        // Invalid proposals count too.
        last = Some(
            camille
                .post(
                    &f.app,
                    "/proposer/commons",
                    &[("csrf", &csrf), ("name", "")],
                )
                .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(last.headers.get("retry-after").is_some());
}

#[tokio::test]
async fn a_post_without_token_is_refused() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, _) = two_people(&f).await;
    for path in [
        "/proposer/actors",
        "/moderation/1/accepter",
        "/moderation/1/refuser",
        "/moderation/1/modifier",
        "/compte/propositions/1/retirer",
        "/actors/actor:demo:metropole/proposer",
        "/actors/actor:demo:metropole/signaler",
        "/actors/actor:demo:metropole/historique/restaurer",
    ] {
        let r = camille.post(&f.app, path, &[("name", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn script_in_every_field_stays_inert_on_every_page_it_reaches() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let evil_url = "https://evil.example/\"><script>alert(1)</script>";
    let r = send_form(
        &mut camille,
        &f.app,
        "/proposer/actors",
        &[
            ("name", &format!("{EVIL} Asso")),
            ("nature", "organisation"),
            ("description", EVIL),
            ("website", evil_url),
            ("place.name", &format!("{EVIL} Lieu")),
            ("place.address.city", EVIL),
            ("comment", EVIL),
        ],
    )
    .await;
    // The URL is refused, named; the page shows it escaped.
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.body.contains("<script>alert"), "unescaped on the form");
    let n = proposal_of(
        &send_form(
            &mut camille,
            &f.app,
            "/proposer/actors",
            &[
                ("name", &format!("{EVIL} Asso")),
                ("nature", "organisation"),
                ("description", EVIL),
                ("place.name", &format!("{EVIL} Lieu")),
                ("place.address.city", EVIL),
                ("comment", EVIL),
            ],
        )
        .await,
    );
    let mut pages = vec![
        camille.get(&f.app, "/compte").await,
        dominique.get(&f.app, "/moderation").await,
        dominique.get(&f.app, &format!("/moderation/{n}")).await,
        dominique
            .get(&f.app, &format!("/moderation/{n}/modifier"))
            .await,
    ];
    let csrf = pages[2].csrf();
    let r = dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf), ("message", EVIL)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let actor = "actor:web:script-alert-x-script-asso";
    assert!(
        get_record(&f, actor).is_some(),
        "not accepted under {actor}"
    );
    for path in [
        format!("/actors/{actor}"),
        format!("/actors/{actor}/historique"),
        "/compte".to_string(),
        "/search?q=asso".to_string(),
        "/".to_string(),
        "/places".to_string(),
        "/admin/journal".to_string(),
    ] {
        pages.push(camille.get(&f.app, &path).await);
    }
    for p in &pages {
        assert!(
            !p.body.contains("<script>alert"),
            "unescaped script in {}",
            p.body
        );
        assert!(!p.body.contains("alert(1)</script>"));
    }
}

#[tokio::test]
async fn administrators_read_and_export_the_audit_log_safe_for_spreadsheets() {
    let f = demo_fixture_with(|_| {});
    f.account("admin@exemple.fr", "=HYPERLINK(\"http://x\")", "admin");
    let (mut camille, mut dominique) = two_people(&f).await;
    let n = proposal_of(
        &send_form(
            &mut camille,
            &f.app,
            "/proposer/commons",
            &[("name", "Logiciel libre"), ("kind", "software")],
        )
        .await,
    );
    let csrf = dominique
        .get(&f.app, &format!("/moderation/{n}"))
        .await
        .csrf();
    dominique
        .post(
            &f.app,
            &format!("/moderation/{n}/accepter"),
            &[("csrf", &csrf)],
        )
        .await;
    // Moderators do not read the log.
    assert_eq!(
        dominique.get(&f.app, "/admin/journal").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Browser::default();
    admin
        .sign_in(&f.app, "admin@exemple.fr", PASSWORD, "/")
        .await;
    let page = admin.get(&f.app, "/admin/journal").await;
    assert_eq!(page.status, StatusCode::OK);
    for action in ["proposal.create", "proposal.accept", "session.open"] {
        assert!(page.body.contains(action), "{action} not in the log");
    }
    let csv = admin.get(&f.app, "/admin/journal.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("\"id\",\"at\""));
    assert!(csv.body.contains("proposal.accept"));
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"http://x\"\")"),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains(",\"=HYPERLINK"));
}

#[tokio::test]
async fn a_proposal_on_a_record_an_import_changed_shows_what_changed_since() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, mut dominique) = two_people(&f).await;
    let actor = EntityId::parse("actor:demo:metropole").unwrap();
    let path = format!("/actors/{actor}/proposer");
    let form = camille.get(&f.app, &path).await;
    let csrf = form.csrf();
    // An import changes the record after the form was shown.
    let mut store = f.store();
    let mut e = store.get(&actor).unwrap().unwrap();
    if let archipel_domain::Entity::Actor(a) = &mut e {
        a.email = Some("nouveau@metropole.demo.invalid".into());
    }
    store
        .write("reimport", "json", None, |w| w.upsert(&e))
        .unwrap();
    drop(store);
    let base = form
        .body
        .split("name=\"base\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let r = camille
        .post(
            &f.app,
            &path,
            &[
                ("csrf", &csrf),
                ("base", &base),
                ("name", "Métropole de Démonstration (fictive)"),
                ("nature", "organisation"),
                ("kind", "local_government"),
                ("typology", "public_agent"),
                ("website", "https://metropole.demo.invalid/communs"),
            ],
        )
        .await;
    let n = proposal_of(&r);
    let item = dominique.get(&f.app, &format!("/moderation/{n}")).await;
    assert!(
        item.body
            .contains("La fiche a changé depuis la proposition"),
        "{}",
        item.body
    );
    assert!(item.body.contains("nouveau@metropole.demo.invalid"));
    let queue = dominique.get(&f.app, "/moderation").await;
    assert!(queue.body.contains("fiche modifiée depuis"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_while_an_import_holds_the_registry_says_so_and_loses_nothing() {
    let f = demo_fixture_with(|_| {});
    let (mut camille, _) = two_people(&f).await;
    let form = camille.get(&f.app, "/proposer/commons").await;
    let csrf = form.csrf();
    // An import holds the registry longer than a web write waits.
    let db = f.db.clone();
    let (held, hold) = std::sync::mpsc::channel();
    let import = std::thread::spawn(move || {
        let mut store = archipel_store::Store::open(&db).unwrap();
        store
            .write("long-import", "csv", Some("lieux.csv"), |_| {
                held.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_secs(12));
                Ok::<(), archipel_store::StoreError>(())
            })
            .unwrap();
    });
    hold.recv().unwrap();
    let r = camille
        .post(
            &f.app,
            "/proposer/commons",
            &[
                ("csrf", &csrf),
                ("name", "Pendant l'import"),
                ("kind", "software"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.headers.get("retry-after").is_some());
    assert!(r.body.contains("busy"), "{}", r.body);
    assert!(
        !r.body.contains(f.dir.path().to_str().unwrap()),
        "the path shows"
    );
    import.join().unwrap();
    // Once it is done, the same form goes through.
    let r = camille
        .post(
            &f.app,
            "/proposer/commons",
            &[
                ("csrf", &csrf),
                ("name", "Pendant l'import"),
                ("kind", "software"),
            ],
        )
        .await;
    proposal_of(&r);
}
