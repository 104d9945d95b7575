//! Authorization-server metadata: RFC 8414, then OpenID Connect Discovery.

use reqwest::blocking::Client;
use serde::Deserialize;
use url::Url;

use super::OAuthError;

/// The fields of the metadata we use.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    pub code_challenge_methods_supported: Option<Vec<String>>,
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    pub jwks_uri: Option<String>,
    pub pushed_authorization_request_endpoint: Option<String>,
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    pub userinfo_endpoint: Option<String>,
    /// Dynamic Client Registration (RFC 7591).
    pub registration_endpoint: Option<String>,
    /// The server takes a URL as client id, the client's metadata document there.
    #[serde(default)]
    pub client_id_metadata_document_supported: bool,
    /// RFC 8705 §5: where a client that presents a certificate goes instead.
    pub mtls_endpoint_aliases: Option<MtlsAliases>,
    /// The scopes the server says it knows (offered by the guided `app add`).
    #[serde(default)]
    pub scopes_supported: Vec<String>,
}

/// The endpoints of `mtls_endpoint_aliases` that we use.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MtlsAliases {
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    pub pushed_authorization_request_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
}

/// The well-known URLs to try for `issuer`, in order: RFC 8414 inserts the suffix
/// before the issuer's path; OpenID Connect appends it.
pub fn candidates(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut urls = Vec::new();
    let mut rfc8414 = issuer.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    rfc8414.set_query(None);
    urls.push(rfc8414);
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    oidc.set_query(None);
    urls.push(oidc);
    urls
}

/// Fetches and checks the metadata of `issuer`.
pub fn discover(http: &Client, issuer: &Url) -> Result<Metadata, OAuthError> {
    let mut tried = Vec::new();
    for url in candidates(issuer) {
        super::credential_url("discovery", &url, None)?;
        let request = http
            .get(url.as_str())
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(|e| OAuthError::unreachable("discovery", url.as_str(), &e))?;
        let nothing_secret = crate::secret::Redactor::default();
        crate::trace::request("discovery", &request, &nothing_secret);
        let response = match http.execute(request) {
            Ok(r) => r,
            Err(e) => return Err(OAuthError::unreachable("discovery", url.as_str(), &e)),
        };
        let answer = super::read_answer("discovery", &url, response)?;
        crate::trace::response(
            "discovery",
            answer.status,
            &answer.content_type,
            &answer.body,
            &nothing_secret,
        );
        let status = answer.status;
        if status != 200 {
            tried.push(format!("{url} answered HTTP {status}"));
            continue;
        }
        let metadata: Metadata =
            serde_json::from_slice(&answer.body).map_err(|e| OAuthError::Malformed {
                endpoint: "discovery",
                reason: crate::text::printable(&format!(
                    "{url} is not authorization-server metadata ({e})"
                )),
            })?;
        if metadata.issuer.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
            return Err(OAuthError::Malformed {
                endpoint: "discovery",
                reason: crate::text::printable(&format!(
                    "{url} names issuer `{}`, not `{issuer}` (RFC 8414 3.3 requires them to match)",
                    metadata.issuer
                )),
            });
        }
        return Ok(metadata);
    }
    Err(OAuthError::NoMetadata {
        issuer: issuer.to_string(),
        tried: crate::text::printable(&tried.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_locations() {
        for (issuer, rfc8414, oidc) in [
            (
                "https://a.example/tenant/v2",
                "https://a.example/.well-known/oauth-authorization-server/tenant/v2",
                "https://a.example/tenant/v2/.well-known/openid-configuration",
            ),
            (
                "https://a.example",
                "https://a.example/.well-known/oauth-authorization-server",
                "https://a.example/.well-known/openid-configuration",
            ),
        ] {
            let urls = candidates(&Url::parse(issuer).unwrap());
            assert_eq!([urls[0].as_str(), urls[1].as_str()], [rfc8414, oidc]);
        }
    }
}
