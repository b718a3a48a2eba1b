//! TAI64N time labels as daemontools writes them (pure).
//!
//! TAI64 seconds are `2^62 + 10 + unix_seconds` (a fixed 10-second TAI-UTC offset; leap
//! seconds are never consulted, for compatibility). The 12-byte packed form is the TAI64
//! seconds then the nanoseconds, both big-endian; the text label is `@` and those 12 bytes
//! as 24 lowercase hex digits. (The `tai64` crate's own Unix conversion uses today's leap
//! second offset, so only its byte packing is used here.)
//!
//! Reading labels back follows tai64nlocal's rules: lowercase hex digits only, any number
//! of them, the last 8 being the nanoseconds and the 16 before them the seconds (earlier
//! digits fall off the top). The local rendering is `YYYY-MM-DD HH:MM:SS.NNNNNNNNN`.

use super::civil::{Civil, TM_YEAR_BASE};
use tai64::Tai64;

/// TAI64 seconds of the Unix epoch, as daemontools counts them.
pub const UNIX_EPOCH_TAI: u64 = (1 << 62) + 10;
/// Length of a packed TAI64N value.
pub const PACKED_LEN: usize = 12;
/// Length of a text label: `@` + 24 hex digits.
pub const LABEL_LEN: usize = 1 + 2 * PACKED_LEN;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A TAI64N moment: TAI64 seconds and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub secs: u64,
    pub nanos: u32,
}

impl Stamp {
    /// From Unix seconds and nanoseconds (as `sys::clock::realtime` returns them).
    pub fn from_unix(secs: i64, nanos: u32) -> Self {
        Stamp {
            secs: UNIX_EPOCH_TAI.wrapping_add_signed(secs),
            nanos,
        }
    }

    /// Unix seconds (may be negative for labels before 1970).
    pub fn unix_secs(self) -> i64 {
        self.secs.wrapping_sub(UNIX_EPOCH_TAI) as i64
    }

    /// The 12 packed bytes.
    pub fn pack(self) -> [u8; PACKED_LEN] {
        // The crate's Tai64N would refuse nanoseconds of a billion or more, which foreign
        // labels may carry, so only the seconds go through it.
        let mut out = [0u8; PACKED_LEN];
        out[..8].copy_from_slice(&Tai64(self.secs).to_bytes());
        out[8..].copy_from_slice(&self.nanos.to_be_bytes());
        out
    }

    /// From 12 packed bytes (any nanosecond value is accepted).
    pub fn unpack(bytes: &[u8; PACKED_LEN]) -> Self {
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&bytes[..8]);
        let mut nanos = [0u8; 4];
        nanos.copy_from_slice(&bytes[8..]);
        Stamp {
            secs: Tai64::from(secs).0,
            nanos: u32::from_be_bytes(nanos),
        }
    }

    /// The text label `@` + 24 lowercase hex digits.
    pub fn label(self) -> [u8; LABEL_LEN] {
        let mut out = [b'@'; LABEL_LEN];
        hex_into(&self.pack(), &mut out[1..]);
        out
    }
}

/// Writes `bytes` as lowercase hex into `out` (twice as long).
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 15)];
    }
}

/// Start of the nanosecond digits in a label.
const NANOS_AT: usize = 1 + 16;

/// Writes labels one after another, encoding the seconds again only when they change
/// (tai64n labels every line; most lines share their second with the one before).
pub struct LabelWriter {
    secs: Option<u64>,
    text: [u8; LABEL_LEN],
}

impl LabelWriter {
    pub fn new() -> Self {
        LabelWriter {
            secs: None,
            text: [b'@'; LABEL_LEN],
        }
    }

    /// The label of `stamp`.
    pub fn label(&mut self, stamp: Stamp) -> &[u8; LABEL_LEN] {
        if self.secs != Some(stamp.secs) {
            hex_into(&stamp.secs.to_be_bytes(), &mut self.text[1..NANOS_AT]);
            self.secs = Some(stamp.secs);
        }
        hex_into(&stamp.nanos.to_be_bytes(), &mut self.text[NANOS_AT..]);
        &self.text
    }
}

/// Marks a byte that is not a label digit in `DIGIT_VALUES`.
const NOT_DIGIT: u8 = 0xff;

