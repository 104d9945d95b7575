//! The OS credential store of macOS and Windows, through `keyring-core` and the
//! platform store crates (Linux uses `secret_service`).
//!
//! Every call runs on a helper thread and is bounded by a timeout: a Secret Service
//! stuck on an unlock prompt must not hang a cron job.

use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use keyring_core::{Entry, Error as KError};

use super::{Backend, SecretStore, StoreError};
use crate::secret::Secret;

/// The `service` attribute of every item we create.
const SERVICE: &str = "outbound";

pub struct KeyringStore {
    timeout: Duration,
}

impl KeyringStore {
    pub fn new(timeout: Duration) -> Self {
        KeyringStore { timeout }
    }

    fn call<T: Send + 'static>(
        &self,
        key: &str,
        op: impl FnOnce(&Entry) -> Result<T, KError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = mpsc::channel();
        let key = key.to_owned();
        std::thread::spawn(move || {
            let result = init_default_store().and_then(|()| {
                let entry = Entry::new(SERVICE, &key).map_err(|e| map_error(&key, e))?;
                op(&entry).map_err(|e| map_error(&key, e))
            });
            // The receiver may have timed out and gone; nothing to do then.
            let _ = tx.send(result);
        });
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(_) => Err(StoreError::KeyringTimeout(self.timeout)),
        }
    }
}

impl SecretStore for KeyringStore {
    fn backend(&self) -> Backend {
        Backend::Keyring
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        self.call(key, |entry| match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        let value = secret.clone();
        self.call(key, move |entry| entry.set_password(value.expose()))
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.call(key, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(KError::NoEntry) => Ok(false),
            Err(e) => Err(e),
        })
    }
}

fn map_error(key: &str, error: KError) -> StoreError {
    match error {
        KError::BadEncoding(_) | KError::BadDataFormat(..) | KError::Ambiguous(_) => {
            StoreError::Corrupt {
                key: key.to_owned(),
                reason: describe(&error),
            }
        }
        other => StoreError::KeyringUnavailable {
            reason: describe(&other),
        },
    }
}

/// keyring-core's messages, without the payload some variants carry (bytes of a
/// secret must never reach an error message).
fn describe(error: &KError) -> String {
    match error {
        KError::PlatformFailure(e) | KError::NoStorageAccess(e) => e.to_string(),
        KError::BadEncoding(_) => "the stored value is not UTF-8".into(),
        KError::BadDataFormat(_, e) => format!("the stored value is malformed: {e}"),
        KError::Ambiguous(entries) => format!("{} items match", entries.len()),
        other => other.to_string(),
    }
}

/// Sets keyring-core's process-wide default store once. A failure (no session bus,
/// no Secret Service) is remembered: every call in this process reports it.
fn init_default_store() -> Result<(), StoreError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| platform_store().map(keyring_core::set_default_store))
        .clone()
        .map_err(|reason| StoreError::KeyringUnavailable { reason })
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>)
        .map_err(|e| describe(&e))
}

#[cfg(windows)]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>)
        .map_err(|e| describe(&e))
}
