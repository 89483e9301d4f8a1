//! What a README says about the licence: a licence section holding a
//! whole licence text, or naming a licence.

use crate::matcher::{best_match, TextMatch};
use crate::names::mentions;

/// A heading: its level (1 is highest) and text.
fn heading(lines: &[&str], i: usize) -> Option<(usize, String)> {
    let line = lines.get(i)?.trim_end();
    let t = line.trim_start();
    // ATX Markdown: `## License`.
    if t.starts_with('#') {
        let level = t.chars().take_while(|&c| c == '#').count();
        let rest = &t[level..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((level, rest.trim().trim_end_matches('#').trim().to_string()));
        }
    }
    // AsciiDoc: `== License`.
    if line.starts_with("==") {
        let level = line.chars().take_while(|&c| c == '=').count();
        if line[level..].starts_with(' ') {
            return Some((level, line[level..].trim().to_string()));
        }
    }
    // Setext Markdown and reStructuredText: a line underlined with = - ~ ^.
    if !t.is_empty() {
        if let Some(next) = lines.get(i + 1) {
            let n = next.trim();
            let under = n.len() >= 3
                && n.chars()
                    .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*' | '+'))
                && n.chars().all(|c| n.starts_with(c));
            if under && n.len() + 2 >= t.chars().count() && !t.starts_with(['-', '*', '+']) {
                let level = if n.starts_with('=') { 1 } else { 2 };
                return Some((level, t.to_string()));
            }
        }
    }
    None
}

/// A heading about the licence: "License", "Licence", "Licensing",
/// "Copyright and license", "Licence et droits", "Legal"…
fn is_licence_heading(text: &str) -> bool {
    const KEY: &[&str] = &[
        "license",
        "licence",
        "licenses",
        "licences",
        "licensing",
        "copying",
        "copyright",
        "legal",
    ];
    const FILLER: &[&str] = &[
        "and",
        "et",
        "the",
        "la",
        "de",
        "du",
        "des",
        "information",
        "informations",
        "info",
        "notice",
        "notices",
        "terms",
        "droits",
        "d",
        "auteur",
        "mentions",
        "légales",
        "legales",
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| KEY.contains(w))
        && words.iter().all(|w| KEY.contains(w) || FILLER.contains(w))
}

/// Lines outside fenced code blocks (``` or ~~~), others blanked, so
/// that a `# comment` in a shell example is no heading.
fn without_code_blocks(text: &str) -> Vec<&str> {
    let mut fence: Option<&str> = None;
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            match fence {
                Some(f) => {
                    if t.starts_with(f) {
                        fence = None;
                    }
                    ""
                }
                None if t.starts_with("```") || t.starts_with("~~~") => {
                    fence = Some(&t[..3]);
                    ""
                }
                None => l,
            }
        })
        .collect()
}

/// Text of the sections whose heading speaks of the licence. The
/// document's title (a first heading of level 1) is the project's name,
/// whatever it says.
pub(crate) fn licence_sections(text: &str) -> Vec<String> {
    let lines = without_code_blocks(text);
    let mut out = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < lines.len() {
        let Some((level, title)) = heading(&lines, i) else {
            i += 1;
            continue;
        };
        let is_title = first && level == 1;
        first = false;
        if is_title || !is_licence_heading(&title) {
            i += 1;
            continue;
        }
        // Skip the underline of a setext heading.
        let mut j = i + 1;
        if lines.get(j).is_some_and(|l| {
            let n = l.trim();
            n.len() >= 3
                && n.chars()
                    .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*' | '+'))
        }) {
            j += 1;
        }
        let start = j;
        while j < lines.len() {
            if let Some((l2, _)) = heading(&lines, j) {
                if l2 <= level {
                    break;
                }
            }
            j += 1;
        }
        out.push(lines[start..j].join("\n"));
        i = j;
    }
    out
}

