//! Figures of one territory and everything below it (commune → EPCI →
//! department → region): what `archipel stats --territory` prints and what
//! the argument sheets quote, from the same function so they always agree.
//!
//! The scope of a territory is the territory, every territory below it
//! (through `parent`), the actors and places attached to any of them, and
//! the relations that have not ended (no `until`, or `until` today or
//! later) with one end among those records.

use crate::asof::{AsOf, EntityFacts, RelationFacts};
use crate::query::{summary_row, Summary, SUMMARY_COLS};
use crate::read::Count;
use crate::{Result, Store, StoreError};
use archipel_domain::{Action, EntityId, EntityKind};
use rusqlite::types::Value;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// Actors of some kinds, counted together (`public_actors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorGroup {
    pub name: String,
    /// Keys of the `actor_kinds` vocabulary.
    pub kinds: Vec<String>,
}

/// Relations of some types from the territory's actors to commons, counted
/// together (`commons_used`: `uses`; `commons_contributors`:
/// `contributes_to` and `maintains`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkGroup {
    pub name: String,
    /// Keys of the `relation_types` vocabulary.
    pub relations: Vec<String>,
}

/// What to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeQuery {
    /// The territory; those below it are in scope too.
    pub territory: EntityId,
    /// Only links to this commons (the link groups; other figures are the
    /// territory's).
    pub commons: Option<EntityId>,
    pub actor_groups: Vec<ActorGroup>,
    pub link_groups: Vec<LinkGroup>,
    /// Relation types (keys of `relation_types`) that make a grant's
    /// beneficiary linked to a commons (`maintains`, `contributes_to`):
    /// see [`SupportFigures`].
    pub support_relations: Vec<String>,
    /// Actor kinds (keys of `actor_kinds`) whose beneficiaries are
    /// associations; a beneficiary with an RNA number (the grant's or its
    /// actor record's) is one too.
    pub association_kinds: Vec<String>,
}

/// Actors in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    pub name: String,
    pub actors: u64,
}

/// Links in a group: how many relations, to how many distinct commons,
/// held by how many distinct organisations (people left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCount {
    pub name: String,
    pub relations: u64,
    pub commons: u64,
    pub organisations: u64,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

/// What the territory did for commons: its grants and calls for projects,
/// the applications to its calls, hardware lent or given, commons hosted,
/// trainings and events, dedicated posts.
///
/// A record is the territory's when its `territory`, or else its giver's
/// (the lending, hosting, organising or employing actor's), or else its
/// call's or its call's giver's (an application's), is in scope. A grant goes to commons when it names commons it
/// supports, or when its beneficiary holds a live relation of one of
/// [`ScopeQuery::support_relations`] to a commons (with
/// [`ScopeQuery::commons`]: to that commons). Amounts are what each
/// beneficiary receives (its share of the grant's amount), summed in
/// cents. Zero figures are left out of the JSON form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SupportFigures {
    /// Grants given.
    #[serde(skip_serializing_if = "is_zero")]
    pub grants: u64,
    /// What they give in all.
    #[serde(skip_serializing_if = "is_zero")]
    pub granted_cents: i64,
    /// Grants going to commons.
    #[serde(skip_serializing_if = "is_zero")]
    pub commons_grants: u64,
    /// What those give.
    #[serde(skip_serializing_if = "is_zero")]
    pub commons_granted_cents: i64,
    /// Distinct beneficiaries of those.
    #[serde(skip_serializing_if = "is_zero")]
    pub commons_beneficiaries: u64,
    /// Of which associations (see [`ScopeQuery::association_kinds`]).
    #[serde(skip_serializing_if = "is_zero")]
    pub commons_associations: u64,
    /// What associations receive, from every grant.
    #[serde(skip_serializing_if = "is_zero")]
    pub associations_granted_cents: i64,
    /// Their share of `granted_cents`, in whole percent rounded half up
    /// (`None` when it is zero or nothing was granted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associations_share_percent: Option<u64>,
    /// Calls for projects.
    #[serde(skip_serializing_if = "is_zero")]
    pub calls: u64,
    /// Of which non-competitive.
    #[serde(skip_serializing_if = "is_zero")]
    pub non_competitive_calls: u64,
    /// Applications to calls.
    #[serde(skip_serializing_if = "is_zero")]
    pub applications: u64,
    /// Of which accepted.
    #[serde(skip_serializing_if = "is_zero")]
    pub applications_accepted: u64,
    /// Applicants applying for the first time to the body running the
    /// call: no earlier application to it, no earlier grant from it
    /// (`archipel_domain::first_time_applications`, over the whole
    /// registry), counted by their first application.
    #[serde(skip_serializing_if = "is_zero")]
    pub first_time_applicants: u64,
    /// Trainings (events of category `training`).
    #[serde(skip_serializing_if = "is_zero")]
    pub trainings: u64,
    /// People who attended them.
    #[serde(skip_serializing_if = "is_zero")]
    pub training_attendees: u64,
    /// Public agents among them (`Attendance::agents`).
    #[serde(skip_serializing_if = "is_zero")]
    pub agents_trained: u64,
    /// Other events (workshops, meetups, conferences…).
    #[serde(skip_serializing_if = "is_zero")]
    pub events: u64,
    /// People who attended them.
    #[serde(skip_serializing_if = "is_zero")]
    pub event_attendees: u64,
    /// Hardware items lent, in all (the quantities of every loan).
    #[serde(skip_serializing_if = "is_zero")]
    pub hardware_lent: u64,
    /// Of which out now (loans not returned).
    #[serde(skip_serializing_if = "is_zero")]
    pub hardware_out: u64,
    /// Hardware items given.
    #[serde(skip_serializing_if = "is_zero")]
    pub hardware_given: u64,
    /// Distinct commons hosted today (hostings begun and not ended; a
    /// hosting naming no commons of the registry counts as one).
    #[serde(skip_serializing_if = "is_zero")]
    pub commons_hosted: u64,
    /// Posts dedicated to the commons today.
    #[serde(skip_serializing_if = "is_zero")]
    pub posts: u64,
    /// Their full-time equivalents added up, exactly (`1.5`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts_fte: Option<String>,
}

