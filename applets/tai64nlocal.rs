//! tai64nlocal: turns the TAI64N label at the start of each line into local time
//! (spec: multilog.md §1, §3).
//!
//! `tai64nlocal` (arguments ignored, no messages). Exit 0 at end of input, 111 if reading
//! stdin or writing stdout fails. A line starting with `@` has its label (lowercase hex
//! digits, any number) replaced by `YYYY-MM-DD HH:MM:SS.NNNNNNNNN` in the zone of `TZ` or
//! `/etc/localtime`; the byte that ended the label and the rest of the line follow
//! unchanged. Other lines pass through. A label cut short by the end of input prints
//! nothing.
//!
//! Deviation (spec README §12 item 17): where daemontools crashes because the label names
//! a time the C library cannot break down (`@` alone, too few digits, uppercase hex, a
//! label running into hex letters), the line is copied unchanged and work goes on.
//!
//! The zone is read once at start; each stretch of time with one offset is remembered so
//! that consecutive labels cost no zone lookup.

use crate::buffer::Buffer;
use crate::exit;
use crate::format::tai::{self, Digits, LOCAL_MAX};
use crate::format::tzif::{Local, Zone};
use crate::sys::{self, fd, localtime};
use std::ffi::CStr;

/// Bytes asked for per read.
const INPUT_CHUNK: usize = 64 * 1024;
/// Output is written when this much is pending (and before every read).
const OUTPUT_BUFFER: usize = 64 * 1024;

/// Where the filter stands between two bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// The next byte starts a line.
    LineStart,
    /// Inside a line's label digits.
    Label,
    /// Copying the rest of a line.
    Copy,
}

/// The conversion state carried from one chunk of input to the next.
struct Filter {
    zone: Zone,
    /// The stretch of time whose offset was looked up last.
    cached: Option<Local>,
    state: State,
    digits: Digits,
    /// Digits of the current label that arrived in earlier chunks.
    carried: Vec<u8>,
}

impl Filter {
    /// The local rendering of the label read so far, or `None` if it names no valid time.
    fn render(&mut self, out: &mut [u8; LOCAL_MAX]) -> Option<usize> {
        let stamp = self.digits.stamp();
        let t = stamp.unix_secs();
        let local = match self.cached {
            Some(local) if local.start <= t && t < local.end => local,
            _ => {
                let local = self.zone.local(t)?;
                self.cached = Some(local);
                local
            }
        };
        let civil = local.breakdown(t)?;
        Some(tai::render_local(&civil, stamp.nanos, out))
    }

    /// Ends the label whose last digits are `digits` with the byte `end`.
    fn finish_label(&mut self, digits: &[u8], end: u8, out: &mut Buffer) -> sys::Result<()> {
        let mut text = [0; LOCAL_MAX];
        match self.render(&mut text) {
            Some(len) => out.put(&text[..len])?,
            None => {
                out.put(b"@")?;
                out.put(&self.carried)?;
                out.put(digits)?;
            }
        }
        self.carried.clear();
        self.state = if end == b'\n' {
            State::LineStart
        } else {
            State::Copy
        };
        out.put(&[end])
    }

    /// Converts one chunk of input.
    fn feed(&mut self, mut rest: &[u8], out: &mut Buffer) -> sys::Result<()> {
        while let Some(&first) = rest.first() {
            match self.state {
                State::LineStart if first == b'@' => {
                    self.state = State::Label;
                    self.digits = Digits::default();
                    rest = &rest[1..];
                }
                State::LineStart | State::Copy => {
                    let end = rest.iter().position(|&b| b == b'\n');
                    let (line, tail) = rest.split_at(end.map_or(rest.len(), |i| i + 1));
                    out.put(line)?;
                    self.state = if end.is_some() {
                        State::LineStart
                    } else {
                        State::Copy
                    };
                    rest = tail;
                }
                State::Label => {
                    let n = self.digits.scan(rest);
                    let (digits, tail) = rest.split_at(n);
                    match tail.first() {
                        Some(&end) => {
                            self.finish_label(digits, end, out)?;
                            rest = &tail[1..];
                        }
                        None => {
                            self.carried.extend_from_slice(digits);
                            rest = tail;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    let mut filter = Filter {
        zone: localtime::zone(),
        cached: None,
        state: State::LineStart,
        digits: Digits::default(),
        carried: Vec::new(),
    };
    let mut out = Buffer::new(fd::stdout(), OUTPUT_BUFFER);
    let mut chunk = vec![0u8; INPUT_CHUNK];
    loop {
        if out.flush().is_err() {
            return exit::TEMP;
        }
        let n = match fd::read(fd::stdin(), &mut chunk) {
            Ok(0) => return exit::OK,
            Ok(n) => n,
            Err(_) => return exit::TEMP,
        };
        if filter.feed(&chunk[..n], &mut out).is_err() {
            return exit::TEMP;
        }
    }
}
