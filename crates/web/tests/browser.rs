//! The pages in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), against the server on a loopback port and a temporary
//! registry holding the demonstration territory (`common/browser.rs`).
//!
//! Needs `chromium` and `chromium-driver` (Debian); `scripts/test.sh`
//! installs them (as root). Without them the tests fail, saying what to
//! install: a check that did not run must not pass.
//!
//! Screenshots of every page kind, 1280 and 320 px wide, are saved under
//! `target/screenshots/`.

mod common;

use archipel_store::Store;
use common::browser::*;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_headless_chromium() {
    let b = Browser::start(|_| {}).await;
    let shots = shots_dir();
    let result = run(&b.c, &b.base, &shots).await;
    b.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn run(c: &Client, base: &str, _shots: &Path) -> Result<(), String> {
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
    shot(c, "home").await;
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
    shot(c, "search").await;

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
    shot(c, "search-facet").await;
    errors.extend(severe_logs(c).await);

    // 4. A page opens from a map popup.
    goto(c, &format!("{base}/map")).await?;
    map_ready(c).await;
    shot(c, "map").await;
    // Markers are re-drawn while clusters open (an element found a moment
    // ago may be gone): each step finds and clicks in one script, firing
    // Leaflet's own click (a click through WebDriver can land on an
    // overlapping icon).
    let mut opened = false;
    for _ in 0..12 {
        let clicked = c
            .execute(
                "const p = document.querySelector('.leaflet-marker-icon.pin');
                 if (p) { p.click(); return 'pin'; }
                 const k = document.querySelector('.marker-cluster');
                 if (k) { k.click(); return 'cluster'; }
                 return null;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        match clicked.as_str() {
            Some("pin") => {
                if c.wait()
                    .at_most(Duration::from_secs(5))
                    .for_element(Locator::Css(".leaflet-popup a.popup-link"))
                    .await
                    .is_ok()
                {
                    opened = true;
                    break;
                }
            }
            // Let the zoom animation settle.
            _ => tokio::time::sleep(Duration::from_millis(600)).await,
        }
    }
    assert!(opened, "a popup opened");
    shot(c, "map-popup").await;
    let href = c
        .execute(
            "const a = document.querySelector('.leaflet-popup a.popup-link');
             const h = a.getAttribute('href'); a.click(); return h;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?
        .as_str()
        .unwrap_or_default()
        .to_string();
    wait_for(c, "article.record h1").await?;
    let url = c.current_url().await.map_err(|e| e.to_string())?;
    assert_eq!(
        url.path(),
        href.split('?').next().unwrap_or(""),
        "followed the popup link"
    );
    assert!(url.path().starts_with("/places/") || url.path().starts_with("/actors/"));
    shot(c, "record-from-popup").await;
    errors.extend(severe_logs(c).await);

    // 5. Other main pages, for review.
    for (path, name) in [
        ("/commons/commons:sill:236", "commons"),
        ("/actors/actor:demo:metropole", "actor"),
        ("/territories/territory:demo:epci:960000008", "territory"),
        ("/actors", "list-actors"),
        (
            "/territories/territory:demo:epci:960000008/tableau-de-bord",
            "dashboard",
        ),
        ("/comparer?a=960000008&b=960000016", "compare"),
        ("/data", "data"),
        ("/nothing-here", "not-found"),
    ] {
        goto(c, &format!("{base}{path}")).await?;
        if c.find(Locator::Css("[data-map]")).await.is_ok() {
            map_ready(c).await;
        }
        shot(c, name).await;
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
    shot(c, "argumentaires").await;
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
    shot(c, "list-actors-en").await;
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

/// Every kind of page, as `(path, name)`: the screenshots' names.
const PAGE_KINDS: &[(&str, &str)] = &[
    ("/", "home"),
    ("/map", "map"),
    ("/embed/map", "embed-map"),
    ("/search?q=mediatheque", "search"),
    ("/commons", "list-commons"),
    ("/actors", "list-actors"),
    ("/places", "list-places"),
    ("/territories", "list-territories"),
    ("/relations", "list-relations"),
    ("/commons/commons:sill:236", "record-commons"),
    ("/actors/actor:demo:metropole", "record-actor"),
    ("/places/place:demo:mediatheque-lucioles", "record-place"),
    (
        "/territories/territory:demo:epci:960000008",
        "record-territory",
    ),
    ("/argumentaires", "pitch-form"),
    (
        "/argumentaires?audience=technicien-dsi&territory=territory:demo:commune:96001",
        "pitch-sheet",
    ),
    (
        "/territories/territory:demo:epci:960000008/tableau-de-bord",
        "dashboard",
    ),
    (
        "/territories/territory:demo:epci:960000008/tableau-de-bord?au=2020-12-31",
        "dashboard-past",
    ),
    ("/comparer?a=960000008&b=960000016", "compare"),
    ("/data", "data"),
    ("/soutiens", "support"),
    ("/soutiens/grant:test:g1", "support-grant"),
    ("/soutiens/call:test:communs-2025", "support-call"),
    (
        "/soutiens?territoire=territory:demo:epci:960000008",
        "support-territory",
    ),
    (
        "/soutiens/call:demo:fonds-amorcage-2024",
        "support-call-applications",
    ),
    (
        "/soutiens/application:demo:2024-atelier-geodata",
        "support-application",
    ),
    ("/soutiens/event:demo:2023-formation-wiki", "support-event"),
    (
        "/soutiens/hardware:demo:2023-portables-coursive",
        "support-hardware",
    ),
    ("/soutiens/hosting:demo:wiki-des-rives", "support-hosting"),
    ("/soutiens/post:demo:charge-mission-communs", "support-post"),
    ("/accessibilite", "accessibility"),
    ("/mentions-legales", "legal-notice"),
    ("/confidentialite", "privacy"),
    ("/connexion", "sign-in"),
    ("/inscription", "sign-up"),
    ("/actors/actor:demo:metropole/historique", "history"),
    ("/nothing-here", "not-found"),
];

/// Loads `path` in `lang` and waits for its map, if it has one.
async fn open_page(b: &Browser, path: &str, lang: &str) -> Result<(), String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    b.goto(&format!("{path}{sep}lang={lang}")).await?;
    if b.c.find(Locator::Css("[data-map]")).await.is_ok() {
        map_ready(&b.c).await;
    }
    Ok(())
}

/// RGAA 4.1 / WCAG 2.1 AA: axe-core finds no violation on any page kind,
/// in French and English, 1280 and 320 px wide; and every page has one
/// `h1`, does not scroll sideways and shows where the focus is (3:1).
/// Screenshots of each are saved under `target/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_kind_passes_axe_in_both_languages_and_widths() {
    let b = Browser::start(|_| {}).await;
    let mut problems = Vec::new();
    for width in [DESKTOP, PHONE] {
        b.width(width).await.unwrap();
        for lang in ["fr", "en"] {
            for (path, name) in PAGE_KINDS {
                if let Err(e) = open_page(&b, path, lang).await {
                    problems.push(e);
                    continue;
                }
                shot(&b.c, &format!("{name}-{lang}-{width}")).await;
                let here = format!("{path} ({lang}, {width} px)");
                match axe(&b.c).await {
                    Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: axe: {p}"))),
                    Err(e) => problems.push(format!("{here}: {e}")),
                }
                match page_rules(&b.c).await {
                    Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: {p}"))),
                    Err(e) => problems.push(format!("{here}: {e}")),
                }
            }
        }
    }
    b.close().await;
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// No request leaves for another host by default: every page kind, and
/// the map pages draw their base (countries from Natural Earth) from
/// Archipel itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_requests_another_host_by_default() {
    let b = Browser::start(|_| {}).await;
    let mut problems = Vec::new();
    for (path, _) in PAGE_KINDS {
        if let Err(e) = open_page(&b, path, "fr").await {
            problems.push(e);
            continue;
        }
        if b.c.find(Locator::Css("[data-map]")).await.is_ok() {
            let drawn =
                b.c.wait()
                    .at_most(Duration::from_secs(30))
                    .for_element(Locator::Css("[data-map][data-base-ready]"))
                    .await;
            let state = attr(&b.c, "[data-map]", "data-base-ready").await;
            if drawn.is_err() || state.as_deref() != Some("true") {
                problems.push(format!("{path}: the base map was not drawn ({state:?})"));
            }
            if count_of(&b.c, ".leaflet-overlay-pane canvas")
                .await
                .unwrap_or(0)
                == 0
            {
                problems.push(format!("{path}: no base map layer"));
            }
        }
        match foreign_requests(&b.c, &b.base).await {
            Ok(v) => problems.extend(v.into_iter().map(|u| format!("{path}: requested {u}"))),
            Err(e) => problems.push(e),
        }
    }
    b.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Presses one key (a WebDriver key code such as `\u{E007}`, Enter)
/// where the focus is, as a keyboard does.
async fn press(c: &Client, key: &str) -> Result<(), String> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let ch = key.chars().next().ok_or("no key")?;
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: ch })
        .then(KeyAction::Up { value: ch });
    c.perform_actions(keys).await.map_err(|e| e.to_string())
}

/// What has the focus: `tag.class` and its accessible label.
async fn focused(c: &Client) -> String {
    c.execute(
        "const e = document.activeElement; return e.tagName.toLowerCase() + '.' + \
         (typeof e.className === 'string' ? e.className : '') + ' ' + \
         (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 60);",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or(Value::Null)
}

/// The map with a keyboard only: a link skips it; controls speak the
/// page's language; clusters are named and open with Enter; a marker's
/// popup takes the focus, closes with Escape and gives it back; the list
/// of what the map shows links every point; position and zoom go to the
/// address, and the embed code to copy follows them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_keyboard_walk() {
    let b = Browser::start(|_| {}).await;
    let c = &b.c;
    b.goto("/map?lang=fr").await.unwrap();
    let count = map_ready(c).await;

    // Controls in French.
    assert_eq!(
        attr(c, ".leaflet-control-zoom-in", "title")
            .await
            .as_deref(),
        Some("Zoom avant")
    );

    // The list of what the map shows: a link per point.
    let links = count_of(c, "details.map-list li a").await.unwrap() as u64;
    assert_eq!(links, count, "the list links every point on the map");

    // A named cluster opens with Enter, and the focus lands on the map.
    let zoom_before = js(c, "return location.hash;").await;
    assert!(
        zoom_before.as_str().unwrap_or("").starts_with("#map="),
        "position in the address: {zoom_before}"
    );
    js(c, "document.querySelector('.marker-cluster').focus();").await;
    let name = focused(c).await;
    assert!(
        name.contains("lieux ou acteurs, zoomer"),
        "cluster named: {name}"
    );
    // The cluster layer may still re-draw its icons just after the map is
    // ready, taking the focus with the icon replaced: focus a cluster
    // again and press Enter until the map moves (a few tries).
    let mut moved = false;
    for _ in 0..5 {
        js(c, "document.querySelector('.marker-cluster').focus();").await;
        press(c, "\u{E007}").await.unwrap();
        if hash_moves_within(c, &zoom_before, 30).await {
            moved = true;
            break;
        }
    }
    assert!(
        moved,
        "Enter on a cluster zooms in (and the address follows)"
    );

    // Zoom in until a single marker shows, then open its popup with Enter.
    let mut opened = false;
    for _ in 0..12 {
        if count_of(c, ".leaflet-marker-icon.pin").await.unwrap() > 0 {
            js(
                c,
                "document.querySelector('.leaflet-marker-icon.pin').focus();",
            )
            .await;
            press(c, "\u{E007}").await.unwrap();
            opened = c
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css(".leaflet-popup"))
                .await
                .is_ok();
            break;
        }
        let before = js(c, "return location.hash;").await;
        js(c, "document.querySelector('.marker-cluster').focus();").await;
        press(c, "\u{E007}").await.unwrap();
        hash_moves_from(c, &before).await;
    }
    assert!(opened, "Enter on a marker opens its popup");
    let inside = focused(c).await;
    assert!(
        inside.starts_with("a.popup-link"),
        "the popup has the focus: {inside}"
    );
    assert_eq!(
        attr(c, ".leaflet-popup-close-button", "aria-label")
            .await
            .as_deref(),
        Some("Fermer")
    );
    press(c, "\u{E00C}").await.unwrap(); // Escape
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count_of(c, ".leaflet-popup").await.unwrap(),
        0,
        "Escape closes it"
    );
    let back = focused(c).await;
    assert!(
        back.contains("pin"),
        "the focus is back on the marker: {back}"
    );

    // The embed code carries the position; reloading the address keeps it.
    let hash = js(c, "return location.hash;").await;
    let code = js(c, "return document.getElementById('embed-code').value;").await;
    let code = code.as_str().unwrap_or("");
    assert!(code.starts_with("<iframe src=\"http://"), "{code}");
    assert!(
        code.contains(&format!("/embed/map{}\"", hash.as_str().unwrap_or("?"))),
        "{code} / {hash}"
    );
    let zoom = js(c, "return location.hash.split('/')[0];").await;
    c.refresh().await.unwrap();
    map_ready(c).await;
    assert_eq!(js(c, "return location.hash.split('/')[0];").await, zoom);

    // The skip link (which sets the address's fragment: last) is the first focusable element of the map's block,
    // and it moves the focus past the map.
    assert_eq!(
        js(
            c,
            "return document.querySelector('.map-frame a, .map-frame [tabindex]').className;"
        )
        .await,
        json!("skip-map")
    );
    js(c, "document.querySelector('.skip-map').focus();").await;
    press(c, "\u{E007}").await.unwrap();
    assert_eq!(
        js(c, "return document.activeElement.id;").await,
        json!("map-after"),
        "Enter on the skip link leaves the map"
    );

    // In English, English controls.
    b.goto("/map?lang=en").await.unwrap();
    map_ready(c).await;
    assert_eq!(
        attr(c, ".leaflet-control-zoom-in", "title")
            .await
            .as_deref(),
        Some("Zoom in")
    );
    let errors = severe_logs(c).await;
    b.close().await;
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
}

