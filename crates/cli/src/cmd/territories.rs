//! `archipel territories import [--region CODE]`: the official
//! administrative divisions (regions, departments, EPCI, communes with
//! population and postcodes) into the registry, in one transaction
//! (`archipel_jobs::territories`). `archipel init --territory CODE` uses
//! the same job for one territory and its whole hierarchy.
use super::Global;
use anyhow::Context;
use archipel_formats::territories::{self, Divisions, Scope};
use archipel_jobs::territories::TerritoriesReport;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Write the official divisions (from @etalab/decoupage-administratif,
    /// built in) as territories: regions, departments, EPCI, communes.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// Only this region (INSEE code, such as 53 for Bretagne) and what is
    /// below it.
    #[arg(long, value_name = "CODE")]
    region: Option<String>,
    /// Read the divisions from this file (made by
    /// scripts/territories-data.py) instead of the copy built in.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Print a machine-readable summary.
    #[arg(long)]
    json: bool,
}

/// The divisions file: the one built in, or `file`.
fn divisions(
    file: Option<&std::path::Path>,
) -> anyhow::Result<std::borrow::Cow<'static, Divisions>> {
    Ok(match file {
        None => std::borrow::Cow::Borrowed(territories::official()?),
        Some(path) => {
            let shown = path.display().to_string();
            let meta = std::fs::metadata(path).with_context(|| format!("{shown}: cannot read"))?;
            if !meta.is_file() || meta.len() > 64 * 1024 * 1024 {
                anyhow::bail!("{shown}: not a divisions file (a gzip file of at most 64 MiB)");
            }
            let bytes = std::fs::read(path).with_context(|| format!("{shown}: cannot read"))?;
            std::borrow::Cow::Owned(territories::decode(&bytes, &shown)?)
        }
    })
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Import(a) => {
            let content = g.content()?;
            let divisions = divisions(a.file.as_deref())?;
            let scope = match &a.region {
                None => Scope::All,
                Some(code) => match divisions.find(&format!("region:{code}")) {
                    Ok(scope) => scope,
                    Err(_) => anyhow::bail!(
                        "no region has the code {} (Bretagne is 53; see the regions of the INSEE's Code officiel géographique)",
                        archipel_domain::echo(code)
                    ),
                },
            };
            let mut store = g.store()?;
            let report = write(&mut store, &content, &divisions, &scope, a.json)?;
            say(g, &report, a.json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs the job with a progress bar on a terminal.
pub fn write(
    store: &mut archipel_store::Store,
    content: &archipel_content::Content,
    divisions: &Divisions,
    scope: &Scope,
    json: bool,
) -> anyhow::Result<TerritoriesReport> {
    let pb = crate::output::progress(0, "territories", json);
    let result = archipel_jobs::territories::import(store, content, divisions, scope, &mut |p| {
        pb.set_length(p.total);
        pb.set_position(p.done);
    });
    pb.finish_and_clear();
    Ok(result?)
}

/// Prints what was written.
pub fn say(g: &Global, r: &TerritoriesReport, json: bool) -> anyhow::Result<()> {
    if json {
        crate::output::print_json(&serde_json::json!({
            "db": g.db.display().to_string(),
            "source": r.source,
            "regions": r.regions,
            "departements": r.departements,
            "epci": r.epci,
            "communes": r.communes,
            "replaced": r.replaced,
            "moved": r.moved,
            "inserted": r.written.inserted,
            "updated": r.written.updated,
            "unchanged": r.written.unchanged,
            "seconds": r.seconds,
        }))?;
    } else {
        println!(
            "{}: {} region(s), {} department(s), {} EPCI, {} commune(s) — {} new, {} changed, {} unchanged",
            r.source,
            r.regions,
            r.departements,
            r.epci,
            r.communes,
            r.written.inserted,
            r.written.updated,
            r.written.unchanged
        );
        if r.replaced > 0 {
            println!(
                "{} commune(s) of earlier médiation imports replaced by the official ones; {} actor(s) and place(s) moved to them",
                r.replaced, r.moved
            );
        }
    }
    Ok(())
}
