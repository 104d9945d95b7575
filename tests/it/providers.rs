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

/// Every quirk class of the provider catalog (`quirks = [...]` in src/presets.toml),
/// and the test that exercises it end to end against the test server's switch for
/// it (tests/authserver/server.mjs).
pub const QUIRK_TESTS: &[(&str, &str)] = &[
    (
        "nested_token",
        "providers::quirk_nested_and_renamed_token_fields",
    ),
    (
        "nonstandard_fields",
        "providers::quirk_nested_and_renamed_token_fields",
    ),
    (
        "form_token_response",
        "providers::quirk_form_answers_string_lifetimes_and_token_type_case",
    ),
    (
        "string_expires_in",
        "providers::quirk_form_answers_string_lifetimes_and_token_type_case",
    ),
    (
        "token_type_case",
        "providers::quirk_form_answers_string_lifetimes_and_token_type_case",
    ),
    ("comma_scopes", "providers::quirk_comma_scopes"),
    ("client_key", "providers::quirk_client_key"),
    (
        "credentials_body_only",
        "providers::quirk_credentials_in_one_place_only",
    ),
    (
        "credentials_basic_only",
        "providers::quirk_credentials_in_one_place_only",
    ),
    ("pkce_required", "providers::quirk_pkce_required"),
    ("no_refresh", "providers::quirk_no_refresh_token"),
    (
        "rotating_refresh",
        "providers::quirk_rotating_refresh_tokens",
    ),
    (
        "expiring_refresh",
        "trust::refresh_token_lifetime_is_recorded_warned_and_kept_alive",
    ),
    (
        "refresh_url",
        "providers::quirk_refresh_url_and_json_bodies",
    ),
    ("json_body", "providers::quirk_refresh_url_and_json_bodies"),
    (
        "url_params",
        "providers::quirk_url_params_from_a_catalog_entry",
    ),
];

/// Every quirk class the catalog names (and every one it may name) maps to a test
/// that exists.
#[test]
fn every_quirk_class_has_a_test() {
    use outbound::choice::Choice;
    let env = Env::new();
    let list = env.run(&["app", "presets", "--json"]).ok().json();
    let mut named: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["quirks"].as_array().unwrap().clone())
        .map(|q| q.as_str().unwrap().to_owned())
        .collect();
    named.extend(
        outbound::presets::Quirk::ALL
            .iter()
            .map(|q| q.name().to_owned()),
    );
    named.sort();
    named.dedup();
    for class in &named {
        let Some((_, test)) = QUIRK_TESTS.iter().find(|(c, _)| c == class) else {
            panic!("quirk class {class} has no test in QUIRK_TESTS");
        };
        let (module, function) = test.split_once("::").unwrap();
        let path = format!("{}/tests/it/{module}.rs", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(
            source.contains(&format!("#[test]\nfn {function}()")),
            "{class}: no #[test] fn {function}() in {path}"
        );
    }
    assert_eq!(
        QUIRK_TESTS.len(),
        named.len(),
        "no class in QUIRK_TESTS is unknown"
    );
}

/// A token answer form-encoded, its `expires_in` a string, its `token_type` in
/// lowercase (and in capitals): the token is kept with its lifetime, and sent as
/// `Bearer` all the same.
#[test]
fn quirk_form_answers_string_lifetimes_and_token_type_case() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    for quirks in [
        &["form", "expires_string", "token_type_lower"][..],
        &["token_type_upper"],
    ] {
        server.quirks(quirks);
        env.authorize("nat", &[]).ok();
        let token = env.stored_token("nat", "default").unwrap();
        assert_eq!(
            token["expires_at"].as_u64().unwrap() - token["obtained_at"].as_u64().unwrap(),
            60,
            "{quirks:?}"
        );
        let run = env
            .run(&["curl", "nat", &format!("{}/api/whoami", server.issuer)])
            .ok();
        assert_eq!(run.json()["sub"], "alice", "{quirks:?}");
    }
}

