//! Locate, load and atomically save the configuration file.
//!
//! Reading goes through serde (typed, positioned errors) and [`crate::app::validate`];
//! writing goes through `toml_edit` so a user's comments, order and formatting
//! survive. A file that fails to parse or validate is never rewritten, and a change
//! is saved only when the new text validates too.

use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use crate::app::Backend;
use crate::app::{self, App, FieldError, RawConfig};
use crate::error::{ConfigError, Error, Result};
use crate::fsutil;

/// The configuration file in use and the apps it defines, in file order.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    pub store: Option<Backend>,
    /// `audit = true`: every token use is logged (see `outbound audit`).
    pub audit: bool,
    /// `database_url`: the team store (`store = "postgres"`); never with a password.
    pub database_url: Option<String>,
    /// `store_key_command`: prints the team store's data key.
    pub store_key_command: Option<String>,
    pub apps: Vec<App>,
    /// Applications that cannot be used as written (see [`Config::load`]) or whose
    /// name both places use: the others work; using one of these is its error.
    pub broken: Vec<Broken>,
    /// The team store, when this configuration names one: its applications are in
    /// `apps` beside the file's, each with [`Place::Team`].
    pub team: Option<Team>,
}

pub use crate::app::Place;

/// The team store a configuration names beside its own applications.
#[derive(Debug)]
pub struct Team {
    /// What messages call it (the database, without a password).
    pub label: PathBuf,
    /// Why its applications could not be read, when they could not: the file's
    /// still work, and naming an application that is not there is this error.
    pub unavailable: Option<(String, u8)>,
}

/// An application set aside when reading.
#[derive(Debug)]
pub struct Broken {
    pub name: String,
    pub why: Why,
}

/// Why an application is set aside.
#[derive(Debug)]
pub enum Why {
    /// Its table does not validate (writing the file is refused until it does).
    Invalid(ConfigError),
    /// The file and the team store both define this name; `same_id` when they are
    /// one application (an `app move` cut short).
    Twice {
        team: PathBuf,
        same_id: bool,
        /// A name neither place uses, for the printed rename.
        free: String,
    },
}

impl Broken {
    /// The error of using it.
    pub fn error(&self, file: &Path) -> Error {
        match &self.why {
            Why::Invalid(e) => ConfigError {
                file: e.file.clone(),
                position: e.position,
                message: e.message.clone(),
            }
            .into(),
            Why::Twice {
                team,
                same_id,
                free,
            } => {
                let name = &self.name;
                let fix = if *same_id {
                    format!(
                        "finish the move that was cut short (both are one application): `outbound app move {name} --to team`, or `outbound app move {name} --to personal` to keep it yours"
                    )
                } else {
                    format!(
                        "give yours another name: `outbound app rename {name} {free}` (its tokens stay bound to it), or delete it: `outbound app delete {name} --personal`"
                    )
                };
                Error::Twice {
                    name: name.clone(),
                    file: file.to_path_buf(),
                    team: team.clone(),
                    fix,
                }
            }
        }
    }

    /// Whether its file can still be written (a name used twice does not stop it).
    pub fn blocks_writing(&self) -> bool {
        matches!(self.why, Why::Invalid(_))
    }
}

/// Application definitions kept somewhere other than the configuration file (the
/// team store): one TOML text of `[apps.NAME]` tables, read and changed as a whole.
pub trait AppDocuments {
    /// What messages call it, in place of a file name.
    fn label(&self) -> &Path;
    fn read(&self) -> Result<String>;
    /// Runs `edit` on the current text with writers excluded, saves the document it
    /// returns, and commits once `before_commit` has passed; nothing is saved when
    /// either fails.
    fn write(
        &self,
        edit: &mut dyn FnMut(&str) -> Result<DocumentMut>,
        before_commit: &mut dyn FnMut() -> Result<()>,
    ) -> Result<()>;
}

