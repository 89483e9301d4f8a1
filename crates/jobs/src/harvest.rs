//! Harvesting publiccode.yml files from repositories (`archipel harvest
//! LIST`).
//!
//! A list names repositories, one a line: an `https://` URL (cloned into
//! the cache within `archipel-history`'s limits) or a local path (a work
//! tree or a bare repository; relative paths are read from the list's
//! folder). [`read_list`] refuses a line it cannot use as `LIST:LINE:
//! reason` and keeps the others.
//!
//! [`run`] reads the repositories on worker threads, one per core: the
//! commit `HEAD` points to, then — unless the [`State`] says this
//! repository was harvested at that very commit — `publiccode.yml` (or
//! `publiccode.yaml`) at the root of `HEAD`'s tree, validated by
//! `archipel-publiccode`, and the assessment of `archipel-assess`. The
//! calling thread writes what the workers found, one transaction per
//! repository (source `publiccode`, format `publiccode.yml`, the
//! repository as the file): the commons — the registry's commons of any
//! source whose normalised repository URL is the file's `url` or the
//! listed URL is updated instead of a new one made (the normalisation of
//! [`crate::catalogue_link`]) —, an actor for `organisation`, each
//! `fundedBy` and each `maintenance.contractors` entry, and their
//! relations to the commons as `content/mappings/publiccode.toml` says
//! ([`Mapping`]); relations an earlier harvest wrote that the file no
//! longer states are removed. The assessment is then saved as `archipel
//! assess --save` saves it, and the repository and its commit appended to
//! the state file — so that a harvest killed at any point starts again
//! where it stopped, and a repository whose `HEAD` did not move is not
//! read again. An invalid file is reported with its findings and nothing
//! is written for it.

use crate::catalogue_link::normalised_repository;
use crate::Progress;
use archipel_content::Content;
use archipel_domain::{
    error_chain, slug, Actor, Commons, Entity, EntityId, EntityKind, Identifiers, Nature,
    Provenance, Relation,
};
use archipel_publiccode::{PublicCode, Severity};
use archipel_store::{NewAssessment, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

/// The source name of harvested records (the middle part of their ids).
pub const SOURCE: &str = "publiccode";
/// The format the batch log records.
pub const FORMAT: &str = "publiccode.yml";
/// The files looked for at the root of `HEAD`, in this order.
pub const FILE_NAMES: [&str; 2] = ["publiccode.yml", "publiccode.yaml"];
/// Longest line of a list, in bytes.
pub const MAX_LINE_BYTES: usize = 4096;
/// Most repositories in one list.
pub const MAX_ENTRIES: usize = 100_000;

// ---------------------------------------------------------------------------
// The mapping (content/mappings/publiccode.toml).

/// What the organisations a publiccode.yml names become.
#[derive(Debug, Clone)]
pub struct Mapping {
    parties: BTreeMap<String, Party>,
}

/// One key of the file (`organisation`, `fundedBy`, `contractors`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Party {
    key: String,
    #[serde(default)]
    actor_kind: Option<String>,
    relations: Vec<Link>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[allow(dead_code)]
    source: String,
    party: Vec<Party>,
}

/// The keys a mapping must describe.
const PARTIES: [&str; 3] = ["organisation", "fundedBy", "contractors"];

impl Mapping {
    /// The built-in mapping, checked against `content`'s vocabularies.
    pub fn builtin(content: &Content) -> Result<Mapping, String> {
        let (file, text) = archipel_content::embedded::PUBLICCODE_MAPPING;
        Mapping::parse(text, file, content)
    }

    /// Reads a mapping file (`file` names it in errors): every party of
    /// [`PARTIES`] once, relation types and roles known to `content`, a
    /// role exactly where the relation type takes one, each relation
    /// going from an actor to a commons.
    pub fn parse(text: &str, file: &str, content: &Content) -> Result<Mapping, String> {
        let parsed: MappingFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            format!("{file}:{line}: {}", e.message())
        })?;
        let mut parties = BTreeMap::new();
        for p in parsed.party {
            let at = format!("{file}: party `{}`", p.key);
            if !PARTIES.contains(&p.key.as_str()) {
                return Err(format!("{at}: expected one of {}", PARTIES.join(", ")));
            }
            if let Some(k) = &p.actor_kind {
                if !content.has_term("actor_kinds", k) {
                    return Err(format!(
                        "{at}: actor_kind `{k}` is not a key of the actor_kinds vocabulary"
                    ));
                }
            }
            for l in &p.relations {
                let Some(rt) = content.relation_type(&l.kind) else {
                    return Err(format!(
                        "{at}: `{}` is not a key of the relation_types vocabulary",
                        l.kind
                    ));
                };
                if !rt.subject_kinds.contains(&EntityKind::Actor)
                    || !rt.object_kinds.contains(&EntityKind::Commons)
                {
                    return Err(format!(
                        "{at}: a `{}` relation does not go from an actor to a commons",
                        l.kind
                    ));
                }
                match (&rt.role_vocabulary, &l.role) {
                    (Some(v), Some(r)) if !content.has_term(v, r) => {
                        return Err(format!("{at}: role `{r}` is not a key of {v}"))
                    }
                    (Some(v), None) => {
                        return Err(format!("{at}: a `{}` relation needs a role of {v}", l.kind))
                    }
                    (None, Some(r)) => {
                        return Err(format!(
                            "{at}: a `{}` relation takes no role (`{r}`)",
                            l.kind
                        ))
                    }
                    _ => {}
                }
            }
            let key = p.key.clone();
            if parties.insert(key.clone(), p).is_some() {
                return Err(format!("{file}: party `{key}` is described twice"));
            }
        }
        if let Some(missing) = PARTIES.iter().find(|k| !parties.contains_key(**k)) {
            return Err(format!("{file}: party `{missing}` is missing"));
        }
        Ok(Mapping { parties })
    }
}

