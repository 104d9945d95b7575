//! The catalog's schema: every entry checked against the rules of its format
//! (docs/providers.md, "The catalog").

use super::*;

/// A value each parameter's check takes (its default when it has one).
fn example_values(name: &str, preset: &Preset) -> BTreeMap<String, String> {
    preset
        .params
        .iter()
        .map(|(param, default)| {
            let value = if !default.is_empty() {
                default.clone()
            } else {
                match preset.check_of(param) {
                    Some(Ok(ParamCheck::OneOf(items))) => items[0].clone(),
                    Some(Ok(ParamCheck::Hostname)) => "acme.example.com".to_owned(),
                    _ => "acme".to_owned(),
                }
            };
            assert!(
                preset.check_param(param, &value).is_ok(),
                "{name}: {param}={value}: {:?}",
                preset.check_param(param, &value)
            );
            (param.clone(), value)
        })
        .collect()
}

/// Every string in a TOML value, with the key it is under.
fn strings<'a>(key: &str, value: &'a toml::Value, out: &mut Vec<(String, &'a str)>) {
    match value {
        toml::Value::String(s) => out.push((key.to_owned(), s)),
        toml::Value::Array(items) => items.iter().for_each(|v| strings(key, v, out)),
        toml::Value::Table(t) => t
            .iter()
            .for_each(|(k, v)| strings(&format!("{key}.{k}"), v, out)),
        _ => {}
    }
}

/// The `{name}` placeholders in a text.
fn placeholders(text: &str) -> Vec<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(p, _)| p))
        .collect()
}

