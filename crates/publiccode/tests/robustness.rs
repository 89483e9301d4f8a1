//! Property test: mutated conformance files never make the validator panic,
//! and every finding it reports points inside the file. Kept short (a few
//! seconds); `examples/fuzz.rs` runs the same mutations for longer.

mod support;

use archipel_publiccode::{validate, Options};
use proptest::prelude::*;

fn check(input: &[u8], options: &Options) {
    let report = validate(input, options);
    let lines = input.split(|&c| c == b'\n').count();
    for f in &report.findings {
        assert!(
            f.line <= lines + 1,
            "line {} beyond the {lines} lines of the input",
            f.line
        );
        assert!(!f.message.is_empty());
    }
    assert!(report.findings.len() <= options.max_findings + 1);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(192),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_conformance_files_never_panic(
        file in 0usize..1000,
        ops in prop::collection::vec((any::<u8>(), any::<u32>(), any::<u32>()), 1..8),
    ) {
        let files = support::suite_files();
        prop_assume!(!files.is_empty());
        let (path, bytes) = &files[file % files.len()];
        let options = Options {
            base_dir: path.parent().map(|p| p.to_path_buf()),
            ..Options::default()
        };
        let mutated = support::mutate(bytes, &ops);
        check(&mutated, &options);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes, &Options::default());
    }
}

#[test]
fn suite_is_there() {
    assert!(support::suite_files().len() >= 100);
}

#[test]
fn hostile_shapes_end_with_a_finding() {
    let o = Options::default();
    let cases: Vec<Vec<u8>> = vec![
        // Deep flow and block nesting.
        format!("a: {}{}", "[".repeat(200), "]".repeat(200)).into_bytes(),
        (0..2000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>().into_bytes(),
        format!("a: {}", "- ".repeat(5000)).into_bytes(),
        // A 3 MiB line, a 3 MiB key.
        format!("publiccodeYmlVersion: \"0.7\"\nname: {}\n", "x".repeat(3 << 20)).into_bytes(),
        format!("publiccodeYmlVersion: \"0.7\"\n{}: 1\n", "k".repeat(3 << 20)).into_bytes(),
        // Many keys, many items, many wrong types.
        format!("publiccodeYmlVersion: \"0.7\"\n{}", (0..100_000).map(|i| format!("k{i}: v\n")).collect::<String>()).into_bytes(),
        format!("publiccodeYmlVersion: \"0.7\"\nplatforms:\n{}", "  - []\n".repeat(100_000)).into_bytes(),
        // Billion laughs.
        b"publiccodeYmlVersion: \"0.7\"\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n".to_vec(),
        // Too large.
        vec![b'#'; archipel_publiccode::DEFAULT_MAX_BYTES + 1],
    ];
    for input in cases {
        let report = validate(&input, &o);
        assert!(!report.is_valid(), "{:?}", report.findings.first());
        assert!(report.findings.len() <= o.max_findings + 1);
    }
}
