//! The blocks of each part of the report: licence, history, documents,
//! grid, findings and what to do next.

use super::layout::{date, evidence_line, kind_label, pct, Ctx};
use super::{Block, Mark};
use crate::report::{Assessment, Status};
use archipel_license::{Copyleft, CrpaStatus, NOASSERTION, NONE};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub(super) fn licence_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
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

pub(super) fn history_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
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

pub(super) fn document_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
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

pub(super) fn grid_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
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

pub(super) fn reached_text(a: &Assessment, c: &Ctx<'_>, level: Option<&str>) -> String {
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

pub(super) fn finding_text(c: &Ctx<'_>, f: &crate::Finding) -> String {
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

pub(super) fn todo_blocks(a: &Assessment, c: &Ctx<'_>, out: &mut Vec<Block>) {
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
