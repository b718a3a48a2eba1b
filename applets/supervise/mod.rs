//! supervise: starts `./run` in a service directory and keeps it running.
//!
//! `supervise dir` (exactly one argument, else usage and exit 100). Startup failures are
//! fatal (exit 111) in the order of spec supervise.md §2; after startup supervise only warns
//! and retries, and exits 0 after `svc -x` once the service is down.
//!
//! Preserved from 0.76: the `supervise/` layout, modes and flock; the 18-byte status written
//! by rename at the same points; signals to the service's pid only; the Debian `readlink`
//! patch and fork retry; TERM/INT/HUP kill supervise and leave the service running.
//!
//! Beyond 0.76, take-over: a supervise started after a killed one adopts the service still
//! running from the old status record instead of starting a second copy, but only when that
//! pid provably is the same process (see `takeover.rs`); otherwise it starts a new copy as
//! 0.76 does, and never signals the old pid.
//!
//! Beyond 0.76, "never deaf": one poll over the control FIFO and the SIGCHLD self-pipe,
//! with a timer only while a start waits for the 1-second minimum since the previous one.
//! Control bytes are answered and children reaped at once, even in the second after a
//! start; an idle supervise sleeps in poll with no timeout at all. Visible consequences: a
//! `./run` that exits at once shows as down ("want up") until its restart, where 0.76 left
//! the zombie shown as up; a start asked for less than a second after the previous one
//! (`svc -u` right after `svc -d`) waits for the rest of that second, during which `x`
//! exits at once because the service is down.

mod control;
pub(crate) mod state;
mod takeover;

use crate::exit;
use crate::format::status::{self, LOCK, OK, STATUS, STATUS_NEW, SUPERVISE_DIR};
use crate::format::tai::Stamp;
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::proc::Forked;
use crate::sys::signal::{SIGCHLD, SelfPipe};
use crate::sys::{self, OwnedFd};
use control::Control;
use state::{Action, Event, State};
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "supervise";
const USAGE: &str = "supervise dir";
/// Minimum time between two starts of `./run`, so a failing service never spins.
const MIN_START_INTERVAL: Duration = Duration::from_secs(1);
/// Pause before retrying after a failed fork.
const FORK_RETRY_PAUSE: Duration = Duration::from_secs(60);
/// A `supervise` symlink target this long or longer is refused (the Debian patch's buffer).
const READLINK_MAX: usize = 256;
/// The program started for the service, and its argv.
const RUN_PATH: &CStr = c"./run";
const NANOS_PER_MICRO: u32 = 1000;
/// 0.76 stamps with gettimeofday: microseconds, reported as `micros * 1000 + 500` ns.
const HALF_MICRO_NANOS: u32 = 500;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let [_, dir] = args else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    match Supervisor::start(dir.to_bytes()) {
        Ok(mut supervisor) => supervisor.run(),
        Err(code) => code,
    }
}

/// Everything a running supervise owns.
struct Supervisor<'a> {
    dir: &'a [u8],
    state: State,
    /// Time of the last pid change, as written in the status file.
    stamp: Stamp,
    /// Monotonic time before which `./run` may not be started again.
    next_start: Duration,
    selfpipe: SelfPipe,
    control: Control,
    /// A service inherited from a killed supervise, while it runs.
    adopted: Option<takeover::Adopted>,
    // Held for the process's lifetime: the flock, and the reader that makes svok succeed.
    _lock: OwnedFd,
    _ok: OwnedFd,
}

/// The wall clock as 0.76 stamps it.
fn stamp_now() -> Stamp {
    let (secs, nanos) = sys::clock::realtime();
    Stamp::from_unix(
        secs,
        nanos / NANOS_PER_MICRO * NANOS_PER_MICRO + HALF_MICRO_NANOS,
    )
}

fn fatal(pieces: &[&[u8]], errno: sys::Errno) -> ! {
    exit::die_sys(PROG, pieces, errno, exit::TEMP)
}

