//! `outbound status [NAME]`: every application and account of this user, with its
//! state, expiry, scopes, store, last error and last refresh. Tokens of deleted apps
//! (orphans) and of older generations (after `app reset`) are reported, never
//! removed: a read command destroys no credential, whatever state the configuration
//! file is in (empty while an editor rewrites it, missing on an unmounted share).
//! `outbound prune` removes them, explicitly.

use crate::commands::output::{data, notice, warning};
use serde::Serialize;

use super::authorize::human_seconds;
use super::{Ctx, print_json, print_table, report_revocation};
use crate::error::Result;
use crate::state::{AccountRecord, Index};
use crate::tokens::{self, AccountState};

/// The stable JSON shape of one row of `status --json`.
#[derive(Serialize)]
struct Row {
    app: String,
    /// null for an application this user never authorized.
    account: Option<String>,
    /// The account commands use when none is named (`--account`, `OUTBOUND_ACCOUNT`,
    /// the app's `default_account`, `default`).
    default: bool,
    /// authorized | expired | ready | needs-authorization | disabled | inactive | reset | error | orphan
    state: &'static str,
    /// Unix seconds, or null when unknown.
    expires_at: Option<u64>,
    /// Seconds left (negative once expired), or null.
    expires_in: Option<i64>,
    refresh_expires_at: Option<u64>,
    scopes: Vec<String>,
    store: Option<&'static str>,
    last_error: Option<String>,
    last_refresh: Option<u64>,
    /// The account's own base URL for `curl` (`account edit --base-url`).
    base_url: Option<String>,
    /// Who the account is, from its checked ID token: issuer, subject, name, email.
    identity: Option<crate::oauth::id_token::Identity>,
    /// Where the application is defined: `personal` (the file) or `team`; null for
    /// an orphan.
    place: Option<&'static str>,
}

fn row(app: &str, rec: &AccountRecord, state: &'static str, now: u64, default: bool) -> Row {
    Row {
        app: app.to_owned(),
        account: Some(rec.account.clone()),
        default,
        state,
        expires_at: rec.expires_at,
        expires_in: rec.expires_at.map(|at| at as i64 - now as i64),
        refresh_expires_at: rec.refresh_expires_at,
        scopes: rec.scopes.clone(),
        store: Some(rec.store.as_str()),
        last_error: rec.last_error.clone(),
        last_refresh: rec.last_refresh,
        base_url: rec.settings.base_url.clone(),
        identity: rec.identity.clone(),
        place: None,
    }
}

pub fn run(ctx: &Ctx, name: Option<&str>, json: bool, check: bool) -> Result<()> {
    let config = ctx.load()?;
    if let Some(name) = name {
        config.app(name)?;
    }
    let now = crate::clock::now();
    let (mut index, corrupt) = Index::load_checked(&ctx.state_dir);
    if corrupt {
        index = rebuild(ctx, &config)?;
    }
    shared_records(ctx, &config, &mut index)?;
    let mut rows = Vec::new();
    let mut stale = 0;
    // Records by application, once: not a scan of every record for every app.
    let mut by_app: std::collections::HashMap<&str, Vec<&AccountRecord>> =
        std::collections::HashMap::new();
    for rec in index.accounts.values() {
        by_app.entry(rec.app_id.as_str()).or_default().push(rec);
    }
    for app in config
        .apps
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
    {
        let records = by_app.remove(app.id.as_str()).unwrap_or_default();
        let rows_before = rows.len();
        if records.is_empty() {
            let state = if !app.enabled {
                "disabled"
            } else if !app.grant.needs_person() {
                AccountState::Ready.as_str()
            } else {
                "needs-authorization"
            };
            rows.push(Row {
                app: app.name.clone(),
                account: None,
                default: false,
                state,
                expires_at: None,
                expires_in: None,
                refresh_expires_at: None,
                scopes: Vec::new(),
                store: None,
                last_error: None,
                last_refresh: None,
                base_url: None,
                identity: None,
                place: None,
            });
        }
        let default = tokens::account_of(app, None).ok();
        for rec in records {
            let state = tokens::account_state(app, rec, now);
            let is_default = default.as_deref() == Some(rec.account.as_str());
            if state == AccountState::Reset {
                stale += 1;
            }
            rows.push(row(&app.name, rec, state.as_str(), now, is_default));
        }
        for r in &mut rows[rows_before..] {
            r.place = Some(app.place.as_str());
        }
    }
    // Tokens bound to an id this file no longer has: the app was deleted.
    if name.is_none() {
        for rec in orphans(&index, &config) {
            rows.push(row(&rec.app_name, rec, "orphan", now, false));
            stale += 1;
        }
    }

    if json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        // With every application set aside, the error below says why, not this.
        if config.broken.is_empty() {
            notice!(
                "no applications in {}; add one with `outbound app add NAME`",
                config.places()
            );
        }
    } else {
        print_rows(&rows, now, config.team.is_some());
    }
    if stale > 0 {
        notice!(
            "note: {} {} tokens of deleted or reset applications; remove them with `outbound prune`",
            crate::text::count(stale, "account"),
            crate::text::agree(stale, "holds", "hold")
        );
    }
    if check {
        checked(&config, name, &rows)?;
    }
    // What works was said; an application set aside is the file's fault (exit 3).
    match config.broken_error() {
        Some(e) if name.is_none() => Err(e),
        _ => Ok(()),
    }
}

