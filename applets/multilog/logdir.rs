//! One log directory: start-up and crash recovery, appending with the rotation rule,
//! rotation, the processor, trimming old files (spec §8–§10). All I/O goes through `sys`.
//!
//! Names inside the directory are used relative to it: every sequence of operations starts
//! with `fchdir` into the directory, as 0.76 does. Failures after start-up are warnings
//! followed by a pause and a retry ([`Control::pause`]); a pause that reports [`Expired`]
//! (TERM's grace is over) makes the operation give up.

use super::control::{Control, Expired};
use super::rules;
use super::script::DirSpec;
use super::{PROG, now};
use crate::error::Error;
use crate::exit;
use crate::format::tai::Stamp;
use crate::sys::{self, Errno, OwnedFd};

mod processor;

const LOCK: &[u8] = b"lock";
const CURRENT: &[u8] = b"current";
const PREVIOUS: &[u8] = b"previous";
const PROCESSED: &[u8] = b"processed";
const STATE: &[u8] = b"state";
const NEWSTATE: &[u8] = b"newstate";
/// Mode of a log directory multilog creates.
const MODE_DIR: u32 = 0o700;
/// Mode of a file being written.
const MODE_OPEN: u32 = 0o644;
/// Mode of a file that is complete (owner-execute bit set).
const MODE_DONE: u32 = 0o744;
/// Code of a finished, complete file.
const CODE_SAFE: u8 = b's';
/// Code of a file found unfinished at start-up.
const CODE_UNSAFE: u8 = b'u';
/// One microsecond, the resolution of the labels.
const MICRO: u32 = 1000;
const NANOS_PER_SEC: u32 = 1_000_000_000;

/// Some bytes could not be written before TERM's grace ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GiveUp {
    pub unwritten: u64,
}

/// A locked log directory with its `current` open.
pub struct LogDir<'a> {
    spec: DirSpec<'a>,
    dir: OwnedFd,
    _lock: OwnedFd,
    current: Option<OwnedFd>,
    bytes: u64,
    last_name: Stamp,
}

impl<'a> LogDir<'a> {
    /// Creates, locks and recovers the directory (spec §9). Errors are fatal ones.
    pub fn open(spec: DirSpec<'a>, start: &OwnedFd, ctl: &mut Control) -> Result<Self, Error> {
        let path = spec.path;
        sys::dir::fchdir(start)
            .map_err(|e| Error::sys(&[b"unable to switch to starting directory"], e))?;
        let _ = sys::dir::mkdir(path, MODE_DIR);
        let opened = |e| Error::sys(&[b"unable to open directory ", path], e);
        let dir = sys::fd::open_read(path).map_err(opened)?;
        sys::dir::fchdir(&dir).map_err(opened)?;
        let locked = |e| Error::sys(&[b"unable to lock directory ", path], e);
        let lock = sys::fd::open_append(LOCK).map_err(locked)?;
        sys::lock::lock_exclusive_nonblocking(&lock).map_err(locked)?;
        let mut log = LogDir {
            spec,
            dir,
            _lock: lock,
            current: None,
            bytes: 0,
            last_name: Stamp::from_unix(0, 0),
        };
        let clean = match sys::dir::stat(CURRENT) {
            Ok(meta) => meta.owner_executable(),
            Err(Errno::NOENT) => false,
            Err(e) => return Err(Error::sys(&[b"unable to stat ", path, b"/current"], e)),
        };
        if clean {
            let fd = sys::fd::open_append(CURRENT)
                .map_err(|e| Error::sys(&[b"unable to append to ", path, b"/current"], e))?;
            let mode = |e| Error::sys(&[b"unable to set mode of ", path, b"/current"], e);
            sys::fd::fchmod(&fd, MODE_OPEN).map_err(mode)?;
            log.bytes = sys::fd::size(&fd).map_err(mode)?;
            log.current = Some(fd);
        } else {
            log.recover(ctl)?;
        }
        Ok(log)
    }

