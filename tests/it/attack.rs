//! Attacks and accidents, each reproduced against the real binary: hostile OAuth
//! servers (tests/it/hostile.rs), signals and races during a refresh, broken or
//! hand-edited files, proxies from the environment, floods. Each test asserts the
//! safe behaviour. Loopback only; every test stops its servers and processes.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
#[cfg(unix)]
use std::path::Path;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::authserver::{AuthServer, Options, authserver_dir, free_port};
#[cfg(unix)]
use crate::harness::mode;
use crate::harness::{Env, Run, keyring_lookup};
use crate::hostile::{Hostile, HostileRequest, HostileResponse};
use crate::servers::{CountingProxy, Echo, ProxyKind};

// ---------------------------------------------------------------------------------
// Helpers

/// A server whose access tokens live 2 s (refresh tests).
fn short_lived() -> AuthServer {
    AuthServer::with(Options {
        access_ttl: Some(2),
        ..Options::default()
    })
}

/// Sleeps past the 2 s lifetime of `short_lived` tokens.
fn past_expiry() {
    std::thread::sleep(Duration::from_millis(2300));
}

fn write_config(env: &Env, text: &str) {
    let path = env.config_path();
    std::fs::create_dir_all(path.parent().expect("config dir")).expect("config dir");
    std::fs::write(&path, text).expect("write config");
}

/// A public authorization-code app that needs no server until the code exchange
/// (whose endpoint refuses connections).
fn add_offline_code_app(env: &Env, name: &str) {
    env.run(&[
        "app",
        "add",
        name,
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--auth-url",
        "https://auth.example.com/authorize",
        "--token-url",
        &format!("http://127.0.0.1:{}/token", free_port()),
    ])
    .ok();
}

/// A standard token answer.
fn token_answer(access: &str) -> HostileResponse {
    HostileResponse::json(
        200,
        format!(r#"{{"access_token":"{access}","token_type":"bearer","expires_in":3600}}"#),
    )
}

/// Answers the first request on each path with a token that expires in 1 s, and
/// every later one with `then`.
fn first_ok_then(
    then: impl Fn(&HostileRequest) -> HostileResponse + Send + Sync + 'static,
) -> Hostile {
    let served = Mutex::new(std::collections::HashSet::new());
    Hostile::start(move |req| {
        if served.lock().expect("served").insert(req.path.clone()) {
            HostileResponse::json(
                200,
                r#"{"access_token":"tok-first","token_type":"bearer","expires_in":1}"#,
            )
        } else {
            then(req)
        }
    })
}

const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs `outbound ARGS` with exactly these proxy variables (none inherited).
fn run_with_proxy_env(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut cmd = env.command(args);
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("spawn outbound"))
}

fn drain<R: Read + Send + 'static>(mut reader: R) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` at most `limit` (then kills it and fails), collecting its output
/// meanwhile.
#[track_caller]
fn finish(mut child: Child, limit: Duration, what: &str) -> Run {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let start = Instant::now();
    let done = loop {
        if child.try_wait().expect("try_wait").is_some() {
            break true;
        }
        if start.elapsed() > limit {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let status = child.wait().expect("wait");
    let text =
        |h: Option<JoinHandle<String>>| h.map(|h| h.join().unwrap_or_default()).unwrap_or_default();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: text(stdout),
        stderr: text(stderr),
    };
    assert!(done, "{what} did not end within {limit:?}:\n{}", run.stderr);
    run
}

/// Reads lines until one contains `needle`; returns everything read.
#[track_caller]
fn read_until_line(reader: &mut impl BufRead, needle: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read output");
        assert!(n > 0, "the output ended before {needle:?}:\n{seen}");
        seen.push_str(&line);
        if line.contains(needle) {
            return seen;
        }
    }
}

#[track_caller]
fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{sig} {pid}");
}

/// A numeric field of /proc/PID/status (kB for the memory fields).
fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|line| {
        line.strip_prefix(field)?
            .strip_prefix(':')?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// `status --json`'s row for `app`.
#[track_caller]
fn row_of(rows: &[serde_json::Value], app: &str) -> serde_json::Value {
    rows.iter()
        .find(|r| r["app"] == app)
        .cloned()
        .unwrap_or_else(|| panic!("no row for {app}: {rows:?}"))
}

/// `text` without the `[apps.NAME]` table, as another administrator would cut it.
#[track_caller]
fn without_table(text: &str, name: &str) -> String {
    let header = format!("[apps.{name}]");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("no {header} in:\n{text}"));
    let after = start + header.len();
    let end = text[after..]
        .find("\n[")
        .map_or(text.len(), |i| after + i + 1);
    format!("{}{}", &text[..start], &text[end..])
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(chunk[0]) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        let at = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(at(18));
        out.push(at(12));
        out.push(if chunk.len() > 1 { at(6) } else { '=' });
        out.push(if chunk.len() > 2 { at(0) } else { '=' });
    }
    out
}

/// application/x-www-form-urlencoded, as outbound (the url crate) encodes it.
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `s` as the inside of a JSON string literal.
fn json_inner(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("JSON string");
    quoted[1..quoted.len() - 1].to_owned()
}

/// Every character of `s` as a `\uXXXX` escape: a JSON parser gives `s` back.
fn json_unicode(s: &str) -> String {
    let mut out = String::new();
    for unit in s.encode_utf16() {
        let _ = write!(out, "\\u{unit:04x}");
    }
    out
}

#[track_caller]
fn assert_absent(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows {secret:?}:\n{text}"
        );
    }
}

/// Every file and directory under `dir` (itself included).
#[cfg(unix)]
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------
// F1: a failure to write the audit log never loses what the server issued.

