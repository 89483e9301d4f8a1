//! The argument sheets' knowledge base: the embedded one loads, and each
//! kind of mistake in a small fixture is reported with its file, line and
//! item.

use archipel_content::pitch::{Indicator, Register};
use archipel_content::{Content, Lang};
use std::path::{Path, PathBuf};

mod common;
use common::{copy_folder, edit};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pitch")
}

/// A content directory holding the fixture knowledge base (the other
/// files come from the embedded copy).
fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_folder(&fixture_dir(), tmp.path(), "pitch");
    tmp
}

/// Loads `dir` and returns the error's lines; panics if it loads.
fn problems(dir: &Path) -> Vec<String> {
    match Content::load_dir(dir) {
        Ok(_) => panic!("the broken content loaded"),
        Err(e) => e.to_string().lines().map(str::to_string).collect(),
    }
}

/// Asserts one problem line names `file` (suffix), `line`, `item` and says `reason`.
fn expect(dir: &Path, file: &str, line: u64, item: &str, reason: &str) {
    let lines = problems(dir);
    let wanted_start = format!("{file}:{line}: {item}: ");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&wanted_start) && l.contains(reason)),
        "expected `…{wanted_start}…{reason}…` among:\n{}",
        lines.join("\n")
    );
}

#[test]
fn the_embedded_knowledge_base_loads_and_covers_every_persona() {
    let c = Content::embedded().unwrap_or_else(|e| panic!("{e}"));
    let p = c.pitch();
    for id in [
        "elu",
        "directeur-innovation",
        "influenceur",
        "contributeur-inconscient",
        "technicien-dsi",
        "agent-territorial",
        "association",
    ] {
        let persona = p.persona(id).unwrap_or_else(|| panic!("persona {id}"));
        assert!(!persona.objections.is_empty());
        assert!(!persona.name(Lang::En).is_empty());
    }
    // Every indicator has labels; every register is used by some argument.
    for i in Indicator::ALL {
        let d = p.indicator(*i).expect("indicator defined");
        assert!(!d.label(Lang::Fr).is_empty() && !d.short(Lang::En).is_empty());
    }
    for r in Register::ALL {
        assert!(p.arguments.iter().any(|a| a.register == r), "{r:?}");
    }
}

#[test]
fn the_fixture_loads() {
    let dir = fixture();
    let c = Content::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let p = c.pitch();
    assert_eq!(p.personas.len(), 1);
    let elu = p.persona("elu").expect("elu");
    assert_eq!(elu.registers, vec![Register::Political, Register::Economic]);
    assert_eq!(elu.default_register(), Register::Political);
    assert_eq!(
        p.objection("inconnu").expect("objection").answers,
        ["simple", "cout"]
    );
    let cout = p.argument("cout").expect("argument");
    assert_eq!(
        cout.indicators,
        [Indicator::CommonsUsed, Indicator::CommonsUsers]
    );
    assert_eq!(cout.text(Lang::En), "Contributing can cost little.");
    // An undated source is allowed (a web page).
    assert_eq!(p.source("page-web").expect("source").year, None);
    assert_eq!(
        p.source("page-web").expect("source").credit("s. d."),
        "Une page sans date (s. d.)"
    );
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/objections.toml",
        "answers = [\"cout\"]",
        "answers = [\"cout\"",
    );
    let lines = problems(dir.path());
    assert!(
        lines.iter().any(|l| l.contains("pitch/objections.toml:1")),
        "{lines:?}"
    );
}

#[test]
fn unknown_keys_are_refused_with_the_item() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/personas.toml",
        "locator = \"Cible\"",
        "locator = \"Cible\"\nmood = \"grumpy\"",
    );
    expect(
        dir.path(),
        "pitch/personas.toml",
        11,
        "persona \"elu\"",
        "unknown field `mood`",
    );
}

#[test]
fn missing_fields_are_named() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/arguments.toml",
        "text_en = \"A commons is simple.\"\n",
        "",
    );
    expect(
        dir.path(),
        "pitch/arguments.toml",
        1,
        "argument \"simple\"",
        "missing field `text_en`",
    );
}

