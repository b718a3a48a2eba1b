//! The status record of `supervise/status` (pure): `pack`/`unpack` of 0.76's 18 bytes
//! (spec supervise.md §3: TAI64N stamp big-endian, pid little-endian, paused byte, want
//! byte), and runit's 20-byte superset, which adds a got-TERM flag and the run/finish
//! state. 0.76's readers take the first 18 bytes; runit's `sv` and busybox's `svc` insist on
//! 20. No I/O here: `svdir` reads and writes the file.

use crate::format::tai::{self, Stamp};

/// Length of the status record.
pub const STATUS_LEN: usize = 18;
const PID_AT: usize = tai::PACKED_LEN;
const PAUSED_AT: usize = PID_AT + 4;
const WANT_AT: usize = PAUSED_AT + 1;
const _: () = assert!(WANT_AT + 1 == STATUS_LEN);

/// Length of runit's record: 0.76's, then the got-TERM flag and the state byte.
pub const RUNIT_LEN: usize = STATUS_LEN + 2;
const GOT_TERM_AT: usize = STATUS_LEN;
const STATE_AT: usize = STATUS_LEN + 1;

/// runit's state byte: what runs in the service directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Nothing runs.
    Down,
    /// `./run` runs.
    Run,
    /// `./finish` runs.
    Finish,
}

impl RunState {
    /// The state byte.
    pub fn byte(self) -> u8 {
        match self {
            RunState::Down => 0,
            RunState::Run => 1,
            RunState::Finish => 2,
        }
    }
}

/// runit's two bytes after 0.76's eighteen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunitTail {
    /// The service was sent TERM (by `d` or `t`) and has not exited since.
    pub got_term: bool,
    pub state: RunState,
}

/// The 20 bytes of runit's record: 0.76's record followed by `tail`.
pub fn pack_runit(status: &Status, tail: RunitTail) -> [u8; RUNIT_LEN] {
    let mut out = [0u8; RUNIT_LEN];
    out[..STATUS_LEN].copy_from_slice(&pack(status));
    out[GOT_TERM_AT] = u8::from(tail.got_term);
    out[STATE_AT] = tail.state.byte();
    out
}

/// runit's tail, when `bytes` holds a 20-byte record with a known state byte.
pub fn unpack_runit_tail(bytes: &[u8]) -> Option<RunitTail> {
    let state = match bytes.get(STATE_AT)? {
        0 => RunState::Down,
        1 => RunState::Run,
        2 => RunState::Finish,
        _ => return None,
    };
    Some(RunitTail {
        got_term: bytes[GOT_TERM_AT] != 0,
        state,
    })
}

/// What supervise does when the service exits (status byte 17).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// `u`: restart it.
    Up,
    /// `d`: leave it down.
    Down,
    /// After `o`: no restart wanted (byte 0).
    None,
    /// A byte no daemontools writes; readers ignore it.
    Other(u8),
}

impl Want {
    const UP: u8 = b'u';
    const DOWN: u8 = b'd';
    const NONE: u8 = 0;

    /// The status byte.
    pub fn byte(self) -> u8 {
        match self {
            Want::Up => Self::UP,
            Want::Down => Self::DOWN,
            Want::None => Self::NONE,
            Want::Other(b) => b,
        }
    }

    /// From the status byte.
    pub fn from_byte(b: u8) -> Self {
        match b {
            Self::UP => Want::Up,
            Self::DOWN => Want::Down,
            Self::NONE => Want::None,
            other => Want::Other(other),
        }
    }
}

/// One status record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// When the pid last changed.
    pub stamp: Stamp,
    /// The service's pid, 0 when it is down.
    pub pid: u32,
    /// Paused (any non-zero byte reads as paused).
    pub paused: bool,
    pub want: Want,
}

/// The 18 bytes of `status`.
pub fn pack(status: &Status) -> [u8; STATUS_LEN] {
    let mut out = [0u8; STATUS_LEN];
    out[..PID_AT].copy_from_slice(&status.stamp.pack());
    out[PID_AT..PAUSED_AT].copy_from_slice(&status.pid.to_le_bytes());
    out[PAUSED_AT] = u8::from(status.paused);
    out[WANT_AT] = status.want.byte();
    out
}

