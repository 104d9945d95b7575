//! Raw TOML -> validated [`App`].
//!
//! [`RawConfig`]/[`RawApp`] mirror the file exactly (serde, unknown fields refused);
//! [`validate`] turns each into an [`App`] or a [`FieldError`] that names the field and
//! where it is. The rest of the program only ever sees validated apps.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use url::Url;

use crate::choice::choice;

mod checks;
mod patch;

pub use checks::{
    check_endpoint, check_host_pattern, check_name, check_proxy, check_redirect_uri,
    is_loopback_host, parse_duration,
};
use checks::{is_env_name, is_header_name};
pub use patch::Patch;

/// The whole configuration file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub store: Option<Backend>,
    /// Keep an audit log of token use (opt-in).
    pub audit: Option<bool>,
    /// The team store's database (`store = "postgres"`), without a password.
    pub database_url: Option<String>,
    /// A command that prints the team store's data key.
    pub store_key_command: Option<String>,
    /// In file order. Boxed: a table of 10,000 grows by copying pointers, not
    /// 2 KB tables (a fifth of `app list --json`'s page faults; BENCHMARKS.md).
    #[serde(default)]
    pub apps: indexmap::IndexMap<String, Box<RawApp>>,
}

/// One `[apps.NAME]` table, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApp {
    pub id: Option<Spanned<String>>,
    pub description: Option<String>,
    pub approval_prompt: Option<String>,
    pub enabled: Option<bool>,
    pub generation: Option<Spanned<u64>>,
    pub grant: Option<Grant>,
    pub client_id: Option<Spanned<String>>,
    pub client_id_param: Option<Spanned<String>>,
    pub client_secret: Option<Spanned<String>>,
    pub client_auth: Option<ClientAuth>,
    pub private_key: Option<Spanned<String>>,
    pub client_cert: Option<Spanned<String>>,
    pub client_key: Option<Spanned<String>>,
    pub key_id: Option<String>,
    pub signing_alg: Option<SigningAlg>,
    pub assertion_audience: Option<Spanned<String>>,
    pub assertion_issuer: Option<String>,
    pub assertion_subject: Option<String>,
    pub scope_in_assertion: Option<bool>,
    pub subject_token: Option<Spanned<String>>,
    pub subject_token_type: Option<String>,
    pub actor_token: Option<Spanned<String>>,
    pub actor_token_type: Option<String>,
    pub audience: Option<String>,
    pub requested_token_type: Option<String>,
    pub auth_url: Option<Spanned<String>>,
    pub token_url: Option<Spanned<String>>,
    pub revocation_url: Option<Spanned<String>>,
    pub device_url: Option<Spanned<String>>,
    pub par_url: Option<Spanned<String>>,
    pub userinfo_url: Option<Spanned<String>>,
    pub par: Option<Par>,
    pub scopes: Option<Spanned<Vec<String>>>,
    pub scope_delimiter: Option<Spanned<String>>,
    pub pkce: Option<bool>,
    pub dpop: Option<bool>,
    pub expires_in: Option<Spanned<DurationValue>>,
    pub refresh_skew: Option<Spanned<DurationValue>>,
    pub redirect_uri: Option<Spanned<String>>,
    pub redirect_ports: Option<Spanned<Vec<u16>>>,
    pub default_account: Option<Spanned<String>>,
    pub git_username: Option<String>,
    pub prompt: Option<String>,
    pub auth_params: Option<Spanned<BTreeMap<String, String>>>,
    pub token_headers: Option<Spanned<BTreeMap<String, String>>>,
    pub token_params: Option<Spanned<BTreeMap<String, String>>>,
    pub allowed_hosts: Option<Spanned<Vec<String>>>,
    pub base_url: Option<Spanned<String>>,
    pub resources: Option<Spanned<Vec<String>>>,
    pub proxy: Option<Spanned<String>>,
    pub ca_file: Option<PathBuf>,
    pub token_header_name: Option<Spanned<String>>,
    pub token_format: Option<Spanned<String>>,
    pub issuer: Option<Spanned<String>>,
    pub require_iss: Option<bool>,
    pub require_par: Option<bool>,
    pub token_request: Option<Spanned<RawTokenRequest>>,
    /// The catalog entry the app was made from, and the parameters it was given
    /// (`doctor` compares the endpoints with the catalog's).
    pub preset: Option<String>,
    pub preset_params: Option<BTreeMap<String, String>>,
}

/// `[apps.NAME.token_request]`: a non-standard token handshake (the seeds' legacy
/// token and refresh webhooks).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTokenRequest {
    pub body: Option<BodyFormat>,
    pub refresh_url: Option<String>,
    #[serde(default)]
    pub response: BTreeMap<String, String>,
}

choice! {
    /// How a token request's body is encoded.
    #[derive(Default)]
    pub enum BodyFormat {
        #[default]
        Form = "form": "application/x-www-form-urlencoded (RFC 6749)",
        Json = "json": "application/json",
    }
}

/// How token requests are made, validated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TokenRequest {
    #[serde(rename = "token_body")]
    pub body: BodyFormat,
    /// Where refresh requests go, when not the token URL.
    pub refresh_url: Option<Url>,
    /// Response field -> dotted path in the answer (e.g. `authed_user.access_token`).
    #[serde(rename = "token_fields")]
    pub response: BTreeMap<String, String>,
}

crate::choice::choice! {
    /// The store backends a user can choose (`--store`, `OUTBOUND_STORE`, `store = ...`).
    pub enum Backend {
        Keyring = "keyring":
            "The OS credential store (Secret Service, Keychain, Credential Manager)",
        File = "file": "A 0600 JSON file in the state directory; unencrypted",
        Postgres = "postgres":
            "A PostgreSQL database shared by a team: apps, secrets sealed on this machine, tokens, leases",
    }
}

impl Backend {
    /// The store as a sentence names it: "stored in the OS keyring".
    pub fn noun(self) -> &'static str {
        match self {
            Backend::Keyring => "the OS keyring",
            Backend::File => "the file store",
            Backend::Postgres => "the team store",
        }
    }
}

