//! `archipel user` end to end, on real temporary registries: the first
//! administrator, weak passwords refused, roles, disabling (which closes
//! the account's sessions), the audit entries.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_archipel");

fn archipel(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db);
    // No setting from the environment of whoever runs the tests.
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("ARCHIPEL_") {
            c.env_remove(var);
        }
    }
    c
}

/// Runs `archipel ARGS` with `input` on standard input.
fn run(db: &Path, args: &[&str], input: &str) -> Output {
    let mut child = archipel(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run archipel");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(db: &Path, args: &[&str], input: &str) -> String {
    let out = run(db, args, input);
    assert!(
        out.status.success(),
        "archipel {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn list(db: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["user", "list", "--json"], "")).unwrap()
}

#[test]
fn the_first_administrator_and_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // No registry yet: `user add` creates it.
    let out = ok(
        &db,
        &[
            "user",
            "add",
            " Admin@Mairie-Exemple.FR ",
            "--role",
            "admin",
        ],
        "le chat dort sur le toit\n",
    );
    assert_eq!(out, "account 1: admin@mairie-exemple.fr (admin)\n");
    // The password is not in anything printed.
    assert!(!out.contains("chat"));
    let accounts = list(&db);
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    let a = &accounts[0];
    assert_eq!(a["email"], "admin@mairie-exemple.fr");
    assert_eq!(a["role"], "admin");
    assert_eq!(a["disabled"], false);
    assert_eq!(a["display_name"], "admin");
    assert_eq!(a["password"], true);
    assert_eq!(a["identities"], serde_json::json!([]));
    assert!(a.get("password_hash").is_none(), "{a}");

    // The hash in the registry verifies the password typed.
    let store = archipel_store::Store::open_read_only(&db).unwrap();
    let saved = store
        .account_by_email("admin@mairie-exemple.fr")
        .unwrap()
        .unwrap();
    let hash = saved.password_hash.unwrap();
    assert!(archipel_accounts::password::verify(
        "le chat dort sur le toit",
        &hash
    ));
    let log = store.audit_log(10, None).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "account.create");
    assert_eq!(log[0].detail["via"], "command line");
    drop(store);

    // A second one, with a name; then the same address again is refused.
    ok(
        &db,
        &[
            "user",
            "add",
            "paul@exemple.fr",
            "--role",
            "contributor",
            "--name",
            "Paul Durand",
        ],
        "une phrase assez longue\r\n",
    );
    let out = run(
        &db,
        &["user", "add", "PAUL@exemple.fr", "--role", "moderator"],
        "une autre phrase longue\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists already"), "{err}");
    let accounts = list(&db);
    assert_eq!(accounts.as_array().unwrap().len(), 2);
    assert_eq!(accounts[1]["display_name"], "Paul Durand");
    assert_eq!(accounts[1]["role"], "contributor");
}

#[test]
fn weak_passwords_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    for (password, reason) in [
        ("court\n", "too short: 5 characters, at least 12 needed"),
        ("1qaz2wsx3edc\n", "one of the most common passwords"),
        ("jeanne.martin2024\n", "contains the e-mail address"),
        ("", "no password on standard input"),
    ] {
        let out = run(
            &db,
            &["user", "add", "jeanne.martin@exemple.fr", "--role", "admin"],
            password,
        );
        assert_eq!(out.status.code(), Some(1), "{password:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(reason), "{password:?}: {err}");
        // The password is never repeated back.
        let typed = password.trim_end();
        assert!(typed.is_empty() || !err.contains(typed), "{err}");
    }
    // Nothing was created (not even the registry's accounts).
    assert!(!db.exists() || list(&db).as_array().unwrap().is_empty());

    let out = run(
        &db,
        &["user", "add", "not-an-address", "--role", "admin"],
        "le chat dort sur le toit\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EMAIL: "));
    let out = run(
        &db,
        &["user", "add", "a@exemple.fr", "--role", "root"],
        "le chat dort sur le toit\n",
    );
    assert_eq!(out.status.code(), Some(2), "a usage error");
}

#[test]
fn roles_change_and_disabling_closes_sessions() {
    use archipel_store::accounts::{Audit, NewSession};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    ok(
        &db,
        &["user", "add", "modo@exemple.fr", "--role", "contributor"],
        "le chat dort sur le toit\n",
    );
    let out = ok(&db, &["user", "role", "Modo@Exemple.fr", "moderator"], "");
    assert_eq!(out, "modo@exemple.fr: contributor → moderator\n");
    assert_eq!(list(&db)[0]["role"], "moderator");

    // Two sessions, as the web server would open them.
    let now = chrono::Utc::now();
    {
        let mut store = archipel_store::Store::open(&db).unwrap();
        for digest in ["s1", "s2"] {
            store
                .open_session(
                    &NewSession {
                        digest,
                        account: 1,
                        expires_at: now + chrono::Duration::minutes(30),
                        csrf: "c",
                        provider: None,
                        id_token: None,
                    },
                    &Audit::new(now, Some(1), serde_json::json!({})),
                )
                .unwrap();
        }
    }
    let out = ok(&db, &["user", "disable", "modo@exemple.fr"], "");
    assert_eq!(out, "modo@exemple.fr: disabled, 2 session(s) closed\n");
    let store = archipel_store::Store::open_read_only(&db).unwrap();
    assert_eq!(store.session("s1").unwrap(), None);
    assert_eq!(store.session_count(1).unwrap(), 0);
    let actions: Vec<String> = store
        .audit_log(10, None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "account.disable",
            "session.open",
            "session.open",
            "account.role",
            "account.create"
        ]
    );
    drop(store);
    assert_eq!(list(&db)[0]["disabled"], true);

    let out = run(&db, &["user", "disable", "nobody@exemple.fr"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account with the address"));
}

#[test]
fn sign_in_settings_are_checked_by_serve_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let config = dir.path().join("archipel.toml");
    std::fs::write(dir.path().join("proconnect.secret"), "s3cr3t\n").unwrap();
    std::fs::write(
        &config,
        r#"[sign_in]
signup = "invitation"

[[sign_in.oidc]]
name = "proconnect"
issuer = "https://auth.agentconnect.gouv.fr/api/v2"
client_id = "archipel"
client_secret_file = "proconnect.secret"
redirect_url = "https://archipel.example.fr/connexion/oidc/proconnect"
"#,
    )
    .unwrap();
    let out = ok(
        &db,
        &["--config", config.to_str().unwrap(), "serve", "--check"],
        "",
    );
    assert!(out.contains("sign_in.signup"), "{out}");
    assert!(out.contains("invitation"), "{out}");
    assert!(
        out.contains("proconnect: https://auth.agentconnect.gouv.fr/api/v2"),
        "{out}"
    );
    assert!(!out.contains("s3cr3t"), "the secret is never shown: {out}");

    // A secret written in the file itself is refused, with its line.
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "client_secret_file = \"proconnect.secret\"",
        "client_secret = \"s3cr3t\"",
    );
    std::fs::write(&config, text).unwrap();
    let out = run(
        &db,
        &["--config", config.to_str().unwrap(), "serve", "--check"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("archipel.toml:8: sign_in.oidc.client_secret: unknown field"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "{err}");
}
