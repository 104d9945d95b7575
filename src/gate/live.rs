//! What a long-running server (the proxy, the stdio bridge) releases: the app as its
//! configuration says now and a valid token, judged again by the source at least
//! every second, and each release judged by [`super::check`].
//!
//! A verdict of the source is relied on for [`RECHECK`]; between that and
//! [`STALE`], requests go on with it while one check runs in the background; past
//! [`STALE`], a request waits for the source. So a change made anywhere stops the
//! releases within a second, and a busy server does not wait on the keyring or the
//! database twice a second. A refusal (disabled, reset, logged out, …) drops the
//! token at once; a fault (a keyring or database blip, a file being edited) does not
//! drop it before its second is up.

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

/// How long a verdict of the source is relied on without asking again.
const RECHECK: Duration = Duration::from_millis(500);
/// How long it may be relied on at all: past this, a release waits for the source.
const STALE: Duration = Duration::from_secs(1);

struct Held {
    token: StoredToken,
    /// When the source last said this token may be used.
    at: Instant,
}

#[derive(Default)]
struct State {
    /// The app as the source last gave it (kept through faults, for [`Live::learn`]).
    app: Option<Arc<App>>,
    held: Option<Held>,
    /// A background check is running.
    checking: bool,
}

struct Inner {
    source: Arc<Source>,
    state_dir: PathBuf,
    state: tokio::sync::Mutex<State>,
}

pub struct Live {
    inner: Arc<Inner>,
}

impl Live {
    pub fn new(source: Arc<Source>, state_dir: PathBuf) -> Live {
        Live {
            inner: Arc::new(Inner {
                source,
                state_dir,
                state: tokio::sync::Mutex::new(State::default()),
            }),
        }
    }

    /// The app as it is now, and a token the gate lets go to `url` (through
    /// `proxy`, the one the server's HTTP client uses) now; another token when
    /// `refused` was just refused (unless another request already replaced it).
    pub async fn release(
        &self,
        url: &Url,
        proxy: Option<&Url>,
        refused: Option<&Secret>,
    ) -> Result<(Arc<App>, StoredToken)> {
        let mut state = self.inner.state.lock().await;
        let now = crate::clock::now();
        let usable = |state: &State| {
            let (Some(app), Some(held)) = (&state.app, &state.held) else {
                return None;
            };
            let fresh = crate::tokens::is_fresh(&held.token, app, now)
                && refused.is_none_or(|r| r != &held.token.access_token);
            fresh.then(|| held.at.elapsed())
        };
        match usable(&state) {
            Some(age) if age < RECHECK => {}
            Some(age) if age < STALE => {
                if !state.checking {
                    state.checking = true;
                    tokio::spawn(check_in_background(Arc::clone(&self.inner)));
                }
            }
            _ => {
                // Nothing usable: this request waits for the source (the others
                // behind the lock, then find its answer).
                let answer = ask(&self.inner.source, refused.cloned()).await;
                apply(&mut state, answer)?;
            }
        }
        let (Some(app), Some(held)) = (&state.app, &state.held) else {
            return Err(Error::Other("no token is held".into()));
        };
        let to = To::Http {
            url,
            proxy,
            headers: None,
        };
        super::check(&self.inner.state_dir, app, &held.token, &to)?;
        Ok((Arc::clone(app), held.token.clone()))
    }

    /// After a 401 from `url`: learns from its challenge which authorization servers
    /// the resource trusts (RFC 9728); the refusal when the app's issuer is not one,
    /// so no second token goes there.
    pub async fn learn(&self, url: &Url, challenge: Option<String>) -> Result<()> {
        let Some(challenge) = challenge else {
            return Ok(());
        };
        let app = match &self.inner.state.lock().await.app {
            Some(app) => Arc::clone(app),
            // No app was ever had: no token was ever released either.
            None => return Ok(()),
        };
        let state_dir = self.inner.state_dir.clone();
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

/// The source's answer, asked off the runtime (the keyring, the configuration and
/// the token endpoint block), so open streams keep flowing meanwhile.
async fn ask(source: &Arc<Source>, refused: Option<Secret>) -> Result<(App, Access)> {
    let source = Arc::clone(source);
    tokio::task::spawn_blocking(move || source(refused.as_ref()))
        .await
        .map_err(|e| Error::Other(format!("getting a token failed: {e}")))?
}

/// Takes the source's answer: a token and its app, a refusal (nothing held any
/// more), or a fault (what is held stays until it is stale).
fn apply(state: &mut State, answer: Result<(App, Access)>) -> Result<()> {
    match answer {
        Ok((app, access)) => {
            state.app = Some(Arc::new(app));
            state.held = Some(Held {
                token: access.token,
                at: Instant::now(),
            });
            Ok(())
        }
        Err(e) => {
            if super::is_refusal(&e) {
                state.held = None;
            }
            Err(e)
        }
    }
}

async fn check_in_background(inner: Arc<Inner>) {
    let answer = ask(&inner.source, None).await;
    let mut state = inner.state.lock().await;
    state.checking = false;
    let _ = apply(&mut state, answer);
}
