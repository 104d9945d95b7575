//! The OAuth 2.0 protocol, with no terminal and no storage: authorization URLs,
//! PKCE and state, token requests with every client-authentication method, lenient
//! parsing of real servers' responses, discovery, the device grant, revocation,
//! ID tokens and userinfo.

pub mod device;
pub mod discovery;
pub mod flow;
pub mod grant;
pub mod id_token;
pub mod probe;
pub mod resource;
pub mod response;
pub mod userinfo;

use base64::Engine;
use reqwest::blocking::{Client, RequestBuilder};

use crate::app::{App, BodyFormat, ClientAuth};
use crate::secret::{Redactor, Secret};
use crate::text::printable;

pub use grant::Grant;
pub use response::TokenResponse;

/// The most any OAuth endpoint's answer may weigh (token, discovery, device,
/// revocation): real answers are a few KiB; a hostile server must not fill memory.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// What went wrong talking to an OAuth endpoint. Never carries a secret, nor a
/// control character from the server (see [`OAuthError::scrub`]).
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
    /// The URL answered that nothing is there (HTTP 404 or 410): the app's setting
    /// for this endpoint is wrong, not the server.
    #[error(
        "the {endpoint} endpoint {url} answered HTTP {status} ({}): there is no such endpoint at that URL\n  fix: {fix}",
        reason_phrase(*.status)
    )]
    NotFound {
        endpoint: &'static str,
        url: String,
        status: u16,
        fix: String,
    },
    /// A 2xx answer we cannot use.
    /// No well-known location of an issuer answered with metadata.
    #[error(
        "no authorization-server metadata for issuer {issuer}: {tried}\n  --issuer must be the issuer exactly as the provider names it, path included (e.g. https://sso.example.com/realms/NAME); or give --auth-url and --token-url instead"
    )]
    NoMetadata { issuer: String, tried: String },

    #[error("the {endpoint} endpoint's answer is unusable: {reason}")]
    Malformed {
        endpoint: &'static str,
        reason: String,
    },
    /// The request would carry a credential where the endpoint rule forbids it
    /// ([`credential_url`]): plain http, a user name in the URL, a remote proxy in
    /// clear text.
    #[error("{0}")]
    NotAllowed(String),
    /// The request could not be prepared here (a setting's value is missing).
    #[error("{0}")]
    Local(String),
}

/// The one rule for every URL that carries a credential to a server (a client
/// secret or assertion, a code, a refresh or access token, a registration access
/// token) or whose answer is trusted as the server's word (discovery, JWKS): https,
/// plain http only to a loopback host, no user name or password inside the URL, and
/// no clear-text hop through a remote proxy (`proxy`: the one named, else the
/// environment's). Checked right before sending, whatever the URL came from.
pub fn credential_url(
    endpoint: &str,
    url: &url::Url,
    proxy: Option<&url::Url>,
) -> Result<(), OAuthError> {
    crate::app::check_endpoint(url.as_str()).map_err(|why| {
        OAuthError::NotAllowed(format!("refusing to use the {endpoint} endpoint: {why}"))
    })?;
    match crate::http::clear_text_refusal(proxy, url) {
        Some(why) => Err(OAuthError::NotAllowed(why)),
        None => Ok(()),
    }
}

fn describe(d: &Option<String>) -> String {
    d.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}
