//! svok: does a supervise process run in this service directory?
//!
//! `svok dir` (only the first argument counts). Exit 0 when `dir/supervise/ok` can be opened
//! for writing without blocking (a supervise holds its read end), 100 when it cannot (ENOENT
//! or ENXIO) or with no argument (usage), 111 on other errors. Like 0.76, a regular file named
//! `ok` also counts as running; nothing is ever written to the FIFO.

use crate::exit;
use crate::svdir::{self, ServiceDir};
use crate::sys::{self, Errno};
use std::ffi::CStr;

const PROG: &str = "svok";
const USAGE: &str = "svok dir";

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let Some(dir) = args.get(1).map(|a| a.to_bytes()) else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    if let Err(e) = sys::dir::chdir(dir) {
        exit::die_sys(PROG, &[b"unable to chdir to ", dir], e, exit::TEMP);
    }
    match ServiceDir::current(dir).supervise_running() {
        Ok(true) => exit::OK,
        Ok(false) | Err(Errno::NOENT) => exit::USAGE,
        Err(e) => exit::die_sys(
            PROG,
            &[b"unable to open ", dir, b"/", svdir::OK],
            e,
            exit::TEMP,
        ),
    }
}
