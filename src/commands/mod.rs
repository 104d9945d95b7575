//! One module per subcommand, each a plain function over the pieces below it. This
//! is the only layer that reads the terminal or prints.

pub mod account;
pub mod agent;
pub mod app;
pub mod audit;
pub mod authorize;
pub mod curl;
pub mod doctor;
pub mod exec;
pub mod generate;
pub mod git;
pub mod logout;
pub mod output;
#[cfg(unix)]
pub mod proxy;
pub mod secret_store;
pub mod status;
pub mod token;

use crate::commands::output::{data, notice, say, say_raw, warning};
use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;

use crate::cli::Cli;
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{self, Backend, SecretStore};

/// What every command needs: where things are, and whether a person is there.
#[derive(Clone)]
pub struct Ctx {
    pub config_path: PathBuf,
    pub state_dir: PathBuf,
    store_flag: Option<Backend>,
    /// The configuration's path was given (--config, OUTBOUND_CONFIG), not the default.
    config_named: bool,
    /// A person can answer prompts: stdin and stderr are terminals, no --no-input.
    pub interactive: bool,
    /// `--store-key-command` / `OUTBOUND_STORE_KEY_COMMAND`.
    store_key_command: Option<String>,
    /// The team store, once opened: one connection for everything a command does.
    postgres: std::sync::Arc<std::sync::OnceLock<store::postgres::PgStore>>,
}

impl Ctx {
    pub fn new(cli: &Cli) -> Result<Ctx> {
        let config_path = match &cli.config {
            Some(path) => path.clone(),
            None => config::default_config_path()?,
        };
        // Absolute, because the state index remembers which file an app came from.
        let config_path = std::path::absolute(&config_path).unwrap_or(config_path);
        let state_dir = match std::env::var_os("OUTBOUND_STATE_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => config::default_state_dir()?,
        };
        let interactive =
            !cli.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        Ok(Ctx {
            config_named: cli.config.is_some(),
            config_path,
            state_dir,
            store_flag: cli.store,
            interactive,
            store_key_command: cli.store_key_command.clone(),
            postgres: Default::default(),
        })
    }

    /// What the agent acts as for one request: the client's configuration file and
    /// store, no person to ask.
    /// `postgres` is the agent's one team-store connection, shared by all its clients.
    pub fn for_agent(
        config_path: PathBuf,
        state_dir: PathBuf,
        store: Option<Backend>,
        postgres: std::sync::Arc<std::sync::OnceLock<store::postgres::PgStore>>,
    ) -> Ctx {
        Ctx {
            config_named: true,
            config_path,
            state_dir,
            store_flag: store,
            interactive: false,
            store_key_command: None,
            postgres,
        }
    }

    /// The store named by `--store` / `OUTBOUND_STORE`, if any.
    pub fn store_flag(&self) -> Option<Backend> {
        self.store_flag
    }

    /// The configuration. A file named with --config or OUTBOUND_CONFIG must exist (a
    /// mistyped path is not an empty configuration); the default one may not yet.
    pub fn load(&self) -> Result<Config> {
        if self.config_named && !self.config_path.exists() {
            return Err(Error::MissingConfig(self.config_path.clone()));
        }
        self.load_or_empty()
    }

    /// [`Ctx::load`] for `app add`, which creates the file it names. With the team
    /// store, the applications are the database's; the file gives only its settings.
    pub fn load_or_empty(&self) -> Result<Config> {
        let local = Config::load(&self.config_path)?;
        if self.backend(&local) != Backend::Postgres {
            return Ok(local);
        }
        if let Some(app) = local.apps.first() {
            return Err(Error::Usage(format!(
                "{} defines applications (`{}` …) but the store is postgres, where the applications are the database's\n  fix: move them there with `outbound app import {}` run with --store keyring (or file), then delete them from the file",
                self.config_path.display(),
                app.name,
                self.config_path.display()
            )));
        }
        let pg = self.postgres(&local);
        let docs = pg.documents();
        // The agent, when one runs, has them: no connection of our own then.
        #[cfg(unix)]
        if let Some(text) = crate::agent::client::definitions(self, pg.label())
            && let Ok(config) = Config::load(&self.config_path)?
                .with_apps_from(crate::config::AppDocuments::label(&docs), &text)
        {
            return Ok(config);
        }
        let text = crate::config::AppDocuments::read(&docs)?;
        local
            .with_apps_from(crate::config::AppDocuments::label(&docs), &text)
            // Said of the row at fault, not of a line in the joined text.
            .map_err(|e| docs.diagnose().map_or(e, Error::from))
    }