/// A shared store's records (every machine's refreshes and errors) over this
/// machine's index.
pub(super) fn shared_records(
    ctx: &Ctx,
    config: &crate::config::Config,
    index: &mut Index,
) -> Result<()> {
    if !config.has_team() {
        return Ok(());
    }
    let store = ctx.store_at(config, crate::config::Place::Team);
    let Some(records) = store.records()? else {
        return Ok(());
    };
    // Their times are on the database's clock: shown on this machine's.
    let offset = store.clock_offset()?;
    // This role's own account first, then one shared by another: the first wins.
    let mut seen = std::collections::HashSet::new();
    for shared in records {
        let Ok(record) = serde_json::from_str::<AccountRecord>(&shared.record) else {
            continue;
        };
        let mut record = record.shifted(-offset);
        record.needs_authorization = shared.state.needs_authorization;
        record.last_error = shared.state.last_error;
        let key = crate::state::key(&record.app_id, &record.account);
        if seen.insert(key.clone()) {
            index.accounts.insert(key, record);
        }
    }
    Ok(())
}

/// `status --check`: every application shown has an account that works without a
/// person (authorized, or expired with a refresh token), like `gh auth status`.
fn checked(config: &crate::config::Config, name: Option<&str>, rows: &[Row]) -> Result<()> {
    if let Some(name) = name
        && !config.app(name)?.enabled
    {
        return Err(crate::error::Error::Disabled(name.to_owned()));
    }
    let usable = |app: &str| {
        rows.iter()
            .any(|r| r.app == app && matches!(r.state, "authorized" | "expired" | "ready"))
    };
    let missing: Vec<&str> = config
        .apps
        .iter()
        .filter(|a| a.enabled && name.is_none_or(|n| a.name == n))
        .map(|a| a.name.as_str())
        .filter(|a| !usable(a))
        .collect();
    // A client-credentials app needs no person: running `token` shows what fails.
    let fix = |app: &str| match config.app(app).map(|a| a.grant) {
        Ok(grant) if !grant.needs_person() => format!("outbound token {app}"),
        _ => format!("outbound authorize {app}"),
    };
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(crate::error::Error::AuthorizationRequired {
            reason: format!("`{one}` has no account that works without you"),
            command: fix(one),
        }),
        many => Err(crate::error::Error::AuthorizationRequired {
            reason: format!(
                "{} have no account that works without you",
                many.iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            command: fix(many[0]),
        }),
    }
}

/// This user's accounts bound to an id that `config` (the file they came from, or
/// the team store it names) no longer defines.
fn orphans<'a>(index: &'a Index, config: &crate::config::Config) -> Vec<&'a AccountRecord> {
    let ids: std::collections::HashSet<&str> = config.apps.iter().map(|a| a.id.as_str()).collect();
    // An application set aside for a fault in its table is not a deleted one.
    let broken = |r: &AccountRecord| config.broken.iter().any(|b| b.name == r.app_name);
    // The team store's records count only when its applications could be read.
    let team = config
        .team
        .as_ref()
        .filter(|_| config.has_team())
        .map(|t| t.label.as_path());
    let judged = |r: &AccountRecord| r.config == config.path || Some(r.config.as_path()) == team;
    index
        .accounts
        .values()
        .filter(|r| judged(r) && !ids.contains(r.app_id.as_str()) && !broken(r))
        .collect()
}

