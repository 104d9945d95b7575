//! `outbound app add NAME` on a terminal with no settings: a guided start, as
//! `rclone config` and `gh auth login` do. A preset or the provider's issuer comes
//! first (they fill the endpoints); then what is still missing is asked for by
//! `add` itself, and last the scopes and the hosts tokens may go to.

use crate::app::{ClientAuth, Grant, Patch};
use crate::choice::Choice;
use crate::commands::Ctx;
use crate::commands::output::say;
use crate::error::Result;

/// Where the endpoints come from.
pub struct Start {
    pub preset: Option<String>,
    pub preset_params: Vec<(String, String)>,
}

/// Asks how to start and fills `patch` (the issuer, or the grant typed by hand).
pub fn start(ctx: &Ctx, patch: &mut Patch) -> Result<Start> {
    let choice = dialoguer::Select::new()
        .with_prompt("Where do this provider's endpoints come from?")
        .items([
            "a preset (GitHub, GitLab, Google, Microsoft, Okta, …)",
            "the provider's issuer URL (OpenID Connect / OAuth discovery)",
            "I will type them",
        ])
        .default(0)
        .interact()
        .map_err(crate::commands::prompt_error)?;
    match choice {
        0 => {
            let presets = crate::presets::all()?;
            for (name, preset) in &presets {
                say!("  {name:<11} {}", preset.description);
            }
            let preset = ctx.ask("Preset", |v| {
                if presets.contains_key(v.trim()) {
                    Ok(())
                } else {
                    Err("one of the names above".into())
                }
            })?;
            let preset = preset.trim().to_owned();
            let mut params = Vec::new();
            if let Some(p) = presets.get(&preset) {
                for (param, default) in &p.params {
                    let mut input = dialoguer::Input::<String>::new()
                        .with_prompt(format!("Preset parameter `{param}`"));
                    if !default.is_empty() {
                        input = input.default(default.clone());
                    }
                    let value = input
                        .interact_text()
                        .map_err(crate::commands::prompt_error)?;
                    params.push((param.clone(), value.trim().to_owned()));
                }
            }
            Ok(Start {
                preset: Some(preset),
                preset_params: params,
            })
        }
        1 => {
            let issuer = ctx.ask("Issuer URL", |v| {
                crate::app::check_endpoint(v.trim()).map(|_| ())
            })?;
            patch.set("issuer", issuer.trim());
            Ok(Start {
                preset: None,
                preset_params: Vec::new(),
            })
        }
        _ => {
            let grants: Vec<String> = Grant::ALL
                .iter()
                .map(|g| format!("{}: {}", g.name(), g.help()))
                .collect();
            let grant = dialoguer::Select::new()
                .with_prompt("Grant")
                .items(&grants)
                .default(0)
                .interact()
                .map_err(crate::commands::prompt_error)?;
            if let Some(g) = Grant::ALL.get(grant) {
                patch.set("grant", g.name());
            }
            Ok(Start {
                preset: None,
                preset_params: Vec::new(),
            })
        }
    }
}

/// Whether the client has a secret (unless the preset or discovery said how it
/// authenticates).
pub fn secret_question(patch: &mut Patch) -> Result<()> {
    if patch.get("client_auth").is_none() {
        let has_secret = dialoguer::Confirm::new()
            .with_prompt(
                "Did the provider give this client a secret? (no: a public client, PKCE only)",
            )
            .default(true)
            // A whole line: the Enter after "y" must not answer the next question.
            .wait_for_newline(true)
            .interact()
            .map_err(crate::commands::prompt_error)?;
        if !has_secret {
            patch.set("client_auth", ClientAuth::None.name());
        }
    }
    Ok(())
}

/// Scopes and allowed hosts, each offered with what the preset or discovery put
/// there.
pub fn lists(patch: &mut Patch) -> Result<()> {
    let list = |patch: &Patch, key: &str| -> String {
        patch
            .get(key)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    for (key, prompt) in [
        ("scopes", "Scopes (space-separated; empty for none)"),
        (
            "allowed_hosts",
            "Hosts its tokens may be sent to (space-separated; `host` is its default port only, `host:8443` that port, `host:*` any port, `*.example.com` its subdomains)",
        ),
    ] {
        let answer = dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .default(list(patch, key))
            .allow_empty(true)
            .interact_text()
            .map_err(crate::commands::prompt_error)?;
        let items: Vec<toml::Value> = answer
            .split_whitespace()
            .map(|s| toml::Value::String(s.to_owned()))
            .collect();
        patch.set(key, toml::Value::Array(items));
    }
    Ok(())
}
