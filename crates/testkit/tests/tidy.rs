//! The written invariants of ARCHITECTURE.md that a reading of the
//! sources can check, checked (as rust-analyzer's tidy tests do): each
//! test walks the repository's files and fails naming every file and line
//! that breaks its rule.
//!
//! - only `archipel-store` depends on SQLite (`rusqlite`) or names it in
//!   its code; tests may, as a dev-dependency, to damage or lock a
//!   registry from outside, which the store's API rightly cannot;
//! - `archipel-domain` does no I/O: no file, network, process,
//!   environment, terminal, nor a file compiled in;
//! - only `archipel-content` reads `content/` (the others get its files
//!   from `archipel_content::embedded` or `Content`);
//! - a member's `Cargo.toml` takes every dependency from
//!   `[workspace.dependencies]` (`name.workspace = true`, plus features)
//!   and its version, edition, licence and minimum Rust version from the
//!   workspace;
//! - there is one minimum Rust version, the workspace's, which every
//!   member inherits and which is no lower than any dependency's in
//!   Cargo.lock (clippy's `incompatible_msrv`, run by scripts/test.sh with
//!   `-D warnings`, refuses a standard API newer than it);
//! - no test or source reads a folder beside the repository or passes by
//!   printing that it skipped its checks.

use std::path::{Path, PathBuf};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository's root")
}

/// This file, which spells every pattern it looks for.
fn this_file() -> PathBuf {
    root().join("crates/testkit/tests/tidy.rs")
}

/// Files under `dir` (recursively, in name order), leaving out build
/// output, git's folder and the vendored test data.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.map(|e| e.expect("a folder entry").path()).collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            if p.is_dir() {
                if !matches!(
                    name.as_ref(),
                    "target" | ".git" | "testdata" | "node_modules"
                ) {
                    stack.push(p);
                }
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The Rust files of the repository, except this one.
fn rust_files() -> Vec<PathBuf> {
    let me = this_file();
    files(&root().join("crates"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && *p != me)
        .collect()
}

/// The members of the workspace: (folder name, folder).
fn members() -> Vec<(String, PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    assert!(out.len() >= 10, "the workspace's members: {out:?}");
    out
}

/// `path` relative to the repository, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).expect("a file of the repository")).into_owned()
}

/// Every line of `text` (numbered from 1) on which `hit` is true, as
/// `FILE:LINE: line`.
fn lines_where(path: &Path, text: &str, hit: impl Fn(&str) -> bool) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| hit(l))
        .map(|(i, l)| format!("{}:{}: {}", shown(path), i + 1, l.trim()))
        .collect()
}

fn check(rule: &str, found: Vec<String>) {
    assert!(found.is_empty(), "{rule}:\n  {}", found.join("\n  "));
}

fn manifest(dir: &Path) -> toml::Table {
    let path = dir.join("Cargo.toml");
    read(&path)
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", shown(&path)))
}

/// Every dependency table of a manifest, with its name
/// (`dependencies`, `target.'cfg(unix)'.dev-dependencies`…).
fn dependency_tables(m: &toml::Table) -> Vec<(String, &toml::Table)> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut out = Vec::new();
    for kind in KINDS {
        if let Some(t) = m.get(kind).and_then(|v| v.as_table()) {
            out.push((kind.to_string(), t));
        }
    }
    for (target, t) in m
        .get("target")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        for kind in KINDS {
            if let Some(d) = t.get(kind).and_then(|v| v.as_table()) {
                out.push((format!("target.{target}.{kind}"), d));
            }
        }
    }
    out
}

/// What a dependency entry stands for: its key, or `package = …`.
fn package_of<'a>(key: &'a str, value: &'a toml::Value) -> &'a str {
    value.get("package").and_then(|p| p.as_str()).unwrap_or(key)
}

const SQLITE: [&str; 2] = ["rusqlite", "libsqlite3-sys"];

