//! Typed errors and the one place that maps them to exit codes.
//!
//! Messages say what was wrong, where, and how to fix it. None of them ever carries a
//! secret: secrets are [`crate::secret::Secret`]s, which have no `Display`.

use std::path::PathBuf;

use crate::store::StoreError;

/// The exit codes `outbound` documents (docs/exit-codes.md, `--help`).
pub mod exit {
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const CONFIG: u8 = 3;
    pub const AUTHORIZATION_REQUIRED: u8 = 4;
    pub const DISABLED: u8 = 5;
    pub const HOST_NOT_ALLOWED: u8 = 6;
    pub const SERVER: u8 = 7;
    pub const TIMED_OUT: u8 = 8;
    pub const STORE_UNREACHABLE: u8 = 10;
    pub const UNDECRYPTABLE: u8 = 11;
    pub const NOT_PERMITTED: u8 = 12;
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something impossible or incomplete.
    #[error("{0}")]
    Usage(String),

    #[error(transparent)]
    Config(#[from] ConfigError),

    /// --config or OUTBOUND_CONFIG names a file that is not there.
    #[error(
        "the configuration file {} does not exist (named by --config or OUTBOUND_CONFIG)\n  check the path, or create it with `outbound app add NAME`",
        .0.display()
    )]
    MissingConfig(PathBuf),

    /// `others`: the names the file (or team store) has.
    #[error("no application named `{name}` in {}{}", .file.display(), known(.others))]
    UnknownApp {
        name: String,
        file: PathBuf,
        others: Vec<String>,
    },

    /// The file and the team store both define `name`.
    #[error(
        "`{name}` is defined twice: in {} (yours) and in the team store {}; neither is used until one goes\n  fix: {fix}",
        .file.display(),
        .team.display()
    )]
    Twice {
        name: String,
        file: PathBuf,
        team: PathBuf,
        fix: String,
    },

    /// The team store the configuration names could not be read (`code`: its exit).
    #[error("{message}")]
    TeamUnavailable { message: String, code: u8 },

    #[error(
        "application `{0}` is disabled: its tokens are kept but cannot be used; enable it with `outbound app enable {0}`"
    )]
    Disabled(String),

    #[error(
        "account `{account}` of `{app}` is inactive: its tokens are kept but cannot be used; enable it with `outbound account enable {app}{}`",
        account_flag(.account)
    )]
    Inactive { app: String, account: String },

    #[error(transparent)]
    Store(#[from] StoreError),

    /// A person must authorize (again) before this can work.
    #[error("{reason}\n  run: {command}")]
    AuthorizationRequired { reason: String, command: String },

    /// The OAuth server refused, answered nonsense, or could not be reached.
    #[error(transparent)]
    OAuth(#[from] crate::oauth::OAuthError),

    /// A token would go where the app does not allow it.
    #[error("{0}")]
    HostNotAllowed(String),

    /// An exit code of its own, message printed: curl's (22 for --fail, 28 for a
    /// timeout, …), or a shell's for a command `exec` cannot run (126, 127).
    #[error("{message}")]
    Transfer { code: u8, message: String },

    /// The authorization in the browser did not complete.
    #[error("{0}")]
    Authorization(String),

    /// Nobody answered in time: the browser never came back, the device code was not
    /// approved before it expired. Not a server failure; running it again helps.
    #[error("{0}")]
    TimedOut(String),

    /// The server refused the client itself (`invalid_client`): its client id, or
    /// what authenticates it (secret, private key, certificate), is wrong. `cause`
    /// says which may be, `what` names it, `fix` is what puts it right; `app_change`:
    /// the fix changes the application or its secrets (in a team store, its
    /// administrators' to make). Built by `tokens::refused_client`.
    #[error("{error}\n  {cause}\n  fix: {fix}")]
    ClientRefused {
        error: Box<Error>,
        cause: String,
        what: String,
        fix: String,
        app_change: bool,
    },

    /// A refusal whose remedy only the team store's administrators may apply, said to
    /// a member: `message` names them instead of a command this user cannot run.
    #[error("{message}")]
    AdminsOnly { error: Box<Error>, message: String },

    /// An error with the next step for the person, keeping the error's exit code.
    #[error("{error}\n  {hint}")]
    Hinted { error: Box<Error>, hint: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Config(_) | Error::MissingConfig(_) => exit::CONFIG,
            Error::Disabled(_) | Error::Inactive { .. } => exit::DISABLED,
            Error::AuthorizationRequired { .. } => exit::AUTHORIZATION_REQUIRED,
            Error::OAuth(crate::oauth::OAuthError::NotAllowed(_)) | Error::HostNotAllowed(_) => {
                exit::HOST_NOT_ALLOWED
            }
            Error::OAuth(crate::oauth::OAuthError::Local(_)) => exit::ERROR,
            Error::OAuth(_) | Error::Authorization(_) => exit::SERVER,
            Error::TimedOut(_) => exit::TIMED_OUT,
            Error::Transfer { code, .. } => *code,
            Error::Hinted { error, .. }
            | Error::ClientRefused { error, .. }
            | Error::AdminsOnly { error, .. } => error.exit_code(),
            Error::Store(e) => e.exit_code(),
            Error::UnknownApp { .. } | Error::Io { .. } | Error::Other(_) => exit::ERROR,
            Error::Twice { .. } => exit::CONFIG,
            Error::TeamUnavailable { code, .. } => *code,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// The configuration file cannot be used as it is. The file is never rewritten when
/// this happens; the message gives `file:line:column` when the place is known.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}\n  fix it in an editor: outbound changes nothing in a file it cannot read", location(.file, .position))]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

fn account_flag(account: &str) -> String {
    if account == crate::app::DEFAULT_ACCOUNT {
        String::new()
    } else {
        format!(" --account {account}")
    }
}

fn known(others: &[String]) -> String {
    if others.is_empty() {
        "; it has none yet: add one with `outbound app add NAME`".to_owned()
    } else {
        format!("; it has: {}", others.join(", "))
    }
}

fn location(file: &std::path::Path, position: &Option<(usize, usize)>) -> String {
    match position {
        Some((line, col)) => format!("{}:{line}:{col}: ", file.display()),
        None => format!("{}: ", file.display()),
    }
}
