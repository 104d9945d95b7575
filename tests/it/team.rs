//! The team store (7/7) against a real PostgreSQL from Debian's packages, started
//! here in a temp dir (`initdb` as the `postgres` user when run as root, listening
//! on loopback and a socket in the temp dir) and stopped at the end of each test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::authserver::{AuthServer, Options, free_port};
use crate::harness::{Env, Run};
use crate::servers::PrivateKeyring;

/// A throwaway cluster; stopped (`pg_ctl stop -m immediate`) when dropped.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

fn postgres_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql (scripts/setup installs Debian's postgresql)")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().expect("a PostgreSQL with initdb")
}

fn as_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = postgres_bin();
        let port = free_port();
        let data = dir.path().join("data");
        if as_root() {
            // The server refuses to run as root: its files belong to `postgres`.
            crate::harness::chmod(dir.path(), 0o777);
        }
        let pg = Postgres { dir, bin, port };
        pg.tool(&[
            "initdb",
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]);
        // Role `pw` must give a password; role `tlsonly` must come over TLS.
        let hba = data.join("pg_hba.conf");
        let rest = std::fs::read_to_string(&hba).expect("pg_hba.conf");
        std::fs::write(
            &hba,
            format!(
                "host all pw 127.0.0.1/32 scram-sha-256\nhostnossl all tlsonly 127.0.0.1/32 reject\n{rest}"
            ),
        )
        .expect("pg_hba.conf");
        pg.make_certificates();
        pg.start_server();
        pg.sql("postgres", "CREATE DATABASE team");
        pg
    }

    /// A CA and the server's certificate for 127.0.0.1 (tls/ca.pem, server.pem,
    /// server.key), owned by the server's user.
    fn make_certificates(&self) {
        let tls = self.dir.path().join("tls");
        std::fs::create_dir_all(&tls).unwrap();
        crate::authserver::private_ca(&tls);
        if as_root() {
            let out = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .unwrap();
            let uid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            #[cfg(unix)]
            for f in ["server.key", "server.pem"] {
                std::os::unix::fs::chown(tls.join(f), Some(uid), None).unwrap();
            }
            #[cfg(not(unix))]
            let _ = uid;
        }
        crate::harness::chmod(&tls.join("server.key"), 0o600);
    }

    pub fn tls_file(&self, name: &str) -> PathBuf {
        self.dir.path().join("tls").join(name)
    }

    fn start_server(&self) {
        let tls = self.dir.path().join("tls");
        let options = format!(
            "-k {dir} -c listen_addresses=127.0.0.1 -p {port} -c max_connections=260 -c fsync=off -c shared_buffers=32MB -c log_connections=on -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}",
            dir = self.dir.path().display(),
            port = self.port,
            cert = tls.join("server.pem").display(),
            key = tls.join("server.key").display(),
        );
        let data = self.dir.path().join("data");
        self.tool(&[
            "pg_ctl",
            "-D",
            data.to_str().unwrap(),
            "-o",
            &options,
            "-l",
            self.dir.path().join("log").to_str().unwrap(),
            "-w",
            "start",
        ]);
    }

    /// A PostgreSQL program, run as the `postgres` user when we are root.
    fn tool_command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        }
    }

    fn tool(&self, args: &[&str]) {
        let out = self
            .tool_command(args[0])
            .args(&args[1..])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("postgres tool");
        assert!(
            out.status.success(),
            "{} failed: {}{}",
            args[0],
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs SQL as the superuser in `db` with psql; returns its unaligned output.
    pub fn sql(&self, db: &str, sql: &str) -> String {
        self.sql_as("postgres", db, sql)
    }

    /// [`Postgres::sql`] as the login role `role`: what that role may see.
    pub fn sql_as(&self, role: &str, db: &str, sql: &str) -> String {
        self.try_sql_as(role, db, sql)
            .unwrap_or_else(|e| panic!("psql {sql}: {e}"))
    }

    /// [`Postgres::sql_as`] that may be refused: Err(psql's standard error).
    pub fn try_sql_as(&self, role: &str, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                role,
                "-d",
                db,
            ])
            .args(["-c", sql])
            .output()
            .expect("psql (postgresql-client)");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    pub fn url(&self, role: &str) -> String {
        format!(
            "postgresql://{role}@127.0.0.1:{}/team?sslmode=disable",
            self.port
        )
    }

    /// libpq's Unix-socket form: the socket in the cluster's temp dir.
    pub fn socket_url(&self, role: &str) -> String {
        format!(
            "postgresql://{role}@/team?host={}&port={}",
            self.dir.path().display(),
            self.port
        )
    }

    /// How many connections the server has let in so far (from its log).
    #[cfg(unix)]
    pub fn connections(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("log"))
            .unwrap_or_default()
            .matches("connection authorized")
            .count()
    }

    /// The server's log so far (connections; statements once `log_statement` is on).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// Stops the server (fast), for the tests of an unreachable store.
    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    pub fn restart(&self) {
        self.start_server();
    }

    fn pg_ctl(&self, what: &str) {
        let data = self.dir.path().join("data");
        self.tool(&[
            "pg_ctl",
            "-D",
            data.to_str().unwrap(),
            "-m",
            "fast",
            "-w",
            what,
        ]);
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .tool_command("pg_ctl")
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A cluster with the store initialized, the roles `admin` (administrator), `ci`,
/// `alice` and `bob` (members), and a data key file.
pub struct Team {
    pub pg: Postgres,
    pub key_file: PathBuf,
    _keys: tempfile::TempDir,
}

impl Team {
    pub fn start() -> Team {
        let pg = Postgres::start();
        let keys = tempfile::tempdir().expect("tempdir");
        let key_file = keys.path().join("data.key");
        write_key(&key_file, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        let owner = machine(&pg.url("postgres"), &key_file);
        owner.run(&["store", "init"]).ok();
        pg.sql(
            "team",
            "CREATE ROLE admin LOGIN; CREATE ROLE ci LOGIN; CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN; \
             GRANT outbound_admins TO admin; GRANT outbound_team TO ci, alice, bob",
        );
        Team {
            pg,
            key_file,
            _keys: keys,
        }
    }

    /// A "machine": its own HOME, XDG dirs and state, sharing only the database URL
    /// (as `role`) and the data key.
    pub fn machine(&self, role: &str) -> Env {
        machine(&self.pg.url(role), &self.key_file)
    }
}

/// A data key file, 0600: outbound refuses one that group or others may read.
pub fn write_key(path: &Path, key: &str) {
    write_private(path, &format!("{key}\n"));
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("key file");
    crate::harness::chmod(path, 0o600);
}

fn machine(url: &str, key_file: &Path) -> Env {
    let mut env = Env::new();
    env.set("OUTBOUND_STORE", "postgres");
    env.set("OUTBOUND_DATABASE_URL", url);
    env.set("OUTBOUND_STORE_KEY_FILE", key_file.display().to_string());
    env
}

fn spawn_token(env: &Env, app: &str) -> std::process::Child {
    env.command(["token", app])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound")
}

#[test]
fn store_init_is_idempotent_and_refuses_a_newer_schema() {
    let team = Team::start();
    let owner = machine(&team.pg.url("postgres"), &team.key_file);
    let run = owner.run(&["store", "init"]).ok();
    assert!(run.stderr.contains("already there"), "{}", run.stderr);
    let before = machine(&team.pg.url("postgres"), &team.key_file);
    let run = before.run(&["app", "list"]).ok();
    // An empty list names both places a new application could be in.
    assert!(
        run.stderr
            .contains("or the team store postgresql://postgres@127.0.0.1"),
        "{}",
        run.stderr
    );
    team.pg
        .sql("team", "INSERT INTO outbound_schema (version) VALUES (99)");
    let run = owner.run(&["app", "list"]).code(1);
    assert!(run.stderr.contains("schema version 99"), "{}", run.stderr);
    assert!(run.stderr.contains("upgrade outbound"), "{}", run.stderr);
    let run = owner.run(&["store", "init"]).code(1);
    assert!(run.stderr.contains("schema version 99"), "{}", run.stderr);
    // An empty database is named as such, with the fix.
    team.pg.sql("postgres", "CREATE DATABASE other");
    let url = team.pg.url("postgres").replace("/team?", "/other?");
    let run = machine(&url, &team.key_file).run(&["app", "list"]).code(1);
    assert!(run.stderr.contains("outbound store init"), "{}", run.stderr);
    // libpq's Unix-socket URL (empty host, `host=/dir`) reaches the same database, and
    // messages name it with its socket directory.
    let socket = machine(&team.pg.socket_url("postgres"), &team.key_file);
    let run = socket.run(&["app", "list"]).code(1);
    assert!(run.stderr.contains("schema version 99"), "{}", run.stderr);
    assert!(run.stderr.contains("?host=/"), "{}", run.stderr);
    // Something that is not a URL says which forms are.
    let run = machine("db.example/team", &team.key_file)
        .run(&["app", "list"])
        .code(1);
    assert!(
        run.stderr
            .contains("postgresql://USER@/DB?host=/SOCKET/DIR"),
        "{}",
        run.stderr
    );
}

#[test]
fn only_administrators_change_apps_and_accounts_are_personal_unless_shared() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    // A member sees the definition at once, and may not change it.
    let alice = team.machine("alice");
    let list = alice.run(&["app", "list"]).ok();
    assert!(list.stdout.contains("svc"), "{}", list.stdout);
    for args in [
        vec!["app", "disable", "svc"],
        vec!["app", "edit", "svc", "--description", "x"],
        vec!["app", "delete", "svc", "--yes"],
    ] {
        let run = alice.run(&args).code(12);
        assert!(run.stderr.contains("outbound_admins"), "{}", run.stderr);
        // What it means comes first, naming who can; the database's words after.
        assert!(
            run.stderr.contains(
                "error: only the team store's administrators (role `outbound_admins`: admin) may"
            ),
            "{}",
            run.stderr
        );
        let meaning = run.stderr.find("administrators").unwrap();
        let raw = run.stderr.find("the database").unwrap_or(usize::MAX);
        assert!(meaning < raw, "{}", run.stderr);
    }
    let run = alice.run_with_input(
        &[
            "app",
            "add",
            "mine",
            "--grant",
            "client_credentials",
            "--token-url",
            &format!("{}/token", server.issuer),
            "--client-id",
            "cc-app",
            "--client-secret-stdin",
        ],
        "cc-secret",
    );
    assert_eq!(run.code, 12, "{}", run.stderr);
    assert!(!alice.run(&["app", "list"]).ok().stdout.contains("mine"));
    // Every member can use the client secret the administrator set.
    let a = alice.run(&["token", "svc"]).ok().stdout;
    assert!(!a.trim().is_empty());
    // Alice's account is hers: bob's `default` is his own, fetched anew.
    let bob = team.machine("bob");
    let b = bob.run(&["token", "svc"]).ok().stdout;
    assert_ne!(a, b, "bob must not get alice's token");
    let owners = team.pg.sql(
        "team",
        "SELECT owner FROM outbound_secrets WHERE kind = 'token' ORDER BY owner",
    );
    assert_eq!(owners.trim(), "alice\nbob");
    // As bob, the database shows no row naming alice's personal account.
    let seen = team.pg.sql_as(
        "bob",
        "team",
        "SELECT owner FROM outbound_secrets WHERE account <> '' UNION ALL SELECT owner FROM outbound_accounts",
    );
    assert!(!seen.contains("alice"), "{seen}");
    assert!(seen.contains("bob"), "{seen}");
}

#[test]
fn nothing_readable_is_in_the_database_and_moved_or_foreign_rows_do_not_open() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    admin.add_cc("other", &server.issuer, &[]);
    let alice = team.machine("alice");
    let token = alice.run(&["token", "svc"]).ok().stdout;
    alice.run(&["token", "other"]).ok();
    let dump = team.pg.sql(
        "team",
        "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM outbound_secrets) t",
    );
    let dump_all = format!(
        "{dump}{}",
        team.pg.sql(
            "team",
            "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM outbound_accounts) t"
        )
    );
    for secret in [
        token.trim(),
        "cc-secret",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    ] {
        assert!(!dump_all.contains(secret), "found a secret in the tables");
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(
            !dump_all.contains(&hex),
            "found a secret (hex) in the tables"
        );
    }
    // Alice's token for `svc` moved onto her row of `other`: refused, named.
    let svc = admin.app_id("svc");
    let other = admin.app_id("other");
    team.pg.sql(
        "team",
        &format!(
            "UPDATE outbound_secrets o SET sealed = s.sealed, key_id = s.key_id FROM outbound_secrets s \
             WHERE o.app_id = '{other}' AND o.kind = 'token' AND s.app_id = '{svc}' AND s.kind = 'token'"
        ),
    );
    let run = alice.run(&["token", "other"]).code(11);
    assert!(
        run.stderr.contains("moved from another row or altered"),
        "{}",
        run.stderr
    );
    // Each named as people know it, by the application's name (not its id).
    assert!(
        run.stderr
            .contains("the token of account `default` of application `other`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&other), "{}", run.stderr);
    // A machine with another data key is told so.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.key");
    write_key(&wrong, "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=");
    let stranger = machine(&team.pg.url("alice"), &wrong);
    let run = stranger.run(&["token", "svc"]).code(11);
    assert!(run.stderr.contains("the wrong data key"), "{}", run.stderr);
    assert!(run.stderr.contains("application `svc`"), "{}", run.stderr);
    assert!(!run.stderr.contains(&svc), "{}", run.stderr);
    assert!(!run.all().contains(token.trim()));
}

#[test]
fn reset_disable_and_delete_on_one_machine_reach_every_other_at_once() {
    let team = Team::start();
    let server = AuthServer::with(Options::default());
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &[]);
    let one = team.machine("ci");
    let eight = team.machine("ci");
    one.authorize("nat", &[]).ok();
    let token = eight.run(&["token", "nat"]).ok().stdout;
    assert!(!token.trim().is_empty());
    admin.run(&["app", "disable", "nat"]).ok();
    for m in [&one, &eight] {
        m.run(&["token", "nat"]).code(5);
    }
    admin.run(&["app", "enable", "nat"]).ok();
    eight.run(&["token", "nat"]).ok();
    // An account disabled on one machine is inactive on all (exit 5), until enabled.
    eight.run(&["account", "disable", "nat"]).ok();
    one.run(&["token", "nat"]).code(5);
    one.run(&["account", "enable", "nat"]).ok();
    eight.run(&["token", "nat"]).ok();
    admin.run(&["app", "reset", "nat", "--yes"]).ok();
    let run = eight.run(&["token", "nat"]).code(4);
    assert!(
        run.stderr.contains("outbound authorize nat"),
        "{}",
        run.stderr
    );
    one.run(&["token", "nat"]).code(4);
    one.authorize("nat", &[]).ok();
    let id = admin.app_id("nat");
    admin.run(&["app", "delete", "nat", "--yes"]).ok();
    let run = eight.run(&["token", "nat"]).code(1);
    assert!(
        run.stderr.contains("no application named `nat`"),
        "{}",
        run.stderr
    );
    // The role's rows of the deleted app are orphans, seen and pruned from any machine.
    let status = eight.status();
    assert!(status.iter().any(|r| r["state"] == "orphan"), "{status:?}");
    eight.run(&["prune"]).ok();
    let left = team.pg.sql(
        "team",
        &format!("SELECT count(*) FROM outbound_secrets WHERE app_id = '{id}'"),
    );
    assert_eq!(left.trim(), "0");
    // A client secret left by an `app add` killed before it committed: only an
    // administrator's prune removes it (and only once it is ten minutes old).
    team.pg.sql(
        "team",
        "INSERT INTO outbound_secrets (app_id, account, kind, owner, key_id, sealed, updated_at) \
         VALUES ('gone', '', 'client-secret', '', 'k', '\\x00', now() - interval '1 hour')",
    );
    eight.run(&["prune"]).ok();
    let count = || {
        team.pg.sql(
            "team",
            "SELECT count(*) FROM outbound_secrets WHERE app_id = 'gone'",
        )
    };
    assert_eq!(count().trim(), "1");
    let run = admin.run(&["prune"]).ok();
    assert!(
        run.stderr.contains("removed 1 client secret"),
        "{}",
        run.stderr
    );
    assert_eq!(count().trim(), "0");
}

/// `nat` authorized for the `ci` role that 8 machines share; access tokens live
/// `access_ttl` seconds and are refreshed in their last second.
fn fleet(access_ttl: u64) -> (Team, AuthServer, Vec<Env>) {
    fleet_with(access_ttl, Vec::new())
}

/// [`fleet`] with more of the test server's environment.
fn fleet_with(
    access_ttl: u64,
    env: Vec<(&'static str, &'static str)>,
) -> (Team, AuthServer, Vec<Env>) {
    let team = Team::start();
    let server = AuthServer::with(Options {
        access_ttl: Some(access_ttl),
        env,
        ..Options::default()
    });
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &["--refresh-skew", "1s"]);
    let machines: Vec<Env> = (0..8)
        .map(|_| {
            let mut m = team.machine("ci");
            m.set("OUTBOUND_OAUTH_TIMEOUT", "5");
            m
        })
        .collect();
    machines[0].authorize("nat", &[]).ok();
    (team, server, machines)
}

