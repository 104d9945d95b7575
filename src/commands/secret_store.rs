//! `outbound store migrate --to BACKEND`: move this user's secrets between stores.

use super::Ctx;
use crate::commands::output::{notice, warning};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::Backend;
use crate::store::postgres::schema;

/// `outbound store init`: the team store's schema, roles and policies.
pub fn init(ctx: &Ctx, group: &str, admins: &str) -> Result<()> {
    schema::check_role("--group", group).map_err(Error::Usage)?;
    schema::check_role("--admin-group", admins).map_err(Error::Usage)?;
    if group == admins {
        return Err(Error::Usage(
            "--admin-group: name a role other than --group (administrators are members of both)"
                .into(),
        ));
    }
    let config = crate::config::Config::load(&ctx.config_path)?;
    let pg = ctx.postgres(&config);
    let (before, after, stray) = pg.init(group, admins)?;
    if before == after {
        notice!(
            "{}: schema version {after} was already there; grants and policies for {group} and {admins} applied again",
            pg.label()
        );
    } else {
        notice!(
            "{}: schema version {before} -> {after}; {group} may use the store, {admins} may change applications",
            pg.label()
        );
    }
    if stray > 0 {
        warning!(
            "{} {} in the name of a role outside {admins} (shared before schema 2, when any member could, or written in another's name): the group still reads them, nobody can refresh them\n  fix: check them (SELECT app_id, account, owner FROM outbound_accounts WHERE shared), delete the ones nobody meant, and have an administrator authorize the others again with `outbound authorize APP --shared`",
            crate::text::count(stray as usize, "shared account"),
            crate::text::agree(stray as usize, "is", "are")
        );
    }
    notice!(
        "next: GRANT {group} TO each user role (GRANT {admins} TO administrators), and give every machine the same data key (openssl rand -base64 32)"
    );
    Ok(())
}

/// `outbound store rotate-key`: every row this role may change, sealed again with
/// the first key; machines keep reading with either key meanwhile.
pub fn rotate_key(ctx: &Ctx) -> Result<()> {
    let local = Config::load(&ctx.config_path)?;
    let pg = ctx.postgres(&local);
    let (resealed, left) = pg.rotate_key()?;
    notice!(
        "re-sealed {} in {} with data key {}",
        crate::text::count(resealed, "secret"),
        pg.label(),
        pg.current_key_id()?
    );
    if left > 0 {
        notice!(
            "{} still {} an older key and {} not this role's to change (application secrets: an administrator; personal accounts: their owners) — each runs `outbound store rotate-key` too; keep the old key on the second line until then",
            crate::text::count(left, "secret"),
            crate::text::agree(left, "uses", "use"),
            crate::text::agree(left, "is", "are")
        );
    }
    Ok(())
}

/// `outbound store set-password`: the database password into this machine's keyring,
/// under the database it is for.
pub fn set_password(ctx: &Ctx) -> Result<()> {
    let local = Config::load(&ctx.config_path)?;
    let pg = ctx.postgres(&local);
    if pg.label() == "the PostgreSQL database" {
        return Err(Error::Usage(
            "set OUTBOUND_DATABASE_URL (or database_url in the config file) to the database first"
                .into(),
        ));
    }
    let password = ctx.read_password_stdin("Database password")?;
    let key = crate::store::postgres::password_key(pg.label());
    crate::store::open_os_store().set(&key, &password)?;
    notice!(
        "the password for {} is in the keyring (entry `{key}` of service `outbound`)",
        pg.label()
    );
    Ok(())
}

/// `outbound store set-key`: the data key into this machine's keyring.
pub fn set_key(ctx: &Ctx) -> Result<()> {
    use std::io::Read;
    if ctx.interactive {
        crate::commands::output::say!("paste the data key (base64), then Ctrl-D:");
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::io("cannot read the data key from standard input", e))?;
    let key = crate::secret::Secret::new(text.trim());
    crate::store::seal::DataKeys::parse(key.expose(), "the key given").map_err(Error::Usage)?;
    crate::store::open_os_store().set(crate::store::STORE_KEY, &key)?;
    notice!("the data key is in the keyring (entry `store-key` of service `outbound`)");
    Ok(())
}

pub fn migrate(ctx: &Ctx, from: Option<Backend>, to: Backend) -> Result<()> {
    let local = crate::config::Config::load(&ctx.config_path)?;
    let from = from.unwrap_or_else(|| ctx.personal_backend(&local));
    if from == to {
        return Err(Error::Usage(format!(
            "--to {}: the secrets are already in the {} store (name the other one, or --from)",
            to.as_str(),
            from.as_str()
        )));
    }
    // The team store's applications are everyone's: they leave it one by one, by
    // an administrator's choice.
    if from == Backend::Postgres {
        let config = ctx.with_team().load_for_writing()?;
        let moves: Vec<String> = config
            .apps
            .iter()
            .filter(|a| a.place == crate::config::Place::Team)
            .map(|a| format!("outbound app move {} --to personal", a.name))
            .collect();
        return Err(Error::Usage(format!(
            "--from postgres: the team store's applications are everyone's, and leave it one at a time (an administrator's choice; their other users lose them)\n  fix: {}",
            if moves.is_empty() {
                "nothing to move: the team store defines no applications".to_owned()
            } else {
                moves.join("\n  or:  ")
            }
        )));
    }
    // Into the team store: each of the file's applications moves there, with its
    // secrets and this user's tokens (`app move`).
    if to == Backend::Postgres {
        let team = ctx.with_team();
        let config = team.load_for_writing()?;
        let names: Vec<String> = config
            .apps
            .iter()
            .filter(|a| a.place == crate::config::Place::Personal)
            .map(|a| a.name.clone())
            .collect();
        for name in &names {
            super::app::place::move_app(&team, name, crate::config::Place::Team, false)?;
        }
        notice!(
            "moved {} into {}",
            crate::text::count(names.len(), "application"),
            team.postgres(&config).label()
        );
        if !ctx.team_named(&local) {
            notice!(
                "to see them beside your own, name the team store at the top of {}: database_url = \"postgresql://USER@HOST:PORT/DB\" (or pass --store postgres)",
                ctx.config_path.display()
            );
        }
        return Ok(());
    }
    let config = ctx.load()?;
    // The file's applications: the team store's secrets stay where they are.
    let apps: Vec<crate::app::App> = config
        .apps
        .iter()
        .filter(|a| a.place == crate::config::Place::Personal)
        .cloned()
        .collect();
    let (source, target) = (ctx.open_store(from, &config), ctx.open_store(to, &config));
    let moved = crate::tokens::migrate(source.as_ref(), target.as_ref(), &ctx.state_dir, &apps)?;
    notice!(
        "moved {} and the tokens of {} from the {} store to the {} store",
        crate::text::count(moved.client_secrets as usize, "client secret"),
        crate::text::count(moved.accounts as usize, "account"),
        from.as_str(),
        to.as_str()
    );
    let where_set = if config.store == Some(from) {
        format!(
            "change `store = \"{}\"` to `store = \"{}\"` in {} (it applies to everyone who uses that file), or pass --store {} / set OUTBOUND_STORE={}",
            from.as_str(),
            to.as_str(),
            config.path.display(),
            to.as_str(),
            to.as_str()
        )
    } else {
        format!(
            "pass --store {0} or set OUTBOUND_STORE={0} (or put `store = \"{0}\"` at the top of {1})",
            to.as_str(),
            config.path.display()
        )
    };
    notice!("use it from now on: {where_set}");
    Ok(())
}
