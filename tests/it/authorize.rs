//! `outbound authorize`, `status` and `logout` against a real authorization server
//! (oidc-provider), with the HTTP browser driver and, once, a real headless Chromium.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::authserver::{AuthServer, Options, chromium_browser, free_port};
use crate::harness::{Env, Run};

#[test]
fn discovery_fills_the_endpoints() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let app = env.app_json("nat");
    assert_eq!(app["auth_url"], format!("{}/auth", server.issuer));
    assert_eq!(app["token_url"], format!("{}/token", server.issuer));
    assert_eq!(
        app["revocation_url"],
        format!("{}/token/revocation", server.issuer)
    );
    assert_eq!(app["device_url"], format!("{}/device/auth", server.issuer));
    assert!(
        env.config_text().contains("require_iss = true"),
        "{}",
        env.config_text()
    );
    // An explicit flag wins over discovery.
    env.run_with_input(
        &[
            "app",
            "add",
            "x",
            "--issuer",
            &server.issuer,
            "--client-id",
            "c",
            "--client-secret-stdin",
            "--revocation-url",
            "https://revoke.example/r",
        ],
        "s",
    )
    .ok();
    assert_eq!(
        env.app_json("x")["revocation_url"],
        "https://revoke.example/r"
    );
    // A wrong issuer is refused (exit 7) and nothing is added.
    let run = env
        .run(&[
            "app",
            "add",
            "y",
            "--issuer",
            "http://127.0.0.1:9",
            "--client-id",
            "c",
            "--client-auth",
            "none",
        ])
        .code(7);
    assert!(run.stderr.contains("could not reach"), "{}", run.stderr);
}

#[test]
fn authorization_code_with_pkce_on_any_port_lands_in_the_keyring() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr.contains("code_challenge_method=S256"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("authorized `nat` (account `default`)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("stored in the OS keyring"),
        "{}",
        run.stderr
    );
    let token = env
        .stored_token("nat", "default")
        .expect("tokens in the Secret Service");
    let access = token["access_token"].as_str().unwrap();
    assert!(server.is_active(access));
    assert!(token["refresh_token"].is_string());
    assert_eq!(token["generation"], 1);
    for secret in [
        access,
        token["refresh_token"].as_str().unwrap(),
        "native-secret",
    ] {
        assert!(!run.all().contains(secret), "a secret was printed");
    }
    let status = env.status();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0]["state"], "authorized");
    assert_eq!(status[0]["store"], "keyring");
    assert!(status[0]["expires_in"].as_i64().unwrap() > 0);
}

#[test]
fn a_real_headless_chromium_logs_in_and_consents() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let mut cmd = env.command(["authorize", "nat", "--yes", "--timeout", "60"]);
    cmd.env("BROWSER", chromium_browser());
    let run = Run::from(cmd.output().unwrap()).ok();
    assert!(run.stderr.contains("authorized `nat`"), "{}", run.stderr);
    assert!(
        server.is_active(
            env.stored_token("nat", "default").unwrap()["access_token"]
                .as_str()
                .unwrap()
        )
    );
}

