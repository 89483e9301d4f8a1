//! Every route over HTTP, on a real temporary SQLite registry holding the
//! demonstration territory and a few hostile records.

use archipel_content::Content;
use archipel_domain::*;
use archipel_store::Store;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

const EVIL: &str = "<script>alert('x')</script> Évil & Co";

fn evil_actor() -> Entity {
    Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, "test", "evil").unwrap(),
        name: EVIL.into(),
        nature: Nature::Organisation,
        kind: Some("association".into()),
        typology: vec!["contributor".into()],
        description: Some("<img src=x onerror=alert(1)> description".into()),
        identifiers: Identifiers::default(),
        website: Some("javascript:alert(1)".into()),
        email: Some("x@y.invalid\"><script>".into()),
        territory: None,
        location: Some(GeoPoint {
            lat: 45.7,
            lon: 2.05,
        }),
        provenance: Provenance::new("test", chrono::Utc::now()),
    })
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    app: Router,
    state: archipel_web::AppState,
}

fn fixture_with(f: impl FnOnce(&mut archipel_web::Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let content = Content::embedded().unwrap();
    {
        let mut store = Store::open(&db).unwrap();
        archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
        store
            .write("test", "test", None, |w| {
                w.upsert(&evil_actor())?;
                Ok(())
            })
            .unwrap();
    }
    let mut config = archipel_web::Config::new(db);
    config.tiles = None;
    config.public_url = "https://archipel.example".into();
    f(&mut config);
    let db = config.db.clone();
    let state = archipel_web::AppState::new(config, content).unwrap();
    let app = archipel_web::router(state.clone());
    Fixture {
        _dir: dir,
        db,
        app,
        state,
    }
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Res {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Res {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &Router, uri: &str) -> Res {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn json(r: &Res) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

fn ok_html(r: &Res, uri: &str) {
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{uri}: {ct}");
    assert!(r.body.starts_with("<!doctype html>"), "{uri}");
}

#[tokio::test]
async fn every_page_renders() {
    let fx = fixture();
    for uri in [
        "/",
        "/map",
        "/map?type=place&typology=opportunity_space_organiser",
        "/embed/map",
        "/embed/map?type=actor&kind=association",
        "/search",
        "/search?q=mediatheque",
        "/search?type=actor&typology=contributor&page=1",
        "/commons",
        "/commons?kind=software&sort=-name",
        "/actors",
        "/actors?sort=-updated&per_page=10&page=2",
        "/actors?territory=territory:demo:epci:960000008",
        "/places",
        "/places?commons=commons:sill:234",
        "/territories",
        "/data",
        "/actors/actor:demo:metropole",
        "/places/place:demo:mediatheque-lucioles",
        "/territories/territory:demo:epci:960000008",
        "/actors/actor:test:evil",
        "/argumentaires",
        "/argumentaires?audience=elu",
    ] {
        let r = get(&fx.app, uri).await;
        ok_html(&r, uri);
        assert!(r.body.contains("<main"), "{uri}");
        assert!(
            !r.body.contains("error.") && !r.body.contains("nav.map"),
            "{uri}: a string key shows"
        );
    }
    // A commons page: facts, relations both ways, graph.
    let commons = get(&fx.app, "/commons").await;
    let first = commons
        .body
        .split("href=\"/commons/commons:")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/commons/commons:{s}"))
        .expect("a commons link in the list");
    let r = get(&fx.app, &first).await;
    ok_html(&r, &first);
    assert!(r.body.contains("<svg viewBox"), "neighbourhood graph");
    assert!(
        r.body.contains("est utilisé par")
            || r.body.contains("est maintenu par")
            || r.body.contains("Relations")
    );
}

#[tokio::test]
async fn home_shows_counts_map_search_and_latest_changes() {
    let fx = fixture();
    let r = get(&fx.app, "/").await;
    ok_html(&r, "/");
    assert!(r.body.contains("<html lang=\"fr\">"));
    assert!(r.body.contains("data-map"), "map block");
    assert!(r
        .body
        .contains("data-src=\"/api/v1/places.geojson?lang=fr\""));
    assert!(r.body.contains("role=\"search\""));
    assert!(r.body.contains("Dernières modifications"));
    // The demonstration's actors, as many as its content lists, and the
    // fixture's hostile one.
    let actors = archipel_content::Content::embedded()
        .unwrap()
        .demo_entities(chrono::Utc::now())
        .unwrap()
        .iter()
        .filter(|e| matches!(e, archipel_domain::Entity::Actor(_)))
        .count()
        + 1;
    assert!(actors > 40, "{actors}");
    assert!(
        r.body.contains(&format!(">{actors}<")),
        "actor count shown: {actors}"
    );
    assert!(r.body.contains("/assets/vendor/leaflet/leaflet.js?v="));
}

#[tokio::test]
async fn record_page_has_facts_source_and_relations_both_ways() {
    let fx = fixture();
    let r = get(&fx.app, "/actors/actor:demo:metropole").await;
    ok_html(&r, "metropole");
    assert!(r.body.contains("Métropole de Démonstration (fictive)"));
    assert!(
        r.body.contains("content/demo/actors.toml:"),
        "source file and line"
    );
    assert!(
        r.body.contains("Collectivité territoriale"),
        "kind label from the vocabulary"
    );
    assert!(r.body.contains("<svg viewBox"));
    // Relations where the metropole is the object are shown with the
    // inverse label.
    let rel = get(&fx.app, "/api/v1/actors/actor:demo:metropole/relations").await;
    let v = json(&rel);
    let items = v["items"].as_array().unwrap();
    assert!(items.iter().any(|x| x["subject"] == "actor:demo:metropole"));
    assert!(items.iter().any(|x| x["object"] == "actor:demo:metropole"));
    // Territory page: breadcrumbs and what it holds.
    let t = get(&fx.app, "/territories/territory:demo:commune:96001").await;
    ok_html(&t, "commune");
    assert!(t.body.contains("class=\"crumbs\""));
    assert!(t.body.contains("Médiathèque des Lucioles"));
}

#[tokio::test]
async fn names_and_links_from_data_are_escaped() {
    let fx = fixture();
    for uri in [
        "/actors/actor:test:evil",
        "/actors",
        "/search?q=evil",
        "/",
        "/map",
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(!r.body.contains("<script>alert"), "{uri}: raw script");
        assert!(!r.body.contains("<img src=x"), "{uri}: raw img");
        assert!(
            !r.body.contains("href=\"javascript:"),
            "{uri}: javascript link"
        );
    }
    let r = get(&fx.app, "/actors/actor:test:evil").await;
    assert!(r
        .body
        .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; Évil &#38; Co"));
    assert!(r.body.contains("javascript:alert(1)"), "shown as text");
    let s = get(&fx.app, "/search?q=%3Cscript%3E").await;
    assert!(!s.body.contains("<script>"));
    // The API returns the name as data, in JSON.
    let a = json(&get(&fx.app, "/api/v1/actors/actor:test:evil").await);
    assert_eq!(a["name"], EVIL);
}

#[tokio::test]
async fn search_folds_accents_and_facets_narrow() {
    let fx = fixture();
    let r = get(&fx.app, "/search?q=mediatheque").await;
    ok_html(&r, "search");
    assert!(r.body.contains("Médiathèque des Lucioles"));
    let total = |body: &str| -> u64 {
        body.split("data-total=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap()
    };
    let all = total(&r.body);
    let narrowed = get(&fx.app, "/search?q=mediatheque&type=place").await;
    let n = total(&narrowed.body);
    assert!(n >= 1 && n < all, "{n} < {all}");
    // Facets are links that add the filter.
    assert!(r
        .body
        .contains("href=\"/search?q=mediatheque&#38;type=place\""));
    // The API agrees.
    let api = json(
        &get(
            &fx.app,
            "/api/v1/search?q=mediatheque&type=place&facets=true",
        )
        .await,
    );
    assert_eq!(api["total"], n);
    assert!(api["facets"]["kind"].is_array());
    assert!(api["items"][0]["name"]
        .as_str()
        .unwrap()
        .contains("édiathèque"));
    // Facet by licence and by actor kind.
    let lic = json(&get(&fx.app, "/api/v1/search?facets=true").await);
    let licence = lic["facets"]["licence"][0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let by_lic = json(&get(&fx.app, &format!("/api/v1/search?licence={licence}")).await);
    assert!(by_lic["total"].as_u64().unwrap() >= 1);
    let assoc = json(&get(&fx.app, "/api/v1/search?actor_kind=association").await);
    assert!(assoc["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "actor" && h["subkind"] == "association"));
}

#[tokio::test]
async fn lists_sort_and_paginate() {
    let fx = fixture();
    let p1 = json(&get(&fx.app, "/api/v1/actors?per_page=5").await);
    assert_eq!(p1["per_page"], 5);
    assert_eq!(p1["items"].as_array().unwrap().len(), 5);
    assert!(p1["total"].as_u64().unwrap() > 40);
    assert!(p1["links"]["prev"].is_null());
    let next = p1["links"]["next"].as_str().unwrap().to_string();
    let p2 = json(&get(&fx.app, &next).await);
    assert_eq!(p2["page"], 2);
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    let names: Vec<String> = json(&get(&fx.app, "/api/v1/commons?sort=name&per_page=200").await)
        ["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let desc = json(&get(&fx.app, "/api/v1/commons?sort=-name&per_page=1").await);
    assert_eq!(
        desc["items"][0]["name"].as_str().unwrap().to_lowercase(),
        *names.last().unwrap()
    );
    // Filters.
    let assoc = json(&get(&fx.app, "/api/v1/actors?kind=association").await);
    assert!(assoc["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] == "association"));
    let terr = json(
        &get(
            &fx.app,
            "/api/v1/places?territory=territory:demo:epci:960000008",
        )
        .await,
    );
    assert!(
        terr["total"].as_u64().unwrap() >= 1,
        "places of the EPCI's communes"
    );
    let rels = json(&get(&fx.app, "/api/v1/relations?per_page=3").await);
    assert_eq!(rels["items"].as_array().unwrap().len(), 3);
    // Pages: sorting links and pager.
    let html = get(&fx.app, "/actors?per_page=10").await;
    assert!(html.body.contains("aria-sort=\"ascending\""));
    assert!(html.body.contains("rel=\"next\""));
}

#[tokio::test]
async fn geojson_with_bbox() {
    let fx = fixture();
    let all = json(&get(&fx.app, "/api/v1/places.geojson").await);
    assert_eq!(all["type"], "FeatureCollection");
    let n = all["features"].as_array().unwrap().len();
    assert!(n >= 17, "{n}");
    let f = &all["features"][0];
    assert_eq!(f["geometry"]["type"], "Point");
    assert!(f["properties"]["url"].as_str().unwrap().starts_with('/'));
    let boxed = json(&get(&fx.app, "/api/v1/places.geojson?bbox=2.04,45.67,2.06,45.69").await);
    let m = boxed["features"].as_array().unwrap().len();
    assert!(m >= 1 && m < n, "{m} of {n}");
    for f in boxed["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((2.04..=2.06).contains(&lon) && (45.67..=45.69).contains(&lat));
    }
    let places = json(&get(&fx.app, "/api/v1/places.geojson?type=place").await);
    assert!(places["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["kind"] == "place"));
    let lim = json(&get(&fx.app, "/api/v1/places.geojson?limit=2").await);
    assert_eq!(lim["features"].as_array().unwrap().len(), 2);
    assert_eq!(lim["truncated"], true);
    let en = json(
        &get(
            &fx.app,
            "/api/v1/places.geojson?type=actor&kind=association&lang=en",
        )
        .await,
    );
    assert!(en["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["label"] == "Association"));
    let related = json(&get(&fx.app, "/api/v1/places.geojson?commons=commons:sill:234").await);
    assert!(related["total"].as_u64().unwrap() < all["total"].as_u64().unwrap());
}

#[tokio::test]
async fn exports_catalogue_and_openapi() {
    let fx = fixture();
    let cat = get(&fx.app, "/api/v1/catalog.jsonld").await;
    assert_eq!(cat.status, StatusCode::OK);
    assert_eq!(cat.headers[header::CONTENT_TYPE], "application/ld+json");
    let v = json(&cat);
    assert_eq!(v["@type"], "dcat:Catalog");
    let dists = v["dcat:dataset"][0]["dcat:distribution"]
        .as_array()
        .unwrap();
    assert!(dists.len() >= 8);
    for d in dists {
        let url = d["dcat:downloadURL"]["@id"].as_str().unwrap();
        let path = url.strip_prefix("https://archipel.example").unwrap();
        let r = get(&fx.app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        assert!(r.body.len() > 50, "{path}");
    }
    let med = get(&fx.app, "/api/v1/exports/lieux-mediation-numerique.csv").await;
    assert!(
        med.body.starts_with("id,") || med.body.contains("nom"),
        "médiation header"
    );
    // The OpenAPI file parses and every path it lists answers.
    let spec = json(&get(&fx.app, "/api/v1/openapi.json").await);
    assert_eq!(spec["openapi"], "3.0.3");
    for (path, _) in spec["paths"].as_object().unwrap() {
        let concrete = path
            .replace("/commons/{id}", "/commons/commons:sill:234")
            .replace("/actors/{id}", "/actors/actor:demo:metropole")
            .replace("/places/{id}", "/places/place:demo:mediatheque-lucioles")
            .replace(
                "/territories/{id}",
                "/territories/territory:demo:epci:960000008",
            )
            .replace("/lists/{file}", "/lists/actors.csv")
            .replace("{file}", "archipel.json");
        if concrete.contains('{') {
            continue; // relations/{id}: checked below
        }
        let uri = format!(
            "/api/v1{}",
            if concrete == "/" {
                "/".into()
            } else {
                concrete.clone()
            }
        );
        let r = get(&fx.app, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    }
    let rel = json(&get(&fx.app, "/api/v1/relations?per_page=1").await);
    let rid = rel["items"][0]["id"].as_str().unwrap().to_string();
    let one = get(&fx.app, &format!("/api/v1/relations/{rid}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let idx = json(&get(&fx.app, "/api/v1/").await);
    assert!(idx["resources"]["search"].is_string());
    let stats = json(&get(&fx.app, "/api/v1/stats").await);
    assert!(stats["entities"].is_array());
}

#[tokio::test]
async fn unknown_things_are_404() {
    let fx = fixture();
    for uri in [
        "/actors/actor:demo:nobody",
        "/actors/not-an-id",
        "/actors/place:demo:mediatheque-lucioles",
        "/nothing-here",
        "/things/actor:demo:metropole",
        "/assets/nope.js",
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert!(r.body.contains("introuvable"), "{uri}: French 404 page");
    }
    let en = get(&fx.app, "/actors/actor:demo:nobody?lang=en").await;
    assert!(en.body.contains("Page not found"));
    for uri in [
        "/api/v1/actors/actor:demo:nobody",
        "/api/v1/actors/actor:demo:nobody/relations",
        "/api/v1/things",
        "/api/v1/exports/secret.txt",
        "/api/v1/nope/deeper/still",
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(json(&r)["status"], 404, "{uri}");
    }
}

#[tokio::test]
async fn malformed_parameters_are_400_with_a_message() {
    let fx = fixture();
    for (uri, needle) in [
        ("/api/v1/actors?page=x", "page"),
        ("/api/v1/actors?page=0", "page"),
        ("/api/v1/actors?per_page=100000", "per_page"),
        ("/api/v1/actors?sort=sideways", "sort"),
        ("/api/v1/actors?kind=unicorn", "unicorn"),
        ("/api/v1/actors?territory=actor:demo:metropole", "territory"),
        ("/api/v1/actors?typology=nope", "typology"),
        ("/api/v1/search?type=spaceship", "type"),
        ("/api/v1/search?facets=maybe", "facets"),
        ("/api/v1/places.geojson?bbox=1,2,3", "bbox"),
        ("/api/v1/places.geojson?bbox=a,b,c,d", "bbox"),
        ("/api/v1/places.geojson?bbox=1,50,3,40", "bbox"),
        ("/api/v1/places.geojson?limit=-1", "limit"),
        ("/api/v1/places.geojson?limit=99999999", "limit"),
        ("/api/v1/places.geojson?type=commons", "type"),
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
        let v = json(&r);
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{uri}: {}",
            r.body
        );
    }
    for uri in [
        "/actors?page=x",
        "/search?per_page=0",
        "/map?territory=nonsense",
        "/commons?sort=bad",
        "/search?type=relation",
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.body.contains("Requête invalide"), "{uri}");
    }
    let long_q = format!("/search?q={}", "a".repeat(300));
    assert_eq!(get(&fx.app, &long_q).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let fx = fixture();
    let big = vec![b'x'; archipel_web::MAX_BODY + 1];
    let r = send(
        &fx.app,
        Request::post("/api/v1/search")
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let long = format!("/search?q={}", "x".repeat(archipel_web::MAX_URI));
    assert_eq!(get(&fx.app, &long).await.status, StatusCode::URI_TOO_LONG);
    // Other methods than GET are not allowed on the read-only API.
    let post = send(
        &fx.app,
        Request::post("/api/v1/actors").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn security_headers() {
    let fx = fixture_with(|c| c.frame_ancestors = "https://ville.example".into());
    let r = get(&fx.app, "/").await;
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(r.headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(
        !r.body.contains("<script>") && !r.body.contains(" onclick="),
        "no inline script"
    );
    let e = get(&fx.app, "/embed/map").await;
    let csp = e.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors https://ville.example"),
        "{csp}"
    );
    assert!(!e.headers.contains_key(header::X_FRAME_OPTIONS));
    // Tiles allowed in images only when configured.
    let tiles = fixture_with(|c| c.tiles = Some(archipel_web::Tiles::openstreetmap()));
    let t = get(&tiles.app, "/map").await;
    assert!(t.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("img-src 'self' data: https://tile.openstreetmap.org"));
    assert!(t
        .body
        .contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""));
}

#[tokio::test]
async fn etags_caching_cors_and_compression() {
    let fx = fixture();
    for uri in [
        "/api/v1/actors",
        "/assets/app.js",
        "/api/v1/places.geojson",
        "/",
    ] {
        let r = get(&fx.app, uri).await;
        let etag = r.headers[header::ETAG].to_str().unwrap().to_string();
        assert!(r.headers.contains_key(header::CACHE_CONTROL), "{uri}");
        let again = send(
            &fx.app,
            Request::get(uri)
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.body.is_empty());
    }
    let api = get(&fx.app, "/api/v1/actors").await;
    assert_eq!(api.headers[header::CACHE_CONTROL], "public, no-cache");
    let asset = get(&fx.app, "/").await;
    let js = asset
        .body
        .split("src=\"")
        .find(|s| s.starts_with("/assets/app.js?v="))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = get(&fx.app, &js).await;
    assert!(r.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let cors = send(
        &fx.app,
        Request::get("/api/v1/search?q=a")
            .header(header::ORIGIN, "https://elsewhere.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(cors.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let gz = send(
        &fx.app,
        Request::get("/api/v1/exports/archipel.json")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gz.headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn english_switch_and_health() {
    let fx = fixture();
    let r = get(&fx.app, "/?lang=en").await;
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains("Latest changes"));
    let sw = get(&fx.app, "/lang/en?next=/search%3Fq%3Dmediatheque").await;
    assert_eq!(sw.status, StatusCode::SEE_OTHER);
    assert_eq!(sw.headers[header::LOCATION], "/search?q=mediatheque");
    assert!(sw.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("lang=en"));
    let with_cookie = send(
        &fx.app,
        Request::get("/actors")
            .header(header::COOKIE, "lang=en")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(with_cookie.body.contains("<html lang=\"en\">"));
    assert!(
        with_cookie.body.contains("Local government") || with_cookie.body.contains("Association")
    );
    assert!(with_cookie.body.contains("href=\"/lang/fr?next=/actors\""));
    let evil = get(&fx.app, "/lang/en?next=//evil.example").await;
    assert_eq!(evil.headers[header::LOCATION], "/");
    assert_eq!(get(&fx.app, "/lang/de").await.status, StatusCode::NOT_FOUND);
    let h = json(&get(&fx.app, "/health").await);
    assert_eq!(h["status"], "ok");
    assert!(h["schema_version"].as_i64().unwrap() >= 5);
    let fav = get(&fx.app, "/favicon.ico").await;
    assert_eq!(fav.status, StatusCode::OK);
}

#[tokio::test]
async fn language_switch_never_redirects_elsewhere() {
    let fx = fixture();
    for next in [
        "/%09/evil.example/",
        "/%0A/evil.example/",
        "/%0D%0A/evil.example/",
        "%2F%09%2Fevil.example",
        "/%2509/evil.example/",
        "/%5Cevil.example",
        "/%5C%5Cevil.example",
        "%5C%5Cevil.example",
        "/%255Cevil.example",
        "//evil.example",
        "%2F%2Fevil.example",
        "/%252F/evil.example",
        "http:evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/%00",
    ] {
        let uri = format!("/lang/en?next={next}");
        let r = get(&fx.app, &uri).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.headers[header::LOCATION], "/", "{uri}");
    }
    // A page of this site, with its query, is where the switch goes back.
    let r = get(
        &fx.app,
        "/lang/fr?next=/search%3Fq%3Dm%C3%A9diath%C3%A8que%26page%3D2",
    )
    .await;
    assert_eq!(
        r.headers[header::LOCATION],
        "/search?q=m%C3%A9diath%C3%A8que&page=2"
    );
}

#[tokio::test]
async fn bidirectional_controls_in_names_stay_isolated() {
    let fx = fixture();
    // A right-to-left override and a left-to-right isolate, neither closed.
    let name = "Atelier \u{202E}droN\u{2066} du numérique";
    let mut a = evil_actor();
    if let Entity::Actor(x) = &mut a {
        x.id = EntityId::new(EntityKind::Actor, "test", "bidi").unwrap();
        x.name = name.into();
        x.territory = Some(EntityId::parse("territory:demo:epci:960000008").unwrap());
        // The latest change, for the home page.
        x.provenance = Provenance::new("test", chrono::Utc::now() + chrono::Duration::days(1));
    }
    let mut store = Store::open(&fx.db).unwrap();
    store
        .write("test", "test", None, |w| {
            w.upsert(&a)?;
            Ok(())
        })
        .unwrap();
    let page = get(&fx.app, "/actors/actor:test:bidi").await;
    ok_html(&page, "record page");
    // In <title>, where markup cannot go: balanced and between FSI and PDI.
    let isolated = "\u{2068}Atelier \u{202E}droN\u{2066} du numérique\u{2069}\u{202C}\u{2069}";
    assert!(
        page.body
            .contains(&format!("<title>{isolated} · Archipel</title>")),
        "{}",
        page.body.split("</title>").next().unwrap()
    );
    // The heading takes its direction from the name, isolated from the rest.
    assert!(page.body.contains(&format!("<h1 dir=\"auto\">{name}</h1>")));
    // The breadcrumbs hold it in a <bdi>.
    let crumbs = page
        .body
        .split("class=\"crumbs\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .expect("breadcrumbs");
    assert!(crumbs.contains(&format!("<bdi>{name}</bdi>")), "{crumbs}");
    // Nowhere in the page does the name stand outside an isolating element
    // or isolate characters.
    let outside = page
        .body
        .replace(&format!("<bdi>{name}</bdi>"), "")
        .replace(&format!("<h1 dir=\"auto\">{name}</h1>"), "")
        .replace(isolated, "");
    assert!(!outside.contains(name), "{outside}");
    // Lists, search results and the home page too.
    for uri in [
        "/actors?territory=territory:demo:epci:960000008&per_page=200",
        "/search?q=atelier+du+numerique&type=actor",
        "/",
    ] {
        let r = get(&fx.app, uri).await;
        ok_html(&r, uri);
        assert!(
            r.body.contains(&format!("<bdi>{name}</bdi>")),
            "{uri}: {}",
            r.body
        );
        assert!(
            !r.body
                .replace(&format!("<bdi>{name}</bdi>"), "")
                .contains(name),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_box_across_the_antimeridian_holds_both_sides() {
    let fx = fixture();
    let mut store = Store::open(&fx.db).unwrap();
    store
        .write("test", "test", None, |w| {
            for (local, lon) in [("east", 179.5), ("west", -179.5), ("far", 0.0)] {
                let mut a = evil_actor();
                if let Entity::Actor(x) = &mut a {
                    x.id = EntityId::new(EntityKind::Actor, "test", local).unwrap();
                    x.name = format!("Fidji {local}");
                    x.location = Some(GeoPoint { lat: -17.0, lon });
                }
                w.upsert(&a)?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    let ids = |v: &serde_json::Value| {
        let mut ids: Vec<String> = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    // West 179, east -179: the two degrees either side of the antimeridian.
    let r = get(&fx.app, "/api/v1/places.geojson?bbox=179,-20,-179,-10").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json(&r);
    assert_eq!(ids(&v), ["actor:test:east", "actor:test:west"], "{v}");
    assert_eq!(v["total"], 2);
    // As a map client sends it after panning east past 180°, and west.
    for b in ["179,-20,181,-10", "-181,-20,-179,-10"] {
        let r = get(&fx.app, &format!("/api/v1/places.geojson?bbox={b}")).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        assert_eq!(
            ids(&json(&r)),
            ["actor:test:east", "actor:test:west"],
            "{b}"
        );
    }
    // The same box written the usual way holds neither (it spans the globe
    // the other way round).
    let wide = json(&get(&fx.app, "/api/v1/places.geojson?bbox=-179,-20,179,-10").await);
    assert_eq!(ids(&wide), ["actor:test:far"]);
}

/// A JSON error of the documented shape, with this status.
fn json_error(r: &Res, status: StatusCode, what: &str) -> serde_json::Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("application/json"), "{what}: {ct}");
    let v = json(r);
    assert_eq!(v["status"], status.as_u16(), "{what}");
    assert!(!v["error"].as_str().unwrap().is_empty(), "{what}");
    v
}

#[tokio::test]
async fn every_api_error_is_json_and_every_page_error_html() {
    let fx = fixture();
    // Path segments that are not UTF-8: rejected by the path extractor.
    for uri in [
        "/api/v1/places/%FF",
        "/api/v1/places/%FF/relations",
        "/api/v1/%FF",
        "/api/v1/exports/%FF",
    ] {
        let r = get(&fx.app, uri).await;
        assert!(r.status.is_client_error(), "{uri}: {}", r.status);
        json_error(&r, r.status, uri);
    }
    // Another method than GET.
    for (method, uri) in [
        ("POST", "/api/v1/actors"),
        ("DELETE", "/api/v1/search"),
        ("PUT", "/api/v1/actors/actor:demo:metropole"),
    ] {
        let r = send(
            &fx.app,
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        let v = json_error(&r, StatusCode::METHOD_NOT_ALLOWED, uri);
        assert!(v["error"].as_str().unwrap().contains(method), "{v}");
        assert!(r.headers.contains_key(header::ALLOW), "{uri}");
    }
    // Too long a target, too large a body.
    let long = format!("/api/v1/search?q={}", "x".repeat(archipel_web::MAX_URI));
    json_error(&get(&fx.app, &long).await, StatusCode::URI_TOO_LONG, "long");
    let big = vec![b'x'; archipel_web::MAX_BODY + 1];
    let r = send(
        &fx.app,
        Request::get("/api/v1/search")
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    json_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "big body");
    // Query rejections (a parameter given twice).
    let r = get(&fx.app, "/api/v1/actors?page=1&page=2").await;
    json_error(&r, StatusCode::BAD_REQUEST, "twice");
    // Pages answer the same errors with the HTML error page.
    for (method, uri, status) in [
        ("GET", "/places/%FF", None),
        ("POST", "/", Some(StatusCode::METHOD_NOT_ALLOWED)),
        ("DELETE", "/search", Some(StatusCode::METHOD_NOT_ALLOWED)),
    ] {
        let r = send(
            &fx.app,
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(r.status.is_client_error(), "{uri}");
        if let Some(s) = status {
            assert_eq!(r.status, s, "{uri}");
        }
        let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/html"), "{uri}: {ct}");
        assert!(r.body.starts_with("<!doctype html>"), "{uri}");
    }
}

#[tokio::test]
async fn too_large_headers_are_refused_with_a_body() {
    let fx = fixture();
    // A cookie jar grown past the limit (other sites' cookies on the same
    // host, or an attacker's): 431 with the audience's body, not an empty
    // answer.
    let cookie = format!("lang=en; junk={}", "x".repeat(archipel_web::MAX_HEADERS));
    for (uri, api) in [("/api/v1/search?q=mediatheque", true), ("/search", false)] {
        let r = send(
            &fx.app,
            Request::get(uri)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        if api {
            let v = json_error(&r, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, uri);
            assert!(v["error"].as_str().unwrap().contains("headers"), "{v}");
        } else {
            assert_eq!(r.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
            assert!(r.body.starts_with("<!doctype html>"), "{uri}");
            // In the language the cookie asks for.
            assert!(r.body.contains("<html lang=\"en\">"), "{uri}");
        }
    }
    // Many headers, each small, add up the same way.
    let mut req = Request::get("/api/v1/stats");
    for i in 0..90 {
        req = req.header(format!("x-h{i}"), "y".repeat(400));
    }
    let r = send(&fx.app, req.body(Body::empty()).unwrap()).await;
    json_error(&r, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "many");
    // Ordinary headers pass.
    let r = send(
        &fx.app,
        Request::get("/api/v1/stats")
            .header(header::COOKIE, "lang=en; session=abc")
            .header(header::USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64)")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn the_api_refuses_parameters_it_does_not_know() {
    let fx = fixture();
    for (uri, name) in [
        ("/api/v1/search?q=mediatheque&r=1", "r"),
        ("/api/v1/actors?per_page=5&utm_source=x", "utm_source"),
        ("/api/v1/places.geojson?bbox=1,40,3,50&zoom=3", "zoom"),
        ("/api/v1/stats?r=2", "r"),
        ("/api/v1/actors/actor:demo:metropole?r=3", "r"),
        ("/api/v1/exports/archipel.json?r=4", "r"),
        ("/api/v1/catalog.jsonld?x=", "x"),
    ] {
        let v = json_error(&get(&fx.app, uri).await, StatusCode::BAD_REQUEST, uri);
        assert!(
            v["error"].as_str().unwrap().contains(&format!("`{name}`")),
            "{uri}: {v}"
        );
    }
    // Known ones, `lang` included, in any order.
    for uri in [
        "/api/v1/search?type=actor&q=mediatheque&lang=en&facets=true",
        "/api/v1/actors?sort=-name&kind=association&page=1&per_page=5",
        "/api/v1/places.geojson?lang=en&type=place&bbox=1,40,3,50&limit=10",
        "/api/v1/stats?lang=en",
    ] {
        assert_eq!(get(&fx.app, uri).await.status, StatusCode::OK, "{uri}");
    }
    // Pages still ignore them (links from elsewhere carry tracking tags).
    ok_html(&get(&fx.app, "/actors?utm_source=x").await, "page");
}

#[tokio::test]
async fn a_search_with_no_word_says_so() {
    let fx = fixture();
    let all = json(&get(&fx.app, "/api/v1/search").await)["total"].clone();
    assert!(all.as_u64().unwrap() > 10);
    for q in ["%FF", "!!!", "%E2%80%AE", "-+-"] {
        let uri = format!("/api/v1/search?q={q}");
        let v = json_error(&get(&fx.app, &uri).await, StatusCode::BAD_REQUEST, &uri);
        assert!(v["error"].as_str().unwrap().contains("`q`"), "{v}");
        let page = get(&fx.app, &format!("/search?q={q}")).await;
        ok_html(&page, &uri);
        assert!(page.body.contains("aucun mot à chercher"), "{q}");
        assert!(
            page.body.contains("data-total=\"0\""),
            "{q}: not every record"
        );
        assert!(!page.body.contains("class=\"hit\""), "{q}");
    }
    // Punctuation around a word is fine.
    let v = json(&get(&fx.app, "/api/v1/search?q=!!!mediatheque").await);
    assert!(v["total"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn a_small_cache_streams_large_answers_and_keeps_small_ones() {
    // 8 KiB of answers at most, none over 1 KiB: the GeoJSON of every
    // place is larger and streams through.
    let fx = fixture_with(|c| c.cache_bytes = 8 * 1024);
    let uri = "/api/v1/places.geojson";
    let first = get(&fx.app, uri).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.len() > 8 * 1024, "{}", first.body.len());
    let again = get(&fx.app, uri).await;
    assert_eq!(first.body, again.body);
    assert_eq!(
        json(&again)["features"].as_array().unwrap().len(),
        json(&first)["features"].as_array().unwrap().len()
    );
    // Many small answers, each kept until the budget is reached, then the
    // least used leave; all are answered right.
    for page in 1..=40 {
        let uri = format!("/api/v1/actors?per_page=1&page={page}");
        let r = get(&fx.app, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(json(&r)["page"], page);
    }
}

#[tokio::test]
async fn a_cache_busting_load_stays_within_the_byte_budget() {
    // The load of defect 5: answers with a junk parameter each, then many
    // distinct valid answers. 128 KiB of answers at most, none over 16 KiB.
    let budget = 128 * 1024;
    let fx = fixture_with(|c| c.cache_bytes = budget);
    let cache = &fx.state.cache;
    let held = || cache.held();
    let list = "/api/v1/actors?per_page=5";
    let first = get(&fx.app, list).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(held().1, 1, "a small answer is kept");
    // Junk parameters are refused before anything is kept: they cannot
    // multiply entries.
    for r in 0..120 {
        let uri = format!("{list}&r={r}");
        let res = get(&fx.app, &uri).await;
        json_error(&res, StatusCode::BAD_REQUEST, &uri);
    }
    assert_eq!(held().1, 1, "no entry per junk parameter");
    // The same query written in another order, or with the language as a
    // parameter, is the same entry.
    for uri in [
        "/api/v1/actors?per_page=5&page=2",
        "/api/v1/actors?page=2&per_page=5",
        "/api/v1/actors?lang=fr&page=2&per_page=5",
    ] {
        assert_eq!(get(&fx.app, uri).await.status, StatusCode::OK, "{uri}");
    }
    assert_eq!(held().1, 2, "one entry for the three spellings");
    // Pages ignore parameters they do not read, and key without them.
    let page = get(&fx.app, "/actors?per_page=5").await;
    for r in 0..60 {
        let tagged = get(&fx.app, &format!("/actors?per_page=5&utm_source={r}")).await;
        assert_eq!(tagged.body, page.body);
    }
    assert_eq!(held().1, 3, "one entry for the page whatever its tags");
    // Distinct valid answers, far more than the budget holds: the bytes
    // kept never pass it, the least used leave, every answer is right.
    let mut sizes = 0;
    for per_page in 1..=10 {
        for n in 1..=40 {
            let uri = format!("/api/v1/actors?per_page={per_page}&page={n}");
            let r = get(&fx.app, &uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}");
            let v = json(&r);
            assert_eq!(v["page"], n, "{uri}");
            sizes += r.body.len();
            let (bytes, entries) = held();
            assert!(bytes <= budget, "{bytes} bytes held after {uri}");
            assert!(entries >= 2, "eviction leaves room, not an empty cache");
        }
    }
    assert!(
        sizes > 2 * budget,
        "the load is larger than the budget: {sizes}"
    );
    // What the cache holds, as /health tells an operator.
    let h = json(&get(&fx.app, "/health").await);
    let (bytes, entries) = held();
    assert_eq!(h["cache"]["budget_bytes"], budget, "{h}");
    assert_eq!(h["cache"]["held_bytes"], bytes, "{h}");
    assert_eq!(h["cache"]["entries"], entries, "{h}");
    // An answer larger than an eighth of the budget is served whole and
    // never kept.
    let before = held();
    let large = "/search?per_page=100";
    let big = get(&fx.app, large).await;
    ok_html(&big, large);
    assert!(big.body.len() > budget / 8, "{}", big.body.len());
    // Every record up to the page's 100, the page whole.
    let total = big.body.split("data-total=\"").nth(1).unwrap();
    let total: usize = total[..total.find('"').unwrap()].parse().unwrap();
    assert!(total > 50, "{total}");
    assert_eq!(big.body.matches("class=\"hit\"").count(), total.min(100));
    assert!(big.body.trim_end().ends_with("</html>"));
    assert_eq!(held(), before, "nothing kept, nothing evicted for it");
    assert_eq!(get(&fx.app, large).await.body, big.body);
    // A streamed export (no size known in advance) passes through, however
    // small: it is never read whole to be kept.
    let export = get(&fx.app, "/api/v1/exports/territories.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.body.len() < budget / 8, "{}", export.body.len());
    assert_eq!(held(), before, "the export is not kept");
}

/// The number shown on the home page's card for `what` (its plural label).
fn home_count(body: &str, what: &str) -> u64 {
    let before = body
        .split(&format!("</span> <span class=\"what\">{what}</span>"))
        .next()
        .unwrap();
    let n = before.rsplit("<span class=\"n\">").next().unwrap();
    n.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn pages_follow_writes_and_each_visitor_gets_their_language() {
    let fx = fixture();
    let home = get(&fx.app, "/").await;
    let actors = home_count(&home.body, "Acteurs");
    let search = get(&fx.app, "/search").await;
    let map = get(&fx.app, "/map").await;
    let list = get(&fx.app, "/actors?per_page=200").await;
    assert!(!list.body.contains("Zéphyrine"));
    // Served again unchanged (from the answer cache).
    assert_eq!(get(&fx.app, "/").await.body, home.body);
    assert_eq!(get(&fx.app, "/search").await.body, search.body);
    // Parameters pages do not read share the page's answer; the language
    // does not: a visitor with the English cookie gets English.
    let tagged = get(&fx.app, "/actors?per_page=200&utm_source=x").await;
    assert_eq!(tagged.body, list.body);
    let en = send(
        &fx.app,
        Request::get("/actors?per_page=200")
            .header(header::COOKIE, "lang=en")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(get(&fx.app, "/?lang=en")
        .await
        .body
        .contains("<html lang=\"en\">"));
    assert!(get(&fx.app, "/").await.body.contains("<html lang=\"fr\">"));

    // Another process writes an actor with coordinates.
    let mut store = Store::open(&fx.db).unwrap();
    let mut a = evil_actor();
    if let Entity::Actor(x) = &mut a {
        x.id = EntityId::new(EntityKind::Actor, "test", "zephyrine").unwrap();
        x.name = "Atelier Zéphyrine".into();
        x.provenance = Provenance::new("test", chrono::Utc::now() + chrono::Duration::days(1));
    }
    store
        .write("test", "test", None, |w| {
            w.upsert(&a)?;
            Ok(())
        })
        .unwrap();
    drop(store);
    // Every page shows it on the next request: counts, latest changes,
    // facet counts, the number of points on the map, the list.
    let home2 = get(&fx.app, "/").await;
    assert_eq!(home_count(&home2.body, "Acteurs"), actors + 1);
    assert!(home2.body.contains("Atelier Zéphyrine"));
    let search2 = get(&fx.app, "/search").await;
    assert_ne!(search2.body, search.body);
    let total = |b: &str| -> u64 {
        b.split("data-total=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(total(&search2.body), total(&search.body) + 1);
    let points = |b: &str| -> u64 {
        let p = b.split("id=\"map-count\">").nth(1).unwrap();
        p.chars()
            .take_while(|c| !c.is_alphabetic())
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    assert_eq!(
        points(&get(&fx.app, "/map").await.body),
        points(&map.body) + 1
    );
    assert!(get(&fx.app, "/actors?per_page=200")
        .await
        .body
        .contains("Zéphyrine"));
    let facets = json(&get(&fx.app, "/api/v1/search?facets=true").await);
    let actor_facet = facets["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "actor")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(actor_facet, actors + 1);
}

#[tokio::test]
async fn api_answers_follow_writes_to_the_registry() {
    let fx = fixture();
    let q = "/api/v1/search?q=zephyrin";
    assert_eq!(json(&get(&fx.app, q).await)["total"], 0);
    assert_eq!(json(&get(&fx.app, q).await)["total"], 0, "cached");
    // Another process (here, another connection) writes.
    let mut store = Store::open(&fx.db).unwrap();
    let mut a = evil_actor();
    if let Entity::Actor(x) = &mut a {
        x.id = EntityId::new(EntityKind::Actor, "test", "zephyrin").unwrap();
        x.name = "Atelier Zéphyrin".into();
    }
    store
        .write("test", "test", None, |w| {
            w.upsert(&a)?;
            Ok(())
        })
        .unwrap();
    let after = json(&get(&fx.app, q).await);
    assert_eq!(after["total"], 1, "the cache saw the write");
    assert_eq!(after["items"][0]["name"], "Atelier Zéphyrin");
}

#[tokio::test]
async fn argument_sheets_preview_and_download() {
    let fx = fixture();
    // The form alone: every persona offered, no sheet yet.
    let r = get(&fx.app, "/argumentaires").await;
    ok_html(&r, "/argumentaires");
    assert!(r.body.contains("<form") && r.body.contains("name=\"audience\""));
    assert!(r.body.contains("value=\"technicien-dsi\""));
    assert!(!r.body.contains("class=\"sheet\""));
    assert!(
        r.body
            .contains("href=\"/argumentaires\" aria-current=\"page\""),
        "in the navigation"
    );

    // A sheet: objections, figures, download links carrying the choice.
    let uri = "/argumentaires?audience=technicien-dsi&register=technical&territory=territory%3Ademo%3Aepci%3A960000008&commons=commons%3Asill%3A234";
    let r = get(&fx.app, uri).await;
    ok_html(&r, uri);
    assert!(r.body.contains("class=\"sheet\"") && r.body.contains("class=\"objection\""));
    assert!(r.body.contains("Métropole de Démonstration"));
    assert!(r.body.contains("data-indicator=\"actors_total\""));
    assert!(r.body.contains("value=\"technicien-dsi\" selected"));
    let pdf_href = r
        .body
        .split("href=\"/argumentaires/sheet.pdf")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|q| {
            format!(
                "/argumentaires/sheet.pdf{}",
                q.replace("&amp;", "&").replace("&#38;", "&")
            )
        })
        .expect("a PDF link");
    let decoded = pdf_href.replace("%3A", ":");
    assert!(
        decoded.contains("commons=commons:sill:234") && decoded.contains("register=technical"),
        "{pdf_href}"
    );

    let res = fx
        .app
        .clone()
        .oneshot(Request::get(pdf_href.as_str()).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"%PDF-"));

    let md = get(&fx.app, "/argumentaires/sheet.md?audience=elu&lang=en").await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    assert!(md.body.contains("Who you are talking to"), "{}", md.body);
    let html = get(&fx.app, "/argumentaires/sheet.html?audience=association").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.starts_with("<!doctype html>") && html.body.contains("<style>"));

    // English page, English sheet.
    let en = get(&fx.app, "/argumentaires?audience=elu&lang=en").await;
    assert!(en.body.contains("What you will hear"), "English sheet");

    // Mistakes: clear messages, the right status, nothing unescaped.
    for (uri, status, needle) in [
        (
            "/argumentaires?audience=maire",
            StatusCode::NOT_FOUND,
            "technicien-dsi",
        ),
        (
            "/argumentaires?audience=elu&territory=75056",
            StatusCode::NOT_FOUND,
            "unknown territory",
        ),
        (
            "/argumentaires?audience=elu&territory=96",
            StatusCode::BAD_REQUEST,
            "ambiguous",
        ),
        (
            "/argumentaires?audience=elu&register=poetic",
            StatusCode::BAD_REQUEST,
            "political",
        ),
        (
            "/argumentaires?audience=elu&commons=actor%3Ademo%3Ax",
            StatusCode::BAD_REQUEST,
            "commons id",
        ),
        (
            "/argumentaires?audience=elu&commons=commons%3Anope%3A1",
            StatusCode::NOT_FOUND,
            "unknown commons",
        ),
        (
            "/argumentaires/sheet.pdf?audience=nobody",
            StatusCode::NOT_FOUND,
            "unknown persona",
        ),
        (
            "/argumentaires/sheet.pdf",
            StatusCode::BAD_REQUEST,
            "audience",
        ),
        (
            "/argumentaires/sheet.exe?audience=elu",
            StatusCode::NOT_FOUND,
            "sheet.pdf",
        ),
        (
            "/argumentaires?audience=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            StatusCode::NOT_FOUND,
            "&#60;script&#62;",
        ),
    ] {
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.body);
        assert!(r.body.contains(needle), "{uri}: {needle:?} in {}", r.body);
        assert!(!r.body.contains("<script>alert"), "{uri}");
    }
}

/// The argument form's territory `<select>`, from its name to its end.
fn territory_list(page: &str) -> &str {
    page.split("name=\"territory\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("the territory list")
}

#[tokio::test]
async fn argument_form_groups_territories_by_level_and_keeps_the_one_asked() {
    let fx = fixture();
    // More communes than the form lists: 410 in the demo metropole.
    let mut store = Store::open(&fx.db).unwrap();
    let parent = EntityId::parse("territory:demo:epci:960000008").unwrap();
    store
        .write("test", "test", None, |w| {
            for i in 0..410 {
                let code = format!("97{i:03}");
                w.upsert(&Entity::Territory(Territory {
                    id: EntityId::new(EntityKind::Territory, "test", &format!("commune:{code}"))
                        .unwrap(),
                    name: format!("Zz-commune {i:03}"),
                    level: "commune".into(),
                    code,
                    parent: Some(parent.clone()),
                    fictional: true,
                    department: None,
                    population: None,
                    postcodes: Vec::new(),
                    provenance: Provenance::new("test", chrono::Utc::now()),
                }))?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);

    // The last commune by name is beyond the list, yet asked for: offered
    // and selected, so that submitting the form again keeps it.
    let last = "territory:test:commune:97409";
    let uri = format!(
        "/argumentaires?audience=elu&territory={}",
        last.replace(':', "%3A")
    );
    let r = get(&fx.app, &uri).await;
    ok_html(&r, &uri);
    let select = territory_list(&r.body);
    assert!(
        select.contains(&format!(
            "value=\"{last}\" selected dir=\"auto\">Zz-commune 409<"
        )),
        "{select}"
    );
    assert_eq!(select.matches(" selected").count(), 1, "{select}");
    // Widest level first, each under its label; communes say how many
    // are shown.
    let groups: Vec<&str> = select
        .split("<optgroup label=\"")
        .skip(1)
        .filter_map(|g| g.split('"').next())
        .collect();
    assert_eq!(groups.len(), 4, "{groups:?}");
    assert_eq!(
        &groups[..3],
        ["Région", "Département", "Intercommunalité (EPCI)"]
    );
    let communes = select
        .split("<optgroup label=\"Commune")
        .nth(1)
        .unwrap_or("");
    assert_eq!(communes.matches("<option").count(), 400);
    assert!(
        groups[3].starts_with("Commune (400 premiers sur 4"),
        "{groups:?}"
    );
    // A territory the list holds is selected in its group, not repeated.
    let uri = "/argumentaires?audience=elu&territory=territory%3Ademo%3Aregion%3A96";
    let r = get(&fx.app, uri).await;
    ok_html(&r, uri);
    assert_eq!(
        r.body.matches("value=\"territory:demo:region:96\"").count(),
        1
    );
    assert!(r
        .body
        .contains("value=\"territory:demo:region:96\" selected"));
    // Something else than a territory, given as one, is not offered as one.
    let uri = "/argumentaires?territory=commons%3Asill%3A234";
    let r = get(&fx.app, uri).await;
    ok_html(&r, uri);
    let select = territory_list(&r.body);
    assert!(!select.contains("commons:sill:234"), "{select}");
}

/// The legal pages are filled from the configuration's publisher, and
/// every page's footer (error pages too) states the declared
/// conformance and links to them.
#[tokio::test]
async fn legal_pages_come_from_the_publisher_settings() {
    let f = fixture_with(|c| {
        c.publisher.name = "Métropole des Rives".into();
        c.publisher.contact = "accessibilite@rives.example".into();
        c.publisher.conformance = archipel_web::Conformance::Partial;
        c.publisher.statement_date = "2026-11-30".into();
    });
    let r = get(&f.app, "/accessibilite").await;
    ok_html(&r, "/accessibilite");
    let body = r.body;
    for part in [
        "<h1>Déclaration d",
        "Métropole des Rives",
        "partiellement conforme",
        "accessibilite@rives.example",
        "2026-11-30",
        "Défenseur des droits",
        "RGAA",
    ] {
        assert!(body.contains(part), "{part}");
    }
    for path in ["/", "/nothing-here", "/actors?lang=en"] {
        let body = get(&f.app, path).await.body;
        let line = if path.contains("lang=en") {
            "Accessibility: partially compliant"
        } else {
            "Accessibilité : partiellement conforme"
        };
        assert!(body.contains(line), "{path}: footer");
        for link in ["/accessibilite", "/mentions-legales", "/confidentialite"] {
            assert!(body.contains(&format!("href=\"{link}\"")), "{path}: {link}");
        }
    }
    let body = get(&f.app, "/mentions-legales").await.body;
    assert!(body.contains("Métropole des Rives"));
    assert!(body.contains("non renseigné"), "the host was not given");
    let body = get(&f.app, "/confidentialite").await.body;
    assert!(body.contains("Aucune page ne fait appel à un autre site"));

    // By default: not compliant (no audit), and a tile server is named.
    let f = fixture_with(|c| {
        c.tiles = Some(archipel_web::Tiles::openstreetmap());
    });
    let body = get(&f.app, "/").await.body;
    assert!(body.contains("Accessibilité : non conforme"));
    let body = get(&f.app, "/confidentialite").await.body;
    assert!(body.contains("https://tile.openstreetmap.org"), "{body}");
}

fn csv_rows(body: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

/// Lists, searches and the map download as CSV and GeoJSON as they are
/// filtered; the pages link them; a name a spreadsheet would run as a
/// formula is neutralised.
#[tokio::test]
async fn downloads_follow_the_filters() {
    let fx = fixture();
    {
        let store = Store::open(&fx.db).unwrap();
        let mut formula = match evil_actor() {
            Entity::Actor(a) => a,
            _ => unreachable!(),
        };
        formula.id = EntityId::new(EntityKind::Actor, "test", "formula").unwrap();
        formula.name = "=HYPERLINK(\"http://x.invalid\")".into();
        formula.website = None;
        formula.email = None;
        formula.description = None;
        let mut store = store;
        store
            .write("test", "test", None, |w| {
                w.upsert(&Entity::Actor(formula.clone()))?;
                Ok(())
            })
            .unwrap();
    }
    // A list, filtered: as many rows as the list says, all of the kind.
    let api = json(&get(&fx.app, "/api/v1/actors?kind=association").await);
    let r = get(&fx.app, "/api/v1/lists/actors.csv?kind=association").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let rows = csv_rows(&r.body);
    assert_eq!(rows.len() as u64, api["total"].as_u64().unwrap());
    assert!(rows.len() >= 2);
    assert!(rows
        .iter()
        .all(|r| &r[0] == "actor" && &r[3] == "association"));
    let geo = json(&get(&fx.app, "/api/v1/lists/actors.geojson?kind=association").await);
    assert_eq!(geo["type"], "FeatureCollection");

    // The formula is written with a quote before it.
    let all = get(&fx.app, "/api/v1/lists/actors.csv").await.body;
    let row = csv_rows(&all)
        .into_iter()
        .find(|r| &r[1] == "actor:test:formula")
        .expect("the row");
    assert_eq!(&row[2], "'=HYPERLINK(\"http://x.invalid\")");

    // A search with a facet.
    let api = json(&get(&fx.app, "/api/v1/search?q=mediatheque&type=place").await);
    let rows = csv_rows(
        &get(&fx.app, "/api/v1/search.csv?q=mediatheque&type=place")
            .await
            .body,
    );
    assert_eq!(rows.len() as u64, api["total"].as_u64().unwrap());
    assert!(rows.iter().all(|r| &r[0] == "place"));
    let geo = json(&get(&fx.app, "/api/v1/search.geojson?q=mediatheque&type=place").await);
    assert_eq!(
        geo["features"].as_array().unwrap().len(),
        rows.iter().filter(|r| !r[5].is_empty()).count()
    );

    // The map, filtered.
    let geo = json(&get(&fx.app, "/api/v1/places.geojson?type=actor").await);
    let rows = csv_rows(&get(&fx.app, "/api/v1/places.csv?type=actor").await.body);
    assert_eq!(rows.len(), geo["features"].as_array().unwrap().len());
    assert!(rows.iter().all(|r| &r[0] == "actor"));

    // The pages link their downloads, with their filters.
    for (page, link) in [
        (
            "/actors?kind=association",
            "/api/v1/lists/actors.csv?kind=association",
        ),
        (
            "/search?q=mediatheque&type=place",
            "/api/v1/search.geojson?q=mediatheque&type=place",
        ),
        ("/map?type=actor", "/api/v1/places.csv?type=actor"),
    ] {
        let body = get(&fx.app, page).await.body;
        let body = body.replace("&#38;", "&").replace("&amp;", "&");
        assert!(body.contains(link), "{page}: {link}");
    }
    // Unknown downloads and parameters are refused.
    assert_eq!(
        get(&fx.app, "/api/v1/lists/actors.xls").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&fx.app, "/api/v1/lists/nothing.csv").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&fx.app, "/api/v1/search.csv?q=x&junk=1").await.status,
        StatusCode::BAD_REQUEST
    );
}

/// `/relations` lists the relations (the home page's figure leads there),
/// naming both ends with links; record pages name their source for
/// people, with its date, the file and line one click away.
#[tokio::test]
async fn relations_page_and_source_names() {
    let fx = fixture();
    let home = get(&fx.app, "/").await.body;
    assert!(home.contains("href=\"/relations\""));
    let r = get(&fx.app, "/relations").await;
    ok_html(&r, "/relations");
    let total = json(&get(&fx.app, "/api/v1/relations?per_page=1").await)["total"]
        .as_u64()
        .unwrap();
    assert!(r.body.contains(&format!("data-total=\"{total}\"")));
    assert!(r.body.matches("<tr>").count() > 10, "rows");
    assert!(
        r.body.contains("href=\"/actors/actor%3Ademo%3A")
            || r.body.contains("href=\"/actors/actor:demo:")
    );
    assert!(
        r.body.contains("Territoire de démonstration d"),
        "relations name their source for people"
    );
    let r2 = get(&fx.app, "/relations?page=2").await;
    ok_html(&r2, "/relations?page=2");
    assert_ne!(r.body, r2.body);

    let body = get(&fx.app, "/actors/actor:demo:metropole").await.body;
    assert!(
        body.contains("Territoire de démonstration d"),
        "source named"
    );
    assert!(body.contains("<details class=\"source-file\">"));
    assert!(
        body.contains("content/demo/actors.toml:"),
        "file and line kept"
    );
}

#[tokio::test]
async fn answers_too_large_to_keep_hold_memory_only_within_a_budget() {
    // Nothing is kept (cache off): every GeoJSON answer is made for its
    // request. 600 more located actors make it large enough to count.
    let uri = "/api/v1/places.geojson";
    let located = |fx: &Fixture| {
        let mut store = Store::open(&fx.db).unwrap();
        store
            .write("test", "test", None, |w| {
                for i in 0..600 {
                    let Entity::Actor(mut a) = evil_actor() else {
                        unreachable!()
                    };
                    a.id = EntityId::new(EntityKind::Actor, "test", &format!("a{i}")).unwrap();
                    a.location = Some(GeoPoint {
                        lat: 45.0 + f64::from(i) / 1000.0,
                        lon: 2.0,
                    });
                    w.upsert(&Entity::Actor(a))?;
                }
                Ok(())
            })
            .unwrap();
    };
    let size = {
        let fx = fixture_with(|c| c.cache_bytes = 0);
        located(&fx);
        let r = get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::OK);
        r.body.len()
    };
    assert!(size > 64 * 1024, "large enough to be counted: {size}");
    // Room for two such answers, not three.
    let fx = fixture_with(|c| {
        c.cache_bytes = 0;
        c.answers_in_flight = Some(size * 5 / 2);
    });
    located(&fx);
    let ask = || {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        fx.app.clone().oneshot(req)
    };
    // Two clients that ask and do not read: their answers wait in memory.
    let waiting_1 = ask().await.unwrap();
    let waiting_2 = ask().await.unwrap();
    assert_eq!(waiting_1.status(), StatusCode::OK);
    assert_eq!(waiting_2.status(), StatusCode::OK);
    let health = json(&get(&fx.app, "/health").await);
    let held = health["answers_in_flight"]["held_bytes"].as_u64().unwrap();
    assert!(held >= 2 * size as u64, "{health}");
    // A third is refused at once, saying when to come back, rather than
    // adding its answer to what waits.
    let third = get(&fx.app, uri).await;
    json_error(&third, StatusCode::SERVICE_UNAVAILABLE, uri);
    assert_eq!(third.headers[header::RETRY_AFTER], "5");
    // A client that leaves gives its share back; one that reads to the
    // end too.
    drop(waiting_1);
    let again = get(&fx.app, uri).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body.len(), size);
    // A client that has read a first part still holds its share: the
    // answer is handed to the connection a chunk at a time.
    let mut body = waiting_2.into_body();
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert!(
        first.len() < size,
        "{} of {size} bytes at once",
        first.len()
    );
    let health = json(&get(&fx.app, "/health").await);
    let held = health["answers_in_flight"]["held_bytes"].as_u64().unwrap();
    assert!(held >= size as u64, "{health}");
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(first.len() + rest.len(), size);
    let health = json(&get(&fx.app, "/health").await);
    assert_eq!(health["answers_in_flight"]["held_bytes"], 0, "{health}");
}

/// Finistère's official divisions and two médiation places in Brest, in
/// the fixture's registry.
fn with_finistere(fx: &Fixture) {
    let content = Content::embedded().unwrap();
    let mut store = Store::open(&fx.db).unwrap();
    let d = archipel_formats::territories::official().unwrap();
    let scope = d.find("departement:29").unwrap();
    archipel_jobs::territories::import(&mut store, &content, d, &scope, &mut |_| {}).unwrap();
    let rows: String = (0..2).map(archipel_testkit::mediation::row).collect();
    let csv = format!("{}\n{rows}", archipel_testkit::mediation::HEADER);
    let report = archipel_jobs::import::run(
        &mut store,
        archipel_jobs::import::ImportRequest {
            format: archipel_jobs::import::Format::Mediation,
            bytes: csv.as_bytes(),
            context: archipel_formats::ImportContext::new("lieux.csv", "mediation", &content),
            skip_invalid: false,
            mapping: None,
        },
        &mut |_| {},
    )
    .unwrap();
    assert!(report.written.is_some(), "{:?}", report.problems);
}

#[tokio::test]
async fn a_territory_page_shows_its_population_and_figures_per_10000() {
    let fx = fixture();
    with_finistere(&fx);
    let store = Store::open_read_only(&fx.db).unwrap();
    for (id, level) in [
        ("territory:insee:epci:242900314", "epci"),
        ("territory:insee:departement:29", "departement"),
        ("territory:insee:commune:29019", "commune"),
    ] {
        let Some(Entity::Territory(t)) = store.get(&EntityId::parse(id).unwrap()).unwrap() else {
            panic!("{id}")
        };
        assert_eq!(t.level, level);
        let pop = t.population.unwrap();
        // Two places, run by two operators, all in Brest.
        let tenths = (2.0 * 100_000.0 / pop as f64).round() as u64;
        for (lang, number, per, labels) in [
            (
                "fr",
                archipel_content::Lang::Fr.number(pop),
                format!("{},{}", tenths / 10, tenths % 10),
                [
                    "Population",
                    "Acteurs pour 10\u{202f}000 habitants",
                    "Lieux pour 10\u{202f}000 habitants",
                ],
            ),
            (
                "en",
                archipel_content::Lang::En.number(pop),
                format!("{}.{}", tenths / 10, tenths % 10),
                [
                    "Population",
                    "Actors per 10,000 inhabitants",
                    "Places per 10,000 inhabitants",
                ],
            ),
        ] {
            let uri = format!("/territories/{}?lang={lang}", id.replace(':', "%3A"));
            let r = get(&fx.app, &uri).await;
            ok_html(&r, &uri);
            let fact = |label: &str| -> String {
                let start = format!("<dt>{label}</dt>");
                let at = r
                    .body
                    .find(&start)
                    .unwrap_or_else(|| panic!("{uri}: no {label}"));
                let dd = &r.body[at + start.len()..];
                dd.split("</dd>").next().unwrap().to_string()
            };
            assert!(
                fact(labels[0]).contains(&number),
                "{uri}: {}",
                fact(labels[0])
            );
            assert!(
                fact(labels[1]).contains(&per),
                "{uri}: {} ≠ {per}",
                fact(labels[1])
            );
            assert!(fact(labels[2]).contains(&per), "{uri}: {}", fact(labels[2]));
        }
    }
    // The demonstration's figures, from its (made-up) population; a
    // territory whose population is unknown has none.
    let r = get(&fx.app, "/territories/territory%3Ademo%3Aepci%3A960000008").await;
    ok_html(&r, "demo epci");
    assert!(r.body.contains("168\u{202f}810"), "demo population");
    assert!(r.body.contains("pour 10\u{202f}000 habitants"));
    let mut store = Store::open(&fx.db).unwrap();
    store
        .write("test", "test", None, |w| {
            w.upsert(&Entity::Territory(Territory {
                id: EntityId::parse("territory:test:commune:96999").unwrap(),
                name: "Sans population".into(),
                level: "commune".into(),
                code: "96999".into(),
                parent: None,
                department: None,
                population: None,
                postcodes: Vec::new(),
                fictional: true,
                provenance: Provenance::new("test", chrono::Utc::now()),
            }))?;
            Ok(())
        })
        .unwrap();
    drop(store);
    let r = get(&fx.app, "/territories/territory%3Atest%3Acommune%3A96999").await;
    ok_html(&r, "no population");
    assert!(!r.body.contains("<dt>Population</dt>"));
    assert!(!r.body.contains("pour 10\u{202f}000 habitants"));
}
