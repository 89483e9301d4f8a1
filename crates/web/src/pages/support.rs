//! `/soutiens`: what a territory does for its digital commons — its
//! figures (the same function as `archipel stats --territory`), what was
//! done by kind and year, the grants by year, by kind of beneficiary and
//! by commons, the calls for projects with their applications and
//! outcomes, a calendar of trainings and events, the hardware lent and
//! where it is, the commons hosted and the dedicated posts —, with a
//! territory (`territoire`) and a year filter; the grants as filtered in
//! SCDL « subventions » CSV (`/soutiens.csv`). One page per record is
//! `support_item`, the events' iCalendar feed `support_feed`.
//!
//! With a territory, the records shown are the territory's by the rule of
//! its figures (`ActionQuery::territory`); without one, every record of
//! the registry, and no figures.
//!
//! A grant's beneficiary is *new* when the same giver gave it nothing in
//! an earlier year (every year of the registry counts, not only the one
//! shown); an application is a *first-time* one as the store says
//! (`Store::first_time_applications`).

use super::render;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{query_string, Params};
use crate::state::AppState;
use crate::views::{euros, record_url, Alternate, Layout, Link};
use archipel_content::Lang;
use archipel_domain::{Action, ActionId, ActionKind, Cents, EntityId, Grant, Transfer};
use archipel_store::{ActionQuery, CallApplications, Store, Summary, SupportFigures};
use askama::Template;
use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SupportParams {
    #[serde(default)]
    pub year: Option<String>,
    /// A territory: its id, INSEE code, SIREN or `level:code`.
    #[serde(default)]
    pub territoire: Option<String>,
}

/// The `year` filter: empty or absent for every year, else a year of four
/// digits between 1900 and 2200.
pub fn year_of(p: &SupportParams) -> Result<Option<i32>, Error> {
    let Some(s) = p.year.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match s.parse::<i32>() {
        Ok(y) if s.len() == 4 && (1900..=2200).contains(&y) => Ok(Some(y)),
        _ => Err(Error::bad_request(format!(
            "`year` must be a year such as 2025, not `{}`",
            archipel_domain::echo(s)
        ))),
    }
}

/// The `territoire` filter, as given (bounded, no control characters);
/// `None` when absent or empty.
pub fn territory_key(p: &SupportParams) -> Result<Option<String>, Error> {
    let Some(s) = p
        .territoire
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    if s.len() > 200 || archipel_domain::check_text(s, archipel_domain::TextKind::Line).is_err() {
        return Err(Error::bad_request(format!(
            "`territoire` must be a territory's id or code, not `{}`",
            archipel_domain::echo(s)
        )));
    }
    Ok(Some(s.to_string()))
}

/// The territory `key` names, or the error a page answers.
pub fn resolve_territory(s: &Store, key: &str) -> archipel_store::Result<Result<Summary, Error>> {
    let mut found = s.find_territories(key)?;
    Ok(match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::not_found(format!(
            "no territory `{}` in the registry",
            archipel_domain::echo(key)
        ))),
        n => Err(Error::bad_request(format!(
            "`{}` names {n} territories; give its id",
            archipel_domain::echo(key)
        ))),
    })
}

/// One line of a table of sums.
pub struct SumRow {
    pub label: Link,
    pub grants: String,
    pub total: String,
}

pub struct CallRow {
    pub call: Link,
    pub giver: Link,
    pub non_competitive: bool,
    pub applications: String,
    pub accepted: String,
    pub refused: String,
    pub first_time: String,
    pub grants: String,
    pub total: String,
    pub new_beneficiaries: String,
}

pub struct GrantRow {
    pub date: String,
    pub grant: Link,
    pub beneficiary: Link,
    pub received: String,
}

/// One figure of the territory: `key` is its name in `stats --json`'s
/// `support`, `raw` its value there.
pub struct FigureRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub raw: String,
}

/// The line of a kind in the table by kind and year.
pub struct KindYears {
    pub kind: &'static str,
    pub counts: Vec<String>,
    pub total: String,
}

pub struct EventRow {
    pub when: String,
    /// `YYYY-MM-DD` of the first day.
    pub datetime: String,
    pub event: Link,
    pub category: String,
    pub place: Link,
    pub organiser: Link,
    pub attendance: String,
}

/// A month of the calendar.
pub struct Month {
    pub id: String,
    pub title: String,
    pub events: Vec<EventRow>,
}

