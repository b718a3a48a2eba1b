//! Waiting, without polling, until services reach a state: up, ready, down, or down with
//! `./finish` done; all of them or any one; with an optional deadline.
//!
//! supervise replaces its records by rename, so an inotify watch on each `supervise/`
//! directory wakes the waiter whenever a record changes; it then reads the records again.
//! Each service's `supervise/ok` is held open for writing: when its supervise exits, the
//! kernel reports an error on that descriptor, so a dead supervise is noticed at once too.
//! The goal test is pure ([`Goal::reached`]); svwait and svscan's main program use this.

use crate::error::Error;
use crate::format::lifecycle::Phase;
use crate::format::status::RunState;
use crate::svdir::{self, Records, ServiceDir};
use crate::sys::inotify::ChangeWatch;
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::{self, Errno, OwnedFd};
use std::time::Duration;

/// The state to wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// `./run` runs.
    Up,
    /// `./run` runs and has said it is ready (`notification-fd`).
    Ready,
    /// `./run` does not run.
    Down,
    /// `./run` does not run and `./finish` is done.
    Finished,
}

/// How many services must reach the goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quorum {
    All,
    Any,
}

/// How a wait ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The goal was reached.
    Reached,
    /// The deadline passed; the indexes of the services that had not reached the goal.
    TimedOut(Vec<usize>),
    /// Services that were to come up gave up instead (their indexes); the others reached
    /// the goal, or, with `Any`, none could.
    GaveUp(Vec<usize>),
    /// The supervise of this service is not running (or stopped while waiting).
    Unsupervised(usize),
}

impl Goal {
    /// Do these records show the goal reached?
    pub fn reached(self, records: &Records) -> bool {
        let up = records.status.pid != 0;
        let finishing = records.tail.is_some_and(|t| t.state == RunState::Finish)
            || records
                .lifecycle
                .is_some_and(|l| matches!(l.phase, Phase::Finishing | Phase::Starting));
        match self {
            Goal::Up => up,
            Goal::Ready => up && records.lifecycle.is_some_and(|l| l.ready.is_some()),
            Goal::Down => !up,
            Goal::Finished => !up && !finishing,
        }
    }

    /// Do these records show that the goal can no longer be reached (the service was to
    /// come up and gave up)?
    pub fn failed(self, records: &Records) -> bool {
        matches!(self, Goal::Up | Goal::Ready)
            && records.lifecycle.is_some_and(|l| l.phase == Phase::GaveUp)
    }
}

/// One watched service.
struct Watched<'a> {
    service: ServiceDir<'a>,
    /// The write end of `supervise/ok`: errors once supervise is gone.
    ok: OwnedFd,
}

/// Waits until `quorum` of the services in `dirs` reach `goal`, or `timeout` passes.
/// Errors are in daemontools' words (`unable to watch DIR/supervise: E`).
pub fn wait(
    dirs: &[&[u8]],
    goal: Goal,
    quorum: Quorum,
    timeout: Option<Duration>,
) -> Result<Outcome, Error> {
    let deadline = timeout.map(|t| sys::clock::monotonic() + t);
    let watch = ChangeWatch::new().map_err(Error::on(&[b"unable to create inotify watch"]))?;
    let mut watched = Vec::with_capacity(dirs.len());
    for (i, &dir) in dirs.iter().enumerate() {
        let service = ServiceDir::at(dir);
        let state_dir = service.path(svdir::SUPERVISE_DIR);
        watch
            .add(&state_dir)
            .map_err(Error::on(&[b"unable to watch ", &state_dir]))?;
        let ok = match sys::fd::open_write(&service.path(svdir::OK)) {
            Ok(fd) => fd,
            Err(Errno::NXIO | Errno::NOENT) => return Ok(Outcome::Unsupervised(i)),
            Err(e) => {
                return Err(Error::sys(
                    &[b"unable to open ", &service.path(svdir::OK)],
                    e,
                ));
            }
        };
        watched.push(Watched { service, ok });
    }
    loop {
        // Set before reading, so a change between the read and the poll still wakes us.
        watch.drain();
        let mut pending = Vec::new();
        let mut failed = Vec::new();
        for (i, w) in watched.iter().enumerate() {
            let records = w.service.read_records()?;
            if goal.reached(&records) {
                if quorum == Quorum::Any {
                    return Ok(Outcome::Reached);
                }
            } else if goal.failed(&records) {
                failed.push(i);
            } else {
                pending.push(i);
            }
        }
        match (pending.is_empty(), failed.is_empty(), quorum) {
            (true, true, _) => return Ok(Outcome::Reached),
            (true, false, _) => return Ok(Outcome::GaveUp(failed)),
            _ => {}
        }
        let left = deadline.map(|d| d.saturating_sub(sys::clock::monotonic()));
        if left == Some(Duration::ZERO) {
            return Ok(Outcome::TimedOut(pending));
        }
        let changes = watch.fd();
        let mut fds = vec![PollFd::new(&changes, PollFlags::IN)];
        fds.extend(
            watched
                .iter()
                .map(|w| PollFd::new(&w.ok, PollFlags::empty())),
        );
        let _ = sys::poll::poll(&mut fds, left);
        if let Some(gone) = fds[1..].iter().position(|fd| !fd.revents().is_empty()) {
            return Ok(Outcome::Unsupervised(gone));
        }
    }
}
