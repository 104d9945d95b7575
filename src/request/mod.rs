//! The curl-like client: one request with the token attached where it belongs,
//! redirects followed by hand (so the token is dropped on the way to another
//! origin), and request/response headers reported for `-v` with the token masked.
//! Nothing here prints: the command decides what to show. It is async (on the
//! command's current-thread runtime) so a large body streams without a thread hop
//! per chunk.

pub mod body;
mod plain;
mod plan;

pub use plain::Plain;
pub use plan::Spec;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Response};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::app::App;
use crate::error::{Error, Result};
use crate::gate::hosts as policy;
use crate::secret::Secret;
use body::Body;

/// One request to make.
pub struct Plan {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Body,
    pub follow: bool,
    pub max_redirs: u32,
    /// The proxy in use, for the clear-text check.
    pub proxy: Option<Url>,
}

/// What happened.
pub struct Outcome {
    pub response: Response,
    pub url: Url,
    pub redirects: u32,
    /// The token went with the request that produced `response`.
    pub token_sent: bool,
}

/// A line for `-v`: `>` request, `<` response, `*` information.
pub type Verbose<'a> = &'a mut dyn FnMut(char, &str);

/// How `curl`'s HTTP client is set up.
#[derive(Clone, Copy)]
pub struct ClientOptions<'a> {
    /// The proxy the policy approved (`--proxy`, else the app's), or None for the
    /// environment's.
    pub proxy: Option<&'a Url>,
    /// Whether the request can meet TLS at all: without, the system's trust store is
    /// not loaded (most of a small plain-http request's set-up time).
    pub tls: bool,
    pub max_time: Option<std::time::Duration>,
    pub connect_timeout: Option<std::time::Duration>,
    /// Ask for a compressed response and decompress it.
    pub compressed: bool,
    /// `--cacert`: more CA certificates to trust for this call (beside the app's).
    pub ca_file: Option<&'a std::path::Path>,
    /// The app's TLS client certificate: certificate-bound tokens (RFC 8705) go with it.
    pub identity: Option<&'a reqwest::Identity>,
}

/// `curl`'s HTTP clients: `client` carries the app's TLS client certificate, if it
/// has one; `bare`, when there is one, the same without it, for hops the gate does
/// not release the token to; `plain`, when set, takes the hops it applies to (plain
/// http, no body, no proxy: see [`Plain`]).
pub struct Clients {
    pub client: Client,
    pub bare: Option<Client>,
    pub plain: Option<Plain>,
}

/// The plain-http transport for `options`, unless `--compressed` asks for what only
/// reqwest's client does (decompression).
pub fn plain(options: &ClientOptions) -> Option<Plain> {
    (!options.compressed).then(|| Plain {
        proxy: options.proxy.cloned(),
        connect_timeout: options
            .connect_timeout
            .unwrap_or(crate::http::CONNECT_TIMEOUT),
        max_time: options.max_time,
    })
}

/// The client for `curl`: the app's egress settings, no automatic redirects (they
/// are followed by hand, so the token never crosses origins).
pub fn client(app: &App, options: &ClientOptions) -> Result<Client> {
    let mut builder =
        crate::http::async_builder(app, options.proxy)?.redirect(reqwest::redirect::Policy::none());
    if !options.tls {
        builder = builder.tls_certs_only(Vec::new());
    }
    if let Some(limit) = options.max_time {
        builder = builder.timeout(limit);
    }
    if let Some(limit) = options.connect_timeout {
        builder = builder.connect_timeout(limit);
    }
    if !options.compressed {
        builder = builder.no_gzip().no_brotli().no_deflate();
    }
    if let Some(identity) = options.identity {
        builder = builder.identity(identity.clone());
    }
    if let Some(path) = options.ca_file {
        for cert in crate::http::read_certificates(path, "--cacert")? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| crate::http::setup_error(&format!("for `{}`", app.name), &e))
}

