//! The export downloads over HTTP on a real temporary registry: spooled
//! once per change or streamed, the same bytes as `archipel export`, no
//! spreadsheet formula, errors said; and the server never writes to the
//! registry file.

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
    let mut evil = actor("evil", FORMULA);
    if let Entity::Actor(a) = &mut evil {
        a.description = Some("+cmd|' /C calc'!A0".into());
        a.location = Some(GeoPoint {
            lat: -21.1,
            lon: 55.5,
        });
    }
    drop(store);
    add(&db, &evil);
    (dir, db)
}

fn app(db: &std::path::Path) -> Router {
    archipel_web::router(state(db, |_| {}))
}

fn state(
    db: &std::path::Path,
    adjust: impl FnOnce(&mut archipel_web::Config),
) -> archipel_web::AppState {
    let mut config = archipel_web::Config::new(db.to_path_buf());
    config.tiles = None;
    adjust(&mut config);
    archipel_web::AppState::new(config, Content::embedded().unwrap()).unwrap()
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

/// Every download holds the bytes the library writes for `archipel
/// export`, read from the spool (its length known) or, with the answer
/// cache off, streamed as written (no length known in advance); an
/// unchanged registry answers 304 to the download's ETag.
#[tokio::test]
async fn downloads_are_the_cli_export_spooled_or_streamed() {
    let (_dir, db) = registry();
    for spooled in [true, false] {
        let st = state(&db, |c| {
            if !spooled {
                c.cache_bytes = 0;
            }
        });
        let folder = st.spool.as_ref().map(|s| s.dir().to_path_buf());
        assert_eq!(folder.is_some(), spooled);
        let app = archipel_web::router(st);
        downloads_are_the_cli_export(&app, &db, spooled).await;
        if let Some(folder) = folder {
            // The server's alone, and gone with the server.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o700);
            }
            assert!(std::fs::read_dir(&folder).unwrap().count() > 0);
            drop(app);
            assert!(!folder.exists(), "{}", folder.display());
        }
    }
}

async fn downloads_are_the_cli_export(app: &Router, db: &std::path::Path, spooled: bool) {
    let (app, db) = (app.clone(), db.to_path_buf());
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
        assert_eq!(
            headers
                .get(header::CONTENT_LENGTH)
                .map(|v| v.to_str().unwrap()),
            spooled.then(|| body.len().to_string()).as_deref(),
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

fn actor(local: &str, name: &str) -> Entity {
    Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, "test", local).unwrap(),
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
        provenance: Provenance::new("test", chrono::Utc::now()),
    })
}

fn add(db: &std::path::Path, e: &Entity) {
    Store::open(db)
        .unwrap()
        .write("test", "test", None, |w| w.upsert(e).map(drop))
        .unwrap();
}

/// The files in the spool's folder.
fn spooled_files(state: &archipel_web::AppState) -> Vec<String> {
    let dir = state.spool.as_ref().unwrap().dir();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// An export is written once per change of the registry, however many
/// download it at once, and read from disk after that; a change writes it
/// anew and removes the old file; without a spool folder the download is
/// streamed as written.
#[tokio::test]
async fn an_export_is_written_once_per_change_of_the_registry() {
    let (_dir, db) = registry();
    let state = state(&db, |_| {});
    let app = archipel_web::router(state.clone());
    let spool = state.spool.clone().expect("a spool when the cache is on");
    let download = |uri: &'static str| get(&app, Request::get(uri).body(Body::empty()).unwrap());
    let json = || download("/api/v1/exports/archipel.json");
    // In both languages: answers the answer cache does not share.
    let english = || download("/api/v1/exports/archipel.json?lang=en");
    let (a, b, c, d) = tokio::join!(json(), english(), json(), english());
    let expected = library(&db, Export::Json);
    for (status, _, body) in [a, b, c, d] {
        assert_eq!(status, StatusCode::OK);
        assert!(body == expected);
    }
    assert_eq!(spool.written(), 1, "four downloads at once, one export");
    let (_, _, body) = json().await;
    assert!(body == expected);
    assert_eq!(spool.written(), 1, "read from the spool");
    assert_eq!(spooled_files(&state).len(), 1);

    // A change of the registry: the next download is the new registry,
    // written once, and the old file is gone.
    add(&db, &actor("new", "Atelier neuf"));
    let (_, _, body) = json().await;
    assert!(String::from_utf8_lossy(&body).contains("Atelier neuf"));
    assert!(body == library(&db, Export::Json));
    assert_eq!(spool.written(), 2);
    assert_eq!(
        spooled_files(&state).len(),
        1,
        "{:?}",
        spooled_files(&state)
    );
    // Another export has its own file.
    let (status, _, _) = get(
        &app,
        Request::get("/api/v1/exports/actors.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spool.written(), 3);
    assert_eq!(spooled_files(&state).len(), 2);

    // The spool's folder gone (a cleaner of temporary files, a full
    // disk): downloads are streamed as written, still whole and new.
    std::fs::remove_dir_all(spool.dir()).unwrap();
    add(&db, &actor("newer", "Atelier plus neuf"));
    let (status, headers, body) = json().await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key(header::CONTENT_LENGTH), "streamed");
    assert!(body == library(&db, Export::Json));
    assert!(String::from_utf8_lossy(&body).contains("Atelier plus neuf"));
    assert_eq!(spool.written(), 3);
}
