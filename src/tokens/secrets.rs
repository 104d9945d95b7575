//! Where an application's client credentials come from — its client secret, the
//! private key of `private_key_jwt` and `jwt_bearer`, its TLS client certificate and
//! key — the store, an environment variable, or a command's output; and the inputs of
//! a token exchange. Resolved only when a request needs them.

use crate::app::{App, ClientAuth, SecretRef};
use crate::error::{Error, Result};
use crate::oauth::ClientCredentials;
use crate::secret::Secret;
use crate::store::{self, SecretStore};

/// The client secret of `app`, from wherever it lives.
pub fn client_secret(app: &App, store: &dyn SecretStore) -> Result<Option<Secret>> {
    resolve(
        app,
        &app.client_secret,
        store,
        &store::client_secret_key(&app.id),
        "client secret",
        &format!("outbound app secret set {}", app.name),
    )
}

/// What to put right when the server refuses the client itself (`invalid_client`),
/// for an app that authenticates as `app.client_auth` says: what identifies or
/// authenticates it (named as [`store::kinds`] declares it), why the server may not
/// take it, and how to set it where the app says it comes from.
pub struct ClientFix {
    pub what: &'static str,
    pub cause: String,
    pub fix: String,
    /// The fix changes the application or a secret kept in the store with it.
    pub app_change: bool,
}

pub fn client_fix(app: &App) -> ClientFix {
    use store::kinds::Kind;
    let client = format!(
        "the server did not accept `{}` as client `{}`",
        app.name, app.client_id
    );
    // Where the credential comes from decides who sets it, and how.
    let set = |kind: Kind, reference: &SecretRef, right_one: &str| match reference {
        SecretRef::Env(var) => (
            format!("export {var}=… ({right_one}) where outbound runs"),
            false,
        ),
        SecretRef::Command(_) => (
            format!(
                "make the command of apps.{}.{} print {right_one}",
                app.name,
                kind.declared().setting.unwrap_or("client_secret")
            ),
            false,
        ),
        SecretRef::Store | SecretRef::None => (kind.fix_for(&app.name), true),
    };
    let (what, cause, (fix, app_change)) = match app.client_auth {
        ClientAuth::Basic | ClientAuth::Post | ClientAuth::ClientSecretJwt => (
            Kind::ClientSecret.declared().label,
            format!(
                "{client}: its client secret is wrong or outdated (rotated at the provider), or the client id is wrong"
            ),
            set(
                Kind::ClientSecret,
                &app.client_secret,
                "the client secret the provider issued",
            ),
        ),
        ClientAuth::PrivateKeyJwt => {
            let (fix, change) = set(
                Kind::PrivateKey,
                &app.private_key,
                "the private key whose public key the provider has",
            );
            (
                Kind::PrivateKey.declared().label,
                format!(
                    "{client}: the provider does not have the public key of its private key (or under another key id), or the client id is wrong"
                ),
                (
                    format!("{fix} (the key whose public key the provider has)"),
                    change,
                ),
            )
        }
        ClientAuth::TlsClientAuth | ClientAuth::SelfSignedTlsClientAuth => {
            let (fix, change) = set(
                Kind::ClientCert,
                &app.client_cert,
                "the certificate the provider has registered",
            );
            (
                Kind::ClientCert.declared().label,
                format!(
                    "{client}: the provider has not registered its TLS client certificate (or it expired), or the client id is wrong"
                ),
                (
                    format!("{fix} (the certificate the provider has registered)"),
                    change,
                ),
            )
        }
        ClientAuth::None => (
            "client id",
            format!(
                "{client}: it does not know the client id, or wants the client to authenticate (a client secret)"
            ),
            (
                format!(
                    "outbound app edit {} --client-id ID (the id the provider issued; if it issued a secret too: {})",
                    app.name,
                    Kind::ClientSecret.fix_for(&app.name)
                ),
                true,
            ),
        ),
    };
    // Both audiences were tried (see oauth::Learned): the server may want a third.
    let cause = if matches!(
        app.client_auth,
        ClientAuth::PrivateKeyJwt | ClientAuth::ClientSecretJwt
    ) && !app.assertion_audience_set
        && app.issuer.is_some()
    {
        format!(
            "{cause}; or it wants the assertion for another audience than the issuer and the token endpoint, which were both tried: outbound app edit {} --assertion-audience URL",
            app.name
        )
    } else {
        cause
    };
    ClientFix {
        what,
        cause,
        fix,
        app_change,
    }
}

