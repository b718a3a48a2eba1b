//! tcpserver's access rules: the text language tcprules compiles, the cdb keys tcpserver
//! looks up and in which order, and the instruction records stored under them (pure).
//!
//! A rule line is `address:allow` or `address:deny`, optionally followed by instructions
//! `,NAME="value"` (any byte can quote the value). `#` lines and lines without a colon are
//! ignored; trailing blanks are dropped. An address of the form `1.2.3-7` (no `=` or `@`)
//! stands for one key per number. The record for a rule is `D\0` for deny, then
//! `+NAME=value\0` per instruction.
//!
//! As in Debian's IPv6 tcprules, the address ends at the first colon that is followed by
//! `allow` or `deny`, so IPv6 addresses (`::1:allow`) work; a line that 0.88 accepts is read
//! the same way. Where a colon is present but none is followed by an instruction, this is
//! 0.88's "unable to parse" error (the IPv6 tcprules loops forever there).

use super::cdb::{self, Truncated};
use super::num::{push_ulong, scan_ulong};

/// The highest number of a range (a range never goes past one byte of an address).
const RANGE_TOP: u64 = 255;

/// A line tcprules cannot parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadLine;

/// The keys of a rule: its address, or one key per number of a range `a.b.c-d`
/// (`prefix` + each number from `bottom` to `top` + `suffix`).
#[derive(Debug, PartialEq, Eq)]
pub enum Keys<'a> {
    One(&'a [u8]),
    Range {
        prefix: &'a [u8],
        bottom: u64,
        top: u64,
        suffix: &'a [u8],
    },
}

impl Keys<'_> {
    /// Calls `each` with every key, in order.
    pub fn for_each<E>(&self, mut each: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        match *self {
            Keys::One(key) => each(key),
            Keys::Range {
                prefix,
                bottom,
                top,
                suffix,
            } => {
                let mut key = Vec::new();
                for n in bottom..=top {
                    key.clear();
                    key.extend_from_slice(prefix);
                    push_ulong(&mut key, n);
                    key.extend_from_slice(suffix);
                    each(&key)?;
                }
                Ok(())
            }
        }
    }
}

/// `line` without the trailing newline, spaces and tabs that tcprules drops.
pub fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| !matches!(b, b'\n' | b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// Parses one line of rules text (with or without its newline): the keys of its rule, with
/// the rule's record left in `data`, or `None` for a line that holds no rule (a comment, a
/// blank line, a line without a colon).
pub fn parse_line<'a>(line: &'a [u8], data: &mut Vec<u8>) -> Result<Option<Keys<'a>>, BadLine> {
    if line.first().is_none_or(|&b| b == b'#' || b == b'\n') {
        return Ok(None);
    }
    let line = trim(line);
    let Some(first_colon) = line.iter().position(|&b| b == b':') else {
        return Ok(None);
    };
    let colon = (first_colon..line.len())
        .filter(|&i| line[i] == b':')
        .find(|&i| {
            matches!(
                &line[i + 1..],
                [b'd', b'e', b'n', b'y', ..] | [b'a', b'l', b'l', b'o', b'w', ..]
            )
        })
        .unwrap_or(first_colon);
    instructions(&line[colon + 1..], data)?;
    keys_of(&line[..colon]).map(Some)
}

/// The record for `allow`/`deny` and the instructions after it, into `data`.
fn instructions(mut x: &[u8], data: &mut Vec<u8>) -> Result<(), BadLine> {
    data.clear();
    // Slice patterns rather than strip_prefix: no library call per line.
    match x {
        [b'd', b'e', b'n', b'y', rest @ ..] => {
            data.extend_from_slice(b"D\0");
            x = rest;
        }
        [b'a', b'l', b'l', b'o', b'w', rest @ ..] => x = rest,
        _ => return Err(BadLine),
    }
    while let [b',', rest @ ..] = x {
        let eq = rest.iter().position(|&b| b == b'=').ok_or(BadLine)?;
        data.push(b'+');
        data.extend_from_slice(&rest[..=eq]);
        let (&quote, value) = rest[eq + 1..].split_first().ok_or(BadLine)?;
        let end = value.iter().position(|&b| b == quote).ok_or(BadLine)?;
        data.extend_from_slice(&value[..end]);
        data.push(0);
        x = &value[end + 1..];
    }
    if x.is_empty() { Ok(()) } else { Err(BadLine) }
}

