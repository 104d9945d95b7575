//! clap definitions only: what the user can type. Behaviour lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use serde::Serialize;

use crate::app::{ClientAuth, Grant};
use crate::choice::Choice;
use crate::store::Backend;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error
  2  usage error (bad flags, missing values, confirmation needed)
  3  invalid configuration file (file:line:column given; the file is left untouched)
  4  authorization required: run `outbound authorize APP`
  5  application disabled, or the account inactive
  6  host not allowed for this application's tokens, or credentials would cross a
     remote proxy in clear text
  7  the OAuth server refused the request, could not be reached, or answered
     something unusable
  8  timed out waiting for a person (the browser, or the device code's approval)
  10 the team store's database could not be reached (--store postgres)
  11 a secret of the team store does not decrypt: wrong or missing data key, or a
     row moved or altered
  12 the team store's roles do not allow the change (only administrators change apps)
  9  `outbound curl` only: the API wants more scopes (insufficient_scope); the message
     names the `outbound authorize … --scope …` to run
  `outbound curl` also exits with curl's own codes: 22 (HTTP error with -f), 23 (write
  error), 28 (timeout), 35 (TLS handshake failed), 47 (too many redirects), 56 (receive
  error), 60 (untrusted TLS certificate)
  `outbound exec` exits 126 (the command is not executable) or 127 (not found); once
  the command runs, with its own status";

