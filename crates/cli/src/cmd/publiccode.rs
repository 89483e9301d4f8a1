//! `archipel publiccode`: validate publiccode.yml files, or write a draft.
//!
//! Exit codes of `validate`: 0 when every file is valid (warnings allowed),
//! 1 when any file has an error, 2 on usage errors.
use anyhow::Context;
use archipel_publiccode::{init, validate_file, validate_reader, Options, Report, Severity};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Check publiccode.yml files against the standard.
    ///
    /// Prints one line per finding, `FILE:LINE:COL: error|warning: key: message`.
    /// Exit status: 0 when every file is valid (warnings allowed), 1 when any
    /// file has an error, 2 on usage errors.
    Validate(ValidateArgs),
    /// Write a starting publiccode.yml for a repository.
    ///
    /// Fills in what can be known locally (name, repository URL, licence,
    /// languages, logo) and marks with TODO what the maintainer must add.
    Init(InitArgs),
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Files to check (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON array of {file, severity, key, line, column, message}.
    #[arg(long)]
    json: bool,
    /// Also run checks that need the network (reachable URLs, remote logo, oEmbed videos).
    #[arg(long)]
    network: bool,
    /// List of Italian public administration (iPA) codes, one per line or
    /// IndicePA's open-data table, to use instead of the list built in
    /// (taken from the reference validator; give a newer one here).
    #[arg(long, value_name = "FILE")]
    ipa_codes: Option<PathBuf>,
}

#[derive(clap::Args)]
struct InitArgs {
    /// Repository folder (default: the current folder).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// Replace an existing publiccode.yml.
    #[arg(long)]
    force: bool,
    /// Print the draft instead of writing it.
    #[arg(long)]
    stdout: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Validate(a) => run_validate(a),
        Command::Init(a) => run_init(a),
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    severity: Severity,
    key: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

fn run_validate(a: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut options = Options {
        network: a.network,
        ..Options::default()
    };
    if let Some(path) = &a.ipa_codes {
        match read_ipa_list(path) {
            Ok(text) => options.ipa_codes = Some(archipel_publiccode::load_ipa_codes(&text)),
            Err(why) => {
                eprintln!(
                    "archipel: cannot read the iPA code list {}: {why}",
                    path.display()
                );
                return Ok(ExitCode::from(2));
            }
        }
    }
    let reports: Vec<(String, Report)> = a
        .files
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let report = if name == "-" {
                validate_reader(std::io::stdin().lock(), &options)
            } else {
                validate_file(path, &options)
            };
            (name, report)
        })
        .collect();

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let all: Vec<JsonFinding> = reports
            .iter()
            .flat_map(|(file, r)| {
                r.findings.iter().map(move |f| JsonFinding {
                    file,
                    severity: f.severity,
                    key: &f.key,
                    line: f.line,
                    column: f.column,
                    message: &f.message,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &all)?;
        writeln!(out)?;
    } else {
        for (file, r) in &reports {
            for f in &r.findings {
                // FILE:LINE:COL: error|warning: key: message
                writeln!(out, "{file}:{f}")?;
            }
        }
    }
    out.flush()?;

    let invalid = reports.iter().filter(|(_, r)| !r.is_valid()).count();
    let count = |s: Severity| {
        reports
            .iter()
            .flat_map(|(_, r)| &r.findings)
            .filter(|f| f.severity == s)
            .count()
    };
    if !a.json {
        eprintln!(
            "{} file(s) checked: {} valid, {} invalid ({} error(s), {} warning(s))",
            reports.len(),
            reports.len() - invalid,
            invalid,
            count(Severity::Error),
            count(Severity::Warning)
        );
    }
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Largest iPA code list read: IndicePA's whole open-data table is a few MiB.
const MAX_IPA_LIST: u64 = 64 * 1024 * 1024;

/// The text of an iPA code list, read in bounded memory.
fn read_ipa_list(path: &std::path::Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    file.take(MAX_IPA_LIST + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX_IPA_LIST {
        return Err(format!(
            "larger than {} MiB, far more than the list of codes",
            MAX_IPA_LIST / 1024 / 1024
        ));
    }
    String::from_utf8(buf).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn run_init(a: InitArgs) -> anyhow::Result<ExitCode> {
    let repo = a.path.unwrap_or_else(|| PathBuf::from("."));
    if !repo.is_dir() {
        eprintln!("archipel: {} is not a folder", repo.display());
        return Ok(ExitCode::from(2));
    }
    let draft = init::draft(&repo);
    if a.stdout {
        print!("{}", draft.yaml);
        return Ok(ExitCode::SUCCESS);
    }
    let target = repo.join("publiccode.yml");
    if target.exists() && !a.force {
        eprintln!(
            "archipel: {} already exists; use --force to replace it",
            target.display()
        );
        return Ok(ExitCode::from(1));
    }
    std::fs::write(&target, &draft.yaml)
        .with_context(|| format!("cannot write {}", target.display()))?;
    eprintln!("wrote {}", target.display());
    eprintln!("still to fill in (marked TODO in the file):");
    for t in &draft.todo {
        eprintln!("  - {t}");
    }
    eprintln!(
        "then run: archipel publiccode validate {}",
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}
