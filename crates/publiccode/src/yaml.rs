//! A small YAML node tree with positions, built from `saphyr-parser` events.
//!
//! Only what the validator needs: scalars keep their raw text and whether
//! they were plain (unquoted), collections keep their items in order, and
//! every node keeps the line and column where it starts. Scalars are
//! resolved with the YAML 1.2 core schema, so `yes`, `no`, `on` and `off`
//! are strings.
//!
//! Loading is bounded: nesting deeper than [`Limits::max_depth`] or more
//! nodes than [`Limits::max_nodes`] (aliases count the nodes they repeat)
//! stop the load with an error instead of using unbounded memory.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;
use std::collections::HashMap;

/// A 1-based line and column. `0:0` means "no position".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it holds.
    pub kind: Kind,
}

/// The three kinds of YAML nodes.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in document order.
    Map(Vec<(Node, Node)>),
}

/// A scalar's text, how it was written and its explicit tag if any.
#[derive(Debug, Clone)]
pub struct Scalar {
    /// The value after unescaping and folding.
    pub value: String,
    /// True when written without quotes and not as a block scalar.
    pub plain: bool,
    /// The explicit tag, as `!!str` or `!custom`, if one was written.
    pub tag: Option<String>,
}

/// What a scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` / `false` (and their capitalised forms only).
    Bool(bool),
    /// An integer.
    Int,
    /// A floating point number.
    Float,
    /// Anything else.
    Str,
}

impl Scalar {
    /// Resolve the scalar with the YAML 1.2 core schema.
    pub fn resolve(&self) -> Resolved {
        if let Some(tag) = &self.tag {
            return match tag.as_str() {
                "!!null" => Resolved::Null,
                "!!bool" => match self.value.as_str() {
                    "true" | "True" | "TRUE" => Resolved::Bool(true),
                    "false" | "False" | "FALSE" => Resolved::Bool(false),
                    _ => Resolved::Str,
                },
                "!!int" => Resolved::Int,
                "!!float" => Resolved::Float,
                _ => Resolved::Str,
            };
        }
        if !self.plain {
            return Resolved::Str;
        }
        resolve_plain(&self.value)
    }
}

fn resolve_plain(v: &str) -> Resolved {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Resolved::Float,
        _ => {}
    }
    let b = v.as_bytes();
    if let Some(rest) = v.strip_prefix("0o") {
        if !rest.is_empty() && rest.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            return Resolved::Int;
        }
    }
    if let Some(rest) = v.strip_prefix("0x") {
        if !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Resolved::Int;
        }
    }
    let digits = match b.first() {
        Some(b'-') | Some(b'+') => &b[1..],
        _ => b,
    };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        return Resolved::Int;
    }
    if is_float(digits) {
        return Resolved::Float;
    }
    Resolved::Str
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(s: &[u8]) -> bool {
    let mut i = 0;
    let int_digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'-') | Some(b'+')) {
            i += 1;
        }
        let exp = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == s.len()
}

impl Node {
    /// The scalar, if this node is one.
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// True for a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.resolve() == Resolved::Null)
    }

    /// A short English description of what the node is, for messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
            Kind::Scalar(s) => match s.resolve() {
                Resolved::Null => "nothing",
                Resolved::Bool(_) => "a boolean",
                Resolved::Int => "an integer",
                Resolved::Float => "a number",
                Resolved::Str => "a string",
            },
        }
    }

    /// The key node and value of `key` in a mapping (first occurrence).
    pub fn get_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Scalar(s) if s.value == key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }
}

/// Bounds on what a load may build.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of collections allowed.
    pub max_depth: usize,
    /// Most nodes allowed, counting those repeated by aliases.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_nodes: 500_000,
        }
    }
}