/// Sentences anywhere in the README that speak of licensing.
fn licence_sentences(text: &str) -> String {
    text.split(['.', '\n'])
        .filter(|s| {
            let l = s.to_lowercase();
            l.contains("licen")
                || [
                    "released under",
                    "distributed under",
                    "available under",
                    "under the terms",
                ]
                .iter()
                .any(|p| l.contains(p))
        })
        .collect::<Vec<_>>()
        .join(".\n")
}

/// What one README says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReadmeSays {
    /// A licence section holds this licence's text.
    Text(TextMatch),
    /// It names a licence (or several, as alternatives), as an expression.
    Names(String),
    /// It names several licences without saying how they combine.
    Several(Vec<String>),
}

/// Reads a README.
pub(crate) fn read(text: &str) -> Option<ReadmeSays> {
    let sections = licence_sections(text);
    for s in &sections {
        if let Some(m) = best_match(s) {
            if m.is_match() {
                return Some(ReadmeSays::Text(m));
            }
        }
    }
    if sections.is_empty() {
        names_in(&licence_sentences(text), true)
    } else {
        // Under a licence heading, a bare name ("MIT") is the licence.
        names_in(&sections.join("\n\n"), false)
    }
}

/// Licences named in a passage, as an expression when they are one or
/// offered as alternatives ("either", "dual", "at your option").
pub(crate) fn names_in(passage: &str, need_context: bool) -> Option<ReadmeSays> {
    let found = mentions(passage, need_context);
    match found.len() {
        0 => None,
        1 => found.into_iter().next().map(|m| ReadmeSays::Names(m.id)),
        _ => {
            let l = passage.to_lowercase();
            let ids: Vec<String> = found.into_iter().map(|m| m.id).collect();
            if l.contains("either")
                || l.contains("dual")
                || l.contains("at your option")
                || l.contains("choice")
            {
                Some(ReadmeSays::Names(ids.join(" OR ")))
            } else {
                Some(ReadmeSays::Several(ids))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_licence_sections() {
        let md = "# X\n\nintro\n```sh\n# licence\n```\n## Licence\n\nMIT, see LICENSE.\n\n### Details\n\nmore\n\n## Usage\n\nrun\n";
        assert_eq!(
            licence_sections(md),
            ["\nMIT, see LICENSE.\n\n### Details\n\nmore\n"]
        );
        let rst = "Title\n=====\n\nLicense\n-------\n\nGPLv3+\n\nOther\n-----\n";
        assert_eq!(licence_sections(rst), ["\nGPLv3+\n"]);
        assert_eq!(
            licence_sections("# license\n\nA crate.\n\n## License and copyright\n\nMIT\n"),
            ["\nMIT"]
        );
        assert!(licence_sections("## Licensed software inventory\n\nx\n").is_empty());
        // Bullets are no headings.
        let md = "## License\n\n* MIT license ([LICENSE-MIT](LICENSE-MIT))\n";
        assert_eq!(
            licence_sections(md),
            ["\n* MIT license ([LICENSE-MIT](LICENSE-MIT))"]
        );
    }

    #[test]
    fn reads_names() {
        let md = "# X\n\n## License\n\nLicensed under either of Apache License, Version 2.0 or MIT license at your option.\n";
        assert_eq!(
            read(md),
            Some(ReadmeSays::Names("Apache-2.0 OR MIT".into()))
        );
        let md = "## License\n\nLicensed under either of\n\n* Apache License, Version 2.0, ([LICENSE-APACHE](LICENSE-APACHE) or <https://www.apache.org/licenses/LICENSE-2.0>)\n* MIT license ([LICENSE-MIT](LICENSE-MIT) or <https://opensource.org/license/mit>)\n\nat your option.\n";
        assert_eq!(
            read(md),
            Some(ReadmeSays::Names("Apache-2.0 OR MIT".into()))
        );
        let md = "# X\n\nThis project is released under the GNU GPL v3 or later.\n";
        assert_eq!(read(md), Some(ReadmeSays::Names("GPL-3.0-or-later".into())));
        assert_eq!(read("# X\n\nNothing here.\n"), None);
    }
}
