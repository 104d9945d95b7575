//! Where secrets live: one small trait, two backends.
//!
//! The OS credential store (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) is the default. The file store is an explicit choice, never a
//! silent fallback: when the keyring cannot be reached the error says why and names
//! both ways out. "Not found" (`Ok(None)`) and "unavailable" (`Err`) are different.

mod file;
#[cfg(any(target_os = "macos", windows))]
mod keyring;
pub mod kinds;
pub mod postgres;
pub mod seal;
#[cfg(all(unix, not(target_os = "macos")))]
mod secret_service;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::exit;
use crate::secret::Secret;

pub use file::FileStore;
#[cfg(any(target_os = "macos", windows))]
use keyring::KeyringStore as OsStore;
#[cfg(all(unix, not(target_os = "macos")))]
use secret_service::SecretServiceStore as OsStore;

/// The store backends (chosen in the configuration, so declared with its settings).
pub use crate::app::Backend;

pub trait SecretStore {
    fn backend(&self) -> Backend;
    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError>;
    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Returns whether something was deleted.
    fn delete(&self, key: &str) -> Result<bool, StoreError>;

    /// Seconds to add to this machine's clock to read the clock this store's times
    /// are kept on (token expiry, when tokens were obtained, the records `status`
    /// shows). 0 for a store of one machine, whose times are this machine's; a store
    /// shared between machines keeps them on one clock (the team store: its
    /// database's), and each machine converts with its own offset, so machines whose
    /// clocks differ agree on when a token expires.
    fn clock_offset(&self) -> Result<i64, StoreError> {
        Ok(0)
    }

    /// A store shared between machines: the fleet-wide lease on refreshing (app,
    /// account), waiting at most `wait`. None for a store of one machine, where the
    /// local lock serves.
    fn lease(
        &self,
        _app_id: &str,
        _account: &str,
        _wait: Duration,
    ) -> Option<Result<LeaseGuard, StoreError>> {
        None
    }

    /// From now on (app, account) means this role's personal account, or the one
    /// shared with the group when `shared`, for reads and writes, checked at once (a
    /// shared store: see [`postgres::PgStore::aim`]); a no-op for a local store, whose
    /// accounts are all the user's own.
    fn aim_account(&self, _app_id: &str, _account: &str, _shared: bool) -> Result<(), StoreError> {
        Ok(())
    }

    /// What every machine knows of (app, account) beyond its tokens (a shared store).
    fn shared_state(
        &self,
        _app_id: &str,
        _account: &str,
    ) -> Result<Option<SharedState>, StoreError> {
        Ok(None)
    }

    /// Keeps what `status` shows of (app, account) for every machine (a no-op for a
    /// local store, where the state index is all there is).
    fn note_record(&self, _app_id: &str, _account: &str, _record: &str) -> Result<(), StoreError> {
        Ok(())
    }

    /// The record of (app, account) as a shared store holds it; None for a local one.
    fn record(&self, _app_id: &str, _account: &str) -> Result<Option<String>, StoreError> {
        Ok(None)
    }

    /// Every account record this user may see (a shared store); None for a local one.
    fn records(&self) -> Result<Option<Vec<SharedRecord>>, StoreError> {
        Ok(None)
    }

