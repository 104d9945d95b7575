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
pub mod proxy;
pub mod secret_store;
pub mod status;
pub mod token;

use crate::commands::output::{data, notice, say, say_raw, warning};
use std::io::{BufRead, IsTerminal, Read};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::SecretStore;

pub use crate::context::Ctx;

/// What only a command does with its context: ask the person at the terminal.
impl Ctx {
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
        mut check: impl FnMut(&String) -> std::result::Result<(), String>,
    ) -> Result<String> {
        dialoguer::Input::<String>::new()
            .with_prompt(label)
            // An empty answer reaches `check`, which says why it will not do (not
            // the same question again in silence).
            .allow_empty(true)
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

/// `e` as said to this user. In the team store, a refusal whose remedy only its
/// administrators may apply (enable a disabled app, add one, set an application's
/// secret) names them to a member who is not one, instead of a command this user
/// cannot run (exit 12 for them); the exit code stays. An administrator, and every
/// user of a local store, gets `e` as it is.
pub fn for_this_user(ctx: &Ctx, e: Error) -> Error {
    let admins_only = match &e {
        Error::Disabled(_) => true,
        Error::UnknownApp { others, .. } => others.is_empty(),
        Error::ClientRefused { app_change, .. } => *app_change,
        Error::Store(
            crate::store::StoreError::Denied { .. } | crate::store::StoreError::ShareDenied { .. },
        ) => true,
        _ => false,
    };
    if !admins_only {
        return e;
    }
    let Some(admins) = ctx.administrators() else {
        return e;
    };
    let message = match &e {
        Error::Disabled(app) => format!(
            "application `{app}` is disabled: its tokens are kept but cannot be used; only {admins} can enable it again: ask one of them"
        ),
        Error::UnknownApp { name, file, .. } => format!(
            "no application named `{name}` in {}; it has none: applications are added by {admins}",
            file.display()
        ),
        Error::ClientRefused {
            error, cause, what, ..
        } => {
            format!("{error}\n  {cause}\n  only {admins} can set the {what} again: ask one of them")
        }
        Error::Store(crate::store::StoreError::Denied { database, message }) => format!(
            "only {admins} may add, edit, enable, disable, reset or delete applications or set their secrets, and you are not one of them: nothing was changed\n  the database {database} refused: {message}\n  fix: ask one of them to make the change"
        ),
        Error::Store(crate::store::StoreError::ShareDenied {
            database,
            account,
            message,
        }) => format!(
            "only {admins} share an account (`authorize --shared`), and you are not one of them: nothing was stored\n  the database {database} refused to share account `{account}`: {message}\n  fix: authorize without --shared for an account of your own, or ask one of them to share one"
        ),
        _ => return e,
    };
    Error::AdminsOnly {
        error: Box::new(e),
        message,
    }
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
    {
        let database = ctx
            .team_named(config)
            .then(|| ctx.postgres(config).label().to_owned());
        if let Some(access) = crate::agent::client::token(
            &ctx.asker(),
            database.as_deref(),
            &app.name,
            account,
            rejected,
        ) {
            return Ok(access);
        }
    }
    let audit = ctx.audit(config, app);
    let env = ctx.token_env(config, app, store, &audit);
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
