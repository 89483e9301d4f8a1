//! `archipel proposals list [--json] [--kind K] [--territory T]`: the
//! pending proposals, oldest first; `archipel proposals accept|refuse ID
//! --by EMAIL [--message M]`: a moderator's decision, carried out in one
//! transaction with its audit entry.

use super::Global;
use crate::output::term;
use archipel_accounts::{normalise_email, Role};
use archipel_domain::{EntityId, EntityKind};
use archipel_jobs::contribute;
use archipel_store::accounts::Account;
use archipel_store::proposals::ProposalQuery;
use archipel_store::Store;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// List proposals (pending ones unless --status says otherwise).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
        /// Only proposals on records of this kind.
        #[arg(long, value_parser = parse_kind)]
        kind: Option<EntityKind>,
        /// Only proposals on this territory or any below it.
        #[arg(long)]
        territory: Option<String>,
        /// pending, accepted, refused, withdrawn or all.
        #[arg(long, default_value = "pending",
              value_parser = ["pending", "accepted", "refused", "withdrawn", "all"])]
        status: String,
    },
    /// A proposal as a moderator sees it: what accepting would change
    /// against the current version, whether the record changed since the
    /// proposer saw it, likely duplicates, problems.
    Show {
        id: i64,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accept proposals, each in its own transaction: their records are
    /// written as new versions.
    Accept {
        #[arg(required = true, num_args = 1..)]
        ids: Vec<i64>,
        /// The moderator's e-mail address.
        #[arg(long)]
        by: String,
        /// A message to the proposer.
        #[arg(long)]
        message: Option<String>,
    },
    /// Refuse a proposal, with a message the proposer sees.
    Refuse {
        id: i64,
        #[arg(long)]
        by: String,
        #[arg(long)]
        message: String,
    },
}

fn parse_kind(s: &str) -> Result<EntityKind, String> {
    EntityKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            format!(
                "`{}`: expected territory, actor, place, commons or relation",
                s.escape_debug()
            )
        })
}

