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

/// Checks the public address of the server: an `http://` or `https://`
/// URL with a host, no query, fragment, spaces nor control characters;
/// returned without a trailing slash.
pub fn check_public_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim_end_matches('/');
    check_url(trimmed)?;
    if trimmed.contains(['?', '#']) {
        return Err(format!("`{url}`: no query nor fragment"));
    }
    Ok(trimmed.to_string())
}

/// An `http(s)://host…` URL without spaces, control characters or quotes.
fn check_url(url: &str) -> Result<(), String> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{}`: expected an http:// or https:// URL", escape(url)))?;
    if host.split('/').next().unwrap_or("").is_empty() {
        return Err(format!("`{}`: no host", escape(url)));
    }
    if url.chars().any(|c| {
        c.is_control() || c.is_whitespace() || c == '"' || c == '\\' || c == '<' || c == '>'
    }) {
        return Err(format!(
            "`{}`: spaces, quotes and control characters are not allowed in a URL",
            escape(url)
        ));
    }
    Ok(())
}

/// The text with control characters shown as escapes (for error messages
/// printed on a terminal).
fn escape(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

/// Checks the sources allowed to embed `/embed/…` pages (the CSP
/// `frame-ancestors` directive): `*`, `'self'`, `'none'`, or origins
/// (`https://example.org`, `https://*.example.org`, `example.org`)
/// separated by spaces. Anything that could end the directive (`;`, `,`,
/// quotes, control characters) is refused. Returns the sources separated
/// by single spaces.
pub fn check_frame_ancestors(sources: &str) -> Result<String, String> {
    let list: Vec<&str> = sources.split(' ').filter(|s| !s.is_empty()).collect();
    if list.is_empty() {
        return Err("empty: give `*`, `'self'`, `'none'` or origins".into());
    }
    for s in &list {
        let ok = matches!(*s, "*" | "'self'" | "'none'")
            || (!s.is_empty()
                && s.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '/' | '*' | '_')
                }));
        if !ok {
            return Err(format!(
                "`{}`: expected `*`, `'self'`, `'none'` or an origin such as https://example.org",
                escape(s)
            ));
        }
    }
    if list.len() > 1 && list.contains(&"'none'") {
        return Err("`'none'` cannot be combined with other sources".into());
    }
    Ok(list.join(" "))
}

/// Checks a text shown on pages (the map's attribution): no control
/// characters, at most 500 characters.
pub fn check_text(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err(format!(
            "`{}`: control characters are not allowed",
            escape(text)
        ));
    }
    if text.chars().count() > 500 {
        return Err("longer than 500 characters".into());
    }
    Ok(text.to_string())
}

/// Units of a memory size, largest first.
const UNITS: [(&str, usize); 4] = [
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("B", 1),
];

/// Largest answer cache accepted (64 GiB).
pub const MAX_CACHE_BYTES: usize = 64 << 30;

/// Reads the answer cache's size: a whole number and its unit (`64MiB`,
/// `512 KiB`, `1GiB`, `65536B`; case aside), at most 64 GiB, or `0` to
/// keep nothing. A number without its unit is refused, not guessed (an
/// earlier setting counted answers, another mebibytes).
pub fn check_cache_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = (&t[..digits], t[digits..].trim());
    let shown = escape(text);
    let expected = format!(
        "`{shown}`: expected a size with its unit, such as 64MiB (B, KiB, MiB, GiB), \
         or 0 to keep nothing"
    );
    let n: usize = number.parse().map_err(|_| expected.clone())?;
    let factor = match UNITS.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit)) {
        Some((_, f)) => *f,
        None if n == 0 && unit.is_empty() => 1,
        None => return Err(expected),
    };
    match n.checked_mul(factor) {
        Some(bytes) if bytes <= MAX_CACHE_BYTES => Ok(bytes),
        _ => Err(format!("`{shown}`: at most 64GiB")),
    }
}

/// A size as [`check_cache_size`] reads it, in the largest unit that
/// divides it (`64MiB`, `1500B`).
pub fn show_size(bytes: usize) -> String {
    let (unit, factor) = UNITS
        .iter()
        .find(|(_, f)| bytes != 0 && bytes.is_multiple_of(*f))
        .copied()
        .unwrap_or(("B", 1));
    format!("{}{unit}", bytes / factor)
}

/// Checks the licence URL of the published data (for the DCAT catalogue).
pub fn check_licence_url(url: &str) -> Result<String, String> {
    check_url(url)?;
    Ok(url.to_string())
}

