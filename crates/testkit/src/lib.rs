//! Helpers shared by the tests of several crates: running git in a
//! repository a test builds, with fixed identities and dates and no user or
//! system configuration, so that every figure a test asserts is
//! reproducible; finding the vendored test data; plain records for the
//! tests that write registries; an `archipel serve` process to talk HTTP
//! to; running a real OpenID Connect provider ([`oidc`]). Only ever a
//! dev-dependency.

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

/// Records for the tests that write registries: one time, one source
/// (`test`), plain records a test completes with struct update syntax
/// (`Actor { description: …, ..records::actor("a", "Fablab") }`).
pub mod records {
    use archipel_domain::{Actor, EntityId, EntityKind, Identifiers, Nature, Provenance};
    use chrono::{DateTime, TimeZone, Utc};

    /// The time every test record is made at: 2 January 2026, 03:04:05 UTC.
    pub fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("a valid date")
    }

    /// The identifier `KIND:test:LOCAL`.
    pub fn id(kind: EntityKind, local: &str) -> EntityId {
        EntityId::new(kind, "test", local).expect("a valid identifier")
    }

    /// The actor `actor:test:LOCAL` named `name`: an organisation of kind
    /// `association`, nothing else said, made at [`t0`] by source `test`.
    pub fn actor(local: &str, name: &str) -> Actor {
        Actor {
            id: id(EntityKind::Actor, local),
            name: name.into(),
            nature: Nature::Organisation,
            kind: Some("association".into()),
            typology: vec![],
            description: None,
            identifiers: Identifiers::default(),
            website: None,
            email: None,
            territory: None,
            location: None,
            provenance: Provenance::new("test", t0()),
        }
    }
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

/// An `archipel serve` process, on the address it says it listens on
/// (give it `--addr 127.0.0.1:0`: a port the system chooses). Killed
/// when dropped.
pub struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    /// Starts `serve` (the command given, its arguments set) and waits for
    /// its log line `archipel is serving on http://ADDR/`; panics, with
    /// what it logged, if it exits first.
    pub fn start(mut serve: Command) -> Server {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = serve
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            let mut said = String::new();
            // Keep reading so that the server never blocks on its log.
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(Ok(rest.split('/').next().unwrap_or("").to_string()));
                    }
                } else if tx.is_some() {
                    said.push_str(&line);
                    said.push('\n');
                }
            }
            if let Some(tx) = tx {
                let _ = tx.send(Err(said));
            }
        });
        match rx.recv().expect("the log is read") {
            Ok(addr) => Server { child, addr },
            Err(said) => panic!("the server stopped before listening:\n{said}"),
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The whole answer (status line, headers, body) to `GET path`.
    pub fn get(&self, path: &str) -> String {
        self.request("GET", path, "", None).expect("an answer")
    }

    /// The whole answer to `METHOD path` with the `Cookie` header
    /// `cookies` (empty: none) and, for a form, its fields
    /// (`application/x-www-form-urlencoded`, given encoded). `None` when
    /// the server is gone (killed) before answering.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        cookies: &str,
        form: Option<&str>,
    ) -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).ok()?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {cookies}\r\n"));
        }
        if let Some(body) = form {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(form.unwrap_or(""));
        s.write_all(head.as_bytes()).ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        (!answer.is_empty()).then_some(answer)
    }

    /// Kills the server at once (SIGKILL: no chance to finish anything).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// Stops the server as the service manager does (SIGTERM: it finishes
    /// and removes its temporary folder), killing it if it is still there
    /// after a few seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
