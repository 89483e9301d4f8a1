//! `/soutiens`: what the territory does for its digital commons — the
//! grants by year, by kind of beneficiary and by commons, the calls for
//! projects with the grants that came from them and how many of their
//! beneficiaries were first-timers —, with a year filter and the grants
//! as filtered in SCDL « subventions » CSV (`/soutiens.csv`); and
//! `/soutiens/{id}`, one page per grant or call.
//!
//! A beneficiary is a *first-timer* of a grant when the same giver gave
//! it nothing in an earlier year (every year of the registry counts, not
//! only the one shown).

use super::render;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{query_string, Params};
use crate::state::AppState;
use crate::views::{euros, record_url, Layout, Link};
use archipel_content::Lang;
use archipel_domain::{Action, ActionId, Call, Cents, Grant};
use archipel_store::{ActionQuery, Summary};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SupportParams {
    #[serde(default)]
    pub year: Option<String>,
}

/// The `year` filter: empty or absent for every year, else a year of four
/// digits between 1900 and 2200.
fn year_of(p: &SupportParams) -> Result<Option<i32>, Error> {
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

/// One line of a table of sums.
pub struct SumRow {
    pub label: Link,
    pub grants: String,
    pub total: String,
}

pub struct CallRow {
    pub call: Link,
    pub giver: Link,
    pub grants: String,
    pub total: String,
    pub beneficiaries: String,
    pub first_timers: String,
}

pub struct GrantRow {
    pub date: String,
    pub grant: Link,
    pub beneficiary: Link,
    pub received: String,
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage {
    page: Layout,
    t: Tr,
    year: String,
    years: Vec<String>,
    summary: String,
    by_year: Vec<SumRow>,
    by_kind: Vec<SumRow>,
    by_commons: Vec<SumRow>,
    calls: Vec<CallRow>,
    grants: Vec<GrantRow>,
    /// The key of the grants table's caption.
    grants_caption: &'static str,
    csv_url: String,
}

/// Every action record, and the names of the records they point at.
struct Loaded {
    actions: Vec<Action>,
    names: HashMap<String, Summary>,
}

fn load_all(s: &archipel_store::Store) -> archipel_store::Result<Loaded> {
    let actions = s.actions(&ActionQuery::default())?;
    let mut ids: Vec<&str> = Vec::new();
    for a in &actions {
        ids.extend(a.references().into_iter().map(|(_, id)| id.as_str()));
    }
    ids.sort_unstable();
    ids.dedup();
    let names = s.summaries(&ids)?;
    Ok(Loaded { actions, names })
}

fn entity_link(names: &HashMap<String, Summary>, id: &str, fallback: &str) -> Link {
    match names.get(id) {
        Some(s) => Link::new(record_url(&s.id), s.name.clone()),
        None if fallback.is_empty() => Link::text(id),
        None => Link::text(fallback),
    }
}

pub fn action_url(id: &ActionId) -> String {
    format!("/soutiens/{}", crate::params::encode(id.as_str()))
}

fn year(g: &Grant) -> i32 {
    use chrono::Datelike;
    g.date.year()
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
    let l = state
        .pool
        .read(|s| Ok(load_all(s)?))
        .await
        .map_err(|e| e.in_lang(lang))?;
    let money = |c: Cents| euros(lang, c);
    let n = |x: usize| t.number(x as u64);
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
    let mut years: Vec<i32> = all_grants.iter().map(|g| year(g)).collect();
    years.sort_unstable();
    years.dedup();
    years.reverse();
    let grants: Vec<&Grant> = all_grants
        .iter()
        .copied()
        .filter(|g| filter.is_none_or(|y| year(g) == y))
        .collect();

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
        let href = format!("/soutiens{}", query_string(&[("year", y.clone())]));
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

    // Calls: those with grants shown, and those opened in the year shown.
    let mut calls = Vec::new();
    for a in &l.actions {
        let Action::Call(c) = a else { continue };
        let from: Vec<&&Grant> = grants
            .iter()
            .filter(|g| g.call.as_ref() == Some(&c.id))
            .collect();
        let opened_in = |y: i32| c.opens.is_some_and(|d| chrono::Datelike::year(&d) == y);
        if from.is_empty() && filter.is_some_and(|y| !opened_in(y)) {
            continue;
        }
        let beneficiaries: HashSet<&str> = from.iter().map(|g| g.beneficiary.as_str()).collect();
        let first: HashSet<&str> = from
            .iter()
            .filter(|g| {
                first_year.get(&(g.giver.as_str(), g.beneficiary.as_str())) == Some(&year(g))
            })
            .map(|g| g.beneficiary.as_str())
            .collect();
        calls.push(CallRow {
            call: Link::new(action_url(&c.id), c.name.clone()),
            giver: match &c.giver {
                Some(gid) => entity_link(&l.names, gid.as_str(), &c.giver_name),
                None => Link::text(c.giver_name.clone()),
            },
            grants: n(from.len()),
            total: money(from.iter().map(|g| g.received_cents()).sum()),
            beneficiaries: n(beneficiaries.len()),
            first_timers: n(first.len()),
        });
    }
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
    let title = match filter {
        Some(y) => format!("{} · {y}", t.s("support.title")),
        None => t.s("support.title").to_string(),
    };
    let csv_pairs: Vec<(&'static str, String)> = filter
        .map(|y| vec![("year", y.to_string())])
        .unwrap_or_default();
    let page = SupportPage {
        page: Layout::new(t, &viewer, &title, &super::here(&uri), Some("support")),
        t,
        year: year_s,
        years: years.iter().map(i32::to_string).collect(),
        summary,
        by_year,
        by_kind: sum_rows(by_kind),
        by_commons: sum_rows(by_commons),
        calls,
        grants: rows,
        grants_caption: "support.grants_caption",
        csv_url: format!("/soutiens.csv{}", query_string(&csv_pairs)),
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
    let bytes = state
        .pool
        .read(move |s| {
            let q = ActionQuery {
                kind: Some(archipel_domain::ActionKind::Grant),
                year: filter,
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
            Ok((written.map_err(|e| e.to_string()), out))
        })
        .await
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

/// A labelled field of a grant's or call's page.
pub struct Field {
    pub label: &'static str,
    pub values: Vec<Link>,
}

#[derive(Template)]
#[template(path = "support_item.html")]
struct ItemPage {
    page: Layout,
    t: Tr,
    kind_label: &'static str,
    name: String,
    description: Option<String>,
    fields: Vec<Field>,
    details: Vec<(String, String)>,
    grants: Vec<GrantRow>,
    grants_caption: &'static str,
    is_call: bool,
    id: String,
    source: String,
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
            "no grant or call `{}` here",
            archipel_domain::echo(&raw_id)
        ))
        .in_lang(lang)
    };
    let id = ActionId::parse(&raw_id).map_err(|_| missing())?;
    let lid = id.clone();
    let loaded = state
        .pool
        .read(move |s| {
            let Some(a) = s.action(&lid)? else {
                return Ok(None);
            };
            // A call's grants.
            let grants: Vec<Grant> = match &a {
                Action::Call(_) => s
                    .actions(&ActionQuery {
                        kind: Some(archipel_domain::ActionKind::Grant),
                        ..ActionQuery::default()
                    })?
                    .into_iter()
                    .filter_map(|g| match g {
                        Action::Grant(g) if g.call.as_ref() == Some(&lid) => Some(g),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut ids: Vec<&str> = a
                .references()
                .into_iter()
                .map(|(_, i)| i.as_str())
                .collect();
            ids.extend(grants.iter().map(|g| g.beneficiary.as_str()));
            let names = s.summaries(&ids)?;
            let call_name = match &a {
                Action::Grant(g) => match &g.call {
                    Some(c) => s.action(c)?.map(|c| c.name().to_string()),
                    None => None,
                },
                _ => None,
            };
            Ok(Some((a, grants, names, call_name)))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;
    let Some((a, grants, names, call_name)) = loaded else {
        return Err(missing());
    };
    let mut fields = Vec::new();
    let mut push = |key: &'static str, values: Vec<Link>| {
        fields.push(Field {
            label: t.s(key),
            values,
        })
    };
    let (kind_label, name, description, details) = match &a {
        Action::Grant(g) => {
            grant_fields(t, lang, g, &names, call_name, &mut push);
            (
                t.s("support.kind_grant"),
                g.purpose.clone(),
                None,
                Vec::new(),
            )
        }
        Action::Call(c) => {
            call_fields(t, lang, c, &names, &mut push);
            (
                t.s("support.kind_call"),
                c.name.clone(),
                c.description.clone(),
                c.details
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        // The other kinds' pages are the web's next step (branch h/actweb).
        other => (
            other.kind().as_str(),
            other.name().to_string(),
            None,
            Vec::new(),
        ),
    };
    let rows = grants
        .iter()
        .map(|g| GrantRow {
            date: g.date.to_string(),
            grant: Link::new(action_url(&g.id), g.purpose.clone()),
            beneficiary: entity_link(&names, g.beneficiary.as_str(), &g.beneficiary_name),
            received: euros(lang, g.received_cents()),
        })
        .collect();
    let page = ItemPage {
        page: Layout::new(t, &viewer, &name, &super::here(&uri), Some("support")),
        t,
        kind_label,
        name,
        description,
        fields,
        details,
        grants: rows,
        grants_caption: "support.call_grants_caption",
        is_call: matches!(a, Action::Call(_)),
        id: a.id().to_string(),
        source: crate::views::source_name(&a.provenance().source, lang),
    };
    render(&page)
}

fn grant_fields(
    t: Tr,
    lang: Lang,
    g: &Grant,
    names: &HashMap<String, Summary>,
    call_name: Option<String>,
    push: &mut impl FnMut(&'static str, Vec<Link>),
) {
    let text = |s: &str| vec![Link::text(s)];
    let opt = |s: &Option<String>| s.as_deref().map(|s| vec![Link::text(s)]);
    let yes_no = |b: bool| {
        text(if b {
            t.s("support.yes")
        } else {
            t.s("support.no")
        })
    };
    push(
        "support.giver",
        vec![entity_link(names, g.giver.as_str(), &g.giver_name)],
    );
    push("support.giver_siret", text(&g.giver_siret));
    push("support.date", text(&g.date.to_string()));
    if let Some(v) = opt(&g.decision_reference) {
        push("support.decision", v);
    }
    push(
        "support.beneficiary",
        vec![entity_link(
            names,
            g.beneficiary.as_str(),
            &g.beneficiary_name,
        )],
    );
    if let Some(v) = opt(&g.beneficiary_siret) {
        push("support.beneficiary_siret", v);
    }
    if let Some(v) = opt(&g.beneficiary_rna) {
        push("support.beneficiary_rna", v);
    }
    push("support.amount", text(&euros(lang, g.amount_cents)));
    push("support.share", text(g.share.as_str()));
    push("support.received", text(&euros(lang, g.received_cents())));
    push("support.nature", text(&g.nature));
    push("support.payment_terms", text(&g.payment_terms));
    let period = match g.payment_until {
        Some(u) => format!("{} → {u}", g.payment_from),
        None => g.payment_from.to_string(),
    };
    push("support.payment", text(&period));
    if let Some(v) = opt(&g.rae_id) {
        push("support.rae", v);
    }
    push("support.eu_notified", yes_no(g.eu_notified));
    if let Some(v) = opt(&g.scheme) {
        push("support.scheme", v);
    }
    if let Some(c) = &g.call {
        push(
            "support.call",
            vec![Link::new(
                action_url(c),
                call_name.unwrap_or_else(|| c.to_string()),
            )],
        );
    }
    if !g.commons.is_empty() {
        push(
            "support.commons",
            g.commons
                .iter()
                .map(|c| entity_link(names, c.as_str(), ""))
                .collect(),
        );
    }
    if let Some(tr) = &g.territory {
        push(
            "support.territory",
            vec![entity_link(names, tr.as_str(), "")],
        );
    }
}

fn call_fields(
    t: Tr,
    lang: Lang,
    c: &Call,
    names: &HashMap<String, Summary>,
    push: &mut impl FnMut(&'static str, Vec<Link>),
) {
    let text = |s: &str| vec![Link::text(s)];
    let day = |d: &Option<chrono::NaiveDate>| d.map(|d| vec![Link::text(d.to_string())]);
    let yes_no = |b: bool| {
        text(if b {
            t.s("support.yes")
        } else {
            t.s("support.no")
        })
    };
    push(
        "support.giver",
        vec![match &c.giver {
            Some(g) => entity_link(names, g.as_str(), &c.giver_name),
            None => Link::text(c.giver_name.clone()),
        }],
    );
    push("support.giver_siren", text(&c.giver_siren));
    if !c.eligible.is_empty() {
        push(
            "support.eligible",
            c.eligible.iter().map(|e| Link::text(e.clone())).collect(),
        );
    }
    if let Some(e) = &c.eligibility {
        push("support.eligibility", text(e));
    }
    if let Some(b) = c.budget_cents {
        push("support.budget", text(&euros(lang, b)));
    }
    if let Some(v) = day(&c.opens) {
        push("support.opens", v);
    }
    if let Some(v) = day(&c.closes) {
        push("support.closes", v);
    }
    push(
        "support.call_type",
        text(if c.call_for_projects {
            t.s("support.aap")
        } else {
            t.s("support.ami")
        }),
    );
    push("support.non_competitive", yes_no(c.non_competitive));
    if let Some(u) = &c.url {
        push("support.url", vec![Link::new(u.clone(), u.clone())]);
    }
    if let Some(tr) = &c.territory {
        push(
            "support.territory",
            vec![entity_link(names, tr.as_str(), "")],
        );
    }
}
