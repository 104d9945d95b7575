//! The proxy's direct path, for the requests downloads are made of: a GET or HEAD
//! without a body, to a plain-http upstream reached without a proxy. Its head is
//! read here (by httparse, as hyper does), checked and rewritten by the same code as
//! every other request ([`super::plan`]), and sent on a fresh upstream connection
//! (`Connection: close`); the answer's head is read, filtered and passed on, and its
//! body goes from one socket to the other by splice(2) ([`super::splice`]) instead
//! of through hyper's buffers: a proxied GiB then costs the proxy about half the CPU
//! (BENCHMARKS.md).
//!
//! Everything else (requests with a body, upgrades, HTTP/1.0, a head this code does
//! not take) is handed to hyper with the bytes already read, for the rest of that
//! connection.

use std::io::Write as _;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use super::{HOP_BY_HOP, Proxy};
use crate::tokens::StoredToken;

/// The longest head read here: a longer request head is hyper's to judge (it takes
/// up to ~400 KiB), a longer answer head is a 502.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;
/// As the upstream client hyper's path uses (`crate::http`'s connect timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What came next on a client's connection.
pub enum Next {
    /// A request this path serves; its head has been consumed.
    Direct(Box<Request>),
    /// Something for hyper; nothing consumed.
    Other,
    /// The client left.
    Closed,
}

pub struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    /// The path as the client sent it (for `--verbose`).
    path: String,
    keep_alive: bool,
}

/// Reads the next request head into `read` (which keeps what was read, for hyper).
pub async fn next_request(proxy: &Proxy, client: &mut TcpStream, read: &mut BytesMut) -> Next {
    loop {
        if !read.is_empty() {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut head = httparse::Request::new(&mut headers);
            match head.parse(read) {
                Ok(httparse::Status::Complete(len)) => {
                    let Some(request) = taken(proxy, &head) else {
                        return Next::Other;
                    };
                    read.advance(len);
                    return Next::Direct(Box::new(request));
                }
                Ok(httparse::Status::Partial) if read.len() < MAX_HEAD => {}
                // Too long or not HTTP: hyper gives the answer.
                _ => return Next::Other,
            }
        }
        match client.read_buf(read).await {
            Ok(0) if read.is_empty() => return Next::Closed,
            Ok(0) => return Next::Other,
            Ok(_) => {}
            Err(_) => return Next::Closed,
        }
    }
}

/// The request, when this path takes it.
fn taken(proxy: &Proxy, head: &httparse::Request) -> Option<Request> {
    if head.version != Some(1) {
        return None;
    }
    let method = match head.method? {
        "GET" => Method::GET,
        "HEAD" => Method::HEAD,
        _ => return None,
    };
    let mut request = hyper::Request::builder()
        .method(method.clone())
        .uri(head.path?)
        .version(hyper::Version::HTTP_11);
    for h in head.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(h.value).ok()?;
        request = request.header(name, value);
    }
    let (parts, ()) = request.body(()).ok()?.into_parts();
    let has = |name: &HeaderName| parts.headers.contains_key(name);
    // Every Content-Length must say 0: two that disagree are hyper's to refuse.
    if parts
        .headers
        .get_all(header::CONTENT_LENGTH)
        .iter()
        .any(|v| v != "0")
        || has(&header::TRANSFER_ENCODING)
        || has(&header::UPGRADE)
        || has(&header::EXPECT)
    {
        return None;
    }
    let (url, mut headers) = super::plan(proxy, &parts).ok()?;
    headers.remove(header::CONTENT_LENGTH);
    let keep_alive = !parts
        .headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("close"));
    Some(Request {
        method,
        url,
        headers,
        path: parts.uri.path().to_owned(),
        keep_alive,
    })
}

/// Serves one request; false when the client's connection is to be closed. A
/// client that hangs up meanwhile ends it at once (the upstream connection with it),
/// as hyper's path does, rather than when the upstream next writes.
pub async fn serve(proxy: &Proxy, client: &mut TcpStream, request: Request) -> bool {
    let client = &*client;
    let reply = Reply {
        proxy,
        client,
        request: &request,
        started: Instant::now(),
    };
    let kept = tokio::select! {
        kept = exchange(&reply) => kept,
        () = hung_up(client) => false,
    };
    kept && request.keep_alive
}