#[test]
fn only_the_store_reaches_sqlite() {
    let mut found = Vec::new();
    for (name, dir) in members() {
        if name == "store" {
            continue;
        }
        let m = manifest(&dir);
        for (kind, deps) in dependency_tables(&m) {
            // Tests may damage or lock a registry from outside.
            if kind.ends_with("dev-dependencies") {
                continue;
            }
            for (key, value) in deps {
                if SQLITE.contains(&package_of(key, value)) {
                    found.push(format!("crates/{name}/Cargo.toml: [{kind}] {key}"));
                }
            }
        }
    }
    for path in rust_files() {
        let rel = shown(&path);
        if rel.starts_with("crates/store/") || rel.split('/').nth(2) == Some("tests") {
            continue;
        }
        found.extend(lines_where(&path, &read(&path), |l| {
            SQLITE
                .iter()
                .any(|s| l.contains(s) || l.contains(&s.replace('-', "_")))
        }));
    }
    check(
        "only archipel-store may depend on SQLite or name it outside tests \
         (no SQL outside crates/store; go through the store's API)",
        found,
    );
}

#[test]
fn the_domain_does_no_io() {
    const IO: [&str; 19] = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::io::stdin",
        "std::io::stdout",
        "std::io::stderr",
        "File::",
        "OpenOptions",
        "TcpStream",
        "Command::new",
        "read_to_string",
        "read_dir",
        "include_str!",
        "include_bytes!",
        "println!",
        "print!",
        "eprint",
        "dbg!",
    ];
    // `use std::{fs, …}` and the like.
    let grouped = |l: &str| {
        l.split("std::{").nth(1).is_some_and(|rest| {
            rest.split(['}', ',', ' '])
                .any(|w| matches!(w, "fs" | "net" | "process" | "env"))
        })
    };
    let dir = root().join("crates/domain");
    let mut found = Vec::new();
    for path in files(&dir.join("src")) {
        found.extend(lines_where(&path, &read(&path), |l| {
            IO.iter().any(|p| l.contains(p)) || grouped(l)
        }));
    }
    // Nor through another crate of ours.
    for (kind, deps) in dependency_tables(&manifest(&dir)) {
        if kind == "dependencies" {
            for key in deps.keys().filter(|k| k.starts_with("archipel-")) {
                found.push(format!("crates/domain/Cargo.toml: [{kind}] {key}"));
            }
        }
    }
    check(
        "archipel-domain must do no I/O (files, network, processes, environment, \
         terminal, files compiled in) and depend on no other crate of ours",
        found,
    );
}

#[test]
fn only_content_reads_content() {
    let reads = [
        "include_str!",
        "include_bytes!",
        "read_to_string",
        "fs::read",
        "File::open",
        "read_dir",
    ];
    let mut found = Vec::new();
    for path in rust_files() {
        if shown(&path).starts_with("crates/content/") {
            continue;
        }
        found.extend(lines_where(&path, &read(&path), |l| {
            // A path climbing out of a crate into content/ is only ever
            // there to read it; so is the folder joined to a path.
            l.contains("../content/")
                || l.contains("join(\"content")
                || (l.contains("\"content/") && reads.iter().any(|r| l.contains(r)))
        }));
    }
    check(
        "only archipel-content reads content/ (use archipel_content::embedded or Content)",
        found,
    );
}

