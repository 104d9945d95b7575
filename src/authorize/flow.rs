//! The grants a person (or nobody) takes part in, as protocol steps with progress
//! reported to a [`Person`]: the authorization code through the browser and the
//! loopback listener or pasted back (PKCE, `state`, `iss`), the device grant's
//! polling, and client credentials. Nothing here prints or stores: the caller says
//! the progress and keeps the tokens.

use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use url::Url;

use super::listener::{Event, Listener};
use super::{Expected, Rejected, browser, parse_pasted};
use crate::app::{App, Grant as AppGrant};
use crate::error::{Error, Result};
use crate::oauth::device::{self, Poll};
use crate::oauth::flow::{AuthRequest, Pkce, authorization_url, random_token};
use crate::oauth::{ClientCredentials, Grant, OAuthError, TokenResponse, request_token};
use crate::secret::Secret;
use crate::signals;

/// How long a person has by default (`authorize --timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How the person is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Open (or print) the URL; a loopback listener catches the redirect.
    Browser { open: bool },
    /// Print the URL; the person pastes the redirected address (or the code) back.
    Manual,
    /// The device grant: a code to enter on another device (RFC 8628).
    Device { open: bool },
}

/// What one authorization asks for.
pub struct Request<'a> {
    pub scopes: &'a [String],
    pub prompt: Option<&'a str>,
    /// OpenID Connect's `nonce` for the authorization request.
    pub nonce: Option<&'a str>,
    pub mode: Mode,
    pub timeout: Duration,
}

/// What the person is shown, as it happens.
pub enum Progress<'a> {
    /// Open this URL to authorize (the browser was asked to, unless told not to).
    OpenUrl(&'a Url),
    /// Open this URL anywhere, then paste back where the browser was sent.
    PasteBack { url: &'a Url, redirect_uri: &'a str },
    /// The browser could not be started: the person opens the URL.
    NoBrowser(String),
    /// Waiting for the browser; seconds left.
    Waiting(u64),
    /// A callback that was not ours, ignored.
    Ignored(String),
    /// Another authorization of this account is in progress: waiting for it.
    OtherInProgress,
    /// That other authorization succeeded: its tokens are used.
    TookOthers,
    /// Enter `user_code` at `uri` on another device.
    DeviceCode {
        uri: &'a str,
        user_code: &'a str,
        complete: Option<&'a str>,
    },
}

/// The person at the other end.
pub trait Person {
    fn progress(&mut self, progress: Progress);
    /// One pasted line (`--manual`).
    fn paste(&mut self) -> Result<String>;
    /// A pasted line was refused for `why` (a wrong state, no code, a code the
    /// server does not know): whether the person is asked to paste again (someone
    /// at a terminal) instead of the authorization failing with it.
    fn paste_again(&mut self, _why: &str) -> bool {
        false
    }
    /// Nobody can open the URL by hand (a server without a terminal): a browser
    /// that cannot be opened ends the authorization at once, not at its timeout.
    fn browser_only(&self) -> bool {
        false
    }
}

/// Tokens a server issued, with the signals held until the caller saved them (see
/// [`crate::signals`]), and the grant that got them.
pub struct Issued {
    pub response: TokenResponse,
    pub grant: &'static str,
    pub hold: signals::Hold,
}

/// Runs the app's grant (or the device grant when asked) for `request`.
pub fn run(
    http: &Client,
    creds: &ClientCredentials,
    request: &Request,
    person: &mut dyn Person,
) -> Result<Issued> {
    let app = creds.app;
    let flow = Flow {
        http,
        creds,
        request,
    };
    // No person: the client's own credentials, its signed assertion, or an exchange.
    if !app.grant.needs_person() {
        return send(http, creds, &creds.unattended_grant(request.scopes));
    }
    match request.mode {
        Mode::Device { open } => flow.device(person, open),
        _ if app.grant == AppGrant::DeviceCode => flow.device(person, true),
        mode => flow.code(person, mode),
    }
}

/// Sends a token request that makes the server issue tokens, holding the signals
/// from before it is sent.
fn send(http: &Client, creds: &ClientCredentials, grant: &Grant) -> Result<Issued> {
    let hold = signals::hold();
    let response = request_token(http, creds, grant)?;
    Ok(Issued {
        response,
        grant: grant.label(),
        hold,
    })
}

/// What every flow works with: the HTTP client, the client's credentials and the
/// request.
struct Flow<'a> {
    http: &'a Client,
    creds: &'a ClientCredentials<'a>,
    request: &'a Request<'a>,
}

