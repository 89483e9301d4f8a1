//! Decoding mappings into structures: the state of a run, wrong types,
//! unknown and duplicate keys, and where rule findings are gathered.

use super::path::{line_keys, locate, Path, Seg};
use crate::data;
use crate::yaml::{Kind, Node, Resolved};
use crate::{Finding, NetCheck, NetKind, Options, Severity};
use std::collections::{HashMap, HashSet};

/// Shared state of one validation run.
pub(crate) struct Cx<'a> {
    pub root: &'a Node,
    pub opts: &'a Options,
    /// Decoding findings: wrong types, unknown and duplicate keys.
    pub decoding: Vec<Finding>,
    pub net: Vec<NetCheck>,
    line_keys: Option<HashMap<usize, String>>,
    rule_findings: std::cell::Cell<usize>,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(root: &'a Node, opts: &'a Options) -> Self {
        Cx {
            root,
            opts,
            decoding: Vec::new(),
            net: Vec::new(),
            line_keys: None,
            rule_findings: std::cell::Cell::new(0),
        }
    }

    /// Remember a check for the end, if the network checks will run.
    pub(super) fn net_push(&mut self, path: &Path, url: &str, kind: NetKind) {
        if self.opts.network {
            self.net.push(NetCheck {
                key: path.render(),
                url: url.to_string(),
                kind,
                path: path.clone(),
            });
        }
    }

    pub(super) fn type_error(&mut self, node: &Node, expected: &str) {
        if self.decoding.len() > self.opts.max_findings {
            return;
        }
        let root = self.root;
        let keys = self.line_keys.get_or_insert_with(|| line_keys(root));
        let key = keys.get(&node.pos.line).cloned().unwrap_or_default();
        self.decoding.push(Finding {
            severity: Severity::Error,
            key,
            line: node.pos.line,
            column: 1,
            message: format!("wrong type: expected {expected}, found {}", node.describe()),
        });
    }

    /// False once far more findings were made than a report keeps: the
    /// rest are not worth locating (a huge file could make that slow).
    fn room(&self) -> bool {
        let n = self.rule_findings.get() + 1;
        self.rule_findings.set(n);
        n <= self.opts.max_findings + 1
    }

    fn finding(&self, severity: Severity, path: &Path, message: String) -> Finding {
        let pos = locate(self.root, path);
        Finding {
            severity,
            key: path.render(),
            line: pos.line,
            column: pos.column,
            message,
        }
    }
}

/// Findings of rules, gathered per structure so that a structure left out
/// because of a wrong type does not report rules about its content.
pub(super) type Out = Vec<Finding>;

pub(super) fn error(cx: &Cx, out: &mut Out, path: &Path, message: impl Into<String>) {
    if cx.room() {
        out.push(cx.finding(Severity::Error, path, message.into()));
    }
}

pub(super) fn warning(cx: &Cx, out: &mut Out, path: &Path, message: impl Into<String>) {
    if cx.room() {
        out.push(cx.finding(Severity::Warning, path, message.into()));
    }
}

pub(super) fn decode_str(node: &Node) -> Result<Option<String>, ()> {
    match &node.kind {
        Kind::Scalar(s) if s.resolve() == Resolved::Null => Ok(None),
        Kind::Scalar(s) => Ok(Some(s.value.clone())),
        _ => Err(()),
    }
}

/// A mapping being decoded into a structure.
pub(super) struct Obj<'n> {
    entries: &'n [(Node, Node)],
    pub(super) path: Path,
    /// Wrong-type values met directly in this structure.
    errors: usize,
    /// Rule findings of nested structures, kept if this one is kept.
    pub(super) pending: Out,
}

