//! The `archipel` command: one binary, one subcommand per job.
//!
//! Each subcommand lives in its own module under `cmd/` with a clap `Args`
//! struct and a `run` function returning the process exit code. Handlers
//! stay thin: they parse arguments, call a library crate, print.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;

#[derive(Parser)]
#[command(
    name = "archipel",
    version,
    about = "Map, qualify, argue for, support, measure and federate digital commons.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read, validate and write publiccode.yml files.
    Publiccode(cmd::publiccode::Args),
    /// Detect the licence of a folder or repository.
    License(cmd::license::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Publiccode(a) => cmd::publiccode::run(a),
        Command::License(a) => cmd::license::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("archipel: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