/// The account with this address, if it may moderate.
pub fn moderator(store: &Store, email: &str) -> anyhow::Result<Account> {
    let key = normalise_email(email).map_err(|e| anyhow::anyhow!("--by: {e}"))?;
    let account = store
        .account_by_email(&key)?
        .ok_or_else(|| anyhow::anyhow!("--by: no account with the address {}", term(&key)))?;
    let may = !account.disabled && Role::parse(&account.role).is_some_and(Role::can_moderate);
    if !may {
        anyhow::bail!(
            "--by: {} may not moderate (role {})",
            term(&key),
            term(&account.role)
        );
    }
    Ok(account)
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::List {
            json,
            kind,
            territory,
            status,
        } => {
            let store = g.read_store()?;
            let territory = territory
                .map(|t| EntityId::parse(&t).map_err(|e| anyhow::anyhow!("--territory: {e}")))
                .transpose()?;
            let q = ProposalQuery {
                status: (status != "all").then_some(status),
                kind,
                territory,
                limit: 1000,
                ..Default::default()
            };
            let list = store.proposals(&q)?;
            if json {
                crate::output::print_json(&list)?;
            } else {
                for p in &list {
                    let what = p.report.as_deref().unwrap_or(&p.action);
                    println!(
                        "{} {} {} {} {} {}",
                        p.id,
                        term(&p.created_at),
                        term(&p.status),
                        term(what),
                        term(&p.record),
                        term(p.territory.as_deref().unwrap_or("-"))
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, json } => {
            let store = g.read_store()?;
            let content = g.content()?;
            let about_action = store.proposal(id)?.is_some_and(|p| p.is_about_action());
            if about_action {
                return show_action(&store, &content, id, json);
            }
            let Some(r) = contribute::review(&store, &content, id)? else {
                anyhow::bail!("no proposal {id}");
            };
            if json {
                crate::output::print_json(&r)?;
                return Ok(ExitCode::SUCCESS);
            }
            let p = &r.proposal;
            print_header(p);
            print_review(p, r.stale, r.current_version, &r.changed_since, &r.changes);
            for d in &r.duplicates {
                println!(
                    "  likely duplicate: {} {} ({:?})",
                    term(&d.id),
                    term(&d.name),
                    d.why
                );
            }
            for e in &r.problems {
                println!("  problem: {}: {}", term(&e.field), term(&e.reason));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Accept { ids, by, message } => {
            let mut store = g.existing_store()?;
            let account = moderator(&store, &by)?;
            let content = g.content()?;
            let mut failed = false;
            for id in ids {
                let decider = archipel_jobs::Decider {
                    account: Some(account.id),
                    via: "cli",
                    at: chrono::Utc::now(),
                };
                match contribute::accept(
                    &mut store,
                    &content,
                    id,
                    None,
                    message.as_deref(),
                    &decider,
                ) {
                    Ok(applied) => println!("proposal {id}: accepted (batch {})", applied.batch),
                    Err(e) => {
                        failed = true;
                        crate::output::esay(decision_failed(id, &e));
                    }
                }
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Refuse { id, by, message } => {
            let mut store = g.existing_store()?;
            let account = moderator(&store, &by)?;
            let decider = archipel_jobs::Decider {
                account: Some(account.id),
                via: "cli",
                at: chrono::Utc::now(),
            };
            contribute::refuse(&mut store, id, &message, &decider)?;
            println!("proposal {id}: refused");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `archipel proposals show` for a proposal about a public action
/// record.
fn show_action(
    store: &archipel_store::Store,
    content: &archipel_content::Content,
    id: i64,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let Some(r) = archipel_jobs::contribute_action::review(store, content, id)? else {
        anyhow::bail!("no proposal {id}");
    };
    if json {
        crate::output::print_json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_header(&r.proposal);
    print_review(
        &r.proposal,
        r.stale,
        r.current_version,
        &r.changed_since,
        &r.changes,
    );
    for e in &r.problems {
        println!("  problem: {}: {}", term(&e.field), term(&e.reason));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_header(p: &archipel_store::proposals::Proposal) {
    println!(
        "proposal {} ({}, {}) on {} by {}, {}",
        p.id,
        term(p.report.as_deref().unwrap_or(&p.action)),
        term(&p.status),
        term(&p.record),
        p.account
            .map(|a| format!("account {a}"))
            .unwrap_or_else(|| term(p.email.as_deref().unwrap_or("-")).into_owned()),
        term(&p.created_at)
    );
    if let Some(c) = &p.comment {
        println!("  comment: {}", term(c));
    }
}

/// What changed meanwhile (when the record moved on) and what accepting
/// would change.
fn print_review(
    p: &archipel_store::proposals::Proposal,
    stale: bool,
    current_version: Option<u32>,
    changed_since: &[archipel_domain::FieldChange],
    changes: &[archipel_domain::FieldChange],
) {
    if stale {
        println!(
            "  the record changed since the proposer saw it (version {} then, {} now):",
            p.base.map_or("-".to_string(), |b| b.to_string()),
            current_version.map_or("-".to_string(), |b| b.to_string())
        );
        print_changes(changed_since);
    }
    println!("  changes against the current version:");
    print_changes(changes);
}

/// A decision that failed, said as `main` says every other error
/// (`archipel: error: ` and the error's chain), naming the proposal once:
/// the store's errors about the proposal itself name it already ("no
/// proposal 999", "proposal 5 is accepted already"), the others ("the
/// record is invalid: …") get it in front.
fn decision_failed(id: i64, e: &contribute::ContributionError) -> String {
    use archipel_store::proposals::ProposalError as P;
    use contribute::ContributionError as C;
    let chain = archipel_domain::error_chain(e);
    let named = matches!(
        e,
        C::NotYours(_)
            | C::Proposal(P::NoSuchProposal(_) | P::Decided { .. } | P::OtherRecord { .. })
    );
    if named {
        format!("archipel: error: {chain}")
    } else {
        format!("archipel: error: proposal {id}: {chain}")
    }
}

/// Prints differences, one field a line.
pub fn print_changes(changes: &[archipel_domain::FieldChange]) {
    for c in changes {
        println!(
            "    {}: {} → {}",
            term(&c.field),
            term(&super::history::shown(&c.before)),
            term(&super::history::shown(&c.after))
        );
    }
}
