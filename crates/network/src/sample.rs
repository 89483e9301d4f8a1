//! Betweenness estimated from a sample of sources, for networks too large
//! for the exact computation.
//!
//! rustworkx-core computes the exact betweenness (Brandes' algorithm from
//! every node) and has no sampled variant; this is the same single-source
//! accumulation from `k` sources only (Brandes and Pich, "Centrality
//! estimation in large networks", 2007), scaled as networkx (3.5 and
//! later) scales `betweenness_centrality(G, k=…, normalized=True)` on an
//! undirected graph: a source's own value by `1/((k-1)(n-2))`, any other
//! node's by `1/(k(n-2))`. With every node as a source it gives the exact
//! value (a test compares it with rustworkx-core's).
//!
//! The sources are chosen by a seeded shuffle of the node indexes
//! (SplitMix64 and Fisher–Yates, written here so that the same seed picks
//! the same sources whatever the version of a random-number crate).

use rayon::prelude::*;

/// An undirected simple graph as adjacency lists.
pub struct Adjacency {
    pub offsets: Vec<usize>,
    pub targets: Vec<u32>,
}

impl Adjacency {
    /// From unique undirected edges `(a, b)`, `a != b`, over `n` nodes.
    pub fn new(n: usize, edges: &[(u32, u32)]) -> Adjacency {
        let mut degree = vec![0usize; n + 1];
        for &(a, b) in edges {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut offsets = vec![0usize; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; offsets[n]];
        for &(a, b) in edges {
            targets[fill[a as usize]] = b;
            fill[a as usize] += 1;
            targets[fill[b as usize]] = a;
            fill[b as usize] += 1;
        }
        Adjacency { offsets, targets }
    }

    fn neighbours(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v]..self.offsets[v + 1]]
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// `k` distinct node indexes out of `n`, the same for the same seed.
pub fn sources(n: usize, k: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut all: Vec<u32> = (0..n as u32).collect();
    let k = k.min(n);
    for i in 0..k {
        // Lemire's multiply-shift: a uniform index in i..n.
        let span = (n - i) as u64;
        let j = i + ((u128::from(next()) * u128::from(span)) >> 64) as usize;
        all.swap(i, j);
    }
    all.truncate(k);
    all
}

/// A node's state in one single-source search, kept together so that
/// looking at a neighbour touches one cache line, not three arrays.
#[derive(Clone, Copy)]
struct Slot {
    /// Shortest paths from the source.
    sigma: f64,
    /// `(1 + δ) / σ` once the node's dependency δ is known.
    coeff: f64,
    /// Distance from the source (`UNSEEN` before the search reaches it).
    dist: u32,
}

const UNSEEN: u32 = u32::MAX;
const EMPTY: Slot = Slot {
    sigma: 0.0,
    coeff: 0.0,
    dist: UNSEEN,
};

/// The dependencies of every node on one source (Brandes' accumulation
/// over unweighted shortest paths), added into `into`.
///
/// The breadth-first order is kept in `order`, which serves as the queue.
/// The dependencies are then gathered from the far side: in reverse order,
/// a node's δ is its σ times the sum of `(1 + δ) / σ` over its neighbours
/// one step further (its successors, all done by then) — the same sum
/// Brandes scatters from each successor to its predecessors, gathered by
/// the node itself, so that the pass only reads its neighbours.
fn accumulate(g: &Adjacency, s: usize, into: &mut [f64], work: &mut Work) {
    let Work { slots, order } = work;
    order.clear();
    slots[s] = Slot {
        sigma: 1.0,
        coeff: 0.0,
        dist: 0,
    };
    order.push(s as u32);
    let mut head = 0;
    while let Some(&v) = order.get(head) {
        head += 1;
        let Slot { sigma, dist, .. } = slots[v as usize];
        let next = dist + 1;
        for &w in g.neighbours(v as usize) {
            let slot = &mut slots[w as usize];
            if slot.dist == UNSEEN {
                slot.dist = next;
                order.push(w);
            }
            if slot.dist == next {
                slot.sigma += sigma;
            }
        }
    }
    for &w in order.iter().rev() {
        let w = w as usize;
        let next = slots[w].dist + 1;
        let mut sum = 0.0;
        for &x in g.neighbours(w) {
            let slot = &slots[x as usize];
            if slot.dist == next {
                sum += slot.coeff;
            }
        }
        let slot = &mut slots[w];
        let delta = slot.sigma * sum;
        slot.coeff = (1.0 + delta) / slot.sigma;
        if w != s {
            into[w] += delta;
        }
    }
    for &w in order.iter() {
        slots[w as usize] = EMPTY;
    }
}

/// One search's buffers, reused from source to source.
struct Work {
    slots: Vec<Slot>,
    order: Vec<u32>,
}

impl Work {
    fn new(n: usize) -> Work {
        Work {
            slots: vec![EMPTY; n],
            order: Vec::with_capacity(n),
        }
    }
}

/// The sources are summed in this many groups, each by one thread with
/// its own buffers, then the groups in order: the sum does not depend on
/// how many threads there are or which finished first.
const GROUPS: usize = 8;

impl Adjacency {
    /// The same graph with its nodes numbered in breadth-first order, so
    /// that neighbours sit near each other in memory (the searches below
    /// then miss the processor's caches far less often), and the new
    /// number of each old node.
    fn renumbered(&self) -> (Adjacency, Vec<u32>) {
        let n = self.len();
        let mut new_of = vec![u32::MAX; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        for root in 0..n {
            if new_of[root] != u32::MAX {
                continue;
            }
            new_of[root] = order.len() as u32;
            order.push(root as u32);
            let mut head = order.len() - 1;
            while head < order.len() {
                let v = order[head] as usize;
                head += 1;
                for &w in self.neighbours(v) {
                    if new_of[w as usize] == u32::MAX {
                        new_of[w as usize] = order.len() as u32;
                        order.push(w);
                    }
                }
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(self.targets.len());
        offsets.push(0);
        for &old in &order {
            targets.extend(
                self.neighbours(old as usize)
                    .iter()
                    .map(|&w| new_of[w as usize]),
            );
            offsets.push(targets.len());
        }
        (Adjacency { offsets, targets }, new_of)
    }
}

/// Normalised betweenness estimated from `sources` (see the module's
/// documentation for the scaling).
pub fn betweenness(g: &Adjacency, sources: &[u32]) -> Vec<f64> {
    let (h, new_of) = g.renumbered();
    let renamed: Vec<u32> = sources.iter().map(|&s| new_of[s as usize]).collect();
    let values = betweenness_in(&h, &renamed);
    new_of.iter().map(|&v| values[v as usize]).collect()
}

fn betweenness_in(g: &Adjacency, sources: &[u32]) -> Vec<f64> {
    let n = g.len();
    let per_group = sources.len().div_ceil(GROUPS).max(1);
    let groups: Vec<Vec<f64>> = sources
        .par_chunks(per_group)
        .map(|group| {
            let mut acc = vec![0.0f64; n];
            let mut work = Work::new(n);
            for &s in group {
                accumulate(g, s as usize, &mut acc, &mut work);
            }
            acc
        })
        .collect();
    let mut sums = vec![0.0f64; n];
    for acc in &groups {
        for (x, y) in sums.iter_mut().zip(acc) {
            *x += y;
        }
    }
    let k = sources.len();
    if n < 3 || k == 0 {
        return vec![0.0; n];
    }
    let mut is_source = vec![false; n];
    for &s in sources {
        is_source[s as usize] = true;
    }
    let nn = (n - 2) as f64;
    sums.into_iter()
        .enumerate()
        .map(|(v, b)| {
            if k == n {
                b / ((n - 1) as f64 * nn)
            } else if is_source[v] {
                if k > 1 {
                    b / ((k - 1) as f64 * nn)
                } else {
                    0.0
                }
            } else {
                b / (k as f64 * nn)
            }
        })
        .collect()
}

/// The half-width ε such that, with probability at least `1 - delta`,
/// every node's estimate is within ε of its exact normalised betweenness
/// (Hoeffding's inequality for sampling without replacement, each
/// source's term lying in [0, 1], and a union bound over the `n` nodes;
/// a source node has `k - 1` terms).
pub fn error_bound(n: usize, k: usize, delta: f64) -> f64 {
    if k >= n || k < 2 {
        return if k >= n { 0.0 } else { 1.0 };
    }
    ((2.0 * n as f64 / delta).ln() / (2.0 * (k - 1) as f64))
        .sqrt()
        .min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustworkx_core::centrality::betweenness_centrality;
    use rustworkx_core::petgraph::graph::{NodeIndex, UnGraph};

    /// A random simple graph: `n` nodes, about `m` edges, a few isolated
    /// nodes and several components (edges only within blocks of 233).
    fn random_graph(n: usize, m: usize, seed: u64) -> Vec<(u32, u32)> {
        let mut state = seed;
        let mut pick = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % n as u64) as usize
        };
        let mut edges = std::collections::BTreeSet::new();
        while edges.len() < m {
            let a = pick();
            let b = (a / 233) * 233 + pick() % 233;
            if a != b && b < n && a % 50 != 7 && b % 50 != 7 {
                edges.insert((a.min(b) as u32, a.max(b) as u32));
            }
        }
        edges.into_iter().collect()
    }

    #[test]
    fn from_every_source_it_is_rustworkx_core_s_exact_betweenness() {
        let (n, m) = (700, 1_000);
        let edges = random_graph(n, m, 7);
        let mut g: UnGraph<(), ()> = UnGraph::with_capacity(n, edges.len());
        for _ in 0..n {
            g.add_node(());
        }
        for &(a, b) in &edges {
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
        let exact: Vec<f64> = betweenness_centrality(&g, false, true, 50)
            .into_iter()
            .map(|x| x.unwrap_or(0.0))
            .collect();
        let every: Vec<u32> = (0..n as u32).collect();
        let ours = betweenness(&Adjacency::new(n, &edges), &every);
        assert!(
            exact.iter().any(|&b| b > 0.01),
            "a graph with central nodes"
        );
        for (v, (a, b)) in ours.iter().zip(&exact).enumerate() {
            assert!((a - b).abs() < 1e-12, "node {v}: {a} against {b}");
        }
    }

    #[test]
    fn the_sum_does_not_depend_on_the_threads() {
        let (n, m) = (3_000, 9_000);
        let edges = random_graph(n, m, 11);
        let g = Adjacency::new(n, &edges);
        let chosen = sources(n, 200, 18);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| betweenness(&g, &chosen))
        };
        let one = on(1);
        for threads in [2, 3, 5] {
            let other = on(threads);
            let same = one
                .iter()
                .zip(&other)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{threads} threads");
        }
    }
}
