//! Every deprecated key of the standard (core and Italian section, as the
//! standard's documentation and CHANGELOG mark them, and as the reference
//! validator warns) gets a warning at its key that says what to write
//! instead; keys removed before 0.2 are errors that say what replaced them.

use archipel_publiccode::{validate, Finding, Options, Severity};

/// A valid file; each case appends or replaces a part of it.
const BASE: &str = r#"publiccodeYmlVersion: "0.7"
name: Medusa
url: "https://example.org/medusa.git"
platforms: [web]
developmentStatus: stable
softwareType: standalone/web
description:
  en:
    shortDescription: A short description.
    longDescription: A description long enough to say what the software does and who it is for.
      Catalogues show it on the page of the software, so it is at least 150 characters.
    features: [Maps]
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Ada
      email: ada@example.org
localisation:
  localisationReady: true
  availableLanguages: [fr, en]
"#;

fn findings(yaml: &str) -> Vec<Finding> {
    validate(yaml.as_bytes(), &Options::default()).findings
}

fn show(f: &[Finding]) -> String {
    f.iter()
        .map(Finding::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one finding at `key`, which must be a warning (`Severity::Warning`)
/// or an error, whose message holds every one of `words`.
fn assert_finding(yaml: &str, severity: Severity, key: &str, words: &[&str]) {
    let all = findings(yaml);
    let at: Vec<&Finding> = all.iter().filter(|f| f.key == key).collect();
    assert_eq!(at.len(), 1, "one finding at {key}:\n{}", show(&all));
    let f = at[0];
    assert_eq!(f.severity, severity, "{key}:\n{}", show(&all));
    assert!(f.line > 0, "{key} is placed in the file");
    for w in words {
        assert!(
            f.message.contains(w),
            "{key}: `{w}` not in \"{}\"",
            f.message
        );
    }
}

#[test]
fn the_base_file_is_valid_without_warnings() {
    assert!(findings(BASE).is_empty(), "{}", show(&findings(BASE)));
}

#[test]
fn core_deprecated_keys_say_what_replaces_them() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "monochromeLogo: logo-mono.svg\n",
            "monochromeLogo",
            &["deprecated", "`logo`"],
        ),
        (
            "inputTypes: [text/plain]\n",
            "inputTypes",
            &["deprecated", "drop"],
        ),
        (
            "outputTypes: [text/plain]\n",
            "outputTypes",
            &["deprecated", "drop"],
        ),
        (
            "intendedAudience:\n  countries: [it]\n",
            "intendedAudience.countries[0]",
            &["deprecated", "`IT`"],
        ),
        (
            "intendedAudience:\n  unsupportedCountries: [us]\n",
            "intendedAudience.unsupportedCountries[0]",
            &["deprecated", "`US`"],
        ),
    ];
    for (extra, key, words) in cases {
        assert_finding(&format!("{BASE}{extra}"), Severity::Warning, key, words);
    }
    let generic = BASE.replace(
        "    features: [Maps]\n",
        "    features: [Maps]\n    genericName: Map server\n",
    );
    assert_finding(
        &generic,
        Severity::Warning,
        "description.en.genericName",
        &["deprecated", "`shortDescription`"],
    );
    let owner = BASE.replace(
        "  license: EUPL-1.2\n",
        "  license: EUPL-1.2\n  repoOwner: City of Medusa\n",
    );
    assert_finding(
        &owner,
        Severity::Warning,
        "legal.repoOwner",
        &["deprecated", "`organisation.name`"],
    );
    // Without a base folder the file's existence is not checked: only the warning.
    let authors = BASE.replace(
        "  license: EUPL-1.2\n",
        "  license: EUPL-1.2\n  authorsFile: AUTHORS\n",
    );
    assert_finding(
        &authors,
        Severity::Warning,
        "legal.authorsFile",
        &["deprecated", "authors file"],
    );
    let old_id = BASE.replace("license: EUPL-1.2", "license: GPL-3.0");
    assert_finding(
        &old_id,
        Severity::Warning,
        "legal.license",
        &["deprecated", "GPL-3.0", "GPL-3.0-only"],
    );
    let old_version = BASE.replace("\"0.7\"", "\"0.4\"");
    assert_finding(
        &old_version,
        Severity::Warning,
        "publiccodeYmlVersion",
        &["0.4", "`0.7`"],
    );
}

