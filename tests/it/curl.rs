//! `outbound curl`'s flags behave as curl's do (compared with the real curl against
//! the same loopback echo server), and the token goes only where it belongs.

use std::process::Command;

use crate::authserver::AuthServer;
use crate::harness::{Env, Run};
use crate::servers::Echo;

/// An app whose (client-credentials) token may go to 127.0.0.1.
fn setup(server: &AuthServer) -> Env {
    let env = Env::new();
    env.add_cc(
        "api",
        &server.issuer,
        &["--scope", "api:read", "--allowed-host", "127.0.0.1:*"],
    );
    env
}

fn token(env: &Env) -> String {
    env.run(&["token", "api"]).ok().stdout.trim().to_owned()
}

/// Runs the real curl with the same arguments (and the token by hand).
fn real_curl(args: &[&str], token: &str, dir: &std::path::Path) -> Run {
    let out = Command::new("curl")
        .args(args)
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .current_dir(dir)
        .output()
        .expect("curl is on the machine");
    Run::from(out)
}

fn ours(env: &Env, args: &[&str]) -> Run {
    let mut all = vec!["curl", "api"];
    all.extend(args);
    env.run(&all)
}

#[test]
fn bodies_and_methods_match_curl() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = setup(&server);
    let dir = env.dir.path();
    std::fs::write(dir.join("form.txt"), "a=1\nb=2\n").unwrap();
    std::fs::write(dir.join("blob.bin"), b"line1\nline2\n").unwrap();
    std::fs::write(dir.join("doc.json"), br#"{"k": [1, 2]}"#).unwrap();
    let file = |n: &str| format!("@{}", dir.join(n).display());
    let url = format!("{}/echo?x=1", echo.base);
    let cases: Vec<Vec<String>> = vec![
        vec![url.clone()],
        vec![
            "-d".into(),
            "a=1".into(),
            "-d".into(),
            "b=2".into(),
            url.clone(),
        ],
        vec!["-d".into(), file("form.txt"), url.clone()],
        vec!["--data-binary".into(), file("blob.bin"), url.clone()],
        vec![
            "--data-urlencode".into(),
            "q=hello world&more".into(),
            url.clone(),
        ],
        vec!["--json".into(), file("doc.json"), url.clone()],
        vec!["--json".into(), r#"{"a":1}"#.into(), url.clone()],
        vec![
            "-G".into(),
            "-d".into(),
            "p=1".into(),
            "-d".into(),
            "r=2".into(),
            url.clone(),
        ],
        vec![
            "-X".into(),
            "PATCH".into(),
            "-d".into(),
            "z".into(),
            url.clone(),
        ],
        vec![
            "-T".into(),
            dir.join("blob.bin").display().to_string(),
            url.clone(),
        ],
        vec!["-H".into(), "X-Custom: yes".into(), url.clone()],
    ];
    let token = token(&env);
    for case in cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let theirs = real_curl(&args, &token, dir).ok().json();
        let mine = ours(&env, &args).ok().json();
        for key in ["method", "url", "body"] {
            assert_eq!(mine[key], theirs[key], "{key} for {case:?}");
        }
        for header in [
            "content-type",
            "content-length",
            "x-custom",
            "accept",
            "authorization",
        ] {
            assert_eq!(
                mine["headers"][header], theirs["headers"][header],
                "{header} for {case:?}"
            );
        }
    }
}

