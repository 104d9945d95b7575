//! `outbound app …`: administration of the applications in one configuration file.

pub mod add;
pub mod edit;
pub mod editor;
mod guided;
pub mod lifecycle;
pub mod place;
pub mod secret;
pub mod show;
pub mod transfer;

use toml_edit::{DocumentMut, Item, TableLike};

use super::Ctx;
use crate::app::{App, Patch, SecretRef};
use crate::choice::Choice;
use crate::cli::Settings;
use crate::config::{self, Config, EditError};
use crate::error::{Error, Result};
use crate::oauth::probe::Endpoint;
use crate::state::Index;
use crate::store::SecretStore;
use crate::tokens;

/// The command-line flag that sets a configuration field, for error messages about
/// values the user just typed: the settings flag whose field has that name.
fn flag_for(field: &str) -> String {
    match field {
        "client_secret" => return "the client secret".into(),
        "private_key" => return "--private-key".into(),
        "client_cert" => return "--client-cert".into(),
        "client_key" => return "--client-key".into(),
        "token_request" => return "--token-body/--refresh-url/--token-field".into(),
        "name" => return "NAME".into(),
        "redirect_ports" => return "--redirect-port".into(),
        _ => {}
    }
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    cli.find_subcommand("app")
        .and_then(|app| app.find_subcommand("add"))
        .and_then(|add| add.get_arguments().find(|a| a.get_id() == field))
        .and_then(|arg| arg.get_long())
        .map_or_else(
            || format!("--{}", field.replace('_', "-")),
            |long| format!("--{long}"),
        )
}

/// [`config::edit`] for a command that changes application `name`: a validation
/// error about that app is reported against the flag (exit 2), anything else as
/// the configuration error it is (exit 3).
fn edit_config<T>(
    ctx: &Ctx,
    name: &str,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
) -> Result<T> {
    edit_config_staged(ctx, name, change, |_| Ok(()))
}

/// [`edit_config`] through [`config::edit_staged`], where `name` is defined (the
/// file or the team store; a new one where the chosen store says).
fn edit_config_staged<T>(
    ctx: &Ctx,
    name: &str,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> Result<T> {
    let config = ctx.load_for_writing()?;
    let place = match config.apps.iter().find(|a| a.name == name) {
        Some(app) => app.place,
        None => ctx.default_place(&config),
    };
    edit_in_place(ctx, &config, name, place, change, before_commit)
}

/// [`edit_config`] of the definitions of `place`.
fn edit_config_at<T>(
    ctx: &Ctx,
    name: &str,
    place: crate::config::Place,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
) -> Result<T> {
    let config = ctx.load_for_writing()?;
    edit_in_place(ctx, &config, name, place, change, |_| Ok(()))
}

fn edit_in_place<T>(
    ctx: &Ctx,
    config: &Config,
    name: &str,
    place: crate::config::Place,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> Result<T> {
    let mut docs = None;
    let target = ctx.edit_target(config, place, &mut docs);
    config::edit_in(target, change, before_commit).map_err(|e| match e {
        EditError::Failed(e) => e,
        EditError::Invalid(parse) => match parse.invalid {
            Some(invalid) if invalid.app == name => Error::Usage(format!(
                "{}: {}",
                flag_for(invalid.field.field),
                invalid.field.message
            )),
            _ => parse.error.into(),
        },
    })
}

/// The `[apps.NAME]` table of a loaded document.
fn app_table<'a>(doc: &'a mut DocumentMut, name: &str) -> Result<&'a mut dyn TableLike> {
    doc.get_mut("apps")
        .and_then(|apps| apps.get_mut(name))
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            Error::Other(format!(
                "`apps.{name}` is not a table in the configuration file"
            ))
        })
}

/// Sets `key` to `value`, keeping the comment decor of a value it replaces.
fn set(table: &mut dyn TableLike, key: &str, value: impl Into<toml::Value>) {
    let mut patch = Patch::default();
    patch.set(key, value);
    patch.apply(table);
}

/// The settings the flags give, as a patch (a bad value is the flag's error).
fn patch_of(settings: &Settings) -> Result<Patch> {
    settings.patch().map_err(Error::Usage)
}

/// The secret reference the flags ask for, if any (`--client-secret-stdin` means
/// the store).
fn secret_ref_from(s: &Settings) -> Option<SecretRef> {
    if s.client_secret_stdin {
        Some(SecretRef::Store)
    } else if let Some(var) = &s.client_secret_env {
        Some(SecretRef::Env(var.clone()))
    } else {
        s.client_secret_command.clone().map(SecretRef::Command)
    }
}

