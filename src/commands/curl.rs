//! `outbound curl NAME URL`: a curl-like request with the app's token attached —
//! only where it belongs — refreshed when needed and retried once after a 401.
//! Bodies stream both ways.

use crate::commands::output::{data_raw, say};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use url::Url;

use super::{Ctx, access_token};
use crate::cli::CurlArgs;
use crate::error::{Error, Result};
use crate::request::body::DataArgs;
use crate::request::{self, Outcome};
use crate::tokens;

pub fn run(ctx: &Ctx, args: CurlArgs) -> Result<()> {
    let quiet = args.silent && !args.show_error;
    match transfer(ctx, args) {
        // -s without -S: curl stays silent about transfer errors (not about ours).
        Err(Error::Transfer { code, .. }) if quiet => Err(Error::Transfer {
            code,
            message: String::new(),
        }),
        other => other,
    }
}

fn transfer(ctx: &Ctx, args: CurlArgs) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(&args.name)?;
    let account = &tokens::account_of(app, args.account.as_deref())?;
    if args.urls.len() > 1 && args.output.is_some() {
        return Err(Error::Usage(
            "-o names one file, and several URLs were given: use -O (each URL's own file name), or one URL per call".into(),
        ));
    }
    let account_base = crate::state::Index::load(&ctx.state_dir)
        .get(&app.id, account)
        .and_then(|r| r.settings.base_url.as_deref())
        .and_then(|u| Url::parse(u).ok());
    let app_base = app.relative_base();
    let mut headers = args.headers.clone();
    if let Some(agent) = &args.user_agent {
        headers.push(format!("User-Agent: {agent}"));
    }
    // Every URL is checked (allowed hosts, clear text) before anything is sent.
    let plans = args
        .urls
        .iter()
        .map(|url| {
            request::Plan::new(
                app,
                &request::Spec {
                    url,
                    base_url: account_base.as_ref().or(app_base.as_ref()),
                    proxy: args.proxy.as_deref(),
                    headers: &headers,
                    data: DataArgs {
                        data: &args.data,
                        data_raw: &args.data_raw,
                        data_binary: &args.data_binary,
                        data_urlencode: &args.data_urlencode,
                        json: &args.json,
                        form: &args.form,
                        upload: args.upload_file.as_deref(),
                        get: args.get,
                    },
                    method: args.method.as_deref(),
                    head: args.head,
                    follow: args.location,
                    max_redirs: args.max_redirs,
                },
            )
        })
        .collect::<Result<Vec<_>>>()?;
    if plans.len() > 1 && plans.iter().any(|p| !p.body.replayable()) {
        return Err(Error::Usage(
            "a body from standard input can be sent once, and several URLs were given".into(),
        ));
    }
    let proxy = plans.first().and_then(|p| p.proxy.clone());
    let mut dump = args
        .dump_header
        .as_deref()
        .map(HeaderDump::open)
        .transpose()?;

    let started = Instant::now();
    let store = ctx.store(&config, app);
    // The keyring round trip and building the HTTP client (TLS roots) are the two
    // slow parts of a small request: do them at the same time.
    // Only an app with a TLS client certificate reads it here (a keyring round trip).
    let identity = tokens::client_identity(app, store.as_ref())?;
    let tls = plans
        .iter()
        .any(|p| needs_tls(&p.url, p.follow, proxy.as_ref(), |v| std::env::var(v).ok()))
        || args.cacert.is_some();
    let follows = plans.iter().any(|p| p.follow);
    let (client, first) = std::thread::scope(|scope| {
        let options = request::ClientOptions {
            proxy: proxy.as_ref(),
            tls,
            max_time: args.max_time.map(Duration::from_secs_f64),
            connect_timeout: args.connect_timeout.map(Duration::from_secs_f64),
            compressed: args.compressed,
            ca_file: args.cacert.as_deref(),
            identity: identity.as_ref(),
        };
        let building = scope.spawn(move || {
            let client = request::client(app, &options)?;
            // Where the gate lets no token go (a redirect elsewhere), the TLS client
            // certificate does not go either: those hops use a client without it.
            let bare = match options.identity {
                Some(_) if follows => Some(request::client(
                    app,
                    &request::ClientOptions {
                        identity: None,
                        ..options
                    },
                )?),
                _ => None,
            };
            let plain = request::plain(&options);
            Ok::<_, Error>(request::Clients {
                client,
                bare,
                plain,
            })
        });
        let first = access_token(ctx, &config, store.as_ref(), app, account, None);
        let client = building
            .join()
            .unwrap_or_else(|_| Err(Error::Other("building the HTTP client failed".into())));
        (client, first)
    });
    let client = client?;
    let mut verbose = |prefix: char, line: &str| {
        if args.verbose {
            say!("{prefix} {line}");
        }
    };
    // One thread drives the transfer: no hand-over between threads per chunk. Token
    // work (keyring, refresh) stays outside the runtime: it blocks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the HTTP runtime", e))?;
    let mut first = Some(first?);
    // The account's DPoP key: its tokens are bound to it, and each request proves it.
    let dpop = if app.dpop {
        Some(crate::dpop::Dpop::load_or_create(
            store.as_ref(),
            &ctx.state_dir,
            &app.id,
            account,
        )?)
    } else {
        None
    };
    // A token obtained after the first (another URL, a retry, after a 401) is asked
    // of the configuration as it is then: a disable, reset or edit made while curl
    // waits (--retry, several URLs) stops what follows, as the gate says.
    let again = |plan: &request::Plan, rejected: Option<&crate::secret::Secret>| {
        let now = ctx.load()?;
        let current = now.app(&app.name)?;
        if current.id != app.id {
            return Err(Error::Other(format!(
                "`{}` was deleted and defined again while curl ran; run it again",
                app.name
            )));
        }
        let access = access_token(ctx, &now, store.as_ref(), current, account, rejected)?;
        let to = crate::gate::To::Http {
            url: &plan.url,
            proxy: plan.proxy.as_ref(),
            headers: Some(&plan.headers),
        };
        crate::gate::check(&ctx.state_dir, current, &access.token, &to)?;
        Ok(access)
    };
    // As curl does, a failed URL does not stop the next ones; the last failure is
    // the exit status.
    let mut failure = None;
    for plan in &plans {
        let result = (|| {
            if let Some(why) = crate::gate::binding::refusal(&ctx.state_dir, app, &plan.url) {
                return Err(Error::HostNotAllowed(why));
            }
            let access = match first.take() {
                Some(access) => access,
                None => again(plan, None)?,
            };
            let send = |access, verbose: &mut dyn FnMut(char, &str)| {
                send_retrying(
                    &runtime,
                    &client,
                    app,
                    plan,
                    &args,
                    access,
                    dpop.as_ref(),
                    |rejected| again(plan, rejected),
                    |outcome: &Outcome| bound_to_issuer(ctx, app, outcome),
                    &ctx.state_dir,
                    verbose,
                )
            };
            let mut outcome = send(access, &mut verbose)?;
            // A resource that trusts other authorization servers gets no more tokens.
            if outcome.response.status() == reqwest::StatusCode::UNAUTHORIZED {
                bound_to_issuer(ctx, app, &outcome)?;
            }
            // Step-up: the API wants scopes the token does not have.
            if let Some(wanted) = insufficient_scope(&outcome) {
                let scopes = step_up_scopes(ctx, app, account, &wanted);
                if !(args.step_up && ctx.interactive && plan.body.replayable()) {
                    return Err(step_up_needed(app, account, &scopes, args.step_up));
                }
                verbose(
                    '*',
                    "insufficient_scope: authorizing the scopes the API asks for",
                );
                let audit = ctx.audit(&config, app);
                let env = ctx.token_env(&config, app, store.as_ref(), &audit);
                super::authorize::with_scopes(ctx, &env, app, account, &scopes)?;
                let access = access_token(ctx, &config, store.as_ref(), app, account, None)?;
                outcome = send(access, &mut verbose)?;
            }
            if outcome.token_sent {
                let status = outcome.response.status().as_u16().to_string();
                ctx.audit(&config, app).record(
                    &app.name,
                    account,
                    "request",
                    Some(plan.method.as_str()),
                    outcome.url.host_str(),
                    &status,
                );
            }
            runtime.block_on(finish(&args, outcome, started, dump.as_mut()))
        })();
        if let Err(e) = result {
            if plans.len() == 1 {
                return Err(e);
            }
            if !matches!(&e, Error::Transfer { message, .. } if message.is_empty()) {
                crate::commands::output::warning!("{}: {e}", plan.url);
            }
            failure = Some(e);
        }
    }
    failure.map_or(Ok(()), Err)
}