#[test]
fn eight_machines_by_twenty_five_processes_across_an_expiry_cause_one_refresh() {
    // The refreshed token lives two minutes: 200 processes on a small, loaded
    // machine are done before it is due again, so one refresh is all there may be.
    let (_team, server, machines) = fleet_with(11, vec![("REFRESHED_ACCESS_TTL", "120")]);
    let before = machines[3].run(&["token", "nat"]).ok().stdout;
    std::thread::sleep(Duration::from_millis(10_300));
    let start = Instant::now();
    let children: Vec<_> = machines
        .iter()
        .flat_map(|m| (0..25).map(move |_| spawn_token(m, "nat")))
        .collect();
    let mut tokens = std::collections::BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokens.insert(String::from_utf8_lossy(&out.stdout).trim().to_owned());
    }
    let wall = start.elapsed();
    assert_eq!(
        server.wait_for_token_requests("refresh_token", 1),
        1,
        "{}",
        server.log()
    );
    assert_eq!(tokens.len(), 1, "every process got the one refreshed token");
    let token = tokens.into_iter().next().unwrap();
    assert_ne!(token, before.trim());
    // The grant is not revoked (a reused refresh token would revoke it): the token is
    // active, and the grant refreshes again.
    assert!(server.is_active(&token), "the grant is not revoked");
    let again = machines[5]
        .run(&["token", "nat", "--force-refresh"])
        .ok()
        .stdout;
    assert_ne!(again.trim(), token);
    assert!(server.is_active(again.trim()), "the grant is not revoked");
    eprintln!("fleet: 200 processes, 1 refresh, {} ms", wall.as_millis());
}

#[test]
fn a_lease_holder_killed_mid_refresh_ends_as_documented() {
    let (team, server, machines) = fleet(2);
    std::thread::sleep(Duration::from_millis(2300));
    // The server takes 3 s to answer: the holder is killed while it waits.
    server.quirks(&["slow"]);
    let mut holder = spawn_token(&machines[0], "nat");
    server.wait_for_log("TOKEN grant_type=refresh_token");
    holder.kill().unwrap();
    holder.wait().unwrap();
    // A waiter that may not wait long gives up naming the holder.
    let mut hasty = machines[1].command(["token", "nat"]);
    hasty.env("OUTBOUND_LOCK_TIMEOUT", "1");
    let run = Run::from(hasty.output().unwrap()).code(1);
    assert!(run.stderr.contains("lease held by"), "{}", run.stderr);
    assert!(run.stderr.contains(" pid "), "{}", run.stderr);
    let lease = team.pg.sql(
        "team",
        "SELECT lease_holder FROM outbound_accounts WHERE lease_holder IS NOT NULL",
    );
    assert!(
        lease.contains("pid"),
        "the dead holder's lease is there: {lease}"
    );
    // The server completes the refresh it received: the old refresh token is spent.
    std::thread::sleep(Duration::from_millis(3200));
    let start = Instant::now();
    let waiters: Vec<_> = machines[1..]
        .iter()
        .flat_map(|m| (0..3).map(move |_| spawn_token(m, "nat")))
        .collect();
    for child in waiters {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains("outbound authorize nat"), "{stderr}");
    }
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(60), "{waited:?}");
    // Exactly one waiter took the lease over and tried the old refresh token.
    assert_eq!(
        server.wait_for_token_requests("refresh_token", 2),
        2,
        "{}",
        server.log()
    );
    let status = machines[7].status();
    let row = status.iter().find(|r| r["app"] == "nat").unwrap();
    assert_eq!(row["state"], "needs-authorization", "{status:?}");
    let last = row["last_error"].as_str().unwrap_or_default();
    assert!(last.contains("was interrupted"), "{last}");
    // Authorizing again (on any machine) repairs it for all.
    server.quirks(&[]);
    machines[5].authorize("nat", &[]).ok();
    machines[2].run(&["token", "nat"]).ok();
}

