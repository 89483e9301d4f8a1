//! `archipel compare A B`: two territories' figures side by side (those of
//! `stats --territory`), today or on a day (`--at`), and per 10,000
//! inhabitants where the population is known.
use super::stats::parse_day;
use super::Global;
use crate::output::{esay, say};
use archipel_content::Content;
use archipel_store::{ScopeStats, Store};
use serde::Serialize;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The first territory: INSEE code, SIREN, `level:code` or id (as
    /// `stats --territory` takes it).
    #[arg(value_name = "CODE_A")]
    a: String,
    /// The second territory.
    #[arg(value_name = "CODE_B")]
    b: String,
    /// The figures on this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// One territory's side.
#[derive(Serialize)]
struct Side {
    /// Its population on the day, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    population: Option<u64>,
    stats: ScopeStats,
    network: NetworkFigures,
}

/// The figures of a territory's network (`archipel network`) compared.
#[derive(Serialize)]
struct NetworkFigures {
    /// Connected components, isolated nodes included.
    components: usize,
    /// Actors with no relation in the network.
    isolated_actors: usize,
    /// Nodes whose removal splits their component.
    articulation_points: usize,
    /// The innermost core's k.
    max_core: usize,
    /// Nodes in the innermost core.
    core_nodes: usize,
    /// Share of the relations with both ends in the innermost core.
    core_relations_within_share: f64,
    /// Share of the relations with at least one end in it.
    core_relations_touching_share: f64,
    /// Share of the scope's grants whose beneficiary is in it (none when
    /// the scope has no grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    core_grants_share: Option<f64>,
    /// Share of the amounts granted that go to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    core_granted_share: Option<f64>,
    /// Share of the scope's events organised by one of its members or held
    /// at one of its places (none when the scope has no event).
    #[serde(skip_serializing_if = "Option::is_none")]
    core_events_share: Option<f64>,
    /// Share of the events' attendees who came to those.
    #[serde(skip_serializing_if = "Option::is_none")]
    core_attendees_share: Option<f64>,
}

impl NetworkFigures {
    fn of(n: &archipel_network::Network) -> NetworkFigures {
        NetworkFigures {
            components: n.counts.components,
            isolated_actors: n.isolated_actors.len(),
            articulation_points: n.articulation_points.len(),
            max_core: n.regulars.max_core,
            core_nodes: n.regulars.core.len(),
            core_relations_within_share: n.regulars.relations_within_share,
            core_relations_touching_share: n.regulars.relations_touching_share,
            core_grants_share: n.regulars.grants.as_ref().map(|g| g.share),
            core_granted_share: n.regulars.grants.as_ref().and_then(|g| g.cents_share),
            core_events_share: n.regulars.events.as_ref().map(|e| e.share),
            core_attendees_share: n.regulars.events.as_ref().and_then(|e| e.attendees_share),
        }
    }

    /// As table cells.
    fn cells(&self) -> Vec<(String, String)> {
        let pc = |x: f64| format!("{:.1} %", x * 100.0);
        vec![
            ("network.components".into(), self.components.to_string()),
            (
                "network.isolated_actors".into(),
                self.isolated_actors.to_string(),
            ),
            (
                "network.articulation_points".into(),
                self.articulation_points.to_string(),
            ),
            ("network.max_core".into(), self.max_core.to_string()),
            ("network.core_nodes".into(), self.core_nodes.to_string()),
            (
                "network.core_relations_within_share".into(),
                pc(self.core_relations_within_share),
            ),
            (
                "network.core_relations_touching_share".into(),
                pc(self.core_relations_touching_share),
            ),
            (
                "network.core_grants_share".into(),
                self.core_grants_share.map(pc).unwrap_or_else(|| "–".into()),
            ),
            (
                "network.core_granted_share".into(),
                self.core_granted_share
                    .map(pc)
                    .unwrap_or_else(|| "–".into()),
            ),
            (
                "network.core_events_share".into(),
                self.core_events_share.map(pc).unwrap_or_else(|| "–".into()),
            ),
            (
                "network.core_attendees_share".into(),
                self.core_attendees_share
                    .map(pc)
                    .unwrap_or_else(|| "–".into()),
            ),
        ]
    }
}

/// One figure of both.
#[derive(Serialize)]
struct Row {
    key: String,
    a: i64,
    b: i64,
    /// Per 10,000 inhabitants, when the population is known (not for a
    /// share).
    #[serde(skip_serializing_if = "Option::is_none")]
    a_per_10000: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b_per_10000: Option<f64>,
}

/// What `compare --json` prints.
#[derive(Serialize)]
struct Comparison {
    /// The day, when not today.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<chrono::NaiveDate>,
    a: Side,
    b: Side,
    figures: Vec<Row>,
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    for (i, line) in message.to_string().lines().enumerate() {
        if i == 0 {
            esay(format!("archipel: {line}"));
        } else {
            esay(line);
        }
    }
    ExitCode::from(2)
}

/// `value` per 10,000 of `population`, to one decimal.
fn per_10000(value: i64, population: Option<u64>) -> Option<f64> {
    let p = population.filter(|p| *p > 0)? as f64;
    Some((value as f64 * 10_000.0 / p * 10.0).round() / 10.0)
}

/// The figures of one territory today (`at`: `None`) or on a day, with
/// its population; `Err` is a usage message.
fn side(
    content: &Content,
    store: &Store,
    key: &str,
    at: Option<&archipel_store::AsOf>,
) -> anyhow::Result<Result<Side, String>> {
    let day = at.map(|r| r.day).unwrap_or_else(super::stats::today);
    let id = match archipel_pitch::resolve_territory(store, Some(key)) {
        Ok(id) => id,
        Err(e) if e.is_usage() => return Ok(Err(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let q = archipel_pitch::scope_query(content.pitch(), &id, None);
    let (stats, population) = match at {
        Some(r) => (
            r.scope_stats(&q),
            r.entity(id.as_str()).and_then(|t| t.population),
        ),
        None => (
            store.scope_stats(&q)?,
            match store.get(&id)? {
                Some(archipel_domain::Entity::Territory(t)) => t.population,
                _ => None,
            },
        ),
    };
    let options = archipel_network::Options::default();
    let network = match at {
        Some(_) => archipel_network::run_at(store, content, &id, day, &options)?,
        None => archipel_network::run(store, content, &id, day, &options)?,
    };
    Ok(match (stats, network) {
        (Some(stats), Some(n)) => Ok(Side {
            population,
            stats,
            network: NetworkFigures::of(&n),
        }),
        _ => Err(match at {
            Some(r) => format!("territory `{key}` is not in the registry on {}", r.day),
            None => format!("unknown territory `{key}`"),
        }),
    })
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    let at = match args.at.as_deref().map(|d| parse_day("--at", d)).transpose() {
        Ok(at) => at,
        Err(e) => return Ok(usage(e)),
    };
    let registry = at.map(|d| store.registry_at(d)).transpose()?;
    let a = match side(&content, &store, &args.a, registry.as_ref())? {
        Ok(s) => s,
        Err(e) => return Ok(usage(e)),
    };
    let b = match side(&content, &store, &args.b, registry.as_ref())? {
        Ok(s) => s,
        Err(e) => return Ok(usage(e)),
    };
    let (fa, fb) = (a.stats.figures(), b.stats.figures());
    let mut keys: Vec<&str> = fa.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in &fb {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    let value = |f: &[(String, i64)], k: &str| {
        f.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    };
    let figures: Vec<Row> = keys
        .iter()
        .map(|k| {
            let (va, vb) = (value(&fa, k), value(&fb, k));
            let share = k.ends_with("_percent");
            Row {
                key: k.to_string(),
                a: va,
                b: vb,
                a_per_10000: per_10000(va, a.population).filter(|_| !share),
                b_per_10000: per_10000(vb, b.population).filter(|_| !share),
            }
        })
        .collect();
    if args.json {
        crate::output::print_json(&Comparison { at, a, b, figures })?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = |s: &Side| format!("{} ({})", s.stats.territory.name, s.stats.code);
    say(format!("A: {}", name(&a)));
    say(format!("B: {}", name(&b)));
    for (letter, s) in [("A", &a), ("B", &b)] {
        match s.population {
            Some(p) => say(format!("{letter}: {p} inhabitants")),
            None => say(format!("{letter}: population unknown")),
        }
    }
    if let Some(d) = at {
        say(format!("On {d}"));
    }
    let per = a.population.is_some() || b.population.is_some();
    let mut header = vec!["indicator".to_string(), "A".into(), "B".into()];
    if per {
        header.push("A /10,000".into());
        header.push("B /10,000".into());
    }
    let fmt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
    let columns: Vec<Vec<(String, String)>> = {
        let column = |pick: fn(&Row) -> i64, s: &Side| {
            let mut c: Vec<(String, String)> = figures
                .iter()
                .map(|r| (r.key.clone(), pick(r).to_string()))
                .collect();
            c.extend(s.network.cells());
            c
        };
        let mut cols = vec![column(|r| r.a, &a), column(|r| r.b, &b)];
        if per {
            let none: Vec<(String, String)> = a
                .network
                .cells()
                .into_iter()
                .map(|(k, _)| (k, "–".to_string()))
                .collect();
            for pick in [|r: &Row| r.a_per_10000, |r: &Row| r.b_per_10000] {
                let mut col: Vec<(String, String)> = figures
                    .iter()
                    .map(|r| (r.key.clone(), fmt(pick(r))))
                    .collect();
                col.extend(none.iter().cloned());
                cols.push(col);
            }
        }
        cols
    };
    super::stats::print_table(&content, &header, &columns);
    Ok(ExitCode::SUCCESS)
}