fn see_uri(u: &Option<String>) -> String {
    u.as_ref().map(|u| format!("; see {u}")).unwrap_or_default()
}
fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no reason given")
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

    /// The error with every form of every secret we sent redacted and every control
    /// character escaped: what a server says is quoted, never trusted.
    pub fn scrub(self, redactor: &Redactor) -> OAuthError {
        let clean = |s: String| printable(&redactor.apply(&s));
        match self {
            OAuthError::Refused {
                endpoint,
                error,
                description,
                uri,
            } => OAuthError::Refused {
                endpoint,
                error: clean(error),
                description: description.map(clean),
                uri: uri.map(clean),
            },
            OAuthError::Unreachable {
                endpoint,
                url,
                reason,
            } => OAuthError::Unreachable {
                endpoint,
                url: clean(url),
                reason: clean(reason),
            },
            OAuthError::Http {
                endpoint,
                status,
                body,
            } => OAuthError::Http {
                endpoint,
                status,
                body: clean(body),
            },
            OAuthError::NotFound {
                endpoint,
                url,
                status,
                fix,
            } => OAuthError::NotFound {
                endpoint,
                url: clean(url),
                status,
                fix: clean(fix),
            },
            OAuthError::Malformed { endpoint, reason } => OAuthError::Malformed {
                endpoint,
                reason: clean(reason),
            },
            OAuthError::NoMetadata { issuer, tried } => OAuthError::NoMetadata {
                issuer: clean(issuer),
                tried: clean(tried),
            },
            OAuthError::NotAllowed(m) => OAuthError::NotAllowed(clean(m)),
            OAuthError::Local(m) => OAuthError::Local(clean(m)),
        }
    }

    /// A 404 or 410 answer of `url` as what it means: the URL is wrong, and `flag`
    /// of `app edit` corrects it. Any other error as it is.
    pub(crate) fn wrong_url(self, url: &url::Url, app: &str, flag: &str) -> Self {
        match self {
            OAuthError::Http {
                endpoint,
                status: status @ (404 | 410),
                ..
            } => OAuthError::NotFound {
                endpoint,
                url: url.to_string(),
                status,
                fix: format!(
                    "outbound app edit {app} {flag} URL, with the URL the provider documents (`outbound doctor {app}` checks it)"
                ),
            },
            other => other,
        }
    }

    pub(crate) fn unreachable(endpoint: &'static str, url: &str, e: &reqwest::Error) -> Self {
        let reason = if e.is_timeout() {
            "timed out".to_owned()
        } else {
            // The innermost cause says what happened (refused, DNS, TLS) without the URL.
            let reason = crate::http::innermost(e).to_string();
            match url::Url::parse(url)
                .ok()
                .and_then(|u| crate::http::plain_http_hint(&u, &reason))
            {
                Some(hint) => format!("{reason}; {hint}"),
                None => reason,
            }
        };
        OAuthError::Unreachable {
            endpoint,
            url: url.to_owned(),
            reason,
        }
    }
}

/// The client credentials for requests to the app's server: the id, the secret
/// unless public, and the key that signs client assertions (`private_key_jwt`,
/// `client_secret_jwt`). Built by `tokens::secrets::client_credentials`.
pub struct ClientCredentials<'a> {
    pub app: &'a App,
    pub secret: Option<Secret>,
    pub signing_key: Option<crate::jose::SigningKey>,
    /// The account's DPoP key, for an app with `dpop`: a proof goes with every request.
    pub dpop: Option<crate::dpop::Dpop>,
    /// The key that signs the jwt_bearer grant's assertions.
    pub grant_key: Option<crate::jose::SigningKey>,
    /// token_exchange: the subject token and the actor token, read just now.
    pub exchange: Option<(Secret, Option<Secret>)>,
    /// The TLS client certificate (RFC 8705), for the HTTP client that sends these.
    pub identity: Option<reqwest::Identity>,
    /// What the server was found to take, for client authentication the app leaves
    /// open (see [`Learned`]), and where the caller keeps what is found next.
    pub learned: std::cell::Cell<Learned>,
    pub keep_learned: Option<Box<dyn Fn(Learned, Learned) + 'a>>,
}

/// How the client secret travels, for an app that leaves client authentication
/// open (`client_secret_basic` by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretStyle {
    /// HTTP Basic, the id and secret form-encoded first as RFC 6749 2.3.1 asks.
    EncodedBasic,
    /// HTTP Basic with them as they are, for servers that do not form-decode it
    /// (LemonLDAP::NG).
    RawBasic,
    /// `client_id` and `client_secret` in the request body (`client_secret_post`).
    Body,
}

impl SecretStyle {
    pub fn describe(self) -> &'static str {
        match self {
            SecretStyle::EncodedBasic => "HTTP Basic, form-encoded (RFC 6749 2.3.1)",
            SecretStyle::RawBasic => "HTTP Basic, not form-encoded",
            SecretStyle::Body => "the request body (client_secret_post)",
        }
    }
}

/// Whom a client assertion names as its audience, for an app that leaves it open
/// (RFC 7523 allows either; some servers take only one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AudienceStyle {
    Issuer,
    TokenEndpoint,
}

impl AudienceStyle {
    pub fn describe(self) -> &'static str {
        match self {
            AudienceStyle::Issuer => "the issuer",
            AudienceStyle::TokenEndpoint => "the endpoint's URL",
        }
    }
}

