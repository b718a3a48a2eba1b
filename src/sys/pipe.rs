//! A pipe held open by its owner so that neither side's restart loses a byte or sees EOF.
//!
//! svscan keeps one such pipe per logged service. On Linux the two ends can be held by a
//! single descriptor, opened read-write through `/proc/self/fd` (a pipe opened `O_RDWR`
//! counts as both a reader and a writer), which halves the descriptors svscan needs; where
//! `/proc` is unavailable both ends are kept. Children get a plain read or write end.

use super::Result;
use rustix::fd::{AsRawFd, OwnedFd};
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