#[test]
fn a_stopped_database_is_named_with_exit_10_and_everything_works_when_it_is_back() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let m = team.machine("alice");
    m.run(&["token", "svc"]).ok();
    team.pg.stop();
    let start = Instant::now();
    let run = m.run(&["token", "svc"]).code(10);
    assert!(start.elapsed() < Duration::from_secs(45));
    assert!(
        run.stderr
            .contains(&format!("127.0.0.1:{}/team", team.pg.port)),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("could not be reached"),
        "{}",
        run.stderr
    );
    admin.run(&["app", "disable", "svc"]).code(10);
    team.pg.restart();
    m.run(&["token", "svc"]).ok();
    admin.run(&["app", "list"]).ok();
}

#[test]
fn a_run_without_database_url_or_data_key_says_what_to_set() {
    let team = Team::start();
    let server = AuthServer::start();
    // A keyring of its own: whatever another test kept as `store-key` in the
    // session's keyring is not this machine's.
    let keyring = PrivateKeyring::start();
    let mut m = Env::new();
    m.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
    m.set("OUTBOUND_STORE", "postgres");
    // The first administrator, before anything is sealed: how to make the key.
    let mut first = Env::new();
    first.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
    first.set("OUTBOUND_STORE", "postgres");
    first.set("OUTBOUND_DATABASE_URL", team.pg.url("admin"));
    let run = first
        .run_with_input(
            &[
                "app",
                "add",
                "svc0",
                "--grant",
                "client_credentials",
                "--token-url",
                &format!("{}/token", server.issuer),
                "--client-id",
                "cc-app",
                "--client-secret-stdin",
            ],
            "cc-secret",
        )
        .code(11);
    assert!(
        run.stderr.contains("openssl rand -base64 32"),
        "{}",
        run.stderr
    );
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let run = m.run(&["app", "list"]).code(1);
    assert!(
        run.stderr.contains("OUTBOUND_DATABASE_URL"),
        "{}",
        run.stderr
    );
    m.set("OUTBOUND_DATABASE_URL", team.pg.url("alice"));
    m.run(&["app", "list"]).ok();
    // A member without the key is told which key seals the team's secrets and whom
    // to ask for it (it said to make one: a new key opens nothing), by name.
    let run: Run = m.run(&["token", "svc"]).code(11);
    let doctor = team.machine("alice").run(&["doctor", "svc"]).stdout;
    let key_id = doctor
        .split("data key ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no data key id in {doctor}"));
    assert!(
        run.stderr
            .contains("error: the team store's data key is unavailable: this machine has none"),
        "{}",
        run.stderr
    );
    for said in [
        key_id,
        "role `outbound_admins`: admin",
        "outbound doctor",
        "outbound store set-key < team.key",
        "do not make a new one",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("openssl rand"), "{}", run.stderr);
    // doctor says the same, on the store's line.
    let run = m.run(&["doctor", "svc"]);
    assert!(
        run.stdout.contains("data key is unavailable"),
        "{}",
        run.all()
    );
    assert!(
        !run.stdout.contains("OS keyring reachable"),
        "{}",
        run.all()
    );
    let keyed = team.machine("alice");
    let run = keyed.run(&["doctor", "svc"]);
    assert!(
        run.stdout.contains("team store postgresql://alice@"),
        "{}",
        run.all()
    );
    // A password in the config file is refused, the file untouched.
    std::fs::create_dir_all(m.config_path().parent().unwrap()).unwrap();
    let text = "store = \"postgres\"\ndatabase_url = \"postgresql://u:hunter2@h/db\"\n";
    std::fs::write(m.config_path(), text).unwrap();
    let mut m2 = m;
    m2.set("OUTBOUND_DATABASE_URL", "");
    let run = m2.run(&["app", "list"]).code(3);
    assert!(run.stderr.contains("~/.pgpass"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(m2.config_path()).unwrap(), text);
}

