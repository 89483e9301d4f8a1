//! Gathering the evidence of a target: resolve it, read its files, detect
//! its licence, validate its publiccode.yml, find its documents, walk its
//! history (on its own thread, in parallel with the rest).

use crate::docs::{self, Documents, Practices, ReadError, Tree, LIST_DEPTH};
use crate::evidence::{EvidenceFile, EVIDENCE_FILE_NAME};
use crate::keys::{Fact, Facts};
use crate::licence::{self, expression_copyleft, expression_flag, expression_free, LicenceSection};
use crate::report::{
    Finding, Note, PubliccodeFinding, PubliccodeSection, Severity, Target, TargetKind,
};
use crate::{Error, Options};
use archipel_history::{History, HistoryOptions, Repo};
use archipel_license::{Copyleft, CrpaStatus, Method, NOASSERTION, NONE};
use std::path::{Path, PathBuf};

/// Largest file written out for licence detection of a bare repository.
const MAX_LICENCE_INPUT: u64 = 1024 * 1024;
/// Largest README read for its sections.
const MAX_README: u64 = 256 * 1024;
/// Files whose first bytes are copied for the SPDX header scan of a bare
/// repository without licence file.
const MAX_HEADER_FILES: usize = 2_000;
const HEADER_BYTES: u64 = 4 * 1024;

/// A resolved target.
pub(crate) struct Resolved {
    pub target: Target,
    /// The repository, if the target is one.
    pub repo: Option<Repo>,
    /// The folder whose files are read (work tree, plain folder); `None`
    /// for a bare repository (HEAD's tree is read).
    pub files_root: Option<PathBuf>,
}

fn looks_like_remote(s: &str) -> bool {
    if s.contains("://") {
        return true;
    }
    // scp-like `user@host:path`
    match (s.find('@'), s.find(':')) {
        (Some(a), Some(c)) => a < c && !s[..a].contains('/'),
        _ => false,
    }
}

/// Resolves a target: an `https://` URL (cloned into the cache), a work
/// tree (or a folder inside one), a bare repository, or a plain folder.
pub(crate) fn resolve(input: &str, opts: &Options) -> Result<Resolved, Error> {
    if input.to_ascii_lowercase().starts_with("https://") {
        let cloned = archipel_history::clone_https(input, &opts.cache_dir, &opts.clone)?;
        return Ok(Resolved {
            target: Target {
                input: input.to_string(),
                kind: TargetKind::Url,
                path: cloned.path.display().to_string(),
                head: cloned.repo.head_commit_id().map(|h| h.to_string()),
                from_cache: Some(cloned.from_cache),
            },
            repo: Some(cloned.repo),
            files_root: None,
        });
    }
    let path = Path::new(input);
    if !path.exists() {
        if looks_like_remote(input) {
            return Err(Error::Target(format!(
                "{input}: only https:// URLs are cloned (no other scheme, no credentials)"
            )));
        }
        return Err(Error::Target(format!("{input}: no such file or folder")));
    }
    if !path.is_dir() {
        return Err(Error::Target(format!("{input}: not a folder")));
    }
    let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let target = |kind, head: Option<String>| Target {
        input: input.to_string(),
        kind,
        path: shown.display().to_string(),
        head,
        from_cache: None,
    };
    match Repo::open(path) {
        Ok(repo) => {
            let head = repo.head_commit_id().map(|h| h.to_string());
            if repo.is_bare() {
                Ok(Resolved {
                    target: target(TargetKind::Bare, head),
                    repo: Some(repo),
                    files_root: None,
                })
            } else {
                // The `.git` folder itself: read the work tree.
                let inside_git = path.components().any(|c| c.as_os_str() == ".git");
                let root = match (inside_git, repo.workdir()) {
                    (true, Some(w)) => w.to_path_buf(),
                    _ => path.to_path_buf(),
                };
                Ok(Resolved {
                    target: target(TargetKind::WorkTree, head),
                    repo: Some(repo),
                    files_root: Some(root),
                })
            }
        }
        Err(_) => Ok(Resolved {
            target: target(TargetKind::Folder, None),
            repo: None,
            files_root: Some(path.to_path_buf()),
        }),
    }
}

