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

/// The one whole-file error of a report, its message.
fn whole_file_error(report: &archipel_publiccode::Report) -> &str {
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(
        (f.severity, f.line, f.key.as_str()),
        (archipel_publiccode::Severity::Error, 0, "")
    );
    &f.message
}

#[test]
fn too_large_says_how_large_and_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("publiccode.yml");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(5 * 1024 * 1024))
        .expect("5 MiB file");
    let report = archipel_publiccode::validate_file(&big, &Options::default());
    let m = whole_file_error(&report);
    assert!(
        m.contains("too large") && m.contains("5242880 bytes") && m.contains("4 MiB"),
        "{m}"
    );
}

#[test]
fn an_endless_stream_is_read_in_bounded_memory() {
    let report = archipel_publiccode::validate_reader(std::io::repeat(b'a'), &Options::default());
    let m = whole_file_error(&report);
    assert!(m.contains("more than 4 MiB"), "{m}");
}

#[cfg(unix)]
#[test]
fn a_device_is_refused_as_not_a_regular_file_with_the_real_reason() {
    // /dev/zero has no size (0) and never ends: the old message said
    // "too large (0 bytes…)".
    let report =
        archipel_publiccode::validate_file(std::path::Path::new("/dev/zero"), &Options::default());
    let m = whole_file_error(&report);
    assert!(
        m.contains("not a regular file")
            && m.contains("character device")
            && m.contains("more than 4 MiB"),
        "{m}"
    );
    assert!(!m.contains("0 bytes"), "{m}");
}

#[cfg(unix)]
#[test]
fn a_pipe_is_read_like_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("publiccode.yml");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let (_, valid) = support::suite_files()
        .iter()
        .find(|(p, _)| p.ends_with("valid/valid.minimal.yml"))
        .expect("valid.minimal.yml in the suite");
    let text = valid.clone();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, text));
    let report = archipel_publiccode::validate_file(&fifo, &Options::default());
    writer.join().expect("writer").expect("write to the pipe");
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.publiccode.is_some());
}
