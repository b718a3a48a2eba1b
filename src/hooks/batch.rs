//! svscan's batches (pure): certbot's pre / per-item / post model over services.
//!
//! A batch is one cause of change (`boot`, `scan`, `shutdown`) and the services it concerns.
//! Its steps, in order: every `pre` hook once; the work (svscan starts the new services, or
//! stops every service at shutdown) and the caller says when it is done; for each service
//! every `service` hook once; every `post` hook once. The post hooks run whatever failed
//! before them, and learn what did in `DAEMONBOX_FAILED`. This module only says what comes
//! next and builds each hook's environment; the caller runs the jobs (`runner.rs`).

use super::runner::{Job, LIST_FD};
use super::{HookDir, environment, var};

/// What started a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The services svscan starts when it starts.
    Boot,
    /// A rescan or a watch event that added or removed services.
    Scan,
    /// The container stops.
    Shutdown,
}

impl Cause {
    /// `DAEMONBOX_BATCH`'s value.
    pub fn name(self) -> &'static [u8] {
        match self {
            Cause::Boot => b"boot",
            Cause::Scan => b"scan",
            Cause::Shutdown => b"shutdown",
        }
    }
}

/// The three hooks directories of a scan directory (each may be missing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hooks {
    pub pre: Option<HookDir>,
    pub service: Option<HookDir>,
    pub post: Option<HookDir>,
}

/// `DAEMONBOX_SERVICES` is left out above this size (the list is on descriptor 3 anyway),
/// well under the kernel's limit for one environment string (128 KiB).
pub const MAX_SERVICES_VAR: usize = 64 * 1024;

/// The next thing to do for a batch.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Run this hook and report how it ended.
    Run(Job),
    /// Do the batch's work (start or stop its services) and report when it is done.
    Work,
    /// The batch is over.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Pre(usize),
    Work,
    Service { service: usize, hook: usize },
    Post(usize),
    Done,
}

/// A batch in progress.
#[derive(Debug)]
pub struct Batch {
    pub cause: Cause,
    /// The services' names, in scan order.
    pub services: Vec<Vec<u8>>,
    /// The scan directory's absolute path (for `DAEMONBOX_SERVICE_DIR`).
    scan_dir: Vec<u8>,
    hooks: Hooks,
    step: Step,
    /// What failed so far: `pre/HOOK` for a pre hook, a service's name for one of its
    /// service hooks.
    failed: Vec<Vec<u8>>,
    /// The step of the job last handed out, for [`Batch::finished`].
    running: Option<Step>,
}

impl Batch {
    /// A batch of `services` for `cause`; `base` is the environment hooks start from.
    pub fn new(cause: Cause, services: Vec<Vec<u8>>, scan_dir: &[u8], hooks: Hooks) -> Self {
        Batch {
            cause,
            services,
            scan_dir: scan_dir.to_vec(),
            hooks,
            step: Step::Pre(0),
            failed: Vec::new(),
            running: None,
        }
    }

    /// Are its pre hooks still to run or running?
    pub fn in_pre(&self) -> bool {
        matches!(self.step, Step::Pre(_))
    }

    /// What to do next; `base` is the environment hooks start from.
    pub fn next(&mut self, base: &[Vec<u8>]) -> Next {
        loop {
            let (step, job) = match self.step {
                Step::Pre(i) => match nth_hook(&self.hooks.pre, i) {
                    Some((dir, name)) => (self.step, self.list_job(base, dir, b"pre", name)),
                    None => {
                        self.step = Step::Work;
                        return Next::Work;
                    }
                },
                Step::Work => return Next::Work,
                Step::Service { service, hook } => {
                    match (
                        self.services.get(service),
                        nth_hook(&self.hooks.service, hook),
                    ) {
                        (None, _) => {
                            self.step = Step::Post(0);
                            continue;
                        }
                        (Some(_), None) => {
                            self.step = Step::Service {
                                service: service + 1,
                                hook: 0,
                            };
                            continue;
                        }
                        (Some(name), Some((dir, hook_name))) => {
                            (self.step, self.service_job(base, dir, name, hook_name))
                        }
                    }
                }
                Step::Post(i) => match nth_hook(&self.hooks.post, i) {
                    Some((dir, name)) => (self.step, self.list_job(base, dir, b"post", name)),
                    None => {
                        self.step = Step::Done;
                        return Next::Done;
                    }
                },
                Step::Done => return Next::Done,
            };
            self.running = Some(step);
            return Next::Run(job);
        }
    }

    /// The work is done: on to the service hooks.
    pub fn work_done(&mut self) {
        if self.step == Step::Work {
            self.step = Step::Service {
                service: 0,
                hook: 0,
            };
        }
    }

    /// The job last handed out has ended (`ok`: exit 0 in time).
    pub fn finished(&mut self, ok: bool) {
        let Some(step) = self.running.take() else {
            return;
        };
        self.step = match step {
            Step::Pre(i) => {
                if !ok && let Some(dir) = &self.hooks.pre {
                    self.failed.push([&b"pre/"[..], &dir.names[i]].concat());
                }
                Step::Pre(i + 1)
            }
            Step::Service { service, hook } => {
                let name = &self.services[service];
                if !ok && !self.failed.contains(name) {
                    self.failed.push(name.clone());
                }
                Step::Service {
                    service,
                    hook: hook + 1,
                }
            }
            Step::Post(i) => Step::Post(i + 1),
            other => other,
        };
    }

    /// A pre or post hook's job: the batch's list in the environment (when it fits) and
    /// on descriptor [`LIST_FD`], one name a line.
    fn list_job(&self, base: &[Vec<u8>], dir: &HookDir, event: &[u8], name: &[u8]) -> Job {
        let names = self.services.join(&b' ');
        let mut set = vec![
            var("EVENT", event),
            var("BATCH", self.cause.name()),
            var(
                "SERVICES_FILE",
                format!("/proc/self/fd/{LIST_FD}").as_bytes(),
            ),
        ];
        if names.len() <= MAX_SERVICES_VAR {
            set.push(var("SERVICES", &names));
        }
        if event == b"post" {
            set.push(var("FAILED", &self.failed.join(&b' ')));
        }
        let mut job = Job::new(dir, name, environment(base, &set));
        let mut list: Vec<u8> = self.services.join(&b'\n');
        if !list.is_empty() {
            list.push(b'\n');
        }
        job.list = Some(list);
        job
    }

    /// A service hook's job for service `service`.
    fn service_job(&self, base: &[Vec<u8>], dir: &HookDir, service: &[u8], name: &[u8]) -> Job {
        let set = [
            var("EVENT", b"service"),
            var("BATCH", self.cause.name()),
            var("SERVICE", service),
            var("SERVICE_DIR", &[&self.scan_dir[..], b"/", service].concat()),
        ];
        Job::new(dir, name, environment(base, &set))
    }
}

/// Hook `i` of an optional directory, with the directory.
fn nth_hook(dir: &Option<HookDir>, i: usize) -> Option<(&HookDir, &[u8])> {
    let dir = dir.as_ref()?;
    Some((dir, dir.names.get(i)?))
}

#[cfg(test)]
mod tests;
