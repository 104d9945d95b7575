//! Personal and team applications side by side: `outbound app move NAME --to
//! team|personal` and `outbound app rename OLD NEW`.
//!
//! A move writes the definition where it goes first, then moves the secrets and
//! this user's tokens ([`tokens::migrate`]), then removes the definition where it
//! was. Cut short anywhere, the application is either where it was, or in both
//! places with one id — which every command refuses, naming `app move` to finish
//! (a second run copies what is missing and completes the move).

use toml_edit::{DocumentMut, Item};

use super::{Ctx, edit_in_place};
use crate::commands::output::notice;
use crate::config::{AppDocuments, Config, Place, Why};
use crate::error::{Error, Result};
use crate::state::Index;
use crate::tokens;

/// The text of the definitions of `place`: the file's, or the team store's.
pub fn definitions_text(ctx: &Ctx, config: &Config, place: Place) -> Result<String> {
    if place == Place::Team {
        return ctx.postgres(config).documents().read();
    }
    match std::fs::read_to_string(&ctx.config_path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io(
            format!("cannot read {}", ctx.config_path.display()),
            e,
        )),
    }
}

/// What a place is called in messages.
fn place_name(ctx: &Ctx, config: &Config, place: Place) -> String {
    match place {
        Place::Team => format!("the team store {}", ctx.postgres(config).label()),
        Place::Personal => config.path.display().to_string(),
    }
}

/// The configuration must name a team store for anything to move to or from it.
fn require_team(ctx: &Ctx, config: &Config, flag: &str) -> Result<()> {
    if ctx.team_named(config) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag}: {} names no team store\n  fix: add database_url = \"postgresql://USER@HOST:PORT/DB\" at its top (or set OUTBOUND_DATABASE_URL and pass --store postgres)",
        config.path.display()
    )))
}

/// `yes`: do not ask before an application leaves the team store (moving one into
/// it takes nothing from anyone, and is not asked).
pub fn move_app(ctx: &Ctx, name: &str, to: Place, yes: bool) -> Result<()> {
    let config = ctx.load_for_writing()?;
    require_team(ctx, &config, "app move")?;
    let from = match to {
        Place::Team => Place::Personal,
        Place::Personal => Place::Team,
    };
    // The team store cannot be read: nothing can move to or from it.
    if let Some((message, code)) = config.team.as_ref().and_then(|t| t.unavailable.clone()) {
        return Err(Error::TeamUnavailable { message, code });
    }
    // Both places define it with one id: a move cut short, finished from `from`.
    let resumed = config
        .broken
        .iter()
        .any(|b| b.name == name && matches!(b.why, Why::Twice { same_id: true, .. }));
    let source_text = definitions_text(ctx, &config, from)?;
    let source = Config::parse(&config.path, &source_text).map_err(|e| Error::from(e.error))?;
    let mut app = match source.apps.iter().find(|a| a.name == name) {
        Some(app) => app.clone(),
        None if !resumed => {
            let app = config.app(name)?;
            return Err(Error::Usage(format!(
                "`{name}` is already in {}; nothing to move",
                place_name(ctx, &config, app.place)
            )));
        }
        None => {
            return Err(config
                .app(name)
                .err()
                .unwrap_or_else(|| config.unknown(name)));
        }
    };
    app.place = from;
    let item = source_item(&source_text, name)?;
    if from == Place::Team {
        let question = format!(
            "Move `{name}` out of {} into {}? Every other member loses it, and the team store's copies of its secrets are deleted.",
            place_name(ctx, &config, from),
            config.path.display()
        );
        if !ctx.confirm(&question, yes, "--yes")? {
            return Err(Error::Other("move cancelled; nothing changed".into()));
        }
    }

    // 1. The definition where it goes (kept as written: comments and all).
    if !resumed {
        edit_in_place(
            ctx,
            &config,
            name,
            to,
            |there, doc| {
                if let Some(other) = there.apps.iter().find(|a| a.name == name) {
                    return Err(Error::Usage(format!(
                        "{} already defines `{name}` (id {}); rename one first: `outbound app rename {name} NEW`",
                        place_name(ctx, &config, to),
                        other.id
                    )));
                }
                apps_table(doc)?.insert(name, item.clone());
                Ok(())
            },
            |_| Ok(()),
        )?;
    }
    // 2. Its secrets and this user's tokens (the user's own accounts: one shared
    //    with the team store's group stays the group's).
    ctx.postgres(&config)
        .aim_all(crate::store::postgres::Aim::Personal);
    let (from_store, to_store) = (ctx.store_at(&config, from), ctx.store_at(&config, to));
    let moved = tokens::migrate::migrate(
        from_store.as_ref(),
        to_store.as_ref(),
        &ctx.state_dir,
        std::slice::from_ref(&app),
    )?;
    let home = match to {
        Place::Team => std::path::PathBuf::from(ctx.postgres(&config).label()),
        Place::Personal => config.path.clone(),
    };
    Index::update(&ctx.state_dir, |index| {
        for record in index.accounts.values_mut() {
            if record.app_id == app.id {
                record.config = home.clone();
            }
        }
    })?;
    // 3. Gone from where it was (the team store's copies of its secrets with it:
    //    the team store keeps them when secrets are copied out of it).
    edit_in_place(
        ctx,
        &config,
        name,
        from,
        |_, doc| {
            if let Some(apps) = doc.get_mut("apps").and_then(|a| a.as_table_like_mut()) {
                apps.remove(name);
            }
            Ok(())
        },
        |()| {
            if from == Place::Team {
                crate::store::delete_app_secrets(from_store.as_ref(), &app)?;
            }
            Ok(())
        },
    )?;
    notice!(
        "moved `{name}` (id {}) to {}, with {} and this user's tokens of {}",
        app.id,
        place_name(ctx, &config, to),
        crate::text::count(moved.client_secrets as usize, "secret"),
        crate::text::count(moved.accounts as usize, "account")
    );
    if to == Place::Team && app.grant.needs_person() {
        notice!("other users see it now; each authorizes it once (`outbound authorize {name}`)");
    } else if to == Place::Team {
        notice!(
            "other users see it now; its tokens come with the client's credentials, no one authorizes it"
        );
    }
    Ok(())
}

