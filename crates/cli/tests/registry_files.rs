//! The registry file under every command, with the real binary: another
//! program's file and a newer registry are left byte for byte as they
//! were; a read-only registry can be read; two commands at once wait for
//! each other or read a consistent snapshot; exports are written whole or
//! not at all, carry no spreadsheet formula, and nothing reaches the
//! terminal raw.

mod common;
use common::{command, succeeded};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Runs a command to its end. (`serve` would run for ever if it did not
/// refuse the file: a command still running after a minute is killed and
/// reported — a safeguard, not what is tested.)
fn run_cmd(mut c: Command) -> Output {
    let child = c.spawn().expect("run archipel");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("archipel {:?} still running after a minute", c.get_args());
        }
    }
}

/// `archipel --db DB ARGS`, through [`run_cmd`].
fn run(db: &Path, args: &[&str]) -> Output {
    run_cmd(command(db, args))
}

/// [`run`], which must succeed; its standard output.
fn ok(db: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&succeeded(run(db, args), args)).into_owned()
}

/// A file's size, a digest of its bytes, its change time, and the files
/// beside it.
#[derive(Debug, PartialEq)]
struct Snapshot {
    size: usize,
    digest: u64,
    modified: std::time::SystemTime,
    folder: Vec<String>,
}

fn snapshot(path: &Path) -> Snapshot {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let mut folder: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folder.sort();
    Snapshot {
        size: bytes.len(),
        digest: h.finish(),
        modified: std::fs::metadata(path).unwrap().modified().unwrap(),
        folder,
    }
}

const HEADER: &str =
    "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,date_maj";

/// A valid médiation file of `rows` places (ids `{prefix}-N`).
fn mediation_file(dir: &Path, prefix: &str, rows: usize) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{prefix}-{i},{},Lieu {prefix} n°{i},Brest,29200,29019,{i} rue de Siam,48.39,-4.48,2024-03-01\n",
            21290019700010u64 + (i as u64 % 3)
        ));
    }
    let path = dir.join(format!("{prefix}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Every command that opens the registry, with arguments that would work
/// on a registry; `dir` holds the files they need.
fn every_command(dir: &Path) -> Vec<Vec<String>> {
    let csv = mediation_file(dir, "lieu", 2);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let plain = dir.join("plain-folder");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("README.md"), "# Un commun\n").unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    [
        vec!["init".to_string()],
        vec!["demo".into()],
        vec!["import".into(), "mediation".into(), s(&csv)],
        vec!["stats".into()],
        vec!["stats".into(), "--territory".into(), "96".into()],
        vec!["search".into(), "mediatheque".into()],
        vec!["show".into(), "actor:demo:metropole".into()],
        vec!["export".into(), "json".into()],
        vec![
            "export".into(),
            "mediation".into(),
            "-o".into(),
            s(&out.join("m.csv")),
        ],
        vec!["export".into(), "csv".into(), "-o".into(), s(&out)],
        vec!["pitch".into(), "--audience".into(), "elu".into()],
        vec![
            "assess".into(),
            s(&plain),
            "--save".into(),
            "commons:sill:234".into(),
        ],
        vec!["serve".into(), "--addr".into(), "127.0.0.1:0".into()],
    ]
    .into_iter()
    .collect()
}

/// Runs every command on `db`, which each must refuse with `expected` in a
/// short message, leaving the file and its folder as they were.
fn refused_untouched(dir: &Path, db: &Path, expected: &str) {
    for args in every_command(dir) {
        let before = snapshot(db);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("CREATE"), "{args:?}: {err}");
        assert!(
            err.lines().count() <= 3 && err.len() < 400,
            "{args:?}: {err}"
        );
        assert_eq!(snapshot(db), before, "{args:?}: {err}");
    }
}

/// Another program's SQLite file given as the registry (by a wrong
/// `--db`): every command refuses it and leaves it byte for byte as it
/// was, whether it is in rollback-journal or WAL mode, and whatever its
/// tables are called (one named like Archipel's does not get the
/// migration's SQL printed).
#[test]
fn another_programs_file_is_left_as_it_was_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for (name, setup) in [
        (
            "notes.db",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO notes (body) VALUES ('bonjour');",
        ),
        (
            "wal.db",
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
        ),
        (
            "clash.db",
            "CREATE TABLE entity (id TEXT PRIMARY KEY, payload BLOB);
             INSERT INTO entity VALUES ('a', x'00');",
        ),
    ] {
        let sub = dir.path().join(name.trim_end_matches(".db"));
        std::fs::create_dir_all(&sub).unwrap();
        let db = sub.join(name);
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(setup)
            .unwrap();
        refused_untouched(dir.path(), &db, "not an Archipel registry");
    }
}

/// A registry from a newer Archipel is refused by every command, its
/// header included untouched (it used to be switched to WAL first).
#[test]
fn a_newer_registry_is_left_as_it_was_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("newer");
    std::fs::create_dir_all(&sub).unwrap();
    let db = sub.join("a.db");
    ok(&db, &["demo"]);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;")
        .unwrap();
    refused_untouched(dir.path(), &db, "newer than this program");
}

