//! Taking over a service whose supervise was killed (SIGKILL, TERM, a crash).
//!
//! 0.76 starts a second copy of the service in that case (spec README §12 item 21). Here,
//! when the old status record names a pid, supervise checks that this pid is still the very
//! process the record was written for: it is alive (a pidfd to it does not poll readable)
//! and it started within the moment the record was stamped (the stamp is taken right after
//! the fork). Only then is it adopted: recorded as the running service with its old stamp,
//! signalled through the pidfd (so a later process reusing the pid can never be hit), and
//! watched through the pidfd for its exit, since it is no longer our child to wait for.
//! Anything else, including a reused pid, is left alone and a new copy is started as 0.76
//! does. The want comes from the `down` file as at every start, so an adopted service with
//! a `down` file is shown as wanted down and is not restarted when it ends. This module
//! must never signal anything itself.

use crate::svdir::ServiceDir;
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::proc::Pid;
use crate::sys::{self, OwnedFd};
use std::time::Duration;

/// The stamp follows the fork by far less than this.
const STAMP_AFTER_START_MAX: f64 = 2.0;
/// How much earlier than its real start a process may seem, because the kernel's boot time
/// is given in whole seconds.
const STAMP_BEFORE_START_MAX: f64 = 1.0;

/// A running service inherited from a previous supervise.
pub struct Adopted {
    pub pid: Pid,
    /// Polls readable once the process has exited.
    pub fd: OwnedFd,
    /// The old record's paused byte.
    pub paused: bool,
    /// The old record's stamp (the time of the last pid change).
    pub stamp: crate::format::tai::Stamp,
}

/// Could a process that started at `started` (Unix seconds) be the one a record stamped
/// at `stamped` was written for (pure)?
fn same_start(stamped: f64, started: f64) -> bool {
    (-STAMP_BEFORE_START_MAX..=STAMP_AFTER_START_MAX).contains(&(stamped - started))
}

/// Has the process behind `fd` exited?
fn exited(fd: &OwnedFd) -> bool {
    let mut fds = [PollFd::new(fd, PollFlags::IN)];
    sys::poll::poll(&mut fds, Some(Duration::ZERO)) != Ok(0)
}

/// The service named by the existing `supervise/status`, if it is still that process.
pub fn find(service: &ServiceDir) -> Option<Adopted> {
    let record = service.read_status().ok()?;
    let pid = Pid::try_from(record.pid).ok().filter(|&p| p > 0)?;
    let fd = sys::proc::pidfd_open(pid).ok()?;
    let started = sys::proc::start_time(pid).ok()?;
    let stamped = record.stamp.unix_secs() as f64 + f64::from(record.stamp.nanos) / 1e9;
    // Checked after reading its start time, so that time belongs to the pidfd's process.
    if exited(&fd) || !same_start(stamped, started) {
        return None;
    }
    Some(Adopted {
        pid,
        fd,
        paused: record.paused,
        stamp: record.stamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_window() {
        let t = 1_700_000_000.0;
        assert!(same_start(t + 0.001, t));
        assert!(same_start(t + 0.9, t));
        assert!(same_start(t - 0.5, t), "boot time rounding");
        assert!(
            !same_start(t + 5.0, t),
            "started long before: an unrelated process"
        );
        assert!(
            !same_start(t - 3.0, t),
            "started after the stamp: a reused pid"
        );
    }
}
