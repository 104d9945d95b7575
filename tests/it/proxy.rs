//! `outbound proxy`: the real binary between curl and the test server's streaming
//! upstream — tokens attached and refreshed, bodies streamed both ways, strangers
//! and other hosts kept out, broken upstreams and clients survived.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::authserver::{AuthServer, Options};
use crate::harness::Env;

/// A running proxy and the address it printed.
pub struct Running {
    child: Child,
    pub url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(env: &Env, args: &[&str]) -> Running {
    start_with(env, args, Stdio::null())
}

fn start_with(env: &Env, args: &[&str], stderr: Stdio) -> Running {
    let mut full = vec!["proxy"];
    full.extend(args);
    let mut child = env
        .command(&full)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn proxy");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    Running {
        child,
        url: line.trim().to_owned(),
    }
}

fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_proxy_attaches_tokens_and_streams_both_ways() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let proxy = start(&env, &["svc", "--upstream", &upstream]);
    let base = &proxy.url; // http://127.0.0.1:PORT/<capability>/
    let (ok, body) = curl(&["-sf", &format!("{base}whoami")]);
    assert!(ok, "{body}");
    assert!(body.contains("cc-app"), "{body}");
    // Without the capability prefix: 404; another host in absolute form: 400.
    let origin = base.rsplitn(3, '/').nth(2).unwrap().to_owned();
    let (_, body) = curl(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{origin}/whoami"),
    ]);
    assert_eq!(body, "404");
    let (_, body) = curl(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-x",
        &origin,
        "http://elsewhere.example/whoami",
    ]);
    assert_eq!(body, "400");

    // A 20 MB upload and a 20 MB download, streamed.
    let upload = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(upload.path(), vec![7u8; 20 << 20]).unwrap();
    let (ok, body) = curl(&[
        "-sf",
        "-H",
        "Content-Type: application/octet-stream",
        "--data-binary",
        &format!("@{}", upload.path().display()),
        &format!("{base}count"),
    ]);
    assert!(ok);
    assert_eq!(body, "{\"bytes\":20971520}");
    let (ok, body) = curl(&[
        "-sf",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        &format!("{base}big?n=20971520"),
    ]);
    assert!(ok);
    assert_eq!(body, "20971520");

    // Server-Sent Events arrive as they are sent, not when the stream ends; the
    // token (3 s) is refreshed under a long stream for the requests after it.
    let started = Instant::now();
    let mut stream = Command::new("curl")
        .args(["-sN", &format!("{base}sse?n=40&every=100")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(stream.stdout.take().unwrap()).lines();
    let first_data = lines
        .by_ref()
        .map_while(|l| l.ok())
        .find(|l| l.starts_with("data:"))
        .unwrap();
    assert!(first_data.contains("\"i\":0"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the first event waited for the stream"
    );
    let before = server.token_requests("client_credentials");
    std::thread::sleep(Duration::from_secs(3));
    let (ok, _) = curl(&["-sf", &format!("{base}whoami")]);
    assert!(ok);
    assert!(
        server.wait_for_token_requests("client_credentials", before + 1) > before,
        "refreshed for the next request"
    );
    let rest: Vec<String> = lines
        .map_while(|l| l.ok())
        .filter(|l| l.starts_with("data:"))
        .collect();
    assert_eq!(rest.len(), 39, "the long stream ran to its end");
    assert!(stream.wait().unwrap().success());

    // A WebSocket upgrade: switched on both sides, then bytes both ways.
    {
        use std::io::Write;
        let rest = base.trim_start_matches("http://");
        let (addr, path) = rest.split_once('/').unwrap();
        let mut ws = std::net::TcpStream::connect(addr).unwrap();
        ws.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            ws,
            "GET /{path}ws HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            ws.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 101"), "{head}");
        assert!(
            head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
            "{head}"
        );
        ws.write_all(b"hello through the proxy").unwrap();
        let mut echo = [0u8; 23];
        ws.read_exact(&mut echo).unwrap();
        assert_eq!(&echo, b"hello through the proxy");
    }
    server.wait_for_log("WS upgraded");

    // An upstream that resets, a client that leaves mid-stream: others are served.
    let (_, code) = curl(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{base}reset"),
    ]);
    assert_eq!(code, "502");
    let mut leaving = Command::new("curl")
        .args(["-sN", &format!("{base}sse?n=100&every=50")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut some = [0u8; 64];
    let _ = leaving.stdout.as_mut().unwrap().read(&mut some);
    let _ = leaving.kill();
    let _ = leaving.wait();
    let (ok, body) = curl(&["-sf", &format!("{base}whoami")]);
    assert!(ok && body.contains("cc-app"), "{body}");
}

/// GETs and HEADs to a plain-http upstream take the direct path (the proxy reads
/// the head itself and splices the body): the bytes whole, HEAD, a body cut short,
/// requests kept alive and pipelined on one connection and then handed to hyper
/// (a POST), and a token the upstream refuses refreshed and sent again.
#[test]
fn downloads_take_the_direct_path() {
    use std::io::Write;
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let verbose = tempfile::NamedTempFile::new().unwrap();
    let mut proxy = start_with(
        &env,
        &["svc", "--upstream", &upstream, "--verbose"],
        Stdio::from(verbose.reopen().unwrap()),
    );
    let base = proxy.url.clone();

    // An odd size, larger than the pipe: all of it, on the direct path.
    let (ok, size) = curl(&[
        "-sf",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        &format!("{base}big?n=33554433"),
    ]);
    assert!(ok);
    assert_eq!(size, "33554433");
    server.wait_for_log("STREAM /api/big");
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.starts_with("STREAM /api/big"))
        .unwrap();
    assert!(line.ends_with("connection=close"), "{line}");

    // HEAD: the length, no body.
    let (ok, head) = curl(&["-sfI", &format!("{base}big?n=1000")]);
    assert!(ok, "{head}");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("content-length: 1000"),
        "{head}"
    );

    // A body cut short: the client sees it cut (curl: 18, partial file), and the
    // proxy serves the next request.
    let out = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            &format!("{base}big?n=4194304&cut=1000"),
        ])
        .status()
        .unwrap();
    assert_eq!(out.code(), Some(18));

    // One connection: two GETs, a POST (hyper takes the connection from there), and
    // a GET after it.
    let (ok, out) = curl(&[
        "-s",
        "-w",
        " connects=%{num_connects}\n",
        "-o",
        "/dev/null",
        &format!("{base}big?n=10"),
        &format!("{base}whoami"),
        "--next",
        "-s",
        "-w",
        " connects=%{num_connects}\n",
        "--data-binary",
        "12345",
        &format!("{base}count"),
        "--next",
        "-s",
        "-w",
        " connects=%{num_connects}\n",
        &format!("{base}whoami"),
    ]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], " connects=1", "{out}");
    assert!(
        lines[1].contains("cc-app") && lines[1].ends_with("connects=0"),
        "{out}"
    );
    assert_eq!(lines[2], "{\"bytes\":5} connects=0", "{out}");
    assert!(
        lines[3].contains("cc-app") && lines[3].ends_with("connects=0"),
        "{out}"
    );
    server.wait_for_log("STREAM /api/count");
    let log = server.log();
    let count = log
        .lines()
        .find(|l| l.starts_with("STREAM /api/count"))
        .unwrap();
    assert!(
        !count.ends_with("connection=close"),
        "hyper's path: {count}"
    );

    // Two requests pipelined in one write: two answers, in order.
    let rest = base.trim_start_matches("http://");
    let (addr, path) = rest.split_once('/').unwrap();
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        raw,
        "GET /{path}big?n=3 HTTP/1.1\r\nHost: x\r\n\r\nGET /{path}big?n=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answers = Vec::new();
    raw.read_to_end(&mut answers).unwrap();
    let answers = String::from_utf8_lossy(&answers).to_ascii_lowercase();
    assert_eq!(answers.matches("http/1.1 200 ok").count(), 2, "{answers}");
    assert!(answers.contains("content-length: 3"), "{answers}");
    assert!(
        answers.contains("content-length: 5\r\n") && answers.ends_with("\r\n\r\n\0\0\0\0\0"),
        "{answers}"
    );

    // A redirect to another origin is the client's to follow, on either path: the
    // proxy passes it on as it came.
    for extra in [&[][..], &["-d", "x"][..]] {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{redirect_url}",
            ])
            .args(extra)
            .arg(format!("{base}redirect?to=http://elsewhere.example/x"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "302 http://elsewhere.example/x",
            "{extra:?}"
        );
    }

    // Two Content-Lengths that disagree: not the direct path's; hyper refuses it.
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        raw,
        "GET /{path}whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

    // A client that leaves a quiet stream: the upstream's connection goes at once,
    // not when the next event (10 s away) fails to reach it.
    let mut quiet = Command::new("curl")
        .args(["-sN", &format!("{base}sse?n=3&every=10000")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = BufReader::new(quiet.stdout.take().unwrap());
    while !first.starts_with("data:") {
        first.clear();
        out.read_line(&mut first).unwrap();
    }
    let _ = quiet.kill();
    let _ = quiet.wait();
    server.wait_for_log("STREAM closed /api/sse");

    // The upstream refuses the token (revoked at the server): refreshed, sent again.
    let token = env.run(&["token", "svc"]).ok().stdout.trim().to_owned();
    let revoked = Command::new("curl")
        .args([
            "-sf",
            "-u",
            "cc-app:cc-secret",
            "-d",
            &format!("token={token}"),
            &format!("{}/token/revocation", server.issuer),
        ])
        .status()
        .unwrap();
    assert!(revoked.success());
    let before = server.token_requests("client_credentials");
    let (ok, body) = curl(&["-sf", &format!("{base}whoami")]);
    assert!(ok && body.contains("cc-app"), "{body}");
    assert!(server.wait_for_token_requests("client_credentials", before + 1) > before);

    // --verbose: a line per request from either path, without the capability, the
    // query or a token.
    let _ = proxy.child.kill();
    let _ = proxy.child.wait();
    let log = std::fs::read_to_string(verbose.path()).unwrap();
    assert!(log.contains("proxy: GET /big -> 200 ("), "{log}");
    assert!(log.contains("proxy: HEAD /big -> 200 ("), "{log}");
    assert!(log.contains("proxy: POST /count -> 200 ("), "{log}");
    assert!(log.contains("proxy: GET /whoami -> 200 ("), "{log}");
    let capability = base.trim_end_matches('/').rsplit('/').next().unwrap();
    let fresh = env.run(&["token", "svc"]).ok().stdout.trim().to_owned();
    for secret in [capability, &token, &fresh, "n=33554433"] {
        assert!(!log.contains(secret), "{secret:?} in {log}");
    }
}

/// SIGTERM: no new connections, and a stream already open runs to its end (within
/// the grace period) before the proxy exits 0.
#[test]
fn sigterm_lets_open_streams_finish() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let mut proxy = start(&env, &["svc", "--upstream", &upstream]);
    let mut stream = Command::new("curl")
        .args(["-sN", &format!("{}sse?n=20&every=100", proxy.url)])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(stream.stdout.take().unwrap()).lines();
    let first = lines
        .by_ref()
        .map_while(|l| l.ok())
        .find(|l| l.starts_with("data:"))
        .unwrap();
    assert!(first.contains("\"i\":0"), "{first}");
    Command::new("kill")
        .args(["-TERM", &proxy.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (ok, _) = curl(&["-sf", "-m", "2", &format!("{}whoami", proxy.url)]);
    assert!(!ok, "a new request after SIGTERM was served");
    let rest = lines
        .map_while(|l| l.ok())
        .filter(|l| l.starts_with("data:"))
        .count();
    assert_eq!(rest, 19, "the open stream ran to its end");
    assert!(stream.wait().unwrap().success());
    assert!(proxy.child.wait().unwrap().success());
}

/// Started with a soft limit of 64 open files, the proxy raises it (to the hard
/// limit) and holds 40 streams at once: each takes four descriptors on the direct
/// path.
#[test]
fn many_streams_fit_under_a_low_open_files_limit() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "ulimit -Sn 64 && exec \"$0\" proxy svc --upstream \"$1\"",
        env!("CARGO_BIN_EXE_outbound"),
        &upstream,
    ]);
    env.isolate(&mut cmd);
    let mut proxy = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(proxy.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let streams: Vec<Child> = (0..40)
        .map(|_| {
            Command::new("curl")
                .args([
                    "-sN",
                    "-m",
                    "20",
                    &format!("{}sse?n=3&every=700", url.trim()),
                ])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for stream in streams {
        let out = stream.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.matches("data:").count(), 3, "{text}");
    }
    let _ = proxy.kill();
    let _ = proxy.wait();
}

/// A Unix socket (0600, no prefix), the address in a 0600 file, and what the proxy
/// refuses to start with.
#[cfg(unix)]
#[test]
fn the_proxy_listens_where_only_this_user_can_reach() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("p.sock");
    let mut child = env
        .command([
            "proxy",
            "svc",
            "--upstream",
            &upstream,
            "--socket",
            socket.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), socket.display().to_string());
    assert_eq!(crate::harness::mode(&socket), 0o600);
    let (ok, body) = curl(&[
        "-sf",
        "--unix-socket",
        socket.to_str().unwrap(),
        "http://proxy/whoami",
    ]);
    assert!(ok && body.contains("cc-app"), "{body}");
    // SIGTERM: it stops, and its socket goes.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!socket.exists());

    let file = dir.path().join("url");
    let mut child = env
        .command([
            "proxy",
            "svc",
            "--upstream",
            &upstream,
            "--url-file",
            file.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(crate::harness::mode(&file), 0o600);
    let url = std::fs::read_to_string(&file).unwrap();
    let (ok, _) = curl(&["-sf", &format!("{}whoami", url.trim())]);
    assert!(ok);
    let _ = child.kill();
    let _ = child.wait();

    let run = env
        .run(&[
            "proxy",
            "svc",
            "--upstream",
            "https://elsewhere.example/api",
        ])
        .code(6);
    assert!(run.stderr.contains("--add-allowed-host"), "{}", run.stderr);
    let run = env
        .run(&[
            "proxy",
            "svc",
            "--upstream",
            &upstream,
            "--listen",
            "0.0.0.0:0",
        ])
        .code(2);
    assert!(run.stderr.contains("loopback only"), "{}", run.stderr);
}

/// `--stdio`: a whole MCP session over stdin/stdout against a Streamable HTTP
/// endpoint: initialize (session id and protocol version carried after), a long
/// call with a `ping` answered during it, an event without data skipped, the
/// server's own GET stream, a stream cut before its answer and resumed with
/// Last-Event-ID, and the session closed at the end of stdin.
#[test]
fn stdio_carries_an_mcp_session() {
    use std::io::Write;
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let endpoint = format!("{}/mcp-stream", server.issuer);
    let mut child = env
        .command(["proxy", "svc", "--stdio", "--upstream", &endpoint])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = tx.send(serde_json::from_str(&line).expect("one JSON message per line"));
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(10)).expect("a message");
    let send = |stdin: &mut std::process::ChildStdin, v: serde_json::Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    // FastMCP starts with a request before initialize; the server's JSON-RPC
    // refusal (HTTP 400) reaches the client unchanged.
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":0,"method":"server/discover"}),
    );
    let refused = next();
    assert_eq!(refused["error"]["code"], -32000, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "Bad Request: No valid session ID provided"
    );
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}),
    );
    assert_eq!(next()["result"]["protocolVersion"], "2025-06-18");
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    );
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":2,"method":"slow"}),
    );
    std::thread::sleep(Duration::from_millis(300));
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":3,"method":"ping"}),
    );
    let mut seen = Vec::new();
    while !seen.iter().any(|m: &serde_json::Value| m["id"] == 2) {
        seen.push(next());
    }
    let position = |f: &dyn Fn(&serde_json::Value) -> bool| seen.iter().position(f);
    let ping = position(&|m| m["id"] == 3).expect("the ping's answer");
    let slow = position(&|m| m["id"] == 2).unwrap();
    assert!(
        ping < slow,
        "the ping was answered during the long call: {seen:?}"
    );
    assert!(
        position(&|m| m["method"] == "notifications/progress").is_some(),
        "{seen:?}"
    );
    assert!(
        position(&|m| m["method"] == "notifications/message").is_some() || {
            // The server's own stream may come a little later.
            let m = next();
            m["method"] == "notifications/message"
        }
    );
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":4,"method":"cut"}),
    );
    let mut answer = next();
    while answer["id"] != 4 {
        answer = next();
    }
    assert_eq!(answer["result"]["resumed"], true);
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc":"2.0","id":5,"method":"nonexistent"}),
    );
    let unknown = next();
    assert_eq!(
        unknown,
        serde_json::json!({"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"Method not found"}})
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
    // The session's end closes the server's stream: it is not opened again.
    std::thread::sleep(Duration::from_millis(300));
    let log = server.log();
    assert!(
        !log.contains("MCP-STREAM GET for an unknown session"),
        "{log}"
    );
    assert!(log.contains("MCP-STREAM resumed"), "{log}");
    assert!(log.contains("MCP-STREAM listening"), "{log}");
    assert!(log.contains("MCP-STREAM delete"), "{log}");
    assert!(
        log.contains("MCP-STREAM notifications/initialized"),
        "{log}"
    );
}

/// `--socket` under a permissive umask: the socket is never seen with other
/// permissions than 0600 at its path (it is bound elsewhere and moved there), and a
/// connection from another user is hung up on even when the socket's mode would let
/// it in.
#[cfg(unix)]
#[test]
fn the_proxy_socket_is_never_loose_and_serves_only_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let upstream = format!("{}/api", server.issuer);
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = dir.path().join("p.sock");
    let start = || {
        let mut cmd = env.command(["proxy", "svc", "--upstream", &upstream, "--socket"]);
        cmd.arg(&socket);
        // SAFETY: umask in the child before exec; async-signal-safe.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    for _ in 0..5 {
        let watched = socket.clone();
        let watcher = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(meta) = std::fs::symlink_metadata(&watched) {
                    return meta.permissions().mode() & 0o777;
                }
            }
            0
        });
        let mut child = start();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(watcher.join().unwrap(), 0o600, "first seen at its path");
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_file(&socket);
    }
    let mut child = start();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // As if its mode had been loosened: the peer's uid still decides.
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let before = server.log().matches("STREAM /api/big").count();
    let out = Command::new("runuser")
        .args([
            "-u",
            "nobody",
            "--",
            "curl",
            "-s",
            "--max-time",
            "5",
            "--unix-socket",
        ])
        .arg(&socket)
        .arg("http://proxy/big?n=5")
        .output()
        .unwrap();
    assert!(!out.status.success(), "another user was served");
    assert!(out.stdout.is_empty(), "nothing came back to another user");
    let (ok, body) = curl(&[
        "-sf",
        "--unix-socket",
        socket.to_str().unwrap(),
        "http://proxy/big?n=5",
    ]);
    assert!(ok && body.len() == 5, "its own user is served: {body:?}");
    assert_eq!(
        server.log().matches("STREAM /api/big").count(),
        before + 1,
        "only the owner's request went upstream"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Without `--upstream`, the proxy forwards to what the app records: its first
/// resource (an app added with `--from-url`), else its base URL; the chosen upstream
/// passes the app's rules as a given one does, and with neither the error says to
/// give `--upstream`.
#[test]
fn the_upstream_defaults_to_the_apps_resource_else_its_base_url() {
    let server = AuthServer::start();
    let env = Env::new();
    let url = format!("{}/mcp", server.issuer);
    env.run(&["app", "add", "notes", "--from-url", &url]).ok();
    env.authorize("notes", &[]).ok();
    let proxy = start(&env, &["notes"]);
    let (ok, body) = curl(&["-sf", &format!("{}tools", proxy.url)]);
    assert!(ok, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["path"], "/mcp/tools", "{body}");
    assert_eq!(body["sub"], "alice", "{body}");
    drop(proxy);

    // A base URL and no resource.
    let api = format!("{}/api", server.issuer);
    env.add_cc(
        "svc",
        &server.issuer,
        &["--allowed-host", "127.0.0.1:*", "--base-url", &api],
    );
    let proxy = start(&env, &["svc"]);
    let (ok, body) = curl(&["-sf", &format!("{}whoami", proxy.url)]);
    assert!(ok && body.contains("cc-app"), "{body}");
    drop(proxy);

    // The default passes the gate as --upstream does: a base URL on a host the app
    // does not allow is refused (exit 6), nothing started.
    env.run(&[
        "app",
        "edit",
        "svc",
        "--base-url",
        "https://elsewhere.example/api",
    ])
    .ok();
    let run = env.run(&["proxy", "svc"]).code(6);
    assert!(run.stderr.contains("elsewhere.example"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // Neither: say to give --upstream.
    env.add_cc("bare", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let run = env.run(&["proxy", "bare"]).code(2);
    assert!(run.stderr.contains("--upstream"), "{}", run.stderr);
    let run = env.run(&["proxy", "bare", "--stdio"]).code(2);
    assert!(run.stderr.contains("--upstream"), "{}", run.stderr);
}

/// A running `proxy --stdio` as an MCP client drives it: messages written to its
/// stdin, every stdout line parsed as one JSON message (anything else fails the
/// test), stderr kept in a file.
struct StdioBridge {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    out: std::sync::mpsc::Receiver<serde_json::Value>,
    stderr: tempfile::NamedTempFile,
}

impl StdioBridge {
    fn start(mut cmd: Command) -> StdioBridge {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr.reopen().unwrap()))
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, out) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                let message = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("stdout carries only JSON-RPC ({e}): {line}"));
                let _ = tx.send(message);
            }
        });
        StdioBridge {
            child,
            stdin,
            out,
            stderr,
        }
    }

    fn send(&mut self, message: serde_json::Value) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The answer to request `id` (notifications before it are skipped).
    fn answer(&self, id: i64) -> serde_json::Value {
        loop {
            let message = self
                .out
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| {
                    panic!(
                        "no answer to request {id} ({e}); stderr:\n{}",
                        self.stderr_text()
                    )
                });
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn initialize(&mut self, id: i64) -> serde_json::Value {
        self.send(serde_json::json!({"jsonrpc":"2.0","id":id,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}));
        self.answer(id)
    }

    fn ping(&mut self, id: i64) -> serde_json::Value {
        self.send(serde_json::json!({"jsonrpc":"2.0","id":id,"method":"ping"}));
        self.answer(id)
    }

    fn stderr_text(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// Ends stdin and waits for the bridge to exit: whether it succeeded.
    fn finish(mut self) -> bool {
        drop(self.stdin.take());
        self.child.wait().unwrap().success()
    }
}

impl Drop for StdioBridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The stdio bridge as a desktop MCP client starts it, without the desktop: only
/// the harness's own variables, no display, no `$BROWSER`.
fn headless_bridge(env: &Env, app: &str, endpoint: &str) -> Command {
    let mut cmd = env.command(["proxy", app, "--stdio", "--upstream", endpoint]);
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    cmd
}

/// An MCP client starts the bridge for an account that was never authorized, where
/// a browser can be opened (`$BROWSER`): the bridge does not exit; it runs the
/// authorization itself (browser and loopback listener, what it says on stderr),
/// and the handshake it held meanwhile goes through once the tokens are stored.
#[test]
fn stdio_authorizes_in_the_browser_when_the_account_has_no_tokens() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("notes", &server.issuer, &[]);
    let endpoint = format!("{}/mcp-stream", server.issuer);
    let mut cmd = headless_bridge(&env, "notes", &endpoint);
    cmd.env("BROWSER", crate::authserver::http_browser());
    let mut bridge = StdioBridge::start(cmd);
    let answer = bridge.initialize(1);
    assert_eq!(
        answer["result"]["protocolVersion"],
        "2025-06-18",
        "{answer}\n{}",
        bridge.stderr_text()
    );
    bridge.send(serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}));
    assert_eq!(bridge.ping(2)["result"], serde_json::json!({}));
    assert!(env.stored_token("notes", "default").is_some());
    let stderr = bridge.stderr_text();
    assert!(
        stderr.contains("/auth?"),
        "the URL is said on stderr: {stderr}"
    );
    assert!(bridge.finish());
    assert!(server.log().contains("MCP-STREAM ping"), "{}", server.log());
}

