//! Value checks that need nothing but the value: dates, URLs, e-mail
//! addresses, media types, language tags, licence expressions, lengths.

use unicode_segmentation::UnicodeSegmentation;

/// Length in user-perceived characters (extended grapheme clusters).
pub fn graphemes(s: &str) -> usize {
    if s.is_ascii() {
        // In ASCII only CR LF joins two characters into one cluster.
        let b = s.as_bytes();
        return b.len() - b.windows(2).filter(|w| w == b"\r\n").count();
    }
    s.graphemes(true).count()
}

/// True when `s` has fewer than `min` grapheme clusters.
pub fn shorter_than(s: &str, min: usize) -> bool {
    if s.is_ascii() {
        return graphemes(s) < min;
    }
    s.graphemes(true).take(min).count() < min
}

/// True when `s` has more than `max` grapheme clusters.
pub fn longer_than(s: &str, max: usize) -> bool {
    // A cluster is at least one byte: short byte strings need no counting.
    s.len() > max && graphemes(s) > max
}

/// `YYYY-MM-DD`, a real calendar day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// An absolute URL with a scheme (any scheme) that the WHATWG parser accepts.
pub fn is_url(s: &str) -> bool {
    if s.trim() != s || s.is_empty() {
        return false;
    }
    url::Url::parse(s).is_ok()
}

/// An `http` or `https` URL with a host.
pub fn is_http_url(s: &str) -> bool {
    if s.trim() != s || s.is_empty() {
        return false;
    }
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

/// An absolute URI (RFC 3986): a scheme, a colon, then something.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let starts_alpha = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_alpha
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && url::Url::parse(s).is_ok()
}

/// A plausible e-mail address: `local@domain.tld`, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.len() > 255 {
        return false;
    }
    let local_ok = local.split('.').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
    });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

fn is_restricted_name(s: &str) -> bool {
    // RFC 6838 section 4.2.
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.len() <= 127
        && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
}

/// A media type (`type/subtype`, RFC 6838), parameters allowed.
pub fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or("").trim();
    let Some((top, sub)) = essence.split_once('/') else {
        return false;
    };
    let top = top.to_ascii_lowercase();
    let top_ok = crate::data::MEDIA_TOP_LEVEL_TYPES.contains(&top.as_str())
        || (top.starts_with("x-") && is_restricted_name(&top));
    top_ok && is_restricted_name(sub)
}

/// A valid BCP 47 language tag (well formed, subtags in the IANA registry).
pub fn is_language_tag(s: &str) -> bool {
    language_tags::LanguageTag::parse(s).is_ok_and(|t| t.is_valid())
}

/// What is wrong with a licence expression, if anything.
pub enum LicenseProblem {
    /// Not an SPDX expression at all.
    Invalid(String),
    /// Valid, but uses deprecated identifiers.
    Deprecated(Vec<String>),
}

/// Check an SPDX licence expression.
pub fn check_license(s: &str) -> Result<(), LicenseProblem> {
    let strict = spdx::ParseMode {
        allow_deprecated: false,
        ..spdx::ParseMode::STRICT
    };
    if spdx::Expression::parse_mode(s, strict).is_ok() {
        return Ok(());
    }
    let with_deprecated = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    match spdx::Expression::parse_mode(s, with_deprecated) {
        Ok(expr) => {
            let ids = expr
                .requirements()
                .filter_map(|r| match &r.req.license {
                    spdx::LicenseItem::Spdx { id, .. } if id.is_deprecated() => {
                        Some(id.name.to_string())
                    }
                    _ => None,
                })
                .collect();
            Err(LicenseProblem::Deprecated(ids))
        }
        Err(e) => Err(LicenseProblem::Invalid(e.reason.to_string())),
    }
}

/// Syntax of a code of the Italian public administration index (iPA):
/// letters, digits and underscores, at most 32 characters.
pub fn is_ipa_code_syntax(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The iPA code in an `urn:x-italian-pa:` URI, if it is one.
pub fn italian_pa_code(uri: &str) -> Option<&str> {
    let (scheme, rest) = uri.split_once(':')?;
    let (nid, code) = rest.split_once(':')?;
    (scheme.eq_ignore_ascii_case("urn") && nid.eq_ignore_ascii_case("x-italian-pa")).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2017-04-15"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("1900-02-29"));
        assert!(!is_date("2011-01-01 20:04:05"));
        assert!(!is_date(""));
        assert!(!is_date("not_a_date"));
        assert!(!is_date("2017-4-15"));
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://developers.italia.it"));
        assert!(!is_http_url("???"));
        assert!(!is_http_url("abc"));
        assert!(!is_http_url("X"));
        assert!(!is_http_url("ftp://example.org"));
        assert!(is_uri("urn:x-italian-pa:pcm"));
        assert!(is_uri("https://example.org"));
        assert!(!is_uri("pcm"));
        assert!(!is_uri("1"));
    }

    #[test]
    fn emails_and_media_types() {
        assert!(is_email("francesco.rossi@example.org"));
        assert!(!is_email("not_an_email"));
        assert!(is_media_type("text/plain"));
        assert!(is_media_type("image/svg+xml"));
        assert!(is_media_type("application/x.empty"));
        assert!(!is_media_type("foobar"));
    }

    #[test]
    fn languages_and_licenses() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("en-GB"));
        assert!(is_language_tag("sl-IT-nedis"));
        assert!(!is_language_tag("xxx"));
        assert!(!is_language_tag("hr_HR"));
        assert!(check_license("AGPL-3.0-or-later").is_ok());
        assert!(check_license("MIT OR Apache-2.0").is_ok());
        assert!(check_license("MIT WITH Bison-exception-2.2").is_ok());
        assert!(matches!(
            check_license("Invalid License"),
            Err(LicenseProblem::Invalid(_))
        ));
        assert!(matches!(
            check_license("GPL-3.0"),
            Err(LicenseProblem::Deprecated(_))
        ));
        assert!(graphemes("베스핀 가스가 부족합니다.") == 14);
        assert_eq!(graphemes("a\r\nb"), 3);
        assert_eq!(graphemes("e\u{301}"), 1);
        assert!(!longer_than("베스핀 가스가 부족합니다.", 14) && longer_than("abc", 2));
    }
}
