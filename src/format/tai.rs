//! TAI64N time labels as daemontools writes them (pure).
//!
//! TAI64 seconds are `2^62 + 10 + unix_seconds` (a fixed 10-second TAI-UTC offset; leap
//! seconds are never consulted, for compatibility). The 12-byte packed form is the TAI64
//! seconds then the nanoseconds, both big-endian; the text label is `@` and those 12 bytes
//! as 24 lowercase hex digits. (The `tai64` crate's own Unix conversion uses today's leap
//! second offset, so only its byte packing is used here.)

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
        for (i, byte) in self.pack().iter().enumerate() {
            out[1 + 2 * i] = HEX[usize::from(byte >> 4)];
            out[2 + 2 * i] = HEX[usize::from(byte & 15)];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
