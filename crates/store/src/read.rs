//! Reading records back: by id, by kind, relations of a record, counts.

use crate::{codec, Result, Store, StoreError};
use archipel_domain::{Entity, EntityId, EntityKind, Relation};
use serde::Serialize;

/// A key and how many records have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// Counts over the whole registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Records per entity kind (territory, actor, place, commons, relation).
    pub entities: Vec<Count>,
    /// Actors per actor kind (`unset` for actors without one).
    pub actor_kinds: Vec<Count>,
    /// Actors per typology key (an actor may have several).
    pub typology: Vec<Count>,
    /// Commons per commons kind.
    pub commons_kinds: Vec<Count>,
    /// Relations per relation type.
    pub relation_kinds: Vec<Count>,
    /// Actors and places attached to each territory, by territory id.
    pub territories: Vec<TerritoryCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryCount {
    pub id: String,
    pub name: String,
    pub actors: u64,
    pub places: u64,
}

/// Decodes the `(id, data)` rows of `relation` a query returns.
fn relation_rows(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Entity>> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let data: String = r.get(1)?;
        out.push(codec::decode(&id, &data)?);
    }
    Ok(out)
}

/// Decodes the rows of `entity` a query returns ([`codec::ENTITY_COLUMNS`]).
pub(crate) fn entity_rows(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Entity>> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(codec::entity_from_row(r, 0)?);
    }
    Ok(out)
}

