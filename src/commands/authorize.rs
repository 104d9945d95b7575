//! `outbound authorize NAME`: the seeds' interactive authorization. Shows the
//! approval prompt, then runs the grant the app uses (authorization code through the
//! browser and a loopback listener, or pasted back with --manual; the device grant;
//! client credentials, which verifies them) and stores the tokens for the account.

use std::io::{BufRead, IsTerminal, Read};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;

use super::Ctx;
use crate::app::{App, Grant};
use crate::authorize::listener::{Event, Listener};
use crate::authorize::{Expected, browser, parse_pasted};
use crate::cli::AuthorizeArgs;
use crate::error::{Error, Result};
use crate::oauth::device::{self, Poll};
use crate::oauth::flow::{AuthRequest, Pkce, authorization_url, random_token};
use crate::oauth::{self, ClientCredentials, OAuthError, TokenResponse};
use crate::signals;
use crate::state::Index;
use crate::tokens::{self, DEFAULT_ACCOUNT, StoredToken};

pub fn run(ctx: &Ctx, args: AuthorizeArgs) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(&args.name)?;
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    let account = args.account.as_deref().unwrap_or(DEFAULT_ACCOUNT);
    tokens::check_account(account)?;
    let previous = Index::load(&ctx.state_dir).get(&app.id, account).cloned();
    let scope_override = if args.scopes.is_empty() {
        previous.as_ref().and_then(|p| p.scope_override.clone())
    } else {
        Some(
            args.scopes
                .iter()
                .flat_map(|s| s.split_whitespace())
                .map(str::to_owned)
                .collect(),
        )
    };
    let prompt_override = args
        .prompt
        .clone()
        .or_else(|| previous.as_ref().and_then(|p| p.prompt_override.clone()));
    let scopes = scope_override.clone().unwrap_or_else(|| app.scopes.clone());
    let prompt = prompt_override.clone().or_else(|| app.prompt.clone());
    let use_device = args.device || app.grant == Grant::DeviceCode;

    approve(ctx, app, account, &scopes, &args)?;
    let store = ctx.store(&config);
    let secret = tokens::client_secret(app, store.as_ref())?;
    let http = crate::http::oauth_client(app)?;
    let creds = ClientCredentials {
        app,
        secret: secret.as_ref(),
    };
    let timeout = Duration::from_secs(args.timeout);
    // Each flow returns holding the signals (see `signals`): from the request that
    // makes the server issue tokens until they are saved below.
    let (grant, response) = if app.grant == Grant::ClientCredentials {
        (
            "client_credentials",
            client_credentials(&http, &creds, &scopes),
        )
    } else if use_device {
        (
            "device_code",
            device_flow(app, &http, &creds, &scopes, timeout, args.no_browser),
        )
    } else {
        (
            "authorization_code",
            code_flow(app, &http, &creds, &scopes, prompt.as_deref(), &args),
        )
    };
    let audit = ctx.audit(&config);
    let host = app.token_url.host_str();
    let (response, _hold) = match response {
        Ok(r) => r,
        Err(e) => {
            audit.record(&app.name, account, "authorize", Some(grant), host, "error");
            return Err(e);
        }
    };
    let token = StoredToken::from_response(response, app, &scopes, None);
    tokens::record(
        store.as_ref(),
        &ctx.state_dir,
        &ctx.config_path,
        app,
        account,
        &token,
        Some((scope_override, prompt_override)),
        false,
    )?;
    drop(_hold);
    audit.record(&app.name, account, "authorize", Some(grant), host, "ok");
    let expiry = match token.expires_at {
        Some(at) => format!(
            "the access token expires in {}",
            human_seconds(at.saturating_sub(tokens::now()))
        ),
        None => "the server gave no expiry".to_owned(),
    };
    let refresh = if token.refresh_token.is_some() {
        "with a refresh token"
    } else {
        "without a refresh token (authorize again when it expires)"
    };
    eprintln!(
        "authorized `{}` (account `{account}`), scopes: {}; {expiry}, {refresh}; stored in the {} store",
        app.name,
        if token.scopes.is_empty() {
            "(none)".to_owned()
        } else {
            token.scopes.join(" ")
        },
        store.backend().as_str()
    );
    Ok(())
}

