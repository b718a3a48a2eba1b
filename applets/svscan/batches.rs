//! svscan's batch hooks, from `.svscan/hooks/{pre,service,post}/` in the scan directory (a
//! dot name, so never taken for a service): the batches waiting and the one in progress,
//! driven from svscan's event loop so that hooks never hold up reaping, restarts or signals.
//!
//! The sequencing is `hooks::batch`'s; the work step is svscan's: for `boot` and `scan`,
//! starting the services the batch held back; for `shutdown`, stopping every service (the
//! loop reports when none is left). With no `.svscan/hooks`, a scan costs one failed open
//! and no batch is made at all.

use super::PROG;
use super::scan::Scan;
use super::table::Key;
use crate::hooks::batch::{Batch, Cause, Hooks, Next};
use crate::hooks::runner::Runner;
use crate::hooks::{self, HookDir};
use crate::sys;
use crate::sys::proc::{Pid, WaitStatus};
use std::collections::VecDeque;
use std::time::Duration;

/// Where the batch hooks live, relative to the scan directory.
pub const HOOKS_DIR: &[u8] = b".svscan/hooks";

/// The hooks directories, or `None` when `.svscan/hooks` cannot be found (the scan itself
/// reports a scan directory it cannot read).
pub fn find_hooks() -> Option<Hooks> {
    if !sys::dir::exists(HOOKS_DIR).unwrap_or(false) {
        return None;
    }
    let read = |kind: &[u8]| -> Option<HookDir> {
        let path = [HOOKS_DIR, b"/", kind].concat();
        hooks::list(&path).unwrap_or_else(|e| {
            e.warn(PROG);
            None
        })
    };
    Some(Hooks {
        pre: read(b"pre"),
        service: read(b"service"),
        post: read(b"post"),
    })
}

/// A batch and the services it holds back until its work step.
struct Pending {
    batch: Batch,
    held: Vec<(Key, Vec<u8>)>,
}

/// What the loop must do after the batches moved on.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Carry on.
    Continue,
    /// A `boot` pre hook failed in container mode: exit with its code, no service started.
    BootFailed(u8),
}

/// Every batch svscan has to run.
pub struct Batches {
    runner: Runner,
    queue: VecDeque<Pending>,
    /// The scan directory's absolute path.
    scan_dir: Vec<u8>,
    /// Exit code of the first failed pre hook of the current batch.
    pre_failure: Option<u8>,
}

impl Batches {
    /// No batch yet, for the scan directory at `scan_dir` (absolute).
    pub fn new(scan_dir: Vec<u8>) -> Self {
        Batches {
            runner: Runner::new(PROG),
            queue: VecDeque::new(),
            scan_dir,
            pre_failure: None,
        }
    }

    /// Queues a batch for the services `held` back (started at its work step) and those
    /// `removed`; nothing when there are none.
    pub fn push(
        &mut self,
        cause: Cause,
        held: Vec<(Key, Vec<u8>)>,
        removed: Vec<Vec<u8>>,
        hooks: Hooks,
    ) {
        let mut names: Vec<Vec<u8>> = held.iter().map(|(_, n)| n.clone()).collect();
        names.extend(removed);
        // Byte order, as for the hooks themselves, whatever order the directory lists.
        names.sort_unstable();
        if names.is_empty() {
            return;
        }
        let batch = Batch::new(cause, names, &self.scan_dir, hooks);
        self.queue.push_back(Pending { batch, held });
    }

    /// No batch waits or runs.
    pub fn idle(&self) -> bool {
        self.queue.is_empty() && !self.runner.busy()
    }

    /// Is a shutdown batch still before its work (its pre hooks run)?
    pub fn holding_shutdown(&self) -> bool {
        self.queue
            .iter()
            .any(|p| p.batch.cause == Cause::Shutdown && p.batch.in_pre())
    }

    /// The container stops: the batches not yet done are dropped (their services were
    /// never started, and will not be), a running hook is cut short, and a shutdown batch
    /// for every service is queued when there are hooks.
    pub fn shutdown(&mut self, services: Vec<Vec<u8>>, now: Duration) {
        self.queue.clear();
        self.runner.cut_short(now);
        if let Some(hooks) = find_hooks()
            && !services.is_empty()
        {
            let mut services = services;
            services.sort_unstable();
            let batch = Batch::new(Cause::Shutdown, services, &self.scan_dir, hooks);
            self.queue.push_back(Pending {
                batch,
                held: Vec::new(),
            });
        }
    }

    /// The running hook's pid, for the reaper.
    pub fn pid(&self) -> Option<Pid> {
        self.runner.pid()
    }

    /// The running hook, for the event loop: its output to poll and forward, its deadline
    /// to wait for and enforce.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The running hook, to forward its output or TERM/KILL it when over its time.
    pub fn runner_mut(&mut self) -> &mut Runner {
        &mut self.runner
    }

    /// KILL at once (the grace period is over).
    pub fn kill(&mut self, now: Duration) {
        self.queue.clear();
        self.runner.cut_short(now);
        self.runner.tick(Duration::MAX);
    }

    /// A child ended: if it was the running hook, its batch moves on.
    pub fn reaped(&mut self, pid: Pid, status: WaitStatus) {
        let Some(ended) = self.runner.reaped(pid, status) else {
            return;
        };
        if let Some(current) = self.queue.front_mut() {
            let in_pre = current.batch.in_pre();
            current.batch.finished(ended.ok);
            if !ended.ok && in_pre && self.pre_failure.is_none() {
                self.pre_failure = Some(ended.code);
            }
        }
    }

    /// Moves the batches on as far as they can go now: starts hooks, lets held services
    /// start, or waits. `stopped`: no service is left (the shutdown work is done);
    /// `container`: a failed boot pre hook ends svscan.
    pub fn advance(
        &mut self,
        scan: &mut Scan,
        now: Duration,
        stopped: bool,
        container: bool,
    ) -> Outcome {
        let base = sys::env::current();
        while !self.runner.busy() {
            let Some(current) = self.queue.front_mut() else {
                return Outcome::Continue;
            };
            match current.batch.next(&base) {
                Next::Run(job) => {
                    if self.runner.start(job, now).is_err() {
                        current.batch.finished(false);
                    }
                }
                Next::Work => match current.batch.cause {
                    Cause::Boot if container && self.pre_failure.is_some() => {
                        return Outcome::BootFailed(self.pre_failure.unwrap_or(1));
                    }
                    Cause::Shutdown if !stopped => return Outcome::Continue,
                    _ => {
                        scan.release(&current.held, now);
                        current.batch.work_done();
                    }
                },
                Next::Done => {
                    self.queue.pop_front();
                    self.pre_failure = None;
                }
            }
        }
        Outcome::Continue
    }
}
