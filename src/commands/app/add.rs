//! `outbound app add NAME`: define a new application.

use crate::commands::output::{notice, warning};
use toml_edit::{Item, Table, value};

use super::{patch_of, secret_ref_from};
use crate::app::{self, ClientAuth, Grant, Patch, Place, SecretRef};
use crate::choice::Choice;
use crate::cli::AddArgs;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::tokens;

pub fn run(ctx: &Ctx, args: AddArgs) -> Result<()> {
    let AddArgs {
        name,
        settings,
        preset,
        preset_params,
        service_account_file,
        from_url,
        client_id_url,
        registration_uri_any_origin,
        dry_run,
        team,
        personal,
    } = args;
    let mut patch = patch_of(&settings)?;
    // The endpoints typed by hand (flags, and the questions below) are asked about
    // once the app is written.
    let mut typed = super::endpoints_in(&patch);
    let service_account = service_account_file
        .as_deref()
        .map(|path| service_account(path, &mut patch))
        .transpose()?;
    let name = match name {
        Some(name) => name,
        None if ctx.interactive => super::guided::name(ctx, &ctx.load_for_writing()?)?,
        None => {
            return Err(Error::Usage(
                "`outbound app add` needs the application's NAME: `outbound app add NAME [SETTINGS]` (on a terminal, `outbound app add` alone asks for everything)".into(),
            ));
        }
    };
    app::check_name(&name).map_err(Error::Usage)?;
    let config = ctx.load_for_writing()?;
    if let Some(there) = config.apps.iter().find(|a| a.name == name) {
        return Err(Error::Usage(format!(
            "an application named `{name}` already exists in {}; change it with `outbound app edit {name}`",
            config.home(there).display()
        )));
    }
    let place = match (team, personal) {
        (true, _) => Place::Team,
        (_, true) => Place::Personal,
        _ => ctx.default_place(&config),
    };
    if place == Place::Personal
        && let Some(team) = config.team.as_ref().filter(|t| t.unavailable.is_some())
    {
        crate::warnings::push(format!(
            "the team store {} could not be read, so `{name}` was not checked against its applications' names; if it has one, every command will name both and how to rename yours",
            team.label.display()
        ));
    }
    if place == Place::Team && !ctx.team_named(&config) {
        return Err(Error::Usage(format!(
            "--team: {} names no team store\n  fix: add database_url = \"postgresql://USER@HOST:PORT/DB\" at its top (or set OUTBOUND_DATABASE_URL and pass --store postgres)",
            config.path.display()
        )));
    }
    // Nothing given on a terminal: a guided start (a preset, discovery, or by hand).
    let private_key = match service_account {
        Some(pem) => Some((SecretRef::Store, Some(pem))),
        None => super::private_key_from(&settings)?,
    };
    let guided = ctx.interactive
        && from_url.is_none()
        && preset.is_none()
        && patch.is_empty()
        && secret_ref_from(&settings).is_none()
        && private_key.is_none();
    let (preset, preset_params, guided_discovery) = if guided {
        let start = super::guided::start(ctx, &name, &mut patch)?;
        (start.preset, start.preset_params, start.discovered)
    } else {
        let mut preset_params = preset_params;
        if let Some(preset) = &preset {
            preset_needs(ctx, &name, preset, &patch, &mut preset_params)?;
        }
        (preset, preset_params, None)
    };
    let mut from_url = from_url;
    // An issuer the catalog names, beside the endpoints it also gives, is recorded
    // (ID tokens are checked against its keys; `doctor` reads its metadata) but not
    // read now: a preset works offline, as the catalog is data. `--issuer` discovers.
    let mut catalog_issuer = false;
    if let Some(preset) = &preset {
        let given_issuer = patch.get("issuer").is_some();
        crate::presets::apply(preset, &preset_params, &mut patch)?;
        catalog_issuer = !given_issuer
            && patch.get("issuer").is_some()
            && patch.get("auth_url").is_some()
            && patch.get("token_url").is_some();
        // A hosted MCP server's entry: the app is made from its URL as --from-url
        // makes one (its metadata names the authorization server).
        let entry = crate::presets::get(preset)?;
        if let Some(url) = &entry.mcp_url {
            let values = crate::presets::values(preset, &preset_params)?;
            from_url = Some(crate::presets::fill(url, &values));
        }
    }
    let mut secret_ref = secret_ref_from(&settings);
    // A jwt_bearer client signs its grant: no client secret unless asked for one.
    if patch.get_str("grant") == Some(Grant::JwtBearer.name()) && patch.get("client_auth").is_none()
    {
        patch.set("client_auth", ClientAuth::None.name());
    }
    let found = match &from_url {
        Some(url) => Some(crate::admin::from_url(&name, url, &mut patch, |servers| {
            choose_server(ctx, servers)
        })?),
        None => None,
    };
    let mtls = super::presents_certificate(&patch, None, &settings);
    let discovered = match guided_discovery {
        Some(discovered) => Some(discovered),
        None if catalog_issuer => None,
        None => crate::admin::discover_into(&name, &mut patch, secret_ref.is_some(), mtls)?,
    };
    let mut registered = None;
    if let (Some(found), Some(discovered)) = (&found, &discovered) {
        registered = client_for_resource(
            &name,
            found,
            discovered,
            client_id_url.as_deref(),
            registration_uri_any_origin,
            dry_run,
            &mut patch,
        )?;
        if let Some(r) = &registered
            && r.client_secret.is_some()
        {
            secret_ref = Some(SecretRef::Store);
        }
    }
    if dry_run {
        return print_dry_run(&name, found.as_ref(), &patch);
    }
    if let Some(auth) = discovered.as_ref().and_then(|d| d.client_auth) {
        notice!(
            "the server does not take `client_secret_basic`: using --client-auth {}",
            auth.name()
        );
    }
    if guided {
        super::guided::secret_question(&mut patch)?;
    }
    // A preset's signing algorithm meets the key only here (the flag's was checked
    // when the key was read).
    if settings.signing_alg.is_none()
        && let (Some((_, Some(pem))), Some(alg)) = (&private_key, patch.get_str("signing_alg"))
        && let Some(alg) = app::SigningAlg::ALL
            .iter()
            .copied()
            .find(|a| a.name() == alg)
    {
        crate::jose::private_key(pem, Some(alg)).map_err(|why| {
            Error::Usage(format!(
                "--private-key: --preset {} signs with {}, and {why}; give a key that fits, or --signing-alg to override",
                preset.as_deref().unwrap_or("?"),
                alg.as_str()
            ))
        })?;
    }
    let given = super::endpoints_in(&patch);
    complete_required(
        ctx,
        &name,
        &mut patch,
        &mut secret_ref,
        private_key.is_some(),
    )?;
    typed.extend(
        super::endpoints_in(&patch)
            .into_iter()
            .filter(|f| !given.contains(f)),
    );
    if guided {
        let offered = discovered
            .as_ref()
            .map(|d| d.scopes_supported.as_slice())
            .unwrap_or_default();
        super::guided::lists(&mut patch, offered)?;
        super::guided::settle(ctx, &name, &mut patch, secret_ref.as_ref())?;
    }

    let id = app::new_id().map_err(Error::Other)?;
    // The secret is stored first, under the fresh id nobody else knows yet, and
    // removed again if the configuration cannot be saved.
    let registered_secret = registered.as_mut().and_then(|r| r.client_secret.take());
    let stored = match secret_ref {
        Some(SecretRef::Store) => {
            let secret = match registered_secret {
                Some(secret) => secret,
                None => ctx.read_secret(settings.client_secret_stdin)?,
            };
            let store = ctx.store_at(&config, place);
            tokens::store_client_secret(store.as_ref(), &id, &secret)?;
            Some(store)
        }
        _ => None,
    };
    let (tls_cert, tls_key) = super::client_tls_from(&settings)?;
    let stored = match &private_key {
        Some((_, Some(pem))) => {
            let store = stored.unwrap_or_else(|| ctx.store_at(&config, place));
            if let Err(e) = tokens::store_private_key(store.as_ref(), &id, pem) {
                let _ = tokens::delete_client_secret(store.as_ref(), &id);
                return Err(e);
            }
            Some(store)
        }
        _ => stored,
    };
    let tls_pems = [
        (crate::store::client_cert_key(&id), &tls_cert),
        (crate::store::client_tls_key_key(&id), &tls_key),
    ];
    let stored = if tls_pems
        .iter()
        .any(|(_, f)| matches!(f, Some((_, Some(_)))))
    {
        let store = stored.unwrap_or_else(|| ctx.store_at(&config, place));
        for (name, found) in &tls_pems {
            if let Some((_, Some(pem))) = found
                && let Err(e) = store.set(name, pem)
            {
                let _ = crate::store::forget_app_id(store.as_ref(), &id);
                return Err(e.into());
            }
        }
        Some(store)
    } else {
        stored
    };
    // What deleting a registered client needs, kept with its secrets.
    let registration = registered.as_ref().and_then(|r| {
        Some((
            r.registration_client_uri.as_deref()?,
            r.registration_access_token.as_ref()?,
        ))
    });
    let stored = match registration {
        Some((uri, token)) => {
            let store = stored.unwrap_or_else(|| ctx.store_at(&config, place));
            tokens::store_registration(store.as_ref(), &id, uri, token)?;
            Some(store)
        }
        None => stored,
    };

    let saved = super::edit_config_at(ctx, &name, place, |config, doc| {
        if config.apps.iter().any(|a| a.name == name) {
            return Err(Error::Usage(format!(
                "an application named `{name}` was just added by another process"
            )));
        }
        let apps = doc
            .entry("apps")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_like_mut()
            .ok_or_else(|| {
                Error::Usage("`apps` in the configuration file is not a table".into())
            })?;
        let mut table = Table::new();
        table.insert("id", value(id.as_str()));
        table.insert("enabled", value(true));
        table.insert("generation", value(1));
        if let Some(s) = secret_ref.as_ref().and_then(SecretRef::to_config) {
            table.insert("client_secret", value(s));
        }
        if let Some(s) = private_key.as_ref().and_then(|(r, _)| r.to_config()) {
            table.insert("private_key", value(s));
        }
        for (field, found) in [("client_cert", &tls_cert), ("client_key", &tls_key)] {
            if let Some(s) = found.as_ref().and_then(|(r, _)| r.to_config()) {
                table.insert(field, value(s));
            }
        }
        patch.apply(&mut table);
        if let Some(discovered) = &discovered {
            table.insert("require_iss", value(discovered.require_iss));
            table.insert("require_par", value(discovered.require_par));
        }
        apps.insert(&name, Item::Table(table));
        Ok(())
    });
    if let Err(e) = saved {
        if let Some(store) = stored {
            // Best effort: the error that matters is the one being returned.
            let _ = crate::store::forget_app_id(store.as_ref(), &id);
        }
        if let Some((uri, token)) = registration {
            undo_registration(&name, uri, token);
        }
        return Err(e);
    }
    let home = match place {
        Place::Team => format!("the team store {}", ctx.postgres(&config).label()),
        Place::Personal => config.path.display().to_string(),
    };
    notice!("added application `{name}` (id {id}) to {home}");
    // A client registered just now, or named by its metadata document, needs nothing
    // done by hand at the provider.
    let registered_here = registered.is_some() || (found.is_some() && client_id_url.is_some());
    if let Ok(config) = ctx.load()
        && let Ok(app) = config.app(&name)
    {
        if !registered_here {
            what_to_register(app, preset.as_deref());
        }
        super::check_typed_endpoints(app, &typed);
    }
    if guided || preset.is_some() {
        super::guided::next_step(&name, &patch);
    }
    Ok(())
}

