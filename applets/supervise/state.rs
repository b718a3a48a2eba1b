//! supervise's state machine (pure): state × event → new state and a list of actions.
//!
//! Owns the rules of spec supervise.md §2 (main loop) and §4 (control bytes). It never does
//! I/O or reads a clock: the event loop in `mod.rs` feeds it events, carries out the actions
//! in order, and starts `./run` whenever `start_due` is set and the 1-second minimum since
//! the previous start has passed. A start that must wait is simply left due, so control
//! bytes keep being answered meanwhile ("never deaf").

use crate::format::status::{Status, Want};
use crate::format::tai::Stamp;
use crate::sys::proc::Pid;
use crate::sys::signal::{SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGSTOP, SIGTERM};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// One byte read from `supervise/control`.
    Control(u8),
    /// `./run` was forked with this pid.
    Started(Pid),
    /// fork failed.
    ForkFailed,
    /// waitpid reported this child gone.
    Reaped(Pid),
}

/// What the event loop must do, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `kill(pid, signal)` to the service (never its group, like 0.76).
    Signal(i32),
    /// The pid changed: take a new time stamp.
    Stamp,
    /// Rewrite `supervise/status`.
    WriteStatus,
}

use Action::{Signal, Stamp as NewStamp, WriteStatus};

/// supervise's view of its service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// The service's pid, 0 while it is down.
    pub pid: Pid,
    pub want: Want,
    /// Set by `p`, cleared by `c`, `d` and every start.
    pub paused: bool,
    /// `x` was received: leave once the service is down.
    pub exit_requested: bool,
    /// A start of `./run` is wanted as soon as the minimum interval allows.
    pub start_due: bool,
}

impl State {
    /// The state at startup: the service is wanted up unless a `down` file exists; when
    /// wanted up its first start is due.
    pub fn new(down_file: bool) -> Self {
        State {
            pid: 0,
            want: if down_file { Want::Down } else { Want::Up },
            paused: false,
            exit_requested: false,
            start_due: !down_file,
        }
    }

    /// Records `pid` as the running service (taken over from a killed supervise): no start
    /// is due, the pause state is the old record's.
    pub fn adopt(&mut self, pid: Pid, paused: bool) {
        self.pid = pid;
        self.paused = paused;
        self.start_due = false;
    }

    /// Should supervise exit now (after `x`, once the service is down)?
    pub fn finished(&self) -> bool {
        self.exit_requested && self.pid == 0
    }

    /// The record to write, with `stamp` as the time of the last pid change. The paused
    /// byte is forced to 0 while down, as 0.76 writes it.
    pub fn status(&self, stamp: Stamp) -> Status {
        Status {
            stamp,
            pid: self.pid as u32,
            paused: self.paused && self.pid != 0,
            want: self.want,
        }
    }

