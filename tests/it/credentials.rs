//! Credentials without shared secrets (issue 4/7): client assertions signed with a
//! private key or the client secret (RFC 7523), against oidc-provider with clients
//! registered for each method and algorithm.

use std::path::{Path, PathBuf};

use crate::authserver::{AuthServer, Options};
use crate::harness::Env;

/// A server with the JWT-signing clients, and the directory holding their keys.
fn keyed_server() -> (AuthServer, tempfile::TempDir) {
    let keys = tempfile::tempdir().expect("tempdir");
    let server = AuthServer::with(Options {
        keys_dir: Some(keys.path().to_path_buf()),
        ..Options::default()
    });
    (server, keys)
}

fn key(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// Writes a file only its owner may read: outbound refuses a key file others may.
fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    crate::harness::chmod(path, 0o600);
}

/// The same key in another PEM encoding, by openssl (`-traditional`: PKCS#1 for RSA,
/// SEC1 for EC).
fn traditional(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("traditional-{name}"));
    let status = std::process::Command::new("openssl")
        .args(["pkey", "-traditional", "-in"])
        .arg(dir.join(name))
        .arg("-out")
        .arg(&out)
        .status()
        .expect("openssl");
    assert!(status.success());
    out
}

fn add_cc(
    env: &Env,
    name: &str,
    issuer: &str,
    client: &str,
    extra: &[&str],
) -> crate::harness::Run {
    let mut args = vec![
        "app",
        "add",
        name,
        "--grant",
        "client_credentials",
        "--issuer",
        issuer,
        "--client-id",
        client,
        "--scope",
        "api:read",
    ];
    args.extend(extra);
    env.run(&args)
}

