//! `outbound app list` and `outbound app show`: what is configured, never a secret.

use crate::app::App;
use crate::commands::output::{data, notice};
use crate::commands::{Ctx, print_json, print_table};
use crate::error::Result;
use crate::store::Backend;

/// The stable JSON shape of one application (`app list --json`, `app show --json`):
/// the validated app as it serializes (fields are only ever added, never renamed or
/// removed), with the store's name for a secret kept in the store, and last where
/// it is defined (`place`: `personal` for the configuration file, or `team`).
pub fn view(app: &App, store: Backend) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(app)
        .map_err(|e| crate::error::Error::Other(format!("cannot encode `{}`: {e}", app.name)))?;
    // Every setting that names where one of the app's secrets lives (store::kinds).
    for field in crate::store::kinds::of_app().filter_map(|k| k.declared().setting) {
        if value[field] == "store" {
            value[field] = store.as_str().into();
        }
    }
    Ok(value)
}

/// `app list --json`: what [`print_json`] prints for every app's [`view`], written
/// straight from the apps to standard output. Making a JSON value of each app first
/// took most of the time for 10,000 apps and about 100 MB; building the 18 MB text
/// before writing it, a fifth of what was left (BENCHMARKS.md).
fn print_json_list(apps: &[App], stores: Vec<Backend>) {
    crate::commands::output::data_stream(|out| {
        let mut json = serde_json::Serializer::with_formatter(&mut *out, NamingStore::new(stores));
        // Every key is a string, so only writing can fail (io::Error keeps its kind).
        serde::Serialize::serialize(apps, &mut json)?;
        std::io::Write::write_all(out, b"\n")
    });
}

/// serde_json's pretty formatter, doing as it writes what [`view`] does to a value:
/// in each object of the list (an app), a setting that names where a secret lives
/// gets the store's name in place of the string `"store"`. Deeper objects (an app's
/// `auth_params`, say) are left as they are.
struct NamingStore {
    pretty: serde_json::ser::PrettyFormatter<'static>,
    /// The store of each app of the list, in order, and the current app's.
    stores: Vec<Backend>,
    next: usize,
    store: &'static str,
    /// Arrays and objects open around what is being written: the list is 1, an app 2.
    depth: usize,
    /// The key of the app's field being written (or last written).
    key: String,
    in_key: bool,
    watch: Watch,
}

/// Where [`NamingStore`] is in the value of an app's field.
#[derive(Clone, Copy, PartialEq)]
enum Watch {
    /// Not a secret's setting.
    Off,
    /// A secret's setting: its value is next.
    Armed,
    /// Its value is a string, just opened.
    Opened,
    /// The string began with "store", held back until it is known to end there.
    Holding,
}

impl NamingStore {
    fn new(stores: Vec<Backend>) -> NamingStore {
        NamingStore {
            pretty: serde_json::ser::PrettyFormatter::new(),
            stores,
            next: 0,
            store: "store",
            depth: 0,
            key: String::new(),
            in_key: false,
            watch: Watch::Off,
        }
    }

    /// Writes the held "store" as it was: the string went on.
    fn release<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        use serde_json::ser::Formatter;
        if self.watch == Watch::Holding {
            self.pretty.write_string_fragment(w, "store")?;
        }
        self.watch = Watch::Off;
        Ok(())
    }
}

impl serde_json::ser::Formatter for NamingStore {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        if self.depth == 2 {
            // The next app of the list: its own store.
            self.store = self.stores.get(self.next).map_or("store", |b| b.as_str());
            self.next += 1;
        }
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if self.depth == 2 {
            self.in_key = true;
            self.key.clear();
        }
        self.pretty.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.in_key = false;
        self.pretty.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.depth == 2
            && crate::store::kinds::of_app()
                .filter_map(|k| k.declared().setting)
                .any(|setting| setting == self.key)
        {
            self.watch = Watch::Armed;
        }
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.watch = Watch::Off;
        self.pretty.end_object_value(w)
    }
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.watch == Watch::Armed {
            self.watch = Watch::Opened;
        }
        self.pretty.begin_string(w)
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if self.in_key {
            self.key.push_str(fragment);
        }
        if self.watch == Watch::Opened && fragment == "store" {
            self.watch = Watch::Holding;
            return Ok(());
        }
        self.release(w)?;
        self.pretty.write_string_fragment(w, fragment)
    }
    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        self.release(w)?;
        self.pretty.write_char_escape(w, escape)
    }
    fn end_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.watch == Watch::Holding {
            // The whole string was "store": the store's name (plain ASCII) instead.
            self.pretty.write_string_fragment(w, self.store)?;
        }
        if self.watch != Watch::Armed {
            self.watch = Watch::Off;
        }
        self.pretty.end_string(w)
    }
}