/// The Debian patch: when `supervise` cannot be made because it is a symbolic link, make
/// the directory it points to. Returns the exit code on its (prefix-less) fatal error.
fn mkdir_supervise() -> Result<(), u8> {
    if sys::dir::mkdir(SUPERVISE_DIR, status::SUPERVISE_DIR_MODE).is_ok() {
        return Ok(());
    }
    let errno = match sys::dir::readlink(SUPERVISE_DIR) {
        Ok(target) if target.len() < READLINK_MAX => {
            let _ = sys::dir::mkdir(&target, status::SUPERVISE_DIR_MODE);
            return Ok(());
        }
        Err(sys::Errno::NOENT | sys::Errno::INVAL) => return Ok(()),
        Err(e) => e,
        // The patch reports an errno outside djb's table for an over-long target.
        Ok(_) => sys::Errno::OVERFLOW,
    };
    let text = crate::errtext::text(errno).as_bytes();
    exit::emit(&[b"unable to readlink ./supervise: ", text, b"\n"].concat());
    Err(exit::TEMP)
}

/// Replaces `supervise/status` atomically (write `status.new`, rename); failures are
/// warnings and leave the old record in place.
fn write_status(dir: &[u8], record: &status::Status) {
    let bytes = status::pack(record);
    let fd = match sys::fd::open_trunc(STATUS_NEW) {
        Ok(fd) => fd,
        Err(e) => return exit::warn_sys(PROG, &[b"unable to open ", dir, b"/", STATUS_NEW], e),
    };
    match sys::fd::write(&fd, &bytes) {
        Ok(n) if n == bytes.len() => {}
        Ok(_) => {
            return exit::warn(
                PROG,
                &[
                    b"unable to write ",
                    dir,
                    b"/",
                    STATUS_NEW,
                    b": partial write",
                ],
            );
        }
        Err(e) => return exit::warn_sys(PROG, &[b"unable to write ", dir, b"/", STATUS_NEW], e),
    }
    drop(fd);
    if let Err(e) = sys::dir::rename(STATUS_NEW, STATUS) {
        exit::warn_sys(
            PROG,
            &[b"unable to rename ", dir, b"/", STATUS_NEW, b" to status"],
            e,
        );
    }
}

impl<'a> Supervisor<'a> {
    /// The startup sequence of spec supervise.md §2, steps 1-10.
    fn start(dir: &'a [u8]) -> Result<Self, u8> {
        let _ = sys::signal::block(&[SIGCHLD]);
        let selfpipe = SelfPipe::new(&[SIGCHLD])
            .unwrap_or_else(|e| fatal(&[b"unable to create pipe for ", dir], e));
        if let Err(e) = sys::dir::chdir(dir) {
            fatal(&[b"unable to chdir to ", dir], e);
        }
        let down = sys::dir::exists(status::DOWN)
            .unwrap_or_else(|e| fatal(&[b"unable to stat ", dir, b"/", status::DOWN], e));
        mkdir_supervise()?;
        let lock = sys::fd::open_append(LOCK)
            .and_then(|fd| sys::lock::lock_exclusive_nonblocking(&fd).map(|()| fd))
            .unwrap_or_else(|e| fatal(&[b"unable to acquire ", dir, b"/", LOCK], e));
        let control = Control::open(dir);
        let mut state = State::new(down);
        let mut stamp = stamp_now();
        let adopted = takeover::find();
        if let Some(service) = &adopted {
            state.adopt(service.pid, service.paused);
            stamp = service.stamp;
        }
        write_status(dir, &state.status(stamp));
        let _ = sys::fifo::mkfifo(OK);
        let ok = sys::fd::open_read(OK)
            .unwrap_or_else(|e| fatal(&[b"unable to read ", dir, b"/", OK], e));
        Ok(Supervisor {
            dir,
            state,
            stamp,
            next_start: Duration::ZERO,
            selfpipe,
            control,
            adopted,
            _lock: lock,
            _ok: ok,
        })
    }

    /// Steps 11-12 and the event loop; returns the exit code (0, after `x`).
    fn run(&mut self) -> u8 {
        self.try_start();
        self.write_status();
        while !self.state.finished() {
            let timeout = self.start_wait();
            if timeout != Some(Duration::ZERO) {
                if self.wait(timeout) {
                    self.adopted_exited();
                }
                self.reap();
                self.read_control();
            }
            self.try_start();
        }
        self.write_status();
        exit::OK
    }

