//! The report as a self-contained HTML page, every value from the
//! repository escaped.

use super::Block;
use crate::grid::Lang;
use std::fmt::Write as _;

/// Escapes text for HTML content and attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    // askama's escaper, the one the web pages use.
    match askama::filters::escape(s, askama::filters::Html) {
        Ok(escaped) => escaped.to_string(),
        Err(never) => match never {},
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}\
h1{font-size:1.6rem;border-bottom:3px solid #000091;padding-bottom:.3rem}h2{margin-top:2rem;color:#000091}h3{margin-bottom:.3rem}\
ul{list-style:none;padding-left:0;margin:.2rem 0}li{margin:.25rem 0}li ul{padding-left:1.6rem;color:#3a3a3a;font-size:.95em}\
.mark{display:inline-block;width:1.4em;text-align:center;font-weight:bold;border-radius:3px;margin-right:.4em}\
.met .mark{color:#fff;background:#18753c}.not-met .mark{color:#fff;background:#ce0500}.unknown .mark{color:#1b1b1b;background:#fcc63a}\
.na .mark{color:#fff;background:#929292}.error .mark{color:#fff;background:#ce0500}.warning .mark{color:#1b1b1b;background:#fcc63a}\
.info .mark,.bullet .mark{color:#000091}meter{width:16rem;height:1.1rem;vertical-align:middle;margin-right:.6rem}";

pub(super) fn html(blocks: &[Block], lang: Lang) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("Archipel");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.as_str(),
        html_escape(title)
    );
    let mut in_list = false;
    for b in blocks {
        let is_item = matches!(b, Block::Item(..));
        if in_list && !is_item {
            out.push_str("</ul>\n");
            in_list = false;
        }
        match b {
            Block::Title(t) => {
                let _ = writeln!(out, "<h1>{}</h1>", html_escape(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "<h2>{}</h2>", html_escape(t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "<h3>{}</h3>", html_escape(t));
            }
            Block::Line(t) => {
                let _ = writeln!(out, "<p>{}</p>", html_escape(t));
            }
            Block::Item(m, t, detail) => {
                if !in_list {
                    out.push_str("<ul>\n");
                    in_list = true;
                }
                let _ = write!(
                    out,
                    "<li class=\"{}\"><span class=\"mark\">{}</span>{}",
                    m.class(),
                    html_escape(m.symbol()),
                    html_escape(t)
                );
                if !detail.is_empty() {
                    out.push_str("<ul>");
                    for d in detail {
                        let _ = write!(out, "<li>{}</li>", html_escape(d));
                    }
                    out.push_str("</ul>");
                }
                out.push_str("</li>\n");
            }
            Block::Meter(x, label) => {
                let _ = writeln!(
                    out,
                    "<p><meter min=\"0\" max=\"1\" value=\"{:.3}\"></meter>{}</p>",
                    x.clamp(0.0, 1.0),
                    html_escape(label)
                );
            }
        }
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
