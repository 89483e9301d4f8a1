//! `/lang/{fr|en}?next=PATH`: remembers the language in a cookie and goes
//! back to the page (works without JavaScript).

use crate::error::Error;
use crate::params::Params;
use archipel_content::Lang;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Characters written percent-encoded in the `Location` header: all but
/// what a path and query of this site may hold as they are.
const LOCATION: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^')
    .add(b'\\');

/// The page to go back to: `next` when it is a local absolute path of
/// this site, else `/` (no open redirect).
///
/// Browsers normalise a location before reading it — they drop tabs and
/// newlines, read `\` as `/` — so `/<TAB>/evil.example` or `/\evil.example`
/// would take the visitor to another host. Refused: any control
/// character, any backslash, anything that does not start with a single
/// `/`, and the same once percent-decoded (`/%09/…`, `/%5C…`, `/%2F…`).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".into();
    };
    let bad = |s: &str| {
        !s.starts_with('/') || s.starts_with("//") || s.chars().any(|c| c.is_control() || c == '\\')
    };
    let decoded = percent_decode_str(n).decode_utf8_lossy();
    if bad(n) || bad(&decoded) {
        return "/".into();
    }
    utf8_percent_encode(n, LOCATION).to_string()
}

pub async fn switch(Path(lang): Path<String>, Params(q): Params<Next>) -> Result<Response, Error> {
    let Some(lang) = Lang::parse(&lang) else {
        return Err(Error::not_found(format!("no language `{lang}` (fr or en)")));
    };
    let next = safe_next(q.next.as_deref());
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.as_str()
    );
    let mut res = (StatusCode::SEE_OTHER, "").into_response();
    let h = res.headers_mut();
    let location = HeaderValue::from_str(&next).unwrap_or(HeaderValue::from_static("/"));
    h.insert(header::LOCATION, location);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        h.insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_local() {
        assert_eq!(safe_next(Some("/search?q=x")), "/search?q=x");
        assert_eq!(
            safe_next(Some("/search?q=a%20b&page=2")),
            "/search?q=a%20b&page=2"
        );
        assert_eq!(
            safe_next(Some("/search?q=médiathèque")),
            "/search?q=m%C3%A9diath%C3%A8que"
        );
        assert_eq!(safe_next(Some("/search?q=//x")), "/search?q=//x");
        assert_eq!(safe_next(None), "/");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "/%09/evil.example/",
            "/%0a/evil.example/",
            "/%0D%0A/evil.example/",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%2Fevil.example",
            "/%2f/evil.example",
            "%2F%2Fevil.example",
            "/\u{0}/evil.example",
            "/\u{85}/evil.example",
            "/search?q=%00",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
    }
}
