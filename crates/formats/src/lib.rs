//! Archipel's imports and exports, as pure functions from bytes to records
//! and back.
//!
//! Each format lives in its own module: [`mediation`] (the national schema
//! "lieux de médiation numérique"), [`sill`] (the interministerial free
//! software catalogue, JSON or CSV), [`native`] (Archipel's own lossless
//! JSON), [`flat`] (one CSV per entity kind) and [`geojson`].
//!
//! A parser reads a whole file and returns a [`Parsed`]: the valid records,
//! every problem found as `FILE:LINE: field: reason`, and the raw text of the
//! rejected records so the caller can write a rejects file. It never
//! touches the database: deciding whether to write (all-or-nothing, or the
//! valid records only) is the caller's job, and the store's transaction
//! makes it atomic.
//!
//! ```
//! use archipel_formats::{mediation, ImportContext};
//! let content = archipel_content::Content::embedded().unwrap();
//! let csv = "id,pivot,nom,commune,code_postal,adresse,date_maj\n\
//!            s1,43493312300029,Tiers-lieu du Port,Brest,29200,1 quai Est,2024-04-02\n";
//! let ctx = ImportContext::new("places.csv", "mediation", &content);
//! let parsed = mediation::parse(csv.as_bytes(), &ctx);
//! assert!(parsed.problems.is_empty());
//! // One place, and the actor that runs it.
//! assert_eq!(parsed.entities.len(), 2);
//! ```

pub mod export;
pub mod flat;
pub mod geojson;
pub mod licence;
pub mod mediation;
pub mod native;
pub mod sill;
pub mod spreadsheet;
mod table_schema;

use archipel_content::Content;
use archipel_domain::Entity;
use chrono::{DateTime, SubsecRound, Utc};
use std::fmt;

/// One thing wrong with the input, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line of the record in the file (0 when the whole file is at fault).
    pub line: u64,
    /// The column or key at fault (empty when the whole record is).
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)
        } else {
            write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, self.field, self.reason
            )
        }
    }
}

/// Raw text of rejected records, ready to be written as a rejects file in
/// the input's own format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejects {
    /// File extension of the rejects file (`csv`, `json`).
    pub extension: &'static str,
    /// The header line(s) to put before the records (CSV header).
    pub header: Option<String>,
    /// One entry per rejected record, as it should appear in the file.
    pub records: Vec<String>,
}

impl Rejects {
    /// The rejects file's whole text.
    pub fn to_text(&self) -> String {
        if self.extension == "json" {
            return format!("[\n{}\n]\n", self.records.join(",\n"));
        }
        let mut out = String::new();
        if let Some(h) = &self.header {
            out.push_str(h);
        }
        for r in &self.records {
            out.push_str(r);
        }
        out
    }
}

/// Where a streaming parser sends valid records, in chunks, while it reads.
pub struct Sink {
    pub chunks: std::sync::mpsc::SyncSender<Vec<Entity>>,
    /// Stop sending once a problem is found (all-or-nothing imports: the
    /// writer will roll back anyway, so it need not receive more).
    pub halt_on_problem: bool,
}

/// Records per chunk sent to a [`Sink`].
const CHUNK: usize = 1024;

/// What a parser found in a file.
#[derive(Default)]
pub struct Parsed {
    /// Valid records, in file order; a record that several rows describe
    /// (an actor running several places) appears once.
    pub entities: Vec<Entity>,
    pub problems: Vec<Problem>,
    pub rejects: Rejects,
    /// Records read (data rows, items), valid or not.
    pub records: usize,
    /// Records rejected.
    pub rejected: usize,
    sink: Option<Sink>,
}

impl Parsed {
    pub(crate) fn new(extension: &'static str, sink: Option<Sink>) -> Parsed {
        Parsed {
            rejects: Rejects {
                extension,
                ..Rejects::default()
            },
            entities: Vec::with_capacity(if sink.is_some() { CHUNK } else { 0 }),
            sink,
            ..Parsed::default()
        }
    }

    /// Takes a valid record: keeps it, or sends it on when streaming.
    pub(crate) fn accept(&mut self, e: Entity) {
        if let Some(s) = &self.sink {
            if s.halt_on_problem && !self.problems.is_empty() {
                self.sink = None;
                self.entities.clear();
                return;
            }
        }
        self.entities.push(e);
        if self.entities.len() >= CHUNK {
            self.send();
        }
    }

    fn send(&mut self) {
        if let Some(s) = &self.sink {
            // The next chunk starts at its full size rather than growing
            // (and moving its records) ten times on the way.
            let chunk = std::mem::replace(&mut self.entities, Vec::with_capacity(CHUNK));
            if s.chunks.send(chunk).is_err() {
                // The writer has gone: keep parsing to report problems.
                self.sink = None;
            }
        }
    }

    /// Sends what is left; called when the parser is done. Dropping the
    /// sink closes the channel.
    pub(crate) fn finish(mut self) -> Parsed {
        if self.sink.as_ref().is_some_and(|s| s.halt_on_problem) && !self.problems.is_empty() {
            self.entities.clear();
        } else {
            self.send();
        }
        self.sink = None;
        self
    }
}

