//! A real browser for the page tests: headless Chromium driven over
//! WebDriver (chromedriver) against the server on a loopback port and a
//! temporary registry holding the demonstration territory, and the checks
//! any page can be put through — axe-core's WCAG 2.1 A/AA rules
//! ([`axe`]), what axe cannot see ([`page_rules`]: one `h1`, no sideways
//! scrolling, a visible focus of 3:1 on every focusable element), and
//! requests to another host ([`foreign_requests`]).
//!
//! Needs `chromium` and `chromium-driver` (Debian); `scripts/test.sh`
//! installs them (as root). Without them a test fails, saying what to
//! install: a check that did not run must not pass.
//!
//! ```ignore
//! let b = Browser::start(|_config| {}).await;
//! b.goto("/search?q=mediatheque&lang=en").await?;
//! assert_eq!(axe(&b.c).await?, Vec::<String>::new());
//! ```

#![allow(dead_code)] // each test binary uses its own part

use archipel_content::Content;
use archipel_store::Store;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A call for projects and two grants from it, between actors of the
/// demonstration territory (which has none of its own), so that the
/// public action pages have something to show:
/// `call:test:communs-2025`, `grant:test:g1` (with a commons) and
/// `grant:test:g2`.
pub fn add_support(store: &mut Store) {
    use archipel_domain::{Action, ActionId, ActionKind, Call, EntityId, Grant, Provenance, Share};
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let id = |s: &str| EntityId::parse(s).unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let call_id = ActionId::new(ActionKind::Call, "test", "communs-2025").unwrap();
    let call = Call {
        id: call_id.clone(),
        name: "Soutenir les communs numériques de la métropole".into(),
        giver_name: "Métropole".into(),
        giver_siren: "200000000".into(),
        giver: Some(id("actor:demo:metropole")),
        description: Some("Chaque projet éligible est soutenu.".into()),
        eligible: vec!["Associations".into(), "Entreprises privées".into()],
        eligibility: None,
        budget_cents: Some(5_000_000),
        opens: Some(day("2025-01-15")),
        closes: Some(day("2025-03-31")),
        call_for_projects: true,
        non_competitive: true,
        url: None,
        territory: Some(id("territory:demo:epci:960000008")),
        details: Default::default(),
        provenance: Provenance::new("test", now),
    };
    let grant =
        |local: &str, beneficiary: &str, name: &str, cents: i64, commons: Vec<EntityId>| Grant {
            id: ActionId::new(ActionKind::Grant, "test", local).unwrap(),
            giver_name: "Métropole".into(),
            giver_siret: "20000000000000".into(),
            giver: id("actor:demo:metropole"),
            date: day("2025-04-10"),
            decision_reference: Some("DEL-2025-1".into()),
            beneficiary_name: name.into(),
            beneficiary_siret: None,
            beneficiary_rna: None,
            beneficiary: id(beneficiary),
            purpose: format!("Entretien d'un commun numérique par {name}"),
            amount_cents: cents,
            nature: "aide en numéraire".into(),
            payment_terms: "unique".into(),
            payment_from: day("2025-05-01"),
            payment_until: None,
            rae_id: None,
            eu_notified: false,
            share: Share::parse("1").unwrap(),
            scheme: Some("communs-2025".into()),
            call: Some(call_id.clone()),
            commons,
            territory: Some(id("territory:demo:epci:960000008")),
            provenance: Provenance::new("test", now),
        };
    let actions = [
        Action::Call(call.clone()),
        Action::Grant(grant(
            "g1",
            "actor:demo:numerik-services",
            "Numérik Services",
            1_200_050,
            vec![id("commons:sill:236")],
        )),
        Action::Grant(grant(
            "g2",
            "actor:demo:centre-social-tilleuls",
            "Centre social des Tilleuls",
            300_000,
            Vec::new(),
        )),
    ];
    store
        .write("test", "test", None, |w| {
            for a in &actions {
                w.upsert_action(a)?;
            }
            Ok(())
        })
        .unwrap();
}

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

/// The server over a fresh demonstration registry, and a browser session.
pub struct Browser {
    pub c: Client,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
}

