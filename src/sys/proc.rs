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

/// geteuid(2).
pub fn geteuid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// umask(2); returns the previous mask.
pub fn umask(mask: u32) -> u32 {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(mask)).as_raw_mode()
}

/// madvise(MADV_PAGEOUT) over the program's own image (code and read-only data): its clean
/// pages stop counting as this process's memory and fault back in (from the page cache, or
/// the file) when next used. For long sleepers such as an idle logger. Errors are ignored
/// (kernels before 5.4 lack MADV_PAGEOUT; dirty pages are left alone without swap).
pub fn page_out_program_image() {
    unsafe extern "C" {
        // Defined by the linker: the first byte of the image and the end of `.data`.
        static __executable_start: u8;
        static edata: u8;
    }
    // SAFETY: sysconf has no memory preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let start = (&raw const __executable_start) as usize & !(page - 1);
    let end = ((&raw const edata) as usize).next_multiple_of(page);
    // SAFETY: the range covers only this program's own mappings; MADV_PAGEOUT never changes
    // their contents, only whether they are resident.
    unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_PAGEOUT) };
}
