//! Signing in and out through a real OpenID Connect provider (panva's
//! oidc-provider, `archipel_testkit::oidc::OidcProvider`), over HTTP: the
//! server answers through its router, a blocking HTTP client plays the
//! browser on the provider's pages.

use archipel_accounts::oidc::{ProviderConfig, SecretSource};
use archipel_content::Content;
use archipel_store::Store;
use archipel_testkit::oidc::{OidcProvider, ProviderLog, STEP_TIMEOUT};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// Never contacted: the provider sends the browser there, and the test
/// hands the path and query to the router.
const REDIRECT: &str = "http://127.0.0.1:9/connexion/oidc/test/retour";
const AFTER_LOGOUT: &str = "http://127.0.0.1:9/deconnexion/fin";

/// The test's browser on Archipel's pages: a cookie jar, and the
/// provider's log, so that a request that does not end (a provider that
/// stopped answering Archipel's calls) fails the test, with what the
/// provider said, after [`STEP_TIMEOUT`].
#[derive(Default, Clone)]
struct Browser {
    jar: BTreeMap<String, String>,
    log: ProviderLog,
}

struct Res {
    status: StatusCode,
    location: String,
    body: String,
}

impl Browser {
    async fn send(&mut self, app: &Router, mut req: Request<Body>) -> Res {
        let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !c.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, c.join("; ").parse().unwrap());
        }
        let what = format!("{} {}", req.method(), req.uri());
        let res = self
            .log
            .within(&what, app.clone().oneshot(req))
            .await
            .unwrap();
        for set in res.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (k, v) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.into(), v.into());
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = self
            .log
            .within(&what, res.into_body().collect())
            .await
            .unwrap()
            .to_bytes();
        Res {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, app: &Router, uri: &str) -> Res {
        self.send(app, Request::get(uri).body(Body::empty()).unwrap())
            .await
    }
}

/// The provider's pages without JavaScript: follows its redirects with
/// its cookies, posts its login form, and returns the URL it sends the
/// browser back to (on [`REDIRECT`]). Every call lasts at most
/// [`STEP_TIMEOUT`]; a failure says which call and why.
fn at_provider(start: &str, login: &str, password: &str) -> Result<String, String> {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP_TIMEOUT)
        .connect_timeout(STEP_TIMEOUT)
        .build()
        .map_err(|e| format!("an HTTP client: {e}"))?;
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = url::Url::parse(start).map_err(|e| format!("{start}: {e}"))?;
    let mut form = false;
    for _ in 0..20 {
        if url.as_str().starts_with(REDIRECT) {
            return Ok(url.to_string());
        }
        let cookie: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let request = if form {
            form = false;
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("login", login), ("password", password)])
                .finish();
            http.post(url.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        } else {
            http.get(url.clone())
        };
        let response = request
            .header("cookie", cookie.join("; "))
            .send()
            .map_err(|e| format!("{url}: {}", archipel_domain::error_chain(&e)))?;
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.trim().into(), v.trim().into());
            }
        }
        if response.status().is_redirection() {
            let location = response.headers()["location"].to_str().unwrap().to_string();
            url = url.join(&location).unwrap();
            continue;
        }
        let body = response
            .text()
            .map_err(|e| format!("{url}: {}", archipel_domain::error_chain(&e)))?;
        let action = body
            .split("action=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .ok_or_else(|| format!("{url}: no form in {body}"))?;
        url = url.join(action).unwrap();
        form = true;
    }
    Err(format!("too many redirects from {start}"))
}

/// The provider's leg of a sign-in, on a blocking thread; bounded twice
/// (each call by the client, the whole by [`ProviderLog::within`]), so
/// that a provider that stops answering fails the test with what it
/// wrote on its standard error.
async fn provider_leg(log: &ProviderLog, start: String) -> String {
    let leg = tokio::task::spawn_blocking(move || {
        at_provider(&start, "agent-1", "mot de passe de test 1")
    });
    match log.within("the provider's login pages", leg).await {
        Ok(Ok(url)) => url,
        Ok(Err(e)) => log.fail(format_args!("the provider's login pages: {e}")),
        Err(e) => log.fail(format_args!("the provider's login pages: {e}")),
    }
}

