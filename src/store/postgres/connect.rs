//! Connecting: the database URL (its `sslmode` and `sslrootcert` honoured as libpq
//! does), the password (from the URL given in the environment, `PGPASSWORD`, or
//! `~/.pgpass`; never from the configuration file), bounded timeouts, the schema
//! check, `store init`, and where the data key comes from.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::schema;
use super::{Conn, Skew};
use crate::store::StoreError;
use crate::store::seal::DataKeys;

/// How long connecting may take, and how long the network may stay silent under a
/// request before it fails (a stopped database is named within these, not waited on).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const SILENCE_TIMEOUT: Duration = Duration::from_secs(20);

/// What the store needs to reach the database and to open what it holds.
#[derive(Clone)]
pub struct Settings {
    /// `postgresql://…` (a password in it only when it came from the environment).
    pub url: String,
    /// The URL without password or parameters, for messages.
    pub label: String,
    /// `store_key_command` / `--store-key-command`.
    pub key_command: Option<String>,
}

impl Settings {
    pub fn new(url: String, key_command: Option<String>) -> Settings {
        Settings {
            label: label_of(&url),
            url,
            key_command,
        }
    }
}

/// `postgresql://user@host:port/db`: what a message may show of a URL.
pub fn label_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u)
            if u.scheme().starts_with("postgres")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        // libpq's Unix-socket form has an empty host: keep user, database and the
        // socket directory (`host=`), drop a password and every other parameter.
        _ => match url.split_once("://") {
            Some((scheme @ ("postgres" | "postgresql"), rest)) => {
                let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
                let base = match base.split_once('@') {
                    Some((user, host)) => {
                        let user = user.split_once(':').map_or(user, |(u, _)| u);
                        format!("{user}@{host}")
                    }
                    None => base.to_owned(),
                };
                let host = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "host")
                    .map(|(_, v)| format!("?host={v}"))
                    .unwrap_or_default();
                format!("{scheme}://{base}{host}")
            }
            _ => "the PostgreSQL database".into(),
        },
    }
}

/// The TLS wanted, libpq's `sslmode` (default `prefer`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

fn unreachable(settings: &Settings, reason: impl Into<String>) -> StoreError {
    StoreError::DatabaseUnreachable {
        database: settings.label.clone(),
        reason: reason.into(),
    }
}

