//! Starting from an API's URL: what a protected resource says about itself (RFC 9728:
//! its `WWW-Authenticate` challenge and its metadata), and registering a client
//! without a person (RFC 7591 Dynamic Client Registration; RFC 7592 to delete it).
//! This is the MCP authorization flow, for any HTTP API.

use reqwest::blocking::Client;
use serde::Deserialize;
use url::Url;

use super::OAuthError;
use crate::secret::{Redactor, Secret};

/// What one `WWW-Authenticate` header says, of what we use: `error`, `scope`,
/// `resource_metadata` (the first of each, across its challenges).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub error: Option<String>,
    pub scope: Option<String>,
    pub resource_metadata: Option<String>,
}

impl Challenge {
    /// Parses the `key="value"` and `key=token` parameters of a header (RFC 9110
    /// §11.6.1), whatever the schemes around them.
    pub fn parse(header: &str) -> Challenge {
        let mut out = Challenge::default();
        let bytes = header.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // A parameter name: letters, digits, `_`, `-`, then `=`.
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b"_-".contains(&bytes[i]))
            {
                i += 1;
            }
            if i == start || i >= bytes.len() || bytes[i] != b'=' {
                i = i.max(start + 1);
                continue;
            }
            let key = header[start..i].to_ascii_lowercase();
            i += 1;
            let value = if bytes.get(i) == Some(&b'"') {
                i += 1;
                let mut value = String::new();
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    value.push(bytes[i] as char);
                    i += 1;
                }
                i += 1;
                value
            } else {
                let from = i;
                while i < bytes.len() && bytes[i] != b',' && bytes[i] != b' ' {
                    i += 1;
                }
                header[from..i].to_owned()
            };
            let slot = match key.as_str() {
                "error" => &mut out.error,
                "scope" => &mut out.scope,
                "resource_metadata" => &mut out.resource_metadata,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(crate::text::printable(&value));
            }
        }
        out
    }
}

/// Protected Resource Metadata (RFC 9728 §2), the fields we use.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceMetadata {
    pub resource: String,
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
}

/// What the resource at `url` says about itself: its challenge to a request without
/// a token, and its metadata (named by the challenge, else at the well-known places
/// of RFC 9728 §3). The metadata's `resource` must be the URL, or its origin, or a
/// path prefix of it (§3.3).
pub fn discover(http: &Client, url: &Url) -> Result<(ResourceMetadata, Challenge), OAuthError> {
    const ENDPOINT: &str = "protected resource";
    let response = http
        .get(url.as_str())
        .send()
        .map_err(|e| OAuthError::unreachable(ENDPOINT, url.as_str(), &e))?;
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(Challenge::parse)
        .fold(Challenge::default(), |a, b| Challenge {
            error: a.error.or(b.error),
            scope: a.scope.or(b.scope),
            resource_metadata: a.resource_metadata.or(b.resource_metadata),
        });
    let mut tried = Vec::new();
    let mut candidates = Vec::new();
    if let Some(named) = &challenge.resource_metadata {
        let named = Url::parse(named).map_err(|e| OAuthError::Malformed {
            endpoint: ENDPOINT,
            reason: format!("its resource_metadata `{named}` is not a URL ({e})"),
        })?;
        candidates.push(named);
    } else {
        tried.push(format!(
            "{url} answered HTTP {status} without resource_metadata"
        ));
        let path = url.path().trim_end_matches('/');
        for suffix in [path, ""] {
            let mut at = url.clone();
            at.set_path(&format!("/.well-known/oauth-protected-resource{suffix}"));
            at.set_query(None);
            if !candidates.contains(&at) {
                candidates.push(at);
            }
        }
    }
    for at in candidates {
        let response = http
            .get(at.as_str())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .map_err(|e| OAuthError::unreachable(ENDPOINT, at.as_str(), &e))?;
        let answer = super::read_answer(ENDPOINT, &at, response)?;
        if answer.status != 200 {
            tried.push(format!("{at} answered HTTP {}", answer.status));
            continue;
        }
        let meta: ResourceMetadata =
            serde_json::from_slice(&answer.body).map_err(|e| OAuthError::Malformed {
                endpoint: ENDPOINT,
                reason: crate::text::printable(&format!(
                    "{at} is not protected-resource metadata ({e})"
                )),
            })?;
        if !names(url, &meta.resource) {
            return Err(OAuthError::Malformed {
                endpoint: ENDPOINT,
                reason: crate::text::printable(&format!(
                    "{at} describes the resource `{}`, not {url} (RFC 9728 §3.3: a resource's metadata must name it); nothing was written",
                    meta.resource
                )),
            });
        }
        return Ok((meta, challenge));
    }
    Err(OAuthError::Malformed {
        endpoint: ENDPOINT,
        reason: crate::text::printable(&format!(
            "no protected-resource metadata (RFC 9728): {}; give the server with --issuer URL instead",
            tried.join("; ")
        )),
    })
}

