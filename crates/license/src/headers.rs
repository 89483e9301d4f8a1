//! `SPDX-License-Identifier:` headers at the top of files.

use crate::files::read_text;
use crate::names::canonical_expression;
use std::collections::BTreeMap;
use std::path::Path;

/// How many files the scan opens at most.
const MAX_FILES: usize = 5_000;
/// How deep it goes below the root.
const MAX_DEPTH: usize = 8;
/// How much of each file it reads: headers sit at the top.
const HEAD_BYTES: u64 = 4 * 1024;

/// Folders that hold someone else's code, build output or tooling.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "third_party",
    "third-party",
    "thirdparty",
    "external",
    "dist",
    "build",
    "out",
    "__pycache__",
    "venv",
    "site-packages",
    "bower_components",
    "licenses",
    "licences",
];

/// One expression found in headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderGroup {
    /// Canonical SPDX expression.
    pub spdx: String,
    /// How many files carry it.
    pub files: usize,
    /// One of them, relative to the root.
    pub example: String,
}

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct HeaderScan {
    /// By expression, most frequent first.
    pub groups: Vec<HeaderGroup>,
    /// Files carrying a header that is no valid expression.
    pub invalid: Vec<String>,
    /// The scan stopped at [`MAX_FILES`].
    pub truncated: bool,
}

impl HeaderScan {
    pub fn total(&self) -> usize {
        self.groups.iter().map(|g| g.files).sum()
    }
}

/// The expression of an `SPDX-License-Identifier:` line, as written
/// (comment closers and quotes removed).
pub(crate) fn header_value(line: &str) -> Option<&str> {
    const TAG: &str = "SPDX-License-Identifier:";
    let at = line.find(TAG)?;
    let v = line[at + TAG.len()..].trim();
    let v = v
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim_end_matches("*)")
        .trim_end_matches("#}")
        .trim_end_matches("--}}")
        .trim()
        .trim_matches(['"', '\'', '`', ',', ';'])
        .trim();
    (!v.is_empty()).then_some(v)
}

/// Scans the files below `root` for SPDX headers.
pub(crate) fn scan(root: &Path) -> HeaderScan {
    let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut scan = HeaderScan::default();
    let mut opened = 0usize;
    let mut stack: Vec<(std::path::PathBuf, String, usize)> =
        vec![(root.to_path_buf(), String::new(), 0)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<std::fs::DirEntry> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let Ok(ft) = e.file_type() else { continue };
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if ft.is_dir() {
                if depth < MAX_DEPTH && !SKIP_DIRS.contains(&name.to_lowercase().as_str()) {
                    subdirs.push((e.path(), child_rel, depth + 1));
                }
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            if opened >= MAX_FILES {
                scan.truncated = true;
                break;
            }
            opened += 1;
            let Some(head) = read_text(&e.path(), HEAD_BYTES) else {
                continue;
            };
            let Some(value) = head.lines().find_map(header_value) else {
                continue;
            };
            match canonical_expression(value) {
                Some(expr) => {
                    let entry = counts.entry(expr).or_insert((0, child_rel.clone()));
                    entry.0 += 1;
                }
                None => scan.invalid.push(child_rel),
            }
        }
        if scan.truncated {
            break;
        }
        // Depth-first, in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    let mut groups: Vec<HeaderGroup> = counts
        .into_iter()
        .map(|(spdx, (files, example))| HeaderGroup {
            spdx,
            files,
            example,
        })
        .collect();
    groups.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.spdx.cmp(&b.spdx)));
    scan.groups = groups;
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        assert_eq!(header_value("// SPDX-License-Identifier: MIT"), Some("MIT"));
        assert_eq!(
            header_value("/* SPDX-License-Identifier: GPL-2.0+ */"),
            Some("GPL-2.0+")
        );
        assert_eq!(
            header_value("<!-- SPDX-License-Identifier: CC-BY-4.0 -->"),
            Some("CC-BY-4.0")
        );
        assert_eq!(header_value("# no header"), None);
    }
}
