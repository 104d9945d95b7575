//! Trust: faults, security and the tools that help people run outbound unattended
//! (doctor, the audit log, refresh-token lifetimes). Loopback only, bounded.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::authserver::{AuthServer, Options, free_port, http_browser, private_ca};
#[cfg(unix)]
use crate::harness::mode;
use crate::harness::{Env, Run};
use crate::servers::{Echo, PrivateKeyring};

fn me(server: &AuthServer) -> String {
    format!("{}/me", server.issuer)
}

#[test]
fn doctor_reports_each_check_with_a_fix() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.set("BROWSER", http_browser());
    env.add_native("nat", &server.issuer, &[]);
    let run = env.run(&["doctor"]).ok();
    for line in [
        "ok    config",
        "ok    store",
        "ok    browser",
        "nat: discovery",
        "nat: token",
        "nat: clock",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    // A broken endpoint and a missing secret are failures, each with its fix.
    env.run(&[
        "app",
        "add",
        "broken",
        "--grant",
        "client_credentials",
        "--client-id",
        "c",
        "--token-url",
        &format!("http://127.0.0.1:{}/token", free_port()),
        "--client-secret-env",
        "UNSET_VAR_XYZ",
    ])
    .ok();
    let run = env.run(&["doctor", "broken"]).code(1);
    assert!(
        run.stdout.contains("FAIL  broken: client secret")
            && run.stdout.contains("export UNSET_VAR_XYZ"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAIL  broken: token") && run.stdout.contains("fix:"),
        "{}",
        run.stdout
    );
    // A private CA without --ca-file: the fix names it.
    let dir = tempfile::tempdir().unwrap();
    let (_ca, cert, key) = private_ca(dir.path());
    let tls = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    env.run(&[
        "app",
        "add",
        "tls",
        "--grant",
        "client_credentials",
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--token-url",
        &format!("{}/token", tls.issuer),
    ])
    .ok();
    let run = env.run(&["doctor", "tls"]).code(1);
    assert!(run.stdout.contains("--ca-file"), "{}", run.stdout);
    // A broken configuration file: one FAIL line, exit 1.
    std::fs::write(env.config_path(), "[apps.x\n").unwrap();
    let run = env.run(&["doctor"]).code(1);
    assert!(run.stdout.contains("FAIL  config"), "{}", run.stdout);
}

/// An allowed host on loopback written without a port now means only the default
/// port: `doctor` warns about each such entry with the edit that fixes it (the
/// port of the app's base URL when it is on that host), and the fix, run as
/// printed, takes the warning away.
#[test]
fn doctor_warns_of_loopback_hosts_without_a_port() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc(
        "local",
        &server.issuer,
        &[
            "--allowed-host",
            "127.0.0.1",
            "--allowed-host",
            "localhost",
            "--allowed-host",
            "[::1]:8443",
            "--allowed-host",
            "127.0.0.2:*",
            "--allowed-host",
            "api.example.com",
            "--base-url",
            "http://localhost:8080/api",
        ],
    );
    let warnings = |run: &crate::harness::Run| -> Vec<serde_json::Value> {
        run.json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["check"] == "local: allowed hosts")
            .cloned()
            .collect()
    };
    let run = env.run(&["doctor", "local", "--json"]).ok();
    let found = warnings(&run);
    assert_eq!(found.len(), 2, "{}", run.stdout);
    assert!(
        found.iter().all(|c| c["status"] == "warn"),
        "{}",
        run.stdout
    );
    assert!(
        found[0]["detail"]
            .as_str()
            .unwrap()
            .contains("`127.0.0.1` is a loopback host without a port"),
        "{}",
        run.stdout
    );
    assert!(
        found[0]["fix"].as_str().unwrap().starts_with(
            "outbound app edit local --remove-allowed-host 127.0.0.1 --add-allowed-host 127.0.0.1:PORT"
        ),
        "{}",
        run.stdout
    );
    let fix = found[1]["fix"].as_str().unwrap();
    assert_eq!(
        fix,
        "outbound app edit local --remove-allowed-host localhost --add-allowed-host localhost:8080"
    );
    // The text report says the same.
    let text = env.run(&["doctor", "local"]).ok();
    assert!(
        text.stdout.contains("warn  local: allowed hosts"),
        "{}",
        text.stdout
    );
    // Run as printed, the fix works.
    let args: Vec<&str> = fix.split_whitespace().skip(1).collect();
    env.run(&args).ok();
    assert_eq!(
        env.app_json("local")["allowed_hosts"],
        serde_json::json!([
            "127.0.0.1",
            "[::1]:8443",
            "127.0.0.2:*",
            "api.example.com",
            "localhost:8080"
        ])
    );
    let run = env.run(&["doctor", "local", "--json"]).ok();
    assert_eq!(warnings(&run).len(), 1, "{}", run.stdout);
}

