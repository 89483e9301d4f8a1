//! Reports for people: text for a terminal, Markdown, self-contained HTML.
//!
//! One layout ([`blocks`]) is built once, in the reader's language, and
//! written out in each format. Every value read from the repository is
//! escaped in Markdown and HTML.

use crate::grid::Lang;
use crate::keys::{auto_key, KeyType};
use crate::report::{Assessment, EvidenceResult, Severity, Status, TargetKind};
use archipel_content::UiStrings as Ui;
use archipel_license::{Copyleft, CrpaStatus, NOASSERTION, NONE};
use std::collections::BTreeMap;
use std::fmt::Write as _;

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

fn pct(x: f64) -> String {
    format!("{}", (x * 100.0).round() as i64)
}

fn date(d: &chrono::DateTime<chrono::Utc>) -> String {
    d.format("%Y-%m-%d").to_string()
}

struct Ctx<'a> {
    ui: &'a Ui,
    lang: Lang,
}

impl Ctx<'_> {
    fn t(&self, key: &str) -> String {
        self.ui.get(key, self.lang).to_string()
    }
    fn f(&self, key: &str, params: &[(&str, &str)]) -> String {
        self.ui.fmt(key, self.lang, params)
    }
    fn yes_no(&self, b: bool) -> String {
        self.t(if b { "common.yes" } else { "common.no" })
    }
    fn key_label(&self, key: &str) -> String {
        let k = format!("key.{key}");
        if self.ui.has(&k) {
            self.t(&k)
        } else {
            key.to_string()
        }
    }
}

fn evidence_line(c: &Ctx<'_>, e: &EvidenceResult) -> String {
    let value = e.value.as_ref().map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    match e.reason {
        "auto_true" | "auto_false" => {
            let label = c.key_label(&e.key);
            match (auto_key(&e.key).map(|k| k.kind), value) {
                (Some(KeyType::Bool), _) | (_, None) => {
                    format!("{} {label}", Mark::of(e.status).symbol())
                }
                (_, Some(v)) => format!("{} {label} : {v}", Mark::of(e.status).symbol()),
            }
        }
        "auto_compare_true" | "auto_compare_false" => {
            let threshold = e
                .check
                .split_once(['>', '<', '=', '!'])
                .map(|(_, rest)| rest.trim_start_matches(['=', '>', '<']).trim().to_string())
                .unwrap_or_default();
            let op = e
                .check
                .chars()
                .filter(|ch| "<>=!".contains(*ch))
                .collect::<String>();
            c.f(
                "reason.compare",
                &[
                    ("mark", Mark::of(e.status).symbol()),
                    ("label", &c.key_label(&e.key)),
                    ("value", value.as_deref().unwrap_or("?")),
                    ("op", &op),
                    ("threshold", &threshold),
                ],
            )
        }
        "manual_met"
        | "manual_licence_ok"
        | "manual_licence_not_open"
        | "manual_licence_not_share_alike"
        | "manual_licence_unknown" => c.f(
            &format!("reason.{}", e.reason),
            &[
                ("mark", Mark::of(e.status).symbol()),
                ("key", &e.key),
                ("url", e.url.as_deref().unwrap_or("")),
                ("license", value.as_deref().unwrap_or("")),
            ],
        ),
        code => {
            let k = format!("reason.{code}");
            let mut s = if c.ui.has(&k) {
                c.f(
                    &k,
                    &[
                        ("mark", Mark::of(e.status).symbol()),
                        ("key", &e.key),
                        ("label", &c.key_label(&e.key)),
                    ],
                )
            } else {
                format!("{} {}", Mark::of(e.status).symbol(), e.message)
            };
            if let Some(n) = &e.note {
                let _ = write!(s, " — {n}");
            }
            s
        }
    }
}

/// An actor kind's label: the registry's `actor_kinds` vocabulary (the
/// copy built into the binary) names them; `unknown` is the report's own.
fn kind_label(c: &Ctx<'_>, kind: &str) -> String {
    static VOCABULARIES: std::sync::OnceLock<Option<archipel_content::Content>> =
        std::sync::OnceLock::new();
    let content = VOCABULARIES.get_or_init(|| archipel_content::Content::embedded().ok());
    match content {
        Some(content) if content.has_term("actor_kinds", kind) => {
            content.label("actor_kinds", kind, c.lang)
        }
        _ => c.t(&format!("kind.{kind}")),
    }
}

