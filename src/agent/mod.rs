//! The local agent: a per-user daemon that keeps valid access tokens in memory and
//! hands them to `token`, `curl`, `exec` and `git-credential` over a Unix socket,
//! so a loop that asks thousands of times touches neither the keyring nor the token
//! endpoint. Everything works without it; `OUTBOUND_NO_AGENT=1` bypasses it.
//!
//! - Where: `$XDG_RUNTIME_DIR/outbound/agent.sock`, else `agent.sock` in the state
//!   directory; the directory is 0700, the socket 0600, and each connection's peer
//!   uid (SO_PEERCRED) must be ours: another uid is refused and logged.
//! - What it keeps: access tokens only (never refresh tokens), as [`Secret`](crate::secret::Secret)s,
//!   wiped when dropped; `stop` clears them and exits.
//! - How it stays right: on every request it re-reads the configuration when the
//!   file changed (reset, disable, delete take effect at once) and the state index
//!   (logout, `account disable`, another process's refresh); a token it does not
//!   hold, or holds no longer fresh, comes from `tokens::valid_token` like any
//!   process's, under the same cross-process lock: agent and plain processes never
//!   both spend a rotating refresh token. A background pass refreshes held tokens
//!   shortly before they expire.
//! - Protocol: one JSON line each way per connection ([`Request`], [`Response`]).
//!   The request line must arrive whole within 5 s of connecting; at most 64
//!   connections are served at once, and one more is answered [`Response::Busy`].

#[cfg(unix)]
pub mod client;
#[cfg(unix)]
pub mod server;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::tokens::StoredToken;

/// The socket of this user's agent, for the state directory `state_dir`.
pub fn socket_path(state_dir: &Path) -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("outbound").join("agent.sock"),
        None => state_dir.join("agent.sock"),
    }
}

/// Where the agent says what it did (never a token): started, refused peers,
/// refreshes, errors.
pub fn log_path(state_dir: &Path) -> PathBuf {
    state_dir.join("agent.log")
}

/// What a client asks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// A valid token of (app, account) of the configuration file `config`.
    Token {
        config: PathBuf,
        /// The client's state directory: the agent serves only its own.
        state_dir: PathBuf,
        /// The store the client would use (`--store`, `OUTBOUND_STORE`).
        store: Option<crate::store::Backend>,
        app: String,
        account: String,
        /// SHA-256 (hex) of a token the resource server just refused.
        rejected: Option<String>,
        /// The team store the client reaches (its label, no password), if it uses one.
        #[serde(default)]
        database: Option<String>,
    },
    /// The team store's application definitions (no secret is in them), so that a
    /// client served by the agent needs no database connection of its own.
    Definitions {
        config: PathBuf,
        store: Option<crate::store::Backend>,
        database: String,
    },
    Status,
    Stop,
}

/// What the agent answers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Response {
    Token {
        /// The token as stored, without its refresh token.
        token: Box<StoredToken>,
        refreshed: bool,
    },
    Status {
        pid: u32,
        tokens: usize,
        started_at: u64,
    },
    Stopping,
    Definitions {
        text: String,
    },
    /// The agent cannot serve this: the client does it itself (and reports the
    /// error as it would have without the agent).
    Declined {
        reason: String,
    },
    /// Every connection is taken: said before the agent closes this one.
    Busy {
        connections: usize,
    },
}

/// The SHA-256 of a token, hex: how a client names a refused token to the agent.
pub fn token_hash(token: &crate::secret::Secret) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.expose().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
