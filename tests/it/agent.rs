//! The token agent: started, asked, stopped, killed; served from memory (proved by
//! clients whose keyring is unreachable); configuration changes and logouts seen
//! at once; strangers, garbage and half requests survived.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::authserver::{AuthServer, Options};
use crate::harness::{Env, Run};

/// `outbound ARGS` with a session bus that does not exist: no keyring for it.
fn without_keyring(env: &Env, args: &[&str]) -> Run {
    let mut cmd = env.command(args);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    Run::from(cmd.output().expect("spawn outbound"))
}

fn socket(env: &Env) -> std::path::PathBuf {
    env.state_dir().join("agent.sock")
}

fn agent_pid(env: &Env) -> u32 {
    env.run(&["agent", "status", "--json"]).ok().json()["pid"]
        .as_u64()
        .unwrap() as u32
}

/// Stops the agent when the test ends, however it ends.
struct Stopper<'a>(&'a Env);
impl Drop for Stopper<'_> {
    fn drop(&mut self) {
        let _ = self.0.command(["agent", "stop"]).output();
    }
}

#[test]
fn the_agent_serves_tokens_from_memory_and_follows_changes() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let run = env.run(&["agent", "status"]).code(1);
    assert!(run.stderr.contains("not running"), "{}", run.stderr);
    env.run(&["agent", "start"]).ok();
    let _stop = Stopper(&env);
    env.run(&["agent", "start"]).ok(); // already running: fine
    let mode = |p: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(&socket(&env)), 0o600);

    let token = env.run(&["token", "svc"]).ok().stdout;
    let fetched = server.wait_for_token_requests("client_credentials", 1);
    // Without a keyring, through the agent: the same token, nothing asked of the server.
    for _ in 0..3 {
        assert_eq!(without_keyring(&env, &["token", "svc"]).ok().stdout, token);
    }
    assert_eq!(server.token_requests("client_credentials"), fetched);
    let api = format!("{}/api/whoami", server.issuer);
    let run = without_keyring(&env, &["curl", "svc", &api]).ok();
    assert_eq!(run.json()["sub"], "cc-app");
    // `proxy` too: started and serving without a keyring.
    {
        use std::io::BufRead;
        let upstream = format!("{}/api", server.issuer);
        let mut proxy = env
            .command(["proxy", "svc", "--upstream", &upstream])
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut url = String::new();
        std::io::BufReader::new(proxy.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        let out = std::process::Command::new("curl")
            .args(["-sf", &format!("{}whoami", url.trim())])
            .output()
            .unwrap();
        let _ = proxy.kill();
        let _ = proxy.wait();
        let body = String::from_utf8_lossy(&out.stdout);
        assert!(body.contains("cc-app"), "{url}: {body}");
    }
    let run = without_keyring(
        &env,
        &[
            "exec",
            "svc",
            "--",
            "sh",
            "-c",
            "printf %s \"$OUTBOUND_TOKEN\"",
        ],
    )
    .ok();
    assert_eq!(run.stdout, token.trim());
    assert_eq!(
        env.run(&["agent", "status", "--json"]).ok().json()["tokens"],
        1
    );
    // OUTBOUND_NO_AGENT: the command does it itself (and here has no keyring).
    let mut cmd = env.command(["token", "svc"]);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("OUTBOUND_NO_AGENT", "1");
    Run::from(cmd.output().unwrap()).code(1);

    // Changes to the configuration and the account take effect at once.
    env.run(&["app", "disable", "svc"]).ok();
    without_keyring(&env, &["token", "svc"]).code(5);
    env.run(&["app", "enable", "svc"]).ok();
    env.run(&["app", "reset", "svc", "--yes"]).ok();
    let after_reset = without_keyring(&env, &["token", "svc"]).ok().stdout;
    assert_ne!(after_reset, token);
    env.run(&["logout", "svc"]).ok();
    let after_logout = env.run(&["token", "svc"]).ok().stdout;
    assert_ne!(after_logout, after_reset);
    env.run(&["app", "delete", "svc", "--yes"]).ok();
    without_keyring(&env, &["token", "svc"]).code(1);

    // Garbage, half requests and a flood of both: the agent keeps serving.
    for i in 0..1000 {
        let mut s = UnixStream::connect(socket(&env)).unwrap();
        let _ = s.write_all(if i % 2 == 0 {
            b"{\"op\": \"token\", \"app\": 7}\n".as_slice()
        } else {
            b"\x00\xffnot json\n".as_slice()
        });
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
    }
    for _ in 0..20 {
        let mut s = UnixStream::connect(socket(&env)).unwrap();
        let _ = s.write_all(b"{\"op\": \"tok");
        drop(s);
    }
    env.run(&["agent", "status"]).ok();

    // No token in the agent's log or on its command line.
    let log = std::fs::read_to_string(env.state_dir().join("agent.log")).unwrap();
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", agent_pid(&env))).unwrap();
    for token in [&token, &after_reset, &after_logout] {
        assert!(!log.contains(token.trim()), "{log}");
        assert!(!String::from_utf8_lossy(&cmdline).contains(token.trim()));
    }

    env.run(&["agent", "stop"]).ok();
    let run = env.run(&["agent", "status"]).code(1);
    assert!(run.stderr.contains("not running"));
    assert!(!socket(&env).exists());
}

