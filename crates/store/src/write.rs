//! Writing records: one transaction per batch, upserts that leave unchanged
//! records untouched, references checked before commit.

use crate::codec::{self, decode};
use crate::{Result, Store, StoreError};
use archipel_domain::{Entity, EntityId, EntityKind, Relation};
use chrono::SecondsFormat;
use rusqlite::{params, OptionalExtension, ToSql, Transaction};
use rustc_hash::FxHashSet as HashSet;
use serde::Serialize;

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

impl WriteSummary {
    /// Records the batch wrote or found unchanged.
    pub fn records(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

/// A record with the costly parts of its row worked out in advance: its
/// JSON encoding and its search text. Preparing touches no database, so an
/// import can prepare records on one thread while another writes them.
pub struct Prepared {
    pub entity: Entity,
    data: String,
    search: String,
}

/// Prepares a record for [`Writer::upsert_prepared`].
pub fn prepare(entity: Entity) -> Result<Prepared> {
    let data = codec::entity_data(&entity)?;
    let search = search_text(&entity);
    Ok(Prepared {
        entity,
        data,
        search,
    })
}

/// Writes within one transaction; see [`Store::write`].
pub struct Writer<'a> {
    /// Says who writes, for the time of the transaction (dropped before
    /// it: fields drop in order).
    note: crate::busy::Note,
    tx: Transaction<'a>,
    /// The insert of a new record, prepared once for the batch: taking it
    /// from the connection's statement cache for each record (hashing its
    /// text, then putting it back) cost about 4 % of an import's writing.
    insert: rusqlite::Statement<'a>,
    summary: WriteSummary,
    written: HashSet<String>,
    pending_refs: Vec<(String, &'static str, String)>,
    /// Records removed in this batch: nothing may still point at them at
    /// the end (see `check_references`).
    removed: Vec<String>,
    stamps: Stamps,
    /// The first rowid inserted since the full-text index was last brought
    /// up to date: new records are indexed together (see `index_pending`).
    unindexed_from: Option<i64>,
    /// This batch's row in `batch`: what the rows it writes name as the
    /// change that wrote them, and the states it replaces as the change
    /// that replaced them (see `history`).
    batch: i64,
    /// The ids this batch changed, while they are at most
    /// [`BATCH_RECORDS_MAX`] (`None` beyond: an import's).
    changed: Option<Vec<String>>,
    /// Records and relations this batch removed.
    removed_count: u64,
}

/// Most record ids a batch's row lists (`batch.records`): enough for any
/// edit or decision, not for an import.
const BATCH_RECORDS_MAX: usize = 64;

/// Who makes a change and how: what the batch log keeps of a write, and
/// what a record's history says of each version.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// The data set (`mediation`, a name given at import) or `web`.
    pub source: &'a str,
    /// The import format, or `web`, `cli`.
    pub format: &'a str,
    /// The file imported, if any.
    pub file: Option<&'a str>,
    /// `import`, `demo`, `proposal` (a moderator's decision), `referent`
    /// (an actor's referent's edit, applied at once), `restore`.
    pub action: &'a str,
    /// The account that made it (`None`: an import or the command line).
    pub account: Option<i64>,
    /// What it carried out (`proposal:12`, `restore:3`).
    pub note: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl<'a> Change<'a> {
    /// An import of `file` in `format` from the data set `source`, now.
    pub fn import(source: &'a str, format: &'a str, file: Option<&'a str>) -> Change<'a> {
        Change {
            source,
            format,
            file,
            action: "import",
            account: None,
            note: None,
            at: chrono::Utc::now(),
        }
    }
}

pub(crate) fn ts(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// [`ts`] of a record's creation and change times, with the last ones
/// formatted kept: the records of an import mostly share them.
#[derive(Default)]
struct Stamps {
    created: Option<(chrono::DateTime<chrono::Utc>, String)>,
    updated: Option<(chrono::DateTime<chrono::Utc>, String)>,
}

impl Stamps {
    fn format(
        &mut self,
        created: &chrono::DateTime<chrono::Utc>,
        updated: &chrono::DateTime<chrono::Utc>,
    ) -> (&str, &str) {
        fn keep<'s>(
            slot: &'s mut Option<(chrono::DateTime<chrono::Utc>, String)>,
            t: &chrono::DateTime<chrono::Utc>,
        ) -> &'s str {
            if !matches!(slot, Some((at, _)) if at == t) {
                *slot = Some((*t, ts(t)));
            }
            slot.as_ref().map_or("", |(_, s)| s.as_str())
        }
        (
            keep(&mut self.created, created),
            keep(&mut self.updated, updated),
        )
    }
}

/// Inserts a new record's row; does nothing if the id is taken.
const INSERT_ENTITY: &str = "INSERT INTO entity (id, kind, name, subkind, territory, owner,
     lat, lon, source, created_at, updated_at, data, search, batch)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
     ON CONFLICT(id) DO NOTHING";

/// The columns of an `entity` row.
struct EntityRow<'e> {
    id: &'e str,
    kind: &'static str,
    name: &'e str,
    subkind: Option<&'e str>,
    territory: Option<&'e str>,
    owner: Option<&'e str>,
    lat: Option<f64>,
    lon: Option<f64>,
    source: &'e str,
    created_at: &'e str,
    updated_at: &'e str,
    data: &'e str,
    search: &'e str,
}

