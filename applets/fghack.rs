//! fghack: run a program that backgrounds itself, and wait until it and everything it started
//! have finished.
//!
//! `fghack child [args...]`: no options. The program runs in a child holding 31 copies of a
//! pipe's write end (the original and 30 at the numbers 0.76's dups take, none close-on-exec);
//! fghack reads the pipe until every copy is closed, then waits for the direct child.
//!
//! Exit codes: the child's exit code; 100 usage; 111 pipe, fork or wait failure, the program
//! cannot be run, or the child was killed by a signal (`child crashed`). A daemon that keeps
//! one of the descriptors open forever keeps fghack waiting forever (0.76 behaviour).

use crate::exit;
use crate::sys::spawn::{Program, Source, Spawn};
use crate::sys::{self, AsFd, OwnedFd};
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
    let pid = start(child, &read_end, &write_end)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to fork"], e, exit::TEMP));
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

/// Starts the program with the write end on its own number and on the numbers 0.76's child
/// gives its 30 copies: the lowest free ones once the read end is closed. They are found by
/// taking 30 numbers here (where the read end is still open), adding the read end's, and
/// keeping the lowest 30. Failed dups only mean fewer copies, as 0.76 ignores dup errors.
fn start(child: &[&CStr], read_end: &OwnedFd, write_end: &OwnedFd) -> sys::Result<i32> {
    let probes: Vec<OwnedFd> = (0..WRITE_END_COPIES)
        .filter_map(|_| sys::fd::dup(write_end).ok())
        .collect();
    let taken = probes.iter().map(sys::fd::number);
    let targets = copy_numbers(sys::fd::number(read_end), taken);
    let mut spawn = Spawn::new(Program::Search, child)
        .fd(Source::Dup(write_end.as_fd()), sys::fd::number(write_end));
    for target in targets {
        spawn = spawn.fd(Source::Dup(write_end.as_fd()), target);
    }
    spawn.start(|failure| {
        let name = child[0].to_bytes();
        exit::fatal_sys(PROG, &[b"unable to run ", name], failure.errno, exit::TEMP)
    })
}

/// The copies' numbers (pure): the lowest of `taken` and `freed`, as many as `taken` has.
fn copy_numbers(freed: i32, taken: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut numbers: Vec<i32> = taken.collect();
    let count = numbers.len();
    numbers.push(freed);
    numbers.sort_unstable();
    numbers.truncate(count);
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_freed_read_end_is_reused_first() {
        assert_eq!(copy_numbers(3, [5, 6, 7].into_iter()), [3, 5, 6]);
        assert_eq!(copy_numbers(9, [0, 5, 6].into_iter()), [0, 5, 6]);
        assert_eq!(copy_numbers(3, std::iter::empty()), Vec::<i32>::new());
    }
}
