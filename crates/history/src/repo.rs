//! Opening a repository, reading its `HEAD` tree, analysing its history.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use gix::bstr::ByteSlice;
use gix::objs::Find;
use gix::ObjectId;

use crate::model::{History, Note, Tag, Tags};
use crate::stats::{self, to_date};
use crate::walk::{self, split_signature};
use crate::{Affiliations, Error};

/// How to analyse a history.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// The reference date of the windows (last 90 and 365 days). Pass the
    /// current time in the command, a fixed date in tests.
    pub now: DateTime<Utc>,
    /// Only count commits authored at or after this date.
    pub since: Option<DateTime<Utc>>,
    /// Performance knob: after this many commits decoded one by one (and at
    /// least one per 100 packed objects), if the history goes on, decode all
    /// the commits of the pack files in bulk on every core and follow that
    /// table ([`DEFAULT_PACK_SCAN_AFTER`]). Same figures either way; tests
    /// set 0 to exercise the bulk path.
    pub pack_scan_after: u64,
}

/// Default of [`HistoryOptions::pack_scan_after`]: short histories are walked
/// one commit at a time, long ones switch to the bulk pack scan.
pub const DEFAULT_PACK_SCAN_AFTER: u64 = 10_000;

impl HistoryOptions {
    /// Options with `now` and no lower bound.
    pub fn at(now: DateTime<Utc>) -> Self {
        HistoryOptions {
            now,
            since: None,
            pack_scan_after: DEFAULT_PACK_SCAN_AFTER,
        }
    }
}

/// An open repository: a work tree or a bare repository.
pub struct Repo {
    inner: gix::Repository,
    path: PathBuf,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("path", &self.path).finish()
    }
}

