//! Putting the evidence together: licence files first, then manifests,
//! SPDX headers and READMEs.

use crate::files::{self, read_text, Candidate, MAX_READ};
use crate::headers::{self, HeaderScan};
use crate::manifests::{read_manifests, Declared};
use crate::matcher::{self, TextMatch};
use crate::names::{base_of, canonical_expression, licence_bases};
use crate::normalize;
use crate::readme::{self, ReadmeSays};
use crate::{DetectError, Detection, Evidence, Method, NOASSERTION, NONE};
use std::path::Path;

/// Confidence given to a licence named (not quoted) by a licence file or
/// a REUSE file name.
const REFERENCE_SCORE: f64 = 0.8;
/// A licence file this short that matches no text may be a notice naming
/// its licence ("Licensed under the Apache License, Version 2.0…").
const NOTICE_MAX_WORDS: usize = 300;
/// …unless it resembles a licence text this much: then it is that text
/// modified, whatever its title says.
const NOTICE_MAX_SIMILARITY: f64 = 0.5;
/// Confidence in a licence declared by manifests that agree.
const MANIFEST_SCORE: f64 = 0.9;
/// Confidence in a licence declared by manifests that disagree.
const MANIFEST_SPLIT_SCORE: f64 = 0.6;
/// Confidence in a licence read from SPDX headers all alike.
const HEADER_SCORE: f64 = 0.85;
/// Confidence in a licence a README names.
const README_NAME_SCORE: f64 = 0.7;
/// Confidence in a README holding a licence text (times the similarity).
const README_TEXT_FACTOR: f64 = 0.9;

/// What one licence file says.
enum FileVerdict {
    /// A known licence (or expression).
    Licence {
        spdx: String,
        score: f64,
        method: Method,
        same_text: Vec<&'static str>,
        note: Option<String>,
    },
    /// A licence file matching no known licence closely enough.
    Unknown {
        best: Option<TextMatch>,
        why: String,
    },
    /// Only a copyright notice: no licence terms at all.
    CopyrightOnly,
}

fn describe(m: &TextMatch) -> String {
    let mut s = format!("closest: {} ({:.3})", m.spdx, m.score);
    if !m.missing_name_words.is_empty() {
        s.push_str(&format!(
            ", without the name words {}",
            m.missing_name_words.join(", ")
        ));
    }
    if let Some(c) = m.changes.as_ref().filter(|c| !c.are_minor()) {
        if !c.added_sample.is_empty() {
            s.push_str(&format!(
                ", adds {} words: \"{}\"",
                c.added_inside, c.added_sample
            ));
        }
        if !c.removed_sample.is_empty() {
            s.push_str(&format!(
                ", lacks {} words: \"{}\"",
                c.removed_inside, c.removed_sample
            ));
        }
        if c.added_after > 0 {
            s.push_str(&format!(", adds {} words after the licence", c.added_after));
        }
    }
    s
}

/// Says what a matching text changes, when it changes more than a name.
fn minor_changes_note(m: &TextMatch) -> Option<String> {
    let c = m.changes.as_ref()?;
    (c.added_inside > 6 || c.added_after > 6).then(|| {
        format!(
            "differs from the licence text: adds \"{}\"",
            if c.added_inside > 6 {
                &c.added_sample
            } else {
                "text after it"
            }
        )
    })
}

