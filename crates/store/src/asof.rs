//! The registry at a date: what it held on a past day, read from its own
//! dates — the undo log of migration 0007 (`version`, `batch`), the
//! relations' `since` and `until`, the public action records' days.
//!
//! [`Store::timeline`] reads the whole registry once, inside one snapshot,
//! into compact spans (a few facts per state, not the records' JSON);
//! [`Timeline::at`] then answers for any day without reading the registry
//! again, so that a series of dates costs one read. [`Store::registry_at`]
//! does both for one day. The figures of `stats --territory --at`
//! ([`AsOf::scope_stats`]) and the network of a territory at a date read
//! the same [`AsOf`].
//!
//! # What counts on day D (days in UTC)
//!
//! * **An entity** (actor, place, commons) counts on D when its first known
//!   day is on or before D and it was not removed on or before D. Its first
//!   known day is the earliest of: the day it entered the registry (its
//!   first state's creation time, or the time of the change that wrote
//!   that state, whichever is earlier) and the `since` of the earliest dated
//!   relation it takes part in, in any state the registry kept (a dated
//!   relation is the registry's own evidence that it existed then). A
//!   removed record counts until the day of the change that removed it,
//!   that day excluded, in its last state; a record removed and made again
//!   does not count in between.
//! * **A territory** is the frame of the figures, not a fact of the
//!   ecosystem: it counts on every day before it was removed (before it
//!   entered the registry, in its first state). A commune does not begin to
//!   exist when its division is imported.
//! * **Its attributes on D** are those of the state valid on D: the first
//!   state replaced after D (by a change made after D), else the current
//!   one; on a day before its first state was written, that first state.
//!   Kind, territory, typology, nature, parent: all come from that state.
//! * **A relation** counts on D when its first known day (its entry, or its
//!   `since` when earlier) is on or before D, it was not removed on or
//!   before D, the state valid on D holds on D (`Relation::active_on`: its
//!   `since` on or before D, its `until` on or after D), and both its ends
//!   count on D.
//! * **Public action**: a grant counts from its `dateConvention`, a call
//!   from its opening day (a call without one from the day it entered the
//!   registry); both keep counting afterwards (the figures add up what was
//!   given and opened so far). An application counts from its submission,
//!   an event from its first day, hardware from the day it was lent or
//!   given (a loan is *out* on D when lent by D and not yet returned), a
//!   hosting and a post while live on D (from `since` to `until`). Their
//!   states are not versioned: the current record is the one read.

use crate::codec;
use crate::scope::{self, ScopeQuery, ScopeStats};
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, Entity, EntityKind, GeoPoint, Nature};
use chrono::{DateTime, NaiveDate, Utc};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::Arc;

/// What figures read of an entity's state (not its whole record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityFacts {
    pub id: Arc<str>,
    pub kind: EntityKind,
    pub name: String,
    /// An actor's kind, a commons' kind, a territory's level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkind: Option<String>,
    /// An actor's or a place's territory; a territory's department (the
    /// `territory` column of `entity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// A place's operator; a territory's parent (the `owner` column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// An actor who is a person.
    pub person: bool,
    /// An actor's typology keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub typology: Vec<String>,
    /// An actor with an RNA number.
    pub rna: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    /// A territory's INSEE code or SIREN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A territory's population.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// A made-up territory.
    pub fictional: bool,
    /// The state's change time, as the registry writes it.
    pub updated_at: String,
}

impl EntityFacts {
    /// The facts of a record's state.
    pub fn of(e: &Entity) -> EntityFacts {
        let p = e.provenance();
        let mut f = EntityFacts {
            id: Arc::from(e.id().as_str()),
            kind: e.kind(),
            name: e.name().to_string(),
            subkind: None,
            territory: None,
            owner: None,
            person: false,
            typology: Vec::new(),
            rna: false,
            location: None,
            code: None,
            population: None,
            fictional: false,
            updated_at: crate::write::ts(&p.updated_at),
        };
        match e {
            Entity::Territory(t) => {
                f.subkind = Some(t.level.clone());
                f.territory = t.department.as_ref().map(|x| x.to_string());
                f.owner = t.parent.as_ref().map(|x| x.to_string());
                f.code = Some(t.code.clone());
                f.population = t.population;
                f.fictional = t.fictional;
            }
            Entity::Actor(a) => {
                f.subkind = a.kind.clone();
                f.territory = a.territory.as_ref().map(|x| x.to_string());
                f.person = a.nature == Nature::Person;
                f.typology = a.typology.clone();
                f.rna = a.identifiers.rna.is_some();
                f.location = a.location;
            }
            Entity::Place(pl) => {
                f.territory = pl.territory.as_ref().map(|x| x.to_string());
                f.owner = pl.actor.as_ref().map(|x| x.to_string());
                f.location = pl.location;
            }
            Entity::Commons(c) => f.subkind = Some(c.kind.clone()),
            Entity::Relation(_) => {}
        }
        f
    }
}

