//! `archipel stats --territory` on the demonstration territory: the
//! figures of its grants and calls for projects (text and JSON), left out
//! where there are none, restricted by `--commons`, and a grant without a
//! territory counted on its giver's.

mod common;
use common::{json, ok, run, stderr, write};

const METROPOLE: &str = "960000008";
const PLATEAU: &str = "960000016";

#[test]
fn the_metropole_shows_its_grants_and_calls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let demo = ok(&db, &["demo"]);
    assert!(demo.contains("grant      6"), "{demo}");
    assert!(demo.contains("call       1"), "{demo}");

    let s = json(&db, &["stats", "--territory", METROPOLE, "--json"]);
    let f = &s["support"];
    // Six grants: 8000 + 6500 + 4500 (the 2022 call) + 3000 + 5000
    // (operating grants) + 12000 (the cooperative) euros.
    assert_eq!(f["grants"], 6);
    assert_eq!(f["granted_cents"], 3_900_000);
    // Linked to commons: the three of the call name the commons they
    // support, the cooperative's too; the operating grants none, and their
    // beneficiaries maintain or contribute to none.
    assert_eq!(f["commons_grants"], 4);
    assert_eq!(f["commons_granted_cents"], 3_100_000);
    assert_eq!(f["commons_beneficiaries"], 4);
    // Associations: the beneficiaries with an RNA number or of kind
    // association — all but the cooperative. 27000 / 39000 = 69.2 %.
    assert_eq!(f["commons_associations"], 3);
    assert_eq!(f["associations_granted_cents"], 2_700_000);
    assert_eq!(f["associations_share_percent"], 69);
    assert_eq!(f["calls"], 1);
    assert_eq!(f["non_competitive_calls"], 1);

    let text = ok(&db, &["stats", "--territory", METROPOLE]);
    assert!(text.contains("Public support"), "{text}");
    assert!(text.contains("6  grants, 39000 € in all"), "{text}");
    assert!(
        text.contains("4  grants to commons, 31000 € to 4 beneficiaries (3 associations)"),
        "{text}"
    );
    assert!(
        text.contains("69%  of the amount to associations (27000 €)"),
        "{text}"
    );
    assert!(
        text.contains("1  calls for projects, 1 non-competitive"),
        "{text}"
    );

    // The argument sheet quotes the same figures.
    let sheet = json(
        &db,
        &[
            "pitch",
            "--audience",
            "association",
            "--register",
            "economic",
            "--territory",
            METROPOLE,
            "--json",
        ],
    );
    let evidence = |sheet: &serde_json::Value, i: &str| {
        sheet["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .find(|e| e["indicator"] == i)
            .map(|e| e["value"].clone())
    };
    let commons = evidence(&sheet, "support_commons").expect("support_commons");
    assert_eq!(commons["granted_cents"], f["commons_granted_cents"]);
    assert_eq!(commons["beneficiaries"], f["commons_beneficiaries"]);
    let share = evidence(&sheet, "support_associations").expect("support_associations");
    assert_eq!(share["percent"], f["associations_share_percent"]);
    assert_eq!(
        evidence(&sheet, "non_competitive_calls"),
        Some(f["non_competitive_calls"].clone())
    );

    // The region above the metropole counts them too.
    let region = json(&db, &["stats", "--territory", "region:96", "--json"]);
    assert_eq!(region["support"], s["support"]);

    // The Plateau and a commune of the metropole gave nothing: no figure.
    for t in [PLATEAU, "96001"] {
        let s = json(&db, &["stats", "--territory", t, "--json"]);
        assert!(s.get("support").is_none(), "{t}: {s}");
        let text = ok(&db, &["stats", "--territory", t]);
        assert!(!text.contains("Public support"), "{t}: {text}");
        assert!(!text.contains("grants"), "{t}: {text}");
        let sheet = json(
            &db,
            &[
                "pitch",
                "--audience",
                "association",
                "--register",
                "economic",
                "--territory",
                t,
                "--json",
            ],
        );
        for i in [
            "support_commons",
            "support_associations",
            "non_competitive_calls",
        ] {
            assert!(evidence(&sheet, i).is_none(), "{t}: {i}");
        }
    }

    // For one commons: the grants that name it or go to one of its
    // maintainers or contributors.
    let nuage = json(
        &db,
        &[
            "stats",
            "--territory",
            METROPOLE,
            "--commons",
            "commons:demo:nuage-des-rives",
            "--json",
        ],
    );
    let f = &nuage["support"];
    assert_eq!(f["grants"], 6, "the territory's grants stay whole");
    assert_eq!(f["commons_grants"], 2);
    assert_eq!(f["commons_granted_cents"], 1_250_000);
    assert_eq!(f["commons_beneficiaries"], 2);
}

#[test]
fn a_grant_without_territory_counts_on_its_givers_and_a_maintainer_is_linked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let content = dir.path().join("overlay");
    std::fs::create_dir_all(content.join("demo")).unwrap();
    // One grant, no territory, no commons named: the Plateau's community
    // of communes gives it to the group that maintains the Wiki des Rives.
    write(
        &content.join("demo"),
        "support.toml",
        r#"
[[grant]]
id = "grant:demo:plateau-wiki"
giver_name = "Communauté de communes du Plateau (fictive)"
giver_siret = "96000001600019"
giver = "actor:demo:cc-plateau"
date = "2023-05-02"
beneficiary_name = "Les Bidouilleurs du Plateau"
beneficiary = "actor:demo:bidouilleurs-plateau"
purpose = "Soirées de contribution"
amount_cents = 123456
nature = "aide en numéraire"
payment_terms = "unique"
payment_from = "2023-06-01"
eu_notified = false
share = "0.5"
"#,
    );
    let c = content.to_str().unwrap();
    ok(&db, &["--content", c, "demo"]);
    let s = json(&db, &["stats", "--territory", PLATEAU, "--json"]);
    let f = &s["support"];
    assert_eq!(f["grants"], 1);
    // Half of 1234.56 euros, in cents.
    assert_eq!(f["granted_cents"], 61_728);
    assert_eq!(f["commons_grants"], 1);
    assert_eq!(f["commons_beneficiaries"], 1);
    // An informal group with no RNA number is no association.
    assert!(f.get("commons_associations").is_none(), "{f}");
    assert!(f.get("associations_share_percent").is_none(), "{f}");
    assert!(f.get("calls").is_none(), "{f}");
    let s = json(&db, &["stats", "--territory", METROPOLE, "--json"]);
    assert!(s.get("support").is_none(), "{s}");
}

#[test]
fn an_unknown_territory_lists_the_territories_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let out = run(&db, &["stats", "--territory", "territory:demo:nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("archipel: unknown territory `territory:demo:nowhere`"),
        "{err}"
    );
    assert!(
        !err.contains("\\u{a}"),
        "line breaks printed as escapes: {err}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Villecommune (fictive)")),
        "{err}"
    );
    assert!(lines.len() > 10, "{err}");
}
