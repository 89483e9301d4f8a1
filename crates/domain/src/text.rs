//! The rule for text that comes from outside, and how to quote it back.
//!
//! Every text field of a record is one of three [`TextKind`]s. All refuse
//! control characters (C0, DEL, C1), which a terminal would obey (ESC
//! sequences, BEL, a carriage return overwriting the line) and which no
//! name or address needs; a [`TextKind::Block`] (descriptions, notes,
//! source-specific details) and a [`TextKind::Document`] (a publiccode.yml
//! text) may hold tabs and line breaks (`\n`, `\r\n`, and the lone `\r` of
//! files with old Mac line ends: showing such text on a terminal is the
//! printer's job to escape). All refuse unpaired
//! bidirectional controls: an override or isolate that is not closed on the
//! same line reverses what follows it wherever the text is shown (a file
//! name ending `…txt.exe` displayed as `…exe.txt`), while a closed pair only
//! affects its own span and is what right-to-left text legitimately uses.
//! Each kind has a size limit, so that one hostile value cannot make every
//! page showing its record costly.
//!
//! [`echo`] quotes a value in a message: bounded, with control and
//! invisible characters escaped, so that a message never carries input raw.

/// How a text field may be laid out, and how long it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: names, addresses, codes, identifiers, URLs, keys.
    Line,
    /// Several lines: descriptions, notes, source-specific details.
    Block,
    /// A whole document kept as text (a publiccode.yml).
    Document,
}

/// Bytes a [`TextKind::Line`] value may hold.
pub const MAX_LINE_BYTES: usize = 4 * 1024;
/// Bytes a [`TextKind::Block`] value may hold.
pub const MAX_BLOCK_BYTES: usize = 64 * 1024;
/// Bytes a [`TextKind::Document`] value may hold.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// Nesting depth of bidirectional embeddings and isolates that Unicode's
/// algorithm supports (UAX #9, `max_depth`).
const MAX_BIDI_DEPTH: usize = 125;

impl TextKind {
    pub fn max_bytes(self) -> usize {
        match self {
            TextKind::Line => MAX_LINE_BYTES,
            TextKind::Block => MAX_BLOCK_BYTES,
            TextKind::Document => MAX_DOCUMENT_BYTES,
        }
    }
}

/// Whether a byte may start a character [`check_text`] looks at: ASCII
/// controls, and the lead bytes of U+0080–U+00BF (C1 controls) and of
/// U+2000–U+2FFF (bidirectional controls, line separators). Plain text
/// without such bytes is accepted without decoding.
fn suspicious(b: u8) -> bool {
    SUSPICIOUS[usize::from(b)]
}

/// [`suspicious`] as a table: one load per byte of every value imported.
static SUSPICIOUS: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2;
        b += 1;
    }
    t
};

/// The first [`suspicious`] byte of `bytes`, looked for eight bytes at a
/// time (every value of every import goes through here).
fn first_suspicious(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether some byte of `x` is zero (exact as a yes/no answer).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let has_below_0x20 = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_ne_bytes(b);
        if has_below_0x20(x)
            || has_zero(x ^ (ONES * 0x7F))
            || has_zero(x ^ (ONES * 0xC2))
            || has_zero(x ^ (ONES * 0xE2))
        {
            break;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| suspicious(b))
        .map(|i| at + i)
}