fn is_https(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Checks one entry; returns what is wrong with it.
fn problems(name: &str, preset: &Preset) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut bad = |what: String| wrong.push(format!("{name}: {what}"));
    if !valid_name(name) {
        bad("the name is not lowercase a-z0-9 words joined by `-`".into());
    }
    let d = &preset.description;
    if d.trim().is_empty() || d.contains('\n') || d.chars().count() >= 70 {
        bad(format!("description `{d}`: one line, under 70 characters"));
    }
    if preset.register.trim().is_empty() {
        bad("register says nothing".into());
    }
    match &preset.docs {
        Some(docs) if !is_https(docs) => bad(format!("docs `{docs}` is not an https URL")),
        None => bad("no docs URL".into()),
        _ => {}
    }
    // Independent: two pages of one site or two files of one repository are one.
    let mut origins: Vec<String> = preset
        .sources
        .iter()
        .map(|s| match s.strip_prefix("github:") {
            Some(path) => path
                .split('/')
                .take(2)
                .collect::<Vec<_>>()
                .join("/")
                .to_lowercase(),
            None => url::Url::parse(s)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default(),
        })
        .collect();
    origins.sort();
    origins.dedup();
    if origins.len() < 2 {
        bad(format!(
            "sources from {} independent place(s); at least 2 are needed",
            origins.len()
        ));
    }
    for source in &preset.sources {
        let github = source
            .strip_prefix("github:")
            .is_some_and(|path| path.split('/').filter(|p| !p.is_empty()).count() >= 3);
        if !github && !is_https(source) {
            bad(format!(
                "source `{source}` is neither an https URL nor github:OWNER/REPO/PATH"
            ));
        }
    }
    let mut quirks = preset.quirks.clone();
    quirks.sort_by_key(|q| q.as_str());
    quirks.dedup();
    if quirks.len() != preset.quirks.len() {
        bad("a quirk is named twice".into());
    }
    let mcp = preset.category == Category::Mcp;
    if mcp != name.ends_with("-mcp") || mcp != preset.mcp_url.is_some() {
        bad("an MCP entry is named PROVIDER-mcp, in category mcp, with mcp_url; no other".into());
    }
    if let Some(url) = &preset.mcp_url
        && !is_https(&fill(url, &example_values(name, preset)))
    {
        bad(format!("mcp_url `{url}` is not https"));
    }
    // Parameters: every placeholder declared, every parameter used and checked.
    let mut texts = Vec::new();
    for (key, value) in &preset.settings {
        strings(key, value, &mut texts);
    }
    let mut used: Vec<&str> = texts.iter().flat_map(|(_, t)| placeholders(t)).collect();
    if let Some(url) = &preset.mcp_url {
        used.extend(placeholders(url));
    }
    for p in &used {
        if !preset.params.contains_key(*p) {
            bad(format!("{{{p}}} is used but not declared in params"));
        }
    }
    for p in preset.params.keys() {
        if !used.contains(&p.as_str()) {
            bad(format!("param `{p}` is declared but used in no URL"));
        }
        match preset.check_of(p) {
            None => bad(format!("param `{p}` has no param_checks entry")),
            Some(Err(e)) => bad(format!("param_checks.{p}: {e}")),
            Some(Ok(_)) => {}
        }
    }
    for p in preset.param_checks.keys() {
        if !preset.params.contains_key(p) {
            bad(format!("param_checks.{p}: no such param"));
        }
    }
    if preset.quirks.contains(&Quirk::UrlParams) == preset.params.is_empty() {
        bad("url_params is the quirk of an entry with params, and only of one".into());
    }
    // Every URL https, once its parameters are put in.
    let values = example_values(name, preset);
    for (key, text) in &texts {
        let url_key = URL_SETTINGS.contains(&key.as_str()) || key == "token_request.refresh_url";
        if url_key && !is_https(&fill(text, &values)) {
            bad(format!("{key} `{text}` is not https"));
        }
    }
    // What each quirk needs of the settings, so outbound copes with it.
    let setting = |key: &str| {
        let mut value = Some(&preset.settings);
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop()?;
        for part in parts {
            value = value?.get(part)?.as_table();
        }
        value?.get(last).cloned()
    };
    let str_setting = |key: &str| setting(key).and_then(|v| v.as_str().map(str::to_owned));
    for quirk in &preset.quirks {
        let missing = match quirk {
            Quirk::CommaScopes => str_setting("scope_delimiter").as_deref() != Some(","),
            Quirk::ClientKey => str_setting("client_id_param").is_none(),
            Quirk::CredentialsBodyOnly => str_setting("client_auth").as_deref() != Some("post"),
            Quirk::CredentialsBasicOnly => str_setting("client_auth").as_deref() != Some("basic"),
            Quirk::JsonBody => str_setting("token_request.body").as_deref() != Some("json"),
            Quirk::RefreshUrl => str_setting("token_request.refresh_url").is_none(),
            Quirk::PkceRequired => preset
                .pkce_support
                .is_some_and(|p| p != PkceSupport::Required),
            Quirk::NoRefresh => preset.refresh.is_some_and(|r| r != Refresh::None),
            Quirk::RotatingRefresh => preset.refresh.is_some_and(|r| r != Refresh::Rotating),
            Quirk::ExpiringRefresh => preset
                .refresh
                .is_some_and(|r| !matches!(r, Refresh::Expiring | Refresh::Rotating)),
            _ => false,
        };
        if missing {
            bad(format!(
                "quirk {} does not agree with the settings (see docs/providers.md)",
                quirk.as_str()
            ));
        }
    }
    if mcp {
        return wrong;
    }
    // The settings make a valid app.
    let mut patch = Patch::default();
    if let Err(e) = preset.apply(
        name,
        &values.clone().into_iter().collect::<Vec<_>>(),
        &mut patch,
    ) {
        bad(format!("apply: {e}"));
        return wrong;
    }
    let mut doc: toml_edit::DocumentMut =
        "[apps.p]\nid = \"1\"\nclient_id = \"c\"\nclient_secret = \"store\"\nprivate_key = \"store\"\n"
            .parse()
            .unwrap();
    patch.apply(doc["apps"]["p"].as_table_like_mut().unwrap());
    let text = doc.to_string();
    match crate::config::Config::parse(std::path::Path::new("p"), &text) {
        Err(e) => bad(format!("not a valid app: {}", e.error)),
        Ok(cfg) => {
            let app = &cfg.apps[0];
            if app.auth_url.is_none() && app.grant.needs_person() {
                bad("a person authorizes, but there is no auth_url".into());
            }
            if app.preset.as_deref() != Some(name) {
                bad("the app does not record its preset".into());
            }
            for param in preset.params.keys() {
                if text.contains(&format!("{{{param}}}")) {
                    bad(format!("{{{param}}} left in {text}"));
                }
            }
        }
    }
    wrong
}

