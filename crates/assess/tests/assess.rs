//! End-to-end tests of `archipel_assess::assess` on repositories generated
//! with the `git` command line: known authors, domains, merges, mailmap,
//! licences and documents, asserting exact figures in the JSON. Every date
//! is fixed: nothing depends on the wall clock.

use archipel_assess::{assess, render, Affiliations, Format, Grids, Lang, Options, Status};
use archipel_testkit::{git, who};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use std::path::PathBuf;

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn now() -> DateTime<Utc> {
    day(2024, 6, 1)
}

const TABLE: &str = r#"
[unaffiliated]
domains = ["gmail.com"]

[[organization]]
name = "Ville d'Exemple"
kind = "local_government"
domains = ["exemple.fr", "mairie-exemple.fr"]

[[organization]]
name = "Acme Coop"
kind = "company"
domains = ["acme-coop.fr"]

[[organization]]
name = "Université d'Exemple"
kind = "university"
domains = ["univ-exemple.fr"]
"#;

fn options() -> Options {
    let mut o = Options::new(now()).expect("built-in data loads");
    o.affiliations = Affiliations::from_toml_str(TABLE).expect("table");
    o
}

struct Repo {
    dir: tempfile::TempDir,
    work: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = dir.path().join("commun");
        std::fs::create_dir_all(&work).expect("mkdir");
        git(&work, &["init", "-q", "-b", "main"], &[]);
        Repo { dir, work }
    }

    fn write(&self, path: &str, content: &str) {
        let p = self.work.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
    }

    fn commit(&self, name: &str, email: &str, when: DateTime<Utc>, files: &[(&str, &str)]) {
        for (path, content) in files {
            self.write(path, content);
        }
        git(&self.work, &["add", "-A"], &[]);
        git(
            &self.work,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                &format!("change by {name}"),
            ],
            &who(name, email, when),
        );
    }

    fn path(&self) -> &str {
        self.work.to_str().expect("utf-8 path")
    }
}

fn licence_text(id: &str) -> &'static str {
    spdx::license_id(id).expect("known id").text()
}

const PUBLICCODE: &str = r#"publiccodeYmlVersion: "0.4"
name: Exemple
url: "https://git.example.org/exemple.git"
platforms: [web]
developmentStatus: stable
softwareType: standalone/web
description:
  fr:
    shortDescription: Un service d'exemple.
    longDescription: Un service d'exemple, assez long pour dire ce que fait le logiciel et pour qui il est fait.
      Les catalogues l'affichent sur la page du logiciel, il fait donc au moins cent cinquante caractères.
    features: [Cartes]
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Alice
      email: alice@exemple.fr
localisation:
  localisationReady: true
  availableLanguages: [fr]
"#;

