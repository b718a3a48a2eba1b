//! tcpserver's access control: the cdb reader and writer, and the rules language tcprules
//! compiles into a cdb and tcpserver looks clients up in.

use super::Input;
use crate::format::cdb::{self, HEADER_LEN, Maker, Truncated};
use crate::format::lines::find_newline;
use crate::format::rules::{self, Instruction, Keys};
use std::collections::HashMap;

/// Keys compiled from one input at most (a line's range gives up to 256).
const KEYS_MAX: usize = 2048;
/// Keys looked up in a garbage database at most.
const LOOKUPS_MAX: usize = 64;

/// A cdb of `records`, written as tcprules writes one: header space, records, tables,
/// then the header in its place.
fn build<'a>(records: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Vec<u8> {
    let mut maker = Maker::default();
    let mut out = vec![0u8; HEADER_LEN];
    for (key, data) in records {
        maker.add(key, data, &mut out).unwrap();
    }
    let header = maker.finish(&mut out).unwrap();
    out[..HEADER_LEN].copy_from_slice(&header);
    out
}

/// djb's `cdb_find`, then `cdb_read` of the data, written as the C code reads (32-bit
/// positions that wrap, the key compared 32 bytes at a time), the slot loop cut short
/// once it must have left the file or come round again (from there the reads repeat).
fn reference_find<'a>(db: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, Truncated> {
    let read = |pos: u32, len: u32| -> Result<&'a [u8], Truncated> {
        let rest = db.get(pos as usize..).ok_or(Truncated)?;
        rest.get(..len as usize).ok_or(Truncated)
    };
    let word = |bytes: &[u8], at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let h = cdb::hash(key);
    let slot = read((h << 3) & 2047, 8)?;
    let (hpos, hslots) = (word(slot, 0), word(slot, 4));
    if hslots == 0 {
        return Ok(None);
    }
    let mut kpos = hpos.wrapping_add(((h >> 8) % hslots) << 3);
    for _ in 0..hslots.min(db.len() as u32 / 8 + 2) {
        let entry = read(kpos, 8)?;
        let pos = word(entry, 4);
        if pos == 0 {
            return Ok(None);
        }
        kpos = kpos.wrapping_add(8);
        if kpos == hpos.wrapping_add(hslots << 3) {
            kpos = hpos;
        }
        if word(entry, 0) != h || word(read(pos, 8)?, 0) as usize != key.len() {
            continue;
        }
        let mut at = pos.wrapping_add(8);
        let mut same = true;
        for piece in key.chunks(32) {
            if read(at, piece.len() as u32)? != piece {
                same = false;
                break;
            }
            at = at.wrapping_add(piece.len() as u32);
        }
        if same {
            let data_pos = pos.wrapping_add(8).wrapping_add(key.len() as u32);
            return read(data_pos, word(read(pos, 8)?, 4)).map(Some);
        }
    }
    Ok(None)
}

/// Looks `key` up in `db`: djb's reader finds the same; what is found lies inside the file, right after a record
/// header and key that say so; a prefix of the file finds the same or reports truncation.
fn find<'a>(db: &'a [u8], key: &[u8], cut: usize) -> Result<Option<&'a [u8]>, Truncated> {
    let found = cdb::find(db, key);
    assert_eq!(found, reference_find(db, key), "key {key:?}");
    if let Ok(Some(data)) = found {
        let at = (data.as_ptr() as usize).wrapping_sub(db.as_ptr() as usize);
        assert!(
            at <= db.len() && db.len() - at >= data.len(),
            "data outside the file"
        );
        let record = at
            .checked_sub(8 + key.len())
            .expect("record before the file");
        let word = |n: usize| (n as u32).to_le_bytes();
        assert_eq!(db[record..record + 4], word(key.len()));
        assert_eq!(db[record + 4..record + 8], word(data.len()));
        assert_eq!(&db[record + 8..at], key);
    }
    let prefix = cdb::find(&db[..cut.min(db.len())], key);
    assert!(
        prefix == Err(Truncated) || prefix == found,
        "a prefix finds otherwise"
    );
    found
}

