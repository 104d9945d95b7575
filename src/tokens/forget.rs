//! Forgetting an account's tokens: revoked at the server where possible (RFC 7009),
//! removed from the store and the index, under the account's refresh lock.

use super::refresh::account_lock;
use super::{StoredToken, TokenEnv};
use crate::app::App;
use crate::error::Result;
use crate::oauth;
use crate::state::{self, Index};
use crate::store;

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
    env: &TokenEnv,
    app_id: &str,
    account: &str,
    revoke: Option<&App>,
) -> Result<Forgotten> {
    let _lock = account_lock(env, app_id, account)?;
    forget_locked(env, app_id, account, revoke)
}

/// [`forget`], with the account's refresh lock already held.
pub(super) fn forget_locked(
    env: &TokenEnv,
    app_id: &str,
    account: &str,
    revoke: Option<&App>,
) -> Result<Forgotten> {
    let (store, audit) = (env.store, env.audit);
    let mut outcome = Forgotten {
        revoked: Vec::new(),
        revoke_error: None,
    };
    if let Some(app) = revoke
        && let Some(url) = &app.revocation_url
        && let Some(token) = StoredToken::load(store, app_id, account)?
    {
        let mut attempt = || -> Result<()> {
            let creds = super::secrets::client_credentials(app, store, env.state_dir)?;
            let http = crate::http::oauth_client(app, creds.identity.as_ref())?;
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
    // Every secret the account holds (store::kinds): its tokens, and the DPoP key they
    // are bound to (the next authorization makes another).
    for kind in store::kinds::of_account() {
        store.delete(&kind.account_key(app_id, account))?;
    }
    Index::update(env.state_dir, |index| {
        index.accounts.remove(&state::key(app_id, account));
    })?;
    Ok(outcome)
}
