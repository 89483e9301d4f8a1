//! The `archipel` command: one binary, one subcommand per job.
//!
//! Each subcommand lives in its own module under `cmd/` with a clap `Args`
//! struct and a `run` function returning the process exit code. Handlers
//! stay thin: they parse arguments, call a library crate, print.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;
mod config;
mod sign_in;

// Imports allocate many small strings; mimalloc serves them markedly faster
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod output;

#[derive(Parser)]
#[command(
    name = "archipel",
    version,
    about = "Map, qualify, argue for, support, measure and federate digital commons.",
    long_about = "Archipel keeps the registry of a territory's digital commons: who is there, \
where, what commons they use, maintain or fund, and how they are connected.\n\n\
The registry is one SQLite file: ./archipel.db by default, or $ARCHIPEL_DB, or --db PATH, \
or `db` in the configuration file (--config FILE or $ARCHIPEL_CONFIG; see docs/operations.md)."
)]
struct Cli {
    #[command(flatten)]
    global: cmd::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty registry (or bring an existing one up to date).
    Init(cmd::init::Args),
    /// Build the demonstration territory (a fictional metropole) in the registry.
    Demo(cmd::demo::Args),
    /// Import a file: médiation numérique schema, SILL, Archipel JSON or CSV.
    Import(cmd::import::Args),
    /// The official territories (regions, departments, EPCI, communes with
    /// population and postcodes): `territories import [--region CODE]`.
    Territories(cmd::territories::Args),
    /// Harvest the publiccode.yml files of a list of repositories (https://
    /// URLs or local paths): commons, organisations, assessments.
    Harvest(cmd::harvest::Args),
    /// Export the registry: médiation schema, GeoJSON, Archipel JSON or CSV.
    Export(cmd::export::Args),
    /// Full-text search over names and descriptions (accents ignored).
    Search(cmd::search::Args),
    /// Show one record with its provenance and its relations.
    Show(cmd::show::Args),
    /// Serve the registry on the web: map, search, pages, open data API.
    Serve(cmd::serve::Args),
    /// Counts by entity kind, actor kind, typology and territory.
    Stats(cmd::stats::Args),
    /// The network of a territory: islands, articulation points, bridges,
    /// key people, the circle of regulars, diversity.
    Network(cmd::network::Args),
    /// Two territories' figures side by side (those of `stats
    /// --territory`), today or on a day, per 10,000 inhabitants.
    Compare(cmd::compare::Args),
    /// Read, validate and write publiccode.yml files.
    Publiccode(cmd::publiccode::Args),
    /// Detect the licence of a folder or repository.
    License(cmd::license::Args),
    /// Qualify a digital commons from its repository (licence, documents,
    /// history, white paper grid).
    Assess(cmd::assess::Args),
    /// An argument sheet for a persona, backed by the territory's figures
    /// (text, Markdown, HTML, PDF, JSON).
    Pitch(cmd::pitch::Args),
    /// Copy the registry into a file while it is in use (SQLite's online
    /// backup): the copy is consistent even during an import.
    Backup(cmd::backup::Args),
    /// Replace the registry with a backup, after checking it (stop the
    /// server first).
    Restore(cmd::restore::Args),
    /// Manage accounts: add (the password on standard input), list, role,
    /// disable.
    User(cmd::user::Args),
    /// The versions of a record, newest first; restore one (a moderator).
    History(cmd::history::Args),
    /// Proposals: list the pending ones, accept or refuse one (a moderator).
    Proposals(cmd::proposals::Args),
    /// Referents: an agent whose SIRET is an actor's edits it without
    /// moderation (made by a moderator).
    Referent(cmd::referent::Args),
    /// Records that may be one real-world thing (sure and for review);
    /// merge, separate, undo a merge.
    Duplicates(cmd::duplicates::Args),
    /// Public action: the calls for projects and grants recorded
    /// (`support list`, `support show ID`).
    Support(cmd::support::Args),
}

/// Lets a closed pipe end the process quietly, as in any Unix filter
/// (`archipel stats | head`): Rust ignores SIGPIPE, so `println!` would
/// otherwise panic on the first write after the reader is gone.
#[cfg(unix)]
fn default_sigpipe() {
    // SAFETY: called first thing in `main`, before any thread is started;
    // restoring a signal's default disposition has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    default_sigpipe();
    let cli = Cli::parse();
    let g = match cli.global.resolve() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("archipel: error: {e:#}");
            return ExitCode::from(1);
        }
    };
    let g = &g;
    let result = match cli.command {
        Command::Init(a) => cmd::init::run(g, a),
        Command::Demo(a) => cmd::demo::run(g, a),
        Command::Territories(a) => cmd::territories::run(g, a),
        Command::Import(a) => cmd::import::run(g, a),
        Command::Harvest(a) => cmd::harvest::run(g, a),
        Command::Export(a) => cmd::export::run(g, a),
        Command::Search(a) => cmd::search::run(g, a),
        Command::Show(a) => cmd::show::run(g, a),
        Command::Serve(a) => cmd::serve::run(g, a),
        Command::Stats(a) => cmd::stats::run(g, a),
        Command::Network(a) => cmd::network::run(g, a),
        Command::Compare(a) => cmd::compare::run(g, a),
        Command::Publiccode(a) => cmd::publiccode::run(a),
        Command::License(a) => cmd::license::run(a),
        Command::Assess(a) => cmd::assess::run(g, a),
        Command::Pitch(a) => cmd::pitch::run(g, a),
        Command::Backup(a) => cmd::backup::run(g, a),
        Command::Restore(a) => cmd::restore::run(g, a),
        Command::User(a) => cmd::user::run(g, a),
        Command::History(a) => cmd::history::run(g, a),
        Command::Proposals(a) => cmd::proposals::run(g, a),
        Command::Referent(a) => cmd::referent::run(g, a),
        Command::Duplicates(a) => cmd::duplicates::run(g, a),
        Command::Support(a) => cmd::support::run(g, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Errors may quote registry text (a table's name, a record's).
            eprintln!("archipel: error: {}", output::term(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
