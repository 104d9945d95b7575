//! The provider catalog: data (`presets.toml`, compiled in), not code paths. Each
//! entry holds the settings it fills, in the configuration file's own terms
//! (flattened: checked, as every setting is, when the app is validated), and facts
//! about the provider that no setting holds: its category, documentation and
//! sources, URL parameters and their validation, PKCE and refresh behaviour, the
//! quirk classes it shows (each one exercised by an integration test), where to
//! register, and, for hosted MCP servers, the server's URL. `{param}` placeholders
//! come from `--preset-param NAME=VALUE` or the parameter's default.
//!
//! The catalog is parsed once, on first use: commands that never name a preset
//! (`token`, `curl`, `--version`) never parse it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::app::Patch;
use crate::choice::{Choice, choice};
use crate::error::{Error, Result};

mod pattern;
pub use pattern::ParamCheck;

const DATA: &str = include_str!("presets.toml");

choice! {
    /// What a provider is for: `app presets` lists by it.
    pub enum Category {
        DeveloperTools = "developer-tools": "Code hosting, CI, issue trackers, developer platforms",
        CrmSales = "crm-sales": "CRM and sales",
        Support = "support": "Customer support and help desks",
        Productivity = "productivity": "Productivity and project management",
        Documents = "documents": "Documents, files and e-signatures",
        Communication = "communication": "Chat, mail and calls",
        CalendarsMeetings = "calendars-meetings": "Calendars, scheduling and meetings",
        AccountingPayments = "accounting-payments": "Accounting, invoicing and payments",
        ECommerce = "e-commerce": "Shops and marketplaces",
        Marketing = "marketing": "Marketing, e-mail campaigns and forms",
        Social = "social": "Social networks",
        CloudHosting = "cloud-hosting": "Cloud platforms and hosting",
        HealthFitness = "health-fitness": "Health and fitness",
        Identity = "identity": "Identity platforms (tenants, domains)",
        Media = "media": "Music, video and media",
        Hr = "hr": "HR, payroll and recruiting",
        Mcp = "mcp": "Hosted MCP servers (`outbound proxy NAME --stdio`)",
    }
}

choice! {
    /// Whether the provider takes PKCE.
    pub enum PkceSupport {
        Required = "required": "PKCE (S256) is required",
        Supported = "supported": "PKCE (S256) is taken",
        Unsupported = "unsupported": "PKCE is refused or ignored",
    }
}

choice! {
    /// What refresh looks like at the provider.
    pub enum Refresh {
        None = "none": "No refresh token: authorize again when the access token expires",
        Static = "static": "A long-lived refresh token, reused as it is",
        Rotating = "rotating": "Each refresh returns a new refresh token; the old one stops working",
        Expiring = "expiring": "Refresh tokens expire after a fixed lifetime",
    }
}

choice! {
    /// The ways providers depart from RFC 6749 that outbound copes with, each
    /// exercised by an integration test against the test server (see
    /// `tests/it/providers.rs`, `QUIRK_TESTS`).
    pub enum Quirk {
        NestedToken = "nested_token":
            "The token answer is nested under a key (Slack's authed_user): map it with --token-field",
        FormTokenResponse = "form_token_response":
            "The token answer is form-encoded, not JSON",
        StringExpiresIn = "string_expires_in": "expires_in is a string (\"3600\")",
        NonstandardFields = "nonstandard_fields":
            "Token answer fields have other or extra names (map the token's with --token-field)",
        CommaScopes = "comma_scopes": "Scopes are joined and answered with commas",
        ClientKey = "client_key":
            "The client id goes by another name in requests (client_key): client_id_param",
        CredentialsBodyOnly = "credentials_body_only":
            "Client credentials only in the request body (client_auth = \"post\")",
        CredentialsBasicOnly = "credentials_basic_only":
            "Client credentials only in HTTP Basic (client_auth = \"basic\")",
        PkceRequired = "pkce_required": "PKCE is required",
        NoRefresh = "no_refresh": "No refresh token is issued",
        RotatingRefresh = "rotating_refresh": "Refresh tokens rotate on use",
        ExpiringRefresh = "expiring_refresh":
            "Refresh tokens expire (refresh_token_expires_in)",
        RefreshUrl = "refresh_url":
            "Refresh requests go to another URL than the token URL",
        TokenTypeCase = "token_type_case": "token_type in lowercase or another case",
        JsonBody = "json_body": "Token requests take a JSON body",
        UrlParams = "url_params":
            "URLs hold a tenant, subdomain, region or shop: --preset-param",
    }
}

