//! `outbound proxy APP --stdio --upstream URL`: MCP's stdio transport on this side,
//! its Streamable HTTP transport (MCP 2025-06-18 and later) on the other, with the
//! app's token on every request. For a desktop MCP client that only starts local
//! servers, to use an OAuth-protected remote one.
//!
//! Each JSON-RPC message read from stdin (one per line) is POSTed to the endpoint in
//! its own task, so several requests are in flight at once (a `ping` or a
//! cancellation during a long call). The answer is JSON, or an SSE stream whose
//! events carry messages (events without data are skipped); each message goes to
//! stdout as one line. A stream that ends before the answer to its request came is
//! resumed with `Last-Event-ID` (RFC-style SSE resumption, as the transport says),
//! with a fresh token when the old one expired. The session's `Mcp-Session-Id` and,
//! once initialized, `MCP-Protocol-Version` go with every request; a GET stream
//! carries what the server starts on its own. At the end of stdin, the requests in
//! flight finish and the session is closed (DELETE).
//!
//! An account that needs authorization (never authorized, logged out, reset) does
//! not stop the bridge: where a browser can be opened, the first request that finds
//! it so runs the authorization (browser and loopback listener, progress on stderr)
//! and every request waits for it; elsewhere, or once that failed, each request is
//! answered with a JSON-RPC error naming the command to run, and the next request
//! after the person ran it goes through ([`Live`] asks the store again each time).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::Mutex;
use url::Url;

use crate::error::{Error, Result};
use crate::gate::Live;
use crate::secret::Secret;
use crate::tokens::StoredToken;

/// How many times a stream cut before its answer is resumed.
const RESUMES: usize = 3;
/// The longest message line accepted on stdin.
const MAX_LINE: usize = 16 * 1024 * 1024;

pub struct Bridge {
    /// The app as it was at start (its proxy, the client built for it); each
    /// release uses the app as [`Live`] says it is now.
    pub app: crate::app::App,
    pub endpoint: Url,
    pub client: reqwest::Client,
    pub tokens: Live,
    pub verbose: bool,
    /// Authorizes the account in the person's browser (blocking), when it needs it;
    /// None where no browser can be opened: requests are answered with the command.
    pub authorize: Option<Arc<Authorize>>,
}

/// Runs one authorization in the browser, start to end (tokens stored).
pub type Authorize = dyn Fn() -> Result<()> + Send + Sync;

/// The bridge's own authorizations: one at a time, the requests that need it waiting
/// for it.
#[derive(Default)]
struct Authorizations {
    /// Held while one runs.
    turn: Mutex<()>,
    /// How many succeeded: a request that waited sees whether one did meanwhile.
    done: AtomicU64,
    /// Why the last one failed: none is tried again until a token was released.
    failed: std::sync::Mutex<Option<String>>,
}

struct State {
    bridge: Bridge,
    session: Mutex<Option<String>>,
    protocol: Mutex<Option<String>>,
    out: Mutex<tokio::io::Stdout>,
    authorizations: Authorizations,
}

