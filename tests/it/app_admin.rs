//! `outbound app …` through the real binary: every command, comment preservation,
//! concurrency, bad input, file modes.

#[cfg(unix)]
use crate::harness::mode;
use crate::harness::{Env, keyring_lookup};

const SECRET: &str = "sup3r-s3cret-value-9f8e";

#[test]
fn add_with_every_setting_then_show_and_list() {
    let env = Env::new();
    let ca = env.dir.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
    let ca_str = ca.display().to_string();
    env.run_with_input(
        &[
            "app",
            "add",
            "gh",
            "--description",
            "GitHub for scripts",
            "--approval-prompt",
            "You are about to grant repo access",
            "--auth-url",
            "https://github.com/login/oauth/authorize?allow_signup=false",
            "--token-url",
            "https://github.com/login/oauth/access_token",
            "--revocation-url",
            "https://api.github.com/revoke",
            "--device-url",
            "https://github.com/login/device/code",
            "--client-id",
            "Iv1.abc",
            "--client-secret-stdin",
            "--client-auth",
            "post",
            "--scope",
            "repo",
            "--scope",
            "read:user gist",
            "--scope-delimiter",
            ",",
            "--no-pkce",
            "--expires-in",
            "90m",
            "--refresh-skew",
            "2m",
            "--redirect-uri",
            "http://127.0.0.1:8765/cb",
            "--prompt",
            "consent",
            "--auth-param",
            "access_type=offline",
            "--token-header",
            "Accept=application/json",
            "--token-param",
            "audience=api",
            "--allowed-host",
            "api.github.com",
            "--allowed-host",
            "*.githubusercontent.com",
            "--proxy",
            "socks5://127.0.0.1:1080",
            "--ca-file",
            &ca_str,
            "--token-header-name",
            "X-Token",
            "--token-format",
            "token {token}",
        ],
        SECRET,
    )
    .ok();
    let app = env.app_json("gh");
    assert_eq!(app["name"], "gh");
    assert_eq!(app["id"].as_str().unwrap().len(), 32);
    assert_eq!(app["enabled"], true);
    assert_eq!(app["generation"], 1);
    assert_eq!(app["grant"], "authorization_code");
    assert_eq!(app["description"], "GitHub for scripts");
    assert_eq!(app["approval_prompt"], "You are about to grant repo access");
    assert_eq!(
        app["auth_url"],
        "https://github.com/login/oauth/authorize?allow_signup=false"
    );
    assert_eq!(app["revocation_url"], "https://api.github.com/revoke");
    assert_eq!(app["device_url"], "https://github.com/login/device/code");
    assert_eq!(app["client_id"], "Iv1.abc");
    assert_eq!(app["client_secret"], "keyring");
    assert_eq!(app["client_auth"], "post");
    assert_eq!(
        app["scopes"],
        serde_json::json!(["repo", "read:user", "gist"])
    );
    assert_eq!(app["scope_delimiter"], ",");
    assert_eq!(app["pkce"], false);
    assert_eq!(app["expires_in"], 5400);
    assert_eq!(app["refresh_skew"], 120);
    assert_eq!(app["redirect_uri"], "http://127.0.0.1:8765/cb");
    assert_eq!(app["prompt"], "consent");
    assert_eq!(app["auth_params"]["access_type"], "offline");
    assert_eq!(app["token_headers"]["Accept"], "application/json");
    assert_eq!(app["token_params"]["audience"], "api");
    assert_eq!(
        app["allowed_hosts"],
        serde_json::json!(["api.github.com", "*.githubusercontent.com"])
    );
    assert_eq!(app["proxy"], "socks5://127.0.0.1:1080");
    assert_eq!(app["ca_file"], ca_str);
    assert_eq!(app["token_header_name"], "X-Token");
    assert_eq!(app["token_format"], "token {token}");

    // The secret went to the real Secret Service, and nowhere else.
    let id = app["id"].as_str().unwrap();
    assert_eq!(
        keyring_lookup(&format!("client-secret/{id}")).as_deref(),
        Some(SECRET)
    );
    assert!(!env.config_text().contains(SECRET));

    let list = env.run(&["app", "list", "--json"]).ok().json();
    let first = &list.as_array().unwrap()[0];
    for key in [
        "name",
        "id",
        "enabled",
        "grant",
        "generation",
        "client_id",
        "scopes",
        "allowed_hosts",
    ] {
        assert_eq!(first[key], app[key], "{key}");
    }
    let human = env.run(&["app", "list"]).ok();
    assert!(
        human.stdout.contains("gh") && human.stdout.contains("Iv1.abc"),
        "{}",
        human.stdout
    );
    let show = env.run(&["app", "show", "gh"]).ok();
    assert!(
        show.stdout.contains("client_secret") && show.stdout.contains("keyring"),
        "{}",
        show.stdout
    );
    for out in [show.all(), human.all(), list.to_string()] {
        assert!(!out.contains(SECRET));
    }
}