/// The keys of the records laid out from byte 2048 up to the first table, as cdbdump
/// walks them (stopping at the first that does not fit).
fn walked_keys(db: &[u8]) -> Vec<&[u8]> {
    let word = |at: usize| -> Option<usize> {
        let bytes = db.get(at..at + 4)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
    };
    let mut keys = Vec::new();
    let (mut pos, end) = (HEADER_LEN, word(0).unwrap_or(0).min(db.len()));
    while pos + 8 <= end && keys.len() < LOOKUPS_MAX {
        let (Some(klen), Some(dlen)) = (word(pos), word(pos + 4)) else {
            break;
        };
        let Some(key) = db.get(pos + 8..(pos + 8).saturating_add(klen)) else {
            break;
        };
        keys.push(key);
        pos = pos.saturating_add(8 + klen).saturating_add(dlen);
    }
    keys
}

/// Any bytes as a database: every lookup of a key from the input or from the records
/// laid out in the file ends, and finds only a record of that key inside the file. Records
/// built from the input and written by the writer: the file has the size cdbmake gives it,
/// every key finds its first record's data, and keys never added are not found.
pub fn cdb(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.byte();
    let cut = HEADER_LEN + usize::from(input.byte()) * 16;
    if mode & 1 == 0 {
        let keys: Vec<&[u8]> = (0..mode / 2 % 8).map(|_| input.sized(16)).collect();
        let db = input.rest();
        for key in keys.iter().copied().chain(walked_keys(db)) {
            let _ = find(db, key, cut);
        }
        return;
    }
    let count = usize::from(mode / 2 % 64);
    let records: Vec<(&[u8], &[u8])> = (0..count)
        .map(|_| (input.sized(8), input.sized(32)))
        .collect();
    let db = build(records.iter().copied());
    let sizes: usize = records
        .iter()
        .map(|(k, d)| 8 + k.len() + d.len() + 16)
        .sum();
    assert_eq!(db.len(), HEADER_LEN + sizes);
    let mut first: HashMap<&[u8], &[u8]> = HashMap::new();
    for &(key, data) in &records {
        first.entry(key).or_insert(data);
    }
    for (&key, &data) in &first {
        assert_eq!(find(&db, key, cut), Ok(Some(data)), "key {key:?}");
        let longer = [key, b"+"].concat();
        if !first.contains_key(&longer[..]) {
            assert_eq!(find(&db, &longer, cut), Ok(None));
        }
    }
    // Keys are at most 7 bytes long.
    assert_eq!(cdb::find(&db, b"8 bytes!"), Ok(None));
}

/// The rules line tcprules would read the same way: the address (a range written with
/// its bounds as numbers), and the record's instructions quoted with a byte they lack.
fn render(keys: &Keys<'_>, record: &[u8]) -> Option<Vec<u8>> {
    let mut line = match *keys {
        Keys::One(address) => address.to_vec(),
        Keys::Range {
            prefix,
            bottom,
            top,
            suffix,
        } => [prefix, bottom.to_string().as_bytes(), b"-"]
            .concat()
            .into_iter()
            .chain(top.to_string().into_bytes())
            .chain(suffix.iter().copied())
            .collect(),
    };
    let mut instructions = rules::decode(record).peekable();
    let deny = instructions.next_if_eq(&Instruction::Deny).is_some();
    line.extend_from_slice(if deny { b":deny" } else { b":allow" });
    for instruction in instructions {
        let Instruction::Set(set) = instruction else {
            panic!("deny after the first instruction")
        };
        let eq = set
            .iter()
            .position(|&b| b == b'=')
            .expect("an instruction without =");
        let (name, value) = (&set[..eq], &set[eq + 1..]);
        let quote = (b'!'..=u8::MAX).find(|q| !value.contains(q))?;
        line.extend_from_slice(&[b",", name, b"=", &[quote], value, &[quote]].concat());
    }
    Some(line)
}

/// The keys tcpserver tries for a client, in order, as the documentation lists them.
fn candidates(ip: &[u8], host: Option<&[u8]>, info: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    if let Some(info) = info {
        keys.push([info, b"@", ip].concat());
        keys.extend(host.map(|h| [info, b"@=", h].concat()));
    }
    keys.push(ip.to_vec());
    keys.extend(host.map(|h| [b"=", h].concat()));
    for len in (1..=ip.len()).rev() {
        if matches!(ip[len - 1], b'.' | b':') {
            keys.push(ip[..len].to_vec());
        }
    }
    if let Some(host) = host {
        for (i, _) in host.iter().enumerate().filter(|(_, b)| **b == b'.') {
            keys.push([b"=", &host[i..]].concat());
        }
        keys.push(b"=".to_vec());
    }
    keys.push(Vec::new());
    keys
}

