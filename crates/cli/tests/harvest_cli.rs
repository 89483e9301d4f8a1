//! `archipel harvest LIST` end to end: repositories made by the tests with
//! `git init`, carrying publiccode.yml files of the reference validator's
//! conformance cases (`testdata/publiccode/`), harvested into temporary
//! registries.

mod common;
use common::{git, json, run, stderr, stdout, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

const AUTHOR: (&str, &str) = ("Ada Lovelace", "ada@example.org");
/// The `url` every conformance case declares; each test repository gets
/// its own instead, so that each is its own commons.
const CASE_URL: &str = "https://github.com/italia/developers.italia.it.git";

fn case(rel: &str) -> String {
    let p = archipel_testkit::testdata(&format!("publiccode/v0/{rel}"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The URL the publiccode.yml of repository `name` declares.
fn url_of(name: &str) -> String {
    format!("https://git.example.org/harvest/{name}.git")
}

/// A work tree `dir/name` with one commit: a README, and `publiccode`
/// (its `url` made the repository's own) when given.
fn repo(dir: &Path, name: &str, publiccode: Option<&str>) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(&p).unwrap();
    git(&p, AUTHOR, &["init", "-q", "-b", "main"]);
    write(
        &p,
        "README.md",
        &format!("# {name}\n\n## Installation\n\n`make`\n"),
    );
    if let Some(text) = publiccode {
        write(&p, "publiccode.yml", &text.replace(CASE_URL, &url_of(name)));
    }
    git(&p, AUTHOR, &["add", "-A"]);
    git(&p, AUTHOR, &["commit", "-q", "-m", "first"]);
    p
}

fn commit_file(repo: &Path, file: &str, text: &str) {
    write(repo, file, text);
    git(repo, AUTHOR, &["add", "-A"]);
    git(repo, AUTHOR, &["commit", "-q", "-m", "change"]);
}

fn list(dir: &Path, lines: &[String]) -> PathBuf {
    write(dir, "LIST", &(lines.join("\n") + "\n"))
}

fn harvest(db: &Path, list: &Path) -> Value {
    json(
        db,
        &["harvest", list.to_str().unwrap(), "--json", "--jobs", "2"],
    )
}

/// The summary line of the repository whose list line ends with `name`.
fn entry<'a>(out: &'a Value, name: &str) -> &'a Value {
    out["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .find(|r| r["repository"].as_str().unwrap_or("").ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in {out:#}"))
}

