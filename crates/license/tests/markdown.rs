//! Licence texts formatted as Markdown, as forges show them (`LICENSE.md`
//! with headings, emphasis, lists, links, rules, code blocks, comments):
//! the SPDX text the crate embeds, decorated here the way Markdown
//! conversions of licences do, must be recognised; the same with real
//! extra clauses must not.

use archipel_license::{detect, NOASSERTION};

fn text(id: &str) -> &'static str {
    spdx::license_id(id)
        .map(|l| l.text())
        .unwrap_or_else(|| panic!("{id} is in the SPDX list"))
}

fn detect_file(name: &str, content: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), content).expect("write");
    detect(dir.path()).expect("detect").spdx
}

/// A URL, with the punctuation that ends its sentence left out.
fn split_url(w: &str) -> Option<(&str, &str)> {
    let start = w.find("http")?;
    let url = w[start..].trim_end_matches(['.', ',', ';', ')', '>']);
    (url.len() > 10).then_some((&w[..start], url))
}

/// One line of a paragraph with inline Markdown: links, emphasis on
/// defined terms and on a few words, autolinks.
fn inline(line: &str, n: usize) -> String {
    let mut out = Vec::new();
    for (i, w) in line.split(' ').enumerate() {
        let word = if let Some((before, url)) = split_url(w) {
            let before = before.trim_start_matches('<');
            let after = &w[w.find(url).map_or(w.len(), |s| s + url.len())..];
            let after = after.trim_start_matches('>');
            if n.is_multiple_of(2) {
                format!("{before}[{url}]({url}){after}")
            } else {
                format!("{before}<{url}>{after}")
            }
        } else if w.chars().count() > 3
            && (w.starts_with('"') && w.ends_with('"') || w.starts_with('“') && w.ends_with('”'))
        {
            format!("**{w}**")
        } else if matches!(w, "not" | "must" | "any" | "all") && (i + n).is_multiple_of(3) {
            format!("_{w}_")
        } else if w == "License" && (i + n).is_multiple_of(5) {
            format!("*{w}*")
        } else {
            w.to_string()
        };
        out.push(word);
    }
    out.join(" ")
}

fn is_heading(line: &str) -> bool {
    let t = line.trim();
    let caps = t.chars().any(|c| c.is_alphabetic())
        && t.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase());
    (t.len() < 70 && caps)
        || t == "Preamble"
        || t == "How to Apply These Terms to Your New Programs."
}

/// A sub-item: `a) …`, `(a) …`, `(1) …`.
fn is_item(line: &str) -> bool {
    let t = line.trim().as_bytes();
    t.len() > 4
        && (t[0] == b'(' && t[2..4].contains(&b')') || t[1] == b')' && t[0].is_ascii_lowercase())
}

/// A numbered section title such as `0. Definitions.` or `1. APPLICABILITY`.
fn is_section(line: &str) -> bool {
    let t = line.trim();
    let Some((num, rest)) = t.split_once(". ") else {
        return false;
    };
    !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) && rest.len() < 60
}

/// The licence as a Markdown file: the title as a heading, the version in
/// emphasis, section titles as headings (one with an escaped dot), rules
/// between sections, sub-items as list items, links, emphasis, a lint
/// comment at the top, the sample notices in fenced code blocks, hard line
/// breaks, and paragraphs wrapped at 80 columns.
fn markdown(text: &str) -> String {
    let mut out = String::from("<!-- markdownlint-disable MD013 MD041 -->\n\n");
    let mut in_sample = false;
    let mut sections = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_end();
        if n == 0 {
            out.push_str(&format!("# {}\n\n", t.trim()));
            continue;
        }
        if t.starts_with("Version ") && n < 3 {
            out.push_str(&format!("_{}_  \n", t.trim()));
            continue;
        }
        // The sample notices (GPL's "How to apply", Apache's appendix) are
        // indented or start with `<`: fence them. Indented sub-items are
        // list items.
        let sample = !is_item(t)
            && (t.starts_with("    ") || t.trim_start().starts_with('<') && !t.contains("http"));
        if sample && !in_sample {
            out.push_str("```text\n");
            in_sample = true;
        } else if !sample && in_sample && !t.is_empty() {
            out.push_str("```\n\n");
            in_sample = false;
        }
        if in_sample {
            out.push_str(t.trim());
            out.push('\n');
            continue;
        }
        if t.is_empty() {
            out.push('\n');
        } else if is_heading(t) {
            out.push_str(&format!("## {}\n", t.trim()));
        } else if is_section(t) {
            sections += 1;
            if sections > 1 {
                out.push_str("\n---\n\n");
            }
            let t = t.trim();
            if sections == 2 {
                // Some converters escape the dot so it is not read as a list.
                let (num, rest) = t.split_once(". ").unwrap_or((t, ""));
                out.push_str(&format!("### {num}\\. {rest}\n"));
            } else {
                out.push_str(&format!("### {t}\n"));
            }
        } else {
            let item = is_item(t);
            let t = t.trim();
            let body = inline(t, n);
            let body = if item { format!("- {body}") } else { body };
            // Wrap at 80 columns, as Markdown files are.
            let mut col = 0;
            for (i, w) in body.split(' ').enumerate() {
                if i > 0 {
                    if col + w.len() + 1 > 80 {
                        out.push_str(if item { "\n  " } else { "\n" });
                        col = 2;
                    } else {
                        out.push(' ');
                        col += 1;
                    }
                }
                out.push_str(w);
                col += w.len();
            }
            out.push('\n');
        }
    }
    if in_sample {
        out.push_str("```\n");
    }
    out
}

