//! Archipel as a commons: the repository passes its own assessment and its
//! own publiccode.yml validator, and its version is the same everywhere.
//!
//! These tests read the repository they belong to (a clone, with its git
//! history), never anything beside it.

mod common;
use common::output;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Constraints of the white paper's grid that automatic evidence can judge
/// and that are truthfully not met by this repository, with why (see
/// GOVERNANCE.md). The test also fails when one of them becomes met, so
/// that this list stays true.
const TRUTHFULLY_UNMET: &[(&str, &str)] = &[(
    "code_source.pluralite",
    "one contributor identity and one organisation in the history so far: \
     met when other people and organisations contribute, not before",
)];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The committer date of HEAD: the assessment's reference date, so that
/// the result depends on the history only, never on the clock.
fn head_date() -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["log", "-1", "--format=%cI"])
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "this test assesses the repository itself and needs its git history \
         (a clone, not an exported tree): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Does the constraint's evidence include automatic evidence?
fn has_automatic(evidence: &serde_json::Value) -> bool {
    match evidence {
        serde_json::Value::Array(items) => items.iter().any(has_automatic),
        serde_json::Value::Object(o) => {
            o.get("kind").and_then(|k| k.as_str()) == Some("auto") || o.values().any(has_automatic)
        }
        _ => false,
    }
}

#[test]
fn the_repository_meets_what_automatic_evidence_can_judge() {
    let dir = tempfile::tempdir().unwrap();
    // No manual evidence: only what the repository itself shows counts.
    let no_evidence = dir.path().join("none.toml");
    std::fs::write(&no_evidence, "").unwrap();
    let root = root();
    let now = head_date();
    let out = output(&[
        "assess",
        root.to_str().unwrap(),
        "--json",
        "--grid",
        "livre-blanc",
        "--now",
        &now,
        "--evidence",
        no_evidence.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let constraints = report["grid"].as_array().expect("grid");
    assert_eq!(constraints.len(), 19, "the white paper's grid");
    let mut judged = 0;
    let mut problems = Vec::new();
    for c in constraints {
        let id = c["id"].as_str().unwrap();
        if !has_automatic(&c["evidence"]) {
            continue;
        }
        judged += 1;
        let met = c["status"] == "met";
        match TRUTHFULLY_UNMET.iter().find(|(u, _)| *u == id) {
            None if !met => problems.push(format!("{id}: {} ({})", c["status"], c["evidence"])),
            Some((_, why)) if met => problems.push(format!(
                "{id} is met now: remove it from TRUTHFULLY_UNMET (it said: {why}) and from GOVERNANCE.md"
            )),
            _ => {}
        }
    }
    // Every constraint of the grid file that names automatic evidence was
    // looked at (the report's shape is what this test expects).
    let (_, grid) = archipel_content::embedded::GRIDS
        .iter()
        .find(|(name, _)| *name == "grids/livre-blanc.toml")
        .expect("the white paper's grid is embedded");
    let automatic = grid
        .split("\n[[constraint]]\n")
        .skip(1)
        .filter(|c| {
            c.split("\n[[stage]]\n")
                .next()
                .unwrap_or("")
                .contains("auto = ")
        })
        .count();
    assert_eq!(judged, automatic);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for doc in [
        "contributing",
        "governance",
        "code_of_conduct",
        "security",
        "changelog",
        "maintainers",
        "roadmap",
        "install",
        "trademark",
    ] {
        assert_eq!(report["documents"][doc], true, "documents.{doc}");
    }
    assert_eq!(
        report["publiccode"]["valid"], true,
        "{}",
        report["publiccode"]
    );
}

#[test]
fn the_evidence_file_is_read_without_findings() {
    let root = root();
    let now = head_date();
    let out = output(&["assess", root.to_str().unwrap(), "--json", "--now", &now]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let evidence_findings: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"].as_str().unwrap_or("").starts_with("evidence."))
        .collect();
    assert!(evidence_findings.is_empty(), "{evidence_findings:?}");
    // The hand-written answers are used: a manual-only constraint is
    // judged, not left unknown.
    let terms = report["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "usage.cgu_permissives")
        .unwrap();
    assert_eq!(terms["status"], "not_applicable");
}

#[test]
fn publiccode_yml_is_valid_and_versions_agree() {
    let root = root();
    let file = root.join("publiccode.yml");
    let out = output(&["publiccode", "validate", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("(0 error(s), 0 warning(s))"), "{summary}");

    let version = env!("CARGO_PKG_VERSION");
    let publiccode = std::fs::read_to_string(&file).unwrap();
    assert!(
        publiccode.contains(&format!("softwareVersion: \"{version}\"")),
        "publiccode.yml's softwareVersion is Cargo.toml's {version}"
    );
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let heading = changelog
        .lines()
        .find(|l| l.starts_with(&format!("## [{version}] - ")))
        .unwrap_or_else(|| panic!("CHANGELOG.md has a section for {version}"));
    let date = heading.rsplit(' ').next().unwrap();
    assert!(
        publiccode.contains(&format!("releaseDate: \"{date}\"")),
        "publiccode.yml's releaseDate is the changelog's {date}"
    );
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let repository = cargo
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("repository in Cargo.toml")
        .trim_matches('"');
    assert!(
        publiccode.contains(&format!("url: \"{repository}\"")),
        "publiccode.yml's url is Cargo.toml's repository {repository}"
    );
}
