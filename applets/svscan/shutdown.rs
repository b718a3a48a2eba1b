//! Ordered shutdown in container (PID-1) mode, as a pure state machine.
//!
//! Per service: the main supervise is told `dx` (TERM then CONT to the service, then exit)
//! and the log supervise `x` (exit once its logger does). When the main supervise has gone,
//! svscan closes its ends of the log pipe, so the logger reads everything left in the pipe,
//! sees end of file and exits by itself: no line written before the signal is lost. Control
//! writes that fail (a supervise still starting) are retried every [`TICK`].
//!
//! Globally: once every supervise has exited and the shutdown hooks are done, a PID 1
//! sends TERM and CONT to whatever else is left and waits for it; when the grace period ends, everything left gets KILL (through
//! each supervise's `k`, and `kill(-1)` as PID 1), and the exit status says so.
//! This module decides; the wiring in `mod.rs` acts and reports back.

use std::time::Duration;

/// Default grace period: leaves room inside a 10-second container stop.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(7);
/// How often pending control writes are retried and the state is looked at.
pub const TICK: Duration = Duration::from_millis(100);
/// After KILL, how long to wait for the killed processes before giving up on them.
pub const KILL_WAIT: Duration = Duration::from_secs(1);
/// Exit status when every process stopped within the grace period.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status when something had to be killed.
pub const EXIT_KILLED: u8 = 111;

/// What to do for one service on this tick.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ServiceStep {
    /// Write `dx` to `NAME/supervise/control`.
    pub send_stop: bool,
    /// Write `x` to `NAME/log/supervise/control`.
    pub send_exit: bool,
    /// Close svscan's ends of the log pipe.
    pub close_pipe: bool,
}

/// A service as the wiring sees it.
#[derive(Debug, Clone, Copy)]
pub struct ServiceView {
    pub main_running: bool,
    pub log_running: bool,
    pub stop_sent: bool,
    pub exit_sent: bool,
    pub has_pipe: bool,
}

/// The steps for one service.
pub fn service_step(s: ServiceView) -> ServiceStep {
    ServiceStep {
        send_stop: s.main_running && !s.stop_sent,
        send_exit: s.log_running && !s.exit_sent,
        close_pipe: s.has_pipe && !s.main_running,
    }
}

/// What is left, as the wiring saw it just now.
#[derive(Debug, Clone, Copy)]
pub struct Left {
    /// svscan's own supervise processes still running.
    pub supervise: usize,
    /// Other children (orphans reparented to a PID 1) still present.
    pub others: bool,
    /// Shutdown hooks still to run or running.
    pub hooks: bool,
}

/// The global action for this tick.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do; look again after this long at most.
    Wait(Duration),
    /// TERM and CONT to every other process (PID 1 only has others).
    TermOthers,
    /// KILL: `k` to every supervise, and `kill(-1)` as PID 1.
    Kill,
    /// KILL the supervise processes themselves, then exit with the status.
    KillSupervise(u8),
    /// Exit with this status.
    Exit(u8),
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    Stopping { term_sent: bool },
    Killing { until: Duration },
}

/// The shutdown in progress.
#[derive(Debug)]
pub struct Shutdown {
    deadline: Duration,
    phase: Phase,
}

impl Shutdown {
    /// A shutdown that started at `now` with `grace` before KILL.
    pub fn new(now: Duration, grace: Duration) -> Self {
        Shutdown {
            deadline: now + grace,
            phase: Phase::Stopping { term_sent: false },
        }
    }

