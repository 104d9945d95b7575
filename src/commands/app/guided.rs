//! `outbound app add [NAME]` on a terminal with no settings: a guided start, as
//! `rclone config` and `gh auth login` do. The name comes first (when it was not
//! given), then a preset or the provider's issuer (they fill the endpoints); then
//! what is still missing is asked for by `add` itself, and last the scopes and the
//! hosts tokens may go to.
//!
//! Every answer is checked as it is given, and a wrong one is asked again with the
//! reason (an issuer is discovered right away): nothing typed is thrown away at the
//! end, and no message names a flag the person never typed.

use std::collections::BTreeSet;

use crate::admin::Discovered;
use crate::app::{self, ClientAuth, Grant, Patch, SecretRef};
use crate::choice::Choice;
use crate::commands::Ctx;
use crate::commands::output::say;
use crate::config::Config;
use crate::error::{Error, Result};

/// Where the endpoints come from.
pub struct Start {
    pub preset: Option<String>,
    pub preset_params: Vec<(String, String)>,
    /// What discovery found while the issuer was asked (so it is not asked twice).
    pub discovered: Option<Discovered>,
}

/// Asks for the application's name: a valid one that `config` does not have yet.
pub fn name(ctx: &Ctx, config: &Config) -> Result<String> {
    let answer = ctx.ask("Name for this application (e.g. github)", |v| {
        let v = v.trim();
        if v.is_empty() {
            return Err("a name is required: it is how every command refers to the app".into());
        }
        app::check_name(v)?;
        if config.apps.iter().any(|a| a.name == v) {
            return Err(format!(
                "`{v}` already exists in {}; choose another name",
                config.path.display()
            ));
        }
        Ok(())
    })?;
    Ok(answer.trim().to_owned())
}

/// Asks how to start and fills `patch` (the issuer, discovered, or the grant typed
/// by hand).
pub fn start(ctx: &Ctx, name: &str, patch: &mut Patch) -> Result<Start> {
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
    let mut start = Start {
        preset: None,
        preset_params: Vec::new(),
        discovered: None,
    };
    match choice {
        0 => {
            let presets = crate::presets::all()?;
            for (category, entries) in crate::presets::by_category(presets) {
                if !entries.is_empty() {
                    let names: Vec<&str> = entries.iter().map(|(n, _)| *n).collect();
                    say!("  {}: {}", category.as_str(), names.join(", "));
                }
            }
            let preset = ctx.ask("Preset", |v| {
                let v = v.trim();
                if presets.contains_key(v) {
                    return Ok(());
                }
                let like: Vec<&str> = presets
                    .iter()
                    .filter(|(n, p)| !v.is_empty() && p.matches(n, v))
                    .map(|(n, _)| n.as_str())
                    .take(12)
                    .collect();
                if like.is_empty() {
                    Err(format!(
                        "`{v}` is not a preset: type one of the names above"
                    ))
                } else {
                    Err(format!(
                        "`{v}` is not a preset; these match it: {}",
                        like.join(", ")
                    ))
                }
            })?;
            let preset = preset.trim().to_owned();
            if let Some(p) = presets.get(&preset) {
                for (param, default) in &p.params {
                    let mut input = dialoguer::Input::<String>::new()
                        .with_prompt(format!("Preset parameter `{param}`"))
                        .allow_empty(true)
                        .validate_with(|v: &String| {
                            crate::presets::check_param(&preset, param, v.trim())
                        });
                    if !default.is_empty() {
                        input = input.default(default.clone());
                    }
                    let value = input
                        .interact_text()
                        .map_err(crate::commands::prompt_error)?;
                    start
                        .preset_params
                        .push((param.clone(), value.trim().to_owned()));
                }
            }
            start.preset = Some(preset);
        }
        1 => {
            // Discovered as soon as it is typed: a mistyped issuer is asked again.
            let mut found = None;
            ctx.ask("Issuer URL (e.g. https://accounts.example.com)", |v| {
                let v = v.trim();
                if v.is_empty() {
                    return Err("an issuer URL is required: the provider documents it (OpenID Connect calls it the issuer)".into());
                }
                app::check_endpoint(v)?;
                let mut trial = patch.clone();
                trial.set("issuer", v);
                match crate::admin::discover_into(name, &mut trial, false, false) {
                    Ok(discovered) => {
                        found = Some((trial, discovered));
                        Ok(())
                    }
                    Err(e) => Err(discovery_failed(&e)),
                }
            })?;
            if let Some((discovered_patch, discovered)) = found {
                *patch = discovered_patch;
                start.discovered = discovered;
            }
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
        }
    }
    Ok(start)
}

