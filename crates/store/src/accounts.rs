//! Accounts, their OpenID Connect identities, sessions, invitations and
//! the audit log (migration 0006).
//!
//! The store keeps what `archipel-accounts` decides: it never hashes a
//! password, makes a token or judges a session's age. Every write is one
//! transaction begun with `BEGIN IMMEDIATE` (`busy::begin`), and the
//! audit entry that records it is written in the same transaction: an
//! account never changes without its entry, nor the reverse. Times are
//! given by the caller (RFC 3339, UTC, to the second), so that nothing
//! here reads the clock.

use crate::{Store, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Row, Transaction};
use serde::Serialize;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("an account with the e-mail address {0} exists already")]
    EmailTaken(String),
    #[error("no account {0}")]
    NoSuchAccount(String),
    #[error("{0} is not a role (visitor, contributor, moderator, admin)")]
    NoSuchRole(String),
    #[error("detail of the audit entry: {0}")]
    Detail(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(e.into())
    }
}

type Result<T> = std::result::Result<T, AccountError>;

/// The roles the table accepts (their meaning is `archipel-accounts`').
const ROLES: [&str; 4] = ["visitor", "contributor", "moderator", "admin"];

fn check_role(role: &str) -> Result<()> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(AccountError::NoSuchRole(archipel_domain::echo(role)))
    }
}

/// A time as the tables keep it.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub email: Option<String>,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: String,
    /// The argon2id PHC string, if the account signs in with a password.
    #[serde(skip)]
    pub password_hash: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "id, email, display_name, role, disabled, created_at, password";

fn account_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        email: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        disabled: r.get(4)?,
        created_at: r.get(5)?,
        password_hash: r.get(6)?,
    })
}

/// An account to create.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    /// Normalised (`archipel_accounts::normalise_email`).
    pub email: Option<&'a str>,
    /// An argon2id PHC string.
    pub password_hash: Option<&'a str>,
    pub display_name: &'a str,
    pub role: &'a str,
}

/// Who did something, for the audit log: an account, or the command line
/// or the system (`None`).
#[derive(Debug, Clone)]
pub struct Audit {
    pub at: DateTime<Utc>,
    pub actor: Option<i64>,
    /// What happens (`account.create`); the operation's own entry may add
    /// to `detail`.
    pub detail: serde_json::Value,
}

impl Audit {
    /// An entry by `actor` (`None`: the command line or the system) at
    /// `at`, with `detail` (a JSON object).
    pub fn new(at: DateTime<Utc>, actor: Option<i64>, detail: serde_json::Value) -> Audit {
        Audit { at, actor, detail }
    }
}

/// An entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: Option<i64>,
    pub action: String,
    pub target: Option<String>,
    pub detail: serde_json::Value,
}

/// An OpenID Connect identity of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub issuer: String,
    pub sub: String,
    pub account: i64,
    /// The claims kept at the last sign-in, as JSON.
    pub claims: serde_json::Value,
    pub created_at: String,
    pub last_seen: String,
}

/// A session to open.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// The digest of the session id (`archipel_accounts::Token::digest`).
    pub digest: &'a str,
    pub account: i64,
    pub expires_at: DateTime<Utc>,
    pub csrf: &'a str,
    pub provider: Option<&'a str>,
    pub id_token: Option<&'a str>,
}

/// An open session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub digest: String,
    pub account: i64,
    pub created_at: String,
    pub last_seen: String,
    pub expires_at: String,
    pub csrf: String,
    pub provider: Option<String>,
    pub id_token: Option<String>,
}

/// An invitation to create an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub digest: String,
    pub email: Option<String>,
    pub role: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub expires_at: String,
    pub used_by: Option<i64>,
    pub used_at: Option<String>,
}

/// Adds an entry to the audit log inside `tx`.
pub(crate) fn audit(
    tx: &Transaction<'_>,
    a: &Audit,
    action: &str,
    target: Option<&str>,
    extra: serde_json::Value,
) -> crate::Result<i64> {
    let mut detail = match &a.detail {
        serde_json::Value::Object(m) => m.clone(),
        serde_json::Value::Null => serde_json::Map::new(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("note".into(), other.clone());
            m
        }
    };
    if let serde_json::Value::Object(more) = extra {
        detail.extend(more);
    }
    tx.execute(
        "INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            stamp(a.at),
            a.actor,
            action,
            target,
            serde_json::to_string(&detail)
                .map_err(|e| StoreError::database_because("detail of an audit entry", e))?
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// A JSON column's value; unreadable JSON is a corrupt row named `what`.
fn json_column(text: &str, what: impl FnOnce() -> String) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Corrupt {
            id: what(),
            source: Box::new(e),
        }
        .into()
    })
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        digest: r.get(0)?,
        account: r.get(1)?,
        created_at: r.get(2)?,
        last_seen: r.get(3)?,
        expires_at: r.get(4)?,
        csrf: r.get(5)?,
        provider: r.get(6)?,
        id_token: r.get(7)?,
    })
}

