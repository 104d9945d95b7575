//! What the servers people run do differently (issue 25), each switched on in the
//! test server (tests/authserver/server.mjs) as the real one behaves: ID tokens
//! signed with the client secret (LemonLDAP::NG, glewlwyd), refreshes refused with
//! `invalid_request` or a bare 400, client assertions taken only for the token
//! endpoint (idpyoidc), HTTP Basic credentials that are not form-decoded
//! (LemonLDAP::NG), and authorization codes that end in `==` (idpyoidc).

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use crate::authserver::{AuthServer, Options};
use crate::harness::Env;

/// A server that signs the ID tokens of `hs256-app`, `hs512-app` and `hs256-public`
/// with their client secret.
fn hmac_server() -> AuthServer {
    AuthServer::with(Options {
        env: vec![("HMAC_ID_TOKENS", "1")],
        ..Options::default()
    })
}

/// An app of the test server's client `client_id`, found by discovery, whose secret
/// (when given) is read from standard input.
fn add_client(
    env: &Env,
    name: &str,
    issuer: &str,
    client_id: &str,
    secret: Option<&str>,
    extra: &[&str],
) {
    let mut args = vec![
        "app",
        "add",
        name,
        "--issuer",
        issuer,
        "--client-id",
        client_id,
        "--scope",
        "openid offline_access",
        "--allowed-host",
        "127.0.0.1:*",
    ];
    match secret {
        Some(_) => args.push("--client-secret-stdin"),
        None => args.extend(["--client-auth", "none"]),
    }
    args.extend(extra);
    env.run_with_input(&args, secret.unwrap_or_default()).ok();
}

/// LemonLDAP::NG signs ID tokens with HS512 by default, glewlwyd with HS256: the MAC
/// is checked with the client secret (OpenID Connect Core 10.1), the tokens are
/// kept, and whoami and status say how the identity was checked. A refresh's new ID
/// token is checked the same way.
#[test]
fn id_tokens_signed_with_the_client_secret_are_checked_with_it() {
    const HS512_SECRET: &str = "hs512-secret-that-is-long-enough-for-hs512-0123456789abcdef-0123";
    let server = hmac_server();
    let env = Env::new();
    for (name, client, secret) in [
        ("glewlwyd", "hs256-app", "hs256-secret"),
        ("lemon", "hs512-app", HS512_SECRET),
    ] {
        add_client(&env, name, &server.issuer, client, Some(secret), &[]);
        env.authorize(name, &[]).ok();
        assert!(
            env.stored_token(name, "default").is_some(),
            "{name}: stored"
        );
        let who = env.run(&["whoami", name, "--json"]).ok().json();
        assert_eq!(who["subject"], "alice", "{name}: {who}");
        assert_eq!(who["checked"], "client-secret", "{name}: {who}");
        let run = env.run(&["whoami", name]).ok();
        assert!(
            run.stdout
                .contains("checked  ID token MAC, with the client secret"),
            "{name}: {}",
            run.stdout
        );
        // The refresh brings a new ID token, checked with the secret too.
        let run = env.run(&["token", name, "--force-refresh"]).ok();
        assert!(
            !run.stderr.contains("was not kept"),
            "{name}: {}",
            run.stderr
        );
    }
    let status = env.status();
    for row in &status {
        assert_eq!(row["identity"]["checked"], "client-secret", "{row}");
    }
    let run = env.run(&["status"]).ok();
    assert!(
        run.stdout.contains("alice (client secret)"),
        "{}",
        run.stdout
    );
}

/// A public client holds no secret to check a MAC with: the ID token came straight
/// from the token endpoint, whose channel stands in for the signature (Core 3.1.3.7
/// (6)); the tokens are kept and the identity says so. Its claims are still checked:
/// one for another client, or without this authorization's nonce, stores nothing.
#[test]
fn a_mac_signed_id_token_without_a_secret_rests_on_the_token_endpoint() {
    let server = hmac_server();
    let env = Env::new();
    add_client(&env, "pub", &server.issuer, "hs256-public", None, &[]);
    env.authorize("pub", &[]).ok();
    assert!(env.stored_token("pub", "default").is_some());
    let who = env.run(&["whoami", "pub", "--json"]).ok().json();
    assert_eq!(who["checked"], "token-endpoint", "{who}");
    let run = env.run(&["whoami", "pub"]).ok();
    assert!(
        run.stdout
            .contains("checked  ID token from the token endpoint's channel"),
        "{}",
        run.stdout
    );
    let run = env.run(&["status"]).ok();
    assert!(run.stdout.contains("(token endpoint)"), "{}", run.stdout);

    for (claims, said) in [
        (serde_json::json!({"aud": "another-client"}), "(aud)"),
        (serde_json::json!({"iss": "https://evil.example"}), "(iss)"),
        (serde_json::json!({"exp": 1_000_000}), "(exp)"),
        (
            serde_json::json!({"nonce": "not-this-authorization's"}),
            "nonce",
        ),
    ] {
        let env = Env::new();
        add_client(&env, "pub", &server.issuer, "hs256-public", None, &[]);
        server.quirks_json(serde_json::json!({"token": [], "id_token_claims": claims}));
        let run = env.authorize("pub", &[]).code(7);
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was stored"), "{}", run.stderr);
        assert!(
            env.stored_token("pub", "default").is_none(),
            "{said}: stored"
        );
    }
}

