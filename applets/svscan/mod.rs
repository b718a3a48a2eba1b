//! svscan: starts and watches one supervise per service directory.
//!
//! `svscan [-1] [-g seconds] [dir]`: chdir to `dir` (failure: `svscan: fatal: unable to
//! chdir to DIR: E`, 111), then forever: run `supervise NAME` for each subdirectory whose name
//! does not start with `.`, and for one with a `log` a second `supervise log` (cwd `NAME`)
//! joined to it by a pipe that svscan holds, so neither side's restart loses a byte. Warnings
//! and the child-side messages are 0.76's, byte for byte (spec svscan.md §1-2).
//!
//! Beyond 0.76: no limit on services; new names are picked up at once (inotify) with the
//! 5-second rescan kept as the fallback; SIGHUP and SIGALRM rescan now; a supervise that exits
//! is restarted at once (one that exits within a second of its start waits for the next
//! periodic scan, as in 0.76, so a broken one does not spin); a `log` added to a known
//! service gets its logger at the next scan (the service writes into it from the next start
//! of its supervise, e.g. after `svc -dx`); RLIMIT_NOFILE is raised to its hard limit for
//! svscan alone (children get the original) and each log pipe costs one descriptor.
//!
//! Container mode (`-1`, or automatically when svscan is PID 1): orphans are reaped (as a
//! subreaper when not PID 1), and SIGTERM or SIGINT shut everything down in order (see
//! `shutdown.rs`); the exit status is 0, or 111 if something had to be killed after the
//! grace period (`-g`, default 7 s). Outside container mode TERM and INT kill svscan and
//! leave the services running, as in 0.76. Options exist only for a leading `-`; `--` ends
//! them. The usage exit is 100.

mod shutdown;
mod table;

use crate::exit;
use crate::getopt::{self, Getopt};
use crate::sys::{self, Errno, inotify::DirWatch, pipe::HeldPipe, poll, proc, signal};
use shutdown::{Left, ServiceView, Shutdown, Step};
use std::ffi::{CStr, CString};
use std::time::Duration;
use table::{Key, Pid, Role, Table};

const PROG: &str = "svscan";
const USAGE: &str = "svscan [-1] [-g seconds] [dir]";
const OPTIONS: &[u8] = b"1g:";
/// Period of the fallback rescan (0.76's only scan).
const RESCAN: Duration = Duration::from_secs(5);
const LOG: &[u8] = b"log";
const SUPERVISE: &CStr = c"supervise";
const CONTROL: &[u8] = b"/supervise/control";
/// Control bytes: stop the service and exit; exit when the service does; kill the service.
const STOP: &[u8] = b"dx";
const EXIT_LATER: &[u8] = b"x";
const KILL: &[u8] = b"k";

struct Options<'a> {
    container: bool,
    grace: Duration,
    dir: Option<&'a CStr>,
}

fn parse_seconds(text: &[u8]) -> Option<Duration> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) || text.len() > 9 {
        return None;
    }
    let secs = text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(Duration::from_secs(secs))
}

