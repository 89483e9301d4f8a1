//! `archipel search QUERY`: full-text search.
use super::Global;
use crate::output::term;
use archipel_content::Lang;
use archipel_domain::EntityKind;
use archipel_store::SearchQuery;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Words to look for (accents and case do not matter; words are prefixes).
    query: String,
    /// Only this kind of record (territory, actor, place, commons).
    #[arg(long)]
    kind: Option<EntityKind>,
    /// How many results at most.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    let mut q = SearchQuery::text(&args.query);
    q.kind = args.kind;
    q.limit = args.limit;
    let res = store.search(&q)?;
    if args.json {
        crate::output::print_json(&res)?;
        return Ok(ExitCode::SUCCESS);
    }
    if res.total == 0 {
        println!("no match for “{}”", term(&args.query));
        return Ok(ExitCode::SUCCESS);
    }
    for h in &res.hits {
        let sub = match (h.kind.as_str(), &h.subkind) {
            ("actor", Some(k)) => content.label("actor_kinds", k, Lang::Fr),
            ("commons", Some(k)) => content.label("commons_kinds", k, Lang::Fr),
            ("territory", Some(k)) => content.label("territory_levels", k, Lang::Fr),
            _ => String::new(),
        };
        println!(
            "{:<40} {:<9} {}{}",
            term(&h.id),
            h.kind,
            term(&h.name),
            if sub.is_empty() {
                String::new()
            } else {
                format!(" ({})", term(&sub))
            }
        );
    }
    if res.total as usize > res.hits.len() {
        println!(
            "… {} more (use --limit)",
            res.total as usize - res.hits.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
