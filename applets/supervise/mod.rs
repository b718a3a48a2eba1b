//! supervise: starts `./run` in a service directory and keeps it running.
//!
//! `supervise dir` (exactly one argument, else usage and exit 100). Startup failures are
//! fatal (exit 111) in the order of spec supervise.md §2; after startup supervise only warns
//! and retries, and exits 0 after `svc -x` once nothing runs.
//!
//! Preserved from 0.76: the `supervise/` layout, modes and flock; the status record written
//! by rename at the same points (its first 18 bytes 0.76's); signals to the service's pid
//! only; the Debian `readlink` patch and fork retry; TERM/INT/HUP kill supervise and leave
//! the service running.
//!
//! Beyond 0.76, take-over: a supervise started after a killed one adopts the service still
//! running from the old status record instead of starting a second copy, but only when that
//! pid provably is the same process (see `takeover.rs`); otherwise it starts a new copy as
//! 0.76 does, and never signals the old pid.
//!
//! Beyond 0.76, "never deaf": one poll over the control FIFO, the SIGCHLD self-pipe and the
//! readiness pipe, with a timer only while something is due (a start after the 1-second
//! minimum or a backoff, a KILL after `timeout-kill` or `timeout-finish`). Control bytes are
//! answered and children reaped at once; an idle supervise sleeps in poll with no timeout.
//! Visible consequences: a `./run` that exits at once shows as down ("want up") until its
//! restart, where 0.76 left the zombie shown as up; a start asked for less than a second
//! after the previous one waits for the rest of that second, during which `x` exits at once.
//!
//! Beyond 0.76, the lifecycle (`state.rs`, settings in `policy.rs`, pacing in `restart.rs`,
//! children in `children.rs`): `./finish`, `down-signal`, `timeout-kill`, `timeout-finish`,
//! `notification-fd` (s6's names and meanings), `backoff-max`, `backoff-reset`, `give-up`;
//! `./run` exiting 100 or `./finish` exiting 125 is not restarted. The status record is
//! runit's 20 bytes; `supervise/lifecycle` tells the rest.

mod children;
mod control;
mod hooks;
pub(crate) mod policy;
mod restart;
pub(crate) mod state;
mod takeover;

use crate::error::Error;
use crate::exit;
use crate::format::tai::Stamp;
use crate::format::{lifecycle, status};
use crate::svdir::{self, LOCK, OK, SUPERVISE_DIR, SUPERVISE_DIR_MODE, ServiceDir};
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::signal::{SIGCHLD, SelfPipe};
use crate::sys::{self, AsFd, Errno, OwnedFd};
use children::Readiness;
use control::Control;
use hooks::ServiceHooks;
use state::{Action, Event, Now, State};
use std::collections::VecDeque;
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "supervise";
const USAGE: &str = "supervise dir";
/// A `supervise` symlink target this long or longer is refused (the Debian patch's buffer).
const READLINK_MAX: usize = 256;
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
        Err(StartError::Fatal(e)) => e.die(PROG, exit::TEMP),
        Err(StartError::Readlink(errno)) => {
            // The Debian patch prints this one without the program name.
            let text = crate::errtext::text(errno).as_bytes();
            exit::emit(&[b"unable to readlink ./supervise: ", text, b"\n"].concat());
            exit::TEMP
        }
    }
}

/// Why supervise could not start.
enum StartError {
    /// `supervise: fatal: ...`.
    Fatal(Error),
    /// The Debian patch's own message for an unreadable `supervise` link.
    Readlink(Errno),
}

impl From<Error> for StartError {
    fn from(e: Error) -> Self {
        StartError::Fatal(e)
    }
}

/// Everything a running supervise owns.
struct Supervisor<'a> {
    dir: &'a [u8],
    /// The service directory and where its state lives.
    service: ServiceDir<'a>,
    state: State,
    selfpipe: SelfPipe,
    control: Control,
    /// A service inherited from a killed supervise, while it runs.
    adopted: Option<takeover::Adopted>,
    /// The readiness pipe of the running service, until it has spoken.
    readiness: Option<Readiness>,
    /// The service's own hooks.
    hooks: ServiceHooks,
    records: Written,
    // Held for the process's lifetime: the flock, and the reader that makes svok succeed.
    _lock: OwnedFd,
    _ok: OwnedFd,
}

/// The clocks as the state machine reads them: monotonic, and the wall clock as 0.76
/// stamps it.
fn now() -> Now {
    let (secs, nanos) = sys::clock::realtime();
    Now {
        mono: sys::clock::monotonic(),
        wall: Stamp::from_unix(
            secs,
            nanos / NANOS_PER_MICRO * NANOS_PER_MICRO + HALF_MICRO_NANOS,
        ),
    }
}

