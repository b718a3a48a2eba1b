//! Starting supervise's two children, and listening for readiness.
//!
//! `./run` is started with the settings read just before (see `policy.rs`); with
//! `notification-fd` it gets the write end of a pipe on that descriptor, and supervise
//! reads the other end until the first newline (ready), end of file or the service's end,
//! then closes it, as s6 does. `./finish` is started as `./finish CODE SIGNAL DIR`. A child
//! that cannot exec says so in supervise's words and exits 111; a failed fork is reported
//! back as `SpawnFailed`.

use super::PROG;
use super::policy::{self, Policy};
use super::state::{Child, Event};
use crate::exit;
use crate::svdir;
use crate::sys::signal::SIGCHLD;
use crate::sys::spawn::{Program, Source, Spawn};
use crate::sys::{self, AsFd, BorrowedFd, Errno, OwnedFd};
use std::ffi::{CStr, CString};

const RUN_PATH: &CStr = c"./run";
const FINISH_PATH: &CStr = c"./finish";
/// Bytes read from the readiness pipe at a time (the data itself is discarded).
const NOTIFY_CHUNK: usize = 512;

/// The read end of the readiness pipe of the running service.
pub struct Readiness(OwnedFd);

impl Readiness {
    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }

    /// Reads what is there: `Some(true)` on a newline (ready), `Some(false)` when the
    /// service closed its end without one, `None` while it may still come.
    pub fn read(&self) -> Option<bool> {
        let mut buf = [0u8; NOTIFY_CHUNK];
        loop {
            match sys::fd::read(&self.0, &mut buf) {
                Ok(0) => return Some(false),
                Ok(n) if buf[..n].contains(&b'\n') => return Some(true),
                Ok(_) => continue,
                Err(Errno::AGAIN) => return None,
                Err(_) => return Some(false),
            }
        }
    }
}

/// Forks `./run` under freshly read settings; returns the event to report and the
/// readiness pipe when `notification-fd` asks for one.
pub fn start_run(dir: &[u8]) -> (Event, Option<Readiness>) {
    let policy: Policy = policy::load(dir);
    let pipe = match policy.notification_fd.map(|_| sys::fd::pipe()).transpose() {
        Ok(pipe) => pipe,
        Err(e) => {
            exit::warn_sys(PROG, &[b"unable to create pipe for ", dir], e);
            None
        }
    };
    let argv = [RUN_PATH];
    let mut child = Spawn::new(Program::File(RUN_PATH), &argv).default_signals(&[SIGCHLD]);
    if let (Some((_, write)), Some(target)) = (&pipe, policy.notification_fd) {
        child = child.fd(Source::Dup(write.as_fd()), target);
    }
    let what: &[&[u8]] = &[b"unable to start ", dir, b"/", svdir::RUN];
    match child.start(|f| exit::fatal_sys(PROG, what, f.errno, exit::TEMP)) {
        Ok(pid) => {
            let readiness = pipe.and_then(|(read, _write)| {
                sys::fd::set_nonblock(&read, true)
                    .ok()
                    .map(|()| Readiness(read))
            });
            (Event::RunSpawned(pid, policy), readiness)
        }
        Err(e) => {
            let what: &[&[u8]] = &[b"unable to fork for ", dir, b", sleeping 60 seconds"];
            exit::warn_sys(PROG, what, e);
            (Event::SpawnFailed(Child::Run), None)
        }
    }
}

/// Forks `./finish CODE SIGNAL DIR` if there is one.
pub fn start_finish(dir: &[u8], code: i32, signal: i32) -> Event {
    match sys::dir::exists(svdir::FINISH) {
        Ok(true) => {}
        Ok(false) => return Event::NoFinish,
        Err(e) => {
            exit::warn_sys(PROG, &[b"unable to stat ", dir, b"/", svdir::FINISH], e);
            return Event::NoFinish;
        }
    }
    let code = CString::new(code.to_string()).unwrap_or_default();
    let signal = CString::new(signal.to_string()).unwrap_or_default();
    let name = CString::new(dir).unwrap_or_default();
    let argv = [FINISH_PATH, &code, &signal, &name];
    let child = Spawn::new(Program::File(FINISH_PATH), &argv).default_signals(&[SIGCHLD]);
    let what: &[&[u8]] = &[b"unable to start ", dir, b"/", svdir::FINISH];
    match child.start(|f| exit::fatal_sys(PROG, what, f.errno, exit::TEMP)) {
        Ok(pid) => Event::FinishSpawned(pid),
        Err(e) => {
            exit::warn_sys(PROG, &[b"unable to fork for ", dir, b"/", svdir::FINISH], e);
            Event::SpawnFailed(Child::Finish)
        }
    }
}