impl SupportFigures {
    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        *self == SupportFigures::default()
    }
}

/// The figures of a territory's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeStats {
    /// The territory (`subkind` is its level).
    pub territory: Summary,
    /// Its INSEE code or SIREN.
    pub code: String,
    /// Whether it is made up (the demonstration territory).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fictional: bool,
    /// The commons the link groups are restricted to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commons: Option<String>,
    /// Territories in scope, itself included.
    pub territories: u64,
    pub actors: u64,
    pub places: u64,
    /// Relations not ended with an end in scope.
    pub relations: u64,
    /// Actors per actor kind (`unset` for none), by decreasing count.
    pub actor_kinds: Vec<Count>,
    /// Actors per typology key, by decreasing count.
    pub typology: Vec<Count>,
    /// Relations per type, by decreasing count.
    pub relation_kinds: Vec<Count>,
    pub actor_groups: Vec<GroupCount>,
    pub link_groups: Vec<LinkCount>,
    /// Public action.
    #[serde(skip_serializing_if = "SupportFigures::is_empty")]
    pub support: SupportFigures,
}

impl ScopeStats {
    /// The actor group called `name`.
    pub fn actor_group(&self, name: &str) -> Option<&GroupCount> {
        self.actor_groups.iter().find(|g| g.name == name)
    }
    /// The link group called `name`.
    pub fn link_group(&self, name: &str) -> Option<&LinkCount> {
        self.link_groups.iter().find(|g| g.name == name)
    }

