//! The iCalendar writer read back by a second, independent parser (the
//! `icalendar` crate): every event comes back with the same fields.

use archipel_formats::ical::{self, CalEvent, CalHead, Organizer, Span};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};
use proptest::prelude::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a test time")
}

fn stamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("a test stamp")
}

fn head() -> CalHead {
    CalHead {
        product: "Archipel test".into(),
        name: "Trainings, events; agenda".into(),
    }
}

/// An event as the second parser read it.
#[derive(Debug, PartialEq)]
struct Read {
    uid: String,
    stamp: DateTime<Utc>,
    start: Option<DatePerhapsTime>,
    end: Option<DatePerhapsTime>,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    url: Option<String>,
    organizer: Option<(Option<String>, String)>,
    categories: Vec<String>,
}

/// RFC 6868's decoding of a parameter value (`^'`, `^n`, `^^`), which the
/// second parser leaves to its caller.
fn rfc6868(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\'') => out.push('"'),
            Some('n') => out.push('\n'),
            Some('^') => out.push('^'),
            Some(other) => {
                out.push('^');
                out.push(other);
            }
            None => out.push('^'),
        }
    }
    out
}

/// Reads `bytes` with the `icalendar` crate: the events, and the time
/// zones the calendar defines.
fn read_back(bytes: &[u8]) -> (Vec<Read>, Vec<String>) {
    let s = std::str::from_utf8(bytes).expect("UTF-8");
    let cal: icalendar::Calendar = s.parse().expect("the second parser reads the calendar");
    // The organiser's parameters and the time zones, from the parser's
    // own tree.
    let unfolded = icalendar::parser::unfold(s);
    let tree = icalendar::parser::read_calendar(&unfolded).expect("the parser's tree");
    let mut zones = Vec::new();
    let mut organizers = Vec::new();
    for c in &tree.components {
        match c.name.as_str() {
            "VTIMEZONE" => zones.extend(
                c.properties
                    .iter()
                    .filter(|p| p.name == "TZID")
                    .map(|p| p.val.to_string()),
            ),
            "VEVENT" => organizers.push(c.properties.iter().find(|p| p.name == "ORGANIZER").map(
                |p| {
                    let cn = p
                        .params
                        .iter()
                        .find(|x| x.key == "CN")
                        .and_then(|x| x.val.as_ref())
                        .map(|v| rfc6868(v.as_str()));
                    (cn, p.val.to_string())
                },
            )),
            _ => {}
        }
    }
    let mut events = Vec::new();
    for c in &cal.components {
        let CalendarComponent::Event(e) = c else {
            continue;
        };
        events.push(Read {
            uid: e.get_uid().expect("UID").to_string(),
            stamp: e.get_timestamp().expect("DTSTAMP"),
            start: e.get_start(),
            end: e.get_end(),
            summary: e.get_summary().expect("SUMMARY").to_string(),
            description: e.get_description().map(str::to_string),
            location: e.get_location().map(str::to_string),
            url: e.get_url().map(str::to_string),
            organizer: None,
            categories: e.get_categories().unwrap_or_default(),
        });
    }
    assert_eq!(events.len(), organizers.len());
    for (e, o) in events.iter_mut().zip(organizers) {
        e.organizer = o;
    }
    (events, zones)
}

fn paris(t: NaiveDateTime) -> DatePerhapsTime {
    DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
        date_time: t,
        tzid: "Europe/Paris".into(),
    })
}

/// What a written event should read back as, when its text holds no
/// control character.
fn expected(e: &CalEvent) -> Read {
    let (start, end) = match &e.span {
        Span::Days { first, last } => (
            Some(DatePerhapsTime::Date(*first)),
            Some(DatePerhapsTime::Date(last.succ_opt().expect("a day after"))),
        ),
        Span::Local { start, end } => (Some(paris(*start)), end.map(paris)),
        Span::Utc { start, end } => (
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(*start))),
            end.map(|e| DatePerhapsTime::DateTime(CalendarDateTime::Utc(e))),
        ),
    };
    Read {
        uid: e.uid.clone(),
        stamp: e.stamp,
        start,
        end,
        summary: e.summary.clone(),
        description: e.description.clone(),
        location: e.location.clone(),
        url: e.url.clone(),
        organizer: e
            .organizer
            .as_ref()
            .map(|o| (Some(o.name.clone()), o.uri.clone())),
        categories: e.categories.clone(),
    }
}

fn sample() -> Vec<CalEvent> {
    vec![
        CalEvent {
            uid: "event:demo:atelier-logiciels-libres".into(),
            stamp: stamp(1_740_000_000),
            span: Span::Days {
                first: day("2025-12-30"),
                last: day("2025-12-31"),
            },
            summary: "Atelier « communs », logiciels; \\ libres".into(),
            description: Some(
                "Deux journées.\nPremière: installer; seconde, contribuer.\n\nInscription \\ libre."
                    .into(),
            ),
            location: Some("Tiers-lieu du Port, 1 quai Est; Brest".into()),
            url: Some("https://example.org/agenda?id=1;x=2,3".into()),
            organizer: Some(Organizer {
                name: "Association \"Le Port\" ^ numérique; Brest: Finistère".into(),
                uri: "https://archipel.example/acteurs/actor%3Ademo%3Aport".into(),
            }),
            categories: vec!["Formation".into(), "communs, logiciels".into(), "a;b\\c".into()],
        },
        CalEvent {
            uid: "event:demo:rencontre".into(),
            stamp: stamp(1_741_000_000),
            span: Span::Local {
                start: at("2025-03-12 14:00"),
                end: Some(at("2025-03-12 17:30")),
            },
            // Long enough to fold, with two- and four-octet characters.
            summary: format!("Rencontre {}{}", "é".repeat(50), "🌊".repeat(20)),
            description: Some("àéîõü ".repeat(40)),
            location: None,
            url: None,
            organizer: Some(Organizer {
                name: "Métropole".into(),
                uri: "mailto:contact@example.org".into(),
            }),
            categories: vec!["Rencontre".into()],
        },
        CalEvent {
            uid: "event:demo:webinaire".into(),
            stamp: stamp(1_742_000_000),
            span: Span::Utc {
                start: stamp(1_750_000_000),
                end: Some(stamp(1_750_003_600)),
            },
            summary: "Webinaire".into(),
            description: None,
            location: None,
            url: None,
            organizer: None,
            categories: Vec::new(),
        },
    ]
}