/// The reference commons: EUPL-1.2 licence file, publiccode.yml declaring
/// EUPL-1.2, package.json declaring MIT (a disagreement), README with an
/// installation section, CONTRIBUER.md, GOUVERNANCE.md, a code of conduct,
/// .github/SECURITY.md, four people of three organisations plus webmail,
/// one identity merged by .mailmap, one merge commit.
///
/// Non-merge commits: Alice 5 (4 + 1 under an old address, mailmapped),
/// Bob 4, Carol 3 (gmail), Dave 2 — 14; with the merge, 15.
fn reference_repo() -> Repo {
    let r = Repo::new();
    let alice = ("Alice Martin", "alice@exemple.fr");
    let bob = ("Bob Durand", "bob@acme-coop.fr");
    let carol = ("Carol Petit", "carol@gmail.com");
    let dave = ("Dave Leroy", "dave@univ-exemple.fr");
    r.commit(
        alice.0,
        alice.1,
        day(2022, 1, 10),
        &[
            ("LICENSE", licence_text("EUPL-1.2")),
            (
                "README.md",
                "# Exemple\n\nUn commun d'exemple.\n\n## Installation\n\n```\nmake install\n```\n",
            ),
            ("publiccode.yml", PUBLICCODE),
            (
                "package.json",
                "{\"name\": \"exemple\", \"license\": \"MIT\"}\n",
            ),
            (
                ".mailmap",
                "Alice Martin <alice@exemple.fr> <alice.martin@mairie-exemple.fr>\n",
            ),
        ],
    );
    r.commit(
        "A. Martin",
        "alice.martin@mairie-exemple.fr",
        day(2022, 3, 1),
        &[("src/a.txt", "1")],
    );
    r.commit(
        bob.0,
        bob.1,
        day(2022, 5, 1),
        &[(
            "CONTRIBUER.md",
            "Proposez vos modifications par demande de fusion.\n",
        )],
    );
    r.commit(
        alice.0,
        alice.1,
        day(2023, 1, 5),
        &[("GOUVERNANCE.md", "Un comité de pilotage décide.\n")],
    );
    r.commit(
        carol.0,
        carol.1,
        day(2023, 2, 1),
        &[("CODE_OF_CONDUCT.md", "Soyons bienveillants.\n")],
    );
    r.commit(
        dave.0,
        dave.1,
        day(2023, 3, 1),
        &[(".github/SECURITY.md", "Écrire à securite@exemple.fr.\n")],
    );
    // A branch by Bob and Carol, merged by Bob.
    git(&r.work, &["checkout", "-q", "-b", "feature"], &[]);
    r.commit(bob.0, bob.1, day(2023, 6, 1), &[("src/b.txt", "1")]);
    r.commit(carol.0, carol.1, day(2023, 7, 1), &[("src/c.txt", "1")]);
    git(&r.work, &["checkout", "-q", "main"], &[]);
    r.commit(alice.0, alice.1, day(2023, 8, 1), &[("src/a.txt", "2")]);
    git(
        &r.work,
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
        &who(bob.0, bob.1, day(2023, 9, 1)),
    );
    r.commit(bob.0, bob.1, day(2023, 10, 1), &[("src/b.txt", "2")]);
    r.commit(bob.0, bob.1, day(2024, 1, 1), &[("src/b.txt", "3")]);
    r.commit(carol.0, carol.1, day(2024, 2, 1), &[("src/c.txt", "2")]);
    r.commit(dave.0, dave.1, day(2024, 4, 1), &[("src/d.txt", "1")]);
    r.commit(alice.0, alice.1, day(2024, 5, 1), &[("src/a.txt", "3")]);
    r
}

fn to_json(a: &archipel_assess::Assessment) -> Value {
    serde_json::to_value(a).expect("serialisable")
}

fn status_of(j: &Value, id: &str) -> String {
    j["grid"]
        .as_array()
        .expect("grid")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no constraint {id}"))["status"]
        .as_str()
        .expect("status")
        .to_string()
}

