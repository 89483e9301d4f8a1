//! `archipel import chatons URL`: the ChatonsInfos files of a federation
//! or an organisation fetched over the network, following the `subs.`
//! lines of each file to the files it lists, then imported as one bundle
//! (as a folder is).
//!
//! Bounded like every input: HTTPS only (plain HTTP to this machine's
//! loopback alone, for a server the operator runs beside Archipel), no
//! redirect away from HTTPS, every URL free of control characters and of
//! user information, at most [`MAX_FILES`] files [`MAX_DEPTH`] links deep,
//! each request within [`TIMEOUT`], `max` bytes in all. A file listed
//! twice (or a loop) is read once. All or nothing: a file that cannot be
//! had stops the import, naming the file and line that listed it.

use std::collections::{HashSet, VecDeque};
use std::io::Read;
use std::time::Duration;

/// Most files one walk fetches.
pub const MAX_FILES: usize = 2_000;
/// Most links from the first file (federation → organisation → service
/// is 2).
pub const MAX_DEPTH: usize = 4;
/// Most time one request may take, answer included.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The argument is a URL rather than a path.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Checks a URL for the walk; returns it with its fragment removed.
fn check(url: &str) -> Result<String, String> {
    if url.len() > 2_000 {
        return Err("a URL longer than 2,000 characters".into());
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("a URL with a space or a control character".into());
    }
    let url = url.split('#').next().unwrap_or(url);
    let uri: ureq::http::Uri = url.parse().map_err(|e| format!("not a URL ({e})"))?;
    let host = uri.host().unwrap_or("").to_ascii_lowercase();
    if host.is_empty() {
        return Err("a URL without a host".into());
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("a URL with a user name or password".into());
    }
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1");
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(url.to_string()),
        Some("http") if loopback => Ok(url.to_string()),
        Some("http") => Err("a plain HTTP URL (HTTPS only, except to this machine)".into()),
        _ => Err("not an HTTPS URL".into()),
    }
}

/// The name a fetched file is known by: its URL without the query (the
/// parser matches `subs.` lines on the last segment of the path).
fn name_of(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// Fetches `start` and every file it lists, breadth first, as
/// (name, bytes) pairs in the order fetched; then bundled for the parser.
pub fn read(start: &str, max: u64) -> anyhow::Result<Vec<u8>> {
    let first = check(start).map_err(|e| anyhow::anyhow!("{}: {e}", printable(start)))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .https_only(first.to_ascii_lowercase().starts_with("https://"))
        .max_redirects(if first.to_ascii_lowercase().starts_with("https://") {
            5
        } else {
            0
        })
        .user_agent(concat!(
            "archipel/",
            env!("CARGO_PKG_VERSION"),
            " (ChatonsInfos)"
        ))
        .build()
        .into();
    let mut queue: VecDeque<(String, usize, Option<String>)> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(name_of(&first));
    queue.push_back((first, 0, None));
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0u64;
    while let Some((url, depth, listed_at)) = queue.pop_front() {
        let at = listed_at.unwrap_or_else(|| printable(&url));
        let bytes = fetch(&agent, &url, max.saturating_sub(total), max)
            .map_err(|e| anyhow::anyhow!("{at}: {}: {e}", printable(&url)))?;
        total += bytes.len() as u64;
        let name = name_of(&url);
        if depth < MAX_DEPTH {
            for (line, child) in archipel_formats::chatons::subs(&name, &bytes) {
                let where_ = format!("{}:{line}: subs", printable(&name));
                let child = check(&child).map_err(|e| anyhow::anyhow!("{where_}: {e}"))?;
                if seen.insert(name_of(&child)) {
                    if seen.len() > MAX_FILES {
                        anyhow::bail!(
                            "{}: lists more than {MAX_FILES} files in all",
                            printable(start)
                        );
                    }
                    queue.push_back((child, depth + 1, Some(where_)));
                }
            }
        }
        files.push((name, bytes));
    }
    Ok(archipel_formats::chatons::bundle(&files))
}

/// One GET: a success status and at most `left` bytes of body.
fn fetch(agent: &ureq::Agent, url: &str, left: u64, max: u64) -> Result<Vec<u8>, String> {
    let response = agent
        .get(url)
        .call()
        .map_err(|e| format!("cannot be fetched ({e})"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("answered with HTTP status {}", status.as_u16()));
    }
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(left.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if body.len() as u64 > left {
        return Err(format!(
            "the files are larger than the limit of {} MiB in all (--max-size)",
            max / (1024 * 1024)
        ));
    }
    Ok(body)
}

/// A URL as the terminal may show it: control characters replaced.
fn printable(s: &str) -> String {
    s.chars()
        .take(300)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}
