//! What the server is told at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

/// A tile server for the map background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiles {
    /// URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}`).
    pub url: String,
    /// Attribution shown on the map (plain text).
    pub attribution: String,
}

impl Tiles {
    /// The OpenStreetMap standard tile server (see its usage policy).
    pub fn openstreetmap() -> Tiles {
        Tiles {
            url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
        }
    }

    /// The scheme and host of the URL, for the Content-Security-Policy.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.url.split_once("://")?;
        let host = rest.split('/').next()?;
        if host.is_empty() || !(scheme == "https" || scheme == "http") {
            return None;
        }
        // `{s}` subdomains: allow any subdomain of the rest.
        let host = match host.split_once("{s}.") {
            Some((_, base)) => format!("*.{base}"),
            None => host.to_string(),
        };
        Some(format!("{scheme}://{host}"))
    }
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The registry file.
    pub db: PathBuf,
    pub addr: SocketAddr,
    /// The map background; `None` draws the markers on a plain background.
    pub tiles: Option<Tiles>,
    /// `frame-ancestors` sources allowed to embed `/embed/…` pages
    /// (`*` for any site, or a space-separated list of origins).
    pub frame_ancestors: String,
    /// The address the public reaches the server at, for absolute links in
    /// the DCAT catalogue (no trailing slash).
    pub public_url: String,
    /// A folder whose files are served under `/files/`.
    pub static_dir: Option<PathBuf>,
    /// Connections to the registry (reads run in parallel on as many).
    pub pool_size: usize,
    /// Bytes of answers kept in memory (0 turns the cache off).
    pub cache_bytes: usize,
    /// The licence of the published data (a URL), for the DCAT catalogue.
    pub data_licence: String,
}

impl Config {
    /// Defaults: 127.0.0.1:8080, OpenStreetMap tiles, embeddable anywhere.
    pub fn new(db: PathBuf) -> Config {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Config {
            db,
            addr,
            tiles: Some(Tiles::openstreetmap()),
            frame_ancestors: "*".into(),
            public_url: format!("http://{addr}"),
            static_dir: None,
            pool_size: 4,
            cache_bytes: 64 * 1024 * 1024,
            data_licence: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_origins() {
        assert_eq!(
            Tiles::openstreetmap().origin().as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        let t = Tiles {
            url: "https://{s}.tile.example.org/{z}/{x}/{y}.png".into(),
            attribution: String::new(),
        };
        assert_eq!(t.origin().as_deref(), Some("https://*.tile.example.org"));
        let bad = Tiles {
            url: "javascript:alert(1)".into(),
            attribution: String::new(),
        };
        assert_eq!(bad.origin(), None);
    }
}
