//! Lenient parsing of token-endpoint answers, because real servers differ: JSON or
//! form-encoded bodies, `expires_in` as a number or a string, scopes split by spaces
//! or commas, `token_type` in any case or missing, an `error` even with HTTP 200.

use serde_json::{Map, Value};

use super::OAuthError;
use crate::secret::Secret;
use crate::text::printable;

/// A successful token response, normalised.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// As sent, lower-cased (`bearer`), or None when missing.
    pub token_type: Option<String>,
    /// Seconds, from `expires_in` (or `expires_at`/`ext_expires_in` when that is
    /// all the server sends).
    pub expires_in: Option<u64>,
    /// The granted scopes, when the server says.
    pub scope: Option<Vec<String>>,
    /// The refresh token's own lifetime, when the server says.
    pub refresh_expires_in: Option<u64>,
    /// OpenID Connect's ID token, when the server sent one (checked by the caller).
    pub id_token: Option<Secret>,
}

/// The body's fields: a JSON object, or a form-encoded body.
pub fn fields(content_type: &str, body: &[u8]) -> Option<Map<String, Value>> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        return Some(map);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    let looks_like_form = content_type.contains("x-www-form-urlencoded")
        || (!text.is_empty() && !text.starts_with(['{', '[', '<']) && text.contains('='));
    if !looks_like_form {
        return None;
    }
    Some(
        url::form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

fn string(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The longest lifetime we record (ten years): a server's `2^64-1` must neither wrap
/// nor overflow the arithmetic that follows.
pub const MAX_LIFETIME: u64 = 10 * 365 * 86400;

/// A whole number given as a JSON number (integer or not) or a numeric string; None
/// when it is not a number at all. Wide enough that no server value wraps.
fn number(map: &Map<String, Value>, key: &str) -> Option<i128> {
    let float = |f: f64| (!f.is_nan()).then(|| f.clamp(-1e30, 1e30) as i128);
    match map.get(key)? {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Some(i128::from(u)),
            (None, Some(i)) => Some(i128::from(i)),
            _ => float(n.as_f64()?),
        },
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i128>()
                .ok()
                .or_else(|| float(s.parse::<f64>().ok()?))
        }
        _ => None,
    }
}

/// A lifetime in seconds, clamped to `0..=MAX_LIFETIME`: a negative lifetime means
/// already expired. A value that is not a number at all counts as absent (the app's
/// default lifetime applies).
fn seconds(map: &Map<String, Value>, key: &str) -> Option<u64> {
    number(map, key).map(clamp_lifetime)
}

fn clamp_lifetime(seconds: i128) -> u64 {
    seconds.clamp(0, i128::from(MAX_LIFETIME)) as u64
}