/// Manage outbound OAuth 2.0 applications: define a client once, authorize it once in
/// the browser, keep its tokens in the OS keyring, and make authenticated requests.
#[derive(Debug, Parser)]
#[command(name = "outbound", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    /// The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]
    #[arg(long, global = true, env = "OUTBOUND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print every OAuth request and answer on stderr, secrets masked, JWTs decoded
    #[arg(long, global = true, env = "OUTBOUND_TRACE", value_parser = clap::builder::FalseyValueParser::new())]
    pub trace: bool,

    /// Where secrets are kept [default: `store` in the config file, else keyring]
    #[arg(long, global = true, env = "OUTBOUND_STORE", value_parser = choice::<Backend>())]
    pub store: Option<Backend>,

    /// The team store (`--store postgres`): a command that prints its data key
    /// [default: `store_key_command` in the config file]
    #[arg(
        long,
        global = true,
        env = "OUTBOUND_STORE_KEY_COMMAND",
        value_name = "CMD",
        hide_env_values = true
    )]
    pub store_key_command: Option<String>,

    /// Never prompt; fail with a clear message where input would be needed
    #[arg(long, global = true)]
    pub no_input: bool,

    /// No notices on stderr (progress, confirmations); data, warnings, errors and
    /// what you must act on (an authorization URL, a device code) still show
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process; boxing the settings would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Administer applications (add, list, show, edit, enable, disable, reset, delete)
    #[command(subcommand)]
    App(AppCommand),

    /// Authorize an application: browser and loopback, device grant, or client credentials
    #[command(visible_alias = "login")]
    Authorize(AuthorizeArgs),

    /// Every application and account of this user: state, expiry, scopes, last error
    Status {
        /// Only this application
        name: Option<String>,
        /// Print a JSON array (stable; see docs/json.md)
        #[arg(long)]
        json: bool,
        /// Exit 4 unless every application shown has a usable account (authorized, or
        /// expired with a refresh token), 5 if the one named is disabled
        #[arg(long)]
        check: bool,
    },

    /// Print a valid access token (refreshed when needed), for $(...) in scripts
    Token {
        name: String,
        /// The account [default: default]
        #[arg(long)]
        account: Option<String>,
        /// How to print the token [default: plain]
        #[arg(long, value_parser = choice::<crate::commands::token::Format>(), conflicts_with = "json")]
        format: Option<crate::commands::token::Format>,
        /// Print a JSON object with the token, its type, expiry and scopes (--format json)
        #[arg(long)]
        json: bool,
        /// Refresh now even if the token is fresh (also keeps idle refresh tokens alive)
        #[arg(long, visible_alias = "keep-alive")]
        force_refresh: bool,
        /// Print a DPoP proof for one request instead of the token (with --method, --url)
        #[arg(long, requires = "url", conflicts_with_all = ["json", "format"])]
        dpop_proof: bool,
        /// Print the account's OpenID Connect ID token instead of the access token
        #[arg(long, conflicts_with_all = ["json", "format", "dpop_proof"])]
        id_token: bool,
        /// Refresh first unless the token stays valid this long (e.g. 20m), for a long job
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        min_valid: Option<std::time::Duration>,
        /// A token for this one of the app's resources (RFC 8707), for this call
        #[arg(long, value_name = "URI", conflicts_with_all = ["id_token", "dpop_proof", "force_refresh"])]
        resource: Option<String>,
        /// A token with only these scopes, for this call (repeatable; the stored one is kept)
        #[arg(long = "scope", value_name = "SCOPE", conflicts_with_all = ["id_token", "dpop_proof", "force_refresh"])]
        scopes: Vec<String>,
        /// With --dpop-proof: the request's method
        #[arg(
            long,
            value_name = "METHOD",
            default_value = "GET",
            requires = "dpop_proof"
        )]
        method: String,
        /// With --dpop-proof: the request's URL
        #[arg(long, value_name = "URL", requires = "dpop_proof")]
        url: Option<String>,
    },

    /// Show the audit log (enable it with `audit = true` in the configuration file)
    Audit {
        /// Only this application
        name: Option<String>,
        /// Print JSON lines, one event each
        #[arg(long)]
        json: bool,
        /// Only the last N events
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },

    /// Check the configuration, the store, the browser, and each app's endpoints
    Doctor {
        /// Only this application
        name: Option<String>,
        /// The checks as JSON: {checks: [{check, status, detail, fix}], failures, warnings}
        #[arg(long)]
        json: bool,
    },

    /// Make an HTTP request with the app's token attached (curl's flags)
    Curl(Box<CurlArgs>),

    /// git's credential helper: answers `get` with a valid token for a host an app allows
    GitCredential {
        /// get, store or erase (git gives it)
        #[arg(value_name = "OPERATION")]
        operation: String,
        /// Answer only for this application [default: the first that allows the host]
        #[arg(long, value_name = "APP")]
        app: Option<String>,
        /// The account [default: OUTBOUND_ACCOUNT, the app's default_account, default]
        #[arg(long)]
        account: Option<String>,
    },

    /// Make `outbound git-credential` git's credential helper for a host (global git config)
    SetupGit {
        name: String,
        /// The git host, with its port when not 443 (repeatable)
        #[arg(long = "host", value_name = "HOST[:PORT]", required = true)]
        hosts: Vec<String>,
        /// The account the helper uses [default: as for every command]
        #[arg(long)]
        account: Option<String>,
    },

    /// A loopback proxy that forwards to the upstream with a valid token attached
    Proxy {
        name: String,
        /// The account [default: as for every command]
        #[arg(long)]
        account: Option<String>,
        /// Where requests go: an origin with an optional base path (e.g. https://api.example.com/v1) [default: the app's first resource, as `app add --from-url` records it, else its base URL]
        #[arg(long, value_name = "URL")]
        upstream: Option<String>,
        /// The loopback address to listen on [default: 127.0.0.1 and a free port]
        #[arg(long, value_name = "ADDR:PORT", conflicts_with = "socket")]
        listen: Option<String>,
        /// Listen on this Unix socket (0600) instead, without a capability prefix (not on Windows)
        #[arg(long, value_name = "PATH")]
        socket: Option<std::path::PathBuf>,
        /// Write the proxy's address (with its capability prefix) to this file (0600), not stdout
        #[arg(long, value_name = "FILE")]
        url_file: Option<std::path::PathBuf>,
        /// One line per request on stderr: method, path, status, time (never a token)
        #[arg(long, short)]
        verbose: bool,
        /// MCP's stdio transport: JSON-RPC on stdin/stdout, Streamable HTTP to the upstream (the MCP endpoint)
        #[arg(long, conflicts_with_all = ["listen", "socket", "url_file"])]
        stdio: bool,
    },

    /// Run a command with valid tokens in its environment (never on its command line)
    Exec {
        name: String,
        /// The account [default: default]
        #[arg(long)]
        account: Option<String>,
        /// VAR: the variable for NAME's token [default: OUTBOUND_TOKEN]; VAR=APP or
        /// VAR=APP:ACCOUNT: another app's token (repeatable)
        #[arg(long = "env", value_name = "VAR[=APP]")]
        env: Vec<String>,
        /// Refresh first unless every token stays valid this long (e.g. 1h)
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        min_valid: Option<std::time::Duration>,
        /// The command and its arguments, after `--`
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<std::ffi::OsString>,
    },

    /// Who an account is: the app's userinfo endpoint first, else its ID token
    ///
    /// With a userinfo endpoint (`--userinfo-url`, or found by discovery), whoami asks
    /// it with the account's access token (refreshed when needed); if that fails, it
    /// says so and prints what the ID token checked at authorization said. Without
    /// one, it prints what that ID token said (the app needs an issuer and `openid`
    /// among its scopes).
    Whoami {
        name: String,
        /// The account [default: default]
        #[arg(long)]
        account: Option<String>,
        /// Print a JSON object: issuer, subject, name, email
        #[arg(long)]
        json: bool,
    },

    /// One account's own settings: enable, disable, base URL
    #[command(subcommand)]
    Account(AccountCommand),

    /// The secret store: move every secret to another one; set up the team store
    #[command(subcommand)]
    Store(StoreCommand),

    /// This user's token agent: tokens in memory for every command (not on Windows)
    #[command(subcommand)]
    Agent(AgentCommand),

    /// Revoke an account's tokens at the server and remove them
    // NAME, --all or both: the usage says so (`<NAME|--all>`).
    #[command(group(clap::ArgGroup::new("which").args(["name", "all"]).required(true).multiple(true)))]
    Logout {
        /// The application (with --all and no name: every application)
        name: Option<String>,
        /// The account [default: default]
        #[arg(long, conflicts_with = "all")]
        account: Option<String>,
        /// Every account of the application (or of every application)
        #[arg(long)]
        all: bool,
        /// Remove the local tokens without revoking them at the server
        #[arg(long)]
        no_revoke: bool,
    },

    /// Remove this user's tokens of deleted applications (orphans) and of reset ones,
    /// revoking those whose application is still defined
    Prune {
        /// Remove the local tokens without revoking them at the server
        #[arg(long)]
        no_revoke: bool,
    },

    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },

    /// Regenerate (or with --check, verify) completions/ and man/
    #[command(hide = true)]
    GenerateDocs {
        /// Fail when a file differs instead of writing it
        #[arg(long)]
        check: bool,
        /// The project root that holds completions/ and man/
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Define a new application
    Add(AddArgs),
    /// List the provider catalog by category, search it, or show one entry
    #[command(args_conflicts_with_subcommands = true)]
    Presets {
        #[command(subcommand)]
        command: Option<PresetsCommand>,
        /// Show this entry (as `app presets show NAME`)
        #[arg(value_name = "NAME", conflicts_with_all = ["search", "category"])]
        name: Option<String>,
        /// Only entries whose name, description, category or API URL contain WORD
        #[arg(long, value_name = "WORD")]
        search: Option<String>,
        /// Only entries of this category
        #[arg(long, value_parser = choice::<crate::presets::Category>(), value_name = "CATEGORY")]
        category: Option<crate::presets::Category>,
        /// Print a JSON array of every entry with every field (stable; see docs/json.md)
        #[arg(long)]
        json: bool,
    },
    /// Print application definitions as TOML (no secrets: only where they live), to
    /// review in git or import elsewhere
    Export {
        /// Only this application [default: all]
        name: Option<String>,
    },
    /// Add or replace applications from a TOML file of `[apps.NAME]` tables (as
    /// `app export` writes); each keeps its id, so tokens stay bound to it
    Import {
        /// The file to read (`-` for standard input)
        file: PathBuf,
    },
    /// List the applications in the configuration file
    List {
        /// Print a JSON array (stable; see docs/json.md)
        #[arg(long)]
        json: bool,
    },
    /// Show one application's settings (the client secret only as where it lives)
    Show {
        name: String,
        /// Print a JSON object (stable; see docs/json.md)
        #[arg(long)]
        json: bool,
    },
    /// Change an application's settings: only what is given changes
    Edit(EditArgs),
    /// Allow the application's tokens to be used and new authorizations to start
    Enable { name: String },
    /// Refuse every use of the application's tokens (nothing is deleted)
    Disable { name: String },
    /// Invalidate every user's tokens for the application (bumps its generation)
    Reset {
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
        /// Remove this user's tokens without revoking them at the server
        #[arg(long)]
        no_revoke: bool,
    },
    /// Delete the application, its stored client secret, and this user's tokens
    Delete {
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
        /// Remove this user's tokens without revoking them at the server
        #[arg(long)]
        no_revoke: bool,
        /// Delete the configuration file's `NAME` (yours), also when the team store
        /// defines one of that name too
        #[arg(long)]
        personal: bool,
    },
    /// Give an application another name (its id, secrets and tokens stay with it)
    Rename {
        name: String,
        new_name: String,
        /// Rename the team store's `NAME` when the file defines one of that name
        /// too [default: the file's]
        #[arg(long)]
        team: bool,
    },
    /// Move an application between the configuration file (yours) and the team
    /// store (everyone's), with its secrets and this user's tokens
    Move {
        name: String,
        /// Where it goes
        #[arg(long, value_name = "WHERE", value_parser = ["team", "personal"])]
        to: String,
        /// Do not ask for confirmation (asked only when it leaves the team store:
        /// every other member loses it)
        #[arg(long, short)]
        yes: bool,
    },
    /// Manage the application's client secret
    #[command(subcommand)]
    Secret(SecretCommand),
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    pub name: String,
    /// The account to authorize [default: default]
    #[arg(long)]
    pub account: Option<String>,
    /// Scopes for this account instead of the app's (repeatable; remembered)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The `prompt` parameter for this account (remembered)
    #[arg(long, value_name = "VALUE")]
    pub prompt: Option<String>,
    /// Do not open a browser; only print the URL
    #[arg(long)]
    pub no_browser: bool,
    /// Paste the redirected URL (or the code) back instead of running a listener
    #[arg(long, conflicts_with_all = ["device", "no_browser"])]
    pub manual: bool,
    /// Import a refresh token obtained elsewhere (read from standard input), checked by one refresh
    #[arg(long, conflicts_with_all = ["manual", "device", "no_browser", "prompt"])]
    pub refresh_token_stdin: bool,
    /// Team store: authorize the account shared with the whole group role (a service
    /// account for a fleet), not your own; members of the admin role only
    #[arg(long)]
    pub shared: bool,
    /// Use the device authorization grant (RFC 8628)
    #[arg(long)]
    pub device: bool,
    /// Do not ask before starting (the approval prompt is still shown)
    #[arg(long, short)]
    pub yes: bool,
    /// How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub timeout: Option<std::time::Duration>,
    /// This account's base URL for `outbound curl` (remembered; before the app's)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// `outbound account …`: one account's own settings.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Let the account's tokens be used again
    Enable(AccountArgs),
    /// Refuse every use of the account's tokens (they are kept; exit 5 until enabled)
    Disable(AccountArgs),
    /// Change the account's own settings
    Edit {
        #[command(flatten)]
        which: AccountArgs,
        /// Where `outbound curl` resolves a relative URL for this account
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Remove a setting of the account
        #[arg(long, value_name = "FIELD", value_parser = ["base_url"], conflicts_with = "base_url")]
        unset: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Start the agent in the background (returns once it answers)
    Start,
    /// Stop the agent; the tokens it held are cleared from memory
    Stop,
    /// Whether the agent runs (exit 0) or not (exit 1)
    Status {
        /// A JSON object: running, pid, socket, tokens, started_at
        #[arg(long)]
        json: bool,
    },
    /// Run the agent in the foreground (for a service manager)
    Run,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Move this file's client secrets and this user's tokens to another store
    Migrate {
        /// The store to move to
        #[arg(long, value_parser = choice::<Backend>())]
        to: Backend,
        /// The store to move from [default: the one in use]
        #[arg(long, value_parser = choice::<Backend>())]
        from: Option<Backend>,
    },
    /// Create or upgrade the team store's tables, roles and row-level security in
    /// the PostgreSQL database (run once, by its owner; safe to run again)
    Init {
        /// The role whose members use the store (created NOLOGIN if missing)
        #[arg(long, default_value = "outbound_team", value_name = "ROLE")]
        group: String,
        /// The role whose members may add, edit, enable, disable, reset and delete
        /// applications (made a member of --group)
        #[arg(long, default_value = "outbound_admins", value_name = "ROLE")]
        admin_group: String,
    },
    /// Keep the team store's data key in this machine's keyring (read from standard
    /// input: base64 of 32 bytes, as `openssl rand -base64 32` prints)
    SetKey,
    /// Keep the team store's database password in this machine's keyring (read from
    /// standard input), for the database OUTBOUND_DATABASE_URL / database_url names
    SetPassword,
    /// Re-seal the team store's secrets you may change with the new data key: give the
    /// new key first and the old one on the next line (OUTBOUND_STORE_KEY_FILE, …)
    RotateKey,
}

#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The application
    pub name: String,
    /// The account [default: default]
    #[arg(long)]
    pub account: Option<String>,
}

