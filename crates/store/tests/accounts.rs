//! Accounts, identities, sessions, invitations and the audit log, on
//! real registry files. Times are fixed: nothing here depends on the
//! clock.

use archipel_store::accounts::{AccountError, Audit, NewAccount, NewSession};
use archipel_store::{Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn cli(at: DateTime<Utc>) -> Audit {
    Audit::new(at, None, json!({"via": "test"}))
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    (dir, store)
}

fn person<'a>(email: &'a str, role: &'a str) -> NewAccount<'a> {
    NewAccount {
        email: Some(email),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        display_name: email,
        role,
    }
}

/// The actions of the audit log, newest first.
fn actions(s: &Store) -> Vec<String> {
    s.audit_log(100, None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn session<'a>(digest: &'a str, account: i64) -> NewSession<'a> {
    NewSession {
        digest,
        account,
        expires_at: t0() + Duration::minutes(30),
        csrf: "csrf-token",
        provider: None,
        id_token: None,
    }
}

#[test]
fn an_account_is_created_once_with_its_audit_entry() {
    let (_d, mut s) = store();
    let id = s
        .create_account(&person("jeanne@exemple.fr", "admin"), &cli(t0()))
        .unwrap();
    let a = s.account_by_email("jeanne@exemple.fr").unwrap().unwrap();
    assert_eq!(a.id, id);
    assert_eq!(a.role, "admin");
    assert!(!a.disabled);
    assert_eq!(a.created_at, "2026-03-01T08:00:00Z");
    assert!(a
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    // The hash never goes out with the account's JSON.
    let j = serde_json::to_value(&a).unwrap();
    assert!(j.get("password_hash").is_none(), "{j}");
    assert_eq!(s.account(id).unwrap(), Some(a));

    let log = s.audit_log(10, None).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "account.create");
    assert_eq!(
        log[0].target.as_deref(),
        Some(format!("account:{id}").as_str())
    );
    assert_eq!(log[0].actor, None);
    assert_eq!(log[0].detail["via"], "test");
    assert_eq!(log[0].detail["role"], "admin");

    // The same address again: refused, and nothing written.
    let e = s
        .create_account(&person("jeanne@exemple.fr", "contributor"), &cli(t0()))
        .unwrap_err();
    assert!(matches!(e, AccountError::EmailTaken(_)), "{e}");
    assert_eq!(s.accounts().unwrap().len(), 1);
    assert_eq!(s.audit_log(10, None).unwrap().len(), 1);
}

#[test]
fn roles_are_checked_changed_and_audited() {
    let (_d, mut s) = store();
    let e = s
        .create_account(&person("a@exemple.fr", "superuser"), &cli(t0()))
        .unwrap_err();
    assert!(matches!(e, AccountError::NoSuchRole(_)), "{e}");
    let id = s
        .create_account(&person("a@exemple.fr", "contributor"), &cli(t0()))
        .unwrap();
    s.set_role(id, "moderator", &Audit::new(t0(), Some(id), json!({})))
        .unwrap();
    assert_eq!(s.account(id).unwrap().unwrap().role, "moderator");
    let log = s.audit_log(1, None).unwrap();
    assert_eq!(log[0].action, "account.role");
    assert_eq!(log[0].actor, Some(id));
    assert_eq!(log[0].detail["from"], "contributor");
    assert_eq!(log[0].detail["to"], "moderator");
    assert!(matches!(
        s.set_role(999, "admin", &cli(t0())),
        Err(AccountError::NoSuchAccount(_))
    ));
    assert!(matches!(
        s.set_role(id, "root", &cli(t0())),
        Err(AccountError::NoSuchRole(_))
    ));
}

#[test]
fn disabling_an_account_closes_its_sessions_and_no_other() {
    let (_d, mut s) = store();
    let a = s
        .create_account(&person("a@exemple.fr", "contributor"), &cli(t0()))
        .unwrap();
    let b = s
        .create_account(&person("b@exemple.fr", "contributor"), &cli(t0()))
        .unwrap();
    s.open_session(&session("a1", a), &cli(t0())).unwrap();
    s.open_session(&session("a2", a), &cli(t0())).unwrap();
    s.open_session(&session("b1", b), &cli(t0())).unwrap();
    assert_eq!(s.session_count(a).unwrap(), 2);

    assert_eq!(s.disable_account(a, &cli(t0())).unwrap(), 2);
    assert!(s.account(a).unwrap().unwrap().disabled);
    assert_eq!(s.session("a1").unwrap(), None);
    assert_eq!(s.session("a2").unwrap(), None);
    assert!(s.session("b1").unwrap().is_some());
    // A disabled account opens no session.
    let e = s.open_session(&session("a3", a), &cli(t0())).unwrap_err();
    assert!(e.to_string().contains("disabled"), "{e}");
    let log = s.audit_log(1, None).unwrap();
    assert_eq!(log[0].action, "account.disable");
    assert_eq!(log[0].detail["sessions_closed"], 2);
}

#[test]
fn sessions_are_kept_by_digest_touched_closed_and_purged() {
    let (_d, mut s) = store();
    let a = s
        .create_account(&person("a@exemple.fr", "contributor"), &cli(t0()))
        .unwrap();
    let mut new = session("digest-1", a);
    new.provider = Some("proconnect");
    new.id_token = Some("eyJ.id.token");
    s.open_session(&new, &cli(t0())).unwrap();
    let got = s.session("digest-1").unwrap().unwrap();
    assert_eq!(got.account, a);
    assert_eq!(got.created_at, "2026-03-01T08:00:00Z");
    assert_eq!(got.expires_at, "2026-03-01T08:30:00Z");
    assert_eq!(got.csrf, "csrf-token");
    assert_eq!(got.provider.as_deref(), Some("proconnect"));
    assert_eq!(got.id_token.as_deref(), Some("eyJ.id.token"));

    let later = t0() + Duration::minutes(20);
    assert!(s
        .touch_session("digest-1", later, later + Duration::minutes(30))
        .unwrap());
    let got = s.session("digest-1").unwrap().unwrap();
    assert_eq!(got.last_seen, "2026-03-01T08:20:00Z");
    assert_eq!(got.expires_at, "2026-03-01T08:50:00Z");
    assert!(!s.touch_session("nope", later, later).unwrap());

    s.open_session(&session("digest-2", a), &cli(t0())).unwrap();
    // At 08:40 the second (expires 08:30) is gone, the first (08:50) stays.
    assert_eq!(s.purge_sessions(t0() + Duration::minutes(40)).unwrap(), 1);
    assert!(s.session("digest-1").unwrap().is_some());

    assert!(s.close_session("digest-1", &cli(later)).unwrap());
    assert!(!s.close_session("digest-1", &cli(later)).unwrap());
    assert_eq!(s.session("digest-1").unwrap(), None);
    let actions: Vec<String> = s
        .audit_log(10, None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "session.close",
            "session.open",
            "session.open",
            "account.create"
        ]
    );
}