#[test]
fn definitions_export_from_a_file_import_into_the_store_and_back() {
    let team = Team::start();
    let server = AuthServer::start();
    // An administrator's file, exported for review, imported into the team store.
    let local = Env::new();
    local.add_cc("svc", &server.issuer, &["--description", "billing API"]);
    let exported = local.run(&["app", "export"]).ok().stdout;
    assert!(exported.contains("[apps.svc]"), "{exported}");
    assert!(exported.contains("client_secret = \"store\""), "{exported}");
    assert!(!exported.contains("cc-secret"));
    let file = local.dir.path().join("apps.toml");
    std::fs::write(&file, &exported).unwrap();
    let admin = team.machine("admin");
    let run = admin.run(&["app", "import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("1 added"), "{}", run.stderr);
    let run = admin.run(&["app", "import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("1 unchanged"), "{}", run.stderr);
    assert_eq!(admin.app_id("svc"), local.app_id("svc"), "the id is kept");
    assert_eq!(admin.run(&["app", "export", "svc"]).ok().stdout, exported);
    // A member may not import; a broken file changes nothing.
    team.machine("alice")
        .run(&["app", "import", file.to_str().unwrap()])
        .code(12);
    std::fs::write(&file, "[apps.x]\nclient_idd = 1\n").unwrap();
    let run = admin
        .run(&["app", "import", file.to_str().unwrap()])
        .code(3);
    assert!(
        run.stderr.contains("did you mean `client_id`"),
        "{}",
        run.stderr
    );
    assert!(admin.run(&["app", "list"]).ok().stdout.contains("svc"));
}

#[test]
fn store_migrate_moves_apps_and_tokens_into_the_team_store_without_authorizing() {
    let team = Team::start();
    let server = AuthServer::start();
    // An administrator who used the keyring so far.
    let mut me = Env::new();
    me.add_native("nat", &server.issuer, &[]);
    me.authorize("nat", &[]).ok();
    let token = me.run(&["token", "nat"]).ok().stdout;
    me.set("OUTBOUND_DATABASE_URL", team.pg.url("admin"));
    me.set(
        "OUTBOUND_STORE_KEY_FILE",
        team.key_file.display().to_string(),
    );
    let run = me
        .run(&["store", "migrate", "--from", "keyring", "--to", "postgres"])
        .ok();
    assert!(run.stderr.contains("1 account"), "{}", run.stderr);
    // The printed next step names the team store in the file.
    assert!(run.stderr.contains("database_url = "), "{}", run.stderr);
    assert!(
        !me.config_text().contains("[apps.nat]"),
        "gone from the file: {}",
        me.config_text()
    );
    me.set("OUTBOUND_STORE", "postgres");
    assert!(
        me.stored_token("nat", "default").is_none(),
        "gone from the keyring"
    );
    let list = me.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("nat (team)"), "{list}");
    assert_eq!(
        me.run(&["token", "nat"]).ok().stdout,
        token,
        "no new authorization"
    );
    let status = me.status();
    assert_eq!(status[0]["state"], "authorized", "{status:?}");
    assert_eq!(status[0]["place"], "team", "{status:?}");
    // Out of the team store: one at a time, each command printed runs as it is.
    let run = me
        .run(&["store", "migrate", "--from", "postgres", "--to", "keyring"])
        .code(2);
    let fix = printed_fix(&run.stderr);
    assert_eq!(fix, "outbound app move nat --to personal", "{}", run.stderr);
    // Leaving the team store takes the app from every other member: asked first.
    // Without a terminal it is refused, naming --yes; on one, `n` keeps it where
    // it is and `y` moves it.
    let run = me.run(&printed_args(&fix)).code(2);
    assert!(
        run.stderr.contains("Every other member loses it") && run.stderr.contains("--yes"),
        "{}",
        run.stderr
    );
    assert!(!me.config_text().contains("[apps.nat]"));
    let command = printed_args(&fix).join(" ");
    let (ok, screen) = me.in_pty(&command, &["n"], &[]);
    assert!(!ok && screen.contains("move cancelled"), "{screen}");
    assert!(!me.config_text().contains("[apps.nat]"));
    let (ok, screen) = me.in_pty(&command, &["y"], &[]);
    assert!(ok, "{screen}");
    assert!(me.config_text().contains("[apps.nat]"));
    assert_eq!(me.run(&["token", "nat"]).ok().stdout, token);
    assert!(me.stored_token("nat", "default").is_some());
}

/// The command after the first `fix: ` of a message, without its backquotes.
fn printed_fix(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("fix: "))
        .unwrap_or_else(|| panic!("no fix in: {stderr}"));
    match line.split('`').nth(1) {
        Some(quoted) => quoted.to_owned(),
        None => line.trim().to_owned(),
    }
}

/// A printed `outbound …` command as the arguments to run it with.
fn printed_args(command: &str) -> Vec<&str> {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("outbound"), "{command}");
    words.collect()
}

/// One configuration names its team store beside its own applications (issue 24,
/// item 1): every command sees both, each marked with where it lives; a name both
/// define is refused naming both places; `app add --team`, `app move` and `app
/// rename` say where; every fix printed on the way is run as printed.
#[test]
fn personal_and_team_apps_live_side_by_side() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("team-api", &server.issuer, &[]);
    // Alice's own app, in her file and keyring; then the team store named at its top.
    let mut alice = Env::new();
    alice.add_cc("mine", &server.issuer, &[]);
    let mine = alice.run(&["token", "mine"]).ok().stdout;
    let text = alice.config_text();
    std::fs::write(
        alice.config_path(),
        format!("database_url = \"{}\"\n\n{text}", team.pg.url("alice")),
    )
    .unwrap();
    alice.set(
        "OUTBOUND_STORE_KEY_FILE",
        team.key_file.display().to_string(),
    );
    let list = alice.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("mine (personal)"), "{list}");
    assert!(list.contains("team-api (team)"), "{list}");
    let json = alice.run(&["app", "list", "--json"]).ok().json();
    let places: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["place"].as_str().unwrap()))
        .collect();
    assert_eq!(places, [("mine", "personal"), ("team-api", "team")]);
    // Both work, each from its own store.
    assert_eq!(alice.run(&["token", "mine"]).ok().stdout, mine);
    assert!(alice.stored_token("mine", "default").is_some());
    alice.run(&["token", "team-api"]).ok();
    let status = alice.status();
    let place_of = |status: &[serde_json::Value], app: &str| {
        status
            .iter()
            .find(|r| r["app"] == app)
            .map(|r| r["place"].clone())
    };
    assert_eq!(place_of(&status, "mine"), Some("personal".into()));
    assert_eq!(place_of(&status, "team-api"), Some("team".into()));
    // Completion offers both, marked.
    let mut cmd = alice.command(["--", "outbound", "token", ""]);
    cmd.env("COMPLETE", "fish");
    let fish = Run::from(cmd.output().unwrap()).ok();
    assert!(fish.stdout.contains("mine\t(personal)"), "{}", fish.stdout);
    assert!(fish.stdout.contains("team-api\t(team)"), "{}", fish.stdout);

    // A member cannot add to the team store; a new app is hers unless she says so.
    let add_other = [
        "app",
        "add",
        "other",
        "--grant",
        "client_credentials",
        "--client-id",
        "cid",
        "--token-url",
        "https://127.0.0.1:1/token",
        "--client-secret-stdin",
        "--team",
    ];
    alice.run_with_input(&add_other, "s").code(12);

    // The team defines `mine` too: neither is used, both places are named.
    admin.add_cc("mine", &server.issuer, &[]);
    let run = alice.run(&["token", "mine"]).code(3);
    assert!(run.stderr.contains("defined twice"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&alice.config_path().display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("team store"), "{}", run.stderr);
    // The others still work; a listing says what works, then fails.
    alice.run(&["token", "team-api"]).ok();
    let run = alice.run(&["app", "list"]).code(3);
    assert!(run.stdout.contains("team-api"), "{}", run.stdout);
    // The printed fix, as printed: hers gets another name, her token stays with it.
    let run = alice.run(&["token", "mine"]).code(3);
    let fix = printed_fix(&run.stderr);
    assert_eq!(fix, "outbound app rename mine mine-personal");
    alice.run(&printed_args(&fix)).ok();
    assert_eq!(alice.run(&["token", "mine-personal"]).ok().stdout, mine);
    alice.run(&["token", "mine"]).ok();
    let list = alice.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("mine-personal (personal)"), "{list}");
    assert!(list.contains("mine (team)"), "{list}");

    // An administrator moves her own app into the team store with its secret and
    // tokens: nobody authorizes again, and the members see it at once.
    admin.add_cc("own", &server.issuer, &["--personal"]);
    let admin_own = admin.run(&["token", "own"]).ok().stdout;
    let list = admin.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("own (personal)"), "{list}");
    let run = admin.run(&["app", "move", "own", "--to", "team"]).ok();
    assert!(run.stderr.contains("moved `own`"), "{}", run.stderr);
    assert!(run.stderr.contains("1 account"), "{}", run.stderr);
    // A client-credentials app needs no person: nobody is told to authorize it.
    assert!(
        run.stderr.contains("no one authorizes it"),
        "{}",
        run.stderr
    );
    assert_eq!(admin.run(&["token", "own"]).ok().stdout, admin_own);
    assert!(admin.stored_token("own", "default").is_none());
    let list = admin.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("own (team)"), "{list}");
    alice.run(&["token", "own"]).ok();
    // A move cut short (the definition in both places, one id): every command
    // names `app move` to finish it, and that finishes it.
    let exported = admin.run(&["app", "export", "own"]).ok().stdout;
    let text = admin.config_text();
    std::fs::write(admin.config_path(), format!("{text}\n{exported}")).unwrap();
    let run = admin.run(&["token", "own"]).code(3);
    assert!(run.stderr.contains("cut short"), "{}", run.stderr);
    let fix = printed_fix(&run.stderr);
    assert_eq!(fix, "outbound app move own --to team");
    admin.run(&printed_args(&fix)).ok();
    assert!(!admin.config_text().contains("[apps.own]"));
    assert_eq!(admin.run(&["token", "own"]).ok().stdout, admin_own);

    // The team store down: her own apps work, with a warning; a team app's use
    // says why it is not there (exit 10).
    let closed = free_port();
    let text = alice.config_text().replace(
        &team.pg.url("alice"),
        &format!("postgresql://alice@127.0.0.1:{closed}/team"),
    );
    std::fs::write(alice.config_path(), text).unwrap();
    let run = alice.run(&["token", "mine-personal"]).ok();
    assert_eq!(run.stdout, mine);
    assert!(run.stderr.contains("team store"), "{}", run.stderr);
    let run = alice.run(&["token", "team-api"]).code(10);
    assert!(run.stderr.contains("team-api"), "{}", run.stderr);
    // Adding a personal app then cannot check the team's names, and says so; once
    // the store is back, the printed rename picks a name neither place uses
    // (`mine-personal` is hers already) and works as printed.
    let add_mine = [
        "app",
        "add",
        "mine",
        "--grant",
        "client_credentials",
        "--client-id",
        "cid",
        "--token-url",
        "https://127.0.0.1:1/token",
        "--client-secret-stdin",
    ];
    let run = alice.run_with_input(&add_mine, "s").ok();
    assert!(
        run.stderr.contains("was not checked against"),
        "{}",
        run.stderr
    );
    let text = alice.config_text().replace(
        &format!("postgresql://alice@127.0.0.1:{closed}/team"),
        &team.pg.url("alice"),
    );
    std::fs::write(alice.config_path(), text).unwrap();
    let run = alice.run(&["token", "mine"]).code(3);
    let fix = printed_fix(&run.stderr);
    assert_eq!(
        fix, "outbound app rename mine mine-personal-2",
        "{}",
        run.stderr
    );
    alice.run(&printed_args(&fix)).ok();
    alice.run(&["token", "mine"]).ok();
}

/// `app add --team` in a configuration that names no team store says how to name one.
#[test]
fn app_add_team_without_a_team_store_says_how_to_name_one() {
    let env = Env::new();
    let args = [
        "app",
        "add",
        "x",
        "--grant",
        "client_credentials",
        "--client-id",
        "cid",
        "--token-url",
        "https://127.0.0.1:1/token",
        "--client-secret-stdin",
        "--team",
    ];
    let run = env.run_with_input(&args, "s").code(2);
    assert!(run.stderr.contains("names no team store"), "{}", run.stderr);
    assert!(run.stderr.contains("database_url = "), "{}", run.stderr);
    assert!(env.config_text().is_empty(), "nothing written");
}

#[test]
fn rotate_key_reseals_what_each_role_may_change_while_both_keys_open() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let alice = team.machine("alice");
    let token = alice.run(&["token", "svc"]).ok().stdout;
    let old = std::fs::read_to_string(&team.key_file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let both = dir.path().join("both.key");
    write_private(
        &both,
        &format!("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=\n{old}"),
    );
    let new_only = dir.path().join("new.key");
    write_key(&new_only, "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=");
    let with_key = |role: &str, key: &Path| machine(&team.pg.url(role), key);
    let run = with_key("alice", &both).run(&["store", "rotate-key"]).ok();
    assert!(
        run.stderr.contains("re-sealed 1 secret in"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 secret still uses an older key"),
        "{}",
        run.stderr
    );
    // Meanwhile a machine with only the old key still reads the client secret, and
    // one with both reads everything.
    assert_eq!(
        with_key("alice", &both).run(&["token", "svc"]).ok().stdout,
        token
    );
    with_key("admin", &both).run(&["store", "rotate-key"]).ok();
    let keys = team
        .pg
        .sql("team", "SELECT DISTINCT key_id FROM outbound_secrets");
    assert_eq!(keys.trim().lines().count(), 1, "{keys}");
    assert_eq!(
        with_key("alice", &new_only)
            .run(&["token", "svc"])
            .ok()
            .stdout,
        token
    );
    with_key("alice", &team.key_file)
        .run(&["token", "svc"])
        .code(11);
}

#[cfg(unix)]
#[test]
fn the_agent_serves_team_store_tokens_from_memory_and_sees_an_administrators_change() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let mut m = team.machine("alice");
    let runtime = m.dir.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    m.set("XDG_RUNTIME_DIR", runtime.display().to_string());
    m.run(&["agent", "start"]).ok();
    struct Stop<'a>(&'a Env);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = self.0.command(["agent", "stop"]).output();
        }
    }
    let _stop = Stop(&m);
    let token = m.run(&["token", "svc"]).ok().stdout;
    let fetched = server.wait_for_token_requests("client_credentials", 1);
    // A client without the data key gets the token from the agent's memory.
    let mut keyless = m.command(["token", "svc"]);
    keyless.env("OUTBOUND_STORE_KEY_FILE", "/nonexistent/key");
    let run = Run::from(keyless.output().unwrap()).ok();
    assert_eq!(run.stdout, token);
    assert_eq!(server.token_requests("client_credentials"), fetched);
    let agents = team.pg.sql(
        "team",
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'outbound'",
    );
    assert_eq!(agents.trim(), "1", "the agent holds one connection");
    // Clients it serves open none of their own: definitions and token both come
    // from the agent.
    let before = team.pg.connections();
    for _ in 0..5 {
        assert_eq!(m.run(&["token", "svc"]).ok().stdout, token);
    }
    assert_eq!(team.pg.connections(), before, "no client connected");
    // The account disabled on another machine of the role: refused at once.
    let other = team.machine("alice");
    other.run(&["account", "disable", "svc"]).ok();
    m.run(&["token", "svc"]).code(5);
    other.run(&["account", "enable", "svc"]).ok();
    assert_eq!(m.run(&["token", "svc"]).ok().stdout, token);
    // An administrator's disable on another machine is seen at the next request.
    admin.run(&["app", "disable", "svc"]).ok();
    m.run(&["token", "svc"]).code(5);
    // A client of another database is not served by this agent.
    let mut other = m.command(["token", "svc"]);
    other.env("OUTBOUND_DATABASE_URL", team.pg.url("bob"));
    other.env("OUTBOUND_STORE_KEY_FILE", "/nonexistent/key");
    let run = Run::from(other.output().unwrap());
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains(token.trim()));
}

