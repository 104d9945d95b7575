//! Where a token or a key could slip out, or a front end be starved, each driven
//! through the real binary: an endless line on `proxy --stdio`, a `host=` git did
//! not mean, key files others may read, slow clients holding the agent's every
//! connection, and `exec --env` names the loader or a shell reads.

use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::time::Duration;
#[cfg(unix)]
use std::time::Instant;
#[cfg(unix)]
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::authserver::AuthServer;
use crate::harness::Env;
#[cfg(unix)]
use crate::harness::Run;

/// The peak resident memory of a running process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

/// A 64 MiB line without a newline on `proxy --stdio`: read and thrown away as it
/// comes (the bridge's peak memory grows by far less than the line), answered with
/// a JSON-RPC error, and the session goes on with the next line.
#[test]
fn an_endless_line_on_stdio_is_dropped_as_it_is_read() {
    const LINE: usize = 64 * 1024 * 1024;
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
        .expect("spawn outbound");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = tx.send(line);
        }
    });
    let stderr = child.stderr.take().expect("stderr");
    let said = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let next = || {
        let line = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("a message on stdout");
        serde_json::from_str::<serde_json::Value>(&line).expect("one JSON message per line")
    };
    // A session first: what the bridge needs anyway is in memory before the line.
    writeln!(
        stdin,
        "{}",
        serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
    )
    .expect("write");
    stdin.flush().expect("flush");
    assert_eq!(next()["result"]["protocolVersion"], "2025-06-18");
    let before = peak_rss_kib(pid);
    let chunk = vec![b'x'; 1024 * 1024];
    let mut sent = 0;
    let mut peak = before;
    while sent < LINE {
        if stdin.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
        peak = peak.max(peak_rss_kib(pid));
    }
    assert_eq!(sent, LINE, "the bridge stopped reading");
    stdin.flush().expect("flush");
    // Let it take what is in the pipe before the last look at its memory.
    std::thread::sleep(Duration::from_millis(300));
    peak = peak.max(peak_rss_kib(pid));
    // At most the 16 MiB a message may have (and a copy while it grows), never
    // the line.
    let grown = peak.saturating_sub(before);
    assert!(
        grown < 32 * 1024,
        "peak memory grew by {grown} KiB (from {before} KiB) for a {} MiB line: it was held whole",
        LINE / (1024 * 1024)
    );
    // The line ends; the next one is a message like any other.
    writeln!(
        stdin,
        "\n{}",
        serde_json::json!({"jsonrpc":"2.0","id":2,"method":"ping"})
    )
    .expect("write");
    stdin.flush().expect("flush");
    let error = next();
    assert_eq!(error["id"], serde_json::Value::Null, "{error}");
    assert_eq!(error["error"]["code"], -32600, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("longer than 16 MiB")),
        "{error}"
    );
    let pong = next();
    assert_eq!(pong["id"], 2, "{pong}");
    assert!(pong.get("error").is_none(), "{pong}");
    drop(stdin);
    assert!(child.wait().expect("wait").success());
    let said = said.join().expect("stderr");
    assert!(said.contains("longer than 16 MiB"), "{said}");
}

/// git's `host=` is host[:port] and nothing else: `evil.test@api.example.com`,
/// `api.example.com/evil`, `api.example.com#x` (and the same in `url=`, with a
/// user in it) get no token, only an error on stderr.
#[test]
fn git_credential_answers_only_the_host_git_named() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc(
        "svc",
        &server.issuer,
        &["--allowed-host", "api.example.com"],
    );
    let ask = |input: &str| env.run_with_input(&["git-credential", "get"], input);
    let run = ask("protocol=https\nhost=api.example.com\n").ok();
    assert!(run.stdout.contains("password="), "{}", run.all());
    let token = env.run(&["token", "svc"]).ok().stdout;
    for input in [
        "protocol=https\nhost=evil.test@api.example.com\n",
        "protocol=https\nhost=api.example.com/evil\n",
        "protocol=https\nhost=api.example.com#x\n",
        "protocol=https\nhost=api.example.com?x\n",
        "protocol=https\nhost=api.example.com:443@evil.test\n",
        "url=https://evil.test@api.example.com/repo.git\n",
        "url=https://user:pw@api.example.com/\n",
    ] {
        for app in [None, Some("svc")] {
            let run = match app {
                None => ask(input),
                Some(app) => env.run_with_input(&["git-credential", "--app", app, "get"], input),
            };
            assert!(
                !run.stdout.contains("password") && !run.all().contains(token.trim()),
                "{input:?} was answered: {}",
                run.all()
            );
            assert_eq!(run.code, 2, "{input:?}: {}", run.all());
            assert!(
                run.stderr.contains("git-credential:")
                    && (run.stderr.contains("HOST[:PORT]")
                        || run.stderr.contains("user or password")),
                "{input:?}: {}",
                run.stderr
            );
        }
    }
    // A well-formed url= names the same host: answered.
    let run = ask("url=https://api.example.com/o/r.git?x=1#y\n").ok();
    assert!(run.stdout.contains("password="), "{}", run.all());
}

