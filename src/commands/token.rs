//! `outbound token NAME`: print a valid access token, for `$(...)` in scripts. The
//! only command that prints a token, because it was asked to.

use crate::commands::output::{data, notice, warning};
use serde::Serialize;

use super::{Ctx, access_token, print_json};
use crate::error::Result;
use crate::tokens;

#[derive(Serialize)]
struct TokenView<'a> {
    access_token: &'a str,
    token_type: &'a str,
    /// Unix seconds, or null when unknown.
    expires_at: Option<u64>,
    expires_in: Option<i64>,
    scopes: &'a [String],
}

crate::choice::choice! {
    /// How `token --format` prints the token.
    #[derive(Default)]
    pub enum Format {
        #[default]
        Plain = "plain": "The token alone, on one line",
        Json = "json": "A JSON object: access_token, token_type, expires_at, expires_in, scopes",
        Header = "header": "The HTTP header that carries it (`Authorization: Bearer …`, or the app's own)",
        Env = "env": "`export OUTBOUND_TOKEN='…'`, for eval",
        ExecCredential = "exec-credential":
            "A Kubernetes ExecCredential, for a kubeconfig's `users[].user.exec` entry",
    }
}

/// What `token` prints.
pub enum Print {
    /// The access token, in a format.
    Token(Format),
    /// `--id-token`: the account's ID token.
    IdToken,
    /// `--dpop-proof --method M --url U`: a proof for that request.
    Proof { method: String, url: String },
    /// `--scope S…` / `--resource URI`: a token with only these scopes, or for that
    /// resource, for this call.
    Narrowed {
        scopes: Vec<String>,
        resource: Option<String>,
        format: Format,
    },
}

/// How fresh the token must be: `--force-refresh`, `--min-valid DURATION`.
pub struct Freshness {
    pub force: bool,
    pub min_valid: Option<std::time::Duration>,
}

pub fn run(
    ctx: &Ctx,
    name: &str,
    account: Option<&str>,
    print: Print,
    fresh: Freshness,
) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    let account = &tokens::account_of(app, account)?;
    let store = ctx.store(&config, app);
    // kubectl names the cluster it will send the credential to (provideClusterInfo).
    let cluster = match &print {
        Print::Token(Format::ExecCredential)
        | Print::Narrowed {
            format: Format::ExecCredential,
            ..
        } => ExecInfo::from_env().server()?,
        _ => None,
    };
    let to = match &print {
        Print::Token(Format::ExecCredential)
        | Print::Narrowed {
            format: Format::ExecCredential,
            ..
        } => crate::gate::To::Cluster(cluster.as_ref()),
        _ => crate::gate::To::Process,
    };
    // Where the token would go is judged before any is obtained, and again with it.
    if let Some(why) = crate::gate::destination(&ctx.state_dir, app, &to) {
        return Err(crate::error::Error::HostNotAllowed(why));
    }
    let access = fresh_access(ctx, &config, store.as_ref(), app, account, &fresh)?;
    crate::gate::check(&ctx.state_dir, app, &access.token, &to)?;
    if let Print::Narrowed {
        scopes,
        resource,
        format,
    } = &print
    {
        if let Some(r) = resource
            && !app.resources.contains(r)
        {
            return Err(crate::error::Error::Usage(format!(
                "--resource {r}: not one of the resources of `{}` ({}); add it with `outbound app edit {} --resource …` and authorize again",
                app.name,
                if app.resources.is_empty() {
                    "it has none".to_owned()
                } else {
                    app.resources.join(", ")
                },
                app.name
            )));
        }
        let audit = ctx.audit(&config, app);
        let env = ctx.token_env(&config, app, store.as_ref(), &audit);
        let scopes: Vec<String> = scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(str::to_owned)
            .collect();
        let narrow = tokens::narrowed(&env, app, account, &scopes, resource.as_deref())?;
        return show(app, &narrow, *format);
    }
    let token = &access.token;
    let bound = token.token_type.as_deref() == Some("dpop");
    if let Print::IdToken = print {
        let Some(id_token) = &token.id_token else {
            return Err(crate::error::Error::Usage(format!(
                "`{}` (account `{account}`) has no ID token: its scopes do not include `openid`, or the server sent none",
                app.name
            )));
        };
        data!("{}", id_token.expose());
        return Ok(());
    }
    if let Print::Proof { method, url } = &print {
        if !bound {
            return Err(crate::error::Error::Usage(format!(
                "the token of `{}` is not DPoP-bound (token type {}); no proof is needed",
                app.name,
                token.token_type.as_deref().unwrap_or("bearer")
            )));
        }
        let url = url::Url::parse(url)
            .map_err(|e| crate::error::Error::Usage(format!("--url {url}: {e}")))?;
        let dpop =
            crate::dpop::Dpop::load_or_create(store.as_ref(), &ctx.state_dir, &app.id, account)?;
        let method = method.to_ascii_uppercase();
        let value = dpop
            .proof(
                crate::dpop::Server::Resource,
                &method,
                &url,
                Some(&token.access_token),
            )
            .map_err(crate::error::Error::Other)?;
        data!("{}", value.expose());
        return Ok(());
    }
    if app.client_cert != crate::app::SecretRef::None && !bound {
        notice!(
            "note: the token of `{}` may be bound to its TLS client certificate (RFC 8705): an API that checks will want that certificate with it (`outbound curl` sends it)",
            app.name
        );
    }
    if bound {
        notice!(
            "note: this token of `{}` is DPoP-bound: it is useless without a proof from this account's key; send it as `Authorization: DPoP …` with the proof from `outbound token {} --dpop-proof --method M --url U` (or use `outbound curl`)",
            app.name,
            app.name
        );
    }
    ctx.audit(&config, app)
        .record(&app.name, account, "token", None, None, "ok");
    let format = match print {
        Print::Token(format) => format,
        _ => Format::Plain,
    };
    show(app, token, format)
}