    /// Every figure as a (key, value) pair, in the order of the JSON form,
    /// for tables that put several of them side by side (series,
    /// comparisons). Keys: `actors`, `actor_kinds.KEY`, `typology.KEY`,
    /// `relation_kinds.KEY`, `actor_groups.NAME`,
    /// `link_groups.NAME.relations` (`.commons`, `.organisations`),
    /// `support.FIELD` (every field, zeros included;
    /// `associations_share_percent` only when known).
    pub fn figures(&self) -> Vec<(String, i64)> {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let mut out = vec![
            ("territories".to_string(), n(self.territories)),
            ("actors".to_string(), n(self.actors)),
            ("places".to_string(), n(self.places)),
            ("relations".to_string(), n(self.relations)),
        ];
        for (section, counts) in [
            ("actor_kinds", &self.actor_kinds),
            ("typology", &self.typology),
            ("relation_kinds", &self.relation_kinds),
        ] {
            out.extend(
                counts
                    .iter()
                    .map(|c| (format!("{section}.{}", c.key), n(c.count))),
            );
        }
        for g in &self.actor_groups {
            out.push((format!("actor_groups.{}", g.name), n(g.actors)));
        }
        for g in &self.link_groups {
            out.push((format!("link_groups.{}.relations", g.name), n(g.relations)));
            out.push((format!("link_groups.{}.commons", g.name), n(g.commons)));
            out.push((
                format!("link_groups.{}.organisations", g.name),
                n(g.organisations),
            ));
        }
        let f = &self.support;
        for (k, v) in [
            ("grants", n(f.grants)),
            ("granted_cents", f.granted_cents),
            ("commons_grants", n(f.commons_grants)),
            ("commons_granted_cents", f.commons_granted_cents),
            ("commons_beneficiaries", n(f.commons_beneficiaries)),
            ("commons_associations", n(f.commons_associations)),
            ("associations_granted_cents", f.associations_granted_cents),
        ] {
            out.push((format!("support.{k}"), v));
        }
        if let Some(p) = f.associations_share_percent {
            out.push(("support.associations_share_percent".into(), n(p)));
        }
        out.push(("support.calls".into(), n(f.calls)));
        out.push((
            "support.non_competitive_calls".into(),
            n(f.non_competitive_calls),
        ));
        out
    }
}

/// The territories in scope, as a CTE named `tree` over parameter `?1`.
pub(crate) const TREE: &str = "WITH RECURSIVE tree(id) AS (SELECT ?1 \
     UNION SELECT c.id FROM tree JOIN entity t ON t.id = tree.id \
       JOIN entity c ON c.owner = tree.id AND c.kind = 'territory' \
       WHERE c.territory IS NULL OR c.territory = t.owner OR tree.id = ?1 \
     UNION SELECT c.id FROM tree JOIN entity c ON c.territory = tree.id AND c.kind = 'territory')";

/// What [`ACTION_IN_SCOPE`] needs joined to a public action record `a`
/// besides its giver (`g`): its call (`c`) and the call's giver (`cg`).
pub(crate) const ACTION_SCOPE_JOINS: &str =
    "LEFT JOIN action c ON c.id = a.call LEFT JOIN entity cg ON cg.id = c.giver";

/// Whether a public action record (`a`, its giver joined as `g`, and
/// [`ACTION_SCOPE_JOINS`]) is in the scope `tree` holds: its `territory`,
/// else its giver's, else its call's, else the call's giver's. The one
/// rule of the territory's figures and of `ActionQuery::territory`.
pub(crate) const ACTION_IN_SCOPE: &str =
    "coalesce(a.territory, g.territory, c.territory, cg.territory) IN (SELECT id FROM tree)";