/// `e` with the next step when the server refused the client itself
/// (`invalid_client`, from the token or device authorization endpoint, whatever
/// the grant): see [`client_fix`]. Any other error is returned as it is.
pub fn refused_client(app: &App, e: Error) -> Error {
    let refused = matches!(
        &e,
        Error::OAuth(crate::oauth::OAuthError::Refused { error, .. }) if error == "invalid_client"
    );
    if !refused {
        return e;
    }
    let ClientFix {
        what,
        cause,
        fix,
        app_change,
    } = client_fix(app);
    Error::ClientRefused {
        error: Box::new(e),
        cause,
        what: what.to_owned(),
        fix,
        app_change,
    }
}

/// The private key (PEM) of a `private_key_jwt` app.
pub fn private_key(app: &App, store: &dyn SecretStore) -> Result<Option<Secret>> {
    resolve(
        app,
        &app.private_key,
        store,
        &store::private_key_key(&app.id),
        "private key",
        &format!("outbound app edit {} --private-key FILE", app.name),
    )
}

/// The app's TLS client certificate (PEM), when it has one.
fn client_cert(app: &App, store: &dyn SecretStore) -> Result<Option<Secret>> {
    resolve(
        app,
        &app.client_cert,
        store,
        &store::client_cert_key(&app.id),
        "client certificate",
        &format!("outbound app edit {} --client-cert FILE", app.name),
    )
}

/// The app's TLS client certificate and key as one identity (RFC 8705), when it has
/// them: presented to the server, and to the API for certificate-bound tokens.
pub fn client_identity(app: &App, store: &dyn SecretStore) -> Result<Option<reqwest::Identity>> {
    let cert = client_cert(app, store)?;
    identity_with(app, cert, store)
}

/// [`client_identity`] with the certificate already read.
fn identity_with(
    app: &App,
    cert: Option<Secret>,
    store: &dyn SecretStore,
) -> Result<Option<reqwest::Identity>> {
    let Some(cert) = cert else {
        return Ok(None);
    };
    let key = resolve(
        app,
        &app.client_key,
        store,
        &store::client_tls_key_key(&app.id),
        "client certificate's key",
        &format!("outbound app edit {} --client-key FILE", app.name),
    )?;
    let Some(key) = key else {
        return Ok(None);
    };
    let pem = crate::secret::Secret::new(format!(
        "{}\n{}\n",
        cert.expose().trim(),
        key.expose().trim()
    ));
    identity_from_pem(&pem)
        .map(Some)
        .map_err(|why| Error::Usage(format!("the client certificate of `{}`: {why}", app.name)))
}

/// A certificate (with its chain) and its private key, as TLS identity. A
/// certificate outside its validity dates is refused with them: the handshake
/// would fail far less clearly.
pub fn identity_from_pem(pem: &Secret) -> std::result::Result<reqwest::Identity, String> {
    check_validity(pem.expose())?;
    crate::http::use_ring_for_tls();
    reqwest::Identity::from_pem(pem.expose().as_bytes())
        .map_err(|e| format!("not a certificate and a private key that belong together ({e})"))
}

/// Refuses a first certificate in `pem` that has expired, is not valid yet, or that
/// TLS will not present (not version 3).
fn check_validity(pem: &str) -> std::result::Result<(), String> {
    use x509_cert::der::DecodePem;
    let Some(start) = pem.find("-----BEGIN CERTIFICATE-----") else {
        return Err("no certificate (-----BEGIN CERTIFICATE-----) in it".into());
    };
    let rest = &pem[start..];
    let end = rest
        .find("-----END CERTIFICATE-----")
        .map_or(rest.len(), |i| i + "-----END CERTIFICATE-----".len());
    let cert = x509_cert::Certificate::from_pem(&rest[..end])
        .map_err(|e| format!("the certificate cannot be read ({e})"))?;
    let validity = &cert.tbs_certificate.validity;
    let now = std::time::SystemTime::now();
    let at = |t: &x509_cert::time::Time| std::time::UNIX_EPOCH + t.to_unix_duration();
    let (from, until) = (at(&validity.not_before), at(&validity.not_after));
    let date = |t: std::time::SystemTime| humantime::format_rfc3339_seconds(t).to_string();
    if now > until {
        return Err(format!("the certificate expired on {}", date(until)));
    }
    if now < from {
        return Err(format!("the certificate is not valid until {}", date(from)));
    }
    // rustls (through webpki) takes X.509 version 3 only; `openssl x509 -req` without
    // extensions still makes version 1.
    if cert.tbs_certificate.version != x509_cert::Version::V3 {
        return Err(
            "the certificate is not X.509 version 3, which TLS clients present; have it issued with extensions (e.g. `openssl x509 -req … -extfile ext.cnf`, ext.cnf holding `basicConstraints=CA:FALSE`)"
                .into(),
        );
    }
    Ok(())
}

