//! `outbound exec APP [--env VAR]… -- COMMAND [ARGS…]`: run a program with valid
//! tokens in its environment, never on its command line.
//!
//! outbound replaces itself with the command (`execvp`): the command has outbound's
//! process id, so every signal sent to it (Ctrl-C, `kill`, a supervisor's TERM)
//! reaches the command itself, and its exit status is the one the caller sees.
//! The tokens are fetched (and refreshed) before; the command's environment cannot
//! change afterwards, so a command that outlives its tokens must ask again
//! (`outbound token`, `outbound curl`) or be started with `--min-valid`.

use std::ffi::OsString;

use super::Ctx;
use super::token::{Freshness, fresh_access};
use crate::commands::output::warning;
use crate::error::{Error, Result};
use crate::tokens;

/// The variable that carries APP's token when no `--env VAR` names one.
pub const DEFAULT_VAR: &str = "OUTBOUND_TOKEN";

/// One variable to set: its name, and whose token goes in it.
struct Wanted {
    var: String,
    app: String,
    /// None: that app's own default (`OUTBOUND_ACCOUNT`, its `default_account`).
    account: Option<String>,
}

pub struct Args {
    pub name: String,
    pub account: Option<String>,
    pub env: Vec<String>,
    pub min_valid: Option<std::time::Duration>,
    pub command: Vec<OsString>,
}

/// `VAR` names a variable for the app's own token; `VAR=APP` or `VAR=APP:ACCOUNT`
/// another app's. Names are what a shell takes: letters, digits, `_`, not first a digit.
fn wanted(args: &Args, account: &str) -> Result<Vec<Wanted>> {
    let mut out: Vec<Wanted> = Vec::new();
    for spec in &args.env {
        let (var, target) = match spec.split_once('=') {
            None => (spec.as_str(), None),
            Some((var, target)) => (var, Some(target)),
        };
        let valid = !var.is_empty()
            && !var.starts_with(|c: char| c.is_ascii_digit())
            && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(Error::Usage(format!(
                "--env {spec}: `{var}` is not a variable name (letters, digits and _, not starting with a digit)"
            )));
        }
        if let Some(why) = read_by_others(var) {
            return Err(Error::Usage(format!(
                "--env {var}: {why}, so a token there could be run as code or printed in an error; name another variable (e.g. --env API_TOKEN)"
            )));
        }
        if out.iter().any(|w| w.var == var) {
            return Err(Error::Usage(format!("--env {var}: given twice")));
        }
        let (app, acct) = match target {
            None => (args.name.clone(), Some(account.to_owned())),
            Some(t) => match t.split_once(':') {
                Some((app, acct)) => {
                    tokens::check_account(acct)?;
                    (app.to_owned(), Some(acct.to_owned()))
                }
                None => (t.to_owned(), None),
            },
        };
        if app.is_empty() {
            return Err(Error::Usage(format!(
                "--env {spec}: no application after `=` (VAR=APP or VAR=APP:ACCOUNT)"
            )));
        }
        out.push(Wanted {
            var: var.to_owned(),
            app,
            account: acct,
        });
    }
    if !out
        .iter()
        .any(|w| w.app == args.name && w.account.as_deref() == Some(account))
    {
        if out.iter().any(|w| w.var == DEFAULT_VAR) {
            return Err(Error::Usage(format!(
                "--env {DEFAULT_VAR}=…: {DEFAULT_VAR} is where `{}`'s own token goes; name it with --env VAR",
                args.name
            )));
        }
        out.insert(
            0,
            Wanted {
                var: DEFAULT_VAR.to_owned(),
                app: args.name.clone(),
                account: Some(account.to_owned()),
            },
        );
    }
    Ok(out)
}

/// The dynamic loader's variables (glibc, musl, macOS) and the C library's that name
/// code to load. An entry ending in `_` is a prefix.
const LOADER: &[&str] = &["LD_", "DYLD_", "GLIBC_TUNABLES", "GCONV_PATH", "LOCPATH"];
/// The shells': where commands are found, startup files, code run at a prompt or
/// with `set -x`, word splitting, exported functions.
const SHELL: &[&str] = &[
    "PATH",
    "IFS",
    "ENV",
    "BASH_ENV",
    "BASH_FUNC_",
    "SHELLOPTS",
    "BASHOPTS",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PROMPT_COMMAND",
    "ZDOTDIR",
    "CDPATH",
    "PATHEXT",
    "COMSPEC",
];
/// Interpreters' startup options and module paths (Node, Python, Perl, Ruby, Java).
const INTERPRETER: &[&str] = &[
    "NODE_OPTIONS",
    "NODE_PATH",
    "PYTHONSTARTUP",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONWARNINGS",
    "PYTHONBREAKPOINT",
    "PYTHONINSPECT",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
];