/// The `Host` header for `url`: the port only where it is not the scheme's own, as
/// the request line's peers (reqwest, curl) write it.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The header that carries the token, with its value marked sensitive.
pub fn token_header(app: &App, token: &Secret) -> Result<(HeaderName, HeaderValue)> {
    let name = HeaderName::from_bytes(app.token_header_name.as_bytes())
        .map_err(|e| Error::Other(format!("apps.{}.token_header_name: {e}", app.name)))?;
    let mut value = HeaderValue::from_str(&app.token_format.replace("{token}", token.expose()))
        .map_err(|_| {
            Error::Other(format!(
                "the token of `{}` is not a valid header value",
                app.name
            ))
        })?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// Prints headers for `-v`. The token's header is shown as its format with `***`
/// where the token goes (`Bearer ***`, `k=*** v=1`): the credential never, wherever
/// the format puts it. Any other sensitive value is hidden whole.
fn show_headers(
    prefix: char,
    headers: &HeaderMap,
    token: Option<(&HeaderName, &str)>,
    verbose: Verbose,
) {
    for (name, value) in headers {
        let shown = match token {
            Some((token_name, format)) if name == token_name => format.replace("{token}", "***"),
            _ if value.is_sensitive() => "***".to_owned(),
            _ => crate::text::printable(&String::from_utf8_lossy(value.as_bytes())),
        };
        verbose(prefix, &format!("{name}: {shown}"));
    }
}

/// The token a request carries, the DPoP key it is bound to, if any, and the state
/// directory the gate reads (what resources said of their issuers).
#[derive(Clone, Copy)]
pub struct Carried<'a> {
    pub token: &'a crate::tokens::StoredToken,
    pub dpop: Option<&'a crate::dpop::Dpop>,
    pub state_dir: &'a std::path::Path,
}