// ---------------------------------------------------------------------------
// The list.

/// A repository to harvest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An `https://` URL, as [`archipel_history::validate_clone_url`] wrote it.
    Https(String),
    /// A folder on this machine.
    Local(PathBuf),
}

/// A line of the list that names a repository.
#[derive(Debug, Clone)]
pub struct ListEntry {
    /// Its line in the list (1-based).
    pub line: u64,
    /// What the line says, trimmed (for reports).
    pub text: String,
    pub target: Target,
    /// What names the repository in the state file: the normalised URL,
    /// or the absolute path.
    pub key: String,
}

/// Reads a list (`file` names it in problems, `base` is where relative
/// paths start): the entries, and a `FILE:LINE: reason` for each line
/// refused. Blank lines and lines starting with `#` are skipped.
pub fn read_list(bytes: &[u8], file: &str, base: &Path) -> (Vec<ListEntry>, Vec<String>) {
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut refuse = |why: String| problems.push(format!("{file}:{line}: {why}"));
        if raw.len() > MAX_LINE_BYTES {
            refuse(format!("longer than {MAX_LINE_BYTES} bytes"));
            continue;
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            refuse("not UTF-8 text".into());
            continue;
        };
        // Tabs are kept for the trim below; every other control or
        // invisible character is refused (the domain's rule for a line).
        if let Err(why) =
            archipel_domain::check_text(&text.replace('\t', " "), archipel_domain::TextKind::Line)
        {
            refuse(why);
            continue;
        }
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if entries.len() >= MAX_ENTRIES {
            refuse(format!("more than {MAX_ENTRIES} repositories in one list"));
            break;
        }
        let target = if text.contains("://") {
            match archipel_history::validate_clone_url(text) {
                Ok(u) => Target::Https(u.url),
                Err(e) => {
                    refuse(e.to_string());
                    continue;
                }
            }
        } else if looks_like_scp(text) {
            refuse(format!(
                "{}: only https:// URLs and local paths are accepted",
                archipel_domain::echo(text)
            ));
            continue;
        } else if text.starts_with('-') {
            refuse(format!(
                "{}: a path may not start with `-`",
                archipel_domain::echo(text)
            ));
            continue;
        } else {
            let p = Path::new(text);
            Target::Local(if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            })
        };
        let key = match &target {
            Target::Https(u) => normalised_repository(u),
            Target::Local(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        };
        if let Some(first) = seen.get(&key) {
            refuse(format!("the same repository as line {first}"));
            continue;
        }
        seen.insert(key.clone(), line);
        entries.push(ListEntry {
            line,
            text: text.to_string(),
            target,
            key,
        });
    }
    (entries, problems)
}