/// Removes the stored TLS client certificate and key of the app with `app_id`.
pub fn delete_client_identity(store: &dyn SecretStore, app_id: &str) -> Result<()> {
    store.delete(&store::client_cert_key(app_id))?;
    store.delete(&store::client_tls_key_key(app_id))?;
    Ok(())
}

/// Everything one token-endpoint request authenticates with: the secret, the key
/// that signs client assertions (checked here, so a bad key fails before any
/// request), and what the server was found to take for what the app leaves open
/// (kept in `state_dir`).
pub fn client_credentials<'a>(
    app: &'a App,
    store: &dyn SecretStore,
    state_dir: &std::path::Path,
) -> Result<ClientCredentials<'a>> {
    let secret = client_secret(app, store)?;
    let bad_key =
        |why: String| Error::Usage(format!("the {} of `{}`: {why}", what_signs(app), app.name));
    let signing_key = match app.client_auth {
        ClientAuth::PrivateKeyJwt => match private_key(app, store)? {
            Some(pem) => Some(crate::jose::private_key(&pem, app.signing_alg).map_err(bad_key)?),
            None => None,
        },
        ClientAuth::ClientSecretJwt => match &secret {
            Some(secret) => Some(crate::jose::hmac_key(secret, app.signing_alg).map_err(bad_key)?),
            None => None,
        },
        _ => None,
    }
    .map(|key| key.with_kid(app.key_id.clone()));
    // A client with a certificate names its assertion key by it (x5t#S256). The
    // certificate is read once, for that and for the TLS identity.
    let cert = client_cert(app, store)?;
    let signing_key = match (signing_key, &cert) {
        (Some(key), Some(cert)) if app.client_auth == ClientAuth::PrivateKeyJwt => {
            Some(key.with_certificate(cert).map_err(bad_key)?)
        }
        (key, _) => key,
    };
    let grant_key = match (app.grant, app.client_auth) {
        // One private key: the grant's, unless it is also the client's.
        (crate::app::Grant::JwtBearer, ClientAuth::PrivateKeyJwt) => signing_key.clone(),
        (crate::app::Grant::JwtBearer, _) => match private_key(app, store)? {
            Some(pem) => Some(
                crate::jose::private_key(
                    &pem,
                    app.signing_alg.filter(|a| !a.as_str().starts_with("HS")),
                )
                .map_err(|why| Error::Usage(format!("the private key of `{}`: {why}", app.name)))?
                .with_kid(app.key_id.clone()),
            ),
            None => None,
        },
        _ => None,
    };
    let exchange = match (&app.subject_token, app.grant) {
        (Some(source), crate::app::Grant::TokenExchange) => {
            let subject = read_token(app, "subject token", source)?;
            let actor = match &app.actor_token {
                Some(source) => Some(read_token(app, "actor token", source)?),
                None => None,
            };
            Some((subject, actor))
        }
        _ => None,
    };
    Ok(ClientCredentials {
        app,
        secret,
        signing_key,
        dpop: None,
        grant_key,
        exchange,
        identity: identity_with(app, cert, store)?,
        learned: std::cell::Cell::new(crate::state::learned_auth(state_dir, app)),
        keep_learned: Some(keep_learned(app, state_dir)),
    })
}

