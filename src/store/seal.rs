//! Client-side encryption for a store other people can read (PostgreSQL): every
//! secret is sealed with AES-256-GCM (RustCrypto) before it leaves the machine.
//!
//! The data key is 32 random bytes, base64 (`openssl rand -base64 32`), from
//! `OUTBOUND_STORE_KEY_FILE`, the output of `store_key_command`, or the keyring
//! (entry `store-key`). A key text may hold several keys, one per line: the first
//! seals, all of them open (what `store rotate-key` needs while machines change
//! over). Each row keeps the id of the key that sealed it (the first 8 bytes of
//! SHA-256 over the key, hex), so a wrong key is named as such rather than looking
//! like tampering. The associated data binds a ciphertext to its application id,
//! account and kind: a ciphertext moved to another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::secret::Secret;

const NONCE_LEN: usize = 12;

/// The data keys this machine holds: the first seals, every one opens.
pub struct DataKeys {
    keys: Vec<(String, Aes256Gcm)>,
}

/// Where a sealed value belongs; part of what the seal authenticates.
pub struct Place<'a> {
    pub app_id: &'a str,
    pub account: &'a str,
    pub kind: &'a str,
}

impl Place<'_> {
    fn associated_data(&self) -> Vec<u8> {
        // Lengths first: no two places share an encoding.
        let mut aad = b"outbound-store-v1".to_vec();
        for part in [self.app_id, self.account, self.kind] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

/// Why a sealed value did not open.
#[derive(Debug, PartialEq)]
pub enum OpenError {
    /// Sealed with a key this machine does not hold.
    UnknownKey { row_key: String, ours: Vec<String> },
    /// The key matches but the seal does not: moved to another row, or altered.
    Forged,
}

impl DataKeys {
    /// Reads one or more base64 keys, one per line (blank lines and `#` comments
    /// skipped). `origin` names where the text came from, for the error.
    pub fn parse(text: &str, origin: &str) -> Result<DataKeys, String> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bytes = Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(line)
                    .map_err(|_| {
                        format!(
                            "{origin}, line {}: not base64 (make a data key with `openssl rand -base64 32`)",
                            n + 1
                        )
                    })?,
            );
            if bytes.len() != 32 {
                return Err(format!(
                    "{origin}, line {}: a data key is 32 bytes, this one is {} (make one with `openssl rand -base64 32`)",
                    n + 1,
                    bytes.len()
                ));
            }
            let cipher =
                Aes256Gcm::new_from_slice(&bytes).map_err(|_| format!("{origin}: unusable key"))?;
            keys.push((key_id(&bytes), cipher));
        }
        if keys.is_empty() {
            return Err(format!(
                "{origin} holds no data key (make one with `openssl rand -base64 32`)"
            ));
        }
        Ok(DataKeys { keys })
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|(id, _)| id.clone()).collect()
    }

    /// Seals `secret` for `place` with the current key: (key id, nonce ‖ ciphertext).
    pub fn seal(&self, secret: &Secret, place: &Place) -> Result<(String, Vec<u8>), String> {
        let (id, cipher) = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness for a nonce: {e}"))?;
        let aad = place.associated_data();
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok((id.clone(), out))
    }

    /// Opens what [`DataKeys::seal`] made for `place` with key `key_id`.
    pub fn open(&self, key_id: &str, sealed: &[u8], place: &Place) -> Result<Secret, OpenError> {
        let Some((_, cipher)) = self.keys.iter().find(|(id, _)| id == key_id) else {
            return Err(OpenError::UnknownKey {
                row_key: key_id.to_owned(),
                ours: self.ids(),
            });
        };
        if sealed.len() < NONCE_LEN {
            return Err(OpenError::Forged);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let aad = place.associated_data();
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| OpenError::Forged)?,
        );
        String::from_utf8(plain.to_vec())
            .map(Secret::new)
            .map_err(|_| OpenError::Forged)
    }
}

/// The first 8 bytes of SHA-256 over the key, hex: names a key without revealing it.
fn key_id(key: &[u8]) -> String {
    let digest = Sha256::digest(key);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const KEY_B: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    fn place<'a>(app: &'a str, account: &'a str) -> Place<'a> {
        Place {
            app_id: app,
            account,
            kind: "token",
        }
    }

    #[test]
    fn seals_and_opens_only_in_its_place() {
        let keys = DataKeys::parse(KEY_A, "test").unwrap();
        let secret = Secret::new("s3cr3t");
        let (id, sealed) = keys.seal(&secret, &place("app1", "default")).unwrap();
        assert_eq!(id, keys.current_id());
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        assert_eq!(
            keys.open(&id, &sealed, &place("app1", "default")).unwrap(),
            secret
        );
        assert_eq!(
            keys.open(&id, &sealed, &place("app1", "other")),
            Err(OpenError::Forged)
        );
        assert_eq!(
            keys.open(&id, &sealed, &place("app2", "default")),
            Err(OpenError::Forged)
        );
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(
            keys.open(&id, &altered, &place("app1", "default")),
            Err(OpenError::Forged)
        );
    }

    #[test]
    fn a_wrong_key_is_named_and_older_keys_still_open() {
        let a = DataKeys::parse(KEY_A, "test").unwrap();
        let b = DataKeys::parse(KEY_B, "test").unwrap();
        let (id, sealed) = a.seal(&Secret::new("x"), &place("p", "q")).unwrap();
        assert!(matches!(
            b.open(&id, &sealed, &place("p", "q")),
            Err(OpenError::UnknownKey { .. })
        ));
        let both = DataKeys::parse(&format!("{KEY_B}\n# old\n{KEY_A}\n"), "test").unwrap();
        assert_eq!(both.current_id(), b.current_id());
        assert!(both.open(&id, &sealed, &place("p", "q")).is_ok());
    }

    #[test]
    fn bad_key_texts_are_refused_with_the_reason() {
        assert!(
            DataKeys::parse("", "f")
                .err()
                .unwrap()
                .contains("no data key")
        );
        assert!(
            DataKeys::parse("not base64!", "f")
                .err()
                .unwrap()
                .contains("not base64")
        );
        assert!(
            DataKeys::parse("c2hvcnQ=", "f")
                .err()
                .unwrap()
                .contains("32 bytes")
        );
    }
}