/// `outbound curl`: flags spelled as curl spells them.
#[derive(Debug, Args)]
#[command(
    after_help = "The token is attached only to URLs whose host is in the app's allowed hosts, only over \
https (http only to loopback), and never to another origin after a redirect."
)]
pub struct CurlArgs {
    /// The application whose token to attach
    pub name: String,
    /// The URLs to request, one after the other; a relative one (`/user`) joins the base URL
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// The account [default: default]
    #[arg(long)]
    pub account: Option<String>,
    /// When the API wants more scopes (insufficient_scope), authorize them here and retry once
    #[arg(long)]
    pub step_up: bool,
    /// HTTP method
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// Extra header "Name: value" (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// POST data; @FILE reads a file (newlines stripped), @- standard input
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    pub data: Vec<String>,
    /// POST data, with no @ interpretation
    #[arg(long = "data-raw", value_name = "DATA")]
    pub data_raw: Vec<String>,
    /// POST data as is; @FILE is streamed
    #[arg(long = "data-binary", value_name = "DATA")]
    pub data_binary: Vec<String>,
    /// POST data, URL-encoded (content, =content, name=content, @file, name@file)
    #[arg(long = "data-urlencode", value_name = "DATA")]
    pub data_urlencode: Vec<String>,
    /// JSON body (sets Content-Type and Accept to application/json)
    #[arg(long = "json", value_name = "DATA")]
    pub json: Vec<String>,
    /// Multipart form field name=value or name=@file (repeatable)
    #[arg(short = 'F', long = "form", value_name = "NAME=CONTENT")]
    pub form: Vec<String>,
    /// Send the data as query parameters of a GET
    #[arg(short = 'G', long = "get")]
    pub get: bool,
    /// Upload this file (PUT), streamed
    #[arg(short = 'T', long = "upload-file", value_name = "FILE")]
    pub upload_file: Option<PathBuf>,
    /// Write the body to this file instead of standard output
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "remote_name"
    )]
    pub output: Option<PathBuf>,
    /// Write the body to a file named like the URL's last path segment, in this directory
    #[arg(short = 'O', long = "remote-name")]
    pub remote_name: bool,
    /// Write the response headers to this file (`-` for standard output)
    #[arg(short = 'D', long = "dump-header", value_name = "FILE")]
    pub dump_header: Option<PathBuf>,
    /// The User-Agent header to send
    #[arg(short = 'A', long = "user-agent", value_name = "NAME")]
    pub user_agent: Option<String>,
    /// Trust the CA certificates (PEM) in this file for this call, beside the app's
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Retry this many times on a timeout or an HTTP 408, 429, 500, 502, 503 or 504
    #[arg(long = "retry", value_name = "NUM", default_value_t = 0)]
    pub retry: u32,
    /// Seconds between retries [default: Retry-After, else 1, 2, 4, … up to 10 minutes]
    #[arg(long = "retry-delay", value_name = "SECS")]
    pub retry_delay: Option<u64>,
    /// Include the response headers in the output
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    /// HEAD request; print the response headers
    #[arg(short = 'I', long = "head")]
    pub head: bool,
    /// No error messages about the transfer
    #[arg(short = 's', long = "silent")]
    pub silent: bool,
    /// With -s, still show errors
    #[arg(short = 'S', long = "show-error")]
    pub show_error: bool,
    /// Show request and response headers on stderr (the token masked)
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
    /// Exit 22 on HTTP >= 400, without printing the body
    #[arg(short = 'f', long = "fail")]
    pub fail: bool,
    /// Exit 22 on HTTP >= 400, printing the body
    #[arg(long = "fail-with-body")]
    pub fail_with_body: bool,
    /// Follow redirects (the token never goes to another origin)
    #[arg(short = 'L', long = "location")]
    pub location: bool,
    /// Most redirects to follow with -L
    #[arg(long = "max-redirs", value_name = "NUM", default_value_t = 50)]
    pub max_redirs: u32,
    /// Most seconds the whole transfer may take
    #[arg(short = 'm', long = "max-time", value_name = "SECS")]
    pub max_time: Option<f64>,
    /// Most seconds the connection may take
    #[arg(long = "connect-timeout", value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)
    #[arg(short = 'w', long = "write-out", value_name = "FORMAT")]
    pub write_out: Option<String>,
    /// Ask for a compressed response and decompress it
    #[arg(long = "compressed")]
    pub compressed: bool,
    /// Use this proxy for this request (instead of the app's)
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PresetsCommand {
    /// What a preset fills in, its parameters, and what to register at the provider
    Show {
        name: String,
        /// Print a JSON object
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a new client secret (read from standard input, or a hidden prompt)
    Set { name: String },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The application's name (letters, digits, `-`, `_`, `.`); on a terminal, `outbound app add` alone asks for it and the rest
    pub name: Option<String>,
    /// Fill endpoints and provider specifics from a preset (see `outbound app presets`)
    #[arg(long, value_name = "PRESET")]
    pub preset: Option<String>,
    /// A preset parameter, e.g. domain=acme.okta.com (repeatable)
    #[arg(long = "preset-param", value_name = "K=V", value_parser = parse_key_value, requires = "preset")]
    pub preset_params: Vec<(String, String)>,
    /// Import a Google service-account JSON key: a jwt_bearer app in one step
    #[arg(long, value_name = "FILE", conflicts_with_all = ["private_key", "private_key_env", "private_key_command"])]
    pub service_account_file: Option<PathBuf>,
    /// Start from the API's URL: its metadata (RFC 9728) names the authorization server, and a client is registered when none is given
    #[arg(long, value_name = "URL", conflicts_with_all = ["preset", "service_account_file"])]
    pub from_url: Option<String>,
    /// With --from-url: your client's metadata document, as its client id (where the server takes one)
    #[arg(
        long,
        value_name = "URL",
        requires = "from_url",
        conflicts_with = "client_id"
    )]
    pub client_id_url: Option<String>,
    /// With --from-url: trust the client-management URL (RFC 7592) the server returns even when it is on another origin than its registration endpoint (it is sent the registration access token)
    #[arg(long, requires = "from_url")]
    pub registration_uri_any_origin: bool,
    /// Print what was discovered and would be written; register nothing, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Define it in the team store the configuration names (for everyone), not in
    /// the file [default: the file, unless the chosen store is postgres]
    #[arg(long, conflicts_with = "personal", help_heading = PLACE)]
    pub team: bool,
    /// Define it in the configuration file (yours), even when the chosen store is
    /// postgres
    #[arg(long, help_heading = PLACE)]
    pub personal: bool,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub name: String,
    #[command(flatten)]
    pub settings: Settings,
    #[command(flatten)]
    pub entries: EntryEdits,
    /// Remove a setting (e.g. `prompt`, `expires_in`, `auth_params`, `auth_params.KEY`)
    #[arg(long, value_name = "FIELD")]
    pub unset: Vec<String>,
}

