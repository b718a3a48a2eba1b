//! Files read by the chain-loading tools and the supervisors: envdir values, passwd
//! lines, status records.

use super::{Input, pieces};
use crate::format::envfile::{self, ValueReader};
use crate::format::lifecycle;
use crate::format::passwd::{Account, Finder};
use crate::format::status::{self, RUNIT_LEN, STATUS_LEN};

/// envdir's rule written plainly on the whole contents.
fn reference_value(content: &[u8]) -> Option<Vec<u8>> {
    if content.is_empty() {
        return None;
    }
    let line = content.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut line = line.to_vec();
    while line.last().is_some_and(|&b| b == b' ' || b == b'\t') {
        line.pop();
    }
    Some(
        line.iter()
            .map(|&b| if b == 0 { b'\n' } else { b })
            .collect(),
    )
}

/// A value read in pieces is the plain rule's value, or, past the limit, a prefix of it
/// longer than the limit; edits leave one entry per edited name.
pub fn envfile(data: &[u8]) {
    let mut input = Input::new(data);
    let limit = usize::from(input.byte());
    let cuts = input.cuts();
    let content = input.rest();
    let want = reference_value(content);
    let mut reader = ValueReader::new(limit);
    for piece in pieces(content, &cuts) {
        if reader.feed(piece) {
            break;
        }
    }
    let got = reader.finish();
    match (&got, &want) {
        (Some(got), Some(want)) if want.len() > limit => {
            assert_eq!(got.len(), limit + 1);
            assert!(want.starts_with(got));
        }
        _ => assert_eq!(got, want),
    }
    assert_eq!(envfile::value(content), want);
    let env: Vec<Vec<u8>> = content.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let name = env.first().cloned().unwrap_or_default();
    let name = &name[..name.iter().position(|&b| b == b'=').unwrap_or(name.len())];
    let edited = envfile::apply(env, &[envfile::edit(name, want.as_deref())]);
    if let Some(value) = &want {
        assert_eq!(edited.last(), Some(&[name, b"=", value].concat()));
    }
}

/// The C library's "files" lookup written plainly: split into lines, then fields.
fn reference_find(passwd: &[u8], name: &[u8]) -> Option<Account> {
    let number = |field: &[u8]| -> Option<u32> {
        if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(field).ok()?.parse().ok()
    };
    passwd.split(|&b| b == b'\n').find_map(|line| {
        let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
        let line = &line[start..];
        if line.first() == Some(&b'#') {
            return None;
        }
        let mut fields = line.split(|&b| b == b':');
        let (n, _, uid, gid) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        let account = Account {
            uid: number(uid)?,
            gid: number(gid)?,
        };
        (!n.is_empty() && n == name).then_some(account)
    })
}

/// Looking an account up in pieces finds what the plain lookup finds.
pub fn passwd(data: &[u8]) {
    let mut input = Input::new(data);
    let name = input.sized(16).to_vec();
    let cuts = input.cuts();
    let file = input.rest();
    let mut finder = Finder::new(&name);
    let mut got = None;
    for piece in pieces(file, &cuts) {
        got = finder.feed(piece);
        if got.is_some() {
            break;
        }
    }
    let got = got.or_else(|| finder.finish());
    assert_eq!(got, reference_find(file, &name));
}

/// A record of 18 or more bytes unpacks, and packs back to its first 18 bytes (a paused
/// byte other than 0 reads as 1); a shorter one is refused. runit's 20 bytes and the
/// lifecycle record likewise: whatever unpacks packs back to what it was read from.
pub fn status(data: &[u8]) {
    match status::unpack(data) {
        None => assert!(data.len() < STATUS_LEN),
        Some(record) => {
            let mut want = [0u8; STATUS_LEN];
            want.copy_from_slice(&data[..STATUS_LEN]);
            want[16] = u8::from(want[16] != 0);
            assert_eq!(status::pack(&record), want);
            assert_eq!(status::unpack(&want), Some(record));
            if let Some(tail) = status::unpack_runit_tail(data) {
                let mut want = [0u8; RUNIT_LEN];
                want.copy_from_slice(&data[..RUNIT_LEN]);
                want[16] = u8::from(want[16] != 0);
                want[18] = u8::from(want[18] != 0);
                assert_eq!(status::pack_runit(&record, tail), want);
            }
        }
    }
    if let Some(record) = lifecycle::unpack(data) {
        assert!(data.len() >= lifecycle::LEN && data.starts_with(b"dbl1"));
        assert_eq!(lifecycle::unpack(&lifecycle::pack(&record)), Some(record));
    }
}