#[test]
fn secret_references_show_where_the_secret_lives() {
    let env = Env::new();
    let base = [
        "--grant",
        "client_credentials",
        "--client-id",
        "c",
        "--token-url",
        "https://a.example/t",
    ];
    let mut args = vec!["app", "add", "e"];
    args.extend(base);
    args.extend(["--client-secret-env", "MY_SECRET"]);
    env.run(&args).ok();
    let mut args = vec!["app", "add", "c"];
    args.extend(base);
    args.extend(["--client-secret-command", "pass show oauth/c"]);
    env.run(&args).ok();
    let mut args = vec!["app", "add", "p"];
    args.extend(base);
    args.extend(["--client-auth", "none"]);
    env.run(&args).ok();
    assert_eq!(env.app_json("e")["client_secret"], "env:MY_SECRET");
    // The command itself is not shown: it may carry a credential of its own.
    assert_eq!(env.app_json("c")["client_secret"], "command");
    assert!(
        !env.run(&["app", "show", "c"])
            .ok()
            .all()
            .contains("pass show")
    );
    assert_eq!(env.app_json("p")["client_secret"], serde_json::Value::Null);
    assert!(
        env.config_text()
            .contains("client_secret = \"env:MY_SECRET\"")
    );
}

#[test]
fn a_secret_is_never_accepted_on_the_command_line() {
    let env = Env::new();
    let run = env.run(&[
        "app",
        "add",
        "x",
        "--grant",
        "client_credentials",
        "--client-id",
        "c",
        "--token-url",
        "https://a.example/t",
        "--client-secret",
        SECRET,
    ]);
    let run = run.code(2);
    assert!(run.stderr.contains("--client-secret"), "{}", run.stderr);
    assert!(!env.config_path().exists());
}

