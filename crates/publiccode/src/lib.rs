//! Read and check `publiccode.yml` files.
//!
//! [publiccode.yml](https://yml.publiccode.tools) is the metadata file that
//! public software publishes so that catalogues can find and describe it.
//! This crate parses it into typed values ([`PublicCode`]) and checks it
//! against the standard (versions 0.2 to 0.7, all read as the latest one,
//! with the Italian `IT` section, the deprecated keys and `supports`
//! aliases). Every problem is a [`Finding`] with a severity, the key path
//! (`maintenance.contractors[0].until`), the line and column in the file,
//! and a message.
//!
//! YAML is read with YAML 1.2 semantics: `yes`, `no`, `on` and `off` are
//! strings, not booleans. Inputs are bounded ([`Options::max_bytes`],
//! nesting depth, node count), so any input gives findings, never a panic
//! or a hang. Checks that need the network run only when
//! [`Options::network`] is set and the `network` feature is compiled in.
//!
//! ```
//! use archipel_publiccode::{validate, Options, Severity};
//!
//! let yaml = br#"
//! publiccodeYmlVersion: "0.7"
//! name: Medusa
//! url: "https://example.org/medusa.git"
//! platforms: [web]
//! developmentStatus: stable
//! softwareType: standalone/web
//! description:
//!   en:
//!     shortDescription: A short description.
//!     longDescription: A description long enough to say what the software does and who it is for.
//!       Catalogues show it on the page of the software, so it is at least 150 characters.
//!     features: [Maps]
//! legal:
//!   license: EUPL-1.2
//! maintenance:
//!   type: community
//!   contacts:
//!     - name: Ada
//!       email: ada@example.org
//! localisation:
//!   localisationReady: yes
//!   availableLanguages: [fr, en]
//! "#;
//! let report = validate(yaml, &Options::default());
//! // `yes` is a string in YAML 1.2, so `localisationReady` has the wrong type.
//! let f = &report.findings[0];
//! assert_eq!(f.severity, Severity::Error);
//! assert_eq!(f.key, "localisation.localisationReady");
//! assert_eq!((f.line, f.column), (22, 1));
//! assert!(!report.is_valid());
//!
//! let fixed = String::from_utf8_lossy(yaml).replace("localisationReady: yes", "localisationReady: true");
//! let report = validate(fixed.as_bytes(), &Options::default());
//! assert!(report.findings.is_empty(), "{:?}", report.findings);
//! let pc = report.publiccode.expect("typed value");
//! assert_eq!(pc.name.as_deref(), Some("Medusa"));
//! assert_eq!(pc.legal.and_then(|l| l.license).as_deref(), Some("EUPL-1.2"));
//! ```

mod checks;
mod data;
mod files;
pub mod init;
mod model;
#[cfg(feature = "network")]
mod network;
mod validate;
mod yaml;

pub use model::*;

use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file does not conform to the standard.
    Error,
    /// The file conforms, but something should change (deprecated keys…).
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Key path, as `maintenance.contractors[0].until`; empty for the whole file.
    pub key: String,
    /// 1-based line, 0 when the finding has no position.
    pub line: usize,
    /// 1-based column, 0 when the finding has no position.
    pub column: usize,
    /// What is wrong, in English.
    pub message: String,
}

/// `LINE:COL: error|warning: key: message`, without `key: ` for a
/// whole-file finding; prefix it with the file name for a report line.
impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: ",
            self.line,
            self.column,
            self.severity.as_str()
        )?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Settings of a validation run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder against which relative paths (logo, screenshots, authors
    /// file) are resolved. `None`: their existence is not checked.
    pub base_dir: Option<PathBuf>,
    /// Run the checks that need the network (reachable URLs, remote logo,
    /// oEmbed videos). Needs the `network` feature; off by default.
    pub network: bool,
    /// Codes of the Italian public administration index (iPA), lowercase,
    /// to use instead of the built-in list (the reference validator's copy
    /// of IndicePA, see the crate's `data/README.md`): `urn:x-italian-pa:`
    /// URIs and `IT.riuso.codiceIPA` must name one of them. `None`: the
    /// built-in list.
    pub ipa_codes: Option<HashSet<String>>,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Most findings reported for one file.
    pub max_findings: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_dir: None,
            network: false,
            ipa_codes: None,
            max_bytes: DEFAULT_MAX_BYTES,
            max_findings: 1000,
        }
    }
}