/// Where application definitions are changed.
pub enum Target<'a> {
    File(&'a Path),
    Documents(&'a dyn AppDocuments),
}

/// Why a text is not a usable configuration.
#[derive(Debug)]
pub struct ParseError {
    pub error: ConfigError,
    /// Set when one application's field is at fault.
    pub invalid: Option<Invalid>,
    /// Where in the text the fault is, when known (a byte offset).
    pub offset: Option<usize>,
}

/// A validation error tied to one application's field, kept apart so a command that
/// was editing that app can report it against the flag the user typed.
#[derive(Debug)]
pub struct Invalid {
    pub app: String,
    pub field: FieldError,
}

impl Config {
    /// Loads `path` for reading; a file that does not exist yet is an empty
    /// configuration. One application's table that does not validate does not stop
    /// the others (a shared file has many owners): it is set aside in
    /// [`Config::broken`], said once as a warning, and using it is its error (exit
    /// 3). A file that is not TOML, or whose fault is outside the applications, is
    /// refused whole. Writing never goes through here: it refuses a file it cannot
    /// fully read ([`edit`]).
    pub fn load(path: &Path) -> Result<Config> {
        let text = read_text(path)?;
        Config::parse_sparing(path, &text).map_err(|e| e.error.into())
    }

    /// [`Config::parse`], setting aside each application whose own table is at fault:
    /// its lines are blanked (line and column of the rest stay as they are) and the
    /// text is parsed again.
    pub fn parse_sparing(path: &Path, text: &str) -> std::result::Result<Config, Box<ParseError>> {
        // A file that loads whole is the common case: parsed once (a second parse only
        // to check the syntax first doubled the time of 10,000 apps; BENCHMARKS.md).
        let first = match Config::parse(path, text) {
            Ok(config) => return Ok(config),
            Err(e) => e,
        };
        // Not TOML at all (a syntax error, a key given twice): the whole file is
        // refused, with the usual positioned error.
        if toml::from_str::<toml::Table>(text).is_err() {
            return Err(first);
        }
        let mut current = text.to_owned();
        let mut broken: Vec<Broken> = Vec::new();
        loop {
            let e = match Config::parse(path, &current) {
                Ok(mut config) => {
                    for b in &broken {
                        crate::warnings::push(format!(
                            "`{}` is set aside, the other applications work: {}",
                            b.name,
                            b.error(path)
                        ));
                    }
                    config.broken = broken;
                    return Ok(config);
                }
                Err(e) => e,
            };
            let culprit = match &e.invalid {
                Some(invalid) => Some(invalid.app.clone()),
                None => e.offset.and_then(|at| app_at(&current, at)),
            };
            let Some(name) = culprit.filter(|n| !broken.iter().any(|b| &b.name == n)) else {
                return Err(e);
            };
            let regions = app_regions(&current, &name);
            if regions.is_empty() {
                return Err(e);
            }
            for range in regions {
                blank(&mut current, range);
            }
            broken.push(Broken {
                name,
                why: Why::Invalid(e.error),
            });
        }
    }

    /// Parses and validates `text` (the contents of `path`).
    pub fn parse(path: &Path, text: &str) -> std::result::Result<Config, Box<ParseError>> {
        let fail = |position, message, invalid| {
            Box::new(ParseError {
                error: ConfigError {
                    file: path.to_path_buf(),
                    position,
                    message,
                },
                invalid,
                offset: None,
            })
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let position = e.span().map(|s| line_col(text, s.start));
            let mut error = fail(position, unknown_field_hint(e.message().trim()), None);
            error.offset = e.span().map(|s| s.start);
            error
        })?;
        let mut apps = Vec::with_capacity(raw.apps.len());
        for (name, raw_app) in raw.apps {
            let app = app::validate(&name, *raw_app).map_err(|field| {
                let position = field.span.as_ref().map(|s| line_col(text, s.start));
                let message = format!("apps.{name}.{}: {}", field.field, field.message);
                let offset = field.span.as_ref().map(|s| s.start);
                let invalid = Invalid {
                    app: name.clone(),
                    field,
                };
                let mut error = fail(position, message, Some(invalid));
                error.offset = offset;
                error
            })?;
            apps.push(app);
        }
        let mut ids = std::collections::HashMap::with_capacity(apps.len());
        for a in &apps {
            if let Some(first) = ids.insert(a.id.as_str(), a.name.as_str()) {
                let message = format!(
                    "apps.{}.id: the same id as apps.{first}; every application needs its own (delete the copied `id` line and run `outbound app edit {}` to get a new one)",
                    a.name, a.name
                );
                return Err(fail(None, message, None));
            }
        }
        if let Some(url) = &raw.database_url
            && url::Url::parse(url).is_ok_and(|u| u.password().is_some())
        {
            let message = "database_url: a password does not belong in the configuration file; put it in ~/.pgpass (0600) or PGPASSWORD, or give the whole URL in OUTBOUND_DATABASE_URL".to_owned();
            return Err(fail(None, message, None));
        }
        Ok(Config {
            path: path.to_path_buf(),
            store: raw.store,
            audit: raw.audit.unwrap_or(false),
            database_url: raw.database_url,
            store_key_command: raw.store_key_command,
            apps,
            broken: Vec::new(),
            team: None,
        })
    }

    /// This configuration with the team store's applications (`text`, its document,
    /// named `label`) beside the file's. A name both define is set aside (see
    /// [`Why::Twice`]): neither is used until one goes.
    pub fn with_team_apps(mut self, label: &Path, text: &str) -> Result<Config> {
        let shared = Config::parse(label, text).map_err(|e| Error::from(e.error))?;
        let team_names: Vec<String> = shared.apps.iter().map(|a| a.name.clone()).collect();
        for mut app in shared.apps {
            app.place = Place::Team;
            if let Some(at) = self.apps.iter().position(|a| a.name == app.name) {
                let mine = self.apps.remove(at);
                let taken = |n: &str| {
                    team_names.iter().any(|t| t == n)
                        || self.apps.iter().any(|a| a.name == n)
                        || self.broken.iter().any(|b| b.name == n)
                };
                let free = std::iter::once(format!("{}-personal", app.name))
                    .chain((2..).map(|i| format!("{}-personal-{i}", app.name)))
                    .find(|n| !taken(n))
                    .unwrap_or_default();
                let broken = Broken {
                    name: app.name.clone(),
                    why: Why::Twice {
                        team: label.to_path_buf(),
                        same_id: mine.id == app.id,
                        free,
                    },
                };
                crate::warnings::push(format!(
                    "`{}` is set aside, the other applications work: {}",
                    app.name,
                    broken.error(&self.path)
                ));
                self.broken.push(broken);
                continue;
            }
            self.apps.push(app);
        }
        self.team = Some(Team {
            label: label.to_path_buf(),
            unavailable: None,
        });
        Ok(self)
    }

    /// This configuration when its team store (`label`) cannot be read (`error`):
    /// the file's applications work, and naming another is that error.
    pub fn without_team(mut self, label: &Path, error: &Error) -> Config {
        crate::warnings::push(format!(
            "the team store's applications are unavailable, yours work: {error}"
        ));
        self.team = Some(Team {
            label: label.to_path_buf(),
            unavailable: Some((error.to_string(), error.exit_code())),
        });
        self
    }

    pub fn app(&self, name: &str) -> Result<&App> {
        if let Some(b) = self.broken.iter().find(|b| b.name == name) {
            return Err(b.error(&self.path));
        }
        self.apps
            .iter()
            .find(|a| a.name == name)
            .ok_or_else(|| self.unknown(name))
    }

    /// Where `app` is defined: this file, or the team store's label.
    pub fn home(&self, app: &App) -> &Path {
        match (&app.place, &self.team) {
            (Place::Team, Some(team)) => &team.label,
            _ => &self.path,
        }
    }

    /// Where this configuration's applications are: the file, and the team store
    /// when one is named (what "no applications in …" says).
    pub fn places(&self) -> String {
        match &self.team {
            Some(team) => format!(
                "{} or the team store {}",
                self.path.display(),
                team.label.display()
            ),
            None => self.path.display().to_string(),
        }
    }

    /// Whether this configuration names a team store whose applications it has.
    pub fn has_team(&self) -> bool {
        self.team.as_ref().is_some_and(|t| t.unavailable.is_none())
    }

    /// The first application set aside, as the error of the whole file: what a
    /// command over every application (`app list`, `status`) ends with after saying
    /// what works; then the team store that could not be read.
    pub fn broken_error(&self) -> Option<Error> {
        if let Some(b) = self.broken.first() {
            return Some(b.error(&self.path));
        }
        let (message, code) = self.team.as_ref()?.unavailable.clone()?;
        Some(Error::TeamUnavailable { message, code })
    }

    /// What stops writing this file: an application whose table does not validate.
    pub fn unwritable(&self) -> Option<Error> {
        self.broken
            .iter()
            .find(|b| b.blocks_writing())
            .map(|b| b.error(&self.path))
    }

    pub fn unknown(&self, name: &str) -> Error {
        if let Some((message, code)) = self.team.as_ref().and_then(|t| t.unavailable.clone()) {
            return Error::TeamUnavailable {
                message: format!(
                    "no application named `{name}` in {}, and the team store's could not be read: {message}",
                    self.path.display()
                ),
                code,
            };
        }
        let file = match &self.team {
            Some(team) if self.apps.iter().all(|a| a.place == Place::Team) => team.label.clone(),
            _ => self.path.clone(),
        };
        Error::UnknownApp {
            name: name.to_owned(),
            file,
            others: self.apps.iter().map(|a| a.name.clone()).collect(),
        }
    }
}

