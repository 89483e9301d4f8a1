//! `/lang/{fr|en}?next=PATH`: remembers the language in a cookie and goes
//! back to the page (works without JavaScript).

use crate::error::Error;
use crate::params::Params;
use archipel_content::Lang;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a local path: no scheme, no other host (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
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
    let location = HeaderValue::from_str(next).unwrap_or(HeaderValue::from_static("/"));
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
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
