//! `outbound account enable|disable|edit APP [--account A]`: what one account says
//! for itself (seed 002 gives each token an `active` flag and a base URL). Kept in
//! this user's state index beside the account's bookkeeping, so it lives as long as
//! the account's tokens.

use super::Ctx;
use crate::cli::{AccountArgs, AccountCommand};
use crate::commands::output::notice;
use crate::error::{Error, Result};
use crate::state::{AccountSettings, Index};
use crate::tokens;

pub fn run(ctx: &Ctx, command: AccountCommand) -> Result<()> {
    match command {
        AccountCommand::Enable(which) => change(ctx, &which, |s| s.inactive = false, "enabled"),
        AccountCommand::Disable(which) => change(
            ctx,
            &which,
            |s| s.inactive = true,
            "disabled: its tokens are kept, and every use is refused until `outbound account enable`",
        ),
        AccountCommand::Edit {
            which,
            base_url,
            unset,
        } => {
            let base_url = base_url.as_deref().map(check_base_url).transpose()?;
            if base_url.is_none() && unset.is_empty() {
                return Err(Error::Usage(
                    "nothing to change: give --base-url URL or --unset base_url".into(),
                ));
            }
            change(
                ctx,
                &which,
                |s| {
                    if let Some(url) = base_url.clone() {
                        s.base_url = Some(url);
                    }
                    if unset.iter().any(|f| f == "base_url") {
                        s.base_url = None;
                    }
                },
                "updated",
            )
        }
    }
}

/// A base URL as the account keeps it: an endpoint's rules (https, or http to
/// loopback; no credentials in it).
pub fn check_base_url(text: &str) -> Result<String> {
    crate::app::check_endpoint(text)
        .map(|u| u.to_string())
        .map_err(|m| Error::Usage(format!("--base-url: {m}")))
}

/// Applies `edit` to the account's settings, under the index's lock. An account
/// exists once it holds tokens: before that there is nothing to set.
fn change(
    ctx: &Ctx,
    which: &AccountArgs,
    edit: impl FnOnce(&mut AccountSettings),
    done: &str,
) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(&which.name)?;
    let account = &tokens::account_of(app, which.account.as_deref())?;
    let store = ctx.store(&config, app);
    // In the team store the account's record is every machine's: start from it.
    let shared = crate::state::shared_record(store.as_ref(), &app.id, account)?;
    let key = crate::state::key(&app.id, account);
    let found = Index::update(&ctx.state_dir, |index| {
        if let Some(shared) = shared {
            let local = index.accounts.entry(key.clone()).or_insert(shared.clone());
            local.settings = shared.settings;
        }
        let record = index.accounts.get_mut(&key)?;
        let before = record.settings.clone();
        edit(&mut record.settings);
        Some((before != record.settings, record.clone()))
    })?;
    if let Some((true, record)) = &found {
        crate::state::note_shared_record(store.as_ref(), record)?;
    }
    let found = found.map(|(changed, _)| changed);
    let flag = if account == tokens::DEFAULT_ACCOUNT {
        String::new()
    } else {
        format!(" --account {account}")
    };
    match found {
        None => Err(Error::AuthorizationRequired {
            reason: format!(
                "`{}` has no account `{account}` yet (an account exists once it holds tokens)",
                app.name
            ),
            command: format!("outbound authorize {}{flag}", app.name),
        }),
        Some(false) => {
            notice!("account `{account}` of `{}` is unchanged", app.name);
            Ok(())
        }
        Some(true) => {
            notice!("account `{account}` of `{}` {done}", app.name);
            Ok(())
        }
    }
}
