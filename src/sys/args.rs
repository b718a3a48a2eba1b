//! The argument vector as the kernel passed it.
//!
//! Owns the one conversion from the C `argv` to `&CStr`s. The strings are borrowed from the
//! process's original argument memory (never copied), which is what lets readproctitle
//! rewrite its own command line in place.

use std::ffi::{CStr, c_char, c_int};

/// Wraps the C argument vector.
///
/// # Safety
/// `argv` must point to `argc` valid NUL-terminated strings that live for the whole process.
pub unsafe fn from_raw(argc: c_int, argv: *const *const c_char) -> Vec<&'static CStr> {
    let count = usize::try_from(argc).unwrap_or(0);
    (0..count)
        // SAFETY: guaranteed by the caller; each pointer is a C string valid until exit.
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) })
        .collect()
}

/// Overwrites the bytes of an argument string in place (same length, no NUL added), so that
/// `/proc/PID/cmdline` shows the new text.
///
/// # Safety
/// `arg` must be one of the strings returned by [`from_raw`] (memory owned by the process
/// and writable), and nothing may read it as `&CStr` while it changes except through this
/// function's callers, which must treat its contents as opaque afterwards.
pub unsafe fn overwrite_in_place(arg: &CStr, bytes: &[u8]) {
    let len = arg.to_bytes().len().min(bytes.len());
    let dst = arg.as_ptr() as *mut u8;
    // SAFETY: `dst..dst+len` lies inside the argument string (len ≤ its length), which the
    // kernel placed in writable stack memory; volatile so the stores are not elided.
    for (i, &b) in bytes[..len].iter().enumerate() {
        unsafe { dst.add(i).write_volatile(b) };
    }
}

unsafe extern "C" {
    /// The basename of argv[0], set by the C library at start-up (glibc and musl).
    static program_invocation_short_name: *const c_char;
}

/// The program's name as invoked (basename of argv[0]), read without allocating: for the
/// last message of a process that has run out of memory.
pub fn program_name() -> &'static [u8] {
    // SAFETY: the C library sets the pointer before main to a string inside argv[0] (or
    // leaves it null), and nothing changes it afterwards.
    unsafe {
        let name = program_invocation_short_name;
        if name.is_null() {
            return b"daemonbox";
        }
        CStr::from_ptr(name).to_bytes()
    }
}
