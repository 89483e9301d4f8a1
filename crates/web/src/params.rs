//! Query parameters: parsing, checking, and turning them back into links.
//!
//! Every malformed parameter is a 400 with a message naming it. Pages
//! ignore parameters they do not know (links from elsewhere carry tracking
//! tags); the API refuses them ([`ApiParams`]), so that a typo is not
//! silently ignored and junk parameters cannot multiply cached answers.

use crate::error::{Audience, Error};
use crate::i18n::lang_of;
use archipel_content::Content;
use archipel_domain::{EntityId, EntityKind};
use archipel_store::{Filter, Sort};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A query string parsed into `T`; a malformed one is a 400 shown as a
/// page or, under `/api/`, as JSON.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(v)) => Ok(Params(v)),
            Err(rej) => {
                let mut e = Error::bad_request(rej.body_text()).in_lang(lang_of(parts));
                // Inside a nested router the path is shortened; the
                // original one says whether this is the API.
                let path = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map(|u| u.0.path().to_string())
                    .unwrap_or_else(|| parts.uri.path().to_string());
                if path.starts_with("/api/") {
                    e.audience = Audience::Api;
                }
                Err(e)
            }
        }
    }
}

/// Query parameters of an API route, parsed as [`Params`] does; a
/// parameter `T` does not have (besides `lang`) is a 400 naming it.
pub struct ApiParams<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiParams<T>
where
    T: DeserializeOwned + Serialize + Default,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Params(v) = Params::<T>::from_request_parts(parts, state)
            .await
            .map_err(Error::api)?;
        refuse_unknown(parts.uri.query(), &names_of::<T>()).map_err(Error::api)?;
        Ok(ApiParams(v))
    }
}

