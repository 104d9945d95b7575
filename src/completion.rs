//! Dynamic shell completion (clap_complete's `CompleteEnv`): the shell calls
//! `outbound` back with `COMPLETE=<shell>` for every completion, so application
//! names, accounts, presets and setting names come from the configuration and state
//! as they are at that moment. The candidates are added here, by argument id, to
//! the one command tree `cli.rs` declares; the CLI's own declarations stay free of
//! completion plumbing.

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

/// The variable the shell scripts set to ask for completions.
pub const VAR: &str = "COMPLETE";

/// The command tree with the candidates for names that live in files.
pub fn command() -> clap::Command {
    with_candidates(crate::examples::command(), &[])
}

/// Answers a completion request (and exits) when `COMPLETE` is set; otherwise
/// returns at once.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(command)
        .var(VAR)
        .completer("outbound")
        .complete();
}

/// The script that registers completion for `shell` (what `outbound completions
/// SHELL` prints and completions/ holds).
pub fn registration(shell: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let shells = clap_complete::env::Shells::builtins();
    let Some(completer) = shells.completer(shell) else {
        return Err(std::io::Error::other(format!(
            "no completion for shell `{shell}`"
        )));
    };
    completer.write_registration(VAR, "outbound", "outbound", "outbound", out)
}

fn with_candidates(mut cmd: clap::Command, path: &[String]) -> clap::Command {
    let here: Vec<String> = path
        .iter()
        .cloned()
        .chain([cmd.get_name().to_owned()])
        .collect();
    let here_ref: Vec<&str> = here.iter().map(String::as_str).collect();
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let candidates = match (id.as_str(), here_ref.as_slice()) {
            // A new application's name is the user's to invent.
            ("name", [.., "app", "add"]) => None,
            ("name", [.., "presets", "show"] | [.., "app", "presets"]) => {
                Some(ArgValueCandidates::new(presets))
            }
            ("name", _) => Some(ArgValueCandidates::new(app_names)),
            ("preset", _) => Some(ArgValueCandidates::new(presets)),
            ("account", _) => Some(ArgValueCandidates::new(accounts)),
            ("unset", [.., "app", "edit"]) => Some(ArgValueCandidates::new(fields)),
            _ => None,
        };
        if let Some(candidates) = candidates {
            cmd = cmd.mut_arg(id, |arg| arg.add(candidates));
        }
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, |sub| with_candidates(sub, &here));
    }
    cmd
}

/// The applications of the configuration in use (`OUTBOUND_CONFIG`, else the
/// default file, and the team store it names), with their descriptions; none when
/// it cannot be read.
fn app_names() -> Vec<CompletionCandidate> {
    let path = std::env::var_os("OUTBOUND_CONFIG")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    let store = std::env::var("OUTBOUND_STORE").ok().and_then(|s| {
        <crate::app::Backend as crate::choice::Choice>::ALL
            .iter()
            .copied()
            .find(|b| b.as_str() == s)
    });
    let config = crate::context::Ctx::new(path, store, true, None).and_then(|ctx| ctx.load());
    // Nothing to say while completing: what is wrong shows when the command runs.
    crate::warnings::take();
    let Ok(config) = config else {
        return Vec::new();
    };
    let team = config.team.is_some();
    config
        .apps
        .iter()
        .map(|app| {
            let candidate = CompletionCandidate::new(&app.name);
            let help = match (&app.description, team) {
                (Some(d), true) => Some(format!("{d} ({})", app.place.as_str())),
                (Some(d), false) => Some(d.clone()),
                (None, true) => Some(format!("({})", app.place.as_str())),
                (None, false) => None,
            };
            match help {
                Some(h) => candidate.help(Some(h.into())),
                None => candidate,
            }
        })
        .collect()
}

/// Every account this user holds tokens for, across applications.
fn accounts() -> Vec<CompletionCandidate> {
    let state = std::env::var_os("OUTBOUND_STATE_DIR")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| crate::config::default_state_dir().ok());
    let Some(state) = state else {
        return Vec::new();
    };
    let mut names: Vec<String> = crate::state::Index::load(&state)
        .accounts
        .values()
        .map(|r| r.account.clone())
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

fn presets() -> Vec<CompletionCandidate> {
    crate::presets::all()
        .map(|all| {
            all.iter()
                .map(|(name, p)| {
                    CompletionCandidate::new(name).help(Some(p.description.clone().into()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What `app edit --unset` takes.
fn fields() -> Vec<CompletionCandidate> {
    crate::app::setting_names()
        .iter()
        .filter(|f| !matches!(**f, "id" | "enabled" | "generation"))
        .map(|f| CompletionCandidate::new(*f))
        .collect()
}
