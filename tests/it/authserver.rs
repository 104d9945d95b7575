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
        AuthServer {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
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

    /// Switches provider quirks on for the token endpoint (see server.mjs).
    pub fn quirks(&self, quirks: &[&str]) {
        let body = serde_json::json!({ "token": quirks }).to_string();
        let res = reqwest::blocking::Client::new()
            .post(format!("{}/__quirks", self.issuer))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("quirks endpoint");
        assert!(res.status().is_success());
    }

    /// RFC 7662 introspection: is `token` active at the server?
    pub fn is_active(&self, token: &str) -> bool {
        let res = reqwest::blocking::Client::new()
            .post(format!("{}/token/introspection", self.issuer))
            .basic_auth("native-app", Some("native-secret"))
            .form(&[("token", token)])
            .send()
            .expect("introspection");
        let body: serde_json::Value = res.json().expect("introspection JSON");
        body["active"] == serde_json::Value::Bool(true)
    }
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
