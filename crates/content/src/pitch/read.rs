//! Reading the knowledge base: each file, the sheet's strings and
//! indicators, and the references between files.

use super::raw::{ArgumentsFile, ObjectionsFile, PersonasFile, SourcesFile, UiFile};
use super::{Argument, Indicator, IndicatorDef, Objection, Persona, Pitch, Source, FILES};
use crate::error::Problems;
use crate::files::{line_of, SourceFile};
use crate::vocab::Vocabulary;
use crate::ContentError;
use std::collections::{BTreeMap, BTreeSet};

/// The item around byte `offset`: the nearest `[[array]]` header above it
/// and the `id` written under that header, as `persona "elu"`.
pub(super) fn item_at(text: &str, offset: usize) -> String {
    // Two bytes on, so that an offset at a header's `[[` finds that header.
    let upto = text.get(..(offset + 2).min(text.len())).unwrap_or(text);
    let Some(start) = upto
        .rfind("\n[[")
        .map(|i| i + 1)
        .or_else(|| upto.starts_with("[[").then_some(0))
    else {
        return String::new();
    };
    let block = &text[start..];
    let kind = block
        .get(2..)
        .and_then(|b| b.split("]]").next())
        .unwrap_or("")
        .trim();
    let end = block[2..].find("\n[").map(|i| i + 2).unwrap_or(block.len());
    let id = block[..end].lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "id").then(|| v.trim().trim_matches('"').to_string())
    });
    match id {
        Some(id) => format!("{kind} \"{id}\""),
        None => kind.to_string(),
    }
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(
    f: &SourceFile,
    problems: &mut Vec<ContentError>,
) -> Option<T> {
    match toml::from_str::<T>(&f.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let (line, item) = match e.span() {
                Some(s) => (Some(line_of(&f.text, s.start)), item_at(&f.text, s.start)),
                None => (None, String::new()),
            };
            problems.push(ContentError::new(
                &f.shown,
                line,
                item,
                format!("not valid: {}", e.message().trim()),
            ));
            None
        }
    }
}

pub(super) fn id_ok(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks the id's syntax and uniqueness in its file.
fn check_id(
    p: &mut Problems<'_>,
    seen: &mut BTreeSet<String>,
    what: &str,
    id: &str,
    line: Option<u64>,
) {
    if !id_ok(id) {
        p.push(
            line,
            format!("{what} \"{id}\""),
            "id must match ^[a-z][a-z0-9-]*$",
        );
    }
    if !seen.insert(id.to_string()) {
        p.push(
            line,
            format!("{what} \"{id}\""),
            "id is used twice in this file",
        );
    }
}

fn require_text(p: &mut Problems<'_>, item: &str, line: Option<u64>, field: &str, value: &str) {
    if value.trim().is_empty() {
        p.push(line, item, format!("{field} is empty"));
    }
}

/// Reads `rel` as `T`: `None` when the file is absent (reported by the
/// caller) or invalid (reported here, and noted in `broken`).
fn load<'f, T: serde::de::DeserializeOwned>(
    files: &'f [SourceFile],
    rel: &'static str,
    problems: &mut Vec<ContentError>,
    broken: &mut BTreeSet<&'static str>,
) -> Option<(&'f SourceFile, T)> {
    let f = files.iter().find(|f| f.rel == rel)?;
    match parse::<T>(f, problems) {
        Some(v) => Some((f, v)),
        None => {
            broken.insert(rel);
            None
        }
    }
}