#[test]
fn members_take_dependencies_and_versions_from_the_workspace() {
    // Keys a member may add to `name.workspace = true`.
    const ALLOWED: [&str; 3] = ["workspace", "features", "optional"];
    let mut found = Vec::new();
    for (name, dir) in members() {
        let m = manifest(&dir);
        let at = format!("crates/{name}/Cargo.toml");
        for (kind, deps) in dependency_tables(&m) {
            for (key, value) in deps {
                let inherited = value.get("workspace").and_then(|w| w.as_bool()) == Some(true);
                let extra: Vec<&str> = value
                    .as_table()
                    .map(|t| {
                        t.keys()
                            .map(String::as_str)
                            .filter(|k| !ALLOWED.contains(k))
                            .collect()
                    })
                    .unwrap_or_default();
                if !inherited || !extra.is_empty() {
                    found.push(format!(
                        "{at}: [{kind}] {key} = {value} (write `{key}.workspace = true` and \
                         declare it in [workspace.dependencies])"
                    ));
                }
            }
        }
        let package = m.get("package").and_then(|p| p.as_table());
        for field in ["version", "edition", "license", "rust-version"] {
            let inherited = package
                .and_then(|p| p.get(field))
                .and_then(|v| v.get("workspace"))
                .and_then(|w| w.as_bool())
                == Some(true);
            if !inherited {
                found.push(format!(
                    "{at}: [package] {field} (write `{field}.workspace = true`)"
                ));
            }
        }
    }
    check(
        "every member takes its dependencies and package fields from the workspace",
        found,
    );
}

#[test]
fn a_clone_tests_itself_and_no_test_skips() {
    // Spelt in two halves so that this file does not match itself.
    let beside = ["../", "shared"].concat();
    let skipped = ["SKIP", "PED"].concat();
    let me = this_file();
    let mut found = Vec::new();
    let r = root();
    let mut all = Vec::new();
    for dir in ["crates", "scripts", "bench", "packaging", ".ci", ".cargo"] {
        all.extend(files(&r.join(dir)));
    }
    all.push(r.join("Cargo.toml"));
    for path in all.into_iter().filter(|p| *p != me) {
        // Vendored assets (scripts of others, fonts) are not ours.
        if shown(&path).starts_with("crates/web/assets/") {
            continue;
        }
        found.extend(lines_where(&path, &read(&path), |l| {
            l.contains(&beside) || l.contains(&skipped)
        }));
    }
    check(
        "tests and sources read only the repository, and a test that cannot check \
         fails (naming what to install) instead of printing that it skipped",
        found,
    );
}

/// `1.92` or `1.88.0` as numbers, for comparing.
fn version(v: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = v
        .split('.')
        .map(|n| n.parse().unwrap_or_else(|_| panic!("rust-version {v}")))
        .collect();
    parts.resize(3, 0);
    parts
}

/// `cargo metadata` of the workspace, offline and from Cargo.lock as it
/// is, with `extra` arguments; for the platform that builds it (what a
/// build downloaded: the packages of other platforms may be absent).
fn metadata(extra: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(root())
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host()])
        .args(extra)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON")
}

#[test]
fn one_minimum_rust_version_covers_every_dependency() {
    let declared = manifest(&root())["workspace"]["package"]["rust-version"]
        .as_str()
        .expect("[workspace.package] rust-version")
        .to_string();
    let mut found = Vec::new();
    // Every member inherits it.
    let own = metadata(&["--no-deps"]);
    let members = own["packages"].as_array().expect("packages");
    assert_eq!(
        members.len(),
        self::members().len(),
        "the workspace's members"
    );
    for p in members {
        let theirs = p["rust_version"].as_str().unwrap_or("none");
        if version(theirs) != version(&declared) {
            found.push(format!(
                "{}: rust-version {theirs}, not the workspace's {declared}",
                p["name"].as_str().unwrap_or("?")
            ));
        }
    }
    // No package the build may use asks for more.
    let all = metadata(&[]);
    let used: std::collections::HashSet<&str> = all["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    for p in all["packages"].as_array().expect("packages") {
        let (Some(id), Some(theirs)) = (p["id"].as_str(), p["rust_version"].as_str()) else {
            continue;
        };
        if used.contains(id) && version(theirs) > version(&declared) {
            found.push(format!(
                "{} {} needs Rust {theirs}: raise rust-version in Cargo.toml ({declared})",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            ));
        }
    }
    check(
        "the minimum Rust version is one, and true of every dependency",
        found,
    );
}

/// The platform rustc builds for by default (`rustc -vV`'s `host:`).
fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names its host")
        .trim()
        .to_string()
}