/// The token-response fields a mapping may fill.
pub const MAPPABLE: &[&str] = &[
    "access_token",
    "refresh_token",
    "expires_in",
    "scope",
    "token_type",
];

/// A duration written as `"90m"`, `"1h 30m"` or a number of seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DurationValue {
    Seconds(u64),
    Text(String),
}

choice! {
    /// The OAuth 2.0 grant an application uses.
    #[derive(Default)]
    pub enum Grant {
        #[default]
        AuthorizationCode = "authorization_code":
            "A person authorizes in the browser (RFC 6749 4.1, with PKCE)",
        ClientCredentials = "client_credentials":
            "The client acts as itself; no user (RFC 6749 4.4)",
        DeviceCode = "device_code": "A person authorizes on another device (RFC 8628)",
        JwtBearer = "jwt_bearer":
            "The client signs an assertion (e.g. a Google service account); no person (RFC 7523 2.1)",
        TokenExchange = "token_exchange":
            "Exchange another token (e.g. a CI job's OIDC token) for one; no person (RFC 8693)",
    }
}

impl Grant {
    /// Whether tokens need a person to authorize (else they are fetched on demand).
    pub fn needs_person(self) -> bool {
        matches!(self, Grant::AuthorizationCode | Grant::DeviceCode)
    }
}

choice! {
    /// How the client authenticates at the token endpoint (RFC 6749 2.3.1).
    #[derive(Default)]
    pub enum ClientAuth {
        #[default]
        Basic = "basic": "HTTP Basic with the client id and secret (`client_secret_basic`)",
        Post = "post": "Client id and secret in the request body (`client_secret_post`)",
        None = "none": "A public client: only `client_id` is sent",
        ClientSecretJwt = "client_secret_jwt":
            "A JWT signed with the client secret (HS256; RFC 7523)",
        PrivateKeyJwt = "private_key_jwt":
            "A JWT signed with the client's private key: no shared secret (RFC 7523)",
        TlsClientAuth = "tls_client_auth":
            "The client's CA-issued TLS certificate (RFC 8705)",
        SelfSignedTlsClientAuth = "self_signed_tls_client_auth":
            "The client's self-signed TLS certificate, registered with the server (RFC 8705)",
    }
}

impl App {
    /// Whether `setting` (a key of the app's table) plays any part for this app's
    /// grant and client authentication: the browser's settings for the
    /// authorization-code grant, assertion settings for signed assertions, and so
    /// on. `app show` leaves out the others; `--json` keeps every key.
    pub fn applies(&self, setting: &str) -> bool {
        let signs = matches!(
            self.client_auth,
            ClientAuth::PrivateKeyJwt | ClientAuth::ClientSecretJwt
        ) || self.grant == Grant::JwtBearer;
        match setting {
            // The browser, its authorization request and the loopback listener.
            "auth_url" | "par_url" | "par" | "pkce" | "redirect_uri" | "redirect_ports"
            | "prompt" | "auth_params" | "require_iss" | "require_par" => {
                self.grant == Grant::AuthorizationCode
            }
            // What a person sees or uses (`authorize --device` for either grant).
            "approval_prompt" | "device_url" => self.grant.needs_person(),
            "key_id" | "signing_alg" | "assertion_audience" => signs,
            "assertion_issuer" | "assertion_subject" | "scope_in_assertion" => {
                self.grant == Grant::JwtBearer
            }
            "subject_token"
            | "subject_token_type"
            | "actor_token"
            | "actor_token_type"
            | "audience"
            | "requested_token_type" => self.grant == Grant::TokenExchange,
            _ => true,
        }
    }

    /// Whether authorization requests are pushed first (RFC 9126).
    pub fn pushes(&self) -> bool {
        self.par_url.is_some()
            && (self.par == Par::Always || (self.par == Par::Auto && self.require_par))
    }

    /// Where `curl` resolves a relative URL when the account sets no base URL: the
    /// app's `base_url`, else the origin of its first resource (an app added with
    /// `--from-url`: `/tools` is the API's own path, not one below its MCP endpoint).
    pub fn relative_base(&self) -> Option<Url> {
        if let Some(base) = &self.base_url {
            return Some(base.clone());
        }
        let resource = Url::parse(self.resources.first()?).ok()?;
        let origin = resource.origin();
        if !origin.is_tuple() {
            return None;
        }
        Url::parse(&origin.ascii_serialization()).ok()
    }

    /// The loopback ports the redirect listener tries, in order: the redirect URI's
    /// fixed port, then `redirect_ports`; without a fixed port, `redirect_ports`
    /// alone. Empty: any free port.
    pub fn redirect_port_order(&self) -> Vec<u16> {
        self.redirect_uri
            .port()
            .filter(|p| *p != 0)
            .into_iter()
            .chain(self.redirect_ports.iter().copied())
            .collect()
    }
}

impl ClientAuth {
    /// Whether the method sends (or signs with) the client secret.
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            ClientAuth::Basic | ClientAuth::Post | ClientAuth::ClientSecretJwt
        )
    }
}

choice! {
    /// When an authorization request is pushed to the server first (RFC 9126).
    #[derive(Default)]
    pub enum Par {
        #[default]
        Auto = "auto": "Push when the server requires it (discovery says so)",
        Always = "always": "Always push (the server needs a PAR endpoint)",
        Never = "never": "Never push",
    }
}

choice! {
    /// A JWS algorithm for what outbound signs (client assertions, DPoP proofs).
    pub enum SigningAlg {
        Rs256 = "RS256": "RSA PKCS#1 v1.5 with SHA-256",
        Rs384 = "RS384": "RSA PKCS#1 v1.5 with SHA-384",
        Rs512 = "RS512": "RSA PKCS#1 v1.5 with SHA-512",
        Ps256 = "PS256": "RSA-PSS with SHA-256",
        Ps384 = "PS384": "RSA-PSS with SHA-384",
        Ps512 = "PS512": "RSA-PSS with SHA-512",
        Es256 = "ES256": "ECDSA on P-256 with SHA-256",
        EdDsa = "EdDSA": "Ed25519",
        Hs256 = "HS256": "HMAC with SHA-256 (client_secret_jwt)",
        Hs384 = "HS384": "HMAC with SHA-384 (client_secret_jwt)",
        Hs512 = "HS512": "HMAC with SHA-512 (client_secret_jwt)",
    }
}

