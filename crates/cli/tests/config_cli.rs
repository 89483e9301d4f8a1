//! Settings end to end: a flag beats its variable, which beats the
//! configuration file, which beats the default; mistakes name where they
//! are.

mod common;
use std::path::Path;
use std::process::{Command, Output};

/// `archipel ARGS` with the variables `env` set (and no other of its own).
fn command(env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut c = common::archipel(args);
    c.envs(env.iter().copied());
    c
}

fn archipel(env: &[(&str, &str)], args: &[&str]) -> Output {
    command(env, args).output().expect("run archipel")
}

/// `serve --check`'s lines as (key, value, origin).
fn settings(out: &Output) -> Vec<(String, String, String)> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let (key, rest) = l.split_once(" = ").expect("KEY = VALUE    (ORIGIN)");
            let (value, origin) = rest.rsplit_once("    (").expect("origin");
            (
                key.trim().to_string(),
                value.to_string(),
                origin.trim_end_matches(')').to_string(),
            )
        })
        .collect()
}

fn get<'a>(s: &'a [(String, String, String)], key: &str) -> (&'a str, &'a str) {
    let (_, v, o) = s.iter().find(|(k, _, _)| k == key).expect(key);
    (v, o)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn flag_then_variable_then_file_then_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "archipel.toml",
        "db = \"reg.db\"\n\n[server]\naddress = \"127.0.0.1:1111\"\npool_size = 2\n\
         cache_size = \"7 MiB\"\n\n[tiles]\nurl = \"none\"\n",
    );
    let out = archipel(
        &[
            ("ARCHIPEL_CONFIG", &file),
            ("ARCHIPEL_ADDR", "127.0.0.1:2222"),
            ("ARCHIPEL_POOL_SIZE", "5"),
        ],
        &["serve", "--check", "--pool", "3"],
    );
    let s = settings(&out);
    // Flag over variable over file.
    assert_eq!(get(&s, "server.pool_size"), ("3", "--pool"));
    // Variable over file.
    assert_eq!(
        get(&s, "server.address"),
        ("127.0.0.1:2222", "$ARCHIPEL_ADDR")
    );
    // File over default, with its line; paths relative to the file.
    assert_eq!(
        get(&s, "server.cache_size"),
        ("7MiB", format!("{file}:6").as_str())
    );
    assert_eq!(get(&s, "tiles.url"), ("none", format!("{file}:9").as_str()));
    let db = dir.path().join("reg.db");
    assert_eq!(
        get(&s, "db"),
        (db.to_str().unwrap(), format!("{file}:1").as_str())
    );
    // Defaults, the public address following the address in force.
    assert_eq!(
        get(&s, "server.public_url"),
        ("http://127.0.0.1:2222", "default")
    );
    assert_eq!(get(&s, "log.format"), ("text", "default"));

    // An empty variable counts as unset; --config beats $ARCHIPEL_CONFIG.
    let other = write(dir.path(), "other.toml", "[server]\npool_size = 9\n");
    let s = settings(&archipel(
        &[("ARCHIPEL_CONFIG", &file), ("ARCHIPEL_POOL_SIZE", "")],
        &["--config", &other, "serve", "--check"],
    ));
    assert_eq!(
        get(&s, "server.pool_size"),
        ("9", format!("{other}:2").as_str())
    );
    assert_eq!(get(&s, "server.address"), ("127.0.0.1:8080", "default"));

    // Every command reads the file: `init` creates the registry it names.
    let out = archipel(&[], &["--config", &file, "init", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
}

#[test]
fn mistakes_name_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "a.toml",
        "[server]\naddress = \"127.0.0.1:1\"\nadress = \"x\"\n",
    );
    let out = archipel(&[], &["--config", &file, "serve", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{file}:3: server.adress: unknown field `adress`")),
        "{err}"
    );
    // The same check whatever the origin, named in the message.
    let out = archipel(
        &[("ARCHIPEL_FRAME_ANCESTORS", "https://a.org; script-src *")],
        &["serve", "--check"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("$ARCHIPEL_FRAME_ANCESTORS: server.frame_ancestors:"),
        "{err}"
    );
    let file = write(dir.path(), "b.toml", "[server]\n\npool_size = 0\n");
    let out = archipel(&[], &["--config", &file, "serve", "--check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{file}:3: server.pool_size: at least one connection"
        )),
        "{err}"
    );
    let out = archipel(
        &[],
        &["serve", "--check", "--public-url", "archipel.example.fr"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--public-url: server.public_url: `archipel.example.fr`: expected an http:// or https:// URL"),
        "{err}"
    );
    // A missing file is an error, not silence.
    let out = archipel(&[], &["--config", "/nonexistent/archipel.toml", "stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/archipel.toml"));
}

#[test]
fn the_cache_size_is_one_setting_with_its_unit_wherever_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "archipel.toml",
        "db = \"reg.db\"\n[server]\naddress = \"127.0.0.1:0\"\ncache_size = \"3 MiB\"\n\
         [tiles]\nurl = \"none\"\n",
    );
    // The file's value is what the running server holds answers in.
    let server = archipel_testkit::Server::start(command(&[], &["--config", &file, "serve"]));
    let answer = server.get("/health");
    let body = answer.split("\r\n\r\n").nth(1).expect("a body");
    let health: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(health["cache"]["budget_bytes"], 3 * 1024 * 1024, "{health}");
    drop(server);
    // The same name and the same values from the variable and the flag.
    let s = settings(&archipel(
        &[("ARCHIPEL_CACHE_SIZE", "512KiB")],
        &["--config", &file, "serve", "--check"],
    ));
    assert_eq!(
        get(&s, "server.cache_size"),
        ("512KiB", "$ARCHIPEL_CACHE_SIZE")
    );
    let s = settings(&archipel(
        &[("ARCHIPEL_CACHE_SIZE", "512KiB")],
        &["--config", &file, "serve", "--check", "--cache-size", "0"],
    ));
    assert_eq!(get(&s, "server.cache_size"), ("0B", "--cache-size"));
    let s = settings(&archipel(&[], &["serve", "--check"]));
    assert_eq!(get(&s, "server.cache_size"), ("64MiB", "default"));
    // A number without its unit is refused, not guessed, wherever it is.
    let bare = write(dir.path(), "bare.toml", "[server]\ncache_size = 64\n");
    let out = archipel(&[], &["--config", &bare, "serve", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{bare}:2: server.cache_size: `64`: expected a size with its unit, such as 64MiB"
        )),
        "{err}"
    );
    let out = archipel(&[], &["serve", "--check", "--cache-size", "64 MB"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--cache-size: server.cache_size: `64 MB`: expected a size"),
        "{err}"
    );
    // The old names are gone, not quietly ignored.
    let old = write(dir.path(), "old.toml", "[server]\ncache_mib = 64\n");
    let out = archipel(&[], &["--config", &old, "serve", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let out = archipel(&[], &["serve", "--check", "--cache", "64"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A server ignores SIGPIPE: a client that resets a connection while an
/// answer is written to it must cost that answer, not the process (with
/// the default disposition that the other commands keep, a load generator
/// closing its connections at the end of a run killed the server now and
/// then, exit status 141). Read from the kernel's record of the running
/// process, so the check does not depend on winning a race with the
/// network.
#[cfg(target_os = "linux")]
#[test]
fn a_server_is_not_killed_by_a_closed_connection() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let server = archipel_testkit::Server::start(command(
        &[],
        &[
            "--db",
            db.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--tiles",
            "none",
        ],
    ));
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let ignored = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .map(|m| u64::from_str_radix(m.trim(), 16).unwrap())
        .expect("SigIgn");
    // Signal 13 is bit 12.
    assert_ne!(ignored & (1 << 12), 0, "SIGPIPE not ignored: {status}");
    assert!(server.get("/health").starts_with("HTTP/1.1 200"));
}

/// The `[publisher]` section fills the legal pages; `serve --check`
/// shows each key with its origin, the default conformance is "none"
/// (no audit), and a bad conformance or day is refused with its line.
#[test]
fn publisher_section_is_read_shown_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "archipel.toml",
        "[publisher]\nname = \"Métropole des Rives\"\ncontact = \"accessibilite@rives.example\"\n\
         conformance = \"partielle\"\nstatement_date = \"2026-11-30\"\n",
    );
    let s = settings(&archipel(
        &[("ARCHIPEL_CONFIG", &file)],
        &["serve", "--check"],
    ));
    assert_eq!(
        get(&s, "publisher.name"),
        ("Métropole des Rives", format!("{file}:2").as_str())
    );
    assert_eq!(
        get(&s, "publisher.conformance"),
        ("partial", format!("{file}:4").as_str())
    );
    assert_eq!(
        get(&s, "publisher.statement_date"),
        ("2026-11-30", format!("{file}:5").as_str())
    );
    assert_eq!(get(&s, "publisher.host"), ("(none)", "default"));
    let s = settings(&archipel(&[], &["serve", "--check"]));
    assert_eq!(get(&s, "publisher.conformance"), ("none", "default"));

    for (bad, what) in [
        ("conformance = \"presque\"", "publisher.conformance"),
        (
            "statement_date = \"30/11/2026\"",
            "publisher.statement_date",
        ),
    ] {
        let f = write(dir.path(), "bad.toml", &format!("[publisher]\n{bad}\n"));
        let out = archipel(&[("ARCHIPEL_CONFIG", &f)], &["serve", "--check"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{f}:2: {what}")), "{err}");
    }
}

/// `tiles.outlines` names a GeoJSON or TopoJSON file read at start:
/// shown by `serve --check` with what it is; a file that is not JSON, is
/// not GeoJSON or TopoJSON, or is over 50 MiB stops the server before it
/// listens, naming the file and the setting.
#[test]
fn outlines_are_read_at_start_and_a_bad_file_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "coast.geojson",
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[2.0, 45.7], [2.1, 45.8]]}}]}"#,
    );
    let file = write(
        dir.path(),
        "archipel.toml",
        "[tiles]\noutlines = \"coast.geojson\"\n",
    );
    let s = settings(&archipel(&[], &["--config", &file, "serve", "--check"]));
    let path = dir.path().join("coast.geojson");
    assert_eq!(
        get(&s, "tiles.outlines"),
        (
            format!("{} (FeatureCollection, 1 KiB)", path.display()).as_str(),
            format!("{file}:2").as_str()
        )
    );
    let s = settings(&archipel(&[], &["serve", "--check"]));
    assert_eq!(get(&s, "tiles.outlines"), ("(none)", "default"));

    let not_json = write(dir.path(), "bad.json", "{\"type\": \"Topology\", ");
    let not_geo = write(dir.path(), "list.json", "[1, 2, 3]");
    let large = dir.path().join("large.json");
    std::fs::File::create(&large)
        .unwrap()
        .set_len(archipel_web::MAX_OUTLINES_BYTES + 1)
        .unwrap();
    let large = large.to_str().unwrap().to_string();
    for (bad, why) in [
        (&not_json, "not valid JSON"),
        (&not_geo, "expected GeoJSON"),
        (&large, "larger than the 50 MiB allowed"),
        (&"/nonexistent/outlines.json".to_string(), "No such file"),
    ] {
        let out = archipel(&[], &["serve", "--check", "--tiles-outlines", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("--tiles-outlines: tiles.outlines: {bad}: "))
                && err.contains(why),
            "{err}"
        );
    }
    // Not only the check: the server itself does not start.
    let mut server = command(
        &[("ARCHIPEL_TILES_OUTLINES", &not_json)],
        &[
            "--db",
            dir.path().join("r.db").to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ],
    )
    .spawn()
    .unwrap();
    let mut ended = None;
    for _ in 0..600 {
        if let Some(status) = server.try_wait().unwrap() {
            ended = Some(status);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = ended else {
        let _ = server.kill();
        let _ = server.wait();
        panic!("the server started with a bad outlines file");
    };
    assert_eq!(status.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains(&format!(
            "$ARCHIPEL_TILES_OUTLINES: tiles.outlines: {not_json}: not valid JSON"
        )),
        "{err}"
    );
}