/// `user@host:path`, git's short form of an ssh URL.
fn looks_like_scp(s: &str) -> bool {
    match (s.find('@'), s.find(':'), s.find('/')) {
        (Some(at), Some(colon), slash) => at < colon && slash.is_none_or(|sl| colon < sl),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// The state file.

/// One repository done: appended to the state file after its records and
/// assessment are in the registry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Done {
    pub key: String,
    pub head: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commons: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Which repositories were harvested at which commit: a file of JSON
/// lines, appended to, the last line of a repository winning. A line cut
/// short by a kill, or any line that is not one of ours, is ignored.
pub struct State {
    path: PathBuf,
    done: HashMap<String, Done>,
    file: Option<std::fs::File>,
}

/// Longest state line read.
const MAX_STATE_LINE: usize = 64 * 1024;

impl State {
    /// Reads the state file at `path` (none yet: an empty state).
    pub fn load(path: &Path) -> std::io::Result<State> {
        let mut done = HashMap::new();
        match std::fs::read(path) {
            Ok(bytes) => {
                for line in bytes.split(|b| *b == b'\n') {
                    if line.len() > MAX_STATE_LINE {
                        continue;
                    }
                    if let Ok(d) = serde_json::from_slice::<Done>(line) {
                        done.insert(d.key.clone(), d);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(State {
            path: path.to_path_buf(),
            done,
            file: None,
        })
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the state says of a repository.
    pub fn get(&self, key: &str) -> Option<&Done> {
        self.done.get(key)
    }

    /// Appends `d` (one write of one line).
    pub fn record(&mut self, d: Done) -> std::io::Result<()> {
        if self.file.is_none() {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            self.file = Some(f);
        }
        let mut line = serde_json::to_vec(&d).map_err(std::io::Error::other)?;
        line.push(b'\n');
        if let Some(f) = &mut self.file {
            // A line a kill cut short before this one is ended first, so
            // that this one is read whole.
            if f.metadata()?.len() > 0 && !ends_with_newline(&self.path)? {
                f.write_all(b"\n")?;
            }
            f.write_all(&line)?;
        }
        self.done.insert(d.key.clone(), d);
        Ok(())
    }
}

fn ends_with_newline(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    if f.metadata()?.len() == 0 {
        return Ok(true);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut b = [0u8; 1];
    f.read_exact(&mut b)?;
    Ok(b[0] == b'\n')
}

// ---------------------------------------------------------------------------
// The run.

/// What became of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its commons was made.
    Created,
    /// Its commons, an actor or a relation changed.
    Updated,
    /// Nothing changed (or `HEAD` did not move: not read at all).
    Unchanged,
    /// No publiccode.yml, or one with errors: nothing written.
    Invalid,
    /// It could not be read (clone, repository, registry): tried again
    /// next time.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Updated => "updated",
            Status::Unchanged => "unchanged",
            Status::Invalid => "invalid",
            Status::Failed => "failed",
        }
    }
}

/// One line of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct RepoReport {
    /// Its line in the list.
    pub line: u64,
    /// The line as written.
    pub repository: String,
    /// The commit `HEAD` pointed to.
    pub head: Option<String>,
    pub status: Status,
    /// Why, for `invalid`, `failed` and a repository not read again.
    pub reason: Option<String>,
    /// The commons written or found.
    pub commons: Option<String>,
    /// Whether publiccode.yml was read this time.
    pub read: bool,
    /// The publiccode.yml findings (`publiccode.yml:LINE:COL: severity: key: message`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// The number of the assessment saved.
    pub assessment: Option<i64>,
}

/// What a harvest did.
#[derive(Debug, Clone, Serialize)]
pub struct HarvestReport {
    /// In the order of the list.
    pub repositories: Vec<RepoReport>,
    pub seconds: f64,
}

impl HarvestReport {
    /// How many repositories ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.repositories
            .iter()
            .filter(|r| r.status == status)
            .count()
    }
}

/// What stops a harvest as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// The state file cannot be written: going on would read everything
    /// again next time.
    #[error("state file {}", path.display())]
    State {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The registry cannot be read.
    #[error("reading the registry's commons")]
    Store(#[source] StoreError),
    /// The content, the mapping or the assessment's settings.
    #[error("{0}")]
    Setup(String),
    /// A worker thread could not be started.
    #[error("starting a worker thread")]
    Thread(#[source] std::io::Error),
}

/// What reading a repository takes: made once, by the first repository
/// that needs reading (a harvest where nothing moved makes none of it).
pub struct Tools {
    /// The vocabularies records are checked against.
    pub content: Content,
    pub mapping: Mapping,
    /// The assessment's settings.
    pub assess: archipel_assess::Options,
}

/// Makes the [`Tools`]; its error stops the harvest.
pub type MakeTools<'a> = dyn Fn() -> Result<Tools, String> + Sync + 'a;

/// What [`run`] needs.
pub struct HarvestRequest<'a> {
    pub entries: Vec<ListEntry>,
    pub tools: &'a MakeTools<'a>,
    /// Where `https://` repositories are cloned, and the clones' limits.
    pub cache_dir: PathBuf,
    pub clone: archipel_history::CloneOptions,
    /// Worker threads (at least one).
    pub jobs: usize,
    /// Read every repository, even those whose `HEAD` did not move.
    pub force: bool,
    /// Clone `https://` repositories again instead of reusing the cache.
    pub refresh: bool,
    /// The time written in the records' provenance.
    pub now: DateTime<Utc>,
}

/// The tools, made on first use and shared by the threads.
struct Lazy<'r, 'a> {
    req: &'r HarvestRequest<'a>,
    cell: std::sync::OnceLock<Result<Tools, String>>,
}

impl Lazy<'_, '_> {
    fn get(&self) -> Result<&Tools, String> {
        self.cell
            .get_or_init(|| (self.req.tools)())
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// What a worker found.
enum Found {
    /// The tools could not be made.
    Fatal(String),
    /// `HEAD` did not move since the state's harvest.
    Skip { head: String, done: Done },
    Invalid {
        head: Option<String>,
        reason: String,
        findings: Vec<String>,
    },
    Failed {
        head: Option<String>,
        reason: String,
    },
    Read {
        head: String,
        harvest: Box<Harvested>,
    },
}

/// A valid publiccode.yml turned into records.
struct Parts {
    commons: Commons,
    /// The URLs a commons already in the registry is matched by.
    urls: Vec<String>,
    /// Each organisation named, its key in the file, and until when.
    actors: Vec<(Actor, &'static str, Option<NaiveDate>)>,
}

/// What a repository gave: its records, the file's warnings, the assessment.
struct Harvested {
    parts: Parts,
    findings: Vec<String>,
    assessment: archipel_assess::Assessment,
}

/// Harvests the entries (see the module) into `store`, recording each
/// repository done in `state`; `progress` is called after each.
pub fn run(
    store: &mut Store,
    state: &mut State,
    req: HarvestRequest<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<HarvestReport, HarvestError> {
    let started = std::time::Instant::now();
    let total = req.entries.len() as u64;
    let heads: HashMap<String, Done> = if req.force {
        HashMap::new()
    } else {
        state.done.clone()
    };
    let next = AtomicUsize::new(0);
    let jobs = req.jobs.clamp(1, 256).min(req.entries.len().max(1));
    let (tx, rx) = sync_channel::<(usize, Found)>(jobs * 2);
    let mut reports: Vec<Option<RepoReport>> = vec![None; req.entries.len()];
    let entries = &req.entries;
    let lazy = Lazy {
        req: &req,
        cell: std::sync::OnceLock::new(),
    };
    let (heads, next, req_ref) = (&heads, &next, &lazy);
    let mut index: Option<HashMap<String, EntityId>> = None;
    std::thread::scope(|scope| -> Result<(), HarvestError> {
        for n in 0..jobs {
            let tx = tx.clone();
            std::thread::Builder::new()
                .name(format!("harvest-{n}"))
                .spawn_scoped(scope, move || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(entry) = entries.get(i) else {
                        break;
                    };
                    let found = examine(entry, heads.get(&entry.key), req_ref);
                    if tx.send((i, found)).is_err() {
                        break;
                    }
                })
                .map_err(HarvestError::Thread)?;
        }
        drop(tx);
        for (done, (i, found)) in (1u64..).zip(rx) {
            let entry = &entries[i];
            let report = write(store, state, &mut index, entry, found, req_ref)?;
            reports[i] = Some(report);
            progress(Progress { done, total });
        }
        Ok(())
    })?;
    Ok(HarvestReport {
        repositories: reports.into_iter().flatten().collect(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A worker's part: everything but the registry.
fn examine(entry: &ListEntry, done: Option<&Done>, lazy: &Lazy<'_, '_>) -> Found {
    let req = lazy.req;
    let failed = |head: Option<String>, reason: String| Found::Failed { head, reason };
    let path = match &entry.target {
        Target::Local(p) => p.clone(),
        Target::Https(url) => {
            let mut options = req.clone.clone();
            options.refresh = req.refresh;
            match archipel_history::clone_https(url, &req.cache_dir, &options) {
                Ok(c) => c.path,
                Err(e) => return failed(None, error_chain(&e)),
            }
        }
    };
    if !path.exists() {
        return failed(None, format!("{}: no such folder", path.display()));
    }
    // The state's commit, read from the files alone: most repositories of
    // a harvest run again have not moved, and opening each with gitoxide
    // costs ten times more.
    if let (Some(d), Some(head)) = (done, quick_head(&path)) {
        if d.head == head {
            return Found::Skip {
                head,
                done: d.clone(),
            };
        }
    }
    let repo = match archipel_history::Repo::open(&path) {
        Ok(r) => r,
        Err(e) => return failed(None, error_chain(&e)),
    };
    let Some(head) = repo.head_commit_id().map(|h| h.to_string()) else {
        return Found::Invalid {
            head: None,
            reason: "no commit at HEAD (an empty repository)".into(),
            findings: Vec::new(),
        };
    };
    if let Some(d) = done {
        if d.head == head {
            return Found::Skip {
                head,
                done: d.clone(),
            };
        }
    }
    let head_some = Some(head.clone());
    let mut found = None;
    for name in FILE_NAMES {
        let limit = archipel_publiccode::DEFAULT_MAX_BYTES as u64;
        match repo.read_head_file(name, limit) {
            Ok(Some(bytes)) => {
                found = Some((name, bytes));
                break;
            }
            Ok(None) => {}
            Err(archipel_history::Error::TooLarge { size, .. }) => {
                return Found::Invalid {
                    head: head_some,
                    reason: format!(
                        "{name}: {size} bytes, more than the {limit} a publiccode.yml may have"
                    ),
                    findings: Vec::new(),
                }
            }
            Err(e) => return failed(head_some, format!("{name}: {}", error_chain(&e))),
        }
    }
    let Some((name, bytes)) = found else {
        return Found::Invalid {
            head: head_some,
            reason: "no publiccode.yml at the root of HEAD".into(),
            findings: Vec::new(),
        };
    };
    let report = archipel_publiccode::validate(&bytes, &archipel_publiccode::Options::default());
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{name}:{f}"))
        .collect();
    let first_error = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .map(|f| format!("{name}:{f}"));
    let (Some(pc), None) = (report.publiccode, first_error.clone()) else {
        return Found::Invalid {
            head: head_some,
            reason: first_error.unwrap_or_else(|| format!("{name}: not a publiccode.yml")),
            findings,
        };
    };
    let text = String::from_utf8(bytes).ok();
    let tools = match lazy.get() {
        Ok(t) => t,
        Err(e) => return Found::Fatal(e),
    };
    let parts = match records(entry, &pc, text, tools, req.now) {
        Ok(p) => p,
        Err(reason) => {
            return Found::Invalid {
                head: head_some,
                reason: format!("{name}: {reason}"),
                findings,
            }
        }
    };
    let Some(target) = path.to_str() else {
        return failed(head_some, format!("{}: not a UTF-8 path", path.display()));
    };
    let assessment = match archipel_assess::assess(target, &tools.assess) {
        Ok(a) => a,
        Err(e) => return failed(head_some, format!("assessment: {}", error_chain(&e))),
    };
    Found::Read {
        head,
        harvest: Box::new(Harvested {
            parts,
            findings,
            assessment,
        }),
    }
}

/// The commit `HEAD` points to, read from the repository's files when
/// they are the plain kind (a `.git` folder or a bare repository, `HEAD`
/// naming a branch whose ref is loose or in `packed-refs`, or a commit);
/// `None` for anything else (a `.git` file, reftable…), which
/// [`archipel_history::Repo`] then reads. Only a match with the state is
/// trusted: what differs is read again through gitoxide.
fn quick_head(path: &Path) -> Option<String> {
    let dot_git = path.join(".git");
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else if path.join("objects").is_dir() {
        path.to_path_buf()
    } else {
        return None;
    };
    let small = |p: &Path| -> Option<String> {
        let f = std::fs::File::open(p).ok()?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(f, 4096), &mut text).ok()?;
        Some(text)
    };
    let is_id = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let head = small(&git_dir.join("HEAD"))?;
    let head = head.trim();
    if is_id(head) {
        return Some(head.to_ascii_lowercase());
    }
    let name = head.strip_prefix("ref: ")?.trim();
    if !name.starts_with("refs/")
        || name
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return None;
    }
    if let Some(loose) = small(&git_dir.join(name)) {
        let id = loose.trim();
        return is_id(id).then(|| id.to_ascii_lowercase());
    }
    // `packed-refs` of a large repository can be long: read it only up
    // to a bound.
    let f = std::fs::File::open(git_dir.join("packed-refs")).ok()?;
    let mut packed = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(f, 16 << 20), &mut packed).ok()?;
    packed.lines().find_map(|l| {
        let (id, r) = l.split_once(' ')?;
        (r == name && is_id(id)).then(|| id.to_ascii_lowercase())
    })
}

/// The description in the language to show: French, then English, then
/// the first.
fn description(pc: &PublicCode) -> Option<&archipel_publiccode::Description> {
    let by = |prefix: &str| {
        pc.description
            .iter()
            .find(|(l, _)| l == prefix || l.starts_with(&format!("{prefix}-")))
            .map(|(_, d)| d)
    };
    by("fr")
        .or_else(|| by("en"))
        .or_else(|| pc.description.first().map(|(_, d)| d))
}

fn web(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .filter(|u| archipel_domain::check_url(u).is_ok())
        .cloned()
}

/// The records a valid publiccode.yml says (the assessment is added by
/// the caller). The commons' id is the file's `url`, normalised.
fn records(
    entry: &ListEntry,
    pc: &PublicCode,
    text: Option<String>,
    tools: &Tools,
    now: DateTime<Utc>,
) -> Result<Parts, String> {
    let url = pc.url.clone().ok_or("url: missing")?;
    let local = slug(&normalised_repository(&url));
    if local.is_empty() {
        return Err(format!(
            "url: {} names no repository",
            archipel_domain::echo(&url)
        ));
    }
    let id = EntityId::new(EntityKind::Commons, SOURCE, &local).map_err(|e| e.to_string())?;
    let provenance = Provenance {
        file: Some(entry.text.as_str().into()),
        source_date: pc
            .release_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        ..Provenance::new(SOURCE, now)
    };
    let desc = description(pc);
    let name = desc
        .and_then(|d| d.localised_name.clone())
        .or_else(|| pc.name.clone())
        .ok_or("name: missing")?;
    let mut details = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            details.insert(k.to_string(), v);
        }
    };
    put("development_status", pc.development_status.clone());
    put("software_type", pc.software_type.clone());
    put("software_version", pc.software_version.clone());
    put("release_date", pc.release_date.clone());
    put("platforms", Some(pc.platforms.join(", ")));
    put("documentation", desc.and_then(|d| d.documentation.clone()));
    let maintenance = pc.maintenance.as_ref();
    put("maintenance", maintenance.and_then(|m| m.kind.clone()));
    put(
        "contacts",
        maintenance.map(|m| {
            m.contacts
                .iter()
                .map(|c| {
                    let mut s = c.name.clone().unwrap_or_default();
                    if let Some(e) = &c.email {
                        s.push_str(&format!(" <{e}>"));
                    }
                    if let Some(a) = &c.affiliation {
                        s.push_str(&format!(" ({a})"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
    );
    let publiccode = text
        .filter(|t| archipel_domain::check_text(t, archipel_domain::TextKind::Document).is_ok());
    let commons = Commons {
        id,
        name,
        kind: "software".into(),
        description: desc.and_then(|d| d.long_description.clone().or(d.short_description.clone())),
        repository_url: Some(url.clone()),
        website_url: web(&pc.landing_url),
        license: pc.legal.as_ref().and_then(|l| l.license.clone()),
        publiccode,
        categories: pc.categories.clone(),
        identifiers: Identifiers::default(),
        details,
        provenance: provenance.clone(),
    };
    let mut urls = vec![url];
    if let Target::Https(u) = &entry.target {
        urls.push(u.clone());
    }
    // The organisations it names.
    let mut actors = Vec::new();
    let mut actor = |party: &'static str,
                     name: Option<&String>,
                     uri: Option<&String>,
                     website: Option<&String>,
                     email: Option<&String>,
                     until: Option<NaiveDate>|
     -> Result<(), String> {
        let Some(name) = name.or(uri).filter(|n| !n.trim().is_empty()) else {
            return Ok(());
        };
        let local = slug(uri.unwrap_or(name));
        let local = if local.is_empty() {
            // A name with no letter or digit of the Latin alphabet.
            format!("x{:x}", fnv(name.as_bytes()))
        } else {
            local
        };
        let id = EntityId::new(EntityKind::Actor, SOURCE, &local).map_err(|e| e.to_string())?;
        let mut identifiers = Identifiers::default();
        let mut site = website
            .cloned()
            .filter(|u| archipel_domain::check_url(u).is_ok());
        if let Some(u) = uri {
            if archipel_domain::check_url(u).is_ok() {
                site = site.or(Some(u.clone()));
            } else {
                identifiers.other = Some(u.clone());
            }
        }
        let kind = tools
            .mapping
            .parties
            .get(party)
            .and_then(|p| p.actor_kind.clone());
        actors.push((
            Actor {
                id,
                name: name.clone(),
                nature: Nature::Organisation,
                kind,
                typology: Vec::new(),
                description: None,
                identifiers,
                website: site,
                email: email.cloned(),
                territory: None,
                location: None,
                provenance: provenance.clone(),
            },
            party,
            until,
        ));
        Ok(())
    };
    if let Some(o) = &pc.organisation {
        actor(
            "organisation",
            o.name.as_ref(),
            o.uri.as_ref(),
            None,
            None,
            None,
        )?;
    }
    for f in &pc.funded_by {
        actor(
            "fundedBy",
            f.name.as_ref(),
            f.uri.as_ref(),
            None,
            None,
            None,
        )?;
    }
    if let Some(m) = maintenance {
        for c in &m.contractors {
            let until = c
                .until
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            actor(
                "contractors",
                c.name.as_ref(),
                None,
                c.website.as_ref(),
                c.email.as_ref(),
                until,
            )?;
        }
    }
    Ok(Parts {
        commons,
        urls,
        actors,
    })
}

/// FNV-1a, for ids of names that slug to nothing.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The writer's part, on the calling thread: one transaction per
/// repository, then its assessment, then the state.
fn write(
    store: &mut Store,
    state: &mut State,
    index: &mut Option<HashMap<String, EntityId>>,
    entry: &ListEntry,
    found: Found,
    lazy: &Lazy<'_, '_>,
) -> Result<RepoReport, HarvestError> {
    let mut report = RepoReport {
        line: entry.line,
        repository: entry.text.clone(),
        head: None,
        status: Status::Failed,
        reason: None,
        commons: None,
        read: false,
        findings: Vec::new(),
        assessment: None,
    };
    match found {
        Found::Fatal(reason) => return Err(HarvestError::Setup(reason)),
        Found::Skip { head, done } => {
            report.head = Some(head);
            report.status = Status::Unchanged;
            report.commons = done.commons;
            report.reason = Some(match done.reason {
                Some(r) => format!(
                    "HEAD did not move since it was found {}: {r}",
                    done.status.as_str()
                ),
                None => "HEAD did not move since the last harvest".into(),
            });
        }
        Found::Failed { head, reason } => {
            report.head = head;
            report.reason = Some(reason);
        }
        Found::Invalid {
            head,
            reason,
            findings,
        } => {
            report.read = head.is_some();
            report.status = Status::Invalid;
            report.findings = findings;
            report.reason = Some(reason.clone());
            if let Some(h) = &head {
                let d = Done {
                    key: entry.key.clone(),
                    head: h.clone(),
                    status: Status::Invalid,
                    commons: None,
                    reason: Some(reason),
                };
                remember(state, d)?;
            }
            report.head = head;
        }
        Found::Read { head, harvest } => {
            report.read = true;
            report.head = Some(head.clone());
            report.findings = harvest.findings.clone();
            if index.is_none() {
                *index = Some(read_index(store).map_err(HarvestError::Store)?);
            }
            let idx = index.as_mut().ok_or_else(|| {
                HarvestError::Store(StoreError::Dangling {
                    id: "harvest".into(),
                    field: "index",
                    target: String::new(),
                })
            })?;
            let tools = lazy.get().map_err(HarvestError::Setup)?;
            match write_one(store, idx, entry, *harvest, tools) {
                Ok((status, commons, assessment)) => {
                    report.status = status;
                    report.commons = Some(commons.to_string());
                    report.assessment = Some(assessment);
                    let d = Done {
                        key: entry.key.clone(),
                        head,
                        status,
                        commons: Some(commons.to_string()),
                        reason: None,
                    };
                    remember(state, d)?;
                }
                Err(WriteFailure::Invalid(reason)) => {
                    report.status = Status::Invalid;
                    report.reason = Some(reason.clone());
                    let d = Done {
                        key: entry.key.clone(),
                        head,
                        status: Status::Invalid,
                        commons: None,
                        reason: Some(reason),
                    };
                    remember(state, d)?;
                }
                Err(WriteFailure::Store(e)) => {
                    report.reason = Some(format!("registry: {}", error_chain(&e)));
                }
            }
        }
    }
    Ok(report)
}

/// [`State::record`], its error said as the harvest's.
fn remember(state: &mut State, d: Done) -> Result<(), HarvestError> {
    state.record(d).map_err(|source| HarvestError::State {
        path: state.path().to_path_buf(),
        source,
    })
}

/// The registry's commons by normalised repository URL.
fn read_index(store: &Store) -> Result<HashMap<String, EntityId>, StoreError> {
    let mut by_url = HashMap::new();
    store.for_each(EntityKind::Commons, |e| -> Result<(), StoreError> {
        if let Entity::Commons(c) = e {
            if let Some(r) = &c.repository_url {
                let key = normalised_repository(r);
                // A record of our own source wins over another's: it is
                // the one an earlier harvest made.
                if c.id.source() == SOURCE || !by_url.contains_key(&key) {
                    by_url.insert(key, c.id);
                }
            }
        }
        Ok(())
    })?;
    Ok(by_url)
}

enum WriteFailure {
    Invalid(String),
    Store(StoreError),
}

impl From<StoreError> for WriteFailure {
    fn from(e: StoreError) -> Self {
        WriteFailure::Store(e)
    }
}

/// The commons of another source, updated with what the file adds: its
/// id, name, description and provenance stay; what it lacked is filled
/// in; the file's details are kept under `publiccode_` keys.
fn merge(existing: Commons, new: Commons) -> Commons {
    let mut m = existing;
    if m.description.is_none() {
        m.description = new.description;
    }
    if m.website_url.is_none() {
        m.website_url = new.website_url;
    }
    if m.repository_url.is_none() {
        m.repository_url = new.repository_url;
    }
    if m.license.is_none() {
        m.license = new.license;
    }
    m.publiccode = new.publiccode.or(m.publiccode);
    for c in new.categories {
        if !m.categories.contains(&c) {
            m.categories.push(c);
        }
    }
    for (k, v) in new.details {
        m.details.insert(format!("publiccode_{k}"), v);
    }
    m
}

fn write_one(
    store: &mut Store,
    index: &mut HashMap<String, EntityId>,
    entry: &ListEntry,
    h: Harvested,
    tools: &Tools,
) -> Result<(Status, EntityId, i64), WriteFailure> {
    let Harvested {
        parts: Parts {
            commons: new,
            urls,
            actors,
        },
        assessment,
        ..
    } = h;
    let matched = urls
        .iter()
        .find_map(|u| index.get(&normalised_repository(u)).cloned());
    let commons = match matched {
        Some(id) if id != new.id => match store.get(&id)? {
            Some(Entity::Commons(existing)) if id.source() != SOURCE => merge(existing, new),
            Some(Entity::Commons(_)) => Commons { id, ..new },
            _ => new,
        },
        _ => new,
    };
    let cid = commons.id.clone();
    let mut records = vec![Entity::Commons(commons)];
    let mut relation_ids = HashSet::new();
    for (actor, party, until) in actors {
        let Some(p) = tools.mapping.parties.get(party) else {
            continue;
        };
        for link in &p.relations {
            let id = Relation::derive_id(SOURCE, &actor.id, &link.kind, &cid, link.role.as_deref())
                .map_err(|e| WriteFailure::Invalid(e.to_string()))?;
            if !relation_ids.insert(id.clone()) {
                continue;
            }
            records.push(Entity::Relation(Relation {
                id,
                subject: actor.id.clone(),
                kind: link.kind.clone(),
                object: cid.clone(),
                role: link.role.clone(),
                since: None,
                until,
                note: None,
                provenance: actor.provenance.clone(),
            }));
        }
        if !records.iter().any(|e| e.id() == &actor.id) {
            records.push(Entity::Actor(actor));
        }
    }
    for e in &records {
        if let Some((field, why)) = tools.content.check_entity(e).into_iter().next() {
            return Err(WriteFailure::Invalid(format!("{}: {field}: {why}", e.id())));
        }
    }
    // Actors before the relations that point at them.
    records.sort_by_key(|e| matches!(e, Entity::Relation(_)));
    let stale: Vec<EntityId> = store
        .relations_of(&cid)?
        .into_iter()
        .filter(|r| r.id.source() == SOURCE && r.object == cid && !relation_ids.contains(&r.id))
        .map(|r| r.id)
        .collect();
    let mut created = false;
    let (_, summary) = store.write(SOURCE, FORMAT, Some(&entry.text), |w| {
        for e in &records {
            let outcome = w.upsert(e)?;
            if e.id() == &cid && outcome == archipel_store::Outcome::Inserted {
                created = true;
            }
        }
        for id in &stale {
            w.remove(id)?;
        }
        Ok(())
    })?;
    let status = if created {
        Status::Created
    } else if summary.inserted + summary.updated > 0 || !stale.is_empty() {
        Status::Updated
    } else {
        Status::Unchanged
    };
    for u in &urls {
        index.insert(normalised_repository(u), cid.clone());
    }
    let spdx = assessment.license.spdx.trim();
    let known = !(spdx.is_empty() || spdx == "NONE" || spdx == "NOASSERTION");
    let report = serde_json::to_string(&assessment)
        .map_err(|e| WriteFailure::Invalid(format!("assessment: {e}")))?;
    let n = store.save_assessment(&NewAssessment {
        commons: cid.clone(),
        assessed_at: assessment.assessed_at,
        target: entry.text.clone(),
        licence: known.then(|| spdx.to_string()),
        contributors: assessment.history.as_ref().map(|h| h.authors),
        organisations: assessment
            .history
            .as_ref()
            .map(|h| h.organizations.len() as u64),
        elephant_factor: assessment.history.as_ref().map(|h| h.elephant_factor),
        report,
    })?;
    Ok((status, cid, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_lines() {
        let base = Path::new("/srv/lists");
        let text = b"# a comment\n\nhttps://Example.org/a/b.git\nrepos/c\nhttp://example.org/x\n\
git@example.org:a/b.git\nhttps://example.org/a/b\nfile:///tmp/x\n/abs/\x1b[31m\n-rf\n";
        let (entries, problems) = read_list(text, "LIST", base);
        assert_eq!(entries.len(), 2, "{entries:?}");
        assert_eq!(entries[0].line, 3);
        assert_eq!(
            entries[0].target,
            Target::Https("https://example.org/a/b.git".into())
        );
        assert_eq!(entries[1].target, Target::Local(base.join("repos/c")));
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            lines,
            ["LIST:5", "LIST:6", "LIST:7", "LIST:8", "LIST:9", "LIST:10"],
            "{problems:#?}"
        );
        assert!(problems[2].contains("same repository as line 3"));
        assert!(problems[4].contains("control character"), "{}", problems[4]);
    }

    #[test]
    fn the_builtin_mapping_is_valid() {
        let content = Content::embedded().expect("content");
        let m = Mapping::builtin(&content).expect("mapping");
        assert!(m.parties["fundedBy"]
            .relations
            .iter()
            .any(|l| l.kind == "funds"));
        let bad = "source = \"x\"\n[[party]]\nkey = \"organisation\"\nrelations = [{ type = \"governance_role\" }]\n";
        let e = Mapping::parse(bad, "m.toml", &content).unwrap_err();
        assert!(e.contains("needs a role"), "{e}");
    }
}