/// private_key_jwt with every algorithm the issue names, from PKCS#8 and from the
/// traditional encodings: a token from the client-credentials grant each time, with
/// the assertion never stored, printed or traced.
#[test]
fn private_key_jwt_with_each_algorithm() {
    let (server, keys) = keyed_server();
    let env = Env::new();
    let rsa = key(keys.path(), "rsa.pem");
    let cases: Vec<(&str, &str, PathBuf, Option<&str>)> = vec![
        ("rs256", "pkjwt-rs256", rsa.clone(), None),
        ("ps256", "pkjwt-ps256", rsa.clone(), Some("PS256")),
        ("es256", "pkjwt-es256", key(keys.path(), "ec.pem"), None),
        (
            "eddsa",
            "pkjwt-eddsa",
            key(keys.path(), "ed25519.pem"),
            None,
        ),
        (
            "rs256-pkcs1",
            "pkjwt-rs256",
            traditional(keys.path(), "rsa.pem"),
            None,
        ),
        (
            "es256-sec1",
            "pkjwt-es256",
            traditional(keys.path(), "ec.pem"),
            None,
        ),
    ];
    for (name, client, file, alg) in &cases {
        let file = file.to_str().unwrap();
        let mut extra = vec!["--client-auth", "private_key_jwt", "--private-key", file];
        let kid = format!("{client}-key");
        extra.extend(["--key-id", &kid]);
        if let Some(alg) = alg {
            extra.extend(["--signing-alg", alg]);
        }
        add_cc(&env, name, &server.issuer, client, &extra).ok();
        let run = env.run(&["--trace", "token", name]).ok();
        assert!(!run.stdout.trim().is_empty(), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("client_assertion=***"),
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(
                "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ),
            "{}",
            run.stderr
        );
        // The key lives in the store, never in the file; `app show` says where.
        let app = env.app_json(name);
        assert_eq!(app["private_key"], "keyring", "{app}");
        assert!(!env.config_text().contains("PRIVATE KEY"));
    }
    // The algorithm follows the key; one that does not fit is refused at add time.
    let run = add_cc(
        &env,
        "wrong",
        &server.issuer,
        "pkjwt-es256",
        &[
            "--client-auth",
            "private_key_jwt",
            "--private-key",
            key(keys.path(), "ec.pem").to_str().unwrap(),
            "--signing-alg",
            "RS256",
        ],
    )
    .code(2);
    assert!(
        run.stderr.contains("does not fit an EC P-256 key"),
        "{}",
        run.stderr
    );
    assert!(!env.config_text().contains("[apps.wrong]"));
    // A file that is not a key, and a missing key.
    write_private(&keys.path().join("junk.pem"), "not a key");
    let run = add_cc(
        &env,
        "junk",
        &server.issuer,
        "pkjwt-es256",
        &[
            "--client-auth",
            "private_key_jwt",
            "--private-key",
            keys.path().join("junk.pem").to_str().unwrap(),
        ],
    )
    .code(2);
    assert!(run.stderr.contains("not a PEM file"), "{}", run.stderr);
    let run = add_cc(
        &env,
        "nokey",
        &server.issuer,
        "pkjwt-es256",
        &["--client-auth", "private_key_jwt"],
    )
    .code(2);
    assert!(run.stderr.contains("--private-key"), "{}", run.stderr);
    // A key the server does not know: the server's refusal, exit 7.
    add_cc(
        &env,
        "other",
        &server.issuer,
        "pkjwt-rs256",
        &[
            "--client-auth",
            "private_key_jwt",
            "--private-key",
            key(keys.path(), "ec.pem").to_str().unwrap(),
        ],
    )
    .ok();
    let run = env.run(&["token", "other"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    // Deleting the app deletes its stored key.
    let id = env.app_id("es256");
    assert!(crate::harness::keyring_lookup(&format!("private-key/{id}")).is_some());
    env.run(&["app", "delete", "es256", "--yes"]).ok();
    assert!(crate::harness::keyring_lookup(&format!("private-key/{id}")).is_none());
}

/// private_key_jwt for a person's authorization: the code exchange and every
/// refresh carry an assertion; the key can also come from an environment variable.
#[test]
fn private_key_jwt_authorizes_and_refreshes() {
    let (server, keys) = keyed_server();
    let mut env = Env::new();
    let pem = std::fs::read_to_string(key(keys.path(), "ec.pem")).unwrap();
    env.set("CLIENT_KEY_PEM", pem);
    env.run(&[
        "app",
        "add",
        "nat",
        "--issuer",
        &server.issuer,
        "--client-id",
        "pkjwt-es256",
        "--client-auth",
        "private_key_jwt",
        "--private-key-env",
        "CLIENT_KEY_PEM",
        "--scope",
        "openid offline_access",
        "--allowed-host",
        "127.0.0.1:*",
    ])
    .ok();
    assert_eq!(env.app_json("nat")["private_key"], "env:CLIENT_KEY_PEM");
    env.authorize("nat", &[]).ok();
    env.run(&["token", "nat", "--force-refresh"]).ok();
    assert_eq!(server.token_requests("refresh_token"), 1);
    let run = env
        .run(&["curl", "nat", &format!("{}/me", server.issuer)])
        .ok();
    assert_eq!(run.json()["sub"], "alice");
}

/// client_secret_jwt: an HMAC assertion over the client secret, HS256 by default and
/// HS512 when asked; a secret that is wrong is the server's refusal.
#[test]
fn client_secret_jwt_signs_with_the_secret() {
    let (server, _keys) = keyed_server();
    let env = Env::new();
    let secret = "csjwt-secret-that-is-long-enough-for-hs512-0123456789abcdef";
    for (name, alg) in [("hs256", None), ("hs512", Some("HS512"))] {
        let mut args = vec![
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
        ];
        if let Some(alg) = alg {
            args.extend(["--signing-alg", alg]);
        }
        env.run_with_input(&args, secret).ok();
        let run = env.run(&["token", name]).ok();
        assert!(!run.stdout.trim().is_empty(), "{}", run.stderr);
        assert!(!run.stderr.contains(secret));
    }
    let run = env
        .run_with_input(
            &[
                "app",
                "add",
                "bad-alg",
                "--grant",
                "client_credentials",
                "--issuer",
                &server.issuer,
                "--client-id",
                "csjwt-app",
                "--client-auth",
                "client_secret_jwt",
                "--client-secret-stdin",
                "--signing-alg",
                "ES256",
            ],
            secret,
        )
        .code(2);
    assert!(
        run.stderr.contains("HS256, HS384 or HS512"),
        "{}",
        run.stderr
    );
    env.run_with_input(
        &["app", "secret", "set", "hs256"],
        "a-wrong-secret-that-is-long-enough-0123456789",
    )
    .ok();
    // A fresh token is needed (the one held is still valid).
    let run = env.run(&["token", "hs256", "--force-refresh"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
}

/// Runs the real curl with `headers`, returning (HTTP status, body).
fn real_curl(url: &str, headers: &[String]) -> (String, String) {
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["-s", "-w", "\n%{http_code}"]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    let out = cmd.arg(url).output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (code.to_owned(), body.to_owned())
}

/// DPoP (RFC 9449) with client credentials: the token is bound to the account's key,
/// `curl` proves it on every request and the resource server accepts it; the same
/// token without a proof, or as a bearer token, is refused (the server checks);
/// `token --dpop-proof` gives another client what it needs; the key never shows.
#[test]
fn dpop_binds_tokens_and_curl_proves_them() {
    let server = AuthServer::start();
    let env = Env::new();
    env.run_with_input(
        &[
            "app",
            "add",
            "svc",
            "--grant",
            "client_credentials",
            "--issuer",
            &server.issuer,
            "--client-id",
            "cc-app",
            "--client-secret-stdin",
            "--scope",
            "api:read",
            "--dpop",
            "--allowed-host",
            "127.0.0.1:*",
        ],
        "cc-secret",
    )
    .ok();
    let api = format!("{}/api/whoami", server.issuer);
    let run = env.run(&["--trace", "token", "svc"]).ok();
    let token = run.stdout.trim().to_owned();
    assert!(run.stderr.contains("DPoP-bound"), "{}", run.stderr);
    assert!(run.stderr.contains("trace: > dpop: ***"), "{}", run.stderr);
    assert!(
        run.stderr.contains("token_type: \"DPoP\""),
        "{}",
        run.stderr
    );
    let stored = env.stored_token("svc", "default").unwrap();
    assert_eq!(stored["token_type"], "dpop");

    let run = env.run(&["curl", "svc", "-v", &api]).ok();
    assert_eq!(run.json()["bound"], "dpop", "{}", run.stderr);
    assert!(
        run.stderr.contains("authorization: DPoP ***") && run.stderr.contains("dpop: ***"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&token));
    // Twice: a fresh proof (jti) each time.
    env.run(&["curl", "svc", &api]).ok();
    // Through `outbound proxy`: a fresh proof for each request, on the direct path (a
    // GET) and on the general one (a POST).
    let proxy = crate::proxy::start(
        &env,
        &["svc", "--upstream", &format!("{}/api", server.issuer)],
    );
    for extra in [&[][..], &["-X", "POST", "-d", "x"][..]] {
        let out = std::process::Command::new("curl")
            .args(["-sf"])
            .args(extra)
            .arg(format!("{}whoami", proxy.url))
            .output()
            .unwrap();
        let body = String::from_utf8_lossy(&out.stdout);
        assert!(body.contains("\"bound\":\"dpop\""), "{extra:?}: {body}");
    }
    drop(proxy);

    // The server checks: no proof, or the bearer scheme, is refused.
    let (code, body) = real_curl(&api, &[format!("Authorization: DPoP {token}")]);
    assert_eq!(code, "401", "{body}");
    assert!(body.contains("no DPoP proof"), "{body}");
    let (code, _) = real_curl(&api, &[format!("Authorization: Bearer {token}")]);
    assert_eq!(code, "401");
    // A proof from `token --dpop-proof` makes the other client's request good.
    let proof = env
        .run(&["token", "svc", "--dpop-proof", "--url", &api])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let (code, body) = real_curl(
        &api,
        &[
            format!("Authorization: DPoP {token}"),
            format!("DPoP: {proof}"),
        ],
    );
    assert_eq!(code, "200", "{body}");
    // A proof for another URL is refused.
    let other = env
        .run(&[
            "token",
            "svc",
            "--dpop-proof",
            "--method",
            "POST",
            "--url",
            &api,
        ])
        .ok()
        .stdout;
    let (code, _) = real_curl(
        &api,
        &[
            format!("Authorization: DPoP {token}"),
            format!("DPoP: {}", other.trim()),
        ],
    );
    assert_eq!(code, "401");

    // The key: in the store, never in the file or on screen; gone with the tokens.
    let key = format!("dpop-key/{}/default", env.app_id("svc"));
    let pem = crate::harness::keyring_lookup(&key).expect("the DPoP key is stored");
    assert!(pem.contains("PRIVATE KEY"));
    assert!(!env.config_text().contains("PRIVATE KEY"));
    env.run(&["logout", "svc"]).ok();
    assert!(crate::harness::keyring_lookup(&key).is_none());
}

/// DPoP nonces (RFC 9449 §8–9): a token endpoint and a resource server that demand
/// one are answered with it, and it is remembered per origin for later runs.
#[test]
fn dpop_nonces_are_answered_and_remembered() {
    let server = AuthServer::with(Options {
        env: vec![("DPOP_NONCE", "1"), ("RS_NONCE", "1")],
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &["--dpop"]);
    // The code is bound to the key it will be exchanged with (dpop_jkt; the server
    // checks the exchange's proof against it).
    let run = env.authorize("nat", &[]).ok();
    assert!(run.stderr.contains("&dpop_jkt="), "{}", run.stderr);
    assert_eq!(
        env.stored_token("nat", "default").unwrap()["token_type"],
        "dpop"
    );
    let api = format!("{}/api/whoami", server.issuer);
    let run = env.run(&["curl", "nat", "-v", &api]).ok();
    assert_eq!(run.json()["bound"], "dpop", "{}", run.stderr);
    assert!(
        run.stderr.contains("asks for a DPoP nonce"),
        "{}",
        run.stderr
    );
    // Remembered: the next request needs no challenge.
    let run = env.run(&["curl", "nat", "-v", &api]).ok();
    assert!(
        !run.stderr.contains("asks for a DPoP nonce"),
        "{}",
        run.stderr
    );
    let nonces = std::fs::read_to_string(env.state_dir().join("dpop-nonces.json")).unwrap();
    assert!(nonces.contains(&server.issuer), "{nonces}");
    // A refresh with the remembered nonce, still bound.
    env.run(&["token", "nat", "--force-refresh"]).ok();
    assert_eq!(server.token_requests("refresh_token"), 1);
    env.run(&["curl", "nat", &api]).ok();
}

/// OpenID Connect with a real server: the authorization request carries a nonce,
/// the ID token is checked and kept, `whoami` and `status` say who the account is,
/// and `token --id-token` prints it; a refresh keeps the identity.
#[test]
fn openid_identity_is_checked_and_shown() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.run(&["app", "edit", "nat", "--add-scope", "email profile"])
        .ok();
    assert_eq!(
        env.app_json("nat")["userinfo_url"],
        format!("{}/me", server.issuer)
    );
    let run = env.authorize("nat", &[]).ok();
    assert!(run.stderr.contains("&nonce="), "{}", run.stderr);
    // The ID token names the subject only; userinfo adds the name and email.
    assert_eq!(env.status()[0]["identity"]["subject"], "alice");
    assert!(env.status()[0]["identity"]["email"].is_null());
    let who = env.run(&["whoami", "nat", "--json"]).ok().json();
    assert_eq!(who["subject"], "alice");
    assert_eq!(who["issuer"], server.issuer);
    assert_eq!(who["email"], "alice@example.test");
    assert_eq!(who["name"], "Test User");
    let text = env.run(&["whoami", "nat"]).ok().stdout;
    assert!(text.starts_with("subject  alice\n"), "{text}");
    assert_eq!(env.status()[0]["identity"]["email"], "alice@example.test");
    // Userinfo unreachable: what the ID token said, with a warning.
    env.run(&[
        "app",
        "edit",
        "nat",
        "--userinfo-url",
        "http://127.0.0.1:9/me",
    ])
    .ok();
    let run = env.run(&["whoami", "nat", "--json"]).ok();
    assert_eq!(run.json()["subject"], "alice");
    assert!(run.stderr.contains("userinfo endpoint"), "{}", run.stderr);
    env.run(&["app", "edit", "nat", "--unset", "userinfo-url"])
        .ok();
    assert_eq!(
        env.run(&["whoami", "nat", "--json"]).ok().json()["subject"],
        "alice"
    );
    let id_token = env.run(&["token", "nat", "--id-token"]).ok().stdout;
    assert_eq!(id_token.trim().split('.').count(), 3);
    env.run(&["token", "nat", "--force-refresh"]).ok();
    assert_eq!(env.status()[0]["identity"]["subject"], "alice");
    // Without an issuer to take the keys from, an ID token is not believed: no identity.
    let auth = format!("{}/auth", server.issuer);
    let token = format!("{}/token", server.issuer);
    env.run_with_input(
        &[
            "app",
            "add",
            "plain",
            "--auth-url",
            &auth,
            "--token-url",
            &token,
            "--client-id",
            "native-app",
            "--client-secret-stdin",
            "--scope",
            "openid offline_access",
            "--allowed-host",
            "127.0.0.1:*",
        ],
        "native-secret",
    )
    .ok();
    env.authorize("plain", &[]).ok();
    let run = env.run(&["whoami", "plain"]).code(1);
    assert!(run.stderr.contains("needs an issuer"), "{}", run.stderr);
    // An endpoint that says who the user is does instead.
    let me = format!("{}/me", server.issuer);
    env.run(&["app", "edit", "plain", "--userinfo-url", &me])
        .ok();
    let who = env.run(&["whoami", "plain", "--json"]).ok().json();
    assert_eq!(
        (who["subject"].as_str(), who["issuer"].as_str()),
        (Some("alice"), Some(server.issuer.as_str()))
    );
}

/// ID tokens that must not be believed: a wrong nonce, another audience, a key the
/// issuer does not publish. Each is a clear exit 7 and stores nothing.
#[test]
fn bad_id_tokens_are_refused_and_nothing_is_stored() {
    use crate::hostile::{Hostile, HostileResponse};
    use std::sync::{Arc, Mutex};
    let signing = outbound::jose::private_key(&outbound::jose::new_p256_pem().unwrap(), None)
        .unwrap()
        .with_kid(Some("k1".into()));
    let stranger = outbound::jose::private_key(&outbound::jose::new_p256_pem().unwrap(), None)
        .unwrap()
        .with_kid(Some("k1".into()));
    let mut jwk = serde_json::to_value(signing.public_jwk().unwrap()).unwrap();
    jwk["kid"] = "k1".into();
    jwk["alg"] = "ES256".into();
    let jwks = serde_json::json!({ "keys": [jwk] }).to_string();
    // What the test wants the token endpoint to do: "nonce", "aud", "key".
    let case = Arc::new(Mutex::new(String::new()));
    let nonce = Arc::new(Mutex::new(String::new()));
    let (case_in, nonce_in) = (Arc::clone(&case), Arc::clone(&nonce));
    let server = Hostile::start(move |req| {
        let host = req.header("host").unwrap_or_default().to_owned();
        let issuer = format!("http://{host}");
        let path = req.path.split('?').next().unwrap_or_default().to_owned();
        match path.as_str() {
            "/.well-known/oauth-authorization-server" => HostileResponse::json(
                200,
                serde_json::json!({
                    "issuer": issuer,
                    "authorization_endpoint": format!("{issuer}/authorize"),
                    "token_endpoint": format!("{issuer}/token"),
                    "jwks_uri": format!("{issuer}/jwks"),
                    "code_challenge_methods_supported": ["S256"],
                })
                .to_string(),
            ),
            "/jwks" => HostileResponse::json(200, jwks.clone()),
            "/authorize" => {
                let url = url::Url::parse(&format!("{issuer}{}", req.path)).unwrap();
                let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
                // A request without parameters (authorize asks whether anyone is
                // there before opening the browser): what a real server answers.
                if !q.contains_key("redirect_uri") {
                    return HostileResponse::new(400, "text/plain", "missing redirect_uri");
                }
                *nonce_in.lock().unwrap() = q.get("nonce").cloned().unwrap_or_default();
                let mut back = url::Url::parse(&q["redirect_uri"]).unwrap();
                back.query_pairs_mut()
                    .append_pair("code", "c0de")
                    .append_pair("state", &q["state"]);
                let mut r = HostileResponse::new(302, "text/plain", "");
                r.headers.push(("Location".into(), back.to_string()));
                r
            }
            "/token" => {
                let case = case_in.lock().unwrap().clone();
                let now = outbound::clock::now();
                let sent_nonce = nonce_in.lock().unwrap().clone();
                let claims = serde_json::json!({
                    "iss": issuer,
                    "sub": "mallory",
                    "aud": if case == "aud" { "someone-else" } else { "cid" },
                    "exp": now + 300,
                    "iat": now,
                    "nonce": if case == "nonce" { "not-the-nonce".to_owned() } else { sent_nonce },
                });
                let key = if case == "key" { &stranger } else { &signing };
                let id_token = key.sign(Some("JWT"), &claims, false).unwrap();
                HostileResponse::json(
                    200,
                    serde_json::json!({
                        "access_token": "at-123", "token_type": "Bearer", "expires_in": 300,
                        "id_token": id_token,
                    })
                    .to_string(),
                )
            }
            _ => HostileResponse::json(404, "{}"),
        }
    });
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "h",
        "--issuer",
        &server.base,
        "--client-id",
        "cid",
        "--client-auth",
        "none",
        "--scope",
        "openid",
        "--allowed-host",
        "127.0.0.1:*",
    ])
    .ok();
    for (which, said) in [
        ("nonce", "does not carry the nonce"),
        ("aud", "for another client (aud)"),
        ("key", "signature does not verify"),
    ] {
        *case.lock().unwrap() = which.to_owned();
        let run = env.authorize_in_mode("h", "login", 20).code(7);
        assert!(run.stderr.contains(said), "{which}: {}", run.stderr);
        assert!(
            env.stored_token("h", "default").is_none(),
            "{which}: stored"
        );
    }
    *case.lock().unwrap() = "good".into();
    env.authorize_in_mode("h", "login", 20).ok();
    assert_eq!(
        env.run(&["whoami", "h", "--json"]).ok().json()["subject"],
        "mallory"
    );
}

/// Per-call token shaping: `--min-valid` refreshes a token that would expire during
/// the job (and warns when the server gives less); `--scope` gets a narrower token
/// by a refresh that names the scopes, leaving the stored one as it was.
#[test]
fn tokens_shaped_per_call() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let stored = env.stored_token("nat", "default").unwrap();
    // 60 s tokens: 30 s is fine as it is; 2 h is more than the server gives.
    let same = env.run(&["token", "nat", "--min-valid", "30s"]).ok().stdout;
    assert_eq!(same.trim(), stored["access_token"].as_str().unwrap());
    assert_eq!(server.token_requests("refresh_token"), 0);
    let run = env.run(&["token", "nat", "--min-valid", "2h"]).ok();
    assert_ne!(run.stdout.trim(), stored["access_token"].as_str().unwrap());
    assert_eq!(server.token_requests("refresh_token"), 1);
    assert!(
        run.stderr.contains("less than --min-valid asks"),
        "{}",
        run.stderr
    );

    let before = env.stored_token("nat", "default").unwrap();
    let narrow = env
        .run(&["token", "nat", "--scope", "openid", "--json"])
        .ok()
        .json();
    assert_eq!(narrow["scopes"], serde_json::json!(["openid"]));
    assert_ne!(narrow["access_token"], before["access_token"]);
    let after = env.stored_token("nat", "default").unwrap();
    assert_eq!(
        after["access_token"], before["access_token"],
        "the stored token is kept"
    );
    assert_eq!(after["scopes"], before["scopes"]);
    // The refresh token rotated on the way, and the rotated one was saved: it works.
    env.run(&["token", "nat", "--force-refresh"]).ok();
}

/// PAR (RFC 9126): a server whose metadata requires pushed requests gets them (auto),
/// and refuses the same authorization without (`--par never`, proving it checks);
/// `--par always` pushes to any server with a PAR endpoint.
#[test]
fn pushed_authorization_requests() {
    let server = AuthServer::with(Options {
        env: vec![("PAR_REQUIRED", "1")],
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let app = env.app_json("nat");
    assert_eq!(app["require_par"], true);
    assert_eq!(app["par"], "auto");
    assert_eq!(app["par_url"], format!("{}/request", server.issuer));
    let mut cmd = env.command(["--trace", "authorize", "nat", "--yes", "--timeout", "20"]);
    cmd.env("BROWSER", crate::authserver::http_browser());
    let run = crate::harness::Run::from(cmd.output().unwrap()).ok();
    assert!(
        run.stderr.contains("(pushed authorization request)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("request_uri="), "{}", run.stderr);
    assert!(env.stored_token("nat", "default").is_some());
    env.run(&["app", "edit", "nat", "--par", "never"]).ok();
    let run = env.authorize_in_mode("nat", "login", 10).code(7);
    assert!(run.stderr.contains("invalid_request"), "{}", run.stderr);

    let plain = AuthServer::start();
    env.add_native("always", &plain.issuer, &["--par", "always"]);
    let mut cmd = env.command(["--trace", "authorize", "always", "--yes", "--timeout", "20"]);
    cmd.env("BROWSER", crate::authserver::http_browser());
    let run = crate::harness::Run::from(cmd.output().unwrap()).ok();
    assert!(
        run.stderr.contains("(pushed authorization request)"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["app", "edit", "always", "--unset", "par_url"])
        .code(2);
    assert!(run.stderr.contains("PAR endpoint"), "{}", run.stderr);
}

/// The claims of a JWT (not checked: the test reads what the server issued).
fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let part = token.trim().split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Resource indicators (RFC 8707): every resource in the authorization request, the
/// first in the code exchange (its token's audience), and `token --resource` gets a
/// token for another of them by a refresh that names it, kept until it expires.
#[test]
fn resource_indicators() {
    let server = AuthServer::with(Options {
        env: vec![("RESOURCES", "1")],
        ..Options::default()
    });
    let env = Env::new();
    let (one, two) = ("https://api.one.example/", "https://api.two.example/");
    env.add_native(
        "nat",
        &server.issuer,
        &["--scope", "api:read", "--resource", one, "--resource", two],
    );
    let run = env.authorize("nat", &[]).ok();
    assert!(
        run.stderr.contains(
            "resource=https%3A%2F%2Fapi.one.example%2F&resource=https%3A%2F%2Fapi.two.example%2F"
        ),
        "{}",
        run.stderr
    );
    let token = env.run(&["token", "nat"]).ok().stdout;
    assert_eq!(jwt_claims(&token)["aud"], one);
    // The server's log is read on a thread: counts are awaited, then checked.
    let refreshes = |n| server.wait_for_token_requests("refresh_token", n);
    let before = server.token_requests("refresh_token");
    let other = env.run(&["token", "nat", "--resource", two]).ok().stdout;
    assert_eq!(jwt_claims(&other)["aud"], two);
    assert_eq!(refreshes(before + 1), before + 1);
    // The stored token is still the first resource's.
    assert_eq!(env.run(&["token", "nat"]).ok().stdout, token);
    // The other resource's token is kept until it expires, through the account's refreshes.
    assert_eq!(
        env.run(&["token", "nat", "--resource", two]).ok().stdout,
        other
    );
    env.run(&["token", "nat", "--force-refresh"]).ok();
    assert_eq!(refreshes(before + 2), before + 2);
    assert_eq!(
        env.run(&["token", "nat", "--resource", two]).ok().stdout,
        other
    );
    assert_eq!(refreshes(before + 3), before + 2);
    let run = env
        .run(&["token", "nat", "--resource", "https://elsewhere.example/"])
        .code(2);
    assert!(
        run.stderr.contains("not one of the resources"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["app", "edit", "nat", "--resource", "not a uri"])
        .code(2);
    assert!(run.stderr.contains("--resource"), "{}", run.stderr);
}

/// The JWT bearer grant (RFC 7523 2.1) from a Google service-account key in one step:
/// a fresh assertion per token request (scopes in it, audience the token URI, the key
/// kept in the store), no person and no refresh token; `status` shows it ready.
#[test]
fn jwt_bearer_from_a_service_account_file() {
    let (server, keys) = keyed_server();
    let env = Env::new();
    let file = keys.path().join("service-account.json");
    env.run(&[
        "app",
        "add",
        "robot",
        "--service-account-file",
        file.to_str().unwrap(),
        "--scope",
        "api:read",
        "--allowed-host",
        "127.0.0.1:*",
    ])
    .ok();
    let app = env.app_json("robot");
    assert_eq!(app["grant"], "jwt_bearer");
    assert_eq!(app["client_id"], "robot@outbound-test.iam.example");
    assert_eq!(app["token_url"], format!("{}/token", server.issuer));
    assert_eq!(app["scope_in_assertion"], true);
    assert_eq!(app["key_id"], "sa-key-1");
    assert_eq!(app["private_key"], "keyring");
    assert!(!env.config_text().contains("PRIVATE KEY"));
    assert_eq!(env.status()[0]["state"], "ready");
    let run = env.run(&["--trace", "token", "robot"]).ok();
    assert!(!run.stdout.trim().is_empty());
    assert!(
        run.stderr
            .contains("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("trace: > assertion=***"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("trace: > scope="),
        "the scopes are in the assertion: {}",
        run.stderr
    );
    server.wait_for_log("JWT_BEARER sub=- scope=api:read");
    // Each new token is a new assertion; an expired token is fetched again unasked.
    env.run(&["token", "robot", "--force-refresh"]).ok();
    assert_eq!(
        server.token_requests("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        2
    );
    let run = env
        .run(&["curl", "robot", &format!("{}/api/whoami", server.issuer)])
        .ok();
    assert_eq!(run.json()["sub"], "robot@outbound-test.iam.example");
    // A file that is not a key.
    write_private(&keys.path().join("bad.json"), r#"{"client_email": "x"}"#);
    let run = env
        .run(&[
            "app",
            "add",
            "bad",
            "--service-account-file",
            keys.path().join("bad.json").to_str().unwrap(),
        ])
        .code(2);
    assert!(
        run.stderr.contains("not a service-account JSON key"),
        "{}",
        run.stderr
    );
}

/// Token exchange (RFC 8693): a subject token read fresh for each exchange from a
/// file, an environment variable or a command (never stored), with its type and an
/// audience; a command that fails or prints nothing is a clear exit 2.
#[test]
fn token_exchange_reads_the_subject_token_fresh() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.add_cc("ci", &server.issuer, &[]);
    let ci_token = env.run(&["token", "ci"]).ok().stdout.trim().to_owned();
    env.set("CI_OIDC_TOKEN", ci_token.clone());
    let file = env.dir.path().join("oidc-token");
    std::fs::write(&file, format!("{ci_token}\n")).unwrap();
    let add = |name: &str, source: &[&str]| {
        let mut args = vec![
            "app",
            "add",
            name,
            "--grant",
            "token_exchange",
            "--issuer",
            &server.issuer,
            "--client-id",
            "exchange-app",
            "--client-secret-stdin",
            "--subject-token-type",
            "urn:ietf:params:oauth:token-type:access_token",
            "--audience",
            "https://api.example",
            "--allowed-host",
            "127.0.0.1:*",
        ];
        args.extend(source);
        env.run_with_input(&args, "exchange-secret").ok();
    };
    add(
        "from-file",
        &["--subject-token-file", file.to_str().unwrap()],
    );
    assert_eq!(
        env.app_json("from-file")["subject_token"],
        format!("file:{}", file.display())
    );
    assert_eq!(
        env.status()
            .iter()
            .find(|r| r["app"] == "from-file")
            .unwrap()["state"],
        "ready"
    );
    let run = env.run(&["--trace", "token", "from-file"]).ok();
    assert!(!run.stdout.trim().is_empty() && run.stdout.trim() != ci_token);
    assert!(
        run.stderr.contains("trace: > subject_token=***"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("subject_token_type=urn:ietf:params:oauth:token-type:access_token"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&ci_token));
    server.wait_for_log("TOKEN_EXCHANGE subject=cc-app actor=no audience=https://api.example");
    assert!(!env.config_text().contains(&ci_token), "never stored");

    add("from-env", &["--subject-token-env", "CI_OIDC_TOKEN"]);
    env.run(&["token", "from-env"]).ok();
    add(
        "from-command",
        &["--subject-token-command", "cat oidc-token-does-not-exist"],
    );
    let run = env.run(&["token", "from-command"]).code(2);
    assert!(
        run.stderr.contains("the subject token of `from-command`"),
        "{}",
        run.stderr
    );
    add("empty", &["--subject-token-command", "true"]);
    let run = env.run(&["token", "empty"]).code(2);
    assert!(run.stderr.contains("printed nothing"), "{}", run.stderr);
    // A subject token the server does not accept: its refusal, exit 7.
    std::fs::write(&file, "not-a-token").unwrap();
    let run = env.run(&["token", "from-file", "--force-refresh"]).code(7);
    assert!(run.stderr.contains("invalid_grant"), "{}", run.stderr);
}

/// The leak suite for what 4/7 adds: no private key, client assertion, DPoP proof or
/// subject token shows in the configuration, `app show`, `status`, `--trace`, `-v`,
/// `doctor` or errors. Every JWT starts `eyJ`; none may appear raw.
#[test]
fn no_key_assertion_or_proof_leaks() {
    let (server, keys) = keyed_server();
    let env = Env::new();
    let pem = std::fs::read_to_string(key(keys.path(), "ec.pem")).unwrap();
    let key_line = pem.lines().nth(1).unwrap().to_owned();
    add_cc(
        &env,
        "svc",
        &server.issuer,
        "pkjwt-es256",
        &[
            "--client-auth",
            "private_key_jwt",
            "--private-key",
            key(keys.path(), "ec.pem").to_str().unwrap(),
            "--dpop",
            "--allowed-host",
            "127.0.0.1:*",
        ],
    )
    .ok();
    let api = format!("{}/api/whoami", server.issuer);
    let token = env.run(&["token", "svc"]).ok().stdout.trim().to_owned();
    let outputs = [
        env.config_text(),
        env.run(&["app", "show", "svc", "--json"]).ok().all(),
        env.run(&["status", "--json"]).ok().all(),
        env.run(&["--trace", "token", "svc", "--force-refresh"])
            .ok()
            .stderr,
        env.run(&["--trace", "curl", "-v", "svc", &api]).ok().stderr,
        env.run(&["doctor", "svc"]).all(),
        std::fs::read_to_string(env.state_dir().join("index.json")).unwrap(),
        std::fs::read_to_string(env.state_dir().join("dpop-nonces.json")).unwrap_or_default(),
    ];
    for out in &outputs {
        assert!(!out.contains(&key_line), "the private key leaked: {out}");
        assert!(!out.contains("PRIVATE KEY"), "{out}");
        assert!(
            !out.contains("eyJ"),
            "a raw JWT (assertion or proof) leaked: {out}"
        );
        assert!(!out.contains(&token), "{out}");
    }
}

/// mTLS (RFC 8705): a self-signed client certificate (self_signed_tls_client_auth)
/// or one a CA issued (tls_client_auth) authenticates the client and binds its
/// tokens; `curl` presents it to the API with the token, and the API refuses the token
/// without it (proving it checks); discovery takes the server's mTLS aliases.
#[test]
fn mtls_client_certificates_authenticate_and_bind() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = crate::authserver::private_ca(dir.path());
    let openssl = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.pem",
        "-days",
        "2",
        "-subj",
        "/CN=outbound-test-client",
    ]);
    let client_cert = dir.path().join("client.pem");
    let client_key = dir.path().join("client.key");
    let cert_env = client_cert.to_str().unwrap().to_owned();
    let ca_env = ca.to_str().unwrap().to_owned();
    let server = AuthServer::with(Options {
        tls: Some((cert.clone(), key.clone())),
        env: vec![
            ("MTLS", "1"),
            ("CLIENT_CERT", Box::leak(cert_env.into_boxed_str())),
            ("CLIENT_CA", Box::leak(ca_env.into_boxed_str())),
        ],
        ..Options::default()
    });
    let env = Env::new();
    env.run(&[
        "app",
        "add",
        "m",
        "--grant",
        "client_credentials",
        "--issuer",
        &server.issuer,
        "--ca-file",
        ca.to_str().unwrap(),
        "--client-id",
        "mtls-app",
        "--client-auth",
        "self_signed_tls_client_auth",
        "--client-cert",
        client_cert.to_str().unwrap(),
        "--client-key",
        client_key.to_str().unwrap(),
        "--allowed-host",
        "127.0.0.1:*",
    ])
    .ok();
    let app = env.app_json("m");
    assert_eq!(app["client_cert"], "keyring");
    // Discovery took the server's mTLS aliases (RFC 8705 §5) where it has them.
    for (field, path) in [
        ("token_url", "token"),
        ("revocation_url", "token/revocation"),
        ("par_url", "request"),
        ("userinfo_url", "me"),
    ] {
        assert_eq!(app[field], format!("{}/mtls/{path}", server.issuer));
    }
    assert!(
        !env.config_text().contains("PRIVATE KEY") && !env.config_text().contains("CERTIFICATE")
    );
    let run = env.run(&["token", "m"]).ok();
    let token = run.stdout.trim().to_owned();
    assert!(
        run.stderr.contains("bound to its TLS client certificate"),
        "{}",
        run.stderr
    );
    let api = format!("{}/api/whoami", server.issuer);
    let run = env.run(&["curl", "m", &api]).ok();
    assert_eq!(run.json()["bound"], "mtls", "{}", run.stderr);
    // Through `outbound proxy` (an https upstream: the general path), the certificate
    // is presented for the client.
    let proxy = crate::proxy::start(
        &env,
        &["m", "--upstream", &format!("{}/api", server.issuer)],
    );
    let out = std::process::Command::new("curl")
        .args(["-sf", &format!("{}whoami", proxy.url)])
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("\"bound\":\"mtls\""), "{body}");
    drop(proxy);
    // The same token without the certificate is refused.
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "--cacert",
            ca.to_str().unwrap(),
            "-H",
            &format!("Authorization: Bearer {token}"),
            &api,
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("did not present"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A redirect to another origin gets neither the token nor the TLS client
    // certificate: a server there that asks for one (openssl s_server) sees none.
    let port = crate::authserver::free_port();
    let mut other = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-verify", "1", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let elsewhere = format!("https://127.0.0.1:{port}/");
    let redirect = format!("{}/api/redirect?to={elsewhere}", server.issuer);
    let mut page = String::new();
    for _ in 0..50 {
        let run = env.run(&["curl", "m", "-L", &redirect]);
        if run.code == 0 {
            page = run.stdout;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = other.kill();
    let _ = other.wait();
    assert!(
        page.contains("no client certificate available"),
        "the other origin saw: {page}"
    );
    // A certificate without its key, or a key that is not its own, is refused at once.
    let not_its_key = dir.path().join("not-its-key.pem");
    write_private(&not_its_key, &std::fs::read_to_string(&ca).unwrap());
    let run = env
        .run(&[
            "app",
            "edit",
            "m",
            "--client-cert",
            client_cert.to_str().unwrap(),
            "--client-key",
            not_its_key.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        run.stderr.contains("--client-cert/--client-key"),
        "{}",
        run.stderr
    );
    // An expired certificate (made with `openssl ca`, which can date it in the past).
    std::fs::write(
        dir.path().join("ca.cnf"),
        "[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("index.txt"), "").unwrap();
    std::fs::write(dir.path().join("serial"), "01\n").unwrap();
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "old.key",
        "-out",
        "old.csr",
        "-subj",
        "/CN=expired",
    ]);
    openssl(&[
        "ca",
        "-selfsign",
        "-keyfile",
        "old.key",
        "-in",
        "old.csr",
        "-out",
        "old.pem",
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20200102000000Z",
        "-batch",
        "-config",
        "ca.cnf",
    ]);
    let (old_cert, old_key) = (dir.path().join("old.pem"), dir.path().join("old.key"));
    let run = env
        .run(&[
            "app",
            "edit",
            "m",
            "--client-cert",
            old_cert.to_str().unwrap(),
            "--client-key",
            old_key.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        run.stderr.contains("the certificate expired on 2020-01-02"),
        "{}",
        run.stderr
    );
    env.run(&["token", "m"]).ok();
    assert!(server.log().contains("MTLS alias /mtls/token"));
    env.run(&["logout", "m"]).ok();
    assert!(
        server.log().contains("MTLS alias /mtls/token/revocation"),
        "{}",
        server.log()
    );
    // tls_client_auth: a certificate the server's CA issued, for the registered subject.
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "issued.key",
        "-out",
        "issued.csr",
        "-subj",
        "/CN=outbound-ca-client",
    ]);
    let issue = |out: &str, extensions: &[&str]| {
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            "issued.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            out,
        ];
        args.extend(extensions);
        openssl(&args);
        dir.path().join(out)
    };
    std::fs::write(dir.path().join("ext.cnf"), "basicConstraints=CA:FALSE\n").unwrap();
    let issued = issue("issued.pem", &["-extfile", "ext.cnf"]);
    let issued_key = dir.path().join("issued.key");
    let add_ca_client = |name: &str, cert: &std::path::Path, key: &std::path::Path| {
        env.run(&[
            "app",
            "add",
            name,
            "--grant",
            "client_credentials",
            "--issuer",
            &server.issuer,
            "--ca-file",
            ca.to_str().unwrap(),
            "--client-id",
            "mtls-ca-app",
            "--client-auth",
            "tls_client_auth",
            "--client-cert",
            cert.to_str().unwrap(),
            "--client-key",
            key.to_str().unwrap(),
            "--allowed-host",
            "127.0.0.1:*",
        ])
    };
    // Without extensions, `openssl x509 -req` makes an X.509 v1 certificate, which
    // TLS will not present: refused at once, saying how to issue one it will.
    let v1 = issue("v1.pem", &[]);
    let run = add_ca_client("v1", &v1, &issued_key).code(2);
    assert!(run.stderr.contains("not X.509 version 3"), "{}", run.stderr);
    add_ca_client("issued", &issued, &issued_key).ok();
    env.run(&["token", "issued"]).ok();
    let run = env.run(&["curl", "issued", &api]).ok();
    assert_eq!(run.json()["bound"], "mtls", "{}", run.stderr);
    // The self-signed certificate is not the CA's: the server refuses the client.
    add_ca_client("stranger", &client_cert, &client_key).ok();
    let run = env.run(&["token", "stranger"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    // `store migrate` takes the certificate and its key along.
    let id = env.app_id("issued");
    env.run(&["store", "migrate", "--to", "file"]).ok();
    for key in [format!("client-cert/{id}"), format!("client-tls-key/{id}")] {
        assert!(
            crate::harness::keyring_lookup(&key).is_none(),
            "{key} left in the keyring"
        );
    }
    env.run(&["--store", "file", "token", "issued", "--force-refresh"])
        .ok();
}

/// A private_key_jwt client with a certificate names its key by it (`x5t#S256` in
/// the assertion header), as Microsoft Entra's certificate credentials want; the
/// `entra-certificate` preset sets up the rest, PS256 included (Microsoft's page and
/// MSAL pair it with `x5t#S256`).
#[test]
fn assertions_name_their_key_by_its_certificate() {
    use crate::hostile::{Hostile, HostileResponse};
    use base64::Engine;
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "app.key",
            "-out",
            "app.pem",
            "-days",
            "2",
            "-subj",
            "/CN=outbound-entra-test",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok);
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&seen);
    let server = Hostile::start(move |req| {
        *sink.lock().unwrap() = req.form("client_assertion").unwrap_or_default();
        HostileResponse::json(
            200,
            r#"{"access_token":"at-entra","token_type":"Bearer","expires_in":3600}"#,
        )
    });
    let env = Env::new();
    let (key, cert) = (dir.path().join("app.key"), dir.path().join("app.pem"));
    // A key the preset's algorithm cannot sign with is refused when it is given.
    let ec = dir.path().join("ec.key");
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&ec)
        .status()
        .unwrap();
    assert!(made.success());
    // The preset's part of every `app add` below.
    let entra = [
        "app",
        "add",
        "graph",
        "--preset",
        "entra-certificate",
        "--preset-param",
        "tenant=contoso",
        "--client-id",
        "11111111-2222",
    ];
    let run = env
        .run(&[&entra[..], &["--private-key", ec.to_str().unwrap()]].concat())
        .code(2);
    assert!(
        run.stderr
            .contains("--preset entra-certificate signs with PS256")
            && run.stderr.contains("EC P-256")
            && run.stderr.contains("--signing-alg to override"),
        "{}",
        run.stderr
    );
    assert!(!env.config_path().exists(), "nothing written");
    env.run(
        &[
            &entra[..],
            &[
                "--private-key",
                key.to_str().unwrap(),
                "--client-cert",
                cert.to_str().unwrap(),
                "--client-key",
                key.to_str().unwrap(),
                "--token-url",
                &server.url("/token"),
            ],
        ]
        .concat(),
    )
    .ok();
    let app = env.app_json("graph");
    assert_eq!(app["assertion_audience"], "token-endpoint");
    assert_eq!(
        app["scopes"],
        serde_json::json!(["https://graph.microsoft.com/.default"])
    );
    env.run(&["token", "graph"]).ok();
    let assertion = seen.lock().unwrap().clone();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(assertion.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let der = std::process::Command::new("openssl")
        .args(["x509", "-in", cert.to_str().unwrap(), "-outform", "DER"])
        .output()
        .unwrap()
        .stdout;
    use sha2::Digest;
    let want = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&der));
    assert_eq!(header["x5t#S256"], want, "{header}");
    assert_eq!(header["alg"], "PS256");
    assert_eq!(app["signing_alg"], "PS256");
    // The signature is RSA-PSS by the certificate's key.
    let public = std::process::Command::new("openssl")
        .args(["x509", "-in", cert.to_str().unwrap(), "-pubkey", "-noout"])
        .output()
        .unwrap()
        .stdout;
    let mut rules = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::PS256);
    rules.set_audience(&[server.url("/token")]);
    rules.set_required_spec_claims(&["exp", "aud"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        &assertion,
        &jsonwebtoken::DecodingKey::from_rsa_pem(&public).unwrap(),
        &rules,
    )
    .unwrap_or_else(|e| panic!("a PS256 signature by the certificate's key: {e}"))
    .claims;
    assert_eq!(claims["aud"], server.url("/token"));
    assert_eq!(claims["iss"], "11111111-2222");
}
