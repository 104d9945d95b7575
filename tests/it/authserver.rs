//! A real authorization server (oidc-provider, tests/authserver/server.mjs) on a
//! free loopback port, one per test, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct AuthServer {
    child: Child,
    pub issuer: String,
    log: Arc<Mutex<String>>,
}

pub fn authserver_dir() -> String {
    format!("{}/tests/authserver", env!("CARGO_MANIFEST_DIR"))
}

/// `$BROWSER` for the HTTP driver (most tests) and the real headless Chromium.
pub fn http_browser() -> String {
    format!("node {}/http-browser.mjs", authserver_dir())
}
pub fn chromium_browser() -> String {
    format!("node {}/chromium-browser.mjs", authserver_dir())
}

#[derive(Default)]
pub struct Options {
    pub access_ttl: Option<u64>,
    pub fixed_redirect_port: Option<u16>,
    /// Serve https with this certificate and key (PEM files).
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Register the clients that sign JWTs; their private keys are written here.
    pub keys_dir: Option<std::path::PathBuf>,
    /// More environment for the server (DPOP_NONCE=1, RS_NONCE=1).
    pub env: Vec<(&'static str, &'static str)>,
}

impl AuthServer {
    pub fn start() -> AuthServer {
        AuthServer::with(Options::default())
    }

    pub fn with(options: Options) -> AuthServer {
        let mut cmd = Command::new("node");
        cmd.arg(format!("{}/server.mjs", authserver_dir()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null());
        if let Some(ttl) = options.access_ttl {
            cmd.env("ACCESS_TTL", ttl.to_string());
        }
        if let Some(port) = options.fixed_redirect_port {
            cmd.env("FIXED_REDIRECT_PORT", port.to_string());
        }
        if let Some((cert, key)) = &options.tls {
            cmd.env("TLS_CERT", cert).env("TLS_KEY", key);
        }
        if let Some(dir) = &options.keys_dir {
            cmd.env("KEYS_DIR", dir);
        }
        cmd.envs(options.env.iter().copied());
        let mut child = cmd
            .spawn()
            .expect("node runs tests/authserver/server.mjs (run scripts/setup)");
        let stdout = child.stdout.take().expect("stdout");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("LISTENING ") {
                    let _ = tx.send(port.trim().to_owned());
                }
                let mut log = sink.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the authorization server did not start within 20 s");
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        AuthServer {
            child,
            issuer: format!("{scheme}://127.0.0.1:{port}"),
            log,
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// How many token requests with this grant type the server has seen.
    pub fn token_requests(&self, grant_type: &str) -> usize {
        let needle = format!("TOKEN grant_type={grant_type}\n");
        self.log().matches(&needle).count()
    }

    /// Waits until the server has logged `needle` (its log is read on a thread).
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "server never logged {needle:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (briefly) until at least `n` token requests of `grant_type` were logged,
    /// then returns how many there are: the log is read on a thread.
    pub fn wait_for_token_requests(&self, grant_type: &str, n: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.token_requests(grant_type) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.token_requests(grant_type)
    }

    /// Switches provider quirks on for the token endpoint (see server.mjs).
    pub fn quirks(&self, quirks: &[&str]) {
        let body = serde_json::json!({ "token": quirks }).to_string();
        let res = http()
            .post(format!("{}/__quirks", self.issuer))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("quirks endpoint");
        assert!(res.status().is_success());
    }

    /// Sets the server's quirks to this JSON object (`{"register": "error"}`, …).
    pub fn quirks_json(&self, quirks: serde_json::Value) {
        let res = http()
            .post(format!("{}/__quirks", self.issuer))
            .header("content-type", "application/json")
            .body(quirks.to_string())
            .send()
            .expect("quirks endpoint");
        assert!(res.status().is_success());
    }

    /// RFC 7662 introspection: is `token` active at the server?
    pub fn is_active(&self, token: &str) -> bool {
        let res = http()
            .post(format!("{}/token/introspection", self.issuer))
            .basic_auth("native-app", Some("native-secret"))
            .form(&[("token", token)])
            .send()
            .expect("introspection");
        let body: serde_json::Value = res.json().expect("introspection JSON");
        body["active"] == serde_json::Value::Bool(true)
    }
}

/// An HTTP client for the test's own calls to its server (switches, introspection),
/// never outbound's: over https it takes the server's certificate as it is, the
/// loopback server being the test's own. reqwest is built without a TLS provider of
/// its own (outbound installs ring's); so does this.
fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("the test's HTTP client")
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port that is free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A private CA and a certificate for 127.0.0.1 signed by it, made with openssl:
/// returns (CA certificate, server certificate, server key).
pub fn private_ca(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=outbound test CA",
    ]);
    run(&ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    run(&csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}