/// Where an application's client secret lives. Never the secret itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretRef {
    /// A public client has none.
    None,
    /// In the user's secret store (keyring or file), under the app's id.
    Store,
    /// Read from this environment variable when needed.
    Env(String),
    /// The standard output of this shell command, run when needed.
    Command(String),
}

impl SecretRef {
    /// The value written to the configuration file.
    pub fn to_config(&self) -> Option<String> {
        match self {
            SecretRef::None => None,
            SecretRef::Store => Some("store".into()),
            SecretRef::Env(var) => Some(format!("env:{var}")),
            SecretRef::Command(cmd) => Some(format!("command:{cmd}")),
        }
    }

    /// Where the secret lives, for `app show`/`list`: never the secret, and never
    /// the command line (it may embed a token of its own).
    pub fn describe(&self, store: Backend) -> Option<String> {
        match self {
            SecretRef::None => None,
            SecretRef::Store => Some(store.as_str().into()),
            SecretRef::Env(var) => Some(format!("env:{var}")),
            SecretRef::Command(_) => Some("command".into()),
        }
    }

    fn parse(value: &str) -> Result<Self, String> {
        if value == "store" {
            return Ok(SecretRef::Store);
        }
        if let Some(var) = value.strip_prefix("env:") {
            return if is_env_name(var) {
                Ok(SecretRef::Env(var.to_owned()))
            } else {
                Err(format!(
                    "`env:{var}` does not name an environment variable (letters, digits, `_`)"
                ))
            };
        }
        if let Some(cmd) = value.strip_prefix("command:") {
            return if cmd.trim().is_empty() {
                Err("`command:` needs a command after the colon".into())
            } else {
                Ok(SecretRef::Command(cmd.to_owned()))
            };
        }
        Err("expected \"store\", \"env:VARIABLE\" or \"command:COMMAND\" (a secret itself never goes in this file)".into())
    }
}

/// Whom a client assertion is for (`aud`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssertionAudience {
    /// The server's issuer, or the token endpoint when no issuer is known.
    #[default]
    Issuer,
    /// The URL of the endpoint the assertion goes to.
    TokenEndpoint,
    Url(Url),
}

impl AssertionAudience {
    /// The `aud` of an assertion sent to `endpoint`.
    pub fn for_endpoint(&self, app: &App, endpoint: &Url) -> String {
        match self {
            AssertionAudience::Issuer => app
                .issuer
                .as_ref()
                .map(|i| i.as_str().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| endpoint.to_string()),
            AssertionAudience::TokenEndpoint => endpoint.to_string(),
            AssertionAudience::Url(url) => url.to_string(),
        }
    }
}

/// Where an application is defined: the configuration file (the user's own) or
/// the team store the file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    #[default]
    Personal,
    Team,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Personal => "personal",
            Place::Team => "team",
        }
    }
}

/// A validated application. Built only by [`validate`].
#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub name: String,
    pub id: String,
    pub description: Option<String>,
    pub approval_prompt: Option<String>,
    pub enabled: bool,
    pub generation: u64,
    pub grant: Grant,
    pub client_id: String,
    /// The name the client id goes by in authorization and token requests:
    /// `client_id` (RFC 6749), or a provider's own (TikTok's `client_key`).
    pub client_id_param: String,
    /// Where the secret lives, never the secret (nor a command line, which may embed
    /// one): `store`, `env:VAR`, `command`.
    #[serde(serialize_with = "secret_source")]
    pub client_secret: SecretRef,
    pub client_auth: ClientAuth,
    /// Whether the configuration names `client_auth`: when it does not (`basic` by
    /// default), outbound finds how the server takes the secret (see
    /// [`crate::oauth::Learned`]).
    #[serde(skip)]
    pub client_auth_set: bool,
    /// Where the private key of `private_key_jwt` lives (never the key).
    #[serde(serialize_with = "secret_source")]
    pub private_key: SecretRef,
    /// The client's TLS certificate (PEM, with its chain) and its key, presented to
    /// the server (RFC 8705) and, for certificate-bound tokens, to the API.
    #[serde(serialize_with = "secret_source")]
    pub client_cert: SecretRef,
    #[serde(serialize_with = "secret_source")]
    pub client_key: SecretRef,
    /// `kid` in the assertion's header.
    pub key_id: Option<String>,
    /// The algorithm of assertions; None: the key's own (RS256, ES256, EdDSA, HS256).
    pub signing_alg: Option<SigningAlg>,
    /// The assertion's `aud`: the issuer (default), the token endpoint, or a URL.
    pub assertion_audience: AssertionAudience,
    /// Whether the configuration names `assertion_audience`: when it does not,
    /// outbound finds which of the issuer and the token endpoint the server takes.
    #[serde(skip)]
    pub assertion_audience_set: bool,
    /// jwt_bearer: the assertion's `iss` (default: the client id).
    pub assertion_issuer: Option<String>,
    /// jwt_bearer: the assertion's `sub`, the subject tokens are for.
    pub assertion_subject: Option<String>,
    /// jwt_bearer: the scopes go in the assertion's `scope` claim (Google), not in a
    /// `scope` parameter.
    pub scope_in_assertion: bool,
    /// token_exchange: where the subject token is read, fresh for each exchange
    /// (`env:VAR`, `file:PATH` or `command:CMD`; never stored).
    #[serde(serialize_with = "token_source")]
    pub subject_token: Option<String>,
    pub subject_token_type: String,
    /// token_exchange: an actor token, read the same ways.
    #[serde(serialize_with = "token_source")]
    pub actor_token: Option<String>,
    pub actor_token_type: String,
    /// token_exchange: the `audience` parameter.
    pub audience: Option<String>,
    /// token_exchange: the `requested_token_type` parameter.
    pub requested_token_type: Option<String>,
    pub auth_url: Option<Url>,
    pub token_url: Url,
    pub revocation_url: Option<Url>,
    pub device_url: Option<Url>,
    /// The pushed-authorization-request endpoint (RFC 9126).
    pub par_url: Option<Url>,
    /// The OpenID Connect userinfo endpoint (or any API that says who the token's
    /// user is), for `whoami`.
    pub userinfo_url: Option<Url>,
    /// Whether to push: `auto` pushes when the server requires it (`require_par`).
    pub par: Par,
    pub scopes: Vec<String>,
    pub scope_delimiter: String,
    pub pkce: bool,
    /// Sender-constrained tokens (RFC 9449): a proof with every request.
    pub dpop: bool,
    /// Seconds, or null when only the server says.
    #[serde(serialize_with = "optional_seconds")]
    pub expires_in: Option<Duration>,
    #[serde(serialize_with = "seconds")]
    pub refresh_skew: Duration,
    pub redirect_uri: Url,
    /// Ports to try, in order, when the redirect URI's fixed port is taken; with no
    /// fixed port, the ports to listen on, in order (not any free one).
    pub redirect_ports: Vec<u16>,
    /// The account used when none is named (`--account`, `OUTBOUND_ACCOUNT`).
    pub default_account: Option<String>,
    /// The username `git-credential` answers with the token (None: x-access-token).
    pub git_username: Option<String>,
    pub prompt: Option<String>,
    pub auth_params: BTreeMap<String, String>,
    pub token_headers: BTreeMap<String, String>,
    pub token_params: BTreeMap<String, String>,
    pub allowed_hosts: Vec<String>,
    /// Where `curl` resolves a relative URL (`outbound curl github /user`); see
    /// [`App::relative_base`].
    pub base_url: Option<Url>,
    /// The resources tokens are for (RFC 8707): all in the authorization request,
    /// the first in token requests unless one is asked for.
    pub resources: Vec<String>,
    pub proxy: Option<Url>,
    pub ca_file: Option<PathBuf>,
    pub token_header_name: String,
    pub token_format: String,
    /// The issuer (from discovery): callbacks' `iss` must equal it (RFC 9207).
    pub issuer: Option<Url>,
    /// The server promises `iss` in every authorization response.
    pub require_iss: bool,
    /// The server requires pushed authorization requests (its metadata says so).
    pub require_par: bool,
    #[serde(flatten)]
    pub token_request: TokenRequest,
    /// The catalog entry it was made from (`app add --preset`), and its parameters.
    pub preset: Option<String>,
    pub preset_params: BTreeMap<String, String>,
    /// Where it is defined (not a setting: set by whoever loaded it). Last, as
    /// `app show --json` and `app list --json` have always printed it.
    pub place: Place,
}

