//! git: `outbound git-credential` speaks git's credential-helper protocol (see
//! gitcredentials(7) and git-credential(1)); `outbound setup-git APP --host HOST`
//! names it as the helper for that host in the user's git configuration, as
//! `gh auth setup-git` does.
//!
//! A helper answers `get` with `username` and `password` (a valid token, refreshed
//! when needed) for a host one of the apps allows, and nothing otherwise, so git
//! tries the next helper. `store` has nothing to keep (the tokens live in our store);
//! `erase`, which git sends after the server refused what we gave, refreshes that
//! token instead of deleting anything.

use std::io::Read;

use super::Ctx;
use crate::app::App;
use crate::commands::output::{data, notice, warning};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::tokens;

/// What git sends at most: a few short lines. More is not git.
const MAX_INPUT: u64 = 64 * 1024;

/// The username git sends with a token when the app names none (GitHub's).
pub const DEFAULT_USERNAME: &str = "x-access-token";

/// One credential description, as git sends it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Request {
    protocol: Option<String>,
    host: Option<String>,
    path: Option<String>,
    password: Option<Secret>,
}

/// Parses `key=value` lines up to an empty line or the end; unknown keys (git adds
/// `capability[]`, `wwwauth[]`, …) are ignored.
fn parse(input: &str) -> Result<Request> {
    let mut request = Request::default();
    for line in input.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::Usage(format!(
                "git-credential: `{}` is not a key=value line of git's credential protocol",
                crate::text::printable(&line.chars().take(40).collect::<String>())
            )));
        };
        match key {
            "protocol" => request.protocol = Some(value.to_ascii_lowercase()),
            "host" => request.host = Some(value.to_ascii_lowercase()),
            "path" => request.path = Some(value.to_owned()),
            "password" => request.password = Some(Secret::new(value.to_owned())),
            "url" => {
                // `url=` stands for protocol, host and path at once.
                let url = url::Url::parse(value)
                    .map_err(|e| Error::Usage(format!("git-credential: url={value}: {e}")))?;
                request.protocol = Some(url.scheme().to_owned());
                request.host = url.host_str().map(|h| match url.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_owned(),
                });
            }
            _ => {}
        }
    }
    Ok(request)
}

/// The URL git asks about, or None when it is not one a token may go to (a
/// protocol other than https, http to another host than loopback: said on stderr).
fn target(request: &Request) -> Result<Option<url::Url>> {
    let Some(host) = request.host.as_deref().filter(|h| !h.is_empty()) else {
        return Err(Error::Usage(
            "git-credential: the request names no host (git sends `host=…`)".into(),
        ));
    };
    let protocol = request.protocol.as_deref().unwrap_or_default();
    if protocol != "https" && protocol != "http" {
        notice!("git-credential: not answering for protocol `{protocol}`: tokens go over https");
        return Ok(None);
    }
    let url = url::Url::parse(&format!("{protocol}://{host}/"))
        .map_err(|e| Error::Usage(format!("git-credential: host={host}: {e}")))?;
    let loopback = url.host().is_some_and(|h| crate::app::is_loopback_host(&h));
    if protocol == "http" && !loopback {
        return Err(Error::HostNotAllowed(format!(
            "git-credential: refusing to send a token to {host} over http: tokens travel only over https (plain http only to loopback)"
        )));
    }
    Ok(Some(url))
}

pub struct CredentialArgs {
    pub operation: String,
    pub app: Option<String>,
    pub account: Option<String>,
}

