//! Starting children: the one fork + exec path of daemonbox.
//!
//! A [`Spawn`] describes the child completely, in the spirit of `posix_spawn` attributes:
//! the program and its argv, the environment, signal dispositions and mask, resource
//! limits, a descriptor plan (duplicate any descriptor to any number, open a file onto a
//! number, mark everything else close-on-exec) and the working directory. The child applies them in that order and execs. If a step fails, the
//! caller's failure function runs in the child with the step and the errno, reports in
//! the caller's own words and names the child's exit code. Nothing else in daemonbox forks.

use super::{Errno, Result, dir, exec, fd, proc, signal};
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::ffi::CStr;

/// How the program is found.
#[derive(Clone, Copy, Debug)]
pub enum Program<'a> {
    /// execve this file; no PATH search.
    File(&'a CStr),
    /// daemontools' PATH search for argv[0] (PATH of the current environment).
    Search,
    /// This file if it can be executed, else the PATH search for argv[0].
    FileThenSearch(&'a CStr),
}

/// Where a descriptor of the child comes from.
pub enum Source<'a> {
    /// A copy of a descriptor of the parent.
    Dup(BorrowedFd<'a>),
    /// A file opened in the child by one of the `sys::fd::open_*` helpers.
    Open(&'a [u8], fn(&[u8]) -> Result<OwnedFd>),
}

/// The step of the child's set-up that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Limits,
    Descriptors,
    Directory,
    Exec,
}

/// What went wrong in the child before its program ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    pub stage: Stage,
    pub errno: Errno,
}

/// A child to start.
pub struct Spawn<'a> {
    program: Program<'a>,
    argv: &'a [&'a CStr],
    env: Option<&'a [Vec<u8>]>,
    default_signals: &'a [i32],
    ignored_signals: &'a [i32],
    clear_mask: bool,
    limits: Vec<(i32, proc::Limit)>,
    fds: Vec<(Source<'a>, RawFd)>,
    close_others: bool,
    cwd: Option<&'a [u8]>,
}

impl<'a> Spawn<'a> {
    /// A child running `program` with `argv`, inheriting everything else.
    pub fn new(program: Program<'a>, argv: &'a [&'a CStr]) -> Self {
        Spawn {
            program,
            argv,
            env: None,
            default_signals: &[],
            ignored_signals: &[],
            clear_mask: false,
            limits: Vec::new(),
            fds: Vec::new(),
            close_others: false,
            cwd: None,
        }
    }

    /// Exactly this environment (`NAME=VALUE` entries) instead of the parent's.
    pub fn env(mut self, env: &'a [Vec<u8>]) -> Self {
        self.env = Some(env);
        self
    }

    /// These signals back to their default action and unblocked (those the parent catches).
    pub fn default_signals(mut self, signals: &'a [i32]) -> Self {
        self.default_signals = signals;
        self
    }

    /// These signals ignored (those the parent's own parent had ignored).
    pub fn ignored_signals(mut self, signals: &'a [i32]) -> Self {
        self.ignored_signals = signals;
        self
    }

    /// An empty signal mask, whatever the parent blocks.
    pub fn clear_mask(mut self) -> Self {
        self.clear_mask = true;
        self
    }

    /// setrlimit(2) of `resource` (a `proc::RLIMIT_*`).
    pub fn limit(mut self, resource: i32, limit: proc::Limit) -> Self {
        self.limits.push((resource, limit));
        self
    }

    /// Descriptor `target` of the child comes from `source`.
    pub fn fd(mut self, source: Source<'a>, target: RawFd) -> Self {
        self.fds.push((source, target));
        self
    }

    /// Descriptors 3 and up that the plan does not name are closed at exec.
    pub fn close_others(mut self) -> Self {
        self.close_others = true;
        self
    }

    /// The child's working directory.
    pub fn cwd(mut self, dir: &'a [u8]) -> Self {
        self.cwd = Some(dir);
        self
    }

    /// fork(2); the child sets itself up and execs. If it cannot, it calls `fail`, which
    /// reports in the caller's words and returns the exit code the child then ends with.
    /// Returns the child's pid, or the fork's error.
    pub fn start(&self, fail: impl Fn(Failure) -> u8) -> Result<proc::Pid> {
        match proc::fork()? {
            proc::Forked::Parent(pid) => Ok(pid),
            proc::Forked::Child => proc::exit(fail(self.exec())),
        }
    }

    /// The child's side: set-up, then exec. Returns only on failure.
    fn exec(&self) -> Failure {
        if let Err(failure) = self.set_up() {
            return failure;
        }
        let errno = match self.program {
            Program::File(path) => exec::exec_file(path, self.argv, self.env),
            Program::Search => exec::pathexec(self.argv, self.env),
            Program::FileThenSearch(path) => {
                exec::exec_file(path, self.argv, self.env);
                exec::pathexec(self.argv, self.env)
            }
        };
        Failure {
            stage: Stage::Exec,
            errno,
        }
    }

    /// Every step before exec, in order.
    fn set_up(&self) -> std::result::Result<(), Failure> {
        let at = |stage| move |errno| Failure { stage, errno };
        for &s in self.default_signals {
            let _ = signal::set_default(s);
        }
        let _ = signal::unblock(self.default_signals);
        for &s in self.ignored_signals {
            let _ = signal::ignore(s);
        }
        if self.clear_mask {
            let _ = signal::unblock_all();
        }
        for &(resource, limit) in &self.limits {
            proc::setrlimit(resource, limit).map_err(at(Stage::Limits))?;
        }
        self.arrange_fds().map_err(at(Stage::Descriptors))?;
        if let Some(dir) = self.cwd {
            dir::chdir(dir).map_err(at(Stage::Directory))?;
        }
        Ok(())
    }

    /// The descriptor plan. Every source is first copied above all targets, so that one
    /// entry's target can be another's source; the copies are close-on-exec.
    fn arrange_fds(&self) -> Result<()> {
        let Some(top) = self.fds.iter().map(|&(_, t)| t).max() else {
            return self.mark_others(&[]);
        };
        let mut staged: Vec<(OwnedFd, RawFd)> = Vec::with_capacity(self.fds.len());
        for (source, target) in &self.fds {
            let copy = match source {
                Source::Dup(fd) => rustix::io::fcntl_dupfd_cloexec(fd, top + 1)?,
                Source::Open(path, open) => {
                    let opened = open(path)?;
                    if opened.as_raw_fd() > top {
                        opened
                    } else {
                        rustix::io::fcntl_dupfd_cloexec(&opened, top + 1)?
                    }
                }
            };
            staged.push((copy, *target));
        }
        for (copy, target) in &staged {
            fd::dup_to(copy.as_fd(), *target)?;
        }
        let targets: Vec<RawFd> = staged.iter().map(|&(_, t)| t).collect();
        self.mark_others(&targets)
    }

    /// With `close_others`, every descriptor from 3 up except `keep` gets close-on-exec.
    fn mark_others(&self, keep: &[RawFd]) -> Result<()> {
        if !self.close_others {
            return Ok(());
        }
        let mut keep: Vec<RawFd> = keep.iter().copied().filter(|&k| k >= 3).collect();
        keep.sort_unstable();
        let mut from = 3;
        for k in keep {
            if k > from {
                fd::cloexec_range(from, k - 1)?;
            }
            from = k + 1;
        }
        fd::cloexec_range(from, RawFd::MAX)
    }
}