    /// Records what [`SecretStore::shared_state`] returns (a no-op for a local store).
    fn note_shared_state(
        &self,
        _app_id: &str,
        _account: &str,
        _state: &SharedState,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What `status` shows of one account (the state index's record, as JSON, without
/// secrets), and its shared state, as a shared store holds them.
pub struct SharedRecord {
    pub record: String,
    pub state: SharedState,
}

/// An account's state that all machines see in a shared store.
#[derive(Debug, Clone, Default)]
pub struct SharedState {
    pub needs_authorization: bool,
    pub last_error: Option<String>,
    /// `outbound account disable` on any machine (read only; kept in the record).
    pub inactive: bool,
}

/// Who administers a team store, for a member who is not one of them: its admin
/// role (`store init --admin-group`) and the login roles in it, as messages name
/// them instead of a command the member cannot run.
#[derive(Debug, Clone, PartialEq)]
pub struct Administrators {
    pub role: String,
    pub members: Vec<String>,
}

impl std::fmt::Display for Administrators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the team store's administrators (role `{}`", self.role)?;
        if !self.members.is_empty() {
            write!(f, ": {}", self.members.join(", "))?;
        }
        write!(f, ")")
    }
}

/// A held refresh lease; released when dropped, or with the new tokens' write.
///
/// While it is held, the store fences this process's writes to the account: a token
/// write (or a failure noted for `status`) lands only if the lease is still this
/// process's and the account is as it was when the lease was taken. A holder paused
/// past its lease (SIGSTOP, a suspended VM) thus never writes over what another
/// machine saved in the meantime.
pub struct LeaseGuard {
    /// The holder whose lease ran out before it finished (its refresh was interrupted).
    pub taken_over_from: Option<String>,
    release: Option<Box<dyn FnOnce()>>,
    confirm: Box<dyn Fn() -> Result<bool, StoreError>>,
}

impl LeaseGuard {
    pub fn new(
        taken_over_from: Option<String>,
        release: Box<dyn FnOnce()>,
        confirm: Box<dyn Fn() -> Result<bool, StoreError>>,
    ) -> LeaseGuard {
        LeaseGuard {
            taken_over_from,
            release: Some(release),
            confirm,
        }
    }

    /// Just before a request that spends the refresh token: whether the lease is
    /// still this process's and the account unchanged since it was taken; if so the
    /// lease is renewed for the request's whole length. False: another machine took
    /// the lease over (this process was paused past it) or changed the account, and
    /// the request must not be sent.
    pub fn confirm(&self) -> Result<bool, StoreError> {
        (self.confirm)()
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

/// One audit event (see `crate::audit`): only non-secret facts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuditEvent {
    /// Unix seconds.
    pub time: u64,
    pub app: String,
    pub account: String,
    /// authorize | refresh | revoke | request | token
    pub event: String,
    /// The HTTP method (requests) or the grant (authorize, refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The host the token went to, or the OAuth server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `ok`, `error`, or an HTTP status code.
    pub status: String,
}

/// The keyring entry that holds the team store's data key (`store set-key`).
pub const STORE_KEY: &str = "store-key";

/// The OS credential store, whatever the chosen backend (the data key lives there).
pub fn open_os_store() -> Box<dyn SecretStore> {
    Box::new(OsStore::new(KEYRING_TIMEOUT))
}

/// The key under which an application's client secret is stored (see [`kinds`]).
pub fn client_secret_key(app_id: &str) -> String {
    kinds::Kind::ClientSecret.app_key(app_id)
}

/// The key under which an application's private key (`private_key_jwt`) is stored.
pub fn private_key_key(app_id: &str) -> String {
    kinds::Kind::PrivateKey.app_key(app_id)
}

/// The keys under which an application's TLS client certificate and its key are stored.
pub fn client_cert_key(app_id: &str) -> String {
    kinds::Kind::ClientCert.app_key(app_id)
}

pub fn client_tls_key_key(app_id: &str) -> String {
    kinds::Kind::ClientTlsKey.app_key(app_id)
}

/// What deleting a dynamically registered client needs (RFC 7592).
pub fn registration_key(app_id: &str) -> String {
    kinds::Kind::Registration.app_key(app_id)
}

/// The key under which one account's tokens for an application are stored.
pub fn token_key(app_id: &str, account: &str) -> String {
    kinds::Kind::Tokens.account_key(app_id, account)
}

/// Deletes every secret an app of id `app_id` may hold in `store` (the undoing of an
/// `app add` that failed: the app was never saved).
pub fn forget_app_id(store: &dyn SecretStore, app_id: &str) -> Result<(), StoreError> {
    for kind in kinds::of_app() {
        store.delete(&kind.app_key(app_id))?;
    }
    Ok(())
}

/// Deletes the secrets of `app` its settings keep in `store` (client secret, keys,
/// certificate, registration), every kind [`kinds`] declares for an app.
pub fn delete_app_secrets(
    store: &dyn SecretStore,
    app: &crate::app::App,
) -> Result<(), StoreError> {
    for kind in kinds::of_app() {
        if kind.kept_in_store(app) {
            store.delete(&kind.app_key(&app.id))?;
        }
    }
    Ok(())
}

/// How long one keyring call may take before we give up (a Secret Service that
/// waits on an unlock prompt nobody will answer would otherwise hang a cron job).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a store; `postgres` is the team store the caller already made (its
/// connection is shared by everything one command does). Without one, the team
/// store answers every call with [`StoreError::NoDatabaseUrl`].
pub fn open(
    backend: Backend,
    state_dir: &Path,
    postgres: Option<&postgres::PgStore>,
) -> Box<dyn SecretStore> {
    match backend {
        Backend::Keyring => Box::new(OsStore::new(KEYRING_TIMEOUT)),
        Backend::File => Box::new(FileStore::new(state_dir.join("secrets.json"))),
        Backend::Postgres => Box::new(postgres.cloned().unwrap_or_else(|| {
            postgres::PgStore::new(postgres::Settings::new(String::new(), None))
        })),
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

    #[error(
        "the postgres store needs a database URL\n  fix: set OUTBOUND_DATABASE_URL=postgresql://USER@HOST:PORT/DB, or database_url = \"…\" at the top of the config file (no password there: use ~/.pgpass or PGPASSWORD)"
    )]
    NoDatabaseUrl,

