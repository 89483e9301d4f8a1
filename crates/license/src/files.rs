//! Finding the files that may hold a licence: licence files at the root
//! (LICENSE, LICENCE, COPYING, UNLICENSE, COPYRIGHT, PATENTS and their
//! variants), the REUSE `LICENSES/` folder, READMEs.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest prefix of a file read for matching (licence texts are far
/// smaller; a bigger file is no licence file).
pub(crate) const MAX_READ: u64 = 512 * 1024;

/// Extensions that mark a file as code or data, not a licence text, even
/// when its name starts with "license" (`license.rs`, `licenses.json`).
const NOT_TEXT_EXTENSIONS: &[&str] = &[
    "c", "cc", "cpp", "cs", "css", "csv", "dart", "erb", "ex", "exs", "gemspec", "gif", "go", "h",
    "hpp", "ico", "java", "jpeg", "jpg", "js", "json", "jsx", "kt", "lock", "lua", "mjs", "pdf",
    "php", "pl", "pm", "png", "py", "pyc", "r", "rb", "rs", "sass", "scala", "scss", "sh", "sql",
    "svg", "swift", "toml", "ts", "tsx", "vue", "xml", "yaml", "yml", "zip", "gz",
];

/// Whether a root file name is a licence file name.
///
/// ```
/// use archipel_license::is_license_file_name as f;
/// assert!(f("LICENSE") && f("LiCeNsE.TxT") && f("COPYING.lesser") && f("LICENSE-MIT"));
/// assert!(f("MIT-LICENSE.md") && f("LICENSE_1_0.txt") && f("UNLICENSE") && f("PATENTS"));
/// assert!(!f("license.rs") && !f("licensee.json") && !f("README.md"));
/// ```
pub fn is_license_file_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    if lower.starts_with('.') {
        return false;
    }
    let (stem, ext) = match lower.split_once('.') {
        Some((s, e)) => (s, e.rsplit('.').next().unwrap_or(e)),
        None => (lower.as_str(), ""),
    };
    if NOT_TEXT_EXTENSIONS.contains(&ext) {
        return false;
    }
    // Licences of bundled third-party code are not the project's.
    let squashed: String = stem.chars().filter(|c| c.is_alphanumeric()).collect();
    if squashed.contains("thirdparty") || squashed.contains("3rdparty") {
        return false;
    }
    let starts = |w: &str| {
        stem == w
            || stem
                .strip_prefix(w)
                .is_some_and(|r| r.starts_with(['-', '_', ' ']))
    };
    // `MIT-LICENSE`, `GPL_COPYING`: one short word before (not
    // `TEMPLATE-FOR-LICENSE`).
    let ends = |w: &str| {
        stem.strip_suffix(w).is_some_and(|r| {
            r.len() >= 2
                && r.len() <= 12
                && r.ends_with(['-', '_'])
                && !r[..r.len() - 1].contains(['-', '_', ' '])
        })
    };
    [
        "license",
        "licence",
        "licenses",
        "licences",
        "unlicense",
        "copying",
        "copyright",
    ]
    .iter()
    .any(|w| starts(w))
        || ["license", "licence", "copying"].iter().any(|w| ends(w))
        || stem == "patents"
}

/// A file that may hold a licence.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Path relative to the root, with `/`.
    pub rel: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Inside a `LICENSES/` (REUSE) or `LICENSE/` folder.
    pub in_dir: bool,
}

fn sorted_entries(dir: &Path) -> Vec<std::fs::DirEntry> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<std::fs::DirEntry> = rd.filter_map(Result::ok).collect();
    v.sort_by_key(|e| e.file_name());
    v
}

/// Licence files at the root, then the files of a `LICENSES/` (REUSE) or
/// `LICENSE/` folder.
pub(crate) fn licence_files(root: &Path) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut dirs = Vec::new();
    for e in sorted_entries(root) {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(ft) = e.file_type() else { continue };
        let ft = if ft.is_symlink() {
            match std::fs::metadata(e.path()) {
                Ok(m) => m.file_type(),
                Err(_) => continue,
            }
        } else {
            ft
        };
        if ft.is_file() && is_license_file_name(&name) {
            out.push(Candidate {
                rel: name,
                path: e.path(),
                in_dir: false,
            });
        } else if ft.is_dir()
            && matches!(
                name.to_lowercase().as_str(),
                "licenses" | "licences" | "license" | "licence"
            )
        {
            dirs.push((name, e.path()));
        }
    }
    for (dname, dpath) in dirs {
        for e in sorted_entries(&dpath) {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || !e.path().is_file() {
                continue;
            }
            out.push(Candidate {
                rel: format!("{dname}/{name}"),
                path: e.path(),
                in_dir: true,
            });
        }
    }
    out
}

/// README files at the root, the most usual first.
pub(crate) fn readme_files(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(u8, String, PathBuf)> = Vec::new();
    for e in sorted_entries(root) {
        let name = e.file_name().to_string_lossy().to_string();
        let lower = name.to_lowercase();
        let stem = lower.split('.').next().unwrap_or("");
        if !matches!(stem, "readme" | "lisezmoi" | "lisez-moi") || !e.path().is_file() {
            continue;
        }
        let rank = match lower.as_str() {
            "readme.md" => 0,
            "readme" | "readme.markdown" | "readme.rst" | "readme.txt" | "readme.adoc"
            | "readme.org" => 1,
            _ => 2,
        };
        out.push((rank, name, e.path()));
    }
    out.sort();
    out.into_iter().map(|(_, n, p)| (n, p)).collect()
}

/// The start of a file as text (invalid UTF-8 replaced), `None` if it
/// cannot be read or looks binary.
pub(crate) fn read_text(path: &Path, max: u64) -> Option<String> {
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(max).read_to_end(&mut buf).ok()?;
    if buf.contains(&0) && !looks_utf16(&buf) {
        return None;
    }
    if looks_utf16(&buf) {
        let le = buf.starts_with(&[0xff, 0xfe]);
        let units: Vec<u16> = buf[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn looks_utf16(buf: &[u8]) -> bool {
    buf.starts_with(&[0xff, 0xfe]) || buf.starts_with(&[0xfe, 0xff])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_names() {
        for yes in [
            "LICENSE",
            "licence.md",
            "COPYING",
            "COPYING.LIB",
            "LICENSE.header",
            "Apache-License",
            "copyright.txt",
            "UNLICENSE",
            "LICENSES.txt",
        ] {
            assert!(is_license_file_name(yes), "{yes}");
        }
        for no in [
            "license.go",
            "licensee.json",
            "project._gemspec",
            "LICENSE.json",
            ".license",
            "unlicensed-stuff.py",
            "NOTICE",
            "DESCRIPTION",
            "TEMPLATE-FOR-LICENSE.txt",
            "LICENSE-THIRD-PARTY",
            "THIRD_PARTY_LICENSES",
        ] {
            assert!(!is_license_file_name(no), "{no}");
        }
    }
}
