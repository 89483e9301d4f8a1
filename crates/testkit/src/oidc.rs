//! A real OpenID Connect provider for the sign-in tests: panva's
//! `oidc-provider` (OpenID Certified) run by Node.js from
//! `testdata/oidc-provider/` (`server.js` says what it offers: RS256 and
//! ES256 keys, its clients, its users with ProConnect's claims, and a
//! plain login form). `scripts/test.sh` installs its packages
//! (`npm ci`); a test that needs it fails, naming what to install, when
//! Node.js or the packages are missing.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};

/// A running provider; stopped when dropped (and, should the test
/// process die first, when its standard input closes).
pub struct OidcProvider {
    /// `http://127.0.0.1:PORT`, as its discovery document states it.
    pub issuer: String,
    child: Child,
    _stdin: Option<ChildStdin>,
}

impl OidcProvider {
    /// Starts the provider with its clients' redirect URI and
    /// post-logout redirect URI; returns once it is listening.
    pub fn start(redirect_uri: &str, post_logout_redirect_uri: &str) -> OidcProvider {
        let dir = crate::testdata("oidc-provider");
        let node_ok = Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            node_ok,
            "the sign-in tests run a real OpenID provider with Node.js (20.19 or later), \
             which is not installed: apt-get install nodejs npm, then \
             npm ci --prefix testdata/oidc-provider (scripts/test.sh does both)"
        );
        assert!(
            dir.join("node_modules/oidc-provider/package.json")
                .is_file(),
            "{}: the OpenID provider's packages are not installed: run \
             `npm ci --prefix testdata/oidc-provider` (scripts/test.sh does)",
            dir.display()
        );
        let options = format!(
            "{{\"redirect_uri\": {}, \"post_logout_redirect_uri\": {}}}",
            json_string(redirect_uri),
            json_string(post_logout_redirect_uri)
        );
        let mut child = Command::new("node")
            .arg("server.js")
            .arg(options)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("node server.js in {}: {e}", dir.display()));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        // The first line says where it listens; the process ending first
        // (an error) closes the pipe and the line is empty.
        let mut line = String::new();
        let mut stdout = BufReader::new(stdout);
        let _ = stdout.read_line(&mut line);
        let issuer = line
            .split("\"issuer\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        let Some(issuer) = issuer else {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let _ = child.wait();
            panic!(
                "the OpenID provider did not start (testdata/oidc-provider/server.js): {line}{err}"
            );
        };
        // What it prints next, and its warnings (a Node.js version it does
        // not support, the in-memory store), are not errors: read and let
        // go (a closed pipe would end it at its next write).
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        if let Some(mut err) = child.stderr.take() {
            std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        }
        OidcProvider {
            issuer,
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