impl<'n> Obj<'n> {
    pub(super) fn open(cx: &mut Cx, node: Option<&'n Node>, path: Path) -> Obj<'n> {
        let mut obj = Obj {
            entries: &[],
            path,
            errors: 0,
            pending: Vec::new(),
        };
        if let Some(node) = node {
            match &node.kind {
                Kind::Map(entries) => obj.entries = entries,
                _ if node.is_null() => {}
                _ => {
                    cx.type_error(node, "a mapping");
                    obj.errors += 1;
                }
            }
        }
        obj
    }

    pub(super) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.kind, Kind::Scalar(s) if s.value == key))
            .map(|(_, v)| v)
    }

    pub(super) fn str(&mut self, cx: &mut Cx, key: &str) -> Option<String> {
        let node = self.get(key)?;
        match decode_str(node) {
            Ok(v) => v,
            Err(()) => {
                cx.type_error(node, "a string");
                self.errors += 1;
                None
            }
        }
    }

    pub(super) fn bool(&mut self, cx: &mut Cx, key: &str) -> Option<bool> {
        let node = self.get(key)?;
        match &node.kind {
            Kind::Scalar(s) => match s.resolve() {
                Resolved::Null => None,
                Resolved::Bool(b) => Some(b),
                _ => {
                    cx.type_error(node, "true or false");
                    self.errors += 1;
                    None
                }
            },
            _ => {
                cx.type_error(node, "true or false");
                self.errors += 1;
                None
            }
        }
    }

    /// The items of a list, `None` when absent or null.
    pub(super) fn list(&mut self, cx: &mut Cx, key: &str) -> Option<&'n [Node]> {
        let node = self.get(key)?;
        match &node.kind {
            Kind::Seq(items) => Some(items),
            _ if node.is_null() => None,
            _ => {
                cx.type_error(node, "a list");
                self.errors += 1;
                None
            }
        }
    }

    /// A list of strings, each with its index in the file.
    pub(super) fn str_list(&mut self, cx: &mut Cx, key: &str) -> Vec<(usize, String)> {
        let Some(items) = self.list(cx, key) else {
            return Vec::new();
        };
        self.strings(cx, items)
    }

    pub(super) fn strings(&mut self, cx: &mut Cx, items: &[Node]) -> Vec<(usize, String)> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match decode_str(item) {
                Ok(Some(s)) => out.push((i, s)),
                Ok(None) => out.push((i, String::new())),
                Err(()) => {
                    cx.type_error(item, "a string");
                    self.errors += 1;
                }
            }
        }
        out
    }

    /// Report keys this structure does not know, and repeated keys.
    pub(super) fn finish(&self, cx: &mut Cx, known: &[&str]) {
        let mut seen: HashSet<&str> = HashSet::new();
        let small = self.entries.len() <= 16;
        for (i, (k, _)) in self.entries.iter().enumerate() {
            let Some(name) = k.scalar().map(|s| s.value.as_str()) else {
                cx.decoding.push(Finding {
                    severity: Severity::Error,
                    key: self.path.render(),
                    line: k.pos.line,
                    column: k.pos.column,
                    message: "keys must be plain strings, not lists or mappings".into(),
                });
                continue;
            };
            if cx.decoding.len() > cx.opts.max_findings {
                // The report is cut there anyway: spare the work.
                return;
            }
            let repeated = if small {
                self.entries[..i]
                    .iter()
                    .any(|(p, _)| p.scalar().is_some_and(|s| s.value == name))
            } else {
                !seen.insert(name)
            };
            let known_key = known.contains(&name);
            if !repeated && known_key {
                continue;
            }
            let path = self.path.key(name.to_string());
            if repeated {
                cx.decoding.push(Finding {
                    severity: Severity::Error,
                    key: path.render(),
                    line: k.pos.line,
                    column: k.pos.column,
                    message: format!("key `{name}` appears more than once in this mapping; only the first one is read"),
                });
                continue;
            }
            if !known_key {
                let parent = match self.path.0.last() {
                    Some(Seg::Key(k)) => k.as_ref(),
                    _ => "",
                };
                let hint = data::removed_key(parent, name).map(|advice| format!(": {advice}"));
                let hint = hint.unwrap_or_else(|| {
                    known
                        .iter()
                        .map(|c| {
                            (
                                edit_distance(&c.to_ascii_lowercase(), &name.to_ascii_lowercase()),
                                c,
                            )
                        })
                        .filter(|(d, _)| *d <= 2)
                        .min_by_key(|(d, _)| *d)
                        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default()
                });
                cx.decoding.push(Finding {
                    severity: Severity::Error,
                    key: path.render(),
                    line: k.pos.line,
                    column: k.pos.column,
                    message: format!("`{name}` is not a key the standard defines here{hint}"),
                });
            }
        }
    }

    pub(super) fn dropped(&self) -> bool {
        self.errors > 0
    }
}

/// Levenshtein distance, for "did you mean" hints (short strings only).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