/// The body of a GET on the test's server (plain HTTP on loopback).
async fn fetch(url: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<axum::body::Bytes>>();
    let got = async {
        let res = client
            .get(url.parse().unwrap())
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("status {}", res.status()));
        }
        let body = res.into_body().collect().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(body.to_bytes().to_vec())
    };
    match tokio::time::timeout(COMMAND_TIMEOUT, got).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => panic!("{url}: {e}"),
        Err(_) => panic!("{url}: no answer within {} s", COMMAND_TIMEOUT.as_secs()),
    }
}

/// On paper, a record page and an argument sheet leave out the site's
/// header, footer, map and graph: the argument sheet prints on as many A4
/// pages as the PDF Archipel makes of it — one — for every listener, in
/// both languages, whether the print dialog keeps the page's margins or
/// WebDriver's; an actor's record with its place prints without the map's
/// section (an empty box on paper) on two pages at most, the Métropole's,
/// with its twenty-odd relations, on three at most (it took six, then
/// four). On a phone, search
/// results come before the facets, the header stays short and the
/// navigation folds behind a "Menu" button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_and_phone_layouts() {
    let b = Browser::start(|_| {}).await;
    let c = &b.c;
    let mut problems = Vec::new();

    // The sheets: one page each, as the PDF.
    let personas: Vec<String> = archipel_content::Content::embedded()
        .unwrap()
        .pitch()
        .personas
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert!(personas.len() >= 5, "{personas:?}");
    // Every listener, and one sheet for a commons (its own figures too).
    let mut sheets: Vec<(String, &str)> = personas.iter().map(|p| (p.clone(), "")).collect();
    sheets.push(("elu".into(), "&commons=commons:sill:236"));
    for lang in ["fr", "en"] {
        for (persona, commons) in &sheets {
            let query = format!(
                "audience={persona}&territory=territory:demo:commune:96001{commons}&lang={lang}"
            );
            b.goto(&format!("/argumentaires?{query}")).await.unwrap();
            wait_for(c, ".sheet .objection").await.unwrap();
            let made = fetch(&format!("{}/argumentaires/sheet.pdf?{query}", b.base)).await;
            let made = pdf_pages(&made);
            assert_eq!(made, 1, "Archipel's PDF of {persona} ({lang})");
            for css_page in [true, false] {
                let pdf = b.print_pdf(css_page).await.unwrap();
                let printed = pdf_pages(&pdf);
                if printed != made {
                    let name = format!("sheet-print-{persona}-{lang}-{css_page}.pdf");
                    std::fs::write(shots_dir().join(&name), &pdf).unwrap();
                    problems.push(format!(
                        "the sheet for {persona} ({lang}, page margins {}) prints on {printed} \
                         pages, its PDF on {made}: target/screenshots/{name}",
                        if css_page {
                            "of the page"
                        } else {
                            "of WebDriver"
                        }
                    ));
                }
            }
        }
    }
    let pdf = b.print_pdf(true).await.unwrap();
    std::fs::write(shots_dir().join("sheet-print.pdf"), &pdf).unwrap();

    // Records: no site chrome, no map (nor its section's heading), no graph.
    for (path, name, most) in [
        (
            "/actors/actor:demo:centre-social-tilleuls",
            "record-print",
            2,
        ),
        ("/actors/actor:demo:metropole", "record-print-metropole", 3),
    ] {
        b.goto(path).await.unwrap();
        map_ready(c).await;
        b.media("print").await.unwrap();
        let hidden = js(
            c,
            "return ['header.site', 'footer.site', '.map-frame', 'figure.graph', '.crumbs',
                     'section[aria-labelledby=where-h]', 'details.map-list']
               .filter(s => document.querySelector(s))
               .map(s => [s, getComputedStyle(document.querySelector(s)).display]);",
        )
        .await;
        assert!(
            hidden
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p[0] == "section[aria-labelledby=where-h]"),
            "{path} has a map section: {hidden}"
        );
        for pair in hidden.as_array().unwrap() {
            if pair[1] != "none" {
                problems.push(format!("{path}: printed: {}", pair[0]));
            }
        }
        b.media("").await.unwrap(); // no override: printing uses print styles
        for css_page in [true, false] {
            let pdf = b.print_pdf(css_page).await.unwrap();
            let pages = pdf_pages(&pdf);
            std::fs::write(shots_dir().join(format!("{name}-{css_page}.pdf")), &pdf).unwrap();
            if pages > most {
                problems.push(format!("{path} prints on {pages} pages (at most {most})"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    b.width(PHONE).await.unwrap();
    b.goto("/search?q=mediatheque").await.unwrap();
    let order = js(
        c,
        "return document.querySelector('ol.results').getBoundingClientRect().top <
                document.querySelector('aside.facets').getBoundingClientRect().top;",
    )
    .await;
    assert_eq!(order, json!(true), "results before facets on a phone");
    let header = js(
        c,
        "return document.querySelector('header.site').getBoundingClientRect().height;",
    )
    .await;
    assert!(
        header.as_f64().unwrap_or(1e9) <= 170.0,
        "the header is short on a phone: {header} px"
    );
    shot(c, "search-phone").await;

    // The navigation folds behind a button, opened from the keyboard.
    let shown = |css: &'static str| async move {
        c.execute(
            "const e = document.querySelector(arguments[0]); \
             return !!e && e.getBoundingClientRect().height > 0;",
            vec![json!(css)],
        )
        .await
        .unwrap_or(Value::Null)
    };
    assert_eq!(shown("header.site nav a[href='/map']").await, json!(false));
    assert_eq!(shown(".menu-toggle").await, json!(true));
    tab_to(c, ".menu-toggle", 10).await.unwrap();
    press(c, "\u{E007}").await.unwrap();
    assert_eq!(
        attr(c, ".menu-toggle", "aria-expanded").await.as_deref(),
        Some("true")
    );
    assert_eq!(shown("header.site nav a[href='/map']").await, json!(true));
    shot(c, "menu-open-phone").await;
    press(c, "\u{E00C}").await.unwrap(); // Escape folds it again
    assert_eq!(shown("header.site nav a[href='/map']").await, json!(false));
    b.width(DESKTOP).await.unwrap();
    assert_eq!(
        shown(".menu-toggle").await,
        json!(false),
        "no fold on a wide screen"
    );
    assert_eq!(shown("header.site nav a[href='/map']").await, json!(true));
    b.close().await;
}

/// Presses Tab until `css` has the focus (at most `max` times); returns
/// how many presses it took.
async fn tab_to(c: &Client, css: &str, max: usize) -> Result<usize, String> {
    for n in 1..=max {
        press(c, "\u{E004}").await?;
        let here = c
            .execute(
                "return document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .map_err(|e| e.to_string())?;
        if here == json!(true) {
            return Ok(n);
        }
    }
    Err(format!("{css} not reached in {max} Tab presses"))
}

/// Types text where the focus is.
async fn type_text(c: &Client, text: &str) -> Result<(), String> {
    c.active_element()
        .await
        .map_err(|e| e.to_string())?
        .send_keys(text)
        .await
        .map_err(|e| e.to_string())
}

/// The search and the argument form with a keyboard only: Tab to the
/// box, type, Enter; Tab to a facet, Enter; Tab to the form's required
/// field, choose with the arrow keys, Tab to the button, Enter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_form_keyboard_walk() {
    let b = Browser::start(|_| {}).await;
    let c = &b.c;
    b.goto("/search").await.unwrap();
    tab_to(c, "#search-q", 30).await.unwrap();
    type_text(c, "mediatheque").await.unwrap();
    press(c, "\u{E007}").await.unwrap();
    wait_for(c, "ol.results > li").await.unwrap();
    let before = count_of(c, "ol.results > li").await.unwrap();
    // The results come before the facets in the keyboard's path too.
    let to_result = tab_to(c, "ol.results a", 40).await.unwrap();
    let to_facet = tab_to(c, ".facet a[href*='type=place']", 80).await.unwrap();
    assert!(to_result > 0 && to_facet > 0);
    press(c, "\u{E007}").await.unwrap();
    c.wait()
        .for_url(&url::Url::parse(&format!("{}/search?q=mediatheque&type=place", b.base)).unwrap())
        .await
        .unwrap();
    let after = count_of(c, "ol.results > li").await.unwrap();
    assert!(after >= 1 && after < before, "{after} < {before}");

    b.goto("/argumentaires").await.unwrap();
    tab_to(c, "#p-audience", 40).await.unwrap();
    assert_eq!(
        attr(c, "#p-audience", "aria-required").await.as_deref(),
        Some("true")
    );
    press(c, "\u{E015}").await.unwrap(); // Arrow down: the first listener
    let chosen = js(c, "return document.getElementById('p-audience').value;").await;
    assert_ne!(chosen, json!(""), "the arrow key chose a listener");
    tab_to(c, ".pitch-form button[type='submit']", 20)
        .await
        .unwrap();
    press(c, "\u{E007}").await.unwrap(); // Enter sends the form
    wait_for(c, ".sheet .objection").await.unwrap();
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap_or("").contains("audience="), "{url}");
    let errors = severe_logs(c).await;
    b.close().await;
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
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
    let browser = Browser::open(base.clone(), None).await;
    let c = &browser.c;
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
        shot(c, "signed-in").await;
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
    browser.close().await;
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
    let browser = Browser::open(base.clone(), None).await;
    let c = &browser.c;
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
        shot(c, "signed-in-oidc").await;
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
    browser.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Waits until the map's position in the address differs from `before`
/// (a zoom ended); `false` if it has not after 30 s, however loaded the
/// machine, so that only a map that does not move fails.
async fn hash_moves_from(c: &Client, before: &Value) -> bool {
    hash_moves_within(c, before, 300).await
}

/// Whether the address's hash leaves `before` within `tenths` tenths of a
/// second.
async fn hash_moves_within(c: &Client, before: &Value, tenths: u32) -> bool {
    for _ in 0..tenths {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if js(c, "return location.hash;").await != *before {
            return true;
        }
    }
    false
}

/// Finer outlines an operator provides (`tiles.outlines`; TopoJSON here,
/// quantized, a line and a polygon in a collection) are drawn over the
/// countries' on every map, fetched from Archipel itself: still no
/// request to another host, and no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_outlines_are_drawn_over_the_countries() {
    const TOPOLOGY: &str = r#"{"type": "Topology",
      "transform": {"scale": [0.001, 0.001], "translate": [2.0, 45.6]},
      "objects": {"coast": {"type": "GeometryCollection", "geometries": [
        {"type": "LineString", "arcs": [0]},
        {"type": "Polygon", "arcs": [[1]]}]}},
      "arcs": [[[0, 0], [50, 80], [30, -20]],
               [[10, 10], [20, 0], [0, 20], [-20, 0], [0, -20]]]}"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cote.topojson");
    std::fs::write(&file, TOPOLOGY).unwrap();
    let outlines = archipel_web::Outlines::load(&file).unwrap();
    let b = Browser::start(move |c| c.outlines = Some(outlines)).await;
    let c = &b.c;
    let mut problems = Vec::new();
    for path in [
        "/map",
        "/places/place:demo:mediatheque-lucioles",
        "/embed/map",
    ] {
        b.goto(path).await.unwrap();
        map_ready(c).await;
        let drawn = c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("[data-map][data-outlines-ready]"))
            .await;
        let state = attr(c, "[data-map]", "data-outlines-ready").await;
        let count = attr(c, "[data-map]", "data-outlines-count").await;
        if drawn.is_err() || state.as_deref() != Some("true") || count.as_deref() != Some("2") {
            problems.push(format!(
                "{path}: outlines {state:?}, {count:?} drawn (2 expected)"
            ));
        }
        let canvases = count_of(c, ".leaflet-overlay-pane canvas").await.unwrap();
        if canvases < 2 {
            problems.push(format!(
                "{path}: {canvases} canvas (the countries and the outlines)"
            ));
        }
        problems.extend(
            foreign_requests(c, &b.base)
                .await
                .unwrap()
                .into_iter()
                .map(|u| format!("{path}: requested {u}")),
        );
        problems.extend(
            severe_logs(c)
                .await
                .into_iter()
                .map(|e| format!("{path}: {e}")),
        );
    }
    b.goto("/map#map=13/45.64/2.03").await.unwrap();
    map_ready(c).await;
    shot(c, "map-outlines").await;
    b.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The territory's figures on `/soutiens`, as the browser shows them, are