#[test]
fn a_client_with_a_fixed_registered_port() {
    let port = free_port();
    let server = AuthServer::with(Options {
        fixed_redirect_port: Some(port),
        ..Options::default()
    });
    let env = Env::new();
    let redirect = format!("http://127.0.0.1:{port}/cb");
    env.run_with_input(
        &[
            "app",
            "add",
            "web",
            "--issuer",
            &server.issuer,
            "--client-id",
            "web-fixed",
            "--client-secret-stdin",
            "--scope",
            "openid",
            "--redirect-uri",
            &redirect,
        ],
        "web-secret",
    )
    .ok();
    let run = env.authorize("web", &[]).ok();
    assert!(
        run.stderr.contains(&format!(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcb"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn post_and_public_clients() {
    let server = AuthServer::start();
    let env = Env::new();
    env.run_with_input(
        &[
            "app",
            "add",
            "post",
            "--issuer",
            &server.issuer,
            "--client-id",
            "post-app",
            "--client-secret-stdin",
            "--client-auth",
            "post",
            "--scope",
            "openid",
        ],
        "post-secret",
    )
    .ok();
    env.authorize("post", &[]).ok();
    env.run(&[
        "app",
        "add",
        "pub",
        "--issuer",
        &server.issuer,
        "--client-id",
        "public-app",
        "--client-auth",
        "none",
        "--scope",
        "openid",
    ])
    .ok();
    env.authorize("pub", &[]).ok();
    assert!(env.stored_token("post", "default").is_some());
    assert!(env.stored_token("pub", "default").is_some());
}

#[test]
fn a_forged_callback_is_ignored_and_the_real_one_accepted() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let log = env.dir.path().join("browser.log");
    let run = env.authorize_in_mode("nat", "forge", 30).ok();
    assert!(
        run.stderr
            .contains("a callback with a wrong state was ignored"),
        "{}",
        run.stderr
    );
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(trace.contains("forged callback answered 400"), "{trace}");
    assert!(trace.contains("callback answered 200"), "{trace}");
}

#[test]
fn access_denied_timeout_and_port_in_use_are_clear_failures() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);

    let run = env.authorize_in_mode("nat", "deny", 30).code(7);
    assert!(run.stderr.contains("access_denied"), "{}", run.stderr);

    // Nobody came back: a timeout of its own (8), not a server failure (7).
    let run = env.authorize_in_mode("nat", "none", 2).code(8);
    assert!(
        run.stderr.contains("no answer from the browser within 2 s"),
        "{}",
        run.stderr
    );
    assert!(env.stored_token("nat", "default").is_none());

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    env.run(&[
        "app",
        "edit",
        "nat",
        "--redirect-uri",
        &format!("http://127.0.0.1:{port}/callback"),
    ])
    .ok();
    let run = env.authorize("nat", &[]).code(1);
    assert!(
        run.stderr.contains(&format!("port {port}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--redirect-uri"), "{}", run.stderr);
}

#[test]
fn manual_mode_reads_the_pasted_url_and_checks_state() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    for tamper in [false, true] {
        let mut child = env
            .command(["authorize", "nat", "--yes", "--manual"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut url = String::new();
        let mut seen = String::new();
        while url.is_empty() {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "no URL printed: {seen}"
            );
            seen.push_str(&line);
            if line.trim_start().starts_with(&server.issuer) {
                url = line.trim().to_owned();
            }
        }
        let out = std::process::Command::new("node")
            .arg(format!(
                "{}/tests/authserver/http-browser.mjs",
                env!("CARGO_MANIFEST_DIR")
            ))
            .arg(&url)
            .env("BROWSER_MODE", "print")
            .output()
            .unwrap();
        let mut callback = String::from_utf8(out.stdout).unwrap();
        assert!(callback.contains("code="), "{callback}");
        if tamper {
            callback = callback.replace("state=", "state=x");
        }
        child
            .stdin
            .take()
            .unwrap()
            .write_all(callback.as_bytes())
            .unwrap();
        let status = child.wait().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        if tamper {
            assert_eq!(status.code(), Some(7), "{rest}");
            assert!(rest.contains("wrong state"), "{rest}");
        } else {
            assert!(status.success(), "{rest}");
        }
    }
    assert!(env.stored_token("nat", "default").is_some());
}

#[test]
fn device_grant() {
    let server = AuthServer::start();
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "dev",
        "--issuer",
        &server.issuer,
        "--grant",
        "device_code",
        "--client-id",
        "device-app",
        "--client-auth",
        "none",
        "--scope",
        "openid",
    ])
    .ok();
    let mut child = env
        .command([
            "authorize",
            "dev",
            "--yes",
            "--no-browser",
            "--timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut complete = String::new();
    let mut seen = String::new();
    while complete.is_empty() {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no verification URI: {seen}"
        );
        seen.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("(or open ") {
            complete = rest.trim_end_matches(')').to_owned();
        }
    }
    assert!(seen.contains("enter the code:"), "{seen}");
    let driver = std::process::Command::new("node")
        .arg(format!(
            "{}/tests/authserver/http-browser.mjs",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(&complete)
        .status()
        .unwrap();
    assert!(driver.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{seen}{rest}");
    assert!(env.stored_token("dev", "default").is_some());
}

#[test]
fn client_credentials_verify_and_store() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &["--scope", "api:read"]);
    let run = env.run(&["authorize", "cc"]).ok();
    assert!(run.stderr.contains("scopes: api:read"), "{}", run.stderr);
    assert_eq!(server.wait_for_token_requests("client_credentials", 1), 1);
    assert!(env.stored_token("cc", "default").is_some());
    // Wrong credentials: the server's error, exit 7.
    // (A value no message has in it: the messages may say "wrong".)
    env.run_with_input(&["app", "secret", "set", "cc"], "bad-secret-7f3a9c")
        .ok();
    let run = env.run(&["authorize", "cc"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert!(!run.stderr.contains("bad-secret-7f3a9c"), "{}", run.stderr);
}

#[test]
fn token_response_quirks_of_real_providers() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("cc", &server.issuer, &["--scope", "api:read api:write"]);
    for quirks in [
        &["form"][..],
        &["expires_string"],
        &["scope_comma"],
        &["no_token_type"],
        &["token_type_upper", "form", "expires_string"],
    ] {
        server.quirks(quirks);
        env.run(&["authorize", "cc"]).ok();
        let token = env.stored_token("cc", "default").unwrap();
        let lifetime =
            token["expires_at"].as_u64().unwrap() - token["obtained_at"].as_u64().unwrap();
        assert_eq!(lifetime, 60, "{quirks:?}");
        assert_eq!(
            token["scopes"],
            serde_json::json!(["api:read", "api:write"]),
            "{quirks:?}"
        );
    }
    server.quirks(&["error_200"]);
    let run = env.run(&["authorize", "cc"]).code(7);
    assert!(
        run.stderr.contains("invalid_grant") && run.stderr.contains("emulated error with HTTP 200"),
        "{}",
        run.stderr
    );
    server.quirks(&["no_access_token"]);
    let run = env.run(&["authorize", "cc"]).code(7);
    assert!(run.stderr.contains("no access_token"), "{}", run.stderr);
    // The authorization-code exchange copes with a form-encoded answer too.
    server.quirks(&["form", "expires_string", "scope_comma"]);
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    assert!(env.stored_token("nat", "default").unwrap()["refresh_token"].is_string());
}

#[test]
fn accounts_remember_their_scopes_and_prompt() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let run = env
        .authorize(
            "nat",
            &[
                "--account",
                "work",
                "--scope",
                "openid email",
                "--prompt",
                "consent",
            ],
        )
        .ok();
    assert!(
        run.stderr.contains("scope=openid+email") && run.stderr.contains("prompt=consent"),
        "{}",
        run.stderr
    );
    let run = env.authorize("nat", &["--account", "work"]).ok();
    assert!(
        run.stderr.contains("scope=openid+email") && run.stderr.contains("prompt=consent"),
        "remembered: {}",
        run.stderr
    );
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr.contains("scope=openid+offline_access") && !run.stderr.contains("prompt="),
        "{}",
        run.stderr
    );
    let accounts: Vec<_> = env
        .status()
        .iter()
        .map(|r| r["account"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(accounts.len(), 2, "{accounts:?}");
}

#[test]
fn refusals_disabled_and_no_terminal() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.run(&["app", "disable", "nat"]).ok();
    let run = env.authorize("nat", &[]).code(5);
    assert!(
        run.stderr.contains("outbound app enable nat"),
        "{}",
        run.stderr
    );
    env.run(&["app", "enable", "nat"]).ok();
    let run = env.run(&["authorize", "nat"]).code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    env.run(&[
        "app",
        "edit",
        "nat",
        "--approval-prompt",
        "Grant the release scripts access.",
    ])
    .ok();
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr.contains("Grant the release scripts access."),
        "{}",
        run.stderr
    );
}

