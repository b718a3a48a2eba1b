//! Processes: exit, fork, wait, kill, sessions, resource limits, user and group ids.

use super::Result;
use rustix::io::Errno;

/// A process id (always > 0 for a real process).
pub type Pid = i32;

/// How a child ended, as waitpid reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitStatus(pub i32);

impl WaitStatus {
    /// The exit code, if the child called exit.
    pub fn exit_code(self) -> Option<u8> {
        libc::WIFEXITED(self.0).then(|| libc::WEXITSTATUS(self.0) as u8)
    }

    /// The signal number, if a signal killed the child.
    pub fn signal(self) -> Option<i32> {
        libc::WIFSIGNALED(self.0).then(|| libc::WTERMSIG(self.0))
    }
}

fn check(ret: libc::c_int) -> Result<libc::c_int> {
    if ret == -1 {
        Err(Errno::from_raw_os_error(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    } else {
        Ok(ret)
    }
}

/// _exit(2): ends the process at once (nothing buffered in Rust is flushed; callers flush).
pub fn exit(code: u8) -> ! {
    // SAFETY: _exit has no preconditions.
    unsafe { libc::_exit(libc::c_int::from(code)) }
}

/// Which side of a fork we are on.
pub enum Forked {
    Child,
    Parent(Pid),
}

/// fork(2).
///
/// The program is single-threaded, so the child may run any code before it execs or exits.
pub fn fork() -> Result<Forked> {
    // SAFETY: daemonbox never starts threads, so the child is a complete copy.
    let pid = check(unsafe { libc::fork() })?;
    Ok(if pid == 0 {
        Forked::Child
    } else {
        Forked::Parent(pid)
    })
}

/// waitpid(-1, WNOHANG): a child that has ended, if any (EINTR retried).
/// `Ok(None)` when children exist but none has ended; ECHILD when there are none.
pub fn wait_nohang() -> Result<Option<(Pid, WaitStatus)>> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out-pointer.
        match check(unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) }) {
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
            Ok(0) => return Ok(None),
            Ok(pid) => return Ok(Some((pid, WaitStatus(status)))),
        }
    }
}

/// waitpid(pid, 0): waits for that child (EINTR retried).
pub fn wait_pid(pid: Pid) -> Result<WaitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out-pointer.
        match check(unsafe { libc::waitpid(pid, &mut status, 0) }) {
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => return Ok(WaitStatus(status)),
        }
    }
}

/// kill(2). A negative `pid` signals a process group.
pub fn kill(pid: Pid, signal: i32) -> Result<()> {
    // SAFETY: kill has no memory preconditions.
    check(unsafe { libc::kill(pid, signal) }).map(drop)
}

/// getpid(2).
pub fn getpid() -> Pid {
    rustix::process::getpid().as_raw_nonzero().get()
}

/// geteuid(2).
pub fn geteuid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// setsid(2).
pub fn setsid() -> Result<()> {
    rustix::process::setsid().map(drop)
}

/// A resource limit: (soft, hard), `u64::MAX` meaning unlimited.
pub type Limit = (u64, u64);

/// getrlimit(2) for a `libc::RLIMIT_*` resource.
pub fn getrlimit(resource: libc::c_int) -> Result<Limit> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-pointer.
    check(unsafe { libc::getrlimit(resource as _, &mut lim) })?;
    Ok((lim.rlim_cur, lim.rlim_max))
}

/// setrlimit(2) for a `libc::RLIMIT_*` resource.
pub fn setrlimit(resource: libc::c_int, (soft, hard): Limit) -> Result<()> {
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `lim` is a valid in-pointer.
    check(unsafe { libc::setrlimit(resource as _, &lim) }).map(drop)
}

/// setgroups(2) with exactly the given list.
pub fn setgroups(gids: &[u32]) -> Result<()> {
    // SAFETY: pointer and length describe `gids`.
    check(unsafe { libc::setgroups(gids.len(), gids.as_ptr()) }).map(drop)
}

/// setgid(2) (all threads, as the C library does it).
pub fn setgid(gid: u32) -> Result<()> {
    // SAFETY: no memory preconditions.
    check(unsafe { libc::setgid(gid) }).map(drop)
}

/// setuid(2) (all threads, as the C library does it).
pub fn setuid(uid: u32) -> Result<()> {
    // SAFETY: no memory preconditions.
    check(unsafe { libc::setuid(uid) }).map(drop)
}

/// umask(2); returns the previous mask.
pub fn umask(mask: u32) -> u32 {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(mask)).as_raw_mode()
}

