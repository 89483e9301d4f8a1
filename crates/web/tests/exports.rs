//! The export downloads over HTTP on a real temporary registry: streamed,
//! the same bytes as `archipel export`, no spreadsheet formula, errors
//! said; and the server never writes to the registry file.

use archipel_content::Content;
use archipel_domain::*;
use archipel_jobs::export::{self, Export};
use archipel_store::Store;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"clic\")";

fn registry() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let content = Content::embedded().unwrap();
    let mut store = Store::open(&db).unwrap();
    archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
    let evil = Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, "test", "evil").unwrap(),
        name: FORMULA.into(),
        nature: Nature::Organisation,
        kind: Some("association".into()),
        typology: vec![],
        description: Some("+cmd|' /C calc'!A0".into()),
        identifiers: Identifiers::default(),
        website: None,
        email: None,
        territory: None,
        location: Some(GeoPoint {
            lat: -21.1,
            lon: 55.5,
        }),
        provenance: Provenance::new("test", chrono::Utc::now()),
    });
    store
        .write("test", "test", None, |w| w.upsert(&evil).map(drop))
        .unwrap();
    (dir, db)
}

fn app(db: &std::path::Path) -> Router {
    let mut config = archipel_web::Config::new(db.to_path_buf());
    config.tiles = None;
    archipel_web::app(config, Content::embedded().unwrap()).unwrap()
}

async fn get(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn library(db: &std::path::Path, what: Export) -> Vec<u8> {
    let store = Store::open_read_only(db).unwrap();
    let mut out = Vec::new();
    export::write(&store, what, &mut out).unwrap();
    out
}

/// Every download is streamed (no length known in advance) and holds the
/// bytes the library writes for `archipel export`; an unchanged registry
/// answers 304 to the download's ETag.
#[tokio::test]
async fn downloads_are_streamed_and_are_the_cli_export() {
    let (_dir, db) = registry();
    let app = app(&db);
    for (file, what) in [
        ("archipel.json", Export::Json),
        ("archipel.geojson", Export::Geojson),
        ("lieux-mediation-numerique.csv", Export::Mediation),
        ("actors.csv", Export::Csv(EntityKind::Actor)),
        ("relations.csv", Export::Csv(EntityKind::Relation)),
    ] {
        let uri = format!("/api/v1/exports/{file}");
        let (status, headers, body) =
            get(&app, Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{file}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            !headers.contains_key(header::CONTENT_LENGTH),
            "{file}: {headers:?}"
        );
        assert!(body == library(&db, what), "{file}");
        let etag = headers[header::ETAG].clone();
        let (status, _, body) = get(
            &app,
            Request::get(&uri)
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{file}");
        assert!(body.is_empty());
    }
}

/// The CSV downloads write formulas as text, and numbers as numbers.
#[tokio::test]
async fn csv_downloads_carry_no_formula() {
    let (_dir, db) = registry();
    let app = app(&db);
    let (_, _, body) = get(
        &app,
        Request::get("/api/v1/exports/actors.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let mut r = csv::Reader::from_reader(&body[..]);
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let row = r
        .records()
        .map(|x| x.unwrap())
        .find(|x| &x[col("id")] == "actor:test:evil")
        .unwrap();
    assert_eq!(&row[col("name")], format!("'{FORMULA}"));
    assert_eq!(&row[col("description")], "'+cmd|' /C calc'!A0");
    assert_eq!(&row[col("lat")], "-21.1");
}

/// A record that cannot be read makes the download fail (here before
/// anything was sent: a JSON error; the reason goes to the log), not a
/// file with a hole.
#[tokio::test]
async fn an_unreadable_record_is_an_error() {
    let (_dir, db) = registry();
    let app = app(&db);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE entity SET data = '{' WHERE id = 'actor:test:evil'",
            [],
        )
        .unwrap();
    let (status, headers, body) = get(
        &app,
        Request::get("/api/v1/exports/actors.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("json"));
    assert!(body.contains("\"status\":500"), "{body}");
}

/// Serving pages and downloads leaves the registry file as it was: the
/// server reads through read-only connections.
#[tokio::test]
async fn serving_never_writes_the_registry() {
    let (_dir, db) = registry();
    let before = std::fs::read(&db).unwrap();
    let modified = std::fs::metadata(&db).unwrap().modified().unwrap();
    let app = app(&db);
    for uri in [
        "/",
        "/search?q=mediatheque",
        "/api/v1/search?q=mediatheque",
        "/api/v1/exports/archipel.json",
    ] {
        let (status, _, _) = get(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    drop(app);
    assert!(std::fs::read(&db).unwrap() == before);
    assert_eq!(
        std::fs::metadata(&db).unwrap().modified().unwrap(),
        modified
    );
}
