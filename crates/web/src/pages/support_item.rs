//! `/soutiens/{id}`: one page per public action record — its fields with
//! links to the actors, commons, places and territory it names and to
//! its call; a call's grants and applications (first-time applicants
//! flagged), an event's attendance by actor kind and typology. An event's
//! page carries its schema.org `Event` in JSON-LD (`event_json_ld`).

use super::render;
use super::support::{action_url, entity_link, kind_key, opt_link, period};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::state::AppState;
use crate::views::{euros, record_url, Layout, Link};
use archipel_content::{Content, Lang};
use archipel_domain::*;
use archipel_store::{ActionQuery, Summary};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::HashMap;

/// Keys handed to `t.s` through a variable (checked by a test).
#[cfg(test)]
pub const DYNAMIC_KEYS: [&str; 8] = [
    "support.kind_one_call",
    "support.kind_one_grant",
    "support.kind_one_application",
    "support.kind_one_hardware",
    "support.kind_one_hosting",
    "support.kind_one_event",
    "support.kind_one_post",
    "support.status_submitted",
];

pub(super) fn kind_one(k: ActionKind) -> &'static str {
    match k {
        ActionKind::Call => "support.kind_one_call",
        ActionKind::Grant => "support.kind_one_grant",
        ActionKind::Application => "support.kind_one_application",
        ActionKind::Hardware => "support.kind_one_hardware",
        ActionKind::Hosting => "support.kind_one_hosting",
        ActionKind::Event => "support.kind_one_event",
        ActionKind::Post => "support.kind_one_post",
    }
}

fn status_label(t: Tr, s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted => t.s("support.status_submitted"),
        ApplicationStatus::Accepted => t.s("support.status_accepted"),
        ApplicationStatus::Refused => t.s("support.status_refused"),
        ApplicationStatus::Withdrawn => t.s("support.status_withdrawn"),
    }
}

/// A labelled field of a record's page.
pub struct Field {
    pub label: &'static str,
    pub values: Vec<Link>,
}

pub struct GrantRow {
    pub date: String,
    pub grant: Link,
    pub beneficiary: Link,
    pub received: String,
}

pub struct ApplicationRow {
    pub date: String,
    pub application: Link,
    pub applicant: Link,
    pub asked: String,
    pub status: &'static str,
    pub first_time: bool,
}

/// Attendees by a vocabulary's keys, labelled.
pub struct AttendanceRow {
    pub label: String,
    pub count: String,
}

