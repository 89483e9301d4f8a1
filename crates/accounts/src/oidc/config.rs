//! A provider's settings, and where its client secret is read from.

use super::OidcError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Scopes asked of a provider when the configuration names none: those
/// ProConnect defines for the claims Archipel keeps.
pub const DEFAULT_SCOPES: &[&str] = &[
    "openid",
    "email",
    "given_name",
    "usual_name",
    "siret",
    "organization_label",
];

/// Largest client secret file read.
const MAX_SECRET_FILE: u64 = 4096;

/// A JWS algorithm a provider may sign id_tokens and userinfo answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// HMAC-SHA-256 keyed with the client secret.
    HS256,
}

impl SigningAlg {
    /// The algorithm's JWS name.
    pub fn name(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::ES256 => "ES256",
            SigningAlg::HS256 => "HS256",
        }
    }

    /// The algorithm named `s` (`RS256`, `ES256`, `HS256`).
    pub fn parse(s: &str) -> Option<SigningAlg> {
        [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::HS256]
            .into_iter()
            .find(|a| a.name() == s)
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `client_id` and `client_secret` in the form body (ProConnect).
    ClientSecretPost,
    /// HTTP Basic authentication.
    ClientSecretBasic,
}

impl AuthMethod {
    /// The name discovery documents use.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
        }
    }

    /// The method named `s`.
    pub fn parse(s: &str) -> Option<AuthMethod> {
        [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic]
            .into_iter()
            .find(|a| a.name() == s)
    }
}

/// Where the client secret is: never in the registry, never in the
/// configuration file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable's value.
    Env(String),
    /// A file's content (its first line, without the line break), such as
    /// a systemd credential.
    File(PathBuf),
}

/// A client secret. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A secret given as is (tests, or a caller that read it itself).
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl SecretSource {
    /// Reads the secret. An empty secret, one with control characters or
    /// a file over 4 KiB is refused.
    pub fn read(&self, provider: &str) -> Result<Secret, OidcError> {
        let (text, from) = match self {
            SecretSource::Env(var) => {
                let v = std::env::var(var).map_err(|e| OidcError::Config {
                    provider: provider.to_string(),
                    field: "client_secret_env",
                    reason: format!("${var}: {e}"),
                })?;
                (v, format!("${var}"))
            }
            SecretSource::File(path) => {
                let fail = |reason: String| OidcError::Config {
                    provider: provider.to_string(),
                    field: "client_secret_file",
                    reason: format!("{}: {reason}", path.display()),
                };
                let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
                if !meta.is_file() || meta.len() > MAX_SECRET_FILE {
                    return Err(fail(format!(
                        "not a regular file of at most {MAX_SECRET_FILE} bytes"
                    )));
                }
                let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
                let first = text.lines().next().unwrap_or("").to_string();
                (first, path.display().to_string())
            }
        };
        if text.is_empty() || text.chars().any(char::is_control) {
            return Err(OidcError::Config {
                provider: provider.to_string(),
                field: "client_secret",
                reason: format!("{from}: empty or with control characters"),
            });
        }
        Ok(Secret(text))
    }
}

/// One OpenID Connect provider, as configured.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// A short name for the provider (`proconnect`): letters, digits and
    /// `-`, at most 32; it goes in the callback URL and in the registry.
    pub name: String,
    /// What the sign-in button says (`ProConnect`).
    pub label: String,
    /// The issuer, as its discovery document states it
    /// (`https://auth.agentconnect.gouv.fr/api/v2`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretSource,
    /// Scopes asked for; `openid` is always asked.
    pub scopes: Vec<String>,
    /// Where the provider sends the browser back, exactly as registered.
    pub redirect_url: String,
    /// Where the provider sends the browser after sign-out, as registered.
    pub post_logout_redirect_url: Option<String>,
    /// Algorithms accepted on id_tokens and signed userinfo answers.
    pub signing_algs: Vec<SigningAlg>,
    /// Token endpoint authentication; `None`: `client_secret_post` when
    /// the provider offers it (or says nothing), else `client_secret_basic`.
    pub auth_method: Option<AuthMethod>,
    /// Refuse a userinfo answer that is not a signed JWT.
    pub require_signed_userinfo: bool,
    /// Time limit of each call to the provider.
    pub timeout: Duration,
    /// Size limit of each answer of the provider.
    pub max_response: usize,
}

impl ProviderConfig {
    /// A configuration with the defaults: ProConnect's scopes, RS256 and
    /// ES256, the authentication method from discovery, 10 s and 1 MiB
    /// per call.
    pub fn new(
        name: &str,
        issuer: &str,
        client_id: &str,
        client_secret: SecretSource,
        redirect_url: &str,
    ) -> ProviderConfig {
        ProviderConfig {
            name: name.to_string(),
            label: name.to_string(),
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            client_secret,
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            redirect_url: redirect_url.to_string(),
            post_logout_redirect_url: None,
            signing_algs: vec![SigningAlg::RS256, SigningAlg::ES256],
            auth_method: None,
            require_signed_userinfo: false,
            timeout: super::http::DEFAULT_TIMEOUT,
            max_response: super::http::DEFAULT_MAX_BODY,
        }
    }