impl<'e> EntityRow<'e> {
    fn of(rec: &'e Entity, data: &'e str, search: &'e str, stamps: &'e mut Stamps) -> Result<Self> {
        let (variant, subkind, territory, owner, point) = match rec {
            Entity::Territory(t) => (
                EntityKind::Territory,
                Some(t.level.as_str()),
                t.department.as_ref(),
                t.parent.as_ref(),
                None,
            ),
            Entity::Actor(a) => (
                EntityKind::Actor,
                a.kind.as_deref(),
                a.territory.as_ref(),
                None,
                a.location,
            ),
            Entity::Place(p) => (
                EntityKind::Place,
                None,
                p.territory.as_ref(),
                p.actor.as_ref(),
                p.location,
            ),
            Entity::Commons(c) => (EntityKind::Commons, Some(c.kind.as_str()), None, None, None),
            Entity::Relation(r) => {
                return Err(StoreError::database(format!(
                    "relation {} given as an entity",
                    r.id
                )))
            }
        };
        // The row's kind column stands for the record's type when it is
        // read back (see `codec`): they must agree.
        if rec.kind() != variant {
            return Err(StoreError::database(format!(
                "record {}: its identifier says {} but it is a {}",
                rec.id(),
                rec.kind().as_str(),
                variant.as_str()
            )));
        }
        let prov = rec.provenance();
        let (created_at, updated_at) = stamps.format(&prov.created_at, &prov.updated_at);
        Ok(EntityRow {
            id: rec.id().as_str(),
            kind: rec.kind().as_str(),
            name: rec.name(),
            subkind,
            territory: territory.map(|t| t.as_str()),
            owner: owner.map(|t| t.as_str()),
            lat: point.map(|p| p.lat),
            lon: point.map(|p| p.lon),
            source: &prov.source,
            created_at,
            updated_at,
            data,
            search,
        })
    }
}

impl EntityRow<'_> {
    /// Parameters of `INSERT_ENTITY` (`first`: the id) and of the update
    /// (`first`: the rowid): ?1, then the columns from kind to search as
    /// ?2 to ?13, and the batch as ?14.
    fn params<'p>(&'p self, first: &'p dyn ToSql, batch: &'p i64) -> [&'p dyn ToSql; 14] {
        [
            first,
            &self.kind,
            &self.name,
            &self.subkind,
            &self.territory,
            &self.owner,
            &self.lat,
            &self.lon,
            &self.source,
            &self.created_at,
            &self.updated_at,
            &self.data,
            &self.search,
            batch,
        ]
    }
}

