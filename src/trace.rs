//! `--trace` / `OUTBOUND_TRACE=1`: every OAuth exchange on stderr — the authorization
//! request and its callback, token, refresh, revocation, device and discovery
//! requests and their answers — with every secret masked and JWTs decoded (header
//! and claims; never the signature, so nothing printed can be replayed).
//!
//! Masking is by name (a parameter, header or JSON field that carries a credential
//! is shown as `***`) and then, for anything that slipped through a name we do not
//! know, by value: each line also goes through the request's [`Redactor`], which
//! holds every form of every secret that was sent.

use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;

use crate::secret::Redactor;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Names whose values are credentials, in forms, JSON answers and callbacks.
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
    "device_code",
    "password",
    "registration_access_token",
];

/// Headers whose values are credentials.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "dpop", "cookie"];

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn on() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn line(direction: char, text: &str, redactor: &Redactor) {
    let text = crate::text::printable(&redactor.apply(text));
    crate::commands::output::say!("trace: {direction} {text}");
}

/// A note: `* authorization request: URL`.
pub fn note(text: &str) {
    if on() {
        line('*', text, &Redactor::default());
    }
}

/// A request about to be sent: method and URL, headers, and the body (a form or a
/// JSON object) a field per line.
pub fn request(endpoint: &str, request: &reqwest::blocking::Request, redactor: &Redactor) {
    if !on() {
        return;
    }
    line(
        '>',
        &format!("{} {} ({endpoint})", request.method(), request.url()),
        redactor,
    );
    for (name, value) in request.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        line(
            '>',
            &format!("{name}: {}", header_value(name.as_str(), &value)),
            redactor,
        );
    }
    let Some(body) = request.body().and_then(|b| b.as_bytes()) else {
        return;
    };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => json_lines('>', &json, redactor),
        Err(_) => {
            for (k, v) in url::form_urlencoded::parse(body) {
                line('>', &format!("{k}={}", masked(&k, &v)), redactor);
            }
        }
    }
}

/// An answer: status and content type, then the body (JSON field by field, with
/// JWTs decoded; other bodies as text).
pub fn response(endpoint: &str, status: u16, content_type: &str, body: &[u8], redactor: &Redactor) {
    if !on() {
        return;
    }
    line(
        '<',
        &format!("HTTP {status} {content_type} ({endpoint})"),
        redactor,
    );
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => json_lines('<', &json, redactor),
        Err(_) if body.is_empty() => {}
        Err(_) => match std::str::from_utf8(body) {
            Ok(text) if text.contains('=') && !text.contains(' ') => {
                for (k, v) in url::form_urlencoded::parse(body) {
                    line('<', &format!("{k}={}", masked(&k, &v)), redactor);
                }
            }
            _ => line('<', &String::from_utf8_lossy(body), redactor),
        },
    }
}

/// The callback's parameters, the code masked.
pub fn callback(pairs: &[(std::borrow::Cow<str>, std::borrow::Cow<str>)]) {
    if !on() {
        return;
    }
    let shown: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", masked(k, v)))
        .collect();
    line(
        '<',
        &format!("callback: {}", shown.join("&")),
        &Redactor::default(),
    );
}

fn header_value(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.contains(&name) {
        return value.to_owned();
    }
    // Keep the scheme: `Basic ***`, `Bearer ***`.
    match value.split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} ***"),
        _ => "***".to_owned(),
    }
}

fn masked(name: &str, value: &str) -> String {
    if SECRET_NAMES.contains(&name) {
        "***".to_owned()
    } else {
        value.to_owned()
    }
}

fn json_lines(direction: char, json: &serde_json::Value, redactor: &Redactor) {
    let serde_json::Value::Object(map) = json else {
        line(direction, &json.to_string(), redactor);
        return;
    };
    for (key, value) in map {
        match value.as_str() {
            Some(text) if SECRET_NAMES.contains(&key.as_str()) => {
                line(direction, &format!("{key}: ***"), redactor);
                if let Some((header, claims)) = decode_jwt(text) {
                    line(
                        direction,
                        &format!("  {key} is a JWT; header: {header}"),
                        redactor,
                    );
                    line(direction, &format!("  {key} claims: {claims}"), redactor);
                }
            }
            _ => line(direction, &format!("{key}: {value}"), redactor),
        }
    }
}

/// A compact JWS's header and claims as JSON text; None for anything else.
fn decode_jwt(token: &str) -> Option<(String, String)> {
    let mut parts = token.split('.');
    let (header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .ok()?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        value.is_object().then(|| value.to_string())
    };
    Some((decode(header)?, decode(claims)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_decode_and_secrets_mask() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"RS256"}"#),
            enc(r#"{"sub":"alice"}"#)
        );
        let (header, claims) = decode_jwt(&jwt).unwrap();
        assert_eq!(header, r#"{"alg":"RS256"}"#);
        assert_eq!(claims, r#"{"sub":"alice"}"#);
        assert!(decode_jwt("opaque-token").is_none());
        assert!(decode_jwt("a.b.c").is_none());
        assert_eq!(masked("refresh_token", "r1"), "***");
        assert_eq!(masked("grant_type", "refresh_token"), "refresh_token");
        assert_eq!(header_value("authorization", "Basic abc"), "Basic ***");
        assert_eq!(
            header_value("accept", "application/json"),
            "application/json"
        );
    }
}