/// Runs the bridge until stdin ends (and the requests in flight are answered).
pub fn run(bridge: Bridge) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the bridge's runtime", e))?;
    runtime.block_on(async move {
        let state = Arc::new(State {
            bridge,
            session: Mutex::new(None),
            protocol: Mutex::new(None),
            out: Mutex::new(tokio::io::stdout()),
            authorizations: Authorizations::default(),
        });
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
        let mut line = Vec::new();
        let mut tasks = tokio::task::JoinSet::new();
        let mut listening = false;
        loop {
            match next_line(&mut stdin, &mut line, MAX_LINE)
                .await
                .map_err(|e| Error::io("cannot read standard input", e))?
            {
                Line::End => break,
                Line::TooLong => {
                    too_long(&state).await;
                    continue;
                }
                Line::Message => {}
            }
            if line.trim_ascii().is_empty() {
                continue;
            }
            let Ok(message) = serde_json::from_slice::<serde_json::Value>(&line) else {
                say(&state, "a line on stdin that is not JSON was dropped");
                continue;
            };
            let is_initialize = message["method"] == "initialize";
            if is_initialize {
                // The session starts with the initialize answer: nothing else goes
                // before it.
                post(&state, message).await;
                continue;
            }
            if !listening && state.session.lock().await.is_some() {
                listening = true;
                let state = Arc::clone(&state);
                tasks.spawn(async move { listen(&state).await });
            }
            let state = Arc::clone(&state);
            tasks.spawn(async move { post(&state, message).await });
            // Tasks that ended are reaped as they go.
            while tasks.try_join_next().is_some() {}
        }
        // stdin ended: the answers in flight come first (the GET stream ends with
        // the session).
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        while tasks.len() > usize::from(listening) {
            if tokio::time::timeout_at(deadline, tasks.join_next())
                .await
                .is_err()
            {
                break;
            }
        }
        // The server's own stream first: one still open would be read to its end
        // by the DELETE and opened again on a session that no longer exists.
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        close(&state).await;
        Ok(())
    })
}

/// What [`next_line`] read.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A line (without its newline) is in the buffer.
    Message,
    /// A line longer than the limit went by: it was read and thrown away as it came,
    /// never held whole.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads the next line into `line`, holding at most `max` bytes of it: past that,
/// the rest of the line is consumed and discarded chunk by chunk, so an endless line
/// costs no more memory than `max` (reading it whole first, as `lines()` does, took
/// 615 MB for a 600 MiB line), and the lines after it are read as usual.
async fn next_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    line.clear();
    let mut over = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if over {
                Line::TooLong
            } else if line.is_empty() {
                Line::End
            } else {
                Line::Message
            });
        }
        let (chunk, ends) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], Some(at + 1)),
            None => (available, None),
        };
        if !over && line.len() + chunk.len() > max {
            over = true;
            // The memory goes back now, not at the next long line.
            *line = Vec::new();
        }
        if !over {
            line.extend_from_slice(chunk);
        }
        let used = ends.unwrap_or(available.len());
        reader.consume(used);
        if ends.is_some() {
            return Ok(if over { Line::TooLong } else { Line::Message });
        }
    }
}

/// An over-long line: its id is not known (it was not kept), so the client gets the
/// JSON-RPC error for an invalid request with a null id, and stderr says it.
async fn too_long(state: &State) {
    let why = format!(
        "a message longer than {} MiB on stdin was dropped",
        MAX_LINE / (1024 * 1024)
    );
    eprintln!("outbound proxy --stdio: {why}");
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32600, "message": format!("outbound: {why}") },
    });
    emit(state, &error.to_string()).await;
}

fn say(state: &State, what: &str) {
    if state.bridge.verbose {
        eprintln!("outbound proxy --stdio: {what}");
    }
}

/// The headers of every request: the token, the session, the protocol version.
async fn headers(
    state: &State,
    app: &crate::app::App,
    token: &StoredToken,
    accept: &'static str,
) -> Result<HeaderMap> {
    let mut h = HeaderMap::new();
    let (name, value) = crate::request::token_header(app, &token.access_token)?;
    h.insert(name, value);
    h.insert(ACCEPT, HeaderValue::from_static(accept));
    if let Some(id) = state.session.lock().await.as_deref()
        && let Ok(v) = HeaderValue::from_str(id)
    {
        h.insert("mcp-session-id", v);
    }
    if let Some(v) = state.protocol.lock().await.as_deref()
        && let Ok(v) = HeaderValue::from_str(v)
    {
        h.insert("mcp-protocol-version", v);
    }
    Ok(h)
}

