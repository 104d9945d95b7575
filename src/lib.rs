//! `outbound`: administer outbound OAuth 2.0 applications from the command line.
//!
//! Data flows one way: configuration ([`config`], [`app`]) -> store ([`store`]) ->
//! commands ([`commands`]). Only `commands` talks to the terminal.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod secret;
pub mod state;
pub mod store;

use cli::{AppCommand, Cli, Command, SecretCommand};
use commands::Ctx;
use error::Result;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli)?;
    match cli.command {
        Command::App(cmd) => match cmd {
            AppCommand::Add(args) => commands::app::add::run(&ctx, args),
            AppCommand::List { json } => commands::app::show::list(&ctx, json),
            AppCommand::Show { name, json } => commands::app::show::show(&ctx, &name, json),
            AppCommand::Edit(args) => commands::app::edit::run(&ctx, args),
            AppCommand::Enable { name } => commands::app::lifecycle::set_enabled(&ctx, &name, true),
            AppCommand::Disable { name } => {
                commands::app::lifecycle::set_enabled(&ctx, &name, false)
            }
            AppCommand::Reset { name, yes } => commands::app::lifecycle::reset(&ctx, &name, yes),
            AppCommand::Delete { name, yes } => commands::app::lifecycle::delete(&ctx, &name, yes),
            AppCommand::Secret(SecretCommand::Set { name }) => {
                commands::app::secret::set_secret(&ctx, &name)
            }
        },
        Command::Completions { shell } => commands::generate::completions(shell),
        Command::GenerateDocs { check, dir } => commands::generate::docs(&dir, check),
    }
}
