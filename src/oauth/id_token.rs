//! OpenID Connect ID tokens (Core §3.1.3.7): checked before anything of them is
//! believed — the signature, `iss`, `aud`, `azp`, `exp`, the `nonce` the
//! authorization request carried, and `at_hash` when present.
//!
//! The signature: an asymmetric one (RS*, PS*, ES*, EdDSA) against the issuer's
//! current JWKS (fetched each time, so a rotated key is found); a MAC (HS256/384/512,
//! LemonLDAP::NG's default and glewlwyd's) with the client secret, as Core §10.1 says.
//! A MAC-signed token for a client that holds no secret cannot be checked by its
//! signature; outbound only ever receives ID tokens straight from the token endpoint,
//! over the channel the endpoint rule guards (TLS, or loopback), which Core §3.1.3.7
//! (6) lets stand in for the signature. The claims are checked all the same, and the
//! identity records how it was checked.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::OAuthError;
use crate::app::App;
use crate::secret::Secret;

/// Who an account is, from its ID token (or its userinfo endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// How outbound knows it is the issuer's word (None: recorded before this was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Checked>,
}

/// How an identity was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checked {
    /// The ID token's signature, with the issuer's public key (its JWKS).
    IssuerKey,
    /// The ID token's MAC (HS256/384/512), with the client secret (Core §10.1).
    ClientSecret,
    /// A MAC-signed ID token the client holds no secret for: it came straight from
    /// the token endpoint, whose channel stands in for the signature (Core §3.1.3.7
    /// (6)); its claims were checked.
    TokenEndpoint,
    /// Asked of the userinfo endpoint with the account's access token.
    Userinfo,
}

impl Checked {
    /// How `whoami` and `status` say it.
    pub fn describe(self) -> &'static str {
        match self {
            Checked::IssuerKey => "ID token signature, with the issuer's public key",
            Checked::ClientSecret => "ID token MAC, with the client secret",
            Checked::TokenEndpoint => {
                "ID token from the token endpoint's channel (its MAC needs a client secret this app does not have)"
            }
            Checked::Userinfo => "userinfo endpoint, with the access token",
        }
    }

    /// One word for the `status` table.
    pub fn short(self) -> &'static str {
        match self {
            Checked::IssuerKey => "signature",
            Checked::ClientSecret => "client secret",
            Checked::TokenEndpoint => "token endpoint",
            Checked::Userinfo => "userinfo",
        }
    }
}

fn refused(reason: String) -> OAuthError {
    OAuthError::Malformed {
        endpoint: "token",
        reason: format!("the ID token {reason}; nothing was stored"),
    }
}

const ASYMMETRIC: [Algorithm; 9] = [
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
const MAC: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Checks `id_token`, which the token endpoint issued with `access_token` for `app`
/// (whose issuer must be known: the keys come from its metadata). `secret`: the
/// client secret, the key of a MAC-signed token. `nonce`: what the authorization
/// request sent (None for a refresh, which carries none).
pub fn validate(
    http: &Client,
    app: &App,
    id_token: &Secret,
    access_token: &Secret,
    secret: Option<&Secret>,
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
    let (key, checked) = if ASYMMETRIC.contains(&header.alg) {
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
        (Some(key), Checked::IssuerKey)
    } else if MAC.contains(&header.alg) {
        match secret {
            Some(secret) => (
                Some(DecodingKey::from_secret(secret.expose().as_bytes())),
                Checked::ClientSecret,
            ),
            // No key to check the MAC with: the channel it came by stands in.
            None => (None, Checked::TokenEndpoint),
        }
    } else {
        return Err(refused(format!(
            "is signed with {:?}, which outbound does not check",
            header.alg
        )));
    };
    let issuer_text = issuer.as_str();
    let issuers = [issuer_text, issuer_text.trim_end_matches('/')];
    let claims = match key {
        Some(key) => {
            let mut validation = Validation::new(header.alg);
            validation.set_issuer(&issuers);
            validation.set_audience(&[app.client_id.as_str()]);
            validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            validation.leeway = LEEWAY;
            jsonwebtoken::decode::<serde_json::Value>(id_token.expose(), &key, &validation)
                .map_err(|e| {
                    refused(format!(
                        "is not valid: {}",
                        describe(&e, header.alg, checked)
                    ))
                })?
                .claims
        }
        None => {
            let claims =
                jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(id_token.expose())
                    .map_err(|e| refused(format!("is not a JWT ({e})")))?
                    .claims;
            check_claims(&claims, &issuers, &app.client_id)
                .map_err(|why| refused(format!("is not valid: {why}")))?;
            claims
        }
    };
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
        checked: Some(checked),
    })
}