/// What figures read of a relation's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationFacts {
    pub id: Arc<str>,
    pub subject: Arc<str>,
    /// Key of the `relation_types` vocabulary.
    pub kind: String,
    pub object: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl RelationFacts {
    /// Whether the relation holds on `day` (open ends hold), as
    /// `Relation::active_on`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= day) && self.until.is_none_or(|u| day <= u)
    }
}

/// A state and the days it is valid: from `from` (`None`: always before)
/// to `to`, excluded (`None`: still).
#[derive(Debug, Clone)]
struct Span<T> {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    facts: Arc<T>,
    /// A relation's state: the places of its subject and object among the
    /// timeline's entities ([`NOT_AN_ENTITY`] when it names none); unused
    /// otherwise.
    ends: [u32; 2],
}

/// The place of a relation's end that is no entity of the timeline.
const NOT_AN_ENTITY: u32 = u32::MAX;

impl<T> Span<T> {
    fn holds(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day < t)
    }
}

/// One record's states, oldest first.
type Spans<T> = Vec<Span<T>>;

/// The state valid on `day` among a record's spans, if any.
fn valid_on<T>(spans: &Spans<T>, day: NaiveDate) -> Option<&Span<T>> {
    spans.iter().rev().find(|s| s.holds(day))
}

/// The registry's records with the days each of their states is valid:
/// read once by [`Store::timeline`], asked about any day by
/// [`Timeline::at`].
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// By id.
    entities: Vec<Spans<EntityFacts>>,
    /// Entity id → its place in `entities`.
    places: Arc<FxHashMap<Arc<str>, u32>>,
    relations: Vec<Spans<RelationFacts>>,
    actions: Vec<Span<Action>>,
}

/// The registry on one day: the entities, relations and public action
/// records that count on it, in their state of that day (see the
/// module's documentation).
///
/// Entities are kept by their place in the timeline (in id order), and
/// each relation knows the places of its ends, so that figures over a
/// large registry look records up by number, not by id.
#[derive(Debug, Clone)]
pub struct AsOf {
    pub day: NaiveDate,
    /// By place in the timeline (id order): the state on the day, `None`
    /// when the entity does not count on it.
    states: Vec<Option<Arc<EntityFacts>>>,
    /// Entity id → place in `states`.
    places: Arc<FxHashMap<Arc<str>, u32>>,
    /// By id.
    pub relations: Vec<Arc<RelationFacts>>,
    /// The places of each relation's subject and object in `states`
    /// (both count on the day), in the order of `relations`.
    ends: Vec<[u32; 2]>,
    /// By id.
    pub actions: Vec<Arc<Action>>,
}

impl AsOf {
    /// The entity with this id, if it counts on the day.
    pub fn entity(&self, id: &str) -> Option<&EntityFacts> {
        self.place(id).and_then(|i| self.at_place(i))
    }

    /// The entities that count on the day, by id.
    pub fn entities(&self) -> impl Iterator<Item = &EntityFacts> {
        self.states.iter().flatten().map(|f| &**f)
    }

    /// How many places [`AsOf::at_place`] answers for (entities that
    /// count on the day or not).
    pub(crate) fn places(&self) -> usize {
        self.states.len()
    }

    /// The place of the entity with this id, whether it counts on the day
    /// or not.
    pub(crate) fn place(&self, id: &str) -> Option<usize> {
        self.places.get(id).map(|&i| i as usize)
    }

    /// The entity at this place, if it counts on the day.
    pub(crate) fn at_place(&self, place: usize) -> Option<&EntityFacts> {
        self.states.get(place).and_then(|f| f.as_deref())
    }

    /// The relations with the places of their subject and object.
    pub(crate) fn relations_with_ends(&self) -> impl Iterator<Item = (&RelationFacts, [usize; 2])> {
        self.relations
            .iter()
            .zip(&self.ends)
            .map(|(r, [s, o])| (&**r, [*s as usize, *o as usize]))
    }

