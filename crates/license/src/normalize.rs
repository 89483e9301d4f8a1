//! Text normalisation before matching, after the SPDX matching guidelines
//! (<https://spdx.github.io/spdx-spec/v2.3/license-matching-guidelines-and-templates/>):
//! case, whitespace, punctuation, quotes and dashes, copyright notices,
//! bullets and numbering, varietal spellings, plus the markup a licence
//! file often carries (Markdown headings, emphasis, links, HTML entities).
//!
//! Markdown files get more (see [`markdown_words`]): what only Markdown
//! writes and that would otherwise add words — code fences, HTML comments
//! and tags, link reference definitions, reference links, backslash
//! escapes, closing `#`s of headings. A licence file is read as Markdown
//! when its name says so (`.md`, `.markdown`…) or its text looks like
//! Markdown ([`is_markdown`]); licence templates and other texts are read
//! as plain text, which the shared steps above already cover.

use regex::Regex;
use std::sync::OnceLock;

/// Words the SPDX guidelines treat as equivalent (British/American
/// spellings and a few others), folded to one form. Applied word by word
/// after lower-casing.
const VARIETAL: &[(&str, &str)] = &[
    ("acknowledgment", "acknowledgement"),
    ("analogue", "analog"),
    ("analyse", "analyze"),
    ("artefact", "artifact"),
    ("authorisation", "authorization"),
    ("authorised", "authorized"),
    ("calibre", "caliber"),
    ("cancelled", "canceled"),
    ("capitalisations", "capitalizations"),
    ("catalogue", "catalog"),
    ("categorise", "categorize"),
    ("centre", "center"),
    ("emphasised", "emphasized"),
    ("favour", "favor"),
    ("favourite", "favorite"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("initialise", "initialize"),
    ("judgment", "judgement"),
    ("labelling", "labeling"),
    ("labour", "labor"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("licenced", "licensed"),
    ("licencing", "licensing"),
    ("maximise", "maximize"),
    ("modelled", "modeled"),
    ("modelling", "modeling"),
    ("offence", "offense"),
    ("optimise", "optimize"),
    ("organisation", "organization"),
    ("organise", "organize"),
    ("practise", "practice"),
    ("programme", "program"),
    ("realise", "realize"),
    ("recognise", "recognize"),
    ("signalling", "signaling"),
    ("sub-license", "sublicense"),
    ("sublicence", "sublicense"),
    ("utilisation", "utilization"),
    ("whilst", "while"),
    ("wilful", "willful"),
    ("https", "http"),
];

/// Lower-cased, normalised words of a text: what the matcher compares.
///
/// Copyright notices are dropped, list markers at the start of a line are
/// dropped, punctuation separates words and is otherwise ignored.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prepare(text).lines() {
        let line = strip_line_markup(line);
        if line.is_empty() || is_rule_line(&line) {
            continue;
        }
        let line = if is_copyright_line(&line) {
            // A long line may go on after its notice ("Copyright (c) YEAR
            // YOUR NAME. Permission is granted…" in the GFDL): keep what
            // follows, as a wrapped text keeps it on the next line.
            match after_copyright_notice(&line) {
                Some(rest) => rest.to_string(),
                None => continue,
            }
        } else {
            line
        };
        let line = strip_list_marker(&strip_list_marker(&line));
        let lower = line.to_lowercase().replace("all rights reserved", " ");
        for w in lower.split(|c: char| !c.is_alphanumeric()) {
            if w.is_empty() {
                continue;
            }
            let w = VARIETAL
                .iter()
                .find(|(from, _)| *from == w)
                .map_or(w, |(_, to)| to);
            out.push(w.to_string());
        }
    }
    out
}

/// [`words`] of a Markdown text: what only Markdown writes is taken out
/// first (see [`strip_markdown`]).
pub fn markdown_words(text: &str) -> Vec<String> {
    words(&strip_markdown(text))
}

/// Extensions of Markdown file names.
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "mkdn", "mdwn"];

