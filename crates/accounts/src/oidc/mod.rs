//! OpenID Connect relying party, ready for ProConnect (the French public
//! agents' sign-in, formerly AgentConnect).
//!
//! The flow, for one provider ([`Provider`]):
//!
//! 1. [`Provider::discover`] reads `ISSUER/.well-known/openid-configuration`
//!    (its `issuer` must be the configured one, byte for byte) and the
//!    provider's keys (`jwks_uri`).
//! 2. [`Provider::begin`] makes the authorization URL: authorization code
//!    flow, PKCE with S256, a `state` and a `nonce` of 43 characters each
//!    (256 random bits; ProConnect asks for at least 32), the configured
//!    scopes and redirect URL, and no other parameter (ProConnect refuses
//!    unknown ones). The caller keeps the returned [`Pending`] on the
//!    server side until the browser comes back.
//! 3. [`Provider::finish`] takes the callback's parameters: an error the
//!    provider sent is reported; the `state` must be the pending one
//!    (compared in constant time); the code is exchanged at the token
//!    endpoint with the PKCE verifier, the client authenticated with
//!    `client_secret_post` (secret in the form body, as ProConnect wants)
//!    or `client_secret_basic` when the provider offers only that or the
//!    configuration says so. The id_token's signature is checked with the
//!    provider's keys (RS256, ES256, or HS256 with the client secret when
//!    configured), then its issuer, audience (and `azp`), expiry and nonce;
//!    its `at_hash`, when present, must match the access token. The
//!    userinfo endpoint is then called: an answer in `application/jwt` (as
//!    ProConnect sends) is a signed JWT whose signature, issuer, audience
//!    and subject are checked; plain JSON is accepted unless the
//!    configuration asks for signed answers; its `sub` must be the
//!    id_token's. The result is a [`SignIn`]: the account key (issuer,
//!    `sub`), the claims Archipel keeps ([`AgentClaims`]), the id_token
//!    (for sign-out) and notes on what was dropped.
//! 4. [`Provider::logout_url`] is the provider's `end_session_endpoint`
//!    with `id_token_hint`, `state` and `post_logout_redirect_uri`.
//!
//! When a signature names a key the provider did not list at discovery,
//! the keys are fetched again once (providers rotate them).
//!
//! Every call has a time limit and a size limit ([`http::Http`]). Nothing
//! here stores anything or knows about cookies: the web server keeps the
//! [`Pending`] and the session.
//!
//! *Why openidconnect.* The protocol is done by the `openidconnect` crate
//! (4.x, ramosbugs, with `oauth2` 5): maintained for years, typed after the
//! specifications (discovery, PKCE, id_token checks in the order OpenID
//! Connect Core lists them, JWKS with RSA and elliptic-curve keys,
//! end-session metadata), and built without an HTTP client of its own, so
//! it calls ours: reqwest with rustls and ring, the one TLS stack of the
//! binary (no OpenSSL, no aws-lc). It is used without default features and
//! at 4.0.x: 4.1 mixes two generations of the RustCrypto crates (twice
//! `digest`, `sha2`, `hmac`, `pkcs8`…). Its userinfo request only accepts
//! RS256 signatures, so the signed userinfo answer is checked here
//! (`jws.rs`) with the same keys and the crate's own signature functions.

mod claims;
pub mod config;
pub mod http;
mod jws;

pub use claims::AgentClaims;
pub use config::{AuthMethod, ProviderConfig, Secret, SecretSource, SigningAlg};
pub use http::{Http, HttpError};

use crate::token::{same, Token};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::sync::RwLock;

