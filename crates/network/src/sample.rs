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
use std::collections::VecDeque;

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

/// The dependencies of every node on one source (Brandes' accumulation
/// over unweighted shortest paths), added into `into`.
fn accumulate(g: &Adjacency, s: usize, into: &mut [f64], work: &mut Work) {
    let Work {
        sigma,
        dist,
        delta,
        order,
        queue,
    } = work;
    order.clear();
    queue.clear();
    sigma[s] = 1.0;
    dist[s] = 0;
    queue.push_back(s as u32);
    while let Some(v) = queue.pop_front() {
        let v = v as usize;
        order.push(v as u32);
        let dv = dist[v];
        for &w in g.neighbours(v) {
            let w = w as usize;
            if dist[w] == u32::MAX {
                dist[w] = dv + 1;
                queue.push_back(w as u32);
            }
            if dist[w] == dv + 1 {
                sigma[w] += sigma[v];
            }
        }
    }
    for &w in order.iter().rev() {
        let w = w as usize;
        let coeff = (1.0 + delta[w]) / sigma[w];
        let dw = dist[w];
        for &v in g.neighbours(w) {
            let v = v as usize;
            if dist[v] != u32::MAX && dist[v] + 1 == dw {
                delta[v] += sigma[v] * coeff;
            }
        }
        if w != s {
            into[w] += delta[w];
        }
    }
    for &w in order.iter() {
        let w = w as usize;
        sigma[w] = 0.0;
        dist[w] = u32::MAX;
        delta[w] = 0.0;
    }
}

struct Work {
    sigma: Vec<f64>,
    dist: Vec<u32>,
    delta: Vec<f64>,
    order: Vec<u32>,
    queue: VecDeque<u32>,
}

impl Work {
    fn new(n: usize) -> Work {
        Work {
            sigma: vec![0.0; n],
            dist: vec![u32::MAX; n],
            delta: vec![0.0; n],
            order: Vec::with_capacity(n),
            queue: VecDeque::with_capacity(n),
        }
    }
}

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
    let sums = sources
        .par_iter()
        .fold(
            || (vec![0.0f64; n], Work::new(n)),
            |(mut acc, mut work), &s| {
                accumulate(g, s as usize, &mut acc, &mut work);
                (acc, work)
            },
        )
        .map(|(acc, _)| acc)
        .reduce(
            || vec![0.0f64; n],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
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