pub fn list(ctx: &Ctx, json: bool) -> Result<()> {
    let config = ctx.load()?;
    listed(&config, ctx, json)?;
    // What works was said; an application set aside is the file's fault (exit 3).
    let outcome = config.broken_error().map_or(Ok(()), Err);
    // The process ends after a listing: freeing 10,000 apps one allocation at a time
    // took 7% of `app list --json`, for memory the exit gives back at once.
    std::mem::forget(config);
    outcome
}

fn listed(config: &crate::config::Config, ctx: &Ctx, json: bool) -> Result<()> {
    if json {
        let stores = config.apps.iter().map(|a| ctx.backend(config, a)).collect();
        print_json_list(&config.apps, stores);
        return Ok(());
    }
    if config.apps.is_empty() {
        if !config.broken.is_empty() {
            return Ok(());
        }
        notice!(
            "no applications in {}; add one with `outbound app add NAME`",
            config.places()
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

/// One catalog entry as JSON: its name and every field (URL parameters as `{name}`
/// templates, as the catalog holds them).
fn preset_json(name: &str, preset: &crate::presets::Preset) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(preset)
        .map_err(|e| crate::error::Error::Other(format!("cannot encode JSON: {e}")))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("name".into(), name.into());
    }
    Ok(value)
}

/// `outbound app presets show NAME [--json]` (or `app presets NAME`): what the entry
/// fills, and what to do at the provider.
pub fn preset(name: &str, json: bool) -> Result<()> {
    use crate::choice::Choice;
    let preset = crate::presets::get(name)?;
    if json {
        return print_json(&preset_json(name, preset)?);
    }
    data!("{name}: {}", preset.description);
    data!(
        "category: {} ({})",
        preset.category.as_str(),
        preset.category.help()
    );
    if let Some(docs) = &preset.docs {
        data!("docs: {docs}");
    }
    for (param, default) in &preset.params {
        let default = if default.is_empty() {
            "required".to_owned()
        } else {
            format!("default {default}")
        };
        let check = preset
            .param_checks
            .get(param)
            .map(|c| format!(", {c}"))
            .unwrap_or_default();
        data!("parameter: --preset-param {param}=VALUE ({default}{check})");
    }
    if let Some(url) = &preset.mcp_url {
        data!("MCP server: {url} (the app is made from it as --from-url does)");
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
    let facts: Vec<String> = [
        preset.pkce_support.map(|p| format!("PKCE {}", p.as_str())),
        preset.refresh.map(|r| {
            let life = preset
                .refresh_lifetime
                .as_deref()
                .map(|l| format!(", {l}"))
                .unwrap_or_default();
            format!("refresh tokens: {}{life}", r.as_str())
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        data!("\n{}", facts.join("; "));
    }
    for quirk in &preset.quirks {
        data!("quirk {}: {}", quirk.as_str(), quirk.help());
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
    if let Some(scopes) = preset
        .settings
        .get("scopes")
        .and_then(toml::Value::as_array)
    {
        let delimiter = preset
            .settings
            .get("scope_delimiter")
            .and_then(toml::Value::as_str)
            .unwrap_or(" ");
        let scopes: Vec<&str> = scopes.iter().filter_map(toml::Value::as_str).collect();
        if !scopes.is_empty() {
            data!("  scopes to ask for: {}", scopes.join(delimiter));
        }
    }
    data!("  sources: {}", preset.sources.join(", "));
    let required: String = preset
        .params
        .iter()
        .filter(|(_, default)| default.is_empty())
        .map(|(param, _)| format!(" --preset-param {param}=VALUE"))
        .collect();
    let client = if preset.mcp_url.is_some() {
        ""
    } else {
        " --client-id ID --client-secret-stdin"
    };
    data!("\nadd it: outbound app add NAME --preset {name}{required}{client}");
    Ok(())
}

/// `outbound app presets [--search WORD] [--category C] [--json]`: the catalog by
/// category, one line each.
pub fn presets(
    search: Option<&str>,
    category: Option<crate::presets::Category>,
    json: bool,
) -> Result<()> {
    use crate::choice::Choice;
    let all = crate::presets::all()?;
    let chosen = |name: &str, p: &crate::presets::Preset| {
        category.is_none_or(|c| p.category == c) && search.is_none_or(|w| p.matches(name, w))
    };
    if json {
        let list = all
            .iter()
            .filter(|(name, p)| chosen(name, p))
            .map(|(name, p)| preset_json(name, p))
            .collect::<Result<Vec<_>>>()?;
        return print_json(&list);
    }
    let width = all
        .keys()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    let mut shown = 0;
    for (category, entries) in crate::presets::by_category(all) {
        let entries: Vec<_> = entries.into_iter().filter(|(n, p)| chosen(n, p)).collect();
        if entries.is_empty() {
            continue;
        }
        if shown > 0 {
            data!("");
        }
        data!("{} ({})", category.as_str(), category.help());
        for (name, p) in entries {
            shown += 1;
            let params: Vec<String> = p
                .params
                .iter()
                .map(|(k, d)| {
                    if d.is_empty() {
                        format!("{k}=…")
                    } else {
                        format!("{k}={d}")
                    }
                })
                .collect();
            let params = if params.is_empty() {
                String::new()
            } else {
                format!("  [{}]", params.join(" "))
            };
            data!("  {name:<width$}  {}{params}", p.description);
        }
    }
    if shown == 0 {
        let what = match (search, category) {
            (Some(w), Some(c)) => format!("matching `{w}` in {}", c.as_str()),
            (Some(w), None) => format!("matching `{w}`"),
            (None, Some(c)) => format!("in {}", c.as_str()),
            (None, None) => String::new(),
        };
        notice!(
            "no preset {what}; `outbound app presets` lists all {}",
            all.len()
        );
    } else {
        notice!(
            "{shown} of {} presets; `outbound app presets show NAME` for one",
            all.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list written straight from the apps is, byte for byte, the pretty JSON of
    /// their views: the store's name only where a secret's setting says "store".
    #[test]
    fn the_json_list_is_the_views_written_as_one_array() {
        let text = r#"
[apps.x]
id = "0123456789abcdef0123456789abcdef"
description = "store"
prompt = "store"
client_id = "store"
client_secret = "store"
client_cert = "store"
client_key = "env:store"
auth_url = "https://example.com/authorize"
token_url = "https://example.com/token"
scopes = ["store", "a\"store"]
auth_params = { store = "store", "client_secret" = "store" }

[apps.y]
id = "fedcba9876543210fedcba9876543210"
client_id = "cid"
client_secret = "env:STORE"
grant = "client_credentials"
token_url = "https://example.com/token"
"#;
        let config = crate::config::Config::parse(std::path::Path::new("apps.toml"), text)
            .unwrap_or_else(|e| panic!("{}", e.error.message));
        for store in [Backend::Keyring, Backend::File, Backend::Postgres] {
            let views: Vec<_> = config
                .apps
                .iter()
                .map(|a| view(a, store).unwrap())
                .collect();
            let mut text = Vec::new();
            let stores = vec![store; config.apps.len()];
            let mut json =
                serde_json::Serializer::with_formatter(&mut text, NamingStore::new(stores));
            serde::Serialize::serialize(&config.apps, &mut json).unwrap();
            let written = String::from_utf8(text).unwrap();
            assert_eq!(written, serde_json::to_string_pretty(&views).unwrap());
            assert!(written.contains(&format!("\"client_secret\": \"{}\"", store.as_str())));
            assert!(written.contains("\"client_key\": \"env:store\""));
        }
        let empty: Vec<App> = Vec::new();
        let mut text = Vec::new();
        let mut json =
            serde_json::Serializer::with_formatter(&mut text, NamingStore::new(Vec::new()));
        serde::Serialize::serialize(&empty, &mut json).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), "[]");
    }
}
