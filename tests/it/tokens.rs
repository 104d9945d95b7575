//! The token lifecycle through `outbound token` and `outbound curl`, against
//! oidc-provider's protected userinfo endpoint (`/me`) with short-lived access
//! tokens and rotating refresh tokens.

use std::process::Stdio;
use std::time::Duration;

use crate::authserver::{AuthServer, Options};
use crate::harness::{Env, Run};
use crate::servers::PrivateKeyring;

fn short_lived() -> AuthServer {
    AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    })
}

fn me(server: &AuthServer) -> String {
    format!("{}/me", server.issuer)
}

#[test]
fn an_expired_token_is_refreshed_transparently() {
    let server = short_lived();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let first = env.run(&["token", "nat"]).ok().stdout;
    let run = env.run(&["curl", "nat", &me(&server)]).ok();
    assert_eq!(run.json()["sub"], "alice");
    assert_eq!(
        server.token_requests("refresh_token"),
        0,
        "a fresh token is used as is"
    );
    std::thread::sleep(Duration::from_millis(3200));
    let run = env.run(&["curl", "nat", &me(&server)]).ok();
    assert_eq!(run.json()["sub"], "alice");
    assert_eq!(server.wait_for_token_requests("refresh_token", 1), 1);
    let second = env.run(&["token", "nat"]).ok().stdout;
    assert_ne!(first, second);
    let json = env.run(&["token", "nat", "--json"]).ok().json();
    assert_eq!(json["access_token"].as_str().unwrap(), second.trim());
    assert_eq!(json["token_type"], "bearer");
    assert!(json["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(json["scopes"], serde_json::json!(["openid"]));
    let status = env.status();
    assert_eq!(status[0]["state"], "authorized");
    assert!(status[0]["last_refresh"].is_u64());
}

#[test]
fn twenty_concurrent_processes_across_an_expiry_cause_one_refresh() {
    let server = short_lived();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    std::thread::sleep(Duration::from_millis(3200));
    let children: Vec<_> = (0..20)
        .map(|_| {
            env.command(["curl", "-sS", "nat", &me(&server)])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("alice"));
    }
    server.wait_for_log("TOKEN grant_type=refresh_token");
    assert_eq!(
        server.token_requests("refresh_token"),
        1,
        "{}",
        server.log()
    );
}

#[test]
fn a_reused_refresh_token_means_authorize_again_with_exit_4() {
    let server = short_lived();
    let env = Env::new().file_store();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let secrets = env.state_dir().join("secrets.json");
    let before = std::fs::read_to_string(&secrets).unwrap();
    std::thread::sleep(Duration::from_millis(3200));
    env.run(&["curl", "nat", &me(&server)]).ok(); // rotates the refresh token
    // Put the old (rotated, now reused) refresh token back, as a stale copy would.
    std::fs::write(&secrets, &before).unwrap();
    let run = env.run(&["curl", "nat", &me(&server)]).code(4);
    assert!(run.stderr.contains("invalid_grant"), "{}", run.stderr);
    assert!(
        run.stderr.contains("run: outbound authorize nat"),
        "{}",
        run.stderr
    );
    let status = env.status();
    assert_eq!(status[0]["state"], "needs-authorization");
    assert!(
        status[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("invalid_grant")
    );
    // It fails fast from now on, without asking the server again.
    let refreshes = server.token_requests("refresh_token");
    env.run(&["token", "nat"]).code(4);
    assert_eq!(server.token_requests("refresh_token"), refreshes);
    // Authorizing again repairs it.
    env.authorize("nat", &[]).ok();
    env.run(&["curl", "nat", &me(&server)]).ok();
}

#[test]
fn a_disabled_app_refuses_its_tokens_and_keeps_them() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.run(&["app", "disable", "nat"]).ok();
    let run = env.run(&["curl", "nat", &me(&server)]).code(5);
    assert!(run.stderr.contains("disabled"), "{}", run.stderr);
    env.run(&["token", "nat"]).code(5);
    assert!(env.stored_token("nat", "default").is_some(), "kept");
    env.run(&["app", "enable", "nat"]).ok();
    env.run(&["curl", "nat", &me(&server)]).ok();
}

#[test]
fn never_authorized_fails_at_once_without_a_terminal() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let run = env.run(&["curl", "nat", &me(&server)]).code(4);
    assert!(
        run.stderr.contains("has no tokens for account `default`"),
        "{}",
        run.stderr
    );
    let run = env.run(&["token", "nat", "--account", "ci"]).code(4);
    assert!(
        run.stderr.contains("outbound authorize nat --account ci"),
        "{}",
        run.stderr
    );
}

#[test]
fn client_credentials_need_no_person() {
    let server = short_lived();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &["--scope", "api:read"]);
    let a = env.run(&["token", "cc"]).ok().stdout;
    std::thread::sleep(Duration::from_millis(3200));
    let b = env.run(&["token", "cc"]).ok().stdout;
    assert_ne!(a, b, "fetched again once expired");
    assert_eq!(server.wait_for_token_requests("client_credentials", 2), 2);
}

