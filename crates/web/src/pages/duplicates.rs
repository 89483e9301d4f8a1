//! `/moderation/doublons`: records that may be one real-world thing
//! (`archipel-jobs`' `duplicates::find`), sure pairs and pairs to review
//! with why, each with "merge" (the second into the first) and
//! "distinct" (never proposed again). Moderators and administrators
//! only; each decision one transaction through the writing connection,
//! with its audit entry. Undoing a merge is on the command line
//! (`archipel duplicates undo`).

use super::render;
use super::signin::see_other;
use crate::csrf::Form;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{kind_label, record_url, Layout};
use archipel_domain::EntityId;
use archipel_jobs::duplicates::{self, Options};
use archipel_jobs::Decider;
use archipel_store::MergeError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Pairs a page shows at most.
const SHOWN: usize = 200;

pub struct PairRow {
    pub kind: &'static str,
    pub a: String,
    pub a_href: String,
    pub a_name: String,
    pub a_source: String,
    pub b: String,
    pub b_href: String,
    pub b_name: String,
    pub b_source: String,
    pub sure: bool,
    pub why: String,
}

#[derive(Template)]
#[template(path = "moderation_duplicates.html")]
struct Page {
    page: Layout,
    t: Tr,
    rows: Vec<PairRow>,
    count: String,
    notice: Option<String>,
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    /// The merge just made, or `1` after a separation (a notice says so).
    fusion: Option<String>,
    distinctes: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PairForm {
    a: String,
    b: String,
}

/// A matching key or a doubt in words (`siret` → "même SIRET"); a key
/// this page does not know is shown as it is.
fn key_words(t: Tr, key: &str) -> String {
    if let Some(k) = key.strip_prefix("conflict:") {
        let name = match k {
            "siret" => "SIRET",
            "siren" => "SIREN",
            "rna" => "RNA",
            "wikidata" => "Wikidata",
            "sill" => "SILL",
            "comptoir" => "Comptoir du Libre",
            other => other,
        };
        return format!("{} ({name})", t.s("duplicates.doubt_conflict"));
    }
    let words = match key {
        "siret" => t.s("duplicates.key_siret"),
        "siren" => t.s("duplicates.key_siren"),
        "rna" => t.s("duplicates.key_rna"),
        "wikidata" => t.s("duplicates.key_wikidata"),
        "repository" => t.s("duplicates.key_repository"),
        "sill" => t.s("duplicates.key_sill"),
        "comptoir" => t.s("duplicates.key_comptoir"),
        "name" => t.s("duplicates.key_name"),
        "merged_before" => t.s("duplicates.key_merged_before"),
        "same_source" => t.s("duplicates.doubt_same_source"),
        other => return other.to_string(),
    };
    words.to_string()
}

fn why(t: Tr, c: &duplicates::Candidate) -> String {
    let mut parts: Vec<String> = c.keys.iter().map(|k| key_words(t, k)).collect();
    if c.same_commune {
        parts.push(t.s("duplicates.same_commune").to_string());
    }
    if let Some(d) = c.distance_m {
        parts.push(format!("{d:.0} m"));
    }
    parts.extend(c.doubts.iter().map(|d| key_words(t, d)));
    parts.join(", ")
}

/// `GET /moderation/doublons`.
pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    if let Err(r) = super::moderation::moderator(&viewer, "/moderation/doublons", t) {
        return Ok(*r);
    }
    let found = state
        .pool
        .read(move |s| Ok(duplicates::find(s, &Options::default())?))
        .await?;
    let total = found.sure.len() + found.review.len();
    let rows = found
        .sure
        .iter()
        .chain(&found.review)
        .take(SHOWN)
        .map(|c| PairRow {
            kind: kind_label(t, c.kind),
            a: c.a.clone(),
            a_href: record_url(&c.a),
            a_name: c.a_name.clone(),
            a_source: c.a_source.clone(),
            b: c.b.clone(),
            b_href: record_url(&c.b),
            b_name: c.b_name.clone(),
            b_source: c.b_source.clone(),
            sure: c.sure,
            why: why(t, c),
        })
        .collect();
    let count = format!(
        "{total} {}",
        if total == 1 {
            t.s("duplicates.one")
        } else {
            t.s("duplicates.many")
        }
    );
    let notice = match (q.fusion, q.distinctes) {
        (Some(n), _) if n.parse::<i64>().is_ok() => {
            Some(format!("{} {n}", t.s("duplicates.merged")))
        }
        (_, Some(_)) => Some(t.s("duplicates.separated").to_string()),
        _ => None,
    };
    let title = t.s("duplicates.title");
    let p = Page {
        page: Layout::new(t, &viewer, title, "/moderation/doublons", None),
        t,
        rows,
        count,
        notice,
        csrf: viewer
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
    };
    render(&p)
}

fn pair(f: &PairForm, lang: archipel_content::Lang) -> Result<(EntityId, EntityId), Error> {
    match (EntityId::parse(&f.a), EntityId::parse(&f.b)) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(Error::bad_request("a or b: not a record identifier").in_lang(lang)),
    }
}

/// A refusal of the store said to the moderator: a record gone (merged
/// meanwhile) is a 404, a pair that cannot merge a 409.
fn refusal(e: MergeError, lang: archipel_content::Lang) -> Error {
    match e {
        MergeError::Store(s) => Error::from(s),
        MergeError::NoSuchRecord(_) => Error::not_found(e.to_string()).in_lang(lang),
        other => Error::new(StatusCode::CONFLICT, other.to_string()).in_lang(lang),
    }
}

async fn decide(
    state: AppState,
    lang: archipel_content::Lang,
    viewer: Viewer,
    f: PairForm,
    merge: bool,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let account = match super::moderation::moderator(&viewer, "/moderation/doublons", t) {
        Ok(a) => a,
        Err(r) => return Ok(*r),
    };
    let (a, b) = pair(&f, lang)?;
    let at = state.config.sign_in.clock.now();
    let outcome = state
        .writer
        .write(move |s| {
            let by = Decider {
                account: Some(account),
                via: "web",
                at,
            };
            Ok(if merge {
                let why = match (s.get(&a)?, s.get(&b)?) {
                    (Some(x), Some(y)) => {
                        duplicates::pair(&x, &y, &Options::default()).map(|c| c.keys)
                    }
                    _ => None,
                }
                .unwrap_or_else(|| vec!["person".to_string()]);
                duplicates::merge(s, &a, &b, "review", &why, &by).map(|m| Some(m.merge))
            } else {
                duplicates::separate(s, &a, &b, &by).map(|_| None)
            })
        })
        .await?;
    match outcome {
        Ok(Some(m)) => Ok(see_other(&format!("/moderation/doublons?fusion={m}"))),
        Ok(None) => Ok(see_other("/moderation/doublons?distinctes=1")),
        Err(e) => Err(refusal(e, lang)),
    }
}

/// `POST /moderation/doublons/fusionner`: merges `b` into `a`.
pub async fn merge(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Form(f): Form<PairForm>,
) -> Result<Response, Error> {
    decide(state, lang, viewer, f, true).await
}

/// `POST /moderation/doublons/distincts`: `a` and `b` are distinct.
pub async fn separate(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Form(f): Form<PairForm>,
) -> Result<Response, Error> {
    decide(state, lang, viewer, f, false).await
}
