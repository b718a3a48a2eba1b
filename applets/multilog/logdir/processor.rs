//! The processor of one log directory (spec §10.1): runs `/bin/sh -c PROCESSOR` on
//! `previous` until it succeeds, then files its output. The child gets `previous` on fd 0,
//! `processed` on 1, multilog's stderr on 2, `state` on 4 and `newstate` on 5, nothing else.

use super::super::PROG;
use super::super::control::{CAUGHT, Control, Expired};
use super::{CODE_SAFE, LogDir, MODE_DONE, NEWSTATE, PREVIOUS, PROCESSED, STATE};
use crate::exit;
use crate::sys::spawn::{Program, Source, Spawn};
use crate::sys::{self, Errno};
use std::ffi::CStr;

impl LogDir<'_> {
    /// Runs the processor on `previous` until it succeeds, then files its output (§10.1).
    pub(super) fn process(&mut self, ctl: &mut Control, processor: &CStr) -> Result<(), Expired> {
        let path = self.spec.path;
        loop {
            let status = match start_processor(processor) {
                Err(e) => {
                    self.warn(&[b"unable to fork for processor in ", path], e);
                    ctl.pause()?;
                    continue;
                }
                Ok(pid) => sys::proc::wait_pid(pid),
            };
            match status {
                Ok(st) if st.exit_code() == Some(0) => break,
                Ok(st) if st.signal().is_some() => {
                    // 0.76 prints whatever errno was left over here; it is always this one.
                    self.warn(&[b"processor crashed in ", path], Errno::INTR);
                    ctl.pause()?;
                }
                Ok(_) => {}
                Err(e) => {
                    self.warn(&[b"wait failed for processor in ", path], e);
                    ctl.pause()?;
                }
            }
            exit::warn(PROG, &[b"processor failed in ", path, b", pausing"]);
            ctl.pause()?;
        }
        let fd = self.retry(ctl, &[b"unable to create ", path, b"/processed"], || {
            sys::fd::open_append(PROCESSED)
        })?;
        self.retry(
            ctl,
            &[b"unable to write ", path, b"/processed to disk"],
            || sys::fd::fsync(&fd),
        )?;
        self.retry(
            ctl,
            &[b"unable to set mode of ", path, b"/processed"],
            || sys::fd::fchmod(&fd, MODE_DONE),
        )?;
        drop(fd);
        let fd = self.retry(ctl, &[b"unable to create ", path, b"/newstate"], || {
            sys::fd::open_append(NEWSTATE)
        })?;
        self.retry(
            ctl,
            &[b"unable to write ", path, b"/newstate to disk"],
            || sys::fd::fsync(&fd),
        )?;
        drop(fd);
        self.retry(ctl, &[b"unable to remove ", path, b"/previous"], || {
            sys::dir::unlink(PREVIOUS)
        })?;
        let what: &[&[u8]] = &[b"unable to rename newstate to state in directory ", path];
        self.retry(ctl, what, || sys::dir::rename(NEWSTATE, STATE))?;
        self.finish(ctl, PROCESSED, CODE_SAFE)
    }
}

/// Starts `/bin/sh -c PROCESSOR` with `previous` on 0, `processed` on 1, `state` on 4,
/// `newstate` on 5 and stderr kept; if the child cannot get that far it says
/// `unable to run PROCESSOR` and exits 111.
fn start_processor(processor: &CStr) -> sys::Result<sys::proc::Pid> {
    let argv = [c"sh", c"-c", processor];
    Spawn::new(Program::File(c"/bin/sh"), &argv)
        .default_signals(&CAUGHT)
        .fd(Source::Open(PREVIOUS, sys::fd::open_read), 0)
        .fd(Source::Open(PROCESSED, sys::fd::open_trunc), 1)
        .fd(Source::Open(STATE, sys::fd::open_read), 4)
        .fd(Source::Open(NEWSTATE, sys::fd::open_trunc), 5)
        .start(|failure| {
            exit::fatal_sys(
                PROG,
                &[b"unable to run ", processor.to_bytes()],
                failure.errno,
                exit::TEMP,
            )
        })
}