    /// Files what an unclean stop left behind and starts an empty `current`.
    fn recover(&mut self, ctl: &mut Control) -> Result<(), Error> {
        let path = self.spec.path;
        let expired = |_| Error::plain(&[b"unable to recover ", path, b": terminated"]);
        let _ = sys::dir::unlink(STATE);
        let _ = sys::dir::unlink(NEWSTATE);
        let processed_done = match sys::dir::stat(PROCESSED) {
            Ok(meta) => meta.owner_executable(),
            Err(Errno::NOENT) => false,
            Err(e) => return Err(Error::sys(&[b"unable to stat ", path, b"/processed"], e)),
        };
        if processed_done {
            let _ = sys::dir::unlink(PREVIOUS);
            self.finish(ctl, PROCESSED, CODE_SAFE).map_err(expired)?;
        } else {
            let _ = sys::dir::unlink(PROCESSED);
            self.finish(ctl, PREVIOUS, CODE_UNSAFE).map_err(expired)?;
        }
        self.finish(ctl, CURRENT, CODE_UNSAFE).map_err(expired)?;
        sys::fd::open_trunc(STATE)
            .map_err(|e| Error::sys(&[b"unable to write to ", path, b"/state"], e))?;
        let fd = sys::fd::open_append(CURRENT)
            .map_err(|e| Error::sys(&[b"unable to write to ", path, b"/current"], e))?;
        sys::fd::fchmod(&fd, MODE_OPEN)
            .map_err(|e| Error::sys(&[b"unable to set mode of ", path, b"/current"], e))?;
        self.current = Some(fd);
        self.bytes = 0;
        Ok(())
    }

    /// Does `current` hold anything?
    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// Appends `data` to the log, rotating as the rules say (spec §10).
    pub fn write(&mut self, ctl: &mut Control, data: &[u8]) -> Result<(), GiveUp> {
        let mut done = 0;
        let gave_up = |done: usize| GiveUp {
            unwritten: (data.len() - done) as u64,
        };
        while done < data.len() {
            if self.bytes >= self.spec.size || self.current.is_none() {
                self.rotate(ctl).map_err(|_| gave_up(done))?;
            }
            let (len, close) = rules::next_piece(self.bytes, self.spec.size, &data[done..]);
            let piece_end = done + len;
            while done < piece_end {
                let fd = self
                    .current
                    .as_ref()
                    .expect("current is open after rotation");
                match sys::fd::write(fd, &data[done..piece_end]) {
                    Ok(n @ 1..) => {
                        done += n;
                        self.bytes += n as u64;
                    }
                    failed => {
                        let e = failed.err().unwrap_or(Errno::IO);
                        self.warn(&[b"unable to write to ", self.spec.path, b"/current"], e);
                        ctl.pause().map_err(|_| gave_up(done))?;
                    }
                }
            }
            if close {
                self.rotate(ctl).map_err(|_| gave_up(done))?;
            }
        }
        Ok(())
    }

    /// Closes `current` as a complete file: fsync, then mode 0744.
    pub fn close(&mut self, ctl: &mut Control) -> Result<(), Expired> {
        let path = self.spec.path;
        let Some(fd) = self.current.take() else {
            return Ok(());
        };
        self.retry(
            ctl,
            &[b"unable to write ", path, b"/current to disk"],
            || sys::fd::fsync(&fd),
        )?;
        self.retry(ctl, &[b"unable to set mode of ", path, b"/current"], || {
            sys::fd::fchmod(&fd, MODE_DONE)
        })
    }