/// Why a load failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The text is not valid YAML.
    Syntax {
        /// Where the parser stopped.
        pos: Pos,
        /// The parser's own explanation (English, from the library).
        detail: String,
    },
    /// There is no document, or only an empty one.
    Empty,
    /// Nesting is deeper than allowed.
    TooDeep {
        /// Where the limit was crossed.
        pos: Pos,
        /// The limit.
        limit: usize,
    },
    /// More nodes than allowed.
    TooManyNodes {
        /// Where the limit was crossed.
        pos: Pos,
        /// The limit.
        limit: usize,
    },
    /// An alias refers to an anchor that was not defined before it.
    UnknownAnchor {
        /// Where the alias is.
        pos: Pos,
    },
}

/// A loaded document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The root node of the first document.
    pub root: Node,
    /// True when the stream has more than one document (only the first is read).
    pub more_documents: bool,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'s> {
    src: &'s str,
    line_starts: Option<Vec<usize>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    limits: Limits,
    root: Option<Node>,
    /// Node count of each open frame (to know an anchored collection's size).
    counts: Vec<usize>,
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

fn tag_text(tag: &Option<Cow<'_, saphyr_parser::Tag>>) -> Option<String> {
    tag.as_ref().map(|t| {
        if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" {
            format!("!!{}", t.suffix)
        } else {
            format!("{}{}", t.handle, t.suffix)
        }
    })
}

impl<'s> Builder<'s> {
    fn count(&mut self, n: usize, pos: Pos) -> Result<(), LoadError> {
        self.nodes = self.nodes.saturating_add(n);
        for c in self.counts.iter_mut() {
            *c = c.saturating_add(n);
        }
        if self.nodes > self.limits.max_nodes {
            return Err(LoadError::TooManyNodes {
                pos,
                limit: self.limits.max_nodes,
            });
        }
        Ok(())
    }

    fn push_frame(&mut self, frame: Frame, pos: Pos) -> Result<(), LoadError> {
        self.count(1, pos)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(LoadError::TooDeep {
                pos,
                limit: self.limits.max_depth,
            });
        }
        self.stack.push(frame);
        self.counts.push(1);
        Ok(())
    }

    fn finish_node(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    /// For block scalars the parser reports where the content starts; YAML
    /// users (and the reference validator) point at the `|` or `>` header.
    fn block_header_pos(&mut self, content: Pos) -> Pos {
        let src = self.src;
        let starts = self.line_starts.get_or_insert_with(|| {
            let mut v = vec![0];
            v.extend(src.match_indices('\n').map(|(i, _)| i + 1));
            v
        });
        let mut line = content.line;
        while line > 1 {
            line -= 1;
            let Some(&start) = starts.get(line - 1) else {
                break;
            };
            let end = starts.get(line).map_or(src.len(), |e| e.saturating_sub(1));
            let Some(text) = src.get(start..end) else {
                break;
            };
            let text = strip_comment(text).trim_end();
            if text.trim().is_empty() {
                continue;
            }
            let token_start = text.rfind([' ', '\t']).map_or(0, |i| i + 1);
            let token = &text[token_start..];
            if token.starts_with('|') || token.starts_with('>') {
                let column = text[..token_start].chars().count() + 1;
                return Pos { line, column };
            }
            break;
        }
        content
    }
}

fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c == ' ' || c == '\t';
    }
    line
}

