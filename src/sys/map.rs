//! Read-only file mappings (mmap), for databases read at random places (cdb).

use super::Result;
use rustix::fd::AsFd;
use rustix::mm::{MapFlags, ProtFlags};

/// A file mapped read-only; unmapped on drop. An empty file maps to an empty slice.
pub struct Mapping {
    ptr: *mut std::ffi::c_void,
    len: usize,
}

impl Mapping {
    /// fstat(2) then mmap(PROT_READ, MAP_SHARED) of the whole file.
    pub fn of(fd: impl AsFd) -> Result<Mapping> {
        let fd = fd.as_fd();
        let len = usize::try_from(super::fd::size(fd)?).map_err(|_| super::Errno::NOMEM)?;
        if len == 0 {
            return Ok(Mapping {
                ptr: std::ptr::null_mut(),
                len,
            });
        }
        // SAFETY: a fresh shared read-only mapping of `len` bytes at an address the kernel
        // picks; nothing else refers to it until this Mapping hands out borrows.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ,
                MapFlags::SHARED,
                fd,
                0,
            )?
        };
        Ok(Mapping { ptr, len })
    }

    /// The mapped bytes. (A file truncated while mapped makes reads past its new end fault,
    /// as in every mmap reader; tcprules replaces files by rename, never in place.)
    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` maps `len` readable bytes for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: unmapping exactly the region mmap returned, once.
            let _ = unsafe { rustix::mm::munmap(self.ptr, self.len) };
        }
    }
}