/// Serves `config` on `listener`, bound beforehand so that its address
/// can be in the configuration (an OpenID Connect redirect URL), with the
/// clients' addresses known (rate limits).
pub fn serve_on(listener: tokio::net::TcpListener, config: archipel_web::Config) {
    let app = archipel_web::app(config, Content::embedded().unwrap()).unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
}

/// How long a WebDriver session may take to start (chromedriver starting
/// Chromium). Far more than it needs on a loaded machine: only a browser
/// that hangs reaches it.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a page may take to load, or a script to end, in the browser
/// (the WebDriver timeouts), and — a little more — how long the test
/// waits for chromedriver to answer a navigation at all.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Opens `url` in the browser: fails if the page has not loaded within
/// [`COMMAND_TIMEOUT`] (the browser's page-load timeout), or if
/// chromedriver itself does not answer shortly after.
pub async fn goto(c: &Client, url: &str) -> Result<(), String> {
    match tokio::time::timeout(COMMAND_TIMEOUT + Duration::from_secs(30), c.goto(url)).await {
        Ok(r) => r.map_err(|e| format!("{url}: {e}")),
        Err(_) => Err(format!(
            "{url}: chromedriver did not answer within {} s",
            (COMMAND_TIMEOUT + Duration::from_secs(30)).as_secs()
        )),
    }
}

/// The window's width by default (CSS pixels).
pub const DESKTOP: u32 = 1280;
/// The narrowest width pages must reflow to (WCAG 1.4.10, RGAA 10.11).
pub const PHONE: u32 = 320;

impl Browser {
    /// Starts the server (its default configuration, changed by
    /// `configure`; by default no tile server, so no request leaves the
    /// machine) and a browser 1280 px wide.
    pub async fn start(configure: impl FnOnce(&mut archipel_web::Config)) -> Browser {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("registry.db");
        let content = Content::embedded().unwrap();
        {
            let mut store = Store::open(&db).unwrap();
            archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
            add_support(&mut store);
        }
        let mut config = archipel_web::Config::new(db);
        configure(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        serve_on(listener, config);
        Browser::open(format!("http://{addr}"), Some(dir)).await
    }

    /// The registry the server of [`Browser::start`] reads.
    pub fn db(&self) -> Option<PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("registry.db"))
    }

    /// A browser 1280 px wide on a server already started at `base`
    /// (see [`serve_on`]); `dir` is kept until the browser is dropped.
    pub async fn open(base: String, dir: Option<tempfile::TempDir>) -> Browser {
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
        let profile = tempfile::tempdir().unwrap();
        // chromedriver's own log, shown when a session cannot be had.
        let log_path = profile.path().join("chromedriver.log");
        let driver = Driver(
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-default-apps",
                    "--disable-extensions", "--hide-scrollbars",
                    format!("--window-size={DESKTOP},900"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let webdriver = format!("http://127.0.0.1:{port}");
        // chromedriver refuses connections until it listens (tried again
        // every 200 ms, 100 times); a session that does not start (a
        // browser that hangs at start) fails after SESSION_TIMEOUT, with
        // chromedriver's log.
        let mut client = None;
        let mut last = String::new();
        for _ in 0..100 {
            let mut b =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            b.capabilities(caps.clone());
            match tokio::time::timeout(SESSION_TIMEOUT, b.connect(&webdriver)).await {
                Ok(Ok(c)) => {
                    client = Some(c);
                    break;
                }
                Ok(Err(e)) => {
                    last = e.to_string();
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(_) => {
                    last = format!("no session within {} s", SESSION_TIMEOUT.as_secs());
                    break;
                }
            }
        }
        let Some(c) = client else {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "no WebDriver session with headless Chromium ({last}); chromedriver's log ends:\n{}",
                tail.join("\n")
            );
        };
        // A page that does not finish loading, or a script that does
        // not end, fails its command instead of holding the test.
        c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(COMMAND_TIMEOUT),
            Some(COMMAND_TIMEOUT),
            Some(Duration::ZERO),
        ))
        .await
        .expect("WebDriver timeouts");
        Browser {
            c,
            base,
            _driver: driver,
            _profile: profile,
            _dir: dir,
        }
    }

    /// Opens `path` (`/search?q=x`) on the server.
    pub async fn goto(&self, path: &str) -> Result<(), String> {
        goto(&self.c, &format!("{}{path}", self.base)).await
    }

    /// Makes the page `width` CSS pixels wide (the viewport, not the
    /// window: device metrics, as a phone has).
    pub async fn width(&self, width: u32) -> Result<(), String> {
        self.c
            .issue_cmd(Cdp {
                cmd: "Emulation.setDeviceMetricsOverride",
                params: json!({
                    "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false
                }),
            })
            .await
            .map_err(|e| format!("width {width}: {e}"))?;
        Ok(())
    }

    /// Shows the page as printed (`print`) or on screen (`screen`); `""`
    /// ends the override.
    pub async fn media(&self, media: &str) -> Result<(), String> {
        self.c
            .issue_cmd(Cdp {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({ "media": media }),
            })
            .await
            .map_err(|e| format!("media {media}: {e}"))?;
        Ok(())
    }

    /// The page as the browser prints it on A4 paper, through WebDriver's
    /// "Print Page" (`POST /session/{id}/print`, W3C WebDriver 2), as PDF
    /// bytes. With `css_page` the page's own `@page` size and margins are
    /// used, as a person's print dialog does; without, WebDriver's
    /// defaults (1 cm margins, shrunk to fit the width).
    pub async fn print_pdf(&self, css_page: bool) -> Result<Vec<u8>, String> {
        use fantoccini::wd::{PrintConfiguration, PrintSize};
        let config = PrintConfiguration::builder()
            .size(PrintSize::A4)
            .shrink_to_fit(!css_page)
            .build()
            .map_err(|e| format!("print: {e}"))?;
        self.c
            .print(config)
            .await
            .map_err(|e| format!("print: {e}"))
    }

    /// Ends the browser session (chromedriver stops when dropped).
    pub async fn close(self) {
        let _ = self.c.clone().close().await;
    }
}