/// Runs as an unprivileged user when the tests run as root, for whom file
/// permissions do not stop writes.
fn unprivileged(mut c: Command) -> Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        c.uid(65534).gid(65534);
    }
    c
}

/// A registry in a folder nobody may write (a file of mode 0444 in a
/// folder of mode 0555, read by a user other than its owner): every
/// command that reads works — no `-shm` file can be made beside it, so it
/// is read as an immutable file — and the file is left as it was; a
/// command that writes says it cannot.
#[test]
fn a_read_only_registry_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir_all(&sub).unwrap();
    let db = sub.join("a.db");
    ok(&db, &["demo"]);
    let stats = ok(&db, &["stats", "--json"]);
    let export = ok(&db, &["export", "json"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = snapshot(&db);
    let read = |args: &[&str]| -> Output { run_cmd(unprivileged(command(&db, args))) };
    for (args, expected) in [
        (&["stats", "--json"][..], Some(&stats)),
        (&["export", "json"][..], Some(&export)),
        (&["search", "mediatheque"][..], None),
        (&["show", "actor:demo:metropole"][..], None),
        (&["export", "mediation"][..], None),
        (&["pitch", "--audience", "elu"][..], None),
    ] {
        let out = read(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(expected) = expected {
            assert_eq!(&String::from_utf8_lossy(&out.stdout), expected, "{args:?}");
        }
        assert_eq!(snapshot(&db), before, "{args:?}");
    }
    let out = read(&["demo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("cannot be written"), "{err}");
    assert_eq!(snapshot(&db), before);
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The counts of `stats --json`: (places, actors).
fn counts(stats: &str) -> (u64, u64) {
    let v: serde_json::Value = serde_json::from_str(stats).unwrap();
    let of = |k: &str| {
        v["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == k)
            .map_or(0, |c| c["count"].as_u64().unwrap())
    };
    (of("place"), of("actor"))
}

/// `stats` while a bulk import writes: each run succeeds and sees the
/// registry either before the import or after it, never half of it.
#[test]
fn stats_read_a_consistent_registry_during_a_bulk_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let small = mediation_file(dir.path(), "avant", 10);
    ok(&db, &["import", "mediation", small.to_str().unwrap()]);
    let before = counts(&ok(&db, &["stats", "--json"]));
    assert_eq!(before.0, 10);
    let big = mediation_file(dir.path(), "gros", 60_000);
    let mut import = command(
        &db,
        &[
            "import",
            "mediation",
            "--source",
            "gros",
            big.to_str().unwrap(),
        ],
    )
    .spawn()
    .unwrap();
    let mut seen = Vec::new();
    while import.try_wait().unwrap().is_none() {
        seen.push(counts(&ok(&db, &["stats", "--json"])));
    }
    let status = import.wait().unwrap();
    assert!(status.success());
    let after = counts(&ok(&db, &["stats", "--json"]));
    assert_eq!(after.0, 60_010);
    for s in seen {
        assert!(
            s == before || s == after,
            "{s:?}: neither {before:?} nor {after:?}"
        );
    }
}

/// Two imports started together both land: the second waits for the
/// first's transaction instead of failing after a fraction of a second.
#[test]
fn two_imports_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["init"]);
    let a = mediation_file(dir.path(), "a", 30_000);
    let b = mediation_file(dir.path(), "b", 30_000);
    let first = command(
        &db,
        &[
            "import",
            "mediation",
            "--source",
            "una",
            a.to_str().unwrap(),
        ],
    )
    .spawn()
    .unwrap();
    let second = command(
        &db,
        &[
            "import",
            "mediation",
            "--source",
            "dua",
            b.to_str().unwrap(),
        ],
    )
    .spawn()
    .unwrap();
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(counts(&ok(&db, &["stats", "--json"])).0, 60_000);
}

/// A médiation file whose texts a spreadsheet would run as formulas.
fn hostile_registry(dir: &Path) -> PathBuf {
    let db = dir.join("a.db");
    let text = format!(
        "{HEADER},horaires,presentation_resume\n\
         lieu-1,21000000000005,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"clic\"\")\",Brest,29200,29019,\"+cmd|' /C calc'!A0\",48.39,-4.48,2024-03-01,@SUM(1+1),- accueil libre\n\
         lieu-2,21000000000005,'=déjà cité,Brest,29200,29019,1 rue de Siam,-21.1,55.5,2024-03-01,,\n"
    );
    let f = dir.join("hostile.csv");
    std::fs::write(&f, text).unwrap();
    ok(&db, &["import", "mediation", f.to_str().unwrap()]);
    db
}

fn cells(csv_text: &str, column: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
}

/// Every CSV export writes a cell a spreadsheet would run with a quote
/// before it, and numbers as they are; the médiation file still follows
/// its schema; Archipel's own CSV imports back to the same records.
#[test]
fn csv_exports_carry_no_formula_and_import_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_registry(dir.path());
    let places = ok(&db, &["export", "csv", "--entity", "place"]);
    assert_eq!(
        cells(&places, "name"),
        [
            "'=HYPERLINK(\"http://evil.example\",\"clic\")",
            "''=déjà cité"
        ]
    );
    assert_eq!(cells(&places, "street")[0], "'+cmd|' /C calc'!A0");
    assert_eq!(cells(&places, "lon"), ["-4.48", "55.5"]);
    assert_eq!(cells(&places, "lat")[1], "-21.1");
    let med = ok(&db, &["export", "mediation"]);
    assert_eq!(
        cells(&med, "nom")[0],
        "'=HYPERLINK(\"http://evil.example\",\"clic\")"
    );
    assert_eq!(cells(&med, "horaires")[0], "'@SUM(1+1)");
    assert_eq!(cells(&med, "presentation_resume")[0], "'- accueil libre");
    assert_eq!(cells(&med, "longitude")[0], "-4.48");
    for line in med.lines().chain(places.lines()) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{line}");
        }
    }
    // The médiation file keeps to the schema: it imports without a problem.
    let f = dir.path().join("med.csv");
    std::fs::write(&f, &med).unwrap();
    ok(
        &dir.path().join("other.db"),
        &["import", "mediation", f.to_str().unwrap()],
    );
    // Archipel's CSV: every kind exported, imported into an empty
    // registry, gives the same records.
    let out = dir.path().join("csv");
    ok(&db, &["export", "csv", "-o", out.to_str().unwrap()]);
    let copy = dir.path().join("copy.db");
    for kind in ["territory", "actor", "place", "commons", "relation"] {
        let f = out.join(format!("{kind}.csv"));
        ok(&copy, &["import", "csv", f.to_str().unwrap()]);
    }
    assert_eq!(ok(&copy, &["export", "json"]), ok(&db, &["export", "json"]));
}