/// Whether a PEM file holds a private key (refused when others may read it) or
/// something public (a certificate).
#[derive(Clone, Copy)]
enum Pem {
    PrivateKey,
    Public,
}

/// A PEM the flags point at: `--X FILE` (the store, with the text read now, at most
/// 64 KiB; a private key only from a file no one else may read), `--X-env VAR` or
/// `--X-command CMD`.
fn pem_from(
    flag: &str,
    kind: Pem,
    file: Option<&std::path::Path>,
    env: Option<&String>,
    command: Option<&String>,
) -> Result<Option<(SecretRef, Option<crate::secret::Secret>)>> {
    if let Some(path) = file {
        let bytes = match kind {
            Pem::PrivateKey => crate::fsutil::read_private_file(path, flag)?,
            Pem::Public => std::fs::read(path)
                .map_err(|e| Error::Usage(format!("{flag} {}: {e}", path.display())))?,
        };
        let flag = format!("{flag} {}", path.display());
        if bytes.len() > 64 * 1024 {
            return Err(Error::Usage(format!(
                "{flag}: larger than 64 KiB; not a PEM file"
            )));
        }
        let pem = String::from_utf8(bytes)
            .map_err(|_| Error::Usage(format!("{flag}: not text (PEM)")))?;
        return Ok(Some((
            SecretRef::Store,
            Some(crate::secret::Secret::new(pem)),
        )));
    }
    if let Some(var) = env {
        return Ok(Some((SecretRef::Env(var.clone()), None)));
    }
    Ok(command.cloned().map(|cmd| (SecretRef::Command(cmd), None)))
}

/// The private-key reference the flags ask for, and with `--private-key FILE` (the
/// store) the PEM itself, read now and checked: a file that is not a usable key is
/// refused before anything is written.
fn private_key_from(s: &Settings) -> Result<Option<(SecretRef, Option<crate::secret::Secret>)>> {
    let found = pem_from(
        "--private-key",
        Pem::PrivateKey,
        s.private_key.as_deref(),
        s.private_key_env.as_ref(),
        s.private_key_command.as_ref(),
    )?;
    if let (Some((_, Some(pem))), Some(path)) = (&found, &s.private_key) {
        crate::jose::private_key(pem, s.signing_alg)
            .map_err(|why| Error::Usage(format!("--private-key {}: {why}", path.display())))?;
    }
    Ok(found)
}

/// A TLS client certificate and its key the flags give (RFC 8705); two files are
/// checked together, as the identity TLS will present.
type TlsPems = (
    Option<(SecretRef, Option<crate::secret::Secret>)>,
    Option<(SecretRef, Option<crate::secret::Secret>)>,
);
fn client_tls_from(s: &Settings) -> Result<TlsPems> {
    let cert = pem_from(
        "--client-cert",
        Pem::Public,
        s.client_cert.as_deref(),
        s.client_cert_env.as_ref(),
        s.client_cert_command.as_ref(),
    )?;
    let key = pem_from(
        "--client-key",
        Pem::PrivateKey,
        s.client_key.as_deref(),
        s.client_key_env.as_ref(),
        s.client_key_command.as_ref(),
    )?;
    if let (Some((_, Some(cert))), Some((_, Some(key)))) = (&cert, &key) {
        let both = crate::secret::Secret::new(format!(
            "{}\n{}\n",
            cert.expose().trim(),
            key.expose().trim()
        ));
        tokens::identity_from_pem(&both)
            .map_err(|why| Error::Usage(format!("--client-cert/--client-key: {why}")))?;
    }
    Ok((cert, key))
}

/// Whether the app will present a TLS client certificate once the flags are applied:
/// a certificate is given or kept, or the client authenticates with one.
fn presents_certificate(patch: &Patch, app: Option<&App>, s: &Settings) -> bool {
    let tls_auth = [
        crate::app::ClientAuth::TlsClientAuth.name(),
        crate::app::ClientAuth::SelfSignedTlsClientAuth.name(),
    ];
    let given_auth = patch.get_str("client_auth");
    s.client_cert.is_some()
        || s.client_cert_env.is_some()
        || s.client_cert_command.is_some()
        || given_auth.is_some_and(|a| tls_auth.contains(&a))
        || app.is_some_and(|a| {
            a.client_cert != SecretRef::None
                || (given_auth.is_none() && tls_auth.contains(&a.client_auth.name()))
        })
}