fn count(db: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn show(db: &Path, id: &str) -> Value {
    json(db, &["show", id, "--json"])
}

fn commons_id(name: &str) -> String {
    format!("commons:publiccode:git-example-org-harvest-{name}")
}

/// The relations of `show` as (subject name or id, kind, role, until).
fn relations(shown: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = shown["relations"]
        .as_array()
        .expect("relations")
        .iter()
        .map(|r| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_string();
            (
                s(&r["subject"]),
                s(&r["kind"]),
                s(&r["role"]),
                s(&r["until"]),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn harvest_creates_then_skips_what_did_not_move_and_reads_what_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let full = repo(dir.path(), "full", Some(&case("valid/valid.yml")));
    let funded = repo(
        dir.path(),
        "funded",
        Some(&case("valid/valid_with_fundedBy.yml")),
    );
    let invalid = repo(
        dir.path(),
        "invalid",
        Some(&case("invalid/categories_invalid.yml")),
    );
    let none = repo(dir.path(), "none", None);
    let l = list(
        dir.path(),
        &[
            "# publiccode.yml of the test repositories".into(),
            String::new(),
            full.display().to_string(),
            "funded".into(), // relative to the list's folder
            invalid.display().to_string(),
            none.display().to_string(),
        ],
    );
    let out = harvest(&db, &l);
    assert_eq!(out["created"], 2, "{out:#}");
    assert_eq!(out["invalid"], 2, "{out:#}");
    assert_eq!(entry(&out, "full")["status"], "created");
    assert_eq!(entry(&out, "full")["line"], 3);
    assert_eq!(entry(&out, "full")["head"].as_str().unwrap().len(), 40);
    assert_eq!(entry(&out, "funded")["status"], "created");

    // The commons, with the file's fields.
    let shown = show(&db, &commons_id("full"));
    let r = &shown["record"];
    assert_eq!(r["name"], "Medusa");
    assert_eq!(r["kind"], "software");
    assert_eq!(r["license"], "AGPL-3.0-or-later");
    assert_eq!(r["repository_url"], url_of("full"));
    assert_eq!(r["website_url"], "https://developers.italia.it");
    assert!(r["description"]
        .as_str()
        .unwrap()
        .starts_with("Very long description"));
    let categories = r["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 105);
    assert_eq!(categories[0], "accounting");
    assert_eq!(r["details"]["maintenance"], "contract");
    assert_eq!(r["details"]["development_status"], "development");
    let contacts = r["details"]["contacts"].as_str().unwrap();
    assert!(
        contacts.starts_with(
            "Francesco Rossi <francesco.rossi@example.org> (Comune di Reggio Emilia)\n"
        ),
        "{contacts}"
    );
    assert!(r["publiccode"]
        .as_str()
        .unwrap()
        .contains("mainCopyrightOwner"));
    assert_eq!(r["provenance"]["source"], "publiccode");
    assert_eq!(r["provenance"]["file"], full.display().to_string());
    assert_eq!(r["provenance"]["source_date"], "2017-04-15");

    // organisation and contractors → actors and relations (content/mappings/publiccode.toml).
    let pcm = "actor:publiccode:urn-x-italian-pa-c-h501";
    let contractor = "actor:publiccode:fornitore-privato-spa";
    assert_eq!(
        relations(&shown),
        [
            (
                contractor.into(),
                "governance_role".into(),
                "contributeur".into(),
                "2019-01-01".into()
            ),
            (
                contractor.into(),
                "maintains".into(),
                String::new(),
                "2019-01-01".into()
            ),
            (
                pcm.into(),
                "governance_role".into(),
                "operateur".into(),
                String::new()
            ),
            (pcm.into(), "publishes".into(), String::new(), String::new()),
        ]
        .map(|(a, b, c, d): (String, String, String, String)| (a, b, c, d))
    );
    let org = &show(&db, pcm)["record"];
    assert_eq!(org["name"], "PCM");
    assert_eq!(org["identifiers"]["other"], "urn:x-italian-pa:c_h501");
    let firm = &show(&db, contractor)["record"];
    assert_eq!(firm["name"], "Fornitore Privato SPA");
    assert_eq!(firm["kind"], "company");
    assert_eq!(firm["website"], "https://developers.italia.it");
    // fundedBy → funds and the sponsor role.
    let funder = "actor:publiccode:http-example-org-my-organisation";
    assert_eq!(
        relations(&show(&db, &commons_id("funded"))),
        [
            (funder.into(), "funds".into(), String::new(), String::new()),
            (
                funder.into(),
                "governance_role".into(),
                "sponsor".into(),
                String::new()
            ),
        ]
    );
    assert_eq!(
        show(&db, funder)["record"]["website"],
        "http://example.org/my-organisation"
    );

    // The invalid file: reported with its finding, nothing written.
    let bad = entry(&out, "invalid");
    assert_eq!(bad["status"], "invalid");
    let reason = bad["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("publiccode.yml:13:5: error: categories[0]: "),
        "{reason}"
    );
    assert!(!run(&db, &["show", &commons_id("invalid"), "--json"])
        .status
        .success());
    let none_entry = entry(&out, "none");
    assert_eq!(none_entry["status"], "invalid");
    assert_eq!(
        none_entry["reason"],
        "no publiccode.yml at the root of HEAD"
    );

    // Assessments saved as `archipel assess --save` does.
    assert_eq!(count(&db, "assessment"), 2);
    let c = rusqlite::Connection::open(&db).unwrap();
    let (target, report): (String, String) = c
        .query_row(
            "SELECT target, report FROM assessment WHERE commons = ?1",
            [commons_id("full")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(target, full.display().to_string());
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        report["publiccode"]["present"], true,
        "{:#}",
        report["publiccode"]
    );
    drop(c);

    // Nothing moved: nothing is read, nothing written.
    let batches = count(&db, "batch");
    let again = harvest(&db, &l);
    assert_eq!(again["unchanged"], 4, "{again:#}");
    for r in again["repositories"].as_array().unwrap() {
        assert_eq!(r["read"], false, "{r:#}");
    }
    assert_eq!(
        entry(&again, "full")["commons"],
        commons_id("full").as_str()
    );
    assert_eq!(count(&db, "assessment"), 2);
    assert_eq!(count(&db, "batch"), batches);

    // A commit that changes the file: read again and updated; one that
    // changes nothing the file says: read again, records unchanged.
    let text = std::fs::read_to_string(full.join("publiccode.yml"))
        .unwrap()
        .replace("softwareVersion: \"1.0\"", "softwareVersion: \"1.1\"");
    commit_file(&full, "publiccode.yml", &text);
    commit_file(&funded, "CHANGELOG.md", "# Changes\n");
    let third = harvest(&db, &l);
    assert_eq!(entry(&third, "full")["status"], "updated", "{third:#}");
    assert_eq!(entry(&third, "full")["read"], true);
    assert_eq!(entry(&third, "funded")["status"], "unchanged");
    assert_eq!(entry(&third, "funded")["read"], true);
    assert_eq!(entry(&third, "invalid")["read"], false);
    assert_eq!(
        show(&db, &commons_id("full"))["record"]["details"]["software_version"],
        "1.1"
    );
    assert_eq!(count(&db, "assessment"), 4);

    // The table for a terminal.
    let table = run(&db, &["harvest", l.to_str().unwrap()]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.starts_with("REPOSITORY"), "{text}");
    // No progress bar when standard error is not a terminal.
    assert_eq!(stderr(&table), "");
    assert!(text.contains("unchanged  HEAD did not move"), "{text}");
}

#[test]
fn a_harvest_interrupted_goes_on_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let names = ["one", "two", "three"];
    let repos: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            repo(
                dir.path(),
                n,
                Some(&case("valid/valid_with_organisation_with_uri_url.yml")),
            )
        })
        .collect();
    let paths: Vec<String> = repos.iter().map(|p| p.display().to_string()).collect();
    // A first run that got through two repositories…
    let first = list(dir.path(), &paths[..2]);
    let out = harvest(&db, &first);
    assert_eq!(out["created"], 2, "{out:#}");
    // …and was killed while writing its state: a line cut short.
    let state = dir.path().join("a.db.harvest");
    let mut text = std::fs::read_to_string(&state).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    text.push_str("{\"key\":\"/somewhere\",\"he");
    std::fs::write(&state, text).unwrap();
    // Branches packed meanwhile: HEAD is found in packed-refs.
    git(&repos[0], AUTHOR, &["pack-refs", "--all"]);
    assert!(!repos[0].join(".git/refs/heads/main").exists());
    let all = list(dir.path(), &paths);
    let out = harvest(&db, &all);
    assert_eq!(entry(&out, "one")["status"], "unchanged", "{out:#}");
    assert_eq!(entry(&out, "one")["read"], false);
    assert_eq!(entry(&out, "two")["read"], false);
    assert_eq!(entry(&out, "three")["status"], "created");
    // One organisation for the three: the same uri is the same actor.
    let org = show(&db, "actor:publiccode:https-foobar-example-xyz");
    assert_eq!(org["record"]["name"], "foobar");
    assert_eq!(org["relations"].as_array().unwrap().len(), 6, "{org:#}");
    // The state reads whole again: a third run reads nothing.
    let out = harvest(&db, &all);
    assert_eq!(out["unchanged"], 3, "{out:#}");
    // --force reads everything again.
    let out = json(
        &db,
        &["harvest", all.to_str().unwrap(), "--json", "--force"],
    );
    assert_eq!(out["unchanged"], 3, "{out:#}");
    assert!(out["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["read"] == true));
}

#[test]
fn hostile_and_refused_lines_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let good = repo(
        dir.path(),
        "good",
        Some(&case("valid/valid_with_organisation_with_uri_url.yml")),
    );
    let l = dir.path().join("LIST");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"http://example.org/plain.git\n");
    bytes.extend_from_slice(b"file:///tmp/repo.git\n");
    bytes.extend_from_slice(b"git@example.org:group/repo.git\n");
    bytes.extend_from_slice(b"https://example.org/a\x1b]0;title\x07.git\n");
    bytes.extend_from_slice(b"https://user:token@example.org/x.git\n");
    bytes.extend_from_slice(b"/srv/\xff\xfe\n");
    bytes.extend_from_slice(format!("{}\n", good.display()).as_bytes());
    std::fs::write(&l, bytes).unwrap();
    let out = run(&db, &["harvest", l.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let shown = l.display().to_string();
    for (line, why) in [
        (1, "scheme `http` refused"),
        (2, "scheme `file` refused"),
        (3, "only https:// URLs and local paths"),
        (4, "control character"),
        (5, "credentials in URLs are refused"),
        (6, "not UTF-8"),
    ] {
        let prefix = format!("{shown}:{line}: ");
        let found = err.lines().find(|l| l.starts_with(&prefix));
        let found = found.unwrap_or_else(|| panic!("no line {line} in {err}"));
        assert!(found.contains(why), "line {line}: {found}");
    }
    assert!(
        !err.contains('\u{1b}'),
        "the escape is not echoed raw: {err:?}"
    );
    // The usable line is harvested all the same.
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"], 1, "{report:#}");
    assert_eq!(report["refused_lines"].as_array().unwrap().len(), 6);
}

#[test]
fn a_commons_already_in_the_registry_is_updated_not_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // A SILL entry whose repository is the one harvested, written another way.
    let sill = serde_json::json!([{
        "id": "900", "i": "Méduse", "l": "AGPL-3.0-or-later",
        "sources": "https://GIT.example.org/harvest/known/",
        "fr-desc": "Logiciel de démonstration", "st": "R",
        "y": "2022", "c": "", "f": "", "se": "", "g": "", "co": ""
    }]);
    let sill_path = write(dir.path(), "sill.json", &sill.to_string());
    let imported = run(&db, &["import", "sill", sill_path.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let known = repo(
        dir.path(),
        "known",
        Some(&case("valid/valid_with_organisation_with_uri_url.yml")),
    );
    let l = list(dir.path(), &[known.display().to_string()]);
    let out = harvest(&db, &l);
    let e = entry(&out, "known");
    assert_eq!(e["status"], "updated", "{out:#}");
    assert_eq!(e["commons"], "commons:sill:900");
    assert!(!run(&db, &["show", &commons_id("known"), "--json"])
        .status
        .success());
    let shown = show(&db, "commons:sill:900");
    let r = &shown["record"];
    assert_eq!(r["name"], "Méduse", "the SILL's name stays");
    assert_eq!(r["provenance"]["source"], "sill");
    assert_eq!(r["categories"][0], "cloud-management");
    assert_eq!(r["details"]["publiccode_maintenance"], "community");
    assert_eq!(
        relations(&shown)
            .iter()
            .filter(|r| r.0 == "actor:publiccode:https-foobar-example-xyz")
            .count(),
        2
    );
    assert_eq!(count(&db, "assessment"), 1);
}

#[test]
fn a_funder_the_file_no_longer_names_loses_its_relations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let funded = repo(
        dir.path(),
        "funded",
        Some(&case("valid/valid_with_fundedBy.yml")),
    );
    let l = list(dir.path(), &[funded.display().to_string()]);
    harvest(&db, &l);
    let id = commons_id("funded");
    assert_eq!(relations(&show(&db, &id)).len(), 2);
    let text = std::fs::read_to_string(funded.join("publiccode.yml")).unwrap();
    let start = text.find("fundedBy:").expect("fundedBy");
    let end = start + text[start..].find("\n\n").expect("a blank line after");
    commit_file(
        &funded,
        "publiccode.yml",
        &format!("{}{}", &text[..start], &text[end + 2..]),
    );
    let out = harvest(&db, &l);
    assert_eq!(entry(&out, "funded")["status"], "updated", "{out:#}");
    assert!(relations(&show(&db, &id)).is_empty());
    // The actor stays: other commons may name it.
    assert!(run(
        &db,
        &[
            "show",
            "actor:publiccode:http-example-org-my-organisation",
            "--json"
        ]
    )
    .status
    .success());
}

#[test]
fn bare_repositories_and_detached_heads() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let source = repo(
        dir.path(),
        "bare",
        Some(&case("valid/valid_with_organisation_with_uri_url.yml")),
    );
    let bare = dir.path().join("bare.git");
    git(
        dir.path(),
        AUTHOR,
        &[
            "clone",
            "-q",
            "--bare",
            source.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let detached = repo(
        dir.path(),
        "detached",
        Some(&case("valid/valid.minimal.yml")),
    );
    git(&detached, AUTHOR, &["checkout", "-q", "--detach"]);
    let l = list(
        dir.path(),
        &[bare.display().to_string(), detached.display().to_string()],
    );
    let out = harvest(&db, &l);
    assert_eq!(out["created"], 2, "{out:#}");
    let again = harvest(&db, &l);
    assert_eq!(again["unchanged"], 2, "{again:#}");
    for r in again["repositories"].as_array().unwrap() {
        assert_eq!(r["read"], false, "{r:#}");
        assert_eq!(
            r["head"],
            entry(&out, r["repository"].as_str().unwrap())["head"]
        );
    }
}
