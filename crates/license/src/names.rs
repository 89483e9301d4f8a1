//! Licence names and SPDX expressions as people write them: "Apache
//! License, Version 2.0", "GPLv3+", "MIT/Apache-2.0", "License :: OSI
//! Approved :: MIT License". Turns them into SPDX ids and expressions.

use crate::data;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Words of a licence name, normalised so that spellings meet: lower
/// case, "licence" = "license", "the"/"version"/"v" dropped, "v3" and
/// "3.0" both "3", `+` kept as a word.
pub(crate) fn name_tokens(s: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit_dot = c == '.'
            && cur.chars().last().is_some_and(|p| p.is_ascii_digit())
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || digit_dot {
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() {
                raw.push(std::mem::take(&mut cur));
            }
            if c == '+' {
                raw.push("+".to_string());
            }
            // Sentence ends: a name's context does not reach across them.
            if matches!(c, '.' | ';' | '!' | '?') && !digit_dot {
                raw.push(".".to_string());
            }
        }
    }
    if !cur.is_empty() {
        raw.push(cur);
    }
    // A name ends with no sentence mark of its own.
    while raw.last().is_some_and(|t| t == ".") {
        raw.pop();
    }
    raw.into_iter()
        .filter_map(|t| {
            let t = match t.as_str() {
                "the" | "version" | "v" | "ver" => return None,
                "licence" => "license".to_string(),
                "licences" => "licenses".to_string(),
                "licenced" => "licensed".to_string(),
                _ => t,
            };
            let t = match t.strip_prefix('v') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest.to_string(),
                _ => t,
            };
            Some(strip_zero_minor(&t))
        })
        .collect()
}

/// "3.0" → "3", "1.0.0" → "1", "2.1" stays.
fn strip_zero_minor(t: &str) -> String {
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return t.to_string();
    }
    let mut s = t;
    while let Some(rest) = s.strip_suffix(".0") {
        s = rest;
    }
    s.to_string()
}

struct Phrase {
    tokens: Vec<String>,
    id: &'static str,
}

/// Phrases by first word, longest first.
fn phrases() -> &'static HashMap<String, Vec<Phrase>> {
    static TABLE: OnceLock<HashMap<String, Vec<Phrase>>> = OnceLock::new();
    TABLE.get_or_init(build_phrases)
}

fn build_phrases() -> HashMap<String, Vec<Phrase>> {
    let mut seen: HashMap<Vec<String>, &'static str> = HashMap::new();
    let mut ordered: Vec<(Vec<String>, &'static str)> = Vec::new();
    let mut add = |tokens: Vec<String>, id: &'static str| {
        if tokens.is_empty() || tokens.iter().all(|t| t == "+") {
            return;
        }
        if seen.contains_key(&tokens) {
            return;
        }
        seen.insert(tokens.clone(), id);
        ordered.push((tokens, id));
    };
    for (name, id) in data::aliases() {
        add(name_tokens(name), id);
    }
    for lic in spdx::identifiers::LICENSES {
        if lic.flags & spdx::flags::IS_DEPRECATED != 0 {
            continue;
        }
        let id_tokens = name_tokens(lic.name);
        let full = name_tokens(lic.full_name);
        for tokens in [id_tokens, full] {
            if tokens.last().is_some_and(|t| t == "only") {
                add(tokens[..tokens.len() - 1].to_vec(), lic.name);
            }
            add(tokens, lic.name);
        }
    }
    let mut table: HashMap<String, Vec<Phrase>> = HashMap::new();
    for (tokens, id) in ordered {
        if let Some(first) = tokens.first().cloned() {
            table.entry(first).or_default().push(Phrase { tokens, id });
        }
    }
    for list in table.values_mut() {
        list.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
    }
    table
}

/// Words that, just before a name, say it names a licence
/// ("licensed under MIT", "License: MIT").
const CONTEXT_BEFORE: &[&str] = &[
    "license",
    "licensed",
    "licenses",
    "licensing",
    "under",
    "terms",
    "spdx",
    "identifier",
];
/// Words that, just after a name, say it names a licence ("MIT licensed").
const CONTEXT_AFTER: &[&str] = &["license", "licensed", "licenses"];

/// A licence named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    /// SPDX id, with GNU `-only` turned to `-or-later` when the text says so.
    pub id: String,
    /// Index of the first word of the name in the text's words.
    pub at: usize,
}

/// Licences named in `text`, in order of appearance, each once.
///
/// With `need_context`, a name that does not itself hold the word
/// "license" must follow "licensed under", "License:", "terms of"… or be
/// followed by "license(d)": this keeps "vim", "curl" or "python 2" in a
/// README from being read as licences.
pub(crate) fn mentions(text: &str, need_context: bool) -> Vec<Mention> {
    let tokens = name_tokens(text);
    mentions_in(&tokens, need_context)
}

