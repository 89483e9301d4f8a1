//! The relying party against a real OpenID provider: panva's
//! oidc-provider run by Node.js (`testdata/oidc-provider/server.js`), with
//! RS256 and ES256 keys, ProConnect's claims and userinfo answered as a
//! signed JWT. The browser is played by an HTTP client that follows the
//! provider's redirects, posts its login form and stops at the redirect
//! URI. No assertion depends on the clock.

use archipel_accounts::oidc::{
    AuthMethod, Callback, OidcError, Provider, ProviderConfig, Secret, SecretSource, SigningAlg,
};
use archipel_testkit::oidc::{OidcProvider, STEP_TIMEOUT};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Never contacted: the test's "browser" stops when sent there.
const REDIRECT: &str = "http://127.0.0.1:9/connexion/oidc/test/retour";
const AFTER_LOGOUT: &str = "http://127.0.0.1:9/deconnexion/fin";

/// One provider for every test of this file (it stops when the test
/// process ends and its standard input closes).
fn harness() -> &'static OidcProvider {
    static H: OnceLock<OidcProvider> = OnceLock::new();
    H.get_or_init(|| OidcProvider::start(REDIRECT, AFTER_LOGOUT))
}

fn config(client: &str) -> ProviderConfig {
    let mut c = ProviderConfig::new(
        "test",
        &harness().issuer,
        client,
        SecretSource::Env("UNUSED".into()),
        REDIRECT,
    );
    c.post_logout_redirect_url = Some(AFTER_LOGOUT.into());
    c
}

fn discover(c: ProviderConfig) -> Provider {
    let secret = Secret::new(format!("secret-{}", c.client_id));
    Provider::discover_with_secret(c, secret).unwrap()
}

/// A browser without JavaScript: follows redirects on the provider,
/// keeps its cookies, posts the login form, and returns the parameters
/// of the redirect to [`REDIRECT`].
fn log_in(auth_url: &url::Url, login: &str, password: &str) -> Callback {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP_TIMEOUT)
        .connect_timeout(STEP_TIMEOUT)
        .build()
        .unwrap();
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = auth_url.clone();
    let mut form: Option<Vec<(&str, &str)>> = None;
    for _ in 0..20 {
        if url.as_str().starts_with(REDIRECT) {
            let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
            return Callback {
                code: q.get("code").cloned(),
                state: q.get("state").cloned(),
                error: q.get("error").cloned(),
                error_description: q.get("error_description").cloned(),
                iss: q.get("iss").cloned(),
            };
        }
        let cookie = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = match form.take() {
            Some(fields) => http
                .post(url.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                ),
            None => http.get(url.clone()),
        };
        let response = request
            .header("cookie", cookie)
            .send()
            .unwrap_or_else(|e| harness().log.fail(format_args!("{url}: {e}")));
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers()["location"].to_str().unwrap().to_string();
            url = url.join(&location).unwrap();
            continue;
        }
        let body = response
            .text()
            .unwrap_or_else(|e| harness().log.fail(format_args!("{url}: {e}")));
        assert_eq!(status, 200, "{url}: {body}");
        // The login form: post it to its action.
        let action = body
            .split("action=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("{url}: no form in {body}"));
        assert!(!body.contains("role=\"alert\""), "login refused: {body}");
        url = url.join(action).unwrap();
        form = Some(vec![("login", login), ("password", password)]);
    }
    panic!("too many redirects from {auth_url}");
}

fn sign_in(p: &Provider, login: &str) -> (archipel_accounts::oidc::Pending, Callback) {
    let (url, pending) = p.begin().unwrap();
    let password = format!("mot de passe de test {}", &login[login.len() - 1..]);
    let callback = log_in(&url, login, &password);
    (pending, callback)
}

