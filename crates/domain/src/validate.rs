//! Checks on single values: identifiers, codes, coordinates, dates, URLs,
//! e-mail addresses; and [`value_problems`], every value of a record
//! against the rule for its type.
//!
//! Each returns `Err(reason)` with a short English reason that an importer
//! prefixes with `FILE:LINE: field:`.

use crate::{check_text, echo, Entity, GeoPoint, Identifiers, TextKind};
use chrono::NaiveDate;

/// Folds French (and most Latin) accents and ligatures to plain ASCII
/// letters, leaving other characters alone: "Médiathèque Œuvre" →
/// "Mediatheque OEuvre". Used for slugs and sorting; full-text search does
/// its own folding in the store.
pub fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => out.push('A'),
            'ç' => out.push('c'),
            'Ç' => out.push('C'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'È' | 'É' | 'Ê' | 'Ë' => out.push('E'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'Ì' | 'Í' | 'Î' | 'Ï' => out.push('I'),
            'ñ' => out.push('n'),
            'Ñ' => out.push('N'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => out.push('o'),
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => out.push('O'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'Ù' | 'Ú' | 'Û' | 'Ü' => out.push('U'),
            'ý' | 'ÿ' => out.push('y'),
            'Ý' | 'Ÿ' => out.push('Y'),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            '’' | '‘' => out.push('\''),
            _ => out.push(c),
        }
    }
    out
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The Luhn checksum used by SIREN and SIRET numbers.
fn luhn_ok(s: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in s.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// A SIRET: 14 digits. The Luhn key is checked except for La Poste's
/// establishments (SIREN 356000000), which follow another rule.
pub fn check_siret(s: &str) -> Result<(), String> {
    if s.len() != 14 || !all_digits(s) {
        return Err(format!("{} is not a SIRET (14 digits)", echo(s)));
    }
    if !s.starts_with("356000000") && !luhn_ok(s) {
        return Err(format!("{} fails the SIRET check digit", echo(s)));
    }
    Ok(())
}

/// A SIREN: 9 digits with a Luhn key.
pub fn check_siren(s: &str) -> Result<(), String> {
    if s.len() != 9 || !all_digits(s) {
        return Err(format!("{} is not a SIREN (9 digits)", echo(s)));
    }
    if !luhn_ok(s) {
        return Err(format!("{} fails the SIREN check digit", echo(s)));
    }
    Ok(())
}

/// An RNA number: `W` followed by 9 characters (digits, or a department
/// letter pair for the oldest ones).
pub fn check_rna(s: &str) -> Result<(), String> {
    let ok = s.len() == 10
        && (s.starts_with('W') || s.starts_with('w'))
        && s[1..].bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not an RNA number (W and 9 characters)",
            echo(s)
        ))
    }
}

/// A Wikidata item: `Q` and digits.
pub fn check_wikidata(s: &str) -> Result<(), String> {
    if s.len() > 1 && s.starts_with('Q') && all_digits(&s[1..]) {
        Ok(())
    } else {
        Err(format!("{} is not a Wikidata item (Q and digits)", echo(s)))
    }
}

/// A value check returning a reason on failure.
pub type Check = fn(&str) -> Result<(), String>;

