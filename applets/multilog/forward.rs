//! multilog's `1PREFIX` action: selected lines also go to stdout (a container's output,
//! for `docker logs`), each with PREFIX in front.
//!
//! Each line leaves in one write(2), prefix included, so lines of several loggers sharing
//! one pipe never mix as long as each fits in the pipe's atomic size: a line is held until
//! its newline, up to [`MAX_LINE`] bytes, then sent in pieces (only the first prefixed). A
//! failed write is a warning (once) and never touches the log directories: they still get
//! every line.

use super::PROG;
use crate::exit;
use crate::sys;

/// The pipe's atomic write size: longer lines go out in pieces.
pub const MAX_LINE: usize = 4096;

/// One forward to stdout.
pub struct Forward<'a> {
    prefix: &'a [u8],
    /// What waits for its newline (prefix included).
    line: Vec<u8>,
    /// A piece of the current line has gone out: no prefix before the next.
    mid_line: bool,
    /// A write failed and was reported.
    failed: bool,
}

impl<'a> Forward<'a> {
    /// A forward whose lines begin with `prefix`.
    pub fn new(prefix: &'a [u8]) -> Self {
        Forward {
            prefix,
            line: Vec::new(),
            mid_line: false,
            failed: false,
        }
    }

    /// Takes bytes routed to this forward (whole lines and the start of one).
    pub fn push(&mut self, bytes: &[u8]) {
        for piece in bytes.split_inclusive(|&b| b == b'\n') {
            if self.line.is_empty() && !self.mid_line {
                self.line.extend_from_slice(self.prefix);
            }
            let mut piece = piece;
            while !piece.is_empty() {
                let room = MAX_LINE.saturating_sub(self.line.len()).max(1);
                let (now, later) = piece.split_at(piece.len().min(room));
                self.line.extend_from_slice(now);
                piece = later;
                let complete = self.line.last() == Some(&b'\n');
                if complete || self.line.len() >= MAX_LINE {
                    self.send();
                    self.mid_line = !complete;
                }
            }
        }
    }

    /// Gives the memory back (the logger is idle).
    pub fn release(&mut self) {
        if self.line.is_empty() {
            self.line = Vec::new();
        }
    }

    fn send(&mut self) {
        if let Err(e) = sys::fd::write_all(sys::fd::stdout(), &self.line)
            && !self.failed
        {
            self.failed = true;
            exit::warn_sys(PROG, &[b"unable to write to standard output"], e);
        }
        self.line.clear();
    }
}
