//! Qualification grids kept as data (`content/grids/*.toml`): the white
//! paper's constituents, the Standard for Public Code, the DPG Standard.
//!
//! A grid has levels (`minimal`, `contributive`…), constituents (`code
//! source`, `usage`…), constraints (one constituent, one level, the
//! evidence that satisfies it) and stages (named places on the spectrum).
//! Evidence is a tree of checks:
//!
//! - `{ auto = "license.free" }`, `{ auto = "history.elephant_factor>=2" }`:
//!   an automatic key (see [`crate::keys::AUTO_KEYS`]), tested as is when
//!   it is a yes/no key, against a number otherwise;
//! - `{ manual = "usage.terms_of_use" }`: an entry of the evidence file
//!   (see [`crate::evidence`]); with `expect = "open"` or
//!   `expect = "share_alike"` the entry gives a licence that must be open
//!   or share-alike;
//! - `{ any = [ … ] }`, `{ all = [ … ] }`: alternatives, conjunctions.
//!
//! A constraint's `evidence` list must hold as a whole (all of it).
//! Every file is validated when loaded; a problem names the file, the line,
//! the item and the reason.
//!
//! ```
//! let grids = archipel_assess::Grids::builtin()?;
//! let wp = grids.get("livre-blanc").expect("the white paper's grid");
//! assert_eq!(wp.constituents.len(), 7);
//! assert!(wp.constraints.iter().any(|c| c.id == "code_source.licence_libre"));
//! # Ok::<(), archipel_assess::GridError>(())
//! ```

use crate::keys::{auto_key, KeyType};
pub use archipel_content::{Lang, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// The grid used when none is named.
pub const DEFAULT_GRID: &str = "livre-blanc";

/// A problem in a grid file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {item}: {reason}")]
pub struct GridError {
    /// File name (`content/grids/livre-blanc.toml`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// What is wrong: `constraint code_source.licence_libre`, `stage minimal`…
    pub item: String,
    /// Why.
    pub reason: String,
}

/// Where a grid comes from and under which terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// The work adapted.
    pub work: String,
    /// Its authors.
    pub authors: String,
    /// The version adapted.
    pub version: String,
    /// Its licence (SPDX id); the grid file is under compatible terms.
    pub license: String,
    /// Where the work is (path in `references/` or address).
    pub reference: String,
    /// What Archipel changed.
    pub changes: Text,
}

/// A level of requirement (`minimal`, `contributive`, `must`, `should`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Stable key.
    pub key: String,
    /// Name.
    pub label: Text,
    /// What it means.
    pub description: Text,
    /// How a report says a constituent reached it (« niveau minimal atteint »).
    pub reached: Text,
}

/// A part of the commons the grid looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constituent {
    /// Stable key.
    pub key: String,
    /// Name.
    pub label: Text,
    /// What it covers.
    pub description: Text,
    /// Section of the source work.
    pub reference: String,
}

/// Who wrote a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The source work (in Archipel's words).
    #[default]
    Reference,
    /// Archipel, from the source work's reasoning (marked as such in reports).
    Archipel,
}

/// A comparison in an automatic check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `==`
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    const ALL: [(&'static str, Op); 6] = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">", Op::Gt),
        ("<", Op::Lt),
    ];

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, o)| *o == self)
            .map(|(s, _)| *s)
            .unwrap_or("?")
    }

    /// Applies the comparison.
    pub fn test(self, left: f64, right: f64) -> bool {
        match self {
            Op::Ge => left >= right,
            Op::Gt => left > right,
            Op::Le => left <= right,
            Op::Lt => left < right,
            Op::Eq => left == right,
            Op::Ne => left != right,
        }
    }
}

/// A comparison and its right-hand number (`>= 2`).
pub type Comparison = (Op, f64);

/// What a licence given by hand must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Free / open (OSI, FSF or CRPA).
    Open,
    /// With a share-alike clause.
    ShareAlike,
}

