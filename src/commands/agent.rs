//! `outbound agent start|stop|status|run`: this user's token agent (see
//! [`crate::agent`]).

#[cfg(unix)]
use std::time::{Duration, Instant};

use super::Ctx;
#[cfg(unix)]
use super::print_json;
#[cfg(unix)]
use crate::agent::{Request, Response, client::Outcome, log_path, socket_path};
use crate::cli::AgentCommand;
#[cfg(unix)]
use crate::commands::output::{data, notice};
use crate::error::{Error, Result};

pub fn run(ctx: &Ctx, command: AgentCommand) -> Result<()> {
    #[cfg(unix)]
    {
        match command {
            AgentCommand::Start => start(ctx),
            AgentCommand::Run => crate::agent::server::run(ctx.state_dir.clone()),
            AgentCommand::Stop => stop(ctx),
            AgentCommand::Status { json } => status(ctx, json),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (ctx, command);
        Err(Error::Usage(
            "`outbound agent` is not available on Windows (it serves on a Unix socket): every command works without it, taking tokens from the keyring".into(),
        ))
    }
}

#[cfg(unix)]
fn call(ctx: &Ctx, request: &Request) -> Outcome {
    crate::agent::client::call(
        &socket_path(&ctx.state_dir),
        request,
        Duration::from_secs(5),
    )
}

#[cfg(unix)]
fn ask(ctx: &Ctx, request: &Request) -> Option<Response> {
    call(ctx, request).answer()
}

/// Starts `outbound agent run` in the background (its own process group, so the
/// terminal's Ctrl-C does not reach it; output to the agent's log) and waits until
/// it answers.
#[cfg(unix)]
fn start(ctx: &Ctx) -> Result<()> {
    use std::os::unix::process::CommandExt;
    match call(ctx, &Request::Status) {
        Outcome::Answered(Response::Status { pid, .. }) => {
            notice!("the agent is already running (pid {pid})");
            return Ok(());
        }
        // Another would not get the socket: this one is there, only busy.
        Outcome::Busy(why) => {
            notice!(
                "the agent is already running on {}, busy: {why}",
                socket_path(&ctx.state_dir).display()
            );
            return Ok(());
        }
        _ => {}
    }
    let exe =
        std::env::current_exe().map_err(|e| Error::io("cannot find the outbound executable", e))?;
    let log = crate::fsutil::open_append_private(&log_path(&ctx.state_dir))
        .map_err(|e| Error::io("cannot open the agent's log", e))?;
    let err = log
        .try_clone()
        .map_err(|e| Error::io("cannot open the agent's log", e))?;
    let mut child = std::process::Command::new(exe)
        .args(["agent", "run"])
        .env("OUTBOUND_STATE_DIR", &ctx.state_dir)
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::io("cannot start the agent", e))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(Response::Status { pid, .. }) = ask(ctx, &Request::Status) {
            notice!(
                "the agent is running (pid {pid}) on {}",
                socket_path(&ctx.state_dir).display()
            );
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Error::Other(format!(
                "the agent stopped at once ({status}); see {}",
                log_path(&ctx.state_dir).display()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(Error::Other(format!(
        "the agent did not answer within 10 s; see {}",
        log_path(&ctx.state_dir).display()
    )))
}

#[cfg(unix)]
fn stop(ctx: &Ctx) -> Result<()> {
    let socket = socket_path(&ctx.state_dir);
    match call(ctx, &Request::Stop) {
        Outcome::Answered(Response::Stopping) => {
            let deadline = Instant::now() + Duration::from_secs(5);
            while socket.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            notice!("the agent stopped; the tokens it held are gone from memory");
        }
        Outcome::Busy(why) => {
            return Err(Error::Other(format!(
                "the agent on {} is busy ({why}), so it did not get the request to stop\n  run `outbound agent stop` again in a few seconds (a client has 5 s to send its request)",
                socket.display()
            )));
        }
        _ => notice!("the agent is not running"),
    }
    Ok(())
}

#[cfg(unix)]
fn status(ctx: &Ctx, json: bool) -> Result<()> {
    let socket = socket_path(&ctx.state_dir);
    let (pid, tokens, started_at) = match call(ctx, &Request::Status) {
        Outcome::Answered(Response::Status {
            pid,
            tokens,
            started_at,
        }) => (pid, tokens, started_at),
        // There, but not serving: not the same as not running (commands do without
        // it meanwhile, and `agent start` would not replace it).
        Outcome::Busy(why) => {
            if json {
                print_json(&serde_json::json!({
                    "running": true, "busy": true, "socket": socket, "reason": why,
                }))?;
            }
            return Err(Error::Other(format!(
                "the agent on {} is running but busy: {why}\n  commands do without it meanwhile; each client has 5 s to send its request, so it is free again within seconds unless something keeps opening connections",
                socket.display()
            )));
        }
        other => {
            if json {
                print_json(&serde_json::json!({ "running": false, "socket": socket }))?;
            }
            let why = match other {
                Outcome::Absent(why) => why,
                _ => format!("no answer on {}", socket.display()),
            };
            return Err(Error::Other(format!(
                "the agent is not running ({why}); start it with `outbound agent start`"
            )));
        }
    };
    if json {
        return print_json(&serde_json::json!({
            "running": true, "pid": pid, "socket": socket, "tokens": tokens, "started_at": started_at,
        }));
    }
    data!("running  pid {pid}");
    data!("socket   {}", socket.display());
    data!("tokens   {tokens} held in memory");
    data!(
        "since    {}",
        super::authorize::human_seconds(crate::clock::now().saturating_sub(started_at))
    );
    Ok(())
}
