//! `archipel backup OUT`: a consistent copy of the registry while it is in
//! use (see `archipel_store::backup`).
use super::Global;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The backup file to write (replaced, once the copy is complete and
    /// checked, if it exists).
    out: PathBuf,
    /// Print what was copied as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let copied = copying("backup", args.json, |progress| {
        archipel_store::backup::backup(&g.db, &args.out, progress)
    })?;
    summary(
        args.json,
        copied.schema_version,
        copied.bytes(),
        serde_json::json!({
            "registry": g.db.display().to_string(),
            "backup": args.out.display().to_string(),
            "schema_version": copied.schema_version,
            "bytes": copied.bytes(),
            "restarts": copied.restarts,
        }),
        &format!("{} → {}", g.db.display(), args.out.display()),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a copy with a progress bar on a terminal (none when `quiet`).
pub(crate) fn copying<T, E>(
    what: &str,
    quiet: bool,
    copy: impl FnOnce(&mut dyn FnMut(archipel_store::backup::Progress)) -> Result<T, E>,
) -> Result<T, E> {
    let bar = crate::output::progress(0, what, quiet);
    let result = copy(&mut |p| {
        bar.set_length(p.total);
        bar.set_position(p.copied);
    });
    bar.finish_and_clear();
    result
}

/// What a backup or a restoration did: JSON when asked, else one line on
/// a terminal (nothing when the output goes to a pipe or a file: a cron
/// job's mail stays empty).
pub(crate) fn summary(
    json: bool,
    schema_version: i64,
    bytes: u64,
    value: serde_json::Value,
    what: &str,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if json {
        crate::output::print_json(&value)?;
    } else if std::io::stdout().is_terminal() {
        println!(
            "{what}: {:.1} MB, schema version {schema_version}",
            bytes as f64 / 1e6
        );
    }
    Ok(())
}
