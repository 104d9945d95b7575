//! The explicit file store: a 0600 JSON map in the state directory.
//!
//! Unencrypted (the user was warned when choosing it); written atomically under a
//! cross-process lock so concurrent processes never lose each other's writes.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::PathBuf;

use super::{Backend, SecretStore, StoreError};
use crate::fsutil;
use crate::secret::Secret;

pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        FileStore { path }
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::File {
            path: self.path.clone(),
            source,
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.is_empty() => Ok(BTreeMap::new()),
            // The parse error names a position, never the content.
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::FileCorrupt {
                path: self.path.clone(),
                reason: format!("line {} column {}", e.line(), e.column()),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.io(e)),
        }
    }

    fn update<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, String>) -> T,
    ) -> Result<T, StoreError> {
        let _lock =
            fsutil::lock_exclusive(&fsutil::lock_path_for(&self.path)).map_err(|e| self.io(e))?;
        let mut map = self.read()?;
        let result = f(&mut map);
        let bytes = serde_json::to_vec_pretty(&map).map_err(|e| self.io(e.into()))?;
        fsutil::write_atomic(&self.path, &bytes).map_err(|e| self.io(e))?;
        Ok(result)
    }
}

impl SecretStore for FileStore {
    fn backend(&self) -> Backend {
        Backend::File
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self.read()?.remove(key).map(Secret::new))
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        self.update(|map| {
            map.insert(key.to_owned(), secret.expose().to_owned());
        })
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        if !self.read()?.contains_key(key) {
            return Ok(false);
        }
        self.update(|map| map.remove(key).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("state/secrets.json"));
        assert_eq!(store.get("a").unwrap(), None);
        store.set("a", &Secret::new("s1")).unwrap();
        store.set("b", &Secret::new("s2")).unwrap();
        assert_eq!(store.get("a").unwrap(), Some(Secret::new("s1")));
        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
        assert_eq!(store.get("b").unwrap(), Some(Secret::new("s2")));
    }

    #[test]
    fn corrupt_file_is_reported_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, "{\"a\": \"topsecret").unwrap();
        let err = FileStore::new(path).get("a").unwrap_err().to_string();
        assert!(err.contains("not valid JSON"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
