//! Starting a child that shares the parent's memory until it execs: clone(2) with
//! CLONE_VM | CLONE_VFORK, as posix_spawn does it. Nothing of the address space is copied,
//! which makes starting a short-lived program much cheaper than fork (tcpserver starts one
//! per connection).
//!
//! Everything the child needs (argument and environment arrays, the files to try, the
//! descriptor plan, the signal mask) is built before the clone; the child only makes
//! system calls, on a stack of its own, and reports a failure by writing it into the plan.
//! The parent is suspended until the child has exec'd or exited. All signals stay blocked
//! across the clone, so no handler of the parent runs in the child; the child sets the
//! dispositions of the plan, then the mask the program starts with. A caller must therefore
//! name in `default_signals` every signal it catches. Plans that open files in the child or
//! close other descriptors are refused (EINVAL): use [`Spawn::start`] for those.

use super::{Failure, Program, Source, Spawn, Stage};
use crate::sys::{Errno, exec, proc};
use rustix::fd::{AsRawFd, RawFd};
use std::cell::Cell;
use std::ffi::{CString, c_char, c_int, c_void};

/// Stack for the child, which calls no deeper than a few system-call wrappers (with room to
/// spare for unoptimised builds: there is no guard page below it).
const CHILD_STACK: usize = 64 * 1024;

/// Why a shared start failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedError {
    /// The plan cannot be run this way, or clone(2) failed.
    Start(Errno),
    /// The child failed before its program ran (it has been reaped).
    Child(Failure),
}

/// Memory a caller keeps between shared starts, so that a warm start allocates little.
#[derive(Default)]
pub struct Scratch {
    stack: Vec<u8>,
    /// The files to try and the environment entries, each NUL-terminated.
    text: Vec<u8>,
    starts: Vec<usize>,
    files: Vec<*const c_char>,
    argv: Vec<*const c_char>,
    envp: Vec<*const c_char>,
    fds: Vec<(RawFd, RawFd)>,
    staged: Vec<Cell<RawFd>>,
}

/// Everything the child reads, and the slot it reports a failure in.
struct Plan<'a> {
    spawn: &'a Spawn<'a>,
    argv: &'a [*const c_char],
    envp: Option<&'a [*const c_char]>,
    files: &'a [*const c_char],
    /// With `Program::FileThenSearch`, the first file's error is not the one reported.
    first_is_silent: bool,
    fds: &'a [(RawFd, RawFd)],
    staged: &'a [Cell<RawFd>],
    cwd: Option<CString>,
    mask: libc::sigset_t,
    failure: Cell<Option<Failure>>,
}

fn errno() -> Errno {
    // SAFETY: reading the calling thread's errno.
    Errno::from_raw_os_error(unsafe { *libc::__errno_location() })
}

fn check(ret: c_int) -> Result<(), Errno> {
    if ret == -1 { Err(errno()) } else { Ok(()) }
}

