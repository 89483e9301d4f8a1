//! Filtered, sorted, paginated reads for the web and the open data API:
//! list pages, full-text search with facet counts, points in a bounding
//! box, and the names of a set of records.
//!
//! Filters combine with AND. A territory filter takes in the territories
//! below it (a department finds the actors of its communes). A "related
//! to" filter keeps the records that have a relation with a given record,
//! and the places run by such actors.

use crate::codec;
use crate::read::Count;
use crate::search::excerpt;
use crate::{Result, Store, StoreError};
use archipel_domain::{Entity, EntityId, EntityKind};
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::HashMap;

/// Conditions on records; every one that is set must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Entity kind (territory, actor, place or commons).
    pub kind: Option<EntityKind>,
    /// Sub-kind: actor kind, commons kind or territory level.
    pub subkind: Option<String>,
    /// Key of the `typology` vocabulary (actors).
    pub typology: Option<String>,
    /// A territory; records in it or in a territory below it match.
    pub territory: Option<EntityId>,
    /// SPDX licence expression, compared as written (commons).
    pub licence: Option<String>,
    /// Records that have a relation with this one, either way, and the
    /// places run by actors that have one.
    pub related_to: Option<EntityId>,
}

/// Orders of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Name,
    NameDesc,
    Updated,
    UpdatedDesc,
}

/// A page of records of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filter: Filter,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
}

/// A page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub total: u64,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// A page of `items` out of exactly `total`.
    pub fn new(total: u64, items: Vec<T>) -> Page<T> {
        Page { total, items }
    }

    /// No records.
    pub fn empty() -> Page<T> {
        Page::new(0, Vec::new())
    }
}

/// Full-text search (optional text) with filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetedQuery {
    /// Words to find; empty lists every record that passes the filters.
    pub text: String,
    pub filter: Filter,
    pub limit: usize,
    pub offset: usize,
}

/// Counts of the matching records along each facet. Each facet is counted
/// with every filter but its own, so that the other values stay reachable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub kind: Vec<Count>,
    pub actor_kind: Vec<Count>,
    pub commons_kind: Vec<Count>,
    pub typology: Vec<Count>,
    /// Keys are territory ids; see [`Facets::territory_names`].
    pub territory: Vec<Count>,
    pub territory_names: Vec<(String, String)>,
    pub licence: Vec<Count>,
}

/// A record reduced to what a list, a link or a map marker needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    pub updated_at: String,
    /// For search hits: an excerpt around the match in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// The records of a kind (or of every kind) in the order of a list by
/// name, [`Store::name_order`]: made once, it pages through them without
/// sorting them again. It holds only row numbers (8 bytes a record) and
/// stays valid until the registry changes; the caller keys it on that.
#[derive(Debug, Clone, PartialEq)]
pub struct NameOrder {
    kind: Option<EntityKind>,
    rows: std::sync::Arc<[i64]>,
}

impl NameOrder {
    /// How many records it orders.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The kind it orders (`None`: every kind).
    pub fn kind(&self) -> Option<EntityKind> {
        self.kind
    }
}

/// Records with coordinates inside a box.
#[derive(Debug, Clone, PartialEq)]
pub struct BboxQuery {
    /// West, south, east, north in degrees (WGS 84); `None` for the world.
    pub bbox: Option<[f64; 4]>,
    /// Kinds to include (places and actors have coordinates).
    pub kinds: Vec<EntityKind>,
    pub filter: Filter,
    pub limit: usize,
}

