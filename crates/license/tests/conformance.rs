//! The licence cases of `testdata/licenses/` (from licensee's
//! test suite): the detected id must be among the accepted ones for at
//! least 90% of the cases. Misses are printed.

use std::path::PathBuf;

fn suite() -> PathBuf {
    archipel_testkit::testdata("licenses")
}

#[test]
fn conformance_rate_is_at_least_90_percent() {
    let dir = suite();
    let expected = std::fs::read_to_string(dir.join("expected.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("expected.json").display()));
    let expected: serde_json::Value =
        serde_json::from_str(&expected).expect("expected.json is JSON");
    let cases = expected
        .as_object()
        .expect("expected.json maps folders to cases");
    assert!(!cases.is_empty());

    let mut hits = 0usize;
    let mut misses = Vec::new();
    for (name, case) in cases {
        let accept: Vec<&str> = case["accept"]
            .as_array()
            .expect("accept is a list")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let folder = dir.join("fixtures").join(name);
        let got = match archipel_license::detect(&folder) {
            Ok(d) => d.spdx,
            Err(e) => format!("error: {e}"),
        };
        if accept.contains(&got.as_str()) {
            hits += 1;
        } else {
            misses.push(format!(
                "{name}: got {got}, accepted {}",
                accept.join(" | ")
            ));
        }
    }
    let rate = hits as f64 / cases.len() as f64;
    println!(
        "licence conformance: {hits}/{} = {:.1}%",
        cases.len(),
        rate * 100.0
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(
        rate >= 0.90,
        "conformance {:.1}% < 90%; misses:\n{}",
        rate * 100.0,
        misses.join("\n")
    );
}