/// Sends `plan`, attaching the token where the app allows (with a fresh DPoP proof
/// for each request when it is bound), following redirects by hand when asked.
pub async fn send(
    clients: &Clients,
    app: &App,
    plan: &Plan,
    carried: Option<Carried<'_>>,
    verbose: Verbose<'_>,
) -> Result<Outcome> {
    let token_header = match carried {
        // A DPoP-bound token goes in `Authorization: DPoP …` (RFC 9449 §7.1).
        Some(Carried {
            token,
            dpop: Some(_),
            ..
        }) => {
            let mut value = HeaderValue::from_str(&format!("DPoP {}", token.access_token.expose()))
                .map_err(|_| {
                    Error::Other(format!(
                        "the token of `{}` is not a valid header value",
                        app.name
                    ))
                })?;
            value.set_sensitive(true);
            Some((reqwest::header::AUTHORIZATION, value))
        }
        Some(Carried {
            token, dpop: None, ..
        }) => Some(token_header(app, &token.access_token)?),
        None => None,
    };
    let shown_format = match carried {
        Some(Carried { dpop: Some(_), .. }) => "DPoP {token}",
        _ => app.token_format.as_str(),
    };
    let mut method = plan.method.clone();
    let mut url = plan.url.clone();
    let mut body = plan.body.clone();
    let mut redirects = 0;
    let mut attach = token_header.is_some();
    loop {
        let mut headers = plan.headers.clone();
        // The gate, at each release: the first request's refusal is an error, a
        // redirect's only drops the token.
        let released = match (&token_header, carried) {
            (Some(_), Some(c)) if attach => {
                let to = crate::gate::To::Http {
                    url: &url,
                    proxy: plan.proxy.as_ref(),
                    headers: Some(&headers),
                };
                match crate::gate::check(c.state_dir, app, c.token, &to) {
                    Ok(()) => true,
                    Err(e) if redirects == 0 => return Err(e),
                    Err(e) => {
                        verbose('*', &format!("not sending the token: {e}"));
                        false
                    }
                }
            }
            _ => false,
        };
        let token_sent = match &token_header {
            Some((name, value)) if released => {
                headers.insert(name.clone(), value.clone());
                if let Some(Carried {
                    token,
                    dpop: Some(dpop),
                    ..
                }) = carried
                {
                    let proof = dpop
                        .proof(
                            crate::dpop::Server::Resource,
                            method.as_str(),
                            &url,
                            Some(&token.access_token),
                        )
                        .map_err(|e| Error::Other(format!("the DPoP proof: {e}")))?;
                    let mut value = HeaderValue::from_str(proof.expose()).map_err(|_| {
                        Error::Other("the DPoP proof is not a valid header value".into())
                    })?;
                    value.set_sensitive(true);
                    headers.insert(HeaderName::from_static("dpop"), value);
                }
                true
            }
            _ => false,
        };
        if !headers.contains_key(reqwest::header::USER_AGENT) {
            headers.insert(
                reqwest::header::USER_AGENT,
                HeaderValue::from_static(crate::http::USER_AGENT),
            );
        }
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        verbose('>', &format!("{method} {target} HTTP/1.1"));
        verbose('>', &format!("host: {}", host_header(&url)));
        show_headers(
            '>',
            &headers,
            token_header.as_ref().map(|(n, _)| (n, shown_format)),
            verbose,
        );
        let response = match &clients.plain {
            Some(plain) if plain.applies(&url, &body) => plain.send(&method, &url, headers).await?,
            _ => {
                let client = match &clients.bare {
                    Some(bare) if !released => bare,
                    _ => &clients.client,
                };
                let request = client
                    .request(method.clone(), url.as_str())
                    .headers(headers);
                body.attach(request)
                    .await?
                    .send()
                    .await
                    .map_err(|e| transfer_error(&url, &e))?
            }
        };
        verbose(
            '<',
            &format!("{:?} {}", response.version(), response.status()),
        );
        show_headers('<', response.headers(), None, verbose);

        if let (
            Some(Carried {
                dpop: Some(dpop), ..
            }),
            Some(nonce),
        ) = (
            carried,
            response
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok()),
        ) {
            dpop.remember(crate::dpop::Server::Resource, &url, nonce);
        }
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let Some(next) = location.filter(|_| plan.follow && status.is_redirection()) else {
            return Ok(Outcome {
                response,
                url,
                redirects,
                token_sent,
            });
        };
        if redirects >= plan.max_redirs {
            return Err(Error::Transfer {
                code: 47,
                message: format!(
                    "curl: (47) Maximum ({}) redirects followed",
                    plan.max_redirs
                ),
            });
        }
        redirects += 1;
        if attach && !policy::same_origin(&url, &next) {
            // The token belongs to the origin it was sent to; never forward it.
            attach = false;
            if token_header.is_some() {
                verbose(
                    '*',
                    &format!(
                        "not forwarding the token to {} (another origin)",
                        next.origin().ascii_serialization()
                    ),
                );
            }
        }
        match status {
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER
                if method != Method::HEAD =>
            {
                method = Method::GET;
                body = Body::Empty;
            }
            _ if !body.replayable() => {
                return Err(Error::Usage(format!(
                    "cannot follow the {status} redirect: the body came from standard input and cannot be sent again"
                )));
            }
            _ => {}
        }
        verbose('*', &format!("following the redirect to {next}"));
        url = next;
    }
}