/// One check of a constraint's evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// An automatic key, with an optional comparison.
    Auto {
        /// The expression as written (`history.elephant_factor>=2`).
        expr: String,
        /// The key.
        key: &'static str,
        /// The comparison, for counts and ratios.
        compare: Option<Comparison>,
    },
    /// An entry of the evidence file.
    Manual {
        /// Its key.
        key: String,
        /// For an entry giving a licence: what it must be.
        expect: Option<Expect>,
    },
    /// At least one holds.
    Any(Vec<Check>),
    /// All hold.
    All(Vec<Check>),
}

impl Check {
    /// Every manual key the check reads.
    pub fn manual_keys<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Check::Auto { .. } => {}
            Check::Manual { key, .. } => out.push(key),
            Check::Any(v) | Check::All(v) => v.iter().for_each(|c| c.manual_keys(out)),
        }
    }
}

/// One constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// Stable id, `constituent.name`.
    pub id: String,
    /// Its constituent's key.
    pub constituent: String,
    /// Its level's key.
    pub level: String,
    /// Who wrote it.
    pub origin: Origin,
    /// Short name.
    pub title: Text,
    /// The constraint, in a sentence or two.
    pub text: Text,
    /// How to satisfy it (the source's operational advice, in our words).
    pub how: Option<Text>,
    /// Section of the source work.
    pub reference: String,
    /// Evidence that satisfies it, all of it.
    pub evidence: Vec<Check>,
}

/// A named place on the spectrum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Stable key.
    pub key: String,
    /// Name.
    pub label: Text,
    /// What it means.
    pub description: Text,
    /// Constraints that must be met.
    pub requires: Vec<String>,
    /// Least share of the applicable constraints of a level that must be met.
    pub min_share: BTreeMap<String, f64>,
}

/// A grid, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// Stable id (`livre-blanc`).
    pub id: String,
    /// Its file name.
    pub file: String,
    /// Name.
    pub title: Text,
    /// What it is for.
    pub summary: Text,
    /// Source and licence.
    pub credit: Credit,
    /// Levels, from the most basic.
    pub levels: Vec<Level>,
    /// Constituents, in reading order.
    pub constituents: Vec<Constituent>,
    /// Constraints, in reading order.
    pub constraints: Vec<Constraint>,
    /// Stages, from the lowest.
    pub stages: Vec<Stage>,
}

impl Grid {
    /// The constituent with this key.
    pub fn constituent(&self, key: &str) -> Option<&Constituent> {
        self.constituents.iter().find(|c| c.key == key)
    }

    /// The level with this key.
    pub fn level(&self, key: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.key == key)
    }

    /// Every manual key the grid reads, sorted, once each.
    pub fn manual_keys(&self) -> BTreeSet<String> {
        let mut v = Vec::new();
        for c in &self.constraints {
            for e in &c.evidence {
                e.manual_keys(&mut v);
            }
        }
        v.into_iter().map(str::to_string).collect()
    }
}

