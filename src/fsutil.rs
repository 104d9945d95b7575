//! Small filesystem primitives shared by the configuration file and the file store:
//! private directories, atomic replacement, cross-process locks, and the one reader
//! of files that hold a private key.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` (and parents) with mode 0700 when it does not exist yet. An existing
/// directory keeps its mode: an administrator may share one on purpose.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// Opens `path` for appending (a log), created 0600, never through a symlink.
pub fn open_append_private(path: &Path) -> io::Result<File> {
    ensure_private_dir(&parent_dir(path))?;
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same directory,
/// fsync, rename, fsync of the directory. A reader sees the old file or the new one,
/// never a torn write, and a crash leaves one of the two. A new file is 0600; an
/// existing file keeps its mode.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    prepare_atomic(path, bytes)?.commit()
}

/// A replacement written and synced beside its target, not yet in place: proof that
/// the write can happen, before doing anything that must not happen without it.
/// Dropped without [`Prepared::commit`], it leaves the target untouched.
pub struct Prepared {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    /// Synced after the rename (where a directory can be opened: Unix).
    #[cfg(unix)]
    dir: PathBuf,
}

/// The first half of [`write_atomic`]: everything but the rename.
///
/// The caller holds the lock that guards `path`, so any temporary file of `path`
/// already there was left by a writer that died before its rename: it is removed
/// first, and killed writers leave no litter that grows.
pub fn prepare_atomic(path: &Path, bytes: &[u8]) -> io::Result<Prepared> {
    let dir = parent_dir(path);
    ensure_private_dir(&dir)?;
    let prefix = temp_prefix(path);
    remove_stale_temps(&dir, &prefix);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RAND)
        .tempfile_in(&dir)?;
    #[cfg(unix)]
    {
        let mode = fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o600);
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(Prepared {
        tmp,
        path: path.to_path_buf(),
        #[cfg(unix)]
        dir,
    })
}

impl Prepared {
    /// Puts the replacement in place.
    pub fn commit(self) -> io::Result<()> {
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        #[cfg(unix)]
        File::open(&self.dir)?.sync_all()?;
        Ok(())
    }
}

const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RAND: usize = 6;

