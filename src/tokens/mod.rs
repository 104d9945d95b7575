//! Token lifecycle: what is stored per (app, account) and the account states
//! `status` reports (here); valid-or-refresh under a lock (`refresh`); forgetting
//! and revoking ([`forget`]); where client secrets come from (`secrets`); and
//! keeping what an authorization obtains ([`authorize`]). Used by every command that
//! holds or uses tokens.

mod authorize;
mod forget;
pub mod migrate;
mod refresh;
mod registration;
mod secrets;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::clock::now;
use crate::error::{Error, Result};
use crate::oauth::TokenResponse;
use crate::secret::Secret;
use crate::state::{self, AccountRecord, AccountSettings, Index};
use crate::store::{self, SecretStore};

pub use authorize::{Authorization, authorize, import_refresh_token};
pub use forget::{Forgotten, forget};
pub use migrate::{Moved, migrate};
pub use refresh::{Access, is_fresh, narrowed, valid_token};
pub use registration::{deregister, store_registration, update_registration};
pub use secrets::{
    ClientFix, client_credentials, client_fix, client_identity, client_secret,
    delete_client_identity, delete_client_secret, delete_private_key, identity_from_pem,
    private_key, refused_client, store_client_secret, store_private_key,
};

pub use crate::app::DEFAULT_ACCOUNT;

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
    /// The OpenID Connect ID token, as the server sent it (checked first).
    #[serde(default)]
    pub id_token: Option<Secret>,
    /// Who the account is, from the last ID token that was checked.
    #[serde(default)]
    pub identity: Option<crate::oauth::id_token::Identity>,
    /// Tokens for fewer scopes or another resource (`token --scope`, `token
    /// --resource`), kept until they expire, by [`narrow_key`].
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub narrowed: std::collections::BTreeMap<String, NarrowToken>,
}

/// A token obtained for one call's narrower request, kept beside the account's own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NarrowToken {
    pub access_token: Secret,
    pub token_type: Option<String>,
    pub expires_at: Option<u64>,
    pub obtained_at: u64,
    pub scopes: Vec<String>,
}

/// What a narrowed token was asked for: the resource and the scopes, in order.
pub fn narrow_key(scopes: &[String], resource: Option<&str>) -> String {
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    format!("{} {}", resource.unwrap_or("-"), scopes.join(" "))
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
            id_token: response.id_token,
            identity: None,
            narrowed: Default::default(),
        }
    }

    /// This token with the account's own access token replaced by a narrowed one.
    pub fn with_narrow(&self, narrow: &NarrowToken) -> StoredToken {
        StoredToken {
            access_token: narrow.access_token.clone(),
            token_type: narrow.token_type.clone(),
            expires_at: narrow.expires_at,
            obtained_at: narrow.obtained_at,
            scopes: narrow.scopes.clone(),
            narrowed: Default::default(),
            ..self.clone()
        }
    }

    /// The tokens `store` holds for (app, account), their times on this machine's
    /// clock (a team store keeps them on its database's: see
    /// [`SecretStore::clock_offset`]).
    pub fn load(
        store: &dyn SecretStore,
        app_id: &str,
        account: &str,
    ) -> Result<Option<StoredToken>> {
        let Some(blob) = store.get(&store::token_key(app_id, account))? else {
            return Ok(None);
        };
        // An unreadable entry is treated as absent; its content is never quoted.
        let Ok(token) = serde_json::from_str::<StoredToken>(blob.expose()) else {
            return Ok(None);
        };
        let offset = store.clock_offset()?;
        Ok(Some(token.shifted(-offset)))
    }

    /// Keeps these tokens (their times on this machine's clock) in `store`, on the
    /// store's clock.
    pub fn save(&self, store: &dyn SecretStore, app_id: &str, account: &str) -> Result<()> {
        let offset = store.clock_offset()?;
        let blob = serde_json::to_string(&self.clone().shifted(offset))
            .map_err(|e| Error::Other(format!("cannot encode tokens: {e}")))?;
        store.set(&store::token_key(app_id, account), &Secret::new(blob))?;
        Ok(())
    }

    /// These tokens with every time moved `by` seconds: from one clock to another.
    pub fn shifted(mut self, by: i64) -> StoredToken {
        if by == 0 {
            return self;
        }
        let at = |t: u64| crate::clock::shift(t, by);
        let token = &mut self;
        token.expires_at = token.expires_at.map(at);
        token.refresh_expires_at = token.refresh_expires_at.map(at);
        token.obtained_at = at(token.obtained_at);
        for narrow in token.narrowed.values_mut() {
            narrow.expires_at = narrow.expires_at.map(at);
            narrow.obtained_at = at(narrow.obtained_at);
        }
        self
    }
}

