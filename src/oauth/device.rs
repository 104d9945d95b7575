//! The device authorization grant (RFC 8628): start, then poll.

use reqwest::blocking::Client;
use serde_json::Value;

use super::{
    Answer, ClientCredentials, Grant, OAuthError, TokenResponse, post_form, request_token, response,
};
use crate::secret::Secret;

/// The longest wait between polls we accept from a server (RFC 8628 suggests 5 s):
/// a larger `interval`, or `slow_down`s piling up, would stall the flow for ever.
pub const MAX_INTERVAL: u64 = 60;

/// The longest a device code may be said to live (RFC 8628 examples use 30 min).
pub const MAX_EXPIRES_IN: u64 = 3600;

#[derive(Debug)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    /// Seconds between polls (RFC 8628 3.2: default 5).
    pub interval: u64,
}

pub fn start(
    http: &Client,
    creds: &ClientCredentials,
    device_url: &url::Url,
    scopes: &[String],
) -> Result<DeviceAuthorization, OAuthError> {
    let mut form = Vec::new();
    if !scopes.is_empty() {
        form.push(("scope".to_owned(), scopes.join(&creds.app.scope_delimiter)));
    }
    let mut redactor = creds.redactor(&[]);
    parse_start(post_form(
        http,
        "device authorization",
        device_url,
        creds,
        form,
        &mut redactor,
    ))
    .map_err(|e| {
        e.wrong_url(device_url, &creds.app.name, "--device-url")
            .scrub(&redactor)
    })
}

fn parse_start(answer: Result<Answer, OAuthError>) -> Result<DeviceAuthorization, OAuthError> {
    let Answer {
        status,
        content_type,
        body,
        ..
    } = answer?;
    if let Some(error) = response::error_from(&content_type, &body, "device authorization") {
        return Err(error);
    }
    if !(200..300).contains(&status) {
        return Err(OAuthError::Http {
            endpoint: "device authorization",
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    let malformed = |reason: &str| OAuthError::Malformed {
        endpoint: "device authorization",
        reason: reason.to_owned(),
    };
    let map = response::fields(&content_type, &body).ok_or_else(|| malformed("not JSON"))?;
    // Shown to the user: never a control character from the server.
    let text = |key: &str| {
        map.get(key)
            .and_then(Value::as_str)
            .map(crate::text::printable)
    };
    let number = |key: &str| {
        map.get(key).and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    Ok(DeviceAuthorization {
        device_code: Secret::new(text("device_code").ok_or_else(|| malformed("no device_code"))?),
        user_code: text("user_code").ok_or_else(|| malformed("no user_code"))?,
        verification_uri: text("verification_uri")
            .or_else(|| text("verification_url"))
            .ok_or_else(|| malformed("no verification_uri"))?,
        verification_uri_complete: text("verification_uri_complete"),
        expires_in: number("expires_in").unwrap_or(600).clamp(1, MAX_EXPIRES_IN),
        interval: number("interval").unwrap_or(5).clamp(1, MAX_INTERVAL),
    })
}

/// One poll's outcome.
pub enum Poll {
    Pending,
    /// Poll more slowly (RFC 8628 3.5: add 5 seconds).
    SlowDown,
    Done(TokenResponse),
}

pub fn poll(
    http: &Client,
    creds: &ClientCredentials,
    device_code: &Secret,
) -> Result<Poll, OAuthError> {
    match request_token(http, creds, &Grant::DeviceCode { device_code }) {
        Ok(token) => Ok(Poll::Done(token)),
        Err(OAuthError::Refused { error, .. }) if error == "authorization_pending" => {
            Ok(Poll::Pending)
        }
        Err(OAuthError::Refused { error, .. }) if error == "slow_down" => Ok(Poll::SlowDown),
        Err(e) => Err(e),
    }
}