/// The URL split into what tokio-postgres reads and what we handle ourselves.
fn parse(settings: &Settings) -> Result<(postgres::Config, SslMode, Option<PathBuf>), StoreError> {
    let bad = |reason: String| StoreError::DatabaseUrl { reason };
    if settings.url.is_empty() {
        return Err(StoreError::NoDatabaseUrl);
    }
    // Split by hand, not with `url::Url`: libpq's Unix-socket form
    // (`postgresql://user@/db?host=/run/postgresql`) has an empty host, which a
    // general URL parser refuses; tokio-postgres reads it.
    let (base, query) = settings
        .url
        .split_once('?')
        .unwrap_or((settings.url.as_str(), ""));
    let scheme = base.split_once("://").map(|(s, _)| s);
    if !matches!(scheme, Some("postgres" | "postgresql")) {
        return Err(bad(match scheme {
            Some(other) => format!(
                "the scheme is `{other}`; write postgresql://USER@HOST:PORT/DB (or postgresql://USER@/DB?host=/SOCKET/DIR)"
            ),
            None => "not a URL; write postgresql://USER@HOST:PORT/DB (or postgresql://USER@/DB?host=/SOCKET/DIR)".into(),
        }));
    }
    let mut mode = None;
    let mut root = None;
    let mut rest = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "sslmode" => {
                mode = Some(match v.as_ref() {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(bad(format!(
                            "sslmode={other}: use disable, prefer, require, verify-ca or verify-full"
                        )));
                    }
                })
            }
            "sslrootcert" => root = Some(PathBuf::from(v.as_ref())),
            _ => rest.push((k.into_owned(), v.into_owned())),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .finish();
        format!("{base}?{query}")
    };
    let mut config: postgres::Config = url.parse().map_err(|e| {
        bad(format!(
            "{e}; write postgresql://USER@HOST:PORT/DB (or postgresql://USER@/DB?host=/SOCKET/DIR)"
        ))
    })?;
    // libpq's `prefer` over a Unix socket is a plain connection: the kernel, not TLS,
    // is between the two ends.
    let all_sockets = !config.get_hosts().is_empty()
        && config
            .get_hosts()
            .iter()
            .all(|h| !matches!(h, postgres::config::Host::Tcp(_)));
    let mut mode = match mode {
        Some(mode) => mode,
        None if all_sockets => SslMode::Disable,
        None => SslMode::Prefer,
    };
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "postgres".into());
        config.user(&user);
    }
    if config.get_password().is_none() {
        if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
            config.password(p);
        } else if let Some(p) = pgpass(&config) {
            config.password(p);
        }
    }
    config
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_user_timeout(SILENCE_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .application_name("outbound");
    // With a root certificate, `require` verifies the chain (libpq does the same).
    if mode == SslMode::Require && root.is_some() {
        mode = SslMode::VerifyCa;
    }
    config.ssl_mode(match mode {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    Ok((config, mode, root))
}

/// The password `~/.pgpass` (or `$PGPASSFILE`) gives for this host, port, database
/// and user, as libpq reads it: `host:port:db:user:password`, `*` matches anything,
/// `\` escapes; on Unix ignored unless only its owner can read it. On Windows the
/// file is `%APPDATA%\postgresql\pgpass.conf`, as libpq's, and no mode is checked.
fn pgpass(config: &postgres::Config) -> Option<String> {
    #[cfg(not(windows))]
    let default = std::env::home_dir().map(|h| h.join(".pgpass"));
    #[cfg(windows)]
    let default = std::env::var_os("APPDATA")
        .map(|a| PathBuf::from(a).join("postgresql").join("pgpass.conf"));
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or(default)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            crate::warnings::push(format!(
                "{} is ignored: other users can read it (chmod 600 it)",
                path.display()
            ));
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_owned();
    let db = config.get_dbname().unwrap_or(&user).to_owned();
    pgpass_lookup(&text, [&host, &port, &db, &user])
}

fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(wanted)
                .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

/// How long `store init` waits for the tables' locks: every other session's
/// statement queues behind its request, so it gives up well before their
/// `lock_timeout` (10 s) would fail them.
const INIT_LOCK_TIMEOUT: &str = "3s";

/// How long the database lets one of our sessions sit inside a transaction between
/// two statements before it ends the session (rolling the change back): the longest
/// wait inside one (a revocation under `app delete`) is a token request, so the
/// refresh lease's length. A process stopped in the middle of an administrator's
/// change thus holds the definitions' locks no longer than that.
fn idle_in_transaction_timeout() -> u64 {
    super::lease_length().as_secs()
}

/// Connects, checks the schema is one this binary knows, and measures how far this
/// machine's clock is from the database's (in the same round trip). `early`, a query
/// without parameters, goes in that round trip too, and its rows are returned (Some
/// exactly when it was given): what a process reads first costs no round trip of
/// its own (the definitions, for most commands).
pub fn open(
    settings: &Settings,
    early: Option<&str>,
) -> Result<(Conn, Option<Vec<postgres::SimpleQueryRow>>), StoreError> {
    let mut client = connect(settings)?;
    let sent = std::time::SystemTime::now();
    let asked = std::time::Instant::now();
    let mut batch = format!(
        "SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '{}s'; SELECT current_user, (SELECT max(version) FROM outbound_schema)::text, (extract(epoch from clock_timestamp()) * 1000)::bigint::text",
        idle_in_transaction_timeout()
    );
    if let Some(query) = early {
        batch.push_str("; ");
        batch.push_str(query);
    }
    let messages = client
        .simple_query(&batch)
        .map_err(|e| classify(settings, e))?;
    let round_trip = asked.elapsed();
    // Each statement's rows end with its CommandComplete: the two SETs', then the
    // facts' row (statement 2), then the early query's rows (statement 3).
    let mut facts = None;
    let mut early_rows = early.map(|_| Vec::new());
    let mut statement = 0;
    for message in messages {
        match message {
            postgres::SimpleQueryMessage::Row(r) if statement == 2 && facts.is_none() => {
                facts = Some(r)
            }
            postgres::SimpleQueryMessage::Row(r) if statement == 3 => {
                if let Some(rows) = early_rows.as_mut() {
                    rows.push(r);
                }
            }
            postgres::SimpleQueryMessage::CommandComplete(_) => statement += 1,
            _ => {}
        }
    }
    let Some(row) = facts else {
        return Err(unreachable(settings, "the database answered no row"));
    };
    let user = row.get(0).unwrap_or_default().to_owned();
    let version: i32 = row.get(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    if version == 0 {
        return Err(StoreError::NotInitialized {
            database: settings.label.clone(),
        });
    }
    if version > schema::latest() {
        return Err(StoreError::NewerSchema {
            database: settings.label.clone(),
            found: version,
            known: schema::latest(),
        });
    }
    if version < 2 {
        crate::warnings::push(format!(
            "the team store {} has schema version {version}, whose row-level security lets a member write account rows in another role's name and share them\n  fix: its owner runs `outbound store init` (with this outbound) to upgrade it to version {}",
            settings.label,
            schema::latest()
        ));
    }
    let skew = row
        .get(2)
        .and_then(|ms| ms.parse::<i64>().ok())
        .map(|database_ms| Skew::measured(database_ms, sent, round_trip));
    let conn = Conn {
        client,
        user,
        in_transaction: false,
        skew,
    };
    Ok((conn, early_rows))
}

fn connect(settings: &Settings) -> Result<Client, StoreError> {
    let (mut config, mode, root) = parse(settings)?;
    crate::http::use_ring_for_tls();
    let attempt = |config: &postgres::Config| -> Result<Client, StoreError> {
        let result = match mode {
            SslMode::Disable => config.connect(NoTls),
            SslMode::Prefer | SslMode::Require => config.connect(tls(None, false, settings)?),
            SslMode::VerifyCa | SslMode::VerifyFull => {
                config.connect(tls(root.as_deref(), true, settings)?)
            }
        };
        result.map_err(|e| classify(settings, e))
    };
    match attempt(&config) {
        // The server wants a password none of the URL, PGPASSWORD and ~/.pgpass gave:
        // the keyring may hold it (`outbound store set-password`). Asked only now, so
        // a database that needs none costs no keyring call.
        Err(StoreError::DatabaseUnreachable { reason, .. })
            if config.get_password().is_none() && reason.contains("password missing") =>
        {
            let key = password_key(&settings.label);
            match super::super::open_os_store().get(&key) {
                Ok(Some(password)) => {
                    config.password(password.expose());
                    attempt(&config)
                }
                _ => Err(StoreError::DatabaseUnreachable {
                    database: settings.label.clone(),
                    reason: "it asks for a password and none was given: put it in ~/.pgpass (0600), PGPASSWORD or OUTBOUND_DATABASE_URL, or in the keyring with `outbound store set-password`".into(),
                }),
            }
        }
        other => other,
    }
}

/// The keyring entry that holds the password of the database `label` names.
pub fn password_key(label: &str) -> String {
    crate::store::kinds::Kind::DatabasePassword.app_key(label)
}

/// The rustls connector: verifying against `root` (else the system's roots) when
/// `verify`; otherwise encrypting without judging the certificate, as libpq's
/// `prefer` and `require` do.
fn tls(
    root: Option<&Path>,
    verify: bool,
    settings: &Settings,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let config = if !verify {
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate))
            .with_no_client_auth()
    } else if let Some(root) = root {
        let mut roots = rustls::RootCertStore::empty();
        let pem = std::fs::read(root).map_err(|e| StoreError::DatabaseUrl {
            reason: format!("sslrootcert={}: {e}", root.display()),
        })?;
        use rustls::pki_types::pem::PemObject;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| StoreError::DatabaseUrl {
                reason: format!(
                    "sslrootcert={}: not a PEM certificate ({e})",
                    root.display()
                ),
            })?;
            roots.add(cert).map_err(|e| StoreError::DatabaseUrl {
                reason: format!("sslrootcert={}: {e}", root.display()),
            })?;
        }
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth()
    } else {
        use rustls_platform_verifier::ConfigVerifierExt;
        rustls::ClientConfig::with_platform_verifier()
            .map_err(|e| unreachable(settings, format!("no system trust store: {e}")))?
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// `sslmode=prefer/require` without a root certificate: encrypted, unverified.
#[derive(Debug)]
struct AnyCertificate;

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        algorithms().supported_schemes()
    }
}

