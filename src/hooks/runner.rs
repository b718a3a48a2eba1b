//! Running one hook at a time inside the caller's event loop.
//!
//! The caller starts a job, polls [`Runner::fd`] (the hook's output) along with its own
//! descriptors, calls [`Runner::read_output`] when it is readable, [`Runner::tick`] when
//! [`Runner::deadline`] has passed, and [`Runner::reaped`] for every child it reaps. Nothing
//! here blocks: a hook that hangs is sent TERM at its time limit and KILL a second later; a
//! hook that leaves a daemon holding its output is finished when it is reaped, and what is
//! left in the pipe is dropped. Output is forwarded a line at a time (a line longer than
//! [`MAX_LINE`] in pieces of that size), so no amount of it grows the caller's memory.

use super::HookDir;
use crate::exit;
use crate::sys::proc::{Pid, WaitStatus};
use crate::sys::signal::{SIGKILL, SIGTERM};
use crate::sys::spawn::{Program, Source, Spawn};
use crate::sys::{self, AsFd, BorrowedFd, Errno, OwnedFd};
use std::ffi::CString;
use std::time::Duration;

/// Between TERM at the time limit and KILL.
pub const KILL_GRACE: Duration = Duration::from_secs(1);
/// Output lines are forwarded in pieces of at most this many bytes.
pub const MAX_LINE: usize = 1024;
/// The descriptor on which a hook finds the batch's service list, when it has one.
pub const LIST_FD: i32 = 3;
const DEV_NULL: &[u8] = b"/dev/null";

/// One hook to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The program's path.
    pub program: Vec<u8>,
    /// How its output lines and its failure are labelled.
    pub label: Vec<u8>,
    /// Its whole environment.
    pub env: Vec<Vec<u8>>,
    pub timeout: Duration,
    /// Bytes the hook reads on descriptor [`LIST_FD`] (the batch's service list).
    pub list: Option<Vec<u8>>,
}

impl Job {
    /// A job for hook `name` of `dir`, with environment `env`.
    pub fn new(dir: &HookDir, name: &[u8], env: Vec<Vec<u8>>) -> Self {
        Job {
            program: dir.hook(name),
            label: dir.hook(name),
            env,
            timeout: dir.timeout,
            list: None,
        }
    }
}

/// The hook now running.
struct Running {
    pid: Pid,
    label: Vec<u8>,
    output: Option<OwnedFd>,
    partial: Vec<u8>,
    /// TERM at this time, then KILL at `kill_at`.
    term_at: Duration,
    kill_at: Option<Duration>,
}

/// Runs hooks for a caller named `prog` (its messages' prefix).
pub struct Runner {
    prog: &'static str,
    running: Option<Running>,
}

/// How a hook ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ended {
    /// Exit 0 within its time.
    pub ok: bool,
    /// Its exit code, or 128 + the signal that killed it (as a shell reports it).
    pub code: u8,
}

/// Exit code base for a hook killed by a signal.
const SIGNAL_BASE: u8 = 128;

impl Runner {
    /// A runner with nothing running.
    pub fn new(prog: &'static str) -> Self {
        Runner {
            prog,
            running: None,
        }
    }

    /// Is a hook running?
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// Starts `job` at monotonic time `now`. `Err` when it could not be started at all
    /// (reported, and counted as a failed hook).
    pub fn start(&mut self, job: Job, now: Duration) -> Result<(), ()> {
        let started = self.spawn(&job);
        match started {
            Ok((pid, output)) => {
                self.running = Some(Running {
                    pid,
                    label: job.label,
                    output: Some(output),
                    partial: Vec::new(),
                    term_at: now + job.timeout,
                    kill_at: None,
                });
                Ok(())
            }
            Err(e) => {
                exit::warn_sys(self.prog, &[b"unable to start hook ", &job.label], e);
                Err(())
            }
        }
    }

    fn spawn(&self, job: &Job) -> sys::Result<(Pid, OwnedFd)> {
        let (read, write) = sys::fd::pipe()?;
        sys::fd::set_nonblock(&read, true)?;
        let list = match &job.list {
            Some(bytes) => Some(sys::fd::memfd_with(b"daemonbox-services", bytes)?),
            None => None,
        };
        let program = CString::new(job.program.clone()).map_err(|_| Errno::INVAL)?;
        let argv = [program.as_c_str()];
        let mut child = Spawn::new(Program::File(&program), &argv)
            .env(&job.env)
            .clear_mask()
            .fd(Source::Open(DEV_NULL, sys::fd::open_read), 0)
            .fd(Source::Dup(write.as_fd()), 1)
            .fd(Source::Dup(write.as_fd()), 2)
            .close_others();
        if let Some(list) = &list {
            child = child.fd(Source::Dup(list.as_fd()), LIST_FD);
        }
        let prog = self.prog;
        let label = &job.label;
        let pid = child.start(|f| {
            exit::warn_sys(prog, &[b"unable to run hook ", label], f.errno);
            exit::TEMP
        })?;
        Ok((pid, read))
    }