#[test]
fn an_identity_keys_its_account_and_keeps_the_latest_claims() {
    let (_d, mut s) = store();
    let claims = json!({"sub": "agent-1", "email": "jeanne@mairie.fr", "siret": "21310555400017"});
    let new = NewAccount {
        email: None,
        password_hash: None,
        display_name: "Jeanne Martin",
        role: "contributor",
    };
    let iss = "https://auth.example.fr/api/v2";
    let (id, created) = s
        .record_identity(iss, "agent-1", &claims, &new, &cli(t0()))
        .unwrap();
    assert!(created);
    let later = t0() + Duration::hours(1);
    let claims2 = json!({"sub": "agent-1", "siret": "21750001600019"});
    let (again, created) = s
        .record_identity(iss, "agent-1", &claims2, &new, &cli(later))
        .unwrap();
    assert_eq!((again, created), (id, false));
    assert_eq!(s.accounts().unwrap().len(), 1);
    let a = s.account_by_identity(iss, "agent-1").unwrap().unwrap();
    assert_eq!(a.id, id);
    assert_eq!(a.display_name, "Jeanne Martin");
    assert_eq!(a.password_hash, None);
    assert_eq!(
        s.account_by_identity("https://other", "agent-1").unwrap(),
        None
    );
    let ids = s.identities(id).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].claims["siret"], "21750001600019");
    assert_eq!(ids[0].created_at, "2026-03-01T08:00:00Z");
    assert_eq!(ids[0].last_seen, "2026-03-01T09:00:00Z");
    assert_eq!(
        actions(&s),
        ["identity.sign_in", "identity.sign_in", "account.create"]
    );

    // A new identity whose e-mail is an existing account's: nothing is
    // written (no account, no identity, no audit entry).
    s.create_account(&person("paul@exemple.fr", "contributor"), &cli(t0()))
        .unwrap();
    let before = actions(&s).len();
    let taken = NewAccount {
        email: Some("paul@exemple.fr"),
        ..new
    };
    let e = s
        .record_identity(iss, "agent-2", &json!({}), &taken, &cli(t0()))
        .unwrap_err();
    assert!(matches!(e, AccountError::EmailTaken(_)), "{e}");
    assert_eq!(s.account_by_identity(iss, "agent-2").unwrap(), None);
    assert_eq!(actions(&s).len(), before);
}

