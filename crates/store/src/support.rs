//! Public action records (`archipel_domain::Action`: calls for projects,
//! grants) in the `action` table (migration 0009), written in the same
//! batch as the entities they point at and read back whole.
//!
//! A record is written by [`Writer::upsert_action`]: unchanged facts leave
//! the row alone, an update keeps the creation time, and every record it
//! points at (giver, beneficiary, territory, commons, call) must exist —
//! written earlier in the batch or already stored — or the batch fails
//! naming the record and field. Versions replaced by a re-import are not
//! kept in `version` yet (the history of entities only).

use crate::write::{ts, Outcome, Writer};
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, ActionId, ActionKind, EntityId};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// Which public action records to read.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    pub kind: Option<ActionKind>,
    /// Grants given by the body with this SIRET (`idAttribuant`).
    pub giver_siret: Option<String>,
    /// Filed under a day of this year (a grant's `dateConvention`).
    pub year: Option<i32>,
    /// The territory's, by the rule of the territory's figures
    /// ([`crate::SupportFigures`]): the record's `territory`, else its
    /// giver's, is this territory or one below it.
    pub territory: Option<EntityId>,
}

fn decode(id: &str, data: &str) -> Result<Action> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        source: e.into(),
    })
}

impl Writer<'_> {
    /// Inserts `a`, or updates the stored record with its id when it says
    /// something different; see the module's documentation.
    pub fn upsert_action(&mut self, a: &Action) -> Result<Outcome> {
        let id = a.id().as_str();
        for (field, target) in a.references() {
            if !self.exists(target)? {
                return Err(StoreError::Dangling {
                    id: id.to_string(),
                    field,
                    target: target.to_string(),
                });
            }
        }
        for (field, target) in a.action_references() {
            if target != a.id() && self.action_by_id(target)?.is_none() {
                return Err(StoreError::Dangling {
                    id: id.to_string(),
                    field,
                    target: target.to_string(),
                });
            }
        }
        let stored = self.action_by_id(a.id())?;
        let mut record = a.clone();
        let outcome = match &stored {
            None => Outcome::Inserted,
            Some(old) if old.same_facts(a) => Outcome::Unchanged,
            Some(old) => {
                record.provenance_mut().created_at = old.provenance().created_at;
                Outcome::Updated
            }
        };
        if outcome != Outcome::Unchanged {
            let data = serde_json::to_string(&record)
                .map_err(|e| StoreError::database_because("encoding a record", e))?;
            let p = record.provenance();
            let day = record.day().map(|d| d.to_string());
            let call = match &record {
                Action::Grant(g) => g.call.as_ref().map(ActionId::as_str),
                Action::Call(_) => None,
            };
            self.tx()
                .prepare_cached(
                    "INSERT INTO action (id, kind, name, territory, giver, beneficiary, call,
                         day, amount_cents, source, created_at, updated_at, batch, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT(id) DO UPDATE SET kind = ?2, name = ?3, territory = ?4,
                         giver = ?5, beneficiary = ?6, call = ?7, day = ?8,
                         amount_cents = ?9, source = ?10, created_at = ?11,
                         updated_at = ?12, batch = ?13, data = ?14",
                )?
                .execute(params![
                    id,
                    record.kind().as_str(),
                    record.name(),
                    record.territory().map(EntityId::as_str),
                    record.giver().map(EntityId::as_str),
                    record.beneficiary().map(EntityId::as_str),
                    call,
                    day,
                    record.amount_cents(),
                    &*p.source,
                    ts(&p.created_at),
                    ts(&p.updated_at),
                    self.batch(),
                    data
                ])?;
        }
        self.tally(id, outcome);
        Ok(outcome)
    }

    fn action_by_id(&self, id: &ActionId) -> Result<Option<Action>> {
        let data: Option<String> = self
            .tx()
            .prepare_cached("SELECT data FROM action WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        data.map(|d| decode(id.as_str(), &d)).transpose()
    }

    /// The territory of a stored entity (an actor's, a place's), if any.
    pub fn territory_of(&self, id: &EntityId) -> Result<Option<EntityId>> {
        let t: Option<Option<String>> = self
            .tx()
            .prepare_cached("SELECT territory FROM entity WHERE id = ?1 AND kind != 'territory'")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        Ok(t.flatten().and_then(|t| EntityId::parse(&t).ok()))
    }

    /// The actors the registry holds by one of their identifiers
    /// (`siret`, `rna`: a key of `Identifiers`; the first actor by id when
    /// several share a value), to attach a grant's giver and beneficiary
    /// to. One pass over the actors.
    pub fn actors_by_identifier(&self, key: &str) -> Result<HashMap<String, EntityId>> {
        if !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(StoreError::database(format!("no identifier named {key}")));
        }
        let mut stmt = self.tx().prepare(
            "SELECT json_extract(data, ?1) AS value, min(id) FROM entity
             WHERE kind = 'actor' AND value IS NOT NULL GROUP BY value",
        )?;
        let path = format!("$.identifiers.{key}");
        let rows = stmt.query_map([path], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (siret, id) = row?;
            if let Ok(id) = EntityId::parse(&id) {
                out.insert(siret, id);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The public action record with this id, if any.
    pub fn action(&self, id: &ActionId) -> Result<Option<Action>> {
        let data: Option<String> = self
            .conn
            .prepare_cached("SELECT data FROM action WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        data.map(|d| decode(id.as_str(), &d)).transpose()
    }

    /// Calls `f` with every public action record `q` selects, by day
    /// (records without one last) then id, one at a time.
    pub fn for_each_action<E: From<StoreError>>(
        &self,
        q: &ActionQuery,
        mut f: impl FnMut(Action) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let (from, to) = match q.year {
            Some(y) => (Some(format!("{y:04}-01-01")), Some(format!("{y:04}-12-31"))),
            None => (None, None),
        };
        // The territory's scope only when asked (the walk is not free).
        let (tree, scoped) = match &q.territory {
            Some(_) => (
                crate::scope::tree("?5"),
                format!("AND {}", crate::scope::ACTION_IN_SCOPE),
            ),
            None => (String::new(), String::new()),
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{tree} SELECT a.id, a.data FROM action a
                 LEFT JOIN entity g ON g.id = a.giver
                 WHERE (?1 IS NULL OR a.kind = ?1)
                   AND (?2 IS NULL OR a.day >= ?2) AND (?3 IS NULL OR a.day <= ?3)
                   AND (?4 IS NULL OR json_extract(a.data, '$.giver_siret') = ?4)
                   {scoped}
                 ORDER BY a.day IS NULL, a.day, a.id"
            ))
            .map_err(StoreError::from)?;
        let mut values: Vec<rusqlite::types::Value> = vec![
            q.kind.map(|k| k.as_str().to_string()).into(),
            from.into(),
            to.into(),
            q.giver_siret.clone().into(),
        ];
        if let Some(t) = &q.territory {
            values.push(t.as_str().to_string().into());
        }
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values))
            .map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            let id: String = r.get(0).map_err(StoreError::from)?;
            let data: String = r.get(1).map_err(StoreError::from)?;
            f(decode(&id, &data)?)?;
        }
        Ok(())
    }

    /// Every public action record `q` selects, in the order of
    /// [`Store::for_each_action`].
    pub fn actions(&self, q: &ActionQuery) -> Result<Vec<Action>> {
        let mut out = Vec::new();
        self.for_each_action(q, |a| {
            out.push(a);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }
}

/// A public action record that points at `target` (an entity a batch
/// removes), with the field, if any.
pub(crate) fn pointing_at(
    tx: &rusqlite::Transaction<'_>,
    target: &str,
) -> Result<Option<(String, &'static str)>> {
    let row: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT id, CASE WHEN giver IS ?1 THEN 'giver'
                             WHEN beneficiary IS ?1 THEN 'beneficiary'
                             WHEN territory IS ?1 THEN 'territory'
                             ELSE 'commons' END
             FROM action
             WHERE giver = ?1 OR beneficiary = ?1 OR territory = ?1
                OR EXISTS (SELECT 1 FROM json_each(action.data, '$.commons') WHERE value = ?1)
             LIMIT 1",
        )?
        .query_row([target], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(id, field)| {
        let field = match field.as_str() {
            "giver" => "giver",
            "beneficiary" => "beneficiary",
            "territory" => "territory",
            _ => "commons",
        };
        (id, field)
    }))
}