/// Checks every identifier that is set; returns (field, reason) pairs.
pub fn check_identifiers(ids: &Identifiers) -> Vec<(&'static str, String)> {
    let mut errs = Vec::new();
    let checks: [(&'static str, &Option<String>, Check); 4] = [
        ("siret", &ids.siret, check_siret),
        ("siren", &ids.siren, check_siren),
        ("rna", &ids.rna, check_rna),
        ("wikidata", &ids.wikidata, check_wikidata),
    ];
    for (name, value, check) in checks {
        if let Some(v) = value {
            if let Err(e) = check(v) {
                errs.push((name, e));
            }
        }
    }
    errs
}

/// Sorts a register number of unknown kind (the médiation schema's `pivot`
/// column holds a SIRET, an RNA or a RIDET) into the right field. The
/// value is kept as written; no checksum is required here because the
/// national schema itself only constrains the shape.
pub fn classify_register_number(s: &str) -> Identifiers {
    let mut ids = Identifiers::default();
    if s.len() == 14 && all_digits(s) {
        ids.siret = Some(s.to_string());
    } else if s.len() == 9 && all_digits(s) {
        ids.siren = Some(s.to_string());
    } else if check_rna(s).is_ok() {
        ids.rna = Some(s.to_string());
    } else {
        ids.other = Some(s.to_string());
    }
    ids
}

/// An INSEE commune code: two characters of department (`01`–`19`,
/// `21`–`95`, `2A`, `2B`, or `97x` overseas) then three digits.
pub fn check_insee_commune(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = b.len() == 5
        && b[2..].iter().all(|c| c.is_ascii_digit())
        && match (b[0], b[1]) {
            (b'2', b'A' | b'B' | b'1'..=b'9') => true,
            (b'0' | b'1' | b'3'..=b'9', d) => d.is_ascii_digit(),
            _ => false,
        };
    if ok {
        Ok(())
    } else {
        Err(format!("{} is not an INSEE commune code", echo(s)))
    }
}

/// A French postcode: five digits.
pub fn check_postcode(s: &str) -> Result<(), String> {
    if s.len() == 5 && all_digits(s) {
        Ok(())
    } else {
        Err(format!("{} is not a postcode (5 digits)", echo(s)))
    }
}

/// Latitude and longitude within WGS 84 bounds, and not the (0, 0) that
/// failed geocoders produce.
pub fn check_point(p: GeoPoint) -> Result<(), String> {
    if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
        return Err(format!("latitude {} is outside -90..90", p.lat));
    }
    if !p.lon.is_finite() || !(-180.0..=180.0).contains(&p.lon) {
        return Err(format!("longitude {} is outside -180..180", p.lon));
    }
    if p.lat == 0.0 && p.lon == 0.0 {
        return Err("coordinates 0,0 are a geocoding failure, not a place".into());
    }
    Ok(())
}

/// Parses a decimal coordinate, accepting a decimal comma.
pub fn parse_coordinate(s: &str) -> Result<f64, String> {
    let t = s.trim().replace(',', ".");
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{} is not a decimal number", echo(s)))
}

/// Parses an ISO 8601 calendar date (`YYYY-MM-DD`).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    // The usual form, read directly (imports read one per row); anything
    // else goes through chrono's parser, which decides.
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
                .ok_or_else(|| format!("{} is not a date of the form YYYY-MM-DD", echo(s)));
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| format!("{} is not a date of the form YYYY-MM-DD", echo(s)))
}

/// Whether `s` has a character that may not appear in a URL or an e-mail
/// address as written: spaces, controls, invisible formatting characters,
/// and the quotes and brackets that end an attribute or a tag.
fn has_foreign_character(s: &str) -> bool {
    let ascii = |b: u8| b <= b' ' || b == 0x7F || matches!(b, b'"' | b'<' | b'>' | b'\\' | b'`');
    s.bytes().any(ascii)
        || (!s.is_ascii()
            && s.chars()
                .any(|c| !c.is_ascii() && (c.is_whitespace() || crate::text::hidden(c))))
}

/// A domain name: at least two dot-separated labels of letters (any
/// script), digits, `-` and `_`, none empty or starting or ending with `-`;
/// a final dot is allowed.
fn domain_ok(h: &str) -> bool {
    let h = h.strip_suffix('.').unwrap_or(h);
    h.len() <= 253
        && h.contains('.')
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && (l
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    || l.chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_'))
        })
}

/// An e-mail address: a local part of letters, digits, dots (not first,
/// last or doubled) and the other characters RFC 5322 allows there
/// (`!#$%&'*+-/=?^_{|}~`), `@`, and a domain name whose last label is
/// not a number. No quoted local parts, comments or address literals: a
/// contact address does not need them, and they are how markup gets in.
pub fn check_email(s: &str) -> Result<(), String> {
    let special = |c: char| {
        matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '/'
                | '='
                | '?'
                | '^'
                | '_'
                | '{'
                | '|'
                | '}'
                | '~'
        )
    };
    let ok = match s.rsplit_once('@') {
        Some((local, domain)) => {
            s.len() <= 254
                && !local.is_empty()
                && local.len() <= 64
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.as_bytes().windows(2).any(|w| w == b"..")
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || special(c))
                && domain_ok(domain)
                && !domain
                    .trim_end_matches('.')
                    .rsplit('.')
                    .next()
                    .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{} is not an e-mail address", echo(s)))
    }
}

