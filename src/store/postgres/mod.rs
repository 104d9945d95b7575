//! The team store: application definitions, their secrets, and every account's
//! tokens and state in PostgreSQL, shared by every machine that has the database URL
//! and the data key.
//!
//! The client is `postgres` (the blocking face of `tokio-postgres`): the rest of the
//! token path is blocking, one connection per process is all a command needs, and it
//! brings no query builder or compile-time database. TLS is rustls (the process's
//! one TLS stack) through `tokio-postgres-rustls`. Every secret is sealed on this
//! machine before it is written ([`super::seal`]); the database never sees one in
//! clear. Who may read what is the database's job: the row-level security policies
//! of [`schema`].
//!
//! The connection is opened on first use, so `app list` on a machine without the
//! data key works, and a command that needs neither opens nothing.

mod connect;
pub mod schema;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use postgres::Client;
use postgres::types::Type;

use super::seal::{DataKeys, OpenError, Place};
use super::{Backend, LeaseGuard, SecretStore, SharedRecord, SharedState, StoreError};
use crate::secret::Secret;

pub use connect::{Settings, password_key};

/// The PostgreSQL store; cheap to clone (one connection per process).
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    conn: Mutex<Option<Conn>>,
    keys: OnceLock<Result<DataKeys, connect::NoDataKey>>,
    /// The (app, account) leases this process holds, by holder text.
    held: Mutex<HashSet<(String, String)>>,
    /// What each account looked like when this process took its lease, for the
    /// fenced writes of [`LeaseGuard`]; from the lease until its guard is dropped.
    fences: Mutex<HashMap<(String, String), Fence>>,
    holder: String,
    /// Which row of (app, account) this process means, where a command said so.
    aims: Mutex<Aims>,
    /// How many times the connection has been used: a [`ReadAhead`] is good only
    /// until the next use.
    uses: AtomicU64,
    read_ahead: Mutex<Option<ReadAhead>>,
    /// Application names by id, as this command loaded them: messages name an
    /// application as people know it, not by its id.
    names: Mutex<HashMap<String, String>>,
}

/// An account as [`PgStore::shared_state`] just read it, kept for the read of its
/// token that comes next: `token` (through `tokens::check_usable` and then the token
/// itself) asks both, one after the other, and one statement answers both. It is
/// taken by that read alone, and only when nothing else used the connection in
/// between (a lease, a write, another thread's read: all count) and within
/// [`READ_AHEAD_FOR`]; otherwise the token is read from the database again.
struct ReadAhead {
    app_id: String,
    account: String,
    /// The value of `uses` when it was read.
    at_use: u64,
    at: Instant,
    read: Option<AccountRow>,
}

/// How long a [`ReadAhead`] serves (a `token` reads its token microseconds later).
const READ_AHEAD_FOR: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Aims {
    by_account: HashMap<(String, String), Aim>,
    /// For every account without one of its own (`store migrate`: personal only).
    all: Option<Aim>,
}

/// Which of (app, account)'s rows a command means. Personal and shared accounts
/// are different accounts: one never stands in for the other on a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// This role's own account, never a shared one (`authorize`, `store migrate`).
    Personal,
    /// The account shared with the group (`authorize --shared`).
    Shared,
}

/// The row of (app, account) that an operation reads or writes.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    owner: String,
    shared: bool,
    /// Whether it is there yet (a write creates it, in this role's name).
    exists: bool,
}

/// Why no row of (app, account) can be the one a command means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Blocked {
    /// A personal one is meant, and this role's name holds a shared one.
    SharedInYourName,
    /// A shared one is meant, none exists, and this role's name holds a personal one.
    PersonalInYourName,
}

impl Blocked {
    fn error(self, account: &str) -> StoreError {
        let account = account.to_owned();
        match self {
            Blocked::SharedInYourName => StoreError::SharedInYourName { account },
            Blocked::PersonalInYourName => StoreError::PersonalInYourName { account },
        }
    }
}

/// One row of (app, account) as [`choose`] sees it.
#[derive(Debug, Clone)]
struct Seen {
    owner: String,
    shared: bool,
    /// Whether it holds tokens (a lease or a failure leaves a row without).
    has_token: bool,
}

/// Every row of (app, account) this role may see, with the account's state and its
/// token, in one statement. The filter repeats the read policy for roles that bypass
/// it (the owner).
const ACCOUNT_ROWS: &str =
    "SELECT a.owner, a.shared, a.needs_authorization, a.last_error, a.record,
         s.key_id, s.sealed
     FROM outbound_accounts a LEFT JOIN outbound_secrets s
       ON s.app_id = a.app_id AND s.account = a.account AND s.owner = a.owner
       AND s.shared = a.shared AND s.kind = 'token'
     WHERE a.app_id = $1 AND a.account = $2 AND (a.owner = current_user OR a.shared)
     ORDER BY a.owner";

/// One row of (app, account) as [`ACCOUNT_ROWS`] reads it.
#[derive(Debug, Clone)]
struct AccountRow {
    seen: Seen,
    needs_authorization: bool,
    last_error: Option<String>,
    record: Option<String>,
    /// The token's data key id and sealed bytes.
    token: Option<(String, Vec<u8>)>,
}

impl AccountRow {
    fn state(&self) -> SharedState {
        SharedState {
            needs_authorization: self.needs_authorization,
            last_error: self.last_error.clone(),
            inactive: self
                .record
                .as_deref()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
                .is_some_and(|v| v["inactive"] == true),
        }
    }
}

/// The definitions, in the order they were added (plain text: no parameters, so it
/// can go in the round trip that opens a connection).
const DEFINITIONS: &str = "SELECT definition FROM outbound_apps ORDER BY created_at, name";

/// Chooses among the rows of (app, account) this role may see: with no aim (using
/// and refreshing tokens), this role's personal account if it holds tokens, else a
/// shared one, else this role's (empty) personal row; a personal aim takes only this
/// role's personal row, a shared aim only a shared row. A row to create is always in
/// this role's (`user`'s) name.
fn choose(user: &str, aim: Option<Aim>, rows: &[Seen]) -> Result<Row, Blocked> {
    let mine = |shared: bool| rows.iter().find(|r| r.owner == user && r.shared == shared);
    let any_shared = mine(true).or_else(|| rows.iter().find(|r| r.shared));
    let found = |r: &Seen| Row {
        owner: r.owner.clone(),
        shared: r.shared,
        exists: true,
    };
    let new = |shared: bool| Row {
        owner: user.to_owned(),
        shared,
        exists: false,
    };
    match aim {
        Some(Aim::Personal) => match (mine(false), mine(true)) {
            (Some(row), _) => Ok(found(row)),
            (None, Some(_)) => Err(Blocked::SharedInYourName),
            (None, None) => Ok(new(false)),
        },
        Some(Aim::Shared) => match (any_shared, mine(false)) {
            (Some(row), _) => Ok(found(row)),
            (None, Some(_)) => Err(Blocked::PersonalInYourName),
            (None, None) => Ok(new(true)),
        },
        None => Ok(match (mine(false), any_shared) {
            (Some(personal), _) if personal.has_token => found(personal),
            (_, Some(shared)) => found(shared),
            (Some(personal), None) => found(personal),
            (None, None) => new(false),
        }),
    }
}

/// What an account looked like when this process took its refresh lease, kept up
/// to date with this process's own writes: a fenced write lands only if the row is
/// still so. The token's ciphertext serves as its version (each write seals with a
/// new random nonce).
#[derive(Debug, Clone)]
struct Fence {
    owner: String,
    shared: bool,
    sealed: Option<Vec<u8>>,
    needs_authorization: bool,
    /// Whether the lease is still this process's (its token write releases it).
    holding: bool,
}

