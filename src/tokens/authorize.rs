//! Keeping what an authorization obtains: the flows are in `authorize/`; this
//! resolves the client secret, runs one, and saves the tokens before anything else.

use super::{StoredToken, TokenEnv};
use crate::app::App;
use crate::authorize::flow::{self, Mode, Person};
use crate::error::{Error, Result};
use crate::secret::Secret;

use crate::state::{AccountSettings, Index};

/// What an authorization asks for: the account, the scopes and `prompt` for it (an
/// account's own, from `authorize --scope/--prompt`, are remembered), and how to
/// reach the person.
pub struct Authorization {
    pub account: String,
    pub scopes: Vec<String>,
    pub prompt: Option<String>,
    /// The account's own settings, to remember: its scopes and prompt (None: the
    /// app's), and what it had before (`inactive`, `base_url`).
    pub settings: AccountSettings,
    pub mode: Mode,
    pub timeout: std::time::Duration,
    /// The team store's account shared with the group (`authorize --shared`), not
    /// this role's own: what is obtained goes only to the one meant.
    pub shared: bool,
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
            previous
                .as_ref()
                .and_then(|p| p.settings.scope_override.clone())
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
        let prompt_override = prompt.or_else(|| {
            previous
                .as_ref()
                .and_then(|p| p.settings.prompt_override.clone())
        });
        let settings = AccountSettings {
            scope_override: scope_override.clone(),
            prompt_override: prompt_override.clone(),
            ..previous.map(|p| p.settings).unwrap_or_default()
        };
        Authorization {
            account: account.to_owned(),
            scopes: scope_override.unwrap_or_else(|| app.scopes.clone()),
            prompt: prompt_override.or_else(|| app.prompt.clone()),
            settings,
            mode: Mode::Browser { open: true },
            timeout: flow::DEFAULT_TIMEOUT,
            shared: false,
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
    person: &mut dyn Person,
) -> Result<StoredToken> {
    env.store.aim_account(&app.id, &plan.account, plan.shared)?;
    super::check_usable(env, app, &plan.account)?;
    // One authorization of an account at a time: a second waits for the first and
    // takes what it obtained, instead of opening a second browser tab.
    let started = crate::clock::now();
    let _one_at_a_time = match authorization_lock(env, app, &plan.account, plan.timeout, person)? {
        Turn::Ours(lock) => lock,
        Turn::AfterAnother(lock) => {
            if let Some(token) = StoredToken::load(env.store, &app.id, &plan.account)?
                .filter(|t| t.obtained_at >= started && t.generation >= app.generation)
            {
                person.progress(flow::Progress::TookOthers);
                return Ok(token);
            }
            lock
        }
    };
    let creds = super::secrets::account_credentials(app, &plan.account, env.store, env.state_dir)?;
    let http = crate::http::oauth_client(app, creds.identity.as_ref())?;
    // OpenID Connect: a nonce binds the ID token to this request (some servers, such
    // as glewlwyd, refuse an `openid` request without one).
    let nonce = if plan.scopes.iter().any(|s| s == "openid") {
        Some(crate::oauth::flow::random_token(24).map_err(crate::error::Error::Other)?)
    } else {
        None
    };
    let request = flow::Request {
        scopes: &plan.scopes,
        prompt: plan.prompt.as_deref(),
        nonce: nonce.as_deref(),
        mode: plan.mode,
        timeout: plan.timeout,
    };
    let host = app.token_url.host_str();
    let account = plan.account.as_str();
    let issued = match flow::run(&http, &creds, &request, person) {
        Ok(issued) => issued,
        Err(e) => {
            let grant = match (app.grant, plan.mode) {
                (crate::app::Grant::AuthorizationCode, Mode::Device { .. }) => "device_code",
                (grant, _) => grant.as_str(),
            };
            env.audit
                .record(&app.name, account, "authorize", Some(grant), host, "error");
            return Err(super::secrets::refused_client(app, e));
        }
    };
    let grant = issued.grant;
    let audit = |status| {
        env.audit
            .record(&app.name, account, "authorize", Some(grant), host, status)
    };
    // An ID token is checked before anything is kept: a bad one stores nothing.
    let identity = match &issued.response.id_token {
        Some(id_token) if app.issuer.is_some() => Some(
            crate::oauth::id_token::validate(
                &http,
                app,
                id_token,
                &issued.response.access_token,
                creds.secret.as_ref(),
                // Only the code flow's authorization request carried it.
                nonce.as_deref().filter(|_| {
                    app.grant == crate::app::Grant::AuthorizationCode
                        && !matches!(plan.mode, Mode::Device { .. })
                }),
            )
            .inspect_err(|_| audit("error"))?,
        ),
        _ => None,
    };
    let mut token = StoredToken::from_response(issued.response, app, &plan.scopes, None);
    token.identity = identity;
    env.record(app, account, &token, Some(plan.settings.clone()), false)?;
    drop(issued.hold);
    audit("ok");
    Ok(token)
}

/// Whether this process holds the account's authorization lock at once, or got it
/// after another authorization of the account ended.
enum Turn {
    Ours(std::fs::File),
    AfterAnother(std::fs::File),
}

/// The per-(app, account) authorization lock (apart from the refresh lock, which a
/// browser's minutes must not hold up). Waits as long as the other authorization
/// may take, telling the person why.
fn authorization_lock(
    env: &TokenEnv,
    app: &App,
    account: &str,
    timeout: std::time::Duration,
    person: &mut dyn Person,
) -> Result<Turn> {
    let path = env
        .state_dir
        .join("locks")
        .join(format!("{}.{account}.authorize.lock", app.id));
    let file = crate::fsutil::open_lock_file(&path)
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => return Ok(Turn::Ours(file)),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io(format!("cannot lock {}", path.display()), e));
        }
    }
    person.progress(flow::Progress::OtherInProgress);
    let deadline = std::time::Instant::now() + timeout + std::time::Duration::from_secs(30);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        match file.try_lock() {
            Ok(()) => return Ok(Turn::AfterAnother(file)),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::TimedOut(format!(
                    "another authorization of `{}` (account `{account}`) is still in progress after {} s",
                    app.name,
                    timeout.as_secs() + 30
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e));
            }
        }
    }
}

