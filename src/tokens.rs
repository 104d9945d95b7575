//! Token lifecycle: what is stored per (app, account), where the client secret comes
//! from, and the account states `status` reports. Used by every command that holds
//! or uses tokens.

use std::path::Path;
use std::process::{Command, Stdio};
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
        let lifetime = response
            .expires_in
            .or_else(|| app.expires_in.map(|d| d.as_secs()));
        StoredToken {
            access_token: response.access_token,
            refresh_token: response.refresh_token.or(previous_refresh),
            token_type: response.token_type,
            expires_at: lifetime.map(|l| now + l),
            refresh_expires_at: response.refresh_expires_in.map(|l| now + l),
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
        SecretRef::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(Secret::new(v))),
            _ => Err(Error::Usage(format!(
                "the client secret of `{}` comes from ${var}, which is not set",
                app.name
            ))),
        },
        SecretRef::Command(cmd) => {
            let output = Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stdin(Stdio::null())
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| Error::io(format!("cannot run the client secret command of `{}`", app.name), e))?;
            let value = String::from_utf8_lossy(&output.stdout).trim_end_matches(['\n', '\r']).to_owned();
            if !output.status.success() || value.is_empty() {
                return Err(Error::Other(format!(
                    "the client secret command of `{}` failed ({}) or printed nothing",
                    app.name, output.status
                )));
            }
            Ok(Some(Secret::new(value)))
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

/// What revoking one account's tokens did, for the user.
pub struct Forgotten {
    pub revoked: Vec<&'static str>,
    pub revoke_error: Option<String>,
}

/// Removes one account's tokens from the store and the index, revoking them at the
/// server first when `revoke` and a revocation URL is known (RFC 7009: the refresh
/// token, then the access token). A revocation failure is reported, and the local
/// tokens are removed all the same.
pub fn forget(
    store: &dyn SecretStore,
    state_dir: &Path,
    app_id: &str,
    account: &str,
    revoke_with: Option<&App>,
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
        if let Err(e) = attempt() {
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