/// Runs `archipel export json -o FILE` with files limited to `limit`
/// bytes: writes past it fail as on a full disk (EFBIG), as root too.
fn export_with_file_limit(db: &Path, target: &Path, limit: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = command(db, &["export", "json", "-o", target.to_str().unwrap()]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rl = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rl) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    run_cmd(c)
}

/// An export to a file that cannot be finished (the disk fills up) leaves
/// the file that was there as it was and no partial file, and says so
/// once; writing to a device that is full says it once too.
#[test]
fn an_export_that_cannot_be_finished_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let whole = ok(&db, &["export", "json"]);
    assert!(whole.len() > 64 * 1024);
    let target = dir.path().join("out.json");
    std::fs::write(&target, "ancien export\n").unwrap();
    let files = || {
        let mut v: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let listed = files();
    let out = export_with_file_limit(&db, &target, 64 * 1024);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "ancien export\n");
    assert_eq!(files(), listed, "{err}");
    assert!(err.contains("out.json: export not written"), "{err}");
    assert!(err.contains("left as it was"), "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Without the limit, the same command replaces it whole.
    ok(&db, &["export", "json", "-o", target.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), whole);
    // A device is written directly: the error is said once.
    let out = run(&db, &["export", "mediation", "-o", "/dev/full"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.matches("No space left").count(), 1, "{err}");
}

/// A place whose operator cannot be read makes the médiation export fail
/// with the reason, instead of a file whose `pivot` is silently empty.
#[test]
fn mediation_export_says_when_an_operator_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let f = mediation_file(dir.path(), "lieu", 3);
    ok(&db, &["import", "mediation", f.to_str().unwrap()]);
    let med = ok(&db, &["export", "mediation"]);
    assert_eq!(cells(&med, "pivot")[0], "21290019700010");
    let target = dir.path().join("m.csv");
    std::fs::write(&target, &med).unwrap();
    let actor: String = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let id: String = conn
            .query_row(
                "SELECT owner FROM entity WHERE kind = 'place' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute("UPDATE entity SET data = '{' WHERE id = ?1", [&id])
            .unwrap();
        id
    };
    let out = run(
        &db,
        &["export", "mediation", "-o", target.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("reading the registry"), "{err}");
    assert!(err.contains(&actor), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), med);
}

/// Names holding terminal control sequences (ESC, BEL, NUL, a C1 CSI, a
/// right-to-left override) are printed escaped by every command that
/// prints registry text.
#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(&db, &["demo"]);
    let evil = "Lucioles \u{1b}]0;pwned\u{7}\u{1b}[2J\0\u{9b}31m\u{202e}fin";
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for id in [
            "place:demo:mediatheque-lucioles",
            "territory:demo:region:96",
        ] {
            let n = conn
                .execute("UPDATE entity SET name = ?1 WHERE id = ?2", [evil, id])
                .unwrap();
            assert_eq!(n, 1, "{id}");
        }
    }
    for args in [
        &["search", "lucioles"][..],
        &["show", "place:demo:mediatheque-lucioles"][..],
        &["stats"][..],
        &["stats", "--territory", "region:96"][..],
        &["pitch", "--audience", "elu"][..],
    ] {
        let out = ok(&db, args);
        assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{args:?}: {out}");
        assert!(out.contains("\\u{202e}fin"), "{args:?}");
        for c in out.chars() {
            assert!(
                !(c.is_control() && c != '\n' && c != '\t') && c != '\u{202e}',
                "{args:?}: {:?} printed raw",
                c
            );
        }
    }
}