fn algorithms() -> rustls::crypto::WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

/// A database error as the store error the user can act on.
pub fn classify(settings: &Settings, e: postgres::Error) -> StoreError {
    let database = settings.label.clone();
    match e.as_db_error() {
        Some(db) if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE => StoreError::Denied {
            database,
            message: db.message().to_owned(),
        },
        Some(db) if *db.code() == SqlState::UNDEFINED_TABLE => {
            StoreError::NotInitialized { database }
        }
        Some(db) if *db.code() == SqlState::INVALID_PASSWORD => StoreError::DatabaseUnreachable {
            database,
            reason: format!(
                "{} (give the password in OUTBOUND_DATABASE_URL, PGPASSWORD or ~/.pgpass)",
                db.message()
            ),
        },
        // Not let in (pg_hba.conf, no such role or database): this machine cannot
        // use the store, as if it were down.
        Some(db)
            if db.code().code().starts_with("28")
                || *db.code() == SqlState::INVALID_CATALOG_NAME =>
        {
            StoreError::DatabaseUnreachable {
                database,
                reason: db.message().to_owned(),
            }
        }
        // Another session holds the tables in an unfinished change.
        Some(db) if *db.code() == SqlState::LOCK_NOT_AVAILABLE => StoreError::Busy {
            database,
            idle_timeout: idle_in_transaction_timeout(),
        },
        Some(db) if *db.code() == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT => {
            StoreError::DatabaseUnreachable {
                database,
                reason: format!(
                    "it ended this session, whose change stayed unfinished longer than {} s (was this process stopped?); the change was rolled back",
                    idle_in_transaction_timeout()
                ),
            }
        }
        // Shut down, crashed, starting up, or the connection failed: as if it were down.
        Some(db) if db.code().code().starts_with("57P") || db.code().code().starts_with("08") => {
            StoreError::DatabaseUnreachable {
                database,
                reason: format!("{} ({})", db.message(), db.code().code()),
            }
        }
        Some(db) => StoreError::Database {
            database,
            message: format!("{} ({})", db.message(), db.code().code()),
        },
        None => {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                let text = s.to_string();
                if !reason.contains(&text) {
                    reason = format!("{reason}: {text}");
                }
                source = s.source();
            }
            StoreError::DatabaseUnreachable { database, reason }
        }
    }
}

