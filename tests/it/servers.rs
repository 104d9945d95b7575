//! Loopback helpers for the request tests: an echo server that records what it
//! received, and a second, private Secret Service for "another user".

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the echo server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Routes: `/status/NNN` answers NNN; `/redirect?to=URL[&code=NNN]` redirects;
/// anything else answers 200 with a JSON echo of method, URL, headers and body.
pub struct Echo {
    server: Arc<tiny_http::Server>,
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Echo {
    pub fn start() -> Echo {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (srv, log) = (Arc::clone(&server), Arc::clone(&seen));
        std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let headers: Vec<(String, String)> = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.as_str().to_owned(),
                        )
                    })
                    .collect();
                let entry = Seen {
                    method: request.method().as_str().to_owned(),
                    url: request.url().to_owned(),
                    headers,
                    body,
                };
                log.lock().expect("log").push(entry.clone());
                let url = url::Url::parse(&format!("http://x{}", entry.url)).expect("url");
                let response = if let Some(code) = url.path().strip_prefix("/status/") {
                    let code: u16 = code.parse().unwrap_or(500);
                    tiny_http::Response::from_string(format!("status {code}"))
                        .with_status_code(code)
                } else if url.path() == "/redirect" {
                    let q: std::collections::HashMap<_, _> =
                        url.query_pairs().into_owned().collect();
                    let code: u16 = q.get("code").and_then(|c| c.parse().ok()).unwrap_or(302);
                    let to = q.get("to").cloned().unwrap_or_default();
                    tiny_http::Response::from_string("moved")
                        .with_status_code(code)
                        .with_header(
                            tiny_http::Header::from_bytes("Location", to.as_bytes())
                                .expect("header"),
                        )
                } else {
                    let echo = serde_json::json!({
                        "method": entry.method,
                        "url": entry.url,
                        "headers": entry.headers.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
                        "body": String::from_utf8_lossy(&entry.body),
                    });
                    tiny_http::Response::from_string(echo.to_string()).with_header(
                        tiny_http::Header::from_bytes("Content-Type", "application/json")
                            .expect("header"),
                    )
                };
                let _ = request.respond(response);
            }
        });
        Echo {
            server,
            base: format!("http://127.0.0.1:{port}"),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// A second Secret Service on its own session bus and HOME: another user's keyring.
pub struct PrivateKeyring {
    bus: Child,
    daemon: Child,
    pub address: String,
    _home: tempfile::TempDir,
}

impl PrivateKeyring {
    pub fn start() -> PrivateKeyring {
        let home = tempfile::tempdir().expect("tempdir");
        let run = home.path().join("run");
        std::fs::create_dir_all(&run).expect("run dir");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (scripts/setup installs dbus)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("bus address");
        let address = address.trim().to_owned();
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &run)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        daemon
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"other-user-password")
            .expect("unlock");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the second Secret Service did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        PrivateKeyring {
            bus,
            daemon,
            address,
            _home: home,
        }
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
