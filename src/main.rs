//! daemonbox: daemontools 0.76 as one multicall executable.
//!
//! The process entry point and the module tree, nothing else. `main` is the C entry point
//! (no Rust runtime start-up) so that signal dispositions, the signal mask and descriptors
//! 0-2 reach each applet exactly as `execve` left them: a supervisor's children inherit them.
#![cfg_attr(not(test), no_main)]
// Unit-test builds have no entry point, so the code reached only from it looks unused there.
#![cfg_attr(test, allow(dead_code))]

mod account;
mod alloc;
mod buffer;
mod error;
mod errtext;
mod exit;
mod format;
mod getopt;
mod hooks;
mod ident;
mod multicall;
mod path;
mod resolver;
mod svdir;
mod svwatch;
mod sys;
mod ucspi;

#[path = "../applets/mod.rs"]
mod applets;

/// The fuzz targets' checks, so that `cargo test` replays every committed fuzz corpus.
#[cfg(test)]
#[path = "../fuzz/checks/mod.rs"]
mod fuzz_checks;

/// Every allocation: an allocation failure is daemontools' "out of memory" and exit 111.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: alloc::Allocator = alloc::Allocator;

/// The C entry point: turns argv into `&CStr`s and hands them to the dispatcher.
///
/// # Safety
/// Called only by the C runtime with the argument vector the kernel built.
#[cfg(not(test))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn main(
    argc: core::ffi::c_int,
    argv: *const *const core::ffi::c_char,
) -> core::ffi::c_int {
    // SAFETY: the C runtime passes argc valid, NUL-terminated strings that live until exit.
    let args = unsafe { sys::args::from_raw(argc, argv) };
    core::ffi::c_int::from(multicall::run(&args))
}