#[test]
fn multipart_forms() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = setup(&server);
    let f = env.dir.path().join("up.txt");
    std::fs::write(&f, "file-content-42").unwrap();
    let field = format!("doc=@{}", f.display());
    let run = ours(
        &env,
        &[
            "-F",
            "name=value",
            "-F",
            &field,
            &format!("{}/echo", echo.base),
        ],
    )
    .ok();
    let json = run.json();
    assert_eq!(json["method"], "POST");
    assert!(
        json["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let body = json["body"].as_str().unwrap();
    assert!(
        body.contains("name=\"name\"") && body.contains("value"),
        "{body}"
    );
    assert!(
        body.contains("name=\"doc\"; filename=\"up.txt\"") && body.contains("file-content-42"),
        "{body}"
    );
}

#[test]
fn fail_output_include_head_and_write_out() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = setup(&server);
    let dir = env.dir.path();
    let token = token(&env);
    let not_found = format!("{}/status/404", echo.base);
    // -f: no body, exit 22 (curl's code), curl's message.
    let mine = ours(&env, &["-f", &not_found]).code(22);
    let theirs = real_curl(&["-f", &not_found], &token, dir).code(22);
    assert_eq!(mine.stdout, theirs.stdout);
    assert!(
        mine.stderr
            .contains("The requested URL returned error: 404"),
        "{}",
        mine.stderr
    );
    assert!(ours(&env, &["-sf", &not_found]).code(22).stderr.is_empty());
    let with_body = ours(&env, &["--fail-with-body", &not_found]).code(22);
    assert_eq!(with_body.stdout, "status 404");
    // Without -f an HTTP error is a successful transfer.
    assert_eq!(ours(&env, &[&not_found]).ok().stdout, "status 404");
    // -o writes the body to a file; -w goes to stdout.
    let out = dir.join("out.json");
    let out_str = out.display().to_string();
    let run = ours(
        &env,
        &[
            "-o",
            &out_str,
            "-w",
            "%{http_code} %{size_download} %{url_effective}\\n",
            &format!("{}/echo", echo.base),
        ],
    )
    .ok();
    let body = std::fs::read(&out).unwrap();
    assert_eq!(
        run.stdout,
        format!("200 {} {}/echo\n", body.len(), echo.base)
    );
    assert!(String::from_utf8_lossy(&body).contains("\"method\":\"GET\""));
    let run = ours(
        &env,
        &["-s", "-o", "/dev/null", "-w", "%{http_code}", &not_found],
    )
    .ok();
    assert_eq!(run.stdout, "404");
    let time = ours(
        &env,
        &["-o", "/dev/null", "-w", "%{time_total}", &not_found],
    )
    .ok();
    assert!(time.stdout.parse::<f64>().is_ok(), "{}", time.stdout);
    // -I: HEAD, headers only; -i: headers then body.
    let head = ours(&env, &["-I", &format!("{}/echo", echo.base)]).ok();
    assert!(
        head.stdout.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        head.stdout
    );
    assert!(!head.stdout.contains("\"method\""), "{}", head.stdout);
    assert_eq!(echo.seen().last().unwrap().method, "HEAD");
    let include = ours(&env, &["-i", &format!("{}/echo", echo.base)]).ok();
    assert!(
        include.stdout.starts_with("HTTP/1.1 200 OK\r\n") && include.stdout.contains("\r\n\r\n{"),
        "{}",
        include.stdout
    );
}

#[test]
fn tokens_go_only_to_allowed_hosts_over_https_or_loopback() {
    let server = AuthServer::start();
    let env = setup(&server);
    let run = ours(&env, &["https://example.com/"]).code(6);
    assert!(
        run.stderr
            .contains("outbound app edit api --add-allowed-host example.com"),
        "{}",
        run.stderr
    );
    let run = ours(&env, &["http://localhost:9/"]).code(6);
    assert!(
        run.stderr.contains("--add-allowed-host localhost"),
        "{}",
        run.stderr
    );
    let run = ours(
        &env,
        &["-H", "Authorization: Bearer mine", "http://127.0.0.1:9/"],
    )
    .code(2);
    assert!(
        run.stderr.contains("sets this header itself"),
        "{}",
        run.stderr
    );
    env.run(&["app", "edit", "api", "--allowed-host", "api.example.com"])
        .ok();
    let run = ours(&env, &["http://api.example.com/"]).code(6);
    assert!(run.stderr.contains("only over https"), "{}", run.stderr);
    // A loopback http URL through a remote proxy would expose the token: refused.
    env.run(&["app", "edit", "api", "--allowed-host", "127.0.0.1:*"])
        .ok();
    let run = ours(
        &env,
        &["-x", "http://proxy.example:3128", "http://127.0.0.1:9/"],
    )
    .code(6);
    assert!(run.stderr.contains("proxy"), "{}", run.stderr);
}

