//! Evaluating a grid: each constraint met, not met, unknown or not
//! applicable, then the place on the spectrum.
//!
//! Checks combine with three-valued logic: `all` is not met as soon as one
//! item is not met, met when all are, unknown otherwise; `any` is met as
//! soon as one item is met, not met when all are not, unknown otherwise.
//! Items that do not apply are left out; a combination of only such items
//! does not apply.

use crate::evidence::{Entry, EvidenceFile, ManualStatus};
use crate::grid::{Check, Expect, Grid};
use crate::keys::{auto_key, Fact, Facts, KeyType};
use crate::licence::{expression_copyleft, expression_free};
use crate::report::{
    ConstituentScore, ConstraintResult, Counts, EvidenceResult, LevelScore, Spectrum, StageRef,
    Status,
};
use archipel_license::Copyleft;
use serde_json::json;

fn combine(any: bool, items: &[Status]) -> Status {
    let applicable: Vec<Status> = items
        .iter()
        .copied()
        .filter(|s| *s != Status::NotApplicable)
        .collect();
    if applicable.is_empty() {
        return Status::NotApplicable;
    }
    let (decisive, other) = if any {
        (Status::Met, Status::NotMet)
    } else {
        (Status::NotMet, Status::Met)
    };
    if applicable.contains(&decisive) {
        decisive
    } else if applicable.iter().all(|s| *s == other) {
        other
    } else {
        Status::Unknown
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.3}")
    }
}

fn unknown_message(code: &str, key: &str) -> String {
    match code {
        "no_history" => format!(
            "`{key}` needs the history: the target is no git repository with readable commits"
        ),
        "licence_unrecognised" => {
            format!("`{key}`: the licence text matches no known licence closely enough")
        }
        "copyleft_unknown" => {
            format!("`{key}`: the share-alike strength of the licence is not known")
        }
        "local_target" => {
            format!("`{key}` is only known when the target is an https:// URL cloned anonymously")
        }
        _ => format!("`{key}` could not be computed"),
    }
}

fn eval_auto(
    expr: &str,
    key: &'static str,
    compare: Option<crate::grid::Comparison>,
    facts: &Facts,
) -> EvidenceResult {
    let fact = facts.get(key);
    let (status, value, reason, message) = match (&fact, compare) {
        (Fact::Unknown(code), _) => (Status::Unknown, None, *code, unknown_message(code, key)),
        (Fact::Bool(b), _) => (
            if *b { Status::Met } else { Status::NotMet },
            Some(json!(b)),
            if *b { "auto_true" } else { "auto_false" },
            format!("`{key}` is {b}"),
        ),
        (Fact::Number(n), Some((op, rhs))) => {
            let ok = op.test(*n, rhs);
            (
                if ok { Status::Met } else { Status::NotMet },
                Some(if auto_key(key).is_some_and(|k| k.kind == KeyType::Count) {
                    json!(*n as i64)
                } else {
                    json!(n)
                }),
                if ok {
                    "auto_compare_true"
                } else {
                    "auto_compare_false"
                },
                format!(
                    "`{key}` is {}, {} {} {}",
                    fmt_num(*n),
                    if ok { "which is" } else { "not" },
                    op.as_str(),
                    fmt_num(rhs)
                ),
            )
        }
        (Fact::Number(n), None) => (
            if *n > 0.0 {
                Status::Met
            } else {
                Status::NotMet
            },
            Some(json!(n)),
            if *n > 0.0 { "auto_true" } else { "auto_false" },
            format!("`{key}` is {}", fmt_num(*n)),
        ),
    };
    EvidenceResult {
        kind: "auto",
        key: key.to_string(),
        check: expr.to_string(),
        status,
        value,
        url: None,
        note: None,
        reason,
        message,
    }
}

fn licence_ok(spdx: &str, expect: Expect) -> Fact {
    match expect {
        Expect::Open => expression_free(spdx),
        Expect::ShareAlike => expression_copyleft(spdx, Copyleft::Weak),
    }
}