#[test]
fn a_401_triggers_one_refresh_and_a_retry() {
    let server = AuthServer::start();
    let env = Env::new().file_store();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    // The server no longer honours the stored access token (it looks fresh to us).
    let secrets = env.state_dir().join("secrets.json");
    let text = std::fs::read_to_string(&secrets).unwrap();
    let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let key = map
        .keys()
        .find(|k| k.starts_with("token/"))
        .unwrap()
        .clone();
    let mut token: serde_json::Value = serde_json::from_str(map[&key].as_str().unwrap()).unwrap();
    token["access_token"] = "revoked-elsewhere".into();
    map.insert(key, token.to_string().into());
    std::fs::write(&secrets, serde_json::to_string(&map).unwrap()).unwrap();
    let run = env.run(&["curl", "-v", "nat", &me(&server)]).ok();
    assert_eq!(run.json()["sub"], "alice");
    assert!(
        run.stderr.contains("refreshing once and retrying"),
        "{}",
        run.stderr
    );
    assert_eq!(server.wait_for_token_requests("refresh_token", 1), 1);
}

#[test]
fn a_reset_in_a_shared_file_reaches_another_users_keyring() {
    let server = AuthServer::start();
    let other = PrivateKeyring::start();
    let admin = Env::new();
    let shared = admin.dir.path().join("team.toml");
    let shared_str = shared.display().to_string();
    let mut alice = Env::new();
    alice.set("OUTBOUND_CONFIG", shared_str.clone());
    let mut bob = Env::new();
    bob.set("OUTBOUND_CONFIG", shared_str);
    bob.set("DBUS_SESSION_BUS_ADDRESS", other.address.clone());
    // The administrator defines the app with a secret every user can resolve.
    let mut admin_cfg = Env::new();
    admin_cfg.set("OUTBOUND_CONFIG", shared.display().to_string());
    admin_cfg
        .run(&[
            "app",
            "add",
            "team",
            "--issuer",
            &server.issuer,
            "--client-id",
            "native-app",
            "--client-secret-env",
            "TEAM_SECRET",
            "--scope",
            "openid",
            "--allowed-host",
            "127.0.0.1:*",
        ])
        .ok();
    alice.set("TEAM_SECRET", "native-secret");
    bob.set("TEAM_SECRET", "native-secret");
    alice.authorize("team", &[]).ok();
    bob.authorize("team", &[]).ok();
    let alices = alice
        .stored_token("team", "default")
        .expect("in alice's keyring");
    let bobs = bob
        .stored_token("team", "default")
        .expect("in bob's keyring");
    assert_ne!(
        alices["access_token"], bobs["access_token"],
        "each user holds their own tokens"
    );
    alice.run(&["curl", "team", &me(&server)]).ok();
    bob.run(&["curl", "team", &me(&server)]).ok();

    admin_cfg.run(&["app", "reset", "team", "--yes"]).ok();
    for user in [&alice, &bob] {
        let run: Run = user.run(&["curl", "team", &me(&server)]).code(4);
        assert!(run.stderr.contains("reset"), "{}", run.stderr);
        assert!(
            run.stderr.contains("outbound authorize team"),
            "{}",
            run.stderr
        );
    }
    assert!(
        alice.stored_token("team", "default").is_none(),
        "removed from alice's keyring"
    );
    assert!(
        bob.stored_token("team", "default").is_none(),
        "removed from bob's keyring"
    );
    bob.authorize("team", &[]).ok();
    bob.run(&["curl", "team", &me(&server)]).ok();
}
