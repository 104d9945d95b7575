//! `outbound app edit NAME` with no flags, on a terminal: the app's table in
//! `$VISUAL`/`$EDITOR` (like `kubectl edit`), validated when saved. An invalid edit
//! opens the editor again with the reason on top; saving it unchanged, or emptying
//! the file, cancels and leaves the configuration as it was.

use std::io::Write;

use toml_edit::{DocumentMut, Item};

use super::{app_table, edit_config};
use crate::commands::Ctx;
use crate::error::{Error, Result};

/// Settings their own commands manage: an edit that changes one is refused.
const MANAGED: &[(&str, &str)] = &[
    ("id", "tokens are stored under it"),
    ("generation", "use `outbound app reset`"),
    (
        "client_secret",
        "use --client-secret-stdin, --client-secret-env or --client-secret-command",
    ),
];

pub fn run(ctx: &Ctx, name: &str) -> Result<()> {
    let config = ctx.load_for_writing()?;
    let before = config.app(name)?.clone();
    // The file's text, or the team store's, where the application is defined.
    let home = config.home(&before).to_path_buf();
    let text = super::place::definitions_text(ctx, &config, before.place)?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|e| Error::Other(format!("{}: {e}", home.display())))?;
    let original = table_text(&doc, name)?;
    let dir = tempfile::Builder::new()
        .prefix("outbound-edit-")
        .tempdir()
        .map_err(|e| Error::io("cannot create a temporary directory", e))?;
    let path = dir.path().join(format!("{name}.toml"));
    let header = format!(
        "# Application `{name}` from {}.\n# Save and quit to apply; empty the file (or save it unchanged) to cancel.\n",
        home.display()
    );
    let mut shown = format!("{header}{original}");
    let mut refused: Option<String> = None;
    loop {
        write_private(&path, &shown)?;
        run_editor(&path)?;
        let edited = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let body = strip_ours(&edited, &header);
        if body.trim().is_empty() || edited == shown {
            let why = refused
                .map(|r| format!(" (the save before was refused: {r})"))
                .unwrap_or_default();
            return Err(Error::Other(format!(
                "edit cancelled; `{name}` is unchanged{why}"
            )));
        }
        // Shown again, the body comes after one error line and the header: the
        // place of what is wrong is given as a line of that buffer.
        let above = 1 + header.lines().count();
        match check(name, body, above)
            .and_then(|()| apply(ctx, name, body).map_err(|e| e.to_string()))
        {
            Ok(()) => break,
            Err(why) => {
                let reason: String = why.lines().map(|l| format!("# error: {l}\n")).collect();
                refused = Some(why);
                shown = format!("{reason}{header}{body}");
            }
        }
    }
    let after = ctx.load()?;
    let after = after.app(name)?;
    super::edit::report(name, super::edit::changes(&before, after));
    // The endpoints typed in the editor are asked about, as with flags.
    let typed: Vec<_> = super::TYPED_ENDPOINTS
        .into_iter()
        .filter(|e| super::endpoint_url(&before, *e) != super::endpoint_url(after, *e))
        .collect();
    super::check_typed_endpoints(after, &typed);
    Ok(())
}

/// `[apps.NAME]` as the file writes it, comments and layout kept.
fn table_text(doc: &DocumentMut, name: &str) -> Result<String> {
    let table = doc
        .get("apps")
        .and_then(|apps| apps.get(name))
        .and_then(Item::as_table)
        .ok_or_else(|| {
            Error::Other(format!(
                "`apps.{name}` is not a [apps.{name}] table in the file; edit the file itself"
            ))
        })?;
    let mut only = DocumentMut::new();
    let mut apps = toml_edit::Table::new();
    apps.set_implicit(true);
    apps.insert(name, Item::Table(table.clone()));
    only.insert("apps", Item::Table(apps));
    Ok(only.to_string())
}

/// Why the edited table would be refused, in the configuration's own words, on one
/// line: where, as a line of the buffer once it is shown again (`above`: the lines
/// before the body then), and nothing about fixing a file in an editor (the
/// person is in it).
fn check(name: &str, body: &str, above: usize) -> std::result::Result<(), String> {
    let Err(refused) = crate::config::Config::parse(std::path::Path::new(name), body) else {
        return Ok(());
    };
    let at = refused
        .error
        .position
        .map(|(line, column)| format!("line {}, column {column}: ", line + above))
        .unwrap_or_default();
    let message: Vec<&str> = refused.error.message.lines().map(str::trim).collect();
    Err(format!("{at}{}", message.join(" ")))
}

/// The edited text replaces the app's table, through the one validated write.
fn apply(ctx: &Ctx, name: &str, text: &str) -> Result<()> {
    let edited: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Usage(format!("not TOML: {}", e.message())))?;
    let names: Vec<&str> = edited
        .get("apps")
        .and_then(Item::as_table_like)
        .map(|apps| apps.iter().map(|(k, _)| k).collect())
        .unwrap_or_default();
    if names != [name] || edited.iter().count() != 1 {
        return Err(Error::Usage(format!(
            "the file must hold only the [apps.{name}] table (renaming an app is not an edit: add a new one)"
        )));
    }
    let Some(new_table) = edited["apps"][name].as_table().cloned() else {
        return Err(Error::Usage(format!("[apps.{name}] must be a table")));
    };
    edit_config(ctx, name, |_, doc| {
        let table = app_table(doc, name)?;
        for (field, why) in MANAGED {
            let old = table
                .get(field)
                .and_then(Item::as_value)
                .map(|v| v.to_string());
            let new = new_table
                .get(field)
                .and_then(Item::as_value)
                .map(|v| v.to_string());
            if old.as_deref().map(str::trim) != new.as_deref().map(str::trim) {
                return Err(Error::Usage(format!(
                    "`{field}` cannot be changed here: {why}"
                )));
            }
        }
        let apps = doc
            .get_mut("apps")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| Error::Other("`apps` is not a table".into()))?;
        apps.insert(name, Item::Table(new_table));
        Ok(())
    })
}

/// The text below the lines this command put on top (the errors, then the header);
/// the user's own comments stay.
fn strip_ours<'a>(text: &'a str, header: &str) -> &'a str {
    let mut rest = text;
    while rest.starts_with("# error: ") {
        rest = rest.split_once('\n').map_or("", |(_, after)| after);
    }
    rest.strip_prefix(header).unwrap_or(rest)
}

fn write_private(path: &std::path::Path, text: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// `$VISUAL`, else `$EDITOR`, else `vi`, run by the shell (so `code --wait` works)
/// with the file as its last argument.
fn run_editor(path: &std::path::Path) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| Error::io(format!("cannot run the editor `{editor}`"), e))?;
    if !status.success() {
        return Err(Error::Other(format!(
            "the editor `{editor}` failed ({status}); `{}` is unchanged",
            path.file_stem().unwrap_or_default().to_string_lossy()
        )));
    }
    Ok(())
}