fn finding_ids(j: &Value) -> Vec<String> {
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn reference_commons_exact_figures() {
    let r = reference_repo();
    let a = assess(r.path(), &options()).expect("assessed");
    let j = to_json(&a);

    assert_eq!(j["schema"], "archipel-assess/1");
    assert_eq!(j["target"]["kind"], "work_tree");
    // Licence: detected from the file, declared twice, one disagreement.
    assert_eq!(j["license"]["spdx"], "EUPL-1.2");
    assert_eq!(j["license"]["free"], true);
    assert_eq!(j["license"]["share_alike"], true);
    assert_eq!(j["license"]["evidence"][0]["file"], "LICENSE");
    assert_eq!(
        j["license"]["declared"],
        json!([
            {"source": "publiccode.yml (legal.license)", "raw": "EUPL-1.2", "spdx": "EUPL-1.2", "agrees": true},
            {"source": "package.json", "raw": "MIT", "spdx": "MIT", "agrees": false},
        ])
    );
    let mismatch = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "license.mismatch")
        .expect("mismatch");
    assert_eq!(mismatch["severity"], "warning");
    assert_eq!(mismatch["params"]["source"], "package.json");
    assert_eq!(
        a.facts.get("license.consistent"),
        archipel_assess::keys::Fact::Bool(false)
    );

    // publiccode.yml
    assert_eq!(j["publiccode"]["present"], true);
    assert_eq!(j["publiccode"]["valid"], true, "{}", j["publiccode"]);
    assert_eq!(j["publiccode"]["license"], "EUPL-1.2");

    // Documents, French names and README sections included.
    for (k, v) in [
        ("readme", true),
        ("contributing", true),
        ("governance", true),
        ("code_of_conduct", true),
        ("security", true),
        ("changelog", false),
        ("roadmap", false),
        ("install", true),
    ] {
        assert_eq!(j["documents"][k], v, "documents.{k}");
    }
    assert_eq!(
        j["documents"]["files"]["contributing"],
        json!(["CONTRIBUER.md"])
    );
    assert_eq!(
        j["documents"]["files"]["security"],
        json!([".github/SECURITY.md"])
    );
    assert_eq!(
        j["documents"]["files"]["install"],
        json!(["README.md#installation"])
    );

    // History: exact figures.
    let h = &j["history"];
    assert_eq!(h["commits"], 15);
    assert_eq!(h["non_merge_commits"], 14);
    assert_eq!(h["merge_commits"], 1);
    assert_eq!(h["authors"], 4, "Alice's old address is merged by .mailmap");
    assert_eq!(h["contributor_absence_factor"], 2);
    assert_eq!(h["elephant_factor"], 2);
    let orgs: Vec<(String, String, u64)> = h["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["kind"].as_str().unwrap().to_string(),
                o["commits"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        orgs,
        [
            (
                "Ville d'Exemple".to_string(),
                "local_government".to_string(),
                5
            ),
            ("Acme Coop".to_string(), "company".to_string(), 4),
            (
                "Université d'Exemple".to_string(),
                "university".to_string(),
                2
            ),
        ]
    );
    assert_eq!(h["unaffiliated"]["commits"], 3);

    // Grid: the white paper's, by default.
    assert_eq!(j["grid_info"]["id"], "livre-blanc");
    for (id, s) in [
        ("code_source.licence_libre", "met"),
        ("code_source.solliciter_integration", "met"),
        ("code_source.documentation_operationnelle", "met"),
        ("code_source.repartage", "met"),
        ("code_source.engagements_integration", "met"),
        ("code_source.pluralite", "met"),
        ("code_source.activite", "met"),
        ("usage.cgu_permissives", "unknown"),
        ("donnees.licence_ouverte", "unknown"),
        ("marque.charte", "unknown"),
        ("strategie.arbitrages", "met"),
        ("strategie.moyens", "unknown"),
    ] {
        assert_eq!(status_of(&j, id), s, "{id}");
    }
    let libre = &j["grid"][0];
    assert_eq!(libre["constituent"], "code_source");
    assert_eq!(libre["level"], "minimal");
    assert_eq!(libre["evidence"][0]["key"], "license.free");
    assert_eq!(libre["evidence"][0]["value"], true);
    let unknown = j["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "usage.cgu_permissives")
        .unwrap();
    assert_eq!(unknown["evidence"][0]["reason"], "no_evidence_file");

    // Spectrum: 4 of 11 minimal constraints met → "open code"; every
    // unknown confirmed would make it a contributive commons.
    assert_eq!(j["spectrum"]["stage"]["key"], "code_ouvert");
    assert_eq!(j["spectrum"]["stage"]["rank"], 2);
    assert_eq!(j["spectrum"]["potential"]["key"], "commun_contributif");
    assert_eq!(
        j["spectrum"]["counts"],
        json!({"met": 8, "not_met": 0, "unknown": 11, "not_applicable": 0, "total": 19})
    );
    assert_eq!(
        j["spectrum"]["levels"][0],
        json!({"level": "minimal", "counts": {"met": 4, "not_met": 0, "unknown": 7, "not_applicable": 0, "total": 11}, "share": 0.364})
    );
    let code = &j["spectrum"]["constituents"][0];
    assert_eq!(
        (code["key"].as_str(), code["reached"].as_str()),
        (Some("code_source"), Some("contributive"))
    );

    let ids = finding_ids(&j);
    assert!(
        !ids.contains(&"history.single_person".to_string()),
        "{ids:?}"
    );
    assert!(!ids.contains(&"publiccode.missing".to_string()), "{ids:?}");
}

const EVIDENCE: &str = r#"
# Preuves saisies à la main
[usage.terms_of_use]
url = "https://exemple.fr/cgu"
note = "Conditions en langage clair."
checked = 2024-05-02
by = "Service numérique"

[usage.sla]
status = "not_applicable"
note = "Pas d'instance hébergée : chacun installe le logiciel."

[data.license]
license = "ODbL-1.0"
url = "https://www.data.gouv.fr/fr/datasets/exemple/"

[stats.license]
license = "Licence Ouverte 2.0"
url = "https://stats.exemple.fr"

[communication.community_channel]
url = "https://framalistes.org/sympa/info/exemple"

[communication.public_channels]
status = "not_met"

[brand.charter]
status = "met"

[strategy.budget]
url = "https://exemple.fr/budget.pdf"

[code.issue_tracker]
url = "https://git.example.org/exemple/issues"

[usage.term_of_use]
url = "https://exemple.fr/typo"
"#;

#[test]
fn evidence_file_beside_the_repository() {
    let r = reference_repo();
    r.write("archipel-evidence.toml", EVIDENCE);
    let a = assess(r.path(), &options()).expect("assessed");
    let j = to_json(&a);
    for (id, s) in [
        ("usage.cgu_permissives", "met"),
        ("usage.disponibilite", "not_applicable"),
        ("donnees.licence_ouverte", "met"),
        ("donnees.repartage", "met"),
        ("statistiques.publication", "met"),
        ("statistiques.repartage", "not_met"),
        ("communication.contact_communaute", "met"),
        ("communication.diffusion_exterieure", "not_met"),
        ("marque.charte", "unknown"),
        ("strategie.moyens", "met"),
        ("strategie.demandes", "met"),
    ] {
        assert_eq!(status_of(&j, id), s, "{id}");
    }
    let stats = j["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "statistiques.repartage")
        .unwrap();
    assert_eq!(stats["evidence"][0]["value"], "etalab-2.0");
    assert_eq!(
        stats["evidence"][0]["reason"],
        "manual_licence_not_share_alike"
    );
    let cgu = j["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "usage.cgu_permissives")
        .unwrap();
    assert_eq!(cgu["evidence"][0]["url"], "https://exemple.fr/cgu");
    assert_eq!(cgu["evidence"][0]["note"], "Conditions en langage clair.");

    let ids = finding_ids(&j);
    assert!(ids.contains(&"evidence.no_link".to_string()), "{ids:?}");
    let unused = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "evidence.unused_key")
        .expect("typo found");
    assert_eq!(unused["params"]["key"], "usage.term_of_use");
    assert_eq!(j["evidence_file"]["unused"], json!(["usage.term_of_use"]));

    // 10 of 11 minimal constraints met (the brand charter has no link).
    assert_eq!(j["spectrum"]["levels"][0]["counts"]["met"], 10);
    assert_eq!(j["spectrum"]["stage"]["key"], "commun_en_construction");
    // With it: contributive 5 met of 7 applicable (SLA does not apply).
    assert_eq!(
        j["spectrum"]["potential"]["key"],
        "commun_contributif_en_devenir"
    );
    assert_eq!(j["spectrum"]["levels"][1]["counts"]["not_applicable"], 1);

    // The same file given explicitly, from elsewhere, gives the same grid.
    std::fs::remove_file(r.work.join("archipel-evidence.toml")).unwrap();
    let elsewhere = r.dir.path().join("preuves.toml");
    std::fs::write(&elsewhere, EVIDENCE).unwrap();
    let mut o = options();
    o.evidence = Some(elsewhere);
    let b = to_json(&assess(r.path(), &o).expect("assessed"));
    let statuses = |v: &Value| -> Vec<(String, String)> {
        v["grid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].to_string(), c["status"].to_string()))
            .collect()
    };
    assert_eq!(statuses(&b), statuses(&j));
    assert!(b["evidence_file"]["path"]
        .as_str()
        .unwrap()
        .ends_with("preuves.toml"));

    // Without any evidence file, the same constraints are unknown.
    let c = to_json(&assess(r.path(), &options()).expect("assessed"));
    assert_eq!(status_of(&c, "usage.cgu_permissives"), "unknown");
    assert_eq!(c["evidence_file"], Value::Null);
}

#[test]
fn invalid_evidence_file_names_file_line_and_entry() {
    let r = reference_repo();
    r.write(
        "archipel-evidence.toml",
        "[usage.terms_of_use]\nurl = \"https://x.example\"\n\n[usage.sla]\nstatus = \"maybe\"\n",
    );
    let e = assess(r.path(), &options()).expect_err("invalid status");
    let msg = e.to_string();
    assert!(
        msg.contains("archipel-evidence.toml:4: usage.sla: status `maybe`"),
        "{msg}"
    );
}

#[test]
fn bare_repository_and_missing_objects() {
    let r = reference_repo();
    let bare = r.dir.path().join("commun.git");
    git(
        r.dir.path(),
        &["init", "-q", "--bare", "-b", "main", "commun.git"],
        &[],
    );
    // Few objects: the push leaves them loose, so one can be removed.
    git(
        &r.work,
        &["push", "-q", bare.to_str().unwrap(), "main"],
        &[],
    );
    let bare_path = bare.to_str().unwrap();
    let a = to_json(&assess(bare_path, &options()).expect("assessed"));
    let w = to_json(&assess(r.path(), &options()).expect("assessed"));
    assert_eq!(a["target"]["kind"], "bare");
    for k in ["license", "documents", "history", "grid", "spectrum"] {
        let (mut x, mut y) = (a[k].clone(), w[k].clone());
        if k == "license" {
            // The licence text is read from a copy: same answer, same evidence.
            x["notes"] = Value::Null;
            y["notes"] = Value::Null;
        }
        assert_eq!(x, y, "{k}");
    }
    assert_eq!(a["publiccode"]["valid"], true);

    // Remove the README's blob: reported as a note, never an error.
    let blob = git(&bare, &["rev-parse", "HEAD:README.md"], &[]);
    let obj = bare.join("objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&obj).expect("loose object");
    let m = to_json(&assess(bare_path, &options()).expect("assessed"));
    let note = m["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "missing_blobs")
        .expect("note");
    assert!(
        note["message"].as_str().unwrap().contains("README.md"),
        "{note}"
    );
    assert_eq!(m["documents"]["readme"], true);
    assert_eq!(
        m["documents"]["install"], false,
        "the README's sections cannot be read"
    );
    assert_eq!(m["history"]["commits"], 15);
}

#[test]
fn plain_folder_has_no_history() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("LICENSE"), licence_text("MIT")).unwrap();
    let a = assess(dir.path().to_str().unwrap(), &options()).expect("assessed");
    let j = to_json(&a);
    assert_eq!(j["target"]["kind"], "folder");
    assert_eq!(j["license"]["spdx"], "MIT");
    assert_eq!(j["license"]["share_alike"], false);
    assert_eq!(j["history"], Value::Null);
    assert_eq!(status_of(&j, "code_source.pluralite"), "unknown");
    assert_eq!(status_of(&j, "code_source.repartage"), "not_met");
    let p = j["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "code_source.pluralite")
        .unwrap();
    assert_eq!(p["evidence"][0]["reason"], "no_history");
    assert!(j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "no_repository"));
    assert!(finding_ids(&j).contains(&"documents.no_readme".to_string()));
}

#[test]
fn no_licence_single_maintainer() {
    let r = Repo::new();
    for i in 0..3u32 {
        r.commit(
            "Solo",
            "solo@acme-coop.fr",
            day(2020, 1 + i, 1),
            &[("main.c", &i.to_string())],
        );
    }
    let j = to_json(&assess(r.path(), &options()).expect("assessed"));
    assert_eq!(j["license"]["spdx"], "NONE");
    assert_eq!(j["license"]["free"], false);
    assert_eq!(j["history"]["commits"], 3);
    assert_eq!(j["history"]["contributor_absence_factor"], 1);
    assert_eq!(j["history"]["elephant_factor"], 1);
    let ids = finding_ids(&j);
    for id in [
        "license.none",
        "history.single_person",
        "history.single_organization",
        "history.inactive",
        "publiccode.missing",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
    assert_eq!(j["findings"][0]["id"], "license.none", "errors come first");
    assert_eq!(j["findings"][0]["severity"], "error");
    assert_eq!(status_of(&j, "code_source.licence_libre"), "not_met");
    assert_eq!(status_of(&j, "code_source.activite"), "not_met");
    assert_eq!(j["spectrum"]["stage"]["key"], "non_partage");
    assert_eq!(j["spectrum"]["potential"]["key"], "non_partage");
}

#[test]
fn since_limits_the_history() {
    let r = reference_repo();
    let mut o = options();
    o.since = Some(day(2024, 1, 1) - chrono::Duration::hours(1));
    let j = to_json(&assess(r.path(), &o).expect("assessed"));
    // Bob 2024-01-01, Carol 02-01, Dave 04-01, Alice 05-01.
    assert_eq!(j["history"]["commits"], 4);
    assert_eq!(j["history"]["authors"], 4);
    assert_eq!(j["history"]["contributor_absence_factor"], 2);
    assert!(j["since"].is_string());
}

#[test]
fn the_three_grids_load() {
    let grids = Grids::builtin().expect("valid grids");
    let ids: Vec<&str> = grids.all().iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        ids,
        ["livre-blanc", "standard-for-public-code", "dpg-standard"]
    );
    let count = |id: &str| {
        let g = grids.get(id).unwrap();
        (
            g.constituents.len(),
            g.constraints.len(),
            g.levels.len(),
            g.stages.len(),
        )
    };
    assert_eq!(count("livre-blanc"), (7, 19, 2, 6));
    assert_eq!(count("standard-for-public-code"), (16, 96, 2, 4));
    assert_eq!(count("dpg-standard"), (9, 11, 1, 3));
    let wp = grids.get("livre-blanc").unwrap();
    assert_eq!(wp.credit.license, "CC-BY-SA-4.0");
    let keys: Vec<&str> = wp.constituents.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "code_source",
            "usage",
            "donnees",
            "statistiques",
            "communication",
            "marque",
            "strategie"
        ]
    );
    for c in &wp.constituents {
        assert!(
            wp.constraints
                .iter()
                .any(|k| k.constituent == c.key && k.level == "minimal"),
            "{}",
            c.key
        );
    }
}

#[test]
fn grid_errors_name_file_line_and_item() {
    let good = archipel_content::embedded::GRIDS[2].1;
    let bad = good.replace("{ auto = \"license.osi\" }", "{ auto = \"license.osy\" }");
    let e = archipel_assess::grid::parse_grid("dpg.toml", &bad).expect_err("unknown key");
    let line = bad
        .lines()
        .position(|l| l.contains("id = \"licence.osi\""))
        .unwrap()
        + 1;
    assert_eq!(e.line, line);
    assert_eq!(e.item, "constraint licence.osi");
    assert!(
        e.to_string().starts_with(&format!(
            "dpg.toml:{line}: constraint licence.osi: unknown automatic evidence key `license.osy`"
        )),
        "{e}"
    );
    let bad = good.replace(
        "{ auto = \"license.osi\" }",
        "{ auto = \"history.authors\" }",
    );
    assert!(archipel_assess::grid::parse_grid("dpg.toml", &bad)
        .unwrap_err()
        .reason
        .contains("compare it"));
    let bad = good.replace("{ manual = \"dpg.sdg_relevance\" }", "{ manual = \"SDG\" }");
    assert!(archipel_assess::grid::parse_grid("dpg.toml", &bad).is_err());
}

#[test]
fn other_grids_on_the_reference_commons() {
    let r = reference_repo();
    let mut o = options();
    o.grid = "standard-for-public-code".into();
    let j = to_json(&assess(r.path(), &o).expect("assessed"));
    assert_eq!(j["grid_info"]["id"], "standard-for-public-code");
    for (id, s) in [
        ("open_license.libre", "met"),
        ("open_license.fichier", "met"),
        ("welcome_contributors.gouvernance", "met"),
        ("version_control.etiquettes", "not_met"),
        ("continuous_integration.tests", "not_met"),
        ("continuous_integration.contributeurs_actifs", "met"),
        ("findable.metadonnees", "met"),
        ("code_in_the_open.publie", "unknown"),
    ] {
        assert_eq!(status_of(&j, id), s, "{id}");
    }
    o.grid = "dpg-standard".into();
    let d = to_json(&assess(r.path(), &o).expect("assessed"));
    assert_eq!(status_of(&d, "licence.osi"), "met");
    assert_eq!(status_of(&d, "documentation.technique"), "met");
    assert_eq!(status_of(&d, "sdg.pertinence"), "unknown");
    assert_eq!(d["spectrum"]["stage"]["key"], "candidat");
    o.grid = "nope".into();
    assert!(assess(r.path(), &o)
        .unwrap_err()
        .to_string()
        .contains("livre-blanc"));
}

fn unresolved_keys(text: &str) -> Vec<String> {
    let prefixes = [
        "report.",
        "target.",
        "section.",
        "summary.",
        "license.",
        "history.",
        "kind.",
        "doc.",
        "practice.",
        "grid.",
        "status.",
        "reason.",
        "key.",
        "finding.",
        "todo.",
        "note.",
        "credit.",
        "word.",
        "common.",
    ];
    text.split(|c: char| c.is_whitespace() || "()[]«»:,;\"".contains(c))
        .filter(|w| prefixes.iter().any(|p| w.starts_with(p)) && !w.starts_with("publiccode."))
        .map(str::to_string)
        .collect()
}

#[test]
fn reports_for_people() {
    let r = reference_repo();
    // A name that must be escaped in HTML and Markdown.
    r.write(
        "publiccode.yml",
        &PUBLICCODE.replace(
            "name: Exemple",
            "name: \"<script>alert(1)</script> & *co*\"",
        ),
    );
    let a = assess(r.path(), &options()).expect("assessed");
    let fr = render(&a, Format::Text, Lang::Fr);
    let en = render(&a, Format::Text, Lang::En);
    assert!(
        fr.contains("EN BREF") && fr.contains("Étape atteinte : Code ouvert (2 sur 6)"),
        "{fr}"
    );
    assert!(
        en.contains("IN SHORT") && en.contains("Stage reached: Open code (2 of 6)"),
        "{en}"
    );
    assert!(fr.contains("Facteur éléphant : 2"), "{fr}");
    assert!(
        fr.contains("package.json déclare MIT, mais les fichiers de licence disent EUPL-1.2."),
        "{fr}"
    );
    for t in [&fr, &en] {
        assert!(
            t.lines().all(|l| l.chars().count() <= 80),
            "a line is wider than 80 columns"
        );
        assert_eq!(unresolved_keys(t), Vec::<String>::new());
        assert!(!t.contains('{'), "placeholder left");
    }
    let md = render(&a, Format::Markdown, Lang::Fr);
    assert!(
        md.starts_with(
            "# Qualification du commun « \\<script\\>alert(1)\\</script\\> & \\*co\\* »"
        ),
        "{md}"
    );
    assert!(md.contains("\n## Licence\n"));
    let html = render(&a, Format::Html, Lang::En);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"en\">"));
    assert!(!html.contains("<script>"), "escaped");
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; *co*"));
    assert!(
        !html.contains("http://") && !html.contains("src="),
        "self-contained"
    );
    assert_eq!(unresolved_keys(&html), Vec::<String>::new());

    // With evidence, the "to complete" section lists what is still missing.
    r.write("archipel-evidence.toml", EVIDENCE);
    let b = assess(r.path(), &options()).expect("assessed");
    let fr = render(&b, Format::Text, Lang::Fr);
    let flat = fr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("POUR COMPLÉTER L'ÉVALUATION")
            && flat.contains("? [brand.charter] Marque partagée"),
        "{fr}"
    );
    assert!(
        flat.contains("aucune grille ne lit [usage.term_of_use] (faute de frappe ?)"),
        "{fr}"
    );
    assert_eq!(unresolved_keys(&fr), Vec::<String>::new());
}