/// The `[apps.NAME]` (and `[apps.NAME.…]`) tables of `text`, as byte ranges from
/// their header to the next header that is not theirs. Only tables with headers are
/// found: an application written inline is not set aside (its fault stops the file).
fn app_regions(text: &str, name: &str) -> Vec<std::ops::Range<usize>> {
    let mut regions = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(key) = header_key(line) {
            let ours = header_app(&key).is_some_and(|n| n == name);
            match (ours, open) {
                (true, None) => open = Some(at),
                (false, Some(start)) => {
                    regions.push(start..at);
                    open = None;
                }
                _ => {}
            }
        }
        at += line.len();
    }
    if let Some(start) = open {
        regions.push(start..text.len());
    }
    regions
}

/// The application whose table holds byte `offset` of `text`, if any.
fn app_at(text: &str, offset: usize) -> Option<String> {
    let mut current: Option<String> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(key) = header_key(line) {
            current = header_app(&key);
        }
        if offset < at + line.len() {
            return current;
        }
        at += line.len();
    }
    None
}

/// The key of a table header line (`[apps.x]`, `[[a.b]]`), without brackets.
fn header_key(line: &str) -> Option<String> {
    let line = line.trim();
    let inner = line
        .strip_prefix("[[")
        .and_then(|l| l.split_once("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|l| l.split_once(']')))?
        .0;
    Some(inner.trim().to_owned())
}

/// `NAME` of a header key `apps.NAME` or `apps.NAME.…` (bare or quoted).
fn header_app(key: &str) -> Option<String> {
    let rest = key
        .strip_prefix("apps")?
        .trim_start()
        .strip_prefix('.')?
        .trim_start();
    let name = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"')?.0,
        None => rest.split('.').next()?.trim(),
    };
    (!name.is_empty()).then(|| name.to_owned())
}

/// Replaces `range` of `text` with spaces, keeping its line breaks.
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let blanked: String = text[range.clone()]
        .chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect();
    text.replace_range(range, &blanked);
}

