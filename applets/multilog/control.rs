//! Signals and pauses: what TERM and ALRM asked for, and the 5-second pause after a failure.
//!
//! TERM and ALRM are caught through the self-pipe and only noted here; the main loop acts on
//! them before each read (spec §11). A pause waits on the self-pipe with a timeout, so no
//! time is spent spinning. Unlike 0.76, TERM is obeyed while pausing: once it has arrived,
//! failed operations are retried every second for at most [`TERM_GRACE`]; after that the
//! pause reports [`Expired`] and the caller gives up.

use crate::sys::{self, poll::PollFd, poll::PollFlags, signal::SelfPipe};
use std::time::Duration;

/// Pause after a failed operation before retrying it (as 0.76).
pub const PAUSE: Duration = Duration::from_secs(5);
/// Retry period once TERM has arrived.
pub const TERM_RETRY: Duration = Duration::from_secs(1);
/// How long after TERM failing operations are still retried.
pub const TERM_GRACE: Duration = Duration::from_secs(5);
/// The signals multilog catches.
pub const CAUGHT: [i32; 2] = [sys::signal::SIGTERM, sys::signal::SIGALRM];

/// TERM arrived and its grace time is over: stop retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired;

/// Pending signal requests.
pub struct Control {
    pipe: SelfPipe,
    alarm: bool,
    /// When TERM arrived (monotonic clock).
    term_at: Option<Duration>,
}

impl Control {
    /// Installs the TERM and ALRM handlers.
    pub fn new() -> sys::Result<Self> {
        Ok(Control {
            pipe: SelfPipe::new(&CAUGHT)?,
            alarm: false,
            term_at: None,
        })
    }

    /// The self-pipe, to poll alongside stdin.
    pub fn fd(&self) -> sys::BorrowedFd<'_> {
        self.pipe.fd()
    }

    /// Records the signals that have arrived; false if none had.
    pub fn note(&mut self) -> bool {
        let signals = self.pipe.drain();
        for &signal in &signals {
            if signal == sys::signal::SIGALRM {
                self.alarm = true;
            } else if signal == sys::signal::SIGTERM && self.term_at.is_none() {
                self.term_at = Some(sys::clock::monotonic());
            }
        }
        !signals.is_empty()
    }

    /// Takes a pending ALRM.
    pub fn take_alarm(&mut self) -> bool {
        std::mem::take(&mut self.alarm)
    }

    /// Has TERM arrived?
    pub fn terminating(&self) -> bool {
        self.term_at.is_some()
    }

    /// Waits before retrying a failed operation: [`PAUSE`], or less once TERM has arrived
    /// (at once when it arrives during the pause). `Err(Expired)` when TERM's grace is over.
    pub fn pause(&mut self) -> Result<(), Expired> {
        self.note();
        let start = sys::clock::monotonic();
        let mut until = start + PAUSE;
        if let Some(term) = self.term_at {
            if start >= term + TERM_GRACE {
                return Err(Expired);
            }
            until = until.min(start + TERM_RETRY).min(term + TERM_GRACE);
        }
        let had_term = self.terminating();
        loop {
            let now = sys::clock::monotonic();
            if now >= until || (!had_term && self.terminating()) {
                return Ok(());
            }
            let pipe = self.pipe.fd();
            let mut fds = [PollFd::new(&pipe, PollFlags::IN)];
            let _ = sys::poll::poll(&mut fds, Some(until - now));
            self.note();
        }
    }
}
