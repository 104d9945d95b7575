//! `outbound authorize NAME`: the seeds' interactive authorization. Shows the
//! approval prompt, then runs the grant the app uses (authorization code through the
//! browser and a loopback listener, or pasted back with --manual; the device grant;
//! client credentials, which verifies them) and stores the tokens for the account.
//! This file is the terminal's side: what the person reads and types.

use crate::commands::output::{notice, say, say_raw};
use std::io::{BufRead, IsTerminal, Read};

use super::Ctx;
use crate::app::App;
use crate::authorize::flow::{Mode, Person, Progress};
use crate::cli::AuthorizeArgs;
use crate::error::{Error, Result};
use crate::tokens::{self, Authorization};

pub fn run(ctx: &Ctx, args: AuthorizeArgs) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(&args.name)?;
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    let account = &tokens::account_of(app, args.account.as_deref())?;
    let base_url = args
        .base_url
        .as_deref()
        .map(super::account::check_base_url)
        .transpose()?;
    let store = ctx.store(&config, app);
    if args.shared && store.backend() != crate::store::Backend::Postgres {
        return Err(Error::Usage(
            "--shared: only the team store (--store postgres) shares accounts; a local store is yours alone".into(),
        ));
    }
    // A personal account and the shared one are different accounts (team store): the
    // tokens obtained below go only to the one asked for, checked before the person
    // is asked anything.
    store.aim_account(&app.id, account, args.shared)?;
    let audit = ctx.audit(&config, app);
    let env = ctx.token_env(&config, app, store.as_ref(), &audit);
    tokens::check_usable(&env, app, account)?;
    let mut plan = Authorization::plan(&env, app, account, &args.scopes, args.prompt.clone());
    if base_url.is_some() {
        plan.settings.base_url = base_url;
    }
    plan.mode = if args.manual {
        Mode::Manual
    } else if args.device {
        Mode::Device {
            open: !args.no_browser,
        }
    } else {
        Mode::Browser {
            open: !args.no_browser,
        }
    };
    if let Some(timeout) = args.timeout {
        plan.timeout = timeout;
    }
    plan.shared = args.shared;
    let token = if args.refresh_token_stdin {
        // Approved where it was obtained: no prompt here.
        let refresh_token = read_refresh_token()?;
        tokens::import_refresh_token(&env, app, &plan, refresh_token)?
    } else {
        approve(ctx, app, account, &plan.scopes, args.yes)?;
        let mut terminal = Terminal::new(app, plan.timeout.as_secs());
        let token = tokens::authorize(&env, app, &plan, &mut terminal)?;
        terminal.done();
        token
    };
    let expiry = match token.expires_at {
        Some(at) => format!(
            "the access token expires in {}",
            human_seconds(at.saturating_sub(crate::clock::now()))
        ),
        None => "the server gave no expiry".to_owned(),
    };
    let refresh = if token.refresh_token.is_some() {
        "with a refresh token"
    } else if !app.grant.needs_person() {
        "a new one is fetched with the client's credentials when it expires"
    } else {
        "without a refresh token (authorize again when it expires)"
    };
    notice!(
        "authorized `{}` (account `{account}`{}), scopes: {}; {expiry}, {refresh}; stored in {}",
        app.name,
        if args.shared {
            ", shared with the group"
        } else {
            ""
        },
        if token.scopes.is_empty() {
            "(none)".to_owned()
        } else {
            token.scopes.join(" ")
        },
        store.backend().noun()
    );
    Ok(())
}

/// A refresh token on standard input: one line (at most 16 KiB), without spaces or
/// control characters.
fn read_refresh_token() -> Result<crate::secret::Secret> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(16 * 1024 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("cannot read the refresh token from standard input", e))?;
    if bytes.len() > 16 * 1024 {
        return Err(Error::Usage(
            "--refresh-token-stdin: more than 16 KiB on standard input; not a refresh token".into(),
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Usage("--refresh-token-stdin: standard input is not text".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::Usage(
            "--refresh-token-stdin: standard input is empty; pipe the refresh token in (outbound authorize APP --refresh-token-stdin < file)".into(),
        ));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Usage(
            "--refresh-token-stdin: expected one refresh token; standard input holds spaces or several lines".into(),
        ));
    }
    Ok(crate::secret::Secret::new(token.to_owned()))
}