/// A WHERE clause under construction, with numbered parameters.
#[derive(Default)]
struct Sql {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Sql {
    fn param(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Which filter dimension to leave out (for facet counts).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    None,
    Kind,
    Subkind,
    Typology,
    Territory,
    Licence,
}

fn add_filter(sql: &mut Sql, f: &Filter, skip: Skip) {
    if skip != Skip::Kind {
        match f.kind {
            Some(EntityKind::Relation) => sql.push("0".into()),
            Some(k) => {
                let p = sql.param(k.as_str().to_string());
                sql.push(format!("e.kind = {p}"));
            }
            None => {}
        }
    }
    if skip != Skip::Subkind {
        if let Some(s) = &f.subkind {
            let p = sql.param(s.clone());
            sql.push(format!("e.subkind = {p}"));
        }
    }
    if skip != Skip::Typology {
        if let Some(t) = &f.typology {
            let p = sql.param(t.clone());
            sql.push(format!(
                "e.kind = 'actor' AND EXISTS (SELECT 1 FROM json_each(e.data, '$.typology') j WHERE j.value = {p})"
            ));
        }
    }
    if skip != Skip::Territory {
        if let Some(t) = &f.territory {
            let p = sql.param(t.as_str().to_string());
            let tree = crate::scope::tree(&p);
            sql.push(format!(
                "(e.territory IN ({tree} SELECT id FROM tree)
                  OR (e.kind = 'territory' AND e.id IN ({tree} SELECT id FROM tree WHERE id <> {p})))"
            ));
        }
    }
    if skip != Skip::Licence {
        if let Some(l) = &f.licence {
            let p = sql.param(l.clone());
            sql.push(format!(
                "e.kind = 'commons' AND json_extract(e.data, '$.license') = {p}"
            ));
        }
    }
    if let Some(r) = &f.related_to {
        let p = sql.param(r.as_str().to_string());
        sql.push(format!(
            "(e.id IN (SELECT subject FROM relation WHERE object = {p} UNION SELECT object FROM relation WHERE subject = {p})
              OR (e.kind = 'place' AND e.owner IN (SELECT subject FROM relation WHERE object = {p} UNION SELECT object FROM relation WHERE subject = {p})))"
        ));
    }
}

pub(crate) fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    Ok(Summary {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        subkind: r.get(3)?,
        lat: r.get(4)?,
        lon: r.get(5)?,
        updated_at: r.get(6)?,
        excerpt: None,
    })
}

pub(crate) const SUMMARY_COLS: &str = "e.id, e.kind, e.name, e.subkind, e.lat, e.lon, e.updated_at";

/// The words of a search and the stamp of the index their matches were
/// found in.
pub(crate) type MatchesKey = (Vec<String>, Vec<u8>);

/// The search matches joined to their records. A few thousand matches
/// drive the join (CROSS JOIN keeps them the outer loop): left to itself,
/// SQLite may walk a whole index of `entity` and look each row up among
/// them (about 115 ms instead of 5 for facet counts over 376 matches with
/// a kind chosen). Over more, its choice of index wins (89 ms instead of 216 for
/// 62,697 matches with an actor kind chosen). See BENCHMARKS.md, Web.
fn matches_join(matches: usize) -> &'static str {
    if matches <= 10_000 {
        "temp.search_match m CROSS JOIN entity e ON e.rowid = m.rid"
    } else {
        "temp.search_match m JOIN entity e ON e.rowid = m.rid"
    }
}

/// Column `i` of `r` as text, without a copy; `None` when NULL.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| StoreError::database_because(format!("column {i}"), e))
}