/// The `[apps.NAME]` item of a definitions text.
fn source_item(text: &str, name: &str) -> Result<Item> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Other(e.message().to_owned()))?;
    let mut item = doc
        .get("apps")
        .and_then(|apps| apps.get(name))
        .cloned()
        .ok_or_else(|| Error::Other(format!("`apps.{name}` is not a table")))?;
    if let Some(t) = item.as_inline_table().cloned() {
        item = Item::Table(t.into_table());
    }
    Ok(item)
}

/// The `apps` table of a document, made when missing.
fn apps_table(doc: &mut DocumentMut) -> Result<&mut dyn toml_edit::TableLike> {
    doc.entry("apps")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_like_mut()
        .ok_or_else(|| Error::Usage("`apps` in the configuration is not a table".into()))
}

pub fn rename(ctx: &Ctx, name: &str, new_name: &str, team: bool) -> Result<()> {
    crate::app::check_name(new_name).map_err(Error::Usage)?;
    let config = ctx.load_for_writing()?;
    if team {
        require_team(ctx, &config, "--team")?;
    }
    let taken = config.apps.iter().any(|a| a.name == new_name)
        || config.broken.iter().any(|b| b.name == new_name);
    if taken {
        return Err(Error::Usage(format!(
            "an application named `{new_name}` already exists; choose another name"
        )));
    }
    let twice = config
        .broken
        .iter()
        .any(|b| b.name == name && matches!(b.why, Why::Twice { .. }));
    let place = match (team, twice) {
        (true, _) => Place::Team,
        (false, true) => Place::Personal,
        (false, false) => config.app(name)?.place,
    };
    let id = edit_in_place(
        ctx,
        &config,
        name,
        place,
        |there, doc| {
            let id = there.app(name)?.id.clone();
            let apps = apps_table(doc)?;
            let item = apps
                .remove(name)
                .ok_or_else(|| Error::Other(format!("`apps.{name}` is not a table")))?;
            apps.insert(new_name, item);
            Ok(id)
        },
        |_| Ok(()),
    )?;
    Index::update(&ctx.state_dir, |index| {
        for record in index.accounts.values_mut() {
            if record.app_id == id {
                record.app_name = new_name.to_owned();
            }
        }
    })?;
    notice!(
        "renamed `{name}` to `{new_name}` in {} (id {id}: its secrets and tokens stay with it)",
        place_name(ctx, &config, place)
    );
    notice!(
        "commands and set-ups that name `{name}` (scripts, `outbound setup-git`, kubeconfig, MCP clients) need `{new_name}` now"
    );
    Ok(())
}
