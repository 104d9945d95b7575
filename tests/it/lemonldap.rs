//! A second, independent authorization server nobody here wrote: LemonLDAP::NG 2.16,
//! Debian's package (`scripts/setup` installs it), its portal run by the test under
//! `plackup` on a free loopback port, its configuration and sessions in a temp dir,
//! stopped when dropped. The OpenID Connect issuer has one relying party as an
//! administrator would declare it: a client secret, an exact redirect URI, ID tokens
//! signed with HS512 (LemonLDAP::NG's default for a new client), offline access
//! (refresh tokens), PKCE required. The person logs in through its real login form
//! (the Demo backend's users) in the real Chromium, and consents on its real page.
//!
//! Nothing is skipped: without LemonLDAP::NG these tests fail and say to run
//! scripts/setup.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::authserver::{chromium_browser, free_port};
use crate::harness::{Env, Run};

/// The files LemonLDAP::NG's portal needs here: the portal itself, modules it loads
/// at start that Debian only recommends or suggests (scripts/setup installs them),
/// and Plack's server.
const NEEDED: [&str; 6] = [
    "/usr/share/perl5/Lemonldap/NG/Portal/Main.pm",
    "/usr/share/perl5/IO/String.pm",
    "/usr/share/perl5/String/Random.pm",
    "/usr/share/perl5/GD/SecurityImage.pm",
    "/usr/share/perl5/Image/Magick.pm",
    "/usr/bin/plackup",
];

/// The relying party's client id and secret. The secret is base64-style, as such
/// secrets often are: form-encoding changes it, and LemonLDAP::NG reads HTTP Basic
/// without form-decoding it (issue 25, defect 5).
pub const CLIENT_ID: &str = "outbound-rp";
pub const CLIENT_SECRET: &str = "Zm9v/YmFy+cXV4=";

pub struct Lemonldap {
    child: Child,
    /// `http://127.0.0.1:PORT`, as its discovery document says.
    pub issuer: String,
    /// The one redirect URI the relying party accepts (port included).
    pub redirect_uri: String,
    dir: tempfile::TempDir,
    log: Arc<Mutex<String>>,
}

impl Lemonldap {
    pub fn start() -> Lemonldap {
        for path in NEEDED {
            assert!(
                Path::new(path).exists(),
                "LemonLDAP::NG is not installed here ({path} is missing): run scripts/setup"
            );
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for sub in ["conf", "cache", "sessions/lock", "psessions/lock"] {
            std::fs::create_dir_all(root.join(sub)).expect("LemonLDAP::NG's directories");
        }
        let (private, public) = signing_keys(root);
        let redirect_uri = format!("http://127.0.0.1:{}/callback", free_port());
        // A port found free may be taken before plackup binds it: try another.
        for _ in 0..3 {
            let port = free_port();
            let issuer = format!("http://127.0.0.1:{port}");
            write_config(root, &issuer, &redirect_uri, &private, &public);
            if let Some((child, log)) = spawn(root, port) {
                let server = Lemonldap {
                    child,
                    issuer,
                    redirect_uri,
                    dir,
                    log,
                };
                server.check_discovery();
                return server;
            }
        }
        panic!("LemonLDAP::NG's portal found no free port in three tries");
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// What the portal logged that holds `needle`, counted.
    pub fn count_in_log(&self, needle: &str) -> usize {
        self.log().matches(needle).count()
    }

    /// Its discovery document names it as the issuer: the portal is up and its
    /// OpenID Connect issuer initialized (LemonLDAP::NG answers every request with
    /// an error page when its initialization failed).
    fn check_discovery(&self) {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10"])
            .arg(format!("{}/.well-known/openid-configuration", self.issuer))
            .output()
            .expect("curl");
        let body = String::from_utf8_lossy(&out.stdout);
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "LemonLDAP::NG's discovery is not JSON ({e}): {body}\nportal log:\n{}",
                self.log()
            )
        });
        assert_eq!(doc["issuer"], self.issuer.as_str(), "{doc}");
    }

    /// Deletes the relying party's offline sessions (its refresh tokens) on the
    /// server, as an administrator does in the manager's session explorer:
    /// LemonLDAP::NG 2.16 has no revocation endpoint.
    pub fn delete_refresh_tokens(&self) -> usize {
        let sessions = self.dir.path().join("sessions");
        let mut deleted = 0;
        for entry in std::fs::read_dir(&sessions).expect("sessions") {
            let path = entry.expect("session").path();
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains(r#""_type":"refresh_token""#) {
                std::fs::remove_file(&path).expect("delete the session");
                deleted += 1;
            }
        }
        deleted
    }
}