/// Makes a P-256 key and a certificate for it (both PEM), in `dir`.
#[cfg(unix)]
fn key_and_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (key, cert) = (dir.join("client.key"), dir.join("client.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=outbound-test",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    (key, cert)
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[track_caller]
fn assert_refused_key(run: Run, path: &Path, mode: &str) {
    let run = run.code(2);
    let file = path.display().to_string();
    assert!(run.stderr.contains(&file), "{}", run.stderr);
    assert!(run.stderr.contains(mode), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("chmod 600 {file}")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("PRIVATE KEY"), "{}", run.stderr);
}

/// A key file others may read is refused, naming it, its mode and the chmod:
/// `--private-key`, `--client-key` (add and edit) and `OUTBOUND_STORE_KEY_FILE`.
#[cfg(unix)]
#[test]
fn key_files_others_may_read_are_refused() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (key, cert) = key_and_cert(keys.path());
    let env = Env::new();
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "app",
            "add",
            name,
            "--grant",
            "client_credentials",
            "--client-id",
            "c",
            "--token-url",
            "https://auth.example.com/token",
        ];
        args.extend(extra);
        env.run(&args)
    };
    let key_arg = key.to_str().expect("path");
    let cert_arg = cert.to_str().expect("path");
    let pkjwt = ["--client-auth", "private_key_jwt", "--private-key", key_arg];
    let mtls = [
        "--client-auth",
        "self_signed_tls_client_auth",
        "--client-cert",
        cert_arg,
        "--client-key",
        key_arg,
    ];
    for mode in [0o644, 0o640, 0o604] {
        chmod(&key, mode);
        let shown = format!("{mode:04o}");
        assert_refused_key(add("pk", &pkjwt), &key, &shown);
        assert_refused_key(add("tls", &mtls), &key, &shown);
    }
    assert!(
        !env.config_text().contains("[apps."),
        "{}",
        env.config_text()
    );
    // 0600: taken; then an edit with a readable key is refused the same way.
    chmod(&key, 0o600);
    add("pk", &pkjwt).ok();
    add("tls", &mtls).ok();
    chmod(&key, 0o644);
    assert_refused_key(
        env.run(&["app", "edit", "pk", "--private-key", key_arg]),
        &key,
        "0644",
    );
    assert_refused_key(
        env.run(&["app", "edit", "tls", "--client-key", key_arg]),
        &key,
        "0644",
    );

    // The team store's data key.
    let team = crate::team::Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let alice = team.machine("alice");
    alice.run(&["token", "svc"]).ok();
    chmod(&team.key_file, 0o640);
    assert_refused_key(alice.run(&["token", "svc"]), &team.key_file, "0640");
    let run = alice.run(&["token", "svc"]);
    assert!(
        run.stderr.contains("OUTBOUND_STORE_KEY_FILE"),
        "{}",
        run.all()
    );
    chmod(&team.key_file, 0o600);
    alice.run(&["token", "svc"]).ok();
}

/// Stops the agent when the test ends, however it ends.
#[cfg(unix)]
struct Stopper<'a>(&'a Env);
#[cfg(unix)]
impl Drop for Stopper<'_> {
    fn drop(&mut self) {
        let _ = self.0.command(["agent", "stop"]).output();
    }
}

/// 70 clients that send a byte a second and never a newline: while they hold every
/// connection, `agent status` says the agent is busy (not "not running"); each has
/// 5 s for its whole request, so within 8 s a real command is served from the
/// agent's memory again (proved by a client without a keyring).
#[cfg(unix)]
#[test]
fn slow_clients_do_not_lock_out_the_agent() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    env.run(&["agent", "start"]).ok();
    let _stop = Stopper(&env);
    let token = env.run(&["token", "svc"]).ok().stdout;
    let socket = env.state_dir().join("agent.sock");
    let started = Instant::now();
    let slow: Vec<_> = (0..70)
        .map(|_| {
            let socket = socket.clone();
            std::thread::spawn(move || {
                let Ok(mut s) = UnixStream::connect(&socket) else {
                    return;
                };
                // A byte a second for 20 s, until the agent closes the connection.
                for _ in 0..20 {
                    if s.write_all(b" ").is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let run = env.run(&["agent", "status"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("busy") && !run.stderr.contains("not running"),
        "{}",
        run.all()
    );
    let json = env.run(&["agent", "status", "--json"]);
    assert_eq!(json.json()["busy"], true, "{}", json.all());
    assert_eq!(json.json()["running"], true, "{}", json.all());
    // Meanwhile a command does without the agent, and says so.
    let run = env.run(&["token", "svc"]).ok();
    assert!(run.stderr.contains("busy"), "{}", run.stderr);
    // Served from memory again within 8 s of the flood's start.
    let served = loop {
        let mut cmd = env.command(["token", "svc"]);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        let run = Run::from(cmd.output().expect("spawn outbound"));
        if run.code == 0 {
            break run;
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "the agent still serves nobody after {:?}: {}",
            started.elapsed(),
            run.all()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(served.stdout, token);
    env.run(&["agent", "status"]).ok();
    for t in slow {
        let _ = t.join();
    }
}

/// `exec --env` refuses names the loader, a shell or an interpreter reads: with
/// `LD_PRELOAD` the loader printed the token on stderr.
#[test]
fn exec_refuses_variables_the_loader_or_a_shell_reads() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    let token = env.run(&["token", "svc"]).ok().stdout;
    let token = token.trim();
    for var in [
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "BASH_ENV",
        "ENV",
        "PATH",
        "PS4",
        "NODE_OPTIONS",
    ] {
        let run = env.run(&["exec", "svc", "--env", var, "--", "sh", "-c", "true"]);
        assert!(
            !run.all().contains(token),
            "{var}: the token leaked: {}",
            run.all()
        );
        let run = run.code(2);
        assert!(
            run.stderr.contains(&format!("--env {var}:")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("read"), "{}", run.stderr);
    }
    // Another name is fine.
    let run = env
        .run(&[
            "exec",
            "svc",
            "--env",
            "API_TOKEN",
            "--",
            "sh",
            "-c",
            "printf %s \"$API_TOKEN\"",
        ])
        .ok();
    assert_eq!(run.stdout, token);
}
