//! Administration of applications above the protocol: what `app add` and `app edit`
//! need from the network (discovery) to fill in a definition.

use crate::app::{ClientAuth, Patch};
use crate::choice::Choice;
use crate::error::{Error, Result};
use crate::oauth::discovery::discover;

/// What discovery decided beyond the endpoints.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The server promises `iss` in authorization responses.
    pub require_iss: bool,
    /// The server requires pushed authorization requests (RFC 9126).
    pub require_par: bool,
    /// The client authentication chosen from the server's list, when the user gave
    /// none and the default is not on it.
    pub client_auth: Option<ClientAuth>,
    /// Dynamic Client Registration (RFC 7591), when the server offers it.
    pub registration_endpoint: Option<String>,
    /// The server takes a client id that is the URL of the client's metadata document.
    pub client_id_metadata_document: bool,
    /// Whether the server says it does PKCE with S256 (None: it does not say).
    pub s256: Option<bool>,
    /// The scopes the server says it knows (`scopes_supported`), to offer a person.
    pub scopes_supported: Vec<String>,
}

/// `--issuer`: reads the server's metadata and fills the endpoints, PKCE support
/// and client authentication that were not given explicitly (`has_secret`: the app
/// has a client secret, so a method that sends one is preferred). `mtls`: the client
/// presents a TLS certificate, so the server's `mtls_endpoint_aliases` (RFC 8705 §5)
/// replace the endpoints they name. `None` when no issuer was given.
pub fn discover_into(
    name: &str,
    patch: &mut Patch,
    has_secret: bool,
    mtls: bool,
) -> Result<Option<Discovered>> {
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
    let aliases = meta
        .mtls_endpoint_aliases
        .clone()
        .filter(|_| mtls)
        .unwrap_or_default();
    for (key, value, alias) in [
        ("auth_url", &meta.authorization_endpoint, &None),
        ("token_url", &meta.token_endpoint, &aliases.token_endpoint),
        (
            "revocation_url",
            &meta.revocation_endpoint,
            &aliases.revocation_endpoint,
        ),
        (
            "device_url",
            &meta.device_authorization_endpoint,
            &aliases.device_authorization_endpoint,
        ),
        (
            "par_url",
            &meta.pushed_authorization_request_endpoint,
            &aliases.pushed_authorization_request_endpoint,
        ),
        (
            "userinfo_url",
            &meta.userinfo_endpoint,
            &aliases.userinfo_endpoint,
        ),
    ] {
        if patch.get(key).is_none()
            && let Some(value) = alias.as_ref().or(value.as_ref())
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
    let client_auth = match &meta.token_endpoint_auth_methods_supported {
        Some(methods) if patch.get("client_auth").is_none() => {
            let chosen = choose_client_auth(methods, has_secret);
            if let Some(auth) = chosen {
                patch.set("client_auth", auth.name());
            }
            chosen
        }
        _ => None,
    };
    // Keep the issuer exactly as the server names itself.
    patch.set("issuer", meta.issuer.as_str());
    Ok(Some(Discovered {
        require_iss: meta.authorization_response_iss_parameter_supported,
        require_par: meta.require_pushed_authorization_requests,
        client_auth,
        registration_endpoint: meta.registration_endpoint.clone(),
        client_id_metadata_document: meta.client_id_metadata_document_supported,
        s256: meta
            .code_challenge_methods_supported
            .as_ref()
            .map(|m| m.iter().any(|x| x == "S256")),
        scopes_supported: meta.scopes_supported,
    }))
}

/// The method to use from the server's `token_endpoint_auth_methods_supported`,
/// when the default (`client_secret_basic`) is not on it: `client_secret_post` for a
/// client with a secret, `none` for one without. A client given a secret is not
/// switched to `none`: the server's answer will say what is wrong.
fn choose_client_auth(methods: &[String], has_secret: bool) -> Option<ClientAuth> {
    let offers = |m: &str| methods.iter().any(|x| x == m);
    if methods.is_empty() || offers("client_secret_basic") {
        return None;
    }
    if offers("client_secret_post") && (has_secret || !offers("none")) {
        Some(ClientAuth::Post)
    } else if offers("none") && !has_secret {
        Some(ClientAuth::None)
    } else {
        None
    }
}

/// What `app add --from-url` found about the resource.
pub struct FromUrl {
    /// The URL, as the resource indicator (RFC 8707) its tokens are asked for.
    pub resource: url::Url,
    /// The authorization server chosen among those the resource names.
    pub issuer: String,
    /// Every authorization server the resource names.
    pub servers: Vec<String>,
    /// Every scope the resource says it knows (what a registered client may ask for).
    pub scopes_supported: Vec<String>,
}

/// `--from-url URL`: asks the resource who protects it (RFC 9728) and fills the
/// issuer (to be discovered next), the resource indicator, the allowed host and the
/// scopes that were not given. With several authorization servers,
/// `--issuer` (or a person, on a terminal) chooses.
pub fn from_url(
    name: &str,
    url: &str,
    patch: &mut Patch,
    choose: impl FnOnce(&[String]) -> Result<Option<usize>>,
) -> Result<FromUrl> {
    use crate::oauth::resource;
    let mut resource_url =
        crate::app::check_endpoint(url).map_err(|m| Error::Usage(format!("--from-url: {m}")))?;
    resource_url.set_fragment(None);
    let proxy = match patch.get_str("proxy") {
        Some(p) => {
            Some(crate::app::check_proxy(p).map_err(|m| Error::Usage(format!("--proxy: {m}")))?)
        }
        None => None,
    };
    let ca_file = patch.get_str("ca_file").map(std::path::PathBuf::from);
    let http = crate::http::discovery_client(name, proxy.as_ref(), ca_file.as_deref())?;
    let (meta, challenge) = resource::discover(&http, &resource_url)?;
    let servers: Vec<String> = meta
        .authorization_servers
        .iter()
        .map(|s| s.trim_end_matches('/').to_owned())
        .collect();
    let issuer = match patch
        .get_str("issuer")
        .map(|i| i.trim_end_matches('/').to_owned())
    {
        Some(given) if servers.contains(&given) => given,
        Some(given) => {
            return Err(Error::Usage(format!(
                "--issuer {given}: not one of the authorization servers {resource_url} names ({})",
                servers.join(", ")
            )));
        }
        None => match servers.as_slice() {
            [] => {
                return Err(Error::OAuth(crate::oauth::OAuthError::Malformed {
                    endpoint: "protected resource",
                    reason: format!(
                        "the metadata of {resource_url} names no authorization server; give one with --issuer URL"
                    ),
                }));
            }
            [one] => one.clone(),
            several => match choose(several)? {
                Some(i) => several[i].clone(),
                None => {
                    return Err(Error::Usage(format!(
                        "{resource_url} names {} authorization servers: {}; choose one with --issuer URL",
                        several.len(),
                        several.join(", ")
                    )));
                }
            },
        },
    };
    patch.set("issuer", issuer.as_str());
    if patch.get("resources").is_none() {
        patch.set("resources", vec![resource_url.to_string()]);
    }
    if patch.get("allowed_hosts").is_none() {
        let host = resource_url.host_str().unwrap_or_default();
        let host = match resource_url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        patch.set("allowed_hosts", vec![host]);
    }
    // No base_url: `curl NAME /path` resolves against the resource's origin (see
    // App::relative_base), and a base URL in the file is always one the user set.
    if patch.get("scopes").is_none() {
        let scopes: Vec<String> = match &challenge.scope {
            Some(s) => s.split_whitespace().map(str::to_owned).collect(),
            None => meta.scopes_supported.clone(),
        };
        if !scopes.is_empty() {
            patch.set("scopes", scopes);
        }
    }
    Ok(FromUrl {
        resource: resource_url,
        issuer,
        servers,
        scopes_supported: meta.scopes_supported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_auth_from_the_servers_list() {
        let list = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let basic_too = list(&["client_secret_basic", "none"]);
        assert_eq!(choose_client_auth(&basic_too, false), None);
        let none_only = list(&["none"]);
        assert_eq!(
            choose_client_auth(&none_only, false),
            Some(ClientAuth::None)
        );
        assert_eq!(choose_client_auth(&none_only, true), None);
        let post_none = list(&["client_secret_post", "none"]);
        assert_eq!(choose_client_auth(&post_none, true), Some(ClientAuth::Post));
        assert_eq!(
            choose_client_auth(&post_none, false),
            Some(ClientAuth::None)
        );
        assert_eq!(choose_client_auth(&list(&["private_key_jwt"]), true), None);
        assert_eq!(choose_client_auth(&[], true), None);
    }
}