/// Checks a text value against the rule for its kind.
pub fn check_text(s: &str, kind: TextKind) -> Result<(), String> {
    let max = kind.max_bytes();
    if s.len() > max {
        return Err(format!(
            "{} bytes of text, at most {max} allowed here",
            s.len()
        ));
    }
    let bytes = s.as_bytes();
    let multiline = kind != TextKind::Line;
    // Open embeddings/overrides (`false`) and isolates (`true`), innermost
    // last, with the byte where each was opened.
    let mut open: Vec<(bool, char, usize)> = Vec::new();
    // Only the characters that start with a suspicious byte are decoded.
    let mut i = 0;
    while let Some(next) = first_suspicious(&bytes[i..]) {
        i += next;
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let here = i;
        i += c.len_utf8();
        // The character's position, for messages (counted only then).
        let at = || s[..here].chars().count() + 1;
        match c {
            // A line break ends what is open (an error, said below).
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if multiline && !open.is_empty() => break,
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' if multiline => {}
            '\u{2028}' | '\u{2029}' | '\t' | '\n' | '\r' => {
                return Err(format!(
                    "{} at character {}: this field is a single line",
                    char_name(c),
                    at()
                ));
            }
            _ if c.is_control() => {
                return Err(format!(
                    "control character {} at character {}",
                    char_name(c),
                    at()
                ));
            }
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}' | '\u{2067}'
            | '\u{2068}' => {
                if open.len() >= MAX_BIDI_DEPTH {
                    return Err(format!(
                        "bidirectional controls nested more than {MAX_BIDI_DEPTH} deep"
                    ));
                }
                open.push((c >= '\u{2066}', c, here));
            }
            '\u{202C}' | '\u{2069}' => {
                let isolate = c == '\u{2069}';
                match open.pop() {
                    Some((i, _, _)) if i == isolate => {}
                    _ => {
                        return Err(format!(
                            "{} at character {} closes no {}: remove it",
                            char_name(c),
                            at(),
                            if isolate {
                                "isolate (U+2066–U+2068)"
                            } else {
                                "embedding or override (U+202A, U+202B, U+202D, U+202E)"
                            }
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    match open.last() {
        None => Ok(()),
        Some(&(isolate, c, here)) => Err(format!(
            "unpaired bidirectional control {} at character {}: it reverses the text \
             after it; remove it or close it on the same line with {}",
            char_name(c),
            s[..here].chars().count() + 1,
            if isolate { "U+2069" } else { "U+202C" }
        )),
    }
}

/// A character as `U+XXXX` with its name for the ones the rule refuses.
fn char_name(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\u{7}' => " (BEL)",
        '\u{8}' => " (BACKSPACE)",
        '\t' => " (TAB)",
        '\n' => " (LINE FEED)",
        '\r' => " (CARRIAGE RETURN)",
        '\u{1B}' => " (ESC)",
        '\u{7F}' => " (DEL)",
        '\u{2028}' => " (LINE SEPARATOR)",
        '\u{2029}' => " (PARAGRAPH SEPARATOR)",
        '\u{202A}' => " (LEFT-TO-RIGHT EMBEDDING)",
        '\u{202B}' => " (RIGHT-TO-LEFT EMBEDDING)",
        '\u{202C}' => " (POP DIRECTIONAL FORMATTING)",
        '\u{202D}' => " (LEFT-TO-RIGHT OVERRIDE)",
        '\u{202E}' => " (RIGHT-TO-LEFT OVERRIDE)",
        '\u{2066}' => " (LEFT-TO-RIGHT ISOLATE)",
        '\u{2067}' => " (RIGHT-TO-LEFT ISOLATE)",
        '\u{2068}' => " (FIRST STRONG ISOLATE)",
        '\u{2069}' => " (POP DIRECTIONAL ISOLATE)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

/// Characters of a value that [`echo`] shows before cutting it.
pub const ECHO_CHARS: usize = 60;

/// Whether a character must not be shown as itself in a message: controls,
/// and the invisible ones that change how text around them is displayed.
pub(crate) fn hidden(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// Writes `s` with its [`hidden`] characters escaped (`\n`, `\u{1b}`),
/// keeping at most `max` characters of it.
fn escape_into(out: &mut String, s: &str, max: usize) -> bool {
    for (n, c) in s.chars().enumerate() {
        if n == max {
            return false;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    true
}

/// A value from the input quoted for a message: `` `value` ``, its
/// control and invisible characters escaped, cut after [`ECHO_CHARS`]
/// characters (`` `value…` (1234 characters) ``).
pub fn echo(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * ECHO_CHARS) + 2);
    out.push('`');
    if escape_into(&mut out, s, ECHO_CHARS) {
        out.push('`');
    } else {
        out.push_str(&format!("…` ({} characters)", s.chars().count()));
    }
    out
}

/// Text made of input (a message that quotes it) made safe to print:
/// control and invisible characters escaped, at most `max` characters.
pub fn printable(s: &str, max: usize) -> String {
    if s.len() <= max && !s.chars().any(hidden) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len().min(4 * max));
    if !escape_into(&mut out, s, max) {
        out.push('…');
    }
    out
}

/// An error and its sources, `: `-separated, as `archipel` prints an error
/// (anyhow's `{:#}`): "backup.db: No such file or directory (os error 2)".
/// An error whose message repeats its source's shows here as printed.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_chain_says_each_source_after_its_error() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a.db")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(error_chain(&e), "a.db: disk full");
        assert_eq!(error_chain(&std::io::Error::other("alone")), "alone");
    }
    use TextKind::*;

    #[test]
    fn controls_are_refused_except_layout_in_blocks() {
        for ok in ["Médiathèque « Œuvre »", "l’atelier…", "a b", ""] {
            assert_eq!(check_text(ok, Line), Ok(()), "{ok:?}");
        }
        for bad in [
            "a\u{1b}[31mb",
            "bell\u{7}",
            "nul\0",
            "del\u{7f}",
            "c1\u{85}x",
        ] {
            for kind in [Line, Block, Document] {
                let e = check_text(bad, kind).unwrap_err();
                assert!(e.starts_with("control character U+"), "{bad:?}: {e}");
            }
        }
        for layout in ["a\tb", "a\nb", "a\r\nb", "a\rb", "a\u{2028}b"] {
            assert!(check_text(layout, Line)
                .unwrap_err()
                .contains("single line"));
            assert_eq!(check_text(layout, Block), Ok(()), "{layout:?}");
        }
    }

    #[test]
    fn bidi_controls_must_be_paired_on_their_line() {
        let ok = [
            "\u{202E}abc\u{202C}",
            "x \u{2067}שלום\u{2069} y",
            "\u{2066}a\u{202B}b\u{202C}c\u{2069}",
            "\u{200F}\u{200E}", // marks are not controls that need closing
        ];
        for s in ok {
            assert_eq!(check_text(s, Line), Ok(()), "{s:?}");
        }
        let bad = [
            (
                "name\u{202E}gpj.exe",
                "unpaired bidirectional control U+202E",
            ),
            ("\u{2066}open", "unpaired bidirectional control U+2066"),
            (
                "close\u{202C}",
                "U+202C (POP DIRECTIONAL FORMATTING) at character 6 closes no",
            ),
            ("\u{2066}a\u{202C}", "closes no embedding"),
            ("\u{202B}a\u{2069}", "closes no isolate"),
        ];
        for (s, why) in bad {
            let e = check_text(s, Line).unwrap_err();
            assert!(e.contains(why), "{s:?}: {e}");
        }
        // A pair across a line break does not count: display algorithms
        // close everything at the end of a paragraph.
        assert!(check_text("\u{202E}a\nb\u{202C}", Block).is_err());
        let deep = "\u{2066}".repeat(126) + &"\u{2069}".repeat(126);
        assert!(check_text(&deep, Line).unwrap_err().contains("nested"));
    }

    /// The word-at-a-time scan finds what the byte-by-byte one does.
    #[test]
    fn scan_finds_the_first_suspicious_byte() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = [
            b'a', b' ', 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xC2, 0xC3, 0xE1, 0xE2, 0xE3, 0xFF, 0x00,
        ];
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % 4 == 0 {
                        alphabet[(next() % alphabet.len() as u64) as usize]
                    } else {
                        b'a' + (next() % 26) as u8
                    }
                })
                .collect();
            let slow = bytes.iter().position(|&b| suspicious(b));
            assert_eq!(first_suspicious(&bytes), slow, "{bytes:x?}");
        }
    }

    #[test]
    fn sizes_are_bounded_by_kind() {
        let line = "x".repeat(MAX_LINE_BYTES);
        assert_eq!(check_text(&line, Line), Ok(()));
        let e = check_text(&(line.clone() + "x"), Line).unwrap_err();
        assert_eq!(e, "4097 bytes of text, at most 4096 allowed here");
        assert_eq!(check_text(&(line + "x"), Block), Ok(()));
        assert!(check_text(&"x".repeat(MAX_BLOCK_BYTES + 1), Block).is_err());
        assert_eq!(
            check_text(&"x".repeat(MAX_BLOCK_BYTES + 1), Document),
            Ok(())
        );
    }

    #[test]
    fn echo_escapes_and_bounds() {
        assert_eq!(echo("2920"), "`2920`");
        assert_eq!(echo("a\u{1b}[2Jb\n\u{202E}"), "`a\\u{1b}[2Jb\\n\\u{202e}`");
        let long = "é".repeat(1000);
        let e = echo(&long);
        assert!(e.ends_with("…` (1000 characters)"), "{e}");
        assert_eq!(e.chars().filter(|&c| c == 'é').count(), ECHO_CHARS);
        assert_eq!(printable("plain", 10), "plain");
        assert_eq!(printable("ab\u{7}cdef", 4), "ab\\u{7}c…");
    }
}
