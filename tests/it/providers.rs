//! Real providers' ways: presets, non-standard token handshakes and response quirks,
//! egress (proxies, a private CA), and revocation on reset and delete.

use std::time::Duration;

use crate::authserver::{AuthServer, Options, free_port, private_ca};
use crate::harness::Env;
use crate::servers::{CountingProxy, ProxyKind};

#[test]
fn presets_fill_what_flags_leave_out() {
    let env = Env::new();
    let list = env.run(&["app", "presets", "--json"]).ok().json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "github",
        "gitlab",
        "google",
        "microsoft",
        "slack",
        "okta",
        "auth0",
        "atlassian",
        "dropbox",
        "salesforce",
        "zoom",
        "linear",
        "notion",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let run = env
        .run(&[
            "app",
            "add",
            "ok",
            "--preset",
            "okta",
            "--client-id",
            "c",
            "--client-auth",
            "none",
        ])
        .code(2);
    assert!(
        run.stderr.contains("--preset-param domain=VALUE"),
        "{}",
        run.stderr
    );
    env.run(&[
        "app",
        "add",
        "ok",
        "--preset",
        "okta",
        "--preset-param",
        "domain=acme.okta.com",
        "--client-id",
        "c",
        "--client-auth",
        "none",
    ])
    .ok();
    let app = env.app_json("ok");
    assert_eq!(
        app["auth_url"],
        "https://acme.okta.com/oauth2/default/v1/authorize"
    );
    assert_eq!(
        app["revocation_url"],
        "https://acme.okta.com/oauth2/default/v1/revoke"
    );
    assert_eq!(app["allowed_hosts"], serde_json::json!(["acme.okta.com"]));
    assert_eq!(
        app["scopes"],
        serde_json::json!(["openid", "offline_access"])
    );
    env.run_with_input(
        &[
            "app",
            "add",
            "g",
            "--preset",
            "google",
            "--client-id",
            "c",
            "--client-secret-stdin",
            "--scope",
            "https://www.googleapis.com/auth/drive.readonly",
        ],
        "s",
    )
    .ok();
    let app = env.app_json("g");
    assert_eq!(app["auth_params"]["access_type"], "offline");
    assert_eq!(app["prompt"], "consent");
    assert_eq!(
        app["scopes"],
        serde_json::json!(["https://www.googleapis.com/auth/drive.readonly"]),
        "explicit flags win"
    );
    env.run(&[
        "app",
        "add",
        "ms",
        "--preset",
        "microsoft",
        "--preset-param",
        "tenant=contoso.onmicrosoft.com",
        "--client-id",
        "c",
        "--client-auth",
        "none",
    ])
    .ok();
    assert_eq!(
        env.app_json("ms")["token_url"],
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    env.run(&[
        "app",
        "add",
        "d",
        "--preset",
        "dropbox",
        "--client-id",
        "c",
        "--client-auth",
        "none",
    ])
    .ok();
    assert_eq!(
        env.app_json("d")["auth_params"]["token_access_type"],
        "offline"
    );
}

/// The seeds' legacy webhook example: JSON bodies with the client credentials, a
/// separate refresh URL, `expires_in` as a string, comma-separated scopes.
#[test]
fn a_custom_json_handshake_with_a_separate_refresh_url() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    for (name, nest) in [("legacy", false), ("nested", true)] {
        let suffix = if nest { "?nest=1" } else { "" };
        let token_url = format!("{}/custom/token{suffix}", server.issuer);
        let refresh_url = format!("{}/custom/refresh_token{suffix}", server.issuer);
        let mut args = vec![
            "app",
            "add",
            name,
            "--issuer",
            &server.issuer,
            "--client-id",
            "native-app",
            "--client-secret-stdin",
            "--client-auth",
            "post",
            "--token-url",
            &token_url,
            "--token-body",
            "json",
            "--refresh-url",
            &refresh_url,
            "--scope",
            "openid api:read",
            "--allowed-host",
            "127.0.0.1:*",
        ];
        if nest {
            args.extend([
                "--token-field",
                "access_token=authed_user.access_token",
                "--token-field",
                "refresh_token=authed_user.refresh_token",
                "--token-field",
                "expires_in=authed_user.expires_in",
                "--token-field",
                "scope=authed_user.scope",
            ]);
        }
        env.run_with_input(&args, "native-secret").ok();
        env.authorize(name, &[]).ok();
        let token = env.stored_token(name, "default").unwrap();
        assert_eq!(
            token["expires_at"].as_u64().unwrap() - token["obtained_at"].as_u64().unwrap(),
            3,
            "{name}"
        );
        // The endpoint answers "openid,api:read": split on the comma.
        assert_eq!(
            token["scopes"],
            serde_json::json!(["openid", "api:read"]),
            "{name}"
        );
        std::thread::sleep(Duration::from_millis(3200));
        let run = env
            .run(&["curl", name, &format!("{}/me", server.issuer)])
            .ok();
        assert_eq!(run.json()["sub"], "alice", "{name}");
    }
    assert_eq!(
        server
            .log()
            .matches("CUSTOM grant_type=authorization_code")
            .count(),
        2
    );
    assert_eq!(
        server
            .log()
            .matches("CUSTOM grant_type=refresh_token")
            .count(),
        2
    );
    let shown = env.app_json("nested");
    assert_eq!(shown["token_body"], "json");
    assert_eq!(
        shown["token_fields"]["access_token"],
        "authed_user.access_token"
    );
    assert!(
        env.config_text().contains("token_request = {"),
        "{}",
        env.config_text()
    );
}