#[test]
fn the_audit_log_records_use_without_secrets() {
    let server = AuthServer::start();
    let env = Env::new();
    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    std::fs::write(env.config_path(), "# team file\naudit = true\n").unwrap();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let token = env.stored_token("nat", "default").unwrap();
    env.run(&["curl", "nat", &me(&server)]).ok();
    env.run(&["token", "nat"]).ok();
    env.run(&["logout", "nat"]).ok();
    let run = env.run(&["audit", "--json"]).ok();
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["authorize", "request", "token", "revoke"],
        "{}",
        run.stdout
    );
    assert_eq!(events[1]["method"], "GET");
    assert_eq!(events[1]["host"], "127.0.0.1");
    assert_eq!(events[1]["status"], "200");
    let log = std::fs::read_to_string(env.state_dir().join("audit.log")).unwrap();
    for secret in [
        token["access_token"].as_str().unwrap(),
        token["refresh_token"].as_str().unwrap(),
        "native-secret",
    ] {
        assert!(!log.contains(secret));
    }
    #[cfg(unix)]
    assert_eq!(mode(&env.state_dir().join("audit.log")), 0o600);
    let human = env.run(&["audit", "nat", "--limit", "1"]).ok();
    assert_eq!(human.stdout.lines().count(), 1);
    assert!(human.stdout.contains("revoke"), "{}", human.stdout);
}

#[test]
fn refresh_token_lifetime_is_recorded_warned_and_kept_alive() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    server.quirks(&["refresh_expires"]);
    env.authorize("nat", &[]).ok();
    let status = env.status();
    let left = status[0]["refresh_expires_at"].as_u64().unwrap() - crate::tokens_now();
    assert!((3500..=3600).contains(&left), "{left}");
    let run = env.run(&["token", "nat"]).ok();
    assert!(
        run.stderr.contains("warning: the refresh token of `nat`")
            && run.stderr.contains("expires in"),
        "{}",
        run.stderr
    );
    let before = server.token_requests("refresh_token");
    let first = env.run(&["token", "nat"]).ok().stdout;
    let kept = env.run(&["token", "nat", "--keep-alive"]).ok().stdout;
    assert_ne!(first, kept, "--keep-alive refreshed");
    assert_eq!(
        server.wait_for_token_requests("refresh_token", before + 1),
        before + 1
    );
    let table = env.run(&["status"]).ok().stdout;
    assert!(
        table.contains("REFRESH EXPIRES") && (table.contains("in 59m") || table.contains("in 60m")),
        "{table}"
    );
}

