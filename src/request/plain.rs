//! `curl`'s transport for a hop over plain http with no body to send, no proxy and no
//! compression asked for: one HTTP/1.1 connection made with hyper directly, reading
//! at most [`READ_BUFFER`] bytes at a time, as curl does.
//!
//! Why not reqwest here: its client lets hyper's read buffer grow to about 400 KB,
//! and on loopback a 1 GiB download then ran at 0.6–0.85x curl's speed (each read
//! copies more than the cache holds); capped at curl's size it ran at 0.96–1.15x
//! (BENCHMARKS.md). reqwest does not expose the setting (seanmonstar/reqwest#2190).
//! Everything else a request goes through (the gate at every hop, the token header,
//! DPoP, redirects followed by hand, `-v`) happens in [`super::send`] before the
//! transport is chosen; this only moves bytes. TLS, proxies, request bodies and
//! `--compressed` stay on reqwest.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use reqwest::Method;
use reqwest::header::{ACCEPT, HOST, HeaderMap, HeaderValue};
use url::{Host, Url};

use super::body::Body;
use crate::error::{Error, Result};

/// The most hyper reads from the socket at once: curl's buffer size (and so also the
/// largest response head taken, as curl's limit).
const READ_BUFFER: usize = 100 * 1024;

/// When the plain-http transport applies, and its limits.
#[derive(Clone, Debug)]
pub struct Plain {
    /// `--proxy` or the app's: with one, nothing goes here.
    pub proxy: Option<Url>,
    pub connect_timeout: Duration,
    /// `--max-time`: from the start of each hop to the end of its body.
    pub max_time: Option<Duration>,
}

impl Plain {
    /// Whether a hop to `url` with `body` goes over this transport: plain http, no
    /// body, and no proxy for that URL (the same matcher as reqwest's, environment
    /// included).
    pub fn applies(&self, url: &Url, body: &Body) -> bool {
        url.scheme() == "http"
            && body.is_empty()
            && self.proxy.is_none()
            && crate::http::proxy_for(None, url).is_none()
    }

    /// Sends one request and returns its response with the body still to read.
    pub async fn send(
        &self,
        method: &Method,
        url: &Url,
        mut headers: HeaderMap,
    ) -> Result<reqwest::Response> {
        let deadline = self.max_time.map(|t| tokio::time::Instant::now() + t);
        let connect_by = tokio::time::Instant::now() + self.connect_timeout;
        let connect_by = deadline.map_or(connect_by, |d| d.min(connect_by));
        let stream = tokio::time::timeout_at(connect_by, connect(url))
            .await
            .map_err(|_| super::transfer_failure(url, true, true, &TimedOut))?
            .map_err(|e| super::transfer_failure(url, false, true, &e))?;
        // As reqwest's client does: a small request is not held back by Nagle.
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(READ_BUFFER)
            .handshake::<_, http_body_util::Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| failure(url, &e))?;
        // Driven by the command's runtime while the body is read; its errors come
        // out of the response or the body.
        tokio::spawn(connection);

        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        if !headers.contains_key(HOST) {
            let value = HeaderValue::from_str(&super::host_header(url)).map_err(|_| {
                Error::Usage(format!("`{url}` has a host that is not a valid header"))
            })?;
            headers.insert(HOST, value);
        }
        // reqwest's default, so both transports send the same head.
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        let mut request = http::Request::builder()
            .method(method.clone())
            .uri(target)
            .body(http_body_util::Empty::new())
            .map_err(|e| Error::Usage(format!("cannot send a request to {url}: {e}")))?;
        *request.headers_mut() = headers;
        let sending = sender.send_request(request);
        let response = match deadline {
            Some(by) => tokio::time::timeout_at(by, sending)
                .await
                .map_err(|_| super::transfer_failure(url, true, false, &TimedOut))?,
            None => sending.await,
        }
        .map_err(|e| failure(url, &e))?;
        let response = response.map(|inner| {
            reqwest::Body::wrap(TimedBody {
                inner,
                sleep: deadline.map(|by| Box::pin(tokio::time::sleep_until(by))),
            })
        });
        Ok(reqwest::Response::from(response))
    }
}

/// A TCP connection to `url`'s host and port, trying each address it resolves to.
async fn connect(url: &Url) -> std::io::Result<tokio::net::TcpStream> {
    let port = url.port_or_known_default().unwrap_or(80);
    match url.host() {
        Some(Host::Ipv4(ip)) => tokio::net::TcpStream::connect((ip, port)).await,
        Some(Host::Ipv6(ip)) => tokio::net::TcpStream::connect((ip, port)).await,
        Some(Host::Domain(name)) => tokio::net::TcpStream::connect((name, port)).await,
        None => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the URL has no host",
        )),
    }
}

/// A hyper error as the transfer error reqwest's would have given.
fn failure(url: &Url, e: &hyper::Error) -> Error {
    super::transfer_failure(url, e.is_timeout(), false, crate::http::innermost(e))
}

/// "operation timed out", as reqwest says it; an io::Error of kind TimedOut inside a
/// body error, so `reqwest::Error::is_timeout` (exit 28) sees it.
#[derive(Debug)]
struct TimedOut;

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("operation timed out")
    }
}

impl std::error::Error for TimedOut {}

/// A response body that fails with a timeout once its deadline passes.
struct TimedBody {
    inner: Incoming,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Self::Error>>> {
        if let Some(sleep) = self.sleep.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            let timed_out = std::io::Error::new(std::io::ErrorKind::TimedOut, TimedOut);
            return Poll::Ready(Some(Err(timed_out.into())));
        }
        Pin::new(&mut self.inner)
            .poll_frame(cx)
            .map_err(|e| e.into())
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