/// What a server was found to take, for client authentication an app leaves open:
/// on `invalid_client`, a request is sent again once in each other way (the secret
/// in encoded Basic, raw Basic, the body; an assertion for the issuer, the
/// endpoint), and the way that was taken is kept by the caller, per app. None: the
/// default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Learned {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretStyle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<AudienceStyle>,
}

/// One way of authenticating a request: as the app says, or one of the ways tried
/// for what it leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    AsSet,
    Secret(SecretStyle),
    Audience(AudienceStyle),
}

impl Attempt {
    fn describe(self) -> String {
        match self {
            Attempt::AsSet => "the app's client authentication".into(),
            Attempt::Secret(s) => format!("the client secret in {}", s.describe()),
            Attempt::Audience(a) => format!("a client assertion for {}", a.describe()),
        }
    }
}

impl<'a> ClientCredentials<'a> {
    /// The token request of an app that needs no person: client credentials, a
    /// freshly signed jwt_bearer assertion, or a token exchange.
    pub fn unattended_grant<'g>(&'g self, scopes: &'g [String]) -> Grant<'g> {
        match (self.app.grant, &self.exchange) {
            (crate::app::Grant::JwtBearer, _) => Grant::JwtBearer { scopes },
            (crate::app::Grant::TokenExchange, Some((subject, actor))) => Grant::TokenExchange {
                subject_token: subject,
                actor_token: actor.as_ref(),
                scopes,
            },
            _ => Grant::ClientCredentials { scopes },
        }
    }
}

