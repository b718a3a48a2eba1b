//! supervise's control FIFO: creating and opening `supervise/control`, and handing every
//! pending command byte to the event loop in arrival order.
//!
//! supervise holds both ends so the read end never sees end-of-file and bytes sent before
//! the loop starts simply queue up. It must not interpret the bytes: that is `state.rs`.

use crate::error::Error;
use crate::svdir::CONTROL;
use crate::sys::{self, BorrowedFd, OwnedFd};

/// Bytes read from the FIFO per read(2); a burst longer than this takes several reads.
const CHUNK: usize = 64;

/// Both ends of `supervise/control`.
pub struct Control {
    read: OwnedFd,
    // Held only so the reader never sees end-of-file when the last svc closes.
    _write: OwnedFd,
}

impl Control {
    /// mkfifo at `path` (an existing one is reused), then opens it for reading and for
    /// writing, both non-blocking and close-on-exec (spec supervise.md §2 steps 7-8).
    pub fn open(dir: &[u8], path: &[u8]) -> Result<Control, Error> {
        let _ = sys::fifo::mkfifo(path);
        let read = sys::fd::open_read(path).map_err(Error::on(&[
            b"unable to read ",
            dir,
            b"/",
            CONTROL,
        ]))?;
        let write = sys::fd::open_write(path).map_err(Error::on(&[
            b"unable to write ",
            dir,
            b"/",
            CONTROL,
        ]))?;
        Ok(Control {
            read,
            _write: write,
        })
    }

    /// The read end, to poll for readability.
    pub fn fd(&self) -> BorrowedFd<'_> {
        use sys::AsFd;
        self.read.as_fd()
    }

    /// Appends every byte available now to `out`, in arrival order.
    pub fn read_pending(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; CHUNK];
        // Stops at EAGAIN (empty); any other error cannot happen on a FIFO we hold open,
        // and must never make the loop spin.
        while let Ok(n @ 1..) = sys::fd::read(&self.read, &mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
    }
}
