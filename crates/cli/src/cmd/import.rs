//! `archipel import FORMAT FILE`: read the file (bounded), run the import
//! job (`archipel_jobs::import`: every record checked, all of it written
//! in one transaction — or nothing), say what it did.
use super::Global;
use anyhow::Context;
use archipel_formats::ImportContext;
use archipel_jobs::import::{self, Format, ImportError, ImportReport, ImportRequest};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Format of the file.
    #[arg(value_enum)]
    format: super::support::ImportFormat,
    /// The file to import (for `chatons`, a file, a folder of
    /// `.properties` files, or the HTTPS URL of a federation's or an
    /// organisation's file, whose `subs.` lines are followed).
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
    /// For `geojson`: the TOML file saying which property gives the id,
    /// the name, the kind, the address and the categories, and how kinds
    /// and categories translate into Archipel's vocabularies.
    #[arg(long, value_name = "MAP.toml")]
    mapping: Option<PathBuf>,
    /// Print a machine-readable summary.
    #[arg(long)]
    json: bool,
    /// Largest file to read, in MiB: a larger file (or a device or pipe
    /// that does not end, such as /dev/zero) is refused before it fills
    /// the memory.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MIB,
          value_parser = clap::value_parser!(u64).range(1..=65_536))]
    max_size: u64,
}

/// Default of `--max-size`: well above a national médiation file (some
/// 10 MB) or an Archipel JSON dump of 150,000 records (some 100 MB).
const DEFAULT_MAX_MIB: u64 = 256;

/// Reads at most `max` bytes of `path`; a larger file is an error that
/// says so without reading it all (a regular file is measured first, and
/// anything else is read no further than one byte past the limit).
pub(crate) fn read_bounded(
    path: &std::path::Path,
    max: u64,
    shown: &str,
) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = || {
        anyhow::anyhow!(
            "{shown}: larger than the limit of {} MiB for an import; \
             if it really is one file to import, raise the limit with --max-size MIB",
            max / (1024 * 1024)
        )
    };
    let file = std::fs::File::open(path).with_context(|| format!("{shown}: cannot read"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("{shown}: cannot read"))?;
    if meta.is_dir() {
        anyhow::bail!("{shown}: is a folder, not a file");
    }
    if meta.is_file() && meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() {
        meta.len() as usize
    } else {
        0
    });
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{shown}: cannot read"))?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Folders below the one given that a ChatonsInfos import walks into.
const MAX_DEPTH: usize = 8;
/// `.properties` files a ChatonsInfos folder may hold.
const MAX_FILES: usize = 10_000;

