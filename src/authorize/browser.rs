//! Opening the browser: `$BROWSER` when set (a command; the URL is its last
//! argument), else the platform's opener. The caller always prints the URL too.

use std::process::{Command, Stdio};

pub fn open(url: &str) -> Result<(), String> {
    if let Some(browser) = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        let mut words = browser.split_whitespace();
        let program = words.next().unwrap_or_default();
        return Command::new(program)
            .args(words)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|_| ())
            .map_err(|e| {
                format!("no browser could be opened: $BROWSER (`{program}`) cannot be run: {e}")
            });
    }
    // open's own error repeats the URL and the launcher's raw exit status: say it in words.
    open::that_detached(url).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "no launcher (xdg-open, gio, wslview…) is installed"
        } else {
            "the system's launcher (xdg-open) failed, as it does where there is no desktop session"
        };
        format!("no browser could be opened: {why}")
    })
}

/// Whether a browser can be opened here for a person who is not at a terminal (the
/// stdio bridge): `$BROWSER` names one, or there is a desktop session (macOS,
/// Windows, or a display on the other systems). Where neither is so the platform's
/// opener cannot show anything to anyone, even when it starts.
pub fn available() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    std::env::var("BROWSER").is_ok_and(|b| !b.trim().is_empty())
        || cfg!(any(target_os = "macos", windows))
        || set("DISPLAY")
        || set("WAYLAND_DISPLAY")
}