pub struct HardwareRow {
    pub items: Link,
    pub quantity: String,
    pub transfer: &'static str,
    pub status: &'static str,
    pub period: String,
    pub giver: Link,
    pub recipient: Link,
    pub place: Link,
}

pub struct HostingRow {
    pub what: Link,
    pub commons: Vec<Link>,
    pub host: Link,
    pub hosted_for: Link,
    pub infrastructure: String,
    pub period: String,
}

pub struct PostRow {
    pub role: Link,
    pub employer: Link,
    pub fte: String,
    pub period: String,
    pub funding: String,
}

/// A choice of the territory filter.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage {
    page: Layout,
    t: Tr,
    year: String,
    years: Vec<String>,
    territories: Vec<Choice>,
    /// The territory shown, by name; empty for the whole registry.
    territory: String,
    figures: Vec<FigureRow>,
    summary: String,
    kind_years: Vec<String>,
    by_kind_year: Vec<KindYears>,
    by_year: Vec<SumRow>,
    by_kind: Vec<SumRow>,
    by_commons: Vec<SumRow>,
    calls: Vec<CallRow>,
    /// Upcoming and past events (title, id part, months), the empty left
    /// out.
    calendar: Vec<(&'static str, &'static str, Vec<Month>)>,
    hardware: Vec<HardwareRow>,
    hostings: Vec<HostingRow>,
    posts: Vec<PostRow>,
    grants: Vec<GrantRow>,
    /// The key of the grants table's caption.
    grants_caption: &'static str,
    csv_url: String,
    ics_url: String,
    /// The contribution forms, one per kind.
    add: Vec<Link>,
}

/// What the page reads from the registry, in one snapshot.
struct Loaded {
    territory: Option<Summary>,
    actions: Vec<Action>,
    calls: Vec<CallApplications>,
    names: HashMap<String, Summary>,
    figures: Option<SupportFigures>,
    choices: Vec<Summary>,
}

