//! Administration of applications above the protocol: what `app add` and `app edit`
//! need from the network (discovery) to fill in a definition.

use crate::app::Patch;
use crate::error::{Error, Result};
use crate::oauth::discovery::discover;

/// `--issuer`: reads the server's metadata and fills the endpoints (and PKCE
/// support) that were not given explicitly. Returns whether the server promises
/// `iss` in authorization responses, when an issuer was given.
pub fn discover_into(name: &str, patch: &mut Patch) -> Result<Option<bool>> {
    let Some(issuer) = patch.get_str("issuer").map(str::to_owned) else {
        return Ok(None);
    };
    let issuer_url =
        crate::app::check_endpoint(&issuer).map_err(|m| Error::Usage(format!("--issuer: {m}")))?;
    let proxy = match patch.get_str("proxy") {
        Some(p) => {
            Some(crate::app::check_proxy(p).map_err(|m| Error::Usage(format!("--proxy: {m}")))?)
        }
        None => None,
    };
    let ca_file = patch.get_str("ca_file").map(std::path::PathBuf::from);
    let http = crate::http::discovery_client(name, proxy.as_ref(), ca_file.as_deref())?;
    let meta = discover(&http, &issuer_url)?;
    for (key, value) in [
        ("auth_url", &meta.authorization_endpoint),
        ("token_url", &meta.token_endpoint),
        ("revocation_url", &meta.revocation_endpoint),
        ("device_url", &meta.device_authorization_endpoint),
    ] {
        if patch.get(key).is_none()
            && let Some(value) = value
        {
            patch.set(key, value.as_str());
        }
    }
    if let Some(methods) = &meta.code_challenge_methods_supported
        && !methods.iter().any(|m| m == "S256")
        && patch.get("pkce").is_none()
    {
        patch.set("pkce", false);
    }
    // Keep the issuer exactly as the server names itself.
    patch.set("issuer", meta.issuer.as_str());
    Ok(Some(meta.authorization_response_iss_parameter_supported))
}
