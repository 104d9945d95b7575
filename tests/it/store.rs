//! Store selection and the keyring-unreachable message.

use std::process::Stdio;
use std::time::Duration;

use crate::harness::{Env, keyring_lookup, keyring_lookup_on, keyring_store_on};
use crate::servers::PrivateKeyring;

const SECRET: &str = "st0re-secret-71c3";

/// The file store's contents; None when there is no file store at all (any other
/// read failure fails the test rather than passing for "empty").
fn secrets_file(env: &Env) -> Option<String> {
    match std::fs::read_to_string(env.state_dir().join("secrets.json")) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("cannot read the file store: {e}"),
    }
}

#[test]
fn the_file_store_is_chosen_by_flag_env_or_config_and_announces_itself() {
    // --store file
    let env = Env::new();
    let run = env
        .run_with_input(
            &[
                "--store",
                "file",
                "app",
                "add",
                "a",
                "--grant",
                "client_credentials",
                "--client-id",
                "c",
                "--token-url",
                "https://x.example/t",
                "--client-secret-stdin",
            ],
            SECRET,
        )
        .ok();
    assert!(
        run.stderr.contains("warning: using the file store"),
        "{}",
        run.stderr
    );
    assert!(secrets_file(&env).expect("the file store").contains(SECRET));
    let id = env
        .run(&["--store", "file", "app", "show", "a", "--json"])
        .ok()
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        keyring_lookup(&format!("client-secret/{id}")).is_none(),
        "not in the keyring too"
    );

    // OUTBOUND_STORE=file
    let env = Env::new().file_store();
    env.add_app("b", SECRET);
    assert!(secrets_file(&env).expect("the file store").contains(SECRET));
    assert_eq!(env.app_json("b")["client_secret"], "file");

    // store = "file" in the configuration file
    let env = Env::new();
    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    std::fs::write(env.config_path(), "store = \"file\"\n").unwrap();
    env.add_app("c", SECRET);
    assert!(secrets_file(&env).expect("the file store").contains(SECRET));
    // The flag wins over the file.
    let run = env
        .run(&["--store", "keyring", "app", "show", "c", "--json"])
        .ok();
    assert_eq!(run.json()["client_secret"], "keyring");
}

#[test]
fn an_unreachable_keyring_names_both_fixes_and_changes_nothing() {
    let mut env = Env::new();
    env.set(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/outbound-test-bus",
    );
    let run = env
        .run_with_input(
            &[
                "app",
                "add",
                "a",
                "--grant",
                "client_credentials",
                "--client-id",
                "c",
                "--token-url",
                "https://x.example/t",
                "--client-secret-stdin",
            ],
            SECRET,
        )
        .code(1);
    assert!(
        run.stderr.contains("the OS keyring could not be reached"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Secret Service"), "{}", run.stderr);
    assert!(run.stderr.contains("--store file"), "{}", run.stderr);
    assert!(!run.all().contains(SECRET));
    assert!(!env.config_path().exists(), "no app without its secret");
    assert!(
        secrets_file(&env).is_none(),
        "no silent fallback to the file store"
    );
}

#[test]
fn the_keyring_holds_the_secret_across_processes() {
    let env = Env::new();
    env.add_app("k", SECRET);
    let id = env.app_json("k")["id"].as_str().unwrap().to_owned();
    assert_eq!(
        keyring_lookup(&format!("client-secret/{id}")).as_deref(),
        Some(SECRET)
    );
    assert!(secrets_file(&env).is_none(), "no file store appeared");
    assert!(!env.config_text().contains(SECRET));
}

#[test]
fn a_secret_service_that_dies_mid_call_is_waited_for_and_asked_again() {
    let mut keyring = PrivateKeyring::start();
    let mut env = Env::new();
    env.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
    env.add_app("k", SECRET);
    let app = env.app_json("k");
    let id = app["id"].as_str().expect("id");
    put_token(&keyring, &app, "st0re-token-5e1a");
    assert_eq!(
        env.run(&["token", "k"]).ok().stdout.trim(),
        "st0re-token-5e1a"
    );

    // The daemon dies with our call unanswered, as gnome-keyring has been seen to
    // abort under load, and comes back: the lookup is made again, and so is a write.
    let spawn = |args: &[&str], input: Option<&str>| {
        let mut cmd = env.command(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        if input.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd.spawn().expect("outbound");
        if let Some(input) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(input.as_bytes()).expect("stdin");
        }
        child
    };
    for (args, input) in [
        (&["token", "k"][..], None),
        (&["app", "secret", "set", "k"][..], Some("n3w-secret-0b2d")),
    ] {
        let watch = BusWatch::start(&keyring.address);
        keyring.freeze();
        let child = spawn(args, input);
        // Killed only once our call waits on it.
        watch.until("member=OpenSession");
        keyring.crash();
        keyring.restart();
        let out = child.wait_with_output().expect("outbound");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        if args[0] == "token" {
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                "st0re-token-5e1a"
            );
        }
    }
    assert_eq!(
        keyring_lookup_on(&keyring.address, &format!("client-secret/{id}")).as_deref(),
        Some("n3w-secret-0b2d")
    );

    // It dies and stays away: a bounded wait, then what happened and both fixes.
    let watch = BusWatch::start(&keyring.address);
    keyring.freeze();
    let child = spawn(&["token", "k"], None);
    watch.until("member=OpenSession");
    keyring.crash();
    let out = child.wait_with_output().expect("outbound");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the OS keyring could not be reached"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the Secret Service left the bus mid-call and was not back within"),
        "{stderr}"
    );
    assert!(stderr.contains("--store file"), "{stderr}");
    assert!(!stderr.contains("st0re-token-5e1a"), "{stderr}");
}

