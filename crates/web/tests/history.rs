//! History on the web, on a real temporary registry: the history API's
//! contract, a record's history page, the Atom feed and the home page's
//! latest changes — all read from the histories, with hostile text inert
//! in each.

use archipel_content::Content;
use archipel_domain::*;
use archipel_jobs::contribute::{self, Policy, Proposed, Proposer, Submission, Submitted};
use archipel_jobs::Decider;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::Store;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

const EVIL: &str = "<script>alert('x')</script> Évil & Co";

fn evil() -> Actor {
    Actor {
        id: EntityId::new(EntityKind::Actor, "test", "evil").unwrap(),
        name: "Association".into(),
        nature: Nature::Organisation,
        kind: Some("association".into()),
        typology: vec![],
        description: None,
        identifiers: Identifiers::default(),
        website: None,
        email: None,
        territory: Some(EntityId::parse("territory:demo:commune:96001").unwrap()),
        location: None,
        provenance: Provenance::new("test", chrono::Utc::now()),
    }
}

/// The demonstration territory, an actor imported then renamed to
/// [`EVIL`] through an accepted proposal (by "Dominique <b>"), and a
/// place removed.
fn app() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let content = Content::embedded().unwrap();
    {
        let mut store = Store::open(&db).unwrap();
        archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
        store
            .write("test", "json", Some("a<b>.json"), |w| {
                w.upsert(&Entity::Actor(evil()))
            })
            .unwrap();
        let audit = Audit::new(chrono::Utc::now(), None, serde_json::Value::Null);
        let mut account = |email: &str, name: &str, role: &str| {
            store
                .create_account(
                    &NewAccount {
                        email: Some(email),
                        password_hash: None,
                        display_name: name,
                        role,
                    },
                    &audit,
                )
                .unwrap()
        };
        let modo = account("modo@exemple.fr", "Dominique <b>", "moderator");
        let contrib = account("c@exemple.fr", "Camille", "contributor");
        let mut renamed = evil();
        renamed.name = EVIL.into();
        renamed.description = Some("<img src=x onerror=alert(1)>".into());
        let s = Submission {
            proposed: Proposed::Record(Box::new(Entity::Actor(renamed))),
            base: None,
            comment: None,
            proposer: Proposer::Account(contrib),
            at: chrono::Utc::now(),
        };
        let Submitted::Pending(p) =
            contribute::submit(&mut store, &content, Policy::default(), s).unwrap()
        else {
            panic!()
        };
        let by = Decider {
            account: Some(modo),
            via: "web",
            at: chrono::Utc::now(),
        };
        contribute::accept(&mut store, &content, p, None, None, &by).unwrap();
        let gone = EntityId::parse("place:demo:mediatheque-estran-lieu").unwrap();
        store
            .write("test", "json", None, |w| w.remove(&gone))
            .unwrap();
    }
    let mut config = archipel_web::Config::new(db);
    config.tiles = None;
    config.public_url = "https://archipel.example".into();
    let state = archipel_web::AppState::new(config, content).unwrap();
    (dir, archipel_web::router(state))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, ct, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_history_api_gives_versions_newest_first() {
    let (_d, app) = app();
    let (status, ct, body) = get(&app, "/api/v1/history/actor:test:evil").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let versions = v.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    for key in ["at", "by", "source", "changes"] {
        assert!(versions[0].get(key).is_some(), "{key}");
    }
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["by"], "Dominique <b>");
    assert_eq!(versions[0]["source"], "web");
    assert_eq!(versions[0]["action"], "proposal");
    assert_eq!(versions[1]["source"], "test");
    assert_eq!(versions[1]["file"], "a<b>.json");
    assert!(versions[1]["by"].is_null());
    let name = versions[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "name")
        .unwrap();
    assert_eq!(
        (name["before"].as_str(), name["after"].as_str()),
        (Some("Association"), Some(EVIL))
    );
    // A removed record's history stays readable.
    let (status, _, body) = get(&app, "/api/v1/history/place:demo:mediatheque-estran-lieu").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["removed"], true);
    let (status, ct, _) = get(&app, "/api/v1/history/actor:test:nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("application/json"));
    let (status, _, _) = get(&app, "/api/v1/history/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_record_page_links_its_history_page_which_escapes_every_value() {
    let (_d, app) = app();
    let (status, _, page) = get(&app, "/actors/actor:test:evil").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/actors/actor:test:evil/historique\""));
    let (status, ct, body) = get(&app, "/actors/actor:test:evil/historique").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ct.starts_with("text/html"));
    assert!(body.contains("Version 2") && body.contains("Version 1"));
    assert!(
        body.find("Version 2") < body.find("Version 1"),
        "newest first"
    );
    assert!(!body.contains("<script>alert"), "raw script in the page");
    assert!(!body.contains("<img src=x"), "raw markup from a diff value");
    assert!(!body.contains("Dominique <b>"));
    assert!(
        body.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"),
        "{body}"
    );
    assert!(body.contains("&#60;img src=x onerror=alert(1)&#62;"));
    assert!(body.contains("Dominique &#60;b&#62;"));
    assert!(body.contains("proposition acceptée"));
    assert!(body.contains("a&#60;b&#62;.json"));
    // A removed record's history page.
    let (status, _, body) = get(
        &app,
        "/places/place:demo:mediatheque-estran-lieu/historique",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("supprimé"));
    // The kind in the path must be the record's.
    let (status, _, _) = get(&app, "/places/actor:test:evil/historique").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&app, "/actors/actor:test:nobody/historique").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_feed_and_the_home_page_show_the_latest_changes_inert() {
    let (_d, app) = app();
    let (status, ct, feed) = get(&app, "/changements.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    assert!(feed.starts_with("<?xml"));
    assert!(
        !feed.contains("<script") && !feed.contains("<b>") && !feed.contains("<img"),
        "{feed}"
    );
    // Newest first: the removal (with the relations that went with the
    // place), then the decision, then the import.
    let entries: Vec<&str> = feed.split("<entry>").skip(1).collect();
    let at = |needle: &str| entries.iter().position(|e| e.contains(needle));
    let removal = at("place:demo:mediatheque-estran-lieu/historique").expect("the removal");
    let decision = at("actor:test:evil/historique").expect("the decision");
    assert!(removal < decision, "{feed}");
    let d = entries[decision];
    assert!(
        d.contains(
            "<title>&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; Évil &amp; Co</title>"
        ),
        "{d}"
    );
    assert!(d.contains("<name>Dominique &lt;b&gt;</name>"), "{d}");
    assert!(
        d.contains("<link href=\"https://archipel.example/actors/actor:test:evil/historique\"/>")
    );
    assert!(entries[removal].contains("supprimé"));
    assert!(feed.contains("<id>https://archipel.example/changements.atom</id>"));
    // Each tag closes: the feed is well formed as far as its elements go.
    assert_eq!(
        feed.matches("<entry>").count(),
        feed.matches("</entry>").count()
    );

    let (status, _, home) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/changements.atom\""
    ));
    assert!(home.contains("href=\"/actors/actor:test:evil/historique\""));
    assert!(!home.contains("<script>alert"));
    assert!(home.contains("&#60;script&#62;"));
}
