//! The service-directory protocol: every name inside a service directory, which entries of a
//! scan directory are services, whether a supervise runs, the status record read and its
//! atomic write, and control writes, in daemontools 0.76's words.
//!
//! supervise, svc, svok, svstat, svscan and svscanboot reach a service directory only
//! through here. The record codecs are pure and live in `format::status`; this module does
//! their I/O and returns errors (the caller decides whether one is fatal).
//!
//! The state directory: `supervise/` inside the service directory (or wherever a
//! `supervise` symbolic link points, as in runit and Debian's daemontools), so a read-only
//! service tree works with links into a tmpfs. When a service directory has no `supervise`
//! at all and `DAEMONBOX_STATE` names a directory, its state lives under that root, at the
//! service directory's absolute path (`$DAEMONBOX_STATE/service/web` for `/service/web`):
//! every daemonbox tool given the variable finds it there; tools of other suites find it
//! only through a link.

use crate::error::Error;
use crate::format::lifecycle::{self, Lifecycle};
use crate::format::status::{self, RUNIT_LEN, RunitTail, Status};
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
/// The next status record, put in [`STATUS`]'s place (see [`ServiceDir::write_records`]).
pub const STATUS_NEW: &[u8] = b"supervise/status.new";
/// The lifecycle record (`format::lifecycle`), replaced just before the status record.
pub const LIFECYCLE: &[u8] = b"supervise/lifecycle";
/// The next lifecycle record, put in [`LIFECYCLE`]'s place.
pub const LIFECYCLE_NEW: &[u8] = b"supervise/lifecycle.new";
/// If it exists when supervise starts, the service is not started.
pub const DOWN: &[u8] = b"down";
/// The program supervise runs, as `./run` from the service directory.
pub const RUN: &[u8] = b"run";
/// A service's logger: a service directory inside the service directory.
pub const LOG: &[u8] = b"log";
/// Run after `./run` ends, as `./finish CODE SIGNAL DIR` (s6).
pub const FINISH: &[u8] = b"finish";
/// Milliseconds `./finish` may run before it is killed (s6; default 5000, 0 = no limit).
pub const TIMEOUT_FINISH: &[u8] = b"timeout-finish";
/// Milliseconds after the down signal before KILL (s6; absent or 0 = never).
pub const TIMEOUT_KILL: &[u8] = b"timeout-kill";
/// The signal `svc -d` sends instead of TERM (s6).
pub const DOWN_SIGNAL: &[u8] = b"down-signal";
/// The signal that reloads the service (s6; default HUP); svreload sends it.
pub const RELOAD_SIGNAL: &[u8] = b"reload-signal";
/// The descriptor on which the service says it is ready with a newline (s6).
pub const NOTIFICATION_FD: &[u8] = b"notification-fd";
/// Ceiling in milliseconds of the doubling delay between quick restarts.
pub const BACKOFF_MAX: &[u8] = b"backoff-max";
/// Milliseconds of uptime after which the delay between restarts is back to 1 second.
pub const BACKOFF_RESET: &[u8] = b"backoff-reset";
/// `DEATHS SECONDS [STATUS...]`: stop restarting after that many deaths in that time.
pub const GIVE_UP: &[u8] = b"give-up";
/// Names a root for the state of services whose directory has no `supervise`.
pub const STATE_ENV: &[u8] = b"DAEMONBOX_STATE";
/// A setting file longer than this is refused (they hold one short line).
pub const SETTING_MAX: usize = 256;

/// What a service directory's records say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Records {
    pub status: Status,
    /// runit's two bytes, when the record has them.
    pub tail: Option<RunitTail>,
    /// The lifecycle record, when there is one that belongs to `status`.
    pub lifecycle: Option<Lifecycle>,
}

/// Is `name`, an entry of a scan directory, a candidate service (dot names never are)?
pub fn is_service_name(name: &[u8]) -> bool {
    name.first().is_some_and(|&b| b != b'.')
}

/// Puts the freshly written file `new` in the place of the record `target` by swapping
/// their names, so that the old record becomes the next `.new` file: a change of state then
/// frees no inode and allocates none (on ext4, a burst of freed inodes makes each new one
/// slow to find, which a boot of thousands of services pays for; 0.76 frees one per
/// change). The first record, or a file system that cannot swap, is renamed as in 0.76; a
/// directory in the record's place stays there with rename(2)'s error, as in 0.76.
fn put_in_place(new: &[u8], target: &[u8]) -> Result<(), Errno> {
    match sys::dir::exchange(new, target) {
        Ok(()) if sys::dir::lstat(new).is_ok_and(|m| m.is_dir()) => {
            let _ = sys::dir::exchange(new, target);
            Err(Errno::ISDIR)
        }
        Ok(()) => Ok(()),
        Err(_) => sys::dir::rename(new, target),
    }
}

/// One service directory, as the caller reaches it and as messages name it.
#[derive(Clone, Debug)]
pub struct ServiceDir<'a> {
    /// Where it is: `None` for the current directory.
    at: Option<&'a [u8]>,
    /// How messages name it.
    name: &'a [u8],
    /// The state directory, when it lives under `DAEMONBOX_STATE`.
    state: Option<Vec<u8>>,
}

/// The state directory under `root` for the service directory `absolute` (pure).
pub fn relocated_state(root: &[u8], absolute: &[u8]) -> Vec<u8> {
    let root = root.strip_suffix(b"/").unwrap_or(root);
    [root, absolute].concat()
}

