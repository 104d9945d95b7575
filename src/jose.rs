//! JOSE: the JWTs outbound signs (client assertions, RFC 7523; DPoP proofs, RFC 9449)
//! and the keys it signs them with. jsonwebtoken (on RustCrypto) does the signing
//! and the JWK work; this reads the key files users have — PKCS#8 (RSA, EC P-256,
//! Ed25519), PKCS#1 (RSA) and SEC1 (EC P-256) PEMs — picks the algorithm the key
//! implies, and says clearly what is wrong with a file that is not such a key.

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use crate::app::SigningAlg;
use crate::secret::Secret;

/// What a key is, as far as the algorithms it can sign with go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    P256,
    Ed25519,
    Hmac,
}

impl KeyKind {
    fn default_alg(self) -> SigningAlg {
        match self {
            KeyKind::Rsa => SigningAlg::Rs256,
            KeyKind::P256 => SigningAlg::Es256,
            KeyKind::Ed25519 => SigningAlg::EdDsa,
            KeyKind::Hmac => SigningAlg::Hs256,
        }
    }

    fn fits(self, alg: SigningAlg) -> bool {
        use SigningAlg::*;
        matches!(
            (self, alg),
            (KeyKind::Rsa, Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512)
                | (KeyKind::P256, Es256)
                | (KeyKind::Ed25519, EdDsa)
                | (KeyKind::Hmac, Hs256 | Hs384 | Hs512)
        )
    }

    fn describe(self) -> &'static str {
        match self {
            KeyKind::Rsa => "an RSA key (RS256, RS384, RS512, PS256, PS384, PS512)",
            KeyKind::P256 => "an EC P-256 key (ES256)",
            KeyKind::Ed25519 => "an Ed25519 key (EdDSA)",
            KeyKind::Hmac => "a client secret (HS256, HS384, HS512)",
        }
    }
}

/// A key to sign with, and the algorithm it signs with.
#[derive(Clone)]
pub struct SigningKey {
    key: EncodingKey,
    pub alg: SigningAlg,
    pub kind: KeyKind,
    pub kid: Option<String>,
    /// `x5t#S256`: the SHA-256 thumbprint of the key's certificate, for servers that
    /// name the key by its certificate (Microsoft Entra).
    pub x5t_s256: Option<String>,
    /// The public JWK, made once (a DPoP proof embeds it every time).
    jwk: Option<Jwk>,
    /// ring's signer for ES256 and RSA: several times faster than the RustCrypto
    /// one behind jsonwebtoken (BENCHMARKS.md), and already in the build (rustls).
    fast: Option<std::sync::Arc<FastSigner>>,
}

enum FastSigner {
    Ecdsa(ring::signature::EcdsaKeyPair),
    Rsa(
        ring::signature::RsaKeyPair,
        &'static dyn ring::signature::RsaEncoding,
    ),
}

impl FastSigner {
    /// ring's signer for this key and algorithm, where it has one.
    fn new(key: &EncodingKey, kind: KeyKind, alg: SigningAlg) -> Option<FastSigner> {
        use ring::signature as sig;
        let der = key.inner();
        match (kind, alg) {
            (KeyKind::P256, SigningAlg::Es256) => sig::EcdsaKeyPair::from_pkcs8(
                &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
                der,
                &ring::rand::SystemRandom::new(),
            )
            .ok()
            .map(FastSigner::Ecdsa),
            (KeyKind::Rsa, alg) => {
                let encoding: &'static dyn sig::RsaEncoding = match alg {
                    SigningAlg::Rs256 => &sig::RSA_PKCS1_SHA256,
                    SigningAlg::Rs384 => &sig::RSA_PKCS1_SHA384,
                    SigningAlg::Rs512 => &sig::RSA_PKCS1_SHA512,
                    SigningAlg::Ps256 => &sig::RSA_PSS_SHA256,
                    SigningAlg::Ps384 => &sig::RSA_PSS_SHA384,
                    SigningAlg::Ps512 => &sig::RSA_PSS_SHA512,
                    _ => return None,
                };
                sig::RsaKeyPair::from_der(der)
                    .or_else(|_| sig::RsaKeyPair::from_pkcs8(der))
                    .ok()
                    .map(|pair| FastSigner::Rsa(pair, encoding))
            }
            _ => None,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let rng = ring::rand::SystemRandom::new();
        match self {
            FastSigner::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "cannot sign (ECDSA)".to_owned()),
            FastSigner::Rsa(pair, encoding) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(*encoding, &rng, message, &mut signature)
                    .map_err(|_| "cannot sign (RSA)".to_owned())?;
                Ok(signature)
            }
        }
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        write!(f, "SigningKey({:?}, {})", self.kind, self.alg.as_str())
    }
}