    /// The running hook's output, to poll for readability.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.running.as_ref()?.output.as_ref().map(AsFd::as_fd)
    }

    /// When [`Runner::tick`] has something to do.
    pub fn deadline(&self) -> Option<Duration> {
        let running = self.running.as_ref()?;
        Some(running.kill_at.unwrap_or(running.term_at))
    }

    /// TERM or KILL the running hook if its time is up.
    pub fn tick(&mut self, now: Duration) {
        let Some(running) = &mut self.running else {
            return;
        };
        match running.kill_at {
            None if now >= running.term_at => {
                exit::warn(self.prog, &[b"hook ", &running.label, b" timed out"]);
                let _ = sys::proc::kill(running.pid, SIGTERM);
                running.kill_at = Some(now + KILL_GRACE);
            }
            Some(at) if now >= at => {
                let _ = sys::proc::kill(running.pid, SIGKILL);
                running.kill_at = Some(Duration::MAX);
            }
            _ => {}
        }
    }

    /// Forwards what the running hook has written, line by line.
    pub fn read_output(&mut self) {
        if let Some(running) = &mut self.running {
            forward(running, false);
        }
    }

    /// The running hook's pid.
    pub fn pid(&self) -> Option<Pid> {
        self.running.as_ref().map(|r| r.pid)
    }

    /// Ends the running hook at once (TERM, then KILL after the grace): the caller is
    /// stopping.
    pub fn cut_short(&mut self, now: Duration) {
        if let Some(running) = &mut self.running
            && running.kill_at.is_none()
        {
            let _ = sys::proc::kill(running.pid, SIGTERM);
            running.kill_at = Some(now + KILL_GRACE);
        }
    }

    /// Tells the runner that `pid` ended; returns how, if it was the running hook.
    pub fn reaped(&mut self, pid: Pid, status: WaitStatus) -> Option<Ended> {
        if self.running.as_ref()?.pid != pid {
            return None;
        }
        let mut running = self.running.take()?;
        forward(&mut running, true);
        let timed_out = running.kill_at.is_some();
        let ok = status.exit_code() == Some(0) && !timed_out;
        if !ok && !timed_out {
            let how = match (status.exit_code(), status.signal()) {
                (Some(code), _) => format!("exit {code}"),
                (None, Some(signal)) => format!("signal {signal}"),
                _ => String::from("unknown status"),
            };
            let label = &running.label;
            exit::warn(self.prog, &[b"hook ", label, b" failed: ", how.as_bytes()]);
        }
        let code = match (status.exit_code(), status.signal()) {
            (Some(code), _) => code,
            (None, Some(signal)) => SIGNAL_BASE.wrapping_add(signal as u8),
            _ => exit::TEMP,
        };
        Some(Ended { ok, code })
    }
}

/// Reads what is in the pipe and writes whole lines to stderr as `LABEL: LINE`; at `end`,
/// also the last partial line, and the pipe is dropped (a daemon may still hold it).
fn forward(running: &mut Running, end: bool) {
    let mut buf = [0u8; 4096];
    while let Some(fd) = &running.output {
        match sys::fd::read(fd, &mut buf) {
            Ok(0) => {
                running.output = None;
            }
            Ok(n) => {
                for &b in &buf[..n] {
                    running.partial.push(b);
                    if b == b'\n' || running.partial.len() >= MAX_LINE {
                        emit_line(&running.label, &running.partial);
                        running.partial.clear();
                    }
                }
            }
            Err(_) => break,
        }
    }
    if end {
        running.output = None;
        if !running.partial.is_empty() {
            emit_line(&running.label, &running.partial);
            running.partial.clear();
        }
    }
}

fn emit_line(label: &[u8], line: &[u8]) {
    let newline: &[u8] = if line.ends_with(b"\n") { b"" } else { b"\n" };
    exit::emit(&[label, b": ", line, newline].concat());
}