/// Why a sign-in through a provider failed. Messages quote what came
/// from outside only through [`archipel_domain::echo`].
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("sign-in provider {provider}: {field}: {reason}")]
    Config {
        provider: String,
        field: &'static str,
        reason: String,
    },
    #[error("sign-in provider {provider}: discovery: {source}")]
    Discovery {
        provider: String,
        #[source]
        source: openidconnect::DiscoveryError<HttpError>,
    },
    #[error("sign-in provider {provider}: {what}")]
    Metadata { provider: String, what: String },
    #[error("no random numbers from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    #[error("the provider refused the sign-in: {error}{description}")]
    Denied { error: String, description: String },
    #[error("the sign-in answer does not match the sign-in that was started (state)")]
    State,
    #[error("the sign-in answer comes from another provider (iss)")]
    Issuer,
    #[error("the sign-in answer has no usable authorization code")]
    Code,
    #[error("token request: {0}")]
    Token(
        #[source]
        openidconnect::RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>,
    ),
    #[error("the token answer has no id_token")]
    NoIdToken,
    #[error("id_token refused: {0}")]
    IdToken(#[source] openidconnect::ClaimsVerificationError),
    #[error("id_token refused: {0}")]
    AccessTokenHash(String),
    #[error("userinfo: {0}")]
    UserInfo(String),
    #[error("userinfo: {0}")]
    UserInfoHttp(#[source] HttpError),
    #[error("{0}")]
    Http(#[from] HttpError),
}

/// Claims of the id_token beyond the standard ones: ProConnect's, kept as
/// JSON values so that an unexpected type drops the claim (with a note),
/// not the sign-in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usual_name: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siret: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_label: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_id: Option<serde_json::Value>,
}
impl AdditionalClaims for ExtraClaims {}

type IdTokenResponse = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    IdTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What the relying party keeps between [`Provider::begin`] and
/// [`Provider::finish`], on the server side (it holds the PKCE verifier).
/// Its `Debug` shows only the provider.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pending({}, …)", self.provider)
    }
}

/// The query parameters of the callback (`?code=…&state=…`, or
/// `?error=…&error_description=…&state=…`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The issuer, when the provider says it (RFC 9207): it must be this
    /// provider's (a defence against mixing up providers).
    pub iss: Option<String>,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The account key: the issuer and the subject.
    pub issuer: String,
    pub sub: String,
    /// The claims kept (checked; invalid ones dropped).
    pub claims: AgentClaims,
    /// The id_token as received, for the sign-out's `id_token_hint`.
    pub id_token: String,
    /// What was dropped and why ("siret `123`: not a SIRET").
    pub notes: Vec<String>,
}

/// A discovered provider.
pub struct Provider {
    config: ProviderConfig,
    secret: Secret,
    metadata: ProviderMetadataWithLogout,
    jwks: RwLock<CoreJsonWebKeySet>,
    auth: AuthType,
    http: Http,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Provider({})", self.config.name)
    }
}

fn algorithm(a: SigningAlg) -> CoreJwsSigningAlgorithm {
    match a {
        SigningAlg::RS256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        SigningAlg::ES256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        SigningAlg::HS256 => CoreJwsSigningAlgorithm::HmacSha256,
    }
}

impl Provider {
    /// Checks the configuration, reads the client secret and discovers
    /// the provider.
    pub fn discover(config: ProviderConfig) -> Result<Provider, OidcError> {
        config.check()?;
        let secret = config.client_secret.read(&config.name)?;
        Provider::discover_with_secret(config, secret)
    }