#[test]
fn the_whole_flow_with_rs256_and_a_signed_userinfo() {
    let mut c = config("archipel-rs256");
    c.require_signed_userinfo = true;
    let p = discover(c);
    // The provider offers both; ProConnect's method is chosen.
    assert_eq!(p.auth_method(), AuthMethod::ClientSecretPost);

    let (url, pending) = p.begin().unwrap();
    assert!(url
        .as_str()
        .starts_with(&format!("{}/auth?", harness().issuer)));
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    let names: Vec<&str> = q.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "code_challenge",
            "code_challenge_method",
            "nonce",
            "redirect_uri",
            "response_type",
            "scope",
            "state"
        ],
        "only the parameters ProConnect knows"
    );
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(
        q["scope"],
        "openid email given_name usual_name siret organization_label"
    );
    assert_eq!(q["state"], pending.state);
    assert_eq!(q["nonce"], pending.nonce);
    assert!(pending.state.len() >= 32 && pending.nonce.len() >= 32);
    assert_ne!(pending.state, pending.nonce);

    let callback = log_in(&url, "agent-1", "mot de passe de test 1");
    assert_eq!(callback.iss.as_deref(), Some(harness().issuer.as_str()));
    let done = p.finish(&pending, &callback).unwrap();
    assert_eq!(done.issuer, harness().issuer);
    assert_eq!(done.sub, "agent-1");
    let c = &done.claims;
    assert_eq!(c.sub, "agent-1");
    assert_eq!(c.email.as_deref(), Some("jeanne.martin@mairie-exemple.fr"));
    assert_eq!(c.given_name.as_deref(), Some("Jeanne"));
    assert_eq!(c.usual_name.as_deref(), Some("Martin"));
    assert_eq!(c.siret.as_deref(), Some("21310555400017"));
    assert_eq!(c.organization_label.as_deref(), Some("Mairie d'Exemple"));
    // Not asked for (no scope): not given.
    assert_eq!(c.uid, None);
    assert!(done.notes.is_empty(), "{:?}", done.notes);
    assert_eq!(done.id_token.split('.').count(), 3);

    // A code is good once.
    let again = p.finish(&pending, &callback).unwrap_err();
    assert!(matches!(again, OidcError::Token(_)), "{again}");

    // Sign-out at the provider's end-session endpoint.
    let out = p.logout_url(&done.id_token, "etat-de-deconnexion").unwrap();
    assert!(out
        .as_str()
        .starts_with(&format!("{}/session/end?", harness().issuer)));
    let q: BTreeMap<String, String> = out.query_pairs().into_owned().collect();
    assert_eq!(q["id_token_hint"], done.id_token);
    assert_eq!(q["state"], "etat-de-deconnexion");
    assert_eq!(q["post_logout_redirect_uri"], AFTER_LOGOUT);
    // The provider accepts it (its confirmation page).
    let page = reqwest::blocking::Client::builder()
        .timeout(STEP_TIMEOUT)
        .build()
        .unwrap()
        .get(out)
        .send()
        .unwrap_or_else(|e| {
            harness()
                .log
                .fail(format_args!("the end-session page: {e}"))
        });
    assert_eq!(page.status(), 200);
}

#[test]
fn an_es256_client_with_basic_authentication() {
    let mut c = config("archipel-es256");
    c.auth_method = Some(AuthMethod::ClientSecretBasic);
    // ES256 only: an RS256 signature would be refused.
    c.signing_algs = vec![SigningAlg::ES256];
    c.require_signed_userinfo = true;
    let p = discover(c);
    assert_eq!(p.auth_method(), AuthMethod::ClientSecretBasic);
    let (pending, callback) = sign_in(&p, "agent-1");
    let done = p.finish(&pending, &callback).unwrap();
    assert_eq!(done.sub, "agent-1");
    assert_eq!(done.claims.siret.as_deref(), Some("21310555400017"));
}

#[test]
fn the_client_secret_comes_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, "secret-archipel-es256\n").unwrap();
    let mut c = config("archipel-es256");
    c.client_secret = SecretSource::File(file.clone());
    let p = Provider::discover(c.clone()).unwrap();
    let (pending, callback) = sign_in(&p, "agent-1");
    assert_eq!(p.finish(&pending, &callback).unwrap().sub, "agent-1");
    // Another secret: the token endpoint refuses the client.
    std::fs::write(&file, "secret-of-someone-else\n").unwrap();
    let p = Provider::discover(c).unwrap();
    let (pending, callback) = sign_in(&p, "agent-1");
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(matches!(e, OidcError::Token(_)), "{e}");
}

#[test]
fn an_algorithm_not_configured_is_refused() {
    let mut c = config("archipel-rs256");
    c.signing_algs = vec![SigningAlg::ES256];
    let p = discover(c);
    let (pending, callback) = sign_in(&p, "agent-1");
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(
        matches!(
            e,
            OidcError::IdToken(
                openidconnect::ClaimsVerificationError::SignatureVerification(
                    openidconnect::SignatureVerificationError::DisallowedAlg(_)
                )
            )
        ),
        "{e:?}"
    );
}