    #[error("the database URL is unusable: {reason}")]
    DatabaseUrl { reason: String },

    #[error(
        "the database {database} could not be reached: {reason}\n  fix: check that it runs and that this machine may connect; nothing was changed"
    )]
    DatabaseUnreachable { database: String, reason: String },

    #[error("the database {database} refused the request: {message}")]
    Database { database: String, message: String },

    #[error(
        "only the team store's administrators may add, edit, enable, disable, reset or delete its applications or set their secrets, and this role is not one of them: nothing was changed\n  the database {database} refused: {message}\n  fix: ask an administrator (a member of the store's admin role: `outbound store init --admin-group`, default outbound_admins) to make the change, or to make you one (GRANT outbound_admins TO you)"
    )]
    Denied { database: String, message: String },

    #[error(
        "{cause}\n  the database {database} refused `outbound store init`: {message}\n  fix: {fix}"
    )]
    InitRefused {
        database: String,
        message: String,
        cause: String,
        fix: String,
    },

    #[error(
        "only the team store's administrators share an account (`authorize --shared`), and this role is not one of them: nothing was stored; the group uses and refreshes a shared account once one of them authorized it\n  the database {database} refused to share account `{account}`: {message}\n  fix: authorize without --shared for an account of your own, or ask an administrator (a member of the store's admin role, default outbound_admins) to share one"
    )]
    ShareDenied {
        database: String,
        account: String,
        message: String,
    },

    #[error(
        "account `{account}` is not this role's to change: a role writes only its own accounts, and refreshes the shared accounts of the admin role (default outbound_admins); a shared account in the name of a role outside it (left from before schema 2) is read-only; nothing was stored\n  the database {database} refused: {message}\n  fix: an administrator removes that account and authorizes it again with `outbound authorize … --shared`"
    )]
    AccountDenied {
        database: String,
        account: String,
        message: String,
    },

    #[error(
        "account `{account}` is a shared account in your role's name: a personal account of that name cannot be kept beside it, and a personal authorization never writes into a shared one; nothing was stored\n  fix: give your personal account another name with --account NAME; `authorize … --shared` (an administrator) renews the shared one; if nobody in the admin role shared it, it was planted: have the database's owner delete its rows (outbound_accounts and outbound_secrets, account = '{account}', owner = your role)"
    )]
    SharedInYourName { account: String },

    #[error(
        "account `{account}` is a personal account of yours: a shared account of that name cannot be kept beside it in your role's name; nothing was stored\n  fix: give the shared account another name with --account NAME, or remove your personal one first (`outbound logout … --account {account}`)"
    )]
    PersonalInYourName { account: String },

    #[error(
        "the database {database} has no outbound tables\n  fix: its owner runs `outbound store init` once (with OUTBOUND_DATABASE_URL set to it)"
    )]
    NotInitialized { database: String },

    #[error(
        "the database {database} has schema version {found}, newer than this outbound knows ({known})\n  fix: upgrade outbound on this machine"
    )]
    NewerSchema {
        database: String,
        found: i32,
        known: i32,
    },

    #[error(
        "the team store's definition of `{name}` (id {id}) is invalid: {message}\n  fix: it was written around outbound; an administrator corrects or removes the row in SQL (outbound_apps, name = '{name}'): nothing else can be changed until then"
    )]
    BadDefinition {
        name: String,
        id: String,
        message: String,
    },

    #[error("the team store's data key is unavailable: {reason}")]
    NoDataKey { reason: String },

    /// `OUTBOUND_STORE_KEY_FILE` names a file others may read: the message names it,
    /// its mode and the `chmod`.
    #[error("{reason}")]
    ExposedKeyFile { reason: String },

    #[error(
        "{what} was sealed with data key {row_key}, and this machine has {ours}: the wrong data key\n  fix: use the team's data key (OUTBOUND_STORE_KEY_FILE, store_key_command or the keyring's store-key); after `store rotate-key` keep the old key on a second line until every machine has the new one"
    )]
    WrongDataKey {
        what: String,
        row_key: String,
        ours: String,
    },

    #[error(
        "{what} does not decrypt with the data key that sealed it: it was moved from another row or altered in the database\n  fix: run `outbound authorize` again for a token, or set the secret again; nothing was used"
    )]
    Undecryptable { what: String },

    #[error(
        "the database {database} kept this command waiting for a lock on the team store's tables: another session holds them in an unfinished change (an outbound command stopped or slow in the middle of an administrator's change, or `outbound store init`); nothing was changed\n  fix: run the command again (the database ends outbound's own unfinished changes after {idle_timeout} s); its owner sees who holds them with SELECT pid, usename, application_name, state, xact_start FROM pg_stat_activity WHERE state LIKE 'idle in transaction%', and ends one with SELECT pg_terminate_backend(PID)"
    )]
    Busy { database: String, idle_timeout: u64 },

    #[error(
        "account `{account}` changed in the team store while this process refreshed it: its refresh lease ran out (the process was paused or too slow) and another machine refreshed, authorized or marked the account since; what this process obtained was not saved\n  fix: run the command again"
    )]
    Superseded { account: String },

    #[error(
        "{what}, but the database {database} could not be reached to save them ({reason})\n  fix: {fix}"
    )]
    TokensNotSaved {
        what: String,
        database: String,
        reason: String,
        fix: String,
    },

    #[error(
        "timed out after {} s waiting for another machine's refresh (lease held by {holder} until {until}); it may have stalled\n  fix: run the command again; if it persists, check that machine, or run `outbound authorize`",
        .waited.as_secs()
    )]
    LeaseTimeout {
        waited: Duration,
        holder: String,
        until: String,
    },
}

impl StoreError {
    /// The exit code: 10 for an unreachable database, 11 for something that does not
    /// decrypt, 12 for a change the store's roles do not allow, 2 for a data key file
    /// others may read; 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            StoreError::DatabaseUnreachable { .. } | StoreError::TokensNotSaved { .. } => {
                exit::STORE_UNREACHABLE
            }
            StoreError::WrongDataKey { .. }
            | StoreError::Undecryptable { .. }
            | StoreError::NoDataKey { .. } => exit::UNDECRYPTABLE,
            StoreError::Denied { .. }
            | StoreError::InitRefused { .. }
            | StoreError::ShareDenied { .. }
            | StoreError::AccountDenied { .. } => exit::NOT_PERMITTED,
            StoreError::BadDefinition { .. } => exit::CONFIG,
            StoreError::ExposedKeyFile { .. } => exit::USAGE,
            _ => exit::ERROR,
        }
    }
}