fn licence_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
    let l = &a.license;
    out.push(Block::Heading(c.t("section.license")));
    match l.spdx.as_str() {
        NONE => out.push(Block::Item(Mark::Error, c.t("license.none"), vec![])),
        NOASSERTION => out.push(Block::Item(
            Mark::Warning,
            c.t("license.noassertion"),
            vec![],
        )),
        spdx => {
            let names: Vec<String> = l.licences.iter().map(|f| f.name.clone()).collect();
            let mut head = c.f(
                "license.detected",
                &[("spdx", spdx), ("confidence", &pct(l.confidence))],
            );
            if !names.is_empty() {
                let _ = write!(head, " — {}", names.join(" ; "));
            }
            let mut detail = Vec::new();
            match l.free {
                Some(true) => detail.push(c.t("license.free")),
                Some(false) => detail.push(c.t("license.not_free")),
                None => {}
            }
            let flag = |f: fn(&crate::LicenceFacts) -> bool| {
                c.yes_no(!l.licences.is_empty() && l.licences.iter().all(f))
            };
            detail.push(c.f(
                "license.flags",
                &[
                    ("osi", &flag(|f| f.osi)),
                    ("fsf", &flag(|f| f.fsf)),
                    ("crpa", &flag(|f| f.crpa == CrpaStatus::Listed)),
                ],
            ));
            let strongest = l.licences.iter().filter_map(|f| f.copyleft).max();
            let cl = match strongest {
                Some(Copyleft::None) => "license.copyleft.none",
                Some(Copyleft::Weak) => "license.copyleft.weak",
                Some(Copyleft::Strong) => "license.copyleft.strong",
                Some(Copyleft::Network) => "license.copyleft.network",
                None => "license.copyleft.unknown",
            };
            detail.push(c.t(cl));
            let mark = if l.free == Some(true) {
                Mark::Met
            } else {
                Mark::NotMet
            };
            out.push(Block::Item(mark, head, detail));
        }
    }
    if !l.evidence.is_empty() {
        let ev: Vec<String> = l
            .evidence
            .iter()
            .take(6)
            .map(|e| {
                format!(
                    "{} → {} ({})",
                    e.file,
                    e.spdx,
                    c.f("common.percent", &[("n", &pct(e.score))])
                )
            })
            .collect();
        out.push(Block::Item(Mark::Bullet, c.t("license.evidence"), ev));
    }
    for d in &l.declared {
        let mark = match d.agrees {
            Some(true) => Mark::Met,
            Some(false) => Mark::NotMet,
            None => Mark::Bullet,
        };
        let mut s = c.f(
            "license.declared",
            &[("source", &d.source), ("spdx", &d.spdx)],
        );
        if d.spdx == NOASSERTION {
            let _ = write!(s, " (« {} »)", d.raw);
        }
        out.push(Block::Item(mark, s, vec![]));
    }
}

