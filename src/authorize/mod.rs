//! The interactive part of authorization: the grants a person takes part in
//! ([`flow`]), the loopback listener that catches the redirect, the browser, and the
//! checks every callback must pass. Nothing here prints; progress is reported to a
//! [`flow::Person`].

pub mod browser;
pub mod flow;
pub mod listener;

use url::Url;

use crate::secret::Secret;

/// What the callback must carry to be ours.
pub struct Expected<'a> {
    pub state: &'a str,
    /// The issuer the `iss` parameter must equal, when known (RFC 9207).
    pub issuer: Option<&'a str>,
    /// The server promises `iss`: a callback without it is refused.
    pub require_iss: bool,
}

/// Why a callback was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Not the response to our request (wrong or missing `state`): ignore it.
    Foreign,
    /// The server said no (`error`, e.g. `access_denied`).
    Denied {
        error: String,
        description: Option<String>,
    },
    /// A response from another issuer (mix-up attack) or without the promised `iss`.
    WrongIssuer(String),
    /// No `code`.
    NoCode,
}

impl Rejected {
    /// What to tell the user; whatever came from the callback is shown escaped.
    pub fn message(&self) -> String {
        crate::text::printable(&self.describe())
    }

    fn describe(&self) -> String {
        match self {
            Rejected::Foreign => "a callback with a wrong state was ignored".into(),
            Rejected::Denied { error, description } => format!(
                "the authorization server answered `{error}`{}",
                description
                    .as_ref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
            Rejected::WrongIssuer(m) => m.clone(),
            Rejected::NoCode => "the callback carried no authorization code".into(),
        }
    }
}

/// Checks a callback's query parameters and returns the authorization code.
pub fn check_callback<'a>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    expected: &Expected,
) -> Result<Secret, Rejected> {
    let (mut state, mut code, mut error, mut description, mut iss) = (None, None, None, None, None);
    let pairs: Vec<_> = pairs.collect();
    crate::trace::callback(&pairs);
    for (k, v) in pairs {
        match k.as_ref() {
            "state" => state = Some(v.into_owned()),
            "code" => code = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            "iss" => iss = Some(v.into_owned()),
            _ => {}
        }
    }
    if !state
        .as_deref()
        .is_some_and(|s| constant_time_eq(s.as_bytes(), expected.state.as_bytes()))
    {
        return Err(Rejected::Foreign);
    }
    match (&iss, expected.issuer) {
        (Some(got), Some(want)) if got.trim_end_matches('/') != want.trim_end_matches('/') => {
            return Err(Rejected::WrongIssuer(format!(
                "the callback came from issuer `{got}`, not `{want}`; refused (RFC 9207)"
            )));
        }
        (None, Some(want)) if expected.require_iss => {
            return Err(Rejected::WrongIssuer(format!(
                "the callback lacks the `iss` parameter that `{want}` promises; refused (RFC 9207)"
            )));
        }
        _ => {}
    }
    if let Some(error) = error {
        return Err(Rejected::Denied { error, description });
    }
    code.filter(|c| !c.is_empty())
        .map(Secret::new)
        .ok_or(Rejected::NoCode)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `--manual`: what the user pasted back, either the whole redirected URL or its
/// query string (`state` is checked), or the bare code. A code may hold `=`, `&`
/// and `:` (RFC 6749 A.11 allows any visible character; idpyoidc's end in `==`):
/// only a URL with a scheme of its own, a text starting with `?`, or one naming a
/// parameter of the callback (`code=`, `state=`, `error=`…) is read as a query.
pub fn parse_pasted(input: &str, expected: &Expected) -> Result<Secret, Rejected> {
    let input = input.trim();
    if let Ok(url) = Url::parse(input)
        && (matches!(url.scheme(), "http" | "https") || url.query().is_some())
    {
        return check_callback(url.query_pairs(), expected);
    }
    if let Some(query) = input.strip_prefix('?') {
        return check_callback(url::form_urlencoded::parse(query.as_bytes()), expected);
    }
    if names_a_callback_parameter(input) {
        return check_callback(url::form_urlencoded::parse(input.as_bytes()), expected);
    }
    if input.is_empty() {
        return Err(Rejected::NoCode);
    }
    Ok(Secret::new(input))
}

/// The callback parameters of a pasted line, read as [`parse_pasted`] reads it
/// (empty for a bare code): for saying what was wrong with it.
pub fn pasted_pairs(input: &str) -> Vec<(String, String)> {
    let input = input.trim();
    let query = match Url::parse(input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") || url.query().is_some() => {
            url.query().unwrap_or_default().to_owned()
        }
        _ => match input.strip_prefix('?') {
            Some(query) => query.to_owned(),
            None if names_a_callback_parameter(input) => input.to_owned(),
            None => String::new(),
        },
    };
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Whether `text` reads as a callback's query string: one of its `&`-separated
/// parts is `NAME=…` for a parameter a callback carries.
fn names_a_callback_parameter(text: &str) -> bool {
    const CALLBACK: [&str; 6] = [
        "code",
        "state",
        "error",
        "error_description",
        "iss",
        "session_state",
    ];
    text.split('&').any(|part| {
        part.split_once('=')
            .is_some_and(|(name, _)| CALLBACK.contains(&name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: Expected = Expected {
        state: "s123",
        issuer: Some("http://127.0.0.1:9"),
        require_iss: true,
    };

    fn check(query: &str) -> Result<Secret, Rejected> {
        check_callback(url::form_urlencoded::parse(query.as_bytes()), &EXPECTED)
    }

    #[test]
    fn callbacks() {
        assert_eq!(
            check("code=c&state=s123&iss=http%3A%2F%2F127.0.0.1%3A9")
                .unwrap()
                .expose(),
            "c"
        );
        assert_eq!(
            check("code=c&state=bad&iss=http%3A%2F%2F127.0.0.1%3A9"),
            Err(Rejected::Foreign)
        );
        assert_eq!(check("code=c&iss=x"), Err(Rejected::Foreign));
        assert!(matches!(
            check("code=c&state=s123&iss=http%3A%2F%2Fevil"),
            Err(Rejected::WrongIssuer(_))
        ));
        assert!(matches!(
            check("code=c&state=s123"),
            Err(Rejected::WrongIssuer(_))
        ));
        assert_eq!(
            check(
                "error=access_denied&error_description=no&state=s123&iss=http%3A%2F%2F127.0.0.1%3A9"
            ),
            Err(Rejected::Denied {
                error: "access_denied".into(),
                description: Some("no".into())
            })
        );
        assert_eq!(
            check("state=s123&iss=http%3A%2F%2F127.0.0.1%3A9"),
            Err(Rejected::NoCode)
        );
    }

    #[test]
    fn pasted_input() {
        let url = "http://127.0.0.1:1/cb?code=c1&state=s123&iss=http%3A%2F%2F127.0.0.1%3A9";
        assert_eq!(parse_pasted(url, &EXPECTED).unwrap().expose(), "c1");
        assert_eq!(
            parse_pasted("http://127.0.0.1:1/cb?code=c1&state=x", &EXPECTED),
            Err(Rejected::Foreign)
        );
        assert_eq!(
            parse_pasted("  bare-code \n", &EXPECTED).unwrap().expose(),
            "bare-code"
        );
        assert_eq!(parse_pasted("", &EXPECTED), Err(Rejected::NoCode));
        // Codes that hold `=`, `&` or `:` are codes, not queries or URLs.
        for code in ["Q2l0eQ==", "a=b", "x&y=z==", "urn:code:1"] {
            assert_eq!(parse_pasted(code, &EXPECTED).unwrap().expose(), code);
        }
        // A query string, with or without `?`, is checked as one.
        assert_eq!(
            parse_pasted("code=c2&state=x", &EXPECTED),
            Err(Rejected::Foreign)
        );
        assert_eq!(
            parse_pasted(
                "?code=c2%3D%3D&state=s123&iss=http%3A%2F%2F127.0.0.1%3A9",
                &EXPECTED
            )
            .unwrap()
            .expose(),
            "c2=="
        );
    }
}
