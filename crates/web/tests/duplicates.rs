//! Possible duplicates in the moderation pages, over HTTP on a real
//! temporary registry: the list for moderators only, with why; merging
//! (the absorbed record's page then leads to the kept one) and
//! separating, each behind the anti-forgery token; hostile names inert.

use archipel_domain::*;
use axum::http::StatusCode;

mod common;

use common::web::*;

const EVIL: &str = "<script>alert('x')</script>";

fn actor(source: &str, local: &str, name: &str, lat: f64) -> Entity {
    Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, source, local).unwrap(),
        name: name.into(),
        nature: Nature::Organisation,
        kind: Some("association".into()),
        typology: vec![],
        description: None,
        identifiers: Identifiers::default(),
        website: None,
        email: None,
        territory: None,
        location: Some(GeoPoint { lat, lon: -4.49 }),
        provenance: Provenance::new(source, t0()),
    })
}

#[tokio::test]
async fn moderators_merge_or_separate_possible_duplicates() {
    let f = fixture();
    {
        let mut s = f.store();
        s.write("t", "test", None, |w| {
            w.upsert(&actor("alpha", "cafe", "Café de la Gare", 48.39))?;
            w.upsert(&actor("beta", "cafe", "Cafe de la gare", 48.391))?;
            w.upsert(&actor("alpha", "evil", &format!("{EVIL} Fablab"), 47.0))?;
            w.upsert(&actor("beta", "evil", &format!("{EVIL} fablab"), 47.0))?;
            Ok(())
        })
        .unwrap();
    }
    f.account("camille@exemple.fr", "Camille", "contributor");
    f.account("dominique@exemple.fr", "Dominique", "moderator");
    let mut camille = Browser::default();
    camille
        .sign_in(&f.app, "camille@exemple.fr", PASSWORD, "/compte")
        .await;
    let mut dominique = Browser::default();
    dominique
        .sign_in(&f.app, "dominique@exemple.fr", PASSWORD, "/compte")
        .await;

    // Moderators only; signed out, to the sign-in page.
    let r = camille.get(&f.app, "/moderation/doublons").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = Browser::default().get(&f.app, "/moderation/doublons").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The queue links the list, which shows both pairs with why.
    let queue = dominique.get(&f.app, "/moderation").await;
    assert!(queue.body.contains("/moderation/doublons"));
    let page = dominique.get(&f.app, "/moderation/doublons").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2 paires à examiner"), "{}", page.body);
    assert!(page.body.contains("Café de la Gare"));
    assert!(page.body.contains("même nom, 111 m"), "{}", page.body);
    let en = dominique.get(&f.app, "/moderation/doublons?lang=en").await;
    assert!(en.body.contains("same name, 111 m"), "{}", en.body);
    assert!(!page.body.contains(EVIL), "a name reached the page raw");
    assert!(page
        .body
        .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; Fablab"));

    // Posts need the token.
    for path in [
        "/moderation/doublons/fusionner",
        "/moderation/doublons/distincts",
    ] {
        let r = dominique
            .post(
                &f.app,
                path,
                &[("a", "actor:alpha:cafe"), ("b", "actor:beta:cafe")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let csrf = page.csrf();
    // A contributor's post is refused.
    let r = camille
        .post(
            &f.app,
            "/moderation/doublons/fusionner",
            &[
                ("csrf", &csrf),
                ("a", "actor:alpha:cafe"),
                ("b", "actor:beta:cafe"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(f
        .store()
        .get(&EntityId::parse("actor:beta:cafe").unwrap())
        .unwrap()
        .is_some());

    // Merge the café.
    let r = dominique
        .post(
            &f.app,
            "/moderation/doublons/fusionner",
            &[
                ("csrf", &csrf),
                ("a", "actor:alpha:cafe"),
                ("b", "actor:beta:cafe"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/moderation/doublons?fusion=1");
    let store = f.store();
    assert!(store
        .get(&EntityId::parse("actor:beta:cafe").unwrap())
        .unwrap()
        .is_none());
    let merges = store.merges(true).unwrap();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].how, "review");
    assert_eq!(merges[0].why, ["name"]);
    assert!(merges[0].account.is_some());
    // The absorbed record's page leads to the kept one.
    let r = camille.get(&f.app, "/actors/actor:beta:cafe").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.location(), "/actors/actor:alpha:cafe");
    // Merging it again: it is gone.
    let r = dominique
        .post(
            &f.app,
            "/moderation/doublons/fusionner",
            &[
                ("csrf", &csrf),
                ("a", "actor:alpha:cafe"),
                ("b", "actor:beta:cafe"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Separate the other pair: no longer listed.
    let r = dominique
        .post(
            &f.app,
            "/moderation/doublons/distincts",
            &[
                ("csrf", &csrf),
                ("a", "actor:alpha:evil"),
                ("b", "actor:beta:evil"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = dominique
        .get(&f.app, "/moderation/doublons?distinctes=1")
        .await;
    assert!(page.body.contains("0 paires à examiner"), "{}", page.body);
    assert!(page.body.contains("ne seront plus proposées"));
    // An unknown record: 404.
    let r = dominique
        .post(
            &f.app,
            "/moderation/doublons/fusionner",
            &[
                ("csrf", &csrf),
                ("a", "actor:alpha:cafe"),
                ("b", "territory:x:y"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
