//! `outbound doctor [NAME]`: one line per check, each failure with its fix. Checks
//! the configuration, the secret store, a browser launcher, and for each app its
//! client secret, egress settings, endpoints (discovery, TLS) and clock skew.

use crate::commands::output::data;
use std::time::{Duration, SystemTime};

use super::Ctx;
use crate::app::{App, SecretRef};
use crate::error::{Error, Result};
use crate::store::{self, Backend, SecretStore};

#[derive(Default)]
struct Report {
    failures: usize,
    warnings: usize,
}

impl Report {
    fn ok(&mut self, what: &str, detail: impl AsRef<str>) {
        data!("ok    {what:<22} {}", detail.as_ref());
    }
    fn warn(&mut self, what: &str, detail: impl AsRef<str>, fix: &str) {
        self.warnings += 1;
        data!("warn  {what:<22} {}\n      fix: {fix}", detail.as_ref());
    }
    fn fail(&mut self, what: &str, detail: impl AsRef<str>, fix: &str) {
        self.failures += 1;
        data!("FAIL  {what:<22} {}\n      fix: {fix}", detail.as_ref());
    }
}

pub fn run(ctx: &Ctx, name: Option<&str>) -> Result<()> {
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
            return Err(Error::Other("doctor found 1 problem".into()));
        }
    };
    if let Some(name) = name {
        config.app(name)?;
    }

    let backend = ctx.backend(&config);
    let store = store::open(backend, &ctx.state_dir);
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

    match browser_launcher() {
        Some(found) => report.ok("browser", found),
        None => report.warn(
            "browser",
            "no browser launcher found ($BROWSER unset, no xdg-open/open)",
            "set $BROWSER, or authorize with --manual or --device",
        ),
    }

    for app in config
        .apps
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
    {
        check_app(&mut report, app, store.as_ref());
    }

    data!(
        "\n{} problem(s), {} warning(s)",
        report.failures,
        report.warnings
    );
    if report.failures > 0 {
        return Err(Error::Other(format!(
            "doctor found {} problem(s)",
            report.failures
        )));
    }
    Ok(())
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
            Err(_) => report.fail(
                &label("client secret"),
                "the store cannot be read",
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
    let http = match crate::http::oauth_client(app) {
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
        ("authorization", app.auth_url.as_ref()),
        ("token", Some(&app.token_url)),
        ("revocation", app.revocation_url.as_ref()),
        ("device", app.device_url.as_ref()),
    ];
    for (what, url) in endpoints {
        let Some(url) = url else { continue };
        match http.get(url.as_str()).send() {
            Ok(response) => {
                report.ok(
                    &label(what),
                    format!("{url} answers HTTP {}", response.status().as_u16()),
                );
                if what == "token" {
                    check_clock(report, app, &response);
                }
            }
            Err(e) => {
                let mut source: &dyn std::error::Error = &e;
                while let Some(inner) = source.source() {
                    source = inner;
                }
                let reason = source.to_string();
                let lower = reason.to_lowercase();
                let tls = ["certificate", "issuer", "tls", "handshake"];
                let fix = if tls.iter().any(|w| lower.contains(w)) {
                    format!(
                        "trust its CA: outbound app edit {} --ca-file CA.pem",
                        app.name
                    )
                } else {
                    "check the URL, the network, and the app's proxy".to_owned()
                };
                report.fail(&label(what), format!("{url}: {reason}"), &fix);
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
