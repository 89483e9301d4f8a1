//! The claims Archipel keeps of a provider's account: ProConnect's
//! `sub`, `email`, `given_name`, `usual_name`, `uid`, `siret`,
//! `organization_label` and `idp_id`. Every value passes the domain's
//! checks (one line of text, a plain e-mail address, a SIRET with its
//! check digit); one that does not is dropped with a note saying why, and
//! the sign-in goes on.

use super::ExtraClaims;
use openidconnect::core::CoreGenderClaim;
use openidconnect::IdTokenClaims;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The claims kept, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentClaims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usual_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_id: Option<String>,
}

/// Which check a claim passes.
#[derive(Clone, Copy)]
enum Kind {
    Line,
    Email,
    Siret,
}

fn checked(
    name: &str,
    value: Option<&Value>,
    kind: Kind,
    notes: &mut Vec<String>,
) -> Option<String> {
    let value = value?;
    if value.is_null() {
        return None;
    }
    let Some(s) = value.as_str() else {
        notes.push(format!("{name}: not a string, dropped"));
        return None;
    };
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let problem = match kind {
        Kind::Line => archipel_domain::check_text(s, archipel_domain::TextKind::Line).err(),
        Kind::Email => crate::email::normalise_email(s).err(),
        Kind::Siret => archipel_domain::check_siret(s).err(),
    };
    match problem {
        None => Some(match kind {
            Kind::Email => crate::email::normalise_email(s).unwrap_or_else(|_| s.to_string()),
            _ => s.to_string(),
        }),
        Some(why) => {
            notes.push(format!("{name}: {why}; dropped"));
            None
        }
    }
}

impl AgentClaims {
    /// The claims of a verified id_token.
    pub(crate) fn from_id_token(
        claims: &IdTokenClaims<ExtraClaims, CoreGenderClaim>,
        notes: &mut Vec<String>,
    ) -> AgentClaims {
        let mut map = Map::new();
        if let Some(e) = claims.email() {
            map.insert("email".into(), Value::String(e.as_str().to_string()));
        }
        if let Some(g) = claims.given_name().and_then(|g| g.get(None)) {
            map.insert("given_name".into(), Value::String(g.as_str().to_string()));
        }
        let extra = claims.additional_claims();
        for (k, v) in [
            ("usual_name", &extra.usual_name),
            ("uid", &extra.uid),
            ("siret", &extra.siret),
            ("organization_label", &extra.organization_label),
            ("idp_id", &extra.idp_id),
        ] {
            if let Some(v) = v {
                map.insert(k.into(), v.clone());
            }
        }
        let mut out = AgentClaims {
            sub: claims.subject().as_str().to_string(),
            ..AgentClaims::default()
        };
        out.merge_userinfo(&map, notes);
        out
    }

    /// Takes the claims of a userinfo answer (already checked to be this
    /// subject's): a value there replaces the id_token's.
    pub(crate) fn merge_userinfo(&mut self, info: &Map<String, Value>, notes: &mut Vec<String>) {
        let fields: [(&str, &mut Option<String>, Kind); 7] = [
            ("email", &mut self.email, Kind::Email),
            ("given_name", &mut self.given_name, Kind::Line),
            ("usual_name", &mut self.usual_name, Kind::Line),
            ("uid", &mut self.uid, Kind::Line),
            ("siret", &mut self.siret, Kind::Siret),
            (
                "organization_label",
                &mut self.organization_label,
                Kind::Line,
            ),
            ("idp_id", &mut self.idp_id, Kind::Line),
        ];
        for (name, slot, kind) in fields {
            if let Some(v) = checked(name, info.get(name), kind, notes) {
                *slot = Some(v);
            }
        }
    }

    /// A name to show: given name and usual name, else the e-mail, else
    /// the subject.
    pub fn display_name(&self) -> String {
        match (&self.given_name, &self.usual_name) {
            (Some(g), Some(u)) => format!("{g} {u}"),
            (Some(n), None) | (None, Some(n)) => n.clone(),
            (None, None) => self.email.clone().unwrap_or_else(|| self.sub.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_claims_are_dropped_with_a_note() {
        let info: Map<String, Value> = serde_json::from_str(
            r#"{"sub":"s","email":"Agent@Mairie.FR","given_name":"Jeanne","usual_name":"Martin\u001b[31m",
                "siret":"12345678901234","organization_label":"Mairie","uid":42}"#,
        )
        .unwrap();
        let mut c = AgentClaims {
            sub: "s".into(),
            ..Default::default()
        };
        let mut notes = vec![];
        c.merge_userinfo(&info, &mut notes);
        assert_eq!(c.email.as_deref(), Some("agent@mairie.fr"));
        assert_eq!(c.given_name.as_deref(), Some("Jeanne"));
        assert_eq!(c.usual_name, None);
        assert_eq!(c.siret, None);
        assert_eq!(c.uid, None);
        assert_eq!(c.organization_label.as_deref(), Some("Mairie"));
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("siret: ") && n.contains("check digit")),
            "{notes:?}"
        );
        assert_eq!(c.display_name(), "Jeanne");
        // A valid SIRET (Luhn) is kept.
        let info: Map<String, Value> =
            serde_json::from_str(r#"{"siret":"73282932000074"}"#).unwrap();
        c.merge_userinfo(&info, &mut notes);
        assert_eq!(c.siret.as_deref(), Some("73282932000074"));
    }
}