/// The statements of the server's log (`log_statement = all`) after byte `from`: a
/// simple query's batch is one, an extended query's execution one.
fn statements_since(pg: &Postgres, from: usize) -> Vec<String> {
    let log = pg.log();
    log.get(from..)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("LOG:  statement: ") || l.contains("LOG:  execute "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_valid_team_store_token_takes_two_statements_without_the_agent() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let mut ci = team.machine("ci");
    ci.set("OUTBOUND_NO_AGENT", "1");
    let token = ci.run(&["token", "svc"]).ok().stdout;
    team.pg
        .sql("postgres", "ALTER SYSTEM SET log_statement = 'all'");
    team.pg.sql("postgres", "SELECT pg_reload_conf()");
    let deadline = Instant::now() + Duration::from_secs(10);
    while team.pg.sql("team", "SHOW log_statement").trim() != "all" {
        assert!(
            Instant::now() < deadline,
            "log_statement never became `all`"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let from = team.pg.log().len();
    assert_eq!(ci.run(&["token", "svc"]).ok().stdout, token);
    // The connection's set-up with the definitions, then the account: its rows,
    // state and token in one.
    let statements = statements_since(&team.pg, from);
    assert!(
        statements.len() <= 2,
        "{} statements for a valid token:\n{}",
        statements.len(),
        statements.join("\n")
    );
    assert_eq!(server.token_requests("client_credentials"), 1);
    // A member's disable from another machine is still seen by the next `token`,
    // and a shared account is still read: nothing is kept between processes.
    let other = team.machine("ci");
    other.run(&["account", "disable", "svc"]).ok();
    ci.run(&["token", "svc"]).code(5);
    other.run(&["account", "enable", "svc"]).ok();
    assert_eq!(ci.run(&["token", "svc"]).ok().stdout, token);
}

#[test]
fn the_database_password_comes_from_the_environment_pgpass_or_the_keyring_and_tls_is_honoured() {
    let team = Team::start();
    team.pg.sql(
        "team",
        "CREATE ROLE pw LOGIN PASSWORD 'hunter2-pw'; CREATE ROLE tlsonly LOGIN; GRANT outbound_team TO pw, tlsonly",
    );
    let url = team.pg.url("pw");
    let mut m = machine(&url, &team.key_file);
    let run = m.run(&["app", "list"]).code(10);
    assert!(run.stderr.contains("~/.pgpass"), "{}", run.stderr);
    assert!(run.stderr.contains("store set-password"), "{}", run.stderr);
    // PGPASSWORD, then ~/.pgpass (only when private), then the keyring.
    let mut cmd = m.command(["app", "list"]);
    cmd.env("PGPASSWORD", "hunter2-pw");
    Run::from(cmd.output().unwrap()).ok();
    let home = PathBuf::from(m.var("HOME").unwrap());
    std::fs::create_dir_all(&home).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:team:pw:hunter2-pw\n", team.pg.port),
    )
    .unwrap();
    #[cfg(unix)]
    {
        crate::harness::chmod(&pgpass, 0o644);
        let run = m.run(&["app", "list"]).code(10);
        assert!(
            run.stderr.contains("other users can read it"),
            "{}",
            run.stderr
        );
    }
    crate::harness::chmod(&pgpass, 0o600);
    m.run(&["app", "list"]).ok();
    std::fs::remove_file(&pgpass).unwrap();
    m.run_with_input(&["store", "set-password"], "hunter2-pw")
        .ok();
    m.run(&["app", "list"]).ok();
    m.run_with_input(&["store", "set-password"], "wrong").ok();
    let run = m.run(&["app", "list"]).code(10);
    assert!(
        run.stderr.contains("password authentication failed"),
        "{}",
        run.stderr
    );
    assert!(!run.all().contains("wrong"));
    // TLS: `tlsonly` is refused without it, served with require and verify-full.
    let tls_url = |mode: &str| {
        format!(
            "postgresql://tlsonly@127.0.0.1:{}/team?sslmode={mode}",
            team.pg.port
        )
    };
    m.set("OUTBOUND_DATABASE_URL", tls_url("disable"));
    m.run(&["app", "list"]).code(10);
    m.set("OUTBOUND_DATABASE_URL", tls_url("require"));
    m.run(&["app", "list"]).ok();
    let ca = team.pg.tls_file("ca.pem");
    m.set(
        "OUTBOUND_DATABASE_URL",
        format!("{}&sslrootcert={}", tls_url("verify-full"), ca.display()),
    );
    m.run(&["app", "list"]).ok();
    // Verified against a CA that did not issue the server's certificate: refused.
    let other = team.pg.tls_file("server.pem");
    m.set(
        "OUTBOUND_DATABASE_URL",
        format!("{}&sslrootcert={}", tls_url("verify-full"), other.display()),
    );
    let run = m.run(&["app", "list"]).code(10);
    assert!(
        run.stderr.to_lowercase().contains("certificate"),
        "{}",
        run.stderr
    );
}

#[test]
fn audit_rows_of_every_machine_of_a_role_are_that_roles_alone() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    let with_audit = |role: &str| {
        let m = team.machine(role);
        std::fs::create_dir_all(m.config_path().parent().unwrap()).unwrap();
        std::fs::write(m.config_path(), "audit = true\n").unwrap();
        m
    };
    let (a1, a2, b) = (with_audit("alice"), with_audit("alice"), with_audit("bob"));
    a1.run(&["token", "svc"]).ok();
    a2.run(&["token", "svc"]).ok();
    b.run(&["token", "svc"]).ok();
    let seen = a2.run(&["audit", "--json"]).ok().stdout;
    let events: Vec<serde_json::Value> = seen
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // alice's fetch (client credentials) and her two uses, from both machines.
    assert!(events.len() >= 3, "{seen}");
    assert!(events.iter().all(|e| e["app"] == "svc"), "{seen}");
    let as_bob = team
        .pg
        .sql_as("bob", "team", "SELECT owner FROM outbound_audit");
    assert!(!as_bob.contains("alice"), "{as_bob}");
    assert!(as_bob.contains("bob"), "{as_bob}");
}

#[test]
fn a_definition_written_around_outbound_is_named_by_its_row() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("svc", &server.issuer, &[]);
    team.pg.sql(
        "team",
        "INSERT INTO outbound_apps (id, name, definition) VALUES ('zz', 'bad', E'[apps.bad]\\nid = \"zz\"\\nclient_idd = 1\\n')",
    );
    let alice = team.machine("alice");
    let run = alice.run(&["app", "list"]).code(3);
    assert!(
        run.stderr.contains("definition of `bad` (id zz)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 3:1 of it"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `client_id`"),
        "{}",
        run.stderr
    );
    // Nothing is changed while it is there.
    admin.run(&["app", "disable", "svc"]).code(3);
    team.pg
        .sql("team", "DELETE FROM outbound_apps WHERE id = 'zz'");
    alice.run(&["token", "svc"]).ok();
}

#[test]
fn a_shared_account_serves_the_whole_group_and_the_data_key_comes_from_keyring_or_command() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &[]);
    // An administrator authorizes a service account for the group; alice and bob
    // (other roles) use it.
    let run = admin.authorize("nat", &["--shared"]).ok();
    assert!(
        run.stderr.contains("shared with the group"),
        "{}",
        run.stderr
    );
    let a = admin.run(&["token", "nat"]).ok().stdout;
    let alice = team.machine("alice");
    assert_eq!(alice.run(&["token", "nat"]).ok().stdout, a);
    let bob = team.machine("bob");
    assert_eq!(bob.run(&["token", "nat"]).ok().stdout, a);
    let status = bob.status();
    assert!(
        status
            .iter()
            .any(|r| r["app"] == "nat" && r["state"] == "authorized"),
        "{status:?}"
    );
    // --shared means nothing for a local store.
    let local = Env::new();
    local.add_native("nat", &server.issuer, &[]);
    let run = local.authorize("nat", &["--shared"]).code(2);
    assert!(run.stderr.contains("team store"), "{}", run.stderr);
    // The data key from a command, and from the keyring (`store set-key`).
    let key = std::fs::read_to_string(&team.key_file).unwrap();
    let mut by_command = team.machine("bob");
    by_command.set("OUTBOUND_STORE_KEY_FILE", "");
    by_command.set(
        "OUTBOUND_STORE_KEY_COMMAND",
        format!("cat {}", team.key_file.display()),
    );
    assert_eq!(by_command.run(&["token", "nat"]).ok().stdout, a);
    // A keyring of its own, so no other test's `store-key` is in it, and this
    // one's reaches no other test.
    let keyring = PrivateKeyring::start();
    let mut by_keyring = team.machine("bob");
    by_keyring.set("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone());
    by_keyring.set("OUTBOUND_STORE_KEY_FILE", "");
    by_keyring.run(&["token", "nat"]).code(11);
    by_keyring
        .run_with_input(&["store", "set-key"], "not a key")
        .code(2);
    by_keyring.run_with_input(&["store", "set-key"], &key).ok();
    assert_eq!(by_keyring.run(&["token", "nat"]).ok().stdout, a);
}

