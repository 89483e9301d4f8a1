//! `archipel import FORMAT FILE`: read a file, check every record, write
//! all of it in one transaction — or nothing.
use super::Global;
use anyhow::Context;
use archipel_formats::{flat, mediation, native, sill, ImportContext, Parsed};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// National schema "lieux de médiation numérique" (CSV).
    Mediation,
    /// SILL catalogue (its JSON or CSV form).
    Sill,
    /// Archipel's own JSON (lossless).
    Json,
    /// Archipel's CSV, one entity kind per file.
    Csv,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Mediation => "mediation",
            Format::Sill => "sill",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Format of the file.
    #[arg(value_enum)]
    format: Format,
    /// The file to import.
    file: PathBuf,
    /// Import the valid records and set the invalid ones aside in a
    /// rejects file, instead of rejecting the whole file.
    #[arg(long)]
    skip_invalid: bool,
    /// Where to write rejected records (default: FILE.rejects.EXT).
    #[arg(long, requires = "skip_invalid")]
    rejects: Option<PathBuf>,
    /// Source name, the middle part of the records' identifiers (default:
    /// the format name). Importing again with the same source updates the
    /// same records instead of duplicating them.
    #[arg(long)]
    source: Option<String>,
    /// Print a machine-readable summary.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let shown = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("{shown}: cannot read"))?;
    let source = args.source.clone().unwrap_or_else(|| args.format.name().to_string());
    if archipel_domain::EntityId::new(archipel_domain::EntityKind::Actor, &source, "x").is_err() {
        anyhow::bail!("--source `{source}`: use letters, digits and dashes");
    }
    let ctx = ImportContext::new(shown.clone(), source.clone(), &content);
    let parsed: Parsed = match args.format {
        Format::Mediation => mediation::parse(&bytes, &ctx),
        Format::Sill => sill::parse(&bytes, &ctx),
        Format::Json => native::parse(&bytes, &ctx),
        Format::Csv => flat::parse(&bytes, &ctx),
    };
    for p in &parsed.problems {
        eprintln!("{p}");
    }
    if !parsed.problems.is_empty() && (!args.skip_invalid || parsed.entities.is_empty()) {
        let valid = parsed.records.saturating_sub(parsed.rejected);
        eprintln!(
            "{shown}: {} problem(s) in {} of {} record(s); nothing was imported{}",
            parsed.problems.len(),
            parsed.rejected.max(1),
            parsed.records,
            if args.skip_invalid || valid == 0 {
                String::new()
            } else {
                format!(" (--skip-invalid would import the {valid} valid ones)")
            }
        );
        return Ok(ExitCode::from(1));
    }
    let mut rejects_path = None;
    if parsed.rejected > 0 {
        let path = args.rejects.clone().unwrap_or_else(|| {
            let mut p = args.file.clone().into_os_string();
            p.push(format!(".rejects.{}", parsed.rejects.extension));
            PathBuf::from(p)
        });
        std::fs::write(&path, parsed.rejects.to_text())
            .with_context(|| format!("{}: cannot write rejects", path.display()))?;
        eprintln!(
            "{shown}: {} record(s) set aside in {}",
            parsed.rejected,
            path.display()
        );
        rejects_path = Some(path);
    }

    let mut store = g.store()?;
    let pb = crate::output::progress(parsed.entities.len() as u64, &shown, args.json);
    let create_only = matches!(args.format, Format::Mediation);
    let (skipped, summary) = store.write(&source, args.format.name(), Some(&shown), |w| {
        let mut skipped = 0u64;
        for (i, e) in parsed.entities.iter().enumerate() {
            if create_only && mediation::create_only(e) && w.exists(e.id())? {
                skipped += 1;
            } else {
                w.upsert(e)?;
            }
            if i % 1024 == 0 {
                pb.set_position(i as u64);
            }
        }
        Ok(skipped)
    })?;
    pb.finish_and_clear();
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "file": shown,
            "format": args.format.name(),
            "source": source,
            "records": parsed.records,
            "rejected": parsed.rejected,
            "rejects_file": rejects_path.map(|p| p.display().to_string()),
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged + skipped,
        }))?;
    } else {
        println!(
            "{shown}: {} record(s) read, {} new, {} changed, {} unchanged, {} rejected",
            parsed.records,
            summary.inserted,
            summary.updated,
            summary.unchanged + skipped,
            parsed.rejected
        );
    }
    Ok(ExitCode::SUCCESS)
}
