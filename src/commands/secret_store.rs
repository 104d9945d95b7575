//! `outbound store migrate --to BACKEND`: move this user's secrets between stores.

use super::Ctx;
use crate::commands::output::notice;
use crate::error::{Error, Result};
use crate::store::Backend;
use crate::store::postgres::schema;

/// `outbound store init`: the team store's schema, roles and policies.
pub fn init(ctx: &Ctx, group: &str, admins: &str) -> Result<()> {
    schema::check_role("--group", group).map_err(Error::Usage)?;
    schema::check_role("--admin-group", admins).map_err(Error::Usage)?;
    if group == admins {
        return Err(Error::Usage(
            "--admin-group: name a role other than --group (administrators are members of both)"
                .into(),
        ));
    }
    let config = crate::config::Config::load(&ctx.config_path)?;
    let pg = ctx.postgres(&config);
    let (before, after) = pg.init(group, admins)?;
    if before == after {
        notice!(
            "{}: schema version {after} was already there; grants and policies for {group} and {admins} applied again",
            pg.label()
        );
    } else {
        notice!(
            "{}: schema version {before} -> {after}; {group} may use the store, {admins} may change applications",
            pg.label()
        );
    }
    notice!(
        "next: GRANT {group} TO each user role (GRANT {admins} TO administrators), and give every machine the same data key (openssl rand -base64 32)"
    );
    Ok(())
}

/// `outbound store set-key`: the data key into this machine's keyring.
pub fn set_key(ctx: &Ctx) -> Result<()> {
    use std::io::Read;
    if ctx.interactive {
        crate::commands::output::say!("paste the data key (base64), then Ctrl-D:");
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::io("cannot read the data key from standard input", e))?;
    let key = crate::secret::Secret::new(text.trim());
    crate::store::seal::DataKeys::parse(key.expose(), "the key given").map_err(Error::Usage)?;
    crate::store::open_os_store().set(crate::store::STORE_KEY, &key)?;
    notice!("the data key is in the keyring (entry `store-key` of service `outbound`)");
    Ok(())
}

pub fn migrate(ctx: &Ctx, from: Option<Backend>, to: Backend) -> Result<()> {
    let config = ctx.load()?;
    let from = from.unwrap_or_else(|| ctx.backend(&config));
    if from == to {
        return Err(Error::Usage(format!(
            "--to {}: the secrets are already in the {} store (name the other one, or --from)",
            to.as_str(),
            from.as_str()
        )));
    }
    let (source, target) = (ctx.open_store(from, &config), ctx.open_store(to, &config));
    let moved = crate::tokens::migrate(
        source.as_ref(),
        target.as_ref(),
        &ctx.state_dir,
        &config.apps,
    )?;
    notice!(
        "moved {} client secret(s) and the tokens of {} account(s) from the {} store to the {} store",
        moved.client_secrets,
        moved.accounts,
        from.as_str(),
        to.as_str()
    );
    let where_set = if config.store == Some(from) {
        format!(
            "change `store = \"{}\"` to `store = \"{}\"` in {} (it applies to everyone who uses that file), or pass --store {} / set OUTBOUND_STORE={}",
            from.as_str(),
            to.as_str(),
            config.path.display(),
            to.as_str(),
            to.as_str()
        )
    } else {
        format!(
            "pass --store {0} or set OUTBOUND_STORE={0} (or put `store = \"{0}\"` at the top of {1})",
            to.as_str(),
            config.path.display()
        )
    };
    notice!("use it from now on: {where_set}");
    Ok(())
}