/// Returns when the client has closed its side; never while the next request is
/// already waiting there.
async fn hung_up(client: &TcpStream) {
    let mut byte = [0u8; 1];
    if let Ok(1..) = client.peek(&mut byte).await {
        std::future::pending::<()>().await;
    }
}

/// Where one answer goes, and the `--verbose` line said once its head is out.
struct Reply<'a> {
    proxy: &'a Proxy,
    client: &'a TcpStream,
    request: &'a Request,
    started: Instant,
}

impl Reply<'_> {
    /// Writes the head (and whatever body came with it); false when the client is
    /// gone.
    async fn head(&self, status: StatusCode, bytes: &[u8]) -> bool {
        let sent = super::splice::write_all(self.client, bytes).await.is_ok();
        let request = self.request;
        super::log(
            self.proxy,
            &request.method,
            &request.path,
            status.as_u16(),
            self.started,
        );
        sent
    }
}

async fn exchange(reply: &Reply<'_>) -> bool {
    let (proxy, request) = (reply.proxy, reply.request);
    let url = &request.url;
    let released = match proxy.release(url, None).await {
        Ok(released) => released,
        Err(e) => return not_released(reply, &e).await,
    };
    let mut upstream = match send(proxy, request, &released).await {
        Ok(u) => u,
        Err(e) => return unanswered(reply, e).await,
    };
    if upstream.status == StatusCode::UNAUTHORIZED {
        // A resource that trusts other authorization servers gets no other token.
        if let Err(e) = proxy
            .tokens
            .learn(url, super::challenge(&upstream.headers))
            .await
        {
            return not_released(reply, &e).await;
        }
        // Refreshed once, and sent again; a refusal is said, and without a new
        // token for another reason the 401 goes back.
        match proxy.release(url, Some(&released.1.access_token)).await {
            Ok(fresh) => {
                upstream = match send(proxy, request, &fresh).await {
                    Ok(u) => u,
                    Err(e) => return unanswered(reply, e).await,
                };
            }
            Err(e) if super::is_refusal(&e) => return not_released(reply, &e).await,
            Err(_) => {}
        }
    }
    relay(reply, upstream).await
}

/// The upstream's answer, its head read.
struct Upstream {
    stream: TcpStream,
    status: StatusCode,
    headers: HeaderMap,
    /// What was read after the head: the start of the body.
    rest: BytesMut,
}

async fn send(
    proxy: &Proxy,
    request: &Request,
    (app, token): &(std::sync::Arc<crate::app::App>, StoredToken),
) -> std::io::Result<Upstream> {
    let other = |why: &str| std::io::Error::other(why.to_owned());
    let url = &request.url;
    let mut headers = request.headers.clone();
    super::attach(&mut headers, proxy, app, token, &request.method, url).map_err(|e| other(&e))?;
    // What reqwest adds on the general path, when the client did not say.
    if !headers.contains_key(header::USER_AGENT) {
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(crate::http::USER_AGENT),
        );
    }
    if !headers.contains_key(header::ACCEPT) {
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let mut stream = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect(format!("{host}:{port}")),
    )
    .await
    .map_err(|_| other("connecting timed out"))??;
    let _ = stream.set_nodelay(true);
    let mut head = Vec::with_capacity(1024);
    let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let authority = &url[url::Position::BeforeHost..url::Position::AfterPort];
    let _ = write!(
        head,
        "{} {target} HTTP/1.1\r\nhost: {authority}\r\n",
        request.method
    );
    for (name, value) in &headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    stream.write_all(&head).await?;
    let mut read = BytesMut::with_capacity(16 * 1024);
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&read) {
            Ok(httparse::Status::Complete(len)) => {
                let code = response.code.unwrap_or_default();
                let status = StatusCode::from_u16(code)
                    .map_err(|_| other(&format!("status {code} is not HTTP")))?;
                let mut out = HeaderMap::new();
                for h in response.headers.iter() {
                    let name = HeaderName::from_bytes(h.name.as_bytes())
                        .map_err(|_| other("a header name that is not HTTP"))?;
                    let value = HeaderValue::from_bytes(h.value)
                        .map_err(|_| other("a header value that is not HTTP"))?;
                    out.append(name, value);
                }
                read.advance(len);
                if status.is_informational() {
                    // 100 Continue, 103 Early Hints: the answer comes after.
                    continue;
                }
                return Ok(Upstream {
                    stream,
                    status,
                    headers: out,
                    rest: read,
                });
            }
            Ok(httparse::Status::Partial) if read.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => return Err(other("its answer's head is too long")),
            Err(e) => return Err(other(&format!("its answer is not HTTP ({e})"))),
        }
        if stream.read_buf(&mut read).await? == 0 {
            return Err(other("it closed the connection without answering"));
        }
    }
}