/// What curl's `--retry` retries: a timeout, and these statuses.
const RETRY_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];
/// The longest wait between retries, whatever a server's Retry-After says.
const MAX_RETRY_DELAY: u64 = 600;

/// [`request::send_with_token`], tried again up to `--retry` times on a transient
/// failure (when the body can be sent again), waiting `--retry-delay`, else the
/// server's Retry-After (in seconds), else 1, 2, 4, … seconds.
#[allow(clippy::too_many_arguments)]
fn send_retrying(
    runtime: &tokio::runtime::Runtime,
    client: &request::Clients,
    app: &crate::app::App,
    plan: &request::Plan,
    args: &CurlArgs,
    first: crate::tokens::Access,
    dpop: Option<&crate::dpop::Dpop>,
    mut access: impl FnMut(Option<&crate::secret::Secret>) -> Result<crate::tokens::Access>,
    mut vet: impl FnMut(&Outcome) -> Result<()>,
    state_dir: &std::path::Path,
    verbose: request::Verbose<'_>,
) -> Result<Outcome> {
    let mut first = Some(first);
    let mut attempt = 0u32;
    loop {
        let token = match first.take() {
            Some(token) => token,
            None => access(None)?,
        };
        let result = request::send_with_token(
            runtime,
            client,
            app,
            plan,
            token,
            dpop,
            |rejected| access(Some(rejected)),
            &mut vet,
            state_dir,
            &mut *verbose,
        );
        let (why, hint) = match &result {
            Err(Error::Transfer { code: 28, message }) => (message.clone(), None),
            Ok(outcome) if RETRY_STATUSES.contains(&outcome.response.status().as_u16()) => (
                format!("HTTP {}", outcome.response.status().as_u16()),
                retry_after(outcome.response.headers()),
            ),
            _ => return result,
        };
        if attempt >= args.retry || !plan.body.replayable() {
            return result;
        }
        let delay = args
            .retry_delay
            .or(hint)
            .unwrap_or(1u64 << attempt.min(9))
            .min(MAX_RETRY_DELAY);
        attempt += 1;
        if !args.silent {
            crate::commands::output::warning!(
                "{why} from {}: retrying in {delay} s ({} retries left)",
                plan.url.host_str().unwrap_or_default(),
                args.retry - attempt + 1
            );
        }
        drop(result);
        std::thread::sleep(Duration::from_secs(delay));
    }
}

