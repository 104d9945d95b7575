use std::process::ExitCode;

use clap::Parser;
use outbound::cli::Cli;

fn main() -> ExitCode {
    outbound::signals::forbid_core_dumps();
    outbound::signals::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" to clap that go to stdout with code 0.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = outbound::run(cli);
    for warning in outbound::warnings::take() {
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
