//! supervise's control FIFO: creating and opening `supervise/control`, and handing the
//! pending command bytes to the event loop in arrival order, a bounded batch at a time.
//!
//! supervise holds both ends so the read end never sees end-of-file and bytes sent before
//! the loop starts simply queue up. It must not interpret the bytes: that is `state.rs`.
//! A flood of bytes costs no memory: at most [`BATCH`] are taken per turn of the event loop,
//! the rest wait in the FIFO (whose writers block when it is full), as in 0.76, which reads
//! one byte per turn.

use crate::error::Error;
use crate::svdir::CONTROL;
use crate::sys::{self, BorrowedFd, OwnedFd};

/// Bytes taken from the FIFO per turn of the event loop; a longer burst takes several.
pub const BATCH: usize = 64;

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

    /// Up to [`BATCH`] of the bytes waiting, in arrival order (none when the FIFO is
    /// empty; any other error cannot happen on a FIFO held open, and must never make the
    /// loop spin).
    pub fn read_batch<'b>(&self, buf: &'b mut [u8; BATCH]) -> &'b [u8] {
        let n = sys::fd::read(&self.read, buf).unwrap_or(0);
        &buf[..n]
    }
}
