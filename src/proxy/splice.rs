//! A response body moved from the upstream's socket to the client's without passing
//! through this process: splice(2) into a pipe and out of it again, the kernel
//! handing the pages on instead of copying them twice through user space. On a
//! download the proxy then costs about half the CPU of a copy, which is what lets it
//! keep up with a direct one when the upstream and the client share the cores
//! (BENCHMARKS.md). Where splice is not there (not Linux, or a kernel or sandbox that
//! refuses it for these sockets) the bytes are copied as usual.
//!
//! Our own code on libc rather than a crate: the two calls and a pipe are all it
//! takes, and tokio's readiness API (`ready`, `try_io`) does the waiting.

use std::io;

use tokio::net::TcpStream;

/// Moves exactly `len` bytes from `from` to `to`; an upstream that closes early is
/// an `UnexpectedEof`.
pub async fn body(from: &mut TcpStream, to: &mut TcpStream, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if let Some(done) = linux::body(from, to, len).await {
        return done;
    }
    copy(from, to, len).await
}

async fn copy(from: &mut TcpStream, to: &mut TcpStream, len: u64) -> io::Result<()> {
    use tokio::io::AsyncReadExt;
    let copied = tokio::io::copy(&mut from.take(len), to).await?;
    if copied < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

    use tokio::io::Interest;
    use tokio::net::TcpStream;

    /// The pipe's size asked for: the most an unprivileged process may set
    /// (/proc/sys/fs/pipe-max-size), so a few calls move a megabyte.
    const PIPE_SIZE: libc::c_int = 1 << 20;

    struct Pipe {
        read: OwnedFd,
        write: OwnedFd,
        size: usize,
    }

    impl Pipe {
        fn new() -> io::Result<Pipe> {
            let mut fds = [0 as RawFd; 2];
            // SAFETY: pipe2 writes two descriptors into the array it is given.
            if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: both descriptors were just opened and are owned by nobody else.
            let (read, write) =
                unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
            // SAFETY: fcntl on a descriptor we own; a refusal leaves the default size.
            let size = unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_SIZE) };
            let size = if size > 0 { size as usize } else { 1 << 16 };
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
        from: &mut TcpStream,
        to: &mut TcpStream,
        len: u64,
    ) -> Option<io::Result<()>> {
        let pipe = Pipe::new().ok()?;
        let (source, sink) = (from.as_raw_fd(), to.as_raw_fd());
        let mut left = len;
        while left > 0 {
            let want = left.min(pipe.size as u64) as usize;
            let n = match when_ready(from, Interest::READABLE, || {
                splice(source, pipe.write.as_raw_fd(), want)
            })
            .await
            {
                Err(e) if left == len && unsupported(&e) => return None,
                Err(e) => return Some(Err(e)),
                Ok(0) => return Some(Err(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => n,
            };
            left -= n as u64;
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