#[test]
fn a_broken_audit_log_never_loses_a_rotated_refresh_token() {
    let server = short_lived();
    let env = Env::new();
    write_config(&env, "audit = true\n");
    env.add_native("nat", &server.issuer, &[]);
    env.add_native("nat2", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let before = env.stored_token("nat", "default").expect("authorized");
    let log = env.state_dir().join("audit.log");
    assert!(log.is_file(), "authorize wrote the audit log");
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    past_expiry();
    let refreshes = server.token_requests("refresh_token");

    let run = env.run(&["token", "nat", "--keep-alive"]);
    assert_eq!(run.code, 0, "the refresh must succeed: {}", run.stderr);
    let printed = run.stdout.trim().to_owned();
    assert!(!printed.is_empty(), "a token is printed: {}", run.stderr);
    let said = run.stderr.to_lowercase();
    assert!(
        said.contains("warning") && said.contains("audit log"),
        "the audit failure is reported: {}",
        run.stderr
    );
    assert!(server.wait_for_token_requests("refresh_token", refreshes + 1) > refreshes);
    let after = env.stored_token("nat", "default").expect("still stored");
    assert_ne!(
        after["refresh_token"], before["refresh_token"],
        "the rotated refresh token was saved"
    );
    assert_eq!(after["access_token"].as_str(), Some(printed.as_str()));
    // The grant is alive: the saved refresh token works.
    let again = env.run(&["token", "nat", "--keep-alive"]);
    assert_eq!(again.code, 0, "the grant was lost: {}", again.stderr);

    // Authorizing with the audit log broken stores the tokens too.
    let run = env.authorize("nat2", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.to_lowercase().contains("audit log"),
        "{}",
        run.stderr
    );
    assert!(env.stored_token("nat2", "default").is_some());
}

// ---------------------------------------------------------------------------------
// F2: `status` never destroys; orphans go only with `outbound prune`.

#[test]
fn status_with_an_empty_or_missing_config_destroys_nothing() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let key = format!("token/{}/default", env.app_id("nat"));
    let text = env.config_text();

    std::fs::write(env.config_path(), "").unwrap();
    env.run(&["status"]);
    env.run(&["status", "--json"]);
    assert!(
        keyring_lookup(&key).is_some(),
        "an emptied config destroyed the tokens"
    );

    std::fs::remove_file(env.config_path()).unwrap();
    env.run(&["status"]);
    env.run(&["status", "--json"]);
    assert!(
        keyring_lookup(&key).is_some(),
        "a missing config destroyed the tokens"
    );

    std::fs::write(env.config_path(), text).unwrap();
    env.run(&["token", "nat"]).ok();
}

#[test]
fn orphans_are_reported_by_status_and_removed_only_by_prune() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.add_cc("cc", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.run(&["token", "cc"]).ok();
    let cc_key = format!("token/{}/default", env.app_id("cc"));
    assert!(keyring_lookup(&cc_key).is_some());

    // Another administrator deletes `cc` from the file by hand.
    let text = env.config_text();
    std::fs::write(env.config_path(), without_table(&text, "cc")).unwrap();
    let run = env.run(&["status", "--json"]).ok();
    let rows = run.json();
    let rows = rows.as_array().expect("array");
    assert_eq!(row_of(rows, "cc")["state"], "orphan", "{rows:?}");
    assert!(run.stderr.contains("outbound prune"), "{}", run.stderr);
    assert!(
        keyring_lookup(&cc_key).is_some(),
        "status removed the orphan's tokens"
    );
    let human = env.run(&["status"]).ok();
    assert!(human.stdout.contains("orphan"), "{}", human.stdout);
    assert!(keyring_lookup(&cc_key).is_some());

    env.run(&["prune"]).ok();
    assert!(
        keyring_lookup(&cc_key).is_none(),
        "prune removed the orphan's tokens"
    );
    assert!(
        env.stored_token("nat", "default").is_some(),
        "prune kept the other app's tokens"
    );
    let rows = env.status();
    assert!(rows.iter().all(|r| r["state"] != "orphan"), "{rows:?}");
    env.run(&["token", "nat"]).ok();
}

#[test]
fn prune_refuses_an_empty_or_missing_config() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &[]);
    env.run(&["token", "cc"]).ok();
    let key = format!("token/{}/default", env.app_id("cc"));
    std::fs::write(env.config_path(), "").unwrap();
    env.run(&["prune"]).code(3);
    assert!(keyring_lookup(&key).is_some(), "prune of an empty file");
    std::fs::remove_file(env.config_path()).unwrap();
    env.run(&["prune"]).code(3);
    assert!(keyring_lookup(&key).is_some(), "prune of a missing file");
}

// ---------------------------------------------------------------------------------
// F19: a signal during a refresh never loses the grant.

