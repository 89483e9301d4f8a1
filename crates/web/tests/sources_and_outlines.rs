//! Over HTTP: a record's source named for people whatever it is (issue
//! 15), and the finer map outlines an operator provides (`tiles.outlines`).

use archipel_content::Content;
use archipel_domain::*;
use archipel_store::Store;
use archipel_web::{Config, Outlines};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Res {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn get_with(app: &Router, uri: &str, headers: &[(header::HeaderName, &str)]) -> Res {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Res {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Res {
    get_with(app, uri, &[]).await
}

/// The demonstration territory plus `extra`, served with `configure`.
fn serve(dir: &std::path::Path, extra: Vec<Entity>, configure: impl FnOnce(&mut Config)) -> Router {
    let db = dir.join("registry.db");
    let content = Content::embedded().unwrap();
    if !db.exists() {
        let mut store = Store::open(&db).unwrap();
        archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
        // Each record in a batch of its own source, as an import or a
        // contribution writes it.
        for e in &extra {
            let source = e.provenance().source.to_string();
            store
                .write(&source, "test", None, |w| {
                    w.upsert(e)?;
                    Ok(())
                })
                .unwrap();
        }
    }
    let mut config = Config::new(db);
    configure(&mut config);
    archipel_web::app(config, content).unwrap()
}

fn actor(source: &str, local: &str, name: &str, provenance: Provenance) -> Entity {
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
        location: None,
        provenance,
    })
}

/// The part of a record page that says where it came from.
fn source_box(page: &str) -> &str {
    let start = page.find("id=\"source-h\"").expect("a source box");
    let end = page[start..].find("</aside>").expect("its end") + start;
    &page[start..end]
}

/// Every record names its source for people: a label when Archipel knows
/// the source (the demonstration, the SILL, the médiation schema, its
/// own files imported without a source name, contributions on the web),
/// else the name given at import; with the source's date (a
/// contribution's: when it was made), and the file and line one click
/// away.
#[tokio::test]
async fn every_source_is_named_for_people_with_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let at = "2026-04-02T09:30:00Z".parse().unwrap();
    let mut imported = Provenance::new("cd35-lieux", at).at("exports/lieux-2026.csv", 12);
    imported.source_date = Some("2026-03-01".parse().unwrap());
    let contributed = Provenance::new(archipel_jobs::contribute::WEB_SOURCE, at);
    let json = Provenance::new("json", at).at("registre.json", 40);
    let app = serve(
        dir.path(),
        vec![
            actor("cd35-lieux", "a1", "Association des Lieux", imported),
            actor("web", "b1", "Collectif en ligne", contributed),
            actor("json", "c1", "Fablab du Port", json),
        ],
        |_| {},
    );

    // A source named at import: its name as given, its date, its file.
    let page = get(&app, "/actors/actor:cd35-lieux:a1").await.text();
    let source = source_box(&page);
    assert!(
        source.contains(r#"<span class="source-name" dir="auto">cd35-lieux</span>"#),
        "{source}"
    );
    assert!(
        source.contains(r#"<time datetime="2026-03-01">2026-03-01</time>"#),
        "{source}"
    );
    assert!(
        source.contains("<details class=\"source-file\">")
            && source.contains("exports/lieux-2026.csv:12"),
        "{source}"
    );

    // A contribution on the web: said so, with its day, and no file.
    for (lang, said) in [
        ("fr", "Contribution en ligne"),
        ("en", "Contribution on the web"),
    ] {
        let page = get(&app, &format!("/actors/actor:web:b1?lang={lang}"))
            .await
            .text();
        let source = source_box(&page);
        assert!(
            source.contains(&format!(
                r#"<span class="source-name" dir="auto">{said}</span>"#
            )),
            "{lang}: {source}"
        );
        assert!(
            source.contains(r#"<time datetime="2026-04-02">2026-04-02</time>"#),
            "{lang}: the contribution's day: {source}"
        );
        assert!(!source.contains("source-file"), "{lang}: {source}");
    }
    // Its history names it the same way.
    let history = get(&app, "/actors/actor:web:b1/historique").await.text();
    assert!(history.contains("Contribution en ligne"), "{history}");
    assert!(!history.contains("<bdi>web</bdi>"), "{history}");

    // Archipel's own JSON, imported without a source name.
    let page = get(&app, "/actors/actor:json:c1").await.text();
    assert!(
        source_box(&page).contains(">Fichier JSON d&#39;Archipel</span>"),
        "{}",
        source_box(&page)
    );

    // The demonstration's, as before.
    let page = get(&app, "/actors/actor:demo:metropole").await.text();
    assert!(
        source_box(&page).contains("Territoire de démonstration"),
        "{}",
        source_box(&page)
    );
}

const OUTLINES: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"name": "Côte"},
   "geometry": {"type": "LineString", "coordinates": [[-1.60, 48.10], [-1.55, 48.15], [-1.50, 48.12]]}}
]}"#;

