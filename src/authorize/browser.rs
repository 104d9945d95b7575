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
            "the system's launcher (xdg-open) failed: is there a desktop session?"
        };
        format!("no browser could be opened: {why}")
    })
}