/// Where no browser can be opened (no desktop, or `$BROWSER` cannot run), the
/// bridge keeps running and answers each request with a JSON-RPC error naming the
/// command to run; once the person ran it in another terminal, the next request
/// goes through, without restarting the bridge.
#[test]
fn stdio_without_a_browser_names_the_command_and_serves_once_authorized() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("notes", &server.issuer, &[]);
    let endpoint = format!("{}/mcp-stream", server.issuer);

    // A display, but a $BROWSER that cannot be run: the authorization cannot run,
    // and the request is answered at once, not after the authorization's timeout.
    let mut cmd = headless_bridge(&env, "notes", &endpoint);
    cmd.env("DISPLAY", ":99")
        .env("BROWSER", "/nonexistent/outbound-test-browser");
    let mut bridge = StdioBridge::start(cmd);
    let started = Instant::now();
    let answer = bridge.initialize(1);
    assert!(started.elapsed() < Duration::from_secs(20), "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("outbound authorize notes"), "{answer}");
    assert!(message.contains("browser"), "{answer}");
    assert_eq!(answer["error"]["data"]["exit"], 4, "{answer}");
    drop(bridge);

    // No desktop at all.
    let mut bridge = StdioBridge::start(headless_bridge(&env, "notes", &endpoint));
    for id in [1, 2] {
        let answer = bridge.initialize(id);
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("outbound authorize notes"), "{answer}");
        assert_eq!(answer["error"]["data"]["exit"], 4, "{answer}");
        assert_eq!(
            answer["error"]["data"]["command"], "outbound authorize notes",
            "{answer}"
        );
    }
    let answer = bridge.ping(3);
    assert_eq!(answer["error"]["data"]["exit"], 4, "{answer}");

    // The person authorizes in another terminal; the same bridge now serves.
    env.authorize("notes", &[]).ok();
    let answer = bridge.initialize(4);
    assert_eq!(
        answer["result"]["protocolVersion"], "2025-06-18",
        "{answer}"
    );
    bridge.send(serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}));
    assert_eq!(bridge.ping(5)["result"], serde_json::json!({}));
    let stderr = bridge.stderr_text();
    assert!(
        stderr.contains("outbound authorize notes"),
        "stderr names the command too: {stderr}"
    );
    assert!(bridge.finish());
}
