//! The freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet), spoken
//! directly over D-Bus (`zbus`).
//!
//! Our own client rather than a crate's, for speed, measured (BENCHMARKS.md): every
//! `outbound token` and `outbound curl` opens a session, and a lookup here takes two
//! round trips (SearchItems, OpenSession and who owns the service, all at once; then
//! GetSecret).
//!
//! How the session carries secrets (docs/decisions.md, "The keyring's session"):
//! `plain` when the service is gnome-keyring (it owns `org.gnome.keyring` too) on a
//! session bus reached through a Unix socket. gnome-keyring hands any item of an
//! unlocked keyring to any client of the user's bus without asking, so encrypting
//! the answer on that bus protects only against someone recording it, and its side
//! of the encrypted session's Diffie-Hellman exchange costs ~2 ms per lookup, most of
//! a small `outbound curl`. go-keyring (gh's keyring) always opens `plain`. Any
//! other service (KeePassXC and KWallet may ask the user per client), any other bus,
//! a service that refuses `plain`, or `OUTBOUND_KEYRING_ENCRYPT=1` gets the
//! specification's `dh-ietf1024-sha256-aes128-cbc-pkcs7`: num-bigint's Montgomery
//! exponentiation with a 256-bit private exponent (~0.2 ms on our side; the released
//! clients take 2.5–4 ms), RustCrypto's AES, CBC and HKDF. Items keep keyring-core's
//! attributes (`service`, `username`) and label, so secrets stored by earlier
//! versions are found.
//!
//! Every call is bounded by a timeout: a Secret Service stuck on an unlock prompt
//! must not hang a cron job. A locked keyring is reported, never unlocked with a
//! prompt nobody may see. A Secret Service that leaves the bus mid-call (gnome-keyring
//! has been seen to abort inside GLib under load; a supervisor or the bus may start it
//! again, though a keyring started by the bus is locked) is waited for, briefly, and
//! the call made again: every call here is idempotent (a lookup, a write that
//! replaces, a delete).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use num_bigint::BigUint;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

use super::{Backend, SecretStore, StoreError};
use crate::secret::Secret;

/// The `service` attribute of every item we create.
const SERVICE: &str = "outbound";
const BUS_NAME: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// RFC 2409's Second Oakley Group (1024-bit MODP), generator 2: the group the
/// specification names for this algorithm.
const PRIME: [u8; 128] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2, 0x21, 0x68, 0xC2, 0x34,
    0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1, 0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74,
    0x02, 0x0B, 0xBE, 0xA6, 0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D, 0xF2, 0x5F, 0x14, 0x37,
    0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45, 0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6,
    0xF4, 0x4C, 0x42, 0xE9, 0xA6, 0x37, 0xED, 0x6B, 0x0B, 0xFF, 0x5C, 0xB6, 0xF4, 0x06, 0xB7, 0xED,
    0xEE, 0x38, 0x6B, 0xFB, 0x5A, 0x89, 0x9F, 0xA5, 0xAE, 0x9F, 0x24, 0x11, 0x7C, 0x4B, 0x1F, 0xE6,
    0x49, 0x28, 0x66, 0x51, 0xEC, 0xE6, 0x53, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

pub struct SecretServiceStore {
    timeout: Duration,
    /// Whether sessions encrypt secrets on the bus (see the module's comment).
    encrypt: bool,
}

/// Whether secrets must be encrypted on this session bus: unless every address it
/// may be reached at is a Unix socket, or when `OUTBOUND_KEYRING_ENCRYPT=1`.
fn must_encrypt(bus_address: Option<&str>, asked: Option<&str>) -> bool {
    if asked.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    // Without an address, zbus uses $XDG_RUNTIME_DIR/bus: a Unix socket.
    bus_address.is_some_and(|address| {
        !address
            .split(';')
            .filter(|a| !a.is_empty())
            .all(|a| a.starts_with("unix:"))
    })
}

/// How long a Secret Service that left the bus mid-call is waited for (less if the
/// store's timeout comes first).
const COMEBACK: Duration = Duration::from_secs(3);
/// The other name gnome-keyring owns on the bus, by which it is told apart.
const GNOME_KEYRING: &str = "org.gnome.keyring";