/// Parse `src` and build the tree of its first document.
pub fn load(src: &str, limits: Limits) -> Result<Document, LoadError> {
    let mut parser = Parser::new_from_str(src);
    let mut b = Builder {
        src,
        line_starts: None,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        limits,
        root: None,
        counts: Vec::new(),
    };
    let mut seen_document = false;
    let mut more_documents = false;
    while let Some(item) = parser.next_event() {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                if seen_document && b.root.is_some() && b.stack.is_empty() {
                    // A problem after the first document: only the first is read.
                    more_documents = true;
                    break;
                }
                return Err(LoadError::Syntax {
                    pos: Pos {
                        line: e.marker().line(),
                        column: e.marker().col() + 1,
                    },
                    detail: e.info().to_string(),
                });
            }
        };
        let pos = pos_of(&span);
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if seen_document {
                    more_documents = true;
                    break;
                }
                seen_document = true;
            }
            Event::DocumentEnd => {}
            Event::Alias(id) => {
                let Some((node, size)) = b.anchors.get(&id).map(|(n, s)| (n.clone(), *s)) else {
                    return Err(LoadError::UnknownAnchor { pos });
                };
                b.count(size, pos)?;
                let node = Node { pos, ..node };
                b.finish_node(node, 0, size);
            }
            Event::Scalar(value, style, anchor, tag) => {
                b.count(1, pos)?;
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                let pos = if block { b.block_header_pos(pos) } else { pos };
                let node = Node {
                    pos,
                    kind: Kind::Scalar(Scalar {
                        value: value.into_owned(),
                        plain: style == ScalarStyle::Plain,
                        tag: tag_text(&tag),
                    }),
                };
                b.finish_node(node, anchor, 1);
            }
            Event::SequenceStart(anchor, _) => {
                b.push_frame(
                    Frame::Seq {
                        pos,
                        anchor,
                        items: Vec::new(),
                    },
                    pos,
                )?;
            }
            Event::MappingStart(anchor, _) => {
                b.push_frame(
                    Frame::Map {
                        pos,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    },
                    pos,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let size = b.counts.pop().unwrap_or(1);
                let Some(frame) = b.stack.pop() else {
                    continue;
                };
                let (node, anchor) = match frame {
                    Frame::Seq { pos, anchor, items } => (
                        Node {
                            pos,
                            kind: Kind::Seq(items),
                        },
                        anchor,
                    ),
                    Frame::Map {
                        pos,
                        anchor,
                        entries,
                        ..
                    } => (
                        Node {
                            pos,
                            kind: Kind::Map(entries),
                        },
                        anchor,
                    ),
                };
                b.finish_node(node, anchor, size);
            }
        }
    }
    match b.root {
        Some(root) if !root.is_null() => Ok(Document {
            root,
            more_documents,
        }),
        _ => Err(LoadError::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        for (v, r) in [
            ("yes", Resolved::Str),
            ("no", Resolved::Str),
            ("on", Resolved::Str),
            ("off", Resolved::Str),
            ("true", Resolved::Bool(true)),
            ("False", Resolved::Bool(false)),
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("12", Resolved::Int),
            ("-12", Resolved::Int),
            ("0x1F", Resolved::Int),
            ("1.5", Resolved::Float),
            ("1e3", Resolved::Float),
            (".5", Resolved::Float),
            ("2017-04-15", Resolved::Str),
            ("1.2.3", Resolved::Str),
        ] {
            assert_eq!(resolve_plain(v), r, "{v}");
        }
    }

    #[test]
    fn positions() {
        let doc = load(
            "a: 1\nlist:\n  - name: x\n    until: 2\nf: >\n  text\n",
            Limits::default(),
        )
        .expect("valid yaml");
        let list = doc.root.get_entry("list").expect("list").1;
        assert_eq!(list.pos, Pos { line: 3, column: 3 });
        let Kind::Seq(items) = &list.kind else {
            panic!("not a list")
        };
        assert_eq!(items[0].pos, Pos { line: 3, column: 5 });
        let f = doc.root.get_entry("f").expect("f").1;
        assert_eq!(f.pos, Pos { line: 5, column: 4 });
    }

    #[test]
    fn limits() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(matches!(
            load(&deep, Limits::default()),
            Err(LoadError::TooDeep { .. })
        ));
        let block: String = (0..100).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(matches!(
            load(&block, Limits::default()),
            Err(LoadError::TooDeep { .. })
        ));
        // The parser has its own bound on flow nesting.
        assert!(load(&"[".repeat(100_000), Limits::default()).is_err());
        let bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
        assert!(matches!(
            load(bomb, Limits::default()),
            Err(LoadError::TooManyNodes { .. })
        ));
        assert!(matches!(load("", Limits::default()), Err(LoadError::Empty)));
        assert!(matches!(
            load("# just a comment\n", Limits::default()),
            Err(LoadError::Empty)
        ));
    }
}
