//! `archipel assess TARGET`: qualify a digital commons from its repository.
//!
//! Exit status: 0 when the assessment was made (whatever it says), 1 when
//! it could not be (missing target, refused URL, invalid evidence file…).
use super::Global;
use anyhow::Context;
use archipel_assess::{assess, render, Format, Grids, Lang, Options, DEFAULT_GRID};
use chrono::{DateTime, NaiveDate, Utc};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  archipel assess .\n  archipel assess https://git.example.org/commune/projet.git --lang en\n  archipel assess /srv/git/projet.git --json > projet.json\n  archipel assess . --grid standard-for-public-code --format html -o rapport.html\n  archipel assess . --grid list\n\nThe JSON output is documented in docs/assess-json.md, the evidence file in docs/assess-evidence.md."
)]
pub struct Args {
    /// The repository: a work tree (or a folder inside one), a bare
    /// repository, any folder, or an https:// URL (cloned into the cache).
    target: Option<String>,
    /// Print the assessment as JSON (stable, see docs/assess-json.md).
    #[arg(long)]
    json: bool,
    /// Report format: text (terminal), markdown, html (one self-contained page) or json.
    #[arg(long, default_value = "text")]
    format: String,
    /// Grid to evaluate: livre-blanc (the white paper « Construire des communs
    /// numériques »), standard-for-public-code, dpg-standard. `--grid list`
    /// lists the grids.
    #[arg(long, default_value = DEFAULT_GRID)]
    grid: String,
    /// Manual-evidence file (default: archipel-evidence.toml at the root of
    /// the target). Format: docs/assess-evidence.md.
    #[arg(long, value_name = "FILE")]
    evidence: Option<PathBuf>,
    /// Only count the history from this date on (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Language of the report: fr (default) or en.
    #[arg(long, default_value = "fr", value_parser = super::parse_lang)]
    lang: Lang,
    /// Affiliation table (e-mail domain → organisation and kind) to use
    /// instead of the built-in one (content/affiliations/domains.toml).
    #[arg(long, value_name = "FILE")]
    affiliations: Option<PathBuf>,
    /// Where https:// URLs are cloned (default: $ARCHIPEL_CACHE/repos, else
    /// ~/.cache/archipel/repos).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Reference date of the activity windows (default: now), for
    /// reproducible reports.
    #[arg(long, value_name = "DATE")]
    now: Option<String>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also save the assessment in the registry for this commons (its id):
    /// argument sheets then quote its licence and contributor diversity.
    #[arg(long, value_name = "COMMONS_ID")]
    save: Option<String>,
}

/// Saves `a` for the commons `id` in the registry; prints where to stderr.
fn save(g: &Global, id: &str, a: &archipel_assess::Assessment) -> anyhow::Result<Option<ExitCode>> {
    let Ok(commons) = id.parse::<archipel_domain::EntityId>() else {
        eprintln!("archipel: --save `{id}`: expected a commons id such as commons:sill:234");
        return Ok(Some(ExitCode::from(2)));
    };
    let mut store = g.existing_store()?;
    if !matches!(
        store.get(&commons)?,
        Some(archipel_domain::Entity::Commons(_))
    ) {
        eprintln!("archipel: --save `{id}`: no commons with this id in the registry (see `archipel search NAME --kind commons`)");
        return Ok(Some(ExitCode::from(2)));
    }
    let spdx = a.license.spdx.trim();
    let known = !(spdx.is_empty() || spdx == "NONE" || spdx == "NOASSERTION");
    let record = archipel_store::NewAssessment {
        commons,
        assessed_at: a.assessed_at,
        target: a.target.input.clone(),
        licence: known.then(|| spdx.to_string()),
        contributors: a.history.as_ref().map(|h| h.authors),
        organisations: a.history.as_ref().map(|h| h.organizations.len() as u64),
        elephant_factor: a.history.as_ref().map(|h| h.elephant_factor),
        report: serde_json::to_string(a)?,
    };
    let n = store.save_assessment(&record)?;
    eprintln!("assessment #{n} saved for {id} in {}", g.db.display());
    Ok(None)
}

fn parse_date(s: &str, what: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--{what} `{s}`: expected YYYY-MM-DD or an RFC 3339 date"))?;
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .with_context(|| format!("--{what} `{s}`: not a date"))?;
    Ok(midnight.and_utc())
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let lang = args.lang;
    let json = args.json || args.format.eq_ignore_ascii_case("json");
    let format = if json {
        None
    } else {
        Some(Format::parse(&args.format).with_context(|| {
            format!(
                "--format `{}`: expected text, markdown, html or json",
                args.format
            )
        })?)
    };
    let now = match &args.now {
        Some(s) => parse_date(s, "now")?,
        None => Utc::now(),
    };
    let mut options = Options::new(now)?;
    // Loading the content checks it, the affiliation table of --content
    // included; a table given on its own is checked against it below.
    let content = g.content()?;
    if let Some(dir) = &g.content {
        let grids = dir.join("grids");
        if grids.is_dir() {
            options.grids = Grids::load_dir(&grids)?;
        }
        let table = dir.join("affiliations").join("domains.toml");
        if table.is_file() {
            options.affiliations = archipel_assess::Affiliations::from_path(&table)?;
        }
    }
    if args.grid == "list" {
        for grid in options.grids.all() {
            println!("{:<28} {}", grid.id, grid.title.get(lang));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(target) = args.target.as_deref() else {
        anyhow::bail!("say what to assess: a folder, a bare repository or an https:// URL");
    };
    options.grid = args.grid.clone();
    options.since = args
        .since
        .as_deref()
        .map(|s| parse_date(s, "since"))
        .transpose()?;
    options.evidence = args.evidence.clone();
    if let Some(p) = &args.affiliations {
        let table = archipel_assess::Affiliations::from_path(p)?;
        let unknown: Vec<&str> = table
            .kinds()
            .into_iter()
            .filter(|k| !content.has_term("actor_kinds", k))
            .collect();
        if !unknown.is_empty() {
            anyhow::bail!(
                "{}: kind `{}` is not a key of the actor_kinds vocabulary (see `archipel stats` or content/vocabularies/actor_kinds.toml)",
                p.display(),
                unknown.join("`, `")
            );
        }
        options.affiliations = table;
    }
    if let Some(d) = &args.cache_dir {
        options.cache_dir = d.clone();
    }

    let assessment = assess(target, &options)?;
    if let Some(id) = &args.save {
        if let Some(code) = save(g, id, &assessment)? {
            return Ok(code);
        }
    }
    let mut text = match format {
        None => serde_json::to_string_pretty(&assessment)?,
        Some(f) => render(&assessment, f, lang),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &args.output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is no error.
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
