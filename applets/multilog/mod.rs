//! multilog: reads log lines on stdin and files them as the script says.
//!
//! `multilog script...` — every argument is an action (see `script`); there are no options
//! and no usage message. Exit 0 at end of input (or after TERM, once the line in hand is
//! complete), 111 when start-up fails (nothing is read then), and — unlike 0.76, which keeps
//! pausing until it is killed — 111 when TERM arrives while an operation keeps failing and it
//! still fails [`control::TERM_GRACE`] later; the warning then says how many bytes were lost.
//!
//! Input is taken in chunks of up to 64 KiB and every byte of a chunk is routed and written
//! before the next read; with `t` all lines that begin in one chunk share one label (the time
//! of that read; 0.76 also stamps lines when it processes them, not when they arrive). Files
//! end where 0.76's would for line-at-a-time input (see `rules`). An `=` file is rewritten
//! once per chunk, with the last line of the chunk that selected it (the same final bytes as
//! 0.76's rewrite for every line); `e` still writes each line to stderr on its own, and a
//! `1PREFIX` forward each line to stdout (see `forward.rs`).
//!
//! What SIGKILL can lose: nothing when stdin is a pipe (as under svscan). Input is copied
//! out of the pipe without consuming it and dropped from the pipe only once it is written
//! (see `input`), so a killed multilog leaves every byte not yet in a file, the undecided
//! start of a line included, to the next one: at-least-once, a kill can make up to one chunk
//! (64 KiB) appear twice (the copy in the file left unfinished, `.u`, and again in the next).
//! With any other stdin, what was read and not yet written is lost: at most the chunk in
//! hand and, with patterns, `e` or `=`, the undecided start of a line (under 1000 bytes).
//! 0.76 can lose up to its whole buffers (1 KiB of input and 512 bytes per directory).
//!
//! After a quiet second multilog frees its buffers, so an idle logger holds little more than
//! its stack and the pages of the program it uses; the next input brings them back.

mod control;
mod forward;
mod input;
mod logdir;
pub(crate) mod pattern;
mod pending;
pub(crate) mod route;
pub(crate) mod rules;
pub(crate) mod script;

use crate::exit;
use crate::format::tai::Stamp;
use crate::sys::{self, OwnedFd, poll::PollFd, poll::PollFlags};
use control::{Control, Expired};
use forward::Forward;
use input::{Fill, Input};
use logdir::{GiveUp, LogDir};
use route::{Outputs, Router};
use script::Script;
use std::ffi::CStr;
use std::time::Duration;

/// Program name in messages.
pub const PROG: &str = "multilog";
/// Largest read of stdin.
const READ_SIZE: usize = 64 * 1024;
/// Set before anything is created.
const UMASK: u32 = 0o022;
/// Quiet time after which the buffers are released.
const IDLE_AFTER: Duration = Duration::from_secs(1);
/// While bytes are held undecided in the input pipe (which then always polls readable),
/// new input is looked for after this pause, doubling up to [`HELD_POLL_MAX`]: a writer
/// that was only waiting for room refills the pipe within microseconds.
const HELD_POLL_MIN: Duration = Duration::from_micros(10);
const HELD_POLL_MAX: Duration = Duration::from_millis(100);
/// A label and the space after it.
const LABEL_FIELD: usize = crate::format::tai::LABEL_LEN + 1;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let script = Script::parse(args.get(1..).unwrap_or_default());
    sys::proc::umask(UMASK);
    let start = sys::dir::open_cwd().unwrap_or_else(|e| {
        exit::die_sys(
            PROG,
            &[b"unable to switch to current directory"],
            e,
            exit::TEMP,
        )
    });
    let mut ctl = Control::new()
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to catch signals"], e, exit::TEMP));
    let status = script
        .status_files
        .iter()
        .map(|&file| (file, open_status(file, &start)))
        .collect();
    let mut dirs = Vec::with_capacity(script.dirs.len());
    for &spec in &script.dirs {
        match LogDir::open(spec, &start, &mut ctl) {
            Ok(dir) => dirs.push(dir),
            Err(e) => e.die(PROG, exit::TEMP),
        }
    }
    if !script.forwards.is_empty() {
        // A closed stdout must not end the logger: the directories still get every line.
        let _ = sys::signal::ignore(sys::signal::SIGPIPE);
    }
    let router = Router::new(&script);
    let mut logger = Logger {
        forwards: script.forwards.iter().map(|&p| Forward::new(p)).collect(),
        input: Input::new(),
        buf: Vec::new(),
        idle: false,
        out: router.outputs(),
        router,
        damaged: vec![false; dirs.len()],
        dirs,
        status,
        ctl,
        timestamp: script.timestamp,
    };
    match logger.run() {
        Ok(()) => exit::OK,
        Err(GiveUp { unwritten }) => {
            logger.abandon();
            let count = unwritten.to_string();
            let what: [&[u8]; 3] = [
                b"TERM received while pausing: ",
                count.as_bytes(),
                b" bytes could not be written",
            ];
            exit::warn(PROG, &what);
            exit::TEMP
        }
    }
}

