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

fn territory(
    content: &Content,
    store: &Store,
    key: &str,
    commons: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
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
    let Some(s) = store.scope_stats(&q)? else {
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
        "{} ({level} {}) and {} territories below it",
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

/// The public action of the territory, zero figures left out.
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
    if f.applications > 0 {
        let mut line = format!("  {:>7}  applications to calls", f.applications);
        if f.applications_accepted > 0 {
            line.push_str(&format!(", {} accepted", f.applications_accepted));
        }
        if f.first_time_applicants > 0 {
            line.push_str(&format!(
                ", {} from first-time applicants",
                f.first_time_applicants
            ));
        }
        say(line);
    }
    if f.trainings > 0 {
        let mut line = format!("  {:>7}  trainings", f.trainings);
        if f.training_attendees > 0 {
            line.push_str(&format!(", {} attendees", f.training_attendees));
        }
        if f.agents_trained > 0 {
            line.push_str(&format!(", {} public agents trained", f.agents_trained));
        }
        say(line);
    }
    if f.events > 0 {
        let mut line = format!("  {:>7}  other events", f.events);
        if f.event_attendees > 0 {
            line.push_str(&format!(", {} attendees", f.event_attendees));
        }
        say(line);
    }
    if f.hardware_lent > 0 {
        let mut line = format!("  {:>7}  hardware items lent", f.hardware_lent);
        if f.hardware_out > 0 {
            line.push_str(&format!(", {} out now", f.hardware_out));
        }
        say(line);
    }
    if f.hardware_given > 0 {
        say(format!("  {:>7}  hardware items given", f.hardware_given));
    }
    if f.commons_hosted > 0 {
        say(format!("  {:>7}  commons hosted", f.commons_hosted));
    }
    if f.posts > 0 {
        let mut line = format!("  {:>7}  dedicated posts", f.posts);
        if let Some(fte) = &f.posts_fte {
            line.push_str(&format!(", {fte} full-time equivalent"));
        }
        say(line);
    }
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    if let Some(key) = &args.territory {
        return territory(&content, &store, key, args.commons.as_deref(), args.json);
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