    /// The figures of `q.territory` and everything below it on the day;
    /// `None` when the territory does not count on it. Same figures, same
    /// rules as [`Store::scope_stats`], read from this registry.
    pub fn scope_stats(&self, q: &ScopeQuery) -> Option<ScopeStats> {
        scope::stats_at(self, q)
    }
}

impl Timeline {
    /// How many records (entities, relations, public action records) it
    /// holds, whatever their days.
    pub fn len(&self) -> usize {
        self.entities.len() + self.relations.len() + self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The registry on `day`.
    pub fn at(&self, day: NaiveDate) -> AsOf {
        let states: Vec<Option<Arc<EntityFacts>>> = self
            .entities
            .iter()
            .map(|spans| valid_on(spans, day).map(|s| s.facts.clone()))
            .collect();
        let counts = |place: u32| {
            states
                .get(place as usize)
                .is_some_and(|state| state.is_some())
        };
        let mut relations = Vec::new();
        let mut ends = Vec::new();
        for spans in &self.relations {
            let Some(s) = valid_on(spans, day) else {
                continue;
            };
            if s.facts.active_on(day) && counts(s.ends[0]) && counts(s.ends[1]) {
                relations.push(s.facts.clone());
                ends.push(s.ends);
            }
        }
        let actions = self
            .actions
            .iter()
            .filter(|s| s.holds(day))
            .map(|s| s.facts.clone())
            .collect();
        AsOf {
            day,
            states,
            places: self.places.clone(),
            relations,
            ends,
            actions,
        }
    }
}

/// The UTC day of a time the registry wrote (RFC 3339).
fn day_of(text: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc).date_naive())
}

/// A state read from the registry: the facts, the batch that wrote it
/// (`None` before histories), the batch that replaced it (`None`: the
/// current state), its creation and change days.
struct State<T> {
    facts: T,
    written: Option<i64>,
    replaced: Option<i64>,
    created: NaiveDate,
    updated: NaiveDate,
}

/// The spans of one record's states (oldest first), its first state
/// reaching back to `evidence` when that is earlier than its entry
/// (`Some(None)`: always).
fn spans_of<T>(
    states: Vec<State<T>>,
    batches: &FxHashMap<i64, NaiveDate>,
    evidence: Option<Option<NaiveDate>>,
) -> Spans<T> {
    let batch_day = |b: Option<i64>| b.and_then(|b| batches.get(&b).copied());
    let mut out: Spans<T> = Vec::with_capacity(states.len());
    for (i, s) in states.into_iter().enumerate() {
        let written = batch_day(s.written);
        let mut from = Some(match (i, written) {
            (0, Some(w)) => w.min(s.created),
            (0, None) => s.created,
            (_, Some(w)) => w,
            (_, None) => s.updated,
        });
        if i == 0 {
            from = match evidence {
                Some(None) => None,
                Some(Some(e)) => from.map(|f| f.min(e)),
                None => from,
            };
        }
        // A state replaced by a batch the registry no longer names: on the
        // day its successor was written.
        let to = match s.replaced {
            Some(b) => Some(batch_day(Some(b)).unwrap_or(s.updated)),
            None => None,
        };
        out.push(Span {
            from,
            to,
            facts: Arc::new(s.facts),
            ends: [NOT_AN_ENTITY; 2],
        });
    }
    out
}

fn corrupt(what: &str, e: impl Into<crate::Cause>) -> StoreError {
    StoreError::Corrupt {
        id: what.to_string(),
        source: e.into(),
    }
}

fn relation_facts(e: Entity) -> Option<(RelationFacts, NaiveDate, NaiveDate)> {
    let Entity::Relation(r) = e else { return None };
    Some((
        RelationFacts {
            id: Arc::from(r.id.as_str()),
            subject: Arc::from(r.subject.as_str()),
            kind: r.kind,
            object: Arc::from(r.object.as_str()),
            role: r.role,
            since: r.since,
            until: r.until,
        },
        r.provenance.created_at.date_naive(),
        r.provenance.updated_at.date_naive(),
    ))
}

impl Store {
    /// The registry on `day`; see the module's documentation.
    pub fn registry_at(&self, day: NaiveDate) -> Result<AsOf> {
        Ok(self.timeline()?.at(day))
    }