/// Why a Secret Service call failed, before it becomes a [`StoreError`].
enum Failure {
    Unavailable(String),
    /// The service left the bus with our call unanswered.
    Vanished(String),
    /// No one owns the service's name on the bus (at the first call; after an
    /// answer, that is [`Failure::Vanished`]: see [`later`]).
    Absent(String),
    Locked,
    Corrupt(String),
}

impl From<zbus::Error> for Failure {
    fn from(e: zbus::Error) -> Self {
        match e {
            zbus::Error::MethodError(name, message, _) => {
                let reason = match message {
                    Some(message) => format!("{name}: {message}"),
                    None => name.to_string(),
                };
                match name.as_str() {
                    "org.freedesktop.DBus.Error.NoReply" => Failure::Vanished(reason),
                    "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner" => Failure::Absent(reason),
                    _ => Failure::Unavailable(reason),
                }
            }
            other => Failure::Unavailable(other.to_string()),
        }
    }
}

impl From<zbus::zvariant::Error> for Failure {
    fn from(e: zbus::zvariant::Error) -> Self {
        Failure::Unavailable(format!("an answer of the Secret Service is malformed: {e}"))
    }
}

type Outcome<T> = Result<T, Failure>;

/// A failure of a call made after the service had answered one: its name without an
/// owner then means it left the bus.
fn later(failure: Failure) -> Failure {
    match failure {
        Failure::Absent(reason) => Failure::Vanished(reason),
        other => other,
    }
}

impl SecretServiceStore {
    pub fn new(timeout: Duration) -> Self {
        let encrypt = must_encrypt(
            std::env::var("DBUS_SESSION_BUS_ADDRESS").ok().as_deref(),
            std::env::var("OUTBOUND_KEYRING_ENCRYPT").ok().as_deref(),
        );
        SecretServiceStore { timeout, encrypt }
    }

    /// Runs `op` in a session, on a runtime of its own, within the timeout. The
    /// caller is never inside another runtime (token work stays outside `curl`'s).
    fn call<T>(
        &self,
        key: &str,
        op: impl AsyncFn(&Session) -> Outcome<T>,
    ) -> Result<T, StoreError> {
        self.run(key, async || {
            let session = Session::open(Session::connect().await?, self.encrypt).await?;
            op(&session).await.map_err(later)
        })
    }

    /// A lookup: the search goes out beside the session's opening, which it does not
    /// need, so the two take one round trip instead of two (only reading the item
    /// waits for the session).
    fn lookup(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        let attributes = attributes(key);
        self.run(key, async || {
            let bus = Session::connect().await?;
            // The search first: it is on its way while the session is opened.
            let (found, session) = futures_util::future::join(
                search(&bus, &attributes),
                Session::open(bus.clone(), self.encrypt),
            )
            .await;
            // One of the two answered: the other's service then left the bus. Neither
            // did: it left if either went unanswered.
            let (found, session) = match (found, session) {
                (Ok(found), session) => (found, session.map_err(later)),
                (Err(e), Ok(_)) => return Err(later(e)),
                (Err(e), Err(f @ Failure::Vanished(_))) if !matches!(e, Failure::Vanished(_)) => {
                    return Err(f);
                }
                (Err(e), Err(_)) => return Err(e),
            };
            match found.as_slice() {
                [] => Ok(None),
                [item] => session?.read(item).await.map(Some).map_err(later),
                more => Err(Failure::Corrupt(format!("{} items match", more.len()))),
            }
        })
    }

    /// Runs `work` on a runtime of its own, within the timeout, again if the service
    /// left the bus mid-call, and says what went wrong in the store's terms.
    fn run<T>(&self, key: &str, work: impl AsyncFn() -> Outcome<T>) -> Result<T, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::KeyringUnavailable {
                reason: format!("cannot start the D-Bus runtime: {e}"),
            })?;
        // The timer is made inside the runtime: it needs the runtime's clock. The wait
        // for a vanished service ends a little before the timeout, to say so.
        let outcome = runtime.block_on(async {
            let end = Instant::now() + self.timeout.saturating_sub(Duration::from_millis(200));
            tokio::time::timeout(self.timeout, again(work, end)).await
        });
        match outcome {
            Err(_) => Err(StoreError::KeyringTimeout(self.timeout)),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(
                Failure::Unavailable(reason) | Failure::Absent(reason) | Failure::Vanished(reason),
            )) => Err(StoreError::KeyringUnavailable { reason }),
            Ok(Err(Failure::Locked)) => Err(StoreError::KeyringUnavailable {
                reason: "the keyring is locked (unlock it: log in to the desktop, or run `gnome-keyring-daemon --unlock`)".into(),
            }),
            Ok(Err(Failure::Corrupt(reason))) => Err(StoreError::Corrupt {
                key: key.to_owned(),
                reason,
            }),
        }
    }
}

