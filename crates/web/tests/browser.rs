//! The pages in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), against the server on a loopback port and a temporary
//! registry holding the demonstration territory.
//!
//! Needs `chromium` and `chromium-driver` (Debian); `scripts/test.sh`
//! installs them (as root). Without them the test fails, saying what to
//! install: a check that did not run must not pass.
//!
//! Screenshots of the main pages are saved under `target/screenshots/`.

use archipel_content::Content;
use archipel_store::Store;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn find(names: &[&str]) -> Option<PathBuf> {
    for n in names {
        let p = Path::new(n);
        if p.is_absolute() && p.exists() {
            return Some(p.to_path_buf());
        }
        if let Some(paths) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&paths) {
                let c = dir.join(n);
                if c.is_file() {
                    return Some(c);
                }
            }
        }
    }
    None
}

/// Kills chromedriver (and the browser it started) when the test ends.
struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `POST /session/{id}/se/log`: the browser's console log (chromedriver).
#[derive(Debug)]
struct BrowserLog;
impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or("")))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

async fn severe_logs(c: &Client) -> Vec<String> {
    let v = c.issue_cmd(BrowserLog).await.expect("browser log");
    v.as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["level"] == "SEVERE")
                .map(|e| e["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css))
        .await
        .ok()?
        .attr(name)
        .await
        .ok()?
}

async fn click(c: &Client, css: &str) -> Result<(), String> {
    c.find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .click()
        .await
        .map_err(|e| format!("{css}: {e}"))
}

/// How many elements `css` matches.
async fn count_of(c: &Client, css: &str) -> Result<usize, String> {
    c.find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .map_err(|e| format!("{css}: {e}"))
}

async fn goto(c: &Client, url: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("{url}: {e}"))
}

/// Waits (up to fantoccini's default) until `css` matches an element.
async fn wait_for(c: &Client, css: &str) -> Result<(), String> {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .map(|_| ())
        .map_err(|e| format!("waiting for {css}: {e}"))
}

/// Waits until the map script has loaded its features.
async fn map_ready(c: &Client) -> u64 {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("[data-map][data-ready]"))
        .await
        .expect("the map loads");
    assert_eq!(
        attr(c, "[data-map]", "data-ready").await.as_deref(),
        Some("true")
    );
    attr(c, "[data-map]", "data-count")
        .await
        .and_then(|s| s.parse().ok())
        .expect("data-count")
}