fn load(
    s: &Store,
    content: &archipel_content::Content,
    key: Option<&str>,
    year: Option<i32>,
) -> archipel_store::Result<Result<Loaded, Error>> {
    let territory = match key {
        Some(k) => match resolve_territory(s, k)? {
            Ok(t) => Some(t),
            Err(e) => return Ok(Err(e)),
        },
        None => None,
    };
    let tid: Option<EntityId> = territory.as_ref().and_then(|t| t.id.parse().ok());
    let q = ActionQuery {
        territory: tid.clone(),
        ..ActionQuery::default()
    };
    let actions = s.actions(&q)?;
    let calls = s.calls_with_applications(&ActionQuery { year, ..q })?;
    let figures = match &tid {
        Some(id) => s
            .scope_stats(&archipel_pitch::scope_query(content.pitch(), id, None))?
            .map(|st| st.support),
        None => None,
    };
    let mut ids: Vec<&str> = Vec::new();
    for a in &actions {
        ids.extend(a.references().into_iter().map(|(_, id)| id.as_str()));
    }
    for c in &calls {
        for a in &c.applications {
            ids.push(a.application.applicant.as_str());
        }
        if let Some(g) = &c.call.giver {
            ids.push(g.as_str());
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let names = s.summaries(&ids)?;
    // The territories one may choose: the widest ones, and those the
    // records name.
    let mut choices = s.top_territories()?;
    let mut named: Vec<Summary> = names
        .values()
        .filter(|n| n.id.starts_with("territory:"))
        .cloned()
        .collect();
    choices.append(&mut named);
    if let Some(t) = &territory {
        choices.push(t.clone());
    }
    choices.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    choices.dedup_by(|a, b| a.id == b.id);
    Ok(Ok(Loaded {
        territory,
        actions,
        calls,
        names,
        figures,
        choices,
    }))
}

pub fn entity_link(names: &HashMap<String, Summary>, id: &str, fallback: &str) -> Link {
    match names.get(id) {
        Some(s) => Link::new(record_url(&s.id), s.name.clone()),
        None if fallback.is_empty() => Link::text(id),
        None => Link::text(fallback),
    }
}

pub fn opt_link(names: &HashMap<String, Summary>, id: Option<&EntityId>) -> Link {
    match id {
        Some(id) => entity_link(names, id.as_str(), ""),
        None => Link::text(""),
    }
}

pub fn action_url(id: &ActionId) -> String {
    format!("/soutiens/{}", crate::params::encode(id.as_str()))
}

pub fn action_link(a: &Action) -> Link {
    Link::new(action_url(a.id()), a.name().to_string())
}

fn year(g: &Grant) -> i32 {
    g.date.year()
}

/// The key of a kind's name in the interface strings (plural).
pub fn kind_key(k: ActionKind) -> &'static str {
    match k {
        ActionKind::Call => "support.kinds_call",
        ActionKind::Grant => "support.kinds_grant",
        ActionKind::Application => "support.kinds_application",
        ActionKind::Hardware => "support.kinds_hardware",
        ActionKind::Hosting => "support.kinds_hosting",
        ActionKind::Event => "support.kinds_event",
        ActionKind::Post => "support.kinds_post",
    }
}

/// A period `from → until`, `from →` when open.
pub fn period(from: Option<NaiveDate>, until: Option<NaiveDate>) -> String {
    match (from, until) {
        (Some(f), Some(u)) => format!("{f} → {u}"),
        (Some(f), None) => format!("{f} →"),
        (None, Some(u)) => format!("→ {u}"),
        (None, None) => String::new(),
    }
}

/// The name of a month (`1` to `12`) and its year.
pub fn month_title(t: Tr, y: i32, m: u32) -> String {
    let name = match m {
        1 => t.s("months.m01"),
        2 => t.s("months.m02"),
        3 => t.s("months.m03"),
        4 => t.s("months.m04"),
        5 => t.s("months.m05"),
        6 => t.s("months.m06"),
        7 => t.s("months.m07"),
        8 => t.s("months.m08"),
        9 => t.s("months.m09"),
        10 => t.s("months.m10"),
        11 => t.s("months.m11"),
        _ => t.s("months.m12"),
    };
    format!("{name} {y}")
}

/// The territory's figures as `stats --territory --json` writes them
/// under `support`, labelled, in that order; figures it leaves out are
/// left out.
pub fn figure_rows(t: Tr, lang: Lang, f: &SupportFigures) -> Vec<FigureRow> {
    let json = serde_json::to_value(f).unwrap_or_default();
    let Some(obj) = json.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let Some((key, label)) = figure_label(k) else {
            continue;
        };
        let raw = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let value = if key.ends_with("_cents") {
            euros(lang, v.as_i64().unwrap_or(0))
        } else if key.ends_with("_percent") {
            format!("{}\u{a0}%", t.number(v.as_u64().unwrap_or(0)))
        } else if let Some(n) = v.as_u64() {
            t.number(n)
        } else {
            raw.clone()
        };
        out.push(FigureRow {
            key,
            label: t.s(label),
            value,
            raw,
        });
    }
    out
}

