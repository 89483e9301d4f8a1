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
    ];
    // Warm the page cache.
    for q in queries {
        let _ = store.search(&SearchQuery::text(q));
    }
    let mut lat = Vec::with_capacity(rounds * queries.len());
    let mut hits = 0u64;
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            match store.search(&SearchQuery::text(q)) {
                Ok(r) => hits += r.total.min(1),
                Err(e) => {
                    eprintln!("{q}: {e}");
                    std::process::exit(1);
                }
            }
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
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
