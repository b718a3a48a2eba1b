//! flock(2) locks, as daemontools uses them (never fcntl locks, so the real tools and ours
//! exclude each other).

use super::Result;
use rustix::fd::AsFd;
use rustix::fs::FlockOperation;
use rustix::io::Errno;

/// flock(LOCK_EX|LOCK_NB): fails with EAGAIN ("temporary failure") when held elsewhere.
pub fn lock_exclusive_nonblocking(fd: impl AsFd) -> Result<()> {
    rustix::fs::flock(fd, FlockOperation::NonBlockingLockExclusive)
}

/// flock(LOCK_EX): waits until the lock is free (EINTR retried).
pub fn lock_exclusive(fd: impl AsFd) -> Result<()> {
    let fd = fd.as_fd();
    loop {
        match rustix::fs::flock(fd, FlockOperation::LockExclusive) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}