/// Text indexed for full-text search beyond the name (the `search` column):
/// the parts below, separated by spaces, written into one string.
fn search_text(e: &Entity) -> String {
    let mut out = String::new();
    let mut first = true;
    let mut part = |out: &mut String, text: &str| {
        if !std::mem::take(&mut first) {
            out.push(' ');
        }
        out.push_str(text);
    };
    if let Some(d) = e.description() {
        part(&mut out, d);
    }
    match e {
        Entity::Place(p) => {
            // The address on one line, as `Address::one_line` writes it.
            part(&mut out, "");
            let a = &p.address;
            let lines = [&a.street, &a.complement, &a.postcode, &a.city];
            for (i, line) in lines.into_iter().flatten().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(line);
            }
            if let Some(c) = &p.insee_code {
                part(&mut out, c);
            }
        }
        Entity::Commons(c) => {
            for cat in &c.categories {
                part(&mut out, cat);
            }
            if let Some(l) = &c.license {
                part(&mut out, l);
            }
        }
        Entity::Territory(t) => {
            part(&mut out, &t.code);
            for p in &t.postcodes {
                part(&mut out, p);
            }
        }
        Entity::Actor(a) => {
            for (_, v) in a.identifiers.pairs() {
                part(&mut out, v);
            }
        }
        Entity::Relation(_) => {}
    }
    out
}

impl<'a> Writer<'a> {
    /// Inserts `e`, or updates the stored record with the same id when it
    /// says something different. A record that says the same facts is left
    /// alone (its change time does not move). On update the original
    /// creation time is kept.
    pub fn upsert(&mut self, e: &Entity) -> Result<Outcome> {
        self.upsert_with(e, None)
    }

    /// [`Writer::upsert`] for a record prepared with [`prepare`].
    pub fn upsert_prepared(&mut self, p: &Prepared) -> Result<Outcome> {
        self.upsert_with(&p.entity, Some((&p.data, &p.search)))
    }

    fn upsert_with(&mut self, e: &Entity, pre: Option<(&str, &str)>) -> Result<Outcome> {
        let outcome = match e {
            Entity::Relation(r) => self.upsert_relation(e, r)?,
            _ => self.upsert_entity(e, pre)?,
        };
        // References to records written earlier in the batch are known
        // good; the others are checked once, before commit.
        for (field, target) in e.references() {
            if !self.written.contains(target.as_str()) {
                self.pending_refs
                    .push((e.id().to_string(), field, target.to_string()));
            }
        }
        self.written.insert(e.id().as_str().to_string());
        if outcome != Outcome::Unchanged {
            self.note_changed(e.id().as_str());
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

    fn existing_relation(&self, id: &str) -> Result<Option<(i64, Entity, Option<i64>)>> {
        let row: Option<(i64, String, Option<i64>)> = self
            .tx
            .prepare_cached("SELECT rowid, data, batch FROM relation WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(rowid, data, batch)| Ok((rowid, decode(id, &data)?, batch)))
            .transpose()
    }

    fn stored_entity(&self, id: &str) -> Result<Option<Stored>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT e.rowid, e.search, e.batch, {} FROM entity e WHERE e.id = ?1",
            codec::ENTITY_COLUMNS
        ))?;
        let mut rows = stmt.query([id])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let entity = codec::entity_from_row(r, 3)?;
        Ok(Some(Stored {
            rowid: r.get(0)?,
            name: entity.name().to_string(),
            search: r.get(1)?,
            batch: r.get(2)?,
            entity,
        }))
    }

