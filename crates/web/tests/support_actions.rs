//! `/soutiens` over the demonstration territory's public action (every
//! kind): its figures are `archipel stats --territory --json`'s `support`
//! (the same function, `Store::scope_stats` with the sheets' query), every
//! record has its page, the events' feed reads back in a second iCalendar
//! parser with the same events, and an event's page carries its schema.org
//! JSON-LD — hostile text included.

mod common;

use archipel_content::Content;
use archipel_domain::{Action, ActionKind, EntityId};
use archipel_store::{ActionQuery, Store};
use axum::http::StatusCode;
use common::web::*;
use icalendar::Component;

const TOP: &str = "territory:demo:epci:960000008";

/// A path segment as the server writes it (`params::encode`).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn events_of(store: &Store, territory: Option<&str>) -> Vec<archipel_domain::Event> {
    store
        .actions(&ActionQuery {
            kind: Some(ActionKind::Event),
            territory: territory.map(|t| t.parse().unwrap()),
            ..ActionQuery::default()
        })
        .unwrap()
        .into_iter()
        .filter_map(|a| match a {
            Action::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// `data-figure="KEY" data-value="VALUE"` pairs of a page, in order.
fn figures(body: &str) -> Vec<(String, String)> {
    body.split("data-figure=\"")
        .skip(1)
        .map(|rest| {
            let key = rest.split('"').next().unwrap().to_string();
            let value = rest
                .split("data-value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            (key, value)
        })
        .collect()
}

fn stats_support(store: &Store, territory: &str) -> serde_json::Value {
    let content = Content::embedded().unwrap();
    let id: EntityId = territory.parse().unwrap();
    let q = archipel_pitch::scope_query(content.pitch(), &id, None);
    let s = store.scope_stats(&q).unwrap().unwrap();
    serde_json::to_value(&s).unwrap()["support"].clone()
}

#[tokio::test]
async fn the_figures_are_those_of_stats_territory() {
    let f = demo_fixture_with(|_| {});
    let store = f.store();
    let want = stats_support(&store, TOP);
    let want = want.as_object().expect("support figures");
    // The demonstration has every kind of figure.
    for k in [
        "grants",
        "applications",
        "first_time_applicants",
        "trainings",
        "hardware_lent",
        "commons_hosted",
        "posts",
    ] {
        assert!(want.contains_key(k), "{k}: {want:?}");
    }
    let mut b = Browser::default();
    let r = b
        .get(&f.app, &format!("/soutiens?territoire={TOP}&lang=fr"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let shown = figures(&r.body);
    let expected: Vec<(String, String)> = want
        .iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect();
    assert_eq!(shown, expected);
    // The territory may be named by its code too, and is kept by the feed
    // and download links.
    let by_code = b
        .get(&f.app, "/soutiens?territoire=960000008&lang=fr")
        .await;
    assert_eq!(figures(&by_code.body), expected);
    assert!(r
        .body
        .contains("href=\"/soutiens/evenements.ics?territoire=territory:demo:epci:960000008\""));
    // Without a territory: every record, no figures.
    let all = b.get(&f.app, "/soutiens?lang=fr").await;
    assert!(figures(&all.body).is_empty());
    // An unknown territory.
    let r = b.get(&f.app, "/soutiens?territoire=nowhere").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b
        .get(&f.app, "/soutiens/evenements.ics?territoire=nowhere")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b.get(&f.app, "/soutiens?territoire=a%07b").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_page_shows_every_kind_and_the_calendar_by_month() {
    let f = demo_fixture_with(|_| {});
    let store = f.store();
    let all = store.actions(&ActionQuery::default()).unwrap();
    let mut b = Browser::default();
    let r = b
        .get(&f.app, &format!("/soutiens?territoire={TOP}&lang=en"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The feed, in the head.
    let head = r.body.split("</head>").next().unwrap();
    assert!(
        head.contains("<link rel=\"alternate\" type=\"text/calendar\""),
        "{head}"
    );
    // By kind and year: each kind's total is its number of records in scope.
    let scoped = store
        .actions(&ActionQuery {
            territory: Some(TOP.parse().unwrap()),
            ..ActionQuery::default()
        })
        .unwrap();
    for (kind, label) in [
        (ActionKind::Event, "Trainings and events"),
        (ActionKind::Application, "Applications"),
        (ActionKind::Hardware, "Hardware lent or given"),
    ] {
        let n = scoped.iter().filter(|a| a.kind() == kind).count();
        assert!(n > 0, "{kind}");
        let table = r.body.split("support-kind-year").nth(1).unwrap();
        let row = table
            .split("<tr>")
            .find(|row| row.contains(&format!("<th scope=\"row\">{label}</th>")))
            .unwrap_or_else(|| panic!("{label}"));
        assert!(
            row.trim_end()
                .ends_with(&format!("<td class=\"num\">{n}</td></tr>")),
            "{row}"
        );
    }
    // Every event of the territory in the calendar, upcoming or past (the
    // server's clock says 2026-03-01), under its month.
    for e in events_of(&store, Some(TOP)) {
        assert!(
            r.body
                .contains(&format!("href=\"/soutiens/{}\"", enc(e.id.as_str()))),
            "{}",
            e.id
        );
    }
    assert!(r.body.contains("Past · "), "past events");
    // Every record of every kind has its page, naming what it links to.
    for a in &all {
        let path = format!("/soutiens/{}", enc(a.id().as_str()));
        let p = b.get(&f.app, &format!("{path}?lang=fr")).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for (_, id) in a.references() {
            if store.get(id).unwrap().is_some() {
                assert!(p.body.contains(&enc(id.as_str())), "{path}: {id}");
            }
        }
        if let Some(c) = a.call() {
            assert!(p.body.contains(&enc(c.as_str())), "{path}: {c}");
        }
    }
    // A call's page lists its applications with the first-time ones.
    let calls = store
        .calls_with_applications(&ActionQuery::default())
        .unwrap();
    let c = calls.iter().find(|c| !c.applications.is_empty()).unwrap();
    let p = b
        .get(
            &f.app,
            &format!("/soutiens/{}?lang=en", enc(c.call.id.as_str())),
        )
        .await;
    let table = p
        .body
        .split("support-applications")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(table.matches("<tr>").count(), c.applications.len() + 1);
    let firsts = c.applications.iter().filter(|a| a.first_time).count();
    assert_eq!(table.matches("<td>Yes</td>").count(), firsts);
}

#[tokio::test]
async fn the_feed_reads_back_with_the_same_events() {
    let f = demo_fixture_with(|_| {});
    let store = f.store();
    let events = events_of(&store, Some(TOP));
    assert!(events.len() >= 4);
    let mut b = Browser::default();
    let r = b
        .get(
            &f.app,
            &format!("/soutiens/evenements.ics?territoire={TOP}&lang=fr"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "text/calendar; charset=utf-8"
    );
    let cal: icalendar::Calendar = r.body.parse().expect("a calendar");
    let read: Vec<&icalendar::Event> = cal.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(read.len(), events.len());
    for e in &events {
        let got = read
            .iter()
            .find(|x| x.get_uid() == Some(e.id.as_str()))
            .unwrap_or_else(|| panic!("{}", e.id));
        assert_eq!(got.get_summary(), Some(e.name.as_str()));
        assert_eq!(got.get_description(), e.description.as_deref());
        assert_eq!(got.get_start().unwrap().date_naive(), e.starts);
        assert_eq!(got.get_timestamp(), Some(e.provenance.updated_at));
        let url = e.url.clone().unwrap_or(format!(
            "https://archipel.example/soutiens/{}",
            enc(e.id.as_str())
        ));
        assert_eq!(got.get_url(), Some(url.as_str()));
        match e.start_time {
            Some(t) => assert_eq!(
                got.get_start(),
                Some(icalendar::DatePerhapsTime::DateTime(
                    icalendar::CalendarDateTime::WithTimezone {
                        date_time: e.starts.and_time(t),
                        tzid: "Europe/Paris".into()
                    }
                ))
            ),
            None => assert_eq!(
                got.get_end().unwrap().date_naive(),
                e.last_day().succ_opt().unwrap()
            ),
        }
    }
    // The whole registry's feed has them all.
    let r = b.get(&f.app, "/soutiens/evenements.ics").await;
    let cal: icalendar::Calendar = r.body.parse().expect("a calendar");
    assert_eq!(
        cal.components.iter().filter_map(|c| c.as_event()).count(),
        events_of(&store, None).len()
    );
}

#[tokio::test]
async fn an_event_page_carries_its_json_ld_and_hostile_text_stays_text() {
    let f = demo_fixture_with(|_| {});
    let mut store = f.store();
    let mut e = events_of(&store, Some(TOP))
        .into_iter()
        .find(|e| e.place.is_some() && e.start_time.is_some())
        .expect("an event at a place, with times");
    let hostile = "Atelier </script><script>alert(1)</script> « libre », 1; 2 & <!--";
    e.name = hostile.into();
    e.description = Some("ligne 1\nligne 2 \\ fin".into());
    store
        .write("demo", "test", None, |w| {
            w.upsert_action(&Action::Event(e.clone()))?;
            Ok(())
        })
        .unwrap();
    let mut b = Browser::default();
    let path = format!("/soutiens/{}", enc(e.id.as_str()));
    let r = b.get(&f.app, &format!("{path}?lang=fr")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    let script = r
        .body
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .expect("a JSON-LD script")
        .split("</script>")
        .next()
        .unwrap();
    assert!(!script.contains('<'), "{script}");
    let ld: serde_json::Value = serde_json::from_str(script).expect("JSON");
    assert_eq!(ld["@context"], "https://schema.org");
    let ty = ld["@type"].as_str().unwrap();
    assert_eq!(
        ty,
        if e.is_training() {
            "EducationEvent"
        } else {
            "Event"
        }
    );
    assert_eq!(ld["name"], hostile);
    assert_eq!(ld["description"], "ligne 1\nligne 2 \\ fin");
    let start = ld["startDate"].as_str().unwrap();
    assert!(
        start.starts_with(&format!(
            "{}T{}",
            e.starts,
            e.start_time.unwrap().format("%H:%M:%S")
        )),
        "{start}"
    );
    assert!(
        start.ends_with("+01:00") || start.ends_with("+02:00"),
        "{start}"
    );
    let place = store.get(e.place.as_ref().unwrap()).unwrap().unwrap();
    assert_eq!(ld["location"]["@type"], "Place");
    assert_eq!(ld["location"]["name"], place.name());
    assert_eq!(ld["organizer"]["@type"], "Organization");
    assert!(ld["organizer"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://archipel.example/actors/"));
    assert_eq!(ld["@id"], format!("https://archipel.example{path}"));
    if let Some(c) = e.capacity {
        assert_eq!(ld["maximumAttendeeCapacity"], c);
    }
    // The feed: the same text, escaped as iCalendar TEXT.
    let r = b.get(&f.app, "/soutiens/evenements.ics").await;
    assert!(
        r.body.contains("\\; 2 & <!--") || r.body.replace("\r\n ", "").contains("\\; 2 & <!--")
    );
    let cal: icalendar::Calendar = r.body.parse().unwrap();
    let got = cal
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .find(|x| x.get_uid() == Some(e.id.as_str()))
        .unwrap();
    assert_eq!(got.get_summary(), Some(hostile));
    assert_eq!(got.get_description(), Some("ligne 1\nligne 2 \\ fin"));
}