#[test]
fn redirects_never_carry_the_token_to_another_origin() {
    let server = AuthServer::start();
    let first = Echo::start();
    let second = Echo::start();
    let env = setup(&server);
    // Same origin: the token follows.
    let same = format!(
        "{}/redirect?to={}/echo",
        first.base,
        urlencode(&format!("{}/landed", first.base))
    );
    let run = ours(&env, &["-L", &same]).ok();
    assert!(
        run.json()["headers"]["authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    // Another origin (another port): it does not.
    let other = format!(
        "{}/redirect?to={}",
        first.base,
        urlencode(&format!("{}/landed", second.base))
    );
    let run = ours(&env, &["-v", "-L", &other]).ok();
    assert!(
        run.json()["headers"].get("authorization").is_none(),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("not forwarding the token"),
        "{}",
        run.stderr
    );
    let seen = second.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].header("authorization").is_none());
    // Without -L nothing is followed.
    let run = ours(&env, &["-w", "%{http_code}", &other]).ok();
    assert!(run.stdout.ends_with("302"), "{}", run.stdout);
    assert_eq!(second.seen().len(), 1);
    // A 307 keeps the method and the body.
    let keep = format!(
        "{}/redirect?code=307&to={}",
        first.base,
        urlencode(&format!("{}/landed", first.base))
    );
    let run = ours(&env, &["-L", "-d", "k=v", &keep]).ok();
    assert_eq!(run.json()["method"], "POST");
    assert_eq!(run.json()["body"], "k=v");
    let run = ours(&env, &["-L", "--max-redirs", "0", &keep]).code(47);
    assert!(
        run.stderr.contains("Maximum (0) redirects"),
        "{}",
        run.stderr
    );
}

