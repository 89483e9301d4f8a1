//! `archipel duplicates [--json] [--within METRES]`: records that may be
//! one real-world thing — sure pairs (a shared register identifier,
//! across sources) and pairs for a person to review (the same name
//! nearby), with why; `--apply-sure` merges the sure ones.
//! `archipel duplicates merge A B` merges B into A, `separate A B`
//! records that they are distinct (never proposed again), `undo
//! MERGE_ID` undoes a merge exactly, `merges` lists the merges.

use super::Global;
use crate::output::term;
use archipel_domain::EntityId;
use archipel_jobs::duplicates::{self, Candidate, Options};
use archipel_jobs::Decider;
use archipel_store::{MergeError, Store};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// As JSON: `{sure, review, truncated}` (with `--apply-sure`, the
    /// merges made).
    #[arg(long)]
    json: bool,
    /// Records with the same name this close are candidates (metres).
    #[arg(long, default_value_t = 1000.0, value_parser = distance)]
    within: f64,
    /// Merge every sure pair (each merge its own change, undoable).
    #[arg(long)]
    apply_sure: bool,
    /// The e-mail address of the moderator or administrator deciding
    /// (none: the command line).
    #[arg(long)]
    by: Option<String>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Merge record B into record A: B's relations and places move to A,
    /// A takes what it lacked from B, B's id leads to A.
    Merge {
        a: String,
        b: String,
        /// The moderator's or administrator's e-mail address.
        #[arg(long)]
        by: Option<String>,
    },
    /// Record that A and B are different things: never proposed again.
    Separate {
        a: String,
        b: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Undo a merge: both records, their relations and ids as before.
    Undo {
        merge: i64,
        #[arg(long)]
        by: Option<String>,
    },
    /// The merges made, oldest first (undone ones marked).
    Merges {
        #[arg(long)]
        json: bool,
    },
}

fn distance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(m) if m.is_finite() && (0.0..=100_000.0).contains(&m) => Ok(m),
        _ => Err(format!(
            "`{}`: expected metres between 0 and 100000",
            term(s)
        )),
    }
}

fn id(what: &str, s: &str) -> anyhow::Result<EntityId> {
    EntityId::parse(s).map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

fn decider(store: &Store, by: Option<&str>) -> anyhow::Result<Decider<'static>> {
    let account = by
        .map(|email| super::proposals::moderator(store, email))
        .transpose()?;
    Ok(Decider {
        account: account.map(|a| a.id),
        via: "cli",
        at: chrono::Utc::now(),
    })
}

/// A merge error, with where an absorbed id went.
fn explain(store: &Store, e: MergeError) -> anyhow::Error {
    if let MergeError::NoSuchRecord(id) = &e {
        if let Ok(parsed) = EntityId::parse(id) {
            if let Ok(Some(kept)) = store.resolve(&parsed) {
                return anyhow::anyhow!(
                    "{}: merged into {} (see `archipel duplicates merges`)",
                    term(id),
                    term(kept.as_str())
                );
            }
        }
    }
    anyhow::Error::new(e)
}

fn line(c: &Candidate) -> String {
    let mut why = c.keys.join(", ");
    if c.same_commune {
        why.push_str("; same commune");
    }
    if let Some(d) = c.distance_m {
        why.push_str(&format!("; {d:.0} m"));
    }
    if !c.doubts.is_empty() {
        why.push_str(&format!("; not sure: {}", c.doubts.join(", ")));
    }
    format!(
        "{} {} ({}) <- {} ({}): {}",
        c.kind,
        term(&c.a),
        term(&c.a_name),
        term(&c.b),
        term(&c.b_name),
        why
    )
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let opts = Options {
        within_metres: args.within,
        ..Options::default()
    };
    match args.command {
        None if args.apply_sure => {
            let mut store = g.existing_store()?;
            let by = decider(&store, args.by.as_deref())?;
            let applied = duplicates::apply_sure(&mut store, &opts, &by)?;
            if args.json {
                crate::output::print_json(&applied)?;
            } else {
                for a in &applied {
                    println!(
                        "merge {}: {} <- {} ({})",
                        a.merge,
                        term(&a.kept),
                        term(&a.absorbed),
                        a.keys.join(", ")
                    );
                }
                println!("{} sure merges", applied.len());
            }
        }
        None => {
            if args.by.is_some() {
                anyhow::bail!("--by: only with --apply-sure or a subcommand");
            }
            let store = g.read_store()?;
            let found = duplicates::find(&store, &opts)?;
            if args.json {
                crate::output::print_json(&found)?;
            } else {
                for c in &found.sure {
                    println!("sure    {}", line(c));
                }
                for c in &found.review {
                    println!("review  {}", line(c));
                }
                println!(
                    "{} sure, {} to review{}",
                    found.sure.len(),
                    found.review.len(),
                    if found.truncated {
                        format!(" (the first {} pairs only)", opts.max_pairs)
                    } else {
                        String::new()
                    }
                );
            }
        }
        Some(Command::Merge { a, b, by }) => {
            let (a, b) = (id("A", &a)?, id("B", &b)?);
            let mut store = g.existing_store()?;
            let by = decider(&store, by.as_deref())?;
            let why = match (store.get(&a)?, store.get(&b)?) {
                (Some(x), Some(y)) => duplicates::pair(&x, &y, &opts).map(|c| c.keys),
                _ => None,
            }
            .unwrap_or_else(|| vec!["person".to_string()]);
            let m = duplicates::merge(&mut store, &a, &b, "review", &why, &by)
                .map_err(|e| explain(&store, e))?;
            println!(
                "merge {}: {} merged into {} ({} relations, {} places, {} referents, {} public action records moved; \
                 {} relations between the two removed); undo with `archipel duplicates undo {}`",
                m.merge,
                term(b.as_str()),
                term(a.as_str()),
                m.relations_moved,
                m.places_moved,
                m.referents_moved,
                m.actions_moved,
                m.relations_removed,
                m.merge
            );
        }
        Some(Command::Separate { a, b, by }) => {
            let (a, b) = (id("A", &a)?, id("B", &b)?);
            let mut store = g.existing_store()?;
            let by = decider(&store, by.as_deref())?;
            let new =
                duplicates::separate(&mut store, &a, &b, &by).map_err(|e| explain(&store, e))?;
            println!(
                "{} and {}: distinct{}",
                term(a.as_str()),
                term(b.as_str()),
                if new { "" } else { " (already known)" }
            );
        }
        Some(Command::Undo { merge, by }) => {
            let mut store = g.existing_store()?;
            let by = decider(&store, by.as_deref())?;
            let u = duplicates::undo(&mut store, merge, &by)?;
            println!(
                "merge {}: undone ({} records and relations as they were)",
                u.merge, u.restored
            );
        }
        Some(Command::Merges { json }) => {
            let store = g.read_store()?;
            let merges = store.merges(false)?;
            if json {
                crate::output::print_json(&merges)?;
            } else {
                for m in &merges {
                    println!(
                        "{} {} {} <- {} ({}, {}){}",
                        m.id,
                        m.at,
                        term(&m.kept),
                        term(&m.absorbed),
                        m.how,
                        m.why.join(", "),
                        if m.undone_by.is_some() { " undone" } else { "" }
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
