//! The graph and its figures.

use crate::sample::{self, Adjacency};
use crate::{
    BetweennessMethod, Component, Counts, Dependence, Diversity, Edge, EventShare, GrantShare,
    Input, KeyNode, Knowledge, Network, Newcomers, Node, Options, Regulars, SharedCommons, Split,
};
use archipel_domain::EntityKind;
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use rustworkx_core::centrality::betweenness_centrality;
use rustworkx_core::connectivity::{
    articulation_points, bridges, connected_components, core_number,
};
use rustworkx_core::petgraph::graph::{NodeIndex, UnGraph};
use rustworkx_core::petgraph::visit::Bfs;
use std::collections::BTreeMap;

/// Probability the sampled betweenness' stated bound may fail.
const BOUND_RISK: f64 = 0.05;

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// Gini–Simpson index of counts (`None` when there is nothing to count).
fn gini_simpson<'a>(counts: impl IntoIterator<Item = &'a usize>) -> Option<f64> {
    let counts: Vec<f64> = counts.into_iter().map(|c| *c as f64).collect();
    let total: f64 = counts.iter().sum();
    (total > 0.0).then(|| 1.0 - counts.iter().map(|c| (c / total).powi(2)).sum::<f64>())
}

/// Gini coefficient of non-negative values (`None` when they add up to 0).
fn gini(values: &[usize]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().map(|x| *x as f64).collect();
    let total: f64 = v.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    Some((2.0 * weighted) / (n * total) - (n + 1.0) / n)
}

/// Herfindahl–Hirschman index of shares (`None` when they add up to 0).
fn hhi(values: &[usize]) -> Option<f64> {
    let total: f64 = values.iter().map(|x| *x as f64).sum();
    (total > 0.0).then(|| values.iter().map(|x| (*x as f64 / total).powi(2)).sum())
}

fn kind_name(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Actor => "actor",
        EntityKind::Place => "place",
        _ => "commons",
    }
}

