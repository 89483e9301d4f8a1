//! A real OpenID Connect provider for the sign-in tests: panva's
//! `oidc-provider` (OpenID Certified) run by Node.js from
//! `testdata/oidc-provider/` (`server.js` says what it offers: RS256 and
//! ES256 keys, its clients, its users with ProConnect's claims, and a
//! plain login form). `scripts/test.sh` installs its packages
//! (`npm ci`); a test that needs it fails, naming what to install, when
//! Node.js or the packages are missing.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How long the provider may take to say it is listening (it makes an
/// RSA key first). Far more than it needs on a loaded machine: only a
/// provider that is stuck reaches it.
pub const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a try at starting the provider waits before it starts it
/// again, and how many tries in all (see [`OidcProvider::start`]).
const RETRY_AFTER: Duration = Duration::from_secs(30);
const START_ATTEMPTS: u32 = 3;

/// How long one exchange with the provider may take, for the tests'
/// own HTTP clients and for each step of a sign-in that goes through it
/// (see [`ProviderLog::within`]). A provider answers in milliseconds.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// At most this much of the provider's standard error is kept (its
/// last bytes), for the messages of a test that fails.
const KEPT_STDERR: usize = 64 * 1024;

/// What the provider has written on its standard error so far: a
/// handle that can be cloned into the places a test waits, so that a
/// failure there shows it.
#[derive(Debug, Clone, Default)]
pub struct ProviderLog(Arc<Mutex<Vec<u8>>>);

impl ProviderLog {
    /// The provider's standard error so far (its last 64 KiB).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Fails the test: `what` went wrong, and what the provider said.
    pub fn fail(&self, what: impl std::fmt::Display) -> ! {
        let err = self.text();
        if err.trim().is_empty() {
            panic!("{what} (the OpenID provider wrote nothing on its standard error)");
        }
        panic!("{what}; the OpenID provider's standard error:\n{err}");
    }

    /// Awaits `step` for at most [`STEP_TIMEOUT`]; a step that takes
    /// longer (a provider that stopped answering) fails the test, naming
    /// it, instead of waiting for ever.
    pub async fn within<T>(&self, what: &str, step: impl std::future::Future<Output = T>) -> T {
        match tokio::time::timeout(STEP_TIMEOUT, step).await {
            Ok(v) => v,
            Err(_) => self.fail(format_args!(
                "{what}: no answer within {} s",
                STEP_TIMEOUT.as_secs()
            )),
        }
    }

    fn keep(&self, chunk: &[u8]) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.extend_from_slice(chunk);
        if kept.len() > KEPT_STDERR {
            let cut = kept.len() - KEPT_STDERR;
            kept.drain(..cut);
        }
    }
}

/// A running provider; stopped when dropped (and, should the test
/// process die first, when its standard input closes).
pub struct OidcProvider {
    /// `http://127.0.0.1:PORT`, as its discovery document states it.
    pub issuer: String,
    /// Its standard error, for failure messages.
    pub log: ProviderLog,
    child: Child,
    _stdin: Option<ChildStdin>,
}

