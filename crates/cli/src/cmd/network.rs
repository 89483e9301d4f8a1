//! `archipel network --territory CODE`: the network of a territory and
//! everything below it (`archipel-network`): islands, articulation points
//! and bridges, key people, the circle of regulars, diversity.
use super::Global;
use crate::output::{esay, say};
use archipel_network::{Network, Options};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The territory: INSEE code, SIREN, `level:code` or id (as `stats
    /// --territory` takes it). Those below it are in scope too.
    #[arg(long, value_name = "CODE")]
    territory: String,
    /// The network as the registry was on this day (YYYY-MM-DD): the
    /// records that counted then, in their state of that day, and the
    /// relations holding on it (the rule of `stats --at`).
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// Print machine-readable JSON (nodes, edges and every figure).
    #[arg(long)]
    json: bool,
    /// Exact betweenness up to this many nodes; sampled above.
    #[arg(long, value_name = "N", default_value_t = archipel_network::EXACT_UP_TO)]
    exact_up_to: usize,
    /// Sources sampled for the betweenness above that size.
    #[arg(long, value_name = "N", default_value_t = archipel_network::SAMPLES,
          value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    samples: u32,
    /// Seed choosing the sampled sources.
    #[arg(long, value_name = "N", default_value_t = Options::default().seed)]
    seed: u64,
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

fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    let id = match archipel_pitch::resolve_territory(&store, Some(&args.territory)) {
        Ok(id) => id,
        Err(e) if e.is_usage() => return Ok(usage(e)),
        Err(e) => return Err(e.into()),
    };
    let options = Options {
        exact_up_to: args.exact_up_to,
        samples: args.samples as usize,
        seed: args.seed,
        ..Options::default()
    };
    let found = match &args.at {
        Some(at) => {
            let day = match super::stats::parse_day("--at", at) {
                Ok(d) => d,
                Err(e) => return Ok(usage(e)),
            };
            archipel_network::run_at(&store, &content, &id, day, &options)?
        }
        None => {
            let on = chrono::Utc::now().date_naive();
            archipel_network::run(&store, &content, &id, on, &options)?
        }
    };
    let Some(n) = found else {
        return Ok(usage(format!("unknown territory `{}`", args.territory)));
    };
    if args.json {
        crate::output::print_json(&n)?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = store
        .find_territories(id.as_str())?
        .into_iter()
        .next()
        .map_or_else(|| id.as_str().to_string(), |t| t.name);
    summary(&name, &n);
    Ok(ExitCode::SUCCESS)
}

/// The figures in a few lines (names through `say`, escaped).
fn summary(territory: &str, n: &Network) {
    let c = &n.counts;
    let at = n.at.map(|d| format!(" on {d}")).unwrap_or_default();
    say(format!("Network of {territory}{at}"));
    say(format!(
        "  {} nodes ({} actors, {} places, {} commons), {} links from {} relations",
        c.nodes, c.actors, c.places, c.commons, c.edges, c.relations
    ));
    let sizes: Vec<String> = n
        .components
        .iter()
        .filter(|x| x.size > 1)
        .take(8)
        .map(|x| x.size.to_string())
        .collect();
    say(format!(
        "Islands: {} components, {} isolated nodes ({} actors); largest: {}",
        c.components,
        c.isolated,
        n.isolated_actors.len(),
        if sizes.is_empty() {
            "none".to_string()
        } else {
            sizes.join(", ")
        }
    ));
    say(format!(
        "Articulation points: {}; bridges: {}",
        n.articulation_points.len(),
        n.bridges.len()
    ));
    let mut splits: Vec<&archipel_network::Split> = n.splits.iter().collect();
    splits.sort_by_key(|s| std::cmp::Reverse(s.pieces.get(1).copied().unwrap_or(0)));
    for s in splits.iter().take(5) {
        let pieces: Vec<String> = s.pieces.iter().map(usize::to_string).collect();
        say(format!("  {}: leaves {}", s.name, pieces.join(" + ")));
    }
    let m = &n.betweenness_method;
    if m.method == "exact" {
        say("Key people (betweenness, exact; degree)");
    } else {
        say(format!(
            "Key people (betweenness sampled from {} sources, seed {}, within ±{:.3} with {:.0} % confidence; degree)",
            m.sources,
            m.seed.unwrap_or_default(),
            m.error_bound,
            m.confidence * 100.0
        ));
    }
    for k in &n.key_people {
        say(format!(
            "  {:>8.4}  {:>4}  {}",
            k.betweenness, k.degree, k.name
        ));
    }
    if let Some(d) = &n.dependence {
        say(format!(
            "Most central person: {} — {} of the relations, {} of the shortest paths",
            d.name,
            percent(d.relations_share),
            percent(d.shortest_paths_share)
        ));
    }
    let r = &n.regulars;
    say(format!(
        "Circle of regulars: innermost core k = {}, {} nodes; {} of the relations among them, {} touching them",
        r.max_core,
        r.core.len(),
        percent(r.relations_within_share),
        percent(r.relations_touching_share)
    ));
    if let Some(gr) = &r.grants {
        say(format!(
            "  {} of {} grants to its members{}",
            gr.to_core,
            gr.grants,
            gr.cents_share
                .map(|s| format!(" ({} of the amount)", percent(s)))
                .unwrap_or_default()
        ));
    }
    if let Some(ev) = &r.events {
        say(format!(
            "  {} of {} events organised by its members or at their places{}",
            ev.to_core,
            ev.events,
            ev.attendees_share
                .map(|s| format!(" ({} of the attendees)", percent(s)))
                .unwrap_or_default()
        ));
    }
    if let (Some(gini), Some(hhi)) = (r.gini, r.hhi) {
        say(format!(
            "  Relations per actor: Gini {gini:.3}, HHI {hhi:.4}"
        ));
    }
    if !n.newcomers.is_empty() {
        let years: Vec<String> = n
            .newcomers
            .iter()
            .map(|y| format!("{} {}", y.year, y.actors))
            .collect();
        say(format!("Newcomers per year: {}", years.join(", ")));
    }
    let d = &n.diversity;
    let index = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"));
    say(format!(
        "Diversity (Gini–Simpson): actor kinds {}, families {}; {} of {} actors located on the territory",
        index(d.kind_diversity),
        index(d.family_diversity),
        d.actors_on_territory,
        d.actors
    ));
}
