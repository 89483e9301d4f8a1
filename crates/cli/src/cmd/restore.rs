//! `archipel restore BACKUP`: replace the registry with a checked backup
//! (see `archipel_store::backup`). Refused while a server or an import has
//! the registry open.
use super::Global;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The backup file (written by `archipel backup`, or any copy of a
    /// registry).
    backup: PathBuf,
    /// Print what was restored as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let (info, copied) = super::backup::copying("restore", args.json, |progress| {
        archipel_store::backup::restore(&args.backup, &g.db, progress)
    })?;
    let kept = archipel_store::backup::kept_path(&g.db);
    let kept = kept.exists().then(|| kept.display().to_string());
    super::backup::summary(
        args.json,
        info.schema_version,
        copied.bytes(),
        serde_json::json!({
            "registry": g.db.display().to_string(),
            "backup": args.backup.display().to_string(),
            "schema_version": info.schema_version,
            "records": info.records,
            "bytes": copied.bytes(),
            "replaced_registry_kept_as": kept,
        }),
        &format!(
            "{} → {} ({} records{})",
            args.backup.display(),
            g.db.display(),
            info.records,
            kept.as_deref()
                .map(|k| format!("; the replaced registry is kept as {k}"))
                .unwrap_or_default()
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
