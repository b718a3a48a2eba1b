//! The restart policy (pure): how long after its last start `./run` may start again, and
//! when to stop restarting it.
//!
//! 0.76's rule is the default: at least one second between two starts. With `backoff-max`,
//! each death of a service that ran less than `backoff-reset` doubles that second, up to
//! the ceiling; a longer run brings it back to one second. With `give-up`, the deaths that
//! count are kept (at most as many as it names) and restarting stops once that many fall
//! within its time window. Deaths are given with the monotonic time, never the wall clock.

use super::policy::Policy;
use crate::format::lifecycle::Exit;
use std::collections::VecDeque;
use std::time::Duration;

/// 0.76's minimum time between two starts, and the first step of the backoff.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Doubling stops here whatever the ceiling (2^20 s is beyond any sensible ceiling).
const MAX_LEVEL: u32 = 20;

/// What the restart policy remembers between deaths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restart {
    /// How many times the interval has doubled.
    level: u32,
    /// When the deaths that `give-up` counts happened (monotonic), oldest first.
    deaths: VecDeque<Duration>,
}

impl Restart {
    /// Records a death at `now` after `uptime` of running, ended by `exit`; returns
    /// whether the service must not be restarted any more.
    pub fn died(&mut self, now: Duration, uptime: Duration, exit: Exit, policy: &Policy) -> bool {
        self.level = if uptime >= policy.backoff_reset {
            0
        } else {
            (self.level + 1).min(MAX_LEVEL)
        };
        let Some(give_up) = policy.give_up else {
            self.deaths.clear();
            return false;
        };
        if !give_up.counts(exit) {
            return false;
        }
        self.deaths.push_back(now);
        while self.deaths.len() > give_up.deaths as usize
            || self
                .deaths
                .front()
                .is_some_and(|&t| now.saturating_sub(t) > give_up.within)
        {
            self.deaths.pop_front();
        }
        self.deaths.len() >= give_up.deaths as usize
    }

    /// The time to leave between the last start and the next.
    pub fn interval(&self, policy: &Policy) -> Duration {
        match policy.backoff_max {
            Some(ceiling) if self.level > 0 => {
                let doubled = MIN_INTERVAL.saturating_mul(1 << self.level.min(MAX_LEVEL));
                doubled.min(ceiling).max(MIN_INTERVAL)
            }
            _ => MIN_INTERVAL,
        }
    }

    /// Forgets every death: an operator asked for the service again.
    pub fn reset(&mut self) {
        *self = Restart::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn policy(settings: &[(&[u8], &[u8])]) -> Policy {
        let mut p = Policy::default();
        for (file, text) in settings {
            p.set(file, text).unwrap();
        }
        p
    }

    #[test]
    fn without_settings_always_one_second_and_never_give_up() {
        let p = Policy::default();
        let mut r = Restart::default();
        for i in 0..100 {
            assert!(!r.died(secs(i), Duration::ZERO, Exit::Code(1), &p));
            assert_eq!(r.interval(&p), MIN_INTERVAL);
        }
        assert!(r.deaths.is_empty(), "nothing remembered without give-up");
    }

    #[test]
    fn backoff_doubles_to_the_ceiling_and_resets_after_a_long_run() {
        let p = policy(&[(b"backoff-max", b"10000"), (b"backoff-reset", b"30000")]);
        let mut r = Restart::default();
        let mut seen = Vec::new();
        for i in 0..6 {
            r.died(secs(i), secs(1), Exit::Code(1), &p);
            seen.push(r.interval(&p).as_secs());
        }
        assert_eq!(seen, [2, 4, 8, 10, 10, 10]);
        r.died(secs(100), secs(30), Exit::Code(1), &p);
        assert_eq!(r.interval(&p), MIN_INTERVAL);
    }

    #[test]
    fn a_ceiling_under_a_second_is_a_second() {
        let p = policy(&[(b"backoff-max", b"10")]);
        let mut r = Restart::default();
        r.died(secs(0), Duration::ZERO, Exit::Code(1), &p);
        assert_eq!(r.interval(&p), MIN_INTERVAL);
    }

    #[test]
    fn give_up_after_deaths_within_the_window() {
        let p = policy(&[(b"give-up", b"3 10")]);
        let mut r = Restart::default();
        assert!(!r.died(secs(0), secs(1), Exit::Code(1), &p));
        assert!(!r.died(secs(5), secs(1), Exit::Code(1), &p));
        // The first death has left the window by now.
        assert!(!r.died(secs(12), secs(1), Exit::Code(1), &p));
        assert!(r.died(secs(14), secs(1), Exit::Signal(9), &p));
        assert!(r.deaths.len() <= 3, "memory stays bounded");
    }

    #[test]
    fn give_up_counts_only_listed_statuses() {
        let p = policy(&[(b"give-up", b"2 60 SIGSEGV")]);
        let mut r = Restart::default();
        for i in 0..10 {
            assert!(!r.died(secs(i), secs(1), Exit::Code(1), &p));
        }
        assert!(!r.died(secs(20), secs(1), Exit::Signal(11), &p));
        assert!(r.died(secs(21), secs(1), Exit::Signal(11), &p));
        r.reset();
        assert!(!r.died(secs(22), secs(1), Exit::Signal(11), &p));
    }
}
