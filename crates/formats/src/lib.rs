//! Archipel's imports and exports, as pure functions from bytes to records
//! and back.
//!
//! Each format lives in its own module: [`mediation`] (the national schema
//! "lieux de médiation numérique"), [`sill`] (the interministerial free
//! software catalogue, JSON or CSV), [`native`] (Archipel's own lossless
//! JSON), [`flat`] (one CSV per entity kind) and [`geojson`] (export, and
//! import through a mapping file), and the field's other sources:
//! [`comptoir`] (the Comptoir du Libre's export), [`dcat`] (DCAT
//! catalogues in JSON-LD) and [`chatons`] (ChatonsInfos files); [`ical`]
//! writes events as iCalendar.
//!
//! A parser reads a whole file and returns a [`Parsed`]: the valid records,
//! every problem found as `FILE:LINE: field: reason`, and the raw bytes of
//! the rejected records so the caller can write a rejects file. It never
//! touches the database: deciding whether to write (all-or-nothing, or the
//! valid records only) is the caller's job, and the store's transaction
//! makes it atomic. A problem with the file itself (empty, not UTF-8 JSON,
//! a header that cannot be used) sets [`Parsed::stopped`]: then nothing
//! may be written, even with `--skip-invalid`.
//!
//! Every parser reads through `read` (line numbers counted from byte
//! offsets, record size limit, encoding errors) and checks each record with
//! `Content::check_entity`, which applies the domain's rule for each field
//! (text, links, e-mail addresses) before the vocabularies.
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

pub mod actions;
pub mod chatons;
pub mod comptoir;
pub mod dcat;
pub mod dispositif;
pub mod flat;
pub mod geojson;
pub mod ical;
pub mod licence;
pub mod mediation;
pub mod native;
mod read;
pub mod scdl;
pub mod sill;
pub mod spreadsheet;
mod table_schema;
pub mod territories;

pub use read::MAX_RECORD_BYTES;
pub(crate) use read::{column_index, csv_reader, each_record, each_record_raw, strip_bom};

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
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else if self.field.is_empty() {
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

/// Rejected records as the input wrote them, byte for byte, ready to be
/// written as a rejects file in the input's own format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejects {
    /// File extension of the rejects file (`csv`, `json`).
    pub extension: &'static str,
    /// The header line to put before the records (CSV), with its line break.
    pub header: Option<Vec<u8>>,
    /// One entry per rejected record (a CSV row with its line break, a
    /// JSON item).
    pub records: Vec<Vec<u8>>,
}

impl Rejects {
    /// The rejects file's whole content.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.extension == "json" {
            out.extend_from_slice(b"[\n");
            for (i, r) in self.records.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b",\n");
                }
                out.extend_from_slice(r);
            }
            out.extend_from_slice(b"\n]\n");
            return out;
        }
        if let Some(h) = &self.header {
            out.extend_from_slice(h);
        }
        for r in &self.records {
            out.extend_from_slice(r);
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
    /// The file itself could not be read through (empty, not UTF-8 JSON,
    /// a header that cannot be used…): nothing may be imported from it,
    /// even with `--skip-invalid`. The problems say why.
    pub stopped: bool,
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

    /// Records a problem that stops the reading of the file.
    pub(crate) fn stop(&mut self, p: Problem) {
        self.problems.push(p);
        self.stopped = true;
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

/// Characters of a problem's field name shown (a column name from the input).
const FIELD_CHARS: usize = 60;
/// Characters of a problem's reason shown.
const REASON_CHARS: usize = 600;

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
    /// The official communes the registry holds, when it holds them:
    /// places and actors are attached to them (`territories::Communes`).
    pub communes: Option<std::sync::Arc<territories::Communes>>,
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
            communes: None,
        }
    }

    /// A problem on `line`. The field and reason may quote the input (a
    /// column name, a value, a JSON parser's message): they are bounded and
    /// their control and invisible characters escaped here, whatever the
    /// caller did.
    pub(crate) fn problem(&self, line: u64, field: &str, reason: impl Into<String>) -> Problem {
        Problem {
            file: self.file.to_string(),
            line,
            field: archipel_domain::printable(field, FIELD_CHARS),
            reason: archipel_domain::printable(&reason.into(), REASON_CHARS),
        }
    }

    pub(crate) fn provenance(&self, line: u64) -> archipel_domain::Provenance {
        archipel_domain::Provenance::new(self.source.clone(), self.now).at(self.file.clone(), line)
    }
}

/// Errors of a format's writer (the import side reports [`Problem`]s).
/// Each says what failed, and its source why, once.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output could not be written (a full disk, a closed pipe).
    #[error("writing the export")]
    Write(#[source] std::io::Error),
    #[error("encoding CSV")]
    Csv(#[source] csv::Error),
    #[error("encoding JSON")]
    Json(#[source] serde_json::Error),
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

/// Checks a record's values (the domain's rule for each field: text,
/// links, e-mail addresses) and its vocabulary keys, through
/// `Content::check_entity`, and reports problems on `line`.
pub(crate) fn entity_problems(ctx: &ImportContext<'_>, line: u64, e: &Entity) -> Vec<Problem> {
    ctx.content
        .check_entity(e)
        .into_iter()
        .map(|(field, reason)| ctx.problem(line, &field, reason))
        .collect()
}

/// A timestamp as the records' JSON form writes it.
pub(crate) fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Checks a record read from one of Archipel's own formats (identifier
/// syntax, coordinates, values, vocabularies, no duplicate id in the file)
/// and accepts it when nothing is wrong. `field` names a field of the
/// record (a path of its JSON form) as the file does.
pub(crate) fn accept_checked(
    parsed: &mut Parsed,
    ctx: &ImportContext<'_>,
    line: u64,
    e: Entity,
    seen: &mut std::collections::HashSet<archipel_domain::EntityId>,
    field: impl Fn(&str) -> String,
) {
    let before = parsed.problems.len();
    let details = match &e {
        Entity::Place(p) => mediation::details_problems(&p.details),
        _ => Vec::new(),
    };
    let found = native::record_problems(&e)
        .into_iter()
        .chain(ctx.content.check_entity(&e))
        .chain(details);
    for (f, r) in found {
        parsed.problems.push(ctx.problem(line, &field(&f), r));
    }
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