/// The condition a fenced write adds to an update of its `outbound_accounts` row:
/// parameters $5 holding, $6 holder, $7 needs_authorization, $8 the token's sealed
/// bytes (NULL: no token).
const FENCED: &str = "AND (NOT $5 OR lease_holder = $6) AND needs_authorization = $7
     AND (SELECT s.sealed FROM outbound_secrets s WHERE s.app_id = outbound_accounts.app_id
          AND s.account = outbound_accounts.account AND s.owner = outbound_accounts.owner
          AND s.kind = 'token') IS NOT DISTINCT FROM $8";

/// The account name `authorize --shared` asks the database about: no account can
/// have it (names have no spaces), and the row is rolled back at once.
const SHARE_PROBE: &str = "may this role share?";

struct Conn {
    client: Client,
    user: String,
    /// Inside an application edit's transaction: secret writes join it.
    in_transaction: bool,
    /// This machine's clock against the database's, measured as it connected; None
    /// when the database gave no time.
    skew: Option<Skew>,
}

/// How far this machine's clock is from the database's, measured as a connection
/// opens. The team store keeps every time it holds (token expiry, when tokens were
/// obtained and refreshed, audit events) on the database's clock, so machines whose
/// clocks differ agree on when a token expires: each converts with its own skew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skew {
    /// Milliseconds the database's clock is ahead of this machine's (negative: behind).
    pub offset_ms: i64,
    /// The round trip it was measured over: the measure is good to half of it.
    pub round_trip_ms: u64,
}