pub fn human_seconds(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs}s"),
        120..=7199 => format!("{}m", secs / 60),
        7200..=172_799 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

/// Shows the approval prompt and asks to continue (the seeds' "approval prompt").
fn approve(
    ctx: &Ctx,
    app: &App,
    account: &str,
    scopes: &[String],
    args: &AuthorizeArgs,
) -> Result<()> {
    let host = app
        .auth_url
        .as_ref()
        .or(app.device_url.as_ref())
        .unwrap_or(&app.token_url)
        .host_str()
        .unwrap_or("the provider")
        .to_owned();
    let text = app.approval_prompt.clone().unwrap_or_else(|| {
        format!(
            "outbound will ask {host} to let application `{}` (client {}) act on your behalf.",
            app.name, app.client_id
        )
    });
    eprintln!("{text}");
    eprintln!(
        "  application: {}   account: {account}   scopes: {}",
        app.name,
        if scopes.is_empty() {
            "(none)".to_owned()
        } else {
            scopes.join(" ")
        }
    );
    if app.grant == Grant::ClientCredentials || args.yes {
        return Ok(());
    }
    if !ctx.interactive {
        return Err(Error::Usage(format!(
            "authorizing `{}` needs your consent and there is no terminal to ask on; run it on a terminal, or pass --yes",
            app.name
        )));
    }
    if ctx.confirm("Continue?", false, "--yes")? {
        Ok(())
    } else {
        Err(Error::Authorization(
            "authorization cancelled; nothing was stored".into(),
        ))
    }
}

/// Tokens from the server, with the signals held until they are saved.
type Issued = (TokenResponse, signals::Hold);

fn client_credentials(
    http: &Client,
    creds: &ClientCredentials,
    scopes: &[String],
) -> Result<Issued> {
    let hold = signals::hold();
    let grant = oauth::Grant::ClientCredentials { scopes };
    Ok((oauth::request_token(http, creds, &grant)?, hold))
}

fn code_flow(
    app: &App,
    http: &Client,
    creds: &ClientCredentials,
    scopes: &[String],
    prompt: Option<&str>,
    args: &AuthorizeArgs,
) -> Result<Issued> {
    let auth_url = app.auth_url.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "`{}` has no authorization endpoint; set one with `outbound app edit {} --auth-url URL` (or --issuer)",
            app.name, app.name
        ))
    })?;
    let pkce = if app.pkce {
        Some(Pkce::new().map_err(Error::Other)?)
    } else {
        None
    };
    let state = random_token(32).map_err(Error::Other)?;
    let issuer = app.issuer.as_ref().map(|u| u.as_str().to_owned());
    let expected = Expected {
        state: &state,
        issuer: issuer.as_deref(),
        require_iss: app.require_iss,
    };
    let request = |redirect_uri: &str| {
        authorization_url(
            app,
            auth_url,
            &AuthRequest {
                redirect_uri,
                scopes,
                prompt,
                state: &state,
                challenge: pkce.as_ref().map(|p| p.challenge.as_str()),
            },
        )
    };

    let (code, redirect_uri) = if args.manual {
        let redirect_uri = manual_redirect_uri(app)?;
        let url = request(&redirect_uri);
        eprintln!(
            "\nOpen this URL in a browser on any machine:\n\n  {url}\n\nAfter you approve, the browser is sent to {redirect_uri}?… and may show an error page.\nCopy the whole address from the address bar and paste it here (or just the code), then press Enter:"
        );
        let line = read_pasted_line()?;
        let code = parse_pasted(&line, &expected).map_err(|r| Error::Authorization(r.message()))?;
        (code, redirect_uri)
    } else {
        let listener = Listener::bind(&app.redirect_uri, &app.name)?;
        let url = request(&listener.redirect_uri);
        eprintln!(
            "\nOpen this URL to authorize (outbound tries to open your browser):\n\n  {url}\n"
        );
        if !args.no_browser
            && let Err(e) = browser::open(url.as_str())
        {
            eprintln!("note: {e}; open the URL yourself");
        }
        let tty = std::io::stderr().is_terminal();
        if !tty {
            eprintln!(
                "Waiting up to {} s for the browser to come back…",
                args.timeout
            );
        }
        let code = listener.wait(
            &expected,
            Duration::from_secs(args.timeout),
            |event| match event {
                Event::Tick(left) if tty => {
                    eprint!(
                        "\rWaiting for the browser… {}:{:02} left (Ctrl-C to cancel) ",
                        left / 60,
                        left % 60
                    );
                }
                Event::Tick(_) => {}
                Event::Ignored(message) => {
                    eprintln!("{}warning: {message}", if tty { "\n" } else { "" })
                }
            },
        );
        if tty {
            eprintln!();
        }
        (code?, listener.redirect_uri.clone())
    };
    // The code is spent once sent: hold the signals until its tokens are saved.
    let hold = signals::hold();
    let grant = oauth::Grant::AuthorizationCode {
        code: &code,
        redirect_uri: &redirect_uri,
        verifier: pkce.as_ref().map(|p| &p.verifier),
    };
    Ok((oauth::request_token(http, creds, &grant)?, hold))
}

