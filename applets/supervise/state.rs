//! supervise's state machine (pure): phase × event × time → new phase and actions.
//!
//! Owns the rules of spec supervise.md §2 (main loop) and §4 (control bytes). It never does
//! I/O or reads a clock: the event loop in `mod.rs` reads the time once per event, feeds
//! the event in, and carries out the returned actions in order. An action that starts a
//! child is answered at once by the loop with `Spawned` or `SpawnFailed`, before any other
//! event. Timers are deadlines: the loop feeds `Timer` once [`State::deadline`] has passed.

use crate::format::status::{Status, Want};
use crate::format::tai::Stamp;
use crate::sys::proc::{Pid, WaitStatus};
use crate::sys::signal::{SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGSTOP, SIGTERM};
use std::time::Duration;

/// Minimum time between two starts of `./run`, so a failing service never spins.
pub const MIN_START_INTERVAL: Duration = Duration::from_secs(1);
/// Pause before retrying after a failed fork.
pub const FORK_RETRY_PAUSE: Duration = Duration::from_secs(60);

/// The moment an event is handled: the monotonic clock for timers, the wall clock (as
/// 0.76 stamps it) for records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub mono: Duration,
    pub wall: Stamp,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// One byte read from `supervise/control`.
    Control(u8),
    /// `./run` was started with this pid.
    Spawned(Pid),
    /// fork failed.
    SpawnFailed,
    /// This process ended; its wait status, unless it was not our child (taken over).
    Reaped(Pid, Option<WaitStatus>),
    /// The deadline has passed.
    Timer,
}

/// What the event loop must do, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Start `./run`, then report `Spawned` or `SpawnFailed`.
    StartRun,
    /// Send a signal to this process (never its group, like 0.76).
    Signal(Pid, i32),
    /// Rewrite `supervise/status`.
    WriteStatus,
}

use Action::{Signal, StartRun, WriteStatus};

/// Where the service is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not running, and no start is due.
    Down,
    /// Not running; `./run` is started once the monotonic clock reaches `until`.
    Waiting { until: Duration },
    /// A start was asked for; the loop reports its outcome next.
    Starting,
    /// `./run` runs.
    Up { pid: Pid },
}

/// supervise's view of its service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub phase: Phase,
    pub want: Want,
    /// Set by `p`, cleared by `c`, `d` and every start.
    pub paused: bool,
    /// `x` was received: leave once the service is down.
    pub exit_requested: bool,
    /// The time of the last pid change, as the status record carries it.
    pub stamp: Stamp,
    /// When `./run` was last started (monotonic), for the minimum interval.
    last_start: Option<Duration>,
}

impl State {
    /// The state at startup: wanted up unless a `down` file exists; when wanted up the
    /// first start is due at once.
    pub fn new(down_file: bool, now: Now) -> Self {
        State {
            phase: if down_file {
                Phase::Down
            } else {
                Phase::Waiting { until: now.mono }
            },
            want: if down_file { Want::Down } else { Want::Up },
            paused: false,
            exit_requested: false,
            stamp: now.wall,
            last_start: None,
        }
    }

    /// Records `pid` as the running service, taken over from a killed supervise with its
    /// old record's pause state and stamp.
    pub fn adopt(&mut self, pid: Pid, paused: bool, stamp: Stamp) {
        self.phase = Phase::Up { pid };
        self.paused = paused;
        self.stamp = stamp;
    }

    /// The running service's pid.
    pub fn pid(&self) -> Option<Pid> {
        match self.phase {
            Phase::Up { pid } => Some(pid),
            _ => None,
        }
    }

    /// Should supervise exit now (after `x`, once nothing runs)?
    pub fn finished(&self) -> bool {
        self.exit_requested && matches!(self.phase, Phase::Down | Phase::Waiting { .. })
    }

    /// When the loop must feed [`Event::Timer`], if ever.
    pub fn deadline(&self) -> Option<Duration> {
        match self.phase {
            Phase::Waiting { until } => Some(until),
            _ => None,
        }
    }

    /// The record to write. The paused byte is forced to 0 while down, as 0.76 writes it.
    pub fn status(&self) -> Status {
        let pid = self.pid().unwrap_or(0);
        Status {
            stamp: self.stamp,
            pid: pid as u32,
            paused: self.paused && pid != 0,
            want: self.want,
        }
    }

    /// Applies `event` at `now`; returns the actions to carry out, in order.
    pub fn on(&mut self, event: Event, now: Now) -> Vec<Action> {
        match event {
            Event::Control(byte) => self.on_control(byte, now),
            Event::Spawned(pid) => {
                self.phase = Phase::Up { pid };
                self.paused = false;
                self.stamp = now.wall;
                self.last_start = Some(now.mono);
                vec![WriteStatus]
            }
            Event::SpawnFailed => {
                // Retried (after the fork pause) only if still wanted up, as Debian does.
                self.phase = if self.want == Want::Up {
                    Phase::Waiting {
                        until: now.mono + FORK_RETRY_PAUSE,
                    }
                } else {
                    Phase::Down
                };
                vec![]
            }
            Event::Reaped(pid, _) if self.pid() == Some(pid) => {
                self.stamp = now.wall;
                self.phase = if self.want == Want::Up && !self.exit_requested {
                    self.start_phase(now)
                } else {
                    Phase::Down
                };
                vec![WriteStatus]
            }
            Event::Reaped(..) => vec![],
            Event::Timer => match self.phase {
                Phase::Waiting { until } if until <= now.mono => {
                    self.phase = Phase::Starting;
                    vec![StartRun]
                }
                _ => vec![],
            },
        }
    }

    /// Waiting for the next allowed start: at least the minimum interval after the last.
    fn start_phase(&self, now: Now) -> Phase {
        let earliest = self.last_start.map_or(now.mono, |t| t + MIN_START_INTERVAL);
        Phase::Waiting {
            until: earliest.max(now.mono),
        }
    }

    /// A signal to the service if it runs, nothing otherwise.
    fn signal(&self, signals: &[i32]) -> Vec<Action> {
        match self.pid() {
            Some(pid) => signals.iter().map(|&s| Signal(pid, s)).collect(),
            None => vec![],
        }
    }

    fn on_control(&mut self, byte: u8, now: Now) -> Vec<Action> {
        match byte {
            b'u' | b'o' => {
                self.want = if byte == b'u' { Want::Up } else { Want::None };
                if self.phase == Phase::Down {
                    self.phase = self.start_phase(now);
                }
                vec![WriteStatus]
            }
            b'd' => {
                self.want = Want::Down;
                match self.phase {
                    Phase::Up { pid } => {
                        self.paused = false;
                        vec![Signal(pid, SIGTERM), Signal(pid, SIGCONT), WriteStatus]
                    }
                    _ => {
                        self.phase = Phase::Down;
                        vec![WriteStatus]
                    }
                }
            }
            b'p' => {
                self.paused = true;
                [vec![WriteStatus], self.signal(&[SIGSTOP])].concat()
            }
            b'c' => {
                self.paused = false;
                [vec![WriteStatus], self.signal(&[SIGCONT])].concat()
            }
            b'x' => {
                self.exit_requested = true;
                vec![WriteStatus]
            }
            b'a' => self.signal(&[SIGALRM]),
            b'h' => self.signal(&[SIGHUP]),
            b'k' => self.signal(&[SIGKILL]),
            b't' => self.signal(&[SIGTERM]),
            b'i' => self.signal(&[SIGINT]),
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests;
