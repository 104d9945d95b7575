//! A valid access token, or a refreshed one: under a per-(app, account) lock
//! shared with forgetting, re-reading the store once it is held (single flight).

use std::path::Path;

use super::forget::forget_locked;
use super::{DEFAULT_ACCOUNT, StoredToken, TokenEnv};
use crate::app::App;
use crate::clock::now;
use crate::error::{Error, Result};
use crate::oauth;
use crate::secret::Secret;
use crate::state::{self, Index};
use crate::store::StoreError;

/// A usable access token, and whether it was refreshed just now.
pub struct Access {
    pub token: StoredToken,
    pub refreshed: bool,
}

/// What one attempt at a valid token came to.
enum Renewed {
    Got(Box<Access>),
    /// The fleet-wide lease was lost before the request was sent, or before what it
    /// brought was saved (this process was paused past it, and another machine has
    /// refreshed, authorized or marked the account since): nothing was saved; start
    /// over from the store. `verify`: our (stale) refresh token was refused, so the
    /// current tokens are refreshed once to learn whether the grant still lives.
    Lost {
        verify: bool,
    },
}

/// How many times a token is sought again after losing the lease.
const LOST_LEASE_RETRIES: u32 = 3;

/// How long to wait between tries to save new tokens in a team store that cannot
/// be reached.
const SAVE_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// How long a process waits for another one's refresh before giving up
/// (`OUTBOUND_LOCK_TIMEOUT` seconds, default 60).
fn lock_wait() -> std::time::Duration {
    let secs = std::env::var("OUTBOUND_LOCK_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(60);
    std::time::Duration::from_secs(secs)
}

pub(super) fn authorization_required(app: &App, account: &str, reason: String) -> Error {
    Error::AuthorizationRequired {
        reason,
        command: authorize_command(app, account),
    }
}

fn authorize_command(app: &App, account: &str) -> String {
    if account == DEFAULT_ACCOUNT {
        format!("outbound authorize {}", app.name)
    } else {
        format!("outbound authorize {} --account {account}", app.name)
    }
}

/// Fresh enough to use: more than the refresh skew left before expiry. The skew is
/// capped at half the token's lifetime, so a 5-minute token with a 10-minute skew is
/// not refreshed on every use.
pub fn is_fresh(token: &StoredToken, app: &App, now: u64) -> bool {
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
/// as needing authorization. With a team store, a refresh whose lease was lost
/// (see [`crate::store::LeaseGuard`]) saves nothing and starts over.
pub fn valid_token(
    env: &TokenEnv,
    app: &App,
    account: &str,
    rejected: Option<&Secret>,
) -> Result<Access> {
    let mut rejected = rejected.cloned();
    let mut lost = 0;
    loop {
        match attempt(env, app, account, rejected.as_ref())? {
            Renewed::Got(access) => return Ok(*access),
            Renewed::Lost { .. } if lost >= LOST_LEASE_RETRIES => {
                return Err(StoreError::Superseded {
                    account: account.to_owned(),
                }
                .into());
            }
            Renewed::Lost { verify } => {
                lost += 1;
                if verify {
                    rejected =
                        StoredToken::load(env.store, &app.id, account)?.map(|t| t.access_token);
                }
            }
        }
    }
}

/// One attempt of [`valid_token`].
fn attempt(env: &TokenEnv, app: &App, account: &str, rejected: Option<&Secret>) -> Result<Renewed> {
    super::check_usable(env, app, account)?;
    let current = StoredToken::load(env.store, &app.id, account)?;
    if let Some(token) = &current
        && token.generation >= app.generation
        && is_fresh(token, app, now())
        && rejected.is_none_or(|r| r != &token.access_token)
    {
        return Ok(Renewed::Got(Box::new(Access {
            token: token.clone(),
            refreshed: false,
        })));
    }
    let lock = account_lock(env, &app.id, account)?;

    // Another process may have refreshed while we waited for the lock.
    let token = StoredToken::load(env.store, &app.id, account)?;
    let token = match token {
        Some(t) if t.generation < app.generation => {
            // Dead since `app reset`: revoke where possible, remove, start over.
            forget_locked(env, &app.id, account, Some(app))?;
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
        return Ok(Renewed::Got(Box::new(Access {
            token: token.clone(),
            refreshed: false,
        })));
    }
    // What to send: a new client-credentials token, or a refresh. Everything that
    // needs a person is decided before the client secret is looked up, so a user
    // without tokens is told to authorize, not to set a secret.
    let requested = match &token {
        Some(t) => t.scopes.clone(),
        None => app.scopes.clone(),
    };
    // Refreshing early, inside the skew: if it fails, the current token still works.
    let still_valid = token
        .as_ref()
        .filter(|t| {
            t.expires_at.is_some_and(|at| at > now())
                && rejected.is_none_or(|r| r != &t.access_token)
        })
        .cloned();
    // Who the account is stays known through refreshes that bring no new ID token.
    let kept = token
        .as_ref()
        .map(|t| (t.id_token.clone(), t.identity.clone(), t.narrowed.clone()))
        .unwrap_or_default();
    let refresh = if !app.grant.needs_person() {
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
    match (
        renew(
            env,
            app,
            account,
            Renewal {
                refresh,
                requested: &requested,
                kept,
                lock: &lock,
            },
        ),
        still_valid,
    ) {
        (Err(e), Some(token)) => {
            // Fail only when no valid token remains; say why the refresh did not happen.
            let left = token.expires_at.map_or(0, |at| at.saturating_sub(now()));
            // New tokens that could not be saved keep their next step (authorize), and
            // a client the server refused keeps its fix.
            let why = match &e {
                Error::Store(StoreError::TokensNotSaved { .. }) | Error::ClientRefused { .. } => {
                    e.to_string()
                }
                _ => e.to_string().lines().next().unwrap_or_default().to_owned(),
            };
            crate::warnings::push(format!(
                "refreshing the tokens of `{}` (account `{account}`) failed, so the current access token (valid {left} s more) was used: {why}",
                app.name,
            ));
            Ok(Renewed::Got(Box::new(Access {
                token,
                refreshed: false,
            })))
        }
        (result, _) => result,
    }
}

/// What a refresh keeps of the tokens it replaces: the ID token and who it says the
/// account is (a refresh may bring none), and the narrowed tokens.
type Kept = (
    Option<Secret>,
    Option<crate::oauth::id_token::Identity>,
    std::collections::BTreeMap<String, super::NarrowToken>,
);

/// What one renewal sends and keeps.
struct Renewal<'a> {
    /// None: client credentials.
    refresh: Option<Secret>,
    requested: &'a [String],
    kept: Kept,
    /// The account's lock or lease, held by the caller.
    lock: &'a AccountLock,
}

/// Asks the server for new tokens (a refresh, or client credentials when `refresh`
/// is None) and keeps them; the account's lock is held by the caller. From sending
/// to saving, Ctrl-C and friends wait: the server may rotate the refresh token, and
/// only the store can keep the new one. A failure is noted for `status`.
fn renew(env: &TokenEnv, app: &App, account: &str, renewal: Renewal) -> Result<Renewed> {
    let Renewal {
        refresh,
        requested,
        kept,
        lock,
    } = renewal;
    // Another machine's refresh that never finished (its lease ran out).
    let interrupted = lock.interrupted();
    let creds = super::secrets::account_credentials(app, account, env.store, env.state_dir)?;
    let http = crate::http::oauth_client(app, creds.identity.as_ref())?;
    let _hold = crate::signals::hold();
    // The last moment before the refresh token is spent: a holder paused past its
    // lease must not send it after another machine took over.
    let Some(save_by) = lock.confirm()? else {
        return Ok(Renewed::Lost { verify: false });
    };
    let grant = match &refresh {
        None => creds.unattended_grant(&app.scopes),
        Some(refresh_token) => oauth::Grant::RefreshToken {
            refresh_token,
            scopes: &[],
            resource: None,
        },
    };
    let response = oauth::request_token(&http, &creds, &grant);
    let grant = grant.label();
    let host = app
        .token_request
        .refresh_url
        .as_ref()
        .unwrap_or(&app.token_url)
        .host_str();
    let audit = |status| {
        env.audit
            .record(&app.name, account, "refresh", Some(grant), host, status)
    };
    let e = match response {
        Ok(response) => {
            // Saved first: nothing may fail between the server's answer and the store.
            let sent = refresh.clone();
            let mut fresh = StoredToken::from_response(response, app, requested, refresh);
            let (kept_id_token, kept_identity, kept_narrowed) = kept;
            let new_id_token = fresh.id_token.take();
            fresh.id_token = kept_id_token;
            fresh.identity = kept_identity;
            fresh.narrowed = kept_narrowed;
            let rotated = sent.is_some() && fresh.refresh_token != sent;
            if !save_refreshed(env, app, account, &fresh, save_by, rotated)? {
                audit("superseded");
                return Ok(Renewed::Lost { verify: false });
            }
            audit("ok");
            drop(_hold);
            // A new ID token (no nonce on a refresh) replaces who the account is once
            // it is checked; one that fails the check is reported and not kept.
            if let Some(id_token) = new_id_token.filter(|_| app.issuer.is_some()) {
                let secret = creds.secret.as_ref();
                match oauth::id_token::validate(
                    &http,
                    app,
                    &id_token,
                    &fresh.access_token,
                    secret,
                    None,
                ) {
                    Ok(identity) => {
                        fresh.id_token = Some(id_token);
                        fresh.identity = Some(identity);
                        // The tokens are saved already: this only adds who the
                        // account is. Another machine's newer tokens stay.
                        match env.record(app, account, &fresh, None, true) {
                            Ok(()) | Err(Error::Store(StoreError::Superseded { .. })) => {}
                            Err(e) => crate::warnings::push(format!(
                                "the ID token of the refresh of `{}` (account `{account}`) was not saved: {}",
                                app.name,
                                e.to_string().lines().next().unwrap_or_default()
                            )),
                        }
                    }
                    Err(e) => crate::warnings::push(format!(
                        "the ID token of the refresh of `{}` (account `{account}`) was not kept: {e}",
                        app.name
                    )),
                }
            }
            return Ok(Renewed::Got(Box::new(Access {
                token: fresh,
                refreshed: true,
            })));
        }
        Err(e) => e,
    };
    audit("error");
    let dead = e.is_invalid_grant() && app.grant.needs_person();
    let what = match interrupted.filter(|_| dead) {
        // The documented window: the holder's refresh reached the server, which
        // rotated the refresh token, and the holder died before saving the new one.
        Some(holder) => format!(
            "the refresh by {holder} was interrupted before it saved the new tokens, and the server no longer takes the old refresh token: {e}"
        ),
        None => e.to_string(),
    };
    match note_failure(env, app, account, &what, dead) {
        // A failure under a lease this process lost says nothing of the account now.
        Err(Error::Store(StoreError::Superseded { .. })) => {
            return Ok(Renewed::Lost { verify: dead });
        }
        other => other?,
    }
    if dead {
        return Err(authorization_required(
            app,
            account,
            format!(
                "refreshing the tokens of `{}` (account `{account}`) failed: {what}",
                app.name
            ),
        ));
    }
    // Servers answer a revoked refresh token otherwise than `invalid_grant`:
    // `invalid_request` (LemonLDAP::NG, idpyoidc), a bare 400 (glewlwyd). Such a
    // refusal may also pass, so the tokens are kept; but the person gets the next
    // step, with the server's own words above it.
    if refresh.is_some() && refuses_the_refresh(&e) {
        return Err(Error::Hinted {
            error: Box::new(e.into()),
            hint: format!(
                "the server refused the refresh token of `{}` (account `{account}`), as servers do for one that was revoked or expired: if this persists, the account must be authorized again (the tokens are kept meanwhile): run {}",
                app.name,
                authorize_command(app, account)
            ),
        });
    }
    Err(super::secrets::refused_client(app, e.into()))
}

/// Whether `e` is the server refusing a refresh for good, as far as it says: an OAuth
/// error other than one about the client (`invalid_client`, which has a fix of its
/// own) or one that passes (`server_error`, `temporarily_unavailable`, …), or a
/// bare 4xx without an OAuth error.
fn refuses_the_refresh(e: &oauth::OAuthError) -> bool {
    const NOT_THE_TOKEN: [&str; 6] = [
        "invalid_client",
        "server_error",
        "temporarily_unavailable",
        "slow_down",
        "authorization_pending",
        "use_dpop_nonce",
    ];
    match e {
        oauth::OAuthError::Refused { error, .. } => !NOT_THE_TOKEN.contains(&error.as_str()),
        oauth::OAuthError::Http { status, .. } => (400..=499).contains(status),
        _ => false,
    }
}

/// Saves the tokens a refresh brought. A team store that cannot be reached is
/// tried again until `save_by` (until then the lease is ours: no other machine
/// refreshes meanwhile), then the error says what was lost and what to do. Ok(false):
/// the account changed under a lease this process lost; nothing was saved.
fn save_refreshed(
    env: &TokenEnv,
    app: &App,
    account: &str,
    fresh: &StoredToken,
    save_by: std::time::Instant,
    rotated: bool,
) -> Result<bool> {
    let start = std::time::Instant::now();
    loop {
        let (database, reason) = match env.record(app, account, fresh, None, true) {
            Ok(()) => return Ok(true),
            Err(Error::Store(StoreError::Superseded { .. })) => return Ok(false),
            Err(Error::Store(StoreError::DatabaseUnreachable { database, reason })) => {
                (database, reason)
            }
            Err(e) => return Err(e),
        };
        if std::time::Instant::now() + SAVE_RETRY_PAUSE < save_by {
            std::thread::sleep(SAVE_RETRY_PAUSE);
            continue;
        }
        let tried = start.elapsed().as_secs();
        let which = format!("`{}` (account `{account}`)", app.name);
        let (what, fix) = if rotated {
            (
                format!("the server issued new tokens for {which} and rotated the refresh token"),
                format!(
                    "the new tokens are lost and the stored refresh token is spent: once the database is back, run {} (on any machine; the others say the same once this machine's refresh lease has run out, within {} s)",
                    authorize_command(app, account),
                    crate::store::postgres::lease_length().as_secs()
                ),
            )
        } else {
            (
                format!("the server issued a new access token for {which}"),
                "nothing is lost (the stored refresh token still works): once the database is back, the next command refreshes again".to_owned(),
            )
        };
        return Err(StoreError::TokensNotSaved {
            what,
            database,
            reason: format!("{reason}; tried for {tried} s"),
            fix,
        }
        .into());
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
    let shared = env.store.shared_state(&app.id, account)?;
    let local = Index::load(env.state_dir)
        .get(&app.id, account)
        .filter(|r| r.needs_authorization)
        .map(|r| r.last_error.clone());
    let shared = shared
        .filter(|s| s.needs_authorization)
        .map(|s| s.last_error);
    if let Some(last_error) = shared.or(local) {
        let why = last_error.unwrap_or_else(|| "the grant is no longer valid".into());
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

/// Records a failed refresh for `status` (and, in a shared store, for every
/// machine); `needs_authorization` when the grant is dead.
fn note_failure(
    env: &TokenEnv,
    app: &App,
    account: &str,
    error: &str,
    needs_authorization: bool,
) -> Result<()> {
    let was_dead = Index::update(env.state_dir, |index| {
        let record = index.accounts.get_mut(&state::key(&app.id, account))?;
        record.last_error = Some(error.to_owned());
        record.needs_authorization |= needs_authorization;
        Some(record.needs_authorization)
    })?;
    env.store.note_shared_state(
        &app.id,
        account,
        &crate::store::SharedState {
            needs_authorization: needs_authorization || was_dead == Some(true),
            last_error: Some(error.to_owned()),
            inactive: false,
        },
    )?;
    Ok(())
}

/// The per-(app, account) lock that refreshing and forgetting share.
pub(super) fn lock_path(state_dir: &Path, app_id: &str, account: &str) -> std::path::PathBuf {
    state_dir
        .join("locks")
        .join(format!("{app_id}.{account}.lock"))
}

/// The per-(app, account) lock refreshing and forgetting share: the store's
/// fleet-wide lease for a store shared between machines, else the local file lock.
pub(super) enum AccountLock {
    File(#[allow(dead_code)] std::fs::File),
    Lease(crate::store::LeaseGuard),
}

impl AccountLock {
    /// The holder whose refresh was interrupted (its lease ran out), if any.
    fn interrupted(&self) -> Option<&str> {
        match self {
            AccountLock::Lease(guard) => guard.taken_over_from.as_deref(),
            AccountLock::File(_) => None,
        }
    }

    /// Just before a request that may spend the refresh token: None when the lease
    /// was lost (the request must not be sent), else until when saving its answer
    /// may be retried: the end of the renewed lease, less a margin (a local lock is
    /// never lost, and its store is not retried).
    fn confirm(&self) -> Result<Option<std::time::Instant>> {
        let now = std::time::Instant::now();
        match self {
            AccountLock::File(_) => Ok(Some(now)),
            AccountLock::Lease(guard) => Ok(guard.confirm()?.then(|| {
                now + crate::store::postgres::lease_length()
                    .saturating_sub(std::time::Duration::from_secs(2))
            })),
        }
    }
}

pub(super) fn account_lock(env: &TokenEnv, app_id: &str, account: &str) -> Result<AccountLock> {
    match env.store.lease(app_id, account, lock_wait()) {
        Some(lease) => Ok(AccountLock::Lease(lease?)),
        None => {
            lock_with_timeout(&lock_path(env.state_dir, app_id, account)).map(AccountLock::File)
        }
    }
}

/// Takes the refresh lock, waiting at most [`lock_wait`]. The OS releases the lock
/// when its holder dies, so a killed process never blocks the others.
pub(super) fn lock_with_timeout(path: &Path) -> Result<std::fs::File> {
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

/// A token with fewer scopes for one call (`token --scope`): a refresh that names
/// them (client credentials for them, for such an app), under the account's lock.
/// The account's stored access token stays as it was; a rotated refresh token is
/// saved, as it must be.
pub fn narrowed(
    env: &TokenEnv,
    app: &App,
    account: &str,
    scopes: &[String],
    resource: Option<&str>,
) -> Result<StoredToken> {
    super::check_usable(env, app, account)?;
    let lock = account_lock(env, &app.id, account)?;
    let key = super::narrow_key(scopes, resource);
    let stored =
        StoredToken::load(env.store, &app.id, account)?.filter(|t| t.generation >= app.generation);
    if let Some(stored) = &stored
        && let Some(kept) = stored.narrowed.get(&key)
    {
        let kept = stored.with_narrow(kept);
        if kept.expires_at.is_some() && is_fresh(&kept, app, now()) {
            return Ok(kept);
        }
    }
    let creds = super::secrets::account_credentials(app, account, env.store, env.state_dir)?;
    let http = crate::http::oauth_client(app, creds.identity.as_ref())?;
    let lost = || -> Error {
        StoreError::Superseded {
            account: account.to_owned(),
        }
        .into()
    };
    if !app.grant.needs_person() {
        if lock.confirm()?.is_none() {
            return Err(lost());
        }
        let response = oauth::request_token(&http, &creds, &creds.unattended_grant(scopes))
            .map_err(|e| super::secrets::refused_client(app, e.into()))?;
        let narrow = StoredToken::from_response(response, app, scopes, None);
        if let Some(mut stored) = stored {
            keep_narrow(&mut stored, key, &narrow);
            env.record(app, account, &stored, None, false)?;
        }
        return Ok(narrow);
    }
    let Some(mut stored) = stored else {
        return Err(authorization_required(
            app,
            account,
            format!("`{}` has no tokens for account `{account}`", app.name),
        ));
    };
    let Some(refresh_token) = stored.refresh_token.clone() else {
        return Err(Error::Usage(format!(
            "--scope needs a refresh token to ask for a narrower token, and `{}` (account `{account}`) has none",
            app.name
        )));
    };
    let _hold = crate::signals::hold();
    if lock.confirm()?.is_none() {
        return Err(lost());
    }
    let response = oauth::request_token(
        &http,
        &creds,
        &oauth::Grant::RefreshToken {
            refresh_token: &refresh_token,
            scopes,
            resource,
        },
    )
    .map_err(|e| super::secrets::refused_client(app, e.into()))?;
    let narrow = StoredToken::from_response(response, app, scopes, Some(refresh_token.clone()));
    let rotated = narrow.refresh_token.as_ref() != Some(&refresh_token);
    stored.refresh_token = narrow.refresh_token.clone();
    keep_narrow(&mut stored, key, &narrow);
    env.record(app, account, &stored, None, rotated)?;
    Ok(narrow)
}

/// Keeps a narrowed token (one with a known expiry) beside the account's own, and
/// drops those that expired.
fn keep_narrow(stored: &mut StoredToken, key: String, narrow: &StoredToken) {
    let now = now();
    stored
        .narrowed
        .retain(|_, t| t.expires_at.is_some_and(|at| at > now));
    if narrow.expires_at.is_some() {
        stored.narrowed.insert(
            key,
            super::NarrowToken {
                access_token: narrow.access_token.clone(),
                token_type: narrow.token_type.clone(),
                expires_at: narrow.expires_at,
                obtained_at: narrow.obtained_at,
                scopes: narrow.scopes.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    use super::*;
    use crate::store::{Backend, SecretStore, StoreError};

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
            id_token: None,
            identity: None,
            narrowed: Default::default(),
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
        let audit = crate::audit::Audit::off();
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
