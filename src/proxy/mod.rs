//! `outbound proxy APP --upstream URL`: a loopback reverse proxy for programs that
//! cannot do OAuth. Each request to it goes to the upstream with a valid token
//! attached (bearer, DPoP proof, client certificate, as the app needs); bodies stream
//! through in both directions (uploads, downloads, Server-Sent Events held open for
//! hours), never buffered whole.
//!
//! Who may use it: only local processes, and of those only the ones that know its
//! address — a random capability prefix in the path (`/Xy…/`), or a Unix socket
//! (0600) with `--socket`. Where it may go: only the upstream's origin; a request in
//! absolute form is refused, and a redirect is handed to the client as is (the token
//! never follows it).
//!
//! How: hyper serves the client and reqwest calls the upstream (the general path),
//! except for GETs and HEADs to a plain-http upstream on the loopback port, which
//! take the direct path (`direct.rs`: heads read here, bodies spliced by `splice.rs`).
//! Both decide where a request goes and what it carries with `plan` and `attach`.

mod direct;
mod splice;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use url::Url;

use crate::app::App;
use crate::error::{Error, Result};
use crate::gate::Live;
use crate::tokens::StoredToken;

type Body = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// How long open requests may take to finish after SIGTERM or Ctrl-C.
const GRACE: Duration = Duration::from_secs(10);

/// Headers that belong to one connection (RFC 9110 §7.6.1), never forwarded.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub struct Proxy {
    /// The app as it was at start: what never changes while serving (its proxy, the
    /// client built for it). Each release uses the app as [`Live`] says it is now.
    pub app: App,
    pub upstream: Url,
    pub client: reqwest::Client,
    pub tokens: Live,
    pub dpop: Option<crate::dpop::Dpop>,
    /// The capability prefix (without slashes); None on a Unix socket.
    pub prefix: Option<String>,
    /// GETs and HEADs take the direct path (`direct.rs`): the upstream is plain http
    /// and reached without a proxy ([`direct_path`]).
    pub direct: bool,
    pub verbose: bool,
}

/// Where the proxy listens.
pub enum Listen {
    Tcp(SocketAddr),
    #[cfg(unix)]
    Unix(std::path::PathBuf),
}

/// Whether GETs and HEADs to `upstream` may take the direct path: plain http (the
/// splice needs the bytes as they are on the wire) and no proxy between (the app's,
/// or the environment's that reqwest would use).
pub fn direct_path(app: &App, upstream: &Url) -> bool {
    upstream.scheme() == "http" && crate::http::proxy_for(app.proxy.as_ref(), upstream).is_none()
}

/// A random capability prefix: 128 bits, URL-safe.
pub fn new_prefix() -> Result<String> {
    crate::oauth::flow::random_token(16).map_err(Error::Other)
}

/// Serves until SIGTERM or SIGINT, then lets open requests finish for `GRACE`.
/// `ready` is told the address once it listens.
pub fn serve(proxy: Proxy, listen: Listen, ready: impl FnOnce(&str) -> Result<()>) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the proxy's runtime", e))?;
    runtime.block_on(async move {
        let shared = Arc::new(proxy);
        // Draining: each connection is told to finish what it serves, and is waited
        // for (hyper-util's GracefulShutdown does not take upgradeable connections).
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let open = tokio_util::task::TaskTracker::new();
        crate::signals::handled_by_server();
        raise_open_files();
        let stopped = stop_requested()?;
        tokio::pin!(stopped);
        macro_rules! accept_loop {
            ($listener:expr, $serve:expr) => {
                loop {
                    tokio::select! {
                        accepted = $listener.accept() => {
                            let Ok((stream, _)) = accepted else {
                                // Out of descriptors (EMFILE) or the like: let open
                                // requests end before trying again, rather than spin.
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                continue;
                            };
                            open.spawn($serve(Arc::clone(&shared), stream, stopping.clone()));
                        }
                        _ = &mut stopped => break,
                    }
                }
            };
        }
        match listen {
            Listen::Tcp(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| Error::io(format!("cannot listen on {addr}"), e))?;
                let local = listener
                    .local_addr()
                    .map_err(|e| Error::io("the proxy has no address", e))?;
                let prefix = shared.prefix.as_deref().unwrap_or_default();
                ready(&format!("http://{local}/{prefix}/"))?;
                accept_loop!(listener, tcp_connection);
            }
            #[cfg(unix)]
            Listen::Unix(path) => {
                let listener = private_socket(&path)?;
                ready(&path.display().to_string())?;
                accept_loop!(listener, serve_unix);
                let _ = std::fs::remove_file(&path);
            }
        }
        // Draining: open requests (streams included) get the grace period.
        let _ = stop.send(true);
        open.close();
        let _ = tokio::time::timeout(GRACE, open.wait()).await;
        Ok(())
    })
}

