//! The OAuth 2.0 protocol, with no terminal and no storage: authorization URLs,
//! PKCE and state, token requests with every client-authentication method, lenient
//! parsing of real servers' responses, discovery, the device grant, revocation.

pub mod device;
pub mod discovery;
pub mod flow;
pub mod response;

use base64::Engine;
use reqwest::blocking::{Client, RequestBuilder};

use crate::app::{App, BodyFormat, ClientAuth};
use crate::secret::{Secret, redact};

pub use response::TokenResponse;

/// What went wrong talking to an OAuth endpoint. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The server answered with an OAuth error (RFC 6749 5.2).
    #[error("the {endpoint} endpoint refused: {error}{}{}", describe(.description), see_uri(.uri))]
    Refused {
        endpoint: &'static str,
        error: String,
        description: Option<String>,
        uri: Option<String>,
    },
    /// The server could not be reached, or did not answer in time.
    #[error("could not reach the {endpoint} endpoint {url}: {reason}")]
    Unreachable {
        endpoint: &'static str,
        url: String,
        reason: String,
    },
    /// The server answered, but not with OAuth.
    #[error("the {endpoint} endpoint answered HTTP {status}{}", snippet(.body))]
    Http {
        endpoint: &'static str,
        status: u16,
        body: String,
    },
    /// A 2xx answer we cannot use.
    #[error("the {endpoint} endpoint's answer is unusable: {reason}")]
    Malformed {
        endpoint: &'static str,
        reason: String,
    },
}

fn describe(d: &Option<String>) -> String {
    d.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}
fn see_uri(u: &Option<String>) -> String {
    u.as_ref().map(|u| format!("; see {u}")).unwrap_or_default()
}
fn snippet(body: &str) -> String {
    let body: String = body.trim().chars().take(200).collect();
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

impl OAuthError {
    /// The grant (refresh token, code) is dead: only a new authorization helps.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, OAuthError::Refused { error, .. } if error == "invalid_grant")
    }

    /// Worth retrying later: nothing was decided by the server.
    pub fn is_transient(&self) -> bool {
        match self {
            OAuthError::Unreachable { .. } => true,
            OAuthError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    pub(crate) fn unreachable(endpoint: &'static str, url: &str, e: &reqwest::Error) -> Self {
        let reason = if e.is_timeout() {
            "timed out".to_owned()
        } else {
            // The innermost cause says what happened (refused, DNS, TLS) without the URL.
            let mut source: &dyn std::error::Error = e;
            while let Some(inner) = source.source() {
                source = inner;
            }
            source.to_string()
        };
        OAuthError::Unreachable {
            endpoint,
            url: url.to_owned(),
            reason,
        }
    }
}

/// The client credentials for one request: the id, and the secret unless public.
pub struct ClientCredentials<'a> {
    pub app: &'a App,
    pub secret: Option<&'a Secret>,
}

impl ClientCredentials<'_> {
    /// Applies the app's client authentication: HTTP Basic (RFC 6749 2.3.1, with the
    /// form-encoding it asks for), or the id (and secret) in the body.
    fn apply(&self, request: RequestBuilder, form: &mut Vec<(String, String)>) -> RequestBuilder {
        let id = &self.app.client_id;
        match (self.app.client_auth, self.secret) {
            (ClientAuth::Basic, Some(secret)) => {
                let user = form_encode(id);
                let pass = form_encode(secret.expose());
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                request.header(reqwest::header::AUTHORIZATION, format!("Basic {token}"))
            }
            (ClientAuth::Post, Some(secret)) => {
                form.push(("client_id".into(), id.clone()));
                form.push(("client_secret".into(), secret.expose().to_owned()));
                request
            }
            _ => {
                form.push(("client_id".into(), id.clone()));
                request
            }
        }
    }
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// POSTs a form to one of the app's endpoints with client authentication, the app's
/// extra headers, and `Accept: application/json`. Returns status, content type and
/// body.
pub(crate) fn post_form(
    http: &Client,
    endpoint: &'static str,
    url: &url::Url,
    creds: &ClientCredentials,
    form: Vec<(String, String)>,
) -> Result<(u16, String, Vec<u8>), OAuthError> {
    post(http, endpoint, url, creds, form, BodyFormat::Form)
}

/// The same, with the body as a form or as a JSON object of strings (non-standard
/// servers, the seeds' legacy token webhooks).
fn post(
    http: &Client,
    endpoint: &'static str,
    url: &url::Url,
    creds: &ClientCredentials,
    mut form: Vec<(String, String)>,
    format: BodyFormat,
) -> Result<(u16, String, Vec<u8>), OAuthError> {
    let mut request = http
        .post(url.as_str())
        .header(reqwest::header::ACCEPT, "application/json");
    for (k, v) in &creds.app.token_headers {
        request = request.header(k.as_str(), v.as_str());
    }
    request = creds.apply(request, &mut form);
    request = match format {
        BodyFormat::Form => request.form(&form),
        BodyFormat::Json => {
            let object: serde_json::Map<String, serde_json::Value> = form
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            request.json(&object)
        }
    };
    let response = request
        .send()
        .map_err(|e| OAuthError::unreachable(endpoint, url.as_str(), &e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .bytes()
        .map_err(|e| OAuthError::unreachable(endpoint, url.as_str(), &e))?
        .to_vec();
    Ok((status, content_type, body))
}

/// Requests tokens at the app's token endpoint with `grant` parameters, and parses
/// the answer leniently.
pub fn token_request(
    http: &Client,
    creds: &ClientCredentials,
    params: Vec<(&str, &str)>,
    secrets: &[&Secret],
) -> Result<TokenResponse, OAuthError> {
    let app = creds.app;
    let mut form: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for (k, v) in &app.token_params {
        form.push((k.clone(), v.clone()));
    }
    // A refresh may go to its own URL (non-standard servers).
    let refreshing = form
        .iter()
        .any(|(k, v)| k == "grant_type" && v == "refresh_token");
    let url = match (&app.token_request.refresh_url, refreshing) {
        (Some(url), true) => url,
        _ => &app.token_url,
    };
    let (status, content_type, body) =
        post(http, "token", url, creds, form, app.token_request.body)?;
    let mut all: Vec<&Secret> = secrets.to_vec();
    if let Some(s) = creds.secret {
        all.push(s);
    }
    response::parse_token_response(
        status,
        &content_type,
        &body,
        &app.scope_delimiter,
        &app.token_request.response,
    )
    .map_err(|e| match e {
        OAuthError::Http {
            endpoint,
            status,
            body,
        } => OAuthError::Http {
            endpoint,
            status,
            body: redact(&body, &all),
        },
        other => other,
    })
}

/// Revokes `token` (RFC 7009), with its type as a hint. A 200 means revoked or
/// already invalid.
pub fn revoke(
    http: &Client,
    creds: &ClientCredentials,
    url: &url::Url,
    token: &Secret,
    hint: &str,
) -> Result<(), OAuthError> {
    let form = vec![
        ("token".to_owned(), token.expose().to_owned()),
        ("token_type_hint".to_owned(), hint.to_owned()),
    ];
    let (status, content_type, body) = post_form(http, "revocation", url, creds, form)?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let mut all = vec![token];
    if let Some(s) = creds.secret {
        all.push(s);
    }
    Err(
        response::error_from(&content_type, &body, "revocation").unwrap_or_else(|| {
            OAuthError::Http {
                endpoint: "revocation",
                status,
                body: redact(&String::from_utf8_lossy(&body), &all),
            }
        }),
    )
}