fn read_text(path: &Path) -> Result<String> {
    let Some(bytes) = fsutil::read_if_exists(path).map_err(|e| {
        Error::io(
            format!("cannot read the configuration file {}", path.display()),
            e,
        )
    })?
    else {
        return Ok(String::new());
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let position = line_col(&prefix, valid);
        ConfigError {
            file: path.to_path_buf(),
            position: Some(position),
            message: "the file is not valid UTF-8".into(),
        }
        .into()
    })
}

/// serde's "unknown field `scope`, expected one of `id`, `enabled`, … (31 names)"
/// as "unknown field `scope`: did you mean `scopes`?" when one name is close; the
/// whole list only when none is.
fn unknown_field_hint(message: &str) -> String {
    let Some((field, expected)) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once("`, expected "))
    else {
        return message.to_owned();
    };
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let closest = names
        .iter()
        .map(|name| (strsim::jaro_winkler(field, name), *name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((_, name)) => format!("unknown field `{field}`: did you mean `{name}`?"),
        None => format!("unknown field `{field}`: not a setting here; the settings are {expected}"),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Changes the configuration file under its cross-process lock (on its directory): load (refusing a
/// broken file), let `change` edit the document, validate the result, write it
/// atomically. Nothing is written when `change` fails or the result is invalid.
pub fn edit<T>(
    path: &Path,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
) -> std::result::Result<T, EditError> {
    edit_staged(path, change, |_| Ok(()))
}

/// [`edit`], with `before_commit` run once the new file is written and synced beside
/// the old one (so the write is known to be possible) and before it replaces it,
/// under the same lock. When `before_commit` fails, the file is left as it was.
pub fn edit_staged<T>(
    path: &Path,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> std::result::Result<T, EditError> {
    edit_in(Target::File(path), change, before_commit)
}

/// [`edit_staged`] for either target: a file, or application documents elsewhere.
pub fn edit_in<T>(
    target: Target,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> std::result::Result<T, EditError> {
    let docs = match target {
        Target::File(path) => return edit_file(path, change, before_commit),
        Target::Documents(docs) => docs,
    };
    let label = docs.label().to_path_buf();
    let mut change = Some(change);
    let mut before_commit = Some(before_commit);
    let value = std::cell::RefCell::new(None);
    let mut invalid = None;
    let outcome = docs.write(
        &mut |text| {
            let config = Config::parse(&label, text).map_err(|e| Error::from(e.error))?;
            let mut doc = parse_document(&label, text)?;
            let change = change
                .take()
                .ok_or_else(|| Error::Other("an edit ran twice".into()))?;
            *value.borrow_mut() = Some(change(&config, &mut doc)?);
            if let Err(e) = Config::parse(&label, &doc.to_string()) {
                let message = e.error.to_string();
                invalid = Some(e);
                return Err(Error::Other(message));
            }
            Ok(doc)
        },
        &mut || match (before_commit.take(), value.borrow().as_ref()) {
            (Some(f), Some(v)) => f(v),
            _ => Ok(()),
        },
    );
    match (outcome, invalid) {
        (_, Some(parse)) => Err(EditError::Invalid(parse)),
        (Err(e), None) => Err(EditError::Failed(e)),
        (Ok(()), None) => value
            .into_inner()
            .ok_or_else(|| EditError::Failed(Error::Other("the edit did not run".into()))),
    }
}

fn parse_document(path: &Path, text: &str) -> Result<DocumentMut> {
    text.parse().map_err(|e: toml_edit::TomlError| {
        Error::from(ConfigError {
            file: path.to_path_buf(),
            position: e.span().map(|s| line_col(text, s.start)),
            message: e.message().to_owned(),
        })
    })
}

fn edit_file<T>(
    path: &Path,
    change: impl FnOnce(&Config, &mut DocumentMut) -> Result<T>,
    before_commit: impl FnOnce(&T) -> Result<()>,
) -> std::result::Result<T, EditError> {
    let _lock = fsutil::lock_directory_of(path).map_err(|e| {
        Error::io(
            format!(
                "cannot lock the directory of {} (writers of the configuration take turns there)",
                path.display()
            ),
            e,
        )
    })?;
    let text = read_text(path)?;
    let config = Config::parse(path, &text).map_err(|e| Error::from(e.error))?;
    let mut doc = parse_document(path, &text)?;
    let value = change(&config, &mut doc)?;
    let new_text = doc.to_string();
    Config::parse(path, &new_text).map_err(EditError::Invalid)?;
    let cannot_write = |e| {
        Error::io(
            format!("cannot write the configuration file {}", path.display()),
            e,
        )
    };
    let prepared = fsutil::prepare_atomic(path, new_text.as_bytes()).map_err(cannot_write)?;
    before_commit(&value)?;
    prepared.commit().map_err(cannot_write)?;
    Ok(value)
}

/// Each application of `doc` as (id, name, its own `[apps.NAME]` text).
pub fn app_fragments(doc: &toml_edit::DocumentMut) -> Vec<(String, String, String)> {
    let Some(apps) = doc.get("apps").and_then(|a| a.as_table_like()) else {
        return Vec::new();
    };
    apps.iter()
        .filter_map(|(name, item)| {
            let table = item.as_table_like()?;
            let id = table.get("id")?.as_str()?.to_owned();
            let mut one = toml_edit::DocumentMut::new();
            let mut outer = toml_edit::Table::new();
            outer.set_implicit(true);
            let mut item = item.clone();
            if let Some(t) = item.as_inline_table().cloned() {
                item = toml_edit::Item::Table(t.into_table());
            }
            outer.insert(name, item);
            one.insert("apps", toml_edit::Item::Table(outer));
            let mut text = one.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Some((id, name.to_owned(), text))
        })
        .collect()
}

/// Why [`edit`] did not save.
#[derive(Debug)]
pub enum EditError {
    /// Loading, the change itself, or writing failed.
    Failed(Error),
    /// The change would have made the file invalid; nothing was written.
    Invalid(Box<ParseError>),
}

impl From<Error> for EditError {
    fn from(e: Error) -> Self {
        EditError::Failed(e)
    }
}

/// The default configuration file: `$XDG_CONFIG_HOME/outbound/apps.toml`.
pub fn default_config_path() -> Result<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("outbound").join("apps.toml"))
}

/// The default state directory: `$XDG_STATE_HOME/outbound`.
pub fn default_state_dir() -> Result<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state").map(|d| d.join("outbound"))
}

fn xdg_dir(var: &str, fallback: &str) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map(|h| h.join(fallback))
        .ok_or_else(|| {
            Error::Usage(format!(
                "neither {var} nor HOME is set; pass --config FILE and set OUTBOUND_STATE_DIR"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("a\nbc\nd", 0), (1, 1));
        assert_eq!(line_col("a\nbc\nd", 3), (2, 2));
        assert_eq!(line_col("a\nbc\nd", 5), (3, 1));
        assert_eq!(line_col("é\né", 3), (2, 1));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = Config::parse(Path::new("f.toml"), "a = 1\n[apps.x\n")
            .unwrap_err()
            .error;
        assert_eq!(err.position.map(|p| p.0), Some(2));
        assert!(err.to_string().starts_with("f.toml:2:"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused_with_a_position() {
        let text = "[apps.x]\nid = \"a\"\nclient_idd = \"c\"\n";
        let err = Config::parse(Path::new("f.toml"), text).unwrap_err().error;
        assert_eq!(err.position.map(|p| p.0), Some(3), "{err}");
        assert!(err.message.contains("client_idd"), "{err}");
        assert!(err.message.ends_with("did you mean `client_id`?"), "{err}");
        let text = "[apps.x]\nid = \"a\"\nscope = [\"a\"]\n";
        let err = Config::parse(Path::new("f.toml"), text).unwrap_err().error;
        assert!(err.message.ends_with("did you mean `scopes`?"), "{err}");
        let err = Config::parse(Path::new("f.toml"), "[apps.x]\nzzz = 1\n")
            .unwrap_err()
            .error;
        assert!(err.message.contains("not a setting here"), "{err}");
        assert!(err.message.contains("`client_id`"), "{err}");
    }

    #[test]
    fn apps_keep_file_order_and_ids_must_differ() {
        let app = |n: &str, id: &str| {
            format!(
                "[apps.{n}]\nid = \"{id}\"\nclient_id = \"c\"\nclient_auth = \"none\"\ngrant = \"client_credentials\"\ntoken_url = \"https://e.com/t\"\n"
            )
        };
        let text = format!("{}{}", app("zeta", "1"), app("alpha", "2"));
        let cfg = Config::parse(Path::new("f"), &text).unwrap();
        let names: Vec<_> = cfg.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha"]);
        let text = format!("{}{}", app("zeta", "1"), app("alpha", "1"));
        let err = Config::parse(Path::new("f"), &text).unwrap_err().error;
        assert!(err.message.contains("same id"), "{err}");
    }
}