#[test]
fn a_second_parser_reads_every_field_back() {
    let events = sample();
    let bytes = ical::to_bytes(&head(), &events).expect("written");
    let (read, zones) = read_back(&bytes);
    assert_eq!(zones, vec!["Europe/Paris".to_string()]);
    let want: Vec<Read> = events.iter().map(expected).collect();
    assert_eq!(read, want);
    // The calendar's own properties.
    let s = String::from_utf8(bytes).expect("UTF-8");
    let cal: icalendar::Calendar = s.parse().expect("parsed");
    // The parser leaves the calendar's own properties as written (it
    // types only the components' ones): the name is TEXT, escaped.
    assert_eq!(cal.get_name(), Some("Trainings\\, events\\; agenda"));
    assert_eq!(cal.property_value("VERSION"), Some("2.0"));
    for l in s.split_terminator("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l}", l.len());
    }
}

#[test]
fn hostile_text_never_reaches_the_file_as_it_came() {
    let mut e = sample().remove(2);
    e.summary = "Bell\u{7} escape\u{1b}[31m del\u{7f} c1\u{9b} end\rnext".into();
    e.description = Some("nul\u{0} CR LF\r\nvertical tab\u{b} form feed\u{c}".into());
    e.location = Some("\u{1b}]0;title\u{7}".into());
    e.categories = vec!["\u{8}back".into()];
    e.organizer = Some(Organizer {
        name: "Evil\r\nATTENDEE:mailto:x@y.z\u{0}".into(),
        uri: "https://x.example/a b\r\nX-INJECTED:1".into(),
    });
    e.url = Some("https://x.example/\"><script>\u{0}".into());
    e.uid = "event:x:a\r\nEND:VEVENT".into();
    let bytes = ical::to_bytes(&head(), &[e]).expect("written");
    // No control character but the line ends, in pairs.
    let s = String::from_utf8(bytes.clone()).expect("UTF-8");
    let bare = s.replace("\r\n", "");
    assert!(
        !bare.chars().any(|c| c.is_control()),
        "a control character left: {bare:?}"
    );
    assert!(!s.contains("\r\nX-INJECTED"), "{s}");
    assert!(!s.contains("\r\nATTENDEE"), "{s}");
    assert_eq!(s.matches("END:VEVENT").count(), 2, "{s}");
    let (read, _) = read_back(&bytes);
    assert_eq!(read.len(), 1);
    let r = &read[0];
    assert_eq!(r.uid, "event:x:a\nEND:VEVENT");
    assert_eq!(
        r.summary,
        "Bell\u{FFFD} escape\u{FFFD}[31m del\u{FFFD} c1\u{FFFD} end\nnext"
    );
    assert_eq!(
        r.description.as_deref(),
        Some("nul\u{FFFD} CR LF\nvertical tab\u{FFFD} form feed\u{FFFD}")
    );
    assert_eq!(r.location.as_deref(), Some("\u{FFFD}]0;title\u{FFFD}"));
    assert_eq!(r.categories, vec!["\u{FFFD}back".to_string()]);
    assert_eq!(
        r.organizer,
        Some((
            Some("Evil\nATTENDEE:mailto:x@y.z\u{FFFD}".to_string()),
            "https://x.example/a%20b%0D%0AX-INJECTED:1".to_string()
        ))
    );
    assert_eq!(
        r.url.as_deref(),
        Some("https://x.example/%22%3E%3Cscript%3E%00")
    );
}

/// Text without control characters but the line break and the tab.
fn plain_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            2 => proptest::sample::select(vec![
                ' ', ',', ';', ':', '\\', '"', '^', '\n', '\t', 'é', '«', '’', '🌊', '中'
            ]),
            1 => any::<char>().prop_filter("no control", |c| !c.is_control()),
        ],
        0..200,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_plain_text_comes_back_the_same(
        summary in plain_text(),
        description in plain_text(),
        location in plain_text(),
        category in plain_text(),
        name in plain_text().prop_filter("a name", |s| !s.is_empty()),
    ) {
        let mut e = sample().remove(0);
        e.summary = summary;
        e.description = Some(description);
        e.location = Some(location);
        // One category (an empty list item is no item for a reader).
        e.categories = vec![category].into_iter().filter(|c| !c.is_empty()).collect();
        e.organizer = Some(Organizer { name, uri: "mailto:a@b.example".into() });
        let bytes = ical::to_bytes(&head(), std::slice::from_ref(&e)).expect("written");
        for l in bytes.split(|b| *b == b'\n') {
            prop_assert!(l.len() <= 76, "{} octets", l.len());
        }
        let (read, _) = read_back(&bytes);
        prop_assert_eq!(read, vec![expected(&e)]);
    }
}