    /// Keeps a state this batch replaces or removes in `version`, with
    /// the batch that wrote it; not when this batch wrote it itself (the
    /// history keeps the states between batches).
    fn keep_version(&self, e: &Entity, written_by: Option<i64>) -> Result<()> {
        if written_by == Some(self.batch) {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO version (record, state, batch, replaced_by) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                e.id().as_str(),
                codec::full_json(e)?,
                written_by,
                self.batch
            ])?;
        Ok(())
    }

    fn note_changed(&mut self, id: &str) {
        if let Some(ids) = &mut self.changed {
            if ids.iter().any(|x| x == id) {
                return;
            }
            if ids.len() < BATCH_RECORDS_MAX {
                ids.push(id.to_string());
            } else {
                self.changed = None;
            }
        }
    }

    /// The transaction, for the store's own modules that write beside
    /// the records in the same batch (a proposal's decision, its audit
    /// entry).
    pub(crate) fn tx(&self) -> &Transaction<'a> {
        &self.tx
    }

    /// This batch's row in `batch`.
    pub(crate) fn batch(&self) -> i64 {
        self.batch
    }

    /// Counts a record written beside the entities (a public action
    /// record, `support`) in the batch's summary and list of changes.
    pub(crate) fn tally(&mut self, id: &str, outcome: Outcome) {
        if outcome != Outcome::Unchanged {
            self.note_changed(id);
        }
        match outcome {
            Outcome::Inserted => self.summary.inserted += 1,
            Outcome::Updated => self.summary.updated += 1,
            Outcome::Unchanged => self.summary.unchanged += 1,
        }
    }

    fn upsert_entity(&mut self, e: &Entity, pre: Option<(&str, &str)>) -> Result<Outcome> {
        // Insert first: on a new record (the common case of an import) this
        // costs one B-tree descent instead of a look-up and an insert.
        if self.insert_entity(e, pre)? {
            return Ok(Outcome::Inserted);
        }
        let id = e.id().as_str();
        let Some(old) = self.stored_entity(id)? else {
            return Err(StoreError::database(format!(
                "record {id} vanished during the write"
            )));
        };
        if old.entity.same_facts(e) {
            return Ok(Outcome::Unchanged);
        }
        let mut rec = e.clone();
        rec.provenance_mut().created_at = old.entity.provenance().created_at;
        let (data, search) = (codec::entity_data(&rec)?, search_text(&rec));
        self.index_pending()?;
        self.keep_version(&old.entity, old.batch)?;
        let row = EntityRow::of(&rec, &data, &search, &mut self.stamps)?;
        unindex_text(&self.tx, old.rowid, &old.name, &old.search)?;
        self.tx
            .prepare_cached(
                "UPDATE entity SET kind=?2, name=?3, subkind=?4, territory=?5, owner=?6,
                 lat=?7, lon=?8, source=?9, created_at=?10, updated_at=?11, data=?12,
                 search=?13, batch=?14
                 WHERE rowid=?1",
            )?
            .execute(row.params(&old.rowid, &self.batch))?;
        index_text(&self.tx, old.rowid, row.name, row.search)?;
        Ok(Outcome::Updated)
    }

    /// Inserts `e` unless a record with its id exists; true if inserted.
    fn insert_entity(&mut self, e: &Entity, pre: Option<(&str, &str)>) -> Result<bool> {
        let owned;
        let (data, search) = match pre {
            Some(pre) => pre,
            None => {
                owned = (codec::entity_data(e)?, search_text(e));
                (owned.0.as_str(), owned.1.as_str())
            }
        };
        let row = EntityRow::of(e, data, search, &mut self.stamps)?;
        let n = self.insert.execute(row.params(&row.id, &self.batch))?;
        if n == 0 {
            return Ok(false);
        }
        // New records are indexed in steps, while the rows just written
        // are still in the page cache and the step's postings fit in
        // memory; the rest at the end of the batch.
        let rowid = self.tx.last_insert_rowid();
        match self.unindexed_from {
            None => self.unindexed_from = Some(rowid),
            Some(from) if rowid - from + 1 >= INDEX_STEP => self.index_pending()?,
            Some(_) => {}
        }
        Ok(true)
    }

    /// Adds the records inserted since the last call to the full-text
    /// index, in one statement: new rows have the rowids after the largest
    /// there was, so they are the rows from `unindexed_from` on. Called
    /// before anything changes an indexed row, and at the end of the batch.
    fn index_pending(&mut self) -> Result<()> {
        if let Some(from) = self.unindexed_from.take() {
            self.tx
                .prepare_cached(
                    "INSERT INTO entity_fts (rowid, name, search)
                     SELECT rowid, name, search FROM entity WHERE rowid >= ?1",
                )?
                .execute([from])?;
        }
        Ok(())
    }

    fn upsert_relation(&mut self, e: &Entity, r: &Relation) -> Result<Outcome> {
        let id = r.id.as_str();
        let existing = self.existing_relation(id)?;
        let mut rec = e.clone();
        let (outcome, rowid) = match &existing {
            Some((_, old, _)) if old.same_facts(e) => return Ok(Outcome::Unchanged),
            Some((rowid, old, batch)) => {
                rec.provenance_mut().created_at = old.provenance().created_at;
                self.keep_version(old, *batch)?;
                (Outcome::Updated, Some(*rowid))
            }
            None => (Outcome::Inserted, None),
        };
        let prov = rec.provenance();
        let data = codec::full_json(&rec)?;
        if let Some(rowid) = rowid {
            self.tx
                .prepare_cached("DELETE FROM relation WHERE rowid = ?1")?
                .execute([rowid])?;
        }
        self.tx
            .prepare_cached(
                "INSERT INTO relation (id, subject, kind, object, role, since, until, source,
                 created_at, updated_at, data, batch)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
                self.batch,
            ])?;
        Ok(outcome)
    }

    /// Removes a record and the relations that touch it; their last
    /// states stay in their histories.
    pub fn remove(&mut self, id: &EntityId) -> Result<bool> {
        self.index_pending()?;
        let id = id.as_str();
        let relations: Vec<String> = self
            .tx
            .prepare_cached("SELECT id FROM relation WHERE id = ?1 OR subject = ?1 OR object = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.tx.execute(
            "INSERT INTO version (record, state, batch, replaced_by)
             SELECT id, data, batch, ?2 FROM relation
             WHERE (id = ?1 OR subject = ?1 OR object = ?1) AND batch IS NOT ?2",
            params![id, self.batch],
        )?;
        let n = self.tx.execute(
            "DELETE FROM relation WHERE id = ?1 OR subject = ?1 OR object = ?1",
            [id],
        )?;
        for r in &relations {
            self.written.remove(r.as_str());
            self.note_changed(r);
        }
        self.removed_count += n as u64;
        self.written.remove(id);
        if let Some(old) = self.stored_entity(id)? {
            self.keep_version(&old.entity, old.batch)?;
            unindex_text(&self.tx, old.rowid, &old.name, &old.search)?;
            self.tx
                .execute("DELETE FROM entity WHERE rowid = ?1", [old.rowid])?;
            self.removed.push(id.to_string());
            self.removed_count += 1;
            self.note_changed(id);
            return Ok(true);
        }
        Ok(n > 0)
    }

    /// Every reference written in the batch points at a record, and no
    /// record still points at one the batch removed. SQLite's foreign keys
    /// say the same at commit; this check says which record and field, and
    /// it is the only one during a bulk load, which runs without them.
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
        for target in &self.removed {
            if self.written.contains(target) {
                continue;
            }
            let child: Option<(String, bool)> = self
                .tx
                .prepare_cached(
                    "SELECT id, territory IS ?1 FROM entity WHERE territory = ?1 OR owner = ?1
                     LIMIT 1",
                )?
                .query_row([target], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((id, by_territory)) = child {
                let kind = EntityId::parse(&id).map(|i| i.kind()).ok();
                let field = match (by_territory, kind) {
                    (true, Some(EntityKind::Territory)) => "department",
                    (true, _) => "territory",
                    (false, Some(EntityKind::Territory)) => "parent",
                    (false, _) => "actor",
                };
                return Err(StoreError::Dangling {
                    id,
                    field,
                    target: target.clone(),
                });
            }
            if let Some((id, field)) = crate::support::pointing_at(&self.tx, target)? {
                return Err(StoreError::Dangling {
                    id,
                    field,
                    target: target.clone(),
                });
            }
        }
        Ok(())
    }
}

