//! Helpers shared by the command-line tests.

use std::path::Path;

/// Runs `git ARGS` in `dir` as `author` (name, e-mail) at a fixed date,
/// with no user or system configuration; fails the test if git fails.
pub fn git(dir: &Path, author: (&str, &str), args: &[&str]) {
    let when = chrono::DateTime::from_timestamp(1_704_110_400, 0).expect("valid date");
    archipel_testkit::git(dir, args, &archipel_testkit::who(author.0, author.1, when));
}