/// Reads a private key from PEM text. `alg`, when given, must fit the key; without
/// it the key decides (RSA: RS256, P-256: ES256, Ed25519: EdDSA).
pub fn private_key(pem: &Secret, alg: Option<SigningAlg>) -> Result<SigningKey, String> {
    let text = pem.expose().trim();
    let label = text
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .map(|(label, _)| label)
        .ok_or("not a PEM file (no -----BEGIN … ----- line): give the private key in PEM")?;
    let (kind, key) = match label {
        "RSA PRIVATE KEY" => (
            KeyKind::Rsa,
            EncodingKey::from_rsa_pem(text.as_bytes())
                .map_err(|e| format!("not a usable RSA private key (PKCS#1): {e}"))?,
        ),
        "EC PRIVATE KEY" => {
            let key = p256::SecretKey::from_sec1_pem(text).map_err(|_| {
                "not an EC P-256 private key (SEC1); only P-256 (ES256) EC keys are supported"
                    .to_owned()
            })?;
            let der = key
                .to_pkcs8_der()
                .map_err(|e| format!("cannot re-encode the EC key: {e}"))?;
            (KeyKind::P256, EncodingKey::from_ec_der(der.as_bytes()))
        }
        "PRIVATE KEY" => pkcs8(text)?,
        "ENCRYPTED PRIVATE KEY" => {
            return Err("the private key is encrypted; decrypt it first: openssl pkey -in KEY.pem -out plain.pem (and keep that file private)".into());
        }
        "CERTIFICATE" | "PUBLIC KEY" | "RSA PUBLIC KEY" => {
            return Err(format!(
                "this is a {}, not a private key",
                label.to_lowercase()
            ));
        }
        other => return Err(format!("a PEM `{other}` is not a private key")),
    };
    finish(key, kind, alg)
}

/// The client secret as an HMAC key (`client_secret_jwt`).
pub fn hmac_key(secret: &Secret, alg: Option<SigningAlg>) -> Result<SigningKey, String> {
    finish(
        EncodingKey::from_secret(secret.expose().as_bytes()),
        KeyKind::Hmac,
        alg,
    )
}

