//! `outbound completions` and the hidden `generate-docs`, which writes (or checks)
//! the committed completions/, man/ and PROVIDERS.md (the provider catalog) so they
//! never drift from the CLI and src/presets.toml.

use crate::commands::output::{data, data_raw};
use std::path::Path;

use clap_complete::{Generator, Shell};

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
    let mut cmd = crate::examples::command();
    cmd.build();
    man_pages(&cmd, "outbound", "", &mut files)?;
    files.push((
        "PROVIDERS.md".to_owned(),
        crate::presets::markdown()?.into_bytes(),
    ));
    Ok(files)
}

/// A SUBCOMMANDS section without clap's `help` subcommand, which has no page of its
/// own (it named a missing `outbound-help(1)`).
fn without_help_entry(section: &[u8]) -> String {
    let text = String::from_utf8_lossy(section);
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        // `.TP`, the page's name, its one-line summary.
        if lines[i] == ".TP" && lines.get(i + 1).is_some_and(|l| l.ends_with("\\-help(1)")) {
            i += 3;
            continue;
        }
        kept.push(lines[i]);
        i += 1;
    }
    let mut out = kept.join("\n");
    out.push('\n');
    out
}

/// The man page of `cmd` (file `man/NAME.1`) and of its subcommands; `path` is its
/// command path ("" for outbound, "app add", "git-credential").
fn man_pages(
    cmd: &clap::Command,
    name: &str,
    path: &str,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<()> {
    // The examples get their own EXAMPLES section, and what else follows the options
    // in --help (the exit codes, curl's rule) its NOTES: not clap_mangen's "EXTRA".
    let examples = crate::examples::of(path);
    let notes = cmd.get_after_help().map(|after| {
        let after = after.to_string();
        match examples {
            Some(ex) => after
                .strip_prefix(&format!("Examples:\n{ex}"))
                .unwrap_or(&after)
                .trim()
                .to_owned(),
            None => after,
        }
    });
    let page = cmd.clone().name(name.to_owned());
    let man = clap_mangen::Man::new(page.clone());
    let mut out = Vec::new();
    let cannot = |e| Error::io("cannot render a man page", e);
    man.render_title(&mut out).map_err(cannot)?;
    man.render_name_section(&mut out).map_err(cannot)?;
    man.render_synopsis_section(&mut out).map_err(cannot)?;
    man.render_description_section(&mut out).map_err(cannot)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out).map_err(cannot)?;
    }
    if page.get_subcommands().any(|s| !s.is_hide_set()) {
        let mut section = Vec::new();
        man.render_subcommands_section(&mut section)
            .map_err(cannot)?;
        out.extend_from_slice(without_help_entry(&section).as_bytes());
    }
    if let Some(examples) = examples {
        out.extend_from_slice(&roff_section("EXAMPLES", examples));
    }
    if let Some(notes) = notes.filter(|n| !n.is_empty()) {
        out.extend_from_slice(&roff_section("NOTES", &notes));
    }
    if page.get_version().is_some() {
        man.render_version_section(&mut out).map_err(cannot)?;
    }
    files.push((format!("man/{name}.1"), out));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        man_pages(sub, &format!("{name}-{}", sub.get_name()), &sub_path, files)?;
    }
    Ok(())
}

/// A man-page section of preformatted lines, escaped for roff.
fn roff_section(title: &str, text: &str) -> Vec<u8> {
    let mut out = format!(".SH {title}\n.nf\n");
    for line in text.lines() {
        let line = line.replace('\\', "\\e");
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(".fi\n");
    out.into_bytes()
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