/// The path and query of the URL the provider sent the browser back to.
fn local(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    format!("{}?{}", u.path(), u.query().unwrap_or(""))
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_and_out_through_a_real_provider() {
    let provider = OidcProvider::start(REDIRECT, AFTER_LOGOUT);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    drop(Store::open(&db).unwrap());
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "secret-archipel-rs256\n").unwrap();
    let mut p = ProviderConfig::new(
        "test",
        &provider.issuer,
        "archipel-rs256",
        SecretSource::File(secret),
        REDIRECT,
    );
    p.label = "Fournisseur de test".into();
    p.post_logout_redirect_url = Some(AFTER_LOGOUT.into());
    p.require_signed_userinfo = true;
    let mut config = archipel_web::Config::new(db.clone());
    config.public_url = "http://127.0.0.1:9".into();
    config.sign_in.providers = vec![p];
    let state = archipel_web::AppState::new(config, Content::embedded().unwrap()).unwrap();
    let app = archipel_web::router(state);

    // The sign-in page has the provider's button.
    let mut b = Browser {
        log: provider.log.clone(),
        ..Browser::default()
    };
    let page = b.get(&app, "/connexion?next=/map").await;
    assert!(
        page.body
            .contains("href=\"/connexion/oidc/test?next=/map\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fournisseur de test"));

    // A callback carried to another browser signs nobody in there, and
    // is used up.
    let start = b.get(&app, "/connexion/oidc/test?next=/map").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert!(
        start.location.starts_with(&provider.issuer),
        "{}",
        start.location
    );
    let q: BTreeMap<String, String> = url::Url::parse(&start.location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(q["state"].len() >= 32 && q["nonce"].len() >= 32);
    assert_eq!(q["code_challenge_method"], "S256");
    let back = provider_leg(&provider.log, start.location).await;
    let mut victim = Browser {
        log: provider.log.clone(),
        ..Browser::default()
    };
    victim.get(&app, "/connexion").await;
    let r = victim.get(&app, &local(&back)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!victim.jar.contains_key("archipel_session"));
    let r = b.get(&app, &local(&back)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "used once");

    // The whole flow.
    let start = b.get(&app, "/connexion/oidc/test?next=/map").await;
    let back = provider_leg(&provider.log, start.location).await;
    let r = b.get(&app, &local(&back)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/map");
    assert!(b.jar.contains_key("archipel_session"));
    let account = Store::open(&db)
        .unwrap()
        .account_by_identity(&provider.issuer, "agent-1")
        .unwrap()
        .expect("an account keyed on (issuer, sub)");
    assert_eq!(account.display_name, "Jeanne Martin");
    assert_eq!(account.role, "contributor");
    assert_eq!(
        account.email.as_deref(),
        Some("jeanne.martin@mairie-exemple.fr")
    );
    let me = b.get(&app, "/compte").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("21310555400017"), "{}", me.body);
    assert!(me.body.contains("Mairie d&#39;Exemple"), "{}", me.body);

    // Signing out goes through the provider's end-session endpoint.
    let csrf = me
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let r = b
        .send(
            &app,
            Request::post("/deconnexion")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location
            .starts_with(&format!("{}/session/end?", provider.issuer)),
        "{}",
        r.location
    );
    let q: BTreeMap<String, String> = url::Url::parse(&r.location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["id_token_hint"].split('.').count(), 3);
    assert_eq!(q["post_logout_redirect_uri"], AFTER_LOGOUT);
    assert!(!b.jar.contains_key("archipel_session"));

    // Signing in again finds the same account.
    let start = b.get(&app, "/connexion/oidc/test").await;
    let back = provider_leg(&provider.log, start.location).await;
    assert_eq!(
        b.get(&app, &local(&back)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(Store::open(&db).unwrap().accounts().unwrap().len(), 1);
}