/// `app edit`'s changes to one entry of a list or table, leaving the others as they
/// are (`--scope` and `--allowed-host` replace the whole list; `--auth-param`,
/// `--token-header` and `--token-param` already add or replace one key).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Changing one entry of a list")]
pub struct EntryEdits {
    /// Add a scope, keeping the others (repeatable)
    #[arg(long = "add-scope", value_name = "SCOPE", conflicts_with = "scopes")]
    pub add_scopes: Vec<String>,
    /// Remove a scope, keeping the others (repeatable)
    #[arg(long = "remove-scope", value_name = "SCOPE", conflicts_with = "scopes")]
    pub remove_scopes: Vec<String>,
    /// Add an allowed host, keeping the others (repeatable)
    #[arg(
        long = "add-allowed-host",
        value_name = "HOST",
        conflicts_with = "allowed_hosts"
    )]
    pub add_allowed_hosts: Vec<String>,
    /// Remove an allowed host, keeping the others (repeatable)
    #[arg(
        long = "remove-allowed-host",
        value_name = "HOST",
        conflicts_with = "allowed_hosts"
    )]
    pub remove_allowed_hosts: Vec<String>,
    /// Remove one authorization parameter (repeatable)
    #[arg(long = "remove-auth-param", value_name = "KEY")]
    pub remove_auth_params: Vec<String>,
    /// Remove one token-request header (repeatable)
    #[arg(long = "remove-token-header", value_name = "KEY")]
    pub remove_token_headers: Vec<String>,
    /// Remove one token-request parameter (repeatable)
    #[arg(long = "remove-token-param", value_name = "KEY")]
    pub remove_token_params: Vec<String>,
}

