//! `/api/v1/search`: full-text search with filters, pagination and, on
//! request (`facets=true`), facet counts.

use crate::api::records::page_json;
use crate::error::Error;
use crate::figures::{self, FACET_TOP};
use crate::pages::search::SearchParams;
use crate::params::{ApiParams, Paging};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Default, Deserialize, Serialize)]
pub struct ApiSearch {
    #[serde(flatten)]
    p: SearchParams,
    #[serde(default)]
    facets: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    ApiParams(a): ApiParams<ApiSearch>,
) -> Result<Response, Error> {
    let with_facets = match a.facets.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(
                Error::bad_request(format!("`facets`: `{other}` is not true or false")).api(),
            )
        }
    };
    let paging = Paging::parse(&a.p.page, &a.p.per_page, 20).map_err(Error::api)?;
    let q = a.p.to_query(&state, paging).map_err(Error::api)?;
    let st = state.clone();
    let (page, facets) = state
        .pool
        .read(move |s| {
            let page = figures::search_page(&st, s, &q)?;
            let facets = if with_facets {
                Some(figures::facets(&st, s, &q, FACET_TOP)?)
            } else {
                None
            };
            Ok((page, facets))
        })
        .await
        .map_err(Error::api)?;
    let mut body = page_json(
        "/api/v1/search",
        &a.p.pairs(),
        paging,
        page.total,
        json!(page.items),
    );
    if let (Some(f), Some(obj)) = (facets, body.as_object_mut()) {
        obj.insert("facets".into(), json!(f));
    }
    Ok(Json(body).into_response())
}
