//! Who a token's user is, asked of the server: the OpenID Connect userinfo endpoint
//! (Core §5.3), or an API that answers the same question its own way (GitHub's
//! `/user` names the user `id` and `login`).

use reqwest::blocking::Client;
use url::Url;

use super::OAuthError;
use super::id_token::Identity;
use crate::dpop::{Dpop, Server};
use crate::secret::{Redactor, Secret};

const ENDPOINT: &str = "userinfo";

/// Asks `url` who the user of `token` is. A DPoP-bound token goes with a proof from
/// `dpop` (once more with the nonce the server asks for). `issuer`: who vouches for
/// the answer (the app's issuer, else the endpoint's origin).
pub fn fetch(
    http: &Client,
    url: &Url,
    token: &Secret,
    dpop: Option<&Dpop>,
    issuer: &str,
) -> Result<Identity, OAuthError> {
    super::credential_url("userinfo", url, None)?;
    let mut redactor = Redactor::default();
    redactor.add(token);
    let mut retried = false;
    let answer = loop {
        let mut request = http
            .get(url.as_str())
            .header(reqwest::header::ACCEPT, "application/json");
        request = match dpop {
            Some(dpop) => {
                let proof = dpop
                    .proof(Server::Resource, "GET", url, Some(token))
                    .map_err(OAuthError::Local)?;
                request.header("DPoP", proof.expose()).header(
                    reqwest::header::AUTHORIZATION,
                    format!("DPoP {}", token.expose()),
                )
            }
            None => request.bearer_auth(token.expose()),
        };
        let request = request
            .build()
            .map_err(|e| OAuthError::unreachable(ENDPOINT, url.as_str(), &e))?;
        crate::trace::request(ENDPOINT, &request, &redactor);
        let response = http
            .execute(request)
            .map_err(|e| OAuthError::unreachable(ENDPOINT, url.as_str(), &e))?;
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let answer = super::read_answer(ENDPOINT, url, response)?;
        crate::trace::response(
            ENDPOINT,
            answer.status,
            &answer.content_type,
            &answer.body,
            &redactor,
        );
        if let (Some(dpop), Some(nonce)) = (dpop, &answer.dpop_nonce) {
            dpop.remember(Server::Resource, url, nonce);
            if answer.status == 401
                && !retried
                && crate::dpop::asks_for_nonce(challenge.as_deref(), &answer.body)
            {
                retried = true;
                continue;
            }
        }
        break answer;
    };
    if answer.status != 200 {
        return Err(OAuthError::Http {
            endpoint: ENDPOINT,
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        }
        .scrub(&redactor));
    }
    let claims: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| OAuthError::Malformed {
            endpoint: ENDPOINT,
            reason: format!("{url} did not answer with JSON ({e})"),
        })?;
    identity(&claims, issuer).ok_or_else(|| OAuthError::Malformed {
        endpoint: ENDPOINT,
        reason: format!("{url} names no user (neither `sub` nor `id`)"),
    })
}

/// The identity in a userinfo answer: `sub` (or `id`), `name` (or `login`,
/// `preferred_username`), `email`.
fn identity(claims: &serde_json::Value, issuer: &str) -> Option<Identity> {
    let text = |key: &str| match &claims[key] {
        serde_json::Value::String(s) if !s.is_empty() => Some(crate::text::printable(s)),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let subject = text("sub").or_else(|| text("id"))?;
    Some(Identity {
        issuer: issuer.to_owned(),
        subject,
        name: text("name")
            .or_else(|| text("login"))
            .or_else(|| text("preferred_username")),
        email: text("email"),
        checked: Some(super::id_token::Checked::Userinfo),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_from_openid_and_from_github() {
        let oidc = serde_json::json!({"sub": "alice", "name": "Alice", "email": "a@x.test"});
        let who = identity(&oidc, "https://idp.test").unwrap();
        assert_eq!(
            (
                who.subject.as_str(),
                who.name.as_deref(),
                who.email.as_deref()
            ),
            ("alice", Some("Alice"), Some("a@x.test"))
        );
        let github = serde_json::json!({"id": 583231, "login": "octocat", "name": null});
        let who = identity(&github, "https://api.github.com").unwrap();
        assert_eq!(
            (who.subject.as_str(), who.name.as_deref(), who.email),
            ("583231", Some("octocat"), None)
        );
        assert!(identity(&serde_json::json!({"name": "nobody"}), "x").is_none());
        assert!(identity(&serde_json::json!([1, 2]), "x").is_none());
    }
}
