//! svscan's event loop: one poll over the self-pipe, the directory watch and a running
//! hook's output; reaping, restarts, scans, batch hooks and the ordered shutdown, each
//! decided elsewhere (`scan.rs`, `batches.rs`, `shutdown.rs`) and applied here in turn.

use super::PROG;
use super::batches::{self, Batches, Outcome};
use super::main_program::{Change, MainProgram};
use super::scan::Scan;
use super::shutdown::{Left, Shutdown};
use crate::exit;
use crate::hooks::batch::Cause;
use crate::sys::{self, inotify::DirWatch, poll, signal};
use std::time::Duration;

/// Period of the fallback rescan (0.76's only scan).
const RESCAN: Duration = Duration::from_secs(5);

/// Everything the loop owns.
pub struct Svscan {
    scan: Scan,
    selfpipe: signal::SelfPipe,
    watch: Option<DirWatch>,
    grace: Duration,
    container: bool,
    batches: Batches,
    next_periodic: Duration,
    rescan: bool,
    /// The first scan is the `boot` batch.
    booted: bool,
    stopping: Option<Shutdown>,
    /// The container's main program, if svscan was given one.
    pub main_program: Option<MainProgram>,
    /// The exit status that wins over the shutdown's (the main program's, or a failure).
    exit_code: Option<u8>,
}

impl Svscan {
    /// A loop over `scan`, in the scan directory `scan_dir` (absolute).
    pub fn new(
        scan: Scan,
        selfpipe: signal::SelfPipe,
        watch: Option<DirWatch>,
        grace: Duration,
        container: bool,
        scan_dir: Vec<u8>,
    ) -> Self {
        Svscan {
            scan,
            selfpipe,
            watch,
            grace,
            container,
            batches: Batches::new(scan_dir),
            next_periodic: sys::clock::monotonic(),
            rescan: false,
            booted: false,
            stopping: None,
            main_program: None,
            exit_code: None,
        }
    }

    /// Runs until a container-mode shutdown ends; returns the exit status.
    pub fn run(mut self) -> u8 {
        loop {
            let now = sys::clock::monotonic();
            let main_pid = self.main_program.as_ref().and_then(MainProgram::pid);
            let watched: Vec<_> = self.batches.pid().into_iter().chain(main_pid).collect();
            let reaped = self.scan.reap(now, &watched);
            for (pid, status) in reaped.watched {
                self.batches.reaped(pid, status);
                let ended = self
                    .main_program
                    .as_mut()
                    .and_then(|m| m.reaped(pid, status));
                if let Some(code) = ended {
                    self.exit_code.get_or_insert(code);
                    self.stop(now);
                }
            }
            let timeout = if self.stopping.is_some() {
                match self.stop_step(now) {
                    Ok(wait) => wait,
                    Err(code) => return self.exit_code.unwrap_or(code),
                }
            } else {
                self.scan.restart(&reaped.services, now);
                if now >= self.next_periodic || self.rescan {
                    self.full_scan(now);
                }
                if let Outcome::BootFailed(code) =
                    self.batches
                        .advance(&mut self.scan, now, false, self.container)
                {
                    exit::die(PROG, &[b"a boot pre hook failed: no service started"], code);
                }
                self.start_main_program(now);
                if self.stopping.is_some() {
                    // The shutdown has just begun: its first round comes at once.
                    Duration::ZERO
                } else {
                    self.next_periodic.saturating_sub(sys::clock::monotonic())
                }
            };
            let deadlines = [
                self.batches.runner().deadline(),
                self.main_program.as_ref().and_then(MainProgram::deadline),
            ];
            let now = sys::clock::monotonic();
            let timeout = deadlines
                .into_iter()
                .flatten()
                .fold(timeout, |t, d| t.min(d.saturating_sub(now)));
            self.wait(timeout);
        }
    }

    /// Starts the main program once the boot batch is done and what it needs is ready;
    /// stops everything if that does not happen in time.
    fn start_main_program(&mut self, now: Duration) {
        if !self.batches.idle() {
            return;
        }
        let Some(main) = &mut self.main_program else {
            return;
        };
        if let Some(Change::NotReady(late)) = main.check(now, self.scan.inherited()) {
            let late = late.join(&b' ');
            exit::warn(PROG, &[b"not ready in time: ", &late, b": stopping"]);
            self.exit_code = Some(exit::TEMP);
            self.stop(now);
        }
    }

