//! The network of a territory: islands, bridges and articulation points,
//! key people, the circle of regulars, diversity.
//!
//! [`read`] takes the scope's nodes, relations and grants from the
//! registry ([`archipel_store::Store::scope_network`]); [`analyse`] builds
//! the graph and computes every figure with rustworkx-core (connected
//! components, articulation points, bridges, betweenness, core numbers)
//! on a petgraph graph; [`run`] does both for a territory. The result,
//! [`Network`], is plain data: the node list (ids, names, kinds), the
//! edges, and the figures, which `archipel network --json` prints and a
//! page can draw. Nothing here writes to the registry.
//!
//! The graph is undirected and simple: several relations between the same
//! two records are one edge (its `relations` say which), a relation of a
//! record with itself is left out. Betweenness is over unweighted shortest
//! paths, normalised as networkx's default for undirected graphs; exact
//! (rustworkx-core) up to [`Options::exact_up_to`] nodes, estimated from a
//! seeded sample of sources above ([`sample`]). The weighted variant
//! (`weighted_degree`) adds each relation's weight by type
//! (`content/network/weights.toml`).

mod figures;
pub mod sample;
mod weights;

pub use figures::analyse;
pub use weights::Weights;

use archipel_content::Content;
use archipel_domain::EntityId;
use archipel_store::{AsOf, NetEvent, NetGrant, NetItem, NetLink, NetNode, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("reading the network from the registry")]
    Store(#[from] StoreError),
    /// The weights file: `FILE:LINE: field: reason`.
    #[error("{at}: {field}: {reason}")]
    Weights {
        at: String,
        field: String,
        reason: String,
    },
}

/// How to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Exact betweenness up to this many nodes.
    pub exact_up_to: usize,
    /// Above, the number of sources sampled.
    pub samples: usize,
    /// The seed choosing them.
    pub seed: u64,
    /// How many key people to list.
    pub key_people: usize,
}

/// Exact betweenness up to this many nodes, by default.
pub const EXACT_UP_TO: usize = 5_000;
/// Sources sampled above it, by default.
pub const SAMPLES: u32 = 256;

impl Default for Options {
    fn default() -> Self {
        Options {
            exact_up_to: EXACT_UP_TO,
            samples: SAMPLES as usize,
            seed: 18,
            key_people: 10,
        }
    }
}

/// The scope's records, relations, grants and events, as the registry
/// gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub nodes: Vec<NetNode>,
    pub links: Vec<NetLink>,
    pub grants: Vec<NetGrant>,
    pub events: Vec<NetEvent>,
}

impl Input {
    fn push(&mut self, item: NetItem) {
        match item {
            NetItem::Node(n) => self.nodes.push(n),
            NetItem::Link(l) => self.links.push(l),
            NetItem::Grant(g) => self.grants.push(g),
            NetItem::Event(e) => self.events.push(e),
        }
    }
}

/// What the analysis needs from the content: the family of each
/// typology key and the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Knowledge {
    /// Typology key → family key (`typology`'s `family`).
    pub families: BTreeMap<String, String>,
    pub weights: Weights,
}

impl Knowledge {
    /// From the loaded content (the weights are the embedded ones).
    pub fn from_content(content: &Content) -> Result<Knowledge, NetworkError> {
        let mut families = BTreeMap::new();
        if let Some(v) = content.vocabulary("typology") {
            for t in &v.terms {
                if let Some(f) = t.extra.get("family").and_then(|f| f.as_str()) {
                    families.insert(t.key.clone(), f.to_string());
                }
            }
        }
        Ok(Knowledge {
            families,
            weights: Weights::embedded(content)?,
        })
    }
}

/// Reads the network of `territory` and everything below it on `on`;
/// `None` when there is no such territory.
pub fn read(
    store: &Store,
    territory: &EntityId,
    on: NaiveDate,
) -> Result<Option<Input>, NetworkError> {
    let mut input = Input::default();
    let found = store.scope_network(territory, on, |item| -> Result<(), NetworkError> {
        input.push(item);
        Ok(())
    })?;
    Ok(found.then_some(input))
}