/// A Retry-After header in seconds (the HTTP-date form is read too).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .map_or(0, |d| d.as_secs()),
    )
}

/// `-D FILE`: where the response heads go (`-` is standard output).
enum HeaderDump {
    Stdout,
    File(File),
}

impl HeaderDump {
    fn open(path: &std::path::Path) -> Result<HeaderDump> {
        if path.as_os_str() == "-" {
            return Ok(HeaderDump::Stdout);
        }
        File::create(path)
            .map(HeaderDump::File)
            .map_err(|e| Error::io(format!("-D {}", path.display()), e))
    }
}

/// The file `-O` writes: the URL's last path segment, as curl names it (and, unlike
/// curl, never `.` or `..`).
fn remote_name(url: &Url) -> Result<std::path::PathBuf> {
    let name = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    if name.is_empty() || name == "." || name == ".." {
        return Err(Error::Transfer {
            code: 23,
            message: format!(
                "curl: (23) -O: {url} has no file name at the end of its path; use -o FILE"
            ),
        });
    }
    Ok(std::path::PathBuf::from(name))
}

/// Whether this request can involve TLS at all: an https URL, a redirect that may
/// lead to one, or an https proxy (the app's, --proxy, or from the environment).
/// When it cannot, the client is built without loading the system's trust store,
/// which is most of the set-up time of a small plain-http (loopback) request.
fn needs_tls(
    url: &Url,
    follow: bool,
    proxy: Option<&Url>,
    env: impl Fn(&str) -> Option<String>,
) -> bool {
    let https_proxy = |p: &str| p.trim().to_ascii_lowercase().starts_with("https:");
    url.scheme() != "http"
        || follow
        || proxy.is_some_and(|p| p.scheme() == "https")
        || (proxy.is_none()
            && ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
                .iter()
                .filter_map(|v| env(v))
                .any(|p| https_proxy(&p)))
}