/// Whether a licence file is Markdown: its name's extension, or, for any
/// name, a text with a Markdown heading, code fence, link, link reference
/// definition, HTML comment or strong emphasis.
pub fn is_markdown(name: &str, text: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_some_and(|e| MARKDOWN_EXTENSIONS.contains(&e.as_str())) {
        return true;
    }
    static LOOKS: OnceLock<Option<Regex>> = OnceLock::new();
    LOOKS
        .get_or_init(|| {
            Regex::new(
                r"(?m)^ {0,3}#{1,6} \S|^ {0,3}(```|~~~)|^ {0,3}\[[^\]\n]+\]: *\S|\]\(\S|<!--|\*\*\w",
            )
            .ok()
        })
        .as_ref()
        .is_some_and(|re| re.is_match(text))
}

/// Most words an HTML comment may hold and still be dropped (a lint
/// directive, "generated by"); a longer one is text of the file, visible
/// or not, and its words count.
const COMMENT_MAX_WORDS: usize = 12;

/// Takes out what only Markdown writes: HTML comments of a few words
/// (longer ones keep their text), code fence lines (their content stays),
/// link reference definitions (`[id]: URL`, a title stays), reference
/// links (`[text][id]` becomes `text`), HTML tags, backslash escapes and
/// the closing `#`s of headings.
pub fn strip_markdown(text: &str) -> String {
    let text = strip_html_comments(text);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if indent <= 3 && (t.starts_with("```") || t.starts_with("~~~")) {
            out.push('\n');
            continue;
        }
        let line = match (indent <= 3).then(|| reference_definition(t)).flatten() {
            Some(title) => title,
            None => line,
        };
        let line = markdown_regexes()
            .iter()
            .fold(line.to_string(), |l, (re, with)| {
                re.replace_all(&l, *with).into_owned()
            });
        out.push_str(close_heading(&line));
        out.push('\n');
    }
    out
}

/// The regular expressions of [`strip_markdown`] and their replacements.
fn markdown_regexes() -> &'static [(Regex, &'static str)] {
    static RES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    RES.get_or_init(|| {
        [
            // [text][id] and [text][]
            (r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]", "$1"),
            // HTML tags of text formatting and layout (not `<https://…>`
            // nor `<one line to give the program's name…>`).
            (
                r"(?i)</?(a|b|blockquote|br|center|code|details|div|em|h[1-6]|hr|i|img|li|ol|p|pre|small|span|strong|sub|summary|sup|table|tbody|td|th|thead|tr|u|ul)(\s[^<>]*)?/?>",
                " ",
            ),
            // Backslash escapes: `1\.`, `\*`.
            (r"\\([!-/:-@\[-`{-~])", "$1"),
        ]
        .into_iter()
        .filter_map(|(p, with)| Regex::new(p).ok().map(|re| (re, with)))
        .collect()
    })
}

/// HTML comments out: a short one entirely, a long one keeps its text
/// (only its markers go). An unclosed `<!--` loses its marker only.
fn strip_html_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 4..];
        let (body, next) = match inner.find("-->") {
            Some(end) => (&inner[..end], &inner[end + 3..]),
            None => (inner, ""),
        };
        let n = body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .count();
        if n > COMMENT_MAX_WORDS {
            out.push_str(body);
        }
        out.push(' ');
        rest = next;
    }
    out.push_str(rest);
    out
}

/// For a link reference definition `[id]: URL "title"`, the title (maybe
/// empty); `None` for any other line.
fn reference_definition(t: &str) -> Option<&str> {
    let rest = t.strip_prefix('[')?;
    let close = rest.find("]:")?;
    if close == 0 || rest[..close].contains(['[', ']']) {
        return None;
    }
    let after = rest[close + 2..].trim_start();
    let url_end = after.find(char::is_whitespace).unwrap_or(after.len());
    if url_end == 0 {
        return None;
    }
    let title = after[url_end..].trim();
    Some(title.trim_matches(|c| matches!(c, '"' | '\'' | '(' | ')')))
}

/// An ATX heading without its closing `#`s (`## Title ##`).
fn close_heading(line: &str) -> &str {
    if !line.trim_start().starts_with('#') {
        return line;
    }
    let t = line.trim_end().trim_end_matches('#');
    if t.ends_with(' ') {
        t
    } else {
        line
    }
}

