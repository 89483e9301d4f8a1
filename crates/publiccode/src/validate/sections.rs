//! Decoding and checking the sections of the document below its root
//! (support, audience, descriptions, legal, maintenance, localisation,
//! dependencies, organisations).

use super::decode::{error, warning, Cx, Obj, Out};
use super::path::Path;
use super::rules::{
    country, deprecated, file_ref, http_url, language, max_len, one_of, required_str, uri_with_ipa,
};
use crate::checks;
use crate::data;
use crate::model::*;
use crate::yaml::{Kind, Node};
use crate::{Finding, NetKind, Severity};
use std::collections::HashSet;

pub(super) fn support(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Support> {
    let mut o = Obj::open(cx, Some(node), path);
    let id = o.str(cx, "id");
    o.finish(cx, &["id"]);
    if o.dropped() {
        return None;
    }
    let p = o.path.key("id");
    if required_str(cx, out, &p, &id) {
        if let Some(v) = &id {
            if let Some(alias) = v.strip_prefix("alias:") {
                if !data::SUPPORT_ALIASES.contains(&alias) {
                    error(
                        cx,
                        out,
                        &p,
                        format!(
                            "`{alias}` is not a known alias; known aliases are {}",
                            data::SUPPORT_ALIASES.join(", ")
                        ),
                    );
                }
            } else if !checks::is_uri(v) {
                error(
                    cx,
                    out,
                    &p,
                    format!("`{v}` is neither `alias:<name>` nor a URI"),
                );
            }
        }
    }
    Some(Support { id })
}

pub(super) fn intended_audience(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<IntendedAudience> {
    node?;
    let mut o = Obj::open(cx, node, path);
    let scope = o.str_list(cx, "scope");
    let countries = o.str_list(cx, "countries");
    let unsupported = o.str_list(cx, "unsupportedCountries");
    o.finish(cx, &["scope", "countries", "unsupportedCountries"]);
    if o.dropped() {
        return None;
    }
    for (i, s) in &scope {
        if !data::SCOPES.contains(&s.as_str()) {
            error(
                cx,
                out,
                &o.path.key("scope").index(*i),
                format!("`{s}` is not a scope of the standard"),
            );
        }
    }
    for (i, c) in &countries {
        country(cx, out, &o.path.key("countries").index(*i), c);
    }
    for (i, c) in &unsupported {
        country(cx, out, &o.path.key("unsupportedCountries").index(*i), c);
    }
    Some(IntendedAudience {
        scope: scope.into_iter().map(|(_, s)| s).collect(),
        countries: countries.into_iter().map(|(_, s)| s).collect(),
        unsupported_countries: unsupported.into_iter().map(|(_, s)| s).collect(),
    })
}

pub(super) fn description(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Vec<(String, Description)> {
    let mut result = Vec::new();
    let mut bad_language = false;
    match node.map(|n| &n.kind) {
        Some(Kind::Map(entries)) => {
            let mut seen = HashSet::new();
            for (k, v) in entries {
                let Some(lang) = k.scalar().map(|s| s.value.clone()) else {
                    cx.decoding.push(Finding {
                        severity: Severity::Error,
                        key: path.render(),
                        line: k.pos.line,
                        column: k.pos.column,
                        message: "language keys must be plain strings".into(),
                    });
                    continue;
                };
                if !seen.insert(lang.clone()) {
                    cx.decoding.push(Finding {
                        severity: Severity::Error,
                        key: path.key(lang.clone()).render(),
                        line: k.pos.line,
                        column: k.pos.column,
                        message: format!(
                            "language `{lang}` appears more than once; only the first one is read"
                        ),
                    });
                    continue;
                }
                if !checks::is_language_tag(&lang) {
                    bad_language = true;
                    error(
                        cx,
                        out,
                        &path,
                        format!("`{lang}` is not a valid BCP 47 language tag (as `en`, `fr` or `pt-BR`)"),
                    );
                }
                if let Some(d) = description_language(cx, out, v, path.key(lang.clone())) {
                    result.push((lang, d));
                }
            }
        }
        Some(_) if node.is_some_and(Node::is_null) => {}
        Some(_) => {
            if let Some(n) = node {
                cx.type_error(n, "a mapping of languages");
            }
        }
        None => {}
    }
    if result.is_empty() && !bad_language {
        error(
            cx,
            out,
            &path,
            "a description in at least one language is required",
        );
    }
    result
}

fn description_language(
    cx: &mut Cx,
    out: &mut Out,
    node: &Node,
    path: Path,
) -> Option<Description> {
    let mut o = Obj::open(cx, Some(node), path);
    let mut d = Description {
        localised_name: o.str(cx, "localisedName"),
        generic_name: o.str(cx, "genericName"),
        short_description: o.str(cx, "shortDescription"),
        long_description: o.str(cx, "longDescription"),
        documentation: o.str(cx, "documentation"),
        api_documentation: o.str(cx, "apiDocumentation"),
        ..Description::default()
    };
    let features_node = o.get("features");
    let features = o.str_list(cx, "features");
    let screenshots = o.str_list(cx, "screenshots");
    let videos = o.str_list(cx, "videos");
    let awards = o.str_list(cx, "awards");
    o.finish(
        cx,
        &[
            "localisedName",
            "genericName",
            "shortDescription",
            "longDescription",
            "documentation",
            "apiDocumentation",
            "features",
            "screenshots",
            "videos",
            "awards",
        ],
    );
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    if let Some(g) = d.generic_name.as_deref().filter(|g| !g.is_empty()) {
        max_len(cx, out, &p("genericName"), g, 35);
        deprecated(
            cx,
            out,
            &p("genericName"),
            "describe the kind of software in `shortDescription`",
        );
    }
    if required_str(cx, out, &p("shortDescription"), &d.short_description) {
        if let Some(s) = &d.short_description {
            max_len(cx, out, &p("shortDescription"), s, 150);
        }
    }
    if required_str(cx, out, &p("longDescription"), &d.long_description) {
        if let Some(s) = &d.long_description {
            if checks::shorter_than(s, 150) {
                let n = checks::graphemes(s);
                error(
                    cx,
                    out,
                    &p("longDescription"),
                    format!("too short: {n} characters, at least 150 are expected"),
                );
            }
            max_len(cx, out, &p("longDescription"), s, 10_000);
        }
    }
    for key in ["documentation", "apiDocumentation"] {
        let v = if key == "documentation" {
            d.documentation.clone()
        } else {
            d.api_documentation.clone()
        };
        if let Some(u) = v {
            http_url(cx, out, &p(key), &u);
        }
    }
    if features.is_empty() {
        let msg = if features_node.is_some() {
            "list at least one feature"
        } else {
            "this key is required: list the main features of the software"
        };
        error(cx, out, &p("features"), msg);
    }
    for (i, s) in &screenshots {
        file_ref(cx, out, &p("screenshots").index(*i), s);
    }
    for (i, v) in &videos {
        let vp = p("videos").index(*i);
        if checks::is_http_url(v) {
            cx.net_push(&vp, v, NetKind::OEmbed);
        } else {
            error(
                cx,
                out,
                &vp,
                format!("`{v}` is not a valid http or https URL"),
            );
        }
    }
    d.features = features.into_iter().map(|(_, s)| s).collect();
    d.screenshots = screenshots.into_iter().map(|(_, s)| s).collect();
    d.videos = videos.into_iter().map(|(_, s)| s).collect();
    d.awards = awards.into_iter().map(|(_, s)| s).collect();
    out.append(&mut o.pending);
    Some(d)
}

pub(super) fn legal(cx: &mut Cx, out: &mut Out, node: Option<&Node>, path: Path) -> Option<Legal> {
    let mut o = Obj::open(cx, node, path);
    let l = Legal {
        license: o.str(cx, "license"),
        main_copyright_owner: o.str(cx, "mainCopyrightOwner"),
        repo_owner: o.str(cx, "repoOwner"),
        authors_file: o.str(cx, "authorsFile"),
    };
    o.finish(
        cx,
        &["license", "mainCopyrightOwner", "repoOwner", "authorsFile"],
    );
    let l = if o.dropped() { Legal::default() } else { l };
    let p = |k: &'static str| o.path.key(k);
    if required_str(cx, out, &p("license"), &l.license) {
        if let Some(lic) = &l.license {
            match checks::check_license(lic) {
                Ok(()) => {}
                Err(checks::LicenseProblem::Invalid(why)) => error(
                    cx,
                    out,
                    &p("license"),
                    format!("`{lic}` is not a valid SPDX licence expression ({why})"),
                ),
                Err(checks::LicenseProblem::Deprecated(ids)) => warning(
                    cx,
                    out,
                    &p("license"),
                    format!(
                        "deprecated SPDX identifier(s): {}; prefer the current ones (as `GPL-3.0-only` or `GPL-3.0-or-later`)",
                        ids.join(", ")
                    ),
                ),
            }
        }
    }
    if l.repo_owner.as_deref().is_some_and(|s| !s.is_empty()) {
        deprecated(
            cx,
            out,
            &p("repoOwner"),
            "name the publisher in `organisation.name`",
        );
    }
    if let Some(a) = l.authors_file.clone().filter(|a| !a.is_empty()) {
        deprecated(
            cx,
            out,
            &p("authorsFile"),
            "keep the authors file in the repository without listing it here",
        );
        file_ref(cx, out, &p("authorsFile"), &a);
    }
    if o.dropped() {
        return None;
    }
    out.append(&mut o.pending);
    Some(l)
}

pub(super) fn maintenance(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<Maintenance> {
    let mut o = Obj::open(cx, node, path);
    let kind = o.str(cx, "type");
    let contractors_node = o.get("contractors");
    let contacts_node = o.get("contacts");
    let contractor_items = o.list(cx, "contractors");
    let contact_items = o.list(cx, "contacts");
    o.finish(cx, &["type", "contractors", "contacts"]);

    let mut contractors = Vec::new();
    let mut contractor_findings = Vec::new();
    for (i, item) in contractor_items.unwrap_or(&[]).iter().enumerate() {
        if let Some(c) = contractor(
            cx,
            &mut contractor_findings,
            item,
            o.path.key("contractors").index(i),
        ) {
            contractors.push(c);
        }
    }
    let mut contacts = Vec::new();
    for (i, item) in contact_items.unwrap_or(&[]).iter().enumerate() {
        if let Some(c) = contact(cx, &mut o.pending, item, o.path.key("contacts").index(i)) {
            contacts.push(c);
        }
    }
    let dropped = o.dropped();
    let kind = if dropped { None } else { kind };
    let p = |k: &'static str| o.path.key(k);
    if required_str(cx, out, &p("type"), &kind) {
        if let Some(t) = kind.as_deref() {
            one_of(cx, out, &p("type"), t, data::MAINTENANCE_TYPES);
            let has_contractors = contractors_node.is_some_and(|n| !n.is_null());
            match t {
                "contract" => {
                    if contractors.is_empty() {
                        error(
                            cx,
                            out,
                            &p("contractors"),
                            "with maintenance type `contract`, list at least one contractor",
                        );
                    }
                    out.append(&mut contractor_findings);
                }
                _ if has_contractors => error(
                    cx,
                    out,
                    &p("contractors"),
                    format!(
                        "contractors are only allowed with maintenance type `contract`, not `{t}`"
                    ),
                ),
                _ => {}
            }
            if matches!(t, "internal" | "community") && contacts.is_empty() {
                let _ = contacts_node;
                error(
                    cx,
                    out,
                    &p("contacts"),
                    format!("with maintenance type `{t}`, list at least one contact"),
                );
            }
        }
    }
    if dropped {
        return None;
    }
    out.append(&mut o.pending);
    Some(Maintenance {
        kind,
        contractors,
        contacts,
    })
}

fn contractor(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Contractor> {
    let mut o = Obj::open(cx, Some(node), path);
    let c = Contractor {
        name: o.str(cx, "name"),
        email: o.str(cx, "email"),
        website: o.str(cx, "website"),
        until: o.str(cx, "until"),
    };
    o.finish(cx, &["name", "email", "website", "until"]);
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    required_str(cx, out, &p("name"), &c.name);
    if required_str(cx, out, &p("until"), &c.until) {
        if let Some(d) = &c.until {
            if !checks::is_date(d) {
                error(
                    cx,
                    out,
                    &p("until"),
                    format!("`{d}` is not a date written as YYYY-MM-DD"),
                );
            }
        }
    }
    if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
        if !checks::is_email(e) {
            error(
                cx,
                out,
                &p("email"),
                format!("`{e}` is not a valid e-mail address"),
            );
        }
    }
    if let Some(w) = c.website.clone() {
        http_url(cx, out, &p("website"), &w);
    }
    Some(c)
}

fn contact(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Contact> {
    let mut o = Obj::open(cx, Some(node), path);
    let c = Contact {
        name: o.str(cx, "name"),
        email: o.str(cx, "email"),
        affiliation: o.str(cx, "affiliation"),
        phone: o.str(cx, "phone"),
    };
    o.finish(cx, &["name", "email", "affiliation", "phone"]);
    if o.dropped() {
        return None;
    }
    let p = |k: &'static str| o.path.key(k);
    required_str(cx, out, &p("name"), &c.name);
    if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
        if !checks::is_email(e) {
            error(
                cx,
                out,
                &p("email"),
                format!("`{e}` is not a valid e-mail address"),
            );
        }
    }
    Some(c)
}

pub(super) fn localisation(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<Localisation> {
    let mut o = Obj::open(cx, node, path);
    let ready = o.bool(cx, "localisationReady");
    let languages = o.str_list(cx, "availableLanguages");
    o.finish(cx, &["localisationReady", "availableLanguages"]);
    let dropped = o.dropped();
    let (ready, languages) = if dropped {
        (None, Vec::new())
    } else {
        (ready, languages)
    };
    let p = |k: &'static str| o.path.key(k);
    if ready.is_none() {
        error(
            cx,
            out,
            &p("localisationReady"),
            "this key is required: say with true or false whether the software can be translated",
        );
    }
    if languages.is_empty() {
        error(
            cx,
            out,
            &p("availableLanguages"),
            "this key is required: list at least one language the software is available in",
        );
    }
    for (i, l) in &languages {
        language(cx, out, &p("availableLanguages").index(*i), l);
    }
    if dropped {
        return None;
    }
    Some(Localisation {
        localisation_ready: ready,
        available_languages: languages.into_iter().map(|(_, s)| s).collect(),
    })
}

pub(super) fn depends_on(
    cx: &mut Cx,
    out: &mut Out,
    node: Option<&Node>,
    path: Path,
) -> Option<DependsOn> {
    node?;
    let mut o = Obj::open(cx, node, path);
    let mut lists: [Vec<Dependency>; 3] = Default::default();
    let mut pending = Vec::new();
    for (slot, key) in lists.iter_mut().zip(["open", "proprietary", "hardware"]) {
        if let Some(items) = o.list(cx, key) {
            for (i, item) in items.iter().enumerate() {
                if let Some(d) = dependency(cx, &mut pending, item, o.path.key(key).index(i)) {
                    slot.push(d);
                }
            }
        }
    }
    o.finish(cx, &["open", "proprietary", "hardware"]);
    if o.dropped() {
        return None;
    }
    out.append(&mut pending);
    let [open, proprietary, hardware] = lists;
    Some(DependsOn {
        open,
        proprietary,
        hardware,
    })
}

fn dependency(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<Dependency> {
    let mut o = Obj::open(cx, Some(node), path);
    let d = Dependency {
        name: o.str(cx, "name"),
        version_min: o.str(cx, "versionMin"),
        version_max: o.str(cx, "versionMax"),
        version: o.str(cx, "version"),
        optional: o.bool(cx, "optional"),
    };
    o.finish(
        cx,
        &["name", "versionMin", "versionMax", "version", "optional"],
    );
    if o.dropped() {
        return None;
    }
    required_str(cx, out, &o.path.key("name"), &d.name);
    Some(d)
}

pub(super) fn organisation(
    cx: &mut Cx,
    out: &mut Out,
    node: &Node,
    path: Path,
) -> Option<Organisation> {
    let (name, uri) = name_and_uri(cx, out, node, path)?;
    Some(Organisation { name, uri })
}

pub(super) fn funder(
    cx: &mut Cx,
    out: &mut Out,
    node: &Node,
    path: Path,
) -> Option<FundingOrganisation> {
    let (name, uri) = name_and_uri(cx, out, node, path)?;
    Some(FundingOrganisation { name, uri })
}

type NameUri = (Option<String>, Option<String>);

/// An organisation's `name` and `uri`, the uri required and checked
/// against the iPA codes when it names one. `None` when the node is not a
/// mapping.
fn name_and_uri(cx: &mut Cx, out: &mut Out, node: &Node, path: Path) -> Option<NameUri> {
    let mut o = Obj::open(cx, Some(node), path);
    let name = o.str(cx, "name");
    let uri = o.str(cx, "uri");
    o.finish(cx, &["name", "uri"]);
    if o.dropped() {
        return None;
    }
    let p = o.path.key("uri");
    if required_str(cx, out, &p, &uri) {
        if let Some(u) = &uri {
            uri_with_ipa(cx, out, &p, u);
        }
    }
    Some((name, uri))
}
