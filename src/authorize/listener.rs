//! The loopback listener that receives the authorization response (RFC 8252 7.3).
//!
//! It binds 127.0.0.1 (or `[::1]`) only, on the app's port or any free one; serves only
//! the redirect path; answers everything else with 404 and keeps waiting; ignores
//! callbacks whose `state` is not ours; answers the browser with a short page and
//! `Connection: close`; and stops as soon as it has a result.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use url::Url;

use super::{Expected, Rejected, check_callback};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Connections served at once; beyond it the oldest is dropped. One thread serves
/// them all, without blocking on any: a flood of slow connections neither spawns
/// threads nor keeps the browser's callback out.
const MAX_CONNECTIONS: usize = 64;
/// How long a connection may take to send its request head.
const IDLE: Duration = Duration::from_secs(10);
/// The largest request head read (a callback URL is well under this).
const MAX_HEAD: usize = 16 * 1024;
/// How long answering one connection may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// The loopback listener. Our own small server rather than tiny_http, whose thread
/// per connection has no cap and no read timeout (3000 slow connections made ~1300
/// threads): a callback is one GET, which `httparse` reads.
pub struct Listener {
    socket: TcpListener,
    path: String,
    /// The redirect URI with the real port, to send in both requests.
    pub redirect_uri: String,
}

/// Progress the caller may show.
pub enum Event {
    /// Seconds left before the timeout.
    Tick(u64),
    /// A request that was not the answer we wait for (wrong state): ignored.
    Ignored(String),
}

/// A connection whose request head is still arriving.
struct Pending {
    stream: TcpStream,
    head: Vec<u8>,
    since: Instant,
}

/// What one connection asked for.
enum Head {
    /// Not all there yet.
    Waiting,
    /// Closed, failed or too slow: drop it.
    Gone,
    /// A complete request line's target (`/callback?code=…`), or None when the head
    /// is not HTTP.
    Target(Option<String>),
}

impl Listener {
    /// Binds the loopback address of `redirect` on the first of `ports` that is
    /// free (the app's [`crate::app::App::redirect_port_order`]), or on any free
    /// port when `ports` is empty.
    pub fn bind(redirect: &Url, ports: &[u16], app_name: &str) -> Result<Listener> {
        let ip = match redirect.host() {
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            // `localhost`: bind the IPv4 loopback, as browsers try it first.
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let any = [0];
        let ports = if ports.is_empty() { &any[..] } else { ports };
        // A port that is taken: the next one, in order.
        let mut tried = Vec::new();
        let mut bound = None;
        for &port in ports {
            match TcpListener::bind(SocketAddr::new(ip, port)) {
                Ok(socket) => {
                    bound = Some(socket);
                    break;
                }
                Err(e) if e.kind() == ErrorKind::AddrInUse && port != 0 => tried.push(port),
                Err(e) => {
                    return Err(Error::Other(format!(
                        "cannot listen on {ip}:{port} for the authorization redirect: {e}"
                    )));
                }
            }
        }
        let Some(socket) = bound else {
            let ports = tried
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::Other(format!(
                "cannot listen on {ip} for the authorization redirect: port{} {ports} {} taken by other programs; stop one, or give the app another port or ports to fall back to (each registered with the provider):\n  outbound app edit {app_name} --redirect-uri http://{ip}:PORT{}\n  outbound app edit {app_name} --redirect-port PORT,PORT",
                if tried.len() > 1 { "s" } else { "" },
                if tried.len() > 1 { "are" } else { "is" },
                redirect.path(),
            )));
        };
        socket
            .set_nonblocking(true)
            .map_err(|e| Error::io("cannot set up the redirect listener", e))?;
        let actual = socket
            .local_addr()
            .map(|a| a.port())
            .map_err(|e| Error::io("the redirect listener has no port", e))?;
        let mut uri = redirect.clone();
        uri.set_port(Some(actual))
            .map_err(|()| Error::Other("cannot set the redirect port".into()))?;
        Ok(Listener {
            socket,
            path: redirect.path().to_owned(),
            redirect_uri: uri.to_string(),
        })
    }

