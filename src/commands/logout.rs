//! `outbound logout NAME`: revoke an account's tokens at the server (RFC 7009), then
//! remove them. A failed revocation is reported; the local tokens go regardless.

use super::{Ctx, report_revocation};
use crate::commands::output::notice;
use crate::error::Result;
use crate::state::Index;
use crate::tokens::{self, StoredToken};

pub fn run(ctx: &Ctx, name: &str, account: Option<&str>, no_revoke: bool) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    let account = &tokens::account_of(app, account)?;
    let store = ctx.store(&config, app);
    let known = Index::load(&ctx.state_dir).get(&app.id, account).is_some()
        || StoredToken::load(store.as_ref(), &app.id, account)?.is_some();
    if !known {
        notice!("`{name}` holds no tokens for account `{account}`; nothing to do");
        return Ok(());
    }
    let audit = ctx.audit(&config, app);
    let env = ctx.token_env(&config, app, store.as_ref(), &audit);
    let outcome = tokens::forget(&env, &app.id, account, (!no_revoke).then_some(app))?;
    report_revocation(name, account, &outcome);
    if !no_revoke && app.revocation_url.is_none() {
        notice!(
            "note: `{name}` has no revocation URL; the tokens stay valid at the server until they expire"
        );
    }
    notice!("logged out `{name}` (account `{account}`): local tokens removed");
    Ok(())
}

/// `logout --all [NAME]`: every account this user holds for NAME (or for every
/// application of the file), each revoked and removed as `logout` does. One failure
/// does not stop the others; the first is returned at the end.
pub fn all(ctx: &Ctx, name: Option<&str>, no_revoke: bool) -> Result<()> {
    let config = ctx.load()?;
    if let Some(name) = name {
        config.app(name)?;
    }
    let index = Index::load(&ctx.state_dir);
    let mut first_error = None;
    let mut count = 0;
    for app in config
        .apps
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
    {
        for account in index.accounts_of(&app.id) {
            match run(ctx, &app.name, Some(&account), no_revoke) {
                Ok(()) => count += 1,
                Err(e) => {
                    crate::commands::output::warning!("{e}");
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if count == 0 {
        notice!("no tokens to log out of; nothing to do");
    }
    Ok(())
}
