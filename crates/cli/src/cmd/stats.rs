//! `archipel stats`: counts over the registry, or over one territory and
//! everything below it (`--territory`), the figures argument sheets quote.
use super::Global;
use crate::output::{esay, say};
use archipel_content::{Content, Lang};
use archipel_domain::EntityId;
use archipel_store::Store;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
    /// Only this territory and those below it: INSEE code, SIREN,
    /// `level:code` or id. Adds the figures of the argument sheets.
    #[arg(long, value_name = "CODE")]
    territory: Option<String>,
    /// With --territory: count only the links to this commons.
    #[arg(long, value_name = "ID", requires = "territory")]
    commons: Option<String>,
    /// With --territory: the figures on this day (YYYY-MM-DD), from the
    /// registry's own dates (see docs/operations.md, "Figures at a date").
    #[arg(
        long,
        value_name = "DATE",
        requires = "territory",
        conflicts_with = "series"
    )]
    at: Option<String>,
    /// With --territory: the figures at the end of every year or month,
    /// one column each (`yearly` or `monthly`), from --from to --to.
    #[arg(long, value_name = "PERIOD", requires_all = ["territory", "from"])]
    series: Option<String>,
    /// With --series: the first year, month or day (YYYY, YYYY-MM or
    /// YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "series")]
    from: Option<String>,
    /// With --series: the last year, month or day (default: today).
    #[arg(long, value_name = "DATE", requires = "series")]
    to: Option<String>,
}

/// A day the user gives as YYYY-MM-DD.
pub(crate) fn parse_day(flag: &str, s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|_| s.trim().len() == 10)
        .ok_or_else(|| format!("{flag}: expected a day as YYYY-MM-DD, not `{s}`"))
}

/// Today, in UTC (the registry's days are UTC days).
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What a figure key of `ScopeStats::figures` reads as in a table.
pub(crate) fn figure_label(content: &Content, key: &str) -> String {
    let vocab = |v: &str, k: &str| {
        if k == "unset" {
            k.to_string()
        } else {
            content.label(v, k, Lang::Fr)
        }
    };
    match key.split_once('.') {
        Some(("actor_kinds", k)) => format!("actors: {}", vocab("actor_kinds", k)),
        Some(("typology", k)) => format!("typology: {}", vocab("typology", k)),
        Some(("relation_kinds", k)) => format!("relations: {}", vocab("relation_types", k)),
        Some(("actor_groups", k)) => archipel_content::pitch::Indicator::parse(k)
            .map(|i| content.pitch().indicator_label(i, Lang::Fr).to_string())
            .unwrap_or_else(|| k.to_string()),
        Some(("link_groups", rest)) => rest.replacen('.', ": ", 1),
        Some(("support", k)) => format!("support: {}", k.replace('_', " ")),
        Some(("network", k)) => format!("network: {}", k.replace('_', " ")),
        _ => key.to_string(),
    }
}

/// Prints a table: a header row, then one row per figure key (in the order
/// they first appear), one column per set of figures.
pub(crate) fn print_table(content: &Content, header: &[String], columns: &[Vec<(String, String)>]) {
    let mut keys: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in columns {
        for (k, _) in c {
            if seen.insert(k.as_str()) {
                keys.push(k);
            }
        }
    }
    let labels: Vec<String> = keys.iter().map(|k| figure_label(content, k)).collect();
    let first = labels
        .iter()
        .chain(header.first())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(56);
    let width = header
        .iter()
        .skip(1)
        .map(|h| h.chars().count())
        .chain(columns.iter().flatten().map(|(_, v)| v.chars().count()))
        .max()
        .unwrap_or(0);
    let cell = |s: &str, w: usize| format!("{s:>w$}");
    let mut line = format!(
        "{:<first$}",
        header.first().map(String::as_str).unwrap_or("")
    );
    for h in header.iter().skip(1) {
        line.push_str("  ");
        line.push_str(&cell(h, width));
    }
    say(line.trim_end());
    for (k, label) in keys.iter().zip(&labels) {
        let mut line = format!("{label:<first$}");
        for c in columns {
            let v = c
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("0");
            line.push_str("  ");
            line.push_str(&cell(v, width));
        }
        say(line);
    }
}