/// The account a command acts on: `--account`, else `OUTBOUND_ACCOUNT`, else the
/// app's `default_account`, else `default`. Checked, the message naming where it
/// came from.
pub fn account_of(app: &App, given: Option<&str>) -> Result<String> {
    let (account, from) = match given {
        Some(a) => (a.to_owned(), "--account"),
        None => match std::env::var("OUTBOUND_ACCOUNT")
            .ok()
            .filter(|v| !v.is_empty())
        {
            Some(a) => (a, "OUTBOUND_ACCOUNT"),
            None => (
                app.default_account
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned()),
                "default_account",
            ),
        },
    };
    crate::app::check_name(&account).map_err(|m| {
        Error::Usage(format!(
            "{from}: {}",
            m.replace("application name", "account name")
        ))
    })?;
    Ok(account)
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

/// Refuses every use of the tokens of a disabled app (exit 5), then of an inactive
/// account (exit 5 too): the app's switch wins over the account's.
pub fn check_usable(env: &TokenEnv, app: &App, account: &str) -> Result<()> {
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    // In the team store the account's state is every machine's (`account disable`
    // anywhere counts); in a local one, this user's index says.
    let inactive = match env.store.shared_state(&app.id, account)? {
        Some(shared) => shared.inactive,
        None => Index::load(env.state_dir)
            .get(&app.id, account)
            .is_some_and(|r| r.settings.inactive),
    };
    if inactive {
        return Err(Error::Inactive {
            app: app.name.clone(),
            account: account.to_owned(),
        });
    }
    Ok(())
}

/// Where token operations read and write.
pub struct TokenEnv<'a> {
    pub store: &'a dyn SecretStore,
    pub state_dir: &'a Path,
    pub config_path: &'a Path,
    pub audit: &'a crate::audit::Audit,
}

impl TokenEnv<'_> {
    /// Records a freshly obtained token: in the store first (the credential), then in
    /// the index (what `status` shows). `settings` replaces the account's own
    /// settings; None keeps them.
    pub fn record(
        &self,
        app: &App,
        account: &str,
        token: &StoredToken,
        settings: Option<AccountSettings>,
        refreshed: bool,
    ) -> Result<()> {
        token.save(self.store, &app.id, account)?;
        let backend = self.store.backend();
        let config_path = self.config_path;
        let record = Index::update(self.state_dir, |index| {
            let previous = index.accounts.remove(&state::key(&app.id, account));
            let settings = settings
                .or_else(|| previous.as_ref().map(|p| p.settings.clone()))
                .unwrap_or_default();
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
                    identity: token.identity.clone(),
                    settings,
                },
            );
            index.accounts.get(&state::key(&app.id, account)).cloned()
        })?;
        if let Some(record) = record {
            state::note_shared_record(self.store, &record)?;
        }
        Ok(())
    }
}

/// An account's state, as `status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountState {
    Authorized,
    /// Expired, but a refresh token (or the client's own credentials) renews it
    /// without a person.
    Expired,
    /// No token yet, and none needs a person: a client-credentials app fetches one
    /// at first use.
    Ready,
    NeedsAuthorization,
    Disabled,
    /// `account disable`: the tokens are kept, every use refused.
    Inactive,
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
            AccountState::Ready => "ready",
            AccountState::NeedsAuthorization => "needs-authorization",
            AccountState::Disabled => "disabled",
            AccountState::Inactive => "inactive",
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
    } else if record.settings.inactive {
        AccountState::Inactive
    } else if record.needs_authorization {
        // No person can fix a client-credentials app: its own credentials failed.
        if !app.grant.needs_person() {
            AccountState::Error
        } else {
            AccountState::NeedsAuthorization
        }
    } else if !expired {
        AccountState::Authorized
    } else if !app.grant.needs_person() {
        AccountState::Expired
    } else if !record.has_refresh || refresh_dead {
        AccountState::NeedsAuthorization
    } else if record.last_error.is_some() {
        AccountState::Error
    } else {
        AccountState::Expired
    }
}

