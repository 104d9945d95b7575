//! Token lifecycle: what is stored per (app, account), where the client secret comes
//! from, and the account states `status` reports. Used by every command that holds
//! or uses tokens.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::app::{App, SecretRef};
use crate::error::{Error, Result};
use crate::oauth::{self, ClientCredentials, TokenResponse};
use crate::secret::Secret;
use crate::state::{self, AccountRecord, Index};
use crate::store::{self, SecretStore};

pub const DEFAULT_ACCOUNT: &str = "default";

/// What the store holds for one account (as JSON, itself a secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredToken {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub token_type: Option<String>,
    /// Unix seconds; None when neither the server nor the app gives a lifetime.
    pub expires_at: Option<u64>,
    #[serde(default)]
    pub refresh_expires_at: Option<u64>,
    pub scopes: Vec<String>,
    /// The app's generation when this token was obtained (see `app reset`).
    pub generation: u64,
    pub obtained_at: u64,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl StoredToken {
    /// From a token response: the server's `expires_in` wins over the app's default
    /// lifetime; a response without a refresh token keeps `previous_refresh`; without
    /// `scope`, the requested scopes were granted (RFC 6749 5.1).
    pub fn from_response(
        response: TokenResponse,
        app: &App,
        requested: &[String],
        previous_refresh: Option<Secret>,
    ) -> StoredToken {
        let now = now();
        let cap = crate::oauth::response::MAX_LIFETIME;
        let lifetime = response
            .expires_in
            .or_else(|| app.expires_in.map(|d| d.as_secs()))
            .map(|l| l.min(cap));
        StoredToken {
            access_token: response.access_token,
            refresh_token: response.refresh_token.or(previous_refresh),
            token_type: response.token_type,
            expires_at: lifetime.map(|l| now.saturating_add(l)),
            refresh_expires_at: response
                .refresh_expires_in
                .map(|l| now.saturating_add(l.min(cap))),
            scopes: response.scope.unwrap_or_else(|| requested.to_vec()),
            generation: app.generation,
            obtained_at: now,
        }
    }

    pub fn load(
        store: &dyn SecretStore,
        app_id: &str,
        account: &str,
    ) -> Result<Option<StoredToken>> {
        let Some(blob) = store.get(&store::token_key(app_id, account))? else {
            return Ok(None);
        };
        // An unreadable entry is treated as absent; its content is never quoted.
        Ok(serde_json::from_str(blob.expose()).ok())
    }

    pub fn save(&self, store: &dyn SecretStore, app_id: &str, account: &str) -> Result<()> {
        let blob = serde_json::to_string(self)
            .map_err(|e| Error::Other(format!("cannot encode tokens: {e}")))?;
        store.set(&store::token_key(app_id, account), &Secret::new(blob))?;
        Ok(())
    }
}

/// Account names follow the rules of application names.
pub fn check_account(account: &str) -> Result<()> {
    crate::app::check_name(account).map_err(|m| {
        Error::Usage(format!(
            "--account: {}",
            m.replace("application name", "account name")
        ))
    })
}

/// The client secret of `app`, from wherever it lives.
pub fn client_secret(app: &App, store: &dyn SecretStore) -> Result<Option<Secret>> {
    match &app.client_secret {
        SecretRef::None => Ok(None),
        SecretRef::Store => store
            .get(&store::client_secret_key(&app.id))?
            .map(Some)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no client secret for `{}` in the {} store; set it with `outbound app secret set {}`",
                    app.name,
                    store.backend().as_str(),
                    app.name
                ))
            }),
        SecretRef::Env(var) => match crate::secret::resolve_reference(&format!("env:{var}")) {
            Some(Ok(v)) => Ok(Some(v)),
            _ => Err(Error::Usage(format!(
                "the client secret of `{}` comes from ${var}, which is not set",
                app.name
            ))),
        },
        SecretRef::Command(cmd) => {
            match crate::secret::resolve_reference(&format!("command:{cmd}")) {
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(why)) => Err(Error::Other(format!(
                    "the client secret command of `{}`: {why}",
                    app.name
                ))),
                None => Ok(None),
            }
        }
    }
}

