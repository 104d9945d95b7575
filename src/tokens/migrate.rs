//! Moving this user's secrets from one store to another (`outbound store migrate`):
//! each app's client secret and each account's tokens, copied, read back, recorded,
//! and only then deleted from the old store. A run cut short leaves every secret
//! readable in at least one store, and running it again finishes the move.

use super::refresh::{lock_path, lock_with_timeout};
use crate::app::App;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::state::Index;
use crate::store::SecretStore;
use crate::store::kinds::{self, Kind};

/// What a migration moved.
#[derive(Debug, Default)]
pub struct Moved {
    pub client_secrets: usize,
    pub accounts: usize,
}

/// Moves the secrets of `apps` (their client secrets, when the store holds them,
/// and the tokens of every account this user has) from `from` to `to`.
pub fn migrate(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    state_dir: &std::path::Path,
    apps: &[App],
) -> Result<Moved> {
    let mut moved = Moved::default();
    // The team store's client secrets are everyone's: copied out, never deleted.
    let shared = from.backend() == crate::store::Backend::Postgres;
    for app in apps {
        // Every secret of the app its settings keep in the store (kinds::KINDS).
        for kind in kinds::of_app() {
            let key = kind.app_key(&app.id);
            if kind.kept_in_store(app) && copy(from, to, &key)? {
                if !shared {
                    from.delete(&key)?;
                }
                if kind != Kind::Registration {
                    moved.client_secrets += 1;
                }
            }
        }
        for account in Index::load(state_dir).accounts_of(&app.id) {
            // A refresh in flight saves into the old store first, then it is moved.
            let _lock = lock_with_timeout(&lock_path(state_dir, &app.id, &account))?;
            let key = Kind::Tokens.account_key(&app.id, &account);
            if !copy_tokens(from, to, &key)? {
                continue;
            }
            // What else the account holds (its DPoP key), moved with its tokens.
            for kind in kinds::of_account().filter(|k| *k != Kind::Tokens) {
                let other = kind.account_key(&app.id, &account);
                if copy(from, to, &other)? {
                    from.delete(&other)?;
                }
            }
            let backend = to.backend();
            let record = Index::update(state_dir, |index| {
                let record = index
                    .accounts
                    .get_mut(&crate::state::key(&app.id, &account))?;
                record.store = backend;
                Some(record.clone())
            })?;
            // What `status` shows on every machine of a team store.
            if let Some(record) = record {
                crate::state::note_shared_record(to, &record)?;
            }
            from.delete(&key)?;
            moved.accounts += 1;
        }
    }
    Ok(moved)
}

/// Copies one secret, and reads it back from `to` before anything is deleted.
/// Returns whether there was one to copy.
fn copy(from: &dyn SecretStore, to: &dyn SecretStore, key: &str) -> Result<bool> {
    copy_as(from, to, key, |secret| secret)
}

/// [`copy`] for an account's tokens, their times moved from `from`'s clock to `to`'s
/// (the team store keeps them on its database's; an entry that does not parse is
/// copied as it is).
fn copy_tokens(from: &dyn SecretStore, to: &dyn SecretStore, key: &str) -> Result<bool> {
    let by = to.clock_offset()?.saturating_sub(from.clock_offset()?);
    copy_as(from, to, key, |secret| {
        if by == 0 {
            return secret;
        }
        match serde_json::from_str::<super::StoredToken>(secret.expose()) {
            Ok(token) => serde_json::to_string(&token.shifted(by)).map_or(secret, Secret::new),
            Err(_) => secret,
        }
    })
}

/// [`copy`], writing what `convert` makes of the secret.
fn copy_as(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    key: &str,
    convert: impl FnOnce(Secret) -> Secret,
) -> Result<bool> {
    let Some(secret) = from.get(key)? else {
        return Ok(false);
    };
    let secret = convert(secret);
    to.set(key, &secret)?;
    match to.get(key)? {
        Some(back) if back == secret => Ok(true),
        _ => Err(Error::Other(format!(
            "the {} store did not give back what was written under `{key}`; nothing was deleted from the {} store",
            to.backend().as_str(),
            from.backend().as_str()
        ))),
    }
}
