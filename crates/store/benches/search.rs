//! Search latency over an existing registry (see bench/import.sh).
//!
//! usage: cargo bench -p archipel-store --bench search -- PATH.db [ROUNDS]
//! Prints median and p99 latency of a mix of one- and two-word queries,
//! with and without accents, rare and frequent words.

use archipel_store::{SearchQuery, Store};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: search PATH.db [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(200);
    let store = match Store::open_existing(std::path::Path::new(path)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let queries = [
        "mediatheque",
        "Médiathèque Brest",
        "tiers lieu",
        "fablab",
        "numerique",
        "n°4242",
        "bibliotheque lyon",
        "france services",
        "atelier",
        "centre social nantes",
        "mediatheque saint etienne",
    ];
    // The first search builds the in-memory search index (once per process
    // and per change of the index); then warm the page cache.
    let t = Instant::now();
    let _ = store.search(&SearchQuery::text(queries[0]));
    println!(
        "first search (builds the in-memory index): {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for q in queries {
        let _ = store.search(&SearchQuery::text(q));
    }
    let mut per_query: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    let mut lat = Vec::with_capacity(rounds * queries.len());
    let mut hits = 0u64;
    for _ in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            match store.search(&SearchQuery::text(*q)) {
                Ok(r) => hits += r.total.min(1),
                Err(e) => {
                    eprintln!("{q}: {e}");
                    std::process::exit(1);
                }
            }
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            lat.push(ms);
            per_query[i].push(ms);
        }
    }
    for (q, l) in queries.iter().zip(per_query.iter_mut()) {
        l.sort_by(|a, b| a.total_cmp(b));
        let total = store.search(&SearchQuery::text(*q)).map(|r| r.total);
        if let Ok(n) = total {
            println!("  {q:<24} {n:>7} matches, median {:.2} ms", l[l.len() / 2]);
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "search: {} queries ({} with matches), median {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < 20 ms)",
        lat.len(),
        hits,
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
