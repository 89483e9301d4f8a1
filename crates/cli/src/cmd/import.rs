//! `archipel import FORMAT FILE`: read a file, check every record, write
//! all of it in one transaction — or nothing.
use super::Global;
use anyhow::Context;
use archipel_formats::{flat, mediation, native, sill, ImportContext, Parsed, Sink};
use archipel_store::{prepare, Prepared, StoreError};
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
fn read_bounded(path: &std::path::Path, max: u64, shown: &str) -> anyhow::Result<Vec<u8>> {
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

/// Why a write was abandoned (the transaction is rolled back).
const INVALID: &str = "the file has invalid records";

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let shown = args.file.display().to_string();
    // The name is stored as each record's provenance and shown with it.
    if let Err(reason) = archipel_domain::check_text(&shown, archipel_domain::TextKind::Line) {
        anyhow::bail!(
            "{}: this file name cannot be recorded as the records' provenance ({reason}); \
             rename the file",
            archipel_domain::echo(&shown)
        );
    }
    let bytes = read_bounded(&args.file, args.max_size * 1024 * 1024, &shown)?;
    let source = args
        .source
        .clone()
        .unwrap_or_else(|| args.format.name().to_string());
    if archipel_domain::EntityId::new(archipel_domain::EntityKind::Actor, &source, "x").is_err() {
        anyhow::bail!("--source `{source}`: use letters, digits and dashes");
    }
    let ctx = ImportContext::new(shown.clone(), source.clone(), &content);
    let format = args.format;
    let started = std::time::Instant::now();
    // About how many records are coming (lines, or items of a JSON file).
    // (memchr looks for newlines with vector instructions: a byte-by-byte
    // count took some 70 ms of a 44 MB file, before any thread starts.)
    let lines = memchr::memchr_iter(b'\n', &bytes).count();
    let expected = lines.max(bytes.len() / 2048);
    let mut store = g.store()?;
    let pb = crate::output::progress(expected as u64, &shown, args.json);

    // The parser runs on its own thread and streams valid records to the
    // writer, which upserts them inside one transaction. If the file turns
    // out to have invalid records (and --skip-invalid was not given), the
    // transaction is rolled back: nothing is written.
    // A second thread encodes records (JSON, search text) between the two,
    // and a third frees what the writer is done with: the writer, which
    // does the most work, does nothing it can hand over.
    let (tx, parsed_rx) = std::sync::mpsc::sync_channel::<Vec<archipel_domain::Entity>>(16);
    let (prepared_tx, rx) =
        std::sync::mpsc::sync_channel::<archipel_store::Result<Vec<Prepared>>>(16);
    let (used_tx, used_rx) = std::sync::mpsc::channel::<Vec<Prepared>>();
    // Emptied chunks go back to the encoder to be filled again: a chunk is
    // over half a megabyte, and allocating a new one each time costs page
    // faults once the allocator has returned the old one to the system.
    let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(4);
    let sink = Sink {
        chunks: tx,
        halt_on_problem: !args.skip_invalid,
    };
    let skip_invalid = args.skip_invalid;
    let mut parsed_out: Option<Parsed> = None;
    let written = std::thread::scope(|scope| {
        let thread = |name: &str| std::thread::Builder::new().name(name.into());
        let cannot =
            |e: std::io::Error| StoreError::Database(format!("cannot start a thread: {e}"));
        let parser = thread("parse")
            .spawn_scoped(scope, || match format {
                Format::Mediation => mediation::parse_to(&bytes, &ctx, Some(sink)),
                Format::Sill => sill::parse_to(&bytes, &ctx, Some(sink)),
                Format::Json => native::parse_to(&bytes, &ctx, Some(sink)),
                Format::Csv => flat::parse_to(&bytes, &ctx, Some(sink)),
            })
            .map_err(cannot)?;
        thread("encode")
            .spawn_scoped(scope, move || {
                for chunk in parsed_rx {
                    let mut out = spare_rx.try_recv().unwrap_or_default();
                    out.reserve(chunk.len());
                    let prepared = chunk
                        .into_iter()
                        .try_for_each(|e| {
                            out.push(prepare(e)?);
                            Ok(())
                        })
                        .map(|()| out);
                    if prepared_tx.send(prepared).is_err() {
                        break;
                    }
                }
            })
            .map_err(cannot)?;
        thread("free")
            .spawn_scoped(scope, move || {
                for mut chunk in used_rx {
                    chunk.clear();
                    // When the encoder has enough spares, this one goes.
                    let _ = spare_tx.try_send(chunk);
                }
            })
            .map_err(cannot)?;
        store.write_bulk(&source, format.name(), Some(&shown), expected, |w| {
            // Owned here, so that if writing fails the channel closes and
            // the threads feeding it stop instead of waiting forever.
            let rx = rx;
            let used_tx = used_tx;
            let mut skipped = 0u64;
            let mut done = 0u64;
            for chunk in rx {
                let chunk = chunk?;
                for p in &chunk {
                    let e = &p.entity;
                    if matches!(format, Format::Mediation)
                        && mediation::create_only(e)
                        && w.exists(e.id())?
                    {
                        skipped += 1;
                    } else {
                        w.upsert_prepared(p)?;
                    }
                }
                done += chunk.len() as u64;
                pb.set_position(done);
                // If the freeing thread is gone, drop here.
                let _ = used_tx.send(chunk);
            }
            // The channel is closed: the parser is done. Commit only if the
            // file was valid, or if invalid records may be set aside.
            let parsed = parser
                .join()
                .map_err(|_| StoreError::Database("the parser crashed".into()))?;
            let abort = must_abort(&parsed, skip_invalid);
            parsed_out = Some(parsed);
            if abort {
                return Err(StoreError::Database(INVALID.into()));
            }
            Ok(skipped)
        })
    });
    pb.finish_and_clear();
    let Some(parsed) = parsed_out else {
        // The writer failed before the parser was done.
        return Err(written.err().map(anyhow::Error::from).unwrap_or_else(|| {
            anyhow::anyhow!("{shown}: the import stopped for an unknown reason")
        }));
    };
    let seconds = started.elapsed().as_secs_f64();

    for p in &parsed.problems {
        eprintln!("{p}");
    }
    let valid = parsed.records.saturating_sub(parsed.rejected);
    if must_abort(&parsed, args.skip_invalid) {
        let n = parsed.problems.len();
        if parsed.stopped && parsed.records == 0 {
            eprintln!(
                "{shown}: {n} problem(s) with the file itself, before any record; \
                 nothing was imported"
            );
        } else if parsed.stopped {
            eprintln!(
                "{shown}: {n} problem(s); the file could not be read past record {}; \
                 nothing was imported",
                parsed.records
            );
        } else {
            eprintln!(
                "{shown}: {n} problem(s) in {} of {} record(s); nothing was imported{}",
                parsed.rejected,
                parsed.records,
                if args.skip_invalid || valid == 0 {
                    String::new()
                } else {
                    format!(" (--skip-invalid would import the {valid} valid ones)")
                }
            );
        }
        return Ok(ExitCode::from(1));
    }
    let (skipped, summary) = written?;
    let mut rejects_path = None;
    if parsed.rejected > 0 {
        let path = args.rejects.clone().unwrap_or_else(|| {
            let mut p = args.file.clone().into_os_string();
            p.push(format!(".rejects.{}", parsed.rejects.extension));
            PathBuf::from(p)
        });
        std::fs::write(&path, parsed.rejects.to_bytes())
            .with_context(|| format!("{}: cannot write rejects", path.display()))?;
        eprintln!(
            "{shown}: {} record(s) set aside in {}",
            parsed.rejected,
            path.display()
        );
        rejects_path = Some(path);
    }
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "file": shown,
            "format": format.name(),
            "source": source,
            "records": parsed.records,
            "rejected": parsed.rejected,
            "rejects_file": rejects_path.map(|p| p.display().to_string()),
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged + skipped,
            "seconds": seconds,
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

/// Whether nothing may be written: the file could not be read through,
/// or it has problems and invalid records may not be set aside (or no
/// valid record is left).
fn must_abort(parsed: &Parsed, skip_invalid: bool) -> bool {
    let valid = parsed.records.saturating_sub(parsed.rejected);
    parsed.stopped || (!parsed.problems.is_empty() && (!skip_invalid || valid == 0))
}