impl Tiles {
    /// Checks a tile URL template (`{z}`, `{x}`, `{y}`, optionally `{s}`,
    /// on an http(s) server the Content-Security-Policy can name).
    pub fn check_url(url: &str) -> Result<String, String> {
        check_url(url)?;
        for part in ["{z}", "{x}", "{y}"] {
            if !url.contains(part) {
                return Err(format!("`{url}`: no {part} in the template"));
            }
        }
        let t = Tiles {
            url: url.to_string(),
            attribution: String::new(),
        };
        if t.origin().is_none() {
            return Err(format!(
                "`{url}`: no server name the page may load tiles from"
            ));
        }
        Ok(url.to_string())
    }
}

/// Largest outlines file accepted: 50 MiB (a country's communes at
/// 1:50,000 simplified, or a coastline at 1:10,000, fit well within it;
/// more would be slow for every visitor's browser to draw).
pub const MAX_OUTLINES_BYTES: u64 = 50 << 20;

/// Finer outlines the operator provides (coasts, communes, a
/// territory's limits): a GeoJSON or TopoJSON file, read and checked
/// once at start, served at [`Outlines::URL`] and drawn by the map over
/// the world's countries when no tile server is configured, so that a map
/// zoomed on a town is not a blank box — still without any request to
/// another host.
#[derive(Clone)]
pub struct Outlines {
    /// The file, as the operator named it (for messages).
    pub path: PathBuf,
    /// Its bytes, as read.
    pub bytes: axum::body::Bytes,
    /// `Topology` (TopoJSON) or a GeoJSON type (`FeatureCollection`…).
    pub kind: String,
    /// Its validator (`W/"…"`), and the short version pages put in its URL.
    pub etag: String,
    pub version: String,
}

impl std::fmt::Debug for Outlines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outlines")
            .field("path", &self.path)
            .field("bytes", &self.bytes.len())
            .field("kind", &self.kind)
            .finish()
    }
}

/// The GeoJSON types an outlines file may be (RFC 7946), and TopoJSON's.
const OUTLINE_TYPES: [&str; 10] = [
    "Topology",
    "FeatureCollection",
    "Feature",
    "GeometryCollection",
    "Polygon",
    "MultiPolygon",
    "LineString",
    "MultiLineString",
    "Point",
    "MultiPoint",
];

impl Outlines {
    /// Where the server serves the file (pages add `?v=VERSION`).
    pub const URL: &'static str = "/assets/outlines.json";

    /// Reads and checks the file at `path`: a regular file of at most
    /// [`MAX_OUTLINES_BYTES`], valid JSON whose top-level `type` is
    /// `Topology` (with `objects` and `arcs`) or a GeoJSON type. The
    /// error names the file and says what is wrong.
    pub fn load(path: &std::path::Path) -> Result<Outlines, String> {
        use std::io::Read;
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
        if !meta.is_file() {
            return Err(format!("{shown}: not a file"));
        }
        let too_large = |size: u64| {
            format!(
                "{shown}: {} MiB, larger than the {} MiB allowed for outlines; \
                 simplify it (mapshaper -simplify) or keep only the area the registry covers",
                size.div_ceil(1 << 20),
                MAX_OUTLINES_BYTES >> 20
            )
        };
        if meta.len() > MAX_OUTLINES_BYTES {
            return Err(too_large(meta.len()));
        }
        // Read at most one byte more than allowed, should it grow.
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_OUTLINES_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("{shown}: {e}"))?;
        if bytes.len() as u64 > MAX_OUTLINES_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        #[derive(serde::Deserialize)]
        struct Head {
            #[serde(rename = "type")]
            kind: Option<String>,
            objects: Option<serde::de::IgnoredAny>,
            arcs: Option<serde::de::IgnoredAny>,
        }
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
            .map_err(|e| format!("{shown}: not valid JSON (GeoJSON or TopoJSON expected): {e}"))?;
        let not_geo = |what: &str| {
            format!(
                "{shown}: {what}: expected GeoJSON (FeatureCollection, Feature or a geometry) \
                 or TopoJSON (Topology)"
            )
        };
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(not_geo("JSON that is not an object"));
        }
        let head: Head = serde_json::from_slice(&bytes).map_err(|e| not_geo(&e.to_string()))?;
        let kind = head.kind.unwrap_or_default();
        if !OUTLINE_TYPES.contains(&kind.as_str()) {
            return Err(not_geo(&format!(
                "a JSON object whose type is `{}`",
                escape(&kind)
            )));
        }
        if kind == "Topology" && (head.objects.is_none() || head.arcs.is_none()) {
            return Err(format!(
                "{shown}: a TopoJSON Topology without `objects` or `arcs`"
            ));
        }
        let etag = crate::http::etag_of(&bytes);
        let version = etag.trim_start_matches("W/\"").chars().take(10).collect();
        Ok(Outlines {
            path: path.to_path_buf(),
            bytes: bytes.into(),
            kind,
            etag,
            version,
        })
    }

    /// The URL pages give the map, with the file's version.
    pub fn url(&self) -> String {
        format!("{}?v={}", Outlines::URL, self.version)
    }
}