/// Why `s` is not an absolute URL with one of `schemes` (compared without
/// case) and a host, if it is not. `userinfo` allows `user@` before the
/// host (`ssh://git@forge.example/…`).
fn url_problem(s: &str, schemes: &[&str], userinfo: bool) -> Option<&'static str> {
    let Some(colon) = s.find(':') else {
        return Some("no scheme");
    };
    if !schemes.iter().any(|k| k.eq_ignore_ascii_case(&s[..colon])) {
        return Some("scheme not accepted");
    }
    let Some(rest) = s[colon + 1..].strip_prefix("//") else {
        return Some("no host");
    };
    if has_foreign_character(s) {
        return Some("a space, a control or a quote or bracket character in it");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = match authority.rsplit_once('@') {
        Some(_) if !userinfo => return Some("a user name or password before the host"),
        Some((_, h)) => h,
        None => authority,
    };
    let (host_ok, port) = match host_port.strip_prefix('[') {
        // An IPv6 literal.
        Some(v6) => match v6.split_once(']') {
            Some((ip, port)) => (
                !ip.is_empty()
                    && ip
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
                port,
            ),
            None => (false, ""),
        },
        None => match host_port.rsplit_once(':') {
            Some((h, _)) => (domain_ok(h), &host_port[h.len()..]),
            None => (domain_ok(host_port), ""),
        },
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.parse::<u16>().is_ok_and(|n| n > 0) && p.len() <= 5);
    if !host_ok || !port_ok {
        return Some("no valid host name");
    }
    None
}

/// A link: an absolute `http://` or `https://` URL with a host name (an
/// IPv6 literal and a port are allowed, a user name is not).
pub fn check_url(s: &str) -> Result<(), String> {
    match url_problem(s, &["http", "https"], false) {
        None => Ok(()),
        Some(why) => Err(format!(
            "{} is not an http(s) URL ({why}; only http:// and https:// links with a host are accepted)",
            echo(s)
        )),
    }
}

/// A repository URL: a link ([`check_url`]), or an address in the git,
/// svn or ssh schemes that forges and catalogues also publish (these may
/// name a user: `ssh://git@host/…`).
pub fn check_repository_url(s: &str) -> Result<(), String> {
    if check_url(s).is_ok() {
        return Ok(());
    }
    match url_problem(s, &["git", "svn", "ssh", "git+ssh", "svn+ssh"], true) {
        None => Ok(()),
        Some(_) => Err(format!(
            "{} is not a repository URL (http, https, git, svn or ssh, with a host)",
            echo(s)
        )),
    }
}

/// Every value of a record checked against the rule for its type: each
/// text field against [`check_text`] (descriptions, notes and details may
/// hold line breaks; a publiccode.yml text is a document), links against
/// [`check_url`], repositories against [`check_repository_url`], e-mail
/// addresses against [`check_email`]. Returns (field, reason) pairs, the
/// field as a path in the record's JSON form (`address.street`,
/// `details.horaires`). Identifiers are checked by [`check_identifiers`]
/// and vocabulary keys by `archipel-content`.
pub fn value_problems(e: &Entity) -> Vec<(String, String)> {
    let mut f = Findings(Vec::new());
    f.text("id", e.id().as_str(), TextKind::Line);
    match e {
        Entity::Territory(t) => {
            f.text("name", &t.name, TextKind::Line);
            f.text("level", &t.level, TextKind::Line);
            f.text("code", &t.code, TextKind::Line);
            for code in &t.postcodes {
                f.checked("postcodes", code, check_postcode);
            }
        }
        Entity::Actor(a) => {
            f.text("name", &a.name, TextKind::Line);
            f.opt("kind", &a.kind, TextKind::Line);
            f.all("typology", &a.typology);
            f.opt("description", &a.description, TextKind::Block);
            f.identifiers(&a.identifiers);
            if let Some(w) = &a.website {
                f.checked("website", w, check_url);
            }
            if let Some(m) = &a.email {
                f.checked("email", m, check_email);
            }
        }
        Entity::Place(p) => {
            f.text("name", &p.name, TextKind::Line);
            f.opt("description", &p.description, TextKind::Block);
            let a = &p.address;
            f.opt("address.street", &a.street, TextKind::Line);
            f.opt("address.complement", &a.complement, TextKind::Line);
            f.opt("address.postcode", &a.postcode, TextKind::Line);
            f.opt("address.city", &a.city, TextKind::Line);
            f.opt("insee_code", &p.insee_code, TextKind::Line);
            f.opt("phone", &p.phone, TextKind::Line);
            for m in &p.emails {
                f.checked("emails", m, check_email);
            }
            for w in &p.websites {
                f.checked("websites", w, check_url);
            }
            f.details(&p.details);
        }
        Entity::Commons(c) => {
            f.text("name", &c.name, TextKind::Line);
            f.text("kind", &c.kind, TextKind::Line);
            f.opt("description", &c.description, TextKind::Block);
            if let Some(u) = &c.repository_url {
                f.checked("repository_url", u, check_repository_url);
            }
            if let Some(u) = &c.website_url {
                f.checked("website_url", u, check_url);
            }
            f.opt("license", &c.license, TextKind::Line);
            f.opt("publiccode", &c.publiccode, TextKind::Document);
            f.all("categories", &c.categories);
            f.identifiers(&c.identifiers);
            f.details(&c.details);
        }
        Entity::Relation(r) => {
            f.text("kind", &r.kind, TextKind::Line);
            f.opt("role", &r.role, TextKind::Line);
            f.opt("note", &r.note, TextKind::Block);
        }
    }
    let p = e.provenance();
    f.text("provenance.source", &p.source, TextKind::Line);
    if let Some(file) = &p.file {
        f.text("provenance.file", file, TextKind::Line);
    }
    f.0
}

