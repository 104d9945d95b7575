//! OpenID Connect ID tokens (Core §3.1.3.7): checked before anything of them is
//! believed — the signature against the issuer's current JWKS (fetched each time, so
//! a rotated key is found), `iss`, `aud`, `azp`, `exp`, the `nonce` the
//! authorization request carried, and `at_hash` when present.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::OAuthError;
use crate::app::App;
use crate::secret::Secret;

/// Who an account is, from its ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

fn refused(reason: String) -> OAuthError {
    OAuthError::Malformed {
        endpoint: "token",
        reason: format!("the ID token {reason}; nothing was stored"),
    }
}

/// Checks `id_token`, issued with `access_token` for `app` (whose issuer must be
/// known: the keys come from its metadata). `nonce`: what the authorization request
/// sent (None for a refresh, which carries none).
pub fn validate(
    http: &Client,
    app: &App,
    id_token: &Secret,
    access_token: &Secret,
    nonce: Option<&str>,
) -> Result<Identity, OAuthError> {
    let Some(issuer) = &app.issuer else {
        return Err(refused(format!(
            "cannot be checked: `{}` has no issuer to take the keys from (outbound app edit {} --issuer URL)",
            app.name, app.name
        )));
    };
    let header = jsonwebtoken::decode_header(id_token.expose())
        .map_err(|e| refused(format!("is not a JWT ({e})")))?;
    let asymmetric = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];
    if !asymmetric.contains(&header.alg) {
        return Err(refused(format!(
            "is signed with {:?}; only the issuer's public keys are trusted",
            header.alg
        )));
    }
    let keys = jwks(http, issuer)?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None => keys.keys.first().filter(|_| keys.keys.len() == 1),
    }
    .ok_or_else(|| {
        refused(format!(
            "names key {:?}, which the issuer's JWKS does not have",
            header.kid.as_deref().unwrap_or("(none)")
        ))
    })?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| refused(format!("key: {e}")))?;
    let mut validation = Validation::new(header.alg);
    let issuer_text = issuer.as_str();
    validation.set_issuer(&[issuer_text, issuer_text.trim_end_matches('/')]);
    validation.set_audience(&[app.client_id.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = jsonwebtoken::decode::<serde_json::Value>(id_token.expose(), &key, &validation)
        .map_err(|e| refused(format!("is not valid: {}", describe(&e))))?
        .claims;
    if let Some(azp) = claims.get("azp").and_then(|v| v.as_str())
        && azp != app.client_id
    {
        return Err(refused(format!(
            "was issued to `{azp}` (azp), not to this client"
        )));
    }
    if let Some(expected) = nonce
        && claims.get("nonce").and_then(|v| v.as_str()) != Some(expected)
    {
        return Err(refused(
            "does not carry the nonce this authorization sent".into(),
        ));
    }
    if let Some(at_hash) = claims.get("at_hash").and_then(|v| v.as_str())
        && at_hash != half_hash(header.alg, access_token.expose())
    {
        return Err(refused("does not match the access token (at_hash)".into()));
    }
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_str())
            .map(crate::text::printable)
    };
    Ok(Identity {
        issuer: text("iss").unwrap_or_default(),
        subject: text("sub").unwrap_or_default(),
        name: text("name"),
        email: text("email"),
    })
}

fn describe(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidSignature => "its signature does not verify with the issuer's key".into(),
        ErrorKind::ExpiredSignature => "it has expired (exp)".into(),
        ErrorKind::InvalidAudience => "it is for another client (aud)".into(),
        ErrorKind::InvalidIssuer => "it comes from another issuer (iss)".into(),
        ErrorKind::ImmatureSignature => "it is not valid yet (nbf)".into(),
        ErrorKind::MissingRequiredClaim(c) => format!("it lacks the `{c}` claim"),
        other => format!("{other:?}"),
    }
}

/// The left half of the access token's hash, base64url (`at_hash`): SHA-256 for the
/// *256 algorithms (and EdDSA with Ed25519 per OpenID's errata: SHA-512), SHA-384 and
/// SHA-512 for the others.
fn half_hash(alg: Algorithm, token: &str) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            sha2::Sha384::digest(token.as_bytes()).to_vec()
        }
        Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            sha2::Sha512::digest(token.as_bytes()).to_vec()
        }
        _ => sha2::Sha256::digest(token.as_bytes()).to_vec(),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// The issuer's current keys, from its metadata's `jwks_uri`.
fn jwks(http: &Client, issuer: &url::Url) -> Result<JwkSet, OAuthError> {
    let meta = super::discovery::discover(http, issuer)?;
    let uri = meta
        .jwks_uri
        .ok_or_else(|| refused(format!("cannot be checked: {issuer} publishes no jwks_uri")))?;
    let url = crate::app::check_endpoint(&uri)
        .map_err(|m| refused(format!("cannot be checked: jwks_uri {m}")))?;
    super::credential_url("jwks", &url, None)?;
    let response = http
        .get(url.as_str())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .map_err(|e| OAuthError::unreachable("jwks", url.as_str(), &e))?;
    let answer = super::read_answer("jwks", &url, response)?;
    if answer.status != 200 {
        return Err(OAuthError::Http {
            endpoint: "jwks",
            status: answer.status,
            body: String::new(),
        });
    }
    serde_json::from_slice(&answer.body)
        .map_err(|e| refused(format!("cannot be checked: {url} is not a JWKS ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half() {
        // OpenID Connect Core A.3's example: at_hash of "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y".
        assert_eq!(
            half_hash(
                Algorithm::RS256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