/// `outbound store init`: the migrations this binary knows, then the roles, grants
/// and policies, in one transaction. Also counts the shared accounts that the
/// policies no longer let anyone refresh: those in the name of a role outside
/// `admins` (schema 1 let any member share, or write a shared row in another's name).
/// A refusal of the database is said by its cause (see [`why_init_is_refused`]).
pub fn init(settings: &Settings, group: &str, admins: &str) -> Result<(i32, i32, i64), StoreError> {
    let mut client = connect(settings)?;
    match init_in(&mut client, settings, group, admins) {
        Ok(done) => done,
        Err(e)
            if e.as_db_error().map(|db| db.code()) == Some(&SqlState::INSUFFICIENT_PRIVILEGE) =>
        {
            let message = e
                .as_db_error()
                .map(|db| db.message().to_owned())
                .unwrap_or_default();
            Err(why_init_is_refused(
                &mut client,
                settings,
                group,
                admins,
                message,
            ))
        }
        Err(e) => Err(classify(settings, e)),
    }
}

/// The transaction of [`init`]; rolled back when it returns an error.
fn init_in(
    client: &mut Client,
    settings: &Settings,
    group: &str,
    admins: &str,
) -> Result<Result<(i32, i32, i64), StoreError>, postgres::Error> {
    client.batch_execute(&format!("SET lock_timeout = '{INIT_LOCK_TIMEOUT}'"))?;
    let mut tx = client.transaction()?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS outbound_schema (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let before: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM outbound_schema", &[])?
        .get(0);
    if before > schema::latest() {
        return Ok(Err(StoreError::NewerSchema {
            database: settings.label.clone(),
            found: before,
            known: schema::latest(),
        }));
    }
    for (version, sql) in schema::MIGRATIONS.iter().filter(|m| m.0 > before) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO outbound_schema (version) VALUES ($1)",
            &[version],
        )?;
    }
    for role in [group, admins] {
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])?
            .is_some();
        if !exists {
            tx.batch_execute(&format!("CREATE ROLE {role} NOLOGIN"))?;
        }
    }
    tx.batch_execute(&schema::policies(group, admins))?;
    let stray: i64 = tx
        .query_one(
            "SELECT count(*) FROM outbound_accounts a WHERE a.shared AND NOT EXISTS
                 (SELECT 1 FROM pg_roles r WHERE r.rolname = a.owner
                  AND pg_has_role(r.rolname, $1::text, 'MEMBER'))",
            &[&admins],
        )?
        .get(0);
    tx.commit()?;
    Ok(Ok((before, schema::latest(), stray)))
}

