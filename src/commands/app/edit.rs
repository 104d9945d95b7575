//! `outbound app edit NAME`: change only what is given; `--unset FIELD` removes;
//! `--add-…`/`--remove-…` change one entry of a list. Every edit says what changed.

use crate::commands::output::{notice, warning};
use toml_edit::{Array, Item, TableLike};

use super::{app_table, edit_config, patch_of, secret_ref_from, set};
use crate::app::SecretRef;
use crate::cli::EditArgs;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::tokens;

/// Fields `--unset` may remove: every setting but `id`, `enabled` and `generation`,
/// which their own commands manage.
fn unsettable() -> Vec<&'static str> {
    crate::app::setting_names()
        .iter()
        .copied()
        .filter(|f| !matches!(*f, "id" | "enabled" | "generation"))
        .collect()
}

pub fn run(ctx: &Ctx, args: EditArgs) -> Result<()> {
    let EditArgs {
        name,
        settings,
        entries,
        unset,
    } = args;
    let mut patch = patch_of(&settings)?;
    let typed = super::endpoints_in(&patch);
    let config = ctx.load_for_writing()?;
    let app = config.app(&name)?.clone();
    let mut unset: Vec<String> = unset.iter().map(|f| f.replace('-', "_")).collect();
    unset.extend(entries.removed_keys());
    for field in &unset {
        let base = field.split_once('.').map_or(field.as_str(), |(b, _)| b);
        let nested_ok = matches!(base, "auth_params" | "token_headers" | "token_params");
        let fields = unsettable();
        if !fields.contains(&base) || (field.contains('.') && !nested_ok) {
            return Err(Error::Usage(format!(
                "--unset {field}: not a field that can be removed; one of: {} (or auth_params.KEY, token_headers.KEY, token_params.KEY)",
                fields.join(", ")
            )));
        }
    }
    let new_ref = secret_ref_from(&settings);
    let new_key = super::private_key_from(&settings)?;
    let (tls_cert, tls_key) = super::client_tls_from(&settings)?;
    let has_secret = new_ref.is_some() || app.client_secret != SecretRef::None;
    let mtls = super::presents_certificate(&patch, Some(&app), &settings);
    let discovered = crate::admin::discover_into(&name, &mut patch, has_secret, mtls)?;
    let unset_secret = unset.iter().any(|f| f == "client_secret");
    if patch.is_empty()
        && new_ref.is_none()
        && new_key.is_none()
        && tls_cert.is_none()
        && tls_key.is_none()
        && unset.is_empty()
        && entries.is_empty()
    {
        // No flags: the app's table in an editor, where a person is there to use one.
        if ctx.interactive {
            return super::editor::run(ctx, &name);
        }
        return Err(Error::Usage(format!(
            "nothing to change: give a setting flag (see `outbound app edit --help`) or --unset FIELD for `{name}` (with no flags on a terminal, it opens $EDITOR)"
        )));
    }
    for (field, add, _) in entries.lists() {
        if add.iter().any(|v| v.trim().is_empty()) {
            return Err(Error::Usage(format!(
                "{}: a value cannot be empty",
                list_flag(field, "add")
            )));
        }
    }

    let key_in_store = matches!(new_key, Some((SecretRef::Store, _)));
    let store = if new_ref == Some(SecretRef::Store)
        || app.client_secret == SecretRef::Store
        || key_in_store
        || app.private_key == SecretRef::Store
        || tls_cert.is_some()
        || tls_key.is_some()
    {
        Some(ctx.store(&config, &app))
    } else {
        None
    };
    if new_ref == Some(SecretRef::Store)
        && let Some(store) = &store
    {
        let secret = ctx.read_secret(settings.client_secret_stdin)?;
        tokens::store_client_secret(store.as_ref(), &app.id, &secret)?;
    }
    if let (Some((_, Some(pem))), Some(store)) = (&new_key, &store) {
        tokens::store_private_key(store.as_ref(), &app.id, pem)?;
    }
    for (name, found) in [
        (crate::store::client_cert_key(&app.id), &tls_cert),
        (crate::store::client_tls_key_key(&app.id), &tls_key),
    ] {
        if let (Some((_, Some(pem))), Some(store)) = (found, &store) {
            store.set(&name, pem)?;
        }
    }

    let changes = edit_config(ctx, &name, |config, doc| {
        let table = app_table(doc, &name)?;
        patch.apply(table);
        for (field, add, remove) in entries.lists() {
            edit_list(table, field, add, remove, &name);
        }
        if let Some(discovered) = &discovered {
            set(table, "require_iss", discovered.require_iss);
            set(table, "require_par", discovered.require_par);
        }
        if let Some(config_value) = new_ref.as_ref().and_then(SecretRef::to_config) {
            set(table, "client_secret", config_value);
        }
        if let Some(config_value) = new_key.as_ref().and_then(|(r, _)| r.to_config()) {
            set(table, "private_key", config_value);
        }
        for (field, found) in [("client_cert", &tls_cert), ("client_key", &tls_key)] {
            if let Some(config_value) = found.as_ref().and_then(|(r, _)| r.to_config()) {
                set(table, field, config_value);
            }
        }
        for field in &unset {
            remove(table, field);
        }
        let before = config.app(&name)?;
        Ok(
            match crate::config::Config::parse(&config.path, &doc.to_string()) {
                Ok(new) => new.app(&name).map(|after| changes(before, after))?,
                // The edit is refused with the reason once it is validated.
                Err(_) => Vec::new(),
            },
        )
    })?;

    // A secret the configuration no longer points at is deleted, not left behind.
    let secret_moved = matches!(new_ref, Some(SecretRef::Env(_) | SecretRef::Command(_)));
    if app.client_secret == SecretRef::Store
        && (secret_moved || (unset_secret && new_ref.is_none()))
        && let Some(store) = &store
    {
        tokens::delete_client_secret(store.as_ref(), &app.id)?;
    }
    let key_moved = matches!(
        new_key,
        Some((SecretRef::Env(_) | SecretRef::Command(_), _))
    );
    let unset_key = unset.iter().any(|f| f == "private_key");
    if app.private_key == SecretRef::Store
        && (key_moved || (unset_key && new_key.is_none()))
        && let Some(store) = &store
    {
        tokens::delete_private_key(store.as_ref(), &app.id)?;
    }
    report(&name, changes);
    let config = ctx.load();
    let after = config.as_ref().ok().and_then(|c| c.app(&name).ok());
    if let Some(after) = after {
        super::check_typed_endpoints(after, &typed);
    }
    // A client `--from-url` registered hears of its new scopes or redirect URI.
    if let Ok(config) = &config
        && let Some(after) = after
        && (after.scopes != app.scopes || after.redirect_uri != app.redirect_uri)
    {
        let store = store.unwrap_or_else(|| ctx.store(config, &app));
        match tokens::update_registration(after, store.as_ref()) {
            Ok(true) => notice!("updated the client registered at the server"),
            Ok(false) => {}
            Err(e) => crate::commands::output::warning!(
                "updating the client registered at the server failed: {e}\n  the app is changed here; the server still has the old registration"
            ),
        }
    }
    Ok(())
}

