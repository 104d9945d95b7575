//! Provider presets: data (`presets.toml`, compiled in), not code paths. A preset
//! fills the settings the command line leaves out; `{param}` placeholders come from
//! `--preset-param NAME=VALUE` or the parameter's default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::app::ClientAuth;
use crate::cli::Settings;
use crate::error::{Error, Result};

const DATA: &str = include_str!("presets.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub description: String,
    /// Parameters and their defaults ("" = required).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub revocation_url: Option<String>,
    pub device_url: Option<String>,
    pub client_auth: Option<ClientAuth>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub scope_delimiter: Option<String>,
    pub prompt: Option<String>,
    #[serde(default)]
    pub auth_params: BTreeMap<String, String>,
    #[serde(default)]
    pub token_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub token_params: BTreeMap<String, String>,
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// What to register at the provider (redirect URI, grants).
    pub register: String,
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

/// Fills what `settings` leaves out from preset `name`, with its parameters
/// substituted. Explicit flags always win; maps merge key by key.
pub fn apply(name: &str, given: &[(String, String)], settings: &mut Settings) -> Result<()> {
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
    let fill = |s: &str| -> String {
        values.iter().fold(s.to_owned(), |acc, (k, v)| {
            acc.replace(&format!("{{{k}}}"), v)
        })
    };
    let opt = |slot: &mut Option<String>, value: &Option<String>| {
        if slot.is_none() {
            *slot = value.as_deref().map(fill);
        }
    };
    opt(&mut settings.auth_url, &preset.auth_url);
    opt(&mut settings.token_url, &preset.token_url);
    opt(&mut settings.revocation_url, &preset.revocation_url);
    opt(&mut settings.device_url, &preset.device_url);
    opt(&mut settings.scope_delimiter, &preset.scope_delimiter);
    opt(&mut settings.prompt, &preset.prompt);
    if settings.description.is_none() {
        settings.description = Some(preset.description.clone());
    }
    if settings.client_auth.is_none() {
        settings.client_auth = preset.client_auth;
    }
    if settings.scopes.is_empty() {
        settings.scopes = preset.scopes.iter().map(|s| fill(s)).collect();
    }
    if settings.allowed_hosts.is_empty() {
        settings.allowed_hosts = preset.allowed_hosts.iter().map(|s| fill(s)).collect();
    }
    let merge = |slot: &mut Vec<(String, String)>, map: &BTreeMap<String, String>| {
        let mut merged: Vec<(String, String)> =
            map.iter().map(|(k, v)| (k.clone(), fill(v))).collect();
        merged.append(slot);
        *slot = merged;
    };
    merge(&mut settings.auth_params, &preset.auth_params);
    merge(&mut settings.token_headers, &preset.token_headers);
    merge(&mut settings.token_params, &preset.token_params);
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
            let params: Vec<(String, String)> = preset
                .params
                .keys()
                .map(|k| (k.clone(), "example.test".to_owned()))
                .collect();
            let mut s = Settings::default();
            apply(&name, &params, &mut s).unwrap();
            let mut text =
                "[apps.p]\nid = \"1\"\nclient_id = \"c\"\nclient_secret = \"store\"\n".to_owned();
            let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
            let table = doc["apps"]["p"].as_table_mut().unwrap();
            for (k, v) in [
                ("auth_url", &s.auth_url),
                ("token_url", &s.token_url),
                ("revocation_url", &s.revocation_url),
                ("device_url", &s.device_url),
                ("scope_delimiter", &s.scope_delimiter),
            ] {
                if let Some(v) = v {
                    table[k] = toml_edit::value(v.as_str());
                }
            }
            if let Some(a) = s.client_auth {
                table["client_auth"] = toml_edit::value(a.as_str());
            }
            let hosts: toml_edit::Array = s.allowed_hosts.iter().collect();
            table["allowed_hosts"] = toml_edit::value(hosts);
            text = doc.to_string();
            let cfg = crate::config::Config::parse(std::path::Path::new("p"), &text)
                .unwrap_or_else(|e| panic!("{name}: {}", e.error));
            assert!(cfg.apps[0].auth_url.is_some(), "{name}");
            assert!(!text.contains('{'), "{name}: unfilled parameter in {text}");
        }
    }

    #[test]
    fn parameters_flags_and_errors() {
        let mut s = Settings::default();
        let err = apply("okta", &[], &mut s).unwrap_err().to_string();
        assert!(err.contains("--preset-param domain=VALUE"), "{err}");
        let err = apply("okta", &[("tenant".into(), "x".into())], &mut s)
            .unwrap_err()
            .to_string();
        assert!(err.contains("takes domain"), "{err}");
        let mut s = Settings {
            token_url: Some("https://mine.example/t".into()),
            ..Settings::default()
        };
        s.auth_params = vec![("access_type".into(), "online".into())];
        apply("google", &[], &mut s).unwrap();
        assert_eq!(
            s.token_url.as_deref(),
            Some("https://mine.example/t"),
            "explicit flags win"
        );
        assert_eq!(
            s.auth_params.last().unwrap(),
            &("access_type".to_owned(), "online".to_owned())
        );
        let mut s = Settings::default();
        apply("microsoft", &[], &mut s).unwrap();
        assert_eq!(
            s.auth_url.as_deref(),
            Some("https://login.microsoftonline.com/common/oauth2/v2.0/authorize")
        );
        assert!(get("nope").is_err());
    }
}
