//! Where secrets live: one small trait, two backends.
//!
//! The OS credential store (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) is the default. The file store is an explicit choice, never a
//! silent fallback: when the keyring cannot be reached the error says why and names
//! both ways out. "Not found" (`Ok(None)`) and "unavailable" (`Err`) are different.

mod file;
#[cfg(any(target_os = "macos", windows))]
mod keyring;
#[cfg(all(unix, not(target_os = "macos")))]
mod secret_service;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::secret::Secret;

pub use file::FileStore;
#[cfg(any(target_os = "macos", windows))]
use keyring::KeyringStore as OsStore;
#[cfg(all(unix, not(target_os = "macos")))]
use secret_service::SecretServiceStore as OsStore;

crate::choice::choice! {
    /// The store backends a user can choose (`--store`, `OUTBOUND_STORE`, `store = ...`).
    pub enum Backend {
        Keyring = "keyring":
            "The OS credential store (Secret Service, Keychain, Credential Manager)",
        File = "file": "A 0600 JSON file in the state directory; unencrypted",
    }
}

pub trait SecretStore {
    fn backend(&self) -> Backend;
    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError>;
    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Returns whether something was deleted.
    fn delete(&self, key: &str) -> Result<bool, StoreError>;
}

/// The key under which an application's client secret is stored.
pub fn client_secret_key(app_id: &str) -> String {
    format!("client-secret/{app_id}")
}

/// The key under which an application's private key (`private_key_jwt`) is stored.
pub fn private_key_key(app_id: &str) -> String {
    format!("private-key/{app_id}")
}

/// The keys under which an application's TLS client certificate and its key are stored.
pub fn client_cert_key(app_id: &str) -> String {
    format!("client-cert/{app_id}")
}

pub fn client_tls_key_key(app_id: &str) -> String {
    format!("client-tls-key/{app_id}")
}

/// The key under which one account's tokens for an application are stored.
/// What deleting a dynamically registered client needs (RFC 7592).
pub fn registration_key(app_id: &str) -> String {
    format!("registration/{app_id}")
}

pub fn token_key(app_id: &str, account: &str) -> String {
    format!("token/{app_id}/{account}")
}

/// How long one keyring call may take before we give up (a Secret Service that
/// waits on an unlock prompt nobody will answer would otherwise hang a cron job).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

pub fn open(backend: Backend, state_dir: &Path) -> Box<dyn SecretStore> {
    match backend {
        Backend::Keyring => Box::new(OsStore::new(KEYRING_TIMEOUT)),
        Backend::File => Box::new(FileStore::new(state_dir.join("secrets.json"))),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the OS keyring could not be reached: {reason}\n  fix: start and unlock a Secret Service (for example gnome-keyring-daemon) in this session,\n  or:  use the file store: --store file (or OUTBOUND_STORE=file, or store = \"file\" at the top of the config file)"
    )]
    KeyringUnavailable { reason: String },

    #[error(
        "the OS keyring did not answer within {} s (is it waiting on an unlock prompt?)\n  fix: unlock the keyring, or use the file store: --store file (or OUTBOUND_STORE=file)",
        .0.as_secs()
    )]
    KeyringTimeout(Duration),

    #[error("the keyring entry `{key}` is unreadable: {reason}")]
    Corrupt { key: String, reason: String },

    #[error("the file store {}: {source}", .path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the file store {} is not valid JSON ({reason}); move it aside to start afresh",
        .path.display()
    )]
    FileCorrupt { path: PathBuf, reason: String },
}
