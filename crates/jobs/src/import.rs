//! Importing a file into the registry: all of it in one transaction, or
//! nothing — unless invalid records may be set aside.
//!
//! [`run`] parses, checks and writes at once, on four threads: a `parse`
//! thread runs the format's parser, which streams valid records in chunks;
//! an `encode` thread prepares each record's row (its JSON and search
//! text, `archipel_store::prepare`); the calling thread writes them inside
//! one transaction (`Store::try_write_bulk`); a `free` thread releases the
//! records written and hands the emptied chunks back to the encoder. The
//! channels are bounded, and the writer owns its end: if writing fails,
//! the threads before it stop instead of waiting.
//!
//! When the parser is done the import decides, once (`must_abort`),
//! whether anything may be written: not if the file itself could not be
//! used, nor if a record was invalid and invalid records may not be set
//! aside (or none is valid). Then the transaction is rolled back and the
//! report says so ([`ImportReport::written`] is `None`); otherwise it
//! commits. Either way the report holds the problems found and the rejected
//! records byte for byte, for the caller to print and to write as a
//! rejects file.

use crate::Progress;
use archipel_domain::{Entity, EntityId, EntityKind, TextKind};
use archipel_formats::{
    chatons, comptoir, dcat, flat, geojson, mediation, native, sill, territories, ImportContext,
    Parsed, Problem, Rejects, Sink,
};
use archipel_store::{prepare, Prepared, Store, StoreError, WriteSummary};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Arc;

/// The formats a file may be imported from (with the `clap` feature, the
/// values of a command-line argument, documented as below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// National schema "lieux de médiation numérique" (CSV).
    Mediation,
    /// SILL catalogue (its JSON or CSV form).
    Sill,
    /// Archipel's own JSON (lossless).
    Json,
    /// Archipel's CSV, one entity kind per file.
    Csv,
    /// Comptoir du Libre export, version 1 (JSON): software, users,
    /// service providers.
    Comptoir,
    /// DCAT catalogue in JSON-LD (data.gouv.fr, udata): datasets and
    /// their publishers.
    Dcat,
    /// ChatonsInfos `.properties` files (a file, or a folder's files):
    /// CHATONS hosts and the software of their services.
    Chatons,
    /// GeoJSON points (a GoGoCarto export…) read through a mapping file
    /// (`--mapping`).
    Geojson,
}

impl Format {
    /// The format's name: what the registry's batch log records, and the
    /// source name when none is given.
    pub fn name(self) -> &'static str {
        match self {
            Format::Mediation => "mediation",
            Format::Sill => "sill",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Comptoir => "comptoir",
            Format::Dcat => "dcat",
            Format::Chatons => "chatons",
            Format::Geojson => "geojson",
        }
    }

    fn parse_to(
        self,
        bytes: &[u8],
        ctx: &ImportContext<'_>,
        mapping: Option<&geojson::Mapping>,
        sink: Sink,
    ) -> Parsed {
        match self {
            Format::Mediation => mediation::parse_to(bytes, ctx, Some(sink)),
            Format::Sill => sill::parse_to(bytes, ctx, Some(sink)),
            Format::Json => native::parse_to(bytes, ctx, Some(sink)),
            Format::Csv => flat::parse_to(bytes, ctx, Some(sink)),
            Format::Comptoir => comptoir::parse_to(bytes, ctx, Some(sink)),
            Format::Dcat => dcat::parse_to(bytes, ctx, Some(sink)),
            Format::Chatons => chatons::parse_to(bytes, ctx, Some(sink)),
            Format::Geojson => match mapping {
                Some(m) => geojson::parse_to(bytes, ctx, m, Some(sink)),
                None => {
                    let mut p = Parsed::default();
                    p.problems.push(Problem {
                        file: ctx.file.to_string(),
                        line: 0,
                        field: String::new(),
                        reason: "a GeoJSON import needs a mapping file (--mapping MAP.toml)".into(),
                    });
                    p.stopped = true;
                    p
                }
            },
        }
    }

    /// Whether a record of this format is only ever created, never
    /// updated (the médiation file's communes: see
    /// `mediation::create_only`).
    fn create_only(self, e: &Entity) -> bool {
        self == Format::Mediation && mediation::create_only(e)
    }
}

/// What to import.
pub struct ImportRequest<'a> {
    pub format: Format,
    /// The whole file. The parsers read a file whole (line numbers, a
    /// record's raw bytes for the rejects file); the caller bounds how much
    /// it reads.
    pub bytes: &'a [u8],
    /// The file's name (messages, and the records' provenance: it must be
    /// one line of text), the source name (the middle part of the records'
    /// identifiers), the time and the content records are checked against.
    pub context: ImportContext<'a>,
    /// Write the valid records and set the invalid ones aside, instead of
    /// writing nothing when one record is invalid.
    pub skip_invalid: bool,
    /// How a GeoJSON file's properties become records ([`Format::Geojson`]
    /// only; `None` for the other formats).
    pub mapping: Option<&'a geojson::Mapping>,
}