/// Authorizes (app, account) right here with the defaults (the browser, the app's or
/// the account's remembered scopes), for a command that found it needs it.
pub fn here(ctx: &Ctx, env: &tokens::TokenEnv, app: &App, account: &str) -> Result<()> {
    let plan = Authorization::plan(env, app, account, &[], None);
    approve(ctx, app, account, &plan.scopes, true)?;
    let mut terminal = Terminal::new(app, plan.timeout.as_secs());
    tokens::authorize(env, app, &plan, &mut terminal)?;
    terminal.done();
    Ok(())
}

/// Authorizes (app, account) in the browser with the defaults, for a server that has
/// no terminal (the stdio bridge, whose stdin and stdout are its client's): the
/// approval text, the URL and progress on stderr, nothing read, and a browser that
/// cannot be opened ends it at once.
pub fn in_browser(ctx: &Ctx, env: &tokens::TokenEnv, app: &App, account: &str) -> Result<()> {
    let plan = Authorization::plan(env, app, account, &[], None);
    approve(ctx, app, account, &plan.scopes, true)?;
    let mut person = Terminal::new(app, plan.timeout.as_secs());
    person.browser_only = true;
    tokens::authorize(env, app, &plan, &mut person)?;
    person.done();
    notice!("authorized `{}` (account `{account}`)", app.name);
    Ok(())
}

