//! Checks that need the network. Compiled only with the `network` feature,
//! run only when [`crate::Options::network`] is set; never in tests.

use std::time::Duration;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(15)))
        .http_status_as_error(false)
        .user_agent("archipel-publiccode (+https://example.invalid/archipel)")
        .build()
        .into()
}

/// The URL answers with a success status (after redirects).
pub fn reachable(url: &str) -> Result<(), String> {
    let agent = agent();
    let status = match agent.head(url).call() {
        Ok(r) if r.status().is_success() => return Ok(()),
        // Some servers refuse HEAD: try GET before giving up.
        _ => agent.get(url).call().map(|r| r.status()),
    };
    match status {
        Ok(s) if s.is_success() => Ok(()),
        Ok(s) => Err(format!("`{url}` answered with HTTP status {}", s.as_u16())),
        Err(e) => Err(format!("`{url}` cannot be reached: {e}")),
    }
}

/// Known oEmbed providers: URL prefixes and their endpoints.
const PROVIDERS: &[(&[&str], &str)] = &[
    (
        &[
            "https://www.youtube.com/",
            "https://youtube.com/",
            "https://youtu.be/",
            "https://m.youtube.com/",
        ],
        "https://www.youtube.com/oembed",
    ),
    (
        &["https://vimeo.com/", "https://player.vimeo.com/"],
        "https://vimeo.com/api/oembed.json",
    ),
    (
        &["https://www.dailymotion.com/", "https://dai.ly/"],
        "https://www.dailymotion.com/services/oembed",
    ),
];

/// The video URL is one an oEmbed provider describes.
pub fn oembed(video: &str) -> Result<(), String> {
    let video_https = video.replacen("http://", "https://", 1);
    let Some(endpoint) = PROVIDERS
        .iter()
        .find(|(prefixes, _)| prefixes.iter().any(|p| video_https.starts_with(p)))
        .map(|(_, e)| *e)
    else {
        return Err(format!(
            "`{video}` is not hosted by a known oEmbed video provider (YouTube, Vimeo, Dailymotion)"
        ));
    };
    let response = agent()
        .get(endpoint)
        .query("url", video)
        .query("format", "json")
        .call();
    match response {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!(
            "the oEmbed provider does not describe `{video}` (HTTP status {})",
            r.status().as_u16()
        )),
        Err(e) => Err(format!("the oEmbed provider cannot be reached: {e}")),
    }
}