/// Creates (mode 0600) and opens an `=` file relative to the start directory.
fn open_status(file: &[u8], start: &OwnedFd) -> OwnedFd {
    if let Err(e) = sys::dir::fchdir(start) {
        exit::die_sys(
            PROG,
            &[b"unable to switch to starting directory"],
            e,
            exit::TEMP,
        );
    }
    if let Err(e) = sys::fd::open_append(file) {
        exit::die_sys(PROG, &[b"unable to create ", file], e, exit::TEMP);
    }
    sys::fd::open_write(file)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to write ", file], e, exit::TEMP))
}

/// The time now as daemontools labels it: microseconds, stored as µs × 1000 + 500 ns.
pub fn now() -> Stamp {
    let (secs, nanos) = sys::clock::realtime();
    Stamp::from_unix(secs, nanos / 1000 * 1000 + 500)
}

/// The running logger: everything `main` set up.
struct Logger<'s> {
    input: Input,
    /// Input buffer: allocated when input arrives, released after a quiet second.
    buf: Vec<u8>,
    /// Buffers and program pages have been given back since the last input.
    idle: bool,
    router: Router<'s>,
    out: Outputs,
    dirs: Vec<LogDir<'s>>,
    /// The `1` forwards to stdout.
    forwards: Vec<Forward<'s>>,
    /// Directories that lost bytes when TERM's grace ran out.
    damaged: Vec<bool>,
    status: Vec<(&'s [u8], OwnedFd)>,
    ctl: Control,
    timestamp: bool,
}

