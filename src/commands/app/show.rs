//! `outbound app list` and `outbound app show`: what is configured, never a secret.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::App;
use crate::commands::{Ctx, print_json, print_table};
use crate::error::Result;
use crate::store::Backend;

/// The stable JSON shape of one application (`app list --json`, `app show --json`).
/// Fields are only ever added, never renamed or removed.
#[derive(Serialize)]
pub struct AppView<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub description: Option<&'a str>,
    pub approval_prompt: Option<&'a str>,
    pub enabled: bool,
    pub generation: u64,
    pub grant: &'static str,
    pub client_id: &'a str,
    /// Where the secret lives (`keyring`, `file`, `env:VAR`, `command`), or null.
    pub client_secret: Option<String>,
    pub client_auth: &'static str,
    pub auth_url: Option<&'a str>,
    pub token_url: &'a str,
    pub revocation_url: Option<&'a str>,
    pub device_url: Option<&'a str>,
    pub scopes: &'a [String],
    pub scope_delimiter: &'a str,
    pub pkce: bool,
    /// Seconds, or null when only the server says.
    pub expires_in: Option<u64>,
    pub refresh_skew: u64,
    pub redirect_uri: &'a str,
    pub prompt: Option<&'a str>,
    pub auth_params: &'a BTreeMap<String, String>,
    pub token_headers: &'a BTreeMap<String, String>,
    pub token_params: &'a BTreeMap<String, String>,
    pub allowed_hosts: &'a [String],
    pub proxy: Option<&'a str>,
    pub ca_file: Option<String>,
    pub token_header_name: &'a str,
    pub token_format: &'a str,
    pub issuer: Option<&'a str>,
    /// `form` or `json`.
    pub token_body: &'static str,
    pub refresh_url: Option<&'a str>,
    /// Token-response field -> dotted path in the answer.
    pub token_fields: &'a BTreeMap<String, String>,
}

impl<'a> AppView<'a> {
    pub fn new(app: &'a App, store: Backend) -> Self {
        AppView {
            name: &app.name,
            id: &app.id,
            description: app.description.as_deref(),
            approval_prompt: app.approval_prompt.as_deref(),
            enabled: app.enabled,
            generation: app.generation,
            grant: app.grant.as_str(),
            client_id: &app.client_id,
            client_secret: app.client_secret.describe(store),
            client_auth: app.client_auth.as_str(),
            auth_url: app.auth_url.as_ref().map(|u| u.as_str()),
            token_url: app.token_url.as_str(),
            revocation_url: app.revocation_url.as_ref().map(|u| u.as_str()),
            device_url: app.device_url.as_ref().map(|u| u.as_str()),
            scopes: &app.scopes,
            scope_delimiter: &app.scope_delimiter,
            pkce: app.pkce,
            expires_in: app.expires_in.map(|d| d.as_secs()),
            refresh_skew: app.refresh_skew.as_secs(),
            redirect_uri: app.redirect_uri.as_str(),
            prompt: app.prompt.as_deref(),
            auth_params: &app.auth_params,
            token_headers: &app.token_headers,
            token_params: &app.token_params,
            allowed_hosts: &app.allowed_hosts,
            proxy: app.proxy.as_ref().map(|u| u.as_str()),
            ca_file: app.ca_file.as_ref().map(|p| p.display().to_string()),
            token_header_name: &app.token_header_name,
            token_format: &app.token_format,
            issuer: app.issuer.as_ref().map(|u| u.as_str()),
            token_body: match app.token_request.body {
                crate::app::BodyFormat::Form => "form",
                crate::app::BodyFormat::Json => "json",
            },
            refresh_url: app.token_request.refresh_url.as_ref().map(|u| u.as_str()),
            token_fields: &app.token_request.response,
        }
    }
}

pub fn list(ctx: &Ctx, json: bool) -> Result<()> {
    let config = ctx.load()?;
    let backend = ctx.backend(&config);
    if json {
        let views: Vec<AppView> = config
            .apps
            .iter()
            .map(|a| AppView::new(a, backend))
            .collect();
        return print_json(&views);
    }
    if config.apps.is_empty() {
        eprintln!(
            "no applications in {}; add one with `outbound app add NAME`",
            config.path.display()
        );
        return Ok(());
    }
    let rows: Vec<[String; 5]> = config
        .apps
        .iter()
        .map(|a| {
            [
                a.name.clone(),
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
    let view = AppView::new(app, ctx.backend(&config));
    if json {
        return print_json(&view);
    }
    let value = serde_json::to_value(&view)
        .map_err(|e| crate::error::Error::Other(format!("cannot encode: {e}")))?;
    let Some(fields) = value.as_object() else {
        return Ok(());
    };
    let width = fields.keys().map(String::len).max().unwrap_or(0);
    for (key, value) in fields {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) if items.is_empty() => continue,
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(" "),
            serde_json::Value::Object(map) if map.is_empty() => continue,
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
        let text = if key == "scope_delimiter" {
            format!("{text:?}")
        } else {
            text
        };
        println!("{key:<width$}  {text}");
    }
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
        println!("{name:<11} {}", p.description);
        if !params.is_empty() {
            println!("{:<11} --preset-param {}", "", params.join(" "));
        }
    }
    Ok(())
}