/// Sends `plan` with the token of `access` attached where the app allows (bound to
/// `dpop` when the server issued a DPoP token). A DPoP `use_dpop_nonce` challenge is
/// answered once with the nonce the server named. After a 401 to a request that
/// carried a token which was not just refreshed (and whose body can be sent again),
/// asks `renew` once for another token and retries, unless `vet` (shown that 401)
/// says no more tokens may go there. Runs on `runtime`; `renew`
/// (keyring, refresh) runs outside it, as it blocks.
#[allow(clippy::too_many_arguments)]
pub fn send_with_token(
    runtime: &tokio::runtime::Runtime,
    client: &Clients,
    app: &App,
    plan: &Plan,
    access: crate::tokens::Access,
    dpop: Option<&crate::dpop::Dpop>,
    mut renew: impl FnMut(&Secret) -> Result<crate::tokens::Access>,
    mut vet: impl FnMut(&Outcome) -> Result<()>,
    state_dir: &std::path::Path,
    verbose: Verbose<'_>,
) -> Result<Outcome> {
    let bound = |access: &crate::tokens::Access| {
        dpop.filter(|_| access.token.token_type.as_deref() == Some("dpop"))
    };
    let attempt = |access: &crate::tokens::Access, verbose: Verbose<'_>| {
        let carried = Carried {
            token: &access.token,
            dpop: bound(access),
            state_dir,
        };
        let mut outcome =
            runtime.block_on(send(client, app, plan, Some(carried), &mut *verbose))?;
        if carried.dpop.is_some()
            && outcome.response.status() == StatusCode::UNAUTHORIZED
            && outcome.response.headers().contains_key("dpop-nonce")
            && crate::dpop::asks_for_nonce(
                outcome
                    .response
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok()),
                b"",
            )
            && plan.body.replayable()
        {
            verbose(
                '*',
                "the server asks for a DPoP nonce: sending the proof again with it",
            );
            outcome = runtime.block_on(send(client, app, plan, Some(carried), verbose))?;
        }
        Ok::<_, Error>(outcome)
    };
    let outcome = attempt(&access, &mut *verbose)?;
    if outcome.response.status() != StatusCode::UNAUTHORIZED
        || !outcome.token_sent
        || access.refreshed
        || !plan.body.replayable()
    {
        return Ok(outcome);
    }
    // Before another token goes the same way: may it? (RFC 9728, see `binding`)
    vet(&outcome)?;
    verbose(
        '*',
        "401 with a token that was not just refreshed: refreshing once and retrying",
    );
    let fresh = renew(&access.token.access_token)?;
    attempt(&fresh, verbose)
}

/// A transport failure, with curl's exit code where it has a well-known one.
pub fn transfer_error(url: &Url, e: &reqwest::Error) -> Error {
    transfer_failure(
        url,
        e.is_timeout(),
        e.is_connect(),
        crate::http::innermost(e),
    )
}

/// [`transfer_error`] of a failure that timed out or not, in connecting or after,
/// whose innermost cause is `source` (either transport's).
fn transfer_failure(
    url: &Url,
    timeout: bool,
    connect: bool,
    source: &dyn std::error::Error,
) -> Error {
    // host:port: which of the host's services it was.
    let host = crate::http::authority(url);
    if timeout {
        let message = format!("curl: (28) the request to {host} timed out");
        return Error::Transfer { code: 28, message };
    }
    let reason = source.to_string();
    if connect && reason.to_ascii_lowercase().contains("certificate") {
        let message = format!(
            "curl: (60) the TLS certificate of {host} is not trusted: {reason}\n  trust its CA for this call with --cacert FILE, or for the app with `outbound app edit APP --ca-file FILE`"
        );
        return Error::Transfer { code: 60, message };
    }
    if let Some(hint) = crate::http::plain_http_hint(url, &reason) {
        // curl's own code for a TLS handshake that failed.
        let message = format!("curl: (35) TLS with {host} failed: {reason}\n  {hint}");
        return Error::Transfer { code: 35, message };
    }
    if connect {
        let message = format!("cannot reach {host}: {source}");
        return Error::Transfer { code: 1, message };
    }
    // Connected, but the response could not be read (a malformed or oversized head,
    // a connection closed mid-response): curl's "failure receiving data".
    Error::Transfer {
        code: 56,
        message: format!("curl: (56) failure receiving the response from {host}: {source}"),
    }
}
