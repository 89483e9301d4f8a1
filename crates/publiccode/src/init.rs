//! A starting publiccode.yml for a repository, from what can be known
//! locally: the name (package manifest or folder), the source URL (git
//! remote `origin`), the licence (licence files), the languages (locale
//! files) and a logo. What only the maintainer knows is left empty and
//! marked `# TODO`, so that validating the draft lists what is left to do.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("pc-init-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("locales")).unwrap();
//! std::fs::write(dir.join("LICENSE"), "EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016\n").unwrap();
//! std::fs::write(dir.join("locales/fr.json"), "{}").unwrap();
//! std::fs::write(dir.join("locales/en.json"), "{}").unwrap();
//! let draft = archipel_publiccode::init::draft(&dir);
//! assert_eq!(draft.license.as_deref(), Some("EUPL-1.2"));
//! assert_eq!(draft.languages, vec!["en".to_string(), "fr".to_string()]);
//! assert!(draft.yaml.contains("license: \"EUPL-1.2\""));
//! // The draft is YAML the validator reads; what is left to fill in shows up as errors.
//! let report = archipel_publiccode::validate(draft.yaml.as_bytes(), &Default::default());
//! assert!(report.publiccode.is_some());
//! assert!(report.findings.iter().any(|f| f.key.ends_with("shortDescription")));
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fs;
use std::path::Path;

/// What was found in the repository, and the YAML written from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The publiccode.yml text.
    pub yaml: String,
    /// Software name found (manifest or folder name).
    pub name: String,
    /// Repository URL from the git remote `origin`, if any.
    pub url: Option<String>,
    /// SPDX identifier of the licence found, if recognised.
    pub license: Option<String>,
    /// Language tags of the locale files found, sorted.
    pub languages: Vec<String>,
    /// Logo path relative to the repository, if one was found.
    pub logo: Option<String>,
    /// What the maintainer still has to fill in, in English.
    pub todo: Vec<String>,
}

/// Inspect `repo` and write a draft publiccode.yml (nothing is written to disk).
pub fn draft(repo: &Path) -> Draft {
    let name = manifest_name(repo)
        .or_else(|| {
            fs::canonicalize(repo)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "software".to_string());
    let url = git_origin(repo);
    let license = find_license(repo);
    let languages = find_languages(repo);
    let logo = find_logo(repo);
    let mut todo = Vec::new();
    let mut y = String::new();
    let q = quote;

    y.push_str("# publiccode.yml: see https://yml.publiccode.tools\n");
    y.push_str("# Draft written by `archipel publiccode init`. Fill in the lines marked TODO,\n");
    y.push_str("# then run `archipel publiccode validate publiccode.yml`.\n");
    y.push_str("publiccodeYmlVersion: \"0.7\"\n\n");
    y.push_str(&format!("name: {}\n", q(&name)));
    match &url {
        Some(u) => y.push_str(&format!("url: {}\n", q(u))),
        None => {
            y.push_str("url: \"\" # TODO: URL of the source code repository\n");
            todo.push("url: the address of the source code repository".into());
        }
    }
    if let Some(l) = &logo {
        y.push_str(&format!("logo: {}\n", q(l)));
    }
    y.push_str("\nplatforms: # TODO: check (web, windows, mac, linux, ios, android…)\n  - web\n");
    y.push_str(
        "\ndevelopmentStatus: development # TODO: concept, development, beta, stable or obsolete\n",
    );
    y.push_str("softwareType: standalone/web # TODO: check (standalone/web, library, addon…)\n");
    todo.push("platforms, developmentStatus, softwareType: check the guesses".into());

    let desc_lang = languages
        .iter()
        .find(|l| l.as_str() == "fr")
        .or_else(|| languages.first())
        .cloned()
        .unwrap_or_else(|| "fr".to_string());
    y.push_str("\ndescription:\n");
    y.push_str(&format!("  {desc_lang}:\n"));
    y.push_str("    shortDescription: \"\" # TODO: one sentence, at most 150 characters\n");
    y.push_str("    longDescription: \"\" # TODO: what the software does and for whom, 150 to 10000 characters\n");
    y.push_str("    features: [] # TODO: the main features, one per item\n");
    todo.push(format!(
        "description.{desc_lang}: shortDescription, longDescription and features"
    ));

    y.push_str("\nlegal:\n");
    match &license {
        Some(l) => y.push_str(&format!("  license: {}\n", q(l))),
        None => {
            y.push_str("  license: \"\" # TODO: SPDX expression of the licence, as EUPL-1.2\n");
            todo.push("legal.license: no licence file was recognised".into());
        }
    }

    y.push_str("\nmaintenance:\n  type: community # TODO: internal, contract, community or none\n");
    y.push_str("  contacts:\n    - name: \"\" # TODO: who answers questions about the software\n      email: \"\"\n");
    todo.push("maintenance: its type and at least one contact".into());

    y.push_str("\nlocalisation:\n");
    y.push_str(&format!(
        "  localisationReady: {} # TODO: true if the software can be translated\n",
        languages.len() > 1
    ));
    y.push_str("  availableLanguages:\n");
    if languages.is_empty() {
        y.push_str("    - fr # TODO: languages the software is available in\n");
        todo.push("localisation.availableLanguages: no locale file was found".into());
    } else {
        for l in &languages {
            y.push_str(&format!("    - {l}\n"));
        }
    }

    Draft {
        yaml: y,
        name,
        url,
        license,
        languages,
        logo,
        todo,
    }
}

/// A YAML double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn read_small(path: &Path) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1_000_000 {
        return None;
    }
    fs::read_to_string(path).ok()
}

