//! The network of a territory's scope, as plain rows: what
//! `archipel-network` builds its graph from.
//!
//! Nodes are the actors and places of the scope — attached to the
//! territory or to one below it (the same walk as `scope_stats`,
//! [`crate::scope::TREE`]), or tied to one of those territories by a live
//! `located_in` relation (a branch office, an area of action) — and the
//! commons related to any of them. Links are the relations that have not
//! ended on the day asked (no `until`, or `until` that day or later, as
//! `scope_stats` counts them) between two nodes, and a place's operator
//! (`operates`, the place's `actor`) when the operator is a node. Grants
//! are those of the scope as [`crate::SupportFigures`] counts them: a
//! grant whose `territory`, or else its giver's, is in scope. Events
//! (trainings included) likewise: an event whose `territory`, or else its
//! organiser's, is in scope, with its organiser, its place and how many
//! came (the attendance is counted by kind, not by actor: the registry
//! cannot say which actors came, only who organised it and where).
//!
//! Everything is read in one snapshot; memory grows with the scope, not
//! with the registry: the relations are read through their subject and
//! object indexes node by node when the scope is small against the
//! registry, in one pass over the table otherwise.

use crate::scope::TREE;
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, EntityId, EntityKind};
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};

/// A node of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetNode {
    pub id: String,
    /// `Actor`, `Place` or `Commons`.
    pub kind: EntityKind,
    pub name: String,
    /// Actor kind (`actor_kinds`), commons kind (`commons_kinds`); none for
    /// a place.
    pub subkind: Option<String>,
    /// An actor's typology keys.
    pub typology: Vec<String>,
    /// An actor whose `nature` is `person`.
    pub person: bool,
    /// Whether its own `territory` is in scope (false for a record brought
    /// in by `located_in` only, and for commons, which have no territory).
    pub on_territory: bool,
}

/// A relation between two nodes (or a place's operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetLink {
    pub subject: String,
    pub object: String,
    /// Key of `relation_types`; `operates` for a place's operator.
    pub kind: String,
    /// The relation's `since`, else the day it entered the registry (for
    /// an operator: the day the place did).
    pub start: Option<NaiveDate>,
}

/// A grant of the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetGrant {
    pub beneficiary: String,
    /// What the beneficiary receives.
    pub cents: i64,
}

/// An event (a training, a meetup…) of the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetEvent {
    /// The actor organising it.
    pub organiser: String,
    /// The registry's place where it happens, if any.
    pub place: Option<String>,
    /// How many came (`attendance.total`; 0 when not recorded).
    pub attendees: u64,
}

/// What [`Store::scope_network`] hands over, in this order: every node,
/// then every link, then every grant, then every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetItem {
    Node(NetNode),
    Link(NetLink),
    Grant(NetGrant),
    Event(NetEvent),
}

impl NetEvent {
    fn of(e: &archipel_domain::Event) -> NetEvent {
        NetEvent {
            organiser: e.organiser.as_str().to_string(),
            place: e.place.as_ref().map(|p| p.as_str().to_string()),
            attendees: e.attendance.as_ref().map_or(0, |a| u64::from(a.total)),
        }
    }
}

/// A relation row read from the registry.
struct Row {
    subject: String,
    object: String,
    kind: String,
    start: Option<NaiveDate>,
}

fn day(text: Option<String>) -> Option<NaiveDate> {
    let t = text?;
    NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok()
}

const LIVE: &str = "(r.until IS NULL OR r.until >= ?2)";
const REL_COLS: &str = "r.subject, r.object, r.kind, coalesce(r.since, r.created_at)";
const NODE_COLS: &str = "e.id, e.kind, e.name, e.subkind, e.territory, e.owner, \
     json_extract(e.data, '$.nature'), json_extract(e.data, '$.typology'), e.created_at";

fn relation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        subject: r.get(0)?,
        object: r.get(1)?,
        kind: r.get(2)?,
        start: day(r.get(3)?),
    })
}

/// A node row and what it says besides the node: its owner (a place's
/// operator) and the day it entered the registry.
fn node_row(
    r: &rusqlite::Row<'_>,
    tree: &FxHashSet<String>,
) -> rusqlite::Result<(NetNode, Option<String>, Option<NaiveDate>)> {
    let kind: String = r.get(1)?;
    let kind = match kind.as_str() {
        "actor" => EntityKind::Actor,
        "place" => EntityKind::Place,
        _ => EntityKind::Commons,
    };
    let territory: Option<String> = r.get(4)?;
    let nature: Option<String> = r.get(6)?;
    let typology: Option<String> = r.get(7)?;
    let typology = typology
        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default();
    let node = NetNode {
        id: r.get(0)?,
        kind,
        name: r.get(2)?,
        subkind: r.get(3)?,
        typology,
        person: nature.as_deref() == Some("person"),
        on_territory: kind != EntityKind::Commons
            && territory.as_ref().is_some_and(|t| tree.contains(t)),
    };
    let owner = if kind == EntityKind::Place {
        r.get(5)?
    } else {
        None
    };
    Ok((node, owner, day(r.get(8)?)))
}

