//! Account roles and what each may do.
//!
//! The set of roles is code, because what a role permits is code; their
//! names for people (French and English, with a description) are data:
//! `content/accounts/roles.toml`, checked against this set when first read.

use archipel_content::{embedded, Lang, Text};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What an account may do. Each role may do everything the one before it
/// may (`Visitor < Contributor < Moderator < Admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the registry (what anyone without an account may do too).
    Visitor,
    /// Proposes additions and corrections, published after moderation.
    Contributor,
    /// Accepts or refuses proposals, restores earlier versions.
    Moderator,
    /// Manages accounts, roles and configuration.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [
        Role::Visitor,
        Role::Contributor,
        Role::Moderator,
        Role::Admin,
    ];

    /// The key stored in the registry and written on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Contributor => "contributor",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// The role whose key is `s` (also `administrator`), if any.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "administrator" => Some(Role::Admin),
            _ => Role::ALL.into_iter().find(|r| r.key() == s),
        }
    }

    /// May propose additions and corrections.
    pub fn can_propose(self) -> bool {
        self >= Role::Contributor
    }

    /// May decide on proposals and restore versions.
    pub fn can_moderate(self) -> bool {
        self >= Role::Moderator
    }

    /// May manage accounts, roles and configuration.
    pub fn can_administer(self) -> bool {
        self >= Role::Admin
    }

    /// The role's name in `lang` (from `content/accounts/roles.toml`).
    pub fn label(self, lang: Lang) -> &'static str {
        match role_words() {
            Ok(words) => words[self as usize].0.get(lang),
            Err(_) => self.key(),
        }
    }

    /// What the role may do, in `lang`.
    pub fn description(self, lang: Lang) -> &'static str {
        match role_words() {
            Ok(words) => words[self as usize].1.get(lang),
            Err(_) => "",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    role: Vec<RoleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleEntry {
    key: toml::Spanned<String>,
    fr: String,
    en: String,
    description_fr: String,
    description_en: String,
}

type Words = Vec<(Text, Text)>;

/// Parses the roles file: one entry per role of [`Role::ALL`], in that
/// order, each with both labels; an error names the file and line.
fn parse_roles(name: &str, text: &str) -> Result<Words, String> {
    let file: RolesFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
        format!("{name}:{line}: {}", e.message())
    })?;
    let mut words: Vec<Option<(Text, Text)>> = vec![None; Role::ALL.len()];
    for entry in file.role {
        let line = text[..entry.key.span().start].matches('\n').count() + 1;
        let key = entry.key.get_ref();
        let Some(role) = Role::ALL.into_iter().find(|r| r.key() == key) else {
            return Err(format!(
                "{name}:{line}: role {key:?}: not a role Archipel knows"
            ));
        };
        if [
            &entry.fr,
            &entry.en,
            &entry.description_fr,
            &entry.description_en,
        ]
        .iter()
        .any(|s| s.trim().is_empty())
        {
            return Err(format!(
                "{name}:{line}: role {key:?}: a label or description is empty"
            ));
        }
        let slot = &mut words[role as usize];
        if slot.is_some() {
            return Err(format!("{name}:{line}: role {key:?}: listed twice"));
        }
        *slot = Some((
            Text {
                fr: entry.fr,
                en: entry.en,
            },
            Text {
                fr: entry.description_fr,
                en: entry.description_en,
            },
        ));
    }
    Role::ALL
        .into_iter()
        .zip(words)
        .map(|(role, w)| w.ok_or_else(|| format!("{name}: role {:?} is missing", role.key())))
        .collect()
}

fn role_words() -> &'static Result<Words, String> {
    static WORDS: OnceLock<Result<Words, String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let (rel, text) = embedded::ACCOUNT_ROLES;
        parse_roles(&format!("content/{rel}"), text)
    })
}

/// Checks the roles file compiled in (for start-up checks and tests).
pub fn check_role_words() -> Result<(), String> {
    role_words().as_ref().map(|_| ()).map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parsed_by_key() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
        }
        assert_eq!(Role::parse("administrator"), Some(Role::Admin));
        assert_eq!(Role::parse("Admin"), None);
        assert!(!Role::Visitor.can_propose());
        assert!(Role::Contributor.can_propose() && !Role::Contributor.can_moderate());
        assert!(Role::Moderator.can_moderate() && !Role::Moderator.can_administer());
        assert!(Role::Admin.can_administer() && Role::Admin.can_propose());
    }

    #[test]
    fn the_shipped_file_names_every_role() {
        check_role_words().unwrap();
        assert_eq!(Role::Admin.label(Lang::Fr), "Administrateur");
        assert_eq!(Role::Moderator.label(Lang::En), "Moderator");
        assert!(!Role::Contributor.description(Lang::Fr).is_empty());
    }

    #[test]
    fn a_bad_roles_file_says_where() {
        let e = parse_roles("r.toml", "[[role]]\nkey = \"guest\"\nfr = \"a\"\nen = \"b\"\ndescription_fr = \"c\"\ndescription_en = \"d\"\n").unwrap_err();
        assert_eq!(e, "r.toml:2: role \"guest\": not a role Archipel knows");
        let one = "[[role]]\nkey = \"visitor\"\nfr = \"a\"\nen = \"b\"\ndescription_fr = \"c\"\ndescription_en = \"d\"\n";
        let e = parse_roles("r.toml", one).unwrap_err();
        assert_eq!(e, "r.toml: role \"contributor\" is missing");
        let e = parse_roles("r.toml", &format!("{one}{one}")).unwrap_err();
        assert_eq!(e, "r.toml:8: role \"visitor\": listed twice");
        let e = parse_roles("r.toml", "[[role]]\nkey = \"visitor\"\nfrr = 1\n").unwrap_err();
        assert!(e.starts_with("r.toml:3: unknown field"), "{e}");
    }
}