/// The token under a key (Slack's `authed_user`), and under other names: mapped
/// with --token-field, for the code exchange and each refresh; without the
/// mapping, no access token is found.
#[test]
fn quirk_nested_and_renamed_token_fields() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    type Fields<'a> = [(&'a str, &'a str); 3];
    let cases: [(&str, &str, Fields); 2] = [
        (
            "nested",
            "nested",
            [
                ("access_token", "authed_user.access_token"),
                ("refresh_token", "authed_user.refresh_token"),
                ("expires_in", "authed_user.expires_in"),
            ],
        ),
        (
            "renamed",
            "renamed",
            [
                ("access_token", "accessToken"),
                ("refresh_token", "refreshToken"),
                ("expires_in", "expiresIn"),
            ],
        ),
    ];
    for (name, quirk, fields) in cases {
        let mapping: Vec<String> = fields.iter().map(|(f, p)| format!("{f}={p}")).collect();
        let mut extra = Vec::new();
        for m in &mapping {
            extra.extend(["--token-field", m.as_str()]);
        }
        env.add_native(name, &server.issuer, &extra);
        env.add_native(&format!("{name}-unmapped"), &server.issuer, &[]);
        server.quirks(&[quirk]);
        let run = env.authorize(&format!("{name}-unmapped"), &[]).code(7);
        assert!(run.stderr.contains("no access_token"), "{}", run.stderr);
        env.authorize(name, &[]).ok();
        let token = env.stored_token(name, "default").unwrap();
        assert!(token["refresh_token"].is_string(), "{name}");
        assert_eq!(
            token["expires_at"].as_u64().unwrap() - token["obtained_at"].as_u64().unwrap(),
            3,
            "{name}"
        );
        let before = server.token_requests("refresh_token");
        std::thread::sleep(Duration::from_millis(3200));
        let run = env
            .run(&["curl", name, &format!("{}/me", server.issuer)])
            .ok();
        assert_eq!(run.json()["sub"], "alice", "{name}");
        assert_eq!(server.token_requests("refresh_token"), before + 1, "{name}");
        let after = env.stored_token(name, "default").unwrap();
        assert_ne!(after["refresh_token"], token["refresh_token"], "{name}");
    }
}

/// Scopes joined with commas in the authorization request (a server that refuses
/// spaces), and answered with commas.
#[test]
fn quirk_comma_scopes() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native(
        "comma",
        &server.issuer,
        &["--scope-delimiter", ",", "--scope", "api:read"],
    );
    env.add_native("space", &server.issuer, &[]);
    server.quirks(&["scope_in_commas", "scope_comma"]);
    env.authorize("comma", &[]).ok();
    let token = env.stored_token("comma", "default").unwrap();
    // The server grants "openid,api:read" (offline_access needs a consent prompt):
    // split on the comma.
    assert_eq!(token["scopes"], serde_json::json!(["openid", "api:read"]));
    // Joined with spaces, the request is refused: nothing comes back (exit 8).
    env.authorize_in_mode("space", "login", 5).code(8);
    server.wait_for_log("AUTH refused: scopes are separated by commas");
}

/// TikTok's `client_key`: the client id goes by that name in the authorization
/// request and in each token request (client_id_param).
#[test]
fn quirk_client_key() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "app",
            "add",
            name,
            "--issuer",
            &server.issuer,
            "--client-id",
            "post-app",
            "--client-secret-stdin",
            "--client-auth",
            "post",
            "--scope",
            "openid offline_access",
            "--allowed-host",
            "127.0.0.1:*",
        ];
        args.extend(extra);
        env.run_with_input(&args, "post-secret").ok();
    };
    add("tiktok", &["--client-id-param", "client_key"]);
    add("plain", &[]);
    assert_eq!(env.app_json("tiktok")["client_id_param"], "client_key");
    server.quirks(&["client_key"]);
    env.authorize("tiktok", &[]).ok();
    std::thread::sleep(Duration::from_millis(3200));
    env.run(&["curl", "tiktok", &format!("{}/me", server.issuer)])
        .ok();
    assert_eq!(server.token_requests("refresh_token"), 1);
    env.authorize_in_mode("plain", "login", 5).code(8);
    server.wait_for_log("AUTH refused: the client is named by client_key");
    let run = env
        .run(&["app", "edit", "plain", "--client-id-param", "client_secret"])
        .code(2);
    assert!(run.stderr.contains("--client-id-param"), "{}", run.stderr);
}

