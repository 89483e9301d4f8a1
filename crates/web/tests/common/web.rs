#![allow(dead_code)]

//! A client for the web crate's HTTP tests: a server on a real temporary
//! registry with a fixed clock, and a "browser" that keeps cookies and
//! posts forms with their anti-forgery token.

use archipel_accounts::password;
use archipel_content::Content;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::Store;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

pub const PASSWORD: &str = "une phrase de passe assez longue";

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub app: Router,
    pub clock: archipel_web::Clock,
}

pub fn fixture_with(f: impl FnOnce(&mut archipel_web::Config)) -> Fixture {
    fixture_of(false, f)
}

/// A server on a registry holding the demonstration territory.
pub fn demo_fixture_with(f: impl FnOnce(&mut archipel_web::Config)) -> Fixture {
    fixture_of(true, f)
}

fn fixture_of(demo: bool, f: impl FnOnce(&mut archipel_web::Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let mut store = Store::open(&db).unwrap();
    if demo {
        let content = Content::embedded().unwrap();
        archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
    }
    drop(store);
    let mut config = archipel_web::Config::new(db.clone());
    config.tiles = None;
    config.public_url = "https://archipel.example".into();
    let clock = archipel_web::Clock::fixed(t0());
    config.sign_in.clock = clock.clone();
    f(&mut config);
    let content = Content::embedded().unwrap();
    let state = archipel_web::AppState::new(config, content).unwrap();
    Fixture {
        dir,
        db,
        app: archipel_web::router(state),
        clock,
    }
}

pub fn fixture() -> Fixture {
    fixture_with(|_| {})
}

impl Fixture {
    pub fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    /// An account with [`PASSWORD`]; returns its id.
    pub fn account(&self, email: &str, name: &str, role: &str) -> i64 {
        let hash = password::hash(PASSWORD).unwrap();
        self.store()
            .create_account(
                &NewAccount {
                    email: Some(email),
                    password_hash: Some(&hash),
                    display_name: name,
                    role,
                },
                &Audit::new(t0(), None, serde_json::Value::Null),
            )
            .unwrap()
    }
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }
    /// The value of the hidden anti-forgery field of the first form.
    pub fn csrf(&self) -> String {
        self.body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body))
            .to_string()
    }
}

/// A browser: a cookie jar.
#[derive(Default, Clone)]
pub struct Browser {
    pub jar: BTreeMap<String, String>,
}

impl Browser {
    pub async fn send(&mut self, app: &Router, mut req: Request<Body>) -> Res {
        if !self.jar.is_empty() {
            let c = self
                .jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let r = Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for c in r.set_cookies() {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_string(), v.to_string());
            }
        }
        r
    }

    pub async fn get(&mut self, app: &Router, uri: &str) -> Res {
        self.send(app, Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(&mut self, app: &Router, uri: &str, fields: &[(&str, &str)]) -> Res {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            app,
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Opens the sign-in page and posts its form.
    pub async fn sign_in(&mut self, app: &Router, email: &str, password: &str, next: &str) -> Res {
        let page = self.get(app, "/connexion").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = page.csrf();
        self.post(
            app,
            "/connexion",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", next),
            ],
        )
        .await
    }

    /// Posts the sign-up form.
    pub async fn sign_up(
        &mut self,
        app: &Router,
        csrf: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Res {
        let fields = [
            ("csrf", csrf),
            ("name", name),
            ("email", email),
            ("password", password),
        ];
        self.post(app, "/inscription", &fields).await
    }

    pub fn session(&self) -> Option<String> {
        self.jar.get("archipel_session").cloned()
    }
}

/// A contributor (Camille) and a moderator (Dominique), each signed in in
/// their own browser.
pub async fn two_people(f: &Fixture) -> (Browser, Browser) {
    f.account("camille@exemple.fr", "Camille", "contributor");
    f.account("dominique@exemple.fr", "Dominique", "moderator");
    let mut contributor = Browser::default();
    let r = contributor
        .sign_in(&f.app, "camille@exemple.fr", PASSWORD, "/compte")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut moderator = Browser::default();
    let r = moderator
        .sign_in(&f.app, "dominique@exemple.fr", PASSWORD, "/compte")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (contributor, moderator)
}

/// Opens a form and posts it with `fields` and its token.
pub async fn send_form(b: &mut Browser, app: &Router, path: &str, fields: &[(&str, &str)]) -> Res {
    let page = b.get(app, path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    let csrf = page.csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    all.extend_from_slice(fields);
    b.post(app, path, &all).await
}

/// The proposal number a `/compte?proposition=N` redirect names.
pub fn proposal_of(r: &Res) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .split("proposition=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no proposal in {}", r.location()))
}