/// The `top` keys of `tally` by decreasing count, then by key (as SQLite
/// orders them: byte by byte).
fn top_counts(tally: HashMap<String, u64>, top: usize) -> Vec<Count> {
    let mut v: Vec<Count> = tally
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    v.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v.truncate(top);
    v
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Name => "ORDER BY e.name COLLATE NOCASE, e.id",
        Sort::NameDesc => "ORDER BY e.name COLLATE NOCASE DESC, e.id DESC",
        // Ties by row, which the index on the change time keeps in order.
        Sort::Updated => "ORDER BY e.updated_at, e.rowid",
        Sort::UpdatedDesc => "ORDER BY e.updated_at DESC, e.rowid DESC",
    }
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// How many records pass `filter`, and the statement (with its
    /// parameters) selecting `cols` of one page of them in `sort` order.
    fn filtered_sql(
        &self,
        filter: &Filter,
        cols: &str,
        sort: Sort,
        limit: usize,
        offset: usize,
    ) -> Result<(u64, String, Vec<Value>)> {
        let mut sql = Sql::default();
        add_filter(&mut sql, filter, Skip::None);
        let w = sql.where_clause();
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM entity e {w}"))?
            .query_row(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))?;
        let lim = sql.param(to_i64(limit));
        let off = sql.param(to_i64(offset));
        let select = format!(
            "SELECT {cols} FROM entity e {w} {} LIMIT {lim} OFFSET {off}",
            order_by(sort)
        );
        Ok((to_u64(total), select, sql.params))
    }

    /// One page of the records that pass `q.filter`, in the order asked,
    /// and how many pass in all. Relations are not listed here.
    pub fn list_page(&self, q: &ListQuery) -> Result<Page<Entity>> {
        let (total, select, params) =
            self.filtered_sql(&q.filter, codec::ENTITY_COLUMNS, q.sort, q.limit, q.offset)?;
        let mut stmt = self.conn.prepare_cached(&select)?;
        let items =
            crate::read::entity_rows(stmt.query(rusqlite::params_from_iter(params.iter()))?)?;
        Ok(Page::new(total, items))
    }

    /// Records matching the words of `q.text` (accents and case ignored,
    /// each word a prefix) and the filters, best first; with no words,
    /// every record that passes the filters, by name. See
    /// [`crate::search`] for how matches are found and ranked.
    pub fn search_page(&self, q: &FacetedQuery) -> Result<Page<Summary>> {
        let words = crate::index::words(&q.text);
        if words.is_empty() {
            return self.filtered_page(q);
        }
        let only_kind = Filter {
            kind: q.filter.kind,
            ..Filter::default()
        };
        if q.filter == only_kind {
            return self.indexed_page(q, &words);
        }
        // Other filters: the matches go to a temporary table, and SQL
        // applies the filters and the same order as the in-memory path.
        let from = matches_join(self.load_matches(&words)?);
        let mut sql = Sql::default();
        add_filter(&mut sql, &q.filter, Skip::None);
        let w = sql.where_clause();
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM {from} {w}"))?
            .query_row(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))?;
        let lim = sql.param(to_i64(q.limit));
        let off = sql.param(to_i64(q.offset));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS}, json_extract(e.data, '$.description') FROM {from} {w}
             ORDER BY m.in_name DESC, length(e.name), e.rowid LIMIT {lim} OFFSET {off}"
        ))?;
        let items = stmt
            .query_map(rusqlite::params_from_iter(sql.params.iter()), |r| {
                let mut s = summary_row(r)?;
                let description: Option<String> = r.get(7)?;
                s.excerpt = description.and_then(|d| excerpt(&d, &q.text));
                Ok(s)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Page::new(to_u64(total), items))
    }

    /// Fills the temporary table `search_match` (row id, whether the name
    /// holds every word) with the records matching `words`, of any kind,
    /// unless it already holds them for the index as it is now.
    fn load_matches(&self, words: &[String]) -> Result<usize> {
        let index = self.index()?;
        let key = (words.to_vec(), index.stamp().to_vec());
        if let Some((loaded, n)) = self.loaded_matches.borrow().as_ref() {
            if *loaded == key {
                return Ok(*n);
            }
        }
        let found = index.find_all(words, None);
        let tx = self.conn.unchecked_transaction()?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS search_match (
               rid INTEGER PRIMARY KEY, in_name INTEGER NOT NULL);
             DELETE FROM temp.search_match;",
        )?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO temp.search_match (rid, in_name) VALUES (?1, ?2)")?;
            let mut in_name = found.name.iter().peekable();
            for &d in &found.all {
                let named = in_name.next_if_eq(&&d).is_some();
                insert.execute(rusqlite::params![index.rowid(d), named])?;
            }
        }
        tx.commit()?;
        *self.loaded_matches.borrow_mut() = Some((key, found.all.len()));
        Ok(found.all.len())
    }

    /// [`Store::search_page`] answered from the in-memory index (words and
    /// at most a kind).
    fn indexed_page(&self, q: &FacetedQuery, words: &[String]) -> Result<Page<Summary>> {
        let index = self.index()?;
        let found = index.find_all(words, q.filter.kind);
        let rowids = index.page(&found, q.offset, q.limit);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS}, json_extract(e.data, '$.description'), e.rowid
             FROM entity e WHERE e.rowid IN (SELECT value FROM json_each(?1))"
        ))?;
        let list = serde_json::to_string(&rowids)
            .map_err(|e| StoreError::database_because("encoding row ids", e))?;
        let mut by_rowid: HashMap<i64, Summary> = stmt
            .query_map([list], |r| {
                let mut s = summary_row(r)?;
                let description: Option<String> = r.get(7)?;
                s.excerpt = description.and_then(|d| excerpt(&d, &q.text));
                Ok((r.get::<_, i64>(8)?, s))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let items = rowids.iter().filter_map(|r| by_rowid.remove(r)).collect();
        Ok(Page::new(found.all.len() as u64, items))
    }

    /// Every record that passes the filters, by name (a search without
    /// words).
    fn filtered_page(&self, q: &FacetedQuery) -> Result<Page<Summary>> {
        let (total, select, params) =
            self.filtered_sql(&q.filter, SUMMARY_COLS, Sort::Name, q.limit, q.offset)?;
        let items = self
            .conn
            .prepare_cached(&select)?
            .query_map(rusqlite::params_from_iter(params.iter()), summary_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Page::new(total, items))
    }

    /// Facet counts for the records [`Store::search_page`] would find.
    /// At most `top` values per facet, by decreasing count.
    pub fn facets(&self, q: &FacetedQuery, top: usize) -> Result<Facets> {
        let words = crate::index::words(&q.text);
        let f = &q.filter;
        let narrowed = f.kind.is_some()
            || f.subkind.is_some()
            || f.typology.is_some()
            || f.territory.is_some()
            || f.licence.is_some();
        let mut facets = if words.is_empty() {
            self.facets_by_group(q, top, "entity e")?
        } else {
            let from = matches_join(self.load_matches(&words)?);
            if narrowed {
                self.facets_by_group(q, top, from)?
            } else {
                self.facets_in_one_pass(f, top, from)?
            }
        };
        let ids: Vec<&str> = facets.territory.iter().map(|c| c.key.as_str()).collect();
        let names = self.summaries(&ids)?;
        facets.territory_names = facets
            .territory
            .iter()
            .map(|c| {
                let name = names
                    .get(&c.key)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| c.key.clone());
                (c.key.clone(), name)
            })
            .collect();
        Ok(facets)
    }

    /// Facets with one `GROUP BY` per facet, each leaving out its own
    /// filter so that its other values stay offered. Without words the
    /// indexes on the grouped columns answer them; with a filter set,
    /// SQLite starts from the filtered column's index.
    fn facets_by_group(&self, q: &FacetedQuery, top: usize, from: &str) -> Result<Facets> {
        let count = |skip: Skip, key: &str, extra: &str, from_extra: &str| -> Result<Vec<Count>> {
            let mut sql = Sql::default();
            add_filter(&mut sql, &q.filter, skip);
            if !extra.is_empty() {
                sql.push(extra.to_string());
            }
            let lim = sql.param(to_i64(top));
            let s = format!(
                "SELECT {key} AS k, count(*) AS n FROM {from}{from_extra} {} GROUP BY k HAVING k IS NOT NULL ORDER BY n DESC, k LIMIT {lim}",
                sql.where_clause()
            );
            let mut stmt = self.conn.prepare_cached(&s)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(sql.params.iter()), |r| {
                Ok(Count {
                    key: r.get(0)?,
                    count: to_u64(r.get::<_, i64>(1)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        Ok(Facets {
            kind: count(Skip::Kind, "e.kind", "", "")?,
            actor_kind: count(Skip::Subkind, "e.subkind", "e.kind = 'actor'", "")?,
            commons_kind: count(Skip::Subkind, "e.subkind", "e.kind = 'commons'", "")?,
            typology: count(
                Skip::Typology,
                "j.value",
                "e.kind = 'actor'",
                ", json_each(e.data, '$.typology') j",
            )?,
            territory: count(Skip::Territory, "e.territory", "", "")?,
            territory_names: Vec::new(),
            licence: count(
                Skip::Licence,
                "json_extract(e.data, '$.license')",
                "e.kind = 'commons'",
                "",
            )?,
        })
    }

    /// Facets of the search matches when no facet is chosen: every facet
    /// counts the same records, so one pass over them counts all six
    /// (six `GROUP BY`s over tens of thousands of matches would look each
    /// of them up six times). Only `related_to` still applies.
    fn facets_in_one_pass(&self, f: &Filter, top: usize, from: &str) -> Result<Facets> {
        let mut sql = Sql::default();
        let related = Filter {
            related_to: f.related_to.clone(),
            ..Filter::default()
        };
        add_filter(&mut sql, &related, Skip::None);
        let select = format!(
            "SELECT e.kind, e.subkind, e.territory,
                    CASE e.kind WHEN 'actor' THEN json_extract(e.data, '$.typology')
                                WHEN 'commons' THEN json_extract(e.data, '$.license') END
             FROM {from} {}",
            sql.where_clause()
        );
        fn add(tally: &mut HashMap<String, u64>, key: &str) {
            match tally.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    tally.insert(key.to_string(), 1);
                }
            }
        }
        let mut tally: [HashMap<String, u64>; 6] = Default::default();
        let [kind, actor_kind, commons_kind, typology, territory, licence] = &mut tally;
        let mut stmt = self.conn.prepare_cached(&select)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(sql.params.iter()))?;
        while let Some(r) = rows.next()? {
            let Some(k) = text(r, 0)? else { continue };
            add(kind, k);
            if let Some(t) = text(r, 2)? {
                add(territory, t);
            }
            let sub = text(r, 1)?;
            let extra = text(r, 3)?;
            match k {
                "actor" => {
                    if let Some(s) = sub {
                        add(actor_kind, s);
                    }
                    if let Some(json) = extra {
                        let keys: Vec<&str> = serde_json::from_str(json).unwrap_or_default();
                        for key in keys {
                            add(typology, key);
                        }
                    }
                }
                "commons" => {
                    if let Some(s) = sub {
                        add(commons_kind, s);
                    }
                    if let Some(l) = extra {
                        add(licence, l);
                    }
                }
                _ => {}
            }
        }
        let [kind, actor_kind, commons_kind, typology, territory, licence] =
            tally.map(|t| top_counts(t, top));
        Ok(Facets {
            kind,
            actor_kind,
            commons_kind,
            typology,
            territory,
            territory_names: Vec::new(),
            licence,
        })
    }

    /// Records with coordinates inside `q.bbox` that pass the filters, by
    /// id, at most `q.limit`; `total` counts them all.
    pub fn in_bbox(&self, q: &BboxQuery) -> Result<Page<Summary>> {
        let mut sql = Sql::default();
        sql.push("e.lat IS NOT NULL AND e.lon IS NOT NULL".into());
        // The latitude index narrows a box to a band; without a box, any
        // plan will do.
        let mut index = "";
        if let Some([w, s, e, n]) = q.bbox {
            index = "INDEXED BY entity_geo";
            let (ps, pn) = (sql.param(s), sql.param(n));
            sql.push(format!("e.lat BETWEEN {ps} AND {pn}"));
            let (pw, pe) = (sql.param(w), sql.param(e));
            if w <= e {
                sql.push(format!("e.lon BETWEEN {pw} AND {pe}"));
            } else {
                // A box across the antimeridian.
                sql.push(format!("(e.lon >= {pw} OR e.lon <= {pe})"));
            }
        }
        if !q.kinds.is_empty() {
            let ps: Vec<String> = q
                .kinds
                .iter()
                .map(|k| sql.param(k.as_str().to_string()))
                .collect();
            sql.push(format!("e.kind IN ({})", ps.join(", ")));
        }
        add_filter(&mut sql, &q.filter, Skip::None);
        let w = sql.where_clause();
        let count_params = sql.params.clone();
        let lim = sql.param(to_i64(q.limit));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entity e {index} {w} ORDER BY e.rowid LIMIT {lim}"
        ))?;
        let items = stmt
            .query_map(rusqlite::params_from_iter(sql.params.iter()), summary_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Count only when the limit cut the list.
        let total = if items.len() < q.limit {
            items.len() as u64
        } else {
            let n: i64 = self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM entity e {index} {w}"))?
                .query_row(rusqlite::params_from_iter(count_params.iter()), |r| {
                    r.get(0)
                })?;
            to_u64(n)
        };
        Ok(Page::new(total, items))
    }

    /// The records of `kind` (every kind but relations when `None`) in the
    /// order of [`Sort::Name`], as [`Store::list_page`] and a search with
    /// no words list them. Sorting costs a read of every record's name
    /// (a quarter of a second for 50,000 actors here); paging through the
    /// result costs a look-up per record shown, at any depth.
    pub fn name_order(&self, kind: Option<EntityKind>) -> Result<NameOrder> {
        let mut sql = Sql::default();
        add_filter(
            &mut sql,
            &Filter {
                kind,
                ..Filter::default()
            },
            Skip::None,
        );
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.rowid FROM entity e {} {}",
            sql.where_clause(),
            order_by(Sort::Name)
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(NameOrder {
            kind,
            rows: rows.into(),
        })
    }

    /// The rows at `offset..offset + limit` of `order` (or backwards from
    /// the end when `descending`), as row numbers in the order to show.
    fn order_slice(order: &NameOrder, offset: usize, limit: usize, descending: bool) -> Vec<i64> {
        let n = order.rows.len();
        let start = offset.min(n);
        let end = offset.saturating_add(limit).min(n);
        if descending {
            (start..end).map(|i| order.rows[n - 1 - i]).collect()
        } else {
            order.rows[start..end].to_vec()
        }
    }

    /// One page of the records `order` holds, by name (reversed when
    /// `descending`), as [`Store::list_page`] gives them with that kind
    /// alone as filter. Records removed since the order was made are left
    /// out.
    pub fn list_in_order(
        &self,
        order: &NameOrder,
        descending: bool,
        limit: usize,
        offset: usize,
    ) -> Result<Page<Entity>> {
        let rows = Self::order_slice(order, offset, limit, descending);
        let list = serde_json::to_string(&rows)
            .map_err(|e| StoreError::database_because("the page's rows as JSON", e))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {}, e.rowid FROM entity e WHERE e.rowid IN (SELECT value FROM json_each(?1))",
            codec::ENTITY_COLUMNS
        ))?;
        let mut found = stmt.query([list])?;
        let mut by_row: HashMap<i64, Entity> = HashMap::new();
        while let Some(r) = found.next()? {
            by_row.insert(r.get(11)?, codec::entity_from_row(r, 0)?);
        }
        let items = rows.iter().filter_map(|r| by_row.remove(r)).collect();
        Ok(Page::new(order.len() as u64, items))
    }

    /// [`Store::list_in_order`] as summaries, as [`Store::search_page`]
    /// gives them for a search with no words and at most a kind.
    pub fn summaries_in_order(
        &self,
        order: &NameOrder,
        limit: usize,
        offset: usize,
    ) -> Result<Page<Summary>> {
        let rows = Self::order_slice(order, offset, limit, false);
        let list = serde_json::to_string(&rows)
            .map_err(|e| StoreError::database_because("the page's rows as JSON", e))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS}, e.rowid FROM entity e
             WHERE e.rowid IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut by_row: HashMap<i64, Summary> = stmt
            .query_map([list], |r| Ok((r.get::<_, i64>(7)?, summary_row(r)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let items = rows.iter().filter_map(|r| by_row.remove(r)).collect();
        Ok(Page::new(order.len() as u64, items))
    }

    /// One page of relations, by id, and how many there are.
    pub fn relations_page(&self, limit: usize, offset: usize) -> Result<Page<Entity>> {
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM relation")?
            .query_row([], |r| r.get(0))?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, data FROM relation ORDER BY id LIMIT ?1 OFFSET ?2")?;
        let mut rows = stmt.query(rusqlite::params![to_i64(limit), to_i64(offset)])?;
        let mut items = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let data: String = r.get(1)?;
            items.push(codec::decode(&id, &data)?);
        }
        Ok(Page::new(to_u64(total), items))
    }

    /// Summaries of the records with these ids (those that exist), by id.
    pub fn summaries(&self, ids: &[&str]) -> Result<HashMap<String, Summary>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(400) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {SUMMARY_COLS} FROM entity e WHERE e.id IN ({marks})"
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(chunk.iter()), summary_row)?;
            for s in rows {
                let s = s?;
                out.insert(s.id.clone(), s);
            }
        }
        Ok(out)
    }

    /// The territory `id` and those above it, from the top (region) down.
    pub fn territory_path(&self, id: &EntityId) -> Result<Vec<Summary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH RECURSIVE up(id, depth) AS (
                 SELECT ?1, 0
                 UNION SELECT t.owner, up.depth + 1 FROM entity t JOIN up ON t.id = up.id
                 WHERE t.kind = 'territory' AND t.owner IS NOT NULL AND up.depth < 16)
             SELECT {SUMMARY_COLS} FROM up JOIN entity e ON e.id = up.id ORDER BY up.depth DESC"
        ))?;
        let rows = stmt.query_map([id.as_str()], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Number of records of each kind (relations included), in the order
    /// of [`EntityKind::ALL`].
    pub fn kind_counts(&self) -> Result<Vec<Count>> {
        EntityKind::ALL
            .iter()
            .map(|k| {
                Ok(Count {
                    key: k.as_str().to_string(),
                    count: self.count(*k)?,
                })
            })
            .collect()
    }

    /// Records of `kind` per sub-kind (actor kind, commons kind, level),
    /// by decreasing count.
    pub fn subkind_counts(&self, kind: EntityKind) -> Result<Vec<Count>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(subkind, 'unset') AS k, count(*) AS n FROM entity WHERE kind = ?1
             GROUP BY k ORDER BY n DESC, k",
        )?;
        let rows = stmt.query_map([kind.as_str()], |r| {
            Ok(Count {
                key: r.get(0)?,
                count: to_u64(r.get::<_, i64>(1)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records whose `owner` column is `id` (places an actor runs, the
    /// territories directly below a territory), by name, at most `limit`.
    pub fn owned_by(&self, id: &EntityId, limit: usize) -> Result<Page<Summary>> {
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM entity WHERE owner = ?1")?
            .query_row([id.as_str()], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entity e WHERE e.owner = ?1
             ORDER BY e.name COLLATE NOCASE, e.id LIMIT ?2"
        ))?;
        let items = stmt
            .query_map(rusqlite::params![id.as_str(), to_i64(limit)], summary_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Page::new(to_u64(total), items))
    }

    /// A number that changes whenever the registry changes (any write,
    /// from this process or another): the count of write batches and the
    /// latest change time. Callers use it to validate caches.
    pub fn revision(&self) -> Result<String> {
        let (batches, latest): (i64, Option<String>) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM batch), (SELECT max(updated_at) FROM entity)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(format!("{batches}-{}", latest.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archipel_domain::{Actor, Commons, Identifiers, Nature, Provenance};

    fn actor(local: &str, name: &str) -> Entity {
        Entity::Actor(Actor {
            id: EntityId::new(EntityKind::Actor, "t", local).unwrap(),
            name: name.into(),
            nature: Nature::Organisation,
            kind: None,
            typology: vec![],
            description: None,
            identifiers: Identifiers::default(),
            website: None,
            email: None,
            territory: None,
            location: None,
            provenance: Provenance::new("t", chrono::Utc::now()),
        })
    }

    fn commons(local: &str, name: &str) -> Entity {
        Entity::Commons(Commons {
            id: EntityId::new(EntityKind::Commons, "t", local).unwrap(),
            name: name.into(),
            kind: "software".into(),
            description: None,
            repository_url: None,
            website_url: None,
            license: None,
            publiccode: None,
            categories: vec![],
            identifiers: Identifiers::default(),
            details: Default::default(),
            provenance: Provenance::new("t", chrono::Utc::now()),
        })
    }

    #[test]
    fn pages_of_a_name_order_are_the_pages_of_a_list_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("o.db")).unwrap();
        // Case, accents, equal names (ties broken by id) and two kinds.
        let names = [
            "médiathèque",
            "Médiathèque",
            "MEDIATHEQUE",
            "zèbre",
            "Abeille",
            "abeille",
            "Éole",
            "eole",
            "Zoo",
            "b",
            "B",
            "ä",
            "a",
        ];
        store
            .write("t", "t", None, |w| {
                for (i, n) in names.iter().enumerate() {
                    w.upsert(&actor(&format!("a{i}"), n))?;
                    w.upsert(&actor(&format!("z{i}"), n))?;
                    w.upsert(&commons(&format!("c{i}"), n))?;
                }
                Ok(())
            })
            .unwrap();
        for kind in [Some(EntityKind::Actor), Some(EntityKind::Commons), None] {
            let order = store.name_order(kind).unwrap();
            assert_eq!(order.kind(), kind);
            for sort in [Sort::Name, Sort::NameDesc] {
                for (limit, offset) in [(5, 0), (5, 5), (7, 20), (50, 0), (3, 38), (3, 100)] {
                    let q = ListQuery {
                        filter: Filter {
                            kind,
                            ..Filter::default()
                        },
                        sort,
                        limit,
                        offset,
                    };
                    let ordered = store
                        .list_in_order(&order, sort == Sort::NameDesc, limit, offset)
                        .unwrap();
                    if kind.is_some() {
                        assert_eq!(
                            ordered,
                            store.list_page(&q).unwrap(),
                            "{kind:?} {sort:?} {offset}"
                        );
                    }
                    if sort == Sort::Name {
                        let searched = store
                            .search_page(&FacetedQuery {
                                text: String::new(),
                                filter: q.filter.clone(),
                                limit,
                                offset,
                            })
                            .unwrap();
                        assert_eq!(
                            store.summaries_in_order(&order, limit, offset).unwrap(),
                            searched,
                            "{kind:?} {offset}"
                        );
                        let ids: Vec<String> =
                            ordered.items.iter().map(|e| e.id().to_string()).collect();
                        let sids: Vec<String> =
                            searched.items.iter().map(|s| s.id.clone()).collect();
                        assert_eq!(ids, sids);
                    }
                }
            }
        }
    }
}
