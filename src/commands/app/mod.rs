//! `outbound app …`: administration of the applications in one configuration file.

pub mod add;
pub mod edit;
pub mod lifecycle;
pub mod secret;
pub mod show;

use toml_edit::{Array, DocumentMut, InlineTable, Item, TableLike, Value};

use super::Ctx;
use crate::app::{App, SecretRef};
use crate::cli::Settings;
use crate::config::{self, Config, EditError};
use crate::error::{Error, Result};
use crate::state::Index;
use crate::store::SecretStore;
use crate::tokens;

/// The command-line flag that sets a configuration field, for error messages about
/// values the user just typed.
fn flag_for(field: &str) -> String {
    match field {
        "scopes" => "--scope".into(),
        "allowed_hosts" => "--allowed-host".into(),
        "auth_params" => "--auth-param".into(),
        "token_headers" => "--token-header".into(),
        "token_params" => "--token-param".into(),
        "client_secret" => "the client secret".into(),
        "token_request" => "--token-body/--refresh-url/--token-field".into(),
        "name" => "NAME".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// [`config::edit`] for a command that changes application `name`: a validation
/// error about that app is reported against the flag (exit 2), anything else as
/// the configuration error it is (exit 3).
fn edit_config<T>(
    ctx: &Ctx,
    name: &str,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
) -> Result<T> {
    edit_config_staged(ctx, name, change, |_| Ok(()))
}

/// [`edit_config`] through [`config::edit_staged`].
fn edit_config_staged<T>(
    ctx: &Ctx,
    name: &str,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> Result<T> {
    config::edit_staged(&ctx.config_path, change, before_commit).map_err(|e| match e {
        EditError::Failed(e) => e,
        EditError::Invalid(parse) => match parse.invalid {
            Some(invalid) if invalid.app == name => Error::Usage(format!(
                "{}: {}",
                flag_for(invalid.field.field),
                invalid.field.message
            )),
            _ => parse.error.into(),
        },
    })
}

/// The `[apps.NAME]` table of a loaded document.
fn app_table<'a>(doc: &'a mut DocumentMut, name: &str) -> Result<&'a mut dyn TableLike> {
    doc.get_mut("apps")
        .and_then(|apps| apps.get_mut(name))
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            Error::Other(format!(
                "`apps.{name}` is not a table in the configuration file"
            ))
        })
}

/// Sets `key` to `value`, keeping the comment decor of a value it replaces.
fn set(table: &mut dyn TableLike, key: &str, value: impl Into<Value>) {
    let mut value = value.into();
    match table.get_mut(key) {
        // Replacing in place keeps the key's own formatting (`id    =`) too.
        Some(item) => {
            if let Some(old) = item.as_value() {
                *value.decor_mut() = old.decor().clone();
            }
            *item = Item::Value(value);
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

fn string_array(items: impl IntoIterator<Item = String>) -> Array {
    items.into_iter().collect()
}

/// Merges `pairs` into the inline table at `key` (creating it), key by key.
fn merge_map(table: &mut dyn TableLike, key: &str, pairs: &[(String, String)]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    if table.get(key).is_none() {
        table.insert(key, Item::Value(Value::InlineTable(InlineTable::new())));
    }
    let map = table
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| Error::Usage(format!("`{key}` in the configuration file is not a table")))?;
    for (k, v) in pairs {
        map.insert(k, Item::Value(Value::from(v.as_str())));
    }
    Ok(())
}

/// Writes every non-secret setting that was given into the app's table.
fn apply_settings(table: &mut dyn TableLike, s: &Settings) -> Result<()> {
    let strings = [
        ("issuer", &s.issuer),
        ("description", &s.description),
        ("approval_prompt", &s.approval_prompt),
        ("client_id", &s.client_id),
        ("auth_url", &s.auth_url),
        ("token_url", &s.token_url),
        ("revocation_url", &s.revocation_url),
        ("device_url", &s.device_url),
        ("scope_delimiter", &s.scope_delimiter),
        ("expires_in", &s.expires_in),
        ("refresh_skew", &s.refresh_skew),
        ("redirect_uri", &s.redirect_uri),
        ("prompt", &s.prompt),
        ("proxy", &s.proxy),
        ("token_header_name", &s.token_header_name),
        ("token_format", &s.token_format),
    ];
    for (key, value) in strings {
        if let Some(v) = value {
            set(table, key, v.as_str());
        }
    }
    if let Some(grant) = s.grant {
        set(table, "grant", grant.as_str());
    }
    if let Some(auth) = s.client_auth {
        set(table, "client_auth", auth.as_str());
    }
    if let Some(path) = &s.ca_file {
        let path = std::path::absolute(path)
            .map_err(|e| Error::io(format!("--ca-file {}", path.display()), e))?;
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "--ca-file: {} is not a readable file",
                path.display()
            )));
        }
        set(table, "ca_file", path.to_string_lossy().as_ref());
    }
    if s.scopes.iter().any(|scope| scope.trim().is_empty()) {
        return Err(Error::Usage(
            "--scope: a scope cannot be empty (to request no scope, leave --scope out or use --unset scopes)".into(),
        ));
    }
    if !s.scopes.is_empty() {
        // A scope never contains a space (RFC 6749 3.3), so "a b" means two scopes.
        let scopes = s
            .scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(str::to_owned);
        set(table, "scopes", string_array(scopes));
    }
    if !s.allowed_hosts.is_empty() {
        set(
            table,
            "allowed_hosts",
            string_array(s.allowed_hosts.iter().cloned()),
        );
    }
    if s.no_pkce {
        set(table, "pkce", false);
    } else if s.pkce {
        set(table, "pkce", true);
    }
    if s.token_body.is_some() || s.refresh_url.is_some() || !s.token_fields.is_empty() {
        if table.get("token_request").is_none() {
            table.insert(
                "token_request",
                Item::Value(Value::InlineTable(InlineTable::new())),
            );
        }
        let request = table
            .get_mut("token_request")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| {
                Error::Usage("`token_request` in the configuration file is not a table".into())
            })?;
        if let Some(body) = s.token_body {
            set(
                request,
                "body",
                if body == crate::app::BodyFormat::Json {
                    "json"
                } else {
                    "form"
                },
            );
        }
        if let Some(url) = &s.refresh_url {
            set(request, "refresh_url", url.as_str());
        }
        merge_map(request, "response", &s.token_fields)?;
    }
    merge_map(table, "auth_params", &s.auth_params)?;
    merge_map(table, "token_headers", &s.token_headers)?;
    merge_map(table, "token_params", &s.token_params)?;
    Ok(())
}

