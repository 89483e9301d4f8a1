//! The report's layout: its blocks (titles, lines, marked items,
//! meters) in the reader's language, built once for every format.

use super::sections::{
    document_blocks, finding_text, grid_blocks, history_blocks, licence_blocks, reached_text,
    todo_blocks,
};
use super::{Block, Mark};
use crate::grid::Lang;
use crate::keys::{auto_key, KeyType};
use crate::report::{Assessment, EvidenceResult, Severity, TargetKind};
use archipel_content::UiStrings as Ui;
use std::fmt::Write as _;

pub(super) fn pct(x: f64) -> String {
    format!("{}", (x * 100.0).round() as i64)
}

pub(super) fn date(d: &chrono::DateTime<chrono::Utc>) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) struct Ctx<'a> {
    pub(super) ui: &'a Ui,
    pub(super) lang: Lang,
}

impl Ctx<'_> {
    pub(super) fn t(&self, key: &str) -> String {
        self.ui.get(key, self.lang).to_string()
    }
    pub(super) fn f(&self, key: &str, params: &[(&str, &str)]) -> String {
        self.ui.fmt(key, self.lang, params)
    }
    pub(super) fn yes_no(&self, b: bool) -> String {
        self.t(if b { "common.yes" } else { "common.no" })
    }
    pub(super) fn key_label(&self, key: &str) -> String {
        let k = format!("key.{key}");
        if self.ui.has(&k) {
            self.t(&k)
        } else {
            key.to_string()
        }
    }
}

pub(super) fn evidence_line(c: &Ctx<'_>, e: &EvidenceResult) -> String {
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
pub(super) fn kind_label(c: &Ctx<'_>, kind: &str) -> String {
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

/// The report's layout, in `lang`.
pub(super) fn blocks(a: &Assessment, lang: Lang) -> Vec<Block> {
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