/// RFC 7523 §2.2's `client_assertion_type`.
const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl ClientCredentials<'_> {
    /// The ways to authenticate a request to `endpoint`, in the order to try them:
    /// one, as the app says, unless it leaves the secret's way or the assertion's
    /// audience open; then what was found to work before comes first.
    fn attempts(&self, endpoint: &url::Url) -> Vec<Attempt> {
        let app = self.app;
        let learned = self.learned.get();
        match (app.client_auth, &self.secret, &self.signing_key) {
            (ClientAuth::Basic, Some(secret), _) if !app.client_auth_set => {
                use SecretStyle::*;
                // Raw Basic is encoded Basic when encoding changes nothing; and a
                // server that takes no Basic at all is found by discovery (`app
                // add --issuer`), so the body is tried only beside raw Basic.
                let plain = form_encode(&app.client_id) == app.client_id
                    && form_encode(secret.expose()) == secret.expose();
                let learned = learned.secret.map(|s| {
                    if plain && s == RawBasic {
                        EncodedBasic
                    } else {
                        s
                    }
                });
                let all: &[SecretStyle] = if plain {
                    &[EncodedBasic]
                } else {
                    &[EncodedBasic, RawBasic, Body]
                };
                learned
                    .into_iter()
                    .chain(all.iter().copied().filter(|s| Some(*s) != learned))
                    .map(Attempt::Secret)
                    .collect()
            }
            (ClientAuth::PrivateKeyJwt | ClientAuth::ClientSecretJwt, _, Some(_))
                if !app.assertion_audience_set
                    && app.issuer.is_some()
                    && audience(app, endpoint, AudienceStyle::Issuer)
                        != audience(app, endpoint, AudienceStyle::TokenEndpoint) =>
            {
                let first = learned.audience.unwrap_or(AudienceStyle::Issuer);
                let other = match first {
                    AudienceStyle::Issuer => AudienceStyle::TokenEndpoint,
                    AudienceStyle::TokenEndpoint => AudienceStyle::Issuer,
                };
                vec![Attempt::Audience(first), Attempt::Audience(other)]
            }
            _ => vec![Attempt::AsSet],
        }
    }

    /// Keeps `attempt` as what the server takes, when it is not what was kept.
    fn learn(&self, attempt: Attempt) {
        let before = self.learned.get();
        let mut after = before;
        match attempt {
            Attempt::AsSet => return,
            Attempt::Secret(s) => {
                after.secret = Some(s).filter(|s| *s != SecretStyle::EncodedBasic)
            }
            Attempt::Audience(a) => {
                after.audience = Some(a).filter(|a| *a != AudienceStyle::Issuer)
            }
        }
        if after != before {
            self.learned.set(after);
            if let Some(keep) = &self.keep_learned {
                keep(before, after);
            }
        }
    }

    /// Applies the client authentication to a request to `endpoint`, the way
    /// `attempt` says: HTTP Basic (RFC 6749 2.3.1, with the form-encoding it asks
    /// for, or without), the id (and secret) in the body, or a fresh signed client
    /// assertion (RFC 7523), which `redactor` learns. A `client_id` already in the
    /// form (a pushed authorization request's) is kept only beside Basic.
    fn apply(
        &self,
        request: RequestBuilder,
        form: &mut Vec<(String, String)>,
        endpoint: &url::Url,
        redactor: &mut Redactor,
        attempt: Attempt,
    ) -> Result<RequestBuilder, OAuthError> {
        let id = &self.app.client_id;
        // `client_id`, or the provider's own name for it (TikTok's `client_key`).
        let id_param = self.app.client_id_param.as_str();
        let basic = |request: RequestBuilder, user: String, pass: String| {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            request.header(reqwest::header::AUTHORIZATION, format!("Basic {token}"))
        };
        let style = match attempt {
            Attempt::Secret(style) => Some(style),
            Attempt::AsSet if self.app.client_auth == ClientAuth::Basic => {
                Some(SecretStyle::EncodedBasic)
            }
            Attempt::AsSet if self.app.client_auth == ClientAuth::Post => Some(SecretStyle::Body),
            _ => None,
        };
        match (style, &self.secret, &self.signing_key) {
            (Some(SecretStyle::EncodedBasic), Some(secret), _) => Ok(basic(
                request,
                form_encode(id),
                form_encode(secret.expose()),
            )),
            (Some(SecretStyle::RawBasic), Some(secret), _) => {
                Ok(basic(request, id.clone(), secret.expose().to_owned()))
            }
            (Some(SecretStyle::Body), Some(secret), _) => {
                form.retain(|(k, _)| k != "client_id" && k != id_param);
                form.push((id_param.to_owned(), id.clone()));
                form.push(("client_secret".into(), secret.expose().to_owned()));
                Ok(request)
            }
            (_, _, Some(key))
                if matches!(
                    self.app.client_auth,
                    ClientAuth::PrivateKeyJwt | ClientAuth::ClientSecretJwt
                ) =>
            {
                let audience = match attempt {
                    Attempt::Audience(style) => audience(self.app, endpoint, style),
                    _ => self.app.assertion_audience.for_endpoint(self.app, endpoint),
                };
                let assertion = crate::jose::client_assertion(key, id, &audience).map_err(|e| {
                    OAuthError::Local(format!("the client assertion of `{}`: {e}", self.app.name))
                })?;
                redactor.add(&assertion);
                form.retain(|(k, _)| k != "client_id" && k != id_param);
                form.push((id_param.to_owned(), id.clone()));
                form.push(("client_assertion_type".into(), JWT_BEARER_ASSERTION.into()));
                form.push(("client_assertion".into(), assertion.expose().to_owned()));
                Ok(request)
            }
            _ => {
                form.retain(|(k, _)| k != "client_id" && k != id_param);
                form.push((id_param.to_owned(), id.clone()));
                Ok(request)
            }
        }
    }

    /// A redactor for everything one request sends: the client secret in each form
    /// it may travel, and the request's own secrets (code, verifier, refresh token).
    fn redactor(&self, secrets: &[&Secret]) -> Redactor {
        let mut r = Redactor::default();
        if let Some(secret) = &self.secret {
            r.add(secret);
            r.add_basic(&self.app.client_id, secret);
        }
        for s in secrets {
            r.add(s);
        }
        r
    }
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `aud` of an assertion to `endpoint` in the `style` tried.
fn audience(app: &App, endpoint: &url::Url, style: AudienceStyle) -> String {
    match style {
        AudienceStyle::Issuer => crate::app::AssertionAudience::Issuer,
        AudienceStyle::TokenEndpoint => crate::app::AssertionAudience::TokenEndpoint,
    }
    .for_endpoint(app, endpoint)
}

/// Whether an answer refuses the client itself: `invalid_client` (RFC 6749 5.2), or
/// a bare 401.
fn refuses_client(answer: &Answer) -> bool {
    match response::error_from(&answer.content_type, &answer.body, "token") {
        Some(OAuthError::Refused { error, .. }) => error == "invalid_client",
        _ => answer.status == 401,
    }
}