#[test]
fn the_italian_section_and_its_deprecated_keys() {
    // The section itself (0.7): use `supports` and `organisation`.
    let it = format!("{BASE}IT:\n  countryExtensionVersion: \"1.0\"\n");
    assert_finding(
        &it,
        Severity::Warning,
        "IT",
        &["deprecated", "`supports`", "`organisation`"],
    );
    assert_eq!(findings(&it).len(), 1, "{}", show(&findings(&it)));

    // Lowercase `it`: one warning, saying both.
    let lower = format!("{BASE}it:\n  countryExtensionVersion: \"1.0\"\n");
    assert_finding(
        &lower,
        Severity::Warning,
        "it",
        &["deprecated", "`IT`", "`supports`"],
    );
    assert_eq!(findings(&lower).len(), 1, "{}", show(&findings(&lower)));

    // `conforme` (0.5): drop it; `gdpr: true` becomes the `gdpr` alias.
    let conforme = format!(
        "{BASE}IT:\n  countryExtensionVersion: \"1.0\"\n  conforme:\n    lineeGuidaDesign: true\n    gdpr: true\n"
    );
    assert_finding(
        &conforme,
        Severity::Warning,
        "IT.conforme",
        &["deprecated", "drop", "`alias:gdpr`", "`supports`"],
    );
    let no_gdpr = format!(
        "{BASE}IT:\n  countryExtensionVersion: \"1.0\"\n  conforme:\n    misureMinimeSicurezza: true\n"
    );
    let f = findings(&no_gdpr);
    let c = f.iter().find(|f| f.key == "IT.conforme").expect("warning");
    assert!(!c.message.contains("gdpr"), "{}", c.message);

    // `riuso.codiceIPA` (0.5): `organisation.uri` with the urn, for a known code.
    let riuso =
        format!("{BASE}IT:\n  countryExtensionVersion: \"1.0\"\n  riuso:\n    codiceIPA: pcm\n");
    assert_finding(
        &riuso,
        Severity::Warning,
        "IT.riuso.codiceIPA",
        &["deprecated", "`organisation.uri`", "`urn:x-italian-pa:pcm`"],
    );
    // An unknown code is an error, and no advice to copy it anywhere.
    let unknown = riuso.replace("codiceIPA: pcm", "codiceIPA: NO_SUCH_IPA_CODE");
    assert_finding(
        &unknown,
        Severity::Error,
        "IT.riuso.codiceIPA",
        &["not in the Italian public administration index"],
    );

    // `piattaforme` (0.7): each platform set to true becomes its alias.
    let platforms = format!(
        "{BASE}IT:\n  countryExtensionVersion: \"1.0\"\n  piattaforme:\n    spid: true\n    pagopa: false\n    io: true\n"
    );
    assert_finding(
        &platforms,
        Severity::Warning,
        "IT.piattaforme",
        &["deprecated", "`alias:spid`", "`alias:io`", "`supports`"],
    );
    let f = findings(&platforms);
    let p = f
        .iter()
        .find(|f| f.key == "IT.piattaforme")
        .expect("warning");
    assert!(!p.message.contains("alias:pagopa"), "{}", p.message);
}

#[test]
fn keys_removed_before_0_2_say_what_replaced_them() {
    let cases: &[(String, &str, &[&str])] = &[
        (format!("{BASE}tags: [maps]\n"), "tags", &["`categories`"]),
        (
            format!("{BASE}freeTags: [maps]\n"),
            "freeTags",
            &["removed"],
        ),
        (
            format!("{BASE}intendedAudience:\n  onlyFor: [government]\n"),
            "intendedAudience.onlyFor",
            &["`scope`"],
        ),
        (
            format!("{BASE}IT:\n  conforme:\n    accessibile: true\n"),
            "IT.conforme.accessibile",
            &["`lineeGuidaDesign`"],
        ),
        (
            format!("{BASE}IT:\n  conforme:\n    privacy: true\n"),
            "IT.conforme.privacy",
            &["`gdpr`", "`alias:gdpr`"],
        ),
        (
            format!("{BASE}IT:\n  ecosistemi: [sanita]\n"),
            "IT.ecosistemi",
            &["`intendedAudience.scope`"],
        ),
    ];
    for (yaml, key, words) in cases {
        assert_finding(yaml, Severity::Error, key, words);
    }
    let old_name = BASE.replace(
        "publiccodeYmlVersion: \"0.7\"",
        "publiccode-yaml-version: \"0.1\"",
    );
    assert_finding(
        &old_name,
        Severity::Error,
        "publiccodeYmlVersion",
        &["`publiccode-yaml-version`", "rename"],
    );
}