fn parse<'a>(args: &'a [&'a CStr]) -> Options<'a> {
    let mut opts = Options {
        container: false,
        grace: shutdown::DEFAULT_GRACE,
        dir: None,
    };
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let rest = args.get(1..).unwrap_or(&[]);
    let mut getopt = Getopt::new(rest, OPTIONS);
    for opt in getopt.by_ref() {
        match opt {
            Ok(o) if o.letter == b'1' => opts.container = true,
            Ok(o) => match o.value.and_then(parse_seconds) {
                Some(grace) => opts.grace = grace,
                None => exit::usage(PROG, USAGE, exit::USAGE),
            },
            Err(e) => {
                exit::emit(&getopt::error_line(argv0, e));
                exit::usage(PROG, USAGE, exit::USAGE)
            }
        }
    }
    opts.dir = getopt.operands().first().copied();
    opts
}

/// svscan's state: the table and what children must get back.
struct Scan {
    table: Table<HeldPipe>,
    caught: Vec<i32>,
    nofile: Option<proc::Limit>,
    pid1: bool,
    children_left: bool,
}

impl Scan {
    /// Reaps every ended child; returns the services whose supervise ended.
    fn reap(&mut self, now: Duration) -> Vec<Key> {
        let mut ours = Vec::new();
        loop {
            match proc::wait_nohang() {
                Ok(Some((pid, _))) => ours.extend(self.table.reaped(pid, now).map(|(k, _)| k)),
                Ok(None) => {
                    self.children_left = true;
                    return ours;
                }
                Err(_) => {
                    self.children_left = false;
                    return ours;
                }
            }
        }
    }

    /// Restarts at once the supervise processes that ended, where the directory is still
    /// there under the name it was last met under; anything else waits for the next scan.
    fn restart(&mut self, keys: &[Key], now: Duration) {
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

    /// A full scan of the directory (0.76's scan without its reaping, done by the loop).
    fn scan(&mut self, periodic: bool, now: Duration) {
        self.table.begin_scan();
        let names = match sys::dir::names(b".") {
            Ok(names) => names,
            Err(e) => return exit::warn_sys(PROG, &[b"unable to read directory"], e),
        };
        for name in &names {
            self.start(name, periodic, now);
        }
        drop(self.table.drop_inactive());
    }

    /// 0.76's start(name), plus the pick-up of a `log` added later.
    fn start(&mut self, name: &[u8], periodic: bool, now: Duration) {
        if name.first() == Some(&b'.') {
            return;
        }
        let meta = match sys::dir::stat(name) {
            Ok(meta) => meta,
            Err(e) => return exit::warn_sys(PROG, &[b"unable to stat ", name], e),
        };
        if !meta.is_dir() {
            return;
        }
        let key = (meta.dev, meta.ino);
        let log_path = [name, b"/", LOG].concat();
        match self.table.get_mut(key) {
            None => {
                let has_log = match sys::dir::stat(&log_path) {
                    Ok(_) => true,
                    Err(Errno::NOENT) => false,
                    Err(e) => return exit::warn_sys(PROG, &[b"unable to stat ", &log_path], e),
                };
                let pipe = match has_log.then(HeldPipe::new).transpose() {
                    Ok(pipe) => pipe,
                    Err(e) => {
                        return exit::warn_sys(PROG, &[b"unable to create pipe for ", name], e);
                    }
                };
                self.table.insert(key, name, pipe);
            }
            Some(entry) => {
                if !entry.active {
                    entry.active = true;
                    entry.name = name.to_vec();
                }
                if entry.log.is_none() && sys::dir::stat(&log_path).is_ok() {
                    match HeldPipe::new() {
                        Ok(pipe) => entry.log = Some(pipe),
                        Err(e) => exit::warn_sys(PROG, &[b"unable to create pipe for ", name], e),
                    }
                }
            }
        }
        self.launch_both(key, name, periodic, now);
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
        if !entry.should_start(role, periodic) {
            return true;
        }
        match sys::proc::fork() {
            Ok(sys::proc::Forked::Parent(pid)) => {
                self.table.started(key, role, pid, now);
                true
            }
            Ok(sys::proc::Forked::Child) => {
                child(&self.caught, self.nofile, name, role, entry.log.as_ref())
            }
            Err(e) => {
                let what = match role {
                    Role::Main => name.to_vec(),
                    Role::Log => [name, b"/", LOG].concat(),
                };
                exit::warn_sys(PROG, &[b"unable to fork for ", &what], e);
                false
            }
        }
    }

    /// What is left running, for the shutdown machine.
    fn left(&self) -> Left {
        Left {
            supervise: self.table.running(),
            others: self.pid1 && self.children_left,
        }
    }

    /// One shutdown tick for every service.
    fn stop_services(&mut self) {
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
    fn act(&mut self, step: Step) -> Result<Duration, u8> {
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

/// In the forked child: signals and limits back as svscan got them, descriptors and
/// directory arranged, then exec supervise; on failure 0.76's child message and exit 111.
fn child(
    caught: &[i32],
    nofile: Option<proc::Limit>,
    name: &[u8],
    role: Role,
    pipe: Option<&HeldPipe>,
) -> ! {
    signal::restore_for_child(caught);
    if let Some(limit) = nofile {
        let _ = proc::setrlimit(proc::RLIMIT_NOFILE, limit);
    }
    let what = match role {
        Role::Main => name.to_vec(),
        Role::Log => [name, b"/", LOG].concat(),
    };
    let fail = |text: &[u8], errno: Errno| -> ! {
        exit::warn_sys(PROG, &[text, &what], errno);
        proc::exit(exit::TEMP)
    };
    if let Some(pipe) = pipe {
        let moved = match role {
            Role::Main => pipe.write_end_to(1),
            Role::Log => pipe.read_end_to(0),
        };
        if let Err(e) = moved {
            fail(b"unable to set up descriptors for ", e);
        }
    }
    let arg = match role {
        Role::Main => CString::new(name).unwrap_or_default(),
        Role::Log => {
            if let Err(e) = sys::dir::chdir(name) {
                exit::warn_sys(PROG, &[b"unable to switch to ", name], e);
                proc::exit(exit::TEMP);
            }
            CString::from(c"log")
        }
    };
    let e = sys::exec::pathexec(&[SUPERVISE, &arg], None);
    fail(b"unable to start supervise ", e)
}

/// Writes control bytes to a supervise of service `name`; true if they were written.
fn control(name: &[u8], role: Role, bytes: &[u8]) -> bool {
    let path = match role {
        Role::Main => [name, CONTROL].concat(),
        Role::Log => [name, b"/", LOG, CONTROL].concat(),
    };
    sys::fd::open_write(&path).is_ok_and(|fd| sys::fd::write_all(&fd, bytes).is_ok())
}

/// Raises RLIMIT_NOFILE's soft limit to the hard one; returns the original for children.
fn raise_nofile() -> Option<proc::Limit> {
    let (soft, hard) = proc::getrlimit(proc::RLIMIT_NOFILE).ok()?;
    (soft < hard && proc::setrlimit(proc::RLIMIT_NOFILE, (hard, hard)).is_ok())
        .then_some((soft, hard))
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let opts = parse(args);
    if let Some(dir) = opts.dir
        && let Err(e) = sys::dir::chdir(dir.to_bytes())
    {
        exit::die_sys(
            PROG,
            &[b"unable to chdir to ", dir.to_bytes()],
            e,
            exit::TEMP,
        );
    }
    let pid1 = proc::getpid() == 1;
    let container = opts.container || pid1;
    let mut caught = vec![signal::SIGCHLD, signal::SIGHUP, signal::SIGALRM];
    if container {
        caught.extend([signal::SIGTERM, signal::SIGINT]);
        if !pid1 {
            let _ = proc::become_subreaper();
        }
    }
    let selfpipe = match signal::SelfPipe::new(&caught) {
        Ok(p) => p,
        Err(e) => exit::die_sys(PROG, &[b"unable to create selfpipe"], e, exit::TEMP),
    };
    let watch = DirWatch::new(b".")
        .inspect_err(|&e| exit::warn_sys(PROG, &[b"unable to watch directory"], e))
        .ok();
    let mut scan = Scan {
        table: Table::default(),
        nofile: raise_nofile(),
        caught,
        pid1,
        children_left: true,
    };
    run(&mut scan, &selfpipe, watch.as_ref(), opts.grace)
}

/// The event loop; returns only in container mode, with the exit status.
fn run(
    scan: &mut Scan,
    selfpipe: &signal::SelfPipe,
    watch: Option<&DirWatch>,
    grace: Duration,
) -> u8 {
    let mut next_periodic = sys::clock::monotonic();
    let mut rescan = false;
    let mut stopping: Option<Shutdown> = None;
    loop {
        let now = sys::clock::monotonic();
        let ended = scan.reap(now);
        let timeout = if let Some(shutdown) = &mut stopping {
            scan.stop_services();
            match scan.act(shutdown.step(now, scan.left())) {
                Ok(wait) => wait,
                Err(code) => return code,
            }
        } else {
            scan.restart(&ended, now);
            if now >= next_periodic || rescan {
                scan.scan(now >= next_periodic, now);
                rescan = false;
                let after = sys::clock::monotonic();
                if now >= next_periodic {
                    next_periodic = after + RESCAN;
                }
            }
            next_periodic.saturating_sub(sys::clock::monotonic())
        };
        let signals = selfpipe.fd();
        let mut fds = vec![poll::PollFd::new(&signals, poll::PollFlags::IN)];
        let watched = watch.map(DirWatch::fd);
        if let Some(w) = &watched {
            fds.push(poll::PollFd::new(w, poll::PollFlags::IN));
        }
        if let Err(e) = poll::poll(&mut fds, Some(timeout)) {
            exit::warn_sys(PROG, &[b"unable to poll"], e);
        }
        let now = sys::clock::monotonic();
        for sig in selfpipe.drain() {
            match sig {
                signal::SIGHUP | signal::SIGALRM => next_periodic = now,
                signal::SIGTERM | signal::SIGINT if stopping.is_none() => {
                    stopping = Some(Shutdown::new(now, grace));
                }
                _ => {}
            }
        }
        if let Some(w) = watch {
            let changes = w.drain();
            rescan |= changes.rescan;
            if stopping.is_none() {
                for name in &changes.names {
                    scan.start(name, false, now);
                }
            }
        }
    }
}
