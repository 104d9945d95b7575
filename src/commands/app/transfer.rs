//! `outbound app export` / `app import`: definitions as TOML, to review in git and to
//! move between a file and the team store. Definitions hold no secret (a client secret
//! is only where it lives: `"store"`, `"env:VAR"`, `"command:…"`), so the text is
//! safe to commit; secrets kept in a store move with `store migrate`.

use std::path::Path;

use toml_edit::{DocumentMut, Item};

use super::{Ctx, edit_config};
use crate::commands::output::{data_raw, notice};
use crate::config::{Config, Place, app_fragments};
use crate::error::{ConfigError, Error, Result};

pub fn export(ctx: &Ctx, name: Option<&str>) -> Result<()> {
    let config = ctx.load()?;
    if let Some(name) = name {
        config.app(name)?;
    }
    // The file's, then the team store's when the configuration names one.
    let mut places = vec![Place::Personal];
    if config.has_team() {
        places.push(Place::Team);
    }
    let mut fragments = Vec::new();
    for place in places {
        let text = super::place::definitions_text(ctx, &config, place)?;
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::Other(e.message().to_owned()))?;
        fragments.extend(app_fragments(&doc));
    }
    let out: String = fragments
        .into_iter()
        .filter(|(_, n, _)| name.is_none_or(|w| w == n))
        .map(|(_, _, t)| t)
        .collect::<Vec<_>>()
        .join("\n");
    data_raw!("{out}");
    Ok(())
}

pub fn import(ctx: &Ctx, file: &Path) -> Result<()> {
    let text = if file == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error::io("cannot read standard input", e))?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?
    };
    // Checked as a configuration of its own first: a broken file changes nothing.
    let incoming = Config::parse(file, &text).map_err(|e| Error::from(e.error))?;
    if incoming.apps.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no [apps.NAME] tables to import",
            file.display()
        )));
    }
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::from(ConfigError {
            file: file.to_path_buf(),
            position: None,
            message: e.message().to_owned(),
        })
    })?;
    let names: Vec<String> = incoming.apps.iter().map(|a| a.name.clone()).collect();
    let first = names[0].clone();
    // Where they go: where the first is defined, else where new apps go. A name the
    // other place defines would be defined twice.
    let config = ctx.load_for_writing()?;
    let place = config
        .apps
        .iter()
        .find(|a| a.name == first)
        .map_or_else(|| ctx.default_place(&config), |a| a.place);
    if let Some(other) = config
        .apps
        .iter()
        .find(|a| a.place != place && names.contains(&a.name))
    {
        return Err(Error::Usage(format!(
            "`{}` is defined in {}, and this import would define it in the {} definitions too\n  fix: import it there (move it first with `outbound app move {} --to {}`), or rename it in {}",
            other.name,
            config.home(other).display(),
            place.as_str(),
            other.name,
            place.as_str(),
            file.display()
        )));
    }
    let (added, replaced, same) = edit_config(ctx, &first, |config, target| {
        let (mut added, mut replaced, mut same) = (0, 0, 0);
        let incoming_apps = doc
            .get("apps")
            .and_then(Item::as_table_like)
            .ok_or_else(|| Error::Other("no apps table".into()))?;
        let apps = target
            .entry("apps")
            .or_insert_with(|| {
                let mut t = toml_edit::Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_like_mut()
            .ok_or_else(|| Error::Other("`apps` is not a table in the configuration".into()))?;
        for (name, item) in incoming_apps.iter() {
            let mut item = item.clone();
            if let Some(t) = item.as_inline_table().cloned() {
                item = Item::Table(t.into_table());
            }
            let before = config.apps.iter().find(|a| a.name == name);
            let now = incoming.apps.iter().find(|a| a.name == name);
            match (before, now) {
                (Some(b), Some(n)) if format!("{b:?}") == format!("{n:?}") => same += 1,
                (Some(_), _) => replaced += 1,
                (None, _) => added += 1,
            }
            apps.insert(name, item);
        }
        Ok((added, replaced, same))
    })?;
    notice!(
        "imported {} from {}: {added} added, {replaced} replaced, {same} unchanged",
        crate::text::count(names.len(), "application"),
        file.display()
    );
    Ok(())
}