#[test]
fn status_states_and_prune() {
    let server = AuthServer::with(Options {
        access_ttl: Some(5),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.add_native("gone", &server.issuer, &[]);
    let states = |env: &Env| -> Vec<(String, String)> {
        env.status()
            .iter()
            .map(|r| {
                (
                    r["app"].as_str().unwrap().to_owned(),
                    r["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        states(&env),
        [
            ("nat".into(), "needs-authorization".into()),
            ("gone".into(), "needs-authorization".into())
        ]
    );
    // `nat` last, and its tokens live 5 s: still valid when looked at on a loaded
    // machine, expired after the wait.
    env.authorize("gone", &[]).ok();
    env.authorize("nat", &[]).ok();
    assert_eq!(states(&env)[0].1, "authorized");
    std::thread::sleep(std::time::Duration::from_millis(5500));
    assert_eq!(states(&env)[0].1, "expired", "refreshable");
    env.run(&["app", "disable", "nat"]).ok();
    assert_eq!(states(&env)[0].1, "disabled");
    env.run(&["app", "enable", "nat"]).ok();

    // Another administrator resets `nat` and deletes `gone` by editing the shared file.
    let gone_id = env.app_id("gone");
    let text = env.config_text();
    let text = text.replace("generation = 1", "generation = 2");
    let cut = text.find("[apps.gone]").unwrap();
    std::fs::write(env.config_path(), &text[..cut]).unwrap();
    let run = env.run(&["status", "--json"]).ok();
    let rows = run.json();
    assert_eq!(rows[0]["state"], "reset", "{rows}");
    assert_eq!(rows[1]["state"], "orphan", "{rows}");
    assert!(run.stderr.contains("outbound prune"), "{}", run.stderr);
    // `status` only reads: the dead tokens are still there until `prune`.
    assert!(env.stored_token("nat", "default").is_some());
    assert!(crate::harness::keyring_lookup(&format!("token/{gone_id}/default")).is_some());
    let run = env.run(&["prune"]).ok();
    assert!(
        run.stderr.contains("the application was reset"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the application was deleted"),
        "{}",
        run.stderr
    );
    assert!(
        env.stored_token("nat", "default").is_none(),
        "stale tokens removed"
    );
    assert!(
        crate::harness::keyring_lookup(&format!("token/{gone_id}/default")).is_none(),
        "orphan removed"
    );
    assert_eq!(states(&env), [("nat".into(), "needs-authorization".into())]);
    let human = env.run(&["status"]).ok();
    assert!(human.stdout.starts_with("APP"), "{}", human.stdout);
}

#[test]
fn logout_revokes_at_the_server_and_removes_locally() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let token = env.stored_token("nat", "default").unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let refresh = token["refresh_token"].as_str().unwrap().to_owned();
    assert!(server.is_active(&access));
    let run = env.run(&["logout", "nat"]).ok();
    assert!(
        run.stderr
            .contains("revoked the refresh token and access token"),
        "{}",
        run.stderr
    );
    assert!(
        !server.is_active(&access),
        "access token inactive at the server"
    );
    assert!(
        !server.is_active(&refresh),
        "refresh token inactive at the server"
    );
    assert!(env.stored_token("nat", "default").is_none());
    assert!(!run.all().contains(&access));

    // An unreachable revocation endpoint: reported, and the local tokens still go.
    env.authorize("nat", &[]).ok();
    env.run(&[
        "app",
        "edit",
        "nat",
        "--revocation-url",
        &format!("http://127.0.0.1:{}/revoke", free_port()),
    ])
    .ok();
    let run = env.run(&["logout", "nat"]).ok();
    assert!(
        run.stderr.contains("warning: revoking") && run.stderr.contains("removed anyway"),
        "{}",
        run.stderr
    );
    assert!(env.stored_token("nat", "default").is_none());
    let run = env.run(&["logout", "nat"]).ok();
    assert!(run.stderr.contains("nothing to do"), "{}", run.stderr);
}

#[test]
fn ctrl_c_while_waiting_cancels_cleanly() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let (mut child, _stderr, _, port) = env.authorize_waiting("nat", "60");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(!exit.success());
    assert!(
        env.stored_token("nat", "default").is_none(),
        "nothing stored"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener is gone"
    );
    assert!(env.status()[0]["state"] == "needs-authorization");
}

/// The default account: `--account`, else OUTBOUND_ACCOUNT, else the app's
/// `default_account`, else `default`; `status` marks it.
#[test]
fn the_default_account_is_chosen_in_order() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.authorize("nat", &["--account", "work"]).ok();
    let token = |env: &Env, extra: &[&str]| {
        let mut args = vec!["token", "nat"];
        args.extend(extra);
        env.run(&args).ok().stdout
    };
    let (default, work) = (token(&env, &[]), token(&env, &["--account", "work"]));
    assert_ne!(default, work);
    env.run(&["app", "edit", "nat", "--default-account", "work"])
        .ok();
    assert_eq!(token(&env, &[]), work);
    assert_eq!(token(&env, &["--account", "default"]), default);
    let rows = env.status();
    let is_default = |account: &str| {
        rows.iter()
            .find(|r| r["account"] == account)
            .map(|r| r["default"].clone())
    };
    assert_eq!(is_default("work"), Some(true.into()));
    assert_eq!(is_default("default"), Some(false.into()));
    let text = env.run(&["status"]).ok();
    assert!(text.stdout.contains("work *"), "{}", text.stdout);
    assert!(text.stderr.contains("the account used when none is named"));
    env.set("OUTBOUND_ACCOUNT", "default");
    assert_eq!(token(&env, &[]), default);
    assert_eq!(token(&env, &["--account", "work"]), work);
    env.set("OUTBOUND_ACCOUNT", "no good");
    let run = env.run(&["token", "nat"]).code(2);
    assert!(run.stderr.contains("OUTBOUND_ACCOUNT"), "{}", run.stderr);
    env.set("OUTBOUND_ACCOUNT", "");
    let run = env
        .run(&["app", "edit", "nat", "--default-account", "a b"])
        .code(2);
    assert!(run.stderr.contains("--default-account"), "{}", run.stderr);
}

/// A fixed redirect port that another program holds: the app's fallback ports are
/// tried in order; without any, the error names the flag that adds them.
#[test]
fn a_taken_redirect_port_falls_back_to_the_apps_list() {
    let server = AuthServer::start();
    let env = Env::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    env.add_native("nat", &server.issuer, &["--redirect-uri", &redirect]);
    let run = env.authorize("nat", &[]).code(1);
    assert!(
        run.stderr.contains(&format!("port {port} is taken")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--redirect-port"), "{}", run.stderr);
    env.run(&[
        "app",
        "edit",
        "nat",
        "--redirect-port",
        &format!("{port},{free}"),
    ])
    .ok();
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr
            .contains(&format!("127.0.0.1%3A{free}%2Fcallback")),
        "{}",
        run.stderr
    );
    env.run(&["token", "nat"]).ok();
    drop(taken);
    let run = env
        .run(&["app", "edit", "nat", "--redirect-port", "0"])
        .code(2);
    assert!(
        run.stderr.contains("--redirect-port: 0 is not"),
        "{}",
        run.stderr
    );
}

/// A refresh token obtained elsewhere is imported with `--refresh-token-stdin`,
/// checked by one refresh; a refused or malformed one stores nothing.
#[test]
fn a_refresh_token_from_elsewhere_is_imported() {
    let server = AuthServer::start();
    let elsewhere = Env::new();
    elsewhere.add_native("nat", &server.issuer, &[]);
    elsewhere.authorize("nat", &[]).ok();
    let refresh = elsewhere.stored_token("nat", "default").unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    // The one refused refresh below reaches the server; the malformed inputs do not.
    let refreshes = server.token_requests("refresh_token");
    for (input, code, says) in [
        ("", 2, "standard input is empty"),
        ("two\nlines", 2, "several lines"),
        ("not-a-refresh-token", 7, "invalid_grant"),
    ] {
        let run = env
            .run_with_input(&["authorize", "nat", "--refresh-token-stdin"], input)
            .code(code);
        assert!(run.stderr.contains(says), "{input:?}: {}", run.stderr);
        assert!(env.stored_token("nat", "default").is_none());
    }
    let run = env
        .run_with_input(
            &["authorize", "nat", "--refresh-token-stdin"],
            &format!("{refresh}\n"),
        )
        .ok();
    assert!(run.stderr.contains("authorized `nat`"), "{}", run.stderr);
    assert!(!run.all().contains(&refresh));
    // The server's log is read on a thread: wait for it to catch up.
    assert_eq!(
        server.wait_for_token_requests("refresh_token", refreshes + 2),
        refreshes + 2
    );
    assert_eq!(env.status()[0]["state"], "authorized");
    env.run(&["token", "nat", "--force-refresh"]).ok();
}

/// Two authorizations of one account at once: the second waits for the first
/// (saying so) and takes its tokens, without a second browser tab.
#[test]
fn a_second_authorization_waits_for_the_first() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let (mut first, first_err, seen, _) = env.authorize_waiting("nat", "30");
    let url = seen
        .lines()
        .find(|l| l.contains("redirect_uri="))
        .expect("the URL line")
        .trim()
        .to_owned();
    let mut second = env
        .command([
            "authorize",
            "nat",
            "--yes",
            "--no-browser",
            "--timeout",
            "30",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut second_err = BufReader::new(second.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("another authorization of `nat`") {
        let n = second_err.read_line(&mut said).unwrap();
        assert!(n > 0 && !said.contains("redirect_uri="), "{said}");
    }
    let browser = std::process::Command::new("node")
        .arg(format!(
            "{}/http-browser.mjs",
            crate::authserver::authserver_dir()
        ))
        .arg(&url)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(browser.success());
    assert!(first.wait().unwrap().success());
    drop(first_err);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut second_err, &mut rest).unwrap();
    assert!(second.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("its tokens are used"), "{rest}");
    assert!(!rest.contains("redirect_uri="), "{rest}");
    assert_eq!(server.token_requests("authorization_code"), 1);
}

/// `--redirect-port 8085,8086,8087` alone (the form docs/authorizing.md shows, with the
/// default redirect URI): these ports, in this order, with the default path. It was refused
/// ("the redirect URI has no fixed port").
#[test]
fn redirect_ports_alone_are_the_ports_to_listen_on_in_order() {
    let server = AuthServer::start();
    let env = Env::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let first = taken.local_addr().unwrap().port();
    let (second, third) = (free_port(), free_port());
    let ports = format!("{first},{second},{third}");
    let run = env
        .run_with_input(
            &[
                "app",
                "add",
                "nat",
                "--issuer",
                &server.issuer,
                "--client-id",
                "native-app",
                "--client-secret-stdin",
                "--scope",
                "openid offline_access",
                "--redirect-port",
                &ports,
            ],
            "native-secret",
        )
        .ok();
    // What to register at the provider: each redirect URI, exactly.
    for port in [first, second, third] {
        assert!(
            run.stderr
                .contains(&format!("http://127.0.0.1:{port}/callback")),
            "{}",
            run.stderr
        );
    }
    // The first is taken: the second is used.
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr.contains(&format!(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A{second}%2Fcallback"
        )),
        "{}",
        run.stderr
    );
    env.run(&["token", "nat"]).ok();
    // All taken: said, naming them; never another port.
    let _second = std::net::TcpListener::bind(("127.0.0.1", second)).unwrap();
    let _third = std::net::TcpListener::bind(("127.0.0.1", third)).unwrap();
    let run = env.authorize("nat", &[]).code(1);
    assert!(
        run.stderr
            .contains(&format!("ports {first}, {second}, {third} are taken")),
        "{}",
        run.stderr
    );
    // --manual sends the first of them (nothing listens: any registered one will do).
    let run = env.run(&["authorize", "nat", "--manual", "--yes"]);
    assert!(
        run.stderr.contains(&format!(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A{first}%2Fcallback"
        )),
        "{}",
        run.stderr
    );
    drop(taken);
}

/// `authorize` with the authorization server down fails at once (exit 7), naming
/// the URL, and opens no browser; it waited the whole timeout for the browser.
#[test]
fn authorize_fails_fast_when_the_authorization_server_is_down() {
    let env = Env::new();
    let opened = env.dir.path().join("opened");
    let browser = env.dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    {
        crate::harness::chmod(&browser, 0o755);
    }
    // Nothing listens there; and a server that takes the connection but never answers.
    let down = format!("http://127.0.0.1:{}/authorize", free_port());
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = format!(
        "http://127.0.0.1:{}/authorize",
        silent.local_addr().unwrap().port()
    );
    for (name, auth_url) in [("down", &down), ("hung", &hung)] {
        env.run(&[
            "app",
            "add",
            name,
            "--client-id",
            "c",
            "--client-auth",
            "none",
            "--auth-url",
            auth_url,
            "--token-url",
            &format!("http://127.0.0.1:{}/token", free_port()),
        ])
        .ok();
        let started = std::time::Instant::now();
        let mut cmd = env.command(["authorize", name, "--yes", "--timeout", "20"]);
        cmd.env("BROWSER", &browser);
        let run = Run::from(cmd.output().expect("spawn outbound")).code(7);
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_secs(12),
            "{name}: {took:?}"
        );
        assert!(run.stderr.contains(auth_url.as_str()), "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("outbound app edit {name} --auth-url")),
            "{}",
            run.stderr
        );
        assert!(!opened.exists(), "{name}: the browser was opened");
    }
    drop(silent);
}

/// A mistyped token URL (`…/tokn`) is a warning when typed, naming the URL and the
/// fix (it was accepted in silence); at the code exchange, the 404 names the URL
/// and the fix on lines of their own (it said only "answered HTTP 404", on the
/// countdown's line).
#[test]
fn a_mistyped_token_url_is_named_when_typed_and_when_used() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.set("OUTBOUND_NO_PROBE", "0");
    let tokn = format!("{}/tokn", server.issuer);
    let auth = format!("{}/auth", server.issuer);
    let run = env
        .run_with_input(
            &[
                "app",
                "add",
                "typo",
                "--auth-url",
                &auth,
                "--token-url",
                &tokn,
                "--client-id",
                "native-app",
                "--client-secret-stdin",
                "--scope",
                "openid offline_access",
            ],
            "native-secret",
        )
        .ok();
    let warned = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning:"))
        .unwrap_or_else(|| panic!("no warning: {}", run.stderr));
    assert!(
        warned.contains(&tokn) && warned.contains("404"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("outbound app edit typo --token-url URL"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);

    // At the exchange, on a terminal: the error starts a line of its own.
    let browser = crate::authserver::http_browser();
    let (ok, screen) = env.in_pty(
        "authorize typo --yes",
        &[],
        &[("BROWSER", browser.as_str())],
    );
    assert!(!ok, "{screen}");
    let error = screen
        .lines()
        .find(|l| l.contains("error:"))
        .unwrap_or_else(|| panic!("no error: {screen}"));
    assert!(
        error.trim_start().starts_with("error:") && error.contains(&tokn),
        "{screen}"
    );
    assert!(
        screen.lines().any(|l| l.trim_start().starts_with("fix:")
            && l.contains("outbound app edit typo --token-url URL")),
        "{screen}"
    );
    let run = env.authorize("typo", &[]).code(7);
    assert!(run.stderr.contains(&tokn), "{}", run.stderr);

    // A token URL that does not answer: a warning too; the right one: none.
    let nobody = format!("http://127.0.0.1:{}/token", free_port());
    let run = env
        .run(&["app", "edit", "typo", "--token-url", &nobody])
        .ok();
    assert!(
        run.stderr.contains("warning:")
            && run.stderr.contains(&nobody)
            && run
                .stderr
                .contains("outbound app edit typo --token-url URL"),
        "{}",
        run.stderr
    );
    let right = format!("{}/token", server.issuer);
    let run = env
        .run(&["app", "edit", "typo", "--token-url", &right])
        .ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    env.authorize("typo", &[]).ok();
}
