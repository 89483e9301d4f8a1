//! Mutation fuzzing of the validator, for longer than the property test.
//!
//! `cargo run --release -p archipel-publiccode --example fuzz -- [SECONDS] [SEED]`
//!
//! Mutates the conformance files (the same mutations as `tests/robustness.rs`)
//! and validates each result, catching panics. Prints executions, panics,
//! the slowest input (and its size), peak memory, and a scaling probe:
//! time for hostile inputs of growing size, next to a bare parse of the
//! same input with the same YAML library.
#[path = "../tests/support/mod.rs"]
mod support;

use archipel_publiccode::{validate, Options};
use std::time::{Duration, Instant};

/// A hostile input shape: its name and a generator for a given size.
type Shape = (&'static str, Box<dyn Fn(usize) -> Vec<u8>>);

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Best of three runs, to keep other processes' noise out.
fn time_it(input: &[u8]) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let r = validate(input, &Options::default());
            std::hint::black_box(r);
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Bare parse with the same YAML library, for comparison.
fn time_parse(input: &[u8]) -> Duration {
    let text = String::from_utf8_lossy(input);
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let mut p = saphyr_parser::Parser::new_from_str(&text);
            while let Some(Ok(e)) = p.next_event() {
                std::hint::black_box(e);
            }
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234);
    let files = support::suite_files();
    assert!(
        !files.is_empty(),
        "conformance suite not found at {}",
        support::suite_dir().display()
    );
    std::panic::set_hook(Box::new(|_| {}));

    let mut rng = support::Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut execs, mut panics, mut bytes) = (0u64, 0u64, 0u64);
    let mut slowest = (Duration::ZERO, 0usize);
    while Instant::now() < deadline {
        let (path, base) = &files[rng.below(files.len() as u64) as usize];
        let n_ops = 1 + rng.below(8) as usize;
        let ops: Vec<(u8, u32, u32)> = (0..n_ops)
            .map(|_| (rng.next() as u8, rng.next() as u32, rng.next() as u32))
            .collect();
        let input = support::mutate(base, &ops);
        let options = Options {
            base_dir: path.parent().map(|p| p.to_path_buf()),
            ..Options::default()
        };
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| validate(&input, &options));
        let took = start.elapsed();
        if result.is_err() {
            panics += 1;
            let out = format!("/tmp/publiccode-fuzz-panic-{panics}.yml");
            let _ = std::fs::write(&out, &input);
            eprintln!("panic on a mutation of {} (saved to {out})", path.display());
        }
        if took > slowest.0 {
            slowest = (took, input.len());
            let _ = std::fs::write("/tmp/publiccode-fuzz-slowest.yml", &input);
        }
        execs += 1;
        bytes += input.len() as u64;
    }
    println!("duration: {seconds} s, seed {seed}");
    println!(
        "executions: {execs} ({:.0}/s), {:.1} MiB validated",
        execs as f64 / seconds as f64,
        bytes as f64 / 1048576.0
    );
    println!("panics: {panics}");
    println!(
        "slowest input: {:.2} ms ({} bytes, saved to /tmp/publiccode-fuzz-slowest.yml)",
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
    println!("peak RSS: {} MiB", peak_rss_kib() / 1024);

    println!("scaling (validation time at 256 KiB, 1 MiB, 3.5 MiB; bare parse in brackets):");
    let shapes: Vec<Shape> = vec![
        (
            "long line",
            Box::new(|n| {
                format!("publiccodeYmlVersion: \"0.7\"\nname: {}\n", "x".repeat(n)).into_bytes()
            }),
        ),
        (
            "many keys",
            Box::new(|n| {
                format!(
                    "publiccodeYmlVersion: \"0.7\"\n{}",
                    (0..n / 10)
                        .map(|i| format!("k{i}: v\n"))
                        .collect::<String>()
                )
                .into_bytes()
            }),
        ),
        (
            "many wrong-type items",
            Box::new(|n| {
                format!(
                    "publiccodeYmlVersion: \"0.7\"\nplatforms:\n{}",
                    "  - []\n".repeat(n / 7)
                )
                .into_bytes()
            }),
        ),
        (
            "nested block mappings",
            Box::new(|n| {
                (0..n / 2000)
                    .map(|i| format!("{}k:\n", " ".repeat(i % 60)))
                    .collect::<String>()
                    .repeat(20)
                    .into_bytes()
            }),
        ),
        (
            "many languages",
            Box::new(|n| {
                format!(
                    "publiccodeYmlVersion: \"0.7\"\ndescription:\n{}",
                    (0..n / 40)
                        .map(|i| format!("  x{i}:\n    features: [a]\n"))
                        .collect::<String>()
                )
                .into_bytes()
            }),
        ),
    ];
    for (name, make) in shapes {
        let row: Vec<String> = [256 * 1024, 1024 * 1024, 3584 * 1024]
            .iter()
            .map(|&n| {
                let input = make(n);
                format!(
                    "{:.1} ms [{:.1}]",
                    time_it(&input).as_secs_f64() * 1e3,
                    time_parse(&input).as_secs_f64() * 1e3
                )
            })
            .collect();
        println!("  {name}: {}", row.join(" -> "));
    }
}
