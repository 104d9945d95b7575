//! What a new user hit at the terminal (issue 3/7), each reproduced against the real
//! binary.

use std::time::Duration;

use crate::authserver::{AuthServer, Options};
use crate::harness::Env;

/// A refresh made early (inside the skew) that fails does not fail the call while the
/// current token is still valid: it is used, with a warning; once it has expired, the
/// failure is the error it is.
#[test]
fn an_early_refresh_that_fails_keeps_using_the_valid_token() {
    let server = AuthServer::with(Options {
        access_ttl: Some(10),
        ..Options::default()
    });
    let mut env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    let before = env.stored_token("nat", "default").unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Past half the 10 s lifetime: inside the refresh skew, still valid.
    std::thread::sleep(Duration::from_millis(5500));
    server.quirks(&["slow"]);
    env.set("OUTBOUND_OAUTH_TIMEOUT", "1");
    let run = env.run(&["token", "nat"]).ok();
    assert_eq!(run.stdout.trim(), before);
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("current access token"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    // Expired: nothing valid remains, so the failure fails the call.
    std::thread::sleep(Duration::from_millis(4700));
    let run = env.run(&["token", "nat"]).code(7);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
}

/// `status --check` exits 0 only when every application shown works without a person,
/// like `gh auth status` (it always exited 0).
#[test]
fn status_check_says_whether_everything_works_without_a_person() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let run = env.run(&["status", "--check"]).code(4);
    assert!(
        run.stderr.contains("outbound authorize nat"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("needs-authorization"), "{}", run.stdout);
    env.authorize("nat", &[]).ok();
    env.run(&["status", "--check"]).ok();
    env.run(&["app", "disable", "nat"]).ok();
    env.run(&["status", "nat", "--check"]).code(5);
}

/// A yes/no question reads a whole line: "y" and Enter answer it once (a one-key read
/// took the Enter as the answer to the next question, "no", and cancelled the login).
#[test]
fn yes_and_enter_answer_one_question() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let browser = crate::authserver::http_browser();
    let (ok, screen) = env.in_pty("token nat", &["y"], &[("BROWSER", browser.as_str())]);
    assert!(ok, "{screen}");
    assert!(screen.contains("Authorize `nat` now?"), "{screen}");
    assert!(!screen.contains("Continue?"), "asked twice: {screen}");
    let token = env.stored_token("nat", "default").expect("authorized");
    assert!(
        screen.contains(token["access_token"].as_str().unwrap()),
        "the token was printed: {screen}"
    );
}

/// `login` is `authorize` (it suggested `logout`), and `--timeout` takes a duration
/// like every other flag (`5m`; `2s` here), not only seconds.
#[test]
fn login_is_authorize_and_timeouts_are_durations() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let mut cmd = env.command(["login", "nat", "--yes", "--timeout", "2s"]);
    cmd.env("BROWSER", crate::authserver::http_browser())
        .env("BROWSER_MODE", "none");
    let run = crate::harness::Run::from(cmd.output().expect("spawn")).code(8);
    assert!(run.stderr.contains("within 2 s"), "{}", run.stderr);
    let run = env.run(&["authorize", "nat", "--timeout", "soon"]).code(2);
    assert!(run.stderr.contains("not a duration"), "{}", run.stderr);
}

/// Writers killed in the middle of `app edit` leave nothing beside the configuration
/// once the next write has run: no temporary file and no lock file (200 killed edits
/// used to leave 38 `.outbound-*.tmp` files and an `apps.toml.lock`).
#[test]
fn killed_writes_leave_no_litter_beside_the_configuration() {
    let env = Env::new();
    env.add_app("cc", "s3cret");
    let mut children = Vec::new();
    for i in 0..40u64 {
        let description = format!("edit {i}");
        let mut cmd = env.command(["app", "edit", "cc", "--description", &description]);
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let child = cmd.spawn().expect("spawn");
        children.push((child, Duration::from_millis(i % 10)));
    }
    for (mut child, delay) in children {
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
    }
    env.run(&["app", "edit", "cc", "--description", "last"])
        .ok();
    let dir = env.config_path().parent().unwrap().to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["apps.toml"], "in {}", dir.display());
    assert!(env.config_text().contains("description = \"last\""));
}

/// The fix printed for a host outside the allowed list adds that host and keeps the
/// others (the old hint, `--allowed-host`, replaced the list); every edit says what
/// it changed, and one-entry edits exist for each list and table.
#[test]
fn list_edits_keep_the_other_entries_and_edits_show_what_changed() {
    let env = Env::new();
    env.add_cc_at(
        "cc",
        "https://auth.example.com/token",
        "s3cret",
        &[
            "--allowed-host",
            "api.example.com",
            "--scope",
            "read write",
            "--auth-param",
            "a=1",
        ],
    );
    let run = env
        .run(&["curl", "cc", "https://other.example.net/x"])
        .code(6);
    let fix = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("fix: outbound "))
        .unwrap_or_else(|| panic!("no fix in {}", run.stderr))
        .to_owned();
    assert_eq!(fix, "app edit cc --add-allowed-host other.example.net");
    let run = env.run(&fix.split(' ').collect::<Vec<_>>()).ok();
    assert!(
        run.stderr.contains(
            r#"allowed_hosts: ["api.example.com"] → ["api.example.com", "other.example.net"]"#
        ),
        "{}",
        run.stderr
    );
    let run = env
        .run(&[
            "app",
            "edit",
            "cc",
            "--remove-scope",
            "read",
            "--add-scope",
            "admin",
            "--remove-auth-param",
            "a",
            "--remove-allowed-host",
            "nowhere.example.com",
        ])
        .ok();
    assert!(
        run.stderr
            .contains(r#"scopes: ["read", "write"] → ["write", "admin"]"#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(r#"auth_params.a: "1" → (none)"#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`nowhere.example.com` was not in allowed_hosts"),
        "{}",
        run.stderr
    );
    let app = env.app_json("cc");
    assert_eq!(
        app["allowed_hosts"],
        serde_json::json!(["api.example.com", "other.example.net"])
    );
    assert_eq!(app["scopes"], serde_json::json!(["write", "admin"]));
    let text = env.config_text();
    assert!(
        !text.contains("auth_params"),
        "an emptied table goes: {text}"
    );
    let run = env.run(&["app", "edit", "cc", "--add-scope", "admin"]).ok();
    assert!(run.stderr.contains("`cc` is unchanged"), "{}", run.stderr);
    env.run(&["app", "edit", "cc", "--scope", "x", "--add-scope", "y"])
        .code(2);
}

