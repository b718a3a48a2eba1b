//! The service's own hooks (`SERVICE/hooks/`), run by its supervise on `up`, `ready`,
//! `down` (after `./finish`, with the exit code or signal) and `gave-up`.
//!
//! Jobs queue up and run one at a time through the shared dispatcher (`src/hooks`), inside
//! supervise's event loop, so supervise keeps answering `svc` and reaping while they run.
//! With no `hooks` directory an event costs one failed directory open.

use super::PROG;
use super::state::HookEvent;
use crate::format::lifecycle::Exit;
use crate::hooks::runner::{Job, Runner};
use crate::hooks::{self, environment, var};
use crate::sys;
use crate::sys::proc::{Pid, WaitStatus};
use std::collections::VecDeque;
use std::time::Duration;

/// The hooks directory inside the service directory.
const HOOKS_DIR: &[u8] = b"hooks";

/// The service's hooks: the queue and the one running.
pub struct ServiceHooks {
    runner: Runner,
    queue: VecDeque<Job>,
    /// How messages name the hooks directory (`DIR/hooks`).
    label_dir: Vec<u8>,
    /// `DAEMONBOX_SERVICE` and `DAEMONBOX_SERVICE_DIR`.
    name: Vec<u8>,
    absolute_dir: Vec<u8>,
}

impl ServiceHooks {
    /// Hooks for the service in the current directory, named `dir` on the command line.
    pub fn new(dir: &[u8]) -> Self {
        let absolute_dir = sys::dir::getcwd().unwrap_or_else(|_| dir.to_vec());
        ServiceHooks {
            runner: Runner::new(PROG),
            queue: VecDeque::new(),
            label_dir: [dir, b"/", HOOKS_DIR].concat(),
            name: service_name(&absolute_dir),
            absolute_dir,
        }
    }

    /// Queues every hook for `event`.
    pub fn event(&mut self, event: HookEvent) {
        let dir = match hooks::list(HOOKS_DIR) {
            Ok(Some(dir)) => dir,
            Ok(None) => return,
            Err(e) => return e.warn(PROG),
        };
        let (name, mut set) = match event {
            HookEvent::Up => (&b"up"[..], vec![]),
            HookEvent::Ready => (&b"ready"[..], vec![]),
            HookEvent::GaveUp => (&b"gave-up"[..], vec![]),
            HookEvent::Down(exit) => (&b"down"[..], exit_vars(exit)),
        };
        set.splice(
            0..0,
            [
                var("EVENT", name),
                var("BATCH", b"service"),
                var("SERVICE", &self.name),
                var("SERVICE_DIR", &self.absolute_dir),
            ],
        );
        let env = environment(&sys::env::current(), &set);
        for hook in &dir.names {
            let mut job = Job::new(&dir, hook, env.clone());
            job.label = [&self.label_dir[..], b"/", hook].concat();
            self.queue.push_back(job);
        }
    }

    /// Starts the next queued hook if none runs.
    pub fn start_next(&mut self, now: Duration) {
        while !self.runner.busy()
            && let Some(job) = self.queue.pop_front()
        {
            // A hook that cannot be started has been reported; the next one is tried.
            let _ = self.runner.start(job, now);
        }
    }

    /// Nothing runs and nothing waits.
    pub fn idle(&self) -> bool {
        !self.runner.busy() && self.queue.is_empty()
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

    /// Was `pid` the running hook? Then it is done.
    pub fn reaped(&mut self, pid: Pid, status: WaitStatus) -> bool {
        self.runner.reaped(pid, status).is_some()
    }
}

/// `DAEMONBOX_EXIT_CODE` or `DAEMONBOX_EXIT_SIGNAL` for `down` (neither when unknown).
fn exit_vars(exit: Exit) -> Vec<Vec<u8>> {
    match exit {
        Exit::Code(code) => vec![var("EXIT_CODE", code.to_string().as_bytes())],
        Exit::Signal(signal) => vec![var("EXIT_SIGNAL", signal.to_string().as_bytes())],
        // A taken-over service was not our child: its status cannot be known.
        Exit::Unknown => vec![],
    }
}

/// The service's name as svscan knows it (pure): the directory's last component, or
/// `PARENT/log` for a logger.
fn service_name(absolute: &[u8]) -> Vec<u8> {
    let mut parts = absolute.rsplit(|&b| b == b'/').filter(|p| !p.is_empty());
    match (parts.next(), parts.next()) {
        (Some(b"log"), Some(parent)) => [parent, b"/log"].concat(),
        (Some(last), _) => last.to_vec(),
        (None, _) => absolute.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(service_name(b"/service/web"), b"web");
        assert_eq!(service_name(b"/service/web/log"), b"web/log");
        assert_eq!(service_name(b"/service/web/"), b"web");
        assert_eq!(service_name(b"/log"), b"log");
        assert_eq!(service_name(b"/"), b"/");
    }

    #[test]
    fn exit_variables() {
        assert_eq!(
            exit_vars(Exit::Code(3)),
            [b"DAEMONBOX_EXIT_CODE=3".to_vec()]
        );
        assert_eq!(
            exit_vars(Exit::Signal(9)),
            [b"DAEMONBOX_EXIT_SIGNAL=9".to_vec()]
        );
    }
}
