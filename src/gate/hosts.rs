//! Where an application's tokens may go: its allowed hosts, over https (http only to
//! loopback), never through a remote proxy in clear text, never to another origin
//! after a redirect.

use url::Url;

use crate::app::{App, is_loopback_host};

/// Does `url`'s host (and port) match one of the app's allowed-host patterns?
/// `host` matches that host on the scheme's default port (443 for https, 80 for
/// http); `host:port` that port only; `host:*` any port; `*.example.com` any
/// subdomain of example.com (not example.com itself), with the same port rules.
pub fn host_allowed(app: &App, url: &Url) -> bool {
    let Some(host) = url.host_str().map(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    }) else {
        return false;
    };
    let port = url.port_or_known_default();
    app.allowed_hosts.iter().any(|pattern| {
        let (pat_host, pat_port) = split_port(pattern);
        let pat_host = pat_host.trim_start_matches('[').trim_end_matches(']');
        let port_ok = match pat_port {
            Port::Any => true,
            Port::Is(p) => Some(p) == port,
            // The url crate keeps no port when it is the scheme's default.
            Port::Default => url.port().is_none(),
        };
        if !port_ok {
            return false;
        }
        match pat_host.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() && host.ends_with(&format!(".{suffix}")),
            None => host == pat_host,
        }
    })
}

/// The port part of an allowed-host pattern.
enum Port {
    /// None given: the scheme's default.
    Default,
    /// `:*`.
    Any,
    Is(u16),
}

fn split_port(pattern: &str) -> (&str, Port) {
    if let Some(host) = pattern.strip_suffix(":*") {
        return (host, Port::Any);
    }
    if let Some((host, port)) = pattern.rsplit_once(':')
        && !host.ends_with(':')
        && let Ok(port) = port.parse::<u16>()
        && (!host.contains(':') || host.ends_with(']'))
    {
        return (host, Port::Is(port));
    }
    (pattern, Port::Default)
}

/// What to add to the allowed hosts for `url`: its host, with its port when it is
/// not the scheme's default.
pub fn pattern_for(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Why a token must not be attached to a request for `url`, or None when it may.
/// `proxy` is the explicit one (`--proxy`, else the app's); without it, the
/// environment's proxy for `url` is judged, as the HTTP client will use it.
pub fn refusal(app: &App, url: &Url, proxy: Option<&Url>) -> Option<String> {
    let host = url.host_str().unwrap_or_default();
    let loopback = url.host().is_some_and(|h| is_loopback_host(&h));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Some(format!(
            "refusing to send the token of `{}` over {} to {host}: tokens travel only over https (plain http only to loopback)",
            app.name,
            url.scheme()
        ));
    }
    if !host_allowed(app, url) {
        let hosts = if app.allowed_hosts.is_empty() {
            "it allows none yet".to_owned()
        } else {
            format!("it allows {}", app.allowed_hosts.join(", "))
        };
        let wanted = pattern_for(url);
        return Some(format!(
            "refusing to send the token of `{}` to {wanted}: not one of the app's allowed hosts ({hosts}; a host without a port allows only the scheme's default port)\n  fix: outbound app edit {} --add-allowed-host {wanted}",
            app.name, app.name
        ));
    }
    if url.scheme() == "http"
        && let Some(proxy) = crate::http::proxy_for(proxy, url)
        && !proxy.host().is_some_and(|h| is_loopback_host(&h))
    {
        return Some(format!(
            "refusing to send the token of `{}` in clear text through the proxy {} (from --proxy, the app's `proxy`, or HTTP_PROXY/ALL_PROXY); use https, a loopback proxy, or exempt {host} with NO_PROXY",
            app.name,
            proxy.host_str().unwrap_or_default()
        ));
    }
    None
}

/// Why a token must not go with a request whose `Host` header names another
/// authority than its URL: a shared front end would route it (and the token) to
/// the site the header names (domain fronting). None when there is no such header.
pub fn host_header_refusal(
    app: &App,
    url: &Url,
    headers: &reqwest::header::HeaderMap,
) -> Option<String> {
    let given = headers.get(reqwest::header::HOST)?;
    let given = String::from_utf8_lossy(given.as_bytes())
        .trim()
        .to_ascii_lowercase();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let authorities = match (url.port(), url.port_or_known_default()) {
        (Some(port), _) => vec![format!("{host}:{port}")],
        (None, Some(default)) => vec![host.clone(), format!("{host}:{default}")],
        (None, None) => vec![host.clone()],
    };
    if authorities.contains(&given) {
        return None;
    }
    Some(format!(
        "refusing to send the token of `{}` with `Host: {}` to {host}: the Host header must name the URL's own host (another one would route the token elsewhere)",
        app.name,
        crate::text::printable(&given)
    ))
}

pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(hosts: &[&str]) -> App {
        let text = format!(
            "[apps.a]\nid = \"1\"\nclient_id = \"c\"\nclient_auth = \"none\"\ngrant = \"client_credentials\"\ntoken_url = \"https://t.example/t\"\nallowed_hosts = {hosts:?}\n"
        );
        crate::config::Config::parse(std::path::Path::new("f"), &text)
            .unwrap()
            .apps
            .remove(0)
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn patterns() {
        let a = app(&[
            "api.example.com",
            "*.cdn.example.com",
            "127.0.0.1:8443",
            "[::1]:*",
            "dev.example.com:*",
        ]);
        assert!(host_allowed(&a, &url("https://api.example.com/x")));
        assert!(host_allowed(&a, &url("https://API.example.com:443/x")));
        assert!(
            !host_allowed(&a, &url("https://api.example.com:8443/x")),
            "a bare host is the default port only"
        );
        assert!(host_allowed(&a, &url("https://dev.example.com:8443/x")));
        assert!(host_allowed(&a, &url("http://dev.example.com/x")));
        assert!(!host_allowed(&a, &url("https://api.example.com.evil.com/")));
        assert!(!host_allowed(&a, &url("https://example.com/")));
        assert!(host_allowed(&a, &url("https://eu.cdn.example.com/")));
        assert!(!host_allowed(&a, &url("https://cdn.example.com/")));
        assert!(host_allowed(&a, &url("http://127.0.0.1:8443/")));
        assert!(!host_allowed(&a, &url("http://127.0.0.1:8444/")));
        assert!(host_allowed(&a, &url("http://[::1]:9/")));
    }

    #[test]
    fn refusals() {
        let a = app(&["api.example.com", "127.0.0.1:*", "intranet.example"]);
        assert!(refusal(&a, &url("https://api.example.com/"), None).is_none());
        assert!(
            refusal(&a, &url("http://api.example.com/"), None)
                .unwrap()
                .contains("only over https")
        );
        assert!(
            refusal(&a, &url("https://other.example/"), None)
                .unwrap()
                .contains("--add-allowed-host other.example")
        );
        assert!(refusal(&a, &url("http://127.0.0.1:8080/"), None).is_none());
        let remote = url("http://proxy.example:3128");
        assert!(
            refusal(&a, &url("http://127.0.0.1:8080/"), Some(&remote))
                .unwrap()
                .contains("proxy")
        );
        assert!(
            refusal(&a, &url("https://api.example.com/"), Some(&remote)).is_none(),
            "CONNECT keeps https end to end"
        );
        assert!(same_origin(
            &url("https://a.example/x"),
            &url("https://a.example:443/y")
        ));
        assert!(!same_origin(
            &url("https://a.example/"),
            &url("http://a.example/")
        ));
        assert!(!same_origin(
            &url("https://a.example/"),
            &url("https://a.example:8443/")
        ));
    }
}