    /// As [`Provider::discover`], with the secret given.
    pub fn discover_with_secret(
        config: ProviderConfig,
        secret: Secret,
    ) -> Result<Provider, OidcError> {
        config.check()?;
        let http = Http::new(config.timeout, config.max_response)?;
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Config {
            provider: config.name.clone(),
            field: "issuer",
            reason: e.to_string(),
        })?;
        let metadata =
            ProviderMetadataWithLogout::discover(&issuer, &|r| http.call(r)).map_err(|source| {
                OidcError::Discovery {
                    provider: config.name.clone(),
                    source,
                }
            })?;
        let meta_err = |what: String| OidcError::Metadata {
            provider: config.name.clone(),
            what,
        };
        for url in [
            Some(metadata.authorization_endpoint().as_str()),
            metadata.token_endpoint().map(|u| u.as_str()),
            metadata.userinfo_endpoint().map(|u| u.as_str()),
            Some(metadata.jwks_uri().as_str()),
        ]
        .into_iter()
        .flatten()
        {
            config::check_endpoint(url).map_err(|e| meta_err(format!("endpoint {e}")))?;
        }
        if metadata.token_endpoint().is_none() {
            return Err(meta_err("no token endpoint".into()));
        }
        let offered = metadata.token_endpoint_auth_methods_supported();
        let offers = |m: &CoreClientAuthMethod| offered.is_none_or(|list| list.contains(m));
        let auth =
            match config.auth_method {
                Some(AuthMethod::ClientSecretPost) => AuthType::RequestBody,
                Some(AuthMethod::ClientSecretBasic) => AuthType::BasicAuth,
                None if offers(&CoreClientAuthMethod::ClientSecretPost) => AuthType::RequestBody,
                None if offers(&CoreClientAuthMethod::ClientSecretBasic) => AuthType::BasicAuth,
                None => return Err(meta_err(
                    "the token endpoint takes neither client_secret_post nor client_secret_basic"
                        .into(),
                )),
            };
        let jwks = RwLock::new(metadata.jwks().clone());
        Ok(Provider {
            config,
            secret,
            metadata,
            jwks,
            auth,
            http,
        })
    }

    /// The provider's configuration.
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// How the client authenticates at the token endpoint.
    pub fn auth_method(&self) -> AuthMethod {
        match self.auth {
            AuthType::BasicAuth => AuthMethod::ClientSecretBasic,
            _ => AuthMethod::ClientSecretPost,
        }
    }

    fn keys(&self) -> CoreJsonWebKeySet {
        match self.jwks.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Fetches the provider's keys again (after a signature named a key
    /// not known).
    fn refresh_keys(&self) -> Result<(), OidcError> {
        let keys = CoreJsonWebKeySet::fetch(self.metadata.jwks_uri(), &|r| self.http.call(r))
            .map_err(|source| OidcError::Discovery {
                provider: self.config.name.clone(),
                source,
            })?;
        match self.jwks.write() {
            Ok(mut k) => *k = keys,
            Err(poisoned) => *poisoned.into_inner() = keys,
        }
        Ok(())
    }

    fn client(&self) -> Result<OidcClient, OidcError> {
        let mut metadata = self.metadata.clone();
        metadata = metadata.set_jwks(self.keys());
        let redirect =
            RedirectUrl::new(self.config.redirect_url.clone()).map_err(|e| OidcError::Config {
                provider: self.config.name.clone(),
                field: "redirect_url",
                reason: e.to_string(),
            })?;
        Ok(OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.secret.expose().to_string())),
        )
        .set_redirect_uri(redirect)
        .set_auth_type(self.auth.clone()))
    }

    /// The URL to send the browser to, and what to keep until it comes
    /// back.
    pub fn begin(&self) -> Result<(url::Url, Pending), OidcError> {
        let client = self.client()?;
        let state = Token::generate()?;
        let nonce = Token::generate()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (s, n) = (state.as_str().to_string(), nonce.as_str().to_string());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(s),
                move || Nonce::new(n),
            )
            .set_pkce_challenge(challenge);
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, _, _) = request.url();
        Ok((
            url,
            Pending {
                provider: self.config.name.clone(),
                state: state.as_str().to_string(),
                nonce: nonce.as_str().to_string(),
                pkce_verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Completes a sign-in from the callback's parameters.
    pub fn finish(&self, pending: &Pending, callback: &Callback) -> Result<SignIn, OidcError> {
        if let Some(error) = &callback.error {
            return Err(OidcError::Denied {
                error: archipel_domain::echo(error),
                description: callback
                    .error_description
                    .as_deref()
                    .map(|d| format!(": {}", archipel_domain::echo(d)))
                    .unwrap_or_default(),
            });
        }
        let state_ok = callback
            .state
            .as_deref()
            .is_some_and(|s| same(s, &pending.state));
        if !state_ok || pending.provider != self.config.name {
            return Err(OidcError::State);
        }
        if callback
            .iss
            .as_deref()
            .is_some_and(|iss| iss != self.config.issuer)
        {
            return Err(OidcError::Issuer);
        }
        let code = callback
            .code
            .as_deref()
            .filter(|c| !c.is_empty() && c.len() <= 2048 && !c.chars().any(char::is_control))
            .ok_or(OidcError::Code)?;
        let client = self.client()?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Metadata {
                provider: self.config.name.clone(),
                what: e.to_string(),
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request(&|r| self.http.call(r))
            .map_err(OidcError::Token)?;
        let id_token = token.id_token().ok_or(OidcError::NoIdToken)?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verify = |client: &OidcClient| {
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs(self.config.signing_algs.iter().map(|a| algorithm(*a)));
            let claims = id_token.claims(&verifier, &nonce)?.clone();
            let hash = match claims.access_token_hash() {
                None => None,
                Some(expected) => Some((
                    expected.clone(),
                    id_token
                        .signing_alg()
                        .and_then(|alg| Ok((alg, id_token.signing_key(&verifier)?)))
                        .map_err(openidconnect::ClaimsVerificationError::SignatureVerification)
                        .map(|(alg, key)| {
                            AccessTokenHash::from_token(token.access_token(), alg, key)
                        })?,
                )),
            };
            Ok::<_, openidconnect::ClaimsVerificationError>((claims, hash))
        };
        let (claims, hash) = match verify(&client) {
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                self.refresh_keys()?;
                verify(&self.client()?)
            }
            other => other,
        }
        .map_err(OidcError::IdToken)?;
        if let Some((expected, actual)) = hash {
            let actual = actual.map_err(|e| OidcError::AccessTokenHash(e.to_string()))?;
            if actual != expected {
                return Err(OidcError::AccessTokenHash(
                    "at_hash does not match the access token".into(),
                ));
            }
        }
        let sub = claims.subject().as_str().to_string();
        let mut notes = Vec::new();
        let mut agent = AgentClaims::from_id_token(&claims, &mut notes);
        if let Some(url) = self.metadata.userinfo_endpoint() {
            let info = self.userinfo(url.as_str(), token.access_token().secret(), &sub)?;
            agent.merge_userinfo(&info, &mut notes);
        }
        Ok(SignIn {
            issuer: self.config.issuer.clone(),
            sub,
            claims: agent,
            id_token: id_token.to_string(),
            notes,
        })
    }

    /// Calls the userinfo endpoint; returns its claims, checked.
    fn userinfo(
        &self,
        url: &str,
        access_token: &str,
        sub: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
        let request = openidconnect::http::Request::builder()
            .method(openidconnect::http::Method::GET)
            .uri(url)
            .header("accept", "application/jwt, application/json;q=0.9")
            .header("authorization", format!("Bearer {access_token}"))
            .body(Vec::new())
            .map_err(|e| OidcError::UserInfo(e.to_string()))?;
        let response = self.http.call(request).map_err(OidcError::UserInfoHttp)?;
        if response.status() != openidconnect::http::StatusCode::OK {
            return Err(OidcError::UserInfo(format!(
                "HTTP status {}",
                response.status()
            )));
        }
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let claims = match kind.as_str() {
            "application/jwt" => {
                let text = std::str::from_utf8(response.body())
                    .map_err(|_| OidcError::UserInfo("the JWT is not UTF-8".into()))?
                    .trim();
                let check = |keys: &CoreJsonWebKeySet| {
                    jws::verify(text, keys, &self.config.signing_algs, self.secret.expose())
                };
                let payload = match check(&self.keys()) {
                    Err(jws::JwsError::NoKey) => {
                        self.refresh_keys()?;
                        check(&self.keys())
                    }
                    other => other,
                }
                .map_err(|e| OidcError::UserInfo(e.to_string()))?;
                jws::check_claims(&payload, &self.config.issuer, &self.config.client_id)
                    .map_err(OidcError::UserInfo)?;
                payload
            }
            "application/json" if !self.config.require_signed_userinfo => {
                match serde_json::from_slice(response.body()) {
                    Ok(serde_json::Value::Object(map)) => map,
                    _ => return Err(OidcError::UserInfo("not a JSON object".into())),
                }
            }
            "application/json" => {
                return Err(OidcError::UserInfo(
                    "plain JSON where a signed JWT is required".into(),
                ))
            }
            other => {
                return Err(OidcError::UserInfo(format!(
                    "unexpected content type {}",
                    archipel_domain::echo(other)
                )))
            }
        };
        match claims.get("sub").and_then(|v| v.as_str()) {
            Some(s) if s == sub => Ok(claims),
            _ => Err(OidcError::UserInfo("its sub is not the id_token's".into())),
        }
    }

    /// Where to send the browser to sign out of the provider, if it has an
    /// end-session endpoint: with `id_token_hint`, `state` and, when
    /// configured, `post_logout_redirect_uri`.
    pub fn logout_url(&self, id_token: &str, state: &str) -> Option<url::Url> {
        let end = self
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()?;
        let mut url = end.url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("id_token_hint", id_token);
            q.append_pair("state", state);
            if let Some(back) = &self.config.post_logout_redirect_url {
                q.append_pair("post_logout_redirect_uri", back);
            }
        }
        Some(url)
    }
}