    /// Checks every value; an error names the provider and the field.
    pub fn check(&self) -> Result<(), OidcError> {
        let fail = |field: &'static str, reason: String| OidcError::Config {
            provider: self.name.clone(),
            field,
            reason,
        };
        if self.name.is_empty()
            || self.name.len() > 32
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(fail(
                "name",
                "lower-case letters, digits and -, at most 32".into(),
            ));
        }
        archipel_domain::check_text(&self.label, archipel_domain::TextKind::Line)
            .map_err(|e| fail("label", e))?;
        check_endpoint(&self.issuer).map_err(|e| fail("issuer", e))?;
        check_endpoint(&self.redirect_url).map_err(|e| fail("redirect_url", e))?;
        if let Some(u) = &self.post_logout_redirect_url {
            check_endpoint(u).map_err(|e| fail("post_logout_redirect_url", e))?;
        }
        if self.client_id.is_empty()
            || self.client_id.len() > 256
            || self.client_id.chars().any(char::is_control)
        {
            return Err(fail(
                "client_id",
                "1 to 256 characters, no control characters".into(),
            ));
        }
        for s in &self.scopes {
            let ok = !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
            if !ok {
                return Err(fail(
                    "scopes",
                    format!("{}: not a scope", archipel_domain::echo(s)),
                ));
            }
        }
        if self.signing_algs.is_empty() {
            return Err(fail("signing_algs", "at least one algorithm".into()));
        }
        if self.timeout.is_zero() || self.max_response == 0 {
            return Err(fail("timeout", "above zero".into()));
        }
        Ok(())
    }
}

/// An URL the relying party calls or hands out: https, or http on the
/// loopback interface (a provider run for tests or on the same machine);
/// no user name, no fragment.
pub fn check_endpoint(s: &str) -> Result<(), String> {
    let u = url::Url::parse(s).map_err(|e| format!("{}: {e}", archipel_domain::echo(s)))?;
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let scheme_ok = u.scheme() == "https" || (u.scheme() == "http" && loopback);
    if !scheme_ok || u.host().is_none() {
        return Err(format!(
            "{}: https (http only on the loopback interface)",
            archipel_domain::echo(s)
        ));
    }
    if !u.username().is_empty() || u.password().is_some() || u.fragment().is_some() {
        return Err(format!(
            "{}: no user name, password or fragment",
            archipel_domain::echo(s)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ProviderConfig {
        ProviderConfig::new(
            "proconnect",
            "https://auth.agentconnect.gouv.fr/api/v2",
            "client",
            SecretSource::Env("X".into()),
            "https://archipel.example.fr/connexion/oidc/proconnect",
        )
    }

    #[test]
    fn endpoints_are_https_or_loopback() {
        assert!(check_endpoint("https://auth.example.fr/api/v2").is_ok());
        assert!(check_endpoint("http://127.0.0.1:4000/").is_ok());
        assert!(check_endpoint("http://localhost:4000/").is_ok());
        assert!(check_endpoint("http://[::1]:4000/").is_ok());
        assert!(check_endpoint("http://auth.example.fr/").is_err());
        assert!(check_endpoint("https://user@auth.example.fr/").is_err());
        assert!(check_endpoint("https://auth.example.fr/#x").is_err());
        assert!(check_endpoint("javascript:alert(1)").is_err());
    }

    #[test]
    fn a_configuration_is_checked_field_by_field() {
        assert!(config().check().is_ok());
        let mut c = config();
        c.name = "Pro Connect".into();
        assert!(c.check().unwrap_err().to_string().contains(": name: "));
        let mut c = config();
        c.issuer = "http://auth.example.fr".into();
        assert!(c.check().unwrap_err().to_string().contains(": issuer: "));
        let mut c = config();
        c.scopes.push("a b".into());
        assert!(c.check().unwrap_err().to_string().contains(": scopes: "));
        let mut c = config();
        c.signing_algs.clear();
        assert!(c.check().is_err());
    }

    #[test]
    fn secrets_come_from_a_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret");
        std::fs::write(&f, "s3cr3t\n").unwrap();
        let s = SecretSource::File(f.clone()).read("p").unwrap();
        assert_eq!(s.expose(), "s3cr3t");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        std::fs::write(&f, "\n").unwrap();
        assert!(SecretSource::File(f.clone()).read("p").is_err());
        std::fs::write(&f, vec![b'a'; 5000]).unwrap();
        assert!(SecretSource::File(f).read("p").is_err());
        let e = SecretSource::Env("ARCHIPEL_TEST_NO_SUCH_SECRET".into())
            .read("p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("client_secret_env"), "{e}");
    }

    #[test]
    fn names_round_trip() {
        for a in [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::HS256] {
            assert_eq!(SigningAlg::parse(a.name()), Some(a));
        }
        assert_eq!(SigningAlg::parse("none"), None);
        assert_eq!(
            AuthMethod::parse("client_secret_basic"),
            Some(AuthMethod::ClientSecretBasic)
        );
    }
}