fn classify(c: &Candidate, text: &str) -> FileVerdict {
    if text.trim().is_empty() {
        return FileVerdict::Unknown {
            best: None,
            why: "empty licence file".to_string(),
        };
    }
    let words = if normalize::is_markdown(&c.rel, text) {
        normalize::markdown_words(text)
    } else {
        normalize::words(text)
    };
    if words.is_empty() {
        return FileVerdict::CopyrightOnly;
    }
    let best = matcher::best_of(matcher::closest_words(&words, 5));
    if let Some(m) = best.as_ref().filter(|m| m.is_match()) {
        let mut note = minor_changes_note(m);
        if c.in_dir {
            let stem = file_stem(&c.rel);
            if let Some(id) = spdx::license_id(stem) {
                if id.name != m.spdx && !m.same_text.contains(&id.name) {
                    note = Some(format!("file name says {}, text is {}", id.name, m.spdx));
                }
                // REUSE names the file after the exact id (`GPL-3.0-or-later.txt`).
                if m.same_text.contains(&id.name) {
                    return FileVerdict::Licence {
                        spdx: id.name.to_string(),
                        score: m.score,
                        method: Method::LicenseText,
                        same_text: Vec::new(),
                        note: Some(
                            "text matched; -only/-or-later from the REUSE file name".to_string(),
                        ),
                    };
                }
            }
        }
        return FileVerdict::Licence {
            spdx: m.spdx.to_string(),
            score: m.score,
            method: Method::LicenseText,
            same_text: m.same_text.clone(),
            note,
        };
    }
    if let Some(v) = best.as_ref().and_then(|m| with_exception(m, &words)) {
        return v;
    }
    let resembles = best
        .as_ref()
        .is_some_and(|m| m.score >= NOTICE_MAX_SIMILARITY);
    if words.len() <= NOTICE_MAX_WORDS && !resembles {
        match readme::names_in(text, true) {
            Some(ReadmeSays::Names(expr)) => {
                return FileVerdict::Licence {
                    spdx: expr,
                    score: REFERENCE_SCORE,
                    method: Method::LicenseReference,
                    same_text: Vec::new(),
                    note: Some("short licence file naming its licence".to_string()),
                };
            }
            Some(ReadmeSays::Several(ids)) => {
                return FileVerdict::Unknown {
                    best,
                    why: format!(
                        "names several licences ({}) without saying how they combine",
                        ids.join(", ")
                    ),
                };
            }
            _ => {}
        }
    }
    if c.in_dir {
        // REUSE: the file name is the SPDX id of the licence it holds.
        if let Some(id) = spdx::license_id(file_stem(&c.rel)) {
            return FileVerdict::Licence {
                spdx: id.name.to_string(),
                score: REFERENCE_SCORE,
                method: Method::ReuseFileName,
                same_text: Vec::new(),
                note: best.as_ref().map(describe),
            };
        }
    }
    FileVerdict::Unknown {
        why: best
            .as_ref()
            .map_or_else(|| "matches no known licence".to_string(), describe),
        best,
    }
}

/// A licence text followed by a licence exception (Apache-2.0 and the
/// LLVM exception, GPL and the Classpath exception): `ID WITH EXCEPTION`.
fn with_exception(m: &TextMatch, words: &[String]) -> Option<FileVerdict> {
    let c = m.changes.as_ref()?;
    let (head, tail) = (words.get(..c.tail_start)?, words.get(c.tail_start..)?);
    if tail.len() < 20 || !m.missing_name_words.is_empty() {
        return None;
    }
    let lic = matcher::best_of(matcher::closest_words(head, 5)).filter(|l| l.is_match())?;
    let (exception, score) = matcher::closest_exception(tail)?;
    if score < matcher::MATCH_THRESHOLD {
        return None;
    }
    Some(FileVerdict::Licence {
        spdx: format!("{} WITH {exception}", lic.spdx),
        score: lic.score.min(score),
        method: Method::LicenseText,
        same_text: Vec::new(),
        note: Some(format!(
            "licence text ({:.3}) followed by an exception text ({score:.3})",
            lic.score
        )),
    })
}

fn file_stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.strip_suffix(".txt")
        .or_else(|| name.strip_suffix(".md"))
        .unwrap_or(name)
}