impl Store {
    /// The network of `territory` and everything below it on `on` (see the
    /// module's documentation), handed to `f` one item at a time: nodes
    /// by id, then links, then grants, then events (by id). `Ok(false)` when there is no such
    /// territory (and `f` was not called).
    pub fn scope_network<E: From<StoreError>>(
        &self,
        territory: &EntityId,
        on: NaiveDate,
        mut f: impl FnMut(NetItem) -> std::result::Result<(), E>,
    ) -> std::result::Result<bool, E> {
        self.in_snapshot(|s| s.scope_network_in(territory, on, &mut f))
    }

    fn scope_network_in<E: From<StoreError>>(
        &self,
        territory: &EntityId,
        on: NaiveDate,
        f: &mut dyn FnMut(NetItem) -> std::result::Result<(), E>,
    ) -> std::result::Result<bool, E> {
        let Some((mut nodes, links)) = self.network_rows(territory, on)? else {
            return Ok(false);
        };
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        for n in nodes {
            f(NetItem::Node(n))?;
        }
        for l in links {
            f(NetItem::Link(NetLink {
                subject: l.subject,
                object: l.object,
                kind: l.kind,
                start: l.start,
            }))?;
        }
        for a in self.network_actions(territory)? {
            match a {
                Action::Grant(g) => f(NetItem::Grant(NetGrant {
                    beneficiary: g.beneficiary.as_str().to_string(),
                    cents: g.received_cents(),
                }))?,
                Action::Event(e) => f(NetItem::Event(NetEvent::of(&e)))?,
                _ => {}
            }
        }
        Ok(true)
    }

