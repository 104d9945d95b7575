//! The agent's side: the socket, the tokens it holds, and the background refresh.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::{Request, Response, log_path, socket_path, token_hash};
use crate::config::Config;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::state::Index;
use crate::store::Backend;
use crate::tokens::{self, StoredToken};

/// Connections served at once; more are closed at once (a local flood must not
/// exhaust threads).
const MAX_CONNECTIONS: usize = 64;
/// The longest request line: a few hundred bytes in practice.
const MAX_REQUEST: usize = 64 * 1024;
/// How long a client has to send its whole request line, from the moment it is
/// accepted: a client that trickles a byte now and then is cut off then, so slow or
/// stuck clients cannot hold every connection (a limit per read would let a byte
/// every few seconds keep a connection forever).
const REQUEST_WITHIN: Duration = Duration::from_secs(5);

/// A token the agent holds, and where it came from.
struct Held {
    token: StoredToken,
    app: String,
    store: Option<Backend>,
}

/// (configuration file, app id, account).
type Key = (PathBuf, String, String);

/// A configuration file as last read, with the (modified time, length) it had then.
type Seen = ((SystemTime, u64), Arc<Config>);

/// The team store's definitions as last read: their version, parsed, and as text.
/// The team store's definitions as last read: their version, the file's
/// configuration they were joined to, the joined configuration, the text.
type TeamSeen = (i64, Arc<Config>, Arc<Config>, Arc<String>);

struct Agent {
    state_dir: PathBuf,
    socket: PathBuf,
    started_at: u64,
    held: Mutex<HashMap<Key, Held>>,
    /// Each configuration file as last read, with the (modified time, length) it had.
    configs: Mutex<HashMap<PathBuf, Seen>>,
    /// The team store's definitions as last read (parsed, and their text), by the
    /// version they had.
    team_configs: Mutex<HashMap<PathBuf, TeamSeen>>,
    /// One team-store connection for every client (opened on first use).
    postgres: Arc<std::sync::OnceLock<crate::store::postgres::PgStore>>,
    connections: AtomicUsize,
    log: Mutex<Option<std::fs::File>>,
}

/// A socket in the session's runtime directory is also reached from the state
/// directory (a symbolic link `agent.sock` there): a program started with a bare
/// environment (an MCP client starts `proxy --stdio` with only HOME, PATH and a
/// few more; no XDG_RUNTIME_DIR, no session bus) finds the agent by HOME alone.
/// Best effort: without the link such a client does without the agent.
fn point_from_state_dir(state_dir: &Path, socket: &Path) {
    let link = state_dir.join("agent.sock");
    if link == socket || crate::fsutil::ensure_private_dir(state_dir).is_err() {
        return;
    }
    // Only a link (a previous agent's) or a socket nobody answers on is replaced.
    if let Ok(meta) = std::fs::symlink_metadata(&link) {
        let stale = meta.file_type().is_symlink()
            || (meta.file_type().is_socket() && UnixStream::connect(&link).is_err());
        if !stale || std::fs::remove_file(&link).is_err() {
            return;
        }
    }
    let _ = std::os::unix::fs::symlink(socket, &link);
}

/// Removes the link [`point_from_state_dir`] made, when it is still this agent's.
fn unpoint_from_state_dir(state_dir: &Path, socket: &Path) {
    let link = state_dir.join("agent.sock");
    if link != socket && std::fs::read_link(&link).is_ok_and(|to| to == socket) {
        let _ = std::fs::remove_file(&link);
    }
}