#[test]
fn ids_must_be_well_formed_and_unique() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/objections.toml",
        "id = \"temps\"",
        "id = \"inconnu\"",
    );
    expect(
        dir.path(),
        "pitch/objections.toml",
        8,
        "objection \"inconnu\"",
        "used twice",
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/sources.toml",
        "id = \"page-web\"",
        "id = \"Page_Web\"",
    );
    expect(
        dir.path(),
        "pitch/sources.toml",
        8,
        "source \"Page_Web\"",
        "^[a-z][a-z0-9-]*$",
    );
}

#[test]
fn every_reference_must_resolve() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/personas.toml",
        "\"temps\"]",
        "\"tempo\"]",
    );
    let lines = problems(dir.path());
    assert!(
        lines.iter().any(|l| l.contains(
            "pitch/personas.toml:1: persona \"elu\": objection `tempo` is not in objections.toml"
        )),
        "{lines:?}"
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/objections.toml",
        "answers = [\"cout\"]",
        "answers = [\"cost\"]",
    );
    expect(
        dir.path(),
        "pitch/objections.toml",
        8,
        "objection \"temps\"",
        "argument `cost` is not in arguments.toml",
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/arguments.toml",
        "source = \"atelier\"\nlocator",
        "source = \"atelir\"\nlocator",
    );
    expect(
        dir.path(),
        "pitch/arguments.toml",
        9,
        "argument \"cout\"",
        "source `atelir` is not in sources.toml",
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/arguments.toml",
        "\"actors_total\"",
        "\"actors_count\"",
    );
    expect(
        dir.path(),
        "pitch/arguments.toml",
        1,
        "argument \"simple\"",
        "unknown indicator `actors_count`",
    );
}

#[test]
fn no_objection_goes_unanswered() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/objections.toml",
        "answers = [\"cout\"]",
        "answers = []",
    );
    expect(
        dir.path(),
        "pitch/objections.toml",
        8,
        "objection \"temps\"",
        "no answer",
    );
}

#[test]
fn registers_must_be_known_and_not_repeated() {
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/personas.toml",
        "[\"political\", \"economic\"]",
        "[\"political\", \"poetic\"]",
    );
    expect(
        dir.path(),
        "pitch/personas.toml",
        7,
        "persona \"elu\"",
        "unknown variant `poetic`",
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/personas.toml",
        "[\"political\", \"economic\"]",
        "[\"political\", \"political\"]",
    );
    expect(
        dir.path(),
        "pitch/personas.toml",
        1,
        "persona \"elu\"",
        "listed twice",
    );

    let dir = fixture();
    edit(
        dir.path(),
        "pitch/arguments.toml",
        "register = \"economic\"",
        "register = \"moral\"",
    );
    expect(
        dir.path(),
        "pitch/arguments.toml",
        11,
        "argument \"cout\"",
        "unknown variant `moral`",
    );
}

#[test]
fn orphans_are_refused() {
    // An objection no persona raises.
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/personas.toml",
        "[\"inconnu\", \"temps\"]",
        "[\"inconnu\"]",
    );
    expect(
        dir.path(),
        "pitch/objections.toml",
        8,
        "objection \"temps\"",
        "no persona raises",
    );

    // An argument no objection lists.
    let dir = fixture();
    edit(
        dir.path(),
        "pitch/objections.toml",
        "[\"simple\", \"cout\"]",
        "[\"cout\"]",
    );
    expect(
        dir.path(),
        "pitch/arguments.toml",
        1,
        "argument \"simple\"",
        "no objection lists",
    );
}

#[test]
fn indicator_definitions_are_checked_against_the_vocabularies() {
    let dir = fixture();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).expect("mkdir");
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/ui/pitch.toml");
    std::fs::copy(&real, ui.join("pitch.toml")).expect("copy");
    edit(
        dir.path(),
        "ui/pitch.toml",
        "relations = [\"uses\"]",
        "relations = [\"likes\"]",
    );
    let lines = problems(dir.path());
    assert!(
        lines.iter().any(|l| l.contains("ui/pitch.toml:")
            && l.contains(
                "indicator \"commons_used\": `likes` is not a key of the relation_types vocabulary"
            )),
        "{lines:?}"
    );
}