/// Default for [`Options::max_bytes`]: 4 MiB, far above any real file.
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// The outcome of validating one file.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
    /// The typed content, when the file could be read as a publiccode.yml
    /// mapping at all (even with errors).
    pub publiccode: Option<PublicCode>,
}

impl Report {
    /// True when there is no error (warnings are allowed).
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    fn whole_file(message: String) -> Report {
        Report {
            findings: vec![Finding {
                severity: Severity::Error,
                key: String::new(),
                line: 0,
                column: 0,
                message,
            }],
            publiccode: None,
        }
    }
}

/// What a network check verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NetKind {
    Reachable,
    OEmbed,
}

/// A check postponed until the end, run only with [`Options::network`].
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "network"), allow(dead_code))]
pub(crate) struct NetCheck {
    pub key: String,
    pub url: String,
    pub kind: NetKind,
    pub path: validate::Path,
}

/// Validate the content of a publiccode.yml file.
pub fn validate(input: &[u8], options: &Options) -> Report {
    if input.len() > options.max_bytes {
        return Report::whole_file(format!(
            "the file is too large to be a publiccode.yml: {} bytes, larger than the limit of {}",
            input.len(),
            size_words(options.max_bytes)
        ));
    }
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            let what = if input.contains(&0) {
                "this looks like a binary file, not a publiccode.yml"
            } else {
                "the file is not valid UTF-8 text"
            };
            return Report::whole_file(format!(
                "{what} (invalid byte at offset {})",
                e.valid_up_to()
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Report::whole_file(
            "this looks like a binary file, not a publiccode.yml (it contains NUL characters)"
                .into(),
        );
    }
    let doc = match yaml::load(text, yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => return load_error(e),
    };
    let mut report = check_document(&doc, options);
    if doc.more_documents {
        report.findings.push(Finding {
            severity: Severity::Warning,
            key: String::new(),
            line: 0,
            column: 0,
            message: "the file holds more than one YAML document; only the first one is read"
                .into(),
        });
    }
    finish(&mut report, options);
    report
}

/// Read and validate a file; relative paths inside it are resolved against
/// its folder unless [`Options::base_dir`] says otherwise.
///
/// At most [`Options::max_bytes`] + 1 bytes are read, whatever the file
/// is: a pipe or a device is read like a file, and one that gives more
/// than the limit (`/dev/zero`) is refused as too large, saying it is not
/// a regular file.
pub fn validate_file(path: &Path, options: &Options) -> Report {
    let mut opts = options.clone();
    if opts.base_dir.is_none() {
        opts.base_dir = Some(
            path.parent()
                .map(Path::to_path_buf)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from(".")),
        );
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return Report::whole_file(format!("cannot open the file: {e}")),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Report::whole_file(format!("cannot read the file: {e}")),
    };
    if meta.is_dir() {
        return Report::whole_file("this is a folder, not a file".into());
    }
    let what = if meta.is_file() {
        Source::File(meta.len())
    } else {
        Source::Special(file_kind(&meta))
    };
    validate_source(file, what, &opts)
}

/// Read at most [`Options::max_bytes`] + 1 bytes from `reader` (standard
/// input, a pipe) and validate them.
pub fn validate_reader(reader: impl std::io::Read, options: &Options) -> Report {
    validate_source(reader, Source::Stream, options)
}

