//! The process environment as `NAME=VALUE` byte strings, in `environ` order.

use std::ffi::CStr;

unsafe extern "C" {
    static environ: *const *const std::ffi::c_char;
}

/// Copies `environ` (each entry `NAME=VALUE`, in order).
pub fn current() -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    // SAFETY: `environ` is the C library's NULL-terminated array; nothing in this
    // single-threaded program modifies it while we read it.
    unsafe {
        let mut p = environ;
        if p.is_null() {
            return entries;
        }
        while !(*p).is_null() {
            entries.push(CStr::from_ptr(*p).to_bytes().to_vec());
            p = p.add(1);
        }
    }
    entries
}

/// Pointers to the current `environ` entries (no terminating NULL), for execve.
pub fn current_ptrs() -> Vec<*const std::ffi::c_char> {
    let mut ptrs = Vec::new();
    // SAFETY: as in `current`.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            ptrs.push(*p);
            p = p.add(1);
        }
    }
    ptrs
}

/// The value of `name` in the environment, if set (the first entry wins). Only the value
/// is copied.
pub fn get(name: &[u8]) -> Option<Vec<u8>> {
    current_ptrs().into_iter().find_map(|p| {
        // SAFETY: `p` is an `environ` entry, a valid C string (see `current`).
        let entry = unsafe { CStr::from_ptr(p) }.to_bytes();
        let rest = entry.strip_prefix(name)?;
        rest.strip_prefix(b"=").map(<[u8]>::to_vec)
    })
}
