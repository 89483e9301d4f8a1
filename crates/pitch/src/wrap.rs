//! Line breaking, for the terminal (characters) and the PDF (font metrics).

/// Breaks `text` into lines no wider than `max` as measured by `width`,
/// at spaces (a no-break space never breaks). A word wider than `max`
/// stands on its own line. Line breaks in `text` are kept.
pub(crate) fn wrap_with(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if line.is_empty() {
                line.push_str(word);
                continue;
            }
            let candidate = format!("{line} {word}");
            if width(&candidate) <= max {
                line = candidate;
            } else {
                out.push(std::mem::take(&mut line));
                line.push_str(word);
            }
        }
        out.push(line);
    }
    out
}

/// Breaks `text` into lines of at most `max` characters.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    wrap_with(text, max as f32, &|s: &str| s.chars().count() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_keeps_no_break_spaces() {
        let lines = wrap("un deux trois quatre\u{a0}: cinq", 12);
        assert_eq!(lines, vec!["un deux", "trois", "quatre\u{a0}:", "cinq"]);
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(
            wrap("anticonstitutionnellement x", 5)[0],
            "anticonstitutionnellement"
        );
    }
}