fn mentions_in(tokens: &[String], need_context: bool) -> Vec<Mention> {
    let table = phrases();
    let mut out: Vec<Mention> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some(cands) = table.get(&tokens[i]) else {
            i += 1;
            continue;
        };
        let found = cands.iter().find(|p| {
            tokens
                .get(i..i + p.tokens.len())
                .is_some_and(|w| w == p.tokens.as_slice())
        });
        let Some(p) = found else {
            i += 1;
            continue;
        };
        let end = i + p.tokens.len();
        let named = p.tokens.iter().any(|t| t == "license");
        let before = tokens[i.saturating_sub(3)..i]
            .iter()
            .rev()
            .take_while(|t| *t != ".")
            .any(|t| CONTEXT_BEFORE.contains(&t.as_str()));
        let after = tokens
            .get(end)
            .is_some_and(|t| CONTEXT_AFTER.contains(&t.as_str()));
        if need_context && !named && !before && !after {
            i += 1;
            continue;
        }
        let id = refine_gnu(p.id, &tokens[end..tokens.len().min(end + 10)]);
        if !out.iter().any(|m| m.id == id) {
            out.push(Mention { id, at: i });
        }
        i = end;
    }
    out
}

/// `GPL-3.0-only` named in "GPL v3 or (at your option) any later version"
/// or "GPLv3+" is `GPL-3.0-or-later`.
fn refine_gnu(id: &str, following: &[String]) -> String {
    let Some(base) = id.strip_suffix("-only") else {
        return id.to_string();
    };
    let plus = following.first().is_some_and(|t| t == "+");
    let later = following
        .iter()
        .position(|t| t == "or")
        .is_some_and(|o| following[o..].iter().take(7).any(|t| t == "later"));
    let only = following.first().is_some_and(|t| t == "only");
    if (plus || later) && !only {
        let or_later = format!("{base}-or-later");
        if spdx::license_id(&or_later).is_some() {
            return or_later;
        }
    }
    id.to_string()
}

/// Reads a licence name ("Apache Software License 2.0", "GPLv3+",
/// "BSD 3-Clause") as an SPDX id, when it names exactly one licence.
pub fn id_from_name(name: &str) -> Option<String> {
    let tokens = name_tokens(name);
    let found = mentions_in(&tokens, false);
    match found.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    }
}

/// Canonical form of an SPDX expression written loosely: ids in any case,
/// `/` for `OR`, lower-case operators, `GPL-3.0+`, deprecated GNU ids.
/// `None` when it is not an expression over known ids (or `LicenseRef-`).
pub fn canonical_expression(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    // Fix the case of ids and operators word by word.
    let mut fixed = String::with_capacity(raw.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let (core, plus) = match w.strip_suffix('+') {
            Some(c) => (c, "+"),
            None => (w.as_str(), ""),
        };
        if ["and", "or", "with"]
            .iter()
            .any(|op| op.eq_ignore_ascii_case(core))
        {
            out.push_str(&core.to_uppercase());
        } else if let Some(id) = id_ignore_case(core) {
            out.push_str(id);
        } else if let Some(e) = spdx::identifiers::EXCEPTIONS
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(core))
        {
            out.push_str(e.name);
        } else {
            out.push_str(core);
        }
        out.push_str(plus);
    };
    for c in raw.chars() {
        if c.is_whitespace() || c == '(' || c == ')' || c == '/' {
            flush(&mut word, &mut fixed);
            fixed.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut fixed);

    let mode = spdx::ParseMode {
        allow_slash_as_or_operator: true,
        allow_imprecise_license_names: false,
        allow_postfix_plus_on_gpl: true,
        allow_deprecated: true,
        allow_unknown: false,
    };
    let mut can = String::with_capacity(fixed.len());
    let mut last: Option<spdx::LicenseId> = None;
    let push_id = |s: &mut String, id: spdx::LicenseId, plus: bool| {
        let base = id
            .name
            .trim_end_matches("-only")
            .trim_end_matches("-or-later");
        let gnu = id.is_gnu() || spdx::license_id(&format!("{base}-or-later")).is_some();
        if gnu {
            let only = id.name.ends_with("-only");
            let later = id.name.ends_with("-or-later") || id.name.ends_with('+') || plus;
            let suffix = if later && !only { "-or-later" } else { "-only" };
            s.push_str(base);
            s.push_str(suffix);
        } else {
            s.push_str(id.name);
            if plus {
                s.push('+');
            }
        }
    };
    for tok in spdx::lexer::Lexer::new_mode(&fixed, mode) {
        let tok = tok.ok()?;
        if !matches!(tok.token, spdx::lexer::Token::Plus) {
            if let Some(id) = last.take() {
                push_id(&mut can, id, false);
            }
        }
        match tok.token {
            spdx::lexer::Token::Spdx(id) => last = Some(id),
            spdx::lexer::Token::Plus => {
                let id = last.take()?;
                push_id(&mut can, id, true);
            }
            spdx::lexer::Token::And => can.push_str(" AND "),
            spdx::lexer::Token::Or => can.push_str(" OR "),
            spdx::lexer::Token::With => can.push_str(" WITH "),
            spdx::lexer::Token::OpenParen => can.push('('),
            spdx::lexer::Token::CloseParen => can.push(')'),
            spdx::lexer::Token::Exception(e) => can.push_str(e.name),
            spdx::lexer::Token::LicenseRef { doc_ref, lic_ref } => {
                if let Some(d) = doc_ref {
                    can.push_str("DocumentRef-");
                    can.push_str(d);
                    can.push(':');
                }
                can.push_str("LicenseRef-");
                can.push_str(lic_ref);
            }
            spdx::lexer::Token::AdditionRef { doc_ref, add_ref } => {
                if let Some(d) = doc_ref {
                    can.push_str("DocumentRef-");
                    can.push_str(d);
                    can.push(':');
                }
                can.push_str("AdditionRef-");
                can.push_str(add_ref);
            }
            spdx::lexer::Token::Unknown(_) => return None,
        }
    }
    if let Some(id) = last {
        push_id(&mut can, id, false);
    }
    spdx::Expression::parse(&can).ok()?;
    Some(can)
}

