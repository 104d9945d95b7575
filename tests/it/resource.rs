//! Starting from an API's URL (RFC 9728 metadata, RFC 8414 discovery, RFC 7591
//! registration, RFC 7592 deletion) against oidc-provider and a loopback protected
//! resource that challenges like an MCP server.

use crate::authserver::AuthServer;
use crate::harness::Env;

#[test]
fn an_app_from_the_apis_url_registers_authorizes_and_deregisters() {
    let server = AuthServer::start();
    let env = Env::new();
    let url = format!("{}/mcp", server.issuer);
    // --dry-run: what was found, nothing registered or written.
    let run = env
        .run(&["app", "add", "mcp", "--from-url", &url, "--dry-run"])
        .ok();
    assert!(
        run.stdout
            .contains(&format!("# authorization server: {}", server.issuer)),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("resources = [\"{url}\"]")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("would register a client at"),
        "{}",
        run.stderr
    );
    assert!(!env.config_text().contains("[apps.mcp]"));

    let run = env.run(&["app", "add", "mcp", "--from-url", &url]).ok();
    assert!(run.stderr.contains("registered client `"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("at the provider, register"),
        "{}",
        run.stderr
    );
    let app = env.app_json("mcp");
    assert_eq!(
        app["issuer"].as_str().unwrap().trim_end_matches('/'),
        server.issuer
    );
    assert_eq!(app["resources"], serde_json::json!([url]));
    let host = server.issuer.trim_start_matches("http://");
    assert_eq!(app["allowed_hosts"], serde_json::json!([host]));
    assert_eq!(
        app["scopes"],
        serde_json::json!(["api:read", "offline_access"])
    );
    assert_eq!(app["client_auth"], "none");
    assert!(
        !env.config_text().contains("registration"),
        "{}",
        env.config_text()
    );

    env.authorize("mcp", &[]).ok();
    let run = env.run(&["curl", "mcp", &url]).ok();
    assert_eq!(run.json()["sub"], "alice");
    // A relative URL is resolved against the resource's origin.
    assert_eq!(
        env.run(&["curl", "mcp", "/mcp/"]).ok().json()["path"],
        "/mcp/"
    );
    env.run(&["token", "mcp", "--force-refresh"]).ok();
    env.run(&["curl", "mcp", &url]).ok();

    // Step-up: the API wants api:write too.
    let admin = format!("{url}/admin");
    let run = env.run(&["curl", "mcp", &admin]).code(9);
    assert!(
        run.stderr
            .contains("outbound authorize mcp --scope 'api:read offline_access api:write'"),
        "{}",
        run.stderr
    );
    let browser = crate::authserver::http_browser();
    let (ok, screen) = env.in_pty(
        &format!("curl mcp --step-up {admin}"),
        &["y"],
        &[("BROWSER", browser.as_str())],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("\"path\":\"/mcp/admin\""), "{screen}");
    env.run(&["curl", "mcp", &admin]).ok();

    // An edit of its scopes reaches the registered client (RFC 7592).
    let run = env
        .run(&["app", "edit", "mcp", "--add-scope", "api:write"])
        .ok();
    assert!(
        run.stderr
            .contains("updated the client registered at the server"),
        "{}",
        run.stderr
    );
    assert!(server.log().contains("REREGISTER 200"), "{}", server.log());

    let run = env.run(&["app", "delete", "mcp", "--yes"]).ok();
    assert!(
        run.stderr.contains("registered at the server"),
        "{}",
        run.stderr
    );
    assert!(
        server.log().contains("DEREGISTER /reg/"),
        "{}",
        server.log()
    );
}

/// The README's `--from-url` example, run as written: `outbound curl notes /tools`
/// goes to the resource's origin (it went to `/mcp/tools`, as the resource URL was
/// written as the base URL); a base URL the user sets wins.
#[test]
fn the_readmes_from_url_example_works_as_written() {
    let server = AuthServer::start();
    let env = Env::new();
    let url = format!("{}/mcp", server.issuer);
    let run = env
        .run(&["app", "add", "notes", "--from-url", &url, "--dry-run"])
        .ok();
    assert!(
        run.stdout.contains(&format!("resources = [\"{url}\"]"))
            && !run.stdout.contains("base_url"),
        "{}",
        run.stdout
    );
    env.run(&["app", "add", "notes", "--from-url", &url]).ok();
    let browser = crate::authserver::http_browser();
    let (ok, screen) = env.in_pty("authorize notes", &["y"], &[("BROWSER", browser.as_str())]);
    assert!(ok, "{screen}");
    let run = env.run(&["curl", "notes", "/tools"]).ok();
    assert_eq!(run.json()["path"], "/tools", "{}", run.stdout);
    assert_eq!(run.json()["sub"], "alice");
    // The user's own base URL wins, for the app and for an account.
    env.run(&["app", "edit", "notes", "--base-url", &url]).ok();
    let run = env.run(&["curl", "notes", "/tools"]).ok();
    assert_eq!(run.json()["path"], "/mcp/tools");
    env.run(&["app", "edit", "notes", "--unset", "base_url"])
        .ok();
    let run = env.run(&["curl", "notes", "/tools"]).ok();
    assert_eq!(run.json()["path"], "/tools");
    env.run(&["account", "edit", "notes", "--base-url", &url])
        .ok();
    let run = env.run(&["curl", "notes", "/tools"]).ok();
    assert_eq!(run.json()["path"], "/mcp/tools");
}

/// What is refused, with nothing written: metadata for another resource, several
/// servers without a choice, a registration endpoint that errs or answers garbage.
#[test]
fn from_url_refuses_what_does_not_add_up() {
    let server = AuthServer::start();
    let env = Env::new();
    let before = env.config_text();
    let wrong = format!("{}/mcp-wrong", server.issuer);
    let run = env.run(&["app", "add", "x", "--from-url", &wrong]).code(7);
    assert!(
        run.stderr.contains("describes the resource"),
        "{}",
        run.stderr
    );
    let two = format!("{}/mcp-two", server.issuer);
    let run = env.run(&["app", "add", "x", "--from-url", &two]).code(2);
    assert!(
        run.stderr.contains("2 authorization servers"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--issuer"), "{}", run.stderr);
    env.run(&[
        "app",
        "add",
        "x",
        "--from-url",
        &two,
        "--issuer",
        &server.issuer,
        "--dry-run",
    ])
    .ok();
    let run = env
        .run(&[
            "app",
            "add",
            "x",
            "--from-url",
            &two,
            "--issuer",
            "https://nobody.example",
        ])
        .code(2);
    assert!(
        run.stderr.contains("not one of the authorization servers"),
        "{}",
        run.stderr
    );
    let url = format!("{}/mcp", server.issuer);
    for (quirk, says) in [
        ("error", "registration is closed today"),
        ("garbage", "registration"),
    ] {
        server.quirks_json(serde_json::json!({ "register": quirk }));
        let run = env.run(&["app", "add", "x", "--from-url", &url]).code(7);
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
    assert_eq!(env.config_text(), before);
    // A URL without metadata: said, with --issuer as the way out.
    let run = env
        .run(&[
            "app",
            "add",
            "x",
            "--from-url",
            &format!("{}/nothing-here", server.issuer),
        ])
        .code(7);
    assert!(
        run.stderr.contains("no protected-resource metadata"),
        "{}",
        run.stderr
    );
}

/// A resource whose metadata trusts another authorization server gets one token at
/// most (the first, before anything was known), and none after: exit 6, said why.
#[test]
fn tokens_are_not_sent_to_a_resource_that_trusts_another_server() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let url = format!("{}/foreign", server.issuer);
    let run = env.run(&["curl", "nat", &url]).code(6);
    assert!(
        run.stderr
            .contains("trusts the authorization servers https://other-as.example only"),
        "{}",
        run.stderr
    );
    let challenges = server.log().matches("PRM-CHALLENGE /foreign").count();
    assert_eq!(challenges, 1, "no refreshed token went after the first");
    let run = env.run(&["curl", "nat", &url]).code(6);
    assert!(
        run.stderr.contains("its tokens are not sent there"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.log().matches("PRM-CHALLENGE /foreign").count(),
        challenges,
        "nothing was sent"
    );
    let run = env.run(&["proxy", "nat", "--upstream", &url]).code(6);
    assert!(run.stderr.contains("not sent there"), "{}", run.stderr);
    // Other resources of the same origin are not affected.
    env.run(&["curl", "nat", &format!("{}/api/whoami", server.issuer)])
        .ok();
}

/// A registration answer's `registration_client_uri` is sent the registration access
/// token only where the endpoint rule allows (never plain http to another host) and,
/// unless `--registration-uri-any-origin`, only on the registration endpoint's
/// origin: elsewhere it is not kept, and `app delete` sends nothing there.
#[test]
fn the_registration_access_token_goes_only_to_the_registration_endpoints_origin() {
    use std::io::{Read, Write};
    let server = AuthServer::start();
    let env = Env::new();
    let url = format!("{}/mcp", server.issuer);

    // Plain http to a remote host: never, whatever the user says.
    server.quirks_json(serde_json::json!({"register_uri": "http://attacker.example/reg/{id}"}));
    let run = env
        .run(&[
            "app",
            "add",
            "m1",
            "--from-url",
            &url,
            "--registration-uri-any-origin",
        ])
        .ok();
    assert!(
        run.stderr
            .contains("not keeping the server's client-management URL")
            && run.stderr.contains("https is required"),
        "{}",
        run.stderr
    );
    let run = env.run(&["app", "delete", "m1", "--yes"]).ok();
    assert!(!run.stderr.contains("attacker"), "{}", run.stderr);

    // Another origin on loopback: a listener that records what reaches it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    });
    let elsewhere = format!("http://127.0.0.1:{port}/reg/{{id}}");
    server.quirks_json(serde_json::json!({ "register_uri": elsewhere }));
    let run = env.run(&["app", "add", "m2", "--from-url", &url]).ok();
    assert!(
        run.stderr
            .contains("on another origin than the registration endpoint")
            && run.stderr.contains("--registration-uri-any-origin"),
        "{}",
        run.stderr
    );
    env.run(&["app", "delete", "m2", "--yes"]).ok();
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(500))
            .is_err(),
        "nothing was sent to the other origin"
    );

    // Said otherwise: kept, and `app delete` deletes the client there.
    let run = env
        .run(&[
            "app",
            "add",
            "m3",
            "--from-url",
            &url,
            "--registration-uri-any-origin",
        ])
        .ok();
    assert!(!run.stderr.contains("not keeping"), "{}", run.stderr);
    env.run(&["app", "delete", "m3", "--yes"]).ok();
    let request = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the DELETE reached the trusted origin");
    assert!(request.starts_with("DELETE /reg/"), "{request}");
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer "),
        "{request}"
    );
}