/// One catalog entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Preset {
    /// One line, for the list.
    pub description: String,
    pub category: Category,
    /// The provider's own OAuth documentation.
    #[serde(default)]
    pub docs: Option<String>,
    /// Public sources that confirm the endpoints and quirks (URLs, or
    /// `github:OWNER/REPO/PATH`).
    #[serde(default)]
    pub sources: Vec<String>,
    /// URL parameters and their defaults ("" = required).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// How each parameter is checked: `dns-label`, `hostname`, `one-of:A,B`.
    #[serde(default)]
    pub param_checks: BTreeMap<String, String>,
    #[serde(default)]
    pub pkce_support: Option<PkceSupport>,
    #[serde(default)]
    pub refresh: Option<Refresh>,
    #[serde(default)]
    pub refresh_lifetime: Option<String>,
    #[serde(default)]
    pub quirks: Vec<Quirk>,
    /// What to register at the provider (redirect URI, grants).
    pub register: String,
    /// A hosted MCP server's URL: the app is made from it as `--from-url` does.
    #[serde(default)]
    pub mcp_url: Option<String>,
    /// The settings it fills, in the configuration file's terms.
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// The settings a preset fills that are URLs (`{param}` templates of https ones).
pub const URL_SETTINGS: &[&str] = &[
    "auth_url",
    "token_url",
    "revocation_url",
    "device_url",
    "par_url",
    "userinfo_url",
    "base_url",
    "issuer",
];

/// Every preset, by name (parsed once).
pub fn all() -> Result<&'static BTreeMap<String, Preset>> {
    static CATALOG: OnceLock<std::result::Result<BTreeMap<String, Preset>, String>> =
        OnceLock::new();
    CATALOG
        .get_or_init(|| toml::from_str(DATA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Other(format!("the built-in presets are broken: {e}")))
}

pub fn get(name: &str) -> Result<&'static Preset> {
    let all = all()?;
    all.get(name).ok_or_else(|| {
        let close: Vec<&str> = all
            .keys()
            .filter(|k| strsim::jaro_winkler(k, name) > 0.85 || k.starts_with(name))
            .map(String::as_str)
            .take(5)
            .collect();
        let hint = if close.is_empty() {
            format!(
                "`outbound app presets` lists all {}, `outbound app presets --search WORD` finds one",
                all.len()
            )
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        Error::Usage(format!("--preset {name}: no such preset; {hint}"))
    })
}

impl Preset {
    /// The parameter's check, when the entry names one.
    pub fn check_of(&self, param: &str) -> Option<std::result::Result<ParamCheck, String>> {
        self.param_checks.get(param).map(|c| ParamCheck::parse(c))
    }

    /// The settings with `values` put in for the `{param}` placeholders.
    pub fn filled(&self, values: &BTreeMap<String, String>) -> Patch {
        let mut settings = Patch::from_table(self.settings.clone());
        settings.map_strings(&|s: &str| fill(s, values));
        settings
    }

    /// Every word a search matches: the name, description, category, hosts.
    pub fn matches(&self, name: &str, word: &str) -> bool {
        let word = word.to_lowercase();
        name.contains(&word)
            || self.description.to_lowercase().contains(&word)
            || self.category.as_str().contains(&word)
            || self
                .settings
                .get("base_url")
                .and_then(toml::Value::as_str)
                .is_some_and(|u| u.contains(&word))
    }
}