fn secret_source<S: serde::Serializer>(r: &SecretRef, s: S) -> Result<S::Ok, S::Error> {
    match r {
        SecretRef::None => s.serialize_none(),
        SecretRef::Store => s.serialize_str("store"),
        SecretRef::Env(var) => s.serialize_str(&format!("env:{var}")),
        SecretRef::Command(_) => s.serialize_str("command"),
    }
}

/// Where a token is read from, for `app show`: never a command line (it may embed a
/// credential of its own).
fn token_source<S: serde::Serializer>(source: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match source {
        Some(cmd) if cmd.starts_with("command:") => s.serialize_str("command"),
        Some(other) => s.serialize_str(other),
        None => s.serialize_none(),
    }
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

fn optional_seconds<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_u64(d.as_secs()),
        None => s.serialize_none(),
    }
}

/// RFC 8693's token type of a JWT: the default of subject and actor tokens.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// The parameters outbound sets itself in a token request: an app's `token_params`
/// may not override them. Kept with the settings that validation checks against it;
/// the protocol layer (above) uses it from here.
pub const RESERVED_PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "client_id",
    "client_secret",
    "device_code",
];

/// The account a command acts on when none is named.
pub const DEFAULT_ACCOUNT: &str = "default";

pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);
pub const DEFAULT_TOKEN_HEADER: &str = "Authorization";
pub const DEFAULT_TOKEN_FORMAT: &str = "Bearer {token}";

/// Authorization parameters that `outbound` itself sets; an `auth_params` entry may
/// not override them.
const RESERVED_AUTH_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "prompt",
];

/// A validation failure: which field, where in the file, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        FieldError {
            field,
            span,
            message: message.into(),
        }
    }
}

type FieldResult<T> = Result<T, FieldError>;

fn duration_field(
    field: &'static str,
    value: Option<Spanned<DurationValue>>,
) -> FieldResult<Option<Duration>> {
    let Some(value) = value else { return Ok(None) };
    let span = value.span();
    match value.into_inner() {
        DurationValue::Seconds(secs) => Ok(Some(Duration::from_secs(secs))),
        DurationValue::Text(text) => parse_duration(&text)
            .map(Some)
            .map_err(|m| FieldError::new(field, Some(span), m)),
    }
}

fn url_field(field: &'static str, value: Option<Spanned<String>>) -> FieldResult<Option<Url>> {
    let Some(value) = value else { return Ok(None) };
    let span = value.span();
    check_endpoint(value.get_ref())
        .map(Some)
        .map_err(|m| FieldError::new(field, Some(span), m))
}

fn map_field(
    field: &'static str,
    value: Option<Spanned<BTreeMap<String, String>>>,
    reserved: &[&str],
    headers: bool,
) -> FieldResult<BTreeMap<String, String>> {
    let Some(value) = value else {
        return Ok(BTreeMap::new());
    };
    let span = value.span();
    let map = value.into_inner();
    for (key, val) in &map {
        let err = |m: String| FieldError::new(field, Some(span.clone()), m);
        if key.is_empty() {
            return Err(err("an empty key is not allowed".into()));
        }
        if reserved.contains(&key.as_str()) {
            return Err(err(format!(
                "`{key}` is set by outbound itself and cannot be overridden here"
            )));
        }
        if headers && !is_header_name(key) {
            return Err(err(format!("`{key}` is not a valid HTTP header name")));
        }
        if headers && key.eq_ignore_ascii_case("authorization") {
            return Err(err(
                "an Authorization header would carry a credential in the config file; use client_auth instead".into(),
            ));
        }
        if val.contains(['\r', '\n']) {
            return Err(err(format!("the value of `{key}` contains a line break")));
        }
        // Token-request values may be kept outside the file (resolved when sent);
        // authorization parameters travel in the browser's address bar: no secrets.
        let reference = val.starts_with("env:") || val.starts_with("command:");
        if field == "auth_params" {
        } else if reference {
            SecretRef::parse(val).map_err(|m| err(format!("`{key}`: {m}")))?;
        } else if secret_name(key) {
            return Err(err(format!(
                "`{key}` looks like it carries a credential, which must not be kept in the configuration file; give it as \"env:VARIABLE\" or \"command:COMMAND\" (read when the request is sent)"
            )));
        }
    }
    Ok(map)
}