#[derive(Template)]
#[template(path = "support_item.html")]
struct ItemPage {
    page: Layout,
    t: Tr,
    kind_label: &'static str,
    kind_list: &'static str,
    name: String,
    description: Option<String>,
    fields: Vec<Field>,
    details: Vec<(String, String)>,
    grants: Vec<GrantRow>,
    grants_caption: &'static str,
    applications: Vec<ApplicationRow>,
    /// Attendees by actor kind and by typology (caption, rows), the empty
    /// left out.
    attendance: Vec<(&'static str, Vec<AttendanceRow>)>,
    is_call: bool,
    id: String,
    source: String,
    /// The event's JSON-LD, escaped for a `<script>` element.
    json_ld: String,
    /// `/soutiens/{id}`: its history and contribution form.
    href: String,
}

/// What a record's page reads.
struct Loaded {
    action: Action,
    grants: Vec<Grant>,
    applications: Vec<(Application, bool)>,
    names: HashMap<String, Summary>,
    actions: HashMap<String, String>,
    place: Option<Place>,
}

fn load(s: &archipel_store::Store, id: &ActionId) -> archipel_store::Result<Option<Loaded>> {
    let Some(a) = s.action(id)? else {
        return Ok(None);
    };
    let mut grants = Vec::new();
    let mut applications = Vec::new();
    if let Action::Call(c) = &a {
        for g in s.actions(&ActionQuery {
            kind: Some(ActionKind::Grant),
            ..ActionQuery::default()
        })? {
            if let Action::Grant(g) = g {
                if g.call.as_ref() == Some(&c.id) {
                    grants.push(g);
                }
            }
        }
        let calls = s.calls_with_applications(&ActionQuery::default())?;
        if let Some(ca) = calls.into_iter().find(|x| x.call.id == c.id) {
            applications = ca
                .applications
                .into_iter()
                .map(|o| (o.application, o.first_time))
                .collect();
        }
    }
    let mut ids: Vec<&str> = a
        .references()
        .into_iter()
        .map(|(_, i)| i.as_str())
        .collect();
    ids.extend(grants.iter().map(|g| g.beneficiary.as_str()));
    ids.extend(applications.iter().map(|(x, _)| x.applicant.as_str()));
    let names = s.summaries(&ids)?;
    let mut actions = HashMap::new();
    for (_, other) in a.action_references() {
        if let Some(o) = s.action(other)? {
            actions.insert(other.as_str().to_string(), o.name().to_string());
        }
    }
    let place = match &a {
        Action::Event(Event { place: Some(p), .. }) => match s.get(p)? {
            Some(Entity::Place(p)) => Some(p),
            _ => None,
        },
        _ => None,
    };
    Ok(Some(Loaded {
        action: a,
        grants,
        applications,
        names,
        actions,
        place,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: crate::session::Viewer,
    Path(raw_id): Path<String>,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let missing = || {
        Error::not_found(format!(
            "no public action record `{}` here",
            archipel_domain::echo(&raw_id)
        ))
        .in_lang(lang)
    };
    let id = ActionId::parse(&raw_id).map_err(|_| missing())?;
    let lid = id.clone();
    let loaded = state
        .pool
        .read(move |s| Ok(load(s, &lid)?))
        .await
        .map_err(|e| e.in_lang(lang))?;
    let Some(l) = loaded else {
        return Err(missing());
    };
    let a = &l.action;
    let mut fields = Vec::new();
    let mut details = Vec::new();
    let mut by_actor_kind = Vec::new();
    let mut by_typology = Vec::new();
    let mut json_ld = String::new();
    {
        let mut push = |key: &'static str, values: Vec<Link>| {
            if values.iter().any(|v| !v.text.is_empty()) {
                fields.push(Field {
                    label: t.s(key),
                    values,
                })
            }
        };
        let ctx = Ctx {
            t,
            lang,
            names: &l.names,
            actions: &l.actions,
            content: &state.content,
        };
        match a {
            Action::Grant(g) => grant_fields(&ctx, g, &mut push),
            Action::Call(c) => {
                call_fields(&ctx, c, &mut push);
                details = c
                    .details
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
            }
            Action::Application(x) => application_fields(&ctx, x, &mut push),
            Action::Hardware(h) => hardware_fields(&ctx, h, &mut push),
            Action::Hosting(h) => hosting_fields(&ctx, h, &mut push),
            Action::Event(e) => {
                event_fields(&ctx, e, l.place.as_ref(), &mut push);
                if let Some(at) = &e.attendance {
                    by_actor_kind = attendance_rows(&ctx, "actor_kinds", &at.by_actor_kind);
                    by_typology = attendance_rows(&ctx, "typology", &at.by_typology);
                }
                let base = state.config.public_url.trim_end_matches('/');
                json_ld = script_json(&event_json_ld(&ctx, e, l.place.as_ref(), base));
            }
            Action::Post(p) => post_fields(&ctx, p, &mut push),
        }
        if let Some(tr) = a.territory() {
            push(
                "support.territory",
                vec![entity_link(&l.names, tr.as_str(), "")],
            );
        }
    }
    let grants = l
        .grants
        .iter()
        .map(|g| GrantRow {
            date: g.date.to_string(),
            grant: Link::new(action_url(&g.id), g.purpose.clone()),
            beneficiary: entity_link(&l.names, g.beneficiary.as_str(), &g.beneficiary_name),
            received: euros(lang, g.received_cents()),
        })
        .collect();
    let applications = l
        .applications
        .iter()
        .map(|(x, first)| ApplicationRow {
            date: x.submitted.to_string(),
            application: Link::new(action_url(&x.id), x.purpose.clone()),
            applicant: entity_link(&l.names, x.applicant.as_str(), &x.applicant_name),
            asked: x
                .amount_asked_cents
                .map(|c| euros(lang, c))
                .unwrap_or_default(),
            status: status_label(t, x.status),
            first_time: *first,
        })
        .collect();
    let (name, description) = match a {
        Action::Call(c) => (c.name.clone(), c.description.clone()),
        Action::Event(e) => (e.name.clone(), e.description.clone()),
        other => (other.name().to_string(), None),
    };
    let page = ItemPage {
        page: Layout::new(t, &viewer, &name, &super::here(&uri), Some("support")),
        t,
        kind_label: t.s(kind_one(a.kind())),
        kind_list: t.s(kind_key(a.kind())),
        name,
        description,
        fields,
        details,
        grants,
        grants_caption: "support.call_grants_caption",
        applications,
        attendance: [
            (t.s("support.by_actor_kind_caption"), by_actor_kind),
            (t.s("support.by_typology_caption"), by_typology),
        ]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .collect(),
        is_call: matches!(a, Action::Call(_)),
        id: a.id().to_string(),
        source: crate::views::source_name(&a.provenance().source, lang),
        json_ld,
        href: super::support::action_url(a.id()),
    };
    render(&page)
}

/// What the field builders share.
struct Ctx<'a> {
    t: Tr,
    lang: Lang,
    names: &'a HashMap<String, Summary>,
    actions: &'a HashMap<String, String>,
    content: &'a Content,
}

impl Ctx<'_> {
    fn text(&self, s: &str) -> Vec<Link> {
        vec![Link::text(s)]
    }
    fn opt(&self, s: &Option<String>) -> Vec<Link> {
        vec![Link::text(s.clone().unwrap_or_default())]
    }
    fn yes_no(&self, b: bool) -> Vec<Link> {
        self.text(if b {
            self.t.s("support.yes")
        } else {
            self.t.s("support.no")
        })
    }
    fn actor(&self, id: &EntityId, fallback: &str) -> Vec<Link> {
        vec![entity_link(self.names, id.as_str(), fallback)]
    }
    fn opt_entity(&self, id: Option<&EntityId>) -> Vec<Link> {
        vec![opt_link(self.names, id)]
    }
    fn commons(&self, ids: &[EntityId]) -> Vec<Link> {
        ids.iter()
            .map(|c| entity_link(self.names, c.as_str(), ""))
            .collect()
    }
    fn action(&self, id: &ActionId) -> Vec<Link> {
        let name = self
            .actions
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.to_string());
        vec![Link::new(action_url(id), name)]
    }
    fn money(&self, c: Option<Cents>) -> Vec<Link> {
        vec![Link::text(
            c.map(|c| euros(self.lang, c)).unwrap_or_default(),
        )]
    }
    fn day(&self, d: Option<NaiveDate>) -> Vec<Link> {
        vec![Link::text(d.map(|d| d.to_string()).unwrap_or_default())]
    }
}

