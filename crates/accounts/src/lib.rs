//! Archipel's accounts and sign-in, as plain functions and data: roles,
//! passwords, e-mail keys, opaque tokens, the session policy and an
//! OpenID Connect relying party ready for ProConnect.
//!
//! It holds no SQL (accounts, identities, sessions and the audit log are
//! kept by `archipel-store`), no HTML and no web framework (the pages and
//! cookies are `archipel-web`'s): the web server and the `archipel user`
//! command call these functions and store what they return.
//!
//! - [`Role`]: visitor, contributor, moderator, administrator; what each
//!   may do is code, their names are `content/accounts/roles.toml`.
//! - [`password`]: NIST SP 800-63B rules (12 to 256 characters after
//!   NFKC, no composition rules, common passwords refused from
//!   `content/accounts/common-passwords.txt`, no e-mail in the password),
//!   argon2id hashing (m = 19 MiB, t = 2, p = 1), constant-time
//!   verification and the same work for unknown accounts.
//! - [`normalise_email`]: the account key of an e-mail address.
//! - [`Token`]: 256-bit random tokens in base64url; the registry keeps
//!   their SHA-256 only.
//! - [`SessionPolicy`]: idle and absolute session lifetimes.
//! - [`oidc`]: discovery, authorization code with PKCE, id_token and signed
//!   userinfo checks, ProConnect's claims, end-session URL.

pub mod email;
pub mod oidc;
pub mod password;
mod role;
pub mod session;
pub mod token;

pub use email::normalise_email;

/// Who may create an account on the web (setting `sign_in.signup`);
/// administrators create accounts with `archipel user add` whatever it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signup {
    /// Anyone, as a contributor.
    Open,
    /// Whoever has an invitation, with the invitation's role.
    Invitation,
    /// No one signs up on the web: administrators create the accounts.
    #[default]
    Closed,
}

impl Signup {
    pub fn key(self) -> &'static str {
        match self {
            Signup::Open => "open",
            Signup::Invitation => "invitation",
            Signup::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Signup> {
        [Signup::Open, Signup::Invitation, Signup::Closed]
            .into_iter()
            .find(|m| m.key() == s)
    }
}
pub use role::{check_role_words, Role};
pub use session::SessionPolicy;
pub use token::Token;
