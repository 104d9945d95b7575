//! A request to make, from what the user asked: the URL (with `-G` data), the proxy,
//! the headers, the body, the method. The checks that keep a token where it belongs
//! are made here, before any token is read.

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::body::{self, DataArgs};
use super::{Plan, policy};
use crate::app::App;
use crate::error::{Error, Result};

/// What the user asked for, as `curl` spells it.
pub struct Spec<'a> {
    pub url: &'a str,
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

impl Plan {
    /// The request `spec` describes for `app`, or why the token must not go (exit 6)
    /// or the request makes no sense (exit 2).
    pub fn new(app: &App, spec: &Spec) -> Result<Plan> {
        let mut url = Url::parse(spec.url)
            .map_err(|e| Error::Usage(format!("`{}` is not a URL ({e})", spec.url)))?;
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