/// `app add NAME --preset P`: the preset's parameters that have no default and were
/// not given are asked for on a terminal, each checked as it is typed (the client
/// id and secret are asked for after, with the rest of what is missing); without a
/// terminal they are a usage error naming every flag still needed.
fn preset_needs(
    ctx: &Ctx,
    name: &str,
    preset: &str,
    patch: &Patch,
    given: &mut Vec<(String, String)>,
) -> Result<()> {
    let entry = crate::presets::get(preset)?;
    let missing: Vec<&String> = entry
        .params
        .iter()
        .filter(|(param, default)| {
            default.trim().is_empty() && !given.iter().any(|(k, _)| k == *param)
        })
        .map(|(param, _)| param)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !ctx.interactive {
        let mut flags: Vec<String> = missing
            .iter()
            .map(|param| format!("--preset-param {param}=VALUE"))
            .collect();
        if patch.get("client_id").is_none() {
            flags.push("--client-id ID".into());
        }
        return Err(Error::Usage(format!(
            "preset `{preset}` needs {} for `outbound app add {name}` ({}; on a terminal they are asked for)",
            flags.join(", "),
            entry.description
        )));
    }
    for param in missing {
        let answer = ctx.ask(
            &format!("`{param}` for preset `{preset}` ({})", entry.description),
            |v| entry.check_param(param, v.trim()),
        )?;
        given.push((param.clone(), answer.trim().to_owned()));
    }
    Ok(())
}

