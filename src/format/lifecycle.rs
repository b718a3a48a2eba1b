//! The lifecycle record, `supervise/lifecycle` (pure): what the status record cannot say.
//!
//! A fixed 72-byte record beside `supervise/status`, replaced atomically with it: the phase
//! (including finishing, backing off and gave up), readiness and when, the last exit (code,
//! signal, or unknown for a taken-over service) and when, the restart count, the finish
//! script's pid, whether the service was taken over, and when the next start is due. It
//! carries a copy of the status record written with it, so a reader can tell a record that
//! belongs to the status it read from a stale or half-replaced one.
//! Layout (integers little-endian, stamps packed TAI64N):
//!
//! | bytes | field |
//! |---|---|
//! | 0-3 | magic `dbl1` |
//! | 4 | phase: 0 down, 1 waiting, 2 starting, 3 up, 4 finishing, 5 gave up |
//! | 5 | flags: 1 ready, 2 taken over, 4 next start known |
//! | 6 | last exit: 0 none, 1 exit code, 2 signal, 3 unknown |
//! | 7 | the exit code or signal number |
//! | 8-27 | the status record written with this one (runit's 20 bytes) |
//! | 28-31 | `./finish`'s pid (0 when none) |
//! | 32-35 | restarts |
//! | 36-47 | when the service said it was ready |
//! | 48-59 | when `./run` last ended |
//! | 60-71 | when the next start is due |

use super::status::RUNIT_LEN;
use super::tai::{self, Stamp};

/// Length of the record.
pub const LEN: usize = 72;
const MAGIC: &[u8; 4] = b"dbl1";
const PHASE_AT: usize = 4;
const FLAGS_AT: usize = 5;
const EXIT_KIND_AT: usize = 6;
const EXIT_VALUE_AT: usize = 7;
const STATUS_AT: usize = 8;
const FINISH_PID_AT: usize = STATUS_AT + RUNIT_LEN;
const RESTARTS_AT: usize = FINISH_PID_AT + 4;
const READY_AT: usize = RESTARTS_AT + 4;
const EXITED_AT: usize = READY_AT + tai::PACKED_LEN;
const NEXT_START_AT: usize = EXITED_AT + tai::PACKED_LEN;
const _: () = assert!(NEXT_START_AT + tai::PACKED_LEN == LEN);

const READY: u8 = 1;
const ADOPTED: u8 = 2;
const NEXT_START: u8 = 4;

/// Where the service is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Down,
    /// Wanted up; the next start is due later (the 1-second minimum or a backoff).
    Waiting,
    Starting,
    Up,
    /// `./finish` runs.
    Finishing,
    /// Restarting stopped after too many deaths.
    GaveUp,
}

const PHASES: [Phase; 6] = [
    Phase::Down,
    Phase::Waiting,
    Phase::Starting,
    Phase::Up,
    Phase::Finishing,
    Phase::GaveUp,
];

impl Phase {
    /// The name used in messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Down => "down",
            Phase::Waiting => "waiting",
            Phase::Starting => "starting",
            Phase::Up => "up",
            Phase::Finishing => "finishing",
            Phase::GaveUp => "gave up",
        }
    }
}

/// How `./run` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(u8),
    Signal(u8),
    /// A taken-over service: not our child, so its status could not be known.
    Unknown,
}

/// The whole record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub phase: Phase,
    /// The status record written with this one.
    pub status: [u8; RUNIT_LEN],
    pub finish_pid: u32,
    pub restarts: u32,
    pub ready: Option<Stamp>,
    pub last_exit: Option<(Exit, Stamp)>,
    pub next_start: Option<Stamp>,
    /// The service was taken over from a killed supervise.
    pub adopted: bool,
}

