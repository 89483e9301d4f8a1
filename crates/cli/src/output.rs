//! Terminal output helpers: progress bars only on a terminal, JSON printing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar on stderr when it is a terminal and machine output was
/// not asked for; a hidden one otherwise.
pub fn progress(len: u64, message: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.to_string());
    pb
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    use std::io::Write;
    // Written as it is serialised: a network's JSON runs to a hundred
    // megabytes, which need not sit in memory first.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// `text` as it may be printed on a terminal: control characters (ESC,
/// BEL, NUL, DEL, the C1 range, line breaks) and the characters that
/// reorder text (bidirectional overrides and isolates) are written as
/// escapes such as `\u{1b}` instead of sent raw, where they would move
/// the cursor, change colours or titles, or hide text. Every command
/// prints registry text through it (or [`term_lines`]).
pub fn term(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, |_| false)
}

/// [`term`] for text of several lines (an argument sheet): line breaks and
/// tabs are kept.
pub fn term_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, |c| matches!(c, '\n' | '\t'))
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        !keep(c)
            && (c.is_control()
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Prints a line of registry text on standard output through [`term`].
pub fn say(line: impl AsRef<str>) {
    println!("{}", term(line.as_ref()));
}

/// Prints a line of registry text on standard error through [`term`].
pub fn esay(line: impl AsRef<str>) {
    eprintln!("{}", term(line.as_ref()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(super::term("Médiathèque"), "Médiathèque");
        assert_eq!(
            super::term("a\u{1b}]0;pwned\u{7}b\0c\u{9b}d\u{202e}e\nf"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{0}c\\u{9b}d\\u{202e}e\\u{a}f"
        );
        assert_eq!(super::term_lines("a\tb\nc\u{1b}"), "a\tb\nc\\u{1b}");
    }
}
