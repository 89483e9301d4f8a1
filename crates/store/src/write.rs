//! Writing records: one transaction per batch, upserts that leave unchanged
//! records untouched, references checked before commit.

use crate::{Result, Store, StoreError};
use archipel_domain::{Entity, EntityId, Relation};
use chrono::SecondsFormat;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::HashSet;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

/// Counts of a finished batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Writes within one transaction; see [`Store::write`].
pub struct Writer<'a> {
    tx: Transaction<'a>,
    summary: WriteSummary,
    written: HashSet<String>,
    pending_refs: Vec<(String, &'static str, String)>,
}

pub(crate) fn ts(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn to_json(e: &Entity) -> Result<String> {
    serde_json::to_string(e).map_err(|err| StoreError::Database(err.to_string()))
}

/// Text indexed for full-text search beyond the name.
fn search_body(e: &Entity) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = e.description() {
        parts.push(d.to_string());
    }
    match e {
        Entity::Place(p) => {
            parts.push(p.address.one_line());
            if let Some(c) = &p.insee_code {
                parts.push(c.clone());
            }
        }
        Entity::Commons(c) => {
            parts.extend(c.categories.iter().cloned());
            if let Some(l) = &c.license {
                parts.push(l.clone());
            }
        }
        Entity::Territory(t) => parts.push(t.code.clone()),
        Entity::Actor(a) => {
            parts.extend(a.identifiers.pairs().iter().map(|(_, v)| v.to_string()));
        }
        Entity::Relation(_) => {}
    }
    parts.join(" ")
}

impl<'a> Writer<'a> {
    /// Inserts `e`, or updates the stored record with the same id when it
    /// says something different. A record that says the same facts is left
    /// alone (its change time does not move). On update the original
    /// creation time is kept.
    pub fn upsert(&mut self, e: &Entity) -> Result<Outcome> {
        let outcome = match e {
            Entity::Relation(r) => self.upsert_relation(e, r)?,
            _ => self.upsert_entity(e)?,
        };
        self.written.insert(e.id().as_str().to_string());
        for (field, target) in references(e) {
            self.pending_refs.push((e.id().to_string(), field, target.to_string()));
        }
        match outcome {
            Outcome::Inserted => self.summary.inserted += 1,
            Outcome::Updated => self.summary.updated += 1,
            Outcome::Unchanged => self.summary.unchanged += 1,
        }
        Ok(outcome)
    }

    /// Whether a record with this id exists (written earlier in this batch
    /// or already stored).
    pub fn exists(&self, id: &EntityId) -> Result<bool> {
        if self.written.contains(id.as_str()) {
            return Ok(true);
        }
        exists_in(&self.tx, id.as_str())
    }