/// What [`value_problems`] found so far.
struct Findings(Vec<(String, String)>);

impl Findings {
    fn text(&mut self, field: &str, v: &str, kind: TextKind) -> bool {
        self.text_at(|| field.to_string(), v, kind)
    }

    /// As [`Findings::text`], the field's name made only when needed.
    fn text_at(&mut self, field: impl FnOnce() -> String, v: &str, kind: TextKind) -> bool {
        match check_text(v, kind) {
            Ok(()) => true,
            Err(r) => {
                self.0.push((field(), r));
                false
            }
        }
    }

    fn opt(&mut self, field: &str, v: &Option<String>, kind: TextKind) {
        if let Some(v) = v {
            self.text(field, v, kind);
        }
    }

    fn all(&mut self, field: &str, v: &[String]) {
        for x in v {
            self.text(field, x, TextKind::Line);
        }
    }

    /// A one-line value that must also pass `check` (said once: a value
    /// that breaks the text rule is not checked further).
    fn checked(&mut self, field: &str, v: &str, check: Check) {
        if self.text(field, v, TextKind::Line) {
            if let Err(r) = check(v) {
                self.0.push((field.to_string(), r));
            }
        }
    }

    fn identifiers(&mut self, ids: &Identifiers) {
        for (k, v) in ids.pairs() {
            self.text_at(|| format!("identifiers.{k}"), v, TextKind::Line);
        }
    }

