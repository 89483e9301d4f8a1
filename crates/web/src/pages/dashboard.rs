//! `/territories/{id}/tableau-de-bord`: a territory's dashboard — its
//! figures (those of `archipel stats --territory`, per 10,000 inhabitants
//! when its population is known), their evolution year by year as SVG
//! charts with their tables, the network of the territory and everything
//! below it (`archipel-network`: islands, bridges, articulation points,
//! key people, the circle of regulars, diversity) drawn on the server
//! with its key people and bridges listed as links, and the support
//! figures; and `/territories/{id}/tableau-de-bord/{figure}.csv|json`,
//! every figure as a download (CSV cells neutralised for spreadsheets).
//!
//! The figures of a territory are computed once per change of the
//! registry (and day) and kept ([`crate::cache::Cache::figure_of`]); the
//! page and the downloads read them from there.

use super::render;
use crate::charts::{self, Bar, BarChart, Figure, LineChart, Series};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::netdraw::{self, DrawEdge, DrawNode, Drawing};
use crate::params::{encode, Params};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{isolate, kind_label, record_url, Layout, Link};
use archipel_content::{Content, Lang};
use archipel_domain::{Entity, EntityId, EntityKind};
use archipel_network::Network;
use archipel_store::{ScopeStats, Store};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Years a dashboard's series covers (the last one ends today).
pub const SERIES_YEARS: i32 = 12;
/// Most items a list of the page shows (the downloads have them all).
const LISTED: usize = 30;

/// One point of a series: the figures on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub at: NaiveDate,
    pub stats: ScopeStats,
}

/// Everything a territory's dashboard shows, computed once per change.
#[derive(Debug, Clone)]
pub struct Figures {
    pub id: EntityId,
    pub name: String,
    /// The key `stats --territory` takes (its code, or its id).
    pub key: String,
    pub level: String,
    pub population: Option<u64>,
    pub day: NaiveDate,
    pub stats: ScopeStats,
    /// Year ends, oldest first, the last one today.
    pub series: Vec<Point>,
    pub network: Network,
}

/// The figures of territory `id` on `day`, or `None` when there is no
/// such territory.
pub fn compute(
    s: &Store,
    content: &Content,
    id: &EntityId,
    day: NaiveDate,
) -> Result<Option<Figures>, Error> {
    let Some(Entity::Territory(t)) = s.get(id)? else {
        return Ok(None);
    };
    let q = archipel_pitch::scope_query(content.pitch(), id, None);
    // The network (most of the work, its betweenness on every core) is
    // computed on a connection of its own while this one reads the
    // figures and their series.
    let path = s.path().to_path_buf();
    let (network, figures) = std::thread::scope(|scope| {
        let network = scope.spawn(|| -> Result<Option<Network>, Error> {
            let own = Store::open_read_only(&path)?;
            archipel_network::run(
                &own,
                content,
                id,
                day,
                &archipel_network::Options::default(),
            )
            .map_err(|e| Error::internal_from(&e))
        });
        let figures = s
            .scope_stats(&q)
            .map_err(Error::from)
            .and_then(|stats| match stats {
                Some(stats) => Ok(Some((stats, series_of(&s.timeline()?, &q, day)))),
                None => Ok(None),
            });
        let network = network
            .join()
            .unwrap_or_else(|_| Err(Error::internal("the network's computation failed")));
        (network, figures)
    });
    let Some((stats, series)) = figures? else {
        return Ok(None);
    };
    let network = network?.ok_or_else(|| Error::not_found(format!("no territory `{id}`")))?;
    Ok(Some(Figures {
        id: id.clone(),
        name: t.name.clone(),
        key: territory_key(s, &t)?,
        level: t.level.to_string(),
        population: t.population.filter(|p| *p > 0),
        day,
        stats,
        series,
        network,
    }))
}

/// The figures of territory `id` as the registry was on `day`, a past
/// day (`Store::timeline`, the rule of `archipel stats --at`): its
/// figures, series and network all from the registry at their dates, its
/// population of that day; `None` when the territory did not count then.
pub fn compute_at(
    s: &Store,
    content: &Content,
    id: &EntityId,
    day: NaiveDate,
) -> Result<Option<Figures>, Error> {
    let Some(Entity::Territory(t)) = s.get(id)? else {
        return Ok(None);
    };
    let q = archipel_pitch::scope_query(content.pitch(), id, None);
    let timeline = s.timeline()?;
    let registry = timeline.at(day);
    let Some(stats) = registry.scope_stats(&q) else {
        return Ok(None);
    };
    let network = archipel_network::run_on(
        &registry,
        content,
        id,
        &archipel_network::Options::default(),
    )
    .map_err(|e| Error::internal_from(&e))?
    .ok_or_else(|| Error::not_found(format!("no territory `{id}` on {day}")))?;
    let population = registry.entity(id.as_str()).and_then(|e| e.population);
    let series = series_of(&timeline, &q, day);
    Ok(Some(Figures {
        id: id.clone(),
        name: stats.territory.name.clone(),
        key: territory_key(s, &t)?,
        level: t.level.to_string(),
        population: population.filter(|p| *p > 0),
        day,
        stats,
        series,
        network,
    }))
}