/// [`TREE`] over the parameter `param` (`?3`), for queries with other
/// parameters before it.
///
/// A territory's scope is itself and what lies below it. Two links lead
/// down: `parent` (the `owner` column: region → department → EPCI →
/// commune) and a commune's `department` (the `territory` column of a
/// territory's row), set when its parent is its EPCI. An EPCI may span
/// departments and hangs under one (its seat's), so going down through
/// an EPCI keeps only the communes of that department — unless the walk
/// started at the EPCI, which takes in all its communes; the communes of
/// a department whose EPCI hangs elsewhere come in through their
/// `department` link. Records without a `department` (the demonstration,
/// hand-made territories) follow `parent` alone, as before.
pub(crate) fn tree(param: &str) -> String {
    TREE.replace("?1", param)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Whether the relations touching `scope_records` records are better read
/// through the subject and object indexes (a scope with fewer than a
/// fiftieth as many records as `relation_rows`, the table's highest rowid)
/// than in one pass over the table: an index look-up and a row look-up
/// per relation cost far more than reading a row in order.
pub(crate) fn through_indexes(scope_records: u64, relation_rows: i64) -> bool {
    i64::try_from(scope_records)
        .unwrap_or(i64::MAX)
        .saturating_mul(50)
        < relation_rows
}

fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Territories whose id, INSEE code or SIREN (`code`), or `level:code`
    /// (`region:53`, to tell a region from a department with the same
    /// number) is `key`, by level rank then id. Empty when none is.
    pub fn find_territories(&self, key: &str) -> Result<Vec<Summary>> {
        let key = key.trim();
        let (level, code) = match key.split_once(':') {
            Some((l, c)) if !key.starts_with("territory:") => (Some(l), c),
            _ => (None, key),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entity e
             WHERE e.kind = 'territory'
               AND (e.id = ?1 OR (json_extract(e.data, '$.code') = ?2 AND (?3 IS NULL OR e.subkind = ?3)))
             ORDER BY e.id"
        ))?;
        let rows = stmt.query_map(rusqlite::params![key, code, level], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Territories with no parent (the top of each hierarchy), by name.
    pub fn top_territories(&self) -> Result<Vec<Summary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entity e
             WHERE e.kind = 'territory' AND e.owner IS NULL ORDER BY e.name COLLATE NOCASE, e.id"
        ))?;
        let rows = stmt.query_map([], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The figures of `q.territory` and everything below it; `None` when
    /// there is no such territory.
    pub fn scope_stats(&self, q: &ScopeQuery) -> Result<Option<ScopeStats>> {
        let id = q.territory.as_str();
        let Some(territory) = self.find_territories(id)?.into_iter().find(|s| s.id == id) else {
            return Ok(None);
        };
        let (code, fictional) = match self.get(&q.territory)? {
            Some(archipel_domain::Entity::Territory(t)) => (t.code, t.fictional),
            _ => (String::new(), false),
        };
        let one = |sql: &str| -> Result<u64> {
            let n: i64 = self
                .conn
                .prepare_cached(&format!("{TREE} {sql}"))?
                .query_row([id], |r| r.get(0))?;
            Ok(to_u64(n))
        };
        let many = |sql: &str| -> Result<Vec<Count>> {
            let mut stmt = self.conn.prepare_cached(&format!("{TREE} {sql}"))?;
            let rows = stmt.query_map([id], |r| {
                Ok(Count {
                    key: r.get(0)?,
                    count: to_u64(r.get::<_, i64>(1)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let territories = one("SELECT count(*) FROM tree")?;
        let actors = one(
            "SELECT count(*) FROM entity a WHERE a.kind = 'actor' AND a.territory IN (SELECT id FROM tree)",
        )?;
        let places = one(
            "SELECT count(*) FROM entity p WHERE p.kind = 'place' AND p.territory IN (SELECT id FROM tree)",
        )?;
        // Records in scope: the territories, and the actors and places on them.
        let in_scope = "SELECT id FROM tree UNION SELECT e.id FROM entity e
             WHERE e.kind IN ('actor', 'place') AND e.territory IN (SELECT id FROM tree)";
        let live = "(r.until IS NULL OR r.until >= date('now'))";
        // The relations touching the scope, by type (their count is the
        // sum). A scope small against the registry is read through the
        // subject and object indexes; a large one in one pass over the
        // table, which is far quicker than an index look-up and a row
        // look-up per relation (the rule of `scope_network`).
        let relation_rows: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(rowid), 0) FROM relation")?
            .query_row([], |r| r.get(0))?;
        let scope_len = territories.saturating_add(actors).saturating_add(places);
        let how = if through_indexes(scope_len, relation_rows) {
            ""
        } else {
            "NOT INDEXED"
        };
        let relation_kinds = many(&format!(
            ", scope(id) AS ({in_scope}) SELECT r.kind, count(*) AS n FROM relation r {how}
             WHERE {live} AND (r.subject IN (SELECT id FROM scope) OR r.object IN (SELECT id FROM scope))
             GROUP BY 1 ORDER BY n DESC, 1"
        ))?;
        let relations = relation_kinds.iter().map(|c| c.count).sum();
        let actor_kinds = many(
            "SELECT coalesce(a.subkind, 'unset'), count(*) AS n FROM entity a
             WHERE a.kind = 'actor' AND a.territory IN (SELECT id FROM tree)
             GROUP BY 1 ORDER BY n DESC, 1",
        )?;
        let typology = many(
            "SELECT j.value, count(*) AS n FROM entity a, json_each(a.data, '$.typology') j
             WHERE a.kind = 'actor' AND a.territory IN (SELECT id FROM tree)
             GROUP BY 1 ORDER BY n DESC, 1",
        )?;

        let mut actor_groups = Vec::new();
        for g in &q.actor_groups {
            let sql = format!(
                "{TREE} SELECT count(*) FROM entity a WHERE a.kind = 'actor'
                 AND a.territory IN (SELECT id FROM tree) AND a.subkind IN ({})",
                marks(2, g.kinds.len())
            );
            let mut params: Vec<Value> = vec![id.to_string().into()];
            params.extend(g.kinds.iter().map(|k| Value::from(k.clone())));
            let n: i64 = if g.kinds.is_empty() {
                0
            } else {
                self.conn
                    .prepare_cached(&sql)?
                    .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
            };
            actor_groups.push(GroupCount {
                name: g.name.clone(),
                actors: to_u64(n),
            });
        }

        // The link groups: every relation of one of their types from an
        // actor in scope to a commons, read once, then counted per group.
        let mut kinds: Vec<&String> = q.link_groups.iter().flat_map(|g| &g.relations).collect();
        kinds.sort_unstable();
        kinds.dedup();
        // (type, subject, object, the subject is a person)
        let mut links: Vec<(String, String, String, bool)> = Vec::new();
        if !kinds.is_empty() {
            let mut params: Vec<Value> = vec![id.to_string().into()];
            let marked = marks(2, kinds.len());
            params.extend(kinds.iter().map(|k| Value::from((*k).clone())));
            let commons = match &q.commons {
                Some(c) => {
                    params.push(c.as_str().to_string().into());
                    format!("AND r.object = ?{}", params.len())
                }
                None => String::new(),
            };
            let sql = format!(
                "{TREE} SELECT r.kind, r.subject, r.object,
                        json_extract(a.data, '$.nature') IS 'person'
                 FROM relation r
                 JOIN entity a ON a.id = r.subject AND a.kind = 'actor' AND a.territory IN (SELECT id FROM tree)
                 JOIN entity c ON c.id = r.object AND c.kind = 'commons'
                 WHERE {live} AND r.kind IN ({marked}) {commons}"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            while let Some(r) = rows.next()? {
                links.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
            }
        }
        let link_groups = q
            .link_groups
            .iter()
            .map(|g| {
                let mut relations = 0u64;
                let mut commons = FxHashSet::default();
                let mut organisations = FxHashSet::default();
                for (kind, subject, object, person) in &links {
                    if !g.relations.contains(kind) {
                        continue;
                    }
                    relations += 1;
                    commons.insert(object.as_str());
                    if !person {
                        organisations.insert(subject.as_str());
                    }
                }
                LinkCount {
                    name: g.name.clone(),
                    relations,
                    commons: commons.len() as u64,
                    organisations: organisations.len() as u64,
                }
            })
            .collect();

        let support = self.support_figures(q)?;

        Ok(Some(ScopeStats {
            territory,
            code,
            fictional,
            commons: q.commons.as_ref().map(|c| c.as_str().to_string()),
            territories,
            actors,
            places,
            relations,
            actor_kinds,
            typology,
            relation_kinds,
            actor_groups,
            link_groups,
            support,
        }))
    }

    /// The grants and calls of `q.territory`'s scope; see
    /// [`SupportFigures`].
    fn support_figures(&self, q: &ScopeQuery) -> Result<SupportFigures> {
        let mut params: Vec<Value> = vec![q.territory.as_str().to_string().into()];
        let linked = if q.support_relations.is_empty() {
            "0".to_string()
        } else {
            let kinds = marks(2, q.support_relations.len());
            params.extend(q.support_relations.iter().map(|k| Value::from(k.clone())));
            let only = match &q.commons {
                Some(c) => {
                    params.push(c.as_str().to_string().into());
                    format!("AND r.object = ?{}", params.len())
                }
                None => String::new(),
            };
            format!(
                "EXISTS (SELECT 1 FROM relation r JOIN entity c ON c.id = r.object AND c.kind = 'commons'
                  WHERE r.subject = a.beneficiary AND r.kind IN ({kinds}) {only}
                    AND (r.until IS NULL OR r.until >= date('now')))"
            )
        };
        let sql = format!(
            "{TREE} SELECT a.id, a.data, b.subkind, {linked},
                    json_extract(b.data, '$.identifiers.rna') IS NOT NULL FROM action a
             LEFT JOIN entity g ON g.id = a.giver
             LEFT JOIN entity b ON b.id = a.beneficiary
             {ACTION_SCOPE_JOINS}
             WHERE {ACTION_IN_SCOPE}
             ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut t = SupportTally::on(chrono::Utc::now().date_naive());
        t.first_times = self.first_time_applications()?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let data: String = r.get(1)?;
            let kind: Option<String> = r.get(2)?;
            let rna: bool = r.get(4)?;
            let linked: bool = r.get(3)?;
            let action: Action = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
                id: id.clone(),
                source: e.into(),
            })?;
            t.add(q, &action, kind.as_deref(), rna, linked);
        }
        Ok(t.finish())
    }
}

/// [`SupportFigures`] being added up, one public action record at a time,
/// as they stand on `day` (today, or the day of the registry at a date:
/// hostings and posts count when live that day, hardware when out).
struct SupportTally {
    f: SupportFigures,
    day: chrono::NaiveDate,
    beneficiaries: std::collections::BTreeSet<EntityId>,
    associations: std::collections::BTreeSet<EntityId>,
    /// What is hosted: commons ids, or the hosting's id when it names none.
    hosted: std::collections::BTreeSet<String>,
    /// Posts' full-time equivalents, in thousandths.
    fte: u64,
    /// The applications that were first contacts
    /// (`archipel_domain::first_time_applications`).
    first_times: std::collections::BTreeSet<archipel_domain::ActionId>,
}

impl SupportTally {
    fn on(day: chrono::NaiveDate) -> SupportTally {
        SupportTally {
            f: SupportFigures::default(),
            day,
            beneficiaries: Default::default(),
            associations: Default::default(),
            hosted: Default::default(),
            fte: 0,
            first_times: Default::default(),
        }
    }

    /// Counts `action`, whose beneficiary's actor kind is `kind`, which
    /// has an RNA number (`rna`) and a support relation to commons
    /// (`linked`).
    fn add(
        &mut self,
        q: &ScopeQuery,
        action: &Action,
        kind: Option<&str>,
        rna: bool,
        linked: bool,
    ) {
        let f = &mut self.f;
        match action {
            Action::Call(c) => {
                f.calls += 1;
                f.non_competitive_calls += u64::from(c.non_competitive);
            }
            Action::Grant(g) => {
                let cents = g.received_cents();
                let association = rna
                    || g.beneficiary_rna.is_some()
                    || kind.is_some_and(|k| q.association_kinds.iter().any(|a| a == k));
                f.grants += 1;
                f.granted_cents += cents;
                if association {
                    f.associations_granted_cents += cents;
                }
                let to_commons = linked
                    || match &q.commons {
                        Some(c) => g.commons.contains(c),
                        None => !g.commons.is_empty(),
                    };
                if to_commons {
                    f.commons_grants += 1;
                    f.commons_granted_cents += cents;
                    self.beneficiaries.insert(g.beneficiary.clone());
                    if association {
                        self.associations.insert(g.beneficiary.clone());
                    }
                }
            }
            Action::Application(x) => {
                f.applications += 1;
                f.applications_accepted +=
                    u64::from(x.status == archipel_domain::ApplicationStatus::Accepted);
                f.first_time_applicants += u64::from(self.first_times.contains(&x.id));
            }
            Action::Event(e) => {
                let people = e.attendance.as_ref().map_or(0, |a| u64::from(a.total));
                if e.is_training() {
                    f.trainings += 1;
                    f.training_attendees += people;
                    f.agents_trained += e.attendance.as_ref().map_or(0, |a| u64::from(a.agents()));
                } else {
                    f.events += 1;
                    f.event_attendees += people;
                }
            }
            Action::Hardware(h) => match h.transfer {
                archipel_domain::Transfer::Loan => {
                    f.hardware_lent += u64::from(h.quantity);
                    if h.out_on(self.day) {
                        f.hardware_out += u64::from(h.quantity);
                    }
                }
                archipel_domain::Transfer::Gift => f.hardware_given += u64::from(h.quantity),
            },
            Action::Hosting(h) => {
                if h.live_on(self.day) {
                    // Something hosted that is no commons of the registry
                    // counts once.
                    if h.commons.is_empty() {
                        self.hosted.insert(h.id.to_string());
                    }
                    self.hosted
                        .extend(h.commons.iter().map(|c| c.as_str().to_string()));
                }
            }
            Action::Post(p) => {
                if p.live_on(self.day) {
                    f.posts += 1;
                    self.fte += p.fte.thousandths();
                }
            }
        }
    }

    fn finish(self) -> SupportFigures {
        let mut f = self.f;
        f.commons_hosted = self.hosted.len() as u64;
        f.posts_fte = (self.fte > 0).then(|| archipel_domain::format_fte(self.fte));
        f.commons_beneficiaries = self.beneficiaries.len() as u64;
        f.commons_associations = self.associations.len() as u64;
        if f.granted_cents > 0 {
            let share = (i128::from(f.associations_granted_cents) * 200
                + i128::from(f.granted_cents))
                / (i128::from(f.granted_cents) * 2);
            f.associations_share_percent = u64::try_from(share).ok().filter(|p| *p > 0);
        }
        f
    }
}

/// Counts of keys, by decreasing count then key (the SQL figures' order).
fn counted<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<Count> {
    let mut by: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for k in keys {
        *by.entry(k).or_default() += 1;
    }
    let mut out: Vec<Count> = by
        .into_iter()
        .map(|(key, count)| Count {
            key: key.to_string(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The territories in scope of `start` in `r` (the walk of [`TREE`]).
pub(crate) fn tree_at<'a>(r: &'a AsOf, start: &'a str) -> FxHashSet<&'a str> {
    let mut by_parent: FxHashMap<&str, Vec<&EntityFacts>> = FxHashMap::default();
    let mut by_department: FxHashMap<&str, Vec<&EntityFacts>> = FxHashMap::default();
    for t in r.entities() {
        if t.kind != EntityKind::Territory {
            continue;
        }
        if let Some(p) = &t.owner {
            by_parent.entry(p.as_str()).or_default().push(t);
        }
        if let Some(d) = &t.territory {
            by_department.entry(d.as_str()).or_default().push(t);
        }
    }
    let mut tree = FxHashSet::default();
    tree.insert(start);
    let mut todo = vec![start];
    while let Some(id) = todo.pop() {
        let Some(node) = r.entity(id) else { continue };
        for c in by_parent.get(id).into_iter().flatten() {
            let keep = id == start
                || c.territory.is_none()
                || (c.territory.is_some() && c.territory == node.owner);
            if keep && tree.insert(&c.id) {
                todo.push(&c.id);
            }
        }
        for c in by_department.get(id).into_iter().flatten() {
            if tree.insert(&c.id) {
                todo.push(&c.id);
            }
        }
    }
    tree
}

/// [`Store::scope_stats`] on the registry at a date.
pub(crate) fn stats_at(r: &AsOf, q: &ScopeQuery) -> Option<ScopeStats> {
    let id = q.territory.as_str();
    let t = r.entity(id).filter(|t| t.kind == EntityKind::Territory)?;
    let tree = tree_at(r, id);
    let in_tree = |e: &EntityFacts| e.territory.as_deref().is_some_and(|t| tree.contains(t));
    // What each entity is to the scope, by its place (see `AsOf`): every
    // relation below is then looked at by number, not by id.
    const SCOPED: u8 = 1; // a territory of the tree, or an actor or place on it
    const ACTOR_IN_SCOPE: u8 = 2;
    const COMMONS: u8 = 4;
    const PERSON: u8 = 8;
    let mut role = vec![0u8; r.places()];
    let mut actors: Vec<&EntityFacts> = Vec::new();
    let mut places = 0u64;
    for (place, role) in role.iter_mut().enumerate() {
        let Some(e) = r.at_place(place) else { continue };
        match e.kind {
            EntityKind::Actor if in_tree(e) => {
                actors.push(e);
                *role = SCOPED | ACTOR_IN_SCOPE | if e.person { PERSON } else { 0 };
            }
            EntityKind::Place if in_tree(e) => {
                places += 1;
                *role = SCOPED;
            }
            EntityKind::Commons => *role = COMMONS,
            _ if tree.contains(&*e.id) => *role = SCOPED,
            _ => {}
        }
    }
    let is = |place: usize, what: u8| role.get(place).is_some_and(|r| r & what != 0);
    let touching: Vec<&RelationFacts> = r
        .relations_with_ends()
        .filter(|(_, [s, o])| is(*s, SCOPED) || is(*o, SCOPED))
        .map(|(x, _)| x)
        .collect();
    let actor_kinds = counted(
        actors
            .iter()
            .map(|a| a.subkind.as_deref().unwrap_or("unset")),
    );
    let typology = counted(
        actors
            .iter()
            .flat_map(|a| a.typology.iter().map(String::as_str)),
    );
    let relation_kinds = counted(touching.iter().map(|x| x.kind.as_str()));
    let actor_groups = q
        .actor_groups
        .iter()
        .map(|g| GroupCount {
            name: g.name.clone(),
            actors: actors
                .iter()
                .filter(|a| a.subkind.as_ref().is_some_and(|k| g.kinds.contains(k)))
                .count() as u64,
        })
        .collect();
    let link_groups = q
        .link_groups
        .iter()
        .map(|g| {
            let mut relations = 0u64;
            let mut commons = FxHashSet::default();
            let mut organisations = FxHashSet::default();
            for (x, [s, o]) in r.relations_with_ends() {
                if !g.relations.contains(&x.kind)
                    || q.commons.as_ref().is_some_and(|c| c.as_str() != &*x.object)
                    || !is(o, COMMONS)
                    || !is(s, ACTOR_IN_SCOPE)
                {
                    continue;
                }
                relations += 1;
                commons.insert(o);
                if !is(s, PERSON) {
                    organisations.insert(s);
                }
            }
            LinkCount {
                name: g.name.clone(),
                relations,
                commons: commons.len() as u64,
                organisations: organisations.len() as u64,
            }
        })
        .collect();

    // Public action: the record's territory, else its giver's on the day.
    let mut support = SupportTally::on(r.day);
    {
        // First contacts among the applications made by that day.
        let known: Vec<Action> = r
            .actions
            .iter()
            .filter(|a| {
                matches!(
                    a.as_ref(),
                    Action::Call(_) | Action::Grant(_) | Action::Application(_)
                )
            })
            .map(|a| a.as_ref().clone())
            .collect();
        support.first_times = archipel_domain::first_time_applications(&known);
    }
    // The actors holding a support relation to a commons (to `q.commons`).
    let linked: FxHashSet<&str> = r
        .relations_with_ends()
        .filter(|(x, [_, o])| {
            q.support_relations.contains(&x.kind)
                && is(*o, COMMONS)
                && q.commons.as_ref().is_none_or(|c| c.as_str() == &*x.object)
        })
        .map(|(x, _)| &*x.subject)
        .collect();
    // A record's territory, else its giver's on the day; an application's
    // else its call's (the rule of `support_figures`' SQL).
    fn own<'a>(a: &'a Action, r: &'a AsOf) -> Option<&'a str> {
        a.territory().map(EntityId::as_str).or_else(|| {
            a.giver()
                .and_then(|g| r.entity(g.as_str()))
                .and_then(|g| g.territory.as_deref())
        })
    }
    let calls: std::collections::HashMap<&str, &Action> = r
        .actions
        .iter()
        .filter(|a| matches!(a.as_ref(), Action::Call(_)))
        .map(|a| (a.id().as_str(), a.as_ref()))
        .collect();
    for a in &r.actions {
        let territory = own(a, r).or_else(|| {
            a.call()
                .and_then(|c| calls.get(c.as_str()))
                .and_then(|c| own(c, r))
        });
        if !territory.is_some_and(|t| tree.contains(t)) {
            continue;
        }
        let beneficiary = a.beneficiary().and_then(|b| r.entity(b.as_str()));
        let linked = a.beneficiary().is_some_and(|b| linked.contains(b.as_str()));
        support.add(
            q,
            a,
            beneficiary.and_then(|b| b.subkind.as_deref()),
            beneficiary.is_some_and(|b| b.rna),
            linked,
        );
    }

    Some(ScopeStats {
        territory: Summary {
            id: t.id.to_string(),
            kind: "territory".into(),
            name: t.name.clone(),
            subkind: t.subkind.clone(),
            lat: t.location.map(|p| p.lat),
            lon: t.location.map(|p| p.lon),
            updated_at: t.updated_at.clone(),
            excerpt: None,
        },
        code: t.code.clone().unwrap_or_default(),
        fictional: t.fictional,
        commons: q.commons.as_ref().map(|c| c.as_str().to_string()),
        territories: tree.len() as u64,
        actors: actors.len() as u64,
        places,
        relations: touching.len() as u64,
        actor_kinds,
        typology,
        relation_kinds,
        actor_groups,
        link_groups,
        support: support.finish(),
    })
}
