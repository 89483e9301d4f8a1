//! `archipel show ID`: one record, where it came from, and its relations.
use super::Global;
use crate::output::{esay, say};
use archipel_content::Lang;
use archipel_domain::{Entity, EntityId};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The record's identifier (KIND:SOURCE:LOCAL, as `search` prints it).
    id: String,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let store = g.read_store()?;
    let id = match EntityId::parse(&args.id) {
        Ok(id) => id,
        Err(e) => {
            esay(format!("archipel show: {e}"));
            return Ok(ExitCode::from(2));
        }
    };
    // An id a merge absorbed leads to the record that absorbed it.
    let (id, entity) = match store.get(&id)? {
        Some(e) => (id, e),
        None => match store.resolve(&id)?.map(|k| store.get(&k).map(|e| (k, e))) {
            Some(Ok((kept, Some(e)))) => {
                esay(format!("archipel show: {id} was merged into {kept}"));
                (kept, e)
            }
            _ => {
                esay(format!(
                    "archipel show: no record {id} (try `archipel search`)"
                ));
                return Ok(ExitCode::from(1));
            }
        },
    };
    let relations = store.relations_of(&id)?;
    if args.json {
        crate::output::print_json(&serde_json::json!({
            "record": entity,
            "relations": relations,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let name_of = |id: &EntityId| -> String {
        match store.get(id) {
            Ok(Some(e)) => e.name().to_string(),
            _ => id.to_string(),
        }
    };
    say(format!("{} — {}", entity.name(), entity.id()));
    let value = serde_json::to_value(&entity)?;
    if let serde_json::Value::Object(map) = &value {
        for (k, v) in map {
            if matches!(k.as_str(), "type" | "id" | "name" | "provenance") {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            say(format!("  {k}: {text}"));
        }
    }
    let p = entity.provenance();
    let at = match (&p.file, p.line) {
        (Some(f), Some(l)) => format!(" ({f}:{l})"),
        (Some(f), None) => format!(" ({f})"),
        _ => String::new(),
    };
    say(format!(
        "  source: {}{at}, recorded {}, changed {}",
        p.source, p.created_at, p.updated_at
    ));
    for m in store.absorbed_into(&id)? {
        let p = m.absorbed_state.provenance();
        say(format!(
            "  also: {} from {} (merge {}, `archipel duplicates merges`)",
            m.absorbed, p.source, m.id
        ));
    }
    if !relations.is_empty() {
        say("Relations");
        for r in &relations {
            let rt = content.relation_type(&r.kind);
            let dates = match (r.since, r.until) {
                (Some(s), Some(u)) => format!(" [{s} → {u}]"),
                (Some(s), None) => format!(" [since {s}]"),
                (None, Some(u)) => format!(" [until {u}]"),
                (None, None) => String::new(),
            };
            let role = r
                .role
                .as_ref()
                .map(|k| format!(" ({})", content.label("governance_roles", k, Lang::Fr)))
                .unwrap_or_default();
            if r.subject == id {
                let label = rt
                    .map(|t| t.label(Lang::Fr).to_string())
                    .unwrap_or(r.kind.clone());
                say(format!("  → {label}{role} {}{dates}", name_of(&r.object)));
            } else {
                let label = rt
                    .map(|t| t.inverse_label(Lang::Fr).to_string())
                    .unwrap_or(r.kind.clone());
                say(format!("  ← {label}{role} {}{dates}", name_of(&r.subject)));
            }
        }
    }
    if let Entity::Place(pl) = &entity {
        if let Some(a) = &pl.actor {
            say(format!("  run by: {} ({a})", name_of(a)));
        }
    }
    Ok(ExitCode::SUCCESS)
}