/// Reads and cross-checks the knowledge base. `files` holds every content
/// file; those of [`FILES`] are read here. Problems go to `problems`.
pub(crate) fn read(
    files: &[SourceFile],
    vocabularies: &BTreeMap<String, Vocabulary>,
    problems: &mut Vec<ContentError>,
) -> Pitch {
    let mut pitch = Pitch::default();
    let find = |rel: &str| files.iter().find(|f| f.rel == rel);
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    for rel in FILES {
        match find(rel) {
            Some(f) => {
                shown.insert(rel, f.shown.clone());
            }
            None => problems.push(ContentError::new(
                format!("content/{rel}"),
                None,
                "",
                "required file is missing",
            )),
        }
    }
    let name = |rel: &str| {
        shown
            .get(rel)
            .cloned()
            .unwrap_or_else(|| format!("content/{rel}"))
    };
    // Files that could not be read: references into them are not checked
    // (every one would fail, hiding the real problem).
    let mut broken: BTreeSet<&str> = BTreeSet::new();

    // Sources.
    if let Some((f, raw)) = load::<SourcesFile>(files, "pitch/sources.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for s in raw.source {
            let line = Some(line_of(&f.text, s.span().start));
            let s = s.into_inner();
            check_id(&mut p, &mut seen, "source", &s.id, line);
            let item = format!("source \"{}\"", s.id);
            require_text(&mut p, &item, line, "title", &s.title);
            pitch.sources.push(Source {
                id: s.id,
                title: s.title,
                year: s.year,
                url: s.url,
                licence: s.licence,
                note_fr: s.note_fr,
                note_en: s.note_en,
                line,
            });
        }
    }

    // Personas.
    if let Some((f, raw)) =
        load::<PersonasFile>(files, "pitch/personas.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.persona {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "persona", &r.id, line);
            let item = format!("persona \"{}\"", r.id);
            for (field, v) in [
                ("name_fr", &r.name_fr),
                ("name_en", &r.name_en),
                ("profile_fr", &r.profile_fr),
                ("profile_en", &r.profile_en),
            ] {
                require_text(&mut p, &item, line, field, v);
            }
            if r.registers.is_empty() {
                p.push(
                    line,
                    &item,
                    "registers is empty (list at least one, best first)",
                );
            }
            let mut regs = BTreeSet::new();
            for g in &r.registers {
                if !regs.insert(*g) {
                    p.push(
                        line,
                        &item,
                        format!("register `{}` is listed twice", g.as_str()),
                    );
                }
            }
            if r.objections.is_empty() {
                p.push(line, &item, "objections is empty");
            }
            pitch.personas.push(Persona {
                id: r.id,
                name_fr: r.name_fr,
                name_en: r.name_en,
                profile_fr: r.profile_fr,
                profile_en: r.profile_en,
                registers: r.registers,
                objections: r.objections,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Objections.
    if let Some((f, raw)) =
        load::<ObjectionsFile>(files, "pitch/objections.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.objection {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "objection", &r.id, line);
            let item = format!("objection \"{}\"", r.id);
            require_text(&mut p, &item, line, "text_fr", &r.text_fr);
            require_text(&mut p, &item, line, "text_en", &r.text_en);
            if r.answers.is_empty() {
                p.push(
                    line,
                    &item,
                    "no answer: list at least one argument in `answers`",
                );
            }
            pitch.objections.push(Objection {
                id: r.id,
                text_fr: r.text_fr,
                text_en: r.text_en,
                answers: r.answers,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Arguments.
    if let Some((f, raw)) =
        load::<ArgumentsFile>(files, "pitch/arguments.toml", problems, &mut broken)
    {
        let mut p = Problems {
            file: &f.shown,
            list: problems,
        };
        let mut seen = BTreeSet::new();
        for r in raw.argument {
            let line = Some(line_of(&f.text, r.span().start));
            let r = r.into_inner();
            check_id(&mut p, &mut seen, "argument", &r.id, line);
            let item = format!("argument \"{}\"", r.id);
            require_text(&mut p, &item, line, "text_fr", &r.text_fr);
            require_text(&mut p, &item, line, "text_en", &r.text_en);
            let mut indicators = Vec::new();
            for key in &r.indicators {
                match Indicator::parse(key) {
                    Some(i) => indicators.push(i),
                    None => p.push(
                        line,
                        &item,
                        format!(
                            "unknown indicator `{key}` (known: {})",
                            Indicator::ALL
                                .iter()
                                .map(|i| i.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
            pitch.arguments.push(Argument {
                id: r.id,
                register: r.register,
                text_fr: r.text_fr,
                text_en: r.text_en,
                indicators,
                source: r.source,
                locator: r.locator,
                line,
            });
        }
    }

    // Indicators and texts.
    if let Some(f) = find("ui/pitch.toml") {
        if let Some(raw) = parse::<UiFile>(f, problems) {
            let mut p = Problems {
                file: &f.shown,
                list: problems,
            };
            read_ui(raw, f, vocabularies, &mut p, &mut pitch);
        }
    }

    if broken.is_empty() {
        cross_check(&pitch, &name, problems);
    }
    pitch
}

fn read_ui(
    raw: UiFile,
    f: &SourceFile,
    vocabularies: &BTreeMap<String, Vocabulary>,
    p: &mut Problems<'_>,
    pitch: &mut Pitch,
) {
    let has = |vocab: &str, key: &str| {
        vocabularies
            .get(vocab)
            .is_some_and(|v| v.term(key).is_some())
    };
    for key in raw.indicator.keys() {
        if Indicator::parse(key).is_none() {
            let line = raw
                .indicator
                .get(key)
                .map(|s| line_of(&f.text, s.span().start));
            p.push(
                line,
                format!("indicator \"{key}\""),
                "unknown indicator (the list is owned by the code: archipel_content::pitch::Indicator)",
            );
        }
    }
    for &i in Indicator::ALL {
        let item = format!("indicator \"{}\"", i.as_str());
        let Some(spanned) = raw.indicator.get(i.as_str()) else {
            p.push(
                None,
                &item,
                "missing: every indicator needs French and English labels",
            );
            continue;
        };
        let line = Some(line_of(&f.text, spanned.span().start));
        let d = spanned.get_ref();
        require_text(p, &item, line, "fr", &d.fr);
        require_text(p, &item, line, "en", &d.en);
        require_text(p, &item, line, "short_fr", &d.short_fr);
        require_text(p, &item, line, "short_en", &d.short_en);
        if i.takes_actor_kinds() {
            if d.actor_kinds.is_empty() {
                p.push(
                    line,
                    &item,
                    "needs `actor_kinds` (the actor kinds it counts)",
                );
            }
            for k in &d.actor_kinds {
                if !has("actor_kinds", k) {
                    p.push(
                        line,
                        &item,
                        format!("`{k}` is not a key of the actor_kinds vocabulary"),
                    );
                }
            }
        } else if !d.actor_kinds.is_empty() {
            p.push(line, &item, "takes no `actor_kinds`");
        }
        if i.counts_relations() {
            if d.relations.is_empty() || d.count.is_none() {
                p.push(
                    line,
                    &item,
                    "needs `relations` (relation types from an actor to a commons) and `count` (commons, organisations or relations)",
                );
            }
            for k in &d.relations {
                if !has("relation_types", k) {
                    p.push(
                        line,
                        &item,
                        format!("`{k}` is not a key of the relation_types vocabulary"),
                    );
                }
            }
        } else if !d.relations.is_empty() || d.count.is_some() {
            p.push(line, &item, "takes no `relations` nor `count`");
        }
        pitch.indicators.push(IndicatorDef {
            indicator: i,
            fr: d.fr.clone(),
            en: d.en.clone(),
            short_fr: d.short_fr.clone(),
            short_en: d.short_en.clone(),
            actor_kinds: d.actor_kinds.clone(),
            relations: d.relations.clone(),
            measure: d.count,
        });
    }
    for (key, t) in raw.text {
        let line = Some(line_of(&f.text, t.span().start));
        let t = t.into_inner();
        let item = format!("text \"{key}\"");
        require_text(p, &item, line, "fr", &t.fr);
        require_text(p, &item, line, "en", &t.en);
        pitch.texts.insert(key, (t.fr, t.en));
    }
}

/// References between files: persona → objections, objection → arguments,
/// anything → source; and reachability of objections and arguments.
fn cross_check(pitch: &Pitch, name: &dyn Fn(&str) -> String, problems: &mut Vec<ContentError>) {
    let sources: BTreeSet<&str> = pitch.sources.iter().map(|s| s.id.as_str()).collect();
    let objections: BTreeSet<&str> = pitch.objections.iter().map(|o| o.id.as_str()).collect();
    let arguments: BTreeSet<&str> = pitch.arguments.iter().map(|a| a.id.as_str()).collect();
    let mut push = |file: &str, line: Option<u64>, item: String, reason: String| {
        problems.push(ContentError::new(name(file), line, item, reason));
    };
    let source_ok = |s: &str| sources.contains(s);

    let mut raised: BTreeSet<&str> = BTreeSet::new();
    for pe in &pitch.personas {
        let item = format!("persona \"{}\"", pe.id);
        for o in &pe.objections {
            if objections.contains(o.as_str()) {
                raised.insert(o);
            } else {
                push(
                    "pitch/personas.toml",
                    pe.line,
                    item.clone(),
                    format!("objection `{o}` is not in objections.toml"),
                );
            }
        }
        if !source_ok(&pe.source) {
            push(
                "pitch/personas.toml",
                pe.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", pe.source),
            );
        }
    }
    let mut answered: BTreeSet<&str> = BTreeSet::new();
    for o in &pitch.objections {
        let item = format!("objection \"{}\"", o.id);
        for a in &o.answers {
            if arguments.contains(a.as_str()) {
                answered.insert(a);
            } else {
                push(
                    "pitch/objections.toml",
                    o.line,
                    item.clone(),
                    format!("argument `{a}` is not in arguments.toml"),
                );
            }
        }
        if !source_ok(&o.source) {
            push(
                "pitch/objections.toml",
                o.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", o.source),
            );
        }
        if !raised.contains(o.id.as_str()) && !pitch.personas.is_empty() {
            push("pitch/objections.toml", o.line, item, "no persona raises this objection (add it to a persona's `objections`, or remove it)".into());
        }
    }
    for a in &pitch.arguments {
        let item = format!("argument \"{}\"", a.id);
        if !source_ok(&a.source) {
            push(
                "pitch/arguments.toml",
                a.line,
                item.clone(),
                format!("source `{}` is not in sources.toml", a.source),
            );
        }
        if !answered.contains(a.id.as_str()) && !pitch.objections.is_empty() {
            push(
                "pitch/arguments.toml",
                a.line,
                item,
                "no objection lists this argument in its `answers` (add it, or remove it)".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_at_names_the_enclosing_item() {
        let text =
            "# c\n[[persona]]\nid = \"elu\"\nname_fr = \"x\"\nbad = 1\n\n[[persona]]\nid = \"b\"\n";
        let at = text.find("bad").unwrap();
        assert_eq!(item_at(text, at), "persona \"elu\"");
        assert_eq!(item_at(text, 2), "");
    }

    #[test]
    fn ids() {
        assert!(id_ok("elu"));
        assert!(id_ok("technicien-dsi2"));
        assert!(!id_ok("Elu"));
        assert!(!id_ok("2a"));
        assert!(!id_ok("a_b"));
        assert!(!id_ok(""));
    }
}