/// Builds the graph of `input` and computes every figure.
pub fn analyse(input: &Input, knowledge: &Knowledge, options: &Options) -> Network {
    let nodes = &input.nodes;
    let n = nodes.len();
    let index: FxHashMap<&str, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i as u32))
        .collect();
    let is_actor = |i: usize| nodes[i].kind == EntityKind::Actor;

    // Relations → simple edges.
    let mut pairs: FxHashMap<(u32, u32), usize> = FxHashMap::default();
    // (ends, relations by type, weight)
    type Pair = ((u32, u32), BTreeMap<String, u32>, f64);
    let mut edges: Vec<Pair> = Vec::new();
    let mut relations_of = vec![0usize; n];
    let mut strength = vec![0f64; n];
    let mut first: Vec<Option<NaiveDate>> = vec![None; n];
    let mut employed = vec![false; n];
    let mut ends: Vec<(u32, u32)> = Vec::new();
    for l in &input.links {
        let (Some(&a), Some(&b)) = (index.get(l.subject.as_str()), index.get(l.object.as_str()))
        else {
            continue;
        };
        if a == b {
            continue;
        }
        ends.push((a, b));
        let w = knowledge.weights.of(&l.kind);
        for x in [a, b] {
            let x = x as usize;
            relations_of[x] += 1;
            strength[x] += w;
            if let Some(s) = l.start {
                first[x] = Some(first[x].map_or(s, |f| f.min(s)));
            }
        }
        if l.kind == "works_for" || l.kind == "elected_to" {
            employed[a as usize] = true;
        }
        let key = (a.min(b), a.max(b));
        let e = *pairs.entry(key).or_insert_with(|| {
            edges.push((key, BTreeMap::new(), 0.0));
            edges.len() - 1
        });
        *edges[e].1.entry(l.kind.clone()).or_insert(0) += 1;
        edges[e].2 += w;
    }
    edges.sort_by_key(|e| e.0);
    let relations = ends.len();

    let mut g: UnGraph<(), ()> = UnGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        g.add_node(());
    }
    for ((a, b), _, _) in &edges {
        g.add_edge(NodeIndex::new(*a as usize), NodeIndex::new(*b as usize), ());
    }
    let id = |i: usize| nodes[i].id.clone();

    // Islands.
    let mut comps: Vec<Vec<usize>> = connected_components(&g)
        .into_iter()
        .map(|c| {
            let mut v: Vec<usize> = c.into_iter().map(|x| x.index()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    comps.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let mut component_of = vec![0usize; n];
    for (ci, c) in comps.iter().enumerate() {
        for &v in c {
            component_of[v] = ci;
        }
    }
    let families_of = |i: usize| -> Vec<&str> {
        let mut f: Vec<&str> = nodes[i]
            .typology
            .iter()
            .filter_map(|t| knowledge.families.get(t).map(String::as_str))
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    };
    let describe = |members: &mut dyn Iterator<Item = usize>| {
        let mut kinds = BTreeMap::new();
        let mut families = BTreeMap::new();
        let (mut actors, mut places, mut commons) = (0, 0, 0);
        for v in members {
            match nodes[v].kind {
                EntityKind::Actor => {
                    actors += 1;
                    let k = nodes[v].subkind.clone().unwrap_or_else(|| "unset".into());
                    *kinds.entry(k).or_insert(0usize) += 1;
                    for f in families_of(v) {
                        *families.entry(f.to_string()).or_insert(0usize) += 1;
                    }
                }
                EntityKind::Place => places += 1,
                _ => commons += 1,
            }
        }
        (actors, places, commons, kinds, families)
    };
    let kind_index = |kinds: &BTreeMap<String, usize>| {
        gini_simpson(kinds.iter().filter(|(k, _)| *k != "unset").map(|(_, c)| c))
    };
    let components: Vec<Component> = comps
        .iter()
        .map(|c| {
            let (actors, places, commons, actor_kinds, families) = describe(&mut c.iter().copied());
            Component {
                size: c.len(),
                nodes: c.iter().map(|&v| id(v)).collect(),
                actors,
                places,
                commons,
                kind_diversity: kind_index(&actor_kinds),
                family_diversity: gini_simpson(families.values()),
                actor_kinds,
                families,
            }
        })
        .collect();
    let degree: Vec<usize> = (0..n)
        .map(|i| g.neighbors(NodeIndex::new(i)).count())
        .collect();
    let isolated_actors: Vec<String> = (0..n)
        .filter(|&i| is_actor(i) && degree[i] == 0)
        .map(id)
        .collect();

    // Articulation points, bridges, and what each point's removal leaves.
    let mut blocks_of_edges = Default::default();
    let aps = articulation_points(&g, Some(&mut blocks_of_edges));
    let mut articulation: Vec<usize> = aps.iter().map(|x| x.index()).collect();
    articulation.sort_unstable();
    let splits = split_sizes(
        n,
        &articulation,
        blocks_of_edges
            .iter()
            .map(|((a, b), blk)| (a.index(), b.index(), *blk)),
        |v| comps[component_of[v]].len(),
    );
    let mut bridge_list: Vec<[String; 2]> = bridges(&g)
        .into_iter()
        .map(|(a, b)| {
            let (a, b) = (id(a.index()), id(b.index()));
            if a < b {
                [a, b]
            } else {
                [b, a]
            }
        })
        .collect();
    bridge_list.sort();

    // Core numbers.
    let mut core = vec![0usize; n];
    for (v, k) in core_number(&g) {
        core[v.index()] = k;
    }

    // Betweenness.
    let (between, method) = if n <= options.exact_up_to {
        let b: Vec<f64> = betweenness_centrality(&g, false, true, 50)
            .into_iter()
            .map(|x| x.unwrap_or(0.0))
            .collect();
        (
            b,
            BetweennessMethod {
                method: "exact",
                nodes: n,
                sources: n,
                seed: None,
                error_bound: 0.0,
                confidence: 1.0,
                sampled: Vec::new(),
            },
        )
    } else {
        let pairs: Vec<(u32, u32)> = edges.iter().map(|e| e.0).collect();
        let adjacency = Adjacency::new(n, &pairs);
        let chosen = sample::sources(n, options.samples, options.seed);
        let b = sample::betweenness(&adjacency, &chosen);
        (
            b,
            BetweennessMethod {
                method: "sampled",
                nodes: n,
                sources: chosen.len(),
                seed: Some(options.seed),
                error_bound: sample::error_bound(n, chosen.len(), BOUND_RISK),
                confidence: 1.0 - BOUND_RISK,
                sampled: chosen.iter().map(|&s| id(s as usize)).collect(),
            },
        )
    };

    // Key people and the dependence on one.
    let rank = |a: &usize, b: &usize| {
        between[*b]
            .total_cmp(&between[*a])
            .then(degree[*b].cmp(&degree[*a]))
            .then(a.cmp(b))
    };
    let mut actors: Vec<usize> = (0..n).filter(|&i| is_actor(i)).collect();
    actors.sort_by(rank);
    let key_people = actors
        .iter()
        .take(options.key_people)
        .map(|&i| KeyNode {
            id: id(i),
            name: nodes[i].name.clone(),
            subkind: nodes[i].subkind.clone(),
            person: nodes[i].person,
            betweenness: between[i],
            degree: degree[i],
        })
        .collect();
    let is_person = |i: usize| {
        is_actor(i)
            && (nodes[i].person || nodes[i].subkind.as_deref() == Some("person") || employed[i])
    };
    let dependence = actors.iter().copied().find(|&i| is_person(i)).map(|i| {
        let pairs_through = if n > 2 {
            between[i] * ((n - 1) * (n - 2)) as f64 / 2.0
        } else {
            0.0
        };
        let connected: usize = comps.iter().map(|c| c.len() * (c.len() - 1) / 2).sum();
        let others = connected - (comps[component_of[i]].len() - 1);
        Dependence {
            id: id(i),
            name: nodes[i].name.clone(),
            betweenness: between[i],
            relations_share: ratio(relations_of[i] as f64, relations as f64),
            shortest_paths_share: ratio(pairs_through, others as f64),
        }
    });

    // The circle of regulars.
    let max_core = core.iter().copied().max().unwrap_or(0);
    let in_core: Vec<bool> = core.iter().map(|k| *k == max_core).collect();
    let within = ends
        .iter()
        .filter(|(a, b)| in_core[*a as usize] && in_core[*b as usize])
        .count();
    let touching = ends
        .iter()
        .filter(|(a, b)| in_core[*a as usize] || in_core[*b as usize])
        .count();
    let grants = (!input.grants.is_empty()).then(|| {
        let mut s = GrantShare {
            grants: input.grants.len(),
            to_core: 0,
            share: 0.0,
            cents: 0,
            cents_to_core: 0,
            cents_share: None,
        };
        for gr in &input.grants {
            s.cents = s.cents.saturating_add(gr.cents);
            if index
                .get(gr.beneficiary.as_str())
                .is_some_and(|&b| in_core[b as usize])
            {
                s.to_core += 1;
                s.cents_to_core = s.cents_to_core.saturating_add(gr.cents);
            }
        }
        s.share = ratio(s.to_core as f64, s.grants as f64);
        s.cents_share = (s.cents > 0).then(|| s.cents_to_core as f64 / s.cents as f64);
        s
    });
    let core_member = |id: &str| index.get(id).is_some_and(|&x| in_core[x as usize]);
    let events = (!input.events.is_empty()).then(|| {
        let mut s = EventShare {
            events: input.events.len(),
            to_core: 0,
            share: 0.0,
            attendees: 0,
            attendees_to_core: 0,
            attendees_share: None,
        };
        for ev in &input.events {
            s.attendees = s.attendees.saturating_add(ev.attendees);
            if core_member(&ev.organiser) || ev.place.as_deref().is_some_and(core_member) {
                s.to_core += 1;
                s.attendees_to_core = s.attendees_to_core.saturating_add(ev.attendees);
            }
        }
        s.share = ratio(s.to_core as f64, s.events as f64);
        s.attendees_share =
            (s.attendees > 0).then(|| s.attendees_to_core as f64 / s.attendees as f64);
        s
    });
    let per_actor: Vec<usize> = (0..n)
        .filter(|&i| is_actor(i))
        .map(|i| relations_of[i])
        .collect();
    let regulars = Regulars {
        max_core,
        core: (0..n).filter(|&i| in_core[i]).map(id).collect(),
        relations_within_share: ratio(within as f64, relations as f64),
        relations_touching_share: ratio(touching as f64, relations as f64),
        grants,
        events,
        gini: gini(&per_actor),
        hhi: hhi(&per_actor),
    };

    // Commons shared by organisations of different kinds.
    let organisation =
        |i: usize| is_actor(i) && !nodes[i].person && nodes[i].subkind.as_deref() != Some("person");
    let mut actors_of_commons: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in &ends {
        let (a, b) = (a as usize, b as usize);
        for (x, y) in [(a, b), (b, a)] {
            if organisation(x) && nodes[y].kind == EntityKind::Commons {
                actors_of_commons[y].push(x as u32);
            }
        }
    }
    let mut shared_commons = SharedCommons {
        commons: 0,
        actors: 0,
        actor_kinds: BTreeMap::new(),
    };
    let mut sharing = vec![false; n];
    for list in &mut actors_of_commons {
        list.sort_unstable();
        list.dedup();
        let mut kinds: Vec<&str> = list
            .iter()
            .filter_map(|&x| nodes[x as usize].subkind.as_deref())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.len() >= 2 {
            shared_commons.commons += 1;
            for &x in list.iter() {
                sharing[x as usize] = true;
            }
        }
    }
    for i in (0..n).filter(|&i| sharing[i]) {
        shared_commons.actors += 1;
        let k = nodes[i].subkind.clone().unwrap_or_else(|| "unset".into());
        *shared_commons.actor_kinds.entry(k).or_insert(0) += 1;
    }

    // Newcomers.
    let mut years: BTreeMap<i32, usize> = BTreeMap::new();
    for i in (0..n).filter(|&i| is_actor(i)) {
        if let Some(d) = first[i] {
            *years.entry(d.year()).or_insert(0) += 1;
        }
    }
    let newcomers = years
        .into_iter()
        .map(|(year, actors)| Newcomers { year, actors })
        .collect();

    // Diversity.
    let (n_actors, n_places, n_commons, actor_kinds, families) = describe(&mut (0..n));
    let on_territory = (0..n)
        .filter(|&i| is_actor(i) && nodes[i].on_territory)
        .count();
    let diversity = Diversity {
        index: "gini-simpson",
        kind_diversity: kind_index(&actor_kinds),
        family_diversity: gini_simpson(families.values()),
        actor_kinds,
        families,
        actors: n_actors,
        actors_on_territory: on_territory,
        on_territory_share: (n_actors > 0).then(|| on_territory as f64 / n_actors as f64),
    };

    let out_nodes = (0..n)
        .map(|i| Node {
            id: id(i),
            name: nodes[i].name.clone(),
            kind: kind_name(nodes[i].kind),
            subkind: nodes[i].subkind.clone(),
            typology: nodes[i].typology.clone(),
            person: nodes[i].person,
            on_territory: nodes[i].on_territory,
            component: component_of[i],
        })
        .collect();
    let out_edges = edges
        .into_iter()
        .map(|((a, b), relations, weight)| Edge {
            source: id(a as usize),
            target: id(b as usize),
            relations,
            weight,
        })
        .collect::<Vec<_>>();
    let by_id = |v: &dyn Fn(usize) -> f64| -> BTreeMap<String, f64> {
        (0..n).map(|i| (id(i), v(i))).collect()
    };
    Network {
        territory: String::new(),
        at: None,
        counts: Counts {
            nodes: n,
            actors: n_actors,
            places: n_places,
            commons: n_commons,
            edges: out_edges.len(),
            relations,
            components: components.len(),
            isolated: degree.iter().filter(|d| **d == 0).count(),
        },
        nodes: out_nodes,
        edges: out_edges,
        components,
        isolated_actors,
        articulation_points: articulation.iter().map(|&v| id(v)).collect(),
        splits: splits
            .into_iter()
            .map(|(v, pieces)| Split {
                id: id(v),
                name: nodes[v].name.clone(),
                pieces,
            })
            .collect(),
        bridges: bridge_list,
        betweenness: by_id(&|i| between[i]),
        betweenness_method: method,
        degree: (0..n).map(|i| (id(i), degree[i])).collect(),
        weighted_degree: by_id(&|i| strength[i]),
        core_number: (0..n).map(|i| (id(i), core[i])).collect(),
        key_people,
        dependence,
        regulars,
        shared_commons,
        newcomers,
        diversity,
    }
}

/// For each articulation point, the sizes of the pieces its removal
/// leaves of its component, largest first.
///
/// From the biconnected blocks rustworkx-core labels the edges with: the
/// block–cut tree (a node per block and per articulation point, a point
/// joined to the blocks it belongs to) is walked breadth first (petgraph's
/// `Bfs`) from one node of each of its trees; a subtree's weight is the
/// number of graph nodes in it (a block weighs its nodes that are not
/// articulation points, a point weighs one). Removing a point leaves one
/// piece per child subtree, and the rest of its component.
fn split_sizes(
    n: usize,
    points: &[usize],
    edge_blocks: impl Iterator<Item = (usize, usize, usize)>,
    component_size: impl Fn(usize) -> usize,
) -> Vec<(usize, Vec<usize>)> {
    if points.is_empty() {
        return Vec::new();
    }
    let mut point_of = vec![usize::MAX; n];
    for (i, &p) in points.iter().enumerate() {
        point_of[p] = i;
    }
    let mut block_nodes: Vec<Vec<usize>> = Vec::new();
    for (a, b, blk) in edge_blocks {
        if block_nodes.len() <= blk {
            block_nodes.resize(blk + 1, Vec::new());
        }
        block_nodes[blk].push(a);
        block_nodes[blk].push(b);
    }
    let blocks = block_nodes.len();
    let mut tree: UnGraph<(), ()> = UnGraph::with_capacity(blocks + points.len(), 0);
    let mut weight = vec![0usize; blocks + points.len()];
    for _ in 0..blocks + points.len() {
        tree.add_node(());
    }
    for (blk, members) in block_nodes.iter_mut().enumerate() {
        members.sort_unstable();
        members.dedup();
        for &v in members.iter() {
            if point_of[v] == usize::MAX {
                weight[blk] += 1;
            } else {
                tree.add_edge(
                    NodeIndex::new(blk),
                    NodeIndex::new(blocks + point_of[v]),
                    (),
                );
            }
        }
    }
    for w in &mut weight[blocks..] {
        *w = 1;
    }
    let total = tree.node_count();
    let mut parent = vec![usize::MAX; total];
    let mut seen = vec![false; total];
    let mut order: Vec<usize> = Vec::with_capacity(total);
    let mut position = vec![usize::MAX; total];
    for root in 0..total {
        if seen[root] {
            continue;
        }
        let mut bfs = Bfs::new(&tree, NodeIndex::new(root));
        while let Some(v) = bfs.next(&tree) {
            let v = v.index();
            seen[v] = true;
            position[v] = order.len();
            // In a tree, the one neighbour reached before is the parent.
            parent[v] = tree
                .neighbors(NodeIndex::new(v))
                .map(|u| u.index())
                .find(|&u| position[u] < position[v])
                .unwrap_or(usize::MAX);
            order.push(v);
        }
    }
    let mut sub = weight.clone();
    for &v in order.iter().rev() {
        if parent[v] != usize::MAX {
            sub[parent[v]] += sub[v];
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); total];
    for v in 0..total {
        if parent[v] != usize::MAX {
            children[parent[v]].push(v);
        }
    }
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let t = blocks + i;
            let mut pieces: Vec<usize> = children[t].iter().map(|&c| sub[c]).collect();
            if parent[t] != usize::MAX {
                pieces.push(component_size(p) - sub[t]);
            }
            pieces.sort_unstable_by(|a, b| b.cmp(a));
            (p, pieces)
        })
        .collect()
}