/// `outbound prune`: removes the tokens `status` reports as `reset` (revoked first,
/// the app being known) and `orphan`. An orphan is judged only against a file that
/// exists, parses and defines applications: an empty or missing file says nothing
/// about which applications were deleted, so nothing is removed then.
pub fn prune(ctx: &Ctx, no_revoke: bool) -> Result<()> {
    // A file with an application set aside says nothing sure about which were
    // deleted: nothing is removed until it is fixed.
    let config = ctx.load_for_writing()?;
    let mut index = Index::load(&ctx.state_dir);
    // In the team store: every account of this role (and shared), from any machine.
    shared_records(ctx, &config, &mut index)?;
    let mut stale: Vec<(AccountRecord, Option<&crate::app::App>)> = Vec::new();
    for app in &config.apps {
        for rec in index.accounts.values().filter(|r| r.app_id == app.id) {
            if rec.generation < app.generation {
                stale.push((rec.clone(), Some(app)));
            }
        }
    }
    let orphans = orphans(&index, &config);
    // A file that is empty may be a lost one; the team store's list is the list.
    let team = config.has_team();
    if !orphans.is_empty() && config.apps.is_empty() && !team {
        return Err(crate::error::ConfigError {
            file: config.path.clone(),
            position: None,
            message: format!(
                "the file is empty or missing, so every one of the {} recorded for it would count as deleted; nothing was removed (restore the file, or delete the applications' tokens one by one with `outbound logout`)",
                crate::text::count(orphans.len(), "account")
            ),
        }
        .into());
    }
    stale.extend(orphans.into_iter().map(|r| (r.clone(), None)));
    if team {
        let gone = ctx.postgres(&config).prune_app_secrets()?;
        if gone > 0 {
            notice!(
                "removed {} {} of applications that no longer exist",
                crate::text::count(gone as usize, "client secret"),
                crate::text::agree(gone as usize, "or key", "or keys")
            );
        }
    }
    if stale.is_empty() {
        notice!("nothing to prune: no tokens of deleted or reset applications");
        return Ok(());
    }
    let team_label = config.team.as_ref().map(|t| t.label.clone());
    for (rec, app) in stale {
        // Forgotten where the account lives: the team store's, or this user's own.
        let place = if Some(&rec.config) == team_label.as_ref() {
            crate::config::Place::Team
        } else {
            crate::config::Place::Personal
        };
        let store = ctx.store_at(&config, place);
        let audit = ctx.audit_at(&config, place);
        let env = ctx.token_env_at(&rec.config, store.as_ref(), &audit);
        let outcome = tokens::forget(&env, &rec.app_id, &rec.account, app.filter(|_| !no_revoke))?;
        report_revocation(&rec.app_name, &rec.account, &outcome);
        let why = if app.is_some() {
            "reset since they were obtained"
        } else {
            "deleted (its definition, and so its revocation URL, is gone: not revoked)"
        };
        notice!(
            "removed the tokens of `{}` (account `{}`): the application was {why}",
            rec.app_name,
            rec.account
        );
    }
    Ok(())
}

/// `team`: the configuration names a team store, so each application says where it
/// is defined.
fn print_rows(rows: &[Row], now: u64, team: bool) {
    let header = [
        "APP",
        "ACCOUNT",
        "STATE",
        "EXPIRES",
        "REFRESH EXPIRES",
        "SCOPES",
        "IDENTITY",
        "STORE",
        "BASE URL",
        "LAST ERROR",
    ];
    // The default is marked where there is a choice: an app with several accounts.
    let several = |app: &str| {
        rows.iter()
            .filter(|r| r.app == app && r.account.is_some())
            .count()
            > 1
    };
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|r| {
            let when = |t: Option<u64>| match t {
                None => "-".to_owned(),
                Some(at) if at > now => format!("in {}", human_seconds(at - now)),
                Some(at) => format!("{} ago", human_seconds(now - at)),
            };
            [
                match r.place.filter(|_| team) {
                    Some(place) => format!("{} ({place})", r.app),
                    None => r.app.clone(),
                },
                match (&r.account, r.default && several(&r.app)) {
                    (Some(a), true) => format!("{a} *"),
                    (Some(a), false) => a.clone(),
                    (None, _) => "-".into(),
                },
                r.state.to_owned(),
                when(r.expires_at),
                when(r.refresh_expires_at),
                if r.scopes.is_empty() {
                    "-".into()
                } else {
                    r.scopes.join(" ")
                },
                r.identity.as_ref().map_or_else(
                    || "-".into(),
                    |i| {
                        let who = i.email.clone().unwrap_or_else(|| i.subject.clone());
                        // Said when it is not the issuer's signature that vouches.
                        match i.checked {
                            Some(c) if c != crate::oauth::id_token::Checked::IssuerKey => {
                                format!("{who} ({})", c.short())
                            }
                            _ => who,
                        }
                    },
                ),
                r.store.unwrap_or("-").to_owned(),
                r.base_url.clone().unwrap_or_else(|| "-".into()),
                crate::text::printable(&r.last_error.clone().unwrap_or_default()),
            ]
        })
        .collect();
    print_table(&header.map(str::to_owned), &cells);
    if rows.iter().any(|r| r.default && several(&r.app)) {
        notice!(
            "* the account used when none is named (--account, OUTBOUND_ACCOUNT, default_account)"
        );
    }
}