/// The state directory: under `DAEMONBOX_STATE` when the service directory has no
/// `supervise` (with a `supervise` link to it where the directory is writable, so other
/// suites' tools find it too), else `supervise` itself, with the Debian patch: when
/// `supervise` cannot be made because it is a symbolic link, make the directory it points
/// to (only that one, as the patch does).
fn mkdir_supervise(service: &ServiceDir, dir: &[u8]) -> Result<(), StartError> {
    if let Some(state) = service.relocated() {
        let made = sys::dir::mkdir_all(state, SUPERVISE_DIR_MODE);
        if let Err((end, e)) = made {
            return Err(
                Error::sys(&[b"unable to create ", &state[..end], b" for ", dir], e).into(),
            );
        }
        let _ = sys::dir::symlink(state, SUPERVISE_DIR);
        return Ok(());
    }
    let made = sys::dir::mkdir(SUPERVISE_DIR, SUPERVISE_DIR_MODE);
    if made.is_ok() {
        return Ok(());
    }
    match sys::dir::readlink(SUPERVISE_DIR) {
        Ok(target) if target.len() < READLINK_MAX => {
            let _ = sys::dir::mkdir(&target, SUPERVISE_DIR_MODE);
            Ok(())
        }
        Err(Errno::NOENT | Errno::INVAL) => {
            // 0.76 goes on and fails at the lock; say first why there is no directory
            // (a read-only tree: give DAEMONBOX_STATE, or a `supervise` link elsewhere).
            if let Err(e) = made
                && e != Errno::EXIST
            {
                exit::warn_sys(PROG, &[b"unable to create ", dir, b"/", SUPERVISE_DIR], e);
            }
            Ok(())
        }
        Err(e) => Err(StartError::Readlink(e)),
        // The patch reports an errno outside djb's table for an over-long target.
        Ok(_) => Err(StartError::Readlink(Errno::OVERFLOW)),
    }
}

impl<'a> Supervisor<'a> {
    /// The startup sequence of spec supervise.md §2, steps 1-10.
    fn start(dir: &'a [u8]) -> Result<Self, StartError> {
        let _ = sys::signal::block(&[SIGCHLD]);
        let selfpipe =
            SelfPipe::new(&[SIGCHLD]).map_err(Error::on(&[b"unable to create pipe for ", dir]))?;
        sys::dir::chdir(dir).map_err(Error::on(&[b"unable to chdir to ", dir]))?;
        let service = ServiceDir::current(dir);
        let down = service.down_file().map_err(Error::on(&[
            b"unable to stat ",
            dir,
            b"/",
            svdir::DOWN,
        ]))?;
        mkdir_supervise(&service, dir)?;
        let lock = sys::fd::open_append(&service.path(LOCK))
            .and_then(|fd| sys::lock::lock_exclusive_nonblocking(&fd).map(|()| fd))
            .map_err(Error::on(&[b"unable to acquire ", dir, b"/", LOCK]))?;
        let control = Control::open(dir, &service.path(svdir::CONTROL))?;
        let mut state = State::new(down, now());
        let adopted = takeover::find(&service);
        if let Some(taken) = &adopted {
            let policy = policy::load(dir);
            state.adopt(taken.pid, taken.paused, taken.stamp, policy, now());
        }
        let mut records = Written::default();
        if down || adopted.is_some() {
            records.update(&service, &state);
        } else {
            // The start follows at once and writes both records: a lifecycle record for
            // the moment before it would only be one more file to create (see `svdir`).
            records.update_status(&service, &state);
        }
        let ok_path = service.path(OK);
        let _ = sys::fifo::mkfifo(&ok_path);
        let ok = sys::fd::open_read(&ok_path).map_err(Error::on(&[
            b"unable to read ",
            dir,
            b"/",
            OK,
        ]))?;
        Ok(Supervisor {
            dir,
            service,
            state,
            selfpipe,
            control,
            adopted,
            readiness: None,
            hooks: ServiceHooks::new(dir),
            records,
            _lock: lock,
            _ok: ok,
        })
    }

    /// Steps 11-12 and the event loop; returns the exit code (0, after `x`).
    fn run(&mut self) -> u8 {
        self.dispatch(Event::Timer);
        self.records.update_if_changed(&self.service, &self.state);
        while !(self.state.finished() && self.hooks.idle()) {
            for event in self.wait() {
                if self.state.finished() {
                    break;
                }
                self.dispatch(event);
            }
            self.dispatch(Event::Timer);
        }
        self.records.update_if_changed(&self.service, &self.state);
        exit::OK
    }