/// Does `work`, and if the service left the bus with it unanswered, waits for the
/// service to be back (up to [`COMEBACK`], and not past `end`) and does it again.
async fn again<T>(work: impl AsyncFn() -> Outcome<T>, end: Instant) -> Outcome<T> {
    let vanished = match work().await {
        Err(Failure::Vanished(reason)) => reason,
        outcome => return outcome,
    };
    let since = Instant::now();
    let deadline = (since + COMEBACK).min(end);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        match work().await {
            // Not back yet, or gone again: wait while there is time.
            Err(Failure::Vanished(_) | Failure::Absent(_)) if Instant::now() < deadline => {}
            Err(Failure::Vanished(_) | Failure::Absent(_)) => {
                return Err(Failure::Vanished(format!(
                    "the Secret Service left the bus mid-call and was not back within {:.1} s ({vanished})",
                    since.elapsed().as_secs_f64()
                )));
            }
            outcome => return outcome,
        }
    }
}

fn attributes(key: &str) -> HashMap<&str, &str> {
    HashMap::from([("service", SERVICE), ("username", key)])
}

impl SecretStore for SecretServiceStore {
    fn backend(&self) -> Backend {
        Backend::Keyring
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        self.lookup(key)
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        let label = format!("keyring:{key}@{SERVICE}");
        self.call(key, async |session| {
            session.write(&label, &attributes(key), secret).await
        })
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.call(key, async |session| {
            let items = session.search(&attributes(key)).await?;
            for item in &items {
                let prompt: OwnedObjectPath = session
                    .method(item, "org.freedesktop.Secret.Item", "Delete", &())
                    .await?;
                if prompt.as_str() != "/" {
                    return Err(Failure::Locked);
                }
            }
            Ok(!items.is_empty())
        })
    }
}

/// Every unlocked item with exactly these attributes; a locked one is an error.
async fn search(
    bus: &zbus::Connection,
    attributes: &HashMap<&str, &str>,
) -> Outcome<Vec<OwnedObjectPath>> {
    let reply = bus
        .call_method(
            Some(BUS_NAME),
            SERVICE_PATH,
            Some("org.freedesktop.Secret.Service"),
            "SearchItems",
            &(attributes,),
        )
        .await?;
    let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
        reply.body().deserialize()?;
    if !locked.is_empty() {
        return Err(Failure::Locked);
    }
    Ok(unlocked)
}

/// Whether the Secret Service is gnome-keyring: the owner of its name also owns
/// gnome-keyring's own.
async fn is_gnome_keyring(bus: &zbus::Connection) -> Outcome<bool> {
    let owner = async |name: &str| -> Outcome<Option<String>> {
        let answer = bus
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "GetNameOwner",
                &(name,),
            )
            .await;
        match answer {
            Ok(reply) => Ok(Some(reply.body().deserialize::<String>()?)),
            Err(e) => match Failure::from(e) {
                Failure::Absent(_) => Ok(None),
                other => Err(other),
            },
        }
    };
    let (secrets, gnome) = futures_util::future::join(owner(BUS_NAME), owner(GNOME_KEYRING)).await;
    Ok(matches!((secrets?, gnome?), (Some(a), Some(b)) if a == b))
}