impl OidcProvider {
    /// Starts the provider with its clients' redirect URI and
    /// post-logout redirect URI; returns once it is listening. Fails the
    /// test, with the provider's standard error, if it ends or has not
    /// said where it listens within [`START_TIMEOUT`].
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
        let node = || {
            let mut node = Command::new("node");
            node.arg("server.js").arg(&options).current_dir(&dir);
            node
        };
        // A provider that has not said it listens after RETRY_AFTER is
        // killed and started once more (seen, rarely, on a loaded
        // machine: a node process that printed nothing for 90 s while the
        // next one started in half a second); the last try waits
        // START_TIMEOUT and fails the test with what the provider said.
        for attempt in 1..START_ATTEMPTS {
            let tried = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                OidcProvider::run(node(), RETRY_AFTER)
            }));
            match tried {
                Ok(provider) => return provider,
                Err(_) => eprintln!(
                    "the OpenID provider did not start (try {attempt} of {START_ATTEMPTS}): starting it again"
                ),
            }
        }
        OidcProvider::run(node(), START_TIMEOUT)
    }

    /// Runs `command` as the provider: it must print
    /// `{"issuer":"…"}` on its first line within `timeout`.
    fn run(mut command: Command, timeout: Duration) -> OidcProvider {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        // Its standard error is kept as it comes (its warnings — a
        // Node.js version it does not support, the in-memory store — are
        // not errors), so that any failure can show it; the pipe is
        // always read, so the provider never blocks writing to it.
        let log = ProviderLog::default();
        let stderr_done = child.stderr.take().map(|mut err| {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    log.keep(&buf[..n]);
                }
            })
        });
        // The first line says where it listens; the process ending first
        // (an error) closes the pipe and the line is empty. It is read on
        // a thread of its own, so that a provider that says nothing
        // fails the test after START_TIMEOUT instead of holding it; the
        // thread then reads what the provider prints next and lets it go
        // (a closed pipe would end it at its next write).
        let (ready, first_line) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut stdout = BufReader::new(stdout);
            let _ = stdout.read_line(&mut line);
            let _ = ready.send(line);
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });
        let (line, why) = match first_line.recv_timeout(timeout) {
            Ok(line) => (line, "ended before it was ready".to_string()),
            Err(_) => (
                String::new(),
                format!(
                    "did not say it was listening within {} s (a stuck provider)",
                    timeout.as_secs_f32()
                ),
            ),
        };
        let issuer = line
            .split("\"issuer\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        let Some(issuer) = issuer else {
            let _ = child.kill();
            let status = match child.wait() {
                Ok(s) => s.to_string(),
                Err(e) => e.to_string(),
            };
            // Its standard error ends with it; what it said is in `log`.
            if let Some(t) = stderr_done {
                for _ in 0..250 {
                    if t.is_finished() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            log.fail(format_args!(
                "the OpenID provider ({command:?}) {why}; its first line: {:?}; its end: {status}",
                line.trim_end()
            ));
        };
        OidcProvider {
            issuer,
            log,
            child,
            _stdin: stdin,
        }
    }

    /// What the provider has written on its standard error so far.
    pub fn stderr(&self) -> String {
        self.log.text()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn failure_of(command: Command, timeout: Duration) -> String {
        let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            OidcProvider::run(command, timeout)
        }))
        .err()
        .expect("the provider is refused");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    /// A provider that never says it is listening fails the start, after
    /// the time allowed, instead of holding the test for ever.
    #[test]
    fn a_stuck_provider_fails_the_start_instead_of_hanging() {
        let said = failure_of(
            sh("echo 'stuck: waiting for a lock' >&2; exec sleep 600"),
            Duration::from_secs(1),
        );
        assert!(
            said.contains("did not say it was listening within 1 s"),
            "{said}"
        );
    }

    /// A provider that ends before it is ready fails the start with what
    /// it wrote on its standard error.
    #[test]
    fn a_provider_that_ends_is_shown_with_its_stderr() {
        let said = failure_of(
            sh("echo 'listen EADDRINUSE: address already in use' >&2; exit 3"),
            START_TIMEOUT,
        );
        assert!(said.contains("ended before it was ready"), "{said}");
        assert!(said.contains("EADDRINUSE"), "{said}");
        assert!(said.contains("standard error"), "{said}");
    }

    /// A step that does not end fails, naming the step and showing the
    /// provider's standard error.
    #[test]
    fn a_step_without_an_answer_fails_with_the_log() {
        let log = ProviderLog::default();
        log.keep(b"oidc-provider: something went wrong\n");
        let said = std::panic::catch_unwind(|| log.fail("GET /connexion/oidc/test"))
            .err()
            .and_then(|e| e.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(said.starts_with("GET /connexion/oidc/test; "), "{said}");
        assert!(said.contains("something went wrong"), "{said}");
    }
}