/// The key `stats --territory` takes for `t`: its code, `level:code` when
/// another territory has the same code, its id when it has none.
fn territory_key(s: &Store, t: &archipel_domain::Territory) -> Result<String, Error> {
    Ok(if t.code.is_empty() {
        t.id.to_string()
    } else if s.find_territories(&t.code)?.len() > 1 {
        format!("{}:{}", t.level, t.code)
    } else {
        t.code.clone()
    })
}

/// The year ends of the last [`SERIES_YEARS`] years, the last one `day`.
pub fn series_days(day: NaiveDate) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = ((day.year() - SERIES_YEARS + 1)..day.year())
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 12, 31))
        .collect();
    out.push(day);
    out
}

/// The figures at each of [`series_days`], from the registry at those
/// days (the same rule as `archipel stats --at`).
fn series_of(
    timeline: &archipel_store::Timeline,
    q: &archipel_store::ScopeQuery,
    day: NaiveDate,
) -> Vec<Point> {
    let mut out: Vec<Point> = series_days(day)
        .into_iter()
        .filter_map(|at| {
            timeline
                .at(at)
                .scope_stats(q)
                .map(|stats| Point { at, stats })
        })
        .collect();
    // Years before anything was recorded are left out.
    let empty = |p: &Point| p.stats.actors == 0 && p.stats.places == 0 && p.stats.relations == 0;
    let first = out.iter().position(|p| !empty(p)).unwrap_or(out.len());
    out.drain(..first.min(out.len().saturating_sub(1)));
    out
}

/// The figures of `id` now, from the cache when the registry has not
/// changed since they were computed.
pub fn figures_of(
    state: &AppState,
    s: &Store,
    id: &EntityId,
) -> Result<Option<Arc<Figures>>, Error> {
    figures_on(state, s, id, None)
}

/// The figures of `id` on a past day `at` ([`compute_at`]), or now when
/// `at` is `None` or not before today; kept as [`figures_of`] keeps them.
pub fn figures_on(
    state: &AppState,
    s: &Store,
    id: &EntityId,
    at: Option<NaiveDate>,
) -> Result<Option<Arc<Figures>>, Error> {
    let today = state.config.sign_in.clock.now().date_naive();
    let past = at.filter(|d| *d < today);
    let day = past.unwrap_or(today);
    let rev = state.cache.revision();
    let key = match past {
        Some(_) => format!("{id}@{day}@asof"),
        None => format!("{id}@{day}"),
    };
    let content = state.content.clone();
    let found = state.cache.figure_of("dashboard", &key, &rev, || {
        let f = match past {
            Some(_) => compute_at(s, &content, id, day)?,
            None => compute(s, &content, id, day)?,
        };
        f.ok_or(Failed::Missing)
    });
    match found {
        Ok(f) => Ok(Some(f)),
        Err(Failed::Missing) => Ok(None),
        Err(Failed::Error(e)) => Err(e),
    }
}

/// The network of territory `id` on `day` (`archipel_network::run`, as the
/// dashboard computes it), kept until the registry changes; `None` when
/// there is no such territory. The argument sheets quote its figures.
pub fn network_of(
    state: &AppState,
    s: &Store,
    id: &EntityId,
    day: NaiveDate,
) -> Result<Option<Arc<Network>>, Error> {
    let rev = state.cache.revision();
    let key = format!("{id}@{day}");
    let content = state.content.clone();
    let found = state.cache.figure_of("network", &key, &rev, || {
        archipel_network::run(s, &content, id, day, &archipel_network::Options::default())
            .map_err(|e| Failed::Error(Error::internal_from(&e)))?
            .ok_or(Failed::Missing)
    });
    match found {
        Ok(n) => Ok(Some(n)),
        Err(Failed::Missing) => Ok(None),
        Err(Failed::Error(e)) => Err(e),
    }
}