/// A stored record with the text of its full-text index entry.
struct Stored {
    rowid: i64,
    entity: Entity,
    name: String,
    search: String,
    /// The batch that wrote it (`None`: before history was kept).
    batch: Option<i64>,
}

/// Adds a record's name and search text to the full-text index.
fn index_text(tx: &Transaction<'_>, rowid: i64, name: &str, search: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO entity_fts (rowid, name, search) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, name, search])?;
    Ok(())
}

/// Takes a record out of the full-text index, which must be told the text
/// it was indexed with (the index keeps no copy of it).
fn unindex_text(tx: &Transaction<'_>, rowid: i64, name: &str, search: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO entity_fts (entity_fts, rowid, name, search) VALUES ('delete', ?1, ?2, ?3)",
    )?
    .execute(params![rowid, name, search])?;
    Ok(())
}

fn exists_in(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM entity WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Secondary indexes of the `entity` and `relation` tables, as (name, SQL).
fn secondary_indexes(tx: &Transaction<'_>) -> Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name IN ('entity', 'relation') AND sql IS NOT NULL",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Batches at least this large, and larger than what is stored, are
/// loaded with secondary indexes dropped and rebuilt at the end (sorting
/// once is much cheaper than inserting at random into six B-trees).
const BULK_THRESHOLD: usize = 10_000;
/// New records are added to the full-text index in steps of this many.
/// One step at the end of a large batch costs more than several along the
/// way: FTS5 flushes and merges smaller segments, and the rows to read
/// are still in the page cache.
const INDEX_STEP: i64 = 8192;
/// Most ids the set of a batch's written records is sized for in advance.
const BULK_SET_MAX: usize = 4_000_000;
/// Page cache of a bulk load, in KiB (the default is about 2 MiB).
const BULK_CACHE_KIB: i64 = 64 * 1024;

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
        self.write_bulk(source, format, file, 0, f)
    }

    /// Like [`Store::write`], for a batch of about `expected` records: a
    /// large batch into a smaller registry rebuilds the secondary indexes
    /// once at the end instead of updating them record by record. Still one
    /// transaction: a failure or a kill leaves everything as it was.
    pub fn write_bulk<T>(
        &mut self,
        source: &str,
        format: &str,
        file: Option<&str>,
        expected: usize,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<(T, WriteSummary)> {
        self.try_write_bulk(source, format, file, expected, f)
    }

    /// Like [`Store::write_bulk`], for a caller with reasons of its own to
    /// abandon the batch (an import whose file turns out invalid, a thread
    /// that failed): `f` returns any error `E` a store error converts
    /// into, and that error comes back as it is, with nothing written.
    pub fn try_write_bulk<T, E: From<StoreError>>(
        &mut self,
        source: &str,
        format: &str,
        file: Option<&str>,
        expected: usize,
        f: impl FnOnce(&mut Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, WriteSummary), E> {
        self.write_change(&Change::import(source, format, file), expected, f)
    }

    /// Like [`Store::try_write_bulk`], for any change: who makes it and
    /// how is what the batch log and the histories of the records it
    /// writes keep.
    pub fn write_change<T, E: From<StoreError>>(
        &mut self,
        change: &Change<'_>,
        expected: usize,
        f: impl FnOnce(&mut Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, WriteSummary), E> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            }
            .into());
        }
        // A large batch into a smaller registry is a bulk load: secondary
        // indexes are rebuilt once at the end and the page cache is
        // enlarged for the batch. It stays in the write-ahead log, so
        // that commands reading the registry meanwhile read what it held
        // before (a rollback journal would be a little faster for a load
        // but keeps readers out once the writer's cache spills).
        let bulk = expected >= BULK_THRESHOLD && {
            let stored: i64 = self
                .conn
                .query_row("SELECT count(*) FROM entity", [], |r| r.get(0))
                .map_err(StoreError::from)?;
            expected as i64 >= stored
        };
        if bulk {
            self.enter_bulk_mode()?;
        }
        let result = self.write_batch(change, bulk, expected, f);
        if bulk {
            self.leave_bulk_mode()?;
        }
        result
    }

    fn enter_bulk_mode(&mut self) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        // Index rebuilds sort with helper threads.
        self.conn.pragma_update(None, "threads", 2)?;
        // The writer checks every reference itself before commit
        // (`check_references`); SQLite's per-row foreign key look-ups
        // would do it a second time (about 8 % of the writing).
        self.conn.pragma_update(None, "foreign_keys", false)?;
        Ok(())
    }

    /// The usual settings after a bulk load.
    fn leave_bulk_mode(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "foreign_keys", true)?;
        self.conn.pragma_update(None, "cache_size", -2000)?;
        self.conn.pragma_update(None, "threads", 0)?;
        Ok(())
    }

    fn write_batch<T, E: From<StoreError>>(
        &mut self,
        change: &Change<'_>,
        bulk: bool,
        expected: usize,
        f: impl FnOnce(&mut Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, WriteSummary), E> {
        let (mut w, dropped) = self.begin_batch(change, bulk, expected)?;
        // If `f` fails, the writer is dropped with its transaction, which
        // rolls back.
        let value = f(&mut w)?;
        let summary = w.finish_batch(&dropped)?;
        Ok((value, summary))
    }

    /// Opens a batch's transaction; a bulk load drops the secondary
    /// indexes, returned with the SQL that makes them again.
    fn begin_batch(
        &self,
        change: &Change<'_>,
        bulk: bool,
        expected: usize,
    ) -> Result<(Writer<'_>, Vec<(String, String)>)> {
        // The transaction and the batch's insert statement both borrow the
        // connection (what `Connection::transaction` would do with an
        // exclusive borrow, which the statement could then not share).
        // `BEGIN IMMEDIATE`: the write lock is taken now, waiting for
        // another writer if need be (see `busy`).
        let (action, format) = (change.action, change.format);
        let what = match change.file {
            Some(f) => format!("{action} ({format}, {f})"),
            None => format!("{action} ({format})"),
        };
        let (note, tx) = crate::busy::begin(&self.conn, &self.path, &what)?;
        // The batch's row first: the rows it writes name it.
        tx.prepare_cached(
            "INSERT INTO batch (source, format, file, started_at, action, account, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            change.source,
            format,
            change.file,
            ts(&change.at),
            action,
            change.account,
            change.note
        ])?;
        let batch = tx.last_insert_rowid();
        let mut dropped = Vec::new();
        if bulk {
            dropped = secondary_indexes(&tx)?;
            for (name, _) in &dropped {
                tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "")))?;
            }
        }
        let insert = self.conn.prepare(INSERT_ENTITY)?;
        let w = Writer {
            note,
            tx,
            insert,
            summary: WriteSummary::default(),
            // Sized for the batch: growing a set of a million ids rehashes
            // it twenty times.
            written: HashSet::with_capacity_and_hasher(
                expected.min(BULK_SET_MAX),
                Default::default(),
            ),
            pending_refs: Vec::new(),
            removed: Vec::new(),
            unindexed_from: None,
            stamps: Stamps::default(),
            batch,
            changed: Some(Vec::new()),
            removed_count: 0,
        };
        Ok((w, dropped))
    }
}