/// What the file side of the gathering produced.
pub(crate) struct FileEvidence {
    pub license: LicenceSection,
    pub licence_file: bool,
    pub publiccode: PubliccodeSection,
    pub documents: Documents,
    pub practices: Practices,
    pub evidence: Option<EvidenceFile>,
    pub notes: Vec<Note>,
}

fn safe_rel(p: &str) -> bool {
    !p.is_empty()
        && p.split('/').all(|c| {
            !c.is_empty() && c != "." && c != ".." && c != ".git" && !c.contains(['\\', '\0', ':'])
        })
}

/// Copies what licence detection reads (root files, licence folders, and
/// the heads of source files when there is no licence file) from HEAD's
/// tree into a temporary folder.
fn materialise(
    tree: &Tree<'_>,
    paths: &[String],
    missing: &mut Vec<String>,
) -> Result<tempfile::TempDir, Error> {
    let tmp = tempfile::Builder::new()
        .prefix("archipel-assess-")
        .tempdir()
        .map_err(io(&std::env::temp_dir()))?;
    let is_licence_dir = |p: &str| {
        let first = p.split('/').next().unwrap_or("").to_ascii_lowercase();
        p.matches('/').count() == 1
            && matches!(
                first.as_str(),
                "licenses" | "licences" | "license" | "licence"
            )
    };
    let mut wanted: Vec<(String, u64, bool)> = paths
        .iter()
        .filter(|p| !p.contains('/') || is_licence_dir(p))
        .map(|p| (p.clone(), MAX_LICENCE_INPUT, true))
        .collect();
    let has_licence_file = wanted
        .iter()
        .any(|(p, _, _)| is_licence_dir(p) || archipel_license::is_license_file_name(p));
    if !has_licence_file {
        if let Tree::Head(repo) = tree {
            let deep = repo.head_paths(Some(8)).unwrap_or_default();
            wanted.extend(
                deep.into_iter()
                    .filter(|p| p.contains('/'))
                    .take(MAX_HEADER_FILES)
                    .map(|p| (p, HEADER_BYTES, false)),
            );
        }
    }
    let mut files: Vec<(String, Vec<u8>, bool)> = Vec::new();
    for (p, max, whole) in wanted {
        if !safe_rel(&p) {
            continue;
        }
        match tree.read(&p, max, whole) {
            Ok(Some(b)) => files.push((p, b, !whole)),
            Ok(None) | Err(ReadError::TooLarge) | Err(ReadError::Other(_)) => {}
            Err(ReadError::Missing(_)) => missing.push(p),
        }
    }
    // The heads of source files only matter if one carries an SPDX header:
    // otherwise writing them out would cost more than the whole analysis.
    const TAG: &[u8] = b"SPDX-License-Identifier:";
    let any_header = files
        .iter()
        .any(|(_, b, sample)| *sample && b.windows(TAG.len()).any(|w| w == TAG));
    for (p, bytes, sample) in files {
        if sample && !any_header {
            continue;
        }
        let dest = tmp.path().join(&p);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&dest, bytes).map_err(io(&dest))?;
    }
    Ok(tmp)
}