/// `--issuer`: reads the server's metadata and fills the endpoints (and PKCE
/// support) that were not given explicitly. Returns whether the server promises
/// `iss` in authorization responses, when an issuer was given.
fn discover_into(name: &str, s: &mut Settings) -> Result<Option<bool>> {
    let Some(issuer) = s.issuer.clone() else {
        return Ok(None);
    };
    let issuer_url =
        crate::app::check_endpoint(&issuer).map_err(|m| Error::Usage(format!("--issuer: {m}")))?;
    let proxy = match &s.proxy {
        Some(p) => {
            Some(crate::app::check_proxy(p).map_err(|m| Error::Usage(format!("--proxy: {m}")))?)
        }
        None => None,
    };
    let http = crate::http::discovery_client(name, proxy.as_ref(), s.ca_file.as_deref())?;
    let meta = crate::oauth::discovery::discover(&http, &issuer_url)?;
    let fill = |slot: &mut Option<String>, value: &Option<String>| {
        if slot.is_none() {
            slot.clone_from(value);
        }
    };
    fill(&mut s.auth_url, &meta.authorization_endpoint);
    fill(&mut s.token_url, &meta.token_endpoint);
    fill(&mut s.revocation_url, &meta.revocation_endpoint);
    fill(&mut s.device_url, &meta.device_authorization_endpoint);
    if let Some(methods) = &meta.code_challenge_methods_supported
        && !methods.iter().any(|m| m == "S256")
        && !s.pkce
    {
        s.no_pkce = true;
    }
    // Keep the issuer exactly as the server names itself.
    s.issuer = Some(meta.issuer.clone());
    Ok(Some(meta.authorization_response_iss_parameter_supported))
}

/// The secret reference the flags ask for, if any (`--client-secret-stdin` means
/// the store).
fn secret_ref_from(s: &Settings) -> Option<SecretRef> {
    if s.client_secret_stdin {
        Some(SecretRef::Store)
    } else if let Some(var) = &s.client_secret_env {
        Some(SecretRef::Env(var.clone()))
    } else {
        s.client_secret_command.clone().map(SecretRef::Command)
    }
}

/// Removes this user's tokens for `app` from the store and the index, revoking
/// them at the server when `revoke`. Returns how many accounts were removed.
fn forget_tokens(
    ctx: &Ctx,
    config: &Config,
    store: &dyn SecretStore,
    app: &App,
    revoke: bool,
) -> Result<usize> {
    let audit = ctx.audit(config);
    let accounts = Index::load(&ctx.state_dir).accounts_of(&app.id);
    for account in &accounts {
        let outcome = tokens::forget(
            store,
            &ctx.state_dir,
            &app.id,
            account,
            revoke.then_some(app),
            &audit,
        )?;
        super::report_revocation(&app.name, account, &outcome);
    }
    Ok(accounts.len())
}