impl EntryEdits {
    /// Each list's additions and removals, by the field's configuration name.
    pub fn lists(&self) -> [(&'static str, &[String], &[String]); 2] {
        [
            ("scopes", &self.add_scopes, &self.remove_scopes),
            (
                "allowed_hosts",
                &self.add_allowed_hosts,
                &self.remove_allowed_hosts,
            ),
        ]
    }

    /// The table keys to remove, as `--unset` names them (`auth_params.KEY`).
    pub fn removed_keys(&self) -> impl Iterator<Item = String> + '_ {
        let tables = [
            ("auth_params", &self.remove_auth_params),
            ("token_headers", &self.remove_token_headers),
            ("token_params", &self.remove_token_params),
        ];
        tables
            .into_iter()
            .flat_map(|(table, keys)| keys.iter().map(move |k| format!("{table}.{k}")))
    }

    pub fn is_empty(&self) -> bool {
        self.lists()
            .iter()
            .all(|(_, add, remove)| add.is_empty() && remove.is_empty())
            && self.removed_keys().next().is_none()
    }
}

// The headings `app add --help` and `app edit --help` group the settings under.
const ENDPOINTS: &str = "Endpoints";
const CLIENT: &str = "Client";
const AUTH: &str = "Client authentication (secret, key, certificate)";
const GRANTS: &str = "Assertion and token-exchange grants";
const AUTHZ: &str = "Authorization requests";
const TOKENS: &str = "Tokens";
const SENDER: &str = "Sender-constrained tokens";
const HOSTS: &str = "Where tokens go (hosts, injection, egress)";
const HANDSHAKE: &str = "Non-standard token handshakes";
const PLACE: &str = "Personal or team";