impl Flow<'_> {
    fn code(&self, person: &mut dyn Person, mode: Mode) -> Result<Issued> {
        let (http, creds, request, app) = (self.http, self.creds, self.request, self.creds.app);
        let auth_url = endpoint(app, app.auth_url.as_ref(), "authorization", "--auth-url")?;
        let pkce = if app.pkce {
            Some(Pkce::new().map_err(Error::Other)?)
        } else {
            None
        };
        let state = random_token(32).map_err(Error::Other)?;
        let dpop_jkt = match &creds.dpop {
            Some(dpop) => Some(dpop.thumbprint().map_err(Error::Other)?),
            None => None,
        };
        let issuer = app.issuer.as_ref().map(|u| u.as_str().to_owned());
        let expected = Expected {
            state: &state,
            issuer: issuer.as_deref(),
            require_iss: app.require_iss,
        };
        let url_for = |redirect_uri: &str| {
            let url = authorization_url(
                app,
                auth_url,
                &AuthRequest {
                    redirect_uri,
                    scopes: request.scopes,
                    prompt: request.prompt,
                    state: &state,
                    challenge: pkce.as_ref().map(|p| p.challenge.as_str()),
                    nonce: request.nonce,
                    dpop_jkt: dpop_jkt.as_deref(),
                },
            );
            crate::trace::note(&format!("authorization request: {url}"));
            // PAR (RFC 9126): the parameters go to the server directly (client
            // authentication included); the browser gets only a reference to them.
            match &app.par_url {
                Some(par_url) if app.pushes() => {
                    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                    let request_uri =
                        crate::oauth::push_authorization_request(http, creds, par_url, params)?;
                    let mut pushed = auth_url.clone();
                    pushed
                        .query_pairs_mut()
                        .append_pair(&app.client_id_param, &app.client_id)
                        .append_pair("request_uri", &request_uri);
                    Ok::<_, Error>(pushed)
                }
                _ => Ok(url),
            }
        };

        if mode == Mode::Manual {
            let redirect_uri = manual_redirect_uri(app)?;
            let url = url_for(&redirect_uri)?;
            person.progress(Progress::PasteBack {
                url: &url,
                redirect_uri: &redirect_uri,
            });
            return pasted(person, &expected, |code| {
                send(
                    http,
                    creds,
                    &Grant::AuthorizationCode {
                        code,
                        redirect_uri: &redirect_uri,
                        verifier: pkce.as_ref().map(|p| &p.verifier),
                    },
                )
            });
        }
        if mode == (Mode::Browser { open: true }) {
            answers(http, app, auth_url)?;
        }
        let listener = Listener::bind(&app.redirect_uri, &app.redirect_port_order(), &app.name)?;
        let url = url_for(&listener.redirect_uri)?;
        person.progress(Progress::OpenUrl(&url));
        if mode == (Mode::Browser { open: true })
            && let Err(e) = browser::open(url.as_str())
        {
            if person.browser_only() {
                return Err(Error::Authorization(format!("{e}; nothing was stored")));
            }
            person.progress(Progress::NoBrowser(e));
        }
        let code = listener.wait(&expected, request.timeout, |event| match event {
            Event::Tick(left) => person.progress(Progress::Waiting(left)),
            Event::Ignored(message) => person.progress(Progress::Ignored(message)),
        })?;
        // The code is spent once sent: the signals wait until its tokens are saved.
        let grant = Grant::AuthorizationCode {
            code: &code,
            redirect_uri: &listener.redirect_uri,
            verifier: pkce.as_ref().map(|p| &p.verifier),
        };
        send(http, creds, &grant)
    }

    fn device(&self, person: &mut dyn Person, open: bool) -> Result<Issued> {
        let (http, creds, request, app) = (self.http, self.creds, self.request, self.creds.app);
        let device_url = endpoint(
            app,
            app.device_url.as_ref(),
            "device authorization",
            "--device-url",
        )?;
        let auth = device::start(http, creds, device_url, request.scopes)?;
        person.progress(Progress::DeviceCode {
            uri: &auth.verification_uri,
            user_code: &auth.user_code,
            complete: auth.verification_uri_complete.as_deref(),
        });
        if open && let Some(complete) = &auth.verification_uri_complete {
            // Best effort: on a machine without a browser the code above is enough.
            let _ = browser::open(complete);
        }
        let expired = || {
            Error::TimedOut(
            "the device code expired before it was approved; nothing was stored (run authorize again)".into(),
        )
        };
        let deadline = Instant::now() + request.timeout.min(Duration::from_secs(auth.expires_in));
        let mut interval = Duration::from_secs(auth.interval);
        loop {
            if Instant::now() + interval > deadline {
                return Err(expired());
            }
            std::thread::sleep(interval);
            let hold = signals::hold();
            match device::poll(http, creds, &auth.device_code) {
                Ok(Poll::Done(response)) => {
                    return Ok(Issued {
                        response,
                        grant: Grant::DeviceCode {
                            device_code: &auth.device_code,
                        }
                        .label(),
                        hold,
                    });
                }
                Ok(Poll::Pending) => {}
                Ok(Poll::SlowDown) => {
                    interval = (interval + Duration::from_secs(5))
                        .min(Duration::from_secs(device::MAX_INTERVAL));
                }
                Err(OAuthError::Refused { error, .. }) if error == "access_denied" => {
                    return Err(Error::Authorization(
                        "the authorization was denied on the other device; nothing was stored"
                            .into(),
                    ));
                }
                Err(OAuthError::Refused { error, .. }) if error == "expired_token" => {
                    return Err(expired());
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Whether a server answers at the authorization endpoint before a browser is sent
/// there: one that does not resolve, refuses the connection or does not answer in a
/// few seconds fails now, not after the person's whole timeout. Any HTTP answer will
/// do, and so will a server that is there but answers this client otherwise than the
/// browser (a TLS handshake it refuses, a connection it drops). Only when outbound
/// opens the browser itself: with `--no-browser` or `--manual` the URL may be opened
/// on another machine, which may reach servers this one cannot.
fn answers(http: &Client, app: &App, auth_url: &Url) -> Result<()> {
    use crate::oauth::probe::{Endpoint, QUICK, probe};
    match probe(http, Endpoint::Authorization, auth_url, Some(QUICK)) {
        Ok(_) => Ok(()),
        Err(no) if !no.nobody() => Ok(()),
        Err(no) => Err(Error::Hinted {
            error: Box::new(Error::OAuth(OAuthError::Unreachable {
                endpoint: "authorization",
                url: auth_url.to_string(),
                reason: no.reason,
            })),
            hint: format!(
                "no browser was opened and nothing was stored\n  fix: once the server is up, run this again (check the network and the app's proxy); if the URL is wrong: outbound app edit {} --auth-url URL",
                app.name
            ),
        }),
    }
}

/// `--manual`: reads pasted lines until one gives a code the token endpoint takes
/// (`exchange`). A paste that is not this authorization's answer (a wrong state,
/// no code, nothing) or a code the server does not know (mistyped, cut short,
/// already used: `invalid_grant`) is said to the person, who pastes again when
/// [`Person::paste_again`] lets them; otherwise it ends the authorization. A denial
/// and another issuer's answer end it either way.
fn pasted(
    person: &mut dyn Person,
    expected: &Expected,
    exchange: impl Fn(&Secret) -> Result<Issued>,
) -> Result<Issued> {
    loop {
        let line = person.paste()?;
        let (why, error) = match parse_pasted(&line, expected) {
            Ok(code) => match exchange(&code) {
                Err(e) if matches!(&e, Error::OAuth(OAuthError::Refused { error, .. }) if error == "invalid_grant") =>
                {
                    let why = format!(
                        "{e}\n  the server does not take that code: it is mistyped, cut short, or was already used"
                    );
                    (why, e)
                }
                other => return other,
            },
            Err(rejected @ (Rejected::Foreign | Rejected::NoCode)) => {
                let why = refused_paste(&rejected, &line);
                (
                    why.clone(),
                    Error::Authorization(format!("{why}; nothing was stored")),
                )
            }
            Err(rejected) => return Err(Error::Authorization(rejected.message())),
        };
        if !person.paste_again(&why) {
            return Err(error);
        }
    }
}

/// What was wrong with a pasted line that is not this authorization's answer.
fn refused_paste(rejected: &Rejected, line: &str) -> String {
    let pairs = super::pasted_pairs(line);
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| crate::text::printable(v))
    };
    match rejected {
        // A refusal pasted back (the person clicked Deny): say what the server said,
        // though without this authorization's state it cannot be taken as its answer.
        Rejected::Foreign if param("error").is_some() => format!(
            "the pasted address carries the server's refusal `{}`{} but {}: if you refused, run the authorization again and allow it",
            param("error").unwrap_or_default(),
            param("error_description").map(|d| format!(" ({d})")).unwrap_or_default(),
            if param("state").is_some() { "another authorization's state" } else { "no state" }
        ),
        Rejected::Foreign if param("state").is_none() => "the pasted address has no `state`, so it cannot be checked as this authorization's answer: paste the whole address the browser was sent to (or just the code)".into(),
        Rejected::Foreign => "the pasted address carries a wrong state: it is the answer to another authorization (an older browser tab, or an earlier run), not to this one".into(),
        _ if line.trim().is_empty() => "nothing was pasted".into(),
        _ => "the pasted text carries no authorization code: paste the whole address the browser was sent to (or just the code)".into(),
    }
}

/// An endpoint a flow cannot do without, or how to set it.
fn endpoint<'a>(app: &App, url: Option<&'a Url>, what: &str, flag: &str) -> Result<&'a Url> {
    url.ok_or_else(|| {
        Error::Usage(format!(
            "`{}` has no {what} endpoint; set one with `outbound app edit {} {flag} URL` (or --issuer)",
            app.name, app.name
        ))
    })
}

/// The redirect URI for `--manual`: the app's, with a concrete port (the first of
/// its ports, else a free one when the app accepts any), since nothing listens on it.
fn manual_redirect_uri(app: &App) -> Result<String> {
    let mut uri = app.redirect_uri.clone();
    let port = match app.redirect_port_order().first() {
        Some(port) => *port,
        None => std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| Error::io("cannot find a free port", e))?,
    };
    uri.set_port(Some(port))
        .map_err(|()| Error::Other("cannot set the redirect port".into()))?;
    Ok(uri.to_string())
}