/// A server that takes client credentials only in the body, and one that takes
/// them only in HTTP Basic: the app's client_auth is what works, the other way is
/// refused (no silent fallback once client_auth is set).
#[test]
fn quirk_credentials_in_one_place_only() {
    let server = AuthServer::start();
    let env = Env::new();
    // Body only: post-app (registered for client_secret_post).
    for (name, auth) in [("body", "post"), ("body-basic", "basic")] {
        let args = [
            "app",
            "add",
            name,
            "--issuer",
            &server.issuer,
            "--client-id",
            "post-app",
            "--client-secret-stdin",
            "--client-auth",
            auth,
            "--scope",
            "openid offline_access",
            "--allowed-host",
            "127.0.0.1:*",
        ];
        env.run_with_input(&args, "post-secret").ok();
    }
    server.quirks(&["basic_refused"]);
    env.authorize("body", &[]).ok();
    let run = env.authorize("body-basic", &[]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    server.wait_for_log("BASIC refused");
    // Basic only: native-app (client_secret_basic).
    env.add_native("basic", &server.issuer, &["--client-auth", "basic"]);
    env.add_native("basic-body", &server.issuer, &["--client-auth", "post"]);
    server.quirks(&["body_refused"]);
    env.authorize("basic", &[]).ok();
    let run = env.authorize("basic-body", &[]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    server.wait_for_log("BODY refused");
}

/// The test server requires PKCE (S256), as many providers now do: outbound sends
/// it by default; an app with PKCE turned off is refused.
#[test]
fn quirk_pkce_required() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("pkce", &server.issuer, &[]);
    env.add_native("nopkce", &server.issuer, &["--no-pkce"]);
    env.authorize("pkce", &[]).ok();
    let run = env.authorize("nopkce", &[]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.to_lowercase().contains("pkce") || run.stderr.contains("code_challenge"),
        "{}",
        run.stderr
    );
}

/// No refresh token: once the access token expires, the account must be
/// authorized again, and outbound says so.
#[test]
fn quirk_no_refresh_token() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nr", &server.issuer, &[]);
    server.quirks(&["no_refresh"]);
    env.authorize("nr", &[]).ok();
    let token = env.stored_token("nr", "default").unwrap();
    assert!(token["refresh_token"].is_null(), "{token}");
    env.run(&["token", "nr"]).ok();
    std::thread::sleep(Duration::from_millis(3200));
    let run = env.run(&["token", "nr"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("outbound authorize nr"),
        "{}",
        run.stderr
    );
    assert_eq!(server.token_requests("refresh_token"), 0);
}

/// Rotating refresh tokens: each refresh returns a new one, which is kept; the
/// one it replaced no longer works at the server.
#[test]
fn quirk_rotating_refresh_tokens() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("rot", &server.issuer, &[]);
    env.authorize("rot", &[]).ok();
    let mut seen = vec![
        env.stored_token("rot", "default").unwrap()["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(3200));
        env.run(&["curl", "rot", &format!("{}/me", server.issuer)])
            .ok();
        let now = env.stored_token("rot", "default").unwrap()["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!seen.contains(&now), "a new refresh token each time");
        seen.push(now);
    }
    assert!(!server.is_active(&seen[0]) && !server.is_active(&seen[1]));
    assert!(server.is_active(&seen[2]));
}

/// Token requests as JSON bodies (a server that refuses forms), and refreshes at
/// a URL of their own (a server whose token endpoint refuses them).
#[test]
fn quirk_refresh_url_and_json_bodies() {
    let server = AuthServer::with(Options {
        access_ttl: Some(3),
        ..Options::default()
    });
    let env = Env::new();
    let refresh_url = format!("{}/oauth/refresh", server.issuer);
    env.add_native(
        "json",
        &server.issuer,
        &["--token-body", "json", "--refresh-url", &refresh_url],
    );
    env.add_native("form", &server.issuer, &["--refresh-url", &refresh_url]);
    server.quirks(&["json_only", "refresh_elsewhere"]);
    let run = env.authorize("form", &[]).code(7);
    assert!(
        run.stderr.contains("415") || run.stderr.contains("JSON"),
        "{}",
        run.stderr
    );
    server.wait_for_log("FORM refused");
    env.authorize("json", &[]).ok();
    server.wait_for_log("TOKEN grant_type=authorization_code json");
    std::thread::sleep(Duration::from_millis(3200));
    env.run(&["curl", "json", &format!("{}/me", server.issuer)])
        .ok();
    server.wait_for_log("REFRESH_URL");
    server.wait_for_log("TOKEN grant_type=refresh_token json");
    // Without the refresh URL, the token endpoint refuses the refresh.
    env.run(&["app", "edit", "json", "--unset", "token_request"])
        .ok();
    env.run(&["app", "edit", "json", "--token-body", "json"])
        .ok();
    std::thread::sleep(Duration::from_millis(3200));
    let run = env.run(&["curl", "json", &format!("{}/me", server.issuer)]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("/oauth/refresh"), "{}", run.stderr);
}

/// A catalog entry with a URL parameter (okta's `domain`), made into an app with
/// --preset-param: every URL of it points at the server the parameter names (the
/// test server, over https with a private CA, answering at Okta's paths), and
/// authorization, refresh and revocation go there. A value the parameter's check
/// refuses never reaches the configuration.
#[test]
fn quirk_url_params_from_a_catalog_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let server = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    let domain = server.issuer.trim_start_matches("https://").to_owned();
    let mut env = Env::new();
    env.set("NODE_EXTRA_CA_CERTS", ca.display().to_string());
    let ca_file = ca.display().to_string();
    let run = env
        .run_with_input(
            &[
                "app",
                "add",
                "ok",
                "--preset",
                "okta",
                "--preset-param",
                "domain=acme..example.com",
                "--client-id",
                "native-app",
                "--client-secret-stdin",
            ],
            "native-secret",
        )
        .code(2);
    assert!(run.stderr.contains("host name"), "{}", run.stderr);
    assert!(!env.config_text().contains("acme..example.com"));
    let param = format!("domain={domain}");
    env.run_with_input(
        &[
            "app",
            "add",
            "ok",
            "--preset",
            "okta",
            "--preset-param",
            &param,
            "--client-id",
            "native-app",
            "--client-secret-stdin",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--ca-file",
            &ca_file,
        ],
        "native-secret",
    )
    .ok();
    let app = env.app_json("ok");
    assert_eq!(
        app["token_url"],
        format!("https://{domain}/oauth2/default/v1/token")
    );
    assert_eq!(app["preset"], "okta");
    assert_eq!(app["preset_params"]["domain"], domain);
    env.authorize("ok", &[]).ok();
    server.wait_for_log("ALIAS /oauth2/default/v1/authorize");
    server.wait_for_log("ALIAS /oauth2/default/v1/token");
    assert!(env.stored_token("ok", "default").unwrap()["refresh_token"].is_string());
    env.run(&["curl", "ok", &format!("https://{domain}/me")])
        .ok();
    env.run(&["logout", "ok"]).ok();
    server.wait_for_log("ALIAS /oauth2/default/v1/revoke");
}

/// An app made from a catalog entry keeps its name and parameters; `doctor` says
/// when its endpoints are no longer the entry's, and its fix (run here) takes the
/// catalog's.
#[test]
fn doctor_compares_a_preset_app_with_the_catalog() {
    let env = Env::new();
    let domain = format!("127.0.0.1:{}", free_port());
    let param = format!("domain={domain}");
    env.run(&[
        "app",
        "add",
        "ok",
        "--preset",
        "okta",
        "--preset-param",
        &param,
        "--client-id",
        "c",
        "--client-auth",
        "none",
    ])
    .ok();
    let check = |env: &Env| {
        let run = env.run(&["doctor", "ok", "--json"]);
        run.json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "ok: preset")
            .cloned()
            .unwrap_or_else(|| panic!("no preset check: {}", run.stdout))
    };
    assert_eq!(check(&env)["status"], "ok", "{}", check(&env));
    env.run(&[
        "app",
        "edit",
        "ok",
        "--token-url",
        &format!("https://{domain}/oauth2/v1/token"),
    ])
    .ok();
    let warned = check(&env);
    assert_eq!(warned["status"], "warn", "{warned}");
    let detail = warned["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "token_url is https://{domain}/oauth2/v1/token, the catalog says https://{domain}/oauth2/default/v1/token"
        )),
        "{detail}"
    );
    let fix = warned["fix"].as_str().unwrap();
    let args: Vec<&str> = fix.split_whitespace().skip(1).collect();
    env.run(&args).ok();
    assert_eq!(check(&env)["status"], "ok");
}

