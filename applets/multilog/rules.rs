//! The rotation rules (pure): how much of the pending output goes into `current` before the
//! file must be closed (spec §10), and which old file goes when there are too many (§9).
//!
//! A file never exceeds its size limit; once it is within the last 2000 bytes of the limit it
//! is closed at the first line end; a line that runs past the limit is cut at exactly the
//! limit and continues in the next file. Chunk boundaries do not change where files end as
//! long as they do not change where newlines fall, which is what lets daemonbox write much
//! larger pieces than 0.76 while keeping its file boundaries for line-at-a-time input.

use super::route::find_newline;

/// Bytes before the size limit in which a line end closes the file.
pub const WINDOW: u64 = 2000;

/// The next piece to append to a `current` already holding `bytes` (< `size`) bytes: its
/// length, and whether the file is to be rotated right after it.
pub fn next_piece(bytes: u64, size: u64, data: &[u8]) -> (usize, bool) {
    let room = usize::try_from(size.saturating_sub(bytes)).unwrap_or(usize::MAX);
    let limit = data.len().min(room);
    // A newline at index i leaves the file at bytes + i + 1 bytes.
    let first_closing = usize::try_from(size.saturating_sub(WINDOW).saturating_sub(bytes + 1))
        .unwrap_or(usize::MAX);
    if first_closing < limit
        && let Some(at) = find_newline(&data[first_closing..limit])
    {
        return (first_closing + at + 1, true);
    }
    (limit, false)
}

/// Length of the part of an `@` name that identifies a log file (`@` + 24 hex digits).
pub const OLD_NAME_LEN: usize = 25;

/// Given a directory's names in readdir order, the one to delete so that fewer than `num`
/// old files remain, or `None` when they already fit. Old files are the names starting with
/// `@` that are at least 25 bytes long; the oldest has the smallest first 25 bytes, and the
/// first name in directory order sharing those 25 bytes is the one removed.
pub fn oldest_to_remove(names: &[Vec<u8>], num: u64) -> Option<&[u8]> {
    let is_old = |n: &&Vec<u8>| n.first() == Some(&b'@') && n.len() >= OLD_NAME_LEN;
    let count = names.iter().filter(is_old).count();
    if (count as u64) < num {
        return None;
    }
    let oldest = names
        .iter()
        .filter(is_old)
        .map(|n| &n[..OLD_NAME_LEN])
        .min()?;
    names
        .iter()
        .find(|n| n.starts_with(oldest))
        .map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    #[test]
    fn trimming_counts_long_at_names_only() {
        let dir = names(&[
            "current",
            "@400000006b03c9b53b12db2c.s",
            "@short",
            "@400000006b03c9b52e4b8a24.u",
            "lock",
            "state",
        ]);
        assert_eq!(oldest_to_remove(&dir, 3), None);
        assert_eq!(
            oldest_to_remove(&dir, 2),
            Some(&b"@400000006b03c9b52e4b8a24.u"[..])
        );
    }

    #[test]
    fn foreign_names_count_and_may_be_the_oldest() {
        let dir = names(&[
            "@400000006b03c9b53b12db2c.s",
            "@0000000000000000000000001-x",
            "@0000000000000000000000001",
        ]);
        assert_eq!(
            oldest_to_remove(&dir, 3),
            Some(&b"@0000000000000000000000001-x"[..])
        );
        assert_eq!(oldest_to_remove(&dir, 4), None);
    }

    /// Splits `input` into files of a log with limit `size`, feeding it in pieces of `step`.
    fn files(input: &[u8], size: u64, step: usize) -> Vec<usize> {
        let (mut sizes, mut bytes) = (Vec::new(), 0u64);
        for mut chunk in input.chunks(step) {
            while !chunk.is_empty() {
                if bytes >= size {
                    sizes.push(bytes as usize);
                    bytes = 0;
                }
                let (n, close) = next_piece(bytes, size, chunk);
                bytes += n as u64;
                chunk = &chunk[n..];
                if close {
                    sizes.push(bytes as usize);
                    bytes = 0;
                }
            }
        }
        sizes.push(bytes as usize);
        sizes
    }

    fn lines(count: usize, len: usize) -> Vec<u8> {
        (0..count)
            .flat_map(|_| std::iter::repeat_n(b'x', len - 1).chain([b'\n']))
            .collect()
    }

    #[test]
    fn hundred_byte_lines_close_at_2100() {
        let input = lines(50, 100);
        for step in [100, 1024, 4096, 65536] {
            assert_eq!(files(&input, 4096, step), [2100, 2100, 800], "step {step}");
        }
    }

    #[test]
    fn overlong_line_is_cut_at_the_limit() {
        let mut input = vec![b'y'; 5000];
        input.push(b'\n');
        for step in [512, 5001] {
            assert_eq!(files(&input, 4096, step), [4096, 905], "step {step}");
        }
    }

    #[test]
    fn a_line_end_just_inside_the_window_closes() {
        // The file reaches 2096 bytes = 4096 - 2000 with its newline: it closes there.
        let mut input = vec![b'a'; 2095];
        input.push(b'\n');
        input.extend_from_slice(b"b\n");
        assert_eq!(files(&input, 4096, 65536), [2096, 2]);
        // One byte earlier the newline does not close it; the next one does.
        assert_eq!(files(&input[1..], 4096, 65536), [2097, 0]);
    }

    #[test]
    fn a_file_holding_the_limit_rotates_before_more_is_written() {
        assert_eq!(next_piece(4095, 4096, b"abc"), (1, false));
        assert_eq!(next_piece(0, 4096, b""), (0, false));
        assert_eq!(next_piece(4000, 4096, b"\nabc"), (1, true));
        assert_eq!(next_piece(10, 16_777_215, b"a\nb\n"), (4, false));
    }
}
