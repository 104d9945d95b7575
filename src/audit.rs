//! The audit log: opt-in per configuration file (`audit = true` at its top), one
//! JSON line per token use, refresh, revocation and authorization, in the state
//! directory. Built only from non-secret facts: there is no field a token could
//! travel in.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One event, as the log file and the team store keep it (defined with the stores,
/// which keep it without knowing of this module).
pub use crate::store::AuditEvent as Event;

/// The team store keeps the events of `audit = true` files that use it.
impl Sink for crate::store::postgres::PgStore {
    fn append(&self, e: &Event) -> Result<()> {
        Ok(self.append_audit(e)?)
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("audit.log")
}

/// Appends one event (a single short `write` in append mode, so concurrent
/// processes never interleave inside a line). The log is opened without following
/// a symbolic link: a link planted in its place must not make us append elsewhere.
pub fn append(log: &Path, event: &Event) -> Result<()> {
    if let Some(dir) = log.parent() {
        crate::fsutil::ensure_private_dir(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    let mut line = serde_json::to_vec(event).map_err(|e| Error::Other(format!("audit: {e}")))?;
    line.push(b'\n');
    let mut file = crate::fsutil::open_append_private(log)
        .map_err(|e| Error::io(format!("cannot open the audit log {}", log.display()), e))?;
    file.write_all(&line)
        .map_err(|e| Error::io(format!("cannot write the audit log {}", log.display()), e))
}

/// Every readable event of the log (a torn or foreign line is skipped).
pub fn read(log: &Path) -> Result<Vec<Event>> {
    let bytes = crate::fsutil::read_if_exists(log)
        .map_err(|e| Error::io(format!("cannot read the audit log {}", log.display()), e))?
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// Where events go besides a file: the team store (one table every machine of a
/// role writes, row-level security showing each role only its own rows).
pub trait Sink {
    fn append(&self, event: &Event) -> Result<()>;
}

/// Where to log for one command: nowhere, the state directory's file, or the team
/// store, as the configuration opts in.
#[derive(Clone, Default)]
pub struct Audit(Option<Target>);

#[derive(Clone)]
enum Target {
    File(PathBuf),
    Shared(std::sync::Arc<dyn Sink>),
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Audit(off)"),
            Some(Target::File(p)) => write!(f, "Audit({})", p.display()),
            Some(Target::Shared(_)) => f.write_str("Audit(team store)"),
        }
    }
}

impl Audit {
    pub fn off() -> Audit {
        Audit(None)
    }

    pub fn to_file(path: PathBuf) -> Audit {
        Audit(Some(Target::File(path)))
    }

    pub fn to_sink(sink: std::sync::Arc<dyn Sink>) -> Audit {
        Audit(Some(Target::Shared(sink)))
    }

    /// Logs one event. A log that cannot be written is reported as a warning (see
    /// [`crate::warnings`]) and never fails the operation: the event it describes
    /// already happened (a server issued tokens that must be kept, a request went).
    pub fn record(
        &self,
        app: &str,
        account: &str,
        event: &str,
        method: Option<&str>,
        host: Option<&str>,
        status: &str,
    ) {
        let Some(target) = &self.0 else { return };
        let e = Event {
            time: crate::clock::now(),
            app: app.to_owned(),
            account: account.to_owned(),
            event: event.to_owned(),
            method: method.map(str::to_owned),
            host: host.map(str::to_owned),
            status: status.to_owned(),
        };
        let result = match target {
            Target::File(log) => append(log, &e),
            Target::Shared(sink) => sink.append(&e),
        };
        if let Err(e) = result {
            crate::warnings::push(format!(
                "the audit log was not written ({e}); the {event} of `{app}` (account `{account}`) is not recorded there"
            ));
        }
    }
}
