//! Per-user, non-secret bookkeeping in the state directory: which (app id, account)
//! pairs this user holds tokens for. Secrets themselves live in the store; this index
//! is what lets `app delete` and `app reset` find them without listing the keyring.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub accounts: BTreeSet<(String, String)>,
}

pub fn index_path(state_dir: &Path) -> PathBuf {
    state_dir.join("index.json")
}

impl Index {
    /// Reads the index; a missing or unreadable one is empty (it holds nothing that
    /// cannot be found again, and a corrupt index must not block the user).
    pub fn load(state_dir: &Path) -> Index {
        std::fs::read(index_path(state_dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
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

    pub fn accounts_of(&self, app_id: &str) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|(id, _)| id == app_id)
            .map(|(_, account)| account.clone())
            .collect()
    }
}
