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

use spdx::{Expression, ParseMode};

/// Canonical SPDX expression for `raw`, or `None` when it cannot be read.
pub fn normalise(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() || matches!(t.to_ascii_lowercase().as_str(), "n/a" | "na" | "?" | "-" | "inconnue" | "unknown") {
        return None;
    }
    if let Some(e) = parse(t) {
        return Some(e);
    }
    let lowered = t.replace(" et ", ",").replace(" and ", ",").replace(';', ",");
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
/// `GPL-2.0+` → `GPL-2.0-or-later`).
fn canonical(e: &Expression) -> String {
    let text = e.to_string();
    let mut out = Vec::new();
    for tok in text.split(' ') {
        let t = tok.trim_matches(|c| c == '(' || c == ')');
        let replaced = match spdx::license_id(t.trim_end_matches('+')) {
            Some(id) if id.is_gnu() && !t.ends_with("-only") && !t.ends_with("-or-later") => {
                let base = t.trim_end_matches('+');
                let suffix = if t.ends_with('+') { "-or-later" } else { "-only" };
                Some(format!("{base}{suffix}"))
            }
            _ => None,
        };
        match replaced {
            Some(r) => out.push(tok.replace(t, &r)),
            None => out.push(tok.to_string()),
        }
    }
    out.join(" ")
}

fn tidy(p: &str) -> String {
    let mut s = p.trim().replace(" V", "-").replace(" v", "-").replace("-v", "-").replace("-V", "-");
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
        assert_eq!(n("MPL 2.0 et EPL 1.0").as_deref(), Some("MPL-2.0 AND EPL-1.0"));
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