/// A PATH whose `xdg-open` fails (exit 3), as on a machine without a desktop; the
/// directory lives as long as the first value.
fn failing_xdg_open() -> (tempfile::TempDir, String) {
    let bin = tempfile::tempdir().unwrap();
    let launcher = bin.path().join("xdg-open");
    std::fs::write(&launcher, "#!/bin/sh\nexit 3\n").unwrap();
    crate::harness::chmod(&launcher, 0o755);
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    (bin, path)
}

/// A browser that cannot be opened is said in words, with what to do instead (it
/// printed open's `Launcher "xdg-open" "<URL>" failed with ExitStatus(…)`).
#[test]
fn a_browser_that_cannot_be_opened_is_said_in_words() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    let (_bin, path) = failing_xdg_open();
    let mut cmd = env.command(["authorize", "nat", "--yes", "--timeout", "1s"]);
    cmd.env_remove("BROWSER").env("PATH", path);
    let run = crate::harness::Run::from(cmd.output().expect("spawn")).code(8);
    assert!(
        run.stderr.contains("no browser could be opened"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--manual") && run.stderr.contains("$BROWSER"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("ExitStatus") && !run.stderr.contains("Launcher"),
        "{}",
        run.stderr
    );
    // One mark ends each sentence (it said "is there a desktop session?.").
    assert!(
        run.stderr.contains("where there is no desktop session.\n"),
        "{}",
        run.stderr
    );
    for doubled in ["?.", "!.", ".."] {
        assert!(
            !run.stderr.replace("...", "").contains(doubled),
            "{doubled}: {}",
            run.stderr
        );
    }
}

