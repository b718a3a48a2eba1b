//! Buffered output over a descriptor with explicit flushes.
//!
//! Nothing is written until the buffer fills or the owner calls `flush`; filters flush
//! before every blocking read and before exit (never line-buffered). Write errors are
//! returned to the caller, which decides what they mean for its applet.

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

    /// Bytes pending.
    pub fn pending(&self) -> usize {
        self.data.len()
    }
}