/// `name` from Cargo.toml, package.json or pyproject.toml.
fn manifest_name(repo: &Path) -> Option<String> {
    let toml_name = |file: &str, section: &str| -> Option<String> {
        let text = read_small(&repo.join(file))?;
        let mut in_section = false;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                in_section = t == section;
            } else if in_section {
                if let Some(rest) = t.strip_prefix("name") {
                    let v = rest
                        .trim_start()
                        .strip_prefix('=')?
                        .trim()
                        .trim_matches('"');
                    return (!v.is_empty()).then(|| v.to_string());
                }
            }
        }
        None
    };
    toml_name("Cargo.toml", "[package]")
        .or_else(|| toml_name("pyproject.toml", "[project]"))
        .or_else(|| {
            let text = read_small(&repo.join("package.json"))?;
            let i = text.find("\"name\"")?;
            let rest = text[i + 6..].trim_start().strip_prefix(':')?.trim_start();
            let rest = rest.strip_prefix('"')?;
            let v = &rest[..rest.find('"')?];
            (!v.is_empty()).then(|| v.to_string())
        })
}

/// The URL of the `origin` remote, as an https URL when it is an scp-like
/// SSH address (`git@host:owner/repo.git`).
fn git_origin(repo: &Path) -> Option<String> {
    let config = read_small(&repo.join(".git/config"))?;
    let mut in_origin = false;
    for line in config.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_origin = t == "[remote \"origin\"]";
        } else if in_origin {
            if let Some(rest) = t.strip_prefix("url") {
                let url = rest.trim_start().strip_prefix('=')?.trim();
                return Some(normalise_remote(url));
            }
        }
    }
    None
}

fn normalise_remote(url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    match url.split_once(':') {
        Some((user_host, path)) if !path.starts_with('/') => {
            let host = user_host.rsplit('@').next().unwrap_or(user_host);
            format!("https://{host}/{path}")
        }
        _ => url.to_string(),
    }
}

/// Distinctive phrases of common licence texts, most specific first.
const LICENSE_PHRASES: &[(&str, &[&str])] = &[
    ("EUPL-1.2", &["european union public licence", "v. 1.2"]),
    ("EUPL-1.1", &["european union public licence", "v. 1.1"]),
    (
        "AGPL-3.0-or-later",
        &[
            "gnu affero general public license",
            "version 3",
            "any later version",
        ],
    ),
    (
        "AGPL-3.0-only",
        &["gnu affero general public license", "version 3"],
    ),
    (
        "LGPL-3.0-or-later",
        &[
            "gnu lesser general public license",
            "version 3",
            "any later version",
        ],
    ),
    (
        "LGPL-3.0-only",
        &["gnu lesser general public license", "version 3"],
    ),
    (
        "LGPL-2.1-or-later",
        &[
            "gnu lesser general public license",
            "version 2.1",
            "any later version",
        ],
    ),
    (
        "LGPL-2.1-only",
        &["gnu lesser general public license", "version 2.1"],
    ),
    (
        "GPL-3.0-or-later",
        &[
            "gnu general public license",
            "version 3",
            "any later version",
        ],
    ),
    ("GPL-3.0-only", &["gnu general public license", "version 3"]),
    (
        "GPL-2.0-or-later",
        &[
            "gnu general public license",
            "version 2",
            "any later version",
        ],
    ),
    ("GPL-2.0-only", &["gnu general public license", "version 2"]),
    ("MPL-2.0", &["mozilla public license version 2.0"]),
    ("Apache-2.0", &["apache license", "version 2.0"]),
    ("CECILL-2.1", &["cecill", "version 2.1"]),
    ("CECILL-B", &["cecill-b"]),
    ("CECILL-C", &["cecill-c"]),
    (
        "BSD-3-Clause",
        &[
            "redistribution and use in source and binary forms",
            "neither the name",
        ],
    ),
    (
        "BSD-2-Clause",
        &["redistribution and use in source and binary forms"],
    ),
    ("MIT", &["permission is hereby granted, free of charge"]),
    (
        "ISC",
        &["permission to use, copy, modify, and/or distribute this software"],
    ),
    (
        "Unlicense",
        &["this is free and unencumbered software released into the public domain"],
    ),
];

