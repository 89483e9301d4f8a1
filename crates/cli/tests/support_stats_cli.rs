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
    assert!(demo.contains("grant      10"), "{demo}");
    assert!(demo.contains("call       2"), "{demo}");

    let s = json(&db, &["stats", "--territory", METROPOLE, "--json"]);
    let f = &s["support"];
    // Ten grants: 8000 + 6500 + 4500 + 1000 (the 2022 call) + 3000 +
    // 5000 (operating grants) + 12000 (the cooperative) + 6000 + 4000 +
    // 10000 (the 2024 call) euros.
    assert_eq!(f["grants"], 10);
    assert_eq!(f["granted_cents"], 6_000_000);
    // Linked to commons: the grants of both calls name the commons they
    // support, the cooperative's too; the operating grants none, and their
    // beneficiaries maintain or contribute to none.
    assert_eq!(f["commons_grants"], 8);
    assert_eq!(f["commons_granted_cents"], 5_200_000);
    assert_eq!(f["commons_beneficiaries"], 5);
    // Associations: the beneficiaries with an RNA number or of kind
    // association — all but the cooperative. 38000 / 60000 = 63.3 %.
    assert_eq!(f["commons_associations"], 4);
    assert_eq!(f["associations_granted_cents"], 3_800_000);
    assert_eq!(f["associations_share_percent"], 63);
    assert_eq!(f["calls"], 2);
    assert_eq!(f["non_competitive_calls"], 1);

    let text = ok(&db, &["stats", "--territory", METROPOLE]);
    assert!(text.contains("Public support"), "{text}");
    assert!(text.contains("10  grants, 60000 € in all"), "{text}");
    assert!(
        text.contains("8  grants to commons, 52000 € to 5 beneficiaries (4 associations)"),
        "{text}"
    );
    assert!(
        text.contains("63%  of the amount to associations (38000 €)"),
        "{text}"
    );
    assert!(
        text.contains("2  calls for projects, 1 non-competitive"),
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
    assert_eq!(f["grants"], 10, "the territory's grants stay whole");
    // 8000 and 6000 to the Chaton, 4500 to La Coursive.
    assert_eq!(f["commons_grants"], 3);
    assert_eq!(f["commons_granted_cents"], 1_850_000);
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

/// The figures of the other kinds of public action, in `stats --territory
/// --json`, its text and the argument sheets, equal what the test
/// computes from the records `support list --json` gives.
#[test]
fn the_other_kinds_figures_equal_what_the_records_say() {
    use std::collections::{BTreeMap, BTreeSet};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let list = json(&db, &["support", "list", "--json"]);
    let records = list["records"].as_array().expect("records");
    let of = |t: &str| -> Vec<&serde_json::Value> {
        records.iter().filter(|r| r["type"] == t).collect()
    };
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);

    // Applications, and first-timers: no earlier application to a call
    // of the same body nor grant from it (every call and grant of the
    // demonstration is the metropole's).
    let apps = of("application");
    let accepted = apps.iter().filter(|a| a["status"] == "accepted").count();
    let mut by_applicant: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &apps {
        by_applicant
            .entry(a["applicant"].as_str().unwrap())
            .or_default()
            .push(a["submitted"].as_str().unwrap());
    }
    let first_grant: BTreeMap<&str, &str> = of("grant").iter().fold(BTreeMap::new(), |mut m, g| {
        let b = g["beneficiary"].as_str().unwrap();
        let d = g["date"].as_str().unwrap();
        let e = m.entry(b).or_insert(d);
        if d < *e {
            *e = d;
        }
        m
    });
    let first_timers = by_applicant
        .iter()
        .filter(|(who, days)| {
            let first = days.iter().min().unwrap();
            first_grant.get(*who).is_none_or(|g| g >= first)
        })
        .count();

    let events = of("event");
    let trainings: Vec<_> = events
        .iter()
        .filter(|e| e["category"] == "training")
        .collect();
    let others: Vec<_> = events
        .iter()
        .filter(|e| e["category"] != "training")
        .collect();
    let people = |es: &[&&serde_json::Value]| -> u64 {
        es.iter().map(|e| n(&e["attendance"]["total"])).sum()
    };
    let agents: u64 = trainings
        .iter()
        .map(|e| n(&e["attendance"]["public_agents"]))
        .sum();

    let hardware = of("hardware");
    let lent: u64 = hardware
        .iter()
        .filter(|h| h["transfer"] == "loan")
        .map(|h| n(&h["quantity"]))
        .sum();
    let out: u64 = hardware
        .iter()
        .filter(|h| h["transfer"] == "loan" && h["returned"] != true)
        .map(|h| n(&h["quantity"]))
        .sum();
    // Hostings and posts of the demonstration have no end.
    let hosted: BTreeSet<&str> = of("hosting")
        .iter()
        .filter(|h| h.get("until").is_none())
        .flat_map(|h| {
            h["commons"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c.as_str())
        })
        .collect();
    let posts: Vec<_> = of("post")
        .into_iter()
        .filter(|p| p.get("until").is_none())
        .collect();

    let s = json(&db, &["stats", "--territory", METROPOLE, "--json"]);
    let f = &s["support"];
    assert_eq!(n(&f["applications"]), apps.len() as u64);
    assert_eq!(n(&f["applications_accepted"]), accepted as u64);
    assert_eq!(n(&f["first_time_applicants"]), first_timers as u64);
    assert_eq!(n(&f["trainings"]), trainings.len() as u64);
    assert_eq!(n(&f["training_attendees"]), people(&trainings));
    assert_eq!(n(&f["agents_trained"]), agents);
    assert_eq!(n(&f["events"]), others.len() as u64);
    assert_eq!(n(&f["event_attendees"]), people(&others));
    assert_eq!(n(&f["hardware_lent"]), lent);
    assert_eq!(n(&f["hardware_out"]), out);
    assert_eq!(n(&f["commons_hosted"]), hosted.len() as u64);
    assert_eq!(n(&f["posts"]), posts.len() as u64);
    assert_eq!(f["posts_fte"], "1");
    // What the issue asks of the demonstration.
    assert_eq!(apps.len(), 12);
    assert!(first_timers >= 3, "{first_timers}");
    assert_eq!(trainings.len() + others.len(), 6);
    assert_eq!(hosted.len(), 2);
    assert!(out > 0 && out < lent);
    for e in &events {
        let kinds = e["attendance"]["by_actor_kind"].as_object().unwrap();
        assert!(kinds.len() >= 3, "{e}: attendance mixes actor kinds");
    }

    let text = ok(&db, &["stats", "--territory", METROPOLE]);
    for line in [
        format!(
            "{}  applications to calls, {accepted} accepted, {first_timers} from first-time applicants",
            apps.len()
        ),
        format!(
            "{}  trainings, {} attendees, {agents} public agents trained",
            trainings.len(),
            people(&trainings)
        ),
        format!("{lent}  hardware items lent, {out} out now"),
        format!("{}  commons hosted", hosted.len()),
        "1  dedicated posts, 1 full-time equivalent".to_string(),
    ] {
        assert!(text.contains(&line), "{line}\n{text}");
    }

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
    let evidence = |i: &str| {
        sheet["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .find(|e| e["indicator"] == i)
            .map(|e| e["value"].clone())
    };
    let h = evidence("hardware_lent").expect("hardware_lent");
    assert_eq!((n(&h["lent"]), n(&h["out"])), (lent, out));
    let p = evidence("dedicated_posts").expect("dedicated_posts");
    assert_eq!(p["fte"], f["posts_fte"]);
    let t = evidence("agents_trained").expect("agents_trained");
    assert_eq!(n(&t), agents);

    // Nothing of the sort on the Plateau: no figure, no evidence.
    let s = json(&db, &["stats", "--territory", PLATEAU, "--json"]);
    assert!(s.get("support").is_none(), "{s}");
}