#[test]
fn missing_lifetimes_and_refresh_tokens() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let lifetime = |env: &Env| {
        let t = env.stored_token("nat", "default").unwrap();
        t["expires_at"]
            .as_u64()
            .map(|at| at - t["obtained_at"].as_u64().unwrap())
    };
    // No expires_in: the app's default lifetime; without one, unknown (used until a 401).
    server.quirks(&["no_expires"]);
    env.authorize("nat", &[]).ok();
    assert_eq!(lifetime(&env), None);
    env.run(&["app", "edit", "nat", "--expires-in", "2m"]).ok();
    env.authorize("nat", &[]).ok();
    assert_eq!(lifetime(&env), Some(120));
    // expires_at or ext_expires_in instead of expires_in.
    server.quirks(&["expires_at"]);
    env.authorize("nat", &[]).ok();
    assert!(
        matches!(lifetime(&env), Some(2..=3)),
        "{:?}",
        lifetime(&env)
    );
    server.quirks(&["ext_expires_in"]);
    env.authorize("nat", &[]).ok();
    assert_eq!(lifetime(&env), Some(3));
    // A refresh answer without a refresh token keeps the old one.
    server.quirks(&["no_refresh_on_refresh"]);
    let before = env.stored_token("nat", "default").unwrap()["refresh_token"].clone();
    std::thread::sleep(Duration::from_millis(3200));
    env.run(&["curl", "nat", &format!("{}/me", server.issuer)])
        .ok();
    let after = env.stored_token("nat", "default").unwrap();
    assert_eq!(after["refresh_token"], before);
    assert_ne!(after["obtained_at"], serde_json::Value::Null);
    // Unknown lifetime: used until the server says 401, then refreshed once.
    server.quirks(&["no_expires"]);
    env.run(&["app", "edit", "nat", "--unset", "expires_in"])
        .ok();
    env.authorize("nat", &[]).ok();
    assert_eq!(lifetime(&env), None);
    std::thread::sleep(Duration::from_millis(3200));
    let refreshes = server.token_requests("refresh_token");
    let run = env
        .run(&["curl", "-v", "nat", &format!("{}/me", server.issuer)])
        .ok();
    assert!(
        run.stderr.contains("refreshing once and retrying"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.wait_for_token_requests("refresh_token", refreshes + 1),
        refreshes + 1
    );
}