/// The label key of each figure of [`SupportFigures`].
fn figure_label(k: &str) -> Option<(&'static str, &'static str)> {
    const LABELS: &[(&str, &str)] = &[
        ("grants", "support.fig_grants"),
        ("granted_cents", "support.fig_granted_cents"),
        ("commons_grants", "support.fig_commons_grants"),
        ("commons_granted_cents", "support.fig_commons_granted_cents"),
        ("commons_beneficiaries", "support.fig_commons_beneficiaries"),
        ("commons_associations", "support.fig_commons_associations"),
        (
            "associations_granted_cents",
            "support.fig_associations_granted_cents",
        ),
        (
            "associations_share_percent",
            "support.fig_associations_share_percent",
        ),
        ("calls", "support.fig_calls"),
        ("non_competitive_calls", "support.fig_non_competitive_calls"),
        ("applications", "support.fig_applications"),
        ("applications_accepted", "support.fig_applications_accepted"),
        ("first_time_applicants", "support.fig_first_time_applicants"),
        ("trainings", "support.fig_trainings"),
        ("training_attendees", "support.fig_training_attendees"),
        ("agents_trained", "support.fig_agents_trained"),
        ("events", "support.fig_events"),
        ("event_attendees", "support.fig_event_attendees"),
        ("hardware_lent", "support.fig_hardware_lent"),
        ("hardware_out", "support.fig_hardware_out"),
        ("hardware_given", "support.fig_hardware_given"),
        ("commons_hosted", "support.fig_commons_hosted"),
        ("posts", "support.fig_posts"),
        ("posts_fte", "support.fig_posts_fte"),
    ];
    LABELS.iter().find(|(key, _)| *key == k).copied()
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    uri: Uri,
    Params(p): Params<SupportParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let filter = year_of(&p).map_err(|e| e.in_lang(lang))?;
    let key = territory_key(&p).map_err(|e| e.in_lang(lang))?;
    let content = state.content.clone();
    let l = state
        .pool
        .read(move |s| Ok(load(s, &content, key.as_deref(), filter)?))
        .await
        .map_err(|e| e.in_lang(lang))?
        .map_err(|e| e.in_lang(lang))?;
    let today = state.config.sign_in.clock.now().date_naive();
    let money = |c: Cents| euros(lang, c);
    let n = |x: usize| t.number(x as u64);
    let in_year = |a: &Action| filter.is_none_or(|y| a.day().is_some_and(|d| d.year() == y));

    // What was done, by kind and year (every year).
    let mut kind_years: BTreeSet<i32> = BTreeSet::new();
    let mut counts: BTreeMap<(ActionKind, i32), usize> = BTreeMap::new();
    for a in &l.actions {
        if let Some(d) = a.day() {
            kind_years.insert(d.year());
            *counts.entry((a.kind(), d.year())).or_default() += 1;
        }
    }
    let by_kind_year: Vec<KindYears> = ActionKind::ALL
        .into_iter()
        .filter_map(|k| {
            let row: Vec<usize> = kind_years
                .iter()
                .map(|y| counts.get(&(k, *y)).copied().unwrap_or(0))
                .collect();
            let total: usize = row.iter().sum();
            (total > 0).then(|| KindYears {
                kind: t.s(kind_key(k)),
                counts: row.into_iter().map(n).collect(),
                total: n(total),
            })
        })
        .collect();

    let all_grants: Vec<&Grant> = l
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Grant(g) => Some(g),
            _ => None,
        })
        .collect();
    // The first year each giver gave each beneficiary something.
    let mut first_year: HashMap<(&str, &str), i32> = HashMap::new();
    for g in &all_grants {
        let e = first_year
            .entry((g.giver.as_str(), g.beneficiary.as_str()))
            .or_insert(year(g));
        *e = (*e).min(year(g));
    }
    let mut years: Vec<i32> = kind_years.iter().copied().collect();
    years.reverse();
    let grants: Vec<&Grant> = all_grants
        .iter()
        .copied()
        .filter(|g| filter.is_none_or(|y| year(g) == y))
        .collect();
    let territory_pair: Vec<(&'static str, String)> = l
        .territory
        .as_ref()
        .map(|t| vec![("territoire", t.id.clone())])
        .unwrap_or_default();

    let sum_rows = |m: BTreeMap<String, (Link, usize, Cents)>| -> Vec<SumRow> {
        m.into_values()
            .map(|(label, k, c)| SumRow {
                label,
                grants: n(k),
                total: money(c),
            })
            .collect()
    };
    let mut by_year: BTreeMap<String, (Link, usize, Cents)> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (Link, usize, Cents)> = BTreeMap::new();
    let mut by_commons: BTreeMap<String, (Link, usize, Cents)> = BTreeMap::new();
    for g in &grants {
        let r = g.received_cents();
        let y = year(g).to_string();
        let mut pairs = vec![("year", y.clone())];
        pairs.extend(territory_pair.iter().cloned());
        let href = format!("/soutiens{}", query_string(&pairs));
        let e = by_year
            .entry(y.clone())
            .or_insert_with(|| (Link::new(href, y), 0, 0));
        e.1 += 1;
        e.2 += r;
        let kind = l
            .names
            .get(g.beneficiary.as_str())
            .and_then(|s| s.subkind.clone());
        let label = match &kind {
            Some(k) => state.content.label("actor_kinds", k, lang),
            None => t.s("support.kind_unknown").to_string(),
        };
        // Known kinds by their label, the unknown last.
        let key = format!("{}{label}", u8::from(kind.is_none()));
        let e = by_kind
            .entry(key)
            .or_insert_with(|| (Link::text(label), 0, 0));
        e.1 += 1;
        e.2 += r;
        for c in &g.commons {
            let link = entity_link(&l.names, c.as_str(), "");
            let e = by_commons
                .entry(format!("{}\u{0}{}", link.text, c.as_str()))
                .or_insert_with(|| (link, 0, 0));
            e.1 += 1;
            e.2 += r;
        }
    }
    let mut by_year = sum_rows(by_year);
    by_year.reverse();

    // Calls: those opened in the year shown (all without a year), and
    // those with grants shown.
    let mut calls = Vec::new();
    let mut listed: HashMap<&ActionId, &CallApplications> = HashMap::new();
    for c in &l.calls {
        listed.insert(&c.call.id, c);
    }
    for a in &l.actions {
        let Action::Call(c) = a else { continue };
        let from: Vec<&&Grant> = grants
            .iter()
            .filter(|g| g.call.as_ref() == Some(&c.id))
            .collect();
        let apps = listed.get(&c.id);
        if from.is_empty() && apps.is_none() {
            continue;
        }
        let new_beneficiaries: BTreeSet<&str> = from
            .iter()
            .filter(|g| {
                first_year.get(&(g.giver.as_str(), g.beneficiary.as_str())) == Some(&year(g))
            })
            .map(|g| g.beneficiary.as_str())
            .collect();
        let (applications, accepted, refused, first_time) = match apps {
            Some(x) => (x.applications.len(), x.accepted, x.refused, x.first_time),
            None => (0, 0, 0, 0),
        };
        calls.push(CallRow {
            call: Link::new(action_url(&c.id), c.name.clone()),
            giver: match &c.giver {
                Some(gid) => entity_link(&l.names, gid.as_str(), &c.giver_name),
                None => Link::text(c.giver_name.clone()),
            },
            non_competitive: c.non_competitive,
            applications: n(applications),
            accepted: t.number(accepted),
            refused: t.number(refused),
            first_time: t.number(first_time),
            grants: n(from.len()),
            total: money(from.iter().map(|g| g.received_cents()).sum()),
            new_beneficiaries: n(new_beneficiaries.len()),
        });
    }

    // The calendar: upcoming (not ended before today) and past events,
    // by month of their first day.
    let mut upcoming: BTreeMap<(i32, u32), Vec<EventRow>> = BTreeMap::new();
    let mut past: BTreeMap<(i32, u32), Vec<EventRow>> = BTreeMap::new();
    let mut hardware = Vec::new();
    let mut hostings = Vec::new();
    let mut posts = Vec::new();
    for a in l.actions.iter().filter(|a| in_year(a)) {
        match a {
            Action::Event(e) => {
                let mut when = e.starts.to_string();
                if let Some(s) = e.start_time {
                    when.push_str(&format!(" {}", s.format("%H:%M")));
                }
                if e.last_day() != e.starts || e.end_time.is_some() {
                    when.push_str(" →");
                    if e.last_day() != e.starts {
                        when.push_str(&format!(" {}", e.last_day()));
                    }
                    if let Some(t) = e.end_time {
                        when.push_str(&format!(" {}", t.format("%H:%M")));
                    }
                }
                let place = match (&e.place, &e.location) {
                    (Some(p), _) => entity_link(&l.names, p.as_str(), ""),
                    (None, Some(loc)) => Link::text(loc.clone()),
                    (None, None) => Link::text(""),
                };
                let attendance = match (&e.attendance, e.capacity) {
                    (Some(at), Some(c)) => {
                        format!("{} / {}", t.number(at.total.into()), t.number(c.into()))
                    }
                    (Some(at), None) => t.number(at.total.into()),
                    (None, Some(c)) => format!("— / {}", t.number(c.into())),
                    (None, None) => String::new(),
                };
                let row = EventRow {
                    when,
                    datetime: e.starts.to_string(),
                    event: action_link(a),
                    category: state.content.label("event_categories", &e.category, lang),
                    place,
                    organiser: entity_link(&l.names, e.organiser.as_str(), ""),
                    attendance,
                };
                let m = (e.starts.year(), e.starts.month());
                if e.last_day() >= today {
                    upcoming.entry(m).or_default().push(row);
                } else {
                    past.entry(m).or_default().push(row);
                }
            }
            Action::Hardware(h) => {
                let (status_key, order) = match (h.transfer, h.returned) {
                    (Transfer::Gift, _) => ("support.hw_given", 2),
                    (Transfer::Loan, true) => ("support.hw_returned", 1),
                    (Transfer::Loan, false) => ("support.hw_out", 0),
                };
                hardware.push((
                    order,
                    h.from,
                    HardwareRow {
                        items: action_link(a),
                        quantity: t.number(h.quantity.into()),
                        transfer: t.s(match h.transfer {
                            Transfer::Loan => "support.loan",
                            Transfer::Gift => "support.gift",
                        }),
                        status: t.s(status_key),
                        period: period(Some(h.from), h.until),
                        giver: entity_link(&l.names, h.giver.as_str(), ""),
                        recipient: entity_link(&l.names, h.recipient.as_str(), ""),
                        place: opt_link(&l.names, h.place.as_ref()),
                    },
                ));
            }
            Action::Hosting(h) => hostings.push(HostingRow {
                what: action_link(a),
                commons: h
                    .commons
                    .iter()
                    .map(|c| entity_link(&l.names, c.as_str(), ""))
                    .collect(),
                host: entity_link(&l.names, h.host.as_str(), ""),
                hosted_for: opt_link(&l.names, h.hosted_for.as_ref()),
                infrastructure: h.infrastructure.clone().unwrap_or_default(),
                period: period(h.since, h.until),
            }),
            Action::Post(p) => posts.push(PostRow {
                role: action_link(a),
                employer: entity_link(&l.names, p.employer.as_str(), ""),
                fte: p.fte.as_str().to_string(),
                period: period(Some(p.since), p.until),
                funding: p.funding.clone().unwrap_or_default(),
            }),
            _ => {}
        }
    }
    // Loans out first, then returned, then gifts; the latest first.
    hardware.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let months = |m: BTreeMap<(i32, u32), Vec<EventRow>>| -> Vec<Month> {
        m.into_iter()
            .map(|((y, mo), events)| Month {
                id: format!("{y}-{mo:02}"),
                title: month_title(t, y, mo),
                events,
            })
            .collect()
    };
    let mut past = months(past);
    past.reverse();

    let total: Cents = grants.iter().map(|g| g.received_cents()).sum();
    let summary = format!(
        "{} · {}",
        t.count(grants.len() as u64, "support.grant", "support.grants"),
        money(total)
    );
    let rows = grants
        .iter()
        .rev()
        .map(|g| GrantRow {
            date: g.date.to_string(),
            grant: Link::new(action_url(&g.id), g.purpose.clone()),
            beneficiary: entity_link(&l.names, g.beneficiary.as_str(), &g.beneficiary_name),
            received: money(g.received_cents()),
        })
        .collect();
    let year_s = filter.map(|y| y.to_string()).unwrap_or_default();
    let territory = l
        .territory
        .as_ref()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let mut title = t.s("support.title").to_string();
    if !territory.is_empty() {
        title = format!("{title} · {territory}");
    }
    if let Some(y) = filter {
        title = format!("{title} · {y}");
    }
    let mut csv_pairs: Vec<(&'static str, String)> = filter
        .map(|y| vec![("year", y.to_string())])
        .unwrap_or_default();
    csv_pairs.extend(territory_pair.iter().cloned());
    let current = l.territory.as_ref().map(|t| t.id.as_str());
    let territories = l
        .choices
        .iter()
        .map(|c| Choice {
            value: c.id.clone(),
            label: c.name.clone(),
            selected: Some(c.id.as_str()) == current,
        })
        .collect();
    let ics_url = format!("/soutiens/evenements.ics{}", query_string(&territory_pair));
    let mut layout = Layout::new(t, &viewer, &title, &super::here(&uri), Some("support"));
    layout.alternates.push(Alternate {
        kind: "text/calendar",
        href: ics_url.clone(),
        title: t.s("support.ics_title"),
    });
    let page = SupportPage {
        page: layout,
        t,
        year: year_s,
        years: years.iter().map(i32::to_string).collect(),
        territories,
        territory,
        figures: l
            .figures
            .as_ref()
            .map(|f| figure_rows(t, lang, f))
            .unwrap_or_default(),
        summary,
        kind_years: kind_years.iter().map(i32::to_string).collect(),
        by_kind_year,
        by_year,
        by_kind: sum_rows(by_kind),
        by_commons: sum_rows(by_commons),
        calls,
        calendar: [
            (t.s("support.upcoming"), "upcoming", months(upcoming)),
            (t.s("support.past"), "past", past),
        ]
        .into_iter()
        .filter(|(_, _, m)| !m.is_empty())
        .collect(),
        hardware: hardware.into_iter().map(|(_, _, r)| r).collect(),
        hostings,
        posts,
        grants: rows,
        grants_caption: "support.grants_caption",
        csv_url: format!("/soutiens.csv{}", query_string(&csv_pairs)),
        ics_url,
        add: ActionKind::ALL
            .into_iter()
            .map(|k| {
                Link::new(
                    format!(
                        "/soutiens/proposer/{}",
                        super::propose_action::kind_segment(k)
                    ),
                    super::propose_action::kind_one(t, k),
                )
            })
            .collect(),
    };
    render(&page)
}

/// `/soutiens.csv`: the grants the page shows, as an SCDL « subventions »
/// file (cells a spreadsheet would run as formulas neutralised).
pub async fn csv(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Params(p): Params<SupportParams>,
) -> Result<Response, Error> {
    let filter = year_of(&p).map_err(|e| e.in_lang(lang))?;
    let key = territory_key(&p).map_err(|e| e.in_lang(lang))?;
    let bytes = state
        .pool
        .read(move |s| {
            let territory = match key.as_deref() {
                Some(k) => match resolve_territory(s, k)? {
                    Ok(t) => t.id.parse().ok(),
                    Err(e) => return Ok(Err(e)),
                },
                None => None,
            };
            let q = ActionQuery {
                kind: Some(ActionKind::Grant),
                year: filter,
                territory,
                ..ActionQuery::default()
            };
            let grants = s.actions(&q)?;
            let mut out = Vec::new();
            let written = (|| {
                let mut w = archipel_formats::scdl::Writer::begin(&mut out)?;
                for a in &grants {
                    if let Action::Grant(g) = a {
                        w.grant(g)?;
                    }
                }
                w.finish()
            })();
            Ok(Ok((written.map_err(|e| e.to_string()), out)))
        })
        .await
        .map_err(|e| e.in_lang(lang))?
        .map_err(|e| e.in_lang(lang))?;
    let (written, out) = bytes;
    written.map_err(|e| Error::internal(e).in_lang(lang))?;
    let name = match filter {
        Some(y) => format!("subventions-{y}.csv"),
        None => "subventions.csv".to_string(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_has_a_label() {
        let f = SupportFigures {
            grants: 1,
            granted_cents: 1,
            commons_grants: 1,
            commons_granted_cents: 1,
            commons_beneficiaries: 1,
            commons_associations: 1,
            associations_granted_cents: 1,
            associations_share_percent: Some(1),
            calls: 1,
            non_competitive_calls: 1,
            applications: 1,
            applications_accepted: 1,
            first_time_applicants: 1,
            trainings: 1,
            training_attendees: 1,
            agents_trained: 1,
            events: 1,
            event_attendees: 1,
            hardware_lent: 1,
            hardware_out: 1,
            hardware_given: 1,
            commons_hosted: 1,
            posts: 1,
            posts_fte: Some("1.5".into()),
        };
        let json = serde_json::to_value(&f).expect("JSON");
        let keys: Vec<&String> = json.as_object().expect("an object").keys().collect();
        let rows = figure_rows(Tr::new(Lang::Fr), Lang::Fr, &f);
        assert_eq!(
            rows.iter().map(|r| r.key).collect::<Vec<_>>(),
            keys.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        for k in &keys {
            let (_, label) = figure_label(k).expect("a label");
            assert!(crate::i18n::UI_STRINGS.has(label), "{label}");
        }
        let fte = rows.iter().find(|r| r.key == "posts_fte").expect("FTE");
        assert_eq!((fte.raw.as_str(), fte.value.as_str()), ("1.5", "1.5"));
    }

    /// Keys handed to `t.s` through a variable, which the scan of
    /// `s("…")` calls does not see.
    #[test]
    fn keys_chosen_in_code_exist() {
        let mut keys: Vec<&str> = ActionKind::ALL.into_iter().map(kind_key).collect();
        keys.extend([
            "support.loan",
            "support.gift",
            "support.hw_given",
            "support.hw_returned",
            "support.hw_out",
        ]);
        keys.extend(crate::pages::support_item::DYNAMIC_KEYS);
        for k in keys {
            assert!(crate::i18n::UI_STRINGS.has(k), "{k}");
        }
        for m in 1..=12 {
            assert!(!month_title(Tr::new(Lang::En), 2025, m).starts_with("months."));
        }
    }
}
