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
            "host" => {
                let host = value.to_ascii_lowercase();
                check_host(&host).map_err(|why| {
                    Error::Usage(format!("git-credential: host={}: {why}", shown(value)))
                })?;
                request.host = Some(host);
            }
            "path" => request.path = Some(value.to_owned()),
            "password" => request.password = Some(Secret::new(value.to_owned())),
            "url" => {
                // `url=` stands for protocol, host and path at once.
                let (protocol, host, path) = from_url(value).map_err(|why| {
                    Error::Usage(format!("git-credential: url={}: {why}", shown(value)))
                })?;
                request.protocol = Some(protocol);
                request.host = Some(host);
                request.path = path;
            }
            _ => {}
        }
    }
    Ok(request)
}

/// What git sent, as it may be quoted in a message: control characters escaped, at
/// most 80 characters.
fn shown(value: &str) -> String {
    let cut: String = value.chars().take(80).collect();
    let more = if cut.len() < value.len() { "…" } else { "" };
    format!("`{}{more}`", crate::text::printable(&cut))
}

/// What a host must be, for messages.
const HOST_FORM: &str = "a host must be exactly HOST[:PORT]: a DNS name, an IPv4 address or [an IPv6 address], with an optional numeric port";

/// What `host=` (and `setup-git --host`) must be: exactly `host[:port]`, a DNS name,
/// an IPv4 address or a bracketed IPv6 address, with an optional numeric port.
/// Anything else (a user before `@`, a path, a query, a fragment, a backslash) is
/// refused rather than handed to a URL parser, which would take it apart and keep
/// only the host after it: `evil.test@api.example.com` is not api.example.com.
fn check_host(host: &str) -> std::result::Result<(), String> {
    let (name, port) = split_port(host)?;
    if let Some(port) = port {
        let ok = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p != 0);
        if !ok {
            return Err(format!(
                "the port is not a number from 1 to 65535; {HOST_FORM}"
            ));
        }
    }
    if let Some(inner) = name.strip_prefix('[') {
        let ok = inner
            .strip_suffix(']')
            .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
        return if ok {
            Ok(())
        } else {
            Err(format!("not an IPv6 address in brackets; {HOST_FORM}"))
        };
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Ok(());
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    // The last label of a DNS name is not all digits (an address would be).
    let dns = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(label_ok)
        && !name
            .rsplit('.')
            .next()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()));
    if dns {
        Ok(())
    } else if !name.is_ascii() {
        Err(format!(
            "a name with non-ASCII characters: give its ASCII (xn--) form; {HOST_FORM}"
        ))
    } else {
        Err(HOST_FORM.to_owned())
    }
}

/// `host[:port]` as (host, port): the port is after the last `:` outside brackets.
fn split_port(host: &str) -> std::result::Result<(&str, Option<&str>), String> {
    if host.starts_with('[') {
        return Ok(match host.rfind(']') {
            Some(end) => match host[end + 1..].strip_prefix(':') {
                Some(port) => (&host[..=end], Some(port)),
                None if end + 1 == host.len() => (host, None),
                None => return Err(HOST_FORM.to_owned()),
            },
            None => (host, None),
        });
    }
    Ok(match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    })
}

/// `url=`: its scheme, `host[:port]` and path (without its leading `/`, as git sends
/// `path=`) from a well-formed URL; the query and fragment are not git's. A URL with
/// a user or password in it is refused: git never sends one there, and a token must
/// not be chosen by a name the URL parser drops.
fn from_url(value: &str) -> std::result::Result<(String, String, Option<String>), String> {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(
            "a URL with spaces, control characters or backslashes is not well-formed".into(),
        );
    }
    let url = url::Url::parse(value).map_err(|e| format!("not a URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "a URL with a user or password (`user@host`) is refused; git sends the host alone"
                .into(),
        );
    }
    // The host as written, which the parser must keep as it is (it would read
    // `2130706433` as 127.0.0.1).
    let written = value
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Some(host) = url
        .host_str()
        .filter(|h| !h.is_empty() && !written.is_empty())
    else {
        return Err("a URL without a host".into());
    };
    check_host(&written)?;
    if !same_authority(&url, &written) {
        return Err(format!(
            "its host is not one a URL keeps as written; {HOST_FORM}"
        ));
    }
    let host = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let path = url.path().trim_start_matches('/');
    let path = (!path.is_empty()).then(|| path.to_owned());
    Ok((url.scheme().to_owned(), host, path))
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
        .ok()
        .filter(|u| same_authority(u, host))
        .ok_or_else(|| {
            Error::Usage(format!(
                "git-credential: host={}: not a host a URL keeps as it is; {HOST_FORM}",
                shown(host)
            ))
        })?;
    let loopback = url.host().is_some_and(|h| crate::app::is_loopback_host(&h));
    if protocol == "http" && !loopback {
        return Err(Error::HostNotAllowed(format!(
            "git-credential: refusing to send a token to {host} over http: tokens travel only over https (plain http only to loopback)"
        )));
    }
    Ok(Some(url))
}

