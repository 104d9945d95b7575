//! The loopback listener that receives the authorization response (RFC 8252 7.3).
//!
//! It binds 127.0.0.1 (or [::1]) only, on the app's port or any free one; serves only
//! the redirect path; answers everything else with 404 and keeps waiting; ignores
//! callbacks whose `state` is not ours; answers the browser with a short page and
//! `Connection: close`; and stops as soon as it has a result.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tiny_http::{Header, Response, Server};
use url::Url;

use super::{Expected, Rejected, check_callback};
use crate::error::{Error, Result};
use crate::secret::Secret;

pub struct Listener {
    server: Server,
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

impl Listener {
    /// Binds the loopback address of `redirect` (its port, or any free one when it
    /// has none or 0).
    pub fn bind(redirect: &Url, app_name: &str) -> Result<Listener> {
        let ip = match redirect.host() {
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            // `localhost`: bind the IPv4 loopback, as browsers try it first.
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = redirect.port().unwrap_or(0);
        let server = Server::http(SocketAddr::new(ip, port)).map_err(|e| {
            let in_use = e.to_string().to_lowercase().contains("in use");
            Error::Other(format!(
                "cannot listen on {ip}:{port} for the authorization redirect: {e}{}",
                if in_use {
                    format!(
                        "\n  another program holds port {port}; stop it, or give the app another port (and register it with the provider):\n  outbound app edit {app_name} --redirect-uri http://127.0.0.1:PORT{}",
                        redirect.path()
                    )
                } else {
                    String::new()
                }
            ))
        })?;
        let actual = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| Error::Other("the redirect listener has no port".into()))?;
        let mut uri = redirect.clone();
        uri.set_port(Some(actual))
            .map_err(|()| Error::Other("cannot set the redirect port".into()))?;
        Ok(Listener {
            server,
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
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Authorization(format!(
                    "no answer from the browser within {} s; nothing was stored (try again, or use --manual / --device)",
                    timeout.as_secs()
                )));
            }
            on_event(Event::Tick(left.as_secs()));
            let request = match self.server.recv_timeout(left.min(Duration::from_secs(1))) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => return Err(Error::io("the redirect listener failed", e)),
            };
            let url = Url::parse("http://127.0.0.1").and_then(|base| base.join(request.url()));
            let Ok(url) = url else {
                let _ = request.respond(page(400, "Bad request."));
                continue;
            };
            if url.path() != self.path {
                // Browsers also ask for /favicon.ico; keep waiting for the real answer.
                let _ = request.respond(page(404, "Not found."));
                continue;
            }
            match check_callback(url.query_pairs(), expected) {
                Ok(code) => {
                    let _ = request.respond(page(
                        200,
                        "Authorization received. You can close this window and return to the terminal.",
                    ));
                    return Ok(code);
                }
                Err(Rejected::Foreign) => {
                    let _ = request.respond(page(
                        400,
                        "This response does not belong to the authorization outbound is waiting for; it was ignored.",
                    ));
                    on_event(Event::Ignored(Rejected::Foreign.message()));
                }
                Err(rejected) => {
                    let _ = request.respond(page(
                        400,
                        "Authorization failed. Return to the terminal for details.",
                    ));
                    return Err(Error::Authorization(rejected.message()));
                }
            }
        }
    }
}

fn page(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>outbound</title></head><body><p>{text}</p></body></html>"
    );
    let mut response = Response::from_string(html).with_status_code(status);
    for (k, v) in [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Connection", "close"),
        ("Cache-Control", "no-store"),
    ] {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response = response.with_header(h);
        }
    }
    response
}
