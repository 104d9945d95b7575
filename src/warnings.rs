//! Warnings raised below the command layer, which never prints: a failure that must
//! be reported but must not undo what already happened (the audit log that cannot be
//! written after the server issued tokens); and notes, what went right in a way worth
//! knowing (how a server takes the client's credentials). `main` prints them once,
//! at the end (notes unless `--quiet`).

use std::sync::Mutex;

static PENDING: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Keeps `message` for `main` to print; a message already pending is not kept twice
/// (a long-running server that never prints them keeps one of each).
pub fn push(message: String) {
    if let Ok(mut pending) = PENDING.lock()
        && !pending.contains(&message)
    {
        pending.push(message);
    }
}

/// Every warning raised so far, oldest first; the list is left empty.
pub fn take() -> Vec<String> {
    PENDING
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}

static NOTES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Keeps `message`, something that went right in a way worth knowing (what a server
/// was found to take), for `main` to print as a note unless `--quiet`.
pub fn note(message: String) {
    if let Ok(mut pending) = NOTES.lock()
        && !pending.contains(&message)
    {
        pending.push(message);
    }
}

/// Every note raised so far, oldest first; the list is left empty.
pub fn take_notes() -> Vec<String> {
    NOTES
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}
