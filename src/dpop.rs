//! DPoP (RFC 9449): sender-constrained tokens. Each (app, account) has its own EC
//! P-256 key pair, made on first use and kept in the secret store beside the tokens;
//! every token request and every `curl` request that carries the token gets a fresh
//! proof (`htm`, `htu` without query and fragment, `iat`, a random `jti`, and `ath`
//! for the access token). A server's `DPoP-Nonce` is remembered per origin in the
//! state directory (`dpop-nonces.json`, not secret) until it sends another, so later
//! runs start with it instead of being refused first. The authorization server's and
//! the API's nonces are kept apart, even on one origin: each issues its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::Digest;
use url::Url;

use crate::jose::SigningKey;
use crate::secret::Secret;
use crate::store::SecretStore;

/// Whose nonce: the authorization server's (token requests) or the API's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Authorization,
    Resource,
}

impl Server {
    fn key(self, url: &Url) -> String {
        let origin = url.origin().ascii_serialization();
        match self {
            Server::Authorization => format!("{origin} (authorization server)"),
            Server::Resource => origin,
        }
    }
}

/// One account's DPoP key, and where the nonces are remembered.
#[derive(Clone)]
pub struct Dpop {
    key: SigningKey,
    nonces: PathBuf,
}

/// The store key of the DPoP key of (app, account).
pub fn key_name(app_id: &str, account: &str) -> String {
    crate::store::kinds::Kind::DpopKey.account_key(app_id, account)
}

impl Dpop {
    /// The account's key from the store, made (and kept) when it has none yet.
    pub fn load_or_create(
        store: &dyn SecretStore,
        state_dir: &Path,
        app_id: &str,
        account: &str,
    ) -> crate::error::Result<Dpop> {
        let name = key_name(app_id, account);
        let pem = match store.get(&name)? {
            Some(pem) => pem,
            None => {
                let pem = crate::jose::new_p256_pem().map_err(crate::error::Error::Other)?;
                store.set(&name, &pem)?;
                pem
            }
        };
        let key = crate::jose::private_key(&pem, None).map_err(|why| {
            crate::error::Error::Other(format!(
                "the DPoP key of account `{account}` in the store is unusable ({why}); log out to make a new one"
            ))
        })?;
        Ok(Dpop {
            key,
            nonces: state_dir.join("dpop-nonces.json"),
        })
    }

    /// A proof for one request: `method` to `url`, with `ath` when it carries
    /// `access_token`, and the nonce last heard from the URL's origin.
    pub fn proof(
        &self,
        server: Server,
        method: &str,
        url: &Url,
        access_token: Option<&Secret>,
    ) -> Result<Secret, String> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = serde_json::json!({
            "jti": crate::jose::random_id()?,
            "htm": method,
            "htu": htu.as_str(),
            "iat": crate::clock::now(),
        });
        if let Some(token) = access_token {
            claims["ath"] = ath(token).into();
        }
        if let Some(nonce) = self.nonce(server, url) {
            claims["nonce"] = nonce.into();
        }
        self.key
            .sign(Some("dpop+jwt"), &claims, true)
            .map(Secret::new)
    }

    /// The key's RFC 7638 thumbprint (what a bound token's `cnf.jkt` names).
    pub fn thumbprint(&self) -> Result<String, String> {
        self.key.thumbprint()
    }

    /// The nonce last heard from `url`'s origin.
    pub fn nonce(&self, server: Server, url: &Url) -> Option<String> {
        read(&self.nonces).remove(&server.key(url))
    }

    /// Remembers the nonce a server sent (a best effort: losing it costs one refusal).
    pub fn remember(&self, server: Server, url: &Url, nonce: &str) {
        let nonce = nonce.trim();
        // A nonce is opaque, but a header's worth of visible ASCII at most.
        if nonce.is_empty() || nonce.len() > 1024 || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
            return;
        }
        let origin = server.key(url);
        let Ok(_lock) = crate::fsutil::lock_exclusive(&crate::fsutil::lock_path_for(&self.nonces))
        else {
            return;
        };
        let mut all = read(&self.nonces);
        if all.get(&origin).map(String::as_str) == Some(nonce) {
            return;
        }
        all.insert(origin, nonce.to_owned());
        if let Ok(bytes) = serde_json::to_vec_pretty(&all) {
            let _ = crate::fsutil::write_atomic(&self.nonces, &bytes);
        }
    }
}

fn read(path: &Path) -> BTreeMap<String, String> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// `ath`: base64url(SHA-256(access token)).
pub fn ath(token: &Secret) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(token.expose().as_bytes()))
}

/// Whether an answer asks for a (new) nonce: the `use_dpop_nonce` error, in a JSON
/// body (token endpoint) or a `WWW-Authenticate` challenge (resource server).
pub fn asks_for_nonce(www_authenticate: Option<&str>, body: &[u8]) -> bool {
    www_authenticate.is_some_and(|h| h.contains("use_dpop_nonce"))
        || serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .is_some_and(|v| v["error"] == "use_dpop_nonce")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proofs_carry_the_request_and_the_remembered_nonce() {
        let dir = tempfile::tempdir().unwrap();
        let pem = crate::jose::new_p256_pem().unwrap();
        let dpop = Dpop {
            key: crate::jose::private_key(&pem, None).unwrap(),
            nonces: dir.path().join("dpop-nonces.json"),
        };
        let url = Url::parse("https://api.example/x?q=1#f").unwrap();
        dpop.remember(Server::Resource, &url, "n-1");
        dpop.remember(Server::Authorization, &url, "as-1");
        let proof = dpop
            .proof(Server::Resource, "GET", &url, Some(&Secret::new("tok")))
            .unwrap();
        let parts: Vec<&str> = proof.expose().split('.').collect();
        let decode = |p: &str| -> serde_json::Value {
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .unwrap(),
            )
            .unwrap()
        };
        let (header, claims) = (decode(parts[0]), decode(parts[1]));
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert!(header["jwk"].get("d").is_none(), "never the private part");
        assert_eq!(claims["htu"], "https://api.example/x");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["ath"], ath(&Secret::new("tok")));
        let other = Url::parse("https://other.example/").unwrap();
        assert!(dpop.nonce(Server::Resource, &other).is_none());
        assert_eq!(
            dpop.nonce(Server::Authorization, &url).as_deref(),
            Some("as-1")
        );
        assert!(asks_for_nonce(Some("DPoP error=\"use_dpop_nonce\""), b""));
        assert!(asks_for_nonce(None, br#"{"error":"use_dpop_nonce"}"#));
        assert!(!asks_for_nonce(None, br#"{"error":"invalid_grant"}"#));
    }
}
