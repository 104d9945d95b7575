//! Per-test isolation and small helpers for running the binary.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// The session bus of the Secret Service `scripts/with-keyring` started.
pub fn session_bus() -> String {
    std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_else(|_| {
        panic!("DBUS_SESSION_BUS_ADDRESS is not set: run the suite with `scripts/test` (it starts a real Secret Service)")
    })
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let vars = vec![
            ("HOME".into(), root.join("home").display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                root.join("config").display().to_string(),
            ),
            (
                "XDG_STATE_HOME".into(),
                root.join("state").display().to_string(),
            ),
            ("DBUS_SESSION_BUS_ADDRESS".into(), session_bus()),
            // `app add`/`app edit` ask typed endpoints whether they are there: never
            // the example hosts of most tests (the suite talks to loopback only).
            // Tests of that check set it to 0.
            ("OUTBOUND_NO_PROBE".into(), "1".into()),
        ];
        Env { dir, vars }
    }

    /// Use the file store for every command of this environment.
    pub fn file_store(mut self) -> Env {
        self.set("OUTBOUND_STORE", "file");
        self
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
    }

    pub fn var(&self, key: &str) -> Option<String> {
        self.vars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config/outbound/apps.toml")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state/outbound")
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_outbound"));
        cmd.args(args);
        self.isolate(&mut cmd);
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Gives `cmd` this environment's HOME, config, state, bus and variables, and
    /// none of the caller's outbound settings.
    pub fn isolate(&self, cmd: &mut Command) {
        for (k, _) in std::env::vars() {
            if k.starts_with("OUTBOUND_") || k.starts_with("XDG_") || k.starts_with("BROWSER") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(self.vars.iter().map(|(k, v)| (k, v)));
    }

    /// Runs `outbound ARGS` without a terminal and with no standard input.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("spawn outbound"))
    }

    /// Runs `outbound COMMAND` on a pseudo-terminal (util-linux `script`), typing each
    /// answer and Enter 400 ms apart; returns whether it succeeded and the screen.
    pub fn in_pty(&self, command: &str, answers: &[&str], vars: &[(&str, &str)]) -> (bool, String) {
        let mut child = Command::new("script");
        self.isolate(&mut child);
        child
            .envs(vars.iter().copied())
            .args([
                "-qec",
                &format!("{} {command}", env!("CARGO_BIN_EXE_outbound")),
                "/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = child.spawn().expect("script (util-linux)");
        let mut stdin = child.stdin.take().expect("stdin");
        for answer in answers {
            std::thread::sleep(std::time::Duration::from_millis(400));
            stdin
                .write_all(format!("{answer}\r").as_bytes())
                .expect("type");
            stdin.flush().expect("type");
        }
        std::thread::sleep(std::time::Duration::from_millis(400));
        drop(stdin);
        let out = child.wait_with_output().expect("wait");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Runs `outbound ARGS` with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        run_with_input(self.command(args), input)
    }

    /// Starts `outbound authorize NAME --yes --no-browser --timeout SECS` and reads its
    /// stderr until it waits for the browser: the child, the rest of its stderr, what
    /// it said so far (the authorization URL among it), and the listener's port.
    pub fn authorize_waiting(
        &self,
        name: &str,
        timeout: &str,
    ) -> (
        std::process::Child,
        BufReader<std::process::ChildStderr>,
        String,
        u16,
    ) {
        let mut child = self
            .command([
                "authorize",
                name,
                "--yes",
                "--no-browser",
                "--timeout",
                timeout,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn outbound");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut seen = String::new();
        while !seen.contains("Waiting") {
            let mut line = String::new();
            let n = stderr.read_line(&mut line).expect("read stderr");
            assert!(n > 0, "the output ended before it waited:\n{seen}");
            seen.push_str(&line);
        }
        let port = seen
            .split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
            .nth(1)
            .and_then(|rest| rest.split('%').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no loopback redirect port in {seen}"));
        (child, stderr, seen, port)
    }

    /// Adds a client-credentials app with a secret from stdin.
    pub fn add_app(&self, name: &str, secret: &str) -> Run {
        self.add_cc_at(name, "https://auth.example.com/token", secret, &[])
    }

    /// A client-credentials app (client id `cid`) whose token endpoint is
    /// `token_url`, with `secret` in the store.
    pub fn add_cc_at(&self, name: &str, token_url: &str, secret: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "app",
            "add",
            name,
            "--grant",
            "client_credentials",
            "--client-id",
            "cid",
            "--token-url",
            token_url,
            "--client-secret-stdin",
        ];
        args.extend(extra);
        self.run_with_input(&args, secret).ok()
    }

    /// Adds an app for the test server's `native-app` client, by discovery.
    pub fn add_native(&self, name: &str, issuer: &str, extra: &[&str]) {
        let mut args = vec![
            "app",
            "add",
            name,
            "--issuer",
            issuer,
            "--client-id",
            "native-app",
            "--client-secret-stdin",
            "--scope",
            "openid offline_access",
            "--allowed-host",
            "127.0.0.1:*",
        ];
        args.extend(extra);
        self.run_with_input(&args, "native-secret").ok();
    }

    /// Adds a client-credentials app for the test server's `cc-app` client.
    pub fn add_cc(&self, name: &str, issuer: &str, extra: &[&str]) {
        let mut args = vec![
            "app",
            "add",
            name,
            "--issuer",
            issuer,
            "--grant",
            "client_credentials",
            "--client-id",
            "cc-app",
            "--client-secret-stdin",
        ];
        args.extend(extra);
        self.run_with_input(&args, "cc-secret").ok();
    }

    /// `outbound authorize NAME --yes --timeout SECS` with the HTTP browser driver in
    /// `mode` (see http-browser.mjs), its trace written to `browser.log` in the test
    /// directory.
    pub fn authorize_in_mode(&self, name: &str, mode: &str, timeout: u64) -> Run {
        let timeout = timeout.to_string();
        let mut cmd = self.command(["authorize", name, "--yes", "--timeout", &timeout]);
        cmd.env("BROWSER", crate::authserver::http_browser())
            .env("BROWSER_MODE", mode)
            .env("BROWSER_LOG", self.dir.path().join("browser.log"));
        Run::from(cmd.output().expect("spawn outbound"))
    }

    /// `outbound authorize NAME --yes` with the HTTP browser driver.
    pub fn authorize(&self, name: &str, extra: &[&str]) -> Run {
        let mut args = vec!["authorize", name, "--yes", "--timeout", "30"];
        args.extend(extra);
        let mut cmd = self.command(&args);
        cmd.env("BROWSER", crate::authserver::http_browser());
        Run::from(cmd.output().expect("spawn outbound"))
    }

    pub fn app_id(&self, name: &str) -> String {
        self.app_json(name)["id"].as_str().expect("id").to_owned()
    }

    /// The token record the keyring holds for (app, account), parsed.
    pub fn stored_token(&self, name: &str, account: &str) -> Option<serde_json::Value> {
        let bus = self
            .var("DBUS_SESSION_BUS_ADDRESS")
            .unwrap_or_else(session_bus);
        keyring_lookup_on(&bus, &format!("token/{}/{account}", self.app_id(name)))
            .map(|s| serde_json::from_str(&s).expect("stored token is JSON"))
    }

    pub fn status(&self) -> Vec<serde_json::Value> {
        let run = self.run(&["status", "--json"]).ok();
        run.json().as_array().expect("array").clone()
    }

    pub fn app_json(&self, name: &str) -> serde_json::Value {
        self.run(&["app", "show", name, "--json"]).ok().json()
    }
}

/// Runs a prepared command with `input` on standard input.
pub fn run_with_input(mut cmd: Command, input: &str) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    Run::from(child.wait_with_output().expect("wait"))
}

/// The value the real Secret Service holds for `key`, via `secret-tool`.
pub fn keyring_lookup(key: &str) -> Option<String> {
    keyring_lookup_on(&session_bus(), key)
}

/// The same, on the Secret Service of another session bus.
pub fn keyring_lookup_on(bus: &str, key: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "outbound", "username", key])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output()
        .expect("secret-tool is installed by scripts/setup");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Puts `value` in the Secret Service on `bus` under `key`, as outbound names its
/// items, via `secret-tool`.
pub fn keyring_store_on(bus: &str, key: &str, value: &str) {
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            &format!("--label=keyring:{key}@outbound"),
            "service",
            "outbound",
            "username",
            key,
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool is installed by scripts/setup");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(value.as_bytes())
        .expect("secret-tool's stdin");
    assert!(
        child.wait().expect("secret-tool").success(),
        "secret-tool store"
    );
}

/// Sets `path`'s permission bits, as a test sets up a key file (0600) or a script
/// (0755); on Windows, where outbound checks no permission bits and runs no script
/// by its mode, nothing.
pub fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}
