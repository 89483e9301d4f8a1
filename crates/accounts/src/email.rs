//! E-mail addresses as account keys.

use unicode_normalization::UnicodeNormalization;

/// The key an account is found by: the address without surrounding
/// spaces, NFC-normalised and in lower case, checked by the domain's
/// [`archipel_domain::check_email`] (a plain address: no quoted local
/// part, no comment, no address literal).
///
/// The whole address is lowered, the local part too: RFC 5321 lets a
/// server tell `Jeanne@` from `jeanne@`, but no mail service people use
/// does, and two accounts that differ only in case would be one person
/// twice (or someone else taking a name). The address is kept as given
/// nowhere else.
pub fn normalise_email(s: &str) -> Result<String, String> {
    let t: String = s.trim().nfc().collect();
    archipel_domain::check_email(&t)?;
    Ok(t.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_lowered_and_checked() {
        assert_eq!(
            normalise_email("  Jeanne.Martin@Mairie-Exemple.FR \n").unwrap(),
            "jeanne.martin@mairie-exemple.fr"
        );
        assert!(normalise_email("\"quoted\"@example.fr").is_err());
        assert!(normalise_email("jeanne@").is_err());
        assert!(normalise_email("jeanne@example.fr\u{1b}[31m").is_err());
        // NFC: a decomposed é and a precomposed one are one address.
        assert_eq!(
            normalise_email("he\u{301}le\u{300}ne@example.fr").unwrap(),
            normalise_email("hélène@example.fr").unwrap()
        );
    }
}
