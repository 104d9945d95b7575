//! `outbound proxy APP [--upstream URL]`: see [`crate::proxy`] and, for `--stdio`,
//! [`crate::mcp`].

use std::sync::Arc;

use super::Ctx;
use crate::commands::output::{data, notice};
use crate::error::{Error, Result};
use crate::proxy::{Listen, Proxy};
use crate::tokens;

pub struct Args {
    pub name: String,
    pub account: Option<String>,
    /// None: the app's first resource, else its base URL.
    pub upstream: Option<String>,
    pub listen: Option<String>,
    pub socket: Option<std::path::PathBuf>,
    pub url_file: Option<std::path::PathBuf>,
    pub verbose: bool,
    /// MCP's stdio transport instead of a listener.
    pub stdio: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    let listen = match (&args.socket, &args.listen) {
        #[cfg(unix)]
        (Some(path), _) => Listen::Unix(path.clone()),
        #[cfg(not(unix))]
        (Some(_), _) => {
            return Err(Error::Usage(
                "--socket: Unix sockets are not available on Windows: use --listen 127.0.0.1:PORT (its address carries a random capability prefix)".into(),
            ));
        }
        (None, listen) => {
            let addr: std::net::SocketAddr = listen
                .as_deref()
                .unwrap_or("127.0.0.1:0")
                .parse()
                .map_err(|e| Error::Usage(format!("--listen: {e} (e.g. 127.0.0.1:8080)")))?;
            if !addr.ip().is_loopback() {
                return Err(Error::Usage(format!(
                    "--listen {addr}: the proxy listens on loopback only (127.0.0.1, ::1): anyone who reaches it uses your tokens"
                )));
            }
            Listen::Tcp(addr)
        }
    };
    let config = ctx.load()?;
    let app = config.app(&args.name)?.clone();
    let account = tokens::account_of(&app, args.account.as_deref())?;
    let (upstream, whence) = upstream_of(ctx, &app, &account, args.upstream.as_deref())?;
    let to = crate::gate::To::Http {
        url: &upstream,
        proxy: app.proxy.as_ref(),
        headers: None,
    };
    if let Some(why) = crate::gate::destination(&ctx.state_dir, &app, &to) {
        return Err(Error::HostNotAllowed(format!("{whence}: {why}")));
    }
    let store = ctx.store(&config, &app);
    let identity = tokens::client_identity(&app, store.as_ref())?;
    let dpop = if app.dpop {
        Some(crate::dpop::Dpop::load_or_create(
            store.as_ref(),
            &ctx.state_dir,
            &app.id,
            &account,
        )?)
    } else {
        None
    };
    // While serving, nobody answers prompts (and the stdio bridge's stdin is the
    // client's): the configuration and the account are read again at least once a
    // second (see `gate::Live`), so a disable, reset, logout or edit anywhere takes
    // effect at once.
    let mut quiet = ctx.clone();
    quiet.interactive = false;
    // A first token now: an account that needs authorization fails here, not later;
    // but the stdio bridge starts all the same (an MCP client shows only "connection
    // closed" otherwise) and gets it authorized or says how (see `crate::mcp`).
    let first = if args.stdio { &quiet } else { ctx };
    match super::access_token(first, &config, store.as_ref(), &app, &account, None) {
        Ok(_) => {}
        Err(Error::AuthorizationRequired { reason, command }) if args.stdio => {
            eprintln!(
                "outbound proxy --stdio: {}",
                crate::text::printable(&reason)
            );
            if browser_authorization(&app) {
                eprintln!(
                    "outbound proxy --stdio: the first request authorizes `{}` in your browser (and waits for it)",
                    app.name
                );
            } else {
                eprintln!(
                    "outbound proxy --stdio: no browser can be opened here (no $BROWSER, no desktop session): run `{command}` in a terminal; until then each request is answered with that"
                );
            }
        }
        Err(e) => return Err(e),
    }
    let client = crate::request::client(
        &app,
        &crate::request::ClientOptions {
            proxy: app.proxy.as_ref(),
            tls: true,
            max_time: None,
            connect_timeout: Some(std::time::Duration::from_secs(10)),
            compressed: false,
            ca_file: None,
            identity: identity.as_ref(),
        },
    )?;
    let (asker, name, who) = (quiet.clone(), app.name.clone(), account.clone());
    let source: Arc<crate::gate::Source> = Arc::new(move |rejected| {
        let config = asker.load()?;
        let app = config.app(&name)?;
        let store = asker.store(&config, app);
        let access = super::access_token(&asker, &config, store.as_ref(), app, &who, rejected)?;
        Ok((app.clone(), access))
    });
    let live = || crate::gate::Live::new(Arc::clone(&source), ctx.state_dir.clone());
    if args.stdio {
        let authorize = browser_authorization(&app).then(|| {
            let (ctx, name, who) = (quiet.clone(), app.name.clone(), account.clone());
            Arc::new(move || {
                let config = ctx.load()?;
                let app = config.app(&name)?;
                let store = ctx.store(&config, app);
                let audit = ctx.audit(&config, app);
                let env = ctx.token_env(&config, app, store.as_ref(), &audit);
                super::authorize::in_browser(&ctx, &env, app, &who)
            }) as Arc<crate::mcp::Authorize>
        });
        // Said once on stderr (the MCP client's log): where tokens come from.
        #[cfg(unix)]
        let agent = crate::agent::client::running(&ctx.state_dir);
        #[cfg(not(unix))]
        let agent: Option<std::path::PathBuf> = None;
        match agent {
            Some(socket) => eprintln!(
                "outbound proxy --stdio: tokens of `{}` from the agent on {}",
                app.name,
                socket.display()
            ),
            None => eprintln!(
                "outbound proxy --stdio: tokens of `{}` from the {} store (no agent running)",
                app.name,
                ctx.backend(&config, &app).as_str()
            ),
        }
        return crate::mcp::run(crate::mcp::Bridge {
            app,
            endpoint: upstream,
            client,
            tokens: live(),
            verbose: args.verbose,
            authorize,
        });
    }
    let prefix = match &listen {
        #[cfg(unix)]
        Listen::Unix(_) => None,
        Listen::Tcp(_) => Some(crate::proxy::new_prefix()?),
    };
    let proxy = Proxy {
        app: app.clone(),
        upstream: upstream.clone(),
        client,
        tokens: live(),
        dpop,
        prefix,
        direct: crate::proxy::direct_path(&app, &upstream),
        verbose: args.verbose,
    };
    let url_file = args.url_file.clone();
    crate::proxy::serve(proxy, listen, |at| {
        match &url_file {
            Some(file) => {
                crate::fsutil::write_atomic(file, format!("{at}\n").as_bytes())
                    .map_err(|e| Error::io(format!("cannot write {}", file.display()), e))?;
                notice!(
                    "proxy for `{}` to {upstream}: its address is in {}",
                    app.name,
                    file.display()
                );
            }
            None => {
                data!("{at}");
                notice!("proxy for `{}` to {upstream} (Ctrl-C stops it)", app.name);
            }
        }
        Ok(())
    })
}