/// Why [`figures_of`] has nothing: no such territory, or an error.
enum Failed {
    Missing,
    Error(Error),
}
impl From<Error> for Failed {
    fn from(e: Error) -> Failed {
        Failed::Error(e)
    }
}

/// `n` per 10,000 inhabitants, one decimal.
pub fn per_10k(n: f64, population: Option<u64>) -> Option<f64> {
    let p = population.filter(|p| *p > 0)? as f64;
    Some((n * 10_000.0 / p * 10.0).round() / 10.0)
}

/// A row of the figures table: its key (as in the downloads), label,
/// value, and value per 10,000 inhabitants when it is a count and the
/// population is known.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    pub key: String,
    pub label: String,
    pub value: f64,
    pub per_10k: Option<f64>,
}

/// The counts of `stats` (and the network's headline figures) as rows,
/// in the order pages and downloads show them; zero support figures are
/// left out.
pub fn figure_rows(
    content: &Content,
    t: Tr,
    stats: &ScopeStats,
    net: Option<&Network>,
    population: Option<u64>,
) -> Vec<FigureRow> {
    let mut rows = Vec::new();
    let mut count = |key: String, label: String, v: u64| {
        rows.push(FigureRow {
            key,
            label,
            value: v as f64,
            per_10k: per_10k(v as f64, population),
        });
    };
    count("actors".into(), t.s("kinds.actor").into(), stats.actors);
    count("places".into(), t.s("kinds.place").into(), stats.places);
    count(
        "relations".into(),
        t.s("kinds.relation").into(),
        stats.relations,
    );
    for c in &stats.actor_kinds {
        let label = if c.key == "unset" {
            t.s("dash.kind_unset").to_string()
        } else {
            content.label("actor_kinds", &c.key, t.lang)
        };
        count(
            format!("actor_kinds.{}", c.key),
            format!("{} · {label}", t.s("kinds.actor")),
            c.count,
        );
    }
    let f = &stats.support;
    for (key, label, v) in [
        ("support.grants", "dash.grants", f.grants),
        (
            "support.commons_grants",
            "dash.commons_grants",
            f.commons_grants,
        ),
        ("support.calls", "dash.calls", f.calls),
        (
            "support.non_competitive_calls",
            "dash.non_competitive_calls",
            f.non_competitive_calls,
        ),
    ] {
        if v > 0 {
            count(key.into(), t.s(label).into(), v);
        }
    }
    if f.granted_cents > 0 {
        let euros = (f.granted_cents as f64 / 100.0).round();
        count(
            "support.granted_euros".into(),
            t.s("dash.granted_euros").into(),
            euros as u64,
        );
    }
    if let Some(n) = net {
        let c = &n.counts;
        for (key, label, v) in [
            ("network.components", "dash.components", c.components),
            (
                "network.isolated_actors",
                "dash.isolated_actors",
                n.isolated_actors.len(),
            ),
            (
                "network.articulation_points",
                "dash.articulation_points",
                n.articulation_points.len(),
            ),
            ("network.bridges", "dash.bridges", n.bridges.len()),
        ] {
            // Shapes of the network, not amounts: none per inhabitant.
            rows.push(FigureRow {
                key: key.into(),
                label: t.s(label).into(),
                value: v as f64,
                per_10k: None,
            });
        }
        let mut share = |key: &str, label: &'static str, v: Option<f64>| {
            if let Some(v) = v {
                rows.push(FigureRow {
                    key: key.into(),
                    label: t.s(label).into(),
                    value: (v * 1000.0).round() / 1000.0,
                    per_10k: None,
                });
            }
        };
        let r = &n.regulars;
        share("network.max_core", "dash.max_core", Some(r.max_core as f64));
        share(
            "network.core_relations_share",
            "dash.core_relations_share",
            Some(r.relations_within_share),
        );
        if let Some(g) = &r.grants {
            share(
                "network.core_grants_share",
                "dash.core_grants_share",
                Some(g.share),
            );
            share(
                "network.core_granted_share",
                "dash.core_granted_share",
                g.cents_share,
            );
        }
        if let Some(e) = &r.events {
            share(
                "network.core_events_share",
                "dash.core_events_share",
                Some(e.share),
            );
            share(
                "network.core_attendees_share",
                "dash.core_attendees_share",
                e.attendees_share,
            );
        }
        share("network.gini", "dash.gini", r.gini);
        share("network.hhi", "dash.hhi", r.hhi);
        share(
            "network.kind_diversity",
            "dash.kind_diversity",
            n.diversity.kind_diversity,
        );
        share(
            "network.on_territory_share",
            "dash.on_territory_share",
            n.diversity.on_territory_share,
        );
    }
    rows
}