/// What a publiccode.yml is read from, to say why it is refused.
enum Source {
    /// A regular file of this many bytes.
    File(u64),
    /// A device, pipe or socket, named.
    Special(&'static str),
    /// A stream such as standard input.
    Stream,
}

fn validate_source(reader: impl std::io::Read, what: Source, options: &Options) -> Report {
    use std::io::Read;
    // Read one byte more than allowed, to tell "too large" without reading it all.
    let limit = u64::try_from(options.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut buf = Vec::new();
    if let Err(e) = reader.take(limit).read_to_end(&mut buf) {
        return Report::whole_file(format!("cannot read the file: {e}"));
    }
    if buf.len() <= options.max_bytes {
        return validate(&buf, options);
    }
    let limit = size_words(options.max_bytes);
    Report::whole_file(match what {
        Source::File(size) => format!(
            "the file is too large to be a publiccode.yml: {size} bytes, larger than the limit of {limit}"
        ),
        Source::Special(kind) => format!(
            "this is not a regular file but {kind}, and it gives more than {limit}, the most a publiccode.yml may hold"
        ),
        Source::Stream => {
            format!("the input gives more than {limit}, the most a publiccode.yml may hold")
        }
    })
}

/// "4 MiB", or a number of bytes when not a whole number of MiB.
fn size_words(max: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if max >= MIB && max.is_multiple_of(MIB) {
        format!("{} MiB", max / MIB)
    } else {
        format!("{max} bytes")
    }
}

/// What a file that is neither a regular file nor a folder is.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "a special file"
}

/// Read a list of iPA codes (for [`Options::ipa_codes`]): one code per
/// line, or the first column of the IndicePA open-data table; a header line
/// `cod_amm` and blank lines are skipped. Codes are compared lowercase.
///
/// ```
/// let codes = archipel_publiccode::load_ipa_codes("cod_amm\tdes_amm\nPCM\tPresidenza\nc_h501\tRoma\n");
/// assert!(codes.contains("pcm") && codes.contains("c_h501") && codes.len() == 2);
/// ```
pub fn load_ipa_codes(text: &str) -> HashSet<String> {
    text.lines()
        .filter_map(|l| l.split(['\t', ';', ',', ' ']).next())
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "cod_amm")
        .collect()
}

/// Parse a publiccode.yml into typed values, failing on any error.
///
/// ```
/// let err = archipel_publiccode::parse(b"name: [").unwrap_err();
/// assert_eq!(err[0].key, "");
/// ```
pub fn parse(input: &[u8]) -> Result<PublicCode, Vec<Finding>> {
    let report = validate(input, &Options::default());
    match report.publiccode {
        Some(pc) if report.is_valid() => Ok(pc),
        _ => Err(report
            .findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect()),
    }
}

fn load_error(e: yaml::LoadError) -> Report {
    let (line, column, message) = match e {
        yaml::LoadError::Syntax { pos, detail } => (
            pos.line,
            1,
            format!("this is not valid YAML: {detail} (line {}, column {})", pos.line, pos.column),
        ),
        yaml::LoadError::Empty => (0, 0, "the file is empty: there is no YAML document in it".into()),
        yaml::LoadError::TooDeep { pos, limit } => (
            pos.line,
            pos.column,
            format!("the YAML is nested more than {limit} levels deep, far beyond what a publiccode.yml needs"),
        ),
        yaml::LoadError::TooManyNodes { pos, limit } => (
            pos.line,
            pos.column,
            format!("the YAML holds more than {limit} values (aliases included), far beyond what a publiccode.yml needs"),
        ),
        yaml::LoadError::UnknownAnchor { pos } => (
            pos.line,
            pos.column,
            "this alias refers to an anchor that is not defined before it".into(),
        ),
    };
    Report {
        findings: vec![Finding {
            severity: Severity::Error,
            key: String::new(),
            line,
            column,
            message,
        }],
        publiccode: None,
    }
}