    /// The registry's records with the days their states are valid, read
    /// once inside one snapshot.
    pub fn timeline(&self) -> Result<Timeline> {
        self.in_snapshot(|s| s.timeline_now())
    }

    fn timeline_now(&self) -> Result<Timeline> {
        let mut batches: FxHashMap<i64, NaiveDate> = FxHashMap::default();
        {
            let mut stmt = self.conn.prepare("SELECT rowid, started_at FROM batch")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let at: String = r.get(1)?;
                if let Some(d) = day_of(&at) {
                    batches.insert(r.get(0)?, d);
                }
            }
        }
        // The states a change replaced or removed, by record, oldest first.
        let mut kept_entities: FxHashMap<String, Vec<State<EntityFacts>>> = FxHashMap::default();
        let mut kept_relations: FxHashMap<String, Vec<State<RelationFacts>>> = FxHashMap::default();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT record, state, batch, replaced_by FROM version ORDER BY id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let record: String = r.get(0)?;
                let state: String = r.get(1)?;
                let e = codec::decode(&record, &state)?;
                let (written, replaced): (Option<i64>, i64) = (r.get(2)?, r.get(3)?);
                if e.kind() == EntityKind::Relation {
                    if let Some((facts, created, updated)) = relation_facts(e) {
                        kept_relations.entry(record).or_default().push(State {
                            facts,
                            written,
                            replaced: Some(replaced),
                            created,
                            updated,
                        });
                    }
                } else {
                    let p = e.provenance();
                    let (created, updated) = (p.created_at.date_naive(), p.updated_at.date_naive());
                    kept_entities.entry(record).or_default().push(State {
                        facts: EntityFacts::of(&e),
                        written,
                        replaced: Some(replaced),
                        created,
                        updated,
                    });
                }
            }
        }

        // Relations: current ones with their kept states, then those
        // removed; the earliest `since` each entity takes part in.
        let mut relation_states: Vec<(String, Vec<State<RelationFacts>>)> = Vec::new();
        {
            // The current states from the relation's columns (written
            // from the record with it), not its JSON.
            let mut stmt = self.conn.prepare(
                "SELECT id, subject, kind, object, role, since, until, created_at, updated_at, batch
                 FROM relation ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let date = |i: usize, what: &str| -> Result<Option<NaiveDate>> {
                    let text: Option<String> = r.get(i)?;
                    text.map(|t| {
                        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                            .map_err(|e| corrupt(&id, format!("{what} `{t}`: {e}")))
                    })
                    .transpose()
                };
                let time = |i: usize, what: &str| -> Result<NaiveDate> {
                    let text: String = r.get(i)?;
                    day_of(&text).ok_or_else(|| corrupt(&id, format!("{what} `{text}`")))
                };
                let subject: String = r.get(1)?;
                let object: String = r.get(3)?;
                let facts = RelationFacts {
                    id: Arc::from(id.as_str()),
                    subject: Arc::from(subject),
                    kind: r.get(2)?,
                    object: Arc::from(object),
                    role: r.get(4)?,
                    since: date(5, "since")?,
                    until: date(6, "until")?,
                };
                let (created, updated) = (time(7, "created_at")?, time(8, "updated_at")?);
                let mut states = kept_relations.remove(&id).unwrap_or_default();
                states.push(State {
                    facts,
                    written: r.get(9)?,
                    replaced: None,
                    created,
                    updated,
                });
                relation_states.push((id, states));
            }
        }
        relation_states.extend(kept_relations);
        relation_states.sort_by(|a, b| a.0.cmp(&b.0));
        let mut earliest: FxHashMap<Arc<str>, NaiveDate> = FxHashMap::default();
        for (_, states) in &relation_states {
            for s in states {
                if let Some(since) = s.facts.since {
                    for end in [&s.facts.subject, &s.facts.object] {
                        earliest
                            .entry(end.clone())
                            .and_modify(|d| *d = (*d).min(since))
                            .or_insert(since);
                    }
                }
            }
        }
        let mut relations: Vec<Spans<RelationFacts>> = relation_states
            .into_iter()
            .map(|(_, states)| {
                let since = states.iter().filter_map(|s| s.facts.since).min();
                spans_of(states, &batches, since.map(Some))
            })
            .collect();

        let mut entity_states: Vec<(String, Vec<State<EntityFacts>>)> = Vec::new();
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT e.batch, {} FROM entity e ORDER BY e.id",
                codec::ENTITY_COLUMNS
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let e = codec::entity_from_row(r, 1)?;
                let id = e.id().to_string();
                let p = e.provenance();
                let (created, updated) = (p.created_at.date_naive(), p.updated_at.date_naive());
                let mut states = kept_entities.remove(&id).unwrap_or_default();
                states.push(State {
                    facts: EntityFacts::of(&e),
                    written: r.get(0)?,
                    replaced: None,
                    created,
                    updated,
                });
                entity_states.push((id, states));
            }
        }
        entity_states.extend(kept_entities);
        entity_states.sort_by(|a, b| a.0.cmp(&b.0));
        let mut places: FxHashMap<Arc<str>, u32> = FxHashMap::default();
        places.reserve(entity_states.len());
        let entities: Vec<Spans<EntityFacts>> = entity_states
            .into_iter()
            .enumerate()
            .map(|(place, (id, states))| {
                places.insert(Arc::from(id.as_str()), place as u32);
                let territory = states
                    .first()
                    .is_some_and(|s| s.facts.kind == EntityKind::Territory);
                let evidence = if territory {
                    Some(None)
                } else {
                    earliest.get(id.as_str()).map(|d| Some(*d))
                };
                spans_of(states, &batches, evidence)
            })
            .collect();

        let mut actions = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT id, data, created_at, batch FROM action ORDER BY id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let data: String = r.get(1)?;
                let action: Action = serde_json::from_str(&data).map_err(|e| corrupt(&id, e))?;
                let created: String = r.get(2)?;
                let batch: Option<i64> = r.get(3)?;
                let entered = [
                    day_of(&created),
                    batch.and_then(|b| batches.get(&b).copied()),
                ]
                .into_iter()
                .flatten()
                .min();
                let (from, to) = action_days(&action);
                actions.push(Span {
                    from: from.or(entered),
                    to,
                    facts: Arc::new(action),
                    ends: [NOT_AN_ENTITY; 2],
                });
            }
        }
        // Each relation state's ends, by their place among the entities.
        let place = |id: &str| places.get(id).copied().unwrap_or(NOT_AN_ENTITY);
        for span in relations.iter_mut().flatten() {
            span.ends = [place(&span.facts.subject), place(&span.facts.object)];
        }
        Ok(Timeline {
            entities,
            places: Arc::new(places),
            relations,
            actions,
        })
    }
}

