//! Turning the licence strings that catalogues write ("GPL V2.0",
//! "LGPL-2.1, LGPL-3.0", "MPL 2.0 et EPL 1.0", "N/A") into SPDX expressions.
//!
//! Rules, in order:
//! 1. empty, `N/A`, `?` and the like mean "unknown" (`None`);
//! 2. a string that already parses as an SPDX expression (lax mode: `+`,
//!    `/` for OR, deprecated ids) is kept, in canonical form;
//! 3. otherwise it is split on `,`, `;`, ` et `, ` and `, and each part is
//!    tidied (`V2.0` → `2.0`, spaces → `-`, `-3` → `-3.0`) and parsed; the
//!    parts are joined with `AND`, the reading that does not assume a
//!    choice the catalogue did not state;
//! 4. a part that still does not parse makes the whole value unknown: the
//!    caller keeps the original text so nothing is lost.

use spdx::expression::{ExprNode, Operator};
use spdx::{Expression, LicenseItem, LicenseReq, ParseMode};

/// Canonical SPDX expression for `raw`, or `None` when it cannot be read.
pub fn normalise(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty()
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "n/a" | "na" | "?" | "-" | "inconnue" | "unknown"
        )
    {
        return None;
    }
    if let Some(e) = parse(t) {
        return Some(e);
    }
    let lowered = t
        .replace(" et ", ",")
        .replace(" and ", ",")
        .replace(';', ",");
    let mut parts = Vec::new();
    for p in lowered.split(',') {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        let e = parse(p).or_else(|| parse(&tidy(p)))?;
        if e.contains(' ') {
            parts.push(format!("({e})"));
        } else {
            parts.push(e);
        }
    }
    match parts.len() {
        0 => None,
        _ => Some(parts.join(" AND ")),
    }
}

fn parse(s: &str) -> Option<String> {
    let e = Expression::parse_mode(s, ParseMode::LAX).ok()?;
    Some(canonical(&e))
}

/// Writes an expression with current SPDX ids (`GPL-3.0` → `GPL-3.0-only`,
/// `GPL-2.0+` → `GPL-2.0-or-later`, `/` → `OR`), parenthesising only
/// where operators differ.
fn canonical(e: &Expression) -> String {
    let mut stack: Vec<(String, Option<Operator>)> = Vec::new();
    for node in e.iter() {
        match node {
            ExprNode::Req(r) => stack.push((requirement(&r.req), None)),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    return e.to_string();
                };
                let wrap = |(text, inner): (String, Option<Operator>)| match inner {
                    Some(i) if i != *op => format!("({text})"),
                    _ => text,
                };
                let word = match op {
                    Operator::And => "AND",
                    Operator::Or => "OR",
                };
                stack.push((format!("{} {word} {}", wrap(a), wrap(b)), Some(*op)));
            }
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some((text, _)), true) => text,
        _ => e.to_string(),
    }
}

fn requirement(req: &LicenseReq) -> String {
    let base = match &req.license {
        LicenseItem::Spdx { id, or_later } if id.is_gnu() => {
            let stem = id
                .name
                .trim_end_matches("-only")
                .trim_end_matches("-or-later");
            let later = *or_later || id.name.ends_with("-or-later");
            spdx::gnu_license_id(stem, later)
                .map(|i| i.name.to_string())
                .unwrap_or_else(|| id.name.to_string())
        }
        LicenseItem::Spdx { id, or_later: true } => format!("{}+", id.name),
        LicenseItem::Spdx { id, .. } => id.name.to_string(),
        LicenseItem::Other(r) => r.to_string(),
    };
    match &req.addition {
        Some(a) => format!("{base} WITH {a}"),
        None => base,
    }
}

fn tidy(p: &str) -> String {
    let mut s = p
        .trim()
        .replace(" V", "-")
        .replace(" v", "-")
        .replace("-v", "-")
        .replace("-V", "-");
    s = s.replace(' ', "-");
    // A bare major version ("AGPL-3", "LGPL-2") gets its ".0".
    if let Some((base, ver)) = s.rsplit_once('-') {
        if !ver.is_empty() && ver.bytes().all(|b| b.is_ascii_digit()) {
            s = format!("{base}-{ver}.0");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn catalogue_strings() {
        let n = |s: &str| normalise(s);
        assert_eq!(n("Apache-2.0").as_deref(), Some("Apache-2.0"));
        assert_eq!(n("GPL-3.0").as_deref(), Some("GPL-3.0-only"));
        assert_eq!(n("GPL-2.0+").as_deref(), Some("GPL-2.0-or-later"));
        assert_eq!(n("AGPL-3").as_deref(), Some("AGPL-3.0-only"));
        assert_eq!(n("GPL V2.0").as_deref(), Some("GPL-2.0-only"));
        assert_eq!(n("LGPL-v2.1").as_deref(), Some("LGPL-2.1-only"));
        assert_eq!(
            n("MPL 2.0 et EPL 1.0").as_deref(),
            Some("MPL-2.0 AND EPL-1.0")
        );
        assert_eq!(
            n("LGPL-2.1, LGPL-2.0,  LGPL-3.0").as_deref(),
            Some("LGPL-2.1-only AND LGPL-2.0-only AND LGPL-3.0-only")
        );
        assert_eq!(
            n("GPL-2.0-only / LGPL-2.0-only").as_deref(),
            Some("GPL-2.0-only OR LGPL-2.0-only")
        );
        assert_eq!(n("CECILL-B").as_deref(), Some("CECILL-B"));
        assert_eq!(n("N/A"), None);
        assert_eq!(n(""), None);
        assert_eq!(n("Licence maison"), None);
    }
}