fn history_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
    out.push(Block::Heading(c.t("section.community")));
    let Some(h) = &a.history else {
        out.push(Block::Line(c.t("history.none")));
        return;
    };
    let lang = c.lang;
    let people = |n: u64| {
        c.f(
            if n == 1 { "word.person" } else { "word.people" },
            &[("n", &lang.number(n))],
        )
    };
    out.push(Block::Line(c.f(
        "history.commits",
        &[
            ("commits", &lang.number(h.commits)),
            ("non_merge", &lang.number(h.non_merge_commits)),
            ("authors", &people(h.authors)),
            (
                "first",
                &h.first_commit.as_ref().map(date).unwrap_or_default(),
            ),
            (
                "last",
                &h.last_commit.as_ref().map(date).unwrap_or_default(),
            ),
        ],
    )));
    let caf = h.contributor_absence_factor.to_string();
    let caf_mark = if h.contributor_absence_factor >= 2 {
        Mark::Met
    } else {
        Mark::Warning
    };
    let caf_key = if h.contributor_absence_factor == 1 {
        "history.caf_one"
    } else {
        "history.caf"
    };
    out.push(Block::Item(caf_mark, c.f(caf_key, &[("n", &caf)]), vec![]));
    if h.elephant_factor == 0 {
        out.push(Block::Item(Mark::Unknown, c.t("history.ef_zero"), vec![]));
    } else {
        let ef = h.elephant_factor.to_string();
        let mark = if h.elephant_factor >= 2 {
            Mark::Met
        } else {
            Mark::Warning
        };
        let ef_key = if h.elephant_factor == 1 {
            "history.ef_one"
        } else {
            "history.ef"
        };
        out.push(Block::Item(mark, c.f(ef_key, &[("n", &ef)]), vec![]));
    }
    if !h.organizations.is_empty() {
        let mut lines: Vec<String> = h
            .organizations
            .iter()
            .take(8)
            .map(|o| {
                c.f(
                    "history.org_line",
                    &[
                        ("name", &o.name),
                        ("kind", &kind_label(c, o.kind.as_str())),
                        ("commits", &lang.number(o.commits)),
                        ("authors", &o.authors.to_string()),
                    ],
                )
            })
            .collect();
        if h.organizations.len() > 8 {
            lines.push(c.f(
                "history.more_orgs",
                &[("n", &(h.organizations.len() - 8).to_string())],
            ));
        }
        if h.unaffiliated.commits > 0 {
            lines.push(c.f(
                "history.unaffiliated",
                &[
                    ("commits", &lang.number(h.unaffiliated.commits)),
                    ("authors", &h.unaffiliated.authors.to_string()),
                ],
            ));
        }
        out.push(Block::Item(Mark::Bullet, c.t("history.orgs"), lines));
    }
    if h.distinct_actor_kinds > 0 {
        let kinds: Vec<String> = h
            .actor_kinds
            .iter()
            .filter(|k| !k.kind.is_unknown())
            .map(|k| format!("{} ({})", kind_label(c, k.kind.as_str()), k.organizations))
            .collect();
        out.push(Block::Item(
            Mark::Bullet,
            c.f(
                "history.kinds",
                &[("n", &h.distinct_actor_kinds.to_string())],
            ),
            vec![kinds.join(", ")],
        ));
    } else if !h.organizations.is_empty() {
        out.push(Block::Item(
            Mark::Unknown,
            c.t("history.kinds_unknown"),
            vec![],
        ));
    }
    let w = |d: u32| {
        h.windows
            .iter()
            .find(|w| w.days == d)
            .map_or(0, |w| w.commits)
    };
    out.push(Block::Line(c.f(
        "history.activity",
        &[
            ("c90", &lang.number(w(90))),
            ("c365", &lang.number(w(365))),
            ("tags", &h.tags.last_365_days.to_string()),
        ],
    )));
}

fn document_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
    out.push(Block::Heading(c.t("section.documents")));
    let d = &a.documents;
    let docs = [
        ("readme", d.readme),
        ("contributing", d.contributing),
        ("governance", d.governance),
        ("code_of_conduct", d.code_of_conduct),
        ("security", d.security),
        ("changelog", d.changelog),
        ("authors", d.authors),
        ("maintainers", d.maintainers),
        ("roadmap", d.roadmap),
        ("install", d.install),
        ("deployment", d.deployment),
        ("trademark", d.trademark),
        ("documentation", d.documentation),
    ];
    for (k, present) in docs {
        let mark = if present { Mark::Met } else { Mark::NotMet };
        let files = d.files.get(k).map(|v| v.join(", ")).unwrap_or_default();
        let detail = if files.is_empty() {
            vec![]
        } else {
            vec![files]
        };
        out.push(Block::Item(mark, c.t(&format!("doc.{k}")), detail));
    }
    let p = &a.repository;
    for (k, present) in [("ci", p.ci), ("tests", p.tests), ("style", p.style)] {
        let mark = if present { Mark::Met } else { Mark::NotMet };
        out.push(Block::Item(mark, c.t(&format!("practice.{k}")), vec![]));
    }
    out.push(Block::Sub("publiccode.yml".into()));
    let pc = &a.publiccode;
    if !pc.present {
        out.push(Block::Item(Mark::NotMet, c.t("publiccode.absent"), vec![]));
    } else if pc.valid {
        out.push(Block::Item(
            Mark::Met,
            c.f(
                "publiccode.valid",
                &[("warnings", &pc.warnings.to_string())],
            ),
            vec![],
        ));
    } else {
        let detail: Vec<String> = pc
            .findings
            .iter()
            .filter(|f| f.severity == "error")
            .take(5)
            .map(|f| {
                format!(
                    "{} (l. {}) : {}",
                    if f.key.is_empty() { "—" } else { &f.key },
                    f.line,
                    f.message
                )
            })
            .collect();
        out.push(Block::Item(
            Mark::NotMet,
            c.f(
                "publiccode.invalid",
                &[
                    ("errors", &pc.errors.to_string()),
                    ("warnings", &pc.warnings.to_string()),
                ],
            ),
            detail,
        ));
    }
}