/// The network of `territory` on `on`, every figure computed; `None` when
/// there is no such territory.
pub fn run(
    store: &Store,
    content: &Content,
    territory: &EntityId,
    on: NaiveDate,
    options: &Options,
) -> Result<Option<Network>, NetworkError> {
    let knowledge = Knowledge::from_content(content)?;
    let Some(input) = read(store, territory, on)? else {
        return Ok(None);
    };
    let mut n = analyse(&input, &knowledge, options);
    n.territory = territory.as_str().to_string();
    n.at = Some(on);
    Ok(Some(n))
}

/// The network of `territory` as the registry was on `day`
/// (`Store::registry_at`, the rule of ARCHITECTURE.md's registry at a
/// date), every figure computed; `None` when the territory does not count
/// on that day.
pub fn run_at(
    store: &Store,
    content: &Content,
    territory: &EntityId,
    day: NaiveDate,
    options: &Options,
) -> Result<Option<Network>, NetworkError> {
    let registry = store.registry_at(day)?;
    run_on(&registry, content, territory, options)
}

/// [`run_at`] on a registry at a date already read (`Timeline::at`), so
/// that a caller computing other figures of the same day reads it once.
pub fn run_on(
    registry: &AsOf,
    content: &Content,
    territory: &EntityId,
    options: &Options,
) -> Result<Option<Network>, NetworkError> {
    let knowledge = Knowledge::from_content(content)?;
    let Some(items) = registry.scope_network(territory) else {
        return Ok(None);
    };
    let mut input = Input::default();
    for item in items {
        input.push(item);
    }
    let mut n = analyse(&input, &knowledge, options);
    n.territory = territory.as_str().to_string();
    n.at = Some(registry.day);
    Ok(Some(n))
}

/// A node of the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    /// `actor`, `place` or `commons`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Actor kind or commons kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkind: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub typology: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub person: bool,
    /// Its own territory is in scope (not only `located_in` it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub on_territory: bool,
    /// Index of its component in [`Network::components`].
    pub component: usize,
}

/// An edge: the relations between two nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    /// Relation type → how many.
    pub relations: BTreeMap<String, u32>,
    /// The sum of their weights.
    pub weight: f64,
}

/// A connected component (an island; a single isolated node is one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub size: usize,
    /// Node ids, sorted.
    pub nodes: Vec<String>,
    pub actors: usize,
    pub places: usize,
    pub commons: usize,
    /// Actor kind (`unset` for none) → actors.
    pub actor_kinds: BTreeMap<String, usize>,
    /// Typology family → actors of that family.
    pub families: BTreeMap<String, usize>,
    /// Gini–Simpson index of the actor kinds (see [`Diversity`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind_diversity: Option<f64>,
    /// Gini–Simpson index of the families.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_diversity: Option<f64>,
}

/// What removing an articulation point leaves of its component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    pub id: String,
    pub name: String,
    /// Sizes of the pieces, largest first (they add up to the component's
    /// size minus one).
    pub pieces: Vec<usize>,
}

/// How betweenness was computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetweennessMethod {
    /// `exact` (rustworkx-core) or `sampled`.
    pub method: &'static str,
    pub nodes: usize,
    /// Sources used (every node when exact).
    pub sources: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// With probability at least `confidence`, every value is within this
    /// of the exact one (0 when exact).
    pub error_bound: f64,
    pub confidence: f64,
    /// The sampled sources' ids (so that another tool can use the same).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sampled: Vec<String>,
}

/// A central node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyNode {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkind: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub person: bool,
    pub betweenness: f64,
    pub degree: usize,
}

/// How much the network leans on its most central person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependence {
    pub id: String,
    pub name: String,
    pub betweenness: f64,
    /// Share of the network's relations this person takes part in.
    pub relations_share: f64,
    /// Share of the shortest paths between two other connected nodes that
    /// go through this person (each pair weighing one, split among its
    /// shortest paths).
    pub shortest_paths_share: f64,
}

/// Share of something held by the innermost core.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantShare {
    pub grants: usize,
    pub to_core: usize,
    pub share: f64,
    pub cents: i64,
    pub cents_to_core: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cents_share: Option<f64>,
}

/// Share of the scope's events (trainings included) held by the innermost
/// core: an event counts as the core's when its organiser or its place is
/// in the core. The registry counts attendance by actor kind, not by
/// actor, so who came cannot be matched with the core; the people who came
/// to the core's events are the share of attendance it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventShare {
    pub events: usize,
    pub to_core: usize,
    pub share: f64,
    /// People who came, over every event with a recorded attendance.
    pub attendees: u64,
    pub attendees_to_core: u64,
    /// `None` when no attendance is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendees_share: Option<f64>,
}