fn grant_fields(c: &Ctx<'_>, g: &Grant, push: &mut impl FnMut(&'static str, Vec<Link>)) {
    push("support.giver", c.actor(&g.giver, &g.giver_name));
    push("support.giver_siret", c.text(&g.giver_siret));
    push("support.date", c.text(&g.date.to_string()));
    push("support.decision", c.opt(&g.decision_reference));
    push(
        "support.beneficiary",
        c.actor(&g.beneficiary, &g.beneficiary_name),
    );
    push("support.beneficiary_siret", c.opt(&g.beneficiary_siret));
    push("support.beneficiary_rna", c.opt(&g.beneficiary_rna));
    push("support.amount", c.money(Some(g.amount_cents)));
    push("support.share", c.text(g.share.as_str()));
    push("support.received", c.money(Some(g.received_cents())));
    push("support.nature", c.text(&g.nature));
    push("support.payment_terms", c.text(&g.payment_terms));
    push(
        "support.payment",
        c.text(period(Some(g.payment_from), g.payment_until).trim_end_matches(" →")),
    );
    push("support.rae", c.opt(&g.rae_id));
    push("support.eu_notified", c.yes_no(g.eu_notified));
    push("support.scheme", c.opt(&g.scheme));
    if let Some(call) = &g.call {
        push("support.call", c.action(call));
    }
    push("support.commons", c.commons(&g.commons));
}

