//! fghack: run a program that backgrounds itself, and wait until it and everything it started
//! have finished.
//!
//! `fghack child [args...]`: no options. The program runs in a child holding 31 copies of a
//! pipe's write end (the original and 30 dups at the lowest free numbers, none close-on-exec);
//! fghack reads the pipe until every copy is closed, then waits for the direct child.
//!
//! Exit codes: the child's exit code; 100 usage; 111 pipe, fork or wait failure, the program
//! cannot be run, or the child was killed by a signal (`child crashed`). A daemon that keeps
//! one of the descriptors open forever keeps fghack waiting forever (0.76 behaviour).

use crate::exit;
use crate::sys::{self, OwnedFd};
use std::ffi::CStr;

const PROG: &str = "fghack";
const USAGE: &str = "fghack child";
/// Extra copies of the write end the program gets.
const WRITE_END_COPIES: usize = 30;
/// Bytes drained from the pipe per read (the data itself is discarded).
const DRAIN_SIZE: usize = 512;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    if args.len() < 2 {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let child = &args[1..];
    let (read_end, write_end) = sys::fd::pipe()
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to create pipe"], e, exit::TEMP));
    let pid = match sys::proc::fork() {
        Err(e) => exit::die_sys(PROG, &[b"unable to fork"], e, exit::TEMP),
        Ok(sys::proc::Forked::Child) => {
            drop(read_end);
            run_child(child, write_end)
        }
        Ok(sys::proc::Forked::Parent(pid)) => pid,
    };
    drop(write_end);
    let mut sink = [0u8; DRAIN_SIZE];
    while let Ok(1..) = sys::fd::read(&read_end, &mut sink) {}
    let status = sys::proc::wait_pid(pid)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"wait failed"], e, exit::TEMP));
    match status.exit_code() {
        Some(code) => code,
        None => exit::die(PROG, &[b"child crashed"], exit::TEMP),
    }
}

/// In the forked child: spreads the write end over 31 inheritable descriptors and runs the
/// program; never returns.
fn run_child(child: &[&CStr], write_end: OwnedFd) -> ! {
    // Failures here only mean fewer copies, as in 0.76, which ignores dup errors.
    let _ = sys::fd::set_cloexec(&write_end, false);
    let _copies: Vec<OwnedFd> = (0..WRITE_END_COPIES)
        .filter_map(|_| sys::fd::dup_inheritable(&write_end).ok())
        .collect();
    exit::run_or_die(PROG, child, None)
}