#[test]
fn killing_config_writers_200_times_loses_nothing() {
    let env = Env::new();
    for name in ["keep1", "keep2"] {
        env.run(&[
            "app",
            "add",
            name,
            "--grant",
            "client_credentials",
            "--client-id",
            "c",
            "--client-auth",
            "none",
            "--token-url",
            "https://a.example/t",
        ])
        .ok();
    }
    let mut seed = 0x2545_f491_u64;
    for i in 0..200 {
        let mut child = env
            .command([
                "app",
                "edit",
                "keep1",
                "--description",
                &format!("edit {i}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 4000));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let text = env.config_text();
        let parsed: Result<toml::Table, _> = toml::from_str(&text);
        assert!(
            parsed.is_ok(),
            "round {i}: the file does not parse:\n{text}"
        );
        assert!(
            text.contains("[apps.keep1]") && text.contains("[apps.keep2]"),
            "round {i}: lost an app:\n{text}"
        );
    }
    let list = env.run(&["app", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn a_killed_refresher_does_not_block_others_and_a_waiter_names_the_lock() {
    let server = AuthServer::with(Options {
        access_ttl: Some(2),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    std::thread::sleep(Duration::from_millis(2200));
    // A refresher stuck on a slow server holds the lock; it is killed.
    server.quirks(&["slow"]);
    let mut stuck = env
        .command(["token", "nat"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for_log("TOKEN grant_type=refresh_token");
    let _ = stuck.kill();
    let _ = stuck.wait();
    server.quirks(&[]);
    let started = Instant::now();
    env.run(&["curl", "nat", &me(&server)]).ok();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "blocked by a dead process's lock"
    );

    // A waiter that gives up says which lock.
    let lock = env
        .state_dir()
        .join("locks")
        .join(format!("{}.default.lock", env.app_id("nat")));
    let held = std::fs::OpenOptions::new().write(true).open(&lock).unwrap();
    held.lock().unwrap();
    // Make the token look stale so the refresh path (and its lock) is taken.
    std::thread::sleep(Duration::from_millis(2200));
    let mut env = env;
    env.set("OUTBOUND_LOCK_TIMEOUT", "1");
    let run = env.run(&["token", "nat"]).code(1);
    assert!(
        run.stderr
            .contains("timed out after 1 s waiting for the refresh lock"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&lock.display().to_string()),
        "{}",
        run.stderr
    );
    drop(held);
}

#[test]
fn a_failing_token_endpoint_leaves_tokens_intact() {
    let server = AuthServer::with(Options {
        access_ttl: Some(2),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let before = env.stored_token("nat", "default").unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    server.quirks(&["status_500"]);
    let run = env.run(&["curl", "nat", &me(&server)]).code(7);
    assert!(run.stderr.contains("HTTP 500"), "{}", run.stderr);
    assert_eq!(
        env.stored_token("nat", "default").unwrap()["refresh_token"],
        before["refresh_token"]
    );
    let status = env.status();
    assert_eq!(status[0]["state"], "error", "{status:?}");
    // Down: nothing listens at the token URL.
    let token_url = env.app_json("nat")["token_url"]
        .as_str()
        .unwrap()
        .to_owned();
    env.run(&[
        "app",
        "edit",
        "nat",
        "--token-url",
        &format!("http://127.0.0.1:{}/token", free_port()),
    ])
    .ok();
    let run = env.run(&["token", "nat"]).code(7);
    assert!(
        run.stderr.contains("could not reach the token endpoint"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.stored_token("nat", "default").unwrap()["refresh_token"],
        before["refresh_token"]
    );
    // Slow: past the timeout, a clear error and nothing lost.
    env.run(&["app", "edit", "nat", "--token-url", &token_url])
        .ok();
    server.quirks(&["slow"]);
    let mut env = env;
    env.set("OUTBOUND_OAUTH_TIMEOUT", "1");
    let run = env.run(&["token", "nat"]).code(7);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert_eq!(
        env.stored_token("nat", "default").unwrap()["refresh_token"],
        before["refresh_token"]
    );
    // Dripping: an answer that starts at once and never ends is cut off at the same
    // limit, not after each byte's wait (it hung for good before).
    server.quirks(&["drip"]);
    env.set("OUTBOUND_OAUTH_TIMEOUT", "2");
    let started = std::time::Instant::now();
    let run = env.run(&["token", "nat"]).code(7);
    assert!(
        run.stderr.contains("still arriving after 2 s"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        env.stored_token("nat", "default").unwrap()["refresh_token"],
        before["refresh_token"]
    );
    env.set("OUTBOUND_OAUTH_TIMEOUT", "30");
    // Back: it works again.
    server.quirks(&[]);
    env.run(&["curl", "nat", &me(&server)]).ok();
    assert_eq!(env.status()[0]["state"], "authorized");
}

#[test]
fn the_secret_service_going_away_gives_the_keyring_message() {
    let server = AuthServer::start();
    let keyring = PrivateKeyring::start();
    let mut env = Env::new();
    env.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    drop(keyring);
    let run = env.run(&["token", "nat"]).code(1);
    assert!(
        run.stderr.contains("the OS keyring could not be reached"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_corrupt_state_index_is_rebuilt() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    std::fs::write(env.state_dir().join("index.json"), "{ not json").unwrap();
    let run = env.run(&["status", "--json"]).ok();
    assert!(
        run.stderr.contains("rebuilding it from the store"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()[0]["state"], "authorized");
    env.run(&["curl", "nat", &me(&server)]).ok();
}

#[test]
fn malformed_configuration_corpus() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    let corpus: &[(&[u8], &str)] = &[
        (b"[apps.x]\nid = \"abc", ":2:"),                  // truncated
        (b"[apps.x]\nid = 7\n", ":2:"),                     // wrong type
        (b"store = \"file\"\nstore = \"keyring\"\n", ":2:"), // duplicate key
        (b"[apps.x]\nid = \"a\"\nscope = [\"x\"]\n", ":3:"), // unknown field
        (b"[apps.x]\nid = \"a\xc3\x28\"\n", ":2:"),          // invalid UTF-8
        (b"store = \"vault\"\n", ":1:"),                   // unknown store
        (b"[apps.x]\nid = \"a\"\nclient_id = \"c\"\nclient_auth = \"none\"\ntoken_url = \"https://t.example\"\ngrant = \"implicit\"\n", ":6:"),
    ];
    for (text, position) in corpus {
        std::fs::write(env.config_path(), text).unwrap();
        for args in [
            &["app", "list"][..],
            &["app", "add", "y", "--client-id", "c"],
            &["status"],
            &["token", "x"],
        ] {
            let run = env.run(args).code(3);
            assert!(
                run.stderr.contains(&format!("apps.toml{position}")),
                "{:?} {args:?}: {}",
                String::from_utf8_lossy(text),
                run.stderr
            );
        }
        assert_eq!(
            std::fs::read(env.config_path()).unwrap(),
            *text,
            "the file is untouched"
        );
    }
}

#[test]
fn callbacks_forged_with_a_foreign_issuer_or_replayed_are_refused() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let run = env.authorize_in_mode("nat", "forge_iss", 30).code(7);
    assert!(
        run.stderr.contains("not `") && run.stderr.contains("RFC 9207"),
        "{}",
        run.stderr
    );
    assert!(env.stored_token("nat", "default").is_none());

    let log = env.dir.path().join("browser.log");
    env.authorize_in_mode("nat", "replay", 30).ok();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut trace = String::new();
    while !trace.contains("replay ") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        trace = std::fs::read_to_string(&log).unwrap_or_default();
    }
    assert!(
        trace.contains("replay refused: ECONNREFUSED"),
        "the listener stopped after success: {trace}"
    );
}

/// The command lines of every process: those of this test binary's descendants, and
/// all of them (other processes on a shared machine run what they like).
fn cmdlines() -> (String, String) {
    let mut procs = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let (Ok(stat), Ok(line)) = (
            std::fs::read_to_string(entry.path().join("stat")),
            std::fs::read(entry.path().join("cmdline")),
        ) else {
            continue;
        };
        // The parent is the second field after the command name, which ends at the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0);
        procs.push((pid, ppid, String::from_utf8_lossy(&line).replace('\0', " ")));
    }
    let mut own = std::collections::HashSet::from([std::process::id()]);
    loop {
        let before = own.len();
        for (pid, ppid, _) in &procs {
            if own.contains(ppid) {
                own.insert(*pid);
            }
        }
        if own.len() == before {
            break;
        }
    }
    let mut mine = String::new();
    let mut all = String::new();
    for (pid, _, line) in &procs {
        if own.contains(pid) {
            mine.push_str(line);
            mine.push('\n');
        }
        all.push_str(line);
        all.push('\n');
    }
    (mine, all)
}

/// The full authorize-then-curl run leaks no secret: not in any process's command
/// line, not in outputs, not in the configuration, status or --json; files are
/// private; the listener is bound to 127.0.0.1 only.
#[test]
fn no_secret_leaks_anywhere_during_a_full_run() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    // The "browser" snapshots every command line and the listening sockets mid-flow.
    let snapshot = env.dir.path().join("snapshot");
    let wrapper = env.dir.path().join("browser.sh");
    std::fs::write(&wrapper, format!(
        "#!/bin/sh\nfor f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\" 2>/dev/null; echo; done > {snap}.cmdlines\ncat /proc/net/tcp /proc/net/tcp6 > {snap}.tcp 2>/dev/null\nexec {browser} \"$@\"\n",
        snap = snapshot.display(),
        browser = http_browser()
    )).unwrap();
    crate::harness::chmod(&wrapper, 0o700);
    let mut cmd = env.command(["authorize", "nat", "--yes", "--timeout", "30"]);
    cmd.env("BROWSER", wrapper.display().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Command lines during the authorization, sampled until it ends: those of this
    // test's own process tree (outbound, the browser, the servers) carry no client
    // secret, verifier or code; no process on the machine carries the client secret.
    let mut child = cmd.spawn().unwrap();
    let mut own_lines = String::new();
    let mut all_lines = String::new();
    while child.try_wait().unwrap().is_none() {
        let (own, all) = cmdlines();
        own_lines.push_str(&own);
        all_lines.push_str(&all);
        std::thread::sleep(Duration::from_millis(5));
    }
    let authorize = Run::from(child.wait_with_output().unwrap()).ok();
    let token = env.stored_token("nat", "default").unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let refresh = token["refresh_token"].as_str().unwrap().to_owned();

    let snapped = std::fs::read_to_string(format!("{}.cmdlines", snapshot.display())).unwrap();
    assert!(
        snapped.contains("outbound authorize nat") && own_lines.contains("outbound authorize nat"),
        "the snapshots saw outbound"
    );
    assert!(
        own_lines.contains("http-browser.mjs"),
        "the samples followed outbound's children: {own_lines}"
    );
    assert!(!all_lines.contains("native-secret") && !snapped.contains("native-secret"));
    assert!(
        !own_lines.contains("code_verifier") && !own_lines.contains("code="),
        "{own_lines}"
    );
    // The listener: 127.0.0.1 only.
    let port = authorize
        .stderr
        .split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    let tcp = std::fs::read_to_string(format!("{}.tcp", snapshot.display())).unwrap();
    let port_hex = format!(":{port:04X}");
    let listeners: Vec<&str> = tcp
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|a| a.ends_with(&port_hex))
                && l.split_whitespace().nth(3) == Some("0A")
        })
        .collect();
    assert_eq!(listeners.len(), 1, "{tcp}");
    assert!(
        listeners[0]
            .split_whitespace()
            .nth(1)
            .unwrap()
            .starts_with("0100007F:"),
        "{}",
        listeners[0]
    );

    // Command lines during a request: the token never appears.
    // The request lasts 400 ms (a slow route), so the sampling sees it running.
    let slow = format!("{}/slow/echo", echo.base);
    let mut child = env
        .command(["curl", "-s", "nat", &slow])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen_lines = String::new();
    while child.try_wait().unwrap().is_none() {
        seen_lines.push_str(&cmdlines().1);
    }
    assert!(
        seen_lines.contains(&slow),
        "the sampling never saw the outbound process, so it proves nothing"
    );
    let mut body = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert!(
        body.contains(&format!("Bearer {access}")),
        "the echo saw the token"
    );
    assert!(!seen_lines.contains(&access));

    // Outputs, --verbose, --json, status, show: no secret.
    let outputs = [
        authorize.all(),
        env.run(&["curl", "-v", "nat", &format!("{}/echo", echo.base)])
            .ok()
            .stderr,
        env.run(&["status", "--json"]).ok().all(),
        env.run(&["status"]).ok().all(),
        env.run(&["app", "show", "nat", "--json"]).ok().all(),
        env.run(&["app", "list", "--json"]).ok().all(),
        env.run(&["doctor", "nat"]).all(),
    ];
    for out in &outputs {
        for secret in [&access, &refresh, "native-secret"] {
            assert!(!out.contains(secret), "leaked in: {out}");
        }
    }
    // Files: the configuration holds no secret; everything is private.
    let config = env.config_text();
    for secret in [&access, &refresh, "native-secret"] {
        assert!(!config.contains(secret));
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&env.config_path()), 0o600);
        assert_eq!(mode(env.config_path().parent().unwrap()), 0o700);
        assert_eq!(mode(&env.state_dir()), 0o700);
        assert_eq!(mode(&env.state_dir().join("index.json")), 0o600);
    }
}

/// ID tokens forged in the token answer — `alg: none`, a `kid` the issuer's key set
/// does not have, HS256 keyed with the issuer's public keys (algorithm confusion:
/// a MAC is checked with the client secret, and only with it) — are refused: exit 7,
/// said why, nothing stored.
#[test]
fn forged_id_tokens_are_refused() {
    let server = AuthServer::start();
    for (quirk, said) in [
        ("id_token_none", "is not a JWT"),
        (
            "id_token_foreign_kid",
            "which the issuer's JWKS does not have",
        ),
        ("id_token_hs256", "is signed with HS256"),
    ] {
        let env = Env::new();
        env.add_native("nat", &server.issuer, &[]);
        server.quirks(&[quirk]);
        let run = env.authorize("nat", &[]).code(7);
        assert!(run.stderr.contains(said), "{quirk}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was stored"),
            "{quirk}: {}",
            run.stderr
        );
        assert!(
            env.stored_token("nat", "default").is_none(),
            "{quirk}: stored"
        );
        server.quirks(&[]);
    }
}

/// A client secret the server refuses (`invalid_client`) names its fix, and doctor
/// finds it: by trying a client-credentials app's credentials (one token request),
/// and by reporting an account's last failure.
#[test]
fn a_refused_client_secret_names_its_fix_and_doctor_finds_it() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.set("BROWSER", http_browser());
    env.add_cc("svc", &server.issuer, &[]);
    env.run_with_input(&["app", "secret", "set", "svc"], "wrong-secret-1")
        .ok();
    let run = env.run(&["token", "svc"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert!(
        run.stderr.contains("outbound app secret set svc"),
        "{}",
        run.stderr
    );
    let before = server.token_requests("client_credentials");
    let run = env.run(&["doctor", "svc"]).code(1);
    assert!(
        run.stdout.contains("FAIL  svc: credentials") && run.stdout.contains("invalid_client"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fix: outbound app secret set svc"),
        "{}",
        run.stdout
    );
    assert_eq!(
        server.wait_for_token_requests("client_credentials", before + 1),
        before + 1
    );
    // Put right, the same try gets a token: no problem left.
    env.run_with_input(&["app", "secret", "set", "svc"], "cc-secret")
        .ok();
    let run = env.run(&["doctor", "svc"]).ok();
    assert!(
        run.stdout.contains("ok    svc: credentials"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 problems"), "{}", run.stdout);

    // An authorized account whose refresh the server refused: the error names the
    // fix, and doctor reports the account's last failure as a problem.
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.run_with_input(&["app", "secret", "set", "nat"], "wrong-secret-2")
        .ok();
    let run = env.run(&["token", "nat", "--force-refresh"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert!(
        run.stderr.contains("outbound app secret set nat"),
        "{}",
        run.stderr
    );
    let run = env.run(&["doctor", "nat"]).code(1);
    assert!(
        run.stdout.contains("FAIL  nat: account default") && run.stdout.contains("invalid_client"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fix: outbound app secret set nat"),
        "{}",
        run.stdout
    );
    for out in [run.all(), env.run(&["status", "--json"]).all()] {
        assert!(!out.contains("wrong-secret"), "{out}");
    }
}
