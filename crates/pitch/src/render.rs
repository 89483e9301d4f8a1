//! The sheet as text (terminal), Markdown, a standalone HTML page or JSON.

use crate::sheet::{Answer, Sheet};
use crate::wrap::wrap;
use serde_json::{json, Value};

/// A textual format of the sheet (the PDF is [`crate::pdf::render`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For a terminal, wrapped at 80 columns.
    Text,
    Markdown,
    /// One standalone, printable page with its styles.
    Html,
    Json,
}

impl Format {
    /// `text`, `markdown` (`md`), `html` or `json`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(Format::Text),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Renders the sheet. The result ends with a newline.
pub fn render(sheet: &Sheet, format: Format) -> String {
    match format {
        Format::Text => text(sheet),
        Format::Markdown => markdown(sheet),
        Format::Html => html(sheet),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(sheet)).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// The JSON form: `{audience, register, objections: [{id, text, answers:
/// [argument ids]}], arguments: [{id, register, text, source}], evidence:
/// [{indicator, label, value}]}`, with a few more fields (names, sources,
/// territory, citations) beside them.
pub fn to_json(sheet: &Sheet) -> Value {
    json!({
        "audience": sheet.audience.id,
        "register": sheet.register,
        "lang": sheet.lang,
        "date": sheet.date,
        "listener": {
            "name": sheet.audience.name,
            "profile": sheet.audience.profile,
            "source": sheet.audience.cite.source,
        },
        "territory": sheet.territory,
        "commons": sheet.commons,
        "objections": sheet.objections.iter().map(|o| json!({
            "id": o.id,
            "text": o.text,
            "answers": o.answers.iter().map(|a| a.argument.clone()).collect::<Vec<_>>(),
            "other_register": o.answers.iter().any(|a| a.other_register),
            "source": o.cite.source,
            "locator": o.cite.locator,
        })).collect::<Vec<_>>(),
        "arguments": sheet.arguments.iter().map(|a| json!({
            "id": a.id,
            "register": a.register,
            "text": a.text,
            "source": a.source,
            "locator": a.locator,
        })).collect::<Vec<_>>(),
        "evidence": sheet.evidence.iter().map(|e| json!({
            "indicator": e.indicator,
            "label": e.label,
            "value": e.value,
            "text": e.text,
            "source": e.source,
        })).collect::<Vec<_>>(),
        "sources": sheet.sources,
    })
}

/// The line under the title: territory (and whether it is made up),
/// commons, register when asked, date.
pub(crate) fn subtitle(sheet: &Sheet, with_register: bool) -> String {
    let mut s = format!(
        "{}{}{} — {} {}",
        sheet.t("territory"),
        sheet.colon(),
        sheet.territory.name,
        sheet.territory.level,
        sheet.territory.code
    );
    if sheet.territory.fictional {
        s.push_str(&format!(" ({})", sheet.t("fictional")));
    }
    if let Some(c) = &sheet.commons {
        s.push_str(&format!(
            " · {}{}{}",
            sheet.t("commons"),
            sheet.colon(),
            c.name
        ));
    }
    if with_register {
        s.push_str(&format!(" · {}", sheet.register_phrase(sheet.register)));
    }
    s.push_str(&format!(" · {}", sheet.date));
    s
}

/// The title: the persona's name.
pub(crate) fn title(sheet: &Sheet) -> String {
    sheet.audience.name.clone()
}

/// The figures line under an answer, empty when none backs it.
pub(crate) fn figures_line(sheet: &Sheet, a: &Answer) -> String {
    let parts: Vec<String> = a
        .figures
        .iter()
        .filter_map(|i| sheet.figure(*i))
        .map(|e| e.short.clone())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(
            "{}{}{}",
            sheet.t("figures"),
            sheet.colon(),
            parts.join(" · ")
        )
    }
}

/// The answer's text with its register when it stands in from another.
pub(crate) fn answer_text(sheet: &Sheet, a: &Answer) -> String {
    if a.other_register {
        format!("({}) {}", sheet.register_phrase(a.register), a.text)
    } else {
        a.text.clone()
    }
}

/// A source line: « 1. Title (year) — places — licence — url ».
pub(crate) fn source_line(s: &crate::sheet::SheetSource) -> String {
    let mut line = format!("{}. {}", s.number, s.credit);
    if !s.locators.is_empty() {
        line.push_str(&format!(" — {}", s.locators.join("; ")));
    }
    if let Some(l) = &s.licence {
        line.push_str(&format!(" — {l}"));
    }
    if let Some(u) = &s.url {
        line.push_str(&format!(" — {u}"));
    }
    line
}

const WIDTH: usize = 80;

fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
    let indent = first.chars().count().max(rest.chars().count());
    let width = WIDTH.saturating_sub(indent).max(20);
    for (i, line) in wrap(text, width).iter().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
        out.push('\n');
    }
}