fn grid_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
    out.push(Block::Heading(
        c.f("section.grid", &[("title", a.grid_info.title.get(c.lang))]),
    ));
    for k in &a.spectrum.constituents {
        let level_label = |key: &str| {
            a.grid_info
                .levels
                .iter()
                .find(|l| l.key == key)
                .map_or_else(|| key.to_string(), |l| l.label.get(c.lang).to_string())
        };
        let reached = reached_text(a, c, k.reached.as_deref());
        out.push(Block::Sub(format!(
            "{} — {} ({} / {})",
            k.label.get(c.lang),
            reached,
            k.counts.met,
            k.counts.applicable()
        )));
        for r in a.grid.iter().filter(|r| r.constituent == k.key) {
            let mut title = r.title.get(c.lang).to_string();
            if r.origin == crate::grid::Origin::Archipel {
                let _ = write!(title, " {}", c.t("grid.origin_archipel"));
            }
            let level = lower_first(&level_label(&r.level));
            let line = c.f(
                "grid.item",
                &[
                    ("title", &title),
                    ("level", &level),
                    ("status", &c.t(&format!("status.{}", r.status.as_str()))),
                ],
            );
            let detail = r.evidence.iter().map(|e| evidence_line(c, e)).collect();
            out.push(Block::Item(Mark::of(r.status), line, detail));
        }
    }
}

fn reached_text(a: &Assessment, c: &Ctx<'_>, level: Option<&str>) -> String {
    match level {
        Some(l) => a
            .grid_info
            .levels
            .iter()
            .find(|x| x.key == l)
            .map_or_else(|| l.to_string(), |x| x.reached.get(c.lang).to_string()),
        None => c.t("grid.reached_none"),
    }
}

fn lower_first(s: &str) -> String {
    let mut ch = s.chars();
    match ch.next() {
        Some(f) => f.to_lowercase().chain(ch).collect(),
        None => String::new(),
    }
}

fn finding_text(c: &Ctx<'_>, f: &crate::Finding) -> String {
    let key = format!("finding.{}", f.id);
    if c.ui.has(&key) {
        let params: Vec<(&str, &str)> = f
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        c.f(&key, &params)
    } else {
        f.message.clone()
    }
}

fn todo_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
    // Manual keys still missing, with the constraints waiting for them.
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in &a.grid {
        for e in &r.evidence {
            if matches!(
                e.reason,
                "manual_missing"
                    | "no_evidence_file"
                    | "manual_without_link"
                    | "manual_licence_missing"
            ) && r.status == Status::Unknown
            {
                let v = missing.entry(e.key.as_str()).or_default();
                let t = r.title.get(c.lang).to_string();
                if !v.contains(&t) {
                    v.push(t);
                }
            }
        }
    }
    if missing.is_empty() {
        return;
    }
    out.push(Block::Heading(c.t("section.todo")));
    let file = a
        .evidence_file
        .as_ref()
        .map_or("archipel-evidence.toml", |f| f.path.as_str());
    out.push(Block::Line(c.f("todo.intro", &[("file", file)])));
    for (k, titles) in missing {
        let hint = format!("todo.hint.{k}");
        let mut detail = vec![titles.join(" ; ")];
        if c.ui.has(&hint) {
            detail.push(c.t(&hint));
        }
        out.push(Block::Item(Mark::Unknown, format!("[{k}]"), detail));
    }
}

