//! Tokens where programs need them: `token --format`, kubectl's exec credential
//! plugin (the real kubectl), `exec`, and git's credential helper (the real git).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::authserver::{AuthServer, Options};
use crate::harness::Env;

/// The distinct tokens the test server's Kubernetes paths have seen, in order.
fn kube_tokens(server: &AuthServer) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for line in server.log().lines() {
        let hash = line
            .strip_prefix("KUBE ")
            .and_then(|l| l.split("token=").nth(1));
        if let Some(hash) = hash
            && !seen.iter().any(|s| s == hash)
        {
            seen.push(hash.to_owned());
        }
    }
    seen
}

/// The exec-credential API version this kubectl speaks: v1 from 1.22 on (Debian's
/// bookworm has only kubernetes-client 1.20, which speaks v1beta1).
fn kubectl_exec_api() -> &'static str {
    let out = Command::new("kubectl")
        .args(["version", "--client", "-o", "json"])
        .output()
        .expect("kubectl (installed by scripts/setup)");
    let version: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let minor: u32 = version["clientVersion"]["minor"]
        .as_str()
        .unwrap()
        .trim_end_matches('+')
        .parse()
        .unwrap();
    if minor >= 22 { "v1" } else { "v1beta1" }
}

/// A kubeconfig whose user is `outbound token APP --format exec-credential`, run
/// through a wrapper that counts the calls.
fn kubeconfig(
    env: &Env,
    server: &AuthServer,
    ca: &std::path::Path,
    app: &str,
) -> std::path::PathBuf {
    let api = kubectl_exec_api();
    let path = env.state_dir().with_file_name("kubeconfig");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let plugin = path.with_file_name("plugin.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho call >> '{}'\nexec '{}' \"$@\"\n",
            path.with_file_name("plugin-calls").display(),
            env!("CARGO_BIN_EXE_outbound")
        ),
    )
    .unwrap();
    crate::harness::chmod(&plugin, 0o755);
    let interactive = if api == "v1" {
        "      interactiveMode: Never\n"
    } else {
        ""
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\n    certificate-authority: {}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: outbound\ncurrent-context: test\nusers:\n- name: outbound\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/{api}\n      command: {}\n      args: [token, {app}, --format, exec-credential]\n{interactive}",
        server.issuer,
        ca.display(),
        plugin.display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// How many times kubectl ran the plugin (the wrapper counts).
fn plugin_calls(env: &Env) -> usize {
    let log = env.state_dir().with_file_name("plugin-calls");
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .count()
}

fn kubectl(env: &Env, config: &std::path::Path) -> Command {
    let mut cmd = Command::new("kubectl");
    env.isolate(&mut cmd);
    cmd.arg("--kubeconfig").arg(config).stdin(Stdio::null());
    cmd
}

/// `token --format`: plain, json (and `--json`), header, env, exec-credential (with
/// the API version kubectl asks for in KUBERNETES_EXEC_INFO).
#[test]
fn token_formats() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let token = env.run(&["token", "svc"]).ok().stdout.trim().to_owned();
    assert_eq!(
        env.run(&["token", "svc", "--format", "plain"]).ok().stdout,
        format!("{token}\n")
    );
    for json in [
        env.run(&["token", "svc", "--json"]).ok().json(),
        env.run(&["token", "svc", "--format", "json"]).ok().json(),
    ] {
        assert_eq!(json["access_token"], token);
        assert!(json["expires_in"].as_i64().unwrap() > 0);
    }
    assert_eq!(
        env.run(&["token", "svc", "--format", "header"]).ok().stdout,
        format!("Authorization: Bearer {token}\n")
    );
    let line = env.run(&["token", "svc", "--format", "env"]).ok().stdout;
    assert_eq!(line, format!("export OUTBOUND_TOKEN='{token}'\n"));
    // What eval makes of it, in a real shell.
    let out = Command::new("bash")
        .args(["-c", "eval \"$LINE\"; printf %s \"$OUTBOUND_TOKEN\""])
        .env("LINE", &line)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), token);
    let cred = env
        .run(&["token", "svc", "--format", "exec-credential"])
        .ok()
        .json();
    assert_eq!(cred["kind"], "ExecCredential");
    assert_eq!(cred["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(cred["status"]["token"], token);
    let at = cred["status"]["expirationTimestamp"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.len() == 20, "{at}");
    let mut cmd = env.command(["token", "svc", "--format", "exec-credential"]);
    cmd.env(
        "KUBERNETES_EXEC_INFO",
        r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}"#,
    );
    let cred = crate::harness::Run::from(cmd.output().unwrap()).ok().json();
    assert_eq!(cred["apiVersion"], "client.authentication.k8s.io/v1beta1");
    let run = env.run(&["token", "svc", "--format", "yaml"]).code(2);
    assert!(run.stderr.contains("exec-credential"), "{}", run.stderr);
}