#[test]
fn the_decoration_is_real_markdown() {
    let md = markdown(text("GPL-3.0-only"));
    for mark in [
        "# GNU GENERAL PUBLIC LICENSE\n",
        "_Version 3, 29 June 2007_  \n",
        "## Preamble\n",
        "## TERMS AND CONDITIONS\n",
        "### 0. Definitions.\n",
        "### 1\\. Source Code.\n",
        "\n---\n",
        "**“Licensees”**",
        "- a) The work must carry",
        "```text\n",
        "<!-- markdownlint-disable",
    ] {
        assert!(md.contains(mark), "no {mark:?} in:\n{md}");
    }
    let apache = markdown(text("Apache-2.0"));
    assert!(apache.contains("[http://www.apache.org/licenses/](http://www.apache.org/licenses/)"));
}

#[test]
fn markdown_licences_are_recognised() {
    for (id, accept) in [
        ("GPL-3.0-only", &["GPL-3.0-only", "GPL-3.0-or-later"][..]),
        // The GFDL's variants share one text.
        (
            "GFDL-1.3-only",
            &[
                "GFDL-1.3-only",
                "GFDL-1.3-or-later",
                "GFDL-1.3-invariants-only",
                "GFDL-1.3-invariants-or-later",
                "GFDL-1.3-no-invariants-only",
                "GFDL-1.3-no-invariants-or-later",
            ][..],
        ),
        ("MIT", &["MIT"][..]),
        ("Apache-2.0", &["Apache-2.0"][..]),
        ("AGPL-3.0-only", &["AGPL-3.0-only", "AGPL-3.0-or-later"][..]),
        ("MPL-2.0", &["MPL-2.0"][..]),
        ("EUPL-1.2", &["EUPL-1.2"][..]),
    ] {
        let md = markdown(text(id));
        for name in ["LICENSE.md", "LICENSE"] {
            let got = detect_file(name, &md);
            assert!(
                accept.contains(&got.as_str()),
                "{id} in Markdown as {name}: got {got}"
            );
        }
    }
}

/// Extra terms of the length such clauses have (a "Commons Clause"-like
/// restriction, in our own words).
const EXTRA_TERMS: &str = "\n## Additional terms\n\n\
    **The rights granted above do not include the right to Sell the Software.** \
    For the purposes of this condition, to Sell means to offer to third parties, \
    for a fee or any other consideration, a product or a service whose value \
    derives entirely or substantially from the functionality of the Software, \
    including hosting, consulting and support services related to it.\n\n\
    This software may not be used by any organisation with more than fifty \
    employees, nor for any military purpose, nor by any public body that has \
    not first obtained the prior written permission of the authors, which they \
    may refuse or withdraw at any time and for any reason, without notice. \
    Any use in breach of these terms ends every right this licence gives.\n";

/// One sentence of extra terms.
const EXTRA_SENTENCE: &str =
    "\n**This software may not be used by any organisation with more than \
    fifty employees, nor for any military purpose, without the prior written permission \
    of the authors.**\n";

/// `md` with `clause` at its end, and in its middle (at a paragraph break).
fn with_clause(md: &str, clause: &str) -> [String; 2] {
    let mid = md.len() / 2;
    let cut = md[mid..].find("\n\n").map_or(md.len(), |i| mid + i);
    [
        format!("{md}{clause}"),
        format!("{}{clause}{}", &md[..cut], &md[cut..]),
    ]
}

#[test]
fn markdown_with_real_extra_clauses_is_noassertion() {
    for id in ["GPL-3.0-only", "MIT", "Apache-2.0", "GFDL-1.3-only"] {
        let md = markdown(text(id));
        for (i, doc) in with_clause(&md, EXTRA_TERMS).iter().enumerate() {
            let at = ["at the end", "in the middle"][i];
            assert_eq!(
                detect_file("LICENSE.md", doc),
                NOASSERTION,
                "{id} with extra terms {at}"
            );
        }
        // Hidden in an HTML comment, the terms are still text of the file.
        let hidden = format!("{md}\n<!--\n{EXTRA_TERMS}\n-->\n");
        assert_eq!(
            detect_file("LICENSE.md", &hidden),
            NOASSERTION,
            "{id} with hidden terms"
        );
    }
    // A short licence: one sentence is enough.
    for doc in with_clause(&markdown(text("MIT")), EXTRA_SENTENCE) {
        assert_eq!(
            detect_file("LICENSE.md", &doc),
            NOASSERTION,
            "MIT with a sentence"
        );
    }
}

#[test]
fn markdown_badges_reference_links_comments_and_tags() {
    // As forges show an MIT LICENSE.md: badges, reference links defined at
    // the end, a lint comment, line breaks as HTML tags, an escaped list
    // number. Without the Markdown pass the definitions alone add more
    // words after the licence than a short licence allows.
    let body = text("MIT")
        .replacen(
            "Permission is hereby granted",
            "Permission is hereby [granted][mit]",
            1,
        )
        .replacen("conditions:\n", "conditions:<br/>\n", 1)
        .replacen(
            "THE SOFTWARE IS PROVIDED",
            "<!-- keep the warranty text verbatim -->\nTHE SOFTWARE IS PROVIDED",
            1,
        );
    let md = format!(
        "[![OSI approved][osi-badge]][osi]\n\n# MIT License #\n\n{body}\n\n\
         [mit]: https://opensource.org/license/mit/ \"The MIT License\"\n\
         [osi]: https://opensource.org/licenses/\n\
         [osi-badge]: https://img.shields.io/badge/OSI-approved-green.svg\n\
         [repo]: https://forge.example.org/city/maps/-/blob/main/LICENSE.md\n"
    );
    assert_eq!(detect_file("LICENSE.md", &md), "MIT", "{md}");
    // The same text read as plain text (its name, but not its content,
    // says otherwise): Markdown is told by the text too.
    assert_eq!(detect_file("LICENSE", &md), "MIT");
}