/// `text` with each `{param}` replaced by its value.
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    values.iter().fold(text.to_owned(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}

/// The parameter values of preset `name`: its defaults, with `given` put in, each
/// checked; an error names what is missing or wrong.
pub fn values(name: &str, given: &[(String, String)]) -> Result<BTreeMap<String, String>> {
    get(name)?.values(name, given)
}

impl Preset {
    /// [`values`] of this entry, named `name`.
    pub fn values(
        &self,
        name: &str,
        given: &[(String, String)],
    ) -> Result<BTreeMap<String, String>> {
        let preset = self;
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
        for (param, value) in &values {
            preset
                .check_param(param, value)
                .map_err(|why| Error::Usage(format!("--preset-param {param}={value}: {why}")))?;
        }
        Ok(values)
    }

    /// [`apply`] of this entry, named `name`.
    pub fn apply(&self, name: &str, given: &[(String, String)], patch: &mut Patch) -> Result<()> {
        let values = self.values(name, given)?;
        let mut settings = self.filled(&values);
        if settings.get("description").is_none() {
            settings.set("description", self.description.clone());
        }
        settings.set("preset", name);
        for (k, v) in &values {
            settings.set(&format!("preset_params.{k}"), v.as_str());
        }
        patch.fill_from(&settings);
        Ok(())
    }
}

/// Fills what `patch` leaves out from preset `name`, with its parameters
/// substituted, and records the preset and its parameters in the app (for
/// `doctor`). Explicit flags always win; tables merge key by key.
pub fn apply(name: &str, given: &[(String, String)], patch: &mut Patch) -> Result<()> {
    get(name)?.apply(name, given, patch)
}

/// Whether `value` can be preset `name`'s parameter `param`: not empty, what its
/// check says (a DNS label, a host name, one of a list), and every URL and host it
/// is put into still one.
pub fn check_param(name: &str, param: &str, value: &str) -> std::result::Result<(), String> {
    get(name)
        .map_err(|e| e.to_string())?
        .check_param(param, value)
}

impl Preset {
    /// [`check_param`] of this entry.
    pub fn check_param(&self, param: &str, value: &str) -> std::result::Result<(), String> {
        let preset = self;
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
        if let Some(check) = preset.check_of(param) {
            let check = check.map_err(|e| format!("the built-in preset is broken: {e}"))?;
            check
                .check(value)
                .map_err(|why| format!("`{value}` is not a `{param}`: {why}"))?;
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
}

/// The categories in the order the list shows them, with their entries.
pub fn by_category(
    all: &'static BTreeMap<String, Preset>,
) -> Vec<(Category, Vec<(&'static str, &'static Preset)>)> {
    Category::ALL
        .iter()
        .map(|c| {
            let entries = all
                .iter()
                .filter(|(_, p)| p.category == *c)
                .map(|(n, p)| (n.as_str(), p))
                .collect();
            (*c, entries)
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// A source as a link: `github:OWNER/REPO/PATH` to its page on GitHub.
fn source_link(source: &str) -> String {
    match source.strip_prefix("github:") {
        Some(path) => {
            let mut parts = path.splitn(3, '/');
            let (owner, repo, file) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            format!("[{owner}/{repo}](https://github.com/{owner}/{repo}/blob/HEAD/{file})")
        }
        None => {
            let host = url::Url::parse(source)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| source.to_owned());
            format!("[{host}]({source})")
        }
    }
}

/// The count of entries per category as a Markdown table, each category linked to
/// its section of `PROVIDERS.md` (`link` is `#` there, `PROVIDERS.md#` in the
/// README, which a test keeps equal to this).
pub fn category_table(link: &str) -> Result<String> {
    use std::fmt::Write;
    let mut out = String::from("| category | entries |\n|---|---|\n");
    for (category, entries) in by_category(all()?) {
        let _ = writeln!(
            out,
            "| [{}]({link}{}) | {} |",
            category.as_str(),
            category.as_str(),
            entries.len()
        );
    }
    Ok(out)
}

/// `PROVIDERS.md`: every entry, by category, with its parameters, PKCE and refresh
/// facts, quirks and sources (written by `outbound generate-docs`, checked by its
/// `--check`).
pub fn markdown() -> Result<String> {
    use std::fmt::Write;
    let all = all()?;
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Provider catalog\n\n<!-- Generated from src/presets.toml by `cargo run -- generate-docs`; do not edit. -->\n\n\
         {} entries. `outbound app presets` lists them by category, `outbound app presets --search WORD` \
         finds one, `outbound app presets show NAME` says what to register at the provider, and \
         `outbound app add NAME --preset PRESET` makes an app from one (see \
         [Providers](docs/providers.md#the-catalog)). Every endpoint and quirk is confirmed in at \
         least two independent public sources, named below; each quirk class is exercised by an \
         integration test.\n",
        all.len()
    );
    out.push_str(&category_table("#")?);
    let grouped = by_category(all);
    let _ = writeln!(
        out,
        "\n## Quirk classes\n\n| class | what it means |\n|---|---|"
    );
    for quirk in Quirk::ALL {
        let _ = writeln!(out, "| `{}` | {} |", quirk.as_str(), cell(quirk.help()));
    }
    for (category, entries) in &grouped {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## {}\n\n{}.\n\n| preset | what | parameters | PKCE | refresh | quirks | sources |\n|---|---|---|---|---|---|---|",
            category.as_str(),
            category.help()
        );
        for (name, p) in entries {
            let params: Vec<String> = p
                .params
                .iter()
                .map(|(k, d)| {
                    let check = p.param_checks.get(k).map(String::as_str).unwrap_or("");
                    if d.is_empty() {
                        format!("`{k}` (required; {check})")
                    } else {
                        format!("`{k}` (default `{d}`; {check})")
                    }
                })
                .collect();
            let refresh = match (p.refresh, &p.refresh_lifetime) {
                (Some(r), Some(life)) => format!("{} ({life})", r.as_str()),
                (Some(r), None) => r.as_str().to_owned(),
                (None, _) => String::new(),
            };
            let quirks: Vec<String> = p
                .quirks
                .iter()
                .map(|q| format!("`{}`", q.as_str()))
                .collect();
            let sources: Vec<String> = p.sources.iter().map(|s| source_link(s)).collect();
            let what = match &p.docs {
                Some(docs) => format!("[{}]({docs})", cell(&p.description)),
                None => cell(&p.description),
            };
            let _ = writeln!(
                out,
                "| `{name}` | {what} | {} | {} | {} | {} | {} |",
                params.join(", "),
                p.pkce_support.map(|s| s.as_str()).unwrap_or(""),
                refresh,
                quirks.join(" "),
                sources.join(", ")
            );
        }
    }
    Ok(out)
}