/// `--manual` with a bare code that holds `=` (idpyoidc's end in `==`; RFC 6749
/// A.11 allows it): the code is the code, not a query string with a wrong state.
#[test]
fn a_pasted_bare_code_may_hold_equals_signs() {
    let server = AuthServer::start();
    server.quirks_json(serde_json::json!({"token": [], "code_suffix": "=="}));
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
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
            "{}/http-browser.mjs",
            crate::authserver::authserver_dir()
        ))
        .arg(&url)
        .env("BROWSER_MODE", "print")
        .output()
        .unwrap();
    let callback = url::Url::parse(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    assert!(code.ends_with("=="), "{code}");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{code}\n").as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(env.stored_token("nat", "default").is_some());
}

/// LemonLDAP::NG and idpyoidc refuse a revoked refresh token with `invalid_request`,
/// glewlwyd with a bare 400: the error keeps the server's words and says that the
/// account must be authorized again, with the command.
#[test]
fn every_refusal_of_a_refresh_says_to_authorize_again() {
    let server = AuthServer::with(Options {
        access_ttl: Some(2),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    std::thread::sleep(Duration::from_millis(2500));
    for (quirk, words) in [
        (
            "refresh_invalid_request",
            "invalid_request (the refresh token is revoked)",
        ),
        ("bare_400", "HTTP 400"),
    ] {
        server.quirks(&[quirk]);
        let run = env.run(&["token", "nat"]).code(7);
        assert!(run.stderr.contains(words), "{quirk}: {}", run.stderr);
        assert!(
            run.stderr.contains("the account must be authorized again")
                && run.stderr.contains("run outbound authorize nat"),
            "{quirk}: {}",
            run.stderr
        );
        assert!(env.stored_token("nat", "default").is_some(), "kept");
    }
}

/// idpyoidc takes a client assertion only for its token endpoint URL, where outbound
/// sends the issuer (RFC 7523 allows both): refused with invalid_client, the request
/// goes once more for the other audience, what worked is kept per app (in the state
/// directory, not the configuration) and said once, and the next requests start
/// with it. When neither is taken, the error names --assertion-audience.
#[test]
fn a_client_assertion_audience_the_server_refuses_is_tried_the_other_way() {
    let keys = tempfile::tempdir().unwrap();
    let server = AuthServer::with(Options {
        keys_dir: Some(keys.path().to_path_buf()),
        ..Options::default()
    });
    server.quirks(&["assertion_aud_token_endpoint"]);
    let secret = "csjwt-secret-that-is-long-enough-for-hs512-0123456789abcdef";
    let env = Env::new();
    let add = |name: &str| {
        env.run_with_input(
            &[
                "app",
                "add",
                name,
                "--grant",
                "client_credentials",
                "--issuer",
                &server.issuer,
                "--client-id",
                "csjwt-app",
                "--client-auth",
                "client_secret_jwt",
                "--client-secret-stdin",
                "--scope",
                "api:read",
            ],
            secret,
        )
        .ok();
    };
    add("idp");
    let run = env.run(&["--trace", "token", "idp"]).ok();
    assert!(!run.stdout.trim().is_empty());
    assert!(
        run.stderr
            .contains("refused a client assertion for the issuer (invalid_client); trying a client assertion for the endpoint's URL"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("note: the server of `idp` refused a client assertion for the issuer and took one for the endpoint's URL")
            && run.stderr.contains("--assertion-audience token-endpoint"),
        "{}",
        run.stderr
    );
    let token_endpoint = format!("ASSERTION aud={}/token\n", server.issuer);
    let issuer = format!("ASSERTION aud={}\n", server.issuer);
    assert_eq!(server.log().matches(&issuer).count(), 1);
    assert_eq!(server.log().matches(&token_endpoint).count(), 1);
    let kept = std::fs::read_to_string(env.state_dir().join("client-auth.json")).unwrap();
    assert!(kept.contains("\"audience\": \"token-endpoint\""), "{kept}");
    assert!(!env.config_text().contains("assertion_audience"));
    // The next request starts with what worked, and says nothing of it.
    let run = env.run(&["token", "idp", "--force-refresh"]).ok();
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    assert_eq!(server.log().matches(&issuer).count(), 1);
    assert_eq!(server.log().matches(&token_endpoint).count(), 2);

    // Neither audience is taken (here: the secret is wrong): the error names the flag.
    add("wrong");
    env.run_with_input(
        &["app", "secret", "set", "wrong"],
        "a-wrong-secret-that-is-long-enough-0123456789",
    )
    .ok();
    let run = env.run(&["token", "wrong"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("outbound app edit wrong --assertion-audience URL"),
        "{}",
        run.stderr
    );
}

/// LemonLDAP::NG does not form-decode HTTP Basic credentials, so a base64-style
/// secret fails form-encoded (as RFC 6749 2.3.1 sends it): for an app that leaves
/// client authentication open, Basic as it is, then the body, are tried once on
/// invalid_client, and what worked is kept per app and said once. An app that
/// names its client authentication gets no other try.
#[test]
fn basic_credentials_a_server_does_not_decode_are_sent_as_they_are() {
    const SECRET: &str = "c2VjcmV0+Zm9y/b3V0Ym91bmQ==";
    let server = AuthServer::start();
    server.quirks(&["basic_raw"]);
    let env = Env::new();
    add_client(&env, "lemon", &server.issuer, "b64-app", Some(SECRET), &[]);
    let run = env.authorize("lemon", &[]).ok();
    assert!(
        run.stderr.contains("note: the server of `lemon` refused the client secret in HTTP Basic, form-encoded (RFC 6749 2.3.1) and took it in HTTP Basic, not form-encoded"),
        "{}",
        run.stderr
    );
    assert!(env.stored_token("lemon", "default").is_some());
    let kept = std::fs::read_to_string(env.state_dir().join("client-auth.json")).unwrap();
    assert!(kept.contains("\"secret\": \"raw-basic\""), "{kept}");
    assert!(!env.config_text().contains("client_auth"));
    // Refreshes start with it: one request, taken, nothing said.
    let refused = server.log().matches("invalid_client").count();
    let run = env.run(&["token", "lemon", "--force-refresh"]).ok();
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    assert_eq!(server.token_requests("refresh_token"), 1);
    assert_eq!(server.log().matches("invalid_client").count(), refused);

    // A server that takes the secret only in the body: found after raw Basic.
    server.quirks(&["basic_refused"]);
    add_client(&env, "post", &server.issuer, "b64-app", Some(SECRET), &[]);
    let basic_refusals = server.log().matches("BASIC refused").count();
    let run = env.authorize("post", &[]).ok();
    assert!(
        run.stderr
            .contains("took it in the request body (client_secret_post)")
            && run
                .stderr
                .contains("outbound app edit post --client-auth post"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.log().matches("BASIC refused").count(),
        basic_refusals + 2
    );
    let kept = std::fs::read_to_string(env.state_dir().join("client-auth.json")).unwrap();
    assert!(kept.contains("\"secret\": \"body\""), "{kept}");

    // Client authentication named in the configuration is used as it is.
    server.quirks(&["basic_raw"]);
    add_client(
        &env,
        "named",
        &server.issuer,
        "b64-app",
        Some(SECRET),
        &["--client-auth", "basic"],
    );
    let before = server.token_requests("authorization_code");
    let run = env.authorize("named", &[]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert_eq!(
        server.wait_for_token_requests("authorization_code", before + 1),
        before + 1
    );
}

/// The wording of a missing endpoint names it plainly.
#[test]
fn a_missing_device_endpoint_is_named_plainly() {
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "ll",
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--auth-url",
        "https://idp.example/authorize",
        "--token-url",
        "https://idp.example/token",
    ])
    .ok();
    let run = env.run(&["authorize", "ll", "--device", "--yes"]).code(2);
    assert!(
        run.stderr
            .contains("`ll` has no device authorization endpoint; set one with `outbound app edit ll --device-url URL`"),
        "{}",
        run.stderr
    );
}