/// How many pages a PDF has, as poppler's `pdfinfo` reads it.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("printed.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "pdfinfo: {e}: the print tests count pages with poppler's pdfinfo: \
             apt-get install poppler-utils (scripts/test.sh does)"
            )
        });
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count: {info}"))
}

/// `POST /session/{id}/goog/cdp/execute`: a DevTools command (chromedriver).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}
impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
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

/// The browser console's errors since the last call.
pub async fn severe_logs(c: &Client) -> Vec<String> {
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

/// Where screenshots go: `target/screenshots/` of the repository.
pub fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    dir
}

/// Saves a screenshot of the whole page as `target/screenshots/NAME.png`
/// (the viewport when the page cannot be captured whole).
pub async fn shot(c: &Client, name: &str) {
    let png = full_page_png(c).await;
    let png = match png {
        Some(p) => p,
        None => c.screenshot().await.expect("screenshot"),
    };
    std::fs::write(shots_dir().join(format!("{name}.png")), png).expect("write screenshot");
}

async fn full_page_png(c: &Client) -> Option<Vec<u8>> {
    let v = c
        .issue_cmd(Cdp {
            cmd: "Page.captureScreenshot",
            params: json!({ "format": "png", "captureBeyondViewport": true }),
        })
        .await
        .ok()?;
    let data = v["data"].as_str()?;
    decode_base64(data)
}

/// Standard base64 (with padding) to bytes.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n: u32 = 0;
        for (i, b) in chunk.iter().enumerate() {
            n |= u32::from(value(*b)?) << (18 - 6 * i);
        }
        let got = chunk.len() * 6 / 8;
        out.extend_from_slice(&n.to_be_bytes()[1..1 + got]);
    }
    Some(out)
}

