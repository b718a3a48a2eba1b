//! envdir: run a program with environment variables taken from the files of a directory.
//!
//! `envdir d child [args...]`: no options (a first argument `-x` is a directory). Every name
//! in `d` not starting with `.` edits the variable of that name (rules in `format::envfile`);
//! then the program is run with the edited environment, looked up in the *original* PATH.
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
        let content = match read_entry(name) {
            Ok(Some(content)) => content,
            Ok(None) => envfile::stale_buffer(previous.as_deref()),
            Err(e) => exit::die_sys(PROG, &[b"unable to read ", dir, b"/", name], e, exit::TEMP),
        };
        previous = envfile::value(&content);
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

/// The whole content of `name`, or `None` when it does not exist.
fn read_entry(name: &[u8]) -> sys::Result<Option<Vec<u8>>> {
    match sys::fd::open_read(name) {
        Ok(fd) => sys::fd::read_to_end(&fd).map(Some),
        Err(sys::Errno::NOENT) => Ok(None),
        Err(e) => Err(e),
    }
}
