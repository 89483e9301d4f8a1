//! Passwords, after NIST SP 800-63B (§ 3.1.1 of revision 4): a length
//! floor and ceiling, no composition rules, a list of common passwords,
//! context words; hashed with argon2id.
//!
//! **What is counted.** A password is first normalised to Unicode NFKC
//! (as SP 800-63B recommends, so that the same password typed on two
//! keyboards — a precomposed `é` or `e` and a combining accent, a
//! full-width digit — is the same password), then its Unicode scalar
//! values are counted: at least [`MIN_CHARS`] (12), at most
//! [`MAX_CHARS`] (256). The ceiling bounds the work of a request (the
//! hash reads the whole password) and is well above the 64 characters
//! SP 800-63B asks verifiers to accept. Spaces and any printable
//! character are allowed; control characters are refused (they cannot be
//! typed in a form and a line break ends the password read from a
//! terminal). The hash is computed over the NFKC form.
//!
//! **What is refused**, besides the length: a password of the list of
//! common passwords kept as data (`content/accounts/common-passwords.txt`,
//! compared in lower case); one short pattern repeated (`abcabcabcabc`);
//! a run of consecutive characters (`abcdefghijkl`, `987654321098` is
//! not one); a password containing the account's e-mail address or, when
//! it has at least four characters, its local part (`jeanne.martin` in
//! `jeanne.martin2024`). There are no rules on character classes.
//!
//! **Hashing.** argon2id (RFC 9106) with OWASP's first recommended
//! parameters: 19 MiB of memory (m = 19456 KiB), 2 passes (t = 2), one
//! lane (p = 1), a 16-byte salt from the operating system's generator and
//! a 32-byte output, stored as a PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH`). Verification reads the
//! parameters from the stored string (a hash made with older parameters
//! still verifies; [`needs_rehash`] says when to store a new one) and
//! compares in constant time. [`verify_unknown`] does the same work
//! against a fixed hash, so that signing in with an unknown e-mail takes
//! as long as with a known one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Fewest characters (Unicode scalar values after NFKC) in a password.
pub const MIN_CHARS: usize = 12;
/// Most characters in a password.
pub const MAX_CHARS: usize = 256;
/// argon2id memory in KiB (19 MiB).
pub const ARGON2_M_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub const ARGON2_T: u32 = 2;
/// argon2id lanes.
pub const ARGON2_P: u32 = 1;

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("too short: {chars} characters, at least {MIN_CHARS} needed")]
    TooShort { chars: usize },
    #[error("too long: {chars} characters, at most {MAX_CHARS} allowed")]
    TooLong { chars: usize },
    #[error("a control character in it (line break, tab, escape…)")]
    Control,
    #[error("one of the most common passwords")]
    Common,
    #[error("one short pattern repeated")]
    Repeated,
    #[error("a run of consecutive characters")]
    Sequence,
    #[error("it contains the e-mail address or its name part")]
    ContainsEmail,
}

impl PasswordProblem {
    /// A stable key for the problem (for interface strings).
    pub fn key(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort { .. } => "too_short",
            PasswordProblem::TooLong { .. } => "too_long",
            PasswordProblem::Control => "control",
            PasswordProblem::Common => "common",
            PasswordProblem::Repeated => "repeated",
            PasswordProblem::Sequence => "sequence",
            PasswordProblem::ContainsEmail => "contains_email",
        }
    }
}

/// A hashing failure (the generator or the hash function itself; never
/// the password's content).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("no random salt from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    #[error("argon2id: {0}")]
    Argon2(argon2::password_hash::Error),
    #[error("argon2id parameters: {0}")]
    Params(argon2::Error),
}

/// The password as hashed and counted: NFKC.
fn normalise(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password for the account `email` (already normalised, or
/// `None` when there is none). Returns the first problem found.
pub fn check(password: &str, email: Option<&str>) -> Result<(), PasswordProblem> {
    // Counted on the raw text first, so that a huge input costs nothing
    // more than a length check (NFKC can only grow it by a bounded factor).
    let raw = password.chars().count();
    if raw > MAX_CHARS * 4 {
        return Err(PasswordProblem::TooLong { chars: raw });
    }
    let norm = normalise(password);
    let chars: Vec<char> = norm.chars().collect();
    if chars.iter().any(|c| c.is_control()) {
        return Err(PasswordProblem::Control);
    }
    if chars.len() < MIN_CHARS {
        return Err(PasswordProblem::TooShort { chars: chars.len() });
    }
    if chars.len() > MAX_CHARS {
        return Err(PasswordProblem::TooLong { chars: chars.len() });
    }
    let lower = norm.to_lowercase();
    if common().contains(lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    let lower_chars: Vec<char> = lower.chars().collect();
    if repeated(&lower_chars) {
        return Err(PasswordProblem::Repeated);
    }
    if sequence(&lower_chars) {
        return Err(PasswordProblem::Sequence);
    }
    if let Some(email) = email {
        let email = normalise(email).to_lowercase();
        let local = email.rsplit_once('@').map_or(email.as_str(), |(l, _)| l);
        if lower.contains(&email) || (local.chars().count() >= 4 && lower.contains(local)) {
            return Err(PasswordProblem::ContainsEmail);
        }
    }
    Ok(())
}

/// One pattern of at most a quarter of the password repeated to fill it.
fn repeated(chars: &[char]) -> bool {
    let n = chars.len();
    (1..=n / 4).any(|p| n.is_multiple_of(p) && chars.chunks(p).all(|c| c == &chars[..p]))
}

/// Every character the next one of the previous, up or down.
fn sequence(chars: &[char]) -> bool {
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1)
}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        archipel_content::embedded::COMMON_PASSWORDS
            .1
            .lines()
            .filter(|l| !l.is_empty())
            .collect()
    })
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    let params =
        Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32)).map_err(HashError::Params)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password` (NFKC) with a new random salt. Does not
/// check the password: call [`check`] first for a new one.
pub fn hash(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(HashError::Argon2)?;
    let phc = hasher()?
        .hash_password(normalise(password).as_bytes(), &salt)
        .map_err(HashError::Argon2)?;
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`. An unreadable
/// stored string, or a hash of another algorithm, never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_CHARS * 4 {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    // The parameters come from the stored string.
    Argon2::default()
        .verify_password(normalise(password).as_bytes(), &parsed)
        .is_ok()
}