/// Sends a request (with one refresh after a 401) and returns the answer.
async fn send(
    state: &State,
    method: reqwest::Method,
    accept: &'static str,
    body: Option<&str>,
    last_event: Option<&str>,
) -> Result<reqwest::Response> {
    let mut refused: Option<Secret> = None;
    let mut authorized = false;
    loop {
        let endpoint = &state.bridge.endpoint;
        let seen = state.authorizations.done.load(Ordering::SeqCst);
        let released = state
            .bridge
            .tokens
            .release(endpoint, state.bridge.app.proxy.as_ref(), refused.as_ref())
            .await;
        let (app, token) = match released {
            Ok(released) => {
                forget_failure(state);
                released
            }
            Err(needed @ Error::AuthorizationRequired { .. }) if !authorized => {
                authorize(state, seen, needed).await?;
                authorized = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut h = headers(state, &app, &token, accept).await?;
        if let Some(id) = last_event.and_then(|id| HeaderValue::from_str(id).ok()) {
            h.insert("last-event-id", id);
        }
        let mut request = state
            .bridge
            .client
            .request(method.clone(), state.bridge.endpoint.as_str())
            .headers(h);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_owned());
        }
        let response = request
            .send()
            .await
            .map_err(|e| crate::request::transfer_error(&state.bridge.endpoint, &e))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            // A resource that trusts other authorization servers gets no other token.
            let challenge = response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            state.bridge.tokens.learn(endpoint, challenge).await?;
            if refused.is_none() {
                refused = Some(token.access_token.clone());
                continue;
            }
        }
        return Ok(response);
    }
}

/// The account needs authorization (`needed` says why and how): authorized in the
/// browser (Ok: release again), or waited for while another request's authorization
/// runs; `needed`, with why the browser's failed, where there is none or it failed.
async fn authorize(state: &State, seen: u64, needed: Error) -> Result<()> {
    let Some(run) = state.bridge.authorize.clone() else {
        return Err(needed);
    };
    let auth = &state.authorizations;
    let _turn = auth.turn.lock().await;
    if auth.done.load(Ordering::SeqCst) != seen {
        // Another request's authorization succeeded while this one waited.
        return Ok(());
    }
    if let Some(why) = failure(state) {
        return Err(after_failure(needed, &why));
    }
    // Off the runtime on a thread of its own: it waits for the browser for minutes,
    // and the process may end (stdin closed) before it does.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run());
    });
    let why = match rx.await {
        Ok(Ok(())) => {
            auth.done.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => "the authorization ended without an answer".to_owned(),
    };
    // Its first line: the rest of an error is a hint for a terminal's user.
    let why = crate::text::printable(why.lines().next().unwrap_or_default());
    eprintln!("outbound proxy --stdio: the authorization in the browser did not complete: {why}");
    if let Ok(mut failed) = auth.failed.lock() {
        *failed = Some(why.clone());
    }
    Err(after_failure(needed, &why))
}

/// Why the bridge's last authorization failed, while no token was released since.
fn failure(state: &State) -> Option<String> {
    state
        .authorizations
        .failed
        .lock()
        .ok()
        .and_then(|f| f.clone())
}

/// A token was released: the next need for authorization may try the browser again.
fn forget_failure(state: &State) {
    if let Ok(mut failed) = state.authorizations.failed.lock()
        && failed.is_some()
    {
        *failed = None;
    }
}

/// `needed` with why the browser's authorization failed, its command kept.
fn after_failure(needed: Error, why: &str) -> Error {
    match needed {
        Error::AuthorizationRequired { reason, command } => Error::AuthorizationRequired {
            reason: format!("{reason}; the authorization in the browser did not complete ({why})"),
            command,
        },
        other => other,
    }
}

