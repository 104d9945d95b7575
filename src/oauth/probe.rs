//! Whether an endpoint is there: one request without parameters or credentials, and
//! what the right URL of a working endpoint answers it. `doctor` judges every
//! endpoint of an app with it, `app add`/`app edit` the ones typed by hand, and
//! `authorize` asks the authorization endpoint before a browser is sent there.

use std::time::Duration;

use reqwest::blocking::{Client, Response};
use url::Url;

/// How long a probe made on the way to something else may take: a server that is up
/// answers an empty request well within it.
pub const QUICK: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Authorization,
    Token,
    Revocation,
    Device,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Authorization => "authorization",
            Endpoint::Token => "token",
            Endpoint::Revocation => "revocation",
            Endpoint::Device => "device",
        }
    }

    /// The application setting that holds its URL.
    pub fn field(self) -> &'static str {
        match self {
            Endpoint::Authorization => "auth_url",
            Endpoint::Token => "token_url",
            Endpoint::Revocation => "revocation_url",
            Endpoint::Device => "device_url",
        }
    }

    /// The `app add`/`app edit` flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Endpoint::Authorization => "--auth-url",
            Endpoint::Token => "--token-url",
            Endpoint::Revocation => "--revocation-url",
            Endpoint::Device => "--device-url",
        }
    }

    /// What `status` says of the URL, for this endpoint. A working endpoint at the
    /// right URL answers a request without parameters or credentials with an OAuth
    /// error (400, 401) for the POST endpoints (revocation may also answer 200), and
    /// with a page, a redirect to a login or a 400 for the authorization endpoint.
    pub fn judge(self, status: u16) -> Verdict {
        match (self, status) {
            (_, 404 | 410) => Verdict::Wrong("not found: the URL is wrong"),
            (_, 500..) => Verdict::Wrong("the server is failing"),
            (Endpoint::Authorization, 200..=399 | 400 | 401 | 403) => Verdict::Expected,
            (Endpoint::Revocation, 200 | 400 | 401) => Verdict::Expected,
            (Endpoint::Token | Endpoint::Device, 400 | 401) => Verdict::Expected,
            (_, 405) => Verdict::Wrong("the method is not allowed: not an OAuth endpoint"),
            _ => {
                Verdict::Unusual("not what an OAuth endpoint answers a request without parameters")
            }
        }
    }
}

/// What an answer says of the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// What the right URL of a working endpoint answers.
    Expected,
    /// Not what an OAuth endpoint usually answers; some servers do all the same
    /// (GitHub's token endpoint answers errors with 200).
    Unusual(&'static str),
    /// The URL is wrong (404, 410, 405), or the server is failing (5xx).
    Wrong(&'static str),
}

/// Why an endpoint gave no HTTP answer.
#[derive(Debug)]
pub struct NoAnswer {
    /// The innermost cause (refused, DNS, TLS), or "timed out"; without the URL.
    pub reason: String,
    pub kind: Silence,
}

/// How an endpoint failed to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Silence {
    /// Nothing is there: the name does not resolve, or the connection is refused.
    Unreachable,
    /// No answer in time (connecting or waiting for it).
    TimedOut,
    /// The TLS handshake failed: a server is there, one this client does not trust
    /// (or one that wants a client certificate).
    Tls,
    /// Connected, then the connection failed before an answer: something listens.
    Broken,
    /// An https URL, and the server there speaks plain HTTP (the reason says "did
    /// you mean http://").
    PlainHttp,
}

impl NoAnswer {
    /// Whether no server is there to answer, as far as this machine can tell.
    pub fn nobody(&self) -> bool {
        matches!(self.kind, Silence::Unreachable | Silence::TimedOut)
    }
}

/// Sends `endpoint` at `url` the request a working endpoint answers with an error: a
/// GET for the authorization endpoint, an empty form POST for the others. Nothing
/// secret is sent. `timeout` bounds the whole exchange (else the client's own).
pub fn probe(
    http: &Client,
    endpoint: Endpoint,
    url: &Url,
    timeout: Option<Duration>,
) -> Result<Response, NoAnswer> {
    let mut request = match endpoint {
        Endpoint::Authorization => http.get(url.as_str()),
        _ => http
            .post(url.as_str())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(""),
    };
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    request.send().map_err(|e| {
        if e.is_timeout() {
            return NoAnswer {
                reason: "timed out".into(),
                kind: Silence::TimedOut,
            };
        }
        let reason = crate::text::printable(&crate::http::innermost(&e).to_string());
        if let Some(hint) = crate::http::plain_http_hint(url, &reason) {
            return NoAnswer {
                reason: format!("{reason}; {hint}"),
                kind: Silence::PlainHttp,
            };
        }
        let lower = reason.to_lowercase();
        let kind = if ["certificate", "issuer", "tls", "handshake"]
            .iter()
            .any(|w| lower.contains(w))
        {
            Silence::Tls
        } else if e.is_connect() {
            Silence::Unreachable
        } else {
            Silence::Broken
        };
        NoAnswer { reason, kind }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_judged_per_endpoint() {
        assert_eq!(Endpoint::Token.judge(400), Verdict::Expected);
        assert!(matches!(Endpoint::Token.judge(404), Verdict::Wrong(_)));
        assert!(matches!(Endpoint::Token.judge(200), Verdict::Unusual(_)));
        assert!(matches!(Endpoint::Device.judge(503), Verdict::Wrong(_)));
        assert_eq!(Endpoint::Authorization.judge(302), Verdict::Expected);
        assert_eq!(Endpoint::Revocation.judge(200), Verdict::Expected);
        assert!(matches!(Endpoint::Revocation.judge(405), Verdict::Wrong(_)));
    }
}
