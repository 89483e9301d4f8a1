//! Decoding the YAML tree into typed values, and the rules of the standard.
//!
//! How findings are placed (kept compatible with the reference validator):
//! - A value of the wrong YAML type is reported at its own line, column 1,
//!   under the key path found on that line. The structure holding it is
//!   then left out (its other rules are not checked), since its content
//!   cannot be trusted; a list item or description language holding it is
//!   dropped from its list or map.
//! - Every other finding is placed at its key (or list item) when it is in
//!   the file; a missing key is placed at the mapping that should hold it,
//!   and at `0:0` when that mapping is missing too.

use crate::checks;
use crate::data;
use crate::files::{self, FileProblem, Reference};
use crate::model::*;
use crate::yaml::{Kind, Node, Pos, Resolved};
use crate::{Finding, NetCheck, NetKind, Options, Severity};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// A key path from the root of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Path(Vec<Seg>);

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
fn line_keys(root: &Node) -> HashMap<usize, String> {
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
    fn net_push(&mut self, path: &Path, url: &str, kind: NetKind) {
        if self.opts.network {
            self.net.push(NetCheck {
                key: path.render(),
                url: url.to_string(),
                kind,
                path: path.clone(),
            });
        }
    }

    fn type_error(&mut self, node: &Node, expected: &str) {
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
type Out = Vec<Finding>;

fn error(cx: &Cx, out: &mut Out, path: &Path, message: impl Into<String>) {
    if cx.room() {
        out.push(cx.finding(Severity::Error, path, message.into()));
    }
}

fn warning(cx: &Cx, out: &mut Out, path: &Path, message: impl Into<String>) {
    if cx.room() {
        out.push(cx.finding(Severity::Warning, path, message.into()));
    }
}

fn decode_str(node: &Node) -> Result<Option<String>, ()> {
    match &node.kind {
        Kind::Scalar(s) if s.resolve() == Resolved::Null => Ok(None),
        Kind::Scalar(s) => Ok(Some(s.value.clone())),
        _ => Err(()),
    }
}

/// A mapping being decoded into a structure.
struct Obj<'n> {
    entries: &'n [(Node, Node)],
    path: Path,
    /// Wrong-type values met directly in this structure.
    errors: usize,
    /// Rule findings of nested structures, kept if this one is kept.
    pending: Out,
}

impl<'n> Obj<'n> {
    fn open(cx: &mut Cx, node: Option<&'n Node>, path: Path) -> Obj<'n> {
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

    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.kind, Kind::Scalar(s) if s.value == key))
            .map(|(_, v)| v)
    }

    fn str(&mut self, cx: &mut Cx, key: &str) -> Option<String> {
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

    fn bool(&mut self, cx: &mut Cx, key: &str) -> Option<bool> {
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
    fn list(&mut self, cx: &mut Cx, key: &str) -> Option<&'n [Node]> {
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
    fn str_list(&mut self, cx: &mut Cx, key: &str) -> Vec<(usize, String)> {
        let Some(items) = self.list(cx, key) else {
            return Vec::new();
        };
        self.strings(cx, items)
    }

    fn strings(&mut self, cx: &mut Cx, items: &[Node]) -> Vec<(usize, String)> {
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
    fn finish(&self, cx: &mut Cx, known: &[&str]) {
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

    fn dropped(&self) -> bool {
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

fn required_str(cx: &Cx, out: &mut Out, path: &Path, v: &Option<String>) -> bool {
    match v {
        Some(s) if !s.is_empty() => true,
        _ => {
            error(cx, out, path, "this key is required and must not be empty");
            false
        }
    }
}

fn one_of(cx: &Cx, out: &mut Out, path: &Path, v: &str, allowed: &[&str]) {
    if !allowed.contains(&v) {
        error(
            cx,
            out,
            path,
            format!(
                "`{v}` is not one of the accepted values: {}",
                allowed.join(", ")
            ),
        );
    }
}

fn http_url(cx: &mut Cx, out: &mut Out, path: &Path, v: &str) {
    if checks::is_http_url(v) {
        cx.net_push(path, v, NetKind::Reachable);
    } else {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid http or https URL"),
        );
    }
}

fn max_len(cx: &Cx, out: &mut Out, path: &Path, v: &str, max: usize) {
    if checks::longer_than(v, max) {
        let n = checks::graphemes(v);
        error(
            cx,
            out,
            path,
            format!("too long: {n} characters, at most {max} are allowed"),
        );
    }
}

fn uri_with_ipa(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if !checks::is_uri(v) {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid URI (it needs a scheme, as in `https://…` or `urn:…`)"),
        );
        return;
    }
    if let Some(code) = checks::italian_pa_code(v) {
        ipa_code(cx, out, path, code);
    }
}

/// Check an iPA code: its syntax, then that the index holds it (the list
/// of [`Options::ipa_codes`], or the built-in one). True when it passes.
fn ipa_code(cx: &Cx, out: &mut Out, path: &Path, code: &str) -> bool {
    if !checks::is_ipa_code_syntax(code) {
        error(
            cx,
            out,
            path,
            format!(
                "`{code}` is not a valid code of the Italian public administration index (iPA)"
            ),
        );
        return false;
    }
    let known = match &cx.opts.ipa_codes {
        Some(codes) => codes.contains(&code.to_ascii_lowercase()),
        None => data::is_builtin_ipa_code(code),
    };
    if !known {
        error(
            cx,
            out,
            path,
            format!("`{code}` is not in the Italian public administration index (iPA)"),
        );
    }
    known
}

/// Logo-like references: extension, scheme, then the local file.
fn image_ref(
    cx: &mut Cx,
    out: &mut Out,
    path: &Path,
    v: &str,
    extensions: &'static [&'static str],
) {
    if let Err(FileProblem::Extension(allowed)) = files::check_extension(v, extensions) {
        error(
            cx,
            out,
            path,
            format!("unsupported file type: use one of {}", allowed.join(", ")),
        );
        return;
    }
    file_ref(cx, out, path, v);
}

fn file_ref(cx: &mut Cx, out: &mut Out, path: &Path, v: &str) {
    match files::classify(v) {
        Ok(Reference::Remote(url)) => cx.net_push(path, url, NetKind::Reachable),
        Ok(Reference::Relative(rel)) => {
            if let Some(base) = &cx.opts.base_dir {
                if let Err(p) = files::check_local(base, rel) {
                    error(cx, out, path, file_problem(&p, v));
                }
            }
        }
        Err(p) => error(cx, out, path, file_problem(&p, v)),
    }
}

fn file_problem(p: &FileProblem, v: &str) -> String {
    match p {
        FileProblem::BadScheme(s) => format!(
            "`{v}` uses the `{s}:` scheme; give an http(s) URL or a path relative to the repository root"
        ),
        FileProblem::Absolute => format!(
            "`{v}` is an absolute path; give a path relative to the repository root or an http(s) URL"
        ),
        FileProblem::Extension(allowed) => {
            format!("unsupported file type: use one of {}", allowed.join(", "))
        }
        FileProblem::Missing => format!("`{v}` does not exist next to this publiccode.yml"),
        FileProblem::NotAFile => format!("`{v}` is a folder, not a file"),
        FileProblem::NotPng => format!("`{v}` is not a valid PNG image"),
        FileProblem::Unreadable(e) => format!("`{v}` cannot be read: {e}"),
    }
}

fn country(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if data::is_country(v) {
        return;
    }
    let upper = v.to_ascii_uppercase();
    if v.chars().all(|c| c.is_ascii_lowercase()) && data::is_country(&upper) {
        warning(
            cx,
            out,
            path,
            format!("lowercase country codes are deprecated: write `{upper}`"),
        );
    } else {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not an ISO 3166-1 alpha-2 country code (two uppercase letters, as `IT` or `FR`)"),
        );
    }
}

fn language(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if !checks::is_language_tag(v) {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid BCP 47 language tag (as `en`, `fr` or `pt-BR`)"),
        );
    }
}

fn deprecated(cx: &Cx, out: &mut Out, path: &Path, advice: &str) {
    warning(cx, out, path, format!("this key is deprecated; {advice}"));
}

/// Decode and check the whole document. The version has been checked.
pub(crate) fn document(cx: &mut Cx, version: String) -> PublicCode {
    let root = cx.root;
    let path = Path::default();
    let mut o = Obj::open(cx, Some(root), path.clone());
    let mut pc = PublicCode {
        publiccode_yml_version: version,
        ..PublicCode::default()
    };

    pc.name = o.str(cx, "name");
    pc.application_suite = o.str(cx, "applicationSuite");
    pc.url = o.str(cx, "url");
    pc.landing_url = o.str(cx, "landingURL");
    let is_based_on: Vec<(Option<usize>, String)> = match o.get("isBasedOn") {
        None => Vec::new(),
        Some(n) => match &n.kind {
            Kind::Seq(items) => o
                .strings(cx, items)
                .into_iter()
                .map(|(i, s)| (Some(i), s))
                .collect(),
            Kind::Scalar(_) => decode_str(n)
                .ok()
                .flatten()
                .map(|s| (None, s))
                .into_iter()
                .collect(),
            Kind::Map(_) => {
                cx.type_error(n, "a URL or a list of URLs");
                Vec::new()
            }
        },
    };
    pc.software_version = o.str(cx, "softwareVersion");
    pc.release_date = o.str(cx, "releaseDate");
    pc.logo = o.str(cx, "logo");
    pc.monochrome_logo = o.str(cx, "monochromeLogo");
    let input_types = o.str_list(cx, "inputTypes");
    let output_types = o.str_list(cx, "outputTypes");
    let platforms = match o.get("platforms") {
        Some(_) => o.str_list(cx, "platforms"),
        None => Vec::new(),
    };
    let categories = o.str_list(cx, "categories");
    let used_by = o.str_list(cx, "usedBy");
    pc.roadmap = o.str(cx, "roadmap");
    pc.development_status = o.str(cx, "developmentStatus");
    pc.software_type = o.str(cx, "softwareType");

    let mut out: Out = Vec::new();

    // supports
    if let Some(items) = o.list(cx, "supports") {
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = support(cx, &mut out, item, path.key("supports").index(i)) {
                pc.supports.push(s);
            }
        }
    }
    pc.intended_audience = intended_audience(
        cx,
        &mut out,
        o.get("intendedAudience"),
        path.key("intendedAudience"),
    );
    pc.description = description(cx, &mut out, o.get("description"), path.key("description"));
    pc.legal = legal(cx, &mut out, o.get("legal"), path.key("legal"));
    pc.maintenance = maintenance(cx, &mut out, o.get("maintenance"), path.key("maintenance"));
    pc.localisation = localisation(
        cx,
        &mut out,
        o.get("localisation"),
        path.key("localisation"),
    );
    pc.depends_on = depends_on(cx, &mut out, o.get("dependsOn"), path.key("dependsOn"));
    if let Some(n) = o.get("organisation") {
        pc.organisation = organisation(cx, &mut out, n, path.key("organisation"));
    }
    if let Some(items) = o.list(cx, "fundedBy") {
        for (i, item) in items.iter().enumerate() {
            if let Some(f) = funder(cx, &mut out, item, path.key("fundedBy").index(i)) {
                pc.funded_by.push(f);
            }
        }
    }
    let upper_it = o.get("IT");
    let lower_it = o.get("it");
    // The whole section is deprecated since 0.7; the reference validator
    // does not say so yet (its own warning is about the lowercase key).
    const IT_SECTION: &str = "the Italian section is deprecated since publiccode.yml 0.7 and goes away in 1.0: declare platforms and regulations under `supports` and the publishing administration in `organisation`";
    if upper_it.is_some() && lower_it.is_none() {
        warning(cx, &mut out, &path.key("IT"), IT_SECTION);
    }
    if lower_it.is_some() {
        let p = path.key("it");
        warning(
            cx,
            &mut out,
            &p,
            format!("lowercase country sections are deprecated: write `IT`; besides, {IT_SECTION}"),
        );
        if upper_it.is_some() {
            error(
                cx,
                &mut out,
                &p,
                "`it` and `IT` are the same section: keep only `IT`",
            );
        }
    }
    if let Some(n) = upper_it {
        pc.it = italian(cx, &mut out, n, path.key("IT"));
    } else if let Some(n) = lower_it {
        pc.it = italian(cx, &mut out, n, path.key("it"));
    }

    o.finish(
        cx,
        &[
            "publiccodeYmlVersion",
            "name",
            "applicationSuite",
            "url",
            "landingURL",
            "isBasedOn",
            "softwareVersion",
            "releaseDate",
            "logo",
            "monochromeLogo",
            "inputTypes",
            "outputTypes",
            "platforms",
            "categories",
            "usedBy",
            "roadmap",
            "developmentStatus",
            "softwareType",
            "supports",
            "intendedAudience",
            "description",
            "legal",
            "maintenance",
            "localisation",
            "dependsOn",
            "organisation",
            "fundedBy",
            "IT",
            "it",
        ],
    );

    // Rules of the top-level keys.
    let p = |k: &'static str| path.key(k);
    required_str(cx, &mut out, &p("name"), &pc.name);
    if required_str(cx, &mut out, &p("url"), &pc.url) {
        if let Some(u) = &pc.url {
            if checks::is_url(u) {
                cx.net_push(&p("url"), u, NetKind::Reachable);
            } else {
                error(
                    cx,
                    &mut out,
                    &p("url"),
                    format!("`{u}` is not a valid URL of a source code repository"),
                );
            }
        }
    }
    if let Some(u) = &pc.landing_url {
        http_url(cx, &mut out, &p("landingURL"), u);
    }
    for (i, u) in &is_based_on {
        let ip = match i {
            Some(i) => p("isBasedOn").index(*i),
            None => p("isBasedOn"),
        };
        if !checks::is_url(u) {
            error(cx, &mut out, &ip, format!("`{u}` is not a valid URL"));
        }
    }
    pc.is_based_on = is_based_on.into_iter().map(|(_, s)| s).collect();
    if let Some(d) = &pc.release_date {
        if !checks::is_date(d) {
            error(
                cx,
                &mut out,
                &p("releaseDate"),
                format!("`{d}` is not a date written as YYYY-MM-DD"),
            );
        }
    } else if o.get("releaseDate").is_some_and(|n| !n.is_null()) {
        // wrong type, already reported
    }
    const LOGO_EXTENSIONS: &[&str] = &["svg", "svgz", "png"];
    if let Some(l) = pc.logo.clone().filter(|l| !l.is_empty()) {
        image_ref(cx, &mut out, &p("logo"), &l, LOGO_EXTENSIONS);
    }
    if let Some(l) = pc.monochrome_logo.clone().filter(|l| !l.is_empty()) {
        deprecated(cx, &mut out, &p("monochromeLogo"), "use `logo` only");
        image_ref(cx, &mut out, &p("monochromeLogo"), &l, LOGO_EXTENSIONS);
    }
    for (key, list) in [("inputTypes", &input_types), ("outputTypes", &output_types)] {
        if !list.is_empty() {
            deprecated(
                cx,
                &mut out,
                &p(key),
                "drop it, media types of inputs and outputs are no longer part of the standard",
            );
        }
        for (i, t) in list {
            if !checks::is_media_type(t) {
                error(
                    cx,
                    &mut out,
                    &p(key).index(*i),
                    format!("`{t}` is not a media type (MIME type) such as `text/plain`"),
                );
            }
        }
    }
    pc.input_types = input_types.into_iter().map(|(_, s)| s).collect();
    pc.output_types = output_types.into_iter().map(|(_, s)| s).collect();
    if platforms.is_empty() {
        error(
            cx,
            &mut out,
            &p("platforms"),
            "this key is required: list at least one platform (as `web`, `linux`, `android`)",
        );
    }
    pc.platforms = platforms.into_iter().map(|(_, s)| s).collect();
    for (i, c) in &categories {
        if !data::CATEGORIES.contains(&c.as_str()) {
            error(
                cx,
                &mut out,
                &p("categories").index(*i),
                format!("`{c}` is not a category of the standard"),
            );
        }
    }
    pc.categories = categories.into_iter().map(|(_, s)| s).collect();
    pc.used_by = used_by.into_iter().map(|(_, s)| s).collect();
    if let Some(r) = pc.roadmap.clone() {
        http_url(cx, &mut out, &p("roadmap"), &r);
    }
    if required_str(
        cx,
        &mut out,
        &p("developmentStatus"),
        &pc.development_status,
    ) {
        if let Some(v) = &pc.development_status {
            one_of(
                cx,
                &mut out,
                &p("developmentStatus"),
                v,
                data::DEVELOPMENT_STATUSES,
            );
        }
    }
    if required_str(cx, &mut out, &p("softwareType"), &pc.software_type) {
        if let Some(v) = &pc.software_type {
            one_of(cx, &mut out, &p("softwareType"), v, data::SOFTWARE_TYPES);
        }
    }

    out.append(&mut o.pending);
    cx.decoding.append(&mut out);
    pc
}

