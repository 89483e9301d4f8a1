//! Figures of the whole registry that pages and API answers show, each
//! computed once per change of the registry and kept by the answer cache
//! ([`crate::cache::Cache::figure`], validated like the answers): facet
//! counts of every record, the records of a kind in name order, the number
//! of points on the map, the home page's counts. Requests that need one
//! of them with other filters compute what they need as before.

use crate::error::Error;
use crate::state::AppState;
use archipel_domain::{Entity, EntityKind};
use archipel_store::{
    Count, FacetedQuery, Facets, Filter, ListQuery, NameOrder, Page, SearchQuery, Sort, Store,
    Summary,
};

/// The figure `name` as the registry is now, or computes and keeps it.
fn figure<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    name: &'static str,
    compute: impl FnOnce() -> Result<T, archipel_store::StoreError>,
) -> Result<T, Error> {
    let rev = state.cache.revision();
    Ok(state.cache.figure(name, &rev, compute)?)
}

/// Most values a facet lists (the API's; the page shows fewer).
pub const FACET_TOP: usize = 20;

/// The facet counts for `q`, at most `top` values each. Those of every
/// record (no words, no filter: the search page as first opened) are a
/// figure of the registry, counted once per change of it rather than on
/// every request.
pub fn facets(
    state: &AppState,
    s: &archipel_store::Store,
    q: &FacetedQuery,
    top: usize,
) -> Result<Facets, Error> {
    let top = top.min(FACET_TOP);
    let everything = !SearchQuery::has_words(&q.text) && q.filter == Filter::default();
    let mut f = if everything {
        figure(state, "facets of every record", || s.facets(q, FACET_TOP))?
    } else {
        s.facets(q, top)?
    };
    for list in [
        &mut f.kind,
        &mut f.actor_kind,
        &mut f.commons_kind,
        &mut f.typology,
        &mut f.territory,
        &mut f.licence,
    ] {
        list.truncate(top);
    }
    f.territory_names
        .retain(|(id, _)| f.territory.iter().any(|c| c.key == *id));
    Ok(f)
}

/// The records of `kind` (or every kind) in name order.
fn name_order(state: &AppState, s: &Store, kind: Option<EntityKind>) -> Result<NameOrder, Error> {
    let name = match kind {
        None => "every record by name",
        Some(EntityKind::Actor) => "actors by name",
        Some(EntityKind::Place) => "places by name",
        Some(EntityKind::Commons) => "commons by name",
        Some(EntityKind::Territory) => "territories by name",
        Some(EntityKind::Relation) => "relations by name",
    };
    figure(state, name, || s.name_order(kind))
}

/// Whether `f` sets at most the kind.
fn kind_alone(f: &Filter) -> bool {
    *f == Filter {
        kind: f.kind,
        ..Filter::default()
    }
}

/// [`Store::list_page`], through the kind's name order when the list is a
/// kind by name alone: a page deep in a list of 50,000 costs a look-up
/// per row shown instead of a sort of them all.
pub fn list_page(state: &AppState, s: &Store, q: &ListQuery) -> Result<Page<Entity>, Error> {
    let by_name = matches!(q.sort, Sort::Name | Sort::NameDesc);
    if by_name
        && q.filter.kind.is_some()
        && q.filter.kind != Some(EntityKind::Relation)
        && kind_alone(&q.filter)
    {
        let order = name_order(state, s, q.filter.kind)?;
        return Ok(s.list_in_order(&order, q.sort == Sort::NameDesc, q.limit, q.offset)?);
    }
    Ok(s.list_page(q)?)
}

/// [`Store::search_page`], through the name order when there are no
/// words and at most a kind (the search page as first opened, and its
/// pages).
pub fn search_page(state: &AppState, s: &Store, q: &FacetedQuery) -> Result<Page<Summary>, Error> {
    if !SearchQuery::has_words(&q.text)
        && kind_alone(&q.filter)
        && q.filter.kind != Some(EntityKind::Relation)
    {
        let order = name_order(state, s, q.filter.kind)?;
        return Ok(s.summaries_in_order(&order, q.limit, q.offset)?);
    }
    Ok(s.search_page(q)?)
}

/// How many points the map shows with no filter.
pub fn map_points(
    state: &AppState,
    compute: impl FnOnce() -> Result<u64, archipel_store::StoreError>,
) -> Result<u64, Error> {
    figure(state, "points on the map", compute)
}

/// The home page's counts: records of each kind, actors of each kind.
pub fn home_counts(state: &AppState, s: &Store) -> Result<(Vec<Count>, Vec<Count>), Error> {
    figure(state, "home page counts", || {
        Ok((s.kind_counts()?, s.subkind_counts(EntityKind::Actor)?))
    })
}