fn check_document(doc: &yaml::Document, options: &Options) -> Report {
    let root = &doc.root;
    let mut report = Report::default();
    let yaml::Kind::Map(_) = &root.kind else {
        report.findings.push(Finding {
            severity: Severity::Error,
            key: String::new(),
            line: root.pos.line,
            column: root.pos.column,
            message: format!(
                "a publiccode.yml is a mapping of keys to values, but this file holds {}",
                root.describe()
            ),
        });
        return report;
    };
    let finding = |severity, pos: yaml::Pos, message: String| Finding {
        severity,
        key: "publiccodeYmlVersion".into(),
        line: pos.line,
        column: pos.column,
        message,
    };
    let version = match root.get_entry("publiccodeYmlVersion") {
        None => {
            let old = root.get_entry("publiccode-yaml-version");
            report.findings.push(finding(
                Severity::Error,
                old.map(|(k, _)| k.pos).unwrap_or_default(),
                match old {
                    Some(_) => "`publiccodeYmlVersion` is required: this file has `publiccode-yaml-version`, its name before 0.2; rename it and check the file against the current standard".into(),
                    None => "`publiccodeYmlVersion` is required: without it the file cannot be read".into(),
                },
            ));
            return report;
        }
        Some((key, value)) => match value.scalar() {
            Some(s) if !value.is_null() => {
                let v = s.value.trim().to_string();
                if !data::SUPPORTED_VERSIONS.contains(&v.as_str()) {
                    report.findings.push(finding(
                        Severity::Error,
                        key.pos,
                        format!(
                            "version `{v}` is not supported; use `{}`",
                            data::LATEST_VERSION
                        ),
                    ));
                    return report;
                }
                if !data::CURRENT_VERSIONS.contains(&v.as_str()) {
                    report.findings.push(finding(
                        Severity::Warning,
                        key.pos,
                        format!(
                            "version {v} is not the latest one; this file is read as version {latest}: change it to `{latest}`",
                            latest = data::LATEST_VERSION
                        ),
                    ));
                }
                v
            }
            _ => {
                report.findings.push(finding(
                    Severity::Error,
                    key.pos,
                    format!(
                        "`publiccodeYmlVersion` must be a version string such as \"{}\", not {}",
                        data::LATEST_VERSION,
                        value.describe()
                    ),
                ));
                return report;
            }
        },
    };
    let mut cx = validate::Cx::new(root, options);
    let pc = validate::document(&mut cx, version);
    report.findings.append(&mut cx.decoding);
    if options.network {
        run_network(root, &cx.net, &mut report.findings);
    }
    report.publiccode = Some(pc);
    report
}

#[cfg(feature = "network")]
fn run_network(root: &yaml::Node, checks: &[NetCheck], findings: &mut Vec<Finding>) {
    let mut seen: std::collections::HashMap<(&str, NetKind), Result<(), String>> =
        std::collections::HashMap::new();
    for c in checks {
        let pos = validate::locate(root, &c.path);
        let result = seen
            .entry((c.url.as_str(), c.kind))
            .or_insert_with(|| match c.kind {
                NetKind::Reachable => network::reachable(&c.url),
                NetKind::OEmbed => network::oembed(&c.url),
            })
            .clone();
        if let Err(why) = result {
            findings.push(Finding {
                severity: Severity::Error,
                key: c.key.clone(),
                line: pos.line,
                column: pos.column,
                message: why,
            });
        }
    }
}

#[cfg(not(feature = "network"))]
fn run_network(_root: &yaml::Node, _checks: &[NetCheck], findings: &mut Vec<Finding>) {
    findings.push(Finding {
        severity: Severity::Warning,
        key: String::new(),
        line: 0,
        column: 0,
        message: "network checks were asked for, but this build does not include them".into(),
    });
}

fn finish(report: &mut Report, options: &Options) {
    report.findings.sort_by_key(|f| (f.line, f.column));
    if report.findings.len() > options.max_findings {
        report.findings.truncate(options.max_findings);
        report.findings.push(Finding {
            severity: Severity::Error,
            key: String::new(),
            line: 0,
            column: 0,
            message: format!(
                "too many problems: only the first {} are listed",
                options.max_findings
            ),
        });
    }
}