/// The report's layout, in `lang`.
fn blocks(a: &Assessment, lang: Lang) -> Vec<Block> {
    let c = Ctx {
        ui: crate::ui::builtin(),
        lang,
    };
    let mut out = Vec::new();
    let name = a.publiccode.name.clone().unwrap_or_else(|| {
        let p = match a.target.kind {
            TargetKind::Url => a.target.input.as_str(),
            _ => a.target.path.as_str(),
        };
        let p = p.trim_end_matches(['/', '\\']);
        let last = p.rsplit(['/', '\\']).next().unwrap_or(p);
        last.trim_end_matches(".git").to_string()
    });
    out.push(Block::Title(c.f("report.title", &[("name", &name)])));
    let kind = match a.target.kind {
        TargetKind::WorkTree => "work_tree",
        TargetKind::Bare => "bare",
        TargetKind::Url => "url",
        TargetKind::Folder => "folder",
    };
    let mut target = format!("{} ({})", a.target.input, c.t(&format!("target.{kind}")));
    if let Some(h) = &a.target.head {
        let _ = write!(target, ", HEAD {}", &h[..h.len().min(10)]);
    }
    out.push(Block::Line(c.f("report.target", &[("target", &target)])));
    let mut when = c.f("report.assessed_at", &[("date", &date(&a.assessed_at))]);
    if let Some(s) = &a.since {
        let _ = write!(when, " · {}", c.f("report.since", &[("date", &date(s))]));
    }
    out.push(Block::Line(when));

    // In short.
    let s = &a.spectrum;
    out.push(Block::Heading(c.t("section.summary")));
    out.push(Block::Line(c.f(
        "summary.stage",
        &[
            ("stage", s.stage.label.get(lang)),
            ("rank", &s.stage.rank.to_string()),
            ("of", &s.stage.of.to_string()),
        ],
    )));
    out.push(Block::Meter(
        s.score,
        c.f(
            "summary.score",
            &[
                ("percent", &pct(s.score)),
                ("met", &s.counts.met.to_string()),
                ("applicable", &s.counts.applicable().to_string()),
            ],
        ),
    ));
    out.push(Block::Line(c.f(
        "summary.counts",
        &[
            ("met", &s.counts.met.to_string()),
            ("not_met", &s.counts.not_met.to_string()),
            ("unknown", &s.counts.unknown.to_string()),
            ("na", &s.counts.not_applicable.to_string()),
        ],
    )));
    for k in &s.constituents {
        let reached = reached_text(a, &c, k.reached.as_deref());
        let mark = match (k.counts.met, k.counts.applicable()) {
            (_, 0) => Mark::NotApplicable,
            (m, n) if m == n => Mark::Met,
            _ if k.counts.not_met == 0 => Mark::Unknown,
            _ => Mark::NotMet,
        };
        out.push(Block::Item(
            mark,
            c.f(
                "summary.constituent",
                &[
                    ("label", k.label.get(lang)),
                    ("met", &k.counts.met.to_string()),
                    ("applicable", &k.counts.applicable().to_string()),
                    ("reached", &reached),
                ],
            ),
            vec![],
        ));
    }
    if s.potential.rank > s.stage.rank {
        out.push(Block::Line(c.f(
            "summary.potential",
            &[("stage", s.potential.label.get(lang))],
        )));
    }
    let errors = a
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    if errors > 0 {
        out.push(Block::Line(
            c.f("summary.findings", &[("n", &errors.to_string())]),
        ));
    }

    licence_blocks(a, &c, &mut out);
    history_blocks(a, &c, &mut out);
    document_blocks(a, &c, &mut out);
    grid_blocks(a, &c, &mut out);

    if !a.findings.is_empty() {
        out.push(Block::Heading(c.t("section.findings")));
        for f in &a.findings {
            let mark = match f.severity {
                Severity::Error => Mark::Error,
                Severity::Warning => Mark::Warning,
                Severity::Info => Mark::Info,
            };
            out.push(Block::Item(mark, finding_text(&c, f), vec![]));
        }
    }
    todo_blocks(a, &c, &mut out);
    if !a.notes.is_empty() {
        out.push(Block::Heading(c.t("section.notes")));
        for n in &a.notes {
            let key = format!("note.{}", n.id);
            let text = if lang == Lang::Fr && c.ui.has(&key) {
                format!("{} ({})", c.t(&key), n.message)
            } else {
                n.message.clone()
            };
            out.push(Block::Item(Mark::Info, text, vec![]));
        }
    }
    out.push(Block::Heading(c.t("section.credit")));
    out.push(Block::Line(
        c.f("credit.line", &[("credit", &a.grid_info.credit)]),
    ));
    out
}

// ---- text --------------------------------------------------------------