/// Says what an edit changed, a line per setting (or that nothing did).
pub(super) fn report(name: &str, changes: Vec<String>) {
    if changes.is_empty() {
        notice!("application `{name}` is unchanged");
    } else {
        notice!("updated application `{name}`:");
        for line in changes {
            notice!("  {line}");
        }
    }
}

/// `--add-scope`, `--remove-allowed-host`: the flag of one list change.
fn list_flag(field: &str, verb: &str) -> String {
    let flag = field.trim_end_matches('s').replace('_', "-");
    format!("--{verb}-{flag}")
}

/// Adds the values not in the list yet and removes the given ones, keeping the
/// others and their order. A scope with spaces is several (as for `--scope`).
fn edit_list(table: &mut dyn TableLike, field: &str, add: &[String], remove: &[String], app: &str) {
    if add.is_empty() && remove.is_empty() {
        return;
    }
    let split = |values: &[String]| -> Vec<String> {
        if field == "scopes" {
            values
                .iter()
                .flat_map(|v| v.split_whitespace().map(str::to_owned))
                .collect()
        } else {
            values.iter().map(|v| v.trim().to_owned()).collect()
        }
    };
    if table.get(field).is_none_or(|i| i.as_array().is_none()) {
        table.insert(field, Item::Value(toml_edit::Value::Array(Array::new())));
    }
    let Some(list) = table.get_mut(field).and_then(Item::as_array_mut) else {
        return;
    };
    for value in split(remove) {
        let before = list.len();
        list.retain(|v| v.as_str() != Some(value.as_str()));
        if list.len() == before {
            warning!(
                "{} {value}: `{value}` was not in {field} of `{app}`",
                list_flag(field, "remove")
            );
        }
    }
    for value in split(add) {
        if !list.iter().any(|v| v.as_str() == Some(value.as_str())) {
            list.push(value);
        }
    }
    // A one-line list is laid out again (a removed first item leaves `[ "b"]`); a
    // list written over several lines keeps its layout and comments.
    if !list.to_string().contains('\n') {
        list.fmt();
    }
}

/// What an edit changed, a line per setting: `scopes: ["a"] → ["a", "b"]`, in the
/// terms `app show --json` uses (the file holds no secret, so neither does this).
pub(super) fn changes(before: &crate::app::App, after: &crate::app::App) -> Vec<String> {
    let (Ok(before), Ok(after)) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    diff("", &before, &after, &mut lines);
    lines
}

fn diff(path: &str, before: &serde_json::Value, after: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    let (Value::Object(old), Value::Object(new)) = (before, after) else {
        if before != after {
            out.push(format!("{path}: {} → {}", shown(before), shown(after)));
        }
        return;
    };
    let keys = old
        .keys()
        .chain(new.keys().filter(|k| !old.contains_key(*k)));
    for key in keys {
        let inner = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let null = Value::Null;
        diff(
            &inner,
            old.get(key).unwrap_or(&null),
            new.get(key).unwrap_or(&null),
            out,
        );
    }
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(shown).collect();
            format!("[{}]", items.join(", "))
        }
        other => crate::text::printable(&other.to_string()),
    }
}

fn remove(table: &mut dyn TableLike, field: &str) {
    match field.split_once('.') {
        Some((map, key)) => {
            if let Some(inner) = table.get_mut(map).and_then(Item::as_table_like_mut) {
                inner.remove(key);
                if inner.is_empty() {
                    table.remove(map);
                }
            }
        }
        None => {
            table.remove(field);
        }
    }
}