/// A node of the network as a link (its record's page), named.
fn node_link(n: &Network, id: &str) -> Link {
    let name = n
        .nodes
        .binary_search_by(|x| x.id.as_str().cmp(id))
        .ok()
        .map(|i| n.nodes[i].name.clone())
        .unwrap_or_else(|| id.to_string());
    Link::new(record_url(id), name)
}

/// The network drawn: key nodes are the articulation points and the key
/// people.
pub fn drawing(t: Tr, n: &Network, title: &str) -> Drawing {
    let keys: std::collections::HashSet<&str> = n
        .articulation_points
        .iter()
        .map(String::as_str)
        .chain(n.key_people.iter().map(|k| k.id.as_str()))
        .collect();
    let index: std::collections::HashMap<&str, usize> = n
        .nodes
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    let nodes: Vec<DrawNode> = n
        .nodes
        .iter()
        .map(|x| DrawNode {
            id: x.id.clone(),
            name: x.name.clone(),
            kind: x.kind.to_string(),
            href: record_url(&x.id),
            key: keys.contains(x.id.as_str()),
            betweenness: n.betweenness.get(&x.id).copied().unwrap_or(0.0),
            degree: n.degree.get(&x.id).copied().unwrap_or(0),
        })
        .collect();
    let bridges: std::collections::HashSet<(&str, &str)> = n
        .bridges
        .iter()
        .map(|[a, b]| (a.as_str(), b.as_str()))
        .collect();
    let edges: Vec<DrawEdge> = n
        .edges
        .iter()
        .filter_map(|e| {
            let (a, b) = (
                *index.get(e.source.as_str())?,
                *index.get(e.target.as_str())?,
            );
            let (x, y) = if e.source <= e.target {
                (e.source.as_str(), e.target.as_str())
            } else {
                (e.target.as_str(), e.source.as_str())
            };
            Some(DrawEdge {
                a,
                b,
                bridge: bridges.contains(&(x, y)),
            })
        })
        .collect();
    netdraw::draw(&nodes, &edges, title, |k| kind_label(t, k).to_string())
}

pub struct KeyRow {
    pub link: Link,
    pub kind: String,
    pub betweenness: String,
    pub degree: String,
}

pub struct SplitRow {
    pub link: Link,
    pub pieces: String,
}

pub struct ComponentRow {
    pub rank: String,
    pub size: String,
    pub actors: String,
    pub places: String,
    pub commons: String,
    pub kinds: String,
}

pub struct Download {
    pub label: &'static str,
    /// Empty when the figure has no CSV form (the whole network).
    pub csv: String,
    pub json: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Layout,
    t: Tr,
    name: String,
    territory_url: String,
    compare_url: String,
    /// The dashboard's own path (the date form's action).
    url: String,
    /// The past day shown, empty for today.
    au: String,
    today: String,
    lead: String,
    figures: Vec<FigureRow>,
    per_10k: bool,
    evolution: Vec<(String, Figure)>,
    drawing: Drawing,
    net_summary: String,
    dependence: Option<String>,
    key_people: Vec<KeyRow>,
    splits: Vec<SplitRow>,
    more_splits: usize,
    bridges: Vec<(Link, Link)>,
    more_bridges: usize,
    components: Vec<ComponentRow>,
    more_components: usize,
    charts: Vec<(String, Figure)>,
    method: String,
    downloads: Vec<Download>,
}

impl DashboardPage {
    fn num(&self, v: &f64) -> String {
        charts::number(self.t.lang, *v)
    }
    fn count(&self, n: &usize) -> String {
        self.t.number(*n as u64)
    }
}

/// The dashboard's path for a territory id.
pub fn url(id: &str) -> String {
    format!("/territories/{}/tableau-de-bord", encode(id))
}

/// The territory a dashboard path names; 404 for another kind or an id
/// that is not one.
fn territory_id(seg: &str, raw: &str, lang: Lang) -> Result<EntityId, Error> {
    let (kind, id) = super::records::record_path(seg, raw, lang)?;
    if kind != EntityKind::Territory {
        return Err(Error::not_found(format!("no dashboard for `{raw}`")).in_lang(lang));
    }
    Ok(id)
}

/// The dashboard's parameters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DashParams {
    /// A past day, `YYYY-MM-DD`: the dashboard as the registry was then.
    #[serde(default)]
    pub au: Option<String>,
}

/// Longest `au` value echoed back in an error.
const MAX_DAY_SHOWN: usize = 40;

