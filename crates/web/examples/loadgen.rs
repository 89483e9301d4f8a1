//! A small HTTP load generator for the web benchmark, bounded in count and
//! in time: `C` connections (keep-alive) send `N` GET requests in all, and
//! stop at the deadline whatever is left. Loopback only.
//!
//! `cargo run --release -p archipel-web --example loadgen -- URL [N] [C] [SECONDS]`
//!
//! A `{n}` in the URL is replaced by the request's number, so that each
//! request differs (to measure past the server's answer cache).
//!
//! Prints one JSON line: requests done, errors, throughput, latency
//! percentiles (p50, p90, p99, max) and response size.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let template = args.next().ok_or("usage: loadgen URL [N] [C] [SECONDS]")?;
    let at = |i: usize| -> Result<hyper::Uri, hyper::http::uri::InvalidUri> {
        template.replace("{n}", &i.to_string()).parse()
    };
    let url = at(0)?;
    let host = url.host().unwrap_or("");
    if !(host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host.starts_with("127."))
    {
        return Err("loadgen only targets loopback addresses".into());
    }
    let total: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let conc: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(8);
    let secs: f64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20.0);
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(conc)
        .build_http();

    // Warm-up: a few requests, not counted.
    let mut size = 0usize;
    for i in 0..20 {
        let res = client.get(at(1_000_000_000 + i)?).await?;
        if !res.status().is_success() {
            return Err(format!("{url}: HTTP {}", res.status()).into());
        }
        size = res.into_body().collect().await?.to_bytes().len();
    }

    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (client, next, errors) = (client.clone(), next.clone(), errors.clone());
        let template = template.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || Instant::now() >= deadline {
                    break;
                }
                let Ok(url) = template
                    .replace("{n}", &i.to_string())
                    .parse::<hyper::Uri>()
                else {
                    errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let t = Instant::now();
                match client.get(url).await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        if res.into_body().collect().await.is_err() || !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{}",
        serde_json::json!({
            "url": template,
            "requests": all.len(),
            "errors": errors.load(Ordering::Relaxed),
            "seconds": (elapsed * 100.0).round() / 100.0,
            "rps": (all.len() as f64 / elapsed).round(),
            "p50_ms": (pct(&all, 50.0) * 100.0).round() / 100.0,
            "p90_ms": (pct(&all, 90.0) * 100.0).round() / 100.0,
            "p99_ms": (pct(&all, 99.0) * 100.0).round() / 100.0,
            "max_ms": (pct(&all, 100.0) * 100.0).round() / 100.0,
            "bytes": size,
        })
    );
    Ok(())
}