    fn existing(&self, table: &str, id: &str) -> Result<Option<(i64, Entity)>> {
        let sql = format!("SELECT rowid, data FROM {table} WHERE id = ?1");
        let row: Option<(i64, String)> = self
            .tx
            .prepare_cached(&sql)?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => Ok(None),
            Some((rowid, data)) => {
                let old: Entity =
                    serde_json::from_str(&data).map_err(|err| StoreError::Corrupt {
                        id: id.to_string(),
                        message: err.to_string(),
                    })?;
                Ok(Some((rowid, old)))
            }
        }
    }

    fn upsert_entity(&mut self, e: &Entity) -> Result<Outcome> {
        let id = e.id().as_str();
        let existing = self.existing("entity", id)?;
        let mut rec = e.clone();
        let (outcome, rowid) = match &existing {
            Some((_, old)) if old.same_facts(e) => return Ok(Outcome::Unchanged),
            Some((rowid, old)) => {
                rec.provenance_mut().created_at = old.provenance().created_at;
                (Outcome::Updated, Some(*rowid))
            }
            None => (Outcome::Inserted, None),
        };
        let (subkind, territory, owner, point) = match &rec {
            Entity::Territory(t) => (Some(t.level.as_str()), None, t.parent.as_ref(), None),
            Entity::Actor(a) => (a.kind.as_deref(), a.territory.as_ref(), None, a.location),
            Entity::Place(p) => (None, p.territory.as_ref(), p.actor.as_ref(), p.location),
            Entity::Commons(c) => (Some(c.kind.as_str()), None, None, None),
            Entity::Relation(_) => unreachable!("relations are stored by upsert_relation"),
        };
        let prov = rec.provenance();
        let data = to_json(&rec)?;
        let values = params![
            id,
            rec.kind().as_str(),
            rec.name(),
            subkind,
            territory.map(|t| t.as_str()),
            owner.map(|t| t.as_str()),
            point.map(|p| p.lat),
            point.map(|p| p.lon),
            prov.source,
            ts(&prov.created_at),
            ts(&prov.updated_at),
            data,
        ];
        let rowid = match rowid {
            Some(rowid) => {
                self.tx
                    .prepare_cached(
                        "UPDATE entity SET id=?1, kind=?2, name=?3, subkind=?4, territory=?5, owner=?6,
                         lat=?7, lon=?8, source=?9, created_at=?10, updated_at=?11, data=?12
                         WHERE rowid=?13",
                    )?
                    .execute(rusqlite::params_from_iter(
                        values.iter().copied().chain([&rowid as &dyn rusqlite::ToSql]),
                    ))?;
                self.tx
                    .prepare_cached("DELETE FROM entity_fts WHERE rowid = ?1")?
                    .execute([rowid])?;
                rowid
            }
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO entity (id, kind, name, subkind, territory, owner, lat, lon,
                         source, created_at, updated_at, data)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )?
                    .execute(values)?;
                self.tx.last_insert_rowid()
            }
        };
        self.tx
            .prepare_cached("INSERT INTO entity_fts (rowid, name, body) VALUES (?1, ?2, ?3)")?
            .execute(params![rowid, rec.name(), search_body(&rec)])?;
        Ok(outcome)
    }

    fn upsert_relation(&mut self, e: &Entity, r: &Relation) -> Result<Outcome> {
        let id = r.id.as_str();
        let existing = self.existing("relation", id)?;
        let mut rec = e.clone();
        let (outcome, rowid) = match &existing {
            Some((_, old)) if old.same_facts(e) => return Ok(Outcome::Unchanged),
            Some((rowid, old)) => {
                rec.provenance_mut().created_at = old.provenance().created_at;
                (Outcome::Updated, Some(*rowid))
            }
            None => (Outcome::Inserted, None),
        };
        let prov = rec.provenance();
        let data = to_json(&rec)?;
        if let Some(rowid) = rowid {
            self.tx
                .prepare_cached("DELETE FROM relation WHERE rowid = ?1")?
                .execute([rowid])?;
        }
        self.tx
            .prepare_cached(
                "INSERT INTO relation (id, subject, kind, object, role, since, until, source,
                 created_at, updated_at, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                id,
                r.subject.as_str(),
                r.kind,
                r.object.as_str(),
                r.role,
                r.since.map(|d| d.to_string()),
                r.until.map(|d| d.to_string()),
                prov.source,
                ts(&prov.created_at),
                ts(&prov.updated_at),
                data,
            ])?;
        Ok(outcome)
    }

    /// Removes a record and the relations that touch it.
    pub fn remove(&mut self, id: &EntityId) -> Result<bool> {
        let id = id.as_str();
        let n = self
            .tx
            .execute("DELETE FROM relation WHERE id = ?1 OR subject = ?1 OR object = ?1", [id])?;
        let rowid: Option<i64> = self
            .tx
            .query_row("SELECT rowid FROM entity WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if let Some(rowid) = rowid {
            self.tx.execute("DELETE FROM entity_fts WHERE rowid = ?1", [rowid])?;
            self.tx.execute("DELETE FROM entity WHERE rowid = ?1", [rowid])?;
            return Ok(true);
        }
        Ok(n > 0)
    }

    fn check_references(&self) -> Result<()> {
        for (id, field, target) in &self.pending_refs {
            if self.written.contains(target) {
                continue;
            }
            if !exists_in(&self.tx, target)? {
                return Err(StoreError::Dangling {
                    id: id.clone(),
                    field,
                    target: target.clone(),
                });
            }
        }
        Ok(())
    }
}

fn exists_in(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM entity WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn references(e: &Entity) -> Vec<(&'static str, &EntityId)> {
    match e {
        Entity::Territory(t) => t.parent.iter().map(|x| ("parent", x)).collect(),
        Entity::Actor(a) => a.territory.iter().map(|x| ("territory", x)).collect(),
        Entity::Place(p) => p
            .actor
            .iter()
            .map(|x| ("actor", x))
            .chain(p.territory.iter().map(|x| ("territory", x)))
            .collect(),
        Entity::Commons(_) => Vec::new(),
        Entity::Relation(r) => vec![("subject", &r.subject), ("object", &r.object)],
    }
}

impl Store {
    /// Runs `f` in one transaction. If `f` fails, or a reference points at
    /// a record that does not exist, nothing is written. `source`, `format`
    /// and `file` describe the batch for the change log.
    pub fn write<T>(
        &mut self,
        source: &str,
        format: &str,
        file: Option<&str>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<(T, WriteSummary)> {
        let tx = self.conn.transaction()?;
        let mut w = Writer {
            tx,
            summary: WriteSummary::default(),
            written: HashSet::new(),
            pending_refs: Vec::new(),
        };
        let value = f(&mut w)?;
        w.check_references()?;
        let s = w.summary;
        w.tx.execute(
            "INSERT INTO batch (source, format, file, started_at, inserted, updated, unchanged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                source,
                format,
                file,
                ts(&chrono::Utc::now()),
                s.inserted as i64,
                s.updated as i64,
                s.unchanged as i64
            ],
        )?;
        w.tx.commit()?;
        Ok((value, s))
    }
}
