//! Signals: the self-pipe, blocking and unblocking, default and ignored dispositions.
//!
//! The only process-wide state in daemonbox lives here, because POSIX forces it: a signal
//! handler can reach nothing but globals. The handler writes the signal number as one byte
//! into a non-blocking, close-on-exec pipe, so an event loop learns of signals by polling
//! the pipe's read end (no races, no work in the handler).

use super::Result;
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use rustix::io::Errno;
use std::sync::atomic::{AtomicI32, Ordering};

pub use libc::{
    SIGABRT, SIGALRM, SIGCHLD, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSTOP,
    SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
};

/// Write end of the self-pipe, or -1 before `SelfPipe::new`.
static SELFPIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signal: libc::c_int) {
    let fd = SELFPIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; errno is saved and restored around it so
        // the interrupted code never sees it change.
        unsafe {
            let saved = *libc::__errno_location();
            libc::write(fd, (&byte as *const u8).cast(), 1);
            *libc::__errno_location() = saved;
        }
    }
}

fn check(ret: libc::c_int) -> Result<()> {
    if ret == -1 {
        Err(Errno::from_raw_os_error(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    } else {
        Ok(())
    }
}

fn set_of(signals: &[i32]) -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

fn set_disposition(signal: i32, handler: libc::sighandler_t, flags: libc::c_int) -> Result<()> {
    // SAFETY: a zeroed sigaction with a valid handler value and empty mask is well formed.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        libc::sigemptyset(&mut action.sa_mask);
        check(libc::sigaction(signal, &action, std::ptr::null_mut()))
    }
}

/// The self-pipe: signals caught by it arrive as bytes on [`SelfPipe::fd`].
pub struct SelfPipe {
    read: OwnedFd,
    // Kept open for the handler, which writes to it by number.
    _write: OwnedFd,
}

impl SelfPipe {
    /// pipe2(O_NONBLOCK|O_CLOEXEC), then sigaction for each signal (no SA_RESTART, so a
    /// blocking call is interrupted; SA_NOCLDSTOP so a stopped child does not wake us).
    pub fn new(signals: &[i32]) -> Result<Self> {
        let (read, write) = rustix::pipe::pipe_with(
            rustix::pipe::PipeFlags::CLOEXEC | rustix::pipe::PipeFlags::NONBLOCK,
        )?;
        SELFPIPE_WRITE.store(write.as_raw_fd(), Ordering::Relaxed);
        for &s in signals {
            set_disposition(
                s,
                on_signal as *const () as libc::sighandler_t,
                libc::SA_NOCLDSTOP,
            )?;
        }
        Ok(SelfPipe {
            read,
            _write: write,
        })
    }

    /// The read end, to poll for readability.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Reads every pending byte; returns the signal numbers received, in order.
    pub fn drain(&self) -> Vec<i32> {
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = rustix::io::read(&self.read, &mut buf) {
            got.extend(buf[..n].iter().map(|&b| i32::from(b)));
        }
        got
    }
}

/// sigprocmask(SIG_BLOCK).
pub fn block(signals: &[i32]) -> Result<()> {
    let set = set_of(signals);
    // SAFETY: valid set pointer, null old-set pointer.
    check(unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) })
}

/// sigprocmask(SIG_UNBLOCK).
pub fn unblock(signals: &[i32]) -> Result<()> {
    let set = set_of(signals);
    // SAFETY: valid set pointer, null old-set pointer.
    check(unsafe { libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) })
}

/// sigprocmask(SIG_SETMASK, empty): nothing blocked.
pub fn unblock_all() -> Result<()> {
    let set = set_of(&[]);
    // SAFETY: valid set pointer, null old-set pointer.
    check(unsafe { libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut()) })
}

/// sigaction(SIG_DFL).
pub fn set_default(signal: i32) -> Result<()> {
    set_disposition(signal, libc::SIG_DFL, 0)
}

/// sigaction(SIG_IGN).
pub fn ignore(signal: i32) -> Result<()> {
    set_disposition(signal, libc::SIG_IGN, 0)
}

/// Signal names without `SIG`, and their numbers on this system.
const NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// The highest signal number the kernel knows.
pub const MAX: i32 = 64;

/// A signal given as a name (`TERM`, `SIGTERM`, any case) or a number (1-64).
pub fn by_name(text: &[u8]) -> Option<i32> {
    if !text.is_empty() && text.iter().all(u8::is_ascii_digit) {
        let n = std::str::from_utf8(text).ok()?.parse::<i32>().ok()?;
        return (1..=MAX).contains(&n).then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix(b"SIG").unwrap_or(&upper);
    NAMES
        .iter()
        .find(|(n, _)| n.as_bytes() == name)
        .map(|&(_, number)| number)
}

/// The name of signal `number`, without `SIG`, if it has one.
pub fn name_of(number: i32) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|&&(_, n)| n == number)
        .map(|&(name, _)| name)
}

/// sigaction(signal, NULL, &old): is `signal` ignored (SIG_IGN) right now?
pub fn is_ignored(signal: i32) -> bool {
    // SAFETY: a null new action only queries; `old` is a valid out-pointer.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(test)]
mod names_tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        for text in [&b"TERM"[..], b"SIGTERM", b"term", b"SigTerm", b"15"] {
            assert_eq!(by_name(text), Some(SIGTERM), "{text:?}");
        }
        assert_eq!(by_name(b"HUP"), Some(SIGHUP));
        assert_eq!(name_of(SIGKILL), Some("KILL"));
        assert_eq!(name_of(40), None);
        assert_eq!(by_name(b"64"), Some(64));
        for bad in [
            &b""[..],
            b"0",
            b"65",
            b"-1",
            b"SIG",
            b"TERM ",
            b"NOPE",
            b"99999999999",
        ] {
            assert_eq!(by_name(bad), None, "{bad:?}");
        }
    }
}