/// Whether `url` names exactly `host[:port]`: a URL parser that rewrote it (an IPv4
/// address written `2130706433` or `127.1`, a name it decoded) would choose the
/// token by another host than the one git asked about.
fn same_authority(url: &url::Url, host: &str) -> bool {
    let Ok((name, port)) = split_port(host) else {
        return false;
    };
    let port_same = match port.map(str::parse::<u16>) {
        None => url.port().is_none(),
        Some(Ok(p)) => url.port_or_known_default() == Some(p),
        Some(Err(_)) => false,
    };
    // An IPv6 address has several spellings; a name or IPv4 address only one.
    let host_same = match (url.host(), name.strip_prefix('[')) {
        (Some(url::Host::Ipv6(a)), Some(inner)) => inner
            .strip_suffix(']')
            .and_then(|b| b.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|b| a == b),
        (Some(url::Host::Ipv6(_)), None) | (_, Some(_)) => false,
        _ => url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(name)),
    };
    host_same && port_same && url.username().is_empty() && url.password().is_none()
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
    let store = ctx.store(&config, app);
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
    ctx.audit(&config, app).record(
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
        let url = check_host(host)
            .ok()
            .and_then(|()| url::Url::parse(&format!("https://{host}/")).ok())
            .filter(|u| same_authority(u, host))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--host {}: not a host name, with an optional :port (github.com, git.example.com:8443)",
                    shown(host)
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

    #[test]
    fn a_host_is_exactly_host_and_port() {
        for good in [
            "api.example.com",
            "api.example.com:8443",
            "localhost",
            "git_host.internal",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[2001:db8::1]:443",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(check_host(good), Ok(()), "{good}");
            let r = parse(&format!("protocol=https\nhost={good}\n")).unwrap();
            assert!(target(&r).unwrap().is_some(), "{good}");
        }
        for bad in [
            "evil.test@api.example.com",
            "user:pw@api.example.com",
            "api.example.com/evil",
            "api.example.com#x",
            "api.example.com?x=1",
            "api.example.com\\evil",
            "api.example.com:",
            "api.example.com:0",
            "api.example.com:65536",
            "api.example.com:+443",
            "api.example.com:443:443",
            "api.example.com.",
            ".example.com",
            "-a.example.com",
            "a b.example.com",
            "api%2eexample.com",
            "bücher.example",
            "2130706433",
            "127.1",
            "0x7f.0.0.1",
            "127.000.0.1",
            "[::1",
            "[::1]x",
            "[fe80::1%eth0]",
            "::1",
            "",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
            let e = parse(&format!("protocol=https\nhost={bad}\n")).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{bad}: {e}");
        }
        // The message names the line, escaped, and what a host must be.
        let e = parse("host=evil.test@api.example.com\n").unwrap_err();
        assert!(
            e.to_string().contains("host=`evil.test@api.example.com`"),
            "{e}"
        );
        assert!(e.to_string().contains("HOST[:PORT]"), "{e}");
        let e = parse("host=a\u{1b}[31m\n").unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }

    #[test]
    fn a_url_gives_scheme_host_port_and_path_only() {
        let r = parse("url=https://git.example:8443/o/r.git?x=1#frag\n").unwrap();
        assert_eq!(r.protocol.as_deref(), Some("https"));
        assert_eq!(r.host.as_deref(), Some("git.example:8443"));
        assert_eq!(r.path.as_deref(), Some("o/r.git"));
        let r = parse("url=https://API.Example.com:443/\n").unwrap();
        assert_eq!(r.host.as_deref(), Some("api.example.com"));
        assert_eq!(r.path, None);
        let r = parse("url=http://[::1]:8080/x\n").unwrap();
        assert_eq!(r.host.as_deref(), Some("[::1]:8080"));
        assert!(target(&r).unwrap().is_some());
        for bad in [
            "https://evil.test@api.example.com/",
            "https://user:pw@api.example.com/",
            "https://:pw@api.example.com/",
            "https://api.example.com\\@evil.test/",
            "https://api.example.com /x",
            "https://2130706433/",
            "file:///etc/passwd",
            "mailto:a@api.example.com",
            "nonsense",
        ] {
            let e = parse(&format!("url={bad}\n")).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{bad}: {e}");
        }
    }
}