/// The circle of regulars.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regulars {
    /// The highest core number (the innermost core's k).
    pub max_core: usize,
    /// The innermost core's nodes.
    pub core: Vec<String>,
    /// Share of the relations with both ends in it.
    pub relations_within_share: f64,
    /// Share of the relations with at least one end in it.
    pub relations_touching_share: f64,
    /// The scope's grants whose beneficiary is in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<GrantShare>,
    /// The scope's events organised by one of its members or held at one
    /// of its places (none when the scope has no event).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<EventShare>,
    /// Gini coefficient of the relations per actor (0: all equal; towards
    /// 1: a few hold them all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gini: Option<f64>,
    /// Herfindahl–Hirschman index of the actors' shares of the relations
    /// (1/actors when equal, 1 when one holds them all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hhi: Option<f64>,
}

/// Actors whose first relation starts in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Newcomers {
    pub year: i32,
    pub actors: usize,
}

/// Diversity of the whole network.
///
/// The index is Gini–Simpson's, `1 - Σ pᵢ²` over the categories' shares:
/// the chance that two actors drawn at random (with replacement) are of
/// different categories. 0 when all are of one; `1 - 1/c` when evenly
/// spread over `c`. Actor kinds count each actor once (those without a
/// kind are left out of the index); families count each of an actor's
/// typology families once (an actor may belong to several).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diversity {
    pub index: &'static str,
    pub actor_kinds: BTreeMap<String, usize>,
    pub families: BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind_diversity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_diversity: Option<f64>,
    pub actors: usize,
    /// Actors whose own territory is in scope.
    pub actors_on_territory: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_territory_share: Option<f64>,
}

/// Commons that organisations of different kinds take part in together: a
/// commons related to organisations of at least two actor kinds (any
/// relation type; people — nature or kind `person` — are no organisation,
/// and an organisation without a kind makes no kind), and those
/// organisations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedCommons {
    /// Commons related to organisations of two kinds or more.
    pub commons: usize,
    /// The organisations related to one of them (each once).
    pub actors: usize,
    /// Those organisations by kind (`unset` for none).
    pub actor_kinds: BTreeMap<String, usize>,
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub nodes: usize,
    pub actors: usize,
    pub places: usize,
    pub commons: usize,
    /// Distinct linked pairs.
    pub edges: usize,
    /// Relations (an operator counting as one).
    pub relations: usize,
    pub components: usize,
    pub isolated: usize,
}

/// The network and its figures. The keys `components`,
/// `articulation_points`, `bridges`, `betweenness` and `core_number` are
/// kept stable for outside checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    /// The territory's id.
    pub territory: String,
    /// The day the network is read on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDate>,
    pub counts: Counts,
    /// Every node, by id.
    pub nodes: Vec<Node>,
    /// Every edge, by source then target.
    pub edges: Vec<Edge>,
    /// One item per connected component, isolated nodes included,
    /// largest first.
    pub components: Vec<Component>,
    /// Actors with no relation in the network.
    pub isolated_actors: Vec<String>,
    /// Nodes whose removal splits their component, by id.
    pub articulation_points: Vec<String>,
    /// What each one's removal splits its component into.
    pub splits: Vec<Split>,
    /// Edges whose removal splits their component: `[a, b]`, `a < b`.
    pub bridges: Vec<[String; 2]>,
    /// Node id → normalised betweenness (unweighted shortest paths).
    pub betweenness: BTreeMap<String, f64>,
    pub betweenness_method: BetweennessMethod,
    /// Node id → distinct neighbours.
    pub degree: BTreeMap<String, usize>,
    /// Node id → the sum of its relations' weights.
    pub weighted_degree: BTreeMap<String, f64>,
    /// Node id → core number (k of the deepest k-core it belongs to).
    pub core_number: BTreeMap<String, usize>,
    /// Actors by decreasing betweenness, then degree.
    pub key_people: Vec<KeyNode>,
    /// The most central person (an actor who is a person, or who works for
    /// or is elected to an organisation) and how much rests on them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependence: Option<Dependence>,
    pub regulars: Regulars,
    /// Commons shared by organisations of different kinds.
    pub shared_commons: SharedCommons,
    /// By year.
    pub newcomers: Vec<Newcomers>,
    pub diversity: Diversity,
}
