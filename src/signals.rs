//! SIGINT, SIGTERM and SIGHUP held while a token request's result is being saved.
//!
//! Between the moment a server rotates a refresh token (or consumes a code) and the
//! moment the new tokens are in the store, dying loses the grant. Inside a [`Hold`]
//! those signals are noted instead of acted on; when the last hold ends, the process
//! dies of the signal it got, exactly as it would have (same exit status). Outside a
//! hold, they act at once as by default. SIGKILL cannot be held: what remains is the
//! few milliseconds between the server's answer and the store's write
//! (docs/security.md, "Signals wait for the save"). On Windows nothing is held: a
//! Ctrl-C ends the process at once (docs/platforms.md).

#[cfg(unix)]
use std::sync::atomic::AtomicI32;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static DEPTH: AtomicUsize = AtomicUsize::new(0);
/// A server (the proxy) handles SIGINT and SIGTERM itself, by draining.
static SERVING: AtomicBool = AtomicBool::new(false);
#[cfg(unix)]
static PENDING: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
const HELD: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Installs the handlers (once, at start-up).
pub fn install() {
    #[cfg(unix)]
    for signal in HELD {
        // SAFETY: the action only touches atomics and calls async-signal-safe
        // functions (signal, raise, _exit).
        let _ = unsafe { signal_hook_registry::register(signal, move || on_signal(signal)) };
    }
}

/// From now on SIGINT and SIGTERM are the caller's to handle (a server that drains
/// its open requests); SIGHUP still ends the process.
pub fn handled_by_server() {
    SERVING.store(true, Ordering::SeqCst);
}

#[cfg(unix)]
fn on_signal(signal: libc::c_int) {
    if SERVING.load(Ordering::SeqCst) && signal != libc::SIGHUP {
        return;
    }
    if DEPTH.load(Ordering::SeqCst) == 0 {
        die(signal);
    } else {
        PENDING.store(signal, Ordering::SeqCst);
    }
}

/// Dies of `signal` as its default action would.
#[cfg(unix)]
fn die(signal: libc::c_int) {
    // SAFETY: async-signal-safe calls; the default action of these signals ends the
    // process, and _exit is the fallback should it not.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
        libc::_exit(128 + signal);
    }
}

/// While alive, the held signals wait. Hold it from before a token request is sent
/// until its result is saved.
#[must_use = "the signals are held only while the Hold lives"]
pub struct Hold(());

pub fn hold() -> Hold {
    DEPTH.fetch_add(1, Ordering::SeqCst);
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        #[cfg(unix)]
        if DEPTH.fetch_sub(1, Ordering::SeqCst) == 1 {
            let pending = PENDING.swap(0, Ordering::SeqCst);
            if pending != 0 {
                die(pending);
            }
        }
        #[cfg(not(unix))]
        DEPTH.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Keeps core files from ever holding a token: no core dump, and not dumpable
/// (which also keeps other processes of the same user from attaching a debugger).
pub fn forbid_core_dumps() {
    // SAFETY: plain system calls with valid arguments; failure changes nothing.
    #[cfg(unix)]
    unsafe {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
