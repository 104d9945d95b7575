//! Where an application's client secret comes from: the store, an environment
//! variable, or a command's output. Resolved only when a request needs it.

use crate::app::{App, SecretRef};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{self, SecretStore};

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
        SecretRef::Env(var) => match crate::secret::resolve_reference(&format!("env:{var}")) {
            Some(Ok(v)) => Ok(Some(v)),
            _ => Err(Error::Usage(format!(
                "the client secret of `{}` comes from ${var}, which is not set",
                app.name
            ))),
        },
        SecretRef::Command(cmd) => {
            match crate::secret::resolve_reference(&format!("command:{cmd}")) {
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(why)) => Err(Error::Other(format!(
                    "the client secret command of `{}`: {why}",
                    app.name
                ))),
                None => Ok(None),
            }
        }
    }
}

/// Keeps `secret` as the client secret of the app with `app_id`, in the store.
pub fn store_client_secret(store: &dyn SecretStore, app_id: &str, secret: &Secret) -> Result<()> {
    Ok(store.set(&store::client_secret_key(app_id), secret)?)
}

/// Removes the stored client secret of the app with `app_id` (whether there was one).
pub fn delete_client_secret(store: &dyn SecretStore, app_id: &str) -> Result<bool> {
    Ok(store.delete(&store::client_secret_key(app_id))?)
}