/// Checks what an import's context names before anything is read or
/// written: the file name can be recorded as the records' provenance (one
/// line of text), the source name can be part of an identifier. [`run`]
/// checks it first; a caller may check it before it reads the file or
/// opens the registry.
pub fn check(ctx: &ImportContext<'_>) -> Result<(), ImportError> {
    if let Err(reason) = archipel_domain::check_text(&ctx.file, TextKind::Line) {
        return Err(ImportError::FileName {
            file: archipel_domain::echo(&ctx.file),
            reason,
        });
    }
    if EntityId::new(EntityKind::Actor, &ctx.source, "x").is_err() {
        return Err(ImportError::Source {
            name: archipel_domain::echo(&ctx.source),
        });
    }
    Ok(())
}

/// What an import did: everything a caller says about it.
#[derive(Debug)]
pub struct ImportReport {
    /// Records read (data rows, items), valid or not.
    pub records: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Every problem found, as `FILE:LINE: field: reason`, in file order.
    pub problems: Vec<Problem>,
    /// The rejected records as the file wrote them, byte for byte, and the
    /// extension of a rejects file for them (`Rejects::to_bytes`).
    pub rejects: Rejects,
    /// The file itself could not be used (empty, a header that cannot be
    /// used, JSON that is not JSON): nothing was written, even with
    /// `skip_invalid`.
    pub stopped: bool,
    /// What was written; `None` when nothing was (the transaction was
    /// rolled back: see the module's documentation). Records the médiation file only
    /// creates and found already there count as unchanged.
    pub written: Option<WriteSummary>,
    /// How long the import took, reading to commit.
    pub seconds: f64,
}

impl ImportReport {
    /// Records read and valid.
    pub fn valid(&self) -> usize {
        self.records.saturating_sub(self.rejected)
    }
}

