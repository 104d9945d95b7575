//! `outbound`: administer outbound OAuth 2.0 applications from the command line.
//!
//! Data flows one way: configuration ([`config`], [`app`]) -> the protocol
//! ([`oauth`], over [`http`]) -> authorization flows ([`authorize`]) -> secrets
//! ([`store`]) -> token lifecycle ([`tokens`]) -> requests ([`request`]), with
//! [`admin`] for what administering an app needs from the network, and [`commands`]
//! on top choosing the words. Lower layers never import higher ones; only
//! `commands` (through its printer) talks to the terminal.

pub mod admin;
pub mod agent;
pub mod app;
pub mod audit;
pub mod authorize;
pub mod choice;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod completion;
pub mod config;
pub mod context;
#[cfg(test)]
mod docs_check;
pub mod dpop;
pub mod error;
pub mod examples;
pub mod fsutil;
pub mod gate;
pub mod http;
pub mod jose;
pub mod mcp;
pub mod oauth;
pub mod presets;
#[cfg(test)]
mod proptests;
pub mod proxy;
pub mod request;
pub mod secret;
pub mod signals;
pub mod state;
pub mod store;
pub mod text;
pub mod tokens;
pub mod trace;
pub mod warnings;

use cli::{AppCommand, Cli, Command, PresetsCommand, SecretCommand};
use commands::Ctx;
use error::Result;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    commands::output::set_quiet(cli.quiet);
    if cli.trace {
        trace::enable();
    }
    let mut ctx = Ctx::new(
        cli.config.clone(),
        cli.store,
        cli.no_input,
        cli.store_key_command.clone(),
    )?;
    let result = match cli.command {
        Command::App(cmd) => match cmd {
            AppCommand::Add(args) => commands::app::add::run(&ctx, args),
            AppCommand::List { json } => commands::app::show::list(&ctx, json),
            AppCommand::Export { name } => commands::app::transfer::export(&ctx, name.as_deref()),
            AppCommand::Import { file } => commands::app::transfer::import(&ctx, &file),
            AppCommand::Presets {
                command: Some(PresetsCommand::Show { name, json }),
                ..
            } => commands::app::show::preset(&name, json),
            AppCommand::Presets {
                name: Some(name),
                json,
                ..
            } => commands::app::show::preset(&name, json),
            AppCommand::Presets {
                search,
                category,
                json,
                ..
            } => commands::app::show::presets(search.as_deref(), category, json),
            AppCommand::Show { name, json } => commands::app::show::show(&ctx, &name, json),
            AppCommand::Edit(args) => commands::app::edit::run(&ctx, args),
            AppCommand::Enable { name } => commands::app::lifecycle::set_enabled(&ctx, &name, true),
            AppCommand::Disable { name } => {
                commands::app::lifecycle::set_enabled(&ctx, &name, false)
            }
            AppCommand::Reset {
                name,
                yes,
                no_revoke,
            } => commands::app::lifecycle::reset(&ctx, &name, yes, no_revoke),
            AppCommand::Delete {
                name,
                yes,
                no_revoke,
                personal,
            } => commands::app::lifecycle::delete(&ctx, &name, yes, no_revoke, personal),
            AppCommand::Rename {
                name,
                new_name,
                team,
            } => commands::app::place::rename(&ctx, &name, &new_name, team),
            AppCommand::Move { name, to, yes } => {
                let to = match to.as_str() {
                    "team" => config::Place::Team,
                    _ => config::Place::Personal,
                };
                commands::app::place::move_app(&ctx, &name, to, yes)
            }
            AppCommand::Secret(SecretCommand::Set { name }) => {
                commands::app::secret::set_secret(&ctx, &name)
            }
        },
        Command::Authorize(args) => commands::authorize::run(&ctx, args),
        Command::Status { name, json, check } => {
            commands::status::run(&ctx, name.as_deref(), json, check)
        }
        Command::Token {
            name,
            account,
            format,
            json,
            force_refresh,
            dpop_proof,
            id_token,
            min_valid,
            scopes,
            resource,
            method,
            url,
        } => {
            let print = if dpop_proof {
                commands::token::Print::Proof {
                    method,
                    url: url.unwrap_or_default(),
                }
            } else if id_token {
                commands::token::Print::IdToken
            } else {
                let format = match (json, format) {
                    (true, _) => commands::token::Format::Json,
                    (false, format) => format.unwrap_or_default(),
                };
                if format == commands::token::Format::ExecCredential
                    && commands::token::ExecInfo::from_env().interactive == Some(false)
                {
                    // kubectl says no person can answer (its interactiveMode).
                    ctx.interactive = false;
                }
                if !scopes.is_empty() || resource.is_some() {
                    commands::token::Print::Narrowed {
                        scopes,
                        resource,
                        format,
                    }
                } else {
                    commands::token::Print::Token(format)
                }
            };
            let fresh = commands::token::Freshness {
                force: force_refresh,
                min_valid,
            };
            commands::token::run(&ctx, &name, account.as_deref(), print, fresh)
        }
        Command::Whoami {
            name,
            account,
            json,
        } => commands::status::whoami(&ctx, &name, account.as_deref(), json),
        Command::Audit { name, json, limit } => {
            commands::audit::run(&ctx, name.as_deref(), json, limit)
        }
        Command::Doctor { name, json } => commands::doctor::run(&ctx, name.as_deref(), json),
        Command::Curl(args) => commands::curl::run(&ctx, *args),
        Command::GitCredential {
            operation,
            app,
            account,
        } => {
            // Standard input is git's protocol: nobody can answer a prompt there.
            ctx.interactive = false;
            commands::git::credential(
                &ctx,
                commands::git::CredentialArgs {
                    operation,
                    app,
                    account,
                },
            )
        }
        Command::SetupGit {
            name,
            hosts,
            account,
        } => commands::git::setup(&ctx, &name, &hosts, account.as_deref()),
        Command::Agent(command) => commands::agent::run(&ctx, command),
        Command::Proxy {
            name,
            account,
            upstream,
            listen,
            socket,
            url_file,
            verbose,
            stdio,
        } => commands::proxy::run(
            &ctx,
            commands::proxy::Args {
                name,
                account,
                upstream,
                listen,
                socket,
                url_file,
                verbose,
                stdio,
            },
        ),
        Command::Exec {
            name,
            account,
            env,
            min_valid,
            command,
        } => commands::exec::run(
            &ctx,
            commands::exec::Args {
                name,
                account,
                env,
                min_valid,
                command,
            },
        ),
        Command::Logout {
            name,
            account,
            all,
            no_revoke,
        } => match (name, all) {
            (name, true) => commands::logout::all(&ctx, name.as_deref(), no_revoke),
            (Some(name), false) => {
                commands::logout::run(&ctx, &name, account.as_deref(), no_revoke)
            }
            (None, false) => Err(error::Error::Usage(
                "logout: name an application, or give --all".into(),
            )),
        },
        Command::Account(command) => commands::account::run(&ctx, command),
        Command::Store(cli::StoreCommand::Migrate { to, from }) => {
            commands::secret_store::migrate(&ctx, from, to)
        }
        Command::Store(cli::StoreCommand::Init { group, admin_group }) => {
            commands::secret_store::init(&ctx, &group, &admin_group)
        }
        Command::Store(cli::StoreCommand::SetKey) => commands::secret_store::set_key(&ctx),
        Command::Store(cli::StoreCommand::SetPassword) => {
            commands::secret_store::set_password(&ctx)
        }
        Command::Store(cli::StoreCommand::RotateKey) => commands::secret_store::rotate_key(&ctx),
        Command::Prune { no_revoke } => commands::status::prune(&ctx, no_revoke),
        Command::Completions { shell } => commands::generate::completions(shell),
        Command::GenerateDocs { check, dir } => commands::generate::docs(&dir, check),
    };
    result.map_err(|e| commands::for_this_user(&ctx, e))
}