// Resource numbers for getrlimit/setrlimit, named so that applets need not know libc.
// (The C library types them differently per target, hence the casts.)
/// RLIMIT_AS: address space, bytes.
pub const RLIMIT_AS: libc::c_int = libc::RLIMIT_AS as libc::c_int;
/// RLIMIT_CORE: core file size, bytes.
pub const RLIMIT_CORE: libc::c_int = libc::RLIMIT_CORE as libc::c_int;
/// RLIMIT_CPU: CPU time, seconds.
pub const RLIMIT_CPU: libc::c_int = libc::RLIMIT_CPU as libc::c_int;
/// RLIMIT_DATA: data segment, bytes.
pub const RLIMIT_DATA: libc::c_int = libc::RLIMIT_DATA as libc::c_int;
/// RLIMIT_FSIZE: file size, bytes.
pub const RLIMIT_FSIZE: libc::c_int = libc::RLIMIT_FSIZE as libc::c_int;
/// RLIMIT_MEMLOCK: locked memory, bytes.
pub const RLIMIT_MEMLOCK: libc::c_int = libc::RLIMIT_MEMLOCK as libc::c_int;
/// RLIMIT_NOFILE: open descriptors.
pub const RLIMIT_NOFILE: libc::c_int = libc::RLIMIT_NOFILE as libc::c_int;
/// RLIMIT_NPROC: processes of the user.
pub const RLIMIT_NPROC: libc::c_int = libc::RLIMIT_NPROC as libc::c_int;
/// RLIMIT_RSS: resident set, bytes.
pub const RLIMIT_RSS: libc::c_int = libc::RLIMIT_RSS as libc::c_int;
/// RLIMIT_STACK: stack size, bytes.
pub const RLIMIT_STACK: libc::c_int = libc::RLIMIT_STACK as libc::c_int;

// --- process descriptors and start times (supervise's take-over of a running service) ---

/// pidfd_open(2): a close-on-exec descriptor for `pid` that polls readable once the process
/// has exited; signals sent through it can never reach a later process reusing the pid.
pub fn pidfd_open(pid: Pid) -> Result<rustix::fd::OwnedFd> {
    let pid = rustix::process::Pid::from_raw(pid).ok_or(Errno::SRCH)?;
    rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())
}

/// pidfd_send_signal(2).
pub fn pidfd_send_signal(pidfd: impl rustix::fd::AsFd, signal: i32) -> Result<()> {
    let signal = rustix::process::Signal::from_named_raw(signal).ok_or(Errno::INVAL)?;
    rustix::process::pidfd_send_signal(pidfd, signal)
}

/// When process `pid` started, in Unix seconds: its start tick (field 22 of
/// /proc/PID/stat) after the boot time (`btime` in /proc/stat). Precise to about a second,
/// because btime is whole seconds.
pub fn start_time(pid: Pid) -> Result<f64> {
    let stat = super::fd::read_file(format!("/proc/{pid}/stat").as_bytes())?;
    let boot = super::fd::read_file(b"/proc/stat")?;
    // SAFETY: sysconf has no memory preconditions.
    let ticks_per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    parse_start_time(&stat, &boot, ticks_per_sec).ok_or(Errno::INVAL)
}

/// The arithmetic of [`start_time`] on the two files' contents (pure).
fn parse_start_time(stat: &[u8], boot: &[u8], ticks_per_sec: i64) -> Option<f64> {
    // Field 2 (the command name) may contain spaces and ')': count from the last ')'.
    const START_FIELD_AFTER_NAME: usize = 22 - 3;
    let after_name = &stat[stat.iter().rposition(|&b| b == b')')? + 1..];
    // Whole numbers only: parsing them as integers keeps the float parser out of the binary.
    let field = |text: &[u8], n: usize| -> Option<f64> {
        let word = text
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .nth(n)?;
        let whole: u64 = std::str::from_utf8(word).ok()?.parse().ok()?;
        Some(whole as f64)
    };
    let ticks = field(after_name, START_FIELD_AFTER_NAME)?;
    let btime = boot
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"btime "))
        .and_then(|rest| field(rest, 0))?;
    (ticks_per_sec > 0).then(|| btime + ticks / ticks_per_sec as f64)
}

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to this process.
pub fn become_subreaper() -> Result<()> {
    // SAFETY: prctl with an integer argument has no memory preconditions.
    check(unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong) }).map(drop)
}

#[cfg(test)]
mod start_time_tests {
    use super::*;

    #[test]
    fn parses_name_with_spaces_and_parens() {
        let stat = b"4242 (a b) c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 \
            12345 1000 100 18446744073709551615";
        let boot = b"cpu  1 2 3\nbtime 1700000000\nprocesses 9\n";
        assert_eq!(parse_start_time(stat, boot, 100), Some(1_700_000_123.45));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(parse_start_time(b"4242 (x) S 1", b"btime 1\n", 100), None);
        assert_eq!(parse_start_time(b"no paren", b"btime 1\n", 100), None);
        let stat = b"1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1";
        assert_eq!(parse_start_time(stat, b"nothing\n", 100), None);
        assert_eq!(parse_start_time(stat, b"btime 5\n", 0), None);
    }
}