impl Plan<'_> {
    /// The child's side: system calls only, no allocation.
    fn run(&self) -> Failure {
        let at = |stage| move |errno| Failure { stage, errno };
        let dispositions = [
            (self.spawn.default_signals, libc::SIG_DFL),
            (self.spawn.ignored_signals, libc::SIG_IGN),
        ];
        for (signals, handler) in dispositions {
            for &s in signals {
                // SAFETY: a zeroed sigaction with SIG_DFL or SIG_IGN is well formed.
                unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = handler;
                    libc::sigaction(s, &action, std::ptr::null_mut());
                }
            }
        }
        for &(resource, limit) in &self.spawn.limits {
            if let Err(e) = proc::setrlimit(resource, limit) {
                return at(Stage::Limits)(e);
            }
        }
        if let Err(e) = self.arrange_fds() {
            return at(Stage::Descriptors)(e);
        }
        if let Some(dir) = &self.cwd {
            // SAFETY: a valid C string.
            if let Err(e) = check(unsafe { libc::chdir(dir.as_ptr()) }) {
                return at(Stage::Directory)(e);
            }
        }
        // SAFETY: a valid set; the old mask is not wanted.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &self.mask, std::ptr::null_mut()) };
        at(Stage::Exec)(self.exec())
    }

    /// The descriptor plan: every source copied above all targets, then onto its target.
    fn arrange_fds(&self) -> Result<(), Errno> {
        let top = self.fds.iter().map(|&(_, t)| t).max().unwrap_or(0);
        for (&(source, _), slot) in self.fds.iter().zip(self.staged) {
            // The system call itself: the C library's wrapper adds an F_SETFD for kernels
            // older than F_DUPFD_CLOEXEC.
            // SAFETY: fcntl on descriptor numbers.
            let copy =
                unsafe { libc::syscall(libc::SYS_fcntl, source, libc::F_DUPFD_CLOEXEC, top + 1) };
            check(copy as c_int)?;
            slot.set(copy as c_int);
        }
        for (&(_, target), slot) in self.fds.iter().zip(self.staged) {
            // SAFETY: dup2 on descriptor numbers; the copy is close-on-exec, the target not.
            check(unsafe { libc::dup2(slot.get(), target) })?;
        }
        Ok(())
    }

    /// Tries each file in turn with daemontools' error priority.
    fn exec(&self) -> Errno {
        let envp = match &self.envp {
            Some(envp) => envp.as_ptr(),
            // SAFETY: the C library's environment array, unchanged while the parent waits.
            None => unsafe { environ },
        };
        let mut remembered = None;
        for (i, &file) in self.files.iter().enumerate() {
            // SAFETY: NULL-terminated arrays of C strings that outlive the call.
            unsafe { libc::execve(file, self.argv.as_ptr(), envp) };
            let e = errno();
            if i == 0 && self.first_is_silent {
                continue;
            }
            match exec::after_failure(e) {
                Err(stop) => return stop,
                Ok(true) => remembered = Some(e),
                Ok(false) => {}
            }
        }
        remembered.unwrap_or(Errno::NOENT)
    }
}

unsafe extern "C" {
    static environ: *const *const c_char;
}

extern "C" fn child_main(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the plan, alive in the suspended parent until this child execs or
    // exits.
    let plan = unsafe { &*(arg as *const Plan) };
    plan.failure.set(Some(plan.run()));
    proc::exit(FAILED)
}

/// The exit code of a child that failed before its program ran (the parent reaps it and
/// reports the failure itself, so nobody sees this code).
const FAILED: u8 = 127;

/// Appends `bytes` up to any NUL, then a NUL, to `text`; records where it starts.
fn push_c(text: &mut Vec<u8>, starts: &mut Vec<usize>, bytes: &[u8]) {
    starts.push(text.len());
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    text.extend_from_slice(&bytes[..end]);
    text.push(0);
}

/// Pointers to the strings of `text` starting at `starts`, and a NULL.
fn pointers(text: &[u8], starts: &[usize], out: &mut Vec<*const c_char>) {
    out.clear();
    out.extend(
        starts
            .iter()
            .map(|&at| text[at..].as_ptr().cast::<c_char>()),
    );
    out.push(std::ptr::null());
}