/// An access token (no expiry, no refresh token) for `app`'s default account, put in
/// the keyring as an authorization leaves it, by `secret-tool`.
fn put_token(keyring: &PrivateKeyring, app: &serde_json::Value, token: &str) {
    let stored = serde_json::json!({
        "access_token": token,
        "refresh_token": null,
        "token_type": "Bearer",
        "expires_at": null,
        "scopes": [],
        "generation": app["generation"].as_u64().expect("generation"),
        "obtained_at": 0,
    });
    let id = app["id"].as_str().expect("id");
    keyring_store_on(
        &keyring.address,
        &format!("token/{id}/default"),
        &stored.to_string(),
    );
}

/// `dbus-monitor` on a bus, its output in a file.
struct BusWatch {
    address: String,
    monitor: std::process::Child,
    out: tempfile::NamedTempFile,
}

impl BusWatch {
    fn start(address: &str) -> BusWatch {
        let out = tempfile::NamedTempFile::new().expect("temp file");
        let monitor = std::process::Command::new("dbus-monitor")
            .args(["--address", address])
            .stdout(out.reopen().expect("reopen"))
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor (scripts/setup installs dbus)");
        let watch = BusWatch {
            address: address.to_owned(),
            monitor,
            out,
        };
        // A monitor's first message is the loss of its unique name's ownership.
        watch.until("NameLost");
        watch
    }

    fn seen(&self) -> String {
        std::fs::read_to_string(self.out.path()).unwrap_or_default()
    }

    /// Waits (up to 10 s) for `needle` in what the monitor saw.
    fn until(&self, needle: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !self.seen().contains(needle) {
            assert!(
                std::time::Instant::now() < deadline,
                "the monitor never saw {needle}: {}",
                self.seen()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything the monitor saw, up to a signal sent last (a monitor sees the
    /// bus's messages in order).
    fn finish(mut self) -> String {
        let status = std::process::Command::new("dbus-send")
            .args([
                &format!("--bus={}", self.address),
                "/outbound/test",
                "org.outbound.Test.Sentinel",
            ])
            .status()
            .expect("dbus-send");
        assert!(status.success(), "dbus-send");
        self.until("member=Sentinel");
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
        self.seen()
    }
}

impl Drop for BusWatch {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
    }
}

/// Everything a bus monitor saw while `work` ran on the keyring's bus.
fn watched_bus(keyring: &PrivateKeyring, work: impl FnOnce()) -> String {
    let watch = BusWatch::start(&keyring.address);
    work();
    watch.finish()
}

#[test]
fn secrets_cross_the_users_own_bus_plain_and_encrypted_when_asked() {
    let keyring = PrivateKeyring::start();
    for (encrypt, secret, token) in [
        (None, "pl41n-secret-4d1f", "pl41n-token-88ac"),
        (Some("1"), "3ncr-secret-7b20", "3ncr-token-c3e9"),
    ] {
        let mut env = Env::new();
        env.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
        if let Some(v) = encrypt {
            env.set("OUTBOUND_KEYRING_ENCRYPT", v);
        }
        let seen = watched_bus(&keyring, || {
            // A write, then a read through outbound; secret-tool (an encrypted
            // session) reads what outbound wrote, and outbound what it wrote.
            env.add_app("k", secret);
            let app = env.app_json("k");
            let id = app["id"].as_str().expect("id").to_owned();
            assert_eq!(
                keyring_lookup_on(&keyring.address, &format!("client-secret/{id}")).as_deref(),
                Some(secret)
            );
            put_token(&keyring, &app, token);
            assert_eq!(env.run(&["token", "k"]).ok().stdout.trim(), token);
        });
        for call in ["OpenSession", "CreateItem", "GetSecret"] {
            assert!(
                seen.contains(&format!("member={call}")),
                "no {call}: {seen}"
            );
        }
        if encrypt.is_some() {
            assert!(
                seen.contains("dh-ietf1024-sha256-aes128-cbc-pkcs7"),
                "{seen}"
            );
            assert!(
                !seen.contains(secret),
                "the client secret crossed the bus in clear"
            );
            assert!(!seen.contains(token), "the token crossed the bus in clear");
        } else {
            // What docs/decisions.md says: on the user's own socket, plain.
            assert!(seen.contains("string \"plain\""), "{seen}");
            assert!(seen.contains(secret) && seen.contains(token), "{seen}");
        }
    }
}