/// Keeps what the server was found to take for `app` and says so, once: the next
/// requests start with it.
fn keep_learned<'a>(
    app: &'a App,
    state_dir: &std::path::Path,
) -> Box<dyn Fn(crate::oauth::Learned, crate::oauth::Learned) + 'a> {
    use crate::oauth::{AudienceStyle, SecretStyle};
    let state_dir = state_dir.to_owned();
    Box::new(move |before, after| {
        let kept = crate::state::keep_learned_auth(&state_dir, app, after);
        let name = &app.name;
        let (what, setting) = if before.secret != after.secret {
            let style = after.secret.unwrap_or(SecretStyle::EncodedBasic);
            let was = before.secret.unwrap_or(SecretStyle::EncodedBasic);
            (
                format!(
                    "the server of `{name}` refused the client secret in {} and took it in {}",
                    was.describe(),
                    style.describe()
                ),
                match style {
                    SecretStyle::Body => format!(
                        "; to say so in the app: outbound app edit {name} --client-auth post"
                    ),
                    SecretStyle::EncodedBasic => format!(
                        "; to say so in the app: outbound app edit {name} --client-auth basic"
                    ),
                    SecretStyle::RawBasic => String::new(),
                },
            )
        } else {
            let style = after.audience.unwrap_or(AudienceStyle::Issuer);
            let was = before.audience.unwrap_or(AudienceStyle::Issuer);
            let value = match style {
                AudienceStyle::Issuer => "issuer",
                AudienceStyle::TokenEndpoint => "token-endpoint",
            };
            (
                format!(
                    "the server of `{name}` refused a client assertion for {} and took one for {}",
                    was.describe(),
                    style.describe()
                ),
                format!(
                    "; to say so in the app: outbound app edit {name} --assertion-audience {value}"
                ),
            )
        };
        let where_ = if kept {
            format!(
                "outbound does so for `{name}` from now on (kept in {})",
                crate::state::learned_auth_path(&state_dir).display()
            )
        } else {
            "outbound could not keep this, and will find it again next time".to_owned()
        };
        crate::warnings::note(format!("{what}; {where_}{setting}"));
    })
}

/// A token_exchange input, read fresh from where the app says (`env:`, `file:`,
/// `command:`): never stored, never quoted.
fn read_token(app: &App, what: &str, source: &str) -> Result<Secret> {
    let fail = |why: String| Error::Usage(format!("the {what} of `{}`: {why}", app.name));
    if let Some(path) = source.strip_prefix("file:") {
        let bytes = std::fs::read(path).map_err(|e| fail(format!("{path}: {e}")))?;
        if bytes.len() > 64 * 1024 {
            return Err(fail(format!("{path} is larger than 64 KiB")));
        }
        let text = String::from_utf8(bytes).map_err(|_| fail(format!("{path} is not text")))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(fail(format!("{path} is empty")));
        }
        return Ok(Secret::new(token));
    }
    match crate::secret::resolve_reference(source) {
        Some(Ok(token)) if !token.expose().trim().is_empty() => Ok(token),
        Some(Ok(_)) => Err(fail("it is empty".into())),
        Some(Err(why)) => Err(fail(why)),
        None => Err(fail("expected env:VAR, file:PATH or command:CMD".into())),
    }
}

fn what_signs(app: &App) -> &'static str {
    if app.client_auth == ClientAuth::PrivateKeyJwt {
        "private key"
    } else {
        "client secret"
    }
}

fn resolve(
    app: &App,
    reference: &SecretRef,
    store: &dyn SecretStore,
    key: &str,
    what: &str,
    fix: &str,
) -> Result<Option<Secret>> {
    match reference {
        SecretRef::None => Ok(None),
        SecretRef::Store => store.get(key)?.map(Some).ok_or_else(|| {
            Error::Usage(format!(
                "no {what} for `{}` in the {} store; set it with `{fix}`",
                app.name,
                store.backend().as_str(),
            ))
        }),
        SecretRef::Env(var) => match crate::secret::resolve_reference(&format!("env:{var}")) {
            Some(Ok(v)) => Ok(Some(v)),
            _ => Err(Error::Usage(format!(
                "the {what} of `{}` comes from ${var}, which is not set",
                app.name
            ))),
        },
        SecretRef::Command(cmd) => {
            match crate::secret::resolve_reference(&format!("command:{cmd}")) {
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(why)) => Err(Error::Other(format!(
                    "the {what} command of `{}`: {why}",
                    app.name
                ))),
                None => Ok(None),
            }
        }
    }
}

