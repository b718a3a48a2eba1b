//! Watching directories with inotify.
//!
//! [`DirWatch`] watches one directory for names that appear in it, for a scanner: names
//! created or moved in, and whether the kernel dropped events (the caller must then
//! rescan); it never interprets the names. [`ChangeWatch`] only says that something was
//! replaced in any of several directories (a record renamed into place), for a waiter that
//! then reads the records again.

use super::Result;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
use rustix::io::Errno;
use std::mem::MaybeUninit;

/// Bytes read from the inotify descriptor at a time (room for many events).
const EVENT_BUFFER: usize = 16 * 1024;

/// A watch on one directory.
pub struct DirWatch {
    fd: OwnedFd,
}

/// What one drain of the event queue found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Names created, moved in or changed, in event order (may repeat).
    pub names: Vec<Vec<u8>>,
    /// The queue overflowed or the directory itself changed: only a full rescan is exact.
    pub rescan: bool,
}

impl DirWatch {
    /// inotify_init1(IN_NONBLOCK|IN_CLOEXEC), then inotify_add_watch(path,
    /// IN_CREATE|IN_MOVED_TO|IN_ATTRIB|IN_ONLYDIR).
    pub fn new(path: &[u8]) -> Result<Self> {
        let fd = inotify::init(CreateFlags::NONBLOCK | CreateFlags::CLOEXEC)?;
        inotify::add_watch(
            &fd,
            path,
            WatchFlags::CREATE | WatchFlags::MOVED_TO | WatchFlags::ATTRIB | WatchFlags::ONLYDIR,
        )?;
        Ok(DirWatch { fd })
    }

    /// The descriptor to poll for readability.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// read(2) every pending event.
    pub fn drain(&self) -> Changes {
        let mut changes = Changes::default();
        let mut buf = vec![MaybeUninit::<u8>::uninit(); EVENT_BUFFER];
        let mut reader = inotify::Reader::new(&self.fd, &mut buf);
        loop {
            match reader.next() {
                Ok(event) => {
                    let flags = event.events();
                    if flags.intersects(
                        ReadFlags::QUEUE_OVERFLOW | ReadFlags::IGNORED | ReadFlags::UNMOUNT,
                    ) {
                        changes.rescan = true;
                    }
                    if let Some(name) = event.file_name() {
                        changes.names.push(name.to_bytes().to_vec());
                    }
                }
                Err(Errno::INTR) => continue,
                Err(_) => return changes,
            }
        }
    }
}

/// Several directories watched for files created or renamed into them (and for their own
/// removal), through one descriptor.
pub struct ChangeWatch {
    fd: OwnedFd,
}

impl ChangeWatch {
    /// inotify_init1(IN_NONBLOCK|IN_CLOEXEC).
    pub fn new() -> Result<Self> {
        let fd = inotify::init(CreateFlags::NONBLOCK | CreateFlags::CLOEXEC)?;
        Ok(ChangeWatch { fd })
    }

    /// inotify_add_watch(path, IN_CREATE|IN_MOVED_TO|IN_DELETE_SELF|IN_MOVE_SELF|IN_ONLYDIR).
    pub fn add(&self, path: &[u8]) -> Result<()> {
        let flags = WatchFlags::CREATE
            | WatchFlags::MOVED_TO
            | WatchFlags::DELETE_SELF
            | WatchFlags::MOVE_SELF
            | WatchFlags::ONLYDIR;
        inotify::add_watch(&self.fd, path, flags).map(drop)
    }

    /// The descriptor to poll for readability.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// read(2) until the queue is empty; the events themselves do not matter.
    pub fn drain(&self) {
        let mut buf = [0u8; EVENT_BUFFER];
        while let Ok(1..) = super::fd::read(&self.fd, &mut buf) {}
    }
}
