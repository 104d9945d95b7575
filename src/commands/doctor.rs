//! `outbound doctor [NAME]`: one line per check, each failure with its fix. Checks
//! the configuration, the secret store, a browser launcher, and for each app its
//! client secret, egress settings, endpoints (discovery, TLS) and clock skew; for a
//! client-credentials app, its credentials themselves (one token request); and each
//! account's last failure, as the state index (or the team store) keeps it.

use crate::commands::output::data;
use std::time::SystemTime;

use serde::Serialize;

use super::Ctx;
use crate::app::{App, SecretRef};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::oauth::probe::{self, Endpoint, Verdict};
use crate::store::{self, Administrators, Backend, SecretStore};

#[derive(Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

/// One check's verdict, as printed and as `--json` gives it.
#[derive(Serialize)]
struct Check {
    check: String,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Default)]
struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn add(&mut self, status: Status, what: &str, detail: impl AsRef<str>, fix: Option<&str>) {
        self.checks.push(Check {
            check: what.to_owned(),
            status,
            detail: crate::text::printable(detail.as_ref()),
            fix: fix.map(str::to_owned),
        });
    }
    fn ok(&mut self, what: &str, detail: impl AsRef<str>) {
        self.add(Status::Ok, what, detail, None);
    }
    fn warn(&mut self, what: &str, detail: impl AsRef<str>, fix: &str) {
        self.add(Status::Warn, what, detail, Some(fix));
    }
    fn fail(&mut self, what: &str, detail: impl AsRef<str>, fix: &str) {
        self.add(Status::Fail, what, detail, Some(fix));
    }
    fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// Prints every check (a line each, or one JSON document) and fails with exit 1
    /// when any check failed.
    fn finish(self, json: bool) -> Result<()> {
        let (failures, warnings) = (self.count(Status::Fail), self.count(Status::Warn));
        if json {
            super::print_json(&serde_json::json!({
                "checks": self.checks,
                "failures": failures,
                "warnings": warnings,
            }))?;
        } else {
            for c in &self.checks {
                let status = match c.status {
                    Status::Ok => "ok  ",
                    Status::Warn => "warn",
                    Status::Fail => "FAIL",
                };
                data!("{status}  {:<22} {}", c.check, c.detail);
                if let Some(fix) = &c.fix {
                    data!("      fix: {fix}");
                }
            }
            data!(
                "\n{}, {}",
                crate::text::count(failures, "problem"),
                crate::text::count(warnings, "warning")
            );
        }
        if failures > 0 {
            return Err(Error::Other(format!(
                "doctor found {}",
                crate::text::count(failures, "problem")
            )));
        }
        Ok(())
    }
}

pub fn run(ctx: &Ctx, name: Option<&str>, json: bool) -> Result<()> {
    let mut report = Report::default();
    let config = match ctx.load() {
        Ok(c) => {
            report.ok(
                "config",
                format!(
                    "{}: {}",
                    c.path.display(),
                    crate::text::count(c.apps.len(), "application")
                ),
            );
            c
        }
        Err(e) => {
            report.fail(
                "config",
                e.to_string(),
                "correct the file at the line and column given",
            );
            return report.finish(json);
        }
    };
    if let Some(name) = name {
        config.app(name)?;
    }

    // The team store, when the configuration names one; this user's own store
    // when the file defines applications (or nothing names a team store).
    let team = ctx.team_named(&config);
    let personal = ctx.personal_backend(&config);
    let store = ctx.open_store(personal, &config);
    let team_store = team.then(|| ctx.open_store(Backend::Postgres, &config));
    if team {
        // Reachable (the definitions above came from it); can this machine open
        // what it holds?
        let pg = ctx.postgres(&config);
        match pg.current_key_id() {
            Ok(id) => report.ok(
                "store",
                format!("team store {} reachable; data key {id}", pg.label()),
            ),
            Err(e) => report.fail(
                "store",
                e.to_string().lines().next().unwrap_or_default(),
                "set OUTBOUND_STORE_KEY_FILE, store_key_command, or `outbound store set-key` (the team's data key)",
            ),
        }
        check_store_clock(&mut report, &pg);
    }
    if !team
        || config
            .apps
            .iter()
            .any(|a| a.place == crate::config::Place::Personal)
    {
        check_local_store(&mut report, ctx, personal, store.as_ref());
    }

    check_browser(&mut report);

    // In the team store, what only its administrators may fix names them to a member.
    let admins = if team { ctx.administrators() } else { None };
    let mut index = crate::state::Index::load(&ctx.state_dir);
    if super::status::shared_records(ctx, &config, &mut index).is_err() {
        // The store's line above says why; this machine's records still count.
        index = crate::state::Index::load(&ctx.state_dir);
    }
    for app in config
        .apps
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
    {
        let on = On {
            ctx,
            config: &config,
            store: match (&team_store, app.place) {
                (Some(team), crate::config::Place::Team) => team.as_ref(),
                _ => store.as_ref(),
            },
            admins: admins
                .as_ref()
                .filter(|_| app.place == crate::config::Place::Team),
        };
        let tried = check_app(&mut report, &on, app);
        check_last_failures(&mut report, &on, app, &index, tried.as_deref());
    }
    report.finish(json)
}