fn call_fields(c: &Ctx<'_>, x: &Call, push: &mut impl FnMut(&'static str, Vec<Link>)) {
    push(
        "support.giver",
        match &x.giver {
            Some(g) => c.actor(g, &x.giver_name),
            None => c.text(&x.giver_name),
        },
    );
    push("support.giver_siren", c.text(&x.giver_siren));
    push(
        "support.eligible",
        x.eligible.iter().map(|e| Link::text(e.clone())).collect(),
    );
    push("support.eligibility", c.opt(&x.eligibility));
    push("support.budget", c.money(x.budget_cents));
    push("support.opens", c.day(x.opens));
    push("support.closes", c.day(x.closes));
    push(
        "support.call_type",
        c.text(if x.call_for_projects {
            c.t.s("support.aap")
        } else {
            c.t.s("support.ami")
        }),
    );
    push("support.non_competitive", c.yes_no(x.non_competitive));
    if let Some(u) = &x.url {
        push("support.url", vec![Link::new(u.clone(), u.clone())]);
    }
}

fn application_fields(
    c: &Ctx<'_>,
    x: &Application,
    push: &mut impl FnMut(&'static str, Vec<Link>),
) {
    push("support.call", c.action(&x.call));
    push(
        "support.applicant",
        c.actor(&x.applicant, &x.applicant_name),
    );
    push("support.amount_asked", c.money(x.amount_asked_cents));
    push("support.status", c.text(status_label(c.t, x.status)));
    push("support.submitted", c.day(Some(x.submitted)));
    push("support.decided", c.day(x.decided));
    if let Some(g) = &x.grant {
        push("support.grant_given", c.action(g));
    }
    push("support.commons", c.commons(&x.commons));
}

fn hardware_fields(c: &Ctx<'_>, h: &Hardware, push: &mut impl FnMut(&'static str, Vec<Link>)) {
    push("support.quantity", c.text(&c.t.number(h.quantity.into())));
    push(
        "support.transfer",
        c.text(match h.transfer {
            Transfer::Loan => c.t.s("support.loan"),
            Transfer::Gift => c.t.s("support.gift"),
        }),
    );
    push("support.lender", c.actor(&h.giver, ""));
    push("support.recipient", c.actor(&h.recipient, ""));
    push("support.where", c.opt_entity(h.place.as_ref()));
    push("support.period", c.text(&period(Some(h.from), h.until)));
    if h.transfer == Transfer::Loan {
        push(
            "support.status",
            c.text(if h.returned {
                c.t.s("support.hw_returned")
            } else {
                c.t.s("support.hw_out")
            }),
        );
    }
    push("support.value", c.money(h.value_cents));
}

fn hosting_fields(c: &Ctx<'_>, h: &Hosting, push: &mut impl FnMut(&'static str, Vec<Link>)) {
    push("support.commons", c.commons(&h.commons));
    push("support.host", c.actor(&h.host, ""));
    push("support.hosted_for", c.opt_entity(h.hosted_for.as_ref()));
    push("support.infrastructure", c.opt(&h.infrastructure));
    push("support.period", c.text(&period(h.since, h.until)));
}

fn post_fields(c: &Ctx<'_>, p: &Post, push: &mut impl FnMut(&'static str, Vec<Link>)) {
    push("support.employer", c.actor(&p.employer, ""));
    push("support.fte", c.text(p.fte.as_str()));
    push("support.period", c.text(&period(Some(p.since), p.until)));
    push("support.funding", c.opt(&p.funding));
    push("support.funder", c.opt_entity(p.funder.as_ref()));
}

