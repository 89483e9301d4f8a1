//! Which territory a sheet is about: from what the user typed (an id, a
//! code, `level:code`), or the registry's only top-level territory.

use crate::Error;
use archipel_domain::{EntityId, EntityKind};
use archipel_store::{Filter, ListQuery, Sort, Store, Summary};

/// How many territories an error lists.
const LISTED: usize = 40;

/// The key that names `t` unambiguously: its code, or `level:code` when
/// another territory shares the code (a region and a department both
/// numbered 53), or its id when it has no code.
pub fn territory_key(store: &Store, t: &Summary) -> Result<String, Error> {
    let Ok(id) = t.id.parse::<EntityId>() else {
        return Ok(t.id.clone());
    };
    let Some(archipel_domain::Entity::Territory(full)) = store.get(&id)? else {
        return Ok(t.id.clone());
    };
    if full.code.is_empty() {
        return Ok(t.id.clone());
    }
    if store.find_territories(&full.code)?.len() > 1 {
        Ok(format!("{}:{}", full.level, full.code))
    } else {
        Ok(full.code)
    }
}

fn listing(store: &Store) -> Result<(Vec<String>, u64), Error> {
    let page = store.list_page(&ListQuery {
        filter: Filter {
            kind: Some(EntityKind::Territory),
            ..Filter::default()
        },
        sort: Sort::Name,
        limit: LISTED,
        offset: 0,
    })?;
    let mut known = Vec::new();
    for e in &page.items {
        let s = Summary {
            id: e.id().to_string(),
            kind: "territory".into(),
            name: e.name().to_string(),
            subkind: None,
            lat: None,
            lon: None,
            updated_at: String::new(),
            excerpt: None,
        };
        known.push(format!("{:<22} {}", territory_key(store, &s)?, s.name));
    }
    Ok((known, page.total.saturating_sub(page.items.len() as u64)))
}

/// The territory named by `key`, or when `key` is `None` the registry's
/// top-level territory if there is exactly one. Errors list the valid
/// territories.
pub fn resolve_territory(store: &Store, key: Option<&str>) -> Result<EntityId, Error> {
    let t = resolve_summary(store, key)?;
    t.id.parse().map_err(|_| Error::UnknownTerritory {
        key: t.id.clone(),
        known: Vec::new(),
        more: 0,
    })
}

fn resolve_summary(store: &Store, key: Option<&str>) -> Result<Summary, Error> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        let mut tops = store.top_territories()?;
        if tops.len() == 1 {
            return Ok(tops.remove(0));
        }
        let (known, more) = listing(store)?;
        return Err(Error::TerritoryRequired { known, more });
    };
    let mut found = store.find_territories(key)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let (known, more) = listing(store)?;
            Err(Error::UnknownTerritory {
                key: key.to_string(),
                known,
                more,
            })
        }
        _ => {
            let mut candidates = Vec::new();
            for t in &found {
                let level = t.subkind.clone().unwrap_or_default();
                candidates.push(format!("{level}:{key} ({})", t.name));
            }
            Err(Error::AmbiguousTerritory {
                key: key.to_string(),
                candidates,
            })
        }
    }
}
