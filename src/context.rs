//! The context every command and long-running server works in: where the
//! configuration, the state and the secrets are, and whether a person can answer.
//! It sits below `commands` (which adds the terminal's prompts) so that the agent
//! and the proxy use it without importing the commands.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::app::App;
use crate::config::{self, Config, Place};
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

    /// This context with the team store named, as `--store postgres` does.
    pub fn with_team(&self) -> Ctx {
        Ctx {
            store_flag: Some(Backend::Postgres),
            ..self.clone()
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
    /// application whose table does not validate (see [`Config::load`]) is the
    /// whole file's error here, before anything is asked or checked, as writing
    /// refuses a file it cannot fully read.
    pub fn load_for_writing(&self) -> Result<Config> {
        let config = self.load_or_empty()?;
        match config.unwritable() {
            Some(e) => Err(e),
            None => Ok(config),
        }
    }

    /// [`Ctx::load`] for `app add`, which creates the file it names. When the
    /// configuration names a team store, its applications are beside the file's
    /// (each marked with its [`crate::config::Place`]); when it cannot be read, the
    /// file's still work, unless the file has none (then it is the error).
    pub fn load_or_empty(&self) -> Result<Config> {
        let local = Config::load(&self.config_path)?;
        if !self.team_named(&local) {
            return Ok(local);
        }
        let pg = self.postgres(&local);
        let docs = pg.documents();
        let label = crate::config::AppDocuments::label(&docs).to_path_buf();
        // The agent, when one runs, has them: no connection of our own then.
        #[cfg(unix)]
        if let Some(text) = crate::agent::client::definitions(&self.asker(), pg.label())
            && let Ok(config) = Config::load(&self.config_path)?.with_team_apps(&label, &text)
        {
            pg.know_names(config.apps.iter().map(|a| (a.id.as_str(), a.name.as_str())));
            return Ok(config);
        }
        let read = crate::config::AppDocuments::read(&docs).and_then(|text| {
            Config::load(&self.config_path)?
                .with_team_apps(&label, &text)
                // Said of the row at fault, not of a line in the joined text.
                .map_err(|e| docs.diagnose().map_or(e, Error::from))
        });
        match read {
            Ok(config) => {
                pg.know_names(config.apps.iter().map(|a| (a.id.as_str(), a.name.as_str())));
                Ok(config)
            }
            Err(e) if local.apps.is_empty() && local.broken.is_empty() => Err(e),
            Err(e) => Ok(local.without_team(&label, &e)),
        }
    }

    /// Whether the configuration names a team store: `store = "postgres"` (or
    /// --store / OUTBOUND_STORE), or a `database_url` beside the file's own apps.
    pub fn team_named(&self, local: &Config) -> bool {
        self.store_flag == Some(Backend::Postgres)
            || local.store == Some(Backend::Postgres)
            || local.database_url.is_some()
    }

    /// Where a new application goes unless told (`app add --team`/`--personal`):
    /// the team store when it is the store chosen (--store, OUTBOUND_STORE, else
    /// `store`), else the file.
    pub fn default_place(&self, local: &Config) -> Place {
        match self.store_flag.or(local.store) {
            Some(Backend::Postgres) => Place::Team,
            _ => Place::Personal,
        }
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

    /// Where `app` commands change definitions of `place`: the file, or the team
    /// store.
    pub fn edit_target<'a>(
        &'a self,
        config: &Config,
        place: Place,
        docs: &'a mut Option<store::postgres::Documents>,
    ) -> crate::config::Target<'a> {
        if place == Place::Team {
            let d = docs.insert(self.postgres(config).documents());
            crate::config::Target::Documents(d)
        } else {
            crate::config::Target::File(&self.config_path)
        }
    }

    /// Where the secrets of the user's own applications go: --store /
    /// OUTBOUND_STORE, else `store` in the config file, else the OS keyring (when
    /// either names the team store, the OS keyring).
    pub fn personal_backend(&self, config: &Config) -> Backend {
        [self.store_flag, config.store]
            .into_iter()
            .flatten()
            .find(|b| *b != Backend::Postgres)
            .unwrap_or(Backend::Keyring)
    }

    /// The backend of the applications of `place`.
    pub fn backend_at(&self, config: &Config, place: Place) -> Backend {
        match place {
            Place::Team => Backend::Postgres,
            Place::Personal => self.personal_backend(config),
        }
    }

    /// The backend that keeps `app`'s secrets and tokens.
    pub fn backend(&self, config: &Config, app: &App) -> Backend {
        self.backend_at(config, app.place)
    }

    /// Opens the store of `app`; the file store announces itself, every time,
    /// because it keeps secrets unencrypted.
    pub fn store(&self, config: &Config, app: &App) -> Box<dyn SecretStore> {
        self.store_at(config, app.place)
    }

    /// Opens the store of the applications of `place`.
    pub fn store_at(&self, config: &Config, place: Place) -> Box<dyn SecretStore> {
        let backend = self.backend_at(config, place);
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

    /// The audit log of `app`, when the configuration file opts in (`audit =
    /// true`): the team store's for its applications.
    pub fn audit(&self, config: &Config, app: &App) -> crate::audit::Audit {
        self.audit_at(config, app.place)
    }

    /// The audit log of the applications of `place`.
    pub fn audit_at(&self, config: &Config, place: Place) -> crate::audit::Audit {
        if !config.audit {
            return crate::audit::Audit::off();
        }
        if place == Place::Team {
            return crate::audit::Audit::to_sink(std::sync::Arc::new(self.postgres(config)));
        }
        crate::audit::Audit::to_file(crate::audit::path(&self.state_dir))
    }

    /// Where token operations of `app` read and write.
    pub fn token_env<'a>(
        &'a self,
        config: &'a Config,
        app: &App,
        store: &'a dyn SecretStore,
        audit: &'a crate::audit::Audit,
    ) -> crate::tokens::TokenEnv<'a> {
        self.token_env_at(config.home(app), store, audit)
    }

    /// Where token operations read and write for the applications defined at
    /// `home` (the configuration file, or the team store's label).
    pub fn token_env_at<'a>(
        &'a self,
        home: &'a std::path::Path,
        store: &'a dyn SecretStore,
        audit: &'a crate::audit::Audit,
    ) -> crate::tokens::TokenEnv<'a> {
        crate::tokens::TokenEnv {
            store,
            state_dir: &self.state_dir,
            config_path: home,
            audit,
        }
    }
}
