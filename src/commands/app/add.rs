//! `outbound app add NAME`: define a new application.

use toml_edit::{Item, Table, value};

use super::{apply_settings, discover_into, edit_config, secret_ref_from};
use crate::app::{self, ClientAuth, Grant, SecretRef};
use crate::cli::{AddArgs, Settings};
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::store;

pub fn run(ctx: &Ctx, args: AddArgs) -> Result<()> {
    let AddArgs {
        name,
        mut settings,
        preset,
        preset_params,
    } = args;
    app::check_name(&name).map_err(Error::Usage)?;
    let config = ctx.load()?;
    if config.apps.iter().any(|a| a.name == name) {
        return Err(Error::Usage(format!(
            "an application named `{name}` already exists in {}; change it with `outbound app edit {name}`",
            config.path.display()
        )));
    }
    if let Some(preset) = &preset {
        crate::presets::apply(preset, &preset_params, &mut settings)?;
    }
    let discovered = discover_into(&name, &mut settings)?;
    let mut secret_ref = secret_ref_from(&settings);
    complete_required(ctx, &name, &mut settings, &mut secret_ref)?;

    let id = app::new_id().map_err(Error::Other)?;
    // The secret is stored first, under the fresh id nobody else knows yet, and
    // removed again if the configuration cannot be saved.
    let stored = match secret_ref {
        Some(SecretRef::Store) => {
            let secret = ctx.read_secret(settings.client_secret_stdin)?;
            let store = ctx.store(&config);
            store.set(&store::client_secret_key(&id), &secret)?;
            Some(store)
        }
        _ => None,
    };

    let saved = edit_config(ctx, &name, |config, doc| {
        if config.apps.iter().any(|a| a.name == name) {
            return Err(Error::Usage(format!(
                "an application named `{name}` was just added by another process"
            )));
        }
        let apps = doc
            .entry("apps")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_like_mut()
            .ok_or_else(|| {
                Error::Usage("`apps` in the configuration file is not a table".into())
            })?;
        let mut table = Table::new();
        table.insert("id", value(id.as_str()));
        table.insert("enabled", value(true));
        table.insert("generation", value(1));
        if let Some(s) = secret_ref.as_ref().and_then(SecretRef::to_config) {
            table.insert("client_secret", value(s));
        }
        apply_settings(&mut table, &settings)?;
        if let Some(require_iss) = discovered {
            table.insert("require_iss", value(require_iss));
        }
        apps.insert(&name, Item::Table(table));
        Ok(())
    });
    if let Err(e) = saved {
        if let Some(store) = stored {
            // Best effort: the error that matters is the one being returned.
            let _ = store.delete(&store::client_secret_key(&id));
        }
        return Err(e);
    }
    eprintln!(
        "added application `{name}` (id {id}) to {}",
        ctx.config_path.display()
    );
    Ok(())
}

/// Asks for the values a grant cannot do without, or lists the missing flags when
/// nobody is there to ask.
fn complete_required(
    ctx: &Ctx,
    name: &str,
    s: &mut Settings,
    secret_ref: &mut Option<SecretRef>,
) -> Result<()> {
    let grant = s.grant.unwrap_or_default();
    let needs_secret = s.client_auth.unwrap_or_default() != ClientAuth::None;
    let mut missing: Vec<(&str, &mut Option<String>)> = Vec::new();
    if s.client_id.is_none() {
        missing.push(("--client-id", &mut s.client_id));
    }
    if grant == Grant::AuthorizationCode && s.auth_url.is_none() {
        missing.push(("--auth-url", &mut s.auth_url));
    }
    if grant == Grant::DeviceCode && s.device_url.is_none() {
        missing.push(("--device-url", &mut s.device_url));
    }
    if s.token_url.is_none() {
        missing.push(("--token-url", &mut s.token_url));
    }
    let secret_missing = needs_secret && secret_ref.is_none();
    if missing.is_empty() && !secret_missing {
        return Ok(());
    }
    if !ctx.interactive {
        let mut flags: Vec<&str> = missing.iter().map(|(f, _)| *f).collect();
        if secret_missing {
            flags.push(
                "a client secret (--client-secret-stdin, --client-secret-env VAR or --client-secret-command CMD; or --client-auth none for a public client)",
            );
        }
        return Err(Error::Usage(format!(
            "missing required settings for `outbound app add {name}` (grant {}): {}",
            grant.as_str(),
            flags.join(", ")
        )));
    }
    for (flag, slot) in missing {
        let label = flag.trim_start_matches("--").replace('-', " ");
        let answer = if flag == "--client-id" {
            ctx.ask(&label, |v| {
                if v.trim().is_empty() {
                    Err("must not be empty".into())
                } else {
                    Ok(())
                }
            })?
        } else {
            ctx.ask(&label, |v| app::check_endpoint(v).map(|_| ()))?
        };
        *slot = Some(answer.trim().to_owned());
    }
    if secret_missing {
        *secret_ref = Some(SecretRef::Store);
    }
    Ok(())
}