/// One answer of an OAuth endpoint: status, content type, body (at most
/// [`MAX_RESPONSE_BYTES`]).
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// A `DPoP-Nonce` the server sent (RFC 9449 §8).
    pub dpop_nonce: Option<String>,
}

/// Reads a response's body, refusing one larger than [`MAX_RESPONSE_BYTES`] (by its
/// Content-Length at once, else as soon as that many bytes have come).
pub(crate) fn read_answer(
    endpoint: &'static str,
    url: &url::Url,
    response: reqwest::blocking::Response,
) -> Result<Answer, OAuthError> {
    use std::io::Read;
    let too_large = || OAuthError::Malformed {
        endpoint,
        reason: format!(
            "it is larger than {} KiB, far more than any OAuth answer; refused",
            MAX_RESPONSE_BYTES / 1024
        ),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(too_large());
    }
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let dpop_nonce = response
        .headers()
        .get("dpop-nonce")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The client's timeout bounds each read, not the body: a server that drips a
    // byte a second would never be cut off. The whole body gets the same time again.
    let limit = crate::http::oauth_timeout();
    let deadline = std::time::Instant::now() + limit;
    let mut body = Vec::new();
    let mut reader = response.take(MAX_RESPONSE_BYTES as u64 + 1);
    let mut chunk = [0u8; 8192];
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| OAuthError::Unreachable {
                endpoint,
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
        if std::time::Instant::now() > deadline {
            return Err(OAuthError::Unreachable {
                endpoint,
                url: url.to_string(),
                reason: format!(
                    "timed out: its answer was still arriving after {} s (OUTBOUND_OAUTH_TIMEOUT)",
                    limit.as_secs()
                ),
            });
        }
    }
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(too_large());
    }
    Ok(Answer {
        status,
        content_type,
        body,
        dpop_nonce,
    })
}

/// POSTs a form to one of the app's endpoints with client authentication, the app's
/// extra headers, and `Accept: application/json`.
pub(crate) fn post_form(
    http: &Client,
    endpoint: &'static str,
    url: &url::Url,
    creds: &ClientCredentials,
    form: Vec<(String, String)>,
    redactor: &mut Redactor,
) -> Result<Answer, OAuthError> {
    post(http, endpoint, url, creds, form, BodyFormat::Form, redactor)
}

/// The same, with the body as a form or as a JSON object of strings (non-standard
/// servers, the seeds' legacy token webhooks). Refuses, before sending anything, a
/// plain-http request that would cross a remote proxy: it carries credentials.
/// Header and parameter values kept as `env:`/`command:` references are resolved
/// here and added to `redactor`.
fn post(
    http: &Client,
    endpoint: &'static str,
    url: &url::Url,
    creds: &ClientCredentials,
    mut form: Vec<(String, String)>,
    format: BodyFormat,
    redactor: &mut Redactor,
) -> Result<Answer, OAuthError> {
    let app = creds.app;
    credential_url(endpoint, url, app.proxy.as_ref())?;
    let mut headers = Vec::with_capacity(app.token_headers.len());
    for (k, v) in &app.token_headers {
        headers.push((k, setting_value(app, "token_headers", k, v, redactor)?));
    }
    if endpoint == "token" {
        for (k, v) in &app.token_params {
            form.push((
                k.clone(),
                setting_value(app, "token_params", k, v, redactor)?,
            ));
        }
    }
    // Client authentication the app leaves open is tried each way the server may
    // take it, on `invalid_client`, and the way it took is kept.
    let mut attempts = creds.attempts(url).into_iter();
    let mut attempt = attempts.next().unwrap_or(Attempt::AsSet);
    loop {
        let answer = post_once(
            http, endpoint, url, creds, &form, &headers, format, redactor, attempt,
        )?;
        let refused = refuses_client(&answer);
        match attempts.next() {
            Some(next) if refused => {
                crate::trace::note(&format!(
                    "the {endpoint} endpoint refused {} (invalid_client); trying {}",
                    attempt.describe(),
                    next.describe()
                ));
                attempt = next;
            }
            _ => {
                if !refused {
                    creds.learn(attempt);
                }
                return Ok(answer);
            }
        }
    }
}

