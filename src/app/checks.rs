//! Checks of single values, shared by validation and the command line: names,
//! URLs (https, or http to loopback; no credentials), redirect URIs, host patterns
//! (no public-suffix wildcards), proxies, durations.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

/// Application names: letters, digits, `-`, `_`, `.`; starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid application name: use 1 to 64 letters, digits, `-`, `_` or `.`, starting with a letter or digit"
        ))
    }
}

/// Parses `"90m"`, `"1h 30m"`, `"3600"` or `"3600s"` into a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(text).map_err(|e| {
        format!("`{text}` is not a duration ({e}); write e.g. \"90m\", \"1h\", \"3600s\"")
    })
}

pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        // Non-special schemes (socks5://) keep IP addresses as opaque host names.
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// An endpoint URL: https, or http to a loopback host only.
pub fn check_endpoint(text: &str) -> Result<Url, String> {
    let url = parse_url(text)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{}` carries a user name or password, which must not be kept in the configuration file (it would also be shown by `app show` and in errors); remove it, and give the client secret with --client-secret-stdin, env: or command:",
            without_credentials(&url)
        ));
    }
    let loopback = url.host().is_some_and(|h| is_loopback_host(&h));
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(format!(
            "`{text}` uses http; https is required (plain http is allowed only to loopback hosts)"
        )),
        other => Err(format!("`{text}` has scheme `{other}`; use https")),
    }
}

/// `url` with its user name and password replaced by `***`, for messages.
pub(super) fn without_credentials(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("***");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// A loopback redirect URI for the authorization-code listener.
pub fn check_redirect_uri(text: &str) -> Result<Url, String> {
    let url = parse_url(text)?;
    let loopback = url.host().is_some_and(|h| is_loopback_host(&h));
    if url.scheme() != "http" || !loopback {
        return Err(format!(
            "`{text}` is not a loopback redirect URI; use http://127.0.0.1[:PORT]/PATH (no port or port 0 = any free port)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{text}` has a query or fragment; a redirect URI is scheme, host, port and path"
        ));
    }
    Ok(url)
}

/// `api.example.com` (the scheme's default port), `*.example.com`, `host:port` or
/// `host:*` (any port).
pub fn check_host_pattern(pattern: &str) -> Result<String, String> {
    let lower = pattern.trim().to_ascii_lowercase();
    let bad = || {
        format!(
            "`{pattern}` is not a host pattern; write a host name (`api.example.com`: its default port), a wildcard (`*.example.com`), `host:port`, or `host:*` for any port"
        )
    };
    let host_port = lower.strip_prefix("*.").unwrap_or(&lower);
    let host_port = host_port.strip_suffix(":*").unwrap_or(host_port);
    if host_port.is_empty() || host_port.contains(['/', '*', '@', '?', '#', ' ']) {
        return Err(bad());
    }
    let url = Url::parse(&format!("https://{host_port}/")).map_err(|_| bad())?;
    let Some(host) = url.host_str() else {
        return Err(bad());
    };
    // `*.com` or `*.co.uk` would send tokens to every site registered under a public
    // suffix: refused, by the ICANN part of the Public Suffix List. Its private part
    // (`googleapis.com`, `github.io`) names domains one operator runs, which an app's
    // own API may live under (Google's `*.googleapis.com`).
    if lower.starts_with("*.")
        && let Some(suffix) = psl::suffix(host.as_bytes())
        && suffix.typ() == Some(psl::Type::Icann)
        && suffix.as_bytes() == host.as_bytes()
    {
        return Err(format!(
            "`{pattern}` would match every site under the public suffix `{host}`; name the organisation's own domain (`*.example.{host}`)"
        ));
    }
    Ok(lower)
}

pub fn check_proxy(text: &str) -> Result<Url, String> {
    let url = parse_url(text)?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(format!(
            "proxy scheme `{}` is not supported; use http, https, socks5 or socks5h",
            url.scheme()
        ));
    }
    if url.password().is_some() {
        return Err(
            "the proxy URL carries a password, which must not be kept in the configuration file; set HTTPS_PROXY in the environment instead".into(),
        );
    }
    Ok(url)
}

pub(super) fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `text` as a URL, or why not; a message never repeats what may be a password
/// (`scheme://user:password@host`), even in a URL too broken to parse.
fn parse_url(text: &str) -> Result<Url, String> {
    Url::parse(text.trim()).map_err(|e| {
        let shown = match (text.find("://"), text.rfind('@')) {
            (Some(start), Some(at)) if at > start => {
                format!("{}***{}", &text[..start + 3], &text[at..])
            }
            _ => text.to_owned(),
        };
        format!("`{shown}` is not a URL ({e})")
    })
}