fn pkcs8(text: &str) -> Result<(KeyKind, EncodingKey), String> {
    let (_, doc) = p256::pkcs8::SecretDocument::from_pem(text)
        .map_err(|e| format!("not a PKCS#8 private key: {e}"))?;
    let info = p256::pkcs8::PrivateKeyInfo::try_from(doc.as_bytes())
        .map_err(|e| format!("not a PKCS#8 private key: {e}"))?;
    const RSA: &str = "1.2.840.113549.1.1.1";
    const EC: &str = "1.2.840.10045.2.1";
    const P256: &str = "1.2.840.10045.3.1.7";
    const ED25519: &str = "1.3.101.112";
    let oid = info.algorithm.oid.to_string();
    match oid.as_str() {
        RSA => Ok((
            KeyKind::Rsa,
            EncodingKey::from_rsa_pem(text.as_bytes())
                .map_err(|e| format!("not a usable RSA private key: {e}"))?,
        )),
        EC => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map(|o| o.to_string())
                .unwrap_or_default();
            if curve != P256 {
                return Err(format!(
                    "an EC key on curve {curve}; only P-256 (ES256) is supported"
                ));
            }
            p256::SecretKey::from_pkcs8_der(doc.as_bytes())
                .map_err(|e| format!("not a usable EC P-256 private key: {e}"))?;
            Ok((KeyKind::P256, EncodingKey::from_ec_der(doc.as_bytes())))
        }
        ED25519 => Ok((
            KeyKind::Ed25519,
            EncodingKey::from_ed_pem(text.as_bytes())
                .map_err(|e| format!("not a usable Ed25519 private key: {e}"))?,
        )),
        other => Err(format!(
            "a private key of algorithm {other}; RSA, EC P-256 and Ed25519 keys are supported"
        )),
    }
}

fn finish(key: EncodingKey, kind: KeyKind, alg: Option<SigningAlg>) -> Result<SigningKey, String> {
    let alg = alg.unwrap_or(kind.default_alg());
    if !kind.fits(alg) {
        return Err(format!(
            "--signing-alg {} does not fit {}",
            alg.as_str(),
            kind.describe()
        ));
    }
    let fast = FastSigner::new(&key, kind, alg).map(std::sync::Arc::new);
    let mut key = SigningKey {
        key,
        alg,
        kind,
        kid: None,
        x5t_s256: None,
        jwk: None,
        fast,
    };
    // DPoP keys are P-256: their JWK is made once here.
    if kind == KeyKind::P256 {
        key.jwk = Some(key.make_public_jwk()?);
    }
    // A key that parses may still not sign (a truncated RSA key): find out now.
    key.sign(None, &serde_json::json!({}), false)?;
    Ok(key)
}

impl SigningKey {
    pub fn with_kid(mut self, kid: Option<String>) -> SigningKey {
        self.kid = kid;
        self
    }

    /// Names the key by its certificate: `x5t#S256` of the (first) certificate in
    /// `pem`.
    pub fn with_certificate(mut self, pem: &Secret) -> Result<SigningKey, String> {
        let der = p256::pkcs8::der::Document::from_pem(pem.expose().trim())
            .map_err(|e| format!("not a PEM certificate: {e}"))?
            .1;
        let digest = <sha2::Sha256 as sha2::Digest>::digest(der.as_bytes());
        self.x5t_s256 = Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest));
        Ok(self)
    }

    /// A compact JWS of `claims`, with `typ` and, when `embed_jwk`, the public key
    /// in the header (DPoP).
    pub fn sign(
        &self,
        typ: Option<&str>,
        claims: &serde_json::Value,
        embed_jwk: bool,
    ) -> Result<String, String> {
        let mut header = Header::new(algorithm(self.alg));
        header.typ = typ.map(str::to_owned);
        header.kid = self.kid.clone();
        header.x5t_s256 = self.x5t_s256.clone();
        if embed_jwk {
            header.jwk = Some(self.public_jwk()?);
        }
        let Some(fast) = &self.fast else {
            return jsonwebtoken::encode(&header, claims, &self.key)
                .map_err(|e| format!("cannot sign: {e}"));
        };
        // The compact serialization (RFC 7515 §7.1), signed by ring.
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let header = serde_json::to_vec(&header).map_err(|e| format!("cannot encode: {e}"))?;
        let claims = serde_json::to_vec(claims).map_err(|e| format!("cannot encode: {e}"))?;
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let signature = fast.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", b64(&signature)))
    }

    /// The public half as a JWK (only the key's own parameters).
    pub fn public_jwk(&self) -> Result<Jwk, String> {
        match &self.jwk {
            Some(jwk) => Ok(jwk.clone()),
            None => self.make_public_jwk(),
        }
    }

    fn make_public_jwk(&self) -> Result<Jwk, String> {
        // jsonwebtoken panics on an Ed25519 key here; outbound needs JWKs of P-256
        // (DPoP) and RSA keys only.
        if matches!(self.kind, KeyKind::Ed25519 | KeyKind::Hmac) {
            return Err(format!(
                "no public JWK is made for {}",
                self.kind.describe()
            ));
        }
        let mut jwk = Jwk::from_encoding_key(&self.key, algorithm(self.alg))
            .map_err(|e| format!("cannot make the public JWK: {e}"))?;
        jwk.common = Default::default();
        Ok(jwk)
    }

    /// The RFC 7638 thumbprint of the public key (SHA-256, base64url).
    pub fn thumbprint(&self) -> Result<String, String> {
        Ok(self
            .public_jwk()?
            .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256))
    }
}

