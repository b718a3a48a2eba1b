//! The memory allocator: the C library's, except that a failed allocation ends the process
//! with daemontools' `PROG: fatal: out of memory` and exit code 111 (its `nomem`), instead
//! of the abort (a signal) that Rust's default handler gives.
//!
//! Buffers that grow with their input are bounded where they are filled; this is the net
//! under everything else (a tiny address-space limit, a machine out of memory).

use std::alloc::{GlobalAlloc, Layout, System};

/// [`System`], dying in daemontools' words when it fails.
pub struct Allocator;

fn checked(ptr: *mut u8) -> *mut u8 {
    if ptr.is_null() {
        crate::exit::out_of_memory();
    }
    ptr
}

// SAFETY: every call is passed on to `System` unchanged; only a null result is handled.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees are `System.alloc`'s.
        checked(unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        checked(unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; on failure the old block stays valid and is abandoned.
        checked(unsafe { System.realloc(ptr, layout, new_size) })
    }
}