/// What a copyright line says after its notice, when it goes on with a
/// sentence of its own (at least four words after the first `. ` that
/// precedes a capital); `None` when the line is the notice alone.
fn after_copyright_notice(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = line[from..].find(". ") {
        let at = from + i + 2;
        let rest = line[at..].trim_start();
        if rest.starts_with(|c: char| c.is_uppercase())
            && rest.split_whitespace().count() >= 4
            && !is_copyright_line(rest)
        {
            return Some(rest);
        }
        from = at;
    }
    None
}

/// The normalised text as one string of words separated by single spaces.
pub fn normalize(text: &str) -> String {
    words(text).join(" ")
}

/// Character-level clean-up: line endings, quotes, dashes, spaces, HTML
/// entities and tags, Markdown links.
fn prepare(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => s.push('\n'),
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '`' => s.push('\''),
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{00ab}' | '\u{00bb}' => s.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => s.push('-'),
            '\u{00a0}' | '\u{2002}'..='\u{200b}' | '\t' => s.push(' '),
            '\u{2022}' | '\u{25cf}' | '\u{25e6}' | '\u{2023}' => s.push('*'),
            _ => s.push(c),
        }
    }
    let s = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ");
    strip_markdown_links(&s)
}

/// `[text](target)` becomes `text`; `<http://…>` keeps its address.
fn strip_markdown_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let after = &after[1..];
        match after.find("](") {
            Some(close) if !after[..close].contains('\n') => {
                let label = &after[..close];
                let target = &after[close + 2..];
                match target.find(')') {
                    Some(end) if !target[..end].contains('\n') => {
                        out.push_str(label);
                        rest = &target[end + 1..];
                    }
                    _ => {
                        out.push_str(label);
                        rest = target;
                    }
                }
            }
            _ => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drops Markdown heading marks and blockquote marks at the start of a
/// line, and emphasis marks anywhere.
fn strip_line_markup(line: &str) -> String {
    let t = line.trim();
    let t = t.trim_start_matches('#').trim_start_matches('>').trim();
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // Emphasis: `*`, `_` and `~` that touch a word on one side only, or
        // come in runs (`**`); bullets (`* ` at line start) are kept for
        // strip_list_marker.
        if c == '*' || c == '_' || c == '~' {
            let prev = if i > 0 { chars.get(i - 1) } else { None };
            let next = chars.get(i + 1);
            let word = |x: Option<&char>| x.is_some_and(|ch| ch.is_alphanumeric());
            if i == 0 && c == '*' && next == Some(&' ') {
                out.push(c);
                continue;
            }
            if !(word(prev) && word(next)) {
                out.push(' ');
                continue;
            }
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// A horizontal rule or a setext underline: `---`, `===`, `* * *`.
fn is_rule_line(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '*' | '_'))
}

/// A copyright notice line (which the SPDX guidelines say to ignore).
pub fn is_copyright_line(line: &str) -> bool {
    let t = line
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '-' | '#' | '/'))
        .to_lowercase();
    if t.starts_with('©') {
        return true;
    }
    // "(c) 2020 …", not the list item "(c) You must retain …".
    if let Some(rest) = t.strip_prefix("(c)") {
        return rest
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '<' | '[' | '{'));
    }
    if let Some(rest) = t.strip_prefix("copyright") {
        let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
        return rest.starts_with("(c)")
            || rest.starts_with('©')
            || rest.starts_with("by ")
            || rest.starts_with("holder:")
            || rest.starts_with("holders:")
            || rest.starts_with("owner:")
            || rest.starts_with('<')
            || rest.starts_with('[')
            || rest.starts_with("year")
            || rest.starts_with("notice:")
            || rest.starts_with("is held")
            || rest.starts_with(|c: char| c.is_ascii_digit())
            || rest.is_empty();
    }
    false
}

