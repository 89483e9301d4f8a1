//! Licences declared by package manifests at the root of a folder:
//! Cargo.toml, package.json, composer.json, pyproject.toml, setup.py,
//! setup.cfg, pom.xml, *.gemspec.

use crate::files::{read_text, MAX_READ};
use crate::names::declared_expression;
use regex::Regex;
use serde::Serialize;
use std::path::Path;
use std::sync::OnceLock;

/// A licence declared by metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declared {
    /// Where: file name, and field when useful (`pyproject.toml
    /// (classifier)`).
    pub source: String,
    /// The value as written.
    pub raw: String,
    /// As an SPDX expression, or `NOASSERTION` when it cannot be read as one.
    pub spdx: String,
}

impl Declared {
    fn new(source: &str, raw: &str) -> Self {
        let raw = raw.trim();
        Declared {
            source: source.to_string(),
            raw: raw.to_string(),
            spdx: declared_expression(raw).unwrap_or_else(|| "NOASSERTION".to_string()),
        }
    }
}

/// What the manifests say: declarations, and licence files they point to
/// (`license-file` in Cargo.toml, `license = { file = … }` in
/// pyproject.toml), relative to the root.
#[derive(Debug, Default)]
pub(crate) struct ManifestFindings {
    pub declared: Vec<Declared>,
    pub licence_files: Vec<String>,
}

fn read(root: &Path, name: &str) -> Option<String> {
    let p = root.join(name);
    if !p.is_file() {
        return None;
    }
    read_text(&p, MAX_READ)
}

/// Reads every manifest found at the root.
pub(crate) fn read_manifests(root: &Path) -> ManifestFindings {
    let mut f = ManifestFindings::default();
    if let Some(t) = read(root, "Cargo.toml") {
        cargo(&t, &mut f);
    }
    if let Some(t) = read(root, "package.json") {
        json_manifest("package.json", &t, &mut f);
    }
    if let Some(t) = read(root, "composer.json") {
        json_manifest("composer.json", &t, &mut f);
    }
    if let Some(t) = read(root, "pyproject.toml") {
        pyproject(&t, &mut f);
    }
    if let Some(t) = read(root, "setup.py") {
        setup_py(&t, &mut f);
    }
    if let Some(t) = read(root, "setup.cfg") {
        setup_cfg(&t, &mut f);
    }
    if let Some(t) = read(root, "pom.xml") {
        pom(&t, &mut f);
    }
    if let Ok(rd) = std::fs::read_dir(root) {
        let mut gemspecs: Vec<String> = rd
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".gemspec"))
            .collect();
        gemspecs.sort();
        for name in gemspecs {
            if let Some(t) = read(root, &name) {
                gemspec(&name, &t, &mut f);
            }
        }
    }
    f
}

fn cargo(text: &str, f: &mut ManifestFindings) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let package = doc.get("package").and_then(|p| p.as_table());
    let workspace_pkg = doc
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.as_table());
    let field = |key: &str| -> Option<String> {
        match package.and_then(|p| p.get(key)) {
            Some(toml::Value::String(s)) => Some(s.clone()),
            // `license.workspace = true`: the workspace's value.
            Some(toml::Value::Table(_)) => workspace_pkg
                .and_then(|w| w.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string),
            _ if package.is_none() => workspace_pkg
                .and_then(|w| w.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string),
            _ => None,
        }
    };
    if let Some(l) = field("license") {
        f.declared.push(Declared::new("Cargo.toml", &l));
    }
    if let Some(file) = field("license-file") {
        f.licence_files.push(file);
    }
}

fn json_manifest(name: &str, text: &str, f: &mut ManifestFindings) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let one = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(o) => {
                o.get("type").and_then(|t| t.as_str()).map(str::to_string)
            }
            _ => None,
        }
    };
    let many = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::Array(a) => {
                let parts: Vec<String> = a.iter().filter_map(one).collect();
                (!parts.is_empty()).then(|| join_or(&parts))
            }
            other => one(other),
        }
    };
    if let Some(l) = v.get("license").and_then(many) {
        f.declared.push(Declared::new(name, &l));
    } else if let Some(l) = v.get("licenses").and_then(many) {
        f.declared.push(Declared::new(name, &l));
    }
}

