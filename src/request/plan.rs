//! A request to make, from what the user asked: the URL (with `-G` data), the proxy,
//! the headers, the body, the method. The checks that keep a token where it belongs
//! are made here, before any token is read.

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::Plan;
use super::body::{self, DataArgs};
use crate::app::App;
use crate::error::{Error, Result};
use crate::gate::hosts as policy;

/// What the user asked for, as `curl` spells it.
pub struct Spec<'a> {
    pub url: &'a str,
    /// Where a relative `url` is resolved: the account's base URL, else the app's
    /// ([`crate::app::App::relative_base`]).
    pub base_url: Option<&'a Url>,
    /// `--proxy`, instead of the app's.
    pub proxy: Option<&'a str>,
    /// `-H "Name: value"`.
    pub headers: &'a [String],
    pub data: DataArgs<'a>,
    /// `-X`.
    pub method: Option<&'a str>,
    /// `-I`.
    pub head: bool,
    /// `-L`, and `--max-redirs`.
    pub follow: bool,
    pub max_redirs: u32,
}

/// `url` as given when it is absolute, else joined to the base URL the way `gh api`
/// does (`https://gitlab.com/api/v4` and `/user` make `…/api/v4/user`: the base's
/// path is kept, not replaced as RFC 3986 resolution would).
pub fn resolve(url: &str, base: Option<&Url>, app: &str) -> Result<Url> {
    match (Url::parse(url), base) {
        (Ok(url), _) => Ok(url),
        (Err(url::ParseError::RelativeUrlWithoutBase), Some(base)) => {
            let joined = format!(
                "{}/{}",
                base.as_str().trim_end_matches('/'),
                url.trim_start_matches('/')
            );
            Url::parse(&joined).map_err(|e| {
                Error::Usage(format!(
                    "`{url}` joined to the base URL {base} is not a URL ({e})"
                ))
            })
        }
        (Err(url::ParseError::RelativeUrlWithoutBase), None) => Err(Error::Usage(format!(
            "`{url}` is a relative URL and `{app}` has no base URL: give the whole URL, or set one with `outbound app edit {app} --base-url URL` (or for one account, `outbound account edit {app} --base-url URL`)"
        ))),
        (Err(e), _) => Err(Error::Usage(format!("`{url}` is not a URL ({e})"))),
    }
}

impl Plan {
    /// The request `spec` describes for `app`, or why the token must not go (exit 6)
    /// or the request makes no sense (exit 2).
    pub fn new(app: &App, spec: &Spec) -> Result<Plan> {
        let mut url = resolve(spec.url, spec.base_url, &app.name)?;
        let proxy = match spec.proxy {
            Some(p) => Some(
                crate::app::check_proxy(p).map_err(|m| Error::Usage(format!("--proxy: {m}")))?,
            ),
            None => app.proxy.clone(),
        };
        if let Some(why) = policy::refusal(app, &url, proxy.as_ref()) {
            return Err(Error::HostNotAllowed(why));
        }
        let mut headers = parse_headers(spec.headers, &app.token_header_name)?;
        if let Some(why) = policy::host_header_refusal(app, &url, &headers) {
            return Err(Error::HostNotAllowed(why));
        }
        let planned = body::plan(&spec.data)?;
        if let Some(query) = &planned.query {
            let joined = match url.query() {
                Some(q) if !q.is_empty() => format!("{q}&{query}"),
                _ => query.clone(),
            };
            url.set_query(Some(&joined));
        }
        if let Some(ct) = planned.content_type
            && !headers.contains_key(CONTENT_TYPE)
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        if planned.accept_json && !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        let method = match (spec.method, spec.head) {
            (Some(m), _) => Method::from_bytes(m.as_bytes())
                .map_err(|_| Error::Usage(format!("-X {m}: not an HTTP method")))?,
            (None, true) => Method::HEAD,
            (None, false) if spec.data.upload.is_some() => Method::PUT,
            (None, false) if !planned.body.is_empty() => Method::POST,
            (None, false) => Method::GET,
        };
        Ok(Plan {
            method,
            url,
            headers,
            body: planned.body,
            follow: spec.follow,
            max_redirs: spec.max_redirs,
            proxy,
        })
    }
}

fn parse_headers(raw: &[String], token_header: &str) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for h in raw {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| Error::Usage(format!("-H {h}: expected \"Name: value\"")))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Error::Usage(format!("-H {h}: `{}` is not a header name", name.trim())))?;
        if name == AUTHORIZATION || name.as_str().eq_ignore_ascii_case(token_header) {
            return Err(Error::Usage(format!(
                "-H {name}: outbound sets this header itself from the app's token; use plain curl to send your own credentials"
            )));
        }
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| Error::Usage(format!("-H {h}: the value is not a valid header value")))?;
        headers.append(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_join_the_base_keeping_its_path() {
        let base = Url::parse("https://gitlab.com/api/v4/").unwrap();
        for rel in ["/user", "user"] {
            assert_eq!(
                resolve(rel, Some(&base), "a").unwrap().as_str(),
                "https://gitlab.com/api/v4/user"
            );
        }
        assert_eq!(
            resolve("/u?x=1", Some(&base), "a").unwrap().as_str(),
            "https://gitlab.com/api/v4/u?x=1"
        );
        let abs = resolve("https://other.example/x", Some(&base), "a").unwrap();
        assert_eq!(abs.as_str(), "https://other.example/x");
        let err = resolve("/user", None, "gl").unwrap_err().to_string();
        assert!(err.contains("outbound app edit gl --base-url"), "{err}");
    }
}
