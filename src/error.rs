//! Error values used by the shared code in `src/`.
//!
//! A value carries the words of its message ("unable to open DIR/x") and, for a failed system
//! call, the errno; the caller decides whether it is fatal or a warning and which exit code
//! follows. Text is rendered only through `exit`, never through `Display` of the errno.

use crate::exit;
use crate::sys::Errno;

/// A failure described in daemontools' words.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// A system call failed: "WHAT: errtext".
    #[error("{}", String::from_utf8_lossy(what))]
    Sys { what: Vec<u8>, errno: Errno },
    /// Something was wrong without an errno: "WHAT".
    #[error("{}", String::from_utf8_lossy(what))]
    Plain { what: Vec<u8> },
}

impl Error {
    /// A failed system call described by the concatenation of `pieces`.
    pub fn sys(pieces: &[&[u8]], errno: Errno) -> Self {
        Error::Sys {
            what: pieces.concat(),
            errno,
        }
    }

    /// For `map_err`: the failed call's errno, described by the concatenation of `pieces`.
    pub fn on(pieces: &[&[u8]]) -> impl FnOnce(Errno) -> Self + use<> {
        let what = pieces.concat();
        move |errno| Error::Sys { what, errno }
    }

    /// A failure without errno described by the concatenation of `pieces`.
    pub fn plain(pieces: &[&[u8]]) -> Self {
        Error::Plain {
            what: pieces.concat(),
        }
    }

    /// The message without the program name: `WHAT` or `WHAT: errtext`.
    pub fn text(&self) -> Vec<u8> {
        match self {
            Error::Sys { what, errno } => {
                [what, &b": "[..], crate::errtext::text(*errno).as_bytes()].concat()
            }
            Error::Plain { what } => what.clone(),
        }
    }

    /// Prints `prog: warning: ...`.
    pub fn warn(&self, prog: &str) {
        match self {
            Error::Sys { what, errno } => exit::warn_sys(prog, &[what], *errno),
            Error::Plain { what } => exit::warn(prog, &[what]),
        }
    }

    /// Prints `prog: fatal: ...` and exits with `code`.
    pub fn die(&self, prog: &str, code: u8) -> ! {
        match self {
            Error::Sys { what, errno } => exit::die_sys(prog, &[what], *errno, code),
            Error::Plain { what } => exit::die(prog, &[what], code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_joined() {
        let e = Error::sys(&[b"unable to open ", b"d/x"], Errno::NOENT);
        assert_eq!(
            e,
            Error::Sys {
                what: b"unable to open d/x".to_vec(),
                errno: Errno::NOENT
            }
        );
        assert_eq!(e.to_string(), "unable to open d/x");
    }
}