/// A header or parameter name that says its value is a credential.
fn secret_name(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "authorization"
        || key == "client_assertion"
        || ["key", "token", "secret", "password", "passwd", "credential"]
            .iter()
            .any(|word| key.contains(word))
}

fn required<T>(field: &'static str, value: Option<T>, why: &str) -> FieldResult<T> {
    value.ok_or_else(|| FieldError::new(field, None, format!("missing; {why}")))
}

/// The keys an application's table may have, as [`RawApp`] declares them (read from
/// its serde description, so a new setting needs no list of its own).
pub fn setting_names() -> &'static [&'static str] {
    use serde::de::value::Error as DeError;
    /// A deserializer that only notes the field names it is asked for.
    struct Names(&'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = DeError;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, DeError> {
            Err(serde::de::Error::custom("field names only"))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, DeError> {
            self.0 = fields;
            Err(serde::de::Error::custom("field names only"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }
    static NAMES: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Names(&[]);
        let _ = RawApp::deserialize(&mut names);
        names.0
    })
}

/// Turns one raw table into an [`App`], or says which field is wrong and why.
pub fn validate(name: &str, raw: RawApp) -> FieldResult<App> {
    check_name(name).map_err(|m| FieldError::new("name", None, m))?;

    let id = required(
        "id",
        raw.id,
        "every application has a stable id (outbound writes it when the app is added; copy it back if it was lost)",
    )?;
    let id_span = id.span();
    let id = id.into_inner();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::new(
            "id",
            Some(id_span),
            "must be letters, digits and `-`",
        ));
    }

    let generation = match raw.generation {
        None => 1,
        Some(g) if *g.get_ref() >= 1 => g.into_inner(),
        Some(g) => {
            return Err(FieldError::new(
                "generation",
                Some(g.span()),
                "must be 1 or more",
            ));
        }
    };

    let grant = raw.grant.unwrap_or_default();
    let client_auth_set = raw.client_auth.is_some();
    let client_auth = raw.client_auth.unwrap_or_default();

    let client_id = required(
        "client_id",
        raw.client_id,
        "set it with `outbound app edit NAME --client-id ID`",
    )?;
    if client_id.get_ref().trim().is_empty() {
        return Err(FieldError::new(
            "client_id",
            Some(client_id.span()),
            "must not be empty",
        ));
    }
    let client_id = client_id.into_inner();

    let client_secret = match raw.client_secret {
        None => SecretRef::None,
        Some(s) => {
            let span = s.span();
            SecretRef::parse(s.get_ref())
                .map_err(|m| FieldError::new("client_secret", Some(span), m))?
        }
    };
    let private_key = match raw.private_key {
        None => SecretRef::None,
        Some(s) => {
            let span = s.span();
            SecretRef::parse(s.get_ref())
                .map_err(|m| FieldError::new("private_key", Some(span), m))?
        }
    };
    let token_source = |field: &'static str,
                        value: Option<Spanned<String>>|
     -> FieldResult<Option<String>> {
        let Some(value) = value else { return Ok(None) };
        let text = value.get_ref();
        let ok = ["env:", "file:", "command:"].iter().any(|p| {
            text.strip_prefix(p)
                .is_some_and(|rest| !rest.trim().is_empty())
        });
        if !ok {
            return Err(FieldError::new(
                field,
                Some(value.span()),
                "expected \"env:VARIABLE\", \"file:PATH\" or \"command:COMMAND\" (a token itself never goes in this file)",
            ));
        }
        Ok(Some(value.into_inner()))
    };
    let subject_token = token_source("subject_token", raw.subject_token)?;
    let actor_token = token_source("actor_token", raw.actor_token)?;
    if grant == Grant::TokenExchange && subject_token.is_none() {
        return Err(FieldError::new(
            "subject_token",
            None,
            "missing, and the token_exchange grant needs one: give --subject-token-env VAR, --subject-token-file FILE or --subject-token-command CMD",
        ));
    }
    if grant == Grant::JwtBearer && private_key == SecretRef::None {
        return Err(FieldError::new(
            "private_key",
            None,
            "missing, and the jwt_bearer grant signs its assertion with it; give --private-key FILE (or --service-account-file FILE)",
        ));
    }
    let reference =
        |field: &'static str, value: Option<Spanned<String>>| -> FieldResult<SecretRef> {
            match value {
                None => Ok(SecretRef::None),
                Some(s) => {
                    let span = s.span();
                    SecretRef::parse(s.get_ref()).map_err(|m| FieldError::new(field, Some(span), m))
                }
            }
        };
    let client_cert = reference("client_cert", raw.client_cert)?;
    let client_key = reference("client_key", raw.client_key)?;
    let tls_auth = matches!(
        client_auth,
        ClientAuth::TlsClientAuth | ClientAuth::SelfSignedTlsClientAuth
    );
    if (tls_auth || client_cert != SecretRef::None)
        && (client_cert == SecretRef::None || client_key == SecretRef::None)
    {
        return Err(FieldError::new(
            if client_cert == SecretRef::None {
                "client_cert"
            } else {
                "client_key"
            },
            None,
            "a TLS client certificate needs both the certificate and its key: give --client-cert FILE and --client-key FILE (or their -env/-command forms)",
        ));
    }
    if client_auth == ClientAuth::PrivateKeyJwt && private_key == SecretRef::None {
        return Err(FieldError::new(
            "private_key",
            None,
            "missing, and client_auth is `private_key_jwt`; give it with --private-key FILE (kept in the store), --private-key-env VAR or --private-key-command CMD",
        ));
    }
    let signing_alg = raw.signing_alg;
    match (client_auth, signing_alg) {
        (ClientAuth::ClientSecretJwt, Some(alg)) if !alg.as_str().starts_with("HS") => {
            return Err(FieldError::new(
                "signing_alg",
                None,
                format!(
                    "client_secret_jwt signs with the client secret: HS256, HS384 or HS512, not {}",
                    alg.as_str()
                ),
            ));
        }
        (ClientAuth::PrivateKeyJwt, Some(alg)) if alg.as_str().starts_with("HS") => {
            return Err(FieldError::new(
                "signing_alg",
                None,
                format!(
                    "private_key_jwt signs with a private key, not {} (an HMAC)",
                    alg.as_str()
                ),
            ));
        }
        _ => {}
    }
    let assertion_audience_set = raw.assertion_audience.is_some();
    let assertion_audience = match raw.assertion_audience {
        None => AssertionAudience::Issuer,
        Some(a) => match a.get_ref().as_str() {
            "issuer" => AssertionAudience::Issuer,
            "token-endpoint" => AssertionAudience::TokenEndpoint,
            other => AssertionAudience::Url(check_endpoint(other).map_err(|m| {
                FieldError::new(
                    "assertion_audience",
                    Some(a.span()),
                    format!("`issuer`, `token-endpoint` or a URL: {m}"),
                )
            })?),
        },
    };
    if client_secret == SecretRef::None && client_auth.uses_secret() {
        return Err(FieldError::new(
            "client_secret",
            None,
            format!(
                "missing, and client_auth is `{}`; set one with `outbound app secret set NAME`, or make the app a public client with --client-auth none",
                client_auth.as_str()
            ),
        ));
    }

    let issuer = url_field("issuer", raw.issuer)?;
    let auth_url = url_field("auth_url", raw.auth_url)?;
    let token_url = url_field("token_url", raw.token_url)?;
    let revocation_url = url_field("revocation_url", raw.revocation_url)?;
    let device_url = url_field("device_url", raw.device_url)?;
    let par_url = url_field("par_url", raw.par_url)?;
    let userinfo_url = url_field("userinfo_url", raw.userinfo_url)?;
    let par = raw.par.unwrap_or_default();
    if par == Par::Always && par_url.is_none() {
        return Err(FieldError::new(
            "par",
            None,
            "`always` needs the server's PAR endpoint: give --par-url URL (or --issuer, whose metadata names it)",
        ));
    }
    let base_url = url_field("base_url", raw.base_url)?;
    let resources = match raw.resources {
        None => Vec::new(),
        Some(list) => {
            let span = list.span();
            for r in list.get_ref() {
                let ok = Url::parse(r).is_ok_and(|u| u.fragment().is_none() && u.has_host());
                if !ok {
                    return Err(FieldError::new(
                        "resources",
                        Some(span),
                        format!("`{r}` is not an absolute URI without a fragment (RFC 8707)"),
                    ));
                }
            }
            list.into_inner()
        }
    };
    let grant_name = grant.as_str();
    let token_url = required(
        "token_url",
        token_url,
        &format!("the {grant_name} grant needs a token endpoint"),
    )?;
    match grant {
        Grant::AuthorizationCode if auth_url.is_none() => {
            return Err(FieldError::new(
                "auth_url",
                None,
                "missing; the authorization_code grant needs an authorization endpoint",
            ));
        }
        Grant::DeviceCode if device_url.is_none() => {
            return Err(FieldError::new(
                "device_url",
                None,
                "missing; the device_code grant needs a device authorization endpoint",
            ));
        }
        _ => {}
    }

    let scopes = match raw.scopes {
        None => Vec::new(),
        Some(s) => {
            let span = s.span();
            for scope in s.get_ref() {
                if scope.is_empty() || scope.contains(char::is_whitespace) {
                    return Err(FieldError::new(
                        "scopes",
                        Some(span),
                        format!(
                            "`{scope}` is not a scope: scopes are non-empty and contain no spaces"
                        ),
                    ));
                }
            }
            s.into_inner()
        }
    };
    let scope_delimiter = match raw.scope_delimiter {
        None => " ".to_owned(),
        Some(d) if d.get_ref().is_empty() => {
            return Err(FieldError::new(
                "scope_delimiter",
                Some(d.span()),
                "must not be empty (\" \" and \",\" are common)",
            ));
        }
        Some(d) => d.into_inner(),
    };

    let expires_in = duration_field("expires_in", raw.expires_in)?;
    let refresh_skew =
        duration_field("refresh_skew", raw.refresh_skew)?.unwrap_or(DEFAULT_REFRESH_SKEW);

    let redirect_uri = match raw.redirect_uri {
        None => Url::parse(DEFAULT_REDIRECT_URI)
            .map_err(|e| FieldError::new("redirect_uri", None, format!("internal default: {e}")))?,
        Some(r) => {
            let span = r.span();
            check_redirect_uri(r.get_ref())
                .map_err(|m| FieldError::new("redirect_uri", Some(span), m))?
        }
    };

    let redirect_ports = match raw.redirect_ports {
        None => Vec::new(),
        Some(ports) => {
            let span = ports.span();
            let ports = ports.into_inner();
            if ports.contains(&0) {
                return Err(FieldError::new(
                    "redirect_ports",
                    Some(span),
                    "0 is not a port to listen on (without --redirect-port, a redirect URI without a port takes any free one)",
                ));
            }
            ports
        }
    };
    let default_account = match raw.default_account {
        None => None,
        Some(a) => {
            let span = a.span();
            let a = a.into_inner();
            check_name(&a).map_err(|m| {
                FieldError::new(
                    "default_account",
                    Some(span),
                    m.replace("application name", "account name"),
                )
            })?;
            Some(a)
        }
    };

    let auth_params = map_field("auth_params", raw.auth_params, RESERVED_AUTH_PARAMS, false)?;
    let token_params = map_field("token_params", raw.token_params, RESERVED_PARAMS, false)?;
    let token_headers = map_field("token_headers", raw.token_headers, &[], true)?;

    let allowed_hosts = match raw.allowed_hosts {
        None => Vec::new(),
        Some(h) => {
            let span = h.span();
            h.into_inner()
                .iter()
                .map(|p| check_host_pattern(p))
                .collect::<Result<_, _>>()
                .map_err(|m| FieldError::new("allowed_hosts", Some(span), m))?
        }
    };

    let proxy = match raw.proxy {
        None => None,
        Some(p) => {
            let span = p.span();
            Some(check_proxy(p.get_ref()).map_err(|m| FieldError::new("proxy", Some(span), m))?)
        }
    };

    let token_header_name = match raw.token_header_name {
        None => DEFAULT_TOKEN_HEADER.to_owned(),
        Some(h) if !is_header_name(h.get_ref()) => {
            return Err(FieldError::new(
                "token_header_name",
                Some(h.span()),
                format!("`{}` is not a valid HTTP header name", h.get_ref()),
            ));
        }
        Some(h) => h.into_inner(),
    };
    let token_format = match raw.token_format {
        None => DEFAULT_TOKEN_FORMAT.to_owned(),
        Some(f) if !f.get_ref().contains("{token}") || f.get_ref().contains(['\r', '\n']) => {
            return Err(FieldError::new(
                "token_format",
                Some(f.span()),
                "must contain `{token}` (for example \"Bearer {token}\") and no line break",
            ));
        }
        Some(f) => f.into_inner(),
    };

    let token_request = match raw.token_request {
        None => TokenRequest::default(),
        Some(t) => {
            let span = t.span();
            let t = t.into_inner();
            let err = |m: String| FieldError::new("token_request", Some(span.clone()), m);
            let refresh_url = t
                .refresh_url
                .as_deref()
                .map(check_endpoint)
                .transpose()
                .map_err(|m| err(format!("refresh_url: {m}")))?;
            for (field, path) in &t.response {
                if !MAPPABLE.contains(&field.as_str()) {
                    return Err(err(format!(
                        "response.{field}: not a token field; map one of {}",
                        MAPPABLE.join(", ")
                    )));
                }
                if path.is_empty() || path.split('.').any(str::is_empty) {
                    return Err(err(format!(
                        "response.{field}: `{path}` is not a dotted path such as `authed_user.access_token`"
                    )));
                }
            }
            TokenRequest {
                body: t.body.unwrap_or_default(),
                refresh_url,
                response: t.response,
            }
        }
    };

    let client_id_param = match raw.client_id_param {
        None => "client_id".to_owned(),
        Some(p) => {
            let span = p.span();
            let p = p.into_inner();
            let word = !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            if !word
                || (p != "client_id"
                    && (RESERVED_PARAMS.contains(&p.as_str())
                        || RESERVED_AUTH_PARAMS.contains(&p.as_str())))
            {
                return Err(FieldError::new(
                    "client_id_param",
                    Some(span),
                    format!(
                        "`{p}` cannot name the client id in requests: write a parameter name (letters, digits, `_`, `-`, `.`) other than the ones outbound sets itself, such as `client_key`"
                    ),
                ));
            }
            p
        }
    };

    Ok(App {
        place: Place::Personal,
        name: name.to_owned(),
        id,
        description: raw.description,
        approval_prompt: raw.approval_prompt,
        enabled: raw.enabled.unwrap_or(true),
        generation,
        grant,
        client_id,
        client_id_param,
        client_secret,
        client_auth,
        client_auth_set,
        private_key,
        client_cert,
        client_key,
        key_id: raw.key_id.filter(|k| !k.is_empty()),
        signing_alg,
        assertion_audience,
        assertion_audience_set,
        assertion_issuer: raw.assertion_issuer.filter(|s| !s.is_empty()),
        assertion_subject: raw.assertion_subject.filter(|s| !s.is_empty()),
        scope_in_assertion: raw.scope_in_assertion.unwrap_or(false),
        subject_token,
        subject_token_type: raw
            .subject_token_type
            .unwrap_or_else(|| JWT_TOKEN_TYPE.to_owned()),
        actor_token,
        actor_token_type: raw
            .actor_token_type
            .unwrap_or_else(|| JWT_TOKEN_TYPE.to_owned()),
        audience: raw.audience.filter(|a| !a.is_empty()),
        requested_token_type: raw.requested_token_type.filter(|a| !a.is_empty()),
        auth_url,
        token_url,
        revocation_url,
        device_url,
        par_url,
        userinfo_url,
        par,
        scopes,
        scope_delimiter,
        pkce: raw.pkce.unwrap_or(true),
        dpop: raw.dpop.unwrap_or(false),
        expires_in,
        refresh_skew,
        redirect_uri,
        redirect_ports,
        default_account,
        git_username: raw
            .git_username
            .filter(|u| !u.is_empty() && !u.chars().any(|c| c.is_control())),
        prompt: raw.prompt.filter(|p| !p.is_empty()),
        auth_params,
        token_headers,
        token_params,
        allowed_hosts,
        base_url,
        resources,
        proxy,
        ca_file: raw.ca_file,
        token_header_name,
        token_format,
        issuer,
        require_iss: raw.require_iss.unwrap_or(false),
        require_par: raw.require_par.unwrap_or(false),
        token_request,
        preset: raw.preset.filter(|p| !p.is_empty()),
        preset_params: raw.preset_params.unwrap_or_default(),
    })
}

