//! `archipel harvest LIST`: the publiccode.yml files of a list of
//! repositories into the registry, with their assessments.
//!
//! Exit status: 0 when every line of the list was usable and every
//! repository harvested (an invalid publiccode.yml is reported, not a
//! failure of the command), 1 when a line was refused or a repository
//! failed, 2 for a list that cannot be read at all.
use super::Global;
use anyhow::Context;
use archipel_jobs::harvest::{self, HarvestRequest, Mapping, State, Status};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  archipel harvest repositories.txt\n  archipel harvest repositories.txt --json > harvest.json\n  archipel harvest repositories.txt --jobs 4 --force\n\nLIST holds one repository a line: an https:// URL (cloned into the cache)\nor a local path (relative paths start at the list's folder); blank lines\nand lines starting with # are skipped. See docs/operations.md, \"Harvesting\npubliccode.yml\"."
)]
pub struct Args {
    /// The list of repositories.
    list: PathBuf,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    json: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Read every repository again, even those whose HEAD did not move.
    #[arg(long)]
    force: bool,
    /// Clone https:// repositories again instead of reusing the cache
    /// (an https:// repository's new commits are seen only then).
    #[arg(long)]
    refresh: bool,
    /// Which repositories were harvested at which commit (default: the
    /// registry's file name followed by `.harvest`).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Where https:// URLs are cloned (default: $ARCHIPEL_CACHE/repos, else
    /// ~/.cache/archipel/repos).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let shown = args.list.display().to_string();
    let bytes = match read_bounded(&args.list) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("archipel: {shown}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let base = args
        .list
        .parent()
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let (entries, problems) = harvest::read_list(&bytes, &shown, &base);
    for p in &problems {
        crate::output::esay(p);
    }
    let now = chrono::Utc::now();
    let cache_dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(archipel_assess::default_cache_dir);
    // Made by the first repository that needs reading: a harvest where no
    // HEAD moved loads neither the content nor the grids.
    let make_tools = || -> Result<harvest::Tools, String> {
        let content = g.content().map_err(|e| format!("{e:#}"))?;
        let mapping = match g
            .content
            .as_ref()
            .map(|d| d.join("mappings").join("publiccode.toml"))
            .filter(|p| p.is_file())
        {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("reading {}: {e}", p.display()))?;
                Mapping::parse(&text, &p.display().to_string(), &content)
            }
            None => Mapping::builtin(&content),
        }
        .map_err(|e| format!("content is invalid:\n{e}"))?;
        let mut assess = archipel_assess::Options::new(now).map_err(|e| format!("{e:#}"))?;
        assess.cache_dir = cache_dir.clone();
        Ok(harvest::Tools {
            content,
            mapping,
            assess,
        })
    };
    let state_path = args.state.clone().unwrap_or_else(|| {
        let mut p = g.db.clone().into_os_string();
        p.push(".harvest");
        PathBuf::from(p)
    });
    let mut state = State::load(&state_path)
        .with_context(|| format!("reading the state file {}", state_path.display()))?;
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let mut store = g.store()?;
    let total = entries.len() as u64;
    let pb = crate::output::progress(total, &shown, args.json);
    let report = harvest::run(
        &mut store,
        &mut state,
        HarvestRequest {
            entries,
            tools: &make_tools,
            cache_dir: cache_dir.clone(),
            clone: archipel_assess::CloneOptions::default(),
            jobs,
            force: args.force,
            refresh: args.refresh,
            now,
        },
        &mut |p| {
            pb.set_length(p.total);
            pb.set_position(p.done);
        },
    );
    pb.finish_and_clear();
    let report = report?;
    let failed = report.count(Status::Failed);
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "list": shown,
            "refused_lines": problems,
            "state": state_path.display().to_string(),
            "repositories": report.repositories,
            "created": report.count(Status::Created),
            "updated": report.count(Status::Updated),
            "unchanged": report.count(Status::Unchanged),
            "invalid": report.count(Status::Invalid),
            "failed": failed,
            "seconds": report.seconds,
        }))?;
    } else {
        print_table(&report);
        println!(
            "{shown}: {} repositories in {:.1} s: {} created, {} updated, {} unchanged, {} invalid, {} failed{}",
            report.repositories.len(),
            report.seconds,
            report.count(Status::Created),
            report.count(Status::Updated),
            report.count(Status::Unchanged),
            report.count(Status::Invalid),
            failed,
            if problems.is_empty() {
                String::new()
            } else {
                format!("; {} line(s) refused", problems.len())
            }
        );
    }
    for r in &report.repositories {
        if r.status == Status::Invalid {
            for f in &r.findings {
                crate::output::esay(format!("{}: {f}", r.repository));
            }
        }
    }
    Ok(if failed > 0 || !problems.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The summary table: repository, HEAD, status, reason.
fn print_table(report: &harvest::HarvestReport) {
    let width = report
        .repositories
        .iter()
        .map(|r| r.repository.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 60);
    println!(
        "{:<width$}  {:<12}  {:<9}  REASON",
        "REPOSITORY", "HEAD", "STATUS"
    );
    for r in &report.repositories {
        let head = r
            .head
            .as_deref()
            .map(|h| &h[..h.len().min(12)])
            .unwrap_or("-");
        let reason = r
            .reason
            .clone()
            .or_else(|| r.commons.clone())
            .unwrap_or_default();
        crate::output::say(format!(
            "{:<width$}  {:<12}  {:<9}  {}",
            r.repository,
            head,
            r.status.as_str(),
            reason
        ));
    }
}

/// The list, refused beyond 16 MiB and when not a regular file.
fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const MAX: u64 = 16 * 1024 * 1024;
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    f.take(MAX + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX {
        return Err(std::io::Error::other(format!(
            "larger than {MAX} bytes: not a list of repositories"
        )));
    }
    Ok(bytes)
}