fn underline(out: &mut String, heading: &str, ch: char) {
    out.push_str(heading);
    out.push('\n');
    out.push_str(&ch.to_string().repeat(heading.chars().count()));
    out.push('\n');
}

fn text(sheet: &Sheet) -> String {
    let mut out = String::new();
    underline(
        &mut out,
        &format!("{} — {}", sheet.t("title").to_uppercase(), title(sheet)),
        '=',
    );
    push_wrapped(&mut out, &subtitle(sheet, true), "", "");
    out.push('\n');
    underline(&mut out, sheet.t("listener"), '-');
    push_wrapped(
        &mut out,
        &format!(
            "{} {}",
            sheet.audience.profile,
            sheet.marker(&sheet.audience.cite)
        ),
        "",
        "",
    );
    out.push('\n');
    underline(&mut out, sheet.t("objections"), '-');
    for (i, o) in sheet.objections.iter().enumerate() {
        out.push('\n');
        let head = format!("{}. ", i + 1);
        let pad = " ".repeat(head.len());
        push_wrapped(
            &mut out,
            &format!("{} {}", sheet.quote(&o.text), sheet.marker(&o.cite)),
            &head,
            &pad,
        );
        for a in &o.answers {
            push_wrapped(
                &mut out,
                &format!("{} {}", answer_text(sheet, a), sheet.marker(&a.cite)),
                &format!("{pad}→ "),
                &format!("{pad}  "),
            );
            let f = figures_line(sheet, a);
            if !f.is_empty() {
                push_wrapped(&mut out, &f, &format!("{pad}  ▸ "), &format!("{pad}    "));
            }
        }
    }
    out.push('\n');
    underline(&mut out, sheet.t("evidence"), '-');
    if sheet.evidence.is_empty() {
        push_wrapped(&mut out, sheet.t("evidence_none"), "", "");
    } else {
        for e in &sheet.evidence {
            push_wrapped(
                &mut out,
                &format!("{}{}{} [{}]", e.label, sheet.colon(), e.text, e.source),
                "  • ",
                "    ",
            );
        }
        push_wrapped(&mut out, sheet.t("evidence_lead"), "  ", "  ");
    }
    out.push('\n');
    underline(&mut out, sheet.t("sources"), '-');
    for s in &sheet.sources {
        push_wrapped(&mut out, &source_line(s), "", "   ");
    }
    out.push('\n');
    push_wrapped(&mut out, sheet.t("generated"), "", "");
    out
}

