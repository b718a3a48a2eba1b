//! svscan's scanner: the service table with its pipes, 0.76's scan and start rules, the
//! supervise children, and the shutdown actions on them.
//!
//! All I/O of svscan except the event loop lives here; the decisions it applies come from
//! `table.rs` and `shutdown.rs`. Messages and child behaviour are 0.76's (svscan.md §1-2).

use super::PROG;
use super::shutdown::{self, Left, ServiceView, Step};
use super::table::{Key, Pid, Role, Table};
use crate::exit;
use crate::svdir::{self, LOG, ServiceDir};
use crate::sys::spawn::{Program, Source, Spawn, Stage};
use crate::sys::{self, AsFd, Errno, pipe::HeldPipe, proc, signal};
use std::ffi::{CStr, CString};
use std::time::Duration;

const SUPERVISE: &CStr = c"supervise";
/// Control bytes: stop the service and exit; exit when the service does; kill the service.
const STOP: &[u8] = b"dx";
const EXIT_LATER: &[u8] = b"x";
const KILL: &[u8] = b"k";

/// `NAME` for a main supervise, `NAME/log` for a log supervise (as messages name them).
fn service_path(name: &[u8], role: Role) -> Vec<u8> {
    match role {
        Role::Main => name.to_vec(),
        Role::Log => [name, b"/", LOG].concat(),
    }
}

/// What svscan changed for itself and gives back to each child before exec: the signals
/// it catches (to their default, or ignored if they were ignored when svscan started, as
/// 0.76's children inherit them) and the original RLIMIT_NOFILE.
pub struct Inherited {
    pub caught: Vec<i32>,
    pub ignored: Vec<i32>,
    pub nofile: Option<proc::Limit>,
}

/// What a reaping found.
#[derive(Debug, Default)]
pub struct Reaped {
    /// Services whose supervise ended.
    pub services: Vec<Key>,
    /// The watched children that ended, with their status.
    pub watched: Vec<(Pid, proc::WaitStatus)>,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Changes {
    /// Services met for the first time.
    pub added: Vec<(Key, Vec<u8>)>,
    /// Services gone from the directory.
    pub removed: Vec<Vec<u8>>,
}

/// svscan's state: the table and what children must get back.
pub struct Scan {
    table: Table<HeldPipe>,
    inherited: Inherited,
    pid1: bool,
    children_left: bool,
}

impl Scan {
    /// A scanner with an empty table.
    pub fn new(inherited: Inherited, pid1: bool) -> Self {
        Scan {
            table: Table::default(),
            inherited,
            pid1,
            children_left: true,
        }
    }

    /// Reaps every ended child; returns the services whose supervise ended, and how each
    /// of the `watched` other children (a hook, the main program) ended.
    pub fn reap(&mut self, now: Duration, watched: &[Pid]) -> Reaped {
        let mut reaped = Reaped::default();
        loop {
            match proc::wait_nohang() {
                Ok(Some((pid, status))) => {
                    if watched.contains(&pid) {
                        reaped.watched.push((pid, status));
                    }
                    let ended = self.table.reaped(pid, status.exit_code(), now);
                    reaped.services.extend(ended.map(|(k, _)| k));
                }
                Ok(None) => {
                    self.children_left = true;
                    return reaped;
                }
                Err(_) => {
                    self.children_left = false;
                    return reaped;
                }
            }
        }
    }

    /// Restarts at once the supervise processes that ended, where the directory is still
    /// there under the name it was last met under; anything else waits for the next scan.
    pub fn restart(&mut self, keys: &[Key], now: Duration) {
        for &key in keys {
            let Some(entry) = self.table.get_mut(key) else {
                continue;
            };
            let name = entry.name.clone();
            if sys::dir::stat(&name).is_ok_and(|m| m.is_dir() && (m.dev, m.ino) == key) {
                self.launch_both(key, &name, false, now);
            }
        }
    }

