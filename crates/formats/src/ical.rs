//! iCalendar (RFC 5545): the trainings and events of a territory as a
//! `VCALENDAR` of `VEVENT`s, for calendar programs to subscribe to.
//!
//! [`write`] takes plain [`CalEvent`]s (the caller maps its records onto
//! them) and writes:
//! - `UID` (the caller's stable identifier: an action's id), `DTSTAMP`
//!   (the record's last change, UTC), `DTSTART`/`DTEND` as a `DATE` (whole
//!   days; `DTEND` is the day *after* the last, as the RFC counts), as a
//!   local `DATE-TIME` with `TZID=Europe/Paris` (the calendar then carries
//!   a `VTIMEZONE` for it, the current French rule), or as UTC;
//! - `SUMMARY`, `DESCRIPTION`, `LOCATION`, `CATEGORIES` as TEXT: `\`, `;`,
//!   `,` and line breaks escaped (`\\`, `\;`, `\,`, `\n`); any other
//!   control character (C0 but the tab, DEL, C1) is replaced by U+FFFD,
//!   so hostile text never reaches the file as it came;
//! - `URL` as a URI (anything a URI may not hold percent-encoded) and
//!   `ORGANIZER;CN="…":URI` (the name as a quoted parameter value, with
//!   RFC 6868's `^'`, `^n` and `^^` for a double quote, a line break and a
//!   caret; no `CN` for an empty name).
//!
//! Content lines end with CRLF and are folded at 75 octets (a continuation
//! line starts with one space), never inside a UTF-8 character.

use crate::ExportError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::io::Write;

/// The time zone of local times (the registry's territories are French).
pub const TZID: &str = "Europe/Paris";

/// When an event takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Whole days, `first` to `last` included.
    Days { first: NaiveDate, last: NaiveDate },
    /// Local times in [`TZID`]; no end means the event has no duration.
    Local {
        start: NaiveDateTime,
        end: Option<NaiveDateTime>,
    },
    /// Times in UTC.
    Utc {
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    },
}

/// Who organises an event: `name` becomes the `CN` parameter, `uri` the
/// calendar address (a `mailto:` or the organiser's page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    pub name: String,
    pub uri: String,
}

/// One `VEVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalEvent {
    /// Unique and stable across feeds: the record's identifier.
    pub uid: String,
    /// The record's last change.
    pub stamp: DateTime<Utc>,
    pub span: Span,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub organizer: Option<Organizer>,
    pub categories: Vec<String>,
}

/// The calendar's own properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalHead {
    /// `PRODID`'s product part, such as `Archipel 0.1.0`.
    pub product: String,
    /// The calendar's name (`NAME`, RFC 7986, and `X-WR-CALNAME`).
    pub name: String,
}

/// The longest content line, in octets, before the line break.
const LINE_OCTETS: usize = 75;

/// Writes a calendar with `events` in the order given.
pub fn write(out: &mut dyn Write, head: &CalHead, events: &[CalEvent]) -> Result<(), ExportError> {
    let mut w = Lines { out };
    w.line("BEGIN:VCALENDAR")?;
    w.line("VERSION:2.0")?;
    w.line(&format!(
        "PRODID:-//Archipel//{}//FR",
        text(&head.product.replace("//", "/"))
    ))?;
    w.line("CALSCALE:GREGORIAN")?;
    w.line("METHOD:PUBLISH")?;
    w.line(&format!("NAME:{}", text(&head.name)))?;
    w.line(&format!("X-WR-CALNAME:{}", text(&head.name)))?;
    if events.iter().any(|e| matches!(e.span, Span::Local { .. })) {
        for l in PARIS {
            w.line(l)?;
        }
    }
    for e in events {
        event(&mut w, e)?;
    }
    w.line("END:VCALENDAR")?;
    Ok(())
}

/// Writes a calendar to a vector.
pub fn to_bytes(head: &CalHead, events: &[CalEvent]) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    write(&mut out, head, events)?;
    Ok(out)
}

/// Europe/Paris's rule since 1996: CET, and CEST from the last Sunday of
/// March (02:00) to the last Sunday of October (03:00).
const PARIS: [&str; 17] = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

