//! Cloning `https://` URLs into a cache folder, within size and time limits.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{Error, Repo};

/// A clone URL that passed [`validate_clone_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneUrl {
    /// The URL, scheme and host lower-cased.
    pub url: String,
    /// Host name, lower-cased.
    pub host: String,
    /// Port, when given.
    pub port: Option<u16>,
    /// Path, without leading slash (`org/project.git`).
    pub path: String,
}

impl CloneUrl {
    /// The folder of the clone relative to the cache folder:
    /// `host[_port]/path…/name.git`, every part made of safe characters.
    pub fn cache_subdir(&self) -> PathBuf {
        let mut dir = PathBuf::from(match self.port {
            Some(p) => format!("{}_{p}", self.host),
            None => self.host.clone(),
        });
        let segments: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            let mut s: String = seg
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if s.starts_with('.') {
                s.replace_range(0..1, "_");
            }
            if i + 1 == segments.len() {
                let stem = s.strip_suffix(".git").unwrap_or(&s).to_string();
                s = format!("{stem}.git");
            }
            dir.push(s);
        }
        dir
    }
}

/// Checks that `url` is a plain `https://` URL of a repository: no other
/// scheme, no user name or password, no query nor fragment, a host name, a
/// path without `..`, printable ASCII only, at most 2,000 characters.
///
/// ```
/// use archipel_history::validate_clone_url;
/// let u = validate_clone_url("https://GitLab.com/group/sub/project.git").unwrap();
/// assert_eq!(u.host, "gitlab.com");
/// assert_eq!(u.cache_subdir(), std::path::Path::new("gitlab.com/group/sub/project.git"));
/// assert!(validate_clone_url("ssh://git@example.org/x.git").is_err());
/// assert!(validate_clone_url("https://user:token@example.org/x.git").is_err());
/// ```
pub fn validate_clone_url(url: &str) -> Result<CloneUrl, Error> {
    let bad = |why: &str| Error::InvalidUrl(format!("`{url}`: {why}"));
    if url.len() > 2000 {
        return Err(bad("too long"));
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("only printable ASCII without spaces is accepted"));
    }
    let Some(scheme_end) = url.find("://") else {
        return Err(bad("not a URL; only https:// URLs can be cloned"));
    };
    let scheme = url[..scheme_end].to_ascii_lowercase();
    if scheme != "https" {
        return Err(bad(&format!(
            "scheme `{scheme}` refused; only https:// URLs can be cloned"
        )));
    }
    let rest = &url[scheme_end + 3..];
    if rest.contains('?') || rest.contains('#') {
        return Err(bad("query strings and fragments are refused"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("credentials in URLs are refused"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port: u16 = p.parse().map_err(|_| bad("invalid port"))?;
            if port == 0 {
                return Err(bad("invalid port"));
            }
            (h, Some(port))
        }
        None => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(bad("invalid host name"));
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err(bad("no repository path"));
    }
    for s in &segments {
        if *s == "." || *s == ".." {
            return Err(bad("`.` and `..` are refused in the path"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-~%+".contains(&b))
        {
            return Err(bad("unexpected character in the path"));
        }
    }
    let path = segments.join("/");
    let url = match port {
        Some(p) => format!("https://{host}:{p}/{path}"),
        None => format!("https://{host}/{path}"),
    };
    Ok(CloneUrl {
        url,
        host,
        port,
        path,
    })
}

/// Limits of a clone.
#[derive(Debug, Clone)]
pub struct CloneOptions {
    /// Stop when the clone grows beyond this many bytes on disk.
    pub max_bytes: u64,
    /// Stop after this long.
    pub timeout: Duration,
    /// Clone again even if the cache holds a clone of this URL.
    pub refresh: bool,
}

impl Default for CloneOptions {
    /// 1 GiB, 10 minutes, cache reused.
    fn default() -> Self {
        CloneOptions {
            max_bytes: 1 << 30,
            timeout: Duration::from_secs(600),
            refresh: false,
        }
    }
}

/// A clone in the cache.
#[derive(Debug)]
pub struct Cloned {
    /// The bare repository.
    pub repo: Repo,
    /// Its folder.
    pub path: PathBuf,
    /// True when an earlier clone was reused.
    pub from_cache: bool,
}

/// Clones `url` (an `https://` URL, see [`validate_clone_url`]) as a bare
/// repository into `cache_dir/<host>/<path>.git`, or reuses the clone found
/// there. Credentials are never asked for nor sent; the clone is abandoned
/// (and nothing is left in the cache) beyond `options.max_bytes` on disk or
/// `options.timeout`. Never called by the tests: they have no network.
///
/// ```no_run
/// use archipel_history::{clone_https, CloneOptions};
/// let cloned = clone_https(
///     "https://example.org/commons/project.git",
///     std::path::Path::new("/var/cache/archipel/repos"),
///     &CloneOptions::default(),
/// )?;
/// println!("{}", cloned.path.display());
/// # Ok::<(), archipel_history::Error>(())
/// ```
pub fn clone_https(url: &str, cache_dir: &Path, options: &CloneOptions) -> Result<Cloned, Error> {
    clone_with(url, cache_dir, options, fetch)
}

/// Fetches `url` as a new bare repository at the given path, stopping when the
/// flag is raised.
type FetchFn = fn(&str, &Path, &AtomicBool) -> Result<(), String>;

/// [`clone_https`] with the fetch step given, so that the limits, the
/// temporary folder and the cache can be tested without a network.
fn clone_with(
    url: &str,
    cache_dir: &Path,
    options: &CloneOptions,
    fetch: FetchFn,
) -> Result<Cloned, Error> {
    let url = validate_clone_url(url)?;
    let dest = cache_dir.join(url.cache_subdir());
    if dest.exists() {
        if options.refresh {
            std::fs::remove_dir_all(&dest).map_err(Error::io(&dest))?;
        } else {
            let repo = Repo::open(&dest)?;
            return Ok(Cloned {
                repo,
                path: dest,
                from_cache: true,
            });
        }
    }
    let parent = dest
        .parent()
        .ok_or_else(|| Error::Clone("no parent folder for the clone".into()))?
        .to_path_buf();
    std::fs::create_dir_all(&parent).map_err(Error::io(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".clone-")
        .tempdir_in(&parent)
        .map_err(Error::io(&parent))?;
    let work = tmp.path().join("repo.git");

    let interrupt = Arc::new(AtomicBool::new(false));
    // 0: running, 1: time limit, 2: size limit, 3: finished.
    let state = Arc::new(AtomicU8::new(0));
    let watchdog = {
        let (interrupt, state, root) = (interrupt.clone(), state.clone(), tmp.path().to_path_buf());
        let (max_bytes, timeout) = (options.max_bytes, options.timeout);
        std::thread::spawn(move || {
            let start = Instant::now();
            while state.load(Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_millis(200));
                let reason = if start.elapsed() > timeout {
                    1
                } else if dir_size(&root) > max_bytes {
                    2
                } else {
                    continue;
                };
                let _ = state.compare_exchange(0, reason, Ordering::SeqCst, Ordering::SeqCst);
                interrupt.store(true, Ordering::SeqCst);
            }
        })
    };

    // The clone runs on its own thread, which owns the temporary folder, so
    // that a connection stuck in a read cannot hold the caller beyond the time
    // limit: the thread cleans up whenever it ends.
    let (result_tx, result_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let (decision_tx, decision_rx) = std::sync::mpsc::channel::<PathBuf>();
    let (moved_tx, moved_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    let clone_thread = {
        let (interrupt, clone_url) = (interrupt.clone(), url.url.clone());
        std::thread::spawn(move || {
            let result = fetch(&clone_url, &work, &interrupt);
            let ok = result.is_ok();
            if result_tx.send(result).is_ok() && ok {
                if let Ok(dest) = decision_rx.recv() {
                    let _ = moved_tx.send(std::fs::rename(&work, &dest));
                }
            }
            drop(tmp);
        })
    };
    let grace = Duration::from_secs(5);
    let result = result_rx.recv_timeout(options.timeout + grace);
    let reason = state.swap(3, Ordering::SeqCst);
    interrupt.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    let limit_error = |reason: u8| match reason {
        2 => Some(Error::CloneLimit(format!(
            "{}: larger than {} bytes",
            url.url, options.max_bytes
        ))),
        1 => Some(Error::CloneLimit(format!(
            "{}: not finished within {:.1} s",
            url.url,
            options.timeout.as_secs_f64()
        ))),
        _ => None,
    };
    let failure = match result {
        Ok(Ok(())) if reason == 0 => None,
        Ok(Ok(())) => Some(limit_error(reason).unwrap_or_else(|| Error::Clone(url.url.clone()))),
        Ok(Err(message)) => Some(
            limit_error(reason).unwrap_or_else(|| Error::Clone(format!("{}: {message}", url.url))),
        ),
        Err(_) => {
            // The clone thread is stuck in the network: leave it, it removes
            // its temporary folder whenever it ends.
            return Err(limit_error(1).unwrap_or_else(|| Error::Clone(url.url.clone())));
        }
    };
    if let Some(error) = failure {
        // The thread has answered: let it remove its temporary folder.
        drop(decision_tx);
        let _ = clone_thread.join();
        return Err(error);
    }
    decision_tx
        .send(dest.clone())
        .map_err(|_| Error::Clone(format!("{}: the clone thread ended early", url.url)))?;
    let moved = moved_rx.recv();
    let _ = clone_thread.join();
    match moved {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Error::io(&dest)(e)),
        Err(_) => {
            return Err(Error::Clone(format!(
                "{}: the clone thread ended early",
                url.url
            )))
        }
    }
    let repo = Repo::open(&dest)?;
    Ok(Cloned {
        repo,
        path: dest,
        from_cache: false,
    })
}

#[cfg(feature = "https")]
fn fetch(url: &str, work: &Path, interrupt: &AtomicBool) -> Result<(), String> {
    // reqwest is built without a cryptography provider of its own (see
    // Cargo.toml): rustls' ring is installed as the process's default once;
    // an error only says one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut prepare = gix::clone::PrepareFetch::new(
        url,
        work,
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        gix::open::Options::isolated(),
    )
    .map_err(|e| e.to_string())?
    .with_in_memory_config_overrides([
        "protocol.allow=never",
        "protocol.https.allow=always",
        "http.lowSpeedLimit=1024",
        "http.lowSpeedTime=60",
        "gitoxide.http.connectTimeout=20000",
    ])
    .configure_connection(|connection| {
        // Never ask for nor send credentials.
        connection.set_credentials(|_| Ok(None));
        Ok(())
    });
    prepare
        .fetch_only(gix::progress::Discard, interrupt)
        .map(|_| ())
        .map_err(|e| error_chain(&e))
}

/// An error and its causes, `: `-separated.
#[cfg(feature = "https")]
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

#[cfg(not(feature = "https"))]
fn fetch(_url: &str, _work: &Path, _interrupt: &AtomicBool) -> Result<(), String> {
    Err("this build of archipel-history has no https support (feature `https`)".into())
}

/// Bytes of the files under `root` (best effort).
fn dir_size(root: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_urls() {
        let u = validate_clone_url("https://github.com/etalab/data.gouv.fr").expect("valid");
        assert_eq!(u.url, "https://github.com/etalab/data.gouv.fr");
        assert_eq!(
            u.cache_subdir(),
            PathBuf::from("github.com/etalab/data.gouv.fr.git")
        );
        let u = validate_clone_url("HTTPS://Git.Example.ORG:8443/a/b.git/").expect("valid");
        assert_eq!(u.url, "https://git.example.org:8443/a/b.git");
        assert_eq!(u.port, Some(8443));
        assert_eq!(
            u.cache_subdir(),
            PathBuf::from("git.example.org_8443/a/b.git")
        );
        let u = validate_clone_url("https://h.org/.hidden/x%20y").expect("valid");
        assert_eq!(u.cache_subdir(), PathBuf::from("h.org/_hidden/x_20y.git"));
    }

    #[test]
    fn refused_urls() {
        for url in [
            "http://example.org/x.git",
            "git://example.org/x.git",
            "ssh://git@example.org/x.git",
            "git@example.org:x.git",
            "file:///etc/passwd",
            "/tmp/repo",
            "ext::sh -c touch% /tmp/pwned",
            "https://user@example.org/x.git",
            "https://user:secret@example.org/x.git",
            "https://example.org/x.git?token=1",
            "https://example.org/x.git#main",
            "https://example.org/../x.git",
            "https://example.org/a/./x",
            "https://example.org/",
            "https://example.org",
            "https:///x.git",
            "https://exa mple.org/x.git",
            "https://example.org/x y.git",
            "https://example.org:0/x.git",
            "https://example.org:99999/x.git",
            "https://-bad.org/x.git",
            "https://[::1]/x.git",
            "https://exämple.org/x.git",
            "https://example.org/x\n.git",
        ] {
            assert!(validate_clone_url(url).is_err(), "{url} should be refused");
        }
        let long = format!("https://example.org/{}", "a".repeat(2100));
        assert!(validate_clone_url(&long).is_err());
    }

    fn git_init_bare(path: &Path) -> bool {
        std::process::Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    }

    fn fake_ok(_url: &str, work: &Path, _stop: &AtomicBool) -> Result<(), String> {
        if git_init_bare(work) {
            Ok(())
        } else {
            Err("git init failed".into())
        }
    }

    /// Waits until told to stop (at most a minute).
    fn wait_for_stop(stop: &AtomicBool) -> Result<(), String> {
        for _ in 0..6000 {
            if stop.load(Ordering::SeqCst) {
                return Err("interrupted".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err("never interrupted".into())
    }

    fn fake_huge(_url: &str, work: &Path, stop: &AtomicBool) -> Result<(), String> {
        std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
        std::fs::write(work.join("pack"), vec![0u8; 2 << 20]).map_err(|e| e.to_string())?;
        wait_for_stop(stop)
    }

    fn fake_endless(_url: &str, _work: &Path, stop: &AtomicBool) -> Result<(), String> {
        wait_for_stop(stop)
    }

    fn fake_refused(_url: &str, _work: &Path, _stop: &AtomicBool) -> Result<(), String> {
        Err("authentication required".into())
    }

    /// Entries of the cache's host folder (temporary folders included).
    fn leftovers(cache: &Path) -> Vec<String> {
        std::fs::read_dir(cache.join("forge.example.org/team"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn clone_lands_in_the_cache_then_is_reused() {
        let cache = tempfile::tempdir().expect("tempdir");
        let url = "https://forge.example.org/team/app.git";
        let opts = CloneOptions::default();
        let first = clone_with(url, cache.path(), &opts, fake_ok).expect("cloned");
        assert!(!first.from_cache);
        assert_eq!(
            first.path,
            cache.path().join("forge.example.org/team/app.git")
        );
        assert!(first.repo.is_bare());
        assert_eq!(leftovers(cache.path()), vec!["app.git"]);
        // Reused: the fetch is not called again (it would fail).
        let again = clone_with(url, cache.path(), &opts, fake_refused).expect("reused");
        assert!(again.from_cache);
        // Refreshed: fetched again.
        let refresh = CloneOptions {
            refresh: true,
            ..CloneOptions::default()
        };
        let err = clone_with(url, cache.path(), &refresh, fake_refused).expect_err("refused");
        assert!(
            matches!(&err, Error::Clone(m) if m.contains("authentication required")),
            "{err}"
        );
        assert_eq!(leftovers(cache.path()), Vec::<String>::new());
    }

    #[test]
    fn clone_size_limit() {
        let cache = tempfile::tempdir().expect("tempdir");
        let opts = CloneOptions {
            max_bytes: 1 << 20,
            ..CloneOptions::default()
        };
        let err = clone_with(
            "https://forge.example.org/team/big",
            cache.path(),
            &opts,
            fake_huge,
        )
        .expect_err("too large");
        assert!(
            matches!(&err, Error::CloneLimit(m) if m.contains("larger than 1048576 bytes")),
            "{err}"
        );
        assert_eq!(
            leftovers(cache.path()),
            Vec::<String>::new(),
            "nothing left in the cache"
        );
    }

    #[test]
    fn clone_time_limit() {
        let cache = tempfile::tempdir().expect("tempdir");
        let opts = CloneOptions {
            timeout: Duration::from_millis(300),
            ..CloneOptions::default()
        };
        let err = clone_with(
            "https://forge.example.org/team/slow",
            cache.path(),
            &opts,
            fake_endless,
        )
        .expect_err("too slow");
        assert!(
            matches!(&err, Error::CloneLimit(m) if m.contains("not finished within 0.3 s")),
            "{err}"
        );
        assert_eq!(leftovers(cache.path()), Vec::<String>::new());
    }

    /// The https transport is built and speaks TLS (rustls with ring, no
    /// OpenSSL): a local listener receives a TLS ClientHello, then hangs up.
    #[cfg(feature = "https")]
    #[test]
    fn https_fetch_opens_a_tls_connection() {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            let mut head = [0u8; 3];
            conn.read_exact(&mut head).expect("read");
            head
        });
        let work = tempfile::tempdir().expect("tempdir");
        let err = fetch(
            &format!("https://127.0.0.1:{port}/team/app.git"),
            &work.path().join("repo.git"),
            &AtomicBool::new(false),
        )
        .expect_err("the listener hangs up");
        // A TLS record of type handshake (22), protocol version 3.x.
        let head = server.join().expect("listener");
        assert_eq!(&head[..2], &[22, 3], "{head:?} ({err})");
    }

    #[test]
    fn invalid_url_is_refused_before_any_fetch() {
        let cache = tempfile::tempdir().expect("tempdir");
        let err = clone_https(
            "ssh://git@forge.example.org/team/app.git",
            cache.path(),
            &CloneOptions::default(),
        )
        .expect_err("refused");
        assert!(matches!(err, Error::InvalidUrl(_)));
        assert_eq!(
            std::fs::read_dir(cache.path())
                .map(|d| d.count())
                .unwrap_or(0),
            0
        );
    }

    #[test]
    fn cached_clone_is_reused_without_network() {
        // A bare repository already in the cache is opened, not fetched.
        let cache = tempfile::tempdir().expect("tempdir");
        let dest = cache.path().join("forge.example.org/team/app.git");
        std::fs::create_dir_all(&dest).expect("mkdir");
        let ok = std::process::Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(&dest)
            .status()
            .expect("git")
            .success();
        assert!(ok);
        let cloned = clone_https(
            "https://forge.example.org/team/app",
            cache.path(),
            &CloneOptions::default(),
        )
        .expect("reused");
        assert!(cloned.from_cache);
        assert!(cloned.repo.is_bare());
    }
}