/// A client: its address, host name and ident answer.
type Client = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// Clients that a rule with `key` is meant for or comes near, with the host name and
/// ident answer of other rules (`host`, `info`), so that rules compete.
fn clients(key: &[u8], host: &[u8], info: &[u8]) -> Vec<Client> {
    let some = |b: &[u8]| Some(b.to_vec());
    let mut clients = vec![
        (key.to_vec(), some(host), some(info)),
        ([key, b"1"].concat(), some(host), None),
    ];
    if let Some(at) = key.iter().position(|&b| b == b'@') {
        clients.push((key[at + 1..].to_vec(), some(host), some(&key[..at])));
        if let Some(host) = key[at + 1..].strip_prefix(b"=") {
            clients.push((b"192.0.2.1".to_vec(), some(host), some(&key[..at])));
        }
    }
    if let Some(host) = key.strip_prefix(b"=") {
        clients.push((b"192.0.2.1".to_vec(), some(&[b"x", host].concat()), None));
        clients.push((key.to_vec(), some(host), None));
    }
    clients
}

/// Any bytes as rules text, read line by line as tcprules reads it: a skipped line holds
/// no rule, a rejected one (where tcprules stops) has a colon; an accepted one reads back
/// the same from its keys and instructions written out again. Compiled into a cdb as
/// tcprules compiles it, every key gives back the first record of its rules, and every
/// client gets the rule of the first key that tcpserver tries and the rules have.
pub fn rules(data: &[u8]) {
    let mut records: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut record = Vec::new();
    let mut again = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && records.len() < KEYS_MAX {
        let end = find_newline(rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        let keys = match rules::parse_line(line, &mut record) {
            Ok(Some(keys)) => keys,
            Ok(None) => {
                let text = rules::trim(line);
                assert!(line.starts_with(b"#") || line.starts_with(b"\n") || !text.contains(&b':'));
                continue;
            }
            Err(rules::BadLine) => {
                assert!(!line.starts_with(b"#") && rules::trim(line).contains(&b':'));
                break;
            }
        };
        let complete = record.is_empty() || record.ends_with(b"\0");
        assert!(
            complete
                && (record.starts_with(b"D\0") || record.starts_with(b"+") || record.is_empty())
        );
        if !line.contains(&0)
            && let Some(written) = render(&keys, &record)
        {
            let reread = rules::parse_line(&written, &mut again);
            assert!(matches!(&reread, Ok(Some(k)) if *k == keys), "{written:?}");
            assert_eq!(again, record);
        }
        keys.for_each(|key| {
            records.push((key.to_vec(), record.clone()));
            Ok::<(), ()>(())
        })
        .unwrap();
    }
    let db = build(records.iter().map(|(k, d)| (&k[..], &d[..])));
    let mut first: HashMap<&[u8], &[u8]> = HashMap::new();
    let mut keys = Vec::new();
    for (key, data) in &records {
        first.entry(key).or_insert_with(|| {
            keys.push(&key[..]);
            data
        });
    }
    let host = keys
        .iter()
        .find_map(|k| k.strip_prefix(b"=").filter(|h| !h.starts_with(b".")));
    let info = keys
        .iter()
        .find_map(|k| k.split(|&b| b == b'@').next().filter(|_| k.contains(&b'@')));
    for &key in keys.iter().take(LOOKUPS_MAX) {
        let data = first[key];
        for (ip, host, info) in clients(key, host.unwrap_or(b"h.example"), info.unwrap_or(b"")) {
            let want = candidates(&ip, host.as_deref(), info.as_deref())
                .into_iter()
                .find_map(|k| first.get(&k[..]).map(|&d| (k, d)));
            let got = rules::lookup(&db, &ip, host.as_deref(), info.as_deref());
            assert_eq!(got, Ok(want), "client {ip:?} {host:?} {info:?}");
        }
        let exact = rules::lookup(&db, key, None, None);
        assert_eq!(exact, Ok(Some((key.to_vec(), data))));
    }
}
