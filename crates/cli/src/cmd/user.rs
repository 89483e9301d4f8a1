//! `archipel user add|list|role|disable`: accounts on the command line —
//! the first administrator, and the rest when no one uses the web pages
//! for it. Every change is written with its audit entry (actor: the
//! command line).
//!
//! `user add` reads the password from standard input, one line (typed
//! without echo on a terminal, or piped: `printf '%s\n' "$PW" | archipel
//! user add …`); it is never an argument, which other users of the machine
//! could read in the process list.

use super::Global;
use archipel_accounts::{normalise_email, password, Role};
use archipel_store::accounts::{Account, Audit, NewAccount};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create an account; the password is read from standard input.
    Add {
        /// The account's e-mail address (its key).
        email: String,
        /// admin, moderator, contributor (or visitor).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown for the account [default: the address's name part].
        #[arg(long)]
        name: Option<String>,
    },
    /// List the accounts.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change an account's role.
    Role {
        email: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Disable an account and close its sessions.
    Disable { email: String },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!(
            "`{}`: expected admin, moderator, contributor or visitor",
            s.escape_debug()
        )
    })
}

/// Longest password line read (a password has at most 256 characters of
/// up to 4 bytes).
const MAX_LINE: u64 = 2048;

/// An audit entry by the command line, now.
fn by_cli() -> Audit {
    Audit::new(
        chrono::Utc::now(),
        None,
        serde_json::json!({"via": "command line"}),
    )
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Add { email, role, name } => add(g, &email, role, name),
        Command::List { json } => list(g, json),
        Command::Role { email, role } => {
            let mut store = g.existing_store()?;
            let account = find(&store, &email)?;
            store.set_role(account.id, role.key(), &by_cli())?;
            println!(
                "{}: {} → {}",
                crate::output::term(account.email.as_deref().unwrap_or("")),
                account.role,
                role
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Disable { email } => {
            let mut store = g.existing_store()?;
            let account = find(&store, &email)?;
            let closed = store.disable_account(account.id, &by_cli())?;
            println!(
                "{}: disabled, {closed} session(s) closed",
                crate::output::term(account.email.as_deref().unwrap_or(""))
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn email_key(email: &str) -> anyhow::Result<String> {
    normalise_email(email).map_err(|e| anyhow::anyhow!("EMAIL: {e}"))
}

fn find(store: &archipel_store::Store, email: &str) -> anyhow::Result<Account> {
    let key = email_key(email)?;
    store
        .account_by_email(&key)?
        .ok_or_else(|| anyhow::anyhow!("no account with the address {}", crate::output::term(&key)))
}

fn add(g: &Global, email: &str, role: Role, name: Option<String>) -> anyhow::Result<ExitCode> {
    let key = email_key(email)?;
    let name = match name {
        Some(n) => {
            archipel_domain::check_text(&n, archipel_domain::TextKind::Line)
                .map_err(|e| anyhow::anyhow!("--name: {e}"))?;
            n
        }
        None => key.split('@').next().unwrap_or(&key).to_string(),
    };
    let pw = read_password()?;
    if let Err(problem) = password::check(&pw, Some(&key)) {
        anyhow::bail!("password refused: {problem}");
    }
    let hash = password::hash(&pw)?;
    drop(pw);
    let mut store = g.store()?;
    let id = store.create_account(
        &NewAccount {
            email: Some(&key),
            password_hash: Some(&hash),
            display_name: &name,
            role: role.key(),
        },
        &by_cli(),
    )?;
    println!("account {id}: {} ({role})", crate::output::term(&key));
    Ok(ExitCode::SUCCESS)
}

/// One line of standard input, without its line break; on a terminal, a
/// prompt on standard error and no echo.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let _echo = if terminal {
        eprint!("Password (12 characters or more): ");
        let _ = std::io::stderr().flush();
        NoEcho::new()
    } else {
        None
    };
    let mut line = Vec::new();
    stdin
        .lock()
        .take(MAX_LINE + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| anyhow::anyhow!("standard input: {e}"))?;
    if terminal {
        eprintln!();
    }
    if line.len() as u64 > MAX_LINE {
        anyhow::bail!("password refused: longer than {MAX_LINE} bytes");
    }
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    if line.is_empty() {
        anyhow::bail!("no password on standard input (one line: the password)");
    }
    String::from_utf8(line).map_err(|_| anyhow::anyhow!("password refused: not UTF-8"))
}

/// The terminal's echo turned off until dropped.
struct NoEcho {
    #[cfg(unix)]
    saved: libc::termios,
}

impl NoEcho {
    #[cfg(unix)]
    fn new() -> Option<NoEcho> {
        // SAFETY: termios is plain data, filled by tcgetattr on the
        // standard input descriptor, which is open for the process's life.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return None;
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            t.c_lflag |= libc::ECHONL;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return None;
            }
            Some(NoEcho { saved })
        }
    }

    #[cfg(not(unix))]
    fn new() -> Option<NoEcho> {
        None
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `new` on the same descriptor.
        #[cfg(unix)]
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

fn list(g: &Global, json: bool) -> anyhow::Result<ExitCode> {
    let store = g.read_store()?;
    let accounts = store.accounts()?;
    if json {
        let mut out = Vec::new();
        for a in &accounts {
            let mut v = serde_json::to_value(a)?;
            let ids: Vec<serde_json::Value> = store
                .identities(a.id)?
                .into_iter()
                .map(|i| serde_json::json!({"issuer": i.issuer, "sub": i.sub, "last_seen": i.last_seen}))
                .collect();
            v["identities"] = serde_json::Value::Array(ids);
            v["password"] = serde_json::Value::Bool(a.password_hash.is_some());
            out.push(v);
        }
        crate::output::print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for a in &accounts {
        println!(
            "{:>4}  {:<11}  {:<8}  {}  {}",
            a.id,
            a.role,
            if a.disabled { "disabled" } else { "active" },
            crate::output::term(a.email.as_deref().unwrap_or("(no e-mail)")),
            crate::output::term(&a.display_name),
        );
    }
    if accounts.is_empty() {
        eprintln!("no accounts (create the first administrator with `archipel user add EMAIL --role admin`)");
    }
    Ok(ExitCode::SUCCESS)
}