/// A GNU id whose text does not tell `-only` from `-or-later`: the
/// variant that some other evidence states, if it is unanimous.
fn refine_gnu(
    spdx: &str,
    same_text: &[&str],
    hints: &[(String, String)],
) -> (String, Option<String>) {
    if same_text.is_empty() {
        return (spdx.to_string(), None);
    }
    let base = base_of(spdx);
    let mut says: Vec<(&str, &str)> = Vec::new();
    for (source, expr) in hints {
        let bases = licence_bases(expr);
        if bases.len() == 1 && bases[0] == base {
            if let Some(variant) = std::iter::once(spdx)
                .chain(same_text.iter().copied())
                .find(|v| expr == v)
            {
                says.push((source, variant));
            }
        }
    }
    let first = says.first().map(|s| s.1);
    match first {
        Some(v) if says.iter().all(|s| s.1 == v) => {
            let sources: Vec<&str> = says.iter().map(|s| s.0).collect();
            (
                v.to_string(),
                Some(format!(
                    "the text alone does not say which variant; {} says {v}",
                    sources.join(", ")
                )),
            )
        }
        _ => (
            spdx.to_string(),
            Some(format!(
                "the text alone does not tell {} from {}",
                spdx,
                same_text.join(", ")
            )),
        ),
    }
}