/// One request of [`post`], authenticated as `attempt` says.
#[allow(clippy::too_many_arguments)]
fn post_once(
    http: &Client,
    endpoint: &'static str,
    url: &url::Url,
    creds: &ClientCredentials,
    form: &[(String, String)],
    headers: &[(&String, String)],
    format: BodyFormat,
    redactor: &mut Redactor,
    attempt: Attempt,
) -> Result<Answer, OAuthError> {
    let app = creds.app;
    // A DPoP server may refuse the first proof and name a nonce: once, with it.
    let mut nonce_retry = creds.dpop.is_some();
    loop {
        let mut form = form.to_vec();
        let mut request = http
            .post(url.as_str())
            .header(reqwest::header::ACCEPT, "application/json");
        for (k, v) in headers {
            request = request.header(k.as_str(), v.as_str());
        }
        request = creds.apply(request, &mut form, url, redactor, attempt)?;
        if let Some(dpop) = &creds.dpop {
            let proof = dpop
                .proof(crate::dpop::Server::Authorization, "POST", url, None)
                .map_err(|e| OAuthError::Local(format!("the DPoP proof of `{}`: {e}", app.name)))?;
            redactor.add(&proof);
            request = request.header("DPoP", proof.expose());
        }
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
        let request = request
            .build()
            .map_err(|e| OAuthError::Local(format!("cannot build the {endpoint} request: {e}")))?;
        crate::trace::request(endpoint, &request, redactor);
        let response = http
            .execute(request)
            .map_err(|e| OAuthError::unreachable(endpoint, url.as_str(), &e))?;
        let answer = read_answer(endpoint, url, response)?;
        crate::trace::response(
            endpoint,
            answer.status,
            &answer.content_type,
            &answer.body,
            redactor,
        );
        if let (Some(dpop), Some(nonce)) = (&creds.dpop, &answer.dpop_nonce) {
            dpop.remember(crate::dpop::Server::Authorization, url, nonce);
            if nonce_retry
                && answer.status >= 400
                && crate::dpop::asks_for_nonce(None, &answer.body)
            {
                nonce_retry = false;
                continue;
            }
        }
        return Ok(answer);
    }
}

/// A token header's or parameter's value: literal, or resolved from its reference.
fn setting_value(
    app: &App,
    field: &str,
    key: &str,
    value: &str,
    redactor: &mut Redactor,
) -> Result<String, OAuthError> {
    match crate::secret::resolve_reference(value) {
        None => Ok(value.to_owned()),
        Some(Ok(secret)) => {
            redactor.add(&secret);
            Ok(secret.expose().to_owned())
        }
        Some(Err(why)) => Err(OAuthError::Local(format!(
            "apps.{}.{field}.{key}: {why}",
            app.name
        ))),
    }
}

/// Sends one token request and parses the answer leniently: the app's handshake
/// decides where it goes and how (the standard form POST to the token endpoint, or a
/// non-standard one: a JSON body, a separate refresh URL, a mapped response), client
/// authentication and the app's extra headers and parameters are applied in `post`,
/// and every secret the request carried is redacted from any error.
pub fn request_token(
    http: &Client,
    creds: &ClientCredentials,
    grant: &Grant,
) -> Result<TokenResponse, OAuthError> {
    let app = creds.app;
    let handshake = &app.token_request;
    let (url, flag) = match (grant, &handshake.refresh_url) {
        (Grant::RefreshToken { .. }, Some(url)) => (url, "--refresh-url"),
        _ => (&app.token_url, "--token-url"),
    };
    let mut redactor = creds.redactor(&grant.secrets());
    let mut form = grant.params(&app.scope_delimiter);
    if let Grant::TokenExchange { actor_token, .. } = grant {
        form.push(("subject_token_type".into(), app.subject_token_type.clone()));
        if actor_token.is_some() {
            form.push(("actor_token_type".into(), app.actor_token_type.clone()));
        }
        if let Some(audience) = &app.audience {
            form.push(("audience".into(), audience.clone()));
        }
        if let Some(requested) = &app.requested_token_type {
            form.push(("requested_token_type".into(), requested.clone()));
        }
    }
    if let Grant::JwtBearer { scopes } = grant {
        let assertion = bearer_assertion(creds, scopes, url)?;
        redactor.add(&assertion);
        if app.scope_in_assertion {
            form.retain(|(k, _)| k != "scope");
        }
        form.push(("assertion".into(), assertion.expose().to_owned()));
    }
    // RFC 8707: a token request names one resource, the app's first unless asked.
    if let Some(resource) = grant
        .resource()
        .or(app.resources.first().map(String::as_str))
    {
        form.push(("resource".into(), resource.to_owned()));
    }
    let result = post(
        http,
        "token",
        url,
        creds,
        form,
        handshake.body,
        &mut redactor,
    )
    .and_then(|answer| {
        response::parse_token_response(
            answer.status,
            &answer.content_type,
            &answer.body,
            &app.scope_delimiter,
            &handshake.response,
        )
    });
    result.map_err(|e| e.wrong_url(url, &app.name, flag).scrub(&redactor))
}