/// The days a public action record counts: from (`None`: from the day it
/// entered the registry) and until, excluded (`None`: ever after).
pub fn action_days(a: &Action) -> (Option<NaiveDate>, Option<NaiveDate>) {
    match a {
        Action::Grant(g) => (Some(g.date), None),
        Action::Call(c) => (c.opens, None),
        Action::Application(x) => (Some(x.submitted), None),
        Action::Event(e) => (Some(e.starts), None),
        Action::Hardware(h) => (Some(h.from), None),
        // Hostings and posts are counted while live on the day (the
        // figures' own rule); they enter from their start.
        Action::Hosting(h) => (h.since, None),
        Action::Post(p) => (Some(p.since), None),
    }
}

/// How a series of dates steps: one point at the end of each year or
/// month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Yearly,
    Monthly,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "yearly" => Some(Period::Yearly),
            "monthly" => Some(Period::Monthly),
            _ => None,
        }
    }

    /// The last day of the period holding `day`.
    fn end_of(self, day: NaiveDate) -> Option<NaiveDate> {
        use chrono::Datelike;
        let (y, m) = match self {
            Period::Yearly => (day.year() + 1, 1),
            Period::Monthly if day.month() == 12 => (day.year() + 1, 1),
            Period::Monthly => (day.year(), day.month() + 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
    }
}

/// Most points a series may have (a century of months).
pub const MAX_POINTS: usize = 1200;

/// The first day a user's `YYYY`, `YYYY-MM` or `YYYY-MM-DD` names.
pub fn parse_start(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y] if y.len() == 4 => NaiveDate::from_ymd_opt(i32::try_from(num(y)?).ok()?, 1, 1),
        [y, m] if y.len() == 4 && m.len() == 2 => {
            NaiveDate::from_ymd_opt(i32::try_from(num(y)?).ok()?, num(m)?, 1)
        }
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            NaiveDate::from_ymd_opt(i32::try_from(num(y)?).ok()?, num(m)?, num(d)?)
        }
        _ => None,
    }
}