#[test]
fn every_entry_follows_the_schema() {
    let presets = all().unwrap();
    let wrong: Vec<String> = presets
        .iter()
        .flat_map(|(name, preset)| problems(name, preset))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let readme = include_str!("../../README.md");
    let count = format!("catalog holds {} entries", presets.len());
    assert!(
        readme.contains(&count),
        "README.md should say \"{count}\" (it counts the catalog)"
    );
    let table = category_table("PROVIDERS.md#").unwrap();
    assert!(
        readme.contains(&table),
        "README.md should hold the count per category, as it is now:\n{table}"
    );
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
        "google-service-account",
        "okta-service",
        "entra-certificate",
    ] {
        assert!(presets.contains_key(name), "{name}");
    }
}

/// The schema test finds what it is for: each rule broken once.
#[test]
fn the_schema_test_refuses_broken_entries() {
    let good = r#"
description = "Example"
category = "crm-sales"
docs = "https://example.com/docs"
sources = ["https://example.com/docs", "github:acme/catalog/providers.yaml"]
auth_url = "https://{sub}.example.com/authorize"
token_url = "https://{sub}.example.com/token"
params = { sub = "" }
param_checks = { sub = "dns-label" }
quirks = ["url_params"]
register = "An app."
"#;
    let preset: Preset = toml::from_str(good).unwrap();
    let found = |p: &Preset| p.clone();
    assert_eq!(problems("example-x", &preset), Vec::<String>::new());
    let mut unchecked = preset.clone();
    unchecked.param_checks.clear();
    assert!(
        problems("example-x", &unchecked)
            .iter()
            .any(|p| p.contains("no param_checks"))
    );
    let cases: &[(&str, &str)] = &[
        ("Example", "category = \"crm\""),
        ("Example", "quirks = [\"odd\"]"),
        ("Example", "pkce_support = \"maybe\""),
        ("Example", "refresh = \"sometimes\""),
    ];
    for (_, broken) in cases {
        let text = good.replace("quirks = [\"url_params\"]", broken);
        assert!(
            toml::from_str::<Preset>(&text).is_err(),
            "{broken} must not parse"
        );
    }
    let mut one_source = found(&preset);
    one_source.sources.truncate(1);
    assert!(
        problems("example-x", &one_source)
            .iter()
            .any(|p| p.contains("sources"))
    );
    let mut http = found(&preset);
    http.settings.insert(
        "token_url".into(),
        toml::Value::String("http://example.com/t".into()),
    );
    assert!(
        problems("example-x", &http)
            .iter()
            .any(|p| p.contains("not https"))
    );
    assert!(
        problems("Example_X", &found(&preset))
            .iter()
            .any(|p| p.contains("name"))
    );
    let mut comma = found(&preset);
    comma.quirks.push(Quirk::CommaScopes);
    assert!(
        problems("example-x", &comma)
            .iter()
            .any(|p| p.contains("comma_scopes"))
    );
    let mut undeclared = found(&preset);
    undeclared.settings.insert(
        "base_url".into(),
        toml::Value::String("https://{region}.example.com".into()),
    );
    assert!(
        problems("example-x", &undeclared)
            .iter()
            .any(|p| p.contains("{region} is used but not declared"))
    );
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
    let err = apply(
        "okta",
        &[("domain".into(), "acme..okta.com".into())],
        &mut patch,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("host name"), "{err}");
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
    assert_eq!(patch.get_str("preset"), Some("google"));
    let mut patch = Patch::default();
    apply("microsoft", &[], &mut patch).unwrap();
    assert_eq!(
        patch.get_str("auth_url"),
        Some("https://login.microsoftonline.com/common/oauth2/v2.0/authorize")
    );
    assert_eq!(patch.get_str("preset_params.tenant"), Some("common"));
    let err = get("gitlba").unwrap_err().to_string();
    assert!(
        err.contains("did you mean") && err.contains("gitlab"),
        "{err}"
    );
    assert!(get("nope").is_err());
}