/// What the checks of one app work with.
struct On<'a> {
    ctx: &'a Ctx,
    config: &'a Config,
    store: &'a dyn SecretStore,
    /// The team store's administrators, when this user is not one of them.
    admins: Option<&'a Administrators>,
}

impl On<'_> {
    /// The fix for a client the server refused: the command, or, for a team store
    /// member when it changes the application, who can.
    fn client_fix(&self, what: &str, fix: &str, app_change: bool) -> String {
        match self.admins {
            Some(admins) if app_change => format!("ask {admins} to set the {what} again"),
            _ => fix.to_owned(),
        }
    }
}

/// Tries the credentials of a client-credentials app: one token request (the stored
/// token, if any, is treated as refused, so the request is sent), kept like any
/// refresh, so a success clears the account's last failure. Returns the account
/// tried.
fn check_credentials(report: &mut Report, on: &On, app: &App) -> Option<String> {
    let what = format!("{}: credentials", app.name);
    let account = crate::tokens::account_of(app, None).ok()?;
    let audit = on.ctx.audit(on.config, app);
    let env = on.ctx.token_env(on.config, app, on.store, &audit);
    let current = crate::tokens::StoredToken::load(on.store, &app.id, &account)
        .ok()
        .flatten()
        .map(|t| t.access_token);
    match crate::tokens::valid_token(&env, app, &account, current.as_ref()) {
        Ok(_) => report.ok(
            &what,
            format!("the token endpoint issued a token for them (client_credentials, account `{account}`)"),
        ),
        Err(Error::ClientRefused {
            error,
            what: secret,
            fix,
            app_change,
            ..
        }) => report.fail(&what, error.to_string(), &on.client_fix(&secret, &fix, app_change)),
        Err(e) => {
            let text = e.to_string();
            let mut lines = text.lines();
            let detail = lines.next().unwrap_or_default().to_owned();
            let fix: Vec<&str> = lines
                .map(|l| {
                    let l = l.trim();
                    l.strip_prefix("fix: ")
                        .or_else(|| l.strip_prefix("run: "))
                        .unwrap_or(l)
                })
                .collect();
            let fix = if fix.is_empty() {
                format!(
                    "put right what it says, then `outbound token {}` tries again",
                    app.name
                )
            } else {
                fix.join("; ")
            };
            report.fail(&what, detail, &fix);
        }
    }
    Some(account)
}

/// Every account of `app` whose last token request failed (as this machine's state
/// index, or the team store for every machine, keeps it) is a problem, with its
/// next step. `tried`: the account [`check_credentials`] just tried, whose result
/// stands instead.
fn check_last_failures(
    report: &mut Report,
    on: &On,
    app: &App,
    index: &crate::state::Index,
    tried: Option<&str>,
) {
    for record in index.accounts.values().filter(|r| r.app_id == app.id) {
        let Some(error) = &record.last_error else {
            continue;
        };
        if tried == Some(record.account.as_str()) {
            continue;
        }
        let account = &record.account;
        let flag = if account == crate::tokens::DEFAULT_ACCOUNT {
            String::new()
        } else {
            format!(" --account {account}")
        };
        let fix = if record.needs_authorization {
            format!("outbound authorize {}{flag}", app.name)
        } else if error.contains("invalid_client") {
            let c = crate::tokens::client_fix(app);
            on.client_fix(c.what, &c.fix, c.app_change)
        } else {
            format!(
                "put right what it says, then `outbound token {}{flag}` tries again (a success clears it)",
                app.name
            )
        };
        let state = if record.needs_authorization {
            "needs authorization; "
        } else {
            ""
        };
        report.fail(
            &format!("{}: account {account}", app.name),
            format!("{state}last failure: {error}"),
            &fix,
        );
    }
}