/// `[a, b]` declared as alternatives: `a OR b` (composer and npm arrays).
fn join_or(parts: &[String]) -> String {
    if parts.len() == 1 {
        return parts[0].clone();
    }
    parts
        .iter()
        .map(|p| {
            if p.contains(' ') {
                format!("({p})")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn classifiers<'a>(items: impl Iterator<Item = &'a str>, source: &str, f: &mut ManifestFindings) {
    for c in items {
        let parts: Vec<&str> = c.split("::").map(str::trim).collect();
        if parts.first() != Some(&"License") || parts.len() < 2 {
            continue;
        }
        let name = parts.last().copied().unwrap_or_default();
        if matches!(
            name,
            "OSI Approved" | "Other/Proprietary License" | "Freely Distributable"
        ) && parts.len() == 2
        {
            continue;
        }
        f.declared.push(Declared::new(source, name));
    }
}

fn pyproject(text: &str, f: &mut ManifestFindings) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let project = doc.get("project");
    match project.and_then(|p| p.get("license")) {
        Some(toml::Value::String(s)) => f.declared.push(Declared::new("pyproject.toml", s)),
        Some(toml::Value::Table(t)) => {
            if let Some(s) = t.get("text").and_then(|v| v.as_str()) {
                // Often a whole licence text: only a short one is a name.
                if s.len() < 200 {
                    f.declared.push(Declared::new("pyproject.toml", s));
                }
            }
            if let Some(file) = t.get("file").and_then(|v| v.as_str()) {
                f.licence_files.push(file.to_string());
            }
        }
        _ => {}
    }
    if let Some(l) = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("license"))
        .and_then(|v| v.as_str())
    {
        f.declared
            .push(Declared::new("pyproject.toml (tool.poetry)", l));
    }
    let mut cls: Vec<&str> = Vec::new();
    for c in [
        project.and_then(|p| p.get("classifiers")),
        doc.get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(|p| p.get("classifiers")),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(a) = c.as_array() {
            cls.extend(a.iter().filter_map(|v| v.as_str()));
        }
    }
    classifiers(cls.into_iter(), "pyproject.toml (classifier)", f);
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> Option<&'static Regex> {
    if let Some(r) = cell.get() {
        return Some(r);
    }
    let r = Regex::new(pattern).ok()?;
    Some(cell.get_or_init(|| r))
}

fn setup_py(text: &str, f: &mut ManifestFindings) {
    static LICENSE: OnceLock<Regex> = OnceLock::new();
    static CLASSIFIER: OnceLock<Regex> = OnceLock::new();
    if let Some(re) = regex(&LICENSE, r#"\blicense\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')"#) {
        if let Some(c) = re.captures(text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                if !m.as_str().trim().is_empty() {
                    f.declared.push(Declared::new("setup.py", m.as_str()));
                }
            }
        }
    }
    if let Some(re) = regex(&CLASSIFIER, r#"["'](License\s*::[^"'\n]+)["']"#) {
        let found: Vec<&str> = re
            .captures_iter(text)
            .filter_map(|c| c.get(1).map(|m| m.as_str()))
            .collect();
        classifiers(found.into_iter(), "setup.py (classifier)", f);
    }
}

fn setup_cfg(text: &str, f: &mut ManifestFindings) {
    let mut section = String::new();
    let mut in_classifiers = false;
    let mut cls: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') && t.ends_with(']') {
            section = t.trim_matches(['[', ']']).trim().to_string();
            in_classifiers = false;
            continue;
        }
        if section != "metadata" {
            continue;
        }
        if in_classifiers && (line.starts_with(' ') || line.starts_with('\t')) {
            cls.push(t.to_string());
            continue;
        }
        in_classifiers = false;
        if let Some((k, v)) = t.split_once('=') {
            match k.trim() {
                "license" if !v.trim().is_empty() => f.declared.push(Declared::new("setup.cfg", v)),
                "classifiers" => {
                    in_classifiers = true;
                    if !v.trim().is_empty() {
                        cls.push(v.trim().to_string());
                    }
                }
                _ => {}
            }
        }
    }
    classifiers(cls.iter().map(String::as_str), "setup.cfg (classifier)", f);
}

fn pom(text: &str, f: &mut ManifestFindings) {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    static NAME: OnceLock<Regex> = OnceLock::new();
    let (Some(block), Some(name)) = (
        regex(&BLOCK, r"(?s)<licenses>(.*?)</licenses>"),
        regex(&NAME, r"(?s)<license>.*?<name>\s*([^<]+?)\s*</name>"),
    ) else {
        return;
    };
    let Some(b) = block.captures(text).and_then(|c| c.get(1)) else {
        return;
    };
    let names: Vec<String> = name
        .captures_iter(b.as_str())
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect();
    for n in names {
        f.declared.push(Declared::new("pom.xml", &n));
    }
}

