//! supervise's state machine (pure): phase × event × time → new phase and actions.
//!
//! Owns the rules of spec supervise.md §2 (main loop) and §4 (control bytes), and the
//! lifecycle beyond 0.76: `./finish`, the down signal and its KILL deadline, readiness,
//! restarts paced and stopped by `restart.rs`. It never does I/O or reads a clock: the
//! event loop in `mod.rs` reads the time once per event, feeds the event in, and carries out
//! the returned actions in order. An action that starts a child is answered at once by the
//! loop with `Spawned`, `SpawnFailed` or `NoFinish`, before any other event. Timers are
//! deadlines: the loop feeds `Timer` once [`State::deadline`] has passed.

use super::policy::Policy;
use super::restart::Restart;
use crate::format::lifecycle::{self, Exit, Lifecycle};
use crate::format::status::{RunState, RunitTail, Status, Want, pack_runit};
use crate::format::tai::Stamp;
use crate::sys::proc::{Pid, WaitStatus};
use crate::sys::signal::{
    SIGABRT, SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGSTOP, SIGTERM, SIGUSR1,
    SIGUSR2, SIGWINCH,
};
use std::time::Duration;

/// Pause before retrying after a failed fork.
pub const FORK_RETRY_PAUSE: Duration = Duration::from_secs(60);
/// `./finish` exiting with this means: do not restart (s6).
const FINISH_PERMANENT_FAILURE: u8 = 125;
/// `./run` exiting with this is not restarted (daemontools-encore's convention).
const RUN_PERMANENT_FAILURE: u8 = 100;

/// The moment an event is handled: the monotonic clock for timers, the wall clock (as
/// 0.76 stamps it) for records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub mono: Duration,
    pub wall: Stamp,
}

/// The two programs supervise starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Child {
    Run,
    Finish,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// One byte read from `supervise/control`.
    Control(u8),
    /// `./run` was started with this pid, under the settings read for it.
    RunSpawned(Pid, Policy),
    /// `./finish` was started with this pid.
    FinishSpawned(Pid),
    /// fork failed.
    SpawnFailed(Child),
    /// There is no `./finish` to run.
    NoFinish,
    /// The service wrote its readiness newline.
    Ready,
    /// This process ended; its wait status, unless it was not our child (taken over).
    Reaped(Pid, Option<WaitStatus>),
    /// A deadline may have passed.
    Timer,
}

/// What the event loop must do, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read the settings and start `./run`, then report `RunSpawned` or `SpawnFailed`.
    StartRun,
    /// Start `./finish CODE SIGNAL`, then report `FinishSpawned`, `SpawnFailed` or
    /// `NoFinish`.
    StartFinish { code: i32, signal: i32 },
    /// Send a signal to this process (never its group, like 0.76).
    Signal(Pid, i32),
    /// Rewrite the records.
    WriteStatus,
    /// Run the service's hooks for this event.
    Hook(HookEvent),
}

/// The events the service's hooks (`SERVICE/hooks/`) run for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookEvent {
    /// `./run` was started.
    Up,
    /// The service said it is ready.
    Ready,
    /// `./run` ended and `./finish` is done.
    Down(Exit),
    /// Restarting stopped (`give-up`).
    GaveUp,
}

use Action::{Hook, Signal, StartRun, WriteStatus};

/// Where the service is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not running, and no start is due.
    Down,
    /// Not running; `./run` is started once the monotonic clock reaches `until`.
    Waiting { until: Duration },
    /// A start was asked for; the loop reports its outcome next.
    Starting,
    /// `./run` runs; KILL at `kill_at` (after the down signal with `timeout-kill`).
    Up { pid: Pid, kill_at: Option<Duration> },
    /// `./run` ended and `./finish` runs (its pid once started); KILL at `kill_at`.
    Finishing {
        pid: Option<Pid>,
        kill_at: Option<Duration>,
    },
    /// Restarting stopped after too many deaths (`give-up`); `u` starts again.
    GaveUp,
}

