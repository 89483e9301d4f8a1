//! The report as Markdown, every value from the repository escaped.

use super::Block;
use std::fmt::Write as _;

pub(super) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if "\\`*_[]<>#|".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

pub(super) fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut in_list = false;
    for b in blocks {
        let is_item = matches!(b, Block::Item(..));
        if in_list && !is_item {
            // A paragraph right after a list would continue its last item.
            out.push('\n');
        }
        in_list = is_item;
        match b {
            Block::Title(t) => {
                let _ = writeln!(out, "# {}\n", md_escape(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "\n## {}\n", md_escape(t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "\n### {}\n", md_escape(t));
            }
            Block::Line(t) => {
                let _ = writeln!(out, "{}\n", md_escape(t));
            }
            Block::Item(m, t, detail) => {
                let _ = writeln!(out, "- {} **{}**", m.symbol(), md_escape(t));
                for d in detail {
                    let _ = writeln!(out, "  - {}", md_escape(d));
                }
            }
            Block::Meter(x, label) => {
                let filled = ((x.clamp(0.0, 1.0)) * 20.0).round() as usize;
                let _ = writeln!(
                    out,
                    "`{}{}` {}\n",
                    "█".repeat(filled),
                    "░".repeat(20 - filled),
                    md_escape(label)
                );
            }
        }
    }
    out
}