impl Writer<'_> {
    /// Ends a batch: the last records indexed, dropped indexes made again,
    /// references checked, the batch logged, the transaction committed.
    fn finish_batch(mut self, dropped: &[(String, String)]) -> Result<WriteSummary> {
        self.index_pending()?;
        for (_, sql) in dropped {
            self.tx.execute_batch(sql)?;
        }
        self.check_references()?;
        let s = self.summary;
        let records = match &self.changed {
            Some(ids) => Some(
                serde_json::to_string(ids)
                    .map_err(|e| StoreError::database_because("listing a batch's records", e))?,
            ),
            None => None,
        };
        self.tx.execute(
            "UPDATE batch SET inserted = ?2, updated = ?3, unchanged = ?4, removed = ?5,
             records = ?6 WHERE rowid = ?1",
            params![
                self.batch,
                s.inserted as i64,
                s.updated as i64,
                s.unchanged as i64,
                self.removed_count as i64,
                records
            ],
        )?;
        drop(self.note);
        self.tx.commit()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::search_text;
    use archipel_domain::Entity;

    /// The search text as it was first written: every part collected,
    /// then joined with spaces. `search_text` writes the same string
    /// without the intermediate copies, and must keep doing so: the stored
    /// text is what removes a record's entries from the full-text index.
    fn joined(e: &Entity) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = e.description() {
            parts.push(d.to_string());
        }
        match e {
            Entity::Place(p) => {
                parts.push(p.address.one_line());
                parts.extend(p.insee_code.clone());
            }
            Entity::Commons(c) => {
                parts.extend(c.categories.iter().cloned());
                parts.extend(c.license.clone());
            }
            Entity::Territory(t) => {
                parts.push(t.code.clone());
                parts.extend(t.postcodes.iter().cloned());
            }
            Entity::Actor(a) => {
                parts.extend(a.identifiers.pairs().iter().map(|(_, v)| v.to_string()));
            }
            Entity::Relation(_) => {}
        }
        parts.join(" ")
    }

    #[test]
    fn search_text_is_the_parts_joined_by_spaces() {
        let prov = serde_json::json!({
            "source": "test", "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"
        });
        let records = [
            serde_json::json!({"type": "place", "id": "place:t:a", "name": "A",
                "description": "Ateliers", "address": {"street": "1 rue X",
                "postcode": "29200", "city": "Brest"}, "insee_code": "29019"}),
            serde_json::json!({"type": "place", "id": "place:t:b", "name": "B",
                "address": {"complement": "Bât. C"}}),
            serde_json::json!({"type": "place", "id": "place:t:c", "name": "C",
                "description": "", "address": {}}),
            serde_json::json!({"type": "commons", "id": "commons:t:d", "name": "D",
                "kind": "software", "description": "Un logiciel",
                "categories": ["SIG", "cartographie"], "license": "AGPL-3.0-or-later"}),
            serde_json::json!({"type": "commons", "id": "commons:t:e", "name": "E",
                "kind": "dataset"}),
            serde_json::json!({"type": "territory", "id": "territory:t:f", "name": "F",
                "level": "commune", "code": "29019"}),
            serde_json::json!({"type": "territory", "id": "territory:t:f2", "name": "F2",
                "level": "commune", "code": "75056", "postcodes": ["75001", "75002"]}),
            serde_json::json!({"type": "actor", "id": "actor:t:g", "name": "G",
                "nature": "organisation", "identifiers": {"siret": "21290019700010",
                "wikidata": "Q12193"}}),
            serde_json::json!({"type": "actor", "id": "actor:t:h", "name": "H",
                "nature": "organisation", "description": "Association"}),
        ];
        for mut r in records {
            r["provenance"] = prov.clone();
            let e: Entity =
                serde_json::from_value(r.clone()).unwrap_or_else(|err| panic!("{r}: {err}"));
            assert_eq!(search_text(&e), joined(&e), "{r}");
        }
    }
}
