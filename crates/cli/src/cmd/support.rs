//! Public action on the command line: `archipel support list|show`, and
//! the SCDL « subventions » import and export that `archipel import` and
//! `archipel export` hand over to (`scdl-subventions`).
use super::Global;
use crate::output::{esay, say};
use archipel_domain::{format_euros, Action, ActionId, ActionKind, EntityId};
use archipel_formats::ImportContext;
use archipel_jobs::import::Format;
use archipel_jobs::support::{self, ScdlReport};
use archipel_store::ActionQuery;
use clap::builder::PossibleValue;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The formats `archipel import` reads: the registry's (`Format`), and
/// the public action formats this module imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Registry(Format),
    /// SCDL « subventions » 2.1.1 (CSV): grants.
    ScdlSubventions,
    /// « Dispositif d'aide » (CSV): calls for projects.
    Dispositifs,
    /// Archipel's own JSON or CSV for public action records.
    Actions,
}

impl clap::ValueEnum for ImportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::OnceLock<Vec<ImportFormat>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            Format::value_variants()
                .iter()
                .map(|f| ImportFormat::Registry(*f))
                .chain([
                    ImportFormat::ScdlSubventions,
                    ImportFormat::Dispositifs,
                    ImportFormat::Actions,
                ])
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            ImportFormat::Registry(f) => f.to_possible_value(),
            ImportFormat::ScdlSubventions => Some(PossibleValue::new("scdl-subventions").help(
                "SCDL « subventions » 2.1.1 (CSV): grants, with their attribuants and \
                 beneficiaries (matched to actors by SIRET or RNA, else created)",
            )),
            ImportFormat::Dispositifs => Some(PossibleValue::new("dispositifs").help(
                "« Dispositif d'aide » (CSV): calls for projects, attached to the actor \
                 with their porteur's SIREN",
            )),
            ImportFormat::Actions => Some(PossibleValue::new("actions").help(
                "Public action records in Archipel's JSON or CSV (applications, hardware, \
                 hosting, events, posts; calls and grants in JSON), pointing at records of \
                 the registry",
            )),
        }
    }
}

/// What `archipel import scdl-subventions|dispositifs` was given.
pub struct ImportArgs<'a> {
    pub file: &'a Path,
    pub skip_invalid: bool,
    pub rejects: Option<&'a Path>,
    pub source: Option<&'a str>,
    pub json: bool,
    /// Largest file, in bytes.
    pub max_bytes: u64,
}