async fn finish(
    args: &CurlArgs,
    outcome: Outcome,
    started: Instant,
    dump: Option<&mut HeaderDump>,
) -> Result<()> {
    let Outcome {
        mut response,
        url,
        redirects,
        ..
    } = outcome;
    let status = response.status();
    let failed = status.as_u16() >= 400 && (args.fail || args.fail_with_body);
    let output = match (&args.output, args.remote_name) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(remote_name(&url)?),
        (None, false) => None,
    };
    let to_stdout = output.is_none();
    let sink: Box<dyn Write> = match &output {
        Some(path) => Box::new(
            File::create(path).map_err(|e| Error::io(format!("-o {}", path.display()), e))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    // Small on purpose: chunks larger than the buffer go straight to the sink, without
    // an extra copy of the whole body; only the header lines are batched.
    let mut out = BufWriter::with_capacity(8 * 1024, sink);
    let mut head = format!("{:?} {}\r\n", response.version(), status).into_bytes();
    for (name, value) in response.headers() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    match dump {
        Some(HeaderDump::Stdout) if to_stdout => out.write_all(&head).map_err(write_error)?,
        Some(HeaderDump::Stdout) => io::stdout().write_all(&head).map_err(write_error)?,
        Some(HeaderDump::File(file)) => file.write_all(&head).map_err(write_error)?,
        None => {}
    }
    if args.include || args.head {
        out.write_all(&head).map_err(write_error)?;
    }
    // -f drops the body of an HTTP error; -I has none.
    let skip_body = args.head || (failed && args.fail && !args.fail_with_body);
    let mut size = 0u64;
    if !skip_body {
        while let Some(chunk) = response.chunk().await.map_err(|e| body_error(&url, &e))? {
            out.write_all(&chunk).map_err(write_error)?;
            size += chunk.len() as u64;
        }
    }
    if let Some(format) = &args.write_out {
        let text = write_out(
            format,
            status.as_u16(),
            started.elapsed(),
            size,
            &url,
            &response,
            redirects,
        );
        // -w goes to standard output even with -o, as curl does.
        if !to_stdout {
            out.flush().map_err(write_error)?;
            data_raw!("{text}");
        } else {
            out.write_all(text.as_bytes()).map_err(write_error)?;
        }
    }
    out.flush().map_err(write_error)?;
    if failed {
        return Err(Error::Transfer {
            code: 22,
            message: format!(
                "curl: (22) The requested URL returned error: {}",
                status.as_u16()
            ),
        });
    }
    Ok(())
}

/// The body could not be read to its end: `--max-time` passed (28), or the
/// connection failed or closed early (56), in the innermost cause's words.
fn body_error(url: &url::Url, e: &reqwest::Error) -> Error {
    let host = crate::http::authority(url);
    if e.is_timeout() {
        return Error::Transfer {
            code: 28,
            message: format!("curl: (28) the transfer from {host} timed out (--max-time)"),
        };
    }
    Error::Transfer {
        code: 56,
        message: format!(
            "curl: (56) failure receiving data from {host}: {}",
            crate::http::innermost(e)
        ),
    }
}

fn write_error(e: io::Error) -> Error {
    Error::Transfer {
        code: 23,
        message: format!("curl: (23) failure writing output: {e}"),
    }
}

fn write_out(
    format: &str,
    code: u16,
    elapsed: Duration,
    size: u64,
    url: &Url,
    response: &reqwest::Response,
    redirects: u32,
) -> String {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    format
        .replace("%{http_code}", &format!("{code:03}"))
        .replace("%{response_code}", &format!("{code:03}"))
        .replace("%{time_total}", &format!("{:.6}", elapsed.as_secs_f64()))
        .replace("%{size_download}", &size.to_string())
        .replace("%{url_effective}", url.as_str())
        .replace("%{content_type}", content_type)
        .replace("%{num_redirects}", &redirects.to_string())
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\r", "\r")
}

/// After a 401 that names the resource's metadata: an error when the resource trusts
/// other authorization servers than the app's issuer (RFC 9728), learnt for next time.
fn bound_to_issuer(ctx: &Ctx, app: &crate::app::App, outcome: &Outcome) -> Result<()> {
    let challenge = outcome
        .response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok());
    match challenge.and_then(|c| crate::gate::binding::learn(&ctx.state_dir, app, &outcome.url, c))
    {
        Some(why) if outcome.token_sent => Err(Error::HostNotAllowed(why)),
        _ => Ok(()),
    }
}

