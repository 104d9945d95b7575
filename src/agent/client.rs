//! The commands' side: ask the agent first when one runs, else do it here.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::{Request, Response, socket_path, token_hash};
use crate::secret::Secret;
use crate::tokens::Access;

/// How long a token request may take the agent: a refresh at the server included
/// (the OAuth timeout is 30 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(65);

/// Whether commands may ask the agent (`OUTBOUND_NO_AGENT=1` says no).
fn wanted() -> bool {
    std::env::var("OUTBOUND_NO_AGENT").map_or(true, |v| v.is_empty() || v == "0")
}

/// The socket of the agent commands of `state_dir` would ask, when one answers
/// there (and commands may ask it).
pub fn running(state_dir: &Path) -> Option<std::path::PathBuf> {
    let socket = super::socket_path(state_dir);
    match call(&socket, &Request::Status, Duration::from_secs(2)) {
        Outcome::Answered(_) if wanted() => Some(socket),
        _ => None,
    }
}

/// What came of asking the agent.
#[derive(Debug)]
pub enum Outcome {
    Answered(Response),
    /// No agent: no socket, a stale one (nothing listens), or not this user's.
    Absent(String),
    /// An agent is there but did not serve the request: every connection was
    /// taken, or it accepted and said nothing in time. The reason says which
    /// (`all 64 of its connections are taken`), to follow "the agent on SOCKET is
    /// busy: ".
    Busy(String),
}

impl Outcome {
    pub fn answer(self) -> Option<Response> {
        match self {
            Outcome::Answered(r) => Some(r),
            _ => None,
        }
    }
}

/// Connects to this user's agent, when its socket exists, is a socket and is ours.
fn connect(socket: &Path) -> Result<UnixStream, Outcome> {
    let absent = |why: String| Outcome::Absent(why);
    let mut meta = std::fs::symlink_metadata(socket)
        .map_err(|_| absent(format!("no socket at {}", socket.display())))?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    // The agent's own link from the state directory to its socket in the runtime
    // directory: the link and what it names must both be this user's.
    if meta.file_type().is_symlink() && meta.uid() == uid {
        meta = std::fs::metadata(socket)
            .map_err(|_| absent(format!("no agent behind {}", socket.display())))?;
    }
    if !meta.file_type().is_socket() || meta.uid() != uid {
        crate::warnings::push(format!(
            "{} is not this user's agent socket (owner uid {}); not using it",
            socket.display(),
            meta.uid()
        ));
        return Err(absent(format!(
            "{} is not this user's agent socket",
            socket.display()
        )));
    }
    UnixStream::connect(socket)
        .map_err(|e| absent(format!("nothing answers on {} ({e})", socket.display())))
}

/// One request and its answer, or why there is none.
pub fn call(socket: &Path, request: &Request, within: Duration) -> Outcome {
    let mut stream = match connect(socket) {
        Ok(s) => s,
        Err(outcome) => return outcome,
    };
    let busy = |why: &str| Outcome::Busy(why.to_owned());
    if stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .is_err()
        || stream.set_read_timeout(Some(within)).is_err()
    {
        return busy("it could not be asked");
    }
    let Ok(mut line) = serde_json::to_string(request) else {
        return busy("it could not be asked");
    };
    line.push('\n');
    // An agent with every connection taken says so and closes at once: what it
    // said is read all the same, even when this write finds the connection closed.
    let _ = stream.write_all(line.as_bytes());
    let mut answer = String::new();
    let read = BufReader::new(std::io::Read::take(&stream, 4 * 1024 * 1024)).read_line(&mut answer);
    match read {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            return busy(&format!("it did not answer within {} s", within.as_secs()));
        }
        Err(e) => return busy(&format!("it broke the connection ({e})")),
        Ok(0) => return busy("it closed the connection without an answer"),
        Ok(_) => {}
    }
    match serde_json::from_str::<Response>(&answer) {
        Ok(Response::Busy { connections }) => {
            busy(&format!("all {connections} of its connections are taken"))
        }
        Ok(response) => Outcome::Answered(response),
        Err(_) => busy("it answered something this outbound does not understand"),
    }
}

/// One request and its answer; None when the agent cannot be reached or answers
/// nothing usable.
pub fn ask(socket: &Path, request: &Request, within: Duration) -> Option<Response> {
    call(socket, request, within).answer()
}

/// A command asks the agent and does without it when it is not there; when it is
/// there but busy, that is said (once), so the slower path is not a mystery.
fn ask_or_say(socket: &Path, request: &Request, within: Duration) -> Option<Response> {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    match call(socket, request, within) {
        Outcome::Answered(r) => Some(r),
        Outcome::Busy(why) => {
            if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
                crate::warnings::push(format!(
                    "the agent on {} is busy ({why}); done without it",
                    socket.display()
                ));
            }
            None
        }
        Outcome::Absent(_) => None,
    }
}

/// Who asks the agent: the client's configuration file, state directory (whose
/// agent it asks) and store (`--store`, `OUTBOUND_STORE`).
pub struct Asker<'a> {
    pub config: &'a Path,
    pub state_dir: &'a Path,
    pub store: Option<crate::store::Backend>,
}

/// The team store's definitions from the agent (None: read them from the database).
pub fn definitions(asker: &Asker, database: &str) -> Option<String> {
    if !wanted() {
        return None;
    }
    let request = Request::Definitions {
        config: asker.config.to_path_buf(),
        store: asker.store,
        database: database.to_owned(),
    };
    match ask_or_say(
        &socket_path(asker.state_dir),
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
/// `database`: the label of the team store the client uses, if it uses one.
pub fn token(
    asker: &Asker,
    database: Option<&str>,
    app: &str,
    account: &str,
    rejected: Option<&Secret>,
) -> Option<Access> {
    if !wanted() {
        return None;
    }
    let request = Request::Token {
        // The file (with the team store, `config.path` names the database).
        config: asker.config.to_path_buf(),
        state_dir: asker.state_dir.to_path_buf(),
        store: asker.store,
        app: app.to_owned(),
        account: account.to_owned(),
        rejected: rejected.map(token_hash),
        database: database.map(str::to_owned),
    };
    match ask_or_say(&socket_path(asker.state_dir), &request, ANSWER_WITHIN)? {
        Response::Token { token, refreshed } => Some(Access {
            token: *token,
            refreshed,
        }),
        _ => None,
    }
}
