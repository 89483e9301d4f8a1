//! `archipel history ID [--json]`: the versions of a record, newest
//! first, with when, by whom, from which source and what changed;
//! `archipel history ID --restore N --by EMAIL` makes version N the
//! current one again (a new version, audited), as a moderator or an
//! administrator.

use super::Global;
use crate::output::term;
use archipel_domain::{ActionId, EntityId};
use archipel_jobs::history::{self, VersionView};
use archipel_store::Restored;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The record's identifier (`actor:mediation:…`, or a public action
    /// record's: `grant:…`, `event:…`).
    id: String,
    /// As JSON (the same as `GET /api/v1/history/{id}`).
    #[arg(long, conflicts_with = "restore")]
    json: bool,
    /// Make this version the current one again.
    #[arg(long, requires = "by")]
    restore: Option<u32>,
    /// The e-mail address of the moderator or administrator restoring.
    #[arg(long)]
    by: Option<String>,
}

/// A record of the registry or a public action record.
enum Id {
    Entity(EntityId),
    Action(ActionId),
}

impl Id {
    fn as_str(&self) -> &str {
        match self {
            Id::Entity(i) => i.as_str(),
            Id::Action(i) => i.as_str(),
        }
    }
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let id = match (EntityId::parse(&args.id), ActionId::parse(&args.id)) {
        (Ok(i), _) => Id::Entity(i),
        (_, Ok(i)) => Id::Action(i),
        (Err(e), _) => anyhow::bail!("ID: {e}"),
    };
    if let (Some(number), Some(by)) = (args.restore, args.by.as_deref()) {
        let mut store = g.existing_store()?;
        let account = super::proposals::moderator(&store, by)?;
        let decider = archipel_jobs::Decider {
            account: Some(account.id),
            via: "cli",
            at: chrono::Utc::now(),
        };
        let restored = match &id {
            Id::Entity(i) => history::restore(&mut store, i, number, &decider)?,
            Id::Action(i) => history::restore_action(&mut store, i, number, &decider)?,
        };
        return match restored {
            Restored::Written => {
                println!("{}: version {number} restored", term(id.as_str()));
                Ok(ExitCode::SUCCESS)
            }
            Restored::Unchanged => {
                println!(
                    "{}: version {number} says what the current version says; nothing written",
                    term(id.as_str())
                );
                Ok(ExitCode::SUCCESS)
            }
            Restored::NoSuchVersion => {
                anyhow::bail!("{}: no version {number}", term(id.as_str()))
            }
        };
    }
    let store = g.read_store()?;
    let versions = match &id {
        Id::Entity(i) => history::versions(&store, i)?,
        Id::Action(i) => history::action_versions(&store, i)?,
    };
    if versions.is_empty() {
        anyhow::bail!("{}: no such record", term(id.as_str()));
    }
    if args.json {
        crate::output::print_json(&versions)?;
    } else {
        for v in &versions {
            print_version(v);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_version(v: &VersionView) {
    let by = v.by.as_deref().unwrap_or("-");
    let file = v
        .file
        .as_deref()
        .map(|f| format!(" {f}"))
        .unwrap_or_default();
    println!(
        "{} {} {} {}{} by {}{}",
        v.version,
        term(&v.at),
        term(&v.action),
        term(&v.source),
        term(&file),
        term(by),
        if v.removed { " (removed)" } else { "" }
    );
    super::proposals::print_changes(&v.changes);
}

/// A value of a difference as text (`∅`: none).
pub fn shown(x: &Option<serde_json::Value>) -> String {
    match x {
        None => "∅".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