    fn is_territory(&self, id: &EntityId) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM entity WHERE id = ?1 AND kind = 'territory'")?
            .exists([id.as_str()])?)
    }

    fn network_rows(
        &self,
        territory: &EntityId,
        on: NaiveDate,
    ) -> Result<Option<(Vec<NetNode>, Vec<Row>)>> {
        if !self.is_territory(territory)? {
            return Ok(None);
        }
        let id = territory.as_str();
        // Every query takes the territory (or a node) as `?1` and the day
        // as `?2`.
        let on = on.format("%Y-%m-%d").to_string();
        let mut tree = FxHashSet::default();
        {
            let mut stmt = self
                .conn
                .prepare_cached(&format!("{TREE} SELECT id FROM tree"))?;
            let mut rows = stmt.query([id])?;
            while let Some(r) = rows.next()? {
                tree.insert(r.get::<_, String>(0)?);
            }
        }
        // Actors and places: attached to the scope, or located in it.
        let mut nodes: Vec<NetNode> = Vec::new();
        let mut index: FxHashMap<String, usize> = FxHashMap::default();
        let mut operators: Vec<Row> = Vec::new();
        for sql in [
            format!(
                "{TREE} SELECT {NODE_COLS} FROM entity e
                 WHERE (e.kind = 'actor' OR e.kind = 'place')
                   AND e.territory IN (SELECT id FROM tree) AND ?2 IS NOT NULL"
            ),
            format!(
                "{TREE} SELECT DISTINCT {NODE_COLS} FROM relation r JOIN entity e ON e.id = r.subject
                 WHERE r.kind = 'located_in' AND r.object IN (SELECT id FROM tree)
                   AND (e.kind = 'actor' OR e.kind = 'place') AND {LIVE}"
            ),
        ] {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([id, on.as_str()])?;
            while let Some(r) = rows.next()? {
                let (node, owner, created) = node_row(r, &tree)?;
                if index.contains_key(&node.id) {
                    continue;
                }
                if let Some(o) = owner {
                    operators.push(Row {
                        subject: o,
                        object: node.id.clone(),
                        kind: "operates".to_string(),
                        start: created,
                    });
                }
                index.insert(node.id.clone(), nodes.len());
                nodes.push(node);
            }
        }
        let scope_len = nodes.len();

        // Relations with an end among them; those between two commons are
        // kept aside until the commons are known.
        let mut touching: Vec<Row> = Vec::new();
        let mut between_commons: Vec<Row> = Vec::new();
        let commons_end = |id: &str| id.starts_with("commons:");
        let mut keep = |row: Row, touching: &mut Vec<Row>| {
            let a = index.contains_key(&row.subject);
            let b = index.contains_key(&row.object);
            if (a && (b || commons_end(&row.object))) || (b && commons_end(&row.subject)) {
                touching.push(row);
            } else if commons_end(&row.subject) && commons_end(&row.object) {
                between_commons.push(row);
            }
        };
        let total: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(rowid), 0) FROM relation")?
            .query_row([], |r| r.get(0))?;
        if crate::scope::through_indexes(scope_len as u64, total) {
            let mut by_subject = self.conn.prepare_cached(&format!(
                "SELECT {REL_COLS} FROM relation r WHERE r.subject = ?1 AND {LIVE}"
            ))?;
            let mut by_object = self.conn.prepare_cached(&format!(
                "SELECT {REL_COLS} FROM relation r WHERE r.object = ?1 AND r.subject <> ?1 AND {LIVE}"
            ))?;
            for n in &nodes {
                for stmt in [&mut by_subject, &mut by_object] {
                    let mut rows = stmt.query([n.id.as_str(), on.as_str()])?;
                    while let Some(r) = rows.next()? {
                        let row = relation_row(r)?;
                        // A relation between two nodes is read from both
                        // ends: keep it once, from its subject.
                        if index.contains_key(&row.subject)
                            && row.object == n.id
                            && row.subject != n.id
                        {
                            continue;
                        }
                        keep(row, &mut touching);
                    }
                }
            }
        } else {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {REL_COLS} FROM relation r WHERE ?1 IS NULL AND {LIVE}"
            ))?;
            let mut rows = stmt.query(rusqlite::params![None::<String>, on.as_str()])?;
            while let Some(r) = rows.next()? {
                keep(relation_row(r)?, &mut touching);
            }
        }

        // The commons related to them.
        let mut commons: Vec<String> = Vec::new();
        {
            let mut seen = FxHashSet::default();
            for r in &touching {
                for end in [&r.subject, &r.object] {
                    if !index.contains_key(end.as_str()) && seen.insert(end.as_str()) {
                        commons.push(end.clone());
                    }
                }
            }
        }
        commons.sort();
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {NODE_COLS} FROM entity e WHERE e.id = ?1"))?;
        for c in commons {
            let mut rows = stmt.query([c.as_str()])?;
            if let Some(r) = rows.next()? {
                let (node, _, _) = node_row(r, &tree)?;
                index.insert(node.id.clone(), nodes.len());
                nodes.push(node);
            }
        }
        if scope_len < nodes.len() {
            // Relations between two of those commons.
            if crate::scope::through_indexes(scope_len as u64, total) {
                let mut by_subject = self.conn.prepare_cached(&format!(
                    "SELECT {REL_COLS} FROM relation r
                     WHERE r.subject = ?1 AND r.object LIKE 'commons:%' AND {LIVE}"
                ))?;
                for n in &nodes[scope_len..] {
                    let mut rows = by_subject.query([n.id.as_str(), on.as_str()])?;
                    while let Some(r) = rows.next()? {
                        between_commons.push(relation_row(r)?);
                    }
                }
            }
            let commons_nodes = &index;
            touching.extend(between_commons.into_iter().filter(|r| {
                r.subject != r.object
                    && commons_nodes
                        .get(&r.subject)
                        .is_some_and(|i| *i >= scope_len)
                    && commons_nodes
                        .get(&r.object)
                        .is_some_and(|i| *i >= scope_len)
            }));
        }
        touching.extend(
            operators
                .into_iter()
                .filter(|o| index.contains_key(&o.subject)),
        );
        Ok(Some((nodes, touching)))
    }

    /// The scope's grants, then its events, each by id: those whose
    /// `territory`, else their giver's (a grant's giver, an event's
    /// organiser), is in scope.
    fn network_actions(&self, territory: &EntityId) -> Result<Vec<Action>> {
        let sql = format!(
            "{TREE} SELECT a.id, a.data FROM action a
             LEFT JOIN entity g ON g.id = a.giver
             WHERE (a.kind = 'grant' OR a.kind = 'event')
               AND coalesce(a.territory, g.territory) IN (SELECT id FROM tree)
             ORDER BY a.kind = 'event', a.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([territory.as_str()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let data: String = r.get(1)?;
            let action: Action = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
                id: id.clone(),
                source: e.into(),
            })?;
            out.push(action);
        }
        Ok(out)
    }
}