    /// The team store of `config` (opened once per command; connecting waits for
    /// first use).
    pub fn postgres(&self, config: &Config) -> store::postgres::PgStore {
        self.postgres
            .get_or_init(|| {
                let url = std::env::var("OUTBOUND_DATABASE_URL")
                    .ok()
                    .filter(|u| !u.is_empty())
                    .or_else(|| config.database_url.clone())
                    .unwrap_or_default();
                let key_command = self
                    .store_key_command
                    .clone()
                    .or_else(|| config.store_key_command.clone());
                store::postgres::PgStore::new(store::postgres::Settings::new(url, key_command))
            })
            .clone()
    }

    /// Where `app` commands change definitions: the file, or the team store.
    pub fn edit_target<'a>(
        &'a self,
        config: &Config,
        docs: &'a mut Option<store::postgres::Documents>,
    ) -> crate::config::Target<'a> {
        if self.backend(config) == Backend::Postgres {
            let d = docs.insert(self.postgres(config).documents());
            crate::config::Target::Documents(d)
        } else {
            crate::config::Target::File(&self.config_path)
        }
    }

    /// The backend in use: --store / OUTBOUND_STORE, else `store` in the config
    /// file, else the OS keyring.
    pub fn backend(&self, config: &Config) -> Backend {
        self.store_flag.or(config.store).unwrap_or(Backend::Keyring)
    }

    /// Opens the chosen store; the file store announces itself, every time, because
    /// it keeps secrets unencrypted.
    pub fn store(&self, config: &Config) -> Box<dyn SecretStore> {
        let backend = self.backend(config);
        if backend == Backend::File {
            warning!(
                "using the file store: secrets are kept unencrypted (mode 0600) in {}",
                self.state_dir.join("secrets.json").display()
            );
        }
        self.open_store(backend, config)
    }

    /// Opens `backend` (the team store with `config`'s database settings).
    pub fn open_store(&self, backend: Backend, config: &Config) -> Box<dyn SecretStore> {
        let pg = (backend == Backend::Postgres).then(|| self.postgres(config));
        store::open(backend, &self.state_dir, pg.as_ref())
    }

    /// The audit log, when the configuration file opts in (`audit = true`).
    pub fn audit(&self, config: &Config) -> crate::audit::Audit {
        if !config.audit {
            return crate::audit::Audit::off();
        }
        if self.backend(config) == Backend::Postgres {
            return crate::audit::Audit::to_sink(std::sync::Arc::new(self.postgres(config)));
        }
        crate::audit::Audit::to_file(crate::audit::path(&self.state_dir))
    }

    /// Where token operations of `config` read and write.
    pub fn token_env<'a>(
        &'a self,
        config: &'a Config,
        store: &'a dyn SecretStore,
        audit: &'a crate::audit::Audit,
    ) -> crate::tokens::TokenEnv<'a> {
        crate::tokens::TokenEnv {
            store,
            state_dir: &self.state_dir,
            config_path: &config.path,
            audit,
        }
    }

    /// Asks a yes/no question on the terminal; without one, `--yes` is required.
    pub fn confirm(&self, question: &str, yes: bool, flag_hint: &str) -> Result<bool> {
        if yes {
            return Ok(true);
        }
        if !self.interactive {
            return Err(Error::Usage(format!(
                "{question}\n  no terminal to confirm on; re-run with {flag_hint} to proceed"
            )));
        }
        // A whole line, not one key: the Enter after "y" must not answer what comes next.
        say_raw!("{question} [y/N] ");
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(1024)
            .read_line(&mut line)
            .map_err(|e| Error::io("cannot read the answer from the terminal", e))?;
        Ok(matches!(
            line.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }

    /// Asks for a missing value on the terminal.
    pub fn ask(
        &self,
        label: &str,
        check: impl Fn(&String) -> std::result::Result<(), String>,
    ) -> Result<String> {
        dialoguer::Input::<String>::new()
            .with_prompt(label)
            .validate_with(|v: &String| check(v))
            .interact_text()
            .map_err(prompt_error)
    }

    /// Reads a client secret: standard input when it is not a terminal (or when
    /// `from_stdin`), otherwise a hidden prompt.
    pub fn read_secret(&self, from_stdin: bool) -> Result<Secret> {
        if from_stdin || !std::io::stdin().is_terminal() {
            return read_secret_from_stdin();
        }
        if !self.interactive {
            return Err(Error::Usage(
                "the client secret must come from standard input (pipe it in) when --no-input is given".into(),
            ));
        }
        let value = dialoguer::Password::new()
            .with_prompt("Client secret")
            // Asked again with a hint, not in silence: a public client has no secret.
            .allow_empty_password(true)
            .validate_with(|v: &String| {
                if v.trim().is_empty() {
                    Err(EMPTY_SECRET_HINT)
                } else {
                    Ok(())
                }
            })
            .interact()
            .map_err(prompt_error)?;
        non_empty_secret(value)
    }
}

impl Ctx {
    /// A password: standard input when it is not a terminal, else a hidden prompt.
    pub fn read_password_stdin(&self, prompt: &str) -> Result<Secret> {
        if !std::io::stdin().is_terminal() {
            let mut value = String::new();
            std::io::stdin()
                .read_to_string(&mut value)
                .map_err(|e| Error::io("cannot read standard input", e))?;
            let value = value.trim_end_matches(['\n', '\r']).to_owned();
            if value.is_empty() {
                return Err(Error::Usage(
                    "standard input is empty: pipe the password in".into(),
                ));
            }
            return Ok(Secret::new(value));
        }
        if !self.interactive {
            return Err(Error::Usage(
                "the password must come from standard input when --no-input is given".into(),
            ));
        }
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map(Secret::new)
            .map_err(prompt_error)
    }
}

fn read_secret_from_stdin() -> Result<Secret> {
    let mut value = String::new();
    std::io::stdin()
        .read_to_string(&mut value)
        .map_err(|e| Error::io("cannot read the client secret from standard input", e))?;
    non_empty_secret(value.trim_end_matches(['\n', '\r']).to_owned())
}

const EMPTY_SECRET_HINT: &str = "the client secret is empty; a public client (no secret, e.g. a native app with PKCE) takes --client-auth none instead";

fn non_empty_secret(value: String) -> Result<Secret> {
    if value.trim().is_empty() {
        return Err(Error::Usage(format!(
            "{EMPTY_SECRET_HINT}; otherwise pipe the secret in, e.g. `outbound app secret set NAME < secret.txt`"
        )));
    }
    Ok(Secret::new(value))
}

fn prompt_error(e: dialoguer::Error) -> Error {
    Error::Other(format!("cannot read from the terminal: {e}"))
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Other(format!("cannot encode JSON: {e}")))?;
    data!("{text}");
    Ok(())
}

