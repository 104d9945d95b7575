use std::process::ExitCode;

use clap::FromArgMatches;
use outbound::cli::Cli;

fn main() -> ExitCode {
    // `COMPLETE=<shell> outbound -- …`: a shell asking for completions; answered, exits.
    outbound::completion::answer_if_asked();
    outbound::signals::forbid_core_dumps();
    outbound::signals::install();
    // The examples are only read by --help: the tree with them is built only then.
    let help = std::env::args()
        .skip(1)
        .any(|a| a == "--help" || a == "-h" || a == "help");
    let command = if help {
        outbound::examples::command()
    } else {
        <Cli as clap::CommandFactory>::command()
    };
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(flag) = unknown_curl_flag(&e) {
                eprintln!("error: {}", outbound::cli::curl_flag_advice(&flag));
                return ExitCode::from(2);
            }
            // --help and --version are "errors" to clap that go to stdout with code 0.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = outbound::run(cli);
    // Said once: a warning that only repeats the error that ends the command is not.
    let ending = result.as_ref().err().map(|e| e.to_string());
    for note in outbound::warnings::take_notes() {
        outbound::commands::output::notice_args(format_args!("note: {note}\n"));
    }
    for warning in outbound::warnings::take() {
        if ending.as_deref().is_some_and(|e| warning.ends_with(e)) {
            continue;
        }
        eprintln!("warning: {warning}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                // curl-style transfer errors carry curl's own wording (or nothing, with -s).
                outbound::error::Error::Transfer { message, .. } if message.is_empty() => {}
                outbound::error::Error::Transfer { message, .. } => eprintln!("{message}"),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The flag of an "unexpected argument" error inside `outbound curl`.
fn unknown_curl_flag(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    // The subcommand is the first word that is not an option (global options with a
    // value, `--config FILE` and `--store S`, skip their value).
    let mut args = std::env::args().skip(1);
    let subcommand = loop {
        let arg = args.next()?;
        match arg.as_str() {
            "--config" | "--store" => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => break a.to_owned(),
        }
    };
    if subcommand != "curl" {
        return None;
    }
    match e.get(ContextKind::InvalidArg)? {
        ContextValue::String(flag) if flag.starts_with('-') => Some(flag.clone()),
        _ => None,
    }
}