impl Logger<'_> {
    fn run(&mut self) -> Result<(), GiveUp> {
        loop {
            if self.ctl.take_alarm() {
                for dir in self.dirs.iter_mut().filter(|d| !d.is_empty()) {
                    dir.rotate(&mut self.ctl)
                        .map_err(|_| GiveUp { unwritten: 0 })?;
                }
            }
            if self.ctl.terminating() {
                return self.finish_line();
            }
            if !self.wait_input(true, (!self.idle).then_some(IDLE_AFTER)) {
                if !self.ctl.note() && !self.idle {
                    self.release();
                }
                continue;
            }
            self.idle = false;
            if self.step(false)? == Fill::End {
                return self.end();
            }
        }
    }

    /// Reads what is new, routes it (`finishing`: only up to the end of the line in hand),
    /// writes it, and only then lets it leave the input.
    fn step(&mut self, finishing: bool) -> Result<Fill, GiveUp> {
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(READ_SIZE);
        }
        self.buf.clear();
        let fill = self
            .input
            .fill(&mut self.buf, finishing)
            .unwrap_or(Fill::End);
        if fill != Fill::New {
            return Ok(fill);
        }
        let chunk = std::mem::take(&mut self.buf);
        let held = self.input.held();
        let mut new = &chunk[held..];
        if finishing && let Some(at) = route::find_newline(new) {
            new = &new[..=at];
        }
        let routed = self.route(new);
        let fed = held + new.len();
        self.buf = chunk;
        routed?;
        // Read plainly, the held bytes may have come in earlier reads: nothing is consumed
        // then anyway. Copied from a pipe, they are the end of what this fill fed.
        let still_held = self.router.held_input();
        match self
            .input
            .consume(fed.saturating_sub(still_held), still_held)
        {
            Ok(()) => Ok(Fill::New),
            Err(_) => Ok(Fill::End),
        }
    }

    /// Gives the buffers back to the system while no input comes.
    fn release(&mut self) {
        self.idle = true;
        self.buf = Vec::new();
        self.out.release();
        self.forwards.iter_mut().for_each(Forward::release);
    }

    /// Waits until stdin (or, with `signals`, the self-pipe) is readable or `timeout` passes;
    /// false when a signal may have arrived or the time is up rather than input.
    fn wait_input(&self, signals: bool, timeout: Option<Duration>) -> bool {
        if self.input.held() > 0 {
            return self.wait_more(signals, timeout);
        }
        let stdin = sys::fd::stdin();
        let pipe = self.ctl.fd();
        let mut fds = [
            PollFd::new(&stdin, PollFlags::IN),
            PollFd::new(&pipe, PollFlags::IN),
        ];
        let count = if signals { 2 } else { 1 };
        match sys::poll::poll(&mut fds[..count], timeout) {
            Ok(0) => false,
            Ok(_) => !signals || fds[1].revents().is_empty(),
            Err(_) => true,
        }
    }

    /// [`Self::wait_input`] while bytes are held in the input pipe: polls the self-pipe with
    /// growing pauses and asks the input between them.
    fn wait_more(&self, signals: bool, timeout: Option<Duration>) -> bool {
        let start = sys::clock::monotonic();
        let mut pause = HELD_POLL_MIN;
        loop {
            if self.input.has_more() {
                return true;
            }
            let left = timeout.map(|t| t.saturating_sub(sys::clock::monotonic() - start));
            if left == Some(Duration::ZERO) {
                return false;
            }
            let pipe = self.ctl.fd();
            let mut fds = [PollFd::new(&pipe, PollFlags::IN)];
            let count = usize::from(signals);
            let nap = left.map_or(pause, |left| left.min(pause));
            if sys::poll::poll(&mut fds[..count], Some(nap)) != Ok(0) {
                return false;
            }
            pause = (pause * 2).min(HELD_POLL_MAX);
        }
    }

    /// After TERM: reads until the line in hand is complete, leaving the rest of the input
    /// in the pipe, then stops as at end of input.
    fn finish_line(&mut self) -> Result<(), GiveUp> {
        while self.router.in_line() {
            // Further signals are only noted: TERM is being obeyed already.
            if !self.wait_input(false, None) {
                self.ctl.note();
                continue;
            }
            if self.step(true)? == Fill::End {
                break;
            }
        }
        self.end()
    }

    /// End of input: the last line is finished, every `current` is closed cleanly, and the
    /// bytes that were held for that line leave the input.
    fn end(&mut self) -> Result<(), GiveUp> {
        self.router.finish(&mut self.out);
        self.flush()?;
        let held = self.input.held();
        let _ = self.input.consume(held, 0);
        for dir in &mut self.dirs {
            dir.close(&mut self.ctl)
                .map_err(|_| GiveUp { unwritten: 0 })?;
        }
        Ok(())
    }

    fn route(&mut self, chunk: &[u8]) -> Result<(), GiveUp> {
        let mut label = [b' '; LABEL_FIELD];
        if self.timestamp {
            label[..LABEL_FIELD - 1].copy_from_slice(&now().label());
        }
        self.router.feed(chunk, &label, &mut self.out);
        self.flush()
    }

    /// Writes what routing produced: stderr lines, forwards, directories, then `=` files.
    fn flush(&mut self) -> Result<(), GiveUp> {
        for line in &self.out.stderr {
            let _ = sys::fd::write_all(sys::fd::stderr(), line);
        }
        let first_forward = self.dirs.len();
        for (j, forward) in self.forwards.iter_mut().enumerate() {
            forward.push(self.out.for_dir(first_forward + j));
        }
        let mut lost = None::<u64>;
        for (i, dir) in self.dirs.iter_mut().enumerate() {
            if let Err(g) = dir.write(&mut self.ctl, self.out.for_dir(i)) {
                *lost.get_or_insert(0) += g.unwritten;
                self.damaged[i] |= g.unwritten > 0;
            }
        }
        for ((file, fd), head) in self.status.iter().zip(&self.out.status) {
            let Some(head) = head else { continue };
            let record = route::status_record(head);
            if write_status(&mut self.ctl, file, fd, &record).is_err() {
                *lost.get_or_insert(0) += record.len() as u64;
            }
        }
        self.out.clear();
        match lost {
            None => Ok(()),
            Some(unwritten) => Err(GiveUp { unwritten }),
        }
    }

    /// After giving up: one last attempt to close the directories that lost nothing, so
    /// that only the damaged ones are filed as unfinished at the next start.
    fn abandon(&mut self) {
        for (dir, damaged) in self.dirs.iter_mut().zip(&self.damaged) {
            if !damaged {
                let _ = dir.close(&mut self.ctl);
            }
        }
    }
}

/// Overwrites the start of an `=` file with `record`, pausing and retrying on failure.
fn write_status(
    ctl: &mut Control,
    file: &[u8],
    fd: &OwnedFd,
    record: &[u8],
) -> Result<(), Expired> {
    loop {
        let (what, result): (&[u8], _) = match sys::fd::rewind(fd) {
            Err(e) => (b"unable to move to beginning of ", Err(e)),
            Ok(()) => (b"unable to write ", sys::fd::write_all(fd, record)),
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                exit::warn_sys(PROG, &[what, file, b", pausing"], e);
                ctl.pause()?;
            }
        }
    }
}
