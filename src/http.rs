//! The HTTP client every request of an application goes through, so the app's
//! egress settings (proxy, extra CA certificates) apply everywhere.

use std::path::Path;
use std::time::Duration;

use url::Url;

use reqwest::blocking::Client;

use crate::app::App;
use crate::error::{Error, Result};

pub const USER_AGENT: &str = concat!("outbound/", env!("CARGO_PKG_VERSION"));

/// A client for `app`'s OAuth endpoints: no redirects (a token endpoint that
/// redirects must not receive our credentials twice), bounded time.
pub fn oauth_client(app: &App, identity: Option<&reqwest::Identity>) -> Result<Client> {
    let mut builder = builder(app)?;
    if let Some(identity) = identity {
        builder = builder.identity(identity.clone());
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .timeout(oauth_timeout())
        .build()
        .map_err(|e| setup_error(&format!("for `{}`", app.name), &e))
}

/// A client that could not be built, with the reasons under reqwest's own ("builder
/// error" alone says nothing: the TLS library's refusal of a certificate is below it).
pub fn setup_error(what: &str, e: &reqwest::Error) -> Error {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        reason.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    Error::Other(format!("cannot set up HTTP {what}: {reason}"))
}

/// `host:port` of `url` (the scheme's port when none is written): where a request
/// went, for messages (a host alone does not say which of its services).
pub fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// What to add when an https request met a server that speaks plain HTTP (the TLS
/// library reads its answer as a corrupt record, `InvalidContentType`): the same
/// place over http, as curl's users expect to be told.
pub fn plain_http_hint(url: &Url, reason: &str) -> Option<String> {
    if url.scheme() != "https" || !reason.contains("InvalidContentType") {
        return None;
    }
    let place = authority(url);
    Some(format!(
        "{place} answers in plain HTTP, not TLS: did you mean http://{place}?"
    ))
}

/// The innermost cause of `e`: what happened (refused, DNS, TLS, a cut connection)
/// without the layers around it that repeat the URL.
pub fn innermost<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut source = e;
    while let Some(inner) = source.source() {
        source = inner;
    }
    source
}

/// How long connecting to a server may take unless told otherwise.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one request to an OAuth endpoint may take (`OUTBOUND_OAUTH_TIMEOUT`
/// seconds, default 30): a hung server must not hang a cron job.
pub fn oauth_timeout() -> Duration {
    let secs = std::env::var("OUTBOUND_OAUTH_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(30);
    Duration::from_secs(secs)
}

/// The builder with `app`'s egress settings applied.
pub fn builder(app: &App) -> Result<reqwest::blocking::ClientBuilder> {
    egress(&app.name, app.proxy.as_ref(), app.ca_file.as_deref())
}

/// A client for discovery before the app exists, with the egress flags given. It
/// follows up to 3 redirects, each to a URL the endpoint rule allows (https, or http
/// to loopback; no user name in it): an answer that comes over plain http from
/// elsewhere is not trusted as the server's word.
pub fn discovery_client(name: &str, proxy: Option<&Url>, ca_file: Option<&Path>) -> Result<Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 3 {
            attempt.error("more than 3 redirects")
        } else if let Err(why) = crate::app::check_endpoint(attempt.url().as_str()) {
            attempt.error(format!("a redirect to a URL that is not allowed: {why}"))
        } else {
            attempt.follow()
        }
    });
    egress(name, proxy, ca_file)?
        .redirect(policy)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| setup_error(&format!("for `{name}`"), &e))
}

/// The async client builder with the same egress settings, for `curl`'s streaming
/// data path. `proxy` is the one the request policy approved (`--proxy`, else the
/// app's): the client gets exactly that one, or the environment's when None.
pub fn async_builder(app: &App, proxy: Option<&Url>) -> Result<reqwest::ClientBuilder> {
    Ok(with_egress!(
        reqwest::Client::builder(),
        egress_parts(&app.name, proxy, app.ca_file.as_deref())?
    ))
}

fn egress(
    name: &str,
    proxy: Option<&Url>,
    ca_file: Option<&Path>,
) -> Result<reqwest::blocking::ClientBuilder> {
    Ok(with_egress!(
        Client::builder(),
        egress_parts(name, proxy, ca_file)?
    ))
}

/// A builder (blocking or async: reqwest's two have the same methods but no common
/// trait) with our user agent, a connect timeout, and the egress settings.
macro_rules! with_egress {
    ($builder:expr, $parts:expr) => {{
        let (proxy, certs) = $parts;
        let mut builder = $builder
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT);
        if let Some(proxy) = proxy {
            builder = builder.proxy(proxy);
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
        builder
    }};
}
use with_egress;

/// The proxy a request to `url` goes through: `explicit` (the app's setting or
/// `--proxy`) when given, else the environment's (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, lower-case forms, minus `NO_PROXY`). The environment is read by the
/// same matcher (hyper-util's) that reqwest's clients use for their system proxy, so
/// a policy asking here sees the proxy the client will really use.
pub fn proxy_for(explicit: Option<&Url>, url: &Url) -> Option<Url> {
    if let Some(proxy) = explicit {
        return Some(proxy.clone());
    }
    let uri: http::Uri = url.as_str().parse().ok()?;
    let intercept = hyper_util::client::proxy::matcher::Matcher::from_system().intercept(&uri)?;
    Url::parse(&intercept.uri().to_string()).ok()
}

/// Why a request to `url` must not carry credentials (a token, a client secret, a
/// refresh token, a code): it is plain http and would cross a proxy that is not on
/// this machine, which reads it in clear text. None when it may go.
pub fn clear_text_refusal(explicit: Option<&Url>, url: &Url) -> Option<String> {
    if url.scheme() != "http" {
        return None;
    }
    let proxy = proxy_for(explicit, url)?;
    if proxy
        .host()
        .is_some_and(|h| crate::app::is_loopback_host(&h))
    {
        return None;
    }
    Some(format!(
        "refusing to send credentials in clear text to {} through the proxy {}; use https, a loopback proxy, or exempt the host with NO_PROXY",
        url.host_str().unwrap_or_default(),
        proxy.host_str().unwrap_or_default()
    ))
}

/// Makes ring rustls' process-wide crypto provider, once, before any client is built
/// (reqwest is built without a provider of its own, and panics when a client is
/// built with none installed: build every client through this module). aws-lc-rs,
/// reqwest's default, seeds its random generator from CPU jitter at start-up: ~30 ms
/// of CPU in every process that makes an https request.
pub fn use_ring_for_tls() {
    // Err means a provider is already installed: ours, from an earlier client.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An app's proxy and extra CA certificates, parsed.
fn egress_parts(
    name: &str,
    proxy: Option<&Url>,
    ca_file: Option<&Path>,
) -> Result<(Option<reqwest::Proxy>, Vec<reqwest::Certificate>)> {
    use_ring_for_tls();
    let proxy = proxy
        .map(|p| {
            reqwest::Proxy::all(p.as_str())
                .map_err(|e| Error::Other(format!("apps.{name}.proxy: {e}")))
        })
        .transpose()?;
    let certs = match ca_file {
        Some(path) => read_certificates(path, &format!("apps.{name}.ca_file"))?,
        None => Vec::new(),
    };
    Ok((proxy, certs))
}

/// The PEM certificates of `path` (`what` names the setting, for errors).
pub fn read_certificates(path: &Path, what: &str) -> Result<Vec<reqwest::Certificate>> {
    let pem =
        std::fs::read(path).map_err(|e| Error::io(format!("{what} {}", path.display()), e))?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::Other(format!(
            "{what} {}: not PEM certificates ({e})",
            path.display()
        ))
    })
}