/// [`client_credentials`] for requests made for one account: with the account's
/// DPoP key (made on first use) when the app uses DPoP.
pub fn account_credentials<'a>(
    app: &'a App,
    account: &str,
    store: &dyn SecretStore,
    state_dir: &std::path::Path,
) -> Result<ClientCredentials<'a>> {
    let mut creds = client_credentials(app, store, state_dir)?;
    if app.dpop {
        creds.dpop = Some(crate::dpop::Dpop::load_or_create(
            store, state_dir, &app.id, account,
        )?);
    }
    Ok(creds)
}

/// Keeps `pem` as the private key of the app with `app_id`, in the store.
pub fn store_private_key(store: &dyn SecretStore, app_id: &str, pem: &Secret) -> Result<()> {
    Ok(store.set(&store::private_key_key(app_id), pem)?)
}

/// Removes the stored private key of the app with `app_id` (whether there was one).
pub fn delete_private_key(store: &dyn SecretStore, app_id: &str) -> Result<bool> {
    Ok(store.delete(&store::private_key_key(app_id))?)
}

/// Keeps `secret` as the client secret of the app with `app_id`, in the store.
pub fn store_client_secret(store: &dyn SecretStore, app_id: &str, secret: &Secret) -> Result<()> {
    Ok(store.set(&store::client_secret_key(app_id), secret)?)
}

/// Removes the stored client secret of the app with `app_id` (whether there was one).
pub fn delete_client_secret(store: &dyn SecretStore, app_id: &str) -> Result<bool> {
    Ok(store.delete(&store::client_secret_key(app_id))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(settings: &str) -> App {
        let text = format!(
            "[apps.svc]\nid = \"a1\"\nclient_id = \"c1\"\ngrant = \"client_credentials\"\ntoken_url = \"https://e.com/t\"\n{settings}\n"
        );
        let config = crate::config::Config::parse(std::path::Path::new("f"), &text)
            .unwrap_or_else(|e| panic!("{}", e.error));
        config.apps.into_iter().next().unwrap()
    }

    #[test]
    fn a_refused_client_is_told_to_set_what_authenticates_it_where_it_comes_from() {
        let fix = client_fix(&app("client_secret = \"store\""));
        assert_eq!(
            (fix.what, fix.fix.as_str(), fix.app_change),
            ("client secret", "outbound app secret set svc", true)
        );
        let fix = client_fix(&app("client_secret = \"env:SVC_SECRET\""));
        assert!(fix.fix.starts_with("export SVC_SECRET="), "{}", fix.fix);
        assert!(!fix.app_change);
        let fix = client_fix(&app(
            "client_auth = \"private_key_jwt\"\nprivate_key = \"store\"",
        ));
        assert_eq!(fix.what, "private key");
        assert!(
            fix.fix
                .starts_with("outbound app edit svc --private-key FILE"),
            "{}",
            fix.fix
        );
        let fix = client_fix(&app(
            "client_auth = \"tls_client_auth\"\nclient_cert = \"store\"\nclient_key = \"store\"",
        ));
        assert_eq!(fix.what, "TLS client certificate");
        assert!(fix.fix.contains("--client-cert FILE"), "{}", fix.fix);
        let fix = client_fix(&app("client_auth = \"none\""));
        assert!(fix.fix.contains("--client-id ID"), "{}", fix.fix);
        assert!(fix.cause.contains("client `c1`"), "{}", fix.cause);

        // Only invalid_client gets the fix; every other error is left as it is.
        let refused = |error: &str| {
            Error::OAuth(crate::oauth::OAuthError::Refused {
                endpoint: "token",
                error: error.into(),
                description: None,
                uri: None,
            })
        };
        let svc = app("client_secret = \"store\"");
        let e = refused_client(&svc, refused("invalid_client"));
        assert!(matches!(e, Error::ClientRefused { .. }));
        assert_eq!(e.exit_code(), crate::error::exit::SERVER);
        assert!(
            e.to_string().ends_with("fix: outbound app secret set svc"),
            "{e}"
        );
        let e = refused_client(&svc, refused("invalid_grant"));
        assert!(matches!(e, Error::OAuth(_)));
    }
}