    fn details(&mut self, details: &std::collections::BTreeMap<String, String>) {
        for (k, v) in details {
            if self.text("details", k, TextKind::Line) {
                self.text_at(|| format!("details.{k}"), v, TextKind::Block);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_numbers() {
        assert!(check_siret("43493312300029").is_ok());
        assert!(check_siret("43493312300028").is_err());
        assert!(check_siret("4349331230002").is_err());
        assert!(check_siren("434933123").is_ok());
        assert!(check_rna("W751234567").is_ok());
        assert!(check_wikidata("Q215051").is_ok());
        assert!(check_wikidata("215051").is_err());
        let ids = classify_register_number("43493312300029");
        assert_eq!(ids.siret.as_deref(), Some("43493312300029"));
        let ids = classify_register_number("W751234567");
        assert_eq!(ids.rna.as_deref(), Some("W751234567"));
    }

    #[test]
    fn codes_and_points() {
        for ok in ["69123", "2A004", "97411", "01001"] {
            assert!(check_insee_commune(ok).is_ok(), "{ok}");
        }
        for bad in ["20123", "6912", "2C004", "00ABC"] {
            assert!(check_insee_commune(bad).is_err(), "{bad}");
        }
        assert!(check_point(GeoPoint {
            lat: 45.7,
            lon: 4.8
        })
        .is_ok());
        assert!(check_point(GeoPoint {
            lat: 95.0,
            lon: 4.8
        })
        .is_err());
        assert!(check_point(GeoPoint { lat: 0.0, lon: 0.0 }).is_err());
        assert_eq!(parse_coordinate("45,75").unwrap(), 45.75);
        assert!(parse_coordinate("NaN").is_err());
        assert!(parse_date("2024-02-30").is_err());
        assert!(check_email("a@b.fr").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_url("https://x.fr/").is_ok());
        assert!(check_url("ftp://x.fr/").is_err());
    }

    /// The direct reading of YYYY-MM-DD accepts and refuses exactly what
    /// chrono's parser does.
    #[test]
    fn dates_read_like_chrono() {
        let chrono = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let mut cases: Vec<String> = [
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "0000-01-01",
            "2024-1-05",
            "2024-01-5",
            " 2024-01-05 ",
            "2024/01/05",
            "20240105",
            "2024-01-0x",
            "+2024-01-05",
            "2024-01-05T00:00",
            "",
            "abcd-ef-gh",
            "2024-٠١-05",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for y in [1900, 2000, 2023, 2024, 9999] {
            for m in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    cases.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        for c in &cases {
            assert_eq!(parse_date(c).ok(), chrono(c), "{c:?}");
        }
    }

    /// One rule for links and one for e-mail addresses, whatever the
    /// format or field they come from.
    #[test]
    fn links_and_addresses() {
        for ok in [
            "https://x.fr/",
            "http://www.laquincaillerie.tl/?a=1#b",
            "HTTPS://Exemple.FR",
            "https://médiathèque.fr/accès",
            "https://x.fr:8443/p",
            "https://[2001:db8::1]/",
            "https://acceslibre.beta.gouv.fr/app/29-lampaul-plouarzel/a/bibliotheque-mediatheque/erp/mediatheque-13/",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "javascript://x.fr/%0Aalert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "ftp://x.fr/",
            "https://",
            "https:///path",
            "https://?q",
            "https://nodot/",
            "https://good.fr@evil.example/",
            "https://x.fr/a b",
            "https://x.fr/\"><script>",
            "https://x.fr:99999/",
            "https://x.fr/\u{202E}gpj",
            "www.x.fr",
        ] {
            let e = check_url(bad).unwrap_err();
            assert!(e.contains("is not an http(s) URL"), "{bad}: {e}");
        }
        assert!(check_repository_url("git://git.example.org/x.git").is_ok());
        assert!(check_repository_url("ssh://git@forge.example/x.git").is_ok());
        assert!(check_repository_url("https://forge.example/x").is_ok());
        assert!(check_repository_url("javascript:alert(1)").is_err());
        assert!(check_repository_url("git://").is_err());
        assert!(check_repository_url("https://a@forge.example/x").is_err());

        for ok in [
            "contact@laquincaillerie.tl",
            "o'brien+tag@sub.x.fr",
            "élodie@mairie.fr",
        ] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        for bad in [
            "\"><script>alert(1)</script>@x.fr",
            "a b@x.fr",
            "a@b",
            "a@b.123",
            "@x.fr",
            "a..b@x.fr",
            ".a@x.fr",
            "a@-x.fr",
            "a@x..fr",
            "a(comment)@x.fr",
            "a@[127.0.0.1]",
            "a\u{1b}@x.fr",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    /// Every text field of a record follows the text rule for its kind,
    /// and every link and address the rule for its type.
    #[test]
    fn records_are_checked_field_by_field() {
        use crate::{Commons, EntityId, EntityKind, Place, Provenance};
        let now = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let mut place = Place {
            id: EntityId::new(EntityKind::Place, "t", "p").unwrap(),
            name: "Médiathèque".into(),
            actor: None,
            description: Some("Deux lignes\nde texte".into()),
            address: Default::default(),
            insee_code: None,
            location: None,
            territory: None,
            phone: None,
            emails: vec!["a@x.fr".into()],
            websites: vec!["https://x.fr".into()],
            details: [("horaires".to_string(), "Lu\tMa".to_string())].into(),
            provenance: Provenance::new("t", now),
        };
        assert!(value_problems(&Entity::Place(place.clone())).is_empty());
        place.name = "Evil\u{1b}]0;pwned\u{7}".into();
        place.address.street = Some("1 rue\nde là".into());
        place.emails.push("\"><x@x.fr".into());
        place.websites.push("javascript:alert(1)".into());
        place.details.insert("k\u{202E}".into(), "v".into());
        place.details.insert("note".into(), "\u{2066}".into());
        let fields: Vec<String> = value_problems(&Entity::Place(place))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "address.street",
                "emails",
                "websites",
                "details",
                "details.note"
            ]
        );
        let commons = Commons {
            id: EntityId::new(EntityKind::Commons, "t", "c").unwrap(),
            name: "C".into(),
            kind: "software".into(),
            description: None,
            repository_url: Some("javascript:alert(1)".into()),
            website_url: Some("data:text/html,x".into()),
            license: None,
            publiccode: Some("publiccodeYmlVersion: \"0.4\"\nname: C\n".into()),
            categories: vec![],
            identifiers: Default::default(),
            details: Default::default(),
            provenance: Provenance::new("t", now),
        };
        let fields: Vec<String> = value_problems(&Entity::Commons(commons))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["repository_url", "website_url"]);
    }

    #[test]
    fn folding() {
        assert_eq!(fold_accents("Médiathèque Œuvre"), "Mediatheque OEuvre");
    }
}
