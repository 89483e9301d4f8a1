//! Checks on single values: identifiers, codes, coordinates, dates.
//!
//! Each returns `Err(reason)` with a short English reason that an importer
//! prefixes with `FILE:LINE: field:`.

use crate::{GeoPoint, Identifiers};
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
        return Err(format!("`{s}` is not a SIRET (14 digits)"));
    }
    if !s.starts_with("356000000") && !luhn_ok(s) {
        return Err(format!("`{s}` fails the SIRET check digit"));
    }
    Ok(())
}

/// A SIREN: 9 digits with a Luhn key.
pub fn check_siren(s: &str) -> Result<(), String> {
    if s.len() != 9 || !all_digits(s) {
        return Err(format!("`{s}` is not a SIREN (9 digits)"));
    }
    if !luhn_ok(s) {
        return Err(format!("`{s}` fails the SIREN check digit"));
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
        Err(format!("`{s}` is not an RNA number (W and 9 characters)"))
    }
}

/// A Wikidata item: `Q` and digits.
pub fn check_wikidata(s: &str) -> Result<(), String> {
    if s.len() > 1 && s.starts_with('Q') && all_digits(&s[1..]) {
        Ok(())
    } else {
        Err(format!("`{s}` is not a Wikidata item (Q and digits)"))
    }
}

/// A value check returning a reason on failure.
type Check = fn(&str) -> Result<(), String>;

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
        Err(format!("`{s}` is not an INSEE commune code"))
    }
}

/// A French postcode: five digits.
pub fn check_postcode(s: &str) -> Result<(), String> {
    if s.len() == 5 && all_digits(s) {
        Ok(())
    } else {
        Err(format!("`{s}` is not a postcode (5 digits)"))
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
        .ok_or_else(|| format!("`{s}` is not a decimal number"))
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
                .ok_or_else(|| format!("`{s}` is not a date of the form YYYY-MM-DD"));
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date of the form YYYY-MM-DD"))
}

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces).
pub fn check_email(s: &str) -> Result<(), String> {
    let ok = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{s}` is not an e-mail address"))
    }
}

/// An absolute http(s) URL with a host.
pub fn check_url(s: &str) -> Result<(), String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !s.chars().any(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(format!("`{s}` is not an http(s) URL")),
    }
}

/// A repository URL: http(s), or the git, svn and ssh schemes that forges
/// and catalogues also publish.
pub fn check_repository_url(s: &str) -> Result<(), String> {
    for scheme in ["git://", "svn://", "ssh://", "git+ssh://", "svn+ssh://"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            if !rest.is_empty() && !s.chars().any(char::is_whitespace) {
                return Ok(());
            }
        }
    }
    check_url(s)
        .map_err(|_| format!("`{s}` is not a repository URL (http, https, git, svn or ssh)"))
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

    #[test]
    fn folding() {
        assert_eq!(fold_accents("Médiathèque Œuvre"), "Mediatheque OEuvre");
    }
}