/// The parameter names of `T`, as written in URLs (its serialised keys).
pub fn names_of<T: Serialize + Default>() -> Vec<String> {
    match serde_json::to_value(T::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A 400 naming the first parameter of `query` that is neither among
/// `known` nor `lang` (every route takes the language).
pub fn refuse_unknown(query: Option<&str>, known: &[String]) -> Result<(), Error> {
    let Some(q) = query else { return Ok(()) };
    for (name, _) in crate::cache::form_pairs(q) {
        if name == "lang" || known.contains(&name) {
            continue;
        }
        let mut list: Vec<&str> = known.iter().map(String::as_str).collect();
        list.sort_unstable();
        let takes = if list.is_empty() {
            "this resource takes no parameter but `lang`".to_string()
        } else {
            format!("known: {}, lang", list.join(", "))
        };
        return Err(Error::bad_request(format!(
            "unknown parameter `{name}` ({takes})"
        )));
    }
    Ok(())
}

/// List orders as written in URLs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum SortParam {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "updated")]
    Updated,
    #[serde(rename = "-updated")]
    UpdatedDesc,
}

impl SortParam {
    pub fn store(self) -> Sort {
        match self {
            SortParam::Name => Sort::Name,
            SortParam::NameDesc => Sort::NameDesc,
            SortParam::Updated => Sort::Updated,
            SortParam::UpdatedDesc => Sort::UpdatedDesc,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SortParam::Name => "name",
            SortParam::NameDesc => "-name",
            SortParam::Updated => "updated",
            SortParam::UpdatedDesc => "-updated",
        }
    }
}

/// `page` (from 1) and `per_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

/// The largest page size the API and the pages accept.
pub const MAX_PER_PAGE: u32 = 200;
/// No page starts beyond this offset (deep paging is what exports are for).
pub const MAX_OFFSET: u64 = 1_000_000;

impl Paging {
    pub fn new(page: Option<u32>, per_page: Option<u32>, default: u32) -> Result<Paging, Error> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(default);
        if page == 0 {
            return Err(Error::bad_request("`page` starts at 1"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(Error::bad_request(format!(
                "`per_page` must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        if u64::from(page - 1) * u64::from(per_page) > MAX_OFFSET {
            return Err(Error::bad_request(format!(
                "`page` goes beyond the first {MAX_OFFSET} results; use the exports"
            )));
        }
        Ok(Paging { page, per_page })
    }
    /// From the raw `page` and `per_page` parameters.
    pub fn parse(
        page: &Option<String>,
        per_page: &Option<String>,
        default: u32,
    ) -> Result<Paging, Error> {
        Paging::new(
            number("page", page)?,
            number("per_page", per_page)?,
            default,
        )
    }
    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.per_page as usize
    }
    pub fn limit(&self) -> usize {
        self.per_page as usize
    }
    pub fn pages(&self, total: u64) -> u32 {
        let n = total.div_ceil(u64::from(self.per_page)).max(1);
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// A whole-number parameter (kept as text in the parameter structs, as
/// serde cannot read numbers from a query string through `flatten`).
pub fn number<T: std::str::FromStr>(name: &str, v: &Option<String>) -> Result<Option<T>, Error> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Error::bad_request(format!("`{name}` must be a whole number, not `{s}`"))),
    }
}

/// Filters as written in URLs, shared by lists, search, the map and the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FilterParams {
    /// Sub-kind: actor kind, commons kind or territory level.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub typology: Option<String>,
    #[serde(default)]
    pub territory: Option<String>,
    #[serde(default)]
    pub licence: Option<String>,
    /// A commons (or any record): keep what is related to it.
    #[serde(default)]
    pub commons: Option<String>,
}

/// A parameter's trimmed value, when it is given and not blank.
pub fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The parameters among `fields` that are set, as pairs for links.
pub fn set_pairs<'a>(
    fields: impl IntoIterator<Item = (&'static str, &'a Option<String>)>,
) -> Vec<(&'static str, String)> {
    fields
        .into_iter()
        .filter_map(|(k, v)| nonempty(v).map(|x| (k, x.to_string())))
        .collect()
}

/// Parses an id given in a parameter, which must be of `kind` when given.
pub fn id_param(name: &str, value: &str, kind: Option<EntityKind>) -> Result<EntityId, Error> {
    let id = EntityId::parse(value).map_err(|e| Error::bad_request(format!("`{name}`: {e}")))?;
    if let Some(k) = kind {
        if id.kind() != k {
            return Err(Error::bad_request(format!(
                "`{name}` must be a {} identifier ({k}:SOURCE:LOCAL)",
                k.as_str()
            )));
        }
    }
    Ok(id)
}

/// Checks that `key` is a term of `vocab`.
pub fn vocab_param(content: &Content, name: &str, vocab: &str, key: &str) -> Result<String, Error> {
    if content.has_term(vocab, key) {
        Ok(key.to_string())
    } else {
        Err(Error::bad_request(format!(
            "`{name}`: `{key}` is not a key of the {vocab} vocabulary"
        )))
    }
}

/// The vocabulary holding the sub-kinds of `kind`.
pub fn subkind_vocab(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Actor => Some("actor_kinds"),
        EntityKind::Commons => Some("commons_kinds"),
        EntityKind::Territory => Some("territory_levels"),
        _ => None,
    }
}

impl FilterParams {
    /// The store filter for records of `kind` (or any kind).
    pub fn to_filter(&self, content: &Content, kind: Option<EntityKind>) -> Result<Filter, Error> {
        let mut f = Filter {
            kind,
            ..Filter::default()
        };
        if let Some(k) = nonempty(&self.kind) {
            let vocab = kind.and_then(subkind_vocab).ok_or_else(|| {
                Error::bad_request("`kind` filters actors, commons or territories only")
            })?;
            f.subkind = Some(vocab_param(content, "kind", vocab, k)?);
        }
        if let Some(t) = nonempty(&self.typology) {
            f.typology = Some(vocab_param(content, "typology", "typology", t)?);
        }
        if let Some(t) = nonempty(&self.territory) {
            f.territory = Some(id_param("territory", t, Some(EntityKind::Territory))?);
        }
        if let Some(l) = nonempty(&self.licence) {
            if l.len() > 200 {
                return Err(Error::bad_request("`licence` is too long"));
            }
            f.licence = Some(l.to_string());
        }
        if let Some(c) = nonempty(&self.commons) {
            f.related_to = Some(id_param("commons", c, None)?);
        }
        Ok(f)
    }

    /// The set parameters as pairs, for links.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        set_pairs([
            ("kind", &self.kind),
            ("typology", &self.typology),
            ("territory", &self.territory),
            ("licence", &self.licence),
            ("commons", &self.commons),
        ])
    }
}