    fn write_status(&self) {
        write_status(self.dir, &self.state.status(self.stamp));
    }

    /// How long until a due start may happen: `None` when no start is due (sleep until
    /// something happens), rounded up to whole milliseconds so poll never wakes early.
    fn start_wait(&self) -> Option<Duration> {
        if !self.state.start_due {
            return None;
        }
        let left = self.next_start.saturating_sub(sys::clock::monotonic());
        Some(Duration::from_millis(
            left.as_nanos().div_ceil(1_000_000) as u64
        ))
    }

    /// Sleeps in poll until the self-pipe, the control FIFO or an adopted service's pidfd
    /// is readable or `timeout` passes; returns whether the adopted service has exited.
    /// SIGCHLD is unblocked only here, so its handler never interrupts other work.
    fn wait(&self, timeout: Option<Duration>) -> bool {
        let (selfpipe, control) = (self.selfpipe.fd(), self.control.fd());
        let mut fds = vec![
            PollFd::new(&selfpipe, PollFlags::IN),
            PollFd::new(&control, PollFlags::IN),
        ];
        if let Some(service) = &self.adopted {
            fds.push(PollFd::new(&service.fd, PollFlags::IN));
        }
        let _ = sys::signal::unblock(&[SIGCHLD]);
        let _ = sys::poll::poll(&mut fds, timeout);
        let _ = sys::signal::block(&[SIGCHLD]);
        self.selfpipe.drain();
        fds.get(2).is_some_and(|fd| !fd.revents().is_empty())
    }

    /// The adopted service ended (its new parent reaps it): same as our child's exit.
    fn adopted_exited(&mut self) {
        if let Some(service) = self.adopted.take() {
            self.apply(Event::Reaped(service.pid));
        }
    }

    /// Reaps every ended child.
    fn reap(&mut self) {
        while let Ok(Some((pid, _))) = sys::proc::wait_nohang() {
            self.apply(Event::Reaped(pid));
        }
    }

    /// Handles a batch of pending control bytes in order (the loop comes back for the rest);
    /// the bytes after one that ends supervise are dropped.
    fn read_control(&mut self) {
        let mut buf = [0u8; control::BATCH];
        for &b in self.control.read_batch(&mut buf) {
            if self.state.finished() {
                break;
            }
            self.apply(Event::Control(b));
        }
    }

    /// Feeds one event to the state machine, carries out its actions, then starts the
    /// service at once if a start became due and allowed (so a `p` right after `u` pauses
    /// the new process, as in 0.76).
    fn apply(&mut self, event: Event) {
        for &action in self.state.on(event) {
            match action {
                Action::Signal(signal) => {
                    let _ = match &self.adopted {
                        Some(service) => sys::proc::pidfd_send_signal(&service.fd, signal),
                        None => sys::proc::kill(self.state.pid, signal),
                    };
                }
                Action::Stamp => self.stamp = stamp_now(),
                Action::WriteStatus => self.write_status(),
            }
        }
        self.try_start();
    }

    /// Forks `./run` if a start is due and the minimum interval has passed.
    fn try_start(&mut self) {
        if !self.state.start_due || self.state.finished() {
            return;
        }
        let now = sys::clock::monotonic();
        if now < self.next_start {
            return;
        }
        match sys::proc::fork() {
            Ok(Forked::Child) => {
                sys::signal::restore_for_child(&[SIGCHLD]);
                let e = sys::exec::exec_file(RUN_PATH, &[RUN_PATH]);
                fatal(&[b"unable to start ", self.dir, b"/", status::RUN], e)
            }
            Ok(Forked::Parent(pid)) => {
                self.apply(Event::Started(pid));
                // Measured after the new stamp, so two start stamps are never less than
                // the interval apart.
                self.next_start = sys::clock::monotonic() + MIN_START_INTERVAL;
            }
            Err(e) => {
                exit::warn_sys(
                    PROG,
                    &[b"unable to fork for ", self.dir, b", sleeping 60 seconds"],
                    e,
                );
                self.next_start = now + FORK_RETRY_PAUSE;
                self.apply(Event::ForkFailed);
            }
        }
    }
}
