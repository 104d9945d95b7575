//! `outbound app secret set NAME`: rotate the client secret.

use super::{app_table, edit_config, set};
use crate::app::SecretRef;
use crate::commands::Ctx;
use crate::commands::output::notice;
use crate::error::Result;
use crate::tokens;

pub fn set_secret(ctx: &Ctx, name: &str) -> Result<()> {
    let config = ctx.load_for_writing()?;
    let app = config.app(name)?;
    let secret = ctx.read_secret(false)?;
    let store = ctx.store(&config, app);
    tokens::store_client_secret(store.as_ref(), &app.id, &secret)?;
    if app.client_secret != SecretRef::Store {
        edit_config(ctx, name, |_, doc| {
            set(app_table(doc, name)?, "client_secret", "store");
            Ok(())
        })?;
    }
    notice!(
        "stored a new client secret for `{name}` in {}",
        store.backend().noun()
    );
    Ok(())
}