/// What this role lacks for `store init`, asked of the database after it refused
/// (`message`): the tables are another role's (only their owner may upgrade them
/// and change their grants and row-level security: being an administrator is not
/// enough), or there are none yet and this role may not create them in the schema
/// (the database's owner may), or a role must be created and this one may not.
fn why_init_is_refused(
    client: &mut Client,
    settings: &Settings,
    group: &str,
    admins: &str,
    message: String,
) -> StoreError {
    let database = settings.label.clone();
    let facts = client.query_one(
        "SELECT current_user::text, pg_get_userbyid(d.datdba)::text, current_schema()::text,
             (SELECT pg_get_userbyid(c.relowner)::text FROM pg_class c
                  WHERE c.oid = to_regclass('outbound_schema')),
             (SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c
                  WHERE c.oid = to_regclass('outbound_schema')),
             CASE WHEN current_schema() IS NULL THEN false
                  ELSE has_schema_privilege(current_schema(), 'CREATE') END,
             (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user),
             (SELECT count(*) FROM pg_roles WHERE rolname IN ($1::text, $2::text))
         FROM pg_database d WHERE d.datname = current_database()",
        &[&group, &admins],
    );
    let refused = |cause: String, fix: String| StoreError::InitRefused {
        database: database.clone(),
        message: message.clone(),
        cause,
        fix,
    };
    let Ok(row) = facts else {
        return refused(
            "store init creates and upgrades the tables and sets their grants and row-level security, which only their owner may do".into(),
            "run it as the role that owns the outbound tables (or, before the first init, the database's owner); nothing was changed".into(),
        );
    };
    // try_get: a column of an unexpected type (a fork of PostgreSQL) is not a panic.
    let text = |i: usize| row.try_get::<_, Option<String>>(i).ok().flatten();
    let flag = |i: usize| row.try_get::<_, Option<bool>>(i).ok().flatten();
    let me = text(0).unwrap_or_else(|| "this role".into());
    let db_owner = text(1).unwrap_or_else(|| "its owner".into());
    let schema = text(2);
    let table_owner = text(3);
    let owns_tables = flag(4);
    let may_create = flag(5).unwrap_or(false);
    let may_create_roles = flag(6);
    let roles_there = row.try_get::<_, i64>(7).unwrap_or(2);
    let as_role = |owner: &str| {
        format!(
            "run it as `{owner}`: OUTBOUND_DATABASE_URL={} outbound store init",
            label_as(&settings.label, owner)
        )
    };
    match (table_owner, owns_tables) {
        (Some(owner), Some(false)) => refused(
            format!(
                "the outbound tables belong to role `{owner}`, and this is role `{me}`: only their owner may upgrade them and set their grants and row-level security (being in the admin role is not enough)"
            ),
            format!("{}; nothing was changed", as_role(&owner)),
        ),
        (None, _) if !may_create => {
            let schema = schema.unwrap_or_else(|| "public".into());
            refused(
                format!(
                    "there are no outbound tables yet, and role `{me}` may not create tables in schema `{schema}`; the database belongs to role `{db_owner}` (the role that created it)"
                ),
                format!(
                    "{} (or its owner grants this role: GRANT CREATE ON SCHEMA {schema} TO {me}); nothing was changed",
                    as_role(&db_owner)
                ),
            )
        }
        _ if roles_there < 2 && may_create_roles == Some(false) => refused(
            format!(
                "role `{group}` or `{admins}` does not exist yet, and role `{me}` may not create roles (no CREATEROLE)"
            ),
            format!(
                "a role with CREATEROLE runs CREATE ROLE {group} NOLOGIN; CREATE ROLE {admins} NOLOGIN (or store init itself), then `outbound store init` again; nothing was changed"
            ),
        ),
        _ => refused(
            format!(
                "store init creates and upgrades the tables, creates the roles `{group}` and `{admins}` and grants them, which needs the tables' owner with the right to create and grant roles (CREATEROLE)"
            ),
            "run it as the role that owns the outbound tables (or, before the first init, the database's owner), or as a superuser; nothing was changed".into(),
        ),
    }
}