/// Why `var` is not a place for a token, when it is not: something other than the
/// command reads it before or around the command, as code, as a library or module
/// to load, or as options. A token there is run, loaded, or printed in the error
/// that follows (`LD_PRELOAD=TOKEN` has the loader print it on stderr), and a token
/// a hostile server chose becomes code. The command is often `sh -c` or an
/// interpreter, so their variables count too. Program-specific ones (`EDITOR`,
/// `GIT_SSH_COMMAND`, …) are left to the person who names them. Compared ignoring
/// case, as Windows' environment is.
fn read_by_others(var: &str) -> Option<&'static str> {
    let upper = var.to_ascii_uppercase();
    let listed = |names: &[&str]| {
        names.iter().any(|n| {
            if n.ends_with('_') {
                upper.starts_with(n)
            } else {
                upper == *n
            }
        })
    };
    if listed(LOADER) {
        Some(
            "the dynamic loader and the C library read this variable (libraries to load, their options)",
        )
    } else if listed(SHELL) {
        Some("shells read this variable (where commands are found, startup files, code to run)")
    } else if listed(INTERPRETER) {
        Some("an interpreter reads this variable at startup (options, modules or code to load)")
    } else {
        None
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    let config = ctx.load()?;
    let account = tokens::account_of(config.app(&args.name)?, args.account.as_deref())?;
    let wanted = wanted(&args, &account)?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::Usage(
            "no command: give it after `--` (outbound exec APP -- COMMAND ARGS…)".into(),
        ));
    };
    let fresh = Freshness {
        force: false,
        min_valid: args.min_valid,
    };
    let mut command = std::process::Command::new(program);
    command.args(rest);
    for w in &wanted {
        let app = config.app(&w.app)?;
        let account = tokens::account_of(app, w.account.as_deref())?;
        let store = ctx.store(&config, app);
        let access = fresh_access(ctx, &config, store.as_ref(), app, &account, &fresh)?;
        crate::gate::check(
            &ctx.state_dir,
            app,
            &access.token,
            &crate::gate::To::Process,
        )?;
        if access.token.token_type.as_deref() == Some("dpop") {
            warning!(
                "the token of `{}` in {} is DPoP-bound: it is useless without a proof from `outbound token {} --dpop-proof` for each request",
                app.name,
                w.var,
                app.name
            );
        }
        command.env(&w.var, access.token.access_token.expose());
        ctx.audit(&config, app)
            .record(&app.name, &account, "exec", None, None, "ok");
    }
    // The command takes this process over: what was to be said at the end, now.
    for pending in crate::warnings::take() {
        warning!("{pending}");
    }
    let e = replace_with(command);
    let shown = program.to_string_lossy();
    let (code, why) = match e.kind() {
        std::io::ErrorKind::NotFound => (127, "no such command".to_owned()),
        std::io::ErrorKind::PermissionDenied => (126, "not executable".to_owned()),
        _ => (126, e.to_string()),
    };
    Err(Error::Transfer {
        code,
        message: format!("error: cannot run `{shown}`: {why}"),
    })
}

/// Becomes `command` (execvp): only returns when it could not be started.
#[cfg(unix)]
fn replace_with(mut command: std::process::Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    command.exec()
}

/// Without exec: runs `command` and exits with its status.
#[cfg(not(unix))]
fn replace_with(mut command: std::process::Command) -> std::io::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(env: &[&str]) -> Args {
        Args {
            name: "gh".into(),
            account: None,
            env: env.iter().map(|s| s.to_string()).collect(),
            min_valid: None,
            command: vec!["true".into()],
        }
    }

    fn names(env: &[&str]) -> Vec<(String, String, Option<String>)> {
        wanted(&args(env), "default")
            .unwrap()
            .into_iter()
            .map(|w| (w.var, w.app, w.account))
            .collect()
    }

    #[test]
    fn variables_and_their_apps() {
        let own = |v: &str| (v.to_owned(), "gh".to_owned(), Some("default".to_owned()));
        assert_eq!(names(&[]), vec![own("OUTBOUND_TOKEN")]);
        assert_eq!(
            names(&["GH_TOKEN", "GITHUB_TOKEN"]),
            vec![own("GH_TOKEN"), own("GITHUB_TOKEN")]
        );
        assert_eq!(
            names(&["GH_TOKEN", "SLACK=slack:bot"]),
            vec![
                own("GH_TOKEN"),
                ("SLACK".into(), "slack".into(), Some("bot".into()))
            ]
        );
        assert_eq!(names(&["S=slack"])[0], own("OUTBOUND_TOKEN"));
        for bad in [
            &["1X"][..],
            &["A-B"],
            &["A", "A"],
            &["X="],
            &["OUTBOUND_TOKEN=slack"],
        ] {
            assert!(wanted(&args(bad), "default").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn variables_the_loader_shells_or_interpreters_read_are_refused() {
        for var in [
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "LD_AUDIT",
            "ld_preload",
            "DYLD_INSERT_LIBRARIES",
            "GLIBC_TUNABLES",
            "GCONV_PATH",
            "BASH_ENV",
            "ENV",
            "PATH",
            "Path",
            "IFS",
            "PS4",
            "SHELLOPTS",
            "BASHOPTS",
            "PROMPT_COMMAND",
            "BASH_FUNC_x",
            "NODE_OPTIONS",
            "PYTHONSTARTUP",
            "PYTHONPATH",
            "PERL5OPT",
            "RUBYOPT",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
        ] {
            for spec in [var.to_owned(), format!("{var}=other")] {
                let Err(Error::Usage(m)) = wanted(&args(&[&spec]), "default") else {
                    panic!("{spec} was taken")
                };
                assert!(m.starts_with(&format!("--env {var}: ")), "{m}");
                assert!(m.contains(" read"), "{m}");
                assert!(m.contains("name another variable"), "{m}");
            }
        }
        // Near names are fine: only the loader's namespace is a prefix.
        for var in [
            "LDAP_TOKEN",
            "MY_PATH",
            "ENVIRONMENT",
            "PATH_TOKEN",
            "PS",
            "API_TOKEN",
        ] {
            assert!(wanted(&args(&[var]), "default").is_ok(), "{var}");
        }
    }
}