/// Upper bound of a blob read by [`Repo::read_head_file`] unless told otherwise.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl Repo {
    /// Opens the repository at `path`: a work tree (its top folder or any
    /// folder inside it), its `.git` folder, or a bare repository. Only the
    /// repository's own configuration is read (not the user's nor the
    /// system's), so results do not depend on who runs the analysis.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let mut opts = gix::open::Options::isolated();
        opts = opts.strict_config(false);
        let inner = match gix::open_opts(path, opts.clone()) {
            Ok(r) => r,
            Err(first) => {
                // A folder inside a work tree: look upwards, like git does.
                let discovered = gix::discover(path).map_err(|_| Error::Open {
                    path: path.to_path_buf(),
                    source: first.into(),
                })?;
                let git_dir = discovered.git_dir().to_path_buf();
                gix::open_opts(&git_dir, opts).map_err(|e| Error::Open {
                    path: path.to_path_buf(),
                    source: e.into(),
                })?
            }
        };
        Ok(Repo {
            inner,
            path: path.to_path_buf(),
        })
    }

    /// The path it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True for a bare repository (no work tree).
    pub fn is_bare(&self) -> bool {
        self.inner.workdir().is_none()
    }

    /// The work tree's top folder, if any.
    pub fn workdir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    /// The underlying gitoxide repository, for what this crate does not cover.
    pub fn gix(&self) -> &gix::Repository {
        &self.inner
    }

    /// The commit `HEAD` points to; `None` for an empty repository (unborn
    /// branch) or an unreadable `HEAD`.
    pub fn head_commit_id(&self) -> Option<ObjectId> {
        self.inner.head_id().ok().map(|id| id.detach())
    }

    fn head_tree_id(&self) -> Result<Option<ObjectId>, Error> {
        let Some(commit) = self.head_commit_id() else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        let data = self
            .inner
            .objects
            .try_find(&commit, &mut buf)
            .map_err(|e| Error::read(format!("commit {commit}"), e))?
            .ok_or_else(|| Error::MissingObject(commit.to_string()))?;
        let line = data.data.lines().next().unwrap_or_default();
        let hex = line.strip_prefix(b"tree ").ok_or_else(|| Error::Read {
            what: format!("commit {commit}: it has no tree"),
            source: None,
        })?;
        ObjectId::from_hex(hex)
            .map(Some)
            .map_err(|e| Error::read(format!("commit {commit}: its tree"), e))
    }

    /// Paths (`/`-separated, relative to the root) of the files in `HEAD`'s
    /// tree, sorted, down to `max_depth` folder levels (`Some(0)`: the root
    /// only; `None`: everything). Submodules are left out; subtrees missing
    /// from the object database are skipped. An empty repository has no file.
    pub fn head_paths(&self, max_depth: Option<usize>) -> Result<Vec<String>, Error> {
        let Some(root) = self.head_tree_id()? else {
            return Ok(Vec::new());
        };
        let hash = self.inner.object_hash();
        let mut out = Vec::new();
        let mut stack: Vec<(ObjectId, String, usize)> = vec![(root, String::new(), 0)];
        let mut buf = Vec::new();
        while let Some((tree, prefix, depth)) = stack.pop() {
            let data = match self.inner.objects.try_find(&tree, &mut buf) {
                Ok(Some(d)) if d.kind == gix::object::Kind::Tree => d,
                Ok(_) if depth > 0 => continue,
                Ok(_) => return Err(Error::MissingObject(tree.to_string())),
                Err(e) => return Err(Error::read(format!("tree {tree}"), e)),
            };
            for entry in gix::objs::TreeRefIter::from_bytes(data.data, hash) {
                let entry = entry.map_err(|e| Error::read(format!("tree {tree}"), e))?;
                let path = format!("{prefix}{}", entry.filename.to_str_lossy());
                if entry.mode.is_tree() {
                    if max_depth.is_none_or(|m| depth < m) {
                        stack.push((entry.oid.to_owned(), format!("{path}/"), depth + 1));
                    }
                } else if !entry.mode.is_commit() {
                    out.push(path);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Reads the file at `path` (`/`-separated) in `HEAD`'s tree. `Ok(None)`
    /// when there is no such file (or the repository is empty);
    /// [`Error::MissingObject`] when the tree names a blob that the snapshot
    /// lacks; [`Error::TooLarge`] beyond `max_bytes`.
    pub fn read_head_file(&self, path: &str, max_bytes: u64) -> Result<Option<Vec<u8>>, Error> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() || parts.iter().any(|p| *p == "." || *p == "..") {
            return Ok(None);
        }
        let Some(mut tree) = self.head_tree_id()? else {
            return Ok(None);
        };
        let hash = self.inner.object_hash();
        let mut buf = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let data = match self.inner.objects.try_find(&tree, &mut buf) {
                Ok(Some(d)) if d.kind == gix::object::Kind::Tree => d,
                Ok(Some(_)) => return Ok(None),
                Ok(None) => return Err(Error::MissingObject(tree.to_string())),
                Err(e) => return Err(Error::read(format!("tree {tree}"), e)),
            };
            let mut found = None;
            for entry in gix::objs::TreeRefIter::from_bytes(data.data, hash) {
                let entry = entry.map_err(|e| Error::read(format!("tree {tree}"), e))?;
                if entry.filename.as_bytes() == part.as_bytes() {
                    found = Some((entry.oid.to_owned(), entry.mode));
                    break;
                }
            }
            let Some((oid, mode)) = found else {
                return Ok(None);
            };
            let last = i + 1 == parts.len();
            match (last, mode.is_tree()) {
                (false, true) => tree = oid,
                (false, false) | (true, true) => return Ok(None),
                (true, false) => {
                    if mode.is_commit() {
                        return Ok(None);
                    }
                    let header = self
                        .inner
                        .try_find_header(oid)
                        .map_err(|e| Error::read(format!("{oid} ({path})"), e))?
                        .ok_or_else(|| Error::MissingObject(format!("{oid} ({path})")))?;
                    if header.size() > max_bytes {
                        return Err(Error::TooLarge {
                            path: path.to_string(),
                            size: header.size(),
                        });
                    }
                    let mut blob = Vec::new();
                    let data = self
                        .inner
                        .objects
                        .try_find(&oid, &mut blob)
                        .map_err(|e| Error::read(format!("{oid} ({path})"), e))?
                        .ok_or_else(|| Error::MissingObject(format!("{oid} ({path})")))?;
                    return Ok(Some(data.data.to_vec()));
                }
            }
        }
        Ok(None)
    }

    /// Analyses the history reachable from `HEAD`. Never fails: what cannot
    /// be read becomes a note. See [`History`] for the conventions.
    pub fn history(&self, options: &HistoryOptions, table: &Affiliations) -> History {
        let now = options.now;
        let since = options.since.map(|s| s.timestamp());
        let mut notes = Vec::new();
        let head = self.head_commit_id();

        let walked = match head {
            Some(h) => walk::walk(&self.inner, &[h], options.pack_scan_after),
            None => {
                notes.push(Note::new(
                    "empty_repository",
                    "HEAD points to no commit: the repository is empty or HEAD is unreadable.",
                ));
                walk::Walked::default()
            }
        };
        walk_notes(&walked, &mut notes);

        let mailmap = self.inner.open_mailmap();
        let people = stats::resolve_people(&walked, &mailmap, table);
        let t = stats::tally(&walked.commits, walked.idents.len(), since);
        let d = stats::derive(&t, &people);
        let organizations = stats::organizations(&d, &people);
        let (actor_kinds, distinct_actor_kinds, actor_kind_diversity) =
            stats::kinds(&organizations);
        let top_authors = stats::top_authors(&d, &t, &people, 10);
        let windows = [90u32, 365]
            .iter()
            .map(|&days| stats::window(&walked.commits, &people, days, now, since))
            .collect();
        if t.non_merge > 0 && d.unaffiliated.commits == t.non_merge {
            notes.push(Note::new(
                "no_affiliation",
                "No commit comes from an organisation's domain (only webmail or noreply addresses): the elephant factor is 0.",
            ));
        }
        let future = walked
            .commits
            .iter()
            .filter(|c| c.time > now.timestamp())
            .count();
        if future > 0 {
            notes.push(Note::new(
                "future_dates",
                format!("{future} commit(s) are dated after the reference date {now}."),
            ));
        }
        let tags = tags(&self.inner, now, &mut notes);

        History {
            head: head.map(|h| h.to_string()),
            since: options.since,
            now,
            commits: t.commits,
            non_merge_commits: t.non_merge,
            merge_commits: t.commits - t.non_merge,
            first_commit: t.first.and_then(to_date),
            last_commit: t.last.and_then(to_date),
            authors: d.authors,
            contributor_absence_factor: d.caf,
            elephant_factor: d.ef,
            organizations,
            unaffiliated: d.unaffiliated.clone(),
            actor_kinds,
            distinct_actor_kinds,
            actor_kind_diversity,
            top_authors,
            windows,
            tags,
            notes,
        }
    }
}

fn walk_notes(w: &walk::Walked, notes: &mut Vec<Note>) {
    if w.shallow_boundary > 0 {
        notes.push(Note::new(
            "shallow",
            format!(
                "The repository is shallow: history stops at {} boundary commit(s); the figures cover only the {} commit(s) present.",
                w.shallow_boundary,
                w.commits.len()
            ),
        ));
    }
    if w.missing > 0 {
        let example = w
            .first_missing
            .map(|id| format!(" (e.g. {id})"))
            .unwrap_or_default();
        notes.push(Note::new(
            "missing_commits",
            format!(
                "{} commit(s) named as parents are missing from the object database{example}; the history behind them is not counted.",
                w.missing
            ),
        ));
    }
    if w.read_errors > 0 {
        notes.push(Note::new(
            "unreadable_objects",
            format!(
                "{} object(s) could not be read; first error: {}",
                w.read_errors,
                w.first_error.as_deref().unwrap_or("unknown")
            ),
        ));
    }
    if w.malformed > 0 {
        notes.push(Note::new(
            "malformed_commits",
            format!(
                "{} commit header(s) could not be fully parsed.",
                w.malformed
            ),
        ));
    }
}

/// Reads every tag and its date (tagger date, or the tagged commit's
/// committer date for lightweight tags).
fn tags(repo: &gix::Repository, now: DateTime<Utc>, notes: &mut Vec<Note>) -> Tags {
    let mut out = Tags::default();
    let platform = match repo.references() {
        Ok(p) => p,
        Err(e) => {
            notes.push(Note::new(
                "unreadable_tags",
                format!("Tags could not be listed: {e}"),
            ));
            return out;
        }
    };
    let iter = match platform.tags() {
        Ok(i) => i,
        Err(e) => {
            notes.push(Note::new(
                "unreadable_tags",
                format!("Tags could not be listed: {e}"),
            ));
            return out;
        }
    };
    let mut all: Vec<Tag> = Vec::new();
    let mut unreadable = 0u64;
    let mut buf = Vec::new();
    for r in iter {
        let Ok(mut r) = r else {
            unreadable += 1;
            continue;
        };
        let name = r.name().shorten().to_str_lossy().into_owned();
        // The reference's direct target is the tag object (for the tagger
        // date) or, for a lightweight tag, the commit.
        let direct = match r.target().try_id() {
            Some(id) => Some(id.to_owned()),
            None => r.peel_to_id().ok().map(|id| id.detach()),
        };
        let date = direct.and_then(|id| object_date(repo, id, &mut buf));
        if date.is_none() {
            unreadable += 1;
        }
        all.push(Tag { name, date });
    }
    if unreadable > 0 {
        notes.push(Note::new(
            "undated_tags",
            format!("{unreadable} tag(s) have no readable date (missing objects or tags of trees and blobs)."),
        ));
    }
    out.total = all.len() as u64;
    let start = now - chrono::Duration::days(365);
    all.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
    out.latest = all.iter().find(|t| t.date.is_some()).cloned();
    let recent: Vec<Tag> = all
        .into_iter()
        .filter(|t| t.date.is_some_and(|d| d >= start))
        .collect();
    out.last_365_days = recent.len() as u64;
    out.recent = recent.into_iter().take(50).collect();
    out
}

/// The date of a tag object (tagger) or commit (committer).
fn object_date(repo: &gix::Repository, id: ObjectId, buf: &mut Vec<u8>) -> Option<DateTime<Utc>> {
    let data = repo.objects.try_find(&id, buf).ok()??;
    let key: &[u8] = match data.kind {
        gix::object::Kind::Tag => b"tagger ",
        gix::object::Kind::Commit => b"committer ",
        _ => return None,
    };
    for line in data.data.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(sig) = line.strip_prefix(key) {
            return to_date(split_signature(sig).1);
        }
    }
    None
}
