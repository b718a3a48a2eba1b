//! Taking over a service whose supervise was killed (SIGKILL, TERM, a crash).
//!
//! 0.76 starts a second copy of the service in that case (spec README §12 item 21). Here,
//! when the old status record names a pid, supervise adopts that process only on evidence
//! that nobody else can forge, so that a record planted by someone else can never make it
//! signal an unrelated process:
//! * the record was written by a supervise running as this one does: `supervise/` and
//!   `supervise/status` are owned by this process's effective uid and writable by nobody
//!   else (both checked on the open descriptors, the record read from that descriptor);
//! * the process still runs in this service directory (its `/proc/PID/cwd` is the
//!   directory supervise runs in; reading it needs the right to inspect that process);
//! * it is the very process the record was written for: alive (a pidfd to it does not
//!   poll readable) and started within the moment the record was stamped (the stamp is
//!   taken right after the fork).
//!
//! A service whose `./run` moved to another directory is therefore not adopted, and gets a
//! second copy as in 0.76. Only when all of this holds is the process adopted: recorded
//! as the running service with its old stamp, signalled through the pidfd (so a later process reusing the pid can never be hit), and
//! watched through the pidfd for its exit, since it is no longer our child to wait for.
//! Anything else, including a reused pid, is left alone and a new copy is started as 0.76
//! does. The want comes from the `down` file as at every start, so an adopted service with
//! a `down` file is shown as wanted down and is not restarted when it ends. This module
//! must never signal anything itself.

use crate::format::status;
use crate::svdir::{SUPERVISE_DIR, ServiceDir};
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

/// `status` inside the state directory.
const STATUS_NAME: &[u8] = b"status";
/// The permission bits that let group or others write.
const WRITABLE_BY_OTHERS: u32 = 0o022;
/// Where the kernel shows a process's working directory.
const PROC_CWD: (&str, &str) = ("/proc/", "/cwd");

/// Could only `euid` (or the superuser) have written a file or directory with this owner
/// and mode (pure)?
fn written_by(euid: u32, owner: u32, mode: u32) -> bool {
    owner == euid && mode & WRITABLE_BY_OTHERS == 0
}

/// The old record, if supervise's own uid alone could have written it.
fn trusted_record(service: &ServiceDir) -> Option<status::Status> {
    let euid = sys::proc::geteuid();
    let trusted = |meta: sys::dir::Meta| written_by(euid, meta.uid, meta.mode);
    let dir = sys::dir::open_dir(&service.path(SUPERVISE_DIR)).ok()?;
    let file = sys::fd::open_read_at(&dir, STATUS_NAME).ok()?;
    let (dir_meta, file_meta) = (sys::dir::fstat(&dir).ok()?, sys::dir::fstat(&file).ok()?);
    if !trusted(dir_meta) || !trusted(file_meta) || !file_meta.is_file() {
        return None;
    }
    let mut bytes = [0u8; status::STATUS_LEN];
    let len = sys::fd::read(&file, &mut bytes).ok()?;
    status::unpack(&bytes[..len])
}

/// Does process `pid` run in the directory supervise runs in (the service directory)?
fn runs_here(pid: Pid) -> bool {
    let cwd = format!("{}{pid}{}", PROC_CWD.0, PROC_CWD.1);
    match (sys::dir::stat(cwd.as_bytes()), sys::dir::stat(b".")) {
        (Ok(theirs), Ok(ours)) => (theirs.dev, theirs.ino) == (ours.dev, ours.ino),
        _ => false,
    }
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
    let record = trusted_record(service)?;
    let pid = Pid::try_from(record.pid).ok().filter(|&p| p > 0)?;
    let fd = sys::proc::pidfd_open(pid).ok()?;
    let started = sys::proc::start_time(pid).ok()?;
    let here = runs_here(pid);
    let stamped = record.stamp.unix_secs() as f64 + f64::from(record.stamp.nanos) / 1e9;
    // Checked after reading its start time and directory, so that they belong to the
    // pidfd's process.
    if exited(&fd) || !here || !same_start(stamped, started) {
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
    fn only_our_uid_may_have_written() {
        assert!(written_by(0, 0, 0o100644));
        assert!(written_by(1000, 1000, 0o40700));
        assert!(written_by(1000, 1000, 0o100600));
        assert!(!written_by(0, 1000, 0o100644), "someone else's file");
        assert!(!written_by(0, 0, 0o100664), "group-writable");
        assert!(!written_by(0, 0, 0o40777), "world-writable directory");
        assert!(!written_by(0, 0, 0o100646), "world-writable file");
    }

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