/// The exit code of an API's `insufficient_scope` (RFC 6750 §3.1) that was not
/// stepped up: the token needs more scopes.
pub const STEP_UP_NEEDED: u8 = 9;

/// The scopes a 401/403 `insufficient_scope` challenge asks for, when it is one.
fn insufficient_scope(outcome: &Outcome) -> Option<Vec<String>> {
    let status = outcome.response.status().as_u16();
    if !outcome.token_sent || !(status == 401 || status == 403) {
        return None;
    }
    let challenge = outcome
        .response
        .headers()
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(crate::oauth::resource::Challenge::parse)
        .find(|c| c.error.as_deref() == Some("insufficient_scope"))?;
    Some(
        challenge
            .scope
            .unwrap_or_default()
            .split_whitespace()
            // RFC 6749 §3.3's scope-token characters only.
            .filter(|s| {
                s.bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
            })
            .map(str::to_owned)
            .collect(),
    )
}

/// What to authorize: what the account asks for (its own scopes, else the app's)
/// and what the API asks for.
fn step_up_scopes(
    ctx: &Ctx,
    app: &crate::app::App,
    account: &str,
    wanted: &[String],
) -> Vec<String> {
    let mut scopes = crate::state::Index::load(&ctx.state_dir)
        .get(&app.id, account)
        .and_then(|r| r.settings.scope_override.clone())
        .unwrap_or_else(|| app.scopes.clone());
    for scope in wanted {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    scopes
}

fn step_up_needed(app: &crate::app::App, account: &str, scopes: &[String], tried: bool) -> Error {
    let flag = if account == tokens::DEFAULT_ACCOUNT {
        String::new()
    } else {
        format!(" --account {account}")
    };
    Error::Transfer {
        code: STEP_UP_NEEDED,
        message: format!(
            "error: the API wants more scopes than the token of `{}` has (insufficient_scope): authorize them with\n  outbound authorize {}{flag} --scope {}{}",
            app.name,
            app.name,
            // A server's words in a command a person may paste: quoted for the shell.
            super::token::shell_quote(&crate::text::printable(&scopes.join(" "))),
            if tried {
                " (--step-up needs a terminal, and a body that can be sent again)"
            } else {
                "\n  or run this again on a terminal with --step-up"
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scope a hostile server names (`'` is a valid scope character) cannot turn
    /// the printed fix into another command when pasted.
    #[test]
    fn the_step_up_command_quotes_the_servers_scopes() {
        let text = "[apps.a]\nid = \"1\"\nclient_id = \"c\"\nclient_auth = \"none\"\ngrant = \"client_credentials\"\ntoken_url = \"https://t.example/t\"\n";
        let config = crate::config::Config::parse(std::path::Path::new("f"), text)
            .unwrap_or_else(|e| panic!("{}", e.error));
        let app = config.app("a").unwrap();
        let scopes = ["read".to_owned(), "x';touch /tmp/pwned;'".to_owned()];
        let message = step_up_needed(app, "default", &scopes, false).to_string();
        assert!(
            message.contains(r"--scope 'read x'\'';touch /tmp/pwned;'\'''"),
            "{message}"
        );
    }

    fn url(u: &str) -> Url {
        Url::parse(u).unwrap()
    }

    #[test]
    fn only_requests_that_cannot_meet_tls_skip_the_trust_store() {
        let none = |_: &str| None;
        let plain = url("http://127.0.0.1:8080/x");
        assert!(!needs_tls(&plain, false, None, none));
        assert!(!needs_tls(
            &plain,
            false,
            Some(&url("http://127.0.0.1:3128")),
            none
        ));
        assert!(needs_tls(&url("https://127.0.0.1/x"), false, None, none));
        // A redirect may lead to https; an https proxy speaks TLS itself.
        assert!(needs_tls(&plain, true, None, none));
        assert!(needs_tls(
            &plain,
            false,
            Some(&url("https://proxy.example")),
            none
        ));
        let env = |v: &str| (v == "HTTP_PROXY").then(|| " HTTPS://proxy.example".to_owned());
        assert!(needs_tls(&plain, false, None, env));
        // The app's or --proxy's proxy wins over the environment's.
        assert!(!needs_tls(
            &plain,
            false,
            Some(&url("http://127.0.0.1:3128")),
            env
        ));
    }
}
