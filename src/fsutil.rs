//! Small filesystem primitives shared by the configuration file and the file store:
//! private directories, atomic replacement, and cross-process locks.

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

    #[test]
    fn lock_path_sits_beside_the_file() {
        assert_eq!(
            lock_path_for(Path::new("/x/apps.toml")),
            PathBuf::from("/x/apps.toml.lock")
        );
    }
}