/// those of `archipel stats --territory --json` (`support`): the same
/// keys, the same values, each shown with a label.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_figures_in_the_browser_are_those_of_stats() {
    let b = Browser::start(|_| {}).await;
    let territory = "territory:demo:epci:960000008";
    let want = {
        let store = archipel_store::Store::open_read_only(&b.db().expect("a registry")).unwrap();
        let content = archipel_content::Content::embedded().unwrap();
        let id: archipel_domain::EntityId = territory.parse().unwrap();
        let q = archipel_pitch::scope_query(content.pitch(), &id, None);
        serde_json::to_value(store.scope_stats(&q).unwrap().unwrap()).unwrap()["support"].clone()
    };
    let want: Vec<Value> = want
        .as_object()
        .expect("figures")
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            json!([k, v])
        })
        .collect();
    assert!(want.len() > 10, "{want:?}");
    b.goto(&format!("/soutiens?territoire={territory}&lang=en"))
        .await
        .unwrap();
    let shown = js(
        &b.c,
        "return [...document.querySelectorAll('[data-figure]')].map(e => \
           [e.dataset.figure, e.dataset.value, e.innerText.trim(), \
            e.closest('tr').querySelector('th').innerText.trim()]);",
    )
    .await;
    let shown = shown.as_array().expect("rows").clone();
    let pairs: Vec<Value> = shown.iter().map(|r| json!([r[0], r[1]])).collect();
    b.close().await;
    assert_eq!(pairs, want);
    for r in &shown {
        assert!(!r[2].as_str().unwrap_or("").is_empty(), "{r}");
        assert!(!r[3].as_str().unwrap_or("").is_empty(), "{r}");
    }
}