/// A token as RFC 6750 lets it travel in a header: visible ASCII, no spaces or
/// control characters (a CR/LF would forge headers in `curl -H "…$(outbound
/// token x)"`).
fn is_token(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// An OAuth error in the body, whatever the status (some servers send 200).
pub fn error_from(content_type: &str, body: &[u8], endpoint: &'static str) -> Option<OAuthError> {
    let map = fields(content_type, body)?;
    let error = string(&map, "error")?;
    Some(OAuthError::Refused {
        endpoint,
        error,
        description: string(&map, "error_description"),
        uri: string(&map, "error_uri"),
    })
}

pub fn split_scopes(text: &str, delimiter: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || delimiter.contains(c))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value at a dotted path (`authed_user.access_token`) of a JSON object.
fn at_path<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = map.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

pub fn parse_token_response(
    status: u16,
    content_type: &str,
    body: &[u8],
    delimiter: &str,
    mapping: &std::collections::BTreeMap<String, String>,
) -> Result<TokenResponse, OAuthError> {
    const ENDPOINT: &str = "token";
    if let Some(error) = error_from(content_type, body, ENDPOINT) {
        return Err(error);
    }
    if !(200..300).contains(&status) {
        return Err(OAuthError::Http {
            endpoint: ENDPOINT,
            status,
            body: String::from_utf8_lossy(body).into_owned(),
        });
    }
    let mut map = fields(content_type, body).ok_or_else(|| OAuthError::Malformed {
        endpoint: ENDPOINT,
        reason: format!(
            "the body is neither JSON nor form-encoded (content type `{content_type}`)"
        ),
    })?;
    // A response mapping (non-standard servers) says where each field really is.
    let mapped: Vec<(String, Value)> = mapping
        .iter()
        .filter_map(|(field, path)| at_path(&map, path).map(|v| (field.clone(), v.clone())))
        .collect();
    map.extend(mapped);
    let access_token = string(&map, "access_token").ok_or_else(|| OAuthError::Malformed {
        endpoint: ENDPOINT,
        reason: "it has no access_token".into(),
    })?;
    let refresh_token = string(&map, "refresh_token");
    let id_token = string(&map, "id_token");
    for (name, value) in [
        ("access token", Some(&access_token)),
        ("refresh token", refresh_token.as_ref()),
        ("ID token", id_token.as_ref()),
    ] {
        if value.is_some_and(|v| !is_token(v)) {
            return Err(OAuthError::Malformed {
                endpoint: ENDPOINT,
                reason: format!(
                    "the {name} contains characters no token may have (spaces, line breaks or other control characters); it was not stored"
                ),
            });
        }
    }
    let expires_in = seconds(&map, "expires_in")
        .or_else(|| {
            number(&map, "expires_at")
                .map(|at| clamp_lifetime(at - i128::from(crate::clock::now())))
        })
        .or_else(|| seconds(&map, "ext_expires_in"));
    let scope = match map.get("scope") {
        Some(Value::String(s)) => Some(
            split_scopes(s, delimiter)
                .iter()
                .map(|s| printable(s))
                .collect(),
        ),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(printable))
                .collect(),
        ),
        _ => None,
    };
    Ok(TokenResponse {
        access_token: Secret::new(access_token),
        refresh_token: refresh_token.map(Secret::new),
        id_token: id_token.map(Secret::new),
        token_type: string(&map, "token_type")
            .filter(|t| is_token(t))
            .map(|t| t.to_ascii_lowercase()),
        expires_in,
        scope,
        refresh_expires_in: seconds(&map, "refresh_token_expires_in")
            .or_else(|| seconds(&map, "refresh_expires_in")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, ct: &str, body: &str) -> Result<TokenResponse, OAuthError> {
        parse_token_response(status, ct, body.as_bytes(), " ", &Default::default())
    }

    #[test]
    fn response_mapping_reads_nested_fields() {
        let mapping = [
            ("access_token", "authed_user.access_token"),
            ("expires_in", "authed_user.ttl"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        let body =
            r#"{"ok":true,"access_token":"bot","authed_user":{"access_token":"user","ttl":"600"}}"#;
        let t =
            parse_token_response(200, "application/json", body.as_bytes(), ",", &mapping).unwrap();
        assert_eq!(t.access_token.expose(), "user");
        assert_eq!(t.expires_in, Some(600));
    }

    #[test]
    fn standard_json() {
        let t = parse(200, "application/json", r#"{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":3600,"scope":"x y"}"#).unwrap();
        assert_eq!(t.access_token.expose(), "a");
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        assert_eq!(t.token_type.as_deref(), Some("bearer"));
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.scope, Some(vec!["x".into(), "y".into()]));
    }

    #[test]
    fn quirks_of_real_servers() {
        // Form-encoded (GitHub), string expires_in (Microsoft, the seeds' example),
        // comma-separated scope, no token_type.
        let t = parse(
            200,
            "application/x-www-form-urlencoded",
            "access_token=a&expires_in=3600&scope=repo%2Cgist",
        )
        .unwrap();
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.scope, Some(vec!["repo".into(), "gist".into()]));
        assert_eq!(t.token_type, None);
        let t = parse(
            200,
            "application/json",
            r#"{"access_token":"a","expires_in":"3600","token_type":"BEARER"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.token_type.as_deref(), Some("bearer"));
        // Form body with a wrong content type is still understood.
        let t = parse(200, "text/plain", "access_token=a&token_type=bearer").unwrap();
        assert_eq!(t.access_token.expose(), "a");
        // A fractional number of seconds.
        assert_eq!(
            parse(200, "", r#"{"access_token":"a","expires_in":59.9}"#)
                .unwrap()
                .expires_in,
            Some(59)
        );
        // Refresh-token lifetime.
        let t = parse(
            200,
            "",
            r#"{"access_token":"a","refresh_token_expires_in":"7776000"}"#,
        )
        .unwrap();
        assert_eq!(t.refresh_expires_in, Some(7776000));
    }

    #[test]
    fn hostile_lifetimes_and_tokens() {
        let lifetime = |v: &str| {
            parse(
                200,
                "",
                &format!(r#"{{"access_token":"a","expires_in":{v}}}"#),
            )
            .unwrap()
            .expires_in
        };
        assert_eq!(lifetime("18446744073709551615"), Some(MAX_LIFETIME));
        assert_eq!(lifetime("1e300"), Some(MAX_LIFETIME));
        assert_eq!(lifetime("-5"), Some(0), "negative: already expired");
        assert_eq!(lifetime("\"-5\""), Some(0));
        assert_eq!(lifetime("\"abc\""), None, "not a number: absent");
        assert_eq!(lifetime("\"NaN\""), None);
        let e = parse(200, "", r#"{"access_token":"abc\r\nX-Injected: 1"}"#).unwrap_err();
        assert!(e.to_string().contains("no token may have"), "{e}");
        assert!(parse(200, "", r#"{"access_token":"a b"}"#).is_err());
        assert!(parse(200, "", r#"{"access_token":"a","refresh_token":"r\u0007"}"#).is_err());
        // Salesforce-style tokens (visible ASCII beyond RFC 6750's b64token) pass.
        assert!(parse(200, "", r#"{"access_token":"00D!AQ0A|x:y"}"#).is_ok());
    }

    #[test]
    fn errors_even_with_200() {
        let e = parse(
            200,
            "application/json",
            r#"{"error":"invalid_grant","error_description":"gone","error_uri":"https://x/e"}"#,
        )
        .unwrap_err();
        assert!(e.is_invalid_grant());
        let msg = e.to_string();
        assert!(
            msg.contains("invalid_grant") && msg.contains("gone") && msg.contains("https://x/e"),
            "{msg}"
        );
        let e = parse(
            400,
            "application/x-www-form-urlencoded",
            "error=invalid_client",
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid_client"));
    }

    #[test]
    fn unusable_answers() {
        let e = parse(200, "application/json", r#"{"token_type":"bearer"}"#).unwrap_err();
        assert!(e.to_string().contains("no access_token"), "{e}");
        let e = parse(502, "text/html", "<html>Bad gateway</html>").unwrap_err();
        assert!(e.to_string().contains("HTTP 502"), "{e}");
        let e = parse(200, "text/html", "<html>hi</html>").unwrap_err();
        assert!(e.to_string().contains("neither JSON nor form"), "{e}");
    }
}
