//! The authorization-code request: PKCE (RFC 7636, S256), `state`, and the URL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use crate::app::App;
use crate::secret::Secret;

/// `n` random bytes, base64url without padding.
pub fn random_token(n: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A PKCE pair: the verifier stays with us, the challenge goes in the URL.
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce, String> {
        // 32 bytes -> 43 characters, the minimum length RFC 7636 allows and 256 bits.
        let verifier = random_token(32)?;
        Ok(Pkce {
            challenge: challenge_for(&verifier),
            verifier: Secret::new(verifier),
        })
    }
}

pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Everything that varies per authorization.
pub struct AuthRequest<'a> {
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    pub prompt: Option<&'a str>,
    pub state: &'a str,
    pub challenge: Option<&'a str>,
    /// OpenID Connect's `nonce`, echoed in the ID token.
    pub nonce: Option<&'a str>,
    /// The thumbprint of the DPoP key the code will be exchanged with (RFC 9449 §10):
    /// a code stolen on its way back is useless without that key.
    pub dpop_jkt: Option<&'a str>,
}

/// The authorization URL: the app's URL with its own query parameters kept, then
/// ours, then the app's extra parameters.
pub fn authorization_url(app: &App, auth_url: &Url, req: &AuthRequest) -> Url {
    let mut url = auth_url.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair(&app.client_id_param, &app.client_id);
        q.append_pair("redirect_uri", req.redirect_uri);
        if !req.scopes.is_empty() {
            q.append_pair("scope", &req.scopes.join(&app.scope_delimiter));
        }
        q.append_pair("state", req.state);
        if let Some(challenge) = req.challenge {
            q.append_pair("code_challenge", challenge);
            q.append_pair("code_challenge_method", "S256");
        }
        if let Some(prompt) = req.prompt {
            q.append_pair("prompt", prompt);
        }
        if let Some(jkt) = req.dpop_jkt {
            q.append_pair("dpop_jkt", jkt);
        }
        if let Some(nonce) = req.nonce {
            q.append_pair("nonce", nonce);
        }
        // RFC 8707: every resource the tokens are for.
        for resource in &app.resources {
            q.append_pair("resource", resource);
        }
        for (k, v) in &app.auth_params {
            q.append_pair(k, v);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn pkce_and_state_are_fresh_and_long_enough() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_eq!(a.verifier.expose().len(), 43);
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.challenge, challenge_for(a.verifier.expose()));
        assert_eq!(random_token(32).unwrap().len(), 43);
    }
}
