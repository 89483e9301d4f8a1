//! Prints the history figures of a repository as JSON.
//!
//! Usage: `cargo run --release -p archipel-history --example history -- PATH [NOW]`
//! where NOW is an RFC 3339 date (default: the current time). The time spent
//! (open, walk and figures) goes to standard error.

use std::process::ExitCode;

use archipel_history::{Affiliations, HistoryOptions, Repo};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: history PATH [NOW]");
        return ExitCode::from(2);
    };
    let now = match args.next() {
        Some(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(d) => d.with_timezone(&chrono::Utc),
            Err(e) => {
                eprintln!("NOW: {e}");
                return ExitCode::from(2);
            }
        },
        None => chrono::Utc::now(),
    };
    let start = std::time::Instant::now();
    let table = match Affiliations::builtin() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let repo = match Repo::open(std::path::Path::new(&path)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let history = repo.history(&HistoryOptions::at(now), &table);
    let elapsed = start.elapsed();
    match serde_json::to_string_pretty(&history) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "history: {} commits in {:.3} s",
        history.commits,
        elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}
