//! `archipel license detect PATH [--json]`: the licence of a folder.
//!
//! Exit status: 0 when the folder could be examined (whatever its
//! licence, `NONE` included), 1 when PATH is no readable folder.
use archipel_content::Lang;
use archipel_license::{detect, Detection, LicenseFacts};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Detect the licence of a folder (a work tree or any folder).
    ///
    /// Reads licence files (LICENSE, COPYING…, the REUSE LICENSES/ folder),
    /// then package manifests, SPDX-License-Identifier headers and the
    /// README. Prints the SPDX id (NONE: no licence; NOASSERTION: a licence
    /// that matches no known one closely enough), the confidence and the
    /// evidence.
    Detect(DetectArgs),
}

#[derive(clap::Args)]
struct DetectArgs {
    /// Folder to examine.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Print JSON: {spdx, confidence, evidence[], declared[], facts[], notes[]}.
    #[arg(long)]
    json: bool,
    /// Language of the text report: fr or en.
    #[arg(long, default_value = "fr", value_parser = super::parse_lang)]
    lang: Lang,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Detect(a) => run_detect(a),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    detection: &'a Detection,
    facts: Vec<LicenseFacts>,
}

fn run_detect(a: DetectArgs) -> anyhow::Result<ExitCode> {
    let d = detect(&a.path)?;
    if a.json {
        let report = JsonReport {
            detection: &d,
            facts: d.facts(),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", archipel_license::report::text(&d, a.lang));
    }
    Ok(ExitCode::SUCCESS)
}