    /// Starts a new `current` now; the old one is processed and filed (spec §10).
    pub fn rotate(&mut self, ctl: &mut Control) -> Result<(), Expired> {
        let path = self.spec.path;
        self.retry(ctl, &[b"unable to switch to ", path], || {
            sys::dir::fchdir(&self.dir)
        })?;
        if let Some(fd) = &self.current {
            self.retry(
                ctl,
                &[b"unable to write ", path, b"/current to disk"],
                || sys::fd::fsync(fd),
            )?;
            self.current = None;
            let what: &[&[u8]] = &[b"unable to rename current to previous in directory ", path];
            self.retry(ctl, what, || sys::dir::rename(CURRENT, PREVIOUS))?;
        }
        let fd = self.retry(ctl, &[b"unable to create ", path, b"/current"], || {
            sys::fd::open_append(CURRENT)
        })?;
        self.retry(ctl, &[b"unable to set mode of ", path, b"/current"], || {
            sys::fd::fchmod(&fd, MODE_OPEN)
        })?;
        self.current = Some(fd);
        self.bytes = 0;
        self.retry(
            ctl,
            &[b"unable to set mode of ", path, b"/previous"],
            || sys::dir::chmod(PREVIOUS, MODE_DONE),
        )?;
        match self.spec.processor {
            None => self.finish(ctl, PREVIOUS, CODE_SAFE),
            Some(processor) => self.process(ctl, processor),
        }
    }

    /// Files `file` under a fresh `@` name with `code`, then trims old files (spec §9).
    fn finish(&mut self, ctl: &mut Control, file: &[u8], code: u8) -> Result<(), Expired> {
        let path = self.spec.path;
        let meta =
            match self.retry(
                ctl,
                &[b"unable to stat ", path, b"/", file],
                || match sys::dir::stat(file) {
                    Err(Errno::NOENT) => Ok(None),
                    other => other.map(Some),
                },
            )? {
                Some(meta) => meta,
                None => return Ok(()),
            };
        // More than one link: an earlier attempt already made the `@` name.
        if meta.nlink == 1 {
            loop {
                let name = self.next_name(code);
                match sys::dir::link(file, &name) {
                    Ok(()) => break,
                    // A name from the same microsecond: take the next one.
                    Err(Errno::EXIST) => continue,
                    Err(e) => {
                        self.warn(&[b"unable to link to ", path, b"/", &name], e);
                        ctl.pause()?;
                    }
                }
            }
        }
        self.retry(ctl, &[b"unable to remove ", path, b"/", file], || {
            sys::dir::unlink(file)
        })?;
        self.trim(ctl)
    }

    /// Deletes the oldest files until fewer than NUM remain.
    fn trim(&mut self, ctl: &mut Control) -> Result<(), Expired> {
        loop {
            // 0.76 reports a failed unlink here as a failed read of the directory.
            let removed = sys::dir::names(b".").and_then(|names| {
                match rules::oldest_to_remove(&names, self.spec.num) {
                    Some(oldest) => sys::dir::unlink(oldest).map(|()| true),
                    None => Ok(false),
                }
            });
            match removed {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    self.warn(&[b"unable to read ", self.spec.path], e);
                    ctl.pause()?;
                }
            }
        }
    }

    /// `@` + label of now (later than any name made before) + `.` + code.
    fn next_name(&mut self, code: u8) -> Vec<u8> {
        let mut stamp = now();
        if stamp <= self.last_name {
            stamp = self.last_name;
            stamp.nanos += MICRO;
            if stamp.nanos >= NANOS_PER_SEC {
                stamp.nanos -= NANOS_PER_SEC;
                stamp.secs += 1;
            }
        }
        self.last_name = stamp;
        [&stamp.label()[..], b".", &[code]].concat()
    }

    /// Runs `op` until it succeeds, warning `what, pausing: E` and pausing after failures.
    fn retry<T>(
        &self,
        ctl: &mut Control,
        what: &[&[u8]],
        mut op: impl FnMut() -> sys::Result<T>,
    ) -> Result<T, Expired> {
        loop {
            match op() {
                Ok(value) => return Ok(value),
                // A caught signal interrupted the call: nothing failed.
                Err(Errno::INTR) => {}
                Err(e) => {
                    self.warn(what, e);
                    ctl.pause()?;
                }
            }
        }
    }

    fn warn(&self, what: &[&[u8]], e: Errno) {
        exit::warn_sys(PROG, &[&what.concat(), b", pausing"], e);
    }
}
