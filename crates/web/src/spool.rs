//! Exports kept on disk until the registry changes. An export is the
//! whole registry written out (0.8 s and 57 MB for 150,000 records): made
//! again for every download, 64 clients asking for it kept both cores
//! busy for 2 answers a second. The spool writes each export once per
//! revision of the registry, into a private temporary folder, with the
//! same function as `archipel export -o` (whole or not at all), and
//! serves the file from there, streamed from disk: memory stays a few
//! buffers per download, and the registry is read once per change rather
//! than once per download.
//!
//! Only the latest revision of each export is kept: when a newer one is
//! written, the older file is removed (a download already reading it
//! keeps its open file to the end). The folder is removed when the server
//! stops. At most one file per export (eight files, the size of the
//! registry's exports), on the disk of the system's temporary folder.
//! Whatever fails here (no temporary folder, a full disk), the download
//! is streamed as it is written instead, as without a spool.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub struct Spool {
    dir: tempfile::TempDir,
    /// Per export file: the registry's revision it was written at, and
    /// where.
    kept: Mutex<HashMap<&'static str, (String, PathBuf)>>,
    /// A counter naming new files.
    names: AtomicU64,
    /// Files written and kept so far.
    written: AtomicU64,
}

impl Spool {
    /// A spool in a new private folder of the system's temporary folder,
    /// or `None` (said in the log) when it cannot be made.
    pub fn new() -> Option<Spool> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("archipel-exports-");
        // The server's alone (the files are public data, but another
        // user of the machine has no business changing them).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        match builder.tempdir() {
            Ok(dir) => Some(Spool {
                dir,
                kept: Mutex::new(HashMap::new()),
                names: AtomicU64::new(0),
                written: AtomicU64::new(0),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "no folder for exports: they are streamed as written");
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, (String, PathBuf)>> {
        match self.kept.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The file of `export` written at `revision`, opened, with its length.
    pub async fn open(&self, export: &str, revision: &str) -> Option<(tokio::fs::File, u64)> {
        let path = match self.lock().get(export) {
            Some((rev, path)) if rev == revision => path.clone(),
            _ => return None,
        };
        let file = tokio::fs::File::open(&path).await.ok()?;
        let len = file.metadata().await.ok()?.len();
        Some((file, len))
    }

    /// Where to write a new file for `export` (a name never used before).
    pub fn path_for(&self, export: &str) -> PathBuf {
        let n = self.names.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("{n}-{export}"))
    }

    /// Records `path` as `export` at `revision`, removing the file it
    /// replaces.
    pub fn keep(&self, export: &'static str, revision: String, path: PathBuf) {
        self.written.fetch_add(1, Ordering::Relaxed);
        let old = self.lock().insert(export, (revision, path));
        if let Some((_, old)) = old {
            if let Err(e) = std::fs::remove_file(&old) {
                tracing::warn!(file = %old.display(), error = %e, "could not remove an old export");
            }
        }
    }

    /// Files written and kept since the start.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// The spool's folder.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}