const WIDTH: usize = 80;

fn wrap(text: &str, first: &str, rest: &str, out: &mut String) {
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

fn text(blocks: &[Block]) -> String {
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

// ---- markdown ----------------------------------------------------------

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if "\\`*_[]<>#|".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut in_list = false;
    for b in blocks {
        let is_item = matches!(b, Block::Item(..));
        if in_list && !is_item {
            // A paragraph right after a list would continue its last item.
            out.push('\n');
        }
        in_list = is_item;
        match b {
            Block::Title(t) => {
                let _ = writeln!(out, "# {}\n", md_escape(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "\n## {}\n", md_escape(t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "\n### {}\n", md_escape(t));
            }
            Block::Line(t) => {
                let _ = writeln!(out, "{}\n", md_escape(t));
            }
            Block::Item(m, t, detail) => {
                let _ = writeln!(out, "- {} **{}**", m.symbol(), md_escape(t));
                for d in detail {
                    let _ = writeln!(out, "  - {}", md_escape(d));
                }
            }
            Block::Meter(x, label) => {
                let filled = ((x.clamp(0.0, 1.0)) * 20.0).round() as usize;
                let _ = writeln!(
                    out,
                    "`{}{}` {}\n",
                    "█".repeat(filled),
                    "░".repeat(20 - filled),
                    md_escape(label)
                );
            }
        }
    }
    out
}

// ---- html --------------------------------------------------------------

/// Escapes text for HTML content and attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    // askama's escaper, the one the web pages use.
    match askama::filters::escape(s, askama::filters::Html) {
        Ok(escaped) => escaped.to_string(),
        Err(never) => match never {},
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}\
h1{font-size:1.6rem;border-bottom:3px solid #000091;padding-bottom:.3rem}h2{margin-top:2rem;color:#000091}h3{margin-bottom:.3rem}\
ul{list-style:none;padding-left:0;margin:.2rem 0}li{margin:.25rem 0}li ul{padding-left:1.6rem;color:#3a3a3a;font-size:.95em}\
.mark{display:inline-block;width:1.4em;text-align:center;font-weight:bold;border-radius:3px;margin-right:.4em}\
.met .mark{color:#fff;background:#18753c}.not-met .mark{color:#fff;background:#ce0500}.unknown .mark{color:#1b1b1b;background:#fcc63a}\
.na .mark{color:#fff;background:#929292}.error .mark{color:#fff;background:#ce0500}.warning .mark{color:#1b1b1b;background:#fcc63a}\
.info .mark,.bullet .mark{color:#000091}meter{width:16rem;height:1.1rem;vertical-align:middle;margin-right:.6rem}";

fn html(blocks: &[Block], lang: Lang) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("Archipel");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.as_str(),
        html_escape(title)
    );
    let mut in_list = false;
    for b in blocks {
        let is_item = matches!(b, Block::Item(..));
        if in_list && !is_item {
            out.push_str("</ul>\n");
            in_list = false;
        }
        match b {
            Block::Title(t) => {
                let _ = writeln!(out, "<h1>{}</h1>", html_escape(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "<h2>{}</h2>", html_escape(t));
            }
            Block::Sub(t) => {
                let _ = writeln!(out, "<h3>{}</h3>", html_escape(t));
            }
            Block::Line(t) => {
                let _ = writeln!(out, "<p>{}</p>", html_escape(t));
            }
            Block::Item(m, t, detail) => {
                if !in_list {
                    out.push_str("<ul>\n");
                    in_list = true;
                }
                let _ = write!(
                    out,
                    "<li class=\"{}\"><span class=\"mark\">{}</span>{}",
                    m.class(),
                    html_escape(m.symbol()),
                    html_escape(t)
                );
                if !detail.is_empty() {
                    out.push_str("<ul>");
                    for d in detail {
                        let _ = write!(out, "<li>{}</li>", html_escape(d));
                    }
                    out.push_str("</ul>");
                }
                out.push_str("</li>\n");
            }
            Block::Meter(x, label) => {
                let _ = writeln!(
                    out,
                    "<p><meter min=\"0\" max=\"1\" value=\"{:.3}\"></meter>{}</p>",
                    x.clamp(0.0, 1.0),
                    html_escape(label)
                );
            }
        }
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
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
    use super::*;

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