/// `archipel import scdl-subventions|dispositifs|actions FILE`.
pub fn import(g: &Global, kind: ImportFormat, args: ImportArgs<'_>) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let shown = args.file.display().to_string();
    let format = match kind {
        ImportFormat::Dispositifs => archipel_formats::dispositif::FORMAT,
        ImportFormat::Actions => archipel_formats::actions::FORMAT,
        _ => archipel_formats::scdl::FORMAT,
    };
    let source = args.source.unwrap_or(format);
    let ctx = ImportContext::new(shown.clone(), source.to_string(), &content);
    archipel_jobs::import::check(&ctx)?;
    let bytes = super::import::read_bounded(args.file, args.max_bytes, &shown)?;
    let mut store = g.store()?;
    let report = match kind {
        ImportFormat::Dispositifs => {
            support::import_dispositifs(&mut store, &bytes, &ctx, args.skip_invalid)?
        }
        ImportFormat::Actions => {
            support::import_actions(&mut store, &bytes, &ctx, args.skip_invalid)?
        }
        _ => support::import_scdl(&mut store, &bytes, &ctx, args.skip_invalid)?,
    };
    for p in &report.problems {
        esay(p.to_string());
    }
    let Some(written) = report.written else {
        esay(nothing_imported(&shown, &report, args.skip_invalid));
        return Ok(ExitCode::from(1));
    };
    let rejects_path = if !report.rejects.records.is_empty() {
        let path = args.rejects.map(Path::to_path_buf).unwrap_or_else(|| {
            let mut p = args.file.as_os_str().to_owned();
            p.push(".rejects.csv");
            PathBuf::from(p)
        });
        std::fs::write(&path, report.rejects.to_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write rejects: {e}", path.display()))?;
        esay(format!(
            "{shown}: {} row(s) set aside in {}",
            report.rejected,
            path.display()
        ));
        Some(path)
    } else {
        None
    };
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "file": shown,
            "format": format,
            "source": source,
            "records": report.records,
            "rejected": report.rejected,
            "rejects_file": rejects_path.map(|p| p.display().to_string()),
            "inserted": written.inserted,
            "updated": written.updated,
            "unchanged": written.unchanged,
            "actors_created": report.actors_created,
            "actors_matched": report.actors_matched,
        }))?;
    } else {
        say(format!(
            "{shown}: {} row(s) read, {} new, {} changed, {} unchanged, {} rejected; \
             {} actor(s) created, {} found in the registry",
            report.records,
            written.inserted,
            written.updated,
            written.unchanged,
            report.rejected,
            report.actors_created,
            report.actors_matched
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn nothing_imported(shown: &str, report: &ScdlReport, skip_invalid: bool) -> String {
    let n = report.problems.len();
    let valid = report.valid();
    if report.stopped {
        format!("{shown}: {n} problem(s) with the file itself; nothing was imported")
    } else if report.records == 0 {
        format!("{shown}: no row in the file; nothing was imported")
    } else {
        format!(
            "{shown}: {n} problem(s) in {} of {} row(s); nothing was imported{}",
            report.rejected,
            report.records,
            if skip_invalid || valid == 0 {
                String::new()
            } else {
                format!(" (--skip-invalid would import the {valid} valid ones)")
            }
        )
    }
}

/// `archipel export actions|actions-csv [--kind KIND] [--year YEAR]`.
pub fn export_actions(
    g: &Global,
    csv: bool,
    kind: Option<&str>,
    year: Option<i32>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let kind = match kind.map(parse_kind).transpose() {
        Ok(k) => k,
        Err(e) => {
            esay(format!("archipel export: --kind: {e}"));
            return Ok(ExitCode::from(2));
        }
    };
    let form = if csv {
        support::ActionsForm::Csv
    } else {
        support::ActionsForm::Json
    };
    let q = ActionQuery {
        kind,
        giver_siret: None,
        year,
        territory: None,
    };
    let store = g.read_store()?;
    match output {
        Some(path) => {
            support::export_actions_file(&store, &q, form, path)?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            support::export_actions(&store, &q, form, &mut out)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `archipel export scdl-subventions --attribuant SIRET --year YEAR`.
pub fn export_scdl(
    g: &Global,
    attribuant: Option<&str>,
    year: Option<i32>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let (Some(siret), Some(year)) = (attribuant, year) else {
        esay("archipel export scdl-subventions: give --attribuant SIRET and --year YEAR");
        return Ok(ExitCode::from(2));
    };
    if let Err(e) = archipel_domain::check_siret(siret) {
        esay(format!(
            "archipel export scdl-subventions: --attribuant: {e}"
        ));
        return Ok(ExitCode::from(2));
    }
    let store = g.read_store()?;
    let n = match output {
        Some(path) => support::export_scdl_file(&store, siret, year, path)?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = support::export_scdl(&store, siret, year, &mut out)?;
            out.flush()?;
            n
        }
    };
    if n == 0 {
        esay(format!(
            "archipel export scdl-subventions: no grant of {siret} dated {year} in the registry \
             (the file has its header only)"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// The public action records (calls, grants, applications, hardware,
    /// hosting, events, posts), by day.
    List(ListArgs),
    /// One public action record, with what it points at and where it came from.
    Show(ShowArgs),
}

#[derive(clap::Args)]
struct ListArgs {
    /// Only this kind (call, grant, application, hardware, hosting, event, post).
    #[arg(long, value_parser = parse_kind)]
    kind: Option<ActionKind>,
    /// Only records of this year (the day each is filed under: a grant's
    /// dateConvention, a call's opening, an application's filing, an
    /// event's first day…).
    #[arg(long)]
    year: Option<i32>,
    /// Only grants of the body with this SIRET.
    #[arg(long, value_name = "SIRET")]
    attribuant: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ShowArgs {
    /// The record's identifier (`grant:SOURCE:LOCAL`, as `support list` prints it).
    id: String,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

fn parse_kind(s: &str) -> Result<ActionKind, String> {
    ActionKind::parse(s).ok_or_else(|| {
        let kinds: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("`{s}`: expected one of {}", kinds.join(", "))
    })
}

fn euros(c: i64) -> String {
    format!("{} €", format_euros(c))
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::List(a) => list(g, a),
        Command::Show(a) => show(g, a),
    }
}

fn list(g: &Global, a: ListArgs) -> anyhow::Result<ExitCode> {
    let store = g.read_store()?;
    let q = ActionQuery {
        kind: a.kind,
        giver_siret: a.attribuant,
        year: a.year,
        territory: None,
    };
    let records = store.actions(&q)?;
    let totals = support::totals(&store, &q)?;
    if a.json {
        let totals: serde_json::Map<String, serde_json::Value> = totals
            .iter()
            .map(|(k, t)| Ok((k.as_str().to_string(), serde_json::to_value(t)?)))
            .collect::<anyhow::Result<_>>()?;
        crate::output::print_json(&serde_json::json!({
            "records": records,
            "totals": totals,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &records {
        let day = r.day().map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let line = match r {
            Action::Grant(x) => format!(
                "{day}  {}  {} → {} ({} of {}): {}",
                x.id,
                x.giver_name,
                x.beneficiary_name,
                euros(x.received_cents()),
                euros(x.amount_cents),
                x.purpose
            ),
            Action::Call(x) => format!(
                "{day}  {}  {}: {}{}",
                x.id,
                x.giver_name,
                x.name,
                if x.non_competitive {
                    " (non-competitive)"
                } else {
                    ""
                }
            ),
            Action::Application(x) => format!(
                "{day}  {}  {} → {} ({}{}): {}",
                x.id,
                x.applicant_name,
                x.call,
                x.status.as_str(),
                x.amount_asked_cents
                    .map(|c| format!(", {} asked", euros(c)))
                    .unwrap_or_default(),
                x.purpose
            ),
            Action::Hardware(x) => format!(
                "{day}  {}  {} × {} ({}{}), {} → {}",
                x.id,
                x.quantity,
                x.items,
                x.transfer.as_str(),
                match (x.transfer, x.returned) {
                    (archipel_domain::Transfer::Loan, true) => ", returned",
                    (archipel_domain::Transfer::Loan, false) => ", out",
                    _ => "",
                },
                x.giver,
                x.recipient
            ),
            Action::Hosting(x) => format!(
                "{day}  {}  {} hosted by {}{}",
                x.id,
                x.what,
                x.host,
                x.until.map(|u| format!(" until {u}")).unwrap_or_default()
            ),
            Action::Event(x) => format!(
                "{day}  {}  [{}] {}{}",
                x.id,
                x.category,
                x.name,
                x.attendance
                    .as_ref()
                    .map(|a| format!(" ({} attendee(s))", a.total))
                    .unwrap_or_default()
            ),
            Action::Post(x) => format!(
                "{day}  {}  {} ({} FTE) at {}",
                x.id, x.role, x.fte, x.employer
            ),
        };
        say(line);
    }
    let grants = totals.get(&ActionKind::Grant).cloned().unwrap_or_default();
    let calls = totals.get(&ActionKind::Call).cloned().unwrap_or_default();
    let mut line = format!(
        "{} grant(s), {} granted; {} call(s)",
        grants.records,
        euros(grants.granted_cents),
        calls.records
    );
    for k in ActionKind::ALL {
        if matches!(k, ActionKind::Call | ActionKind::Grant) {
            continue;
        }
        if let Some(t) = totals.get(&k).filter(|t| t.records > 0) {
            line.push_str(&format!("; {} {k}(s)", t.records));
        }
    }
    say(line);
    Ok(ExitCode::SUCCESS)
}

fn show(g: &Global, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let id = match ActionId::parse(&a.id) {
        Ok(id) => id,
        Err(e) => {
            esay(format!(
                "archipel support show: {e} (an identifier such as grant:SOURCE:LOCAL)"
            ));
            return Ok(ExitCode::from(2));
        }
    };
    let store = g.read_store()?;
    let Some(record) = store.action(&id)? else {
        esay(format!(
            "archipel support show: no record {id} (try `archipel support list`)"
        ));
        return Ok(ExitCode::from(1));
    };
    if a.json {
        crate::output::print_json(&serde_json::json!({ "record": record }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let name_of = |id: &EntityId| -> String {
        match store.get(id) {
            Ok(Some(e)) => format!("{} ({id})", e.name()),
            _ => id.to_string(),
        }
    };
    say(format!("{} — {}", record.name(), record.id()));
    let value = serde_json::to_value(&record)?;
    if let serde_json::Value::Object(map) = &value {
        for (k, v) in map {
            if matches!(k.as_str(), "type" | "id" | "provenance") {
                continue;
            }
            let text = match (k.as_str(), v) {
                (k, serde_json::Value::Number(n)) if k.ends_with("_cents") => {
                    n.as_i64().map(euros).unwrap_or_else(|| n.to_string())
                }
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            let label = k.strip_suffix("_cents").unwrap_or(k);
            say(format!("  {label}: {text}"));
        }
    }
    if let Action::Grant(x) = &record {
        say(format!(
            "  received: {} ({} of {})",
            euros(x.received_cents()),
            x.share.as_str(),
            euros(x.amount_cents)
        ));
    }
    for (field, target) in record.references() {
        say(format!("  → {field}: {}", name_of(target)));
    }
    let p = record.provenance();
    let at = match (&p.file, p.line) {
        (Some(f), Some(l)) => format!(" ({f}:{l})"),
        (Some(f), None) => format!(" ({f})"),
        _ => String::new(),
    };
    say(format!(
        "  source: {}{at}, recorded {}, changed {}",
        p.source,
        p.created_at.format("%Y-%m-%d %H:%M"),
        p.updated_at.format("%Y-%m-%d %H:%M")
    ));
    Ok(ExitCode::SUCCESS)
}
