//! The gate over every front end: after each change that must stop a token — `app
//! disable`, `app reset`, `account disable`, `logout`, the host removed from the
//! allowed hosts, a resource's issuer-binding refusal — the next release of every
//! front end (curl, the proxy's direct and general paths, the stdio bridge,
//! git-credential, exec-credential, exec, the agent) is refused within a second, with
//! the same exit code and the same message.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::authserver::AuthServer;
use crate::harness::Env;

/// A front end's answer to one attempt: the token went (Ok), or it was refused with
/// outbound's exit code and message.
type Attempt = Result<(), (i32, String)>;

/// The long-running front ends of one scenario, and what the others need.
struct FrontEnds {
    proxy: crate::proxy::Running,
    bridge: Child,
    bridge_in: std::process::ChildStdin,
    bridge_out: Receiver<serde_json::Value>,
    next_id: u64,
    // Dropped last: the proxies above use them.
    env: Env,
    server: AuthServer,
}

impl Drop for FrontEnds {
    fn drop(&mut self) {
        let _ = self.bridge.kill();
        let _ = self.bridge.wait();
        let _ = self.env.command(["agent", "stop"]).output();
    }
}

fn run_attempt(out: std::process::Output) -> Attempt {
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Err((out.status.code().unwrap_or(-1), stderr))
}

/// An answer of the proxy: 200 is a release; 403 is a refusal whose `outbound-exit`
/// header carries the exit code; anything else is a failure of the test.
fn proxy_attempt(args: &[&str]) -> Attempt {
    let out = std::process::Command::new("curl")
        .args(["-s", "-D", "-", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no answer from the proxy: {text}"));
    match status {
        200 => Ok(()),
        403 => {
            let code = text
                .lines()
                .find_map(|l| l.strip_prefix("outbound-exit: "))
                .unwrap_or_else(|| panic!("a refusal names outbound's exit code: {text}"))
                .trim()
                .parse()
                .unwrap();
            let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
            Err((code, body.to_owned()))
        }
        other => panic!("the proxy answered {other}: {text}"),
    }
}

impl FrontEnds {
    fn curl(&mut self) -> Attempt {
        let url = format!("{}/mcp/x", self.server.issuer);
        run_attempt(
            self.env
                .command(["curl", "-f", "svc", &url])
                .output()
                .unwrap(),
        )
    }

    /// A GET: the proxy's direct path (plain-http upstream).
    fn proxy_direct(&mut self) -> Attempt {
        proxy_attempt(&[&format!("{}x", self.proxy.url)])
    }

    /// A POST with a body: the proxy's general path.
    fn proxy_general(&mut self) -> Attempt {
        proxy_attempt(&["-d", "{}", &format!("{}x", self.proxy.url)])
    }

    fn bridge(&mut self) -> Attempt {
        self.next_id += 1;
        let id = self.next_id;
        let message = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "ping"});
        writeln!(self.bridge_in, "{message}").unwrap();
        self.bridge_in.flush().unwrap();
        let answer = self
            .bridge_out
            .recv_timeout(Duration::from_secs(10))
            .expect("the bridge answers");
        if answer["sub"].is_string() {
            return Ok(());
        }
        assert_eq!(answer["id"], id, "{answer}");
        let code = answer["error"]["data"]["exit"]
            .as_i64()
            .unwrap_or_else(|| panic!("a refusal names outbound's exit code: {answer}"));
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        Err((code as i32, message.to_owned()))
    }

    fn git(&mut self) -> Attempt {
        let host = self.server.issuer.trim_start_matches("http://").to_owned();
        let cmd = self.env.command(["git-credential", "--app", "svc", "get"]);
        let out = crate::harness::run_with_input(cmd, &format!("protocol=http\nhost={host}\n\n"));
        match out.code {
            0 if out.stdout.contains("password=") => Ok(()),
            code => Err((code, out.stderr)),
        }
    }

    fn exec_credential(&mut self) -> Attempt {
        let info = serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "spec": {"interactive": false, "cluster": {"server": format!("{}/mcp", self.server.issuer)}},
        });
        let mut cmd = self
            .env
            .command(["token", "svc", "--format", "exec-credential"]);
        cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
        run_attempt(cmd.output().unwrap())
    }

    fn exec(&mut self) -> Attempt {
        run_attempt(
            self.env
                .command(["exec", "svc", "--", "true"])
                .output()
                .unwrap(),
        )
    }

    /// The agent, asked on its socket as a client would.
    fn agent(&mut self) -> Attempt {
        let status = self.env.run(&["agent", "status", "--json"]).ok().json();
        let socket = status["socket"].as_str().expect("socket").to_owned();
        let mut stream = std::os::unix::net::UnixStream::connect(socket).unwrap();
        let request = serde_json::json!({
            "op": "token",
            "config": self.env.config_path(),
            "state_dir": self.env.state_dir(),
            "store": null,
            "app": "svc",
            "account": "default",
            "rejected": null,
        });
        writeln!(stream, "{request}").unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
        match answer["result"].as_str() {
            Some("token") => Ok(()),
            // The agent declines; the client then decides itself (as `token` above),
            // with the exit code the reason's error has.
            Some("declined") => Err((-1, answer["reason"].to_string())),
            _ => panic!("{answer}"),
        }
    }
}