/// Why discovery of a typed issuer failed, on one line (the prompt is drawn again
/// below it), with what to type instead of the flags the error names elsewhere.
fn discovery_failed(e: &Error) -> String {
    let why = match e {
        Error::OAuth(crate::oauth::OAuthError::NoMetadata { issuer, tried }) => format!(
            "no authorization-server metadata for issuer {issuer}: {tried}; type the issuer exactly as the provider names it, path included (e.g. https://sso.example.com/realms/NAME)"
        ),
        other => other
            .to_string()
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("; "),
    };
    format!("{why}; check the issuer URL and type it again")
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

const HOSTS_PROMPT: &str = "Hosts its tokens may be sent to (space-separated; `host` is its default port only, `host:8443` that port, `host:*` any port, `*.example.com` its subdomains)";

/// Scopes and allowed hosts, each offered with what the preset or discovery put
/// there; `offered` (the server's `scopes_supported`) is a list to pick from.
pub fn lists(patch: &mut Patch, offered: &[String]) -> Result<()> {
    let scopes = if offered.is_empty() {
        ask_list(
            patch,
            "scopes",
            "Scopes (space-separated; empty for none)",
            |_| Ok(()),
        )?
    } else {
        pick_scopes(patch, offered)?
    };
    patch.set("scopes", strings(&scopes));
    let hosts = ask_list(patch, "allowed_hosts", HOSTS_PROMPT, |host| {
        app::check_host_pattern(host).map(|_| ())
    })?;
    patch.set("allowed_hosts", strings(&hosts));
    Ok(())
}

/// The server's scopes to tick (those already chosen, and `openid` and
/// `offline_access` for a person's grant, ticked), and any others typed after.
fn pick_scopes(patch: &Patch, offered: &[String]) -> Result<Vec<String>> {
    let current = list_of(patch, "scopes");
    let person = patch
        .get_str("grant")
        .is_none_or(|g| g != Grant::ClientCredentials.name());
    let ticked: Vec<bool> = offered
        .iter()
        .map(|s| {
            current.contains(s) || (person && matches!(s.as_str(), "openid" | "offline_access"))
        })
        .collect();
    let mut items: Vec<&str> = offered.iter().map(String::as_str).collect();
    items.push("others, typed next");
    let mut defaults = ticked;
    defaults.push(false);
    let picked = dialoguer::MultiSelect::new()
        .with_prompt("Scopes the server offers (space ticks, enter accepts)")
        .items(&items)
        .defaults(&defaults)
        .interact()
        .map_err(crate::commands::prompt_error)?;
    let mut scopes: Vec<String> = picked
        .iter()
        .filter_map(|&i| offered.get(i).cloned())
        .collect();
    if picked.contains(&offered.len()) {
        let more = dialoguer::Input::<String>::new()
            .with_prompt("Other scopes (space-separated)")
            .allow_empty(true)
            .interact_text()
            .map_err(crate::commands::prompt_error)?;
        for scope in more.split_whitespace() {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
    }
    Ok(scopes)
}

/// A space-separated list, offered with what `patch` has at `key`; each item is
/// checked, and a wrong one asked again with the reason.
fn ask_list(
    patch: &Patch,
    key: &str,
    prompt: &str,
    check: impl Fn(&str) -> std::result::Result<(), String>,
) -> Result<Vec<String>> {
    let answer = dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .default(list_of(patch, key).join(" "))
        .allow_empty(true)
        .validate_with(|v: &String| v.split_whitespace().try_for_each(&check))
        .interact_text()
        .map_err(crate::commands::prompt_error)?;
    Ok(answer.split_whitespace().map(str::to_owned).collect())
}

/// The strings of the list at `key`.
fn list_of(patch: &Patch, key: &str) -> Vec<String> {
    patch
        .get(key)
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(items: &[String]) -> toml::Value {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
}

/// The app as it would be written, checked as a whole before anything is stored:
/// a setting still refused (by a rule between settings) is asked again with the
/// reason, in the configuration file's words, and the other answers are kept.
pub fn settle(ctx: &Ctx, name: &str, patch: &mut Patch, secret: Option<&SecretRef>) -> Result<()> {
    let mut asked = BTreeSet::new();
    while let Some(refused) = whole_app_refuses(name, patch, secret)? {
        let field = refused.field;
        let list = patch.get(field).is_some_and(|v| v.is_array());
        let text = patch.get(field).is_none_or(|v| v.is_str());
        // Asked once more at most: a setting no answer can fix is the error it is.
        if !(list || text) || !asked.insert(field) {
            return Err(Error::Usage(format!(
                "`{field}`: {}; nothing was written",
                refused.message
            )));
        }
        say!("{field}: {}", without_flags(&refused.message));
        let label = format!(
            "{} (as the configuration file writes it)",
            field.replace('_', " ")
        );
        let answer = ctx.ask(&label, |v| {
            let mut trial = patch.clone();
            set_answer(&mut trial, field, v, list);
            match whole_app_refuses(name, &trial, secret) {
                Ok(Some(again)) if again.field == field => Err(again.message),
                _ => Ok(()),
            }
        })?;
        set_answer(patch, field, &answer, list);
    }
    Ok(())
}

/// A validation message without its advice about flags (`give --x`), which
/// nobody typed here.
fn without_flags(message: &str) -> &str {
    match message.find("--") {
        Some(at) => {
            let before = &message[..at];
            let cut = ["; ", ": ", ", "]
                .iter()
                .filter_map(|sep| before.rfind(sep))
                .max()
                .unwrap_or(at);
            &message[..cut]
        }
        None => message,
    }
}

fn set_answer(patch: &mut Patch, field: &str, answer: &str, list: bool) {
    if list {
        let items: Vec<String> = answer.split_whitespace().map(str::to_owned).collect();
        patch.set(field, strings(&items));
    } else {
        patch.set(field, answer.trim());
    }
}

/// Why the app `patch` describes would be refused, if it would.
fn whole_app_refuses(
    name: &str,
    patch: &Patch,
    secret: Option<&SecretRef>,
) -> Result<Option<app::FieldError>> {
    let mut trial = patch.clone();
    // What `add` writes beside the settings.
    trial.set("id", "0");
    trial.set("enabled", true);
    trial.set("generation", 1);
    if let Some(secret) = secret.and_then(SecretRef::to_config) {
        trial.set("client_secret", secret);
    }
    let raw: app::RawApp = toml::from_str(&trial.to_toml())
        .map_err(|e| Error::Other(format!("the answers do not make a table: {e}")))?;
    Ok(app::validate(name, raw).err())
}

/// The command to run next, once the app is written.
pub fn next_step(name: &str, patch: &Patch) {
    let grant = patch
        .get_str("grant")
        .unwrap_or(Grant::AuthorizationCode.name());
    let person = Grant::ALL
        .iter()
        .find(|g| g.name() == grant)
        .is_none_or(|g| g.needs_person());
    if person {
        say!("next: `outbound authorize {name}` (a browser opens to sign in)");
    } else {
        say!("next: `outbound token {name}` (no person needed: it fetches a token)");
    }
}