#[test]
fn missing_required_values_without_a_terminal_list_the_flags() {
    let env = Env::new();
    let run = env.run(&["app", "add", "x"]).code(2);
    for flag in [
        "--client-id",
        "--auth-url",
        "--token-url",
        "--client-secret-stdin",
    ] {
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
    let run = env
        .run(&[
            "app",
            "add",
            "d",
            "--grant",
            "device_code",
            "--client-id",
            "c",
            "--client-auth",
            "none",
        ])
        .code(2);
    assert!(
        run.stderr.contains("--device-url") && run.stderr.contains("--token-url"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--auth-url"), "{}", run.stderr);
    assert!(!env.config_path().exists());
}

#[test]
fn bad_values_name_the_flag_and_write_nothing() {
    let env = Env::new();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "app",
            "add",
            "x",
            "--grant",
            "client_credentials",
            "--client-id",
            "c",
            "--client-auth",
            "none",
        ];
        args.extend(extra);
        env.run(&args)
    };
    let cases: &[(&[&str], &str)] = &[
        (&["--token-url", "not a url"], "--token-url"),
        (
            &["--token-url", "http://auth.example.com/token"],
            "https is required",
        ),
        (
            &["--token-url", "https://a.example/t", "--expires-in", "soon"],
            "--expires-in",
        ),
        (
            &[
                "--token-url",
                "https://a.example/t",
                "--redirect-uri",
                "https://example.com/cb",
            ],
            "--redirect-uri",
        ),
        (
            &[
                "--token-url",
                "https://a.example/t",
                "--allowed-host",
                "https://x/",
            ],
            "--allowed-host",
        ),
        (
            &[
                "--token-url",
                "https://a.example/t",
                "--auth-param",
                "state=x",
            ],
            "--auth-param",
        ),
        (
            &[
                "--token-url",
                "https://a.example/t",
                "--token-format",
                "Bearer",
            ],
            "--token-format",
        ),
        (
            &[
                "--token-url",
                "https://a.example/t",
                "--proxy",
                "http://u:pw@p:3128",
            ],
            "--proxy",
        ),
        (
            &["--token-url", "https://a.example/t", "--scope", ""],
            "--scope",
        ),
    ];
    for (extra, needle) in cases {
        let run = add(extra).code(2);
        assert!(run.stderr.contains(needle), "{extra:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("pw@"),
            "the proxy password was echoed: {}",
            run.stderr
        );
    }
    assert!(!env.config_path().exists());
    // http is fine to loopback.
    add(&["--token-url", "http://127.0.0.1:9/token"]).ok();
    let bad_name = env
        .run(&["app", "add", "bad name", "--client-id", "c"])
        .code(2);
    assert!(
        bad_name.stderr.contains("not a valid application name"),
        "{}",
        bad_name.stderr
    );
}

#[test]
fn duplicate_and_unknown_names() {
    let env = Env::new();
    env.add_app("gh", SECRET);
    let dup = env
        .run_with_input(
            &[
                "app",
                "add",
                "gh",
                "--grant",
                "client_credentials",
                "--client-id",
                "c",
                "--token-url",
                "https://a.example/t",
                "--client-secret-stdin",
            ],
            "x",
        )
        .code(2);
    assert!(dup.stderr.contains("already exists"), "{}", dup.stderr);
    let unknown = env.run(&["app", "show", "gitlab"]).code(1);
    assert!(
        unknown.stderr.contains("no application named `gitlab`"),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("it has: gh"), "{}", unknown.stderr);
    env.run(&["app", "disable", "nope"]).code(1);
}

#[test]
fn edit_changes_only_what_is_given_and_unset_removes() {
    let env = Env::new();
    env.add_app("gh", SECRET);
    let before = env.app_json("gh");
    env.run(&[
        "app",
        "edit",
        "gh",
        "--scope",
        "read",
        "--prompt",
        "consent",
        "--auth-param",
        "a=1",
        "--auth-param",
        "b=2",
    ])
    .ok();
    let after = env.app_json("gh");
    assert_eq!(after["scopes"], serde_json::json!(["read"]));
    assert_eq!(after["prompt"], "consent");
    assert_eq!(
        after["auth_params"],
        serde_json::json!({"a": "1", "b": "2"})
    );
    for key in [
        "id",
        "client_id",
        "token_url",
        "generation",
        "client_secret",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    env.run(&[
        "app",
        "edit",
        "gh",
        "--unset",
        "prompt",
        "--unset",
        "auth_params.a",
    ])
    .ok();
    let after = env.app_json("gh");
    assert_eq!(after["prompt"], serde_json::Value::Null);
    assert_eq!(after["auth_params"], serde_json::json!({"b": "2"}));
    let run = env.run(&["app", "edit", "gh", "--unset", "id"]).code(2);
    assert!(
        run.stderr.contains("not a field that can be removed"),
        "{}",
        run.stderr
    );
    let run = env.run(&["app", "edit", "gh"]).code(2);
    assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    // An edit that would break the app is refused with the flag's name.
    let run = env
        .run(&["app", "edit", "gh", "--unset", "token_url"])
        .code(2);
    assert!(run.stderr.contains("--token-url"), "{}", run.stderr);
    assert_eq!(env.app_json("gh")["token_url"], before["token_url"]);
}

#[test]
fn enable_disable_reset_delete() {
    let env = Env::new();
    env.add_app("gh", SECRET);
    let id = env.app_json("gh")["id"].as_str().unwrap().to_owned();
    env.run(&["app", "disable", "gh"]).ok();
    assert_eq!(env.app_json("gh")["enabled"], false);
    let again = env.run(&["app", "disable", "gh"]).ok();
    assert!(
        again.stderr.contains("already disabled"),
        "{}",
        again.stderr
    );
    env.run(&["app", "enable", "gh"]).ok();
    assert_eq!(env.app_json("gh")["enabled"], true);

    // Destructive commands need --yes when nobody can confirm.
    let run = env.run(&["app", "reset", "gh"]).code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(env.app_json("gh")["generation"], 1);
    env.run(&["app", "reset", "gh", "--yes"]).ok();
    assert_eq!(env.app_json("gh")["generation"], 2);
    assert_eq!(env.app_json("gh")["id"], id, "reset keeps the id");

    env.run(&["app", "delete", "gh"]).code(2);
    assert!(keyring_lookup(&format!("client-secret/{id}")).is_some());
    env.run(&["app", "delete", "gh", "--yes"]).ok();
    assert!(
        keyring_lookup(&format!("client-secret/{id}")).is_none(),
        "the stored secret is gone"
    );
    env.run(&["app", "show", "gh"]).code(1);
    // A re-created app gets a new id, so it can never pick up old tokens.
    env.add_app("gh", SECRET);
    assert_ne!(env.app_json("gh")["id"], id);
}

#[test]
fn secret_set_rotates_and_edit_switches_sources() {
    let env = Env::new();
    env.add_app("gh", "old-secret-1");
    let id = env.app_json("gh")["id"].as_str().unwrap().to_owned();
    let key = format!("client-secret/{id}");
    let run = env
        .run_with_input(&["app", "secret", "set", "gh"], "new-secret-2\n")
        .ok();
    assert!(!run.all().contains("new-secret-2"));
    assert_eq!(keyring_lookup(&key).as_deref(), Some("new-secret-2"));
    let empty = env
        .run_with_input(&["app", "secret", "set", "gh"], "\n")
        .code(2);
    assert!(empty.stderr.contains("empty"), "{}", empty.stderr);
    assert_eq!(keyring_lookup(&key).as_deref(), Some("new-secret-2"));
    // Moving the secret to an environment variable deletes the stored copy.
    env.run(&["app", "edit", "gh", "--client-secret-env", "GH_SECRET"])
        .ok();
    assert_eq!(env.app_json("gh")["client_secret"], "env:GH_SECRET");
    assert!(keyring_lookup(&key).is_none());
    // And `secret set` brings it back to the store.
    env.run_with_input(&["app", "secret", "set", "gh"], "third-3")
        .ok();
    assert_eq!(env.app_json("gh")["client_secret"], "keyring");
    assert_eq!(keyring_lookup(&key).as_deref(), Some("third-3"));
}

const COMMENTED: &str = r#"# Team applications, maintained by ops. Do not remove this line.
store = "keyring"

[apps.alpha] # the first one
id = "0000000000000000000000000000000a"
client_id    =   "alpha-client"   # aligned on purpose
client_auth = "none"
grant = "client_credentials"
token_url = "https://auth.example.com/token"
# scopes agreed with the provider's admins
scopes = [
  "read",   # reading
  "write",
]
"#;

#[test]
fn comments_order_and_formatting_survive_every_command() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    std::fs::write(env.config_path(), COMMENTED).unwrap();
    env.add_app("beta", SECRET);
    env.run(&["app", "edit", "beta", "--description", "second"])
        .ok();
    env.run(&["app", "disable", "alpha"]).ok();
    env.run(&["app", "enable", "alpha"]).ok();
    env.run(&["app", "reset", "beta", "--yes"]).ok();
    env.run(&["app", "delete", "beta", "--yes"]).ok();
    env.run(&["app", "edit", "alpha", "--client-id", "alpha-2"])
        .ok();
    let text = env.config_text();
    // Disabling wrote `enabled = false` (the key was absent); enabling flipped it.
    let expected = format!(
        "{}enabled = true\n",
        COMMENTED.replace("\"alpha-client\"", "\"alpha-2\"")
    );
    assert_eq!(
        text, expected,
        "only the edited values changed, comments and layout kept"
    );
}

#[test]
fn a_broken_file_is_reported_with_position_and_never_rewritten() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    let cases = [
        ("[apps.x]\nid = \"1\"\nclient_id = \n", 3),
        ("[apps.x]\nid = \"1\"\nid = \"2\"\n", 3),
        ("[apps.x]\nid = \"1\"\nenabled = \"yes\"\n", 3),
        (
            "[apps.x]\nid = \"1\"\nclient_id = \"c\"\nclient_auth = \"none\"\ngrant = \"client_credentials\"\ntoken_url = \"http://evil.example/t\"\n",
            6,
        ),
        ("[apps.x]\nid = \"1\"\nunknown_setting = 1\n", 3),
    ];
    for (text, line) in cases {
        std::fs::write(env.config_path(), text).unwrap();
        for args in [
            &["app", "list"][..],
            &["app", "edit", "x", "--client-id", "y"],
            &["app", "delete", "x", "--yes"],
        ] {
            let run = env.run(args).code(3);
            let prefix = format!("{}:{line}:", env.config_path().display());
            assert!(
                run.stderr.contains(&prefix),
                "{text:?} {args:?}: {}",
                run.stderr
            );
        }
        let run = env.add_app_attempt("y");
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(env.config_text(), text, "the file is untouched");
    }
    std::fs::write(env.config_path(), b"[apps.x]\nid = \"\xff\"\n").unwrap();
    let run = env.run(&["app", "list"]).code(3);
    assert!(
        run.stderr.contains(":2:7: the file is not valid UTF-8"),
        "{}",
        run.stderr
    );
}

