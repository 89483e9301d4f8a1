//! `archipel publiccode …` end to end, on the conformance files and on
//! hostile inputs. No network.

mod common;
use common::{output, stdout};

fn suite(file: &str) -> String {
    archipel_testkit::testdata("publiccode/v0")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn valid_file_exits_zero_and_prints_nothing() {
    let o = output(&["publiccode", "validate", &suite("valid/valid.minimal.yml")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn warnings_alone_keep_exit_zero() {
    let f = suite("valid_with_warnings/valid_with_legal_repoOwner.yml");
    let o = output(&["publiccode", "validate", &f]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with(&format!("{f}:70:3: warning: legal.repoOwner: ")));
}

#[test]
fn errors_exit_one_with_file_line_column_key() {
    let f = suite("invalid/maintenance_contractors_until_invalid.yml");
    let ok = suite("valid/valid.minimal.yml");
    let o = output(&["publiccode", "validate", &ok, &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!(
            "{f}:49:7: error: maintenance.contractors[0].until: "
        )),
        "{out}"
    );
}

#[test]
fn json_is_one_array_of_findings() {
    let a = suite("invalid/name_missing.yml");
    let b = suite("valid_with_warnings/valid.minimal.v0.2.yml");
    let o = output(&["publiccode", "validate", "--json", &a, &b]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let items = v.as_array().expect("array");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["file"], a.as_str());
    assert_eq!(items[0]["severity"], "error");
    assert_eq!(items[0]["key"], "name");
    assert_eq!(items[0]["line"], 1);
    assert_eq!(items[0]["column"], 1);
    assert!(items[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(items[1]["file"], b.as_str());
    assert_eq!(items[1]["severity"], "warning");
    let o = output(&[
        "publiccode",
        "validate",
        "--json",
        &suite("valid/valid.minimal.yml"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "[]");
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(output(&["publiccode", "validate"]).status.code(), Some(2));
    assert_eq!(
        output(&["publiccode", "validate", "--nope", "x"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(output(&["publiccode"]).status.code(), Some(2));
}

#[test]
fn hostile_inputs_get_a_clear_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p.display().to_string()
    };
    let empty = write("empty.yml", b"");
    let binary = write("binary.yml", &[0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe, 0]);
    let prose = write(
        "prose.yml",
        b"This is a README, not YAML: it has: colons: everywhere\n- and\n",
    );
    let list = write("list.yml", b"- a\n- b\n");
    let big = dir.path().join("big.yml");
    {
        let f = std::fs::File::create(&big).expect("create");
        f.set_len(50 * 1024 * 1024).expect("50 MB");
    }
    let big = big.display().to_string();
    let missing = dir.path().join("missing.yml").display().to_string();
    for (file, needle) in [
        (&empty, "empty"),
        (&binary, "binary"),
        (&prose, "not valid YAML"),
        (&list, "mapping"),
        (&big, "too large"),
        (&missing, "cannot open"),
    ] {
        let o = output(&["publiccode", "validate", file]);
        assert_eq!(o.status.code(), Some(1), "{file}");
        let out = stdout(&o);
        assert!(
            out.starts_with(file.as_str()) && out.contains(needle),
            "{file}: {out}"
        );
    }
}

#[test]
fn init_writes_a_draft_that_validation_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    std::fs::write(
        repo.join("LICENSE"),
        "MIT License\n\nPermission is hereby granted, free of charge, to any person",
    )
    .expect("licence");
    std::fs::create_dir_all(repo.join(".git")).expect("git");
    std::fs::write(
        repo.join(".git/config"),
        "[remote \"origin\"]\n\turl = git@forge.example.org:city/maps.git\n",
    )
    .expect("git config");
    let path = repo.display().to_string();
    let o = output(&["publiccode", "init", &path]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let file = repo.join("publiccode.yml");
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(text.contains("license: \"MIT\""), "{text}");
    assert!(
        text.contains("url: \"https://forge.example.org/city/maps.git\""),
        "{text}"
    );
    assert!(text.contains("TODO"));
    // What is left to fill in shows up as errors, with positions.
    let file_s = file.display().to_string();
    let o = output(&["publiccode", "validate", &file_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("shortDescription"));
    // No overwrite without --force.
    assert_eq!(
        output(&["publiccode", "init", &path]).status.code(),
        Some(1)
    );
    assert_eq!(
        output(&["publiccode", "init", "--force", &path])
            .status
            .code(),
        Some(0)
    );
}

#[cfg(unix)]
#[test]
fn a_device_gets_the_real_reason_not_a_size_of_zero() {
    let o = output(&["publiccode", "validate", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("/dev/zero:0:0: error: ")
            && out.contains("not a regular file")
            && out.contains("more than 4 MiB"),
        "{out}"
    );
    assert!(!out.contains("0 bytes"), "{out}");
}

#[test]
fn ipa_codes_are_checked_against_the_built_in_list_or_a_newer_one() {
    // Well formed but absent from the index: refused with the built-in list.
    let wrong = suite("invalid/organisation_uri_wrong_italian_pa2.yml");
    let o = output(&["publiccode", "validate", &wrong]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("organisation.uri: "), "{}", stdout(&o));
    // A known code passes with it, and the deprecated `codiceIPA` says
    // where the code goes now.
    let known = suite("valid_with_warnings/valid_with_IT_riuso_codiceIPA.yml");
    let o = output(&["publiccode", "validate", &known]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("IT.riuso.codiceIPA: this key is deprecated; set `organisation.uri` to `urn:x-italian-pa:pcm`"),
        "{}",
        stdout(&o)
    );
    // A newer list given with --ipa-codes replaces the built-in one.
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = std::fs::read_to_string(&wrong)
        .expect("read")
        .lines()
        .find_map(|l| l.trim().strip_prefix("uri: "))
        .map(|u| u.trim_matches('"').to_string())
        .expect("an organisation uri");
    let code = uri.rsplit(':').next().expect("a code").to_string();
    let list = dir.path().join("ipa.txt");
    std::fs::write(&list, format!("cod_amm\n{code}\n")).expect("list");
    let list = list.display().to_string();
    let o = output(&["publiccode", "validate", "--ipa-codes", &list, &wrong]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = output(&["publiccode", "validate", "--ipa-codes", &list, &known]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "pcm is not in that list: {}",
        stdout(&o)
    );
    // A hostile list is refused in bounded memory, with the reason.
    #[cfg(unix)]
    {
        let o = output(&["publiccode", "validate", "--ipa-codes", "/dev/zero", &known]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("larger than 64 MiB"), "{err}");
    }
}