/// The last day a user's `YYYY`, `YYYY-MM` or `YYYY-MM-DD` names.
pub fn parse_end(s: &str) -> Option<NaiveDate> {
    let start = parse_start(s)?;
    match s.trim().len() {
        4 => Period::Yearly.end_of(start),
        7 => Period::Monthly.end_of(start),
        _ => Some(start),
    }
}

/// The days of a series: the end of every period from the one holding
/// `from` to the one holding `to`, the last one `to` itself when its
/// period is not over. Fails when `to` is before `from` or there would be
/// more than [`MAX_POINTS`].
pub fn period_ends(
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
) -> std::result::Result<Vec<NaiveDate>, String> {
    if to < from {
        return Err(format!("the series ends ({to}) before it starts ({from})"));
    }
    let mut out = Vec::new();
    let mut day = from;
    while let Some(end) = period.end_of(day) {
        if end >= to {
            out.push(to);
            break;
        }
        out.push(end);
        if out.len() >= MAX_POINTS {
            return Err(format!("a series has at most {MAX_POINTS} points"));
        }
        match end.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn state(written: Option<i64>, replaced: Option<i64>, created: &str) -> State<u8> {
        State {
            facts: 0,
            written,
            replaced,
            created: d(created),
            updated: d(created),
        }
    }

    #[test]
    fn spans_follow_the_changes_and_leave_gaps_for_removals() {
        let batches: FxHashMap<i64, NaiveDate> = [
            (1, d("2020-01-10")),
            (2, d("2021-05-01")),
            (3, d("2022-01-01")),
        ]
        .into_iter()
        .collect();
        // Written by 1, removed by 2, made again by 3.
        let spans = spans_of(
            vec![
                state(Some(1), Some(2), "2020-01-10"),
                state(Some(3), None, "2022-01-01"),
            ],
            &batches,
            None,
        );
        let on = |s: &str| valid_on(&spans, d(s)).is_some();
        assert!(!on("2020-01-09"));
        assert!(on("2020-01-10"));
        assert!(on("2021-04-30"));
        assert!(!on("2021-05-01"), "removed that day");
        assert!(!on("2021-12-31"));
        assert!(on("2022-01-01"));
        // A dated relation reaches back; a territory always counts.
        let spans = spans_of(
            vec![state(Some(3), None, "2022-01-01")],
            &batches,
            Some(Some(d("2015-03-01"))),
        );
        assert!(valid_on(&spans, d("2015-03-01")).is_some());
        assert!(valid_on(&spans, d("2015-02-28")).is_none());
        let spans = spans_of(
            vec![state(Some(3), None, "2022-01-01")],
            &batches,
            Some(None),
        );
        assert!(valid_on(&spans, d("1900-01-01")).is_some());
    }

    #[test]
    fn series_end_each_period_and_stop_at_the_last_day() {
        let y = period_ends(Period::Yearly, d("2018-01-01"), d("2020-06-30")).unwrap();
        assert_eq!(y, vec![d("2018-12-31"), d("2019-12-31"), d("2020-06-30")]);
        let m = period_ends(Period::Monthly, d("2024-01-01"), d("2024-03-31")).unwrap();
        assert_eq!(m, vec![d("2024-01-31"), d("2024-02-29"), d("2024-03-31")]);
        assert!(period_ends(Period::Yearly, d("2020-01-01"), d("2019-01-01")).is_err());
        assert!(period_ends(Period::Monthly, d("1800-01-01"), d("2020-01-01")).is_err());
        assert_eq!(parse_start("2018"), Some(d("2018-01-01")));
        assert_eq!(parse_end("2018"), Some(d("2018-12-31")));
        assert_eq!(parse_end("2024-02"), Some(d("2024-02-29")));
        assert_eq!(parse_start("2024-06-30"), Some(d("2024-06-30")));
        for bad in [
            "",
            "18",
            "2018-13",
            "2018-1-1",
            "+201",
            "2018-02-30",
            "２０１８",
        ] {
            assert_eq!(parse_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_creation_time_earlier_than_its_change_counts() {
        let batches: FxHashMap<i64, NaiveDate> = [(1, d("2024-01-01"))].into_iter().collect();
        let spans = spans_of(vec![state(Some(1), None, "2019-06-01")], &batches, None);
        assert!(valid_on(&spans, d("2019-06-01")).is_some());
        assert!(valid_on(&spans, d("2019-05-31")).is_none());
    }
}
