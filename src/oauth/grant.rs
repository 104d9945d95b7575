//! One typed description of a token request: which grant, with its own fields
//! (RFC 6749 4.1, 4.4, 6; RFC 8628 3.4). [`super::request_token`] turns it into the
//! one HTTP request every grant goes through. A new grant is a new variant here.

use crate::secret::Secret;

/// A token request's grant and its fields.
pub enum Grant<'a> {
    /// The code the browser brought back, for the redirect URI it was sent to, with
    /// the PKCE verifier when one was used.
    AuthorizationCode {
        code: &'a Secret,
        redirect_uri: &'a str,
        verifier: Option<&'a Secret>,
    },
    /// New tokens for a refresh token; with `scopes`, narrowed to them (RFC 6749 6);
    /// with `resource`, for that resource (RFC 8707) instead of the app's first.
    RefreshToken {
        refresh_token: &'a Secret,
        scopes: &'a [String],
        resource: Option<&'a str>,
    },
    /// The client acting as itself, for these scopes (none sent when empty).
    ClientCredentials { scopes: &'a [String] },
    /// A poll for the device code a person is approving elsewhere.
    DeviceCode { device_code: &'a Secret },
    /// A fresh assertion signed by the client for a subject (RFC 7523 2.1), minted by
    /// [`super::request_token`] for each request; these scopes are sent unless the
    /// app puts them in the assertion.
    JwtBearer { scopes: &'a [String] },
    /// Another token exchanged for one (RFC 8693): the subject (and actor) token with
    /// their types, as the app says.
    TokenExchange {
        subject_token: &'a Secret,
        actor_token: Option<&'a Secret>,
        scopes: &'a [String],
    },
}

impl Grant<'_> {
    /// The `grant_type` value.
    pub fn name(&self) -> &'static str {
        match self {
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::RefreshToken { .. } => "refresh_token",
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::DeviceCode { .. } => "urn:ietf:params:oauth:grant-type:device_code",
            Grant::JwtBearer { .. } => "urn:ietf:params:oauth:grant-type:jwt-bearer",
            Grant::TokenExchange { .. } => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }

    /// The grant's short name, as the audit log and `status` say it.
    pub fn label(&self) -> &'static str {
        match self {
            Grant::DeviceCode { .. } => "device_code",
            Grant::JwtBearer { .. } => "jwt_bearer",
            Grant::TokenExchange { .. } => "token_exchange",
            other => other.name(),
        }
    }

    /// The request's own parameters, `grant_type` first.
    pub(super) fn params(&self, scope_delimiter: &str) -> Vec<(String, String)> {
        let mut params = vec![("grant_type".to_owned(), self.name().to_owned())];
        let mut add = |k: &str, v: &str| params.push((k.to_owned(), v.to_owned()));
        match self {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                verifier,
            } => {
                add("code", code.expose());
                add("redirect_uri", redirect_uri);
                if let Some(v) = verifier {
                    add("code_verifier", v.expose());
                }
            }
            Grant::RefreshToken {
                refresh_token,
                scopes,
                ..
            } => {
                add("refresh_token", refresh_token.expose());
                if !scopes.is_empty() {
                    add("scope", &scopes.join(scope_delimiter));
                }
            }
            Grant::ClientCredentials { scopes } if !scopes.is_empty() => {
                add("scope", &scopes.join(scope_delimiter));
            }
            Grant::ClientCredentials { .. } => {}
            Grant::DeviceCode { device_code } => add("device_code", device_code.expose()),
            // The assertion is added by request_token; the scopes unless in it.
            Grant::JwtBearer { scopes } if !scopes.is_empty() => {
                add("scope", &scopes.join(scope_delimiter));
            }
            Grant::JwtBearer { .. } => {}
            Grant::TokenExchange {
                subject_token,
                actor_token,
                scopes,
            } => {
                add("subject_token", subject_token.expose());
                if let Some(actor) = actor_token {
                    add("actor_token", actor.expose());
                }
                if !scopes.is_empty() {
                    add("scope", &scopes.join(scope_delimiter));
                }
            }
        }
        params
    }

    /// The resource this request names instead of the app's first (RFC 8707).
    pub(super) fn resource(&self) -> Option<&str> {
        match self {
            Grant::RefreshToken { resource, .. } => *resource,
            _ => None,
        }
    }

    /// The request's own secrets, to redact from whatever the server answers.
    pub(super) fn secrets(&self) -> Vec<&Secret> {
        match self {
            Grant::AuthorizationCode { code, verifier, .. } => {
                let mut all = vec![*code];
                all.extend(*verifier);
                all
            }
            Grant::RefreshToken { refresh_token, .. } => vec![*refresh_token],
            Grant::ClientCredentials { .. } => Vec::new(),
            Grant::DeviceCode { device_code } => vec![*device_code],
            Grant::JwtBearer { .. } => Vec::new(),
            Grant::TokenExchange {
                subject_token,
                actor_token,
                ..
            } => {
                let mut all = vec![*subject_token];
                all.extend(*actor_token);
                all
            }
        }
    }
}

pub use crate::app::RESERVED_PARAMS;