/// What "now" is for sessions and rate limits: the system's clock, or,
/// for tests, a time they set and move forward.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::Mutex<chrono::DateTime<chrono::Utc>>>>);

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stays at `at` until [`Clock::advance`] moves it.
    pub fn fixed(at: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock(Some(std::sync::Arc::new(std::sync::Mutex::new(at))))
    }

    /// Moves a fixed clock forward (nothing for the system's).
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(t) = &self.0 {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += by;
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match &self.0 {
            None => chrono::Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }
}

/// The accessibility conformance a publisher declares (RGAA): without an
/// audit, the rules say "non conforme".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conformance {
    #[default]
    None,
    Partial,
    Full,
}

impl Conformance {
    /// Reads `none`, `partial` or `full` (or the French `non`,
    /// `partielle`, `totale`).
    pub fn parse(text: &str) -> Result<Conformance, String> {
        match text.trim() {
            "none" | "non" => Ok(Conformance::None),
            "partial" | "partielle" => Ok(Conformance::Partial),
            "full" | "totale" => Ok(Conformance::Full),
            other => Err(format!(
                "`{}`: expected none, partial or full (non, partielle, totale)",
                escape(other)
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Conformance::None => "none",
            Conformance::Partial => "partial",
            Conformance::Full => "full",
        }
    }
}

/// Sign-in settings (`[sign_in]`).
#[derive(Debug, Clone, Default)]
pub struct SignInConfig {
    /// Who may create an account on the web.
    pub signup: archipel_accounts::Signup,
    /// Idle and absolute session lifetimes.
    pub session: archipel_accounts::SessionPolicy,
    /// OpenID Connect providers (discovered at their first use).
    pub providers: Vec<archipel_accounts::oidc::ProviderConfig>,
    /// Cookies marked `Secure`: `None` when the public URL is https.
    pub secure_cookies: Option<bool>,
    /// The request header a trusted reverse proxy writes the client's
    /// address in (`X-Forwarded-For`, `X-Real-IP`); its last value is
    /// read. `None`: the address of the connection.
    pub client_address_header: Option<axum::http::HeaderName>,
    /// Whether someone without an account may propose, giving an e-mail
    /// address (off by default).
    pub anonymous_proposals: bool,
    pub clock: Clock,
}

/// Checks the name of the header holding the client's address.
pub fn check_header_name(name: &str) -> Result<axum::http::HeaderName, String> {
    axum::http::HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}`: not an HTTP header name", escape(name)))
}

/// Who publishes the site, for the legal notice, the accessibility
/// statement and the privacy page (`[publisher]` in the configuration).
/// Empty texts are shown as "not given".
#[derive(Debug, Clone, Default)]
pub struct Publisher {
    /// The body publishing the site (a territory, an association…).
    pub name: String,
    /// Its postal address.
    pub address: String,
    /// The director of publication (a person's name or office).
    pub director: String,
    /// Where to write (an e-mail address or a web page): accessibility
    /// feedback, personal data requests.
    pub contact: String,
    /// The host: name, address, telephone.
    pub host: String,
    /// The declared RGAA conformance.
    pub conformance: Conformance,
    /// The day of the audit or of the statement (`YYYY-MM-DD`).
    pub statement_date: String,
}

/// Checks a day written `YYYY-MM-DD`.
pub fn check_day(text: &str) -> Result<String, String> {
    let t = text.trim();
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(|_| t.to_string())
        .map_err(|_| format!("`{}`: expected a day such as 2026-12-05", escape(t)))
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The registry file.
    pub db: PathBuf,
    pub addr: SocketAddr,
    /// The map background; `None` (the default) draws the country outlines
    /// Archipel serves itself, so that no page makes a request to another
    /// host.
    pub tiles: Option<Tiles>,
    /// Finer outlines the operator provides, drawn over the countries
    /// when there is no tile server (see [`Outlines`]).
    pub outlines: Option<Outlines>,
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
    /// Bytes of answers made for one request and not kept that may be
    /// waiting for their clients at once (`None`: four times the cache's,
    /// at least 32 MiB; see [`crate::inflight`]).
    pub answers_in_flight: Option<usize>,
    /// The licence of the published data (a URL), for the DCAT catalogue.
    pub data_licence: String,
    /// Accounts and sign-in.
    pub sign_in: SignInConfig,
    /// Who publishes the site (legal pages, the footer's conformance).
    pub publisher: Publisher,
}

impl Config {
    /// Defaults: 127.0.0.1:8080, no tile server (the map's base is served
    /// by Archipel), embeddable anywhere.
    pub fn new(db: PathBuf) -> Config {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Config {
            db,
            addr,
            tiles: None,
            outlines: None,
            frame_ancestors: "*".into(),
            public_url: format!("http://{addr}"),
            static_dir: None,
            pool_size: 4,
            cache_bytes: 64 * 1024 * 1024,
            answers_in_flight: None,
            data_licence: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/".into(),
            sign_in: SignInConfig::default(),
            publisher: Publisher::default(),
        }
    }

    /// Whether cookies are marked `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.sign_in
            .secure_cookies
            .unwrap_or_else(|| self.public_url.starts_with("https://"))
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

    #[test]
    fn settings_checks() {
        assert_eq!(
            check_public_url("https://archipel.example.fr/").as_deref(),
            Ok("https://archipel.example.fr")
        );
        assert_eq!(
            check_public_url("https://example.fr/registre").as_deref(),
            Ok("https://example.fr/registre")
        );
        for bad in [
            "archipel.example.fr",
            "https://",
            "https://a b",
            "https://a/?x=1",
            "ftp://a",
            "https://a\n",
        ] {
            assert!(check_public_url(bad).is_err(), "{bad}");
        }
        assert_eq!(check_frame_ancestors("*").as_deref(), Ok("*"));
        assert_eq!(
            check_frame_ancestors("'self'  https://*.example.org").as_deref(),
            Ok("'self' https://*.example.org")
        );
        for bad in [
            "",
            "   ",
            "https://a.org; script-src *",
            "https://a.org,https://b.org",
            "'none' https://a.org",
            "'unsafe-inline'",
            "a\tb",
        ] {
            assert!(check_frame_ancestors(bad).is_err(), "{bad:?}");
        }
        assert!(Tiles::check_url("https://{s}.tile.example.org/{z}/{x}/{y}.png").is_ok());
        assert!(Tiles::check_url("https://tile.example.org/{z}/{x}.png").is_err());
        assert!(Tiles::check_url("javascript:alert(1)//{z}{x}{y}").is_err());
        assert!(check_text("© OpenStreetMap contributors").is_ok());
        assert!(check_text("a\u{1b}[31m").is_err());
        let err = check_text("a\u{1b}[31m").unwrap_err();
        assert!(!err.contains('\u{1b}'), "escaped for the terminal: {err}");
    }

    #[test]
    fn cache_sizes_carry_their_unit() {
        for (text, bytes) in [
            ("64MiB", 64 << 20),
            ("64 MiB", 64 << 20),
            (" 512kib ", 512 << 10),
            ("1GiB", 1 << 30),
            ("65536B", 65536),
            ("0", 0),
            ("0 MiB", 0),
            ("64GiB", MAX_CACHE_BYTES),
        ] {
            assert_eq!(check_cache_size(text), Ok(bytes), "{text:?}");
        }
        for bad in [
            "64",
            "",
            "MiB",
            "64 MB",
            "64M",
            "1.5GiB",
            "-1MiB",
            "65GiB",
            "99999999999999999999GiB",
            "64 MiB x",
            "6\u{1b}4MiB",
        ] {
            let err = check_cache_size(bad).unwrap_err();
            assert!(!err.contains('\u{1b}'), "{err}");
        }
        assert!(check_cache_size("64").unwrap_err().contains("64MiB"));
        for bytes in [0, 1500, 512 << 10, 64 << 20, 3 << 30] {
            assert_eq!(check_cache_size(&show_size(bytes)), Ok(bytes));
        }
        assert_eq!(show_size(64 << 20), "64MiB");
    }
}