#[test]
fn an_invitation_is_used_once_before_it_expires() {
    let (_d, mut s) = store();
    let admin = s
        .create_account(&person("admin@exemple.fr", "admin"), &cli(t0()))
        .unwrap();
    let by = Audit::new(t0(), Some(admin), json!({}));
    let expires = t0() + Duration::days(7);
    s.create_invitation("inv-1", Some("new@exemple.fr"), "moderator", expires, &by)
        .unwrap();
    s.create_invitation("inv-2", None, "contributor", expires, &by)
        .unwrap();
    let inv = s.invitation("inv-1").unwrap().unwrap();
    assert_eq!(inv.created_by, Some(admin));
    assert_eq!(inv.role, "moderator");

    // The account gets the invitation's role, whatever is asked.
    let asked = person("new@exemple.fr", "admin");
    let id = s
        .accept_invitation("inv-1", &asked, &cli(t0() + Duration::days(1)))
        .unwrap()
        .unwrap();
    assert_eq!(s.account(id).unwrap().unwrap().role, "moderator");
    assert_eq!(s.invitation("inv-1").unwrap().unwrap().used_by, Some(id));
    // Used: no second account.
    let other = person("other@exemple.fr", "contributor");
    assert_eq!(
        s.accept_invitation("inv-1", &other, &cli(t0() + Duration::days(1)))
            .unwrap(),
        None
    );
    // Expired.
    assert_eq!(
        s.accept_invitation("inv-2", &other, &cli(expires)).unwrap(),
        None
    );
    assert_eq!(s.account_by_email("other@exemple.fr").unwrap(), None);
    assert_eq!(
        s.accept_invitation("nope", &other, &cli(t0())).unwrap(),
        None
    );
}

#[test]
fn the_audit_log_pages_newest_first() {
    let (_d, mut s) = store();
    for i in 0..5 {
        s.append_audit(
            "sign_in.failed",
            Some(&format!("n{i}@exemple.fr")),
            &cli(t0() + Duration::seconds(i)),
        )
        .unwrap();
    }
    let first = s.audit_log(2, None).unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].target.as_deref(), Some("n4@exemple.fr"));
    assert_eq!(first[1].target.as_deref(), Some("n3@exemple.fr"));
    let next = s.audit_log(10, Some(first[1].id)).unwrap();
    assert_eq!(next.len(), 3);
    assert_eq!(next[2].at, "2026-03-01T08:00:00Z");
}

#[test]
fn a_read_only_registry_refuses_account_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(Store::open(&path).unwrap());
    let mut s = Store::open_read_only(&path).unwrap();
    let e = s
        .create_account(&person("a@exemple.fr", "admin"), &cli(t0()))
        .unwrap_err();
    assert!(
        matches!(e, AccountError::Store(StoreError::ReadOnly { .. })),
        "{e}"
    );
    assert_eq!(s.accounts().unwrap(), vec![]);
}

#[test]
fn the_tables_refuse_what_the_api_would_not_write() {
    // The checks hold even for a writer that bypasses the API.
    let (dir, s) = store();
    drop(s);
    let c = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    let bad_role = c.execute(
        "INSERT INTO account (email, display_name, role, created_at) VALUES ('x@y.fr', 'x', 'root', 't')",
        [],
    );
    assert!(bad_role.is_err());
    c.execute(
        "INSERT INTO account (email, display_name, role, created_at) VALUES ('x@y.fr', 'x', 'admin', 't')",
        [],
    )
    .unwrap();
    let twice = c.execute(
        "INSERT INTO account (email, display_name, role, created_at) VALUES ('x@y.fr', 'y', 'admin', 't')",
        [],
    );
    assert!(twice.is_err());
}
