//! What the ucspi-tcp applets share beyond the pure formats: messages that `-q` can
//! silence (tcpserver, tcpclient), port numbers (tcpserver, tcpclient), and reading a rules
//! database for a client (tcpserver, tcprulescheck).

use crate::exit::{self, Kind};
use crate::format::hosts::{self, SERVICES_FILE};
use crate::format::num::all_digits;
use crate::format::rules;
use crate::sys::{self, Errno};

/// The diagnostics of a program whose `-q` silences all of them, fatal errors too (0.88
/// closes its stderr buffer).
#[derive(Clone, Copy)]
pub struct Voice {
    pub prog: &'static str,
    pub quiet: bool,
}

impl Voice {
    /// `prog: KIND: PIECES[: ERRTEXT]`, unless quiet.
    pub fn say(self, kind: Kind, pieces: &[&[u8]], errno: Option<Errno>) {
        if !self.quiet {
            exit::emit(&exit::compose(self.prog, kind, pieces, errno));
        }
    }

    /// `prog: fatal: PIECES[: ERRTEXT]`, unless quiet; then exit 111.
    pub fn fatal(self, pieces: &[&[u8]], errno: Option<Errno>) -> ! {
        self.say(Kind::Fatal, pieces, errno);
        sys::proc::exit(exit::TEMP)
    }
}

/// A port given as a number (taken modulo 2^16, as 0.88 does) or as a name in
/// /etc/services; dies with 0.88's message when it is neither.
pub fn port_or_die(voice: Voice, name: &[u8]) -> u16 {
    match all_digits(name) {
        Some(n) => n as u16,
        None => hosts::port(
            &sys::fd::read_file(SERVICES_FILE).unwrap_or_default(),
            name,
            b"tcp",
        )
        .unwrap_or_else(|| voice.fatal(&[b"unable to figure out port number for ", name], None)),
    }
}

/// A rule that applies to a client: the key it was found under and its record.
pub type Rule = (Vec<u8>, Vec<u8>);

/// The rule in the cdb at `path` that applies to a client (`ip` as text, the host name and
/// the ident answer when known): its key and record. A missing file is ENOENT, a truncated
/// or garbage one EPROTO, as 0.88 reports them; an empty one EINVAL, as Debian's build
/// reports it (its compiler keeps the failed mapping of the empty file, and unmapping that
/// sets errno last).
pub fn rule_for(
    path: &[u8],
    ip: &[u8],
    host: Option<&[u8]>,
    info: Option<&[u8]>,
) -> Result<Option<Rule>, Errno> {
    let fd = sys::fd::open_read(path)?;
    let map = sys::map::Mapping::of(&fd)?;
    match rules::lookup(map.bytes(), ip, host, info) {
        Ok(found) => Ok(found.map(|(key, data)| (key, data.to_vec()))),
        Err(_) if map.bytes().is_empty() => Err(Errno::INVAL),
        Err(_) => Err(Errno::PROTO),
    }
}