/// What the client registration at the provider must say for this app to work: the
/// redirect URI exactly as it will be sent, and the scopes (what a preset's provider
/// needs beyond that, in its own words).
fn what_to_register(app: &app::App, preset: Option<&str>) {
    let register = preset
        .and_then(|p| crate::presets::get(p).ok())
        .map(|p| p.register.as_str());
    let uses_redirect = app.grant == Grant::AuthorizationCode;
    if register.is_none() && !uses_redirect {
        return;
    }
    notice!("at the provider, register:");
    if let Some(register) = register {
        notice!("  {register}");
    }
    if uses_redirect {
        let ports = app.redirect_port_order();
        if ports.is_empty() {
            notice!(
                "  redirect URI: {} (any port: outbound picks a free one each time)",
                app.redirect_uri
            );
        }
        // Each port the listener may take, as its own redirect URI.
        for port in ports {
            let mut uri = app.redirect_uri.clone();
            if uri.set_port(Some(port)).is_ok() {
                notice!("  redirect URI: {uri} (exactly, port included)");
            }
        }
    }
    if !app.scopes.is_empty() {
        notice!("  scopes: {}", app.scopes.join(" "));
    }
}

/// `--service-account-file`: a Google service-account JSON key (`client_email`,
/// `private_key`, `private_key_id`, `token_uri`) as a jwt_bearer app, as Google's
/// libraries use it: the email is the client id and the assertion's issuer, the
/// assertion's audience is the token URI, the scopes go in the assertion. Returns
/// the private key (PEM), checked, for the store.
fn service_account(path: &std::path::Path, patch: &mut Patch) -> Result<crate::secret::Secret> {
    // The JSON holds the service account's private key: a key file like any other.
    let bytes = crate::fsutil::read_private_file(path, "--service-account-file")?;
    let flag = format!("--service-account-file {}", path.display());
    if bytes.len() > 64 * 1024 {
        return Err(Error::Usage(format!(
            "{flag}: larger than 64 KiB; not a service-account key"
        )));
    }
    #[derive(serde::Deserialize)]
    struct Key {
        client_email: String,
        private_key: String,
        #[serde(default)]
        private_key_id: Option<String>,
        token_uri: String,
    }
    let key: Key = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Usage(format!(
            "{flag}: not a service-account JSON key ({e}); it needs client_email, private_key and token_uri"
        ))
    })?;
    let pem = crate::secret::Secret::new(key.private_key);
    crate::jose::private_key(&pem, None)
        .map_err(|why| Error::Usage(format!("{flag}: private_key: {why}")))?;
    let mut from_file = Patch::default();
    from_file.set("grant", Grant::JwtBearer.name());
    from_file.set("client_id", key.client_email.as_str());
    from_file.set("client_auth", ClientAuth::None.name());
    from_file.set("token_url", key.token_uri.as_str());
    from_file.set("assertion_audience", "token-endpoint");
    from_file.set("scope_in_assertion", true);
    if let Some(kid) = key.private_key_id {
        from_file.set("key_id", kid.as_str());
    }
    // Flags given explicitly win over the file.
    patch.fill_from(&from_file);
    Ok(pem)
}