/// axe-core (`testdata/axe-core/axe.min.js`), read once.
fn axe_source() -> &'static str {
    static SRC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SRC.get_or_init(|| {
        let path = archipel_testkit::testdata("axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

/// The WCAG levels checked: 2.0 and 2.1, A and AA (what the RGAA 4.1
/// takes up).
pub const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Runs axe-core on the page as it is and returns its violations, one
/// line each: rule, impact, help, and the elements (selector and what is
/// wrong), so that a failing test says what to fix. Empty: none.
pub async fn axe(c: &Client) -> Result<Vec<String>, String> {
    let loaded = c
        .execute("return typeof axe !== 'undefined';", vec![])
        .await
        .map_err(|e| format!("axe: {e}"))?;
    if loaded != json!(true) {
        c.execute(&format!("{}\n;return true;", axe_source()), vec![])
            .await
            .map_err(|e| format!("loading axe-core: {e}"))?;
    }
    let raw = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] },
                                 resultTypes: ['violations'] })
               .then(r => done(JSON.stringify(r.violations)))
               .catch(e => done(JSON.stringify({ error: String(e) })));",
            vec![json!(AXE_TAGS)],
        )
        .await
        .map_err(|e| format!("running axe-core: {e}"))?;
    let v: Value = serde_json::from_str(raw.as_str().unwrap_or("null"))
        .map_err(|e| format!("axe-core's answer: {e}"))?;
    if let Some(e) = v.get("error") {
        return Err(format!("axe-core failed: {e}"));
    }
    let mut out = Vec::new();
    for rule in v.as_array().into_iter().flatten() {
        let nodes: Vec<String> = rule["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .take(5)
            .map(|n| {
                format!(
                    "{} ({})",
                    n["target"],
                    n["failureSummary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', " ")
                )
            })
            .collect();
        out.push(format!(
            "{} [{}] {}: {}",
            rule["id"].as_str().unwrap_or("?"),
            rule["impact"].as_str().unwrap_or("?"),
            rule["help"].as_str().unwrap_or(""),
            nodes.join("; ")
        ));
    }
    Ok(out)
}

/// What axe cannot check, on the page as it is: exactly one `h1`; no
/// sideways scrolling (the document no wider than the viewport); every
/// visible focusable element showing a focus indicator when focused from
/// the keyboard — an outline of at least 2 px whose colour has a contrast
/// of 3:1 with what is behind it (WCAG 2.4.7, 1.4.11); every required
/// field saying so in its label (a `.req` mark). Returns what is
/// wrong, one line each.
pub async fn page_rules(c: &Client) -> Result<Vec<String>, String> {
    // A key pressed puts the browser in keyboard mode: focus moved by a
    // script then shows as it does for keyboard users (`:focus-visible`).
    // The page must think it has the system focus, or nothing matches
    // `:focus-visible` (`document.hasFocus()` false): a page whose device
    // metrics changed without a reload may lose it. DevTools' focus
    // emulation keeps it, as a visitor's window in front has it. Then Tab
    // through the Actions API, as a keyboard does.
    c.issue_cmd(Cdp {
        cmd: "Emulation.setFocusEmulationEnabled",
        params: json!({ "enabled": true }),
    })
    .await
    .map_err(|e| format!("focus emulation: {e}"))?;
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let tab = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: '\u{E004}' })
        .then(KeyAction::Up { value: '\u{E004}' });
    c.perform_actions(tab)
        .await
        .map_err(|e| format!("Tab: {e}"))?;
    let v = c
        .execute(PAGE_RULES_JS, vec![])
        .await
        .map_err(|e| format!("page rules: {e}"))?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect())
}