/// Detects the licence of the folder `root`.
pub(crate) fn detect(root: &Path) -> Result<Detection, DetectError> {
    let meta = std::fs::metadata(root).map_err(|e| DetectError::Unreadable {
        path: root.to_path_buf(),
        source: e,
    })?;
    if !meta.is_dir() {
        return Err(DetectError::NotADirectory(root.to_path_buf()));
    }
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    // Manifests first: they may point to more licence files.
    let manifests = read_manifests(root);
    let mut candidates = files::licence_files(root);
    for extra in &manifests.licence_files {
        let rel = extra.trim_start_matches("./").to_string();
        if rel.contains("..") || candidates.iter().any(|c| c.rel == rel) {
            continue;
        }
        let path = root.join(&rel);
        if path.is_file() {
            candidates.push(Candidate {
                rel,
                path,
                in_dir: false,
            });
        }
    }

    // Licence files.
    let mut found: Vec<(String, f64, Vec<&'static str>, usize)> = Vec::new();
    let mut unknown: Vec<(Option<TextMatch>, usize)> = Vec::new();
    for c in &candidates {
        let Some(text) = read_text(&c.path, MAX_READ) else {
            notes.push(format!("{}: could not be read as text", c.rel));
            continue;
        };
        match classify(c, &text) {
            FileVerdict::Licence {
                spdx,
                score,
                method,
                same_text,
                note,
            } => {
                found.push((spdx.clone(), score, same_text, evidence.len()));
                evidence.push(Evidence::new(&c.rel, method, &spdx, score, note));
            }
            FileVerdict::Unknown { best, why } => {
                let score = best.as_ref().map_or(0.0, |m| m.score);
                unknown.push((best, evidence.len()));
                evidence.push(Evidence::new(
                    &c.rel,
                    Method::LicenseText,
                    NOASSERTION,
                    score,
                    Some(why),
                ));
            }
            FileVerdict::CopyrightOnly => {
                evidence.push(Evidence::new(
                    &c.rel,
                    Method::CopyrightNotice,
                    NONE,
                    1.0,
                    Some("a copyright notice only, no licence terms".to_string()),
                ));
            }
        }
    }

    // Declarations: manifests, SPDX headers, README.
    for d in &manifests.declared {
        let note = (d.spdx == NOASSERTION).then(|| {
            format!(
                "not an SPDX expression nor a known licence name: {:?}",
                d.raw
            )
        });
        evidence.push(Evidence::new(
            &d.source,
            Method::Manifest,
            &d.spdx,
            MANIFEST_SCORE,
            note,
        ));
    }
    let headers = headers::scan(root);
    push_header_evidence(&headers, &mut evidence, &mut notes);
    let mut readme_says: Option<(String, ReadmeSays)> = None;
    for (name, path) in files::readme_files(root) {
        let Some(text) = read_text(&path, MAX_READ) else {
            continue;
        };
        if let Some(says) = readme::read(&text) {
            let (spdx, method, score, note) = match &says {
                ReadmeSays::Text(m) => (m.spdx.to_string(), Method::ReadmeText, m.score, None),
                ReadmeSays::Names(e) => {
                    (e.clone(), Method::ReadmeReference, README_NAME_SCORE, None)
                }
                ReadmeSays::Several(ids) => (
                    NOASSERTION.to_string(),
                    Method::ReadmeReference,
                    README_NAME_SCORE,
                    Some(format!("names several licences: {}", ids.join(", "))),
                ),
            };
            evidence.push(Evidence::new(&name, method, &spdx, score, note));
            readme_says = Some((name, says));
            break;
        }
    }

    // Everything that states an expression, for settling -only/-or-later
    // and how several licence files combine.
    let mut hints: Vec<(String, String)> = manifests
        .declared
        .iter()
        .filter(|d| d.spdx != NOASSERTION)
        .map(|d| (d.source.clone(), d.spdx.clone()))
        .collect();
    for g in &headers.groups {
        hints.push((format!("SPDX headers ({} files)", g.files), g.spdx.clone()));
    }
    if let Some((name, ReadmeSays::Names(e))) = &readme_says {
        hints.push((name.clone(), e.clone()));
    }
    if let Some((name, ReadmeSays::Text(m))) = &readme_says {
        hints.push((name.clone(), m.spdx.to_string()));
    }

    let (spdx, confidence) = if !found.is_empty() || !unknown.is_empty() {
        decide_from_files(&mut found, &unknown, &hints, &mut evidence, &mut notes)
    } else {
        decide_from_declarations(
            &manifests.declared,
            &headers,
            readme_says.as_ref(),
            &mut notes,
        )
    };
    Ok(Detection::new(
        spdx,
        confidence,
        evidence,
        manifests.declared,
        notes,
    ))
}

fn push_header_evidence(
    headers: &HeaderScan,
    evidence: &mut Vec<Evidence>,
    notes: &mut Vec<String>,
) {
    let total = headers.total();
    for g in &headers.groups {
        evidence.push(Evidence::new(
            &g.example,
            Method::SpdxHeader,
            &g.spdx,
            g.files as f64 / total.max(1) as f64,
            Some(format!(
                "{} of {} files with an SPDX header",
                g.files, total
            )),
        ));
    }
    if !headers.invalid.is_empty() {
        notes.push(format!(
            "{} SPDX header(s) with an invalid expression, e.g. {}",
            headers.invalid.len(),
            headers.invalid[0]
        ));
    }
    if headers.truncated {
        notes.push("SPDX header scan stopped after 5000 files".to_string());
    }
}

fn decide_from_files(
    found: &mut Vec<(String, f64, Vec<&'static str>, usize)>,
    unknown: &[(Option<TextMatch>, usize)],
    hints: &[(String, String)],
    evidence: &mut [Evidence],
    notes: &mut Vec<String>,
) -> (String, f64) {
    if !unknown.is_empty() {
        let near = unknown
            .iter()
            .filter_map(|(m, _)| m.as_ref().map(|m| m.score))
            .fold(0.0_f64, f64::max);
        notes.push("a licence file matches no known licence closely enough".to_string());
        // A text far from every licence is surely unknown; a near miss
        // may be a known licence reformatted beyond what the matcher
        // forgives.
        return (NOASSERTION.to_string(), if near < 0.5 { 0.9 } else { 0.6 });
    }

    // LGPL-3.0 is a set of additional permissions on top of GPL-3.0: the
    // two texts ship together and the work is under the LGPL.
    let bases: Vec<String> = found.iter().map(|f| base_of(&f.0)).collect();
    if bases.iter().any(|b| b == "LGPL-3.0") && bases.iter().any(|b| b == "GPL-3.0") {
        found.retain(|f| base_of(&f.0) != "GPL-3.0");
        notes.push(
            "GPL-3.0 text shipped with LGPL-3.0, which builds on it: the licence is the LGPL"
                .to_string(),
        );
    }

    let mut distinct: Vec<Vec<String>> = Vec::new();
    for f in found.iter() {
        let b = licence_bases(&f.0);
        if !distinct.contains(&b) {
            distinct.push(b);
        }
    }
    let best_score = found.iter().map(|f| f.1).fold(0.0_f64, f64::max);
    let worst_score = found.iter().map(|f| f.1).fold(1.0_f64, f64::min);
    if distinct.len() == 1 {
        // Prefer the most precise file: one that already settles the variant.
        let pick = found
            .iter()
            .find(|f| f.2.is_empty())
            .or_else(|| found.first());
        let Some((spdx, _, same_text, idx)) = pick else {
            return (NOASSERTION.to_string(), 0.5);
        };
        let (spdx, note) = refine_gnu(spdx, same_text, hints);
        if let (Some(note), Some(ev)) = (note, evidence.get_mut(*idx)) {
            ev.note = Some(match ev.note.take() {
                Some(n) => format!("{n}; {note}"),
                None => note,
            });
        }
        return (spdx, best_score);
    }

    // Several licences: a declaration over exactly those licences says
    // how they combine (`MIT OR Apache-2.0`).
    let mut all: Vec<String> = distinct.into_iter().flatten().collect();
    all.sort();
    all.dedup();
    if let Some((source, expr)) = hints.iter().find(|(_, e)| licence_bases(e) == all) {
        notes.push(format!(
            "several licence files; {source} says how they combine"
        ));
        let expr = canonical_expression(expr).unwrap_or_else(|| expr.clone());
        return (expr, worst_score * 0.95);
    }
    notes.push(format!(
        "licence files hold different licences ({}) and nothing says how they combine",
        all.join(", ")
    ));
    (NOASSERTION.to_string(), 0.8)
}

fn decide_from_declarations(
    declared: &[Declared],
    headers: &HeaderScan,
    readme: Option<&(String, ReadmeSays)>,
    notes: &mut Vec<String>,
) -> (String, f64) {
    let valid: Vec<&Declared> = declared.iter().filter(|d| d.spdx != NOASSERTION).collect();
    if let Some(first) = valid.first() {
        notes.push("no licence file: the licence comes from package metadata".to_string());
        let agree = valid
            .iter()
            .all(|d| licence_bases(&d.spdx) == licence_bases(&first.spdx));
        if !agree {
            notes.push("manifests declare different licences".to_string());
        }
        return (
            first.spdx.clone(),
            if agree {
                MANIFEST_SCORE
            } else {
                MANIFEST_SPLIT_SCORE
            },
        );
    }
    if let Some(g) = headers.groups.first() {
        notes.push("no licence file: the licence comes from SPDX headers".to_string());
        let share = g.files as f64 / headers.total().max(1) as f64;
        return (g.spdx.clone(), HEADER_SCORE * share);
    }
    match readme {
        Some((_, ReadmeSays::Text(m))) => {
            notes.push("no licence file: the README holds the licence text".to_string());
            return (m.spdx.to_string(), m.score * README_TEXT_FACTOR);
        }
        Some((_, ReadmeSays::Names(e))) => {
            notes.push("no licence file: the README names the licence".to_string());
            return (e.clone(), README_NAME_SCORE);
        }
        Some((_, ReadmeSays::Several(_))) => {
            notes.push("no licence file; the README names several licences".to_string());
            return (NOASSERTION.to_string(), 0.5);
        }
        None => {}
    }
    if !declared.is_empty() {
        notes.push("a manifest declares a licence that is no SPDX expression".to_string());
        return (NOASSERTION.to_string(), 0.5);
    }
    (NONE.to_string(), 1.0)
}