/// Asks for the values a grant cannot do without, or lists the missing flags when
/// nobody is there to ask.
fn complete_required(
    ctx: &Ctx,
    name: &str,
    patch: &mut Patch,
    secret_ref: &mut Option<SecretRef>,
    has_private_key: bool,
) -> Result<()> {
    let grant = patch
        .get_str("grant")
        .unwrap_or(Grant::AuthorizationCode.name());
    let client_auth = ClientAuth::ALL
        .iter()
        .copied()
        .find(|a| Some(a.name()) == patch.get_str("client_auth"))
        .unwrap_or_default();
    let needs_secret = client_auth.uses_secret();
    let mut missing: Vec<&str> = Vec::new();
    let mut need = |key: &'static str, when: bool| {
        if when && patch.get(key).is_none() {
            missing.push(key);
        }
    };
    need("client_id", true);
    need("auth_url", grant == Grant::AuthorizationCode.name());
    need("device_url", grant == Grant::DeviceCode.name());
    need("token_url", true);
    let secret_missing = needs_secret && secret_ref.is_none();
    if client_auth == ClientAuth::PrivateKeyJwt && !has_private_key {
        missing.push("private_key");
    }
    if missing.is_empty() && !secret_missing {
        return Ok(());
    }
    if !ctx.interactive {
        let mut flags: Vec<String> = missing.iter().map(|key| super::flag_for(key)).collect();
        if secret_missing {
            flags.push(
                "a client secret (--client-secret-stdin, --client-secret-env VAR or --client-secret-command CMD; or --client-auth none for a public client)".into(),
            );
        }
        return Err(Error::Usage(format!(
            "missing required settings for `outbound app add {name}` (grant {}): {}",
            grant,
            flags.join(", ")
        )));
    }
    if missing.contains(&"private_key") {
        return Err(Error::Usage(format!(
            "private_key_jwt needs the client's private key: give --private-key FILE (or --private-key-env VAR, --private-key-command CMD) to `outbound app add {name}`"
        )));
    }
    for key in missing {
        let label = match key {
            "client_id" => "Client id (from the provider's registration of this client)",
            "auth_url" => "Authorization endpoint URL",
            "device_url" => "Device authorization endpoint URL",
            "token_url" => "Token endpoint URL",
            _ => key,
        };
        let answer = ctx.ask(label, |v| {
            if v.trim().is_empty() {
                Err("required: this grant cannot work without it".into())
            } else if key == "client_id" {
                Ok(())
            } else {
                app::check_endpoint(v.trim()).map(|_| ())
            }
        })?;
        patch.set(key, answer.trim());
    }
    if secret_missing {
        *secret_ref = Some(SecretRef::Store);
    }
    Ok(())
}