impl Spawn<'_> {
    /// Starts the child as [`Spawn::start`] does, but sharing this process's memory until
    /// it execs (see the module doc). `stack` is scratch memory kept by the caller between
    /// starts. Returns the pid once the program runs.
    pub fn start_shared(&self, scratch: &mut Scratch) -> Result<proc::Pid, SharedError> {
        if self.close_others || self.fds.iter().any(|(s, _)| matches!(s, Source::Open(..))) {
            return Err(SharedError::Start(Errno::INVAL));
        }
        let start = |e| SharedError::Start(e);
        let argv0 = self.argv.first().ok_or(start(Errno::NOENT))?.to_bytes();
        let search = || exec::candidates(argv0, crate::sys::env::get(b"PATH").as_deref());
        let (files, first_is_silent) = match self.program {
            Program::File(file) => (vec![file.to_bytes().to_vec()], false),
            Program::Search if argv0.contains(&b'/') => (vec![argv0.to_vec()], false),
            Program::Search => (search(), false),
            Program::FileThenSearch(file) => {
                let mut all = vec![file.to_bytes().to_vec()];
                all.extend(search());
                (all, true)
            }
        };
        let s = scratch;
        s.text.clear();
        s.starts.clear();
        for file in &files {
            push_c(&mut s.text, &mut s.starts, file);
        }
        let file_count = files.len();
        for entry in self.env.unwrap_or_default() {
            push_c(&mut s.text, &mut s.starts, entry);
        }
        pointers(&s.text, &s.starts[..file_count], &mut s.files);
        s.files.pop();
        pointers(&s.text, &s.starts[file_count..], &mut s.envp);
        s.argv.clear();
        s.argv.extend(self.argv.iter().map(|a| a.as_ptr()));
        s.argv.push(std::ptr::null());
        s.fds.clear();
        s.fds
            .extend(self.fds.iter().map(|(source, target)| match source {
                Source::Dup(fd) => (fd.as_raw_fd(), *target),
                Source::Open(..) => (-1, *target),
            }));
        s.staged.clear();
        s.staged.extend(self.fds.iter().map(|_| Cell::new(-1)));
        let cwd = match self.cwd {
            Some(dir) => Some(CString::new(dir).map_err(|_| start(Errno::INVAL))?),
            None => None,
        };
        // SAFETY: sigset_t is plain data; sigfillset/sigemptyset initialise it.
        let (mut all, mut old): (libc::sigset_t, libc::sigset_t) = unsafe { std::mem::zeroed() };
        // SAFETY: valid sets; the previous mask is saved in `old`.
        unsafe {
            libc::sigfillset(&mut all);
            libc::sigprocmask(libc::SIG_BLOCK, &all, &mut old);
        }
        let mut mask = old;
        for &s in self.default_signals {
            // SAFETY: a valid set and signal number.
            unsafe { libc::sigdelset(&mut mask, s) };
        }
        if self.clear_mask {
            // SAFETY: a valid set.
            unsafe { libc::sigemptyset(&mut mask) };
        }
        if s.stack.len() < CHILD_STACK {
            s.stack.resize(CHILD_STACK, 0);
        }
        // The stack grows down from its 16-byte aligned end.
        let top = (s.stack.as_mut_ptr() as usize + s.stack.len()) & !15;
        let plan = Plan {
            spawn: self,
            argv: &s.argv,
            envp: self.env.map(|_| &s.envp[..]),
            files: &s.files,
            first_is_silent,
            fds: &s.fds,
            staged: &s.staged,
            cwd,
            mask,
            failure: Cell::new(None),
        };
        // SAFETY: the child runs `child_main` on `stack` with the plan, which outlives it
        // (CLONE_VFORK suspends this thread until the child execs or exits).
        let pid = unsafe {
            libc::clone(
                child_main,
                top as *mut c_void,
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                &plan as *const Plan as *mut c_void,
            )
        };
        let cloned = if pid == -1 { Err(errno()) } else { Ok(pid) };
        // SAFETY: restores the mask saved above.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
        let pid = cloned.map_err(start)?;
        if let Some(failure) = plan.failure.get() {
            let _ = proc::wait_pid(pid);
            return Err(SharedError::Child(failure));
        }
        Ok(pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_for_the_child() {
        let (mut text, mut starts, mut ptrs) = (Vec::new(), Vec::new(), Vec::new());
        for entry in [&b"A=1"[..], b"B=x\0cut", b""] {
            push_c(&mut text, &mut starts, entry);
        }
        pointers(&text, &starts, &mut ptrs);
        assert_eq!(text, b"A=1\0B=x\0\0");
        assert_eq!(ptrs.len(), 4);
        assert!(ptrs[3].is_null());
        // SAFETY: pointers into `text`, which is alive.
        let texts: Vec<&[u8]> = ptrs[..3]
            .iter()
            .map(|&p| unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes())
            .collect();
        assert_eq!(texts, [&b"A=1"[..], b"B=x", b""]);
    }
}