fn gemspec(file: &str, text: &str, f: &mut ManifestFindings) {
    static FIELD: OnceLock<Regex> = OnceLock::new();
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let (Some(field), Some(quoted)) = (
        regex(&FIELD, r"(?m)\.licen[cs]es?\s*=\s*(.+)$"),
        regex(&QUOTED, r#""([^"]+)"|'([^']+)'"#),
    ) else {
        return;
    };
    for c in field.captures_iter(text) {
        let Some(value) = c.get(1) else { continue };
        let parts: Vec<String> = quoted
            .captures_iter(value.as_str())
            .filter_map(|q| {
                q.get(1)
                    .or_else(|| q.get(2))
                    .map(|m| m.as_str().to_string())
            })
            .collect();
        if !parts.is_empty() {
            f.declared.push(Declared::new(file, &join_or(&parts)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(parse: fn(&str, &mut ManifestFindings), text: &str) -> Vec<(String, String)> {
        let mut f = ManifestFindings::default();
        parse(text, &mut f);
        f.declared.into_iter().map(|d| (d.source, d.spdx)).collect()
    }

    #[test]
    fn cargo_fields() {
        let d = run(cargo, "[package]\nname='x'\nlicense = \"MIT/Apache-2.0\"\n");
        assert_eq!(d, [("Cargo.toml".into(), "MIT OR Apache-2.0".into())]);
        let d = run(
            cargo,
            "[workspace.package]\nlicense='EUPL-1.2'\n[package]\nlicense.workspace = true\n",
        );
        assert_eq!(d, [("Cargo.toml".into(), "EUPL-1.2".into())]);
    }

    #[test]
    fn json_fields() {
        let mut f = ManifestFindings::default();
        json_manifest(
            "composer.json",
            r#"{"license": ["MIT", "GPL-3.0-or-later"]}"#,
            &mut f,
        );
        json_manifest("package.json", r#"{"licenses": [{"type": "MIT"}]}"#, &mut f);
        json_manifest("package.json", "{ not json", &mut f);
        let d: Vec<&str> = f.declared.iter().map(|d| d.spdx.as_str()).collect();
        assert_eq!(d, ["MIT OR GPL-3.0-or-later", "MIT"]);
    }

    #[test]
    fn python_fields() {
        let d = run(pyproject, "[project]\nlicense = {text = \"BSD 3-Clause\"}\nclassifiers = [\"License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)\", \"Programming Language :: Python\"]\n");
        assert_eq!(
            d,
            [
                ("pyproject.toml".into(), "BSD-3-Clause".into()),
                (
                    "pyproject.toml (classifier)".into(),
                    "GPL-3.0-or-later".into()
                ),
            ]
        );
        let d = run(setup_py, "setup(name='x', license='Apache 2.0', classifiers=['License :: OSI Approved :: MIT License'])");
        assert_eq!(
            d,
            [
                ("setup.py".into(), "Apache-2.0".into()),
                ("setup.py (classifier)".into(), "MIT".into())
            ]
        );
        let d = run(setup_cfg, "[metadata]\nname = x\nlicense = MPL-2.0\nclassifiers =\n    License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)\n");
        assert_eq!(
            d,
            [
                ("setup.cfg".into(), "MPL-2.0".into()),
                ("setup.cfg (classifier)".into(), "MPL-2.0".into())
            ]
        );
    }

    #[test]
    fn pom_and_gemspec() {
        let d = run(pom, "<project><licenses><license><name>The Apache Software License, Version 2.0</name><url>x</url></license></licenses></project>");
        assert_eq!(d, [("pom.xml".into(), "Apache-2.0".into())]);
        let mut f = ManifestFindings::default();
        gemspec(
            "x.gemspec",
            "Gem::Specification.new do |s|\n  s.licenses = ['MIT', 'Ruby']\nend\n",
            &mut f,
        );
        assert_eq!(f.declared[0].spdx, "MIT OR Ruby");
        let d = run(cargo, "[package]\nlicense = \"Proprietary\"\n");
        assert_eq!(d, [("Cargo.toml".into(), "NOASSERTION".into())]);
    }
}