/// `outbound agent run`: serves until `stop` (or a signal). Fails when another
/// agent already answers on the socket; a stale socket (a crashed agent's) is
/// replaced.
pub fn run(state_dir: PathBuf) -> Result<()> {
    let socket = socket_path(&state_dir);
    let dir = socket
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| state_dir.clone());
    crate::fsutil::ensure_private_dir(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let meta = std::fs::metadata(&dir)
        .map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    if meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(Error::Other(format!(
            "{} is not a private directory of this user (owner uid {}, mode {:o}); the agent will not put its socket there",
            dir.display(),
            meta.uid(),
            meta.mode() & 0o777
        )));
    }
    if socket.exists() {
        if UnixStream::connect(&socket).is_ok() {
            return Err(Error::Other(format!(
                "an agent is already running on {}",
                socket.display()
            )));
        }
        std::fs::remove_file(&socket)
            .map_err(|e| Error::io(format!("cannot remove the stale {}", socket.display()), e))?;
    }
    let listener = UnixListener::bind(&socket)
        .map_err(|e| Error::io(format!("cannot listen on {}", socket.display()), e))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io(format!("cannot restrict {}", socket.display()), e))?;
    point_from_state_dir(&state_dir, &socket);
    let log = crate::fsutil::open_append_private(&log_path(&state_dir)).ok();
    let agent = Arc::new(Agent {
        state_dir,
        socket,
        started_at: crate::clock::now(),
        held: Mutex::new(HashMap::new()),
        configs: Mutex::new(HashMap::new()),
        team_configs: Mutex::new(HashMap::new()),
        postgres: Default::default(),
        connections: AtomicUsize::new(0),
        log: Mutex::new(log),
    });
    agent.say(&format!(
        "started (pid {}) on {}",
        std::process::id(),
        agent.socket.display()
    ));
    let refresher = Arc::clone(&agent);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            refresher.refresh_due();
        }
    });
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                agent.say(&format!("accept failed: {e}"));
                continue;
            }
        };
        if agent.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            agent.connections.fetch_sub(1, Ordering::SeqCst);
            // Said, not only closed: `agent status` tells a busy agent from none,
            // and a command says why it does without it. Never blocks this loop.
            if stream.set_nonblocking(true).is_ok() {
                reply(
                    &stream,
                    &Response::Busy {
                        connections: MAX_CONNECTIONS,
                    },
                );
            }
            continue;
        }
        let agent = Arc::clone(&agent);
        std::thread::spawn(move || {
            agent.serve(stream);
            agent.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

impl Agent {
    /// One line in the agent's log and on its stderr.
    fn say(&self, what: &str) {
        let line = format!(
            "{} outbound agent: {what}\n",
            humantime::format_rfc3339_seconds(SystemTime::now())
        );
        eprint!("{line}");
        if let Ok(mut log) = self.log.lock()
            && let Some(file) = log.as_mut()
        {
            let _ = file.write_all(line.as_bytes());
        }
    }

    fn serve(&self, stream: UnixStream) {
        match peer_uid(&stream) {
            // SAFETY: getuid has no preconditions and cannot fail.
            Ok(uid) if uid == unsafe { libc::getuid() } => {}
            Ok(uid) => {
                self.say(&format!("refused a connection from uid {uid}"));
                return;
            }
            Err(e) => {
                self.say(&format!("refused a connection whose peer is unknown: {e}"));
                return;
            }
        }
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        let Some(line) = read_request(&stream, Instant::now() + REQUEST_WITHIN) else {
            return;
        };
        let response = match serde_json::from_slice::<Request>(&line) {
            Err(_) => Response::Declined {
                reason: "malformed request".into(),
            },
            Ok(Request::Definitions {
                config,
                store,
                database,
            }) => match self.other_database(&config, store, Some(database)) {
                Some(reason) => Response::Declined { reason },
                None => match self.team_text(&config, store) {
                    Ok(Some(text)) => Response::Definitions {
                        text: text.as_ref().clone(),
                    },
                    Ok(None) => Response::Declined {
                        reason: "not a team store".into(),
                    },
                    Err(e) => Response::Declined {
                        reason: e.to_string(),
                    },
                },
            },
            Ok(Request::Status) => Response::Status {
                pid: std::process::id(),
                tokens: self.held.lock().map(|h| h.len()).unwrap_or(0),
                started_at: self.started_at,
            },
            Ok(Request::Stop) => {
                reply(&stream, &Response::Stopping);
                self.stop();
            }
            Ok(Request::Token {
                config,
                state_dir,
                store,
                app,
                account,
                rejected,
                database,
            }) => {
                if state_dir != self.state_dir {
                    Response::Declined {
                        reason: "the agent serves another state directory".into(),
                    }
                } else if let Some(reason) = self.other_database(&config, store, database) {
                    Response::Declined { reason }
                } else {
                    self.token(&config, store, &app, &account, rejected.as_deref())
                }
            }
        };
        reply(&stream, &response);
    }

    /// Clears every token from memory and exits.
    fn stop(&self) -> ! {
        if let Ok(mut held) = self.held.lock() {
            held.clear();
        }
        let _ = std::fs::remove_file(&self.socket);
        unpoint_from_state_dir(&self.state_dir, &self.socket);
        self.say("stopped; its tokens were cleared from memory");
        std::process::exit(0)
    }

    fn ctx(&self, config_path: &Path, store: Option<Backend>) -> Ctx {
        Ctx::for_agent(
            config_path.to_path_buf(),
            self.state_dir.clone(),
            store,
            Arc::clone(&self.postgres),
        )
    }

    /// Why the agent cannot serve a client of the team store: it reaches another
    /// database than the agent's (each uses the URL of its own environment).
    fn other_database(
        &self,
        path: &Path,
        store: Option<Backend>,
        database: Option<String>,
    ) -> Option<String> {
        let local = self.file_config(path).ok()?;
        let ctx = self.ctx(path, store);
        if !ctx.team_named(&local) {
            return None;
        }
        let ours = ctx.postgres(&local).label().to_owned();
        (database.as_deref() != Some(ours.as_str()))
            .then(|| format!("the agent uses the team store {ours}, the client another"))
    }

    /// The configuration of `path`: the file, read again when it changed; with the
    /// team store, its definitions, read again when an administrator changed them.
    fn config(&self, path: &Path, store: Option<Backend>) -> Result<Arc<Config>> {
        let local = self.file_config(path)?;
        let ctx = self.ctx(path, store);
        if !ctx.team_named(&local) {
            return Ok(local);
        }
        Ok(self.team(&ctx, &local, path)?.2)
    }

    /// The team store's definitions of `path`'s configuration as text, or None when
    /// it does not use the team store.
    fn team_text(&self, path: &Path, store: Option<Backend>) -> Result<Option<Arc<String>>> {
        let local = self.file_config(path)?;
        let ctx = self.ctx(path, store);
        if !ctx.team_named(&local) {
            return Ok(None);
        }
        Ok(Some(self.team(&ctx, &local, path)?.3))
    }

    /// The team store's definitions beside the file's, read again when their
    /// version moved or the file changed.
    fn team(&self, ctx: &Ctx, local: &Arc<Config>, path: &Path) -> Result<TeamSeen> {
        let pg = ctx.postgres(local);
        let version = pg.apps_version()?;
        let mut team = self
            .team_configs
            .lock()
            .map_err(|_| Error::Other("agent state poisoned".into()))?;
        if let Some(seen) = team.get(path)
            && seen.0 == version
            && Arc::ptr_eq(&seen.1, local)
        {
            return Ok(seen.clone());
        }
        let docs = pg.documents();
        let text = crate::config::AppDocuments::read(&docs)?;
        let config =
            Config::load(path)?.with_team_apps(crate::config::AppDocuments::label(&docs), &text)?;
        let seen = (version, Arc::clone(local), Arc::new(config), Arc::new(text));
        team.insert(path.to_path_buf(), seen.clone());
        Ok(seen)
    }

    /// The configuration file at `path`, read again when it changed.
    fn file_config(&self, path: &Path) -> Result<Arc<Config>> {
        // A file that does not exist is an empty configuration (the team store's
        // users may have none).
        let stamp = match std::fs::metadata(path) {
            Ok(meta) => (
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                meta.len(),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (SystemTime::UNIX_EPOCH, 0),
            Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
        };
        let mut configs = self
            .configs
            .lock()
            .map_err(|_| Error::Other("agent state poisoned".into()))?;
        if let Some((seen, config)) = configs.get(path)
            && *seen == stamp
        {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(Config::load(path)?);
        configs.insert(path.to_path_buf(), (stamp, Arc::clone(&config)));
        Ok(config)
    }

    fn token(
        &self,
        config_path: &Path,
        store: Option<Backend>,
        app_name: &str,
        account: &str,
        rejected: Option<&str>,
    ) -> Response {
        match self.token_inner(config_path, store, app_name, account, rejected) {
            Ok((token, refreshed)) => Response::Token {
                token: Box::new(token),
                refreshed,
            },
            Err(e) => Response::Declined {
                reason: e.to_string(),
            },
        }
    }

    fn token_inner(
        &self,
        config_path: &Path,
        store: Option<Backend>,
        app_name: &str,
        account: &str,
        rejected: Option<&str>,
    ) -> Result<(StoredToken, bool)> {
        let config = self.config(config_path, store)?;
        let app = config.app(app_name)?;
        let key = (
            config_path.to_path_buf(),
            app.id.clone(),
            account.to_owned(),
        );
        // The account as every machine sees it (team store), or as this user's index
        // says: a logout, refresh or `account disable` elsewhere is seen at once.
        let ctx = self.ctx(config_path, store);
        let store_box = ctx.store(&config, app);
        let record = if store_box.backend() == Backend::Postgres {
            let state = store_box.shared_state(&app.id, account)?;
            crate::state::shared_record(store_box.as_ref(), &app.id, account)?.map(|mut r| {
                if let Some(state) = state {
                    r.settings.inactive = state.inactive;
                    r.needs_authorization = state.needs_authorization;
                }
                r
            })
        } else {
            Index::load(&self.state_dir).get(&app.id, account).cloned()
        };
        let now = crate::clock::now();
        {
            let mut held = self
                .held
                .lock()
                .map_err(|_| Error::Other("agent state poisoned".into()))?;
            if let Some(h) = held.get(&key) {
                // Still the account's token, as the index says (no logout, no
                // refresh elsewhere, no disable), and fresh: served from memory.
                let current = app.enabled
                    && h.store == store
                    && h.token.generation >= app.generation
                    && record.as_ref().is_some_and(|r| {
                        !r.settings.inactive
                            && !r.needs_authorization
                            && r.obtained_at == h.token.obtained_at
                    });
                let refused = rejected.is_some_and(|r| r == token_hash(&h.token.access_token));
                if current && !refused && tokens::is_fresh(&h.token, app, now) {
                    crate::gate::check(&self.state_dir, app, &h.token, &crate::gate::To::Process)?;
                    return Ok((h.token.clone(), false));
                }
                if !current {
                    held.remove(&key);
                }
            }
        }
        let audit = ctx.audit(&config, app);
        let env = ctx.token_env(&config, app, store_box.as_ref(), &audit);
        // A refused token is named by its hash: find it among what the store holds.
        let stored = match rejected {
            Some(_) => StoredToken::load(store_box.as_ref(), &app.id, account)?,
            None => None,
        };
        let refused = stored
            .as_ref()
            .map(|t| &t.access_token)
            .filter(|t| rejected == Some(token_hash(t).as_str()));
        let access = tokens::valid_token(&env, app, account, refused);
        let mut held = self
            .held
            .lock()
            .map_err(|_| Error::Other("agent state poisoned".into()))?;
        match access {
            Ok(access) => {
                crate::gate::check(
                    &self.state_dir,
                    app,
                    &access.token,
                    &crate::gate::To::Process,
                )?;
                let token = without_refresh_token(access.token);
                if access.refreshed {
                    self.say(&format!("refreshed `{}` (account `{account}`)", app.name));
                }
                held.insert(
                    key,
                    Held {
                        token: token.clone(),
                        app: app.name.clone(),
                        store,
                    },
                );
                Ok((token, access.refreshed))
            }
            Err(e) => {
                held.remove(&key);
                Err(e)
            }
        }
    }

    /// Refreshes the held tokens that are due (inside their app's refresh skew), as a
    /// request would; one that cannot be is let go (the next request says why).
    fn refresh_due(&self) {
        let now = crate::clock::now();
        let held: Vec<(Key, String, Option<Backend>, StoredToken)> = match self.held.lock() {
            Ok(held) => held
                .iter()
                .map(|(k, h)| (k.clone(), h.app.clone(), h.store, h.token.clone()))
                .collect(),
            Err(_) => return,
        };
        for ((config, _, account), app, store, token) in held {
            let Ok(cfg) = self.config(&config, store) else {
                continue;
            };
            let Ok(definition) = cfg.app(&app) else {
                continue;
            };
            if tokens::is_fresh(&token, definition, now) {
                continue;
            }
            if let Err(e) = self.token_inner(&config, store, &app, &account, None) {
                self.say(&format!(
                    "could not refresh `{app}` (account `{account}`) ahead of expiry: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ));
            }
        }
    }
}

/// The request line (without its newline), read until `deadline` at the latest:
/// each read waits only for what is left of it. None when the client is too slow,
/// sends more than [`MAX_REQUEST`], or goes away first.
fn read_request(mut stream: &UnixStream, deadline: Instant) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).ok()?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        if n == 0 {
            // The end without a newline: a whole request all the same, when any.
            return (!line.is_empty()).then_some(line);
        }
        let end = chunk[..n].iter().position(|&b| b == b'\n');
        line.extend_from_slice(&chunk[..end.unwrap_or(n)]);
        if line.len() > MAX_REQUEST {
            return None;
        }
        if end.is_some() {
            return Some(line);
        }
    }
}

fn reply(mut stream: &UnixStream, response: &Response) {
    if let Ok(mut line) = serde_json::to_string(response) {
        line.push('\n');
        let _ = stream.write_all(line.as_bytes());
    }
}

/// What the agent keeps and hands out: never the refresh token, nor narrowed ones.
fn without_refresh_token(mut token: StoredToken) -> StoredToken {
    token.refresh_token = None;
    token.narrowed.clear();
    token
}

/// The uid at the other end of a Unix socket.
#[cfg(target_os = "linux")]
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given, and the fd is
    // an open socket for the duration of the call.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

/// The uid at the other end of a Unix socket.
#[cfg(not(target_os = "linux"))]
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: both out-pointers are valid, and the fd is an open socket.
    let rc = unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(uid)
}