/// A territory's dashboard with a keyboard only: Tab reaches the nodes of
/// the network drawing (links in the SVG), the focused node is drawn
/// with the focus colour, and Enter opens its record's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_network_is_walked_with_the_keyboard() {
    let b = Browser::start(|_| {}).await;
    let c = &b.c;
    b.goto("/territories/territory:demo:epci:960000008/tableau-de-bord?lang=fr")
        .await
        .unwrap();
    js(c, "document.body.focus();").await;
    let mut inside = false;
    for _ in 0..120 {
        press(c, "\u{E004}").await.unwrap();
        let v = js(c, "return !!document.activeElement.closest('svg.net');").await;
        if v.as_bool() == Some(true) {
            inside = true;
            break;
        }
    }
    assert!(inside, "Tab never reached the network's nodes");
    let label = focused(c).await;
    assert!(label.starts_with("a. "), "a link has the focus: {label}");
    // The focus is visible: the node's outline takes the focus colour.
    let stroke = js(
        c,
        "return getComputedStyle(document.activeElement.querySelector('.shape')).stroke;",
    )
    .await;
    assert_eq!(stroke.as_str(), Some("rgb(194, 94, 0)"), "{label}");
    // The next Tab goes to the next node.
    press(c, "\u{E004}").await.unwrap();
    let v = js(c, "return !!document.activeElement.closest('svg.net');").await;
    assert_eq!(v.as_bool(), Some(true));
    // Enter follows the link to a record's page.
    press(c, "\u{E007}").await.unwrap();
    let mut url = String::new();
    for _ in 0..50 {
        url = c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        if !url.contains("tableau-de-bord") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        url.contains("/actors/") || url.contains("/places/") || url.contains("/commons/"),
        "{url}"
    );
    b.close().await;
}