/// One message to the server, and what comes back to stdout.
async fn post(state: &State, message: serde_json::Value) {
    let id = message
        .get("id")
        .filter(|_| message.get("method").is_some())
        .cloned();
    let is_initialize = message["method"] == "initialize";
    let body = message.to_string();
    let accept = "application/json, text/event-stream";
    let response = match send(state, reqwest::Method::POST, accept, Some(&body), None).await {
        Ok(r) => r,
        Err(e) => return not_sent(state, id.as_ref(), &e).await,
    };
    if is_initialize
        && let Some(session) = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
    {
        *state.session.lock().await = Some(session.to_owned());
    }
    let status = response.status();
    if status == reqwest::StatusCode::ACCEPTED {
        return;
    }
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        // The server's own JSON-RPC error (an SDK answers one with HTTP 400 for a
        // request it refuses): the client gets it unchanged.
        if is_rpc_error_for(&text, id.as_ref()) {
            say(
                state,
                &format!("the server refused with HTTP {}", status.as_u16()),
            );
            return emit(state, &text).await;
        }
        return fail(
            state,
            id.as_ref(),
            &format!(
                "the server answered HTTP {}: {}",
                status.as_u16(),
                text.trim()
            ),
        )
        .await;
    }
    let is_stream = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_stream {
        match response.text().await {
            Ok(text) => {
                note_protocol(state, is_initialize, &text).await;
                emit(state, &text).await;
            }
            Err(e) => fail(state, id.as_ref(), &e.to_string()).await,
        }
        return;
    }
    // A stream: its messages until the answer to `id`; resumed when cut before it.
    let mut response = response;
    let mut last_event: Option<String> = None;
    for attempt in 0..=RESUMES {
        let answered = relay(state, response, id.as_ref(), &mut last_event, is_initialize).await;
        if answered || id.is_none() {
            return;
        }
        if attempt == RESUMES {
            break;
        }
        say(state, "the stream ended before its answer: resuming it");
        response = match stream_from(state, last_event.as_deref()).await {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                return fail(
                    state,
                    id.as_ref(),
                    &format!("resuming the stream: HTTP {}", r.status().as_u16()),
                )
                .await;
            }
            Err(e) => return fail(state, id.as_ref(), &e.to_string()).await,
        };
    }
    fail(
        state,
        id.as_ref(),
        "the server's stream ended before its answer",
    )
    .await;
}

/// Whether `text` is a JSON-RPC error answering `id` (or, as servers do for a
/// request they could not read, answering no id).
fn is_rpc_error_for(text: &str, id: Option<&serde_json::Value>) -> bool {
    let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let answers = match (message.get("id"), id) {
        (Some(theirs), Some(ours)) => theirs == ours || theirs.is_null(),
        (None, _) => true,
        (Some(theirs), None) => theirs.is_null(),
    };
    message["jsonrpc"] == "2.0" && message["error"].is_object() && answers
}

/// Passes a stream's messages to stdout; true once the answer to `id` went by.
async fn relay(
    state: &State,
    response: reqwest::Response,
    id: Option<&serde_json::Value>,
    last_event: &mut Option<String>,
    is_initialize: bool,
) -> bool {
    let mut answered = false;
    let mut buffer: Vec<u8> = Vec::new();
    let mut data = String::new();
    let mut event_id: Option<String> = None;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { break };
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let raw: Vec<u8> = buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                // The event is complete: one without data is skipped.
                if let Some(id) = event_id.take() {
                    *last_event = Some(id);
                }
                if !data.is_empty() {
                    note_protocol(state, is_initialize, &data).await;
                    if let (Some(want), Ok(msg)) =
                        (id, serde_json::from_str::<serde_json::Value>(&data))
                        && msg.get("method").is_none()
                        && msg.get("id") == Some(want)
                    {
                        answered = true;
                    }
                    emit(state, &data).await;
                    data.clear();
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value.strip_prefix(' ').unwrap_or(value));
            } else if let Some(value) = line.strip_prefix("id:") {
                event_id = Some(value.trim().to_owned());
            }
        }
    }
    answered
}

/// A GET for the server's stream: its own messages, or from `last_event` on (resuming).
async fn stream_from(state: &State, last_event: Option<&str>) -> Result<reqwest::Response> {
    send(
        state,
        reqwest::Method::GET,
        "text/event-stream",
        None,
        last_event,
    )
    .await
}

/// The GET stream of messages the server starts on its own (when it offers one).
async fn listen(state: &State) {
    let mut last_event: Option<String> = None;
    for _ in 0..=RESUMES {
        let response = match stream_from(state, last_event.as_deref()).await {
            Ok(r) if r.status().is_success() => r,
            _ => return,
        };
        relay(state, response, None, &mut last_event, false).await;
    }
}

