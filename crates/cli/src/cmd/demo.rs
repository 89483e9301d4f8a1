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
    let mut store = g.store()?;
    let pb = crate::output::progress(0, "demo", args.json);
    let result = archipel_jobs::demo::load(&mut store, &content, &mut |p| {
        pb.set_length(p.total);
        pb.set_position(p.done);
    });
    pb.finish_and_clear();
    let summary = result?;
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
        // Public action (grants, calls), which is not among the entities.
        let actions = store.actions(&archipel_store::ActionQuery::default())?;
        for kind in archipel_domain::ActionKind::ALL {
            let n = actions.iter().filter(|a| a.kind() == kind).count();
            if n > 0 {
                println!("  {:<10} {n}", kind.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