/// Drops one list marker at the start of a line: `*`, `-`, `+`, `1.`,
/// `1)`, `(a)`, `a.`, `ii)`, `1.2.`.
fn strip_list_marker(line: &str) -> String {
    let t = line.trim_start();
    for bullet in ['*', '-', '+'] {
        if let Some(rest) = t.strip_prefix(bullet) {
            if rest.starts_with(' ') {
                return rest.trim_start().to_string();
            }
        }
    }
    let (inner, rest) = if let Some(r) = t.strip_prefix('(') {
        match r.find(')') {
            Some(end) => (&r[..end], &r[end + 1..]),
            None => return t.to_string(),
        }
    } else {
        let end = t.find([' ', ')', '\t']).unwrap_or(t.len());
        let token = &t[..end];
        let rest = &t[end..];
        let rest = rest.strip_prefix(')').unwrap_or(rest);
        if !(t[end..].starts_with(')') || token.ends_with('.')) {
            return t.to_string();
        }
        (token.trim_end_matches('.'), rest)
    };
    if is_marker(inner) && (rest.is_empty() || rest.starts_with(' ')) {
        rest.trim_start().to_string()
    } else {
        t.to_string()
    }
}

fn is_marker(s: &str) -> bool {
    if s.is_empty() || s.len() > 8 {
        return false;
    }
    let numbered = s
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let letter = s.len() == 1 && s.chars().all(|c| c.is_ascii_alphabetic());
    let roman = s
        .chars()
        .all(|c| matches!(c, 'i' | 'v' | 'x' | 'I' | 'V' | 'X'));
    numbered || letter || roman
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_punctuation_and_markup() {
        assert_eq!(
            normalize("# The  *MIT* Licence\r\n\r\n“Software”—as-is"),
            "the mit license software as is"
        );
    }

    #[test]
    fn drops_copyright_lines_and_bullets() {
        let t =
            "Copyright (c) 2020 Jane\nAll rights reserved.\n1. Redistributions must\n* (a) keep";
        assert_eq!(normalize(t), "redistributions must keep");
    }

    #[test]
    fn a_copyright_line_that_goes_on_keeps_what_follows() {
        assert_eq!(
            normalize("Copyright (c) YEAR YOUR NAME. Permission is granted to copy"),
            "permission is granted to copy"
        );
        // A notice alone, initials and "All rights reserved." included.
        assert_eq!(normalize("Copyright (c) 2015 J. R. R. Tolkien"), "");
        assert_eq!(
            normalize("Copyright (c) 2009 Jane Smith. All rights reserved."),
            ""
        );
    }

    #[test]
    fn markdown_only_constructs_go() {
        let md = "<!-- markdownlint-disable MD041 -->\n## Terms ##\n\n```text\n\
                  1\\. Do [this][ref] <br/>and that\n```\n\n[ref]: https://example.org/ \"Ref\"\n";
        assert_eq!(normalize(&strip_markdown(md)), "terms do this and that ref");
        // A long comment is text of the file.
        let hidden = "<!-- This software may not be used for any military purpose \
                      whatsoever, nor by any army. -->";
        assert!(normalize(&strip_markdown(hidden)).contains("military purpose"));
        // Placeholders and autolinks are not HTML tags.
        assert_eq!(
            normalize(&strip_markdown(
                "<one line to give the program's name> <https://fsf.org/>"
            )),
            "one line to give the program s name http fsf org"
        );
    }

    #[test]
    fn markdown_is_told_by_name_or_by_text() {
        assert!(is_markdown("LICENSE.md", "MIT License"));
        assert!(is_markdown("LICENCE.Markdown", "MIT License"));
        assert!(is_markdown("LICENSE", "# MIT License\n"));
        assert!(is_markdown("COPYING", "See [the site](https://x.org)."));
        assert!(!is_markdown(
            "LICENSE",
            "MIT License\n\nPermission is hereby granted"
        ));
        assert!(!is_markdown(
            "LICENSE.txt",
            "1. Definitions.\n   (a) \"You\" means"
        ));
    }

    #[test]
    fn keeps_link_labels() {
        assert_eq!(
            normalize("[The MIT License](http://example.invalid) <https://x.org/>"),
            "the mit license http x org"
        );
    }

    #[test]
    fn keeps_body_lines_that_start_with_copyright_words() {
        assert_eq!(
            normalize("copyright notice, this list"),
            "copyright notice this list"
        );
        assert_eq!(
            normalize("copyright holder and you cure"),
            "copyright holder and you cure"
        );
        assert_eq!(normalize("(c) You must retain"), "you must retain");
        assert_eq!(normalize("(c) 2019 Jane\n© Joe"), "");
    }
}