impl Drop for Lemonldap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An RSA key pair for the issuer (LemonLDAP::NG signs RS256 ID tokens and publishes
/// its JWKS with it; this client's are HS512): PEM text, private and public.
fn signing_keys(dir: &Path) -> (String, String) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "oidc.key",
    ]);
    run(&["pkey", "-in", "oidc.key", "-pubout", "-out", "oidc.pub"]);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("key");
    (read("oidc.key"), read("oidc.pub"))
}

/// lemonldap-ng.ini (the File configuration backend, in `dir`) and lmConf-1.json:
/// the Demo authentication backend, sessions in files in `dir`, the OpenID Connect
/// issuer with one relying party.
fn write_config(dir: &Path, issuer: &str, redirect_uri: &str, private: &str, public: &str) {
    let d = dir.display();
    let ini = format!(
        "[all]\n\
         logLevel = notice\n\
         [configuration]\n\
         type = File\n\
         dirName = {d}/conf\n\
         localStorage = Cache::FileCache\n\
         localStorageOptions = {{ 'namespace' => 'lemonldap-ng-config', 'default_expires_in' => 600, 'cache_root' => '{d}/cache' }}\n\
         [portal]\n\
         staticPrefix = /static\n\
         templateDir = /usr/share/lemonldap-ng/portal/templates\n\
         languages = en\n"
    );
    std::fs::write(dir.join("lemonldap-ng.ini"), ini).expect("lemonldap-ng.ini");
    let storage = |sub: &str| {
        serde_json::json!({
            "Directory": format!("{d}/{sub}"),
            "LockDirectory": format!("{d}/{sub}/lock"),
        })
    };
    let conf = serde_json::json!({
        "cfgNum": 1,
        "cfgAuthor": "outbound's tests",
        "cfgDate": 1_700_000_000,
        "cfgVersion": "2.16.1",
        "authentication": "Demo",
        "userDB": "Same",
        "passwordDB": "Demo",
        "demoExportedVars": { "cn": "cn", "mail": "mail", "uid": "uid" },
        "exportedVars": {},
        "macros": {},
        "groups": {},
        "locationRules": {},
        "exportedHeaders": {},
        "whatToTrace": "uid",
        "portal": format!("{issuer}/"),
        "domain": "127.0.0.1",
        "cookieName": "lemonldap",
        "securedCookie": 0,
        "globalStorage": "Apache::Session::File",
        "globalStorageOptions": storage("sessions"),
        "persistentStorage": "Apache::Session::File",
        "persistentStorageOptions": storage("psessions"),
        "localSessionStorage": "Cache::FileCache",
        "localSessionStorageOptions": {
            "namespace": "lemonldap-ng-sessions",
            "default_expires_in": 600,
            "cache_root": format!("{d}/cache"),
        },
        "issuerDBOpenIDConnectActivation": 1,
        "oidcServiceMetaDataIssuer": issuer,
        "oidcServicePrivateKeySig": private,
        "oidcServicePublicKeySig": public,
        "oidcServiceKeyIdSig": "outbound-tests",
        "oidcRPMetaDataOptions": {
            "outbound": {
                "oidcRPMetaDataOptionsClientID": CLIENT_ID,
                "oidcRPMetaDataOptionsClientSecret": CLIENT_SECRET,
                "oidcRPMetaDataOptionsRedirectUris": redirect_uri,
                "oidcRPMetaDataOptionsIDTokenSignAlg": "HS512",
                "oidcRPMetaDataOptionsAllowOffline": 1,
                "oidcRPMetaDataOptionsRefreshToken": 1,
                "oidcRPMetaDataOptionsRequirePKCE": 1,
                "oidcRPMetaDataOptionsAccessTokenExpiration": 3600,
            }
        },
        "oidcRPMetaDataExportedVars": {
            "outbound": { "name": "cn", "email": "mail", "preferred_username": "uid" }
        },
    });
    std::fs::write(
        dir.join("conf/lmConf-1.json"),
        serde_json::to_string_pretty(&conf).expect("JSON"),
    )
    .expect("lmConf-1.json");
}