/// The assertion of the jwt_bearer grant (RFC 7523 §2.1; Google's service-account
/// flow): `iss` (the app's assertion issuer, else its client id), `sub` (the subject,
/// when given; else the issuer, unless the scopes travel in the assertion, as Google
/// wants), `aud`, `iat`, `exp` five minutes on, a random `jti`, and `scope` when the app
/// puts the scopes there. Signed with the app's private key, fresh for each request.
fn bearer_assertion(
    creds: &ClientCredentials,
    scopes: &[String],
    endpoint: &url::Url,
) -> Result<Secret, OAuthError> {
    let app = creds.app;
    let Some(key) = &creds.grant_key else {
        return Err(OAuthError::Local(format!(
            "`{}` has no private key to sign its jwt_bearer assertion with",
            app.name
        )));
    };
    let issuer = app.assertion_issuer.as_deref().unwrap_or(&app.client_id);
    let now = crate::clock::now();
    let jti = crate::jose::random_id().map_err(OAuthError::Local)?;
    let mut claims = serde_json::json!({
        "iss": issuer,
        "aud": app.assertion_audience.for_endpoint(app, endpoint),
        "iat": now,
        "exp": now + 300,
        "jti": jti,
    });
    match &app.assertion_subject {
        Some(subject) => claims["sub"] = subject.as_str().into(),
        None if !app.scope_in_assertion => claims["sub"] = issuer.into(),
        None => {}
    }
    if app.scope_in_assertion && !scopes.is_empty() {
        claims["scope"] = scopes.join(" ").into();
    }
    key.sign(Some("JWT"), &claims, false)
        .map(Secret::new)
        .map_err(|e| OAuthError::Local(format!("the jwt_bearer assertion of `{}`: {e}", app.name)))
}

/// Pushes an authorization request's parameters (RFC 9126), with the client's
/// authentication, and returns the `request_uri` the browser is sent with.
pub fn push_authorization_request(
    http: &Client,
    creds: &ClientCredentials,
    url: &url::Url,
    params: Vec<(String, String)>,
) -> Result<String, OAuthError> {
    const ENDPOINT: &str = "pushed authorization request";
    // `client_id` goes in the body once: every client authentication but HTTP Basic
    // puts it there in place of the authorization request's.
    let form = params;
    let mut redactor = creds.redactor(&[]);
    let answer = post_form(http, ENDPOINT, url, creds, form, &mut redactor)
        .map_err(|e| e.scrub(&redactor))?;
    if let Some(error) = response::error_from(&answer.content_type, &answer.body, ENDPOINT) {
        return Err(error.scrub(&redactor));
    }
    if !(200..300).contains(&answer.status) {
        return Err(OAuthError::Http {
            endpoint: ENDPOINT,
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        }
        .scrub(&redactor));
    }
    serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["request_uri"].as_str().map(str::to_owned))
        .filter(|u| !u.is_empty() && u.len() <= 2048 && !u.chars().any(char::is_control))
        .ok_or_else(|| OAuthError::Malformed {
            endpoint: ENDPOINT,
            reason: "it has no request_uri".into(),
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
    let mut redactor = creds.redactor(&[token]);
    let answer = post_form(http, "revocation", url, creds, form, &mut redactor)
        .map_err(|e| e.scrub(&redactor))?;
    if (200..300).contains(&answer.status) {
        return Ok(());
    }
    let error = response::error_from(&answer.content_type, &answer.body, "revocation")
        .unwrap_or_else(|| OAuthError::Http {
            endpoint: "revocation",
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        });
    Err(error.scrub(&redactor))
}