    /// Handles `event`, then whatever its actions report back, then a due timer, in that
    /// order and one at a time.
    fn dispatch(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let now = now();
            if matches!(event, Event::Reaped(pid, _) if self.state.pid() == Some(pid)) {
                // The service's end closes its readiness pipe too.
                self.readiness = None;
            }
            for action in self.state.on(event, now) {
                queue.extend(self.act(action));
            }
            if queue.is_empty() && self.state.deadline().is_some_and(|d| d <= now.mono) {
                queue.push_back(Event::Timer);
            }
        }
    }

    /// Carries out one action; a start reports its outcome as the next event.
    fn act(&mut self, action: Action) -> Option<Event> {
        match action {
            Action::StartRun => {
                let (event, readiness) = children::start_run(self.dir);
                self.readiness = readiness;
                Some(event)
            }
            Action::StartFinish { code, signal } => {
                Some(children::start_finish(self.dir, code, signal))
            }
            Action::Signal(pid, signal) => {
                let _ = match &self.adopted {
                    Some(service) if service.pid == pid => {
                        sys::proc::pidfd_send_signal(&service.fd, signal)
                    }
                    _ => sys::proc::kill(pid, signal),
                };
                None
            }
            Action::WriteStatus => {
                self.records.update(&self.service, &self.state);
                None
            }
            Action::Hook(event) => {
                self.hooks.event(event);
                self.hooks.start_next(sys::clock::monotonic());
                None
            }
        }
    }

    /// Sleeps in poll until the self-pipe, the control FIFO or an adopted service's pidfd
    /// is readable or the state's deadline passes; returns what happened, in order: the
    /// adopted service's end, reaped children, control bytes. SIGCHLD is unblocked only
    /// here, so its handler never interrupts other work.
    fn wait(&mut self) -> Vec<Event> {
        let deadline = [self.state.deadline(), self.hooks.runner().deadline()]
            .into_iter()
            .flatten()
            .min();
        let timeout = deadline.map(|deadline| {
            let left = deadline.saturating_sub(sys::clock::monotonic());
            // Rounded up to whole milliseconds so poll never wakes early.
            Duration::from_millis(left.as_nanos().div_ceil(1_000_000) as u64)
        });
        let (selfpipe, control) = (self.selfpipe.fd(), self.control.fd());
        let optional = [
            self.readiness.as_ref().map(Readiness::fd),
            self.adopted.as_ref().map(|service| service.fd.as_fd()),
            self.hooks.runner().fd(),
        ];
        let mut fds = vec![
            PollFd::new(&selfpipe, PollFlags::IN),
            PollFd::new(&control, PollFlags::IN),
        ];
        fds.extend(
            optional
                .iter()
                .flatten()
                .map(|fd| PollFd::new(fd, PollFlags::IN)),
        );
        let _ = sys::signal::unblock(&[SIGCHLD]);
        let _ = sys::poll::poll(&mut fds, timeout);
        let _ = sys::signal::block(&[SIGCHLD]);
        let mut woke = fds[2..].iter().map(|fd| !fd.revents().is_empty());
        let [readiness_spoke, adopted_ended, hook_spoke] =
            optional.map(|fd| fd.is_some() && woke.next().unwrap_or(false));
        self.selfpipe.drain();
        let mut events = Vec::new();
        if readiness_spoke && let Some(said) = self.readiness.as_ref().and_then(Readiness::read) {
            self.readiness = None;
            if said {
                events.push(Event::Ready);
            }
        }
        if adopted_ended && let Some(service) = self.adopted.take() {
            // Not our child: its new parent reaps it, and its status is not ours to know.
            events.push(Event::Reaped(service.pid, None));
        }
        if hook_spoke {
            self.hooks.runner_mut().read_output();
        }
        let now = sys::clock::monotonic();
        self.hooks.runner_mut().tick(now);
        while let Ok(Some((pid, status))) = sys::proc::wait_nohang() {
            if !self.hooks.reaped(pid, status) {
                events.push(Event::Reaped(pid, Some(status)));
            }
        }
        self.hooks.start_next(now);
        // A batch at a time: a flood of bytes waits in the FIFO, not in memory.
        let mut buf = [0u8; control::BATCH];
        let bytes = self.control.read_batch(&mut buf);
        events.extend(bytes.iter().copied().map(Event::Control));
        events
    }
}

/// The status and lifecycle records last written, so that the event loop's own writes
/// (around it, not asked for by an event) are skipped when nothing changed.
#[derive(Default)]
struct Written(Vec<u8>);

impl Written {
    /// Replaces the lifecycle and status records (as 0.76 does at every event, even when
    /// they stay the same); a failure is a warning and leaves the old ones.
    fn update(&mut self, service: &ServiceDir, state: &State) {
        self.write(service, state, true);
    }

    /// Replaces the records unless they would stay the same.
    fn update_if_changed(&mut self, service: &ServiceDir, state: &State) {
        self.write(service, state, false);
    }

    /// Replaces the status record alone (readers then find no lifecycle record that
    /// belongs to it, as under 0.76's supervise).
    fn update_status(&mut self, service: &ServiceDir, state: &State) {
        let (record, tail) = state.status();
        self.0.clear();
        if let Err(e) = service.write_status(&status::pack_runit(&record, tail)) {
            e.warn(PROG);
        }
    }

    fn write(&mut self, service: &ServiceDir, state: &State, always: bool) {
        let (record, tail) = state.status();
        let status = status::pack_runit(&record, tail);
        let lifecycle = lifecycle::pack(&state.lifecycle(now()));
        let both = [&status[..], &lifecycle[..]].concat();
        if !always && both == self.0 {
            return;
        }
        match service.write_records(&status, &lifecycle) {
            Ok(()) => self.0 = both,
            Err(e) => {
                self.0.clear();
                e.warn(PROG);
            }
        }
    }
}
