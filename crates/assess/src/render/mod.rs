//! Reports for people: text for a terminal, Markdown, self-contained HTML.
//!
//! One layout ([`blocks`]) is built once, in the reader's language, and
//! written out in each format. Every value read from the repository is
//! escaped in Markdown and HTML.

use crate::grid::Lang;
use crate::report::{Assessment, Status};

mod html;
mod layout;
mod markdown;
mod sections;
mod text;
use html::html;
use layout::blocks;
use markdown::markdown;
use text::text;

/// An output format for people (JSON is the [`Assessment`] serialised).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal (80 columns).
    Text,
    /// Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

impl Format {
    /// `text`, `markdown` (or `md`), `html`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(Format::Text),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Met,
    NotMet,
    Unknown,
    NotApplicable,
    Error,
    Warning,
    Info,
    Bullet,
}

impl Mark {
    fn symbol(self) -> &'static str {
        match self {
            Mark::Met => "✓",
            Mark::NotMet => "✗",
            Mark::Unknown => "?",
            Mark::NotApplicable => "–",
            Mark::Error => "‼",
            Mark::Warning => "!",
            Mark::Info => "i",
            Mark::Bullet => "·",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Mark::Met => "met",
            Mark::NotMet => "not-met",
            Mark::Unknown => "unknown",
            Mark::NotApplicable => "na",
            Mark::Error => "error",
            Mark::Warning => "warning",
            Mark::Info => "info",
            Mark::Bullet => "bullet",
        }
    }

    fn of(s: Status) -> Mark {
        match s {
            Status::Met => Mark::Met,
            Status::NotMet => Mark::NotMet,
            Status::Unknown => Mark::Unknown,
            Status::NotApplicable => Mark::NotApplicable,
        }
    }
}

#[derive(Debug, Clone)]
enum Block {
    Title(String),
    Heading(String),
    Sub(String),
    Line(String),
    Item(Mark, String, Vec<String>),
    Meter(f64, String),
}

/// The report for people, in `format` and `lang`.
pub fn render(a: &Assessment, format: Format, lang: Lang) -> String {
    let b = blocks(a, lang);
    match format {
        Format::Text => text(&b),
        Format::Markdown => markdown(&b),
        Format::Html => html(&b, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::html::html_escape;
    use super::markdown::md_escape;
    use super::text::{wrap, WIDTH};

    #[test]
    fn escaping() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'</a>"),
            "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;"
        );
        assert_eq!(md_escape("a*b_[c]|"), "a\\*b\\_\\[c\\]\\|");
    }

    #[test]
    fn wrapping_fits() {
        let mut s = String::new();
        wrap(&"mot ".repeat(60), "  ✓ ", "    ", &mut s);
        assert!(s.lines().all(|l| l.chars().count() <= WIDTH), "{s}");
        assert_eq!(s.lines().count(), 4);
    }
}
