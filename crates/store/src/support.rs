//! Public action records (`archipel_domain::Action`: calls for projects,
//! grants, applications, hardware, hosting, events, posts) in the `action`
//! table (migrations 0009 and 0010), written in the same batch as the
//! entities they point at and read back whole.
//!
//! A record is written by [`Writer::upsert_action`]: unchanged facts leave
//! the row alone, an update keeps the creation time, and every record it
//! points at (`Action::references`, `Action::action_references`) must exist —
//! written earlier in the batch or already stored — or the batch fails
//! naming the record and field. A state an update replaces is kept in
//! `action_version` (migration 0011), so that a record's history
//! ([`Store::action_history`]) reads as an entity's does.

use crate::write::{ts, Outcome, Writer};
use crate::{Result, Store, StoreError};
use archipel_domain::{
    Action, ActionId, ActionKind, Application, ApplicationStatus, Call, EntityId,
};
use rusqlite::{params, OptionalExtension};
use std::collections::{BTreeSet, HashMap};

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

/// A call for projects with the applications made to it
/// ([`Store::calls_with_applications`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CallApplications {
    pub call: Call,
    /// By filing day, then id.
    pub applications: Vec<ApplicationOutcome>,
    pub accepted: u64,
    pub refused: u64,
    pub withdrawn: u64,
    /// Not decided yet.
    pub pending: u64,
    /// Applications that were their applicant's first.
    pub first_time: u64,
    /// The amounts asked for, added up.
    pub asked_cents: i64,
}

/// An application and whether it was its applicant's first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApplicationOutcome {
    pub application: Application,
    pub first_time: bool,
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
        let stored = self.action_row(a.id())?;
        let mut record = a.clone();
        let outcome = match &stored {
            None => Outcome::Inserted,
            Some((old, _)) if old.same_facts(a) => Outcome::Unchanged,
            Some((old, written_by)) => {
                record.provenance_mut().created_at = old.provenance().created_at;
                self.keep_action_version(old, *written_by)?;
                Outcome::Updated
            }
        };
        if outcome != Outcome::Unchanged {
            let data = serde_json::to_string(&record)
                .map_err(|e| StoreError::database_because("encoding a record", e))?;
            let p = record.provenance();
            let day = record.day().map(|d| d.to_string());
            let call = record.call().map(ActionId::as_str);
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

    /// The public action record with this id (written earlier in this
    /// batch or already stored), if any.
    pub fn action_by_id(&self, id: &ActionId) -> Result<Option<Action>> {
        Ok(self.action_row(id)?.map(|(a, _)| a))
    }

    /// The stored record with this id and the batch that wrote it.
    fn action_row(&self, id: &ActionId) -> Result<Option<(Action, Option<i64>)>> {
        let row: Option<(String, Option<i64>)> = self
            .tx()
            .prepare_cached("SELECT data, batch FROM action WHERE id = ?1")?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(d, b)| Ok((decode(id.as_str(), &d)?, b)))
            .transpose()
    }

    /// Keeps a state this batch replaces in `action_version`, with the
    /// batch that wrote it; not when this batch wrote it itself (the
    /// history keeps the states between batches, as the entities' does).
    fn keep_action_version(&self, a: &Action, written_by: Option<i64>) -> Result<()> {
        if written_by == Some(self.batch()) {
            return Ok(());
        }
        let state = serde_json::to_string(a)
            .map_err(|e| StoreError::database_because("encoding a record", e))?;
        self.tx()
            .prepare_cached(
                "INSERT INTO action_version (record, state, batch, replaced_by)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![a.id().as_str(), state, written_by, self.batch()])?;
        Ok(())
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
        let (tree, joins, scoped) = match &q.territory {
            Some(_) => (
                crate::scope::tree("?5"),
                crate::scope::ACTION_SCOPE_JOINS,
                format!("AND {}", crate::scope::ACTION_IN_SCOPE),
            ),
            None => (String::new(), "", String::new()),
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{tree} SELECT a.id, a.data FROM action a
                 LEFT JOIN entity g ON g.id = a.giver {joins}
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

    /// The applications that were their applicant's first contact with
    /// the body running the call, over the whole registry
    /// (`archipel_domain::first_time_applications`).
    pub fn first_time_applications(&self) -> Result<BTreeSet<ActionId>> {
        let mut all = Vec::new();
        for kind in [ActionKind::Call, ActionKind::Grant, ActionKind::Application] {
            self.for_each_action::<StoreError>(
                &ActionQuery {
                    kind: Some(kind),
                    ..ActionQuery::default()
                },
                |a| {
                    all.push(a);
                    Ok(())
                },
            )?;
        }
        Ok(archipel_domain::first_time_applications(&all))
    }

    /// The calls `q` selects (its kind is set to calls), each with the
    /// applications made to it and what came of them, first-time
    /// applicants flagged ([`Store::first_time_applications`]); calls by
    /// opening day, applications by filing day then id.
    pub fn calls_with_applications(&self, q: &ActionQuery) -> Result<Vec<CallApplications>> {
        let first = self.first_time_applications()?;
        let calls = self.actions(&ActionQuery {
            kind: Some(ActionKind::Call),
            ..q.clone()
        })?;
        let mut by_call: HashMap<ActionId, Vec<Application>> = HashMap::new();
        self.for_each_action::<StoreError>(
            &ActionQuery {
                kind: Some(ActionKind::Application),
                ..ActionQuery::default()
            },
            |a| {
                if let Action::Application(x) = a {
                    by_call.entry(x.call.clone()).or_default().push(x);
                }
                Ok(())
            },
        )?;
        let mut out = Vec::new();
        for c in calls {
            let Action::Call(call) = c else { continue };
            let mut r = CallApplications {
                applications: Vec::new(),
                accepted: 0,
                refused: 0,
                withdrawn: 0,
                pending: 0,
                first_time: 0,
                asked_cents: 0,
                call,
            };
            for x in by_call.remove(&r.call.id).unwrap_or_default() {
                match x.status {
                    ApplicationStatus::Accepted => r.accepted += 1,
                    ApplicationStatus::Refused => r.refused += 1,
                    ApplicationStatus::Withdrawn => r.withdrawn += 1,
                    ApplicationStatus::Submitted => r.pending += 1,
                }
                r.asked_cents += x.amount_asked_cents.unwrap_or(0);
                let first_time = first.contains(&x.id);
                r.first_time += u64::from(first_time);
                r.applications.push(ApplicationOutcome {
                    application: x,
                    first_time,
                });
            }
            out.push(r);
        }
        Ok(out)
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
/// removes), with the field, if any: the records whose JSON holds the id
/// as a string, read to find the field among their references (every
/// kind's, `Action::references`).
pub(crate) fn pointing_at(
    tx: &rusqlite::Transaction<'_>,
    target: &str,
) -> Result<Option<(String, &'static str)>> {
    let quoted = format!("\"{target}\"");
    let mut stmt =
        tx.prepare_cached("SELECT id, data FROM action WHERE instr(data, ?1) > 0 ORDER BY id")?;
    let mut rows = stmt.query([quoted])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let data: String = r.get(1)?;
        let a = decode(&id, &data)?;
        if let Some((field, _)) = a
            .references()
            .into_iter()
            .find(|(_, x)| x.as_str() == target)
        {
            return Ok(Some((id, field)));
        }
    }
    Ok(None)
}
