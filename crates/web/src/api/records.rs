//! `/api/v1/{commons|actors|places|territories|relations}`: lists with
//! filters and pagination, one record, a record's relations.

use crate::error::Error;
use crate::pages::records::{kind_of_path, ListParams};
use crate::params::{query_string, ApiParams, Paging};
use crate::state::AppState;
use archipel_domain::{EntityId, EntityKind};
use archipel_store::ListQuery;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

fn kind(seg: &str) -> Result<EntityKind, Error> {
    match seg {
        "relations" => Ok(EntityKind::Relation),
        s => kind_of_path(s)
            .ok_or_else(|| Error::not_found(format!("no API resource /api/v1/{s}")).api()),
    }
}

/// A page of JSON items with paging links.
pub fn page_json(
    base: &str,
    pairs: &[(&'static str, String)],
    paging: Paging,
    total: u64,
    items: serde_json::Value,
) -> serde_json::Value {
    let link = |p: u32| {
        let mut v = pairs.to_vec();
        v.push(("page", p.to_string()));
        v.push(("per_page", paging.per_page.to_string()));
        format!("{base}{}", query_string(&v))
    };
    let pages = paging.pages(total);
    json!({
        "total": total,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "links": {
            "self": link(paging.page),
            "prev": (paging.page > 1).then(|| link(paging.page - 1)),
            "next": (paging.page < pages).then(|| link(paging.page + 1)),
        },
        "items": items,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Path(seg): Path<String>,
    ApiParams(p): ApiParams<ListParams>,
) -> Result<Response, Error> {
    let kind = kind(&seg)?;
    let paging = Paging::parse(&p.page, &p.per_page, 50).map_err(Error::api)?;
    let base = format!("/api/v1/{seg}");
    if kind == EntityKind::Relation {
        if !p.filter.pairs().is_empty() || p.sort.is_some() {
            return Err(Error::bad_request(
                "relations take no filter or sort; use a record's /relations",
            )
            .api());
        }
        let page = state
            .pool
            .read(move |s| Ok(s.relations_page(paging.limit(), paging.offset())?))
            .await
            .map_err(Error::api)?;
        return Ok(
            Json(page_json(&base, &[], paging, page.total, json!(page.items))).into_response(),
        );
    }
    let filter = p
        .filter
        .to_filter(&state.content, Some(kind))
        .map_err(Error::api)?;
    let sort = p.sort.unwrap_or_default();
    let q = ListQuery {
        filter,
        sort: sort.store(),
        limit: paging.limit(),
        offset: paging.offset(),
    };
    let st = state.clone();
    let page = state
        .pool
        .read(move |s| crate::figures::list_page(&st, s, &q))
        .await
        .map_err(Error::api)?;
    let mut pairs = p.filter.pairs();
    if p.sort.is_some() {
        pairs.push(("sort", sort.as_str().to_string()));
    }
    Ok(Json(page_json(
        &base,
        &pairs,
        paging,
        page.total,
        json!(page.items),
    ))
    .into_response())
}

fn parse_id(kind: EntityKind, raw: &str) -> Result<EntityId, Error> {
    let missing = || Error::not_found(format!("no record `{raw}`")).api();
    let id = EntityId::parse(raw).map_err(|_| missing())?;
    if id.kind() != kind {
        return Err(missing());
    }
    Ok(id)
}

pub async fn get(
    State(state): State<AppState>,
    Path((seg, raw)): Path<(String, String)>,
) -> Result<Response, Error> {
    let kind = kind(&seg)?;
    let id = parse_id(kind, &raw)?;
    let lid = id.clone();
    match state
        .pool
        .read(move |s| Ok(s.get(&lid)?))
        .await
        .map_err(Error::api)?
    {
        Some(e) => Ok(Json(e).into_response()),
        None => Err(Error::not_found(format!("no record `{id}`")).api()),
    }
}

pub async fn relations(
    State(state): State<AppState>,
    Path((seg, raw)): Path<(String, String)>,
) -> Result<Response, Error> {
    let kind = kind(&seg)?;
    let id = parse_id(kind, &raw)?;
    let lid = id.clone();
    let found = state
        .pool
        .read(move |s| {
            if s.get(&lid)?.is_none() {
                return Ok(None);
            }
            Ok(Some(s.relations_of(&lid)?))
        })
        .await
        .map_err(Error::api)?;
    match found {
        Some(rels) => {
            Ok(Json(json!({ "id": id, "total": rels.len(), "items": rels })).into_response())
        }
        None => Err(Error::not_found(format!("no record `{id}`")).api()),
    }
}
