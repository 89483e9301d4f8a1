//! Sign-in, sessions, anti-forgery tokens, rate limits, sign-up and the
//! administration of accounts, over HTTP on a real temporary registry.
//! Times come from the server's fixed clock, never the wall clock.

use archipel_store::accounts::Audit;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Duration;

mod common;

use common::web::*;

#[tokio::test]
async fn a_post_without_a_valid_token_is_refused_with_403() {
    let fx = fixture();
    let admin = fx.account("admin@example.fr", "Admin", "admin");
    let mut b = Browser::default();
    // The sign-in form names its fields as the outside checks expect.
    let page = b.get(&fx.app, "/connexion").await;
    for field in ["name=\"email\"", "name=\"password\"", "name=\"csrf\""] {
        assert!(page.body.contains(field), "{field}");
    }
    let good = page.csrf();
    for (uri, fields) in [
        (
            "/connexion",
            vec![("email", "admin@example.fr"), ("password", PASSWORD)],
        ),
        ("/deconnexion", vec![]),
        ("/inscription", vec![("email", "x@example.fr")]),
        ("/admin/comptes/1/role", vec![("role", "visitor")]),
    ] {
        // No token, then a wrong one.
        let r = b.post(&fx.app, uri, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(r.body.starts_with("<!doctype html>"), "{uri}");
        let mut with = fields.clone();
        with.push(("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert_eq!(
            b.post(&fx.app, uri, &with).await.status,
            StatusCode::FORBIDDEN
        );
    }
    // Nobody was signed in by the refused form.
    assert!(b.session().is_none());
    // A token from another browser (another pre-session cookie) is refused.
    let mut other = Browser::default();
    let r = other
        .post(
            &fx.app,
            "/connexion",
            &[
                ("csrf", &good),
                ("email", "admin@example.fr"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A JSON body is not a form.
    let r = b
        .send(
            &fx.app,
            Request::post("/connexion")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!("{{\"csrf\":\"{good}\"}}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Signed in, a form needs the session's token; the role stays.
    let r = b.sign_in(&fx.app, "admin@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let visitor = fx.account("v@example.fr", "V", "contributor");
    let uri = format!("/admin/comptes/{visitor}/role");
    let r = b.post(&fx.app, &uri, &[("role", "admin")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fx.store().account(visitor).unwrap().unwrap().role,
        "contributor"
    );
    // A method a route does not take is still 405.
    let r = b
        .send(&fx.app, Request::post("/data").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let _ = admin;
}

#[tokio::test]
async fn twenty_wrong_passwords_then_429_with_retry_after() {
    let fx = fixture();
    fx.account("jeanne@example.fr", "Jeanne", "contributor");
    let mut b = Browser::default();
    for i in 0..20 {
        let r = b
            .sign_in(&fx.app, "jeanne@example.fr", "not the password at all", "/")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The 21st is refused before the password is looked at, even the
    // right one.
    let r = b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60 + 1).contains(&retry), "{retry}");
    assert!(b.session().is_none());
    // Another address is not held up.
    fx.account("paul@example.fr", "Paul", "contributor");
    let r = b.sign_in(&fx.app, "paul@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Once the window is over, the right password works again.
    fx.clock.advance(Duration::minutes(16));
    let mut b = Browser::default();
    let r = b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Failures are in the audit log.
    let log = fx.store().audit_log(100, None).unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "sign_in.refused").count(),
        20
    );
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_as_a_wrong_password() {
    let fx = fixture();
    fx.account("jeanne@example.fr", "Jeanne", "contributor");
    let mut b = Browser::default();
    let known = b
        .sign_in(&fx.app, "jeanne@example.fr", "wrong password here", "/")
        .await;
    let unknown = b
        .sign_in(&fx.app, "nobody@example.fr", "wrong password here", "/")
        .await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        known.body.replace("jeanne@example.fr", "X"),
        unknown.body.replace("nobody@example.fr", "X")
    );
}

#[tokio::test]
async fn cookie_flags_and_a_new_session_id_at_each_sign_in() {
    let fx = fixture();
    fx.account("jeanne@example.fr", "Jeanne", "contributor");
    let mut b = Browser::default();
    let page = b.get(&fx.app, "/connexion").await;
    let pre = page.set_cookie("archipel_pre").expect("pre-session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(pre.contains(flag), "{pre}");
    }
    let r = b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = r.set_cookie("archipel_session").expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(c.contains(flag), "{c}");
    }
    let first = b.session().unwrap();
    assert_eq!(first.len(), 43);
    // The registry keeps its digest, not the id.
    let digest = archipel_accounts::Token::parse(&first).unwrap().digest();
    assert!(fx.store().session(&digest).unwrap().is_some());
    assert!(fx.store().session(&first).unwrap().is_none());
    // Signed in: the header names the account; the page is private.
    let r = b.get(&fx.app, "/data").await;
    assert!(r.body.contains(">Jeanne</a>"), "{}", r.body);
    assert_eq!(r.headers[header::CACHE_CONTROL], "private, no-store");
    // Signing in again gives a new id; the old one opens nothing.
    let old = b.clone();
    let r = b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let second = b.session().unwrap();
    assert_ne!(first, second);
    let mut old = old;
    let r = old.get(&fx.app, "/compte").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/connexion"), "{}", r.location());
    assert!(old.session().is_none(), "the stale cookie is removed");
    // Signing out closes the session.
    let page = b.get(&fx.app, "/compte").await;
    assert_eq!(page.status, StatusCode::OK);
    let r = b
        .post(&fx.app, "/deconnexion", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    assert!(b.session().is_none());
    let digest = archipel_accounts::Token::parse(&second).unwrap().digest();
    assert!(fx.store().session(&digest).unwrap().is_none());
}

#[tokio::test]
async fn cookies_are_not_secure_over_plain_http_unless_configured() {
    for (public, setting, secure) in [
        ("http://127.0.0.1:8080", None, false),
        ("http://127.0.0.1:8080", Some(true), true),
        ("https://archipel.example", Some(false), false),
    ] {
        let fx = fixture_with(|c| {
            c.public_url = public.into();
            c.sign_in.secure_cookies = setting;
        });
        let r = Browser::default().get(&fx.app, "/connexion").await;
        let pre = r.set_cookie("archipel_pre").unwrap();
        assert_eq!(
            pre.contains("Secure"),
            secure,
            "{public} {setting:?}: {pre}"
        );
    }
}

#[tokio::test]
async fn a_disabled_account_loses_its_session_at_the_next_request() {
    let fx = fixture();
    let id = fx.account("jeanne@example.fr", "Jeanne", "contributor");
    let mut b = Browser::default();
    b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(b.get(&fx.app, "/compte").await.status, StatusCode::OK);
    let closed = fx
        .store()
        .disable_account(id, &Audit::new(t0(), None, serde_json::Value::Null))
        .unwrap();
    assert_eq!(closed, 1);
    let r = b.get(&fx.app, "/compte").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.session().is_none());
    // And it cannot sign in again (the same answer as a wrong password).
    let r = b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_after_its_idle_time() {
    let fx = fixture();
    fx.account("jeanne@example.fr", "Jeanne", "contributor");
    let mut b = Browser::default();
    b.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    fx.clock.advance(Duration::minutes(29));
    assert_eq!(b.get(&fx.app, "/compte").await.status, StatusCode::OK);
    let mut idle = b.clone();
    // 31 minutes without use (the default idle time is 30).
    fx.clock
        .advance(Duration::minutes(31) + Duration::seconds(1));
    let r = idle.get(&fx.app, "/compte").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(idle.session().is_none());
}

#[tokio::test]
async fn next_never_leaves_the_site() {
    let fx = fixture();
    fx.account("jeanne@example.fr", "Jeanne", "contributor");
    for (next, location) in [
        ("/map?type=place", "/map?type=place"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let mut b = Browser::default();
        let r = b
            .sign_in(&fx.app, "jeanne@example.fr", PASSWORD, next)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.location(), location, "{next}");
    }
}

#[tokio::test]
async fn sign_up_follows_its_setting() {
    use archipel_accounts::Signup;
    // Closed: the page says so, the form is refused.
    let fx = fixture();
    let mut b = Browser::default();
    let r = b.get(&fx.app, "/inscription").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Les inscriptions sont fermées"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("name=\"password\""));
    let token = b.get(&fx.app, "/connexion").await.csrf();
    let r = b
        .sign_up(&fx.app, &token, "Jeanne", "j@example.fr", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(fx.store().accounts().unwrap().is_empty());

    // Open: an account, signed in; errors next to their field.
    let fx = fixture_with(|c| c.sign_in.signup = Signup::Open);
    let mut b = Browser::default();
    let page = b.get(&fx.app, "/inscription").await;
    let csrf = page.csrf();
    let r = b
        .sign_up(
            &fx.app,
            &csrf,
            "Jeanne",
            "jeanne@example.fr",
            "password1234",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains(
            "id=\"signup-password-error\">C&#39;est l&#39;un des mots de passe les plus courants"
        ) || r.body.contains(
            "id=\"signup-password-error\">C'est l'un des mots de passe les plus courants"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"jeanne@example.fr\""));
    let r = b
        .sign_up(&fx.app, &csrf, "Jeanne", "jeanne@example.fr", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/compte");
    let a = fx
        .store()
        .account_by_email("jeanne@example.fr")
        .unwrap()
        .unwrap();
    assert_eq!(a.role, "contributor");
    assert!(b
        .get(&fx.app, "/compte")
        .await
        .body
        .contains("jeanne@example.fr"));
    // The same address again: said next to its field.
    let mut other = Browser::default();
    let csrf = other.get(&fx.app, "/inscription").await.csrf();
    let r = other
        .sign_up(&fx.app, &csrf, "J2", "Jeanne@Example.fr", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("id=\"signup-email-error\""));

    // By invitation: the link's token, the invitation's role, used once.
    let fx = fixture_with(|c| c.sign_in.signup = Signup::Invitation);
    let mut b = Browser::default();
    let r = b.get(&fx.app, "/inscription").await;
    assert!(r.body.contains("sur invitation"), "{}", r.body);
    assert!(!r.body.contains("name=\"password\""));
    let invitation = archipel_accounts::Token::generate().unwrap();
    fx.store()
        .create_invitation(
            &invitation.digest(),
            None,
            "moderator",
            t0() + Duration::days(7),
            &Audit::new(t0(), None, serde_json::Value::Null),
        )
        .unwrap();
    let bad = b.get(&fx.app, "/inscription?invitation=nope").await;
    assert!(bad.body.contains("pas valable"), "{}", bad.body);
    let page = b
        .get(
            &fx.app,
            &format!("/inscription?invitation={}", invitation.as_str()),
        )
        .await;
    assert!(page.body.contains("name=\"invitation\""), "{}", page.body);
    let csrf = page.csrf();
    let fields = |csrf: &str, email: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf),
            ("name", "Modératrice"),
            ("email", email),
            ("password", PASSWORD),
            ("invitation", invitation.as_str()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let post = |b: &mut Browser, v: Vec<(String, String)>| {
        let mut b = b.clone();
        let app = fx.app.clone();
        async move {
            let f: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            b.post(&app, "/inscription", &f).await
        }
    };
    let r = post(&mut b, fields(&csrf, "mod@example.fr")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a = fx
        .store()
        .account_by_email("mod@example.fr")
        .unwrap()
        .unwrap();
    assert_eq!(a.role, "moderator");
    let mut stranger = Browser::default();
    let r = post(&mut stranger, fields(&csrf, "mod2@example.fr")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another browser's token");
    let mut b2 = Browser::default();
    let csrf2 = b2.get(&fx.app, "/connexion").await.csrf();
    let r = post(&mut b2, fields(&csrf2, "mod2@example.fr")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "used once: {}", r.body);
    assert!(fx
        .store()
        .account_by_email("mod2@example.fr")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_script_in_a_display_name_stays_inert() {
    let fx = fixture();
    let evil = "<script>alert('x')</script> Évil";
    fx.account("evil@example.fr", evil, "admin");
    let mut b = Browser::default();
    let r = b.sign_in(&fx.app, "evil@example.fr", PASSWORD, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for uri in ["/data", "/compte", "/admin/comptes"] {
        let r = b.get(&fx.app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(!r.body.contains("<script>alert"), "{uri}");
        assert!(r.body.contains("&#60;script&#62;"), "{uri}");
    }
}

#[tokio::test]
async fn administrators_change_roles_and_disable_accounts_with_the_audit_log() {
    let fx = fixture();
    let admin = fx.account("admin@example.fr", "Admin", "admin");
    let other = fx.account("jeanne@example.fr", "Jeanne", "contributor");
    // A contributor may not see the page.
    let mut c = Browser::default();
    c.sign_in(&fx.app, "jeanne@example.fr", PASSWORD, "/").await;
    assert_eq!(
        c.get(&fx.app, "/admin/comptes").await.status,
        StatusCode::FORBIDDEN
    );
    // Nobody signed in: to the sign-in page.
    let r = Browser::default().get(&fx.app, "/admin/comptes").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/connexion?next=/admin/comptes");

    let mut b = Browser::default();
    b.sign_in(&fx.app, "admin@example.fr", PASSWORD, "/").await;
    let page = b.get(&fx.app, "/admin/comptes").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("jeanne@example.fr"));
    let csrf = page.csrf();
    let r = b
        .post(
            &fx.app,
            &format!("/admin/comptes/{other}/role"),
            &[("csrf", &csrf), ("role", "moderator")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        fx.store().account(other).unwrap().unwrap().role,
        "moderator"
    );
    let r = b
        .post(
            &fx.app,
            &format!("/admin/comptes/{other}/role"),
            &[("csrf", &csrf), ("role", "emperor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Not oneself.
    let r = b
        .post(
            &fx.app,
            &format!("/admin/comptes/{admin}/desactiver"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b
        .post(
            &fx.app,
            &format!("/admin/comptes/{other}/desactiver"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(fx.store().account(other).unwrap().unwrap().disabled);
    // Jeanne's session is gone.
    assert_eq!(
        c.get(&fx.app, "/compte").await.status,
        StatusCode::SEE_OTHER
    );
    let log = fx.store().audit_log(100, None).unwrap();
    let by_admin: Vec<&str> = log
        .iter()
        .filter(|e| {
            e.actor == Some(admin) && e.target.as_deref() == Some(&format!("account:{other}"))
        })
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(by_admin, ["account.disable", "account.role"]);
    let _ = &fx.dir;
}

#[tokio::test]
async fn sign_up_is_limited_per_client_address_read_from_the_trusted_header_only() {
    use archipel_accounts::Signup;
    for trusted in [true, false] {
        let fx = fixture_with(|c| {
            c.sign_in.signup = Signup::Open;
            if trusted {
                c.sign_in.client_address_header =
                    Some(header::HeaderName::from_static("x-forwarded-for"));
            }
        });
        let mut b = Browser::default();
        let csrf = b.get(&fx.app, "/inscription").await.csrf();
        let attempt = |from: &'static str| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("csrf", csrf.as_str()), ("name", ""), ("email", "x")])
                .finish();
            Request::post("/inscription")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                // The client wrote the first address; the proxy added the last.
                .header("x-forwarded-for", format!("203.0.113.9, {from}"))
                .body(Body::from(body))
                .unwrap()
        };
        for _ in 0..10 {
            let r = b.send(&fx.app, attempt("198.51.100.1")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        }
        let r = b.send(&fx.app, attempt("198.51.100.1")).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        // Another client behind the proxy: its own count when the header
        // is trusted; without the setting, the header means nothing.
        let r = b.send(&fx.app, attempt("198.51.100.2")).await;
        let expected = if trusted {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status, expected, "trusted: {trusted}");
    }
}
