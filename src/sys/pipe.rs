//! Pipes: one held open by its owner so that neither side's restart loses a byte or sees
//! EOF, and reading a pipe without consuming it (tee, then splice what is done with).
//!
//! svscan keeps one such pipe per logged service. On Linux the two ends can be held by a
//! single descriptor, opened read-write through `/proc/self/fd` (a pipe opened `O_RDWR`
//! counts as both a reader and a writer), which halves the descriptors svscan needs; where
//! `/proc` is unavailable both ends are kept. Children get a plain read or write end.

use super::Result;
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::fs::{Mode, OFlags};

enum Ends {
    Shared(OwnedFd),
    Pair { read: OwnedFd, write: OwnedFd },
}

/// A pipe whose ends stay open, close-on-exec, as long as this value lives.
pub struct HeldPipe(Ends);

fn proc_path(fd: &OwnedFd) -> Vec<u8> {
    format!("/proc/self/fd/{}", fd.as_raw_fd()).into_bytes()
}

fn reopen(fd: &OwnedFd, flags: OFlags) -> Result<OwnedFd> {
    rustix::fs::open(proc_path(fd), flags | OFlags::CLOEXEC, Mode::empty())
}

impl HeldPipe {
    /// pipe2(O_CLOEXEC), then open("/proc/self/fd/N", O_RDWR|O_CLOEXEC) to hold both ends
    /// with one descriptor (the two original ends are closed when that works).
    pub fn new() -> Result<Self> {
        let (read, write) = super::fd::pipe()?;
        Ok(HeldPipe(match reopen(&read, OFlags::RDWR) {
            Ok(both) => Ends::Shared(both),
            Err(_) => Ends::Pair { read, write },
        }))
    }

    /// A read-only end (close-on-exec), to hand to a child.
    pub fn read_end(&self) -> Result<OwnedFd> {
        self.end(OFlags::RDONLY)
    }

    /// A write-only end (close-on-exec), to hand to a child.
    pub fn write_end(&self) -> Result<OwnedFd> {
        self.end(OFlags::WRONLY)
    }

    fn end(&self, flags: OFlags) -> Result<OwnedFd> {
        match &self.0 {
            Ends::Pair { read, write } => {
                let end = if flags == OFlags::RDONLY { read } else { write };
                super::fd::dup(end)
            }
            // The shared descriptor keeps a reader and a writer, so this open never blocks.
            Ends::Shared(both) => reopen(both, flags).or_else(|_| super::fd::dup(both)),
        }
    }
}

/// fstat(2): is `fd` a pipe or FIFO (so that `tee` and `splice` work on it)?
pub fn is_pipe(fd: impl AsFd) -> bool {
    rustix::fs::fstat(fd).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo
    })
}

/// tee(2), non-blocking: copies up to `len` bytes from the front of pipe `from` into pipe
/// `to` without consuming them (EAGAIN when `from` is empty; 0 at its end of file).
pub fn tee(from: impl AsFd, to: impl AsFd, len: usize) -> Result<usize> {
    loop {
        match rustix::pipe::tee(
            from.as_fd(),
            to.as_fd(),
            len,
            rustix::pipe::SpliceFlags::NONBLOCK,
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// splice(2), non-blocking: moves up to `len` bytes from the front of pipe `from` to `to`
/// (for example /dev/null, to drop them without copying).
pub fn splice(from: impl AsFd, to: impl AsFd, len: usize) -> Result<usize> {
    loop {
        match rustix::pipe::splice(
            from.as_fd(),
            None,
            to.as_fd(),
            None,
            len,
            rustix::pipe::SpliceFlags::NONBLOCK,
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// ioctl(FIONREAD): how many bytes pipe `fd` holds.
pub fn queued(fd: impl AsFd) -> Result<usize> {
    rustix::io::ioctl_fionread(fd).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// fcntl(F_GETPIPE_SZ, F_SETPIPE_SZ): raises the capacity of pipe `fd` to at least `size`
/// bytes where the system allows it (never lowers it; a refusal is ignored).
pub fn grow(fd: impl AsFd, size: usize) {
    let fd = fd.as_fd();
    if rustix::pipe::fcntl_getpipe_size(fd).is_ok_and(|now| now < size) {
        let _ = rustix::pipe::fcntl_setpipe_size(fd, size);
    }
}