fn number(digits: &[u8]) -> Result<u64, BadLine> {
    match scan_ulong(digits) {
        (n, len) if len == digits.len() => Ok(n),
        _ => Err(BadLine),
    }
}

/// The keys for `address`: itself, or a range when it has a `-` and no `=` or `@`.
fn keys_of(address: &[u8]) -> Result<Keys<'_>, BadLine> {
    if address.iter().any(|&b| b == b'=' || b == b'@') {
        return Ok(Keys::One(address));
    }
    let Some(dash) = address.iter().position(|&b| b == b'-') else {
        return Ok(Keys::One(address));
    };
    let left = address[..dash]
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(0, |i| i + 1);
    let right = dash
        + 1
        + address[dash + 1..]
            .iter()
            .position(|&b| b == b'.')
            .unwrap_or(address.len() - dash - 1);
    Ok(Keys::Range {
        prefix: &address[..left],
        bottom: number(&address[left..dash])?,
        top: number(&address[dash + 1..right])?.min(RANGE_TOP),
        suffix: &address[right..],
    })
}

/// A rule found for a client: the key it was found under and its record.
pub type Found<'a> = (Vec<u8>, &'a [u8]);

/// One instruction of a record.
#[derive(Debug, PartialEq, Eq)]
pub enum Instruction<'a> {
    Deny,
    /// `NAME=value` as stored (tcpserver sets it when it has an `=`).
    Set(&'a [u8]),
}

/// The instructions of a record: every NUL-terminated entry starting with `D` or `+`
/// (anything else, and an unterminated tail, is ignored as tcpserver ignores it).
pub fn decode(data: &[u8]) -> impl Iterator<Item = Instruction<'_>> {
    let complete = data.iter().rposition(|&b| b == 0).map_or(0, |i| i + 1);
    data[..complete]
        .split(|&b| b == 0)
        .filter_map(|entry| match entry.split_first() {
            Some((b'D', _)) => Some(Instruction::Deny),
            Some((b'+', rest)) => Some(Instruction::Set(rest)),
            _ => None,
        })
}

/// Calls `visit` with the keys tcpserver tries, in order, for a client, until it returns
/// true: `info@ip`, `info@=host`, `ip`, `=host`, the prefixes of `ip` ending in `.` or `:`
/// (longest first), `=.suffix` for each dot of host, `=`, and the empty key.
pub fn visit_keys(
    ip: &[u8],
    host: Option<&[u8]>,
    info: Option<&[u8]>,
    visit: &mut dyn FnMut(&[u8]) -> bool,
) {
    let mut key = Vec::with_capacity(64);
    let mut try_parts = |parts: &[&[u8]]| {
        key.clear();
        for part in parts {
            key.extend_from_slice(part);
        }
        visit(&key)
    };
    if let Some(info) = info
        && (try_parts(&[info, b"@", ip]) || host.is_some_and(|h| try_parts(&[info, b"@=", h])))
    {
        return;
    }
    if try_parts(&[ip]) || host.is_some_and(|host| try_parts(&[b"=", host])) {
        return;
    }
    for len in (1..=ip.len()).rev() {
        if matches!(ip[len - 1], b'.' | b':') && try_parts(&[&ip[..len]]) {
            return;
        }
    }
    if let Some(host) = host {
        for (i, _) in host.iter().enumerate().filter(|(_, b)| **b == b'.') {
            if try_parts(&[b"=", &host[i..]]) {
                return;
            }
        }
        if try_parts(&[b"="]) {
            return;
        }
    }
    try_parts(&[]);
}

/// The first rule in the database `db` that applies to the client: its key and record.
pub fn lookup<'a>(
    db: &'a [u8],
    ip: &[u8],
    host: Option<&[u8]>,
    info: Option<&[u8]>,
) -> Result<Option<Found<'a>>, Truncated> {
    let mut result = Ok(None);
    visit_keys(ip, host, info, &mut |key| match cdb::find(db, key) {
        Ok(None) => false,
        Ok(Some(data)) => {
            result = Ok(Some((key.to_vec(), data)));
            true
        }
        Err(e) => {
            result = Err(e);
            true
        }
    });
    result
}

#[cfg(test)]
mod tests;