impl<'a> ServiceDir<'a> {
    /// The current directory (the caller has changed into it), named `name` in messages.
    pub fn current(name: &'a [u8]) -> Self {
        ServiceDir {
            at: None,
            name,
            state: None,
        }
        .locate_state()
    }

    /// The directory at `path`, named by that path in messages.
    pub fn at(path: &'a [u8]) -> Self {
        ServiceDir {
            at: Some(path),
            name: path,
            state: None,
        }
        .locate_state()
    }

    /// With no `supervise` in the directory and `DAEMONBOX_STATE` set, the state is under
    /// that root.
    fn locate_state(mut self) -> Self {
        if sys::dir::lstat(&self.path(SUPERVISE_DIR)).is_ok() {
            return self;
        }
        let Some(root) = sys::env::get(STATE_ENV).filter(|r| !r.is_empty()) else {
            return self;
        };
        let Ok(cwd) = sys::dir::getcwd() else {
            return self;
        };
        let absolute = crate::path::absolute(&cwd, self.at.unwrap_or(b"."));
        self.state = Some(relocated_state(&root, &absolute));
        self
    }

    /// The state directory when it is not `supervise/` in the service directory.
    pub fn relocated(&self) -> Option<&[u8]> {
        self.state.as_deref()
    }

    /// The path of `file` inside the directory (a `supervise/...` name inside the state
    /// directory, wherever that is).
    pub fn path(&self, file: &'a [u8]) -> Cow<'a, [u8]> {
        if let Some(state) = &self.state {
            if file == SUPERVISE_DIR {
                return Cow::Owned(state.clone());
            }
            if let Some(inside) = file.strip_prefix(b"supervise/") {
                return Cow::Owned([&state[..], b"/", inside].concat());
            }
        }
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
        self.read_status_bytes().map(|(_, _, status)| status)
    }

    /// The status record's bytes (up to runit's 20) and its 0.76 part.
    fn read_status_bytes(&self) -> Result<([u8; RUNIT_LEN], usize, Status), Error> {
        let fd = sys::fd::open_read(&self.path(STATUS))
            .map_err(Error::on(&[b"unable to open ", STATUS]))?;
        let mut buf = [0u8; RUNIT_LEN];
        let len = sys::fd::read(&fd, &mut buf).map_err(Error::on(&[b"unable to read ", STATUS]))?;
        let status = status::unpack(&buf[..len])
            .ok_or_else(|| Error::plain(&[b"unable to read ", STATUS, b": bad format"]))?;
        Ok((buf, len, status))
    }

    /// Everything recorded: the status record, runit's tail, and the lifecycle record when
    /// it was written with that status (it carries a copy). One that was not may be being
    /// replaced, so the pair is read again, ten times at most; a stale one (left by
    /// another supervise) is then ignored.
    pub fn read_records(&self) -> Result<Records, Error> {
        const ATTEMPTS: usize = 10;
        let mut attempt = 1;
        loop {
            let (bytes, len, status) = self.read_status_bytes()?;
            let tail = status::unpack_runit_tail(&bytes[..len]);
            let mut buf = [0u8; lifecycle::LEN];
            let read = sys::fd::open_read(&self.path(LIFECYCLE))
                .and_then(|fd| sys::fd::read(&fd, &mut buf));
            let lifecycle = read
                .ok()
                .and_then(|n| lifecycle::unpack(&buf[..n]))
                .filter(|l| len == RUNIT_LEN && l.status == bytes);
            if lifecycle.is_some() || read.is_err() || attempt == ATTEMPTS {
                return Ok(Records {
                    status,
                    tail,
                    lifecycle,
                });
            }
            attempt += 1;
        }
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

    /// The first bytes (at most [`SETTING_MAX`] + 1) of the setting `file`, or `None` when
    /// there is no such file.
    pub fn read_setting(&self, file: &'a [u8]) -> Result<Option<Vec<u8>>, Errno> {
        let fd = match sys::fd::open_read(&self.path(file)) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut buf = vec![0u8; SETTING_MAX + 1];
        let len = sys::fd::read(&fd, &mut buf)?;
        buf.truncate(len);
        Ok(Some(buf))
    }

    /// Replaces the lifecycle record, then the status record, each atomically (write the
    /// `.new` file, then put it in the record's place), in supervise's words on failure; a
    /// record that fails stays as it was. Readers woken by the status rename find both
    /// current.
    pub fn write_records(&self, status: &[u8], lifecycle: &[u8]) -> Result<(), Error> {
        let lifecycle = self.replace(LIFECYCLE_NEW, LIFECYCLE, lifecycle);
        // When both fail, 0.76's message about the status record is the one to give.
        self.replace(STATUS_NEW, STATUS, status).and(lifecycle)
    }

    /// Replaces the status record alone, as [`ServiceDir::write_records`] does.
    pub fn write_status(&self, status: &[u8]) -> Result<(), Error> {
        self.replace(STATUS_NEW, STATUS, status)
    }

    fn replace(&self, new_name: &'a [u8], name: &'a [u8], bytes: &[u8]) -> Result<(), Error> {
        let new = self.path(new_name);
        let what = |verb: &[u8]| [verb, self.name, b"/", new_name].concat();
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
        let last = &name[name.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1)..];
        put_in_place(&new, &self.path(name)).map_err(Error::on(&[
            &what(b"unable to rename "),
            b" to ",
            last,
        ]))
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
    fn relocated_state_mirrors_the_absolute_path() {
        assert_eq!(
            relocated_state(b"/run/state", b"/service/web"),
            b"/run/state/service/web"
        );
        assert_eq!(
            relocated_state(b"/run/state/", b"/service/web/log"),
            b"/run/state/service/web/log"
        );
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
