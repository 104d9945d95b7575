//! A client that `app add --from-url` registered (RFC 7591): what RFC 7592 needs to
//! delete it later — its configuration URI and registration access token — kept in
//! the store under the app's id.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{self, SecretStore};

#[derive(Serialize, Deserialize)]
struct Record {
    uri: String,
    token: String,
}

/// Keeps what deleting the registered client of app `app_id` needs.
pub fn store_registration(
    store: &dyn SecretStore,
    app_id: &str,
    uri: &str,
    token: &Secret,
) -> Result<()> {
    let record = serde_json::to_string(&Record {
        uri: uri.to_owned(),
        token: token.expose().to_owned(),
    })
    .map_err(|e| Error::Other(format!("cannot encode the registration: {e}")))?;
    store.set(&store::registration_key(app_id), &Secret::new(record))?;
    Ok(())
}

/// Deletes the client registered for `app` at its server, when one was, and forgets
/// the registration either way (the app is going). `Ok(false)`: there was none.
pub fn deregister(app: &App, store: &dyn SecretStore) -> Result<bool> {
    let key = store::registration_key(&app.id);
    let Some(blob) = store.get(&key)? else {
        return Ok(false);
    };
    let record: Record = match serde_json::from_str(blob.expose()) {
        Ok(r) => r,
        Err(_) => {
            store.delete(&key)?;
            return Ok(false);
        }
    };
    let attempt = || -> Result<()> {
        let uri = url::Url::parse(&record.uri)
            .map_err(|e| Error::Other(format!("the registration URI of `{}`: {e}", app.name)))?;
        let http = crate::http::oauth_client(app, None)?;
        // The app's proxy carries it: judged with the endpoint rule too.
        crate::oauth::credential_url("client configuration", &uri, app.proxy.as_ref())?;
        crate::oauth::resource::deregister(&http, &uri, &Secret::new(record.token.clone()))?;
        Ok(())
    };
    let result = attempt();
    store.delete(&key)?;
    result.map(|()| true)
}

/// Tells the server a registered client's new scopes and redirect URI (RFC 7592
/// §2.2), after `app edit` changed them. `Ok(false)`: the app registered none.
pub fn update_registration(app: &App, store: &dyn SecretStore) -> Result<bool> {
    let key = store::registration_key(&app.id);
    let Some(blob) = store.get(&key)? else {
        return Ok(false);
    };
    let Ok(record) = serde_json::from_str::<Record>(blob.expose()) else {
        return Ok(false);
    };
    let uri = url::Url::parse(&record.uri)
        .map_err(|e| Error::Other(format!("the registration URI of `{}`: {e}", app.name)))?;
    let auth = match app.client_auth {
        crate::app::ClientAuth::Basic => "client_secret_basic",
        crate::app::ClientAuth::Post => "client_secret_post",
        _ => "none",
    };
    let metadata = serde_json::json!({
        "client_id": app.client_id,
        "client_name": format!("outbound ({})", app.name),
        "application_type": "native",
        "redirect_uris": [app.redirect_uri.as_str()],
        "token_endpoint_auth_method": auth,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": app.scopes.join(" "),
    });
    let http = crate::http::oauth_client(app, None)?;
    let token = Secret::new(record.token.clone());
    crate::oauth::credential_url("client configuration", &uri, app.proxy.as_ref())?;
    if let Some(rotated) = crate::oauth::resource::update(&http, &uri, &token, &metadata)? {
        store_registration(store, &app.id, &record.uri, &rotated)?;
    }
    Ok(true)
}