/// The catalog on the command line: by category, searched, one category, one
/// entry by name, every field in JSON with URL parameters as templates.
#[test]
fn the_catalog_lists_searches_and_shows() {
    let env = Env::new();
    let all = env.run(&["app", "presets"]).ok();
    assert!(all.stdout.contains("developer-tools ("), "{}", all.stdout);
    assert!(all.stdout.contains("\n  github "), "{}", all.stdout);
    let json = env.run(&["app", "presets", "--json"]).ok().json();
    let entries = json.as_array().unwrap();
    assert!(entries.len() >= 150, "{}", entries.len());
    for e in entries {
        assert!(e["sources"].as_array().unwrap().len() >= 2, "{e}");
        for key in [
            "auth_url",
            "token_url",
            "revocation_url",
            "device_url",
            "userinfo_url",
        ] {
            if let Some(url) = e[key].as_str() {
                assert!(url.starts_with("https://"), "{}: {key} {url}", e["name"]);
            }
        }
    }
    let okta = entries.iter().find(|e| e["name"] == "okta").unwrap();
    assert_eq!(
        okta["auth_url"],
        "https://{domain}/oauth2/default/v1/authorize"
    );
    assert_eq!(okta["param_checks"]["domain"], "hostname");
    assert_eq!(okta["category"], "identity");
    let found = env.run(&["app", "presets", "--search", "gitlab"]).ok();
    assert!(found.stdout.contains("gitlab"), "{}", found.stdout);
    assert!(!found.stdout.contains("\n  github "), "{}", found.stdout);
    let mcp = env
        .run(&["app", "presets", "--category", "mcp", "--json"])
        .ok()
        .json();
    let mcp = mcp.as_array().unwrap();
    assert!(!mcp.is_empty());
    for e in mcp {
        assert!(e["name"].as_str().unwrap().ends_with("-mcp"), "{e}");
        assert!(
            e["mcp_url"].as_str().unwrap().starts_with("https://"),
            "{e}"
        );
    }
    let shown = env.run(&["app", "presets", "tiktok"]).ok();
    assert_eq!(
        shown.stdout,
        env.run(&["app", "presets", "show", "tiktok"]).ok().stdout
    );
    assert!(
        shown.stdout.contains("client_id_param = \"client_key\""),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("scopes to ask for"),
        "{}",
        shown.stdout
    );
    let none = env
        .run(&["app", "presets", "--search", "no-such-provider-xyz"])
        .ok();
    assert!(
        none.stdout.is_empty() && none.stderr.contains("no preset matching"),
        "{}",
        none.stderr
    );
    env.run(&["app", "presets", "--category", "crm"]).code(2);
    let run = env.run(&["app", "presets", "show", "gitlba"]).code(2);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
}

