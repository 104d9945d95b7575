//! The context every command and long-running server works in: where the
//! configuration, the state and the secrets are, and whether a person can answer.
//! It sits below `commands` (which adds the terminal's prompts) so that the agent
//! and the proxy use it without importing the commands.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::config::{self, Config};
use crate::error::{Error, Result};
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
    /// The context of one command line: `config` (--config, OUTBOUND_CONFIG), else
    /// the default file; `store` (--store, OUTBOUND_STORE); whether prompts are off
    /// (--no-input); `--store-key-command`.
    pub fn new(
        config: Option<PathBuf>,
        store: Option<Backend>,
        no_input: bool,
        store_key_command: Option<String>,
    ) -> Result<Ctx> {
        let config_named = config.is_some();
        let config_path = match config {
            Some(path) => path,
            None => config::default_config_path()?,
        };
        // Absolute, because the state index remembers which file an app came from.
        let config_path = std::path::absolute(&config_path).unwrap_or(config_path);
        let state_dir = match std::env::var_os("OUTBOUND_STATE_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => config::default_state_dir()?,
        };
        let interactive =
            !no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        Ok(Ctx {
            config_named,
            config_path,
            state_dir,
            store_flag: store,
            interactive,
            store_key_command,
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

    /// This context as the agent's client names it.
    #[cfg(unix)]
    pub fn asker(&self) -> crate::agent::client::Asker<'_> {
        crate::agent::client::Asker {
            config: &self.config_path,
            state_dir: &self.state_dir,
            store: self.store_flag,
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

    /// [`Ctx::load_or_empty`] for a command that changes definitions: an
    /// application set aside (see [`Config::load`]) is the whole file's error here,
    /// before anything is asked or checked, as writing refuses a file it cannot
    /// fully read.
    pub fn load_for_writing(&self) -> Result<Config> {
        let config = self.load_or_empty()?;
        match config.broken_error() {
            Some(e) => Err(e),
            None => Ok(config),
        }
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
        if let Some(text) = crate::agent::client::definitions(&self.asker(), pg.label())
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

    /// The team store, if this command has used one (its definitions, secrets or
    /// tokens came from it).
    pub fn team_store(&self) -> Option<&store::postgres::PgStore> {
        self.postgres.get()
    }

    /// Who administers the team store this command used, when this user is not one
    /// of them (see [`store::postgres::PgStore::administrators`]); None with a local
    /// store, for an administrator, or when the database cannot say.
    pub fn administrators(&self) -> Option<store::Administrators> {
        self.team_store()?.administrators().ok().flatten()
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
            crate::warnings::push(format!(
                "using the file store: secrets are kept unencrypted (mode 0600) in {}",
                self.state_dir.join("secrets.json").display()
            ));
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
}
