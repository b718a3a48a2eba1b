//! cdb, the constant database of tcprules and tcpserver's `-x` (pure codec, no I/O).
//!
//! Layout: a 2048-byte header of 256 (position, slot count) pairs, the records
//! (key length, data length, key, data), then 256 hash tables of (hash, record position)
//! slots; every number is 32-bit little-endian. The writer lays out records, tables and
//! probe order exactly as djb's `cdb_make` does, so the same input gives the same bytes.
//! The reader follows `cdb_find` step for step: a read past the end of the file (a
//! truncated or garbage database) is an error, which 0.88 reports as a protocol error.

/// Size of the header at the start of every cdb.
pub const HEADER_LEN: usize = 2048;
/// Bytes `cdb_match` compares at a time (a mismatch stops before the next read).
const MATCH_CHUNK: usize = 32;

/// A read past the end of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncated;

/// The database would pass 4 GiB (djb's writer reports it as out of memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooBig;

/// djb's cdb hash: h = 5381, then h = (h * 33) ^ byte for each byte.
pub fn hash(key: &[u8]) -> u32 {
    key.iter()
        .fold(5381u32, |h, &c| h.wrapping_add(h << 5) ^ u32::from(c))
}

fn unpack(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn read(db: &[u8], pos: u32, len: u32) -> Result<&[u8], Truncated> {
    let (pos, len) = (pos as usize, len as usize);
    if pos > db.len() || db.len() - pos < len {
        return Err(Truncated);
    }
    Ok(&db[pos..pos + len])
}

fn key_matches(db: &[u8], key: &[u8], pos: u32) -> Result<bool, Truncated> {
    let mut pos = pos;
    for chunk in key.chunks(MATCH_CHUNK) {
        if read(db, pos, chunk.len() as u32)? != chunk {
            return Ok(false);
        }
        pos = pos.wrapping_add(chunk.len() as u32);
    }
    Ok(true)
}

/// The data of the first record with `key` in the database `db`, read as `cdb_find`
/// followed by `cdb_read` of the data would read it.
pub fn find<'a>(db: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, Truncated> {
    let h = hash(key);
    let slot = read(db, (h << 3) & (HEADER_LEN as u32 - 1), 8)?;
    let slots = unpack(slot, 4);
    if slots == 0 {
        return Ok(None);
    }
    let table = unpack(slot, 0);
    let table_end = table.wrapping_add(slots << 3);
    let first = table.wrapping_add(((h >> 8) % slots) << 3);
    let mut at = first;
    for _ in 0..slots {
        let entry = read(db, at, 8)?;
        let pos = unpack(entry, 4);
        if pos == 0 {
            return Ok(None);
        }
        at = at.wrapping_add(8);
        if at == table_end {
            at = table;
        }
        if unpack(entry, 0) == h {
            let record = read(db, pos, 8)?;
            if unpack(record, 0) as usize == key.len() && key_matches(db, key, pos.wrapping_add(8))?
            {
                let data_pos = pos.wrapping_add(8).wrapping_add(key.len() as u32);
                return read(db, data_pos, unpack(record, 4)).map(Some);
            }
        }
        // Back at the first slot: the rest of djb's loop would repeat these reads exactly.
        if at == first {
            break;
        }
    }
    Ok(None)
}

/// Builds a cdb: records are appended to the caller's output as they are added, the
/// hash tables at the end; the header comes last and goes at the start of the file.
pub struct Maker {
    /// (hash, record position) of every record, in the order added.
    entries: Vec<(u32, u32)>,
    /// Position of the next byte to be written.
    pos: u32,
}

impl Default for Maker {
    fn default() -> Self {
        Maker {
            entries: Vec::new(),
            pos: HEADER_LEN as u32,
        }
    }
}

impl Maker {
    fn advance(&mut self, len: usize) -> Result<(), TooBig> {
        let len = u32::try_from(len).map_err(|_| TooBig)?;
        self.pos = self.pos.checked_add(len).ok_or(TooBig)?;
        Ok(())
    }

    /// Appends the record `key` -> `data` to `out`.
    pub fn add(&mut self, key: &[u8], data: &[u8], out: &mut Vec<u8>) -> Result<(), TooBig> {
        let (klen, dlen) = (
            u32::try_from(key.len()).map_err(|_| TooBig)?,
            u32::try_from(data.len()).map_err(|_| TooBig)?,
        );
        let mut lengths = [0u8; 8];
        lengths[..4].copy_from_slice(&klen.to_le_bytes());
        lengths[4..].copy_from_slice(&dlen.to_le_bytes());
        out.extend_from_slice(&lengths);
        out.extend_from_slice(key);
        out.extend_from_slice(data);
        self.entries.push((hash(key), self.pos));
        self.advance(8)?;
        self.advance(key.len())?;
        self.advance(data.len())
    }