/// A valid token of (app, account) as fresh as asked: refreshed first when forced
/// or when it would not stay valid for `--min-valid` (with a warning when the
/// server's lifetime is shorter), and a warning when the refresh token itself is
/// about to expire.
pub fn fresh_access(
    ctx: &Ctx,
    config: &crate::config::Config,
    store: &dyn crate::store::SecretStore,
    app: &crate::app::App,
    account: &str,
    fresh: &Freshness,
) -> Result<tokens::Access> {
    let mut access = access_token(ctx, config, store, app, account, None)?;
    let now = crate::clock::now();
    let too_short = |token: &tokens::StoredToken| match (fresh.min_valid, token.expires_at) {
        (Some(min), Some(at)) => at < now + min.as_secs(),
        _ => false,
    };
    if (fresh.force || too_short(&access.token)) && !access.refreshed {
        // Treat the current token as rejected: refresh now, so a provider that expires
        // idle refresh tokens sees this one used.
        let current = access.token.access_token.clone();
        access = access_token(ctx, config, store, app, account, Some(&current))?;
    }
    if too_short(&access.token) {
        warning!(
            "the token of `{}` is valid for {} s only, less than --min-valid asks: the server gives no longer lifetime",
            app.name,
            access.token.expires_at.unwrap_or(now).saturating_sub(now)
        );
    }
    warn_refresh_expiry(app, account, &access.token);
    Ok(access)
}

fn show(app: &crate::app::App, token: &tokens::StoredToken, format: Format) -> Result<()> {
    let secret = token.access_token.expose();
    match format {
        Format::Plain => data!("{secret}"),
        Format::Json => {
            let now = crate::clock::now() as i64;
            return print_json(&TokenView {
                access_token: secret,
                token_type: token.token_type.as_deref().unwrap_or("bearer"),
                expires_at: token.expires_at,
                expires_in: token.expires_at.map(|at| at as i64 - now),
                scopes: &token.scopes,
            });
        }
        Format::Header => {
            if token.token_type.as_deref() == Some("dpop") {
                data!("Authorization: DPoP {secret}");
            } else {
                data!(
                    "{}: {}",
                    app.token_header_name,
                    app.token_format.replace("{token}", secret)
                );
            }
        }
        Format::Env => data!("export OUTBOUND_TOKEN={}", shell_quote(secret)),
        Format::ExecCredential => {
            let mut status = serde_json::json!({ "token": secret });
            if let Some(at) = token.expires_at {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(at);
                status["expirationTimestamp"] =
                    humantime::format_rfc3339_seconds(at).to_string().into();
            }
            return print_json(&serde_json::json!({
                "apiVersion": ExecInfo::from_env().api_version,
                "kind": "ExecCredential",
                "status": status,
            }));
        }
    }
    Ok(())
}

/// `value` in single quotes for a POSIX shell (a `'` inside becomes `'\''`).
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// What kubectl tells an exec credential plugin in `KUBERNETES_EXEC_INFO`: the API
/// version it wants back, whether a person can answer (`spec.interactive`), and,
/// with `provideClusterInfo: true`, the cluster the credential is for.
pub struct ExecInfo {
    pub api_version: String,
    pub interactive: Option<bool>,
    /// `spec.cluster.server`, as kubectl gave it.
    server: Option<String>,
}

impl ExecInfo {
    const V1: &str = "client.authentication.k8s.io/v1";

    /// From the environment; the v1 API when kubectl said nothing usable.
    pub fn from_env() -> ExecInfo {
        let info: serde_json::Value = std::env::var("KUBERNETES_EXEC_INFO")
            .ok()
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        let api_version = info["apiVersion"]
            .as_str()
            .filter(|v| v.starts_with("client.authentication.k8s.io/"))
            .unwrap_or(Self::V1)
            .to_owned();
        ExecInfo {
            api_version,
            interactive: info["spec"]["interactive"].as_bool(),
            server: info["spec"]["cluster"]["server"]
                .as_str()
                .map(str::to_owned),
        }
    }

    /// The cluster's API server, when kubectl named it; a name that is not a URL is
    /// refused rather than ignored.
    pub fn server(&self) -> Result<Option<url::Url>> {
        let Some(server) = &self.server else {
            return Ok(None);
        };
        // As client-go reads it: `host:port` alone is https.
        let server = if server.contains("://") {
            server.clone()
        } else {
            format!("https://{server}")
        };
        url::Url::parse(&server).map(Some).map_err(|e| {
            crate::error::Error::HostNotAllowed(format!(
                "KUBERNETES_EXEC_INFO names the cluster `{}`, which is not a URL ({e}): no credential is given for it",
                crate::text::printable(&server)
            ))
        })
    }
}

/// Warns when the refresh token itself will expire soon (providers that say when).
fn warn_refresh_expiry(app: &crate::app::App, account: &str, token: &crate::tokens::StoredToken) {
    let Some(at) = token.refresh_expires_at else {
        return;
    };
    let left = at.saturating_sub(crate::clock::now());
    let lifetime = at.saturating_sub(token.obtained_at).max(1);
    if left < 7 * 86400 || left * 10 < lifetime {
        warning!(
            "the refresh token of `{}` (account `{account}`) expires in {}; run `outbound authorize {}` before then (or `outbound token {} --force-refresh` if the provider renews it on use)",
            app.name,
            super::authorize::human_seconds(left),
            app.name,
            app.name
        );
    }
}