fn event_fields(
    c: &Ctx<'_>,
    e: &Event,
    place: Option<&Place>,
    push: &mut impl FnMut(&'static str, Vec<Link>),
) {
    push(
        "support.category",
        c.text(&c.content.label("event_categories", &e.category, c.lang)),
    );
    push("support.organiser", c.actor(&e.organiser, ""));
    let time = |t: Option<NaiveTime>| {
        t.map(|t| format!(" {}", t.format("%H:%M")))
            .unwrap_or_default()
    };
    push(
        "support.starts",
        c.text(&format!("{}{}", e.starts, time(e.start_time))),
    );
    if e.ends.is_some() || e.end_time.is_some() {
        push(
            "support.ends",
            c.text(&format!("{}{}", e.last_day(), time(e.end_time))),
        );
    }
    let mut wher = c.opt_entity(e.place.as_ref());
    if let Some(p) = place {
        let addr = address_text(&p.address);
        if !addr.is_empty() {
            wher.push(Link::text(addr));
        }
    }
    push("support.where", wher);
    push("support.location", c.opt(&e.location));
    push("support.audience", c.opt(&e.audience));
    push(
        "support.capacity",
        c.text(&e.capacity.map(|n| c.t.number(n.into())).unwrap_or_default()),
    );
    if let Some(at) = &e.attendance {
        push("support.attendees", c.text(&c.t.number(at.total.into())));
        let agents = at.agents();
        if agents > 0 {
            push("support.public_agents", c.text(&c.t.number(agents.into())));
        }
    }
    if let Some(u) = &e.url {
        push("support.url_event", vec![Link::new(u.clone(), u.clone())]);
    }
    push("support.commons", c.commons(&e.commons));
}

fn attendance_rows(
    c: &Ctx<'_>,
    vocabulary: &str,
    m: &std::collections::BTreeMap<String, u32>,
) -> Vec<AttendanceRow> {
    let mut rows: Vec<(u32, String)> = m
        .iter()
        .map(|(k, n)| (*n, c.content.label(vocabulary, k, c.lang)))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter()
        .map(|(n, label)| AttendanceRow {
            label,
            count: c.t.number(n.into()),
        })
        .collect()
}

/// A postal address on one line.
pub fn address_text(a: &Address) -> String {
    let city = [a.postcode.as_deref(), a.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [a.street.clone(), a.complement.clone(), Some(city)]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last Sunday of a month.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let mut d = next.pred_opt()?;
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt()?;
    }
    Some(d)
}

/// Europe/Paris's offset from UTC at a local time: `+02:00` from the last
/// Sunday of March at 02:00 to the last Sunday of October at 03:00,
/// `+01:00` otherwise.
pub fn paris_offset(day: NaiveDate, time: NaiveTime) -> &'static str {
    let at = day.and_time(time);
    let (Some(spring), Some(autumn)) = (last_sunday(day.year(), 3), last_sunday(day.year(), 10))
    else {
        return "+01:00";
    };
    let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default();
    let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap_or_default();
    if at >= spring.and_time(two) && at < autumn.and_time(three) {
        "+02:00"
    } else {
        "+01:00"
    }
}

/// A schema.org date: the day, or the day and local time with Paris's
/// offset.
fn schema_date(day: NaiveDate, time: Option<NaiveTime>) -> String {
    match time {
        Some(t) => format!("{day}T{}{}", t.format("%H:%M:%S"), paris_offset(day, t)),
        None => day.to_string(),
    }
}