/// Escapes the characters Markdown would read as markup.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(sheet: &Sheet) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {} — {}\n\n",
        md(sheet.t("title")),
        md(&title(sheet))
    ));
    out.push_str(&format!("{}\n", md(&subtitle(sheet, true))));
    out.push_str(&format!("\n## {}\n\n", md(sheet.t("listener"))));
    out.push_str(&format!(
        "{} {}\n",
        md(&sheet.audience.profile),
        md(&sheet.marker(&sheet.audience.cite))
    ));
    out.push_str(&format!("\n## {}\n", md(sheet.t("objections"))));
    for (i, o) in sheet.objections.iter().enumerate() {
        out.push_str(&format!(
            "\n### {}. {}\n\n<sub>{}</sub>\n\n",
            i + 1,
            md(&sheet.quote(&o.text)),
            md(&sheet.marker(&o.cite))
        ));
        for a in &o.answers {
            out.push_str(&format!(
                "- **{}** {} {}\n",
                md(sheet.t("answer")),
                md(&answer_text(sheet, a)),
                md(&sheet.marker(&a.cite))
            ));
            let f = figures_line(sheet, a);
            if !f.is_empty() {
                out.push_str(&format!("  *{}*\n", md(&f)));
            }
        }
    }
    out.push_str(&format!("\n## {}\n\n", md(sheet.t("evidence"))));
    if sheet.evidence.is_empty() {
        out.push_str(&format!("{}\n", md(sheet.t("evidence_none"))));
    } else {
        out.push_str(&format!("| {} | |\n|---|---|\n", md(sheet.t("evidence"))));
        for e in &sheet.evidence {
            out.push_str(&format!(
                "| {} | **{}** \\[{}\\] |\n",
                md(&e.label),
                md(&e.text),
                e.source
            ));
        }
        out.push_str(&format!("\n*{}*\n", md(sheet.t("evidence_lead"))));
    }
    out.push_str(&format!("\n## {}\n\n", md(sheet.t("sources"))));
    for s in &sheet.sources {
        out.push_str(&format!("{}  \n", md(&source_line(s))));
    }
    out.push_str(&format!("\n---\n\n*{}*\n", md(sheet.t("generated"))));
    out
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    // askama's escaper, the one the web pages use.
    match askama::filters::escape(s, askama::filters::Html) {
        Ok(escaped) => escaped.to_string(),
        Err(never) => match never {},
    }
}

/// Whether a figure's value is short enough for the columns of figures
/// (a number, a licence), or goes on a line of its own (counts by kind):
/// the PDF and the HTML lay the figures out alike.
pub(crate) fn short_figure(e: &crate::sheet::Evidence) -> bool {
    e.text.chars().count() <= 9
}

/// Only `http(s)` links become links.
fn safe_url(u: &str) -> Option<&str> {
    let l = u.trim();
    (l.starts_with("https://") || l.starts_with("http://")).then_some(l)
}

