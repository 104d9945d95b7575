//! `outbound doctor [NAME]`: one line per check, each failure with its fix. Checks
//! the configuration, the secret store, a browser launcher, and for each app its
//! client secret, egress settings, endpoints (discovery, TLS) and clock skew.

use crate::commands::output::data;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::Ctx;
use crate::app::{App, SecretRef};
use crate::error::{Error, Result};
use crate::oauth::probe::{self, Endpoint, Verdict};
use crate::store::{self, Backend, SecretStore};

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
            data!("\n{failures} problem(s), {warnings} warning(s)");
        }
        if failures > 0 {
            return Err(Error::Other(format!("doctor found {failures} problem(s)")));
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
                format!("{}: {} application(s)", c.path.display(), c.apps.len()),
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

    let backend = ctx.backend(&config);
    let store = ctx.open_store(backend, &config);
    if backend == Backend::Postgres {
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
    } else {
        check_local_store(&mut report, ctx, backend, store.as_ref());
    }

    check_browser(&mut report);

    for app in config
        .apps
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
    {
        check_app(&mut report, app, store.as_ref());
    }
    report.finish(json)
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

fn check_app(report: &mut Report, app: &App, store: &dyn SecretStore) {
    let label = |what: &str| format!("{}: {what}", app.name);
    if !app.enabled {
        report.warn(
            &label("enabled"),
            "disabled: its tokens are refused",
            &format!("outbound app enable {}", app.name),
        );
    }
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
            return;
        }
    };
    if let Some(issuer) = &app.issuer {
        match crate::oauth::discovery::discover(&http, issuer) {
            Ok(_) => report.ok(&label("discovery"), format!("{issuer} metadata matches")),
            Err(e) => report.fail(
                &label("discovery"),
                e.to_string(),
                "check the issuer URL, network, proxy and CA",
            ),
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
                match endpoint.judge(status) {
                    Verdict::Expected => report.ok(&what, detail),
                    Verdict::Unusual(why) | Verdict::Wrong(why) => report.fail(
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
                let fix = if no.kind == probe::Silence::Tls {
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
}

fn check_clock(report: &mut Report, app: &App, response: &reqwest::blocking::Response) {
    let Some(date) = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
    else {
        return;
    };
    let now = SystemTime::now();
    let skew = match now.duration_since(date) {
        Ok(ahead) => ahead,
        Err(e) => e.duration(),
    };
    let label = format!("{}: clock", app.name);
    if skew > Duration::from_secs(30) {
        report.warn(
            &label,
            format!("this machine and the server differ by {} s", skew.as_secs()),
            "synchronise the clock (NTP): expiry times would be wrong",
        );
    } else {
        report.ok(&label, format!("within {} s of the server", skew.as_secs()));
    }
}