/// Whether `resource` (a metadata's) names `url`: the same origin, and a path that is
/// the URL's or a prefix of it at a `/`.
fn names(url: &Url, resource: &str) -> bool {
    let Ok(resource) = Url::parse(resource) else {
        return false;
    };
    if resource.origin() != url.origin() {
        return false;
    }
    let (r, u) = (
        resource.path().trim_end_matches('/'),
        url.path().trim_end_matches('/'),
    );
    u == r || u.starts_with(&format!("{r}/"))
}

/// A client the server registered for us (RFC 7591 §3.2.1, RFC 7592 §3).
pub struct Registration {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub token_endpoint_auth_method: Option<String>,
    pub registration_access_token: Option<Secret>,
    pub registration_client_uri: Option<String>,
}

/// Registers a native public client with a loopback redirect URI (RFC 7591, RFC 8252).
pub fn register(
    http: &Client,
    endpoint: &Url,
    client_name: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> Result<Registration, OAuthError> {
    const ENDPOINT: &str = "registration";
    super::credential_url(ENDPOINT, endpoint, None)?;
    let mut body = serde_json::json!({
        "client_name": client_name,
        "application_type": "native",
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    if !scopes.is_empty() {
        body["scope"] = scopes.join(" ").into();
    }
    let response = http
        .post(endpoint.as_str())
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&body)
        .send()
        .map_err(|e| OAuthError::unreachable(ENDPOINT, endpoint.as_str(), &e))?;
    let answer = super::read_answer(ENDPOINT, endpoint, response)?;
    #[derive(Deserialize)]
    struct Answer {
        client_id: String,
        client_secret: Option<String>,
        token_endpoint_auth_method: Option<String>,
        registration_access_token: Option<String>,
        registration_client_uri: Option<String>,
    }
    let mut redactor = Redactor::default();
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&answer.body) {
        for key in ["client_secret", "registration_access_token"] {
            if let Some(s) = v[key].as_str() {
                redactor.add(&Secret::new(s.to_owned()));
            }
        }
    }
    if !(200..300).contains(&answer.status) {
        let error = super::response::error_from(&answer.content_type, &answer.body, ENDPOINT)
            .unwrap_or_else(|| OAuthError::Http {
                endpoint: ENDPOINT,
                status: answer.status,
                body: String::from_utf8_lossy(&answer.body).into_owned(),
            });
        return Err(error.scrub(&redactor));
    }
    let parsed: Answer = serde_json::from_slice(&answer.body).map_err(|e| {
        OAuthError::Malformed {
            endpoint: ENDPOINT,
            reason: format!("it is not a client registration ({e})"),
        }
        .scrub(&redactor)
    })?;
    let id_ok = !parsed.client_id.is_empty()
        && parsed.client_id.len() <= 1024
        && !parsed.client_id.chars().any(char::is_control);
    if !id_ok {
        return Err(OAuthError::Malformed {
            endpoint: ENDPOINT,
            reason: "its client_id is empty, too long or has control characters".into(),
        });
    }
    Ok(Registration {
        client_id: parsed.client_id,
        client_secret: parsed
            .client_secret
            .filter(|s| !s.is_empty())
            .map(Secret::new),
        token_endpoint_auth_method: parsed.token_endpoint_auth_method,
        registration_access_token: parsed.registration_access_token.map(Secret::new),
        registration_client_uri: parsed.registration_client_uri,
    })
}

/// Replaces a registered client's metadata (RFC 7592 §2.2); returns the new
/// registration access token when the server rotated it.
pub fn update(
    http: &Client,
    uri: &Url,
    token: &Secret,
    metadata: &serde_json::Value,
) -> Result<Option<Secret>, OAuthError> {
    const ENDPOINT: &str = "client configuration";
    super::credential_url(ENDPOINT, uri, None)?;
    let response = http
        .put(uri.as_str())
        .bearer_auth(token.expose())
        .header(reqwest::header::ACCEPT, "application/json")
        .json(metadata)
        .send()
        .map_err(|e| OAuthError::unreachable(ENDPOINT, uri.as_str(), &e))?;
    let answer = super::read_answer(ENDPOINT, uri, response)?;
    let mut redactor = Redactor::default();
    redactor.add(token);
    if !(200..300).contains(&answer.status) {
        let error = super::response::error_from(&answer.content_type, &answer.body, ENDPOINT)
            .unwrap_or_else(|| OAuthError::Http {
                endpoint: ENDPOINT,
                status: answer.status,
                body: String::from_utf8_lossy(&answer.body).into_owned(),
            });
        return Err(error.scrub(&redactor));
    }
    Ok(serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["registration_access_token"].as_str().map(str::to_owned))
        .filter(|t| !t.is_empty() && t != token.expose())
        .map(Secret::new))
}