fn put_u32(out: &mut [u8; LEN], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

fn put_stamp(out: &mut [u8; LEN], at: usize, stamp: Option<Stamp>) {
    if let Some(stamp) = stamp {
        out[at..at + tai::PACKED_LEN].copy_from_slice(&stamp.pack());
    }
}

fn get_stamp(bytes: &[u8], at: usize) -> Stamp {
    let mut packed = [0u8; tai::PACKED_LEN];
    packed.copy_from_slice(&bytes[at..at + tai::PACKED_LEN]);
    Stamp::unpack(&packed)
}

/// The record's bytes.
pub fn pack(record: &Lifecycle) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[..4].copy_from_slice(MAGIC);
    out[PHASE_AT] = PHASES.iter().position(|&p| p == record.phase).unwrap_or(0) as u8;
    let flags = [
        (record.ready.is_some(), READY),
        (record.adopted, ADOPTED),
        (record.next_start.is_some(), NEXT_START),
    ];
    out[FLAGS_AT] = flags.iter().filter(|(on, _)| *on).map(|(_, bit)| bit).sum();
    let (kind, value) = match record.last_exit.map(|(exit, _)| exit) {
        None => (0, 0),
        Some(Exit::Code(code)) => (1, code),
        Some(Exit::Signal(signal)) => (2, signal),
        Some(Exit::Unknown) => (3, 0),
    };
    out[EXIT_KIND_AT] = kind;
    out[EXIT_VALUE_AT] = value;
    out[STATUS_AT..FINISH_PID_AT].copy_from_slice(&record.status);
    put_u32(&mut out, FINISH_PID_AT, record.finish_pid);
    put_u32(&mut out, RESTARTS_AT, record.restarts);
    put_stamp(&mut out, READY_AT, record.ready);
    put_stamp(&mut out, EXITED_AT, record.last_exit.map(|(_, at)| at));
    put_stamp(&mut out, NEXT_START_AT, record.next_start);
    out
}

/// The record in `bytes`, or `None` if it is short, foreign or damaged.
pub fn unpack(bytes: &[u8]) -> Option<Lifecycle> {
    if bytes.len() < LEN || &bytes[..4] != MAGIC {
        return None;
    }
    let phase = *PHASES.get(usize::from(bytes[PHASE_AT]))?;
    let flags = bytes[FLAGS_AT];
    let value = bytes[EXIT_VALUE_AT];
    let exit = match bytes[EXIT_KIND_AT] {
        0 => None,
        1 => Some(Exit::Code(value)),
        2 => Some(Exit::Signal(value)),
        3 => Some(Exit::Unknown),
        _ => return None,
    };
    let when = |bit: u8, at: usize| (flags & bit != 0).then(|| get_stamp(bytes, at));
    Some(Lifecycle {
        phase,
        status: bytes[STATUS_AT..FINISH_PID_AT].try_into().ok()?,
        finish_pid: get_u32(bytes, FINISH_PID_AT),
        restarts: get_u32(bytes, RESTARTS_AT),
        ready: when(READY, READY_AT),
        last_exit: exit.map(|e| (e, get_stamp(bytes, EXITED_AT))),
        next_start: when(NEXT_START, NEXT_START_AT),
        adopted: flags & ADOPTED != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Lifecycle {
        Lifecycle {
            phase: Phase::Finishing,
            status: [7; RUNIT_LEN],
            finish_pid: 0x0102_0304,
            restarts: 7,
            ready: None,
            last_exit: Some((Exit::Signal(9), Stamp::from_unix(1_700_000_000, 5))),
            next_start: Some(Stamp::from_unix(1_700_000_001, 500)),
            adopted: true,
        }
    }

    #[test]
    fn round_trip_every_phase_and_exit() {
        for phase in PHASES {
            for exit in [
                None,
                Some(Exit::Code(100)),
                Some(Exit::Signal(15)),
                Some(Exit::Unknown),
            ] {
                let record = Lifecycle {
                    phase,
                    last_exit: exit.map(|e| (e, Stamp::from_unix(3, 4))),
                    ready: Some(Stamp::from_unix(1, 2)),
                    ..sample()
                };
                assert_eq!(unpack(&pack(&record)), Some(record));
            }
        }
    }

    #[test]
    fn layout() {
        let bytes = pack(&sample());
        assert_eq!(&bytes[..8], b"dbl1\x04\x06\x02\x09");
        assert_eq!(&bytes[8..28], &[7; RUNIT_LEN]);
        assert_eq!(&bytes[28..36], &[4, 3, 2, 1, 7, 0, 0, 0]);
        assert_eq!(&bytes[36..48], &[0; 12], "no ready stamp");
    }

    #[test]
    fn foreign_or_damaged_records_are_refused() {
        let good = pack(&sample());
        assert_eq!(unpack(&good[..LEN - 1]), None);
        let mut bad = good;
        bad[0] = b'x';
        assert_eq!(unpack(&bad), None);
        let mut bad = good;
        bad[PHASE_AT] = 6;
        assert_eq!(unpack(&bad), None);
        let mut bad = good;
        bad[EXIT_KIND_AT] = 4;
        assert_eq!(unpack(&bad), None);
        let mut long = good.to_vec();
        long.push(0);
        assert_eq!(unpack(&long), Some(sample()));
    }
}
