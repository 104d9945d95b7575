//! One integration binary: the real `outbound` binary, run with an isolated HOME,
//! config and state directory per test, against the real Secret Service that
//! `scripts/test` starts (tests that need it fail, never skip, without it).

// The agent serves on a Unix socket: not on Windows (docs/platforms.md).
#[cfg(unix)]
mod agent;
mod app_admin;
mod attack;
mod authorize;
mod authserver;
mod credentials;
mod curl;
// Every scenario has the agent among its front ends.
#[cfg(unix)]
mod gate;
mod harness;
mod hostile;
mod interop;
mod leaks;
mod lemonldap;
mod programs;
mod providers;
mod proxy;
mod resource;
mod servers;
mod store;
mod team;
mod terminal;
mod tokens;
mod trust;
mod wording;

/// Unix seconds now.
pub fn tokens_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