    /// Starts the ordered shutdown (once).
    fn stop(&mut self, now: Duration) {
        if self.stopping.is_none() {
            self.stopping = Some(Shutdown::new(now, self.grace));
            self.batches.shutdown(self.scan.names(), now);
            if let Some(main) = &mut self.main_program {
                main.cancel();
            }
        }
    }

    /// A full scan; its new and vanished services make a batch when there are hooks.
    fn full_scan(&mut self, now: Duration) {
        let periodic = now >= self.next_periodic;
        let hooks = batches::find_hooks();
        if !self.booted && hooks.is_none() {
            // A main program that waits for nothing starts at once, alongside the services.
            self.start_main_program(now);
        }
        let changes = self.scan.scan(periodic, now, hooks.is_some());
        if let Some(hooks) = hooks {
            let cause = if self.booted {
                Cause::Scan
            } else {
                Cause::Boot
            };
            self.batches
                .push(cause, changes.added, changes.removed, hooks);
        }
        self.booted = true;
        self.rescan = false;
        if periodic {
            self.next_periodic = sys::clock::monotonic() + RESCAN;
        }
    }

    /// One round of the shutdown; `Err` with the exit status once svscan must exit.
    fn stop_step(&mut self, now: Duration) -> Result<Duration, u8> {
        if !self.batches.holding_shutdown() {
            self.scan.stop_services();
        }
        let left = self.scan.left();
        let _ = self
            .batches
            .advance(&mut self.scan, now, left.supervise == 0, false);
        let main_runs = self.main_program.as_ref().and_then(MainProgram::pid);
        let left = Left {
            hooks: !self.batches.idle(),
            others: left.others || main_runs.is_some(),
            ..left
        };
        let Some(shutdown) = &mut self.stopping else {
            return Ok(Duration::ZERO);
        };
        let step = shutdown.step(now, left);
        if step == super::shutdown::Step::Kill {
            self.batches.kill(now);
            if let Some(main) = &self.main_program {
                main.signal(signal::SIGKILL);
            }
        }
        self.scan.act(step)
    }

    /// Sleeps in poll until a signal, a watch event, hook output or `timeout`; then
    /// handles what came.
    fn wait(&mut self, timeout: Duration) {
        let signals = self.selfpipe.fd();
        let optional = [
            self.watch.as_ref().map(DirWatch::fd),
            self.batches.runner().fd(),
            self.main_program.as_ref().and_then(MainProgram::fd),
        ];
        let mut fds = vec![poll::PollFd::new(&signals, poll::PollFlags::IN)];
        fds.extend(
            optional
                .iter()
                .flatten()
                .map(|fd| poll::PollFd::new(fd, poll::PollFlags::IN)),
        );
        if let Err(e) = poll::poll(&mut fds, Some(timeout)) {
            exit::warn_sys(PROG, &[b"unable to poll"], e);
        }
        let mut woke = fds[1..].iter().map(|fd| !fd.revents().is_empty());
        let [_, hook_spoke, records_changed] =
            optional.map(|fd| fd.is_some() && woke.next().unwrap_or(false));
        drop(fds);
        if records_changed && let Some(main) = &self.main_program {
            main.watch_fired();
        }
        let now = sys::clock::monotonic();
        if hook_spoke {
            self.batches.runner_mut().read_output();
        }
        self.batches.runner_mut().tick(now);
        for sig in self.selfpipe.drain() {
            match sig {
                signal::SIGHUP | signal::SIGALRM => self.next_periodic = now,
                signal::SIGTERM | signal::SIGINT => {
                    if let Some(main) = &self.main_program {
                        main.signal(sig);
                    }
                    self.stop(now);
                }
                _ => {}
            }
        }
        let Some(watch) = &self.watch else {
            return;
        };
        let changes = watch.drain();
        self.rescan |= changes.rescan;
        if self.stopping.is_some() || changes.names.is_empty() {
            return;
        }
        let hooks = batches::find_hooks();
        let mut added = Vec::new();
        for name in &changes.names {
            added.extend(self.scan.start(name, false, now, hooks.is_some()));
        }
        if let Some(hooks) = hooks {
            self.batches.push(Cause::Scan, added, Vec::new(), hooks);
        }
    }
}
