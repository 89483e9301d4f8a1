//! Validation speed, and its cost relative to a bare YAML parse.
//!
//! `cargo bench -p archipel-publiccode --bench validate`
//!
//! Two inputs: the conformance files (validated as files, so the logo and
//! screenshot checks hit the disk) and a corpus of 10,000 generated
//! variants of them (validated from memory). For each: files per second
//! for validation and for a bare parse of the same bytes with the same YAML
//! library (`saphyr-parser` events, nothing built), and the ratio of the
//! two times. Times are the thread's CPU time (user + system), so that other
//! processes on a shared machine weigh less on them; each figure is the best
//! of several alternating passes.
#[path = "../tests/support/mod.rs"]
mod support;

use archipel_publiccode::{validate, validate_file, Options};
use std::hint::black_box;
use std::time::Duration;
#[cfg(not(unix))]
use std::time::Instant;

const CORPUS: usize = 10_000;
const PASSES: usize = 7;
/// The conformance files are few: each pass goes over them this many times.
const SUITE_ROUNDS: usize = 20;

fn bare_parse(bytes: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return 0;
    };
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut events = 0;
    while let Some(Ok(event)) = parser.next_event() {
        black_box(event);
        events += 1;
    }
    events
}

/// CPU time used by this thread so far (user + system).
#[cfg(unix)]
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

#[cfg(not(unix))]
fn cpu_now() -> Duration {
    use std::sync::OnceLock;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// Best time of each of two jobs, run in alternation so that both meet the
/// same conditions.
fn best_pair(mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let time = |f: &mut dyn FnMut()| {
        let start = cpu_now();
        f();
        cpu_now().saturating_sub(start)
    };
    let (mut ta, mut tb) = (Duration::MAX, Duration::MAX);
    for _ in 0..PASSES {
        ta = ta.min(time(&mut a));
        tb = tb.min(time(&mut b));
    }
    (ta, tb)
}

/// 10,000 variants: renamed, with extra `usedBy` and `supports` entries,
/// and for one in five a random mutation (which may make it invalid).
fn corpus(files: &[(std::path::PathBuf, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut rng = support::Rng(0x00c0_ffee);
    (0..CORPUS)
        .map(|i| {
            let (_, base) = &files[rng.below(files.len() as u64) as usize];
            let mut text = String::from_utf8_lossy(base).replace("Medusa", &format!("Medusa {i}"));
            if !text.contains("\nusedBy:") {
                text.push_str("\nusedBy:\n");
                for j in 0..rng.below(20) {
                    text.push_str(&format!("  - Commune {j} de l'agglomération\n"));
                }
            }
            if !text.contains("\nsupports:") && rng.below(2) == 0 {
                text.push_str("supports:\n  - id: alias:gdpr\n  - id: \"https://eur-lex.europa.eu/eli/reg/2016/679/oj\"\n");
            }
            let mut bytes = text.into_bytes();
            if rng.below(5) == 0 {
                let kind = [0u8, 1, 3, 4, 8, 9][rng.below(6) as usize];
                bytes = support::mutate(&bytes, &[(kind, rng.next() as u32, rng.next() as u32)]);
            }
            bytes
        })
        .collect()
}

fn report(name: &str, n: usize, bytes: usize, validation: Duration, parse: Duration) {
    let per_s = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "| {name} | {n} | {:.1} | {:.0} | {:.0} | {:.2}x |",
        bytes as f64 / 1_048_576.0,
        per_s(validation),
        per_s(parse),
        validation.as_secs_f64() / parse.as_secs_f64()
    );
}

fn main() {
    let files = support::suite_files();
    assert!(
        !files.is_empty(),
        "conformance suite not found at {}",
        support::suite_dir().display()
    );
    let options = Options::default();

    println!(
        "| input | files | MiB | validated files/s (CPU) | bare-parsed files/s (CPU) | validation / parse |"
    );
    println!("|---|---:|---:|---:|---:|---:|");

    let suite_bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let (v, p) = best_pair(
        || {
            for _ in 0..SUITE_ROUNDS {
                for (path, _) in files {
                    black_box(validate_file(path, &options));
                }
            }
        },
        || {
            for _ in 0..SUITE_ROUNDS {
                for (path, _) in files {
                    // Read the file too, as validate_file does.
                    let bytes = std::fs::read(path).unwrap_or_default();
                    black_box(bare_parse(&bytes));
                }
            }
        },
    );
    report(
        "conformance files (from disk)",
        files.len() * SUITE_ROUNDS,
        suite_bytes * SUITE_ROUNDS,
        v,
        p,
    );

    let corpus = corpus(files);
    let corpus_bytes: usize = corpus.iter().map(Vec::len).sum();
    let valid = corpus
        .iter()
        .filter(|b| validate(b, &options).is_valid())
        .count();
    let (v, p) = best_pair(
        || {
            for b in &corpus {
                black_box(validate(b, &options));
            }
        },
        || {
            for b in &corpus {
                black_box(bare_parse(b));
            }
        },
    );
    report(
        "generated variants (in memory)",
        corpus.len(),
        corpus_bytes,
        v,
        p,
    );
    println!();
    println!(
        "{valid} of the {} variants are valid. Conformance files: {SUITE_ROUNDS} rounds of {} files per pass; best of {PASSES} alternating passes.",
        corpus.len(),
        files.len()
    );
}
