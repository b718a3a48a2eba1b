//! Exit codes and the one message writer.
//!
//! Every diagnostic of every applet is built here in daemontools' grammar
//! (`prog: fatal: TEXT: ERRTEXT`, `prog: warning: TEXT`, `prog: usage: ...`) and leaves in
//! a single write(2) to fd 2. Only this module (and a forked child in `sys`) ends the process.

use crate::errtext;
use crate::sys;
use crate::sys::Errno;
use std::ffi::CStr;

/// Success.
pub const OK: u8 = 0;
/// Usage error or permanent failure.
pub const USAGE: u8 = 100;
/// Temporary failure: a system call failed.
pub const TEMP: u8 = 111;

/// The kind of message, which decides the word after the program name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Fatal,
    Warning,
    Usage,
}

impl Kind {
    fn word(self) -> &'static [u8] {
        match self {
            Kind::Fatal => b": fatal: ",
            Kind::Warning => b": warning: ",
            Kind::Usage => b": usage: ",
        }
    }
}

/// Builds `prog: KIND: pieces...[: errtext]\n` (pure, so it is testable).
pub fn compose(prog: &str, kind: Kind, pieces: &[&[u8]], errno: Option<Errno>) -> Vec<u8> {
    let mut line = Vec::with_capacity(128);
    line.extend_from_slice(prog.as_bytes());
    line.extend_from_slice(kind.word());
    for piece in pieces {
        line.extend_from_slice(piece);
    }
    if let Some(errno) = errno {
        line.extend_from_slice(b": ");
        line.extend_from_slice(errtext::text(errno).as_bytes());
    }
    line.push(b'\n');
    line
}

/// Writes a complete message to fd 2, ignoring errors (there is nowhere else to report them).
pub fn emit(line: &[u8]) {
    let _ = sys::fd::write_all(sys::fd::stderr(), line);
}

/// `prog: warning: pieces`.
pub fn warn(prog: &str, pieces: &[&[u8]]) {
    emit(&compose(prog, Kind::Warning, pieces, None));
}

/// `prog: warning: pieces: errtext`.
pub fn warn_sys(prog: &str, pieces: &[&[u8]], errno: Errno) {
    emit(&compose(prog, Kind::Warning, pieces, Some(errno)));
}

/// `prog: fatal: pieces`, then exit with `code`.
pub fn die(prog: &str, pieces: &[&[u8]], code: u8) -> ! {
    emit(&compose(prog, Kind::Fatal, pieces, None));
    sys::proc::exit(code)
}

/// `prog: fatal: pieces: errtext`, then exit with `code`.
pub fn die_sys(prog: &str, pieces: &[&[u8]], errno: Errno, code: u8) -> ! {
    fatal_sys(prog, pieces, errno, code);
    sys::proc::exit(code)
}

/// `prog: fatal: pieces: errtext`, without exiting; returns `code` for a caller that ends
/// the process itself (a child that failed to start its program).
pub fn fatal_sys(prog: &str, pieces: &[&[u8]], errno: Errno, code: u8) -> u8 {
    emit(&compose(prog, Kind::Fatal, pieces, Some(errno)));
    code
}

/// `prog: usage: text`, then exit 100 (or `code` for the odd applet such as envdir).
pub fn usage(prog: &str, text: &str, code: u8) -> ! {
    emit(&compose(prog, Kind::Usage, &[text.as_bytes()], None));
    sys::proc::exit(code)
}

/// A refused option: getopt's own line (`NAME: illegal option -- C`, NAME from `argv0`), then
/// the usage line, exit 100.
pub fn getopt_usage(prog: &str, text: &str, argv0: &[u8], error: crate::getopt::GetoptError) -> ! {
    emit(&crate::getopt::error_line(argv0, error));
    usage(prog, text, USAGE)
}

/// Bytes of the program name kept in the out-of-memory message.
const NAME_MAX: usize = 64;
/// What follows the name in the out-of-memory message.
const NO_MEMORY: &[u8] = b": fatal: out of memory\n";

/// `prog: fatal: out of memory`, then exit 111: daemontools' last words when an allocation
/// fails, built on the stack (nothing can be allocated any more). The name is the one the
/// program was invoked as.
pub fn out_of_memory() -> ! {
    let name = sys::args::program_name();
    let name = &name[..name.len().min(NAME_MAX)];
    let mut line = [0u8; NAME_MAX + NO_MEMORY.len()];
    line[..name.len()].copy_from_slice(name);
    line[name.len()..name.len() + NO_MEMORY.len()].copy_from_slice(NO_MEMORY);
    let _ = sys::fd::write_all(sys::fd::stderr(), &line[..name.len() + NO_MEMORY.len()]);
    sys::proc::exit(TEMP)
}

/// Runs `child` (argv; PATH searched in the original environment; `env` = `None` keeps the
/// environment) and returns only to die with `prog: fatal: unable to run X: ERRTEXT`, 111.
pub fn run_or_die(prog: &str, child: &[&CStr], env: Option<&[Vec<u8>]>) -> ! {
    let errno = sys::exec::pathexec(child, env);
    let name = child.first().map_or(&b""[..], |c| c.to_bytes());
    die_sys(prog, &[b"unable to run ", name], errno, TEMP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatal_with_errno() {
        assert_eq!(
            compose(
                "svok",
                Kind::Fatal,
                &[b"unable to chdir to ", b"nonexistent"],
                Some(Errno::NOENT)
            ),
            b"svok: fatal: unable to chdir to nonexistent: file does not exist\n"
        );
    }

    #[test]
    fn warning_without_errno() {
        assert_eq!(
            compose(
                "svc",
                Kind::Warning,
                &[b"unable to control ", b"svc1", b": supervise not running"],
                None
            ),
            b"svc: warning: unable to control svc1: supervise not running\n"
        );
    }

    #[test]
    fn usage_line() {
        assert_eq!(
            compose("supervise", Kind::Usage, &[b"supervise dir"], None),
            b"supervise: usage: supervise dir\n"
        );
    }
}