/// The `au` parameter: empty or absent for today; else a day
/// `YYYY-MM-DD` from 1900 on and no later than `today` (today itself is
/// today's dashboard). Anything else is a 400 that says what is expected.
pub fn day_of(t: Tr, p: &DashParams, today: NaiveDate) -> Result<Option<NaiveDate>, Error> {
    let Some(v) = p.au.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let day = (v.len() == 10)
        .then(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| d.year() >= 1900 && *d <= today);
    match day {
        Some(d) if d == today => Ok(None),
        Some(d) => Ok(Some(d)),
        None => {
            let shown: String = v.chars().take(MAX_DAY_SHOWN).collect();
            Err(Error::bad_request(
                t.s("dash.bad_day")
                    .replace("{value}", &archipel_domain::echo(&shown))
                    .replace("{today}", &today.to_string()),
            )
            .in_lang(t.lang))
        }
    }
}

async fn load(
    state: &AppState,
    id: EntityId,
    at: Option<NaiveDate>,
    lang: Lang,
) -> Result<Arc<Figures>, Error> {
    let st = state.clone();
    let lid = id.clone();
    state
        .pool
        .read(move |s| figures_on(&st, s, &lid, at))
        .await
        .map_err(|e| e.in_lang(lang))?
        .ok_or_else(|| {
            let message = match at {
                Some(d) => format!("territory `{id}` is not in the registry on {d}"),
                None => format!("no territory `{id}`"),
            };
            Error::not_found(message).in_lang(lang)
        })
}