fn invitation_row(r: &Row<'_>) -> rusqlite::Result<Invitation> {
    Ok(Invitation {
        digest: r.get(0)?,
        email: r.get(1)?,
        role: r.get(2)?,
        created_by: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        used_by: r.get(6)?,
        used_at: r.get(7)?,
    })
}

fn account_target(id: i64) -> String {
    format!("account:{id}")
}

impl Store {
    /// The one row `sql` finds with `params`, if any.
    fn one_row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        Ok(self.conn.query_row(sql, params, row).optional()?)
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`), committed
    /// if it succeeds.
    fn account_write<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_plain(what, f)
    }

    /// Creates an account; returns its id. Audited as `account.create`.
    pub fn create_account(&mut self, a: &NewAccount<'_>, by: &Audit) -> Result<i64> {
        check_role(a.role)?;
        self.account_write("creation of an account", |tx| {
            let id = insert_account(tx, a, by.at)?;
            audit(
                tx,
                by,
                "account.create",
                Some(&account_target(id)),
                serde_json::json!({"email": a.email, "role": a.role}),
            )?;
            Ok(id)
        })
    }

    /// The account with this id.
    pub fn account(&self, id: i64) -> Result<Option<Account>> {
        self.one_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE id = ?1"),
            [id],
            account_row,
        )
    }

    /// The account with this (normalised) e-mail address.
    pub fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        self.one_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE email = ?1"),
            [email],
            account_row,
        )
    }

    /// The account an OpenID Connect identity belongs to.
    pub fn account_by_identity(&self, issuer: &str, sub: &str) -> Result<Option<Account>> {
        self.one_row(
            &format!(
                "SELECT {ACCOUNT_COLUMNS} FROM account WHERE id =
                 (SELECT account FROM identity WHERE issuer = ?1 AND sub = ?2)"
            ),
            [issuer, sub],
            account_row,
        )
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY id"
        ))?;
        let rows = st.query_map([], account_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An account's identities at OpenID Connect providers.
    pub fn identities(&self, account: i64) -> Result<Vec<Identity>> {
        let mut st = self.conn.prepare(
            "SELECT issuer, sub, account, claims, created_at, last_seen
             FROM identity WHERE account = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([account], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (issuer, sub, account, claims, created_at, last_seen) = row?;
            let claims = serde_json::from_str(&claims).map_err(|e| StoreError::Corrupt {
                id: format!("identity {issuer} {sub}"),
                source: Box::new(e),
            })?;
            out.push(Identity {
                issuer,
                sub,
                account,
                claims,
                created_at,
                last_seen,
            });
        }
        Ok(out)
    }

    /// Records a sign-in through an OpenID Connect provider: the identity
    /// (issuer, sub) keeps the new claims; when it is new, an account is
    /// created for it with `new` (or, when `new.email` is an existing
    /// account's, nothing is created and [`AccountError::EmailTaken`]
    /// says so: linking an identity to an account with a password is a
    /// decision for that account's owner). Returns the account and
    /// whether it was created. Audited as `identity.sign_in` (and
    /// `account.create`).
    pub fn record_identity(
        &mut self,
        issuer: &str,
        sub: &str,
        claims: &serde_json::Value,
        new: &NewAccount<'_>,
        by: &Audit,
    ) -> Result<(i64, bool)> {
        check_role(new.role)?;
        let claims_text = serde_json::to_string(claims)?;
        self.account_write("sign-in through a provider", |tx| {
            let now = stamp(by.at);
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT account FROM identity WHERE issuer = ?1 AND sub = ?2",
                    [issuer, sub],
                    |r| r.get(0),
                )
                .optional()?;
            let (id, created) = match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE identity SET claims = ?3, last_seen = ?4
                         WHERE issuer = ?1 AND sub = ?2",
                        rusqlite::params![issuer, sub, claims_text, now],
                    )?;
                    (id, false)
                }
                None => {
                    let id = insert_account(tx, new, by.at)?;
                    tx.execute(
                        "INSERT INTO identity (issuer, sub, account, claims, created_at, last_seen)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                        rusqlite::params![issuer, sub, id, claims_text, now],
                    )?;
                    audit(
                        tx,
                        by,
                        "account.create",
                        Some(&account_target(id)),
                        serde_json::json!({"issuer": issuer, "sub": sub, "role": new.role}),
                    )?;
                    (id, true)
                }
            };
            audit(
                tx,
                by,
                "identity.sign_in",
                Some(&account_target(id)),
                serde_json::json!({"issuer": issuer, "sub": sub}),
            )?;
            Ok((id, created))
        })
    }

    /// Changes an account's role. Audited as `account.role` (with the
    /// role before and after).
    pub fn set_role(&mut self, account: i64, role: &str, by: &Audit) -> Result<()> {
        check_role(role)?;
        self.account_write("change of a role", |tx| {
            let before: String = tx
                .query_row("SELECT role FROM account WHERE id = ?1", [account], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| AccountError::NoSuchAccount(account_target(account)))?;
            tx.execute(
                "UPDATE account SET role = ?2 WHERE id = ?1",
                rusqlite::params![account, role],
            )?;
            audit(
                tx,
                by,
                "account.role",
                Some(&account_target(account)),
                serde_json::json!({"from": before, "to": role}),
            )?;
            Ok(())
        })
    }

    /// Replaces an account's password hash. Audited as `account.password`.
    pub fn set_password(&mut self, account: i64, password_hash: &str, by: &Audit) -> Result<()> {
        self.account_write("change of a password", |tx| {
            let n = tx.execute(
                "UPDATE account SET password = ?2 WHERE id = ?1",
                rusqlite::params![account, password_hash],
            )?;
            if n == 0 {
                return Err(AccountError::NoSuchAccount(account_target(account)));
            }
            audit(
                tx,
                by,
                "account.password",
                Some(&account_target(account)),
                serde_json::Value::Null,
            )?;
            Ok(())
        })
    }

    /// Disables an account and closes all its sessions, in one
    /// transaction; returns how many sessions were closed. Audited as
    /// `account.disable`.
    pub fn disable_account(&mut self, account: i64, by: &Audit) -> Result<usize> {
        self.account_write("disabling of an account", |tx| {
            let n = tx.execute("UPDATE account SET disabled = 1 WHERE id = ?1", [account])?;
            if n == 0 {
                return Err(AccountError::NoSuchAccount(account_target(account)));
            }
            let closed = tx.execute("DELETE FROM session WHERE account = ?1", [account])?;
            audit(
                tx,
                by,
                "account.disable",
                Some(&account_target(account)),
                serde_json::json!({"sessions_closed": closed}),
            )?;
            Ok(closed)
        })
    }

    /// Opens a session (the caller made its id and checked the account).
    /// Audited as `session.open`.
    pub fn open_session(&mut self, s: &NewSession<'_>, by: &Audit) -> Result<()> {
        self.account_write("opening of a session", |tx| {
            let disabled: bool = tx
                .query_row(
                    "SELECT disabled FROM account WHERE id = ?1",
                    [s.account],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| AccountError::NoSuchAccount(account_target(s.account)))?;
            if disabled {
                return Err(AccountError::NoSuchAccount(format!(
                    "{} (disabled)",
                    account_target(s.account)
                )));
            }
            let now = stamp(by.at);
            tx.execute(
                "INSERT INTO session (id, account, created_at, last_seen, expires_at, csrf, provider, id_token)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    s.digest,
                    s.account,
                    now,
                    stamp(s.expires_at),
                    s.csrf,
                    s.provider,
                    s.id_token
                ],
            )?;
            audit(
                tx,
                by,
                "session.open",
                Some(&account_target(s.account)),
                serde_json::json!({"provider": s.provider}),
            )?;
            Ok(())
        })
    }

    /// The session whose id has this digest, if it is open (its expiry
    /// is checked by the caller, with its own clock).
    pub fn session(&self, digest: &str) -> Result<Option<Session>> {
        self.one_row(
            "SELECT id, account, created_at, last_seen, expires_at, csrf, provider, id_token
             FROM session WHERE id = ?1",
            [digest],
            session_row,
        )
    }

    /// Notes a session's use at `now` and its new expiry; `false` when
    /// there is no such session.
    pub fn touch_session(
        &mut self,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool> {
        self.account_write("use of a session", |tx| {
            Ok(tx.execute(
                "UPDATE session SET last_seen = ?2, expires_at = ?3 WHERE id = ?1",
                rusqlite::params![digest, stamp(now), stamp(expires_at)],
            )? == 1)
        })
    }

    /// Closes a session (sign-out); `false` when there was none. Audited
    /// as `session.close`.
    pub fn close_session(&mut self, digest: &str, by: &Audit) -> Result<bool> {
        self.account_write("closing of a session", |tx| {
            let account: Option<i64> = tx
                .query_row("SELECT account FROM session WHERE id = ?1", [digest], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(account) = account else {
                return Ok(false);
            };
            tx.execute("DELETE FROM session WHERE id = ?1", [digest])?;
            audit(
                tx,
                by,
                "session.close",
                Some(&account_target(account)),
                serde_json::Value::Null,
            )?;
            Ok(true)
        })
    }

    /// Removes the sessions expired at `now`; returns how many.
    pub fn purge_sessions(&mut self, now: DateTime<Utc>) -> Result<usize> {
        self.account_write("removal of expired sessions", |tx| {
            Ok(tx.execute("DELETE FROM session WHERE expires_at <= ?1", [stamp(now)])?)
        })
    }

    /// How many sessions an account has open.
    pub fn session_count(&self, account: i64) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM session WHERE account = ?1",
            [account],
            |r| r.get(0),
        )?)
    }

    /// Records an invitation (its token's digest). Audited as
    /// `invitation.create`.
    pub fn create_invitation(
        &mut self,
        digest: &str,
        email: Option<&str>,
        role: &str,
        expires_at: DateTime<Utc>,
        by: &Audit,
    ) -> Result<()> {
        check_role(role)?;
        self.account_write("creation of an invitation", |tx| {
            tx.execute(
                "INSERT INTO invitation (id, email, role, created_by, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    digest,
                    email,
                    role,
                    by.actor,
                    stamp(by.at),
                    stamp(expires_at)
                ],
            )?;
            audit(
                tx,
                by,
                "invitation.create",
                email,
                serde_json::json!({"role": role}),
            )?;
            Ok(())
        })
    }

    /// The invitation whose token has this digest.
    pub fn invitation(&self, digest: &str) -> Result<Option<Invitation>> {
        self.one_row(
            "SELECT id, email, role, created_by, created_at, expires_at, used_by, used_at
             FROM invitation WHERE id = ?1",
            [digest],
            invitation_row,
        )
    }

    /// Creates the account an invitation was for, and marks the
    /// invitation used, in one transaction; `Ok(None)` when the
    /// invitation does not exist, is used or expired at `by.at`. The
    /// account gets the invitation's role.
    pub fn accept_invitation(
        &mut self,
        digest: &str,
        a: &NewAccount<'_>,
        by: &Audit,
    ) -> Result<Option<i64>> {
        self.account_write("acceptance of an invitation", |tx| {
            let now = stamp(by.at);
            let role: Option<String> = tx
                .query_row(
                    "SELECT role FROM invitation
                     WHERE id = ?1 AND used_at IS NULL AND expires_at > ?2",
                    [digest, now.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(role) = role else {
                return Ok(None);
            };
            let new = NewAccount { role: &role, ..*a };
            let id = insert_account(tx, &new, by.at)?;
            tx.execute(
                "UPDATE invitation SET used_by = ?2, used_at = ?3 WHERE id = ?1",
                rusqlite::params![digest, id, now],
            )?;
            audit(
                tx,
                by,
                "account.create",
                Some(&account_target(id)),
                serde_json::json!({"email": a.email, "role": role, "invitation": true}),
            )?;
            Ok(Some(id))
        })
    }

    /// Adds an entry to the audit log on its own (a failed sign-in, a
    /// decision recorded elsewhere); returns its id.
    pub fn append_audit(&mut self, action: &str, target: Option<&str>, by: &Audit) -> Result<i64> {
        self.account_write("audit entry", |tx| {
            Ok(audit(tx, by, action, target, serde_json::Value::Null)?)
        })
    }

    /// The audit log, newest first: at most `limit` entries, those before
    /// entry `before` when given (the next page).
    pub fn audit_log(&self, limit: usize, before: Option<i64>) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, target, detail FROM audit
             WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map(rusqlite::params![before, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, action, target, detail) = row?;
            let detail = json_column(&detail, || format!("audit entry {id}"))?;
            out.push(AuditEntry {
                id,
                at,
                actor,
                action,
                target,
                detail,
            });
        }
        Ok(out)
    }
}

/// Inserts an account row; an e-mail address already used is
/// [`AccountError::EmailTaken`].
fn insert_account(tx: &Transaction<'_>, a: &NewAccount<'_>, at: DateTime<Utc>) -> Result<i64> {
    check_role(a.role)?;
    if let Some(email) = a.email {
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM account WHERE email = ?1", [email], |r| {
                r.get(0)
            })
            .optional()?;
        if taken.is_some() {
            return Err(AccountError::EmailTaken(archipel_domain::echo(email)));
        }
    }
    tx.execute(
        "INSERT INTO account (email, password, display_name, role, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![a.email, a.password_hash, a.display_name, a.role, stamp(at)],
    )?;
    Ok(tx.last_insert_rowid())
}
