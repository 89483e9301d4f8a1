//! The Italian country section (`it`), deprecated by the standard 0.7.

use super::decode::{Cx, Obj, Out};
use super::path::Path;
use super::rules::{deprecated, ipa_code, one_of};
use crate::data;
use crate::model::*;
use crate::yaml::Node;

pub(super) fn italian(
    cx: &mut Cx,
    out: &mut Out,
    node: &Node,
    path: Path,
) -> Option<ItalianSection> {
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
