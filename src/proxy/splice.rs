//! A response body moved from the upstream's socket to the client's without passing
//! through this process: splice(2) into a pipe and out of it again, the kernel
//! handing the pages on instead of copying them twice through user space. On a
//! download the proxy then costs about half the CPU of a copy, which is what lets it
//! keep up with a direct one when the upstream and the client share the cores
//! (BENCHMARKS.md). Where splice is not there (not Linux, or a kernel or sandbox that
//! refuses it for these sockets) and for small remainders, the bytes are copied.
//!
//! Our own code on libc rather than a crate: the two calls and a pipe are all it
//! takes, and tokio's readiness API (`ready`, `try_io`) does the waiting.
//!
//! A splice into a socket the client closed raises SIGPIPE (there is no
//! MSG_NOSIGNAL for it): this relies on the Rust runtime ignoring SIGPIPE, which
//! outbound never undoes.

use std::io;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Below this, a copy costs less than making a pipe.
const SMALL: u64 = 64 * 1024;

/// Moves `len` bytes (all there are, until the upstream closes, when None) from
/// `from` to `to`; an upstream that closes before `len` is an `UnexpectedEof`.
pub async fn body(from: &mut TcpStream, to: &TcpStream, len: Option<u64>) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if len.is_none_or(|n| n >= SMALL)
        && let Some(done) = linux::body(from, to, len).await
    {
        return done;
    }
    copy(from, to, len).await
}

/// All of `bytes` to `to`, through a shared reference (the client's socket is also
/// watched for hanging up meanwhile).
pub async fn write_all(to: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        to.writable().await?;
        match to.try_write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn copy(from: &mut TcpStream, to: &TcpStream, len: Option<u64>) -> io::Result<()> {
    let mut buf = vec![0u8; SMALL as usize];
    let mut left = len;
    loop {
        let want = match left {
            Some(0) => return Ok(()),
            Some(n) => n.min(SMALL) as usize,
            None => buf.len(),
        };
        let n = from.read(&mut buf[..want]).await?;
        if n == 0 {
            return match left {
                Some(_) => Err(io::ErrorKind::UnexpectedEof.into()),
                None => Ok(()),
            };
        }
        write_all(to, &buf[..n]).await?;
        if let Some(left) = &mut left {
            *left -= n as u64;
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

    use tokio::io::Interest;
    use tokio::net::TcpStream;

    /// The pipe's size for a body of a megabyte or more (four calls a megabyte).
    /// Pipe pages count against a per-user limit (/proc/sys/fs/pipe-user-pages-soft,
    /// 64 MiB by default) that every program of the user shares: 256 KiB keeps 256
    /// downloads at once within it. Bodies of unknown length keep the default 64 KiB.
    const LARGE_PIPE: libc::c_int = 256 * 1024;
    const LARGE_BODY: u64 = 1 << 20;

    struct Pipe {
        read: OwnedFd,
        write: OwnedFd,
        size: usize,
    }

    impl Pipe {
        fn new(large: bool) -> io::Result<Pipe> {
            let mut fds = [0 as RawFd; 2];
            // SAFETY: pipe2 writes two descriptors into the array it is given.
            if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: both descriptors were just opened and are owned by nobody else.
            let (read, write) =
                unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
            // SAFETY: fcntl on a descriptor we own; a refusal leaves the size it has.
            let size = unsafe {
                if large {
                    libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, LARGE_PIPE);
                }
                libc::fcntl(write.as_raw_fd(), libc::F_GETPIPE_SZ)
            };
            let size = if size > 0 { size as usize } else { 4096 };
            Ok(Pipe { read, write, size })
        }
    }

    fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
        // SAFETY: no offsets (both ends are a socket or a pipe), descriptors we hold.
        let n = unsafe {
            libc::splice(
                from,
                std::ptr::null_mut(),
                to,
                std::ptr::null_mut(),
                len,
                libc::SPLICE_F_MOVE | libc::SPLICE_F_NONBLOCK,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }

    /// One splice, waiting on `stream` until it is ready for it.
    async fn when_ready(
        stream: &TcpStream,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<usize>,
    ) -> io::Result<usize> {
        loop {
            stream.ready(interest).await?;
            match stream.try_io(interest, &mut op) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                done => return done,
            }
        }
    }

    /// None: splice is not available here and nothing was moved; copy instead.
    pub async fn body(
        from: &TcpStream,
        to: &TcpStream,
        len: Option<u64>,
    ) -> Option<io::Result<()>> {
        let pipe = Pipe::new(len.is_some_and(|n| n >= LARGE_BODY)).ok()?;
        let (source, sink) = (from.as_raw_fd(), to.as_raw_fd());
        let mut left = len;
        let mut first = true;
        while left != Some(0) {
            let want = left.map_or(pipe.size, |l| l.min(pipe.size as u64) as usize);
            let n = match when_ready(from, Interest::READABLE, || {
                splice(source, pipe.write.as_raw_fd(), want)
            })
            .await
            {
                Err(e) if first && unsupported(&e) => return None,
                Err(e) => return Some(Err(e)),
                Ok(0) if left.is_none() => break,
                Ok(0) => return Some(Err(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => n,
            };
            first = false;
            if let Some(left) = &mut left {
                *left -= n as u64;
            }
            let mut in_pipe = n;
            while in_pipe > 0 {
                match when_ready(to, Interest::WRITABLE, || {
                    splice(pipe.read.as_raw_fd(), sink, in_pipe)
                })
                .await
                {
                    Ok(0) => return Some(Err(io::ErrorKind::WriteZero.into())),
                    Ok(m) => in_pipe -= m,
                    Err(e) => return Some(Err(e)),
                }
            }
        }
        Some(Ok(()))
    }

    fn unsupported(e: &io::Error) -> bool {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    }
}
