//! Provider presets: data (`presets.toml`, compiled in), not code paths. A preset
//! fills the settings the command line leaves out; `{param}` placeholders come from
//! `--preset-param NAME=VALUE` or the parameter's default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::app::Patch;
use crate::error::{Error, Result};

const DATA: &str = include_str!("presets.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Preset {
    pub description: String,
    /// Parameters and their defaults ("" = required).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// What to register at the provider (redirect URI, grants).
    pub register: String,
    /// The settings it fills, in the configuration file's terms (checked, as every
    /// setting is, when the app is validated).
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// Every preset, by name.
pub fn all() -> Result<BTreeMap<String, Preset>> {
    toml::from_str(DATA).map_err(|e| Error::Other(format!("the built-in presets are broken: {e}")))
}

pub fn get(name: &str) -> Result<Preset> {
    let mut all = all()?;
    all.remove(name).ok_or_else(|| {
        let names: Vec<String> = all.keys().cloned().collect();
        Error::Usage(format!(
            "--preset {name}: no such preset; choose one of {} (see `outbound app presets`)",
            names.join(", ")
        ))
    })
}

/// Fills what `patch` leaves out from preset `name`, with its parameters
/// substituted. Explicit flags always win; tables merge key by key.
pub fn apply(name: &str, given: &[(String, String)], patch: &mut Patch) -> Result<()> {
    let preset = get(name)?;
    let mut values = preset.params.clone();
    for (k, v) in given {
        if !preset.params.contains_key(k) {
            let known: Vec<&str> = preset.params.keys().map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "--preset-param {k}: preset `{name}` takes {}",
                if known.is_empty() {
                    "no parameters".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
        values.insert(k.clone(), v.clone());
    }
    if let Some((missing, _)) = values.iter().find(|(_, v)| v.trim().is_empty()) {
        return Err(Error::Usage(format!(
            "preset `{name}` needs --preset-param {missing}=VALUE ({})",
            preset.description
        )));
    }
    let mut settings = Patch::from_table(preset.settings);
    settings.map_strings(&|s: &str| {
        values.iter().fold(s.to_owned(), |acc, (k, v)| {
            acc.replace(&format!("{{{k}}}"), v)
        })
    });
    if settings.get("description").is_none() {
        settings.set("description", preset.description);
    }
    patch.fill_from(&settings);
    Ok(())
}

/// Whether `value` can be preset `name`'s parameter `param`: not empty, one word,
/// and every URL and host it is put into still one (asked at the terminal, where
/// no `--preset-param` was typed).
pub fn check_param(name: &str, param: &str, value: &str) -> std::result::Result<(), String> {
    let preset = get(name).map_err(|e| e.to_string())?;
    if value.is_empty() {
        return Err(format!(
            "required: the preset's URLs are made from it; {}",
            preset.description
        ));
    }
    if value.contains(|c: char| c.is_whitespace() || "/?#@".contains(c)) {
        return Err(format!(
            "`{value}` is not a `{param}`: one name, without spaces, `/`, `?`, `#` or `@` ({})",
            preset.description
        ));
    }
    let placeholder = format!("{{{param}}}");
    for (key, setting) in &preset.settings {
        let texts: Vec<&str> = match setting {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
            _ => continue,
        };
        for text in texts.into_iter().filter(|t| t.contains(&placeholder)) {
            let filled = text.replace(&placeholder, value);
            let checked = if key == "allowed_hosts" {
                crate::app::check_host_pattern(&filled).map(|_| ())
            } else if key.ends_with("_url") || key == "issuer" {
                crate::app::check_endpoint(&filled).map(|_| ())
            } else {
                Ok(())
            };
            checked.map_err(|why| format!("`{value}` makes {key} wrong: {why}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_makes_a_valid_app() {
        let presets = all().unwrap();
        for name in [
            "github",
            "gitlab",
            "google",
            "microsoft",
            "slack",
            "okta",
            "auth0",
            "atlassian",
            "dropbox",
            "salesforce",
            "zoom",
            "linear",
            "notion",
        ] {
            assert!(presets.contains_key(name), "{name}");
        }
        for (name, preset) in presets {
            assert!(!preset.settings.is_empty(), "{name} fills nothing");
            let params: Vec<(String, String)> = preset
                .params
                .keys()
                .map(|k| (k.clone(), "example.test".to_owned()))
                .collect();
            let mut patch = Patch::default();
            apply(&name, &params, &mut patch).unwrap();
            let mut doc: toml_edit::DocumentMut =
                "[apps.p]\nid = \"1\"\nclient_id = \"c\"\nclient_secret = \"store\"\nprivate_key = \"store\"\n"
                    .parse()
                    .unwrap();
            patch.apply(doc["apps"]["p"].as_table_like_mut().unwrap());
            let text = doc.to_string();
            let cfg = crate::config::Config::parse(std::path::Path::new("p"), &text)
                .unwrap_or_else(|e| panic!("{name}: {}", e.error));
            let app = &cfg.apps[0];
            // A person authorizes in the browser, or the client acts alone.
            assert!(
                app.auth_url.is_some() || !app.grant.needs_person(),
                "{name}"
            );
            for param in preset.params.keys() {
                let placeholder = format!("{{{param}}}");
                assert!(
                    !text.contains(&placeholder),
                    "{name}: {placeholder} in {text}"
                );
            }
        }
    }

    #[test]
    fn parameters_flags_and_errors() {
        let mut patch = Patch::default();
        let err = apply("okta", &[], &mut patch).unwrap_err().to_string();
        assert!(err.contains("--preset-param domain=VALUE"), "{err}");
        let err = apply("okta", &[("tenant".into(), "x".into())], &mut patch)
            .unwrap_err()
            .to_string();
        assert!(err.contains("takes domain"), "{err}");
        let mut patch = Patch::default();
        patch.set("token_url", "https://mine.example/t");
        patch.set("auth_params.access_type", "online");
        apply("google", &[], &mut patch).unwrap();
        assert_eq!(
            patch.get_str("token_url"),
            Some("https://mine.example/t"),
            "explicit flags win"
        );
        assert_eq!(patch.get_str("auth_params.access_type"), Some("online"));
        let mut patch = Patch::default();
        apply("microsoft", &[], &mut patch).unwrap();
        assert_eq!(
            patch.get_str("auth_url"),
            Some("https://login.microsoftonline.com/common/oauth2/v2.0/authorize")
        );
        assert!(get("nope").is_err());
    }
}