/// A preset app whose endpoint, still the catalog's, answers 404: `doctor` names the
/// preset, the URL and that the catalog entry may be stale, with where to look and
/// the edit that fixes the app (run here, with the URL the server does answer at).
#[test]
fn doctor_says_a_catalog_entry_may_be_stale() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let server = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    let host = server.issuer.trim_start_matches("https://").to_owned();
    let env = Env::new();
    let param = format!("host={host}");
    env.run(&[
        "app",
        "add",
        "gl",
        "--preset",
        "gitlab",
        "--preset-param",
        &param,
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--ca-file",
        &ca.display().to_string(),
    ])
    .ok();
    let check = |env: &Env, name: &str| {
        let run = env.run(&["doctor", "gl", "--json"]);
        run.json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} check: {}", run.stdout))
    };
    let token = check(&env, "gl: token");
    assert_eq!(token["status"], "fail", "{token}");
    let detail = token["detail"].as_str().unwrap();
    let url = format!("https://{host}/oauth/token");
    for want in [
        format!("{url} answers HTTP 404"),
        format!("{url} is what the catalog's `gitlab` preset gives"),
        "the catalog entry may be stale".to_owned(),
    ] {
        assert!(detail.contains(&want), "{want} in {detail}");
    }
    let fix = token["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("find the current URL in https://docs.gitlab.com/api/oauth2/, then: outbound app edit gl --token-url URL; and report the stale `gitlab` entry"),
        "{fix}"
    );
    // The same for the authorization endpoint, with its own flag.
    let auth = check(&env, "gl: authorization");
    assert!(
        auth["fix"]
            .as_str()
            .unwrap()
            .contains("outbound app edit gl --auth-url URL"),
        "{auth}"
    );
    let moved = format!("{}/token", server.issuer);
    env.run(&["app", "edit", "gl", "--token-url", &moved]).ok();
    let token = check(&env, "gl: token");
    assert_eq!(token["status"], "ok", "{token}");
    // A URL set by hand that answers 404 is the app's, not the catalog's.
    let wrong = format!("{}/nowhere", server.issuer);
    env.run(&["app", "edit", "gl", "--token-url", &wrong]).ok();
    let token = check(&env, "gl: token");
    assert_eq!(token["status"], "fail", "{token}");
    assert!(
        !token["detail"].as_str().unwrap().contains("catalog"),
        "{token}"
    );
    // The entry names its issuer (OpenID discovery): the app records it, `doctor`
    // reads its metadata, and when that is gone the catalog may be stale too.
    let issuer = format!("https://{host}/");
    assert_eq!(env.app_json("gl")["issuer"], issuer);
    let discovery = check(&env, "gl: discovery");
    assert_eq!(discovery["status"], "ok", "{discovery}");
    server.quirks_json(serde_json::json!({ "discovery": "gone" }));
    let discovery = check(&env, "gl: discovery");
    assert_eq!(discovery["status"], "fail", "{discovery}");
    let detail = discovery["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "{issuer} is what the catalog's `gitlab` preset gives, so the catalog entry may be stale"
        )),
        "{detail}"
    );
    assert!(
        discovery["fix"]
            .as_str()
            .unwrap()
            .contains("then: outbound app edit gl --issuer URL"),
        "{discovery}"
    );
    // A server out of reach says nothing of the catalog.
    drop(server);
    let discovery = check(&env, "gl: discovery");
    assert_eq!(discovery["status"], "fail", "{discovery}");
    assert!(
        discovery["detail"]
            .as_str()
            .unwrap()
            .contains("could not reach")
            && !discovery["detail"].as_str().unwrap().contains("catalog"),
        "{discovery}"
    );
}

/// A hosted MCP server's entry starts where `--from-url` does, at the vendor's MCP
/// URL: for every `-mcp` entry, `app add --preset … --dry-run` asks that URL first
/// (here through a loopback proxy that refuses, so nothing leaves this machine), says
/// which, and writes nothing.
#[test]
fn every_mcp_preset_starts_from_its_servers_url() {
    let env = Env::new();
    let list = env.run(&["app", "presets", "--json"]).ok().json();
    let entries: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_owned(),
                e["mcp_url"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(entries.len() >= 10, "{entries:?}");
    let refused = format!("http://127.0.0.1:{}", free_port());
    for (name, url) in &entries {
        assert!(name.ends_with("-mcp"), "{name}");
        let out = env
            .command([
                "app",
                "add",
                "agent-tools",
                "--preset",
                name,
                "--client-id",
                "pre-registered",
                "--dry-run",
            ])
            .env("HTTPS_PROXY", &refused)
            .env("https_proxy", &refused)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .output()
            .unwrap();
        let run = crate::harness::Run::from(out);
        assert_eq!(run.code, 7, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "could not reach the protected resource endpoint {url}"
            )),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(!env.config_text().contains("agent-tools"));
}