/// Numbers with up to three decimals in the page's language.
fn num(lang: Lang, v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        return charts::number(lang, v);
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').to_string();
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

type Pick = fn(&ScopeStats) -> u64;

/// The evolution charts of a series (one territory, or two side by side:
/// `other`).
pub fn evolution(t: Tr, series: &[(&str, &[Point])], id_prefix: &str) -> Vec<(String, Figure)> {
    // The days of every series, in order; a series without a day has no
    // value there (a territory that did not exist yet).
    let mut days: Vec<NaiveDate> = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.at))
        .collect();
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Vec::new();
    }
    let periods: Vec<String> = days.iter().map(NaiveDate::to_string).collect();
    let values = |points: &[Point], pick: Pick| -> Vec<Option<f64>> {
        days.iter()
            .map(|d| {
                points
                    .iter()
                    .find(|p| p.at == *d)
                    .map(|p| pick(&p.stats) as f64)
            })
            .collect()
    };
    let mut out = Vec::new();
    let charts: [(&'static str, Vec<(&'static str, Pick)>); 3] = [
        (
            "dash.chart_actors_places",
            vec![("kinds.actor", |s| s.actors), ("kinds.place", |s| s.places)],
        ),
        (
            "dash.chart_relations",
            vec![("kinds.relation", |s| s.relations)],
        ),
        (
            "dash.chart_grants",
            vec![("dash.grants", |s| s.support.grants)],
        ),
    ];
    for (i, (title, picks)) in charts.iter().enumerate() {
        let mut lines = Vec::new();
        if series.len() == 1 {
            for (label, pick) in picks {
                lines.push(Series {
                    name: t.s(label).to_string(),
                    values: values(series[0].1, *pick),
                });
            }
        } else {
            // Two territories: the first figure of the chart for each.
            let (_, pick) = picks[0];
            for (name, points) in series.iter().take(2) {
                lines.push(Series {
                    name: isolate(name),
                    values: values(points, pick),
                });
            }
        }
        if lines
            .iter()
            .all(|l| l.values.iter().all(|v| v.unwrap_or(0.0) == 0.0))
        {
            continue;
        }
        let title = if series.len() == 1 {
            t.s(title).to_string()
        } else {
            t.s(picks[0].0).to_string()
        };
        let c = LineChart {
            title: title.clone(),
            periods: periods.clone(),
            series: lines,
        };
        out.push((
            format!("{id_prefix}-{i}"),
            charts::line(&c, &format!("{id_prefix}-{i}"), t.s("dash.at_col"), t.lang),
        ));
    }
    out
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw)): Path<(String, String)>,
    uri: Uri,
    Params(p): Params<DashParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let id = territory_id(&seg, &raw, lang)?;
    let today = state.config.sign_in.clock.now().date_naive();
    let at = day_of(t, &p, today)?;
    let f = load(&state, id, at, lang).await?;
    let n = &f.network;
    let figures = figure_rows(&state.content, t, &f.stats, Some(n), f.population);
    let level = state.content.label("territory_levels", &f.level, lang);
    let mut lead = format!("{level} · {} {}", t.s("dash.on_day"), f.day);
    if at.is_some() {
        lead.push_str(&format!(" · {}", t.s("dash.past_rule")));
    }
    if let Some(p) = f.population {
        lead.push_str(&format!(" · {} {}", t.number(p), t.s("dash.inhabitants")));
    }
    let title = format!("{} · {}", t.s("dash.title"), isolate(&f.name));
    let drawing = drawing(
        t,
        n,
        &format!("{} {}", t.s("dash.network_of"), isolate(&f.name)),
    );
    let c = &n.counts;
    let net_summary = format!(
        "{} · {} · {} · {}",
        t.count(c.nodes as u64, "dash.node", "dash.nodes"),
        t.count(c.edges as u64, "dash.edge", "dash.edges"),
        t.count(c.components as u64, "dash.component", "dash.components_n"),
        t.count(
            n.isolated_actors.len() as u64,
            "dash.isolated_one",
            "dash.isolated_many"
        ),
    );
    let dependence = n.dependence.as_ref().map(|d| {
        format!(
            "{} {} : {} % {} · {} % {}",
            t.s("dash.dependence_on"),
            isolate(&d.name),
            num(lang, (d.relations_share * 1000.0).round() / 10.0),
            t.s("dash.of_relations"),
            num(lang, (d.shortest_paths_share * 1000.0).round() / 10.0),
            t.s("dash.of_paths"),
        )
        .replace(" : ", if lang == Lang::Fr { "\u{a0}: " } else { ": " })
        .replace(" %", if lang == Lang::Fr { "\u{a0}%" } else { "%" })
    });
    let key_people = n
        .key_people
        .iter()
        .map(|k| KeyRow {
            link: Link::new(record_url(&k.id), k.name.clone()),
            kind: k
                .subkind
                .as_deref()
                .map(|s| state.content.label("actor_kinds", s, lang))
                .unwrap_or_default(),
            betweenness: num(lang, (k.betweenness * 1000.0).round() / 1000.0),
            degree: t.number(k.degree as u64),
        })
        .collect();
    let splits = n
        .splits
        .iter()
        .take(LISTED)
        .map(|s| SplitRow {
            link: Link::new(record_url(&s.id), s.name.clone()),
            pieces: s
                .pieces
                .iter()
                .map(|p| t.number(*p as u64))
                .collect::<Vec<_>>()
                .join(" + "),
        })
        .collect();
    let bridges = n
        .bridges
        .iter()
        .take(LISTED)
        .map(|[a, b]| (node_link(n, a), node_link(n, b)))
        .collect();
    let components = n
        .components
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, c)| ComponentRow {
            rank: t.number(i as u64 + 1),
            size: t.number(c.size as u64),
            actors: t.number(c.actors as u64),
            places: t.number(c.places as u64),
            commons: t.number(c.commons as u64),
            kinds: c
                .actor_kinds
                .iter()
                .map(|(k, v)| {
                    let label = if k == "unset" {
                        t.s("dash.kind_unset").to_string()
                    } else {
                        state.content.label("actor_kinds", k, lang)
                    };
                    format!("{label} ({})", t.number(*v as u64))
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let mut charts_out = Vec::new();
    let kinds: Vec<Bar> = f
        .stats
        .actor_kinds
        .iter()
        .map(|c| Bar {
            label: if c.key == "unset" {
                t.s("dash.kind_unset").to_string()
            } else {
                state.content.label("actor_kinds", &c.key, lang)
            },
            value: c.count as f64,
        })
        .collect();
    if !kinds.is_empty() {
        charts_out.push((
            "dash-kinds".to_string(),
            charts::bars(
                &BarChart {
                    title: t.s("dash.chart_kinds").into(),
                    bars: kinds,
                },
                "dash-kinds",
                t.s("dash.kind_col"),
                t.s("kinds.actor"),
                lang,
            ),
        ));
    }
    if !n.newcomers.is_empty() {
        charts_out.push((
            "dash-newcomers".to_string(),
            charts::bars(
                &BarChart {
                    title: t.s("dash.chart_newcomers").into(),
                    bars: n
                        .newcomers
                        .iter()
                        .map(|x| Bar {
                            label: x.year.to_string(),
                            value: x.actors as f64,
                        })
                        .collect(),
                },
                "dash-newcomers",
                t.s("dash.year_col"),
                t.s("dash.newcomers_col"),
                lang,
            ),
        ));
    }
    let m = &n.betweenness_method;
    let method = if m.method == "exact" {
        t.s("dash.betweenness_exact").to_string()
    } else {
        format!(
            "{} ({} {}, ± {} {} {} %)",
            t.s("dash.betweenness_sampled"),
            t.number(m.sources as u64),
            t.s("dash.sources"),
            num(lang, (m.error_bound * 1e4).round() / 1e4),
            t.s("dash.confidence"),
            num(lang, (m.confidence * 100.0).round())
        )
    };
    let base = url(f.id.as_str());
    let query = match at {
        Some(d) => crate::params::query_string(&[("au", d.to_string())]),
        None => String::new(),
    };
    let downloads = DOWNLOADS
        .iter()
        .map(|(name, label)| Download {
            label: t.s(label),
            csv: if *name == "reseau" {
                String::new()
            } else {
                format!("{base}/{name}.csv{query}")
            },
            json: format!("{base}/{name}.json{query}"),
        })
        .collect();
    let page = DashboardPage {
        page: Layout::new(t, &viewer, &title, &super::here(&uri), Some("territories")),
        t,
        name: f.name.clone(),
        territory_url: record_url(f.id.as_str()),
        compare_url: format!(
            "/comparer{}",
            crate::params::query_string(&[("a", f.key.clone())])
        ),
        url: base.clone(),
        au: at.map(|d| d.to_string()).unwrap_or_default(),
        today: today.to_string(),
        lead,
        per_10k: f.population.is_some(),
        figures,
        evolution: evolution(t, &[(f.name.as_str(), &f.series)], "dash-evo"),
        drawing,
        net_summary,
        dependence,
        key_people,
        splits,
        more_splits: n.splits.len().saturating_sub(LISTED),
        bridges,
        more_bridges: n.bridges.len().saturating_sub(LISTED),
        components,
        more_components: n.components.len().saturating_sub(LISTED),
        charts: charts_out,
        method,
        downloads,
    };
    render(&page)
}

/// The downloads: file name (without extension) and label key.
const DOWNLOADS: &[(&str, &str)] = &[
    ("chiffres", "dash.dl_figures"),
    ("series", "dash.dl_series"),
    ("reseau", "dash.dl_network"),
    ("noeuds", "dash.dl_nodes"),
    ("liens", "dash.dl_edges"),
    ("composantes", "dash.dl_components"),
    ("personnes-cles", "dash.dl_key_people"),
    ("nouveaux-venus", "dash.dl_newcomers"),
];

/// CSV of `rows` under `head`, cells neutralised for spreadsheets.
fn csv_of(head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::internal(format!("writing CSV: {e}"));
    w.write_record(head).map_err(fail)?;
    for r in rows {
        w.write_record(
            r.iter()
                .map(|c| archipel_formats::spreadsheet::neutralise(c).into_owned()),
        )
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::internal(format!("writing CSV: {e}")))
}

fn json_of(v: &impl Serialize) -> Result<Vec<u8>, Error> {
    let mut out =
        serde_json::to_vec_pretty(v).map_err(|e| Error::internal(format!("writing JSON: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// A number for a download: whole numbers without decimals, others as
/// JSON writes them (the shortest form that reads back the same).
fn f64s(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        serde_json::to_string(&v).unwrap_or_default()
    }
}

/// The bytes of one download of `f`.
pub fn download(
    content: &Content,
    t: Tr,
    f: &Figures,
    name: &str,
    csv: bool,
) -> Result<Option<Vec<u8>>, Error> {
    let n = &f.network;
    let out = match (name, csv) {
        ("chiffres", false) => json_of(&f.stats)?,
        ("chiffres", true) => csv_of(
            &["key", "label", "value", "per_10000"],
            figure_rows(content, t, &f.stats, Some(n), f.population)
                .into_iter()
                .map(|r| {
                    vec![
                        r.key,
                        r.label,
                        f64s(r.value),
                        r.per_10k.map(f64s).unwrap_or_default(),
                    ]
                }),
        )?,
        ("series", false) => json_of(&f.series)?,
        ("series", true) => {
            let mut keys: Vec<String> = Vec::new();
            let rows: Vec<Vec<(String, f64)>> = f
                .series
                .iter()
                .map(|p| {
                    figure_rows(content, t, &p.stats, None, None)
                        .into_iter()
                        .map(|r| (r.key, r.value))
                        .collect()
                })
                .collect();
            for r in &rows {
                for (k, _) in r {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
            let mut head = vec!["at"];
            head.extend(keys.iter().map(String::as_str));
            csv_of(
                &head,
                f.series.iter().zip(&rows).map(|(p, r)| {
                    let mut line = vec![p.at.to_string()];
                    line.extend(keys.iter().map(|k| {
                        r.iter()
                            .find(|(x, _)| x == k)
                            .map(|(_, v)| f64s(*v))
                            .unwrap_or_else(|| "0".into())
                    }));
                    line
                }),
            )?
        }
        ("reseau", false) => json_of(n)?,
        ("reseau", true) => return Ok(None),
        ("noeuds", false) => json_of(&n.nodes)?,
        ("noeuds", true) => csv_of(
            &[
                "id",
                "name",
                "type",
                "subkind",
                "component",
                "degree",
                "betweenness",
                "core_number",
                "on_territory",
            ],
            n.nodes.iter().map(|x| {
                vec![
                    x.id.clone(),
                    x.name.clone(),
                    x.kind.to_string(),
                    x.subkind.clone().unwrap_or_default(),
                    x.component.to_string(),
                    n.degree.get(&x.id).copied().unwrap_or(0).to_string(),
                    f64s(n.betweenness.get(&x.id).copied().unwrap_or(0.0)),
                    n.core_number.get(&x.id).copied().unwrap_or(0).to_string(),
                    x.on_territory.to_string(),
                ]
            }),
        )?,
        ("liens", false) => json_of(&n.edges)?,
        ("liens", true) => csv_of(
            &["source", "target", "relations", "weight", "bridge"],
            n.edges.iter().map(|e| {
                let (a, b) = if e.source <= e.target {
                    (&e.source, &e.target)
                } else {
                    (&e.target, &e.source)
                };
                let bridge = n.bridges.iter().any(|[x, y]| x == a && y == b);
                vec![
                    e.source.clone(),
                    e.target.clone(),
                    e.relations
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    f64s(e.weight),
                    bridge.to_string(),
                ]
            }),
        )?,
        ("composantes", false) => json_of(&n.components)?,
        ("composantes", true) => csv_of(
            &[
                "component",
                "size",
                "actors",
                "places",
                "commons",
                "actor_kinds",
                "kind_diversity",
            ],
            n.components.iter().enumerate().map(|(i, c)| {
                vec![
                    i.to_string(),
                    c.size.to_string(),
                    c.actors.to_string(),
                    c.places.to_string(),
                    c.commons.to_string(),
                    c.actor_kinds
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    c.kind_diversity.map(f64s).unwrap_or_default(),
                ]
            }),
        )?,
        ("personnes-cles", false) => json_of(&n.key_people)?,
        ("personnes-cles", true) => csv_of(
            &["id", "name", "subkind", "person", "betweenness", "degree"],
            n.key_people.iter().map(|k| {
                vec![
                    k.id.clone(),
                    k.name.clone(),
                    k.subkind.clone().unwrap_or_default(),
                    k.person.to_string(),
                    f64s(k.betweenness),
                    k.degree.to_string(),
                ]
            }),
        )?,
        ("nouveaux-venus", false) => json_of(&n.newcomers)?,
        ("nouveaux-venus", true) => csv_of(
            &["year", "actors"],
            n.newcomers
                .iter()
                .map(|x| vec![x.year.to_string(), x.actors.to_string()]),
        )?,
        _ => return Ok(None),
    };
    Ok(Some(out))
}

/// `/territories/{id}/tableau-de-bord/{figure}.csv|json`.
pub async fn file(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path((seg, raw, file)): Path<(String, String, String)>,
    Params(p): Params<DashParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let id = territory_id(&seg, &raw, lang)?;
    let today = state.config.sign_in.clock.now().date_naive();
    let at = day_of(t, &p, today)?;
    let nothing = || Error::not_found(format!("no download `{}`", archipel_domain::echo(&file)));
    let (name, csv) = match file.rsplit_once('.') {
        Some((n, "csv")) => (n, true),
        Some((n, "json")) => (n, false),
        _ => return Err(nothing().in_lang(lang)),
    };
    if !DOWNLOADS.iter().any(|(d, _)| *d == name) {
        return Err(nothing().in_lang(lang));
    }
    let f = load(&state, id, at, lang).await?;
    let bytes =
        download(&state.content, t, &f, name, csv)?.ok_or_else(|| nothing().in_lang(lang))?;
    let kind = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    let fname = format!(
        "{}-{}{}.{}",
        name,
        f.key
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"),
        at.map(|d| format!("-{d}")).unwrap_or_default(),
        if csv { "csv" } else { "json" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{fname}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