/// The keyring or the file store: reachable, and what it is.
fn check_local_store(report: &mut Report, ctx: &Ctx, backend: Backend, store: &dyn SecretStore) {
    match store.get("doctor/probe") {
        Ok(_) if backend == Backend::File => report.warn(
            "store",
            format!(
                "file store at {} (unencrypted)",
                ctx.state_dir.join("secrets.json").display()
            ),
            "prefer the OS keyring: --store keyring",
        ),
        Ok(_) => report.ok("store", "OS keyring reachable"),
        Err(e) => report.fail(
            "store",
            e.to_string().lines().next().unwrap_or_default(),
            "start and unlock a Secret Service, or use --store file",
        ),
    }
}

/// Beyond this much off, a machine's clock breaks tokens: the client assertions it
/// signs expire a minute after they are made, and ID tokens are checked against it
/// with a minute's leeway.
const CLOCK_BREAKS_MS: u64 = 60_000;
/// Beyond this much off, a clock is worth setting right before it breaks anything.
const CLOCK_DRIFTS_MS: u64 = 10_000;

/// This machine's clock against the team store's database, as measured when it
/// connected. The team store keeps token expiry on the database's clock, so a wrong
/// clock no longer makes machines disagree on it; what it still breaks is named.
fn check_store_clock(report: &mut Report, pg: &crate::store::postgres::PgStore) {
    const WHAT: &str = "store clock";
    let skew = match pg.clock_skew() {
        Ok(Some(skew)) => skew,
        Ok(None) => {
            report.warn(
                WHAT,
                format!(
                    "the team store's database {} gave no time to compare this machine's clock with",
                    pg.label()
                ),
                "check that it is PostgreSQL, and that this machine's clock is synchronised (NTP)",
            );
            return;
        }
        Err(e) => {
            report.fail(
                WHAT,
                format!(
                    "this machine's clock could not be compared with the team store's database: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ),
                "see the store check above",
            );
            return;
        }
    };
    let way = if skew.offset_ms > 0 {
        "behind"
    } else {
        "ahead of"
    };
    judge_skew(
        report,
        WHAT,
        skew.offset_ms.unsigned_abs(),
        &format!(
            "{way} the team store's database {} (measured over a {} ms round trip)",
            pg.label(),
            skew.round_trip_ms
        ),
        &format!("the team store's database {}", pg.label()),
        CLOCK_DRIFTS_MS,
    );
}

/// One verdict on this machine's clock, `off_ms` from `against` (`how` says which
/// way and how it was measured): a failure past [`CLOCK_BREAKS_MS`], a warning past
/// `drifts_ms`.
fn judge_skew(
    report: &mut Report,
    what: &str,
    off_ms: u64,
    how: &str,
    against: &str,
    drifts_ms: u64,
) {
    const FIX: &str = "synchronise this machine's clock with NTP (for example `timedatectl set-ntp true`, or chrony or ntpd), then run `outbound doctor` again";
    let seconds = off_ms.saturating_add(500) / 1000;
    let measured = format!("this machine's clock is {seconds} s {how}");
    let limit = CLOCK_BREAKS_MS / 1000;
    if off_ms > CLOCK_BREAKS_MS {
        report.fail(
            what,
            format!(
                "{measured}; more than {limit} s breaks tokens: servers refuse the client assertions and DPoP proofs this machine signs, and ID tokens are judged against this clock (token expiry in the team store is judged on its database's clock)"
            ),
            FIX,
        );
    } else if off_ms > drifts_ms {
        report.warn(
            what,
            format!(
                "{measured}; tokens still work, but more than {limit} s breaks them (client assertions, DPoP proofs, ID tokens)"
            ),
            FIX,
        );
    } else {
        report.ok(what, format!("within {seconds} s of {against}"));
    }
}

/// A launcher that is installed is not one that works: xdg-open without a desktop
/// session fails (it printed `ok browser xdg-open` where it could not open anything).
fn check_browser(report: &mut Report) {
    const FIX: &str =
        "set $BROWSER to your browser's command, or authorize with --manual or --device";
    let Some(found) = browser_launcher() else {
        report.warn(
            "browser",
            "no browser launcher found ($BROWSER unset, no xdg-open/open)",
            FIX,
        );
        return;
    };
    if found != "xdg-open" || cfg!(target_os = "macos") {
        report.ok("browser", found);
        return;
    }
    let desktop = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    if !desktop {
        report.warn(
            "browser",
            "xdg-open is installed, but there is no desktop session (DISPLAY and WAYLAND_DISPLAY are unset): it cannot open a browser",
            FIX,
        );
        return;
    }
    // xdg-settings names the browser xdg-open would start, without starting it.
    let default = std::process::Command::new("xdg-settings")
        .args(["get", "default-web-browser"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match default {
        Ok(out) if out.status.success() && !out.stdout.trim_ascii().is_empty() => report.ok(
            "browser",
            format!(
                "xdg-open ({})",
                String::from_utf8_lossy(out.stdout.trim_ascii())
            ),
        ),
        Ok(_) => report.warn(
            "browser",
            "xdg-open is installed, but no default web browser is set",
            "xdg-settings set default-web-browser BROWSER.desktop, or set $BROWSER",
        ),
        // No xdg-settings to ask: a desktop session is the best sign there is.
        Err(_) => report.ok("browser", "xdg-open (desktop session)"),
    }
}

fn browser_launcher() -> Option<String> {
    if let Some(browser) = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        let program = browser
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        return on_path(&program).then(|| format!("$BROWSER ({program})"));
    }
    ["xdg-open", "open", "wslview", "sensible-browser"]
        .into_iter()
        .find(|p| on_path(p))
        .map(str::to_owned)
}

fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return std::path::Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// The checks of one app; returns the account whose credentials were tried.
fn check_app(report: &mut Report, on: &On, app: &App) -> Option<String> {
    let store = on.store;
    let label = |what: &str| format!("{}: {what}", app.name);
    if !app.enabled {
        let fix = match on.admins {
            Some(admins) => format!("ask {admins} to enable it"),
            None => format!("outbound app enable {}", app.name),
        };
        report.warn(&label("enabled"), "disabled: its tokens are refused", &fix);
    }
    check_loopback_hosts(report, on, app);
    check_preset(report, on, app);
    // The credentials are tried only when nothing found so far stands in the way.
    let failed_before = report.count(Status::Fail);
    match &app.client_secret {
        SecretRef::None => report.ok(&label("client secret"), "public client (none)"),
        SecretRef::Store => match store.get(&store::client_secret_key(&app.id)) {
            Ok(Some(_)) => report.ok(&label("client secret"), "in the store"),
            Ok(None) => report.fail(
                &label("client secret"),
                "missing from the store",
                &format!("outbound app secret set {}", app.name),
            ),
            Err(e) => report.fail(
                &label("client secret"),
                format!(
                    "the store cannot be read: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ),
                "see the store check above",
            ),
        },
        SecretRef::Env(var) if std::env::var_os(var).is_some() => {
            report.ok(&label("client secret"), format!("${var} is set"))
        }
        SecretRef::Env(var) => report.fail(
            &label("client secret"),
            format!("${var} is not set"),
            &format!("export {var}=… where outbound runs"),
        ),
        SecretRef::Command(_) => report.ok(
            &label("client secret"),
            "from a command (not run by doctor)",
        ),
    }
    let http = match crate::http::oauth_client(app, None) {
        Ok(h) => {
            let mut egress = Vec::new();
            if let Some(p) = &app.proxy {
                egress.push(format!("proxy {}", p.host_str().unwrap_or_default()));
            }
            if let Some(ca) = &app.ca_file {
                egress.push(format!("CA file {}", ca.display()));
            }
            if !egress.is_empty() {
                report.ok(&label("egress"), egress.join(", "));
            }
            h
        }
        Err(e) => {
            report.fail(
                &label("egress"),
                e.to_string(),
                &format!(
                    "outbound app edit {} --proxy URL / --ca-file PATH",
                    app.name
                ),
            );
            return None;
        }
    };
    if let Some(issuer) = &app.issuer {
        match crate::oauth::discovery::discover(&http, issuer) {
            Ok(_) => report.ok(&label("discovery"), format!("{issuer} metadata matches")),
            // Only an answer can say the entry is stale: not a server out of reach.
            Err(e) => match from_catalog(app, "issuer", issuer)
                .filter(|_| !matches!(e, crate::oauth::OAuthError::Unreachable { .. }))
            {
                Some(entry) => report.fail(
                    &label("discovery"),
                    format!("{e}; {}", entry.stale(issuer)),
                    &entry.fix(app, "--issuer"),
                ),
                None => report.fail(
                    &label("discovery"),
                    e.to_string(),
                    "check the issuer URL, network, proxy and CA",
                ),
            },
        }
    }
    let endpoints = [
        (Endpoint::Authorization, app.auth_url.as_ref()),
        (Endpoint::Token, Some(&app.token_url)),
        (Endpoint::Revocation, app.revocation_url.as_ref()),
        (Endpoint::Device, app.device_url.as_ref()),
    ];
    for (endpoint, url) in endpoints {
        let Some(url) = url else { continue };
        let what = label(endpoint.name());
        match probe::probe(&http, endpoint, url, None) {
            Ok(response) => {
                let status = response.status().as_u16();
                let detail = format!("{url} answers HTTP {status} to an empty request");
                let entry = matches!(status, 404 | 410)
                    .then(|| from_catalog(app, endpoint.field(), url))
                    .flatten();
                match (endpoint.judge(status), entry) {
                    (Verdict::Expected, _) => report.ok(&what, detail),
                    (Verdict::Wrong(why), Some(entry)) => report.fail(
                        &what,
                        format!("{detail}: {why}; {}", entry.stale(url)),
                        &entry.fix(app, endpoint.flag()),
                    ),
                    (Verdict::Unusual(why) | Verdict::Wrong(why), _) => report.fail(
                        &what,
                        format!("{detail}: {why}"),
                        &format!(
                            "check the URL with the provider's documentation or metadata (outbound app edit {} --issuer URL fills it)",
                            app.name
                        ),
                    ),
                }
                if endpoint == Endpoint::Token {
                    check_clock(report, app, &response);
                }
            }
            Err(no) => {
                let loopback = url.host().is_some_and(|h| crate::app::is_loopback_host(&h));
                let fix = if no.kind == probe::Silence::PlainHttp && loopback {
                    let mut http = url.clone();
                    let _ = http.set_scheme("http");
                    format!("outbound app edit {} {} {http}", app.name, endpoint.flag())
                } else if no.kind == probe::Silence::PlainHttp {
                    "the server at that port speaks plain HTTP, and https is required beyond loopback: check the URL's port with the provider's documentation".to_owned()
                } else if no.kind == probe::Silence::Tls {
                    format!(
                        "trust its CA: outbound app edit {} --ca-file CA.pem",
                        app.name
                    )
                } else {
                    "check the URL, the network, and the app's proxy".to_owned()
                };
                report.fail(&what, format!("{url}: {}", no.reason), &fix);
            }
        }
    }
    let tries = app.enabled && app.grant == crate::app::Grant::ClientCredentials;
    if tries && report.count(Status::Fail) == failed_before {
        return check_credentials(report, on, app);
    }
    None
}

/// An allowed host on loopback (127.0.0.0/8, ::1, localhost) written without a port
/// means the scheme's default port only (443, or 80 over http): what a local
/// service rarely listens on, and what such an entry meant before a bare host
/// stopped matching every port. A warning, with the edit that names the port (the
/// app's base URL's, when it is on that host; else PORT to fill in).
fn check_loopback_hosts(report: &mut Report, on: &On, app: &App) {
    for host in &app.allowed_hosts {
        if !loopback_without_port(host) {
            continue;
        }
        let port = app
            .relative_base()
            .filter(|base| {
                base.host_str()
                    .is_some_and(|h| h.eq_ignore_ascii_case(host))
            })
            .and_then(|base| base.port())
            .map_or_else(|| "PORT".to_owned(), |p| p.to_string());
        let edit = format!(
            "outbound app edit {} --remove-allowed-host {host} --add-allowed-host {host}:{port}",
            app.name
        );
        let fix = match on.admins {
            Some(admins) => format!("ask {admins} to run: {edit}"),
            None if port == "PORT" => {
                format!("{edit} (the local service's port; {host}:* for any port)")
            }
            None => edit,
        };
        report.warn(
            &format!("{}: allowed hosts", app.name),
            format!(
                "`{host}` is a loopback host without a port: it matches only the default port (443, or 80 over http), which a local service rarely uses"
            ),
            &fix,
        );
    }
}

/// An app made from a catalog entry (`app add --preset`) whose endpoints are no
/// longer the entry's (with the parameters it was made with): the provider moved
/// them and the catalog followed, or the app was given others on purpose. A
/// warning, with the edit that takes the catalog's.
fn check_preset(report: &mut Report, on: &On, app: &App) {
    let Some(name) = &app.preset else { return };
    let what = format!("{}: preset", app.name);
    let Ok(preset) = crate::presets::get(name) else {
        report.warn(
            &what,
            format!("made from preset `{name}`, which this outbound's catalog no longer has"),
            "outbound app presets --search WORD (to compare its endpoints by hand)",
        );
        return;
    };
    let mut values = preset.params.clone();
    values.extend(app.preset_params.clone());
    let filled = preset.filled(&values);
    let mut edits = Vec::new();
    let mut differ = Vec::new();
    for (key, have) in [
        ("auth_url", app.auth_url.as_ref()),
        ("token_url", Some(&app.token_url)),
        ("revocation_url", app.revocation_url.as_ref()),
        ("device_url", app.device_url.as_ref()),
        ("userinfo_url", app.userinfo_url.as_ref()),
    ] {
        let Some(want) = filled.get_str(key) else {
            continue;
        };
        let want = url::Url::parse(want).ok();
        if want.as_ref() != have {
            let now = have.map_or_else(|| "none".to_owned(), |u| u.to_string());
            let catalog = want.as_ref().map_or_else(String::new, |u| u.to_string());
            differ.push(format!("{key} is {now}, the catalog says {catalog}"));
            edits.push(format!("--{} {catalog}", key.replace('_', "-")));
        }
    }
    if differ.is_empty() {
        report.ok(&what, format!("endpoints as the catalog's `{name}` says"));
        return;
    }
    let edit = format!("outbound app edit {} {}", app.name, edits.join(" "));
    let fix = match on.admins {
        Some(admins) => format!("ask {admins} to run: {edit}"),
        None => edit,
    };
    report.warn(
        &what,
        format!(
            "made from preset `{name}`, but {} (the provider moved them, or they were set by hand on purpose)",
            differ.join("; ")
        ),
        &fix,
    );
}

/// The catalog entry an app's URL came from: the app was made from a preset and
/// the URL in `field` is still the one the entry gives (with the app's parameters).
/// When such a URL no longer answers as the catalog says (404, discovery gone), the
/// entry itself may be stale, and its users are the first to find out.
struct CatalogEntry {
    name: String,
    docs: Option<String>,
}

fn from_catalog(app: &App, field: &str, url: &url::Url) -> Option<CatalogEntry> {
    let name = app.preset.as_ref()?;
    let preset = crate::presets::get(name).ok()?;
    let mut values = preset.params.clone();
    values.extend(app.preset_params.clone());
    let want = url::Url::parse(preset.filled(&values).get_str(field)?).ok()?;
    (&want == url).then(|| CatalogEntry {
        name: name.clone(),
        docs: preset.docs.clone(),
    })
}

impl CatalogEntry {
    fn stale(&self, url: &url::Url) -> String {
        format!(
            "{url} is what the catalog's `{}` preset gives, so the catalog entry may be stale (the provider moved it)",
            self.name
        )
    }

    fn fix(&self, app: &App, flag: &str) -> String {
        let look = match &self.docs {
            Some(docs) => format!("find the current URL in {docs}"),
            None => "find the current URL in the provider's documentation".to_owned(),
        };
        format!(
            "{look}, then: outbound app edit {} {flag} URL; and report the stale `{}` entry to outbound's maintainers (src/presets.toml)",
            app.name, self.name
        )
    }
}

/// Whether an allowed-host entry names a loopback host without a port
/// (`127.0.0.1`, `[::1]`, `localhost`).
fn loopback_without_port(entry: &str) -> bool {
    if entry.starts_with("*.") {
        return false;
    }
    // A port follows the host: after `]` for an IPv6 address, else after a `:`.
    let has_port = match entry.rfind(']') {
        Some(end) => entry[end..].contains(':'),
        None => entry.contains(':'),
    };
    !has_port
        && url::Url::parse(&format!("https://{entry}/"))
            .ok()
            .and_then(|url| url.host().map(|h| crate::app::is_loopback_host(&h)))
            .unwrap_or(false)
}

/// This machine's clock against the token endpoint's, by the Date header of its
/// answer (whole seconds: a warning past 30 s, a failure past 60 s).
fn check_clock(report: &mut Report, app: &App, response: &reqwest::blocking::Response) {
    let Some(date) = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
    else {
        return;
    };
    let (off, way) = match SystemTime::now().duration_since(date) {
        Ok(ahead) => (ahead, "ahead of"),
        Err(behind) => (behind.duration(), "behind"),
    };
    let host = response.url().host_str().unwrap_or("the server").to_owned();
    judge_skew(
        report,
        &format!("{}: clock", app.name),
        u64::try_from(off.as_millis()).unwrap_or(u64::MAX),
        &format!("{way} the token endpoint {host} (by its Date header)"),
        &format!("the token endpoint {host}"),
        30_000,
    );
}