/// Parses `west,south,east,north`.
pub fn bbox(s: &str) -> Result<[f64; 4], Error> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let msg = "`bbox` must be four numbers: west,south,east,north (degrees, WGS 84)";
    if parts.len() != 4 {
        return Err(Error::bad_request(msg));
    }
    let mut v = [0.0f64; 4];
    for (i, p) in parts.iter().enumerate() {
        let x: f64 = p.parse().map_err(|_| Error::bad_request(msg))?;
        if !x.is_finite() {
            return Err(Error::bad_request(msg));
        }
        v[i] = x;
    }
    let [w, s, e, n] = v;
    if !(-540.0..=540.0).contains(&w) || !(-540.0..=540.0).contains(&e) {
        return Err(Error::bad_request(
            "`bbox`: longitudes must be within -540..540",
        ));
    }
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s > n {
        return Err(Error::bad_request(
            "`bbox`: latitudes must be within -90..90, south ≤ north",
        ));
    }
    // A box going round the world, or more, is the world.
    if e - w >= 360.0 {
        return Ok([-180.0, s, 180.0, n]);
    }
    // Map clients pan past the antimeridian and send longitudes beyond
    // ±180 (170..190 for the Fiji islands): brought back within -180..180,
    // such a box has west > east, and crosses the antimeridian (RFC 7946,
    // 5.2) — the store takes both sides.
    let wrap = |x: f64| {
        if (-180.0..=180.0).contains(&x) {
            x
        } else {
            (x + 180.0).rem_euclid(360.0) - 180.0
        }
    };
    Ok([wrap(w), s, wrap(e), n])
}

/// Characters kept as they are in a query value or a path segment.
const SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':');

/// In a query value `/` may stay as it is.
const QUERY_SAFE: &AsciiSet = &SAFE.remove(b'/');

/// Encodes a path segment (a record id may hold `/`).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, SAFE).to_string()
}

/// `?a=1&b=2` from pairs (empty string when there are none).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_SAFE)))
        .collect();
    format!("?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bboxes() {
        assert_eq!(bbox("1,2,3,4").ok(), Some([1.0, 2.0, 3.0, 4.0]));
        assert!(bbox("1,2,3").is_err());
        assert!(bbox("a,2,3,4").is_err());
        assert!(bbox("1,5,3,4").is_err());
        assert!(bbox("1,2,3,NaN").is_err());
        assert!(bbox("-600,2,3,4").is_err());
        // Across the antimeridian: west > east, as written or once wrapped.
        assert_eq!(
            bbox("170,-20,-170,-10").ok(),
            Some([170.0, -20.0, -170.0, -10.0])
        );
        assert_eq!(
            bbox("170,-20,190,-10").ok(),
            Some([170.0, -20.0, -170.0, -10.0])
        );
        assert_eq!(
            bbox("-190,-20,-170,-10").ok(),
            Some([170.0, -20.0, -170.0, -10.0])
        );
        assert_eq!(bbox("-200,0,200,10").ok(), Some([-180.0, 0.0, 180.0, 10.0]));
    }

    #[test]
    fn unknown_parameters() {
        let known = names_of::<FilterParams>();
        assert!(known.contains(&"territory".to_string()), "{known:?}");
        assert!(refuse_unknown(Some("kind=x&lang=en"), &known).is_ok());
        let e = refuse_unknown(Some("kind=x&r=1"), &known).unwrap_err();
        assert!(e.message.contains("`r`"), "{}", e.message);
        assert!(refuse_unknown(None, &[]).is_ok());
        assert!(refuse_unknown(Some("lang=fr"), &[]).is_ok());
        assert!(refuse_unknown(Some("x"), &[]).is_err());
    }

    #[test]
    fn paging() {
        assert!(Paging::new(Some(0), None, 20).is_err());
        assert!(Paging::new(None, Some(0), 20).is_err());
        assert!(Paging::new(None, Some(1000), 20).is_err());
        let p = Paging::new(Some(3), Some(10), 20).unwrap();
        assert_eq!((p.offset(), p.limit(), p.pages(21)), (20, 10, 3));
    }

    #[test]
    fn links() {
        assert_eq!(
            query_string(&[("q", "médiathèque & co".into()), ("page", "2".into())]),
            "?q=m%C3%A9diath%C3%A8que%20%26%20co&page=2"
        );
        assert_eq!(encode("actor:demo:a/b"), "actor:demo:a%2Fb");
    }
}