/// Resolves when the proxy is asked to stop: SIGTERM or SIGINT (Ctrl-C).
#[cfg(unix)]
fn stop_requested() -> Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| Error::io("cannot watch SIGTERM", e))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| Error::io("cannot watch SIGINT", e))?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Resolves when the proxy is asked to stop: Ctrl-C or Ctrl-Break in its console.
#[cfg(windows)]
fn stop_requested() -> Result<impl Future<Output = ()>> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    let mut c = ctrl_c().map_err(|e| Error::io("cannot watch Ctrl-C", e))?;
    let mut brk = ctrl_break().map_err(|e| Error::io("cannot watch Ctrl-Break", e))?;
    Ok(async move {
        tokio::select! {
            _ = c.recv() => {}
            _ = brk.recv() => {}
        }
    })
}

/// A Unix socket at `path` that never exists with loose permissions: bound inside a
/// new private (0700) directory beside it, made 0600, then renamed into place.
#[cfg(unix)]
fn private_socket(path: &std::path::Path) -> Result<tokio::net::UnixListener> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let private = tempfile::Builder::new()
        .prefix(".outbound-proxy.")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(dir)
        .map_err(|e| {
            Error::io(
                format!("cannot create a private directory in {}", dir.display()),
                e,
            )
        })?;
    let staged = private.path().join("socket");
    let listener = tokio::net::UnixListener::bind(&staged)
        .map_err(|e| Error::io(format!("cannot listen on {}", path.display()), e))?;
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io(format!("cannot restrict {}", path.display()), e))?;
    // rename(2) replaces what was there (a stale socket of an earlier run).
    std::fs::rename(&staged, path)
        .map_err(|e| Error::io(format!("cannot put the socket at {}", path.display()), e))?;
    Ok(listener)
}

/// A connection on `--socket`: served only when its peer is this user (as the
/// agent's); anyone else is hung up on.
#[cfg(unix)]
async fn serve_unix(
    shared: Arc<Proxy>,
    stream: tokio::net::UnixStream,
    stopping: tokio::sync::watch::Receiver<bool>,
) {
    // SAFETY: getuid has no preconditions and cannot fail.
    let ours = unsafe { libc::getuid() };
    match stream.peer_cred() {
        Ok(cred) if cred.uid() == ours => serve_hyper(shared, stream, stopping).await,
        Ok(cred) => {
            if shared.verbose {
                eprintln!("proxy: refused a connection from uid {}", cred.uid());
            }
        }
        Err(_) => {}
    }
}