/// A headless Chromium driven through chromedriver; both stop when it
/// is dropped.
struct Chromium {
    client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// Starts chromedriver and a browser session, or fails saying what to
/// install.
async fn chromium() -> Chromium {
    let chromium = find(&["chromium", "chromium-browser", "/usr/bin/chromium"]);
    let driver = find(&["chromedriver", "/usr/bin/chromedriver"]);
    let (Some(chromium), Some(driver_bin)) = (chromium, driver) else {
        panic!(
            "chromium or chromedriver not found: this test drives the pages in headless \
             Chromium; install them (apt-get install chromium chromium-driver, or run \
             scripts/test.sh as root)"
        );
    };
    let port = free_port();
    let driver = Driver(
        Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--disable-extensions", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut client = None;
    for _ in 0..100 {
        let mut b = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        b.capabilities(caps.clone());
        match b.connect(&webdriver).await {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    Chromium {
        client: client.expect("a WebDriver session with headless Chromium"),
        _driver: driver,
        _profile: profile,
    }
}

/// Serves `config` on a loopback port bound beforehand (`listener`).
fn serve_on(listener: tokio::net::TcpListener, config: archipel_web::Config) {
    let app = archipel_web::app(config, Content::embedded().unwrap()).unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
}

fn screenshots() -> PathBuf {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    shots
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_headless_chromium() {
    // The server, on a loopback port, over a fresh registry.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let content = Content::embedded().unwrap();
    {
        let mut store = Store::open(&db).unwrap();
        archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
    }
    let mut config = archipel_web::Config::new(db);
    config.tiles = None; // no network here: the map must work without tiles
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    serve_on(listener, config);
    let base = format!("http://{addr}");

    let browser = chromium().await;
    let c = &browser.client;
    let result = run(c, &base, &screenshots()).await;
    let _ = c.clone().close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn run(c: &Client, base: &str, shots: &Path) -> Result<(), String> {
    let mut errors: Vec<String> = Vec::new();

    // 1. Home: the map shows the demo's located places and actors.
    goto(c, &format!("{base}/")).await?;
    let count = map_ready(c).await;
    let raw = c
        .execute(
            "return fetch('/api/v1/places.geojson').then(r => r.text());",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let api: Value =
        serde_json::from_str(raw.as_str().unwrap_or("{}")).map_err(|e| e.to_string())?;
    let expected = api["features"].as_array().map(|a| a.len()).unwrap_or(0) as u64;
    assert!(
        expected >= 17,
        "demo places and actors with coordinates: {expected}"
    );
    assert_eq!(count, expected, "every feature became a marker");
    let icons = count_of(c, ".leaflet-marker-icon").await?;
    assert!(icons > 0, "markers or clusters in the DOM");
    let clusters = count_of(c, ".marker-cluster").await?;
    let pins = count_of(c, ".leaflet-marker-icon.pin").await?;
    assert_eq!(icons, clusters + pins);
    assert_eq!(attr(c, "html", "lang").await.as_deref(), Some("fr"));
    shot(c, shots, "home").await;
    errors.extend(severe_logs(c).await);

    // 2. A search without accents finds an accented name.
    let q = c
        .find(Locator::Id("home-q"))
        .await
        .map_err(|e| e.to_string())?;
    q.send_keys("mediatheque lucioles")
        .await
        .map_err(|e| e.to_string())?;
    click(c, ".big-search button").await?;
    wait_for(c, "ol.results").await?;
    let results = text_of(c, "ol.results").await;
    assert!(results.contains("Médiathèque des Lucioles"), "{results}");
    shot(c, shots, "search").await;

    // 3. A facet narrows the results.
    goto(c, &format!("{base}/search?q=mediatheque")).await?;
    let before: u64 = attr(c, ".results-count", "data-total")
        .await
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let hits_before = count_of(c, "ol.results > li").await?;
    click(c, ".facet a[href*='type=place']").await?;
    c.wait()
        .for_url(
            &url::Url::parse(&format!("{base}/search?q=mediatheque&type=place"))
                .map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    let after: u64 = attr(c, ".results-count", "data-total")
        .await
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let hits_after = count_of(c, "ol.results > li").await?;
    assert!(after >= 1 && after < before, "{after} < {before}");
    assert!(hits_after < hits_before);
    assert!(text_of(c, ".active-filters").await.contains("Lieu"));
    shot(c, shots, "search-facet").await;
    errors.extend(severe_logs(c).await);

    // 4. A page opens from a map popup.
    goto(c, &format!("{base}/map")).await?;
    map_ready(c).await;
    shot(c, shots, "map").await;
    let mut opened = false;
    for _ in 0..12 {
        if let Ok(pin) = c.find(Locator::Css(".leaflet-marker-icon.pin")).await {
            // Clicking through WebDriver can land on an overlapping icon:
            // fire Leaflet's own click on the element.
            c.execute(
                "arguments[0].click();",
                vec![serde_json::to_value(&pin).map_err(|e| e.to_string())?],
            )
            .await
            .map_err(|e| e.to_string())?;
            if c.wait()
                .at_most(Duration::from_secs(5))
                .for_element(Locator::Css(".leaflet-popup a.popup-link"))
                .await
                .is_ok()
            {
                opened = true;
                break;
            }
        } else if let Ok(cluster) = c.find(Locator::Css(".marker-cluster")).await {
            c.execute(
                "arguments[0].click();",
                vec![serde_json::to_value(&cluster).map_err(|e| e.to_string())?],
            )
            .await
            .map_err(|e| e.to_string())?;
            // Let the zoom animation settle.
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
    }
    assert!(opened, "a popup opened");
    shot(c, shots, "map-popup").await;
    let link = c
        .find(Locator::Css(".leaflet-popup a.popup-link"))
        .await
        .map_err(|e| e.to_string())?;
    let href = link
        .attr("href")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    link.click().await.map_err(|e| e.to_string())?;
    wait_for(c, "article.record h1").await?;
    let url = c.current_url().await.map_err(|e| e.to_string())?;
    assert_eq!(
        url.path(),
        href.split('?').next().unwrap_or(""),
        "followed the popup link"
    );
    assert!(url.path().starts_with("/places/") || url.path().starts_with("/actors/"));
    shot(c, shots, "record-from-popup").await;
    errors.extend(severe_logs(c).await);

    // 5. Other main pages, for review.
    for (path, name) in [
        ("/commons/commons:sill:236", "commons"),
        ("/actors/actor:demo:metropole", "actor"),
        ("/territories/territory:demo:epci:960000008", "territory"),
        ("/actors", "list-actors"),
        ("/data", "data"),
        ("/nothing-here", "not-found"),
    ] {
        goto(c, &format!("{base}{path}")).await?;
        if c.find(Locator::Css("[data-map]")).await.is_ok() {
            map_ready(c).await;
        }
        shot(c, shots, name).await;
        let logs = severe_logs(c).await;
        // The 404 page logs its own status; nothing else may fail.
        errors.extend(
            logs.into_iter()
                .filter(|m| !(name == "not-found" && m.contains("404"))),
        );
    }

    // 5b. Argument sheets: choose a persona, submit, read the objections,
    // and the PDF link gives a PDF.
    goto(c, &format!("{base}/argumentaires")).await?;
    click(c, "#p-audience option[value='technicien-dsi']").await?;
    // A commune, from its level's group of the territory list.
    click(
        c,
        "#p-territory optgroup option[value='territory:demo:commune:96001']",
    )
    .await?;
    click(c, ".pitch-form button[type='submit']").await?;
    wait_for(c, ".sheet .objection").await?;
    let objections = count_of(c, ".sheet ol.objections > li").await?;
    assert!(objections >= 3, "objections shown: {objections}");
    assert!(
        text_of(c, ".sheet").await.contains("Villecommune"),
        "the sheet is the chosen commune's"
    );
    assert!(text_of(c, ".sheet .evidence")
        .await
        .contains("Acteurs recensés"));
    let url = c.current_url().await.map_err(|e| e.to_string())?;
    assert!(
        url.query()
            .unwrap_or("")
            .contains("audience=technicien-dsi"),
        "{url}"
    );
    shot(c, shots, "argumentaires").await;
    let href = attr(c, ".downloads a[data-format='pdf']", "href")
        .await
        .expect("a PDF link");
    let got = c
        .execute(
            "return fetch(arguments[0]).then(r => r.headers.get('content-type') + ' ' + r.status);",
            vec![json!(href)],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(got, json!("application/pdf 200"), "{href}");
    errors.extend(severe_logs(c).await);

    // 6. The English switch.
    goto(c, &format!("{base}/")).await?;
    click(c, "a.lang").await?;
    wait_for(c, "html[lang='en']").await?;
    map_ready(c).await;
    assert!(text_of(c, "main").await.contains("Latest changes"));
    // It sticks: another page is in English too, and it switches back.
    goto(c, &format!("{base}/actors")).await?;
    assert_eq!(attr(c, "html", "lang").await.as_deref(), Some("en"));
    assert!(text_of(c, "h1").await.contains("Actors"));
    shot(c, shots, "list-actors-en").await;
    click(c, "a.lang").await?;
    wait_for(c, "html[lang='fr']").await?;
    errors.extend(severe_logs(c).await);

    // 7. Keyboard: the skip link is the first focusable element.
    goto(c, &format!("{base}/")).await?;
    let first = c
        .execute(
            "document.body.focus(); const f = document.querySelector('a[href], button, input, select'); return f.className;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(first, json!("skip"));
    map_ready(c).await;
    errors.extend(severe_logs(c).await);

    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    Ok(())
}

/// A registry with one account signing in with a password.
fn registry_with_account(dir: &Path) -> PathBuf {
    let db = dir.join("registry.db");
    let mut store = Store::open(&db).unwrap();
    let hash = archipel_accounts::password::hash("une phrase de passe assez longue").unwrap();
    store
        .create_account(
            &archipel_store::accounts::NewAccount {
                email: Some("jeanne@example.fr"),
                password_hash: Some(&hash),
                display_name: "Jeanne <b>Martin</b>",
                role: "contributor",
            },
            &archipel_store::accounts::Audit::new(chrono::Utc::now(), None, Value::Null),
        )
        .unwrap();
    db
}

async fn fill(c: &Client, css: &str, text: &str) -> Result<(), String> {
    c.find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .send_keys(text)
        .await
        .map_err(|e| format!("{css}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_password_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = archipel_web::Config::new(registry_with_account(dir.path()));
    config.tiles = None;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    serve_on(listener, config);
    let browser = chromium().await;
    let c = &browser.client;
    let result = async {
        goto(c, &format!("{base}/data")).await?;
        click(c, "header a.account").await?;
        wait_for(c, "#signin-email").await?;
        // A wrong password: the message, no session.
        fill(c, "#signin-email", "jeanne@example.fr").await?;
        fill(c, "#signin-password", "pas le bon mot de passe").await?;
        click(c, "form.account-form button[type='submit']").await?;
        wait_for(c, "#signin-alert").await?;
        assert!(text_of(c, "#signin-alert").await.contains("incorrect"));
        // The right one: back on the page it came from, named in the header.
        fill(c, "#signin-password", "une phrase de passe assez longue").await?;
        click(c, "form.account-form button[type='submit']").await?;
        wait_for(c, "header .account a[href='/compte']").await?;
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        assert_eq!(url.path(), "/data");
        assert_eq!(
            text_of(c, "header .account a[href='/compte']").await,
            "Jeanne <b>Martin</b>"
        );
        shot(c, &screenshots(), "signed-in").await;
        let cookies = c.get_all_cookies().await.map_err(|e| e.to_string())?;
        let session = cookies
            .iter()
            .find(|k| k.name() == "archipel_session")
            .ok_or("no session cookie")?;
        assert_eq!(session.http_only(), Some(true));
        // The account page, then signing out.
        goto(c, &format!("{base}/compte")).await?;
        assert!(text_of(c, "main").await.contains("jeanne@example.fr"));
        click(c, "header .account button[type='submit']").await?;
        wait_for(c, "header a.account[href^='/connexion']").await?;
        // The refused password's page logs its own status (401).
        let logs: Vec<String> = severe_logs(c)
            .await
            .into_iter()
            .filter(|m| !m.contains("(Unauthorized)"))
            .collect();
        assert!(logs.is_empty(), "console errors:\n{}", logs.join("\n"));
        Ok::<(), String>(())
    }
    .await;
    let _ = c.clone().close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_through_openid_connect_in_headless_chromium() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = archipel_testkit::oidc::OidcProvider::start(
        &format!("{base}/connexion/oidc/test/retour"),
        &format!("{base}/deconnexion/fin"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    drop(Store::open(&db).unwrap());
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "secret-archipel-es256\n").unwrap();
    let mut p = archipel_accounts::oidc::ProviderConfig::new(
        "test",
        &provider.issuer,
        "archipel-es256",
        archipel_accounts::oidc::SecretSource::File(secret),
        &format!("{base}/connexion/oidc/test/retour"),
    );
    p.label = "ProConnect (test)".into();
    p.post_logout_redirect_url = Some(format!("{base}/deconnexion/fin"));
    p.signing_algs = vec![archipel_accounts::oidc::SigningAlg::ES256];
    let mut config = archipel_web::Config::new(db);
    config.tiles = None;
    config.public_url = base.clone();
    config.sign_in.providers = vec![p];
    serve_on(listener, config);
    let browser = chromium().await;
    let c = &browser.client;
    let result = async {
        goto(c, &format!("{base}/connexion?next=/data")).await?;
        click(c, "ul.providers a").await?;
        // The provider's own login form.
        wait_for(c, "input[name='login']").await?;
        fill(c, "input[name='login']", "agent-1").await?;
        fill(c, "input[name='password']", "mot de passe de test 1").await?;
        click(c, "button[type='submit']").await?;
        wait_for(c, "header .account a[href='/compte']").await?;
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        assert_eq!(url.as_str(), format!("{base}/data"));
        assert_eq!(
            text_of(c, "header .account a[href='/compte']").await,
            "Jeanne Martin"
        );
        goto(c, &format!("{base}/compte")).await?;
        assert!(text_of(c, "main").await.contains("21310555400017"));
        shot(c, &screenshots(), "signed-in-oidc").await;
        // Signing out goes through the provider's end-session endpoint,
        // which asks for confirmation, then comes back.
        click(c, "header .account button[type='submit']").await?;
        wait_for(c, "button[name='logout']").await?;
        let at = c.current_url().await.map_err(|e| e.to_string())?;
        assert!(at.as_str().starts_with(&provider.issuer), "{at}");
        click(c, "button[name='logout']").await?;
        wait_for(c, "header a.account[href^='/connexion']").await?;
        let back = c.current_url().await.map_err(|e| e.to_string())?;
        assert_eq!(back.as_str(), format!("{base}/"));
        let cookies = c.get_all_cookies().await.map_err(|e| e.to_string())?;
        assert!(cookies.iter().all(|k| k.name() != "archipel_session"));
        Ok::<(), String>(())
    }
    .await;
    let _ = c.clone().close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}