/// `Config::outlines` (`tiles.outlines`): the map pages point the map at
/// `/assets/outlines.json?v=VERSION`, which answers the file's bytes with
/// the assets' caching (a year at its version, an ETag, 304); without
/// the setting, or with a tile server, the pages do not ask for it.
#[tokio::test]
async fn operator_outlines_are_served_and_given_to_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cote.geojson");
    std::fs::write(&file, OUTLINES).unwrap();
    let outlines = Outlines::load(&file).unwrap();
    assert_eq!(outlines.kind, "FeatureCollection");
    let app = serve(dir.path(), vec![], |c| c.outlines = Some(outlines.clone()));

    let url = outlines.url();
    assert!(url.starts_with("/assets/outlines.json?v="), "{url}");
    for page in [
        "/map",
        "/",
        "/places/place:demo:mediatheque-lucioles",
        "/embed/map",
    ] {
        let body = get(&app, page).await.text();
        assert!(
            body.contains(&format!(r#"data-outlines="{url}""#)),
            "{page} gives the map the outlines"
        );
    }
    let res = get(&app, &url).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, OUTLINES.as_bytes());
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/geo+json");
    assert_eq!(
        res.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let etag = res.headers[header::ETAG].to_str().unwrap().to_string();
    let again = get_with(&app, &url, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let unversioned = get(&app, Outlines::URL).await;
    assert_eq!(unversioned.status, StatusCode::OK);
    assert_eq!(
        unversioned.headers[header::CACHE_CONTROL],
        "public, max-age=300"
    );

    // Without the setting: nothing to ask for, and nothing there.
    let none = tempfile::tempdir().unwrap();
    let plain = serve(none.path(), vec![], |_| {});
    assert!(get(&plain, "/map")
        .await
        .text()
        .contains(r#"data-outlines="""#));
    assert_eq!(
        get(&plain, Outlines::URL).await.status,
        StatusCode::NOT_FOUND
    );
    // With a tile server, the tiles draw the coasts.
    let tiled = serve(dir.path(), vec![], |c| {
        c.outlines = Some(outlines.clone());
        c.tiles = Some(archipel_web::Tiles::openstreetmap());
    });
    assert!(get(&tiled, "/map")
        .await
        .text()
        .contains(r#"data-outlines="""#));
}

/// A file that is not GeoJSON or TopoJSON, or too large, is refused
/// when the server starts, with the file named and why.
#[test]
fn bad_outlines_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = Outlines::load(&path).unwrap_err();
        assert!(
            e.starts_with(&format!("{}: ", path.display())),
            "names the file: {e}"
        );
        e
    };
    assert!(refused("a.json", b"{\"type\": \"Topology\",").contains("not valid JSON"));
    assert!(refused("b.json", b"[1, 2]").contains("not an object"));
    assert!(refused("c.json", b"{\"type\": \"Map\"}").contains("`Map`: expected GeoJSON"));
    assert!(refused("d.json", b"{\"type\": \"Topology\"}").contains("without `objects`"));
    assert!(refused("e.json", b"\xff\xfe").contains("not valid JSON"));
    let large = dir.path().join("large.json");
    std::fs::File::create(&large)
        .unwrap()
        .set_len(archipel_web::MAX_OUTLINES_BYTES + 1)
        .unwrap();
    let e = Outlines::load(&large).unwrap_err();
    assert!(e.contains("larger than the 50 MiB allowed"), "{e}");
    let topology = r#"{"type": "Topology", "objects": {"coast": {"type": "LineString", "arcs": [0]}},
        "arcs": [[[0, 0], [1, 1]]]}"#;
    let path = dir.path().join("ok.topojson");
    std::fs::write(&path, topology).unwrap();
    assert_eq!(Outlines::load(&path).unwrap().kind, "Topology");
}