/// `--from-url` with several authorization servers: a person picks one on a
/// terminal; without one, `--issuer` must (None).
fn choose_server(ctx: &Ctx, servers: &[String]) -> Result<Option<usize>> {
    if !ctx.interactive {
        return Ok(None);
    }
    dialoguer::Select::new()
        .with_prompt(
            "The resource names several authorization servers; which one issues your tokens?",
        )
        .items(servers)
        .default(0)
        .interact_opt()
        .map_err(|e| Error::Other(format!("cannot ask on the terminal: {e}")))
}

/// The client for a resource found with `--from-url`, when none was given: the
/// client's metadata document URL as its id (`--client-id-url`, where the server
/// takes one), else one registered now (RFC 7591). PKCE with S256 is required.
fn client_for_resource(
    name: &str,
    found: &crate::admin::FromUrl,
    discovered: &crate::admin::Discovered,
    client_id_url: Option<&str>,
    any_origin: bool,
    dry_run: bool,
    patch: &mut Patch,
) -> Result<Option<crate::oauth::resource::Registration>> {
    if discovered.s256 == Some(false) {
        return Err(Error::OAuth(crate::oauth::OAuthError::Malformed {
            endpoint: "discovery",
            reason: format!(
                "{} does not do PKCE with S256 (code_challenge_methods_supported), which this flow requires; nothing was written",
                found.issuer
            ),
        }));
    }
    if patch.get("client_id").is_some() {
        return Ok(None);
    }
    if let Some(url) = client_id_url {
        if !discovered.client_id_metadata_document {
            return Err(Error::Usage(format!(
                "--client-id-url: {} does not take client id metadata documents (client_id_metadata_document_supported); leave it out to register a client, or give --client-id",
                found.issuer
            )));
        }
        crate::app::check_endpoint(url)
            .map_err(|m| Error::Usage(format!("--client-id-url: {m}")))?;
        patch.set("client_id", url);
        patch.set("client_auth", ClientAuth::None.name());
        return Ok(None);
    }
    let Some(endpoint) = &discovered.registration_endpoint else {
        return Err(Error::Usage(format!(
            "{} registers no clients on its own (no registration_endpoint): register one there and give --client-id (and its secret)",
            found.issuer
        )));
    };
    if dry_run {
        notice!("would register a client at {endpoint}");
        return Ok(None);
    }
    let endpoint = url::Url::parse(endpoint).map_err(|e| {
        Error::OAuth(crate::oauth::OAuthError::Malformed {
            endpoint: "discovery",
            reason: format!("its registration_endpoint `{endpoint}` is not a URL ({e})"),
        })
    })?;
    let redirect_uri = patch
        .get_str("redirect_uri")
        .unwrap_or(app::DEFAULT_REDIRECT_URI)
        .to_owned();
    // The client may ask for every scope the resource knows (step-up needs more later).
    let mut scopes: Vec<String> = patch
        .get("scopes")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for scope in &found.scopes_supported {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    let http = crate::http::discovery_client(
        name,
        None,
        patch.get_str("ca_file").map(std::path::Path::new),
    )?;
    let mut registration = crate::oauth::resource::register(
        &http,
        &endpoint,
        &format!("outbound ({name})"),
        &redirect_uri,
        &scopes,
    )?;
    // The registration access token goes only where the endpoint rule allows, and by
    // default only to the registration endpoint's own origin.
    if let Some(uri) = registration.registration_client_uri.take() {
        match management_uri(&uri, &endpoint, any_origin) {
            Ok(()) => registration.registration_client_uri = Some(uri),
            Err(why) => warning!(
                "not keeping the server's client-management URL: {why}\n  the registration access token is never sent there; `app edit` will not update, nor `app delete` delete, the client at the server (remove it there by hand){}",
                if any_origin {
                    ""
                } else {
                    "; to trust another origin, add the app again with --registration-uri-any-origin"
                }
            ),
        }
    }
    patch.set("client_id", registration.client_id.as_str());
    let auth = match registration.token_endpoint_auth_method.as_deref() {
        Some("client_secret_basic") if registration.client_secret.is_some() => ClientAuth::Basic,
        Some("client_secret_post") if registration.client_secret.is_some() => ClientAuth::Post,
        _ => ClientAuth::None,
    };
    patch.set("client_auth", auth.name());
    notice!(
        "registered client `{}` at {endpoint}",
        registration.client_id
    );
    Ok(Some(registration))
}

/// Whether a registration's `registration_client_uri` may be sent its registration
/// access token: the endpoint rule, and the registration endpoint's origin unless
/// `any_origin`.
fn management_uri(
    uri: &str,
    endpoint: &url::Url,
    any_origin: bool,
) -> std::result::Result<(), String> {
    let shown = crate::text::printable(uri);
    let parsed =
        app::check_endpoint(uri).map_err(|why| format!("registration_client_uri {why}"))?;
    if !any_origin && parsed.origin() != endpoint.origin() {
        return Err(format!(
            "registration_client_uri `{shown}` is on another origin than the registration endpoint {}",
            endpoint.origin().ascii_serialization()
        ));
    }
    Ok(())
}

/// `--dry-run`: what `--from-url` found and what would be written.
fn print_dry_run(name: &str, found: Option<&crate::admin::FromUrl>, patch: &Patch) -> Result<()> {
    if let Some(found) = found {
        crate::commands::output::data!("# resource: {}", found.resource);
        crate::commands::output::data!(
            "# authorization server: {} (of: {})",
            found.issuer,
            found.servers.join(", ")
        );
    }
    crate::commands::output::data!("[apps.{name}]\n{}", patch.to_toml());
    notice!("dry run: nothing was registered or written");
    Ok(())
}

/// A client registered for an app that could not be saved: deleted again (best
/// effort; said when it fails).
fn undo_registration(name: &str, uri: &str, token: &crate::secret::Secret) {
    let undo = || -> Result<()> {
        let uri = url::Url::parse(uri).map_err(|e| Error::Other(e.to_string()))?;
        let http = crate::http::discovery_client(name, None, None)?;
        crate::oauth::resource::deregister(&http, &uri, token)?;
        Ok(())
    };
    if let Err(e) = undo() {
        crate::commands::output::warning!(
            "the client registered for `{name}` could not be deleted at the server ({e}); remove it there by hand"
        );
    }
}