/// Asks the app's userinfo endpoint who the account is, with its current token
/// (`access`), and keeps the answer for `status`. The answer must name the subject
/// the ID token named (OpenID Connect Core §5.3.2: else it is another user's);
/// what the ID token said fills what the answer leaves out.
pub fn ask_identity(
    env: &TokenEnv,
    app: &App,
    account: &str,
    access: &StoredToken,
) -> Result<crate::oauth::id_token::Identity> {
    let Some(url) = &app.userinfo_url else {
        return Err(Error::Other(format!(
            "`{}` has no userinfo_url (outbound app edit {} --userinfo-url URL)",
            app.name, app.name
        )));
    };
    let identity = secrets::client_identity(app, env.store)?;
    let http = crate::http::oauth_client(app, identity.as_ref())?;
    let dpop = match access.token_type.as_deref() {
        Some("dpop") => Some(crate::dpop::Dpop::load_or_create(
            env.store,
            env.state_dir,
            &app.id,
            account,
        )?),
        _ => None,
    };
    let issuer = app
        .issuer
        .as_ref()
        .map_or_else(|| url.origin().ascii_serialization(), |i| i.to_string());
    let issuer = issuer.trim_end_matches('/');
    // The app's proxy carries it: judged with the endpoint rule too.
    crate::oauth::credential_url("userinfo", url, app.proxy.as_ref())?;
    let mut who =
        crate::oauth::userinfo::fetch(&http, url, &access.access_token, dpop.as_ref(), issuer)?;
    if let Some(known) = &access.identity {
        if known.subject != who.subject {
            return Err(Error::OAuth(crate::oauth::OAuthError::Malformed {
                endpoint: "userinfo",
                reason: format!(
                    "it names subject `{}`, but the ID token of account `{account}` names `{}`; nothing was kept",
                    who.subject, known.subject
                ),
            }));
        }
        // The subject is the one the ID token named: it was checked as that was.
        who.checked = known.checked.or(who.checked);
        who.issuer.clone_from(&known.issuer);
        who.name = who.name.or_else(|| known.name.clone());
        who.email = who.email.or_else(|| known.email.clone());
    }
    let _lock = refresh::account_lock(env, &app.id, account)?;
    if let Some(mut stored) = StoredToken::load(env.store, &app.id, account)? {
        stored.identity = Some(who.clone());
        env.record(app, account, &stored, None, false)?;
    }
    Ok(who)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;
    use crate::store::{Backend, StoreError};

    /// A store whose clock is `offset` seconds ahead of this machine's.
    struct Skewed {
        offset: i64,
        values: RefCell<HashMap<String, Secret>>,
    }

    impl SecretStore for Skewed {
        fn backend(&self) -> Backend {
            Backend::Postgres
        }
        fn get(&self, key: &str) -> std::result::Result<Option<Secret>, StoreError> {
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
        fn clock_offset(&self) -> std::result::Result<i64, StoreError> {
            Ok(self.offset)
        }
    }

    #[test]
    fn tokens_are_kept_on_the_stores_clock_and_read_on_this_machines() {
        let narrow = NarrowToken {
            access_token: Secret::new("narrow"),
            token_type: None,
            expires_at: Some(1_000_030),
            obtained_at: 1_000_000,
            scopes: vec![],
        };
        let token = StoredToken {
            access_token: Secret::new("access"),
            refresh_token: None,
            token_type: None,
            expires_at: Some(1_000_060),
            refresh_expires_at: Some(1_086_400),
            scopes: vec![],
            generation: 1,
            obtained_at: 1_000_000,
            id_token: None,
            identity: None,
            narrowed: [("n".to_owned(), narrow)].into(),
        };
        // The store's clock is 10 minutes behind this machine's.
        let store = Skewed {
            offset: -600,
            values: RefCell::default(),
        };
        token.save(&store, "app", "default").unwrap();
        let kept: serde_json::Value =
            serde_json::from_str(store.values.borrow()["token/app/default"].expose()).unwrap();
        assert_eq!(kept["expires_at"], 999_460);
        assert_eq!(kept["obtained_at"], 999_400);
        assert_eq!(kept["refresh_expires_at"], 1_085_800);
        assert_eq!(kept["narrowed"]["n"]["expires_at"], 999_430);
        let back = StoredToken::load(&store, "app", "default")
            .unwrap()
            .unwrap();
        assert_eq!(back.expires_at, Some(1_000_060));
        assert_eq!(back.obtained_at, 1_000_000);
        assert_eq!(back.refresh_expires_at, Some(1_086_400));
        assert_eq!(back.narrowed["n"].expires_at, Some(1_000_030));
        assert_eq!(back.narrowed["n"].obtained_at, 1_000_000);
    }
}
