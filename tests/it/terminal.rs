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