/// The figures of a `ScopeStats` as table cells.
pub(crate) fn cells(s: &archipel_store::ScopeStats) -> Vec<(String, String)> {
    s.figures()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

/// Prints a usage error; a message of several lines (the territories one
/// may choose from) is printed line by line, each escaped.
fn usage(message: impl std::fmt::Display) -> ExitCode {
    for (i, line) in message.to_string().lines().enumerate() {
        if i == 0 {
            esay(format!("archipel: {line}"));
        } else {
            esay(line);
        }
    }
    ExitCode::from(2)
}

/// When the figures are asked for.
enum When {
    Now,
    At(chrono::NaiveDate),
    Series(Vec<chrono::NaiveDate>),
}

fn when(args: &Args) -> Result<When, String> {
    if let Some(at) = &args.at {
        return Ok(When::At(parse_day("--at", at)?));
    }
    let Some(period) = &args.series else {
        return Ok(When::Now);
    };
    let period = archipel_store::Period::parse(period)
        .ok_or_else(|| format!("--series: expected yearly or monthly, not `{period}`"))?;
    let from = args.from.as_deref().unwrap_or_default();
    let from = archipel_store::parse_start(from)
        .ok_or_else(|| format!("--from: expected YYYY, YYYY-MM or YYYY-MM-DD, not `{from}`"))?;
    let to = match &args.to {
        Some(t) => archipel_store::parse_end(t)
            .ok_or_else(|| format!("--to: expected YYYY, YYYY-MM or YYYY-MM-DD, not `{t}`"))?,
        None => today(),
    };
    Ok(When::Series(archipel_store::period_ends(period, from, to)?))
}

/// One point of a series.
#[derive(serde::Serialize)]
struct Point {
    at: chrono::NaiveDate,
    stats: archipel_store::ScopeStats,
}

fn territory(content: &Content, store: &Store, key: &str, args: &Args) -> anyhow::Result<ExitCode> {
    let (commons, json) = (args.commons.as_deref(), args.json);
    let when = match when(args) {
        Ok(w) => w,
        Err(e) => return Ok(usage(e)),
    };
    let id = match archipel_pitch::resolve_territory(store, Some(key)) {
        Ok(id) => id,
        Err(e) if e.is_usage() => return Ok(usage(e)),
        Err(e) => return Err(e.into()),
    };
    let commons = match commons.map(str::parse::<EntityId>).transpose() {
        Ok(c) => c,
        Err(_) => {
            return Ok(usage(
                "--commons: expected a commons id such as commons:sill:234",
            ))
        }
    };
    let q = archipel_pitch::scope_query(content.pitch(), &id, commons.as_ref());
    let mut on = String::new();
    let s = match when {
        When::Now => store.scope_stats(&q)?,
        When::At(day) => {
            on = format!(", on {day}");
            store.registry_at(day)?.scope_stats(&q)
        }
        When::Series(days) => return series(content, store, key, &q, &days, json),
    };
    let Some(s) = s else {
        return Ok(usage(format!("unknown territory `{key}`")));
    };
    if json {
        crate::output::print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let level = content.label(
        "territory_levels",
        s.territory.subkind.as_deref().unwrap_or(""),
        Lang::Fr,
    );
    say(format!(
        "{} ({level} {}) and {} territories below it{on}",
        s.territory.name,
        s.code,
        s.territories.saturating_sub(1)
    ));
    say("Records");
    for (n, what) in [
        (s.actors, "actors"),
        (s.places, "places"),
        (s.relations, "relations"),
    ] {
        say(format!("  {n:>7}  {what}"));
    }
    let section = |title: &str, vocab: &str, counts: &[archipel_store::Count]| {
        say(title);
        for c in counts {
            let label = if c.key == "unset" {
                c.key.clone()
            } else {
                content.label(vocab, &c.key, Lang::Fr)
            };
            say(format!("  {:>7}  {label}", c.count));
        }
    };
    section("Actors by kind", "actor_kinds", &s.actor_kinds);
    section("Actors by typology", "typology", &s.typology);
    section("Relations by type", "relation_types", &s.relation_kinds);
    if let Some(c) = &s.commons {
        say(format!("Links to {c}"));
    } else {
        say("Links to commons");
    }
    let pitch = content.pitch();
    for g in &s.actor_groups {
        let label = archipel_content::pitch::Indicator::parse(&g.name)
            .map(|i| pitch.indicator_label(i, Lang::Fr).to_string())
            .unwrap_or_else(|| g.name.clone());
        say(format!("  {:>7}  {label} ({})", g.actors, g.name));
    }
    for g in &s.link_groups {
        say(format!(
            "  {:>7} relations, {} commons, {} organisations  ({})",
            g.relations, g.commons, g.organisations, g.name
        ));
    }
    support(&s.support);
    Ok(ExitCode::SUCCESS)
}

/// The figures at each day of a series: the registry read once.
fn series(
    content: &Content,
    store: &Store,
    key: &str,
    q: &archipel_store::ScopeQuery,
    days: &[chrono::NaiveDate],
    json: bool,
) -> anyhow::Result<ExitCode> {
    let timeline = store.timeline()?;
    let mut points = Vec::with_capacity(days.len());
    for day in days {
        let Some(stats) = timeline.at(*day).scope_stats(q) else {
            return Ok(usage(format!(
                "territory `{key}` is not in the registry on {day}"
            )));
        };
        points.push(Point { at: *day, stats });
    }
    if json {
        crate::output::print_json(&points)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(p) = points.last() {
        say(format!(
            "{} ({}), at the end of each period",
            p.stats.territory.name, p.stats.code
        ));
    }
    let mut header = vec![String::new()];
    header.extend(points.iter().map(|p| p.at.to_string()));
    let columns: Vec<_> = points.iter().map(|p| cells(&p.stats)).collect();
    print_table(content, &header, &columns);
    Ok(ExitCode::SUCCESS)
}

/// The grants and calls of the territory, zero figures left out.
fn support(f: &archipel_store::SupportFigures) {
    if f.is_empty() {
        return;
    }
    let euros = |c: i64| format!("{} €", archipel_domain::format_euros(c));
    say("Public support");
    if f.grants > 0 {
        say(format!(
            "  {:>7}  grants, {} in all",
            f.grants,
            euros(f.granted_cents)
        ));
    }
    if f.commons_grants > 0 {
        let mut line = format!(
            "  {:>7}  grants to commons, {} to {} beneficiaries",
            f.commons_grants,
            euros(f.commons_granted_cents),
            f.commons_beneficiaries
        );
        if f.commons_associations > 0 {
            line.push_str(&format!(" ({} associations)", f.commons_associations));
        }
        say(line);
    }
    if let Some(p) = f.associations_share_percent.filter(|p| *p > 0) {
        say(format!(
            "  {:>6}%  of the amount to associations ({})",
            p,
            euros(f.associations_granted_cents)
        ));
    }
    if f.calls > 0 {
        let mut line = format!("  {:>7}  calls for projects", f.calls);
        if f.non_competitive_calls > 0 {
            line.push_str(&format!(", {} non-competitive", f.non_competitive_calls));
        }
        say(line);
    }
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    if let Some(key) = &args.territory {
        return territory(&content, &store, key, &args);
    }
    let s = store.stats()?;
    if args.json {
        crate::output::print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let section = |title: &str, vocab: Option<&str>, counts: &[archipel_store::Count]| {
        say(title);
        for c in counts {
            let label = match vocab {
                Some(v) if c.key != "unset" => content.label(v, &c.key, Lang::Fr),
                _ => c.key.clone(),
            };
            say(format!("  {:>7}  {label}", c.count));
        }
    };
    section("Records", None, &s.entities);
    section("Actors by kind", Some("actor_kinds"), &s.actor_kinds);
    section("Actors by typology", Some("typology"), &s.typology);
    section("Commons by kind", Some("commons_kinds"), &s.commons_kinds);
    section(
        "Relations by type",
        Some("relation_types"),
        &s.relation_kinds,
    );
    say("Territories");
    for t in &s.territories {
        say(format!(
            "  {:>7} actors {:>7} places  {}",
            t.actors, t.places, t.name
        ));
    }
    Ok(ExitCode::SUCCESS)
}