    /// Appends the 256 hash tables to `out` and returns the header.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<[u8; HEADER_LEN], TooBig> {
        let mut start = [0usize; 257];
        for &(h, _) in &self.entries {
            start[(h & 255) as usize + 1] += 1;
        }
        for i in 0..256 {
            start[i + 1] += start[i];
        }
        // Entries grouped by table, each group in the order the records were added.
        let mut grouped = vec![(0u32, 0u32); self.entries.len()];
        let mut next = start;
        for &entry in &self.entries {
            let bucket = (entry.0 & 255) as usize;
            grouped[next[bucket]] = entry;
            next[bucket] += 1;
        }
        let mut header = [0u8; HEADER_LEN];
        let mut table = Vec::new();
        for i in 0..256 {
            let group = &grouped[start[i]..start[i + 1]];
            let len = group.len() * 2;
            header[8 * i..8 * i + 4].copy_from_slice(&self.pos.to_le_bytes());
            header[8 * i + 4..8 * i + 8].copy_from_slice(&(len as u32).to_le_bytes());
            table.clear();
            table.resize(len, (0u32, 0u32));
            for &(h, p) in group {
                let mut at = (h >> 8) as usize % len;
                while table[at].1 != 0 {
                    at = (at + 1) % len;
                }
                table[at] = (h, p);
            }
            for &(h, p) in &table {
                out.extend_from_slice(&h.to_le_bytes());
                out.extend_from_slice(&p.to_le_bytes());
            }
            self.advance(8 * len)?;
        }
        Ok(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(records: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut maker = Maker::default();
        let mut body = Vec::new();
        for (k, d) in records {
            maker.add(k, d, &mut body).unwrap();
        }
        let header = maker.finish(&mut body).unwrap();
        [&header[..], &body].concat()
    }

    #[test]
    fn hash_values() {
        assert_eq!(hash(b""), 5381);
        assert_eq!(hash(b"a"), 177_604);
        // Bytes above 127 count as unsigned (the C code converts through unsigned char).
        assert_eq!(hash(&[0xff]), (5381 * 33) ^ 0xff);
    }

    #[test]
    fn empty_database_is_header_only() {
        let db = build(&[]);
        assert_eq!(db.len(), HEADER_LEN);
        assert!(
            db.chunks(8)
                .all(|s| s[..4] == [0, 8, 0, 0] && s[4..] == [0; 4])
        );
        assert_eq!(find(&db, b"x"), Ok(None));
    }

    #[test]
    fn one_record_bytes() {
        let db = build(&[(b"a", b"xy")]);
        // Record at 2048, its table (2 slots) right after it.
        assert_eq!(&db[2048..2059], b"\x01\0\0\0\x02\0\0\0axy");
        let h = hash(b"a");
        let bucket = (h & 255) as usize;
        assert_eq!(&db[8 * bucket..8 * bucket + 8], b"\x0b\x08\0\0\x02\0\0\0");
        let slot = 2059 + 8 * ((h >> 8) % 2) as usize;
        assert_eq!(unpack(&db, slot), h);
        assert_eq!(unpack(&db, slot + 4), 2048);
        assert_eq!(find(&db, b"a"), Ok(Some(&b"xy"[..])));
        assert_eq!(find(&db, b"b"), Ok(None));
    }

    #[test]
    fn first_duplicate_wins_and_all_are_found() {
        let mut records: Vec<(Vec<u8>, Vec<u8>)> = (0..2000u32)
            .map(|i| (format!("key{i}").into_bytes(), format!("{i}").into_bytes()))
            .collect();
        records.push((b"key7".to_vec(), b"second".to_vec()));
        let refs: Vec<(&[u8], &[u8])> = records.iter().map(|(k, d)| (&k[..], &d[..])).collect();
        let db = build(&refs);
        for (k, d) in &records[..2000] {
            assert_eq!(find(&db, k), Ok(Some(&d[..])));
        }
        assert_eq!(find(&db, b"key7"), Ok(Some(&b"7"[..])));
        assert_eq!(find(&db, b"nokey"), Ok(None));
    }

    #[test]
    fn truncated_and_garbage_databases() {
        let db = build(&[(b"a", b"xy")]);
        assert_eq!(find(&db[..100], b"a"), Err(Truncated));
        assert_eq!(find(&[], b"a"), Err(Truncated));
        // Tables cut off.
        assert_eq!(find(&db[..2060], b"a"), Err(Truncated));
        // Record cut off: the key is compared against bytes that are missing.
        let mut cut = db.clone();
        cut.truncate(2049);
        assert_eq!(find(&cut, b"a"), Err(Truncated));
        // Garbage header pointing far away.
        let garbage = vec![0xffu8; 4096];
        assert_eq!(find(&garbage, b"a"), Err(Truncated));
        // A full table of slots that never match: the search ends after one round.
        let mut full = vec![0u8; 4096];
        let h = hash(b"a");
        let b = (h & 255) as usize * 8;
        full[b..b + 4].copy_from_slice(&2048u32.to_le_bytes());
        full[b + 4..b + 8].copy_from_slice(&2u32.to_le_bytes());
        for slot in [2048, 2056] {
            full[slot..slot + 4].copy_from_slice(&(h ^ 1).to_le_bytes());
            full[slot + 4..slot + 8].copy_from_slice(&1u32.to_le_bytes());
        }
        assert_eq!(find(&full, b"a"), Ok(None));
    }

    #[test]
    fn long_keys_compare_in_chunks() {
        let key = vec![b'k'; 100];
        let db = build(&[(&key, b"d")]);
        assert_eq!(find(&db, &key), Ok(Some(&b"d"[..])));
        let mut other = key.clone();
        other[99] = b'x';
        assert_eq!(find(&db, &other), Ok(None));
    }
}