/// A `plain` session's path; None if the service does not offer `plain`.
async fn open_plain(bus: &zbus::Connection) -> Outcome<Option<OwnedObjectPath>> {
    let answer = bus
        .call_method(
            Some(BUS_NAME),
            SERVICE_PATH,
            Some("org.freedesktop.Secret.Service"),
            "OpenSession",
            &("plain", Value::from("")),
        )
        .await;
    match answer {
        Ok(reply) => {
            let (_, path): (OwnedValue, OwnedObjectPath) = reply.body().deserialize()?;
            Ok(Some(path))
        }
        Err(zbus::Error::MethodError(name, _, _))
            if name.as_str() == "org.freedesktop.DBus.Error.NotSupported" =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// An open session with the Secret Service.
struct Session {
    bus: zbus::Connection,
    path: OwnedObjectPath,
    /// The AES-128 key both sides derived from the exchange; None in a `plain`
    /// session.
    key: Option<zeroize::Zeroizing<[u8; 16]>>,
}

impl Session {
    async fn connect() -> Outcome<zbus::Connection> {
        Ok(zbus::Connection::session().await?)
    }

    /// A `plain` session when `encrypt` is not set and the service is gnome-keyring;
    /// otherwise, or when the service does not offer `plain`, an encrypted one. The
    /// questions to the bus and the `plain` OpenSession (which carries no secret) go
    /// out together.
    async fn open(bus: zbus::Connection, encrypt: bool) -> Outcome<Session> {
        if !encrypt {
            let (gnome, plain) =
                futures_util::future::join(is_gnome_keyring(&bus), open_plain(&bus)).await;
            if let (true, Some(path)) = (gnome?, plain?) {
                return Ok(Session {
                    bus,
                    path,
                    key: None,
                });
            }
            // The service answered: its name without an owner now means it left.
            return Self::open_encrypted(bus).await.map_err(later);
        }
        Self::open_encrypted(bus).await
    }

    async fn open_encrypted(bus: zbus::Connection) -> Outcome<Session> {
        let prime = BigUint::from_bytes_be(&PRIME);
        let mut private = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(private.as_mut())
            .map_err(|e| Failure::Unavailable(format!("no randomness for the session: {e}")))?;
        let exponent = BigUint::from_bytes_be(private.as_ref());
        let public = BigUint::from(2u32).modpow(&exponent, &prime).to_bytes_be();
        let reply = bus
            .call_method(
                Some(BUS_NAME),
                SERVICE_PATH,
                Some("org.freedesktop.Secret.Service"),
                "OpenSession",
                &(ALGORITHM, Value::from(public)),
            )
            .await?;
        let (output, path): (OwnedValue, OwnedObjectPath) = reply.body().deserialize()?;
        let theirs: Vec<u8> = output.try_into().map_err(|e: zbus::zvariant::Error| {
            Failure::Unavailable(format!("the Secret Service sent no session key: {e}"))
        })?;
        let shared = BigUint::from_bytes_be(&theirs).modpow(&exponent, &prime);
        // The shared secret, big-endian, left-padded to the group's size; then HKDF
        // (SHA-256, no salt, no info) to 128 bits, as the specification says.
        let mut ikm = zeroize::Zeroizing::new([0u8; 128]);
        let bytes = zeroize::Zeroizing::new(shared.to_bytes_be());
        if bytes.len() > ikm.len() || bytes.iter().all(|b| *b == 0) {
            return Err(Failure::Unavailable(
                "the session key exchange failed".into(),
            ));
        }
        let start = ikm.len() - bytes.len();
        ikm[start..].copy_from_slice(&bytes);
        let mut key = zeroize::Zeroizing::new([0u8; 16]);
        hkdf::Hkdf::<sha2::Sha256>::new(None, ikm.as_ref())
            .expand(&[], key.as_mut())
            .map_err(|_| Failure::Unavailable("the session key derivation failed".into()))?;
        Ok(Session {
            bus,
            path,
            key: Some(key),
        })
    }

    async fn method<B, R>(
        &self,
        path: &ObjectPath<'_>,
        interface: &str,
        name: &str,
        body: &B,
    ) -> Outcome<R>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
        R: for<'d> serde::Deserialize<'d> + zbus::zvariant::Type,
    {
        let reply = self
            .bus
            .call_method(Some(BUS_NAME), path, Some(interface), name, body)
            .await?;
        Ok(reply.body().deserialize()?)
    }

    /// Every unlocked item with exactly these attributes; a locked one is an error.
    async fn search(&self, attributes: &HashMap<&str, &str>) -> Outcome<Vec<OwnedObjectPath>> {
        search(&self.bus, attributes).await
    }

    async fn read(&self, item: &ObjectPath<'_>) -> Outcome<Secret> {
        let (_, iv, value, _): (OwnedObjectPath, Vec<u8>, Vec<u8>, String) = self
            .method(
                item,
                "org.freedesktop.Secret.Item",
                "GetSecret",
                &(&self.path,),
            )
            .await?;
        // Wiped on every way out. (zbus's copy in the message it received is beyond
        // our reach: wiping is best effort.)
        let mut value = zeroize::Zeroizing::new(value);
        let plain = match &self.key {
            None => &value[..],
            Some(key) => cbc::Decryptor::<aes::Aes128>::new_from_slices(key.as_ref(), &iv)
                .map_err(|_| Failure::Corrupt("the stored value came with a malformed IV".into()))?
                .decrypt_padded_mut::<Pkcs7>(&mut value)
                .map_err(|_| Failure::Corrupt("the stored value could not be decrypted".into()))?,
        };
        std::str::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| Failure::Corrupt("the stored value is not UTF-8".into()))
    }

    /// Creates the item in the default collection, replacing one with the same
    /// attributes.
    async fn write(
        &self,
        label: &str,
        attributes: &HashMap<&str, &str>,
        secret: &Secret,
    ) -> Outcome<()> {
        let service = ObjectPath::from_static_str_unchecked(SERVICE_PATH);
        let collection: OwnedObjectPath = self
            .method(
                &service,
                "org.freedesktop.Secret.Service",
                "ReadAlias",
                &("default",),
            )
            .await?;
        if collection.as_str() == "/" {
            return Err(Failure::Unavailable(
                "the Secret Service has no default collection (create a keyring, e.g. by logging in to the desktop)".into(),
            ));
        }
        let (iv, sealed) = match &self.key {
            None => (Vec::new(), secret.expose().as_bytes().to_vec()),
            Some(key) => {
                let mut iv = [0u8; 16];
                getrandom::fill(&mut iv).map_err(|e| {
                    Failure::Unavailable(format!("no randomness for the session: {e}"))
                })?;
                let sealed = cbc::Encryptor::<aes::Aes128>::new_from_slices(key.as_ref(), &iv)
                    .map_err(|_| Failure::Unavailable("cannot set up encryption".into()))?
                    .encrypt_padded_vec_mut::<Pkcs7>(secret.expose().as_bytes());
                (iv.to_vec(), sealed)
            }
        };
        let sealed = zeroize::Zeroizing::new(sealed);
        let properties: HashMap<&str, Value> = HashMap::from([
            ("org.freedesktop.Secret.Item.Label", Value::from(label)),
            (
                "org.freedesktop.Secret.Item.Attributes",
                Value::from(attributes.clone()),
            ),
        ]);
        let value = (&self.path, iv, &*sealed, "text/plain");
        let (_, prompt): (OwnedObjectPath, OwnedObjectPath) = self
            .method(
                &collection,
                "org.freedesktop.Secret.Collection",
                "CreateItem",
                &(properties, value, true),
            )
            .await?;
        if prompt.as_str() != "/" {
            return Err(Failure::Locked);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::must_encrypt;

    #[test]
    fn secrets_go_plain_only_over_a_unix_socket_bus() {
        // zbus's default address, $XDG_RUNTIME_DIR/bus, is a Unix socket.
        assert!(!must_encrypt(None, None));
        assert!(!must_encrypt(Some("unix:path=/run/user/1000/bus"), None));
        assert!(!must_encrypt(
            Some("unix:abstract=/tmp/dbus-x,guid=1;unix:path=/tmp/b"),
            None
        ));
        assert!(must_encrypt(Some("tcp:host=127.0.0.1,port=5555"), None));
        assert!(must_encrypt(
            Some("unix:path=/tmp/b;tcp:host=10.0.0.2,port=1"),
            None
        ));
        assert!(must_encrypt(Some("unixexec:path=/usr/bin/ssh"), None));
        // Asked for by the user, whatever the bus.
        assert!(must_encrypt(Some("unix:path=/tmp/b"), Some("1")));
        assert!(!must_encrypt(Some("unix:path=/tmp/b"), Some("0")));
        assert!(!must_encrypt(Some("unix:path=/tmp/b"), Some("")));
    }
}
