//! The gate: the one decision before a token or a credential leaves this process.
//!
//! Every front end that releases a token — `curl` (each request and redirect), the
//! proxy (each request, on both paths, and again after a 401), the stdio bridge,
//! `git-credential`, `token --format exec-credential` (with the cluster kubectl
//! names), `exec`, the agent — asks [`check`] at each release, never deciding on its
//! own. Every URL that carries a credential to an authorization server (token,
//! revocation, device, PAR, registration and its management URI, userinfo, JWKS,
//! discovery) passes one endpoint rule, [`crate::oauth::credential_url`], where it is
//! sent (below this module: the protocol layer applies it).
//!
//! What [`check`] weighs, in this order:
//! 1. the app is enabled, and the token was obtained under its current generation
//!    (`app reset`);
//! 2. where it goes: https (plain http only to loopback), a host among the app's
//!    allowed hosts ([`hosts`]), a `Host` header naming the URL's own authority, no
//!    clear-text hop through a remote proxy, and no resource that trusts other
//!    authorization servers than the app's issuer (RFC 9728, [`binding`]).
//!
//! The account's own state (active, still authorized, not logged out) is weighed
//! where the token is obtained ([`crate::tokens::valid_token`], or the agent): a
//! short-lived command obtains it right before releasing it, and a long-running
//! server through [`Live`], which obtains it again at least once a second, so a
//! change anywhere is seen within a second.

pub mod binding;
pub mod hosts;
mod live;

pub use live::{Live, Source};

use std::path::Path;

use reqwest::header::HeaderMap;
use url::Url;

use crate::app::App;
use crate::error::{Error, Result};
use crate::tokens::StoredToken;

/// Where a token is about to go.
pub enum To<'a> {
    /// An HTTP request (`curl`, the proxy, the stdio bridge; git for its remote):
    /// its URL, the proxy named for it (None: the environment's, judged as the HTTP
    /// client will use it), and its headers when the caller sets any (`Host`).
    Http {
        url: &'a Url,
        proxy: Option<&'a Url>,
        headers: Option<&'a HeaderMap>,
    },
    /// A Kubernetes API server, as kubectl names it in `KUBERNETES_EXEC_INFO`
    /// (`provideClusterInfo: true`); None when kubectl does not say.
    Cluster(Option<&'a Url>),
    /// Into a program's environment (`exec`) or onto standard output (`token`): the
    /// person running the command chose where it goes; only the app's and the
    /// account's state are weighed.
    Process,
}

/// May `token` of `app` go `to` there now? Disabled app: exit 5; token of an older
/// generation: exit 4 (authorize again); a destination the app does not allow:
/// exit 6, the message naming the host and the fix.
pub fn check(state_dir: &Path, app: &App, token: &StoredToken, to: &To) -> Result<()> {
    if !app.enabled {
        return Err(Error::Disabled(app.name.clone()));
    }
    if token.generation < app.generation {
        return Err(Error::AuthorizationRequired {
            reason: format!(
                "the token of `{}` was obtained before the app was reset (generation {} < {}): it is dead",
                app.name, token.generation, app.generation
            ),
            command: format!("outbound authorize {}", app.name),
        });
    }
    match destination(state_dir, app, to) {
        Some(why) => Err(Error::HostNotAllowed(why)),
        None => Ok(()),
    }
}

/// Why no token of `app` may go `to` there, whoever holds it; None when it may.
/// For checks made before a token is at hand (a proxy's upstream at start).
pub fn destination(state_dir: &Path, app: &App, to: &To) -> Option<String> {
    match to {
        To::Http {
            url,
            proxy,
            headers,
        } => hosts::refusal(app, url, *proxy)
            .or_else(|| headers.and_then(|h| hosts::host_header_refusal(app, url, h)))
            .or_else(|| binding::refusal(state_dir, app, url)),
        To::Cluster(Some(server)) => hosts::refusal(app, server, None)
            .map(|why| format!("{why}\n  (the cluster's API server, as kubectl names it)"))
            .or_else(|| binding::refusal(state_dir, app, server)),
        To::Cluster(None) | To::Process => None,
    }
}

/// Whether no token was released because the gate, the app or the account said no
/// (disabled, reset, inactive, needs authorization, not allowed there, the app no
/// longer defined), not because of a fault that may pass.
pub fn is_refusal(e: &Error) -> bool {
    use crate::error::exit;
    matches!(e, Error::UnknownApp { .. })
        || [
            exit::AUTHORIZATION_REQUIRED,
            exit::DISABLED,
            exit::HOST_NOT_ALLOWED,
        ]
        .contains(&e.exit_code())
}