    /// Applies `event`; returns the actions to carry out, in order.
    pub fn on(&mut self, event: Event) -> &'static [Action] {
        match event {
            Event::Control(byte) => self.on_control(byte),
            Event::Started(pid) => {
                self.pid = pid;
                self.paused = false;
                self.start_due = false;
                &[NewStamp, WriteStatus]
            }
            Event::ForkFailed => {
                // Retried (after the fork pause) only if still wanted up, as Debian does.
                self.start_due = self.want == Want::Up;
                &[]
            }
            Event::Reaped(pid) if pid == self.pid && pid != 0 => {
                self.pid = 0;
                self.start_due = self.want == Want::Up && !self.exit_requested;
                &[NewStamp, WriteStatus]
            }
            Event::Reaped(_) => &[],
        }
    }

    fn up(&self) -> bool {
        self.pid != 0
    }

    /// A signal to the service if it runs, nothing otherwise.
    fn signal(&self, up: &'static [Action]) -> &'static [Action] {
        if self.up() { up } else { &[] }
    }

    fn on_control(&mut self, byte: u8) -> &'static [Action] {
        match byte {
            b'u' | b'o' => {
                self.want = if byte == b'u' { Want::Up } else { Want::None };
                if !self.up() {
                    self.start_due = true;
                }
                &[WriteStatus]
            }
            b'd' => {
                self.want = Want::Down;
                self.start_due = false;
                if self.up() {
                    self.paused = false;
                    &[Signal(SIGTERM), Signal(SIGCONT), WriteStatus]
                } else {
                    &[WriteStatus]
                }
            }
            b'p' => {
                self.paused = true;
                if self.up() {
                    &[WriteStatus, Signal(SIGSTOP)]
                } else {
                    &[WriteStatus]
                }
            }
            b'c' => {
                self.paused = false;
                if self.up() {
                    &[WriteStatus, Signal(SIGCONT)]
                } else {
                    &[WriteStatus]
                }
            }
            b'x' => {
                self.exit_requested = true;
                &[WriteStatus]
            }
            b'a' => self.signal(&[Signal(SIGALRM)]),
            b'h' => self.signal(&[Signal(SIGHUP)]),
            b'k' => self.signal(&[Signal(SIGKILL)]),
            b't' => self.signal(&[Signal(SIGTERM)]),
            b'i' => self.signal(&[Signal(SIGINT)]),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: Pid = 4242;

    fn up() -> State {
        let mut s = State::new(false);
        s.on(Event::Started(PID));
        s
    }

    fn down() -> State {
        State::new(true)
    }

    #[test]
    fn initial_states() {
        let s = State::new(false);
        assert_eq!((s.pid, s.want, s.start_due), (0, Want::Up, true));
        let s = State::new(true);
        assert_eq!((s.pid, s.want, s.start_due), (0, Want::Down, false));
        assert!(!s.finished());
    }

    #[test]
    fn start_stamps_and_clears_pause_and_due() {
        let mut s = State::new(false);
        s.paused = true;
        assert_eq!(s.on(Event::Started(PID)), &[NewStamp, WriteStatus]);
        assert_eq!((s.pid, s.paused, s.start_due), (PID, false, false));
    }

    /// Starting state, byte, actions, then pid, want, paused and start due afterwards.
    type Case = (State, u8, &'static [Action], Pid, Want, bool, bool);

    #[test]
    fn control_table() {
        let cases: &[Case] = &[
            (down(), b'u', &[WriteStatus], 0, Want::Up, false, true),
            (up(), b'u', &[WriteStatus], PID, Want::Up, false, false),
            (down(), b'o', &[WriteStatus], 0, Want::None, false, true),
            (up(), b'o', &[WriteStatus], PID, Want::None, false, false),
            (
                up(),
                b'd',
                &[Signal(SIGTERM), Signal(SIGCONT), WriteStatus],
                PID,
                Want::Down,
                false,
                false,
            ),
            (
                State::new(false),
                b'd',
                &[WriteStatus],
                0,
                Want::Down,
                false,
                false,
            ),
            (
                up(),
                b'p',
                &[WriteStatus, Signal(SIGSTOP)],
                PID,
                Want::Up,
                true,
                false,
            ),
            (down(), b'p', &[WriteStatus], 0, Want::Down, true, false),
            (
                up(),
                b'c',
                &[WriteStatus, Signal(SIGCONT)],
                PID,
                Want::Up,
                false,
                false,
            ),
            (down(), b'c', &[WriteStatus], 0, Want::Down, false, false),
            (up(), b'a', &[Signal(SIGALRM)], PID, Want::Up, false, false),
            (up(), b'h', &[Signal(SIGHUP)], PID, Want::Up, false, false),
            (up(), b'k', &[Signal(SIGKILL)], PID, Want::Up, false, false),
            (up(), b't', &[Signal(SIGTERM)], PID, Want::Up, false, false),
            (up(), b'i', &[Signal(SIGINT)], PID, Want::Up, false, false),
            (down(), b'a', &[], 0, Want::Down, false, false),
            (down(), b'k', &[], 0, Want::Down, false, false),
            (down(), b't', &[], 0, Want::Down, false, false),
            (up(), b'z', &[], PID, Want::Up, false, false),
            (up(), b'\n', &[], PID, Want::Up, false, false),
            (down(), 0, &[], 0, Want::Down, false, false),
        ];
        for (i, &(start, byte, actions, pid, want, paused, due)) in cases.iter().enumerate() {
            let mut s = start;
            assert_eq!(
                s.on(Event::Control(byte)),
                actions,
                "case {i} ({:?})",
                byte as char
            );
            assert_eq!(
                (s.pid, s.want, s.paused, s.start_due),
                (pid, want, paused, due),
                "case {i}"
            );
        }
    }

    #[test]
    fn down_on_paused_service_clears_pause() {
        let mut s = up();
        s.on(Event::Control(b'p'));
        assert!(s.status(Stamp::from_unix(0, 0)).paused);
        s.on(Event::Control(b'd'));
        assert!(!s.paused);
    }

    #[test]
    fn exit_of_wanted_up_service_is_restarted() {
        let mut s = up();
        assert_eq!(s.on(Event::Reaped(PID)), &[NewStamp, WriteStatus]);
        assert_eq!((s.pid, s.start_due), (0, true));
    }

    #[test]
    fn exit_after_down_or_once_stays_down() {
        for byte in [b'd', b'o'] {
            let mut s = up();
            s.on(Event::Control(byte));
            s.on(Event::Reaped(PID));
            assert_eq!((s.pid, s.start_due), (0, false), "{}", byte as char);
        }
    }

    #[test]
    fn other_children_are_ignored() {
        let mut s = up();
        assert_eq!(s.on(Event::Reaped(PID + 1)), &[]);
        assert_eq!(s.pid, PID);
        let mut s = down();
        assert_eq!(s.on(Event::Reaped(0)), &[]);
    }

    #[test]
    fn exit_waits_for_the_service() {
        let mut s = up();
        assert_eq!(s.on(Event::Control(b'x')), &[WriteStatus]);
        assert!(!s.finished());
        s.on(Event::Reaped(PID));
        assert!(s.finished());
        assert!(!s.start_due, "no restart after x");
        let mut s = down();
        s.on(Event::Control(b'x'));
        assert!(s.finished());
    }

    #[test]
    fn down_cancels_a_due_start() {
        let mut s = up();
        s.on(Event::Reaped(PID));
        assert!(s.start_due);
        s.on(Event::Control(b'd'));
        assert!(!s.start_due);
    }

    #[test]
    fn fork_failure_retries_only_when_wanted_up() {
        let mut s = State::new(false);
        s.on(Event::ForkFailed);
        assert!(s.start_due);
        let mut s = down();
        s.on(Event::Control(b'o'));
        s.on(Event::ForkFailed);
        assert!(!s.start_due);
    }

    #[test]
    fn adopted_service_is_up_and_restarted_after_exit() {
        let mut s = State::new(false);
        s.adopt(PID, true);
        assert_eq!((s.pid, s.paused, s.start_due), (PID, true, false));
        assert!(s.status(Stamp::from_unix(1, 500)).paused);
        s.on(Event::Reaped(PID));
        assert_eq!((s.pid, s.start_due), (0, true));
        let mut s = State::new(true);
        s.adopt(PID, false);
        s.on(Event::Reaped(PID));
        assert_eq!((s.pid, s.want, s.start_due), (0, Want::Down, false));
    }

    #[test]
    fn paused_byte_forced_to_zero_while_down() {
        let mut s = down();
        s.on(Event::Control(b'p'));
        let st = s.status(Stamp::from_unix(5, 500));
        assert_eq!((st.pid, st.paused, st.want), (0, false, Want::Down));
    }
}