fn counts(store: &Store, sql: &str) -> Result<Vec<Count>> {
    let mut stmt = store.conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Count {
            key: r.get(0)?,
            count: r.get::<_, i64>(1)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Store {
    /// The record with this id, if any.
    pub fn get(&self, id: &EntityId) -> Result<Option<Entity>> {
        let mut got = if id.kind() == EntityKind::Relation {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, data FROM relation WHERE id = ?1")?;
            let rows = relation_rows(stmt.query([id.as_str()])?)?;
            rows
        } else {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {} FROM entity e WHERE e.id = ?1",
                codec::ENTITY_COLUMNS
            ))?;
            let rows = entity_rows(stmt.query([id.as_str()])?)?;
            rows
        };
        Ok(got.pop())
    }

    /// Every record of a kind, sorted by id.
    pub fn list(&self, kind: EntityKind) -> Result<Vec<Entity>> {
        let mut out = Vec::new();
        self.for_each(kind, |e| {
            out.push(e);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// Every record, kinds in the order of [`EntityKind::ALL`], each sorted by id.
    pub fn all(&self) -> Result<Vec<Entity>> {
        let mut out = Vec::new();
        for k in EntityKind::ALL {
            out.extend(self.list(k)?);
        }
        Ok(out)
    }

    /// Calls `f` with every record of a kind in id order, one at a time:
    /// however large the registry, only the record at hand is in memory
    /// (an export streams the registry this way). An error of `f` stops
    /// the walk and is returned.
    pub fn for_each<E: From<StoreError>>(
        &self,
        kind: EntityKind,
        mut f: impl FnMut(Entity) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let walk = |stmt: &mut rusqlite::Statement<'_>,
                    params: &[&dyn rusqlite::ToSql],
                    f: &mut dyn FnMut(&rusqlite::Row<'_>) -> std::result::Result<(), E>|
         -> std::result::Result<(), E> {
            let mut rows = stmt.query(params).map_err(StoreError::from)?;
            while let Some(r) = rows.next().map_err(StoreError::from)? {
                f(r)?;
            }
            Ok(())
        };
        if kind == EntityKind::Relation {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, data FROM relation ORDER BY id")
                .map_err(StoreError::from)?;
            return walk(&mut stmt, &[], &mut |r| {
                let id: String = r.get(0).map_err(StoreError::from)?;
                let data: String = r.get(1).map_err(StoreError::from)?;
                f(codec::decode(&id, &data)?)
            });
        }
        // The ids of a kind all start with `KIND:`, so they are the range
        // from `KIND:` to `KIND;` of the id index, read in order: no sort,
        // no temporary table. (`+` keeps SQLite from choosing the kind
        // index, which would then need the sort.)
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM entity e WHERE e.id >= ?1 AND e.id < ?2 AND +e.kind = ?3
                 ORDER BY e.id",
                codec::ENTITY_COLUMNS
            ))
            .map_err(StoreError::from)?;
        let (from, to) = (format!("{}:", kind.as_str()), format!("{};", kind.as_str()));
        walk(&mut stmt, &[&from, &to, &kind.as_str()], &mut |r| {
            f(codec::entity_from_row(r, 0)?)
        })
    }

    /// Runs `f` on one snapshot of the registry: what it reads is the
    /// registry at one moment, even if a write commits meanwhile (an
    /// export's places and the actors they name). `f` must not search
    /// (a search keeps its matches in a transaction of its own). Inside
    /// another snapshot, `f` shares it.
    pub fn in_snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let value = f(self)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Relations where `id` is the subject or the object, sorted by id.
    pub fn relations_of(&self, id: &EntityId) -> Result<Vec<Relation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, data FROM relation WHERE subject = ?1
             UNION SELECT id, data FROM relation WHERE object = ?1 ORDER BY 1",
        )?;
        let rows = relation_rows(stmt.query([id.as_str()])?)?;
        Ok(rows
            .into_iter()
            .filter_map(|e| match e {
                Entity::Relation(r) => Some(r),
                _ => None,
            })
            .collect())
    }

    /// Identifiers of the records of `kind` with this sub-kind (actor
    /// kind, commons kind, territory level) whose provenance is `source`,
    /// in id order: the official communes a registry holds, for one.
    pub fn ids_of(&self, kind: EntityKind, subkind: &str, source: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM entity WHERE kind = ?1 AND subkind = ?2 AND source = ?3 ORDER BY id",
        )?;
        let rows = stmt.query_map(rusqlite::params![kind.as_str(), subkind, source], |r| {
            r.get(0)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Identifiers of the records of `kind` that begin with `prefix`, in
    /// id order (`territory:insee:commune-`: the communes earlier
    /// médiation imports made).
    pub fn ids_with_prefix(&self, kind: EntityKind, prefix: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM entity WHERE kind = ?1 AND substr(id, 1, length(?2)) = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(rusqlite::params![kind.as_str(), prefix], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Records that point at `id` through their territory or owner column
    /// (places an actor runs, communes of an EPCI, actors of a territory).
    pub fn dependents_of(&self, id: &EntityId) -> Result<Vec<Entity>> {
        let cols = codec::ENTITY_COLUMNS;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {cols} FROM entity e WHERE e.territory = ?1
             UNION SELECT {cols} FROM entity e WHERE e.owner = ?1 ORDER BY 1"
        ))?;
        let rows = entity_rows(stmt.query([id.as_str()])?)?;
        Ok(rows)
    }

    /// Number of records of each kind, and the whole count.
    pub fn count(&self, kind: EntityKind) -> Result<u64> {
        let n: i64 = if kind == EntityKind::Relation {
            self.conn
                .query_row("SELECT count(*) FROM relation", [], |r| r.get(0))?
        } else {
            self.conn.query_row(
                "SELECT count(*) FROM entity WHERE kind = ?1",
                [kind.as_str()],
                |r| r.get(0),
            )?
        };
        Ok(n as u64)
    }

    /// Counts by entity kind, actor kind, typology, commons kind, relation
    /// type and territory. Lists are sorted by decreasing count, then key.
    pub fn stats(&self) -> Result<Stats> {
        let mut entities = Vec::new();
        for k in EntityKind::ALL {
            entities.push(Count {
                key: k.as_str().to_string(),
                count: self.count(k)?,
            });
        }
        let actor_kinds = counts(
            self,
            "SELECT coalesce(subkind, 'unset'), count(*) AS n FROM entity WHERE kind = 'actor'
             GROUP BY 1 ORDER BY n DESC, 1",
        )?;
        let typology = counts(
            self,
            "SELECT j.value, count(*) AS n FROM entity e, json_each(e.data, '$.typology') j
             WHERE e.kind = 'actor' GROUP BY 1 ORDER BY n DESC, 1",
        )?;
        let commons_kinds = counts(
            self,
            "SELECT subkind, count(*) AS n FROM entity WHERE kind = 'commons'
             GROUP BY 1 ORDER BY n DESC, 1",
        )?;
        let relation_kinds = counts(
            self,
            "SELECT kind, count(*) AS n FROM relation GROUP BY 1 ORDER BY n DESC, 1",
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.name,
                    (SELECT count(*) FROM entity a WHERE a.territory = t.id AND a.kind = 'actor'),
                    (SELECT count(*) FROM entity p WHERE p.territory = t.id AND p.kind = 'place')
             FROM entity t WHERE t.kind = 'territory' ORDER BY t.id",
        )?;
        let territories = stmt
            .query_map([], |r| {
                Ok(TerritoryCount {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    actors: r.get::<_, i64>(2)? as u64,
                    places: r.get::<_, i64>(3)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Stats {
            entities,
            actor_kinds,
            typology,
            commons_kinds,
            relation_kinds,
            territories,
        })
    }

    /// The records changed most recently, newest first; among records
    /// changed at the same time (an import's), the last written first.
    /// (Ties are broken by row, which the index on the change time holds
    /// in order: by id, SQLite sorted every record of the latest import.)
    pub fn recent(&self, limit: usize) -> Result<Vec<Entity>> {
        let mut stmt = self.conn.prepare_cached(&recent_sql())?;
        let rows = entity_rows(stmt.query([limit as i64])?)?;
        Ok(rows)
    }
}

/// The statement of [`Store::recent`].
fn recent_sql() -> String {
    format!(
        "SELECT {} FROM entity e ORDER BY e.updated_at DESC, e.rowid DESC LIMIT ?1",
        codec::ENTITY_COLUMNS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_changes_are_read_from_the_index_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db")).unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", recent_sql()))
            .unwrap()
            .query_map([8], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("entity_updated")),
            "{plan:?}"
        );
        // Sorting would read every record changed at the latest time (all
        // of a large import) to keep eight.
        assert!(!plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
    }
}
