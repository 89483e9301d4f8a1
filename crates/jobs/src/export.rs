//! The registry in one of the formats the field uses: the one function
//! behind `archipel export` and the web's `/api/v1/exports/` files.
//!
//! [`write`] reads the registry one record at a time through the store's
//! [`Store::for_each`], inside one snapshot, and hands each record to the
//! format's writer (`archipel_formats`), which writes as it reads: an
//! export takes about the same memory for ten records as for a million.
//! Every error is returned, the registry's included (a place whose
//! operator cannot be read is an error, not a place without operator).
//! [`write_file`] writes a file whole or not at all: into a temporary file
//! beside it, synced, then renamed over it.

use archipel_domain::{Entity, EntityKind};
use archipel_formats::{flat, geojson, mediation, native};
use archipel_store::{Store, StoreError};
use std::io::Write;
use std::path::Path;

/// Why an export failed. Each variant says what failed, and its source
/// why, once.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output could not be written (a full disk, a closed pipe), or a
    /// record not encoded: the format writer's error.
    #[error(transparent)]
    Format(#[from] archipel_formats::ExportError),
    /// The registry could not be read.
    #[error("reading the registry")]
    Store(#[from] StoreError),
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
        ExportError::Format(archipel_formats::ExportError::Write(e))
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Every record, lossless (Archipel JSON).
    Json,
    /// Places and actors that have coordinates (GeoJSON).
    Geojson,
    /// Places as the national schema "lieux de médiation numérique" (CSV).
    Mediation,
    /// The records of one kind as CSV (columns of [`flat`]).
    Csv(EntityKind),
}

/// Writes the registry as `what` to `out`.
pub fn write(store: &Store, what: Export, out: &mut dyn Write) -> Result<(), ExportError> {
    store.in_snapshot(|store| match what {
        Export::Json => {
            let mut w = native::Writer::begin(out)?;
            for kind in EntityKind::ALL {
                store.for_each::<ExportError>(kind, |e| Ok(w.record(&e)?))?;
            }
            Ok(w.finish()?)
        }
        Export::Geojson => {
            let mut w = geojson::Writer::begin(out)?;
            for kind in [EntityKind::Actor, EntityKind::Place] {
                store.for_each::<ExportError>(kind, |e| Ok(w.record(&e)?))?;
            }
            Ok(w.finish()?)
        }
        Export::Mediation => {
            let mut w = mediation::Writer::begin(out)?;
            // Places of one operator tend to follow each other.
            let mut last: Option<archipel_domain::Actor> = None;
            store.for_each::<ExportError>(EntityKind::Place, |e| {
                let Entity::Place(p) = e else {
                    return Ok(());
                };
                let actor = match &p.actor {
                    Some(id) if last.as_ref().is_some_and(|a| &a.id == id) => last.as_ref(),
                    Some(id) => {
                        last = match store.get(id)? {
                            Some(Entity::Actor(a)) => Some(a),
                            _ => None,
                        };
                        last.as_ref()
                    }
                    None => None,
                };
                Ok(w.place(&p, actor)?)
            })?;
            Ok(w.finish()?)
        }
        Export::Csv(kind) => {
            let mut w = flat::Writer::begin(kind, out)?;
            store.for_each::<ExportError>(kind, |e| Ok(w.record(&e)?))?;
            Ok(w.finish()?)
        }
    })
}

/// [`write`] into the file at `path`, whole or not at all (see [`to_file`]).
pub fn write_file(store: &Store, what: Export, path: &Path) -> Result<(), ExportError> {
    to_file(path, |out| write(store, what, out))
}

/// Runs `f` to write the file at `path`. A regular file (or a new one) is
/// written into a temporary file in the same folder, synced to the disk
/// and renamed over `path` only once `f` has succeeded: a failure — a
/// full disk, an unreadable record — leaves no partial file, and a file
/// that was there as it was. Something else at `path` (standard output, a
/// pipe, a device) is written directly.
pub fn to_file(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let failed = |kept: bool| {
        move |e: ExportError| ExportError::File {
            path: path.to_path_buf(),
            kept,
            source: Box::new(e),
        }
    };
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let direct = || -> Result<(), ExportError> {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            let mut out = std::io::BufWriter::with_capacity(BUFFER, file);
            f(&mut out)?;
            out.flush()?;
            Ok(())
        };
        return direct().map_err(failed(false));
    }
    let replace = || -> Result<(), ExportError> {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            // The permissions of the file replaced, or those a new file
            // gets (0666 less the umask), not the temporary file's 0600.
            use std::os::unix::fs::PermissionsExt;
            let mode = existing
                .as_ref()
                .map_or(0o666, |m| m.permissions().mode() & 0o7777);
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let tmp = builder.tempfile_in(folder)?;
        {
            let mut out = std::io::BufWriter::with_capacity(BUFFER, tmp.as_file());
            f(&mut out)?;
            out.flush()?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        // The rename itself reaches the disk with the folder.
        #[cfg(unix)]
        if let Ok(dir) = std::fs::File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    };
    replace().map_err(failed(existing.is_some()))
}

/// Output buffer of a file export.
const BUFFER: usize = 64 * 1024;