/// Where requests go: `--upstream`, else the app's first resource (RFC 8707; an app
/// added with `--from-url` records its URL there), else its base URL (the account's,
/// as `curl` resolves against it, else the app's). With what to call it in a refusal.
fn upstream_of(
    ctx: &Ctx,
    app: &crate::app::App,
    account: &str,
    given: Option<&str>,
) -> Result<(url::Url, String)> {
    let (text, whence) = match given {
        Some(given) => (given.to_owned(), "--upstream".to_owned()),
        None => {
            let resource = app
                .resources
                .iter()
                .find(|r| url::Url::parse(r).is_ok_and(|u| matches!(u.scheme(), "https" | "http")));
            let account_base = crate::state::Index::load(&ctx.state_dir)
                .get(&app.id, account)
                .and_then(|r| r.settings.base_url.clone());
            match (resource, account_base, &app.base_url) {
                (Some(resource), _, _) => (
                    resource.clone(),
                    format!("the upstream {resource} (the resource of `{}`)", app.name),
                ),
                (None, Some(base), _) => (
                    base.clone(),
                    format!(
                        "the upstream {base} (the base URL of `{}`, account `{account}`)",
                        app.name
                    ),
                ),
                (None, None, Some(base)) => (
                    base.to_string(),
                    format!("the upstream {base} (the base URL of `{}`)", app.name),
                ),
                (None, None, None) => {
                    return Err(Error::Usage(format!(
                        "`{}` records no resource nor base URL to forward to: give --upstream URL (e.g. --upstream https://api.example.com/v1)",
                        app.name
                    )));
                }
            }
        }
    };
    let shown = match given {
        Some(given) => format!("--upstream {given}"),
        None => whence.clone(),
    };
    let upstream = url::Url::parse(&text).map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
    if upstream.query().is_some()
        || upstream.fragment().is_some()
        || !upstream.username().is_empty()
    {
        let fix = if given.is_some() {
            ""
        } else {
            "; give --upstream URL"
        };
        return Err(Error::Usage(format!(
            "{shown}: an origin with an optional base path, without query, fragment or user{fix}"
        )));
    }
    Ok((upstream, whence))
}

/// Whether the stdio bridge authorizes an account that needs it itself: a person
/// takes part (not the client's own credentials) and a browser can be opened here.
fn browser_authorization(app: &crate::app::App) -> bool {
    app.grant.needs_person() && crate::authorize::browser::available()
}