/// An authorized app whose token expired, and `outbound token` refreshing it while
/// the server holds the refresh for 3 s (its request has arrived).
fn refresh_in_flight() -> (AuthServer, Env, Child) {
    let server = short_lived();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    past_expiry();
    server.quirks(&["slow"]);
    let child = env
        .command(["token", "nat"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    assert_eq!(
        server.wait_for_token_requests("refresh_token", 1),
        1,
        "{}",
        server.log()
    );
    (server, env, child)
}

/// The refresher gets `sig` while the server holds its refresh for 3 s; by the time
/// the server has answered, the rotated refresh token must be in the store.
fn a_signal_during_a_refresh_keeps_the_grant(sig: &str) {
    let (server, env, child) = refresh_in_flight();
    let signalled = Instant::now();
    signal(child.id(), sig);
    let run = finish(child, Duration::from_secs(15), "the signalled refresher");
    let ended = signalled.elapsed();
    assert_ne!(run.code, 0, "SIG{sig} ended it: {}", run.stderr);
    // The server answers 3 s after the request arrived: wait until it has.
    if let Some(left) = Duration::from_millis(3800).checked_sub(signalled.elapsed()) {
        std::thread::sleep(left);
    }
    server.quirks(&[]);
    let after = env.run(&["token", "nat"]);
    assert_eq!(
        after.code, 0,
        "after SIG{sig} (the refresher ended {ended:?} after it) the grant is lost: {}\nrefresher: {}",
        after.stderr, run.stderr
    );
}

#[test]
fn sigterm_during_a_refresh_keeps_the_grant() {
    a_signal_during_a_refresh_keeps_the_grant("TERM");
}

#[test]
fn sigint_during_a_refresh_keeps_the_grant() {
    a_signal_during_a_refresh_keeps_the_grant("INT");
}

#[test]
fn sighup_during_a_refresh_keeps_the_grant() {
    a_signal_during_a_refresh_keeps_the_grant("HUP");
}

// ---------------------------------------------------------------------------------
// F3, F4, F14: proxies from the environment and Host headers.

#[test]
fn environment_proxies_never_carry_a_token_in_clear_text() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    // The token first, with no proxy at all (the token endpoint obeys the rule too).
    let token = env.run(&["token", "cc"]).ok().stdout.trim().to_owned();
    let url = format!("{}/x", echo.base);
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let run = run_with_proxy_env(
            &env,
            &["curl", "cc", &url],
            &[(var, "http://proxy.test:3128")],
        );
        assert_eq!(run.code, 6, "{var}: {}", run.stderr);
        assert!(run.stderr.contains("proxy"), "{var}: {}", run.stderr);
        assert!(echo.seen().is_empty(), "{var}: the request went out");
    }
    // NO_PROXY exempts the loopback host: sent directly, with the token.
    run_with_proxy_env(
        &env,
        &["curl", "cc", &url],
        &[
            ("HTTP_PROXY", "http://proxy.test:3128"),
            ("NO_PROXY", "127.0.0.1"),
        ],
    )
    .ok();
    let seen = echo.seen();
    assert_eq!(seen.len(), 1);
    let bearer = format!("Bearer {token}");
    assert_eq!(seen[0].header("authorization"), Some(bearer.as_str()));
}

#[test]
fn token_endpoint_requests_never_go_through_a_remote_proxy_in_clear_text() {
    let server = short_lived();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let before = env.stored_token("nat", "default").expect("authorized");
    past_expiry();
    let refreshes = server.token_requests("refresh_token");
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let run = run_with_proxy_env(&env, &["token", "nat"], &[(var, "http://proxy.test:3128")]);
        assert_eq!(run.code, 6, "{var}: {}", run.stderr);
    }
    // The app's own proxy: refused when saved, or refused when used.
    let edit = env.run(&["app", "edit", "nat", "--proxy", "http://proxy.test:3128"]);
    if edit.code == 0 {
        let run = run_with_proxy_env(&env, &["token", "nat"], &[]);
        assert_eq!(run.code, 6, "the app's proxy: {}", run.stderr);
        env.run(&["app", "edit", "nat", "--unset", "proxy"]).ok();
    } else {
        assert!(matches!(edit.code, 2 | 3), "{}", edit.stderr);
    }
    assert_eq!(
        server.token_requests("refresh_token"),
        refreshes,
        "no refresh went out"
    );
    assert_eq!(
        env.stored_token("nat", "default").expect("kept")["refresh_token"],
        before["refresh_token"]
    );
    // A loopback proxy sees nothing it should not: allowed.
    let proxy = CountingProxy::start(ProxyKind::Http);
    let run = run_with_proxy_env(
        &env,
        &["token", "nat"],
        &[("HTTP_PROXY", proxy.url.as_str())],
    );
    assert_eq!(run.code, 0, "through a loopback proxy: {}", run.stderr);
    assert!(proxy.connections() >= 1, "the proxy carried the refresh");
    assert_eq!(
        server.wait_for_token_requests("refresh_token", refreshes + 1),
        refreshes + 1
    );
}

#[test]
fn a_host_header_cannot_send_the_token_elsewhere() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    env.run(&["token", "cc"]).ok();
    let url = format!("{}/x", echo.base);
    for host in [
        "Host: evil.example",
        "host: evil.example:443",
        "HOST: 127.0.0.1.evil.example",
    ] {
        let run = env.run(&["curl", "cc", "-H", host, &url]);
        assert_eq!(run.code, 6, "{host}: {}", run.stderr);
        assert!(echo.seen().is_empty(), "{host}: the request went out");
    }
    let authority = echo.base.trim_start_matches("http://");
    env.run(&["curl", "cc", "-H", &format!("Host: {authority}"), &url])
        .ok();
    assert_eq!(echo.seen().len(), 1, "the URL's own authority is fine");
}

// ---------------------------------------------------------------------------------
// F10, F11, F12: what servers say is shown without secrets or terminal escapes;
// verbose output masks the token inside a custom format.

