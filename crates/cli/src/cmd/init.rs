//! `archipel init`: create the registry file.
use super::Global;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.content()?;
    let store = g.store()?;
    let version = store.schema_version()?;
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "db": g.db.display().to_string(),
            "schema_version": version,
        }))?;
    } else {
        println!(
            "registry ready: {} (schema version {version})",
            g.db.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
