//! The `[sign_in]` settings: who may sign up, how long sessions last, and
//! the OpenID Connect providers (`[[sign_in.oidc]]`, as many as needed).
//!
//! `signup`, `session_idle_minutes` and `session_max_hours` follow the
//! usual order (`ARCHIPEL_*` variable, then the file, then the default).
//! Providers are written in the file only; a provider's client secret is
//! never: `client_secret_env` names the variable holding it,
//! `client_secret_file` a file holding it (relative to the configuration
//! file's folder), and it is read, not shown, when the settings are
//! checked.

use crate::config::{choose, ConfigFile, Key, Origin, Raw};
use archipel_accounts::oidc::{AuthMethod, ProviderConfig, SecretSource, SigningAlg};
use archipel_accounts::{SessionPolicy, Signup};
use archipel_web::axum_header;
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

/// `[sign_in]` as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub signup: Option<Spanned<String>>,
    pub session_idle_minutes: Option<Spanned<i64>>,
    pub session_max_hours: Option<Spanned<i64>>,
    pub secure_cookies: Option<Spanned<bool>>,
    pub client_address_header: Option<Spanned<String>>,
    pub anonymous_proposals: Option<Spanned<bool>>,
    #[serde(default)]
    pub oidc: Vec<OidcSection>,
}

/// One `[[sign_in.oidc]]` as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    pub name: Spanned<String>,
    pub label: Option<Spanned<String>>,
    pub issuer: Spanned<String>,
    pub client_id: Spanned<String>,
    pub client_secret_env: Option<Spanned<String>>,
    pub client_secret_file: Option<Spanned<String>>,
    pub redirect_url: Spanned<String>,
    pub post_logout_redirect_url: Option<Spanned<String>>,
    pub scopes: Option<Spanned<Vec<String>>>,
    pub signing_algs: Option<Spanned<Vec<String>>>,
    pub auth_method: Option<Spanned<String>>,
    pub require_signed_userinfo: Option<Spanned<bool>>,
    pub timeout_seconds: Option<Spanned<i64>>,
}

pub const SIGNUP: Key = Key {
    file: "sign_in.signup",
    flag: "(no flag)",
    env: "ARCHIPEL_SIGNUP",
};
pub const SESSION_IDLE: Key = Key {
    file: "sign_in.session_idle_minutes",
    flag: "(no flag)",
    env: "ARCHIPEL_SESSION_IDLE_MINUTES",
};
pub const SESSION_MAX: Key = Key {
    file: "sign_in.session_max_hours",
    flag: "(no flag)",
    env: "ARCHIPEL_SESSION_MAX_HOURS",
};

pub const SECURE_COOKIES: Key = Key {
    file: "sign_in.secure_cookies",
    flag: "(no flag)",
    env: "ARCHIPEL_SECURE_COOKIES",
};
pub const CLIENT_ADDRESS_HEADER: Key = Key {
    file: "sign_in.client_address_header",
    flag: "(no flag)",
    env: "ARCHIPEL_CLIENT_ADDRESS_HEADER",
};

pub const ANONYMOUS_PROPOSALS: Key = Key {
    file: "sign_in.anonymous_proposals",
    flag: "(no flag)",
    env: "ARCHIPEL_ANONYMOUS_PROPOSALS",
};