/// A fresh, random application id: 128 bits as 32 hex digits.
pub fn new_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawApp {
        let cfg: RawConfig = toml::from_str(text).unwrap();
        *cfg.apps.into_values().next().unwrap()
    }

    const BASE: &str = r#"
[apps.x]
id = "abc123"
client_id = "cid"
client_secret = "store"
auth_url = "https://example.com/authorize"
token_url = "https://example.com/token"
"#;

    #[test]
    fn minimal_app_gets_defaults() {
        let app = validate("x", raw(BASE)).unwrap();
        assert!(app.enabled);
        assert_eq!(app.generation, 1);
        assert_eq!(app.grant, Grant::AuthorizationCode);
        assert!(app.pkce);
        assert_eq!(app.scope_delimiter, " ");
        assert_eq!(app.token_format, "Bearer {token}");
        assert_eq!(app.redirect_uri.as_str(), "http://127.0.0.1/callback");
        assert_eq!(app.client_secret, SecretRef::Store);
    }

    #[test]
    fn http_is_refused_except_to_loopback() {
        let text = BASE.replace("https://example.com/token", "http://example.com/token");
        let err = validate("x", raw(&text)).unwrap_err();
        assert_eq!(err.field, "token_url");
        assert!(err.message.contains("https is required"), "{}", err.message);
        assert!(err.span.is_some());
        let text = BASE.replace("https://example.com/token", "http://127.0.0.1:9/token");
        assert!(validate("x", raw(&text)).is_ok());
    }

    #[test]
    fn each_grant_needs_its_urls() {
        let text = BASE.replace("auth_url = \"https://example.com/authorize\"\n", "");
        assert_eq!(validate("x", raw(&text)).unwrap_err().field, "auth_url");
        let cc = format!("{text}grant = \"client_credentials\"\n");
        assert!(validate("x", raw(&cc)).is_ok());
        let dc = format!("{text}grant = \"device_code\"\n");
        assert_eq!(validate("x", raw(&dc)).unwrap_err().field, "device_url");
    }

    #[test]
    fn secret_references() {
        assert_eq!(
            SecretRef::parse("env:GH_SECRET"),
            Ok(SecretRef::Env("GH_SECRET".into()))
        );
        assert_eq!(
            SecretRef::parse("command:pass show gh"),
            Ok(SecretRef::Command("pass show gh".into()))
        );
        assert!(SecretRef::parse("s3cr3t").is_err());
        assert!(SecretRef::parse("env:1BAD").is_err());
        let public = BASE.replace("client_secret = \"store\"\n", "");
        assert_eq!(
            validate("x", raw(&public)).unwrap_err().field,
            "client_secret"
        );
        let public = format!("{public}client_auth = \"none\"\n");
        assert_eq!(
            validate("x", raw(&public)).unwrap().client_secret,
            SecretRef::None
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("soon").is_err());
        let text = format!("{BASE}expires_in = \"ten minutes\"\n");
        assert_eq!(validate("x", raw(&text)).unwrap_err().field, "expires_in");
        let text = format!("{BASE}expires_in = 600\n");
        assert_eq!(
            validate("x", raw(&text)).unwrap().expires_in,
            Some(Duration::from_secs(600))
        );
    }

    #[test]
    fn names_and_hosts() {
        assert!(check_name("github-prod_2.eu").is_ok());
        assert!(check_name("bad name").is_err());
        assert!(check_name("-x").is_err());
        assert!(check_name("").is_err());
        assert_eq!(
            check_host_pattern("*.Example.com"),
            Ok("*.example.com".into())
        );
        assert_eq!(
            check_host_pattern("127.0.0.1:8080"),
            Ok("127.0.0.1:8080".into())
        );
        assert!(check_host_pattern("https://x.com/").is_err());
        assert!(check_host_pattern("a.*.com").is_err());
    }

    #[test]
    fn reserved_parameters_and_headers() {
        let text = format!("{BASE}auth_params = {{ state = \"x\" }}\n");
        assert_eq!(validate("x", raw(&text)).unwrap_err().field, "auth_params");
        let text = format!("{BASE}token_headers = {{ Authorization = \"x\" }}\n");
        assert_eq!(
            validate("x", raw(&text)).unwrap_err().field,
            "token_headers"
        );
        let text = format!("{BASE}token_format = \"Bearer\"\n");
        assert_eq!(validate("x", raw(&text)).unwrap_err().field, "token_format");
    }

    #[test]
    fn setting_names_come_from_the_raw_table() {
        let names = setting_names();
        for name in ["id", "token_url", "scopes", "token_request", "require_iss"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(!names.contains(&"name"));
    }

    #[test]
    fn credentials_stay_out_of_the_file() {
        let e = check_endpoint("https://user:pw@auth.example.com/token").unwrap_err();
        assert!(
            e.contains("user name or password") && !e.contains("pw@"),
            "{e}"
        );
        assert!(check_endpoint("https://user@auth.example.com/token").is_err());
        let e = check_endpoint("https://user:pw@[broken/token").unwrap_err();
        assert!(
            e.contains("https://***@[broken") && !e.contains("pw"),
            "{e}"
        );
        for (field, key, value, ok) in [
            ("token_headers", "X-Api-Key", "literal", false),
            ("token_headers", "X-Api-Key", "env:API_KEY", true),
            ("token_headers", "X-Api-Key", "command:pass show key", true),
            ("token_headers", "X-Api-Key", "env:1bad", false),
            ("token_params", "client_assertion", "x", false),
            ("token_params", "refresh_token_hint", "x", false),
            ("token_params", "audience", "api", true),
            ("auth_params", "access_type", "offline", true),
        ] {
            let text = format!("{BASE}{field} = {{ {key} = \"{value}\" }}\n");
            assert_eq!(
                validate("x", raw(&text)).is_ok(),
                ok,
                "{field}.{key} = {value}"
            );
        }
        for (pattern, ok) in [
            ("*.com", false),
            ("*.co.uk", false),
            ("*.example.co.uk", true),
            ("*.googleapis.com", true),
            ("*.corp", true),
            ("co.uk", true),
        ] {
            assert_eq!(check_host_pattern(pattern).is_ok(), ok, "{pattern}");
        }
    }

    #[test]
    fn proxy_with_password_is_refused() {
        assert!(check_proxy("socks5://127.0.0.1:1080").is_ok());
        assert!(check_proxy("http://u:p@proxy:3128").is_err());
        assert!(check_proxy("ftp://proxy").is_err());
    }

    #[test]
    fn ids_are_random_hex() {
        let a = new_id().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_id().unwrap());
    }
}