fn eval_manual(
    key: &str,
    expect: Option<Expect>,
    evidence: Option<&EvidenceFile>,
) -> EvidenceResult {
    let check = match expect {
        None => format!("manual:{key}"),
        Some(Expect::Open) => format!("manual:{key} (open licence)"),
        Some(Expect::ShareAlike) => format!("manual:{key} (share-alike licence)"),
    };
    let entry: Option<&Entry> = evidence.and_then(|f| f.get(key));
    let mut r = EvidenceResult {
        kind: "manual",
        key: key.to_string(),
        check,
        status: Status::Unknown,
        value: None,
        url: entry.and_then(|e| e.url.clone()),
        note: entry.and_then(|e| e.note.clone()),
        reason: "manual_missing",
        message: String::new(),
    };
    let Some(e) = entry else {
        r.message = match evidence {
            None => format!("no evidence file: add [{key}] with a link to archipel-evidence.toml"),
            Some(f) => format!("{} has no [{key}] entry", f.path),
        };
        if evidence.is_none() {
            r.reason = "no_evidence_file";
        }
        return r;
    };
    if let Some(l) = &e.license {
        r.value = Some(json!(l));
    }
    let set = |r: &mut EvidenceResult, s: Status, reason: &'static str, m: String| {
        r.status = s;
        r.reason = reason;
        r.message = m;
    };
    match e.status {
        Some(ManualStatus::NotApplicable) => {
            set(
                &mut r,
                Status::NotApplicable,
                "manual_not_applicable",
                format!("[{key}] says it does not apply"),
            );
            return r;
        }
        Some(ManualStatus::NotMet) => {
            set(
                &mut r,
                Status::NotMet,
                "manual_not_met",
                format!("[{key}] says it is not met"),
            );
            return r;
        }
        _ => {}
    }
    if e.url.is_none() {
        set(
            &mut r,
            Status::Unknown,
            "manual_without_link",
            format!("[{key}] gives no link: a claim without a link is no evidence"),
        );
        return r;
    }
    match (expect, &e.license) {
        (Some(x), Some(l)) => match licence_ok(l, x) {
            Fact::Bool(true) => set(
                &mut r,
                Status::Met,
                "manual_licence_ok",
                format!(
                    "[{key}] gives {l}, {}",
                    if x == Expect::Open {
                        "an open licence"
                    } else {
                        "a share-alike licence"
                    }
                ),
            ),
            Fact::Bool(false) => set(
                &mut r,
                Status::NotMet,
                if x == Expect::Open {
                    "manual_licence_not_open"
                } else {
                    "manual_licence_not_share_alike"
                },
                format!(
                    "[{key}] gives {l}, {}",
                    if x == Expect::Open {
                        "which is no open licence"
                    } else {
                        "which has no share-alike clause"
                    }
                ),
            ),
            Fact::Unknown(_) | Fact::Number(_) => set(
                &mut r,
                Status::Unknown,
                "manual_licence_unknown",
                format!("[{key}] gives {l}, whose terms are not known"),
            ),
        },
        (Some(_), None) => set(
            &mut r,
            Status::Unknown,
            "manual_licence_missing",
            format!("[{key}] gives no licence (add license = \"SPDX id\")"),
        ),
        (None, _) => set(
            &mut r,
            Status::Met,
            "manual_met",
            format!("[{key}] is met (see the link)"),
        ),
    }
    r
}

fn eval_check(
    c: &Check,
    facts: &Facts,
    ev: Option<&EvidenceFile>,
    out: &mut Vec<EvidenceResult>,
) -> Status {
    match c {
        Check::Auto { expr, key, compare } => {
            let r = eval_auto(expr, key, *compare, facts);
            let s = r.status;
            out.push(r);
            s
        }
        Check::Manual { key, expect } => {
            let r = eval_manual(key, *expect, ev);
            let s = r.status;
            out.push(r);
            s
        }
        Check::Any(items) | Check::All(items) => {
            let statuses: Vec<Status> = items
                .iter()
                .map(|i| eval_check(i, facts, ev, out))
                .collect();
            combine(matches!(c, Check::Any(_)), &statuses)
        }
    }
}

