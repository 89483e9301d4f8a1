//! Helpers shared by the command-line tests.

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir` as `author` (name, e-mail), with fixed dates
/// and no user or system configuration; fails the test if git fails.
pub fn git(dir: &Path, author: (&str, &str), args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", author.0)
        .env("GIT_AUTHOR_EMAIL", author.1)
        .env("GIT_AUTHOR_DATE", "1704110400 +0000")
        .env("GIT_COMMITTER_NAME", author.0)
        .env("GIT_COMMITTER_EMAIL", author.1)
        .env("GIT_COMMITTER_DATE", "1704110400 +0000")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