#[test]
fn documented_json_fields_exist() {
    let r = reference_repo();
    let j = to_json(&assess(r.path(), &options()).expect("assessed"));
    for p in [
        "/license/spdx",
        "/license/confidence",
        "/license/evidence",
        "/license/declared/0/source",
        "/license/declared/0/spdx",
        "/publiccode/present",
        "/publiccode/valid",
        "/documents/readme",
        "/documents/contributing",
        "/documents/governance",
        "/documents/code_of_conduct",
        "/documents/security",
        "/history/commits",
        "/history/non_merge_commits",
        "/history/authors",
        "/history/contributor_absence_factor",
        "/history/elephant_factor",
        "/history/organizations/0/name",
        "/history/organizations/0/kind",
        "/history/organizations/0/commits",
        "/grid/0/constituent",
        "/grid/0/level",
        "/grid/0/status",
        "/grid/0/evidence",
        "/findings/0/id",
        "/findings/0/severity",
        "/findings/0/message",
        "/notes",
        "/spectrum/stage/key",
        "/spectrum/potential/key",
        "/spectrum/score",
        "/facts/license.free",
    ] {
        assert!(j.pointer(p).is_some(), "missing {p}");
    }
}

#[test]
fn refused_targets() {
    let o = options();
    for t in [
        "ssh://git@example.org/x.git",
        "git@example.org:x.git",
        "http://example.org/x.git",
    ] {
        let e = assess(t, &o).expect_err(t).to_string();
        assert!(e.contains("https://") || e.contains("refused"), "{t}: {e}");
    }
    assert!(assess("/no/such/folder", &o).is_err());
    let e = assess("https://user:secret@example.org/x.git", &o)
        .expect_err("credentials")
        .to_string();
    assert!(e.contains("refused"), "{e}");
    let _ = Status::Met;
}

#[test]
fn bare_repository_licence_from_headers() {
    let r = Repo::new();
    r.commit(
        "Ana",
        "ana@exemple.fr",
        day(2024, 1, 1),
        &[
            ("README.md", "# Outil\n"),
            (
                "src/a.rs",
                "// SPDX-License-Identifier: MPL-2.0\nfn a() {}\n",
            ),
            (
                "src/b.rs",
                "// SPDX-License-Identifier: MPL-2.0\nfn b() {}\n",
            ),
        ],
    );
    let bare = r.dir.path().join("outil.git");
    git(
        r.dir.path(),
        &["clone", "-q", "--bare", r.path(), bare.to_str().unwrap()],
        &[],
    );
    let j = to_json(&assess(bare.to_str().unwrap(), &options()).expect("assessed"));
    assert_eq!(j["target"]["kind"], "bare");
    assert_eq!(j["license"]["spdx"], "MPL-2.0");
    assert_eq!(j["license"]["share_alike"], true);
    assert!(j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "headers_sampled"));
    assert!(finding_ids(&j).contains(&"license.no_file".to_string()));
}