fn event(w: &mut Lines<'_>, e: &CalEvent) -> Result<(), ExportError> {
    w.line("BEGIN:VEVENT")?;
    w.line(&format!("UID:{}", text(&e.uid)))?;
    w.line(&format!("DTSTAMP:{}", utc(&e.stamp)))?;
    match &e.span {
        Span::Days { first, last } => {
            w.line(&format!("DTSTART;VALUE=DATE:{}", day(first)))?;
            // DTEND is the day after the last (exclusive); a span whose
            // last day comes before its first is one day.
            let after = (*last.max(first)).succ_opt().unwrap_or(*last.max(first));
            w.line(&format!("DTEND;VALUE=DATE:{}", day(&after)))?;
        }
        Span::Local { start, end } => {
            w.line(&format!("DTSTART;TZID={TZID}:{}", local(start)))?;
            if let Some(end) = end.filter(|end| end >= start) {
                w.line(&format!("DTEND;TZID={TZID}:{}", local(&end)))?;
            }
        }
        Span::Utc { start, end } => {
            w.line(&format!("DTSTART:{}", utc(start)))?;
            if let Some(end) = end.filter(|end| end >= start) {
                w.line(&format!("DTEND:{}", utc(&end)))?;
            }
        }
    }
    w.line(&format!("SUMMARY:{}", text(&e.summary)))?;
    if let Some(d) = &e.description {
        w.line(&format!("DESCRIPTION:{}", text(d)))?;
    }
    if let Some(l) = &e.location {
        w.line(&format!("LOCATION:{}", text(l)))?;
    }
    if let Some(u) = &e.url {
        w.line(&format!("URL:{}", uri(u)))?;
    }
    if let Some(o) = &e.organizer {
        if o.name.is_empty() {
            w.line(&format!("ORGANIZER:{}", uri(&o.uri)))?;
        } else {
            w.line(&format!(
                "ORGANIZER;CN=\"{}\":{}",
                param(&o.name),
                uri(&o.uri)
            ))?;
        }
    }
    if !e.categories.is_empty() {
        let list: Vec<String> = e.categories.iter().map(|c| text(c)).collect();
        w.line(&format!("CATEGORIES:{}", list.join(",")))?;
    }
    w.line("END:VEVENT")
}

fn day(d: &NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn local(t: &NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A control character that has no place in a TEXT value (the tab and the
/// line breaks are handled before).
fn is_control(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// A TEXT value: `\ ; ,` and line breaks escaped, other controls replaced.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if is_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A quoted parameter value's inside (RFC 6868): `^` → `^^`, `"` → `^'`,
/// a line break → `^n`; other controls replaced.
fn param(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("^n");
            }
            '\n' => out.push_str("^n"),
            c if is_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A URI value: bytes a URI may not hold (controls, space, non-ASCII,
/// `"<>\^`{|}`) percent-encoded.
fn uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes content lines folded at [`LINE_OCTETS`] with CRLF.
struct Lines<'w> {
    out: &'w mut dyn Write,
}

impl Lines<'_> {
    fn line(&mut self, l: &str) -> Result<(), ExportError> {
        let mut rest = l;
        let mut limit = LINE_OCTETS;
        loop {
            if rest.len() <= limit {
                self.out.write_all(rest.as_bytes())?;
                self.out.write_all(b"\r\n")?;
                return Ok(());
            }
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.write_all(&rest.as_bytes()[..cut])?;
            self.out.write_all(b"\r\n ")?;
            rest = &rest[cut..];
            // The leading space counts in the next line's octets.
            limit = LINE_OCTETS - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
    }

    fn one(summary: &str) -> CalEvent {
        CalEvent {
            uid: "event:demo:atelier".into(),
            stamp: DateTime::from_timestamp(1_700_000_000, 0).expect("a time"),
            span: Span::Days {
                first: day("2025-03-12"),
                last: day("2025-03-12"),
            },
            summary: summary.into(),
            description: None,
            location: None,
            url: None,
            organizer: None,
            categories: Vec::new(),
        }
    }

    fn head() -> CalHead {
        CalHead {
            product: "Archipel test".into(),
            name: "Agenda".into(),
        }
    }

    fn lines(events: &[CalEvent]) -> String {
        String::from_utf8(to_bytes(&head(), events).expect("written")).expect("UTF-8")
    }

    #[test]
    fn text_escapes_the_specials_and_replaces_controls() {
        assert_eq!(text("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
        assert_eq!(
            text("bell\u{7}del\u{7f}c1\u{85}tab\t"),
            "bell\u{FFFD}del\u{FFFD}c1\u{FFFD}tab\t"
        );
        assert_eq!(param("Le \"Port\" ^ x\ny"), "Le ^'Port^' ^^ x^ny");
        assert_eq!(uri("https://x.fr/a b\"é"), "https://x.fr/a%20b%22%C3%A9");
    }

    #[test]
    fn lines_end_with_crlf_and_fold_at_75_octets_between_characters() {
        // Two-octet and four-octet characters around the fold points.
        let long = "é".repeat(60) + &"🌊".repeat(30) + "fin";
        let out = lines(&[one(&long)]);
        assert!(!out.replace("\r\n", "").contains('\n'), "a bare LF");
        assert!(out.ends_with("END:VCALENDAR\r\n"));
        for l in out.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}\r\n")));
        // Folded at all.
        assert!(out.contains("\r\n "));
    }

    #[test]
    fn days_end_the_day_after_and_local_times_bring_the_time_zone() {
        let mut e = one("Atelier");
        e.span = Span::Days {
            first: day("2025-12-30"),
            last: day("2025-12-31"),
        };
        let out = lines(&[e.clone()]);
        assert!(out.contains("DTSTART;VALUE=DATE:20251230\r\nDTEND;VALUE=DATE:20260101\r\n"));
        assert!(!out.contains("VTIMEZONE"));
        let start = day("2025-03-12").and_hms_opt(14, 0, 0).expect("a time");
        e.span = Span::Local {
            start,
            end: Some(start + chrono::Duration::hours(3)),
        };
        let out = lines(&[e]);
        assert!(out.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
        assert!(out.contains("DTSTART;TZID=Europe/Paris:20250312T140000\r\n"));
        assert!(out.contains("DTEND;TZID=Europe/Paris:20250312T170000\r\n"));
    }
}