const PAGE_RULES_JS: &str = r#"
const problems = [];
const h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) problems.push(h1 + ' h1 elements (one expected)');
const sw = document.documentElement.scrollWidth, vw = window.innerWidth;
if (sw > vw) {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > vw + 1 && getComputedStyle(e).position !== 'fixed')
    .filter(e => !e.closest('.leaflet-container, .table-scroll'))
    .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
  problems.push('scrolls sideways: document ' + sw + ' px wide in a ' + vw + ' px viewport (' + wide.join(', ') + ')');
}
function rgb(s) {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(x => x).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
}
function lum(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
function ratio(a, b) {
  const x = lum(a), y = lum(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
function behind(el) {
  for (let e = el.parentElement; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5) return c;
  }
  return { r: 255, g: 255, b: 255, a: 1 };
}
function name(el) {
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    ' "' + (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
}
const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; });
for (const el of focusable.slice(0, 200)) {
  el.focus({ preventScroll: true, focusVisible: true });
  if (document.activeElement !== el) continue;
  const s = getComputedStyle(el);
  const w = parseFloat(s.outlineWidth) || 0;
  const col = rgb(s.outlineColor);
  if (s.outlineStyle === 'none' || w < 2 || !col || col.a === 0) {
    // A box shadow may stand for the outline.
    if (!s.boxShadow || s.boxShadow === 'none') {
      problems.push('no visible focus on ' + name(el) + ' (outline ' + s.outlineStyle + ' ' + s.outlineWidth + ')');
    }
    continue;
  }
  const bg = behind(el);
  const r = ratio(col, bg);
  if (r < 3) problems.push('focus outline of ' + name(el) + ' has contrast ' + r.toFixed(2) + ':1 with what is behind it (3:1 needed)');
}
for (const el of document.querySelectorAll('[required]')) {
  const l = el.labels && el.labels[0];
  if (!l || !l.querySelector('.req')) problems.push('required field not marked in its label: ' + name(el));
}
if (document.activeElement) document.activeElement.blur();
return problems;
"#;

/// The URLs on hosts other than the server's that the page has requested
/// (Resource Timing: every image, script, style, tile, fetch; the page
/// itself included) or points its images, scripts, frames and styles at
/// (a request that failed, offline, may leave no timing entry).
pub async fn foreign_requests(c: &Client, base: &str) -> Result<Vec<String>, String> {
    let v = c
        .execute(
            "const origin = arguments[0];
             const urls = performance.getEntriesByType('resource').map(e => e.name)
               .concat([location.href])
               .concat([...document.querySelectorAll('img[src], script[src], iframe[src], link[href][rel~=stylesheet], link[href][rel~=preload], source[src]')]
                 .map(e => e.src || e.href));
             return urls.filter(u => !(u.startsWith(origin + '/') || u === origin
               || u.startsWith('data:') || u.startsWith('blob:') || u.startsWith('about:')));",
            vec![json!(base)],
        )
        .await
        .map_err(|e| format!("resource entries: {e}"))?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect())
}

/// Waits (up to fantoccini's default) until `css` matches an element.
pub async fn wait_for(c: &Client, css: &str) -> Result<(), String> {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .map(|_| ())
        .map_err(|e| format!("waiting for {css}: {e}"))
}

/// Waits until the map script has loaded its features (and its base map,
/// when it draws its own); returns how many.
pub async fn map_ready(c: &Client) -> u64 {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("[data-map][data-ready]"))
        .await
        .expect("the map loads");
    assert_eq!(
        attr(c, "[data-map]", "data-ready").await.as_deref(),
        Some("true")
    );
    if attr(c, "[data-map]", "data-base")
        .await
        .is_some_and(|b| !b.is_empty())
    {
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("[data-map][data-base-ready]"))
            .await
            .expect("the base map loads");
    }
    attr(c, "[data-map]", "data-count")
        .await
        .and_then(|s| s.parse().ok())
        .expect("data-count")
}

/// The attribute `name` of the first element `css` matches.
pub async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css))
        .await
        .ok()?
        .attr(name)
        .await
        .ok()?
}

/// The text of the first element `css` matches (panics when none). An
/// element found on a page that a form's answer then replaces is stale:
/// it is found again on the new page (for at most 5 s).
pub async fn text_of(c: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        match c.find(Locator::Css(css)).await {
            Ok(e) => match e.text().await {
                Ok(t) => return t,
                Err(err) => last = err.to_string(),
            },
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last}")
}

/// Clicks the first element `css` matches.
pub async fn click(c: &Client, css: &str) -> Result<(), String> {
    c.find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .click()
        .await
        .map_err(|e| format!("{css}: {e}"))
}

/// How many elements `css` matches.
pub async fn count_of(c: &Client, css: &str) -> Result<usize, String> {
    c.find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .map_err(|e| format!("{css}: {e}"))
}