/// The endpoints a person may type by hand, which `app add`/`app edit` ask about
/// once written.
const TYPED_ENDPOINTS: [Endpoint; 4] = [
    Endpoint::Authorization,
    Endpoint::Token,
    Endpoint::Revocation,
    Endpoint::Device,
];

/// The app's URL for `endpoint`.
fn endpoint_url(app: &App, endpoint: Endpoint) -> Option<&url::Url> {
    match endpoint {
        Endpoint::Authorization => app.auth_url.as_ref(),
        Endpoint::Token => Some(&app.token_url),
        Endpoint::Revocation => app.revocation_url.as_ref(),
        Endpoint::Device => app.device_url.as_ref(),
    }
}

/// The endpoints whose setting `patch` gives.
fn endpoints_in(patch: &Patch) -> Vec<Endpoint> {
    TYPED_ENDPOINTS
        .into_iter()
        .filter(|e| patch.get(e.field()).is_some())
        .collect()
}

/// Asks each of the `typed` endpoints of `app` (typed by hand: a flag, a prompt,
/// the editor) whether it is there, as `outbound doctor` does (a request without
/// parameters or credentials, a few seconds at most), and warns, naming the URL and
/// the fix, about one that is not found, not an OAuth endpoint, failing, or that does
/// not answer: a mistyped token URL would otherwise surface only after the person's
/// consent in the browser. `OUTBOUND_NO_PROBE=1` skips it (definitions written where
/// the provider cannot be reached).
fn check_typed_endpoints(app: &App, typed: &[Endpoint]) {
    use crate::commands::output::warning;
    use crate::oauth::probe::{self, QUICK, Silence, Verdict};
    let off = std::env::var("OUTBOUND_NO_PROBE").is_ok_and(|v| !v.is_empty() && v != "0");
    if off || typed.is_empty() {
        return;
    }
    // An app whose egress settings cannot be used says so at its first use.
    let Ok(http) = crate::http::oauth_client(app, None) else {
        return;
    };
    for endpoint in TYPED_ENDPOINTS {
        let Some(url) = endpoint_url(app, endpoint).filter(|_| typed.contains(&endpoint)) else {
            continue;
        };
        let what = format!("the {} URL {url}", endpoint.name());
        let correct = format!("outbound app edit {} {} URL", app.name, endpoint.flag());
        match probe::probe(&http, endpoint, url, Some(QUICK)) {
            Ok(response) => {
                let status = response.status().as_u16();
                // Only what says the URL is wrong: some servers answer an empty
                // request unusually and work all the same.
                if let Verdict::Wrong(why) = endpoint.judge(status) {
                    warning!(
                        "{what} answers HTTP {status} to a request without parameters ({why})\n  fix: {correct}, with the URL the provider documents (`outbound doctor {}` checks it again)",
                        app.name
                    );
                }
            }
            // The browser, not outbound, talks to the authorization endpoint over
            // TLS; a server that wants a client certificate refuses a probe without.
            Err(no)
                if no.kind == Silence::Tls
                    && (endpoint == Endpoint::Authorization
                        || app.client_cert != SecretRef::None) => {}
            Err(no) if no.kind == Silence::Tls => warning!(
                "{what} does not answer over TLS ({}): its certificate is not trusted\n  fix: trust its CA: outbound app edit {} --ca-file CA.pem",
                no.reason,
                app.name
            ),
            Err(no) => warning!(
                "{what} does not answer ({})\n  fix: if the URL is wrong: {correct}; else check the network and the app's proxy (`outbound doctor {}` checks it again)",
                no.reason,
                app.name
            ),
        }
    }
}

/// Removes this user's tokens for `app` from the store and the index, revoking
/// them at the server when `revoke`. Returns how many accounts were removed.
fn forget_tokens(
    ctx: &Ctx,
    config: &Config,
    store: &dyn SecretStore,
    app: &App,
    revoke: bool,
) -> Result<usize> {
    let audit = ctx.audit(config, app);
    let env = ctx.token_env(config, app, store, &audit);
    let accounts = Index::load(&ctx.state_dir).accounts_of(&app.id);
    for account in &accounts {
        let outcome = tokens::forget(&env, &app.id, account, revoke.then_some(app))?;
        super::report_revocation(&app.name, account, &outcome);
    }
    Ok(accounts.len())
}
