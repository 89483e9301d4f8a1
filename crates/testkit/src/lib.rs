//! Helpers shared by the tests of several crates: running git in a
//! repository a test builds, with fixed identities and dates and no user or
//! system configuration, so that every figure a test asserts is
//! reproducible; finding the vendored test data; running a real OpenID
//! Connect provider ([`oidc`]). Only ever a dev-dependency.

pub mod oidc;

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `git ARGS` in `dir` with the variables `env` set (see [`who`]);
/// fails the test if git fails; returns its standard output, trimmed.
pub fn git(dir: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Nobody")
        .env("GIT_AUTHOR_EMAIL", "nobody@nowhere.invalid")
        .env("GIT_COMMITTER_NAME", "Nobody")
        .env("GIT_COMMITTER_EMAIL", "nobody@nowhere.invalid");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The variables that make `name <email>` the author and committer of a
/// commit made at `when`.
pub fn who(name: &str, email: &str, when: DateTime<Utc>) -> Vec<(&'static str, String)> {
    let d = format!("{} +0000", when.timestamp());
    vec![
        ("GIT_AUTHOR_NAME", name.to_string()),
        ("GIT_AUTHOR_EMAIL", email.to_string()),
        ("GIT_AUTHOR_DATE", d.clone()),
        ("GIT_COMMITTER_NAME", name.to_string()),
        ("GIT_COMMITTER_EMAIL", email.to_string()),
        ("GIT_COMMITTER_DATE", d),
    ]
}

/// A path under the repository's `testdata/` folder (the conformance cases
/// and real files the tests read, vendored with their licences: see
/// `testdata/README.md`). Fails the test when it is missing, naming it.
pub fn testdata(rel: &str) -> PathBuf {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/testkit sits in crates/");
    let root = crates
        .parent()
        .expect("crates/ sits in the repository")
        .join("testdata");
    let path = root.join(rel);
    assert!(
        path.exists(),
        "{}: missing test data (testdata/ is part of the repository; see testdata/README.md)",
        path.display()
    );
    path
}

/// Médiation files ("lieux de médiation numérique") for the tests that
/// import them.
pub mod mediation {
    /// The header of [`row`]'s records: a dozen of the schema's columns.
    pub const HEADER: &str = "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,typologie,date_maj,presentation_resume";

    /// A valid record (with its line break) of a place `lieu-{i}` in
    /// Brest, run by one of three operators (a SIRET chosen by `i`).
    pub fn row(i: usize) -> String {
        format!(
            "lieu-{i},{siret},Médiathèque n°{i},Brest,29200,29019,{i} rue de Siam,48.39{i:03},-4.48{i:03},BIB|MUNI,2024-03-0{d},\"Accès libre, ateliers\"\n",
            siret = 21290019700010u64 + (i as u64 % 3),
            d = 1 + i % 9
        )
    }
}
