//! The commands' side: ask the agent first when one runs, else do it here.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::{Request, Response, socket_path, token_hash};
use crate::commands::Ctx;
use crate::config::Config;
use crate::secret::Secret;
use crate::tokens::Access;

/// How long a token request may take the agent: a refresh at the server included
/// (the OAuth timeout is 30 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(65);

/// Whether commands may ask the agent (`OUTBOUND_NO_AGENT=1` says no).
fn wanted() -> bool {
    std::env::var("OUTBOUND_NO_AGENT").map_or(true, |v| v.is_empty() || v == "0")
}

/// Connects to this user's agent, when its socket exists, is a socket and is ours.
fn connect(socket: &Path) -> Option<UnixStream> {
    let meta = std::fs::symlink_metadata(socket).ok()?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    if !meta.file_type().is_socket() || meta.uid() != uid {
        crate::warnings::push(format!(
            "{} is not this user's agent socket (owner uid {}); not using it",
            socket.display(),
            meta.uid()
        ));
        return None;
    }
    UnixStream::connect(socket).ok()
}

/// One request and its answer; None when the agent cannot be reached or answers
/// nothing usable.
pub fn ask(socket: &Path, request: &Request, within: Duration) -> Option<Response> {
    let mut stream = connect(socket)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    stream.set_read_timeout(Some(within)).ok()?;
    let mut line = serde_json::to_string(request).ok()?;
    line.push('\n');
    stream.write_all(line.as_bytes()).ok()?;
    let mut answer = String::new();
    BufReader::new(std::io::Read::take(&stream, 4 * 1024 * 1024))
        .read_line(&mut answer)
        .ok()?;
    serde_json::from_str(&answer).ok()
}

/// The team store's definitions from the agent (None: read them from the database).
pub fn definitions(ctx: &Ctx, database: &str) -> Option<String> {
    if !wanted() {
        return None;
    }
    let request = Request::Definitions {
        config: ctx.config_path.clone(),
        store: ctx.store_flag(),
        database: database.to_owned(),
    };
    match ask(
        &socket_path(&ctx.state_dir),
        &request,
        Duration::from_secs(15),
    )? {
        Response::Definitions { text } => Some(text),
        _ => None,
    }
}

/// A valid token of (app, account) from the agent, or None when the command must
/// get it itself: no agent, `OUTBOUND_NO_AGENT`, or the agent declined (an account
/// that needs authorization, an error: done again here, it is reported as usual).
pub fn token(
    ctx: &Ctx,
    config: &Config,
    app: &str,
    account: &str,
    rejected: Option<&Secret>,
) -> Option<Access> {
    if !wanted() {
        return None;
    }
    let team = ctx.backend(config) == crate::store::Backend::Postgres;
    let request = Request::Token {
        // The file (with the team store, `config.path` names the database).
        config: ctx.config_path.clone(),
        state_dir: ctx.state_dir.clone(),
        store: ctx.store_flag(),
        app: app.to_owned(),
        account: account.to_owned(),
        rejected: rejected.map(token_hash),
        database: team.then(|| ctx.postgres(config).label().to_owned()),
    };
    match ask(&socket_path(&ctx.state_dir), &request, ANSWER_WITHIN)? {
        Response::Token { token, refreshed } => Some(Access {
            token: *token,
            refreshed,
        }),
        _ => None,
    }
}
