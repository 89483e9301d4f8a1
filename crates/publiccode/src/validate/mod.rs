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
use crate::model::*;
use crate::yaml::Kind;
use crate::NetKind;

mod decode;
mod italian_section;
mod path;
mod rules;
mod sections;

pub(crate) use decode::Cx;
use decode::{decode_str, error, warning, Obj, Out};
use italian_section::italian;
#[cfg(feature = "network")]
pub(crate) use path::locate;
pub(crate) use path::Path;
use rules::{deprecated, http_url, image_ref, one_of, required_str};
use sections::{
    depends_on, description, funder, intended_audience, legal, localisation, maintenance,
    organisation, support,
};

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
