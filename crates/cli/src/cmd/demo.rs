//! `archipel demo`: load the fictional demonstration territory.
use super::Global;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let entities = content
        .demo_entities(now)
        .map_err(|e| anyhow::anyhow!("demo content is invalid:\n{e}"))?;
    let mut store = g.store()?;
    let pb = crate::output::progress(entities.len() as u64, "demo", args.json);
    let ((), summary) = store.write("demo", "demo", None, |w| {
        for e in &entities {
            w.upsert(e)?;
            pb.inc(1);
        }
        Ok(())
    })?;
    pb.finish_and_clear();
    let stats = store.stats()?;
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "db": g.db.display().to_string(),
            "written": summary,
            "stats": stats,
        }))?;
    } else {
        println!(
            "demonstration territory (fictional) written to {}: {} new, {} changed, {} unchanged",
            g.db.display(),
            summary.inserted,
            summary.updated,
            summary.unchanged
        );
        for c in &stats.entities {
            println!("  {:<10} {}", c.key, c.count);
        }
    }
    Ok(ExitCode::SUCCESS)
}