/// Where a front end sends the token: nowhere of its own (exec, the agent, whose
/// clients ask the gate themselves), to a host (git, which names no path), or to a
/// URL (a host and a path).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Sends {
    Nowhere,
    ToHost,
    ToUrl,
}

/// What a change is about: the app's or the account's state (every front end), a
/// host (those that send to one), or a resource's path (those that send to a URL).
#[derive(Clone, Copy)]
enum About {
    State,
    Host,
    Path,
}

type FrontEnd = (&'static str, fn(&mut FrontEnds) -> Attempt, Sends);

const FRONT_ENDS: [FrontEnd; 8] = [
    ("curl", FrontEnds::curl, Sends::ToUrl),
    ("proxy (direct path)", FrontEnds::proxy_direct, Sends::ToUrl),
    (
        "proxy (general path)",
        FrontEnds::proxy_general,
        Sends::ToUrl,
    ),
    ("stdio bridge", FrontEnds::bridge, Sends::ToUrl),
    ("exec-credential", FrontEnds::exec_credential, Sends::ToUrl),
    ("git-credential", FrontEnds::git, Sends::ToHost),
    ("exec", FrontEnds::exec, Sends::Nowhere),
    ("agent", FrontEnds::agent, Sends::Nowhere),
];

/// What must match between front ends: the fix for an account that must be
/// authorized again (the reason's wording depends on who met the reset first), the
/// first line otherwise.
fn gist(code: i32, message: &str) -> String {
    if code == 4 {
        let run = message
            .lines()
            .find_map(|l| l.trim().strip_prefix("run: "))
            .unwrap_or_else(|| panic!("names the command to run: {message}"));
        return run.to_owned();
    }
    message
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .trim_start_matches("outbound: ")
        .trim_start_matches("git-credential: ")
        .to_owned()
}

fn scenario(change: &str, apply: impl FnOnce(&Env, &AuthServer), about: About) {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("svc", &server.issuer, &[]);
    env.authorize("svc", &[]).ok();
    env.run(&["agent", "start"]).ok();
    let upstream = format!("{}/mcp", server.issuer);
    let proxy = crate::proxy::start(&env, &["svc", "--upstream", &upstream]);
    let mut bridge = env
        .command(["proxy", "svc", "--stdio", "--upstream", &upstream])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let bridge_in = bridge.stdin.take().unwrap();
    let stdout = bridge.stdout.take().unwrap();
    let (tx, bridge_out) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = tx.send(serde_json::from_str(&line).expect("one JSON message per line"));
        }
    });
    let mut fronts = FrontEnds {
        proxy,
        bridge,
        bridge_in,
        bridge_out,
        next_id: 0,
        env,
        server,
    };
    // Before: every front end releases.
    for (name, attempt, _) in FRONT_ENDS {
        if let Err((code, message)) = attempt(&mut fronts) {
            panic!("before `{change}`, {name} was refused (exit {code}): {message}");
        }
    }
    apply(&fronts.env, &fronts.server);
    let changed = Instant::now();
    // curl is the reference: the rule `outbound curl` keeps.
    let reference = match fronts.curl() {
        Err((code, message)) => (code, gist(code, &message)),
        Ok(()) => panic!("after `{change}`, curl still sent the token"),
    };
    for (name, attempt, sends) in FRONT_ENDS.into_iter().skip(1) {
        let judged = match about {
            About::State => true,
            About::Host => sends >= Sends::ToHost,
            About::Path => sends == Sends::ToUrl,
        };
        if !judged {
            continue;
        }
        // Within a second of the change: a front end may release until then, not after.
        let refused = loop {
            match attempt(&mut fronts) {
                Err(refusal) => break refusal,
                Ok(()) if changed.elapsed() < Duration::from_secs(1) => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                Ok(()) => panic!("a second after `{change}`, {name} still released the token"),
            }
        };
        let (code, message) = refused;
        if name == "agent" {
            // The agent declines, and its reason is the same refusal.
            assert!(
                message.contains(&reference.1),
                "after `{change}`, the agent declined with {message}, not {:?}",
                reference.1
            );
            continue;
        }
        assert_eq!(
            (code, gist(code, &message)),
            reference,
            "after `{change}`, {name} refused differently from curl: {message}"
        );
    }
}