/// Records a freshly obtained token in the store and the index.
#[allow(clippy::too_many_arguments)]
pub fn record(
    store: &dyn SecretStore,
    state_dir: &Path,
    config_path: &Path,
    app: &App,
    account: &str,
    token: &StoredToken,
    overrides: Option<(Option<Vec<String>>, Option<String>)>,
    refreshed: bool,
) -> Result<()> {
    token.save(store, &app.id, account)?;
    let backend = store.backend();
    Index::update(state_dir, |index| {
        let previous = index.accounts.remove(&state::key(&app.id, account));
        let (scope_override, prompt_override) = match overrides {
            Some(o) => o,
            None => previous
                .as_ref()
                .map(|p| (p.scope_override.clone(), p.prompt_override.clone()))
                .unwrap_or_default(),
        };
        index.accounts.insert(
            state::key(&app.id, account),
            AccountRecord {
                app_id: app.id.clone(),
                app_name: app.name.clone(),
                account: account.to_owned(),
                config: config_path.to_path_buf(),
                store: backend,
                generation: token.generation,
                expires_at: token.expires_at,
                refresh_expires_at: token.refresh_expires_at,
                has_refresh: token.refresh_token.is_some(),
                scopes: token.scopes.clone(),
                obtained_at: token.obtained_at,
                last_refresh: if refreshed {
                    Some(now())
                } else {
                    previous.as_ref().and_then(|p| p.last_refresh)
                },
                last_error: None,
                needs_authorization: false,
                scope_override,
                prompt_override,
            },
        );
    })
}

/// What an authorization asks for: the account, the scopes and `prompt` for it (an
/// account's own, from `authorize --scope/--prompt`, are remembered), and how to
/// reach the person.
pub struct Authorization {
    pub account: String,
    pub scopes: Vec<String>,
    pub prompt: Option<String>,
    /// The account's own scopes and prompt, to remember (None: the app's).
    pub overrides: (Option<Vec<String>>, Option<String>),
    pub mode: crate::authorize::flow::Mode,
    pub timeout: std::time::Duration,
}

impl Authorization {
    /// The request for (app, account): the given `--scope`/`--prompt`, else what the
    /// account used last time, else the app's.
    pub fn plan(
        env: &TokenEnv,
        app: &App,
        account: &str,
        scopes: &[String],
        prompt: Option<String>,
    ) -> Authorization {
        let previous = Index::load(env.state_dir).get(&app.id, account).cloned();
        let scope_override = if scopes.is_empty() {
            previous.as_ref().and_then(|p| p.scope_override.clone())
        } else {
            // A scope never contains a space (RFC 6749 3.3), so "a b" means two.
            Some(
                scopes
                    .iter()
                    .flat_map(|s| s.split_whitespace())
                    .map(str::to_owned)
                    .collect(),
            )
        };
        let prompt_override =
            prompt.or_else(|| previous.as_ref().and_then(|p| p.prompt_override.clone()));
        Authorization {
            account: account.to_owned(),
            scopes: scope_override.clone().unwrap_or_else(|| app.scopes.clone()),
            prompt: prompt_override.clone().or_else(|| app.prompt.clone()),
            overrides: (scope_override, prompt_override),
            mode: crate::authorize::flow::Mode::Browser { open: true },
            timeout: crate::authorize::flow::DEFAULT_TIMEOUT,
        }
    }
}