/// The database's label (`postgresql://user@host:port/db`) with `role` as its user.
fn label_as(label: &str, role: &str) -> String {
    match url::Url::parse(label) {
        Ok(mut u) => match u.set_username(role) {
            Ok(()) => u.to_string(),
            Err(()) => label.to_owned(),
        },
        Err(_) => label.to_owned(),
    }
}

/// Why this process has no data key.
#[derive(Debug, Clone)]
pub enum NoDataKey {
    /// None could be had, or it does not parse (exit 11).
    Unavailable(String),
    /// None is set anywhere (no key file, no command, nothing in the keyring): the
    /// store says whose key to get, or how to make the first one (exit 11).
    Missing(String),
    /// `OUTBOUND_STORE_KEY_FILE` names a file others may read: refused (exit 2).
    ExposedFile(String),
}

impl NoDataKey {
    pub fn to_error(&self) -> StoreError {
        match self {
            NoDataKey::Unavailable(reason) | NoDataKey::Missing(reason) => StoreError::NoDataKey {
                reason: reason.clone(),
            },
            NoDataKey::ExposedFile(reason) => StoreError::ExposedKeyFile {
                reason: reason.clone(),
            },
        }
    }
}

/// The data key(s): `OUTBOUND_STORE_KEY_FILE` (a file only its owner may read),
/// else `store_key_command`, else the keyring's `store-key` entry.
pub fn data_keys(settings: &Settings) -> Result<DataKeys, NoDataKey> {
    use NoDataKey::Unavailable;
    if let Some(path) = std::env::var_os("OUTBOUND_STORE_KEY_FILE").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        let origin = format!("OUTBOUND_STORE_KEY_FILE ({})", path.display());
        let bytes = zeroize::Zeroizing::new(
            crate::fsutil::read_private_file(&path, "OUTBOUND_STORE_KEY_FILE").map_err(
                |e| match e {
                    crate::fsutil::PrivateFileError::Exposed(why) => NoDataKey::ExposedFile(why),
                    crate::fsutil::PrivateFileError::Unreadable(why) => Unavailable(why),
                },
            )?,
        );
        let text =
            std::str::from_utf8(&bytes).map_err(|_| Unavailable(format!("{origin}: not text")))?;
        return DataKeys::parse(text, &origin).map_err(Unavailable);
    }
    if let Some(cmd) = &settings.key_command {
        let origin = "store_key_command".to_owned();
        let secret = crate::secret::resolve_reference(&format!("command:{cmd}"))
            .unwrap_or_else(|| Err("no command".into()))
            .map_err(|e| Unavailable(format!("{origin}: {e}")))?;
        return DataKeys::parse(secret.expose(), &origin).map_err(Unavailable);
    }
    let keyring = super::super::open_os_store();
    match keyring.get(super::super::STORE_KEY) {
        Ok(Some(secret)) => DataKeys::parse(secret.expose(), "the keyring's `store-key` entry")
            .map_err(Unavailable),
        Ok(None) => Err(NoDataKey::Missing(
            "no data key: set OUTBOUND_STORE_KEY_FILE to a file holding it (mode 600), or store_key_command (--store-key-command) to a command that prints it, or keep it in the keyring with `outbound store set-key` (make one with `openssl rand -base64 32`; every machine of the team needs the same)".into(),
        )),
        Err(e) => Err(Unavailable(format!(
            "no data key: OUTBOUND_STORE_KEY_FILE and store_key_command are not set, and the keyring could not be asked: {e}"
        ))),
    }
}

