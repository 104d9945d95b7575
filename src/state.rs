//! Per-user, non-secret bookkeeping in the state directory: one record per (app id,
//! account) this user holds tokens for, with what `status` shows (expiry, scopes,
//! last error, last refresh) and the account's own overrides. Secrets live in the
//! store; this index is what lets `status`, `app delete` and `app reset` find them
//! without listing the keyring. A missing or corrupt index is rebuilt as empty.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;
use crate::store::{Backend, SecretStore, StoreError};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    pub app_id: String,
    pub app_name: String,
    pub account: String,
    /// The configuration file the app was defined in (orphans are judged per file).
    pub config: PathBuf,
    pub store: Backend,
    pub generation: u64,
    pub expires_at: Option<u64>,
    #[serde(default)]
    pub refresh_expires_at: Option<u64>,
    pub has_refresh: bool,
    pub scopes: Vec<String>,
    pub obtained_at: u64,
    #[serde(default)]
    pub last_refresh: Option<u64>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub needs_authorization: bool,
    /// Who the account is (from its ID token), for `status` and `whoami`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<crate::oauth::id_token::Identity>,
    /// What the account says for itself, kept across authorizations and refreshes
    /// (flattened: the index keeps the fields where they always were).
    #[serde(flatten)]
    pub settings: AccountSettings,
}

impl AccountRecord {
    /// This record with every time moved `by` seconds: from one clock to another.
    pub fn shifted(mut self, by: i64) -> AccountRecord {
        let at = |t: u64| crate::clock::shift(t, by);
        self.expires_at = self.expires_at.map(at);
        self.refresh_expires_at = self.refresh_expires_at.map(at);
        self.obtained_at = at(self.obtained_at);
        self.last_refresh = self.last_refresh.map(at);
        self
    }
}

/// The record a store shared between machines holds of (app, account), its times on
/// this machine's clock; None for a local store (the index is all there is), and for
/// a record that does not parse.
pub fn shared_record(
    store: &dyn SecretStore,
    app_id: &str,
    account: &str,
) -> std::result::Result<Option<AccountRecord>, StoreError> {
    let Some(json) = store.record(app_id, account)? else {
        return Ok(None);
    };
    let offset = store.clock_offset()?;
    Ok(serde_json::from_str::<AccountRecord>(&json)
        .ok()
        .map(|r| r.shifted(-offset)))
}

/// Keeps `record` (its times on this machine's clock) for every machine of a store
/// shared between them, on the store's clock; a no-op for a local store.
pub fn note_shared_record(
    store: &dyn SecretStore,
    record: &AccountRecord,
) -> std::result::Result<(), StoreError> {
    let offset = store.clock_offset()?;
    if let Ok(json) = serde_json::to_string(&record.clone().shifted(offset)) {
        store.note_record(&record.app_id, &record.account, &json)?;
    }
    Ok(())
}

/// An account's own settings (seed 002 gives each token an `active` flag and a base
/// URL): set by `authorize --scope/--prompt/--base-url` and `outbound account …`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    /// `authorize --scope` for this account, remembered.
    #[serde(default)]
    pub scope_override: Option<Vec<String>>,
    /// `authorize --prompt` for this account, remembered.
    #[serde(default)]
    pub prompt_override: Option<String>,
    /// `account disable`: every use of the account's tokens is refused; they are kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inactive: bool,
    /// Where `curl` resolves a relative URL for this account (before the app's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

/// What an app's server was found to take for client authentication the app leaves
/// open (see [`crate::oauth::Learned`]), kept in `client-auth.json` (not secret) per
/// app id, with the client id and token endpoint it was found with: a change of
/// either starts again from the defaults.
#[derive(Debug, Serialize, Deserialize)]
struct LearnedAuth {
    client_id: String,
    token_url: String,
    #[serde(flatten)]
    learned: crate::oauth::Learned,
}

pub fn learned_auth_path(state_dir: &Path) -> PathBuf {
    state_dir.join("client-auth.json")
}

fn read_learned(path: &Path) -> BTreeMap<String, LearnedAuth> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// What was found for `app`, or the defaults.
pub fn learned_auth(state_dir: &Path, app: &crate::app::App) -> crate::oauth::Learned {
    read_learned(&learned_auth_path(state_dir))
        .remove(&app.id)
        .filter(|l| l.client_id == app.client_id && l.token_url == app.token_url.as_str())
        .map(|l| l.learned)
        .unwrap_or_default()
}

/// Keeps what was found for `app` (the defaults: forgets it). A best effort: what is
/// lost is found again, at the cost of one refusal. Whether it was kept.
pub fn keep_learned_auth(
    state_dir: &Path,
    app: &crate::app::App,
    learned: crate::oauth::Learned,
) -> bool {
    let path = learned_auth_path(state_dir);
    let Ok(_lock) = fsutil::lock_exclusive(&fsutil::lock_path_for(&path)) else {
        return false;
    };
    let mut all = read_learned(&path);
    if learned == crate::oauth::Learned::default() {
        all.remove(&app.id);
    } else {
        all.insert(
            app.id.clone(),
            LearnedAuth {
                client_id: app.client_id.clone(),
                token_url: app.token_url.to_string(),
                learned,
            },
        );
    }
    serde_json::to_vec_pretty(&all)
        .ok()
        .is_some_and(|bytes| fsutil::write_atomic(&path, &bytes).is_ok())
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountRecord>,
}

pub fn index_path(state_dir: &Path) -> PathBuf {
    state_dir.join("index.json")
}

pub fn key(app_id: &str, account: &str) -> String {
    format!("{app_id}/{account}")
}

impl Index {
    pub fn load(state_dir: &Path) -> Index {
        Index::load_checked(state_dir).0
    }

    /// The index, and whether a file was there but unreadable (to be rebuilt).
    pub fn load_checked(state_dir: &Path) -> (Index, bool) {
        match std::fs::read(index_path(state_dir)) {
            Err(_) => (Index::default(), false),
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(index) => (index, false),
                Err(_) => (Index::default(), true),
            },
        }
    }

    /// Applies `change` to the index under its lock and saves it atomically.
    pub fn update<T>(state_dir: &Path, change: impl FnOnce(&mut Index) -> T) -> Result<T> {
        let path = index_path(state_dir);
        let _lock = fsutil::lock_exclusive(&fsutil::lock_path_for(&path))
            .map_err(|e| Error::io(format!("cannot lock {}", path.display()), e))?;
        let mut index = Index::load(state_dir);
        let value = change(&mut index);
        let bytes = serde_json::to_vec_pretty(&index)
            .map_err(|e| Error::Other(format!("cannot encode the state index: {e}")))?;
        fsutil::write_atomic(&path, &bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        Ok(value)
    }

    pub fn get(&self, app_id: &str, account: &str) -> Option<&AccountRecord> {
        self.accounts.get(&key(app_id, account))
    }

    pub fn accounts_of(&self, app_id: &str) -> Vec<String> {
        self.accounts
            .values()
            .filter(|r| r.app_id == app_id)
            .map(|r| r.account.clone())
            .collect()
    }
}