/// The same work as [`verify`] for an account that does not exist (or
/// has no password): always `false`, in about the same time.
pub fn verify_unknown(password: &str) -> bool {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("archipel: no such account, no such password").ok());
    if let Some(stored) = dummy {
        let _ = verify(password, stored);
    }
    false
}

/// Whether `stored` was made with other parameters than today's (store a
/// new hash at the next successful sign-in).
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != argon2::ARGON2ID_IDENT
        || parsed.version != Some(Version::V0x13.into())
        || params.m_cost() != ARGON2_M_KIB
        || params.t_cost() != ARGON2_T
        || params.p_cost() != ARGON2_P
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_after_nfkc() {
        assert_eq!(check("correct horse", None), Ok(()));
        assert_eq!(
            check("short pass", None),
            Err(PasswordProblem::TooShort { chars: 10 })
        );
        // Twelve characters of two bytes each are twelve characters.
        assert_eq!(check("ééééààààçççç", None), Ok(()));
        // e + combining acute is one character after normalisation.
        let combining = "e\u{301}".repeat(6) + "x";
        assert_eq!(
            check(&combining, None),
            Err(PasswordProblem::TooShort { chars: 7 })
        );
        let long = "abcdefghij".repeat(26);
        assert_eq!(
            check(&long, None),
            Err(PasswordProblem::TooLong { chars: 260 })
        );
        assert_eq!(check(&long[..256], None), Ok(()));
    }

    #[test]
    fn no_composition_rules_but_no_control_characters() {
        // Lower-case letters and spaces only: fine.
        assert_eq!(check("le chat dort sur le toit", None), Ok(()));
        assert_eq!(
            check("le chat dort\nsur le toit", None),
            Err(PasswordProblem::Control)
        );
        assert_eq!(
            check("le chat dort\u{1b}sur le toit", None),
            Err(PasswordProblem::Control)
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        assert_eq!(check("1qaz2wsx3edc", None), Err(PasswordProblem::Common));
        assert_eq!(check("QWERTY123456", None), Err(PasswordProblem::Common));
        // From the French list.
        assert_eq!(check("Informatique", None), Err(PasswordProblem::Common));
        assert_eq!(check("AZERTYUIOP^$", None), Err(PasswordProblem::Common));
        assert!(common().len() > 400);
        assert!(common().iter().all(|p| p.chars().count() >= MIN_CHARS));
    }

    #[test]
    fn patterns_and_context_words() {
        assert_eq!(
            check("zzzzzzzzzzzzzz", None),
            Err(PasswordProblem::Repeated)
        );
        assert_eq!(
            check("abcdabcdabcdabcd", None),
            Err(PasswordProblem::Repeated)
        );
        assert_eq!(check("ghijklmnopqrs", None), Err(PasswordProblem::Sequence));
        assert_eq!(check("srqponmlkjihg", None), Err(PasswordProblem::Sequence));
        let email = Some("jeanne.martin@example.fr");
        assert_eq!(
            check("jeanne.martin2024", email),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check("JEANNE.MARTIN!!!!", email),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(check("jeanne.martin2024", None), Ok(()));
        // A local part of fewer than four characters is not looked for.
        assert_eq!(check("ab cd ef gh ij kl", Some("ab@example.fr")), Ok(()));
    }

    #[test]
    fn hash_then_verify() {
        let stored = hash("le chat dort sur le toit").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("le chat dort sur le toit", &stored));
        assert!(!verify("le chat dort sur le toit.", &stored));
        assert!(!verify("le chat dort sur le toit", "not a phc string"));
        assert!(!needs_rehash(&stored));
        // Two hashes of one password differ (the salt).
        assert_ne!(stored, hash("le chat dort sur le toit").unwrap());
        // The NFKC form is hashed: the decomposed é verifies.
        let stored = hash("café crème au lait").unwrap();
        assert!(verify("cafe\u{301} cre\u{300}me au lait", &stored));
    }

    #[test]
    fn older_parameters_verify_and_ask_for_a_rehash() {
        let params = Params::new(8, 1, 1, None).unwrap();
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let stored = weak
            .hash_password(b"le chat dort sur le toit", &salt)
            .unwrap()
            .to_string();
        assert!(verify("le chat dort sur le toit", &stored));
        assert!(needs_rehash(&stored));
        // Argon2i is not accepted.
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let stored = argon2i
            .hash_password(b"le chat dort sur le toit", &salt)
            .unwrap()
            .to_string();
        assert!(!verify("le chat dort sur le toit", &stored));
    }

    #[test]
    fn unknown_accounts_never_verify() {
        assert!(!verify_unknown(
            "archipel: no such account, no such password"
        ));
        assert!(!verify_unknown(""));
    }
}
