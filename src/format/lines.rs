//! Line-filter primitives (pure): finding the end of a line a word at a time, and a staging
//! area that gathers a chunk of output from many short pieces.
//!
//! Why not `position` and `extend_from_slice`: a filter such as tai64n moves every byte of
//! its input through these two operations, and musl's `memcpy` copies a short run with
//! `rep movsq` plus single-byte moves, which costs more than the rest of the filter put
//! together. Short pieces are therefore copied here with fixed-size moves the compiler
//! inlines; long ones still go through `memcpy`, which is fast at that size.

/// Pieces longer than this are copied with `copy_from_slice` (the C library's `memcpy`).
const SHORT_PIECE: usize = 256;
/// The copy unit for short pieces; the staging area keeps this much slack at its end.
const WORD: usize = 16;
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
const NEWLINES: u64 = u64::from_ne_bytes([b'\n'; 8]);

/// The index of the first `\n` in `bytes`.
pub fn find_newline(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ NEWLINES;
        // A byte of x is zero exactly where the input had a newline; the lowest such byte
        // is the lowest one with its high bit set here (higher ones may be false alarms).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let tail = words.remainder();
    tail.iter().position(|&b| b == b'\n').map(|i| offset + i)
}

/// Copies `src` into the start of `dst`, which must be at least `src.len()` rounded up to
/// `WORD` bytes long (bytes past `src.len()` may be overwritten).
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let len = src.len();
    if len >= WORD {
        let mut dst_words = dst[..len].chunks_exact_mut(WORD);
        let mut src_words = src.chunks_exact(WORD);
        for (d, s) in (&mut dst_words).zip(&mut src_words) {
            d.copy_from_slice(s);
        }
        // The last partial word is copied as a whole word ending at the end.
        if !src_words.remainder().is_empty() {
            dst[len - WORD..len].copy_from_slice(&src[len - WORD..]);
        }
    } else {
        // Two overlapping moves of the largest size that fits cover any shorter length.
        match len {
            8.. => copy_pair::<8>(dst, src),
            4.. => copy_pair::<4>(dst, src),
            2.. => copy_pair::<2>(dst, src),
            1 => dst[0] = src[0],
            0 => {}
        }
    }
}

/// Copies the first and the last `N` bytes of `src` (`N <= src.len() <= 2 * N`); the
/// constant size lets the compiler use plain moves.
fn copy_pair<const N: usize>(dst: &mut [u8], src: &[u8]) {
    let len = src.len();
    dst[..N].copy_from_slice(&src[..N]);
    dst[len - N..len].copy_from_slice(&src[len - N..]);
}

/// A growing output chunk: pieces are appended, then the whole is handed on and cleared.
pub struct Stage {
    bytes: Vec<u8>,
    len: usize,
}

impl Stage {
    /// A stage with room for `capacity` bytes before it has to grow.
    pub fn new(capacity: usize) -> Self {
        Stage {
            bytes: vec![0; capacity + WORD],
            len: 0,
        }
    }

    /// Appends `piece`.
    pub fn put(&mut self, piece: &[u8]) {
        let end = self.len + piece.len();
        if end + WORD > self.bytes.len() {
            self.bytes.resize(2 * (end + WORD), 0);
        }
        if piece.len() > SHORT_PIECE {
            self.bytes[self.len..end].copy_from_slice(piece);
        } else {
            copy_short(&mut self.bytes[self.len..], piece);
        }
        self.len = end;
    }

    /// Appends one byte.
    pub fn push(&mut self, byte: u8) {
        self.put(&[byte]);
    }

    /// Everything appended since the last `clear`.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Forgets the contents, keeping the room.
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_anywhere() {
        for len in 0..40 {
            for at in 0..len {
                let mut bytes = vec![b'x'; len];
                bytes[at] = b'\n';
                if at + 1 < len {
                    bytes[len - 1] = b'\n';
                }
                assert_eq!(find_newline(&bytes), Some(at), "len {len} at {at}");
            }
            assert_eq!(find_newline(&vec![b'y'; len]), None);
        }
    }

    #[test]
    fn bytes_near_newline_are_not_mistaken_for_it() {
        let tricky = [
            0x0b,
            0x0a ^ 0x80,
            0x09,
            0x8a,
            0xff,
            0x00,
            0x01,
            0x0b,
            0x0b,
            b'\n',
        ];
        assert_eq!(find_newline(&tricky), Some(9));
        assert_eq!(find_newline(&[0x0b; 8]), None);
    }

    #[test]
    fn stage_gathers_pieces_of_every_length() {
        let mut stage = Stage::new(4);
        let mut want = Vec::new();
        for len in (0..70).chain([255, 256, 257, 1000]) {
            let piece: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            stage.put(&piece);
            want.extend_from_slice(&piece);
            stage.push(b'|');
            want.push(b'|');
            assert_eq!(stage.as_slice(), &want[..]);
        }
        stage.clear();
        assert_eq!(stage.as_slice(), b"");
    }
}