fn support(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Support> {
    let mut o = Obj::open(cx, Some(node), path);
    let id = o.str(cx, "id");
    o.finish(cx, &["id"]);
    if o.dropped() {
        return None;
    }
    let p = o.path.key("id");
    if required_str(cx, out, &p, &id) {
        if let Some(v) = &id {
            if let Some(alias) = v.strip_prefix("alias:") {
                if !data::SUPPORT_ALIASES.contains(&alias) {
                    error(
                        cx,
                        out,
                        &p,
                        format!(
                            "`{alias}` is not a known alias; known aliases are {}",
                            data::SUPPORT_ALIASES.join(", ")
                        ),
                    );
                }
            } else if !checks::is_uri(v) {
                error(
                    cx,
                    out,
                    &p,
                    format!("`{v}` is neither `alias:<name>` nor a URI"),
                );
            }
        }
    }
    Some(Support { id })
}

fn intended_audience(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<IntendedAudience> {
    node?;
    let mut o = Obj::open(cx, node, path);
    let scope = o.str_list(cx, "scope");
    let countries = o.str_list(cx, "countries");
    let unsupported = o.str_list(cx, "unsupportedCountries");
    o.finish(cx, &["scope", "countries", "unsupportedCountries"]);
    if o.dropped() {
        return None;
    }
    for (i, s) in &scope {
        if !data::SCOPES.contains(&s.as_str()) {
            error(
                cx,
                out,
                &o.path.key("scope").index(*i),
                format!("`{s}` is not a scope of the standard"),
            );
        }
    }
    for (i, c) in &countries {
        country(cx, out, &o.path.key("countries").index(*i), c);
    }
    for (i, c) in &unsupported {
        country(cx, out, &o.path.key("unsupportedCountries").index(*i), c);
    }
    Some(IntendedAudience {
        scope: scope.into_iter().map(|(_, s)| s).collect(),
        countries: countries.into_iter().map(|(_, s)| s).collect(),
        unsupported_countries: unsupported.into_iter().map(|(_, s)| s).collect(),
    })
}

fn description(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Vec<(String, Description)> {
    let mut result = Vec::new();
    let mut bad_language = false;
    match node.map(|n| &n.kind) {
        Some(Kind::Map(entries)) => {
            let mut seen = HashSet::new();
            for (k, v) in entries {
                let Some(lang) = k.scalar().map(|s| s.value.clone()) else {
                    cx.decoding.push(Finding {
                        severity: Severity::Error,
                        key: path.render(),
                        line: k.pos.line,
                        column: k.pos.column,
                        message: "language keys must be plain strings".into(),
                    });
                    continue;
                };
                if !seen.insert(lang.clone()) {
                    cx.decoding.push(Finding {
                        severity: Severity::Error,
                        key: path.key(lang.clone()).render(),
                        line: k.pos.line,
                        column: k.pos.column,
                        message: format!(
                            "language `{lang}` appears more than once; only the first one is read"
                        ),
                    });
                    continue;
                }
                if !checks::is_language_tag(&lang) {
                    bad_language = true;
                    error(
                        cx,
                        out,
                        &path,
                        format!("`{lang}` is not a valid BCP 47 language tag (as `en`, `fr` or `pt-BR`)"),
                    );
                }
                if let Some(d) = description_language(cx, out, v, path.key(lang.clone())) {
                    result.push((lang, d));
                }
            }
        }
        Some(_) if node.is_some_and(Node::is_null) => {}
        Some(_) => {
            if let Some(n) = node {
                cx.type_error(n, "a mapping of languages");
            }
        }
        None => {}
    }
    if result.is_empty() && !bad_language {
        error(
            cx,
            out,
            &path,
            "a description in at least one language is required",
        );
    }
    result
}

fn description_language(
    cx: &mut Cx,
    out: &mut Out,
    node: &Node,
    path: Path,
) -> Option<Description> {
    let mut o = Obj::open(cx, Some(node), path);
    let mut d = Description {
        localised_name: o.str(cx, "localisedName"),
        generic_name: o.str(cx, "genericName"),
        short_description: o.str(cx, "shortDescription"),
        long_description: o.str(cx, "longDescription"),
        documentation: o.str(cx, "documentation"),
        api_documentation: o.str(cx, "apiDocumentation"),
        ..Description::default()
    };
    let features_node = o.get("features");
    let features = o.str_list(cx, "features");
    let screenshots = o.str_list(cx, "screenshots");
    let videos = o.str_list(cx, "videos");
    let awards = o.str_list(cx, "awards");
    o.finish(
        cx,
        &[
            "localisedName",
            "genericName",
            "shortDescription",
            "longDescription",
            "documentation",
            "apiDocumentation",
            "features",
            "screenshots",
            "videos",
            "awards",
        ],
    );
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    if let Some(g) = d.generic_name.as_deref().filter(|g| !g.is_empty()) {
        max_len(cx, out, &p("genericName"), g, 35);
        deprecated(
            cx,
            out,
            &p("genericName"),
            "describe the kind of software in `shortDescription`",
        );
    }
    if required_str(cx, out, &p("shortDescription"), &d.short_description) {
        if let Some(s) = &d.short_description {
            max_len(cx, out, &p("shortDescription"), s, 150);
        }
    }
    if required_str(cx, out, &p("longDescription"), &d.long_description) {
        if let Some(s) = &d.long_description {
            if checks::shorter_than(s, 150) {
                let n = checks::graphemes(s);
                error(
                    cx,
                    out,
                    &p("longDescription"),
                    format!("too short: {n} characters, at least 150 are expected"),
                );
            }
            max_len(cx, out, &p("longDescription"), s, 10_000);
        }
    }
    for key in ["documentation", "apiDocumentation"] {
        let v = if key == "documentation" {
            d.documentation.clone()
        } else {
            d.api_documentation.clone()
        };
        if let Some(u) = v {
            http_url(cx, out, &p(key), &u);
        }
    }
    if features.is_empty() {
        let msg = if features_node.is_some() {
            "list at least one feature"
        } else {
            "this key is required: list the main features of the software"
        };
        error(cx, out, &p("features"), msg);
    }
    for (i, s) in &screenshots {
        file_ref(cx, out, &p("screenshots").index(*i), s);
    }
    for (i, v) in &videos {
        let vp = p("videos").index(*i);
        if checks::is_http_url(v) {
            cx.net_push(&vp, v, NetKind::OEmbed);
        } else {
            error(
                cx,
                out,
                &vp,
                format!("`{v}` is not a valid http or https URL"),
            );
        }
    }
    d.features = features.into_iter().map(|(_, s)| s).collect();
    d.screenshots = screenshots.into_iter().map(|(_, s)| s).collect();
    d.videos = videos.into_iter().map(|(_, s)| s).collect();
    d.awards = awards.into_iter().map(|(_, s)| s).collect();
    out.append(&mut o.pending);
    Some(d)
}

fn legal(cx: &mut Cx, out: &mut Out, node: Option<&Node>, path: Path) -> Option<Legal> {
    let mut o = Obj::open(cx, node, path);
    let l = Legal {
        license: o.str(cx, "license"),
        main_copyright_owner: o.str(cx, "mainCopyrightOwner"),
        repo_owner: o.str(cx, "repoOwner"),
        authors_file: o.str(cx, "authorsFile"),
    };
    o.finish(
        cx,
        &["license", "mainCopyrightOwner", "repoOwner", "authorsFile"],
    );
    let l = if o.dropped() { Legal::default() } else { l };
    let p = |k: &'static str| o.path.key(k);
    if required_str(cx, out, &p("license"), &l.license) {
        if let Some(lic) = &l.license {
            match checks::check_license(lic) {
                Ok(()) => {}
                Err(checks::LicenseProblem::Invalid(why)) => error(
                    cx,
                    out,
                    &p("license"),
                    format!("`{lic}` is not a valid SPDX licence expression ({why})"),
                ),
                Err(checks::LicenseProblem::Deprecated(ids)) => warning(
                    cx,
                    out,
                    &p("license"),
                    format!(
                        "deprecated SPDX identifier(s): {}; prefer the current ones (as `GPL-3.0-only` or `GPL-3.0-or-later`)",
                        ids.join(", ")
                    ),
                ),
            }
        }
    }
    if l.repo_owner.as_deref().is_some_and(|s| !s.is_empty()) {
        deprecated(
            cx,
            out,
            &p("repoOwner"),
            "name the publisher in `organisation.name`",
        );
    }
    if let Some(a) = l.authors_file.clone().filter(|a| !a.is_empty()) {
        deprecated(
            cx,
            out,
            &p("authorsFile"),
            "keep the authors file in the repository without listing it here",
        );
        file_ref(cx, out, &p("authorsFile"), &a);
    }
    if o.dropped() {
        return None;
    }
    out.append(&mut o.pending);
    Some(l)
}

fn maintenance(cx: &mut Cx, out: &mut Out, node: Option<&Node>, path: Path) -> Option<Maintenance> {
    let mut o = Obj::open(cx, node, path);
    let kind = o.str(cx, "type");
    let contractors_node = o.get("contractors");
    let contacts_node = o.get("contacts");
    let contractor_items = o.list(cx, "contractors");
    let contact_items = o.list(cx, "contacts");
    o.finish(cx, &["type", "contractors", "contacts"]);

    let mut contractors = Vec::new();
    let mut contractor_findings = Vec::new();
    for (i, item) in contractor_items.unwrap_or(&[]).iter().enumerate() {
        if let Some(c) = contractor(
            cx,
            &mut contractor_findings,
            item,
            o.path.key("contractors").index(i),
        ) {
            contractors.push(c);
        }
    }
    let mut contacts = Vec::new();
    for (i, item) in contact_items.unwrap_or(&[]).iter().enumerate() {
        if let Some(c) = contact(cx, &mut o.pending, item, o.path.key("contacts").index(i)) {
            contacts.push(c);
        }
    }
    let dropped = o.dropped();
    let kind = if dropped { None } else { kind };
    let p = |k: &'static str| o.path.key(k);
    if required_str(cx, out, &p("type"), &kind) {
        if let Some(t) = kind.as_deref() {
            one_of(cx, out, &p("type"), t, data::MAINTENANCE_TYPES);
            let has_contractors = contractors_node.is_some_and(|n| !n.is_null());
            match t {
                "contract" => {
                    if contractors.is_empty() {
                        error(
                            cx,
                            out,
                            &p("contractors"),
                            "with maintenance type `contract`, list at least one contractor",
                        );
                    }
                    out.append(&mut contractor_findings);
                }
                _ if has_contractors => error(
                    cx,
                    out,
                    &p("contractors"),
                    format!(
                        "contractors are only allowed with maintenance type `contract`, not `{t}`"
                    ),
                ),
                _ => {}
            }
            if matches!(t, "internal" | "community") && contacts.is_empty() {
                let _ = contacts_node;
                error(
                    cx,
                    out,
                    &p("contacts"),
                    format!("with maintenance type `{t}`, list at least one contact"),
                );
            }
        }
    }
    if dropped {
        return None;
    }
    out.append(&mut o.pending);
    Some(Maintenance {
        kind,
        contractors,
        contacts,
    })
}

fn contractor(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Contractor> {
    let mut o = Obj::open(cx, Some(node), path);
    let c = Contractor {
        name: o.str(cx, "name"),
        email: o.str(cx, "email"),
        website: o.str(cx, "website"),
        until: o.str(cx, "until"),
    };
    o.finish(cx, &["name", "email", "website", "until"]);
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    required_str(cx, out, &p("name"), &c.name);
    if required_str(cx, out, &p("until"), &c.until) {
        if let Some(d) = &c.until {
            if !checks::is_date(d) {
                error(
                    cx,
                    out,
                    &p("until"),
                    format!("`{d}` is not a date written as YYYY-MM-DD"),
                );
            }
        }
    }
    if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
        if !checks::is_email(e) {
            error(
                cx,
                out,
                &p("email"),
                format!("`{e}` is not a valid e-mail address"),
            );
        }
    }
    if let Some(w) = c.website.clone() {
        http_url(cx, out, &p("website"), &w);
    }
    Some(c)
}

fn contact(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Contact> {
    let mut o = Obj::open(cx, Some(node), path);
    let c = Contact {
        name: o.str(cx, "name"),
        email: o.str(cx, "email"),
        affiliation: o.str(cx, "affiliation"),
        phone: o.str(cx, "phone"),
    };
    o.finish(cx, &["name", "email", "affiliation", "phone"]);
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    required_str(cx, out, &p("name"), &c.name);
    if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
        if !checks::is_email(e) {
            error(
                cx,
                out,
                &p("email"),
                format!("`{e}` is not a valid e-mail address"),
            );
        }
    }
    Some(c)
}

fn localisation(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<Localisation> {
    let mut o = Obj::open(cx, node, path);
    let ready = o.bool(cx, "localisationReady");
    let languages = o.str_list(cx, "availableLanguages");
    o.finish(cx, &["localisationReady", "availableLanguages"]);
    let dropped = o.dropped();
    let (ready, languages) = if dropped {
        (None, Vec::new())
    } else {
        (ready, languages)
    };
    let p = |k: &'static str| o.path.key(k);
    if ready.is_none() {
        error(
            cx,
            out,
            &p("localisationReady"),
            "this key is required: say with true or false whether the software can be translated",
        );
    }
    if languages.is_empty() {
        error(
            cx,
            out,
            &p("availableLanguages"),
            "this key is required: list at least one language the software is available in",
        );
    }
    for (i, l) in &languages {
        language(cx, out, &p("availableLanguages").index(*i), l);
    }
    if dropped {
        return None;
    }
    Some(Localisation {
        localisation_ready: ready,
        available_languages: languages.into_iter().map(|(_, s)| s).collect(),
    })
}

fn depends_on(cx: &mut Cx, out: &mut Out, node: Option<&Node>, path: Path) -> Option<DependsOn> {
    node?;
    let mut o = Obj::open(cx, node, path);
    let mut lists: [Vec<Dependency>; 3] = Default::default();
    let mut pending = Vec::new();
    for (slot, key) in lists.iter_mut().zip(["open", "proprietary", "hardware"]) {
        if let Some(items) = o.list(cx, key) {
            for (i, item) in items.iter().enumerate() {
                if let Some(d) = dependency(cx, &mut pending, item, o.path.key(key).index(i)) {
                    slot.push(d);
                }
            }
        }
    }
    o.finish(cx, &["open", "proprietary", "hardware"]);
    if o.dropped() {
        return None;
    }
    out.append(&mut pending);
    let [open, proprietary, hardware] = lists;
    Some(DependsOn {
        open,
        proprietary,
        hardware,
    })
}

fn dependency(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Dependency> {
    let mut o = Obj::open(cx, Some(node), path);
    let d = Dependency {
        name: o.str(cx, "name"),
        version_min: o.str(cx, "versionMin"),
        version_max: o.str(cx, "versionMax"),
        version: o.str(cx, "version"),
        optional: o.bool(cx, "optional"),
    };
    o.finish(
        cx,
        &["name", "versionMin", "versionMax", "version", "optional"],
    );
    if o.dropped() {
        return None;
    }
    required_str(cx, out, &o.path.key("name"), &d.name);
    Some(d)
}

fn organisation(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Organisation> {
    let (name, uri) = name_and_uri(cx, out, node, path)?;
    Some(Organisation { name, uri })
}

fn funder(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<FundingOrganisation> {
    let (name, uri) = name_and_uri(cx, out, node, path)?;
    Some(FundingOrganisation { name, uri })
}

type NameUri = (Option<String>, Option<String>);

/// An organisation's `name` and `uri`, the uri required and checked
/// against the iPA codes when it names one. `None` when the node is not a
/// mapping.
fn name_and_uri(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<NameUri> {
    let mut o = Obj::open(cx, Some(node), path);
    let name = o.str(cx, "name");
    let uri = o.str(cx, "uri");
    o.finish(cx, &["name", "uri"]);
    if o.dropped() {
        return None;
    }
    let p = o.path.key("uri");
    if required_str(cx, out, &p, &uri) {
        if let Some(u) = &uri {
            uri_with_ipa(cx, out, &p, u);
        }
    }
    Some((name, uri))
}

fn italian(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<ItalianSection> {
    let mut o = Obj::open(cx, Some(node), path);
    let version = o.str(cx, "countryExtensionVersion");
    let conforme_given = o.get("conforme").is_some_and(|n| !n.is_null());
    let piattaforme_given = o.get("piattaforme").is_some_and(|n| !n.is_null());
    let conforme = o.get("conforme").map(|n| {
        let mut c = Obj::open(cx, Some(n), o.path.key("conforme"));
        let v = Conforme {
            linee_guida_design: c.bool(cx, "lineeGuidaDesign"),
            modello_interoperabilita: c.bool(cx, "modelloInteroperabilita"),
            misure_minime_sicurezza: c.bool(cx, "misureMinimeSicurezza"),
            gdpr: c.bool(cx, "gdpr"),
        };
        c.finish(
            cx,
            &[
                "lineeGuidaDesign",
                "modelloInteroperabilita",
                "misureMinimeSicurezza",
                "gdpr",
            ],
        );
        (!c.dropped()).then_some(v)
    });
    let mut riuso_code: Option<(Path, String)> = None;
    if let Some(n) = o.get("riuso") {
        let mut r = Obj::open(cx, Some(n), o.path.key("riuso"));
        let code = r.str(cx, "codiceIPA");
        r.finish(cx, &["codiceIPA"]);
        if let Some(code) = code.filter(|_| !r.dropped()) {
            riuso_code = Some((r.path.key("codiceIPA"), code));
        }
    }
    let piattaforme = o.get("piattaforme").map(|n| {
        let mut c = Obj::open(cx, Some(n), o.path.key("piattaforme"));
        let v = Piattaforme {
            spid: c.bool(cx, "spid"),
            pagopa: c.bool(cx, "pagopa"),
            cie: c.bool(cx, "cie"),
            anpr: c.bool(cx, "anpr"),
            io: c.bool(cx, "io"),
        };
        c.finish(cx, &["spid", "pagopa", "cie", "anpr", "io"]);
        (!c.dropped()).then_some(v)
    });
    o.finish(
        cx,
        &[
            "countryExtensionVersion",
            "conforme",
            "riuso",
            "piattaforme",
        ],
    );
    if o.dropped() {
        return None;
    }
    if let Some(v) = version.as_deref() {
        one_of(
            cx,
            out,
            &o.path.key("countryExtensionVersion"),
            v,
            data::IT_EXTENSION_VERSIONS,
        );
    }
    let conforme = conforme.flatten();
    let piattaforme = piattaforme.flatten();
    if conforme_given {
        let gdpr = if conforme.as_ref().and_then(|c| c.gdpr) == Some(true) {
            "; for `gdpr: true`, list `alias:gdpr` under `supports`"
        } else {
            ""
        };
        deprecated(
            cx,
            out,
            &o.path.key("conforme"),
            &format!("drop it, the guidelines it refers to are no longer current{gdpr}"),
        );
    }
    if let Some((p, code)) = &riuso_code {
        if !code.is_empty() && ipa_code(cx, out, p, code) {
            deprecated(
                cx,
                out,
                p,
                &format!("set `organisation.uri` to `urn:x-italian-pa:{code}` instead"),
            );
        }
    }
    if piattaforme_given {
        let used: Vec<String> = piattaforme
            .as_ref()
            .map(|p| {
                [
                    ("spid", p.spid),
                    ("pagopa", p.pagopa),
                    ("cie", p.cie),
                    ("anpr", p.anpr),
                    ("io", p.io),
                ]
                .into_iter()
                .filter(|(_, on)| *on == Some(true))
                .map(|(name, _)| format!("`alias:{name}`"))
                .collect()
            })
            .unwrap_or_default();
        let advice = if used.is_empty() {
            "list the platforms the software uses under `supports` (`alias:spid`, `alias:pagopa`, `alias:cie`, `alias:anpr`, `alias:io`) instead".to_string()
        } else {
            format!("list {} under `supports` instead", used.join(", "))
        };
        deprecated(cx, out, &o.path.key("piattaforme"), &advice);
    }
    Some(ItalianSection {
        country_extension_version: version,
        conforme,
        codice_ipa: riuso_code.map(|(_, c)| c),
        piattaforme,
    })
}