/// kubectl runs `outbound token APP --format exec-credential` as its exec credential
/// plugin: the API server sees a valid bearer token; a long-running kubectl keeps
/// the credential until its expirationTimestamp and asks again after it; a disabled
/// app's refusal reaches the kubectl user.
#[test]
fn kubectl_uses_outbound_as_its_exec_plugin() {
    // client-go runs exec plugins only for https servers.
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = crate::authserver::private_ca(dir.path());
    let server = AuthServer::with(Options {
        access_ttl: Some(4),
        tls: Some((cert, key)),
        ..Options::default()
    });
    let env = Env::new();
    env.add_cc(
        "k8s",
        &server.issuer,
        &[
            "--allowed-host",
            "127.0.0.1:*",
            "--ca-file",
            ca.to_str().unwrap(),
        ],
    );
    let config = kubeconfig(&env, &server, &ca, "k8s");
    let out = kubectl(&env, &config)
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("v1.30.0-outbound-test"));
    assert_eq!(kube_tokens(&server).len(), 1);
    assert!(plugin_calls(&env) >= 1);

    // A long-running kubectl: one credential until it expires, then another.
    let mut proxy = kubectl(&env, &config)
        .args(["proxy", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(proxy.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let get = || {
        let out = Command::new("curl")
            .args(["-sf", &format!("http://{addr}/version")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(get().contains("outbound-test"), "proxy at {addr}");
    let first = plugin_calls(&env);
    assert!(get().contains("outbound-test"));
    let cached = plugin_calls(&env);
    let tokens_before = kube_tokens(&server).len();
    std::thread::sleep(std::time::Duration::from_secs(5));
    assert!(get().contains("outbound-test"));
    // The server's log is read as it is written: give the line of that request time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while kube_tokens(&server).len() <= tokens_before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (calls_after, tokens_after) = (plugin_calls(&env), kube_tokens(&server).len());
    let _ = proxy.kill();
    let _ = proxy.wait();
    assert_eq!(cached, first, "the credential is kept while it is valid");
    assert!(calls_after > cached, "after expiry kubectl asked again");
    assert_eq!(tokens_after, tokens_before + 1, "and got a new token");

    env.run(&["app", "disable", "k8s"]).ok();
    let out = kubectl(&env, &config)
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("disabled"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `exec`: the tokens in the command's environment (named by --env; another app's
/// with VAR=APP), never on its argv; the command's exit status and signals are its
/// own, as outbound becomes the command; what cannot run is 126/127.
#[test]
fn exec_runs_a_command_with_tokens_in_its_environment() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    env.add_cc("other", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let token = env.run(&["token", "svc"]).ok().stdout.trim().to_owned();
    let other = env.run(&["token", "other"]).ok().stdout.trim().to_owned();
    assert_ne!(token, other);
    let show = "printf '%s %s ' \"$OUTBOUND_TOKEN\" \"$GH\"; tr '\\0' ' ' < /proc/$$/cmdline";
    let run = env.run(&["exec", "svc", "--", "sh", "-c", show]).ok();
    let (value, argv) = run.stdout.split_at(token.len() + 1);
    assert_eq!(value.trim(), token);
    assert!(!argv.contains(&token), "{argv}");
    let run = env
        .run(&[
            "exec",
            "svc",
            "--env",
            "GH",
            "--env",
            "OUT=other",
            "--",
            "sh",
            "-c",
            "printf '%s %s' \"$GH\" \"$OUT\"",
        ])
        .ok();
    assert_eq!(run.stdout, format!("{token} {other}"));
    // The command's exit status is the caller's.
    env.run(&["exec", "svc", "--", "sh", "-c", "exit 42"])
        .code(42);
    // A signal to the process reaches the command: it is the command.
    let dir = tempfile::tempdir().unwrap();
    let mark = dir.path().join("got-term");
    let script = format!(
        "trap 'echo term > {}; exit 3' TERM; echo ready; while :; do sleep 0.05; done",
        mark.display()
    );
    let mut child = env
        .command(["exec", "svc", "--", "sh", "-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "term\n");
    // What cannot run, as a shell says it.
    let run = env
        .run(&["exec", "svc", "--", "no-such-command-here"])
        .code(127);
    assert!(run.stderr.contains("no such command"), "{}", run.stderr);
    let run = env
        .run(&["exec", "svc", "--", dir.path().to_str().unwrap()])
        .code(126);
    assert!(run.stderr.contains("cannot run"), "{}", run.stderr);
    // Bad input and refusals: the command never runs.
    let run = env.run(&[
        "exec",
        "svc",
        "--env",
        "1X",
        "--",
        "touch",
        mark.to_str().unwrap(),
    ]);
    let run = run.code(2);
    assert!(run.stderr.contains("not a variable name"), "{}", run.stderr);
    env.run(&["exec", "svc", "touch", "x"]).code(2);
    env.run(&["app", "disable", "svc"]).ok();
    std::fs::remove_file(&mark).unwrap();
    let run = env
        .run(&["exec", "svc", "--", "touch", mark.to_str().unwrap()])
        .code(5);
    assert!(run.stderr.contains("disabled"), "{}", run.stderr);
    assert!(!mark.exists());
}

/// Runs git with this environment (its HOME holds the global git config), trusting
/// the test CA and never prompting.
fn git(
    env: &Env,
    ca: &std::path::Path,
    dir: &std::path::Path,
    args: &[&str],
) -> crate::harness::Run {
    let mut cmd = Command::new("git");
    env.isolate(&mut cmd);
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_SSL_CAINFO", ca)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.test")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.test")
        .stdin(Stdio::null());
    crate::harness::Run::from(cmd.output().expect("git"))
}

/// git with `outbound setup-git`: a real clone and push over https (a private CA) to
/// `git http-backend` behind a server that takes only a valid token as the Basic
/// password; a push after the token expired goes through a refresh; `erase` after a
/// refusal refreshes instead of deleting; other hosts get no answer.
#[test]
fn git_clones_and_pushes_with_outbound_as_its_credential_helper() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = crate::authserver::private_ca(dir.path());
    let repos = dir.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    let mut env = Env::new();
    git(&env, &ca, &repos, &["init", "-q", "--bare", "project.git"]).ok();
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        tls: Some((cert, key)),
        env: vec![(
            "GIT_ROOT",
            Box::leak(repos.display().to_string().into_boxed_str()),
        )],
        ..Options::default()
    });
    // The browser driver (node) trusts the test CA too.
    env.set("NODE_EXTRA_CA_CERTS", ca.display().to_string());
    let ca_flag = ca.to_str().unwrap();
    env.add_native("forge", &server.issuer, &["--ca-file", ca_flag]);
    env.authorize("forge", &[]).ok();
    let host = server.issuer.trim_start_matches("https://").to_owned();
    std::fs::create_dir_all(env.var("HOME").unwrap()).unwrap();
    env.run(&["setup-git", "forge", "--host", &host]).ok();
    let helpers = git(
        &env,
        &ca,
        dir.path(),
        &[
            "config",
            "--global",
            "--get-all",
            &format!("credential.https://{host}.helper"),
        ],
    )
    .ok()
    .stdout;
    assert!(
        helpers.starts_with('\n'),
        "an empty helper resets the list: {helpers:?}"
    );
    assert!(helpers.contains("git-credential --app forge"), "{helpers}");

    let repo_url = format!("{}/git/project.git", server.issuer);
    git(&env, &ca, dir.path(), &["clone", "-q", &repo_url, "work"]).ok();
    let work = dir.path().join("work");
    std::fs::write(work.join("a.txt"), "one\n").unwrap();
    git(&env, &ca, &work, &["add", "a.txt"]).ok();
    git(&env, &ca, &work, &["commit", "-q", "-m", "one"]).ok();
    git(&env, &ca, &work, &["push", "-q", "origin", "HEAD"]).ok();
    assert!(
        server
            .log()
            .contains("git-receive-pack user=x-access-token ok"),
        "{}",
        server.log()
    );
    // The token expires (3 s); the next push is served after a refresh.
    let refreshes = server.token_requests("refresh_token");
    std::thread::sleep(std::time::Duration::from_secs(4));
    std::fs::write(work.join("b.txt"), "two\n").unwrap();
    git(&env, &ca, &work, &["add", "b.txt"]).ok();
    git(&env, &ca, &work, &["commit", "-q", "-m", "two"]).ok();
    git(&env, &ca, &work, &["push", "-q", "origin", "HEAD"]).ok();
    assert_eq!(
        server.wait_for_token_requests("refresh_token", refreshes + 1),
        refreshes + 1
    );
    assert!(!server.log().contains("refused"), "{}", server.log());

    // erase after a refusal: that token is refreshed, the account kept.
    let token = env.run(&["token", "forge"]).ok().stdout.trim().to_owned();
    env.run_with_input(
        &["git-credential", "--app", "forge", "erase"],
        &format!("protocol=https\nhost={host}\nusername=x-access-token\npassword={token}\n\n"),
    )
    .ok();
    let after = env.run(&["token", "forge"]).ok().stdout.trim().to_owned();
    assert_ne!(after, token);
    // A host no app allows: no answer, so git asks its next helper.
    let run = env
        .run_with_input(
            &["git-credential", "get"],
            "protocol=https\nhost=elsewhere.example\n\n",
        )
        .ok();
    assert_eq!(run.stdout, "");
    let run = env
        .run_with_input(
            &["git-credential", "get"],
            &format!("protocol=https\nhost={host}\n\n"),
        )
        .ok();
    assert!(
        run.stdout.starts_with("username=x-access-token\npassword="),
        "{}",
        run.stdout
    );
    // Bad input: a clear message and exit 2; http to another host: exit 6.
    for (input, code, says) in [
        ("protocol=https\n\n".to_owned(), 2, "names no host"),
        ("garbage\n".to_owned(), 2, "not a key=value line"),
        ("x".repeat(70 * 1024), 2, "more than 64 KiB"),
        (
            "protocol=http\nhost=github.com\n".to_owned(),
            6,
            "over http",
        ),
    ] {
        let run = env
            .run_with_input(&["git-credential", "get"], &input)
            .code(code);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    let run = env
        .run(&["setup-git", "forge", "--host", "github.com"])
        .code(2);
    assert!(
        run.stderr.contains("--add-allowed-host github.com"),
        "{}",
        run.stderr
    );
}

/// kubectl's `interactive: false` (interactiveMode: Never) is honoured on a terminal:
/// an account that needs authorization is exit 4 with the command, never a prompt;
/// without it, the same terminal is offered to authorize.
#[test]
fn exec_credential_never_prompts_when_kubectl_says_so() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let never = r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#;
    let (ok, screen) = env.in_pty(
        "token nat --format exec-credential",
        &[],
        &[("KUBERNETES_EXEC_INFO", never)],
    );
    assert!(!ok);
    assert!(screen.contains("outbound authorize nat"), "{screen}");
    assert!(!screen.contains("Authorize `nat` now?"), "{screen}");
    let (ok, screen) = env.in_pty("token nat --format exec-credential", &["n"], &[]);
    assert!(!ok);
    assert!(screen.contains("Authorize `nat` now?"), "{screen}");
}

/// A socket at the agent's place that is not this user's: not used, said once, and
/// the command works without it.
#[cfg(unix)]
#[test]
fn a_foreign_agent_socket_is_not_used() {
    // SAFETY: getuid has no preconditions.
    assert_eq!(
        unsafe { libc::getuid() },
        0,
        "runs as root, to make a socket another user owns"
    );
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    std::fs::create_dir_all(env.state_dir()).unwrap();
    let path = env.state_dir().join("agent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let run = env.run(&["token", "svc"]).ok();
    assert!(
        run.stderr.contains("not this user's agent socket"),
        "{}",
        run.stderr
    );
}

/// With `provideClusterInfo: true`, kubectl names the API server in
/// KUBERNETES_EXEC_INFO: a cluster outside the app's allowed hosts gets no
/// credential (exit 6, naming the host and the fix), one inside does.
#[test]
fn exec_credential_refuses_a_cluster_the_app_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = crate::authserver::private_ca(dir.path());
    let server = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    let env = Env::new();
    // Another port of the same host: not the cluster's.
    env.add_cc(
        "k8s",
        &server.issuer,
        &[
            "--allowed-host",
            "127.0.0.1:1",
            "--ca-file",
            ca.to_str().unwrap(),
        ],
    );
    let config = kubeconfig(&env, &server, &ca, "k8s");
    let text = std::fs::read_to_string(&config).unwrap();
    let with_info = text.replace("    exec:\n", "    exec:\n      provideClusterInfo: true\n");
    assert_ne!(text, with_info);
    std::fs::write(&config, with_info).unwrap();
    let out = kubectl(&env, &config)
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let host = server.issuer.trim_start_matches("https://").to_owned();
    assert!(
        stderr.contains("not one of the app's allowed hosts")
            && stderr.contains("--add-allowed-host 127.0.0.1"),
        "{stderr}"
    );
    assert!(kube_tokens(&server).is_empty(), "no token reached {host}");
    // The same refusal from the plugin alone: exit 6.
    let info = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "spec": {"interactive": false, "cluster": {"server": server.issuer}},
    });
    let mut cmd = env.command(["token", "k8s", "--format", "exec-credential"]);
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    let run = crate::harness::Run::from(cmd.output().unwrap()).code(6);
    assert!(run.stdout.is_empty(), "no credential printed");
    // Allowed: served.
    env.run(&["app", "edit", "k8s", "--add-allowed-host", &host])
        .ok();
    let out = kubectl(&env, &config)
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(kube_tokens(&server).len(), 1);
}
