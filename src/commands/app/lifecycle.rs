//! `outbound app enable|disable|reset|delete`: the seeds' lifecycle rules.
//!
//! Disable keeps everything and refuses use; reset bumps `generation` so every
//! user's older tokens die the next time they are touched; delete removes the app,
//! its stored client secret and this user's tokens.

use super::{app_table, edit_config, forget_tokens, set};
use crate::commands::Ctx;
use crate::commands::output::{notice, warning};
use crate::error::{Error, Result};
use crate::tokens;

pub fn set_enabled(ctx: &Ctx, name: &str, enabled: bool) -> Result<()> {
    let changed = edit_config(ctx, name, |config, doc| {
        let app = config.app(name)?;
        if app.enabled == enabled {
            return Ok(false);
        }
        set(app_table(doc, name)?, "enabled", enabled);
        Ok(true)
    })?;
    let word = if enabled { "enabled" } else { "disabled" };
    match (changed, enabled) {
        (false, _) => notice!("application `{name}` is already {word}"),
        (true, true) => notice!("enabled `{name}`: its stored tokens can be used again"),
        (true, false) => notice!(
            "disabled `{name}`: its tokens are kept but refused until `outbound app enable {name}`"
        ),
    }
    Ok(())
}

pub fn reset(ctx: &Ctx, name: &str, yes: bool, no_revoke: bool) -> Result<()> {
    let config = ctx.load_for_writing()?;
    let app = config.app(name)?;
    let consequence = if !app.grant.needs_person() {
        "new ones are fetched with the client's credentials at their next use"
    } else {
        "each must authorize again"
    };
    let question = format!(
        "Reset `{name}`? Every user of {} loses the tokens they hold for it; {consequence}.",
        config.home(app).display()
    );
    if !ctx.confirm(&question, yes, "--yes")? {
        return Err(Error::Other("reset cancelled; nothing changed".into()));
    }
    let generation = edit_config(ctx, name, |config, doc| {
        let next = config.app(name)?.generation + 1;
        let next_value = i64::try_from(next)
            .map_err(|_| Error::Other(format!("`{name}` cannot be reset any further")))?;
        set(app_table(doc, name)?, "generation", next_value);
        Ok(next)
    })?;
    // This user's tokens go now; other users' go the next time they touch them.
    let removed = forget_tokens(
        ctx,
        &config,
        ctx.store(&config, app).as_ref(),
        app,
        !no_revoke,
    )?;
    notice!(
        "reset `{name}` to generation {generation}; removed this user's tokens for {}; other users' tokens are refused from now on",
        crate::text::count(removed as usize, "account")
    );
    Ok(())
}

/// `personal`: the file's `name`, also when the team store defines it too.
pub fn delete(ctx: &Ctx, name: &str, yes: bool, no_revoke: bool, personal: bool) -> Result<()> {
    let config = ctx.load_for_writing()?;
    let app = if personal {
        crate::config::Config::load(&ctx.config_path)?
            .app(name)?
            .clone()
    } else {
        config.app(name)?.clone()
    };
    // The other place's copy of the same application (a move cut short) uses the
    // same tokens: they are forgotten here, not revoked.
    let no_revoke = no_revoke || (personal && twin_in_team(&config, name));
    let question = format!(
        "Delete `{name}` from {}, with its client secret and your tokens? This cannot be undone.",
        config.home(&app).display()
    );
    if !ctx.confirm(&question, yes, "--yes")? {
        return Err(Error::Other("delete cancelled; nothing changed".into()));
    }
    // The new file is written beside the old one first (the write is possible), then
    // the secrets go (if the store cannot be reached, the app is still there to
    // retry), then the new file replaces the old.
    let store = ctx.store(&config, &app);
    let mut removed = 0;
    super::edit_in_place(
        ctx,
        &config,
        name,
        app.place,
        |config, doc| {
            config.app(name)?;
            if let Some(apps) = doc.get_mut("apps").and_then(|a| a.as_table_like_mut()) {
                apps.remove(name);
            }
            Ok(())
        },
        |()| {
            removed = forget_tokens(ctx, &config, store.as_ref(), &app, !no_revoke)?;
            // A client `--from-url` registered is deleted at its server too (RFC 7592).
            match tokens::deregister(&app, store.as_ref()) {
                Ok(true) => notice!(
                    "deleted the client `{}` registered at the server",
                    app.client_id
                ),
                Ok(false) => {}
                Err(e) => warning!(
                    "deleting the registered client `{}` at the server failed: {e}\n  the app is deleted here anyway; remove the client at the server by hand",
                    app.client_id
                ),
            }
            // Every kind of secret the app keeps in the store (store::kinds).
            crate::store::delete_app_secrets(store.as_ref(), &app)?;
            Ok(())
        },
    )?;
    notice!(
        "deleted `{name}` (id {}), its client secret or key and this user's tokens for {}",
        app.id,
        crate::text::count(removed, "account")
    );
    Ok(())
}

/// Whether the team store defines `name` with the same id as the file (a move
/// that was cut short).
fn twin_in_team(config: &crate::config::Config, name: &str) -> bool {
    config
        .broken
        .iter()
        .any(|b| b.name == name && matches!(b.why, crate::config::Why::Twice { same_id: true, .. }))
}