/// supervise's view of its service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub phase: Phase,
    pub want: Want,
    /// Set by `p`, cleared by `c`, `d` and every start.
    pub paused: bool,
    /// `x` was received: leave once nothing runs.
    pub exit_requested: bool,
    /// The time of the last pid change, as the status record carries it.
    pub stamp: Stamp,
    /// The settings read at the last start.
    pub policy: Policy,
    /// TERM was sent (by `d` or `t`) and the service has not ended since (runit's flag).
    got_term: bool,
    /// When the running service said it was ready.
    ready: Option<Stamp>,
    /// How `./run` last ended, and when.
    last_exit: Option<(Exit, Stamp)>,
    /// Starts after the first.
    restarts: u32,
    /// The running service was taken over from a killed supervise.
    adopted: bool,
    /// When `./run` was last started (monotonic).
    last_start: Option<Duration>,
    restart: Restart,
    /// The last death stops restarting (`give-up`).
    giving_up: bool,
}

/// `./finish`'s arguments for an exit (s6's: code, or 256 and the signal).
fn finish_args(exit: Exit) -> (i32, i32) {
    match exit {
        Exit::Code(code) => (i32::from(code), 0),
        Exit::Signal(signal) => (256, i32::from(signal)),
        Exit::Unknown => (-1, 0),
    }
}