/// `outbound git-credential [--app APP] [--account A] get|store|erase`.
pub fn credential(ctx: &Ctx, args: CredentialArgs) -> Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("git-credential: cannot read standard input", e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Error::Usage(format!(
            "git-credential: more than {} KiB on standard input; git sends a few lines",
            MAX_INPUT / 1024
        )));
    }
    let input = String::from_utf8(bytes)
        .map_err(|_| Error::Usage("git-credential: standard input is not text".into()))?;
    let request = parse(&input)?;
    let operation = args.operation.as_str();
    if operation == "store" {
        // The tokens are ours to keep already.
        return Ok(());
    }
    if operation != "get" && operation != "erase" {
        return Err(Error::Usage(format!(
            "git-credential: unknown operation `{operation}` (git sends get, store or erase)"
        )));
    }
    let Some(url) = target(&request)? else {
        return Ok(());
    };
    let config = ctx.load()?;
    let app = match &args.app {
        Some(name) => {
            let app = config.app(name)?;
            let to = crate::gate::To::Http {
                url: &url,
                proxy: None,
                headers: None,
            };
            if let Some(why) = crate::gate::destination(&ctx.state_dir, app, &to) {
                return Err(Error::HostNotAllowed(format!("git-credential: {why}")));
            }
            app
        }
        None => {
            let matching: Vec<&App> = config
                .apps
                .iter()
                .filter(|a| a.enabled && crate::gate::hosts::host_allowed(a, &url))
                .collect();
            let Some(&first) = matching.first() else {
                // Not ours: git asks the next helper.
                return Ok(());
            };
            if matching.len() > 1 {
                warning!(
                    "git-credential: {} apps allow {} ({}); answering with `{}`. Name one: outbound setup-git APP --host {}",
                    matching.len(),
                    request.host.as_deref().unwrap_or_default(),
                    matching
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    first.name,
                    request.host.as_deref().unwrap_or_default()
                );
            }
            first
        }
    };
    let account = tokens::account_of(app, args.account.as_deref())?;
    let store = ctx.store(&config);
    if operation == "erase" {
        // The server refused it: if it is the account's current token, it is
        // refreshed, so the next `get` answers with another. Nothing is deleted.
        if let Some(rejected) = &request.password {
            super::access_token(ctx, &config, store.as_ref(), app, &account, Some(rejected))?;
        }
        return Ok(());
    }
    let access = super::access_token(ctx, &config, store.as_ref(), app, &account, None)?;
    let to = crate::gate::To::Http {
        url: &url,
        proxy: None,
        headers: None,
    };
    crate::gate::check(&ctx.state_dir, app, &access.token, &to)?;
    ctx.audit(&config).record(
        &app.name,
        &account,
        "git-credential",
        None,
        url.host_str(),
        "ok",
    );
    data!(
        "username={}",
        app.git_username.as_deref().unwrap_or(DEFAULT_USERNAME)
    );
    data!("password={}", access.token.access_token.expose());
    if let Some(at) = access.token.expires_at {
        // git 2.41+: forget it then rather than reuse it.
        data!("password_expiry_utc={at}");
    }
    Ok(())
}

/// `outbound setup-git APP --host HOST[:PORT] [--account A]`: makes
/// `outbound git-credential --app APP` git's only credential helper for that host
/// (an empty helper first resets the list, as `gh auth setup-git` does), in the
/// user's global git configuration; for a loopback host also over http.
pub fn setup(ctx: &Ctx, name: &str, hosts: &[String], account: Option<&str>) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    if let Some(account) = account {
        tokens::check_account(account)?;
    }
    let exe =
        std::env::current_exe().map_err(|e| Error::io("cannot find the outbound executable", e))?;
    let mut helper = format!(
        "!{} git-credential --app {}",
        super::token::shell_quote(&exe.to_string_lossy()),
        app.name
    );
    if let Some(account) = account {
        helper.push_str(&format!(" --account {account}"));
    }
    for host in hosts {
        let url = url::Url::parse(&format!("https://{host}/"))
            .ok()
            .filter(|u| u.path() == "/" && u.username().is_empty() && u.host_str().is_some())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--host {host}: not a host name, with an optional :port (github.com, git.example.com:8443)"
                ))
            })?;
        if !crate::gate::hosts::host_allowed(app, &url) {
            return Err(Error::Usage(format!(
                "--host {host}: `{}` does not allow it, so git would get no token there; add it first: outbound app edit {} --add-allowed-host {host}",
                app.name, app.name
            )));
        }
        let mut schemes = vec!["https"];
        if url.host().is_some_and(|h| crate::app::is_loopback_host(&h)) {
            schemes.push("http");
        }
        for scheme in schemes {
            let key = format!("credential.{scheme}://{host}.helper");
            git_config(&["--global", "--replace-all", &key, ""])?;
            git_config(&["--global", "--add", &key, &helper])?;
            notice!("git config --global {key}: {helper}");
        }
    }
    Ok(())
}

fn git_config(args: &[&str]) -> Result<()> {
    let out = std::process::Command::new("git")
        .arg("config")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::Other("setup-git: git is not installed (no `git` on PATH)".into())
            }
            _ => Error::io("setup-git: cannot run git", e),
        })?;
    if !out.status.success() {
        return Err(Error::Other(format!(
            "setup-git: git config {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_as_git_sends_them() {
        let r = parse("protocol=https\nhost=GitHub.com\npath=o/r.git\ncapability[]=authtype\n\nhost=ignored\n").unwrap();
        assert_eq!(r.protocol.as_deref(), Some("https"));
        assert_eq!(r.host.as_deref(), Some("github.com"));
        assert_eq!(r.path.as_deref(), Some("o/r.git"));
        let r = parse("url=https://git.example:8443/a.git\r\n").unwrap();
        assert_eq!(r.host.as_deref(), Some("git.example:8443"));
        assert!(parse("protocol https\n").is_err());
        assert!(parse("url=::\n").is_err());
        let none = parse("protocol=https\n").unwrap();
        assert!(target(&none).is_err());
        let ssh = parse("protocol=ssh\nhost=github.com\n").unwrap();
        assert!(target(&ssh).unwrap().is_none());
        let clear = parse("protocol=http\nhost=github.com\n").unwrap();
        assert!(matches!(target(&clear), Err(Error::HostNotAllowed(_))));
        let local = parse("protocol=http\nhost=127.0.0.1:8080\n").unwrap();
        assert_eq!(
            target(&local).unwrap().unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
    }
}