    /// A full scan of the directory (0.76's scan without its reaping, done by the loop);
    /// new services are `held` back when their batch's hooks come first. Returns the
    /// services added and the names of those gone.
    pub fn scan(&mut self, periodic: bool, now: Duration, held: bool) -> Changes {
        let mut changes = Changes::default();
        self.table.begin_scan();
        let names = match sys::dir::names(b".") {
            Ok(names) => names,
            Err(e) => {
                exit::warn_sys(PROG, &[b"unable to read directory"], e);
                return changes;
            }
        };
        for name in &names {
            changes.added.extend(self.start(name, periodic, now, held));
        }
        changes.removed = self
            .table
            .drop_inactive()
            .into_iter()
            .map(|e| e.name)
            .collect();
        changes
    }

    /// Lets the held services of a batch start.
    pub fn release(&mut self, services: &[(Key, Vec<u8>)], now: Duration) {
        for (key, name) in services {
            if let Some(entry) = self.table.get_mut(*key) {
                entry.pending = false;
                let name = name.clone();
                self.launch_both(*key, &name, false, now);
            }
        }
    }

    /// What children must get back from svscan.
    pub fn inherited(&self) -> &Inherited {
        &self.inherited
    }

    /// The names of every known service.
    pub fn names(&self) -> Vec<Vec<u8>> {
        self.table.names()
    }

    /// 0.76's start(name), plus the pick-up of a `log` added later; a new service is
    /// `held` back if asked. Returns the key and name of a service met for the first time.
    pub fn start(
        &mut self,
        name: &[u8],
        periodic: bool,
        now: Duration,
        held: bool,
    ) -> Option<(Key, Vec<u8>)> {
        if !svdir::is_service_name(name) {
            return None;
        }
        let warn = |what: &[&[u8]], e| {
            exit::warn_sys(PROG, what, e);
            None
        };
        let meta = match sys::dir::stat(name) {
            Ok(meta) => meta,
            Err(e) => return warn(&[b"unable to stat ", name], e),
        };
        if !meta.is_dir() {
            return None;
        }
        let key = (meta.dev, meta.ino);
        let log_path = || service_path(name, Role::Log);
        let mut added = None;
        match self.table.get_mut(key) {
            None => {
                let log_path = log_path();
                let has_log = match sys::dir::stat(&log_path) {
                    Ok(_) => true,
                    Err(Errno::NOENT) => false,
                    Err(e) => return warn(&[b"unable to stat ", &log_path], e),
                };
                let pipe = match has_log.then(HeldPipe::new).transpose() {
                    Ok(pipe) => pipe,
                    Err(e) => return warn(&[b"unable to create pipe for ", name], e),
                };
                let entry = self.table.insert(key, name, pipe);
                entry.links = meta.nlink;
                entry.pending = held;
                added = Some((key, name.to_vec()));
            }
            Some(entry) => {
                if !entry.active {
                    entry.active = true;
                    if entry.name != name {
                        entry.name = name.to_vec();
                    }
                }
                // A `log` directory added later changes the link count of the service
                // directory; only then is it worth a stat (this halves a periodic scan).
                let links_changed = std::mem::replace(&mut entry.links, meta.nlink) != meta.nlink;
                if entry.log.is_none() && links_changed && sys::dir::stat(&log_path()).is_ok() {
                    match HeldPipe::new() {
                        Ok(pipe) => entry.log = Some(pipe),
                        Err(e) => exit::warn_sys(PROG, &[b"unable to create pipe for ", name], e),
                    }
                }
            }
        }
        self.launch_both(key, name, periodic, now);
        added
    }

    /// Starts the main supervise, then the log one, as needed; a failed fork skips the log
    /// supervise this round (0.76).
    fn launch_both(&mut self, key: Key, name: &[u8], periodic: bool, now: Duration) {
        for role in [Role::Main, Role::Log] {
            if !self.launch(key, name, role, periodic, now) {
                return;
            }
        }
    }

    /// Starts the supervise for `role` if it should run; false if the fork failed.
    fn launch(&mut self, key: Key, name: &[u8], role: Role, periodic: bool, now: Duration) -> bool {
        let Some(entry) = self.table.get_mut(key) else {
            return true;
        };
        if !entry.should_start(role, periodic, now) {
            return true;
        }
        match start_supervise(&self.inherited, name, role, entry.log.as_ref()) {
            Ok(pid) => {
                self.table.started(key, role, pid, now);
                true
            }
            Err(e) => {
                let what = service_path(name, role);
                exit::warn_sys(PROG, &[b"unable to fork for ", &what], e);
                false
            }
        }
    }

