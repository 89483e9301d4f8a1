//! A territory's dashboard (`/territories/{id}/tableau-de-bord` and its
//! downloads) and `/comparer`, over the demonstration territory with one
//! actor more whose name is a spreadsheet formula and HTML. The figures
//! the pages give are those `archipel stats --territory --json`,
//! `archipel stats --at` and `archipel network --json` compute (the same
//! library calls, on the same registry, on the server's day).

mod common;

use archipel_content::Content;
use archipel_domain::{Entity, EntityId};
use axum::http::StatusCode;
use common::web::*;

const EPCI: &str = "territory:demo:epci:960000008";
const HOSTILE: &str = "=HYPERLINK(\"http://x\")<b>&";

fn registry() -> Fixture {
    let f = demo_fixture_with(|_| {});
    let store = f.store();
    let id = EntityId::parse("actor:demo:metropole").unwrap();
    let Some(Entity::Actor(mut a)) = store.get(&id).unwrap() else {
        panic!("no demo actor")
    };
    a.id = EntityId::parse("actor:demo:hostile").unwrap();
    a.name = HOSTILE.into();
    a.identifiers = Default::default();
    let mut store = store;
    store
        .write("test", "json", None, |w| {
            w.upsert(&Entity::Actor(a.clone()))
        })
        .unwrap();
    f
}

fn url(rest: &str) -> String {
    format!("/territories/{EPCI}/tableau-de-bord{rest}")
}

