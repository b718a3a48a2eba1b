//! Waiting for descriptors with an optional deadline (daemontools' iopause).

use super::Result;
use rustix::io::Errno;
use std::time::Duration;

pub use rustix::event::{PollFd, PollFlags};

/// poll(2) with a timeout (`None` waits forever). EINTR is returned as `Ok(0)`, so a caught
/// signal wakes the caller, which then looks at its self-pipe.
pub fn poll(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> Result<usize> {
    let ts = timeout.map(|d| rustix::time::Timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: d.subsec_nanos() as _,
    });
    match rustix::event::poll(fds, ts.as_ref()) {
        Err(Errno::INTR) => Ok(0),
        other => other,
    }
}
