//! The processor of one log directory (spec §10.1): runs `/bin/sh -c PROCESSOR` on
//! `previous` until it succeeds, then files its output. The child gets `previous` on fd 0,
//! `processed` on 1, multilog's stderr on 2, `state` on 4 and `newstate` on 5, nothing else.

use super::super::PROG;
use super::super::control::{CAUGHT, Control, Expired};
use super::{CODE_SAFE, LogDir, MODE_DONE, NEWSTATE, PREVIOUS, PROCESSED, STATE};
use crate::exit;
use crate::sys::{self, Errno, OwnedFd};
use std::ffi::CStr;

impl LogDir<'_> {
    /// Runs the processor on `previous` until it succeeds, then files its output (§10.1).
    pub(super) fn process(&mut self, ctl: &mut Control, processor: &CStr) -> Result<(), Expired> {
        let path = self.spec.path;
        loop {
            let status = match sys::proc::fork() {
                Err(e) => {
                    self.warn(&[b"unable to fork for processor in ", path], e);
                    ctl.pause()?;
                    continue;
                }
                Ok(sys::proc::Forked::Child) => run_processor(processor),
                Ok(sys::proc::Forked::Parent(pid)) => sys::proc::wait_pid(pid),
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

/// One of the `sys::fd::open_*` helpers.
type Opener = fn(&[u8]) -> sys::Result<OwnedFd>;

/// In the forked child: `previous` on 0, `processed` on 1, `state` on 4, `newstate` on 5,
/// stderr kept, everything else close-on-exec; then `/bin/sh -c PROCESSOR`.
fn run_processor(processor: &CStr) -> ! {
    sys::signal::restore_for_child(&CAUGHT);
    let plan: [(&[u8], Opener, i32); 4] = [
        (PREVIOUS, sys::fd::open_read, 0),
        (PROCESSED, sys::fd::open_trunc, 1),
        (STATE, sys::fd::open_read, 4),
        (NEWSTATE, sys::fd::open_trunc, 5),
    ];
    for (file, open, target) in plan {
        let placed = open(file).and_then(|fd| {
            sys::fd::dup_to(&fd, target)?;
            // The original may already sit on its target; it is close-on-exec anyway.
            std::mem::forget(fd);
            Ok(())
        });
        if let Err(e) = placed {
            exit::die_sys(
                PROG,
                &[b"unable to run ", processor.to_bytes()],
                e,
                exit::TEMP,
            );
        }
    }
    let e = sys::exec::exec_file(c"/bin/sh", &[c"sh", c"-c", processor]);
    exit::die_sys(
        PROG,
        &[b"unable to run ", processor.to_bytes()],
        e,
        exit::TEMP,
    )
}