#[test]
fn app_disable_stops_every_front_end() {
    scenario(
        "app disable",
        |env, _| {
            env.run(&["app", "disable", "svc"]).ok();
        },
        About::State,
    );
}

#[test]
fn app_reset_stops_every_front_end() {
    scenario(
        "app reset",
        |env, _| {
            env.run(&["app", "reset", "svc", "--yes", "--no-revoke"])
                .ok();
        },
        About::State,
    );
}

#[test]
fn account_disable_stops_every_front_end() {
    scenario(
        "account disable",
        |env, _| {
            env.run(&["account", "disable", "svc"]).ok();
        },
        About::State,
    );
}

#[test]
fn logout_stops_every_front_end() {
    scenario(
        "logout",
        |env, _| {
            env.run(&["logout", "svc"]).ok();
        },
        About::State,
    );
}

#[test]
fn removing_the_host_stops_every_front_end_that_sends_there() {
    scenario(
        "app edit --remove-allowed-host",
        |env, _| {
            env.run(&["app", "edit", "svc", "--remove-allowed-host", "127.0.0.1:*"])
                .ok();
        },
        About::Host,
    );
}

#[test]
fn an_issuer_binding_refusal_stops_every_front_end_that_sends_there() {
    scenario(
        "a resource that trusts another authorization server",
        |_, server| server.quirks_json(serde_json::json!({"distrust": "/mcp"})),
        About::Path,
    );
}

/// A refusal on the proxy's direct path answers a HEAD without a body, so a
/// kept-alive connection stays in step: the GET after it gets its own answer.
#[test]
fn a_refused_head_keeps_the_connection_in_step() {
    use std::io::Read;
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let proxy = crate::proxy::start(
        &env,
        &["svc", "--upstream", &format!("{}/api", server.issuer)],
    );
    env.run(&["app", "disable", "svc"]).ok();
    std::thread::sleep(Duration::from_millis(1100));
    let rest = proxy.url.trim_start_matches("http://");
    let (authority, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "HEAD /{path}big?n=5 HTTP/1.1\r\nHost: {authority}\r\n\r\nGET /{path}big?n=5 HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let heads: Vec<&str> = text.split("HTTP/1.1 ").skip(1).collect();
    assert_eq!(heads.len(), 2, "two answers, in step: {text:?}");
    assert!(
        heads[0].starts_with("403") && heads[0].ends_with("\r\n\r\n"),
        "{text:?}"
    );
    assert!(
        heads[1].starts_with("403") && heads[1].contains("is disabled"),
        "{text:?}"
    );
}

/// curl asks the configuration again for every token after the first: an app
/// disabled, or a host removed, while it waits to retry stops the retry.
#[test]
fn curl_rechecks_the_app_between_retries() {
    use crate::hostile::{Hostile, HostileResponse};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("api", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let busy = Hostile::start(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        HostileResponse::json(503, "{\"busy\":true}")
    });
    for (change, code) in [
        (&["app", "disable", "api"][..], 5),
        (
            &["app", "edit", "api", "--remove-allowed-host", "127.0.0.1:*"][..],
            6,
        ),
    ] {
        calls.store(0, Ordering::SeqCst);
        let child = env
            .command([
                "curl",
                "api",
                "--retry",
                "1",
                "--retry-delay",
                "2",
                &busy.url("/x"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while calls.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        env.run(change).ok();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{change:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{change:?}: no second request"
        );
        env.run(&["app", "enable", "api"]).ok();
        env.run(&["app", "edit", "api", "--add-allowed-host", "127.0.0.1:*"])
            .ok();
    }
}

/// Discovery follows a redirect only to a URL the endpoint rule allows: metadata
/// that would come over plain http from another host is not taken as the issuer's.
#[test]
fn discovery_follows_no_redirect_to_plain_http_elsewhere() {
    use crate::hostile::{Hostile, HostileResponse};
    let redirecting = Hostile::start(|_| {
        let mut moved = HostileResponse::json(302, "{}");
        moved.headers.push((
            "Location".into(),
            "http://metadata.example/.well-known/openid-configuration".into(),
        ));
        moved
    });
    let env = Env::new();
    let issuer = redirecting.url("");
    let run = env.run_with_input(
        &[
            "app",
            "add",
            "x",
            "--issuer",
            issuer.trim_end_matches('/'),
            "--client-id",
            "c",
            "--client-secret-stdin",
        ],
        "s",
    );
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("a redirect to a URL that is not allowed"),
        "{}",
        run.stderr
    );
    assert!(!env.config_text().contains("[apps.x]"));
}