fn algorithm(alg: SigningAlg) -> Algorithm {
    match alg {
        SigningAlg::Rs256 => Algorithm::RS256,
        SigningAlg::Rs384 => Algorithm::RS384,
        SigningAlg::Rs512 => Algorithm::RS512,
        SigningAlg::Ps256 => Algorithm::PS256,
        SigningAlg::Ps384 => Algorithm::PS384,
        SigningAlg::Ps512 => Algorithm::PS512,
        SigningAlg::Es256 => Algorithm::ES256,
        SigningAlg::EdDsa => Algorithm::EdDSA,
        SigningAlg::Hs256 => Algorithm::HS256,
        SigningAlg::Hs384 => Algorithm::HS384,
        SigningAlg::Hs512 => Algorithm::HS512,
    }
}

/// A fresh EC P-256 key pair (DPoP), as PKCS#8 PEM to keep in the store.
pub fn new_p256_pem() -> Result<Secret, String> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
        // Out-of-range scalars are astronomically rare; draw again.
        let Ok(key) = p256::SecretKey::from_slice(&bytes) else {
            continue;
        };
        let pem = key
            .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .map_err(|e| format!("cannot encode a new key: {e}"))?;
        return Ok(Secret::new(pem.to_string()));
    }
}

/// A client assertion (RFC 7523 §2.2, OpenID `private_key_jwt`/`client_secret_jwt`):
/// `iss` = `sub` = the client id, `aud`, a random `jti`, `iat`, and `exp` a minute on.
pub fn client_assertion(
    key: &SigningKey,
    client_id: &str,
    audience: &str,
) -> Result<Secret, String> {
    let now = crate::clock::now();
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": random_id()?,
        "iat": now,
        "exp": now + 60,
    });
    key.sign(None, &claims, false).map(Secret::new)
}

/// 128 random bits, base64url: a JWT id.
pub fn random_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pick_their_algorithm_and_refuse_what_does_not_fit() {
        let pem = new_p256_pem().unwrap();
        let key = private_key(&pem, None).unwrap();
        assert_eq!(key.alg, SigningAlg::Es256);
        let err = private_key(&pem, Some(SigningAlg::Rs256)).unwrap_err();
        assert!(err.contains("does not fit an EC P-256 key"), "{err}");
        let jwt = client_assertion(&key, "cid", "https://as.example").unwrap();
        assert_eq!(jwt.expose().split('.').count(), 3);
        assert_eq!(key.thumbprint().unwrap().len(), 43);
        for (text, want) in [
            ("hello", "not a PEM file"),
            (
                "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
                "not a private key",
            ),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----",
                "encrypted",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                "not a PKCS#8",
            ),
        ] {
            let err = private_key(&Secret::new(text), None).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
        let hs = hmac_key(&Secret::new("s".repeat(40)), Some(SigningAlg::Hs512)).unwrap();
        assert_eq!(hs.alg, SigningAlg::Hs512);
        assert!(hmac_key(&Secret::new("s"), Some(SigningAlg::Es256)).is_err());
    }
}