/// This machine's name, for naming a lease's holder.
pub fn hostname() -> String {
    whoami::hostname().unwrap_or_else(|_| "unknown-host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_matches_as_libpq_does() {
        let text =
            "# comment\nother:5432:*:*:nope\n127.0.0.1:*:app:alice:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(text, ["127.0.0.1", "5433", "app", "alice"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(text, ["h", "1", "d", "u"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u", ["h", "1", "d", "u"]), None);
    }

    #[test]
    fn labels_and_modes() {
        assert_eq!(
            label_of("postgresql://u:secret@db.example:5433/app?sslmode=require"),
            "postgresql://u@db.example:5433/app"
        );
        let s = Settings::new(
            "postgresql://u@h/db?sslmode=verify-full&application_name=x".into(),
            None,
        );
        let (_, mode, _) = parse(&s).unwrap();
        assert_eq!(mode, SslMode::VerifyFull);
        let s = Settings::new("postgresql://u@h/db?sslmode=bogus".into(), None);
        assert!(parse(&s).is_err());
        let s = Settings::new("mysql://u@h/db".into(), None);
        assert!(parse(&s).is_err());
        let s = Settings::new("db.example/outbound".into(), None);
        assert!(parse(&s).is_err());
    }

    /// libpq's Unix-socket form: an empty host and `host=/dir`; `prefer` means no TLS
    /// over a socket, and the label keeps the directory but never a password.
    #[test]
    fn unix_socket_urls() {
        let url = "postgresql://alice:pw@/outbound?host=/run/postgresql&application_name=x";
        assert_eq!(
            label_of(url),
            "postgresql://alice@/outbound?host=/run/postgresql"
        );
        let (config, mode, _) = parse(&Settings::new(url.into(), None)).unwrap();
        assert_eq!(mode, SslMode::Disable);
        assert_eq!(config.get_dbname(), Some("outbound"));
        assert_eq!(config.get_user(), Some("alice"));
        #[cfg(unix)]
        assert_eq!(
            config.get_hosts(),
            [postgres::config::Host::Unix("/run/postgresql".into())]
        );
        let s = Settings::new(
            "postgresql:///outbound?host=/tmp/s&sslmode=require".into(),
            None,
        );
        let (_, mode, _) = parse(&s).unwrap();
        assert_eq!(mode, SslMode::Require);
        assert_eq!(
            label_of("postgresql:///outbound?host=/tmp/s"),
            "postgresql:///outbound?host=/tmp/s"
        );
    }
}