/// Starts the portal on `port`; None when the port was taken meanwhile.
fn spawn(dir: &Path, port: u16) -> Option<(Child, Arc<Mutex<String>>)> {
    let psgi = format!("{}/tests/lemonldap/portal.psgi", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("plackup")
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), &psgi])
        .env("LLNG_DEFAULTCONFFILE", dir.join("lemonldap-ng.ini"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("plackup (libplack-perl; run scripts/setup)");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("Accepting connections at") {
                let _ = tx.send(());
            }
            // The access log's lines for the login page's styles and scripts only
            // hide what matters in a failed test's message.
            if line.contains("\"GET /static/") || line.contains("\"GET /javascript/") {
                continue;
            }
            let mut log = sink.lock().expect("log");
            log.push_str(&line);
            log.push('\n');
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if rx.recv_timeout(Duration::from_millis(50)).is_ok() {
            return Some((child, log));
        }
        if let Ok(Some(status)) = child.try_wait() {
            std::thread::sleep(Duration::from_millis(100));
            let said = log.lock().expect("log").clone();
            if said.contains("Address already in use") {
                return None;
            }
            panic!("LemonLDAP::NG's portal exited ({status}):\n{said}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let said = log.lock().expect("log").clone();
            panic!("LemonLDAP::NG's portal did not start within 20 s:\n{said}");
        }
    }
}

/// `app add NAME --issuer …` for the relying party, as its administrator hands it
/// out: client id, secret (read from standard input), the exact redirect URI;
/// `prompt=consent`, which LemonLDAP::NG asks before it grants offline access.
fn add_app(env: &Env, server: &Lemonldap, name: &str) {
    let host = server.issuer.trim_start_matches("http://");
    env.run_with_input(
        &[
            "app",
            "add",
            name,
            "--issuer",
            &server.issuer,
            "--client-id",
            CLIENT_ID,
            "--client-secret-stdin",
            "--scope",
            "openid profile email offline_access",
            "--prompt",
            "consent",
            "--redirect-uri",
            &server.redirect_uri,
            "--allowed-host",
            host,
        ],
        CLIENT_SECRET,
    )
    .ok();
}

/// `outbound authorize NAME` with the real Chromium logging in to the portal.
fn authorize_in_chromium(env: &Env, name: &str, user: &str) -> Run {
    let mut cmd = env.command(["authorize", name, "--yes", "--timeout", "60"]);
    cmd.env("BROWSER", chromium_browser())
        .env("BROWSER_USER", user)
        .env("BROWSER_PASSWORD", user)
        .env("BROWSER_LOG", env.dir.path().join("browser.log"));
    Run::from(cmd.output().expect("spawn outbound"))
}

/// The code flow with PKCE, found by discovery, through LemonLDAP::NG's login form
/// and consent page in Chromium; its HS512 ID token checked with the client secret;
/// the secret taken in HTTP Basic as it is once the encoded one was refused, and
/// kept so; its userinfo endpoint reached with the access token; a refresh; and,
/// once the administrator deleted the offline session, the refused refresh says to
/// authorize again.
#[test]
fn lemonldap_ng_code_flow_refresh_and_hs512_id_token() {
    let server = Lemonldap::start();
    let env = Env::new();
    add_app(&env, &server, "llng");

    let run = authorize_in_chromium(&env, "llng", "dwho");
    assert_eq!(
        run.code,
        0,
        "{}\nbrowser: {}\nportal log:\n{}",
        run.stderr,
        std::fs::read_to_string(env.dir.path().join("browser.log")).unwrap_or_default(),
        server.log()
    );
    assert!(
        run.stderr.contains("with a refresh token"),
        "{}",
        run.stderr
    );
    // Defect 5: the form-encoded secret in HTTP Basic is refused, the raw one taken.
    assert!(
        run.stderr
            .contains("took it in HTTP Basic, not form-encoded"),
        "{}",
        run.stderr
    );
    assert_eq!(server.count_in_log("Wrong credentials for outbound"), 1);
    let stored = env.stored_token("llng", "default").expect("stored");
    assert!(stored["refresh_token"].is_string(), "{stored}");

    // The HS512 ID token, checked with the client secret.
    let who = env.run(&["whoami", "llng", "--json"]).ok().json();
    assert_eq!(who["subject"], "dwho", "{who}");
    assert_eq!(who["issuer"], server.issuer.as_str(), "{who}");
    assert_eq!(who["checked"], "client-secret", "{who}");
    let status = env.status();
    assert_eq!(
        status[0]["identity"]["checked"], "client-secret",
        "{status:?}"
    );
    let run = env.run(&["status"]).ok();
    assert!(
        run.stdout.contains("dwho@badwolf.org (client secret)"),
        "{}",
        run.stdout
    );

    // LemonLDAP::NG's userinfo endpoint, with the access token.
    let userinfo = format!("{}/oauth2/userinfo", server.issuer);
    let run = env.run(&["curl", "llng", &userinfo]).ok();
    let info: serde_json::Value = serde_json::from_str(&run.stdout).expect("userinfo JSON");
    assert_eq!(info["sub"], "dwho", "{info}");
    assert_eq!(info["email"], "dwho@badwolf.org", "{info}");

    // A refresh: a new access token that the userinfo endpoint takes; the secret
    // goes the way that worked at once (no second refusal).
    let before = stored["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let run = env.run(&["token", "llng", "--force-refresh"]).ok();
    let after = run.stdout.trim().to_owned();
    assert!(!after.is_empty() && after != before, "{after}");
    assert_eq!(server.count_in_log("Wrong credentials for outbound"), 1);
    let run = env.run(&["curl", "llng", &userinfo]).ok();
    assert!(run.stdout.contains(r#""sub":"dwho""#), "{}", run.stdout);
    let who = env.run(&["whoami", "llng", "--json"]).ok().json();
    assert_eq!(who["checked"], "client-secret", "{who}");

    // The offline session deleted at the server: LemonLDAP::NG refuses the refresh
    // token with invalid_request (defect 3); the next step is named.
    assert_eq!(server.delete_refresh_tokens(), 1);
    let run = env.run(&["token", "llng", "--force-refresh"]).code(7);
    assert!(run.stderr.contains("invalid_request"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the account must be authorized again")
            && run.stderr.contains("run outbound authorize llng"),
        "{}",
        run.stderr
    );
}

/// `authorize --manual`: nothing listens at the redirect URI; the person logs in
/// (another Demo user), consents, and pastes the address the browser landed on.
#[test]
fn lemonldap_ng_manual_authorization() {
    let server = Lemonldap::start();
    let env = Env::new();
    add_app(&env, &server, "llng");
    let mut child = env
        .command(["authorize", "llng", "--yes", "--manual", "--timeout", "60"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut url = String::new();
    let mut seen = String::new();
    while url.is_empty() {
        let mut line = String::new();
        let n = stderr.read_line(&mut line).expect("read stderr");
        assert!(n > 0, "no URL printed: {seen}");
        seen.push_str(&line);
        if line.trim_start().starts_with(&server.issuer) {
            url = line.trim().to_owned();
        }
    }
    let out = Command::new("node")
        .arg(format!(
            "{}/chromium-browser.mjs",
            crate::authserver::authserver_dir()
        ))
        .arg(&url)
        .env("BROWSER_MODE", "print")
        .env("BROWSER_USER", "rtyler")
        .env("BROWSER_PASSWORD", "rtyler")
        .env("BROWSER_LOG", env.dir.path().join("browser.log"))
        .output()
        .expect("node");
    let landed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        landed.starts_with(&server.redirect_uri) && landed.contains("code="),
        "the browser landed on {landed:?}: {}\nbrowser: {}\nportal log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(env.dir.path().join("browser.log")).unwrap_or_default(),
        server.log()
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{landed}\n").as_bytes())
        .expect("paste");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("read stderr");
    let status = child.wait().expect("wait");
    assert!(status.success(), "{seen}{rest}");
    let who = env.run(&["whoami", "llng", "--json"]).ok().json();
    assert_eq!(who["subject"], "rtyler", "{who}");
    assert_eq!(who["checked"], "client-secret", "{who}");
}
