//! What a long-running server (the proxy, the stdio bridge) releases: the app as its
//! configuration says now and a valid token, obtained again at least once a second,
//! and each release judged by [`super::check`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use super::To;
use crate::app::App;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::tokens::{Access, StoredToken};

/// Where a server gets the app (its configuration read again) and a valid token of
/// its account (from the agent or the store: the account's state is weighed there).
/// `Some(token)`: that token was just refused. Blocking: run off the runtime.
pub type Source = dyn Fn(Option<&Secret>) -> Result<(App, Access)> + Send + Sync;

/// How long an answer of the source is relied on: a disable, reset, logout or
/// edit anywhere reaches a running server within this.
const RECHECK: Duration = Duration::from_millis(500);

struct Held {
    app: Arc<App>,
    token: StoredToken,
    at: Instant,
}

pub struct Live {
    source: Arc<Source>,
    state_dir: PathBuf,
    current: tokio::sync::Mutex<Option<Held>>,
}

impl Live {
    pub fn new(source: Arc<Source>, state_dir: PathBuf) -> Live {
        Live {
            source,
            state_dir,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// The app as it is now, and a token the gate lets go to `url` (through
    /// `proxy`, the one the server's HTTP client uses) now; another token when
    /// `refused` was just refused.
    pub async fn release(
        &self,
        url: &Url,
        proxy: Option<&Url>,
        refused: Option<&Secret>,
    ) -> Result<(Arc<App>, StoredToken)> {
        let mut current = self.current.lock().await;
        let reusable = refused.is_none()
            && current.as_ref().is_some_and(|held| {
                held.at.elapsed() < RECHECK
                    && crate::tokens::is_fresh(&held.token, &held.app, crate::clock::now())
            });
        if !reusable {
            // Whatever was held is not released again unless the source says so.
            *current = None;
            // The keyring, the configuration and the token endpoint block: off the
            // runtime, so open streams keep flowing meanwhile.
            let refused = refused.cloned();
            let source = Arc::clone(&self.source);
            let (app, access) = tokio::task::spawn_blocking(move || source(refused.as_ref()))
                .await
                .map_err(|e| Error::Other(format!("getting a token failed: {e}")))??;
            *current = Some(Held {
                app: Arc::new(app),
                token: access.token,
                at: Instant::now(),
            });
        }
        let held = current
            .as_ref()
            .ok_or_else(|| Error::Other("no token is held".into()))?;
        let to = To::Http {
            url,
            proxy,
            headers: None,
        };
        super::check(&self.state_dir, &held.app, &held.token, &to)?;
        Ok((Arc::clone(&held.app), held.token.clone()))
    }

    /// After a 401 from `url`: learns from its challenge which authorization servers
    /// the resource trusts (RFC 9728); the refusal when the app's issuer is not one,
    /// so no second token goes there.
    pub async fn learn(&self, url: &Url, challenge: Option<String>) -> Result<()> {
        let Some(challenge) = challenge else {
            return Ok(());
        };
        let app = match self.current.lock().await.as_ref() {
            Some(held) => Arc::clone(&held.app),
            None => return Ok(()),
        };
        let state_dir = self.state_dir.clone();
        let url = url.clone();
        let refusal = tokio::task::spawn_blocking(move || {
            super::binding::learn(&state_dir, &app, &url, &challenge)
        })
        .await
        .map_err(|e| Error::Other(format!("reading the resource's metadata failed: {e}")))?;
        match refusal {
            Some(why) => Err(Error::HostNotAllowed(why)),
            None => Ok(()),
        }
    }
}
