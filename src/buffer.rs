//! Buffered output over a descriptor with explicit flushes.
//!
//! Nothing is written until the buffer fills or the owner calls `flush`; filters flush
//! before every blocking read and before exit (never line-buffered). Write errors are
//! returned to the caller, which decides what they mean for its applet. [`filter`] is the
//! read-transform-write loop of the line filters, which write whole chunks instead.

use crate::format::lines::Stage;
use crate::sys::{self, BorrowedFd, Errno};

/// An output buffer bound to one descriptor.
pub struct Buffer<'fd> {
    fd: BorrowedFd<'fd>,
    data: Vec<u8>,
    capacity: usize,
}

impl<'fd> Buffer<'fd> {
    /// A buffer that writes to `fd` once `capacity` bytes are pending.
    pub fn new(fd: BorrowedFd<'fd>, capacity: usize) -> Self {
        Buffer {
            fd,
            data: Vec::with_capacity(capacity),
            capacity,
        }
    }

    /// Appends bytes, writing out whole buffers as they fill.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        if self.data.len() + bytes.len() > self.capacity {
            self.flush()?;
            if bytes.len() >= self.capacity {
                return sys::fd::write_all(self.fd, bytes);
            }
        }
        self.data.extend_from_slice(bytes);
        Ok(())
    }

    /// Writes everything pending.
    pub fn flush(&mut self) -> Result<(), Errno> {
        let result = sys::fd::write_all(self.fd, &self.data);
        self.data.clear();
        result
    }
}

/// The loop of a stdin-to-stdout filter (tai64n, tai64nlocal): reads up to `chunk_len` bytes,
/// lets `feed` append the output for them to a stage, writes the stage out whole before the
/// next read (so nothing waits in a buffer while the filter blocks), and repeats until end
/// of input. A failed read or write ends it with that error.
pub fn filter(chunk_len: usize, mut feed: impl FnMut(&[u8], &mut Stage)) -> Result<(), Errno> {
    let mut stage = Stage::new(2 * chunk_len);
    let mut chunk = vec![0u8; chunk_len];
    loop {
        match sys::fd::read(sys::fd::stdin(), &mut chunk)? {
            0 => return Ok(()),
            n => feed(&chunk[..n], &mut stage),
        }
        sys::fd::write_all(sys::fd::stdout(), stage.as_slice())?;
        stage.clear();
    }
}
