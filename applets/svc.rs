//! svc: sends command bytes to the supervise processes of service directories.
//!
//! `svc [-udopchaitkx]... dir...`. The letters are sent in order of first appearance,
//! duplicates dropped, in one write per directory (spec supervise.md §5). Each directory is
//! reached from the original working directory. A directory that cannot be controlled gets a
//! warning and the next one is tried; the exit code is 0 whatever happened, 100 for a bad
//! option (nothing sent), 111 when the working directory cannot be opened or restored.
//! SIGPIPE is ignored so that a supervise dying mid-write is a warning, not a kill.

use crate::exit;
use crate::getopt::{self, Getopt};
use crate::svdir::ServiceDir;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "svc";
const OPTIONS: &[u8] = b"udopchaitkx";
/// svc's usage line, printed without the usual `svc: usage:` prefix.
const USAGE_LINE: &[u8] = b"svc options: u up, d down, o once, x exit, p pause, c continue, \
h hup, a alarm, i interrupt, t term, k kill\n";
/// At most this many distinct letters are kept (0.76's buffer; only 11 letters exist).
const MAX_COMMANDS: usize = 20;

/// The command bytes for the options in `args` (argv without argv[0]): first-appearance
/// order, no duplicates. Returns the operands too.
fn commands<'a>(args: &'a [&'a CStr]) -> Result<(Vec<u8>, &'a [&'a CStr]), getopt::GetoptError> {
    let mut letters = Vec::with_capacity(MAX_COMMANDS);
    let mut opts = Getopt::new(args, OPTIONS);
    for opt in opts.by_ref() {
        let letter = opt?.letter;
        if !letters.contains(&letter) && letters.len() < MAX_COMMANDS {
            letters.push(letter);
        }
    }
    Ok((letters, opts.operands()))
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let (data, dirs) = match commands(args.get(1..).unwrap_or_default()) {
        Ok(parsed) => parsed,
        Err(e) => {
            exit::emit(&getopt::error_line(argv0, e));
            exit::emit(USAGE_LINE);
            return exit::USAGE;
        }
    };
    let _ = sys::signal::ignore(sys::signal::SIGPIPE);
    let origin = sys::dir::open_cwd().unwrap_or_else(|e| {
        exit::die_sys(PROG, &[b"unable to open current directory"], e, exit::TEMP)
    });
    for dir in dirs.iter().map(|d| d.to_bytes()) {
        if let Err(e) = sys::dir::chdir(dir) {
            exit::warn_sys(PROG, &[b"unable to chdir to ", dir], e);
            continue;
        }
        if let Err(e) = ServiceDir::current(dir).control(&data) {
            e.warn(PROG);
        }
        if let Err(e) = sys::dir::fchdir(&origin) {
            exit::die_sys(PROG, &[b"unable to set directory"], e, exit::TEMP);
        }
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&CStr]) -> Result<(Vec<u8>, usize), getopt::GetoptError> {
        commands(words).map(|(data, rest)| (data, rest.len()))
    }

    #[test]
    fn first_appearance_order_without_duplicates() {
        assert_eq!(
            parse(&[c"-dxudokkkaaahicpt", c"-x", c"D"]),
            Ok((b"dxuokahicpt".to_vec(), 1))
        );
        assert_eq!(parse(&[c"-dx", c"D"]), Ok((b"dx".to_vec(), 1)));
        assert_eq!(parse(&[c"-xd", c"D"]), Ok((b"xd".to_vec(), 1)));
        assert_eq!(parse(&[c"-x", c"-d", c"D", c"E"]), Ok((b"xd".to_vec(), 2)));
    }

    #[test]
    fn no_options_no_bytes() {
        assert_eq!(parse(&[c"D"]), Ok((Vec::new(), 1)));
        assert_eq!(parse(&[]), Ok((Vec::new(), 0)));
        assert_eq!(parse(&[c"--", c"-u"]), Ok((Vec::new(), 1)));
    }

    #[test]
    fn unknown_letter() {
        assert_eq!(
            parse(&[c"-uC", c"D"]),
            Err(getopt::GetoptError::Illegal(b'C'))
        );
    }
}
