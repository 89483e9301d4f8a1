//! `archipel assess` end to end, on folders and repositories the tests write.
//! Every date is given (`--now`): nothing depends on the wall clock.

mod common;
use common::{git, output};

fn commons() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("README.md"),
        "# Outil\n\n## Installation\n\n`make`\n",
    )
    .unwrap();
    std::fs::write(p.join("CONTRIBUER.md"), "Proposez une demande de fusion.\n").unwrap();
    std::fs::write(p.join("LICENSE"), "SPDX-License-Identifier: EUPL-1.2\n").unwrap();
    git(p, ("Ana", "ana@exemple.fr"), &["init", "-q", "-b", "main"]);
    git(p, ("Ana", "ana@exemple.fr"), &["add", "-A"]);
    git(
        p,
        ("Ana", "ana@exemple.fr"),
        &["commit", "-q", "-m", "first"],
    );
    dir
}

#[test]
fn json_text_markdown_html() {
    let dir = commons();
    let target = dir.path().to_str().unwrap();
    let out = output(&["assess", target, "--json", "--now", "2024-06-01"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(j["schema"], "archipel-assess/1");
    assert_eq!(j["history"]["commits"], 1);
    assert_eq!(j["documents"]["contributing"], true);
    assert_eq!(j["assessed_at"], "2024-06-01T00:00:00Z");
    assert_eq!(j["grid_info"]["id"], "livre-blanc");

    let text = output(&["assess", target, "--now", "2024-06-01"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("EN BREF") && text.contains("Étape atteinte"),
        "{text}"
    );
    let en = String::from_utf8(
        output(&["assess", target, "--lang", "en", "--now", "2024-06-01"]).stdout,
    )
    .unwrap();
    assert!(en.contains("IN SHORT"), "{en}");
    let md = String::from_utf8(output(&["assess", target, "--format", "markdown"]).stdout).unwrap();
    assert!(md.starts_with("# "), "{md}");
    let html_file = dir.path().join("rapport.html");
    let out = output(&[
        "assess",
        target,
        "--format",
        "html",
        "-o",
        html_file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&html_file)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));

    let sfpc = output(&[
        "assess",
        target,
        "--json",
        "--grid",
        "standard-for-public-code",
        "--since",
        "2023-01-01",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&sfpc.stdout).expect("JSON");
    assert_eq!(j["grid_info"]["id"], "standard-for-public-code");
    assert_eq!(j["since"], "2023-01-01T00:00:00Z");
}

#[test]
fn grids_and_errors() {
    let out = output(&["assess", "--grid", "list"]);
    let list = String::from_utf8(out.stdout).unwrap();
    for id in ["livre-blanc", "standard-for-public-code", "dpg-standard"] {
        assert!(list.contains(id), "{list}");
    }
    let dir = commons();
    let target = dir.path().to_str().unwrap();
    for (args, expected) in [
        (
            vec!["assess", target, "--grid", "nope"],
            "unknown grid `nope`",
        ),
        (vec!["assess", target, "--format", "pdf"], "--format `pdf`"),
        (vec!["assess", target, "--since", "hier"], "--since `hier`"),
        (
            vec!["assess", "ssh://git@example.org/x.git"],
            "only https:// URLs",
        ),
    ] {
        let out = output(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // A language clap cannot parse is a usage error (exit 2).
    let out = output(&["assess", target, "--lang", "de"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`de`: expected fr or en"), "{err}");
    // An affiliation table must name actor kinds of the vocabulary.
    let table = dir.path().join("domains.toml");
    std::fs::write(
        &table,
        "[[organization]]\nname = \"Inria\"\nkind = \"academic\"\ndomains = [\"inria.fr\"]\n",
    )
    .unwrap();
    let out = output(&["assess", target, "--affiliations", table.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kind `academic` is not a key of the actor_kinds vocabulary"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("archipel-evidence.toml"),
        "[usage.sla]\nstatus = \"peut-être\"\n",
    )
    .unwrap();
    let out = output(&["assess", target]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("archipel-evidence.toml:1: usage.sla"), "{err}");
    // Said once (the error is not printed again as its own source).
    assert_eq!(err.matches("usage.sla").count(), 1, "{err}");
}