    /// Decides the next global action.
    pub fn step(&mut self, now: Duration, left: Left) -> Step {
        let done = left.supervise == 0 && !left.others && !left.hooks;
        match self.phase {
            Phase::Killing { until } => {
                if done {
                    Step::Exit(EXIT_KILLED)
                } else if now >= until {
                    Step::KillSupervise(EXIT_KILLED)
                } else {
                    Step::Wait(TICK.min(until - now))
                }
            }
            Phase::Stopping { term_sent } => {
                if done {
                    Step::Exit(EXIT_CLEAN)
                } else if now >= self.deadline {
                    self.phase = Phase::Killing {
                        until: now + KILL_WAIT,
                    };
                    Step::Kill
                } else if left.supervise == 0 && !left.hooks && !term_sent {
                    self.phase = Phase::Stopping { term_sent: true };
                    Step::TermOthers
                } else {
                    Step::Wait(TICK.min(self.deadline - now))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn view(main: bool, log: bool, stop: bool, exit: bool, pipe: bool) -> ServiceView {
        ServiceView {
            main_running: main,
            log_running: log,
            stop_sent: stop,
            exit_sent: exit,
            has_pipe: pipe,
        }
    }

    #[test]
    fn service_sequence_keeps_the_pipe_until_the_service_is_gone() {
        // Both running, nothing sent yet: stop the service, tell the logger to exit later.
        let s = service_step(view(true, true, false, false, true));
        assert_eq!(
            (s.send_stop, s.send_exit, s.close_pipe),
            (true, true, false)
        );
        // Sent; the service is still stopping: nothing more, the pipe stays open.
        assert_eq!(
            service_step(view(true, true, true, true, true)),
            ServiceStep::default()
        );
        // The main supervise has gone: close the pipe so the logger sees end of file.
        let s = service_step(view(false, true, true, true, true));
        assert_eq!(
            (s.send_stop, s.send_exit, s.close_pipe),
            (false, false, true)
        );
        // All gone.
        assert_eq!(
            service_step(view(false, false, true, true, false)),
            ServiceStep::default()
        );
    }

    #[test]
    fn service_without_logger_or_not_running() {
        let s = service_step(view(true, false, false, false, false));
        assert_eq!(
            (s.send_stop, s.send_exit, s.close_pipe),
            (true, false, false)
        );
        let s = service_step(view(false, true, false, false, true));
        assert_eq!(
            (s.send_stop, s.send_exit, s.close_pipe),
            (false, true, true)
        );
    }

    #[test]
    fn clean_shutdown_exits_zero() {
        let mut s = Shutdown::new(ms(0), ms(7000));
        let busy = Left {
            supervise: 3,
            others: true,
            hooks: false,
        };
        assert_eq!(s.step(ms(0), busy), Step::Wait(TICK));
        assert_eq!(
            s.step(
                ms(50),
                Left {
                    supervise: 0,
                    others: false,
                    hooks: false,
                }
            ),
            Step::Exit(EXIT_CLEAN)
        );
    }

    #[test]
    fn others_get_term_once_after_the_services() {
        let mut s = Shutdown::new(ms(0), ms(7000));
        let others = Left {
            supervise: 0,
            others: true,
            hooks: false,
        };
        assert_eq!(s.step(ms(10), others), Step::TermOthers);
        assert_eq!(s.step(ms(20), others), Step::Wait(TICK));
        assert_eq!(
            s.step(
                ms(30),
                Left {
                    supervise: 0,
                    others: false,
                    hooks: false,
                }
            ),
            Step::Exit(EXIT_CLEAN)
        );
    }

    #[test]
    fn shutdown_hooks_hold_the_exit_and_the_term_to_others() {
        let mut s = Shutdown::new(ms(0), ms(7000));
        let hooks = Left {
            supervise: 0,
            others: true,
            hooks: true,
        };
        assert_eq!(s.step(ms(10), hooks), Step::Wait(TICK));
        let only_hooks = Left {
            others: false,
            ..hooks
        };
        assert_eq!(s.step(ms(20), only_hooks), Step::Wait(TICK));
        let done = Left {
            hooks: false,
            ..only_hooks
        };
        assert_eq!(s.step(ms(30), done), Step::Exit(EXIT_CLEAN));
    }

    #[test]
    fn grace_expiry_kills_then_exits_killed() {
        let mut s = Shutdown::new(ms(0), ms(1000));
        let stuck = Left {
            supervise: 1,
            others: true,
            hooks: false,
        };
        assert_eq!(s.step(ms(950), stuck), Step::Wait(ms(50)));
        assert_eq!(s.step(ms(1000), stuck), Step::Kill);
        assert_eq!(s.step(ms(1100), stuck), Step::Wait(TICK));
        assert_eq!(
            s.step(
                ms(1200),
                Left {
                    supervise: 0,
                    others: false,
                    hooks: false,
                }
            ),
            Step::Exit(EXIT_KILLED)
        );
    }

    #[test]
    fn supervise_that_survives_kill_wait_is_killed_directly() {
        let mut s = Shutdown::new(ms(0), ms(0));
        let stuck = Left {
            supervise: 2,
            others: false,
            hooks: false,
        };
        assert_eq!(s.step(ms(0), stuck), Step::Kill);
        assert_eq!(
            s.step(ms(0) + KILL_WAIT, stuck),
            Step::KillSupervise(EXIT_KILLED)
        );
    }

    #[test]
    fn default_grace_fits_a_ten_second_stop() {
        assert!(DEFAULT_GRACE + KILL_WAIT < Duration::from_secs(10));
    }
}