#[test]
fn client_secrets_echoed_by_a_token_endpoint_are_redacted() {
    const PLAIN: &str = "s3cr3t-value-123";
    const SPECIAL: &str = "Sp3c!al \"q\" +&=/\u{fc}-s3cret";
    let hostile = first_ok_then(|req| {
        let secret = if req.path.starts_with("/special") {
            SPECIAL
        } else {
            PLAIN
        };
        let auth = req.header("authorization").unwrap_or_default().to_owned();
        let basic = auth.strip_prefix("Basic ").unwrap_or_default().to_owned();
        let form = form_encode(secret);
        if req.path.ends_with("/html") {
            return HostileResponse::new(
                500,
                "text/html",
                format!("<p>denied: {auth} / {basic} / {secret} / {form}</p>"),
            );
        }
        let described = format!(
            "{} | {} | {} | {} | {}",
            json_inner(&auth),
            json_inner(&basic),
            json_inner(secret),
            json_inner(&form),
            json_unicode(secret)
        );
        HostileResponse::json(
            400,
            format!(r#"{{"error":"invalid_client","error_description":"{described}"}}"#),
        )
    });
    let env = Env::new();
    let apps = [
        ("plain", PLAIN, "/plain"),
        ("plainhtml", PLAIN, "/plain/html"),
        ("special", SPECIAL, "/special"),
        ("specialhtml", SPECIAL, "/special/html"),
    ];
    for (name, secret, path) in apps {
        env.add_cc_at(name, &hostile.url(path), secret, &[]);
        env.run(&["token", name]).ok();
    }
    std::thread::sleep(Duration::from_millis(1300));
    let mut outputs: Vec<(String, String)> = Vec::new();
    for (name, _, _) in apps {
        let run = env.run(&["token", name]);
        assert_eq!(run.code, 7, "{name}: {}", run.all());
        outputs.push((format!("token {name}"), run.all()));
        let run = env.run(&["authorize", name]);
        assert_eq!(run.code, 7, "{name}: {}", run.all());
        outputs.push((format!("authorize {name}"), run.all()));
    }
    outputs.push((
        "status --json".into(),
        env.run(&["status", "--json"]).ok().all(),
    ));
    outputs.push(("status".into(), env.run(&["status"]).ok().all()));
    let index = std::fs::read_to_string(env.state_dir().join("index.json")).unwrap_or_default();
    assert!(
        index.contains("invalid_client"),
        "the failures are recorded: {index}"
    );
    outputs.push(("index.json".into(), index));

    let mut forbidden = vec![
        PLAIN.to_owned(),
        SPECIAL.to_owned(),
        form_encode(SPECIAL),
        base64(format!("cid:{PLAIN}").as_bytes()),
        base64(format!("cid:{SPECIAL}").as_bytes()),
        base64(format!("cid:{}", form_encode(SPECIAL)).as_bytes()),
    ];
    let requests = hostile.requests();
    assert!(requests.len() >= 12, "every app was attacked: {requests:?}");
    for req in &requests {
        match req.header("authorization") {
            Some(auth) => {
                forbidden.push(auth.to_owned());
                forbidden.push(auth.trim_start_matches("Basic ").to_owned());
            }
            // A secret that form-encoding changes, refused in Basic both encoded and
            // as it is, goes once in the body (client authentication left open).
            None => assert_eq!(
                req.form("client_secret").as_deref(),
                Some(SPECIAL),
                "client authentication: {:?}",
                req.path
            ),
        }
    }
    forbidden.sort();
    forbidden.dedup();
    for (what, text) in &outputs {
        assert_absent(what, text, &forbidden);
    }
}

#[test]
fn a_refresh_token_echoed_by_the_server_is_redacted() {
    let server = short_lived();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let stored = env.stored_token("nat", "default").expect("authorized");
    let refresh = stored["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let access = stored["access_token"].as_str().expect("access").to_owned();
    let hostile = Hostile::start(|req| {
        let got = req.form("refresh_token").unwrap_or_default();
        let auth = req.header("authorization").unwrap_or_default().to_owned();
        HostileResponse::json(
            400,
            format!(
                r#"{{"error":"invalid_request","error_description":"refresh_token {} ({}) sent with {} is malformed"}}"#,
                json_inner(&got),
                json_unicode(&got),
                json_inner(&auth)
            ),
        )
    });
    env.run(&["app", "edit", "nat", "--token-url", &hostile.url("/token")])
        .ok();
    past_expiry();
    let run = env.run(&["token", "nat"]);
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(run.stderr.contains("invalid_request"), "{}", run.stderr);
    let received: Vec<String> = hostile
        .requests()
        .iter()
        .filter_map(|r| r.form("refresh_token"))
        .collect();
    assert_eq!(
        received,
        std::slice::from_ref(&refresh),
        "the server got the refresh token"
    );

    let forbidden = vec![
        refresh,
        access,
        "native-secret".to_owned(),
        base64(b"native-app:native-secret"),
    ];
    assert_absent("token", &run.all(), &forbidden);
    assert_absent(
        "status --json",
        &env.run(&["status", "--json"]).ok().all(),
        &forbidden,
    );
    assert_absent("status", &env.run(&["status"]).ok().all(), &forbidden);
    let index = std::fs::read_to_string(env.state_dir().join("index.json")).expect("index");
    assert!(index.contains("invalid_request"), "recorded: {index}");
    assert_absent("index.json", &index, &forbidden);
}

#[test]
fn terminal_escapes_from_a_server_never_reach_the_terminal() {
    let hostile = first_ok_then(|req| {
        if req.path.starts_with("/html") {
            HostileResponse::new(500, "text/plain", "bad\u{1b}[31mred\u{7}")
        } else {
            HostileResponse::json(
                400,
                r#"{"error":"invalid_client","error_description":"bad\u001b[31mred\u0007"}"#,
            )
        }
    });
    let env = Env::new();
    env.add_cc_at("esc", &hostile.url("/json"), "s", &[]);
    env.add_cc_at("eschtml", &hostile.url("/html"), "s", &[]);
    for name in ["esc", "eschtml"] {
        env.run(&["token", name]).ok();
    }
    std::thread::sleep(Duration::from_millis(1300));
    let mut outputs = Vec::new();
    for name in ["esc", "eschtml"] {
        let run = env.run(&["token", name]);
        assert_eq!(run.code, 7, "{name}: {:?}", run.stderr);
        assert!(
            run.stderr.contains("red"),
            "the server's words are still shown: {:?}",
            run.stderr
        );
        outputs.push(run.all());
        let run = env.run(&["authorize", name]);
        assert_eq!(run.code, 7, "{name}: {:?}", run.stderr);
        outputs.push(run.all());
    }
    let table = env.run(&["status"]).ok().all();
    assert!(table.contains("invalid_client"), "{table:?}");
    outputs.push(table);
    outputs.push(env.run(&["status", "--json"]).ok().all());
    for out in &outputs {
        assert!(
            !out.contains(['\u{1b}', '\u{7}']),
            "a terminal control byte got through: {out:?}"
        );
    }
}

#[test]
fn verbose_output_masks_a_token_inside_a_custom_format() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_cc(
        "cc",
        &server.issuer,
        &[
            "--allowed-host",
            "127.0.0.1:*",
            "--token-header-name",
            "X-Auth",
            "--token-format",
            "k={token} v=1",
        ],
    );
    let token = env.run(&["token", "cc"]).ok().stdout.trim().to_owned();
    let run = env
        .run(&["curl", "-v", "cc", &format!("{}/x", echo.base)])
        .ok();
    let sent = format!("k={token} v=1");
    assert_eq!(
        run.json()["headers"]["x-auth"].as_str(),
        Some(sent.as_str())
    );
    assert!(run.stderr.contains("k=*** v=1"), "{}", run.stderr);
    assert!(!run.stderr.contains(&token), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------
// F16: no secret in the configuration file.

/// A hand-written public client-credentials app `x` (without its token URL), with
/// an id of its own: the keyring is shared by every test run.
fn cc_app() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = nanos ^ (u128::from(std::process::id()) << 64) ^ (u128::from(n) << 96);
    format!(
        "[apps.x]\nid = \"{id:032x}\"\ngrant = \"client_credentials\"\nclient_id = \"cid\"\nclient_auth = \"none\"\n"
    )
}

#[test]
fn credentials_in_a_url_are_refused() {
    let env = Env::new();
    write_config(&env, "# mine\n");
    let run = env.run_with_input(
        &[
            "app",
            "add",
            "x",
            "--grant",
            "client_credentials",
            "--client-id",
            "cid",
            "--token-url",
            "https://user:pw@auth.example.com/token",
            "--client-secret-stdin",
        ],
        "s",
    );
    assert!(matches!(run.code, 2 | 3), "{}", run.all());
    let said = run.stderr.to_lowercase();
    assert!(
        said.contains("password") || said.contains("credential"),
        "{}",
        run.stderr
    );
    assert_eq!(env.config_text(), "# mine\n", "the file is unchanged");

    let text = format!(
        "{}token_url = \"https://user:pw@auth.example.com/token\"\n",
        cc_app()
    );
    write_config(&env, &text);
    for args in [&["app", "list"][..], &["status"], &["token", "x"]] {
        let run = env.run(args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.all());
    }
    assert_eq!(env.config_text(), text, "the file is untouched");
}

#[test]
fn literal_secrets_in_headers_params_and_wide_wildcards_are_refused() {
    let hostile = Hostile::start(|_| token_answer("tok-h"));
    let mut env = Env::new();
    let base = format!("{}token_url = \"{}\"\n", cc_app(), hostile.url("/token"));
    let refused = [
        "token_headers = { X-Api-Key = \"literal-key-1\" }\n",
        "token_params = { client_assertion = \"x\" }\n",
        "allowed_hosts = [\"*.com\"]\n",
        "allowed_hosts = [\"*.co.uk\"]\n",
    ];
    for extra in refused {
        let text = format!("{base}{extra}");
        write_config(&env, &text);
        let run = env.run(&["app", "list"]);
        assert_eq!(run.code, 3, "{extra}: {}", run.all());
        assert_eq!(env.config_text(), text, "the file is untouched");
        if extra.contains("X-Api-Key") {
            assert!(run.stderr.contains("env:"), "{}", run.stderr);
        }
    }
    for extra in [
        "token_params = { audience = \"api\" }\n",
        "token_headers = { Accept = \"application/json\" }\n",
        "allowed_hosts = [\"*.example.co.uk\"]\n",
    ] {
        write_config(&env, &format!("{base}{extra}"));
        let run = env.run(&["app", "list"]);
        assert_eq!(run.code, 0, "{extra}: {}", run.all());
    }
    // A secret header from the environment is accepted and sent.
    write_config(
        &env,
        &format!("{base}token_headers = {{ X-Api-Key = \"env:API_KEY\" }}\n"),
    );
    env.set("API_KEY", "key-from-env-42");
    let run = env.run(&["token", "x"]).ok();
    assert_eq!(run.stdout.trim(), "tok-h");
    let requests = hostile.requests();
    let last = requests.last().expect("a token request");
    assert_eq!(last.method, "POST");
    assert_eq!(last.header("x-api-key"), Some("key-from-env-42"));
}

// ---------------------------------------------------------------------------------
// F5: logout waits for a refresh in flight.

fn logout_during_a_refresh(revoke: bool) {
    let (server, env, refresher) = refresh_in_flight();
    let mut args = vec!["logout", "nat"];
    if !revoke {
        args.push("--no-revoke");
    }
    let logout = env.run(&args);
    let refreshed = finish(refresher, Duration::from_secs(20), "the refresher");
    server.quirks(&[]);
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    assert!(
        env.stored_token("nat", "default").is_none(),
        "tokens are stored after logout\nlogout: {}\nrefresher: {}",
        logout.stderr,
        refreshed.stderr
    );
    assert_eq!(env.status()[0]["state"], "needs-authorization");
    let printed = refreshed.stdout.trim();
    if revoke && !printed.is_empty() {
        assert!(
            !server.is_active(printed),
            "the token the refresher got is still active after logout"
        );
    }
}

#[test]
fn logout_during_a_refresh_leaves_no_tokens_behind() {
    logout_during_a_refresh(false);
}

#[test]
fn logout_during_a_refresh_revokes_what_the_refresh_got() {
    logout_during_a_refresh(true);
}

// ---------------------------------------------------------------------------------
// F6, F7/F18, F13: absurd token answers.

#[test]
fn a_huge_token_response_is_refused_with_little_memory() {
    let hostile = Hostile::start(|_| HostileResponse::huge_json(8 << 30));
    let env = Env::new();
    env.add_cc_at("big", &hostile.url("/token"), "s", &[]);
    let started = Instant::now();
    let mut child = env
        .command(["token", "big"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    let pid = child.id();
    let mut peak_kb = 0;
    // A watchdog: an unbounded read would take the machine's memory.
    let bounded = loop {
        if child.try_wait().expect("try_wait").is_some() {
            break true;
        }
        if let Some(hwm) = proc_status(pid, "VmHWM") {
            peak_kb = peak_kb.max(hwm);
        }
        if peak_kb > 256 * 1024 || started.elapsed() > Duration::from_secs(20) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        bounded,
        "still reading after {elapsed:?}, {} MiB resident",
        peak_kb / 1024
    );
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(peak_kb < 100 * 1024, "peak resident {} MiB", peak_kb / 1024);
    assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[test]
fn absurd_lifetimes_neither_wrap_nor_cause_refreshes() {
    let hostile = Hostile::start(|req| {
        let body = match req.path.as_str() {
            "/max" => {
                r#"{"access_token":"tok-1","token_type":"bearer","expires_in":18446744073709551615}"#
            }
            "/negative" => r#"{"access_token":"tok-2","token_type":"bearer","expires_in":-5}"#,
            _ => {
                r#"{"access_token":"tok-3","token_type":"bearer","expires_in":3600,"refresh_token":"r-3","refresh_token_expires_in":18446744073709551615}"#
            }
        };
        HostileResponse::json(200, body)
    });
    let env = Env::new();
    env.add_cc_at("max", &hostile.url("/max"), "s", &[]);
    env.add_cc_at("negative", &hostile.url("/negative"), "s", &[]);
    env.add_cc_at("rx", &hostile.url("/rx"), "s", &[]);

    let run = env.run(&["token", "max"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "tok-1");
    let children: Vec<Child> = (0..10)
        .map(|_| {
            env.command(["token", "max"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn outbound")
        })
        .collect();
    for child in children {
        let run = finish(child, Duration::from_secs(20), "a concurrent `token`");
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout.trim(), "tok-1");
    }
    assert_eq!(hostile.count("/max"), 1, "the token was fetched again");

    // Already expired: stored as such (or not at all), never as everlasting.
    env.run(&["token", "negative"]);
    let run = env.run(&["token", "rx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "tok-3");

    let now = crate::tokens_now();
    let rows = env.status();
    let max = row_of(&rows, "max");
    assert_eq!(max["state"], "authorized", "{max}");
    assert!(
        max["expires_at"].as_u64().is_some_and(|at| at > now),
        "{max}"
    );
    assert!(
        max["expires_in"].as_i64().is_some_and(|left| left > 0),
        "{max}"
    );
    let negative = row_of(&rows, "negative");
    assert!(
        negative["state"] != "authorized"
            || negative["expires_in"]
                .as_i64()
                .is_some_and(|left| left <= 0),
        "{negative}"
    );
    let rx = row_of(&rows, "rx");
    assert!(
        rx["refresh_expires_at"].as_u64().is_some_and(|at| at > now),
        "{rx}"
    );
}

#[test]
fn a_token_with_a_line_break_is_refused_and_not_stored() {
    let hostile = Hostile::start(|_| {
        HostileResponse::json(
            200,
            r#"{"access_token":"abc\r\nX-Injected: 1","token_type":"bearer","expires_in":3600}"#,
        )
    });
    let env = Env::new();
    env.add_cc_at("crlf", &hostile.url("/token"), "s", &[]);
    let key = format!("token/{}/default", env.app_id("crlf"));
    let run = env.run(&["token", "crlf"]);
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(!run.stdout.contains("X-Injected"), "{}", run.stdout);
    let run = env.run(&["authorize", "crlf"]);
    assert_eq!(run.code, 7, "{}", run.all());
    assert_eq!(hostile.count("/token"), 2);
    assert!(keyring_lookup(&key).is_none(), "the token was stored");
    let rows = env.status();
    assert!(rows.iter().all(|r| r["state"] != "authorized"), "{rows:?}");
}

// ---------------------------------------------------------------------------------
// F8: delete on an unwritable configuration keeps everything.

/// Unmounts its directory when dropped (also when the test panics).
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

fn mount(args: &[&str]) -> bool {
    Command::new("mount")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn deleting_an_app_from_a_read_only_config_keeps_its_secrets() {
    let hostile = Hostile::start(|_| token_answer("tok-ro"));
    let mut env = Env::new();
    let dir = env.dir.path().join("ro");
    std::fs::create_dir_all(&dir).unwrap();
    let dir_str = dir.display().to_string();
    assert!(
        mount(&["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", &dir_str]),
        "mount a tmpfs on {dir_str} (the tests run as root)"
    );
    let _mounted = Mounted(dir.clone());
    let config = dir.join("apps.toml");
    let config_str = config.display().to_string();
    env.set("OUTBOUND_CONFIG", config_str.clone());
    env.add_cc_at("ro", &hostile.url("/token"), "ro-secret-4f1", &[]);
    env.run(&["token", "ro"]).ok();
    let id = env.app_id("ro");
    let secret_key = format!("client-secret/{id}");
    let token_key = format!("token/{id}/default");
    assert!(keyring_lookup(&secret_key).is_some());
    assert!(keyring_lookup(&token_key).is_some());
    let before = std::fs::read_to_string(&config).unwrap();

    assert!(mount(&["-o", "remount,ro", &dir_str]), "remount read-only");
    let run = env.run(&["--config", &config_str, "app", "delete", "ro", "--yes"]);
    assert_ne!(run.code, 0, "deleted from a read-only file: {}", run.all());
    assert_eq!(
        keyring_lookup(&secret_key).map(|s| s.trim_end().to_owned()),
        Some("ro-secret-4f1".to_owned()),
        "the client secret was deleted: {}",
        run.stderr
    );
    assert!(
        keyring_lookup(&token_key).is_some(),
        "the tokens were deleted: {}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    env.run(&["token", "ro"]).ok();

    // Writable again: the delete goes through (and cleans the keyring).
    assert!(mount(&["-o", "remount,rw", &dir_str]), "remount read-write");
    env.run(&["app", "delete", "ro", "--yes"]).ok();
    assert!(keyring_lookup(&secret_key).is_none());
    assert!(keyring_lookup(&token_key).is_none());
}

// ---------------------------------------------------------------------------------
// F9: device grant with an absurd polling interval.

#[test]
fn an_absurd_device_polling_interval_does_not_panic() {
    let hostile = Hostile::start(|req| {
        if req.path.starts_with("/device") {
            HostileResponse::json(
                200,
                r#"{"device_code":"d","user_code":"U","verification_uri":"https://127.0.0.1/v","expires_in":5,"interval":18446744073709551615}"#,
            )
        } else {
            HostileResponse::json(400, r#"{"error":"authorization_pending"}"#)
        }
    });
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "dev",
        "--grant",
        "device_code",
        "--client-id",
        "cid",
        "--client-auth",
        "none",
        "--device-url",
        &hostile.url("/device"),
        "--token-url",
        &hostile.url("/token"),
    ])
    .ok();
    let started = Instant::now();
    let child = env
        .command([
            "authorize",
            "dev",
            "--device",
            "--no-browser",
            "--yes",
            "--timeout",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    let run = finish(child, Duration::from_secs(20), "authorize --device");
    let elapsed = started.elapsed();
    assert_ne!(run.code, 101, "panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // The code expires before a 60 s poll could happen: a timeout (8), not a panic.
    assert_eq!(run.code, 8, "{}", run.stderr);
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(hostile.count("/device"), 1);
}

// ---------------------------------------------------------------------------------
// F15: files stay private whatever the umask.

#[cfg(unix)]
const UMASK_000: &str = "umask 000; exec \"$0\" \"$@\"";

/// Runs `outbound ARGS` under umask 000, with `input` on standard input.
#[cfg(unix)]
fn run_umask_000(env: &Env, args: &[&str], input: &str) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(UMASK_000)
        .arg(env!("CARGO_BIN_EXE_outbound"))
        .args(args);
    env.isolate(&mut cmd);
    crate::harness::run_with_input(cmd, input)
}

#[cfg(unix)]
#[test]
fn files_stay_private_under_umask_000() {
    // The wrapper really applies the umask.
    let scratch = tempfile::tempdir().unwrap();
    let probe = scratch.path().join("probe");
    let touched = Command::new("sh")
        .arg("-c")
        .arg(UMASK_000)
        .arg("touch")
        .arg(&probe)
        .status()
        .expect("sh");
    assert!(touched.success());
    assert_eq!(mode(&probe), 0o666);

    let hostile = Hostile::start(|_| {
        HostileResponse::json(
            200,
            r#"{"access_token":"tok-u","token_type":"bearer","expires_in":1}"#,
        )
    });
    let env = Env::new().file_store();
    let config_dir = env.config_path().parent().expect("dir").to_path_buf();
    write_config(&env, "audit = true\n");
    std::fs::set_permissions(&config_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    run_umask_000(
        &env,
        &[
            "app",
            "add",
            "um",
            "--grant",
            "client_credentials",
            "--client-id",
            "cid",
            "--token-url",
            &hostile.url("/token"),
            "--client-secret-stdin",
        ],
        "um-secret",
    )
    .ok();
    run_umask_000(&env, &["token", "um"], "").ok();
    std::thread::sleep(Duration::from_millis(1300));
    run_umask_000(&env, &["token", "um"], "").ok();
    run_umask_000(&env, &["status"], "").ok();
    assert_eq!(hostile.count("/token"), 2, "fetched, then fetched again");

    let mut paths = Vec::new();
    walk(&env.state_dir(), &mut paths);
    walk(&config_dir, &mut paths);
    assert!(
        paths
            .iter()
            .any(|p| p.parent().is_some_and(|d| d.ends_with("locks"))),
        "the refresh lock is there: {paths:?}"
    );
    assert!(paths.iter().any(|p| p.ends_with("audit.log")), "{paths:?}");
    for path in &paths {
        let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        let want = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(
            mode(path),
            want,
            "{} is {:o} under umask 000",
            path.display(),
            mode(path)
        );
    }
}

// ---------------------------------------------------------------------------------
// F17: the redirect listener under a flood of idle connections.

/// Opens up to `count` connections to 127.0.0.1:`port` that each start a request
/// and never finish its head, within `budget`.
fn open_flood(port: u16, count: usize, budget: Duration) -> Vec<TcpStream> {
    let deadline = Instant::now() + budget;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let workers: Vec<JoinHandle<Vec<TcpStream>>> = (0..10)
        .map(|_| {
            std::thread::spawn(move || {
                let mut held = Vec::new();
                while held.len() < count / 10 {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    let wait = left.min(Duration::from_millis(500));
                    if let Ok(mut stream) = TcpStream::connect_timeout(&addr, wait) {
                        let _ = stream.write_all(b"GET /callback?code=x HTTP/1.1\r\n");
                        held.push(stream);
                    } else {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                held
            })
        })
        .collect();
    workers
        .into_iter()
        .flat_map(|w| w.join().unwrap_or_default())
        .collect()
}

#[test]
fn the_redirect_listener_survives_a_flood_of_idle_connections() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let (mut child, stderr, seen, port) = env.authorize_waiting("nat", "30");
    let pid = child.id();
    let rest = drain(stderr);
    let url = seen
        .lines()
        .find(|l| l.contains("redirect_uri="))
        .expect("the URL line")
        .trim()
        .to_owned();

    let flood = open_flood(port, 300, Duration::from_secs(4));
    assert!(
        flood.len() >= 100,
        "only {} connections opened",
        flood.len()
    );
    let mut threads = 0;
    for _ in 0..25 {
        threads = threads.max(proc_status(pid, "Threads").unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    // The person completes the authorization while the flood is held.
    let mut browser = Command::new("node")
        .arg(format!("{}/http-browser.mjs", authserver_dir()))
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node");
    let started = Instant::now();
    let ended = loop {
        if child.try_wait().expect("try_wait").is_some() {
            break true;
        }
        threads = threads.max(proc_status(pid, "Threads").unwrap_or(0));
        if started.elapsed() > Duration::from_secs(20) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let _ = child.kill();
    let status = child.wait().expect("wait");
    let _ = browser.kill();
    let _ = browser.wait();
    drop(flood);
    let said = rest.join().unwrap_or_default();
    assert!(
        ended,
        "outbound still waiting {elapsed:?} after the browser: {said}"
    );
    assert!(status.success(), "{said}");
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    assert!(threads < 16, "{threads} threads under the flood");
    assert!(env.stored_token("nat", "default").is_some());
}

// ---------------------------------------------------------------------------------
// F20: an unresolvable client secret does not hide that authorization is needed.

#[test]
fn a_missing_secret_variable_still_says_to_authorize() {
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "nat",
        "--client-id",
        "c",
        "--auth-url",
        "https://auth.example.com/authorize",
        "--token-url",
        "https://auth.example.com/token",
        "--client-secret-env",
        "UNSET_VAR_XYZ",
    ])
    .ok();
    let mut cmd = env.command(["token", "nat"]);
    cmd.env_remove("UNSET_VAR_XYZ");
    let run = Run::from(cmd.output().expect("spawn outbound"));
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("outbound authorize nat"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------
// Extras: a huge pasted line, core dumps, the audit log through a symlink.

#[test]
fn a_huge_pasted_line_is_refused_quickly() {
    let env = Env::new();
    add_offline_code_app(&env, "man");
    let mut child = env
        .command(["authorize", "man", "--manual", "--yes"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut line = vec![b'a'; 10 << 20];
        line.push(b'\n');
        // The reader may stop early and close the pipe: that is the point.
        let _ = stdin.write_all(&line);
    });
    let started = Instant::now();
    let run = finish(child, Duration::from_secs(20), "authorize --manual");
    let elapsed = started.elapsed();
    let _ = writer.join();
    assert!(run.code != 0 && run.code != 101, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let said = run.stderr.to_lowercase();
    assert!(
        [
            "too long",
            "longer than",
            "length",
            "too large",
            "larger than"
        ]
        .iter()
        .any(|w| said.contains(w)),
        "{}",
        run.stderr
    );
}

#[test]
fn core_dumps_are_off_while_waiting_for_the_browser() {
    let env = Env::new();
    add_offline_code_app(&env, "core");
    // Allow core dumps first (root may raise the hard limit), so only outbound turns
    // them off.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -c unlimited 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_outbound"))
        .args([
            "authorize",
            "core",
            "--yes",
            "--no-browser",
            "--timeout",
            "30",
        ]);
    env.isolate(&mut cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sh");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let seen = read_until_line(&mut stderr, "redirect_uri=");
    let limits =
        std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit in:\n{limits}\n{seen}"));
    let values: Vec<&str> = line
        .trim_start_matches("Max core file size")
        .split_whitespace()
        .collect();
    assert_eq!(values.get(..2), Some(&["0", "0"][..]), "{line}");
}

#[cfg(unix)]
#[test]
fn the_audit_log_is_never_written_through_a_symlink() {
    let hostile = Hostile::start(|_| token_answer("tok-a"));
    let env = Env::new();
    write_config(&env, "audit = true\n");
    env.add_cc_at("aud", &hostile.url("/token"), "s", &[]);
    env.run(&["token", "aud"]).ok();
    let log = env.state_dir().join("audit.log");
    assert!(log.is_file(), "the audit log was written");
    let target = env.dir.path().join("elsewhere.txt");
    std::fs::write(&target, "not an audit log\n").unwrap();
    std::fs::remove_file(&log).unwrap();
    std::os::unix::fs::symlink(&target, &log).unwrap();
    let run = env.run(&["token", "aud"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "tok-a");
    assert!(
        run.stderr.to_lowercase().contains("warning"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "not an audit log\n",
        "appended through the symlink"
    );
}