/// The longest line `--manual` reads: a redirect URL with a code and state is a
/// few hundred bytes; anything near this is not one.
const MAX_PASTE: u64 = 16 * 1024;

/// One pasted line, at most [`MAX_PASTE`] bytes.
fn read_pasted_line() -> Result<String> {
    let mut line = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_PASTE + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::io("cannot read the pasted URL", e))?;
    if line.len() as u64 > MAX_PASTE {
        return Err(Error::Usage(format!(
            "the pasted text is longer than {} KiB; paste only the address the browser was sent to (or just the code)",
            MAX_PASTE / 1024
        )));
    }
    String::from_utf8(line)
        .map_err(|_| Error::Usage("the pasted text is not UTF-8; paste the address again".into()))
}

/// The redirect URI for `--manual`: the app's, with a concrete port (a free one when
/// the app accepts any), since nothing listens on it.
fn manual_redirect_uri(app: &App) -> Result<String> {
    let mut uri = app.redirect_uri.clone();
    if uri.port().unwrap_or(0) == 0 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| Error::io("cannot find a free port", e))?;
        uri.set_port(Some(port))
            .map_err(|()| Error::Other("cannot set the redirect port".into()))?;
    }
    Ok(uri.to_string())
}

fn device_flow(
    app: &App,
    http: &Client,
    creds: &ClientCredentials,
    scopes: &[String],
    timeout: Duration,
    no_browser: bool,
) -> Result<Issued> {
    let device_url = app.device_url.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "`{}` has no device authorization endpoint; set one with `outbound app edit {} --device-url URL` (or --issuer)",
            app.name, app.name
        ))
    })?;
    let auth = device::start(http, creds, device_url, scopes)?;
    eprintln!(
        "\nTo authorize `{}`, visit\n\n  {}\n\nand enter the code:  {}\n",
        app.name, auth.verification_uri, auth.user_code
    );
    if let Some(complete) = &auth.verification_uri_complete {
        eprintln!("(or open {complete})");
        if !no_browser {
            // Best effort: on a machine without a browser the URL above is enough.
            let _ = browser::open(complete);
        }
    }
    let deadline = Instant::now() + timeout.min(Duration::from_secs(auth.expires_in));
    let mut interval = Duration::from_secs(auth.interval);
    eprintln!("Waiting for the authorization on the other device…");
    loop {
        if Instant::now() + interval > deadline {
            return Err(Error::TimedOut(
                "the device code expired before it was approved; nothing was stored (run authorize again)".into(),
            ));
        }
        std::thread::sleep(interval);
        let hold = signals::hold();
        match device::poll(http, creds, &auth.device_code) {
            Ok(Poll::Done(token)) => return Ok((token, hold)),
            Ok(Poll::Pending) => {}
            Ok(Poll::SlowDown) => {
                interval = (interval + Duration::from_secs(5))
                    .min(Duration::from_secs(device::MAX_INTERVAL));
            }
            Err(OAuthError::Refused { error, .. }) if error == "access_denied" => {
                return Err(Error::Authorization(
                    "the authorization was denied on the other device; nothing was stored".into(),
                ));
            }
            Err(OAuthError::Refused { error, .. }) if error == "expired_token" => {
                return Err(Error::TimedOut(
                    "the device code expired before it was approved; nothing was stored (run authorize again)".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
}