/// Equal JSON, numbers within 1e-12 (relative); `Err` names where not.
fn close(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0) {
                Ok(())
            } else {
                Err(format!("{at}: {x} != {y}"))
            }
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (x, y))| close(x, y, &format!("{at}[{i}]"))),
        (V::Object(x), V::Object(y)) if x.len() == y.len() => x.iter().try_for_each(|(k, v)| {
            close(
                v,
                y.get(k).ok_or(format!("{at}.{k} missing"))?,
                &format!("{at}.{k}"),
            )
        }),
        _ if a == b => Ok(()),
        _ => Err(format!("{at}: {a} != {b}")),
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn the_downloads_equal_stats_and_network_on_the_same_registry() {
    let f = registry();
    let content = Content::embedded().unwrap();
    let store = f.store();
    let id = EntityId::parse(EPCI).unwrap();
    let day = t0().date_naive();
    let q = archipel_pitch::scope_query(content.pitch(), &id, None);
    let mut b = Browser::default();

    // `stats --territory --json`.
    let r = b.get(&f.app, &url("/chiffres.json")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stats = store.scope_stats(&q).unwrap().unwrap();
    assert_eq!(
        r.body,
        format!("{}\n", serde_json::to_string_pretty(&stats).unwrap())
    );
    assert!(stats.actors > 30);

    // `network --json` (default options, on the server's day).
    let r = b.get(&f.app, &url("/reseau.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    let net = archipel_network::run(
        &store,
        &content,
        &id,
        day,
        &archipel_network::Options::default(),
    )
    .unwrap()
    .unwrap();
    // As `archipel network --json` prints it; betweenness may differ in
    // its last bits from one computation to the next (the order of the
    // parallel sums), so numbers are compared to 1e-12.
    let got = json(&r.body);
    let expected = serde_json::to_value(&net).unwrap();
    if let Err(at) = close(&got, &expected, "") {
        panic!("reseau.json differs from the network computed on the same day at {at}");
    }
    for key in [
        "components",
        "articulation_points",
        "bridges",
        "betweenness",
        "core_number",
    ] {
        assert!(got.get(key).is_some(), "{key}");
    }

    // The series: each point is `stats --at` that day, the last today.
    let r = b.get(&f.app, &url("/series.json")).await;
    let series = json(&r.body);
    let points = series.as_array().unwrap();
    assert!(points.len() >= 8, "{}", points.len());
    let timeline = store.timeline().unwrap();
    for p in points {
        let at: chrono::NaiveDate = p["at"].as_str().unwrap().parse().unwrap();
        let expected = timeline.at(at).scope_stats(&q).unwrap();
        assert_eq!(p["stats"], serde_json::to_value(&expected).unwrap(), "{at}");
    }
    assert_eq!(points.last().unwrap()["at"], day.to_string());
    // The demonstration grows: fewer actors in the first year shown.
    assert!(
        points[0]["stats"]["actors"].as_u64() < points.last().unwrap()["stats"]["actors"].as_u64()
    );

    // The CSV forms hold the same numbers.
    let r = b.get(&f.app, &url("/chiffres.csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        r.body.starts_with("key,label,value,per_10000\n"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("\nactors,Acteurs,{},", stats.actors)),
        "{}",
        r.body
    );
    let r = b.get(&f.app, &url("/noeuds.csv")).await;
    let lines: Vec<&str> = r.body.lines().collect();
    assert_eq!(lines.len(), net.nodes.len() + 1);
    let central = &net.key_people[0];
    let line = lines
        .iter()
        .find(|l| l.starts_with(&format!("{},", central.id)))
        .unwrap();
    let between: f64 = line.split(',').nth(6).unwrap().parse().unwrap();
    assert!((between - central.betweenness).abs() < 1e-12, "{line}");
    // A name that is a formula is written as text.
    assert!(
        r.body.contains("'=HYPERLINK(\"\"http://x\"\")<b>&"),
        "{}",
        r.body
    );
    assert!(!r.body.contains(",=HYPERLINK"));
    let r = b.get(&f.app, &url("/composantes.csv")).await;
    assert_eq!(r.body.lines().count(), net.components.len() + 1);
    let r = b.get(&f.app, &url("/nouveaux-venus.json")).await;
    assert_eq!(
        r.body,
        format!(
            "{}\n",
            serde_json::to_string_pretty(&net.newcomers).unwrap()
        )
    );
}

#[tokio::test]
async fn the_page_shows_the_figures_the_network_and_its_links() {
    let f = registry();
    let mut b = Browser::default();
    let r = b.get(&f.app, &format!("{}?lang=fr", url(""))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = &r.body;
    // The hostile name is escaped wherever it shows.
    assert!(!body.contains("<b>&"), "unescaped name");
    // The network: SVG that parses, every node a link to its record.
    let start = body
        .find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"net\"")
        .unwrap();
    let end = start + body[start..].find("</svg>").unwrap() + 6;
    let doc = roxmltree::Document::parse(&body[start..end]).unwrap();
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(links.len() > 50, "{}", links.len());
    assert!(links.iter().all(|h| h.starts_with("/actors/")
        || h.starts_with("/places/")
        || h.starts_with("/commons/")));
    assert!(
        links.contains(&"/actors/actor%3Ademo%3Ahostile")
            || links.contains(&"/actors/actor:demo:hostile"),
        "{links:?}"
    );
    // Key people listed as links beside it; charts with their tables.
    assert!(body.contains("class=\"list dash-key\""));
    assert!(body.contains("Solène Marchetti"));
    assert!(body.matches("role=\"img\"").count() >= 3);
    assert!(body.matches("<table class=\"list chart-table\">").count() >= 3);
    // Per 10,000 inhabitants (the demonstration EPCI's population is known).
    assert!(body.contains("Pour 10 000 habitants"));
    // Every download is linked.
    for name in ["chiffres.csv", "series.json", "reseau.json", "liens.csv"] {
        assert!(body.contains(&format!("/tableau-de-bord/{name}")), "{name}");
    }
    // The territory's page links to its dashboard.
    let r = b.get(&f.app, &format!("/territories/{EPCI}")).await;
    assert!(
        r.body.contains("/tableau-de-bord"),
        "no link from the territory page"
    );
    // English.
    let r = b.get(&f.app, &format!("{}?lang=en", url(""))).await;
    assert!(r.body.contains("Per 10,000 inhabitants"));
}

#[tokio::test]
async fn wrong_dashboards_and_downloads_are_404() {
    let f = registry();
    let mut b = Browser::default();
    for path in [
        "/territories/territory:demo:nope/tableau-de-bord".to_string(),
        "/actors/actor:demo:metropole/tableau-de-bord".to_string(),
        "/territories/not-an-id/tableau-de-bord".to_string(),
        url("/nothing.csv"),
        url("/chiffres.xlsx"),
        url("/reseau.csv"),
    ] {
        let r = b.get(&f.app, &path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn comparer_puts_two_territories_side_by_side_and_refuses_bad_codes_clearly() {
    let f = registry();
    let mut b = Browser::default();
    // The form alone.
    let r = b.get(&f.app, "/comparer").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"a\"") && r.body.contains("name=\"b\""));
    // Two territories, by code.
    let r = b
        .get(&f.app, "/comparer?a=960000008&b=960000016&lang=fr")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("class=\"list compare-figures\""));
    assert!(r.body.contains("Métropole de Démonstration"));
    assert!(r.body.contains("Communauté de communes du Plateau"));
    assert!(r.body.contains("pour 10 000 habitants"));
    // Both selects keep the choice.
    assert_eq!(r.body.matches(" selected dir=\"auto\"").count(), 2);
    // Unknown: 404 naming it and listing the territories.
    let r = b.get(&f.app, "/comparer?a=nope&b=960000016").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("nope") && r.body.contains("960000008"),
        "{}",
        r.body
    );
    // Hostile: control characters, too long.
    let r = b.get(&f.app, "/comparer?a=%1B%5B2J&b=1").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let long = "9".repeat(5000);
    let r = b
        .get(&f.app, &format!("/comparer?a={}&b=1", &long[..200]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = b
        .get(&f.app, "/comparer?a=%3Cscript%3Ealert(1)%3C/script%3E&b=1")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
}

#[tokio::test]
async fn the_dashboard_at_a_past_day_is_the_registry_of_that_day() {
    let f = registry();
    let content = Content::embedded().unwrap();
    let store = f.store();
    let id = EntityId::parse(EPCI).unwrap();
    let q = archipel_pitch::scope_query(content.pitch(), &id, None);
    let today = t0().date_naive();
    // A year end some years back, within the demonstration's history.
    let day = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - 6, 12, 31).unwrap();
    let au = format!("?au={day}");
    let mut b = Browser::default();

    let r = b.get(&f.app, &format!("{}{au}&lang=fr", url(""))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("au {day}")), "the day is said");
    // The form, filled with the day, and the way back to today.
    assert!(r.body.contains("name=\"au\""));
    assert!(r.body.contains(&format!("value=\"{day}\"")));
    assert!(r.body.contains("Revenir à aujourd"));
    // The downloads are the same day's.
    assert!(r
        .body
        .contains(&format!("/tableau-de-bord/chiffres.csv?au={day}")));

    // Its figures: `stats --at`, `network --at`.
    let r = b.get(&f.app, &url(&format!("/chiffres.json{au}"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let timeline = store.timeline().unwrap();
    let then = timeline.at(day).scope_stats(&q).unwrap();
    assert_eq!(
        r.body,
        format!("{}\n", serde_json::to_string_pretty(&then).unwrap())
    );
    let now = store.scope_stats(&q).unwrap().unwrap();
    assert!(then.actors < now.actors, "{} ≥ {}", then.actors, now.actors);
    let r = b.get(&f.app, &url(&format!("/reseau.json{au}"))).await;
    let net = archipel_network::run_at(
        &store,
        &content,
        &id,
        day,
        &archipel_network::Options::default(),
    )
    .unwrap()
    .unwrap();
    if let Err(at) = close(&json(&r.body), &serde_json::to_value(&net).unwrap(), "") {
        panic!("reseau.json on {day} differs from network --at at {at}");
    }
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&day.to_string()));
    // The series ends on the day.
    let r = b.get(&f.app, &url(&format!("/series.json{au}"))).await;
    let series = json(&r.body);
    assert_eq!(
        series.as_array().unwrap().last().unwrap()["at"],
        day.to_string()
    );

    // Empty is today; today is today.
    for q in ["?au=", &format!("?au={today}")] {
        let r = b.get(&f.app, &url(&format!("/chiffres.json{q}"))).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        assert_eq!(
            r.body,
            format!("{}\n", serde_json::to_string_pretty(&now).unwrap()),
            "{q}"
        );
    }
}

#[tokio::test]
async fn a_wrong_day_is_a_clear_400() {
    let f = registry();
    let mut b = Browser::default();
    let tomorrow = t0().date_naive().succ_opt().unwrap();
    for (value, shown) in [
        ("2019-13-01", "2019-13-01"),
        ("hier", "hier"),
        ("2019-2-1", "2019-2-1"),
        ("1850-01-01", "1850-01-01"),
        (&tomorrow.to_string()[..], &tomorrow.to_string()[..]),
        ("%3Cscript%3E", "&#60;script&#62;"),
    ] {
        for path in [url(""), url("/chiffres.csv")] {
            let r = b.get(&f.app, &format!("{path}?au={value}&lang=fr")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{value}: {}", r.body);
            assert!(r.body.contains("AAAA-MM-JJ"), "{value}: {}", r.body);
            assert!(r.body.contains(shown), "{value}: {}", r.body);
            assert!(!r.body.contains("<script>"), "{value}");
        }
    }
    let r = b.get(&f.app, &format!("{}?au=hier&lang=en", url(""))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("YYYY-MM-DD"), "{}", r.body);
}

#[tokio::test]
async fn the_circle_of_regulars_share_of_grants_and_events_is_on_the_dashboard() {
    let f = registry();
    let content = Content::embedded().unwrap();
    let store = f.store();
    let id = EntityId::parse(EPCI).unwrap();
    let net = archipel_network::run(
        &store,
        &content,
        &id,
        t0().date_naive(),
        &archipel_network::Options::default(),
    )
    .unwrap()
    .unwrap();
    let g = net
        .regulars
        .grants
        .as_ref()
        .expect("the demonstration's grants");
    let e = net
        .regulars
        .events
        .as_ref()
        .expect("the demonstration's events");
    let mut b = Browser::default();
    let r = b.get(&f.app, &url("/chiffres.csv")).await;
    let value = |key: &str| -> f64 {
        let line = r
            .body
            .lines()
            .find(|l| l.starts_with(&format!("{key},")))
            .unwrap_or_else(|| panic!("{key} missing:\n{}", r.body));
        line.split(',').nth(2).unwrap().parse().unwrap()
    };
    let rounded = |x: f64| (x * 1000.0).round() / 1000.0;
    assert_eq!(value("network.core_grants_share"), rounded(g.share));
    assert_eq!(
        value("network.core_granted_share"),
        rounded(g.cents_share.unwrap())
    );
    assert_eq!(value("network.core_events_share"), rounded(e.share));
    assert_eq!(
        value("network.core_attendees_share"),
        rounded(e.attendees_share.unwrap())
    );
    // The page names them, in both languages; /comparer has them too.
    let r = b.get(&f.app, &format!("{}?lang=fr", url(""))).await;
    assert!(r
        .body
        .contains("Part des participants venus aux événements du noyau le plus dense"));
    let r = b.get(&f.app, &format!("{}?lang=en", url(""))).await;
    assert!(r
        .body
        .contains("Share of the amounts granted to the innermost core"));
    let r = b
        .get(&f.app, "/comparer?a=960000008&b=960000016&lang=en")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .body
        .contains("Share of the events organised by the innermost core"));
}