    /// What is left running, for the shutdown machine.
    pub fn left(&self) -> Left {
        Left {
            supervise: self.table.running(),
            others: self.pid1 && self.children_left,
            hooks: false,
        }
    }

    /// One shutdown tick for every service.
    pub fn stop_services(&mut self) {
        for entry in self.table.entries_mut() {
            let step = shutdown::service_step(ServiceView {
                main_running: entry.main.pid.is_some(),
                log_running: entry.logger.pid.is_some(),
                stop_sent: entry.stop_sent,
                exit_sent: entry.exit_sent,
                has_pipe: entry.log.is_some(),
            });
            if step.send_stop {
                entry.stop_sent = control(&entry.name, Role::Main, STOP);
            }
            if step.send_exit {
                entry.exit_sent = control(&entry.name, Role::Log, EXIT_LATER);
            }
            if step.close_pipe {
                entry.log = None;
            }
        }
    }

    /// Acts on a global shutdown step; returns the exit status once svscan must exit.
    pub fn act(&mut self, step: Step) -> Result<Duration, u8> {
        match step {
            Step::Wait(d) => return Ok(d),
            Step::TermOthers => {
                let _ = proc::kill(-1, signal::SIGTERM);
                let _ = proc::kill(-1, signal::SIGCONT);
            }
            Step::Kill => {
                for entry in self.table.entries_mut() {
                    for role in [Role::Main, Role::Log] {
                        if entry.slot(role).pid.is_some() {
                            control(&entry.name, role, KILL);
                        }
                    }
                }
                if self.pid1 {
                    let _ = proc::kill(-1, signal::SIGKILL);
                }
            }
            Step::KillSupervise(code) => {
                let pids: Vec<Pid> = self.table.pids().collect();
                for pid in pids {
                    let _ = proc::kill(pid, signal::SIGKILL);
                }
                return Err(code);
            }
            Step::Exit(code) => return Err(code),
        }
        Ok(shutdown::TICK)
    }
}

/// Starts `supervise NAME` (or `supervise log` in NAME) with signals and limits back as
/// svscan got them and the log pipe on its descriptor; if the child cannot get that far it
/// prints 0.76's child message and exits 111.
fn start_supervise(
    inherited: &Inherited,
    name: &[u8],
    role: Role,
    pipe: Option<&HeldPipe>,
) -> sys::Result<Pid> {
    let end = match (pipe, role) {
        (None, _) => None,
        (Some(pipe), Role::Main) => Some((pipe.write_end()?, 1)),
        (Some(pipe), Role::Log) => Some((pipe.read_end()?, 0)),
    };
    let arg = match role {
        Role::Main => CString::new(name).unwrap_or_default(),
        Role::Log => CString::from(c"log"),
    };
    let argv = [SUPERVISE, &arg];
    let mut child = Spawn::new(Program::Search, &argv)
        .default_signals(&inherited.caught)
        .ignored_signals(&inherited.ignored);
    if let Some(limit) = inherited.nofile {
        child = child.limit(proc::RLIMIT_NOFILE, limit);
    }
    if let Some((fd, target)) = &end {
        child = child.fd(Source::Dup(fd.as_fd()), *target);
    }
    if role == Role::Log {
        child = child.cwd(name);
    }
    let what = service_path(name, role);
    child.start(|failure| {
        let message: [&[u8]; 2] = match failure.stage {
            Stage::Directory => [b"unable to switch to ", name],
            Stage::Exec => [b"unable to start supervise ", &what],
            _ => [b"unable to set up descriptors for ", &what],
        };
        exit::warn_sys(PROG, &message, failure.errno);
        exit::TEMP
    })
}

/// Writes control bytes to a supervise of service `name`; true if they were written.
fn control(name: &[u8], role: Role, bytes: &[u8]) -> bool {
    ServiceDir::at(&service_path(name, role))
        .control(bytes)
        .is_ok()
}