/// The sign-in settings in force.
#[derive(Debug)]
pub struct SignIn {
    pub signup: Signup,
    pub session: SessionPolicy,
    /// `None`: `Secure` when the public URL is https.
    pub secure_cookies: Option<bool>,
    /// The header a trusted reverse proxy writes the client's address in.
    pub client_address_header: Option<axum_header::HeaderName>,
    pub providers: Vec<ProviderConfig>,
    /// Proposals without an account, with an e-mail address.
    pub anonymous_proposals: bool,
    /// `(key, value shown, origin)`, for `serve --check`.
    pub shown: Vec<(&'static str, String, Origin)>,
}

/// A whole number from `min` to `max`.
fn bounded(text: &str, min: i64, max: i64) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{}`: expected a whole number from {min} to {max}",
            text.escape_debug()
        )),
    }
}

fn setting<T>(
    key: &Key,
    file: Option<&ConfigFile>,
    default: T,
    check: impl FnOnce(&str) -> Result<T, String>,
    shown: &mut Vec<(&'static str, String, Origin)>,
    show: impl FnOnce(&T) -> String,
) -> anyhow::Result<T> {
    let (value, origin) = match choose(key, None, file)? {
        Some(Raw { text, origin }) => (
            check(&text).map_err(|reason| key.error(&origin, reason))?,
            origin,
        ),
        None => (default, Origin::Default),
    };
    shown.push((key.file, show(&value), origin));
    Ok(value)
}

/// Settles the sign-in settings from the environment and `file`, and
/// checks every provider (its secret included, which must be readable).
pub fn resolve(file: Option<&ConfigFile>) -> anyhow::Result<SignIn> {
    let mut shown = Vec::new();
    let signup = setting(
        &SIGNUP,
        file,
        Signup::default(),
        |t| {
            Signup::parse(t.trim()).ok_or_else(|| {
                format!(
                    "`{}`: expected open, invitation or closed",
                    t.escape_debug()
                )
            })
        },
        &mut shown,
        |s| s.key().to_string(),
    )?;
    let defaults = SessionPolicy::default();
    let idle = setting(
        &SESSION_IDLE,
        file,
        defaults.idle.num_minutes(),
        |t| bounded(t, 1, 24 * 60),
        &mut shown,
        i64::to_string,
    )?;
    let max = setting(
        &SESSION_MAX,
        file,
        defaults.absolute.num_hours(),
        |t| bounded(t, 1, 30 * 24),
        &mut shown,
        i64::to_string,
    )?;
    let session = SessionPolicy {
        idle: chrono::Duration::minutes(idle),
        absolute: chrono::Duration::hours(max),
    };
    if session.idle > session.absolute {
        anyhow::bail!(
            "{}: {idle} minutes idle is longer than the {max} hours a session may last",
            SESSION_IDLE.file
        );
    }
    let secure_cookies = setting(
        &SECURE_COOKIES,
        file,
        None,
        |t| match t.trim() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            other => Err(format!(
                "`{}`: expected true or false",
                other.escape_debug()
            )),
        },
        &mut shown,
        |v| match v {
            None => "(when the public URL is https)".into(),
            Some(b) => b.to_string(),
        },
    )?;
    let client_address_header = setting(
        &CLIENT_ADDRESS_HEADER,
        file,
        None,
        |t| archipel_web::check_header_name(t).map(Some),
        &mut shown,
        |v| match v {
            None => "(none: the connection's address)".into(),
            Some(h) => h.as_str().to_string(),
        },
    )?;
    let anonymous_proposals = setting(
        &ANONYMOUS_PROPOSALS,
        file,
        false,
        |t| match t.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!(
                "`{}`: expected true or false",
                other.escape_debug()
            )),
        },
        &mut shown,
        bool::to_string,
    )?;
    let mut providers: Vec<ProviderConfig> = Vec::new();
    if let Some(file) = file {
        for p in file.oidc() {
            let config = provider(file, p)?;
            let at = file.origin(p.name.span().start);
            if providers.iter().any(|q| q.name == config.name) {
                anyhow::bail!("{at}: sign_in.oidc.name: {} is listed twice", config.name);
            }
            // The secret must be there; it is not kept here (discovery
            // reads it again) and never shown.
            config
                .client_secret
                .read(&config.name)
                .map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
            let from = match &config.client_secret {
                SecretSource::Env(v) => format!("${v}"),
                SecretSource::File(f) => f.display().to_string(),
            };
            shown.push((
                "sign_in.oidc",
                format!(
                    "{}: {} (client {}, secret from {from})",
                    config.name, config.issuer, config.client_id
                ),
                at,
            ));
            providers.push(config);
        }
    }
    Ok(SignIn {
        signup,
        session,
        secure_cookies,
        client_address_header,
        anonymous_proposals,
        providers,
        shown,
    })
}

/// One provider from the file, checked; errors name the file, the line
/// and the key.
fn provider(file: &ConfigFile, p: &OidcSection) -> anyhow::Result<ProviderConfig> {
    let err = |offset: usize, key: &str, reason: String| {
        anyhow::anyhow!("{}: sign_in.oidc.{key}: {reason}", file.origin(offset))
    };
    let secret =
        match (&p.client_secret_env, &p.client_secret_file) {
            (Some(var), None) => {
                let v = var.get_ref();
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return Err(err(
                        var.span().start,
                        "client_secret_env",
                        "the name of an environment variable".into(),
                    ));
                }
                SecretSource::Env(v.clone())
            }
            (None, Some(path)) => {
                let v = path.get_ref();
                if v.is_empty() || v.chars().any(char::is_control) {
                    return Err(err(
                        path.span().start,
                        "client_secret_file",
                        "a path, without control characters".into(),
                    ));
                }
                SecretSource::File(file.dir().join(v))
            }
            _ => return Err(err(
                p.name.span().start,
                "client_secret_env",
                "give client_secret_env or client_secret_file (one of them): the secret itself \
                 is never written in this file"
                    .into(),
            )),
        };
    let mut c = ProviderConfig::new(
        p.name.get_ref(),
        p.issuer.get_ref(),
        p.client_id.get_ref(),
        secret,
        p.redirect_url.get_ref(),
    );
    if let Some(l) = &p.label {
        c.label = l.get_ref().clone();
    }
    c.post_logout_redirect_url = p
        .post_logout_redirect_url
        .as_ref()
        .map(|u| u.get_ref().clone());
    if let Some(s) = &p.scopes {
        c.scopes = s.get_ref().clone();
        if !c.scopes.iter().any(|s| s == "openid") {
            c.scopes.insert(0, "openid".into());
        }
    }
    if let Some(algs) = &p.signing_algs {
        c.signing_algs = algs
            .get_ref()
            .iter()
            .map(|a| {
                SigningAlg::parse(a).ok_or_else(|| {
                    err(
                        algs.span().start,
                        "signing_algs",
                        format!("`{}`: expected RS256, ES256 or HS256", a.escape_debug()),
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?;
    }
    if let Some(m) = &p.auth_method {
        c.auth_method = Some(AuthMethod::parse(m.get_ref()).ok_or_else(|| {
            err(
                m.span().start,
                "auth_method",
                format!(
                    "`{}`: expected client_secret_post or client_secret_basic",
                    m.get_ref().escape_debug()
                ),
            )
        })?);
    }
    if let Some(r) = &p.require_signed_userinfo {
        c.require_signed_userinfo = *r.get_ref();
    }
    if let Some(t) = &p.timeout_seconds {
        let secs = bounded(&t.get_ref().to_string(), 1, 120)
            .map_err(|e| err(t.span().start, "timeout_seconds", e))?;
        c.timeout = Duration::from_secs(secs.unsigned_abs());
    }
    c.check().map_err(|e| match e {
        archipel_accounts::oidc::OidcError::Config { field, reason, .. } => {
            let offset = match field {
                "issuer" => p.issuer.span().start,
                "redirect_url" => p.redirect_url.span().start,
                "client_id" => p.client_id.span().start,
                "label" => p.label.as_ref().map_or(0, |l| l.span().start),
                "scopes" => p.scopes.as_ref().map_or(0, |s| s.span().start),
                "post_logout_redirect_url" => p
                    .post_logout_redirect_url
                    .as_ref()
                    .map_or(0, |s| s.span().start),
                _ => p.name.span().start,
            };
            err(offset, field, reason)
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> anyhow::Result<ConfigFile> {
        ConfigFile::parse(Path::new("/etc/archipel/archipel.toml"), text.to_string())
    }

    const PROVIDER: &str = r#"
[sign_in]
signup = "invitation"
session_idle_minutes = 45

[[sign_in.oidc]]
name = "proconnect"
label = "ProConnect"
issuer = "https://auth.agentconnect.gouv.fr/api/v2"
client_id = "archipel"
client_secret_env = "PATH"
redirect_url = "https://archipel.example.fr/connexion/oidc/proconnect"
signing_algs = ["ES256"]
auth_method = "client_secret_post"
require_signed_userinfo = true
"#;

    #[test]
    fn providers_and_session_settings_are_read_and_checked() {
        // PATH is set in every test environment: it stands for the secret.
        let f = parse(PROVIDER).unwrap();
        let s = resolve(Some(&f)).unwrap();
        assert_eq!(s.signup, Signup::Invitation);
        assert_eq!(s.session.idle, chrono::Duration::minutes(45));
        assert_eq!(s.session.absolute, chrono::Duration::hours(12));
        assert_eq!(s.providers.len(), 1);
        let p = &s.providers[0];
        assert_eq!(p.name, "proconnect");
        assert_eq!(p.label, "ProConnect");
        assert_eq!(p.signing_algs, vec![SigningAlg::ES256]);
        assert_eq!(p.auth_method, Some(AuthMethod::ClientSecretPost));
        assert!(p.require_signed_userinfo);
        assert_eq!(p.client_secret, SecretSource::Env("PATH".into()));
        let shown: Vec<String> = s
            .shown
            .iter()
            .map(|(k, v, o)| format!("{k} = {v} ({o})"))
            .collect();
        assert!(
            shown.contains(
                &"sign_in.signup = invitation (/etc/archipel/archipel.toml:3)".to_string()
            ),
            "{shown:?}"
        );
        assert!(
            shown.iter().any(|l| l.starts_with("sign_in.oidc = proconnect: https://auth.agentconnect.gouv.fr/api/v2 (client archipel, secret from $PATH) (/etc/archipel/archipel.toml:7)")),
            "{shown:?}"
        );
    }

    #[test]
    fn cookies_and_the_client_address_header() {
        let f = parse(
            "[sign_in]\nsecure_cookies = true\nclient_address_header = \"X-Forwarded-For\"\n",
        )
        .unwrap();
        let s = resolve(Some(&f)).unwrap();
        assert_eq!(s.secure_cookies, Some(true));
        assert_eq!(
            s.client_address_header.as_ref().map(|h| h.as_str()),
            Some("x-forwarded-for")
        );
        let bad = parse("[sign_in]\nclient_address_header = \"X Forwarded\"\n").unwrap();
        let e = resolve(Some(&bad)).map(|_| ()).unwrap_err().to_string();
        assert!(
            e.starts_with("/etc/archipel/archipel.toml:2: sign_in.client_address_header"),
            "{e}"
        );
        let bad = parse("[sign_in]\nsecure_cookies = \"yes\"\n").unwrap_err();
        assert!(bad.to_string().contains(":2"), "{bad}");
        let s = resolve(None).unwrap();
        assert_eq!((s.secure_cookies, s.client_address_header), (None, None));
    }

    #[test]
    fn without_a_file_the_defaults() {
        let s = resolve(None).unwrap();
        assert_eq!(s.signup, Signup::Closed);
        assert_eq!(s.session, SessionPolicy::default());
        assert!(s.providers.is_empty());
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let e = |text: String| {
            resolve(Some(&parse(&text).unwrap()))
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        let bad = e(PROVIDER.replace("https://auth.agentconnect", "http://auth.agentconnect"));
        assert!(
            bad.starts_with("/etc/archipel/archipel.toml:9: sign_in.oidc.issuer: "),
            "{bad}"
        );
        let secret_inline =
            PROVIDER.replace("client_secret_env = \"PATH\"", "client_secret = \"x\"");
        let msg = parse(&secret_inline).unwrap_err().to_string();
        assert!(
            msg.starts_with(
                "/etc/archipel/archipel.toml:11: sign_in.oidc.client_secret: unknown field"
            ),
            "{msg}"
        );
        let none = PROVIDER.replace("client_secret_env = \"PATH\"\n", "");
        assert!(e(none).contains("give client_secret_env or client_secret_file"));
        let missing = PROVIDER.replace("PATH", "ARCHIPEL_TEST_NO_SUCH_SECRET");
        assert!(e(missing).contains("ARCHIPEL_TEST_NO_SUCH_SECRET"));
        let alg = PROVIDER.replace("[\"ES256\"]", "[\"none\"]");
        assert!(
            e(alg).starts_with("/etc/archipel/archipel.toml:13: sign_in.oidc.signing_algs: `none`")
        );
        let twice = format!(
            "{PROVIDER}\n{}",
            &PROVIDER[PROVIDER.find("[[sign_in.oidc]]").unwrap()..]
        );
        assert!(e(twice).contains("listed twice"));
        let signup = PROVIDER.replace("\"invitation\"", "\"everyone\"");
        assert!(e(signup).starts_with("/etc/archipel/archipel.toml:3: sign_in.signup: `everyone`"));
        let idle = PROVIDER.replace("= 45", "= 100000");
        assert!(
            e(idle).starts_with("/etc/archipel/archipel.toml:4: sign_in.session_idle_minutes: ")
        );
    }
}