/// Authorizes (app, account) through the person, and keeps the tokens: saved
/// before anything else can fail, with the signals held from the request that made
/// the server issue them (see [`crate::signals`]).
pub fn authorize(
    env: &TokenEnv,
    app: &App,
    plan: &Authorization,
    person: &mut dyn crate::authorize::flow::Person,
) -> Result<StoredToken> {
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    let secret = client_secret(app, env.store)?;
    let http = crate::http::oauth_client(app)?;
    let creds = ClientCredentials {
        app,
        secret: secret.as_ref(),
    };
    let request = crate::authorize::flow::Request {
        scopes: &plan.scopes,
        prompt: plan.prompt.as_deref(),
        mode: plan.mode,
        timeout: plan.timeout,
    };
    let host = app.token_url.host_str();
    let account = plan.account.as_str();
    let issued = match crate::authorize::flow::run(&http, &creds, &request, person) {
        Ok(issued) => issued,
        Err(e) => {
            let grant = match (app.grant, plan.mode) {
                (
                    crate::app::Grant::AuthorizationCode,
                    crate::authorize::flow::Mode::Device { .. },
                ) => "device_code",
                (grant, _) => grant.as_str(),
            };
            env.audit
                .record(&app.name, account, "authorize", Some(grant), host, "error");
            return Err(e);
        }
    };
    let token = StoredToken::from_response(issued.response, app, &plan.scopes, None);
    record(
        env.store,
        env.state_dir,
        env.config_path,
        app,
        account,
        &token,
        Some(plan.overrides.clone()),
        false,
    )?;
    drop(issued.hold);
    env.audit.record(
        &app.name,
        account,
        "authorize",
        Some(issued.grant),
        host,
        "ok",
    );
    Ok(token)
}

/// What revoking one account's tokens did, for the user.
pub struct Forgotten {
    pub revoked: Vec<&'static str>,
    pub revoke_error: Option<String>,
}

/// Removes one account's tokens from the store and the index, revoking them at the
/// server first when `revoke` and a revocation URL is known (RFC 7009: the refresh
/// token, then the access token). A revocation failure is reported, and the local
/// tokens are removed all the same.
///
/// It takes the account's refresh lock, so a refresh in flight in another process
/// finishes (and saves) first, and the tokens it saved are the ones revoked: nothing
/// it obtained outlives the logout.
pub fn forget(
    store: &dyn SecretStore,
    state_dir: &Path,
    app_id: &str,
    account: &str,
    revoke_with: Option<&App>,
    audit: &crate::audit::Audit,
) -> Result<Forgotten> {
    let _lock = lock_with_timeout(&lock_path(state_dir, app_id, account))?;
    forget_locked(store, state_dir, app_id, account, revoke_with, audit)
}

/// [`forget`], with the account's refresh lock already held.
fn forget_locked(
    store: &dyn SecretStore,
    state_dir: &Path,
    app_id: &str,
    account: &str,
    revoke_with: Option<&App>,
    audit: &crate::audit::Audit,
) -> Result<Forgotten> {
    let mut outcome = Forgotten {
        revoked: Vec::new(),
        revoke_error: None,
    };
    if let Some(app) = revoke_with
        && let Some(url) = &app.revocation_url
        && let Some(token) = StoredToken::load(store, app_id, account)?
    {
        let mut attempt = || -> Result<()> {
            let secret = client_secret(app, store)?;
            let http = crate::http::oauth_client(app)?;
            let creds = ClientCredentials {
                app,
                secret: secret.as_ref(),
            };
            if let Some(refresh) = &token.refresh_token {
                oauth::revoke(&http, &creds, url, refresh, "refresh_token")?;
                outcome.revoked.push("refresh token");
            }
            oauth::revoke(&http, &creds, url, &token.access_token, "access_token")?;
            outcome.revoked.push("access token");
            Ok(())
        };
        let result = attempt();
        let host = url.host_str();
        let status = if result.is_ok() { "ok" } else { "error" };
        audit.record(&app.name, account, "revoke", None, host, status);
        if let Err(e) = result {
            outcome.revoke_error = Some(e.to_string());
        }
    }
    store.delete(&store::token_key(app_id, account))?;
    Index::update(state_dir, |index| {
        index.accounts.remove(&state::key(app_id, account));
    })?;
    Ok(outcome)
}

/// An account's state, as `status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountState {
    Authorized,
    /// Expired, but a refresh token can renew it without a person.
    Expired,
    NeedsAuthorization,
    Disabled,
    /// Obtained under an older generation: dead since `app reset`.
    Reset,
    /// Expired, and the last refresh failed for a reason that may pass.
    Error,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Authorized => "authorized",
            AccountState::Expired => "expired",
            AccountState::NeedsAuthorization => "needs-authorization",
            AccountState::Disabled => "disabled",
            AccountState::Reset => "reset",
            AccountState::Error => "error",
        }
    }
}

