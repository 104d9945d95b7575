//! The one printer every command goes through. Data (what a script reads) goes to
//! standard output; what a person reads goes to standard error: notices (progress,
//! confirmations), silenced by `--quiet`; what must be read to act (an authorization
//! URL, a device code, `-v` headers) and warnings, always. A closed standard output
//! (`outbound app list | head -1`) ends the program quietly, with exit 0, as ripgrep
//! does: the reader has what it wanted.

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no notices.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Data on standard output, as given (no line break added).
pub fn data_args(args: Arguments) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        failed(&e);
    }
}

/// Data on standard output written by `write` through a 64 KiB buffer, for output
/// too large to build in memory first (`app list --json` of 10,000 apps is 18 MB).
/// Ends the program as [`data_args`] does when standard output cannot take it.
pub fn data_stream(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if let Err(e) = write(&mut out).and_then(|()| out.flush()) {
        failed(&e);
    }
}

fn failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    // Nowhere left to say it but standard error.
    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(1);
}

pub fn notice_args(args: Arguments) {
    if !QUIET.load(Ordering::Relaxed) {
        say_args(args);
    }
}

pub fn say_args(args: Arguments) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// A line of data on standard output.
macro_rules! data {
    ($($arg:tt)*) => { $crate::commands::output::data_args(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Data on standard output, without a line break.
macro_rules! data_raw {
    ($($arg:tt)*) => { $crate::commands::output::data_args(format_args!($($arg)*)) };
}

/// A line for the person, unless `--quiet`.
macro_rules! notice {
    () => { $crate::commands::output::notice_args(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::commands::output::notice_args(format_args!("{}\n", format_args!($($arg)*))) };
}

/// A line the person must read to act, always.
macro_rules! say {
    () => { $crate::commands::output::say_args(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::commands::output::say_args(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The same without a line break (a countdown rewritten in place).
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::commands::output::say_args(format_args!($($arg)*)) };
}

/// `warning: …`, always.
macro_rules! warning {
    ($($arg:tt)*) => { $crate::commands::output::say_args(format_args!("warning: {}\n", format_args!($($arg)*))) };
}

pub(crate) use {data, data_raw, notice, say, say_raw, warning};