/// `authorize --refresh-token-stdin`: a refresh token obtained elsewhere (another
/// machine, `--manual`), checked with one refresh, whose result is kept. Nothing is
/// stored when the server refuses it.
pub fn import_refresh_token(
    env: &TokenEnv,
    app: &App,
    plan: &Authorization,
    refresh_token: Secret,
) -> Result<StoredToken> {
    env.store.aim_account(&app.id, &plan.account, plan.shared)?;
    super::check_usable(env, app, &plan.account)?;
    if !app.grant.needs_person() {
        return Err(Error::Usage(format!(
            "--refresh-token-stdin: `{}` uses the {} grant, which needs no refresh token",
            app.name,
            app.grant.as_str()
        )));
    }
    let account = plan.account.as_str();
    let _lock = super::refresh::account_lock(env, &app.id, account)?;
    let creds = super::secrets::account_credentials(app, account, env.store, env.state_dir)?;
    let http = crate::http::oauth_client(app, creds.identity.as_ref())?;
    let _hold = crate::signals::hold();
    let host = app.token_url.host_str();
    let response = crate::oauth::request_token(
        &http,
        &creds,
        &crate::oauth::Grant::RefreshToken {
            refresh_token: &refresh_token,
            scopes: &[],
            resource: None,
        },
    );
    let audit = |status| {
        env.audit.record(
            &app.name,
            account,
            "authorize",
            Some("refresh_token"),
            host,
            status,
        )
    };
    let response = response
        .inspect_err(|_| audit("error"))
        .map_err(|e| super::secrets::refused_client(app, e.into()))?;
    let identity = match &response.id_token {
        Some(id_token) if app.issuer.is_some() => Some(
            crate::oauth::id_token::validate(
                &http,
                app,
                id_token,
                &response.access_token,
                creds.secret.as_ref(),
                None,
            )
            .inspect_err(|_| audit("error"))?,
        ),
        _ => None,
    };
    let mut token = StoredToken::from_response(response, app, &plan.scopes, Some(refresh_token));
    token.identity = identity;
    env.record(app, account, &token, Some(plan.settings.clone()), true)?;
    audit("ok");
    Ok(token)
}