/// After `initialize`, the version the server chose goes with every request.
async fn note_protocol(state: &State, is_initialize: bool, text: &str) {
    if !is_initialize {
        return;
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(version) = v["result"]["protocolVersion"].as_str()
    {
        *state.protocol.lock().await = Some(version.to_owned());
    }
}

/// One message to stdout, on one line.
async fn emit(state: &State, message: &str) {
    let line = match serde_json::from_str::<serde_json::Value>(message) {
        Ok(v) => v.to_string(),
        Err(_) => return,
    };
    let mut out = state.out.lock().await;
    let _ = out.write_all(line.as_bytes()).await;
    let _ = out.write_all(b"\n").await;
    let _ = out.flush().await;
}

/// A request that cannot be answered gets a JSON-RPC error, so the client does not
/// wait forever; a notification's failure is only said on stderr.
async fn fail(state: &State, id: Option<&serde_json::Value>, why: &str) {
    eprintln!("outbound proxy --stdio: {}", crate::text::printable(why));
    if let Some(id) = id {
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": -32603, "message": format!("outbound: {}", crate::text::printable(why)) },
        });
        emit(state, &error.to_string()).await;
    }
}

/// A message that was not sent: the JSON-RPC error says why, with outbound's exit
/// code for the same failure in `data.exit` (6: the gate refused the token there;
/// 4: authorization needed, the command to run in `data.command` and the message).
async fn not_sent(state: &State, id: Option<&serde_json::Value>, e: &Error) {
    let why = e.to_string();
    match e {
        // The command to run on a line of its own (the reason may quote a server).
        Error::AuthorizationRequired { reason, command } => eprintln!(
            "outbound proxy --stdio: {}\n  run: {}",
            crate::text::printable(reason),
            crate::text::printable(command)
        ),
        _ => eprintln!("outbound proxy --stdio: {}", crate::text::printable(&why)),
    }
    if let Some(id) = id {
        let mut data = serde_json::json!({ "exit": e.exit_code() });
        if let Error::AuthorizationRequired { command, .. } = e {
            // What the person runs, alone, for a client that shows it apart.
            data["command"] = command.as_str().into();
        }
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {
                "code": -32603,
                "message": format!("outbound: {why}"),
                "data": data,
            },
        });
        emit(state, &error.to_string()).await;
    }
}

/// Ends the session at the server (DELETE), when there is one.
async fn close(state: &State) {
    if state.session.lock().await.is_none() {
        return;
    }
    let _ = send(
        state,
        reqwest::Method::DELETE,
        "application/json",
        None,
        None,
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(input: &[u8], max: usize, chunk: usize) -> Vec<Result<String, Line>> {
        // A reader that hands out `chunk` bytes at a time, as a pipe does.
        let mut reader = tokio::io::BufReader::with_capacity(chunk, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        loop {
            match next_line(&mut reader, &mut line, max).await.unwrap() {
                Line::End => return out,
                Line::Message => out.push(Ok(String::from_utf8(line.clone()).unwrap())),
                other => out.push(Err(other)),
            }
        }
    }

    #[tokio::test]
    async fn long_lines_are_dropped_while_read_and_the_next_ones_kept() {
        for chunk in [1, 3, 8, 64] {
            let got = lines_of(b"short\n0123456789ab\nok\r\n\nlast", 10, chunk).await;
            assert_eq!(
                got,
                vec![
                    Ok("short".into()),
                    Err(Line::TooLong),
                    Ok("ok\r".into()),
                    Ok(String::new()),
                    Ok("last".into()),
                ],
                "chunk {chunk}"
            );
            // Exactly the limit is kept; an over-long last line without a newline is
            // still reported.
            let got = lines_of(b"0123456789\n0123456789abc", 10, chunk).await;
            assert_eq!(
                got,
                vec![Ok("0123456789".into()), Err(Line::TooLong)],
                "chunk {chunk}"
            );
        }
    }
}
