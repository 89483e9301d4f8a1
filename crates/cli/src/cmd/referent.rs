//! `archipel referent add EMAIL ACTOR --by EMAIL`: makes an account the
//! referent of an actor — allowed when one of the account's OpenID
//! Connect identities carries the actor's SIRET (`siret` claim) — as a
//! moderator or an administrator; `archipel referent list EMAIL`. A
//! referent's edits of the actor and its places are applied at once,
//! marked `referent` in the history.

use super::Global;
use crate::output::term;
use archipel_domain::EntityId;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Make an account the referent of an actor.
    Add {
        /// The account's e-mail address.
        email: String,
        /// The actor's identifier.
        actor: String,
        /// The moderator's or administrator's e-mail address.
        #[arg(long)]
        by: String,
    },
    /// The actors an account is the referent of.
    List { email: String },
}

fn account(store: &archipel_store::Store, email: &str) -> anyhow::Result<i64> {
    let key =
        archipel_accounts::normalise_email(email).map_err(|e| anyhow::anyhow!("EMAIL: {e}"))?;
    Ok(store
        .account_by_email(&key)?
        .ok_or_else(|| anyhow::anyhow!("no account with the address {}", term(&key)))?
        .id)
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Add { email, actor, by } => {
            let mut store = g.existing_store()?;
            let moderator = super::proposals::moderator(&store, &by)?;
            let who = account(&store, &email)?;
            let actor = EntityId::parse(&actor).map_err(|e| anyhow::anyhow!("ACTOR: {e}"))?;
            archipel_jobs::contribute::make_referent(
                &mut store,
                who,
                &actor,
                Some(moderator.id),
                chrono::Utc::now(),
            )?;
            println!("{}: referent of {}", term(&email), term(actor.as_str()));
            Ok(ExitCode::SUCCESS)
        }
        Command::List { email } => {
            let store = g.read_store()?;
            let who = account(&store, &email)?;
            for a in store.referent_of(who)? {
                println!("{}", term(&a));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
