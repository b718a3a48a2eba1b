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

/// Waits until `fd` is ready for `events` or the monotonic clock reaches `deadline`
/// (see `clock::monotonic`); returns whether it became ready. A caught signal does not
/// end the wait early.
pub fn wait_until(
    fd: impl rustix::fd::AsFd,
    events: PollFlags,
    deadline: Duration,
) -> Result<bool> {
    let fd = fd.as_fd();
    loop {
        let now = super::clock::monotonic();
        let left = deadline.saturating_sub(now);
        let mut fds = [PollFd::from_borrowed_fd(fd, events)];
        if poll(&mut fds, Some(left))? > 0 {
            return Ok(true);
        }
        if super::clock::monotonic() >= deadline {
            return Ok(false);
        }
    }
}