/// Why an import could not be carried out. In every case nothing was
/// written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file name cannot be recorded as the records' provenance.
    #[error("{file}: this file name cannot be recorded as the records' provenance ({reason}); rename the file")]
    FileName {
        /// The name, quoted for a message.
        file: String,
        reason: String,
    },
    /// The source name cannot be part of an identifier.
    #[error("source name {name}: use letters, digits and dashes")]
    Source {
        /// The name, quoted for a message.
        name: String,
    },
    #[error("{file}: cannot start the import")]
    Thread {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The official divisions built into the program cannot be read (a
    /// build defect).
    #[error("the official divisions cannot be read; nothing was imported")]
    Divisions(#[source] territories::DivisionsError),
    #[error("{file}: the parser stopped unexpectedly; nothing was imported")]
    ParserCrashed { file: String },
    /// The registry could not be written (busy, a reference to a record
    /// that does not exist, a full disk…). `problems` are those the parser
    /// had found by then.
    #[error("{file}: nothing was imported")]
    Write {
        file: String,
        problems: Vec<Problem>,
        #[source]
        source: StoreError,
    },
}

/// Why the writer abandoned the transaction.
enum Stop {
    /// Nothing may be written (`must_abort`): not an error.
    Invalid,
    Crashed,
    Store(StoreError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// Channel capacities, in chunks of records (a parser sends chunks of
/// 1,024): parsed → encoder, encoder → writer.
const QUEUE: usize = 16;
/// Emptied chunks kept for the encoder to fill again.
const SPARES: usize = 4;

/// Imports `request` into `store` (see the module's documentation).
/// `progress` is called from the calling thread as records are written.
pub fn run(
    store: &mut Store,
    request: ImportRequest<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let ImportRequest {
        format,
        bytes,
        context: mut ctx,
        skip_invalid,
        mapping,
    } = request;
    check(&ctx)?;
    if format == Format::Mediation && ctx.communes.is_none() {
        ctx.communes = official_communes(store).map_err(|e| match e {
            Official::Store(source) => ImportError::Write {
                file: ctx.file.to_string(),
                problems: Vec::new(),
                source,
            },
            Official::Divisions(e) => ImportError::Divisions(e),
        })?;
    }
    let file: &str = &ctx.file;
    let started = std::time::Instant::now();
    let expected = expected_records(bytes);
    let total = expected as u64;
    progress(Progress { done: 0, total });

    let (tx, parsed_rx) = sync_channel::<Vec<Entity>>(QUEUE);
    let (prepared_tx, rx) = sync_channel::<archipel_store::Result<Vec<Prepared>>>(QUEUE);
    let (used_tx, used_rx) = channel::<Vec<Prepared>>();
    // Emptied chunks go back to the encoder to be filled again: a chunk is
    // over half a megabyte, and allocating a new one each time costs page
    // faults once the allocator has returned the old one to the system.
    let (spare_tx, spare_rx) = sync_channel::<Vec<Prepared>>(SPARES);
    let sink = Sink {
        chunks: tx,
        // The writer will roll back anyway: it need not receive more.
        halt_on_problem: !skip_invalid,
    };
    // The Comptoir's software may already be in the registry from
    // another source (the SILL): found here, updated there.
    let known = if format == Format::Comptoir {
        Some(
            crate::catalogue_link::Known::read(store, &ctx.source).map_err(|source| {
                ImportError::Write {
                    file: file.to_string(),
                    problems: Vec::new(),
                    source,
                }
            })?,
        )
    } else {
        None
    };
    let ctx = &ctx;
    let mut parsed: Option<Parsed> = None;
    let written = std::thread::scope(|scope| {
        let thread = |name: &str| std::thread::Builder::new().name(name.into());
        let cannot = |source: std::io::Error| ImportError::Thread {
            file: file.to_string(),
            source,
        };
        let parser = thread("parse")
            .spawn_scoped(scope, move || format.parse_to(bytes, ctx, mapping, sink))
            .map_err(cannot)?;
        thread("encode")
            .spawn_scoped(scope, move || {
                let mut matcher = known.as_ref().map(crate::catalogue_link::Matcher::new);
                for chunk in parsed_rx {
                    let chunk: Vec<Entity> = match &mut matcher {
                        Some(m) => chunk.into_iter().map(|e| m.reconcile(e)).collect(),
                        None => chunk,
                    };
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
        let written = store.try_write_bulk(
            &ctx.source,
            format.name(),
            Some(file),
            expected,
            |w| -> Result<u64, Stop> {
                // Owned here, so that if writing fails the channels close
                // and the threads feeding them stop instead of waiting.
                let (rx, used_tx) = (rx, used_tx);
                let mut skipped = 0u64;
                let mut done = 0u64;
                for chunk in rx {
                    let chunk = chunk?;
                    for p in &chunk {
                        let e = &p.entity;
                        if format.create_only(e) && w.exists(e.id())? {
                            skipped += 1;
                        } else {
                            w.upsert_prepared(p)?;
                        }
                    }
                    done += chunk.len() as u64;
                    progress(Progress { done, total });
                    // If the freeing thread is gone, drop here.
                    let _ = used_tx.send(chunk);
                }
                // The channel is closed: the parser is done.
                let found = parser.join().map_err(|_| Stop::Crashed)?;
                let abort = must_abort(&found, skip_invalid);
                parsed = Some(found);
                if abort {
                    return Err(Stop::Invalid);
                }
                Ok(skipped)
            },
        );
        Ok(written)
    })?;
    let file = file.to_string();
    let (parsed, written) = match (parsed, written) {
        (Some(parsed), Ok((skipped, mut summary))) => {
            summary.unchanged += skipped;
            (parsed, Some(summary))
        }
        (Some(parsed), Err(Stop::Invalid)) => (parsed, None),
        (parsed, Err(Stop::Store(source))) => {
            return Err(ImportError::Write {
                file,
                problems: parsed.map(|p| p.problems).unwrap_or_default(),
                source,
            })
        }
        // The writer sets `parsed` before it returns anything else: what
        // is left is a parser that did not finish.
        (None, _) | (_, Err(Stop::Crashed)) => return Err(ImportError::ParserCrashed { file }),
    };
    Ok(ImportReport {
        records: parsed.records,
        rejected: parsed.rejected,
        problems: parsed.problems,
        rejects: parsed.rejects,
        stopped: parsed.stopped,
        written,
        seconds: started.elapsed().as_secs_f64(),
    })
}

enum Official {
    Store(StoreError),
    Divisions(territories::DivisionsError),
}

/// The official communes the registry holds, if any: places and actors
/// read from a file are attached to them.
fn official_communes(store: &Store) -> Result<Option<Arc<territories::Communes>>, Official> {
    let ids = store
        .ids_of(EntityKind::Territory, "commune", territories::SOURCE)
        .map_err(Official::Store)?;
    if ids.is_empty() {
        return Ok(None);
    }
    let divisions = territories::official().map_err(Official::Divisions)?;
    Ok(Some(Arc::new(territories::Communes::new(divisions, ids))))
}

/// Whether nothing may be written: the file could not be read through, or
/// it has problems and invalid records may not be set aside (or no valid
/// record is left). The one place an import decides it.
fn must_abort(parsed: &Parsed, skip_invalid: bool) -> bool {
    let valid = parsed.records.saturating_sub(parsed.rejected);
    parsed.stopped || (!parsed.problems.is_empty() && (!skip_invalid || valid == 0))
}

/// About how many records a file holds: its lines, or one per 2 KiB for
/// a file of long lines (JSON). It sizes the writer's batch (a bulk load
/// or not) and the progress. memchr looks for line breaks with vector
/// instructions: a byte-by-byte count took some 70 ms of a 44 MB file,
/// before any thread starts.
fn expected_records(bytes: &[u8]) -> usize {
    let lines = memchr::memchr_iter(b'\n', bytes).count();
    lines.max(bytes.len() / 2048)
}