/// The rows of `table` (outbound_accounts, or outbound_secrets' tokens) for
/// `app_id`, as "owner shared" lines.
fn rows(team: &Team, table: &str, app_id: &str) -> String {
    let tokens = if table == "outbound_secrets" {
        " AND kind = 'token'"
    } else {
        ""
    };
    team.pg.sql(
        "team",
        &format!(
            "SELECT owner || ' ' || shared FROM {table} WHERE app_id = '{app_id}'{tokens} ORDER BY owner"
        ),
    )
}

#[test]
fn a_row_planted_in_another_members_name_is_refused_and_never_takes_her_tokens() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &[]);
    let id = admin.app_id("nat");
    // Bob, with only his own role, plants alice's `default` account as a shared row;
    // alice then authorizes as usual, and bob asks for a token.
    let planted = team.pg.try_sql_as(
        "bob",
        "team",
        &format!(
            "INSERT INTO outbound_accounts (app_id, account, owner, shared) VALUES ('{id}', 'default', 'alice', true)"
        ),
    );
    let alice = team.machine("alice");
    alice.authorize("nat", &[]).ok();
    let a = alice.run(&["token", "nat"]).ok().stdout;
    assert!(!a.trim().is_empty());
    let bob = team.machine("bob");
    let run = bob.run(&["token", "nat"]);
    assert!(!run.all().contains(a.trim()), "bob got alice's token");
    assert_eq!(run.code, 4, "{}", run.stderr);
    let refused = planted.expect_err("the database let bob write a row in alice's name");
    assert!(refused.contains("row-level security"), "{refused}");
    assert_eq!(rows(&team, "outbound_secrets", &id).trim(), "alice false");
    for (owner, shared) in [("alice", "false"), ("alice", "true"), ("bob", "true")] {
        let planted = team.pg.try_sql_as(
            "bob",
            "team",
            &format!(
                "INSERT INTO outbound_secrets (app_id, account, kind, owner, shared, key_id, sealed) \
                 VALUES ('{id}', 'default', 'token', '{owner}', {shared}, 'k', '\\x00')"
            ),
        );
        assert!(
            planted.is_err(),
            "bob wrote a secret row ({owner}, shared {shared})"
        );
    }
    // Nor can he make his own row shared, or give it to alice.
    team.pg.sql_as(
        "bob",
        "team",
        &format!(
            "INSERT INTO outbound_accounts (app_id, account) VALUES ('{id}', 'default') ON CONFLICT DO NOTHING"
        ),
    );
    for change in [
        "shared = true",
        "owner = 'alice'",
        "owner = 'alice', shared = true",
    ] {
        let run = team.pg.try_sql_as(
            "bob",
            "team",
            &format!("UPDATE outbound_accounts SET {change} WHERE app_id = '{id}'"),
        );
        assert!(run.is_err(), "bob could set {change}");
    }
    assert_eq!(
        rows(&team, "outbound_accounts", &id).trim(),
        "alice false\nbob false"
    );
    // A row like it left from before the fix (schema 1 let bob write it): a personal
    // authorization neither reads nor writes it, and says why.
    team.pg.sql(
        "team",
        &format!(
            "INSERT INTO outbound_accounts (app_id, account, owner, shared) VALUES ('{id}', 'default', 'ci', true)"
        ),
    );
    let ci = team.machine("ci");
    let run = ci.authorize("nat", &[]).code(1);
    assert!(
        run.stderr.contains("shared account in your role's name"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--account"), "{}", run.stderr);
    let left = team.pg.sql(
        "team",
        &format!("SELECT count(*) FROM outbound_secrets WHERE app_id = '{id}' AND owner = 'ci'"),
    );
    assert_eq!(left.trim(), "0");
    ci.authorize("nat", &["--account", "mine"]).ok();
}

#[test]
fn only_an_administrator_shares_an_account_and_a_personal_authorization_never_lands_in_it() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &[]);
    let id = admin.app_id("nat");
    // Bob shares his `default` account, alice authorizes hers as usual, and bob asks
    // for a token.
    let bob = team.machine("bob");
    let shared = bob.authorize("nat", &["--shared"]);
    let alice = team.machine("alice");
    alice.authorize("nat", &[]).ok();
    let a = alice.run(&["token", "nat"]).ok().stdout;
    let run = bob.run(&["token", "nat"]);
    assert!(!run.all().contains(a.trim()), "bob got alice's token");
    assert_eq!(run.code, 4, "{}", run.stderr);
    // Sharing is an administrator's: bob was refused, before any browser.
    let run = shared.code(12);
    assert!(run.stderr.contains("outbound_admins"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: only the team store's administrators (role `outbound_admins`: admin) share an account"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--shared"), "{}", run.stderr);
    assert!(!run.stderr.contains("Open this URL"), "{}", run.stderr);
    // The administrator's shared account: every member reads it, a member's own
    // account wins over it, and alice's personal authorization never lands in it.
    admin.authorize("nat", &["--shared"]).ok();
    let s = bob.run(&["token", "nat"]).ok().stdout;
    assert_ne!(s, a);
    assert_eq!(alice.run(&["token", "nat"]).ok().stdout, a);
    alice.authorize("nat", &[]).ok();
    let a2 = alice.run(&["token", "nat"]).ok().stdout;
    assert_ne!(a2, a);
    assert_eq!(bob.run(&["token", "nat"]).ok().stdout, s);
    assert_eq!(
        rows(&team, "outbound_secrets", &id).trim(),
        "admin true\nalice false"
    );
    // The group refreshes it (a member writes the new tokens into the admin's row)...
    let s2 = bob.run(&["token", "nat", "--force-refresh"]).ok().stdout;
    assert_ne!(s2, s);
    assert_eq!(admin.run(&["token", "nat"]).ok().stdout, s2);
    assert_eq!(alice.run(&["token", "nat"]).ok().stdout, a2);
    // ...and cannot un-share it, take it over, or delete it.
    for sql in [
        format!(
            "UPDATE outbound_accounts SET shared = false WHERE app_id = '{id}' AND owner = 'admin'"
        ),
        format!(
            "UPDATE outbound_accounts SET owner = 'bob' WHERE app_id = '{id}' AND owner = 'admin'"
        ),
        format!(
            "UPDATE outbound_secrets SET owner = 'bob' WHERE app_id = '{id}' AND owner = 'admin'"
        ),
    ] {
        assert!(team.pg.try_sql_as("bob", "team", &sql).is_err(), "{sql}");
    }
    let gone = team.pg.sql_as(
        "bob",
        "team",
        &format!(
            "DELETE FROM outbound_secrets WHERE app_id = '{id}' AND owner = 'admin' RETURNING 1"
        ),
    );
    assert_eq!(gone.trim(), "");
    assert_eq!(bob.run(&["token", "nat"]).ok().stdout, s2);
}

#[test]
fn a_member_with_every_table_grant_is_told_no_by_disable_reset_edit_and_delete() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("fleet", &server.issuer, &[]);
    // As many DBAs grant: every privilege on every table to the team role.
    team.pg.sql(
        "team",
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO outbound_team",
    );
    let version = || {
        team.pg
            .sql("team", "SELECT version FROM outbound_apps_version")
    };
    let before = (admin.app_json("fleet"), version());
    let alice = team.machine("alice");
    for args in [
        vec!["app", "disable", "fleet"],
        vec!["app", "reset", "fleet", "--yes"],
        vec!["app", "edit", "fleet", "--description", "changed"],
        vec!["app", "delete", "fleet", "--yes"],
    ] {
        let run = alice.run(&args);
        assert_eq!(run.code, 12, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("outbound_admins"), "{}", run.stderr);
        assert!(!run.all().contains("disabled `"), "{}", run.all());
        assert!(!run.all().contains("to generation"), "{}", run.all());
    }
    assert_eq!((admin.app_json("fleet"), version()), before);
    alice.run(&["token", "fleet"]).ok();
    // The administrator still changes it.
    admin.run(&["app", "disable", "fleet"]).ok();
    alice.run(&["token", "fleet"]).code(5);
}

#[test]
fn store_init_upgrades_a_version_1_database_to_owner_checked_rows_and_counts_stray_shares() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &[]);
    let id = admin.app_id("nat");
    // The database as version 1 left it: its policy on accounts let any write name
    // another owner as long as the row was shared.
    team.pg.sql(
        "team",
        "DELETE FROM outbound_schema WHERE version = 2; \
         CREATE POLICY outbound_own ON outbound_accounts FOR ALL \
         USING (owner = current_user OR shared) WITH CHECK (owner = current_user OR shared)",
    );
    let plant = |account: &str| {
        team.pg.try_sql_as(
            "bob",
            "team",
            &format!(
                "INSERT INTO outbound_accounts (app_id, account, owner, shared) VALUES ('{id}', '{account}', 'alice', true)"
            ),
        )
    };
    plant("default").expect("version 1 lets bob plant a row in alice's name");
    // Every command says the database needs its upgrade.
    let alice = team.machine("alice");
    let run = alice.run(&["app", "list"]).ok();
    assert!(run.stderr.contains("schema version 1"), "{}", run.stderr);
    assert!(run.stderr.contains("outbound store init"), "{}", run.stderr);
    // Even so, alice's personal authorization does not land in the planted row.
    let run = alice.authorize("nat", &[]).code(1);
    assert!(
        run.stderr.contains("shared account in your role's name"),
        "{}",
        run.stderr
    );
    // The owner upgrades: version 2, the planted row counted, no more planting.
    let owner = machine(&team.pg.url("postgres"), &team.key_file);
    let run = owner.run(&["store", "init"]).ok();
    assert!(
        run.stderr.contains("schema version 1 -> 2"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("1 shared account is in the name of a role outside outbound_admins"),
        "{}",
        run.stderr
    );
    let refused = plant("other").expect_err("version 2 must refuse bob's row in alice's name");
    assert!(refused.contains("row-level security"), "{refused}");
    let run = alice.run(&["app", "list"]).ok();
    assert!(!run.stderr.contains("schema version"), "{}", run.stderr);
    alice.authorize("nat", &["--account", "mine"]).ok();
}