/// Tells the user what revoking an account's tokens did.
pub fn report_revocation(app: &str, account: &str, outcome: &crate::tokens::Forgotten) {
    if let Some(error) = &outcome.revoke_error {
        warning!(
            "revoking the tokens of `{app}` (account `{account}`) at the server failed: {error}\n  the local tokens were removed anyway"
        );
    } else if !outcome.revoked.is_empty() {
        notice!(
            "revoked the {} of `{app}` (account `{account}`) at the server",
            outcome.revoked.join(" and ")
        );
    }
}

/// A valid token for (app, account) — see [`crate::tokens::valid_token`]. When a
/// person must authorize again and one is at the terminal, offers to do it right
/// here; otherwise fails with exit 4 naming the command to run.
pub fn access_token(
    ctx: &Ctx,
    config: &Config,
    store: &dyn SecretStore,
    app: &crate::app::App,
    account: &str,
    rejected: Option<&Secret>,
) -> Result<crate::tokens::Access> {
    // The agent, when one runs, holds it without the store or the server.
    #[cfg(unix)]
    if let Some(access) = crate::agent::client::token(ctx, config, &app.name, account, rejected) {
        return Ok(access);
    }
    let audit = ctx.audit(config);
    let env = ctx.token_env(config, store, &audit);
    match crate::tokens::valid_token(&env, app, account, rejected) {
        Err(Error::AuthorizationRequired { reason, command }) if ctx.interactive => {
            say!("{reason}");
            if !ctx.confirm(&format!("Authorize `{}` now?", app.name), false, "--yes")? {
                return Err(Error::AuthorizationRequired { reason, command });
            }
            // They just said yes: the approval prompt is shown, not asked again.
            authorize::here(ctx, &env, app, account)?;
            crate::tokens::valid_token(&env, app, account, None)
        }
        other => other,
    }
}

/// Prints rows as aligned columns under a header.
pub fn print_table<const N: usize>(header: &[String; N], rows: &[[String; N]]) {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        data!("{}", line.join("  ").trim_end());
    }
}
