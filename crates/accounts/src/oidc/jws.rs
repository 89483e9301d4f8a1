//! A signed userinfo answer (a JWS in compact form), checked with the
//! provider's keys through `openidconnect`'s own signature functions.
//! (`openidconnect`'s userinfo request accepts only RS256; ProConnect
//! signs userinfo with the client's registered algorithm, ES256 among
//! them.)

use super::config::SigningAlg;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreJsonWebKey, CoreJsonWebKeySet, CoreJsonWebKeyUse};
use openidconnect::{JsonWebKey, JsonWebKeyAlgorithm, JwsSigningAlgorithm};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub(crate) enum JwsError {
    #[error("not a signed JWT: {0}")]
    Malformed(&'static str),
    #[error("signed with {0}, which is not accepted for this provider")]
    Alg(String),
    #[error("signed with a key the provider does not list")]
    NoKey,
    #[error("the signature does not verify")]
    Signature,
}

fn part(s: &str) -> Result<Vec<u8>, JwsError> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| JwsError::Malformed("a part is not base64url"))
}

/// Verifies `jwt`'s signature with `keys` (or, for HS256, the client
/// secret) under one of `algs`; returns its payload.
pub(crate) fn verify(
    jwt: &str,
    keys: &CoreJsonWebKeySet,
    algs: &[SigningAlg],
    secret: &str,
) -> Result<Map<String, Value>, JwsError> {
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed("not three parts"));
    };
    let header: Map<String, Value> = match serde_json::from_slice(&part(h)?) {
        Ok(Value::Object(m)) => m,
        _ => return Err(JwsError::Malformed("the header is not a JSON object")),
    };
    let name = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = SigningAlg::parse(name)
        .filter(|a| algs.contains(a))
        .ok_or_else(|| JwsError::Alg(archipel_domain::echo(name)))?;
    if header.contains_key("crit") {
        return Err(JwsError::Malformed("critical header extensions"));
    }
    let core = super::algorithm(alg);
    let kid = header.get("kid").and_then(Value::as_str);
    let signature = part(s)?;
    let message = &jwt.as_bytes()[..h.len() + 1 + p.len()];
    let verified = if alg == SigningAlg::HS256 {
        CoreJsonWebKey::new_symmetric(secret.as_bytes().to_vec())
            .verify_signature(&core, message, &signature)
            .is_ok()
    } else {
        let candidates: Vec<&CoreJsonWebKey> = keys
            .keys()
            .iter()
            .filter(|k| kid.is_none() || k.key_id().map(|id| id.as_str()) == kid)
            .filter(|k| {
                k.key_use()
                    .is_none_or(|u| *u == CoreJsonWebKeyUse::Signature)
            })
            .filter(|k| match k.signing_alg() {
                JsonWebKeyAlgorithm::Algorithm(a) => *a == core,
                JsonWebKeyAlgorithm::Unspecified => true,
                JsonWebKeyAlgorithm::Unsupported => false,
            })
            .filter(|k| core.key_type().as_ref() == Some(k.key_type()))
            .collect();
        if candidates.is_empty() {
            return Err(JwsError::NoKey);
        }
        candidates
            .iter()
            .any(|k| k.verify_signature(&core, message, &signature).is_ok())
    };
    if !verified {
        return Err(JwsError::Signature);
    }
    match serde_json::from_slice(&part(p)?) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(JwsError::Malformed("the payload is not a JSON object")),
    }
}

/// A signed userinfo answer's issuer and audience (both required, as
/// OpenID Connect Core 5.3.2 asks them of a signed answer), and its
/// expiry when it has one.
pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    client_id: &str,
) -> Result<(), String> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err("the signed answer's iss is not the provider".into());
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err("the signed answer's aud is not this client".into());
    }
    if let Some(exp) = claims.get("exp") {
        let Some(exp) = exp.as_i64() else {
            return Err("the signed answer's exp is not a number".into());
        };
        if exp <= chrono::Utc::now().timestamp() {
            return Err("the signed answer has expired".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::PrivateSigningKey;

    fn b64(v: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(v)
    }

    fn hs256(header: &str, payload: &str, secret: &str) -> String {
        let signing = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let key = openidconnect::core::CoreHmacKey::new(secret.as_bytes().to_vec());
        let sig = key
            .sign(
                &openidconnect::core::CoreJwsSigningAlgorithm::HmacSha256,
                signing.as_bytes(),
            )
            .unwrap();
        format!("{signing}.{}", b64(&sig))
    }

    #[test]
    fn hs256_with_the_client_secret() {
        let keys = CoreJsonWebKeySet::new(vec![]);
        let jwt = hs256(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#, "secret");
        let all = [SigningAlg::RS256, SigningAlg::HS256];
        let claims = verify(&jwt, &keys, &all, "secret").unwrap();
        assert_eq!(claims["sub"], "a");
        assert!(matches!(
            verify(&jwt, &keys, &all, "other"),
            Err(JwsError::Signature)
        ));
        // HS256 not configured: refused before any key is tried.
        assert!(matches!(
            verify(&jwt, &keys, &[SigningAlg::RS256], "secret"),
            Err(JwsError::Alg(_))
        ));
    }

    #[test]
    fn malformed_and_unsigned_tokens_are_refused() {
        let keys = CoreJsonWebKeySet::new(vec![]);
        let all = [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::HS256];
        let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(br#"{"sub":"a"}"#));
        assert!(matches!(
            verify(&none, &keys, &all, "s"),
            Err(JwsError::Alg(_))
        ));
        assert!(matches!(
            verify("a.b", &keys, &all, "s"),
            Err(JwsError::Malformed(_))
        ));
        assert!(matches!(
            verify("a.b.c.d.e", &keys, &all, "s"),
            Err(JwsError::Malformed(_))
        ));
        let rs = format!(
            "{}.{}.AA",
            b64(br#"{"alg":"RS256"}"#),
            b64(br#"{"sub":"a"}"#)
        );
        assert!(matches!(
            verify(&rs, &keys, &all, "s"),
            Err(JwsError::NoKey)
        ));
        let crit = hs256(r#"{"alg":"HS256","crit":["x"]}"#, r#"{"sub":"a"}"#, "s");
        assert!(matches!(
            verify(&crit, &keys, &all, "s"),
            Err(JwsError::Malformed(_))
        ));
    }

    #[test]
    fn issuer_and_audience_are_required() {
        let ok: Map<String, Value> =
            serde_json::from_str(r#"{"iss":"https://i","aud":["c","d"],"sub":"a"}"#).unwrap();
        assert!(check_claims(&ok, "https://i", "c").is_ok());
        assert!(check_claims(&ok, "https://j", "c").is_err());
        assert!(check_claims(&ok, "https://i", "x").is_err());
        let no_aud: Map<String, Value> = serde_json::from_str(r#"{"iss":"https://i"}"#).unwrap();
        assert!(check_claims(&no_aud, "https://i", "c").is_err());
        let expired: Map<String, Value> =
            serde_json::from_str(r#"{"iss":"https://i","aud":"c","exp":1000}"#).unwrap();
        assert!(check_claims(&expired, "https://i", "c").is_err());
    }
}
