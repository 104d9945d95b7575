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

/// Routes: `/slow…` answers like the rest after 400 ms; `/status/NNN` answers NNN; `/redirect?to=URL[&code=NNN]` redirects;
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
                if url.path().starts_with("/slow") {
                    // A request that lasts: long enough to sample the client's process.
                    std::thread::sleep(std::time::Duration::from_millis(400));
                }
                let response = if let Some(code) = url.path().strip_prefix("/status/") {
                    let code: u16 = code.parse().unwrap_or(500);
                    tiny_http::Response::from_string(format!("status {code}"))
                        .with_status_code(code)
                } else if url.path() == "/big-head" {
                    // A response head of about `bytes` bytes, in one header.
                    let q: std::collections::HashMap<_, _> =
                        url.query_pairs().into_owned().collect();
                    let n: usize = q.get("bytes").and_then(|b| b.parse().ok()).unwrap_or(0);
                    tiny_http::Response::from_string("big head").with_header(
                        tiny_http::Header::from_bytes("X-Big", "a".repeat(n).as_bytes())
                            .expect("header"),
                    )
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
    home: tempfile::TempDir,
}

impl PrivateKeyring {
    pub fn start() -> PrivateKeyring {
        let home = tempfile::tempdir().expect("tempdir");
        let run = home.path().join("run");
        std::fs::create_dir_all(&run).expect("run dir");
        // A session bus without service activation (as scripts/with-keyring's): a
        // call to a Secret Service that is not running must not start another one,
        // in the test runner's HOME.
        let config = home.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                "<busconfig><type>session</type><listen>unix:dir={}</listen><auth>EXTERNAL</auth>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
                 <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
                run.display()
            ),
        )
        .expect("bus config");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (scripts/setup installs dbus)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("bus address");
        let address = address.trim().to_owned();
        let daemon = Self::spawn_daemon(&address, home.path());
        PrivateKeyring {
            bus,
            daemon,
            address,
            home,
        }
    }

    /// gnome-keyring on `address`, its keyrings in `home`, unlocked; returns once it
    /// owns the Secret Service's name. The caller owns the child: Drop waits for it.
    #[allow(clippy::zombie_processes)]
    fn spawn_daemon(address: &str, home: &std::path::Path) -> Child {
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .env("HOME", home)
            .env("XDG_RUNTIME_DIR", home.join("run"))
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
                .env("DBUS_SESSION_BUS_ADDRESS", address)
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return daemon;
            }
            assert!(
                Instant::now() < deadline,
                "the second Secret Service did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the daemon (SIGSTOP): calls to it wait unanswered.
    pub fn freeze(&self) {
        let status = Command::new("kill")
            .args(["-STOP", &self.daemon.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "SIGSTOP to gnome-keyring");
    }

    /// Kills the daemon as a crash would: the bus answers its pending calls with
    /// NoReply and its name has no owner until [`PrivateKeyring::restart`].
    pub fn crash(&mut self) {
        self.daemon.kill().expect("SIGKILL to gnome-keyring");
        self.daemon.wait().expect("gnome-keyring's exit");
    }

    /// The same keyring again, reopened from its HOME.
    pub fn restart(&mut self) {
        self.daemon = Self::spawn_daemon(&self.address, self.home.path());
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

/// A loopback proxy that counts the connections it carried: HTTP (CONNECT and
/// absolute-form requests) or SOCKS5 (no authentication, CONNECT).
pub struct CountingProxy {
    pub url: String,
    count: Arc<std::sync::atomic::AtomicUsize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    Http,
    Socks5,
}

impl CountingProxy {
    pub fn start(kind: ProxyKind) -> CountingProxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = match kind {
                        ProxyKind::Http => http_proxy(client),
                        ProxyKind::Socks5 => socks5_proxy(client),
                    };
                });
            }
        });
        let scheme = if kind == ProxyKind::Http {
            "http"
        } else {
            "socks5"
        };
        CountingProxy {
            url: format!("{scheme}://127.0.0.1:{port}"),
            count,
        }
    }

    pub fn connections(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn pipe(a: std::net::TcpStream, b: std::net::TcpStream) -> std::io::Result<()> {
    let (mut a2, mut b2) = (a.try_clone()?, b.try_clone()?);
    let (mut a, mut b) = (a, b);
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
    Ok(())
}

fn http_proxy(client: std::net::TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let end = line == "\r\n";
        head.push(line);
        if end {
            break;
        }
    }
    let first: Vec<&str> = head[0].split_whitespace().collect();
    let (method, target) = (first[0], first[1]);
    if method == "CONNECT" {
        let upstream = std::net::TcpStream::connect(target)?;
        let mut c = client.try_clone()?;
        c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        return pipe(client, upstream);
    }
    // Absolute-form: forward as it came (HTTP servers accept absolute-form).
    let url = url::Url::parse(target).map_err(std::io::Error::other)?;
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port_or_known_default().unwrap_or(80)
    );
    let mut upstream = std::net::TcpStream::connect(addr)?;
    for line in &head {
        upstream.write_all(line.as_bytes())?;
    }
    let buffered = reader.buffer().to_vec();
    upstream.write_all(&buffered)?;
    pipe(client, upstream)
}

fn socks5_proxy(mut client: std::net::TcpStream) -> std::io::Result<()> {
    use std::io::Read;
    let mut hello = [0u8; 2];
    client.read_exact(&mut hello)?;
    let mut methods = vec![0u8; hello[1] as usize];
    client.read_exact(&mut methods)?;
    client.write_all(&[5, 0])?;
    let mut req = [0u8; 4];
    client.read_exact(&mut req)?;
    let host = match req[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip)?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return Err(std::io::Error::other("unsupported address type")),
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let upstream = std::net::TcpStream::connect((host.as_str(), u16::from_be_bytes(port)))?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    pipe(client, upstream)
}