#[test]
fn verbose_and_errors_never_show_the_token() {
    let server = AuthServer::start();
    let echo = Echo::start();
    let env = setup(&server);
    let token = token(&env);
    let run = ours(&env, &["-v", &format!("{}/echo", echo.base)]).ok();
    assert!(
        run.stderr.contains("> authorization: Bearer ***"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&token));
    for args in [
        vec![
            "-v".to_owned(),
            "-f".to_owned(),
            format!("{}/status/500", echo.base),
        ],
        vec!["-v".to_owned(), "http://127.0.0.1:9/unreachable".to_owned()],
        vec!["-v".to_owned(), "https://elsewhere.example/".to_owned()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = ours(&env, &args);
        assert_ne!(run.code, 0);
        assert!(!run.all().contains(&token), "{args:?}");
        assert!(!run.all().contains("cc-secret"), "{args:?}");
    }
    let unreachable = ours(&env, &["http://127.0.0.1:9/"]).code(1);
    assert!(
        unreachable.stderr.contains("cannot reach 127.0.0.1:9"),
        "{}",
        unreachable.stderr
    );
    // Response heads under 64 KiB pass; a larger one is a receive error (56), said so.
    let big = ours(&env, &[&format!("{}/big-head?bytes=65000", echo.base)]).ok();
    assert_eq!(big.stdout, "big head");
    let huge = ours(&env, &[&format!("{}/big-head?bytes=1000000", echo.base)]).code(56);
    assert!(
        huge.stderr.contains("curl: (56)") && huge.stderr.contains("too large"),
        "{}",
        huge.stderr
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// https to a server that speaks plain HTTP says "did you mean http://HOST:PORT?":
/// for an API (curl's exit 35, a failed TLS handshake), for the token endpoint
/// (exit 7), and in `doctor`, whose fix, run as printed, makes the app work.
#[test]
fn tls_to_a_plain_http_server_asks_whether_http_was_meant() {
    let server = AuthServer::start();
    let env = setup(&server);
    // The authorization server's own port: it answers a TLS hello in HTTP (400).
    let place = server.issuer.trim_start_matches("http://").to_owned();
    let run = ours(&env, &[&format!("https://{place}/me")]).code(35);
    assert!(
        run.stderr.contains(&format!(
            "{place} answers in plain HTTP, not TLS: did you mean http://{place}?"
        )),
        "{}",
        run.stderr
    );

    let issuer = place;
    let token_url = format!("https://{issuer}/token");
    env.run_with_input(
        &[
            "app",
            "add",
            "tls",
            "--grant",
            "client_credentials",
            "--client-id",
            "cc-app",
            "--token-url",
            &token_url,
            "--client-secret-stdin",
        ],
        "cc-secret",
    )
    .ok();
    let run = env.run(&["token", "tls"]).code(7);
    assert!(
        run.stderr
            .contains(&format!("did you mean http://{issuer}?")),
        "{}",
        run.stderr
    );
    let doctor = env.run(&["doctor", "tls", "--json"]).code(1);
    let checks = doctor.json()["checks"].as_array().unwrap().clone();
    let token = checks
        .iter()
        .find(|c| c["check"] == "tls: token")
        .expect("the token endpoint is checked");
    assert!(
        token["detail"]
            .as_str()
            .unwrap()
            .contains("did you mean http://"),
        "{token}"
    );
    let fix = token["fix"].as_str().unwrap();
    assert_eq!(
        fix,
        format!("outbound app edit tls --token-url http://{issuer}/token")
    );
    let args: Vec<&str> = fix.split_whitespace().skip(1).collect();
    env.run(&args).ok();
    env.run(&["token", "tls"]).ok();
}

/// A plain-http hop with no body and no proxy goes over outbound's own HTTP/1.1
/// connection (src/request/plain.rs, for download speed): the whole body, `--max-time`
/// over the body, the same exit codes and words for a cut or refused connection, a
/// response head larger than curl's 100 KiB refused, and a proxy from the
/// environment still used.
#[test]
fn plain_http_hops_keep_curls_limits_failures_and_proxies() {
    let server = AuthServer::start();
    let env = setup(&server);
    let api = format!("{}/api", server.issuer);
    let place = server.issuer.trim_start_matches("http://").to_owned();

    let out = env
        .command(["curl", "api", &format!("{api}/big?n=5000000")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), 5_000_000);
    assert!(out.stdout.iter().all(|b| *b == 0));

    // Events every 100 ms for 4 s, cut at 1 s: what came is printed, then 28.
    let run = ours(
        &env,
        &["--max-time", "1", &format!("{api}/sse?n=40&every=100")],
    )
    .code(28);
    assert!(run.stdout.contains("\"i\":0"), "{}", run.stdout);
    assert!(!run.stdout.contains("\"i\":39"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("curl: (28) the transfer from {place} timed out")),
        "{}",
        run.stderr
    );

    let run = ours(&env, &[&format!("{api}/big?n=3000000&cut=1000")]).code(56);
    assert!(
        run.stderr
            .contains(&format!("curl: (56) failure receiving data from {place}: ")),
        "{}",
        run.stderr
    );
    let run = ours(&env, &[&format!("{api}/reset")]).code(56);
    assert!(
        run.stderr
            .contains(&format!("failure receiving the response from {place}")),
        "{}",
        run.stderr
    );
    let port = crate::authserver::free_port();
    let run = ours(&env, &[&format!("http://127.0.0.1:{port}/x")]).code(1);
    assert!(
        run.stderr
            .contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );

    // A head of 200 KB: an error naming the server, not a hang or a crash.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let big_head = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut client, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = client.read(&mut request);
            let head = format!("HTTP/1.1 200 OK\r\nx-big: {}\r\n\r\n", "a".repeat(200_000));
            let _ = client.write_all(head.as_bytes());
        }
    });
    let run = ours(&env, &[&format!("http://127.0.0.1:{big_head}/x")]).code(56);
    assert!(
        run.stderr.contains(&format!(
            "failure receiving the response from 127.0.0.1:{big_head}"
        )),
        "{}",
        run.stderr
    );

    // A loopback proxy named by the environment carries the request (and the token,
    // which only a loopback proxy may).
    let proxy = crate::servers::CountingProxy::start(crate::servers::ProxyKind::Http);
    let out = env
        .command(["curl", "api", "-sf", &format!("{api}/big?n=1000")])
        .env("HTTP_PROXY", &proxy.url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), 1000);
    assert_eq!(proxy.connections(), 1, "the request went through the proxy");
}
