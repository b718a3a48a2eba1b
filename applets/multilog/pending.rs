//! Output waiting to be written to one directory (pure): a byte buffer that stays
//! initialised between chunks, filled with a copy routine made for short pieces.
//!
//! Log lines are short; the C library's memcpy spends more time starting up than copying
//! on pieces of a few dozen bytes, so pieces up to [`SHORT`] bytes are copied here with
//! fixed-size moves the compiler emits inline. Keeping the buffer initialised lets those
//! copies write into it without clearing it again for every chunk.

/// Pieces up to this length are copied by [`copy_short`].
const SHORT: usize = 128;

/// Bytes routed to one directory and not written yet.
#[derive(Debug, Default, Clone)]
pub struct Pending {
    data: Vec<u8>,
    used: usize,
}

impl Pending {
    /// The bytes waiting.
    pub fn as_slice(&self) -> &[u8] {
        &self.data[..self.used]
    }

    /// Forgets the bytes (keeps the memory).
    pub fn clear(&mut self) {
        self.used = 0;
    }

    /// Forgets the bytes and gives the memory back.
    pub fn release(&mut self) {
        *self = Pending::default();
    }

    /// Makes room for `extra` more bytes.
    pub fn reserve(&mut self, extra: usize) {
        let need = self.used + extra;
        if need > self.data.len() {
            self.data.resize(need.max(self.data.len() * 2), 0);
        }
    }

    /// Appends `bytes`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        let end = self.used + bytes.len();
        let dst = &mut self.data[self.used..end];
        if bytes.len() <= SHORT {
            copy_short(dst, bytes);
        } else {
            dst.copy_from_slice(bytes);
        }
        self.used = end;
    }
}

/// Copies `src` into `dst` (of the same length) with fixed-size moves, overlapping the last
/// one instead of finishing byte by byte.
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        let mut i = 0;
        while i + 16 <= n {
            dst[i..i + 16].copy_from_slice(&src[i..i + 16]);
            i += 16;
        }
        if i < n {
            dst[n - 16..n].copy_from_slice(&src[n - 16..n]);
        }
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..n]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..n]);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_is_copied_exactly() {
        let src: Vec<u8> = (0..=255u8).collect();
        let mut pending = Pending::default();
        let mut want = Vec::new();
        for len in 0..200 {
            pending.push(&src[..len]);
            want.extend_from_slice(&src[..len]);
        }
        assert_eq!(pending.as_slice(), &want[..]);
        pending.clear();
        pending.push(b"x");
        assert_eq!(pending.as_slice(), b"x");
        pending.release();
        assert_eq!(pending.as_slice(), b"");
    }
}
