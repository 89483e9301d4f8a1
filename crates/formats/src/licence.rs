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

/// Like [`normalise`], and also licence *names* ("GNU GPL v3", "Licence
/// Ouverte / Open Licence version 2.0", "Open Data Commons Open Database
/// License (ODbL)", read by `archipel-license` with the aliases of
/// `content/licenses/aliases.toml`) and the licence *links* data
/// catalogues write instead of a name ([`from_url`]). For the Comptoir du
/// Libre's, DCAT's and ChatonsInfos' free-text licences.
pub fn normalise_any(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.starts_with("http://") || t.starts_with("https://") {
        return from_url(t);
    }
    normalise(t).or_else(|| archipel_license::declared_expression(t))
}

/// The SPDX id of a licence link: an SPDX licence page
/// (`https://spdx.org/licenses/etalab-2.0.html`), or the address a data
/// catalogue gives for a licence that has one (data.gouv.fr's list: the
/// Licence Ouverte 2.0, Open Data Commons, Creative Commons). The
/// Licence Ouverte 1.0 (`fr-lo`) has no SPDX id: unknown.
pub fn from_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    if let Some(id) = rest.strip_prefix("spdx.org/licenses/") {
        let id = id.trim_end_matches(".html").trim_end_matches(".json");
        return canonical_id(id);
    }
    const LINKS: &[(&str, &str)] = &[
        ("etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0"),
        (
            "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0",
            "etalab-2.0",
        ),
        ("opendatacommons.org/licenses/odbl", "ODbL-1.0"),
        ("opendatacommons.org/licenses/by", "ODC-By-1.0"),
        ("opendatacommons.org/licenses/pddl", "PDDL-1.0"),
        ("creativecommons.org/publicdomain/zero/1.0", "CC0-1.0"),
        ("creativecommons.org/licenses/by/4.0", "CC-BY-4.0"),
        ("creativecommons.org/licenses/by-sa/4.0", "CC-BY-SA-4.0"),
        ("opendefinition.org/licenses/cc-by-sa", "CC-BY-SA-4.0"),
        ("opendefinition.org/licenses/cc-by", "CC-BY-4.0"),
        ("opendefinition.org/licenses/cc-zero", "CC0-1.0"),
        ("gnu.org/licenses/agpl-3.0", "AGPL-3.0-only"),
        ("gnu.org/licenses/gpl-3.0", "GPL-3.0-only"),
        ("gnu.org/licenses/lgpl-3.0", "LGPL-3.0-only"),
        ("apache.org/licenses/license-2.0", "Apache-2.0"),
        ("opensource.org/licenses/mit", "MIT"),
        ("mozilla.org/mpl/2.0", "MPL-2.0"),
    ];
    LINKS
        .iter()
        .find(|(prefix, _)| rest.starts_with(prefix))
        .map(|(_, id)| id.to_string())
}

/// An SPDX id whatever its case (`odbl-1.0` → `ODbL-1.0`).
fn canonical_id(id: &str) -> Option<String> {
    spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(id))
        .and_then(|l| parse(l.name))
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

    #[test]
    fn names_and_links() {
        use super::normalise_any as n;
        assert_eq!(n("GNU GPL v3").as_deref(), Some("GPL-3.0-only"));
        assert_eq!(n("AGPLv3").as_deref(), Some("AGPL-3.0-only"));
        assert_eq!(
            n("Licence Ouverte / Open Licence version 2.0").as_deref(),
            Some("etalab-2.0")
        );
        assert_eq!(
            n("Open Data Commons Open Database License (ODbL)").as_deref(),
            Some("ODbL-1.0")
        );
        assert_eq!(
            n("https://www.etalab.gouv.fr/licence-ouverte-open-licence").as_deref(),
            Some("etalab-2.0")
        );
        assert_eq!(
            n("http://opendatacommons.org/licenses/odbl/summary/").as_deref(),
            Some("ODbL-1.0")
        );
        assert_eq!(
            n("https://spdx.org/licenses/etalab-2.0.html").as_deref(),
            Some("etalab-2.0")
        );
        // The Licence Ouverte 1.0 has no SPDX id.
        assert_eq!(
            n("http://www.data.gouv.fr/Licence-Ouverte-Open-Licence"),
            None
        );
        assert_eq!(n("Licence maison"), None);
    }
}