fn why(status: Status, evidence: &[EvidenceResult]) -> String {
    let pick = |s: Status| {
        evidence
            .iter()
            .filter(|e| e.status == s)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    match status {
        Status::Met => pick(Status::Met),
        Status::NotMet => pick(Status::NotMet),
        Status::Unknown => pick(Status::Unknown),
        Status::NotApplicable => pick(Status::NotApplicable),
    }
}

/// Evaluates every constraint of `grid`.
pub fn evaluate(
    grid: &Grid,
    facts: &Facts,
    evidence: Option<&EvidenceFile>,
) -> Vec<ConstraintResult> {
    grid.constraints
        .iter()
        .map(|c| {
            let mut leaves = Vec::new();
            let statuses: Vec<Status> = c
                .evidence
                .iter()
                .map(|e| eval_check(e, facts, evidence, &mut leaves))
                .collect();
            let status = combine(false, &statuses);
            ConstraintResult {
                id: c.id.clone(),
                constituent: c.constituent.clone(),
                level: c.level.clone(),
                origin: c.origin,
                title: c.title.clone(),
                why: why(status, &leaves),
                status,
                evidence: leaves,
            }
        })
        .collect()
}

fn stage_holds(stage: &crate::grid::Stage, results: &[ConstraintResult], optimistic: bool) -> bool {
    let ok = |s: Status| {
        s == Status::Met || s == Status::NotApplicable || (optimistic && s == Status::Unknown)
    };
    for r in &stage.requires {
        match results.iter().find(|c| &c.id == r) {
            Some(c) if ok(c.status) => {}
            _ => return false,
        }
    }
    for (level, min) in &stage.min_share {
        let mut met = 0usize;
        let mut applicable = 0usize;
        for c in results.iter().filter(|c| &c.level == level) {
            if c.status == Status::NotApplicable {
                continue;
            }
            applicable += 1;
            if ok(c.status) {
                met += 1;
            }
        }
        let share = if applicable == 0 {
            1.0
        } else {
            met as f64 / applicable as f64
        };
        if share + 1e-9 < *min {
            return false;
        }
    }
    true
}

fn stage_ref(grid: &Grid, results: &[ConstraintResult], optimistic: bool) -> StageRef {
    let mut best = 0usize;
    for (i, s) in grid.stages.iter().enumerate() {
        if stage_holds(s, results, optimistic) {
            best = i;
        }
    }
    let s = &grid.stages[best];
    StageRef {
        key: s.key.clone(),
        label: s.label.clone(),
        rank: best + 1,
        of: grid.stages.len(),
    }
}

/// Places the commons on the grid's spectrum.
pub fn spectrum(grid: &Grid, results: &[ConstraintResult]) -> Spectrum {
    let mut counts = Counts::default();
    results.iter().for_each(|r| counts.add(r.status));
    let levels = grid
        .levels
        .iter()
        .map(|l| {
            let mut c = Counts::default();
            results
                .iter()
                .filter(|r| r.level == l.key)
                .for_each(|r| c.add(r.status));
            LevelScore {
                level: l.key.clone(),
                share: c.share(),
                counts: c,
            }
        })
        .collect();
    let constituents = grid
        .constituents
        .iter()
        .map(|k| {
            let mine: Vec<&ConstraintResult> =
                results.iter().filter(|r| r.constituent == k.key).collect();
            let mut c = Counts::default();
            mine.iter().for_each(|r| c.add(r.status));
            let mut reached = None;
            for l in &grid.levels {
                let at: Vec<&&ConstraintResult> =
                    mine.iter().filter(|r| r.level == l.key).collect();
                if at
                    .iter()
                    .all(|r| matches!(r.status, Status::Met | Status::NotApplicable))
                {
                    if !at.is_empty() {
                        reached = Some(l.key.clone());
                    }
                } else {
                    break;
                }
            }
            ConstituentScore {
                key: k.key.clone(),
                label: k.label.clone(),
                reached,
                score: c.share(),
                counts: c,
            }
        })
        .collect();
    Spectrum {
        stage: stage_ref(grid, results, false),
        potential: stage_ref(grid, results, true),
        score: counts.share(),
        counts,
        levels,
        constituents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued() {
        use Status::*;
        assert_eq!(combine(false, &[Met, Met]), Met);
        assert_eq!(combine(false, &[Met, Unknown]), Unknown);
        assert_eq!(combine(false, &[Unknown, NotMet]), NotMet);
        assert_eq!(combine(true, &[Unknown, Met]), Met);
        assert_eq!(combine(true, &[NotMet, Unknown]), Unknown);
        assert_eq!(combine(true, &[NotMet, NotApplicable]), NotMet);
        assert_eq!(
            combine(false, &[NotApplicable, NotApplicable]),
            NotApplicable
        );
        assert_eq!(combine(false, &[NotApplicable, Met]), Met);
    }
}
