//! The words users read, under review: every `--help` text and the main errors are
//! snapshots (`tests/it/snapshots/`), so a change of wording is a reviewed diff, not
//! an accident. Update them with `INSTA_UPDATE=always scripts/test`, then read the
//! diff; in CI (`CI=true`) a mismatch fails.

use clap::CommandFactory;

use crate::authserver::AuthServer;
use crate::harness::Env;

/// Every command path (`app add`, `token`, …), the root first.
fn command_paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    out.push(prefix.to_vec());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_owned());
        command_paths(sub, &path, out);
    }
}

#[test]
fn every_help_text() {
    let env = Env::new();
    let mut paths = Vec::new();
    command_paths(&outbound::cli::Cli::command(), &[], &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        // Help wraps at the terminal's width: the same width everywhere.
        let mut cmd = env.command(&args);
        cmd.env("COLUMNS", "100");
        let run = crate::harness::Run::from(cmd.output().expect("spawn outbound")).ok();
        // Every command shows how it is used, in --help and in its man page.
        if path.last().is_none_or(|last| last != "help") {
            assert!(
                run.stdout.contains("\nExamples:\n  "),
                "{path:?}: {}",
                run.stdout
            );
            let page = std::iter::once("outbound".to_owned())
                .chain(path.iter().cloned())
                .collect::<Vec<_>>()
                .join("-");
            let man =
                std::fs::read_to_string(format!("{}/man/{page}.1", env!("CARGO_MANIFEST_DIR")))
                    .unwrap_or_else(|e| panic!("man/{page}.1: {e}"));
            assert!(man.contains(".SH EXAMPLES\n"), "{page}");
        }
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", path.join("-"))
        };
        insta::assert_snapshot!(name, run.stdout);
    }
}

/// What a user reads when it goes wrong, with this test's paths and ports replaced.
fn said(env: &Env, text: &str, server: Option<&AuthServer>) -> String {
    let mut text = text.replace(&env.dir.path().display().to_string(), "[TMP]");
    if let Some(server) = server {
        text = text.replace(&server.issuer, "[ISSUER]");
    }
    text
}

#[test]
fn the_main_errors() {
    let server = AuthServer::start();
    let env = Env::new();
    let mut seen = Vec::new();
    let mut check = |what: &str, args: &[&str], code: i32| {
        let run = env.run(args).code(code);
        seen.push(format!(
            "## {what} (exit {code})\n$ outbound {}\n{}",
            args.join(" "),
            said(&env, &run.stderr, Some(&server))
        ));
    };
    check("missing application", &["token", "nope"], 1);
    env.add_native("nat", &server.issuer, &[]);
    check("authorization required", &["token", "nat"], 4);
    check(
        "host not allowed",
        &["curl", "nat", "https://elsewhere.example/x"],
        6,
    );
    env.run(&["app", "disable", "nat"]).ok();
    check("disabled", &["token", "nat"], 5);
    env.run(&["app", "enable", "nat"]).ok();
    check("relative URL without a base", &["curl", "nat", "/me"], 2);
    check(
        "a curl flag outbound does not take",
        &["curl", "nat", "-k", "/me"],
        2,
    );
    env.authorize("nat", &["--account", "ci"]).ok();
    env.run(&["account", "disable", "nat", "--account", "ci"])
        .ok();
    check("inactive account", &["token", "nat", "--account", "ci"], 5);
    check(
        "missing named configuration",
        &["--config", "/nonexistent/apps.toml", "status"],
        3,
    );
    env.add_cc("cc", &server.issuer, &[]);
    env.run_with_input(&["app", "secret", "set", "cc"], "wrong-secret")
        .ok();
    check("server refused", &["token", "cc"], 7);
    let text = std::fs::read_to_string(env.config_path()).unwrap();
    std::fs::write(env.config_path(), text.replace("grant = ", "grant = 7 #")).unwrap();
    check("bad configuration", &["status"], 3);
    std::fs::write(
        env.config_path(),
        text.replace("client_id =", "scope = []\nclient_id ="),
    )
    .unwrap();
    check("mistyped key", &["status"], 3);

    // What servers people run make it say (issue 25), in an environment of its own.
    let env = Env::new();
    let mut check = |what: &str, args: &[&str], code: i32| {
        let run = env.run(args).code(code);
        seen.push(format!(
            "## {what} (exit {code})\n$ outbound {}\n{}",
            args.join(" "),
            said(&env, &run.stderr, Some(&server))
        ));
    };
    env.add_native("nat", &server.issuer, &[]);
    env.authorize("nat", &[]).ok();
    server.quirks(&["refresh_invalid_request"]);
    check(
        "refresh refused otherwise than invalid_grant",
        &["token", "nat", "--force-refresh"],
        7,
    );
    server.quirks(&[]);
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
    check(
        "no device endpoint",
        &["authorize", "ll", "--device", "--yes"],
        2,
    );
    insta::assert_snapshot!("main-errors", seen.join("\n"));
}