pub fn account_state(app: &App, record: &AccountRecord, now: u64) -> AccountState {
    let expired = record.expires_at.is_some_and(|at| at <= now);
    let refresh_dead = record.refresh_expires_at.is_some_and(|at| at <= now);
    if !app.enabled {
        AccountState::Disabled
    } else if record.generation < app.generation {
        AccountState::Reset
    } else if record.needs_authorization {
        AccountState::NeedsAuthorization
    } else if !expired {
        AccountState::Authorized
    } else if !record.has_refresh || refresh_dead {
        AccountState::NeedsAuthorization
    } else if record.last_error.is_some() {
        AccountState::Error
    } else {
        AccountState::Expired
    }
}

/// Where token operations read and write.
pub struct TokenEnv<'a> {
    pub store: &'a dyn SecretStore,
    pub state_dir: &'a Path,
    pub config_path: &'a Path,
    pub audit: &'a crate::audit::Audit,
}

/// A usable access token, and whether it was refreshed just now.
pub struct Access {
    pub token: StoredToken,
    pub refreshed: bool,
}

/// How long a process waits for another one's refresh before giving up
/// (`OUTBOUND_LOCK_TIMEOUT` seconds, default 60).
fn lock_wait() -> std::time::Duration {
    let secs = std::env::var("OUTBOUND_LOCK_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(60);
    std::time::Duration::from_secs(secs)
}

fn authorization_required(app: &App, account: &str, reason: String) -> Error {
    let command = if account == DEFAULT_ACCOUNT {
        format!("outbound authorize {}", app.name)
    } else {
        format!("outbound authorize {} --account {account}", app.name)
    };
    Error::AuthorizationRequired { reason, command }
}

/// Fresh enough to use: more than the refresh skew left before expiry. The skew is
/// capped at half the token's lifetime, so a 5-minute token with a 10-minute skew is
/// not refreshed on every use.
fn is_fresh(token: &StoredToken, app: &App, now: u64) -> bool {
    token.expires_at.is_none_or(|at| {
        let lifetime = at.saturating_sub(token.obtained_at);
        at > now + app.refresh_skew.as_secs().min(lifetime / 2)
    })
}

/// A valid access token for (app, account): the stored one while it is fresh,
/// else a refreshed one. `rejected` is a token the resource server just refused
/// (a 401): it is refreshed even if it looks fresh.
///
/// Refreshing happens under a per-(app, account) cross-process lock; the store is
/// read again once the lock is held, and nothing is refreshed when another process
/// already did, so N concurrent processes cause one refresh and survive refresh-token
/// rotation. A transient failure destroys nothing; `invalid_grant` marks the account
/// as needing authorization.
pub fn valid_token(
    env: &TokenEnv,
    app: &App,
    account: &str,
    rejected: Option<&Secret>,
) -> Result<Access> {
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    let current = StoredToken::load(env.store, &app.id, account)?;
    if let Some(token) = &current
        && token.generation >= app.generation
        && is_fresh(token, app, now())
        && rejected.is_none_or(|r| r != &token.access_token)
    {
        return Ok(Access {
            token: token.clone(),
            refreshed: false,
        });
    }
    let _lock = lock_with_timeout(&lock_path(env.state_dir, &app.id, account))?;

    // Another process may have refreshed while we waited for the lock.
    let token = StoredToken::load(env.store, &app.id, account)?;
    let token = match token {
        Some(t) if t.generation < app.generation => {
            // Dead since `app reset`: revoke where possible, remove, start over.
            forget_locked(
                env.store,
                env.state_dir,
                &app.id,
                account,
                Some(app),
                env.audit,
            )?;
            None
        }
        other => other,
    };
    // A token another process obtained while we waited is used while it is still
    // valid, even inside the refresh skew: a burst of waiters behind one refresh
    // must not refresh again one after another when tokens are short-lived.
    let replaced = |t: &StoredToken| {
        current
            .as_ref()
            .is_none_or(|c| c.access_token != t.access_token)
            && t.expires_at.is_none_or(|at| at > now())
    };
    if let Some(token) = &token
        && (is_fresh(token, app, now()) || replaced(token))
        && rejected.is_none_or(|r| r != &token.access_token)
    {
        return Ok(Access {
            token: token.clone(),
            refreshed: false,
        });
    }
    let requested = match &token {
        Some(t) => t.scopes.clone(),
        None => app.scopes.clone(),
    };
    // What to send: a new client-credentials token, or a refresh. Everything that
    // needs a person is decided before the client secret is looked up, so a user
    // without tokens is told to authorize, not to set a secret.
    let refresh = if app.grant == crate::app::Grant::ClientCredentials {
        None
    } else {
        Some(refresh_token_of(
            env,
            app,
            account,
            token,
            current.is_some(),
        )?)
    };
    let secret = client_secret(app, env.store)?;
    let http = crate::http::oauth_client(app)?;
    let creds = ClientCredentials {
        app,
        secret: secret.as_ref(),
    };
    // From sending to saving, Ctrl-C and friends wait: the server may rotate the
    // refresh token, and only the store can keep the new one.
    let _hold = crate::signals::hold();
    let grant = match &refresh {
        None => oauth::Grant::ClientCredentials {
            scopes: &app.scopes,
        },
        Some(refresh_token) => oauth::Grant::RefreshToken { refresh_token },
    };
    let response = oauth::request_token(&http, &creds, &grant);
    let grant = grant.label();
    let host = app
        .token_request
        .refresh_url
        .as_ref()
        .unwrap_or(&app.token_url)
        .host_str()
        .map(str::to_owned);
    match response {
        Ok(response) => {
            // Saved first: nothing may fail between the server's answer and the store.
            let fresh = StoredToken::from_response(response, app, &requested, refresh);
            record(
                env.store,
                env.state_dir,
                env.config_path,
                app,
                account,
                &fresh,
                None,
                true,
            )?;
            env.audit.record(
                &app.name,
                account,
                "refresh",
                Some(grant),
                host.as_deref(),
                "ok",
            );
            Ok(Access {
                token: fresh,
                refreshed: true,
            })
        }
        Err(e) => {
            env.audit.record(
                &app.name,
                account,
                "refresh",
                Some(grant),
                host.as_deref(),
                "error",
            );
            let needs_authorization =
                e.is_invalid_grant() && app.grant != crate::app::Grant::ClientCredentials;
            note_failure(
                env.state_dir,
                app,
                account,
                &e.to_string(),
                needs_authorization,
            )?;
            if needs_authorization {
                Err(authorization_required(
                    app,
                    account,
                    format!(
                        "refreshing the tokens of `{}` (account `{account}`) failed: {e}",
                        app.name
                    ),
                ))
            } else {
                Err(e.into())
            }
        }
    }
}

/// The refresh token to renew (app, account) with, or why a person must authorize.
fn refresh_token_of(
    env: &TokenEnv,
    app: &App,
    account: &str,
    token: Option<StoredToken>,
    had_token: bool,
) -> Result<Secret> {
    let Some(token) = token else {
        let reason = if had_token {
            format!(
                "`{}` was reset by an administrator; its tokens for account `{account}` are gone",
                app.name
            )
        } else {
            format!("`{}` has no tokens for account `{account}`", app.name)
        };
        return Err(authorization_required(app, account, reason));
    };
    if let Some(record) = Index::load(env.state_dir).get(&app.id, account)
        && record.needs_authorization
    {
        let why = record
            .last_error
            .clone()
            .unwrap_or_else(|| "the grant is no longer valid".into());
        return Err(authorization_required(
            app,
            account,
            format!(
                "`{}` (account `{account}`) must be authorized again: {why}",
                app.name
            ),
        ));
    }
    token.refresh_token.clone().ok_or_else(|| {
        authorization_required(
            app,
            account,
            format!(
                "the access token of `{}` (account `{account}`) expired and there is no refresh token",
                app.name
            ),
        )
    })
}

/// Records a failed refresh for `status`; `needs_authorization` when the grant is dead.
fn note_failure(
    state_dir: &Path,
    app: &App,
    account: &str,
    error: &str,
    needs_authorization: bool,
) -> Result<()> {
    Index::update(state_dir, |index| {
        if let Some(record) = index.accounts.get_mut(&state::key(&app.id, account)) {
            record.last_error = Some(error.to_owned());
            record.needs_authorization |= needs_authorization;
        }
    })
}

/// The per-(app, account) lock that refreshing and forgetting share.
fn lock_path(state_dir: &Path, app_id: &str, account: &str) -> std::path::PathBuf {
    state_dir
        .join("locks")
        .join(format!("{app_id}.{account}.lock"))
}

/// Takes the refresh lock, waiting at most [`lock_wait`]. The OS releases the lock
/// when its holder dies, so a killed process never blocks the others.
fn lock_with_timeout(path: &Path) -> Result<std::fs::File> {
    let file = crate::fsutil::open_lock_file(path).map_err(|e| {
        Error::io(
            format!("cannot open the refresh lock {}", path.display()),
            e,
        )
    })?;
    let start = std::time::Instant::now();
    let wait = lock_wait();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Other(format!(
                    "timed out after {} s waiting for the refresh lock {} (another outbound process holds it; OUTBOUND_LOCK_TIMEOUT sets the wait)",
                    wait.as_secs(),
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    use super::*;
    use crate::store::{Backend, StoreError};

    /// A store in which "another process" replaces the token between the first read
    /// (before the lock) and the second (after it).
    struct RacingStore {
        values: RefCell<HashMap<String, Secret>>,
        reads: Cell<u32>,
        replacement: StoredToken,
    }

    impl SecretStore for RacingStore {
        fn backend(&self) -> Backend {
            Backend::File
        }
        fn get(&self, key: &str) -> std::result::Result<Option<Secret>, StoreError> {
            self.reads.set(self.reads.get() + 1);
            if self.reads.get() == 2 && key.starts_with("token") {
                self.replacement.save(self, "abc123", "default").ok();
            }
            Ok(self.values.borrow().get(key).cloned())
        }
        fn set(&self, key: &str, secret: &Secret) -> std::result::Result<(), StoreError> {
            self.values
                .borrow_mut()
                .insert(key.to_owned(), secret.clone());
            Ok(())
        }
        fn delete(&self, key: &str) -> std::result::Result<bool, StoreError> {
            Ok(self.values.borrow_mut().remove(key).is_some())
        }
    }

    fn short_lived(access: &str, obtained_at: u64, lifetime: u64) -> StoredToken {
        StoredToken {
            access_token: Secret::new(access.to_owned()),
            refresh_token: Some(Secret::new("refresh".to_owned())),
            token_type: Some("Bearer".into()),
            expires_at: Some(obtained_at + lifetime),
            refresh_expires_at: None,
            scopes: vec![],
            generation: 1,
            obtained_at,
        }
    }

    #[test]
    fn a_token_refreshed_by_another_process_is_used_even_inside_the_skew() {
        let app = crate::config::Config::parse(
            Path::new("apps.toml"),
            "[apps.x]\nid = \"abc123\"\nclient_id = \"cid\"\nclient_auth = \"none\"\n\
             auth_url = \"https://127.0.0.1:9/authorize\"\ntoken_url = \"https://127.0.0.1:9/token\"\n",
        )
        .unwrap();
        let app = app.app("x").unwrap();
        let t = now();
        // Ours expired; the other process's has 2 s of a 10 s life left: inside the
        // skew (here half its lifetime), still valid. No refresh may follow (the token
        // URL is unreachable: a refresh would fail).
        let store = RacingStore {
            values: RefCell::default(),
            reads: Cell::new(0),
            replacement: short_lived("theirs", t - 8, 10),
        };
        short_lived("ours", t - 10, 2)
            .save(&store, "abc123", "default")
            .unwrap();
        store.reads.set(0);
        let dir = tempfile::tempdir().unwrap();
        let audit = crate::audit::Audit(None);
        let env = TokenEnv {
            store: &store,
            state_dir: dir.path(),
            config_path: Path::new("apps.toml"),
            audit: &audit,
        };
        let access = valid_token(&env, app, "default", None).unwrap();
        assert_eq!(access.token.access_token.expose(), "theirs");
        assert!(!access.refreshed);
    }
}