/// An event as a schema.org `Event` (`EducationEvent` for a training).
fn event_json_ld(c: &Ctx<'_>, e: &Event, place: Option<&Place>, base: &str) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let abs = |path: String| format!("{base}{path}");
    let mut o = Map::new();
    o.insert("@context".into(), json!("https://schema.org"));
    o.insert(
        "@type".into(),
        json!(if e.is_training() {
            "EducationEvent"
        } else {
            "Event"
        }),
    );
    o.insert("@id".into(), json!(abs(action_url(&e.id))));
    o.insert("name".into(), json!(e.name));
    if let Some(d) = &e.description {
        o.insert("description".into(), json!(d));
    }
    o.insert(
        "startDate".into(),
        json!(schema_date(e.starts, e.start_time)),
    );
    if e.ends.is_some() || e.end_time.is_some() {
        o.insert(
            "endDate".into(),
            json!(schema_date(e.last_day(), e.end_time)),
        );
    }
    o.insert(
        "eventAttendanceMode".into(),
        json!("https://schema.org/OfflineEventAttendanceMode"),
    );
    let mut location = Map::new();
    if let Some(p) = place {
        location.insert("@type".into(), json!("Place"));
        location.insert("name".into(), json!(p.name));
        location.insert("url".into(), json!(abs(record_url(p.id.as_str()))));
        let a = &p.address;
        let mut addr = Map::new();
        addr.insert("@type".into(), json!("PostalAddress"));
        for (k, v) in [
            ("streetAddress", &a.street),
            ("postalCode", &a.postcode),
            ("addressLocality", &a.city),
        ] {
            if let Some(v) = v {
                addr.insert(k.into(), json!(v));
            }
        }
        addr.insert("addressCountry".into(), json!("FR"));
        location.insert("address".into(), Value::Object(addr));
        if let Some(g) = &p.location {
            location.insert(
                "geo".into(),
                json!({"@type": "GeoCoordinates", "latitude": g.lat, "longitude": g.lon}),
            );
        }
    } else if let Some(l) = &e.location {
        location.insert("@type".into(), json!("Place"));
        location.insert("name".into(), json!(l));
    }
    if !location.is_empty() {
        o.insert("location".into(), Value::Object(location));
    }
    let organiser = c
        .names
        .get(e.organiser.as_str())
        .map(|s| s.name.clone())
        .unwrap_or_else(|| e.organiser.to_string());
    o.insert(
        "organizer".into(),
        json!({"@type": "Organization", "name": organiser, "url": abs(record_url(e.organiser.as_str()))}),
    );
    if let Some(a) = &e.audience {
        o.insert(
            "audience".into(),
            json!({"@type": "Audience", "audienceType": a}),
        );
    }
    if let Some(n) = e.capacity {
        o.insert("maximumAttendeeCapacity".into(), json!(n));
    }
    if let Some(u) = &e.url {
        o.insert("url".into(), json!(u));
    }
    if !e.commons.is_empty() {
        let about: Vec<Value> = e
            .commons
            .iter()
            .map(|id| {
                let name = c
                    .names
                    .get(id.as_str())
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| id.to_string());
                json!({"@type": "CreativeWork", "name": name, "url": abs(record_url(id.as_str()))})
            })
            .collect();
        o.insert("about".into(), Value::Array(about));
    }
    Value::Object(o)
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&`
/// written as `\u` escapes, so that no `</script>` or `<!--` can end or
/// change the element whatever the text holds.
pub fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).expect("a time")
    }

    #[test]
    fn paris_is_one_hour_ahead_in_winter_and_two_in_summer() {
        assert_eq!(paris_offset(d("2025-01-15"), t(12)), "+01:00");
        // 2025: summer time from 30 March 02:00 to 26 October 03:00.
        assert_eq!(paris_offset(d("2025-03-30"), t(1)), "+01:00");
        assert_eq!(paris_offset(d("2025-03-30"), t(3)), "+02:00");
        assert_eq!(paris_offset(d("2025-07-01"), t(9)), "+02:00");
        assert_eq!(paris_offset(d("2025-10-26"), t(4)), "+01:00");
        assert_eq!(paris_offset(d("2025-12-31"), t(23)), "+01:00");
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script><!-- & >"});
        let s = script_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }
}