#[cfg(unix)]
fn signal(child: &std::process::Child, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill has no memory preconditions; the pid is our own child's.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill {sig}");
}

/// Every refresh lease runs out now (as it would after its length).
#[cfg(unix)]
fn expire_leases(team: &Team) {
    team.pg.sql(
        "team",
        "UPDATE outbound_accounts SET lease_until = now() - interval '1 second' WHERE lease_holder IS NOT NULL",
    );
}

fn output(child: std::process::Child) -> Run {
    Run::from(child.wait_with_output().expect("wait"))
}

/// Machine 0 starts a refresh and is stopped (SIGSTOP) once the server has it (the
/// refresh token rotates); its lease runs out, machine 1 takes it over, spends the
/// old refresh token and finds the grant dead (exit 4, as documented for a holder
/// that died). Then machine 0 goes on (SIGCONT): it must neither save nor print what
/// it obtained (from a grant the server has since revoked), nor hide from the others
/// that the account needs authorization. With `late_answer` it reads the server's
/// answer when it goes on; without, its request times out then (the server holds
/// the answer).
#[cfg(unix)]
fn stopped_holder_resumes_after_takeover(late_answer: bool) {
    let (team, server, machines) = fleet(2);
    std::thread::sleep(Duration::from_millis(2300));
    server.quirks(&[if late_answer { "slow" } else { "held_answer" }]);
    let holder = machines[0]
        .command(["token", "nat"])
        .env(
            "OUTBOUND_OAUTH_TIMEOUT",
            if late_answer { "30" } else { "5" },
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    server.wait_for_log("TOKEN grant_type=refresh_token");
    signal(&holder, libc::SIGSTOP);
    // The server has rotated the refresh token (the slow answer comes after 3 s).
    std::thread::sleep(Duration::from_millis(if late_answer { 3300 } else { 5300 }));
    server.quirks(&[]);
    expire_leases(&team);
    let run = machines[1].run(&["token", "nat"]).code(4);
    assert!(run.stderr.contains("was interrupted"), "{}", run.stderr);
    signal(&holder, libc::SIGCONT);
    let run = output(holder).code(4);
    assert!(run.stdout.trim().is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("outbound authorize nat"),
        "{}",
        run.stderr
    );
    // Every machine sees the account as the takeover left it, and nobody asks the
    // server again with the dead grant.
    let status = machines[7].status();
    let row = status.iter().find(|r| r["app"] == "nat").unwrap();
    assert_eq!(row["state"], "needs-authorization", "{status:?}");
    let last = row["last_error"].as_str().unwrap_or_default();
    assert!(last.contains("was interrupted"), "{last}");
    machines[2].run(&["token", "nat"]).code(4);
    assert_eq!(
        server.token_requests("refresh_token"),
        2,
        "{}",
        server.log()
    );
    machines[5].authorize("nat", &[]).ok();
    machines[2].run(&["token", "nat"]).ok();
}

#[cfg(unix)]
#[test]
fn a_stopped_lease_holder_that_reads_its_answer_late_saves_nothing_over_the_takeover() {
    stopped_holder_resumes_after_takeover(true);
}

#[cfg(unix)]
#[test]
fn a_stopped_lease_holder_whose_request_times_out_late_hides_nothing_from_the_others() {
    stopped_holder_resumes_after_takeover(false);
}

#[cfg(unix)]
#[test]
fn a_lease_holder_stopped_before_it_sends_never_spends_the_refresh_token_after_a_takeover() {
    // Tokens live 6 s: the takeover's are still fresh when the holder goes on.
    let (team, server, machines) = fleet(6);
    // The client secret comes from a command: it marks when a holder, lease taken,
    // is about to send its refresh.
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("asked");
    let admin = team.machine("admin");
    let command = format!("touch {}; sleep 1; echo native-secret", marker.display());
    admin
        .run(&["app", "edit", "nat", "--client-secret-command", &command])
        .ok();
    std::thread::sleep(Duration::from_millis(5300));
    let holder = spawn_token(&machines[0], "nat");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !marker.exists() {
        assert!(
            Instant::now() < deadline,
            "the holder never asked for the secret"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&holder, libc::SIGSTOP);
    expire_leases(&team);
    let token = machines[1].run(&["token", "nat"]).ok().stdout;
    signal(&holder, libc::SIGCONT);
    let run = output(holder).ok();
    assert_eq!(run.stdout, token, "the holder uses the takeover's tokens");
    assert_eq!(
        server.token_requests("refresh_token"),
        1,
        "{}",
        server.log()
    );
    assert!(server.is_active(token.trim()), "the grant is not revoked");
    machines[2].run(&["token", "nat"]).ok();
}

#[test]
fn new_tokens_are_saved_when_the_database_comes_back_within_the_lease() {
    // Tokens live 6 s: the one saved late is still fresh for the next machine.
    let (team, server, machines) = fleet(6);
    std::thread::sleep(Duration::from_millis(5300));
    server.quirks(&["slow"]);
    let holder = spawn_token(&machines[0], "nat");
    server.wait_for_log("TOKEN grant_type=refresh_token");
    let asked = Instant::now();
    team.pg.stop();
    // The server answers (3 s) while the database is down.
    std::thread::sleep(Duration::from_millis(4000).saturating_sub(asked.elapsed()));
    team.pg.restart();
    let run = output(holder).ok();
    server.quirks(&[]);
    // The rotated refresh token was saved: the next machine uses the holder's
    // tokens, or (on a slow run, once they are due) refreshes them without a reuse
    // (which the server would refuse, revoking the grant).
    let token = machines[1].run(&["token", "nat"]).ok().stdout;
    assert!(!server.log().contains("GRANT_ERROR"), "{}", server.log());
    if token != run.stdout {
        assert_eq!(server.token_requests("refresh_token"), 2);
    }
}

#[test]
fn new_tokens_that_cannot_be_saved_are_named_with_exit_10_and_the_next_step() {
    let (team, server, machines) = fleet(2);
    std::thread::sleep(Duration::from_millis(2300));
    server.quirks(&["slow"]);
    let start = Instant::now();
    let holder = spawn_token(&machines[0], "nat");
    server.wait_for_log("TOKEN grant_type=refresh_token");
    team.pg.stop();
    let run = output(holder).code(10);
    // Within its lease (5 s requests + 10 s).
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(
        run.stderr
            .contains(&format!("127.0.0.1:{}/team", team.pg.port)),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rotated the refresh token"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run outbound authorize nat"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("nothing was changed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.trim().is_empty());
    team.pg.restart();
    server.quirks(&[]);
    // The others say the same once the holder's lease ran out, and one
    // authorization repairs it for all.
    let start = Instant::now();
    let run = machines[1].run(&["token", "nat"]).code(4);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(
        run.stderr.contains("outbound authorize nat"),
        "{}",
        run.stderr
    );
    machines[2].authorize("nat", &[]).ok();
    machines[3].run(&["token", "nat"]).ok();
}

/// Accepts connections and never answers: a revocation endpoint that hangs.
#[cfg(unix)]
fn silent_listener() -> (std::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

#[cfg(unix)]
#[test]
fn an_administrator_stopped_inside_a_change_blocks_no_token_and_not_for_long() {
    let team = Team::start();
    let server = AuthServer::start();
    let (listener, port) = silent_listener();
    let admin = team.machine("admin");
    let revoke = format!("http://127.0.0.1:{port}/revoke");
    admin.add_cc("svc", &server.issuer, &["--revocation-url", &revoke]);
    admin.add_cc("other", &server.issuer, &[]);
    admin.run(&["token", "svc"]).ok();
    let alice = team.machine("alice");
    alice.run(&["token", "svc"]).ok();
    // `app delete` revokes the administrator's token inside its transaction: it is
    // stopped there, holding the definitions' locks.
    let deleting = admin
        .command(["app", "delete", "svc", "--yes"])
        .env("OUTBOUND_OAUTH_TIMEOUT", "5")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    let (_conn, _) = listener.accept().expect("the revocation request");
    signal(&deleting, libc::SIGSTOP);
    let stopped = Instant::now();
    let in_tx = team.pg.sql(
        "team",
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'admin' AND state = 'idle in transaction'",
    );
    assert_eq!(in_tx.trim(), "1");
    // Members only read the definitions: their token commands go on.
    let bob = team.machine("bob");
    for (m, app) in [(&alice, "svc"), (&bob, "svc"), (&alice, "other")] {
        let start = Instant::now();
        m.run(&["token", app]).ok();
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
    // The owner's `store init` gives up soon, naming why, instead of queueing every
    // other session behind it; members' commands meanwhile go on.
    let owner = machine(&team.pg.url("postgres"), &team.key_file);
    let init = owner
        .command(["store", "init"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outbound");
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    alice.run(&["token", "other"]).ok();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut init = init;
    while init.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = init.kill();
            panic!("store init still waits behind the stopped change");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let run = output(init).code(1);
    assert!(run.stderr.contains("unfinished change"), "{}", run.stderr);
    assert!(run.stderr.contains("pg_stat_activity"), "{}", run.stderr);
    // Another administrator's change waits for its lock, then says why.
    let run = admin
        .run(&["app", "edit", "other", "--description", "x"])
        .code(1);
    assert!(run.stderr.contains("unfinished change"), "{}", run.stderr);
    // The database ends the stopped session after its idle-in-transaction timeout
    // (the lease length: 5 + 10 s here), rolling the delete back.
    std::thread::sleep(Duration::from_secs(16).saturating_sub(stopped.elapsed()));
    admin
        .run(&["app", "edit", "other", "--description", "x"])
        .ok();
    signal(&deleting, libc::SIGCONT);
    // Continued, it finds its change gone (exit 10); nothing of it stayed: the app
    // and its client secret are there (a role without a token fetches one).
    let run = output(deleting).code(10);
    assert!(
        run.stderr.contains("could not be reached"),
        "{}",
        run.stderr
    );
    let list = alice.run(&["app", "list"]).ok().stdout;
    assert!(list.contains("svc"), "{list}");
    team.machine("ci").run(&["token", "svc"]).ok();
}

/// What only an administrator can do is not a command a member is told to run: a
/// member is told who the administrators are (the store's admin role and its
/// members), an administrator still gets the command.
#[test]
fn a_member_is_told_who_can_enable_add_or_set_the_secret_and_an_administrator_the_command() {
    let team = Team::start();
    let server = AuthServer::start();
    let admin = team.machine("admin");
    admin.add_cc("team-api", &server.issuer, &[]);
    let alice = team.machine("alice");
    alice.run(&["token", "team-api"]).ok();
    let names_admins = |run: &Run, command: &str| {
        assert!(!run.stderr.contains(command), "{}", run.stderr);
        assert!(
            run.stderr.contains("role `outbound_admins`: admin"),
            "{}",
            run.stderr
        );
    };

    admin.run(&["app", "disable", "team-api"]).ok();
    let run = alice.run(&["token", "team-api"]).code(5);
    names_admins(&run, "outbound app enable");
    let run = alice.run(&["authorize", "team-api", "--yes"]).code(5);
    names_admins(&run, "outbound app enable");
    let run = admin.run(&["token", "team-api"]).code(5);
    assert!(
        run.stderr
            .contains("enable it with `outbound app enable team-api`"),
        "{}",
        run.stderr
    );
    admin.run(&["app", "enable", "team-api"]).ok();

    // A client secret the server refuses: the member is told who sets it.
    admin
        .run_with_input(&["app", "secret", "set", "team-api"], "not-the-secret")
        .ok();
    let bob = team.machine("bob");
    let run = bob.run(&["token", "team-api"]).code(7);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    names_admins(&run, "outbound app secret set");
    let run = admin.run(&["token", "team-api"]).code(7);
    assert!(
        run.stderr.contains("outbound app secret set team-api"),
        "{}",
        run.stderr
    );

    admin.run(&["app", "delete", "team-api", "--yes"]).ok();
    let run = alice.run(&["token", "team-api"]).code(1);
    assert!(
        run.stderr.contains("no application named `team-api`"),
        "{}",
        run.stderr
    );
    names_admins(&run, "outbound app add");
    let run = admin.run(&["token", "team-api"]).code(1);
    assert!(
        run.stderr.contains("add one with `outbound app add NAME`"),
        "{}",
        run.stderr
    );

    // A store initialized with its own admin role names that one.
    team.pg.sql("postgres", "CREATE DATABASE custom");
    let url = |role: &str| team.pg.url(role).replace("/team?", "/custom?");
    machine(&url("postgres"), &team.key_file)
        .run(&[
            "store",
            "init",
            "--group",
            "platform",
            "--admin-group",
            "platform_admins",
        ])
        .ok();
    team.pg.sql(
        "custom",
        "GRANT platform_admins TO admin; GRANT platform TO bob",
    );
    let admin = machine(&url("admin"), &team.key_file);
    admin.add_cc("team-api", &server.issuer, &[]);
    admin.run(&["app", "disable", "team-api"]).ok();
    let run = machine(&url("bob"), &team.key_file)
        .run(&["token", "team-api"])
        .code(5);
    assert!(run.stderr.contains("platform_admins"), "{}", run.stderr);
    assert!(!run.stderr.contains("outbound_admins"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("outbound app enable"),
        "{}",
        run.stderr
    );
}

/// `store init` changes tables, grants and row-level security: their owner's to do.
/// An administrator who is not the owner is told so, and who is, not to ask for the
/// role she already has.
#[test]
fn store_init_by_an_administrator_who_does_not_own_the_tables_names_their_owner() {
    let team = Team::start();
    let admin = team.machine("admin");
    let run = admin.run(&["store", "init"]).code(12);
    assert!(
        !run.stderr.contains("GRANT outbound_admins TO you"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("owner"), "{}", run.stderr);
    assert!(run.stderr.contains("`postgres`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("postgresql://postgres@127.0.0.1"),
        "{}",
        run.stderr
    );
    // Nothing was changed: the members still use the store.
    team.machine("alice").run(&["app", "list"]).ok();

    // A database nobody initialized, created by another role: its owner is named,
    // and can.
    team.pg
        .sql("postgres", "CREATE ROLE dbowner LOGIN CREATEROLE");
    team.pg
        .sql("postgres", "CREATE DATABASE fresh OWNER dbowner");
    let url = |role: &str| team.pg.url(role).replace("/team?", "/fresh?");
    let run = machine(&url("admin"), &team.key_file)
        .run(&["store", "init"])
        .code(12);
    assert!(
        !run.stderr.contains("GRANT outbound_admins TO you"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`dbowner`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("postgresql://dbowner@127.0.0.1"),
        "{}",
        run.stderr
    );
    machine(&url("dbowner"), &team.key_file)
        .run(&["store", "init"])
        .ok();
}

/// `outbound ARGS` on `machine` under Debian's `faketime` with its clock shifted by
/// `shift` (`+10m`, `-10m`): a machine whose clock is wrong. The monotonic clock
/// stays real, so timeouts keep their length.
fn skewed(machine: &Env, shift: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new("faketime");
    machine.isolate(&mut cmd);
    cmd.env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .args(["-f", shift, env!("CARGO_BIN_EXE_outbound")])
        .args(args)
        .stdin(Stdio::null());
    Run::from(
        cmd.output()
            .expect("faketime (scripts/setup installs Debian's faketime)"),
    )
}

/// Seconds left on `nat`'s access token, as `status --json` shows it.
fn status_expires_in(run: Run) -> i64 {
    let rows = run.ok().json();
    let row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["app"] == "nat"))
        .cloned()
        .unwrap_or_default();
    row["expires_in"]
        .as_i64()
        .unwrap_or_else(|| panic!("no expiry in {rows}"))
}

/// The verdict of doctor's check of this machine's clock against the team store's.
fn store_clock_check(run: &Run) -> serde_json::Value {
    let report = run.json();
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "store clock"))
        .cloned()
        .unwrap_or_else(|| panic!("no `store clock` check in {report}"))
}

#[test]
fn machines_whose_clocks_are_ahead_or_behind_make_no_machine_hand_out_dead_tokens() {
    // Tokens live 10 s (the lived 60 s); the machines' clocks are 10 minutes
    // off, far more than any lifetime.
    let team = Team::start();
    let server = AuthServer::with(Options {
        access_ttl: Some(10),
        ..Options::default()
    });
    let admin = team.machine("admin");
    admin.add_native("nat", &server.issuer, &["--refresh-skew", "2s"]);
    let normal = team.machine("ci");
    let fast = team.machine("ci");
    let slow = team.machine("ci");
    normal.authorize("nat", &[]).ok();

    // A machine 10 minutes ahead refreshes.
    let from_fast = skewed(&fast, "+10m", &["token", "nat", "--force-refresh"])
        .ok()
        .stdout;
    let refreshed = Instant::now();
    assert_eq!(server.wait_for_token_requests("refresh_token", 1), 1);
    // Every machine, the fast one included, says how long it really has left.
    for left in [
        status_expires_in(normal.run(&["status", "--json"])),
        status_expires_in(skewed(&fast, "+10m", &["status", "--json"])),
        status_expires_in(skewed(&slow, "-10m", &["status", "--json"])),
    ] {
        assert!((0..=10).contains(&left), "expires in {left} s");
    }
    let shown = skewed(&slow, "-10m", &["token", "nat", "--json"])
        .ok()
        .json();
    let left = shown["expires_in"].as_i64().unwrap_or(-1);
    assert!((0..=10).contains(&left), "{shown}");
    // Once it expired, the correct machine refreshes instead of handing it out.
    std::thread::sleep(Duration::from_millis(10_500).saturating_sub(refreshed.elapsed()));
    assert!(!server.is_active(from_fast.trim()), "the token has expired");
    let header = normal
        .run(&["token", "nat", "--format", "header"])
        .ok()
        .stdout;
    let from_normal = header
        .trim()
        .strip_prefix("Authorization: Bearer ")
        .unwrap_or_else(|| panic!("{header}"))
        .to_owned();
    let refreshed = Instant::now();
    assert_ne!(from_normal, from_fast.trim(), "a dead token was handed out");
    assert!(
        server.is_active(&from_normal),
        "a dead token was handed out"
    );
    assert_eq!(server.wait_for_token_requests("refresh_token", 2), 2);

    // A machine 10 minutes behind hands out no dead token either.
    std::thread::sleep(Duration::from_millis(10_500).saturating_sub(refreshed.elapsed()));
    let from_slow = skewed(&slow, "-10m", &["token", "nat"]).ok().stdout;
    assert_ne!(from_slow.trim(), from_normal, "a dead token was handed out");
    assert!(
        server.is_active(from_slow.trim()),
        "a dead token was handed out"
    );
    assert_eq!(server.wait_for_token_requests("refresh_token", 3), 3);
    // What it obtained is not taken for expired elsewhere: no refresh follows.
    let left = status_expires_in(normal.run(&["status", "--json"]));
    assert!((1..=10).contains(&left), "expires in {left} s");
    let again = normal.run(&["token", "nat"]).ok().stdout;
    assert_eq!(again, from_slow);
    assert_eq!(
        server.token_requests("refresh_token"),
        3,
        "{}",
        server.log()
    );

    // doctor fails on the machines whose clocks are off, saying by how much, against
    // what, and what to do; it passes the correct one.
    for (machine, shift, way) in [(&fast, "+10m", "ahead of"), (&slow, "-10m", "behind")] {
        let run = skewed(machine, shift, &["doctor", "--json"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let check = store_clock_check(&run);
        assert_eq!(check["status"], "fail", "{check}");
        let detail = check["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("600 s"), "{detail}");
        assert!(detail.contains(way), "{detail}");
        assert!(
            detail.contains(&format!("127.0.0.1:{}/team", team.pg.port)),
            "{detail}"
        );
        let fix = check["fix"].as_str().unwrap_or_default();
        assert!(fix.contains("NTP"), "{fix}");
    }
    let run = normal.run(&["doctor", "--json"]);
    let check = store_clock_check(&run);
    assert_eq!(check["status"], "ok", "{check}");
}
