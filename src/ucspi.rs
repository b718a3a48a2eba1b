//! What the ucspi-tcp applets share beyond the pure formats: reading a rules database for
//! a client (tcpserver, tcprulescheck).

use crate::format::rules;
use crate::sys::{self, Errno};

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