impl crate::AsOf {
    /// The network of `territory` and everything below it in the registry
    /// on its day (`Store::registry_at`): the same rules as
    /// [`Store::scope_network`], applied to the records that count on the
    /// day in their state of the day, the relations that hold on it. A
    /// link's start is its `since` (the registry at a date keeps no entry
    /// day for relations; undated relations give no year to newcomers).
    /// Nodes by id, then links, then grants, then events (those that
    /// began by the day); `None` when the territory does not count on the
    /// day.
    pub fn scope_network(&self, territory: &EntityId) -> Option<Vec<NetItem>> {
        let id = territory.as_str();
        self.entity(id)
            .filter(|t| t.kind == EntityKind::Territory)?;
        let tree = crate::scope::tree_at(self, id);
        let on_tree = |t: &Option<String>| t.as_deref().is_some_and(|t| tree.contains(t));
        let mut in_scope: FxHashSet<&str> = FxHashSet::default();
        let mut brought: FxHashSet<&str> = FxHashSet::default();
        for e in self.entities() {
            if matches!(e.kind, EntityKind::Actor | EntityKind::Place) && on_tree(&e.territory) {
                in_scope.insert(&e.id);
            }
        }
        for r in &self.relations {
            if r.kind == "located_in" && tree.contains(&*r.object) {
                if let Some(e) = self.entity(&r.subject) {
                    if matches!(e.kind, EntityKind::Actor | EntityKind::Place) {
                        brought.insert(&r.subject);
                    }
                }
            }
        }
        in_scope.extend(brought);
        let is_commons = |id: &str| {
            self.entity(id)
                .is_some_and(|e| e.kind == EntityKind::Commons)
        };
        let mut commons: FxHashSet<&str> = FxHashSet::default();
        for r in &self.relations {
            let (s, o) = (&*r.subject, &*r.object);
            if in_scope.contains(s) && is_commons(o) {
                commons.insert(o);
            } else if in_scope.contains(o) && is_commons(s) {
                commons.insert(s);
            }
        }
        let node = |id: &str| in_scope.contains(id) || commons.contains(id);
        let mut ids: Vec<&str> = in_scope.iter().chain(commons.iter()).copied().collect();
        ids.sort_unstable();
        let mut items = Vec::new();
        for id in &ids {
            let Some(e) = self.entity(id) else { continue };
            items.push(NetItem::Node(NetNode {
                id: id.to_string(),
                kind: e.kind,
                name: e.name.clone(),
                subkind: if e.kind == EntityKind::Place {
                    None
                } else {
                    e.subkind.clone()
                },
                typology: e.typology.clone(),
                person: e.person,
                on_territory: e.kind != EntityKind::Commons && on_tree(&e.territory),
            }));
        }
        for r in &self.relations {
            if r.subject != r.object && node(&r.subject) && node(&r.object) {
                items.push(NetItem::Link(NetLink {
                    subject: r.subject.to_string(),
                    object: r.object.to_string(),
                    kind: r.kind.clone(),
                    start: r.since,
                }));
            }
        }
        for id in &ids {
            let Some(e) = self.entity(id) else { continue };
            if e.kind == EntityKind::Place {
                if let Some(o) = e.owner.as_deref().filter(|o| in_scope.contains(o)) {
                    items.push(NetItem::Link(NetLink {
                        subject: o.to_string(),
                        object: id.to_string(),
                        kind: "operates".to_string(),
                        start: None,
                    }));
                }
            }
        }
        let in_tree = |a: &Action, giver: &EntityId| {
            a.territory()
                .map(EntityId::as_str)
                .or_else(|| {
                    self.entity(giver.as_str())
                        .and_then(|x| x.territory.as_deref())
                })
                .is_some_and(|t| tree.contains(t))
        };
        let mut events = Vec::new();
        for a in &self.actions {
            match &**a {
                Action::Grant(g) if in_tree(a, &g.giver) => {
                    items.push(NetItem::Grant(NetGrant {
                        beneficiary: g.beneficiary.as_str().to_string(),
                        cents: g.received_cents(),
                    }));
                }
                Action::Event(e) if in_tree(a, &e.organiser) => {
                    events.push((e.id.as_str(), NetEvent::of(e)));
                }
                _ => {}
            }
        }
        events.sort_by(|a, b| a.0.cmp(b.0));
        items.extend(events.into_iter().map(|(_, e)| NetItem::Event(e)));
        Some(items)
    }
}
