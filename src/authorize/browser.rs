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
            .map_err(|e| format!("cannot run $BROWSER ({program}): {e}"));
    }
    open::that_detached(url).map_err(|e| format!("cannot open a browser: {e}"))
}