// ---- file format -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    id: String,
    title: Text,
    summary: Text,
    credit: Credit,
    #[serde(rename = "level")]
    levels: Vec<Level>,
    #[serde(rename = "constituent")]
    constituents: Vec<Constituent>,
    #[serde(rename = "constraint")]
    constraints: Vec<ConstraintFile>,
    #[serde(rename = "stage")]
    stages: Vec<StageFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintFile {
    id: toml::Spanned<String>,
    constituent: String,
    level: String,
    #[serde(default)]
    origin: Origin,
    title: Text,
    text: Text,
    how: Option<Text>,
    reference: String,
    evidence: Vec<CheckFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    auto: Option<String>,
    manual: Option<String>,
    expect: Option<Expect>,
    any: Option<Vec<CheckFile>>,
    all: Option<Vec<CheckFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageFile {
    key: toml::Spanned<String>,
    label: Text,
    description: Text,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    min_share: BTreeMap<String, f64>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Whether `key` is a well-formed manual key: two or more dot-separated
/// parts of lower-case letters, digits and `_`.
///
/// ```
/// use archipel_assess::grid::is_manual_key;
/// assert!(is_manual_key("usage.terms_of_use"));
/// assert!(!is_manual_key("Usage.ToU") && !is_manual_key("usage") && !is_manual_key("a..b"));
/// ```
pub fn is_manual_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// Parses an automatic expression: `key` or `key OP number`.
///
/// ```
/// use archipel_assess::grid::{parse_auto, Op};
/// let (key, cmp) = parse_auto("history.elephant_factor >= 2").unwrap();
/// assert_eq!((key, cmp), ("history.elephant_factor", Some((Op::Ge, 2.0))));
/// assert!(parse_auto("license.free").unwrap().1.is_none());
/// assert!(parse_auto("license.free>=1").is_err()); // a yes/no key takes no comparison
/// assert!(parse_auto("history.authors").is_err()); // a count needs one
/// assert!(parse_auto("license.fre").is_err());
/// ```
pub fn parse_auto(expr: &str) -> Result<(&'static str, Option<Comparison>), String> {
    let expr = expr.trim();
    let found = Op::ALL
        .iter()
        .filter_map(|(s, op)| expr.find(s).map(|at| (at, *s, *op)))
        .min_by_key(|(at, s, _)| (*at, std::cmp::Reverse(s.len())));
    let (name, compare) = match found {
        Some((at, s, op)) => {
            let rhs = expr[at + s.len()..].trim();
            let n: f64 = rhs
                .parse()
                .map_err(|_| format!("`{rhs}` is not a number in `{expr}`"))?;
            if !n.is_finite() {
                return Err(format!("`{rhs}` is not a finite number"));
            }
            (expr[..at].trim(), Some((op, n)))
        }
        None => (expr, None),
    };
    let key = auto_key(name).ok_or_else(|| {
        format!("unknown automatic evidence key `{name}` (see docs/assess-grids.md for the list)")
    })?;
    match (key.kind, compare) {
        (KeyType::Bool, Some(_)) => Err(format!(
            "`{name}` is a yes/no key: write it without a comparison"
        )),
        (KeyType::Count | KeyType::Ratio, None) => {
            Err(format!("`{name}` is a number: compare it (`{name}>=1`)"))
        }
        _ => Ok((key.key, compare)),
    }
}

fn convert_check(c: CheckFile, depth: usize) -> Result<Check, String> {
    if depth > 8 {
        return Err("evidence nested too deeply".into());
    }
    let given = [
        c.auto.is_some(),
        c.manual.is_some(),
        c.any.is_some(),
        c.all.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given != 1 {
        return Err(
            "each evidence item needs exactly one of `auto`, `manual`, `any`, `all`".into(),
        );
    }
    if c.expect.is_some() && c.manual.is_none() {
        return Err("`expect` only goes with `manual`".into());
    }
    if let Some(expr) = c.auto {
        let (key, compare) = parse_auto(&expr)?;
        return Ok(Check::Auto { expr, key, compare });
    }
    if let Some(key) = c.manual {
        if !is_manual_key(&key) {
            return Err(format!(
                "manual evidence key `{key}` must be `section.name` in lower case (letters, digits, _)"
            ));
        }
        if auto_key(&key).is_some() {
            return Err(format!(
                "`{key}` is an automatic key: use `auto`, not `manual`"
            ));
        }
        return Ok(Check::Manual {
            key,
            expect: c.expect,
        });
    }
    let (list, any) = match (c.any, c.all) {
        (Some(l), _) => (l, true),
        (None, Some(l)) => (l, false),
        (None, None) => return Err("empty evidence item".into()),
    };
    if list.is_empty() {
        return Err("`any` and `all` need at least one item".into());
    }
    let items = list
        .into_iter()
        .map(|c| convert_check(c, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if any {
        Check::Any(items)
    } else {
        Check::All(items)
    })
}

fn check_text(t: &Text, what: &str) -> Result<(), String> {
    if t.fr.trim().is_empty() {
        return Err(format!("missing French {what}"));
    }
    if t.en.trim().is_empty() {
        return Err(format!("missing English {what}"));
    }
    Ok(())
}

/// Parses and validates one grid file. `file` names it in errors.
pub fn parse_grid(file: &str, text: &str) -> Result<Grid, GridError> {
    let err = |line: usize, item: &str, reason: String| GridError {
        file: file.to_string(),
        line,
        item: item.to_string(),
        reason,
    };
    let raw: GridFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        err(line, "file", e.message().to_string())
    })?;
    if raw.id.is_empty()
        || !raw
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(err(
            0,
            "id",
            format!("`{}` must be lower-case letters, digits and -", raw.id),
        ));
    }
    for (t, what) in [
        (&raw.title, "title"),
        (&raw.summary, "summary"),
        (&raw.credit.changes, "credit.changes"),
    ] {
        check_text(t, what).map_err(|r| err(0, "grid", r))?;
    }
    if raw.levels.is_empty() {
        return Err(err(
            0,
            "level",
            "a grid needs at least one [[level]]".into(),
        ));
    }
    let mut levels = BTreeSet::new();
    for l in &raw.levels {
        if !levels.insert(l.key.as_str()) {
            return Err(err(0, &format!("level {}", l.key), "defined twice".into()));
        }
        check_text(&l.label, "label")
            .and_then(|_| check_text(&l.description, "description"))
            .and_then(|_| check_text(&l.reached, "reached"))
            .map_err(|r| err(0, &format!("level {}", l.key), r))?;
    }
    let mut constituents = BTreeSet::new();
    for c in &raw.constituents {
        if !constituents.insert(c.key.as_str()) {
            return Err(err(
                0,
                &format!("constituent {}", c.key),
                "defined twice".into(),
            ));
        }
        check_text(&c.label, "label")
            .and_then(|_| check_text(&c.description, "description"))
            .map_err(|r| err(0, &format!("constituent {}", c.key), r))?;
    }
    let mut ids = BTreeSet::new();
    let mut constraints = Vec::new();
    for c in raw.constraints {
        let line = line_of(text, c.id.span().start);
        let id = c.id.into_inner();
        let item = format!("constraint {id}");
        if !ids.insert(id.clone()) {
            return Err(err(line, &item, "defined twice".into()));
        }
        if !constituents.contains(c.constituent.as_str()) {
            return Err(err(
                line,
                &item,
                format!("unknown constituent `{}`", c.constituent),
            ));
        }
        if !levels.contains(c.level.as_str()) {
            return Err(err(line, &item, format!("unknown level `{}`", c.level)));
        }
        check_text(&c.title, "title")
            .and_then(|_| check_text(&c.text, "text"))
            .and_then(|_| c.how.as_ref().map_or(Ok(()), |h| check_text(h, "how")))
            .map_err(|r| err(line, &item, r))?;
        if c.evidence.is_empty() {
            return Err(err(
                line,
                &item,
                "no evidence: say what satisfies it".into(),
            ));
        }
        let evidence = c
            .evidence
            .into_iter()
            .map(|e| convert_check(e, 0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|r| err(line, &item, r))?;
        constraints.push(Constraint {
            id,
            constituent: c.constituent,
            level: c.level,
            origin: c.origin,
            title: c.title,
            text: c.text,
            how: c.how,
            reference: c.reference,
            evidence,
        });
    }
    if constraints.is_empty() {
        return Err(err(
            0,
            "constraint",
            "a grid needs at least one [[constraint]]".into(),
        ));
    }
    for k in &constituents {
        if !constraints.iter().any(|c| c.constituent == *k) {
            return Err(err(
                0,
                &format!("constituent {k}"),
                "has no constraint".into(),
            ));
        }
    }
    let mut stages = Vec::new();
    let mut stage_keys = BTreeSet::new();
    for s in raw.stages {
        let line = line_of(text, s.key.span().start);
        let key = s.key.into_inner();
        let item = format!("stage {key}");
        if !stage_keys.insert(key.clone()) {
            return Err(err(line, &item, "defined twice".into()));
        }
        check_text(&s.label, "label")
            .and_then(|_| check_text(&s.description, "description"))
            .map_err(|r| err(line, &item, r))?;
        for r in &s.requires {
            if !ids.contains(r) {
                return Err(err(
                    line,
                    &item,
                    format!("requires unknown constraint `{r}`"),
                ));
            }
        }
        for (l, v) in &s.min_share {
            if !levels.contains(l.as_str()) {
                return Err(err(
                    line,
                    &item,
                    format!("min_share names unknown level `{l}`"),
                ));
            }
            if !(0.0..=1.0).contains(v) {
                return Err(err(
                    line,
                    &item,
                    format!("min_share.{l} must be between 0 and 1"),
                ));
            }
        }
        stages.push(Stage {
            key,
            label: s.label,
            description: s.description,
            requires: s.requires,
            min_share: s.min_share,
        });
    }
    if stages.is_empty() {
        return Err(err(
            0,
            "stage",
            "a grid needs at least one [[stage]]".into(),
        ));
    }
    Ok(Grid {
        id: raw.id,
        file: file.to_string(),
        title: raw.title,
        summary: raw.summary,
        credit: raw.credit,
        levels: raw.levels,
        constituents: raw.constituents,
        constraints,
        stages,
    })
}

/// A set of grids, by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Grids(Vec<Grid>);

impl Grids {
    /// The grids shipped with Archipel
    /// ([`archipel_content::embedded::GRIDS`]).
    pub fn builtin() -> Result<Grids, GridError> {
        Self::from_sources(
            archipel_content::embedded::GRIDS
                .iter()
                .map(|(name, text)| (format!("content/{name}"), text.to_string())),
        )
    }

    /// Grids from (file name, text) pairs; ids must be unique.
    pub fn from_sources(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Grids, GridError> {
        let mut out: Vec<Grid> = Vec::new();
        for (name, text) in files {
            let g = parse_grid(&name, &text)?;
            if out.iter().any(|o| o.id == g.id) {
                return Err(GridError {
                    file: name,
                    line: 0,
                    item: "id".into(),
                    reason: format!("another grid has the id `{}`", g.id),
                });
            }
            out.push(g);
        }
        Ok(Grids(out))
    }

    /// Every `*.toml` file of `dir` (sorted by name), for instance
    /// `content/grids` of a content folder given with `--content`.
    pub fn load_dir(dir: &Path) -> Result<Grids, GridError> {
        let io = |e: std::io::Error| GridError {
            file: dir.display().to_string(),
            line: 0,
            item: "folder".into(),
            reason: e.to_string(),
        };
        let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        let mut files = Vec::new();
        for p in names {
            let text = std::fs::read_to_string(&p).map_err(|e| GridError {
                file: p.display().to_string(),
                line: 0,
                item: "file".into(),
                reason: e.to_string(),
            })?;
            files.push((p.display().to_string(), text));
        }
        Self::from_sources(files)
    }

    /// The grid with this id.
    pub fn get(&self, id: &str) -> Option<&Grid> {
        self.0.iter().find(|g| g.id == id)
    }

    /// All grids, in load order.
    pub fn all(&self) -> &[Grid] {
        &self.0
    }

    /// Every manual key read by any grid.
    pub fn manual_keys(&self) -> BTreeSet<String> {
        self.0.iter().flat_map(|g| g.manual_keys()).collect()
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Auto { expr, .. } => write!(f, "{expr}"),
            Check::Manual { key, expect: None } => write!(f, "manual:{key}"),
            Check::Manual {
                key,
                expect: Some(Expect::Open),
            } => write!(f, "manual:{key}(open)"),
            Check::Manual {
                key,
                expect: Some(Expect::ShareAlike),
            } => write!(f, "manual:{key}(share_alike)"),
            Check::Any(v) | Check::All(v) => {
                let sep = if matches!(self, Check::Any(_)) {
                    " | "
                } else {
                    " & "
                };
                write!(f, "(")?;
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{c}")?;
                }
                write!(f, ")")
            }
        }
    }
}
