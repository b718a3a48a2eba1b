//! The service-directory protocol: every name inside a service directory, which entries of a
//! scan directory are services, whether a supervise runs, the status record read and its
//! atomic write, and control writes, in daemontools 0.76's words.
//!
//! supervise, svc, svok, svstat, svscan and svscanboot reach a service directory only
//! through here. The record codecs are pure and live in `format::status`; this module does
//! their I/O and returns errors (the caller decides whether one is fatal).

use crate::error::Error;
use crate::format::status::{self, STATUS_LEN, Status};
use crate::sys::{self, Errno};
use std::borrow::Cow;

/// The state directory supervise creates inside the service directory.
pub const SUPERVISE_DIR: &[u8] = b"supervise";
/// Mode of the state directory (before umask).
pub const SUPERVISE_DIR_MODE: u32 = 0o700;
/// Held with `flock(LOCK_EX|LOCK_NB)` by the running supervise.
pub const LOCK: &[u8] = b"supervise/lock";
/// FIFO carrying command bytes to supervise.
pub const CONTROL: &[u8] = b"supervise/control";
/// FIFO that can be opened for writing exactly while supervise runs.
pub const OK: &[u8] = b"supervise/ok";
/// The status record.
pub const STATUS: &[u8] = b"supervise/status";
/// The next status record, renamed over [`STATUS`].
pub const STATUS_NEW: &[u8] = b"supervise/status.new";
/// If it exists when supervise starts, the service is not started.
pub const DOWN: &[u8] = b"down";
/// The program supervise runs, as `./run` from the service directory.
pub const RUN: &[u8] = b"run";
/// A service's logger: a service directory inside the service directory.
pub const LOG: &[u8] = b"log";

/// Is `name`, an entry of a scan directory, a candidate service (dot names never are)?
pub fn is_service_name(name: &[u8]) -> bool {
    name.first().is_some_and(|&b| b != b'.')
}

/// One service directory, as the caller reaches it and as messages name it.
#[derive(Clone, Copy, Debug)]
pub struct ServiceDir<'a> {
    /// Where it is: `None` for the current directory.
    at: Option<&'a [u8]>,
    /// How messages name it.
    name: &'a [u8],
}

impl<'a> ServiceDir<'a> {
    /// The current directory (the caller has changed into it), named `name` in messages.
    pub fn current(name: &'a [u8]) -> Self {
        ServiceDir { at: None, name }
    }

    /// The directory at `path`, named by that path in messages.
    pub fn at(path: &'a [u8]) -> Self {
        ServiceDir {
            at: Some(path),
            name: path,
        }
    }

    /// The path of `file` inside the directory.
    pub fn path(&self, file: &'a [u8]) -> Cow<'a, [u8]> {
        match self.at {
            None => Cow::Borrowed(file),
            Some(dir) => Cow::Owned([dir, b"/", file].concat()),
        }
    }

    /// Does the `down` file exist?
    pub fn down_file(&self) -> Result<bool, Errno> {
        sys::dir::exists(&self.path(DOWN))
    }

    /// Is a supervise running here? `supervise/ok` opens for writing exactly while one does
    /// (a regular file there counts too, as in 0.76); ENXIO means none. Other failures,
    /// ENOENT included, are the caller's to judge.
    pub fn supervise_running(&self) -> Result<bool, Errno> {
        match sys::fd::open_write(&self.path(OK)) {
            Ok(_) => Ok(true),
            Err(Errno::NXIO) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The status record, in svstat's words on failure (`unable to open supervise/status`,
    /// `unable to read supervise/status`, `...: bad format` when shorter than 18 bytes).
    pub fn read_status(&self) -> Result<Status, Error> {
        let fd = sys::fd::open_read(&self.path(STATUS))
            .map_err(Error::on(&[b"unable to open ", STATUS]))?;
        let mut buf = [0u8; STATUS_LEN];
        let len = sys::fd::read(&fd, &mut buf).map_err(Error::on(&[b"unable to read ", STATUS]))?;
        status::unpack(&buf[..len])
            .ok_or_else(|| Error::plain(&[b"unable to read ", STATUS, b": bad format"]))
    }

    /// Sends command bytes to the supervise running here, in svc's words on failure
    /// (`unable to control DIR: supervise not running`, `error writing commands to DIR`).
    /// No bytes: only checks that a supervise listens. A full FIFO makes the write wait
    /// rather than lose commands.
    pub fn control(&self, bytes: &[u8]) -> Result<(), Error> {
        let fd = match sys::fd::open_write(&self.path(CONTROL)) {
            Ok(fd) => fd,
            Err(Errno::NXIO) => {
                return Err(Error::plain(&[
                    b"unable to control ",
                    self.name,
                    b": supervise not running",
                ]));
            }
            Err(e) => return Err(Error::sys(&[b"unable to control ", self.name], e)),
        };
        if bytes.is_empty() {
            return Ok(());
        }
        sys::fd::set_nonblock(&fd, false)
            .and_then(|()| sys::fd::write_all(&fd, bytes))
            .map_err(Error::on(&[b"error writing commands to ", self.name]))
    }

    /// Replaces the status record atomically (write `status.new`, rename over `status`),
    /// in supervise's words on failure; the old record stays in place then.
    pub fn write_status(&self, bytes: &[u8]) -> Result<(), Error> {
        let new = self.path(STATUS_NEW);
        let what = |verb: &[u8]| [verb, self.name, b"/", STATUS_NEW].concat();
        let fd = sys::fd::open_trunc(&new).map_err(Error::on(&[&what(b"unable to open ")]))?;
        match sys::fd::write(&fd, bytes) {
            Ok(n) if n == bytes.len() => {}
            Ok(_) => {
                return Err(Error::plain(&[
                    &what(b"unable to write "),
                    b": partial write",
                ]));
            }
            Err(e) => return Err(Error::sys(&[&what(b"unable to write ")], e)),
        }
        drop(fd);
        sys::dir::rename(&new, &self.path(STATUS))
            .map_err(Error::on(&[&what(b"unable to rename "), b" to status"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_names_are_never_services() {
        assert!(is_service_name(b"web"));
        assert!(is_service_name(b"log"));
        assert!(!is_service_name(b".svscan"));
        assert!(!is_service_name(b"."));
        assert!(!is_service_name(b""));
    }

    #[test]
    fn paths_inside() {
        assert_eq!(
            ServiceDir::current(b"x").path(STATUS),
            &b"supervise/status"[..]
        );
        assert_eq!(
            ServiceDir::at(b"web/log").path(CONTROL),
            &b"web/log/supervise/control"[..]
        );
    }
}