/// An SPDX licence id whatever its case (`mit` → `MIT`).
fn id_ignore_case(word: &str) -> Option<&'static str> {
    if let Some(id) = spdx::license_id(word) {
        return Some(id.name);
    }
    spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(word))
        .map(|l| l.name)
}

/// What a manifest field or a README phrase declares, as an SPDX
/// expression: an expression if it is one, else a licence name.
pub fn declared_expression(raw: &str) -> Option<String> {
    canonical_expression(raw).or_else(|| id_from_name(raw))
}

/// The licence ids of an expression (`MIT OR Apache-2.0` → both), with
/// `-only`/`-or-later` dropped so that GNU variants compare equal.
pub fn licence_bases(expr: &str) -> Vec<String> {
    let Ok(e) = spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) else {
        return Vec::new();
    };
    let mut out: Vec<String> = e
        .requirements()
        .map(|r| match &r.req.license {
            spdx::LicenseItem::Spdx { id, .. } => base_of(id.name),
            spdx::LicenseItem::Other(r) => format!("LicenseRef-{}", r.lic_ref),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `GPL-3.0-or-later` → `GPL-3.0`; other ids unchanged.
pub(crate) fn base_of(id: &str) -> String {
    id.trim_end_matches('+')
        .trim_end_matches("-only")
        .trim_end_matches("-or-later")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_tokens_meet() {
        assert_eq!(
            name_tokens("Apache License, Version 2.0"),
            ["apache", "license", "2"]
        );
        assert_eq!(name_tokens("GPLv3+"), ["gplv3", "+"]);
        assert_eq!(name_tokens("GNU GPL v2.1"), ["gnu", "gpl", "2.1"]);
    }

    #[test]
    fn names_become_ids() {
        assert_eq!(
            id_from_name("Apache Software License 2.0").as_deref(),
            Some("Apache-2.0")
        );
        assert_eq!(id_from_name("MIT License").as_deref(), Some("MIT"));
        assert_eq!(
            id_from_name("GNU General Public License v3 or later (GPLv3+)").as_deref(),
            Some("GPL-3.0-or-later")
        );
        assert_eq!(id_from_name("GPLv3+").as_deref(), Some("GPL-3.0-or-later"));
        assert_eq!(
            id_from_name("BSD 3-Clause").as_deref(),
            Some("BSD-3-Clause")
        );
        assert_eq!(id_from_name("CeCILL-B").as_deref(), Some("CECILL-B"));
        assert_eq!(id_from_name("BSD License"), None);
    }

    #[test]
    fn expressions_are_canonicalised() {
        assert_eq!(
            canonical_expression("MIT/Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            canonical_expression("mit or apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            canonical_expression("GPL-3.0+").as_deref(),
            Some("GPL-3.0-or-later")
        );
        assert_eq!(
            canonical_expression("GPL-2.0").as_deref(),
            Some("GPL-2.0-only")
        );
        assert_eq!(
            canonical_expression("LicenseRef-Proprietary").as_deref(),
            Some("LicenseRef-Proprietary")
        );
        assert_eq!(canonical_expression("Apache 2"), None);
        assert_eq!(
            declared_expression("Apache 2").as_deref(),
            Some("Apache-2.0")
        );
    }

    #[test]
    fn mentions_need_context_in_prose() {
        let m = mentions("We use vim and curl. Licensed under the MIT license.", true);
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["MIT"]);
        let m = mentions(
            "Licensed under either of Apache License, Version 2.0 or MIT license at your option.",
            true,
        );
        assert_eq!(
            m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["Apache-2.0", "MIT"]
        );
    }

    #[test]
    fn bases_ignore_gnu_suffixes() {
        assert_eq!(licence_bases("GPL-3.0-or-later OR MIT"), ["GPL-3.0", "MIT"]);
    }
}