impl Env {
    fn add_app_attempt(&self, name: &str) -> crate::harness::Run {
        self.run(&[
            "app",
            "add",
            name,
            "--grant",
            "client_credentials",
            "--client-id",
            "c",
            "--token-url",
            "https://a.example/t",
            "--client-auth",
            "none",
        ])
    }
}

#[test]
fn twenty_concurrent_adds_leave_twenty_apps() {
    let env = Env::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            env.command([
                "app",
                "add",
                &format!("app{i}"),
                "--grant",
                "client_credentials",
                "--client-id",
                "c",
                "--token-url",
                "https://a.example/t",
                "--client-auth",
                "none",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = env.run(&["app", "list", "--json"]).ok().json();
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("app{i}")).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[cfg(unix)]
#[test]
fn files_and_directories_are_private() {
    let env = Env::new().file_store();
    env.add_app("gh", SECRET);
    assert_eq!(mode(&env.config_path()), 0o600);
    assert_eq!(mode(env.config_path().parent().unwrap()), 0o700);
    assert_eq!(mode(&env.state_dir().join("secrets.json")), 0o600);
    assert_eq!(mode(&env.state_dir()), 0o700);
}

#[test]
fn help_documents_exit_codes_and_completions_are_current() {
    let env = Env::new();
    let help = env.run(&["--help"]).ok();
    for line in [
        "3  invalid configuration",
        "4  authorization required",
        "7  the OAuth server",
    ] {
        assert!(help.stdout.contains(line), "{}", help.stdout);
    }
    let bash = env.run(&["completions", "bash"]).ok();
    // A dynamic script: it asks outbound itself for every completion.
    assert!(
        bash.stdout.contains("_clap_complete_outbound")
            && bash.stdout.contains("COMPLETE=\"bash\""),
        "{}",
        bash.stdout
    );
    // completions/ and man/ are committed; regenerate with `cargo run -- generate-docs`.
    let run = env.run(&[
        "generate-docs",
        "--check",
        "--dir",
        env!("CARGO_MANIFEST_DIR"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// On a terminal (a real pty from `script`), missing values are asked for and the
/// secret is read with hidden input; destructive commands ask before acting.
#[test]
fn a_terminal_is_asked_for_missing_values_and_confirmations() {
    let env = Env::new();
    let in_pty = |command: &str, answers: &[&str]| env.in_pty(command, answers, &[]);
    let (ok, screen) = in_pty(
        "app add tty --grant client_credentials",
        &["my-client", "https://auth.example.com/token", SECRET],
    );
    assert!(ok, "{screen}");
    assert!(
        screen.contains("Client id")
            && screen.contains("Token endpoint URL")
            && screen.contains("Client secret"),
        "{screen}"
    );
    assert!(!screen.contains(SECRET), "the secret was echoed: {screen}");
    let app = env.app_json("tty");
    assert_eq!(app["client_id"], "my-client");
    assert_eq!(app["token_url"], "https://auth.example.com/token");
    let id = app["id"].as_str().unwrap();
    assert_eq!(
        keyring_lookup(&format!("client-secret/{id}")).as_deref(),
        Some(SECRET)
    );
    // reset asks; "n" keeps everything, "y" proceeds.
    let (_, screen) = in_pty("app reset tty", &["n"]);
    assert!(screen.contains("Reset `tty`?"), "{screen}");
    assert_eq!(env.app_json("tty")["generation"], 1);
    let (ok, _) = in_pty("app reset tty", &["y"]);
    assert!(ok);
    assert_eq!(env.app_json("tty")["generation"], 2);
}

/// `-q` keeps stdout for data and silences notices; a closed stdout (a reader that
/// stopped reading, `| head -c 5`) ends the program quietly, for every command that
/// prints data.
#[test]
fn quiet_keeps_data_and_a_closed_stdout_ends_quietly() {
    let env = Env::new().file_store();
    let token_url = "https://x.example/t";
    let loud = env.add_cc_at("a", token_url, "s3cret", &[]);
    assert!(
        loud.stderr.contains("added application `a`"),
        "{}",
        loud.stderr
    );
    let quiet = env.add_cc_at("b", token_url, "s3cret", &["-q"]);
    assert!(
        !quiet.stderr.contains("added application"),
        "{}",
        quiet.stderr
    );
    // Warnings still show (the file store announces itself).
    assert!(
        quiet.stderr.contains("warning: using the file store"),
        "{}",
        quiet.stderr
    );
    let list = env.run(&["-q", "app", "list", "--json"]).ok();
    assert_eq!(list.json().as_array().map(Vec::len), Some(2));

    for args in [
        vec!["app", "presets", "--json"],
        vec!["app", "presets"],
        vec!["app", "list", "--json"],
        vec!["app", "show", "a"],
        vec!["status"],
        vec!["--help"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = env
            .command(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("spawn");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// One application's table with a typo does not stop the others in a shared file:
/// they work, with a warning naming the broken one; using the broken one is its
/// error (exit 3, file:line:column); writing still refuses the file.
#[test]
fn one_broken_app_leaves_the_others_working() {
    let server = crate::authserver::AuthServer::start();
    let env = Env::new();
    env.add_cc("good", &server.issuer, &["--allowed-host", "127.0.0.1:*"]);
    let mut text = env.config_text();
    text.push_str("\n[apps.typo]\nid = \"0123\"\nclient_id = \"c\"\nscope = [\"read\"]\n");
    std::fs::write(env.config_path(), &text).unwrap();
    let run = env.run(&["token", "good"]).ok();
    assert!(!run.stdout.trim().is_empty());
    assert!(
        run.stderr.contains("`typo` is set aside") && run.stderr.contains("did you mean `scopes`"),
        "{}",
        run.stderr
    );
    let line = text.lines().position(|l| l == "[apps.typo]").unwrap() + 1;
    let run = env.run(&["token", "typo"]).code(3);
    assert!(
        run.stderr.contains(&format!("apps.toml:{line}:"))
            || run.stderr.contains(&format!(":{}:", line + 3)),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["app", "edit", "good", "--description", "x"])
        .code(3);
    assert!(run.stderr.contains("scope"), "{}", run.stderr);
    assert_eq!(env.config_text(), text, "the file is untouched");
}

/// Every page a man page refers to (`outbound-app-add(1)`) is one that exists.
#[test]
fn man_pages_refer_only_to_pages_that_exist() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace("\\-", "-");
        for (i, _) in text.match_indices("(1)") {
            let start = text[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |s| s + 1);
            let page = &text[start..i];
            if page.starts_with("outbound") {
                assert!(
                    dir.join(format!("{page}.1")).exists(),
                    "{} refers to {page}(1), which does not exist",
                    path.display()
                );
            }
        }
    }
}

/// The help a person reads: `app add --help` groups its settings under headings;
/// `logout` says NAME or --all; `whoami` says it asks the userinfo endpoint first;
/// `app show` leaves out what the app's grant never uses (and says so), while
/// `--json` keeps every key.
#[test]
fn help_groups_settings_and_show_leaves_out_what_does_not_apply() {
    let env = Env::new();
    let help = env.run(&["app", "add", "--help"]).ok().stdout;
    let section = |heading: &str| -> String {
        let start = help
            .find(&format!("\n{heading}:\n"))
            .unwrap_or_else(|| panic!("no heading {heading}: {help}"));
        let rest = &help[start + heading.len() + 3..];
        // Up to the next heading (a line that starts with a capital letter).
        let next = rest
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| rest[i..].starts_with(|c: char| c.is_ascii_uppercase()))
            .unwrap_or(rest.len());
        rest[..next].to_owned()
    };
    for (heading, flags) in [
        ("Endpoints", &["--issuer", "--token-url", "--auth-url"][..]),
        ("Client", &["--client-id", "--grant"][..]),
        (
            "Client authentication (secret, key, certificate)",
            &["--client-secret-stdin", "--private-key", "--client-cert"][..],
        ),
        ("Authorization requests", &["--scope", "--redirect-uri"][..]),
        ("Tokens", &["--expires-in", "--refresh-skew"][..]),
        ("Sender-constrained tokens", &["--dpop"][..]),
        (
            "Where tokens go (hosts, injection, egress)",
            &["--allowed-host", "--base-url", "--proxy"][..],
        ),
    ] {
        let text = section(heading);
        for flag in flags {
            assert!(text.contains(flag), "{flag} under {heading}: {text}");
        }
    }

    let logout = env.run(&["logout", "--help"]).ok().stdout;
    assert!(
        logout.contains("Usage: outbound logout [OPTIONS] <NAME|--all>"),
        "{logout}"
    );
    let run = env.run(&["logout"]).code(2);
    assert!(run.stderr.contains("<NAME|--all>"), "{}", run.stderr);
    let whoami = env.run(&["whoami", "--help"]).ok().stdout;
    assert!(
        whoami.contains("the app's userinfo endpoint first, else its ID token"),
        "{whoami}"
    );

    env.add_app("cc", SECRET);
    let show = env.run(&["app", "show", "cc"]).ok();
    for key in ["redirect_uri", "pkce", "subject_token_type", "require_iss"] {
        assert!(
            !show.stdout.lines().any(|l| l.starts_with(key)),
            "{key}: {}",
            show.stdout
        );
    }
    assert!(show.stdout.contains("token_url"), "{}", show.stdout);
    assert!(
        show.stderr
            .contains("not used with the client_credentials grant")
            && show.stderr.contains("redirect_uri"),
        "{}",
        show.stderr
    );
    let json = env.app_json("cc");
    for key in ["redirect_uri", "pkce", "subject_token_type", "require_iss"] {
        assert!(json.get(key).is_some(), "{key} in --json: {json}");
    }
    env.run(&[
        "app",
        "add",
        "code",
        "--client-id",
        "c",
        "--client-auth",
        "none",
        "--auth-url",
        "https://auth.example.com/authorize",
        "--token-url",
        "https://auth.example.com/token",
    ])
    .ok();
    let show = env.run(&["app", "show", "code"]).ok();
    for key in ["redirect_uri", "pkce"] {
        assert!(
            show.stdout.lines().any(|l| l.starts_with(key)),
            "{key}: {}",
            show.stdout
        );
    }
}

/// `app list --json` of 10,000 apps writes each app as it goes: its peak memory stays
/// near what the configuration itself takes (it was 206 MiB with a JSON value of
/// every app held at once, BENCHMARKS.md), and the list is complete.
#[cfg(unix)]
#[test]
fn listing_ten_thousand_apps_as_json_holds_no_copy_of_every_app() {
    let env = Env::new();
    let path = env.dir.path().join("many.toml");
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "[apps.app{i}]\nid = \"{i:032x}\"\nclient_id = \"client-{i}\"\nclient_auth = \"none\"\n\
             grant = \"client_credentials\"\ntoken_url = \"https://auth{}.example/token\"\n\
             scopes = [\"read\", \"write\"]\nallowed_hosts = [\"api{}.example\"]\n\n",
            i % 50,
            i % 50
        ));
    }
    std::fs::write(&path, text).unwrap();
    let out_path = env.dir.path().join("list.json");
    let out = std::fs::File::create(&out_path).unwrap();
    // Reaped below by wait4, which also tells its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = env
        .command(["--config", path.to_str().unwrap(), "app", "list", "--json"])
        .stdout(out)
        .spawn()
        .expect("spawn outbound");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are to locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    let apps = list.as_array().expect("a JSON array");
    assert_eq!(apps.len(), 10_000);
    assert_eq!(apps[9_999]["name"], "app9999");
    assert_eq!(apps[0]["client_secret"], serde_json::Value::Null);
    let peak_mib = usage.ru_maxrss / 1024;
    assert!(peak_mib < 128, "peak resident memory {peak_mib} MiB");
}