/// Every application setting, each optional: `add` fills defaults, `edit` changes
/// only what is given. A field serializes under its configuration-file name (dotted
/// for nested tables), which is all a new setting needs beyond its flag here: the
/// patch, presets, `--unset`, `app show` and validation follow from the name.
#[derive(Debug, Default, PartialEq, Args, Serialize)]
pub struct Settings {
    /// Fill the endpoints from this issuer's metadata (RFC 8414 / OpenID discovery)
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub issuer: Option<String>,
    /// Free text for administrators
    #[arg(long, help_heading = CLIENT)]
    pub description: Option<String>,
    /// Text shown before the browser opens for authorization
    #[arg(long, value_name = "TEXT", help_heading = CLIENT)]
    pub approval_prompt: Option<String>,
    /// OAuth 2.0 grant [default: authorization_code]
    #[arg(long, value_parser = choice::<Grant>(), help_heading = CLIENT)]
    pub grant: Option<Grant>,
    /// Authorization endpoint (its query parameters are kept)
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub auth_url: Option<String>,
    /// Token endpoint
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub token_url: Option<String>,
    /// Revocation endpoint (RFC 7009)
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub revocation_url: Option<String>,
    /// Device authorization endpoint (RFC 8628)
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub device_url: Option<String>,
    /// Pushed authorization request endpoint (RFC 9126)
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub par_url: Option<String>,
    /// Userinfo endpoint (OpenID Connect), or an API that says who the user is, for `whoami`
    #[arg(long, value_name = "URL", help_heading = ENDPOINTS)]
    pub userinfo_url: Option<String>,
    /// Push authorization requests first (RFC 9126) [default: auto: when the server requires it]
    #[arg(long, value_parser = choice::<crate::app::Par>(), help_heading = ENDPOINTS)]
    pub par: Option<crate::app::Par>,
    /// Client identifier issued by the provider
    #[arg(long, value_name = "ID", help_heading = CLIENT)]
    pub client_id: Option<String>,
    /// The name the client id goes by in requests, for providers that call it otherwise (TikTok: client_key) [default: client_id]
    #[arg(long, value_name = "NAME", help_heading = CLIENT)]
    pub client_id_param: Option<String>,
    /// Read the client secret from standard input (never from a flag)
    #[arg(long, group = "secret_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_secret_stdin: bool,
    /// Read the client secret from this environment variable whenever it is needed
    #[arg(long, value_name = "VAR", group = "secret_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_secret_env: Option<String>,
    /// Run this shell command whenever the client secret is needed (its stdout)
    #[arg(long, value_name = "CMD", group = "secret_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_secret_command: Option<String>,
    /// Client authentication at the token endpoint [default: basic]
    #[arg(long, value_parser = choice::<ClientAuth>(), help_heading = AUTH)]
    pub client_auth: Option<ClientAuth>,
    /// private_key_jwt: read this PEM private key once and keep it in the store
    #[arg(long, value_name = "FILE", group = "private_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub private_key: Option<PathBuf>,
    /// private_key_jwt: the PEM private key is in this environment variable
    #[arg(long, value_name = "VAR", group = "private_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub private_key_env: Option<String>,
    /// private_key_jwt: this shell command prints the PEM private key
    #[arg(long, value_name = "CMD", group = "private_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub private_key_command: Option<String>,
    /// The client's TLS certificate (PEM, chain included): read once, kept in the store
    #[arg(long, value_name = "FILE", group = "client_cert_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_cert: Option<PathBuf>,
    /// The client's TLS certificate is in this environment variable (PEM)
    #[arg(long, value_name = "VAR", group = "client_cert_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_cert_env: Option<String>,
    /// This shell command prints the client's TLS certificate (PEM)
    #[arg(long, value_name = "CMD", group = "client_cert_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_cert_command: Option<String>,
    /// The TLS certificate's private key (PEM): read once, kept in the store
    #[arg(long, value_name = "FILE", group = "client_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_key: Option<PathBuf>,
    /// The TLS certificate's private key is in this environment variable (PEM)
    #[arg(long, value_name = "VAR", group = "client_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_key_env: Option<String>,
    /// This shell command prints the TLS certificate's private key (PEM)
    #[arg(long, value_name = "CMD", group = "client_key_source", help_heading = AUTH)]
    #[serde(skip)]
    pub client_key_command: Option<String>,
    /// The `kid` of the client assertion's key
    #[arg(long, value_name = "KID", help_heading = AUTH)]
    pub key_id: Option<String>,
    /// The client assertion's algorithm [default: the key's: RS256, ES256, EdDSA; HS256]
    #[arg(long, value_parser = choice::<crate::app::SigningAlg>(), value_name = "ALG", help_heading = AUTH)]
    pub signing_alg: Option<crate::app::SigningAlg>,
    /// The client assertion's `aud`: issuer (default), token-endpoint, or a URL
    #[arg(long, value_name = "AUD", help_heading = AUTH)]
    pub assertion_audience: Option<String>,
    /// jwt_bearer: the assertion's issuer (`iss`) [default: the client id]
    #[arg(long, value_name = "ISS", help_heading = GRANTS)]
    pub assertion_issuer: Option<String>,
    /// jwt_bearer: the subject tokens are for (`sub`)
    #[arg(long, value_name = "SUB", help_heading = GRANTS)]
    pub assertion_subject: Option<String>,
    /// jwt_bearer: put the scopes in the assertion's `scope` claim (as Google wants)
    #[arg(long, help_heading = GRANTS)]
    #[serde(skip)]
    pub scope_in_assertion: bool,
    /// token_exchange: read the subject token from this environment variable
    #[arg(long, value_name = "VAR", group = "subject_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub subject_token_env: Option<String>,
    /// token_exchange: read the subject token from this file (e.g. a CI job's OIDC token)
    #[arg(long, value_name = "FILE", group = "subject_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub subject_token_file: Option<PathBuf>,
    /// token_exchange: run this command for the subject token (its stdout)
    #[arg(long, value_name = "CMD", group = "subject_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub subject_token_command: Option<String>,
    /// token_exchange: the subject token's type [default: urn:ietf:params:oauth:token-type:jwt]
    #[arg(long, value_name = "URN", help_heading = GRANTS)]
    pub subject_token_type: Option<String>,
    /// token_exchange: read an actor token from this environment variable
    #[arg(long, value_name = "VAR", group = "actor_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub actor_token_env: Option<String>,
    /// token_exchange: read an actor token from this file
    #[arg(long, value_name = "FILE", group = "actor_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub actor_token_file: Option<PathBuf>,
    /// token_exchange: run this command for an actor token
    #[arg(long, value_name = "CMD", group = "actor_token_source", help_heading = GRANTS)]
    #[serde(skip)]
    pub actor_token_command: Option<String>,
    /// token_exchange: the actor token's type [default: urn:ietf:params:oauth:token-type:jwt]
    #[arg(long, value_name = "URN", help_heading = GRANTS)]
    pub actor_token_type: Option<String>,
    /// token_exchange: the `audience` to ask for
    #[arg(long, value_name = "AUD", help_heading = GRANTS)]
    pub audience: Option<String>,
    /// token_exchange: the `requested_token_type`
    #[arg(long, value_name = "URN", help_heading = GRANTS)]
    pub requested_token_type: Option<String>,
    /// A scope to request (repeatable; none = send no scope); in `edit`, replaces the list
    #[arg(long = "scope", value_name = "SCOPE", help_heading = AUTHZ)]
    #[serde(serialize_with = "scope_list")]
    pub scopes: Vec<String>,
    /// How scopes are joined in requests [default: " "]
    #[arg(long, value_name = "STR", help_heading = AUTHZ)]
    pub scope_delimiter: Option<String>,
    /// Turn PKCE (S256) off for servers that reject it
    #[arg(long, conflicts_with = "pkce", help_heading = AUTHZ)]
    #[serde(skip)]
    pub no_pkce: bool,
    /// Turn PKCE (S256) back on (the default)
    #[arg(long, help_heading = AUTHZ)]
    #[serde(skip)]
    pub pkce: bool,
    /// Sender-constrained tokens (DPoP, RFC 9449): a key per account, a proof per request
    #[arg(long, conflicts_with = "no_dpop", help_heading = SENDER)]
    #[serde(skip)]
    pub dpop: bool,
    /// Turn DPoP off
    #[arg(long, help_heading = SENDER)]
    #[serde(skip)]
    pub no_dpop: bool,
    /// Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)
    #[arg(long, value_name = "DURATION", help_heading = TOKENS)]
    pub expires_in: Option<String>,
    /// Refresh this long before expiry [default: 60s]
    #[arg(long, value_name = "DURATION", help_heading = TOKENS)]
    pub refresh_skew: Option<String>,
    /// Loopback redirect URI (no port or port 0 = any free port, or --redirect-port's) [default: http://127.0.0.1/callback]
    #[arg(long, value_name = "URI", help_heading = AUTHZ)]
    pub redirect_uri: Option<String>,
    /// Redirect ports to listen on, in order (e.g. 8085,8086): after the redirect URI's own, when it has one
    #[arg(long, value_name = "PORT,…", value_delimiter = ',', help_heading = AUTHZ)]
    #[serde(rename = "redirect_ports")]
    pub redirect_port: Option<Vec<u16>>,
    /// The account used when --account and OUTBOUND_ACCOUNT name none [default: default]
    #[arg(long, value_name = "NAME", help_heading = CLIENT)]
    pub default_account: Option<String>,
    /// The username `git-credential` gives git with the token [default: x-access-token]
    #[arg(long, value_name = "NAME", help_heading = HOSTS)]
    pub git_username: Option<String>,
    /// The OpenID Connect `prompt` parameter (e.g. consent, select_account)
    #[arg(long, value_name = "VALUE", help_heading = AUTHZ)]
    pub prompt: Option<String>,
    /// Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)
    #[arg(long = "auth-param", visible_alias = "add-auth-param", value_name = "K=V", value_parser = parse_key_value, help_heading = AUTHZ)]
    #[serde(serialize_with = "key_values")]
    pub auth_params: Vec<(String, String)>,
    /// Extra token-request header; in `edit`, adds or replaces that key (repeatable)
    #[arg(long = "token-header", visible_alias = "add-token-header", value_name = "K=V", value_parser = parse_key_value, help_heading = TOKENS)]
    #[serde(serialize_with = "key_values")]
    pub token_headers: Vec<(String, String)>,
    /// Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)
    #[arg(long = "token-param", visible_alias = "add-token-param", value_name = "K=V", value_parser = parse_key_value, help_heading = TOKENS)]
    #[serde(serialize_with = "key_values")]
    pub token_params: Vec<(String, String)>,
    /// A host this app's tokens may be sent to (repeatable): `host` (its default port), `host:port`, `host:*` (any port), `*.example.com`; in `edit`, replaces the list
    #[arg(long = "allowed-host", value_name = "HOST", help_heading = HOSTS)]
    pub allowed_hosts: Vec<String>,
    /// Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com
    #[arg(long, value_name = "URL", help_heading = HOSTS)]
    pub base_url: Option<String>,
    /// A resource its tokens are for (RFC 8707; repeatable); in `edit`, replaces the list
    #[arg(long = "resource", value_name = "URI", help_heading = AUTHZ)]
    pub resources: Vec<String>,
    /// Proxy for every request of this app (http, https, socks5)
    #[arg(long, value_name = "URL", help_heading = HOSTS)]
    pub proxy: Option<String>,
    /// Extra CA certificates (PEM) to trust for this app
    #[arg(long, value_name = "PATH", help_heading = HOSTS)]
    #[serde(serialize_with = "readable_file")]
    pub ca_file: Option<PathBuf>,
    /// Token-request body for non-standard servers [default: form]
    #[arg(long, value_parser = choice::<crate::app::BodyFormat>(), value_name = "FORMAT", help_heading = HANDSHAKE)]
    #[serde(rename = "token_request.body")]
    pub token_body: Option<crate::app::BodyFormat>,
    /// A separate URL for refresh requests (non-standard servers)
    #[arg(long, value_name = "URL", help_heading = HANDSHAKE)]
    #[serde(rename = "token_request.refresh_url")]
    pub refresh_url: Option<String>,
    /// Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)
    #[arg(long = "token-field", value_name = "FIELD=PATH", value_parser = parse_key_value, help_heading = HANDSHAKE)]
    #[serde(rename = "token_request.response", serialize_with = "key_values")]
    pub token_fields: Vec<(String, String)>,
    /// Header that carries the token in `outbound curl` [default: Authorization]
    #[arg(long, value_name = "NAME", help_heading = HOSTS)]
    pub token_header_name: Option<String>,
    /// Format of that header's value [default: "Bearer {token}"]
    #[arg(long, value_name = "FORMAT", help_heading = HOSTS)]
    pub token_format: Option<String>,
}