/// Up to the hard limit of open files: a download on the direct path holds four
/// descriptors (two sockets, a pipe), an open stream on the general path two, and a
/// desktop's default soft limit (1024) would cap them at a few hundred.
fn raise_open_files() {
    #[cfg(unix)]
    // SAFETY: getrlimit fills the struct it is given; setrlimit only raises the soft
    // limit to the hard one, and a failure changes nothing.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// A client's TCP connection: requests the direct path takes are served there, the
/// first one it does not take hands the connection (and what was read of it) to
/// hyper. Between requests, a stop closes it.
async fn tcp_connection(
    shared: Arc<Proxy>,
    mut stream: tokio::net::TcpStream,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    // Small answers go out at once (no Nagle delay against the client's delayed ACK).
    let _ = stream.set_nodelay(true);
    let mut read = bytes::BytesMut::new();
    if shared.direct {
        loop {
            let next = tokio::select! {
                next = direct::next_request(&shared, &mut stream, &mut read) => next,
                _ = stopping.changed() => return,
            };
            match next {
                direct::Next::Closed => return,
                direct::Next::Other => break,
                direct::Next::Direct(request) => {
                    if !direct::serve(&shared, &mut stream, *request).await || *stopping.borrow() {
                        return;
                    }
                }
            }
        }
    }
    serve_hyper(
        shared,
        Rewind {
            read: read.freeze(),
            inner: stream,
        },
        stopping,
    )
    .await
}

/// One connection served by hyper until it closes; told to finish when the proxy
/// stops.
async fn serve_hyper<S>(
    shared: Arc<Proxy>,
    stream: S,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(handle(shared, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopping.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A connection whose first bytes were already read: they are read again first.
struct Rewind {
    read: Bytes,
    inner: tokio::net::TcpStream,
}

impl tokio::io::AsyncRead for Rewind {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if !this.read.is_empty() {
            let n = buf.remaining().min(this.read.len());
            buf.put_slice(&this.read.split_to(n));
            return std::task::Poll::Ready(Ok(()));
        }
        std::pin::Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Rewind {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(format!("{text}\n")))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn handle(shared: Arc<Proxy>, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = forward(&shared, req).await;
    log(&shared, &method, &path, response.status().as_u16(), started);
    response
}

/// With `--verbose`, one line per request: the method, the path after the
/// capability prefix (no query, no header, no token), the status and the time.
fn log(proxy: &Proxy, method: &hyper::Method, path: &str, status: u16, started: Instant) {
    if !proxy.verbose {
        return;
    }
    let path = match &proxy.prefix {
        Some(p) => path
            .strip_prefix(&format!("/{p}"))
            .unwrap_or("(no capability)"),
        None => path,
    };
    eprintln!(
        "proxy: {method} {} -> {status} ({} ms)",
        crate::text::printable(path),
        started.elapsed().as_millis()
    );
}

/// Where a request goes and with which headers (the token not yet attached); the
/// status and text to answer instead when it may not go.
type Refusal = (StatusCode, &'static str);

fn plan(
    proxy: &Proxy,
    req: &hyper::http::request::Parts,
) -> std::result::Result<(Url, reqwest::header::HeaderMap), Refusal> {
    if req.uri.authority().is_some() || req.uri.scheme().is_some() {
        return Err((
            StatusCode::BAD_REQUEST,
            "this proxy forwards only to its upstream: send the path, not an absolute URL",
        ));
    }
    let path = req.uri.path();
    let rest = match &proxy.prefix {
        Some(prefix) => match path.strip_prefix(&format!("/{prefix}")) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            _ => return Err((StatusCode::NOT_FOUND, "not found")),
        },
        None => path,
    };
    let mut url = proxy.upstream.clone();
    let base = proxy.upstream.path().trim_end_matches('/');
    url.set_path(&format!(
        "{base}{}",
        if rest.is_empty() { "/" } else { rest }
    ));
    url.set_query(req.uri.query());
    Ok((url, outgoing_headers(&req.headers, &proxy.app)))
}

async fn forward(proxy: &Proxy, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let (url, mut headers) = match plan(proxy, &parts) {
        Ok(planned) => planned,
        Err((status, text)) => return plain(status, text),
    };
    let mut req = Request::from_parts(parts, body);
    // A body that may not be there can be sent again after a refresh; a streamed one
    // cannot.
    let no_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_none_or(|v| v == "0")
        && !req.headers().contains_key(header::TRANSFER_ENCODING);
    let method = req.method().clone();
    // A protocol upgrade (WebSocket): asked for upstream too, and once both sides
    // switched, bytes are copied both ways.
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .filter(|_| {
            req.headers()
                .get_all(header::CONNECTION)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.to_ascii_lowercase().contains("upgrade"))
        })
        .cloned();
    let client_side = upgrade.as_ref().map(|_| hyper::upgrade::on(&mut req));
    if let Some(protocol) = &upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, protocol.clone());
    }
    let body = if no_body {
        None
    } else {
        Some(reqwest::Body::wrap_stream(
            req.into_body().into_data_stream(),
        ))
    };
    let upgraded = upgrade.is_some();
    let send = |(app, token): (Arc<App>, StoredToken), body: Option<reqwest::Body>| {
        let mut headers = headers.clone();
        let url = url.clone();
        let method = method.clone();
        async move {
            if let Err(e) = attach(&mut headers, proxy, &app, &token, &method, &url) {
                return Err(plain(StatusCode::BAD_GATEWAY, &e));
            }
            let mut request = proxy.client.request(method, url.as_str()).headers(headers);
            if upgraded {
                // Upgrades are HTTP/1.1's.
                request = request.version(reqwest::Version::HTTP_11);
            }
            if let Some(body) = body {
                request = request.body(body);
            }
            request.send().await.map_err(|e| {
                plain(
                    StatusCode::BAD_GATEWAY,
                    &format!(
                        "the upstream did not answer: {}",
                        crate::text::printable(&e.to_string())
                    ),
                )
            })
        }
    };
    let released = match proxy.release(&url, None).await {
        Ok(released) => released,
        Err(e) => return not_released(&e),
    };
    let sent = released.1.access_token.clone();
    let first = match send(released, body).await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let response = if first.status() == reqwest::StatusCode::UNAUTHORIZED {
        // A resource that trusts other authorization servers gets no other token.
        if let Err(e) = proxy.tokens.learn(&url, challenge(first.headers())).await {
            return not_released(&e);
        }
        if !no_body {
            first
        } else {
            // Refreshed once, and sent again; a refusal is said (the account was
            // logged out, disabled…), a failure to refresh passes the 401 on.
            match proxy.release(&url, Some(&sent)).await {
                Ok(fresh) => match send(fresh, None).await {
                    Ok(r) => r,
                    Err(refused) => return refused,
                },
                Err(e) if is_refusal(&e) => return not_released(&e),
                Err(_) => first,
            }
        }
    } else {
        first
    };
    if response.status() == reqwest::StatusCode::SWITCHING_PROTOCOLS
        && let Some(client_side) = client_side
    {
        let mut out = Response::builder().status(StatusCode::SWITCHING_PROTOCOLS);
        if let Some(h) = out.headers_mut() {
            for (name, value) in response.headers() {
                h.append(name.clone(), value.clone());
            }
        }
        tokio::spawn(async move {
            if let (Ok(client), Ok(mut upstream)) = (client_side.await, response.upgrade().await) {
                let mut client = hyper_util::rt::TokioIo::new(client);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        });
        return out
            .body(
                Full::new(Bytes::new())
                    .map_err(|never| match never {})
                    .boxed(),
            )
            .unwrap_or_else(|_| plain(StatusCode::BAD_GATEWAY, "the upgrade cannot be passed on"));
    }
    let mut out = Response::builder().status(response.status().as_u16());
    if let Some(h) = out.headers_mut() {
        for (name, value) in response.headers() {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                h.append(name.clone(), value.clone());
            }
        }
    }
    let stream = response
        .bytes_stream()
        .map_ok(Frame::data)
        .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
    out.body(BodyExt::boxed(StreamBody::new(stream)))
        .unwrap_or_else(|_| {
            plain(
                StatusCode::BAD_GATEWAY,
                "the upstream's answer cannot be passed on",
            )
        })
}

/// The client's headers as sent upstream: not the hop-by-hop ones, not `Host` (the
/// upstream's is set), not the client's own credentials for the upstream.
fn outgoing_headers(incoming: &HeaderMap, app: &App) -> reqwest::header::HeaderMap {
    let own = app.token_header_name.to_ascii_lowercase();
    // Headers the client named in `Connection` are its own with this hop too.
    let named: Vec<String> = incoming
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut out = reqwest::header::HeaderMap::new();
    for (name, value) in incoming {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || n == "host"
            || n == "authorization"
            || n == "dpop"
            || n == own
            || named.iter().any(|c| c == n)
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The `WWW-Authenticate` challenge of a 401, if any.
fn challenge(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// What the client is told when the gate let no token go (403, with outbound's exit
/// code for the same refusal in `outbound-exit`), or when none could be had (502).
fn not_released(e: &Error) -> Response<Body> {
    let (status, text) = refusal(e);
    let mut response = plain(status, &text);
    response
        .headers_mut()
        .insert("outbound-exit", HeaderValue::from(u16::from(e.exit_code())));
    response
}

use crate::gate::is_refusal;

/// The status and text for a token that was not released: refusals are 403.
fn refusal(e: &Error) -> (StatusCode, String) {
    if let Error::UnknownApp { name, file, .. } = e {
        // Not the list of the other apps: the client is a program, not the owner.
        let text = format!(
            "outbound: the application `{name}` is no longer defined in {}",
            file.display()
        );
        return (StatusCode::FORBIDDEN, text);
    }
    if is_refusal(e) {
        (StatusCode::FORBIDDEN, format!("outbound: {e}"))
    } else {
        (StatusCode::BAD_GATEWAY, format!("outbound: no token: {e}"))
    }
}

impl Proxy {
    /// The app as it is now and a token the gate lets go to `url` now.
    async fn release(
        &self,
        url: &Url,
        refused: Option<&crate::secret::Secret>,
    ) -> Result<(Arc<App>, StoredToken)> {
        self.tokens
            .release(url, self.app.proxy.as_ref(), refused)
            .await
    }
}

/// The token (and its DPoP proof) on one request.
fn attach(
    headers: &mut reqwest::header::HeaderMap,
    proxy: &Proxy,
    app: &App,
    token: &StoredToken,
    method: &hyper::Method,
    url: &Url,
) -> std::result::Result<(), String> {
    let dpop = proxy
        .dpop
        .as_ref()
        .filter(|_| token.token_type.as_deref() == Some("dpop"));
    if let Some(dpop) = dpop {
        let proof = dpop.proof(
            crate::dpop::Server::Resource,
            method.as_str(),
            url,
            Some(&token.access_token),
        )?;
        let mut auth = HeaderValue::from_str(&format!("DPoP {}", token.access_token.expose()))
            .map_err(|_| "the token is not a valid header value".to_owned())?;
        auth.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, auth);
        let mut proof = HeaderValue::from_str(proof.expose())
            .map_err(|_| "the DPoP proof is not a valid header value".to_owned())?;
        proof.set_sensitive(true);
        headers.insert(HeaderName::from_static("dpop"), proof);
        return Ok(());
    }
    let (name, value) =
        crate::request::token_header(app, &token.access_token).map_err(|e| e.to_string())?;
    headers.insert(name, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_own_headers_stay_with_it() {
        let text = "[apps.svc]\nid = \"a1\"\nclient_id = \"c\"\ngrant = \"client_credentials\"\nclient_auth = \"none\"\ntoken_url = \"https://as.example/token\"\ntoken_header_name = \"X-Api-Key\"\n";
        let config = crate::config::Config::parse(std::path::Path::new("apps.toml"), text)
            .unwrap_or_else(|e| panic!("{}", e.error));
        let app = config.app("svc").unwrap();
        let mut incoming = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, X-Hop"),
            ("x-hop", "1"),
            ("x-kept", "2"),
            ("host", "127.0.0.1:9"),
            ("authorization", "Bearer stolen"),
            ("x-api-key", "stolen"),
            ("dpop", "proof"),
            ("te", "trailers"),
        ] {
            incoming.append(name, HeaderValue::from_static(value));
        }
        let out = outgoing_headers(&incoming, app);
        let names: Vec<&str> = out.keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["x-kept"]);
    }
}