/// `.apps.toml.`: the start of every temporary file that replaces `apps.toml`.
fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Removes `dir`'s temporary files named for one target (`{prefix}XXXXXX.tmp`): a
/// best effort, as a failure here loses nothing.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_ours = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
            .is_some_and(|rand| {
                rand.len() == TEMP_RAND && rand.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if is_ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The bytes of `path`, or None when it does not exist (any other failure is one).
pub fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why a file that holds a private key was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateFileError {
    /// Its mode lets group or others at it: refused, as ssh and libpq refuse such keys.
    Exposed(String),
    /// It could not be opened or read (missing, a directory, no permission).
    Unreadable(String),
}

impl PrivateFileError {
    pub fn message(&self) -> &str {
        match self {
            PrivateFileError::Exposed(m) | PrivateFileError::Unreadable(m) => m,
        }
    }
}

impl std::fmt::Display for PrivateFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// A key file given on the command line is the command line's problem (exit 2).
impl From<PrivateFileError> for crate::error::Error {
    fn from(e: PrivateFileError) -> Self {
        crate::error::Error::Usage(match e {
            PrivateFileError::Exposed(m) | PrivateFileError::Unreadable(m) => m,
        })
    }
}

/// The bytes of a file that holds a private key (`what` names where it was given:
/// `--private-key`, `OUTBOUND_STORE_KEY_FILE`, …). On Unix a file whose mode grants
/// anything to group or others is refused, as ssh and libpq refuse such keys: the
/// key may already be another user's, and reading it silently teaches that this is
/// fine. The mode is the opened file's (no window between check and read); a
/// symlink is followed, as ssh does. Elsewhere it is only read.
pub fn read_private_file(path: &Path, what: &str) -> Result<Vec<u8>, PrivateFileError> {
    use std::io::Read;
    let unreadable =
        |e: io::Error| PrivateFileError::Unreadable(format!("{what} {}: {e}", path.display()));
    let file = File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.is_dir() {
        return Err(PrivateFileError::Unreadable(format!(
            "{what} {}: a directory, not a key file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(PrivateFileError::Exposed(format!(
                "{what} {}: mode {mode:04o} gives group or others access to this private key, so it is not used\n  fix: chmod 600 {}",
                path.display(),
                path.display()
            )));
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_PRIVATE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_PRIVATE_FILE {
        return Err(PrivateFileError::Unreadable(format!(
            "{what} {}: larger than {} KiB, not a key file",
            path.display(),
            MAX_PRIVATE_FILE / 1024
        )));
    }
    Ok(bytes)
}

/// The most [`read_private_file`] reads: keys, certificates and their chains are a
/// few KiB; `/dev/zero` given by mistake must not fill memory.
const MAX_PRIVATE_FILE: u64 = 1024 * 1024;

/// An exclusive advisory lock on `path`, held until the returned file is dropped. The
/// OS releases it when the process dies, so a killed process never blocks others.
pub fn lock_exclusive(path: &Path) -> io::Result<File> {
    let file = open_lock_file(path)?;
    file.lock()?;
    Ok(file)
}

/// An exclusive lock on the directory that holds `path` (created private if missing),
/// held until the returned handle is dropped: the lock of a file that is shared (a
/// configuration kept in git or used by a team), which leaves no lock file beside
/// it and is seen by every user who can write there. Where a directory cannot be
/// opened as a file (Windows), a lock file beside `path` instead.
pub fn lock_directory_of(path: &Path) -> io::Result<File> {
    let dir = parent_dir(path);
    ensure_private_dir(&dir)?;
    #[cfg(unix)]
    {
        let file = File::open(&dir)?;
        file.lock()?;
        Ok(file)
    }
    #[cfg(not(unix))]
    lock_exclusive(&lock_path_for(path))
}

/// Opens (creating, mode 0600 whatever the umask allows beyond it) a lock file, in
/// a private directory; locking it is the caller's.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    ensure_private_dir(&parent_dir(path))?;
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path of the lock file that guards `path`.
pub fn lock_path_for(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_private_file_and_keeps_existing_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/apps.toml");
        write_atomic(&path, b"a = 1\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a = 1\n");
        #[cfg(unix)]
        {
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            write_atomic(&path, b"a = 2\n").unwrap();
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "a = 2\n");
    }

    #[test]
    fn stale_temporary_files_of_the_target_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apps.toml");
        let stale = dir.path().join(".apps.toml.a1B2c3.tmp");
        let other = dir.path().join(".other.toml.a1B2c3.tmp");
        let near = dir.path().join(".apps.toml.notours.tmp");
        for f in [&stale, &other, &near] {
            fs::write(f, "x").unwrap();
        }
        let _held = lock_directory_of(&path).unwrap();
        write_atomic(&path, b"a = 1\n").unwrap();
        assert!(!stale.exists());
        assert!(other.exists() && near.exists());
        // The target and the two others: no temporary file of this write is left.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_readable_by_others_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        fs::write(&path, "KEY").unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o660] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let e = read_private_file(&path, "--private-key").unwrap_err();
            let PrivateFileError::Exposed(m) = &e else {
                panic!("{mode:o}: {e:?}")
            };
            assert!(m.contains(&format!("{mode:04o}")), "{m}");
            assert!(m.contains(&format!("chmod 600 {}", path.display())), "{m}");
            assert!(m.starts_with("--private-key "), "{m}");
            assert!(!m.contains("KEY"), "{m}");
        }
        for mode in [0o600, 0o400, 0o700] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(read_private_file(&path, "x").unwrap(), b"KEY");
        }
        let missing = read_private_file(&dir.path().join("none"), "x").unwrap_err();
        assert!(matches!(missing, PrivateFileError::Unreadable(_)));
        let a_dir = read_private_file(dir.path(), "x").unwrap_err();
        assert!(matches!(a_dir, PrivateFileError::Unreadable(_)));
    }

    #[test]
    fn lock_path_sits_beside_the_file() {
        assert_eq!(
            lock_path_for(Path::new("/x/apps.toml")),
            PathBuf::from("/x/apps.toml.lock")
        );
    }
}