#[test]
fn plain_json_userinfo_is_accepted_unless_signed_is_required() {
    let p = discover(config("archipel-json"));
    let (pending, callback) = sign_in(&p, "agent-1");
    let done = p.finish(&pending, &callback).unwrap();
    assert_eq!(done.claims.usual_name.as_deref(), Some("Martin"));

    let mut c = config("archipel-json");
    c.require_signed_userinfo = true;
    let p = discover(c);
    let (pending, callback) = sign_in(&p, "agent-1");
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(
        e.to_string()
            .contains("plain JSON where a signed JWT is required"),
        "{e}"
    );
}

#[test]
fn a_wrong_nonce_is_refused() {
    let p = discover(config("archipel-rs256"));
    let (mut pending, callback) = sign_in(&p, "agent-1");
    pending.nonce = archipel_accounts::Token::generate()
        .unwrap()
        .as_str()
        .to_string();
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(matches!(e, OidcError::IdToken(_)), "{e}");
    assert!(e.to_string().to_lowercase().contains("nonce"), "{e}");
}

#[test]
fn a_wrong_or_missing_state_is_refused() {
    let p = discover(config("archipel-rs256"));
    let (pending, mut callback) = sign_in(&p, "agent-1");
    let right = callback.state.clone();
    callback.state = Some(format!("{}x", pending.state));
    assert!(matches!(
        p.finish(&pending, &callback),
        Err(OidcError::State)
    ));
    callback.state = None;
    assert!(matches!(
        p.finish(&pending, &callback),
        Err(OidcError::State)
    ));
    // Another provider's answer (RFC 9207's iss) is refused too.
    callback.state = right;
    callback.iss = Some("https://elsewhere.example".into());
    assert!(matches!(
        p.finish(&pending, &callback),
        Err(OidcError::Issuer)
    ));
}

#[test]
fn a_tampered_id_token_signature_is_refused() {
    let p = discover(config("archipel-tampered"));
    let (pending, callback) = sign_in(&p, "agent-1");
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(
        matches!(
            e,
            OidcError::IdToken(openidconnect::ClaimsVerificationError::SignatureVerification(_))
        ),
        "{e:?}"
    );
}

#[test]
fn a_tampered_userinfo_signature_is_refused() {
    let p = discover(config("archipel-tampered-userinfo"));
    let (pending, callback) = sign_in(&p, "agent-1");
    let e = p.finish(&pending, &callback).unwrap_err();
    assert!(
        e.to_string().contains("the signature does not verify"),
        "{e}"
    );
}

#[test]
fn an_invalid_siret_is_dropped_with_a_note() {
    let p = discover(config("archipel-rs256"));
    let (pending, callback) = sign_in(&p, "agent-2");
    let done = p.finish(&pending, &callback).unwrap();
    assert_eq!(done.sub, "agent-2");
    assert_eq!(done.claims.siret, None);
    assert_eq!(
        done.claims.organization_label.as_deref(),
        Some("Direction exemple")
    );
    assert_eq!(done.notes.len(), 1, "{:?}", done.notes);
    assert!(done.notes[0].starts_with("siret: "), "{:?}", done.notes);
}

#[test]
fn a_refusal_from_the_provider_is_reported() {
    let p = discover(config("archipel-rs256"));
    let (_, pending) = p.begin().unwrap();
    let callback = Callback {
        error: Some("access_denied".into()),
        error_description: Some("l'agent a refusé\u{1b}[31m".into()),
        state: Some(pending.state.clone()),
        ..Callback::default()
    };
    let e = p.finish(&pending, &callback).unwrap_err().to_string();
    assert!(e.contains("access_denied"), "{e}");
    assert!(!e.contains('\u{1b}'), "escaped: {e}");
}

#[test]
fn discovery_refuses_another_issuer() {
    let mut c = config("archipel-rs256");
    c.issuer = format!("{}/", harness().issuer);
    let e = Provider::discover_with_secret(c, Secret::new("x")).unwrap_err();
    assert!(matches!(e, OidcError::Discovery { .. }), "{e}");
    assert!(e.to_string().contains("unexpected issuer"), "{e}");
}
