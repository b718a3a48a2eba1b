//! recordio: runs a program and records its input and output on stderr, as 0.88 does.
//!
//! `recordio program [arg...]`. The program keeps recordio's pid and talks through two
//! pipes to a copying child, which writes every piece it passes on as lines
//! `PID < text` (input) or `PID > text` (output), ending a line with ` ` where the data
//! had a newline and `+` where it did not, and `PID < [EOF]` / `PID > [EOF]` at the ends.
//! Data moves in chunks of at most 256 bytes. Exit codes: the program's; 100 usage; 111 if
//! the pipes, the fork or the exec fail.

use crate::exit;
use crate::format::num::fmt_ulong;
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::signal::SIGPIPE;
use crate::sys::spawn::{self, Program, Source, Spawn};
use crate::sys::{self, AsFd, BorrowedFd};
use std::ffi::CStr;

const PROG: &str = "recordio";
const USAGE: &str = "recordio program [ arg ... ]";
/// The most read at once in each direction.
const CHUNK: usize = 256;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let pid = fmt_ulong(sys::proc::getpid() as u64);
    if args.len() < 2 {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let die_pipe = |e| exit::die_sys(PROG, &[b"unable to create pipe"], e, exit::TEMP);
    let (in_read, in_write) = sys::fd::pipe().unwrap_or_else(die_pipe);
    let (out_read, out_write) = sys::fd::pipe().unwrap_or_else(die_pipe);
    let copier = spawn::fork_then(|| {
        let _ = sys::signal::ignore(SIGPIPE);
        sys::fd::close_number(sys::fd::number(&in_read));
        sys::fd::close_number(sys::fd::number(&out_write));
        copy(&pid, in_write.as_fd(), out_read.as_fd())
    });
    if let Err(e) = copier {
        exit::die_sys(PROG, &[b"unable to fork"], e, exit::TEMP);
    }
    drop((in_write, out_read));
    let program = &args[1..];
    Spawn::new(Program::Search, program)
        .fd(Source::Dup(in_read.as_fd()), 0)
        .fd(Source::Dup(out_write.as_fd()), 1)
        .exec_now(|failure| {
            let name = program[0].to_bytes();
            exit::fatal_sys(PROG, &[b"unable to run ", name], failure.errno, exit::TEMP)
        })
}

/// The lines recording `data` going in `direction` (`" < "` or `" > "`).
fn record(pid: &[u8], direction: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 32);
    let mut rest = data;
    while !rest.is_empty() {
        out.extend_from_slice(pid);
        out.extend_from_slice(direction);
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                out.extend_from_slice(&rest[..i]);
                out.extend_from_slice(b" \n");
                rest = &rest[i + 1..];
            }
            None => {
                out.extend_from_slice(rest);
                out.extend_from_slice(b"+\n");
                break;
            }
        }
    }
    out
}

/// One direction of the copy: the chunk last read and how much of it is written.
struct Chunk {
    buf: [u8; CHUNK],
    len: usize,
    done: usize,
}

impl Chunk {
    fn pending(&self) -> &[u8] {
        &self.buf[self.done..self.len]
    }

    /// Reads a new chunk from `fd`; returns its bytes, or `None` at end of data or error.
    fn fill(&mut self, fd: BorrowedFd) -> Option<&[u8]> {
        match sys::fd::read(fd, &mut self.buf) {
            Ok(n @ 1..) => {
                (self.len, self.done) = (n, 0);
                Some(&self.buf[..n])
            }
            _ => None,
        }
    }

    /// Writes what is pending to `fd`; false when the write fails.
    fn drain(&mut self, fd: BorrowedFd) -> bool {
        match sys::fd::write(fd, self.pending()) {
            Ok(n) => {
                self.done += n;
                true
            }
            Err(_) => false,
        }
    }
}

/// The copying child: stdin -> `to_program`, `from_program` -> stdout, recording both on
/// stderr; ends (exit 0) when the program's output ends or a write fails.
fn copy(pid: &[u8], to_program: BorrowedFd, from_program: BorrowedFd) -> u8 {
    let new = || Chunk {
        buf: [0; CHUNK],
        len: 0,
        done: 0,
    };
    let (mut left, mut right) = (new(), new());
    let mut left_open = true;
    loop {
        let left_wait = left_open.then(|| match left.pending().is_empty() {
            true => (sys::fd::stdin(), PollFlags::IN),
            false => (to_program, PollFlags::OUT),
        });
        let right_wait = match right.pending().is_empty() {
            true => (from_program, PollFlags::IN),
            false => (sys::fd::stdout(), PollFlags::OUT),
        };
        let mut fds: Vec<PollFd> = left_wait
            .iter()
            .chain([&right_wait])
            .map(|&(fd, flags)| PollFd::from_borrowed_fd(fd, flags))
            .collect();
        let _ = sys::poll::poll(&mut fds, None);
        let ready: Vec<bool> = fds.iter().map(|f| !f.revents().is_empty()).collect();
        drop(fds);
        if left_wait.is_some() && ready[0] {
            if !left.pending().is_empty() {
                if !left.drain(to_program) {
                    return exit::OK;
                }
            } else if let Some(data) = left.fill(sys::fd::stdin()) {
                exit::emit(&record(pid, b" < ", data));
            } else {
                left_open = false;
                sys::fd::close_number(sys::fd::number(to_program));
                exit::emit(&[pid, b" < [EOF]\n"].concat());
            }
        }
        if ready[ready.len() - 1] {
            if !right.pending().is_empty() {
                if !right.drain(sys::fd::stdout()) {
                    return exit::OK;
                }
            } else if let Some(data) = right.fill(from_program) {
                exit::emit(&record(pid, b" > ", data));
            } else {
                exit::emit(&[pid, b" > [EOF]\n"].concat());
                return exit::OK;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        assert_eq!(record(b"7", b" < ", b"a\nb"), b"7 < a \n7 < b+\n");
        assert_eq!(record(b"7", b" > ", b"a\n"), b"7 > a \n");
        assert_eq!(record(b"7", b" > ", b"\n\n"), b"7 >  \n7 >  \n");
        assert_eq!(record(b"7", b" > ", b"x"), b"7 > x+\n");
    }
}