/// Every byte's value as a label digit (a table: this is the innermost loop of tai64nlocal).
const DIGIT_VALUES: [u8; 256] = {
    let mut table = [NOT_DIGIT; 256];
    let mut i = 0;
    while i < 16 {
        table[HEX[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// A label's digits read so far, as one growing hexadecimal number whose low 96 bits are
/// the seconds and nanoseconds (earlier digits fall off the top).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Digits(u128);

/// Bits of the nanosecond field: the last 8 hex digits.
const NANO_BITS: u32 = 32;

impl Digits {
    /// Reads the digits (`0`-`9`, lowercase `a`-`f`) at the start of `bytes`; returns how
    /// many there were.
    pub fn scan(&mut self, bytes: &[u8]) -> usize {
        let mut value = self.0;
        for (i, &byte) in bytes.iter().enumerate() {
            let digit = DIGIT_VALUES[usize::from(byte)];
            if digit == NOT_DIGIT {
                self.0 = value;
                return i;
            }
            value = (value << 4) | u128::from(digit);
        }
        self.0 = value;
        bytes.len()
    }

    /// The moment the digits name.
    pub fn stamp(self) -> Stamp {
        Stamp {
            secs: (self.0 >> NANO_BITS) as u64,
            nanos: self.0 as u32,
        }
    }
}

/// Longest rendering of the seconds: a 20-digit year, then `-MM-DD HH:MM:SS.` (16 bytes).
pub const SECONDS_MAX: usize = 20 + 16;
/// Longest rendering of the nanoseconds: all ten digits of a 32-bit value.
pub const NANOS_MAX: usize = 10;
/// The smallest nanosecond count with more than the usual 9 digits.
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// "00" to "99", for writing decimals two digits at a time.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// How many decimal digits `n` has.
fn digit_count(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Writes the last `len` decimal digits of `n` (zero-padded) at the start of `out`.
fn decimal(out: &mut [u8], mut n: u64, len: usize) -> usize {
    let mut end = len;
    while end >= 2 {
        out[end - 2..end].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
        end -= 2;
    }
    if end == 1 {
        out[0] = b'0' + (n % 10) as u8;
    }
    len
}

/// Renders the seconds part, `YYYY-MM-DD HH:MM:SS.`, into `out`; returns the length.
///
/// The year is printed the way the reference prints it: `1900 + tm_year` as a C int
/// (wrapping) converted to an unsigned 64-bit number, so years before 1 BCE come out as
/// huge numbers such as `18446744073709518743`.
pub fn render_seconds(civil: &Civil, out: &mut [u8; SECONDS_MAX]) -> usize {
    let year = civil.tm_year.wrapping_add(TM_YEAR_BASE as i32);
    let year = i64::from(year) as u64;
    let mut len = decimal(out, year, digit_count(year));
    for (sep, value) in [
        (b'-', civil.month),
        (b'-', civil.day),
        (b' ', civil.hour),
        (b':', civil.minute),
        (b':', civil.second),
    ] {
        out[len] = sep;
        out[len + 1] = b'0' + value / 10;
        out[len + 2] = b'0' + value % 10;
        len += 3;
    }
    out[len] = b'.';
    len + 1
}

/// Renders the nanoseconds with at least 9 digits into `out`; returns the length.
pub fn render_nanos(nanos: u32, out: &mut [u8; NANOS_MAX]) -> usize {
    let len = if nanos >= NANOS_PER_SECOND { 10 } else { 9 };
    decimal(out, u64::from(nanos), len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::civil::breakdown;

    fn digits(text: &[u8]) -> (Digits, usize) {
        let mut d = Digits::default();
        let n = d.scan(text);
        (d, n)
    }

    fn local(stamp: Stamp, offset: i64) -> Vec<u8> {
        let mut seconds = [0; SECONDS_MAX];
        let mut nanos = [0; NANOS_MAX];
        let civil = breakdown(stamp.unix_secs(), offset).unwrap();
        let len = render_seconds(&civil, &mut seconds);
        let mut text = seconds[..len].to_vec();
        let len = render_nanos(stamp.nanos, &mut nanos);
        text.extend_from_slice(&nanos[..len]);
        text
    }

    #[test]
    fn label_writer_matches_label() {
        let mut writer = LabelWriter::new();
        for stamp in [
            Stamp::from_unix(1_795_410_515, 325_196_500),
            Stamp::from_unix(1_795_410_515, 999_999_999),
            Stamp::from_unix(1_795_410_516, 0),
            Stamp::from_unix(-11, 7),
            Stamp::from_unix(-11, 7),
        ] {
            assert_eq!(writer.label(stamp), &stamp.label());
        }
    }

    #[test]
    fn label_digits_round_trip() {
        let stamp = Stamp::from_unix(1_795_410_515, 325_196_500);
        let (d, n) = digits(&stamp.label()[1..]);
        assert_eq!((d.stamp(), n), (stamp, 24));
    }

    #[test]
    fn digits_stop_at_the_first_non_digit() {
        for (text, count) in [
            (&b"400000006b03ca5d13621ad4 hello"[..], 24),
            (b"400000006B03CA5D", 9),
            (b"", 0),
            (b"zz", 0),
            (b"40000000\n", 8),
            (b"400000006b03ca5d13621ad4extra", 25),
        ] {
            assert_eq!(digits(text).1, count, "{:?}", text);
        }
    }

    #[test]
    fn short_and_long_labels_wrap_like_the_reference() {
        let (short, _) = digits(b"40000000");
        assert_eq!(
            short.stamp(),
            Stamp {
                secs: 0,
                nanos: 0x4000_0000
            }
        );
        // Extra leading digits fall off the top of the seconds.
        let (long, _) = digits(b"f0400000006b03ca5d13621ad4");
        let (exact, _) = digits(b"400000006b03ca5d13621ad4");
        assert_eq!(long.stamp(), exact.stamp());
        let (very_long, _) = digits(&[b'f'; 100]);
        assert_eq!(
            very_long.stamp(),
            Stamp {
                secs: u64::MAX,
                nanos: u32::MAX
            }
        );
    }

    #[test]
    fn spec_renderings() {
        let (d, _) = digits(b"400000006b03ca5d13621ad4");
        assert_eq!(local(d.stamp(), 0), b"2026-11-23 05:08:35.325196500");
        let (d, _) = digits(b"4000000037c219bf2ef02e94");
        assert_eq!(local(d.stamp(), 19_800), b"1999-08-24 09:34:05.787492500");
        let (d, _) = digits(b"3fffffffffffffff00000000");
        assert_eq!(local(d.stamp(), 0), b"1969-12-31 23:59:49.000000000");
    }

    #[test]
    fn nanoseconds_print_at_least_nine_digits() {
        let at = |nanos| local(Stamp::from_unix(0, nanos), 0);
        assert_eq!(at(0), b"1970-01-01 00:00:00.000000000");
        assert_eq!(at(7), b"1970-01-01 00:00:00.000000007");
        assert_eq!(at(1_000_000_000), b"1970-01-01 00:00:00.1000000000");
        assert_eq!(at(u32::MAX), b"1970-01-01 00:00:00.4294967295");
    }

    #[test]
    fn years_before_1_bce_print_as_unsigned() {
        let (d, _) = digits(b"3fffff0000000000ffffffff");
        assert_eq!(
            local(d.stamp(), 0),
            b"18446744073709518743-11-12 23:23:34.4294967295"
        );
        let (d, _) = digits(b"3ffffffe00000000ffffffff");
        assert_eq!(local(d.stamp(), 0), b"1697-10-17 11:03:18.4294967295");
    }

    #[test]
    fn epoch_label() {
        assert_eq!(
            &Stamp::from_unix(0, 0).label(),
            b"@400000000000000a00000000"
        );
    }

    #[test]
    fn spec_example_label() {
        let s = Stamp {
            secs: 0x4000_0000_6b03_c9a9,
            nanos: 763_208_500,
        };
        assert_eq!(&s.label(), b"@400000006b03c9a92d7da334");
    }

    #[test]
    fn pack_unpack_round_trip() {
        for s in [
            Stamp::from_unix(1_700_000_000, 123_456_789),
            Stamp::from_unix(-11, 0),
            Stamp {
                secs: u64::MAX,
                nanos: u32::MAX,
            },
        ] {
            assert_eq!(Stamp::unpack(&s.pack()), s);
        }
    }

    #[test]
    fn unix_round_trip() {
        assert_eq!(Stamp::from_unix(1_234_567, 0).unix_secs(), 1_234_567);
        assert_eq!(Stamp::from_unix(-11, 0).unix_secs(), -11);
    }
}