/// The record at the start of `bytes`, or `None` if fewer than 18 bytes (extra bytes, as
/// runit writes them, are ignored).
pub fn unpack(bytes: &[u8]) -> Option<Status> {
    let bytes = bytes.get(..STATUS_LEN)?;
    let mut stamp = [0u8; tai::PACKED_LEN];
    stamp.copy_from_slice(&bytes[..PID_AT]);
    let mut pid = [0u8; 4];
    pid.copy_from_slice(&bytes[PID_AT..PAUSED_AT]);
    Some(Status {
        stamp: Stamp::unpack(&stamp),
        pid: u32::from_le_bytes(pid),
        paused: bytes[PAUSED_AT] != 0,
        want: Want::from_byte(bytes[WANT_AT]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record observed from 0.76 (spec supervise.md §3).
    const SPEC_BYTES: [u8; STATUS_LEN] = [
        0x40, 0x00, 0x00, 0x00, 0x6b, 0x03, 0xc9, 0x1a, 0x2c, 0xfe, 0x12, 0xf4, 0xa9, 0x54, 0x00,
        0x00, 0x00, 0x75,
    ];

    fn spec_status() -> Status {
        Status {
            stamp: Stamp {
                secs: 0x4000_0000_6b03_c91a,
                nanos: 754_848_500,
            },
            pid: 21673,
            paused: false,
            want: Want::Up,
        }
    }

    #[test]
    fn spec_vector_unpacks() {
        assert_eq!(unpack(&SPEC_BYTES), Some(spec_status()));
    }

    #[test]
    fn spec_vector_packs() {
        assert_eq!(pack(&spec_status()), SPEC_BYTES);
    }

    #[test]
    fn observed_tails() {
        // Bytes 12-17 of the observed state sequences (spec supervise.md §4).
        let cases: &[([u8; 6], u32, bool, Want)] = &[
            ([0, 0, 0, 0, 0, 0x64], 0, false, Want::Down),
            ([0x12, 0x0d, 0, 0, 0, 0], 3346, false, Want::None),
            ([0xa5, 0x0d, 0, 0, 0, 0x75], 3493, false, Want::Up),
            ([0xd2, 0x04, 0, 0, 7, 0], 1234, true, Want::None),
            (
                [0xff, 0xff, 0xff, 0xff, 0, b'x'],
                u32::MAX,
                false,
                Want::Other(b'x'),
            ),
        ];
        for &(tail, pid, paused, want) in cases {
            let mut bytes = [0u8; STATUS_LEN];
            bytes[PID_AT..].copy_from_slice(&tail);
            let s = unpack(&bytes).unwrap();
            assert_eq!(
                (s.pid, s.paused, s.want),
                (pid, paused, want),
                "{tail:02x?}"
            );
        }
    }

    #[test]
    fn round_trip() {
        for want in [Want::Up, Want::Down, Want::None, Want::Other(b'?')] {
            for paused in [false, true] {
                let s = Status {
                    stamp: Stamp::from_unix(1_700_000_000, 123_456_500),
                    pid: 0x0102_0304,
                    paused,
                    want,
                };
                assert_eq!(unpack(&pack(&s)), Some(s));
            }
        }
    }

    #[test]
    fn short_is_rejected_long_is_cut() {
        assert_eq!(unpack(&SPEC_BYTES[..17]), None);
        assert_eq!(unpack(&[]), None);
        let mut long = SPEC_BYTES.to_vec();
        long.extend_from_slice(&[9; 8]);
        assert_eq!(unpack(&long), Some(spec_status()));
    }

    #[test]
    fn runit_record_is_the_old_one_and_two_bytes() {
        let tail = RunitTail {
            got_term: true,
            state: RunState::Finish,
        };
        let bytes = pack_runit(&spec_status(), tail);
        assert_eq!(&bytes[..STATUS_LEN], &SPEC_BYTES);
        assert_eq!(&bytes[STATUS_LEN..], &[1, 2]);
        assert_eq!(unpack(&bytes), Some(spec_status()));
        assert_eq!(unpack_runit_tail(&bytes), Some(tail));
        assert_eq!(
            unpack_runit_tail(&SPEC_BYTES),
            None,
            "0.76's record has no tail"
        );
        let mut odd = bytes;
        odd[STATE_AT] = 7;
        assert_eq!(unpack_runit_tail(&odd), None);
    }

    /// Bytes 16-19 that runit's runsv wrote: running, finishing after `sv d`, down.
    #[test]
    fn runsv_tails() {
        for (tail, state, paused, want) in [
            ([0, b'u', 0, 1], RunState::Run, false, Want::Up),
            ([0, b'd', 0, 2], RunState::Finish, false, Want::Down),
            ([0, b'd', 0, 0], RunState::Down, false, Want::Down),
        ] {
            let mut bytes = [0u8; RUNIT_LEN];
            bytes[PAUSED_AT..].copy_from_slice(&tail);
            let s = unpack(&bytes).unwrap();
            assert_eq!((s.paused, s.want), (paused, want));
            assert_eq!(unpack_runit_tail(&bytes).unwrap().state, state);
        }
    }

    #[test]
    fn want_bytes() {
        assert_eq!(Want::Up.byte(), b'u');
        assert_eq!(Want::Down.byte(), b'd');
        assert_eq!(Want::None.byte(), 0);
        assert_eq!(Want::from_byte(b'd'), Want::Down);
    }
}