impl Skew {
    /// From the database's time (Unix milliseconds) in the answer to a request sent
    /// at `sent` (this machine's clock) that took `round_trip`. The database read its
    /// clock somewhere between sending and receiving, so the offset lies between the
    /// two it would be then; the one nearest to none is taken: a clock that agrees
    /// with the database's is never taken for a skewed one because a round trip was
    /// slow (a busy machine), and a skewed one is measured to within the round trip.
    fn measured(database_ms: i64, sent: std::time::SystemTime, round_trip: Duration) -> Skew {
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let sent_ms = match sent.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => millis(after),
            Err(before) => -millis(before.duration()),
        };
        let received_ms = sent_ms.saturating_add(millis(round_trip));
        let (least, most) = (
            database_ms.saturating_sub(received_ms),
            database_ms.saturating_sub(sent_ms),
        );
        let offset_ms = if least > 0 {
            least
        } else if most < 0 {
            most
        } else {
            0
        };
        Skew {
            offset_ms,
            round_trip_ms: u64::try_from(round_trip.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Whole seconds to add to this machine's clock to read the database's (rounded:
    /// a clock within half a second of the database's is taken as equal to it).
    pub fn seconds(self) -> i64 {
        self.offset_ms.saturating_add(500).div_euclid(1000)
    }
}

/// One row of the store, by the store key it answers to.
struct Key<'a> {
    kind: &'a str,
    app_id: &'a str,
    /// `""` for what belongs to the application (client secret, keys).
    account: &'a str,
}

fn parse_key(key: &str) -> Key<'_> {
    let mut parts = key.splitn(3, '/');
    let kind = parts.next().unwrap_or_default();
    let app_id = parts.next().unwrap_or_default();
    let account = parts.next().unwrap_or_default();
    Key {
        kind,
        app_id,
        account,
    }
}

impl PgStore {
    pub fn new(settings: Settings) -> PgStore {
        let holder = format!(
            "{} pid {} #{:04x}",
            connect::hostname(),
            std::process::id(),
            random_u16()
        );
        PgStore {
            inner: Arc::new(Inner {
                settings,
                conn: Mutex::new(None),
                keys: OnceLock::new(),
                held: Mutex::new(HashSet::new()),
                fences: Mutex::new(HashMap::new()),
                holder,
                aims: Mutex::new(Aims::default()),
                uses: AtomicU64::new(0),
                read_ahead: Mutex::new(None),
                names: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Tells the store the applications' names (id, name), so that its messages
    /// name them as people do.
    pub fn know_names<'a>(&self, apps: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut names = self.inner.names.lock().unwrap_or_else(|p| p.into_inner());
        for (id, name) in apps {
            names.insert(id.to_owned(), name.to_owned());
        }
    }

    /// A secret's place in words: its kind, account and application (by name where
    /// this command knows it; by id for one deleted meanwhile).
    fn describe(&self, key: &Key) -> String {
        let app = match self
            .inner
            .names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key.app_id)
        {
            Some(name) => format!("application `{name}`"),
            None => format!("application id {}", key.app_id),
        };
        if key.account.is_empty() {
            format!("the {} of {app}", key.kind)
        } else {
            format!("the {} of account `{}` of {app}", key.kind, key.account)
        }
    }

    /// The database, as messages name it (no password).
    pub fn label(&self) -> &str {
        &self.inner.settings.label
    }

    /// How far this machine's clock is from the database's, as measured when this
    /// process connected (connecting first if it has not); None when the database
    /// gave no time.
    pub fn clock_skew(&self) -> Result<Option<Skew>, StoreError> {
        self.with(|c| Ok(c.skew))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Option<Conn>> {
        self.inner
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `op` on the connection, opening it first if needed. A connection that
    /// broke is dropped, so the next use reconnects.
    fn with<T>(
        &self,
        op: impl FnOnce(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.with_early(None, |c, _| op(c))
    }

    /// [`PgStore::with`], where a connection opened for `op` also runs `early` (a
    /// query without parameters) in the round trip that sets it up, and hands `op`
    /// its rows; on a connection already open `op` gets None.
    fn with_early<T>(
        &self,
        early: Option<&str>,
        op: impl FnOnce(&mut Conn, Option<Vec<postgres::SimpleQueryRow>>) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut guard = self.conn();
        self.inner.uses.fetch_add(1, Ordering::SeqCst);
        let mut early_rows = None;
        if guard.as_ref().is_none_or(|c| c.client.is_closed()) {
            let (conn, rows) = connect::open(&self.inner.settings, early)?;
            *guard = Some(conn);
            early_rows = rows;
        }
        let Some(conn) = guard.as_mut() else {
            return Err(self.unreachable("no connection"));
        };
        match op(conn, early_rows) {
            Ok(v) => Ok(v),
            Err(e) => {
                let closed = conn.client.is_closed() || e.as_db_error().is_none();
                if closed {
                    *guard = None;
                }
                Err(connect::classify(&self.inner.settings, e))
            }
        }
    }

    /// [`PgStore::with`] inside an open transaction: never reconnects, since a new
    /// connection would run the rest of the change outside it.
    fn in_tx<T>(
        &self,
        op: impl FnOnce(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut guard = self.conn();
        self.inner.uses.fetch_add(1, Ordering::SeqCst);
        let lost =
            || self.unreachable("the connection was lost during the change; nothing was saved");
        let Some(conn) = guard.as_mut() else {
            return Err(lost());
        };
        if conn.client.is_closed() || !conn.in_transaction {
            *guard = None;
            return Err(lost());
        }
        op(conn).map_err(|e| connect::classify(&self.inner.settings, e))
    }

    fn unreachable(&self, reason: &str) -> StoreError {
        StoreError::DatabaseUnreachable {
            database: self.label().to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn keys(&self) -> Result<&DataKeys, StoreError> {
        self.keys_for(None)
    }

    /// The data keys, or why there are none. When none is set on this machine and
    /// the team's secrets are sealed already (with `row_key`, or the key of the
    /// latest secret), a new key would open none of them: the message names the
    /// key that does and whom to ask for it, not how to make one.
    fn keys_for(&self, row_key: Option<&str>) -> Result<&DataKeys, StoreError> {
        let keys = self
            .inner
            .keys
            .get_or_init(|| connect::data_keys(&self.inner.settings));
        match keys {
            Ok(keys) => Ok(keys),
            Err(connect::NoDataKey::Missing(first)) => {
                let team_key = row_key.map(str::to_owned).or_else(|| {
                    self.with(|c| {
                        c.client.query_opt(
                            "SELECT key_id FROM outbound_secrets ORDER BY updated_at DESC LIMIT 1",
                            &[],
                        )
                    })
                    .ok()
                    .flatten()
                    .and_then(|r| r.try_get::<_, String>(0).ok())
                });
                let Some(id) = team_key else {
                    return Err(StoreError::NoDataKey {
                        reason: first.clone(),
                    });
                };
                let who = match self.administrators() {
                    Ok(Some(admins)) => admins.to_string(),
                    _ => "another administrator of the team store".to_owned(),
                };
                Err(StoreError::NoDataKey {
                    reason: format!(
                        "this machine has none, and the team's secrets are sealed with data key {id}\n  fix: ask {who} for that key (`outbound doctor` on their machine names the data key it holds); do not make a new one, it would open nothing sealed so far; then keep it here with `outbound store set-key < team.key`, or set OUTBOUND_STORE_KEY_FILE to a file holding it (mode 600), or store_key_command to a command that prints it"
                    ),
                })
            }
            Err(e) => Err(e.to_error()),
        }
    }

    fn open_row(&self, key: &Key, key_id: &str, sealed: &[u8]) -> Result<Secret, StoreError> {
        let place = Place {
            app_id: key.app_id,
            account: key.account,
            kind: key.kind,
        };
        self.keys_for(Some(key_id))?
            .open(key_id, sealed, &place)
            .map_err(|e| match e {
                OpenError::UnknownKey { row_key, ours } => StoreError::WrongDataKey {
                    what: self.describe(key),
                    row_key,
                    ours: ours.join(", "),
                },
                OpenError::Forged => StoreError::Undecryptable {
                    what: self.describe(key),
                },
            })
    }

    /// The row of (app, account) that this process means (see [`choose`]).
    fn resolve(
        conn: &mut Conn,
        app_id: &str,
        account: &str,
        aim: Option<Aim>,
    ) -> Result<Result<Row, Blocked>, postgres::Error> {
        Ok(Self::resolve_read(conn, app_id, account, aim)?.map(|(row, _)| row))
    }

    /// [`PgStore::resolve`], with what [`ACCOUNT_ROWS`] read of that row when it
    /// exists (its state and its token): one round trip (typed parameters: no
    /// separate statement to prepare).
    fn resolve_read(
        conn: &mut Conn,
        app_id: &str,
        account: &str,
        aim: Option<Aim>,
    ) -> Result<Result<(Row, Option<AccountRow>), Blocked>, postgres::Error> {
        let rows = conn.client.query_typed(
            ACCOUNT_ROWS,
            &[(&app_id, Type::TEXT), (&account, Type::TEXT)],
        )?;
        let rows: Vec<AccountRow> = rows
            .iter()
            .map(|r| {
                let key_id: Option<String> = r.get(5);
                let sealed: Option<Vec<u8>> = r.get(6);
                let token = key_id.zip(sealed);
                AccountRow {
                    seen: Seen {
                        owner: r.get(0),
                        shared: r.get(1),
                        has_token: token.is_some(),
                    },
                    needs_authorization: r.get(2),
                    last_error: r.get(3),
                    record: r.get(4),
                    token,
                }
            })
            .collect();
        let seen: Vec<Seen> = rows.iter().map(|r| r.seen.clone()).collect();
        Ok(choose(&conn.user, aim, &seen).map(|row| {
            let read = rows
                .into_iter()
                .find(|r| row.exists && r.seen.owner == row.owner && r.seen.shared == row.shared);
            (row, read)
        }))
    }

    /// What [`ACCOUNT_ROWS`] reads of the row of (app, account) this process means
    /// (None when there is none, or none it may have), and the connection's use it
    /// was read at.
    fn read_account(
        &self,
        app_id: &str,
        account: &str,
    ) -> Result<(Option<AccountRow>, u64), StoreError> {
        let aim = self.aim_of(app_id, account);
        self.with(|c| {
            let read = Self::resolve_read(c, app_id, account, aim)?
                .ok()
                .and_then(|(_, read)| read);
            Ok((read, self.inner.uses.load(Ordering::SeqCst)))
        })
    }

    /// Keeps what was read of (app, account) at the connection's use `at_use` for
    /// the read of its token that follows (see [`ReadAhead`]).
    fn keep_read_ahead(&self, app_id: &str, account: &str, read: Option<AccountRow>, at_use: u64) {
        *self
            .inner
            .read_ahead
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ReadAhead {
            app_id: app_id.to_owned(),
            account: account.to_owned(),
            at_use,
            at: Instant::now(),
            read,
        });
    }

    /// The account [`PgStore::shared_state`] read just now, if nothing used the
    /// connection since (see [`ReadAhead`]).
    fn take_read_ahead(&self, app_id: &str, account: &str) -> Option<Option<AccountRow>> {
        let kept = self
            .inner
            .read_ahead
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()?;
        (kept.app_id == app_id
            && kept.account == account
            && kept.at_use == self.inner.uses.load(Ordering::SeqCst)
            && kept.at.elapsed() < READ_AHEAD_FOR)
            .then_some(kept.read)
    }

    fn aim_of(&self, app_id: &str, account: &str) -> Option<Aim> {
        let aims = self
            .inner
            .aims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        aims.by_account
            .get(&(app_id.to_owned(), account.to_owned()))
            .copied()
            .or(aims.all)
    }

    /// From now on this process means `aim`'s row of (app, account), for reads and
    /// writes: `authorize` says which before anything is obtained. Checks at once that
    /// it can be had: a personal account whose name this role's shared one holds (or
    /// the reverse) is refused, and so is a shared one unless the database lets this
    /// role create shared accounts (its policies: members of the admin role), asked
    /// with a row that is rolled back.
    pub fn aim(&self, app_id: &str, account: &str, aim: Aim) -> Result<(), StoreError> {
        self.inner
            .aims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_account
            .insert((app_id.to_owned(), account.to_owned()), aim);
        let checked = self.with(|c| {
            if let Err(blocked) = Self::resolve(c, app_id, account, Some(aim))? {
                return Ok(Err(blocked));
            }
            if aim == Aim::Shared {
                let mut tx = c.client.transaction()?;
                tx.execute(
                    "INSERT INTO outbound_accounts (app_id, account, shared) VALUES ($1, $2, true)",
                    &[&app_id, &SHARE_PROBE],
                )?;
                tx.rollback()?;
            }
            Ok(Ok(()))
        });
        match checked {
            Ok(Ok(())) => Ok(()),
            Ok(Err(blocked)) => Err(blocked.error(account)),
            Err(StoreError::Denied { database, message }) => Err(StoreError::ShareDenied {
                database,
                account: account.to_owned(),
                message,
            }),
            Err(e) => Err(e),
        }
    }

    /// [`PgStore::aim`] for every account this process touches (`store migrate`
    /// moves a role's own accounts, never a shared one).
    pub fn aim_all(&self, aim: Aim) {
        self.inner
            .aims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .all = Some(aim);
    }

    /// Runs `op` on the row of (app, account) this process means; a refusal of the
    /// database names the account (exit 12), and a row that cannot be had (see
    /// [`Blocked`]) is an error when `writing`, and `op` gets None when reading.
    fn on_row<T>(
        &self,
        app_id: &str,
        account: &str,
        writing: bool,
        op: impl FnOnce(&mut Conn, Option<&Row>) -> Result<Result<T, StoreError>, postgres::Error>,
    ) -> Result<T, StoreError> {
        let aim = self.aim_of(app_id, account);
        let result = self.with(|c| match Self::resolve(c, app_id, account, aim)? {
            Ok(row) => op(c, Some(&row)),
            Err(blocked) if writing => Ok(Err(blocked.error(account))),
            Err(_) => op(c, None),
        });
        match result {
            Ok(inner) => inner,
            Err(StoreError::Denied { database, message }) if writing => {
                Err(StoreError::AccountDenied {
                    database,
                    account: account.to_owned(),
                    message,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// A row that changed between reading and writing it (another machine shared or
    /// removed it): nothing was written.
    fn changed(&self, account: &str) -> StoreError {
        StoreError::Database {
            database: self.label().to_owned(),
            message: format!(
                "account `{account}` changed while it was written (shared, or removed, from another machine); nothing was stored: run the command again"
            ),
        }
    }

    /// The application definitions (for [`crate::config`]).
    pub fn documents(&self) -> Documents {
        Documents {
            store: self.clone(),
            label: PathBuf::from(format!("{} (store = \"postgres\")", self.label())),
        }
    }

    /// `outbound store init`: applies the migrations this binary knows, then the
    /// grants and policies. Returns the schema version before and after, and how
    /// many shared accounts are in the name of a role outside `admins`.
    pub fn init(&self, group: &str, admins: &str) -> Result<(i32, i32, i64), StoreError> {
        connect::init(&self.inner.settings, group, admins)
    }

    /// The definitions' version: bumped by every change an administrator makes (the
    /// agent reads them again when it moved).
    pub fn apps_version(&self) -> Result<i64, StoreError> {
        self.with(|c| {
            Ok(c.client
                .query_one(
                    "SELECT version FROM outbound_apps_version WHERE id = 1",
                    &[],
                )?
                .get(0))
        })
    }

    /// Who may change applications, asked of the database: None when this role may
    /// (a member of the admin role, or a superuser), else the admin role and the
    /// login roles in it. The role is read from the policy `store init` put on
    /// `outbound_apps` (the one that lets administrators change it), so a store
    /// initialized with `--admin-group` is named as it was.
    pub fn administrators(&self) -> Result<Option<super::Administrators>, StoreError> {
        self.with(|c| {
            let qual: Option<String> = c
                .client
                .query_opt(
                    "SELECT qual FROM pg_policies WHERE schemaname = current_schema()
                         AND tablename = 'outbound_apps' AND policyname = 'outbound_admin'",
                    &[],
                )?
                .and_then(|r| r.try_get(0).ok().flatten());
            let role = qual
                .as_deref()
                .and_then(schema::admin_role_in)
                .unwrap_or_else(|| schema::DEFAULT_ADMINS.to_owned());
            // pg_has_role fails on a name that is no role: asked only of one that is.
            let row = c.client.query_one(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1::text)
                         THEN pg_has_role(current_user, $1::text, 'MEMBER') ELSE false END,
                     coalesce((SELECT array_agg(r.rolname::text ORDER BY r.rolname)
                         FROM pg_roles r
                         WHERE r.rolcanlogin AND NOT r.rolsuper
                           AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1::text)
                           AND pg_has_role(r.rolname, $1::text, 'MEMBER')), '{}')",
                &[&role],
            )?;
            // Unsure (a column of an unexpected type): treated as an administrator,
            // who is given the command, as before.
            let may: bool = row.try_get(0).unwrap_or(true);
            let members: Vec<String> = row.try_get(1).unwrap_or_default();
            Ok((!may).then_some(super::Administrators { role, members }))
        })
    }

    /// Removes application secrets whose application is gone (an `app add` killed
    /// before it committed, or a delete around outbound), older than ten minutes so
    /// an add in progress keeps its own; only an administrator's role may. Returns
    /// how many.
    pub fn prune_app_secrets(&self) -> Result<u64, StoreError> {
        self.with(|c| {
            c.client.execute(
                "DELETE FROM outbound_secrets s WHERE s.account = ''
                   AND s.updated_at < now() - interval '10 minutes'
                   AND NOT EXISTS (SELECT 1 FROM outbound_apps a WHERE a.id = s.app_id)",
                &[],
            )
        })
    }

    /// The id of the data key that seals.
    pub fn current_key_id(&self) -> Result<String, StoreError> {
        Ok(self.keys()?.current_id().to_owned())
    }

    /// Seals again with the current key every row this role may change that an
    /// older key sealed: (re-sealed, rows left under an older key).
    pub fn rotate_key(&self) -> Result<(usize, usize), StoreError> {
        let current = self.keys()?.current_id().to_owned();
        let rows = self.with(|c| {
            c.client.query(
                "SELECT app_id, account, kind, owner, key_id, sealed FROM outbound_secrets
                 WHERE key_id <> $1",
                &[&current],
            )
        })?;
        let mut resealed = 0;
        for row in &rows {
            let (app_id, account, kind, owner, key_id, sealed): (
                String,
                String,
                String,
                String,
                String,
                Vec<u8>,
            ) = (
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
            );
            let key = Key {
                kind: &kind,
                app_id: &app_id,
                account: &account,
            };
            let secret = self.open_row(&key, &key_id, &sealed)?;
            let place = Place {
                app_id: &app_id,
                account: &account,
                kind: &kind,
            };
            let (new_id, new_sealed) = self
                .keys()?
                .seal(&secret, &place)
                .map_err(|reason| StoreError::NoDataKey { reason })?;
            let n = self.with(|c| {
                c.client.execute(
                    "UPDATE outbound_secrets SET key_id = $6, sealed = $7
                     WHERE app_id = $1 AND account = $2 AND kind = $3 AND owner = $4 AND key_id = $5",
                    &[&app_id, &account, &kind, &owner, &key_id, &new_id, &new_sealed],
                )
            });
            match n {
                Ok(n) => resealed += n as usize,
                Err(StoreError::Denied { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let left = self.with(|c| {
            c.client.query_one(
                "SELECT count(*) FROM outbound_secrets WHERE key_id <> $1",
                &[&current],
            )
        })?;
        let left: i64 = left.get(0);
        Ok((resealed, usize::try_from(left).unwrap_or(0)))
    }

    /// Every account of `app_id` this role can see: (account, owner, shared).
    pub fn accounts(&self, app_id: &str) -> Result<Vec<(String, String, bool)>, StoreError> {
        self.with(|c| {
            let rows = c.client.query(
                "SELECT account, owner, shared FROM outbound_accounts WHERE app_id = $1
                 ORDER BY account, owner",
                &[&app_id],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })
    }

    /// Tries once to take the lease on (app, account); Some(previous holder) when it
    /// was taken over from a holder whose lease ran out.
    fn try_lease(
        &self,
        app_id: &str,
        account: &str,
        lease: Duration,
    ) -> Result<Attempt, StoreError> {
        let holder = self.inner.holder.clone();
        let secs = i32::try_from(lease.as_secs()).unwrap_or(i32::MAX);
        self.on_row(app_id, account, true, |c, row| {
            let Some(Row { owner, shared, .. }) = row else {
                return Ok(Err(self.changed(account)));
            };
            let before = c.client.query_opt(
                "SELECT lease_holder FROM outbound_accounts
                 WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                &[&app_id, &account, owner, shared],
            )?;
            // What the account is as the lease is taken: the fence of this
            // process's writes under it.
            let fence = |row: postgres::Row| Fence {
                owner: owner.clone(),
                shared: *shared,
                needs_authorization: row.get(0),
                sealed: row.get(1),
                holding: true,
            };
            // An update where the row is there: a shared account's row is another
            // role's, and an insert in its name is refused even when it would conflict.
            let taken = c.client.query_opt(
                "UPDATE outbound_accounts
                 SET lease_holder = $5, lease_until = now() + $6::int * interval '1 second'
                 WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4
                   AND (lease_until IS NULL OR lease_until < now())
                 RETURNING needs_authorization, (SELECT s.sealed FROM outbound_secrets s
                     WHERE s.app_id = $1 AND s.account = $2 AND s.owner = $3 AND s.kind = 'token')",
                &[&app_id, &account, owner, shared, &holder, &secs],
            )?;
            if let Some(taken) = taken {
                // A release always clears the holder: one still named just before we
                // took the lease had let it run out (or released it a moment ago, and
                // then the tokens it wrote are found fresh and nothing is refreshed).
                let expired_holder = before
                    .and_then(|row| row.get::<_, Option<String>>(0))
                    .filter(|h| *h != holder);
                return Ok(Ok(Attempt::Taken {
                    from: expired_holder,
                    fence: fence(taken),
                }));
            }
            let row = c.client.query_opt(
                "SELECT lease_holder, lease_until::text FROM outbound_accounts
                 WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                &[&app_id, &account, owner, shared],
            )?;
            if let Some(row) = row {
                let field = |i| row.get::<_, Option<String>>(i).unwrap_or_default();
                return Ok(Ok(Attempt::Held {
                    holder: field(0),
                    until: field(1),
                }));
            }
            // No row yet: one in this role's name (another role's shared row that
            // is gone is not ours to make again).
            if *owner != c.user {
                return Ok(Err(self.changed(account)));
            }
            let taken = c.client.query_opt(
                "INSERT INTO outbound_accounts (app_id, account, owner, shared, lease_holder, lease_until)
                 VALUES ($1, $2, $3, $4, $5, now() + $6::int * interval '1 second')
                 ON CONFLICT (app_id, account, owner) DO NOTHING
                 RETURNING needs_authorization, (SELECT s.sealed FROM outbound_secrets s
                     WHERE s.app_id = $1 AND s.account = $2 AND s.owner = $3 AND s.kind = 'token')",
                &[&app_id, &account, owner, shared, &holder, &secs],
            )?;
            Ok(Ok(match taken {
                Some(taken) => Attempt::Taken {
                    from: None,
                    fence: fence(taken),
                },
                // Another process made it a moment ago: the next try sees it.
                None => Attempt::Held {
                    holder: String::new(),
                    until: String::new(),
                },
            }))
        })
    }

    fn release(&self, app_id: &str, account: &str) {
        let key = (app_id.to_owned(), account.to_owned());
        self.fences().remove(&key);
        let held = self
            .inner
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&key);
        if held {
            let holder = self.inner.holder.clone();
            // Best effort: a lease that cannot be released runs out by itself.
            let _ = self.with(|c| {
                c.client.execute(
                    "UPDATE outbound_accounts SET lease_holder = NULL, lease_until = NULL
                     WHERE app_id = $1 AND account = $2 AND lease_holder = $3",
                    &[&app_id, &account, &holder],
                )
            });
        }
    }

    fn fences(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Fence>> {
        self.inner
            .fences
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fence(&self, app_id: &str, account: &str) -> Option<Fence> {
        self.fences()
            .get(&(app_id.to_owned(), account.to_owned()))
            .cloned()
    }

    /// [`LeaseGuard::confirm`]: renews the lease for a whole [`lease_length`] if it
    /// is still this process's and the account is as the fence saw it.
    fn confirm_lease(&self, app_id: &str, account: &str) -> Result<bool, StoreError> {
        let Some(fence) = self.fence(app_id, account).filter(|f| f.holding) else {
            return Ok(false);
        };
        let secs = i32::try_from(lease_length().as_secs()).unwrap_or(i32::MAX);
        let holder = self.inner.holder.clone();
        let n = self.with(|c| {
            c.client.execute(
                &format!(
                    "UPDATE outbound_accounts SET lease_until = now() + $9::int * interval '1 second'
                     WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4 {FENCED}"
                ),
                &[
                    &app_id,
                    &account,
                    &fence.owner,
                    &fence.shared,
                    &true,
                    &holder,
                    &fence.needs_authorization,
                    &fence.sealed,
                    &secs,
                ],
            )
        })?;
        if n != 1 {
            // Lost: another process holds it now, or let it go with its tokens.
            self.inner
                .held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&(app_id.to_owned(), account.to_owned()));
        }
        Ok(n == 1)
    }

    fn holds(&self, app_id: &str, account: &str) -> bool {
        self.inner
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&(app_id.to_owned(), account.to_owned()))
    }
}

enum Attempt {
    /// `from`: the holder whose lease ran out, if any.
    Taken {
        from: Option<String>,
        fence: Fence,
    },
    Held {
        holder: String,
        until: String,
    },
}

fn random_u16() -> u16 {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    u16::from_be_bytes(b)
}

impl SecretStore for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        let k = parse_key(key);
        if k.kind == crate::store::kinds::Kind::Tokens.declared().prefix && !k.account.is_empty() {
            let read = match self.take_read_ahead(k.app_id, k.account) {
                Some(read) => read,
                None => self.read_account(k.app_id, k.account)?.0,
            };
            return match read.and_then(|r| r.token) {
                Some((key_id, sealed)) => self.open_row(&k, &key_id, &sealed).map(Some),
                None => Ok(None),
            };
        }
        let select = |c: &mut Conn, owner: &str, shared: bool| {
            c.client.query_opt(
                "SELECT key_id, sealed FROM outbound_secrets
                 WHERE app_id = $1 AND account = $2 AND kind = $3 AND owner = $4 AND shared = $5",
                &[&k.app_id, &k.account, &k.kind, &owner, &shared],
            )
        };
        let row = if k.account.is_empty() {
            self.with(|c| select(c, "", false))?
        } else {
            self.on_row(k.app_id, k.account, false, |c, row| match row {
                Some(row) if row.exists => Ok(Ok(select(c, &row.owner, row.shared)?)),
                _ => Ok(Ok(None)),
            })?
        };
        let Some(row) = row else { return Ok(None) };
        let key_id: String = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        self.open_row(&k, &key_id, &sealed).map(Some)
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        let k = parse_key(key);
        let place = Place {
            app_id: k.app_id,
            account: k.account,
            kind: k.kind,
        };
        let (key_id, sealed) = self
            .keys()?
            .seal(secret, &place)
            .map_err(|reason| StoreError::NoDataKey { reason })?;
        let release_lease = k.kind == "token" && self.holds(k.app_id, k.account);
        // A token written under a lease (a refresh) is fenced: see [`LeaseGuard`].
        let fence = (k.kind == "token")
            .then(|| self.fence(k.app_id, k.account))
            .flatten();
        let holder = self.inner.holder.clone();
        // What belongs to the application has no account row and no owner.
        let app_level = Row {
            owner: String::new(),
            shared: false,
            exists: true,
        };
        let write = |c: &mut Conn,
                     row: Option<&Row>|
         -> Result<Result<(), StoreError>, postgres::Error> {
            let own_tx = !c.in_transaction;
            if own_tx {
                c.client.batch_execute("BEGIN")?;
            }
            let result: Result<Result<(), StoreError>, postgres::Error> = (|| {
                let row = match (k.account.is_empty(), row) {
                    (true, _) => &app_level,
                    (false, Some(row)) => row,
                    (false, None) => return Ok(Err(self.changed(k.account))),
                };
                let (owner, shared) = (&row.owner, &row.shared);
                // Every write names its row whole (owner and shared), so one that
                // became another kind of row in between changes nothing; it updates
                // where a row is there and inserts where none is, since a shared
                // account's rows are another role's, and an insert in its name is
                // refused even when it would only conflict.
                if let Some(fence) = &fence {
                    // Only if the lease is still ours (until our write released it)
                    // and nobody changed the account since we took it; the update
                    // locks the row, so no takeover slips in before the commit.
                    let same_row = fence.owner == *owner && fence.shared == *shared;
                    let n = if same_row {
                        c.client.execute(
                            &format!(
                                "UPDATE outbound_accounts SET updated_at = now()
                                 WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4 {FENCED}"
                            ),
                            &[
                                &k.app_id,
                                &k.account,
                                owner,
                                shared,
                                &fence.holding,
                                &holder,
                                &fence.needs_authorization,
                                &fence.sealed,
                            ],
                        )?
                    } else {
                        0
                    };
                    if n != 1 {
                        return Ok(Err(StoreError::Superseded {
                            account: k.account.to_owned(),
                        }));
                    }
                } else if !k.account.is_empty() {
                    let mut n = c.client.execute(
                        "UPDATE outbound_accounts SET updated_at = now()
                         WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                        &[&k.app_id, &k.account, owner, shared],
                    )?;
                    if n == 0 && *owner == c.user {
                        n = c.client.execute(
                            "INSERT INTO outbound_accounts (app_id, account, owner, shared)
                             VALUES ($1, $2, $3, $4) ON CONFLICT (app_id, account, owner) DO NOTHING",
                            &[&k.app_id, &k.account, owner, shared],
                        )?;
                    }
                    if n != 1 {
                        return Ok(Err(self.changed(k.account)));
                    }
                }
                let mut n = c.client.execute(
                    "UPDATE outbound_secrets SET key_id = $6, sealed = $7, updated_at = now()
                     WHERE app_id = $1 AND account = $2 AND kind = $3 AND owner = $4 AND shared = $5",
                    &[&k.app_id, &k.account, &k.kind, owner, shared, &key_id, &sealed],
                )?;
                if n == 0 {
                    n = c.client.execute(
                        "INSERT INTO outbound_secrets (app_id, account, kind, owner, shared, key_id, sealed)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (app_id, account, kind, owner) DO NOTHING",
                        &[&k.app_id, &k.account, &k.kind, owner, shared, &key_id, &sealed],
                    )?;
                }
                if n != 1 {
                    return Ok(Err(self.changed(k.account)));
                }
                if k.kind == "token" {
                    // New tokens: the account is authorized again, and the lease this
                    // process held for the refresh that brought them ends with them.
                    c.client.execute(
                        "UPDATE outbound_accounts SET needs_authorization = false, last_error = NULL,
                             updated_at = now(),
                             lease_holder = CASE WHEN lease_holder = $5 THEN NULL ELSE lease_holder END,
                             lease_until = CASE WHEN lease_holder = $5 THEN NULL ELSE lease_until END
                         WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                        &[&k.app_id, &k.account, owner, shared, &holder],
                    )?;
                }
                Ok(Ok(()))
            })();
            match (&result, own_tx) {
                (Ok(Ok(())), true) => c.client.batch_execute("COMMIT")?,
                (_, true) => {
                    let _ = c.client.batch_execute("ROLLBACK");
                }
                _ => {}
            }
            result
        };
        if k.account.is_empty() {
            self.with(|c| write(c, None))??;
        } else {
            self.on_row(k.app_id, k.account, true, write)?;
        }
        if release_lease {
            self.inner
                .held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&(k.app_id.to_owned(), k.account.to_owned()));
        }
        if fence.is_some()
            && let Some(fence) = self
                .fences()
                .get_mut(&(k.app_id.to_owned(), k.account.to_owned()))
        {
            // Our own write is the account's new state; the lease went with it.
            fence.sealed = Some(sealed.clone());
            fence.needs_authorization = false;
            fence.holding = false;
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let k = parse_key(key);
        let remove = |c: &mut Conn, owner: &str, shared: bool| -> Result<bool, postgres::Error> {
            let n = c.client.execute(
                "DELETE FROM outbound_secrets
                 WHERE app_id = $1 AND account = $2 AND kind = $3 AND owner = $4 AND shared = $5",
                &[&k.app_id, &k.account, &k.kind, &owner, &shared],
            )?;
            if k.kind == "token" {
                c.client.execute(
                    "DELETE FROM outbound_accounts
                     WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4
                     AND NOT EXISTS (SELECT 1 FROM outbound_secrets s WHERE s.app_id = $1
                         AND s.account = $2 AND s.owner = $3 AND s.kind = 'token')",
                    &[&k.app_id, &k.account, &owner, &shared],
                )?;
            }
            Ok(n > 0)
        };
        if k.account.is_empty() {
            return self.with(|c| remove(c, "", false));
        }
        // Nothing of the account this process means is nothing to delete.
        self.on_row(k.app_id, k.account, false, |c, row| match row {
            Some(row) if row.exists => Ok(Ok(remove(c, &row.owner, row.shared)?)),
            _ => Ok(Ok(false)),
        })
    }

    fn clock_offset(&self) -> Result<i64, StoreError> {
        Ok(self.clock_skew()?.map_or(0, Skew::seconds))
    }

    fn aim_account(&self, app_id: &str, account: &str, shared: bool) -> Result<(), StoreError> {
        let aim = if shared { Aim::Shared } else { Aim::Personal };
        self.aim(app_id, account, aim)
    }

    fn lease(
        &self,
        app_id: &str,
        account: &str,
        wait: Duration,
    ) -> Option<Result<LeaseGuard, StoreError>> {
        Some(self.lease_for(app_id, account, wait))
    }

    fn shared_state(&self, app_id: &str, account: &str) -> Result<Option<SharedState>, StoreError> {
        let (read, at_use) = self.read_account(app_id, account)?;
        let state = read.as_ref().map(AccountRow::state);
        self.keep_read_ahead(app_id, account, read, at_use);
        Ok(state)
    }

    fn note_record(&self, app_id: &str, account: &str, record: &str) -> Result<(), StoreError> {
        self.on_row(app_id, account, true, |c, row| {
            if let Some(row) = row {
                c.client.execute(
                    "UPDATE outbound_accounts SET record = $5
                     WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                    &[&app_id, &account, &row.owner, &row.shared, &record],
                )?;
            }
            Ok(Ok(()))
        })
    }

    fn record(&self, app_id: &str, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self.read_account(app_id, account)?.0.and_then(|r| r.record))
    }

    fn records(&self) -> Result<Option<Vec<SharedRecord>>, StoreError> {
        self.with(|c| {
            let rows = c.client.query(
                "SELECT record, needs_authorization, last_error FROM outbound_accounts
                 WHERE record IS NOT NULL ORDER BY app_id, account, (owner = current_user) DESC",
                &[],
            )?;
            Ok(Some(
                rows.iter()
                    .map(|r| SharedRecord {
                        record: r.get(0),
                        state: SharedState {
                            needs_authorization: r.get(1),
                            last_error: r.get(2),
                            inactive: false,
                        },
                    })
                    .collect(),
            ))
        })
    }

    fn note_shared_state(
        &self,
        app_id: &str,
        account: &str,
        state: &SharedState,
    ) -> Result<(), StoreError> {
        let fence = self.fence(app_id, account);
        let holder = self.inner.holder.clone();
        // Only a token write clears needs_authorization: a failure noted here never
        // hides that another machine found the grant dead.
        self.on_row(app_id, account, true, |c, row| {
            let Some(Row { owner, shared, .. }) = row else {
                return Ok(Err(self.changed(account)));
            };
            if let Some(fence) = &fence {
                // A failure seen under a lease that was lost (this process was paused
                // past it) is stale: the account has moved on without it.
                let n = if fence.owner == *owner && fence.shared == *shared {
                    c.client.execute(
                        &format!(
                            "UPDATE outbound_accounts SET needs_authorization = needs_authorization OR $9,
                                 last_error = $10, updated_at = now()
                             WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4 {FENCED}"
                        ),
                        &[
                            &app_id,
                            &account,
                            owner,
                            shared,
                            &fence.holding,
                            &holder,
                            &fence.needs_authorization,
                            &fence.sealed,
                            &state.needs_authorization,
                            &state.last_error,
                        ],
                    )?
                } else {
                    0
                };
                if n != 1 {
                    return Ok(Err(StoreError::Superseded {
                        account: account.to_owned(),
                    }));
                }
                if let Some(f) = self
                    .fences()
                    .get_mut(&(app_id.to_owned(), account.to_owned()))
                {
                    f.needs_authorization |= state.needs_authorization;
                }
                return Ok(Ok(()));
            }
            let mut n = c.client.execute(
                "UPDATE outbound_accounts SET needs_authorization = needs_authorization OR $5,
                     last_error = $6, updated_at = now()
                 WHERE app_id = $1 AND account = $2 AND owner = $3 AND shared = $4",
                &[&app_id, &account, owner, shared, &state.needs_authorization, &state.last_error],
            )?;
            if n == 0 && *owner == c.user {
                n = c.client.execute(
                    "INSERT INTO outbound_accounts (app_id, account, owner, shared, needs_authorization, last_error)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app_id, account, owner) DO NOTHING",
                    &[&app_id, &account, owner, shared, &state.needs_authorization, &state.last_error],
                )?;
            }
            if n != 1 {
                return Ok(Err(self.changed(account)));
            }
            Ok(Ok(()))
        })
    }
}

impl PgStore {
    /// The fleet-wide refresh lease (docs/team-store.md, "One refresh across the fleet"): a
    /// row in `outbound_accounts` with a holder and an expiry, taken with one
    /// conditional upsert. Waiters poll for it (the holder releases it in the
    /// transaction that writes the new tokens, and they then find those), or take it
    /// over once it runs out.
    fn lease_for(
        &self,
        app_id: &str,
        account: &str,
        wait: Duration,
    ) -> Result<LeaseGuard, StoreError> {
        let lease = lease_length();
        let start = Instant::now();
        loop {
            match self.try_lease(app_id, account, lease)? {
                Attempt::Taken { from, fence } => {
                    let key = (app_id.to_owned(), account.to_owned());
                    self.inner
                        .held
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(key.clone());
                    self.fences().insert(key, fence);
                    let store = self.clone();
                    let (app, acct) = (app_id.to_owned(), account.to_owned());
                    let checker = self.clone();
                    let (app2, acct2) = (app.clone(), acct.clone());
                    return Ok(LeaseGuard::new(
                        from,
                        Box::new(move || store.release(&app, &acct)),
                        Box::new(move || checker.confirm_lease(&app2, &acct2)),
                    ));
                }
                Attempt::Held { holder, until } => {
                    if start.elapsed() >= wait {
                        return Err(StoreError::LeaseTimeout {
                            waited: wait,
                            holder,
                            until,
                        });
                    }
                    let jitter = u64::from(random_u16() % 50);
                    std::thread::sleep(Duration::from_millis(75 + jitter));
                }
            }
        }
    }
}

/// How long a refresh lease lasts: the longest a token request may take
/// (`OUTBOUND_OAUTH_TIMEOUT`, default 30 s) and 10 s more, so a live holder never
/// loses it, and a dead one blocks the others no longer than that.
pub fn lease_length() -> Duration {
    crate::http::oauth_timeout() + Duration::from_secs(10)
}

impl PgStore {
    /// Keeps one audit event for every machine (its time on the database's clock).
    pub fn append_audit(&self, e: &super::AuditEvent) -> Result<(), StoreError> {
        let offset = self.clock_offset()?;
        let at = i64::try_from(e.time)
            .unwrap_or(i64::MAX)
            .saturating_add(offset);
        self.with(|c| {
            c.client.execute(
                "INSERT INTO outbound_audit (at, app, account, event, method, host, status)
                 VALUES (to_timestamp($1::bigint), $2, $3, $4, $5, $6, $7)",
                &[
                    &at, &e.app, &e.account, &e.event, &e.method, &e.host, &e.status,
                ],
            )
        })?;
        Ok(())
    }
}

impl PgStore {
    /// This role's audit events, from every machine, oldest first (their times on
    /// this machine's clock).
    pub fn audit_events(&self) -> Result<Vec<super::AuditEvent>, StoreError> {
        let offset = self.clock_offset()?;
        self.with(|c| {
            let rows = c.client.query(
                "SELECT extract(epoch from at)::bigint, app, account, event, method, host, status
                 FROM outbound_audit ORDER BY at",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| super::AuditEvent {
                    time: u64::try_from(r.get::<_, i64>(0).saturating_sub(offset)).unwrap_or(0),
                    app: r.get(1),
                    account: r.get(2),
                    event: r.get(3),
                    method: r.get(4),
                    host: r.get(5),
                    status: r.get(6),
                })
                .collect())
        })
    }
}

/// Every definition row as (id, name, definition), in the order they were added.
fn app_rows(c: &mut Conn) -> Result<Vec<(String, String, String)>, postgres::Error> {
    let rows = c.client.query(
        "SELECT id, name, definition FROM outbound_apps ORDER BY created_at, name",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

impl Documents {
    /// Why the definitions do not load, by row: the first row that is invalid on its
    /// own, or that clashes with another (a name or id twice).
    pub fn diagnose(&self) -> Option<StoreError> {
        let rows = self.store.with(app_rows).ok()?;
        let mut ids = std::collections::HashSet::new();
        for (id, name, definition) in rows {
            let fail = |message: String| StoreError::BadDefinition {
                name: name.clone(),
                id: id.clone(),
                message,
            };
            match crate::config::Config::parse(Path::new("x"), &definition) {
                Err(e) => {
                    let at = e
                        .error
                        .position
                        .map(|(l, c)| format!("line {l}:{c} of it: "))
                        .unwrap_or_default();
                    return Some(fail(format!("{at}{}", e.error.message)));
                }
                Ok(config) => {
                    let names: Vec<&str> = config.apps.iter().map(|a| a.name.as_str()).collect();
                    if names != [name.as_str()] {
                        return Some(fail(format!(
                            "its row must define exactly [apps.{name}], and it defines {}",
                            if names.is_empty() {
                                "none".to_owned()
                            } else {
                                names.join(", ")
                            }
                        )));
                    }
                    if config.apps[0].id != id || !ids.insert(id.clone()) {
                        return Some(fail(
                            "its id does not match its row, or another row has it".into(),
                        ));
                    }
                }
            }
        }
        None
    }
}

/// The application definitions, as one TOML text of `[apps.NAME]` tables.
pub struct Documents {
    store: PgStore,
    label: PathBuf,
}

impl crate::config::AppDocuments for Documents {
    fn label(&self) -> &Path {
        &self.label
    }

    fn read(&self) -> crate::error::Result<String> {
        // Usually the first thing a process reads: it comes with the connection.
        Ok(self.store.with_early(Some(DEFINITIONS), |c, early| {
            let rows = match early {
                Some(rows) => rows,
                None => c
                    .client
                    .simple_query(DEFINITIONS)?
                    .into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(r) => Some(r),
                        _ => None,
                    })
                    .collect(),
            };
            Ok(rows.iter().map(|r| r.get(0).unwrap_or_default()).collect())
        })?)
    }

    fn write(
        &self,
        edit: &mut dyn FnMut(&str) -> crate::error::Result<toml_edit::DocumentMut>,
        before_commit: &mut dyn FnMut() -> crate::error::Result<()>,
    ) -> crate::error::Result<()> {
        let store = &self.store;
        // Admins take turns on the one version row; everyone else only reads (a
        // role that holds UPDATE on it anyway locks no row: row-level security).
        let (locked, rows) = store
            .with(|c| {
                c.client.batch_execute("BEGIN")?;
                c.in_transaction = true;
                let locked = c.client.query_opt(
                    "SELECT version FROM outbound_apps_version WHERE id = 1 FOR UPDATE",
                    &[],
                )?;
                Ok((locked.is_some(), app_rows(c)?))
            })
            .inspect_err(|_| self.rollback())?;
        if !locked {
            self.rollback();
            return Err(self.refused("outbound_apps_version").into());
        }
        let text: String = rows.iter().map(|r| r.2.as_str()).collect();
        let result = (|| {
            let doc = edit(&text)?;
            let wanted = crate::config::app_fragments(&doc);
            // Row-level security turns a change this role may not make into one of
            // no rows, without an error: every statement must change its row.
            let refused = store.in_tx(|c| {
                for (id, name, definition) in &wanted {
                    let n = match rows.iter().find(|r| &r.0 == id) {
                        Some(r) if &r.1 == name && &r.2 == definition => 1,
                        Some(_) => c.client.execute(
                            "UPDATE outbound_apps SET name = $2, definition = $3,
                                 updated_at = now(), updated_by = current_user WHERE id = $1",
                            &[id, name, definition],
                        )?,
                        None => c.client.execute(
                            "INSERT INTO outbound_apps (id, name, definition) VALUES ($1, $2, $3)",
                            &[id, name, definition],
                        )?,
                    };
                    if n != 1 {
                        return Ok(Some("outbound_apps"));
                    }
                }
                for (id, _, _) in rows.iter().filter(|r| !wanted.iter().any(|w| w.0 == r.0)) {
                    let n = c
                        .client
                        .execute("DELETE FROM outbound_apps WHERE id = $1", &[id])?;
                    if n != 1 {
                        return Ok(Some("outbound_apps"));
                    }
                }
                let n = c.client.execute(
                    "UPDATE outbound_apps_version SET version = version + 1 WHERE id = 1",
                    &[],
                )?;
                Ok((n != 1).then_some("outbound_apps_version"))
            })?;
            if let Some(table) = refused {
                return Err(self.refused(table).into());
            }
            before_commit()?;
            store.in_tx(|c| {
                c.in_transaction = false;
                c.client.batch_execute("COMMIT")
            })?;
            Ok(())
        })();
        if result.is_err() {
            self.rollback();
        }
        result
    }
}

impl Documents {
    /// A change that row-level security reduced to no rows of `table`: this role is
    /// not in the admin role (it may hold the table's privileges all the same).
    fn refused(&self, table: &str) -> StoreError {
        StoreError::Denied {
            database: self.store.label().to_owned(),
            message: format!(
                "row-level security let this role change no row of {table}, so nothing was changed"
            ),
        }
    }

    fn rollback(&self) {
        let _ = self.store.with(|c| {
            c.in_transaction = false;
            c.client.batch_execute("ROLLBACK")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_clock_is_measured_within_the_round_trip_and_rounded() {
        let sent = std::time::UNIX_EPOCH + Duration::from_millis(1_000_000_000);
        let trip = Duration::from_millis(100);
        let skew = |database_ms: i64| Skew::measured(database_ms, sent, trip);
        // 10 minutes behind this machine, read 50 ms after sending: measured to
        // within the round trip, nearest to no skew.
        let behind = skew(1_000_000_000 - 600_000 + 50);
        assert_eq!((behind.offset_ms, behind.round_trip_ms), (-599_950, 100));
        assert_eq!(behind.seconds(), -600);
        let ahead = skew(1_000_000_000 + 600_000 + 50);
        assert_eq!((ahead.offset_ms, ahead.seconds()), (599_950, 600));
        // A clock that agrees, however slow the round trip: no skew at all.
        for read in [0, 50, 100] {
            assert_eq!(skew(1_000_000_000 + read).offset_ms, 0);
        }
        let slow = Skew::measured(1_000_001_900, sent, Duration::from_secs(2));
        assert_eq!(slow.offset_ms, 0);
        // Whole seconds, rounded.
        assert_eq!(skew(1_000_000_100 + 499).seconds(), 0);
        assert_eq!(skew(1_000_000_000 - 499).seconds(), 0);
        assert_eq!(skew(1_000_000_000 - 501).seconds(), -1);
        assert_eq!(skew(1_000_000_100 + 1_500).seconds(), 2);
    }

    #[test]
    fn a_read_ahead_serves_only_the_next_read_of_its_account_with_nothing_between() {
        let store = PgStore::new(Settings::new(
            "postgresql://ci@127.0.0.1:1/team".into(),
            None,
        ));
        let read = || AccountRow {
            seen: Seen {
                owner: "ci".into(),
                shared: false,
                has_token: true,
            },
            needs_authorization: false,
            last_error: None,
            record: None,
            token: Some(("k1".into(), vec![1, 2, 3])),
        };
        let now = || store.inner.uses.load(Ordering::SeqCst);
        store.keep_read_ahead("app", "default", Some(read()), now());
        assert!(store.take_read_ahead("app", "other").is_none());
        // Another account's read took it away.
        assert!(store.take_read_ahead("app", "default").is_none());
        store.keep_read_ahead("app", "default", Some(read()), now());
        let taken = store.take_read_ahead("app", "default");
        assert!(matches!(
            taken,
            Some(Some(AccountRow { token: Some(_), .. }))
        ));
        assert!(
            store.take_read_ahead("app", "default").is_none(),
            "served once"
        );
        // Any use of the connection in between (a lease, a write) makes it stale.
        store.keep_read_ahead("app", "default", Some(read()), now());
        store.inner.uses.fetch_add(1, Ordering::SeqCst);
        assert!(store.take_read_ahead("app", "default").is_none());
    }

    #[test]
    fn keys_map_to_rows() {
        let k = parse_key("token/abc/ci/one");
        assert_eq!((k.kind, k.app_id, k.account), ("token", "abc", "ci/one"));
        let k = parse_key("client-secret/abc");
        assert_eq!((k.kind, k.app_id, k.account), ("client-secret", "abc", ""));
    }

    #[test]
    fn personal_and_shared_accounts_never_stand_in_for_each_other_on_a_write() {
        let seen = |owner: &str, shared: bool, has_token: bool| Seen {
            owner: owner.into(),
            shared,
            has_token,
        };
        let row = |owner: &str, shared: bool, exists: bool| Row {
            owner: owner.into(),
            shared,
            exists,
        };
        let admins_shared = seen("admin", true, true);
        // Nothing yet: a new row in this role's name, shared only when asked.
        assert_eq!(choose("alice", None, &[]), Ok(row("alice", false, false)));
        assert_eq!(
            choose("alice", Some(Aim::Personal), &[]),
            Ok(row("alice", false, false))
        );
        assert_eq!(
            choose("admin", Some(Aim::Shared), &[]),
            Ok(row("admin", true, false))
        );
        // A shared account serves a role without tokens of its own (an empty row
        // left by a lease does not hide it), but a personal authorization never
        // lands in it.
        let rows = [seen("alice", false, false), admins_shared.clone()];
        assert_eq!(choose("alice", None, &rows), Ok(row("admin", true, true)));
        assert_eq!(
            choose("alice", Some(Aim::Personal), &rows),
            Ok(row("alice", false, true))
        );
        assert_eq!(
            choose(
                "alice",
                Some(Aim::Personal),
                std::slice::from_ref(&admins_shared)
            ),
            Ok(row("alice", false, false))
        );
        // A personal account with tokens wins over the shared one.
        let rows = [seen("alice", false, true), admins_shared.clone()];
        assert_eq!(choose("alice", None, &rows), Ok(row("alice", false, true)));
        assert_eq!(
            choose("alice", Some(Aim::Shared), &rows),
            Ok(row("admin", true, true))
        );
        // A shared row in this role's own name blocks a personal account of that
        // name (the key is the same), and a personal one blocks a new shared one.
        let planted = [seen("alice", true, false)];
        assert_eq!(
            choose("alice", Some(Aim::Personal), &planted),
            Err(Blocked::SharedInYourName)
        );
        assert_eq!(
            choose("alice", Some(Aim::Shared), &[seen("alice", false, true)]),
            Err(Blocked::PersonalInYourName)
        );
    }

    #[test]
    fn each_app_is_its_own_fragment_and_they_join_back() {
        use crate::config::app_fragments as fragments;
        let text = "[apps.a]\nid = \"1\"\n# note\nscopes = [\"x\"]\n\n[apps.a.token_request]\nbody = \"json\"\n\n[apps.b]\nid = \"2\"\n";
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let parts = fragments(&doc);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "1");
        assert!(
            parts[0].2.contains("[apps.a.token_request]"),
            "{}",
            parts[0].2
        );
        assert!(parts[0].2.contains("# note"));
        let joined: String = parts.iter().map(|p| p.2.as_str()).collect();
        let again: toml::Table = toml::from_str(&joined).unwrap();
        let before: toml::Table = toml::from_str(text).unwrap();
        assert_eq!(again, before);
    }
}
