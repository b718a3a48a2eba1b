//! envdir: run a program with environment variables taken from the files of a directory.
//!
//! `envdir d child [args...]`: no options (a first argument `-x` is a directory). Every name
//! in `d` not starting with `.` edits the variable of that name (rules in `format::envfile`);
//! then the program is run with the edited environment, looked up in the *original* PATH.
//!
//! Beyond 0.76: a file is read only up to its first newline, and a first line longer than
//! the longest environment string a program can be given is not held whole (0.76 reads the
//! whole file, so `/dev/zero` or a huge file exhausts its memory); such a value makes the
//! run fail with "argument list too long", as 0.76's does when it has the memory.
//!
//! Exit codes: the program's; 111 for every failure, and also for a usage error (0.76 quirk).
//! Quirk kept: an entry whose open fails with ENOENT (a dangling symlink, a vanished file)
//! reuses the previous entry's buffer (see `envfile::stale_buffer`).

use crate::exit;
use crate::format::envfile;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "envdir";
const USAGE: &str = "envdir dir child";
/// Bytes read from a variable file at a time.
const READ_CHUNK: usize = 4096;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let (Some(dir), Some(_)) = (args.get(1), args.get(2)) else {
        exit::usage(PROG, USAGE, exit::TEMP)
    };
    let dir = dir.to_bytes();
    let edits = read_edits(dir);
    let env = envfile::apply(sys::env::current(), &edits);
    exit::run_or_die(PROG, &args[2..], Some(&env))
}

/// Reads every variable file of `dir` (in readdir order) into a list of edits, returning to
/// the starting directory afterwards.
fn read_edits(dir: &[u8]) -> Vec<Vec<u8>> {
    let start = sys::dir::open_cwd().unwrap_or_else(|e| {
        exit::die_sys(
            PROG,
            &[b"unable to switch to current directory"],
            e,
            exit::TEMP,
        )
    });
    if let Err(e) = sys::dir::chdir(dir) {
        exit::die_sys(
            PROG,
            &[b"unable to switch to directory ", dir],
            e,
            exit::TEMP,
        );
    }
    let names = sys::dir::names(b".").unwrap_or_else(|e| {
        exit::die_sys(PROG, &[b"unable to read directory ", dir], e, exit::TEMP)
    });
    let mut edits = Vec::new();
    let mut previous: Option<Vec<u8>> = None;
    for name in names.iter().filter(|n| n.first() != Some(&b'.')) {
        previous = match read_value(name) {
            Ok(Some(value)) => value,
            Ok(None) => envfile::value(&envfile::stale_buffer(previous.as_deref())),
            Err(e) => exit::die_sys(PROG, &[b"unable to read ", dir, b"/", name], e, exit::TEMP),
        };
        edits.push(envfile::edit(name, previous.as_deref()));
    }
    if let Err(e) = sys::dir::fchdir(&start) {
        exit::die_sys(
            PROG,
            &[b"unable to switch to starting directory"],
            e,
            exit::TEMP,
        );
    }
    edits
}

/// The value file `name` gives (`Some(None)`: remove the variable), or `None` when it does
/// not exist. Reads up to the first newline only, holding no more of the line than a
/// program could be given (see `envfile::ValueReader`).
fn read_value(name: &[u8]) -> sys::Result<Option<Option<Vec<u8>>>> {
    let fd = match sys::fd::open_read(name) {
        Ok(fd) => fd,
        Err(sys::Errno::NOENT) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut reader = envfile::ValueReader::new(sys::exec::string_max());
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        match sys::fd::read(&fd, &mut chunk)? {
            0 => break,
            n if reader.feed(&chunk[..n]) => break,
            _ => {}
        }
    }
    Ok(Some(reader.finish()))
}