/// Reads the `.properties` files of a folder and its subfolders (sorted,
/// symbolic links not followed, at most `MAX_FILES` files and `max`
/// bytes in all) as one bundle for the ChatonsInfos parser.
fn read_folder(dir: &std::path::Path, max: u64, shown: &str) -> anyhow::Result<Vec<u8>> {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .with_context(|| format!("{}: cannot read the folder", d.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("{}: cannot read the folder", d.display()))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("{}: cannot read", entry.path().display()))?;
            let path = entry.path();
            if kind.is_dir() && depth < MAX_DEPTH {
                stack.push((path, depth + 1));
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "properties") {
                found.push(path);
                if found.len() > MAX_FILES {
                    anyhow::bail!("{shown}: more than {MAX_FILES} .properties files");
                }
            }
        }
    }
    found.sort();
    let mut files = Vec::with_capacity(found.len());
    let mut total = 0u64;
    for path in found {
        let name = path.display().to_string();
        let left = max.saturating_sub(total).max(1);
        let bytes = read_bounded(&path, left, &name).map_err(|e| {
            e.context(format!(
                "{shown}: the folder's files are larger than the limit of {} MiB",
                max / (1024 * 1024)
            ))
        })?;
        total += bytes.len() as u64;
        files.push((name, bytes));
    }
    Ok(archipel_formats::chatons::bundle(&files))
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        super::support::ImportFormat::Registry(f) => f,
        _ if args.mapping.is_some() => {
            anyhow::bail!("--mapping is for the geojson format only")
        }
        other => {
            return super::support::import(
                g,
                other,
                super::support::ImportArgs {
                    file: &args.file,
                    skip_invalid: args.skip_invalid,
                    rejects: args.rejects.as_deref(),
                    source: args.source.as_deref(),
                    json: args.json,
                    max_bytes: args.max_size * 1024 * 1024,
                },
            )
        }
    };
    let content = g.content()?;
    let shown = args.file.display().to_string();
    let source = args
        .source
        .clone()
        .unwrap_or_else(|| format.name().to_string());
    let context = ImportContext::new(shown.clone(), source.clone(), &content);
    import::check(&context)?;
    let url = args
        .file
        .to_str()
        .filter(|s| super::chatons_urls::is_url(s));
    let bytes = if let (Format::Chatons, Some(url)) = (format, url) {
        super::chatons_urls::read(url, args.max_size * 1024 * 1024)?
    } else if format == Format::Chatons && args.file.is_dir() {
        read_folder(&args.file, args.max_size * 1024 * 1024, &shown)?
    } else {
        read_bounded(&args.file, args.max_size * 1024 * 1024, &shown)?
    };
    let mapping = match (&args.mapping, format) {
        (Some(path), Format::Geojson) => {
            let shown_map = path.display().to_string();
            let bytes = read_bounded(path, 1024 * 1024, &shown_map)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{shown_map}: not UTF-8 text"))?;
            match archipel_formats::geojson::Mapping::parse(&text, &shown_map, &content) {
                Ok(m) => Some(m),
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{e}");
                    }
                    anyhow::bail!(
                        "{shown_map}: the mapping file cannot be used; nothing was imported"
                    );
                }
            }
        }
        (None, Format::Geojson) => {
            anyhow::bail!(
                "{shown}: a GeoJSON import needs --mapping MAP.toml (see `archipel import --help`)"
            )
        }
        (Some(_), _) => anyhow::bail!("--mapping is for the geojson format only"),
        (None, _) => None,
    };
    let mut store = g.store()?;
    let request = ImportRequest {
        format,
        bytes: &bytes,
        context,
        skip_invalid: args.skip_invalid,
        mapping: mapping.as_ref(),
    };
    let pb = crate::output::progress(0, &shown, args.json);
    let result = import::run(&mut store, request, &mut |p| {
        pb.set_length(p.total);
        pb.set_position(p.done);
    });
    pb.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            if let ImportError::Write { problems, .. } = &e {
                for p in problems {
                    eprintln!("{p}");
                }
            }
            return Err(e.into());
        }
    };
    for p in &report.problems {
        eprintln!("{p}");
    }
    let Some(summary) = report.written else {
        eprintln!("{}", nothing_imported(&shown, &report, args.skip_invalid));
        return Ok(ExitCode::from(1));
    };
    let rejects_path = if report.rejected > 0 {
        let path = args.rejects.clone().unwrap_or_else(|| {
            let mut p = args.file.clone().into_os_string();
            p.push(format!(".rejects.{}", report.rejects.extension));
            PathBuf::from(p)
        });
        std::fs::write(&path, report.rejects.to_bytes())
            .with_context(|| format!("{}: cannot write rejects", path.display()))?;
        eprintln!(
            "{shown}: {} record(s) set aside in {}",
            report.rejected,
            path.display()
        );
        Some(path)
    } else {
        None
    };
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "file": shown,
            "format": format.name(),
            "source": source,
            "records": report.records,
            "rejected": report.rejected,
            "rejects_file": rejects_path.map(|p| p.display().to_string()),
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "seconds": report.seconds,
        }))?;
    } else {
        println!(
            "{shown}: {} record(s) read, {} new, {} changed, {} unchanged, {} rejected",
            report.records, summary.inserted, summary.updated, summary.unchanged, report.rejected
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Why nothing was imported, after the problems.
fn nothing_imported(shown: &str, report: &ImportReport, skip_invalid: bool) -> String {
    let n = report.problems.len();
    let valid = report.valid();
    if report.stopped && report.records == 0 {
        format!(
            "{shown}: {n} problem(s) with the file itself, before any record; nothing was imported"
        )
    } else if report.stopped {
        format!(
            "{shown}: {n} problem(s); the file could not be read past record {}; \
             nothing was imported",
            report.records
        )
    } else {
        format!(
            "{shown}: {n} problem(s) in {} of {} record(s); nothing was imported{}",
            report.rejected,
            report.records,
            if skip_invalid || valid == 0 {
                String::new()
            } else {
                format!(" (--skip-invalid would import the {valid} valid ones)")
            }
        )
    }
}