    /// Waits for the callback until `timeout`; returns the authorization code.
    pub fn wait(
        &self,
        expected: &Expected,
        timeout: Duration,
        mut on_event: impl FnMut(Event),
    ) -> Result<Secret> {
        let deadline = Instant::now() + timeout;
        let mut pending: Vec<Pending> = Vec::new();
        let mut last_tick = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::TimedOut(format!(
                    "no answer from the browser within {} s; nothing was stored (try again, or use --manual / --device)",
                    timeout.as_secs()
                )));
            }
            if last_tick != Some(left.as_secs()) {
                last_tick = Some(left.as_secs());
                on_event(Event::Tick(left.as_secs()));
            }
            let mut busy = self.accept(&mut pending);
            let mut i = 0;
            while i < pending.len() {
                let target = match read_head(&mut pending[i]) {
                    Head::Waiting => {
                        i += 1;
                        continue;
                    }
                    Head::Gone => None,
                    Head::Target(target) => Some(target),
                };
                let conn = pending.swap_remove(i);
                busy = true;
                let Some(target) = target else { continue };
                if let Some(result) = self.answer(conn.stream, target, expected, &mut on_event) {
                    return result;
                }
            }
            if !busy {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// Takes the connections waiting to be accepted; beyond [`MAX_CONNECTIONS`] the
    /// oldest go. Returns whether there was any.
    fn accept(&self, pending: &mut Vec<Pending>) -> bool {
        let mut any = false;
        for _ in 0..MAX_CONNECTIONS {
            match self.socket.accept() {
                Ok((stream, _)) => {
                    any = true;
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if pending.len() >= MAX_CONNECTIONS {
                        pending.remove(0);
                    }
                    pending.push(Pending {
                        stream,
                        head: Vec::new(),
                        since: Instant::now(),
                    });
                }
                Err(_) => break,
            }
        }
        any
    }

    /// Answers one request; Some when it settles the authorization.
    fn answer(
        &self,
        stream: TcpStream,
        target: Option<String>,
        expected: &Expected,
        on_event: &mut impl FnMut(Event),
    ) -> Option<Result<Secret>> {
        let url = target.and_then(|t| {
            Url::parse("http://127.0.0.1")
                .and_then(|base| base.join(&t))
                .ok()
        });
        let Some(url) = url else {
            respond(stream, 400, "Bad request.");
            return None;
        };
        if url.path() != self.path {
            // Browsers also ask for /favicon.ico; keep waiting for the real answer.
            respond(stream, 404, "Not found.");
            return None;
        }
        match check_callback(url.query_pairs(), expected) {
            Ok(code) => {
                respond(
                    stream,
                    200,
                    "Authorization received. You can close this window and return to the terminal.",
                );
                Some(Ok(code))
            }
            Err(Rejected::Foreign) => {
                respond(
                    stream,
                    400,
                    "This response does not belong to the authorization outbound is waiting for; it was ignored.",
                );
                on_event(Event::Ignored(Rejected::Foreign.message()));
                None
            }
            Err(rejected) => {
                respond(
                    stream,
                    400,
                    "Authorization failed. Return to the terminal for details.",
                );
                Some(Err(Error::Authorization(rejected.message())))
            }
        }
    }
}

/// Reads what has arrived of a connection's request head, without blocking.
fn read_head(conn: &mut Pending) -> Head {
    let mut buf = [0u8; 4096];
    loop {
        match conn.stream.read(&mut buf) {
            Ok(0) => return Head::Gone,
            Ok(n) => {
                conn.head.extend_from_slice(&buf[..n]);
                let mut headers = [httparse::EMPTY_HEADER; 64];
                let mut request = httparse::Request::new(&mut headers);
                match request.parse(&conn.head) {
                    Ok(httparse::Status::Complete(_)) => {
                        let target = (request.method == Some("GET"))
                            .then(|| request.path.map(str::to_owned))
                            .flatten();
                        return Head::Target(target);
                    }
                    Ok(httparse::Status::Partial) if conn.head.len() <= MAX_HEAD => {}
                    _ => return Head::Target(None),
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                return if conn.since.elapsed() > IDLE {
                    Head::Gone
                } else {
                    Head::Waiting
                };
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Head::Gone,
        }
    }
}

/// Sends a short page and closes the connection (bounded in time: a client that does
/// not read cannot hold us).
fn respond(mut stream: TcpStream, status: u16, text: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.write_all(&page(status, text));
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn page(status: u16, text: &str) -> Vec<u8> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>outbound</title></head><body><p>{text}</p></body></html>"
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{html}",
        html.len()
    )
    .into_bytes()
}
