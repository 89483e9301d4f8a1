//! Opaque random tokens: session ids, anti-forgery (CSRF) tokens,
//! invitation tokens, OpenID Connect `state` and `nonce`.
//!
//! A token is 32 bytes (256 bits) from the operating system's generator,
//! written in base64url without padding: 43 characters of `A–Z a–z 0–9 -
//! _`, safe in a cookie, a URL or a form. What the registry keeps of a
//! session id or an invitation is its [`Token::digest`] (SHA-256, in
//! base64url): a copy of the database does not give anyone a live session.
//! A token read from outside goes through [`Token::parse`] first, so that
//! anything else (too long, another alphabet) is refused before it is
//! hashed or looked up. Tokens are compared with [`same`], in constant time.
//! [`mac`] binds a value to a server's secret key (HMAC-SHA-256): the
//! web server's anti-forgery token for forms shown before sign-in is the
//! MAC of a random cookie, so that it needs no storage.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a token.
pub const TOKEN_BYTES: usize = 32;
/// Characters of a token as written.
pub const TOKEN_CHARS: usize = 43;

/// A random token. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A new token from the operating system's generator.
    pub fn generate() -> Result<Token, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Token(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token read from outside (a cookie, a form field), if it has the
    /// shape of one.
    pub fn parse(s: &str) -> Option<Token> {
        let ok = s.len() == TOKEN_CHARS
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD
                .decode(s)
                .is_ok_and(|b| b.len() == TOKEN_BYTES);
        ok.then(|| Token(s.to_string()))
    }

    /// The token as written (43 characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the registry keeps: SHA-256 of the token, base64url.
    pub fn digest(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// HMAC-SHA-256 of `message` under `key`, in base64url (43 characters).
pub fn mac(key: &[u8], message: &str) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let mut m = match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    m.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

/// Whether two secrets are equal, in time that depends only on their
/// lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_parseable_and_hashed() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), TOKEN_CHARS);
        assert_eq!(Token::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.digest().len(), 43);
        assert_ne!(a.digest(), a.as_str());
        assert_eq!(a.digest(), Token::parse(a.as_str()).unwrap().digest());
        assert_eq!(format!("{a:?}"), "Token(…)");
    }

    #[test]
    fn only_the_shape_of_a_token_is_parsed() {
        assert_eq!(Token::parse(""), None);
        assert_eq!(Token::parse(&"A".repeat(42)), None);
        assert_eq!(Token::parse(&"A".repeat(44)), None);
        assert_eq!(Token::parse(&format!("{}=", "A".repeat(42))), None);
        assert_eq!(Token::parse(&format!("{}+", "A".repeat(42))), None);
        // 43 characters whose last one carries bits beyond 256: not canonical.
        assert_eq!(Token::parse(&"_".repeat(43)), None);
        assert!(Token::parse(&format!("{}A", "_".repeat(42))).is_some());
    }

    #[test]
    fn macs_depend_on_key_and_message() {
        // RFC 4231, test case 2.
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let m = URL_SAFE_NO_PAD
            .decode(mac(b"Jefe", "what do ya want for nothing?"))
            .unwrap();
        assert_eq!(
            hex(&m),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(mac(b"k1", "m"), mac(b"k2", "m"));
        assert_ne!(mac(b"k", "m1"), mac(b"k", "m2"));
        assert_eq!(mac(b"k", "m").len(), TOKEN_CHARS);
    }

    #[test]
    fn comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