/// A configuration that cannot be read says to fix it in an editor (it named
/// `outbound app edit`, which refuses to run on it), and a mistyped key gets the
/// name it was meant to be, not the list of every setting.
#[test]
fn a_broken_configuration_points_to_the_editor_and_the_right_key() {
    let env = Env::new();
    env.add_app("cc", "s3cret");
    let text = env
        .config_text()
        .replace("client_id =", "scope = [\"a\"]\nclient_id =");
    std::fs::write(env.config_path(), &text).unwrap();
    let run = env
        .run(&["app", "edit", "cc", "--description", "x"])
        .code(3);
    assert!(
        run.stderr.contains("did you mean `scopes`?"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("expected one of"), "{}", run.stderr);
    assert!(!run.stderr.contains("outbound app edit"), "{}", run.stderr);
    assert!(run.stderr.contains("in an editor"), "{}", run.stderr);
    assert_eq!(env.config_text(), text, "left untouched");
}

/// A --config path that does not exist is said to be missing (it looked like an
/// empty configuration); `app add` creates it.
#[test]
fn a_mistyped_config_path_is_missing_not_empty() {
    let env = Env::new();
    let path = env.config_path().with_file_name("typo.toml");
    let path = path.to_str().unwrap();
    let run = env.run(&["--config", path, "status"]).code(3);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(run.stderr.contains(path), "{}", run.stderr);
    env.run_with_input(
        &[
            "--config",
            path,
            "app",
            "add",
            "cc",
            "--grant",
            "client_credentials",
            "--client-id",
            "c",
            "--token-url",
            "https://auth.example.com/t",
            "--client-secret-stdin",
        ],
        "s3cret",
    )
    .ok();
    env.run(&["--config", path, "status"]).ok();
}

/// Discovery that finds nothing names every URL it tried and what --issuer must be
/// (an issuer given as the origin said only "answered HTTP 404"); a server that
/// takes only `none` client authentication gets `none`, not `client_secret_basic`.
#[test]
fn discovery_names_what_it_tried_and_follows_the_servers_auth_methods() {
    use crate::hostile::{Hostile, HostileResponse};
    let server = Hostile::start(|req| {
        let host = req.header("host").unwrap_or_default().to_owned();
        if req.path == "/.well-known/oauth-authorization-server" {
            HostileResponse::json(
                200,
                serde_json::json!({
                    "issuer": format!("http://{host}"),
                    "authorization_endpoint": format!("http://{host}/authorize"),
                    "token_endpoint": format!("http://{host}/token"),
                    "token_endpoint_auth_methods_supported": ["none"],
                    "code_challenge_methods_supported": ["S256"],
                })
                .to_string(),
            )
        } else {
            HostileResponse::json(404, "{}")
        }
    });
    let env = Env::new();
    let wrong = server.url("/tenant");
    let run = env
        .run(&[
            "app",
            "add",
            "x",
            "--issuer",
            &wrong,
            "--client-id",
            "c",
            "--client-auth",
            "none",
        ])
        .code(7);
    for tried in [
        server.url("/.well-known/oauth-authorization-server/tenant"),
        server.url("/tenant/.well-known/openid-configuration"),
    ] {
        assert!(
            run.stderr.contains(&format!("{tried} answered HTTP 404")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("--issuer must be the issuer"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&[
            "app",
            "add",
            "pub",
            "--issuer",
            &server.base,
            "--client-id",
            "c",
        ])
        .ok();
    assert!(
        run.stderr.contains("using --client-auth none"),
        "{}",
        run.stderr
    );
    assert_eq!(env.app_json("pub")["client_auth"], "none");
}

/// A refresh refused with a bare 4xx (no OAuth `error`) keeps the tokens, as it may
/// pass, and now says what to do if it does not.
#[test]
fn a_bare_refusal_of_a_refresh_gives_the_next_step() {
    let server = AuthServer::with(Options {
        access_ttl: Some(2),
        ..Options::default()
    });
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    std::thread::sleep(Duration::from_millis(2500));
    server.quirks(&["bare_400"]);
    let run = env.run(&["token", "nat"]).code(7);
    assert!(run.stderr.contains("HTTP 400"), "{}", run.stderr);
    assert!(
        run.stderr.contains("if this persists")
            && run.stderr.contains("run outbound authorize nat"),
        "{}",
        run.stderr
    );
    assert!(
        env.stored_token("nat", "default").is_some(),
        "the tokens are kept"
    );
}

/// A client-credentials app needs no person: `status` shows it `ready` (it showed
/// `needs-authorization` while `token` worked), `--check` passes, and its wording
/// never asks anyone to authorize.
#[test]
fn client_credentials_apps_are_ready_without_a_person() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_cc("svc", &server.issuer, &[]);
    let status = env.status();
    assert_eq!(status[0]["state"], "ready");
    env.run(&["status", "--check"]).ok();
    let run = env.run(&["authorize", "svc", "--yes"]).ok();
    assert!(!run.stderr.contains("on your behalf"), "{}", run.stderr);
    assert!(
        run.stderr.contains("no person is involved"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("authorize again"), "{}", run.stderr);
    assert_eq!(env.status()[0]["state"], "authorized");
}

/// An interactive `app add` that gets an empty client secret says why and names
/// `--client-auth none` (it asked again in silence, forever).
#[test]
fn an_empty_secret_at_the_prompt_gets_a_hint() {
    let env = Env::new();
    let (ok, screen) = env.in_pty(
        "app add web --client-id c --auth-url https://auth.example.com/a --token-url https://auth.example.com/t",
        &["", "s3cret"],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("--client-auth none"), "{screen}");
    assert!(env.config_text().contains("[apps.web]"));
}

/// `doctor` judges what endpoints answer (a 404 token endpoint and a 500 device
/// endpoint were "ok"), does not call an xdg-open without a desktop "ok", gives
/// `--json`, and exits 1 when a check fails.
#[test]
fn doctor_judges_answers_and_speaks_json() {
    use crate::hostile::{Hostile, HostileResponse};
    let server = Hostile::start(|req| match req.path.as_str() {
        "/authorize" => HostileResponse::new(400, "text/html", "<p>missing client_id</p>"),
        "/device" => HostileResponse::json(500, "{}"),
        "/revoke" => HostileResponse::json(200, "{}"),
        _ => HostileResponse::json(404, "{}"),
    });
    let env = Env::new();
    let (_bin, path) = failing_xdg_open();
    env.run(&[
        "app",
        "add",
        "bad",
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--auth-url",
        &server.url("/authorize"),
        "--token-url",
        &server.url("/token"),
        "--device-url",
        &server.url("/device"),
        "--revocation-url",
        &server.url("/revoke"),
    ])
    .ok();
    let doctor = |json: bool| {
        let mut args = vec!["doctor", "bad"];
        if json {
            args.push("--json");
        }
        let mut cmd = env.command(&args);
        cmd.env_remove("BROWSER")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("PATH", &path);
        crate::harness::Run::from(cmd.output().expect("spawn")).code(1)
    };
    let run = doctor(false);
    assert!(run.stdout.contains("FAIL  bad: token"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("HTTP 404 to an empty request: not found"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("FAIL  bad: device"), "{}", run.stdout);
    assert!(
        run.stdout.contains("ok    bad: authorization"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("ok    bad: revocation"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("warn  browser"), "{}", run.stdout);
    assert!(run.stdout.contains("no desktop session"), "{}", run.stdout);
    let report = doctor(true).json();
    assert_eq!(report["failures"], 2, "{report}");
    let token = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "bad: token")
        .unwrap();
    assert_eq!(token["status"], "fail");
    assert!(token["fix"].as_str().unwrap().contains("--issuer"));
}

/// Presets of providers that match the redirect URI exactly, port included, save one
/// with a port (they saved the any-port default, which such a provider refuses);
/// `app add` then says what to register; `app presets show` says it beforehand.
#[test]
fn presets_save_a_redirect_uri_the_provider_accepts_and_say_what_to_register() {
    let env = Env::new();
    for (preset, param) in [
        ("gitlab", None),
        ("okta", Some("domain=acme.okta.com")),
        ("auth0", Some("domain=acme.eu.auth0.com")),
        ("atlassian", None),
        ("dropbox", None),
        ("zoom", None),
        ("microsoft", None),
    ] {
        let name = format!("p-{preset}");
        let mut args = vec![
            "app",
            "add",
            &name,
            "--preset",
            preset,
            "--client-id",
            "c",
            "--client-secret-stdin",
        ];
        if let Some(param) = param {
            args.extend(["--preset-param", param]);
        }
        let run = env.run_with_input(&args, "s3cret").ok();
        let redirect = env.app_json(&name)["redirect_uri"]
            .as_str()
            .unwrap()
            .to_owned();
        if preset == "microsoft" {
            assert_eq!(redirect, "http://localhost/");
        } else {
            assert_eq!(redirect, "http://127.0.0.1:8765/callback", "{preset}");
            assert!(
                run.stderr.contains(
                    "redirect URI: http://127.0.0.1:8765/callback (exactly, port included)"
                ),
                "{preset}: {}",
                run.stderr
            );
        }
        assert!(
            run.stderr.contains("at the provider, register:"),
            "{}",
            run.stderr
        );
    }
    let run = env.run(&["app", "presets", "show", "gitlab"]).ok();
    for line in [
        "parameter: --preset-param host=VALUE (default gitlab.com, hostname)",
        "  redirect_uri = \"http://127.0.0.1:8765/callback\"",
        "  redirect URI: http://127.0.0.1:8765/callback (exactly, port included)",
        "GitLab matches the redirect URI exactly",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    let json = env
        .run(&["app", "presets", "show", "okta", "--json"])
        .ok()
        .json();
    assert_eq!(json["name"], "okta");
    assert_eq!(json["redirect_uri"], "http://127.0.0.1:8765/callback");
    env.run(&["app", "presets", "show", "nope"]).code(2);
}

/// Seed 002's per-token switch and base URL: an inactive account refuses every use
/// of its tokens (exit 5, naming the command that re-enables it) but keeps them; the
/// app's own switch wins; a relative URL in `curl` resolves against the account's
/// base URL, else the app's.
#[test]
fn accounts_can_be_deactivated_and_have_their_own_base_url() {
    use crate::servers::Echo;
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_native(
        "nat",
        &server.issuer,
        &["--base-url", &format!("{}/app-base", echo.base)],
    );
    env.run(&["account", "disable", "nat"]).code(4);
    env.authorize("nat", &[]).ok();
    env.authorize(
        "nat",
        &[
            "--account",
            "ci",
            "--base-url",
            &format!("{}/ci-base/", echo.base),
        ],
    )
    .ok();

    env.run(&["curl", "nat", "/x?q=1"]).ok();
    env.run(&["curl", "nat", "--account", "ci", "y"]).ok();
    let urls: Vec<String> = echo.seen().iter().map(|s| s.url.clone()).collect();
    assert_eq!(urls, ["/app-base/x?q=1", "/ci-base/y"]);

    env.run(&["account", "disable", "nat", "--account", "ci"])
        .ok();
    for args in [
        vec!["token", "nat", "--account", "ci"],
        vec!["curl", "nat", "--account", "ci", "/y"],
        vec!["authorize", "nat", "--account", "ci", "--yes"],
    ] {
        let run = env.run(&args).code(5);
        assert!(
            run.stderr.contains("account `ci` of `nat` is inactive")
                && run
                    .stderr
                    .contains("outbound account enable nat --account ci"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(env.stored_token("nat", "ci").is_some(), "kept");
    env.run(&["token", "nat"]).ok();
    let states: Vec<(String, String, String)> = env
        .status()
        .iter()
        .map(|r| {
            (
                r["account"].as_str().unwrap().to_owned(),
                r["state"].as_str().unwrap().to_owned(),
                r["base_url"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(
            "ci".into(),
            "inactive".into(),
            format!("{}/ci-base/", echo.base)
        )),
        "{states:?}"
    );
    assert!(
        states.contains(&("default".into(), "authorized".into(), "-".into())),
        "{states:?}"
    );
    // The app's switch wins over the account's.
    env.run(&["app", "disable", "nat"]).ok();
    let run = env.run(&["token", "nat", "--account", "ci"]).code(5);
    assert!(
        run.stderr.contains("application `nat` is disabled"),
        "{}",
        run.stderr
    );
    env.run(&["app", "enable", "nat"]).ok();
    env.run(&["account", "enable", "nat", "--account", "ci"])
        .ok();
    env.run(&["token", "nat", "--account", "ci"]).ok();
    env.run(&[
        "account",
        "edit",
        "nat",
        "--account",
        "ci",
        "--unset",
        "base_url",
    ])
    .ok();
    env.run(&["curl", "nat", "--account", "ci", "/z"]).ok();
    assert_eq!(echo.seen().last().unwrap().url, "/app-base/z");
    let run = env
        .run(&[
            "account",
            "edit",
            "nat",
            "--base-url",
            "http://example.com/",
        ])
        .code(2);
    assert!(run.stderr.contains("https is required"), "{}", run.stderr);
}

/// `token --force-refresh` (the clearer name of `--keep-alive`) refreshes a fresh
/// token; `logout --all` logs out of every account of an app, or of every app.
#[test]
fn force_refresh_and_logout_all() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.add_native("two", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.authorize("nat", &["--account", "ci"]).ok();
    env.authorize("two", &[]).ok();
    let first = env.run(&["token", "nat"]).ok().stdout;
    let forced = env.run(&["token", "nat", "--force-refresh"]).ok().stdout;
    assert_ne!(first, forced);
    assert_eq!(server.token_requests("refresh_token"), 1);

    let run = env.run(&["logout", "nat", "--all"]).ok();
    assert!(
        run.stderr.contains("account `default`") && run.stderr.contains("account `ci`"),
        "{}",
        run.stderr
    );
    assert!(
        env.stored_token("nat", "default").is_none() && env.stored_token("nat", "ci").is_none()
    );
    assert!(
        env.stored_token("two", "default").is_some(),
        "another app is left alone"
    );
    env.run(&["logout", "--all", "--no-revoke"]).ok();
    assert!(env.stored_token("two", "default").is_none());
    env.run(&["logout"]).code(2);
    env.run(&["logout", "nat", "--all", "--account", "ci"])
        .code(2);
}

/// `store migrate --to file` moves the client secret and every account's tokens out
/// of the keyring (nothing is left there) and the same tokens work from the file
/// store without a new authorization; and back.
#[test]
fn store_migrate_moves_every_secret() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    env.authorize("nat", &["--account", "ci"]).ok();
    let token = env.run(&["token", "nat", "--account", "ci"]).ok().stdout;
    let id = env.app_id("nat");
    let run = env.run(&["store", "migrate", "--to", "file"]).ok();
    assert!(
        run.stderr
            .contains("moved 1 client secret and the tokens of 2 accounts"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("OUTBOUND_STORE=file"), "{}", run.stderr);
    for key in [
        format!("client-secret/{id}"),
        format!("token/{id}/default"),
        format!("token/{id}/ci"),
    ] {
        assert!(
            crate::harness::keyring_lookup(&key).is_none(),
            "{key} left in the keyring"
        );
    }
    let from_file = env
        .run(&["--store", "file", "token", "nat", "--account", "ci"])
        .ok()
        .stdout;
    assert_eq!(from_file, token, "the same token, from the file");
    assert_eq!(server.token_requests("refresh_token"), 0);
    env.run(&["--store", "file", "store", "migrate", "--to", "file"])
        .code(2);
    env.run(&["--store", "file", "store", "migrate", "--to", "keyring"])
        .ok();
    assert_eq!(
        env.run(&["token", "nat", "--account", "ci"]).ok().stdout,
        token
    );
    assert!(env.stored_token("nat", "default").is_some());
}

/// curl's flags that peers' users expect: a flag we do not take says so and what to
/// use (it said "use `-- -k`", which does not work either); --retry and
/// --retry-delay; -A; -D; -O; several URLs in one call; --cacert for one call.
#[test]
fn curl_speaks_more_curl_and_says_what_it_does_not() {
    use crate::hostile::{Hostile, HostileResponse};
    use crate::servers::Echo;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = Env::new();
    env.add_cc("api", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);

    let run = env.run(&["curl", "api", "-k", &echo.base]).code(2);
    assert!(
        run.stderr.contains("does not take curl's `-k`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--cacert FILE"), "{}", run.stderr);
    assert!(!run.stderr.contains("use '-- -k'"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("outbound token APP --format header | curl -H @- URL"),
        "{}",
        run.stderr
    );
    // A mistyped flag: the one meant.
    let run = env.run(&["curl", "api", "--fial", &echo.base]).code(2);
    assert!(
        run.stderr.contains("did you mean `--fail`?"),
        "{}",
        run.stderr
    );

    // Two 503s (Retry-After: 0), then an answer.
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let flaky = Hostile::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) < 2 {
            let mut busy = HostileResponse::json(503, "{\"busy\":true}");
            busy.headers.push(("Retry-After".into(), "0".into()));
            busy
        } else {
            HostileResponse::json(200, "{\"ok\":true}")
        }
    });
    let run = env
        .run(&["curl", "api", "--retry", "3", &flaky.url("/x")])
        .ok();
    assert_eq!(run.stdout, "{\"ok\":true}");
    assert_eq!(
        run.stderr.matches("retrying in 0 s").count(),
        2,
        "{}",
        run.stderr
    );
    calls.store(0, Ordering::SeqCst);
    let run = env
        .run(&[
            "curl",
            "api",
            "--retry",
            "1",
            "--retry-delay",
            "0",
            "-f",
            &flaky.url("/x"),
        ])
        .code(22);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "{}", run.stderr);

    // -A, -D, -O and two URLs in one call.
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = env.command([
        "curl",
        "api",
        "-A",
        "probe/1.0",
        "-D",
        "heads.txt",
        "-O",
        &format!("{}/one.json", echo.base),
        "/two.json",
    ]);
    cmd.current_dir(dir.path());
    let run = crate::harness::Run::from(cmd.output().expect("spawn")).code(2);
    assert!(run.stderr.contains("relative URL"), "{}", run.stderr);
    env.run(&["app", "edit", "api", "--base-url", &echo.base])
        .ok();
    let run = crate::harness::Run::from(cmd.output().expect("spawn")).ok();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    for name in ["one.json", "two.json"] {
        let body: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(name)).unwrap()).unwrap();
        assert_eq!(body["headers"]["user-agent"], "probe/1.0");
        assert_eq!(body["url"], format!("/{name}"));
    }
    let heads = std::fs::read_to_string(dir.path().join("heads.txt")).unwrap();
    assert_eq!(heads.matches("200 OK").count(), 2, "{heads}");
    let run = env.run(&["curl", "api", "-o", "x", "/a", "/b"]).code(2);
    assert!(run.stderr.contains("use -O"), "{}", run.stderr);
    let two = env.run(&["curl", "api", "/a", "/b"]).ok().stdout;
    assert!(
        two.contains("\"url\":\"/a\"") && two.contains("\"url\":\"/b\""),
        "{two}"
    );

    // --cacert: a private CA for this call only.
    let (ca, cert, key) = crate::authserver::private_ca(dir.path());
    let tls = AuthServer::with(Options {
        tls: Some((cert, key)),
        ..Options::default()
    });
    let url = format!("{}/.well-known/openid-configuration", tls.issuer);
    let run = env.run(&["curl", "api", &url]).code(60);
    assert!(run.stderr.contains("--cacert FILE"), "{}", run.stderr);
    let run = env
        .run(&["curl", "api", "--cacert", ca.to_str().unwrap(), &url])
        .ok();
    assert_eq!(run.json()["issuer"], tls.issuer);
}

/// `--trace` (and OUTBOUND_TRACE=1) shows every OAuth exchange — discovery, the
/// authorization request and callback, the code exchange, a refresh, a revocation —
/// with JWTs decoded and no secret: not the client secret, not a token, not the code.
#[test]
fn trace_shows_every_exchange_and_no_secret() {
    let server = AuthServer::start();
    let mut env = Env::new();
    env.set("OUTBOUND_TRACE", "1");
    env.add_native("nat", &server.issuer, &[]);
    let authorize = env.authorize("nat", &[]).ok();
    let first = env.stored_token("nat", "default").unwrap();
    let refresh = env.run(&["token", "nat", "--force-refresh"]).ok();
    let second = env.stored_token("nat", "default").unwrap();
    let discovery = env
        .run(&["app", "edit", "nat", "--issuer", &server.issuer])
        .ok();
    let logout = env.run(&["logout", "nat"]).ok();
    let trace = [
        &authorize.stderr,
        &refresh.stderr,
        &discovery.stderr,
        &logout.stderr,
    ]
    .map(|s| s.as_str())
    .join("\n");
    for shown in [
        "trace: > GET ",
        "/.well-known/oauth-authorization-server (discovery)",
        "trace: * authorization request: ",
        "trace: < callback: ",
        "code=***",
        "(token)",
        "trace: > grant_type=authorization_code",
        "trace: > code_verifier=***",
        "trace: > authorization: Basic ***",
        "trace: < access_token: ***",
        "trace: > grant_type=refresh_token",
        "trace: > refresh_token=***",
        "id_token is a JWT; header: {",
        "id_token claims: {",
        "\"sub\":\"alice\"",
        "(revocation)",
        "trace: > token=***",
    ] {
        assert!(trace.contains(shown), "{shown} not in:\n{trace}");
    }
    let mut secrets = vec!["native-secret".to_owned()];
    for token in [&first, &second] {
        for field in ["access_token", "refresh_token", "id_token"] {
            if let Some(value) = token[field].as_str() {
                secrets.push(value.to_owned());
            }
        }
    }
    for secret in &secrets {
        assert!(
            !trace.contains(secret.as_str()),
            "leaked {secret} in:\n{trace}"
        );
    }
    for line in trace
        .lines()
        .filter(|l| l.contains("code=") && !l.contains("response_type=code"))
    {
        assert!(line.contains("code=***"), "{line}");
    }
    // The token itself is stdout's, as asked; never stderr's.
    assert_eq!(
        refresh.stdout.trim(),
        second["access_token"].as_str().unwrap()
    );
}

/// Completion knows the files in use: application names (with their description),
/// accounts, presets and setting names, through the registration script in a real
/// bash; the hidden `generate-docs` is never offered; all five shells get a script
/// that calls outbound back.
#[test]
fn completion_knows_apps_accounts_presets_and_settings() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &["--description", "the native app"]);
    env.add_app("svc", "s3cret");
    env.authorize("nat", &["--account", "ci"]).ok();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_outbound"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let script = env.dir.path().join("completion.bash");
    std::fs::write(&script, env.run(&["completions", "bash"]).ok().stdout).unwrap();
    // What bash offers after the words typed so far (the last one being completed).
    let offered = |words: &str| -> Vec<String> {
        let program = format!(
            "source {}\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n_clap_complete_outbound outbound \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display()
        );
        let mut cmd = std::process::Command::new("bash");
        env.isolate(&mut cmd);
        let out = cmd
            .args(["-c", &program])
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Flags are offered too on an empty word; the values are what is checked.
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('-'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(offered("outbound token ''"), ["nat", "svc"]);
    assert_eq!(offered("outbound app show n"), ["nat"]);
    assert_eq!(offered("outbound curl nat --account ''"), ["ci"]);
    assert!(offered("outbound app add x --preset gi").contains(&"github".to_owned()));
    assert!(offered("outbound app presets show go").contains(&"google".to_owned()));
    // Every entry of the catalog, and nothing else, after --preset.
    let catalog = env.run(&["app", "presets", "--json"]).ok().json();
    let mut names: Vec<String> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    let mut all = offered("outbound app add x --preset ''");
    all.sort();
    assert_eq!(all, names);
    assert_eq!(
        offered("outbound app edit nat --unset scope"),
        ["scope_in_assertion", "scopes", "scope_delimiter"]
    );
    let commands = offered("outbound ''");
    assert!(commands.contains(&"authorize".to_owned()), "{commands:?}");
    assert!(
        !commands.iter().any(|c| c.contains("generate")),
        "{commands:?}"
    );
    // Descriptions come along where the shell shows them (fish's protocol).
    let mut cmd = env.command(["--", "outbound", "status", ""]);
    cmd.env("COMPLETE", "fish");
    let fish = crate::harness::Run::from(cmd.output().unwrap()).ok();
    assert!(
        fish.stdout.contains("nat\tthe native app"),
        "{}",
        fish.stdout
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.run(&["completions", shell]).ok().stdout;
        assert!(
            script.contains("COMPLETE") && script.contains("outbound"),
            "{shell}: {script}"
        );
    }
}

/// `app edit NAME` with no flags on a terminal opens the app's table in $EDITOR,
/// validates what is saved and shows what changed; an invalid edit comes back with
/// the reason, and leaving it so cancels with the file untouched.
#[test]
fn app_edit_without_flags_opens_the_editor() {
    let env = Env::new();
    env.add_app("cc", "s3cret");
    let editor = r#"sed -i 's/^client_id = "cid"/client_id = "edited"/'"#;
    let (ok, screen) = env.in_pty("app edit cc", &[], &[("EDITOR", editor), ("VISUAL", "")]);
    assert!(ok, "{screen}");
    assert!(
        screen.contains(r#"client_id: "cid" → "edited""#),
        "{screen}"
    );
    assert_eq!(env.app_json("cc")["client_id"], "edited");
    let before = env.config_text();
    let bad = r#"sed -i 's|^token_url = .*|token_url = "http://auth.example.com/t"|'"#;
    let (ok, screen) = env.in_pty("app edit cc", &[], &[("EDITOR", bad), ("VISUAL", "")]);
    assert!(!ok, "{screen}");
    assert!(screen.contains("edit cancelled"), "{screen}");
    assert!(screen.contains("https is required"), "{screen}");
    assert_eq!(env.config_text(), before, "untouched");
    let renaming = r#"sed -i 's/^id = .*/id = "0000"/'"#;
    let (ok, screen) = env.in_pty("app edit cc", &[], &[("EDITOR", renaming), ("VISUAL", "")]);
    assert!(!ok, "{screen}");
    assert!(screen.contains("`id` cannot be changed"), "{screen}");
    assert_eq!(env.config_text(), before, "untouched");
    // Without a terminal, no editor: the usage error says how to change things.
    let run = env.run(&["app", "edit", "cc"]).code(2);
    assert!(run.stderr.contains("$EDITOR"), "{}", run.stderr);
}

/// `app add NAME` on a terminal with nothing else starts from a preset or the
/// issuer (like `rclone config` and `gh auth login`), then asks what is missing.
#[test]
fn app_add_alone_on_a_terminal_is_guided() {
    let server = AuthServer::start();
    let env = Env::new();
    let (ok, screen) = env.in_pty(
        "app add gh",
        &["", "github", "my-client", "", "", "s3cret"],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(
        screen.contains("Where do this provider's endpoints come from?"),
        "{screen}"
    );
    let app = env.app_json("gh");
    assert_eq!(app["client_id"], "my-client");
    assert_eq!(
        app["token_url"],
        "https://github.com/login/oauth/access_token"
    );
    assert_eq!(app["client_secret"], "keyring");
    assert!(screen.contains("at the provider, register:"), "{screen}");

    let down = "\u{1b}[B";
    let (ok, screen) = env.in_pty(
        "app add nat",
        &[
            down,
            &server.issuer,
            "y",
            "native-app",
            // The server's scopes, `openid` and `offline_access` ticked: accepted.
            "",
            "127.0.0.1:*",
            "native-secret",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    let app = env.app_json("nat");
    assert_eq!(app["issuer"], format!("{}/", server.issuer));
    assert_eq!(app["token_url"], format!("{}/token", server.issuer));
    assert_eq!(
        app["scopes"],
        serde_json::json!(["openid", "offline_access"])
    );
    assert_eq!(app["allowed_hosts"], serde_json::json!(["127.0.0.1:*"]));
    env.authorize("nat", &[]).ok();
}

/// The guided `app add` checks each answer when it is given and asks again with
/// the reason (as `rclone config` does), instead of throwing every answer away at
/// the end with an error about a flag nobody typed: the name (asked first when
/// none was given), the issuer (discovered at once), a preset's parameter, a URL,
/// an empty answer, an allowed host. It offers the server's scopes and ends with
/// the next command.
#[test]
fn the_guided_add_checks_each_answer_when_given() {
    let server = AuthServer::start();
    let env = Env::new();
    env.add_app("taken", "s3cret");
    // Without a terminal there is nobody to ask: a usage error naming NAME.
    let run = env.run(&["app", "add"]).code(2);
    assert!(run.stderr.contains("NAME"), "{}", run.stderr);

    let down = "\u{1b}[B";
    let up = "\u{1b}[A";
    let mistyped = format!("{}/tenant-typo", server.issuer);
    let (ok, screen) = env.in_pty(
        "app add",
        &[
            "",
            "bad name",
            "taken",
            "nat",
            down,
            "",
            "http://issuer.example.com",
            &mistyped,
            &server.issuer,
            "y",
            "",
            "native-app",
            // The server's scopes, `openid` and `offline_access` ticked; "others"
            // (the last) ticked too, and one typed.
            &format!("{up} "),
            "api:custom",
            "*.com",
            "127.0.0.1:*",
            "native-secret",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    for reason in [
        "a name is required",
        "`bad name` is not a valid application name",
        "`taken` already exists",
        "an issuer URL is required",
        "https is required",
        "tenant-typo",
        "check the issuer URL and type it again",
        "required: this grant cannot work without it",
        "would match every site under the public suffix `com`",
    ] {
        assert!(screen.contains(reason), "{reason}: {screen}");
    }
    for flag in ["--allowed-host", "--issuer", "--client-id", "--scope"] {
        assert!(!screen.contains(flag), "named {flag}: {screen}");
    }
    assert!(screen.contains("api:read"), "scopes offered: {screen}");
    assert!(
        screen.contains("next: `outbound authorize nat`"),
        "{screen}"
    );
    let app = env.app_json("nat");
    assert_eq!(app["issuer"], format!("{}/", server.issuer));
    assert_eq!(
        app["scopes"],
        serde_json::json!(["openid", "offline_access", "api:custom"])
    );
    assert_eq!(app["allowed_hosts"], serde_json::json!(["127.0.0.1:*"]));

    // A preset's parameter: required, one name, and a valid host once filled in.
    let (ok, screen) = env.in_pty(
        "app add acme",
        &[
            "",
            "okta",
            "",
            "acme okta",
            "acme.okta.com",
            "cid",
            "",
            "",
            "s3cret",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("required: the preset's URLs"), "{screen}");
    assert!(screen.contains("`acme okta` is not a `domain`"), "{screen}");
    assert!(!screen.contains("--preset-param"), "{screen}");
    assert_eq!(
        env.app_json("acme")["token_url"],
        "https://acme.okta.com/oauth2/default/v1/token"
    );

    // Endpoints typed by hand: https (or http to loopback) only, asked again.
    let (ok, screen) = env.in_pty(
        "app add typed",
        &[
            &format!("{down}{down}"),
            "",
            "n",
            "cid",
            "http://auth.example.com/authorize",
            "https://auth.example.com/authorize",
            "https://auth.example.com/token",
            "",
            "api.example.com",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("https is required"), "{screen}");
    let app = env.app_json("typed");
    assert_eq!(app["auth_url"], "https://auth.example.com/authorize");
    assert_eq!(app["allowed_hosts"], serde_json::json!(["api.example.com"]));
    assert!(
        screen.contains("next: `outbound authorize typed`"),
        "{screen}"
    );

    // What only the whole app can refuse (token_exchange needs a subject token) is
    // asked for, in the file's words, before anything is written; the answers stay.
    let (ok, screen) = env.in_pty(
        "app add exchange",
        &[
            &format!("{down}{down}"),
            &format!("{down}{down}{down}{down}"),
            "n",
            "cid",
            "https://auth.example.com/token",
            "",
            "api.example.com",
            "a-token-itself",
            "env:CI_JOB_TOKEN",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(
        screen.contains("subject_token: missing, and the token_exchange grant needs one"),
        "{screen}"
    );
    assert!(
        screen.contains("a token itself never goes in this file"),
        "{screen}"
    );
    assert!(!screen.contains("--subject-token"), "{screen}");
    assert!(
        screen.contains("next: `outbound token exchange`"),
        "{screen}"
    );
    let app = env.app_json("exchange");
    assert_eq!(app["token_url"], "https://auth.example.com/token");
    assert_eq!(app["allowed_hosts"], serde_json::json!(["api.example.com"]));
}

/// An edit refused in `$EDITOR` comes back with the place as a line of the buffer
/// the person sees (not of the configuration file), in the file's words (not a
/// flag's), and without "fix it in an editor" (they are in it).
#[test]
fn the_editor_points_at_its_own_lines() {
    let env = Env::new();
    // Another app above, so the file's lines and the buffer's differ.
    env.add_app("first", "s3cret");
    env.add_app("cc", "s3cret");
    let log = env.dir.path().join("shown.log");
    let editor = env.dir.path().join("editor.sh");
    for (change, expect) in [
        (r#"s/^token_url = .*/token_url = 5/"#, "token_url = 5"),
        (
            r#"s|^token_url = .*|token_url = "http://auth.example.com/t"|"#,
            r#"token_url = "http://auth.example.com/t""#,
        ),
    ] {
        let _ = std::fs::remove_file(&log);
        std::fs::write(
            &editor,
            format!(
                "#!/bin/sh\n{{ echo '=== shown'; cat \"$1\"; }} >> '{}'\nsed -i '{change}' \"$1\"\n",
                log.display()
            ),
        )
        .unwrap();
        let script = format!("sh '{}'", editor.display());
        let (ok, screen) = env.in_pty(
            "app edit cc",
            &[],
            &[("EDITOR", script.as_str()), ("VISUAL", "")],
        );
        assert!(!ok, "{screen}");
        let shown = std::fs::read_to_string(&log).unwrap();
        let again = shown.split("=== shown\n").nth(2).expect("shown again");
        let first = again.lines().next().unwrap();
        let line: usize = first
            .strip_prefix("# error: line ")
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no buffer line in: {again}"));
        assert_eq!(again.lines().nth(line - 1), Some(expect), "{again}");
        for said in [shown.as_str(), screen.as_str()] {
            assert!(!said.contains("in an editor"), "{said}");
            assert!(!said.contains("--token-url"), "{said}");
        }
    }
}

/// The redirect a browser makes after consent to `url` (the test server's login
/// and consent over HTTP), as the address bar shows it.
fn consented_callback(url: &str) -> String {
    let out = std::process::Command::new("node")
        .arg(format!(
            "{}/tests/authserver/http-browser.mjs",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(url)
        .env("BROWSER_MODE", "print")
        .output()
        .expect("node");
    let callback = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(callback.contains("code="), "{callback}");
    callback.trim().to_owned()
}

/// `authorize --manual` on a terminal asks again after a bad paste — an address
/// from another authorization (wrong state), text the server does not take as a
/// code, an empty line — saying what was wrong each time, as a password prompt
/// does (it failed at the first). Without a terminal the first bad paste is still
/// the error, with its exit code.
#[test]
fn manual_asks_again_after_a_bad_paste_on_a_terminal() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    let server = AuthServer::start();
    let env = Env::new();
    env.add_native("nat", &server.issuer, &[]);

    let mut script = std::process::Command::new("script");
    env.isolate(&mut script);
    let mut child = script
        .args([
            "-qec",
            &format!(
                "{} authorize nat --yes --manual",
                env!("CARGO_BIN_EXE_outbound")
            ),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    let screen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let screen = screen.clone();
        let mut stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let seen = |what: &str| screen.lock().unwrap().matches(what).count();
    let wait_for = |what: &str, count: usize| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while seen(what) < count {
            assert!(
                std::time::Instant::now() < deadline,
                "never said {what:?} ({count}):\n{}",
                screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut stdin = child.stdin.take().expect("stdin");
    let mut paste = |line: &str| {
        stdin.write_all(format!("{line}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
    };
    wait_for("press Enter", 1);
    let url = screen
        .lock()
        .unwrap()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&server.issuer))
        .expect("the authorization URL")
        .to_owned();
    let callback = consented_callback(&url);

    paste(&callback.replace("state=", "state=x"));
    wait_for("wrong state", 1);
    wait_for("Paste the address again", 1);
    paste("garbage-not-a-code");
    wait_for("invalid_grant", 1);
    wait_for("Paste the address again", 2);
    paste("");
    wait_for("nothing was pasted", 1);
    wait_for("Paste the address again", 3);
    // A refusal pasted back says what the server said; an address without a state
    // says that (both read as "a wrong state" before).
    paste("http://127.0.0.1/callback?error=access_denied&error_description=the+user+said+no");
    wait_for(
        "the server's refusal `access_denied` (the user said no) but no state",
        1,
    );
    wait_for("Paste the address again", 4);
    paste("http://127.0.0.1/callback?code=abc");
    wait_for("has no `state`", 1);
    wait_for("Paste the address again", 5);
    paste(&callback);
    let status = child.wait().expect("wait");
    reader.join().unwrap();
    let screen = screen.lock().unwrap().clone();
    assert!(status.success(), "{screen}");
    assert!(
        screen.contains("the server does not take that code"),
        "{screen}"
    );
    assert!(!screen.contains("panicked"), "{screen}");
    assert!(env.stored_token("nat", "default").is_some());

    // No terminal: the first bad paste ends it, with its exit code (7), each said.
    let other = Env::new();
    other.add_native("nat", &server.issuer, &[]);
    for (input, said) in [
        ("garbage-not-a-code\n", "invalid_grant"),
        ("\n", "nothing was pasted"),
        ("", "nothing was pasted (the input ended)"),
        ("http://127.0.0.1:1/cb?state=x&code=y\n", "wrong state"),
    ] {
        // Input that ended is no server's doing: exit 1 (7 is the server's).
        let code = if input.is_empty() { 1 } else { 7 };
        let run = other
            .run_with_input(&["authorize", "nat", "--yes", "--manual"], input)
            .code(code);
        assert!(run.stderr.contains(said), "{input:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("Paste the address again"),
            "{}",
            run.stderr
        );
    }
    assert!(other.stored_token("nat", "default").is_none());
}

/// `scripts/demo` shows each command it runs as it could be typed: every word a
/// shell would split or expand is quoted, and the redirection is shown (it echoed
/// `--scope openid offline_access` and left `< secret.txt` out). Read back by bash,
/// each shown line gives the words that ran; and the demo works end to end.
#[test]
fn the_demo_shows_each_command_quoted_as_it_ran() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_outbound"));
    let target = bin.parent().and_then(|d| d.parent()).expect("target dir");
    let repo = env!("CARGO_MANIFEST_DIR");
    let mut demo = std::process::Command::new(format!("{repo}/scripts/demo"));
    // Its own keyring session, as when a person runs it.
    demo.env_remove("OUTBOUND_IN_KEYRING_SESSION")
        .env("DEMO_BUILT", "1")
        .env("CARGO_TARGET_DIR", target)
        .env(
            "DEMO_BROWSER",
            format!("node {repo}/tests/authserver/http-browser.mjs"),
        )
        .stdin(std::process::Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("OUTBOUND_") || k.starts_with("XDG_CONFIG") || k.starts_with("XDG_STATE") {
            demo.env_remove(k);
        }
    }
    let run = crate::harness::Run::from(demo.output().expect("scripts/demo")).ok();
    assert!(run.stdout.contains("{\"sub\":\"alice\"}"), "{}", run.all());
    let shown: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("\u{1b}[1m$ "))
        .map(|l| l.trim_end_matches("\u{1b}[0m"))
        .collect();
    assert_eq!(shown.len(), 5, "{}", run.stdout);
    // Each line as bash reads it, with `outbound` a function that prints its words
    // and its standard input.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "native-secret").unwrap();
    let words = |line: &str| -> Vec<String> {
        let out = std::process::Command::new("bash")
            .current_dir(dir.path())
            .args([
                "-c",
                &format!("outbound() {{ printf '%s\\n' \"$@\"; [ -t 0 ] || cat; }}; {line}"),
            ])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("bash");
        assert!(out.status.success(), "{line}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let add = words(shown[0]);
    assert!(
        shown[0].starts_with("outbound app add demo"),
        "{}",
        shown[0]
    );
    for (flag, value) in [
        ("--scope", "openid offline_access"),
        ("--allowed-host", "127.0.0.1:*"),
        (
            "--approval-prompt",
            "The demo will sign in as alice on the local test server.",
        ),
    ] {
        let at = add.iter().position(|w| w == flag).expect(flag);
        assert_eq!(add[at + 1], value, "{}", shown[0]);
    }
    assert_eq!(add.last().map(String::as_str), Some("native-secret"));
    assert_eq!(words(shown[2]), ["authorize", "demo", "--yes"]);
    let curl = words(shown[4]);
    assert_eq!(curl[..2], ["curl", "demo"]);
    assert!(curl[2].ends_with("/me"), "{curl:?}");
}

/// `app add NAME --preset P` on a terminal asks only for what the provider needs
/// and was not given: the preset's parameter (checked as typed, asked again when
/// wrong), the client id, the client secret (hidden); then it prints the next
/// step. Without a terminal, what is missing is a usage error naming the flags.
#[test]
fn app_add_with_a_preset_asks_only_for_what_is_missing() {
    let env = Env::new();
    let run = env.run(&["app", "add", "ok", "--preset", "okta"]).code(2);
    assert!(
        run.stderr
            .contains("--preset-param domain=VALUE, --client-id ID"),
        "{}",
        run.stderr
    );
    assert!(!env.config_text().contains("okta"));
    let (ok, screen) = env.in_pty(
        "app add ok --preset okta",
        &[
            "acme..example.com",
            "acme.okta.com",
            "my-client",
            "hidden-s3cret",
        ],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("`domain` for preset `okta`"), "{screen}");
    assert!(
        screen.contains("`acme..example.com` is not a `domain`"),
        "{screen}"
    );
    assert!(screen.contains("Client id"), "{screen}");
    assert!(screen.contains("Client secret"), "{screen}");
    assert!(!screen.contains("hidden-s3cret"), "{screen}");
    assert!(screen.contains("next: `outbound authorize ok`"), "{screen}");
    // Not asked: how the endpoints come, scopes, hosts (the preset has them).
    assert!(
        !screen.contains("Where do this provider's endpoints"),
        "{screen}"
    );
    assert!(!screen.contains("Scopes"), "{screen}");
    let app = env.app_json("ok");
    assert_eq!(app["preset"], "okta");
    assert_eq!(app["preset_params"]["domain"], "acme.okta.com");
    assert_eq!(app["client_id"], "my-client");
    assert_eq!(app["client_secret"], "keyring");
    assert_eq!(
        app["token_url"],
        "https://acme.okta.com/oauth2/default/v1/token"
    );
    // Given everything, nothing is asked.
    let (ok, screen) = env.in_pty(
        "app add ok2 --preset okta --preset-param domain=acme.okta.com --client-id c --client-auth none",
        &[],
        &[],
    );
    assert!(ok, "{screen}");
    assert!(!screen.contains("for preset"), "{screen}");
    assert!(!screen.contains("Client id"), "{screen}");
    assert!(
        screen.contains("next: `outbound authorize ok2`"),
        "{screen}"
    );
}