const CSS: &str = "
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans Condensed', 'DejaVu Sans', Arial, sans-serif; color: #1d2430; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; font-size: 11pt; }
header { border-bottom: 3px solid #1f5f8b; padding-bottom: .6rem; margin-bottom: 1rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: #1f5f8b; font-weight: bold; font-size: 9pt; margin: 0; }
h1 { font-size: 20pt; margin: .2rem 0; }
.meta { color: #4a5565; margin: 0; font-size: 10pt; }
h2 { font-size: 12.5pt; color: #1f5f8b; border-bottom: 1px solid #c9d6e2; padding-bottom: .15rem; margin: 1.2rem 0 .5rem; }
ol.objections { padding-left: 1.4rem; }
ol.objections > li { margin-bottom: .7rem; break-inside: avoid; }
.objection { font-weight: bold; }
.answers { list-style: none; padding-left: 0; margin: .3rem 0 0; }
.answers li { margin: .2rem 0; padding-left: 1.1rem; position: relative; }
.answers li::before { content: '→'; position: absolute; left: 0; color: #1f5f8b; }
.other { color: #8a4b00; font-style: italic; }
.figures { display: block; font-style: italic; color: #4a5565; font-size: 9.5pt; }
.cite { color: #6b7685; font-size: 8.5pt; white-space: nowrap; }
.evidence { background: #eef4f9; border-left: 4px solid #1f5f8b; padding: .6rem .9rem; break-inside: avoid; }
.evidence h2 { border: 0; margin-top: 0; }
.evidence dl { display: grid; grid-template-columns: 1fr auto; gap: .2rem 1rem; margin: 0; }
.evidence dt { margin: 0; }
.evidence dd { margin: 0; font-weight: bold; text-align: right; }
.evidence dt.long, .evidence dd.long { grid-column: 1 / -1; }
.evidence dd.long { font-weight: normal; text-align: left; margin-bottom: .2rem; }
.lead { font-size: 9pt; color: #4a5565; margin: .5rem 0 0; }
.sources { font-size: 8.5pt; color: #4a5565; padding-left: 1.4rem; }
footer { margin-top: 1.2rem; font-size: 8.5pt; color: #6b7685; border-top: 1px solid #c9d6e2; padding-top: .4rem; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } a { color: inherit; } }
";

fn html(sheet: &Sheet) -> String {
    let mut b = String::new();
    b.push_str(&format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&sheet.lang),
        esc(sheet.t("title")),
        esc(&title(sheet))
    ));
    b.push_str(&body_html(sheet));
    b.push_str("</body>\n</html>\n");
    b
}

/// The sheet as an HTML fragment (a `<article class="sheet">`), escaped;
/// the standalone page wraps it, the web preview embeds it.
pub fn body_html(sheet: &Sheet) -> String {
    let mut b = String::new();
    b.push_str("<article class=\"sheet\">\n<header>\n");
    b.push_str(&format!(
        "<p class=\"kicker\">{} · {}</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
        esc(sheet.t("title")),
        esc(&sheet.register_phrase(sheet.register)),
        esc(&title(sheet)),
        esc(&subtitle(sheet, false))
    ));
    b.push_str("</header>\n");
    b.push_str(&format!(
        "<section>\n<h2>{}</h2>\n<p>{} <span class=\"cite\">{}</span></p>\n</section>\n",
        esc(sheet.t("listener")),
        esc(&sheet.audience.profile),
        esc(&sheet.marker(&sheet.audience.cite))
    ));
    b.push_str(&format!(
        "<section>\n<h2>{}</h2>\n<ol class=\"objections\">\n",
        esc(sheet.t("objections"))
    ));
    for o in &sheet.objections {
        b.push_str(&format!(
            "<li id=\"objection-{}\"><p class=\"objection\">{} <span class=\"cite\">{}</span></p>\n<ul class=\"answers\">\n",
            esc(&o.id),
            esc(&sheet.quote(&o.text)),
            esc(&sheet.marker(&o.cite))
        ));
        for a in &o.answers {
            b.push_str("<li>");
            if a.other_register {
                b.push_str(&format!(
                    "<span class=\"other\">({})</span> ",
                    esc(&sheet.register_phrase(a.register))
                ));
            }
            b.push_str(&format!(
                "{} <span class=\"cite\">{}</span>",
                esc(&a.text),
                esc(&sheet.marker(&a.cite))
            ));
            let f = figures_line(sheet, a);
            if !f.is_empty() {
                b.push_str(&format!("<span class=\"figures\">{}</span>", esc(&f)));
            }
            b.push_str("</li>\n");
        }
        b.push_str("</ul></li>\n");
    }
    b.push_str("</ol>\n</section>\n");
    b.push_str(&format!(
        "<section class=\"evidence\">\n<h2>{}</h2>\n",
        esc(sheet.t("evidence"))
    ));
    if sheet.evidence.is_empty() {
        b.push_str(&format!("<p>{}</p>\n", esc(sheet.t("evidence_none"))));
    } else {
        b.push_str("<dl>\n");
        for e in &sheet.evidence {
            // A figure goes in the columns of figures; a longer value
            // (counts by kind) on a line of its own, as in the PDF.
            let class = if short_figure(e) {
                ""
            } else {
                " class=\"long\""
            };
            b.push_str(&format!(
                "<dt{class} data-indicator=\"{}\">{}</dt><dd{class}>{} <span class=\"cite\">[{}]</span></dd>\n",
                esc(e.indicator.as_str()),
                esc(&e.label),
                esc(&e.text),
                e.source
            ));
        }
        b.push_str(&format!(
            "</dl>\n<p class=\"lead\">{}</p>\n",
            esc(sheet.t("evidence_lead"))
        ));
    }
    b.push_str("</section>\n");
    b.push_str(&format!(
        "<section>\n<h2>{}</h2>\n<ol class=\"sources\">\n",
        esc(sheet.t("sources"))
    ));
    for s in &sheet.sources {
        b.push_str(&format!("<li value=\"{}\">{}", s.number, esc(&s.credit)));
        if !s.locators.is_empty() {
            b.push_str(&format!(" — {}", esc(&s.locators.join("; "))));
        }
        if let Some(l) = &s.licence {
            b.push_str(&format!(" — {}", esc(l)));
        }
        if let Some(u) = &s.url {
            match safe_url(u) {
                Some(u) => b.push_str(&format!(" — <a href=\"{0}\">{0}</a>", esc(u))),
                None => b.push_str(&format!(" — {}", esc(u))),
            }
        }
        b.push_str("</li>\n");
    }
    b.push_str("</ol>\n</section>\n");
    b.push_str(&format!(
        "<footer>{}</footer>\n</article>\n",
        esc(sheet.t("generated"))
    ));
    b
}
