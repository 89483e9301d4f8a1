//! `archipel stats`: counts over the registry.
use super::Global;
use archipel_content::Lang;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.existing_store()?;
    let s = store.stats()?;
    if args.json {
        crate::output::print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let section = |title: &str, vocab: Option<&str>, counts: &[archipel_store::Count]| {
        println!("{title}");
        for c in counts {
            let label = match vocab {
                Some(v) if c.key != "unset" => content.label(v, &c.key, Lang::Fr),
                _ => c.key.clone(),
            };
            println!("  {:>7}  {label}", c.count);
        }
    };
    section("Records", None, &s.entities);
    section("Actors by kind", Some("actor_kinds"), &s.actor_kinds);
    section("Actors by typology", Some("typology"), &s.typology);
    section("Commons by kind", Some("commons_kinds"), &s.commons_kinds);
    section(
        "Relations by type",
        Some("relation_types"),
        &s.relation_kinds,
    );
    println!("Territories");
    for t in &s.territories {
        println!(
            "  {:>7} actors {:>7} places  {}",
            t.actors, t.places, t.name
        );
    }
    Ok(ExitCode::SUCCESS)
}
