//! `archipel territories import` and `archipel init --territory` on real
//! registries: what each writes, said as JSON; a wrong or ambiguous code
//! writes nothing.

mod common;
use common::*;

/// Identifiers of the registry's territories of a level, from `stats`.
fn territories(db: &std::path::Path, key: &str) -> u64 {
    let v = json(db, &["stats", "--territory", key, "--json"]);
    v["territories"].as_u64().unwrap()
}

#[test]
fn init_prepares_a_commune_or_an_epci_with_its_hierarchy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("brest.db");
    let v = json(&db, &["init", "--territory", "29019", "--json"]);
    let t = &v["territories"];
    assert_eq!(
        (
            t["regions"].as_u64(),
            t["departements"].as_u64(),
            t["epci"].as_u64(),
            t["communes"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(t["written"]["inserted"], 4);
    let show = ok(&db, &["show", "territory:insee:commune:29019"]);
    assert!(show.contains("Brest"), "{show}");
    assert_eq!(territories(&db, "region:53"), 4);

    let db = dir.path().join("metropole.db");
    let v = json(&db, &["init", "--territory", "242900314", "--json"]);
    assert_eq!(v["territories"]["communes"], 8, "{v}");
    // The EPCI, its eight communes.
    assert_eq!(territories(&db, "territory:insee:epci:242900314"), 9);
    // Region, department, EPCI, communes.
    assert_eq!(territories(&db, "region:53"), 11);

    // A code two levels share, or none has: nothing is made.
    let db = dir.path().join("none.db");
    for code in ["53", "00000"] {
        let out = run(&db, &["init", "--territory", code]);
        assert_eq!(out.status.code(), Some(1), "{code}");
        assert!(!db.exists(), "{code}: {}", stderr(&out));
    }
    assert!(
        stderr(&run(&db, &["init", "--territory", "53"])).contains("region:53 or departement:53")
    );
}

#[test]
fn import_a_region_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bretagne.db");
    let v = json(&db, &["territories", "import", "--region", "53", "--json"]);
    assert_eq!(v["regions"], 1, "{v}");
    assert_eq!(v["departements"], 4, "{v}");
    let communes = v["communes"].as_u64().unwrap();
    assert!((1_150..1_300).contains(&communes), "{v}");
    assert_eq!(
        v["inserted"].as_u64().unwrap(),
        1 + 4 + v["epci"].as_u64().unwrap() + communes
    );
    // Again: nothing changes.
    let again = json(&db, &["territories", "import", "--region", "53", "--json"]);
    assert_eq!(again["inserted"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    let out = run(&db, &["stats", "--territory", "region:52", "--json"]);
    assert_ne!(out.status.code(), Some(0), "Pays de la Loire is not there");
    let out = run(&db, &["territories", "import", "--region", "99"]);
    assert_eq!(out.status.code(), Some(1));
}