/// How far off a clock may be for `exp` and `nbf`.
const LEEWAY: u64 = 60;

/// The registered claims of an ID token whose signature the channel stood in for,
/// checked as jsonwebtoken checks those of a signed one: `exp`, `iss`, `aud`, `sub`
/// present; not expired, nor not yet valid (60 s leeway); this issuer; this client
/// among the audience.
fn check_claims(
    claims: &serde_json::Value,
    issuers: &[&str],
    client_id: &str,
) -> Result<(), String> {
    for name in ["exp", "iss", "aud", "sub"] {
        if claims.get(name).is_none() {
            return Err(format!("it lacks the `{name}` claim"));
        }
    }
    let now = crate::clock::now();
    let time = |name: &str| claims.get(name).and_then(serde_json::Value::as_u64);
    match time("exp") {
        Some(exp) if exp.saturating_add(LEEWAY) >= now => {}
        Some(_) => return Err("it has expired (exp)".into()),
        None => return Err("its `exp` is not a time".into()),
    }
    if time("nbf").is_some_and(|nbf| nbf > now.saturating_add(LEEWAY)) {
        return Err("it is not valid yet (nbf)".into());
    }
    if !claims["iss"]
        .as_str()
        .is_some_and(|iss| issuers.contains(&iss))
    {
        return Err("it comes from another issuer (iss)".into());
    }
    let for_us = match &claims["aud"] {
        serde_json::Value::String(aud) => aud == client_id,
        serde_json::Value::Array(auds) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !for_us {
        return Err("it is for another client (aud)".into());
    }
    Ok(())
}

fn describe(e: &jsonwebtoken::errors::Error, alg: Algorithm, checked: Checked) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidSignature if checked == Checked::ClientSecret => {
            format!("it is signed with {alg:?}, and its MAC does not verify with the client secret")
        }
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
        Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 | Algorithm::HS384 => {
            sha2::Sha384::digest(token.as_bytes()).to_vec()
        }
        Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA | Algorithm::HS512 => {
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
    fn claims_without_a_signature_are_checked_all_the_same() {
        let now = crate::clock::now();
        let good =
            serde_json::json!({"iss": "https://i", "aud": ["c", "x"], "sub": "s", "exp": now + 60});
        assert_eq!(check_claims(&good, &["https://i"], "c"), Ok(()));
        let with = |key: &str, value: serde_json::Value| {
            let mut claims = good.clone();
            claims[key] = value;
            check_claims(&claims, &["https://i"], "c").unwrap_err()
        };
        assert!(with("exp", (now - 61).into()).contains("(exp)"));
        assert!(with("nbf", (now + 61).into()).contains("(nbf)"));
        assert!(with("iss", "https://evil".into()).contains("(iss)"));
        assert!(with("aud", "other".into()).contains("(aud)"));
        assert!(with("aud", serde_json::json!(["other"])).contains("(aud)"));
        let mut no_sub = good.clone();
        no_sub.as_object_mut().unwrap().remove("sub");
        assert!(
            check_claims(&no_sub, &["https://i"], "c")
                .unwrap_err()
                .contains("`sub`")
        );
    }

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