/// How the body ends.
enum Framing {
    None,
    Length(u64),
    /// Until the upstream closes (it was asked to): chunked bytes pass through as
    /// they are, for the client to decode.
    UntilClose,
}

async fn relay(reply: &Reply<'_>, mut upstream: Upstream) -> bool {
    let head_request = reply.request.method == Method::HEAD;
    let status = upstream.status;
    let chunked = upstream.headers.contains_key(header::TRANSFER_ENCODING);
    let framing =
        if head_request || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            Framing::None
        } else if chunked {
            Framing::UntilClose
        } else {
            match content_length(&upstream.headers) {
                Ok(Some(n)) => Framing::Length(n),
                Ok(None) => Framing::UntilClose,
                Err(()) => {
                    return answer(
                        reply,
                        StatusCode::BAD_GATEWAY,
                        "the upstream's answer has an invalid Content-Length",
                    )
                    .await;
                }
            }
        };
    let mut head = Vec::with_capacity(1024 + upstream.rest.len());
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &upstream.headers {
        let n = name.as_str();
        // Transfer-Encoding stays when the encoded bytes pass through; a
        // Content-Length beside it is void (RFC 9112 §6.3), and one that frames the
        // body is written once, as read.
        let passed = match n {
            "transfer-encoding" => !head_request,
            "content-length" => matches!(framing, Framing::None) && !chunked,
            _ => !HOP_BY_HOP.contains(&n),
        };
        if passed {
            head.extend_from_slice(n.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
    }
    if let Framing::Length(n) = framing {
        let _ = write!(head, "content-length: {n}\r\n");
    }
    if matches!(framing, Framing::UntilClose) || !reply.request.keep_alive {
        head.extend_from_slice(b"connection: close\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let already = match framing {
        Framing::None => 0,
        Framing::Length(n) => upstream
            .rest
            .len()
            .min(usize::try_from(n).unwrap_or(usize::MAX)),
        Framing::UntilClose => upstream.rest.len(),
    };
    head.extend_from_slice(&upstream.rest[..already]);
    if !reply.head(status, &head).await {
        return false;
    }
    let from = &mut upstream.stream;
    match framing {
        Framing::None => true,
        // An upstream that stops short: the client's connection is closed, so it
        // sees a truncated body, not a short one followed by the next answer.
        Framing::Length(n) => super::splice::body(from, reply.client, Some(n - already as u64))
            .await
            .is_ok(),
        Framing::UntilClose => {
            let _ = super::splice::body(from, reply.client, None).await;
            false
        }
    }
}

/// The one Content-Length, digits only (repeated values must agree); None without
/// one.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, ()> {
    let mut found = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        for part in value.to_str().map_err(|_| ())?.split(',') {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            let n: u64 = part.parse().map_err(|_| ())?;
            if found.is_some_and(|f| f != n) {
                return Err(());
            }
            found = Some(n);
        }
    }
    Ok(found)
}

async fn unanswered(reply: &Reply<'_>, e: std::io::Error) -> bool {
    let text = format!(
        "the upstream did not answer: {}",
        crate::text::printable(&e.to_string())
    );
    answer(reply, StatusCode::BAD_GATEWAY, &text).await
}

/// A short plain-text answer of the proxy's own.
async fn answer(reply: &Reply<'_>, status: StatusCode, text: &str) -> bool {
    answer_with(reply, status, "", text).await
}

/// No token was released: the same answer as the general path's.
async fn not_released(reply: &Reply<'_>, e: &crate::error::Error) -> bool {
    let (status, text) = super::refusal(e);
    let extra = format!("outbound-exit: {}\r\n", e.exit_code());
    answer_with(reply, status, &extra, &text).await
}

/// A plain-text answer with `extra` header lines (each ending in CRLF).
async fn answer_with(reply: &Reply<'_>, status: StatusCode, extra: &str, text: &str) -> bool {
    let body = format!("{text}\n");
    // The answer to a HEAD has the length a GET's body would have, and no body.
    let sent = if reply.request.method == hyper::Method::HEAD {
        ""
    } else {
        body.as_str()
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n{extra}\r\n{sent}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    reply.head(status, head.as_bytes()).await
}