#[test]
fn every_request_of_an_app_goes_through_its_proxy() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    for kind in [ProxyKind::Http, ProxyKind::Socks5] {
        let proxy = CountingProxy::start(kind);
        let env = Env::new();
        // Discovery, code exchange, refresh, curl and revocation, all through the proxy.
        env.add_native("nat", &server.issuer, &["--proxy", &proxy.url]);
        let after_discovery = proxy.connections();
        assert!(after_discovery >= 1, "discovery went through the proxy");
        env.authorize("nat", &[]).ok();
        let after_exchange = proxy.connections();
        assert!(
            after_exchange > after_discovery,
            "the code exchange went through the proxy"
        );
        std::thread::sleep(Duration::from_millis(3200));
        env.run(&["curl", "nat", &format!("{}/me", server.issuer)])
            .ok();
        let after_curl = proxy.connections();
        assert!(
            after_curl >= after_exchange + 2,
            "refresh and request: {after_exchange} -> {after_curl}"
        );
        env.run(&["logout", "nat"]).ok();
        assert!(
            proxy.connections() > after_curl,
            "revocation went through the proxy"
        );
    }
}

#[test]
fn environment_proxies_apply_unless_the_app_sets_one() {
    let server = AuthServer::start();
    let env_proxy = CountingProxy::start(ProxyKind::Http);
    let app_proxy = CountingProxy::start(ProxyKind::Http);
    let mut env = Env::new();
    env.add_cc("cc", &server.issuer, &[]);
    env.set("HTTP_PROXY", env_proxy.url.clone());
    env.set("NO_PROXY", "");
    env.run(&["authorize", "cc"]).ok();
    assert!(env_proxy.connections() >= 1, "HTTP_PROXY is respected");
    let seen = env_proxy.connections();
    env.set("NO_PROXY", "127.0.0.1");
    env.run(&["authorize", "cc"]).ok();
    assert_eq!(env_proxy.connections(), seen, "NO_PROXY is respected");
    env.set("NO_PROXY", "");
    env.run(&["app", "edit", "cc", "--proxy", &app_proxy.url])
        .ok();
    env.run(&["authorize", "cc"]).ok();
    assert_eq!(
        env_proxy.connections(),
        seen,
        "the app's proxy wins over the environment"
    );
    assert!(app_proxy.connections() >= 1);
}

#[test]
fn a_private_ca_is_trusted_only_with_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let server = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    assert!(server.issuer.starts_with("https://"));
    let env = Env::new();
    let base = [
        "--issuer",
        &server.issuer,
        "--grant",
        "client_credentials",
        "--client-id",
        "cc-app",
        "--client-secret-stdin",
        "--allowed-host",
        "127.0.0.1:*",
    ];
    let mut args = vec!["app", "add", "tls"];
    args.extend(base);
    let run = env.run_with_input(&args, "cc-secret").code(7);
    assert!(
        run.stderr.to_lowercase().contains("certificate"),
        "{}",
        run.stderr
    );
    let ca_str = ca.display().to_string();
    args.extend(["--ca-file", &ca_str]);
    env.run_with_input(&args, "cc-secret").ok();
    env.run(&["authorize", "tls"]).ok();
    let run = env
        .run(&["curl", "tls", &format!("{}/jwks", server.issuer)])
        .ok();
    assert!(run.json()["keys"].is_array(), "{}", run.stdout);
}

#[test]
fn reset_and_delete_revoke_at_the_server() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    for command in [
        &["app", "reset", "nat", "--yes"][..],
        &["app", "delete", "nat", "--yes"],
    ] {
        env.authorize("nat", &[]).ok();
        let token = env.stored_token("nat", "default").unwrap();
        let access = token["access_token"].as_str().unwrap().to_owned();
        assert!(server.is_active(&access));
        let run = env.run(command).ok();
        assert!(
            run.stderr
                .contains("revoked the refresh token and access token"),
            "{}",
            run.stderr
        );
        assert!(!server.is_active(&access), "{command:?}");
    }
    // An unreachable revocation endpoint never leaves local tokens behind.
    env.add_native(
        "nat",
        &server.issuer,
        &[
            "--revocation-url",
            &format!("http://127.0.0.1:{}/revoke", free_port()),
        ],
    );
    env.authorize("nat", &[]).ok();
    let id = env.app_id("nat");
    let run = env.run(&["app", "delete", "nat", "--yes"]).ok();
    assert!(run.stderr.contains("removed anyway"), "{}", run.stderr);
    assert!(crate::harness::keyring_lookup(&format!("token/{id}/default")).is_none());
}
