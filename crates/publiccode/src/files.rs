//! Checks of files a publiccode.yml points at (logo, screenshots, authors
//! file). Relative paths are resolved against the folder of the
//! publiccode.yml file; without such a folder, existence is not checked.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// How a reference to a file was written.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    /// An `http` or `https` URL.
    Remote(&'a str),
    /// A path relative to the repository root.
    Relative(&'a str),
}

/// Why a file reference is not acceptable.
#[derive(Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// A URL with a scheme other than http or https (including `file:`).
    BadScheme(String),
    /// A path starting at the file system root.
    Absolute,
    /// The extension is not one of those accepted.
    Extension(&'static [&'static str]),
    /// No file at that path.
    Missing,
    /// The path names a folder, not a file.
    NotAFile,
    /// A `.png` that is not a PNG image.
    NotPng,
    /// The file could not be read.
    Unreadable(String),
}

/// Classify a reference as a remote URL or a relative path.
pub fn classify(value: &str) -> Result<Reference<'_>, FileProblem> {
    if let Some((scheme, _)) = value.split_once(':') {
        let is_scheme = scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            return if (lower == "http" || lower == "https") && crate::checks::is_http_url(value) {
                Ok(Reference::Remote(value))
            } else {
                Err(FileProblem::BadScheme(lower))
            };
        }
    }
    if value.starts_with('/') || value.starts_with('\\') {
        return Err(FileProblem::Absolute);
    }
    Ok(Reference::Relative(value))
}

/// Check the extension of a reference (case-insensitive).
pub fn check_extension(value: &str, allowed: &'static [&'static str]) -> Result<(), FileProblem> {
    let path = value.split(['?', '#']).next().unwrap_or(value);
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if allowed.iter().any(|a| *a == ext) {
        Ok(())
    } else {
        Err(FileProblem::Extension(allowed))
    }
}

/// Check that a relative path names a readable file under `base`, and that
/// a `.png` file really is a PNG image.
pub fn check_local(base: &Path, relative: &str) -> Result<(), FileProblem> {
    let path = base.join(relative);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileProblem::Missing),
        Err(e) => return Err(FileProblem::Unreadable(e.to_string())),
    };
    if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    if relative.to_ascii_lowercase().ends_with(".png") {
        let mut head = [0u8; 24];
        let read = File::open(&path)
            .and_then(|mut f| f.read_exact(&mut head))
            .map(|_| head);
        match read {
            Ok(h) if is_png_header(&h) => {}
            Ok(_) => return Err(FileProblem::NotPng),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(FileProblem::NotPng)
            }
            Err(e) => return Err(FileProblem::Unreadable(e.to_string())),
        }
    }
    Ok(())
}

/// PNG signature followed by an IHDR chunk of the right length with a
/// non-zero width and height.
fn is_png_header(h: &[u8; 24]) -> bool {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let width = u32::from_be_bytes([h[16], h[17], h[18], h[19]]);
    let height = u32::from_be_bytes([h[20], h[21], h[22], h[23]]);
    h[..8] == SIGNATURE
        && h[8..12] == [0, 0, 0, 13]
        && &h[12..16] == b"IHDR"
        && width > 0
        && height > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify("assets/logo.png"),
            Ok(Reference::Relative("assets/logo.png"))
        );
        assert_eq!(
            classify("https://example.org/logo.png"),
            Ok(Reference::Remote("https://example.org/logo.png"))
        );
        assert_eq!(classify("/logo.png"), Err(FileProblem::Absolute));
        assert!(matches!(
            classify("file:///logo.png"),
            Err(FileProblem::BadScheme(_))
        ));
        assert!(matches!(
            classify("file:/logo.png"),
            Err(FileProblem::BadScheme(_))
        ));
        assert!(matches!(
            classify("file://logo.png"),
            Err(FileProblem::BadScheme(_))
        ));
        assert!(check_extension("a.SVG", &["svg", "png"]).is_ok());
        assert!(check_extension("a.mpg", &["svg", "png"]).is_err());
    }
}
