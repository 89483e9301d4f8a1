//! Settings from the configuration file, the environment and the command
//! line, in that order of increasing precedence: a flag beats its
//! `ARCHIPEL_*` variable, which beats the file, which beats the default.
//!
//! The file is TOML (`--config FILE` or `$ARCHIPEL_CONFIG`; every key is
//! documented in `docs/operations.md` and `packaging/archipel.toml`). A key
//! the program does not know is an error naming the file, the line and
//! the key, as is a value of the wrong kind; paths in the file are relative
//! to the file's folder. Every value, wherever it comes from, goes through
//! the same check, and an error names where the value came from.

use anyhow::Context;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Where a setting's value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    File { path: PathBuf, line: usize },
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "${var}"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Default => write!(f, "default"),
        }
    }
}

/// A value as given, and where.
#[derive(Debug, Clone)]
pub struct Raw {
    pub text: String,
    pub origin: Origin,
}

/// A setting: its key in the file (`section.name`), its flag and its
/// environment variable.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub file: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
}

impl Key {
    /// An error about this setting's value: `ORIGIN: KEY: reason`.
    pub fn error(&self, origin: &Origin, reason: impl fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{origin}: {}: {reason}", self.file)
    }
}

/// The registry file.
pub const DB: Key = Key {
    file: "db",
    flag: "--db",
    env: "ARCHIPEL_DB",
};
/// A folder of content to use instead of the built-in one.
pub const CONTENT: Key = Key {
    file: "content",
    flag: "--content",
    env: "ARCHIPEL_CONTENT",
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    db: Option<Spanned<String>>,
    content: Option<Spanned<String>>,
    #[serde(default)]
    server: Server,
    #[serde(default)]
    tiles: Tiles,
    #[serde(default)]
    log: Log,
    /// Accounts and sign-in (see `crate::sign_in`).
    #[serde(default)]
    sign_in: crate::sign_in::Section,
    #[serde(default)]
    publisher: Publisher,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Server {
    address: Option<Spanned<String>>,
    public_url: Option<Spanned<String>>,
    frame_ancestors: Option<Spanned<String>>,
    static_dir: Option<Spanned<String>>,
    pool_size: Option<Spanned<i64>>,
    /// A size with its unit (`"64MiB"`); a bare number is read as
    /// written, for the check to refuse it without its unit.
    cache_size: Option<Spanned<toml::Value>>,
    data_licence: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tiles {
    url: Option<Spanned<String>>,
    attribution: Option<Spanned<String>>,
    outlines: Option<Spanned<String>>,
}

/// Who publishes the site: the legal pages and the accessibility
/// statement.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Publisher {
    name: Option<Spanned<String>>,
    address: Option<Spanned<String>>,
    director: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    conformance: Option<Spanned<String>>,
    statement_date: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Log {
    format: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
}

/// Largest configuration file read.
const MAX_FILE: u64 = 256 * 1024;

/// A configuration file, read and checked for unknown keys and types.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    text: String,
    doc: Document,
}

impl ConfigFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> anyhow::Result<ConfigFile> {
        let len = std::fs::metadata(path)
            .with_context(|| path.display().to_string())?
            .len();
        if len > MAX_FILE {
            anyhow::bail!(
                "{}: larger than {MAX_FILE} bytes: not a configuration file",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        ConfigFile::parse(path, text)
    }

    /// Parses `text`, read from `path`.
    pub fn parse(path: &Path, text: String) -> anyhow::Result<ConfigFile> {
        let doc: Document = match toml::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => {
                let (line, key) = match e.span() {
                    Some(span) => key_at(&text, span.start),
                    None => (0, String::new()),
                };
                let key = if key.is_empty() {
                    String::new()
                } else {
                    format!("{key}: ")
                };
                anyhow::bail!("{}:{line}: {key}{}", path.display(), e.message().trim());
            }
        };
        Ok(ConfigFile {
            path: path.to_path_buf(),
            text,
            doc,
        })
    }

    fn string(&self, v: &Option<Spanned<String>>) -> Option<Raw> {
        v.as_ref().map(|s| Raw {
            text: s.get_ref().clone(),
            origin: self.origin(s.span().start),
        })
    }

    fn boolean(&self, v: &Option<Spanned<bool>>) -> Option<Raw> {
        v.as_ref().map(|s| Raw {
            text: s.get_ref().to_string(),
            origin: self.origin(s.span().start),
        })
    }

    fn integer(&self, v: &Option<Spanned<i64>>) -> Option<Raw> {
        v.as_ref().map(|s| Raw {
            text: s.get_ref().to_string(),
            origin: self.origin(s.span().start),
        })
    }

    /// A string as it is, any other value as TOML writes it.
    fn scalar(&self, v: &Option<Spanned<toml::Value>>) -> Option<Raw> {
        v.as_ref().map(|s| Raw {
            text: match s.get_ref() {
                toml::Value::String(t) => t.clone(),
                other => other.to_string(),
            },
            origin: self.origin(s.span().start),
        })
    }

    /// Where the byte at `offset` of the file is.
    pub(crate) fn origin(&self, offset: usize) -> Origin {
        Origin::File {
            path: self.path.clone(),
            line: line_of(&self.text, offset),
        }
    }

    /// The value of `key` in the file, if it is there.
    pub fn get(&self, key: &Key) -> Option<Raw> {
        let d = &self.doc;
        match key.file {
            "db" => self.string(&d.db),
            "content" => self.string(&d.content),
            "server.address" => self.string(&d.server.address),
            "server.public_url" => self.string(&d.server.public_url),
            "server.frame_ancestors" => self.string(&d.server.frame_ancestors),
            "server.static_dir" => self.string(&d.server.static_dir),
            "server.pool_size" => self.integer(&d.server.pool_size),
            "server.cache_size" => self.scalar(&d.server.cache_size),
            "server.data_licence" => self.string(&d.server.data_licence),
            "tiles.url" => self.string(&d.tiles.url),
            "tiles.attribution" => self.string(&d.tiles.attribution),
            "tiles.outlines" => self.string(&d.tiles.outlines),
            "log.format" => self.string(&d.log.format),
            "log.level" => self.string(&d.log.level),
            "sign_in.signup" => self.string(&d.sign_in.signup),
            "sign_in.session_idle_minutes" => self.integer(&d.sign_in.session_idle_minutes),
            "sign_in.session_max_hours" => self.integer(&d.sign_in.session_max_hours),
            "sign_in.secure_cookies" => self.boolean(&d.sign_in.secure_cookies),
            "sign_in.client_address_header" => self.string(&d.sign_in.client_address_header),
            "sign_in.anonymous_proposals" => self.boolean(&d.sign_in.anonymous_proposals),
            "publisher.name" => self.string(&d.publisher.name),
            "publisher.address" => self.string(&d.publisher.address),
            "publisher.director" => self.string(&d.publisher.director),
            "publisher.contact" => self.string(&d.publisher.contact),
            "publisher.host" => self.string(&d.publisher.host),
            "publisher.conformance" => self.string(&d.publisher.conformance),
            "publisher.statement_date" => self.string(&d.publisher.statement_date),
            _ => None,
        }
    }

    /// The `[[sign_in.oidc]]` providers as written.
    pub(crate) fn oidc(&self) -> &[crate::sign_in::OidcSection] {
        &self.doc.sign_in.oidc
    }

    /// The folder paths in the file are relative to.
    pub fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        }
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line of `offset` and the dotted key written there: the key before
/// `=` under the nearest `[section]` above, or the section of a header.
fn key_at(text: &str, offset: usize) -> (usize, String) {
    let line = line_of(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| -> Option<String> {
        let t = l.trim();
        t.strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .map(|s| s.trim_matches(|c| c == '[' || c == ' ').to_string())
    };
    let Some(this) = lines.get(line.saturating_sub(1)) else {
        return (line, String::new());
    };
    if let Some(h) = header(this) {
        return (line, h);
    }
    let name = match this.split_once('=') {
        Some((k, _)) => k.trim().trim_matches('"').to_string(),
        None => return (line, String::new()),
    };
    let section = lines[..line.saturating_sub(1)]
        .iter()
        .rev()
        .find_map(|l| header(l));
    match section {
        Some(s) => (line, format!("{s}.{name}")),
        None => (line, name),
    }
}

/// The value of a setting: the flag if given, else its environment
/// variable if set and not empty, else the file's.
pub fn choose(
    key: &Key,
    flag: Option<String>,
    file: Option<&ConfigFile>,
) -> anyhow::Result<Option<Raw>> {
    if let Some(text) = flag {
        return Ok(Some(Raw {
            text,
            origin: Origin::Flag(key.flag),
        }));
    }
    match std::env::var(key.env) {
        Ok(text) if !text.is_empty() => {
            return Ok(Some(Raw {
                text,
                origin: Origin::Env(key.env),
            }))
        }
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(key.error(&Origin::Env(key.env), "not valid UTF-8"))
        }
    }
    Ok(file.and_then(|f| f.get(key)))
}

/// A path setting: as [`choose`], with a path from the file taken relative
/// to the file's folder.
pub fn choose_path(
    key: &Key,
    flag: Option<PathBuf>,
    file: Option<&ConfigFile>,
) -> anyhow::Result<Option<(PathBuf, Origin)>> {
    if let Some(p) = flag {
        return Ok(Some((p, Origin::Flag(key.flag))));
    }
    if let Some(p) = std::env::var_os(key.env).filter(|v| !v.is_empty()) {
        return Ok(Some((PathBuf::from(p), Origin::Env(key.env))));
    }
    let Some(file) = file else { return Ok(None) };
    let Some(raw) = file.get(key) else {
        return Ok(None);
    };
    if raw.text.is_empty() || raw.text.chars().any(char::is_control) {
        return Err(key.error(&raw.origin, "a path, without control characters"));
    }
    Ok(Some((file.dir().join(&raw.text), raw.origin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<ConfigFile> {
        ConfigFile::parse(Path::new("/etc/archipel/archipel.toml"), text.to_string())
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let text = "db = \"a.db\"\n\n[server]\naddress = \"127.0.0.1:1\"\nadress = \"x\"\n";
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.starts_with("/etc/archipel/archipel.toml:5: server.adress: unknown field `adress`"),
            "{err}"
        );
        let err = parse("[sever]\naddress = \"x\"\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/etc/archipel/archipel.toml:1: sever: unknown field `sever`"),
            "{err}"
        );
        let err = parse("dbb = 1\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/etc/archipel/archipel.toml:1: dbb: unknown field"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_name_file_line_and_key() {
        let err = parse("[server]\n\npool_size = \"four\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/etc/archipel/archipel.toml:3: server.pool_size: invalid type"),
            "{err}"
        );
        let err = parse("[log]\nformat = 1\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/etc/archipel/archipel.toml:2: log.format: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn values_carry_their_line_and_paths_are_relative_to_the_file() {
        let f = parse("# comment\ndb = \"data/a.db\"\n[server]\npool_size = 8\n").unwrap();
        let pool = KEY_POOL;
        let raw = f.get(&pool).unwrap();
        assert_eq!(raw.text, "8");
        assert_eq!(raw.origin.to_string(), "/etc/archipel/archipel.toml:4");
        // No flag and (in this test) no variable: the file's value.
        let (db, origin) = choose_path(&KEY_DB_UNSET, None, Some(&f)).unwrap().unwrap();
        assert_eq!(db, Path::new("/etc/archipel/data/a.db"));
        assert_eq!(origin.to_string(), "/etc/archipel/archipel.toml:2");
        // A flag wins.
        let (db, origin) = choose_path(&KEY_DB_UNSET, Some("b.db".into()), Some(&f))
            .unwrap()
            .unwrap();
        assert_eq!(
            (db.as_path(), origin),
            (Path::new("b.db"), Origin::Flag("--db"))
        );
    }

    /// Keys whose variables no test environment sets.
    const KEY_POOL: Key = Key {
        file: "server.pool_size",
        flag: "--pool",
        env: "ARCHIPEL_TEST_UNSET_POOL",
    };
    const KEY_DB_UNSET: Key = Key {
        file: "db",
        flag: "--db",
        env: "ARCHIPEL_TEST_UNSET_DB",
    };
}
