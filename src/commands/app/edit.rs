//! `outbound app edit NAME`: change only what is given; `--unset FIELD` removes.

use crate::commands::output::notice;
use toml_edit::{Item, TableLike};

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
        unset,
    } = args;
    let mut patch = patch_of(&settings)?;
    let config = ctx.load()?;
    let app = config.app(&name)?.clone();
    let unset: Vec<String> = unset.iter().map(|f| f.replace('-', "_")).collect();
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
    let discovered = crate::admin::discover_into(&name, &mut patch)?;
    let new_ref = secret_ref_from(&settings);
    let unset_secret = unset.iter().any(|f| f == "client_secret");
    if patch.is_empty() && new_ref.is_none() && unset.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to change: give a setting flag (see `outbound app edit --help`) or --unset FIELD for `{name}`"
        )));
    }

    let store = if new_ref == Some(SecretRef::Store) || app.client_secret == SecretRef::Store {
        Some(ctx.store(&config))
    } else {
        None
    };
    if new_ref == Some(SecretRef::Store)
        && let Some(store) = &store
    {
        let secret = ctx.read_secret(settings.client_secret_stdin)?;
        tokens::store_client_secret(store.as_ref(), &app.id, &secret)?;
    }

    edit_config(ctx, &name, |_, doc| {
        let table = app_table(doc, &name)?;
        patch.apply(table);
        if let Some(require_iss) = discovered {
            set(table, "require_iss", require_iss);
        }
        if let Some(config_value) = new_ref.as_ref().and_then(SecretRef::to_config) {
            set(table, "client_secret", config_value);
        }
        for field in &unset {
            remove(table, field);
        }
        Ok(())
    })?;

    // A secret the configuration no longer points at is deleted, not left behind.
    let secret_moved = matches!(new_ref, Some(SecretRef::Env(_) | SecretRef::Command(_)));
    if app.client_secret == SecretRef::Store
        && (secret_moved || (unset_secret && new_ref.is_none()))
        && let Some(store) = &store
    {
        tokens::delete_client_secret(store.as_ref(), &app.id)?;
    }
    notice!("updated application `{name}`");
    Ok(())
}

fn remove(table: &mut dyn TableLike, field: &str) {
    match field.split_once('.') {
        Some((map, key)) => {
            if let Some(inner) = table.get_mut(map).and_then(Item::as_table_like_mut) {
                inner.remove(key);
            }
        }
        None => {
            table.remove(field);
        }
    }
}
