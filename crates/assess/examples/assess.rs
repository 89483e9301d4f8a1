//! Prints the assessment of a target, without the `archipel` binary.
//!
//! Usage: `cargo run --release -p archipel-assess --example assess -- TARGET [json|text|markdown|html] [fr|en] [GRID]`
//! The time spent goes to standard error.

use archipel_assess::{assess, render, Format, Lang, Options};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(target) = args.first() else {
        eprintln!("usage: assess TARGET [json|text|markdown|html] [fr|en] [GRID]");
        return ExitCode::from(2);
    };
    let format = args.get(1).map(String::as_str).unwrap_or("text");
    let lang = args.get(2).and_then(|l| Lang::parse(l)).unwrap_or_default();
    let start = std::time::Instant::now();
    let mut options = match Options::new(chrono::Utc::now()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(g) = args.get(3) {
        options.grid = g.clone();
    }
    let a = match assess(target, &options) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let out = match Format::parse(format) {
        Some(f) => render(&a, f, lang),
        None => serde_json::to_string_pretty(&a).unwrap_or_default(),
    };
    println!("{out}");
    eprintln!("assessed in {:.3} s", start.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