/// What a parser needs to know besides the bytes.
pub struct ImportContext<'a> {
    /// The file name as the user gave it, used in messages and provenance
    /// (shared by the records read: each holds a reference, not a copy).
    pub file: std::sync::Arc<str>,
    /// The source name that prefixes the records' identifiers.
    pub source: std::sync::Arc<str>,
    /// Creation and change time for new records.
    pub now: DateTime<Utc>,
    pub content: &'a Content,
}

impl<'a> ImportContext<'a> {
    pub fn new(
        file: impl Into<std::sync::Arc<str>>,
        source: impl Into<std::sync::Arc<str>>,
        content: &'a Content,
    ) -> Self {
        ImportContext {
            file: file.into(),
            source: source.into(),
            now: Utc::now().trunc_subsecs(0),
            content,
        }
    }

    pub(crate) fn problem(&self, line: u64, field: &str, reason: impl Into<String>) -> Problem {
        Problem {
            file: self.file.to_string(),
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn provenance(&self, line: u64) -> archipel_domain::Provenance {
        archipel_domain::Provenance::new(self.source.clone(), self.now).at(self.file.clone(), line)
    }
}

/// Errors of the export side (the import side reports [`Problem`]s). Each
/// says what failed, and its source why, once.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output could not be written (a full disk, a closed pipe).
    #[error("writing the export")]
    Write(#[source] std::io::Error),
    /// The registry could not be read.
    #[error("reading the registry")]
    Store(#[from] archipel_store::StoreError),
    #[error("encoding CSV")]
    Csv(#[source] csv::Error),
    #[error("encoding JSON")]
    Json(#[source] serde_json::Error),
    /// The export to a file failed; a regular file that was there is as
    /// it was (`kept`).
    #[error("{}: export not written{}", path.display(), if *kept { " (the file already there is left as it was)" } else { "" })]
    File {
        path: std::path::PathBuf,
        kept: bool,
        #[source]
        source: Box<ExportError>,
    },
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Write(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        if e.is_io_error() {
            if let csv::ErrorKind::Io(io) = e.into_kind() {
                return ExportError::Write(io);
            }
            // `is_io_error` said it was one.
            return ExportError::Write(std::io::Error::other("CSV output failed"));
        }
        ExportError::Csv(e)
    }
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            return ExportError::Write(e.into());
        }
        ExportError::Json(e)
    }
}

/// Turns a CSV record back into one line of CSV text (for rejects files).
pub(crate) fn csv_line(record: &csv::StringRecord) -> String {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let _ = w.write_record(record);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Checks a record against the content's vocabularies and reports problems
/// on `line`.
pub(crate) fn vocabulary_problems(ctx: &ImportContext<'_>, line: u64, e: &Entity) -> Vec<Problem> {
    ctx.content
        .check_entity(e)
        .into_iter()
        .map(|(field, reason)| ctx.problem(line, &field, reason))
        .collect()
}

/// Drops a UTF-8 byte order mark, which spreadsheet programs like to add.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A timestamp as the records' JSON form writes it.
pub(crate) fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Opens a CSV file and reads its header; a header that cannot be read is
/// recorded as a problem on line 1.
pub(crate) fn csv_reader<'b>(
    bytes: &'b [u8],
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
) -> Option<(csv::Reader<&'b [u8]>, csv::StringRecord)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(strip_bom(bytes));
    match rdr.headers() {
        Ok(h) => {
            let h = h.clone();
            parsed.rejects.header = Some(csv_line(&h));
            Some((rdr, h))
        }
        Err(e) => {
            parsed
                .problems
                .push(ctx.problem(1, "", format!("unreadable CSV header: {e}")));
            None
        }
    }
}

/// Calls `f` on each record with the line it starts on. A record for which
/// `f` reports problems is counted as rejected and kept for the rejects
/// file. A record that cannot be read at all ends the file.
pub(crate) fn each_record(
    rdr: &mut csv::Reader<&[u8]>,
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
    mut f: impl FnMut(&csv::StringRecord, u64, &mut Parsed),
) {
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                parsed
                    .problems
                    .push(ctx.problem(line, "", format!("unreadable CSV: {e}")));
                parsed.rejected += 1;
                break;
            }
        }
        parsed.records += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let before = parsed.problems.len();
        f(&record, line, parsed);
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            parsed.rejects.records.push(csv_line(&record));
        }
    }
}

/// Checks a record read from one of Archipel's own formats (identifier
/// syntax, coordinates, vocabularies, no duplicate id in the file) and
/// accepts it when nothing is wrong.
pub(crate) fn accept_checked(
    parsed: &mut Parsed,
    ctx: &ImportContext<'_>,
    line: u64,
    e: Entity,
    seen: &mut std::collections::HashSet<archipel_domain::EntityId>,
) {
    let before = parsed.problems.len();
    for (f, r) in native::record_problems(&e) {
        parsed.problems.push(ctx.problem(line, &f, r));
    }
    parsed.problems.extend(vocabulary_problems(ctx, line, &e));
    if !seen.insert(e.id().clone()) {
        parsed.problems.push(ctx.problem(
            line,
            "id",
            format!("`{}` appears twice in the file", e.id()),
        ));
    }
    if parsed.problems.len() == before {
        parsed.accept(e);
    }
}