/// A corrupt index is rebuilt from the store: every app of this file is probed for a
/// `default` account (other accounts come back when next used).
fn rebuild(ctx: &Ctx, config: &crate::config::Config) -> Result<Index> {
    warning!(
        "the state index {} was unreadable; rebuilding it from the store",
        crate::state::index_path(&ctx.state_dir).display()
    );
    let mut found = Vec::new();
    for app in &config.apps {
        let store = ctx.store(config, app);
        if let Some(token) =
            tokens::StoredToken::load(store.as_ref(), &app.id, tokens::DEFAULT_ACCOUNT)?
        {
            found.push((app, token));
        }
    }
    std::fs::remove_file(crate::state::index_path(&ctx.state_dir))
        .map_err(|e| crate::error::Error::io("cannot remove the corrupt state index", e))?;
    for (app, token) in &found {
        let store = ctx.store(config, app);
        let audit = ctx.audit(config, app);
        let env = ctx.token_env(config, app, store.as_ref(), &audit);
        env.record(app, tokens::DEFAULT_ACCOUNT, token, None, false)?;
    }
    Ok(Index::load(&ctx.state_dir))
}

/// `outbound whoami APP [--account A] [--json]`: who the account is: asked of the
/// app's userinfo endpoint when it has one (and kept for `status`), else from the
/// ID token checked when it was issued (no request is made). When userinfo fails
/// and an ID token said who the account is, that is printed with a warning.
pub fn whoami(ctx: &Ctx, name: &str, account: Option<&str>, json: bool) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    let account = &tokens::account_of(app, account)?;
    let Some(record) = Index::load(&ctx.state_dir).get(&app.id, account).cloned() else {
        return Err(crate::error::Error::AuthorizationRequired {
            reason: format!("`{name}` has no account `{account}` yet"),
            command: format!("outbound authorize {name}"),
        });
    };
    let identity = if app.userinfo_url.is_some() {
        let store = ctx.store(&config, app);
        let asked = super::access_token(ctx, &config, store.as_ref(), app, account, None).and_then(
            |access| {
                let audit = ctx.audit(&config, app);
                let env = ctx.token_env(&config, app, store.as_ref(), &audit);
                tokens::ask_identity(&env, app, account, &access.token)
            },
        );
        match (asked, record.identity) {
            (Ok(identity), _) => identity,
            (Err(e), Some(identity)) => {
                warning!(
                    "asking the userinfo endpoint of `{name}` failed, so this is what the ID token said: {}",
                    e.to_string().lines().next().unwrap_or_default()
                );
                identity
            }
            (Err(e), None) => return Err(e),
        }
    } else {
        let Some(identity) = record.identity else {
            return Err(crate::error::Error::Other(format!(
                "`{name}` (account `{account}`) has no checked identity: its scopes must include `openid` and the app needs an issuer (outbound app edit {name} --issuer URL --add-scope openid), then authorize again; or give it an endpoint that says who the user is (outbound app edit {name} --userinfo-url URL)"
            )));
        };
        identity
    };
    if json {
        return print_json(&identity);
    }
    data!("subject  {}", identity.subject);
    data!("issuer   {}", identity.issuer);
    if let Some(n) = &identity.name {
        data!("name     {n}");
    }
    if let Some(e) = &identity.email {
        data!("email    {e}");
    }
    if let Some(checked) = identity.checked {
        data!("checked  {}", checked.describe());
    }
    Ok(())
}
