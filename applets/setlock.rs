//! setlock: run a program while holding an exclusive flock(2) on a file.
//!
//! `setlock [-nNxX] file program [args...]`. The file is opened like every daemontools lock
//! (append, created 0600 minus umask, never truncated, O_NONBLOCK) and locked with
//! `flock(LOCK_EX)`, or `LOCK_EX|LOCK_NB` with `-n`. The descriptor is *not* close-on-exec:
//! the program inherits it (O_APPEND|O_NONBLOCK kept), so the lock lasts as long as the
//! program and whatever inherits it. `-N` (wait, default) and `-n`, `-X` (report failures,
//! default) and `-x` (exit 0 silently when the file cannot be opened or locked): the last of
//! each pair wins.
//!
//! Exit codes: the program's; 100 usage; 111 open, lock or exec failure (0 with `-x` for the
//! first two).

use crate::exit;
use crate::getopt::Getopt;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "setlock";
const USAGE: &str = "setlock [ -nNxX ] file program [ arg ... ]";
const OPTIONS: &[u8] = b"nNxX";

/// The choices the flags make.
struct Flags {
    nonblocking: bool,
    quiet_failure: bool,
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let mut flags = Flags {
        nonblocking: false,
        quiet_failure: false,
    };
    let mut opts = Getopt::new(args.get(1..).unwrap_or_default(), OPTIONS);
    for opt in opts.by_ref() {
        match opt.map(|o| o.letter) {
            Ok(b'n') => flags.nonblocking = true,
            Ok(b'N') => flags.nonblocking = false,
            Ok(b'x') => flags.quiet_failure = true,
            // `X`, the only letter left.
            Ok(_) => flags.quiet_failure = false,
            Err(e) => exit::getopt_usage(PROG, USAGE, argv0, e),
        }
    }
    let [file, program @ ..] = opts.operands() else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    if program.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let file = file.to_bytes();
    // The descriptor must outlive the exec: it is bound here and never dropped.
    let _fd = match open_locked(file, flags.nonblocking) {
        Ok(fd) => fd,
        Err(_) if flags.quiet_failure => return exit::OK,
        Err((what, e)) => exit::die_sys(PROG, &[what, file], e, exit::TEMP),
    };
    exit::run_or_die(PROG, program, None)
}

/// Opens `file` for the program to inherit and locks it; on failure, the words of the
/// message and the errno.
fn open_locked(
    file: &[u8],
    nonblocking: bool,
) -> Result<sys::OwnedFd, (&'static [u8], sys::Errno)> {
    let opened =
        sys::fd::open_append(file).and_then(|fd| sys::fd::set_cloexec(&fd, false).map(|()| fd));
    let fd = opened.map_err(|e| (&b"unable to open "[..], e))?;
    let locked = if nonblocking {
        sys::lock::lock_exclusive_nonblocking(&fd)
    } else {
        sys::lock::lock_exclusive(&fd)
    };
    locked.map_err(|e| (&b"unable to lock "[..], e))?;
    Ok(fd)
}
