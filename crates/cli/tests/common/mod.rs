//! Helpers shared by the command-line tests: running `archipel` with a
//! clean environment, checking it succeeded, reading its output; git with
//! fixed identities.
//!
//! Each test file compiles this module and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");

/// Every variable `archipel` takes a setting from: each command of the
/// tests starts without them, so that the environment of whoever runs the
/// tests changes nothing.
pub const VARIABLES: &[&str] = &[
    "ARCHIPEL_DB",
    "ARCHIPEL_CONTENT",
    "ARCHIPEL_CONFIG",
    "ARCHIPEL_ADDR",
    "ARCHIPEL_PUBLIC_URL",
    "ARCHIPEL_FRAME_ANCESTORS",
    "ARCHIPEL_STATIC_DIR",
    "ARCHIPEL_POOL_SIZE",
    "ARCHIPEL_CACHE_SIZE",
    "ARCHIPEL_DATA_LICENCE",
    "ARCHIPEL_TILES",
    "ARCHIPEL_TILES_ATTRIBUTION",
    "ARCHIPEL_TILES_OUTLINES",
    "ARCHIPEL_LOG_FORMAT",
    "ARCHIPEL_LOG",
];

/// `archipel ARGS` with none of [`VARIABLES`] set, no standard input,
/// its output captured.
pub fn archipel(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    for v in VARIABLES {
        c.env_remove(v);
    }
    c.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// `archipel --db DB ARGS` (see [`archipel`]).
pub fn command(db: &Path, args: &[&str]) -> Command {
    let mut c = archipel(&[]);
    c.arg("--db").arg(db).args(args);
    c
}

/// Runs `archipel ARGS` (no registry given) to its end.
pub fn output(args: &[&str]) -> Output {
    archipel(args).output().expect("run archipel")
}

/// Runs `archipel --db DB ARGS` to its end.
pub fn run(db: &Path, args: &[&str]) -> Output {
    command(db, args).output().expect("run archipel")
}

/// The standard output of a run that must have succeeded; fails the test
/// with its error output otherwise.
pub fn succeeded(out: Output, args: &[&str]) -> Vec<u8> {
    assert!(
        out.status.success(),
        "archipel {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out.stdout
}

/// Runs `archipel --db DB ARGS`, which must succeed; its standard output.
pub fn ok_bytes(db: &Path, args: &[&str]) -> Vec<u8> {
    succeeded(run(db, args), args)
}

/// [`ok_bytes`] as text.
pub fn ok(db: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&ok_bytes(db, args)).into_owned()
}

/// [`ok_bytes`] read as JSON.
pub fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&ok_bytes(db, args))
        .unwrap_or_else(|e| panic!("archipel {args:?}: not JSON: {e}"))
}

/// A run's standard output, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A run's error output, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes `text` to `dir/name`; its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write a test file");
    p
}

/// Runs `git ARGS` in `dir` as `author` (name, e-mail) at a fixed date,
/// with no user or system configuration; fails the test if git fails.
pub fn git(dir: &Path, author: (&str, &str), args: &[&str]) {
    let when = chrono::DateTime::from_timestamp(1_704_110_400, 0).expect("valid date");
    archipel_testkit::git(dir, args, &archipel_testkit::who(author.0, author.1, when));
}