fn publiccode(
    tree: &Tree<'_>,
    paths: &[String],
    base: Option<&Path>,
    missing: &mut Vec<String>,
) -> PubliccodeSection {
    let Some(file) = paths.iter().filter(|p| !p.contains('/')).find(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "publiccode.yml" | "publiccode.yaml"
        )
    }) else {
        return PubliccodeSection::default();
    };
    let mut s = PubliccodeSection {
        present: true,
        file: Some(file.clone()),
        ..Default::default()
    };
    let opts = archipel_publiccode::Options {
        base_dir: base.map(Path::to_path_buf),
        ..Default::default()
    };
    let bytes = match tree.read(file, opts.max_bytes as u64, true) {
        Ok(Some(b)) => b,
        Ok(None) => return PubliccodeSection::default(),
        Err(e) => {
            if let ReadError::Missing(_) = e {
                missing.push(file.clone());
            }
            s.errors = 1;
            s.findings.push(PubliccodeFinding {
                severity: "error".into(),
                key: String::new(),
                line: 0,
                message: match e {
                    ReadError::Missing(o) => {
                        format!("the file's object {o} is missing from the repository")
                    }
                    ReadError::TooLarge => "the file is too large".into(),
                    ReadError::Other(m) => m,
                },
            });
            return s;
        }
    };
    let report = archipel_publiccode::validate(&bytes, &opts);
    s.valid = report.is_valid();
    for f in &report.findings {
        match f.severity {
            archipel_publiccode::Severity::Error => s.errors += 1,
            archipel_publiccode::Severity::Warning => s.warnings += 1,
        }
    }
    s.findings = report
        .findings
        .iter()
        .take(20)
        .map(|f| PubliccodeFinding {
            severity: f.severity.as_str().to_string(),
            key: f.key.clone(),
            line: f.line,
            message: f.message.clone(),
        })
        .collect();
    if let Some(pc) = report.publiccode {
        s.name = pc.name.clone();
        if let Some(l) = &pc.legal {
            s.license = l.license.clone();
            s.main_copyright_owner = l.main_copyright_owner.clone();
        }
        s.maintenance = pc.maintenance.as_ref().and_then(|m| m.kind.clone());
        s.roadmap = pc.roadmap.clone();
        s.development_status = pc.development_status.clone();
        s.used_by = pc.used_by.clone();
        s.documentation = pc
            .description
            .iter()
            .filter_map(|(_, d)| d.documentation.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    s
}

fn read_evidence(tree: &Tree<'_>, opts: &Options) -> Result<Option<EvidenceFile>, Error> {
    if let Some(p) = &opts.evidence {
        return Ok(Some(EvidenceFile::read(p)?));
    }
    match tree {
        Tree::Dir(root) => {
            let p = root.join(EVIDENCE_FILE_NAME);
            if p.is_file() {
                return Ok(Some(EvidenceFile::read(&p)?));
            }
        }
        Tree::Head(repo) => {
            if let Ok(Some(bytes)) = tree.read(EVIDENCE_FILE_NAME, 1024 * 1024, true) {
                let text = String::from_utf8_lossy(&bytes);
                return Ok(Some(EvidenceFile::parse(
                    &format!("HEAD:{EVIDENCE_FILE_NAME}"),
                    &text,
                )?));
            }
            // Beside the objects of a bare repository.
            let p = repo.path().join(EVIDENCE_FILE_NAME);
            if p.is_file() {
                return Ok(Some(EvidenceFile::read(&p)?));
            }
        }
    }
    Ok(None)
}

/// Reads everything but the history.
pub(crate) fn files(resolved: &Resolved, opts: &Options) -> Result<FileEvidence, Error> {
    let tree = match (&resolved.files_root, &resolved.repo) {
        (Some(root), _) => Tree::Dir(root),
        (None, Some(repo)) => Tree::Head(repo),
        (None, None) => return Err(Error::Target("nothing to read".into())),
    };
    let mut notes = Vec::new();
    let mut missing = Vec::new();
    let paths = match tree.paths(LIST_DEPTH) {
        Ok(p) => p,
        Err(e) => {
            notes.push(Note::new(
                "unreadable_tree",
                format!("The files of HEAD could not be listed: {e}"),
            ));
            Vec::new()
        }
    };
    let readme_path = docs::main_readme(&paths).cloned();
    let readme_text = match &readme_path {
        Some(p) => match tree.read(p, MAX_README, false) {
            Ok(Some(b)) => Some(String::from_utf8_lossy(&b).into_owned()),
            Err(ReadError::Missing(_)) => {
                missing.push(p.clone());
                None
            }
            _ => None,
        },
        None => None,
    };
    let (mut documents, practices) =
        docs::find(&paths, readme_path.as_deref().zip(readme_text.as_deref()));
    let publiccode = publiccode(&tree, &paths, resolved.files_root.as_deref(), &mut missing);
    if let Some(r) = &publiccode.roadmap {
        documents.roadmap = true;
        documents
            .files
            .entry("roadmap".into())
            .or_default()
            .push(format!("publiccode.yml (roadmap: {r})"));
    }
    if !publiccode.documentation.is_empty() {
        documents.documentation = true;
        documents
            .files
            .entry("documentation".into())
            .or_default()
            .push("publiccode.yml (description.documentation)".into());
    }

    let detection = match &tree {
        Tree::Dir(root) => archipel_license::detect(root),
        Tree::Head(_) => {
            let tmp = materialise(&tree, &paths, &mut missing)?;
            let d = archipel_license::detect(tmp.path());
            if d.as_ref()
                .is_ok_and(|d| d.evidence.iter().any(|e| e.method == Method::SpdxHeader))
            {
                notes.push(Note::new(
                    "headers_sampled",
                    format!("Licence headers were read from at most {MAX_HEADER_FILES} files of HEAD's tree."),
                ));
            }
            d
        }
    }?;
    let licence_file = detection.evidence.iter().any(|e| {
        matches!(
            e.method,
            Method::LicenseText | Method::LicenseReference | Method::ReuseFileName
        )
    });
    let license = licence::section(detection, publiccode.license.as_deref());
    let evidence = read_evidence(&tree, opts)?;
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        notes.push(Note::new(
            "missing_blobs",
            format!(
                "{} file(s) of HEAD's tree are missing from the repository's objects and were not read: {}.",
                missing.len(),
                missing.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(FileEvidence {
        license,
        licence_file,
        publiccode,
        documents,
        practices,
        evidence,
        notes,
    })
}

/// Walks the history (may run on its own thread: it opens its own handle).
pub(crate) fn history(path: &Path, opts: &Options) -> Result<History, Error> {
    let repo = Repo::open(path)?;
    let mut hopts = HistoryOptions::at(opts.now);
    hopts.since = opts.since;
    Ok(repo.history(&hopts, &opts.affiliations))
}

fn window(h: &History, days: u32) -> Option<&archipel_history::Window> {
    h.windows.iter().find(|w| w.days == days)
}

/// Every automatic key's value.
pub(crate) fn facts(f: &FileEvidence, history: Option<&History>, kind: &TargetKind) -> Facts {
    let mut x = Facts::default();
    let l = &f.license;
    let spdx = l.spdx.as_str();
    x.set(
        "license.detected",
        Fact::Bool(spdx != NONE && spdx != NOASSERTION),
    );
    x.set("license.file", Fact::Bool(f.licence_file));
    x.set("license.free", expression_free(spdx));
    x.set("license.osi", expression_flag(spdx, |f| f.osi_approved));
    x.set("license.fsf", expression_flag(spdx, |f| f.fsf_libre));
    x.set(
        "license.crpa",
        expression_flag(spdx, |f| f.crpa == CrpaStatus::Listed),
    );
    x.set(
        "license.share_alike",
        expression_copyleft(spdx, Copyleft::Weak),
    );
    x.set(
        "license.strong_copyleft",
        expression_copyleft(spdx, Copyleft::Strong),
    );
    x.set(
        "license.network_copyleft",
        expression_copyleft(spdx, Copyleft::Network),
    );
    x.set("license.declared", Fact::Bool(!l.declared.is_empty()));
    x.set("license.consistent", Fact::Bool(consistent(l)));

    let p = &f.publiccode;
    x.set("publiccode.present", Fact::Bool(p.present));
    x.set("publiccode.valid", Fact::Bool(p.valid));
    x.set(
        "publiccode.copyright_owner",
        Fact::Bool(p.main_copyright_owner.is_some()),
    );
    x.set("publiccode.roadmap", Fact::Bool(p.roadmap.is_some()));
    x.set(
        "publiccode.maintained",
        Fact::Bool(
            p.maintenance
                .as_deref()
                .is_some_and(|m| matches!(m, "internal" | "contract" | "community")),
        ),
    );
    x.set(
        "publiccode.documentation",
        Fact::Bool(!p.documentation.is_empty()),
    );
    x.set(
        "publiccode.development_status",
        Fact::Bool(p.development_status.is_some()),
    );
    x.set("publiccode.used_by", Fact::Number(p.used_by.len() as f64));

    let d = &f.documents;
    for (k, v) in [
        ("documents.readme", d.readme),
        ("documents.contributing", d.contributing),
        ("documents.governance", d.governance),
        ("documents.code_of_conduct", d.code_of_conduct),
        ("documents.security", d.security),
        ("documents.changelog", d.changelog),
        ("documents.authors", d.authors),
        ("documents.maintainers", d.maintainers),
        ("documents.roadmap", d.roadmap),
        ("documents.install", d.install),
        ("documents.deployment", d.deployment),
        ("documents.trademark", d.trademark),
        ("documents.documentation", d.documentation),
        ("repository.ci", f.practices.ci),
        ("repository.tests", f.practices.tests),
        ("repository.style", f.practices.style),
    ] {
        x.set(k, Fact::Bool(v));
    }
    x.set("repository.version_control", Fact::Bool(history.is_some()));
    x.set(
        "repository.public",
        if *kind == TargetKind::Url {
            Fact::Bool(true)
        } else {
            Fact::Unknown("local_target")
        },
    );

    let hist_keys: [&'static str; 16] = [
        "history.commits",
        "history.non_merge_commits",
        "history.merge_commits",
        "history.authors",
        "history.contributor_absence_factor",
        "history.elephant_factor",
        "history.organizations",
        "history.distinct_actor_kinds",
        "history.actor_kind_diversity",
        "history.commits_last_90_days",
        "history.commits_last_365_days",
        "history.authors_last_365_days",
        "history.contributor_absence_factor_last_365_days",
        "history.elephant_factor_last_365_days",
        "history.tags",
        "history.tags_last_365_days",
    ];
    match history {
        None => {
            for k in hist_keys {
                x.set(k, Fact::Unknown("no_history"));
            }
        }
        Some(h) => {
            let n = |v: u64| Fact::Number(v as f64);
            let w90 = window(h, 90);
            let w365 = window(h, 365);
            let values = [
                n(h.commits),
                n(h.non_merge_commits),
                n(h.merge_commits),
                n(h.authors),
                n(h.contributor_absence_factor),
                n(h.elephant_factor),
                n(h.organizations.len() as u64),
                n(h.distinct_actor_kinds),
                Fact::Number(h.actor_kind_diversity),
                n(w90.map_or(0, |w| w.commits)),
                n(w365.map_or(0, |w| w.commits)),
                n(w365.map_or(0, |w| w.authors)),
                n(w365.map_or(0, |w| w.contributor_absence_factor)),
                n(w365.map_or(0, |w| w.elephant_factor)),
                n(h.tags.total),
                n(h.tags.last_365_days),
            ];
            for (k, v) in hist_keys.into_iter().zip(values) {
                x.set(k, v);
            }
        }
    }
    x
}

fn consistent(l: &LicenceSection) -> bool {
    if l.declared.iter().any(|d| d.agrees == Some(false)) {
        return false;
    }
    // Nothing detected to compare with: declarations must agree together.
    let mut readable = l.declared.iter().filter(|d| d.spdx != NOASSERTION);
    match readable.next() {
        Some(first) => readable.all(|d| archipel_license::same_licences(&d.spdx, &first.spdx)),
        None => true,
    }
}

/// Disagreements, risks and gaps.
pub(crate) fn findings(f: &FileEvidence, history: Option<&History>) -> Vec<Finding> {
    use Severity::*;
    let mut out = Vec::new();
    let l = &f.license;
    match l.spdx.as_str() {
        NONE => out.push(Finding::new(
            "license.none",
            Error,
            "No licence found: without one, nobody may legally reuse, change or share the code.".into(),
            &[],
        )),
        NOASSERTION => out.push(Finding::new(
            "license.unrecognised",
            Warning,
            "A licence file exists but matches no known licence closely enough (modified licence or extra clauses): have it read by a lawyer.".into(),
            &[],
        )),
        s => {
            if l.free == Some(false) {
                out.push(Finding::new(
                    "license.not_free",
                    Error,
                    format!("The licence {s} is not a free licence (neither OSI, FSF nor the CRPA list)."),
                    &[("spdx", s.to_string())],
                ));
            }
        }
    }
    for d in &l.declared {
        if d.agrees == Some(false) {
            out.push(Finding::new(
                "license.mismatch",
                Warning,
                format!(
                    "{} declares {} but the licence files say {}.",
                    d.source, d.raw, l.spdx
                ),
                &[
                    ("source", d.source.clone()),
                    ("declared", d.spdx.clone()),
                    ("detected", l.spdx.clone()),
                ],
            ));
        }
    }
    let comparable = l.spdx != NONE && l.spdx != NOASSERTION;
    if !comparable && !consistent(l) {
        let list = l
            .declared
            .iter()
            .map(|d| format!("{} ({})", d.spdx, d.source))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Finding::new(
            "license.declared_conflict",
            Warning,
            format!("Metadata declare different licences: {list}."),
            &[("declared", list.clone())],
        ));
    }
    if !f.licence_file && comparable {
        out.push(Finding::new(
            "license.no_file",
            Warning,
            format!("The licence {} is only stated in metadata or headers: add the licence text in a LICENSE file.", l.spdx),
            &[("spdx", l.spdx.clone())],
        ));
    }
    let p = &f.publiccode;
    if !p.present {
        out.push(Finding::new(
            "publiccode.missing",
            Info,
            "No publiccode.yml: catalogues (code.gouv.fr, Developers Italia…) cannot describe the software.".into(),
            &[],
        ));
    } else if !p.valid {
        out.push(Finding::new(
            "publiccode.invalid",
            Warning,
            format!(
                "publiccode.yml has {} error(s); run `archipel publiccode validate` for details.",
                p.errors
            ),
            &[("errors", p.errors.to_string())],
        ));
    }
    if !f.documents.readme {
        out.push(Finding::new(
            "documents.no_readme",
            Warning,
            "No README: nothing tells a newcomer what this is.".into(),
            &[],
        ));
    }
    if let Some(h) = history {
        if h.commits == 0 {
            out.push(Finding::new(
                "history.empty",
                Warning,
                "The history holds no commit.".into(),
                &[],
            ));
        } else {
            if h.contributor_absence_factor == 1 {
                let who = h
                    .top_authors
                    .first()
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                out.push(Finding::new(
                    "history.single_person",
                    Warning,
                    format!("One person ({who}) makes half the commits or more: the commons depends on them."),
                    &[("name", who)],
                ));
            }
            if h.elephant_factor == 1 {
                let org = h
                    .organizations
                    .first()
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                out.push(Finding::new(
                    "history.single_organization",
                    Warning,
                    format!("One organisation ({org}) makes half the affiliated commits or more: it is one actor's product more than a shared commons."),
                    &[("name", org)],
                ));
            }
            if window(h, 365).is_some_and(|w| w.commits == 0) {
                let last = h
                    .last_commit
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                out.push(Finding::new(
                    "history.inactive",
                    Warning,
                    format!("No commit in the last 12 months (last one: {last})."),
                    &[("last", last)],
                ));
            }
        }
    }
    out
}

/// An [`Error::Io`] on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
