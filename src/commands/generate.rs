//! `outbound completions` and the hidden `generate-docs`, which writes (or checks)
//! the committed completions/ and man/ so they never drift from the CLI.

use crate::commands::output::{data, data_raw};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::Cli;
use crate::error::{Error, Result};

/// Prints the script that registers dynamic completion for `shell`: it calls
/// `outbound` back for every completion, so names come from the files in use.
pub fn completions(shell: Shell) -> Result<()> {
    let mut out = Vec::new();
    crate::completion::registration(&shell.to_string(), &mut out)
        .map_err(|e| Error::io("cannot write the completion script", e))?;
    data_raw!("{}", String::from_utf8_lossy(&out));
    Ok(())
}

/// Every generated file: (path relative to the project root, contents).
fn generated() -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let mut out = Vec::new();
        crate::completion::registration(&shell.to_string(), &mut out)
            .map_err(|e| Error::io("cannot render a completion script", e))?;
        let name = shell.file_name("outbound");
        files.push((format!("completions/{name}"), out));
    }
    let mut cmd = Cli::command();
    cmd.build();
    man_pages(&cmd, "outbound", &mut files)?;
    Ok(files)
}

fn man_pages(cmd: &clap::Command, name: &str, files: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let page = cmd.clone().name(name.to_owned());
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Error::io("cannot render a man page", e))?;
    files.push((format!("man/{name}.1"), out));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        man_pages(sub, &format!("{name}-{}", sub.get_name()), files)?;
    }
    Ok(())
}

pub fn docs(root: &Path, check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for (rel, contents) in generated()? {
        let path = root.join(&rel);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(contents.as_slice()) {
            continue;
        }
        if check {
            stale.push(rel);
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        data!("wrote {rel}");
    }
    if stale.is_empty() {
        return Ok(());
    }
    Err(Error::Other(format!(
        "generated files are stale: {}\n  fix: cargo run -- generate-docs",
        stale.join(", ")
    )))
}