/// Authorizes (app, account) here for `scopes` (remembered for the account), for a
/// request the API refused for want of them (`curl --step-up`).
pub fn with_scopes(
    ctx: &Ctx,
    env: &tokens::TokenEnv,
    app: &App,
    account: &str,
    scopes: &[String],
) -> Result<()> {
    let plan = Authorization::plan(env, app, account, scopes, None);
    approve(ctx, app, account, &plan.scopes, false)?;
    let mut terminal = Terminal::new(app, plan.timeout.as_secs());
    tokens::authorize(env, app, &plan, &mut terminal)?;
    terminal.done();
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
fn approve(ctx: &Ctx, app: &App, account: &str, scopes: &[String], yes: bool) -> Result<()> {
    let host = app
        .auth_url
        .as_ref()
        .or(app.device_url.as_ref())
        .unwrap_or(&app.token_url)
        .host_str()
        .unwrap_or("the provider")
        .to_owned();
    let text = app.approval_prompt.clone().unwrap_or_else(|| {
        if !app.grant.needs_person() {
            format!(
                "outbound will get a token for application `{}` from {host} with the client's own credentials (client {}; no person is involved).",
                app.name, app.client_id
            )
        } else {
            format!(
                "outbound will ask {host} to let application `{}` (client {}) act on your behalf.",
                app.name, app.client_id
            )
        }
    });
    say!("{text}");
    say!(
        "  application: {}   account: {account}   scopes: {}",
        app.name,
        if scopes.is_empty() {
            "(none)".to_owned()
        } else {
            scopes.join(" ")
        }
    );
    if !app.grant.needs_person() || yes {
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

/// The person at this terminal: progress on stderr (a countdown on a terminal),
/// pasted lines from stdin.
struct Terminal {
    app: String,
    tty: bool,
    timeout: u64,
    ticking: bool,
    /// No person at this terminal: nothing is read, and the browser must open.
    browser_only: bool,
}

impl Terminal {
    fn new(app: &App, timeout: u64) -> Terminal {
        Terminal {
            app: app.name.clone(),
            tty: std::io::stderr().is_terminal(),
            timeout,
            ticking: false,
            browser_only: false,
        }
    }

    /// Ends the countdown line.
    fn done(&mut self) {
        if self.ticking {
            say!();
            self.ticking = false;
        }
    }
}

/// A countdown left on its line when the flow fails (a refused code exchange, Ctrl-C)
/// is ended too: the error is printed on a line of its own.
impl Drop for Terminal {
    fn drop(&mut self) {
        self.done();
    }
}

impl Person for Terminal {
    fn progress(&mut self, progress: Progress) {
        match progress {
            Progress::OpenUrl(url) => {
                say!(
                    "\nOpen this URL to authorize (outbound tries to open your browser):\n\n  {url}\n"
                );
                if !self.tty {
                    notice!(
                        "Waiting up to {} s for the browser to come back…",
                        self.timeout
                    );
                }
            }
            Progress::PasteBack { url, redirect_uri } => say!(
                "\nOpen this URL in a browser on any machine:\n\n  {url}\n\nAfter you approve, the browser is sent to {redirect_uri}?… and may show an error page.\nCopy the whole address from the address bar and paste it here (or just the code), then press Enter:"
            ),
            Progress::NoBrowser(e) => say!(
                "note: {}\n  Open the URL above in a browser on this machine; or run again with --manual to\n  paste the address back from any machine, or --device where the app allows it;\n  or set $BROWSER to your browser's command.",
                crate::text::sentence(&e)
            ),
            Progress::Waiting(left) if self.tty => {
                self.ticking = true;
                say_raw!(
                    "\rWaiting for the browser… {}:{:02} left (Ctrl-C to cancel) ",
                    left / 60,
                    left % 60
                );
            }
            Progress::Waiting(_) => {}
            Progress::OtherInProgress => say!(
                "another authorization of `{}` (this account) is in progress, in another terminal or browser tab; waiting for it to finish (Ctrl-C to stop waiting)…",
                self.app
            ),
            Progress::TookOthers => {
                notice!("that authorization succeeded: its tokens are used")
            }
            Progress::Ignored(message) => {
                say!("{}warning: {message}", if self.ticking { "\n" } else { "" });
            }
            Progress::DeviceCode {
                uri,
                user_code,
                complete,
            } => {
                say!(
                    "\nTo authorize `{}`, visit\n\n  {uri}\n\nand enter the code:  {user_code}\n",
                    self.app
                );
                if let Some(complete) = complete {
                    say!("(or open {complete})");
                }
                say!("Waiting for the authorization on the other device…");
            }
        }
    }

    fn paste(&mut self) -> Result<String> {
        if self.browser_only {
            return Err(Error::Authorization(
                "nothing can be pasted here: standard input is not a person's".into(),
            ));
        }
        read_pasted_line()
    }

    /// On a terminal, a bad paste (a wrong state, garbage, an empty line, a code the
    /// server does not take) is said and asked for again, as a password prompt
    /// does; elsewhere (a pipe, a script) it ends the authorization with its error.
    fn paste_again(&mut self, why: &str) -> bool {
        if self.browser_only || !std::io::stdin().is_terminal() {
            return false;
        }
        say!(
            "{why}\nPaste the address again (or just the code), then press Enter (Ctrl-C or Ctrl-D to stop):"
        );
        true
    }

    fn browser_only(&self) -> bool {
        self.browser_only
    }
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
    if line.is_empty() {
        // Exit 1, not 7: no server was involved; the person (or the script) gave up.
        return Err(Error::Other(
            "nothing was pasted (the input ended); nothing was stored".into(),
        ));
    }
    if line.len() as u64 > MAX_PASTE {
        return Err(Error::Usage(format!(
            "the pasted text is longer than {} KiB; paste only the address the browser was sent to (or just the code)",
            MAX_PASTE / 1024
        )));
    }
    String::from_utf8(line)
        .map_err(|_| Error::Usage("the pasted text is not UTF-8; paste the address again".into()))
}