impl Settings {
    /// The settings given, as a patch of the app's table. The client-secret flags are
    /// not in it: a secret never goes in the file, only where it lives.
    pub fn patch(&self) -> Result<crate::app::Patch, String> {
        let mut patch = crate::app::Patch::from_serialize(self)?;
        if self.no_pkce {
            patch.set("pkce", false);
        } else if self.pkce {
            patch.set("pkce", true);
        }
        if self.scope_in_assertion {
            patch.set("scope_in_assertion", true);
        }
        for (field, env, file, command) in [
            (
                "subject_token",
                &self.subject_token_env,
                &self.subject_token_file,
                &self.subject_token_command,
            ),
            (
                "actor_token",
                &self.actor_token_env,
                &self.actor_token_file,
                &self.actor_token_command,
            ),
        ] {
            let source = match (env, file, command) {
                (Some(var), _, _) => Some(format!("env:{var}")),
                (_, Some(path), _) => {
                    let path = std::path::absolute(path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    Some(format!("file:{}", path.display()))
                }
                (_, _, Some(cmd)) => Some(format!("command:{cmd}")),
                _ => None,
            };
            if let Some(source) = source {
                patch.set(field, source);
            }
        }
        if self.dpop {
            patch.set("dpop", true);
        } else if self.no_dpop {
            patch.set("dpop", false);
        }
        Ok(patch)
    }
}

/// `--scope`s as the file's list: a scope never contains a space (RFC 6749 3.3), so
/// "a b" is two.
fn scope_list<S: serde::Serializer>(scopes: &[String], s: S) -> Result<S::Ok, S::Error> {
    if scopes.iter().any(|scope| scope.trim().is_empty()) {
        return Err(serde::ser::Error::custom(
            "--scope: a scope cannot be empty (to request no scope, leave --scope out or use --unset scopes)",
        ));
    }
    s.collect_seq(scopes.iter().flat_map(|scope| scope.split_whitespace()))
}

/// Repeated `K=V` flags as the file's table (a later key wins).
fn key_values<S: serde::Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(
        pairs
            .iter()
            .map(|(k, v)| (k, v))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

/// A file path as the file keeps it: absolute, and readable now.
fn readable_file<S: serde::Serializer>(path: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    let Some(path) = path else {
        return s.serialize_none();
    };
    let absolute = std::path::absolute(path)
        .map_err(|e| serde::ser::Error::custom(format!("--ca-file {}: {e}", path.display())))?;
    if !absolute.is_file() {
        return Err(serde::ser::Error::custom(format!(
            "--ca-file: {} is not a readable file",
            absolute.display()
        )));
    }
    s.serialize_str(&absolute.to_string_lossy())
}

/// A duration as the configuration writes them (`90`, `5m`, `1h 30m`).
fn duration(s: &str) -> Result<std::time::Duration, String> {
    crate::app::parse_duration(s)
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

/// A parser (and the completions' list) for a closed set of domain values, from
/// their own names and help: the domain types know nothing of clap.
fn choice<T: Choice + Clone>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        T::ALL
            .iter()
            .map(|v| PossibleValue::new(v.name()).help(v.help())),
    )
    .try_map(|name: String| {
        T::ALL
            .iter()
            .copied()
            .find(|v| v.name() == name)
            .ok_or_else(|| format!("`{name}` is not one of the choices"))
    })
}

/// What to say about a curl flag that `outbound curl` does not take (clap's own
/// advice, "use `-- -k`", does not work either): why, and what to use instead.
/// The long flag of `outbound curl` closest to a mistyped one (`--fial`: `--fail`).
fn closest_curl_flag(name: &str) -> Option<String> {
    let typed = name.strip_prefix("--")?;
    let command = <Cli as clap::CommandFactory>::command();
    let curl = command.find_subcommand("curl")?;
    curl.get_arguments()
        .filter_map(|a| a.get_long())
        .map(|long| (strsim::jaro_winkler(typed, long), long))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, long)| format!("--{long}"))
}

pub fn curl_flag_advice(flag: &str) -> String {
    let name = flag.split('=').next().unwrap_or(flag);
    let why = match name {
        "-k" | "--insecure" => {
            "outbound never turns TLS verification off; trust the server's CA for this call with --cacert FILE, or for the app with `outbound app edit APP --ca-file FILE`".to_owned()
        }
        "-u" | "--user" | "--oauth2-bearer" | "-b" | "--cookie" | "-E" | "--cert" => {
            "outbound attaches the app's token itself and sends no other credentials".to_owned()
        }
        "-K" | "--config" | "-n" | "--netrc" => {
            "outbound reads no curl configuration or netrc: credentials come from the app".to_owned()
        }
        _ => match closest_curl_flag(name) {
            Some(close) => format!("did you mean `{close}`? (see `outbound curl --help`)"),
            None => "it is not one of the curl flags outbound takes (see `outbound curl --help`)".to_owned(),
        },
    };
    format!(
        "outbound curl does not take curl's `{name}`: {why}.\n  For anything else, run curl itself with the header on its standard input, so the token stays off its command line:\n  outbound token APP --format header | curl -H @- URL"
    )
}