fn find_license(repo: &Path) -> Option<String> {
    // REUSE layout: LICENSES/<SPDX-id>.txt.
    if let Ok(entries) = fs::read_dir(repo.join("LICENSES")) {
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let id = name.strip_suffix(".txt")?.to_string();
                crate::checks::check_license(&id).is_ok().then_some(id)
            })
            .collect();
        ids.sort();
        if !ids.is_empty() {
            return Some(ids.join(" AND "));
        }
    }
    for file in [
        "LICENSE",
        "LICENSE.md",
        "LICENSE.txt",
        "LICENCE",
        "LICENCE.md",
        "LICENCE.txt",
        "COPYING",
        "COPYING.md",
        "COPYING.txt",
    ] {
        let Some(text) = read_small(&repo.join(file)) else {
            continue;
        };
        if let Some(id) = text.lines().find_map(|l| {
            l.split_once("SPDX-License-Identifier:")
                .map(|(_, id)| id.trim().to_string())
        }) {
            if crate::checks::check_license(&id).is_ok() {
                return Some(id);
            }
        }
        let lower = text
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some((id, _)) = LICENSE_PHRASES
            .iter()
            .find(|(_, phrases)| phrases.iter().all(|p| lower.contains(p)))
        {
            return Some((*id).to_string());
        }
    }
    None
}

/// Language tags from locale files: `locales/fr.json`, `i18n/en-GB.yml`,
/// `po/it.po`, `locale/de/LC_MESSAGES/…`.
fn find_languages(repo: &Path) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    let mut stack = vec![(repo.to_path_buf(), 0usize)];
    let mut visited = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            visited += 1;
            if visited > 20_000 {
                return found.into_iter().collect();
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let parent = dir
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let in_locale_dir = matches!(
                parent.as_str(),
                "locale" | "locales" | "i18n" | "lang" | "langs" | "translations" | "po"
            );
            if is_dir {
                if name.starts_with('.')
                    || matches!(name.as_str(), "node_modules" | "target" | "vendor")
                {
                    continue;
                }
                if in_locale_dir {
                    add_tag(&mut found, &name);
                }
                if depth < 4 {
                    stack.push((path, depth + 1));
                }
            } else if in_locale_dir || name.ends_with(".po") {
                if let Some(stem) = name.split('.').next() {
                    add_tag(&mut found, stem);
                }
            }
        }
    }
    found.into_iter().collect()
}

fn add_tag(found: &mut std::collections::BTreeSet<String>, candidate: &str) {
    let tag = candidate.replace('_', "-");
    if (2..=8).contains(&tag.len()) && crate::checks::is_language_tag(&tag) {
        found.insert(tag);
    }
}

fn find_logo(repo: &Path) -> Option<String> {
    for dir in [
        "", "assets/", "docs/", "doc/", "static/", "public/", "images/", "img/",
    ] {
        for file in ["logo.svg", "logo.png"] {
            let rel = format!("{dir}{file}");
            if repo.join(&rel).is_file() {
                return Some(rel);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes() {
        assert_eq!(
            normalise_remote("git@github.com:owner/repo.git"),
            "https://github.com/owner/repo.git"
        );
        assert_eq!(
            normalise_remote("https://example.org/r.git"),
            "https://example.org/r.git"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