/// Deletes a registered client (RFC 7592 §2.3).
pub fn deregister(http: &Client, uri: &Url, token: &Secret) -> Result<(), OAuthError> {
    const ENDPOINT: &str = "client configuration";
    super::credential_url(ENDPOINT, uri, None)?;
    let response = http
        .delete(uri.as_str())
        .bearer_auth(token.expose())
        .send()
        .map_err(|e| OAuthError::unreachable(ENDPOINT, uri.as_str(), &e))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) || status == 404 {
        return Ok(());
    }
    let answer = super::read_answer(ENDPOINT, uri, response)?;
    let mut redactor = Redactor::default();
    redactor.add(token);
    Err(OAuthError::Http {
        endpoint: ENDPOINT,
        status,
        body: String::from_utf8_lossy(&answer.body).into_owned(),
    }
    .scrub(&redactor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_as_servers_send_them() {
        let c = Challenge::parse(
            r#"Bearer realm="mcp", error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", scope="files:read files:write""#,
        );
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(c.scope.as_deref(), Some("files:read files:write"));
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("https://a.example/.well-known/oauth-protected-resource/mcp")
        );
        let c =
            Challenge::parse(r#"DPoP algs="ES256", Bearer error=insufficient_scope, scope="a""#);
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("a"));
        assert_eq!(Challenge::parse("Basic"), Challenge::default());
        assert_eq!(Challenge::parse("==\"\\"), Challenge::default());
    }

    #[test]
    fn metadata_must_name_the_resource() {
        let url = Url::parse("https://api.example/mcp/v1").unwrap();
        assert!(names(&url, "https://api.example/mcp/v1"));
        assert!(names(&url, "https://api.example/mcp"));
        assert!(names(&url, "https://api.example"));
        assert!(!names(&url, "https://api.example/mc"));
        assert!(!names(&url, "https://evil.example/mcp/v1"));
        assert!(!names(&url, "http://api.example/mcp/v1"));
        assert!(!names(&url, "not a url"));
    }
}