fn exit_of(status: Option<WaitStatus>) -> Exit {
    match status.map(|s| (s.exit_code(), s.signal())) {
        Some((Some(code), _)) => Exit::Code(code),
        Some((None, Some(signal))) => Exit::Signal(signal as u8),
        _ => Exit::Unknown,
    }
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
            policy: Policy::default(),
            got_term: false,
            ready: None,
            last_exit: None,
            restarts: 0,
            adopted: false,
            last_start: None,
            restart: Restart::default(),
            giving_up: false,
        }
    }

    /// Records `pid` as the running service, taken over from a killed supervise with its
    /// old record's pause state and stamp, under the settings read now.
    pub fn adopt(&mut self, pid: Pid, paused: bool, stamp: Stamp, policy: Policy, now: Now) {
        self.phase = Phase::Up { pid, kill_at: None };
        self.paused = paused;
        self.stamp = stamp;
        self.policy = policy;
        self.adopted = true;
        self.last_start = Some(now.mono);
    }

    /// The running `./run`'s pid.
    pub fn pid(&self) -> Option<Pid> {
        match self.phase {
            Phase::Up { pid, .. } => Some(pid),
            _ => None,
        }
    }

    /// Should supervise exit now (after `x`, once nothing runs)?
    pub fn finished(&self) -> bool {
        self.exit_requested
            && matches!(
                self.phase,
                Phase::Down | Phase::Waiting { .. } | Phase::GaveUp
            )
    }

    /// When the loop must feed [`Event::Timer`], if ever.
    pub fn deadline(&self) -> Option<Duration> {
        match self.phase {
            Phase::Waiting { until } => Some(until),
            Phase::Up { kill_at, .. } | Phase::Finishing { kill_at, .. } => kill_at,
            _ => None,
        }
    }

    /// The status record: 0.76's bytes (the paused byte forced to 0 while down, as 0.76
    /// writes it) and runit's tail.
    pub fn status(&self) -> (Status, RunitTail) {
        let pid = self.pid().unwrap_or(0);
        let status = Status {
            stamp: self.stamp,
            pid: pid as u32,
            paused: self.paused && pid != 0,
            want: self.want,
        };
        let state = match self.phase {
            Phase::Up { .. } => RunState::Run,
            Phase::Finishing { .. } => RunState::Finish,
            _ => RunState::Down,
        };
        let tail = RunitTail {
            got_term: self.got_term,
            state,
        };
        (status, tail)
    }

    /// The lifecycle record at `now` (a due start is given as a wall-clock stamp).
    pub fn lifecycle(&self, now: Now) -> Lifecycle {
        let (status, tail) = self.status();
        let (phase, next_start) = match self.phase {
            Phase::Down => (lifecycle::Phase::Down, None),
            Phase::Waiting { until } => {
                let ahead = until.saturating_sub(now.mono);
                (lifecycle::Phase::Waiting, Some(later(now.wall, ahead)))
            }
            Phase::Starting => (lifecycle::Phase::Starting, None),
            Phase::Up { .. } => (lifecycle::Phase::Up, None),
            Phase::Finishing { .. } => (lifecycle::Phase::Finishing, None),
            Phase::GaveUp => (lifecycle::Phase::GaveUp, None),
        };
        let finish_pid = match self.phase {
            Phase::Finishing { pid: Some(pid), .. } => pid as u32,
            _ => 0,
        };
        Lifecycle {
            phase,
            status: pack_runit(&status, tail),
            finish_pid,
            restarts: self.restarts,
            ready: self.ready,
            last_exit: self.last_exit,
            next_start,
            adopted: self.adopted && self.pid().is_some(),
        }
    }

    /// Applies `event` at `now`; returns the actions to carry out, in order.
    pub fn on(&mut self, event: Event, now: Now) -> Vec<Action> {
        match event {
            Event::Control(byte) => self.on_control(byte, now),
            Event::RunSpawned(pid, policy) => {
                self.phase = Phase::Up { pid, kill_at: None };
                self.policy = policy;
                self.paused = false;
                self.got_term = false;
                self.ready = None;
                self.adopted = false;
                self.stamp = now.wall;
                if self.last_start.replace(now.mono).is_some() {
                    self.restarts = self.restarts.saturating_add(1);
                }
                vec![WriteStatus, Hook(HookEvent::Up)]
            }
            Event::SpawnFailed(Child::Run) => {
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
            Event::FinishSpawned(pid) => {
                let kill_at = self.policy.timeout_finish.map(|t| now.mono + t);
                self.phase = Phase::Finishing {
                    pid: Some(pid),
                    kill_at,
                };
                vec![WriteStatus]
            }
            Event::SpawnFailed(Child::Finish) | Event::NoFinish => self.after_finish(None, now),
            Event::Ready => match self.phase {
                Phase::Up { .. } if self.ready.is_none() => {
                    self.ready = Some(now.wall);
                    vec![WriteStatus, Hook(HookEvent::Ready)]
                }
                _ => vec![],
            },
            Event::Reaped(pid, status) => match self.phase {
                Phase::Up { pid: up, .. } if up == pid => self.run_ended(exit_of(status), now),
                Phase::Finishing { pid: Some(f), .. } if f == pid => self.after_finish(status, now),
                _ => vec![],
            },
            Event::Timer => self.on_timer(now),
        }
    }

    /// `./run` ended: record how, count the death, start `./finish`.
    fn run_ended(&mut self, exit: Exit, now: Now) -> Vec<Action> {
        self.stamp = now.wall;
        self.last_exit = Some((exit, now.wall));
        self.ready = None;
        self.got_term = false;
        let uptime = now.mono.saturating_sub(self.last_start.unwrap_or(now.mono));
        self.giving_up = self.restart.died(now.mono, uptime, exit, &self.policy);
        self.phase = Phase::Finishing {
            pid: None,
            kill_at: None,
        };
        let (code, signal) = finish_args(exit);
        vec![Action::StartFinish { code, signal }]
    }

    /// `./finish` is over (or there was none): decide whether `./run` starts again.
    fn after_finish(&mut self, finish: Option<WaitStatus>, now: Now) -> Vec<Action> {
        let finish_refuses =
            finish.and_then(WaitStatus::exit_code) == Some(FINISH_PERMANENT_FAILURE);
        let run_refuses = matches!(self.last_exit, Some((Exit::Code(RUN_PERMANENT_FAILURE), _)));
        if finish_refuses || run_refuses {
            self.want = Want::Down;
        }
        self.phase = if self.want != Want::Up || self.exit_requested {
            Phase::Down
        } else if self.giving_up {
            self.want = Want::Down;
            Phase::GaveUp
        } else {
            self.start_phase(now)
        };
        let exit = self.last_exit.map_or(Exit::Unknown, |(exit, _)| exit);
        let mut actions = vec![WriteStatus, Hook(HookEvent::Down(exit))];
        if self.phase == Phase::GaveUp {
            actions.push(Hook(HookEvent::GaveUp));
        }
        actions
    }

    fn on_timer(&mut self, now: Now) -> Vec<Action> {
        match self.phase {
            Phase::Waiting { until } if until <= now.mono => {
                self.phase = Phase::Starting;
                vec![StartRun]
            }
            Phase::Up {
                pid,
                kill_at: Some(at),
            } if at <= now.mono => {
                self.phase = Phase::Up { pid, kill_at: None };
                vec![Signal(pid, SIGKILL)]
            }
            Phase::Finishing {
                pid: Some(pid),
                kill_at: Some(at),
            } if at <= now.mono => {
                self.phase = Phase::Finishing {
                    pid: Some(pid),
                    kill_at: None,
                };
                vec![Signal(pid, SIGKILL)]
            }
            _ => vec![],
        }
    }

    /// Waiting for the next allowed start: the restart interval after the last start.
    fn start_phase(&self, now: Now) -> Phase {
        let interval = self.restart.interval(&self.policy);
        let earliest = self.last_start.map_or(now.mono, |t| t + interval);
        Phase::Waiting {
            until: earliest.max(now.mono),
        }
    }

    /// Signals to the service if it runs, nothing otherwise.
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
                if matches!(self.phase, Phase::Down | Phase::GaveUp) {
                    // Asked for by hand: the backoff and the deaths so far are forgotten.
                    self.restart.reset();
                    self.giving_up = false;
                    self.phase = self.start_phase(now);
                }
                vec![WriteStatus]
            }
            b'd' => {
                self.want = Want::Down;
                match self.phase {
                    Phase::Up { pid, .. } => {
                        self.paused = false;
                        self.got_term |= self.policy.down_signal == SIGTERM;
                        let kill_at = self.policy.timeout_kill.map(|t| now.mono + t);
                        self.phase = Phase::Up { pid, kill_at };
                        let down = self.policy.down_signal;
                        vec![Signal(pid, down), Signal(pid, SIGCONT), WriteStatus]
                    }
                    Phase::Waiting { .. } | Phase::GaveUp => {
                        self.phase = Phase::Down;
                        vec![WriteStatus]
                    }
                    _ => vec![WriteStatus],
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
            b't' => {
                self.got_term |= self.pid().is_some();
                self.signal(&[SIGTERM])
            }
            b'a' => self.signal(&[SIGALRM]),
            b'h' => self.signal(&[SIGHUP]),
            b'k' => self.signal(&[SIGKILL]),
            b'i' => self.signal(&[SIGINT]),
            // s6's letters for the other signals a service may want (svreload sends them).
            b'q' => self.signal(&[SIGQUIT]),
            b'1' => self.signal(&[SIGUSR1]),
            b'2' => self.signal(&[SIGUSR2]),
            b'b' => self.signal(&[SIGABRT]),
            b'y' => self.signal(&[SIGWINCH]),
            _ => vec![],
        }
    }
}

/// `base` plus `ahead`.
fn later(base: Stamp, ahead: Duration) -> Stamp {
    let nanos = u64::from(base.nanos) + u64::from(ahead.subsec_nanos());
    Stamp {
        secs: base.secs + ahead.as_secs() + nanos / 1_000_000_000,
        nanos: (nanos % 1_000_000_000) as u32,
    }
}

#[cfg(test)]
mod tests;
