//! The report as plain text for a terminal, wrapped at 80 columns.

use super::Block;

pub(super) const WIDTH: usize = 80;

pub(super) fn wrap(text: &str, first: &str, rest: &str, out: &mut String) {
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = line.chars().count() + word.chars().count() + usize::from(!empty);
        if !empty && len > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

pub(super) fn text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                wrap(t, "", "", &mut out);
                out.push_str(&"═".repeat(t.chars().count().min(WIDTH)));
                out.push('\n');
            }
            Block::Heading(t) => {
                out.push('\n');
                out.push_str(&t.to_uppercase());
                out.push('\n');
            }
            Block::Sub(t) => wrap(t, "  ", "    ", &mut out),
            Block::Line(t) => wrap(t, "  ", "  ", &mut out),
            Block::Item(m, t, detail) => {
                wrap(t, &format!("  {} ", m.symbol()), "    ", &mut out);
                for d in detail {
                    wrap(d, "      ", "        ", &mut out);
                }
            }
            Block::Meter(x, label) => {
                let filled = ((x.clamp(0.0, 1.0)) * 20.0).round() as usize;
                let bar = format!("[{}{}]", "█".repeat(filled), "░".repeat(20 - filled));
                wrap(&format!("{bar} {label}"), "  ", "  ", &mut out);
            }
        }
    }
    out
}
