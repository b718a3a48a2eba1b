//! A container's main program (`svscan DIR -- PROG ARG...`), in the manner of s6-overlay's
//! CMD and tini's child: started once the boot batch is done and the services asked for
//! with `-r` are ready, run in the foreground on svscan's own stdin, stdout and stderr and
//! in the directory svscan was started in (the container's working directory), never
//! restarted; its end starts the ordered shutdown, and its exit code becomes svscan's.
//!
//! Readiness: a service with `notification-fd` must have said it is ready, any other must
//! be up. It is checked again whenever a record is replaced (inotify on each service
//! directory and its `supervise/`), so the wait never polls; `-t` bounds it.

use super::PROG;
use super::scan::Inherited;
use crate::exit;
use crate::svdir::{self, ServiceDir};
use crate::svwatch::Goal;
use crate::sys::inotify::ChangeWatch;
use crate::sys::proc::{self, Pid, WaitStatus};
use crate::sys::spawn::{Program, Spawn, Stage};
use crate::sys::{BorrowedFd, Errno};
use std::ffi::CString;
use std::time::Duration;

/// A shell's exit codes for a program that cannot be found, or not executed.
const NOT_FOUND: u8 = 127;
const NOT_EXECUTABLE: u8 = 126;
/// A shell's base for a program killed by a signal.
const SIGNAL_BASE: u8 = 128;

/// What the main program is doing.
#[derive(Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the boot batch and the services it needs.
    Waiting,
    Running(Pid),
    /// Its exit code (or 128 + signal).
    Ended(u8),
}

/// What changed for the loop.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// It is running now.
    Started,
    /// These services were not ready in time: nothing was started.
    NotReady(Vec<Vec<u8>>),
}

/// The main program and what it waits for.
pub struct MainProgram {
    argv: Vec<CString>,
    /// The directory svscan was started in, where the program runs (a container's WORKDIR).
    cwd: Vec<u8>,
    /// Services that must be ready first.
    needs: Vec<Vec<u8>>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    watch: Option<ChangeWatch>,
    phase: Phase,
}

/// Exit code of a wait status as a shell reports it (pure).
pub fn shell_code(status: WaitStatus) -> u8 {
    match (status.exit_code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => SIGNAL_BASE.wrapping_add(signal as u8),
        _ => exit::TEMP,
    }
}

impl MainProgram {
    /// `argv`, run in `cwd` once `needs` are ready, waiting at most `timeout` (`None`: for
    /// ever).
    pub fn new(
        argv: Vec<CString>,
        cwd: Vec<u8>,
        needs: Vec<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Self {
        MainProgram {
            argv,
            cwd,
            needs,
            timeout,
            deadline: None,
            watch: None,
            phase: Phase::Waiting,
        }
    }

    /// Its pid while it runs.
    pub fn pid(&self) -> Option<Pid> {
        match self.phase {
            Phase::Running(pid) => Some(pid),
            _ => None,
        }
    }

    /// The readiness watch, to poll while waiting.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self.phase {
            Phase::Waiting => self.watch.as_ref().map(ChangeWatch::fd),
            _ => None,
        }
    }

    /// The readiness watch fired: empties it (the loop checks readiness again).
    pub fn watch_fired(&self) {
        if let Some(watch) = &self.watch {
            watch.drain();
        }
    }

    /// When the wait for readiness gives up.
    pub fn deadline(&self) -> Option<Duration> {
        match self.phase {
            Phase::Waiting => self.deadline,
            _ => None,
        }
    }

    /// Never to be started (the container stops first).
    pub fn cancel(&mut self) {
        if self.phase == Phase::Waiting {
            self.phase = Phase::Ended(exit::TEMP);
        }
    }

    /// Checks the services it needs (the boot batch being done); starts it once they are
    /// ready, or gives up at the deadline.
    pub fn check(&mut self, now: Duration, inherited: &Inherited) -> Option<Change> {
        if self.phase != Phase::Waiting {
            return None;
        }
        let timeout = self.timeout;
        let deadline = *self
            .deadline
            .get_or_insert_with(|| timeout.map_or(Duration::MAX, |t| now + t));
        let late = self.not_ready();
        if late.is_empty() {
            self.phase = match self.start(inherited) {
                Ok(pid) => Phase::Running(pid),
                Err(e) => {
                    exit::warn_sys(PROG, &[b"unable to fork for the main program"], e);
                    Phase::Ended(exit::TEMP)
                }
            };
            return Some(Change::Started);
        }
        if now >= deadline {
            self.phase = Phase::Ended(exit::TEMP);
            return Some(Change::NotReady(late));
        }
        None
    }

    /// The services not ready yet; watches are added as their directories appear.
    fn not_ready(&mut self) -> Vec<Vec<u8>> {
        if self.watch.is_none() && !self.needs.is_empty() {
            self.watch = ChangeWatch::new().ok();
        }
        let mut late = Vec::new();
        for name in &self.needs {
            let service = ServiceDir::at(name);
            if let Some(watch) = &self.watch {
                let _ = watch.add(name);
                let _ = watch.add(&service.path(svdir::SUPERVISE_DIR));
            }
            let goal = match service.read_setting(svdir::NOTIFICATION_FD) {
                Ok(Some(_)) => Goal::Ready,
                _ => Goal::Up,
            };
            let supervised = service.supervise_running().unwrap_or(false);
            let ready = supervised && service.read_records().is_ok_and(|r| goal.reached(&r));
            if !ready {
                late.push(name.clone());
            }
        }
        if let Some(watch) = &self.watch {
            watch.drain();
        }
        late
    }

    /// Forks it with the signals and limits svscan got; a program that cannot be run
    /// exits 127 (not found) or 126, as a shell's would.
    fn start(&self, inherited: &Inherited) -> Result<Pid, Errno> {
        let argv: Vec<&std::ffi::CStr> = self.argv.iter().map(CString::as_c_str).collect();
        let mut child = Spawn::new(Program::Search, &argv)
            .default_signals(&inherited.caught)
            .ignored_signals(&inherited.ignored)
            .clear_mask()
            .cwd(&self.cwd);
        if let Some(limit) = inherited.nofile {
            child = child.limit(proc::RLIMIT_NOFILE, limit);
        }
        let name = argv.first().map_or(&b""[..], |a| a.to_bytes());
        child.start(|failure| {
            let code = match (failure.stage, failure.errno) {
                (Stage::Exec, Errno::NOENT) => NOT_FOUND,
                _ => NOT_EXECUTABLE,
            };
            exit::fatal_sys(PROG, &[b"unable to run ", name], failure.errno, code)
        })
    }

    /// Sends `signal` to it if it runs.
    pub fn signal(&self, signal: i32) {
        if let Some(pid) = self.pid() {
            let _ = proc::kill(pid, signal);
        }
    }

    /// `pid` ended: if it was the main program, its code is kept and returned.
    pub fn reaped(&mut self, pid: Pid, status: WaitStatus) -> Option<u8> {
        if self.pid() != Some(pid) {
            return None;
        }
        let code = shell_code(status);
        self.phase = Phase::Ended(code);
        Some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_as_a_shell_reports_them() {
        assert_eq!(shell_code(WaitStatus(3 << 8)), 3);
        assert_eq!(shell_code(WaitStatus(0)), 0);
        assert_eq!(shell_code(WaitStatus(9)), 137);
        assert_eq!(shell_code(WaitStatus(15)), 143);
    }
}
