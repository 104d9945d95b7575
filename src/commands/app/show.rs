//! `outbound app list` and `outbound app show`: what is configured, never a secret.

use crate::app::App;
use crate::commands::output::{data, notice};
use crate::commands::{Ctx, print_json, print_table};
use crate::error::Result;
use crate::store::Backend;

/// The stable JSON shape of one application (`app list --json`, `app show --json`):
/// the validated app as it serializes (fields are only ever added, never renamed or
/// removed), with the store's name for a secret kept in the store.
pub fn view(app: &App, store: Backend) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(app)
        .map_err(|e| crate::error::Error::Other(format!("cannot encode `{}`: {e}", app.name)))?;
    // Every setting that names where one of the app's secrets lives (store::kinds).
    for field in crate::store::kinds::of_app().filter_map(|k| k.declared().setting) {
        if value[field] == "store" {
            value[field] = store.as_str().into();
        }
    }
    // Where it is defined: the configuration file (`personal`) or the team store.
    value["place"] = app.place.as_str().into();
    Ok(value)
}

pub fn list(ctx: &Ctx, json: bool) -> Result<()> {
    let config = ctx.load()?;
    listed(&config, ctx, json)?;
    // What works was said; an application set aside is the file's fault (exit 3).
    config.broken_error().map_or(Ok(()), Err)
}

fn listed(config: &crate::config::Config, ctx: &Ctx, json: bool) -> Result<()> {
    if json {
        let views = config
            .apps
            .iter()
            .map(|a| view(a, ctx.backend(config, a)))
            .collect::<Result<Vec<_>>>()?;
        return print_json(&views);
    }
    if config.apps.is_empty() {
        if !config.broken.is_empty() {
            return Ok(());
        }
        notice!(
            "no applications in {}; add one with `outbound app add NAME`",
            config.path.display()
        );
        return Ok(());
    }
    // Beside a team store, each says where it is defined.
    let team = config.team.is_some();
    let rows: Vec<[String; 5]> = config
        .apps
        .iter()
        .map(|a| {
            let name = if team {
                format!("{} ({})", a.name, a.place.as_str())
            } else {
                a.name.clone()
            };
            [
                name,
                a.grant.as_str().to_owned(),
                if a.enabled { "enabled" } else { "disabled" }.to_owned(),
                a.client_id.clone(),
                if a.scopes.is_empty() {
                    "-".to_owned()
                } else {
                    a.scopes.join(" ")
                },
            ]
        })
        .collect();
    let header = ["NAME", "GRANT", "STATE", "CLIENT ID", "SCOPES"].map(str::to_owned);
    print_table(&header, &rows);
    Ok(())
}

pub fn show(ctx: &Ctx, name: &str, json: bool) -> Result<()> {
    let config = ctx.load()?;
    let app = config.app(name)?;
    let value = view(app, ctx.backend(&config, app))?;
    if json {
        return print_json(&value);
    }
    let Some(fields) = value.as_object() else {
        return Ok(());
    };
    // Each setting that has a value, as text; those the app's grant and client
    // authentication never use are left out here (not in --json, whose keys stay).
    let lines: Vec<(&String, String)> = fields
        .iter()
        .filter_map(|(key, value)| Some((key, setting_text(key, value)?)))
        .collect();
    let (shown, left_out): (Vec<_>, Vec<_>) =
        lines.into_iter().partition(|(key, _)| app.applies(key));
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, text) in &shown {
        data!("{key:<width$}  {text}");
    }
    if !left_out.is_empty() {
        let names: Vec<&str> = left_out.iter().map(|(k, _)| k.as_str()).collect();
        notice!(
            "(not used with the {} grant and {} client authentication, so not shown: {}; `--json` has every setting)",
            app.grant.as_str(),
            app.client_auth.as_str(),
            names.join(", ")
        );
    }
    Ok(())
}

/// A setting's value as `app show` prints it; None when it has none (null, or an
/// empty list or table).
fn setting_text(key: &str, value: &serde_json::Value) -> Option<String> {
    let text = match value {
        serde_json::Value::Null => return None,
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.is_empty() => return None,
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Object(map) if map.is_empty() => return None,
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Number(n) if key == "expires_in" || key == "refresh_skew" => {
            format!("{n}s")
        }
        other => other.to_string(),
    };
    Some(if key == "scope_delimiter" {
        format!("{text:?}")
    } else {
        text
    })
}

/// `outbound app presets show NAME [--json]`.
pub fn preset(name: &str, json: bool) -> Result<()> {
    let preset = crate::presets::get(name)?;
    if json {
        let mut value = serde_json::to_value(&preset)
            .map_err(|e| crate::error::Error::Other(format!("cannot encode JSON: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("name".into(), name.into());
        }
        return print_json(&value);
    }
    data!("{name}: {}", preset.description);
    for (param, default) in &preset.params {
        let default = if default.is_empty() {
            "required".to_owned()
        } else {
            format!("default {default}")
        };
        data!("parameter: --preset-param {param}=VALUE ({default})");
    }
    data!("\nsettings it fills (flags given to `app add` win):");
    for (key, value) in &preset.settings {
        match value {
            toml::Value::Table(inner) => {
                for (inner_key, value) in inner {
                    data!("  {key}.{inner_key} = {value}");
                }
            }
            value => data!("  {key} = {value}"),
        }
    }
    data!("\nat the provider: {}", preset.register);
    let redirect = preset
        .settings
        .get("redirect_uri")
        .and_then(toml::Value::as_str)
        .unwrap_or(crate::app::DEFAULT_REDIRECT_URI);
    let person = preset
        .settings
        .get("grant")
        .and_then(toml::Value::as_str)
        .is_none_or(|g| matches!(g, "authorization_code" | "device_code"));
    if person {
        let any_port = url::Url::parse(redirect).is_ok_and(|u| u.port().is_none());
        let note = if any_port {
            " (any port)"
        } else {
            " (exactly, port included)"
        };
        data!("  redirect URI: {redirect}{note}");
    }
    let required: String = preset
        .params
        .iter()
        .filter(|(_, default)| default.is_empty())
        .map(|(param, _)| format!(" --preset-param {param}=VALUE"))
        .collect();
    data!(
        "\nadd it: outbound app add NAME --preset {name}{required} --client-id ID --client-secret-stdin"
    );
    Ok(())
}

/// `outbound app presets [--json]`.
pub fn presets(json: bool) -> Result<()> {
    let all = crate::presets::all()?;
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|(name, p)| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                if let Some(map) = v.as_object_mut() {
                    map.insert("name".into(), name.clone().into());
                }
                v
            })
            .collect();
        return print_json(&list);
    }
    // One column as wide as the longest name, so descriptions line up.
    let width = all
        .keys()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    for (name, p) in &all {
        let params: Vec<String> = p
            .params
            .iter()
            .map(|(k, d)| {
                if d.is_empty() {
                    format!("{k}=… (required)")
                } else {
                    format!("{k}={d}")
                }
            })
            .collect();
        data!("{name:<width$}  {}", p.description);
        if !params.is_empty() {
            data!("{:<width$}  --preset-param {}", "", params.join(" "));
        }
    }
    Ok(())
}
