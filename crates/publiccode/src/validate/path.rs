//! Key paths, and where a finding about one is placed in the file.

use crate::yaml::{Kind, Node, Pos};
use std::borrow::Cow;
use std::collections::HashMap;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// A key path from the root of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Path(pub(super) Vec<Seg>);

impl Path {
    pub(crate) fn key(&self, k: impl Into<Cow<'static, str>>) -> Path {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend(self.0.iter().cloned());
        v.push(Seg::Key(k.into()));
        Path(v)
    }

    pub(crate) fn index(&self, i: usize) -> Path {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend(self.0.iter().cloned());
        v.push(Seg::Index(i));
        Path(v)
    }

    /// `maintenance.contractors[0].until`; keys that are not plain words
    /// are bracketed: `description[en-GB].features`.
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            push_seg(&mut s, seg);
        }
        s
    }
}

fn push_seg(s: &mut String, seg: &Seg) {
    match seg {
        Seg::Key(k) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()) => {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(k);
        }
        Seg::Key(k) => {
            s.push('[');
            s.push_str(k);
            s.push(']');
        }
        Seg::Index(i) => {
            s.push('[');
            s.push_str(&i.to_string());
            s.push(']');
        }
    }
}

/// Where a finding about `path` goes (see the module documentation).
pub(crate) fn locate(root: &Node, path: &Path) -> Pos {
    let mut node = root;
    let n = path.0.len();
    for (i, seg) in path.0.iter().enumerate() {
        let last = i + 1 == n;
        let next = match seg {
            Seg::Key(k) => match node.get_entry(k) {
                Some((key, value)) => {
                    if last {
                        return key.pos;
                    }
                    Some(value)
                }
                None => None,
            },
            Seg::Index(j) => match &node.kind {
                Kind::Seq(items) => items.get(*j),
                _ => None,
            },
        };
        match next {
            Some(child) if last => return child.pos,
            Some(child) => node = child,
            None if last => return node.pos,
            None => return Pos::default(),
        }
    }
    node.pos
}

/// The first key path found on each line, in document order.
pub(super) fn line_keys(root: &Node) -> HashMap<usize, String> {
    fn walk(node: &Node, path: &str, map: &mut HashMap<usize, String>) {
        match &node.kind {
            Kind::Map(entries) => {
                for (k, v) in entries {
                    let mut p = path.to_string();
                    let name = k.scalar().map(|s| s.value.clone()).unwrap_or_default();
                    push_seg(&mut p, &Seg::Key(Cow::Owned(name)));
                    map.entry(k.pos.line).or_insert_with(|| p.clone());
                    if !matches!(v.kind, Kind::Scalar(_)) {
                        walk(v, &p, map);
                    }
                }
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.to_string();
                    push_seg(&mut p, &Seg::Index(i));
                    map.entry(item.pos.line).or_insert_with(|| p.clone());
                    if !matches!(item.kind, Kind::Scalar(_)) {
                        walk(item, &p, map);
                    }
                }
            }
            Kind::Scalar(_) => {}
        }
    }
    let mut map = HashMap::new();
    walk(root, "", &mut map);
    map
}
