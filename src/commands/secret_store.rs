//! `outbound store migrate --to BACKEND`: move this user's secrets between stores.

use super::Ctx;
use crate::commands::output::notice;
use crate::error::{Error, Result};
use crate::store::{self, Backend};

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
    let (source, target) = (
        store::open(from, &ctx.state_dir),
        store::open(to, &ctx.state_dir),
    );
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