/// Killed: the next command works without it, and `start` replaces the stale socket.
#[test]
fn a_killed_agent_leaves_nothing_in_the_way() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    env.run(&["agent", "start"]).ok();
    let _stop = Stopper(&env);
    let pid = agent_pid(&env);
    std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(socket(&env).exists(), "a stale socket stays behind");
    env.run(&["token", "svc"]).ok();
    env.run(&["agent", "status"]).code(1);
    env.run(&["agent", "start"]).ok();
    assert_ne!(agent_pid(&env), pid);
    without_keyring(&env, &["token", "svc"]).ok();
}

/// The agent refreshes what it holds before it expires, under the same lock as
/// every process: a plain process after it finds the rotated refresh token.
#[test]
fn the_agent_refreshes_ahead_of_expiry() {
    let server = AuthServer::with(Options {
        access_ttl: Some(4),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.run(&["agent", "start"]).ok();
    let _stop = Stopper(&env);
    let first = without_keyring(&env, &["token", "nat"]).ok().stdout;
    let refreshes = server.token_requests("refresh_token");
    // Inside its skew (half of 4 s) the agent refreshes on its own.
    std::thread::sleep(Duration::from_secs(4));
    assert!(server.wait_for_token_requests("refresh_token", refreshes + 1) > refreshes);
    let second = without_keyring(&env, &["token", "nat"]).ok().stdout;
    assert_ne!(first, second);
    // A process without the agent refreshes with what the agent saved.
    let mut cmd = env.command(["token", "nat", "--force-refresh"]);
    cmd.env("OUTBOUND_NO_AGENT", "1");
    Run::from(cmd.output().unwrap()).ok();
    without_keyring(&env, &["token", "nat"]).ok();
    assert!(
        std::fs::read_to_string(env.state_dir().join("agent.log"))
            .unwrap()
            .contains("refreshed `nat`")
    );
}

/// Another user's connection is refused and logged with its uid (needs root to be
/// another user: the CI machine runs the suite as root).
#[test]
fn the_agent_refuses_other_users() {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        panic!("this test runs as root, to connect as another user (nobody)");
    }
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    env.run(&["agent", "start"]).ok();
    let _stop = Stopper(&env);
    // Open the way so that only the peer check stands.
    use std::os::unix::fs::PermissionsExt;
    let mut dir = env.state_dir();
    while dir.as_os_str().len() > 1 {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        if !dir.pop() {
            break;
        }
    }
    std::fs::set_permissions(socket(&env), std::fs::Permissions::from_mode(0o666)).unwrap();
    // perl is Debian's perl-base (essential): a raw client as uid 65534.
    // The agent may hang up before the request is written: no SIGPIPE death then.
    let script = r#"$SIG{PIPE} = 'IGNORE'; use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!"; print $s qq({"op":"status"}\n); my $r = ""; $s->recv($r, 4096); print "[$r]";"#;
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            "/usr/bin/perl",
            "-e",
            script,
        ])
        .arg(socket(&env))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[]",
        "no answer for a stranger"
    );
    // The agent hangs up, then logs: the line may come a moment after.
    let read_log = || std::fs::read_to_string(env.state_dir().join("agent.log")).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !read_log().contains("refused a connection from uid 65534")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = read_log();
    assert!(log.contains("refused a connection from uid 65534"), "{log}");
    env.run(&["agent", "status"]).ok();
}

/// An MCP client starts `proxy --stdio` with a bare environment (no
/// XDG_RUNTIME_DIR, no session bus, so no keyring): it finds the session's agent,
/// whose socket is in the runtime directory, through the state directory, says so
/// on stderr, and serves the session with its tokens.
#[test]
fn a_bare_environment_finds_the_sessions_agent() {
    use std::io::BufRead;
    use std::os::unix::fs::PermissionsExt;
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let runtime = tempfile::tempdir().unwrap();
    std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let in_session = |args: &[&str]| {
        let mut cmd = env.command(args);
        cmd.env("XDG_RUNTIME_DIR", runtime.path());
        Run::from(cmd.output().expect("spawn outbound"))
    };
    in_session(&["agent", "start"]).ok();
    // Stopped from a bare environment too: through the same link.
    let _stop = Stopper(&env);
    assert!(runtime.path().join("outbound/agent.sock").exists());
    let link = std::fs::read_link(socket(&env)).expect("a link in the state directory");
    assert_eq!(link, runtime.path().join("outbound/agent.sock"));
    let token = in_session(&["token", "svc"]).ok().stdout;

    let endpoint = format!("{}/mcp-stream", server.issuer);
    let mut child = env
        .command(["proxy", "svc", "--stdio", "--upstream", &endpoint])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"t","version":"1"}}}}}}"#
    )
    .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let answer: serde_json::Value = match serde_json::from_str(&line) {
        Ok(answer) => answer,
        Err(e) => {
            let out = child.wait_with_output().unwrap();
            panic!("{e}: {line:?}; {}", String::from_utf8_lossy(&out.stderr))
        }
    };
    assert_eq!(answer["result"]["protocolVersion"], "2025-06-18", "{line}");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("from the agent on"), "{stderr}");
    // The agent's token, not a new one.
    assert_eq!(in_session(&["token", "svc"]).ok().stdout, token);
    assert_eq!(server.token_requests("client_credentials"), 1);
}
